/* Unit tests for et_usage: deduplication, sidechain replays, keys, filters, unpriced models. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_hmap.h"
#include "et_usage.h"
#include "tap.h"

static struct et_pricing pricing;

/* An assistant line in compact JSON. */
static void line(char *buf, size_t n, const char *id, const char *req, const char *model,
		 const char *ts, int in, int out, bool side, const char *session)
{
	char reqf[64] = "";

	if (req) {
		snprintf(reqf, sizeof(reqf), ",\"requestId\":\"%s\"", req);
	}
	snprintf(buf, n,
		 "{\"isSidechain\":%s,\"sessionId\":\"%s\",\"cwd\":\"/repo/a\",\"message\":{\"id\":"
		 "\"%s\",\"model\":\"%s\",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}%s,"
		 "\"type\":\"assistant\",\"timestamp\":\"%s\"}",
		 side ? "true" : "false", session, id, model, in, out, reqf, ts);
}

static struct et_usage_result run(enum et_usage_by by, const struct et_usage_filter *f,
				  const char *const *lines, size_t n)
{
	struct et_usage *u = et_usage_create(&pricing, f, by, true);
	struct et_usage_result res;
	struct et_tx_line l;
	size_t i;

	for (i = 0; i < n; i++) {
		if (et_transcript_parse_line(lines[i], strlen(lines[i]), 0, &l) == ET_TX_USAGE) {
			et_usage_add(u, &l, NULL);
		}
	}
	et_usage_end(u, &res);
	et_usage_destroy(u);
	return res;
}

