/*
 * Unit tests for et_render: number formatting, the small helpers the renderers share, then the
 * stats and patterns reports of a small aggregate made by hand, in text (whole output compared),
 * Markdown and JSON (parsed back), the empty and filtered cases, the section switches, and the
 * notes on skipped lines.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "et_buf.h"
#include "et_errclass.h"
#include "et_otlp.h"
#include "et_render.h"
#include "fixture.h"
#include "tap.h"

struct ms_case {
	double v;
	const char *want;
};

static const struct ms_case ms_cases[] = {
	{0, "0"},	{12, "12"},	  {12.34, "12.3"},  {12.36, "12.4"},
	{0.05, "0.1"},	{99.5, "99.5"},	  {100, "100"},	    {100.4, "100"},
	{150.6, "151"}, {2500.4, "2500"}, {1e6, "1000000"},
};

struct pct_case {
	double num, den;
	const char *want;
};

static const struct pct_case pct_cases[] = {
	{1, 3, "33.3%"}, {2, 3, "66.7%"}, {0, 5, "0.0%"},     {5, 5, "100.0%"},
	{0, 0, "-"},	 {1, -1, "-"},	  {0.75, 1, "75.0%"}, {1, 8, "12.5%"},
};

/* ---- the hand-made aggregate: 3 calls in 1 session, Bash 20 and 90 ms (one failed), Read 10 */

static struct et_stats_error bash_errors[] = {
	{"Exit code N", ET_ERRCLASS_EXIT_CODE, 1, "Exit code 2"},
};
static struct et_stats_tool tools[] = {
	{"Bash", 2, 1, 1, 0, {2, 55, 20, 90, 90, 90}, bash_errors, 1},
	{"Read", 1, 1, 0, 0, {1, 10, 10, 10, 10, 10}, NULL, 0},
};
static struct et_stats_class classes[] = {{ET_ERRCLASS_EXIT_CODE, 1}};
static struct et_stats_slow slow[] = {
	{"Bash", "Bash[sleep 5]", 90, 1763733600123LL, "s1"},
};

static struct et_stats_result stats(void)
{
	return fixture_stats(FIXTURE_ROWS(tools), FIXTURE_ROWS(classes), FIXTURE_ROWS(slow),
			     (struct et_lat_summary){3, 40, 20, 90, 90, 90});
}

static char *chain_tools[] = {"Read", "Edit"};
static struct et_chain chains[] = {{chain_tools, 2, 3, 2, 2, 50}};
static struct et_par_group par_groups[] = {{"Grep,Read", 1, 80}};
static struct et_retry retries[] = {{"Bash", 1, 3, 1, 0, 0}};
static char *recovery_steps[] = {"Edit FAIL", "Read", "Edit OK"};
static struct et_recovery recoveries[] = {{recovery_steps, 3, 1}};
static struct et_bottleneck bottlenecks[] = {
	{"Bash", 900, 0.75, 300, 3, "Run long commands in the background."},
};

static struct et_patterns_result patterns(void)
{
	struct et_patterns_result r = {.min_count = 2,
				       FIXTURE_TABLE(chains),
				       .par_from_batches = true,
				       .par_opportunities = 1,
				       .par_calls = 3,
				       .par_saved_ms = 80,
				       FIXTURE_TABLE(par_groups),
				       FIXTURE_TABLE(retries),
				       FIXTURE_TABLE(recoveries),
				       .cascades = 1,
				       .cascade_longest = 3,
				       .cascade_calls = 3,
				       FIXTURE_TABLE(bottlenecks)};

	return r;
}

static char *files[] = {"/tmp/log.jsonl"};
static struct et_logrec_stats in_stats = {12, 10, 0, 0, 0};

static struct et_report_meta meta(enum et_format fmt)
{
	struct et_report_meta m = {FIXTURE_TABLE(files), .in = &in_stats, .fmt = fmt, .top = 5};

	return m;
}

