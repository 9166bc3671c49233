/*
 * et_agents: Gemini CLI, Codex and Cursor calls as records. The idea is that the record's shape
 * is Claude Code's, and every other agent is mapped onto it: the tool's name, the call id, the
 * outcome, the error and the latency are found where that agent puts them, and the rest of the
 * work (cleaning strings, fingerprinting and rendering the input) is et_mapper's, shared by all.
 * Where an agent has no failure event, the outcome is read from what the tool answered: an exit
 * code in the output text, an error member, an MCP result's isError.
 */
#include "et_agents.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "et_compat.h"
#include "et_fp.h"
#include "et_json.h"

#include "banned.h"

/* Frees a copy of payload text, wiping it first. Accepts NULL. */
static void free_text(char *text)
{
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
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

/* ---- Gemini CLI ---- */

char *et_agents_gemini_key(struct et_mapper *mp, size_t *len)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_input");
	struct et_jdoc d = {0};
	char fp[ET_FP_HEX + 1] = "", *session, *tool;
	size_t session_len = 0, tool_len = 0;
	struct et_buf key;

	if (mem && et_jdoc_parse(&d, mem->val, mem->val_len, ET_MAPPER_MAX_NODES) == 0) {
		et_fp_compute(&d, 0, mp->o->params_key, fp);
	}
	et_jdoc_finish(&d);
	session = et_mapper_bytes(mp, "session_id", &session_len);
	tool = et_mapper_bytes(mp, "tool_name", &tool_len);
	et_buf_init(&key, 4096);
	et_buf_adds(&key, "gemini\x1f");
	et_buf_add(&key, session ? session : "", session_len);
	et_buf_addch(&key, '\x1f');
	et_buf_add(&key, tool ? tool : "", tool_len);
	et_buf_addch(&key, '\x1f');
	et_buf_adds(&key, fp);
	free(session);
	free(tool);
	return key.failed ? (et_buf_finish(&key), NULL) : et_buf_detach(&key, len);
}

int et_agents_gemini(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out)
{
	struct et_jdoc d = {0};
	char *text = NULL;
	long long code;
	size_t err;

	rec->tool_name = et_mapper_string(mp, "tool_name", rec, false);
	rec->outcome = "success";
	et_mapper_response_size(mp, "tool_response", rec);
	if (et_mapper_doc(mp, "tool_response", &d) == 0 && d.nodes[0].type == ET_J_OBJECT) {
		err = et_jdoc_member(&d, 0, "error");
		if (err && d.nodes[err].type == ET_J_OBJECT) {
			rec->outcome = "failure";
			rec->error = et_mapper_doc_string(mp, &d, err, "message", rec, false);
		} else if (err && d.nodes[err].type == ET_J_STRING) {
			rec->outcome = "failure";
			rec->error = et_mapper_node_string(mp, &d, err, rec, false);
		}
		text = et_mapper_doc_string(mp, &d, 0, "llmContent", rec, true);
		if (!text) {
			text = et_mapper_doc_string(mp, &d, 0, "returnDisplay", rec, true);
		}
		if (find_exit_code(text, &code)) {
			rec->has_exit_code = true;
			rec->exit_code = code;
			if (code != 0 && !rec->error) {
				rec->outcome = "failure";
				rec->error = et_mapper_doc_string(mp, &d, 0, "returnDisplay", rec,
								  false);
				if (!rec->error) {
					rec->error = et_mapper_clean(mp, text, strlen(text), rec);
				}
			}
			if (code != 0) {
				rec->outcome = "failure";
			}
		}
	}
	free_text(text);
	et_jdoc_finish(&d);
	out->post_tool_use_id = et_agents_gemini_key(mp, &out->post_tool_use_id_len);
	return et_mapper_input(mp, rec);
}

/* ---- Codex ---- */

/* How much of the end of a Codex rollout file is searched for a call's end. */
#define CODEX_ROLLOUT_TAIL (4u << 20)

