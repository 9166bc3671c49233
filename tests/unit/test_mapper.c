/* Unit tests for et_mapper: reading a payload's members into a record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_jdoc.h"
#include "et_mapper.h"
#include "mapper_setup.h"
#include "tap.h"

#define AWS_KEY "AKIAQWERTYUIOPASDFGH" /* a fake key */

static bool skip_read(const void *ctx, const char *tool)
{
	(void)ctx;
	return !strcmp(tool, "Read");
}

static void test_members(void)
{
	const char *json =
		"{\"hook_event_name\":\"PostToolUse\",\"a\":\"x\\u0041y\","
		"\"secret\":\"key " AWS_KEY " here\",\"d\":24.5,\"neg\":-1,\"big\":1e12,"
		"\"s\":\"3\",\"t\":true,\"f\":false,\"st\":\"true\",\"o\":{\"k\":\"v\"}}";
	struct et_mapper mp;
	struct et_record_out rec;
	char *v;
	double d = 0;

	setup_open(&mp, ET_AGENT_CLAUDE, json, &rec);
	v = et_mapper_string(&mp, "a", &rec, false);
	tap_is_str(v, "xAy", "string: decoded");
	free(v);
	v = et_mapper_string(&mp, "secret", &rec, false);
	tap_ok(v && !strstr(v, AWS_KEY) && rec.redactions == 1,
	       "string: cleaned, the redaction counted in the record: %s", v ? v : "(null)");
	free(v);
	v = et_mapper_string(&mp, "secret", &rec, true);
	tap_ok(v && strstr(v, AWS_KEY) && rec.redactions == 1, "string, raw: decoded only");
	free(v);
	tap_ok(!et_mapper_string(&mp, "d", &rec, false) && !et_mapper_string(&mp, "no", &rec, true),
	       "string: NULL for a number or an absent member");
	tap_ok(et_mapper_number(&mp, "d", &d) && d == 24.5, "number: 24.5");
	tap_ok(!et_mapper_number(&mp, "neg", &d) && !et_mapper_number(&mp, "big", &d) &&
		       !et_mapper_number(&mp, "s", &d) && !et_mapper_number(&mp, "no", &d),
	       "number: not below 0, not from 1e12, not a string, not absent");
	tap_ok(et_mapper_true(&mp, "t") && !et_mapper_true(&mp, "f") &&
		       !et_mapper_true(&mp, "st") && !et_mapper_true(&mp, "no"),
	       "true: only the literal true");
	setup_close(&mp, &rec);
}

static void test_docs(void)
{
	const char *json = "{\"o\":{\"k\":\"v\",\"n\":1,\"arr\":[\"first\"]},\"s\":\"x\"}";
	struct et_mapper mp;
	struct et_record_out rec;
	struct et_jdoc d = {0}, e = {0};
	char *v;

	setup_open(&mp, ET_AGENT_CLAUDE, json, &rec);
	tap_ok(et_mapper_doc(&mp, "o", &d) == 0, "doc: an object member parses, its root is 0");
	v = et_mapper_doc_string(&mp, &d, 0, "k", &rec, false);
	tap_is_str(v, "v", "doc_string: a member of the object");
	free(v);
	tap_ok(!et_mapper_doc_string(&mp, &d, 0, "n", &rec, false) &&
		       !et_mapper_doc_string(&mp, &d, 0, "zz", &rec, false),
	       "doc_string: NULL for a number or an absent member");
	tap_ok(!et_mapper_node_string(&mp, &d, 0, &rec, true), "node_string: node 0 is none");
	tap_ok(et_mapper_doc(&mp, "s", &e) == (size_t)-1 &&
		       et_mapper_doc(&mp, "no", &e) == (size_t)-1,
	       "doc: (size_t)-1 for a string or an absent member");
	et_jdoc_finish(&d);
	et_jdoc_finish(&e);
	setup_close(&mp, &rec);
}

static void test_skip(void)
{
	struct et_mapper mp;
	struct et_record_out rec;

	setup_open(&mp, ET_AGENT_CLAUDE, "{}", &rec);
	tap_ok(!et_mapper_skipped(&mp, "Read"), "skipped: nothing without a skip function");
	setup_opts.skip_tool = skip_read;
	tap_ok(et_mapper_skipped(&mp, "Read") && !et_mapper_skipped(&mp, "Bash") &&
		       !et_mapper_skipped(&mp, NULL),
	       "skipped: what the function says, never for no tool");
	setup_opts.skip_tool = NULL;
	setup_close(&mp, &rec);
}

