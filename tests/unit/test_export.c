/*
 * Unit tests for et_export on records written by hand: CSV (the header, RFC 4180 quoting of
 * commas, quotes and newlines, nulls as empty fields, one time format) and OTLP JSON (grouping by
 * agent, severities, times in nanoseconds, each attribute with its type, nulls left out, arrays),
 * batching by count and by bytes, records that are not calls skipped, and writer errors; and
 * ClickHouse JSONEachRow rows (every column, typed, nulls kept, values of the wrong type).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "et_buf.h"
#include "et_export.h"
#include "et_logrec.h"
#include "sink.h"
#include "tap.h"

/* A failed Bash call: an error with a newline, quotes and a comma; params with both. */
static const char rec_bash[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:00.123Z\",\"event\":\"PostToolUseFailure\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"prompt_id\":null,\"tool_use_id\":"
	"\"toolu_1\",\"tool_name\":\"Bash\",\"outcome\":\"failure\",\"error\":\"Exit code 2\\nls: "
	"cannot access 'a,b': \\\"No\\\" such file\",\"exit_code\":2,\"latency_ms\":24,"
	"\"latency_source\":\"duration_ms\",\"params\":{\"command\":\"ls 'a,b'\"},\"params_fp\":"
	"\"00112233445566778899aabbccddeeff\",\"response_bytes\":null,\"redactions\":0,"
	"\"truncations\":0,\"cwd\":\"/home/u/p\",\"transcript_path\":null,\"permission_mode\":"
	"\"default\",\"agent_id\":null,\"agent_type\":null}";

/* Another agent; an escaped tool name; a fractional latency; an array of every JSON type. */
static const char rec_read[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:01.000Z\",\"event\":\"AfterTool\",\"agent\":"
	"\"gemini-cli\",\"session_id\":\"s2\",\"tool_name\":\"Re\\u0061d\",\"outcome\":\"success\","
	"\"error\":null,\"exit_code\":null,\"latency_ms\":10.5,\"params\":{\"file_path\":\"/x\"},"
	"\"response_bytes\":512,\"redactions\":1,\"truncations\":0,"
	"\"tags\":[1,\"a\\u00e9\",null,true,2.5,{\"k\":1}]}";

/*
 * Interrupted; an error whose only special character is a newline; numbers too large (a
 * latency_ms the reader calls out of range is left out).
 */
static const char rec_intr[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:02.000Z\",\"event\":\"PostToolUseFailure\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"tool_name\":\"Bash\",\"outcome\":"
	"\"interrupted\",\"error\":\"Interrupted\\nby user\",\"latency_ms\":1e400,"
	"\"exit_code\":99999999999999999999,\"cost\":1e400}";

/* A batch record: not a call, never exported. */
static const char rec_batch[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:03.000Z\",\"event\":\"PostToolBatch\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"tool_name\":null,\"outcome\":null,"
	"\"tool_use_ids\":[\"toolu_1\"],\"tool_names\":[\"Bash\"]}";

/* The old Python plugin: no "v", no agent, a naive local time (TZ is UTC here). */
static const char rec_old[] = "{\"timestamp\":\"2025-11-21T15:00:00\",\"tool_name\":\"Edit\","
			      "\"outcome\":\"success\",\"latency_ms\":0}";

static const char *const all_recs[] = {rec_bash, rec_read, rec_intr, rec_batch, rec_old};
#define NRECS (sizeof(all_recs) / sizeof(all_recs[0]))

/* Feeds the records to an exporter; returns the first error. */
static int feed(struct et_export *x, const char *const *recs, size_t n)
{
	struct et_record_in rec;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (et_logrec_parse_line(recs[i], strlen(recs[i]), &rec) < 0) {
			tap_diag("bad test record %zu", i);
			exit(99);
		}
		r = et_export_add(x, &rec);
		if (r < 0) {
			return r;
		}
	}
	return 0;
}

/*
 * Exports every record through @s failing from its write @fail_at on; returns what feeding them
 * returned and sets *@records to the calls the exporter counted.
 */
static int export_failing(const struct et_export_opts *o, struct sink *s, int fail_at,
			  size_t *records)
{
	struct et_export *x;
	int r;

	et_buf_reset(&s->out);
	s->writes = 0;
	s->fail_at = fail_at;
	x = et_export_create(o);
	r = feed(x, all_recs, NRECS);
	*records = et_export_records(x);
	et_export_destroy(x);
	s->fail_at = 0;
	return r;
}

static struct et_export_opts opts(enum et_export_format f, struct sink *s)
{
	struct et_export_opts o;

	memset(&o, 0, sizeof(o));
	o.format = f;
	o.observed_ms = 1763740800000LL;
	o.otlp.host_name = "host<1>";
	o.otlp.user_name = "u\"ser";
	o.otlp.version = "1.2.3";
	o.otlp.write = sink_write;
	o.otlp.write_ctx = s;
	return o;
}

/* ---- CSV ---- */

static const char csv_header[] =
	"timestamp,event,agent,session_id,prompt_id,tool_use_id,tool_name,outcome,error,exit_code,"
	"latency_ms,latency_source,params,params_fp,response_bytes,redactions,truncations,cwd,"
	"transcript_path,permission_mode,agent_id,agent_type\r\n";

static const char csv_want[] =
	"2025-11-21T14:00:00.123Z,PostToolUseFailure,claude-code,s1,,toolu_1,Bash,failure,"
	"\"Exit code 2\nls: cannot access 'a,b': \"\"No\"\" such file\",2,24,duration_ms,"
	"\"{\"\"command\"\":\"\"ls 'a,b'\"\"}\",00112233445566778899aabbccddeeff,,0,0,/home/u/p,,"
	"default,,\r\n"
	"2025-11-21T14:00:01.000Z,AfterTool,gemini-cli,s2,,,Read,success,,,10.5,,"
	"\"{\"\"file_path\"\":\"\"/x\"\"}\",,512,1,0,,,,,\r\n"
	"2025-11-21T14:00:02.000Z,PostToolUseFailure,claude-code,s1,,,Bash,interrupted,"
	"\"Interrupted\nby user\",99999999999999999999,,,,,,,,,,,,\r\n"
	"2025-11-21T15:00:00.000Z,,,,,,Edit,success,,,0,,,,,,,,,,,\r\n";

static void test_csv(void)
{
	struct sink s = {.writes = 0, .fail_at = 0};
	struct et_export_opts o = opts(ET_EXPORT_CSV, &s);
	struct et_export *x;
	struct et_buf want;
	size_t n;
	int r;

	et_buf_init(&s.out, 1 << 20);
	et_buf_init(&want, 1 << 20);
	x = et_export_create(&o);
	r = feed(x, all_recs, NRECS);
	tap_ok(r == 0 && et_export_end(x) == 0, "csv: exported");
	et_buf_adds(&want, csv_header);
	et_buf_adds(&want, csv_want);
	tap_is_str(s.out.data, want.data, "csv: header and rows, quoted where RFC 4180 asks");
	tap_ok(et_export_records(x) == 4 && et_export_lines(x) == 5,
	       "csv: 4 calls exported (the batch record skipped), 5 lines with the header "
	       "(%zu, %zu)",
	       et_export_records(x), et_export_lines(x));
	et_export_destroy(x);

	/* An empty export still has its header, written once. */
	et_buf_reset(&s.out);
	x = et_export_create(&o);
	feed(x, &all_recs[3], 1);
	tap_ok(s.out.len == 0, "csv: a batch record alone writes nothing yet");
	tap_ok(et_export_end(x) == 0, "csv: finish an empty export");
	tap_is_str(s.out.data, csv_header, "csv: an empty export is the header");
	tap_ok(et_export_records(x) == 0 && et_export_lines(x) == 1, "csv: 0 records, 1 line");
	et_export_destroy(x);

	/* The writer's error stops the export. */
	r = export_failing(&o, &s, 2, &n);
	tap_ok(r == -EIO && n == 0, "csv: a failed write of the first row is returned (%d)", r);

	et_export_destroy(NULL);
	tap_ok(true, "destroy accepts NULL");
	et_buf_finish(&s.out);
	et_buf_finish(&want);
}

/* ---- OTLP JSON ---- */

static const cJSON *attr(const cJSON *attrs, const char *key)
{
	const cJSON *a;

	cJSON_ArrayForEach (a, attrs) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");

		if (cJSON_IsString(k) && !strcmp(k->valuestring, key)) {
			return cJSON_GetObjectItemCaseSensitive(a, "value");
		}
	}
	return NULL;
}

/* The one member of an AnyValue: its kind and value. */
static bool any_is(const cJSON *v, const char *kind, const char *str, double num)
{
	const cJSON *x = v ? cJSON_GetObjectItemCaseSensitive(v, kind) : NULL;

	if (!x || cJSON_GetArraySize(v) != 1) {
		return false;
	}
	if (str) {
		return cJSON_IsString(x) && !strcmp(x->valuestring, str);
	}
	return cJSON_IsNumber(x) && x->valuedouble == num;
}

static const char *sval(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double nval(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *path(const cJSON *o, const char *a, int i, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, a), i), b);
}

static void test_otlp(void)
{
	struct sink s = {.writes = 0, .fail_at = 0};
	struct et_export_opts o = opts(ET_EXPORT_OTLP_JSON, &s);
	struct et_export *x;
	const cJSON *rl, *res, *lr, *at, *v, *tags;
	cJSON *j;
	int r;

	et_buf_init(&s.out, 1 << 20);
	x = et_export_create(&o);
	r = feed(x, all_recs, NRECS);
	tap_ok(r == 0 && s.out.len == 0, "otlp: records are held until the batch is full");
	tap_ok(et_export_end(x) == 0 && et_export_lines(x) == 1 && et_export_records(x) == 4,
	       "otlp: finish writes one line of 4 records");
	tap_ok(s.out.len && s.out.data[s.out.len - 1] == '\n' &&
		       !memchr(s.out.data, '\n', s.out.len - 1),
	       "otlp: one line ending in a newline");
	j = cJSON_Parse(s.out.data);
	tap_ok(j != NULL, "otlp: the line parses as JSON");
	rl = cJSON_GetObjectItemCaseSensitive(j, "resourceLogs");
	tap_ok(cJSON_GetArraySize(rl) == 3, "otlp: one resourceLogs per agent (%d)",
	       cJSON_GetArraySize(rl));

	res = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rl, 0), "resource");
	at = cJSON_GetObjectItemCaseSensitive(res, "attributes");
	tap_ok(any_is(attr(at, "service.name"), "stringValue", "execution-telemetry", 0) &&
		       any_is(attr(at, "service.version"), "stringValue", "1.2.3", 0) &&
		       any_is(attr(at, "host.name"), "stringValue", "host<1>", 0) &&
		       any_is(attr(at, "user.name"), "stringValue", "u\"ser", 0) &&
		       any_is(attr(at, "agent"), "stringValue", "claude-code", 0),
	       "otlp: the first resource: service, version, host, user, agent");
	tap_ok(any_is(attr(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rl, 1),
								    "resource"),
				   "attributes"),
			   "agent"),
		      "stringValue", "gemini-cli", 0) &&
		       any_is(attr(cJSON_GetObjectItemCaseSensitive(
					   cJSON_GetObjectItemCaseSensitive(
						   cJSON_GetArrayItem(rl, 2), "resource"),
					   "attributes"),
				   "agent"),
			      "stringValue", "unknown", 0),
	       "otlp: then gemini-cli, then a record without an agent as unknown");
	v = path(cJSON_GetArrayItem(rl, 0), "scopeLogs", 0, "scope");
	tap_ok(!strcmp(sval(v, "name"), "execution-telemetry") &&
		       !strcmp(sval(v, "version"), "1.2.3"),
	       "otlp: the scope names the exporter");

	/* The failed Bash call. */
	lr = path(cJSON_GetArrayItem(rl, 0), "scopeLogs", 0, "logRecords");
	tap_ok(cJSON_GetArraySize(lr) == 2, "otlp: claude-code has its two calls");
	v = cJSON_GetArrayItem(lr, 0);
	tap_ok(!strcmp(sval(v, "timeUnixNano"), "1763733600123000000") &&
		       !strcmp(sval(v, "observedTimeUnixNano"), "1763740800000000000"),
	       "otlp: times in nanoseconds, as strings");
	tap_ok(nval(v, "severityNumber") == ET_EXPORT_SEV_FAILURE &&
		       !strcmp(sval(v, "severityText"), "ERROR"),
	       "otlp: a failure is ERROR");
	tap_ok(any_is(cJSON_GetObjectItemCaseSensitive(v, "body"), "stringValue", "Bash failure",
		      0),
	       "otlp: the body names the tool and outcome");
	at = cJSON_GetObjectItemCaseSensitive(v, "attributes");
	tap_ok(any_is(attr(at, "exit_code"), "intValue", "2", 0) &&
		       any_is(attr(at, "v"), "intValue", "1", 0) &&
		       any_is(attr(at, "redactions"), "intValue", "0", 0),
	       "otlp: integer fields are intValue strings");
	tap_ok(any_is(attr(at, "latency_ms"), "doubleValue", NULL, 24),
	       "otlp: latency_ms is a doubleValue even when whole");
	tap_ok(any_is(attr(at, "error"), "stringValue",
		      "Exit code 2\nls: cannot access 'a,b': \"No\" such file", 0),
	       "otlp: a string decoded and re-escaped");
	tap_ok(any_is(attr(at, "params"), "stringValue", "{\"command\":\"ls 'a,b'\"}", 0),
	       "otlp: an object becomes its JSON text");
	tap_ok(!attr(at, "prompt_id") && !attr(at, "response_bytes") && attr(at, "cwd"),
	       "otlp: null fields are left out");

	/* The interrupted call: numbers too large. */
	v = cJSON_GetArrayItem(lr, 1);
	at = cJSON_GetObjectItemCaseSensitive(v, "attributes");
	tap_ok(nval(v, "severityNumber") == ET_EXPORT_SEV_INTERRUPTED &&
		       !strcmp(sval(v, "severityText"), "WARN"),
	       "otlp: an interruption is WARN");
	tap_ok(any_is(attr(at, "cost"), "stringValue", "1e400", 0),
	       "otlp: a number no double holds keeps its text");
	tap_ok(!attr(at, "latency_ms"), "otlp: a latency_ms out of range is left out");
	tap_ok(strstr(s.out.data, "{\"key\":\"exit_code\",\"value\":{\"doubleValue\":"
				  "99999999999999999999}}") != NULL,
	       "otlp: an integer field past int64 is a doubleValue with its text");

	/* The gemini call. */
	v = cJSON_GetArrayItem(path(cJSON_GetArrayItem(rl, 1), "scopeLogs", 0, "logRecords"), 0);
	at = cJSON_GetObjectItemCaseSensitive(v, "attributes");
	tap_ok(nval(v, "severityNumber") == ET_EXPORT_SEV_SUCCESS &&
		       any_is(cJSON_GetObjectItemCaseSensitive(v, "body"), "stringValue",
			      "Read success", 0) &&
		       any_is(attr(at, "tool_name"), "stringValue", "Read", 0),
	       "otlp: a success is INFO; an escaped tool name decoded in body and attribute");
	tap_ok(any_is(attr(at, "latency_ms"), "doubleValue", NULL, 10.5) &&
		       any_is(attr(at, "response_bytes"), "intValue", "512", 0),
	       "otlp: fractional and integer numbers");
	tags = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(attr(at, "tags"), "arrayValue"), "values");
	tap_ok(cJSON_GetArraySize(tags) == 6 &&
		       any_is(cJSON_GetArrayItem(tags, 0), "intValue", "1", 0) &&
		       any_is(cJSON_GetArrayItem(tags, 1), "stringValue", "a\xC3\xA9", 0) &&
		       cJSON_GetArraySize(cJSON_GetArrayItem(tags, 2)) == 0 &&
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tags, 3),
								     "boolValue")) &&
		       any_is(cJSON_GetArrayItem(tags, 4), "doubleValue", NULL, 2.5) &&
		       any_is(cJSON_GetArrayItem(tags, 5), "stringValue", "{\"k\":1}", 0),
	       "otlp: an array of every type becomes an arrayValue");

	/* The old record: its naive time read as local time (UTC here). */
	v = cJSON_GetArrayItem(path(cJSON_GetArrayItem(rl, 2), "scopeLogs", 0, "logRecords"), 0);
	tap_ok(!strcmp(sval(v, "timeUnixNano"), "1763737200000000000"),
	       "otlp: an old record's time");
	cJSON_Delete(j);
	et_export_destroy(x);
	et_buf_finish(&s.out);
}

