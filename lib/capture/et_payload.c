/*
 * et_payload: from a hook payload to records.
 *
 * The idea is to parse only what is recorded. The top-level scanner (et_scan) validates the
 * payload and finds each member's span; small members are decoded straight from their spans,
 * tool_input and tool_calls are parsed into flat documents (et_jdoc) to fingerprint and redact
 * them, and tool_response, often the largest member, is never parsed into anything: its span's
 * length is all we keep of it.
 */
#include "et_payload.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "et_fp.h"
#include "et_jdoc.h"
#include "et_json.h"
#include "et_scan.h"

#include "banned.h"

#define MAX_MEMBERS 64
/* Containers in params keep this many items; the rest are summarised. */
#define PARAMS_MAX_ITEMS 100
/* The rendered params of one record may take at most this many bytes. */
#define PARAMS_MAX_BYTES ((size_t)64 << 10)
/* A tool input or batch with more values than this is not parsed (bounded memory). */
#define MAX_NODES 200000
#define TOOL_USE_ERROR_OPEN "<tool_use_error>"
#define TOOL_USE_ERROR_CLOSE "</tool_use_error>"

enum agent {
	AG_CLAUDE,
	AG_GEMINI,
	AG_CODEX,
	AG_CURSOR,
};

static const char *const agent_names[] = {"claude-code", "gemini-cli", "codex", "cursor"};

struct mapper {
	const struct et_map_opts *o;
	enum agent agent;
	const struct et_scan_member *m;
	size_t count;
	struct et_buf tmp;     /* cleaned strings */
	struct et_buf decoded; /* decoded strings */
};

/* Redacts and truncates @s into a new heap string, counting into @rec. NULL on failure. */
static char *clean(struct mapper *mp, const char *s, size_t n, struct et_record *rec)
{
	struct et_redact_stats st = {0, 0};
	char *p;

	et_buf_reset(&mp->tmp);
	if (et_redact_string(mp->o->redactor, s, n, mp->o->max_chars, &mp->tmp, &st) < 0) {
		return NULL;
	}
	rec->redactions += st.redactions;
	rec->truncations += st.truncations;
	p = malloc(mp->tmp.len + 1);
	if (p) {
		memcpy(p, mp->tmp.data, mp->tmp.len + 1);
	}
	return p;
}

/* Decodes string member @m's value into mp->decoded. Returns 0 or -errno. */
static int decode(struct mapper *mp, const struct et_scan_member *m)
{
	et_buf_reset(&mp->decoded);
	return et_jdoc_decode(m->val + 1, m->val_len - 2, m->escaped, &mp->decoded);
}

/* The string member @key, decoded and cleaned (or raw: decoded only), or NULL. */
static char *member_string(struct mapper *mp, const char *key, struct et_record *rec, bool raw)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	if (!mem || mem->type != '"' || decode(mp, mem) < 0) {
		return NULL;
	}
	if (raw) {
		char *p = malloc(mp->decoded.len + 1);

		if (p) {
			memcpy(p, mp->decoded.data, mp->decoded.len + 1);
		}
		return p;
	}
	return clean(mp, mp->decoded.data, mp->decoded.len, rec);
}

static bool member_number(struct mapper *mp, const char *key, double *v)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	struct et_jnode nd;

	if (!mem || mem->type != 'n') {
		return false;
	}
	memset(&nd, 0, sizeof(nd));
	nd.type = ET_J_NUMBER;
	nd.raw = mem->val;
	nd.len = mem->val_len;
	if (!et_jdoc_number(&nd, v) || *v < 0 || *v >= 1e12) {
		return false;
	}
	return true;
}

static bool member_true(struct mapper *mp, const char *key)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	return mem && mem->val_len == 4 && memcmp(mem->val, "true", 4) == 0;
}

bool et_payload_exit_code(const char *error, long long *code)
{
	static const char prefix[] = "Exit code ";
	char *end;
	long long v;

	if (!error || strncmp(error, prefix, sizeof(prefix) - 1) != 0 ||
	    !isdigit((unsigned char)error[sizeof(prefix) - 1])) {
		return false;
	}
	errno = 0;
	v = strtoll(error + sizeof(prefix) - 1, &end, 10);
	if (errno || (*end && *end != '\n' && *end != '\r')) {
		return false;
	}
	*code = v;
	return true;
}

/* ---- params ---- */

struct render {
	struct et_redactor *red;
	size_t max_chars;
	struct et_redact_stats *st;
	struct et_buf *out;
	const struct et_jdoc *d;
};

/*
 * Decodes a raw span, redacts and truncates it, and writes it as a JSON string. A long string is
 * decoded only as far as truncation can keep (plus what redaction needs to see past the cut),
 * doubling that prefix in the rare case redaction asks for more.
 */
