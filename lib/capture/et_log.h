#ifndef ET_LOG_H
#define ET_LOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Appending records to the log: lock, rotate if the write would pass the size limit, one write(2),
 * unlock. A record is all there or not there, and concurrent hooks never interleave or lose lines.
 */

struct et_log_opts {
	const char *path;      /* the log; borrowed */
	uint64_t rotate_bytes; /* rotate before a write that would take the log past this */
	unsigned rotate_keep;  /* rotated files kept: path.1 (newest) … path.N */
	unsigned lock_wait_ms; /* give up after waiting this long for the lock */
	int state_fd; /* negative: none; else the state directory (et_state_open): records wait there
		       * when the lock is late; borrowed */
};

/** The oldest spilled files one writer moves into the log, and how many names it looks at. */
#define ET_LOG_SPILL_DRAIN 32
#define ET_LOG_SPILL_SCAN 4096
/** A spill file larger than this is not a hook's and is left alone. */
#define ET_LOG_SPILL_MAX_BYTES (64LL * 1024 * 1024)

/**
 * Appends the @n bytes at @lines (one or more complete records, each ending in '\n') to the log
 * with a single write(2), under an exclusive flock on "<path>.lock". Creates the log's directory
 * (0700) and the log (0600) when missing. If the write fails part-way (disk full), the log is cut
 * back to its previous size so no partial line remains; if the log does not end in '\n' (a
 * writer was killed in the middle of its record), the write starts with one, so the torn line
 * stays one line and the new record is whole. Rotation steps over slots that hold something
 * other than a file of ours (et_log_slot); if it still cannot rotate, the record is appended
 * to the log as it is.
 * When the lock is not granted within @o->lock_wait_ms (a writer stuck, a machine starved) and
 * @o->state_fd is a state directory, the records are not dropped: they go to a new file in its
 * spill/ (et_state_spill_dir_at) and 0 is returned; every writer that gets the lock first moves up to
 * ET_LOG_SPILL_DRAIN spilled files, oldest first, into the log, so they appear there after the
 * records written while they waited.
 * Returns 0 or -errno (-ELOOP: the log or lock is a symbolic link; -EPERM: owned by someone else;
 * -EINVAL: not a regular file (a FIFO, a device); -EMLINK: it has other hard links; -ETIMEDOUT:
 * the lock was not granted in time; -ENOSPC, -EFBIG, -EACCES, …).
 */
int et_log_append(const struct et_log_opts *o, const char *lines, size_t n);

/**
 * Returns the path of rotated file @index (1 … keep) of @path in @buf (@size bytes), or of the
 * log itself for index 0. Returns 0 or -ENAMETOOLONG.
 */
int et_log_rotated_path(const char *path, unsigned index, char *buf, size_t size);

/**
 * Looks at rotation slot @index (0: the log itself) of @path as rotation does: returns 0 when
 * nothing is there, 1 for a regular file of ours (made 0600 if it was not), or -errno for
 * anything rotation leaves alone and steps over (-EINVAL: a directory or other non-file, -ELOOP:
 * a symbolic link, -EPERM: another user's file).
 */
int et_log_slot(const char *path, unsigned index);

#endif
