/*
 * et_traces: tool calls as OTLP JSON traces with the GenAI semantic conventions. The idea is that
 * nothing needs the whole log in memory: an execute_tool span is complete the moment its record is
 * read (start = timestamp - latency, end = timestamp), and its parent's id is a hash of the
 * session id (and the subagent's id), known before the parent itself is written. So tool spans
 * stream out in bounded lines, and only one small entry per session and subagent is kept, growing
 * its time range, until et_traces_end writes the invoke_agent spans. Ids are BLAKE2b hashes of
 * the session id and the call's tool_use_id (or the response's message id), so exporting the same
 * log twice gives the same ids.
 */
#include "et_traces.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_errclass.h"
#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_json.h"
#include "et_otlp.h"
#include "et_render.h"
#include "et_scan.h"

#include "banned.h"

#define NS_PER_MS 1000000LL

/* OTLP Span.SpanKind and Status.StatusCode. */
#define KIND_INTERNAL 1
#define KIND_CLIENT 3
#define STATUS_ERROR 2

/* An invoke_agent span to write at the end: a session, or a subagent of one. */
struct agent {
	uint8_t trace[16], span[8], parent[8];
	bool sub;      /* a subagent: parent is its session's span */
	char *session; /* owned, decoded */
	char *name;    /* owned: gen_ai.agent.name (the agent, or the subagent's type) */
	char *id;      /* owned: a subagent's agent_id, or NULL */
	char *group;   /* owned: the resource's agent */
	bool has_time;
	int64_t start_ns, end_ns;
};

struct et_traces {
	struct et_traces_opts o;
	struct et_buf span, tmp, tmp2, key;
	struct et_otlp_lines otlp; /* the pending line, the spans and lines written */
	struct et_hmap agent_map;  /* "session\0agent_id" -> index into agents */
	struct agent *agents;
	size_t nagents, aalloc;
	struct et_hmap paths; /* transcript_path values */
};

struct et_traces *et_traces_create(const struct et_traces_opts *o)
{
	struct et_traces *t = calloc(1, sizeof(*t));

	if (!t) {
		return NULL;
	}
	t->o = *o;
	et_otlp_lines_init(&t->otlp, &o->otlp, ET_OTLP_TRACES);
	et_buf_init(&t->span, ET_BUF_DEFAULT_CAP * 4);
	et_buf_init(&t->tmp, ET_BUF_DEFAULT_CAP * 2);
	et_buf_init(&t->tmp2, ET_BUF_DEFAULT_CAP * 2);
	et_buf_init(&t->key, ET_BUF_DEFAULT_CAP);
	et_hmap_init(&t->agent_map);
	et_hmap_init(&t->paths);
	return t;
}

/* ---- ids ---- */

static void hash_parts(const char *tag, const char *s, size_t sn, const char *key, size_t kn,
		       uint8_t *out, size_t outn)
{
	crypto_generichash_state st;
	uint8_t h[16];
	size_t i;
	bool zero = true;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag) + 1);
	crypto_generichash_update(&st, (const uint8_t *)s, sn);
	if (key) {
		crypto_generichash_update(&st, (const uint8_t *)"", 1);
		crypto_generichash_update(&st, (const uint8_t *)key, kn);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(out, h, outn);
	for (i = 0; i < outn; i++) {
		zero = zero && out[i] == 0;
	}
	if (zero) {
		/* An all-zero id is invalid in OTLP. */
		out[outn - 1] = 1;
	}
}

void et_traces_trace_id(const char *s, size_t sn, uint8_t trace[16])
{
	hash_parts("trace", s, sn, NULL, 0, trace, 16);
}

void et_traces_span_id(const char *tag, const char *s, size_t sn, const char *key, size_t kn,
		       uint8_t span[8])
{
	hash_parts(tag, s, sn, key, kn, span, 8);
}

void et_traces_call_id(const struct et_record_in *rec, struct et_buf *tmp, uint8_t span[8])
{
	size_t sn, kn;
	const char *s, *k;
	struct et_buf tmp2;

	et_buf_init(&tmp2, ET_BUF_DEFAULT_CAP);
	et_buf_reset(tmp);
	s = et_span_key(rec->session, tmp, "", &sn);
	if (rec->tool_use_id.p) {
		k = et_span_key(rec->tool_use_id, &tmp2, "", &kn);
	} else {
		k = rec->line;
		kn = rec->line_len;
	}
	et_traces_span_id("tool", s, sn, k, kn, span);
	et_buf_finish(&tmp2);
}

