/*
 * et_logrec: from log lines to records, a client of the line engine (et_lines). The idea is that
 * the analyzer must read a year of logs in well under a second without building anything per
 * line: each line is validated by the top-level scanner and its fields are kept as spans into the
 * engine's chunk, and a time filter looks at the timestamp (the second field the hook writes)
 * before anything else.
 */
#include "et_logrec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "et_compat.h"
#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_scan.h"
#include "et_time.h"

#include "banned.h"

#define MAX_MEMBERS 48
#define MAX_VERSION 1000000

/*
 * The log's chunks are 2 MiB, not the engine's 8: a chunk in flight holds an item per line, and a
 * struct et_record_in is 600 bytes, more than a log line's 500 to 800, so six 8 MiB chunks of
 * kept records took 60 MiB of items on top of 48 MiB of mapped lines. At 2 MiB both shrink
 * fourfold, the items a worker writes are still in the cache when the consumer reads them, and
 * the extra hand-offs and mappings cost far less than the misses they save (a 776 MB log: peak
 * RSS 94 -> 31 MiB, CPU time down 15%).
 */
#define LOG_CHUNK ((size_t)2 << 20)

/* ---- time ---- */

/*
 * The hour of the last hook-written timestamp a thread read: the lines of a log come in time
 * order, so one after the other share their first 13 characters ("2026-11-20T17"), and with
 * them the part of the time that costs the most to compute. Per thread, as the engine's workers
 * parse concurrently.
 */
static _Thread_local struct {
	bool valid;
	char hour[13];
	int64_t ms; /* the time at "hour:00:00Z" */
} last_hour;

static bool two_digits(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') {
		return false;
	}
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/*
 * et_time_parse(@s, @n, ET_TIME_STAMP_FORMS, @ms), with the same result, faster for the form the
 * hook writes ("2026-11-20T17:26:01.668Z"): its hour is looked up in last_hour (et_time_parse
 * computes it on a miss) and the rest added, as et_time_parse adds it. Any other form goes to
 * et_time_parse.
 */
static int stamp_ms(const char *s, size_t n, int64_t *ms)
{
	char hour[20];
	int mi, sec, frac;

	if (n != 24 || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' ||
	    !two_digits(s + 14, &mi) || !two_digits(s + 17, &sec) || !two_digits(s + 20, &frac) ||
	    s[22] < '0' || s[22] > '9' || mi > 59 || sec > 60) {
		return et_time_parse(s, n, ET_TIME_STAMP_FORMS, ms);
	}
	frac = frac * 10 + (s[22] - '0');
	if (!last_hour.valid || memcmp(s, last_hour.hour, sizeof(last_hour.hour)) != 0) {
		memcpy(hour, s, 13);
		memcpy(hour + 13, ":00:00Z", 7);
		last_hour.valid = false;
		if (et_time_parse(hour, sizeof(hour), ET_TIME_STAMP_FORMS, &last_hour.ms) != 0) {
			return -EINVAL; /* so would et_time_parse be, for the whole stamp */
		}
		memcpy(last_hour.hour, s, sizeof(last_hour.hour));
		last_hour.valid = true;
	}
	*ms = last_hour.ms + mi * 60000LL + sec * 1000LL + frac;
	return 0;
}

/* ---- spans ---- */

bool et_span_eq(struct et_span s, const char *str)
{
	size_t n = strlen(str);
	struct et_buf b;
	bool eq;

	if (!s.p) {
		return false;
	}
	if (!s.escaped) {
		return s.n == n && memcmp(s.p, str, n) == 0;
	}
	et_buf_init(&b, s.n + 1);
	eq = et_jdoc_decode(s.p, s.n, true, &b) == 0 && b.len == n && memcmp(b.data, str, n) == 0;
	et_buf_finish(&b);
	return eq;
}

int et_span_decode(struct et_span s, struct et_buf *out)
{
	return s.p ? et_jdoc_decode(s.p, s.n, s.escaped, out) : 0;
}

const char *et_span_key(struct et_span s, struct et_buf *tmp, const char *fallback, size_t *n)
{
	if (!s.p) {
		*n = strlen(fallback);
		return fallback;
	}
	if (!s.escaped) {
		*n = s.n;
		return s.p;
	}
	et_buf_reset(tmp);
	et_span_decode(s, tmp);
	*n = tmp->len;
	return tmp->data;
}

/* ---- lines ---- */

static struct et_span string_span(const struct et_scan_member *m)
{
	struct et_span s = {NULL, 0, false};

	if (m->type == '"') {
		s.p = m->val + 1;
		s.n = m->val_len - 2;
		s.escaped = m->escaped;
	}
	return s;
}