/*
 * Reads the last CODEX_ROLLOUT_TAIL bytes of the regular file @path (not through a symbolic link)
 * into a new NUL-terminated buffer, its length in *@len. NULL when it cannot be read.
 */
static char *read_tail(const char *path, size_t *len)
{
	struct stat st;
	size_t want, got = 0;
	ssize_t n;
	char *buf;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	want = (size_t)st.st_size < CODEX_ROLLOUT_TAIL ? (size_t)st.st_size : CODEX_ROLLOUT_TAIL;
	buf = malloc(want + 1);
	while (buf && got < want) {
		n = pread(fd, buf + got, want - got, st.st_size - (off_t)want + (off_t)got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[got] = '\0';
		*len = got;
	}
	return buf;
}

/*
 * Codex's PostToolUse of a shell command carries its output only: the exit code is in the session's
 * rollout file (the payload's transcript_path), whose "item_completed" event for the call
 * ({"payload": {"type": "item_completed", "item": {"id": <call id>, "exit_code": N, ...}}}) Codex
 * writes before it runs the hook. Finds the last such line for @call_id and sets *@code. False when
 * the file, the line or the exit code is not there.
 */
static bool codex_rollout_exit(struct et_mapper *mp, const char *call_id, long long *code)
{
	struct et_buf needle;
	struct et_jdoc d = {0};
	size_t path_len = 0, len = 0, i, item, id, ec;
	char *path = et_mapper_bytes(mp, "transcript_path", &path_len);
	char *text = NULL, *hit, *p, *start = NULL, *end, *limit;
	double v;
	bool found = false;

	if (!path || path_len == 0 || strlen(path) != path_len || strpbrk(call_id, "\"\\")) {
		free(path);
		return false;
	}
	text = read_tail(path, &len);
	free(path);
	et_buf_init(&needle, 4096);
	et_buf_addf(&needle, "\"id\":\"%s\"", call_id);
	/* From the last line that names the call back, the first that holds an exit code. */
	for (limit = text + len; text && !needle.failed && !found && limit > text; limit = start) {
		hit = NULL;
		for (p = text; (p = et_memmem(p, (size_t)(limit - p), needle.data, needle.len));
		     p += needle.len) {
			hit = p;
		}
		if (!hit) {
			break;
		}
		start = et_memrchr(text, '\n', (size_t)(hit - text));
		start = start ? start + 1 : text;
		end = memchr(hit, '\n', (size_t)(text + len - hit));
		end = end ? end : text + len;
		if (et_jdoc_parse(&d, start, (size_t)(end - start), ET_MAPPER_MAX_NODES) == 0 &&
		    d.nodes[0].type == ET_J_OBJECT && (i = et_jdoc_member(&d, 0, "payload")) &&
		    (item = et_jdoc_member(&d, i, "item")) &&
		    (id = et_jdoc_member(&d, item, "id")) && d.nodes[id].type == ET_J_STRING &&
		    d.nodes[id].len == strlen(call_id) &&
		    !memcmp(d.nodes[id].raw, call_id, d.nodes[id].len) &&
		    (ec = et_jdoc_member(&d, item, "exit_code")) &&
		    d.nodes[ec].type == ET_J_NUMBER && et_jdoc_number(&d.nodes[ec], &v) &&
		    v == (double)(long long)v) {
			*code = (long long)v;
			found = true;
		}
		et_jdoc_finish(&d);
		/* The line before this one ends at start - 1. */
		start = start > text ? start - 1 : text;
	}
	et_buf_finish(&needle);
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	return found;
}

int et_agents_codex(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out)
{
	const struct et_scan_member *mem = et_scan_find(mp->m, mp->count, "tool_response");
	struct et_jdoc d = {0};
	char *text = NULL;
	long long code;
	size_t e;
	int r = et_mapper_call(mp, rec, out);

	if (r < 0) {
		return r;
	}
	/* Codex names the model with every call; NULL (null) when a payload does not. */
	rec->model = et_mapper_string(mp, "model", rec, false);
	if (!mem || !rec->outcome) {
		return r;
	}
	if (mem->type == '"') {
		text = et_mapper_string(mp, "tool_response", rec, true);
		if (text &&
		    ((find_exit_code(text, &code) && strncmp(text, "Exit code", 9) == 0) ||
		     (rec->tool_use_id && codex_rollout_exit(mp, rec->tool_use_id, &code)))) {
			rec->has_exit_code = true;
			rec->exit_code = code;
			if (code != 0) {
				rec->outcome = "failure";
				rec->error = et_mapper_clean(mp, text, strlen(text), rec);
			}
		}
	} else if (et_mapper_doc(mp, "tool_response", &d) == 0 && d.nodes[0].type == ET_J_OBJECT &&
		   (e = et_jdoc_member(&d, 0, "isError")) && d.nodes[e].type == ET_J_TRUE) {
		rec->outcome = "failure";
		e = et_jdoc_member(&d, 0, "content");
		if (e && d.nodes[e].type == ET_J_ARRAY && et_jdoc_child(&d, e)) {
			rec->error = et_mapper_doc_string(mp, &d, et_jdoc_child(&d, e), "text", rec,
							  false);
		}
	}
	free_text(text);
	et_jdoc_finish(&d);
	return 0;
}

/* ---- Cursor ---- */

/* Builds an object of the members @keys (those present) and records it as the params. */
static int cursor_params(struct et_mapper *mp, struct et_record_out *rec, const char *const *keys)
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
	r = obj.failed ? -E2BIG : et_mapper_params_span(mp, obj.data, obj.len, rec);
	et_buf_finish_secure(&obj);
	return r;
}

