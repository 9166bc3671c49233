#ifndef ET_STATS_H
#define ET_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_lat.h"
#include "et_logrec.h"

/*
 * The /telemetry-stats numbers (docs/stats-json.md): totals, per-tool counts and exact latency
 * percentiles, failures grouped by their normalized text and classified, and the slowest calls.
 * Feed records with et_stats_add (an et_logrec_fn), then et_stats_end builds the sorted result.
 */

struct et_stats_error {
	char *error; /* normalized signature, owned */
	int cls;     /* enum et_errclass */
	uint64_t count;
	char *example; /* one original error, owned, at most 200 characters */
};

struct et_stats_tool {
	char *tool; /* owned */
	uint64_t calls, successes, failures, interrupted;
	struct et_lat_summary lat;
	struct et_stats_error *errors; /* owned, the top ones, count descending */
	size_t nerrors;
};

struct et_stats_class {
	int cls;
	uint64_t count;
};

struct et_stats_slow {
	char *tool;    /* owned */
	char *context; /* owned: Bash[npm install] */
	double latency_ms;
	int64_t ts_ms;
	char *session; /* owned */
};

/* The calls of one agent ("claude-code" for records without an agent field). */
struct et_stats_agent {
	char agent[32]; /* a longer name, and any agent past the first ones, count as "(other)" */
	uint64_t calls, successes, failures, interrupted;
};

/** At most this many agents are told apart; the last slot is "(other)" when there are more. */
#define ET_STATS_MAX_AGENTS 8

struct et_stats_result {
	uint64_t calls, successes, failures, interrupted, sessions;
	struct et_lat_summary lat;
	struct et_stats_tool *tools; /* owned, calls descending then name */
	size_t ntools;
	struct et_stats_class *classes; /* owned, count descending then name */
	size_t nclasses;
	struct et_stats_slow *slow; /* owned, latency descending then time */
	size_t nslow;
	struct et_stats_agent agents[ET_STATS_MAX_AGENTS]; /* calls descending then name */
	size_t nagents;
};

struct et_stats;

/** Creates an aggregator keeping @top errors per tool and @top slowest calls. NULL on ENOMEM. */
struct et_stats *et_stats_create(size_t top);

/** Frees it. Accepts NULL. */
void et_stats_destroy(struct et_stats *s);

/** Adds one record (an et_logrec_fn: @ctx is the struct et_stats). Returns 0 or -ENOMEM. */
int et_stats_add(void *ctx, const struct et_record_in *rec);

/** Builds the result into @res (caller-owned, freed with et_stats_result_finish). 0 or -ENOMEM. */
int et_stats_end(struct et_stats *s, struct et_stats_result *res);

/** Frees what @res owns. */
void et_stats_result_finish(struct et_stats_result *res);

/**
 * Appends a short argument context for a call of @tool whose params are the raw JSON object
 * @params (may be NULL): `Bash[npm install]`, `WebFetch[docs.x.com]`, `Read[main.c]`.
 * Returns 0 or -errno.
 */
int et_stats_context(const char *tool, const char *params, size_t params_len, struct et_buf *out);

#endif
