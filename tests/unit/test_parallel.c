/* Unit tests for et_parallel: read-only batches run one after the other. */
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_parallel.h"
#include "et_patterns.h"
#include "tap.h"

enum {
	READ,
	GREP,
	EDIT
};

static struct et_hmap tools;
static struct et_buf tmp;

static void setup(struct et_parallel *par)
{
	static const char *const names[] = {"Read", "Grep", "Edit"};
	size_t i;

	et_hmap_init(&tools);
	for (i = 0; i < 3; i++) {
		et_hmap_get(&tools, names[i], strlen(names[i]), true, NULL);
	}
	et_buf_init(&tmp, 1 << 16);
	et_parallel_init(par, &tools, &tmp);
}

static void teardown(struct et_parallel *par, struct et_patterns_result *res)
{
	et_patterns_result_finish(res);
	et_parallel_finish(par);
	et_hmap_finish(&tools);
	et_buf_finish(&tmp);
}

/* A call of @tool at @ts ms with a latency of @ms (none when negative). */
static int call(struct et_parallel *par, struct et_parallel_session *s, uint32_t tool, int64_t ts,
		double ms)
{
	struct et_record_in r;

	memset(&r, 0, sizeof(r));
	r.has_ts = true;
	r.ts_ms = ts;
	r.has_latency = ms >= 0;
	r.latency_ms = ms >= 0 ? ms : 0;
	return et_parallel_call(par, s, tool, tool != EDIT, &r);
}

static void test_batches(void)
{
	struct et_parallel par;
	struct et_parallel_session s;
	struct et_patterns_result res;
	int r = 0;

	setup(&par);
	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	/* Three read-only batches in a row (10, 30 and 20 ms at the longest), then an edit. */
	r |= call(&par, &s, READ, 0, 10);
	r |= call(&par, &s, READ, 0, 5);
	r |= et_parallel_batch(&par, &s);
	r |= call(&par, &s, GREP, 10000, 30);
	r |= et_parallel_batch(&par, &s);
	r |= call(&par, &s, READ, 20000, 20);
	r |= et_parallel_batch(&par, &s);
	r |= call(&par, &s, EDIT, 30000, 1);
	r |= et_parallel_batch(&par, &s);
	/* Then one read-only batch alone: no opportunity. */
	r |= call(&par, &s, GREP, 40000, 7);
	r |= et_parallel_batch(&par, &s);
	r |= et_parallel_close(&par, &s);
	r |= et_parallel_result(&par, NULL, &res);
	tap_ok(r == 0, "batches: every call returns 0");
	tap_ok(res.par_from_batches, "a log with batch records is read by its batches");
	tap_ok(res.par_opportunities == 1 && res.par_calls == 4,
	       "one run of three batches, four calls (%llu, %llu)",
	       (unsigned long long)res.par_opportunities, (unsigned long long)res.par_calls);
	tap_ok(res.par_saved_ms == 30, "saved: 10 + 30 + 20 - 30 = 30 ms (%g)", res.par_saved_ms);
	tap_ok(res.npar_groups == 1 && !strcmp(res.par_groups[0].tools, "Grep,Read") &&
		       res.par_groups[0].count == 1 && res.par_groups[0].saved_ms == 30,
	       "one group, its tools sorted by name");
	et_patterns_result_finish(&res);
	memset(&res, 0, sizeof(res));
	tap_ok(et_parallel_result(&par, "Read", &res) == 0 && res.npar_groups == 1,
	       "--tool Read keeps the group");
	et_patterns_result_finish(&res);
	memset(&res, 0, sizeof(res));
	tap_ok(et_parallel_result(&par, "Edit", &res) == 0 && res.npar_groups == 0 &&
		       res.par_opportunities == 1,
	       "--tool Edit drops it, the totals stay");
	et_patterns_result_finish(&res);
	memset(&res, 0, sizeof(res));
	tap_ok(et_parallel_result(&par, "Rea", &res) == 0 && res.npar_groups == 0,
	       "a tool matches a whole name, not a part of one");
	teardown(&par, &res);
}

static void test_timestamps(void)
{
	struct et_parallel par;
	struct et_parallel_session a, b;
	struct et_patterns_result res;
	int r = 0;

	setup(&par);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&res, 0, sizeof(res));
	/* Session a: reads 5 s apart are separate batches; 0.5 s apart, one batch. */
	r |= call(&par, &a, READ, 100000, 40);
	r |= call(&par, &a, GREP, 105000, 60);
	r |= call(&par, &a, GREP, 110000, 10);
	r |= call(&par, &a, READ, 110500, 5);
	/* Session b, interleaved: a read, then a write, then a read: never two reads in a row. */
	r |= call(&par, &b, READ, 101000, 1);
	r |= call(&par, &b, EDIT, 200000, 1);
	r |= call(&par, &b, READ, 300000, 1);
	r |= et_parallel_close(&par, &a);
	r |= et_parallel_close(&par, &b);
	r |= et_parallel_result(&par, NULL, &res);
	tap_ok(r == 0, "timestamps: every call returns 0");
	tap_ok(!res.par_from_batches, "a log without batch records is read by its timestamps");
	tap_ok(res.par_opportunities == 1 && res.par_calls == 4 && res.par_saved_ms == 50,
	       "session a: one run of 3 batches, 4 calls, 40 + 60 + 10 - 60 = 50 ms saved (%g)",
	       res.par_saved_ms);
	tap_ok(res.npar_groups == 1 && !strcmp(res.par_groups[0].tools, "Grep,Read"),
	       "its tools: Grep,Read");
	teardown(&par, &res);
}

int main(void)
{
	test_batches();
	test_timestamps();
	return tap_done();
}
