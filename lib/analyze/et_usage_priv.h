#ifndef ET_USAGE_PRIV_H
#define ET_USAGE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_usage.h"

/*
 * The private interface between the two halves of the usage aggregator: et_usage.c (lines in:
 * the filters, the deduplication, the interned keys) and et_usage_rows.c (rows out: pricing and
 * summing, and the traces mode's walk). Nothing else includes this header.
 */

#define NO_MSG UINT32_MAX /* an entry without message.id: never a duplicate or a replay */

#define NO_DAY INT32_MIN /* an entry's day when its line has no timestamp */

/* Flags of an entry. */
#define E_SIDECHAIN 1u
#define E_SPEED 2u     /* the usage named a speed */
#define E_BREAKDOWN 4u /* et_tx_usage.has_breakdown */
#define E_FAST 8u
#define E_GEO_US 16u
#define E_BIG 32u /* a count too large for the entry: tok[0] indexes bigs */

/*
 * One response, kept until the end. Memory here is the whole cost of a large run (every page
 * is written once), so an entry holds only what the end needs in 48 bytes: counts that fit 32
 * bits (nearly all; a larger one moves the usage to a side list), the row's key (the day, or
 * the interned key of the grouping) and the model.
 */
struct entry {
	uint32_t tok[5]; /* input, output, cache_create, cache_1h, cache_read; see E_BIG */
	uint16_t web_search, web_fetch;
	uint32_t req;  /* the requestId's hash folded to 32 bits | 1, or 0 without one */
	uint32_t next; /* the next response of the same message.id: index + 1, or 0 */
	uint32_t msgid;
	int32_t key; /* by day, week or month: the day (NO_DAY); else the grouping's index */
	uint32_t model;
	uint8_t flags;
};

/*
 * What the traces mode (et_usage_create_each) keeps of a response besides its entry, in an
 * array parallel to the entries; the cost path never allocates it, so its entry stays small.
 */
struct resp {
	uint64_t req; /* the requestId's 64-bit hash | 1, or 0 without one */
	int64_t ts_ms;
	uint32_t session, agent_id; /* into sessions and agent_ids */
	bool has_ts;
};

/* The last key interned in a map: consecutive lines mostly share session, model and cwd. */
struct last {
	const struct et_hmap *map;
	long idx; /* -1: none */
};

struct et_usage {
	const struct et_pricing *pricing;
	const struct et_usage_filter *filter;
	enum et_usage_by by;
	bool breakdown;
	bool each; /* the traces mode: resps is kept */
	struct entry *v;
	struct resp *resps; /* with each: parallel to v, alloc long */
	size_t n, alloc;
	struct et_tx_usage *bigs; /* the usage of E_BIG entries */
	size_t nbigs, bigs_alloc;
	/*
	 * message.id -> index into msgs: an open-addressing table (linear probing) of 8-byte slots,
	 * each the top 32 bits of the id's hash over its index into msgs + 1 (0: empty), and the ids'
	 * bytes in one arena. A lookup touches one slot, or a few next to it, and the arena only to
	 * confirm a match; adding an id costs no allocation of its own. (A response has several
	 * lines, adjacent: most lines match the last id and skip the table.)
	 */
	uint64_t *mslots;
	size_t nmslots;	     /* a power of two, or 0 */
	unsigned mslot_bits; /* log2(nmslots) */
	char *ids;	     /* the arena: every message.id, one after the other */
	size_t ids_len, ids_cap;
	struct msg {
		uint32_t off;	      /* its id: ids + off (the arena stays under 4 GiB) */
		unsigned len : 31;    /* the id's length */
		unsigned nonside : 1; /* a non-sidechain line has this message.id */
		uint32_t head;	      /* its first response: index into v + 1 */
	} * msgs;
	size_t nmsgs, msgs_alloc;
	struct et_hmap sessions, models, projects, agents;
	struct et_hmap agent_ids; /* with each: a subagent's agentId, or "" */
	struct last last[4];	  /* for sessions, models, projects, agents */
	long last_msg; /* the message.id of the last line (lines of a response are adjacent) */
	/* Which of the arrays are huge-page mappings (et_usage_mem), not heap blocks. */
	bool v_mapped, msgs_mapped, ids_mapped, mslots_mapped;
	size_t usage_lines, duplicates, synthetic, no_id;
	struct et_buf tmp;
};

/** The usage of entry @e of @u. */
void et_usage_entry_usage(const struct et_usage *u, const struct entry *e, struct et_tx_usage *x);

#endif
