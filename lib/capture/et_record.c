/*
 * et_record: the record writer. The idea is that the line is built whole in memory, field by field
 * in a fixed order, so the log layer can write it with one system call and a reader can rely on
 * every line being complete, valid JSON.
 */
#include "et_record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_json.h"
#include "et_time.h"

#include "banned.h"

void et_record_finish(struct et_record_out *r)
{
	size_t i;

	free(r->event);
	free(r->session_id);
	free(r->prompt_id);
	free(r->tool_use_id);
	free(r->tool_name);
	free(r->error);
	free(r->params);
	free(r->cwd);
	free(r->transcript_path);
	free(r->permission_mode);
	free(r->agent_id);
	free(r->agent_type);
	free(r->feedback);
	free(r->source);
	free(r->model);
	free(r->reason);
	free(r->prompt);
	free(r->agent_transcript_path);
	for (i = 0; i < r->batch_n; i++) {
		if (r->batch_ids) {
			free(r->batch_ids[i]);
		}
		if (r->batch_names) {
			free(r->batch_names[i]);
		}
	}
	free(r->batch_ids);
	free(r->batch_names);
	memset(r, 0, sizeof(*r));
}

static void str_field(struct et_buf *b, const char *key, const char *v)
{
	et_buf_addch(b, ',');
	et_json_key(b, key);
	et_json_strz(b, v);
}

static void str_array(struct et_buf *b, const char *key, char **v, size_t n)
{
	et_buf_addch(b, ',');
	et_json_key(b, key);
	et_json_strv(b, v, n);
}

static void opt_int(struct et_buf *b, const char *key, bool has, long long v)
{
	et_buf_addch(b, ',');
	et_json_key(b, key);
	if (has) {
		et_buf_add_int(b, v);
	} else {
		et_buf_adds(b, "null");
	}
}

/* The fields of a session boundary event, each always present (null when not sent). */
static void boundary_fields(struct et_buf *out, const struct et_record_out *r)
{
	switch (r->kind) {
	case ET_REC_SESSION_START:
		str_field(out, "source", r->source);
		str_field(out, "model", r->model);
		break;
	case ET_REC_SESSION_END:
		str_field(out, "reason", r->reason);
		break;
	case ET_REC_PROMPT:
		str_field(out, "prompt", r->prompt);
		opt_int(out, "prompt_bytes", r->has_prompt_bytes, r->prompt_bytes);
		str_field(out, "prompt_fp", r->has_prompt_fp ? r->prompt_fp : NULL);
		break;
	case ET_REC_STOP:
		opt_int(out, "message_bytes", r->has_message_bytes, r->message_bytes);
		break;
	case ET_REC_SUBAGENT_START:
		str_field(out, "agent_transcript_path", r->agent_transcript_path);
		break;
	case ET_REC_SUBAGENT_STOP:
		opt_int(out, "message_bytes", r->has_message_bytes, r->message_bytes);
		str_field(out, "agent_transcript_path", r->agent_transcript_path);
		break;
	default:
		break;
	}
}

int et_record_write(const struct et_record_out *r, struct et_buf *out)
{
	size_t start = out->len;
	char ts[40];
	bool was_failed = out->failed;

	out->failed = false;
	et_time_format(r->ts_ms, ts, sizeof(ts));
	/* No printf on the way: a normal record never reaches vfprintf (et_buf_add_int). */
	et_buf_adds(out, "{\"v\":");
	et_buf_add_int(out, ET_RECORD_VERSION);
	et_buf_adds(out, ",\"timestamp\":\"");
	et_buf_adds(out, ts);
	et_buf_addch(out, '"');
	str_field(out, "event", r->event);
	str_field(out, "agent", r->agent ? r->agent : "claude-code");
	str_field(out, "session_id", r->session_id);
	str_field(out, "prompt_id", r->prompt_id);
	str_field(out, "tool_use_id", r->tool_use_id);
	str_field(out, "tool_name", r->tool_name);
	str_field(out, "outcome", r->outcome);
	str_field(out, "error", r->error);
	if (r->has_exit_code) {
		et_buf_adds(out, ",\"exit_code\":");
		et_buf_add_int(out, r->exit_code);
	} else {
		et_buf_adds(out, ",\"exit_code\":null");
	}
	et_buf_adds(out, ",\"latency_ms\":");
	if (r->has_latency) {
		et_json_num(out, r->latency_ms);
	} else {
		et_buf_adds(out, "null");
	}
	str_field(out, "latency_source", r->latency_source);
	et_buf_adds(out, ",\"params\":");
	et_buf_adds(out, r->params ? r->params : "null");
	str_field(out, "params_fp", r->has_fp ? r->params_fp : NULL);
	if (r->has_response_bytes) {
		et_buf_adds(out, ",\"response_bytes\":");
		et_buf_add_int(out, r->response_bytes);
	} else {
		et_buf_adds(out, ",\"response_bytes\":null");
	}
	et_buf_adds(out, ",\"redactions\":");
	et_buf_add_uint(out, r->redactions);
	et_buf_adds(out, ",\"truncations\":");
	et_buf_add_uint(out, r->truncations);
	str_field(out, "cwd", r->cwd);
	str_field(out, "transcript_path", r->transcript_path);
	str_field(out, "permission_mode", r->permission_mode);
	str_field(out, "agent_id", r->agent_id);
	str_field(out, "agent_type", r->agent_type);
	if (r->kind == ET_REC_CALL) {
		str_field(out, "model", r->model); /* version 3 */
	}
	if (r->is_batch) {
		str_array(out, "tool_use_ids", r->batch_ids, r->batch_n);
		str_array(out, "tool_names", r->batch_names, r->batch_n);
	}
	if (r->feedback) {
		str_field(out, "feedback", r->feedback);
	}
	boundary_fields(out, r);
	if (r->parse_error) {
		str_field(out, "parse_error", r->parse_error);
		et_buf_adds(out, ",\"input_bytes\":");
		et_buf_add_uint(out, r->input_bytes);
	}
	et_buf_adds(out, "}\n");
	if (out->failed) {
		et_buf_truncate(out, start);
		out->failed = true;
		return -E2BIG;
	}
	out->failed = was_failed;
	return 0;
}
