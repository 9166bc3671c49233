/*
 * et_fsutil: the file-system operations done on the user's behalf. The hook's refuse what could let
 * another user (or a planted symbolic link) redirect or read the telemetry; the others replace a
 * file so that a reader sees the old contents or the new, never a mix, and the old stay in a backup
 * when they were the user's own.
 */
#include "et_fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "et_compat.h"
#include "et_time.h"

#include "banned.h"

int et_mkdir_p(const char *path)
{
	char *p, *s;
	struct stat st;
	int r = 0;

	if (stat(path, &st) == 0) {
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	}
	p = strdup(path);
	if (!p) {
		return -ENOMEM;
	}
	for (s = p + 1; *s; s++) {
		if (*s != '/') {
			continue;
		}
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		r = -errno;
	}
out:
	free(p);
	return r;
}

/*
 * geteuid(2) cannot fail and gives the same answer every time in our programs, so the first answer
 * is kept. An atomic rather than pthread_once: in a static glibc, pthread_once costs a futex(2)
 * call of its own, which is what this saves. Two threads that both ask store the same value.
 */
static _Atomic long long euid_cached = -1;

uid_t et_euid(void)
{
	long long v = atomic_load_explicit(&euid_cached, memory_order_relaxed);

	if (v < 0) {
		v = (long long)geteuid();
		atomic_store_explicit(&euid_cached, v, memory_order_relaxed);
	}
	return (uid_t)v;
}

int et_open_private(const char *path, int flags)
{
	return et_open_at(AT_FDCWD, path, flags, ET_OPEN_PRIVATE, NULL);
}

int et_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- Opening a regular file without following a link or blocking ---- */

int et_open_at(int dirfd, const char *path, int flags, unsigned checks, struct stat *st)
{
	struct stat own;
	int fd, r;

	if (!st) {
		st = &own;
	}
	fd = openat(dirfd, path,
		    flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
			    ((checks & ET_OPEN_NOFOLLOW) ? O_NOFOLLOW : 0),
		    0600);
	if (fd < 0) {
		/* A FIFO opened for writing alone, with no reader: not a file we would write. */
		return errno == ENXIO ? -EINVAL : -errno;
	}
	if (fstat(fd, st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	if ((checks & ET_OPEN_OURS) && st->st_uid != et_euid()) {
		r = -EPERM;
		goto fail;
	}
	if ((checks & ET_OPEN_ONE_LINK) && st->st_nlink > 1) {
		r = -EMLINK;
		goto fail;
	}
	/*
	 * O_NONBLOCK stays set: it changes nothing for a regular file, whose reads and writes
	 * block on the disk whatever the flag says (Linux, the BSDs and macOS ignore it there), and
	 * the locks taken on it (flock) have their own LOCK_NB. Clearing it was one fcntl(2) per
	 * file for nothing; only a FIFO or a device would heed it, and those were refused above.
	 */
	if ((checks & ET_OPEN_OURS) && (st->st_mode & 077) && st->st_nlink == 1) {
		if (fchmod(fd, 0600) < 0) {
			r = -errno;
			goto fail;
		}
		st->st_mode &= ~(mode_t)077;
	}
	return fd;
fail:
	close(fd);
	return r;
}

/* ---- Whole files ---- */

int et_read_all(int fd, size_t cap, struct et_buf *out)
{
	size_t got = 0, room;
	ssize_t n;
	char extra;
	int r;

	for (;;) {
		room = cap - got;
		if (room == 0) {
			/* One byte more tells a file of exactly @cap bytes from a larger one. */
			n = read(fd, &extra, 1);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			return n < 0 ? -errno : n ? -EFBIG : 0;
		}
		if (room > 65536) {
			room = 65536;
		}
		r = et_buf_grow(out, room);
		if (r < 0) {
			return r;
		}
		n = read(fd, out->data + out->len, room);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return n < 0 ? -errno : 0;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		got += (size_t)n;
	}
}

int et_read_file(const char *path, size_t cap, struct et_buf *out)
{
	int fd = et_open_at(AT_FDCWD, path, O_RDONLY, 0, NULL), r;

	if (fd < 0) {
		return fd;
	}
	r = et_read_all(fd, cap, out);
	close(fd);
	return r;
}

int et_write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode), r;

	if (fd < 0) {
		return -errno;
	}
	r = et_write_all(fd, p, n);
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	return r;
}

char *et_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		return strdup(".");
	}
	if (slash == path) {
		return strdup("/");
	}
	return strndup(path, (size_t)(slash - path));
}

/*
 * Removes what a writer killed outright left beside @path: regular files of this user named
 * "<name>.tmp-" and six more characters, last changed more than ET_REPLACE_STALE_S ago.
 */
