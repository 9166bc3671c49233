/*
 * et_payload: from a hook payload to records.
 *
 * The idea is to parse only what is recorded. The top-level scanner (et_scan) finds each member's
 * span; small members are parsed one by one with cJSON, tool_input is parsed to fingerprint and
 * redact it, and tool_response, often the largest member, is never parsed at all: its span's length
 * is all we keep of it. A cJSON tree never outlives the function that parsed it.
 */
#include "et_payload.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "et_fp.h"
#include "et_json.h"
#include "et_scan.h"

#include "banned.h"

#define MAX_MEMBERS 64
/* Containers in params keep this many items; the rest are summarised. */
#define PARAMS_MAX_ITEMS 100
/* The rendered params of one record may take at most this many bytes. */
#define PARAMS_MAX_BYTES ((size_t)64 << 10)
#define TOOL_USE_ERROR_OPEN "<tool_use_error>"
#define TOOL_USE_ERROR_CLOSE "</tool_use_error>"

struct mapper {
	const struct et_map_opts *o;
	const struct et_scan_member *m;
	size_t count;
	struct et_buf tmp;
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

/* Parses the JSON string at span @mem and returns it cleaned, or NULL. */
static char *member_string(struct mapper *mp, const char *key, struct et_record *rec, bool raw)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	cJSON *item;
	char *out = NULL;

	if (!mem || mem->type != '"') {
		return NULL;
	}
	item = cJSON_ParseWithLength(mem->val, mem->val_len);
	if (cJSON_IsString(item) && item->valuestring) {
		out = raw ? strdup(item->valuestring)
			  : clean(mp, item->valuestring, strlen(item->valuestring), rec);
	}
	cJSON_Delete(item);
	return out;
}

static bool member_number(struct mapper *mp, const char *key, double *v)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, key);
	cJSON *item;
	bool ok = false;

	if (!mem || mem->type != 'n') {
		return false;
	}
	item = cJSON_ParseWithLength(mem->val, mem->val_len);
	if (cJSON_IsNumber(item) && item->valuedouble >= 0 && item->valuedouble < 1e12) {
		*v = item->valuedouble;
		ok = true;
	}
	cJSON_Delete(item);
	return ok;
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
};

static int render_value(struct render *rd, const cJSON *item);

static int render_string(struct render *rd, const char *s)
{
	struct et_buf tmp;
	int r;

	et_buf_init(&tmp, PARAMS_MAX_BYTES);
	r = et_redact_string(rd->red, s, strlen(s), rd->max_chars, &tmp, rd->st);
	if (r == 0) {
		r = et_json_str(rd->out, tmp.data, tmp.len);
	}
	et_buf_finish_secure(&tmp);
	return r;
}