static int render_raw_string(struct render *rd, const char *raw, size_t len, bool escaped)
{
	size_t want = 8 * (4 * rd->max_chars + ET_REDACT_MARGIN), pos = 0, chars = 0;
	struct et_buf dec, tmp;
	int r = -EAGAIN;

	et_buf_init(&dec, ET_BUF_DEFAULT_CAP);
	et_buf_init(&tmp, PARAMS_MAX_BYTES);
	if (rd->max_chars && len > want) {
		chars = et_jdoc_decoded_chars(raw, len, escaped);
		while (r == -EAGAIN && pos < len) {
			while (pos < len && dec.len < want) {
				r = et_jdoc_decode_part(raw, len, &pos, want - dec.len, &dec);
				if (r < 0) {
					goto out;
				}
			}
			et_buf_reset(&tmp);
			r = et_redact_prefix(rd->red, dec.data, dec.len, chars, pos == len,
					     rd->max_chars, &tmp, rd->st);
			want *= 2;
		}
	}
	if (r == -EAGAIN) {
		et_buf_reset(&dec);
		et_buf_reset(&tmp);
		r = et_jdoc_decode(raw, len, escaped, &dec);
		if (r == 0) {
			r = et_redact_string(rd->red, dec.data, dec.len, rd->max_chars, &tmp,
					     rd->st);
		}
	}
	if (r == 0) {
		r = et_json_str(rd->out, tmp.data, tmp.len);
	}
out:
	et_buf_finish_secure(&dec);
	et_buf_finish_secure(&tmp);
	return r;
}

/* The whole value of a member whose key names a secret becomes one marker. */
static int render_secret(struct render *rd, size_t i)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	struct et_buf canon, marker;
	int r;

	et_buf_init(&canon, ET_BUF_DEFAULT_CAP);
	et_buf_init(&marker, 256);
	if (nd->type == ET_J_STRING) {
		r = et_jdoc_decode(nd->raw, nd->len, nd->escaped, &canon);
	} else {
		r = et_fp_encode(rd->d, i, &canon);
	}
	if (r == 0) {
		r = et_redact_marker(rd->red, "key-name", canon.data, canon.len, &marker);
	}
	if (r == 0) {
		r = et_json_str(rd->out, marker.data, marker.len);
		rd->st->redactions++;
	}
	et_buf_finish_secure(&canon);
	et_buf_finish(&marker);
	return r;
}

/* True when the member at node @i keeps its value: not a secret key, or a value never secret. */
static bool keeps_value(struct render *rd, size_t i, const char *key, size_t key_len)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	struct et_buf dec;
	bool marker;

	if (!et_redact_is_secret_key(key, key_len) || nd->type == ET_J_TRUE ||
	    nd->type == ET_J_FALSE || nd->type == ET_J_NULL) {
		return true;
	}
	if (nd->type != ET_J_STRING) {
		return false;
	}
	/* A value that is already a marker stays as it is: redacting twice changes nothing. */
	et_buf_init(&dec, 256);
	marker = nd->len < 200 && et_jdoc_decode(nd->raw, nd->len, nd->escaped, &dec) == 0 &&
		 et_redact_is_marker(dec.data, dec.len);
	et_buf_finish(&dec);
	return marker;
}

static int render_value(struct render *rd, size_t i)
{
	const struct et_jnode *nd = &rd->d->nodes[i];
	bool is_object = nd->type == ET_J_OBJECT;
	struct et_buf key;
	size_t c, k = 0;
	double v;
	int r = 0;

	switch (nd->type) {
	case ET_J_STRING:
		return render_raw_string(rd, nd->raw, nd->len, nd->escaped);
	case ET_J_NUMBER:
		return et_jdoc_number(nd, &v) ? et_json_num(rd->out, v)
					      : et_buf_adds(rd->out, "null");
	case ET_J_TRUE:
		return et_buf_adds(rd->out, "true");
	case ET_J_FALSE:
		return et_buf_adds(rd->out, "false");
	case ET_J_NULL:
		return et_buf_adds(rd->out, "null");
	default:
		break;
	}
	et_buf_init(&key, ET_BUF_DEFAULT_CAP);
	r = et_buf_addch(rd->out, is_object ? '{' : '[');
	for (c = et_jdoc_child(rd->d, i); r == 0 && c && k < PARAMS_MAX_ITEMS;
	     c = rd->d->nodes[c].next, k++) {
		const struct et_jnode *ch = &rd->d->nodes[c];

		if (k) {
			r = et_buf_addch(rd->out, ',');
		}
		if (r == 0 && is_object) {
			et_buf_reset(&key);
			r = et_jdoc_decode(ch->key, ch->key_len, ch->key_escaped, &key);
			if (r == 0) {
				r = render_raw_string(rd, ch->key, ch->key_len, ch->key_escaped);
			}
			if (r == 0) {
				r = et_buf_addch(rd->out, ':');
			}
			if (r == 0 && !keeps_value(rd, c, key.data, key.len)) {
				r = render_secret(rd, c);
				continue;
			}
		}
		if (r == 0) {
			r = render_value(rd, c);
		}
	}
	et_buf_finish_secure(&key);
	if (r == 0 && nd->count > PARAMS_MAX_ITEMS) {
		rd->st->truncations++;
		r = et_buf_addf(rd->out,
				is_object ? ",\"…\":\"[%u more members]\""
					  : ",\"…[%u more items]\"",
				nd->count - PARAMS_MAX_ITEMS);
	}
	if (r == 0) {
		r = et_buf_addch(rd->out, is_object ? '}' : ']');
	}
	return r;
}

