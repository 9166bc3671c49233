/*
 * et_export: tool calls as OpenTelemetry logs (OTLP JSON) or as CSV. The idea is to work from each
 * line's top-level members as the reader found them, so every field of a record, present and
 * future, is exported with its JSON type and nothing is parsed twice: strings are decoded and
 * re-escaped (the output is valid UTF-8 whatever the log holds), numbers keep their text, objects
 * become JSON text. ClickHouse rows are flat instead: a fixed set of typed columns (the table
 * docs/fleet-sql/create-local.sql declares), params as JSON text, nulls as nulls. OTLP lines are
 * batched by et_otlp: a resourceLogs per agent, written every ET_EXPORT_BATCH records or before a
 * line passes ET_EXPORT_LINE_BYTES, so memory stays bounded.
 */
#include "et_export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "et_jdoc.h"
#include "et_json.h"
#include "et_otlp.h"
#include "et_render.h"
#include "et_scan.h"
#include "et_time.h"

#include "banned.h"

#define MAX_ARRAY_NODES 65536

struct et_export {
	struct et_export_opts o;
	struct et_buf rec;	   /* the record being built */
	struct et_buf tmp;	   /* decoded strings */
	struct et_buf agent;	   /* the record's agent */
	struct et_otlp_lines otlp; /* otlp-json: the pending line, the records and lines written */
	size_t records, lines;	   /* csv and clickhouse */
	bool header_done;
	struct et_jdoc doc; /* array values */
};

/* The CSV columns, in order. */
static const char *const csv_columns[] = {
	"timestamp",   "event",		 "agent",   "session_id",      "prompt_id",
	"tool_use_id", "tool_name",	 "outcome", "error",	       "exit_code",
	"latency_ms",  "latency_source", "params",  "params_fp",       "response_bytes",
	"redactions",  "truncations",	 "cwd",	    "transcript_path", "permission_mode",
	"agent_id",    "agent_type",
};

/* Fields whose numbers are always integers (intValue) or always doubles (doubleValue). */
static const char *const int_fields[] = {
	"v", "exit_code", "response_bytes", "redactions", "truncations", "input_bytes",
};
static const char *const double_fields[] = {"latency_ms"};

enum kind {
	K_AUTO,	  /* by the number's text */
	K_INT,	  /* intValue whenever the value is a whole number */
	K_DOUBLE, /* doubleValue */
};

static bool in_list(const char *const *list, size_t n, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(list[i]) == len && !memcmp(list[i], key, len)) {
			return true;
		}
	}
	return false;
}

static enum kind kind_of(const char *key, size_t len)
{
	if (in_list(int_fields, sizeof(int_fields) / sizeof(int_fields[0]), key, len)) {
		return K_INT;
	}
	if (in_list(double_fields, sizeof(double_fields) / sizeof(double_fields[0]), key, len)) {
		return K_DOUBLE;
	}
	return K_AUTO;
}

struct et_export *et_export_create(const struct et_export_opts *o)
{
	struct et_export *x = calloc(1, sizeof(*x));

	if (!x) {
		return NULL;
	}
	x->o = *o;
	et_otlp_lines_init(&x->otlp, &o->otlp, ET_OTLP_LOGS);
	et_buf_init(&x->rec, ET_BUF_DEFAULT_CAP * 4);
	et_buf_init(&x->tmp, ET_BUF_DEFAULT_CAP * 2);
	et_buf_init(&x->agent, (size_t)1 << 20);
	return x;
}

/* ---- values ---- */

/*
 * Appends the decoding of the raw JSON string span @raw as a JSON string (re-escaped); @escaped
 * says whether the span holds a backslash.
 */
static int add_string(struct et_export *x, struct et_buf *b, const char *raw, size_t n,
		      bool escaped)
{
	int r;

	et_buf_reset(&x->tmp);
	r = et_jdoc_decode(raw, n, escaped, &x->tmp);
	return r ? r : et_json_str(b, x->tmp.data, x->tmp.len);
}