/* The whole value of a member whose key names a secret becomes one marker. */
static int render_secret(struct render *rd, const cJSON *item)
{
	struct et_buf canon, marker;
	int r;

	et_buf_init(&canon, ET_BUF_DEFAULT_CAP);
	et_buf_init(&marker, 256);
	if (cJSON_IsString(item)) {
		r = et_buf_adds(&canon, item->valuestring ? item->valuestring : "");
	} else {
		r = et_fp_canonical(item, &canon);
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

static int render_value(struct render *rd, const cJSON *item)
{
	const cJSON *ch;
	size_t i = 0, total = 0;
	int r = 0;

	if (cJSON_IsString(item)) {
		return render_string(rd, item->valuestring ? item->valuestring : "");
	}
	if (cJSON_IsNumber(item)) {
		return et_json_num(rd->out, item->valuedouble);
	}
	if (cJSON_IsBool(item)) {
		return et_buf_adds(rd->out, cJSON_IsTrue(item) ? "true" : "false");
	}
	if (!cJSON_IsArray(item) && !cJSON_IsObject(item)) {
		return et_buf_adds(rd->out, "null");
	}
	for (ch = item->child; ch; ch = ch->next) {
		total++;
	}
	r = et_buf_addch(rd->out, cJSON_IsArray(item) ? '[' : '{');
	for (ch = item->child; r == 0 && ch && i < PARAMS_MAX_ITEMS; ch = ch->next, i++) {
		if (i) {
			r = et_buf_addch(rd->out, ',');
		}
		if (r == 0 && cJSON_IsObject(item)) {
			const char *k = ch->string ? ch->string : "";

			r = render_string(rd, k);
			if (r == 0) {
				r = et_buf_addch(rd->out, ':');
			}
			if (r == 0 && et_redact_is_secret_key(k, strlen(k)) && !cJSON_IsBool(ch) &&
			    !cJSON_IsNull(ch) &&
			    !(cJSON_IsString(ch) && ch->valuestring &&
			      et_redact_is_marker(ch->valuestring, strlen(ch->valuestring)))) {
				r = render_secret(rd, ch);
				continue;
			}
		}
		if (r == 0) {
			r = render_value(rd, ch);
		}
	}
	if (r == 0 && total > PARAMS_MAX_ITEMS) {
		rd->st->truncations++;
		r = et_buf_addf(rd->out,
				cJSON_IsArray(item) ? ",\"…[%zu more items]\""
						    : ",\"…\":\"[%zu more members]\"",
				total - PARAMS_MAX_ITEMS);
	}
	if (r == 0) {
		r = et_buf_addch(rd->out, cJSON_IsArray(item) ? ']' : '}');
	}
	return r;
}

/* Renders @item into a new heap string of at most PARAMS_MAX_BYTES, counting into @rec. */
static char *render_params(struct mapper *mp, const cJSON *item, struct et_record *rec)
{
	struct et_redact_stats st = {0, 0};
	struct et_buf out;
	struct render rd = {mp->o->redactor, mp->o->max_chars, &st, &out};
	int r;

	et_buf_init(&out, PARAMS_MAX_BYTES);
	r = render_value(&rd, item);
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

int et_payload_render_params(const char *json_text, size_t n, struct et_redactor *red,
			     size_t max_chars, struct et_buf *out, struct et_redact_stats *st)
{
	struct render rd = {red, max_chars, st, out};
	cJSON *item = cJSON_ParseWithLength(json_text, n);
	int r;

	if (!item) {
		return -EINVAL;
	}
	r = render_value(&rd, item);
	cJSON_Delete(item);
	return r;
}

/* Fingerprints and renders a tool input into @rec. */
static int put_params(struct mapper *mp, const cJSON *input, struct et_record *rec)
{
	if (!input) {
		return 0;
	}
	if (et_fp_compute(input, mp->o->params_key, rec->params_fp) == 0) {
		rec->has_fp = true;
	}
	rec->params = render_params(mp, input, rec);
	return rec->params ? 0 : -ENOMEM;
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
static void common_fields(struct mapper *mp, struct et_record *rec)
{
	rec->ts_ms = mp->o->now_ms;
	rec->agent = "claude-code";
	rec->event = member_string(mp, "hook_event_name", rec, false);
	rec->session_id = member_string(mp, "session_id", rec, false);
	rec->prompt_id = member_string(mp, "prompt_id", rec, false);
	rec->cwd = member_string(mp, "cwd", rec, false);
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

/* A call of a batch that Claude Code rejected before it ran: its own failure record. */
static int batch_failure(struct mapper *mp, const cJSON *call, const char *response,
			 struct et_mapped *out)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(call, "tool_name");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "tool_use_id");
	const char *inner = response + strlen(TOOL_USE_ERROR_OPEN);
	size_t n = strlen(inner), close_len = strlen(TOOL_USE_ERROR_CLOSE);
	struct et_buf json;
	struct et_record *rec;
	long long code;
	int r;

	if (skipped(mp, cJSON_IsString(name) ? name->valuestring : NULL)) {
		return 0;
	}
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
	if (cJSON_IsString(name)) {
		rec->tool_name = clean(mp, name->valuestring, strlen(name->valuestring), rec);
	}
	if (cJSON_IsString(id)) {
		rec->tool_use_id = clean(mp, id->valuestring, strlen(id->valuestring), rec);
	}
	et_buf_init(&json, ET_BUF_DEFAULT_CAP);
	if (et_json_str(&json, response, strlen(response)) == 0) {
		rec->has_response_bytes = true;
		rec->response_bytes = (long long)json.len;
	}
	et_buf_finish_secure(&json);
	return put_params(mp, cJSON_GetObjectItemCaseSensitive(call, "tool_input"), rec);
}

static int map_batch(struct mapper *mp, struct et_record *batch, struct et_mapped *out)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_calls");
	const cJSON *call;
	cJSON *calls;
	size_t n = 0, i = 0;
	int r = 0;

	batch->is_batch = true;
	if (!mem || mem->type != '[') {
		return 0;
	}
	calls = cJSON_ParseWithLength(mem->val, mem->val_len);
	if (!cJSON_IsArray(calls)) {
		cJSON_Delete(calls);
		return 0;
	}
	n = (size_t)cJSON_GetArraySize(calls);
	batch->batch_ids = calloc(n ? n : 1, sizeof(char *));
	batch->batch_names = calloc(n ? n : 1, sizeof(char *));
	if (!batch->batch_ids || !batch->batch_names) {
		r = -ENOMEM;
		goto out;
	}
	batch->batch_n = n;
	cJSON_ArrayForEach (call, calls) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(call, "tool_name");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "tool_use_id");
		const cJSON *resp = cJSON_GetObjectItemCaseSensitive(call, "tool_response");

		if (cJSON_IsString(id)) {
			batch->batch_ids[i] =
				clean(mp, id->valuestring, strlen(id->valuestring), batch);
		}
		if (cJSON_IsString(name)) {
			batch->batch_names[i] =
				clean(mp, name->valuestring, strlen(name->valuestring), batch);
		}
		i++;
		if (cJSON_IsString(resp) && resp->valuestring &&
		    strncmp(resp->valuestring, TOOL_USE_ERROR_OPEN, strlen(TOOL_USE_ERROR_OPEN)) ==
			    0) {
			r = batch_failure(mp, call, resp->valuestring, out);
			if (r < 0) {
				goto out;
			}
			batch = &out->records[0]; /* it may have moved */
		}
	}
out:
	cJSON_Delete(calls);
	return r;
}

