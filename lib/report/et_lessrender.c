/*
 * et_lessrender: the lessons report. Each lesson is shown as the agent will read it, followed by
 * the evidence it rests on; a review shows the rates it compares, so a verdict can be checked by
 * hand.
 */
#include "et_lessrender.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "et_json.h"
#include "et_table.h"
#include "et_time.h"

#include "banned.h"

static void text(struct et_buf *out, const char *s)
{
	et_table_text(out, s, strlen(s));
}

static double rate(uint64_t f, uint64_t c)
{
	return c ? (double)f / (double)c : 0;
}

static int render_json(const struct et_lessons_result *r, bool review,
		       const struct et_report_meta *m, struct et_buf *out)
{
	char when[40];
	size_t i, k;

	et_render_json_head(out, m, "execution-telemetry/lessons");
	et_buf_addf(out, ",\"min_failures\":%llu,\"below_threshold\":%zu",
		    (unsigned long long)r->min_failures, r->below);
	et_buf_adds(out, ",\"lessons\":[");
	for (i = 0; i < r->n && !review; i++) {
		const struct et_lesson *x = &r->items[i];

		et_buf_addf(out, "%s{\"id\":", i ? "," : "");
		et_json_strz(out, x->id);
		et_buf_adds(out, ",\"tool\":");
		et_json_strz(out, x->tool);
		et_buf_adds(out, ",\"class\":");
		et_json_strz(out, et_errclass_name(x->cls));
		et_buf_adds(out, ",\"rule\":");
		et_json_strz(out, x->rule);
		et_buf_addf(out, ",\"failures\":%llu,\"sessions\":%llu,\"recovered\":%llu",
			    (unsigned long long)x->failures, (unsigned long long)x->sessions,
			    (unsigned long long)x->recovered);
		et_buf_adds(out, ",\"lost_ms\":");
		et_render_json_num(out, x->lost_ms);
		et_buf_adds(out, ",\"recoveries\":[");
		for (k = 0; k < x->nsteps; k++) {
			et_buf_addf(out, "%s{\"after\":", k ? "," : "");
			et_json_strz(out, x->steps[k].what);
			et_buf_addf(out, ",\"count\":%llu}", (unsigned long long)x->steps[k].count);
		}
		et_buf_adds(out, "],\"example\":{\"session\":");
		et_json_strz(out, x->example_session);
		et_buf_adds(out, ",\"tool_use_id\":");
		et_json_strz(out, x->example_id);
		et_buf_adds(out, "}}");
	}
	et_buf_adds(out, "],\"reviews\":[");
	for (i = 0; i < r->nreviews; i++) {
		const struct et_lesson_review *v = &r->reviews[i];

		et_time_format(v->since_ms, when, sizeof(when));
		et_buf_addf(out, "%s{\"id\":", i ? "," : "");
		et_json_strz(out, v->id);
		et_buf_adds(out, ",\"since\":");
		et_json_strz(out, when);
		et_buf_addf(out, ",\"before\":{\"calls\":%llu,\"failures\":%llu,\"rate\":",
			    (unsigned long long)v->calls_before,
			    (unsigned long long)v->fails_before);
		et_render_json_num(out, rate(v->fails_before, v->calls_before));
		et_buf_addf(out, "},\"after\":{\"calls\":%llu,\"failures\":%llu,\"rate\":",
			    (unsigned long long)v->calls_after, (unsigned long long)v->fails_after);
		et_render_json_num(out, rate(v->fails_after, v->calls_after));
		et_buf_adds(out, "},\"verdict\":");
		et_json_strz(out, v->verdict);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "]}\n");
	return out->failed ? -E2BIG : 0;
}

static const char *verdict_text(const char *v)
{
	return !strcmp(v, "worked")	    ? "worked: the failure rate fell by half or more"
	       : !strcmp(v, "retire")	    ? "worked, no failure since: can be retired"
	       : !strcmp(v, "did_not_work") ? "did not work: the failure rate did not fall by half"
	       : !strcmp(v, "too_early")    ? "too early: too few calls since it was written"
					    : "unknown: too few calls before it was written";
}

