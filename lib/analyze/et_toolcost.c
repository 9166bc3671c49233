/*
 * et_toolcost: cost per tool call. The idea is to follow one transcript (one context) in order
 * and split every response's dollars, category by category, between the calls it owes them to:
 * its output between the blocks it wrote (a tool_use block's share is its share of the bytes), and
 * its prompt between the tool results it carries. A result that arrived since the previous
 * response is charged from the cache writes, then the uncached input; a result carried from
 * before is charged from the cache reads, then the rest. Each result is charged its estimated
 * tokens (bytes / 4) on every request until a compaction; when the results want more tokens than a
 * category holds, they share it in proportion. What is left is unattributed, so the parts always
 * add up to the total (docs/cost.md).
 */
#include "et_toolcost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_hmap.h"

#include "banned.h"

#define TOP_CALLS 10

struct call {
	uint32_t name;
	uint64_t out_tokens, result_bytes, tau, requests;
	double ctx_tokens, out_exact, cost;
	bool has_result;
};

struct block {
	uint32_t call;
	size_t bytes;
};

struct idx_list {
	uint32_t *v;
	size_t n, alloc;
};

struct et_toolcost {
	const struct et_pricing *pricing;
	const struct et_usage_filter *filter;
	const char *tool;
	struct et_hmap ids, names, done, done_msgs, models;
	struct call *calls;
	size_t ncalls, calls_alloc;
	/* the response being read (its lines come one after the other) */
	bool pending;
	struct et_buf key;
	struct et_tx_usage u;
	uint32_t model;
	bool passes, sidechain;
	struct block *blocks;
	size_t nblocks, blocks_alloc;
	size_t content_bytes;
	/* the context */
	struct idx_list live, fresh;
	/* results */
	double total;
	struct et_usage_totals totals;
	struct et_usage_model *unpriced;
	size_t nunpriced, responses, duplicates, calls_in_log;
	struct et_hmap log_ids;
	struct et_buf tmp;
};

static int list_push(struct idx_list *l, uint32_t v)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 64;
		uint32_t *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv) {
			return -ENOMEM;
		}
		l->v = nv;
		l->alloc = na;
	}
	l->v[l->n++] = v;
	return 0;
}

struct et_toolcost *et_toolcost_create(const struct et_pricing *p, const struct et_usage_filter *f,
				       const char *tool)
{
	struct et_toolcost *t = calloc(1, sizeof(*t));

	if (!t) {
		return NULL;
	}
	t->pricing = p;
	t->filter = f;
	t->tool = tool;
	et_hmap_init(&t->ids);
	et_hmap_init(&t->names);
	et_hmap_init(&t->done);
	et_hmap_init(&t->done_msgs);
	et_hmap_init(&t->models);
	et_hmap_init(&t->log_ids);
	et_buf_init(&t->key, 4096);
	et_buf_init(&t->tmp, (size_t)1 << 20);
	return t;
}

void et_toolcost_destroy(struct et_toolcost *t)
{
	size_t i;

	if (!t) {
		return;
	}
	et_hmap_finish(&t->ids);
	et_hmap_finish(&t->names);
	et_hmap_finish(&t->done);
	et_hmap_finish(&t->done_msgs);
	et_hmap_finish(&t->models);
	et_hmap_finish(&t->log_ids);
	et_buf_finish(&t->key);
	et_buf_finish(&t->tmp);
	free(t->calls);
	free(t->blocks);
	free(t->live.v);
	free(t->fresh.v);
	for (i = 0; i < t->nunpriced; i++) {
		free(t->unpriced[i].model);
	}
	free(t->unpriced);
	free(t);
}

