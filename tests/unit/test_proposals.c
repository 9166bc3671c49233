/* Unit tests for et_proposals: the return arithmetic, priorities, and findings on small logs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_proposals.h"
#include "tap.h"

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_roi(void)
{
	struct et_proposal x;

	memset(&x, 0, sizeof(x));
	x.measured_ms = 3600000; /* one hour lost over a week; half of it saved */
	x.saved_share = 0.5;
	x.impl_h = 1;
	et_proposals_roi(&x, 7, 0);
	tap_ok(near(x.weekly_h, 0.5) && near(x.monthly_h, 0.5 * 30 / 7),
	       "1 h lost in 7 days, half saved: 0.5 h a week, 30/7 of that a month");
	tap_ok(near(x.breakeven_weeks, 2) && !strcmp(x.priority, "high"),
	       "1 h to make at 0.5 h a week: 2 weeks, high");
	x.dollars = 14;
	et_proposals_roi(&x, 7, 0);
	tap_ok(near(x.weekly_usd, 7) && near(x.monthly_usd, 30) && near(x.breakeven_weeks, 2),
	       "dollars without an hourly rate do not change the break-even");
	et_proposals_roi(&x, 7, 10);
	tap_ok(near(x.breakeven_weeks, 1 / 1.2) && !strcmp(x.priority, "critical"),
	       "at 10 an hour, $7 a week is 0.7 h more: 0.83 weeks, critical");
	x.dollars = 0;
	x.assumed_ms = 3600000; /* two hours lost in all */
	et_proposals_roi(&x, 0.1, 0);
	tap_ok(near(x.weekly_h, 7), "a log shorter than a day counts as one day");
	memset(&x, 0, sizeof(x));
	x.impl_h = 4;
	x.saved_share = 1;
	et_proposals_roi(&x, 7, 0);
	tap_ok(isinf(x.breakeven_weeks) && !strcmp(x.priority, "low"),
	       "nothing saved: never breaks even, low");
	/* The priority boundaries: 1, 4 and 12 weeks. */
	x.measured_ms = 4 * 3600000.0; /* 4 h a week, 4 h to make: 1 week */
	et_proposals_roi(&x, 7, 0);
	tap_ok(near(x.breakeven_weeks, 1) && !strcmp(x.priority, "critical"), "1 week: critical");
	x.measured_ms = 3600000;
	et_proposals_roi(&x, 7, 0);
	tap_ok(near(x.breakeven_weeks, 4) && !strcmp(x.priority, "high"), "4 weeks: high");
	x.impl_h = 12;
	et_proposals_roi(&x, 7, 0);
	tap_ok(!strcmp(x.priority, "medium"), "12 weeks: medium");
	x.impl_h = 12.5;
	et_proposals_roi(&x, 7, 0);
	tap_ok(!strcmp(x.priority, "low"), "12.5 weeks: low");
}

static int feed(struct et_proposals *p, const char *line)
{
	struct et_record_in rec;

	if (et_logrec_parse_line(line, strlen(line), &rec) < 0) {
		return -1;
	}
	return et_proposals_add(p, &rec);
}

static const struct et_proposal *find(const struct et_proposals_result *r, enum et_prop_kind k)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->items[i].kind == k) {
			return &r->items[i];
		}
	}
	return NULL;
}

static void test_findings(void)
{
	struct et_proposals_opts o;
	struct et_proposals *p;
	struct et_proposals_result r;
	const struct et_proposal *x;
	char line[512];
	int i, ok = 0;

	et_proposals_opts_default(&o);
	p = et_proposals_create(&o);
	/* A retry loop of 4 identical calls, each 2 s; then a different call. */
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line),
			 "{\"v\":1,\"timestamp\":\"2026-11-20T10:00:0%dZ\",\"session_id\":\"s\","
			 "\"tool_use_id\":\"t%d\",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
			 "\"error\":\"Exit code 1\",\"latency_ms\":2000,\"params_fp\":\"same\"}",
			 i, i);
		ok += feed(p, line) == 0;
	}
	ok += feed(p, "{\"v\":1,\"timestamp\":\"2026-11-20T10:00:09Z\",\"session_id\":\"s\","
		      "\"tool_use_id\":\"t9\",\"tool_name\":\"Read\",\"outcome\":\"success\","
		      "\"latency_ms\":5,\"params_fp\":\"other\",\"response_bytes\":100000}") == 0;
	tap_ok(ok == 5, "five records added");
	tap_ok(et_proposals_close(p) == 0 && et_proposals_end(p, 100, &r) == 0, "end");
	x = find(&r, ET_PROP_RETRY_LOOP);
	tap_ok(x && x->events == 1 && x->sessions == 1 && near(x->measured_ms, 6000) &&
		       near(x->assumed_ms, 3 * 20000.0),
	       "one loop: 3 calls after the first, 6 s measured, 3 turns of 20 s assumed");
	tap_ok(x && x->nexamples == 1 && !strcmp(x->examples[0].session, "s") &&
		       x->examples[0].tool_use_id && !strcmp(x->examples[0].tool_use_id, "t1"),
	       "its example: the session and the first repeat");
	tap_ok(!find(&r, ET_PROP_REPEATED_ERROR), "one session: no repeated error");
	tap_ok(!find(&r, ET_PROP_HUGE_RESULT), "one huge result: under the 3 needed");
	tap_ok(!find(&r, ET_PROP_SLOW_TOOL), "4 calls of 2 s: not slow");
	et_proposals_result_finish(&r);
	et_proposals_destroy(p);

	/* The same log with --retry-run 5: no loop. */
	o.retry_run = 5;
	p = et_proposals_create(&o);
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line),
			 "{\"v\":1,\"session_id\":\"s\",\"tool_name\":\"Bash\",\"outcome\":"
			 "\"failure\",\"error\":\"x\",\"latency_ms\":2000,\"params_fp\":\"same\"}");
		feed(p, line);
	}
	et_proposals_close(p);
	et_proposals_end(p, 100, &r);
	tap_ok(!find(&r, ET_PROP_RETRY_LOOP), "--retry-run 5: 4 in a row is no loop");
	et_proposals_result_finish(&r);
	et_proposals_destroy(p);
}