/* True when @t (@n bytes) is a JSON integer that fits an int64. */
static bool int64_text(const char *t, size_t n)
{
	char copy[24], *end;
	size_t i = t[0] == '-' ? 1 : 0;

	if (n == i || n >= sizeof(copy)) {
		return false;
	}
	for (; i < n; i++) {
		if (t[i] < '0' || t[i] > '9') {
			return false;
		}
	}
	memcpy(copy, t, n);
	copy[n] = '\0';
	errno = 0;
	(void)strtoll(copy, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Appends the AnyValue of the number @t (@n bytes of JSON number text). */
static int add_number(struct et_buf *b, const char *t, size_t n, enum kind k)
{
	char copy[64];
	double d;

	if (k != K_DOUBLE && int64_text(t, n)) {
		return et_buf_addf(b, "{\"intValue\":\"%.*s\"}", (int)n, t);
	}
	snprintf(copy, sizeof(copy), "%.*s", (int)(n < sizeof(copy) ? n : sizeof(copy) - 1), t);
	d = strtod(copy, NULL);
	if (n >= sizeof(copy) || !isfinite(d)) {
		/* No JSON double holds it: keep the text. */
		return et_buf_addf(b, "{\"stringValue\":\"%.*s\"}", (int)n, t);
	}
	if (k == K_INT && d == trunc(d) && fabs(d) < 9.2e18) {
		return et_buf_addf(b, "{\"intValue\":\"%lld\"}", (long long)d);
	}
	return et_buf_addf(b, "{\"doubleValue\":%.*s}", (int)n, t);
}

/* Appends an arrayValue for the JSON array text @t, or its text as a stringValue. */
static int add_array(struct et_export *x, struct et_buf *b, const char *t, size_t n)
{
	const struct et_jnode *nd;
	size_t i;
	int r;

	if (et_jdoc_parse(&x->doc, t, n, MAX_ARRAY_NODES) != 0 ||
	    x->doc.nodes[0].type != ET_J_ARRAY) {
		et_buf_adds(b, "{\"stringValue\":");
		et_json_str(b, t, n);
		return et_buf_addch(b, '}');
	}
	r = et_buf_adds(b, "{\"arrayValue\":{\"values\":[");
	for (i = et_jdoc_child(&x->doc, 0); i && r == 0; i = nd->next) {
		nd = &x->doc.nodes[i];
		if (i != 1) {
			et_buf_addch(b, ',');
		}
		switch (nd->type) {
		case ET_J_NULL:
			r = et_buf_adds(b, "{}");
			break;
		case ET_J_TRUE:
		case ET_J_FALSE:
			r = et_buf_addf(b, "{\"boolValue\":%s}",
					nd->type == ET_J_TRUE ? "true" : "false");
			break;
		case ET_J_NUMBER:
			r = add_number(b, nd->raw, nd->len, K_AUTO);
			break;
		case ET_J_STRING:
			et_buf_adds(b, "{\"stringValue\":");
			r = add_string(x, b, nd->raw, nd->len, nd->escaped);
			et_buf_addch(b, '}');
			break;
		default:
			et_buf_adds(b, "{\"stringValue\":");
			r = et_json_str(b, nd->raw, nd->len);
			et_buf_addch(b, '}');
			break;
		}
	}
	return r ? r : et_buf_adds(b, "]}}");
}

/* Appends one attribute {"key":…,"value":AnyValue} for member @m; nothing for a null. */
static int add_attribute(struct et_export *x, struct et_buf *b, const struct et_scan_member *m,
			 bool *first)
{
	int r;

	if (m->type == 'n' && m->val_len == 4 && !memcmp(m->val, "null", 4)) {
		return 0;
	}
	if (!*first) {
		et_buf_addch(b, ',');
	}
	*first = false;
	et_buf_adds(b, "{\"key\":");
	r = add_string(x, b, m->key, m->key_len, m->key_escaped);
	et_buf_adds(b, ",\"value\":");
	if (r < 0) {
		return r;
	}
	switch (m->type) {
	case '"':
		et_buf_adds(b, "{\"stringValue\":");
		r = add_string(x, b, m->val + 1, m->val_len - 2, m->escaped);
		et_buf_addch(b, '}');
		break;
	case '{':
		et_buf_adds(b, "{\"stringValue\":");
		r = et_json_str(b, m->val, m->val_len);
		et_buf_addch(b, '}');
		break;
	case '[':
		r = add_array(x, b, m->val, m->val_len);
		break;
	default:
		if (m->val[0] == 't' || m->val[0] == 'f') {
			r = et_buf_addf(b, "{\"boolValue\":%s}",
					m->val[0] == 't' ? "true" : "false");
		} else {
			r = add_number(b, m->val, m->val_len, kind_of(m->key, m->key_len));
		}
		break;
	}
	return r ? r : et_buf_addch(b, '}');
}

/*
 * True for a member the export leaves out although the line has it: a latency_ms the reader
 * found out of range (it said so, and a consumer must not chart 1e308 ms).
 */
static bool dropped(const struct et_record_in *rec, const struct et_scan_member *m)
{
	return rec->bad_latency && m->key_len == 10 && !memcmp(m->key, "latency_ms", 10);
}

/* ---- OTLP ---- */

/* Builds the logRecord of @rec in x->rec, and its agent in x->agent. */
static int build_log_record(struct et_export *x, const struct et_record_in *rec,
			    const struct et_scan_member *mem, size_t count)
{
	const struct et_scan_member *agent = et_scan_find(mem, count, "agent");
	struct et_buf *b = &x->rec;
	bool first = true;
	size_t i;
	int r = 0;

	et_buf_reset(b);
	et_buf_reset(&x->agent);
	if (agent && agent->type == '"') {
		r = et_jdoc_decode(agent->val + 1, agent->val_len - 2, agent->escaped, &x->agent);
	} else {
		r = et_buf_adds(&x->agent, "unknown");
	}
	if (r < 0) {
		return r;
	}
	et_buf_addch(b, '{');
	if (rec->has_ts && rec->ts_ms >= 0 && rec->ts_ms < INT64_MAX / 1000000) {
		et_buf_addf(b, "\"timeUnixNano\":\"%lld\",", (long long)rec->ts_ms * 1000000);
	}
	if (x->o.observed_ms > 0 && x->o.observed_ms < INT64_MAX / 1000000) {
		et_buf_addf(b, "\"observedTimeUnixNano\":\"%lld\",",
			    (long long)x->o.observed_ms * 1000000);
	}
	switch (rec->outcome) {
	case ET_OUT_SUCCESS:
		et_buf_addf(b, "\"severityNumber\":%d,\"severityText\":\"INFO\",",
			    ET_EXPORT_SEV_SUCCESS);
		break;
	case ET_OUT_INTERRUPTED:
		et_buf_addf(b, "\"severityNumber\":%d,\"severityText\":\"WARN\",",
			    ET_EXPORT_SEV_INTERRUPTED);
		break;
	default:
		et_buf_addf(b, "\"severityNumber\":%d,\"severityText\":\"ERROR\",",
			    ET_EXPORT_SEV_FAILURE);
		break;
	}
	et_buf_reset(&x->tmp);
	if (rec->tool.p) {
		r = et_span_decode(rec->tool, &x->tmp);
	} else {
		r = et_buf_adds(&x->tmp, "(unknown)");
	}
	if (r == 0) {
		r = et_buf_addf(&x->tmp, " %s", et_render_outcome(rec->outcome, "none"));
	}
	if (r < 0) {
		return r;
	}
	et_buf_adds(b, "\"body\":{\"stringValue\":");
	et_json_str(b, x->tmp.data, x->tmp.len);
	et_buf_adds(b, "},\"attributes\":[");
	for (i = 0; i < count && r == 0; i++) {
		if (!dropped(rec, &mem[i])) {
			r = add_attribute(x, b, &mem[i], &first);
		}
	}
	if (r == 0) {
		r = et_buf_adds(b, "]}");
	}
	return r ? r : (b->failed ? -ENOMEM : 0);
}

static int add_otlp(struct et_export *x, const struct et_record_in *rec,
		    const struct et_scan_member *mem, size_t count)
{
	int r = build_log_record(x, rec, mem, count);

	return r < 0 ? r : et_otlp_lines_add(&x->otlp, x->agent.data, x->rec.data, x->rec.len);
}

/* ---- CSV ---- */

/* Appends @s as one RFC 4180 field: quoted, with quotes doubled, when it holds , " CR or LF. */
static int csv_field(struct et_buf *b, const char *s, size_t n)
{
	size_t i;
	int r;

	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\r', n) &&
	    !memchr(s, '\n', n)) {
		return et_buf_add(b, s, n);
	}
	r = et_buf_addch(b, '"');
	for (i = 0; i < n && r == 0; i++) {
		r = s[i] == '"' ? et_buf_add(b, "\"\"", 2) : et_buf_addch(b, s[i]);
	}
	return r ? r : et_buf_addch(b, '"');
}

/*
 * Appends the text @s as a field a spreadsheet will not run (OWASP's advice on CSV injection):
 * text starting with = + - @ tab or CR, which a spreadsheet may take for a formula, is written
 * with a single quote in front, and quoted. Text starting with a single quote gets one more, so
 * that a reader removes exactly one leading quote from a text field to get the value back.
 */
static int csv_text(struct et_buf *b, const char *s, size_t n)
{
	size_t i;
	int r;

	if (n == 0 || !s[0] || !strchr("=+-@\t\r'", s[0])) {
		return csv_field(b, s, n);
	}
	r = et_buf_add(b, "\"'", 2);
	for (i = 0; i < n && r == 0; i++) {
		r = s[i] == '"' ? et_buf_add(b, "\"\"", 2) : et_buf_addch(b, s[i]);
	}
	return r ? r : et_buf_addch(b, '"');
}

static int csv_header(struct et_export *x)
{
	size_t i;
	int r;

	et_buf_reset(&x->rec);
	for (i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]); i++) {
		if (i) {
			et_buf_addch(&x->rec, ',');
		}
		et_buf_adds(&x->rec, csv_columns[i]);
	}
	r = et_buf_adds(&x->rec, "\r\n");
	if (r == 0) {
		r = x->o.otlp.write(x->o.otlp.write_ctx, x->rec.data, x->rec.len);
	}
	x->header_done = true;
	x->lines++;
	return r;
}