/* The report up to the hint of the exit_code class, then the rest. */
static const char want_stats_text[] =
	"3 calls in 1 session: 66.7% succeeded, 1 failed, 0 interrupted; latency avg 40 ms, "
	"p50 20, p95 90, p99 90, max 90.\n"
	"\nPer tool\n"
	"tool  calls  fail  intr  success  avg ms  p50  p95  p99  max\n"
	"----  -----  ----  ----  -------  ------  ---  ---  ---  ---\n"
	"Bash      2     1     0    50.0%      55   20   90   90   90\n"
	"Read      1     0     0   100.0%      10   10   10   10   10\n"
	"\nTop failures\n"
	"tool  count  class      error\n"
	"----  -----  ---------  -----------\n"
	"Bash      1  exit_code  Exit code N\n"
	"\nWhat to do about them\n"
	"- exit_code (1): ";
static const char want_stats_text2[] = "\n"
				       "\nSlowest calls\n"
				       "ms  call           when (UTC)\n"
				       "--  -------------  -------------------\n"
				       "90  Bash[sleep 5]  2025-11-21 14:00:00\n";

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_numbers(void)
{
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(ms_cases) / sizeof(ms_cases[0]); i++) {
		tap_is_str(et_render_ms(ms_cases[i].v, buf, sizeof(buf)), ms_cases[i].want,
			   "et_render_ms");
	}
	for (i = 0; i < sizeof(pct_cases) / sizeof(pct_cases[0]); i++) {
		tap_is_str(et_render_pct(pct_cases[i].num, pct_cases[i].den, buf, sizeof(buf)),
			   pct_cases[i].want, "et_render_pct");
	}
	tap_is_str(et_render_time(1763733600123LL, 19, buf, sizeof(buf)), "2025-11-21 14:00:00",
		   "et_render_time: to the second");
	tap_is_str(et_render_time(1763733600123LL, 16, buf, sizeof(buf)), "2025-11-21 14:00",
		   "et_render_time: to the minute");
	tap_is_str(et_render_time(0, 10, buf, sizeof(buf)), "1970-01-01", "et_render_time: a date");
	tap_is_str(et_render_time(1763733600123LL, 99, buf, sizeof(buf)),
		   "2025-11-21 14:00:00.123Z", "et_render_time: a longer cut keeps it all");
	tap_is_str(et_render_time(1763733600123LL, 19, buf, 11), "2025-11-21",
		   "et_render_time: cut to the buffer");
}

static void test_outcome(void)
{
	tap_is_str(et_render_outcome(ET_OUT_SUCCESS, "none"), "success",
		   "et_render_outcome: success");
	tap_is_str(et_render_outcome(ET_OUT_FAILURE, NULL), "failure",
		   "et_render_outcome: failure");
	tap_is_str(et_render_outcome(ET_OUT_INTERRUPTED, "none"), "interrupted",
		   "et_render_outcome: interrupted");
	tap_is_str(et_render_outcome(ET_OUT_NONE, "none"), "none",
		   "et_render_outcome: no outcome, the caller's word");
	tap_ok(et_render_outcome(ET_OUT_NONE, NULL) == NULL,
	       "et_render_outcome: no outcome, NULL when the caller says so");
	tap_is_str(et_render_outcome((enum et_outcome)42, "?"), "?",
		   "et_render_outcome: an unknown value, the caller's word");
}

/* et_otlp_call_members: the scan every export starts a record with. */
static void test_call_members(void)
{
	struct et_scan_member mem[ET_OTLP_MAX_MEMBERS];
	struct et_record_in rec;
	struct et_buf line;
	size_t count = 0, i;
	int r;

	et_buf_init(&line, 1 << 16);
	et_buf_adds(&line, "{\"event\":\"PostToolUse\"");
	for (i = 0; i < ET_OTLP_MAX_MEMBERS + 6; i++) {
		et_buf_addf(&line, ",\"k%zu\":%zu", i, i);
	}
	et_buf_addch(&line, '}');
	memset(&rec, 0, sizeof(rec));
	rec.line = line.data;
	rec.line_len = line.len;
	rec.outcome = ET_OUT_SUCCESS;
	r = et_otlp_call_members(&rec, mem, &count);
	tap_ok(r == 1 && count == ET_OTLP_MAX_MEMBERS && mem[0].key_len == 5 &&
		       !memcmp(mem[0].key, "event", 5),
	       "et_otlp_call_members: a call's members, cut to ET_OTLP_MAX_MEMBERS (%zu)", count);
	rec.outcome = ET_OUT_NONE;
	tap_ok(et_otlp_call_members(&rec, mem, &count) == 0,
	       "et_otlp_call_members: not a call, nothing to export");
	rec.outcome = ET_OUT_FAILURE;
	rec.line = "{\"event\":";
	rec.line_len = strlen(rec.line);
	tap_ok(et_otlp_call_members(&rec, mem, &count) == -EINVAL,
	       "et_otlp_call_members: a line the scanner refuses, -EINVAL");
	et_buf_finish(&line);
}