static void test_dedup(void)
{
	char a[6][512];
	const char *v[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	struct et_usage_result r;

	line(a[0], 512, "m1", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:00Z", 100, 5, false,
	     "s");
	line(a[1], 512, "m1", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:01Z", 100, 50, false,
	     "s"); /* the complete copy: more output */
	line(a[2], 512, "m1", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:02Z", 100, 20, false,
	     "s");
	line(a[3], 512, "m1", "r9", "claude-sonnet-4-6", "2026-11-21T10:00:03Z", 100, 50, true,
	     "s"); /* a sidechain replay under another requestId */
	line(a[4], 512, "m2", NULL, "claude-sonnet-4-6", "2026-11-22T10:00:00Z", 10, 1, false, "s");
	line(a[5], 512, "m2", NULL, "claude-sonnet-4-6", "2026-11-22T10:00:00Z", 10, 1, false, "s");
	r = run(ET_BY_DAY, NULL, v, 6);
	tap_ok(r.totals.messages == 2 && r.totals.input == 110 && r.totals.output == 51,
	       "one response per message.id + requestId, the most complete line kept (%llu %llu)",
	       (unsigned long long)r.totals.messages, (unsigned long long)r.totals.output);
	tap_ok(r.duplicates == 3 && r.sidechain_replays == 1,
	       "duplicates (%zu) and the sidechain replay (%zu) are counted", r.duplicates,
	       r.sidechain_replays);
	tap_ok(r.nrows == 2 && !strcmp(r.rows[0].key, "2026-11-21") &&
		       !strcmp(r.rows[1].key, "2026-11-22"),
	       "rows by UTC day, in order");
	tap_ok(fabs(r.totals.cost - (110 * 3e-6 + 51 * 15e-6)) < 1e-12, "the cost");
	et_usage_result_finish(&r);
}

static void test_keys_and_filters(void)
{
	char a[4][512];
	const char *v[4] = {a[0], a[1], a[2], a[3]};
	struct et_usage_result r;
	struct et_usage_filter f;

	line(a[0], 512, "m1", "r1", "claude-opus-4-6", "2026-11-16T00:00:00Z", 1000, 0, false,
	     "s1");
	line(a[1], 512, "m2", "r2", "claude-opus-4-6", "2026-11-22T23:59:59Z", 1000, 0, false,
	     "s2");
	line(a[2], 512, "m3", "r3", "mystery-model", "2026-11-23T00:00:00Z", 7, 3, false, "s2");
	line(a[3], 512, "m4", "r4", "<synthetic>", "2026-11-23T00:00:00Z", 0, 0, false, "s2");
	r = run(ET_BY_WEEK, NULL, v, 4);
	tap_ok(r.nrows == 2 && !strcmp(r.rows[0].key, "2026-11-16") && r.rows[0].t.messages == 2 &&
		       !strcmp(r.rows[1].key, "2026-11-23"),
	       "weeks start on Monday");
	tap_ok(r.nunpriced == 1 && !strcmp(r.unpriced[0].model, "mystery-model") &&
		       r.unpriced[0].t.input == 7 && r.unpriced[0].t.output == 3 &&
		       r.synthetic == 1,
	       "an unknown model is listed with its tokens; <synthetic> is left out");
	tap_ok(r.rows[1].nmodels == 1 && !r.rows[1].models[0].priced && r.rows[1].t.cost == 0 &&
		       r.rows[1].t.input == 7,
	       "its tokens count, its cost is 0");
	et_usage_result_finish(&r);
	r = run(ET_BY_MONTH, NULL, v, 4);
	tap_ok(r.nrows == 1 && !strcmp(r.rows[0].key, "2026-11"), "months");
	et_usage_result_finish(&r);
	r = run(ET_BY_SESSION, NULL, v, 4);
	tap_ok(r.nrows == 2 && !strcmp(r.rows[0].key, "s1") && !strcmp(r.rows[1].key, "s2"),
	       "sessions, most expensive first (equal cost: by key)");
	et_usage_result_finish(&r);
	memset(&f, 0, sizeof(f));
	f.session = "s2";
	f.has_since = true;
	f.since_ms = 1795392000000LL; /* 2026-11-23T00:00:00Z */
	r = run(ET_BY_MODEL, &f, v, 4);
	tap_ok(r.nrows == 1 && !strcmp(r.rows[0].key, "mystery-model"),
	       "--session and --since filter responses");
	et_usage_result_finish(&r);
	memset(&f, 0, sizeof(f));
	f.project = "/repo";
	r = run(ET_BY_PROJECT, &f, v, 4);
	tap_ok(r.nrows == 1 && !strcmp(r.rows[0].key, "/repo/a") && r.totals.messages == 3,
	       "--project keeps cwd at or below it; the project key is the cwd");
	et_usage_result_finish(&r);
	f.project = "/rep";
	r = run(ET_BY_PROJECT, &f, v, 4);
	tap_ok(r.nrows == 0, "--project is a path prefix, not a string prefix");
	et_usage_result_finish(&r);
}

/*
 * Counts over 32 bits (and web requests over 16) do not fit an entry: they are kept aside,
 * exactly, also when a more complete duplicate replaces them and when one replaces a small one.
 */
static void test_large_counts(void)
{
	const char *v[4] = {
		"{\"sessionId\":\"s\",\"message\":{\"id\":\"m1\",\"model\":\"claude-sonnet-4-6\","
		"\"usage\":{\"input_tokens\":5000000000,\"output_tokens\":1,\"server_tool_use\":{"
		"\"web_search_requests\":70000}}},\"requestId\":\"r1\",\"type\":\"assistant\","
		"\"timestamp\":\"2026-11-21T10:00:00Z\"}",
		"{\"sessionId\":\"s\",\"message\":{\"id\":\"m1\",\"model\":\"claude-sonnet-4-6\","
		"\"usage\":{\"input_tokens\":5000000000,\"output_tokens\":7,\"server_tool_use\":{"
		"\"web_search_requests\":70000}}},\"requestId\":\"r1\",\"type\":\"assistant\","
		"\"timestamp\":\"2026-11-21T10:00:00Z\"}",
		"{\"sessionId\":\"s\",\"message\":{\"id\":\"m2\",\"model\":\"claude-sonnet-4-6\","
		"\"usage\":{\"input_tokens\":3,\"output_tokens\":1}},\"requestId\":\"r2\","
		"\"type\":\"assistant\",\"timestamp\":\"2026-11-21T10:00:01Z\"}",
		"{\"sessionId\":\"s\",\"message\":{\"id\":\"m2\",\"model\":\"claude-sonnet-4-6\","
		"\"usage\":{\"input_tokens\":3,\"output_tokens\":1,\"cache_read_input_tokens\":"
		"1000000000000000}},\"requestId\":\"r2\",\"type\":\"assistant\","
		"\"timestamp\":\"2026-11-21T10:00:01Z\"}",
	};
	struct et_usage_result r = run(ET_BY_DAY, NULL, v, 4);

	tap_ok(r.totals.messages == 2 && r.duplicates == 2 && r.totals.input == 5000000003ULL &&
		       r.totals.output == 8 && r.totals.cache_read == 1000000000000000ULL &&
		       r.totals.web_search == 70000,
	       "counts over 32 bits are exact, and the most complete line is kept (%llu %llu %llu)",
	       (unsigned long long)r.totals.input, (unsigned long long)r.totals.output,
	       (unsigned long long)r.totals.web_search);
	et_usage_result_finish(&r);
}

struct seen {
	size_t n;
	struct et_usage_response r[4];
};

static int collect(void *ctx, const struct et_usage_response *r)
{
	struct seen *s = ctx;

	if (s->n < 4) {
		s->r[s->n] = *r;
	}
	s->n++;
	return 0;
}

static int stop(void *ctx, const struct et_usage_response *r)
{
	(void)ctx;
	(void)r;
	return -EIO;
}

/* The traces mode keeps each response's session, agentId, time and 64-bit requestId hash. */
static void test_each(void)
{
	char a[5][512];
	struct et_usage *u = et_usage_create_each(NULL),
			*c = et_usage_create(&pricing, NULL, ET_BY_DAY, false);
	struct seen s = {0};
	struct et_tx_line l;
	size_t i;

	line(a[0], 512, "m1", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:00Z", 100, 5, false,
	     "s1");
	line(a[1], 512, "m1", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:01Z", 100, 50, false,
	     "s1"); /* the complete copy */
	line(a[2], 512, "m1", "r9", "claude-sonnet-4-6", "2026-11-21T10:00:03Z", 100, 50, true,
	     "s1"); /* a sidechain replay */
	line(a[3], 512, "m2", NULL, "claude-opus-4-5", "2026-11-22T10:00:00Z", 10, 1, false, "s2");
	snprintf(a[4], 512,
		 "{\"sessionId\":\"s2\",\"agentId\":\"ag7\",\"message\":{\"id\":\"m3\","
		 "\"model\":\"claude-sonnet-4-6\",\"usage\":{\"input_tokens\":3,"
		 "\"output_tokens\":4}},\"requestId\":\"r3\",\"type\":\"assistant\"}");
	for (i = 0; i < 5; i++) {
		if (et_transcript_parse_line(a[i], strlen(a[i]), 0, &l) == ET_TX_USAGE) {
			tap_ok(et_usage_add(u, &l, NULL) == 0 && et_usage_add(c, &l, NULL) == 0,
			       "line %zu added", i);
		}
	}
	tap_ok(et_usage_each(u, collect, &s) == 0 && s.n == 3, "each: 3 responses");
	tap_ok(s.n == 3 && s.r[0].session_len == 2 && !memcmp(s.r[0].session, "s1", 2) &&
		       s.r[0].u.output == 50 && s.r[0].has_ts && s.r[0].ts_ms == 1795255201000LL &&
		       s.r[0].agent_id_len == 0 &&
		       s.r[0].request_hash == (et_hmap_hash("r1", 2) | 1) && s.r[0].msg_id_len == 2,
	       "each: the complete copy, its session, time and 64-bit requestId hash");
	tap_ok(s.n == 3 && s.r[1].model_len == 15 && !memcmp(s.r[1].model, "claude-opus-4-5", 15) &&
		       s.r[1].request_hash == 0 && !memcmp(s.r[1].session, "s2", 2),
	       "each: a response without requestId, its model");
	tap_ok(s.n == 3 && s.r[2].agent_id_len == 3 && !memcmp(s.r[2].agent_id, "ag7", 3) &&
		       !s.r[2].has_ts && s.r[2].u.input == 3,
	       "each: a subagent's agentId, no time");
	tap_ok(et_usage_each(u, stop, NULL) == -EIO, "each: the callback's error stops it");
	tap_ok(et_usage_each(c, collect, &s) == -EINVAL, "each: refused by a cost aggregator");
	et_usage_destroy(u);
	et_usage_destroy(c);
}

/* Check message ids of many messages: the last response seen is found again after growths. */
static int check_ids(void *ctx, const struct et_usage_response *r)
{
	size_t *bad = ctx;
	char want[32];

	snprintf(want, sizeof(want), "msg_%05zu", r->index);
	if (!r->msg_id || r->msg_id_len != strlen(want) || memcmp(r->msg_id, want, r->msg_id_len)) {
		(*bad)++;
	}
	return 0;
}

/* For the traces mode of test_expect: ids msg_%07zu, in order. */
static int check_many(void *ctx, const struct et_usage_response *r)
{
	size_t *bad = ctx;
	char want[32];

	snprintf(want, sizeof(want), "msg_%07zu", r->index);
	if (!r->msg_id || r->msg_id_len != strlen(want) || memcmp(r->msg_id, want, r->msg_id_len)) {
		(*bad)++;
	}
	return 0;
}

/*
 * Many messages, each on two lines far apart (not adjacent, so the message.id table is searched,
 * across the growths of the table), plus ids that share a prefix and differ in length.
 */
static void test_many_messages(void)
{
	enum {
		N = 5000
	};
	struct et_usage *u = et_usage_create(&pricing, NULL, ET_BY_DAY, false),
			*e = et_usage_create_each(NULL);
	struct et_usage_result res;
	struct et_tx_line l;
	char a[512], id[32];
	size_t i, bad = 0, failed = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < N; i++) {
			snprintf(id, sizeof(id), "msg_%05zu", i);
			line(a, sizeof(a), id, "r1", "claude-sonnet-4-6", "2026-11-21T10:00:00Z",
			     (int)i, pass ? 2 : 1, false, "s");
			if (et_transcript_parse_line(a, strlen(a), 0, &l) != ET_TX_USAGE ||
			    et_usage_add(u, &l, NULL) < 0 || et_usage_add(e, &l, NULL) < 0) {
				failed++;
			}
		}
	}
	/* "msg_0000" is a prefix of every id above, and a message of its own. */
	line(a, sizeof(a), "msg_0000", "r1", "claude-sonnet-4-6", "2026-11-21T10:00:00Z", 7, 1,
	     false, "s");
	if (et_transcript_parse_line(a, strlen(a), 0, &l) != ET_TX_USAGE ||
	    et_usage_add(u, &l, NULL) < 0) {
		failed++;
	}
	tap_ok(failed == 0, "%d lines of %d messages added", 2 * N + 1, N + 1);
	pass = et_usage_end(u, &res);
	tap_ok(pass == 0 && res.totals.messages == N + 1 && res.duplicates == N &&
		       res.totals.output == 2 * N + 1 &&
		       res.totals.input == (uint64_t)N * (N - 1) / 2 + 7,
	       "each message counted once, its more complete line kept (%llu messages, %zu "
	       "duplicates)",
	       (unsigned long long)res.totals.messages, res.duplicates);
	tap_ok(et_usage_each(e, check_ids, &bad) == 0 && bad == 0,
	       "each: every response's message.id (%zu wrong)", bad);
	et_usage_result_finish(&res);
	et_usage_destroy(u);
	et_usage_destroy(e);
}

