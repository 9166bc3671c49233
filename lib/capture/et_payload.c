/*
 * et_payload: from a hook payload to records. The idea is one pass that decides, from the payload
 * alone, what it is: which agent sent it (or --agent says), which event it is, and so how many
 * records it gives: none for a call that starts (a stamp for its latency instead), one for a call
 * that ended, a batch record plus one failure record per call Claude Code rejected for a
 * PostToolBatch, and a small record that says why for a payload that cannot be read. The fields
 * every record shares are filled here; the call itself is mapped by et_mapper_call (Claude Code,
 * Codex) or et_agents.c (Gemini CLI, Codex, Cursor), over the reading helpers of et_mapper.c.
 */
#include "et_payload.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_agents.h"
#include "et_jdoc.h"
#include "et_json.h"
#include "et_mapper.h"
#include "et_scan.h"

#include "banned.h"

#define MAX_MEMBERS 64
#define TOOL_USE_ERROR_OPEN "<tool_use_error>"
#define TOOL_USE_ERROR_CLOSE "</tool_use_error>"

static const char *const agent_names[] = {"claude-code", "gemini-cli", "codex", "cursor"};

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

/* ---- records ---- */

static int add_record(struct et_mapped *out, struct et_record_out **rec)
{
	struct et_record_out *v = realloc(out->records, (out->n + 1) * sizeof(*v));

	if (!v) {
		return -ENOMEM;
	}
	out->records = v;
	*rec = &v[out->n++];
	memset(*rec, 0, sizeof(**rec));
	return 0;
}

const char *et_payload_agent_name(const char *name)
{
	if (!name) {
		return NULL;
	}
	if (!strcmp(name, "claude-code") || !strcmp(name, "claude")) {
		return agent_names[ET_AGENT_CLAUDE];
	}
	if (!strcmp(name, "gemini-cli") || !strcmp(name, "gemini")) {
		return agent_names[ET_AGENT_GEMINI];
	}
	if (!strcmp(name, "codex")) {
		return agent_names[ET_AGENT_CODEX];
	}
	if (!strcmp(name, "cursor")) {
		return agent_names[ET_AGENT_CURSOR];
	}
	return NULL;
}

static bool has_member(struct et_mapper *mp, const char *key)
{
	return et_scan_find(mp->m, mp->count, key) != NULL;
}

/*
 * Which agent sent the payload (docs/record-format.md, "Other agents"): the --agent option when
 * given, else the payload's own marks: Gemini CLI's AfterTool/BeforeTool events, Codex's turn_id,
 * Cursor's conversation_id, workspace_roots or camelCase event names. Everything else is Claude
 * Code's.
 */
static enum et_agent detect_agent(struct et_mapper *mp, const char *event)
{
	const char *named = et_payload_agent_name(mp->o->agent);
	size_t i;

	for (i = 0; named && i < sizeof(agent_names) / sizeof(agent_names[0]); i++) {
		if (!strcmp(named, agent_names[i])) {
			return (enum et_agent)i;
		}
	}
	if (event && (!strcmp(event, "AfterTool") || !strcmp(event, "BeforeTool"))) {
		return ET_AGENT_GEMINI;
	}
	if (has_member(mp, "turn_id")) {
		return ET_AGENT_CODEX;
	}
	if (has_member(mp, "conversation_id") || has_member(mp, "workspace_roots") ||
	    (event && event[0] >= 'a' && event[0] <= 'z')) {
		return ET_AGENT_CURSOR;
	}
	return ET_AGENT_CLAUDE;
}

/* The first string of array member @key, cleaned; NULL when there is none. */
static char *member_first_string(struct et_mapper *mp, const char *key, struct et_record_out *rec)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	struct et_jdoc d = {0};
	char *out = NULL;

	if (mem && mem->type == '[' && et_jdoc_parse(&d, mem->val, mem->val_len, 1000) == 0) {
		out = et_mapper_node_string(mp, &d, et_jdoc_child(&d, 0), rec, false);
	}
	et_jdoc_finish(&d);
	return out;
}

