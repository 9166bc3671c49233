/*
 * et_html: the HTML report, section by section. The idea is that the page is data, not a program:
 * every chart is SVG written by hand (here, and the calls over time in et_html_timeline.c), styled
 * by one inline style sheet whose colours follow the reader's light or dark preference, and a
 * Content-Security-Policy forbids scripts and every fetch, so the file reads the same offline, in a
 * mail attachment or years later. Every string that comes from a log goes through et_html_escape:
 * the log holds user data, and a tool called <script> is just a name.
 */
#include "et_html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_errclass.h"
#include "et_html_proposals.h"
#include "et_render.h"
#include "et_utf8.h"

#include "banned.h"

#define LABEL_CHARS 24 /* tool names in chart labels; the full name is in the tooltip */

/* ---- escaping ---- */

int et_html_escape(struct et_buf *out, const char *s, size_t n)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	int r = 0;

	while (i < n) {
		unsigned char c = p[i];
		const char *rep;

		if (c >= 0x80) {
			k = et_utf8_seq(p + i, n - i);
			if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
				k = 0; /* U+0080 to U+009F: C1 controls */
			}
			if (k) {
				i += k;
				continue;
			}
			rep = replacement;
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"') {
			rep = "&quot;";
		} else if (c == '\'') {
			rep = "&#39;";
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			rep = replacement;
		} else {
			i++;
			continue;
		}
		if (r == 0 && i > start) {
			r = et_buf_add(out, p + start, i - start);
		}
		if (r == 0) {
			r = et_buf_adds(out, rep);
		}
		start = ++i;
	}
	if (r == 0 && i > start) {
		r = et_buf_add(out, p + start, i - start);
	}
	return r;
}

static void esc(struct et_buf *out, const char *s)
{
	et_html_escape(out, s, strlen(s));
}

/* Appends the @n bytes at @s, escaped, as a <code> element. */
static void code_n(struct et_buf *out, const char *s, size_t n)
{
	et_buf_adds(out, "<code>");
	et_html_escape(out, s, n);
	et_buf_adds(out, "</code>");
}

static void code(struct et_buf *out, const char *s)
{
	code_n(out, s, strlen(s));
}

/* Escapes at most @max characters of @s, with an ellipsis when it was cut. */
static void esc_short(struct et_buf *out, const char *s, size_t max)
{
	size_t n = strlen(s), k = et_utf8_prefix(s, n, max);

	if (k < n) {
		k = et_utf8_prefix(s, n, max - 1);
		et_html_escape(out, s, k);
		et_buf_adds(out, "\xE2\x80\xA6");
	} else {
		et_html_escape(out, s, n);
	}
}

/* ---- number and time formatting ---- */

/* A duration for a headline, to 3 significant digits: 56.4 ms, 1.61 s, 2.07 min, 3 h. */
static const char *dur(double v, char *buf, size_t n)
{
	if (v < 1000) {
		snprintf(buf, n, "%.3g ms", v);
	} else if (v < 60000) {
		snprintf(buf, n, "%.3g s", v / 1000);
	} else if (v < 3600000) {
		snprintf(buf, n, "%.3g min", v / 60000);
	} else {
		snprintf(buf, n, "%.3g h", v / 3600000);
	}
	return buf;
}

/* A power of ten of milliseconds for a log axis: 1 ms, 100 ms, 1 s, 1000 s. */
static const char *axis_dur(double v, char *buf, size_t n)
{
	if (v < 1000) {
		snprintf(buf, n, "%g ms", v);
	} else {
		snprintf(buf, n, "%g s", v / 1000);
	}
	return buf;
}

/* ---- the page ---- */

