/*
 * et_html_proposals: the proposals section of the HTML page. It reads like the text report's
 * summary table, with each proposal's problem and change under its title, so the page needs no
 * script to show them.
 */
#include "et_html_proposals.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "et_html.h"
#include "et_render.h"

#include "banned.h"

static void esc(struct et_buf *out, const char *s)
{
	et_html_escape(out, s, strlen(s));
}

int et_html_proposals_render(const struct et_proposals_result *r, struct et_buf *out)
{
	char w[32];
	size_t i;

	et_buf_adds(out,
		    "<section id=\"proposals\">\n<h2>Improvement proposals</h2>\n"
		    "<p class=\"mute\">Waste found in the log, ranked by weeks to break even "
		    "(<code>telemetry-stats proposals</code>, without token dollars here).</p>\n");
	if (r->n == 0) {
		et_buf_adds(out, "<p>No proposals: nothing in this log passes the thresholds.</p>\n"
				 "</section>\n");
		return out->failed ? -E2BIG : 0;
	}
	et_buf_adds(out, "<table>\n<tr><th class=\"n\">#</th><th>priority</th><th>proposal</th>"
			 "<th class=\"n\">h/month</th><th class=\"n\">impl h</th>"
			 "<th class=\"n\">break-even (weeks)</th><th>area</th></tr>\n");
	for (i = 0; i < r->n; i++) {
		const struct et_proposal *x = &r->items[i];

		et_buf_addf(out, "<tr><td class=\"n\">%zu</td><td>%s</td><td><b>", i + 1,
			    x->priority);
		esc(out, x->title);
		et_buf_adds(out, "</b><br>");
		esc(out, x->problem);
		et_buf_adds(out, "<br><i>");
		esc(out, x->change);
		et_buf_addf(out,
			    "</i></td><td class=\"n\">%.2f</td><td class=\"n\">%.1f</td>"
			    "<td class=\"n\">%s</td><td>%s</td></tr>\n",
			    x->monthly_h, x->impl_h,
			    et_render_weeks(x->breakeven_weeks, w, sizeof(w)), x->area);
	}
	et_buf_adds(out, "</table>\n</section>\n");
	return out->failed ? -E2BIG : 0;
}
