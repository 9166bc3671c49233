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

/*
 * What is at rotation slot @index of @path: 0 nothing, 1 a regular file of ours that rotation may
 * move or replace (made 0600 on the way), or -errno for anything else (a directory, a symbolic
 * link, a FIFO, another user's file), which rotation leaves where it is and steps over.
 */
int et_log_slot(const char *path, unsigned index)
{
	char slot[PATH_MAX];
	int fd;

	if (et_log_rotated_path(path, index, slot, sizeof(slot)) < 0) {
		return -ENAMETOOLONG;
	}
	fd = et_open_at(AT_FDCWD, slot, O_RDONLY, ET_OPEN_NOFOLLOW | ET_OPEN_OURS, NULL);
	if (fd < 0) {
		return fd == -ENOENT ? 0 : fd;
	}
	close(fd);
	return 1;
}

static int rename_slot(const char *path, unsigned from, unsigned to)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (et_log_rotated_path(path, from, a, sizeof(a)) < 0 ||
	    et_log_rotated_path(path, to, b, sizeof(b)) < 0) {
		return -ENAMETOOLONG;
	}
	return rename(a, b) < 0 && errno != ENOENT ? -errno : 0;
}

/*
 * Shifts the rotated files one slot up and the log into the lowest slot, under the lock. A slot
 * holding something that is not a file of ours is stepped over, not fought: the files shift along
 * the slots that are left, in the same order, so one planted directory costs a slot, not every
 * later record.
 */
static int rotate(const char *path, unsigned keep)
{
	unsigned char *usable;
	unsigned i, to;
	int r = 0;

	if (keep == 0) {
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	}
	usable = malloc(keep + 1);
	if (!usable) {
		return -ENOMEM;
	}
	usable[0] = 1;
	for (i = 1; i <= keep; i++) {
		usable[i] = et_log_slot(path, i) >= 0;
	}
	for (to = keep; to >= 1 && !usable[to]; to--) {
	}
	if (to == 0) {
		r = -ENOTEMPTY; /* every slot is taken by something not ours */
	}
	while (r == 0 && to >= 1) {
		for (i = to - 1; !usable[i]; i--) {
		}
		r = rename_slot(path, i, to);
		to = i;
	}
	free(usable);
	return r;
}

static int open_log(const char *path, struct stat *st)
{
	return et_open_at(AT_FDCWD, path, O_RDWR | O_APPEND | O_CREAT, ET_OPEN_PRIVATE, st);
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
	fd = open_log(o->path, &st);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (st.st_size > 0 && (uint64_t)st.st_size + n > o->rotate_bytes) {
		close(fd);
		/*
		 * Should rotation fail all the same (a directory it cannot write), the record goes
		 * into the log as it is: a log past its size is better than a lost record, and
		 * `--check` reports why.
		 */
		rotate(o->path, o->rotate_keep);
		fd = open_log(o->path, &st);
		if (fd < 0) {
			r = fd;
			goto out;
		}
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