static bool key_is(const struct et_scan_member *m, const char *k, size_t n)
{
	return m->key_len == n && memcmp(m->key, k, n) == 0;
}

#define KEY(m, lit) key_is((m), (lit), sizeof(lit) - 1)

/* True for a member whose value is a number (the scanner's 'n' is also null, true and false). */
static bool is_number(const struct et_scan_member *m)
{
	return m->type == 'n' && m->val_len &&
	       (m->val[0] == '-' || (m->val[0] >= '0' && m->val[0] <= '9'));
}

static bool parse_number(const struct et_scan_member *m, double *v)
{
	struct et_jnode nd;

	if (m->type != 'n') {
		return false;
	}
	memset(&nd, 0, sizeof(nd));
	nd.type = ET_J_NUMBER;
	nd.raw = m->val;
	nd.len = m->val_len;
	return et_jdoc_number(&nd, v);
}

/* A whole number from 0 to 2^53 (a byte count), or -1. */
static long long count_of(const struct et_scan_member *m)
{
	double v;

	if (!is_number(m) || !parse_number(m, &v) || !(v >= 0 && v <= 9007199254740992.0) ||
	    v != floor(v)) {
		return -1;
	}
	return (long long)v;
}

static const struct {
	const char *event;
	enum et_boundary b;
} boundaries[] = {
	{"SessionStart", ET_BND_SESSION_START},	  {"SessionEnd", ET_BND_SESSION_END},
	{"UserPromptSubmit", ET_BND_PROMPT},	  {"Stop", ET_BND_STOP},
	{"SubagentStart", ET_BND_SUBAGENT_START}, {"SubagentStop", ET_BND_SUBAGENT_STOP},
};

static enum et_boundary boundary_of(struct et_span event)
{
	size_t i;

	for (i = 0; event.p && i < sizeof(boundaries) / sizeof(boundaries[0]); i++) {
		if (et_span_eq(event, boundaries[i].event)) {
			return boundaries[i].b;
		}
	}
	return ET_BND_NONE;
}

