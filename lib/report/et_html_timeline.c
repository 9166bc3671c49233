/*
 * et_html_timeline: the report's calls over time. The idea is a fixed number of buckets that
 * coarsen instead of growing: counting starts per hour and, whenever the calls span more buckets
 * than a level allows, merges them into days, weeks, then 2^k weeks. Every bucket of a level lies
 * inside one bucket of the next (all are aligned on the epoch, weeks on its first Monday), so
 * merging loses resolution but no call, and a log of any length costs the same memory. The
 * section of the page that draws the buckets as stacked columns lives here too, because it needs
 * the same arithmetic of levels to place and label them.
 */
#include "et_html_timeline.h"

#include <stdio.h>
#include <string.h>

#include "et_render.h"

#include "banned.h"

#define HOUR_MS ((int64_t)3600 * 1000)
#define DAY_MS ((int64_t)86400 * 1000)
#define MONDAY 4       /* 1970-01-05, the first Monday, is day 4 of the epoch */
#define HOUR_SPAN 48   /* hourly buckets while the calls span at most two days of hours */
#define OTHER_SPAN 180 /* then days, weeks, 2^k weeks: at most this many buckets */
#define MAX_LEVEL (ET_HTML_WEEK + 50)

/* ---- the buckets ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t bucket_index(int level, int64_t ts)
{
	if (level == ET_HTML_HOUR) {
		return floordiv(ts, HOUR_MS);
	}
	if (level == ET_HTML_DAY) {
		return floordiv(ts, DAY_MS);
	}
	return floordiv(floordiv(ts, DAY_MS) - MONDAY, (int64_t)7 << (level - ET_HTML_WEEK));
}

static int64_t bucket_start(int level, int64_t idx)
{
	if (level == ET_HTML_HOUR) {
		return idx * HOUR_MS;
	}
	if (level == ET_HTML_DAY) {
		return idx * DAY_MS;
	}
	return (idx * ((int64_t)7 << (level - ET_HTML_WEEK)) + MONDAY) * DAY_MS;
}

static int64_t level_span(int level)
{
	return level == ET_HTML_HOUR ? HOUR_SPAN : OTHER_SPAN;
}

void et_html_timeline_init(struct et_html_timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->level = ET_HTML_HOUR;
}

/* Makes room for bucket @idx if the span allows it at this level; false when it does not. */
static bool fit(struct et_html_timeline *t, int64_t idx)
{
	int64_t lo, hi, shift;

	if (t->n == 0) {
		t->first = idx;
		t->n = 1;
		return true;
	}
	lo = idx < t->first ? idx : t->first;
	hi = idx > t->first + (int64_t)t->n - 1 ? idx : t->first + (int64_t)t->n - 1;
	if (hi - lo + 1 > level_span(t->level)) {
		return false;
	}
	if (idx < t->first) {
		shift = t->first - idx;
		memmove(&t->bucket[shift], &t->bucket[0], t->n * sizeof(t->bucket[0]));
		memset(&t->bucket[0], 0, (size_t)shift * sizeof(t->bucket[0]));
		t->first = idx;
		t->n += (size_t)shift;
	} else if (idx >= t->first + (int64_t)t->n) {
		t->n = (size_t)(idx - t->first + 1);
	}
	return true;
}

/*
 * Moves to the next coarser level. Every bucket of a level lies inside one bucket of the next (all
 * are aligned on the epoch, weeks on its first Monday), so merging loses nothing but resolution.
 */
static void coarsen(struct et_html_timeline *t)
{
	struct et_html_bucket old[ET_HTML_BUCKETS];
	int64_t old_first = t->first, last;
	int old_level = t->level;
	size_t old_n = t->n, i;

	memcpy(old, t->bucket, sizeof(old));
	memset(t->bucket, 0, sizeof(t->bucket));
	t->level++;
	t->first = bucket_index(t->level, bucket_start(old_level, old_first));
	last = bucket_index(t->level, bucket_start(old_level, old_first + (int64_t)old_n - 1));
	t->n = (size_t)(last - t->first + 1);
	for (i = 0; i < old_n; i++) {
		int64_t j = bucket_index(t->level, bucket_start(old_level, old_first + (int64_t)i));
		struct et_html_bucket *b = &t->bucket[j - t->first];

		b->successes += old[i].successes;
		b->failures += old[i].failures;
		b->interrupted += old[i].interrupted;
	}
}

