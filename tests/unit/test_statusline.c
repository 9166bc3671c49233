/* Unit tests for et_statusline: the status-line JSON, the tally, the transcript's usage, the line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_pricing.h"
#include "et_statusline.h"
#include "tap.h"

static const char *full =
	"{\"session_id\":\"5e4de41f-ca4b-41ac-a2e9-08dca911f700\",\"transcript_path\":\"/t/x.jsonl\","
	"\"model\":{\"id\":\"claude-opus-4-5\",\"display_name\":\"Opus\"},"
	"\"cost\":{\"total_cost_usd\":1.234,\"total_duration_ms\":45000},"
	"\"context_window\":{\"total_input_tokens\":15000,\"total_output_tokens\":2500}}";

static void test_parse(void)
{
	struct et_status_in in;
	static const char *bad[] = {"", "not json", "[1,2]", "{\"session_id\":", "null", "\"s\""};
	size_t i;

	tap_ok(et_status_parse(full, strlen(full), &in) == 0, "a full input parses");
	tap_is_str(in.session, "5e4de41f-ca4b-41ac-a2e9-08dca911f700", "session_id");
	tap_is_str(in.transcript, "/t/x.jsonl", "transcript_path");
	tap_ok(in.has_cost && in.cost_usd == 1.234, "cost.total_cost_usd");
	tap_ok(in.has_duration && in.duration_ms == 45000, "cost.total_duration_ms");
	tap_ok(in.has_tokens && in.tokens == 17500, "context_window tokens summed");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_ok(et_status_parse(bad[i], strlen(bad[i]), &in) == -EINVAL && !in.session[0],
		       "not an object: '%s'", bad[i]);
	}
	tap_ok(et_status_parse("{}", 2, &in) == 0 && !in.session[0] && !in.has_cost &&
		       !in.has_tokens && !in.has_duration && !in.transcript[0],
	       "an empty object: every field absent");
#define ID_CASE(json, name)                                                                        \
	tap_ok(et_status_parse(json, strlen(json), &in) == 0 && !in.session[0], name)
	ID_CASE("{\"session_id\":42}", "a number is no session id");
	ID_CASE("{\"session_id\":\"\"}", "an empty session id is none");
	ID_CASE("{\"session_id\":\"a b\"}", "a space in the id: none");
	ID_CASE("{\"session_id\":\"a\\u001b[31m\"}", "an escape sequence in the id: none");
	ID_CASE("{\"session_id\":\"a\\\"b\"}", "a quote in the id: none");
	ID_CASE("{\"session_id\":\"a\\u0000b\"}", "a NUL in the id: none");
	{
		char json[400];

		snprintf(json, sizeof(json), "{\"session_id\":\"%0200d\"}", 7);
		ID_CASE(json, "a 200-character id: none");
	}
#define PARSE(json) et_status_parse(json, strlen(json), &in)
	tap_ok(PARSE("{\"cost\":{\"total_cost_usd\":-1,\"total_duration_ms\":\"5\"}}") == 0 &&
		       !in.has_cost && !in.has_duration,
	       "a negative cost and a string duration are absent");
	tap_ok(PARSE("{\"cost\":{\"total_cost_usd\":1e999}}") == 0 && !in.has_cost,
	       "an infinite cost is absent");
	tap_ok(PARSE("{\"cost\":[1],\"context_window\":{\"total_input_tokens\":5}}") == 0 &&
		       !in.has_cost && !in.has_tokens,
	       "cost not an object, output tokens missing: absent");
}

static struct et_record_in rec(const char *tool, enum et_outcome out, double lat)
{
	struct et_record_in r = {0};

	r.tool.p = tool;
	r.tool.n = strlen(tool);
	r.outcome = out;
	r.has_latency = lat >= 0;
	r.latency_ms = lat;
	return r;
}

static void test_tally_format(void)
{
	struct et_status_tally t = {0};
	struct et_status_usage u = {0};
	struct et_status_in in;
	struct et_record_in r;
	struct et_buf out;

	et_buf_init(&out, 4096);
	et_status_parse("{\"session_id\":\"s\"}", 18, &in);
	et_status_format(&in, &t, false, &u, &out);
	tap_is_str(out.data, "no tool calls yet\n", "nothing yet");
	et_buf_reset(&out);
	et_status_format(&in, &t, true, &u, &out);
	tap_is_str(out.data, "no recent tool calls\n", "nothing in what was read");

	r = rec("Bash", ET_OUT_SUCCESS, 1500);
	et_status_tally_add(&t, &r);
	r = rec("Read", ET_OUT_FAILURE, 20);
	et_status_tally_add(&t, &r);
	r = rec("Edit", ET_OUT_INTERRUPTED, -1);
	et_status_tally_add(&t, &r);
	r = rec("", ET_OUT_NONE, 99999);
	et_status_tally_add(&t, &r);
	r = rec("Glob", ET_OUT_SUCCESS, 99999);
	r.is_batch = true;
	et_status_tally_add(&t, &r);
	tap_ok(t.calls == 3 && t.failures == 2, "batch and non-call records are not calls");
	et_buf_reset(&out);
	et_status_format(&in, &t, false, &u, &out);
	tap_is_str(out.data, "3 tool calls, 2 failed | slowest Bash 1.5s\n",
		   "calls and the slowest");

	r = rec("mcp__x\x1b[31m\n\tevil", ET_OUT_SUCCESS, 3723000);
	et_status_tally_add(&t, &r);
	et_buf_reset(&out);
	et_status_format(&in, &t, true, &u, &out);
	tap_is_str(out.data, "4+ tool calls, 2 failed | slowest mcp__x[31mevil 1h02m\n",
		   "control bytes never reach the terminal; partial shows +");

	et_status_parse(full, strlen(full), &in);
	et_buf_reset(&out);
	et_status_format(&in, &t, false, &u, &out);
	tap_ok(strstr(out.data, "| 17.5k tokens | $1.23\n") != NULL,
	       "tokens and cost from the JSON: %s", out.data);
	u.known = true;
	u.tokens = 2500000;
	u.has_cost = true;
	u.cost = 0.5;
	et_buf_reset(&out);
	et_status_format(&in, &t, false, &u, &out);
	tap_ok(strstr(out.data, "| 2.50M tokens | $0.50\n") != NULL,
	       "tokens and cost from the transcript first: %s", out.data);
	u.has_cost = false;
	et_buf_reset(&out);
	et_status_format(&in, &t, false, &u, &out);
	tap_ok(strstr(out.data, "tokens\n") != NULL, "an unpriced model: no cost: %s", out.data);
	et_buf_finish(&out);
}

static void test_usage(const char *transcript)
{
	struct et_status_usage u;
	struct et_pricing p;
	int r;

	if (et_pricing_init(&p) < 0) {
		tap_ok(false, "pricing");
		return;
	}
	r = et_status_usage(transcript, "5e4de41f-ca4b-41ac-a2e9-08dca911f700", 1 << 20, &p, &u);
	/* The recorded transcript: 11 responses, as `telemetry-stats cost` counts them. */
	tap_ok(r == 0 && u.known && u.tokens == 13750 + 495 + 3300 + 55000 && u.has_cost &&
		       u.cost > 0.07 && u.cost < 0.09,
	       "the recorded transcript: %llu tokens, $%.4f", (unsigned long long)u.tokens, u.cost);
	r = et_status_usage(transcript, "another-session", 1 << 20, &p, &u);
	tap_ok(r == 0 && !u.known, "another session's transcript says nothing");
	r = et_status_usage(transcript, "5e4de41f-ca4b-41ac-a2e9-08dca911f700", 1000, &p, &u);
	tap_ok(r == -EFBIG && !u.known, "over the bound: not read");
	r = et_status_usage("/nonexistent/x.jsonl", "s", 1 << 20, &p, &u);
	tap_ok(r == -ENOENT && !u.known, "a missing transcript");
	r = et_status_usage("/dev/zero", "s", 1 << 20, &p, &u);
	tap_ok(r == -EINVAL && !u.known, "a device is refused");
	et_pricing_finish(&p);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TRANSCRIPT\n", argv[0]);
		return 2;
	}
	test_parse();
	test_tally_format();
	test_usage(argv[1]);
	return tap_done();
}
