/*
 * Unit tests for et_otlp, the OTLP JSON line writer of both OTLP exports: the exact text of a
 * line for logs and for traces (resource attributes present and left out), a resource per agent
 * in the order agents first appear, batching by count, the line_bytes bound at its exact edge
 * (for an item of a known resource and for a new resource), an item larger than the bound alone
 * on its line, making room before a filter decides, writer errors, and the attribute helpers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "et_buf.h"
#include "et_otlp.h"
#include "sink.h"
#include "tap.h"

static const struct et_otlp_opts defaults;

/* Starts @w writing @sig lines into @s, a new sink, with the settings in @o (the writer: @s). */
static void lines_open(struct et_otlp_lines *w, struct sink *s, struct et_otlp_opts o,
		       enum et_otlp_signal sig)
{
	memset(s, 0, sizeof(*s));
	et_buf_init(&s->out, (size_t)64 << 20);
	o.write = sink_write;
	o.write_ctx = s;
	et_otlp_lines_init(w, &o, sig);
}

/* Frees @w and the sink @s. */
static void lines_close(struct et_otlp_lines *w, struct sink *s)
{
	et_otlp_lines_finish(w);
	et_buf_finish(&s->out);
}

/* Counts the lines of @s and checks that each is a JSON object; returns the count. */
static size_t json_lines(const char *s, bool *all_json)
{
	const char *p = s, *nl;
	size_t n = 0;

	*all_json = true;
	while (*p) {
		char *line;
		cJSON *j;

		nl = strchr(p, '\n');
		if (!nl) {
			*all_json = false;
			break;
		}
		line = strndup(p, (size_t)(nl - p));
		j = line ? cJSON_Parse(line) : NULL;
		*all_json = *all_json && j && cJSON_IsObject(j);
		cJSON_Delete(j);
		free(line);
		n++;
		p = nl + 1;
	}
	return n;
}

#define ATTR(k, v) "{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"

static void test_logs_text(void)
{
	struct sink s;
	struct et_otlp_lines w;
	struct et_otlp_opts o = {.host_name = "h", .user_name = "u\"1", .version = "1.2"};

	lines_open(&w, &s, o, ET_OTLP_LOGS);
	tap_ok(et_otlp_lines_flush(&w) == 0 && s.writes == 0 && w.lines == 0,
	       "logs: an empty line is not written");
	tap_ok(et_otlp_lines_add(&w, "claude-code", "{\"a\":1}", 7) == 0 && s.writes == 0,
	       "logs: an item waits in the pending line");
	tap_ok(et_otlp_lines_add(&w, "claude-code", "{\"b\":2}", 7) == 0, "logs: a second item");
	tap_ok(w.in_line == 2 && w.items == 2, "logs: two items pending, two added");
	tap_ok(et_otlp_lines_flush(&w) == 0 && w.lines == 1 && w.in_line == 0,
	       "logs: flush writes one line and empties it");
	tap_is_str(
		s.out.data,
		"{\"resourceLogs\":[{\"resource\":{\"attributes\":[" ATTR("service.name", "execution-telemetry") "," ATTR(
			"service.version",
			"1.2") "," ATTR("host.name",
					"h") "," ATTR("user.name",
						      "u\\\"1") "," ATTR("agent",
									 "claude-code") "]},\"scopeLogs\":[{\"scope\":{\"name\":\"execution-telemetry\",\"version\":"
											"\"1.2\"},\"logRecords\":[{\"a\":1},{\"b\":2}]}]}]}\n",
		"logs: the line, every resource attribute, the scope's version, items in order");
	tap_ok(w.pending == strlen("{\"resourceLogs\":[") + strlen("]}\n"),
	       "logs: pending is back to an empty line's bytes");
	lines_close(&w, &s);
}

