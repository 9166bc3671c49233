#ifndef ET_FSUTIL_H
#define ET_FSUTIL_H

#include <stdbool.h>
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
 * Opens @path with @flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY (mode 0600 when created) and checks
 * that it is a regular file owned by this user; a file with group or other permissions is made
 * 0600. Returns the descriptor or -errno: -ELOOP for a symbolic link, -EPERM for a file owned by
 * someone else, -EINVAL for something that is not a regular file.
 */
int et_open_private(const char *path, int flags);

/** Writes all @n bytes, retrying on EINTR and short writes. Returns 0 or -errno. */
int et_write_all(int fd, const void *p, size_t n);

#endif
