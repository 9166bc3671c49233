/*
 * et_render: the reports. The idea is that text and Markdown share one layout (a headline, then
 * tables), differing only in how a table and a heading are drawn, while JSON is written field by
 * field in the documented order so that the same input gives the same bytes.
 */
#include "et_render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_errclass.h"
#include "et_json.h"
#include "et_time.h"

#include "banned.h"

/* ---- number formatting ---- */

const char *et_render_ms(double v, char *buf, size_t n)
{
	if (v >= 100 || v == floor(v)) {
		snprintf(buf, n, "%.0f", v);
	} else {
		snprintf(buf, n, "%.1f", v);
	}
	return buf;
}

const char *et_render_pct(double num, double den, char *buf, size_t n)
{
	if (den <= 0) {
		snprintf(buf, n, "-");
	} else {
		snprintf(buf, n, "%.1f%%", 100.0 * num / den);
	}
	return buf;
}

const char *et_render_duration(double ms, char *buf, size_t n)
{
	double s = ms / 1000.0;

	if (ms < 1000) {
		snprintf(buf, n, "%.0f ms", ms);
	} else if (s < 60) {
		snprintf(buf, n, "%.1f s", s);
	} else if (s < 3600) {
		snprintf(buf, n, "%dm %02ds", (int)(s / 60), (int)fmod(s, 60));
	} else {
		snprintf(buf, n, "%dh %02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	}
	return buf;
}

const char *et_render_weeks(double w, char *buf, size_t n)
{
	if (isinf(w) || isnan(w)) {
		snprintf(buf, n, "never");
	} else {
		snprintf(buf, n, "%.1f", w);
	}
	return buf;
}

const char *et_render_outcome(enum et_outcome o, const char *none)
{
	switch (o) {
	case ET_OUT_SUCCESS:
		return "success";
	case ET_OUT_FAILURE:
		return "failure";
	case ET_OUT_INTERRUPTED:
		return "interrupted";
	default:
		return none;
	}
}

const char *et_render_time(int64_t ts, size_t len, char *buf, size_t n)
{
	char iso[48];

	et_time_format(ts, iso, sizeof(iso));
	iso[10] = ' ';
	if (len < sizeof(iso)) {
		iso[len] = '\0';
	}
	snprintf(buf, n, "%s", iso);
	return buf;
}

bool et_render_filtered(const struct et_report_meta *m)
{
	return m->since || m->until || m->session || m->project || m->tool;
}

static const char *u64(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%llu", (unsigned long long)v);
	return buf;
}

/*
 * Rounds to 6 decimals for JSON (so output does not depend on summation order) and prints the
 * shortest form: 0.6, not 0.59999999999999998.
 */
static void json_round(struct et_buf *out, double v)
{
	v = round(v * 1e6) / 1e6;
	if (isnan(v) || isinf(v)) {
		et_buf_adds(out, "null");
	} else {
		et_buf_addf(out, "%.15g", v == 0 ? 0 : v);
	}
}

/* A section's title, after a blank line. */
static void heading(struct et_buf *out, const struct et_report_meta *m, const char *title)
{
	et_buf_adds(out, "\n");
	et_table_heading(out, m->fmt, m->color, title);
}

int et_render_table_done(struct et_table *t, int rc, const struct et_report_meta *m,
			 struct et_buf *out)
{
	return et_table_done(t, rc, m->fmt, m->color, out);
}

void et_render_text(struct et_buf *out, const char *s)
{
	et_table_text(out, s, strlen(s));
}

static void filters_line(struct et_buf *out, const struct et_report_meta *m)
{
	et_table_filters(out, m->fmt, m->since, m->until, m->session, m->project, m->tool);
}

static void input_notes(struct et_buf *out, const struct et_report_meta *m)
{
	if (m->in->skipped) {
		et_buf_addf(out, "\nnote: %zu malformed or torn line%s skipped\n", m->in->skipped,
			    m->in->skipped == 1 ? "" : "s");
	}
	if (m->in->old_format) {
		et_buf_addf(out,
			    "note: %zu record%s without \"v\", read in the old plugin's format (a "
			    "latency of 0 is unknown)\n",
			    m->in->old_format, m->in->old_format == 1 ? "" : "s");
	}
	if (m->in->bad_latency) {
		et_buf_addf(
			out,
			"note: %zu record%s with a latency_ms out of range (negative, over 30 days, "
			"or not a number): latency unknown\n",
			m->in->bad_latency, m->in->bad_latency == 1 ? "" : "s");
	}
}

/* ---- JSON pieces ---- */

void et_render_json_num_member(struct et_buf *out, const char *key, double v)
{
	et_buf_addf(out, ",\"%s\":", key);
	json_round(out, v);
}

void et_render_json_opt_member(struct et_buf *out, const char *key, bool has, double v)
{
	et_buf_addf(out, ",\"%s\":", key);
	if (has) {
		json_round(out, v);
	} else {
		et_buf_adds(out, "null");
	}
}

void et_render_json_ratio_member(struct et_buf *out, const char *key, double num, double den)
{
	et_render_json_opt_member(out, key, den != 0, den != 0 ? num / den : 0);
}

void et_render_json_str_member(struct et_buf *out, const char *key, const char *v)
{
	et_buf_addf(out, ",\"%s\":", key);
	et_json_strz(out, v);
}

void et_render_json_filters(struct et_buf *out, const struct et_report_meta *m, const char *schema)
{
	et_buf_adds(out, "{\"schema\":");
	et_json_strz(out, schema);
	et_buf_adds(out, ",\"version\":1,\"filters\":{\"since\":");
	et_json_strz(out, m->since);
	et_render_json_str_member(out, "until", m->until);
	et_render_json_str_member(out, "session", m->session);
	et_render_json_str_member(out, "project", m->project);
}

static void json_common(struct et_buf *out, const struct et_report_meta *m, const char *schema)
{
	et_render_json_filters(out, m, schema);
	et_render_json_str_member(out, "tool", m->tool);
	et_buf_adds(out, "},\"input\":{\"files\":");
	et_json_strv(out, m->files, m->nfiles);
	et_buf_addf(
		out,
		",\"lines\":%zu,\"records\":%zu,\"skipped_lines\":%zu,\"old_format_records\":%zu,"
		"\"bad_latency_records\":%zu}",
		m->in->lines, m->in->records, m->in->skipped, m->in->old_format,
		m->in->bad_latency);
}

/* Opens object @i of a JSON array up to its first value: {"@key": (after a ',' but for i == 0). */
static void json_item(struct et_buf *out, size_t i, const char *key)
{
	et_buf_addf(out, "%s{\"%s\":", i ? "," : "", key);
}

static void json_rate(struct et_buf *out, uint64_t num, uint64_t den)
{
	if (den == 0) {
		et_buf_adds(out, "null");
	} else {
		json_round(out, (double)num / (double)den);
	}
}

static void json_lat(struct et_buf *out, const struct et_lat_summary *l)
{
	et_buf_addf(out, "{\"count\":%llu", (unsigned long long)l->count);
	if (l->count == 0) {
		et_buf_adds(out,
			    ",\"avg\":null,\"p50\":null,\"p95\":null,\"p99\":null,\"max\":null}");
		return;
	}
	et_render_json_num_member(out, "avg", l->avg);
	et_render_json_num_member(out, "p50", l->p50);
	et_render_json_num_member(out, "p95", l->p95);
	et_render_json_num_member(out, "p99", l->p99);
	et_render_json_num_member(out, "max", l->max);
	et_buf_addch(out, '}');
}

/* ---- for the other renderers (et_render.h) ---- */

void et_render_heading(struct et_buf *out, const struct et_report_meta *m, const char *title)
{
	heading(out, m, title);
}

void et_render_filters(struct et_buf *out, const struct et_report_meta *m)
{
	filters_line(out, m);
}

void et_render_notes(struct et_buf *out, const struct et_report_meta *m)
{
	input_notes(out, m);
}

void et_render_json_head(struct et_buf *out, const struct et_report_meta *m, const char *schema)
{
	json_common(out, m, schema);
}

void et_render_json_num(struct et_buf *out, double v)
{
	json_round(out, v);
}

/* ---- stats ---- */

static int stats_json(const struct et_stats_result *r, const struct et_report_meta *m,
		      struct et_buf *out)
{
	char ts[40];
	size_t i, j;

	json_common(out, m, "execution-telemetry/stats");
	et_buf_addf(out,
		    ",\"total_calls\":%llu,\"successes\":%llu,\"failures\":%llu,"
		    "\"interrupted\":%llu,\"success_rate\":",
		    (unsigned long long)r->calls, (unsigned long long)r->successes,
		    (unsigned long long)r->failures, (unsigned long long)r->interrupted);
	json_rate(out, r->successes, r->calls);
	et_buf_addf(out, ",\"sessions\":%llu,\"latency_ms\":", (unsigned long long)r->sessions);
	json_lat(out, &r->lat);
	/* Only a log of more than one agent has the agents list (older outputs stay the same). */
	for (i = 0; r->nagents > 1 && i < r->nagents; i++) {
		const struct et_stats_agent *g = &r->agents[i];

		et_buf_adds(out, i ? "," : ",\"agents\":[");
		json_item(out, 0, "agent");
		et_json_strz(out, g->agent);
		et_buf_addf(out,
			    ",\"calls\":%llu,\"successes\":%llu,\"failures\":%llu,"
			    "\"interrupted\":%llu,\"success_rate\":",
			    (unsigned long long)g->calls, (unsigned long long)g->successes,
			    (unsigned long long)g->failures, (unsigned long long)g->interrupted);
		json_rate(out, g->successes, g->calls);
		et_buf_adds(out, i + 1 == r->nagents ? "}]" : "}");
	}
	et_buf_adds(out, ",\"tools\":[");
	for (i = 0; i < r->ntools; i++) {
		const struct et_stats_tool *t = &r->tools[i];

		json_item(out, i, "tool");
		et_json_strz(out, t->tool);
		et_buf_addf(out,
			    ",\"calls\":%llu,\"successes\":%llu,\"failures\":%llu,"
			    "\"interrupted\":%llu,\"success_rate\":",
			    (unsigned long long)t->calls, (unsigned long long)t->successes,
			    (unsigned long long)t->failures, (unsigned long long)t->interrupted);
		json_rate(out, t->successes, t->calls);
		et_buf_adds(out, ",\"latency_ms\":");
		json_lat(out, &t->lat);
		et_buf_adds(out, ",\"top_errors\":[");
		for (j = 0; j < t->nerrors; j++) {
			const struct et_stats_error *e = &t->errors[j];

			json_item(out, j, "error");
			et_json_strz(out, e->error);
			et_render_json_str_member(out, "class", et_errclass_name(e->cls));
			et_buf_addf(out,
				    ",\"count\":%llu,\"example\":", (unsigned long long)e->count);
			et_json_strz(out, e->example);
			et_buf_addch(out, '}');
		}
		et_buf_adds(out, "]}");
	}
	et_buf_adds(out, "],\"failure_classes\":[");
	for (i = 0; i < r->nclasses; i++) {
		json_item(out, i, "class");
		et_json_strz(out, et_errclass_name(r->classes[i].cls));
		et_buf_addf(out,
			    ",\"count\":%llu,\"hint\":", (unsigned long long)r->classes[i].count);
		et_json_strz(out, et_errclass_hint(r->classes[i].cls));
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "],\"slow_calls\":[");
	for (i = 0; i < r->nslow; i++) {
		const struct et_stats_slow *w = &r->slow[i];

		json_item(out, i, "tool");
		et_json_strz(out, w->tool);
		et_render_json_str_member(out, "context", w->context);
		et_render_json_num_member(out, "latency_ms", w->latency_ms);
		et_time_format(w->ts_ms, ts, sizeof(ts));
		et_buf_addf(out, ",\"timestamp\":\"%s\",\"session_id\":", ts);
		et_json_strz(out, w->session);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "]}\n");
	return out->failed ? -E2BIG : 0;
}

static void lat_cells(const struct et_lat_summary *l, char b[5][32])
{
	if (l->count == 0) {
		for (int i = 0; i < 5; i++) {
			snprintf(b[i], 32, "-");
		}
		return;
	}
	et_render_ms(l->avg, b[0], 32);
	et_render_ms(l->p50, b[1], 32);
	et_render_ms(l->p95, b[2], 32);
	et_render_ms(l->p99, b[3], 32);
	et_render_ms(l->max, b[4], 32);
}

int et_render_stats(const struct et_stats_result *r, const struct et_report_meta *m,
		    struct et_buf *out)
{
	static const char *const tool_headers[] = {"tool",   "calls", "fail", "intr", "success",
						   "avg ms", "p50",   "p95",  "p99",  "max"};
	static const char *const err_headers[] = {"tool", "count", "class", "error"};
	static const char *const slow_headers[] = {"ms", "call", "when (UTC)"};
	static const char *const agent_headers[] = {"agent", "calls", "fail", "intr", "success"};
	struct et_table t;
	char a[32], b[32], c[32], d[32], lat[5][32], ts[40];
	size_t i, j;
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return stats_json(r, m, out);
	}
	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "## Tool telemetry\n" : "");
	filters_line(out, m);
	if (r->calls == 0) {
		et_buf_adds(out, "No tool calls recorded");
		et_buf_adds(out, et_render_filtered(m) ? " for these filters.\n" : " yet.\n");
		input_notes(out, m);
		return out->failed ? -E2BIG : 0;
	}
	lat_cells(&r->lat, lat);
	et_buf_addf(out, "%s calls in %llu session%s: %s succeeded, %s failed, %s interrupted",
		    u64(r->calls, a, sizeof(a)), (unsigned long long)r->sessions,
		    r->sessions == 1 ? "" : "s",
		    et_render_pct((double)r->successes, (double)r->calls, b, sizeof(b)),
		    u64(r->failures, c, sizeof(c)), u64(r->interrupted, d, sizeof(d)));
	if (r->lat.count) {
		et_buf_addf(out, "; latency avg %s ms, p50 %s, p95 %s, p99 %s, max %s", lat[0],
			    lat[1], lat[2], lat[3], lat[4]);
	}
	et_buf_adds(out, ".\n");

	if (!m->only_failures && !m->only_slow && r->nagents > 1) {
		heading(out, m, "Per agent");
		et_table_init(&t, "lrrrr", agent_headers);
		for (i = 0; i < r->nagents && rc == 0; i++) {
			const struct et_stats_agent *x = &r->agents[i];
			char n1[32], n2[32], n3[32], n4[32];
			const char *row[5] = {x->agent, u64(x->calls, n1, sizeof(n1)),
					      u64(x->failures, n2, sizeof(n2)),
					      u64(x->interrupted, n3, sizeof(n3)),
					      et_render_pct((double)x->successes, (double)x->calls,
							    n4, sizeof(n4))};

			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	if (!m->only_failures && !m->only_slow) {
		heading(out, m, "Per tool");
		et_table_init(&t, "lrrrrrrrrr", tool_headers);
		for (i = 0; i < r->ntools && rc == 0; i++) {
			const struct et_stats_tool *x = &r->tools[i];
			char n1[32], n2[32], n3[32], n4[32];
			const char *row[10];

			lat_cells(&x->lat, lat);
			row[0] = x->tool;
			row[1] = u64(x->calls, n1, sizeof(n1));
			row[2] = u64(x->failures, n2, sizeof(n2));
			row[3] = u64(x->interrupted, n3, sizeof(n3));
			row[4] = et_render_pct((double)x->successes, (double)x->calls, n4,
					       sizeof(n4));
			for (j = 0; j < 5; j++) {
				row[5 + j] = lat[j];
			}
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	if (!m->only_slow && r->failures + r->interrupted > 0) {
		heading(out, m, "Top failures");
		et_table_init(&t, "lrll", err_headers);
		for (i = 0; i < r->ntools && rc == 0; i++) {
			for (j = 0; j < r->tools[i].nerrors && rc == 0; j++) {
				const struct et_stats_error *e = &r->tools[i].errors[j];
				const char *row[4];

				row[0] = r->tools[i].tool;
				row[1] = u64(e->count, a, sizeof(a));
				row[2] = et_errclass_name(e->cls);
				row[3] = e->error;
				rc = et_table_row(&t, row);
			}
		}
		rc = et_render_table_done(&t, rc, m, out);
		heading(out, m, "What to do about them");
		for (i = 0; i < r->nclasses; i++) {
			et_buf_addf(out, "- %s (%llu): %s\n", et_errclass_name(r->classes[i].cls),
				    (unsigned long long)r->classes[i].count,
				    et_errclass_hint(r->classes[i].cls));
		}
	}

	if (!m->only_failures && r->nslow) {
		heading(out, m, "Slowest calls");
		et_table_init(&t, "rll", slow_headers);
		for (i = 0; i < r->nslow && rc == 0; i++) {
			const char *row[3];

			row[0] = et_render_ms(r->slow[i].latency_ms, a, sizeof(a));
			row[1] = r->slow[i].context;
			row[2] = et_render_time(r->slow[i].ts_ms, 19, ts, sizeof(ts));
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}
	input_notes(out, m);
	return rc < 0 ? rc : out->failed ? -E2BIG : 0;
}

/* ---- patterns ---- */

static int patterns_json(const struct et_patterns_result *r, const struct et_report_meta *m,
			 struct et_buf *out)
{
	size_t i;

	json_common(out, m, "execution-telemetry/patterns");
	et_buf_addf(out, ",\"min_count\":%zu,\"chains\":[", r->min_count);
	for (i = 0; i < r->nchains; i++) {
		const struct et_chain *c = &r->chains[i];

		json_item(out, i, "tools");
		et_json_strv(out, c->tools, c->ntools);
		et_buf_addf(out, ",\"count\":%llu,\"success_rate\":", (unsigned long long)c->count);
		json_rate(out, c->all_success, c->count);
		et_render_json_ratio_member(out, "avg_ms", c->lat_sum, (double)c->lat_n);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "],\"parallelization\":{\"source\":");
	et_json_strz(out, r->par_from_batches ? "batches" : "timestamps");
	et_buf_addf(out, ",\"opportunities\":%llu,\"calls\":%llu,\"saved_ms\":",
		    (unsigned long long)r->par_opportunities, (unsigned long long)r->par_calls);
	json_round(out, r->par_saved_ms);
	et_buf_adds(out, ",\"by_tools\":[");
	for (i = 0; i < r->npar_groups; i++) {
		const struct et_par_group *g = &r->par_groups[i];
		char *names[8], *copy = strdup(g->tools), *p, *save = NULL;
		size_t n = 0;

		if (!copy) {
			return -ENOMEM;
		}
		for (p = strtok_r(copy, ",", &save); p && n < 8; p = strtok_r(NULL, ",", &save)) {
			names[n++] = p;
		}
		json_item(out, i, "tools");
		et_json_strv(out, names, n);
		free(copy);
		et_buf_addf(out, ",\"count\":%llu,\"saved_ms\":", (unsigned long long)g->count);
		json_round(out, g->saved_ms);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "]},\"retry_loops\":[");
	for (i = 0; i < r->nretries; i++) {
		const struct et_retry *x = &r->retries[i];

		json_item(out, i, "tool");
		et_json_strz(out, x->tool);
		et_buf_addf(out,
			    ",\"loops\":%llu,\"calls\":%llu,\"ended\":{\"success\":%llu,"
			    "\"failure\":%llu,\"interrupted\":%llu}}",
			    (unsigned long long)x->loops, (unsigned long long)x->calls,
			    (unsigned long long)x->ended_success,
			    (unsigned long long)x->ended_failure,
			    (unsigned long long)x->ended_interrupted);
	}
	et_buf_adds(out, "],\"recoveries\":[");
	for (i = 0; i < r->nrecoveries; i++) {
		json_item(out, i, "pattern");
		et_json_strv(out, r->recoveries[i].steps, r->recoveries[i].nsteps);
		et_buf_addf(out, ",\"count\":%llu}", (unsigned long long)r->recoveries[i].count);
	}
	et_buf_addf(out,
		    "],\"cascades\":{\"count\":%llu,\"longest\":%llu,\"calls\":%llu},"
		    "\"bottlenecks\":[",
		    (unsigned long long)r->cascades, (unsigned long long)r->cascade_longest,
		    (unsigned long long)r->cascade_calls);
	for (i = 0; i < r->nbottlenecks; i++) {
		const struct et_bottleneck *b = &r->bottlenecks[i];

		json_item(out, i, "tool");
		et_json_strz(out, b->tool);
		et_render_json_num_member(out, "total_ms", b->total_ms);
		et_render_json_num_member(out, "share", b->share);
		et_buf_addf(out, ",\"calls\":%llu,\"avg_ms\":", (unsigned long long)b->calls);
		json_round(out, b->avg_ms);
		et_render_json_str_member(out, "recommendation", b->recommendation);
		et_buf_addch(out, '}');
	}
	et_buf_adds(out, "]}\n");
	return out->failed ? -E2BIG : 0;
}

static void join(struct et_buf *out, char **v, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		et_buf_adds(out, i ? sep : "");
		et_buf_adds(out, v[i]);
	}
}

int et_render_patterns(const struct et_patterns_result *r, const struct et_report_meta *m,
		       struct et_buf *out)
{
	static const char *const chain_headers[] = {"count", "chain", "all ok", "avg ms"};
	static const char *const par_headers[] = {"runs", "read-only tools", "saved ms"};
	static const char *const retry_headers[] = {"tool", "loops", "calls", "ended ok",
						    "ended failed"};
	static const char *const rec_headers[] = {"count", "recovery"};
	static const char *const bot_headers[] = {"tool", "share", "total ms", "calls", "avg ms"};
	struct et_table t;
	struct et_buf cell;
	char a[32], b[32], c[32], d[32], e[32];
	size_t i;
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return patterns_json(r, m, out);
	}
	et_buf_init(&cell, 1 << 16);
	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "## Tool-call patterns\n" : "");
	filters_line(out, m);
	if (m->in->records == 0) {
		et_buf_adds(out, "No tool calls recorded yet.\n");
		input_notes(out, m);
		et_buf_finish(&cell);
		return out->failed ? -E2BIG : 0;
	}

	heading(out, m, "Tool chains");
	if (r->nchains == 0) {
		et_buf_addf(out, "No chain seen %zu times or more.\n", r->min_count);
	} else {
		const char *arrow = m->fmt == ET_FORMAT_MARKDOWN ? " → " : " -> ";

		et_table_init(&t, "rlrr", chain_headers);
		for (i = 0; i < r->nchains && rc == 0; i++) {
			const struct et_chain *x = &r->chains[i];
			const char *row[4];

			et_buf_reset(&cell);
			join(&cell, x->tools, x->ntools, arrow);
			row[0] = u64(x->count, a, sizeof(a));
			row[1] = cell.data;
			row[2] = et_render_pct((double)x->all_success, (double)x->count, b,
					       sizeof(b));
			row[3] = x->lat_n
					 ? et_render_ms(x->lat_sum / (double)x->lat_n, c, sizeof(c))
					 : "-";
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	heading(out, m, "Parallelization opportunities");
	et_buf_addf(
		out,
		"%llu run%s of read-only calls (%llu calls) ran one batch at a time with nothing "
		"written between them; batching them would have saved %s ms (from %s).\n",
		(unsigned long long)r->par_opportunities, r->par_opportunities == 1 ? "" : "s",
		(unsigned long long)r->par_calls, et_render_ms(r->par_saved_ms, a, sizeof(a)),
		r->par_from_batches ? "PostToolBatch records"
				    : "timestamps: this log has no PostToolBatch records");
	if (r->npar_groups) {
		et_buf_addch(out, '\n');
		et_table_init(&t, "rlr", par_headers);
		for (i = 0; i < r->npar_groups && rc == 0; i++) {
			const char *row[3];

			row[0] = u64(r->par_groups[i].count, a, sizeof(a));
			row[1] = r->par_groups[i].tools;
			row[2] = et_render_ms(r->par_groups[i].saved_ms, b, sizeof(b));
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	heading(out, m, "Retry loops (same call 3+ times in a row)");
	if (r->nretries == 0) {
		et_buf_adds(out, "None.\n");
	} else {
		et_table_init(&t, "lrrrr", retry_headers);
		for (i = 0; i < r->nretries && rc == 0; i++) {
			const struct et_retry *x = &r->retries[i];
			const char *row[5];

			row[0] = x->tool;
			row[1] = u64(x->loops, a, sizeof(a));
			row[2] = u64(x->calls, b, sizeof(b));
			row[3] = u64(x->ended_success, c, sizeof(c));
			row[4] = u64(x->ended_failure + x->ended_interrupted, d, sizeof(d));
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	heading(out, m, "Recoveries (a failure, then the same tool succeeding within 5 calls)");
	if (r->nrecoveries == 0) {
		et_buf_adds(out, "None.\n");
	} else {
		const char *arrow = m->fmt == ET_FORMAT_MARKDOWN ? " → " : " -> ";

		et_table_init(&t, "rl", rec_headers);
		for (i = 0; i < r->nrecoveries && rc == 0; i++) {
			const char *row[2];

			et_buf_reset(&cell);
			join(&cell, r->recoveries[i].steps, r->recoveries[i].nsteps, arrow);
			row[0] = u64(r->recoveries[i].count, a, sizeof(a));
			row[1] = cell.data;
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
	}

	heading(out, m, "Failure cascades");
	et_buf_addf(
		out,
		"%llu run%s of 2 or more failed calls in a row (%llu calls); the longest: %llu.\n",
		(unsigned long long)r->cascades, r->cascades == 1 ? "" : "s",
		(unsigned long long)r->cascade_calls, (unsigned long long)r->cascade_longest);

	heading(out, m, "Latency bottlenecks");
	if (r->nbottlenecks == 0) {
		et_buf_adds(out, "No latencies recorded.\n");
	} else {
		et_table_init(&t, "lrrrr", bot_headers);
		for (i = 0; i < r->nbottlenecks && rc == 0; i++) {
			const struct et_bottleneck *x = &r->bottlenecks[i];
			const char *row[5];

			row[0] = x->tool;
			row[1] = et_render_pct(x->share, 1, a, sizeof(a));
			row[2] = et_render_ms(x->total_ms, b, sizeof(b));
			row[3] = u64(x->calls, c, sizeof(c));
			row[4] = et_render_ms(x->avg_ms, e, sizeof(e));
			rc = et_table_row(&t, row);
		}
		rc = et_render_table_done(&t, rc, m, out);
		et_buf_adds(out, "\nSlowest tool overall, ");
		et_render_text(out, r->bottlenecks[0].tool);
		et_buf_adds(out, ": ");
		et_render_text(out, r->bottlenecks[0].recommendation);
		et_buf_addch(out, '\n');
	}
	input_notes(out, m);
	et_buf_finish(&cell);
	return rc < 0 ? rc : out->failed ? -E2BIG : 0;
}