/* Splits the sink's output into lines and checks each one; returns the records in all. */
static int count_lines(const struct et_buf *b, size_t max_bytes, size_t *lines, bool *bounded)
{
	const char *p = b->data, *nl;
	int records = 0;

	*lines = 0;
	*bounded = true;
	while ((nl = memchr(p, '\n', (size_t)(b->data + b->len - p)))) {
		cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
		const cJSON *rl = cJSON_GetObjectItemCaseSensitive(j, "resourceLogs"), *g;
		int n = 0;

		cJSON_ArrayForEach (g, rl) {
			n += cJSON_GetArraySize(path(g, "scopeLogs", 0, "logRecords"));
		}
		if (!j || ((size_t)(nl - p) + 1 > max_bytes && n != 1)) {
			*bounded = false;
		}
		records += n;
		(*lines)++;
		cJSON_Delete(j);
		p = nl + 1;
	}
	return records;
}

static void test_otlp_batches(void)
{
	struct sink s = {.writes = 0, .fail_at = 0};
	struct et_export_opts o = opts(ET_EXPORT_OTLP_JSON, &s);
	static const char *const calls[] = {rec_bash, rec_read, rec_intr, rec_old, rec_bash};
	struct et_export *x;
	size_t lines;
	bool bounded;
	int n, r;

	et_buf_init(&s.out, 1 << 20);
	o.otlp.batch = 2;
	x = et_export_create(&o);
	feed(x, calls, 5);
	tap_ok(et_export_lines(x) == 2, "otlp batch 2: two full lines written as they fill");
	et_export_end(x);
	n = count_lines(&s.out, (size_t)-1, &lines, &bounded);
	tap_ok(n == 5 && lines == 3 && bounded && et_export_lines(x) == 3,
	       "otlp batch 2: 5 records in 2 + 2 + 1 (%d in %zu lines)", n, lines);
	et_export_destroy(x);

	/* By bytes: a line stops before it would pass the limit. */
	et_buf_reset(&s.out);
	o.otlp.batch = 0;
	o.otlp.line_bytes =
		3200; /* records here take 800 to 1700 bytes: some share a line, not all */
	x = et_export_create(&o);
	feed(x, calls, 5);
	et_export_end(x);
	n = count_lines(&s.out, o.otlp.line_bytes, &lines, &bounded);
	tap_ok(n == 5 && lines > 1 && lines < 5 && bounded,
	       "otlp 3200 bytes a line: every line within it, nothing lost (%zu lines)", lines);
	et_export_destroy(x);

	/* A record larger than the limit still goes out, alone. */
	et_buf_reset(&s.out);
	o.otlp.line_bytes = 100;
	x = et_export_create(&o);
	feed(x, calls, 5);
	et_export_end(x);
	n = count_lines(&s.out, o.otlp.line_bytes, &lines, &bounded);
	tap_ok(n == 5 && lines == 5 && bounded,
	       "otlp 100 bytes a line: each record on a line of its own (%zu lines)", lines);
	et_export_destroy(x);

	/* Nothing to export: nothing written. */
	et_buf_reset(&s.out);
	o.otlp.line_bytes = 0;
	x = et_export_create(&o);
	feed(x, &all_recs[3], 1);
	tap_ok(et_export_end(x) == 0 && s.out.len == 0 && et_export_lines(x) == 0,
	       "otlp: an export of no calls writes nothing");
	et_export_destroy(x);

	/* A writer error at a flush. */
	s.writes = 0;
	s.fail_at = 1;
	o.otlp.batch = 1;
	x = et_export_create(&o);
	r = feed(x, calls, 5);
	tap_ok(r == -EIO, "otlp: a failed write is returned by the add that flushed (%d)", r);
	et_export_destroy(x);
	et_buf_finish(&s.out);
}

