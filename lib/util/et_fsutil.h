#ifndef ET_FSUTIL_H
#define ET_FSUTIL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * File-system helpers shared by the log and the state directory: private directories, files that
 * must be ours, and reading a small file whole.
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
 * it wait, and O_NONBLOCK is cleared once the file is known to be regular. @checks (enum
 * et_open_check bits) adds the other refusals; a file of ours with group or other permissions
 * is made 0600 (ET_OPEN_OURS), unless it has other hard links. If @st is not NULL it receives the
 * file's status as it was opened. Returns the descriptor or -errno.
 */
int et_open_at(int dirfd, const char *path, int flags, unsigned checks, struct stat *st);

#endif
