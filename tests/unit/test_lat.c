/*
 * Unit tests for et_lat: nearest-rank percentiles (the value at rank ceil(p/100 * n)) on small
 * value sets worked out by hand, zeros kept apart from the table, values that are not latencies
 * ignored, merging, and growth past many distinct values.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "et_lat.h"
#include "tap.h"

#define END -1.0 /* ends a value list */

struct lat_case {
	const char *what;
	double values[24]; /* in the order added, END-terminated */
	uint64_t count;
	double avg, p50, p95, p99, max;
};

/*
 * Worked by hand: sort the values, take the one at 1-based rank ceil(p * n / 100).
 * n = 1: every rank is 1. n = 4: p50 rank 2, p95 rank 4, p99 rank 4. n = 5: ranks 3, 5, 5.
 * n = 10: ranks 5, 10, 10. n = 20: ranks 10, 19, 20.
 */
static const struct lat_case cases[] = {
	{"one value", {42, END}, 1, 42, 42, 42, 42, 42},
	{"one zero", {0, END}, 1, 0, 0, 0, 0, 0},
	{"four, shuffled", {30, 10, 40, 20, END}, 4, 25, 20, 40, 40, 40},
	{"zeros and one value", {0, 7, 0, 0, END}, 4, 1.75, 0, 7, 7, 7},
	{"repeated values", {3, 100, 3, 3, 3, END}, 5, 22.4, 3, 100, 100, 100},
	{"fractions", {2.5, 0.5, 1.5, END}, 3, 1.5, 1.5, 2.5, 2.5, 2.5},
	{"1 to 10, reversed", {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, END}, 10, 5.5, 5, 10, 10, 10},
	{"1 to 20",
	 {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, END},
	 20,
	 10.5,
	 10,
	 19,
	 20,
	 20},
	{"not latencies are skipped", {-5, 4, NAN, -0.001, 8, END}, 2, 6, 4, 8, 8, 8},
};

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void check(const char *what, const struct et_lat_summary *s, uint64_t count, double avg,
		  double p50, double p95, double p99, double max)
{
	bool ok = s->count == count && near(s->avg, avg) && s->p50 == p50 && s->p95 == p95 &&
		  s->p99 == p99 && s->max == max;

	tap_ok(ok, "%s: n %llu avg %g p50 %g p95 %g p99 %g max %g", what, (unsigned long long)count,
	       avg, p50, p95, p99, max);
	if (!ok) {
		tap_diag("got n %llu avg %g p50 %g p95 %g p99 %g max %g",
			 (unsigned long long)s->count, s->avg, s->p50, s->p95, s->p99, s->max);
	}
}

static void test_cases(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lat_case *c = &cases[i];
		struct et_lat l;
		struct et_lat_summary s;
		int r = 0;

		et_lat_init(&l);
		for (j = 0; c->values[j] != END; j++) {
			r |= et_lat_add(&l, c->values[j]);
		}
		tap_ok(r == 0 && et_lat_summarise(&l, &s) == 0, "%s: added and summarised",
		       c->what);
		check(c->what, &s, c->count, c->avg, c->p50, c->p95, c->p99, c->max);
		et_lat_finish(&l);
	}
}

static void test_empty(void)
{
	struct et_lat l, z;
	struct et_lat_summary s;

	et_lat_init(&l);
	memset(&s, 0xff, sizeof(s));
	tap_ok(et_lat_summarise(&l, &s) == 0 && s.count == 0, "an empty distribution: count 0");
	et_lat_add(&l, -1);
	tap_ok(et_lat_summarise(&l, &s) == 0 && s.count == 0 && l.total == 0,
	       "a negative value is not counted");
	et_lat_finish(&l);
	memset(&z, 0, sizeof(z));
	et_lat_finish(&z);
	tap_ok(z.n == 0 && z.keys == NULL, "finish accepts a zeroed value");
}

/* 1..100 in a scrambled order: p50 50, p95 95, p99 99; then 1..200: 100, 190, 198. */
static void test_ranks(void)
{
	struct et_lat l;
	struct et_lat_summary s;
	uint64_t n, k, p, want50, want95, want99;
	size_t bad = 0;

	et_lat_init(&l);
	for (k = 0; k < 100; k++) {
		et_lat_add(&l,
			   (double)((k * 37) % 100 + 1)); /* 37 is prime to 100: a permutation */
	}
	et_lat_summarise(&l, &s);
	check("1 to 100, scrambled", &s, 100, 50.5, 50, 95, 99, 100);
	for (k = 101; k <= 200; k++) {
		et_lat_add(&l, (double)k);
	}
	et_lat_summarise(&l, &s);
	check("1 to 200", &s, 200, 100.5, 100, 190, 198, 200);
	et_lat_finish(&l);

	/* Every n from 1 to 300 with the values 1..n: the rank is the value. */
	for (n = 1; n <= 300; n++) {
		et_lat_init(&l);
		for (k = n; k >= 1; k--) {
			et_lat_add(&l, (double)k);
		}
		et_lat_summarise(&l, &s);
		p = 50;
		want50 = (p * n + 99) / 100;
		want95 = (95 * n + 99) / 100;
		want99 = (99 * n + 99) / 100;
		bad += s.p50 != (double)want50 || s.p95 != (double)want95 ||
		       s.p99 != (double)want99 || s.max != (double)n;
		et_lat_finish(&l);
	}
	tap_ok(bad == 0, "values 1..n for n = 1 to 300: p50, p95, p99 at ceil(p*n/100) (%zu wrong)",
	       bad);
}