static long call_of(struct et_toolcost *t, struct et_span id, struct et_span name)
{
	bool added = false;
	size_t n;
	const char *k = et_span_key(id, &t->tmp, "", &n);
	long i = et_hmap_get(&t->ids, k, n, true, &added), ni;

	if (i < 0) {
		return -ENOMEM;
	}
	if (added) {
		if (t->ncalls == t->calls_alloc) {
			size_t na = t->calls_alloc ? t->calls_alloc * 2 : 256;
			struct call *nv = realloc(t->calls, na * sizeof(*nv));

			if (!nv) {
				return -ENOMEM;
			}
			t->calls = nv;
			t->calls_alloc = na;
		}
		memset(&t->calls[t->ncalls], 0, sizeof(t->calls[0]));
		t->ncalls++;
		ni = et_hmap_get(&t->names, "(unknown)", 9, true, NULL);
		if (ni < 0) {
			return -ENOMEM;
		}
		t->calls[i].name = (uint32_t)ni;
	}
	if (name.p) {
		k = et_span_key(name, &t->tmp, "(unknown)", &n);
		ni = et_hmap_get(&t->names, k, n, true, NULL);
		if (ni < 0) {
			return -ENOMEM;
		}
		t->calls[i].name = (uint32_t)ni;
	}
	return i;
}

static bool passes(struct et_toolcost *t, const struct et_tx_line *l)
{
	const struct et_usage_filter *f = t->filter;
	size_t n, len;
	const char *k;

	if (!f) {
		return true;
	}
	if ((f->has_since || f->has_until) &&
	    (!l->has_ts || (f->has_since && l->ts_ms < f->since_ms) ||
	     (f->has_until && l->ts_ms >= f->until_ms))) {
		return false;
	}
	if (f->session && !et_span_eq(l->session, f->session)) {
		return false;
	}
	if (f->project) {
		n = strlen(f->project);
		if (!l->cwd.p) {
			return false;
		}
		k = et_span_key(l->cwd, &t->tmp, "", &len);
		if (!(len >= n && memcmp(k, f->project, n) == 0 &&
		      (len == n || k[n] == '/' || n == 1))) {
			return false;
		}
	}
	return true;
}

static int add_unpriced(struct et_toolcost *t, const char *name, size_t len,
			const struct et_tx_usage *x)
{
	size_t i;
	struct et_usage_model *nv, *m = NULL;

	for (i = 0; i < t->nunpriced; i++) {
		if (strlen(t->unpriced[i].model) == len &&
		    !memcmp(t->unpriced[i].model, name, len)) {
			m = &t->unpriced[i];
		}
	}
	if (!m) {
		nv = realloc(t->unpriced, (t->nunpriced + 1) * sizeof(*nv));
		if (!nv) {
			return -ENOMEM;
		}
		t->unpriced = nv;
		m = &nv[t->nunpriced++];
		memset(m, 0, sizeof(*m));
		m->model = strndup(name, len);
		if (!m->model) {
			return -ENOMEM;
		}
	}
	m->t.input += x->input;
	m->t.output += x->output;
	m->t.cache_create += x->cache_create;
	m->t.cache_read += x->cache_read;
	m->t.messages++;
	return 0;
}

/* Charges the results in @l @demand tokens from the pools in @order, updating the pools. */
static void charge(struct et_toolcost *t, const struct idx_list *l, const int order[3],
		   double pool[3], const double unit[3])
{
	double demand = 0, got[3] = {0, 0, 0}, want;
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		demand += (double)t->calls[l->v[i]].tau;
	}
	if (demand <= 0) {
		return;
	}
	want = demand;
	for (k = 0; k < 3 && want > 0; k++) {
		int c = order[k];
		double take = want < pool[c] ? want : pool[c];

		got[c] = take;
		pool[c] -= take;
		want -= take;
	}
	for (i = 0; i < l->n; i++) {
		struct call *cl = &t->calls[l->v[i]];
		double share = (double)cl->tau / demand;

		for (k = 0; k < 3; k++) {
			cl->ctx_tokens += got[k] * share;
			cl->cost += got[k] * share * unit[k];
		}
		cl->requests++;
	}
}

