/*
 * Unit tests for et_html_timeline: the buckets as they coarsen from hours to days to weeks
 * (Monday-based) and beyond without losing a call, and the page's section that draws them.
 */
#include <stdint.h>
#include <string.h>

#include "et_buf.h"
#include "et_html_timeline.h"
#include "tap.h"

#define HOUR ((int64_t)3600 * 1000)
#define DAY (24 * HOUR)
#define T0 1763733600000LL /* 2025-11-21T14:00:00Z, a Friday */
#define NO_TS INT64_MIN	   /* count() a call without a timestamp */

static void count(struct et_html_timeline *t, int64_t ts, enum et_outcome o)
{
	struct et_record_in r = {.outcome = o, .has_ts = ts != NO_TS, .ts_ms = ts};

	et_html_timeline_add(t, &r);
}

static uint64_t total(const struct et_html_timeline *t)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < ET_HTML_BUCKETS; i++) {
		sum += t->bucket[i].successes + t->bucket[i].failures + t->bucket[i].interrupted;
	}
	return sum;
}

static void test_timeline(void)
{
	struct et_html_timeline t;
	struct et_record_in r;
	uint64_t want = 0;

	memset(&r, 0, sizeof(r));
	r.outcome = ET_OUT_NONE;

	et_html_timeline_init(&t);
	tap_ok(t.level == ET_HTML_HOUR && t.n == 0 && !t.has_range,
	       "a new timeline is empty, hourly");
	r.is_batch = true;
	r.has_ts = true;
	r.ts_ms = T0;
	et_html_timeline_add(&t, &r);
	tap_ok(t.n == 0 && !t.has_range && t.undated == 0, "a batch record is not a call");
	count(&t, NO_TS, ET_OUT_SUCCESS);
	tap_ok(t.undated == 1 && t.n == 0 && total(&t) == 0, "a call without a time is undated");

	count(&t, T0 + 10 * 60000, ET_OUT_SUCCESS);
	count(&t, T0 + 70 * 60000, ET_OUT_FAILURE);
	count(&t, T0 + 75 * 60000, ET_OUT_INTERRUPTED);
	want = 3;
	tap_ok(t.level == ET_HTML_HOUR && t.n == 2 && t.first == T0 / HOUR,
	       "three calls in two hours: two hourly buckets (n %zu)", t.n);
	tap_ok(t.bucket[0].successes == 1 && t.bucket[1].failures == 1 &&
		       t.bucket[1].interrupted == 1 && t.bucket[0].failures == 0,
	       "each call in its hour, by outcome");
	tap_ok(t.has_range && t.min_ts == T0 + 10 * 60000 && t.max_ts == T0 + 75 * 60000,
	       "the range is the earliest and latest call");

	count(&t, T0 - 5 * HOUR, ET_OUT_SUCCESS);
	want++;
	tap_ok(t.n == 7 && t.first == T0 / HOUR - 5 && t.bucket[0].successes == 1 &&
		       t.bucket[5].successes == 1 && t.bucket[6].failures == 1,
	       "an earlier call shifts the buckets (n %zu)", t.n);
	tap_ok(t.min_ts == T0 - 5 * HOUR, "and moves the start of the range");

	count(&t, T0 + 40 * HOUR, ET_OUT_SUCCESS);
	want++;
	tap_ok(t.level == ET_HTML_HOUR && t.n == 46,
	       "46 hours from first to last: still hourly (level %d, n %zu)", t.level, t.n);
	count(&t, T0 + 43 * HOUR, ET_OUT_FAILURE);
	want++;
	/* 09:00 on the 21st to 09:00 on the 23rd is 49 hourly buckets: too many, so days. */
	tap_ok(t.level == ET_HTML_DAY && t.n == 3 && t.first == T0 / DAY,
	       "49 hours: daily buckets (level %d, n %zu)", t.level, t.n);
	tap_ok(t.bucket[0].successes == 2 && t.bucket[0].failures == 1 &&
		       t.bucket[0].interrupted == 1 && total(&t) == want &&
		       t.bucket[2].successes == 1 && t.bucket[2].failures == 1,
	       "the hours merged into their days, nothing lost (%llu calls)",
	       (unsigned long long)total(&t));

	/* Weeks start on Monday: Monday the 17th and Sunday the 23rd share one, the 24th not. */
	et_html_timeline_init(&t);
	count(&t, 1763337600000LL, ET_OUT_SUCCESS);		  /* Mon 2025-11-17 00:00 */
	count(&t, 1763856000000LL + DAY - 60000, ET_OUT_SUCCESS); /* Sun 2025-11-23 23:59 */
	count(&t, 1763942400000LL, ET_OUT_FAILURE);		  /* Mon 2025-11-24 00:00 */
	count(&t, 1763337600000LL + 300 * DAY, ET_OUT_SUCCESS);
	tap_ok(t.level == ET_HTML_WEEK && t.n == 43, "301 days: weekly buckets (level %d, n %zu)",
	       t.level, t.n);
	tap_ok(t.bucket[0].successes == 2 && t.bucket[0].failures == 0 &&
		       t.bucket[1].failures == 1 && t.bucket[42].successes == 1,
	       "a week runs from Monday to Sunday, UTC");

	/* Hostile ranges: year 1 to year 9999, and the epoch, lose nothing and stay bounded. */
	count(&t, 0, ET_OUT_INTERRUPTED);
	tap_ok(t.level > ET_HTML_WEEK && t.n <= 180 && total(&t) == 5 && t.min_ts == 0,
	       "back to 1970: buckets of 2^k weeks, at most 180 (level %d, n %zu)", t.level, t.n);
	count(&t, 253402300799000LL, ET_OUT_SUCCESS); /* 9999-12-31T23:59:59Z */
	count(&t, -62135596800000LL, ET_OUT_FAILURE); /* 0001-01-01T00:00:00Z */
	tap_ok(t.n <= 180 && t.n <= ET_HTML_BUCKETS && total(&t) == 7 &&
		       t.min_ts == -62135596800000LL && t.max_ts == 253402300799000LL,
	       "year 1 to 9999: every call counted in at most 180 buckets (n %zu)", t.n);
}