static void test_traces_text(void)
{
	struct sink s;
	struct et_otlp_lines w;
	bool all_json;

	lines_open(&w, &s, defaults, ET_OTLP_TRACES);
	et_otlp_lines_add(&w, "claude-code", "{\"s\":1}", 7);
	et_otlp_lines_add(&w, "gemini-cli", "{\"s\":2}", 7);
	et_otlp_lines_add(&w, "claude-code", "{\"s\":3}", 7);
	tap_ok(w.ngroups == 2, "traces: two agents, two resources");
	tap_ok(et_otlp_lines_flush(&w) == 0, "traces: flush");
	tap_is_str(
		s.out.data,
		"{\"resourceSpans\":[{\"resource\":{\"attributes\":[" ATTR("service.name", "execution-telemetry") "," ATTR(
			"agent",
			"claude-code") "]},\"scopeSpans\":[{\"scope\":{\"name\":\"execution-telemetry\"},\"spans\":["
				       "{\"s\":1},{\"s\":3}]}]},{\"resource\":{\"attributes\":[" ATTR(
					       "service.name",
					       "execution-telemetry") "," ATTR("agent",
									       "gemini-cli") "]},\"scopeSpans\":[{\"scope\":{\"name\":\"execution-telemetry\"},\"spans\":["
											     "{\"s\":2}]}]}]}\n",
		"traces: resources in the order agents came, absent attributes left out");
	tap_ok(json_lines(s.out.data, &all_json) == 1 && all_json, "traces: the line is JSON");
	lines_close(&w, &s);
}

static void test_batch(void)
{
	struct sink s;
	struct et_otlp_lines w;
	struct et_otlp_opts o = {.batch = 2};
	bool all_json;
	size_t i;
	int r = 0;

	lines_open(&w, &s, o, ET_OTLP_LOGS);
	for (i = 0; i < 5 && r == 0; i++) {
		r = et_otlp_lines_add(&w, i % 2 ? "a" : "b", "{}", 2);
	}
	tap_ok(r == 0 && w.lines == 2 && w.in_line == 1, "batch 2: five items, two lines written");
	tap_ok(et_otlp_lines_flush(&w) == 0 && w.lines == 3 && w.items == 5,
	       "batch 2: the last line at flush");
	tap_ok(json_lines(s.out.data, &all_json) == 3 && all_json, "batch 2: three JSON lines");
	lines_close(&w, &s);

	lines_open(&w, &s, defaults, ET_OTLP_LOGS);
	tap_ok(w.o.batch == ET_EXPORT_BATCH && w.o.line_bytes == ET_EXPORT_LINE_BYTES,
	       "defaults: ET_EXPORT_BATCH and ET_EXPORT_LINE_BYTES");
	for (i = 0; i < ET_EXPORT_BATCH && r == 0; i++) {
		r = et_otlp_lines_add(&w, "a", "{}", 2);
	}
	tap_ok(r == 0 && w.lines == 1 && w.in_line == 0, "defaults: a line every 1000 items");
	lines_close(&w, &s);
}

/* Adds the @n items with line_bytes @bytes; returns the lines written in the end. */
static size_t lines_with(enum et_otlp_signal sig, size_t bytes, const char *const *agents,
			 const char *const *items, size_t n, size_t *longest)
{
	struct sink s;
	struct et_otlp_lines w;
	struct et_otlp_opts o = {.line_bytes = bytes};
	const char *p, *nl;
	size_t i, lines;

	lines_open(&w, &s, o, sig);
	for (i = 0; i < n; i++) {
		et_otlp_lines_add(&w, agents[i], items[i], strlen(items[i]));
	}
	et_otlp_lines_flush(&w);
	lines = w.lines;
	*longest = 0;
	for (p = s.out.data; (nl = strchr(p, '\n')); p = nl + 1) {
		if ((size_t)(nl + 1 - p) > *longest) {
			*longest = (size_t)(nl + 1 - p);
		}
	}
	lines_close(&w, &s);
	return lines;
}

static void test_line_bytes(void)
{
	static const char *const same[] = {"a", "a"}, *const two[] = {"a", "bb"};
	static const char *const items[] = {"{\"x\":\"0123456789\"}", "{\"y\":1}"};
	/* The edge for an item of a resource already in the line, then for a new resource. */
	static const struct {
		enum et_otlp_signal sig;
		const char *const *agents;
		const char *exact, *less;
	} edges[] = {
		{ET_OTLP_LOGS, same, "a line of exactly line_bytes is one line",
		 "one byte less and the second item starts a new line"},
		{ET_OTLP_TRACES, two, "a new resource's bytes are counted exactly",
		 "one byte less and the new resource goes to the next line"},
	};
	size_t i, full, longest;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		enum et_otlp_signal sig = edges[i].sig;
		const char *const *agents = edges[i].agents;

		lines_with(sig, (size_t)1 << 30, agents, items, 2, &full);
		tap_ok(lines_with(sig, full, agents, items, 2, &longest) == 1 && longest == full,
		       "line_bytes: %s", edges[i].exact);
		tap_ok(lines_with(sig, full - 1, agents, items, 2, &longest) == 2 &&
			       longest <= full - 1,
		       "line_bytes: %s", edges[i].less);
	}
	tap_ok(lines_with(ET_OTLP_LOGS, 10, same, items, 2, &longest) == 2,
	       "line_bytes: an item larger than the bound is alone on its line");
}

