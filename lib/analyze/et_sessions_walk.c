/*
 * et_sessions_walk: the walk of one session's events, in log order, that builds its rows: a
 * UserPromptSubmit opens a task and a Stop (or the next prompt, or the session's end) closes it; a
 * subagent lives from its SubagentStart to its SubagentStop, and each invocation is matched at the
 * end to the Agent call that ran it; every call adds to the session's, the task's and the agent's
 * counts at once, and goes on the timeline when this is the session shown. The debugging cycles
 * are et_sessions_cycles.c's, the test and build runs et_sessions_pipeline.c's.
 */
#include "et_sessions_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

bool et_sess_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int et_sess_grow(void **v, size_t *alloc, size_t size, size_t n)
{
	size_t want;
	void *p;

	if (n < *alloc) {
		return 0;
	}
	want = *alloc ? *alloc * 2 : 8;
	p = realloc(*v, want * size);
	if (!p) {
		return -ENOMEM;
	}
	*v = p;
	*alloc = want;
	return 0;
}

long et_sess_named_row(void **rows, size_t *n, size_t *alloc, size_t size, size_t name_off,
		       const char *name)
{
	char *row;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!strcmp(*(char **)((char *)*rows + i * size + name_off), name)) {
			return (long)i;
		}
	}
	if (et_sess_grow(rows, alloc, size, *n) < 0) {
		return -1;
	}
	row = (char *)*rows + i * size;
	memset(row, 0, size);
	*(char **)(row + name_off) = strdup(name);
	if (!*(char **)(row + name_off)) {
		return -1;
	}
	return (long)(*n)++;
}

long et_sess_agent_row(struct build *b, const char *type)
{
	struct et_sessions_result *res = b->res;

	return et_sess_named_row((void **)&res->agents, &res->nagents, &b->agents_alloc,
				 sizeof(*res->agents), offsetof(struct et_agent_row, type), type);
}

struct targets et_sess_targets(struct walk *w, long task, size_t agent)
{
	struct targets t;

	t.c[0] = &w->row->c;
	t.c[1] = task >= 0 ? &w->res->tasks[task].c : NULL;
	t.c[2] = &w->res->agents[agent].c;
	return t;
}

char *et_sess_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Adds a timeline item for event @e (when this session has a timeline); returns its index or -1. */
static long tl_add(struct walk *w, const struct ev *e, enum et_tl_kind kind, int depth, int *r)
{
	struct et_sessions_result *res = w->res;
	struct et_tl_item *it;

	if (!w->timeline) {
		return -1;
	}
	if (et_sess_grow((void **)&res->timeline, &w->b->tl_alloc, sizeof(*res->timeline),
			 res->ntimeline) < 0) {
		*r = -ENOMEM;
		return -1;
	}
	it = &res->timeline[res->ntimeline];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->depth = depth;
	it->has_ts = e->has_ts;
	it->ts_ms = e->ts_ms;
	it->outcome = e->outcome;
	it->has_latency = e->has_latency;
	it->latency_ms = e->latency_ms;
	it->has_exit_code = e->has_exit_code;
	it->exit_code = e->exit_code;
	switch (kind) {
	case ET_TL_CALL:
		it->tool = et_sess_dup(e->tool);
		it->target = et_sess_dup(e->target);
		it->pipeline = et_sess_dup(e->pipeline);
		break;
	case ET_TL_SUB_START:
	case ET_TL_SUB_STOP:
		it->tool = et_sess_dup(e->agent_type);
		it->target = et_sess_dup(e->agent_id);
		break;
	default:
		break;
	}
	it->text = et_sess_dup(kind == ET_TL_START && !e->text ? NULL : e->text);
	if ((e->tool && kind == ET_TL_CALL && !it->tool) || (e->text && !it->text)) {
		*r = -ENOMEM;
	}
	return (long)res->ntimeline++;
}

/* Ends the current task (a Stop, a new prompt, the session's end). 0 or -ENOMEM. */
static int end_task(struct walk *w, bool stopped, bool has_ts, int64_t ts)
{
	struct et_task_row *t;
	int r = et_sess_close_cycles(w, false, NULL);

	w->nseries = 0;
	if (w->task < 0) {
		return r;
	}
	t = &w->res->tasks[w->task];
	t->stopped = stopped;
	if (has_ts) {
		t->end_ms = ts;
	} else if (w->has_last) {
		t->end_ms = w->last_ms;
	}
	w->task = -1;
	return r;
}

