#ifndef ET_PARALLEL_H
#define ET_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_patterns.h"
#include "et_logrec.h"

/*
 * Parallelization opportunities, one of the patterns of et_patterns.h (docs/stats-json.md): runs
 * of two or more batches of calls, one after the other in a session, in which every call only
 * read. Had they been one batch, the run would have taken as long as its slowest batch instead of
 * the sum of them; the difference is the time it would have saved. Batches come from PostToolBatch
 * records, or, for a log that has none, from calls less than a second apart. Tools are the indices
 * of the analyzer's map of tool names.
 */

/* At most this many distinct tools are remembered per batch and per run. */
#define ET_PARALLEL_TOOLS 8

/* The calls of one batch so far. */
struct et_parallel_batch {
	uint64_t calls;
	double max;			   /* the longest latency among them */
	bool read_only;			   /* every call only read (true while there is none) */
	uint32_t tools[ET_PARALLEL_TOOLS]; /* distinct, in order of first sight */
	size_t ntools;
	int64_t last_ts; /* the time of its last call (batches from timestamps) */
};

/* A run of consecutive read-only batches. */
struct et_parallel_run {
	uint64_t batches, calls;
	double sum_batch_max, max; /* the batches' longest latencies: their sum and the longest */
	uint32_t tools[ET_PARALLEL_TOOLS]; /* distinct, in order of first sight */
	size_t ntools;
};

/* What one session has open: a batch and a run, from batch records and from timestamps. */
struct et_parallel_session {
	struct et_parallel_batch cur, ts_cur;
	struct et_parallel_run run, ts_run;
};

/* The runs found for one set of tools. */
struct et_parallel_stat {
	uint64_t count;
	double saved;
};

/* The runs found one way (from batch records, or from timestamps). */
struct et_parallel_totals {
	uint64_t opportunities, calls;
	double saved;
	struct et_hmap groups;		/* key: the run's tool names, sorted, comma-separated */
	struct et_parallel_stat *stats; /* owned, indexed like groups */
	size_t alloc;
};

struct et_parallel {
	struct et_parallel_totals batches, timestamps;
	bool saw_batches;	     /* the log has PostToolBatch records: use batches */
	const struct et_hmap *tools; /* borrowed: tool index -> name */
	struct et_buf *tmp;	     /* borrowed scratch for the group keys */
};

/**
 * Initialises @par, which will name tools through @tools and build keys in @tmp (both borrowed,
 * kept until et_parallel_finish). Allocates nothing.
 */
void et_parallel_init(struct et_parallel *par, const struct et_hmap *tools, struct et_buf *tmp);

/** Frees what @par owns. Accepts a zeroed value. */
void et_parallel_finish(struct et_parallel *par);

/**
 * Counts the call @rec of tool @tool (@read_only when it only reads) in session @s (zeroed when
 * the session starts): into the batch that the next PostToolBatch record ends, and into the batch
 * of calls close in time, which a call more than a second after the previous one (or before it)
 * ends first. Returns 0 or -ENOMEM.
 */
int et_parallel_call(struct et_parallel *par, struct et_parallel_session *s, uint32_t tool,
		     bool read_only, const struct et_record_in *rec);

/** Ends @s's batch at a PostToolBatch record: the calls since the last one ran together. */
int et_parallel_batch(struct et_parallel *par, struct et_parallel_session *s);

/** Ends what @s has open, at the end of the log. Returns 0 or -ENOMEM. */
int et_parallel_close(struct et_parallel *par, struct et_parallel_session *s);

/**
 * Sets the parallelization fields of @res from the batch records when the log had any, else from
 * the timestamps: the totals, and par_groups sorted by time saved (most first, then by names),
 * only the groups that include @tool when it is not NULL. @res owns the groups (see
 * et_patterns_result_finish), also those built before a failure. Returns 0 or -ENOMEM.
 */
int et_parallel_result(const struct et_parallel *par, const char *tool,
		       struct et_patterns_result *res);

#endif