int et_logrec_parse_line(const char *line, size_t n, struct et_record_in *rec)
{
	struct et_scan_member mem[MAX_MEMBERS];
	struct et_span outcome = {NULL, 0, false}, ts = {NULL, 0, false};
	bool has_tool_field = false, has_outcome_field = false, has_lat = false;
	size_t count, i;
	double v, lat = 0;

	memset(rec, 0, sizeof(*rec));
	rec->prompt_bytes = rec->message_bytes = -1;
	rec->line = line;
	rec->line_len = n;
	if (et_scan_object(line, n, mem, MAX_MEMBERS, &count) != ET_SCAN_OK) {
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		const struct et_scan_member *m = &mem[i];

		switch (m->key_len ? m->key[0] : 0) {
		case 'v':
			if (KEY(m, "v") && is_number(m)) {
				/* Logs come from other machines: no cast of a number out of range. */
				if (!parse_number(m, &v) ||
				    !(v >= 0 && v <= MAX_VERSION && v == floor(v))) {
					return -EINVAL;
				}
				rec->version = (int)v;
			}
			break;
		case 't':
			if (KEY(m, "timestamp")) {
				ts = string_span(m);
			} else if (KEY(m, "tool_name")) {
				rec->tool = string_span(m);
				has_tool_field = true;
			} else if (KEY(m, "tool_use_id")) {
				rec->tool_use_id = string_span(m);
			} else if (KEY(m, "tool_use_ids") && m->type == '[') {
				rec->ids = m->val;
				rec->ids_len = m->val_len;
			} else if (KEY(m, "transcript_path")) {
				rec->transcript_path = string_span(m);
			}
			break;
		case 'e':
			if (KEY(m, "event")) {
				rec->event = string_span(m);
			} else if (KEY(m, "error")) {
				rec->error = string_span(m);
			} else if (KEY(m, "exit_code") && is_number(m) && parse_number(m, &v) &&
				   v == floor(v) && v >= -2147483648.0 && v <= 2147483647.0) {
				rec->has_exit_code = true;
				rec->exit_code = (long long)v;
			}
			break;
		case 's':
			if (KEY(m, "session_id")) {
				rec->session = string_span(m);
			} else if (KEY(m, "source")) {
				rec->source = string_span(m);
			}
			break;
		case 'a':
			if (KEY(m, "agent")) {
				rec->agent = string_span(m);
			} else if (KEY(m, "agent_id")) {
				rec->agent_id = string_span(m);
			} else if (KEY(m, "agent_type")) {
				rec->agent_type = string_span(m);
			} else if (KEY(m, "agent_transcript_path")) {
				rec->agent_transcript_path = string_span(m);
			}
			break;
		case 'm':
			if (KEY(m, "model")) {
				rec->model = string_span(m);
			} else if (KEY(m, "message_bytes")) {
				rec->message_bytes = count_of(m);
			}
			break;
		case 'o':
			if (KEY(m, "outcome")) {
				outcome = string_span(m);
				has_outcome_field = true;
			}
			break;
		case 'l':
			if (KEY(m, "latency_ms") && is_number(m)) {
				has_lat = true;
				if (!parse_number(m, &lat)) {
					lat = -1; /* a number that cannot be read: out of range */
				}
			}
			break;
		case 'p':
			if (KEY(m, "params_fp")) {
				rec->params_fp = string_span(m);
			} else if (KEY(m, "prompt_id")) {
				rec->prompt_id = string_span(m);
			} else if (KEY(m, "prompt")) {
				rec->prompt = string_span(m);
			} else if (KEY(m, "prompt_bytes")) {
				rec->prompt_bytes = count_of(m);
			} else if (KEY(m, "params") && m->type == '{') {
				rec->params = m->val;
				rec->params_len = m->val_len;
			}
			break;
		case 'r':
			/* Only a whole number a double holds exactly; anything else is unknown. */
			if (KEY(m, "response_bytes") && is_number(m) && parse_number(m, &v) &&
			    v >= 0 && v <= 9007199254740992.0 && v == floor(v)) {
				rec->has_response_bytes = true;
				rec->response_bytes = (uint64_t)v;
			} else if (KEY(m, "reason")) {
				rec->reason = string_span(m);
			}
			break;
		case 'f':
			if (KEY(m, "feedback")) {
				rec->feedback = string_span(m);
			}
			break;
		case 'c':
			if (KEY(m, "cwd")) {
				rec->cwd = string_span(m);
			}
			break;
		default:
			break;
		}
	}
	if (!has_tool_field && !has_outcome_field && !rec->event.p) {
		return -EINVAL; /* valid JSON, but not a record */
	}
	if (has_lat) {
		/*
		 * A number a tool run cannot take (negative, over ET_LOGREC_MAX_LATENCY_MS, or
		 * beyond a double: strtod's infinity) is a wrong latency, not a slow call: the
		 * record stays, its latency is unknown, and the reader says so. A version-0 record
		 * (the old plugin's format, also written by other hooks) has a latency when it is not
		 * 0: the old plugin wrote 0 for "not measured".
		 */
		if (!(lat >= 0 && lat <= ET_LOGREC_MAX_LATENCY_MS)) {
			rec->bad_latency = true;
		} else if (rec->version > 0 || lat > 0) {
			rec->has_latency = true;
			rec->latency_ms = lat;
		}
	}
	if (ts.p && stamp_ms(ts.p, ts.n, &rec->ts_ms) == 0) {
		rec->has_ts = true;
	}
	if (outcome.p) {
		if (et_span_eq(outcome, "success")) {
			rec->outcome = ET_OUT_SUCCESS;
		} else if (et_span_eq(outcome, "failure")) {
			rec->outcome = ET_OUT_FAILURE;
		} else if (et_span_eq(outcome, "interrupted")) {
			rec->outcome = ET_OUT_INTERRUPTED;
		}
	}
	if (rec->outcome == ET_OUT_NONE && rec->ids && et_span_eq(rec->event, "PostToolBatch")) {
		rec->is_batch = true;
	}
	if (rec->outcome == ET_OUT_NONE && !rec->is_batch) {
		rec->boundary = boundary_of(rec->event);
	}
	return 0;
}

/* ---- filters ---- */

/*
 * The hook writes "timestamp" second: find it near the start of the line without parsing the
 * rest. Returns true and sets *@ms when found.
 */
static bool quick_time(const char *line, size_t n, int64_t *ms)
{
	static const char key[] = "\"timestamp\":\"";
	static const char head[] = "{\"v\":1,\"timestamp\":\"";
	size_t lim = n < 96 ? n : 96;
	const char *p, *q;

	/*
	 * The hook's own lines (any one-digit version): the time is at a fixed place, 24
	 * characters long.
	 */
	if (n > sizeof(head) + 24 && memcmp(line, head, 5) == 0 && line[5] >= '1' &&
	    line[5] <= '9' && memcmp(line + 6, head + 6, sizeof(head) - 7) == 0 &&
	    line[sizeof(head) - 1 + 24] == '"' && stamp_ms(line + sizeof(head) - 1, 24, ms) == 0) {
		return true;
	}
	p = et_memmem(line, lim, key, sizeof(key) - 1);
	if (!p) {
		return false;
	}
	p += sizeof(key) - 1;
	q = memchr(p, '"', (size_t)(line + n - p));
	return q && stamp_ms(p, (size_t)(q - p), ms) == 0;
}

