/*
 * Unit tests for et_stats and et_patterns: invariants on 20,000 random records (the per-tool
 * numbers add up to the totals, percentiles are ordered, nothing is lost), and determinism.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_patterns.h"
#include "et_logrec.h"
#include "et_stats.h"
#include "tap.h"

static uint64_t seed = 20261121;

static unsigned rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

/* Feeds @n random records (calls, batches, a few bad lines) to both aggregators. */
static void feed(struct et_stats *s, struct et_patterns *p, int n, uint64_t *calls)
{
	static const char *const tools[] = {
		"Read", "Edit", "Bash", "Grep", "Glob", "Write", "mcp__gh__get_issue", "WebFetch"};
	static const char *const outcomes[] = {"success", "success", "success", "failure",
					       "interrupted"};
	char line[1024];
	struct et_record_in rec;
	int i;

	for (i = 0; i < n; i++) {
		int len;

		if (rnd(10) == 0) {
			len = snprintf(
				line, sizeof(line),
				"{\"v\":1,\"timestamp\":\"2026-11-20T10:%02d:%02d.000Z\",\"event\":"
				"\"PostToolBatch\",\"session_id\":\"s%u\",\"tool_name\":null,"
				"\"outcome\":null,\"tool_use_ids\":[\"x\"],\"tool_names\":[\"Read\"]}",
				i / 60 % 60, i % 60, rnd(7));
		} else {
			len = snprintf(
				line, sizeof(line),
				"{\"v\":1,\"timestamp\":\"2026-11-20T10:%02d:%02d.000Z\",\"event\":"
				"\"PostToolUse\",\"session_id\":\"s%u\",\"tool_name\":\"%s\","
				"\"outcome\":\"%s\",\"error\":\"Exit code %u\\nfailed at /tmp/f%u\","
				"\"latency_ms\":%u,\"params\":{\"command\":\"c%u\"},"
				"\"params_fp\":\"fp%u\"}",
				i / 60 % 60, i % 60, rnd(7), tools[rnd(8)], outcomes[rnd(5)],
				rnd(3), rnd(1000), rnd(5000), rnd(4), rnd(3));
			(*calls)++;
		}
		if (et_logrec_parse_line(line, (size_t)len, &rec) < 0) {
			fprintf(stderr, "bad generated line: %s\n", line);
			exit(99);
		}
		et_stats_add(s, &rec);
		et_patterns_add(p, &rec);
	}
}

int main(void)
{
	struct et_stats *s = et_stats_create(5), *s2 = et_stats_create(5);
	struct et_patterns *p = et_patterns_create(), *p2 = et_patterns_create();
	struct et_stats_result r, r2;
	struct et_patterns_result pr;
	uint64_t calls = 0, calls2 = 0, sum_calls = 0, sum_s = 0, sum_f = 0, sum_i = 0, lat_n = 0;
	size_t i;
	bool ordered = true, same = true;

	feed(s, p, 20000, &calls);
	et_stats_end(s, &r);
	tap_ok(r.calls == calls, "every call counted (%llu)", (unsigned long long)calls);
	for (i = 0; i < r.ntools; i++) {
		const struct et_stats_tool *t = &r.tools[i];

		sum_calls += t->calls;
		sum_s += t->successes;
		sum_f += t->failures;
		sum_i += t->interrupted;
		lat_n += t->lat.count;
		ordered = ordered && t->lat.p50 <= t->lat.p95 && t->lat.p95 <= t->lat.p99 &&
			  t->lat.p99 <= t->lat.max &&
			  t->successes + t->failures + t->interrupted == t->calls;
		if (i) {
			ordered = ordered && (r.tools[i - 1].calls > t->calls ||
					      (r.tools[i - 1].calls == t->calls &&
					       strcmp(r.tools[i - 1].tool, t->tool) < 0));
		}
	}
	tap_ok(sum_calls == r.calls, "per-tool calls add up to the total");
	tap_ok(sum_s == r.successes && sum_f == r.failures && sum_i == r.interrupted,
	       "per-tool outcomes add up to the totals");
	tap_ok(r.successes + r.failures + r.interrupted == r.calls, "outcomes add up to calls");
	tap_ok(lat_n == r.lat.count, "per-tool latency counts add up to the overall count");
	tap_ok(ordered, "each tool: p50 <= p95 <= p99 <= max; tools sorted by calls then name");
	tap_ok(r.lat.avg >= 0 && r.lat.avg <= r.lat.max, "the mean lies within the range");
	tap_ok(r.nslow == 5 && r.slow[0].latency_ms >= r.slow[4].latency_ms,
	       "the 5 slowest calls, slowest first");
	tap_ok(r.sessions == 7, "7 sessions");

	/* The same input again gives the same result. */
	seed = 20261121;
	feed(s2, p2, 20000, &calls2);
	et_stats_end(s2, &r2);
	for (i = 0; i < r.ntools; i++) {
		same = same && !strcmp(r.tools[i].tool, r2.tools[i].tool) &&
		       r.tools[i].lat.p95 == r2.tools[i].lat.p95 &&
		       r.tools[i].nerrors == r2.tools[i].nerrors;
	}
	tap_ok(same && r.ntools == r2.ntools, "same input, same result");

	et_patterns_end(p, 1, 1000, NULL, &pr);
	{
		uint64_t two = 0, retry_calls = 0;

		for (i = 0; i < pr.nchains; i++) {
			if (pr.chains[i].ntools == 2) {
				two += pr.chains[i].count;
			}
			ordered = ordered && pr.chains[i].all_success <= pr.chains[i].count;
		}
		for (i = 0; i < pr.nretries; i++) {
			retry_calls += pr.retries[i].calls;
			ordered = ordered && pr.retries[i].ended_success +
							     pr.retries[i].ended_failure +
							     pr.retries[i].ended_interrupted ==
						     pr.retries[i].loops;
		}
		/* Every call but the first of its session starts exactly one 2-gram. */
		tap_ok(two == calls - 7, "2-grams: one per call after each session's first (%llu)",
		       (unsigned long long)two);
		tap_ok(ordered, "chains: all-success <= count; retries: endings add up to loops");
		tap_ok(retry_calls <= calls, "retry loops never count more calls than there are");
		tap_ok(pr.cascade_calls <= r.failures + r.interrupted,
		       "cascades hold only failures");
	}
	et_patterns_result_finish(&pr);
	et_stats_result_finish(&r);
	et_stats_result_finish(&r2);
	et_stats_destroy(s);
	et_stats_destroy(s2);
	et_patterns_destroy(p);
	et_patterns_destroy(p2);
	return tap_done();
}