/* Prices the response being read and splits its cost; then its context moves on. */
static int settle(struct et_toolcost *t)
{
	const struct et_price *pr;
	const char *model;
	size_t len, i;
	double parts[ET_NPARTS], sum, pool[3], unit[3];
	static const int fresh_order[3] = {0, 1, 2}; /* cache writes, input, cache reads */
	static const int carried_order[3] = {2, 0, 1};
	int r = 0;

	if (!t->pending) {
		return 0;
	}
	t->pending = false;
	if (et_hmap_get(&t->done, t->key.data, t->key.len, true, NULL) < 0) {
		return -ENOMEM;
	}
	if (t->passes) {
		model = et_hmap_key(&t->models, t->model, &len);
		pr = et_pricing_find(t->pricing, model, len);
		t->responses++;
		t->totals.input += t->u.input;
		t->totals.output += t->u.output;
		t->totals.cache_create += t->u.cache_create;
		t->totals.cache_1h += t->u.cache_1h;
		t->totals.cache_read += t->u.cache_read;
		t->totals.web_search += t->u.web_search;
		t->totals.web_fetch += t->u.web_fetch;
		t->totals.messages++;
		if (!pr) {
			r = add_unpriced(t, model, len, &t->u);
		} else {
			sum = et_pricing_cost(pr, &t->u, parts);
			t->total += sum;
			t->totals.cost += sum;
			for (i = 0; i < t->nblocks && t->content_bytes; i++) {
				struct call *cl = &t->calls[t->blocks[i].call];
				double share =
					(double)t->blocks[i].bytes / (double)t->content_bytes;

				if (share > 1) {
					share = 1;
				}
				cl->cost += parts[ET_PART_OUTPUT] * share;
				cl->out_exact += (double)t->u.output * share;
			}
			pool[0] = (double)t->u.cache_create;
			pool[1] = (double)t->u.input;
			pool[2] = (double)t->u.cache_read;
			unit[0] = pool[0] > 0
					  ? (parts[ET_PART_CACHE_5M] + parts[ET_PART_CACHE_1H]) /
						    pool[0]
					  : 0;
			unit[1] = pool[1] > 0 ? parts[ET_PART_INPUT] / pool[1] : 0;
			unit[2] = pool[2] > 0 ? parts[ET_PART_CACHE_READ] / pool[2] : 0;
			charge(t, &t->fresh, fresh_order, pool, unit);
			charge(t, &t->live, carried_order, pool, unit);
		}
	}
	for (i = 0; i < t->fresh.n && r == 0; i++) {
		r = list_push(&t->live, t->fresh.v[i]);
	}
	t->fresh.n = 0;
	t->nblocks = 0;
	t->content_bytes = 0;
	return r;
}

int et_toolcost_begin_file(struct et_toolcost *t, bool subagent, const char *agent_type)
{
	int r = settle(t);

	(void)subagent;
	(void)agent_type;
	t->live.n = 0;
	t->fresh.n = 0;
	return r;
}

static uint64_t total_tokens(const struct et_tx_usage *x)
{
	return x->input + x->output + x->cache_create + x->cache_read;
}

static int add_usage(struct et_toolcost *t, const struct et_tx_line *l)
{
	size_t i, mn;
	long c, m;
	bool same;

	et_buf_reset(&t->tmp);
	if (l->msg_id.p) {
		et_buf_add(&t->tmp, l->msg_id.p, l->msg_id.n);
	}
	et_buf_addch(&t->tmp, '\n');
	if (l->request_id.p) {
		et_buf_add(&t->tmp, l->request_id.p, l->request_id.n);
	}
	if (t->tmp.failed) {
		return -ENOMEM;
	}
	same = t->pending && t->key.len == t->tmp.len && l->msg_id.p &&
	       !memcmp(t->key.data, t->tmp.data, t->tmp.len);
	if (!same) {
		int r = settle(t);

		if (r < 0) {
			return r;
		}
		/* A response already counted (a repeat further down, or a sidechain replay). */
		mn = l->msg_id.p ? l->msg_id.n : 0;
		if ((l->msg_id.p &&
		     et_hmap_get(&t->done, t->tmp.data, t->tmp.len, false, NULL) >= 0) ||
		    (l->sidechain && mn &&
		     et_hmap_get(&t->done_msgs, l->msg_id.p, mn, false, NULL) >= 0)) {
			t->duplicates++;
			return 0;
		}
		if (mn && !l->sidechain &&
		    et_hmap_get(&t->done_msgs, l->msg_id.p, mn, true, NULL) < 0) {
			return -ENOMEM;
		}
		et_buf_reset(&t->key);
		et_buf_add(&t->key, t->tmp.data, t->tmp.len);
		if (!l->msg_id.p) {
			/* No id: a response of its own. */
			et_buf_addf(&t->key, "\x01%zu", t->responses + t->duplicates);
		}
		t->pending = true;
		t->u = l->u;
		t->sidechain = l->sidechain;
		t->passes = passes(t, l) && !et_span_eq(l->model, "<synthetic>");
		{
			size_t n;
			const char *k = et_span_key(l->model, &t->tmp, "(no model)", &n);

			m = et_hmap_get(&t->models, k, n, true, NULL);
		}
		if (m < 0) {
			return -ENOMEM;
		}
		t->model = (uint32_t)m;
	} else {
		t->duplicates++;
		if (total_tokens(&l->u) > total_tokens(&t->u)) {
			t->u = l->u;
		}
	}
	t->content_bytes += l->content_bytes;
	for (i = 0; i < l->nblocks; i++) {
		if (!l->blocks[i].name.p) {
			continue;
		}
		c = call_of(t, l->blocks[i].id, l->blocks[i].name);
		if (c < 0) {
			return -ENOMEM;
		}
		if (t->nblocks == t->blocks_alloc) {
			size_t na = t->blocks_alloc ? t->blocks_alloc * 2 : 32;
			struct block *nv = realloc(t->blocks, na * sizeof(*nv));

			if (!nv) {
				return -ENOMEM;
			}
			t->blocks = nv;
			t->blocks_alloc = na;
		}
		t->blocks[t->nblocks].call = (uint32_t)c;
		t->blocks[t->nblocks].bytes = l->blocks[i].bytes;
		t->nblocks++;
	}
	return 0;
}