static int add_csv(struct et_export *x, const struct et_record_in *rec,
		   const struct et_scan_member *mem, size_t count)
{
	struct et_buf *b = &x->rec;
	char when[40];
	size_t i;
	int r = 0;

	if (!x->header_done && (r = csv_header(x)) < 0) {
		return r;
	}
	et_buf_reset(b);
	for (i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]) && r == 0; i++) {
		const struct et_scan_member *m = et_scan_find(mem, count, csv_columns[i]);

		if (i) {
			et_buf_addch(b, ',');
		}
		if (i == 0 && rec->has_ts) {
			/* One form for every record: the old plugin wrote local times without a zone. */
			et_time_format(rec->ts_ms, when, sizeof(when));
			r = et_buf_adds(b, when);
		} else if (!m || dropped(rec, m) ||
			   (m->type == 'n' && m->val_len == 4 && !memcmp(m->val, "null", 4))) {
			continue;
		} else if (m->type == '"') {
			et_buf_reset(&x->tmp);
			r = et_jdoc_decode(m->val + 1, m->val_len - 2, m->escaped, &x->tmp);
			if (r == 0) {
				r = csv_text(b, x->tmp.data, x->tmp.len);
			}
		} else {
			r = csv_field(b, m->val, m->val_len);
		}
	}
	if (r == 0) {
		r = et_buf_adds(b, "\r\n");
	}
	if (r == 0) {
		r = x->o.otlp.write(x->o.otlp.write_ctx, b->data, b->len);
	}
	if (r == 0) {
		x->records++;
		x->lines++;
	}
	return r;
}

