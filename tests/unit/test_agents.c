/* Unit tests for et_agents: Gemini CLI, Codex and Cursor calls as records. */
#include <stdlib.h>
#include <string.h>

#include "et_agents.h"
#include "mapper_setup.h"
#include "tap.h"

/* Maps @json with @fn as agent @agent; the record in @rec, what else it gave in @out. */
static int map(int (*fn)(struct et_mapper *, struct et_record_out *, struct et_mapped *),
	       enum et_agent agent, const char *json, struct et_mapper *mp,
	       struct et_record_out *rec, struct et_mapped *out)
{
	memset(out, 0, sizeof(*out));
	setup_open(mp, agent, json, rec);
	return fn(mp, rec, out);
}

static void done(struct et_mapper *mp, struct et_record_out *rec, struct et_mapped *out)
{
	et_mapped_finish(out);
	setup_close(mp, rec);
}

#define GEMINI(resp)                                                                                    \
	"{\"session_id\":\"g1\",\"hook_event_name\":\"AfterTool\",\"tool_name\":\"run_shell_command\"," \
	"\"tool_input\":{\"command\":\"make\"},\"tool_response\":" resp "}"

static void test_gemini(void)
{
	struct et_mapper mp;
	struct et_record_out rec;
	struct et_mapped out;
	char *key;
	size_t key_len = 0;

	map(et_agents_gemini, ET_AGENT_GEMINI, GEMINI("{\"error\":\"disk full\"}"), &mp, &rec,
	    &out);
	tap_ok(!strcmp(rec.outcome, "failure") && rec.error && !strcmp(rec.error, "disk full"),
	       "gemini: a string error is a failure with that message");
	tap_is_str(rec.params, "{\"command\":\"make\"}", "gemini: tool_input is the params");
	tap_ok(out.post_tool_use_id &&
		       !strncmp(out.post_tool_use_id, "gemini\x1fg1\x1frun_shell_command\x1f",
				28) &&
		       strlen(out.post_tool_use_id) == 28 + 32,
	       "gemini: the stamp key is session, tool and input fingerprint");
	key = et_agents_gemini_key(&mp, &key_len);
	tap_is_str(key, out.post_tool_use_id, "gemini: the same key as BeforeTool computes");
	tap_ok(key_len == out.post_tool_use_id_len && key_len == 28 + 32, "gemini: and its length");
	free(key);
	done(&mp, &rec, &out);

	map(et_agents_gemini, ET_AGENT_GEMINI,
	    GEMINI("{\"llmContent\":\"Output: ok\\nExit Code: 0\",\"returnDisplay\":\"ok\"}"), &mp,
	    &rec, &out);
	tap_ok(!strcmp(rec.outcome, "success") && rec.has_exit_code && rec.exit_code == 0 &&
		       !rec.error,
	       "gemini: 'Exit Code: 0' is a success with exit code 0");
	done(&mp, &rec, &out);

	map(et_agents_gemini, ET_AGENT_GEMINI, GEMINI("{\"llmContent\":\"boom\\nExit Code: 2\"}"),
	    &mp, &rec, &out);
	tap_ok(!strcmp(rec.outcome, "failure") && rec.exit_code == 2 && rec.error &&
		       !strcmp(rec.error, "boom\nExit Code: 2"),
	       "gemini: without returnDisplay the error is the output text");
	tap_ok(rec.has_response_bytes && rec.response_bytes > 0, "gemini: the response's size");
	done(&mp, &rec, &out);

	map(et_agents_gemini, ET_AGENT_GEMINI,
	    "{\"session_id\":\"g1\",\"hook_event_name\":\"AfterTool\",\"tool_name\":\"t\","
	    "\"tool_input\":{\"command\":\"make -j\"}}",
	    &mp, &rec, &out);
	key = et_agents_gemini_key(&mp, &key_len);
	tap_ok(!strcmp(rec.outcome, "success") && !rec.has_response_bytes,
	       "gemini: no tool_response is a success of unknown size");
	done(&mp, &rec, &out);
	map(et_agents_gemini, ET_AGENT_GEMINI,
	    "{\"session_id\":\"g1\",\"hook_event_name\":\"AfterTool\",\"tool_name\":\"t\","
	    "\"tool_input\":{\"command\":\"make\"}}",
	    &mp, &rec, &out);
	tap_ok(key && strcmp(key, out.post_tool_use_id) != 0,
	       "gemini: another input, another stamp key");
	free(key);
	done(&mp, &rec, &out);
}

#define CODEX(event, resp)                                                                         \
	"{\"session_id\":\"c1\",\"turn_id\":\"t1\",\"hook_event_name\":\"" event "\","             \
	"\"tool_name\":\"Bash\",\"tool_use_id\":\"call_1\",\"tool_input\":{\"command\":\"x\"},"    \
	"\"tool_response\":" resp "}"

