/*
 * Unit tests for et_compat: each shim against a byte-at-a-time reference, both the name the build
 * uses (the C library's call where meson found it) and our portable version, so the fallback a
 * macOS or musl build runs is tested here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "et_compat.h"
#include "tap.h"

typedef void *(*rchr_fn)(const void *, int, size_t);
typedef void *(*mem_fn)(const void *, size_t, const void *, size_t);

static const void *ref_memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	const void *last = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c) {
			last = p + i;
		}
	}
	return last;
}

static const void *ref_memmem(const void *h, size_t hn, const void *nd, size_t nn)
{
	const char *p = h;
	size_t i;

	if (nn == 0) {
		return h;
	}
	for (i = 0; i + nn <= hn; i++) {
		if (!memcmp(p + i, nd, nn)) {
			return p + i;
		}
	}
	return NULL;
}

/* Every length up to 40, the byte at every position (or nowhere), high bytes included. */
static void check_memrchr(rchr_fn f, const char *name)
{
	unsigned char buf[48];
	size_t n, at, bad = 0, cases = 0;
	int c;

	for (n = 0; n <= 40; n++) {
		for (at = 0; at <= n; at++) {
			for (c = 0; c < 256; c += 0x7f) {
				memset(buf, 'a', sizeof(buf));
				if (at < n) {
					buf[at] = (unsigned char)c;
				}
				buf[n] = (unsigned char)c; /* just past the end: never found */
				cases++;
				bad += f(buf, c, n) != ref_memrchr(buf, c, n);
			}
		}
	}
	tap_ok(bad == 0, "%s: %zu of %zu cases differ from the reference", name, bad, cases);
	tap_ok(f("", 'a', 0) == NULL, "%s: an empty range has no byte", name);
	tap_ok(f("a\na\n", '\n', 4) == (const void *)("a\na\n" + 3) || bad, "%s: the last one",
	       name);
}

static void check_memmem(mem_fn f, const char *name)
{
	static const char *const hays[] = {"",
					   "a",
					   "ab",
					   "aab",
					   "abababac",
					   "xxxxxxxxxxxxxyxxxxxy",
					   "[REDACTED x] [REDACTED y]",
					   "\\\"a\\\"",
					   "\xff\x00\xff\x01"};
	static const char *const needles[] = {"a",   "ab",	   "abac",     "xy",
					      "xxy", "[REDACTED ", "\\\"",     "\x00\xff",
					      "zz",  "abababac",   "abababacx"};
	size_t h, k, hn, nn, bad = 0, cases = 0;

	for (h = 0; h < sizeof(hays) / sizeof(hays[0]); h++) {
		/* The last haystack and needle hold a NUL byte: give their lengths by hand. */
		hn = h == sizeof(hays) / sizeof(hays[0]) - 1 ? 4 : strlen(hays[h]);
		for (k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
			nn = k == 7 ? 2 : strlen(needles[k]);
			cases++;
			bad += f(hays[h], hn, needles[k], nn) !=
			       ref_memmem(hays[h], hn, needles[k], nn);
		}
		cases++;
		bad += f(hays[h], hn, "", 0) != (const void *)hays[h];
	}
	tap_ok(bad == 0, "%s: %zu of %zu cases differ from the reference", name, bad, cases);
	tap_ok(f("abc", 2, "bc", 2) == NULL, "%s: a match may not run past the haystack", name);
}

static void check_mkstemp(int (*f)(char *), const char *name)
{
	char tmpl[64], bad[] = "/nonexistent-et-compat/dir/f-XXXXXX", none[] = "no-x-here";
	struct stat st;
	int fd, flags;

	snprintf(tmpl, sizeof(tmpl), "%s/et-test-compat-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = f(tmpl);
	tap_ok(fd >= 0 && strstr(tmpl, "XXXXXX") == NULL, "%s: creates a file (%s)", name, tmpl);
	flags = fd >= 0 ? fcntl(fd, F_GETFD) : 0;
	tap_ok(fd >= 0 && (flags & FD_CLOEXEC), "%s: the descriptor is close-on-exec", name);
	memset(&st, 0, sizeof(st));
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600, "%s: mode 0600",
	       name);
	if (fd >= 0) {
		close(fd);
		unlink(tmpl);
	}
	fd = f(bad);
	tap_ok(fd == -ENOENT, "%s: a missing directory is -ENOENT (%d)", name, fd);
	fd = f(none);
	tap_ok(fd == -EINVAL, "%s: a template without XXXXXX is -EINVAL (%d)", name, fd);
}

int main(void)
{
	char exe[4096], path[64];
	struct stat st;
	long n;
	int fd;

	check_memrchr(et_memrchr, "et_memrchr");
	check_memrchr(et_memrchr_portable, "et_memrchr_portable");
	check_memmem(et_memmem, "et_memmem");
	check_memmem(et_memmem_portable, "et_memmem_portable");
	check_mkstemp(et_mkstemp_cloexec, "et_mkstemp_cloexec");
	check_mkstemp(et_mkstemp_cloexec_portable, "et_mkstemp_cloexec_portable");

	/* A file whose time is set to a known instant, nanoseconds included where kept. */
	snprintf(path, sizeof(path), "/tmp/et-test-compat-mtime-XXXXXX");
	fd = et_mkstemp_cloexec(path);
	if (fd >= 0) {
		struct timespec t[2] = {{1700000000, 123456789}, {1700000000, 123456789}};

		long long ns = -1;

		if (futimens(fd, t) == 0 && fstat(fd, &st) == 0) {
			ns = (long long)et_stat_mtime_ns(&st);
		}
		/* A file system that keeps whole seconds only is the one other right answer. */
		tap_ok(ns == 1700000000123456789LL || ns == 1700000000000000000LL,
		       "et_stat_mtime_ns: the time set (%lld ns)", ns);
		et_fadvise_sequential(fd); /* a hint: only that it takes a real descriptor */
		close(fd);
		unlink(path);
	} else {
		tap_ok(false, "et_stat_mtime_ns: cannot create %s", path);
	}

	n = et_self_exe(exe, sizeof(exe));
	if (n == -ENOSYS) {
		printf("ok %d - et_self_exe # SKIP no way to find it on this system\n", ++tap_n);
	} else {
		tap_ok(n > 0 && exe[0] == '/' && (size_t)n == strlen(exe) &&
			       strstr(exe, "test_compat") != NULL,
		       "et_self_exe: this program's absolute path (%s)", n > 0 ? exe : "none");
		tap_ok(et_self_exe(exe, 4) == -ERANGE, "et_self_exe: -ERANGE when it does not fit");
	}
	return tap_done();
}
