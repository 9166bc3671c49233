/*
 * et_compat: small shims over the differences between C libraries (et_compat.h). The idea is that
 * this is the one file that asks the C library for its extensions: it names the GNU and Darwin
 * feature sets before any header, and uses an extension only when meson's configure check saw it
 * declared and linking (ET_HAVE_*); everywhere else a portable version of ours runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#ifndef _DARWIN_C_SOURCE
#define _DARWIN_C_SOURCE 1
#endif

#include "et_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

void *et_memrchr_portable(const void *s, int c, size_t n)
{
	const unsigned char *p = (const unsigned char *)s + n;

	while (n--) {
		if (*--p == (unsigned char)c) {
			return (void *)p;
		}
	}
	return NULL;
}

void *et_memrchr(const void *s, int c, size_t n)
{
#ifdef ET_HAVE_MEMRCHR
	return memrchr(s, c, n);
#else
	return et_memrchr_portable(s, c, n);
#endif
}

void *et_memmem_portable(const void *hay, size_t hn, const void *needle, size_t nn)
{
	const unsigned char *h = hay, *nd = needle, *p, *last;

	if (nn == 0) {
		return (void *)hay;
	}
	if (hn < nn) {
		return NULL;
	}
	/* memchr finds each candidate for the first byte; memcmp checks the rest. */
	last = h + (hn - nn);
	for (p = h; p <= last; p++) {
		p = memchr(p, nd[0], (size_t)(last - p) + 1);
		if (!p) {
			return NULL;
		}
		if (memcmp(p + 1, nd + 1, nn - 1) == 0) {
			return (void *)p;
		}
	}
	return NULL;
}

void *et_memmem(const void *hay, size_t hn, const void *needle, size_t nn)
{
#ifdef ET_HAVE_MEMMEM
	return memmem(hay, hn, needle, nn);
#else
	return et_memmem_portable(hay, hn, needle, nn);
#endif
}

int et_mkstemp_cloexec_portable(char *tmpl)
{
	int fd = mkstemp(tmpl), e;

	if (fd < 0) {
		return -errno;
	}
	/* Not atomic with the open: a fork in another thread between the two could leak it. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		e = -errno;
		close(fd);
		unlink(tmpl);
		return e;
	}
	return fd;
}

int et_mkstemp_cloexec(char *tmpl)
{
#ifdef ET_HAVE_MKOSTEMP
	int fd = mkostemp(tmpl, O_CLOEXEC);

	return fd < 0 ? -errno : fd;
#else
	return et_mkstemp_cloexec_portable(tmpl);
#endif
}

void et_fadvise_sequential(int fd)
{
#ifdef ET_HAVE_POSIX_FADVISE
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#else
	(void)fd;
#endif
}

int64_t et_stat_mtime_ns(const struct stat *st)
{
#if defined(ET_HAVE_ST_MTIMESPEC)
	return (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
#elif defined(ET_HAVE_ST_MTIM)
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
#else
	return (int64_t)st->st_mtime * 1000000000;
#endif
}

long et_self_exe(char *buf, size_t size)
{
#if defined(__linux__)
	ssize_t n;

	if (size < 2) {
		return -ERANGE;
	}
	n = readlink("/proc/self/exe", buf, size - 1);
	if (n < 0) {
		return -errno;
	}
	if ((size_t)n >= size - 1) {
		return -ERANGE;
	}
	buf[n] = '\0';
	return (long)n;
#elif defined(__APPLE__)
	char raw[PATH_MAX];
	uint32_t cap = sizeof(raw);
	size_t n;

	/* The path the program was started by, perhaps through a symbolic link: resolve it. */
	if (_NSGetExecutablePath(raw, &cap) != 0) {
		return -ERANGE;
	}
	if (size < PATH_MAX) {
		return -ERANGE;
	}
	if (!realpath(raw, buf)) {
		return -errno;
	}
	n = strlen(buf);
	return (long)n;
#else
	(void)buf;
	(void)size;
	return -ENOSYS;
#endif
}
