/* Unit tests for et_logrec: times, lines, reading files into records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_logrec.h"
#include "et_time.h"
#include "tap.h"

static int count_cb(void *ctx, const struct et_record_in *rec)
{
	(void)rec;
	(*(int *)ctx)++;
	return 0;
}

static void test_time(void)
{
	int64_t ms = 0;

	tap_ok(et_time_parse("1970-01-01T00:00:00Z", 20, ET_TIME_STAMP_FORMS, &ms) == 0 && ms == 0,
	       "the epoch");
	tap_ok(et_time_parse("2026-11-21T14:11:16.123Z", 24, ET_TIME_STAMP_FORMS, &ms) == 0 &&
		       ms == 1795270276123LL,
	       "ISO with ms and Z");
	tap_ok(et_time_parse("2026-11-21T15:11:16.123+01:00", 29, ET_TIME_STAMP_FORMS, &ms) == 0 &&
		       ms == 1795270276123LL,
	       "an offset is applied");
	tap_ok(et_time_parse("2024-02-29T00:00:00Z", 20, ET_TIME_STAMP_FORMS, &ms) == 0 &&
		       ms == 1709164800000LL,
	       "a leap day");
	setenv("TZ", "UTC", 1);
	tap_ok(et_time_parse("2025-06-01T10:00:00.123456", 26, ET_TIME_STAMP_FORMS, &ms) == 0 &&
		       ms == 1748772000123LL,
	       "a naive time is local (TZ=UTC here), microseconds cut to ms");
	tap_ok(et_time_parse("2026-13-01T00:00:00Z", 20, ET_TIME_STAMP_FORMS, &ms) < 0,
	       "month 13 is refused");
	tap_ok(et_time_parse("yesterday", 9, ET_TIME_STAMP_FORMS, &ms) < 0, "text is refused");
	tap_ok(et_time_parse("2026-11-21T14:11:16Q", 20, ET_TIME_STAMP_FORMS, &ms) < 0,
	       "a bad zone is refused");
}

static void test_lines(void)
{
	struct et_record_in r;
	const char *l1 =
		"{\"v\":1,\"timestamp\":\"2026-11-21T14:00:00.000Z\",\"event\":\"PostToolUse\","
		"\"session_id\":\"s\\u0031\",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
		"\"error\":\"Exit code 1\",\"latency_ms\":12.5,\"params\":{\"command\":\"ls\"},"
		"\"params_fp\":\"ab\",\"cwd\":\"/p\"}";
	const char *batch =
		"{\"v\":1,\"timestamp\":\"2026-11-21T14:00:00.000Z\",\"event\":"
		"\"PostToolBatch\",\"tool_name\":null,\"outcome\":null,\"tool_use_ids\":"
		"[\"a\",\"b\"],\"tool_names\":[\"Read\",\"Read\"]}";
	const char *old =
		"{\"timestamp\": \"2025-06-01T10:00:00\", \"tool_name\": \"Read\", "
		"\"outcome\": \"success\", \"latency_ms\": 0, \"session_id\": \"unknown\"}";

	tap_ok(et_logrec_parse_line(l1, strlen(l1), &r) == 0, "a record parses");
	tap_ok(r.version == 1 && r.outcome == ET_OUT_FAILURE && r.has_latency &&
		       r.latency_ms == 12.5 && r.has_ts,
	       "version, outcome, latency, time");
	tap_ok(et_span_eq(r.tool, "Bash") && et_span_eq(r.session, "s1") && r.session.escaped,
	       "spans compare decoded (s\\u0031 is s1)");
	tap_ok(r.params && r.params_len == 16 && !r.is_batch, "params kept as raw JSON");
	tap_ok(et_logrec_parse_line(batch, strlen(batch), &r) == 0 && r.is_batch &&
		       r.outcome == ET_OUT_NONE,
	       "a batch record is a batch, not a call");
	tap_ok(et_logrec_parse_line(old, strlen(old), &r) == 0 && r.version == 0 &&
		       !r.has_latency && r.outcome == ET_OUT_SUCCESS,
	       "an old record: version 0, its latency 0 taken as unknown");
	{
		const char *rb = "{\"tool_name\":\"Read\",\"response_bytes\":123456}";
		const char *neg = "{\"tool_name\":\"Read\",\"response_bytes\":-1}";
		const char *frac = "{\"tool_name\":\"Read\",\"response_bytes\":1.5}";

		tap_ok(et_logrec_parse_line(rb, strlen(rb), &r) == 0 && r.has_response_bytes &&
			       r.response_bytes == 123456,
		       "response_bytes is read");
		tap_ok(et_logrec_parse_line(neg, strlen(neg), &r) == 0 && !r.has_response_bytes,
		       "a negative response_bytes is unknown");
		tap_ok(et_logrec_parse_line(frac, strlen(frac), &r) == 0 && !r.has_response_bytes,
		       "a fractional response_bytes is unknown");
		tap_ok(et_logrec_parse_line(l1, strlen(l1), &r) == 0 && !r.has_response_bytes &&
			       !r.feedback.p,
		       "no response_bytes: unknown; no feedback");
		{
			const char *fb = "{\"tool_name\":\"Bash\",\"feedback\":\"a note\"}";

			tap_ok(et_logrec_parse_line(fb, strlen(fb), &r) == 0 &&
				       et_span_eq(r.feedback, "a note"),
			       "the hook's feedback note is read");
		}
	}
	tap_ok(et_logrec_parse_line("{\"a\":1}", 7, &r) == -EINVAL, "JSON that is no record");
	tap_ok(et_logrec_parse_line("{\"v\":1,\"tool_name\":", 19, &r) == -EINVAL, "a torn line");
	tap_ok(et_logrec_parse_line("[1]", 3, &r) == -EINVAL, "not an object");
}

static void test_files(void)
{
	char dir[64] = "/tmp/et-test-logrec-XXXXXX", path[160], **files = NULL;
	struct et_logrec_stats st;
	struct et_logrec_filter f;
	FILE *fp;
	size_t n = 0;
	int count = 0, i;

	if (!mkdtemp(dir)) {
		exit(99);
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), i ? "%s/log.jsonl.%d" : "%s/log.jsonl", dir, i);
		fp = fopen(path, "w");
		fprintf(fp,
			"{\"v\":%d,\"timestamp\":\"2026-11-2%dT00:00:00.000Z\",\"tool_name\":\"T%d\","
			"\"outcome\":\"success\",\"session_id\":\"s\"}\nnot json\n",
			i == 2 ? 2 : 1, i, i);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/log.jsonl", dir);
	if (et_lines_expand(path, true, &files, &n) != 0 || n != 3) {
		exit(99);
	}
	memset(&st, 0, sizeof(st));
	tap_ok(et_logrec_run(files, n, NULL, count_cb, &count, &st, NULL) == 0 && count == 3 &&
		       st.lines == 6 && st.skipped == 3,
	       "3 records, 3 bad lines skipped (%d, %zu, %zu)", count, st.lines, st.skipped);
	tap_ok(st.records == 3 && st.old_format == 0, "3 records counted, none old");
	memset(&f, 0, sizeof(f));
	f.has_since = true;
	et_time_parse("2026-11-21T00:00:00Z", 20, ET_TIME_STAMP_FORMS, &f.since_ms);
	count = 0;
	memset(&st, 0, sizeof(st));
	et_logrec_run(files, n, &f, count_cb, &count, &st, NULL);
	tap_ok(count == 2, "--since drops the older record (%d)", count);
	tap_ok(st.records == 2 && st.lines == 6 && st.skipped == 3,
	       "a record out of the window is neither a record nor skipped");
	et_lines_files_free(files, n);
	files = NULL;
	n = 0;

	/* An old record, counted as such; the counts add up over runs. */
	snprintf(path, sizeof(path), "%s/old.jsonl", dir);
	fp = fopen(path, "w");
	fprintf(fp, "{\"timestamp\": \"2025-06-01T10:00:00\", \"tool_name\": \"Read\", "
		    "\"outcome\": \"success\", \"latency_ms\": 0, \"session_id\": \"unknown\"}\n");
	fclose(fp);
	if (et_lines_expand(path, false, &files, &n) != 0 || n != 1) {
		exit(99);
	}
	count = 0;
	tap_ok(et_logrec_run(files, n, NULL, count_cb, &count, &st, NULL) == 0 && count == 1 &&
		       st.records == 3 && st.old_format == 1 && st.lines == 7,
	       "an old record counts as old_format (%zu)", st.old_format);
	et_lines_files_free(files, n);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0) {
		exit(99);
	}
}