/* ---- ClickHouse (JSONEachRow) ---- */

enum ch_type {
	CH_TEXT,    /* Nullable(String): a string decoded; another value as its JSON text */
	CH_JSON,    /* Nullable(String): the value's JSON text (params) */
	CH_INT,	    /* Nullable(Int64): a whole number that fits, else null */
	CH_OUTCOME, /* String: success, failure or interrupted */
	CH_LATENCY, /* Nullable(Float64): the latency the reader accepted, else null */
};

struct ch_column {
	const char *name;
	enum ch_type type;
};

/* The record's columns, after host, user, seq, v, timestamp, time and time_ms. */
static const struct ch_column ch_columns[] = {
	{"event", CH_TEXT},
	{"agent", CH_TEXT},
	{"session_id", CH_TEXT},
	{"prompt_id", CH_TEXT},
	{"tool_use_id", CH_TEXT},
	{"tool_name", CH_TEXT},
	{"outcome", CH_OUTCOME},
	{"error", CH_TEXT},
	{"exit_code", CH_INT},
	{"latency_ms", CH_LATENCY},
	{"latency_source", CH_TEXT},
	{"params", CH_JSON},
	{"params_fp", CH_TEXT},
	{"response_bytes", CH_INT},
	{"redactions", CH_INT},
	{"truncations", CH_INT},
	{"cwd", CH_TEXT},
	{"transcript_path", CH_TEXT},
	{"permission_mode", CH_TEXT},
	{"agent_id", CH_TEXT},
	{"agent_type", CH_TEXT},
	{"parse_error", CH_TEXT},
	{"input_bytes", CH_INT},
};

