#ifndef ET_TIME_H
#define ET_TIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Time, in one place: "now" (which tests fix with EXECUTION_TELEMETRY_NOW), ISO 8601 parsing for
 * every form the project reads, the --since/--until forms, and the two ways a time is written.
 * Times are milliseconds since the Unix epoch, UTC, in an int64_t.
 */

/** The environment variable that fixes "now" (for tests and reproducible runs). */
#define ET_TIME_NOW_ENV "EXECUTION_TELEMETRY_NOW"

/**
 * What et_time_parse accepts besides YYYY-MM-DDTHH:MM:SS[.fraction]Z, which it always accepts.
 * The fields are fixed-width digits; a fraction keeps its first three digits (milliseconds).
 */
enum et_time_forms {
	ET_TIME_EPOCH_MS =
		1 << 0,		 /* a whole number: milliseconds since the epoch (strtoll's form) */
	ET_TIME_SPACE = 1 << 1,	 /* a space instead of the 'T' */
	ET_TIME_OFFSET = 1 << 2, /* +HH:MM or -HH:MM instead of the 'Z' */
	ET_TIME_LOCAL = 1 << 3,	 /* no zone at all: local time (the old Python plugin's stamps) */
};

/** The forms a log line's timestamp may take, and so --since and --until. */
#define ET_TIME_STAMP_FORMS (ET_TIME_SPACE | ET_TIME_OFFSET | ET_TIME_LOCAL)

/** The forms a time setting takes: EXECUTION_TELEMETRY_NOW, --now. */
#define ET_TIME_SETTING_FORMS ET_TIME_EPOCH_MS

/** The bytes et_time_format writes, NUL included: 2026-11-21T14:11:16.123Z. */
#define ET_TIME_ISO_SIZE 25

/**
 * Parses the @n bytes at @s (no NUL needed) as a time in one of the forms @forms allows (a
 * combination of enum et_time_forms; 0: only the UTC form ending in Z) into *@ms. A local time
 * is read in the process's time zone (TZ). Returns 0, or -EINVAL for anything else; *@ms is
 * then unchanged.
 */
int et_time_parse(const char *s, size_t n, unsigned forms, int64_t *ms);

/**
 * Parses a --since or --until value into *@ms: a duration before @now (a number, a fraction
 * allowed, then s, m, h, d or w: 45s, 30m, 12h, 1.5d, 2w; less than a million units), a date
 * (2026-11-01: its midnight UTC), or a time in ET_TIME_STAMP_FORMS. @s is NUL-terminated and
 * borrowed. Returns 0 or -EINVAL.
 */
int et_time_parse_when(const char *s, int64_t now, int64_t *ms);

/**
 * Returns the real-time clock, in milliseconds since the epoch. On Linux it asks the kernel with
 * a system call rather than through the vDSO, which costs two page faults on a program's first
 * reading: meant for a few readings per run, not for timing loops.
 */
int64_t et_time_clock_ms(void);

/**
 * Returns "now": the time in $EXECUTION_TELEMETRY_NOW (ET_TIME_SETTING_FORMS) when it is set and
 * valid, else the real-time clock.
 */
int64_t et_time_now_ms(void);

/**
 * Writes @ms as 2026-11-21T14:11:16.123Z (UTC, milliseconds) into @buf, NUL-terminated and cut
 * to @size bytes (ET_TIME_ISO_SIZE holds it whole for the years 0 to 9999).
 */
void et_time_format(int64_t ms, char *buf, size_t size);

/**
 * Writes @ms as 20261121T141116Z (UTC, whole seconds, no separators: for file names) into @buf,
 * NUL-terminated and cut to @size bytes (17 hold it whole).
 */
void et_time_format_compact(int64_t ms, char *buf, size_t size);

#endif
