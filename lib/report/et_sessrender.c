/*
 * et_sessrender: the sessions report. The idea is one set of counts (struct et_sess_counts) shown
 * the same way wherever it appears, for a session, a task, an agent or a model, so that every
 * table reads alike and the JSON has one shape for all of them.
 *
 * This file writes text and Markdown; et_sessrender_json.c writes the JSON (et_sessrender_int.h:
 * what they share).
 */
#include "et_sessrender.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "et_sessrender_int.h"
#include "et_table.h"
#include "et_time.h"

#include "banned.h"

static const char *u64s(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%llu", (unsigned long long)v);
	return buf;
}

static const char *money(double v, char *buf, size_t n)
{
	snprintf(buf, n, v < 1 ? "$%.4f" : "$%.2f", v);
	return buf;
}

/* "3/4" first-try passes of series, or "-" without runs. */
static const char *first_try(const struct et_sess_counts *c, char *buf, size_t n)
{
	if (!c->series) {
		snprintf(buf, n, "-");
	} else {
		snprintf(buf, n, "%llu/%llu", (unsigned long long)c->first_try,
			 (unsigned long long)c->series);
	}
	return buf;
}

/* The first 8 characters of a session id, enough to tell sessions apart in a table. */
static const char *short_id(const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "%.8s", id ? id : "(none)");
	return buf;
}

/* ---- text and Markdown ---- */

static void filters_line(struct et_buf *out, const struct et_report_meta *m, bool since_clear)
{
	if (!et_render_filtered(m) && !since_clear) {
		return;
	}
	et_buf_adds(out, "filters:");
	if (m->since) {
		et_buf_addf(out, " since %s", m->since);
	}
	if (m->until) {
		et_buf_addf(out, " until %s", m->until);
	}
	if (m->session) {
		et_buf_adds(out, " session ");
		et_render_text(out, m->session);
	}
	if (m->project) {
		et_buf_adds(out, " project ");
		et_render_text(out, m->project);
	}
	if (since_clear) {
		et_buf_adds(out, " since-clear");
	}
	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "  \n" : "\n");
}

static void summary(const struct et_sessions_result *r, struct et_buf *out)
{
	const struct et_sess_counts *t = &r->total;
	char a[32], b[32], c[32];

	et_buf_addf(
		out, "%zu session%s, %zu request%s, %llu call%s (%s success), %llu retr%s.\n",
		r->nsessions, r->nsessions == 1 ? "" : "s", r->requests,
		r->requests == 1 ? "" : "s", (unsigned long long)t->calls, t->calls == 1 ? "" : "s",
		et_render_pct((double)et_sessrender_successes(t), (double)t->calls, a, sizeof(a)),
		(unsigned long long)t->retries, t->retries == 1 ? "y" : "ies");
	if (t->cycles) {
		et_buf_addf(out,
			    "Debugging cycles: %llu (%llu resolved), %.1f attempts each, %s each "
			    "on average; %s per request.\n",
			    (unsigned long long)t->cycles, (unsigned long long)t->resolved,
			    (double)t->cycle_attempts / (double)t->cycles,
			    et_render_duration(t->cycle_ms / (double)t->cycles, b, sizeof(b)),
			    r->requests ? (snprintf(c, sizeof(c), "%.2f",
						    (double)t->cycles / (double)r->requests),
					   c)
					: "-");
	} else {
		et_buf_adds(out, "Debugging cycles: none.\n");
	}
	if (t->runs) {
		et_buf_addf(out,
			    "Test and build runs: %llu (%llu passed); first-try pass rate %s "
			    "(%llu of %llu).\n",
			    (unsigned long long)t->runs, (unsigned long long)t->passes,
			    et_render_pct((double)t->first_try, (double)t->series, a, sizeof(a)),
			    (unsigned long long)t->first_try, (unsigned long long)t->series);
	} else {
		et_buf_adds(out, "Test and build runs: none.\n");
	}
}

/* True when the sessions of @r come from more than one agent. */
static bool mixed_agents(const struct et_sessions_result *r)
{
	size_t i;

	for (i = 1; i < r->nsessions; i++) {
		const char *a = r->sessions[0].agent, *b = r->sessions[i].agent;

		if (strcmp(a ? a : "", b ? b : "")) {
			return true;
		}
	}
	return false;
}

/* The sessions table; an agent column after the session when they come from several agents. */
static int sessions_table(const struct et_sessions_result *r, const struct et_report_meta *m,
			  struct et_buf *out)
{
	static const char *const h[] = {"session", "agent", "start",   "duration", "model",
					"reqs",	   "calls", "failed",  "success",  "retries",
					"cycles",  "tests", "1st try", "cost",	   "ended"};
	const bool mixed = mixed_agents(r);
	const size_t k = mixed ? 1 : 0; /* where the columns after the agent start */
	const char *heads[15];
	struct et_table t;
	size_t i, j, n = 0;
	int rc = 0;