/* The largest time a DateTime holds (2105-12-31 23:59:59 UTC), in milliseconds. */
#define CH_DATETIME_MAX_MS (4291747199LL * 1000)

/* Appends the number member @m as an Int64, or null when it is not a whole number that fits. */
static int ch_int(struct et_buf *b, const struct et_scan_member *m)
{
	char copy[64];
	double d;

	if (m->type != 'n' || m->val[0] == 't' || m->val[0] == 'f' || m->val[0] == 'n') {
		return et_buf_adds(b, "null");
	}
	if (int64_text(m->val, m->val_len)) {
		return et_buf_add(b, m->val, m->val_len);
	}
	if (m->val_len >= sizeof(copy)) {
		return et_buf_adds(b, "null");
	}
	memcpy(copy, m->val, m->val_len);
	copy[m->val_len] = '\0';
	d = strtod(copy, NULL);
	if (!isfinite(d) || d != trunc(d) || fabs(d) >= 9.2e18) {
		return et_buf_adds(b, "null");
	}
	return et_buf_addf(b, "%lld", (long long)d);
}

/* Appends the value of column @c for @rec: the member @m (NULL when the line has none). */
static int ch_value(struct et_export *x, struct et_buf *b, const struct ch_column *c,
		    const struct et_record_in *rec, const struct et_scan_member *m)
{
	bool null = !m || (m->type == 'n' && m->val[0] == 'n');

	switch (c->type) {
	case CH_OUTCOME:
		return et_json_strz(b, et_render_outcome(rec->outcome, "none"));
	case CH_LATENCY:
		if (!rec->has_latency) {
			return et_buf_adds(b, "null");
		}
		/* The number's own text, so that the server parses what the reader parsed. */
		if (m && m->type == 'n' && !null) {
			return et_buf_add(b, m->val, m->val_len);
		}
		return et_json_num(b, rec->latency_ms);
	default:
		break;
	}
	if (null) {
		return et_buf_adds(b, "null");
	}
	if (c->type == CH_INT) {
		return ch_int(b, m);
	}
	if (c->type == CH_TEXT && m->type == '"') {
		return add_string(x, b, m->val + 1, m->val_len - 2, m->escaped);
	}
	return et_json_str(b, m->val, m->val_len);
}