/* The runs findings on a version-1 log (no request or subagent records): what the calls show. */
static void test_runs(void)
{
	struct et_proposals_opts o;
	struct et_proposals *p;
	struct et_proposals_result r;
	const struct et_proposal *x;
	char line[512];
	int s, i, ok = 0;

	et_proposals_opts_default(&o);
	p = et_proposals_create(&o);
	/* Three sessions: npm test fails twice, never passes; an Explore Agent call fails. */
	for (s = 0; s < 3; s++) {
		for (i = 0; i < 2; i++) {
			snprintf(line, sizeof(line),
				 "{\"v\":1,\"timestamp\":\"2026-11-2%dT10:00:0%dZ\",\"session_id\":"
				 "\"s%d\",\"tool_use_id\":\"n%d%d\",\"tool_name\":\"Bash\","
				 "\"outcome\":\"failure\",\"error\":\"Exit code 1\",\"latency_ms\":"
				 "1500,\"params\":{\"command\":\"npm test -- -w %d\"}}",
				 s, i, s, s, i, i);
			ok += feed(p, line) == 0;
		}
		snprintf(line, sizeof(line),
			 "{\"v\":1,\"timestamp\":\"2026-11-2%dT10:00:05Z\",\"session_id\":\"s%d\","
			 "\"tool_use_id\":\"a%d\",\"tool_name\":\"Agent\",\"outcome\":\"failure\","
			 "\"error\":\"x\",\"latency_ms\":9000,\"params\":{\"subagent_type\":"
			 "\"Explore\"}}",
			 s, s, s);
		ok += feed(p, line) == 0;
	}
	tap_ok(ok == 9, "nine records added");
	tap_ok(et_proposals_close(p) == 0 && et_proposals_end(p, 100, &r) == 0, "end");
	x = find(&r, ET_PROP_FIRST_TRY);
	tap_ok(x && !strcmp(x->subject, "npm test") && x->events == 3 && x->sessions == 3 &&
		       near(x->measured_ms, 6 * 1500.0) && near(x->assumed_ms, 6 * 20000.0) &&
		       x->nexamples == 3 && !strcmp(x->examples[0].tool_use_id, "n00"),
	       "first try: 3 npm test series, 6 failed runs (9 s measured, 6 turns assumed)");
	tap_ok(x && strstr(x->problem, "(or in the 3 that never passed)"),
	       "none of them passed: said");
	x = find(&r, ET_PROP_UNRESOLVED_CYCLE);
	tap_ok(x && !strcmp(x->subject, "Bash") && x->events == 3 && near(x->measured_ms, 9000) &&
		       near(x->assumed_ms, 6 * 20000.0) && strstr(x->problem, "on npm test (3)"),
	       "unresolved: 3 Bash cycles of 2 attempts on npm test");
	x = find(&r, ET_PROP_FAILING_SUBAGENT);
	tap_ok(x && !strcmp(x->subject, "Explore") && x->events == 3 &&
		       near(x->measured_ms, 27000) && x->unmeasured == 0 &&
		       strstr(x->problem, "against 0% for the other agents (0 runs"),
	       "failing subagent: the 3 failed Explore Agent calls, no other agent to compare");
	tap_ok(x && x->nexamples == 3 && !strcmp(x->examples[2].tool_use_id, "a2"),
	       "its examples: the Agent calls");
	et_proposals_result_finish(&r);
	et_proposals_destroy(p);

	/* An empty log: the runs analysis has nothing to say either. */
	p = et_proposals_create(&o);
	et_proposals_close(p);
	tap_ok(et_proposals_end(p, 100, &r) == 0 && r.n == 0, "an empty log: no proposal");
	et_proposals_result_finish(&r);
	et_proposals_destroy(p);
}

int main(void)
{
	test_roi();
	test_findings();
	test_runs();
	return tap_done();
}