/* Renders node @i of @d into a new heap string of at most PARAMS_MAX_BYTES. */
static char *render_params(struct mapper *mp, const struct et_jdoc *d, size_t i,
			   struct et_record *rec)
{
	struct et_redact_stats st = {0, 0};
	struct et_buf out;
	struct render rd = {mp->o->redactor, mp->o->max_chars, &st, &out, d};
	int r;

	et_buf_init(&out, PARAMS_MAX_BYTES);
	r = render_value(&rd, i);
	if (r == -E2BIG) {
		/* Too many long strings even after truncation: say so rather than write half. */
		et_buf_reset(&out);
		st.truncations++;
		r = et_buf_addf(&out, "{\"…\":\"[params over %zu bytes after truncation]\"}",
				PARAMS_MAX_BYTES);
	}
	rec->redactions += st.redactions;
	rec->truncations += st.truncations;
	if (r < 0) {
		et_buf_finish(&out);
		return NULL;
	}
	return et_buf_detach(&out, NULL);
}

/* Fingerprints and renders the tool input at node @i of @d into @rec. */
static int put_params(struct mapper *mp, const struct et_jdoc *d, size_t i, struct et_record *rec)
{
	if (et_fp_compute(d, i, mp->o->params_key, rec->params_fp) == 0) {
		rec->has_fp = true;
	}
	rec->params = render_params(mp, d, i, rec);
	return rec->params ? 0 : -ENOMEM;
}

/* Parses a member's value span into @d and records it as the params. */
static int put_params_span(struct mapper *mp, const char *val, size_t len, struct et_record *rec)
{
	struct et_jdoc d = {0};
	int r = et_jdoc_parse(&d, val, len, MAX_NODES);

	if (r == 0) {
		r = put_params(mp, &d, 0, rec);
	} else if (r == ET_JDOC_E_NODES) {
		rec->truncations++;
		rec->params = strdup("{\"…\":\"[params with too many values to record]\"}");
		r = rec->params ? 0 : -ENOMEM;
	} else if (r != -ENOMEM) {
		r = 0; /* cannot happen after et_scan validated the span; record no params */
	}
	et_jdoc_finish(&d);
	return r;
}

/* ---- records ---- */

static const char *outcome_for(const char *event, bool interrupt)
{
	if (!event) {
		return NULL;
	}
	if (!strcmp(event, "PostToolUse")) {
		return "success";
	}
	if (!strcmp(event, "PostToolUseFailure")) {
		return interrupt ? "interrupted" : "failure";
	}
	return NULL;
}

static int add_record(struct et_mapped *out, struct et_record **rec)
{
	struct et_record *v = realloc(out->records, (out->n + 1) * sizeof(*v));

	if (!v) {
		return -ENOMEM;
	}
	out->records = v;
	*rec = &v[out->n++];
	memset(*rec, 0, sizeof(**rec));
	return 0;
}

/* The fields every record of this payload shares. */
const char *et_payload_agent_name(const char *name)
{
	if (!name) {
		return NULL;
	}
	if (!strcmp(name, "claude-code") || !strcmp(name, "claude")) {
		return agent_names[AG_CLAUDE];
	}
	if (!strcmp(name, "gemini-cli") || !strcmp(name, "gemini")) {
		return agent_names[AG_GEMINI];
	}
	if (!strcmp(name, "codex")) {
		return agent_names[AG_CODEX];
	}
	if (!strcmp(name, "cursor")) {
		return agent_names[AG_CURSOR];
	}
	return NULL;
}

static bool has_member(struct mapper *mp, const char *key)
{
	return et_scan_find(mp->m, mp->count, key) != NULL;
}