/* The fields every record of this payload shares. */
static void common_fields(struct et_mapper *mp, struct et_record_out *rec)
{
	char *event_raw = et_mapper_string(mp, "hook_event_name", rec, true);

	mp->agent = detect_agent(mp, event_raw);
	free(event_raw);
	rec->ts_ms = mp->o->now_ms;
	rec->agent = agent_names[mp->agent];
	rec->event = et_mapper_string(mp, "hook_event_name", rec, false);
	switch (mp->agent) {
	case ET_AGENT_CURSOR:
		rec->session_id = et_mapper_string(mp, "conversation_id", rec, false);
		rec->prompt_id = et_mapper_string(mp, "generation_id", rec, false);
		rec->cwd = et_mapper_string(mp, "cwd", rec, false);
		if (!rec->cwd) {
			rec->cwd = member_first_string(mp, "workspace_roots", rec);
		}
		break;
	case ET_AGENT_CODEX:
		rec->session_id = et_mapper_string(mp, "session_id", rec, false);
		rec->prompt_id = et_mapper_string(mp, "turn_id", rec, false);
		rec->cwd = et_mapper_string(mp, "cwd", rec, false);
		break;
	default:
		rec->session_id = et_mapper_string(mp, "session_id", rec, false);
		rec->prompt_id = et_mapper_string(mp, "prompt_id", rec, false);
		rec->cwd = et_mapper_string(mp, "cwd", rec, false);
		break;
	}
	rec->transcript_path = et_mapper_string(mp, "transcript_path", rec, false);
	rec->permission_mode = et_mapper_string(mp, "permission_mode", rec, false);
	rec->agent_id = et_mapper_string(mp, "agent_id", rec, false);
	rec->agent_type = et_mapper_string(mp, "agent_type", rec, false);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void copy_common(const struct et_record_out *from, struct et_record_out *to)
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

/* ---- PostToolBatch ---- */

/*
 * A call of a batch that Claude Code rejected before it ran: its own failure record. The call's
 * members are mp's members for the while; @response is its decoded tool_response.
 */
static int batch_failure(struct et_mapper *mp, const char *response, size_t response_len,
			 struct et_mapped *out)
{
	const char *inner = response + strlen(TOOL_USE_ERROR_OPEN);
	size_t n = response_len - strlen(TOOL_USE_ERROR_OPEN),
	       close_len = strlen(TOOL_USE_ERROR_CLOSE);
	struct et_buf json;
	struct et_record_out *rec;
	long long code;
	char *raw_name;
	int r;

	raw_name = et_mapper_string(mp, "tool_name", NULL, true);
	if (et_mapper_skipped(mp, raw_name)) {
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
	rec->error = et_mapper_clean(mp, inner, n, rec);
	if (rec->error && et_payload_exit_code(rec->error, &code)) {
		rec->has_exit_code = true;
		rec->exit_code = code;
	}
	rec->tool_name = et_mapper_string(mp, "tool_name", rec, false);
	rec->tool_use_id = et_mapper_string(mp, "tool_use_id", rec, false);
	et_buf_init(&json, ET_BUF_DEFAULT_CAP);
	if (et_json_str(&json, response, response_len) == 0) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)json.len;
	}
	et_buf_finish_secure(&json);
	return et_mapper_input(mp, rec);
}

/* Makes room in the batch record for one more call. */
static int batch_room(struct et_record_out *batch, size_t *cap)
{
	size_t want = *cap ? *cap * 2 : 8;
	char **v;

	if (batch->batch_n < *cap) {
		return 0;
	}
	v = realloc(batch->batch_ids, want * sizeof(*v));
	if (!v) {
		return -ENOMEM;
	}
	batch->batch_ids = v;
	v = realloc(batch->batch_names, want * sizeof(*v));
	if (!v) {
		return -ENOMEM;
	}
	batch->batch_names = v;
	*cap = want;
	return 0;
}

/*
 * One call of the batch, the JSON object at @call (@len bytes): its id and name go into the
 * batch record, and a rejected call gets its own record. The call is scanned like a payload and
 * its members stand in for the payload's meanwhile, so a call is never parsed whole: however many
 * values its input or response holds, its id, name and error are found (only an input too large
 * to render is summarised, as for any call).
 */
static int batch_call(struct et_mapper *mp, const char *call, size_t len, struct et_buf *resp,
		      struct et_mapped *out)
{
	struct et_scan_member members[MAX_MEMBERS];
	const struct et_scan_member *top = mp->m, *rs;
	size_t top_count = mp->count, i = out->records[0].batch_n;
	int r = 0;