static int map_call(struct mapper *mp, struct et_record *rec, struct et_mapped *out)
{
	const struct et_scan_member *mem;
	cJSON *input = NULL;
	double d;
	long long code;
	int r = 0;

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
	if (mem) {
		input = cJSON_ParseWithLength(mem->val, mem->val_len);
		r = put_params(mp, input, rec);
		cJSON_Delete(input);
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

static void wiping_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

void et_payload_secure_memory(void)
{
	static bool done;
	cJSON_Hooks hooks = {malloc, wiping_free};

	if (!done) {
		cJSON_InitHooks(&hooks);
		done = true;
	}
}

int et_payload_map(const char *in, size_t n, const struct et_map_opts *o, struct et_mapped *out)
{
	struct et_scan_member members[MAX_MEMBERS];
	struct mapper mp = {o, members, 0, {0}};
	struct et_record *rec;
	int status, r;
	char *raw_tool = NULL;

	et_payload_secure_memory();
	et_buf_init(&mp.tmp, ET_BUF_DEFAULT_CAP);
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
	if (rec->event && !strcmp(rec->event, "PreToolUse")) {
		out->is_pre = true;
		out->pre_tool_use_id = member_string(&mp, "tool_use_id", rec, true);
		raw_tool = member_string(&mp, "tool_name", rec, true);
		if (skipped(&mp, raw_tool)) {
			free(out->pre_tool_use_id);
			out->pre_tool_use_id = NULL;
		}
		drop_records(out);
		goto out;
	}
	if (rec->event && !strcmp(rec->event, "PostToolBatch")) {
		r = map_batch(&mp, rec, out);
		goto out;
	}
	raw_tool = member_string(&mp, "tool_name", rec, true);
	if (skipped(&mp, raw_tool)) {
		drop_records(out);
		goto out;
	}
	r = map_call(&mp, rec, out);
out:
	free(raw_tool);
	et_buf_finish_secure(&mp.tmp);
	return r;
}