/*
 * Numbers from logs written elsewhere: "v" and latency_ms out of any sane range are read safely
 * (no cast of an infinity: UBSan watches this under scripts/test), a wrong latency is unknown and
 * flagged, and a version-0 record's latency counts unless it is 0.
 */
struct num_case {
	const char *v, *lat; /* the members' text; NULL leaves the member out */
	int parses;	     /* 0 or -EINVAL */
	int version;
	bool has_latency, bad_latency;
	double latency;
	const char *what;
};

static const struct num_case num_cases[] = {
	{"1", "12.5", 0, 1, true, false, 12.5, "a usual record"},
	{"1", "0", 0, 1, true, false, 0, "version 1: 0 ms is a latency"},
	{"1", "null", 0, 1, false, false, 0, "version 1: null is unknown"},
	{"1", "2592000000", 0, 1, true, false, 2592000000.0, "30 days: the longest latency"},
	{"1", "2592000000.5", 0, 1, false, true, 0, "just over 30 days: out of range"},
	{"1", "1e308", 0, 1, false, true, 0, "1e308: out of range"},
	{"1", "1e999999", 0, 1, false, true, 0, "1e999999 (infinity for strtod): out of range"},
	{"1", "-1e999999", 0, 1, false, true, 0, "-1e999999: out of range"},
	{"1", "-5", 0, 1, false, true, 0, "a negative latency: out of range"},
	{"1", "1.000000000000000000000000000000000000000000000000000000000000000001", 0, 1, true,
	 false, 1.0, "a number of 70 characters is read (1 ms)"},
	{"1", "\"12\"", 0, 1, false, false, 0, "a string is no latency (and no number)"},
	{NULL, "0", 0, 0, false, false, 0, "version 0: 0 is unknown"},
	{NULL, "89", 0, 0, true, false, 89, "version 0: 89 is a latency"},
	{NULL, "1e308", 0, 0, false, true, 0, "version 0: 1e308 is out of range"},
	{"0", "89", 0, 0, true, false, 89, "an explicit \"v\":0 is version 0"},
	{"2", "7", 0, 2, true, false, 7, "a later version is read"},
	{"1e999999", "1", -EINVAL, 0, false, false, 0, "\"v\":1e999999 is no record"},
	{"-1", "1", -EINVAL, 0, false, false, 0, "\"v\":-1 is no record"},
	{"1.5", "1", -EINVAL, 0, false, false, 0, "\"v\":1.5 is no record"},
	{"4294967297", "1", -EINVAL, 0, false, false, 0, "\"v\":2^32+1 is no record"},
};

