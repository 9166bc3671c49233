#ifndef ET_LOGTAIL_H
#define ET_LOGTAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_logrec.h"

/*
 * Reading one session's records from the end of the log, for the status line: the log is read
 * backwards in chunks, newest file first, and stops at a time bound (a record older than the
 * session), at a byte bound, or at the start of the oldest file. A line is parsed only when it
 * holds the session id's bytes, so the cost is a memory scan of what was read. The whole log is
 * never read unless it is smaller than the bound.
 */

/* The chunk read at a time, and the longest line kept whole (a longer one is skipped). */
#define ET_LOGTAIL_CHUNK (64u << 10)
#define ET_LOGTAIL_MAX_LINE (1u << 20)

struct et_logtail_opts {
	const char *session; /* borrowed, NUL-terminated; the records of this session only */
	bool has_since;	     /* records older than since_ms are not the session's; the reading
				 stops at a chunk whose oldest record is older */
	int64_t since_ms;    /* UTC milliseconds */
	uint64_t max_bytes;  /* read at most this many bytes over all files; 0: no bound */
};

struct et_logtail_stats {
	uint64_t bytes; /* read */
	size_t lines;	/* complete lines seen */
	size_t records; /* the session's records passed to the callback */
	size_t skipped; /* lines that held the session id but were not records, or too long */
	bool complete;	/* stopped at the start of the oldest file or at since_ms, not the bound */
};

/**
 * Reads the @n files (borrowed; oldest first, as et_lines_expand lists a log and its rotated
 * files) backwards from the end of the last one, and calls @fn for each record of @o->session,
 * newest first. Only lines ended by a newline count (a line being appended is not read). A file
 * that does not exist is skipped; anything but a regular file is refused (-EINVAL) without
 * waiting. Fills @st. Returns 0, -errno, or @fn's negative return.
 */
int et_logtail_run(char *const *files, size_t n, const struct et_logtail_opts *o, et_logrec_fn fn,
		   void *ctx, struct et_logtail_stats *st);

#endif