/* Appends the timestamp, time and time_ms columns of @rec. */
static int ch_time(struct et_buf *b, const struct et_record_in *rec)
{
	char iso[ET_TIME_ISO_SIZE + 8];
	struct tm tm;
	time_t secs;

	if (!rec->has_ts) {
		return et_buf_adds(b, "\"timestamp\":null,\"time\":\"1970-01-01 00:00:00\","
				      "\"time_ms\":0");
	}
	et_time_format(rec->ts_ms, iso, sizeof(iso));
	et_buf_adds(b, "\"timestamp\":");
	et_json_strz(b, iso);
	if (rec->ts_ms < 0 || rec->ts_ms > CH_DATETIME_MAX_MS) {
		/* Out of DateTime's range: the string alone says when. */
		return et_buf_adds(b, ",\"time\":\"1970-01-01 00:00:00\",\"time_ms\":0");
	}
	secs = (time_t)(rec->ts_ms / 1000);
	if (!gmtime_r(&secs, &tm)) {
		return -EINVAL;
	}
	return et_buf_addf(b, ",\"time\":\"%04d-%02d-%02d %02d:%02d:%02d\",\"time_ms\":%d",
			   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			   tm.tm_sec, (int)(rec->ts_ms % 1000));
}

static int add_clickhouse(struct et_export *x, const struct et_record_in *rec,
			  const struct et_scan_member *mem, size_t count)
{
	struct et_buf *b = &x->rec;
	size_t i;
	int r;

	et_buf_reset(b);
	et_buf_adds(b, "{\"host\":");
	et_json_strz(b, x->o.otlp.host_name ? x->o.otlp.host_name : "");
	et_buf_adds(b, ",\"user\":");
	et_json_strz(b, x->o.otlp.user_name ? x->o.otlp.user_name : "");
	et_buf_addf(b, ",\"seq\":%zu,\"v\":%d,", x->records, rec->version);
	r = ch_time(b, rec);
	for (i = 0; i < sizeof(ch_columns) / sizeof(ch_columns[0]) && r == 0; i++) {
		const struct et_scan_member *m = et_scan_find(mem, count, ch_columns[i].name);

		et_buf_addch(b, ',');
		et_json_key(b, ch_columns[i].name);
		r = ch_value(x, b, &ch_columns[i], rec, m && !dropped(rec, m) ? m : NULL);
	}
	if (r == 0) {
		r = et_buf_adds(b, "}\n");
	}
	if (r == 0) {
		r = b->failed ? -ENOMEM : x->o.otlp.write(x->o.otlp.write_ctx, b->data, b->len);
	}
	if (r == 0) {
		x->records++;
		x->lines++;
	}
	return r;
}

/* ---- the entry points ---- */

int et_export_add(void *export, const struct et_record_in *rec)
{
	struct et_export *x = export;
	struct et_scan_member mem[ET_OTLP_MAX_MEMBERS];
	size_t count;
	int r = et_otlp_call_members(rec, mem, &count);

	if (r <= 0) {
		return r;
	}
	switch (x->o.format) {
	case ET_EXPORT_CSV:
		return add_csv(x, rec, mem, count);
	case ET_EXPORT_CLICKHOUSE:
		return add_clickhouse(x, rec, mem, count);
	default:
		return add_otlp(x, rec, mem, count);
	}
}

int et_export_end(struct et_export *x)
{
	if (x->o.format == ET_EXPORT_CSV) {
		return x->header_done ? 0 : csv_header(x);
	}
	return x->o.format == ET_EXPORT_CLICKHOUSE ? 0 : et_otlp_lines_flush(&x->otlp);
}

size_t et_export_records(const struct et_export *x)
{
	return x->records + x->otlp.items;
}

size_t et_export_lines(const struct et_export *x)
{
	return x->lines + x->otlp.lines;
}

size_t et_export_pending(const struct et_export *x)
{
	return x->otlp.in_line;
}

void et_export_destroy(struct et_export *x)
{
	if (!x) {
		return;
	}
	et_otlp_lines_finish(&x->otlp);
	et_buf_finish(&x->rec);
	et_buf_finish(&x->tmp);
	et_buf_finish(&x->agent);
	et_jdoc_finish(&x->doc);
	free(x);
}
