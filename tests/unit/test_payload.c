/* Unit tests for et_payload and et_record: from payloads to records to JSON lines. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "et_buf.h"
#include "et_payload.h"
#include "et_record.h"
#include "et_redact.h"
#include "tap.h"

static struct et_redactor *red;
static unsigned char pkey[32];
static const char *skip_name;

static bool skip(const void *ctx, const char *tool)
{
	(void)ctx;
	return skip_name && !strcmp(tool, skip_name);
}

static void map(const char *in, size_t n, bool too_large, struct et_mapped *m)
{
	struct et_map_opts o;

	memset(&o, 0, sizeof(o));
	o.redactor = red;
	o.params_key = pkey;
	o.max_chars = 500;
	o.now_ms = 1763733600123LL;
	o.too_large = too_large;
	o.input_bytes = too_large ? n * 10 : n;
	o.skip_tool = skip;
	memset(m, 0, sizeof(*m));
	if (et_payload_map(in, n, &o, m) < 0) {
		fprintf(stderr, "map failed\n");
		exit(99);
	}
}

static void maps(const char *in, struct et_mapped *m)
{
	map(in, strlen(in), false, m);
}

/* Writes record @i and parses the line back: the line must be valid JSON. */
static cJSON *line(struct et_mapped *m, size_t i)
{
	struct et_buf b;
	cJSON *j;

	et_buf_init(&b, ET_BUF_DEFAULT_CAP);
	et_record_write(&m->records[i], &b);
	tap_ok(b.len > 0 && b.data[b.len - 1] == '\n' && memchr(b.data, '\n', b.len - 1) == NULL,
	       "record %zu is one line ending in a newline", i);
	j = cJSON_Parse(b.data);
	tap_ok(j != NULL, "record %zu parses as JSON", i);
	et_buf_finish(&b);
	return j;
}

static const char *str(cJSON *j, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is_null(cJSON *j, const char *k)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, k));
}

static double num(cJSON *j, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345;
}

#define COMMON                                                                                     \
	"\"session_id\":\"s1\",\"transcript_path\":\"/t.jsonl\",\"cwd\":\"/p\",\"prompt_id\":\"p1\","

static void test_post(void)
{
	struct et_mapped m;
	cJSON *j;

	maps("{" COMMON "\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{\"command\":\"echo hello\"},\"tool_response\":{\"stdout\":\"hello\"},"
	     "\"tool_use_id\":\"toolu_1\",\"duration_ms\":24}",
	     &m);
	tap_ok(m.n == 1 && !m.is_pre, "PostToolUse: one record");
	j = line(&m, 0);
	tap_is_str(str(j, "timestamp"), "2025-11-21T14:00:00.123Z",
		   "timestamp in UTC with ms and Z");
	tap_ok(num(j, "v") == 3, "format version 3");
	tap_ok(is_null(j, "model"), "a Claude Code tool payload names no model: model null");
	tap_is_str(str(j, "event"), "PostToolUse", "event");
	tap_is_str(str(j, "agent"), "claude-code", "agent");
	tap_is_str(str(j, "outcome"), "success", "PostToolUse is a success");
	tap_is_str(str(j, "session_id"), "s1", "session_id from the payload, not the environment");
	tap_is_str(str(j, "prompt_id"), "p1", "prompt_id");
	tap_is_str(str(j, "tool_use_id"), "toolu_1", "tool_use_id");
	tap_ok(num(j, "latency_ms") == 24, "latency from duration_ms");
	tap_is_str(str(j, "latency_source"), "duration_ms", "latency_source duration_ms");
	tap_ok(num(j, "response_bytes") == 18, "response_bytes is the tool_response's JSON size");
	tap_ok(str(j, "params_fp") && strlen(str(j, "params_fp")) == 32, "params_fp present");
	tap_is_str(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "params"),
						    "command")
			   ->valuestring,
		   "echo hello", "params.command");
	tap_ok(is_null(j, "error") && is_null(j, "exit_code") && is_null(j, "agent_id"),
	       "error, exit_code, agent_id null");
	cJSON_Delete(j);
	et_mapped_finish(&m);
}

