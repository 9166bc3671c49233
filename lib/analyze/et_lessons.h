#ifndef ET_LESSONS_H
#define ET_LESSONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_errclass.h"
#include "et_logrec.h"

/*
 * `telemetry-stats lessons` (docs/lessons.md): short rules learned from the log's failures and
 * what followed them. Failures are grouped by tool and error class (et_errclass); after each
 * failure, the next calls of its session (up to ET_LESSONS_WINDOW) are watched for the same tool
 * succeeding, and the call just before that success (another tool, or the same tool with another
 * input) is the recovery. A lesson is a group with enough failures, ranked by the time it lost.
 * For --review, the lessons already written (with the time each was written) are given before
 * reading, and the failure rate each targets is counted before and after that time.
 */

#define ET_LESSONS_WINDOW 5 /* calls after a failure watched for its recovery */
#define ET_LESSONS_STEPS 4  /* recovery steps remembered per lesson */

struct et_lesson_step {
	char *what; /* owned: a tool name, or "(another input)" */
	uint64_t count;
};

struct et_lesson {
	char *id;   /* owned: "Edit/string_not_found" */
	char *tool; /* owned */
	enum et_errclass cls;
	char *rule; /* owned: the rule the agent reads */
	uint64_t failures, sessions, recovered;
	double lost_ms; /* the failures' latencies plus the assumed turn each */
	struct et_lesson_step steps[ET_LESSONS_STEPS]; /* most frequent first */
	size_t nsteps;
	char *example_session, *example_id; /* owned, or NULL */
};

/* A lesson already written, under review. */
struct et_lesson_review {
	char *id;	  /* owned */
	int64_t since_ms; /* when it was written */
	uint64_t calls_before, fails_before, calls_after, fails_after;
	const char *verdict; /* static: worked, did_not_work, retire, too_early, unknown */
};

struct et_lessons_result {
	struct et_lesson *items; /* owned: most time lost first */
	size_t n;
	size_t below;			  /* groups with failures under the threshold */
	struct et_lesson_review *reviews; /* owned, in the order given */
	size_t nreviews;
	uint64_t min_failures;
};

struct et_lessons;

/**
 * Creates an analyzer: lessons need @min_failures failures (at least 3: no lesson from two
 * events); an avoidable failure costs @turn_s seconds of agent time besides its latency. NULL on
 * ENOMEM.
 */
struct et_lessons *et_lessons_create(uint64_t min_failures, double turn_s);

/** Frees it. Accepts NULL. */
void et_lessons_destroy(struct et_lessons *l);

/**
 * Before reading, for --review: a lesson @id ("Tool/class", copied) written at @since_ms. Returns
 * 0, -EINVAL for an id that names no error class, or -ENOMEM.
 */
int et_lessons_review(struct et_lessons *l, const char *id, int64_t since_ms);

/** Adds one record, in log order (an et_logrec_fn; @ctx: the analyzer). 0 or -ENOMEM. */
int et_lessons_add(void *ctx, const struct et_record_in *rec);

/** Builds the lessons and the reviews into @res (freed with et_lessons_result_finish). */
int et_lessons_end(struct et_lessons *l, size_t top, struct et_lessons_result *res);

/** Frees what @res owns. Accepts a zeroed result. */
void et_lessons_result_finish(struct et_lessons_result *res);

/**
 * The verdict on a lesson from its counts (also for tests): "too_early" with fewer than
 * @min_calls calls after, "unknown" with fewer before, "retire" when no failure after and the
 * rate before was above 0, "worked" when the rate after is at most half the rate before,
 * "did_not_work" otherwise.
 */
const char *et_lessons_verdict(uint64_t calls_before, uint64_t fails_before, uint64_t calls_after,
			       uint64_t fails_after, uint64_t min_calls);

#endif