int et_toolcost_add(struct et_toolcost *t, const struct et_tx_line *l)
{
	size_t i;
	long c;
	int r;

	switch (l->kind) {
	case ET_TX_USAGE:
		return add_usage(t, l);
	case ET_TX_RESET:
		r = settle(t);
		t->live.n = 0;
		t->fresh.n = 0;
		return r;
	case ET_TX_RESULTS:
		r = settle(t);
		for (i = 0; r == 0 && i < l->nblocks; i++) {
			struct et_span none = {NULL, 0, false};

			c = call_of(t, l->blocks[i].id, none);
			if (c < 0) {
				return -ENOMEM;
			}
			if (t->calls[c].has_result) {
				continue;
			}
			t->calls[c].has_result = true;
			t->calls[c].result_bytes = l->blocks[i].bytes;
			t->calls[c].tau = (l->blocks[i].bytes + ET_TOOLCOST_BYTES_PER_TOKEN - 1) /
					  ET_TOOLCOST_BYTES_PER_TOKEN;
			r = list_push(&t->fresh, (uint32_t)c);
		}
		return r;
	default:
		return 0;
	}
}

int et_toolcost_add_record(struct et_toolcost *t, const struct et_record_in *rec)
{
	size_t n;
	const char *k;

	if (!rec->tool_use_id.p || rec->is_batch) {
		return 0;
	}
	k = et_span_key(rec->tool_use_id, &t->tmp, "", &n);
	return et_hmap_get(&t->log_ids, k, n, true, NULL) < 0 ? -ENOMEM : 0;
}

bool et_toolcost_call_cost(struct et_toolcost *t, const char *id, size_t n, double *cost)
{
	long i = et_hmap_get(&t->ids, id, n, false, NULL);

	if (i < 0 || (size_t)i >= t->ncalls) {
		return false;
	}
	*cost = t->calls[i].cost;
	return true;
}

static int tool_cmp(const void *a, const void *b)
{
	const struct et_toolcost_tool *x = a, *y = b;

	if (x->cost != y->cost) {
		return x->cost < y->cost ? 1 : -1;
	}
	return strcmp(x->name, y->name);
}