static const char style[] =
	":root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;"
	"--card:#f6f8fa;--ok:#2da44e;--fail:#cf222e;--intr:#bf8700;--l50:#0969da;--l95:#54aeff;"
	"--l99:#b6e3ff;--link:#0969da}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#9198a1;"
	"--line:#3d444d;--card:#151b23;--ok:#3fb950;--fail:#f85149;--intr:#d29922;--l50:#4493f8;"
	"--l95:#1f6feb;--l99:#0d419d;--link:#4493f8}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);"
	"font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
	"main{max-width:1060px;margin:0 auto;padding:12px 20px 40px}\n"
	"h1{font-size:22px;margin:10px 0 2px}\n"
	"h2{font-size:17px;margin:30px 0 6px;padding-bottom:4px;border-bottom:1px solid var(--line)}\n"
	"h3{font-size:14px;margin:14px 0 4px}\n"
	"p{margin:6px 0}\n"
	".mute{color:var(--mute)}\n"
	"a{color:var(--link)}\n"
	"nav{margin:10px 0;font-size:13px}\n"
	"nav a{margin-right:14px;text-decoration:none}\n"
	".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;"
	"margin:12px 0}\n"
	".kpi{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px 10px}\n"
	".kpi b{display:block;font-size:20px;font-variant-numeric:tabular-nums}\n"
	".kpi span{color:var(--mute);font-size:12px}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}\n"
	"th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);"
	"vertical-align:top}\n"
	"th{color:var(--mute);font-weight:600}\n"
	"td{overflow-wrap:anywhere}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;width:1%}\n"
	"code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	"svg.chart{display:block;width:100%;height:auto;margin:4px 0}\n"
	"svg text{fill:var(--mute);font:11px system-ui,sans-serif}\n"
	"svg text.lbl{fill:var(--fg);font-size:12px}\n"
	".grid{stroke:var(--line);stroke-width:1}\n"
	".ok{fill:var(--ok)}.fail{fill:var(--fail)}.intr{fill:var(--intr)}\n"
	".l50{fill:var(--l50)}.l95{fill:var(--l95)}.l99{fill:var(--l99)}\n"
	".lmax{stroke:var(--fg);stroke-width:2}\n"
	"svg.rate{display:inline-block;width:140px;height:10px;vertical-align:middle;"
	"background:var(--line)}\n"
	".legend{font-size:12px;color:var(--mute)}\n"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px;"
	"vertical-align:-1px}\n"
	".sw.ok{background:var(--ok)}.sw.fail{background:var(--fail)}"
	".sw.intr{background:var(--intr)}\n"
	".sw.l50{background:var(--l50)}.sw.l95{background:var(--l95)}.sw.l99{background:var(--l99)}"
	"\n.sw.lmax{background:var(--fg);width:3px}\n"
	"footer{margin-top:32px;font-size:12px;color:var(--mute)}\n"
	"tr.total td{font-weight:600}\n.warn{color:var(--fail)}\n";

struct page {
	struct et_buf *out;
	const struct et_stats_result *s;
	const struct et_patterns_result *p;
	const struct et_html_timeline *t;
	const struct et_report_meta *m;
	const struct et_html_cost *cost;	   /* or NULL */
	const struct et_proposals_result *prop;	   /* or NULL */
	const struct et_sessions_result *sessions; /* or NULL: no session to show */
};

static void filter_item(struct et_buf *out, bool *first, const char *name, const char *v)
{
	if (!v) {
		return;
	}
	et_buf_adds(out, *first ? "" : ", ");
	*first = false;
	et_buf_addf(out, "%s ", name);
	code(out, v);
}

static void header(struct page *pg)
{
	struct et_buf *out = pg->out;
	const struct et_html_timeline *t = pg->t;
	char a[48], b[48];
	bool first = true;

	et_buf_adds(out, "<header>\n<h1>Tool-call telemetry</h1>\n<p class=\"mute\">");
	if (t->has_range) {
		et_buf_addf(out, "Calls from %s to %s UTC",
			    et_render_time(t->min_ts, 19, a, sizeof(a)),
			    et_render_time(t->max_ts, 19, b, sizeof(b)));
	} else {
		et_buf_adds(out, "No calls");
	}
	et_buf_addf(out, " &middot; %zu log file%s read", pg->m->nfiles,
		    pg->m->nfiles == 1 ? "" : "s");
	if (et_render_filtered(pg->m)) {
		et_buf_adds(out, " &middot; filters: ");
		filter_item(out, &first, "since", pg->m->since);
		filter_item(out, &first, "until", pg->m->until);
		filter_item(out, &first, "session", pg->m->session);
		filter_item(out, &first, "project", pg->m->project);
		filter_item(out, &first, "tool", pg->m->tool);
	}
	et_buf_adds(out, "</p>\n</header>\n");
}

static void kpi(struct et_buf *out, const char *value, const char *label)
{
	et_buf_addf(out, "<div class=\"kpi\"><b>%s</b><span>%s</span></div>\n", value, label);
}