static void test_failures(void)
{
	struct et_mapped m;
	cJSON *j;

	maps("{" COMMON "\"hook_event_name\":\"PostToolUseFailure\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{\"command\":\"sleep 5\"},\"tool_use_id\":\"toolu_2\","
	     "\"error\":\"Exit code 143\\nCommand timed out after 1s\",\"is_interrupt\":false,"
	     "\"duration_ms\":1004}",
	     &m);
	j = line(&m, 0);
	tap_is_str(str(j, "outcome"), "failure", "PostToolUseFailure is a failure");
	tap_is_str(str(j, "error"), "Exit code 143\nCommand timed out after 1s", "error kept");
	tap_ok(num(j, "exit_code") == 143, "exit_code parsed from 'Exit code 143'");
	tap_ok(is_null(j, "response_bytes"), "a failure has no tool_response");
	cJSON_Delete(j);
	et_mapped_finish(&m);

	maps("{" COMMON "\"hook_event_name\":\"PostToolUseFailure\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{},\"tool_use_id\":\"toolu_3\",\"error\":\"aborted\","
	     "\"is_interrupt\":true,\"duration_ms\":5}",
	     &m);
	j = line(&m, 0);
	tap_is_str(str(j, "outcome"), "interrupted", "is_interrupt true gives interrupted");
	tap_ok(is_null(j, "exit_code"), "no exit code without an 'Exit code' line");
	cJSON_Delete(j);
	et_mapped_finish(&m);
}

static void test_pre_and_stamp(void)
{
	struct et_mapped m;

	maps("{" COMMON "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{\"command\":\"x\"},\"tool_use_id\":\"toolu_9\"}",
	     &m);
	tap_ok(m.is_pre && m.n == 0, "PreToolUse writes no record");
	tap_is_str(m.pre_tool_use_id, "toolu_9", "PreToolUse asks for a stamp of its id");
	et_mapped_finish(&m);

	maps("{" COMMON "\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{\"command\":\"x\"},\"tool_use_id\":\"toolu_9\"}",
	     &m);
	tap_ok(m.n == 1 && !m.records[0].has_latency, "a Post without duration_ms has no latency");
	tap_is_str(m.post_tool_use_id, "toolu_9", "and asks for its start stamp");
	et_mapped_finish(&m);
}

static void test_batch(void)
{
	struct et_mapped m;
	cJSON *j, *ids;

	maps("{" COMMON "\"hook_event_name\":\"PostToolBatch\",\"tool_calls\":["
	     "{\"tool_name\":\"Read\",\"tool_input\":{\"file_path\":\"/a\"},\"tool_use_id\":\"t6\","
	     "\"tool_response\":\"1\\tvm\"},"
	     "{\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"/n\",\"old_string\":\"zz\"},"
	     "\"tool_use_id\":\"t7\",\"tool_response\":\"<tool_use_error>String to replace not found "
	     "in file.\\nString: zz</tool_use_error>\"},"
	     "{\"tool_name\":\"Glob\",\"tool_input\":{\"pattern\":\"*\"},\"tool_use_id\":\"t8\","
	     "\"tool_response\":\"No files found\"}]}",
	     &m);
	tap_ok(m.n == 2, "a batch with one rejected call: batch record + failure record (%zu)",
	       m.n);
	j = line(&m, 0);
	tap_is_str(str(j, "event"), "PostToolBatch", "batch record event");
	tap_ok(is_null(j, "tool_name") && is_null(j, "outcome"),
	       "batch record: no tool, no outcome");
	ids = cJSON_GetObjectItemCaseSensitive(j, "tool_use_ids");
	tap_ok(cJSON_GetArraySize(ids) == 3 &&
		       !strcmp(cJSON_GetArrayItem(ids, 2)->valuestring, "t8"),
	       "tool_use_ids lists the three calls in order");
	tap_ok(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "tool_names")) == 3,
	       "tool_names too");
	cJSON_Delete(j);
	j = line(&m, 1);
	tap_is_str(str(j, "tool_name"), "Edit", "the rejected call is recorded");
	tap_is_str(str(j, "tool_use_id"), "t7", "with its id");
	tap_is_str(str(j, "outcome"), "failure", "as a failure");
	tap_is_str(str(j, "error"), "String to replace not found in file.\nString: zz",
		   "error is the text between the tags");
	tap_ok(is_null(j, "latency_ms"), "latency null");
	tap_is_str(str(j, "event"), "PostToolBatch", "event PostToolBatch");
	tap_is_str(str(j, "session_id"), "s1", "shares the batch's session");
	cJSON_Delete(j);
	et_mapped_finish(&m);
}