/* Renders @t's section into @out (emptied first); returns its text. */
static const char *section(struct et_buf *out, const struct et_html_timeline *t)
{
	et_buf_reset(out);
	et_html_timeline_render(t, out);
	return out->failed ? "" : out->data;
}

static void test_section(void)
{
	struct et_html_timeline t;
	struct et_buf out, again;
	const char *s;

	et_buf_init(&out, 1 << 20);
	et_buf_init(&again, 1 << 20);
	et_html_timeline_init(&t);
	count(&t, NO_TS, ET_OUT_SUCCESS);
	tap_is_str(section(&out, &t),
		   "<section id=\"calls-over-time\">\n<h2>Calls and failures over time</h2>\n"
		   "<p>No call has a timestamp.</p>\n</section>\n",
		   "section: no dated call, no chart");

	count(&t, T0, ET_OUT_SUCCESS);
	count(&t, T0 + HOUR + 60000, ET_OUT_FAILURE);
	s = section(&out, &t);
	tap_ok(strstr(s, "Calls per hour, UTC.") && strstr(s, "aria-label=\"Calls per hour\""),
	       "section: hourly buckets say so");
	tap_ok(strstr(s, ">14:00</text>") && strstr(s, ">00:00</text>") &&
		       strstr(s, ">2025-11-21</text>"),
	       "section: a whole UTC day of hours, labelled, with the date at midnight");
	tap_ok(strstr(s, "<title>2025-11-21 14:00: 1 call, 0 failed, 0 interrupted</title>"
			 "<rect class=\"ok\"") &&
		       strstr(s, "<title>2025-11-21 15:00: 1 call, 1 failed, 0 interrupted</title>"
				 "<rect class=\"fail\""),
	       "section: one column per bucket with calls, its counts in a tooltip");
	tap_ok(strstr(s, "<p class=\"mute\">1 call without a timestamp not shown.</p>") != NULL,
	       "section: the undated call is said, not drawn");
	et_html_timeline_render(&t, &again);
	tap_ok(again.len == out.len && !memcmp(again.data, out.data, out.len),
	       "section: the same timeline gives the same bytes");

	count(&t, T0 + 2 * DAY, ET_OUT_INTERRUPTED);
	s = section(&out, &t);
	tap_ok(strstr(s, "Calls per day, UTC.") && strstr(s, ">11-21</text>") &&
		       strstr(s, "<rect class=\"intr\""),
	       "section: three days: daily buckets, labelled by month and day");

	count(&t, T0 + 30 * DAY, ET_OUT_SUCCESS);
	s = section(&out, &t);
	tap_ok(strstr(s, "Calls per day, UTC.") && strstr(s, ">12-21</text>"),
	       "section: a month: still daily (up to 180 buckets)");
	count(&t, T0 + 200 * DAY, ET_OUT_SUCCESS);
	s = section(&out, &t);
	tap_ok(strstr(s, "per week (weeks start on Monday)") && strstr(s, ">2025-11-17</text>"),
	       "section: 200 days: weekly buckets, labelled by their Monday");

	count(&t, T0 + 4 * 365 * DAY, ET_OUT_SUCCESS);
	s = section(&out, &t);
	tap_ok(strstr(s, "Calls per 2 weeks, UTC.") != NULL, "section: four years: 2-week buckets");
	et_buf_finish(&out);
	et_buf_finish(&again);
}

int main(void)
{
	test_timeline();
	test_section();
	return tap_done();
}
