/*
 * et_proprender: the proposals report. One idea: every figure a reader is asked to act on comes
 * with where it came from, so each proposal prints its evidence (counts, example sessions and
 * calls, time measured and time assumed, the assumption in words) next to its return.
 */
#include "et_proprender.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "et_json.h"
#include "et_table.h"

#include "banned.h"

static int render_json(const struct et_proposals_result *r, const struct et_report_meta *m,
		       struct et_buf *out)
{
	const struct et_proposals_opts *o = &r->opts;
	size_t i, j;

	et_render_json_head(out, m, "execution-telemetry/proposals");
	et_buf_addf(out, ",\"calls\":%llu,\"sessions\":%llu", (unsigned long long)r->calls,
		    (unsigned long long)r->sessions);
	et_render_json_num_member(out, "days", r->days);
	et_buf_addf(out, ",\"cost\":{\"read\":%s,\"calls_priced\":%llu}",
		    r->has_cost ? "true" : "false", (unsigned long long)r->calls_priced);
	et_buf_addf(out,
		    ",\"feedback\":{\"given\":%llu,\"next_call_changed\":%llu,"
		    "\"next_call_repeated\":%llu}",
		    (unsigned long long)r->feedback_given, (unsigned long long)r->feedback_changed,
		    (unsigned long long)r->feedback_repeated);
	et_buf_adds(out, ",\"settings\":{\"hourly_rate\":");
	if (o->hourly_rate > 0) {
		et_render_json_num(out, o->hourly_rate);
	} else {
		et_buf_adds(out, "null");
	}
	et_render_json_num_member(out, "threshold_monthly_hours", o->min_monthly_h);
	et_render_json_num_member(out, "slow_ms", o->slow_ms);
	et_buf_addf(out,
		    ",\"slow_calls\":%llu,\"error_sessions\":%llu,\"retry_run\":%llu,"
		    "\"manual_calls\":%llu,\"manual_tools\":%llu,\"reread\":%llu,"
		    "\"min_events\":%llu,\"huge_bytes\":%llu",
		    (unsigned long long)o->slow_calls, (unsigned long long)o->error_sessions,
		    (unsigned long long)o->retry_run, (unsigned long long)o->manual_calls,
		    (unsigned long long)o->manual_tools, (unsigned long long)o->reread,
		    (unsigned long long)o->min_events, (unsigned long long)o->huge_bytes);
	et_render_json_num_member(out, "dominant_share", o->dominant_share);
	et_render_json_num_member(out, "first_try_rate", o->first_try_rate);
	et_render_json_num_member(out, "agent_ratio", o->agent_ratio);
	et_render_json_num_member(out, "agent_rate", o->agent_rate);
	et_render_json_num_member(out, "turn_seconds", o->turn_s);
	et_buf_addf(out, "},\"below_threshold\":%zu,\"proposals\":[", r->dropped);
	for (i = 0; i < r->n; i++) {
		const struct et_proposal *x = &r->items[i];

		et_buf_addf(out, "%s{\"rank\":%zu,\"kind\":", i ? "," : "", i + 1);
		et_json_strz(out, et_proposals_kind_name(x->kind));
		et_render_json_str_member(out, "subject", x->subject);
		et_render_json_str_member(out, "title", x->title);
		et_render_json_str_member(out, "priority", x->priority);
		et_render_json_str_member(out, "area", x->area);
		et_render_json_str_member(out, "problem", x->problem);
		et_render_json_str_member(out, "change", x->change);
		et_buf_addf(out, ",\"evidence\":{\"events\":%llu,\"sessions\":%llu",
			    (unsigned long long)x->events, (unsigned long long)x->sessions);
		et_render_json_num_member(out, "measured_ms", x->measured_ms);
		et_buf_addf(out, ",\"unmeasured\":%llu", (unsigned long long)x->unmeasured);
		et_render_json_num_member(out, "assumed_ms", x->assumed_ms);
		et_render_json_opt_member(out, "dollars", x->has_dollars, x->dollars);
		et_render_json_str_member(out, "assumption", x->assumption);
		et_buf_adds(out, ",\"examples\":[");
		for (j = 0; j < x->nexamples; j++) {
			et_buf_addf(out, "%s{\"session\":", j ? "," : "");
			et_json_strz(out, x->examples[j].session);
			et_render_json_str_member(out, "tool_use_id", x->examples[j].tool_use_id);
			et_buf_addch(out, '}');
		}
		et_buf_adds(out, "]},\"return\":{");
		et_buf_adds(out, "\"saved_share\":");
		et_render_json_num(out, x->saved_share);
		et_render_json_num_member(out, "weekly_hours", x->weekly_h);
		et_render_json_num_member(out, "monthly_hours", x->monthly_h);
		et_render_json_num_member(out, "weekly_dollars", x->weekly_usd);
		et_render_json_num_member(out, "monthly_dollars", x->monthly_usd);
		et_render_json_opt_member(out, "monthly_money", o->hourly_rate > 0,
					  x->monthly_h * o->hourly_rate + x->monthly_usd);
		et_render_json_num_member(out, "implementation_hours", x->impl_h);
		et_render_json_num_member(out, "breakeven_weeks", x->breakeven_weeks);
		et_buf_adds(out, "}}");
	}
	et_buf_adds(out, "]}\n");
	return out->failed ? -E2BIG : 0;
}

