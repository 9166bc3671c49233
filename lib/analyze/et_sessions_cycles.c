/*
 * et_sessions_cycles: debugging cycles (docs/sessions.md, "Debugging cycles"). A failed call opens
 * a cycle on its target; later calls by the same agent on the same target are its attempts, and
 * the first that succeeds resolves it; the end of the task, or of the subagent that opened it,
 * leaves it unresolved. Each cycle that ends adds to the counts it belongs to, marks its calls on
 * the timeline and, with findings, leaves a row for the proposals.
 */
#include "et_sessions_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The finding row of cycle @c, which just ended (@resolved or not). 0 or -ENOMEM. */
static int cycle_row(struct walk *w, const struct cycle *c, bool resolved)
{
	struct et_sessions_result *res = w->res;
	struct et_cycle_row *row;

	if (!w->b->findings) {
		return 0;
	}
	if (et_sess_grow((void **)&res->cycle_rows, &w->b->cycles_alloc, sizeof(*res->cycle_rows),
			 res->ncycle_rows) < 0) {
		return -ENOMEM;
	}
	row = &res->cycle_rows[res->ncycle_rows++];
	memset(row, 0, sizeof(*row));
	row->session = et_sess_dup(w->row->id);
	row->agent = strdup(res->agents[c->agent_row].type);
	row->tool = et_sess_dup(c->first->tool);
	row->target = et_sess_dup(c->first->target);
	row->first_id = et_sess_dup(c->first->tool_use_id);
	row->attempts = c->attempts;
	row->resolved = resolved;
	row->ms = (double)(c->last_ms - c->start_ms);
	row->lat_ms = c->lat_ms;
	row->lat_n = c->lat_n;
	if ((w->row->id && !row->session) || !row->agent || (c->first->tool && !row->tool) ||
	    (c->first->target && !row->target) || (c->first->tool_use_id && !row->first_id)) {
		return -ENOMEM;
	}
	return 0;
}

/* Closes cycle @i unresolved (its task or its subagent ended). 0 or -ENOMEM. */
static int cycle_unresolved(struct walk *w, size_t i)
{
	struct cycle *c = &w->cyc[i];
	struct targets t = et_sess_targets(w, c->task, c->agent_row);
	int r = cycle_row(w, c, false);

	double ms = (double)(c->last_ms - c->start_ms);

	EACH(t, cn->cycle_ms += ms);
	if (c->inv >= 0) {
		w->inv[c->inv].unresolved++;
	}
	if (c->last_item >= 0) {
		w->res->timeline[c->last_item].mark = ET_MARK_UNRESOLVED;
		w->res->timeline[c->last_item].attempts = c->attempts;
	}
	w->cyc[i] = w->cyc[--w->ncyc];
	return r;
}

/* Closes every open cycle, or those of subagent @agent_id when @only_agent. 0 or -ENOMEM. */
int et_sess_close_cycles(struct walk *w, bool only_agent, const char *agent_id)
{
	size_t i = 0;
	int r = 0;

	while (i < w->ncyc) {
		if (!only_agent || et_sess_same(w->cyc[i].agent_id, agent_id)) {
			if (cycle_unresolved(w, i) < 0) {
				r = -ENOMEM;
			}
		} else {
			i++;
		}
	}
	return r;
}

int et_sess_cycle_call(struct walk *w, const struct ev *e, struct targets t, size_t ar, long inv,
		       long item)
{
	bool ok = e->outcome == ET_OUT_SUCCESS, failed = e->outcome == ET_OUT_FAILURE;
	struct cycle *c;
	size_t i;
	int r = 0;

	for (i = 0; i < w->ncyc; i++) {
		if (et_sess_same(w->cyc[i].agent_id, e->agent_id) &&
		    et_sess_same(w->cyc[i].target, e->target)) {
			break;
		}
	}
	if (i < w->ncyc) {
		EACH(t, {
			cn->retries++;
			cn->cycle_attempts++;
		});
		w->cyc[i].attempts++;
		if (e->has_latency) {
			w->cyc[i].lat_ms += e->latency_ms;
			w->cyc[i].lat_n++;
		}
		w->cyc[i].last_ms = e->has_ts ? e->ts_ms : w->cyc[i].last_ms;
		w->cyc[i].last_item = item;
		if (item >= 0) {
			w->res->timeline[item].cycle = w->cyc[i].number;
			w->res->timeline[item].mark = ok ? ET_MARK_RECOVERED : ET_MARK_RETRY;
			w->res->timeline[item].attempts = w->cyc[i].attempts;
		}
		if (ok) {
			struct targets ct = et_sess_targets(w, w->cyc[i].task, w->cyc[i].agent_row);
			double ms = (double)(w->cyc[i].last_ms - w->cyc[i].start_ms);

			EACH(ct, {
				cn->resolved++;
				cn->cycle_ms += ms;
			});
			r = cycle_row(w, &w->cyc[i], true);
			w->cyc[i] = w->cyc[--w->ncyc];
		}
		return r;
	}
	if (!failed) {
		return 0;
	}
	if (et_sess_grow((void **)&w->cyc, &w->alloc_cyc, sizeof(*w->cyc), w->ncyc) < 0) {
		return -ENOMEM;
	}
	c = &w->cyc[w->ncyc++];
	c->agent_id = e->agent_id;
	c->target = e->target;
	c->task = w->task;
	c->agent_row = (size_t)ar;
	c->inv = inv;
	c->start_ms = c->last_ms = e->has_ts ? e->ts_ms : (w->has_last ? w->last_ms : 0);
	c->attempts = 1;
	c->number = ++w->cycles_seen;
	c->last_item = item;
	c->first = e;
	c->lat_ms = e->has_latency ? e->latency_ms : 0;
	c->lat_n = e->has_latency;
	if (item >= 0) {
		w->res->timeline[item].mark = ET_MARK_CYCLE_OPEN;
		w->res->timeline[item].cycle = c->number;
		w->res->timeline[item].attempts = 1;
	}
	EACH(t, {
		cn->cycles++;
		cn->cycle_attempts++;
	});
	return 0;
}