static void test_numbers(void)
{
	struct et_record_in r;
	char line[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *c = &num_cases[i];
		int n = 0;

		n += snprintf(line + n, sizeof(line) - (size_t)n, "{");
		if (c->v) {
			n += snprintf(line + n, sizeof(line) - (size_t)n, "\"v\":%s,", c->v);
		}
		snprintf(line + n, sizeof(line) - (size_t)n,
			 "\"tool_name\":\"Bash\",\"outcome\":\"success\",\"latency_ms\":%s}",
			 c->lat);
		rc = et_logrec_parse_line(line, strlen(line), &r);
		if (c->parses) {
			tap_ok(rc == c->parses, "numbers: %s (%d)", c->what, rc);
			continue;
		}
		tap_ok(rc == 0 && r.version == c->version && r.has_latency == c->has_latency &&
			       r.bad_latency == c->bad_latency &&
			       (!c->has_latency || r.latency_ms == c->latency),
		       "numbers: %s (v %d, latency %d %g, bad %d)", c->what, r.version,
		       r.has_latency, r.latency_ms, r.bad_latency);
	}
}

/* Version 2: the boundary events and their fields, and the fields a call adds for sessions. */
static void test_boundaries(void)
{
	struct et_record_in r;
	const char *start =
		"{\"v\":2,\"timestamp\":\"2026-12-01T10:00:00.000Z\",\"event\":"
		"\"SessionStart\",\"session_id\":\"s\",\"tool_name\":null,\"outcome\":null,"
		"\"transcript_path\":\"/t/s.jsonl\",\"source\":\"clear\",\"model\":\"m1\"}";
	const char *prompt =
		"{\"v\":2,\"timestamp\":\"2026-12-01T10:00:01.000Z\",\"event\":"
		"\"UserPromptSubmit\",\"session_id\":\"s\",\"prompt_id\":\"p1\","
		"\"outcome\":null,\"prompt\":\"go\",\"prompt_bytes\":2,\"prompt_fp\":null}";
	const char *stop = "{\"v\":2,\"event\":\"SubagentStop\",\"outcome\":null,\"agent_id\":"
			   "\"a1\",\"agent_type\":\"Explore\",\"message_bytes\":1.5,"
			   "\"agent_transcript_path\":\"/t/a.jsonl\"}";
	const char *call = "{\"v\":2,\"event\":\"PostToolUseFailure\",\"tool_name\":\"Bash\","
			   "\"outcome\":\"failure\",\"exit_code\":2,\"reason\":\"x\"}";
	const char *v1 = "{\"v\":1,\"event\":\"Stop\",\"outcome\":null,\"exit_code\":1e300}";

	tap_ok(et_logrec_parse_line(start, strlen(start), &r) == 0 && r.version == 2 &&
		       r.boundary == ET_BND_SESSION_START && et_span_eq(r.source, "clear") &&
		       et_span_eq(r.model, "m1") && et_span_eq(r.transcript_path, "/t/s.jsonl"),
	       "v2 SessionStart: source, model, transcript path");
	tap_ok(et_logrec_parse_line(prompt, strlen(prompt), &r) == 0 &&
		       r.boundary == ET_BND_PROMPT && r.prompt_bytes == 2 &&
		       et_span_eq(r.prompt_id, "p1") && r.message_bytes == -1,
	       "v2 UserPromptSubmit: its length and prompt id");
	tap_ok(et_logrec_parse_line(stop, strlen(stop), &r) == 0 &&
		       r.boundary == ET_BND_SUBAGENT_STOP && r.message_bytes == -1 &&
		       et_span_eq(r.agent_id, "a1") && et_span_eq(r.agent_type, "Explore") &&
		       et_span_eq(r.agent_transcript_path, "/t/a.jsonl"),
	       "v2 SubagentStop: agent id and type; a fractional length is absent");
	tap_ok(et_logrec_parse_line(call, strlen(call), &r) == 0 && r.boundary == ET_BND_NONE &&
		       r.has_exit_code && r.exit_code == 2 && r.outcome == ET_OUT_FAILURE,
	       "a call is no boundary, whatever fields it holds; its exit code is read");
	tap_ok(et_logrec_parse_line(v1, strlen(v1), &r) == 0 && r.version == 1 &&
		       r.boundary == ET_BND_STOP && !r.has_exit_code,
	       "a v1 record of a boundary event is one too; an absurd exit code is none");
}