	for (j = 0; j < 15; j++) {
		if (mixed || j != 1) {
			heads[n++] = h[j];
		}
	}
	et_table_init(&t, mixed ? "lllllrrrrrrrrrl" : "llllrrrrrrrrrl", heads);
	for (i = 0; i < r->nsessions && rc == 0; i++) {
		const struct et_session_row *s = &r->sessions[i];
		char id[16], st[48], du[32], rq[24], ca[24], fa[24], sc[24], re[24], cy[24], ru[24],
			ft[32], co[32];
		const char *row[15];

		row[0] = short_id(s->id, id, sizeof(id));
		row[1] = s->agent ? s->agent : "-";
		row[1 + k] = s->has_time ? et_render_time(s->start_ms, 16, st, sizeof(st)) : "-";
		row[2 + k] = s->has_time ? et_render_duration((double)(s->end_ms - s->start_ms), du,
							      sizeof(du))
					 : "-";
		row[3 + k] = s->model ? s->model : "-";
		row[4 + k] = u64s(s->requests, rq, sizeof(rq));
		row[5 + k] = u64s(s->c.calls, ca, sizeof(ca));
		row[6 + k] = u64s(s->c.failures, fa, sizeof(fa));
		row[7 + k] = et_render_pct((double)et_sessrender_successes(&s->c),
					   (double)s->c.calls, sc, sizeof(sc));
		row[8 + k] = u64s(s->c.retries, re, sizeof(re));
		row[9 + k] = u64s(s->c.cycles, cy, sizeof(cy));
		row[10 + k] = u64s(s->c.runs, ru, sizeof(ru));
		row[11 + k] = first_try(&s->c, ft, sizeof(ft));
		row[12 + k] = s->has_usage ? money(s->usage.cost, co, sizeof(co)) : "-";
		row[13 + k] = s->ended ? s->ended : "(running)";
		rc = et_table_row(&t, row);
	}
	return et_render_table_done(&t, rc, m, out);
}

static int tasks_table(const struct et_sessions_result *r, const struct et_report_meta *m,
		       struct et_buf *out)
{
	static const char *const h[] = {"session",   "#",	  "start",  "duration",
					"calls",     "failed",	  "cycles", "tests",
					"last test", "subagents", "ended"};
	struct et_table t;
	size_t i;
	int rc = 0;

	et_table_init(&t, "lrllrrrrlrl", h);
	for (i = 0; i < r->ntasks && rc == 0; i++) {
		const struct et_task_row *k = &r->tasks[i];
		char id[16], ix[24], st[48], du[32], ca[24], fa[24], cy[64], ru[24], sa[24];
		const char *row[11];

		row[0] = short_id(k->session, id, sizeof(id));
		row[1] = u64s(k->index, ix, sizeof(ix));
		row[2] = et_render_time(k->start_ms, 19, st, sizeof(st));
		row[3] = et_render_duration((double)(k->end_ms - k->start_ms), du, sizeof(du));
		row[4] = u64s(k->c.calls, ca, sizeof(ca));
		row[5] = u64s(k->c.failures, fa, sizeof(fa));
		snprintf(cy, sizeof(cy), "%llu", (unsigned long long)k->c.cycles);
		if (k->c.cycles != k->c.resolved) {
			snprintf(cy, sizeof(cy), "%llu (%llu open)",
				 (unsigned long long)k->c.cycles,
				 (unsigned long long)(k->c.cycles - k->c.resolved));
		}
		row[6] = cy;
		row[7] = u64s(k->c.runs, ru, sizeof(ru));
		row[8] = k->last_run < 0 ? "-" : k->last_run ? "passed" : "failed";
		row[9] = u64s(k->subagents, sa, sizeof(sa));
		row[10] = k->stopped ? "stop" : "no stop";
		rc = et_table_row(&t, row);
	}
	return et_render_table_done(&t, rc, m, out);
}

static int agents_table(const struct et_sessions_result *r, const struct et_report_meta *m,
			struct et_buf *out)
{
	static const char *const h[] = {"agent", "runs",	 "ok",	    "failed", "reruns",
					"calls", "failed calls", "retries", "cycles", "time"};
	struct et_table t;
	size_t i;
	int rc = 0;

