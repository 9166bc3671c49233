/*
 * et_html_cost: the cost sections of the HTML page. The idea is that they read like the cost
 * subcommand's text: the same rows, the same dollars (et_costrender's formatting), each table
 * closed by its total, and a model without a price named with its tokens, never a silent zero.
 */
#include "et_html_cost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "et_costrender.h"
#include "et_html.h"

#include "banned.h"

const char *const et_html_cost_links[][2] = {
	{"cost-per-day", "Cost per day"},
	{"cost-per-tool", "Cost per tool"},
	{NULL, NULL},
};

static void code(struct et_buf *out, const char *s)
{
	et_buf_adds(out, "<code>");
	et_html_escape(out, s, strlen(s));
	et_buf_adds(out, "</code>");
}

static void tokens_cells(struct et_buf *out, const struct et_usage_totals *t)
{
	char a[32], b[32], c[32], d[32];

	et_buf_addf(out,
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td>",
		    et_costrender_count(t->input, a, sizeof(a)),
		    et_costrender_count(t->output, b, sizeof(b)),
		    et_costrender_count(t->cache_create, c, sizeof(c)),
		    et_costrender_count(t->cache_read, d, sizeof(d)));
}

static void per_day(const struct et_usage_result *r, struct et_buf *out)
{
	char a[48], b[48];
	size_t i;

	et_buf_adds(out, "<section id=\"cost-per-day\">\n<h2>Cost per day</h2>\n"
			 "<p class=\"mute\">From Claude Code's transcripts, each API response "
			 "counted once, at list prices (<code>telemetry-stats cost</code>).</p>\n");
	for (i = 0; i < r->nunpriced; i++) {
		const struct et_usage_model *u = &r->unpriced[i];

		et_buf_adds(out, "<p class=\"warn\">No price for model ");
		code(out, u->model);
		et_buf_addf(out, ": its %s input and %s output tokens cost $0 here.</p>\n",
			    et_costrender_count(u->t.input, a, sizeof(a)),
			    et_costrender_count(u->t.output, b, sizeof(b)));
	}
	et_buf_adds(out, "<table>\n<tr><th>day (UTC)</th><th class=\"n\">responses</th>"
			 "<th class=\"n\">input</th><th class=\"n\">output</th>"
			 "<th class=\"n\">cache writes</th><th class=\"n\">cache reads</th>"
			 "<th class=\"n\">cost</th></tr>\n");
	for (i = 0; i < r->nrows; i++) {
		const struct et_usage_row *row = &r->rows[i];

		et_buf_adds(out, "<tr><td>");
		et_html_escape(out, row->key, strlen(row->key));
		et_buf_addf(out, "</td><td class=\"n\">%s</td>",
			    et_costrender_count(row->t.messages, a, sizeof(a)));
		tokens_cells(out, &row->t);
		et_buf_addf(out, "<td class=\"n\">%s</td></tr>\n",
			    et_costrender_usd(row->t.cost, b, sizeof(b)));
	}
	et_buf_addf(out, "<tr class=\"total\"><td>total</td><td class=\"n\">%s</td>",
		    et_costrender_count(r->totals.messages, a, sizeof(a)));
	tokens_cells(out, &r->totals);
	et_buf_addf(out, "<td class=\"n\" id=\"cost-total\">%s</td></tr>\n</table>\n</section>\n",
		    et_costrender_usd(r->totals.cost, b, sizeof(b)));
}

static void per_tool(const struct et_toolcost_result *r, struct et_buf *out)
{
	char a[48], b[48], c[48], d[48], e[48];
	size_t i;

	et_buf_adds(out, "<section id=\"cost-per-tool\">\n<h2>Cost per tool</h2>\n"
			 "<p class=\"mute\">Each call's share of the output of the response that "
			 "issued it, plus the tokens its result adds to every later request "
			 "(docs/cost.md, &ldquo;Cost per tool&rdquo;). The tools and "
			 "&ldquo;unattributed&rdquo; add up to the total.</p>\n");
	et_buf_adds(out, "<table>\n<tr><th>tool</th><th class=\"n\">calls</th>"
			 "<th class=\"n\">tokens</th><th class=\"n\">cost</th>"
			 "<th class=\"n\">per call</th><th class=\"n\">result bytes</th></tr>\n");
	for (i = 0; i < r->ntools; i++) {
		const struct et_toolcost_tool *t = &r->tools[i];

		et_buf_adds(out, "<tr><td>");
		code(out, t->name);
		et_buf_addf(
			out,
			"</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			"<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			"</tr>\n",
			et_costrender_count(t->calls, a, sizeof(a)),
			et_costrender_count(t->out_tokens + t->ctx_tokens, b, sizeof(b)),
			et_costrender_usd(t->cost, c, sizeof(c)),
			et_costrender_usd(t->calls ? t->cost / (double)t->calls : 0, d, sizeof(d)),
			et_costrender_count(t->result_bytes, e, sizeof(e)));
	}
	et_buf_addf(out,
		    "<tr><td>unattributed (text, thinking, system prompt)</td><td></td><td></td>"
		    "<td class=\"n\">%s</td><td></td><td></td></tr>\n"
		    "<tr class=\"total\"><td>total</td><td></td><td></td>"
		    "<td class=\"n\" id=\"tool-cost-total\">%s</td><td></td><td></td></tr>\n"
		    "</table>\n</section>\n",
		    et_costrender_usd(r->unattributed, a, sizeof(a)),
		    et_costrender_usd(r->total, b, sizeof(b)));
}

int et_html_cost_render(const struct et_html_cost *c, struct et_buf *out)
{
	if (c->days) {
		per_day(c->days, out);
	}
	if (c->tools) {
		per_tool(c->tools, out);
	}
	return out->failed ? -E2BIG : 0;
}