static int add_hex(struct et_buf *b, const uint8_t *id, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		et_buf_addch(b, digits[id[i] >> 4]);
		r = et_buf_addch(b, digits[id[i] & 15]);
	}
	return r;
}

/* ---- lines ---- */

/*
 * Adds the span built in t->span to the pending line of resource @agent, writing the line first
 * when it would grow past its bounds; asks the filter first (@kind, @id, @ts_ms).
 */
static int push_span(struct et_traces *t, const char *agent, enum et_span_kind kind,
		     const uint8_t id[8], int64_t ts_ms)
{
	int r;

	if (t->span.failed) {
		return -ENOMEM;
	}
	if (t->o.want) {
		/* Asked after making room, so that what it accepts is exactly the next line. */
		r = et_otlp_lines_fit(&t->otlp, agent, t->span.len);
		if (r < 0) {
			return r;
		}
		if (!t->o.want(t->o.want_ctx, kind, id, ts_ms)) {
			return 0;
		}
	}
	return et_otlp_lines_add(&t->otlp, agent, t->span.data, t->span.len);
}

/* Opens a span in t->span, up to the opening of its attributes. */
static void span_open(struct et_traces *t, const uint8_t trace[16], const uint8_t span[8],
		      const uint8_t *parent, const char *name, size_t name_len, int kind,
		      bool has_time, int64_t start_ns, int64_t end_ns)
{
	struct et_buf *b = &t->span;

	et_buf_reset(b);
	et_buf_adds(b, "{\"traceId\":\"");
	add_hex(b, trace, 16);
	et_buf_adds(b, "\",\"spanId\":\"");
	add_hex(b, span, 8);
	if (parent) {
		et_buf_adds(b, "\",\"parentSpanId\":\"");
		add_hex(b, parent, 8);
	}
	et_buf_adds(b, "\",\"name\":");
	et_json_str(b, name, name_len);
	et_buf_addf(b, ",\"kind\":%d", kind);
	if (has_time) {
		et_buf_addf(b, ",\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"",
			    (long long)start_ns, (long long)end_ns);
	}
	et_buf_adds(b, ",\"attributes\":[");
}

/* ---- agents ---- */

static void widen(struct agent *a, bool has_time, int64_t start_ns, int64_t end_ns)
{
	if (!has_time) {
		return;
	}
	if (!a->has_time || start_ns < a->start_ns) {
		a->start_ns = start_ns;
	}
	if (!a->has_time || end_ns > a->end_ns) {
		a->end_ns = end_ns;
	}
	a->has_time = true;
}

/*
 * The agent entry of session @s (@sn bytes, decoded) and agent id @id (NULL: the session itself),
 * created with @name and @group when new. Returns its index, or -ENOMEM.
 */