static void test_fit(void)
{
	struct sink s;
	struct et_otlp_lines w;
	size_t one;

	lines_open(&w, &s, defaults, ET_OTLP_TRACES);
	tap_ok(et_otlp_lines_fit(&w, "a", (size_t)4 << 20) == 0 && s.writes == 0,
	       "fit: an empty line takes any item, nothing written");
	et_otlp_lines_add(&w, "a", "{}", 2);
	one = w.pending;
	tap_ok(et_otlp_lines_fit(&w, "a", 100) == 0 && s.writes == 0 && w.in_line == 1,
	       "fit: an item that fits writes nothing");
	tap_ok(et_otlp_lines_fit(&w, "b", ET_EXPORT_LINE_BYTES - one) == 0 && w.lines == 1 &&
		       w.in_line == 0 && s.out.len == one,
	       "fit: an item that does not fit writes the pending line first");
	lines_close(&w, &s);
}

static void test_errors(void)
{
	struct sink s;
	struct et_otlp_lines w;
	struct et_otlp_opts o = {.batch = 2};

	lines_open(&w, &s, o, ET_OTLP_LOGS);
	s.fail_at = 1;
	tap_ok(et_otlp_lines_add(&w, "a", "{}", 2) == 0, "error: the first item waits");
	tap_ok(et_otlp_lines_add(&w, "a", "{}", 2) == -EIO, "error: the writer's error comes back");
	tap_ok(w.in_line == 0 && w.ngroups == 0 && w.lines == 1,
	       "error: the line is dropped and counted");
	lines_close(&w, &s);

	lines_open(&w, &s, defaults, ET_OTLP_LOGS);
	s.fail_at = 7; /* open, head, items, close, comma, head, then the second resource's items */
	et_otlp_lines_add(&w, "a", "{}", 2);
	et_otlp_lines_add(&w, "b", "{}", 2);
	tap_ok(et_otlp_lines_flush(&w) == -EIO && s.writes == 7 && !strchr(s.out.data, '\n'),
	       "error: a write that fails stops the line there");
	lines_close(&w, &s);

	memset(&w, 0, sizeof(w));
	et_otlp_lines_finish(&w);
	lines_open(&w, &s, defaults, ET_OTLP_LOGS);
	et_otlp_lines_add(&w, "a", "{}", 2);
	et_otlp_lines_finish(&w);
	tap_ok(s.writes == 0 && w.groups == NULL, "finish: frees a pending line without writing");
	et_buf_finish(&s.out);
}

static void test_attrs(void)
{
	struct et_buf b;
	bool first = true;

	et_buf_init(&b, 4096);
	et_otlp_attr_str(&b, &first, "k", "a\"\n\0b", 5);
	tap_ok(!first, "attr: first is cleared");
	et_otlp_attr_strz(&b, &first, "z", "\xc3\xa9");
	et_otlp_attr_int(&b, &first, "n", -9007199254740993LL);
	tap_is_str(b.data,
		   "{\"key\":\"k\",\"value\":{\"stringValue\":\"a\\\"\\n\\u0000b\"}},"
		   "{\"key\":\"z\",\"value\":{\"stringValue\":\"\xc3\xa9\"}},"
		   "{\"key\":\"n\",\"value\":{\"intValue\":\"-9007199254740993\"}}",
		   "attr: strings escaped, a comma between, a 64-bit intValue as a string");
	et_buf_finish(&b);
}

int main(void)
{
	test_logs_text();
	test_traces_text();
	test_batch();
	test_line_bytes();
	test_fit();
	test_errors();
	test_attrs();
	return tap_done();
}
