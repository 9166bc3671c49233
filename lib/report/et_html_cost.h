#ifndef ET_HTML_COST_H
#define ET_HTML_COST_H

#include "et_buf.h"
#include "et_toolcost.h"
#include "et_usage.h"

/*
 * The HTML report's cost sections (docs/cost.md): dollars and tokens per day, and per tool with
 * the unattributed bucket, from Claude Code's transcripts. Shown when transcripts were read.
 */

struct et_html_cost {
	const struct et_usage_result *days;	/* by day; borrowed */
	const struct et_toolcost_result *tools; /* by tool; borrowed, or NULL */
};

/** The nav links of the sections (href, label), NULL-terminated pairs. */
extern const char *const et_html_cost_links[][2];

/** Appends the sections "cost-per-day" and "cost-per-tool". Returns 0 or -E2BIG. */
int et_html_cost_render(const struct et_html_cost *c, struct et_buf *out);

#endif