static void summary(struct page *pg)
{
	const struct et_stats_result *s = pg->s;
	struct et_buf *out = pg->out;
	char a[64], b[64], c[160];

	et_buf_adds(out, "<section id=\"summary\" class=\"kpis\">\n");
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->calls);
	snprintf(b, sizeof(b), "calls in %llu session%s", (unsigned long long)s->sessions,
		 s->sessions == 1 ? "" : "s");
	kpi(out, a, b);
	kpi(out, et_render_pct((double)s->successes, (double)s->calls, a, sizeof(a)), "succeeded");
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->failures);
	snprintf(b, sizeof(b), "failed, %llu interrupted", (unsigned long long)s->interrupted);
	kpi(out, a, b);
	if (s->lat.count) {
		snprintf(c, sizeof(c), "%s / %s", dur(s->lat.p50, a, sizeof(a)),
			 dur(s->lat.p95, b, sizeof(b)));
		kpi(out, c, "latency p50 / p95");
	}
	kpi(out, dur(pg->p->par_saved_ms, c, sizeof(c)), "batching read-only calls would save");
	et_buf_adds(out, "</section>\n");
}

static void nav(struct page *pg)
{
	static const char *const links[][2] = {
		{"calls-over-time", "Over time"},
		{"latency", "Latency"},
		{"success", "Success rate"},
		{"failures", "Failures"},
		{"chains", "Chains"},
		{"parallelization", "Parallelization"},
		{"slowest", "Slowest calls"},
	};
	size_t i;

	et_buf_adds(pg->out, "<nav>");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		et_buf_addf(pg->out, "<a href=\"#%s\">%s</a>", links[i][0], links[i][1]);
	}
	if (pg->prop) {
		et_buf_adds(pg->out, "<a href=\"#proposals\">Proposals</a>");
	}
	for (i = 0; pg->sessions && et_html_sessions_links[i][0]; i++) {
		et_buf_addf(pg->out, "<a href=\"#%s\">%s</a>", et_html_sessions_links[i][0],
			    et_html_sessions_links[i][1]);
	}
	for (i = 0; pg->cost && et_html_cost_links[i][0]; i++) {
		et_buf_addf(pg->out, "<a href=\"#%s\">%s</a>", et_html_cost_links[i][0],
			    et_html_cost_links[i][1]);
	}
	et_buf_adds(pg->out, "</nav>\n");
}

/* How many of the per-tool rows to show, and a note on the rest. */
static size_t tool_rows(const struct page *pg)
{
	size_t top = pg->m->top ? pg->m->top : 10;

	return pg->s->ntools < top ? pg->s->ntools : top;
}

static void more_tools(struct page *pg, size_t shown)
{
	if (pg->s->ntools > shown) {
		et_buf_addf(pg->out,
			    "<p class=\"mute\">%zu more tool%s with fewer calls not shown "
			    "(<code>--top</code>).</p>\n",
			    pg->s->ntools - shown, pg->s->ntools - shown == 1 ? "" : "s");
	}
}

static double log_x(double v, double lo, double hi, double x0, double w)
{
	if (!(v > lo)) {
		v = lo; /* NaN too */
	}
	if (v > hi) {
		v = hi;
	}
	return x0 + (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) * w;
}