	mp->m = members;
	if (et_scan_object(call, len, members, MAX_MEMBERS, &mp->count) != ET_SCAN_OK) {
		mp->count = 0;
	}
	out->records[0].batch_ids[i] = et_mapper_string(mp, "tool_use_id", &out->records[0], false);
	out->records[0].batch_names[i] = et_mapper_string(mp, "tool_name", &out->records[0], false);
	out->records[0].batch_n++;
	rs = et_scan_find(mp->m, mp->count, "tool_response");
	if (rs && rs->type == '"') {
		et_buf_reset(resp);
		r = et_jdoc_decode(rs->val + 1, rs->val_len - 2, rs->escaped, resp);
		if (r == 0 && resp->len >= strlen(TOOL_USE_ERROR_OPEN) &&
		    memcmp(resp->data, TOOL_USE_ERROR_OPEN, strlen(TOOL_USE_ERROR_OPEN)) == 0) {
			r = batch_failure(mp, resp->data, resp->len, out);
		}
	}
	mp->m = top;
	mp->count = top_count;
	return r;
}

static int map_batch(struct et_mapper *mp, struct et_mapped *out)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_calls");
	struct et_buf resp;
	size_t i, end, cap = 0;
	int r = 0;

	out->records[0].is_batch = true;
	if (!mem || mem->type != '[') {
		return 0;
	}
	et_buf_init(&resp, ET_BUF_DEFAULT_CAP);
	/* The array was validated by the scan: walk its elements one by one. */
	i = et_jdoc_ws(mem->val, mem->val_len, 1);
	while (r == 0 && i < mem->val_len && mem->val[i] != ']' &&
	       et_jdoc_skip(mem->val + i, mem->val_len - i, &end, NULL) == 0) {
		r = batch_room(&out->records[0], &cap);
		if (r == 0) {
			r = batch_call(mp, mem->val + i, end, &resp, out);
		}
		i = et_jdoc_ws(mem->val, mem->val_len, i + end);
		if (i < mem->val_len && mem->val[i] == ',') {
			i = et_jdoc_ws(mem->val, mem->val_len, i + 1);
		}
	}
	et_buf_finish_secure(&resp);
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
	struct et_mapper mp = {o, ET_AGENT_CLAUDE, members, 0, {0}, {0}};
	struct et_record_out *rec;
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
		rec->tool_name = et_mapper_string(&mp, "tool_name", rec, false);
		rec->tool_use_id = et_mapper_string(&mp, "tool_use_id", rec, false);
		rec->outcome = et_mapper_outcome(rec->event, et_mapper_true(&mp, "is_interrupt"));
		goto out;
	}
	if (mp.agent == ET_AGENT_CURSOR && rec->event &&
	    (!strncmp(rec->event, "before", 6) || !strcmp(rec->event, "preToolUse"))) {
		drop_records(out); /* Cursor's after* events carry their duration */
		goto out;
	}
	if ((mp.agent == ET_AGENT_GEMINI && rec->event && !strcmp(rec->event, "BeforeTool")) ||
	    (rec->event && !strcmp(rec->event, "PreToolUse"))) {
		/* A call starts: a stamp (unless the tool is skipped), no record. */
		raw_tool = et_mapper_string(&mp, "tool_name", rec, true);
		out->is_pre = true;
		if (!et_mapper_skipped(&mp, raw_tool)) {
			out->pre_tool_use_id =
				mp.agent == ET_AGENT_GEMINI
					? et_agents_gemini_key(&mp, &out->pre_tool_use_id_len)
					: et_mapper_bytes(&mp, "tool_use_id",
							  &out->pre_tool_use_id_len);
		}
		drop_records(out);
		goto out;
	}
	if (rec->event && !strcmp(rec->event, "PostToolBatch")) {
		r = map_batch(&mp, out);
		goto out;
	}
	if ((mp.agent == ET_AGENT_CLAUDE || mp.agent == ET_AGENT_CODEX) &&
	    (rec->kind = et_mapper_boundary_kind(rec->event)) != ET_REC_CALL) {
		r = et_mapper_boundary(&mp, rec);
		goto out;
	}
	raw_tool = et_mapper_string(&mp, "tool_name", rec, true);
	if (et_mapper_skipped(&mp, raw_tool)) {
		drop_records(out);
		goto out;
	}
	switch (mp.agent) {
	case ET_AGENT_GEMINI:
		r = rec->event && !strcmp(rec->event, "AfterTool") ? et_agents_gemini(&mp, rec, out)
								   : 0;
		break;
	case ET_AGENT_CODEX:
		r = et_agents_codex(&mp, rec, out);
		break;
	case ET_AGENT_CURSOR:
		r = et_agents_cursor(&mp, rec, out);
		if (r == 0 && rec->tool_name && et_mapper_skipped(&mp, rec->tool_name)) {
			drop_records(out);
		}
		break;
	default:
		r = et_mapper_call(&mp, rec, out);
		break;
	}
out:
	free(raw_tool);
	et_buf_finish_secure(&mp.tmp);
	et_buf_finish_secure(&mp.decoded);
	return r;
}
