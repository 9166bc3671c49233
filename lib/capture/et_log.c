/*
 * et_log: the log writer, after git's trace2 (tr2_dst.c). The idea is a separate lock file that is
 * never rotated: every writer takes it before looking at the log, so rotation (a chain of renames)
 * and appends are serialised without any writer ever holding a descriptor to a file that was
 * renamed under it.
 */
#include "et_log.h"

#include <dirent.h>
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
#include "et_state.h"

#include "banned.h"

int et_log_rotated_path(const char *path, unsigned index, char *buf, size_t size)
{
	size_t len = strlen(path);
	int n;

	if (index == 0) {
		/* The log itself, on every append: no vfprintf for a copy. */
		if (len >= size) {
			return -ENAMETOOLONG;
		}
		memcpy(buf, path, len + 1);
		return 0;
	}
	n = snprintf(buf, size, "%s.%u", path, index);
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

/*
 * Appends @n bytes at @lines to the log under the lock (held by the caller): rotates first when
 * they would take it past the limit, starts with a '\n' after a torn line, and cuts the log back
 * if the write fails part-way.
 */
static int append_locked(const struct et_log_opts *o, const char *lines, size_t n)
{
	struct stat st;
	char last = '\n';
	int fd, r;

	fd = open_log(o->path, &st);
	if (fd < 0) {
		return fd;
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
			return fd;
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
	close(fd);
	return r;
}

/*
 * Leaves @lines in a new file of the spill directory when the lock was not granted in time:
 * written under a name starting with '.', then renamed, so a drainer never sees half of it.
 * Returns 0 when the records are safe there, else -errno.
 */
static int spill(int state_fd, const char *lines, size_t n)
{
	char tmp[96], name[88];
	struct timespec ts;
	int dfd, fd, r;

	dfd = et_state_spill_dir_at(state_fd, true);
	if (dfd < 0) {
		return dfd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%020lld-%09ld-%ld.jsonl", (long long)ts.tv_sec, ts.tv_nsec,
		 (long)getpid());
	snprintf(tmp, sizeof(tmp), ".%s", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		close(dfd);
		return r;
	}
	r = et_write_all(fd, lines, n);
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0) {
		r = -errno;
	}
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
	}
	close(dfd);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads spill file @name (a regular file of ours, one link, whole lines, at most the spill bound)
 * into *@data. Returns its size, or -errno for anything else, which draining leaves alone.
 */
static ssize_t read_spilled(int dfd, const char *name, char **data)
{
	struct stat st;
	ssize_t got;
	int fd = et_open_at(dfd, name, O_RDONLY, ET_OPEN_PRIVATE, &st);

	if (fd < 0) {
		return fd;
	}
	if (st.st_size <= 0 || st.st_size > ET_LOG_SPILL_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	*data = malloc((size_t)st.st_size);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	got = 0;
	while (got < st.st_size) {
		ssize_t r = read(fd, *data + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			got = r < 0 ? -errno : got;
			break;
		}
		got += r;
	}
	close(fd);
	if (got != st.st_size || (*data)[st.st_size - 1] != '\n') {
		free(*data);
		*data = NULL;
		return got < 0 ? got : -EINVAL;
	}
	return got;
}

/*
 * Under the lock: moves up to ET_LOG_SPILL_DRAIN files of the spill directory, oldest first, into
 * the log, each removed once it is written. Leftover temporary files of writers killed while
 * spilling are removed after an hour. Anything else there stays.
 */
static void drain(const struct et_log_opts *o)
{
	char *names[ET_LOG_SPILL_DRAIN], *data = NULL;
	struct dirent *e;
	struct stat st;
	size_t count = 0, seen = 0, i;
	ssize_t n;
	DIR *d;
	int dfd, scan;

	/* Almost always there is no spill directory: the checked open fails at once (ENOENT). */
	dfd = et_state_spill_dir_at(o->state_fd, false);
	if (dfd < 0) {
		return;
	}
	scan = dup(dfd);
	d = scan >= 0 ? fdopendir(scan) : NULL;
	if (!d) {
		if (scan >= 0) {
			close(scan);
		}
		close(dfd);
		return;
	}
	while ((e = readdir(d)) && seen++ < ET_LOG_SPILL_SCAN) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.') {
			if (len > 7 && !strcmp(e->d_name + len - 6, ".jsonl") &&
			    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) && st.st_uid == et_euid() &&
			    st.st_mtime < time(NULL) - 3600) {
				unlinkat(dfd, e->d_name, 0);
			}
			continue;
		}
		if (len < 7 || strcmp(e->d_name + len - 6, ".jsonl")) {
			continue;
		}
		if (count < ET_LOG_SPILL_DRAIN) {
			names[count] = strdup(e->d_name);
			count += names[count] != NULL;
			continue;
		}
		/* Full: keep the oldest names (they sort by time). */
		qsort(names, count, sizeof(*names), by_name);
		if (strcmp(e->d_name, names[count - 1]) < 0) {
			char *keep = strdup(e->d_name);

			if (keep) {
				free(names[count - 1]);
				names[count - 1] = keep;
			}
		}
	}
	closedir(d);
	qsort(names, count, sizeof(*names), by_name);
	for (i = 0; i < count; i++) {
		n = read_spilled(dfd, names[i], &data);
		if (n > 0 && append_locked(o, data, (size_t)n) == 0) {
			unlinkat(dfd, names[i], 0);
		}
		free(data);
		data = NULL;
		free(names[i]);
	}
	close(dfd);
}

int et_log_append(const struct et_log_opts *o, const char *lines, size_t n)
{
	char lock_path[PATH_MAX];
	size_t len = strlen(o->path);
	int lock_fd = -1, r;

	if (len + sizeof(".lock") > sizeof(lock_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(lock_path, o->path, len);
	memcpy(lock_path + len, ".lock", sizeof(".lock"));
	/*
	 * The log's directory almost always exists: it is made only when opening the lock (which
	 * is created beside the log) says it is missing, which saves a stat(2) on every call.
	 */
	lock_fd = et_open_private(lock_path, O_RDWR | O_CREAT);
	if (lock_fd == -ENOENT) {
		r = make_parent(o->path);
		if (r < 0) {
			return r;
		}
		lock_fd = et_open_private(lock_path, O_RDWR | O_CREAT);
	}
	if (lock_fd < 0) {
		return lock_fd;
	}
	r = lock_with_timeout(lock_fd, o->lock_wait_ms);
	if (r == -ETIMEDOUT && o->state_fd >= 0 && spill(o->state_fd, lines, n) == 0) {
		r = 0; /* safe in the spill directory; the next writer moves it into the log */
		goto out;
	}
	if (r < 0) {
		goto out;
	}
	if (o->state_fd >= 0) {
		drain(o);
	}
	r = append_locked(o, lines, n);
out:
	if (lock_fd >= 0) {
		close(lock_fd); /* releases the lock */
	}
	return r;
}