static void test_unreadable(void)
{
	struct et_mapped m;
	cJSON *j;
	const char *cut = "{\"hook_event_name\":\"PostToolUse\",\"session_id\":\"s1\","
			  "\"tool_name\":\"Write\",\"tool_input\":{\"content\":\"abc";

	maps("", &m);
	j = line(&m, 0);
	tap_is_str(str(j, "parse_error"), "empty", "empty stdin: parse_error empty");
	tap_ok(num(j, "input_bytes") == 0, "input_bytes 0");
	cJSON_Delete(j);
	et_mapped_finish(&m);

	maps("this is not json", &m);
	j = line(&m, 0);
	tap_is_str(str(j, "parse_error"), "invalid_json", "text: invalid_json");
	cJSON_Delete(j);
	et_mapped_finish(&m);

	maps("[1,2,3]", &m);
	j = line(&m, 0);
	tap_is_str(str(j, "parse_error"), "not_object", "an array: not_object");
	cJSON_Delete(j);
	et_mapped_finish(&m);

	maps(cut, &m);
	j = line(&m, 0);
	tap_is_str(str(j, "parse_error"), "invalid_json", "a payload cut short: invalid_json");
	tap_is_str(str(j, "event"), "PostToolUse", "event salvaged");
	tap_is_str(str(j, "tool_name"), "Write", "tool_name salvaged");
	tap_is_str(str(j, "session_id"), "s1", "session salvaged");
	tap_is_str(str(j, "outcome"), "success", "outcome from the salvaged event");
	tap_ok(is_null(j, "params"), "no params from a broken payload");
	cJSON_Delete(j);
	et_mapped_finish(&m);

	map(cut, strlen(cut), true, &m);
	j = line(&m, 0);
	tap_is_str(str(j, "parse_error"), "too_large", "over the input bound: too_large");
	tap_ok(num(j, "input_bytes") == (double)strlen(cut) * 10, "input_bytes is the whole size");
	cJSON_Delete(j);
	et_mapped_finish(&m);
}