static void test_merge(void)
{
	struct et_lat a, b, e;
	struct et_lat_summary s;

	et_lat_init(&a);
	et_lat_init(&b);
	et_lat_init(&e);
	et_lat_add(&a, 1);
	et_lat_add(&a, 2);
	et_lat_add(&b, 0);
	et_lat_add(&b, 3);
	et_lat_add(&b, 3);
	tap_ok(et_lat_merge(&a, &b) == 0, "merge");
	et_lat_summarise(&a, &s);
	/* 0 1 2 3 3: ranks 3, 5, 5. */
	check("{1,2} merged with {0,3,3}", &s, 5, 1.8, 2, 3, 3, 3);
	tap_ok(a.zeros == 1 && a.n == 3,
	       "the zero stays apart, three distinct values in the table");
	et_lat_summarise(&b, &s);
	check("the merged-from side is unchanged", &s, 3, 2, 3, 3, 3, 3);
	tap_ok(et_lat_merge(&a, &e) == 0 && a.total == 5, "merging an empty one changes nothing");
	tap_ok(et_lat_merge(&e, &a) == 0, "merging into an empty one");
	et_lat_summarise(&e, &s);
	check("a copy by merging", &s, 5, 1.8, 2, 3, 3, 3);
	et_lat_finish(&a);
	et_lat_finish(&b);
	et_lat_finish(&e);
}

static void test_growth(void)
{
	struct et_lat l;
	struct et_lat_summary s;
	size_t i;

	et_lat_init(&l);
	/* 5000 distinct values twice each (whole milliseconds, their worst case for a hash). */
	for (i = 1; i <= 5000; i++) {
		et_lat_add(&l, (double)i);
		et_lat_add(&l, (double)(5001 - i));
	}
	tap_ok(l.n == 5000 && l.total == 10000, "5000 distinct values, each a slot (%zu)", l.n);
	tap_ok(l.nslots >= 10000 && (l.nslots & (l.nslots - 1)) == 0,
	       "the table grew to a power of two at most half full (%zu)", l.nslots);
	et_lat_summarise(&l, &s);
	/* n = 10000, each value twice: rank 5000 is 2500, rank 9500 is 4750, rank 9900 is 4950. */
	check("1..5000 twice each", &s, 10000, 2500.5, 2500, 4750, 4950, 5000);
	et_lat_finish(&l);
}

/* The checks test_reader.c made, kept as they were. */
static void test_basics(void)
{
	struct et_lat l, m;
	struct et_lat_summary s;
	int i;

	et_lat_init(&l);
	for (i = 1; i <= 100; i++) {
		et_lat_add(&l, i);
	}
	et_lat_summarise(&l, &s);
	tap_ok(s.count == 100 && s.p50 == 50 && s.p95 == 95 && s.p99 == 99 && s.max == 100 &&
		       s.avg == 50.5,
	       "1..100: p50 50, p95 95, p99 99 (nearest rank), avg 50.5");
	et_lat_init(&m);
	et_lat_add(&m, 0);
	et_lat_add(&m, 0);
	et_lat_add(&m, 1000);
	et_lat_summarise(&m, &s);
	tap_ok(s.p50 == 0 && s.p95 == 1000 && s.count == 3,
	       "zeros count: 0 0 1000 -> p50 0, p95 1000");
	et_lat_merge(&l, &m);
	et_lat_summarise(&l, &s);
	tap_ok(s.count == 103 && s.max == 1000, "merge adds every value");
	for (i = 0; i < 100000; i++) {
		et_lat_add(&m, 7);
	}
	tap_ok(m.n == 2, "100,000 equal values take one slot (memory follows distinct values)");
	et_lat_finish(&l);
	et_lat_finish(&m);
	et_lat_summarise(&l, &s);
	tap_ok(s.count == 0, "an empty distribution has count 0");
}

int main(void)
{
	test_basics();
	test_cases();
	test_empty();
	test_ranks();
	test_merge();
	test_growth();
	return tap_done();
}