static void test_codex(void)
{
	struct et_mapper mp;
	struct et_record_out rec;
	struct et_mapped out;

	map(et_agents_codex, ET_AGENT_CODEX, CODEX("PostToolUse", "\"Exit code 0\\nall good\""),
	    &mp, &rec, &out);
	tap_ok(!strcmp(rec.outcome, "success") && rec.has_exit_code && rec.exit_code == 0 &&
		       !rec.error,
	       "codex: output starting 'Exit code 0' is a success with its exit code");
	tap_is_str(out.post_tool_use_id, "call_1", "codex: the call id ends its start stamp");
	done(&mp, &rec, &out);

	map(et_agents_codex, ET_AGENT_CODEX, CODEX("PostToolUse", "\"ran: Exit code: 3\""), &mp,
	    &rec, &out);
	tap_ok(!strcmp(rec.outcome, "success") && !rec.has_exit_code,
	       "codex: an exit code later in the output is not the call's");
	done(&mp, &rec, &out);

	map(et_agents_codex, ET_AGENT_CODEX,
	    CODEX("PostToolUse", "{\"isError\":false,\"content\":[{\"text\":\"fine\"}]}"), &mp,
	    &rec, &out);
	tap_ok(!strcmp(rec.outcome, "success") && !rec.error, "codex: isError false is a success");
	done(&mp, &rec, &out);

	map(et_agents_codex, ET_AGENT_CODEX, CODEX("Stop", "\"Exit code 1\""), &mp, &rec, &out);
	tap_ok(!rec.outcome && !rec.has_exit_code, "codex: another event is not a call");
	done(&mp, &rec, &out);
}

static void test_cursor(void)
{
	struct et_mapper mp;
	struct et_record_out rec;
	struct et_mapped out;

	map(et_agents_cursor, ET_AGENT_CURSOR,
	    "{\"hook_event_name\":\"afterShellExecution\",\"command\":\"make\",\"output\":\"ok\","
	    "\"duration\":12}",
	    &mp, &rec, &out);
	tap_ok(!strcmp(rec.tool_name, "Shell") && !strcmp(rec.outcome, "success"),
	       "cursor: afterShellExecution is a successful Shell call");
	tap_is_str(rec.params, "{\"command\":\"make\"}", "cursor: its command is the params");
	tap_ok(rec.has_response_bytes && rec.response_bytes == 4 && rec.has_latency &&
		       rec.latency_ms == 12,
	       "cursor: the output's size and the duration");
	done(&mp, &rec, &out);

	map(et_agents_cursor, ET_AGENT_CURSOR,
	    "{\"hook_event_name\":\"afterFileEdit\",\"edits\":[],\"file_path\":\"/a\"}", &mp, &rec,
	    &out);
	tap_ok(!strcmp(rec.tool_name, "Edit") && !rec.has_response_bytes && !rec.has_latency,
	       "cursor: afterFileEdit is an Edit, no response, no duration");
	tap_is_str(rec.params, "{\"file_path\":\"/a\",\"edits\":[]}",
		   "cursor: file_path and edits, in that order, are the params");
	done(&mp, &rec, &out);

	map(et_agents_cursor, ET_AGENT_CURSOR,
	    "{\"hook_event_name\":\"afterMCPExecution\",\"tool_input\":\"{\\\"q\\\":1}\","
	    "\"result_json\":\"{}\",\"duration_ms\":3}",
	    &mp, &rec, &out);
	tap_is_str(rec.tool_name, "MCP:?", "cursor: an MCP call without a tool name");
	tap_is_str(rec.params, "{\"q\":1}", "cursor: the JSON text in tool_input is the params");
	tap_ok(rec.response_bytes == 4 && rec.latency_ms == 3,
	       "cursor: result_json's size, duration_ms as the duration");
	done(&mp, &rec, &out);

	map(et_agents_cursor, ET_AGENT_CURSOR,
	    "{\"hook_event_name\":\"postToolUseFailure\",\"tool_name\":\"Write\",\"tool_use_id\":\"u\","
	    "\"error\":\"EACCES\",\"tool_input\":{\"file_path\":\"/a\"},\"tool_output\":\"\"}",
	    &mp, &rec, &out);
	tap_ok(!strcmp(rec.outcome, "failure") && !strcmp(rec.error, "EACCES") &&
		       !strcmp(rec.tool_use_id, "u") && rec.response_bytes == 2,
	       "cursor: postToolUseFailure is a failure with its error");
	tap_is_str(rec.params, "{\"file_path\":\"/a\"}", "cursor: and its tool_input");
	done(&mp, &rec, &out);

	map(et_agents_cursor, ET_AGENT_CURSOR,
	    "{\"hook_event_name\":\"postToolUse\",\"tool_name\":\"Read\"}", &mp, &rec, &out);
	tap_ok(!strcmp(rec.outcome, "success") && !rec.params,
	       "cursor: postToolUse is a success; no tool_input, no params");
	done(&mp, &rec, &out);

	tap_ok(map(et_agents_cursor, ET_AGENT_CURSOR,
		   "{\"hook_event_name\":\"stop\",\"duration\":5}", &mp, &rec, &out) == 0 &&
		       !rec.tool_name && !rec.outcome && rec.has_latency,
	       "cursor: another event is no call (its duration is kept)");
	done(&mp, &rec, &out);
}

int main(void)
{
	setup_options();
	test_gemini();
	test_codex();
	test_cursor();
	setup_finish();
	return tap_done();
}