static void test_params(void)
{
	struct et_mapped m;
	struct et_buf b;
	cJSON *j, *p;
	char *in;
	size_t i, n;

	maps("{" COMMON "\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"mcp__x__call\","
	     "\"tool_use_id\":\"t\",\"duration_ms\":1,\"tool_input\":{\"password\":\"hunter2\","
	     "\"opts\":{\"api_key\":{\"a\":1},\"max_tokens\":100,\"enabled_password\":true,"
	     "\"pin_password\":1234},\"list\":[\"Bearer abcdefghijklmnop\"]}}",
	     &m);
	j = line(&m, 0);
	et_buf_init(&b, 1 << 20);
	p = cJSON_GetObjectItemCaseSensitive(j, "params");
	in = cJSON_PrintUnformatted(p);
	tap_ok(strstr(in, "hunter2") == NULL &&
		       strstr(in, "\"password\":\"[REDACTED key-name ") != NULL,
	       "a password key's value is replaced: %s", in);
	tap_ok(strstr(in, "\"api_key\":\"[REDACTED key-name ") != NULL,
	       "a secret key's object value becomes one marker");
	tap_ok(strstr(in, "\"max_tokens\":100") != NULL, "max_tokens is left alone");
	tap_ok(strstr(in, "\"enabled_password\":true") != NULL, "a boolean is never a secret");
	tap_ok(strstr(in, "1234") == NULL, "a number under a secret key is replaced");
	tap_ok(strstr(in, "abcdefghijklmnop") == NULL,
	       "a bearer token inside an array is redacted");
	tap_ok(num(j, "redactions") == 4, "redactions counts each (%g)", num(j, "redactions"));
	free(in);
	cJSON_Delete(j);
	et_mapped_finish(&m);

	/* 150 items: 100 kept, the rest summarised. */
	n = 150 * 4 + 256;
	in = malloc(n);
	i = (size_t)snprintf(in, n,
			     "{\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"T\","
			     "\"tool_input\":{\"a\":[");
	for (int k = 0; k < 150; k++) {
		i += (size_t)snprintf(in + i, n - i, "%s%d", k ? "," : "", k % 10);
	}
	snprintf(in + i, n - i, "]}}");
	maps(in, &m);
	j = line(&m, 0);
	p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "params"), "a");
	tap_ok(cJSON_GetArraySize(p) == 101, "an array of 150 keeps 100 items and a summary");
	tap_is_str(cJSON_GetArrayItem(p, 100)->valuestring, "\xe2\x80\xa6[50 more items]",
		   "the summary says how many");
	tap_ok(num(j, "truncations") == 1, "counted as a truncation");
	cJSON_Delete(j);
	et_mapped_finish(&m);
	free(in);
	et_buf_finish(&b);
}

static void test_skip(void)
{
	struct et_mapped m;

	skip_name = "Read";
	maps("{\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Read\",\"tool_input\":{}}", &m);
	tap_ok(m.n == 0, "a skipped tool gives no record");
	et_mapped_finish(&m);
	maps("{\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{}}", &m);
	tap_ok(m.n == 1, "other tools are recorded");
	et_mapped_finish(&m);
	skip_name = NULL;
}

static void test_other_event(void)
{
	struct et_mapped m;
	cJSON *j;

	maps("{" COMMON "\"hook_event_name\":\"SessionStart\",\"source\":\"startup\"}", &m);
	tap_ok(m.n == 1, "another event gives a record");
	j = line(&m, 0);
	tap_is_str(str(j, "event"), "SessionStart", "with its event name");
	tap_ok(is_null(j, "outcome") && is_null(j, "params") && is_null(j, "tool_name"),
	       "and no outcome, params or tool");
	tap_ok(!cJSON_GetObjectItemCaseSensitive(j, "parse_error"), "it is not a parse error");
	cJSON_Delete(j);
	et_mapped_finish(&m);
}

static void test_exit_code(void)
{
	long long c = -1;

	tap_ok(et_payload_exit_code("Exit code 2\nls: x", &c) && c == 2, "Exit code 2");
	tap_ok(et_payload_exit_code("Exit code 127", &c) && c == 127, "Exit code 127 alone");
	tap_ok(!et_payload_exit_code("exit code 2", &c), "lowercase is not the Bash line");
	tap_ok(!et_payload_exit_code("Exit code two", &c), "not a number");
	tap_ok(!et_payload_exit_code("Exit code 2x", &c), "trailing junk");
	tap_ok(!et_payload_exit_code(NULL, &c), "NULL");
}

int main(void)
{
	unsigned char k[32];

	if (sodium_init() < 0) {
		return 99;
	}
	memset(k, 3, sizeof(k));
	memset(pkey, 4, sizeof(pkey));
	red = et_redactor_create(k);
	et_redactor_add_builtin(red);
	test_post();
	test_failures();
	test_pre_and_stamp();
	test_batch();
	test_unreadable();
	test_params();
	test_skip();
	test_other_event();
	test_exit_code();
	et_redactor_destroy(red);
	return tap_done();
}