/* "12.3 s" or "4.5 min" or "1.2 h": a duration for a reader. */
static const char *dur(double ms, char *buf, size_t n)
{
	if (ms < 120000) {
		snprintf(buf, n, "%.1f s", ms / 1000);
	} else if (ms < 7200000) {
		snprintf(buf, n, "%.1f min", ms / 60000);
	} else {
		snprintf(buf, n, "%.1f h", ms / 3600000);
	}
	return buf;
}

static void one(const struct et_proposals_result *r, const struct et_report_meta *m, size_t i,
		struct et_buf *out)
{
	const struct et_proposal *x = &r->items[i];
	bool md = m->fmt == ET_FORMAT_MARKDOWN;
	const char *b = md ? "**" : "";
	double rate = r->opts.hourly_rate;
	char t[512], a[32], c[32], w[32];
	size_t j;

	snprintf(t, sizeof(t), "%zu. %s (%s)", i + 1, x->title, x->priority);
	et_render_heading(out, m, t);
	et_buf_addf(out, "%sProblem:%s ", b, b);
	et_render_text(out, x->problem);
	et_buf_addf(out, "%s\n%sChange:%s ", md ? "  " : "", b, b);
	et_render_text(out, x->change);
	et_buf_addf(out, "%s\n%sEvidence:%s %llu event%s in %llu session%s; time lost %s measured",
		    md ? "  " : "", b, b, (unsigned long long)x->events, x->events == 1 ? "" : "s",
		    (unsigned long long)x->sessions, x->sessions == 1 ? "" : "s",
		    dur(x->measured_ms, a, sizeof(a)));
	if (x->unmeasured) {
		et_buf_addf(out, " (%llu without a latency)", (unsigned long long)x->unmeasured);
	}
	et_buf_addf(out, " + %s assumed", dur(x->assumed_ms, c, sizeof(c)));
	if (x->has_dollars) {
		et_buf_addf(out, "; token dollars $%.4f", x->dollars);
	}
	et_buf_addf(out, ".%s\n%sAssumption:%s ", md ? "  " : "", b, b);
	et_render_text(out, x->assumption);
	et_buf_addf(out, ".%s\n%sExamples:%s ", md ? "  " : "", b, b);
	for (j = 0; j < x->nexamples; j++) {
		et_buf_adds(out, j ? ", session " : "session ");
		et_render_text(out, x->examples[j].session);
		if (x->examples[j].tool_use_id) {
			et_buf_adds(out, " (");
			et_render_text(out, x->examples[j].tool_use_id);
			et_buf_adds(out, ")");
		}
	}
	et_buf_addf(out, "%s\n%sReturn:%s %.2f h a week, %.2f h a month saved", md ? "  " : "", b,
		    b, x->weekly_h, x->monthly_h);
	if (x->monthly_usd > 0) {
		et_buf_addf(out, ", and $%.2f a month of tokens", x->monthly_usd);
	}
	if (rate > 0) {
		et_buf_addf(out, " (worth %.2f a month at %.2f an hour)",
			    x->monthly_h * rate + x->monthly_usd, rate);
	}
	if (isinf(x->breakeven_weeks)) {
		et_buf_addf(out, "; %.1f h to make; never breaks even%s. Area: %s.\n", x->impl_h,
			    x->monthly_usd > 0 && rate == 0 ? " in hours (give --hourly-rate)" : "",
			    x->area);
	} else {
		et_buf_addf(out, "; %.1f h to make; breaks even in %s weeks. Area: %s.\n",
			    x->impl_h, et_render_weeks(x->breakeven_weeks, w, sizeof(w)), x->area);
	}
}