/*
 * Which agent sent the payload (docs/record-format.md, "Other agents"): the --agent option when
 * given, else the payload's own marks: Gemini CLI's AfterTool/BeforeTool events, Codex's turn_id,
 * Cursor's conversation_id, workspace_roots or camelCase event names. Everything else is Claude
 * Code's.
 */
static enum agent detect_agent(struct mapper *mp, const char *event)
{
	const char *named = et_payload_agent_name(mp->o->agent);
	size_t i;

	for (i = 0; named && i < sizeof(agent_names) / sizeof(agent_names[0]); i++) {
		if (!strcmp(named, agent_names[i])) {
			return (enum agent)i;
		}
	}
	if (event && (!strcmp(event, "AfterTool") || !strcmp(event, "BeforeTool"))) {
		return AG_GEMINI;
	}
	if (has_member(mp, "turn_id")) {
		return AG_CODEX;
	}
	if (has_member(mp, "conversation_id") || has_member(mp, "workspace_roots") ||
	    (event && event[0] >= 'a' && event[0] <= 'z')) {
		return AG_CURSOR;
	}
	return AG_CLAUDE;
}

/* The first string of array member @key, cleaned; NULL when there is none. */
static char *member_first_string(struct mapper *mp, const char *key, struct et_record *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	struct et_jdoc d = {0};
	char *out = NULL;
	size_t c;

	if (mem && mem->type == '[' && et_jdoc_parse(&d, mem->val, mem->val_len, 1000) == 0 &&
	    (c = et_jdoc_child(&d, 0)) && d.nodes[c].type == ET_J_STRING) {
		et_buf_reset(&mp->decoded);
		if (et_jdoc_decode(d.nodes[c].raw, d.nodes[c].len, d.nodes[c].escaped,
				   &mp->decoded) == 0) {
			out = clean(mp, mp->decoded.data, mp->decoded.len, rec);
		}
	}
	et_jdoc_finish(&d);
	return out;
}

static void common_fields(struct mapper *mp, struct et_record *rec)
{
	char *event_raw = member_string(mp, "hook_event_name", rec, true);

	mp->agent = detect_agent(mp, event_raw);
	free(event_raw);
	rec->ts_ms = mp->o->now_ms;
	rec->agent = agent_names[mp->agent];
	rec->event = member_string(mp, "hook_event_name", rec, false);
	switch (mp->agent) {
	case AG_CURSOR:
		rec->session_id = member_string(mp, "conversation_id", rec, false);
		rec->prompt_id = member_string(mp, "generation_id", rec, false);
		rec->cwd = member_string(mp, "cwd", rec, false);
		if (!rec->cwd) {
			rec->cwd = member_first_string(mp, "workspace_roots", rec);
		}
		break;
	case AG_CODEX:
		rec->session_id = member_string(mp, "session_id", rec, false);
		rec->prompt_id = member_string(mp, "turn_id", rec, false);
		rec->cwd = member_string(mp, "cwd", rec, false);
		break;
	default:
		rec->session_id = member_string(mp, "session_id", rec, false);
		rec->prompt_id = member_string(mp, "prompt_id", rec, false);
		rec->cwd = member_string(mp, "cwd", rec, false);
		break;
	}
	rec->transcript_path = member_string(mp, "transcript_path", rec, false);
	rec->permission_mode = member_string(mp, "permission_mode", rec, false);
	rec->agent_id = member_string(mp, "agent_id", rec, false);
	rec->agent_type = member_string(mp, "agent_type", rec, false);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void copy_common(const struct et_record *from, struct et_record *to)
{
	to->ts_ms = from->ts_ms;
	to->agent = from->agent;
	to->event = dup_or_null(from->event);
	to->session_id = dup_or_null(from->session_id);
	to->prompt_id = dup_or_null(from->prompt_id);
	to->cwd = dup_or_null(from->cwd);
	to->transcript_path = dup_or_null(from->transcript_path);
	to->permission_mode = dup_or_null(from->permission_mode);
	to->agent_id = dup_or_null(from->agent_id);
	to->agent_type = dup_or_null(from->agent_type);
}

static bool skipped(const struct mapper *mp, const char *tool)
{
	return tool && mp->o->skip_tool && mp->o->skip_tool(mp->o->skip_ctx, tool);
}

/* Decodes and cleans string node @i of @d, or NULL when it is not a string. */
static char *node_string(struct mapper *mp, const struct et_jdoc *d, size_t i,
			 struct et_record *rec, bool raw)
{
	const struct et_jnode *nd = i ? &d->nodes[i] : NULL;

	if (!nd || nd->type != ET_J_STRING) {
		return NULL;
	}
	et_buf_reset(&mp->decoded);
	if (et_jdoc_decode(nd->raw, nd->len, nd->escaped, &mp->decoded) < 0) {
		return NULL;
	}
	if (raw) {
		return strdup(mp->decoded.data);
	}
	return clean(mp, mp->decoded.data, mp->decoded.len, rec);
}

/*
 * A call of a batch that Claude Code rejected before it ran: its own failure record. @call is the
 * call's node in @d; @response its decoded tool_response.
 */
static int batch_failure(struct mapper *mp, const struct et_jdoc *d, size_t call,
			 const char *response, size_t response_len, struct et_mapped *out)
{
	const char *inner = response + strlen(TOOL_USE_ERROR_OPEN);
	size_t n = response_len - strlen(TOOL_USE_ERROR_OPEN),
	       close_len = strlen(TOOL_USE_ERROR_CLOSE);
	size_t input = et_jdoc_member(d, call, "tool_input");
	struct et_buf json;
	struct et_record *rec;
	long long code;
	char *raw_name;
	int r;

	raw_name = node_string(mp, d, et_jdoc_member(d, call, "tool_name"), NULL, true);
	if (skipped(mp, raw_name)) {
		free(raw_name);
		return 0;
	}
	free(raw_name);
	r = add_record(out, &rec);
	if (r < 0) {
		return r;
	}
	/* The batch record is records[0]; adding a record may have moved it. */
	copy_common(&out->records[0], rec);
	rec->outcome = "failure";
	if (n >= close_len && memcmp(inner + n - close_len, TOOL_USE_ERROR_CLOSE, close_len) == 0) {
		n -= close_len;
	}
	rec->error = clean(mp, inner, n, rec);
	if (rec->error && et_payload_exit_code(rec->error, &code)) {
		rec->has_exit_code = true;
		rec->exit_code = code;
	}
	rec->tool_name = node_string(mp, d, et_jdoc_member(d, call, "tool_name"), rec, false);
	rec->tool_use_id = node_string(mp, d, et_jdoc_member(d, call, "tool_use_id"), rec, false);
	et_buf_init(&json, ET_BUF_DEFAULT_CAP);
	if (et_json_str(&json, response, response_len) == 0) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)json.len;
	}
	et_buf_finish_secure(&json);
	return input ? put_params(mp, d, input, rec) : 0;
}

