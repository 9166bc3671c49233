#ifndef ET_PRICING_H
#define ET_PRICING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_transcript.h"

/*
 * What a model's tokens cost: an embedded table of Anthropic's list prices (each with its source
 * and the date it was checked), which a user pricing file can extend or override (docs/cost.md).
 * Prices are US dollars per million tokens.
 */

enum et_price_part {
	ET_PART_INPUT,
	ET_PART_CACHE_5M,
	ET_PART_CACHE_1H,
	ET_PART_CACHE_READ,
	ET_PART_OUTPUT,
	ET_PART_WEB_SEARCH,
	ET_NPARTS,
};

struct et_rates {
	double input, output, cache_5m, cache_1h, cache_read;
};

struct et_price {
	const char *match; /* a normalised model id, or a pattern with '*' (user entries only) */
	struct et_rates base;
	/* A request whose prompt (input + cache writes + cache reads) is above tier_above tokens
	 * pays the tier rates on all its tokens, output included. 0: the model has no such tier. */
	uint64_t tier_above;
	struct et_rates tier;
	double fast;	   /* multiplier for speed "fast" (1: no fast mode) */
	double us;	   /* multiplier for inference_geo "us" (1: none) */
	double web_search; /* dollars per web search request */
	const char *source;
	const char *checked; /* YYYY-MM-DD */
	bool user;	     /* from the user's pricing file */
};

struct et_pricing {
	struct et_price *v; /* owned; user entries first, then the embedded table */
	size_t n;
	char *strings;	  /* owned: the user entries' strings */
	const char *file; /* the user file loaded, or NULL (borrowed) */
};

/** Fills @p with the embedded table. Returns 0 or -ENOMEM. */
int et_pricing_init(struct et_pricing *p);

/**
 * Loads the user pricing file @path (docs/cost.md) in front of the embedded table. Returns 0, or
 * -errno / -EINVAL with a message in @err naming the file and what is wrong.
 */
int et_pricing_load(struct et_pricing *p, const char *path, struct et_buf *err);

/** Frees what @p owns. Accepts a zeroed value. */
void et_pricing_finish(struct et_pricing *p);

/**
 * Normalises a model id for lookup: lowercase, without a provider prefix ("anthropic/",
 * "us.anthropic."), a context suffix ("[1m]"), a date ("-20250929", "@20251001"), a version
 * suffix ("-v1:0", "-latest"), with dots as dashes ("claude-sonnet-4.5") and a ".0" minor dropped
 * ("claude-opus-4-0" is "claude-opus-4"). Writes at most @size bytes (NUL included) to @out.
 */
void et_pricing_normalize(const char *model, size_t n, char *out, size_t size);

/**
 * Returns the price of @model (@n bytes, raw), or NULL when nothing matches: a user entry whose
 * pattern matches the raw or normalised id first, then the embedded entry equal to the normalised
 * id.
 */
const struct et_price *et_pricing_find(const struct et_pricing *p, const char *model, size_t n);

/**
 * The cost of one API response in dollars, split into @parts (ET_NPARTS, may be NULL); returns
 * the sum. Multipliers (fast, US inference) apply to every part but web search.
 */
double et_pricing_cost(const struct et_price *pr, const struct et_tx_usage *u, double *parts);

#endif
