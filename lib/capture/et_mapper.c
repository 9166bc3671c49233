/*
 * et_mapper: reading a payload for its record. The idea is to parse only what is recorded: the
 * top-level scanner (et_scan) has validated the payload and found each member's span, so a small
 * member is decoded straight from its span, tool_input and the few nested members an agent needs
 * are parsed into flat documents (et_jdoc), and tool_response, often the largest member, is never
 * parsed into anything: its span's length is all we keep of it. Every string that reaches the
 * record passes through et_mapper_clean, which redacts and truncates it and counts both.
 */
#include "et_mapper.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_fp.h"
#include "et_params.h"

#include "banned.h"

char *et_mapper_clean(struct et_mapper *mp, const char *s, size_t n, struct et_record_out *rec)
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
static int decode(struct et_mapper *mp, const struct et_scan_member *m)
{
	et_buf_reset(&mp->decoded);
	return et_jdoc_decode(m->val + 1, m->val_len - 2, m->escaped, &mp->decoded);
}

char *et_mapper_string(struct et_mapper *mp, const char *key, struct et_record_out *rec, bool raw)
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
	return et_mapper_clean(mp, mp->decoded.data, mp->decoded.len, rec);
}

char *et_mapper_bytes(struct et_mapper *mp, const char *key, size_t *len)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	char *p;

	if (!mem || mem->type != '"' || decode(mp, mem) < 0 || !(p = malloc(mp->decoded.len + 1))) {
		return NULL;
	}
	memcpy(p, mp->decoded.data, mp->decoded.len + 1);
	*len = mp->decoded.len;
	return p;
}

bool et_mapper_number(struct et_mapper *mp, const char *key, double *v)
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

bool et_mapper_true(struct et_mapper *mp, const char *key)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	return mem && mem->val_len == 4 && memcmp(mem->val, "true", 4) == 0;
}

char *et_mapper_node_string(struct et_mapper *mp, const struct et_jdoc *d, size_t i,
			    struct et_record_out *rec, bool raw)
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
	return et_mapper_clean(mp, mp->decoded.data, mp->decoded.len, rec);
}

size_t et_mapper_doc(struct et_mapper *mp, const char *key, struct et_jdoc *d)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	if (!mem || (mem->type != '{' && mem->type != '[') ||
	    et_jdoc_parse(d, mem->val, mem->val_len, ET_MAPPER_MAX_NODES) < 0) {
		return (size_t)-1;
	}
	return 0;
}

char *et_mapper_doc_string(struct et_mapper *mp, const struct et_jdoc *d, size_t obj,
			   const char *key, struct et_record_out *rec, bool raw)
{
	return et_mapper_node_string(mp, d, et_jdoc_member(d, obj, key), rec, raw);
}

bool et_mapper_skipped(const struct et_mapper *mp, const char *tool)
{
	return tool && mp->o->skip_tool && mp->o->skip_tool(mp->o->skip_ctx, tool);
}

/* ---- params ---- */

int et_mapper_params(struct et_mapper *mp, const struct et_jdoc *d, size_t i,
		     struct et_record_out *rec)
{
	struct et_redact_stats st = {0, 0};

	if (et_fp_compute(d, i, mp->o->params_key, rec->params_fp) == 0) {
		rec->has_fp = true;
	}
	rec->params = et_params_render(d, i, mp->o->redactor, mp->o->max_chars, &st);
	rec->redactions += st.redactions;
	rec->truncations += st.truncations;
	return rec->params ? 0 : -ENOMEM;
}

int et_mapper_params_span(struct et_mapper *mp, const char *val, size_t len,
			  struct et_record_out *rec)
{
	struct et_jdoc d = {0};
	int r = et_jdoc_parse(&d, val, len, ET_MAPPER_MAX_NODES);

	if (r == 0) {
		r = et_mapper_params(mp, &d, 0, rec);
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

int et_mapper_input(struct et_mapper *mp, struct et_record_out *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_input");

	return mem ? et_mapper_params_span(mp, mem->val, mem->val_len, rec) : 0;
}

void et_mapper_response_size(struct et_mapper *mp, const char *key, struct et_record_out *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	if (mem) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)mem->val_len;
	}
}

/* ---- a call, as Claude Code sends it ---- */

const char *et_mapper_outcome(const char *event, bool interrupt)
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

