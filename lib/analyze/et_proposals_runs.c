/*
 * et_proposals_runs: the rules over the runs analysis (et_sessions, with findings): test and build
 * commands whose series fail on the first try, debugging cycles that take many attempts, and
 * subagent types whose runs fail or are rerun. docs/proposals.md states each rule.
 */
#include "et_proposals_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_errclass.h"
#include "et_hmap.h"
#include "et_parallel.h"
#include "et_patterns.h"
#include "et_scan.h"
#include "et_sessions.h"

#include "banned.h"

/* Adds the example (@session, @id) to @x unless it has one of that session or three already. */
static void example_str(struct builder *b, struct et_proposal *x, const char *session,
			const char *id)
{
	size_t i;

	for (i = 0; i < x->nexamples; i++) {
		if (!strcmp(x->examples[i].session, session ? session : "unknown")) {
			return;
		}
	}
	if (x->nexamples == ET_PROP_EXAMPLES) {
		return;
	}
	x->examples[i].session = strdup(session ? session : "unknown");
	x->examples[i].tool_use_id = id ? strdup(id) : NULL;
	if (!x->examples[i].session || (id && !x->examples[i].tool_use_id)) {
		b->err = -ENOMEM;
	}
	x->nexamples++;
}

/* A group of run rows sharing a subject (a pipeline, a tool, a subagent type). */
struct rgroup {
	uint64_t rows, events, sessions, lat_n, total, extra;
	double lat, ms;
	char *top; /* borrowed: the most frequent target (cycles) */
	uint64_t top_count;
};

/* The group of @name in @m (grown in *@gs). NULL on ENOMEM. */
static struct rgroup *rgroup_of(struct et_hmap *m, struct rgroup **gs, size_t *alloc,
				const char *name, long *index)
{
	bool added;
	long i = et_prop_intern(m, name, strlen(name), 0, (void **)gs, alloc, sizeof(**gs), &added);

	if (i < 0) {
		return NULL;
	}
	*index = i;
	return &(*gs)[i];
}

/* Counts @session once for group @gi of kind @kind (through the set @seen). -1 on ENOMEM. */
static int first_session(struct et_hmap *seen, int kind, long gi, const char *session)
{
	struct et_buf k;
	bool added = false;
	long r;

	et_buf_init(&k, 1 << 16);
	et_buf_add(&k, &kind, sizeof(kind));
	et_buf_add(&k, &gi, sizeof(gi));
	et_buf_adds(&k, session ? session : "");
	r = k.failed ? -1 : et_hmap_get(seen, k.data, k.len, true, &added);
	et_buf_finish(&k);
	return r < 0 ? -1 : added;
}

