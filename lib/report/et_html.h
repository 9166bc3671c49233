#ifndef ET_HTML_H
#define ET_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_patterns.h"
#include "et_reader.h"
#include "et_render.h"
#include "et_stats.h"

/*
 * The HTML report of `telemetry-stats report`: one self-contained page (inline CSS and SVG, no
 * script, nothing fetched) with calls and failures over time, latency and success rate per tool,
 * the top failures, chains, parallelization opportunities and the slowest calls. The counts over
 * time come from a timeline of a fixed number of buckets kept here; everything else comes from
 * the stats and patterns results.
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
 * Counts one record in its bucket when it is a call (an et_rec_fn: @ctx is the struct
 * et_html_timeline); other records are ignored. Never fails: returns 0.
 */
int et_html_timeline_add(void *ctx, const struct et_rec *rec);

/**
 * Appends @n bytes of @s to @out as HTML text, safe in element content and in quoted attribute
 * values: & < > " ' become character references, and bytes that are not valid UTF-8 and control
 * characters other than tab and newline become U+FFFD. Returns 0 or -errno (-E2BIG past the cap).
 */
int et_html_escape(struct et_buf *out, const char *s, size_t n);

/**
 * Appends the whole HTML document for the results @s and @p and the timeline @t to @out. @m says
 * what was read and with which filters (m->fmt and m->color are not used; m->top bounds the
 * per-tool rows). Everything borrowed. The same inputs give the same bytes: the page names the
 * range of the data, never the time it was made. Returns 0 or -errno (-E2BIG past the cap).
 */
int et_html_render(const struct et_stats_result *s, const struct et_patterns_result *p,
		   const struct et_html_timeline *t, const struct et_report_meta *m,
		   struct et_buf *out);

#endif
