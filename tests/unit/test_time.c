/* Unit tests for et_time: parsing every form, --since/--until values, "now", formatting. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "et_time.h"
#include "tap.h"

#define NOV21 1795219200000LL /* 2026-11-21T00:00:00Z */
#define NOV21_141116 1795270276000LL
#define HOUR 3600000LL
#define DAY (24 * HOUR)

#define NO false
#define OK true

static const struct {
	const char *s;
	unsigned forms;
	bool ok;
	int64_t ms;
	const char *what;
} parses[] = {
	{"2026-11-21T14:11:16Z", 0, OK, NOV21_141116, "UTC, whole seconds"},
	{"2026-11-21T14:11:16.123Z", 0, OK, NOV21_141116 + 123, "milliseconds"},
	{"2026-11-21T14:11:16.1Z", 0, OK, NOV21_141116 + 100, "one digit of fraction is tenths"},
	{"2026-11-21T14:11:16.123987Z", 0, OK, NOV21_141116 + 123, "digits past ms are dropped"},
	{"1970-01-01T00:00:00Z", 0, OK, 0, "the epoch"},
	{"1969-12-31T23:59:59Z", 0, OK, -1000, "a second before the epoch"},
	{"2024-02-29T00:00:00Z", 0, OK, 1709164800000LL, "a leap day"},
	{"0001-01-01T00:00:00Z", 0, OK, -62135596800000LL, "year 1"},
	{"9999-12-31T23:59:59Z", 0, OK, 253402300799000LL, "year 9999"},
	{"2026-11-21T23:59:60Z", 0, OK, NOV21 + DAY, "a leap second is the next second"},
	/* epoch milliseconds */
	{"1700000000000", 0, NO, 0, "epoch ms without ET_TIME_EPOCH_MS"},
	{"1700000000000", ET_TIME_EPOCH_MS, OK, 1700000000000LL, "epoch ms"},
	{"0", ET_TIME_EPOCH_MS, OK, 0, "epoch ms 0"},
	{"-5", ET_TIME_EPOCH_MS, NO, 0, "negative epoch ms"},
	{"17e3", ET_TIME_EPOCH_MS, NO, 0, "epoch ms with an exponent"},
	{"99999999999999999999", ET_TIME_EPOCH_MS, NO, 0, "epoch ms out of range"},
	{"2026-11-21T14:11:16Z", ET_TIME_EPOCH_MS, OK, NOV21_141116, "ISO still, with epoch ms"},
	/* the separator */
	{"2026-11-21 14:11:16Z", 0, NO, 0, "a space without ET_TIME_SPACE"},
	{"2026-11-21 14:11:16Z", ET_TIME_SPACE, OK, NOV21_141116, "a space"},
	{"2026-11-21x14:11:16Z", ET_TIME_STAMP_FORMS, NO, 0, "another separator"},
	/* offsets */
	{"2026-11-21T15:11:16.123+01:00", 0, NO, 0, "an offset without ET_TIME_OFFSET"},
	{"2026-11-21T15:11:16.123+01:00", ET_TIME_OFFSET, OK, NOV21_141116 + 123, "+01:00"},
	{"2026-11-21T08:41:16-05:30", ET_TIME_OFFSET, OK, NOV21_141116, "-05:30"},
	{"2026-11-21T14:11:16+0100", ET_TIME_OFFSET, NO, 0, "an offset without its colon"},
	{"2026-11-21T14:11:16+01:00:00", ET_TIME_OFFSET, NO, 0, "an offset with seconds"},
	/* no zone */
	{"2026-11-21T14:11:16", 0, NO, 0, "no zone without ET_TIME_LOCAL"},
	{"2026-11-21T14:11:16", ET_TIME_EPOCH_MS, NO, 0, "no zone with only epoch ms"},
	/* malformed (the rest, under ET_TIME_STAMP_FORMS alone, in malformed[]) */
	{"", ET_TIME_STAMP_FORMS | ET_TIME_EPOCH_MS, NO, 0, "empty"},
};

/* Malformed text: refused with every form of a timestamp allowed (ET_TIME_STAMP_FORMS). */
static const struct {
	const char *s;
	const char *what;
} malformed[] = {
	{"yesterday", "words"},
	{"2026-11-21", "a date alone"},
	{"2026-1-21T14:11:16Z", "a one-digit month"},
	{"2026-13-01T00:00:00Z", "month 13"},
	{"2026-00-01T00:00:00Z", "month 0"},
	{"2026-11-32T00:00:00Z", "day 32"},
	{"2026-11-00T00:00:00Z", "day 0"},
	{"2026-11-21T24:00:00Z", "hour 24"},
	{"2026-11-21T14:60:00Z", "minute 60"},
	{"2026-11-21T14:11:61Z", "second 61"},
	{"2026-11-21T14:11:16Q", "a bad zone"},
	{"2026-11-21T14:11:16ZZ", "text after the Z"},
	{"2026-11-21T14:1a:16Z", "a letter in a field"},
};

