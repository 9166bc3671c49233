/*
 * Unit tests for et_traces on records written by hand: the spans and their parents (a session, a
 * subagent under it, calls under each), names, kinds, times from timestamp and latency, error.type
 * and status on failures, parameters only when asked, chat spans from usage responses (only for
 * sessions with calls), ids (the same input, the same ids; never zero), batching, the filter
 * callback, and a writer error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "et_buf.h"
#include "et_logrec.h"
#include "et_traces.h"
#include "tap.h"

static const char rec_main[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:00.100Z\",\"event\":\"PostToolUse\",\"agent\":"
	"\"claude-code\",\"session_id\":\"s1\",\"tool_use_id\":\"toolu_1\",\"tool_name\":\"Bash\","
	"\"outcome\":\"success\",\"latency_ms\":100,\"params\":{\"command\":\"ls\"},"
	"\"agent_id\":null,\"agent_type\":null}";
static const char rec_sub[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:01.000Z\",\"event\":\"PostToolUseFailure\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"tool_use_id\":\"toolu_2\",\"tool_name\":"
	"\"Read\",\"outcome\":\"failure\",\"error\":\"File does not exist.\",\"latency_ms\":2.5,"
	"\"params\":{\"file_path\":\"/x\"},\"agent_id\":\"ag1\",\"agent_type\":\"Explore\"}";
static const char rec_mcp[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:02.000Z\",\"event\":\"PostToolUseFailure\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"tool_use_id\":\"toolu_3\",\"tool_name\":"
	"\"mcp__gh__issue\",\"outcome\":\"interrupted\",\"error\":\"Interrupted\",\"exit_code\":3}";
static const char rec_batch[] =
	"{\"v\":1,\"timestamp\":\"2025-11-21T14:00:03.000Z\",\"event\":\"PostToolBatch\","
	"\"agent\":\"claude-code\",\"session_id\":\"s1\",\"tool_name\":null,\"outcome\":null}";

struct sink {
	struct et_buf out;
	int fail; /* an error to return, or 0 */
};

static int sink_write(void *ctx, const char *data, size_t n)
{
	struct sink *s = ctx;

	return s->fail ? s->fail : et_buf_add(&s->out, data, n);
}

static size_t wanted, refused_tools;

/* Refuses the tool span of toolu_3 (whichever id it has: the second tool span asked). */
static bool want_some(void *ctx, enum et_span_kind kind, const uint8_t id[8], int64_t ts)
{
	(void)ctx;
	(void)id;
	(void)ts;
	wanted++;
	if (kind == ET_SPAN_TOOL && ++refused_tools == 3) {
		return false;
	}
	return true;
}

/* Runs the records (and one chat response for session @chat_session) through an exporter. */
static int run(struct sink *s, size_t batch, bool params, et_traces_want_fn want,
	       const char *chat_session)
{
	const char *recs[] = {rec_main, rec_sub, rec_mcp, rec_batch};
	struct et_traces_opts o;
	struct et_traces *t;
	struct et_record_in rec;
	struct et_usage_response u;
	size_t i;
	int r = 0;

	memset(&o, 0, sizeof(o));
	o.otlp.batch = batch;
	o.otlp.version = "1.0";
	o.include_params = params;
	o.want = want;
	o.otlp.write = sink_write;
	o.otlp.write_ctx = s;
	t = et_traces_create(&o);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]) && r == 0; i++) {
		if (et_logrec_parse_line(recs[i], strlen(recs[i]), &rec) < 0) {
			return -EINVAL;
		}
		r = et_traces_add(t, &rec);
	}
	memset(&u, 0, sizeof(u));
	u.session = chat_session;
	u.session_len = strlen(chat_session);
	u.model = "claude-x";
	u.model_len = 8;
	u.agent_id = "ag1";
	u.agent_id_len = 3;
	u.msg_id = "msg_1";
	u.msg_id_len = 5;
	u.has_ts = true;
	u.ts_ms = 1763733600500LL; /* 2025-11-21T14:00:00.500Z */
	u.u.input = 10;
	u.u.output = 20;
	u.u.cache_read = 30;
	u.u.cache_create = 40;
	if (r == 0) {
		r = et_traces_add_chat(t, &u);
	}
	if (r == 0) {
		r = et_traces_end(t);
	}
	et_traces_destroy(t);
	return r;
}