static void latency(struct page *pg)
{
	enum {
		W = 1000,
		X0 = 176,
		X1 = 700,
		ROW = 26,
		TOP = 22
	};
	struct et_buf *out = pg->out;
	size_t n = tool_rows(pg), i, rows = 0;
	double lo = 0, hi = 0, y;
	char a[48], b[48], c[48], d[48];
	bool any = false;
	int elo, ehi, e;

	et_buf_adds(out, "<section id=\"latency\">\n<h2>Latency per tool</h2>\n");
	for (i = 0; i < n; i++) {
		const struct et_lat_summary *l = &pg->s->tools[i].lat;

		if (l->count == 0) {
			continue;
		}
		if (!any || l->p50 < lo) {
			lo = l->p50;
		}
		if (!any || l->max > hi) {
			hi = l->max;
		}
		any = true;
		rows++;
	}
	if (!any) {
		et_buf_adds(out, "<p>No call has a latency.</p>\n</section>\n");
		return;
	}
	/*
	 * Whole powers of ten from 1 ms to 10^15 ms (31,000 years): the axis has at most 16 lines
	 * whatever the numbers are (the reader bounds them, this does not rely on it).
	 */
	elo = !(lo > 1) ? 0 : lo >= 1e15 ? 15 : (int)floor(log10(lo));
	ehi = !(hi > 1) ? 0 : hi >= 1e15 ? 15 : (int)ceil(log10(hi));
	if (ehi <= elo) {
		ehi = elo + 1;
	}
	lo = pow(10, elo);
	hi = pow(10, ehi);
	et_buf_adds(out,
		    "<p class=\"legend\">Milliseconds, log scale; nearest-rank percentiles over "
		    "the calls that have a latency.<span class=\"sw l50\"></span>to p50"
		    "<span class=\"sw l95\"></span>to p95<span class=\"sw l99\"></span>to p99"
		    "<span class=\"sw lmax\"></span>max</p>\n");
	et_buf_addf(out,
		    "<svg class=\"chart\" viewBox=\"0 0 %d %zu\" role=\"img\" "
		    "aria-label=\"Latency percentiles per tool\">\n",
		    W, TOP + rows * ROW + 6);
	for (e = elo; e <= ehi; e++) {
		double v = pow(10, e), x = log_x(v, lo, hi, X0, X1 - X0);

		et_buf_addf(out,
			    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"16\" y2=\"%zu\"/>"
			    "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%s</text>\n",
			    x, x, TOP + rows * ROW, x, axis_dur(v, a, sizeof(a)));
	}
	y = TOP;
	for (i = 0; i < n; i++) {
		const struct et_stats_tool *tl = &pg->s->tools[i];
		const struct et_lat_summary *l = &tl->lat;
		double x50, x95, x99, xmax;

		if (l->count == 0) {
			continue;
		}
		x50 = log_x(l->p50, lo, hi, X0, X1 - X0);
		x95 = log_x(l->p95, lo, hi, X0, X1 - X0);
		x99 = log_x(l->p99, lo, hi, X0, X1 - X0);
		xmax = log_x(l->max, lo, hi, X0, X1 - X0);
		et_buf_adds(out, "<g><title>");
		esc(out, tl->tool);
		et_buf_addf(out,
			    ": %llu call%s with a latency; avg %s ms, p50 %s, p95 %s, p99 %s, max ",
			    (unsigned long long)l->count, l->count == 1 ? "" : "s",
			    et_render_ms(l->avg, a, sizeof(a)), et_render_ms(l->p50, b, sizeof(b)),
			    et_render_ms(l->p95, c, sizeof(c)), et_render_ms(l->p99, d, sizeof(d)));
		et_buf_addf(out, "%s</title>\n", et_render_ms(l->max, a, sizeof(a)));
		et_buf_addf(out, "<text class=\"lbl\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
			    X0 - 8, y + 17);
		esc_short(out, tl->tool, LABEL_CHARS);
		et_buf_adds(out, "</text>");
		et_buf_addf(
			out,
			"<rect class=\"l50\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"16\"/>",
			X0, y + 5, x50 - X0);
		if (x95 > x50) {
			et_buf_addf(out,
				    "<rect class=\"l95\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"16\"/>",
				    x50, y + 5, x95 - x50);
		}
		if (x99 > x95) {
			et_buf_addf(out,
				    "<rect class=\"l99\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"16\"/>",
				    x95, y + 5, x99 - x95);
		}
		et_buf_addf(
			out,
			"<line class=\"lmax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
			xmax, xmax, y + 3, y + 23);
		et_buf_addf(out, "<text x=\"%d\" y=\"%.1f\">p50 %s &middot; p95 %s &middot; p99 %s",
			    X1 + 12, y + 17, et_render_ms(l->p50, a, sizeof(a)),
			    et_render_ms(l->p95, b, sizeof(b)), et_render_ms(l->p99, c, sizeof(c)));
		et_buf_addf(out, " &middot; max %s</text></g>\n",
			    et_render_ms(l->max, a, sizeof(a)));
		y += ROW;
	}
	et_buf_adds(out, "</svg>\n");
	more_tools(pg, n);
	if (pg->p->nbottlenecks) {
		const struct et_bottleneck *bt = &pg->p->bottlenecks[0];

		et_buf_adds(out, "<p><b>");
		esc(out, bt->tool);
		et_buf_addf(out, "</b> takes %s of the time spent in tools. ",
			    et_render_pct(bt->share, 1, a, sizeof(a)));
		esc(out, bt->recommendation);
		et_buf_adds(out, "</p>\n");
	}
	et_buf_adds(out, "</section>\n");
}