static void test_filtered(void)
{
	struct et_report_meta m = meta(ET_FORMAT_TEXT);

	tap_ok(!et_render_filtered(&m), "et_render_filtered: no filter");
	m.until = "2025-11-21T00:00:00.000Z";
	tap_ok(et_render_filtered(&m), "et_render_filtered: --until");
	m.until = NULL;
	m.project = "/p";
	tap_ok(et_render_filtered(&m), "et_render_filtered: --project");
	m.project = NULL;
	m.top = 3;
	m.only_slow = true;
	tap_ok(!et_render_filtered(&m), "et_render_filtered: --top and --slow are not filters");
}

static void test_stats_text(void)
{
	struct et_stats_result r = stats();
	struct et_report_meta m = meta(ET_FORMAT_TEXT);
	struct et_buf out, want;
	int rc;

	et_buf_init(&out, 1 << 20);
	et_buf_init(&want, 1 << 20);
	et_buf_adds(&want, want_stats_text);
	et_buf_adds(&want, et_errclass_hint(ET_ERRCLASS_EXIT_CODE));
	et_buf_adds(&want, want_stats_text2);
	rc = et_render_stats(&r, &m, &out);
	tap_ok(rc == 0, "stats text: rendered");
	tap_is_str(out.data, want.data, "stats text: the whole report");

	/* The section switches. */
	et_buf_reset(&out);
	m.only_failures = true;
	et_render_stats(&r, &m, &out);
	tap_ok(!strstr(out.data, "Per tool") && !strstr(out.data, "Slowest calls") &&
		       strstr(out.data, "\nTop failures\n") && strstr(out.data, "What to do"),
	       "stats --failures: only the failures");
	et_buf_reset(&out);
	m.only_failures = false;
	m.only_slow = true;
	et_render_stats(&r, &m, &out);
	tap_ok(!strstr(out.data, "Per tool") && !strstr(out.data, "Top failures") &&
		       strstr(out.data, "\nSlowest calls\n"),
	       "stats --slow: only the slowest calls");
	m.only_slow = false;

	/* No failures: no failure section. */
	et_buf_reset(&out);
	r.failures = 0;
	et_render_stats(&r, &m, &out);
	tap_ok(!strstr(out.data, "Top failures") && strstr(out.data, "Per tool"),
	       "no failure or interruption: no failure section");
	r.failures = 1;

	/* Colour: headings underlined and bold, table headers bold. */
	et_buf_reset(&out);
	m.color = true;
	et_render_stats(&r, &m, &out);
	tap_ok(strstr(out.data, "\n\033[1;4mPer tool\033[0m\n\033[1mtool  calls") != NULL,
	       "colour: the heading and the table header");
	m.color = false;

	/* The filters line, and notes on the input. */
	et_buf_reset(&out);
	m.since = "2025-11-20T00:00:00.000Z";
	m.tool = "Bash";
	in_stats.skipped = 1;
	in_stats.old_format = 2;
	in_stats.bad_latency = 1;
	et_render_stats(&r, &m, &out);
	tap_ok(starts_with(out.data, "filters: since 2025-11-20T00:00:00.000Z tool Bash\n3 calls"),
	       "the filters line comes first");
	tap_ok(strstr(out.data, "\nnote: 1 malformed or torn line skipped\n"
				"note: 2 records without \"v\", read in the old plugin's format (a "
				"latency of 0 is unknown)\n"
				"note: 1 record with a latency_ms out of range (negative, over 30 "
				"days, or not a number): latency unknown\n") != NULL,
	       "notes: one skipped line, two old records, one bad latency");
	in_stats.skipped = 3;
	in_stats.old_format = 1;
	in_stats.bad_latency = 2;
	et_buf_reset(&out);
	et_render_stats(&r, &m, &out);
	tap_ok(strstr(out.data, "note: 3 malformed or torn lines skipped\n"
				"note: 1 record without \"v\"") != NULL &&
		       strstr(out.data, "note: 2 records with a latency_ms out of range") != NULL,
	       "notes: plurals follow the counts");
	in_stats.skipped = in_stats.old_format = in_stats.bad_latency = 0;
	m.since = m.tool = NULL;
	et_buf_finish(&out);
	et_buf_finish(&want);
}