static int map_batch(struct mapper *mp, struct et_mapped *out)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_calls");
	struct et_jdoc d = {0};
	struct et_record *batch = &out->records[0];
	struct et_buf resp;
	size_t call, i = 0, n;
	int r;

	batch->is_batch = true;
	if (!mem || mem->type != '[') {
		return 0;
	}
	r = et_jdoc_parse(&d, mem->val, mem->val_len, MAX_NODES);
	if (r < 0) {
		return r == -ENOMEM ? r : 0;
	}
	n = d.nodes[0].count;
	batch->batch_ids = calloc(n ? n : 1, sizeof(char *));
	batch->batch_names = calloc(n ? n : 1, sizeof(char *));
	if (!batch->batch_ids || !batch->batch_names) {
		et_jdoc_finish(&d);
		return -ENOMEM;
	}
	batch->batch_n = n;
	et_buf_init(&resp, ET_BUF_DEFAULT_CAP);
	for (call = et_jdoc_child(&d, 0); call && r == 0; call = d.nodes[call].next, i++) {
		size_t rs = et_jdoc_member(&d, call, "tool_response");

		batch = &out->records[0]; /* it may have moved */
		batch->batch_ids[i] =
			node_string(mp, &d, et_jdoc_member(&d, call, "tool_use_id"), batch, false);
		batch->batch_names[i] =
			node_string(mp, &d, et_jdoc_member(&d, call, "tool_name"), batch, false);
		if (!rs || d.nodes[rs].type != ET_J_STRING) {
			continue;
		}
		et_buf_reset(&resp);
		r = et_jdoc_decode(d.nodes[rs].raw, d.nodes[rs].len, d.nodes[rs].escaped, &resp);
		if (r == 0 && resp.len >= strlen(TOOL_USE_ERROR_OPEN) &&
		    memcmp(resp.data, TOOL_USE_ERROR_OPEN, strlen(TOOL_USE_ERROR_OPEN)) == 0) {
			r = batch_failure(mp, &d, call, resp.data, resp.len, out);
		}
	}
	et_buf_finish_secure(&resp);
	et_jdoc_finish(&d);
	return r;
}

