/*
 * et_proposals_rank: the kinds of proposal (what each is about, what it assumes, what the change
 * takes and saves), the pricing of a proposal (hours and dollars a week and a month, weeks to break
 * even, priority), the helpers the rules build with, and the end: every rule run, the proposals
 * ranked by weeks to break even, the top kept.
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

static const struct {
	const char *name, *area, *assumption;
	double impl_h, share;
} kinds[ET_PROP_KIND_COUNT] = {
	[ET_PROP_REPEATED_ERROR] = {"repeated_error", "reliability",
				    "each failure cost its latency plus one agent turn; the rule "
				    "avoids half of them",
				    1.0, 0.5},
	[ET_PROP_SLOW_TOOL] = {"slow_tool", "performance",
			       "the time above the limit; a faster command or a narrower call "
			       "saves half of it",
			       4.0, 0.5},
	[ET_PROP_RETRY_LOOP] = {"retry_loop", "reliability",
				"every call after the first of a loop is waste: its latency plus "
				"one agent turn",
				0.5, 1.0},
	[ET_PROP_MANUAL_PROCESS] = {"manual_process", "automation",
				    "one agent turn per call beyond one per tool; a script saves "
				    "half of them",
				    4.0, 0.5},
	[ET_PROP_SERIAL_READS] = {"serial_reads", "performance",
				  "measured: the runs would have taken as long as their slowest "
				  "batch",
				  0.5, 1.0},
	[ET_PROP_REJECTED_CALL] = {"rejected_call", "reliability",
				   "each rejected call cost one agent turn (it never ran, so no "
				   "latency)",
				   0.5, 1.0},
	[ET_PROP_REPEATED_READ] = {"repeated_read", "context",
				   "every read after the first is waste: its latency and its "
				   "tokens",
				   0.5, 1.0},
	[ET_PROP_HUGE_RESULT] = {"huge_result", "context",
				 "the tokens of the results; narrower calls save half of them", 1.0,
				 0.5},
	[ET_PROP_DOMINANT_TOOL] = {"dominant_tool", "cost",
				   "a quarter of the tool's time and dollars in those sessions",
				   2.0, 0.25},
	[ET_PROP_FIRST_TRY] = {"first_try_failure", "reliability",
			       "each failed run before the pass cost its latency plus one agent "
			       "turn; checking first avoids half of them",
			       1.0, 0.5},
	[ET_PROP_UNRESOLVED_CYCLE] = {"unresolved_cycle", "reliability",
				      "every attempt of a cycle that never resolved was lost: its "
				      "latency plus one agent turn; stopping early saves half",
				      1.0, 0.5},
	[ET_PROP_FAILING_SUBAGENT] =
		{"failing_subagent", "agents",
		 "each failed or rerun subagent run lost its duration (or one "
		 "agent turn when it is unknown); a better definition saves half",
		 2.0, 0.5},
};

const char *et_proposals_kind_name(enum et_prop_kind k)
{
	return k < ET_PROP_KIND_COUNT ? kinds[k].name : "unknown";
}

/* ---- the proposals ---- */

void et_proposals_roi(struct et_proposal *x, double days, double rate)
{
	double saved_h = (x->measured_ms + x->assumed_ms) * x->saved_share / 3.6e6;
	double usd = x->dollars * x->saved_share;
	double value_w;

	if (days < 1) {
		days = 1;
	}
	x->weekly_h = saved_h * 7 / days;
	x->monthly_h = saved_h * 30 / days;
	x->weekly_usd = usd * 7 / days;
	x->monthly_usd = usd * 30 / days;
	value_w = x->weekly_h + (rate > 0 ? x->weekly_usd / rate : 0);
	x->breakeven_weeks = value_w > 0 ? x->impl_h / value_w : INFINITY;
	x->priority = x->breakeven_weeks <= 1	 ? "critical"
		      : x->breakeven_weeks <= 4	 ? "high"
		      : x->breakeven_weeks <= 12 ? "medium"
						 : "low";
}

__attribute__((format(printf, 2, 3))) char *et_prop_fmt(struct builder *b, const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n >= 0) {
		s = malloc((size_t)n + 1);
	}
	if (s) {
		va_start(ap, f);
		vsnprintf(s, (size_t)n + 1, f, ap);
		va_end(ap);
	} else {
		b->err = -ENOMEM;
	}
	return s;
}

const char *et_prop_tool_name(const struct et_proposals *p, uint32_t t)
{
	return et_hmap_key(&p->tools, t, NULL);
}

/* Appends a proposal of kind @k about @subject (copied); NULL on ENOMEM (b->err set). */
struct et_proposal *et_prop_push(struct builder *b, enum et_prop_kind k, const char *subject)
{
	struct et_proposals_result *res = b->res;
	struct et_proposal *x;

