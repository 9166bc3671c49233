#ifndef ET_FSUTIL_H
#define ET_FSUTIL_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "et_buf.h"

/*
 * File-system helpers: private directories and files that must be ours (the log, the state
 * directory), writing everything, reading a small file whole with a cap, and replacing a file
 * atomically with a backup of what it held (settings.json, export files).
 */

/**
 * Creates directory @path and any missing parents with mode 0700. An existing directory is fine.
 * Returns 0 or -errno. @path is borrowed.
 */
int et_mkdir_p(const char *path);

/**
 * Opens @path with @flags (mode 0600 when created) as et_open_at does with ET_OPEN_PRIVATE: a
 * regular file owned by this user, not a symbolic link, with no other hard link, never blocking on
 * a FIFO; a file with group or other permissions is made 0600. Returns the descriptor or -errno:
 * -ELOOP for a symbolic link, -EPERM for a file owned by someone else, -EINVAL for something that
 * is not a regular file, -EMLINK for a file with other hard links.
 */
int et_open_private(const char *path, int flags);

/**
 * This process's effective user id, asked of the kernel once and remembered (the hook compares it
 * with the owner of every file and directory it opens). Thread-safe. For programs that do not
 * change their user id, as none of ours does.
 */
uid_t et_euid(void);

/** Writes all @n bytes, retrying on EINTR and short writes. Returns 0 or -errno. */
int et_write_all(int fd, const void *p, size_t n);

/* ---- Opening a regular file without following a link or blocking (et_log, et_state, et_config) ---- */

/** What et_open_at checks besides the file type (a bit set). */
enum et_open_check {
	ET_OPEN_NOFOLLOW = 1, /* the last component is not a symbolic link (-ELOOP) */
	ET_OPEN_OURS = 2,     /* owned by this user (-EPERM); group and other bits removed */
	ET_OPEN_ONE_LINK = 4, /* no other hard link (-EMLINK), so no other file is written */
};

/** The checks for files the hook owns and writes: the log, its lock, stamps. */
#define ET_OPEN_PRIVATE (ET_OPEN_NOFOLLOW | ET_OPEN_OURS | ET_OPEN_ONE_LINK)

/**
 * Opens @path, relative to the directory open at @dirfd (or AT_FDCWD), with @flags | O_CLOEXEC |
 * O_NOCTTY (mode 0600 when created), and refuses anything but a regular file with -EINVAL before
 * a byte is read or written: the open itself uses O_NONBLOCK, so a FIFO or a device cannot make
 * it wait. The descriptor returned keeps O_NONBLOCK, which reads and writes of a regular file
 * ignore (they never return EAGAIN for want of data or room); flock(2) has its own LOCK_NB.
 * @checks (enum
 * et_open_check bits) adds the other refusals; a file of ours with group or other permissions
 * is made 0600 (ET_OPEN_OURS), unless it has other hard links. If @st is not NULL it receives the
 * file's status as it was opened. Returns the descriptor or -errno.
 */
int et_open_at(int dirfd, const char *path, int flags, unsigned checks, struct stat *st);

/* ---- Whole files ---- */

/**
 * Reads @fd to its end, appending at most @cap bytes to @out. Returns 0; -EFBIG when there are
 * more than @cap bytes (@out then holds the first @cap or fewer), -E2BIG or -ENOMEM from @out, or
 * -errno of read(2).
 */
int et_read_all(int fd, size_t cap, struct et_buf *out);

/**
 * Reads the file @path (borrowed; a symbolic link is followed) whole into @out, as et_read_all
 * does. Returns 0 or -errno: -EFBIG past @cap, -ENOENT when it does not exist, -EINVAL for
 * anything but a regular file (et_open_at: a FIFO or a device is refused without waiting).
 */
int et_read_file(const char *path, size_t cap, struct et_buf *out);

/**
 * Writes @n bytes to @path (borrowed), created with @mode or truncated; an existing file keeps its
 * mode. Not atomic: for output the user names, which may be a device or a pipe. Returns 0 or
 * -errno.
 */
int et_write_file(const char *path, const void *p, size_t n, mode_t mode);

/** Returns the directory part of @path as a heap string ("." when it has none), or NULL. */
char *et_dirname(const char *path);

/** A file being replaced atomically: written under a temporary name beside it, then renamed. */
struct et_replace {
	char *path; /* owned: the file to replace */
	char *tmp;  /* owned: the temporary file PATH.tmp-XXXXXX; NULL once renamed or removed */
	int fd;	    /* the temporary file, open for writing: write the new contents here */
	sigset_t saved; /* the signal mask before et_replace_begin */
};

/** A leftover PATH.tmp-XXXXXX older than this is removed by the next et_replace_begin. */
#define ET_REPLACE_STALE_S 600

/**
 * Creates the temporary file beside @path (borrowed), with mode @mode, for the new contents of
 * @path. Then write to r->fd and end with et_replace_commit or et_replace_abort. Until then the
 * calling thread holds SIGINT, SIGTERM, SIGHUP and SIGQUIT back (they arrive once the file is
 * renamed or removed), so an interrupted program leaves no temporary file; one left by a program
 * killed outright (SIGKILL) is removed by a later et_replace_begin of the same path once it is
 * ET_REPLACE_STALE_S old. Returns 0 or -errno (-ENAMETOOLONG for a path too long for the
 * temporary name); nothing is left behind.
 */
int et_replace_begin(struct et_replace *r, const char *path, mode_t mode);

/**
 * Like et_replace_begin, but first refuses a @path that exists and is not a regular file, since
 * the rename would turn it into one: -ELOOP for a symbolic link, -EISDIR for a directory, -ENODEV
 * for anything else (a device, a FIFO, a socket). For output files the user names.
 */
int et_replace_begin_regular(struct et_replace *r, const char *path, mode_t mode);

/**
 * Writes the @n bytes at @data to @path through et_replace_begin_regular and et_replace_commit:
 * the file is all new or as it was. Returns 0 or -errno as those do.
 */
int et_replace_write(const char *path, const void *data, size_t n, mode_t mode);

/**
 * Flushes the temporary file to disk, closes it, renames it over the file, and flushes the
 * directory. Returns 0 or -errno, in which case the temporary file is removed and the file is as
 * it was. Either way @r is done with (et_replace_abort then does nothing).
 */
int et_replace_commit(struct et_replace *r);

/** Removes the temporary file and frees what @r owns. Accepts a zeroed or committed @r. */
void et_replace_abort(struct et_replace *r);

/**
 * Copies the @n bytes at @data, the contents of @path, to a new file PATH.bak-20261121T141116Z (the
 * UTC time now; PATH.bak-TIME-N, N from 1 to 99, when that exists) with mode @mode, flushed to disk.
 * *@name receives its path (heap). Returns 0 or -errno; no file is left behind on failure.
 */
int et_write_backup(const char *path, const void *data, size_t n, mode_t mode, char **name);

/**
 * et_write_backup with the time in the name given: @when_ms, milliseconds since the epoch (a
 * caller that honours an injected "now", et_time_now_ms or --now, passes it here).
 */
int et_write_backup_at(const char *path, const void *data, size_t n, mode_t mode, int64_t when_ms,
		       char **name);

#endif