static void test_stats_empty(void)
{
	struct et_stats_result r;
	struct et_report_meta m = meta(ET_FORMAT_TEXT);
	struct et_buf out;

	memset(&r, 0, sizeof(r));
	et_buf_init(&out, 1 << 20);
	et_render_stats(&r, &m, &out);
	tap_is_str(out.data, "No tool calls recorded yet.\n", "no calls at all");
	et_buf_reset(&out);
	m.session = "abc";
	et_render_stats(&r, &m, &out);
	tap_is_str(out.data, "filters: session abc\nNo tool calls recorded for these filters.\n",
		   "no calls for a filter");
	et_buf_reset(&out);
	m.fmt = ET_FORMAT_MARKDOWN;
	et_render_stats(&r, &m, &out);
	tap_is_str(out.data,
		   "## Tool telemetry\nfilters: session abc  \nNo tool calls recorded for these "
		   "filters.\n",
		   "no calls, Markdown: a title, a hard line break after the filters");
	et_buf_finish(&out);
}

static void test_stats_markdown(void)
{
	struct et_stats_result r = stats();
	struct et_report_meta m = meta(ET_FORMAT_MARKDOWN);
	struct et_buf out;

	et_buf_init(&out, 1 << 20);
	tap_ok(et_render_stats(&r, &m, &out) == 0, "stats Markdown: rendered");
	tap_ok(starts_with(out.data, "## Tool telemetry\n3 calls in 1 session"),
	       "stats Markdown: the title, then the headline");
	tap_ok(strstr(out.data,
		      "\n### Per tool\n\n| tool | calls | fail | intr | success | avg ms | "
		      "p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|---:|"
		      "---:|---:|\n| Bash | 2 | 1 | 0 | 50.0% | 55 | 20 | 90 | 90 | 90 |\n") !=
		       NULL,
	       "stats Markdown: the per-tool table");
	tap_ok(strstr(out.data, "| 90 | Bash[sleep 5] | 2025-11-21 14:00:00 |\n") != NULL,
	       "stats Markdown: the slow call row");
	et_buf_finish(&out);
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_stats_json(void)
{
	struct et_stats_result r = stats();
	struct et_report_meta m = meta(ET_FORMAT_JSON);
	struct et_buf out, again;
	const cJSON *t, *e, *l;
	cJSON *j;

	et_buf_init(&out, 1 << 20);
	et_buf_init(&again, 1 << 20);
	m.project = "/home/u/p\"q";
	tap_ok(et_render_stats(&r, &m, &out) == 0, "stats JSON: rendered");
	tap_ok(out.len && out.data[out.len - 1] == '\n' && !memchr(out.data, '\n', out.len - 1),
	       "stats JSON: one line");
	j = cJSON_Parse(out.data);
	tap_ok(j != NULL, "stats JSON: parses");
	tap_is_str(jstr(j, "schema"), "execution-telemetry/stats", "stats JSON: schema");
	tap_ok(jnum(j, "version") == 1 && jnum(j, "total_calls") == 3 && jnum(j, "failures") == 1 &&
		       jnum(j, "sessions") == 1,
	       "stats JSON: version and totals");
	tap_ok(strstr(out.data, "\"success_rate\":0.666667,") != NULL,
	       "stats JSON: a rate rounded to 6 decimals, shortest form");
	tap_is_str(jstr(cJSON_GetObjectItemCaseSensitive(j, "filters"), "project"), "/home/u/p\"q",
		   "stats JSON: a filter with a quote survives");
	tap_ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
		       cJSON_GetObjectItemCaseSensitive(j, "filters"), "since")),
	       "stats JSON: an unset filter is null");
	l = cJSON_GetObjectItemCaseSensitive(j, "input");
	tap_ok(jnum(l, "lines") == 12 && jnum(l, "records") == 10 &&
		       !strcmp(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(l, "files"), 0)
				       ->valuestring,
			       "/tmp/log.jsonl"),
	       "stats JSON: the input block");
	t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "tools"), 0);
	tap_ok(t && !strcmp(jstr(t, "tool"), "Bash") && jnum(t, "success_rate") == 0.5 &&
		       jnum(cJSON_GetObjectItemCaseSensitive(t, "latency_ms"), "p95") == 90,
	       "stats JSON: the first tool");
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "top_errors"), 0);
	tap_ok(e && !strcmp(jstr(e, "class"), "exit_code") && jnum(e, "count") == 1 &&
		       !strcmp(jstr(e, "example"), "Exit code 2"),
	       "stats JSON: its top error");
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "slow_calls"), 0);
	tap_ok(e && !strcmp(jstr(e, "timestamp"), "2025-11-21T14:00:00.123Z") &&
		       !strcmp(jstr(e, "session_id"), "s1") && jnum(e, "latency_ms") == 90,
	       "stats JSON: a slow call, its time in full");
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "failure_classes"), 0);
	tap_ok(e && !strcmp(jstr(e, "hint"), et_errclass_hint(ET_ERRCLASS_EXIT_CODE)),
	       "stats JSON: a class with its hint");
	cJSON_Delete(j);

	/* A tool without a latency: nulls, not zeros; no calls: a null rate. */
	tools[1].lat.count = 0;
	r.calls = 0;
	et_buf_reset(&out);
	et_render_stats(&r, &m, &out);
	j = cJSON_Parse(out.data);
	t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "tools"), 1);
	l = cJSON_GetObjectItemCaseSensitive(t, "latency_ms");
	tap_ok(jnum(l, "count") == 0 && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(l, "p50")) &&
		       cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(l, "avg")),
	       "stats JSON: no latency gives null percentiles");
	tap_ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "success_rate")),
	       "stats JSON: no calls gives a null success rate");
	cJSON_Delete(j);
	tools[1].lat.count = 1;
	r.calls = 3;

	/* The same input gives the same bytes. */
	et_buf_reset(&out);
	et_render_stats(&r, &m, &out);
	et_render_stats(&r, &m, &again);
	tap_ok(out.len == again.len && !memcmp(out.data, again.data, out.len),
	       "stats JSON: deterministic");
	et_buf_finish(&out);
	et_buf_finish(&again);
}