static void remove_stale(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir = et_dirname(path);
	size_t blen = strlen(base);
	struct dirent *e;
	struct stat st;
	DIR *d = dir ? opendir(dir) : NULL;
	int dfd;

	free(dir);
	if (!d) {
		return;
	}
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".tmp-", 5) ||
		    strlen(e->d_name + blen + 5) != 6) {
			continue;
		}
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == et_euid() && st.st_mtime < time(NULL) - ET_REPLACE_STALE_S) {
			unlinkat(dfd, e->d_name, 0);
		}
	}
	closedir(d);
}

/* Holds the signals that end a program back while a temporary file exists (et_replace_begin). */
static void hold_signals(sigset_t *saved)
{
	sigset_t held;

	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &held, saved);
}

int et_replace_begin(struct et_replace *r, const char *path, mode_t mode)
{
	size_t n = strlen(path) + sizeof(".tmp-XXXXXX");
	int e;

	remove_stale(path);
	hold_signals(&r->saved);
	r->path = strdup(path);
	r->tmp = malloc(n);
	r->fd = -1;
	if (!r->path || !r->tmp) {
		e = -ENOMEM;
		goto fail;
	}
	snprintf(r->tmp, n, "%s.tmp-XXXXXX", path);
	r->fd = et_mkstemp_cloexec(r->tmp);
	if (r->fd < 0) {
		e = r->fd;
		r->fd = -1;
		goto fail;
	}
	if (fchmod(r->fd, mode) < 0) {
		e = -errno;
		close(r->fd);
		unlink(r->tmp);
		goto fail;
	}
	return 0;
fail:
	free(r->path);
	free(r->tmp);
	r->path = r->tmp = NULL;
	r->fd = -1;
	pthread_sigmask(SIG_SETMASK, &r->saved, NULL);
	return e;
}

int et_replace_begin_regular(struct et_replace *r, const char *path, mode_t mode)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		return S_ISLNK(st.st_mode) ? -ELOOP : S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
	}
	return et_replace_begin(r, path, mode);
}

int et_replace_write(const char *path, const void *data, size_t n, mode_t mode)
{
	struct et_replace rp;
	int r = et_replace_begin_regular(&rp, path, mode);

	if (r < 0) {
		return r;
	}
	r = et_write_all(rp.fd, data, n);
	if (r == 0) {
		r = et_replace_commit(&rp);
	}
	et_replace_abort(&rp);
	return r;
}

int et_replace_commit(struct et_replace *r)
{
	char *dir;
	int e = 0, dfd;

	if (!r->tmp) {
		return -EINVAL;
	}
	if (fsync(r->fd) < 0) {
		e = -errno;
	}
	if (close(r->fd) < 0 && e == 0) {
		e = -errno;
	}
	r->fd = -1;
	if (e == 0 && rename(r->tmp, r->path) < 0) {
		e = -errno;
	}
	if (e < 0) {
		unlink(r->tmp);
	} else if ((dir = et_dirname(r->path))) {
		/* The rename lives in the directory: flush it too (best effort). */
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(r->tmp);
	free(r->path);
	r->tmp = r->path = NULL;
	pthread_sigmask(SIG_SETMASK, &r->saved, NULL); /* a held signal arrives now */
	return e;
}

void et_replace_abort(struct et_replace *r)
{
	bool held = r->tmp != NULL;

	if (r->tmp) {
		close(r->fd);
		unlink(r->tmp);
	}
	free(r->tmp);
	free(r->path);
	r->tmp = r->path = NULL;
	r->fd = -1;
	if (held) {
		pthread_sigmask(SIG_SETMASK, &r->saved, NULL);
	}
}

int et_write_backup(const char *path, const void *data, size_t n, mode_t mode, char **name)
{
	return et_write_backup_at(path, data, n, mode, et_time_clock_ms(), name);
}

int et_write_backup_at(const char *path, const void *data, size_t n, mode_t mode, int64_t when_ms,
		       char **name)
{
	char stamp[32];
	struct et_buf b;
	int fd = -1, i, r;

	*name = NULL;
	et_time_format_compact(when_ms, stamp, sizeof(stamp));
	et_buf_init(&b, PATH_MAX + 64);
	for (i = 0; i < 100; i++) {
		et_buf_reset(&b);
		if (i == 0) {
			et_buf_addf(&b, "%s.bak-%s", path, stamp);
		} else {
			et_buf_addf(&b, "%s.bak-%s-%d", path, stamp, i);
		}
		if (b.failed) {
			et_buf_finish(&b);
			return -ENAMETOOLONG;
		}
		fd = open(b.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0 || errno != EEXIST) {
			break;
		}
	}
	if (fd < 0) {
		r = -errno;
		et_buf_finish(&b);
		return r;
	}
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0) {
		r = et_write_all(fd, data, n);
	}
	if (r == 0 && fsync(fd) < 0) {
		r = -errno;
	}
	if (close(fd) < 0 && r == 0) {
		r = -errno;
	}
	if (r < 0) {
		unlink(b.data);
		et_buf_finish(&b);
		return r;
	}
	*name = et_buf_detach(&b, NULL);
	return *name ? 0 : -ENOMEM;
}