static void test_params(void)
{
	const char *json = "{\"tool_input\":{\"command\":\"ls\"},\"tool_response\":{\"a\":1}}";
	struct et_mapper mp;
	struct et_record_out rec, other;
	struct et_buf big;
	int r;

	setup_open(&mp, ET_AGENT_CLAUDE, json, &rec);
	r = et_mapper_input(&mp, &rec);
	tap_ok(r == 0 && rec.params && !strcmp(rec.params, "{\"command\":\"ls\"}"),
	       "input: tool_input becomes the params");
	tap_ok(rec.has_fp && strlen(rec.params_fp) == 32, "input: with its fingerprint");
	et_mapper_response_size(&mp, "tool_response", &rec);
	tap_ok(rec.has_response_bytes && rec.response_bytes == 7,
	       "response_size: the member's JSON length (%lld)", rec.response_bytes);
	memset(&other, 0, sizeof(other));
	r = et_mapper_params_span(&mp, "{ \"command\" : \"ls\" }", 20, &other);
	tap_ok(r == 0 && other.has_fp && !strcmp(other.params_fp, rec.params_fp),
	       "params_span: the same value spelled otherwise has the same fingerprint");
	et_record_finish(&other);
	r = et_mapper_params_span(&mp, "{\"command\":\"ls -a\"}", 19, &other);
	tap_ok(r == 0 && strcmp(other.params_fp, rec.params_fp) != 0,
	       "params_span: another value, another fingerprint");
	et_record_finish(&other);

	et_buf_init(&big, 1 << 21);
	et_buf_addch(&big, '[');
	for (size_t i = 0; i <= ET_MAPPER_MAX_NODES; i++) {
		et_buf_adds(&big, i ? ",0" : "0");
	}
	et_buf_addch(&big, ']');
	r = et_mapper_params_span(&mp, big.data, big.len, &other);
	tap_ok(r == 0 && !other.has_fp && other.truncations == 1 && other.params &&
		       strstr(other.params, "[params with too many values to record]"),
	       "params_span: too many values give a note, one truncation, no fingerprint");
	et_record_finish(&other);
	et_buf_finish(&big);
	setup_close(&mp, &rec);

	setup_open(&mp, ET_AGENT_CLAUDE, "{\"tool_name\":\"x\"}", &rec);
	tap_ok(et_mapper_input(&mp, &rec) == 0 && !rec.params && !rec.has_fp,
	       "input: no tool_input, no params");
	et_mapper_response_size(&mp, "tool_response", &rec);
	tap_ok(!rec.has_response_bytes, "response_size: none without the member");
	setup_close(&mp, &rec);
}

static void test_outcome(void)
{
	tap_is_str(et_mapper_outcome("PostToolUse", true), "success", "outcome: PostToolUse");
	tap_is_str(et_mapper_outcome("PostToolUseFailure", false), "failure",
		   "outcome: PostToolUseFailure");
	tap_is_str(et_mapper_outcome("PostToolUseFailure", true), "interrupted",
		   "outcome: PostToolUseFailure with is_interrupt");
	tap_ok(!et_mapper_outcome("PreToolUse", false) && !et_mapper_outcome(NULL, false),
	       "outcome: none for another event or none");
}

static void test_call(void)
{
	const char *json = "{\"hook_event_name\":\"PostToolUseFailure\",\"tool_name\":\"Bash\","
			   "\"tool_use_id\":\"toolu_7\",\"error\":\"Exit code 2\\nno such file\","
			   "\"duration_ms\":1500,\"tool_input\":{\"command\":\"ls x\"}}";
	struct et_mapper mp;
	struct et_record_out rec;
	struct et_mapped out;

	memset(&out, 0, sizeof(out));
	setup_open(&mp, ET_AGENT_CLAUDE, json, &rec);
	tap_ok(et_mapper_call(&mp, &rec, &out) == 0, "call: maps");
	tap_is_str(rec.tool_name, "Bash", "call: tool_name");
	tap_is_str(rec.tool_use_id, "toolu_7", "call: tool_use_id");
	tap_is_str(rec.outcome, "failure", "call: outcome from the event");
	tap_ok(rec.has_exit_code && rec.exit_code == 2, "call: the exit code from the error");
	tap_ok(rec.has_latency && rec.latency_ms == 1500 && rec.latency_source &&
		       !strcmp(rec.latency_source, "duration_ms"),
	       "call: the latency from duration_ms");
	tap_is_str(rec.params, "{\"command\":\"ls x\"}", "call: the params");
	tap_is_str(out.post_tool_use_id, "toolu_7", "call: the id whose start stamp is done with");
	tap_ok(!rec.has_response_bytes, "call: no tool_response, no size");
	et_mapped_finish(&out);
	setup_close(&mp, &rec);

	setup_open(&mp, ET_AGENT_CLAUDE,
		   "{\"hook_event_name\":\"Notification\",\"tool_use_id\":\"t\"}", &rec);
	tap_ok(et_mapper_call(&mp, &rec, &out) == 0 && !rec.outcome && !out.post_tool_use_id,
	       "call: another event has no outcome and stamps nothing");
	et_mapped_finish(&out);
	setup_close(&mp, &rec);
}

int main(void)
{
	setup_options();
	test_members();
	test_docs();
	test_skip();
	test_params();
	test_outcome();
	test_call();
	setup_finish();
	return tap_done();
}
