#ifndef ET_PATTERNS_H
#define ET_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"

/*
 * The /telemetry-patterns analyses (docs/stats-json.md): tool chains, parallelization
 * opportunities, retry loops, recoveries, failure cascades and latency bottlenecks. Records are
 * fed in log order with et_patterns_add (an et_logrec_fn); each session keeps a small state
 * machine, so memory grows with sessions, tools and distinct chains, never with records.
 */

struct et_chain {
	char **tools; /* owned names, 2 to 4 */
	size_t ntools;
	uint64_t count, all_success;
	uint64_t lat_n; /* occurrences whose calls all have a latency */
	double lat_sum; /* their total latency */
};

struct et_par_group {
	char *tools; /* owned: the run's distinct tool names, sorted, comma-separated */
	uint64_t count;
	double saved_ms;
};

struct et_retry {
	char *tool; /* owned */
	uint64_t loops, calls, ended_success, ended_failure, ended_interrupted;
};

struct et_recovery {
	char **steps; /* owned: "Edit FAIL", "Read", "Edit OK" */
	size_t nsteps;
	uint64_t count;
};

struct et_bottleneck {
	char *tool; /* owned */
	double total_ms, share, avg_ms;
	uint64_t calls;
	const char *recommendation; /* static */
};

struct et_patterns_result {
	size_t min_count;
	struct et_chain *chains;
	size_t nchains;
	bool par_from_batches;
	uint64_t par_opportunities, par_calls;
	double par_saved_ms;
	struct et_par_group *par_groups;
	size_t npar_groups;
	struct et_retry *retries;
	size_t nretries;
	struct et_recovery *recoveries;
	size_t nrecoveries;
	uint64_t cascades, cascade_longest, cascade_calls;
	struct et_bottleneck *bottlenecks;
	size_t nbottlenecks;
};

struct et_patterns;

/** Creates an analyzer. NULL on ENOMEM. */
struct et_patterns *et_patterns_create(void);

/** Frees it. Accepts NULL. */
void et_patterns_destroy(struct et_patterns *p);

/** Adds one record, in log order (an et_logrec_fn; @ctx: the struct et_patterns). 0 or -ENOMEM. */
int et_patterns_add(void *ctx, const struct et_record_in *rec);

/**
 * Closes every session's open runs and builds the sorted result into @res: chains seen at least
 * @min_count times, at most @top items per list, and only items involving @tool when it is not
 * NULL. Returns 0 or -ENOMEM.
 */
int et_patterns_end(struct et_patterns *p, size_t min_count, size_t top, const char *tool,
		    struct et_patterns_result *res);

/** Frees what @res owns. */
void et_patterns_result_finish(struct et_patterns_result *res);

/** True for tools that only read: Read, Grep, Glob, LS, WebFetch, WebSearch, NotebookRead, and
 * MCP tools whose last name part ends in read, get, list or search. */
bool et_patterns_read_only(const char *tool);

#endif
