#ifndef ET_HTML_TIMELINE_H
#define ET_HTML_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_logrec.h"

/*
 * Calls over time for the HTML report (et_html.h): successes, failures and interrupted calls
 * counted per hour, day or week in a timeline of a fixed number of buckets, and the page's section
 * that draws them.
 */

/* The most buckets a timeline holds; it coarsens (hours, days, weeks, 2^k weeks) to stay within. */
#define ET_HTML_BUCKETS 192

enum et_html_unit {
	ET_HTML_HOUR,
	ET_HTML_DAY,
	ET_HTML_WEEK, /* weeks start on Monday, UTC; level ET_HTML_WEEK + k is 2^k weeks */
};

struct et_html_bucket {
	uint64_t successes, failures, interrupted;
};

/*
 * Calls per time bucket. Caller-owned and allocation-free: the buckets are an array inside the
 * struct, so memory does not grow with records, whatever the range of their timestamps.
 */
struct et_html_timeline {
	int level;     /* enum et_html_unit, or ET_HTML_WEEK + k for buckets of 2^k weeks */
	int64_t first; /* the index of bucket[0] at this level */
	size_t n;      /* buckets in use, first to first + n - 1; the rest are zero */
	struct et_html_bucket bucket[ET_HTML_BUCKETS];
	bool has_range;
	int64_t min_ts, max_ts; /* the earliest and latest call, UTC ms */
	uint64_t undated;	/* calls without a timestamp: counted nowhere in the buckets */
};

/** Initialises an empty timeline (hourly buckets until the range asks for more). */
void et_html_timeline_init(struct et_html_timeline *t);

/**
 * Counts one record in its bucket when it is a call (an et_logrec_fn: @ctx is the struct
 * et_html_timeline); other records are ignored. Never fails: returns 0.
 */
int et_html_timeline_add(void *ctx, const struct et_record_in *rec);

/**
 * Appends the page's section "Calls and failures over time" for @t to @out: stacked columns per
 * bucket on a count axis, UTC labels, and a note on the calls without a timestamp. Both borrowed.
 * Errors are sticky in @out (out->failed).
 */
void et_html_timeline_render(const struct et_html_timeline *t, struct et_buf *out);

#endif
