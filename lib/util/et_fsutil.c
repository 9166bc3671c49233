/*
 * et_fsutil: the few file-system operations the hook performs on the user's behalf, each refusing
 * what could let another user (or a planted symbolic link) redirect or read the telemetry.
 */
#include "et_fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	if ((checks & ET_OPEN_OURS) && st->st_uid != geteuid()) {
		r = -EPERM;
		goto fail;
	}
	if ((checks & ET_OPEN_ONE_LINK) && st->st_nlink > 1) {
		r = -EMLINK;
		goto fail;
	}
	/* F_SETFL sets only the status flags: of ours, O_APPEND stays and O_NONBLOCK goes. */
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
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
