#ifndef ET_HOOK_H
#define ET_HOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "et_buf.h"
#include "et_config.h"

/*
 * Everything telemetry-hook does with one payload, as a library call: so that tests reach it
 * without a process, and main.c only turns arguments into this call.
 */

/** The most stdin bytes the hook keeps; a larger payload is recorded as too_large. */
#define ET_MAX_INPUT ((size_t)16 << 20)

/** How long a hook waits for the log lock before it gives up on the record. */
#define ET_LOCK_WAIT_MS 3000

struct et_hook_input {
	const char *data; /* the payload bytes kept (at most ET_MAX_INPUT); borrowed */
	size_t len;
	size_t total;	   /* how many bytes stdin held in all */
	bool too_large;	   /* total > len */
	const char *agent; /* --agent: who sent the payload, or NULL to tell from the payload */
};

/**
 * Maps the payload to records and appends them to the log in one write, or, when @dry_run is not
 * NULL, appends them to @dry_run instead and touches no file but the key. A PreToolUse leaves a
 * start stamp instead of a record. Problems are described in @err (if not NULL), one per line.
 * Returns 0 or -errno of the first failure that cost the record.
 */
int et_hook_run(const struct et_config *cfg, const struct et_hook_input *in, struct et_buf *dry_run,
		struct et_buf *err);

/**
 * Like et_hook_run; with feedback on (cfg->feedback) and @reply not NULL, a failed call that
 * already failed in its session with the same tool and params_fp, or whose tool and error class
 * have a lesson with strong evidence in the state directory's lesson hints (et_lessonhint; quoted
 * once a session per lesson), gets a note: kept in its record
 * ("feedback") and appended to @reply as Claude Code's JSON hook output
 * ({"hookSpecificOutput":{"hookEventName":…,"additionalContext":…}} and a newline), for the caller
 * to print. @reply stays empty when there is nothing to say (and always in a dry run).
 */
int et_hook_run_reply(const struct et_config *cfg, const struct et_hook_input *in,
		      struct et_buf *dry_run, struct et_buf *reply, struct et_buf *err);

/**
 * Checks the configuration and the environment the hook will write in: the config problems, the
 * log (creates it if missing, writes nothing), the state directory and key, and every redaction
 * rule. Describes each problem in @report, and what is fine too. Returns the number of problems.
 */
int et_hook_check(const struct et_config *cfg, struct et_buf *report);

/** Reads all of @fd, keeping at most @cap bytes in @out, counting the rest in *@total. */
int et_hook_read_input(int fd, size_t cap, struct et_buf *out, size_t *total);

#endif
