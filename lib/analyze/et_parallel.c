/*
 * et_parallel: read-only batches that ran one after the other. The idea is two small state
 * machines per session, one over the batches that PostToolBatch records delimit and one over
 * batches guessed from timestamps, both fed every call; at the end the log says which to believe
 * (the records, when it has any). A batch that only read extends the session's open run, any
 * other batch ends it, and a run of two or more batches is an opportunity: batching it would have
 * saved the sum of its batches' longest latencies minus the longest of them. Closed runs are
 * counted overall and per set of tools, keyed by their sorted names, so memory follows the
 * distinct sets, not the calls.
 */
#include "et_parallel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Without batch records, calls whose Post hooks ran less than this far apart count as a batch. */
#define SAME_BATCH_MS 1000

void et_parallel_init(struct et_parallel *par, const struct et_hmap *tools, struct et_buf *tmp)
{
	memset(par, 0, sizeof(*par));
	et_hmap_init(&par->batches.groups);
	et_hmap_init(&par->timestamps.groups);
	par->tools = tools;
	par->tmp = tmp;
}

void et_parallel_finish(struct et_parallel *par)
{
	et_hmap_finish(&par->batches.groups);
	et_hmap_finish(&par->timestamps.groups);
	free(par->batches.stats);
	free(par->timestamps.stats);
}

static const char *tool_name(const struct et_parallel *par, uint32_t t)
{
	return et_hmap_key(par->tools, t, NULL);
}

/* Sorts @n tool indices by name (insertion sort: n is at most ET_PARALLEL_TOOLS). */
static void sort_tools(const struct et_parallel *par, uint32_t *t, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t x = t[i];

		for (j = i; j > 0 && strcmp(tool_name(par, t[j - 1]), tool_name(par, x)) > 0; j--) {
			t[j] = t[j - 1];
		}
		t[j] = x;
	}
}

/* Closes @run: an opportunity when it held two batches or more. */
static int close_run(struct et_parallel *par, struct et_parallel_totals *tot,
		     struct et_parallel_run *run)
{
	uint32_t tools[ET_PARALLEL_TOOLS];
	size_t i;
	long g;
	double saved = run->sum_batch_max - run->max;

	if (run->batches >= 2) {
		tot->opportunities++;
		tot->calls += run->calls;
		tot->saved += saved;
		memcpy(tools, run->tools, run->ntools * sizeof(*tools));
		sort_tools(par, tools, run->ntools);
		et_buf_reset(par->tmp);
		for (i = 0; i < run->ntools; i++) {
			et_buf_adds(par->tmp, i ? "," : "");
			et_buf_adds(par->tmp, tool_name(par, tools[i]));
		}
		g = et_hmap_get(&tot->groups, par->tmp->data, par->tmp->len, true, NULL);
		if (g < 0 || et_hmap_values_grow((void **)&tot->stats, &tot->alloc,
						 sizeof(*tot->stats), (size_t)g) < 0) {
			return -ENOMEM;
		}
		tot->stats[g].count++;
		tot->stats[g].saved += saved;
	}
	memset(run, 0, sizeof(*run));
	return 0;
}

static void add_tool(uint32_t *tools, size_t *n, uint32_t t)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (tools[i] == t) {
			return;
		}
	}
	if (*n < ET_PARALLEL_TOOLS) {
		tools[(*n)++] = t;
	}
}

/* A batch is complete: it extends the read-only run, or (writing something) ends it. */
static int end_batch(struct et_parallel *par, struct et_parallel_totals *tot,
		     struct et_parallel_run *run, struct et_parallel_batch *b)
{
	size_t i;
	int r = 0;

	if (b->calls == 0) {
		return 0;
	}
	if (b->read_only) {
		run->batches++;
		run->calls += b->calls;
		run->sum_batch_max += b->max;
		if (b->max > run->max) {
			run->max = b->max;
		}
		for (i = 0; i < b->ntools; i++) {
			add_tool(run->tools, &run->ntools, b->tools[i]);
		}
	} else {
		r = close_run(par, tot, run);
	}
	memset(b, 0, sizeof(*b));
	b->read_only = true;
	return r;
}

static void batch_add(struct et_parallel_batch *b, uint32_t tool, bool read_only, bool has_lat,
		      double lat)
{
	if (b->calls == 0) {
		b->read_only = true;
	}
	b->calls++;
	b->read_only = b->read_only && read_only;
	if (has_lat && lat > b->max) {
		b->max = lat;
	}
	add_tool(b->tools, &b->ntools, tool);
}

int et_parallel_call(struct et_parallel *par, struct et_parallel_session *s, uint32_t tool,
		     bool read_only, const struct et_record_in *rec)
{
	int r;

	batch_add(&s->cur, tool, read_only, rec->has_latency, rec->latency_ms);
	/* Timestamps: a call far from the previous one starts a new pseudo-batch. */
	if (s->ts_cur.calls && rec->has_ts &&
	    (rec->ts_ms - s->ts_cur.last_ts > SAME_BATCH_MS || rec->ts_ms < s->ts_cur.last_ts)) {
		r = end_batch(par, &par->timestamps, &s->ts_run, &s->ts_cur);
		if (r < 0) {
			return r;
		}
	}
	batch_add(&s->ts_cur, tool, read_only, rec->has_latency, rec->latency_ms);
	s->ts_cur.last_ts = rec->ts_ms;
	return 0;
}

int et_parallel_batch(struct et_parallel *par, struct et_parallel_session *s)
{
	par->saw_batches = true;
	return end_batch(par, &par->batches, &s->run, &s->cur);
}

int et_parallel_close(struct et_parallel *par, struct et_parallel_session *s)
{
	if (end_batch(par, &par->batches, &s->run, &s->cur) < 0 ||
	    close_run(par, &par->batches, &s->run) < 0 ||
	    end_batch(par, &par->timestamps, &s->ts_run, &s->ts_cur) < 0 ||
	    close_run(par, &par->timestamps, &s->ts_run) < 0) {
		return -ENOMEM;
	}
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct et_par_group *x = a, *y = b;

	if (x->saved_ms != y->saved_ms) {
		return x->saved_ms > y->saved_ms ? -1 : 1;
	}
	return strcmp(x->tools, y->tools);
}

int et_parallel_result(const struct et_parallel *par, const char *tool,
		       struct et_patterns_result *res)
{
	const struct et_parallel_totals *tot = par->saw_batches ? &par->batches : &par->timestamps;
	size_t i;

	res->par_from_batches = par->saw_batches;
	res->par_opportunities = tot->opportunities;
	res->par_calls = tot->calls;
	res->par_saved_ms = tot->saved;
	res->par_groups = calloc(tot->groups.n + 1, sizeof(*res->par_groups));
	if (!res->par_groups) {
		return -ENOMEM;
	}
	for (i = 0; i < tot->groups.n; i++) {
		const char *k = et_hmap_key(&tot->groups, i, NULL);
		struct et_par_group *g = &res->par_groups[res->npar_groups];

		if (tool) {
			size_t tl = strlen(tool);
			const char *hit = strstr(k, tool);

			if (!hit || (hit != k && hit[-1] != ',') || (hit[tl] && hit[tl] != ',')) {
				continue;
			}
		}
		g->tools = strdup(k);
		if (!g->tools) {
			return -ENOMEM;
		}
		g->count = tot->stats[i].count;
		g->saved_ms = tot->stats[i].saved;
		res->npar_groups++;
	}
	qsort(res->par_groups, res->npar_groups, sizeof(*res->par_groups), group_cmp);
	return 0;
}
