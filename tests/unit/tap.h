#ifndef ET_TAP_H
#define ET_TAP_H

/*
 * A minimal TAP producer for the unit tests: each check prints "ok N - name" or "not ok N - name"
 * (with what was expected on failure), and tap_done() prints the plan and returns the exit status.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	char name[512], *p;

	tap_n++;
	if (!cond) {
		tap_failed++;
	}
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	/* A TAP line is one line: show control characters as spaces. */
	for (p = name; *p; p++) {
		if ((unsigned char)*p < 0x20) {
			*p = ' ';
		}
	}
	printf("%s %d - %s\n", cond ? "ok" : "not ok", tap_n, name);
	return cond;
}

static inline bool tap_is_str(const char *got, const char *want, const char *name)
{
	bool same = (got && want) ? strcmp(got, want) == 0 : got == want;

	tap_ok(same, "%s", name);
	if (!same) {
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	}
	return same;
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
