/*
 * et_html_sessions: the runs, tasks and agents sections of the HTML page. The idea is to show
 * the three answers the sessions report is for at a glance, each as a table with a bar: how the
 * sessions went day by day, how often test and build commands pass on the first try, and which
 * agent fails and reruns most. The numbers are those of `telemetry-stats sessions`.
 */
#include "et_html_sessions.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "et_html.h"
#include "et_render.h"
#include "et_time.h"

#include "banned.h"

const char *const et_html_sessions_links[][2] = {
	{"sessions", "Sessions"},
	{"first-try", "First-try passes"},
	{"agents", "Agents"},
	{NULL, NULL},
};

/* A 0-100% bar: @ok of @all in the success colour, the rest in the failure colour. */
static void pass_bar(struct et_buf *out, uint64_t ok, uint64_t all)
{
	double w = all ? 100.0 * (double)ok / (double)all : 0;

	et_buf_adds(out, "<svg class=\"rate\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" "
			 "aria-hidden=\"true\">");
	if (all) {
		if (ok) {
			et_buf_addf(out,
				    "<rect class=\"ok\" x=\"0\" width=\"%.2f\" height=\"10\"/>", w);
		}
		if (ok < all) {
			et_buf_addf(
				out,
				"<rect class=\"fail\" x=\"%.2f\" width=\"%.2f\" height=\"10\"/>", w,
				100.0 - w);
		}
	}
	et_buf_adds(out, "</svg>");
}

static void esc(struct et_buf *out, const char *s)
{
	et_html_escape(out, s, strlen(s));
}

/* One day's sessions, summed. */
struct day {
	char key[16];
	size_t sessions, requests;
	struct et_sess_counts c;
};

static void over_time(const struct et_sessions_result *r, struct et_buf *out)
{
	struct day d;
	char ts[48], a[32], b[32];
	size_t i;
	bool open = false;

	et_buf_adds(out, "<section id=\"sessions\">\n<h2>Sessions over time</h2>\n"
			 "<p class=\"mute\">Per day (UTC) of the sessions' start: requests, calls, "
			 "debugging cycles, and the first-try pass rate of test and build runs "
			 "(<code>telemetry-stats sessions</code>).</p>\n"
			 "<table>\n<tr><th>day</th><th class=\"n\">sessions</th>"
			 "<th class=\"n\">requests</th><th class=\"n\">calls</th>"
			 "<th class=\"n\">success</th><th class=\"n\">retries</th>"
			 "<th class=\"n\">cycles</th><th class=\"n\">unresolved</th>"
			 "<th class=\"n\">first try</th><th></th></tr>\n");
	memset(&d, 0, sizeof(d));
	for (i = 0; i <= r->nsessions; i++) {
		const struct et_session_row *s = i < r->nsessions ? &r->sessions[i] : NULL;
		const char *key = s && s->has_time ? et_render_time(s->start_ms, 10, ts, sizeof(ts))
				  : s		   ? "unknown"
						   : NULL;

		if (open && (!key || strcmp(key, d.key))) {
			et_buf_adds(out, "<tr><td>");
			esc(out, d.key);
			et_buf_addf(
				out,
				"</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">%s</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">%s</td><td>",
				d.sessions, d.requests, (unsigned long long)d.c.calls,
				et_render_pct((double)(d.c.calls - d.c.failures - d.c.interrupted),
					      (double)d.c.calls, a, sizeof(a)),
				(unsigned long long)d.c.retries, (unsigned long long)d.c.cycles,
				(unsigned long long)(d.c.cycles - d.c.resolved),
				et_render_pct((double)d.c.first_try, (double)d.c.series, b,
					      sizeof(b)));
			pass_bar(out, d.c.first_try, d.c.series);
			et_buf_adds(out, "</td></tr>\n");
			memset(&d, 0, sizeof(d));
			open = false;
		}
		if (!s) {
			break;
		}
		if (!open) {
			snprintf(d.key, sizeof(d.key), "%s", key);
			open = true;
		}
		d.sessions++;
		d.requests += s->requests;
		d.c.calls += s->c.calls;
		d.c.failures += s->c.failures;
		d.c.interrupted += s->c.interrupted;
		d.c.retries += s->c.retries;
		d.c.cycles += s->c.cycles;
		d.c.resolved += s->c.resolved;
		d.c.series += s->c.series;
		d.c.first_try += s->c.first_try;
	}
	et_buf_adds(out, "</table>\n</section>\n");
}