/* ---- ClickHouse JSONEachRow ---- */

/* Wrong types: an exit_code as a string, 2.0, a boolean session, params a string; no timestamp. */
static const char rec_odd[] =
	"{\"v\":1,\"event\":\"PostToolUse\",\"session_id\":true,\"tool_name\":\"Bash\","
	"\"outcome\":\"success\",\"exit_code\":\"2\",\"response_bytes\":2.0,\"redactions\":1.5,"
	"\"latency_ms\":-1,\"params\":\"ls\\n\",\"input_bytes\":4096}";

static const char ch_want[] =
	"{\"host\":\"host<1>\",\"user\":\"u\\\"ser\",\"seq\":0,\"v\":1,\"timestamp\":"
	"\"2025-11-21T14:00:00.123Z\",\"time\":\"2025-11-21 14:00:00\",\"time_ms\":123,\"event\":"
	"\"PostToolUseFailure\",\"agent\":\"claude-code\",\"session_id\":\"s1\",\"prompt_id\":null,"
	"\"tool_use_id\":\"toolu_1\",\"tool_name\":\"Bash\",\"outcome\":\"failure\",\"error\":"
	"\"Exit code 2\\nls: cannot access 'a,b': \\\"No\\\" such file\",\"exit_code\":2,"
	"\"latency_ms\":24,\"latency_source\":\"duration_ms\",\"params\":"
	"\"{\\\"command\\\":\\\"ls 'a,b'\\\"}\",\"params_fp\":\"00112233445566778899aabbccddeeff\","
	"\"response_bytes\":null,\"redactions\":0,\"truncations\":0,\"cwd\":\"/home/u/p\","
	"\"transcript_path\":null,\"permission_mode\":\"default\",\"agent_id\":null,"
	"\"agent_type\":null,\"parse_error\":null,\"input_bytes\":null}\n"
	"{\"host\":\"host<1>\",\"user\":\"u\\\"ser\",\"seq\":1,\"v\":1,\"timestamp\":"
	"\"2025-11-21T14:00:01.000Z\",\"time\":\"2025-11-21 14:00:01\",\"time_ms\":0,\"event\":"
	"\"AfterTool\",\"agent\":\"gemini-cli\",\"session_id\":\"s2\",\"prompt_id\":null,"
	"\"tool_use_id\":null,\"tool_name\":\"Read\",\"outcome\":\"success\",\"error\":null,"
	"\"exit_code\":null,\"latency_ms\":10.5,\"latency_source\":null,\"params\":"
	"\"{\\\"file_path\\\":\\\"/x\\\"}\",\"params_fp\":null,\"response_bytes\":512,"
	"\"redactions\":1,\"truncations\":0,\"cwd\":null,\"transcript_path\":null,"
	"\"permission_mode\":null,\"agent_id\":null,\"agent_type\":null,\"parse_error\":null,"
	"\"input_bytes\":null}\n"
	"{\"host\":\"host<1>\",\"user\":\"u\\\"ser\",\"seq\":2,\"v\":1,\"timestamp\":"
	"\"2025-11-21T14:00:02.000Z\",\"time\":\"2025-11-21 14:00:02\",\"time_ms\":0,\"event\":"
	"\"PostToolUseFailure\",\"agent\":\"claude-code\",\"session_id\":\"s1\",\"prompt_id\":null,"
	"\"tool_use_id\":null,\"tool_name\":\"Bash\",\"outcome\":\"interrupted\",\"error\":"
	"\"Interrupted\\nby user\",\"exit_code\":null,\"latency_ms\":null,\"latency_source\":null,"
	"\"params\":null,\"params_fp\":null,\"response_bytes\":null,\"redactions\":null,"
	"\"truncations\":null,\"cwd\":null,\"transcript_path\":null,\"permission_mode\":null,"
	"\"agent_id\":null,\"agent_type\":null,\"parse_error\":null,\"input_bytes\":null}\n"
	"{\"host\":\"host<1>\",\"user\":\"u\\\"ser\",\"seq\":3,\"v\":0,\"timestamp\":"
	"\"2025-11-21T15:00:00.000Z\",\"time\":\"2025-11-21 15:00:00\",\"time_ms\":0,\"event\":null,"
	"\"agent\":null,\"session_id\":null,\"prompt_id\":null,\"tool_use_id\":null,\"tool_name\":"
	"\"Edit\",\"outcome\":\"success\",\"error\":null,\"exit_code\":null,\"latency_ms\":null,"
	"\"latency_source\":null,\"params\":null,\"params_fp\":null,\"response_bytes\":null,"
	"\"redactions\":null,\"truncations\":null,\"cwd\":null,\"transcript_path\":null,"
	"\"permission_mode\":null,\"agent_id\":null,\"agent_type\":null,\"parse_error\":null,"
	"\"input_bytes\":null}\n"
	"{\"host\":\"host<1>\",\"user\":\"u\\\"ser\",\"seq\":4,\"v\":1,\"timestamp\":null,"
	"\"time\":\"1970-01-01 00:00:00\",\"time_ms\":0,\"event\":\"PostToolUse\",\"agent\":null,"
	"\"session_id\":\"true\",\"prompt_id\":null,\"tool_use_id\":null,\"tool_name\":\"Bash\","
	"\"outcome\":\"success\",\"error\":null,\"exit_code\":null,\"latency_ms\":null,"
	"\"latency_source\":null,\"params\":\"\\\"ls\\\\n\\\"\",\"params_fp\":null,"
	"\"response_bytes\":2,\"redactions\":null,\"truncations\":null,\"cwd\":null,"
	"\"transcript_path\":null,\"permission_mode\":null,\"agent_id\":null,\"agent_type\":null,"
	"\"parse_error\":null,\"input_bytes\":4096}\n";