int et_html_timeline_add(void *ctx, const struct et_record_in *rec)
{
	struct et_html_timeline *t = ctx;
	struct et_html_bucket *b;
	int64_t idx;

	if (rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	if (!rec->has_ts) {
		t->undated++;
		return 0;
	}
	if (!t->has_range || rec->ts_ms < t->min_ts) {
		t->min_ts = rec->ts_ms;
	}
	if (!t->has_range || rec->ts_ms > t->max_ts) {
		t->max_ts = rec->ts_ms;
	}
	t->has_range = true;
	for (;;) {
		idx = bucket_index(t->level, rec->ts_ms);
		if (fit(t, idx)) {
			break;
		}
		if (t->level >= MAX_LEVEL) {
			/* Unreachable for 64-bit times (2^50 weeks span them all); a guard, not a case. */
			idx = idx < t->first ? t->first : t->first + (int64_t)t->n - 1;
			break;
		}
		coarsen(t);
	}
	b = &t->bucket[idx - t->first];
	if (rec->outcome == ET_OUT_SUCCESS) {
		b->successes++;
	} else if (rec->outcome == ET_OUT_FAILURE) {
		b->failures++;
	} else {
		b->interrupted++;
	}
	return 0;
}

/* ---- the section of the page ---- */

static uint64_t bucket_total(const struct et_html_bucket *b)
{
	return b->successes + b->failures + b->interrupted;
}

/* A round step for a count axis: 1, 2 or 5 times a power of ten, about @max / 4. */
static uint64_t count_step(uint64_t max)
{
	uint64_t step = 1;

	for (;;) {
		if (max <= step * 4) {
			return step;
		}
		if (max <= step * 2 * 4) {
			return step * 2;
		}
		if (max <= step * 5 * 4) {
			return step * 5;
		}
		step *= 10;
	}
}

/* An axis label: 10:00 for an hour, 11-20 for a day, 2026-11-16 for a week or more. */
static void bucket_label(int level, int64_t idx, char *buf, size_t n)
{
	char d[48];

	et_render_time(bucket_start(level, idx), 16, d, sizeof(d));
	if (level == ET_HTML_HOUR) {
		snprintf(buf, n, "%s", d + 11);
	} else if (level == ET_HTML_DAY) {
		snprintf(buf, n, "%.5s", d + 5);
	} else {
		snprintf(buf, n, "%.10s", d);
	}
}

void et_html_timeline_render(const struct et_html_timeline *t, struct et_buf *out)
{
	enum {
		W = 1000,
		H = 230,
		X0 = 44,
		X1 = 992,
		Y0 = 12,
		Y1 = 190
	};
	int64_t first = t->first, nb = (int64_t)t->n, i, every;
	uint64_t max = 0, step, top, v;
	double slot, bw, x;
	char a[48], b[48];
	const char *unit;

	et_buf_adds(out,
		    "<section id=\"calls-over-time\">\n<h2>Calls and failures over time</h2>\n");
	if (!t->has_range) {
		et_buf_adds(out, "<p>No call has a timestamp.</p>\n</section>\n");
		return;
	}
	if (t->level == ET_HTML_HOUR) {
		/* Whole UTC days of hours, so that a short log still reads as a time of day. */
		first = floordiv(t->first, 24) * 24;
		nb = floordiv(t->first + (int64_t)t->n - 1, 24) * 24 + 24 - first;
		unit = "per hour";
	} else if (t->level == ET_HTML_DAY) {
		unit = "per day";
	} else if (t->level == ET_HTML_WEEK) {
		unit = "per week (weeks start on Monday)";
	} else {
		snprintf(b, sizeof(b), "per %d weeks", 1 << (t->level - ET_HTML_WEEK));
		unit = b;
	}
	for (i = 0; i < (int64_t)t->n; i++) {
		v = bucket_total(&t->bucket[i]);
		max = v > max ? v : max;
	}
	step = count_step(max);
	top = (max + step - 1) / step * step;
	top = top ? top : 1;
	et_buf_addf(out,
		    "<p class=\"legend\">Calls %s, UTC.<span class=\"sw ok\"></span>succeeded"
		    "<span class=\"sw fail\"></span>failed<span class=\"sw intr\"></span>"
		    "interrupted</p>\n",
		    unit);
	et_buf_addf(out,
		    "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		    "aria-label=\"Calls %s\">\n",
		    W, H, unit);
	for (v = 0; v <= top; v += step) {
		double y = Y1 - (double)v / (double)top * (Y1 - Y0);

		et_buf_addf(out,
			    "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
			    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%llu</text>\n",
			    X0, X1, y, y, X0 - 6, y + 4, (unsigned long long)v);
	}
	slot = (double)(X1 - X0) / (double)nb;
	bw = slot * 0.8 > 48 ? 48 : slot * 0.8;
	if (t->level == ET_HTML_HOUR) {
		every = nb <= 24 ? 2 : nb <= 48 ? 4 : 6;
	} else {
		every = (nb + 11) / 12;
	}
	for (i = 0; i < nb; i++) {
		int64_t k = first + i - t->first;
		const struct et_html_bucket *bk =
			k >= 0 && k < (int64_t)t->n ? &t->bucket[k] : NULL;
		static const struct et_html_bucket zero;
		double y = Y1;
		uint64_t parts[3];
		const char *cls[3] = {"ok", "fail", "intr"};
		int j;

		x = X0 + (double)i * slot + (slot - bw) / 2;
		if (i % every == 0) {
			bucket_label(t->level, first + i, a, sizeof(a));
			et_buf_addf(out,
				    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				    x + bw / 2, Y1 + 16, a);
		}
		if (t->level == ET_HTML_HOUR && (first + i) % 24 == 0) {
			et_render_time(bucket_start(ET_HTML_HOUR, first + i), 10, a, sizeof(a));
			et_buf_addf(out,
				    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" "
				    "y2=\"%d\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n",
				    X0 + (double)i * slot, X0 + (double)i * slot, Y1, Y1 + 36,
				    X0 + (double)i * slot + 3, Y1 + 34, a);
		}
		bk = bk ? bk : &zero;
		if (bucket_total(bk) == 0) {
			continue;
		}
		parts[0] = bk->successes;
		parts[1] = bk->failures;
		parts[2] = bk->interrupted;
		et_render_time(bucket_start(t->level, first + i),
			       t->level == ET_HTML_HOUR ? 16 : 10, b, sizeof(b));
		et_buf_addf(out, "<g><title>%s: %llu call%s, %llu failed, %llu interrupted</title>",
			    b, (unsigned long long)bucket_total(bk),
			    bucket_total(bk) == 1 ? "" : "s", (unsigned long long)bk->failures,
			    (unsigned long long)bk->interrupted);
		for (j = 0; j < 3; j++) {
			double h = (double)parts[j] / (double)top * (Y1 - Y0);

			if (parts[j] == 0) {
				continue;
			}
			y -= h;
			et_buf_addf(out,
				    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>",
				    cls[j], x, y, bw, h);
		}
		et_buf_adds(out, "</g>\n");
	}
	et_buf_addf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", X0, X1,
		    Y1, Y1);
	et_buf_adds(out, "</svg>\n");
	if (t->undated) {
		et_buf_addf(out,
			    "<p class=\"mute\">%llu call%s without a timestamp not shown.</p>\n",
			    (unsigned long long)t->undated, t->undated == 1 ? "" : "s");
	}
	et_buf_adds(out, "</section>\n");
}