/*
 * Adds @n messages of two lines each, far apart, to an aggregator told to expect @bytes (0: not
 * told), and returns what it made of them; *@failed counts lines that could not be added.
 */
static struct et_usage_result many(size_t n, uint64_t bytes, bool each, size_t *failed, size_t *bad)
{
	struct et_usage *u = each ? et_usage_create_each(NULL)
				  : et_usage_create(&pricing, NULL, ET_BY_DAY, false);
	struct et_usage_result res;
	struct et_tx_line l;
	char a[512], id[32];
	size_t i;
	int pass;

	memset(&res, 0, sizeof(res));
	if (bytes) {
		et_usage_expect(u, bytes);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "msg_%07zu", i);
			line(a, sizeof(a), id, "r1", "claude-sonnet-4-6", "2026-11-21T10:00:00Z",
			     (int)(i % 1000), pass ? 2 : 1, false, "s");
			if (et_transcript_parse_line(a, strlen(a), 0, &l) != ET_TX_USAGE ||
			    et_usage_add(u, &l, NULL) < 0) {
				(*failed)++;
			}
		}
	}
	if (each) {
		if (et_usage_each(u, check_many, bad) < 0) {
			(*bad)++;
		}
	} else if (et_usage_end(u, &res) < 0) {
		(*failed)++;
	}
	et_usage_destroy(u);
	return res;
}