int et_agents_cursor(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out)
{
	static const char *const shell_keys[] = {"command", NULL};
	static const char *const edit_keys[] = {"file_path", "edits", NULL};
	const char *ev = rec->event ? rec->event : "", *response = NULL;
	double dur;
	int r = 0;

	(void)out;
	rec->model = et_mapper_string(mp, "model", rec, false);
	if (et_mapper_number(mp, "duration", &dur) || et_mapper_number(mp, "duration_ms", &dur)) {
		rec->has_latency = true;
		rec->latency_ms = dur;
		rec->latency_source = "duration_ms";
	}
	if (!strcmp(ev, "afterShellExecution")) {
		rec->tool_name = strdup("Shell");
		rec->outcome = "success";
		response = "output";
		r = cursor_params(mp, rec, shell_keys);
	} else if (!strcmp(ev, "afterFileEdit")) {
		rec->tool_name = strdup("Edit");
		rec->outcome = "success";
		r = cursor_params(mp, rec, edit_keys);
	} else if (!strcmp(ev, "afterMCPExecution")) {
		char *tool = et_mapper_string(mp, "tool_name", rec, false);
		struct et_buf name;
		char *input = et_mapper_string(mp, "tool_input", rec, true);

		et_buf_init(&name, 4096);
		et_buf_addf(&name, "MCP:%s", tool ? tool : "?");
		free(tool);
		rec->tool_name = et_buf_detach(&name, NULL);
		rec->outcome = "success";
		response = "result_json";
		/* tool_input is a JSON text inside a string: its content is the params. */
		if (input) {
			r = et_mapper_params_span(mp, input, strlen(input), rec);
		}
		free_text(input);
	} else if (!strcmp(ev, "postToolUse") || !strcmp(ev, "postToolUseFailure")) {
		rec->tool_name = et_mapper_string(mp, "tool_name", rec, false);
		rec->tool_use_id = et_mapper_string(mp, "tool_use_id", rec, false);
		rec->outcome = ev[11] == 'F' ? "failure" : "success";
		rec->error = et_mapper_string(mp, "error", rec, false);
		response = "tool_output";
		r = et_mapper_input(mp, rec);
	} else {
		return 0; /* another event: the common fields only */
	}
	if (response) {
		et_mapper_response_size(mp, response, rec);
	}
	return r;
}