/* The spans of every line of @text, in order, into @arr (a cJSON array the caller frees). */
static cJSON *spans_of(const char *text, size_t *lines)
{
	cJSON *all = cJSON_CreateArray(), *j, *rs, *ss, *sp;
	const char *p = text, *nl;

	*lines = 0;
	while ((nl = strchr(p, '\n'))) {
		j = cJSON_ParseWithLength(p, (size_t)(nl - p));
		(*lines)++;
		cJSON_ArrayForEach (rs, cJSON_GetObjectItem(j, "resourceSpans")) {
			cJSON_ArrayForEach (ss, cJSON_GetObjectItem(rs, "scopeSpans")) {
				cJSON_ArrayForEach (sp, cJSON_GetObjectItem(ss, "spans")) {
					cJSON_AddItemToArray(all, cJSON_Duplicate(sp, true));
				}
			}
		}
		cJSON_Delete(j);
		p = nl + 1;
	}
	return all;
}

static cJSON *by_name(cJSON *spans, const char *name)
{
	cJSON *s;

	cJSON_ArrayForEach (s, spans) {
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(s, "name")), name)) {
			return s;
		}
	}
	return NULL;
}

static const char *str(cJSON *s, const char *key)
{
	return s ? cJSON_GetStringValue(cJSON_GetObjectItem(s, key)) : NULL;
}

/* The value of attribute @key of span @s as text (stringValue or intValue), or NULL. */
static const char *attr(cJSON *s, const char *key)
{
	cJSON *a, *v;

	cJSON_ArrayForEach (a, cJSON_GetObjectItem(s, "attributes")) {
		if (!strcmp(str(a, "key"), key)) {
			v = cJSON_GetObjectItem(a, "value");
			return str(v, "stringValue") ? str(v, "stringValue") : str(v, "intValue");
		}
	}
	return NULL;
}

