/* Unit tests for et_toolcost: output shares, context charges, compaction, the exact sum. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_toolcost.h"
#include "tap.h"

#define R1                                                                                         \
	"{\"type\":\"assistant\",\"sessionId\":\"s\",\"requestId\":\"q1\",\"message\":{\"id\":"    \
	"\"m1\",\"model\":\"claude-sonnet-4-6\",\"content\":[{\"type\":\"text\",\"text\":"         \
	"\"let me look\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Read\",\"input\":{"      \
	"\"file_path\":\"/a\"}}],\"usage\":{\"input_tokens\":10,\"output_tokens\":100,"            \
	"\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":0}}}"
#define RES1                                                                                        \
	"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"," \
	"\"tool_use_id\":\"t1\",\"content\":\"%s\"}]}}"
#define R2                                                                                          \
	"{\"type\":\"assistant\",\"sessionId\":\"s\",\"requestId\":\"q2\",\"message\":{\"id\":"     \
	"\"m2\",\"model\":\"claude-sonnet-4-6\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]," \
	"\"usage\":{\"input_tokens\":5,\"output_tokens\":10,\"cache_creation_input_tokens\":400,"   \
	"\"cache_read_input_tokens\":1000}}}"
#define R3                                                                                          \
	"{\"type\":\"assistant\",\"sessionId\":\"s\",\"requestId\":\"q3\",\"message\":{\"id\":"     \
	"\"m3\",\"model\":\"claude-sonnet-4-6\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]," \
	"\"usage\":{\"input_tokens\":5,\"output_tokens\":10,\"cache_creation_input_tokens\":0,"     \
	"\"cache_read_input_tokens\":1400}}}"

static int feed(struct et_toolcost *t, const char *s)
{
	struct et_tx_line l;
	int k = et_transcript_parse_line(s, strlen(s), ET_TX_WANT_TOOLS, &l);

	return k > 0 ? et_toolcost_add(t, &l) : k;
}

int main(void)
{
	struct et_pricing p;
	struct et_toolcost *t;
	struct et_toolcost_result r;
	struct et_tx_line l;
	char res[512], body[301];
	double out_share, expect, total;
	size_t tau;

	memset(body, 'x', 300);
	body[300] = '\0';
	snprintf(res, sizeof(res), RES1, body);
	et_pricing_init(&p);
	t = et_toolcost_create(&p, NULL, NULL);
	et_toolcost_begin_file(t, false, NULL);
	tap_ok(feed(t, R1) == 0 && feed(t, R1) == 0 && feed(t, res) == 0 && feed(t, R2) == 0 &&
		       feed(t, R3) == 0,
	       "a response (twice), its tool's result, two more responses");
	tap_ok(et_toolcost_end(t, &r) == 0, "finish");
	et_transcript_parse_line(R1, strlen(R1), ET_TX_WANT_TOOLS, &l);
	out_share = (double)l.blocks[0].bytes / (double)l.content_bytes;
	et_transcript_parse_line(res, strlen(res), ET_TX_WANT_TOOLS, &l);
	tau = (l.blocks[0].bytes + 3) / 4;
	total = (10 * 3 + 100 * 15 + 1000 * 3.75) / 1e6 +
		(5 * 3 + 10 * 15 + 400 * 3.75 + 1000 * 0.3) / 1e6 +
		(5 * 3 + 10 * 15 + 1400 * 0.3) / 1e6;
	/* R1: its share of the output; R2: the new result from the cache writes; R3: reads. */
	expect = out_share * 100 * 15 / 1e6 + (double)tau * 3.75 / 1e6 + (double)tau * 0.3 / 1e6;
	tap_ok(r.responses == 3 && r.duplicates == 1, "the repeated line counts once");
	tap_ok(fabs(r.total - total) < 1e-12, "the total is the sum of the responses");
	tap_ok(r.ntools == 1 && !strcmp(r.tools[0].name, "Read") && r.tools[0].calls == 1 &&
		       fabs(r.tools[0].cost - expect) < 1e-12,
	       "Read: its output share, then its result written to and read from the cache "
	       "(%.9f vs %.9f)",
	       r.ntools ? r.tools[0].cost : 0, expect);
	tap_ok(r.tools[0].ctx_tokens == 2 * tau && r.tools[0].result_bytes == l.blocks[0].bytes,
	       "the result's tokens are charged on both later requests");
	tap_ok(fabs(r.tools[0].cost + r.unattributed - r.total) < 1e-15 && r.unattributed > 0,
	       "tools plus unattributed is the total");
	tap_ok(r.ntop == 1 && !strcmp(r.top[0].id, "t1") && r.top[0].requests == 2,
	       "the call is in the top list with its requests");
	{
		double c = -1;

		tap_ok(et_toolcost_call_cost(t, "t1", 2, &c) && fabs(c - expect) < 1e-12,
		       "the call's own dollars by its tool_use_id");
		c = -1;
		tap_ok(!et_toolcost_call_cost(t, "t9", 2, &c) && c == -1,
		       "an id no transcript named: none");
	}
	et_toolcost_result_finish(&r);
	et_toolcost_destroy(t);

	/* A compaction drops the result from the context. */
	t = et_toolcost_create(&p, NULL, NULL);
	et_toolcost_begin_file(t, false, NULL);
	feed(t, R1);
	feed(t, res);
	feed(t, R2);
	feed(t, "{\"type\":\"system\",\"subtype\":\"compact_boundary\"}");
	feed(t, R3);
	et_toolcost_end(t, &r);
	tap_ok(r.ntools == 1 && r.tools[0].ctx_tokens == tau,
	       "after a compaction the result is no longer charged");
	et_toolcost_result_finish(&r);
	et_toolcost_destroy(t);

	/* A result bigger than the cache writes takes them all, then uncached input. */
	t = et_toolcost_create(&p, NULL, NULL);
	memset(body, 'y', 300);
	snprintf(res, sizeof(res), RES1, body);
	feed(t, R1);
	feed(t,
	     "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\","
	     "\"tool_use_id\":\"t1\",\"content\":\"" /* 2000 bytes */
	     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	     "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	     "\"}]}}");
	feed(t, R2);
	et_toolcost_end(t, &r);
	tap_ok(r.ntools == 1 && r.tools[0].cost <= r.total && r.unattributed >= 0,
	       "a charge never exceeds what the response cost");
	et_toolcost_result_finish(&r);
	et_toolcost_destroy(t);
	et_pricing_finish(&p);
	return tap_done();
}