static int render_review(const struct et_lessons_result *r, const struct et_report_meta *m,
			 struct et_buf *out)
{
	static const char *const headers[] = {"lesson",	     "since",	   "before", "after",
					      "rate before", "rate after", "verdict"};
	struct et_table t;
	char when[40], a[48], b[48], c[32], d[32];
	size_t i;
	int rc = 0;

	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "## Lessons under review\n" : "");
	if (r->nreviews == 0) {
		et_buf_adds(out, "No lessons written yet: nothing to review.\n");
		return out->failed ? -E2BIG : 0;
	}
	et_buf_adds(out, "The failure rate each lesson targets (its tool's calls that failed with "
			 "its error class), before and after it was written.\n\n");
	et_table_init(&t, "llrrrrl", headers);
	for (i = 0; i < r->nreviews && rc == 0; i++) {
		const struct et_lesson_review *v = &r->reviews[i];
		const char *row[7];

		et_time_format(v->since_ms, when, sizeof(when));
		when[10] = '\0';
		snprintf(a, sizeof(a), "%llu/%llu", (unsigned long long)v->fails_before,
			 (unsigned long long)v->calls_before);
		snprintf(b, sizeof(b), "%llu/%llu", (unsigned long long)v->fails_after,
			 (unsigned long long)v->calls_after);
		row[0] = v->id;
		row[1] = when;
		row[2] = a;
		row[3] = b;
		row[4] = et_render_pct((double)v->fails_before, (double)v->calls_before, c,
				       sizeof(c));
		row[5] =
			et_render_pct((double)v->fails_after, (double)v->calls_after, d, sizeof(d));
		row[6] = v->verdict;
		rc = et_table_row(&t, row);
	}
	if (rc == 0) {
		rc = et_table_render(&t, m->fmt, m->color, out);
	}
	et_table_finish(&t);
	et_buf_addch(out, '\n');
	for (i = 0; i < r->nreviews; i++) {
		et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "- " : "");
		text(out, r->reviews[i].id);
		et_buf_addf(out, ": %s\n", verdict_text(r->reviews[i].verdict));
	}
	return rc < 0 ? rc : out->failed ? -E2BIG : 0;
}

int et_render_lessons(const struct et_lessons_result *r, bool review,
		      const struct et_report_meta *m, struct et_buf *out)
{
	size_t i, k;
	bool md = m->fmt == ET_FORMAT_MARKDOWN;

	if (m->fmt == ET_FORMAT_JSON) {
		return render_json(r, review, m, out);
	}
	if (review) {
		return render_review(r, m, out);
	}
	et_buf_adds(out, md ? "## Lessons from tool-call failures\n" : "");
	et_render_filters(out, m);
	if (r->n == 0) {
		et_buf_addf(out,
			    "No lessons: no tool and error class failed %llu times or more%s.\n",
			    (unsigned long long)r->min_failures,
			    m->in->records ? "" : " (no tool calls recorded)");
		et_render_notes(out, m);
		return out->failed ? -E2BIG : 0;
	}
	for (i = 0; i < r->n; i++) {
		const struct et_lesson *x = &r->items[i];
		char t[256];

		snprintf(t, sizeof(t), "%zu. %s", i + 1, x->id);
		et_render_heading(out, m, t);
		et_buf_adds(out, md ? "**Rule:** " : "Rule: ");
		text(out, x->rule);
		et_buf_addf(out,
			    "%s\n%s %llu failures in %llu sessions, %.1f s lost (latencies plus "
			    "an agent turn each); %llu recovered within %d calls",
			    md ? "  " : "",
			    md ? "**Evidence:**" : "Evidence:", (unsigned long long)x->failures,
			    (unsigned long long)x->sessions, x->lost_ms / 1000,
			    (unsigned long long)x->recovered, ET_LESSONS_WINDOW);
		for (k = 0; k < x->nsteps; k++) {
			et_buf_adds(out, k ? ", " : ": after ");
			text(out, x->steps[k].what);
			et_buf_addf(out, " %llu", (unsigned long long)x->steps[k].count);
		}
		et_buf_adds(out, ".");
		if (x->example_session) {
			et_buf_adds(out, " Example: session ");
			text(out, x->example_session);
			if (x->example_id) {
				et_buf_adds(out, " (");
				text(out, x->example_id);
				et_buf_adds(out, ")");
			}
			et_buf_adds(out, ".");
		}
		et_buf_addch(out, '\n');
	}
	if (r->below) {
		et_buf_addf(out, "\n%zu more tool and error pairs failed fewer than %llu times.\n",
			    r->below, (unsigned long long)r->min_failures);
	}
	et_render_notes(out, m);
	return out->failed ? -E2BIG : 0;
}