static void first_try(const struct et_sessions_result *r, struct et_buf *out)
{
	char a[32], codes[256];
	size_t i, j, n;

	et_buf_addf(
		out,
		"<section id=\"first-try\">\n<h2>Test and build runs: first-try passes</h2>\n"
		"<p>%llu run%s, %llu passed; first-try pass rate <b id=\"first-try-rate\">%s</b> "
		"(%llu of %llu series: a command's runs in one request).</p>\n",
		(unsigned long long)r->total.runs, r->total.runs == 1 ? "" : "s",
		(unsigned long long)r->total.passes,
		et_render_pct((double)r->total.first_try, (double)r->total.series, a, sizeof(a)),
		(unsigned long long)r->total.first_try, (unsigned long long)r->total.series);
	if (!r->npipelines) {
		et_buf_adds(out, "</section>\n");
		return;
	}
	et_buf_adds(out, "<table>\n<tr><th>command</th><th class=\"n\">runs</th>"
			 "<th class=\"n\">passed</th><th class=\"n\">series</th>"
			 "<th class=\"n\">first try</th><th></th><th>exit codes</th></tr>\n");
	for (i = 0; i < r->npipelines; i++) {
		const struct et_pipeline_row *p = &r->pipelines[i];

		et_buf_adds(out, "<tr><td><code>");
		esc(out, p->name);
		et_buf_addf(out,
			    "</code></td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			    "<td class=\"n\">%llu</td><td class=\"n\">%s</td><td>",
			    (unsigned long long)p->runs, (unsigned long long)p->passes,
			    (unsigned long long)p->series,
			    et_render_pct((double)p->first_try, (double)p->series, a, sizeof(a)));
		pass_bar(out, p->first_try, p->series);
		n = 0;
		codes[0] = '\0';
		for (j = 0; j < p->ncodes && n < sizeof(codes); j++) {
			int k = p->codes[j] < 0 ? snprintf(codes + n, sizeof(codes) - n, "%s?×%llu",
							   j ? " " : "",
							   (unsigned long long)p->code_counts[j])
						: snprintf(codes + n, sizeof(codes) - n,
							   "%s%lld×%llu", j ? " " : "", p->codes[j],
							   (unsigned long long)p->code_counts[j]);

			n += k > 0 ? (size_t)k : 0;
		}
		et_buf_adds(out, "</td><td>");
		esc(out, codes);
		et_buf_adds(out, "</td></tr>\n");
	}
	et_buf_adds(out, "</table>\n</section>\n");
}

static void agents(const struct et_sessions_result *r, struct et_buf *out)
{
	char a[32];
	size_t i;

	et_buf_adds(out, "<section id=\"agents\">\n<h2>Agents</h2>\n"
			 "<p class=\"mute\">The main agent runs once per request; a subagent once "
			 "per start. A rerun is the same subagent type started again in the same "
			 "request.</p>\n<table>\n<tr><th>agent</th><th class=\"n\">runs</th>"
			 "<th class=\"n\">succeeded</th><th class=\"n\">failed</th><th></th>"
			 "<th class=\"n\">reruns</th><th class=\"n\">calls</th>"
			 "<th class=\"n\">failed calls</th><th class=\"n\">retries</th>"
			 "<th class=\"n\">cycles</th><th class=\"n\">time</th></tr>\n");
	for (i = 0; i < r->nagents; i++) {
		const struct et_agent_row *ag = &r->agents[i];

		if (!ag->invocations && !ag->c.calls) {
			continue;
		}
		et_buf_adds(out, "<tr><td>");
		esc(out, ag->type);
		et_buf_addf(out,
			    "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			    "<td class=\"n\">%llu</td><td>",
			    (unsigned long long)ag->invocations, (unsigned long long)ag->successes,
			    (unsigned long long)ag->failures);
		pass_bar(out, ag->successes, ag->invocations);
		et_buf_addf(out,
			    "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			    "<td class=\"n\">%llu</td><td class=\"n\">%s</td></tr>\n",
			    (unsigned long long)ag->retries, (unsigned long long)ag->c.calls,
			    (unsigned long long)ag->c.failures, (unsigned long long)ag->c.retries,
			    (unsigned long long)ag->c.cycles,
			    et_render_duration(ag->time_ms, a, sizeof(a)));
	}
	et_buf_adds(out, "</table>\n</section>\n");
}

int et_html_sessions_render(const struct et_sessions_result *r, struct et_buf *out)
{
	over_time(r, out);
	first_try(r, out);
	agents(r, out);
	return out->failed ? -E2BIG : 0;
}
