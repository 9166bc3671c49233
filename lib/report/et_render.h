#ifndef ET_RENDER_H
#define ET_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_patterns.h"
#include "et_logrec.h"
#include "et_stats.h"
#include "et_table.h"

/*
 * Rendering the analyzer's results: aligned text for a terminal, compact Markdown for the slash
 * commands (it goes into the agent's context), and JSON (docs/stats-json.md).
 */

struct et_report_meta {
	char *const *files; /* the files read (borrowed) */
	size_t nfiles;
	const struct et_logrec_stats *in;
	const char *since, *until; /* ISO 8601 UTC, or NULL */
	const char *session, *project, *tool;
	enum et_format fmt;
	bool color;
	bool only_failures, only_slow; /* stats: show just these sections */
	size_t top;
};

/** True when @m names a filter (since, until, session, project or tool). */
bool et_render_filtered(const struct et_report_meta *m);

/**
 * Formats a latency in milliseconds for a table: whole from 100 ms, else one decimal. Writes into
 * @buf (@n bytes) and returns it.
 */
const char *et_render_ms(double v, char *buf, size_t n);

/** Formats @num / @den as a percentage with one decimal ("-" when @den is 0) into @buf. */
const char *et_render_pct(double num, double den, char *buf, size_t n);

/** Formats a duration in milliseconds ("850 ms", "12.3 s", "5m 02s", "2h 05m") into @buf. */
const char *et_render_duration(double ms, char *buf, size_t n);

/** Formats weeks to break even: "0.4", or "never" for an infinity. Writes into @buf, returns it. */
const char *et_render_weeks(double w, char *buf, size_t n);

/**
 * The word for a call's outcome: "success", "failure" or "interrupted"; @none (borrowed, may be
 * NULL) for ET_OUT_NONE or any other value. The words are static strings.
 */
const char *et_render_outcome(enum et_outcome o, const char *none);

/**
 * Formats the UTC time @ts (epoch ms) for a reader: "2026-11-20 10:00:10.000Z" cut to its first
 * @len characters (10: the date, 16: to the minute, 19: to the second). Writes into @buf (@n
 * bytes) and returns it.
 */
const char *et_render_time(int64_t ts, size_t len, char *buf, size_t n);

/** Appends a section heading: "### @title" in Markdown, else the title on a line of its own. */
void et_render_heading(struct et_buf *out, const struct et_report_meta *m, const char *title);

/** Appends the "filters: …" line when @m names a filter. */
void et_render_filters(struct et_buf *out, const struct et_report_meta *m);

/** Appends the notes on what reading skipped (malformed lines, old records, bad latencies). */
void et_render_notes(struct et_buf *out, const struct et_report_meta *m);

/**
 * Appends the start of a JSON report, without its closing brace: {"schema":@schema,"version":1,
 * "filters":{…},"input":{…}.
 */
void et_render_json_head(struct et_buf *out, const struct et_report_meta *m, const char *schema);

/**
 * Appends the start of a JSON report up to its filters, the object left open for more of them:
 * {"schema":@schema,"version":1,"filters":{"since":…,"until":…,"session":…,"project":….
 * et_render_json_head starts with it; a report with filters of its own adds them.
 */
void et_render_json_filters(struct et_buf *out, const struct et_report_meta *m, const char *schema);

/** Appends @v rounded to 6 decimals in its shortest form (null for NaN and infinities). */
void et_render_json_num(struct et_buf *out, double v);

/** Appends the member ,"@key": with the number @v as et_render_json_num writes it. */
void et_render_json_num_member(struct et_buf *out, const char *key, double v);

/** Appends the member ,"@key": with @v as et_render_json_num_member does when @has, else null. */
void et_render_json_opt_member(struct et_buf *out, const char *key, bool has, double v);

/** Appends the member ,"@key": with @num / @den, or null when @den is 0 (a rate, an average). */
void et_render_json_ratio_member(struct et_buf *out, const char *key, double num, double den);

/** Appends the member ,"@key": with the string @v (null when @v is NULL). */
void et_render_json_str_member(struct et_buf *out, const char *key, const char *v);

/** Appends @s as text a terminal shows and does not obey (et_table_text). */
void et_render_text(struct et_buf *out, const char *s);

/** Ends table @t in @m's format and colour: et_table_done. Returns 0 or -errno. */
int et_render_table_done(struct et_table *t, int rc, const struct et_report_meta *m,
			 struct et_buf *out);

/** Appends the stats report. Returns 0 or -errno. */
int et_render_stats(const struct et_stats_result *r, const struct et_report_meta *m,
		    struct et_buf *out);

/** Appends the patterns report. Returns 0 or -errno. */
int et_render_patterns(const struct et_patterns_result *r, const struct et_report_meta *m,
		       struct et_buf *out);

#endif