static bool project_matches(struct et_span cwd, const char *project)
{
	size_t n = strlen(project);
	struct et_buf b;
	bool ok;

	if (!cwd.p) {
		return false;
	}
	et_buf_init(&b, cwd.n + 1);
	ok = et_jdoc_decode(cwd.p, cwd.n, cwd.escaped, &b) == 0 && b.len >= n &&
	     memcmp(b.data, project, n) == 0 && (b.len == n || b.data[n] == '/' || n == 1);
	et_buf_finish(&b);
	return ok;
}

static bool passes(const struct et_record_in *rec, const struct et_logrec_filter *f)
{
	if (!f) {
		return true;
	}
	if ((f->has_since || f->has_until) &&
	    (!rec->has_ts || (f->has_since && rec->ts_ms < f->since_ms) ||
	     (f->has_until && rec->ts_ms >= f->until_ms))) {
		return false;
	}
	if (f->session && !et_span_eq(rec->session, f->session)) {
		return false;
	}
	if (f->project && !project_matches(rec->cwd, f->project)) {
		return false;
	}
	if (f->tool && !rec->is_batch && !et_span_eq(rec->tool, f->tool)) {
		return false;
	}
	if (f->agent &&
	    !(rec->agent.p ? et_span_eq(rec->agent, f->agent) : !strcmp(f->agent, "claude-code"))) {
		return false;
	}
	return true;
}

/* ---- reading ---- */

/* Parses a line into a record on an engine worker (et_lines_parse_fn; @ctx: the filter or NULL). */
static int parse_rec(const void *ctx, const struct et_line *l, void *item)
{
	const struct et_logrec_filter *f = ctx;
	struct et_record_in *rec = item;
	int64_t ms;

	if (f && (f->has_since || f->has_until) && quick_time(l->p, l->n, &ms) &&
	    ((f->has_since && ms < f->since_ms) || (f->has_until && ms >= f->until_ms))) {
		return ET_LINE_SKIP; /* outside the window: not even parsed */
	}
	if (et_logrec_parse_line(l->p, l->n, rec) < 0) {
		return ET_LINE_MALFORMED;
	}
	if (!passes(rec, f)) {
		return ET_LINE_SKIP;
	}
	/* Hash the keys the aggregators look up here, on a worker, not on the consuming thread. */
	rec->session_hash = rec->session.p && !rec->session.escaped
				    ? et_hmap_hash(rec->session.p, rec->session.n)
				    : 0;
	rec->tool_hash =
		rec->tool.p && !rec->tool.escaped ? et_hmap_hash(rec->tool.p, rec->tool.n) : 0;
	rec->fp_hash = rec->params_fp.p ? et_hmap_hash(rec->params_fp.p, rec->params_fp.n) | 1 : 0;
	return ET_LINE_KEEP;
}

struct consumer {
	et_logrec_fn fn;
	void *ctx;
	size_t old_format, bad_latency;
};

/* Hands a record to the caller's callback, in log order (an et_lines_consume_fn). */
static int consume_rec(void *ctx, void *item)
{
	struct consumer *k = ctx;
	const struct et_record_in *rec = item;

	if (rec->version == 0) {
		k->old_format++;
	}
	if (rec->bad_latency) {
		k->bad_latency++;
	}
	return k->fn(k->ctx, rec);
}

int et_logrec_run(char *const *files, size_t n, const struct et_logrec_filter *f, et_logrec_fn fn,
		  void *ctx, struct et_logrec_stats *st, struct et_buf *err)
{
	struct consumer k = {fn, ctx, 0, 0};
	struct et_lines_client cl;
	struct et_lines_stats ls;
	int r;

	memset(&cl, 0, sizeof(cl));
	cl.parse = parse_rec;
	cl.parse_ctx = f;
	cl.consume = consume_rec;
	cl.consume_ctx = &k;
	cl.item_size = sizeof(struct et_record_in);
	cl.chunk_size = LOG_CHUNK;
	memset(&ls, 0, sizeof(ls));
	r = et_lines_run(files, n, &cl, &ls, err);
	st->lines += ls.lines;
	st->records += ls.items;
	st->skipped += ls.malformed;
	st->old_format += k.old_format;
	st->bad_latency += k.bad_latency;
	return r;
}