	if (b->err) {
		return NULL;
	}
	if (res->n == b->alloc) {
		size_t na = b->alloc ? b->alloc * 2 : 16;
		struct et_proposal *nv = realloc(res->items, na * sizeof(*nv));

		if (!nv) {
			b->err = -ENOMEM;
			return NULL;
		}
		res->items = nv;
		b->alloc = na;
	}
	x = &res->items[res->n++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->area = kinds[k].area;
	x->assumption = kinds[k].assumption;
	x->impl_h = kinds[k].impl_h;
	x->saved_share = kinds[k].share;
	x->subject = strdup(subject);
	if (!x->subject) {
		b->err = -ENOMEM;
	}
	return x;
}

void et_prop_examples(struct builder *b, struct et_proposal *x, const struct ex *ex, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < ET_PROP_EXAMPLES; i++) {
		x->examples[i].session = strdup(et_hmap_key(&b->p->sessions, ex[i].sess, NULL));
		x->examples[i].tool_use_id = ex[i].id[0] ? strdup(ex[i].id) : NULL;
		if (!x->examples[i].session || (ex[i].id[0] && !x->examples[i].tool_use_id)) {
			b->err = -ENOMEM;
		}
		x->nexamples = i + 1;
	}
}

double et_prop_turns_ms(const struct et_proposals *p, uint64_t n)
{
	return (double)n * p->o.turn_s * 1000;
}

void et_prop_evidence(const struct et_proposals *p, struct et_proposal *x, uint64_t events,
		      uint64_t sessions, double measured_ms, uint64_t n, uint64_t measured_n)
{
	x->events = events;
	x->sessions = sessions;
	x->measured_ms = measured_ms;
	x->unmeasured = n - measured_n;
	x->assumed_ms = et_prop_turns_ms(p, n);
}

static int prio_rank(const char *p)
{
	return !strcmp(p, "critical") ? 0 : !strcmp(p, "high") ? 1 : !strcmp(p, "medium") ? 2 : 3;
}

static int prop_cmp(const void *a, const void *b)
{
	const struct et_proposal *x = a, *y = b;
	int r = prio_rank(x->priority) - prio_rank(y->priority);

	if (r) {
		return r;
	}
	if (x->breakeven_weeks != y->breakeven_weeks) {
		return x->breakeven_weeks < y->breakeven_weeks ? -1 : 1;
	}
	if (x->monthly_h != y->monthly_h) {
		return x->monthly_h > y->monthly_h ? -1 : 1;
	}
	if (x->kind != y->kind) {
		return (int)x->kind - (int)y->kind;
	}
	return strcmp(x->subject, y->subject);
}

static void free_item(struct et_proposal *x)
{
	size_t i;

	free(x->subject);
	free(x->title);
	free(x->problem);
	free(x->change);
	for (i = 0; i < x->nexamples; i++) {
		free(x->examples[i].session);
		free(x->examples[i].tool_use_id);
	}
	memset(x, 0, sizeof(*x));
}

int et_proposals_end(struct et_proposals *p, size_t top, struct et_proposals_result *res)
{
	struct builder b;
	double rate = p->o.hourly_rate;
	size_t i, n;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.res = res;
	res->opts = p->o;
	res->calls = p->calls;
	res->sessions = p->sessions.n;
	res->has_cost = p->has_cost;
	res->calls_priced = p->calls_priced;
	res->feedback_given = p->fb_given;
	res->feedback_changed = p->fb_changed;
	res->feedback_repeated = p->fb_repeated;
	res->days = p->has_ts ? (double)(p->last_ts - p->first_ts) / 86400000.0 : 1;
	if (res->days < 1) {
		res->days = 1;
	}
	et_prop_build_errors(&b, false);
	et_prop_build_errors(&b, true);
	et_prop_build_tools(&b);
	et_prop_build_sessions(&b);
	et_prop_build_files(&b);
	et_prop_build_dominant(&b);
	et_prop_build_runs(&b);
	for (i = 0; i < res->n && !b.err; i++) {
		struct et_proposal *x = &res->items[i];

		if (!x->title || !x->problem || !x->change) {
			b.err = -ENOMEM;
		}
		et_proposals_roi(x, res->days, rate);
	}
	if (b.err) {
		return b.err;
	}
	/* The threshold, then the order, then the top. */
	for (i = 0, n = 0; i < res->n; i++) {
		struct et_proposal *x = &res->items[i];

		if (x->monthly_h + (rate > 0 ? x->monthly_usd / rate : 0) < p->o.min_monthly_h) {
			free_item(x);
			res->dropped++;
			continue;
		}
		res->items[n++] = *x;
	}
	res->n = n;
	if (n) {
		qsort(res->items, n, sizeof(res->items[0]), prop_cmp);
	}
	while (res->n > top) {
		free_item(&res->items[--res->n]);
	}
	return 0;
}

void et_proposals_result_finish(struct et_proposals_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		free_item(&res->items[i]);
	}
	free(res->items);
	memset(res, 0, sizeof(*res));
}