static const char want_patterns_text[] =
	"\nTool chains\n"
	"count  chain         all ok  avg ms\n"
	"-----  ------------  ------  ------\n"
	"    3  Read -> Edit   66.7%      25\n"
	"\nParallelization opportunities\n"
	"1 run of read-only calls (3 calls) ran one batch at a time with nothing written between "
	"them; batching them would have saved 80 ms (from PostToolBatch records).\n"
	"\n"
	"runs  read-only tools  saved ms\n"
	"----  ---------------  --------\n"
	"   1  Grep,Read              80\n"
	"\nRetry loops (same call 3+ times in a row)\n"
	"tool  loops  calls  ended ok  ended failed\n"
	"----  -----  -----  --------  ------------\n"
	"Bash      1      3         1             0\n"
	"\nRecoveries (a failure, then the same tool succeeding within 5 calls)\n"
	"count  recovery\n"
	"-----  ----------------------------\n"
	"    1  Edit FAIL -> Read -> Edit OK\n"
	"\nFailure cascades\n"
	"1 run of 2 or more failed calls in a row (3 calls); the longest: 3.\n"
	"\nLatency bottlenecks\n"
	"tool  share  total ms  calls  avg ms\n"
	"----  -----  --------  -----  ------\n"
	"Bash  75.0%       900      3     300\n"
	"\nSlowest tool overall, Bash: Run long commands in the background.\n";