static int map_call(struct mapper *mp, struct et_record *rec, struct et_mapped *out)
{
	const struct et_scan_member *mem;
	double d;
	long long code;

	rec->tool_name = member_string(mp, "tool_name", rec, false);
	rec->tool_use_id = member_string(mp, "tool_use_id", rec, false);
	rec->outcome = outcome_for(rec->event, member_true(mp, "is_interrupt"));
	rec->error = member_string(mp, "error", rec, false);
	if (rec->error && et_payload_exit_code(rec->error, &code)) {
		rec->has_exit_code = true;
		rec->exit_code = code;
	}
	if (member_number(mp, "duration_ms", &d)) {
		rec->has_latency = true;
		rec->latency_ms = d;
		rec->latency_source = "duration_ms";
	}
	if (rec->outcome) {
		out->post_tool_use_id = member_string(mp, "tool_use_id", rec, true);
	}
	mem = et_scan_find(mp->m, mp->count, "tool_response");
	if (mem) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)mem->val_len;
	}
	mem = et_scan_find(mp->m, mp->count, "tool_input");
	return mem ? put_params_span(mp, mem->val, mem->val_len, rec) : 0;
}

/* ---- other agents ---- */

/* Parses member @key into @d (a JSON object or array member). Returns its root, or 0. */
static size_t member_doc(struct mapper *mp, const char *key, struct et_jdoc *d)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	if (!mem || (mem->type != '{' && mem->type != '[') ||
	    et_jdoc_parse(d, mem->val, mem->val_len, MAX_NODES) < 0) {
		return (size_t)-1;
	}
	return 0;
}

/* A decoded string member of node @obj of @d (cleaned, or raw), or NULL. */
static char *doc_string(struct mapper *mp, const struct et_jdoc *d, size_t obj, const char *key,
			struct et_record *rec, bool raw)
{
	return node_string(mp, d, et_jdoc_member(d, obj, key), rec, raw);
}

/* "Exit Code: N" (Gemini CLI) or "Exit code N" / "Exit code: N" (Codex) anywhere in @text. */
static bool find_exit_code(const char *text, long long *code)
{
	static const char *const marks[] = {"Exit Code: ", "Exit code: ", "Exit code ", NULL};
	const char *p;
	char *end;
	size_t i;

	for (i = 0; text && marks[i]; i++) {
		p = strstr(text, marks[i]);
		if (p && isdigit((unsigned char)p[strlen(marks[i])])) {
			*code = strtoll(p + strlen(marks[i]), &end, 10);
			return true;
		}
	}
	return false;
}

/*
 * The key of a Gemini CLI call for its start stamp: Gemini sends no call id, so BeforeTool and
 * AfterTool are paired by session, tool and the fingerprint of the input.
 */
static char *gemini_call_key(struct mapper *mp, struct et_record *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_input");
	struct et_jdoc d = {0};
	char fp[ET_FP_HEX + 1] = "", *session, *tool;
	struct et_buf key;

	if (mem && et_jdoc_parse(&d, mem->val, mem->val_len, MAX_NODES) == 0) {
		et_fp_compute(&d, 0, mp->o->params_key, fp);
	}
	et_jdoc_finish(&d);
	session = member_string(mp, "session_id", rec, true);
	tool = member_string(mp, "tool_name", rec, true);
	et_buf_init(&key, 4096);
	et_buf_addf(&key, "gemini\x1f%s\x1f%s\x1f%s", session ? session : "", tool ? tool : "", fp);
	free(session);
	free(tool);
	return key.failed ? (et_buf_finish(&key), NULL) : et_buf_detach(&key, NULL);
}

/* Gemini CLI AfterTool: a failure when tool_response.error is set or the exit code is not 0. */
static int map_gemini(struct mapper *mp, struct et_record *rec, struct et_mapped *out)
{
	const struct et_scan_member *mem;
	struct et_jdoc d = {0};
	char *text = NULL;
	long long code;
	size_t err;

	rec->tool_name = member_string(mp, "tool_name", rec, false);
	rec->outcome = "success";
	mem = et_scan_find(mp->m, mp->count, "tool_response");
	if (mem) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)mem->val_len;
	}
	if (member_doc(mp, "tool_response", &d) == 0 && d.nodes[0].type == ET_J_OBJECT) {
		err = et_jdoc_member(&d, 0, "error");
		if (err && d.nodes[err].type == ET_J_OBJECT) {
			rec->outcome = "failure";
			rec->error = doc_string(mp, &d, err, "message", rec, false);
		} else if (err && d.nodes[err].type == ET_J_STRING) {
			rec->outcome = "failure";
			rec->error = node_string(mp, &d, err, rec, false);
		}
		text = doc_string(mp, &d, 0, "llmContent", rec, true);
		if (!text) {
			text = doc_string(mp, &d, 0, "returnDisplay", rec, true);
		}
		if (find_exit_code(text, &code)) {
			rec->has_exit_code = true;
			rec->exit_code = code;
			if (code != 0 && !rec->error) {
				rec->outcome = "failure";
				rec->error = doc_string(mp, &d, 0, "returnDisplay", rec, false);
				if (!rec->error) {
					rec->error = clean(mp, text, strlen(text), rec);
				}
			}
			if (code != 0) {
				rec->outcome = "failure";
			}
		}
	}
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	et_jdoc_finish(&d);
	out->post_tool_use_id = gemini_call_key(mp, rec);
	mem = et_scan_find(mp->m, mp->count, "tool_input");
	return mem ? put_params_span(mp, mem->val, mem->val_len, rec) : 0;
}