	et_table_init(&t, "lrrrrrrrrr", h);
	for (i = 0; i < r->nagents && rc == 0; i++) {
		const struct et_agent_row *a = &r->agents[i];
		char b[9][32];
		const char *row[10];

		if (!a->invocations && !a->c.calls) {
			continue;
		}
		row[0] = a->type;
		row[1] = u64s(a->invocations, b[0], 32);
		row[2] = u64s(a->successes, b[1], 32);
		row[3] = u64s(a->failures, b[2], 32);
		row[4] = u64s(a->retries, b[3], 32);
		row[5] = u64s(a->c.calls, b[4], 32);
		row[6] = u64s(a->c.failures, b[5], 32);
		row[7] = u64s(a->c.retries, b[6], 32);
		row[8] = u64s(a->c.cycles, b[7], 32);
		row[9] = et_render_duration(a->time_ms, b[8], 32);
		rc = et_table_row(&t, row);
	}
	return et_render_table_done(&t, rc, m, out);
}

static int pipelines_table(const struct et_sessions_result *r, const struct et_report_meta *m,
			   struct et_buf *out)
{
	static const char *const h[] = {"command", "runs",	"passed",
					"series",  "first try", "exit codes"};
	struct et_table t;
	struct et_buf codes;
	size_t i, j;
	int rc = 0;

	et_buf_init(&codes, 1 << 12);
	et_table_init(&t, "lrrrrl", h);
	for (i = 0; i < r->npipelines && rc == 0; i++) {
		const struct et_pipeline_row *p = &r->pipelines[i];
		char b[4][32];
		const char *row[6];

		et_buf_reset(&codes);
		for (j = 0; j < p->ncodes; j++) {
			if (p->codes[j] < 0) {
				et_buf_addf(&codes, "%s?×%llu", j ? " " : "",
					    (unsigned long long)p->code_counts[j]);
			} else {
				et_buf_addf(&codes, "%s%lld×%llu", j ? " " : "", p->codes[j],
					    (unsigned long long)p->code_counts[j]);
			}
		}
		row[0] = p->name;
		row[1] = u64s(p->runs, b[0], 32);
		row[2] = u64s(p->passes, b[1], 32);
		row[3] = u64s(p->series, b[2], 32);
		row[4] = et_render_pct((double)p->first_try, (double)p->series, b[3], 32);
		row[5] = codes.data;
		rc = et_table_row(&t, row);
	}
	et_buf_finish(&codes);
	return et_render_table_done(&t, rc, m, out);
}

static int models_table(const struct et_sessions_result *r, const struct et_report_meta *m,
			struct et_buf *out)
{
	static const char *const h[] = {"model",   "sessions", "reqs",	    "calls", "success",
					"retries", "cycles",   "first try", "cost",  "per request"};
	struct et_table t;
	size_t i;
	int rc = 0;

	et_table_init(&t, "lrrrrrrrrr", h);
	for (i = 0; i < r->nmodels && rc == 0; i++) {
		const struct et_model_row *md = &r->models[i];
		char b[9][32];
		const char *row[10];

		row[0] = md->model;
		row[1] = u64s(md->sessions, b[0], 32);
		row[2] = u64s(md->tasks, b[1], 32);
		row[3] = u64s(md->c.calls, b[2], 32);
		row[4] = et_render_pct((double)et_sessrender_successes(&md->c), (double)md->c.calls,
				       b[3], 32);
		row[5] = u64s(md->c.retries, b[4], 32);
		row[6] = u64s(md->c.cycles, b[5], 32);
		row[7] = et_render_pct((double)md->c.first_try, (double)md->c.series, b[6], 32);
		row[8] = md->has_cost ? money(md->cost, b[7], 32) : "-";
		row[9] = md->has_cost && md->tasks ? money(md->cost / (double)md->tasks, b[8], 32)
						   : "-";
		rc = et_table_row(&t, row);
	}
	return et_render_table_done(&t, rc, m, out);
}

/* A call's target without the tool name it may start with ("Grep 3f2a…" shows as "3f2a…"). */
static const char *shown_target(const struct et_tl_item *it)
{
	size_t n = it->tool ? strlen(it->tool) : 0;

	if (!it->target) {
		return "";
	}
	if (n && !strncmp(it->target, it->tool, n) && (it->target[n] == ' ' || !it->target[n])) {
		return it->target + n + (it->target[n] ? 1 : 0);
	}
	return it->target;
}

static void timeline(const struct et_sessions_result *r, const struct et_report_meta *m,
		     struct et_buf *out)
{
	bool md = m->fmt == ET_FORMAT_MARKDOWN;
	size_t i;
	char ts[48], lat[32];