static long find_inv(struct walk *w, const char *agent_id)
{
	size_t i;

	for (i = w->ninv; i > 0; i--) {
		if (et_sess_same(w->inv[i - 1].agent_id, agent_id)) {
			return (long)(i - 1);
		}
	}
	return -1;
}

static long new_inv(struct walk *w, struct ev *e)
{
	struct inv *v;

	if (et_sess_grow((void **)&w->inv, &w->alloc_inv, sizeof(*w->inv), w->ninv) < 0) {
		return -1;
	}
	v = &w->inv[w->ninv];
	memset(v, 0, sizeof(*v));
	v->agent_id = e->agent_id;
	v->type = e->agent_type ? e->agent_type : "subagent";
	v->task = w->task;
	v->has_start = e->has_ts;
	v->start_ms = e->ts_ms;
	v->agent_call = -1;
	w->row->subagents++;
	if (w->task >= 0) {
		w->res->tasks[w->task].subagents++;
	}
	return (long)w->ninv++;
}

/* A call: counts, pipeline runs, debugging cycles. */
static int walk_call(struct walk *w, struct ev *e)
{
	long inv = -1, ar, item;
	struct targets t;
	bool failed = e->outcome == ET_OUT_FAILURE;
	int r = 0;

	if (e->agent_id) {
		inv = find_inv(w, e->agent_id);
		if (inv < 0 && (inv = new_inv(w, e)) < 0) {
			return -ENOMEM;
		}
		if (e->agent_type && !strcmp(w->inv[inv].type, "subagent")) {
			w->inv[inv].type = e->agent_type;
		}
	}
	ar = et_sess_agent_row(w->b, inv >= 0 ? w->inv[inv].type : "main");
	if (ar < 0) {
		return -ENOMEM;
	}
	item = tl_add(w, e, ET_TL_CALL, e->agent_id ? 2 : 1, &r);
	if (r < 0) {
		return r;
	}
	if (w->task < 0) {
		w->res->calls_outside++;
	}
	t = et_sess_targets(w, w->task, (size_t)ar);
	EACH(t, {
		cn->calls++;
		cn->failures += failed;
		cn->interrupted += e->outcome == ET_OUT_INTERRUPTED;
	});
	if (e->pipeline) {
		r = et_sess_pipeline_run(w, e, t, (size_t)ar);
		if (r < 0) {
			return r;
		}
	}
	return et_sess_cycle_call(w, e, t, (size_t)ar, inv, item);
}

static int walk_prompt(struct walk *w, struct ev *e)
{
	struct build *b = w->b;
	struct et_task_row *t;
	int r = 0;

	if (end_task(w, false, e->has_ts, e->ts_ms) < 0) {
		return -ENOMEM;
	}
	if (et_sess_grow((void **)&w->res->tasks, &b->tasks_alloc, sizeof(*w->res->tasks),
			 w->res->ntasks) < 0) {
		return -ENOMEM;
	}
	t = &w->res->tasks[w->res->ntasks];
	memset(t, 0, sizeof(*t));
	t->session = et_sess_dup(w->row->id);
	t->index = w->res->ntasks - w->first_task + 1;
	t->prompt = et_sess_dup(e->text);
	t->prompt_bytes = e->bytes;
	t->start_ms = t->end_ms = e->ts_ms;
	t->last_run = -1;
	if ((w->row->id && !t->session) || (e->text && !t->prompt)) {
		free(t->session);
		free(t->prompt);
		return -ENOMEM;
	}
	w->task = (long)w->res->ntasks++;
	w->row->requests++;
	w->res->requests++;
	tl_add(w, e, ET_TL_PROMPT, 0, &r);
	return r;
}

/*
 * Notes call @e by the main agent when it ran a subagent (an Agent or Task call; its
 * subagent_type, else "general-purpose"), for settling the subagents. 0 or -ENOMEM.
 */