static void test_clickhouse(void)
{
	const char *recs[NRECS + 1];
	struct sink s = {.writes = 0, .fail_at = 0};
	struct et_export_opts o = opts(ET_EXPORT_CLICKHOUSE, &s);
	struct et_export *x;
	cJSON *row;
	size_t n;
	int r;

	memcpy(recs, all_recs, sizeof(all_recs));
	recs[NRECS] = rec_odd;
	et_buf_init(&s.out, 1 << 20);
	x = et_export_create(&o);
	r = feed(x, recs, NRECS + 1);
	tap_ok(r == 0 && et_export_end(x) == 0, "clickhouse: exported");
	tap_is_str(s.out.data, ch_want,
		   "clickhouse: one row a line, every column, typed; nulls kept; a wrong type null "
		   "(or its JSON text for a string column); no timestamp: null and 1970");
	tap_ok(et_export_records(x) == 5 && et_export_lines(x) == 5,
	       "clickhouse: 5 calls, 5 rows (the batch record skipped)");
	row = cJSON_Parse(s.out.data);
	tap_ok(row && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "params")) &&
		       cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(row, "prompt_id")),
	       "clickhouse: a row is JSON; params a string, a null a null");
	cJSON_Delete(row);
	et_export_destroy(x);

	/* Without host and user: empty strings (the columns are not Nullable). */
	et_buf_reset(&s.out);
	o.otlp.host_name = NULL;
	o.otlp.user_name = NULL;
	x = et_export_create(&o);
	feed(x, all_recs, 1);
	tap_ok(!strncmp(s.out.data, "{\"host\":\"\",\"user\":\"\",\"seq\":0,",
			strlen("{\"host\":\"\",\"user\":\"\",\"seq\":0,")),
	       "clickhouse: no host or user: \"\"");
	et_export_destroy(x);

	/* The writer's error stops the export; nothing is counted. */
	r = export_failing(&o, &s, 1, &n);
	tap_ok(r == -EIO && n == 0, "clickhouse: a failed write of the first row is returned (%d)",
	       r);
	et_buf_finish(&s.out);
}

int main(void)
{
	/* rec_old's naive time is local time: fix the zone. */
	setenv("TZ", "UTC", 1);
	tzset();
	test_csv();
	test_otlp();
	test_otlp_batches();
	test_clickhouse();
	return tap_done();
}