int main(void)
{
	struct sink s, s2;
	cJSON *spans, *sess, *sub, *bash, *read, *mcp, *chat;
	size_t lines;
	int r;

	memset(&s, 0, sizeof(s));
	et_buf_init(&s.out, 1 << 20);
	r = run(&s, 0, false, NULL, "s1");
	tap_ok(r == 0, "an export of 3 calls, a batch record and a response: returns 0");
	spans = spans_of(s.out.data, &lines);
	tap_ok(lines == 1 && cJSON_GetArraySize(spans) == 6,
	       "one line, 6 spans: 3 calls, a session, a subagent, a response (got %zu, %d)", lines,
	       cJSON_GetArraySize(spans));
	sess = by_name(spans, "invoke_agent claude-code");
	sub = by_name(spans, "invoke_agent Explore");
	bash = by_name(spans, "execute_tool Bash");
	read = by_name(spans, "execute_tool Read");
	mcp = by_name(spans, "execute_tool mcp__gh__issue");
	chat = by_name(spans, "chat claude-x");
	tap_ok(sess && sub && bash && read && mcp && chat, "the six spans by name");
	if (!(sess && sub && bash && read && mcp && chat)) {
		return tap_done();
	}
	tap_ok(!cJSON_GetObjectItem(sess, "parentSpanId"), "the session's span has no parent");
	tap_is_str(str(sub, "parentSpanId"), str(sess, "spanId"),
		   "the subagent's parent: the session");
	tap_is_str(str(bash, "parentSpanId"), str(sess, "spanId"),
		   "a main call's parent: the session");
	tap_is_str(str(read, "parentSpanId"), str(sub, "spanId"), "a subagent's call's parent: it");
	tap_is_str(str(chat, "parentSpanId"), str(sub, "spanId"),
		   "a subagent's response's parent: the subagent");
	tap_ok(!strcmp(str(bash, "traceId"), str(sess, "traceId")) &&
		       !strcmp(str(chat, "traceId"), str(sess, "traceId")) &&
		       strlen(str(sess, "traceId")) == 32 && strlen(str(sess, "spanId")) == 16,
	       "one trace id (32 hex) for the session, span ids of 16 hex");
	tap_is_str(str(bash, "startTimeUnixNano"), "1763733600000000000",
		   "start: timestamp - latency_ms");
	tap_is_str(str(bash, "endTimeUnixNano"), "1763733600100000000", "end: the timestamp");
	tap_is_str(str(read, "startTimeUnixNano"), "1763733600997500000",
		   "a fractional latency, in nanoseconds");
	tap_is_str(str(sess, "startTimeUnixNano"), "1763733600000000000",
		   "the session starts with its first call");
	tap_is_str(str(sess, "endTimeUnixNano"), "1763733602000000000",
		   "and ends with its last (the interrupted call, an instant)");
	tap_ok(cJSON_GetObjectItem(bash, "kind")->valueint == 1 &&
		       cJSON_GetObjectItem(chat, "kind")->valueint == 3,
	       "kinds: execute_tool INTERNAL (1), chat CLIENT (3)");
	tap_is_str(attr(bash, "gen_ai.operation.name"), "execute_tool", "gen_ai.operation.name");
	tap_is_str(attr(bash, "gen_ai.tool.call.id"), "toolu_1", "gen_ai.tool.call.id");
	tap_is_str(attr(bash, "gen_ai.tool.type"), "function", "gen_ai.tool.type function");
	tap_is_str(attr(mcp, "gen_ai.tool.type"), "extension", "an MCP tool: extension");
	tap_is_str(attr(bash, "gen_ai.conversation.id"), "s1", "gen_ai.conversation.id");
	tap_ok(!attr(bash, "error.type") && !cJSON_GetObjectItem(bash, "status"),
	       "a success: no error.type, no status");
	tap_is_str(attr(read, "error.type"), "file_not_found", "a failure's error.type: its class");
	tap_is_str(attr(mcp, "error.type"), "interrupted", "an interruption's error.type");
	tap_ok(cJSON_GetObjectItem(cJSON_GetObjectItem(read, "status"), "code")->valueint == 2 &&
		       !cJSON_GetObjectItem(cJSON_GetObjectItem(read, "status"), "message"),
	       "a failure: status ERROR, no message without include_params");
	tap_is_str(attr(mcp, "process.exit.code"), "3",
		   "exit_code: process.exit.code, an intValue");
	tap_ok(!attr(bash, "gen_ai.tool.call.arguments"), "no arguments without include_params");
	tap_is_str(attr(sub, "gen_ai.agent.id"), "ag1", "the subagent's gen_ai.agent.id");
	tap_is_str(attr(chat, "gen_ai.usage.input_tokens"), "80",
		   "chat: input_tokens counts cached tokens too (10 + 30 + 40)");
	tap_is_str(attr(chat, "gen_ai.usage.output_tokens"), "20", "chat: output_tokens");
	tap_is_str(attr(chat, "gen_ai.usage.cache_read.input_tokens"), "30", "chat: cache reads");
	tap_is_str(attr(chat, "gen_ai.usage.cache_creation.input_tokens"), "40",
		   "chat: cache writes");
	tap_is_str(attr(chat, "gen_ai.provider.name"), "anthropic", "chat: gen_ai.provider.name");

	/* The same input, the same bytes; parameters when asked. */
	memset(&s2, 0, sizeof(s2));
	et_buf_init(&s2.out, 1 << 20);
	run(&s2, 0, false, NULL, "s1");
	tap_ok(s2.out.len == s.out.len && !memcmp(s2.out.data, s.out.data, s.out.len),
	       "exporting twice gives the same spans, ids included");
	et_buf_reset(&s2.out);
	run(&s2, 0, true, NULL, "s1");
	tap_ok(strstr(s2.out.data, "{\"key\":\"gen_ai.tool.call.arguments\",\"value\":{"
				   "\"stringValue\":\"{\\\"command\\\":\\\"ls\\\"}\"}}") != NULL &&
		       strstr(s2.out.data, "\"status\":{\"code\":2,\"message\":\"File does not "
					   "exist.\"}") != NULL,
	       "include_params: the arguments and the error message");
	et_buf_reset(&s2.out);
	run(&s2, 0, false, NULL, "another");
	tap_ok(!strstr(s2.out.data, "chat claude-x"),
	       "a response of a session without calls is left out");
	et_buf_reset(&s2.out);
	r = run(&s2, 2, false, NULL, "s1");
	cJSON_Delete(spans);
	spans = spans_of(s2.out.data, &lines);
	tap_ok(r == 0 && lines == 3 && cJSON_GetArraySize(spans) == 6,
	       "batch 2: 6 spans in 3 lines (got %zu)", lines);
	et_buf_reset(&s2.out);
	wanted = refused_tools = 0;
	run(&s2, 0, false, want_some, "s1");
	cJSON_Delete(spans);
	spans = spans_of(s2.out.data, &lines);
	tap_ok(wanted == 6 && cJSON_GetArraySize(spans) == 5 &&
		       !by_name(spans, "execute_tool mcp__gh__issue"),
	       "the filter is asked once per span, and what it refuses is not written");
	et_buf_reset(&s2.out);
	s2.fail = -ENOSPC;
	tap_ok(run(&s2, 0, false, NULL, "s1") == -ENOSPC, "a writer's error is returned");

	{
		uint8_t a[8], b[8], c[16];
		static const uint8_t zero[8];

		et_traces_span_id("tool", "s", 1, "t", 1, a);
		et_traces_span_id("tool", "s", 1, "u", 1, b);
		et_traces_trace_id("s", 1, c);
		tap_ok(memcmp(a, b, 8) && memcmp(a, zero, 8) && memcmp(c, zero, 8),
		       "ids differ by call and are never zero");
	}
	cJSON_Delete(spans);
	et_buf_finish(&s.out);
	et_buf_finish(&s2.out);
	return tap_done();
}