static long agent_get(struct et_traces *t, const char *s, size_t sn, const char *id, size_t idn,
		      const char *name, size_t name_len, const char *group, bool create)
{
	struct agent *a;
	bool added = false;
	long i;

	et_buf_reset(&t->key);
	et_buf_add(&t->key, s, sn);
	et_buf_addch(&t->key, '\0');
	if (id) {
		et_buf_add(&t->key, id, idn);
	}
	if (t->key.failed) {
		return -ENOMEM;
	}
	i = et_hmap_get(&t->agent_map, t->key.data, t->key.len, create, &added);
	if (i < 0) {
		return create ? -ENOMEM : -ENOENT;
	}
	if (!added) {
		return i;
	}
	if (t->nagents == t->aalloc) {
		size_t n = t->aalloc ? t->aalloc * 2 : 64;
		struct agent *v = realloc(t->agents, n * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		t->agents = v;
		t->aalloc = n;
	}
	a = &t->agents[t->nagents];
	memset(a, 0, sizeof(*a));
	a->session = strndup(s, sn);
	a->name = strndup(name, name_len);
	a->group = strdup(group);
	a->sub = id != NULL;
	if (id) {
		a->id = strndup(id, idn);
	}
	if (!a->session || !a->name || !a->group || (id && !a->id)) {
		free(a->session);
		free(a->name);
		free(a->group);
		free(a->id);
		return -ENOMEM;
	}
	et_traces_trace_id(s, sn, a->trace);
	et_traces_span_id("agent", s, sn, id, idn, a->span);
	if (id) {
		et_traces_span_id("agent", s, sn, NULL, 0, a->parent);
	}
	t->nagents++;
	return i;
}

/* Decodes the string member @key of @mem into @out; false when absent or not a string. */
static bool member_str(const struct et_scan_member *mem, size_t count, const char *key,
		       struct et_buf *out)
{
	const struct et_scan_member *m = et_scan_find(mem, count, key);

	et_buf_reset(out);
	return m && m->type == '"' &&
	       et_jdoc_decode(m->val + 1, m->val_len - 2, m->escaped, out) == 0 && !out->failed;
}

static int remember_path(struct et_traces *t, const struct et_scan_member *mem, size_t count)
{
	if (!member_str(mem, count, "transcript_path", &t->tmp2) || !t->tmp2.len ||
	    memchr(t->tmp2.data, '\0', t->tmp2.len)) {
		return 0;
	}
	return et_hmap_get(&t->paths, t->tmp2.data, t->tmp2.len, true, NULL) < 0 ? -ENOMEM : 0;
}

/* ---- tool calls ---- */

static const char *error_type(const struct et_record_in *rec, const char *tool, struct et_buf *tmp)
{
	if (rec->outcome == ET_OUT_INTERRUPTED) {
		return "interrupted";
	}
	et_buf_reset(tmp);
	if (rec->error.p && et_span_decode(rec->error, tmp) == 0) {
		return et_errclass_name(et_errclass_classify(tool, tmp->data, tmp->len));
	}
	return et_errclass_name(et_errclass_classify(tool, "", 0));
}

int et_traces_add(void *traces, const struct et_record_in *rec)
{
	struct et_traces *t = traces;
	struct et_scan_member mem[ET_OTLP_MAX_MEMBERS];
	const struct et_scan_member *m;
	size_t count, sn;
	struct agent *a;
	char *session = NULL, *group = NULL, *tool = NULL;
	uint8_t span[8];
	int64_t start_ns = 0, end_ns = 0;
	long si, ai;
	bool first = true, has_time;
	int r;

	r = et_otlp_call_members(rec, mem, &count);
	if (r <= 0) {
		return r;
	}
	r = -ENOMEM;
	et_buf_reset(&t->tmp);
	if (rec->session.p) {
		et_span_decode(rec->session, &t->tmp);
	}
	sn = t->tmp.len;
	session = t->tmp.failed ? NULL : strndup(t->tmp.data, sn);
	group = member_str(mem, count, "agent", &t->tmp2) ? strndup(t->tmp2.data, t->tmp2.len)
							  : strdup("unknown");
	et_buf_reset(&t->tmp);
	if (rec->tool.p) {
		et_span_decode(rec->tool, &t->tmp);
	} else {
		et_buf_adds(&t->tmp, "(unknown)");
	}
	tool = t->tmp.failed ? NULL : strndup(t->tmp.data, t->tmp.len);
	if (!session || !group || !tool) {
		goto out;
	}
	if ((r = remember_path(t, mem, count)) < 0) {
		goto out;
	}
	has_time = rec->has_ts && rec->ts_ms >= 0 && rec->ts_ms < INT64_MAX / NS_PER_MS;
	if (has_time) {
		end_ns = rec->ts_ms * NS_PER_MS;
		start_ns = end_ns;
		if (rec->has_latency) {
			start_ns -= (int64_t)llround(rec->latency_ms * NS_PER_MS);
		}
		if (start_ns < 0) {
			start_ns = 0;
		}
	}
	/* The session, then the subagent when the record names one. */
	si = agent_get(t, session, sn, NULL, 0, group, strlen(group), group, true);
	if (si < 0) {
		r = (int)si;
		goto out;
	}
	widen(&t->agents[si], has_time, start_ns, end_ns);
	ai = si;
	if (member_str(mem, count, "agent_id", &t->tmp2) && t->tmp2.len) {
		char *id = strndup(t->tmp2.data, t->tmp2.len);
		size_t idn = t->tmp2.len;

		if (!id) {
			goto out;
		}
		if (!member_str(mem, count, "agent_type", &t->tmp2) || !t->tmp2.len) {
			et_buf_reset(&t->tmp2);
			et_buf_adds(&t->tmp2, "subagent");
		}
		ai = agent_get(t, session, sn, id, idn, t->tmp2.data, t->tmp2.len, group, true);
		free(id);
		if (ai < 0) {
			r = (int)ai;
			goto out;
		}
		widen(&t->agents[ai], has_time, start_ns, end_ns);
	}
	a = &t->agents[ai];
	et_traces_call_id(rec, &t->tmp, span);
	et_buf_reset(&t->tmp);
	et_buf_adds(&t->tmp, "execute_tool ");
	et_buf_adds(&t->tmp, tool);
	span_open(t, a->trace, span, a->span, t->tmp.data, t->tmp.len, KIND_INTERNAL, has_time,
		  start_ns, end_ns);
	et_otlp_attr_strz(&t->span, &first, "gen_ai.operation.name", "execute_tool");
	et_otlp_attr_strz(&t->span, &first, "gen_ai.tool.name", tool);
	if (rec->tool_use_id.p) {
		et_buf_reset(&t->tmp);
		et_span_decode(rec->tool_use_id, &t->tmp);
		et_otlp_attr_str(&t->span, &first, "gen_ai.tool.call.id", t->tmp.data, t->tmp.len);
	}
	et_otlp_attr_strz(&t->span, &first, "gen_ai.tool.type",
			  strncmp(tool, "mcp__", 5) == 0 ? "extension" : "function");
	et_otlp_attr_str(&t->span, &first, "gen_ai.conversation.id", session, sn);
	et_otlp_attr_strz(&t->span, &first, "gen_ai.agent.name", a->name);
	if (a->id) {
		et_otlp_attr_strz(&t->span, &first, "gen_ai.agent.id", a->id);
	}
	et_otlp_attr_strz(&t->span, &first, "execution_telemetry.outcome",
			  et_render_outcome(rec->outcome, "interrupted"));
	if (rec->outcome != ET_OUT_SUCCESS) {
		et_otlp_attr_strz(&t->span, &first, "error.type", error_type(rec, tool, &t->tmp));
	}
	m = et_scan_find(mem, count, "exit_code");
	if (m && m->type == 'n' && m->val[0] != 'n' && m->val[0] != 't' && m->val[0] != 'f') {
		char num[24];
		long long v;

		snprintf(num, sizeof(num), "%.*s", (int)(m->val_len < 23 ? m->val_len : 23),
			 m->val);
		v = strtoll(num, NULL, 10);
		et_otlp_attr_int(&t->span, &first, "process.exit.code", v);
	}
	if (t->o.include_params && rec->params && rec->params_len) {
		et_otlp_attr_str(&t->span, &first, "gen_ai.tool.call.arguments", rec->params,
				 rec->params_len);
	}
	et_buf_adds(&t->span, "]");
	if (rec->outcome != ET_OUT_SUCCESS) {
		et_buf_addf(&t->span, ",\"status\":{\"code\":%d", STATUS_ERROR);
		if (t->o.include_params && rec->error.p) {
			et_buf_reset(&t->tmp);
			et_span_decode(rec->error, &t->tmp);
			et_buf_adds(&t->span, ",\"message\":");
			et_json_str(&t->span, t->tmp.data, t->tmp.len);
		}
		et_buf_adds(&t->span, "}");
	}
	et_buf_adds(&t->span, "}");
	r = push_span(t, group, ET_SPAN_TOOL, span, has_time ? rec->ts_ms : 0);
out:
	free(session);
	free(group);
	free(tool);
	return r;
}

/* ---- chat ---- */

int et_traces_add_chat(void *traces, const struct et_usage_response *res)
{
	struct et_traces *t = traces;
	struct agent *a;
	uint8_t span[8];
	char req[24];
	bool first = true, has_time;
	int64_t ns = 0;
	long i = agent_get(t, res->session, res->session_len, NULL, 0, "", 0, "", false);

	if (i == -ENOENT) {
		return 0; /* a session without calls in this export */
	}
	if (i < 0) {
		return (int)i;
	}
	if (res->agent_id_len) {
		long j = agent_get(t, res->session, res->session_len, res->agent_id,
				   res->agent_id_len, "", 0, "", false);

		if (j >= 0) {
			i = j;
		} else if (j != -ENOENT) {
			return (int)j;
		}
	}
	a = &t->agents[i];
	if (res->msg_id) {
		snprintf(req, sizeof(req), "%016llx", (unsigned long long)res->request_hash);
		et_buf_reset(&t->key);
		et_buf_add(&t->key, res->msg_id, res->msg_id_len);
		et_buf_addch(&t->key, '\0');
		et_buf_adds(&t->key, req);
	} else {
		et_buf_reset(&t->key);
		et_buf_addf(&t->key, "#%zu", res->index);
	}
	if (t->key.failed) {
		return -ENOMEM;
	}
	et_traces_span_id("chat", res->session, res->session_len, t->key.data, t->key.len, span);
	has_time = res->has_ts && res->ts_ms >= 0 && res->ts_ms < INT64_MAX / NS_PER_MS;
	if (has_time) {
		ns = res->ts_ms * NS_PER_MS;
		widen(a, true, ns, ns);
		if (a->sub) {
			long s = agent_get(t, res->session, res->session_len, NULL, 0, "", 0, "",
					   false);

			if (s >= 0) {
				widen(&t->agents[s], true, ns, ns);
			}
		}
	}
	et_buf_reset(&t->tmp);
	et_buf_adds(&t->tmp, "chat ");
	et_buf_add(&t->tmp, res->model, res->model_len);
	span_open(t, a->trace, span, a->span, t->tmp.data, t->tmp.len, KIND_CLIENT, has_time, ns,
		  ns);
	et_otlp_attr_strz(&t->span, &first, "gen_ai.operation.name", "chat");
	et_otlp_attr_strz(&t->span, &first, "gen_ai.provider.name", "anthropic");
	et_otlp_attr_str(&t->span, &first, "gen_ai.request.model", res->model, res->model_len);
	et_otlp_attr_str(&t->span, &first, "gen_ai.response.model", res->model, res->model_len);
	if (res->msg_id) {
		et_otlp_attr_str(&t->span, &first, "gen_ai.response.id", res->msg_id,
				 res->msg_id_len);
	}
	et_otlp_attr_str(&t->span, &first, "gen_ai.conversation.id", res->session,
			 res->session_len);
	/* The conventions count every input token, cached or not, in input_tokens. */
	et_otlp_attr_int(&t->span, &first, "gen_ai.usage.input_tokens",
			 (long long)(res->u.input + res->u.cache_read + res->u.cache_create));
	et_otlp_attr_int(&t->span, &first, "gen_ai.usage.output_tokens", (long long)res->u.output);
	et_otlp_attr_int(&t->span, &first, "gen_ai.usage.cache_read.input_tokens",
			 (long long)res->u.cache_read);
	et_otlp_attr_int(&t->span, &first, "gen_ai.usage.cache_creation.input_tokens",
			 (long long)res->u.cache_create);
	et_buf_adds(&t->span, "]}");
	return push_span(t, a->group, ET_SPAN_CHAT, span, has_time ? res->ts_ms : 0);
}

/* ---- the end ---- */

int et_traces_end(struct et_traces *t)
{
	size_t i;
	int r = 0;

	for (i = 0; i < t->nagents && r == 0; i++) {
		const struct agent *a = &t->agents[i];
		bool first = true;

		et_buf_reset(&t->tmp);
		et_buf_adds(&t->tmp, "invoke_agent ");
		et_buf_adds(&t->tmp, a->name);
		span_open(t, a->trace, a->span, a->sub ? a->parent : NULL, t->tmp.data, t->tmp.len,
			  KIND_INTERNAL, a->has_time, a->start_ns, a->end_ns);
		et_otlp_attr_strz(&t->span, &first, "gen_ai.operation.name", "invoke_agent");
		et_otlp_attr_strz(&t->span, &first, "gen_ai.agent.name", a->name);
		if (a->id) {
			et_otlp_attr_strz(&t->span, &first, "gen_ai.agent.id", a->id);
		}
		et_otlp_attr_strz(&t->span, &first, "gen_ai.conversation.id", a->session);
		et_buf_adds(&t->span, "]}");
		r = push_span(t, a->group, ET_SPAN_AGENT, a->span,
			      a->has_time ? a->end_ns / NS_PER_MS : 0);
	}
	return r ? r : et_otlp_lines_flush(&t->otlp);
}

int et_traces_transcripts(const struct et_traces *t, int (*fn)(void *ctx, const char *path),
			  void *ctx)
{
	size_t i, n;
	int r;

	for (i = 0; i < t->paths.n; i++) {
		/* Keys are stored NUL-terminated. */
		r = fn(ctx, et_hmap_key(&t->paths, i, &n));
		if (r < 0) {
			return r;
		}
	}
	return 0;
}

size_t et_traces_spans(const struct et_traces *t)
{
	return t->otlp.items;
}

size_t et_traces_lines(const struct et_traces *t)
{
	return t->otlp.lines;
}

size_t et_traces_pending(const struct et_traces *t)
{
	return t->otlp.in_line;
}

void et_traces_destroy(struct et_traces *t)
{
	size_t i;

	if (!t) {
		return;
	}
	et_otlp_lines_finish(&t->otlp);
	for (i = 0; i < t->nagents; i++) {
		free(t->agents[i].session);
		free(t->agents[i].name);
		free(t->agents[i].id);
		free(t->agents[i].group);
	}
	free(t->agents);
	et_hmap_finish(&t->agent_map);
	et_hmap_finish(&t->paths);
	et_buf_finish(&t->span);
	et_buf_finish(&t->tmp);
	et_buf_finish(&t->tmp2);
	et_buf_finish(&t->key);
	free(t);
}