/* A stacked 0-100% bar: successes, failures, interrupted. */
static void rate_bar(struct et_buf *out, uint64_t ok, uint64_t fail, uint64_t intr)
{
	double total = (double)(ok + fail + intr), x = 0;
	const uint64_t parts[3] = {ok, fail, intr};
	const char *cls[3] = {"ok", "fail", "intr"};
	int j;

	et_buf_adds(out, "<svg class=\"rate\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" "
			 "aria-hidden=\"true\">");
	for (j = 0; j < 3 && total > 0; j++) {
		double w = 100.0 * (double)parts[j] / total;

		if (parts[j]) {
			et_buf_addf(out,
				    "<rect class=\"%s\" x=\"%.2f\" width=\"%.2f\" height=\"10\"/>",
				    cls[j], x, w);
		}
		x += w;
	}
	et_buf_adds(out, "</svg>");
}

static void success(struct page *pg)
{
	struct et_buf *out = pg->out;
	size_t n = tool_rows(pg), i;
	char a[48];

	et_buf_adds(out, "<section id=\"success\">\n<h2>Success rate per tool</h2>\n"
			 "<p class=\"legend\">By calls.<span class=\"sw ok\"></span>succeeded"
			 "<span class=\"sw fail\"></span>failed<span class=\"sw intr\"></span>"
			 "interrupted</p>\n<table>\n<tr><th>tool</th><th class=\"n\">calls</th>"
			 "<th class=\"n\">failed</th><th class=\"n\">interrupted</th>"
			 "<th class=\"n\">success</th><th></th></tr>\n");
	for (i = 0; i < n; i++) {
		const struct et_stats_tool *tl = &pg->s->tools[i];

		et_buf_adds(out, "<tr><td>");
		code(out, tl->tool);
		et_buf_addf(out,
			    "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			    "<td class=\"n\">%llu</td><td class=\"n\">%s</td><td>",
			    (unsigned long long)tl->calls, (unsigned long long)tl->failures,
			    (unsigned long long)tl->interrupted,
			    et_render_pct((double)tl->successes, (double)tl->calls, a, sizeof(a)));
		rate_bar(out, tl->successes, tl->failures, tl->interrupted);
		et_buf_adds(out, "</td></tr>\n");
	}
	et_buf_adds(out, "</table>\n");
	more_tools(pg, n);
	et_buf_adds(out, "</section>\n");
}

static void failures(struct page *pg)
{
	const struct et_stats_result *s = pg->s;
	struct et_buf *out = pg->out;
	size_t i, j;

	et_buf_adds(out, "<section id=\"failures\">\n<h2>Top failures</h2>\n");
	if (s->failures + s->interrupted == 0) {
		et_buf_adds(out, "<p>No call failed.</p>\n</section>\n");
		return;
	}
	et_buf_adds(out, "<table>\n<tr><th>tool</th><th class=\"n\">count</th><th>class</th>"
			 "<th>error (paths, ids and numbers normalized)</th></tr>\n");
	for (i = 0; i < s->ntools; i++) {
		for (j = 0; j < s->tools[i].nerrors; j++) {
			const struct et_stats_error *e = &s->tools[i].errors[j];

			et_buf_adds(out, "<tr><td>");
			code(out, s->tools[i].tool);
			et_buf_addf(out, "</td><td class=\"n\">%llu</td><td>%s</td><td",
				    (unsigned long long)e->count, et_errclass_name(e->cls));
			if (e->example) {
				et_buf_adds(out, " title=\"");
				esc(out, e->example);
				et_buf_adds(out, "\"");
			}
			et_buf_adds(out, ">");
			code(out, e->error);
			et_buf_adds(out, "</td></tr>\n");
		}
	}
	et_buf_adds(out, "</table>\n<h3>What to do about them</h3>\n<ul>\n");
	for (i = 0; i < s->nclasses; i++) {
		et_buf_addf(out, "<li><b>%s</b> (%llu): ", et_errclass_name(s->classes[i].cls),
			    (unsigned long long)s->classes[i].count);
		esc(out, et_errclass_hint(s->classes[i].cls));
		et_buf_adds(out, "</li>\n");
	}
	et_buf_adds(out, "</ul>\n</section>\n");
}