/*
 * et_usage_expect sizes the arrays up front; past 2 MiB they are mappings. The counts must not
 * depend on it: reservations smaller and larger than what the run needs, arrays that grow from
 * the heap into mappings and from mappings into larger ones, and the traces mode.
 */
static void test_expect(void)
{
	enum {
		N = 120000 /* 120,000 entries of 48 bytes: more than 2 MiB */
	};
	static const uint64_t sizes[] = {0, 1, (uint64_t)20000 << 10, (uint64_t)64 << 20,
					 (uint64_t)1 << 30};
	struct et_usage_result res;
	size_t i, failed = 0, bad = 0;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		res = many(N, sizes[i], false, &failed, &bad);
		tap_ok(failed == 0 && res.totals.messages == N && res.duplicates == N &&
			       res.totals.output == 2 * N &&
			       res.totals.input == (uint64_t)(N / 1000) * 999 * 1000 / 2,
		       "expecting %llu bytes: %d messages, each once (%llu messages, %zu "
		       "duplicates, %zu failed)",
		       (unsigned long long)sizes[i], N, (unsigned long long)res.totals.messages,
		       res.duplicates, failed);
		et_usage_result_finish(&res);
	}
	many(N, (uint64_t)64 << 20, true, &failed, &bad);
	tap_ok(failed == 0 && bad == 0, "expecting, the traces mode: every message.id (%zu wrong)",
	       bad);
}

int main(void)
{
	et_pricing_init(&pricing);
	tap_ok(et_usage_by_parse("week") == ET_BY_WEEK && et_usage_by_parse("tool") == -1,
	       "key names");
	test_dedup();
	test_keys_and_filters();
	test_large_counts();
	test_each();
	test_many_messages();
	test_expect();
	et_pricing_finish(&pricing);
	return tap_done();
}
