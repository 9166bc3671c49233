#ifndef ET_HTML_H
#define ET_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "et_buf.h"
#include "et_html_cost.h"
#include "et_html_sessions.h"
#include "et_html_timeline.h"
#include "et_proposals.h"
#include "et_patterns.h"
#include "et_logrec.h"
#include "et_render.h"
#include "et_stats.h"

/*
 * The HTML report of `telemetry-stats report`: one self-contained page (inline CSS and SVG, no
 * script, nothing fetched) with calls and failures over time, latency and success rate per tool,
 * the top failures, chains, parallelization opportunities and the slowest calls. The counts over
 * time come from a timeline of a fixed number of buckets (et_html_timeline.h, fed while the log is
 * read); everything else comes from the stats and patterns results.
 */

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

/**
 * Like et_html_render, with the cost sections of @cost (NULL: none) after the others, and their
 * links in the page's navigation. They are shown even when the log holds no call.
 */
int et_html_render_cost(const struct et_stats_result *s, const struct et_patterns_result *p,
			const struct et_html_timeline *t, const struct et_report_meta *m,
			const struct et_html_cost *cost, struct et_buf *out);

/**
 * Like et_html_render_cost, with the proposals section of @prop (NULL: none) after the sections
 * of the log, and its link in the navigation; and the runs, tasks and agents sections of
 * @sessions (NULL: none) after the sections of the calls and before the cost sections, shown only
 * when @sessions holds a session, with their links.
 */
int et_html_render_all(const struct et_stats_result *s, const struct et_patterns_result *p,
		       const struct et_html_timeline *t, const struct et_report_meta *m,
		       const struct et_html_cost *cost, const struct et_proposals_result *prop,
		       const struct et_sessions_result *sessions, struct et_buf *out);

#endif