static void test_patterns_text(void)
{
	struct et_patterns_result r = patterns();
	struct et_report_meta m = meta(ET_FORMAT_TEXT);
	struct et_buf out;

	et_buf_init(&out, 1 << 20);
	tap_ok(et_render_patterns(&r, &m, &out) == 0, "patterns text: rendered");
	tap_is_str(out.data, want_patterns_text, "patterns text: the whole report");

	/* Empty lists say so. */
	r.nchains = r.nretries = r.nrecoveries = r.nbottlenecks = r.npar_groups = 0;
	r.par_from_batches = false;
	et_buf_reset(&out);
	et_render_patterns(&r, &m, &out);
	tap_ok(strstr(out.data, "\nTool chains\nNo chain seen 2 times or more.\n") &&
		       strstr(out.data,
			      "(from timestamps: this log has no PostToolBatch records).\n"
			      "\nRetry loops (same call 3+ times in a row)\nNone.\n") &&
		       strstr(out.data, "within 5 calls)\nNone.\n") &&
		       strstr(out.data, "\nLatency bottlenecks\nNo latencies recorded.\n"),
	       "patterns text: empty sections say so, parallelization from timestamps");

	/* No records at all. */
	in_stats.records = 0;
	et_buf_reset(&out);
	et_render_patterns(&r, &m, &out);
	tap_is_str(out.data, "No tool calls recorded yet.\n", "patterns: no records");
	in_stats.records = 10;
	et_buf_finish(&out);
}

static void test_patterns_markdown_json(void)
{
	struct et_patterns_result r = patterns();
	struct et_report_meta m = meta(ET_FORMAT_MARKDOWN);
	struct et_buf out;
	const cJSON *x, *a;
	cJSON *j;

	et_buf_init(&out, 1 << 20);
	et_render_patterns(&r, &m, &out);
	tap_ok(starts_with(out.data, "## Tool-call patterns\n\n### Tool chains\n\n"),
	       "patterns Markdown: title and heading");
	tap_ok(strstr(out.data, "| 3 | Read \xE2\x86\x92 Edit | 66.7% | 25 |\n") &&
		       strstr(out.data,
			      "| 1 | Edit FAIL \xE2\x86\x92 Read \xE2\x86\x92 Edit OK |\n"),
	       "patterns Markdown: arrows between steps");

	m.fmt = ET_FORMAT_JSON;
	et_buf_reset(&out);
	tap_ok(et_render_patterns(&r, &m, &out) == 0, "patterns JSON: rendered");
	j = cJSON_Parse(out.data);
	tap_ok(j && !strcmp(jstr(j, "schema"), "execution-telemetry/patterns") &&
		       jnum(j, "min_count") == 2,
	       "patterns JSON: parses, schema and min_count");
	x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "chains"), 0);
	a = cJSON_GetObjectItemCaseSensitive(x, "tools");
	tap_ok(cJSON_GetArraySize(a) == 2 &&
		       !strcmp(cJSON_GetArrayItem(a, 1)->valuestring, "Edit") &&
		       jnum(x, "avg_ms") == 25 && fabs(jnum(x, "success_rate") - 0.666667) < 1e-12,
	       "patterns JSON: a chain");
	x = cJSON_GetObjectItemCaseSensitive(j, "parallelization");
	a = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(x, "by_tools"), 0), "tools");
	tap_ok(!strcmp(jstr(x, "source"), "batches") && jnum(x, "saved_ms") == 80 &&
		       cJSON_GetArraySize(a) == 2 &&
		       !strcmp(cJSON_GetArrayItem(a, 0)->valuestring, "Grep") &&
		       !strcmp(cJSON_GetArrayItem(a, 1)->valuestring, "Read"),
	       "patterns JSON: a parallel group's names split into an array");
	x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "retry_loops"), 0);
	tap_ok(x && jnum(x, "loops") == 1 &&
		       jnum(cJSON_GetObjectItemCaseSensitive(x, "ended"), "success") == 1,
	       "patterns JSON: a retry loop");
	x = cJSON_GetObjectItemCaseSensitive(j, "cascades");
	tap_ok(jnum(x, "count") == 1 && jnum(x, "longest") == 3 && jnum(x, "calls") == 3,
	       "patterns JSON: cascades");
	x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "bottlenecks"), 0);
	tap_ok(x && jnum(x, "share") == 0.75 && jnum(x, "total_ms") == 900 &&
		       !strcmp(jstr(x, "recommendation"), "Run long commands in the background."),
	       "patterns JSON: a bottleneck");
	cJSON_Delete(j);
	et_buf_finish(&out);
}

