/*
 * et_log: the log writer, after git's trace2 (tr2_dst.c). The idea is a separate lock file that is
 * never rotated: every writer takes it before looking at the log, so rotation (a chain of renames)
 * and appends are serialised without any writer ever holding a descriptor to a file that was
 * renamed under it.
 */
#include "et_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "et_fsutil.h"

#include "banned.h"

int et_log_rotated_path(const char *path, unsigned index, char *buf, size_t size)
{
	int n = index ? snprintf(buf, size, "%s.%u", path, index) : snprintf(buf, size, "%s", path);

	return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || slash == path) {
		return 0;
	}
	n = (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		return -ENAMETOOLONG;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return et_mkdir_p(dir);
}

static int lock_with_timeout(int fd, unsigned wait_ms)
{
	struct timespec pause = {0, 200000}; /* 0.2 ms, doubling to 8 ms */
	unsigned long waited_us = 0;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			return -errno;
		}
		if (waited_us / 1000 >= wait_ms) {
			return -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
		waited_us += (unsigned long)pause.tv_nsec / 1000;
		if (pause.tv_nsec < 8000000) {
			pause.tv_nsec *= 2;
		}
	}
}

/* Shifts path.(keep-1) to path.keep, …, path to path.1. Runs under the lock. */
static int rotate(const char *path, unsigned keep)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned i;

	if (keep == 0) {
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	}
	for (i = keep; i >= 1; i--) {
		if (et_log_rotated_path(path, i - 1, from, sizeof(from)) < 0 ||
		    et_log_rotated_path(path, i, to, sizeof(to)) < 0) {
			return -ENAMETOOLONG;
		}
		if (rename(from, to) < 0 && errno != ENOENT) {
			return -errno;
		}
	}
	return 0;
}

/*
 * Writes @lines, first a '\n' when @newline: a writer killed in the middle of its record leaves a
 * line without an end, and the next record must not be glued to it. Both go out in one write.
 */
static int write_record(int fd, const char *lines, size_t n, bool newline)
{
	char *p;
	int r;

	if (!newline) {
		return et_write_all(fd, lines, n);
	}
	p = malloc(n + 1);
	if (!p) {
		r = et_write_all(fd, "\n", 1); /* still under the lock: no one comes between */
		return r < 0 ? r : et_write_all(fd, lines, n);
	}
	p[0] = '\n';
	memcpy(p + 1, lines, n);
	r = et_write_all(fd, p, n + 1);
	free(p);
	return r;
}

int et_log_append(const struct et_log_opts *o, const char *lines, size_t n)
{
	char lock_path[PATH_MAX], last = '\n';
	struct stat st;
	int lock_fd = -1, fd = -1, r;

	if (et_log_rotated_path(o->path, 0, lock_path, sizeof(lock_path)) < 0 ||
	    strlen(o->path) + sizeof(".lock") > sizeof(lock_path)) {
		return -ENAMETOOLONG;
	}
	snprintf(lock_path, sizeof(lock_path), "%s.lock", o->path);
	r = make_parent(o->path);
	if (r < 0) {
		return r;
	}
	lock_fd = et_open_private(lock_path, O_RDWR | O_CREAT);
	if (lock_fd < 0) {
		return lock_fd;
	}
	r = lock_with_timeout(lock_fd, o->lock_wait_ms);
	if (r < 0) {
		goto out;
	}
	fd = et_open_private(o->path, O_RDWR | O_APPEND | O_CREAT);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (st.st_size > 0 && (uint64_t)st.st_size + n > o->rotate_bytes) {
		close(fd);
		fd = -1;
		r = rotate(o->path, o->rotate_keep);
		if (r < 0) {
			goto out;
		}
		fd = et_open_private(o->path, O_RDWR | O_APPEND | O_CREAT);
		if (fd < 0) {
			r = fd;
			goto out;
		}
		st.st_size = 0;
	}
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1) {
		last = '\n';
	}
	/*
	 * One write(2) normally carries the whole record. Should it come back short, the rest
	 * follows under the same lock, so the line still cannot interleave with another; and if
	 * the disk is full, whatever part of the record reached the file is taken back.
	 */
	r = write_record(fd, lines, n, last != '\n');
	if (r < 0 && ftruncate(fd, st.st_size) < 0) {
		r = -errno;
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	if (lock_fd >= 0) {
		close(lock_fd); /* releases the lock */
	}
	return r;
}