int et_toolcost_end(struct et_toolcost *t, struct et_toolcost_result *res)
{
	size_t i, j, len;
	double attributed = 0;
	uint32_t *order = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	r = settle(t);
	if (r < 0) {
		return r;
	}
	res->tools = calloc(t->names.n + 1, sizeof(*res->tools));
	order = calloc(TOP_CALLS, sizeof(*order));
	if (!res->tools || !order) {
		free(order);
		et_toolcost_result_finish(res);
		return -ENOMEM;
	}
	for (i = 0; i < t->names.n; i++) {
		res->tools[i].name = strdup(et_hmap_key(&t->names, i, &len));
		if (!res->tools[i].name) {
			r = -ENOMEM;
		}
	}
	res->ntools = t->names.n;
	for (i = 0; i < t->ncalls && r == 0; i++) {
		struct call *c = &t->calls[i];
		struct et_toolcost_tool *tl = &res->tools[c->name];
		size_t idlen;
		const char *id = et_hmap_key(&t->ids, i, &idlen);

		tl->calls++;
		tl->cost += c->cost;
		tl->out_tokens += (uint64_t)(c->out_exact + 0.5);
		tl->ctx_tokens += (uint64_t)(c->ctx_tokens + 0.5);
		tl->result_bytes += c->result_bytes;
		attributed += c->cost;
		if (et_hmap_get(&t->log_ids, id, idlen, false, NULL) >= 0) {
			res->calls_joined++;
		}
		if (t->tool && strcmp(tl->name, t->tool) != 0) {
			continue;
		}
		/* Keep the TOP_CALLS most expensive calls, in order. */
		for (j = res->ntop; j > 0 && t->calls[order[j - 1]].cost < c->cost; j--) {
		}
		if (j < TOP_CALLS) {
			size_t last = res->ntop < TOP_CALLS ? res->ntop : TOP_CALLS - 1;

			memmove(order + j + 1, order + j, (last - j) * sizeof(*order));
			order[j] = (uint32_t)i;
			if (res->ntop < TOP_CALLS) {
				res->ntop++;
			}
		}
	}
	res->top = calloc(res->ntop + 1, sizeof(*res->top));
	if (!res->top) {
		r = -ENOMEM;
	}
	for (i = 0; r == 0 && i < res->ntop; i++) {
		const struct call *c = &t->calls[order[i]];
		struct et_toolcost_call *o = &res->top[i];

		o->id = strdup(et_hmap_key(&t->ids, order[i], &len));
		o->name = strdup(et_hmap_key(&t->names, c->name, &len));
		o->cost = c->cost;
		o->out_tokens = (uint64_t)(c->out_exact + 0.5);
		o->ctx_tokens = (uint64_t)(c->ctx_tokens + 0.5);
		o->result_bytes = c->result_bytes;
		o->requests = c->requests;
		if (!o->id || !o->name) {
			r = -ENOMEM;
		}
	}
	free(order);
	if (r < 0) {
		et_toolcost_result_finish(res);
		return r;
	}
	/* Tools no call was made to (a --tool filter) are left out. */
	j = 0;
	for (i = 0; i < res->ntools; i++) {
		if (res->tools[i].calls && (!t->tool || !strcmp(res->tools[i].name, t->tool))) {
			res->tools[j++] = res->tools[i];
		} else {
			free(res->tools[i].name);
		}
	}
	res->ntools = j;
	qsort(res->tools, res->ntools, sizeof(*res->tools), tool_cmp);
	res->total = t->total;
	res->unattributed = t->total - attributed;
	if (res->unattributed < 0 && res->unattributed > -1e-9) {
		res->unattributed = 0;
	}
	res->totals = t->totals;
	res->unpriced = t->unpriced;
	res->nunpriced = t->nunpriced;
	t->unpriced = NULL;
	t->nunpriced = 0;
	res->responses = t->responses;
	res->duplicates = t->duplicates;
	res->calls_in_log = t->log_ids.n;
	return 0;
}

int et_toolcost_result_params(struct et_toolcost_result *res, const struct et_record_in *rec)
{
	size_t i;

	if (!rec->tool_use_id.p || !rec->params) {
		return 0;
	}
	for (i = 0; i < res->ntop; i++) {
		if (!res->top[i].params && et_span_eq(rec->tool_use_id, res->top[i].id)) {
			res->top[i].params = strndup(rec->params, rec->params_len);
			return res->top[i].params ? 0 : -ENOMEM;
		}
	}
	return 0;
}

void et_toolcost_result_finish(struct et_toolcost_result *res)
{
	size_t i;

	if (!res) {
		return;
	}
	for (i = 0; i < res->ntools; i++) {
		free(res->tools[i].name);
	}
	free(res->tools);
	for (i = 0; i < res->ntop; i++) {
		free(res->top[i].id);
		free(res->top[i].name);
		free(res->top[i].params);
	}
	free(res->top);
	for (i = 0; i < res->nunpriced; i++) {
		free(res->unpriced[i].model);
	}
	free(res->unpriced);
	memset(res, 0, sizeof(*res));
}