	if (md) {
		et_buf_adds(out, "```\n");
	}
	for (i = 0; i < r->ntimeline; i++) {
		const struct et_tl_item *it = &r->timeline[i];
		int d;

		et_buf_adds(out, it->has_ts ? et_render_time(it->ts_ms, 19, ts, sizeof(ts)) + 11
					    : "        ");
		et_buf_adds(out, "  ");
		for (d = 0; d < it->depth; d++) {
			et_buf_adds(out, "  ");
		}
		switch (it->kind) {
		case ET_TL_START:
			et_buf_adds(out, "session start");
			if (it->text) {
				et_buf_adds(out, " (");
				et_render_text(out, it->text);
				et_buf_addch(out, ')');
			}
			break;
		case ET_TL_PROMPT:
			et_buf_adds(out, "request");
			if (it->text) {
				et_buf_adds(out, ": ");
				et_render_text(out, it->text);
			}
			break;
		case ET_TL_CALL:
			et_render_text(out, it->tool ? it->tool : "?");
			if (*shown_target(it)) {
				et_buf_adds(out, " ");
				et_render_text(out, shown_target(it));
			}
			et_buf_addf(out, "  %s", et_render_outcome(it->outcome, NULL));
			if (it->has_exit_code) {
				et_buf_addf(out, " (exit %lld)", it->exit_code);
			}
			if (it->has_latency) {
				et_buf_addf(out, "  %s",
					    et_render_duration(it->latency_ms, lat, sizeof(lat)));
			}
			switch (it->mark) {
			case ET_MARK_CYCLE_OPEN:
				et_buf_addf(out, "  [cycle %zu starts]", it->cycle);
				break;
			case ET_MARK_RETRY:
				et_buf_addf(out, "  [cycle %zu, attempt %zu failed]", it->cycle,
					    it->attempts);
				break;
			case ET_MARK_RECOVERED:
				et_buf_addf(out, "  [cycle %zu recovered after %zu attempts]",
					    it->cycle, it->attempts);
				break;
			case ET_MARK_UNRESOLVED:
				et_buf_addf(out,
					    "  [cycle %zu left unresolved after %zu attempt%s]",
					    it->cycle, it->attempts, it->attempts == 1 ? "" : "s");
				break;
			default:
				break;
			}
			break;
		case ET_TL_SUB_START:
			et_buf_adds(out, "subagent ");
			et_render_text(out, it->tool ? it->tool : "?");
			et_buf_adds(out, " starts");
			break;
		case ET_TL_SUB_STOP:
			et_buf_adds(out, "subagent ");
			et_render_text(out, it->tool ? it->tool : "?");
			et_buf_adds(out, " stops");
			break;
		case ET_TL_STOP:
			et_buf_adds(out, "stop");
			break;
		case ET_TL_END:
			et_buf_adds(out, "session end");
			if (it->text) {
				et_buf_adds(out, " (");
				et_render_text(out, it->text);
				et_buf_addch(out, ')');
			}
			break;
		}
		et_buf_addch(out, '\n');
		if (it->kind == ET_TL_CALL && it->outcome != ET_OUT_SUCCESS && it->text) {
			et_buf_adds(out, "          ");
			for (d = 0; d < it->depth; d++) {
				et_buf_adds(out, "  ");
			}
			et_buf_adds(out, "  ");
			et_render_text(out, it->text);
			et_buf_addch(out, '\n');
		}
	}
	if (md) {
		et_buf_adds(out, "```\n");
	}
}

int et_render_sessions(const struct et_sessions_result *r, const struct et_report_meta *m,
		       struct et_buf *out)
{
	int rc = 0;

	if (m->fmt == ET_FORMAT_JSON) {
		return et_sessrender_json(r, m, out);
	}
	et_buf_adds(out, m->fmt == ET_FORMAT_MARKDOWN ? "## Runs, tasks and agents\n" : "");
	filters_line(out, m, r->since_clear);
	if (r->nsessions == 0) {
		et_buf_adds(out, "No sessions recorded yet.\n");
		return out->failed ? -E2BIG : 0;
	}
	summary(r, out);
	if (r->boundary_records == 0) {
		et_buf_adds(out, "note: the log has no session boundary records (SessionStart, "
				 "UserPromptSubmit, Stop, …): no requests or subagents to show. "
				 "Register them: telemetry-stats install-hooks.\n");
	}
	if (r->has_timeline) {
		et_render_heading(out, m, "Timeline");
		timeline(r, m, out);
	}
	et_render_heading(out, m, "Sessions");
	rc = sessions_table(r, m, out);
	if (rc == 0 && r->ntasks) {
		et_render_heading(out, m, "Tasks (one per request)");
		rc = tasks_table(r, m, out);
	}
	if (rc == 0) {
		et_render_heading(out, m, "Agents");
		rc = agents_table(r, m, out);
	}
	if (rc == 0) {
		et_render_heading(out, m, "Test and build runs");
		if (r->npipelines) {
			rc = pipelines_table(r, m, out);
		} else {
			et_buf_adds(out, "None.\n");
		}
	}
	if (rc == 0) {
		et_render_heading(out, m, "Models");
		rc = models_table(r, m, out);
	}
	return rc < 0 ? rc : out->failed ? -E2BIG : 0;
}