/*
 * Codex PostToolUse: Codex has no failure event; a call failed when its MCP result says isError
 * or its output starts with a non-zero exit code.
 */
static int map_codex(struct mapper *mp, struct et_record *rec, struct et_mapped *out)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_response");
	struct et_jdoc d = {0};
	char *text = NULL;
	long long code;
	size_t e;
	int r = map_call(mp, rec, out);

	if (r < 0 || !mem || !rec->outcome) {
		return r;
	}
	if (mem->type == '"') {
		text = member_string(mp, "tool_response", rec, true);
		if (text && find_exit_code(text, &code) && strncmp(text, "Exit code", 9) == 0) {
			rec->has_exit_code = true;
			rec->exit_code = code;
			if (code != 0) {
				rec->outcome = "failure";
				rec->error = clean(mp, text, strlen(text), rec);
			}
		}
	} else if (member_doc(mp, "tool_response", &d) == 0 && d.nodes[0].type == ET_J_OBJECT &&
		   (e = et_jdoc_member(&d, 0, "isError")) && d.nodes[e].type == ET_J_TRUE) {
		rec->outcome = "failure";
		e = et_jdoc_member(&d, 0, "content");
		if (e && d.nodes[e].type == ET_J_ARRAY && et_jdoc_child(&d, e)) {
			rec->error = doc_string(mp, &d, et_jdoc_child(&d, e), "text", rec, false);
		}
	}
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	et_jdoc_finish(&d);
	return 0;
}

/* Builds {"command": <command>} from Cursor's afterShellExecution and renders it as params. */
static int cursor_params(struct mapper *mp, struct et_record *rec, const char *const *keys)
{
	struct et_buf obj;
	size_t i, n = 0;
	int r;

	et_buf_init(&obj, ET_BUF_DEFAULT_CAP);
	et_buf_addch(&obj, '{');
	for (i = 0; keys[i]; i++) {
		const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, keys[i]);

		if (!mem) {
			continue;
		}
		et_buf_adds(&obj, n++ ? "," : "");
		et_json_strz(&obj, keys[i]);
		et_buf_addch(&obj, ':');
		et_buf_add(&obj, mem->val, mem->val_len);
	}
	et_buf_addch(&obj, '}');
	r = obj.failed ? -E2BIG : put_params_span(mp, obj.data, obj.len, rec);
	et_buf_finish_secure(&obj);
	return r;
}

/* Cursor: generic postToolUse/postToolUseFailure, and its older per-kind after* events. */
static int map_cursor(struct mapper *mp, struct et_record *rec, struct et_mapped *out)
{
	static const char *const shell_keys[] = {"command", NULL};
	static const char *const edit_keys[] = {"file_path", "edits", NULL};
	const struct et_scan_member *mem;
	const char *ev = rec->event ? rec->event : "";
	double dur;
	int r = 0;

	(void)out;
	if (member_number(mp, "duration", &dur) || member_number(mp, "duration_ms", &dur)) {
		rec->has_latency = true;
		rec->latency_ms = dur;
		rec->latency_source = "duration_ms";
	}
	if (!strcmp(ev, "afterShellExecution")) {
		rec->tool_name = strdup("Shell");
		rec->outcome = "success";
		mem = et_scan_find(mp->m, mp->count, "output");
		r = cursor_params(mp, rec, shell_keys);
	} else if (!strcmp(ev, "afterFileEdit")) {
		rec->tool_name = strdup("Edit");
		rec->outcome = "success";
		mem = NULL;
		r = cursor_params(mp, rec, edit_keys);
	} else if (!strcmp(ev, "afterMCPExecution")) {
		char *tool = member_string(mp, "tool_name", rec, false);
		struct et_buf name;
		char *input = member_string(mp, "tool_input", rec, true);

		et_buf_init(&name, 4096);
		et_buf_addf(&name, "MCP:%s", tool ? tool : "?");
		free(tool);
		rec->tool_name = et_buf_detach(&name, NULL);
		rec->outcome = "success";
		mem = et_scan_find(mp->m, mp->count, "result_json");
		/* tool_input is a JSON text inside a string: its content is the params. */
		if (input) {
			r = put_params_span(mp, input, strlen(input), rec);
			sodium_memzero(input, strlen(input));
			free(input);
		}
	} else if (!strcmp(ev, "postToolUse") || !strcmp(ev, "postToolUseFailure")) {
		rec->tool_name = member_string(mp, "tool_name", rec, false);
		rec->tool_use_id = member_string(mp, "tool_use_id", rec, false);
		rec->outcome = ev[11] == 'F' ? "failure" : "success";
		rec->error = member_string(mp, "error", rec, false);
		mem = et_scan_find(mp->m, mp->count, "tool_output");
		if (et_scan_find(mp->m, mp->count, "tool_input")) {
			const struct et_scan_member *in =
				et_scan_find(mp->m, mp->count, "tool_input");

			r = put_params_span(mp, in->val, in->val_len, rec);
		}
	} else {
		return 0; /* another event: the common fields only */
	}
	if (mem) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)mem->val_len;
	}
	return r;
}