static const struct {
	const char *s;
	bool ok;
	int64_t ms;
} whens[] = {
	{"7d", OK, NOV21 - 7 * DAY},
	{"12h", OK, NOV21 - 12 * HOUR},
	{"30m", OK, NOV21 - 30 * 60000},
	{"45s", OK, NOV21 - 45000},
	{"2w", OK, NOV21 - 14 * DAY},
	{"1.5d", OK, NOV21 - 36 * HOUR},
	{"0d", OK, NOV21},
	{"999999s", OK, NOV21 - 999999000LL},
	{"2026-11-01", OK, 1793491200000LL},
	{"2026-11-15T12:00:00+01:00", OK, 1794740400000LL},
	{"2026-11-15 12:00:00Z", OK, 1794744000000LL},
	{"2026-11-15T12:00:00.250Z", OK, 1794744000250LL},
	{"1000000d", NO, 0},
	{"7x", NO, 0},
	{"7", NO, 0},
	{"d", NO, 0},
	{"-7d", NO, 0},
	{"7d ", NO, 0},
	{"7dd", NO, 0},
	{"", NO, 0},
	{"yesterday", NO, 0},
	{"2026-13-01", NO, 0},
	{"2026/11/01", NO, 0},
	{"1700000000000", NO, 0},
};

static void test_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		int64_t ms = 42;
		int r = et_time_parse(parses[i].s, strlen(parses[i].s), parses[i].forms, &ms);

		if (parses[i].ok) {
			tap_ok(r == 0 && ms == parses[i].ms,
			       "parse: %s ('%s' -> %lld, got %d %lld)", parses[i].what, parses[i].s,
			       (long long)parses[i].ms, r, (long long)ms);
		} else {
			tap_ok(r < 0 && ms == 42, "parse: %s ('%s') is refused, *ms unchanged",
			       parses[i].what, parses[i].s);
		}
	}
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		int64_t ms = 42;
		int r = et_time_parse(malformed[i].s, strlen(malformed[i].s), ET_TIME_STAMP_FORMS,
				      &ms);

		tap_ok(r < 0 && ms == 42, "parse: %s ('%s') is refused, *ms unchanged",
		       malformed[i].what, malformed[i].s);
	}
}

static void test_parse_bounds(void)
{
	static const char text[] = "2026-11-21T14:11:16Zjunk";
	int64_t ms = 0;

	tap_ok(et_time_parse(text, 20, 0, &ms) == 0 && ms == NOV21_141116,
	       "parse reads @n bytes, no NUL needed");
	tap_ok(et_time_parse(text, 19, 0, &ms) < 0, "parse: one byte short, the Z is not seen");
	tap_ok(et_time_parse("1234567", 3, ET_TIME_EPOCH_MS, &ms) == 0 && ms == 123,
	       "epoch ms reads @n bytes");
}