static void chains(struct page *pg)
{
	const struct et_patterns_result *p = pg->p;
	struct et_buf *out = pg->out;
	char a[48], b[48];
	size_t i, j;

	et_buf_adds(out, "<section id=\"chains\">\n<h2>Top tool chains</h2>\n");
	et_buf_adds(out, "<p class=\"mute\">Contiguous sequences of 2 to 4 calls in a session. "
			 "&ldquo;All ok&rdquo;: the share of occurrences in which every call "
			 "succeeded.</p>\n");
	if (p->nchains == 0) {
		et_buf_addf(out,
			    "<p>No chain seen %zu times or more (<code>--min-count</code>).</p>\n"
			    "</section>\n",
			    p->min_count);
		return;
	}
	et_buf_adds(out, "<table>\n<tr><th class=\"n\">count</th><th>chain</th>"
			 "<th class=\"n\">all ok</th><th class=\"n\">avg ms</th></tr>\n");
	for (i = 0; i < p->nchains; i++) {
		const struct et_chain *c = &p->chains[i];

		et_buf_addf(out, "<tr><td class=\"n\">%llu</td><td>", (unsigned long long)c->count);
		for (j = 0; j < c->ntools; j++) {
			et_buf_adds(out, j ? " &rarr; " : "");
			code(out, c->tools[j]);
		}
		et_buf_addf(out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
			    et_render_pct((double)c->all_success, (double)c->count, a, sizeof(a)),
			    c->lat_n ? et_render_ms(c->lat_sum / (double)c->lat_n, b, sizeof(b))
				     : "-");
	}
	et_buf_adds(out, "</table>\n</section>\n");
}

static void parallelization(struct page *pg)
{
	const struct et_patterns_result *p = pg->p;
	struct et_buf *out = pg->out;
	char a[48];
	size_t i;

	et_buf_adds(out,
		    "<section id=\"parallelization\">\n<h2>Parallelization opportunities</h2>\n");
	et_buf_addf(
		out,
		"<p>%llu run%s of read-only calls (%llu calls) ran one batch at a time with "
		"nothing written between them; batching them would have saved <b>%s ms</b>.</p>\n"
		"<p class=\"mute\">From %s.</p>\n",
		(unsigned long long)p->par_opportunities, p->par_opportunities == 1 ? "" : "s",
		(unsigned long long)p->par_calls, et_render_ms(p->par_saved_ms, a, sizeof(a)),
		p->par_from_batches ? "PostToolBatch records"
				    : "timestamps: this log has no PostToolBatch records, so "
				      "calls less than 1 s apart are taken as one batch");
	if (p->npar_groups) {
		et_buf_adds(out, "<table>\n<tr><th class=\"n\">runs</th><th>read-only tools</th>"
				 "<th class=\"n\">saved ms</th></tr>\n");
		for (i = 0; i < p->npar_groups; i++) {
			const struct et_par_group *g = &p->par_groups[i];
			const char *s = g->tools, *comma;

			et_buf_addf(out, "<tr><td class=\"n\">%llu</td><td>",
				    (unsigned long long)g->count);
			for (;;) {
				comma = strchr(s, ',');
				et_buf_adds(out, s == g->tools ? "" : ", ");
				code_n(out, s, comma ? (size_t)(comma - s) : strlen(s));
				if (!comma) {
					break;
				}
				s = comma + 1;
			}
			et_buf_addf(out, "</td><td class=\"n\">%s</td></tr>\n",
				    et_render_ms(g->saved_ms, a, sizeof(a)));
		}
		et_buf_adds(out, "</table>\n");
	}
	et_buf_adds(out, "</section>\n");
}

static void slowest(struct page *pg)
{
	const struct et_stats_result *s = pg->s;
	struct et_buf *out = pg->out;
	char a[48], b[48];
	size_t i;

	et_buf_adds(out, "<section id=\"slowest\">\n<h2>Slowest calls</h2>\n");
	if (s->nslow == 0) {
		et_buf_adds(out, "<p>No call has a latency.</p>\n</section>\n");
		return;
	}
	et_buf_adds(out, "<table>\n<tr><th class=\"n\">ms</th><th>call</th><th>when (UTC)</th>"
			 "<th>session</th></tr>\n");
	for (i = 0; i < s->nslow; i++) {
		const struct et_stats_slow *w = &s->slow[i];

		et_buf_addf(out, "<tr><td class=\"n\">%s</td><td>",
			    et_render_ms(w->latency_ms, a, sizeof(a)));
		code(out, w->context);
		et_buf_addf(out, "</td><td class=\"n\">%s</td><td>",
			    et_render_time(w->ts_ms, 19, b, sizeof(b)));
		code(out, w->session ? w->session : "-");
		et_buf_adds(out, "</td></tr>\n");
	}
	et_buf_adds(out, "</table>\n</section>\n");
}