/* Test and build commands whose series fail on the first try, by pipeline. */
static void build_first_try(struct builder *b, const struct et_sessions_result *sr,
			    struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m;
	struct rgroup *gs = NULL;
	size_t alloc = 0, i, j;
	long gi;

	et_hmap_init(&m);
	for (i = 0; i < sr->nseries_rows && !b->err; i++) {
		const struct et_series_row *r = &sr->series_rows[i];
		struct rgroup *g = rgroup_of(&m, &gs, &alloc, r->pipeline, &gi);
		int f;

		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->total++;
		if (r->first_passed) {
			continue;
		}
		g->rows++;
		g->events += r->failed;
		g->lat += r->failed_lat_ms;
		g->lat_n += r->failed_lat_n;
		g->extra += !r->passed;
		if ((f = first_session(seen, 1, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		double rate = (double)(g->total - g->rows) / (double)g->total;
		struct et_proposal *x;
		char never[64];

		if (g->rows < p->o.min_events || rate > p->o.first_try_rate) {
			continue;
		}
		x = et_prop_push(b, ET_PROP_FIRST_TRY, name);
		if (!x) {
			break;
		}
		never[0] = '\0';
		if (g->extra) {
			snprintf(never, sizeof(never), " (or in the %llu that never passed)",
				 (unsigned long long)g->extra);
		}
		et_prop_evidence(p, x, g->rows, g->sessions, g->lat, g->events, g->lat_n);
		x->title = et_prop_fmt(b, "%s fails on the first try", name);
		x->problem = et_prop_fmt(
			b,
			"%llu of %llu series of %s runs (a task's runs of it) failed on "
			"the first try: a first-try pass rate of %.0f%%. %llu runs failed "
			"before their series passed%s.",
			(unsigned long long)g->rows, (unsigned long long)g->total, name, rate * 100,
			(unsigned long long)g->events, never);
		x->change =
			et_prop_fmt(b,
				    "Add a rule: before running %s, check the change builds (or "
				    "type-checks) and run the narrowest test that covers it first; "
				    "after a failure, read the whole output and fix what it names "
				    "before running it again.",
				    name);
		for (j = 0; j < sr->nseries_rows; j++) {
			const struct et_series_row *r = &sr->series_rows[j];

			if (!r->first_passed && !strcmp(r->pipeline, name)) {
				example_str(b, x, r->session, r->first_id);
			}
		}
	}
	free(gs);
	et_hmap_finish(&m);
}

/* Debugging cycles left unresolved, by the tool of the failure that opened them. */
static void build_cycles(struct builder *b, const struct et_sessions_result *sr,
			 struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m, targets;
	struct rgroup *gs = NULL;
	uint64_t *tcount = NULL;
	size_t alloc = 0, talloc = 0, i, j;
	long gi;

	et_hmap_init(&m);
	et_hmap_init(&targets);
	for (i = 0; i < sr->ncycle_rows && !b->err; i++) {
		const struct et_cycle_row *r = &sr->cycle_rows[i];
		struct rgroup *g;
		struct et_buf k;
		bool added;
		long ti;
		int f;

		/* A failure never tried again is a repeated error's business, not a cycle's. */
		if (r->resolved || r->attempts < 2) {
			continue;
		}
		g = rgroup_of(&m, &gs, &alloc, r->tool ? r->tool : "(unknown)", &gi);
		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->rows++;
		g->events += r->attempts;
		g->lat += r->lat_ms;
		g->lat_n += r->lat_n;
		g->ms += r->ms;
		if ((f = first_session(seen, 2, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
		/* The target it was about most often (ties: the first in sort order). */
		et_buf_init(&k, 1 << 16);
		et_buf_add(&k, &gi, sizeof(gi));
		et_buf_adds(&k, r->target ? r->target : "");
		ti = k.failed ? -1
			      : et_prop_intern(&targets, k.data, k.len, 0, (void **)&tcount,
					       &talloc, sizeof(*tcount), &added);
		et_buf_finish(&k);
		if (ti < 0) {
			b->err = -ENOMEM;
			break;
		}
		tcount[ti]++;
		if (r->target && (tcount[ti] > g->top_count ||
				  (tcount[ti] == g->top_count && strcmp(r->target, g->top) < 0))) {
			g->top = r->target;
			g->top_count = tcount[ti];
		}
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		struct et_proposal *x;

		if (g->rows < p->o.min_events) {
			continue;
		}
		x = et_prop_push(b, ET_PROP_UNRESOLVED_CYCLE, name);
		if (!x) {
			break;
		}
		et_prop_evidence(p, x, g->rows, g->sessions, g->lat, g->events, g->lat_n);
		x->title = et_prop_fmt(b, "%s debugging cycles that never resolve", name);
		x->problem = et_prop_fmt(
			b,
			"%llu debugging cycles opened by a failed %s call ended with no "
			"success on their target (%llu attempts, %.1f min from the first "
			"failure to the last attempt); most often on %s (%llu).",
			(unsigned long long)g->rows, name, (unsigned long long)g->events,
			g->ms / 60000, g->top ? g->top : "-", (unsigned long long)g->top_count);
		x->change = et_prop_fmt(
			b,
			"Add a rule: after two failed attempts at the same %s target, stop "
			"and change approach (read the whole error, look for its cause, or "
			"ask the user) instead of trying variations; and say so when a "
			"request ends with it still failing.",
			name);
		for (j = 0; j < sr->ncycle_rows; j++) {
			const struct et_cycle_row *r = &sr->cycle_rows[j];

			if (!r->resolved && r->attempts >= 2 &&
			    !strcmp(r->tool ? r->tool : "(unknown)", name)) {
				example_str(b, x, r->session, r->first_id);
			}
		}
	}
	free(gs);
	free(tcount);
	et_hmap_finish(&m);
	et_hmap_finish(&targets);
}

/*
 * Subagent types whose runs fail or are rerun far more often than the other agents' (the other
 * types and the main agent, from the agents table).
 */
static void build_subagents(struct builder *b, const struct et_sessions_result *sr,
			    struct et_hmap *seen)
{
	struct et_proposals *p = b->p;
	struct et_hmap m;
	struct rgroup *gs = NULL;
	size_t alloc = 0, i, j;
	uint64_t all_runs = 0, all_bad = 0;
	long gi;

	for (i = 0; i < sr->nagents; i++) {
		all_runs += sr->agents[i].invocations;
		all_bad += sr->agents[i].failures + sr->agents[i].retries;
	}
	et_hmap_init(&m);
	for (i = 0; i < sr->nsubrun_rows && !b->err; i++) {
		const struct et_subrun_row *r = &sr->subrun_rows[i];
		struct rgroup *g = rgroup_of(&m, &gs, &alloc, r->type, &gi);
		int f;

		if (!g) {
			b->err = -ENOMEM;
			break;
		}
		g->total++;
		if (r->ok && !r->rerun) {
			continue;
		}
		g->rows++;
		g->extra += !r->ok;
		if (r->has_ms) {
			g->lat += r->ms;
			g->lat_n++;
		}
		if ((f = first_session(seen, 3, gi, r->session)) < 0) {
			b->err = -ENOMEM;
		}
		g->sessions += f > 0;
	}
	for (i = 0; i < m.n && !b->err; i++) {
		const struct rgroup *g = &gs[i];
		const char *name = et_hmap_key(&m, i, NULL);
		uint64_t reruns = 0, other_runs, other_bad;
		double rate = (double)g->rows / (double)g->total, other_rate;
		struct et_proposal *x;

		for (j = 0; j < sr->nsubrun_rows; j++) {
			reruns +=
				sr->subrun_rows[j].rerun && !strcmp(sr->subrun_rows[j].type, name);
		}
		other_runs = all_runs - g->total;
		/* The agents table counts a run both failed and rerun twice; so do the others. */
		other_bad = all_bad - (g->extra + reruns);
		other_rate = other_runs ? (double)other_bad / (double)other_runs : 0;
		if (g->total < p->o.min_events || g->rows < p->o.min_events ||
		    rate < p->o.agent_rate || rate < p->o.agent_ratio * other_rate) {
			continue;
		}
		x = et_prop_push(b, ET_PROP_FAILING_SUBAGENT, name);
		if (!x) {
			break;
		}
		x->events = g->rows;
		x->sessions = g->sessions;
		x->measured_ms = g->lat;
		x->unmeasured = g->rows - g->lat_n;
		x->assumed_ms = et_prop_turns_ms(p, g->rows - g->lat_n);
		x->title = et_prop_fmt(
			b, "The %s subagent fails or is rerun far more than the others", name);
		x->problem = et_prop_fmt(
			b,
			"%llu of %llu %s subagent runs failed or were reruns (%llu failed, "
			"%llu reruns): %.0f%%, against %.0f%% for the other agents (%llu "
			"runs, the main agent's requests included).",
			(unsigned long long)g->rows, (unsigned long long)g->total, name,
			(unsigned long long)g->extra, (unsigned long long)reruns, rate * 100,
			other_rate * 100, (unsigned long long)other_runs);
		x->change = et_prop_fmt(
			b,
			"Review the %s subagent (its definition in .claude/agents/, or the "
			"prompts it is given): narrow its task, give it the tools and "
			"context it lacks, or tell the main agent when not to use it; "
			"telemetry-stats sessions --session ID shows its failing runs.",
			name);
		for (j = 0; j < sr->nsubrun_rows; j++) {
			const struct et_subrun_row *r = &sr->subrun_rows[j];

			if ((!r->ok || r->rerun) && !strcmp(r->type, name)) {
				example_str(b, x, r->session, r->call_id);
			}
		}
	}
	free(gs);
	et_hmap_finish(&m);
}

void et_prop_build_runs(struct builder *b)
{
	struct et_sessions_result sr;
	struct et_hmap seen;
	int r;

	memset(&sr, 0, sizeof(sr));
	r = et_sessions_end(b->p->runs, NULL, &sr);
	if (r < 0) {
		b->err = r;
	} else {
		et_hmap_init(&seen);
		build_first_try(b, &sr, &seen);
		build_cycles(b, &sr, &seen);
		build_subagents(b, &sr, &seen);
		et_hmap_finish(&seen);
	}
	et_sessions_result_finish(&sr);
}