/*
 * The reader's fast path for the hook's timestamps (the hour kept from the line before) gives
 * what et_time_parse gives, for each stamp of a sequence that moves between hours, holds bad
 * fields and other forms.
 */
static void test_stamps(void)
{
	static const char *const stamps[] = {
		"2026-11-21T14:11:16.123Z",	 "2026-11-21T14:59:60.999Z",
		"2026-11-21T15:00:00.000Z",	 "2026-11-21T15:60:00.000Z",
		"2026-11-21T15:00:61.000Z",	 "2026-11-21T24:00:00.000Z",
		"2026-11-21T15:01:02.003Z",	 "2026-02-30T10:00:00.000Z",
		"2026-11-21 15:01:02.003Z",	 "2026-11-21T15:01:02.0Z",
		"2026-11-21T15:01:02.003+01:00", "2026-11-21T15:01:02.0a3Z",
		"2026-11-21T15:01:02.003z",	 "2026-11-21T15:0x:02.003Z",
		"2026-1x-21T15:01:02.003Z",	 "1969-12-31T23:59:59.999Z",
		"2026-11-21T15:01:02.003Z",
	};
	struct et_record_in r;
	char line[256];
	size_t i, bad = 0, good = 0;
	int64_t want;
	bool ok;

	for (i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		snprintf(line, sizeof(line),
			 "{\"v\":3,\"timestamp\":\"%s\",\"event\":\"PostToolUse\","
			 "\"tool_name\":\"Bash\",\"outcome\":\"success\"}",
			 stamps[i]);
		ok = et_time_parse(stamps[i], strlen(stamps[i]), ET_TIME_STAMP_FORMS, &want) == 0;
		if (et_logrec_parse_line(line, strlen(line), &r) != 0 || r.has_ts != ok ||
		    (ok && r.ts_ms != want)) {
			tap_diag("stamp %s: has_ts %d ts_ms %lld, et_time_parse %d %lld", stamps[i],
				 r.has_ts, (long long)r.ts_ms, ok, (long long)want);
			bad++;
		}
		good += ok;
	}
	tap_ok(bad == 0 && good == 10,
	       "each stamp reads as et_time_parse reads it (%zu of them good)", good);
}

int main(void)
{
	test_boundaries();
	test_time();
	test_stamps();
	test_lines();
	test_numbers();
	test_files();
	return tap_done();
}