static void footer(struct page *pg)
{
	const struct et_logrec_stats *in = pg->m->in;
	struct et_buf *out = pg->out;
	size_t i;

	et_buf_addf(out, "<footer>\n<p>%zu line%s read, %zu record%s passed the filters", in->lines,
		    in->lines == 1 ? "" : "s", in->records, in->records == 1 ? "" : "s");
	if (in->skipped) {
		et_buf_addf(out, "; %zu malformed or torn line%s skipped", in->skipped,
			    in->skipped == 1 ? "" : "s");
	}
	if (in->old_format) {
		et_buf_addf(out,
			    "; %zu record%s without &quot;v&quot;, read in the old plugin&rsquo;s "
			    "format (a latency of 0 is unknown)",
			    in->old_format, in->old_format == 1 ? "" : "s");
	}
	if (in->bad_latency) {
		et_buf_addf(
			out,
			"; %zu record%s with a latency_ms out of range (negative, over 30 days, or "
			"not a number): latency unknown",
			in->bad_latency, in->bad_latency == 1 ? "" : "s");
	}
	et_buf_adds(out, ".</p>\n");
	if (pg->m->nfiles) {
		et_buf_adds(out, "<p>Logs:");
		for (i = 0; i < pg->m->nfiles; i++) {
			et_buf_adds(out, i ? ", " : " ");
			code(out, pg->m->files[i]);
		}
		et_buf_adds(out, "</p>\n");
	}
	et_buf_adds(out, "<p>Made by <code>telemetry-stats report</code>. Every number is defined "
			 "in docs/stats-json.md; times are UTC.</p>\n</footer>\n");
}

int et_html_render(const struct et_stats_result *s, const struct et_patterns_result *p,
		   const struct et_html_timeline *t, const struct et_report_meta *m,
		   struct et_buf *out)
{
	return et_html_render_cost(s, p, t, m, NULL, out);
}

int et_html_render_cost(const struct et_stats_result *s, const struct et_patterns_result *p,
			const struct et_html_timeline *t, const struct et_report_meta *m,
			const struct et_html_cost *cost, struct et_buf *out)
{
	return et_html_render_all(s, p, t, m, cost, NULL, NULL, out);
}

int et_html_render_all(const struct et_stats_result *s, const struct et_patterns_result *p,
		       const struct et_html_timeline *t, const struct et_report_meta *m,
		       const struct et_html_cost *cost, const struct et_proposals_result *prop,
		       const struct et_sessions_result *sessions, struct et_buf *out)
{
	struct page pg = {out, s,    p,	   t,
			  m,   cost, prop, sessions && sessions->nsessions ? sessions : NULL};

	et_buf_adds(out,
		    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"color-scheme\" content=\"light dark\">\n"
		    "<title>Tool-call telemetry report</title>\n<style>\n");
	et_buf_adds(out, style);
	et_buf_adds(out, "</style>\n</head>\n<body>\n<main>\n");
	header(&pg);
	if (s->calls == 0) {
		et_buf_addf(
			out,
			"<section id=\"empty\">\n<p>No tool calls recorded%s.</p>\n</section>\n",
			et_render_filtered(m) ? " for these filters" : " yet");
	} else {
		summary(&pg);
		nav(&pg);
		et_html_timeline_render(t, out);
		latency(&pg);
		success(&pg);
		failures(&pg);
		chains(&pg);
		parallelization(&pg);
		slowest(&pg);
		if (prop) {
			et_html_proposals_render(prop, out);
		}
	}
	if (pg.sessions) {
		et_html_sessions_render(pg.sessions, out);
	}
	if (cost) {
		et_html_cost_render(cost, out);
	}
	footer(&pg);
	et_buf_adds(out, "</main>\n</body>\n</html>\n");
	return out->failed ? -E2BIG : 0;
}