int et_render_proposals(const struct et_proposals_result *r, const struct et_report_meta *m,
			struct et_buf *out)
{
	static const char *const headers[] = {"#",	"priority",   "proposal", "h/month",
					      "impl h", "break-even", "area"};
	struct et_table t;
	char a[32], b[32], c[32], d[32];
	size_t i;
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return render_json(r, m, out);
	}
	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "## Improvement proposals\n" : "");
	et_render_filters(out, m);
	if (m->in->records == 0) {
		et_buf_adds(out, "No tool calls recorded yet.\n");
		et_render_notes(out, m);
		return out->failed ? -E2BIG : 0;
	}
	et_buf_addf(out, "%llu calls in %llu sessions over %.1f days; ",
		    (unsigned long long)r->calls, (unsigned long long)r->sessions, r->days);
	if (r->has_cost) {
		et_buf_addf(out, "token dollars from the transcripts for %llu calls.\n",
			    (unsigned long long)r->calls_priced);
	} else {
		et_buf_adds(out, "no token dollars (transcripts not read).\n");
	}
	if (r->feedback_given) {
		et_buf_addf(
			out,
			"The hook's feedback warned of a repeated failure %llu time%s; the next "
			"call changed course %llu time%s and repeated the call %llu time%s.\n",
			(unsigned long long)r->feedback_given, r->feedback_given == 1 ? "" : "s",
			(unsigned long long)r->feedback_changed,
			r->feedback_changed == 1 ? "" : "s",
			(unsigned long long)r->feedback_repeated,
			r->feedback_repeated == 1 ? "" : "s");
	}
	if (r->n == 0) {
		et_buf_adds(out, "\nNo proposals: nothing in this log passes the thresholds");
		if (r->dropped) {
			et_buf_addf(out, " (%zu below --threshold)", r->dropped);
		}
		et_buf_adds(out, ".\n");
		et_render_notes(out, m);
		return out->failed ? -E2BIG : 0;
	}
	et_buf_addch(out, '\n');
	et_table_init(&t, "rllrrrl", headers);
	for (i = 0; i < r->n && rc == 0; i++) {
		const struct et_proposal *x = &r->items[i];
		const char *row[7];

		snprintf(a, sizeof(a), "%zu", i + 1);
		snprintf(b, sizeof(b), "%.2f", x->monthly_h);
		snprintf(c, sizeof(c), "%.1f", x->impl_h);
		row[0] = a;
		row[1] = x->priority;
		row[2] = x->title;
		row[3] = b;
		row[4] = c;
		row[5] = et_render_weeks(x->breakeven_weeks, d, sizeof(d));
		row[6] = x->area;
		rc = et_table_row(&t, row);
	}
	rc = et_render_table_done(&t, rc, m, out);
	if (rc < 0) {
		return rc;
	}
	if (r->dropped) {
		et_buf_addf(out, "\n%zu more below --threshold.\n", r->dropped);
	}
	for (i = 0; i < r->n; i++) {
		one(r, m, i, out);
	}
	et_buf_adds(out, "\nHours and weeks are estimates: each proposal states what it measured "
			 "and what it assumed.\n");
	et_render_notes(out, m);
	return out->failed ? -E2BIG : 0;
}