int et_mapper_call(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out)
{
	double d;
	long long code;

	rec->tool_name = et_mapper_string(mp, "tool_name", rec, false);
	rec->tool_use_id = et_mapper_string(mp, "tool_use_id", rec, false);
	rec->outcome = et_mapper_outcome(rec->event, et_mapper_true(mp, "is_interrupt"));
	rec->error = et_mapper_string(mp, "error", rec, false);
	if (rec->error && et_payload_exit_code(rec->error, &code)) {
		rec->has_exit_code = true;
		rec->exit_code = code;
	}
	if (et_mapper_number(mp, "duration_ms", &d)) {
		rec->has_latency = true;
		rec->latency_ms = d;
		rec->latency_source = "duration_ms";
	}
	if (rec->outcome) {
		out->post_tool_use_id =
			et_mapper_bytes(mp, "tool_use_id", &out->post_tool_use_id_len);
	}
	et_mapper_response_size(mp, "tool_response", rec);
	return et_mapper_input(mp, rec);
}

/* ---- session boundaries ---- */

static const struct {
	const char *event;
	enum et_record_kind kind;
} boundary_events[] = {
	{"SessionStart", ET_REC_SESSION_START},	  {"SessionEnd", ET_REC_SESSION_END},
	{"UserPromptSubmit", ET_REC_PROMPT},	  {"Stop", ET_REC_STOP},
	{"SubagentStart", ET_REC_SUBAGENT_START}, {"SubagentStop", ET_REC_SUBAGENT_STOP},
};

enum et_record_kind et_mapper_boundary_kind(const char *event)
{
	size_t i;

	for (i = 0; event && i < sizeof(boundary_events) / sizeof(boundary_events[0]); i++) {
		if (!strcmp(event, boundary_events[i].event)) {
			return boundary_events[i].kind;
		}
	}
	return ET_REC_CALL;
}

/*
 * The length in bytes of string member @key once decoded, into *@n; false when it is absent, not a
 * string or cannot be decoded. Nothing of its text is kept.
 */
static bool string_bytes(struct et_mapper *mp, const char *key, long long *n)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);

	if (!mem || mem->type != '"' || decode(mp, mem) < 0) {
		return false;
	}
	*n = (long long)mp->decoded.len;
	et_buf_reset(&mp->decoded);
	return true;
}

/* The prompt of a UserPromptSubmit: its length, its fingerprint and (when allowed) its text. */
static int map_prompt(struct et_mapper *mp, struct et_record_out *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "prompt");
	struct et_jdoc d = {0};
	int r = 0;

	if (!mem || mem->type != '"' || decode(mp, mem) < 0) {
		return 0;
	}
	rec->has_prompt_bytes = true;
	rec->prompt_bytes = (long long)mp->decoded.len;
	if (!mp->o->prompt_text) {
		et_buf_reset(&mp->decoded);
		return 0;
	}
	rec->prompt = et_mapper_clean(mp, mp->decoded.data, mp->decoded.len, rec);
	if (!rec->prompt) {
		return -ENOMEM;
	}
	/* The same keyed fingerprint as params_fp, of the prompt as a JSON string value. */
	r = et_jdoc_parse(&d, mem->val, mem->val_len, 2);
	if (r == 0 && et_fp_compute(&d, 0, mp->o->params_key, rec->prompt_fp) == 0) {
		rec->has_prompt_fp = true;
	}
	et_jdoc_finish(&d);
	return r == -ENOMEM ? r : 0;
}

int et_mapper_boundary(struct et_mapper *mp, struct et_record_out *rec)
{
	switch (rec->kind) {
	case ET_REC_SESSION_START:
		rec->source = et_mapper_string(mp, "source", rec, false);
		rec->model = et_mapper_string(mp, "model", rec, false);
		if (!rec->model) {
			/* Some versions send the model as {"id", "display_name"}. */
			struct et_jdoc d = {0};

			if (et_mapper_doc(mp, "model", &d) == 0 && d.n &&
			    d.nodes[0].type == ET_J_OBJECT) {
				rec->model = et_mapper_doc_string(mp, &d, 0, "id", rec, false);
			}
			et_jdoc_finish(&d);
		}
		break;
	case ET_REC_SESSION_END:
		rec->reason = et_mapper_string(mp, "reason", rec, false);
		break;
	case ET_REC_PROMPT:
		return map_prompt(mp, rec);
	case ET_REC_STOP:
	case ET_REC_SUBAGENT_STOP:
		rec->has_message_bytes =
			string_bytes(mp, "last_assistant_message", &rec->message_bytes);
		if (rec->kind == ET_REC_STOP) {
			break;
		}
		/* fall through */
	case ET_REC_SUBAGENT_START:
		rec->agent_transcript_path =
			et_mapper_string(mp, "agent_transcript_path", rec, false);
		break;
	default:
		break;
	}
	return 0;
}
