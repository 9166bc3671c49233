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
	struct stat st;
	int fd, r;

	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		r = -EPERM;
		goto fail;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0600) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
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
