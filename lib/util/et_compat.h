#ifndef ET_COMPAT_H
#define ET_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * The calls this project needs that POSIX.1-2008 does not give it on every system it builds on
 * (docs/portability.md): glibc has all of them as GNU extensions, macOS lacks memrchr, st_mtim and
 * posix_fadvise, and a build with -Dportable=true declares none of the GNU ones. Code outside this
 * module calls these names; lib/util/banned.h turns a direct call of the GNU name into a compile
 * error in every build. Each call uses the C library's own version when meson found it
 * (ET_HAVE_*), else a portable one of ours; the portable ones are exported under *_portable so
 * tests/unit/test_compat.c checks them on every system, whichever the build picked.
 */

/** memrchr: the last byte equal to (unsigned char)@c in [@s, @s + @n), or NULL. */
void *et_memrchr(const void *s, int c, size_t n);

/** memmem: the first occurrence of [@needle, +@nn) in [@hay, +@hn), or NULL; @hay when @nn is 0. */
void *et_memmem(const void *hay, size_t hn, const void *needle, size_t nn);

/**
 * mkostemp(@tmpl, O_CLOEXEC): replaces the trailing XXXXXX of @tmpl (caller's writable string) and
 * creates that file, mode 0600, close-on-exec. Returns the descriptor, or -errno.
 */
int et_mkstemp_cloexec(char *tmpl);

/** Hints that @fd will be read from start to end (posix_fadvise); a no-op where there is none. */
void et_fadvise_sequential(int fd);

/** The modification time of @st in nanoseconds since the epoch (st_mtim or st_mtimespec). */
int64_t et_stat_mtime_ns(const struct stat *st);

/**
 * The absolute path of the running program into @buf (@size bytes, NUL-terminated): Linux's
 * /proc/self/exe, macOS's _NSGetExecutablePath. Returns its length, -ERANGE when it does not fit,
 * -ENOSYS on a system with neither, or another -errno.
 */
long et_self_exe(char *buf, size_t size);

/* The portable implementations, whatever the build chose for the names above (for tests). */
void *et_memrchr_portable(const void *s, int c, size_t n);
void *et_memmem_portable(const void *hay, size_t hn, const void *needle, size_t nn);
int et_mkstemp_cloexec_portable(char *tmpl);

#endif
