#ifndef ET_USAGE_H
#define ET_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_pricing.h"
#include "et_transcript.h"

/*
 * Tokens and dollars from transcript lines: one API response counted once however many lines
 * repeat it (docs/cost.md, "Deduplication"), priced by et_pricing, summed by a key (day, week,
 * month, session, project, model or agent), optionally split by model within each row.
 */

enum et_usage_by {
	ET_BY_DAY,
	ET_BY_WEEK,
	ET_BY_MONTH,
	ET_BY_SESSION,
	ET_BY_PROJECT,
	ET_BY_MODEL,
	ET_BY_AGENT,
};

struct et_usage_filter {
	bool has_since, has_until;
	int64_t since_ms, until_ms; /* since <= timestamp < until */
	const char *session;	    /* NULL: any */
	const char *project;	    /* NULL: any; else cwd equal to it or below it */
};

struct et_usage_totals {
	uint64_t input, output, cache_create, cache_1h, cache_read, web_search, web_fetch;
	uint64_t messages;
	double cost; /* dollars; priced messages only */
};

struct et_usage_model {
	char *model; /* owned */
	struct et_usage_totals t;
	bool priced;
};

struct et_usage_row {
	char *key; /* owned */
	struct et_usage_totals t;
	struct et_usage_model *models; /* owned; with breakdown, most expensive first */
	size_t nmodels;
};

struct et_usage_result {
	struct et_usage_row *rows; /* owned */
	size_t nrows;
	struct et_usage_totals totals;
	struct et_usage_model *unpriced; /* owned: models without a price, their tokens */
	size_t nunpriced;
	size_t usage_lines; /* lines with usage that passed the filters */
	size_t duplicates;  /* of those, repeats of a response already counted */
	size_t sidechain_replays;
	size_t synthetic; /* model "<synthetic>": local messages, not API responses */
	size_t no_id;	  /* no message.id: counted, but cannot be deduplicated */
};

/** Where a line comes from, for the project and agent keys. */
struct et_usage_src {
	const char *project;	/* the projects/ directory name, or NULL */
	const char *agent_type; /* a subagent's type, or NULL */
	bool subagent;
};

struct et_usage;

/** Creates an aggregator. @p and @f (may be NULL) are borrowed for its life. NULL: no memory. */
struct et_usage *et_usage_create(const struct et_pricing *p, const struct et_usage_filter *f,
				 enum et_usage_by by, bool breakdown);

/**
 * Creates an aggregator in the traces mode: besides the counts it keeps each response's session,
 * agentId, timestamp and 64-bit requestId hash, for et_usage_each (the cost path's aggregators do
 * not, to stay small). Made for et_usage_each, not et_usage_end. NULL: no memory.
 */
struct et_usage *et_usage_create_each(const struct et_usage_filter *f);

/**
 * Tells @u that the transcripts it is about to read hold about @bytes: the arrays that grow with
 * the responses (written in order, so a part never used costs no memory) are sized for them up
 * front instead of being copied each time they double. Best effort: without the memory, nothing.
 */
void et_usage_expect(struct et_usage *u, uint64_t bytes);

/** Frees @u. Accepts NULL. */
void et_usage_destroy(struct et_usage *u);

/**
 * Adds a line et_transcript_parse_line found to be ET_TX_USAGE (others are ignored). Strings are
 * copied. Returns 0 or -ENOMEM.
 */
int et_usage_add(struct et_usage *u, const struct et_tx_line *l, const struct et_usage_src *src);

/**
 * Settles duplicates and sidechain replays, prices every response and sums the rows into @res
 * (caller-owned, filled here). Time rows are in key order, the others most expensive first.
 * Returns 0 or -ENOMEM.
 */
int et_usage_end(struct et_usage *u, struct et_usage_result *res);

/** Frees what @res owns. Accepts a zeroed result. */
void et_usage_result_finish(struct et_usage_result *res);

/** One API response as et_usage_each hands it over: the line kept for it (deduplicated). */
struct et_usage_response {
	const char *session, *model, *agent_id,
		*msg_id; /* not NUL-terminated; msg_id NULL when absent */
	size_t session_len, model_len, agent_id_len,
		msg_id_len;    /* agent_id_len 0: the main agent */
	uint64_t request_hash; /* the requestId's 64-bit hash | 1, or 0 without one */
	size_t index; /* the response's position among those added (tells apart id-less ones) */
	bool has_ts;
	int64_t ts_ms;
	struct et_tx_usage u;
};

/** Receives a response; the strings are @u's, valid until it is destroyed. <0 stops. */
typedef int (*et_usage_each_fn)(void *ctx, const struct et_usage_response *r);

/**
 * Calls @fn for every response added so far, once each (duplicates settled as in et_usage_end,
 * sidechain replays left out; <synthetic> lines were never added), in the order first seen. The
 * filter given to et_usage_create_each has been applied. Returns 0, @fn's negative return, or
 * -EINVAL when @u was not made by et_usage_create_each.
 */
int et_usage_each(const struct et_usage *u, et_usage_each_fn fn, void *ctx);

/** The name of @by ("day", …), and the inverse: returns -1 for an unknown name. */
const char *et_usage_by_name(enum et_usage_by by);
int et_usage_by_parse(const char *name);

#endif