static void drop_records(struct et_mapped *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		et_record_finish(&m->records[i]);
	}
	free(m->records);
	m->records = NULL;
	m->n = 0;
}

void et_mapped_finish(struct et_mapped *m)
{
	drop_records(m);
	free(m->pre_tool_use_id);
	free(m->post_tool_use_id);
	memset(m, 0, sizeof(*m));
}

int et_payload_map(const char *in, size_t n, const struct et_map_opts *o, struct et_mapped *out)
{
	struct et_scan_member members[MAX_MEMBERS];
	struct mapper mp = {o, AG_CLAUDE, members, 0, {0}, {0}};
	struct et_record *rec;
	int status, r;
	char *raw_tool = NULL;

	et_buf_init(&mp.tmp, ET_BUF_DEFAULT_CAP);
	et_buf_init(&mp.decoded, ET_BUF_DEFAULT_CAP);
	status = et_scan_object(in, n, members, MAX_MEMBERS, &mp.count);
	r = add_record(out, &rec);
	if (r < 0) {
		goto out;
	}
	common_fields(&mp, rec);
	if (o->too_large || status != ET_SCAN_OK) {
		rec->parse_error = o->too_large			  ? "too_large"
				   : status == ET_SCAN_EMPTY	  ? "empty"
				   : status == ET_SCAN_NOT_OBJECT ? "not_object"
								  : "invalid_json";
		rec->input_bytes = o->input_bytes;
		rec->tool_name = member_string(&mp, "tool_name", rec, false);
		rec->tool_use_id = member_string(&mp, "tool_use_id", rec, false);
		rec->outcome = outcome_for(rec->event, member_true(&mp, "is_interrupt"));
		goto out;
	}
	if (mp.agent == AG_CURSOR && rec->event &&
	    (!strncmp(rec->event, "before", 6) || !strcmp(rec->event, "preToolUse"))) {
		drop_records(out); /* Cursor's after* events carry their duration */
		goto out;
	}
	if ((mp.agent == AG_GEMINI && rec->event && !strcmp(rec->event, "BeforeTool")) ||
	    (rec->event && !strcmp(rec->event, "PreToolUse"))) {
		/* A call starts: a stamp (unless the tool is skipped), no record. */
		raw_tool = member_string(&mp, "tool_name", rec, true);
		out->is_pre = true;
		if (!skipped(&mp, raw_tool)) {
			out->pre_tool_use_id =
				mp.agent == AG_GEMINI
					? gemini_call_key(&mp, rec)
					: member_string(&mp, "tool_use_id", rec, true);
		}
		drop_records(out);
		goto out;
	}
	if (rec->event && !strcmp(rec->event, "PostToolBatch")) {
		r = map_batch(&mp, out);
		goto out;
	}
	raw_tool = member_string(&mp, "tool_name", rec, true);
	if (skipped(&mp, raw_tool)) {
		drop_records(out);
		goto out;
	}
	switch (mp.agent) {
	case AG_GEMINI:
		r = rec->event && !strcmp(rec->event, "AfterTool") ? map_gemini(&mp, rec, out) : 0;
		break;
	case AG_CODEX:
		r = map_codex(&mp, rec, out);
		break;
	case AG_CURSOR:
		r = map_cursor(&mp, rec, out);
		if (r == 0 && rec->tool_name && skipped(&mp, rec->tool_name)) {
			drop_records(out);
		}
		break;
	default:
		r = map_call(&mp, rec, out);
		break;
	}
out:
	free(raw_tool);
	et_buf_finish_secure(&mp.tmp);
	et_buf_finish_secure(&mp.decoded);
	return r;
}
