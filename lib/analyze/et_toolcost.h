#ifndef ET_TOOLCOST_H
#define ET_TOOLCOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_pricing.h"
#include "et_logrec.h"
#include "et_transcript.h"
#include "et_usage.h"

/*
 * What each tool call costs (docs/cost.md, "Cost per tool"): a share of the output of the
 * response that issued it, and the tokens its result adds to the context on every later request
 * of the same transcript until a compaction. What no call accounts for lands in "unattributed",
 * so the tools and that bucket add up to the total exactly.
 */

#define ET_TOOLCOST_BYTES_PER_TOKEN 4 /* the estimate of a result's tokens from its bytes */

struct et_toolcost_tool {
	char *name; /* owned */
	uint64_t calls, out_tokens, ctx_tokens, result_bytes;
	double cost;
};

struct et_toolcost_call {
	char *id, *name; /* owned */
	char *params;	 /* owned: the log's redacted params (JSON), or NULL */
	uint64_t out_tokens, ctx_tokens, result_bytes, requests;
	double cost;
};

struct et_toolcost_result {
	struct et_toolcost_tool *tools; /* owned; most expensive first */
	size_t ntools;
	struct et_toolcost_call *top; /* owned: the most expensive calls, most expensive first */
	size_t ntop;
	double total, unattributed; /* dollars; total = sum of tools + unattributed */
	struct et_usage_totals totals;
	struct et_usage_model *unpriced; /* owned */
	size_t nunpriced;
	size_t responses, duplicates, calls_in_log, calls_joined;
};

struct et_toolcost;

/**
 * Creates an attributor. @p, @f (may be NULL) and @tool (NULL: all tools) are borrowed. Keeps
 * the @top most expensive calls (10 when 0). NULL when out of memory.
 */
struct et_toolcost *et_toolcost_create(const struct et_pricing *p, const struct et_usage_filter *f,
				       const char *tool);

/** Frees @t. Accepts NULL. */
void et_toolcost_destroy(struct et_toolcost *t);

/** Starts a new transcript file: a new context. Returns 0. */
int et_toolcost_begin_file(struct et_toolcost *t, bool subagent, const char *agent_type);

/** Adds a line parsed with ET_TX_WANT_TOOLS, in file order. Returns 0 or -ENOMEM. */
int et_toolcost_add(struct et_toolcost *t, const struct et_tx_line *l);

/** Notes a log record (its tool_use_id), for the share of calls found in the log. */
int et_toolcost_add_record(struct et_toolcost *t, const struct et_record_in *rec);

/** Settles the last response and fills @res. Returns 0 or -ENOMEM. */
int et_toolcost_end(struct et_toolcost *t, struct et_toolcost_result *res);

/**
 * After et_toolcost_end: the dollars charged to the call whose tool_use_id is the @n bytes at @id
 * (borrowed), in *@cost. Returns false, leaving *@cost alone, when no transcript line named it.
 */
bool et_toolcost_call_cost(struct et_toolcost *t, const char *id, size_t n, double *cost);

/** Copies @rec's params into the top call with its tool_use_id, if any. Returns 0 or -ENOMEM. */
int et_toolcost_result_params(struct et_toolcost_result *res, const struct et_record_in *rec);

/** Frees what @res owns. Accepts a zeroed result. */
void et_toolcost_result_finish(struct et_toolcost_result *res);

#endif