static void test_full_buffer(void)
{
	struct et_stats_result r = stats();
	struct et_patterns_result p = patterns();
	struct et_report_meta m = meta(ET_FORMAT_TEXT);
	struct et_buf out;
	int rc;

	et_buf_init(&out, 64);
	rc = et_render_stats(&r, &m, &out);
	tap_ok(rc == -E2BIG, "stats into a 64-byte buffer: -E2BIG (%d)", rc);
	et_buf_reset(&out);
	m.fmt = ET_FORMAT_JSON;
	rc = et_render_patterns(&p, &m, &out);
	tap_ok(rc == -E2BIG, "patterns JSON into a 64-byte buffer: -E2BIG (%d)", rc);
	et_buf_finish(&out);
}

/* The small helpers the report renderers share: JSON members, visible text, ending a table. */
static void test_helpers(void)
{
	static const char *const headers[] = {"a", "b"};
	const char *row[] = {"x", "1"};
	struct et_report_meta m;
	struct et_table t;
	struct et_buf b;

	et_buf_init(&b, 1 << 16);
	et_render_json_num_member(&b, "n", 1.0 / 3);
	et_render_json_num_member(&b, "z", -0.0000001);
	et_render_json_num_member(&b, "inf", INFINITY);
	et_render_json_str_member(&b, "s", "a\"b");
	et_render_json_str_member(&b, "none", NULL);
	tap_is_str(b.data, ",\"n\":0.333333,\"z\":0,\"inf\":null,\"s\":\"a\\\"b\",\"none\":null",
		   "et_render_json_num_member, et_render_json_str_member");
	et_buf_reset(&b);
	et_render_json_opt_member(&b, "a", true, 2.5);
	et_render_json_opt_member(&b, "b", false, 2.5);
	et_render_json_opt_member(&b, "c", true, NAN);
	tap_is_str(b.data, ",\"a\":2.5,\"b\":null,\"c\":null",
		   "et_render_json_opt_member: the number when there is one, else null");
	et_buf_reset(&b);
	et_render_json_ratio_member(&b, "r", 2, 3);
	et_render_json_ratio_member(&b, "zero", 0, 5);
	et_render_json_ratio_member(&b, "none", 7, 0);
	tap_is_str(b.data, ",\"r\":0.666667,\"zero\":0,\"none\":null",
		   "et_render_json_ratio_member: num / den, null when den is 0");
	et_buf_reset(&b);
	et_render_text(&b, "a\tb\x1b[31m");
	tap_is_str(b.data, "a b\\x1b[31m", "et_render_text: a tab shown as a space, ESC as \\x1b");
	memset(&m, 0, sizeof(m));
	m.fmt = ET_FORMAT_MARKDOWN;
	et_buf_reset(&b);
	et_table_init(&t, "lr", headers);
	tap_ok(et_render_table_done(&t, et_table_row(&t, row), &m, &b) == 0 &&
		       !strcmp(b.data, "| a | b |\n|---|---:|\n| x | 1 |\n"),
	       "et_render_table_done: the table in the report's format");
	et_buf_reset(&b);
	et_table_init(&t, "lr", headers);
	tap_ok(et_render_table_done(&t, -ENOMEM, &m, &b) == -ENOMEM && b.len == 0,
	       "et_render_table_done: a failed row: nothing appended, its error returned");
	et_buf_finish(&b);
}

int main(void)
{
	test_numbers();
	test_outcome();
	test_call_members();
	test_helpers();
	test_filtered();
	test_stats_text();
	test_stats_empty();
	test_stats_markdown();
	test_stats_json();
	test_patterns_text();
	test_patterns_markdown_json();
	test_full_buffer();
	return tap_done();
}