static int note_agent_call(struct walk *w, const struct ev *e)
{
	const char *type = e->sub_type;
	struct agent_call *a;

	if (e->agent_id) {
		return 0;
	}
	if (!type && e->tool && (!strcmp(e->tool, "Agent") || !strcmp(e->tool, "Task"))) {
		type = "general-purpose";
	}
	if (!type) {
		return 0;
	}
	if (et_sess_grow((void **)&w->calls, &w->alloc_calls, sizeof(*w->calls), w->ncalls) < 0) {
		return -ENOMEM;
	}
	a = &w->calls[w->ncalls++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->task = w->task;
	a->failed = e->outcome != ET_OUT_SUCCESS;
	a->id = e->tool_use_id;
	a->has_latency = e->has_latency;
	a->latency_ms = e->latency_ms;
	return 0;
}

/* Walks one session's events (from @from) in order. */
int et_sess_walk_events(struct walk *w, size_t from)
{
	struct sess *x = w->x;
	size_t i;
	long v;
	int r = 0;

	for (i = from; i < x->n && r == 0; i++) {
		struct ev *e = &x->ev[i];

		if (e->has_ts) {
			if (!w->row->has_time || e->ts_ms < w->row->start_ms) {
				w->row->start_ms = e->ts_ms;
			}
			if (!w->row->has_time || e->ts_ms > w->row->end_ms) {
				w->row->end_ms = e->ts_ms;
			}
			w->row->has_time = true;
			w->last_ms = e->ts_ms;
			w->has_last = true;
		}
		switch (e->kind) {
		case EV_CALL:
			r = walk_call(w, e);
			if (r == 0 && note_agent_call(w, e) < 0) {
				return -ENOMEM;
			}
			break;
		case EV_SESSION_START:
			if (!w->row->source && e->text && !(w->row->source = strdup(e->text))) {
				return -ENOMEM;
			}
			if (e->model) {
				free(w->row->model);
				if (!(w->row->model = strdup(e->model))) {
					return -ENOMEM;
				}
			}
			tl_add(w, e, ET_TL_START, 0, &r);
			break;
		case EV_SESSION_END:
			if (end_task(w, false, e->has_ts, e->ts_ms) < 0) {
				return -ENOMEM;
			}
			free(w->row->ended);
			w->row->ended = strdup(e->text ? e->text : "unknown");
			if (!w->row->ended) {
				return -ENOMEM;
			}
			tl_add(w, e, ET_TL_END, 0, &r);
			break;
		case EV_PROMPT:
			if (e->agent_id) {
				break;
			}
			r = walk_prompt(w, e);
			break;
		case EV_STOP:
			if (e->agent_id) {
				break;
			}
			tl_add(w, e, ET_TL_STOP, 0, &r);
			if (r == 0) {
				r = end_task(w, true, e->has_ts, e->ts_ms);
			}
			break;
		case EV_SUB_START:
			if (new_inv(w, e) < 0) {
				return -ENOMEM;
			}
			tl_add(w, e, ET_TL_SUB_START, 1, &r);
			break;
		case EV_SUB_STOP:
			v = find_inv(w, e->agent_id);
			if (v < 0 || w->inv[v].stopped) {
				v = new_inv(w, e);
				if (v < 0) {
					return -ENOMEM;
				}
				w->inv[v].has_start = false;
			}
			if (e->agent_type) {
				w->inv[v].type = e->agent_type;
			}
			w->inv[v].stopped = true;
			w->inv[v].has_stop = e->has_ts;
			w->inv[v].stop_ms = e->ts_ms;
			r = et_sess_close_cycles(w, true, e->agent_id);
			if (r == 0) {
				tl_add(w, e, ET_TL_SUB_STOP, 1, &r);
			}
			break;
		}
	}
	if (r == 0) {
		r = end_task(w, false, false, 0);
	}
	return r;
}

/* The finding row of a subagent run (findings). 0 or -ENOMEM. */
static int subrun_row(struct walk *w, const char *type, const char *call_id, bool ok, bool rerun,
		      bool has_ms, double ms)
{
	struct et_sessions_result *res = w->res;
	struct et_subrun_row *row;

	if (!w->b->findings) {
		return 0;
	}
	if (et_sess_grow((void **)&res->subrun_rows, &w->b->subruns_alloc,
			 sizeof(*res->subrun_rows), res->nsubrun_rows) < 0) {
		return -ENOMEM;
	}
	row = &res->subrun_rows[res->nsubrun_rows++];
	memset(row, 0, sizeof(*row));
	row->session = et_sess_dup(w->row->id);
	row->type = strdup(type);
	row->call_id = et_sess_dup(call_id);
	row->ok = ok;
	row->rerun = rerun;
	row->has_ms = has_ms;
	row->ms = ms;
	if ((w->row->id && !row->session) || !row->type || (call_id && !row->call_id)) {
		return -ENOMEM;
	}
	return 0;
}

/*
 * One subagent run of @type into the agents table (ok or not, a retry when @again, @ms long when
 * @has_ms) and, with findings, its row. 0 or -ENOMEM.
 */
static int agent_run(struct walk *w, const char *type, const char *call_id, bool ok, bool again,
		     bool has_ms, double ms)
{
	long ar = et_sess_agent_row(w->b, type);
	struct et_agent_row *a;

	if (ar < 0) {
		return -ENOMEM;
	}
	a = &w->res->agents[ar];
	a->invocations++;
	a->successes += ok;
	a->failures += !ok;
	if (has_ms) {
		a->time_ms += ms;
	}
	a->retries += again;
	return subrun_row(w, type, call_id, ok, again, has_ms, ms);
}

/*
 * The subagents of a session into the agents table: each invocation is matched to the Agent call
 * that ran it (same type, in order); a failed Agent call nothing started is an invocation that
 * failed. An invocation succeeds when it stopped, left no cycle unresolved and its Agent call did
 * not fail; a second invocation of a type in the same task is a retry.
 */
int et_sess_settle_agents(struct walk *w)
{
	size_t i, j, k;
	bool again, has_ms;

	for (i = 0; i < w->ninv; i++) {
		for (j = 0; j < w->ncalls; j++) {
			if (!w->calls[j].matched && !strcmp(w->calls[j].type, w->inv[i].type)) {
				w->calls[j].matched = true;
				w->inv[i].agent_call = w->calls[j].failed;
				w->inv[i].call_id = w->calls[j].id;
				break;
			}
		}
	}
	for (i = 0; i < w->ninv; i++) {
		struct inv *v = &w->inv[i];
		bool ok = v->stopped && v->unresolved == 0 && v->agent_call != 1;

		again = false;
		has_ms = v->has_start && v->has_stop && v->stop_ms >= v->start_ms;
		for (k = 0; k < i && !again; k++) {
			again = w->inv[k].task == v->task && !strcmp(w->inv[k].type, v->type);
		}
		if (agent_run(w, v->type, v->call_id, ok, again, has_ms,
			      has_ms ? (double)(v->stop_ms - v->start_ms) : 0) < 0) {
			return -ENOMEM;
		}
	}
	for (j = 0; j < w->ncalls; j++) {
		struct agent_call *c = &w->calls[j];

		if (c->matched) {
			continue;
		}
		again = false;
		for (k = 0; k < w->ninv && !again; k++) {
			again = w->inv[k].task == c->task && !strcmp(w->inv[k].type, c->type);
		}
		for (k = 0; k < j && !again; k++) {
			again = !w->calls[k].matched && w->calls[k].task == c->task &&
				!strcmp(w->calls[k].type, c->type);
		}
		if (agent_run(w, c->type, c->id, !c->failed, again, c->has_latency, c->latency_ms) <
		    0) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* The main agent's row: one invocation per task; it succeeds when a Stop ended it clean. */
int et_sess_settle_main(struct walk *w)
{
	long ar = et_sess_agent_row(w->b, "main");
	size_t i;

	if (ar < 0) {
		return -ENOMEM;
	}
	for (i = w->first_task; i < w->res->ntasks; i++) {
		struct et_task_row *t = &w->res->tasks[i];
		bool ok = t->stopped && t->c.cycles == t->c.resolved;

		w->res->agents[ar].invocations++;
		w->res->agents[ar].successes += ok;
		w->res->agents[ar].failures += !ok;
		if (t->end_ms > t->start_ms) {
			w->res->agents[ar].time_ms += (double)(t->end_ms - t->start_ms);
		}
	}
	return 0;
}
