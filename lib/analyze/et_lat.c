/*
 * et_lat: exact percentiles in memory that grows with distinct values. The idea is a value ->
 * count table; at the end the distinct values are sorted once and the nearest ranks are found by
 * walking the cumulative counts.
 */
#include "et_lat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void et_lat_init(struct et_lat *l)
{
	memset(l, 0, sizeof(*l));
}

void et_lat_finish(struct et_lat *l)
{
	free(l->keys);
	free(l->counts);
	memset(l, 0, sizeof(*l));
}

static uint64_t bits(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

/*
 * A full 64-bit mix (splitmix64's finalizer): whole-number latencies are doubles whose low
 * mantissa bits are all zero, so any hash that keeps low bits would put them all in one chain.
 */
static size_t slot_of(uint64_t key, size_t nslots)
{
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ULL;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebULL;
	key ^= key >> 31;
	return (size_t)key & (nslots - 1);
}

static int grow(struct et_lat *l)
{
	size_t nslots = l->nslots ? l->nslots * 2 : 64, i, j;
	uint64_t *keys = calloc(nslots, sizeof(*keys)), *counts = calloc(nslots, sizeof(*counts));

	if (!keys || !counts) {
		free(keys);
		free(counts);
		return -ENOMEM;
	}
	for (i = 0; i < l->nslots; i++) {
		if (!l->keys[i]) {
			continue;
		}
		for (j = slot_of(l->keys[i], nslots); keys[j]; j = (j + 1) & (nslots - 1)) {
		}
		keys[j] = l->keys[i];
		counts[j] = l->counts[i];
	}
	free(l->keys);
	free(l->counts);
	l->keys = keys;
	l->counts = counts;
	l->nslots = nslots;
	return 0;
}

static int add_n(struct et_lat *l, double v, uint64_t count)
{
	uint64_t key;
	size_t j;

	if (!(v >= 0)) {
		return 0; /* NaN or negative: not a latency */
	}
	l->total += count;
	l->sum += v * (double)count;
	if (v > l->max) {
		l->max = v;
	}
	if (v == 0) {
		l->zeros += count;
		return 0;
	}
	key = bits(v);
	if ((l->n + 1) * 2 > l->nslots && grow(l) < 0) {
		return -ENOMEM;
	}
	for (j = slot_of(key, l->nslots); l->keys[j]; j = (j + 1) & (l->nslots - 1)) {
		if (l->keys[j] == key) {
			l->counts[j] += count;
			return 0;
		}
	}
	l->keys[j] = key;
	l->counts[j] = count;
	l->n++;
	return 0;
}

int et_lat_add(struct et_lat *l, double v)
{
	return add_n(l, v, 1);
}

int et_lat_merge(struct et_lat *into, const struct et_lat *from)
{
	size_t i;
	double v;
	int r = 0;

	if (from->zeros) {
		r = add_n(into, 0, from->zeros);
	}
	for (i = 0; r == 0 && i < from->nslots; i++) {
		if (from->keys[i]) {
			memcpy(&v, &from->keys[i], sizeof(v));
			r = add_n(into, v, from->counts[i]);
		}
	}
	return r;
}

struct pair {
	double v;
	uint64_t count;
};

static int pair_cmp(const void *a, const void *b)
{
	double x = ((const struct pair *)a)->v, y = ((const struct pair *)b)->v;

	return x < y ? -1 : x > y;
}

/* The value at nearest rank ceil(p / 100 * n) of the sorted values. */
static double rank_value(const struct pair *p, size_t np, uint64_t n, double pct)
{
	uint64_t rank = (uint64_t)ceil(pct / 100.0 * (double)n), seen = 0;
	size_t i;

	if (rank < 1) {
		rank = 1;
	}
	for (i = 0; i < np; i++) {
		seen += p[i].count;
		if (seen >= rank) {
			return p[i].v;
		}
	}
	return np ? p[np - 1].v : 0;
}

int et_lat_summarise(const struct et_lat *l, struct et_lat_summary *s)
{
	struct pair *p;
	size_t np = 0, i;

	memset(s, 0, sizeof(*s));
	s->count = l->total;
	if (l->total == 0) {
		return 0;
	}
	p = malloc((l->n + 1) * sizeof(*p));
	if (!p) {
		return -ENOMEM;
	}
	if (l->zeros) {
		p[np].v = 0;
		p[np++].count = l->zeros;
	}
	for (i = 0; i < l->nslots; i++) {
		if (l->keys[i]) {
			memcpy(&p[np].v, &l->keys[i], sizeof(double));
			p[np++].count = l->counts[i];
		}
	}
	qsort(p, np, sizeof(*p), pair_cmp);
	s->avg = l->sum / (double)l->total;
	s->p50 = rank_value(p, np, l->total, 50);
	s->p95 = rank_value(p, np, l->total, 95);
	s->p99 = rank_value(p, np, l->total, 99);
	s->max = l->max;
	free(p);
	return 0;
}