static void test_local(void)
{
	int64_t ms = 0;

	setenv("TZ", "UTC", 1);
	tzset();
	tap_ok(et_time_parse("2026-11-21T14:11:16", 19, ET_TIME_LOCAL, &ms) == 0 &&
		       ms == NOV21_141116,
	       "no zone with TZ=UTC");
	setenv("TZ", "EST5", 1);
	tzset();
	tap_ok(et_time_parse("2026-11-21T14:11:16.5", 21, ET_TIME_LOCAL, &ms) == 0 &&
		       ms == NOV21_141116 + 5 * HOUR + 500,
	       "no zone with TZ=EST5 is five hours later in UTC");
	tap_ok(et_time_parse_when("2026-11-21T14:11:16", NOV21, &ms) == 0 &&
		       ms == NOV21_141116 + 5 * HOUR,
	       "--since takes a local time");
	tap_ok(et_time_parse_when("2026-11-21", 0, &ms) == 0 && ms == NOV21,
	       "--since DATE is midnight UTC whatever TZ says");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_when(void)
{
	size_t i;

	for (i = 0; i < sizeof(whens) / sizeof(whens[0]); i++) {
		int64_t ms = 42;
		int r = et_time_parse_when(whens[i].s, NOV21, &ms);

		if (whens[i].ok) {
			tap_ok(r == 0 && ms == whens[i].ms, "when: '%s' -> %lld (got %d %lld)",
			       whens[i].s, (long long)whens[i].ms, r, (long long)ms);
		} else {
			tap_ok(r < 0 && ms == 42, "when: '%s' is refused", whens[i].s);
		}
	}
}

static void test_now(void)
{
	int64_t before, now, after;

	setenv(ET_TIME_NOW_ENV, "2026-11-21T00:00:00Z", 1);
	tap_ok(et_time_now_ms() == NOV21, "now: EXECUTION_TELEMETRY_NOW in ISO form");
	setenv(ET_TIME_NOW_ENV, "1700000000123", 1);
	tap_ok(et_time_now_ms() == 1700000000123LL, "now: EXECUTION_TELEMETRY_NOW in epoch ms");
	setenv(ET_TIME_NOW_ENV, "2026-11-21T01:00:00+01:00", 1);
	before = et_time_clock_ms();
	now = et_time_now_ms();
	after = et_time_clock_ms();
	tap_ok(before <= now && now <= after, "now: an offset is not a setting's form: the clock");
	setenv(ET_TIME_NOW_ENV, "", 1);
	before = et_time_clock_ms();
	now = et_time_now_ms();
	after = et_time_clock_ms();
	tap_ok(before <= now && now <= after, "now: empty means the clock");
	unsetenv(ET_TIME_NOW_ENV);
	before = (int64_t)time(NULL) * 1000;
	now = et_time_now_ms();
	after = ((int64_t)time(NULL) + 1) * 1000;
	tap_ok(before <= now && now < after, "now: unset means the clock (%lld)", (long long)now);
}

/*
 * The formatter does its own calendar arithmetic (gmtime_r would read the time zone file on each
 * hook run): it must agree with gmtime_r on every day from year 1 to 9999, and on seconds within a
 * day, leap days and century years included.
 */
static void test_format_calendar(void)
{
	char buf[ET_TIME_ISO_SIZE], want[96];
	int64_t day, ms, first = -62135596800LL / 86400, last = 253402300799LL / 86400;
	size_t bad = 0, n = 0;
	time_t t;
	struct tm tm;

	for (day = first; day <= last; day++, n++) {
		/* A second of the day that moves through the whole day as the days go by. */
		t = (time_t)(day * 86400 + (day * 7919 % 86400 + 86400) % 86400);
		ms = (int64_t)t * 1000 + (day & 511);
		gmtime_r(&t, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(day & 511));
		et_time_format(ms, buf, sizeof(buf));
		if (strcmp(buf, want) != 0 && bad++ == 0) {
			tap_diag("%lld: %s, gmtime_r says %s", (long long)ms, buf, want);
		}
	}
	tap_ok(bad == 0 && n > 3000000, "format: agrees with gmtime_r on %zu days (%zu differ)", n,
	       bad);
}

static void test_format(void)
{
	static const int64_t round[] = {
		0, 1, -1, 999, NOV21_141116 + 7, 253402300799999LL, -62135596800000LL};
	char buf[ET_TIME_ISO_SIZE], small[11], compact[17];
	size_t i;

	et_time_format(0, buf, sizeof(buf));
	tap_is_str(buf, "1970-01-01T00:00:00.000Z", "format: the epoch");
	et_time_format(NOV21_141116 + 123, buf, sizeof(buf));
	tap_is_str(buf, "2026-11-21T14:11:16.123Z", "format: milliseconds");
	et_time_format(-1, buf, sizeof(buf));
	tap_is_str(buf, "1969-12-31T23:59:59.999Z", "format: a millisecond before the epoch");
	et_time_format(-1000, buf, sizeof(buf));
	tap_is_str(buf, "1969-12-31T23:59:59.000Z", "format: a second before the epoch");
	et_time_format(NOV21_141116, small, sizeof(small));
	tap_is_str(small, "2026-11-21", "format: cut to the buffer, NUL-terminated");
	et_time_format_compact(NOV21_141116 + 999, compact, sizeof(compact));
	tap_is_str(compact, "20261121T141116Z", "compact: whole seconds, no separators");
	et_time_format_compact(-1, compact, sizeof(compact));
	tap_is_str(compact, "19691231T235959Z", "compact: before the epoch rounds down");
	for (i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
		int64_t back = 42;

		et_time_format(round[i], buf, sizeof(buf));
		tap_ok(et_time_parse(buf, strlen(buf), 0, &back) == 0 && back == round[i],
		       "format then parse gives %lld back (%s)", (long long)round[i], buf);
	}
	test_format_calendar();
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_parse();
	test_parse_bounds();
	test_local();
	test_when();
	test_now();
	test_format();
	return tap_done();
}
