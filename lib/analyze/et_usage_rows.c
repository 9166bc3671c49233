/*
 * et_usage_rows: the end of the usage aggregator. The idea is that pricing waits until every line
 * has been seen: only then is each response's most complete line known, so each is priced once,
 * and summed into the row of its key (the last row is tried first: entries come in file order,
 * in long runs of one key), then the rows are sorted.
 */
#include "et_usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_hmap.h"
#include "et_usage_priv.h"

#include "banned.h"

static void add_totals(struct et_usage_totals *t, const struct et_tx_usage *x, double cost)
{
	t->input += x->input;
	t->output += x->output;
	t->cache_create += x->cache_create;
	t->cache_1h += x->cache_1h;
	t->cache_read += x->cache_read;
	t->web_search += x->web_search;
	t->web_fetch += x->web_fetch;
	t->messages++;
	t->cost += cost;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

/* The day a time row starts on (days since the epoch), or INT64_MIN for an entry without time. */
static int64_t time_day(enum et_usage_by by, const struct entry *e)
{
	int64_t days;

	if (e->key == NO_DAY) {
		return INT64_MIN;
	}
	days = e->key;
	if (by == ET_BY_WEEK) {
		/* 1970-01-01 was a Thursday: Monday starts the week. */
		days -= ((days % 7) + 7 + 3) % 7;
	}
	return days;
}

static void time_key(enum et_usage_by by, int64_t days, char *out, size_t n)
{
	int y;
	unsigned m, d;

	if (days == INT64_MIN) {
		snprintf(out, n, "(no time)");
		return;
	}
	civil(days, &y, &m, &d);
	if (by == ET_BY_MONTH) {
		snprintf(out, n, "%04d-%02u", y, m);
	} else {
		snprintf(out, n, "%04d-%02u-%02u", y, m, d);
	}
}

static int add_model(struct et_usage_model **v, size_t *n, const char *name, size_t len,
		     const struct et_tx_usage *x, double cost, bool priced)
{
	size_t i;
	struct et_usage_model *nv;

	for (i = 0; i < *n; i++) {
		if (strlen((*v)[i].model) == len && !memcmp((*v)[i].model, name, len)) {
			add_totals(&(*v)[i].t, x, cost);
			return 0;
		}
	}
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		return -ENOMEM;
	}
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].model = strndup(name, len);
	if (!nv[*n].model) {
		return -ENOMEM;
	}
	nv[*n].priced = priced;
	add_totals(&nv[*n].t, x, cost);
	(*n)++;
	return 0;
}

static int by_cost(const void *a, const void *b)
{
	const struct et_usage_row *x = a, *y = b;

	if (x->t.cost != y->t.cost) {
		return x->t.cost < y->t.cost ? 1 : -1;
	}
	return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct et_usage_row *)a)->key, ((const struct et_usage_row *)b)->key);
}

static int model_cost(const void *a, const void *b)
{
	const struct et_usage_model *x = a, *y = b;

	if (x->t.cost != y->t.cost) {
		return x->t.cost < y->t.cost ? 1 : -1;
	}
	return strcmp(x->model, y->model);
}

int et_usage_end(struct et_usage *u, struct et_usage_result *res)
{
	struct et_hmap rows;
	const struct et_price **prices = NULL;
	size_t i, alloc = 0, len;
	int64_t last_bucket = 0;
	long last_ri = -1;
	int r = 0;

	memset(res, 0, sizeof(*res));
	et_hmap_init(&rows);
	prices = calloc(u->models.n + 1, sizeof(*prices));
	if (!prices) {
		return -ENOMEM;
	}
	for (i = 0; i < u->models.n; i++) {
		const char *name = et_hmap_key(&u->models, i, &len);

		prices[i] = et_pricing_find(u->pricing, name, len);
	}
	res->usage_lines = u->usage_lines;
	res->duplicates = u->duplicates;
	res->synthetic = u->synthetic;
	res->no_id = u->no_id;
	for (i = 0; i < u->n && r == 0; i++) {
		const struct entry *e = &u->v[i];
		struct et_tx_usage x;
		const struct et_price *pr = prices[e->model];
		const char *model = et_hmap_key(&u->models, e->model, &len);
		size_t mlen = len;
		char kb[64];
		const char *k = NULL;
		size_t kn = 0;
		int64_t bucket;
		long ri;
		bool added = false;
		double cost;

		if ((e->flags & E_SIDECHAIN) && e->msgid != NO_MSG && u->msgs[e->msgid].nonside) {
			res->sidechain_replays++;
			continue;
		}
		et_usage_entry_usage(u, e, &x);
		cost = pr ? et_pricing_cost(pr, &x, NULL) : 0;
		/*
		 * The row's bucket: the day it starts on, or the key's index. Entries come in file
		 * order, so runs of one bucket are long: the row of the last one is tried first.
		 */
		switch (u->by) {
		case ET_BY_DAY:
		case ET_BY_WEEK:
		case ET_BY_MONTH:
			bucket = time_day(u->by, e);
			break;
		default:
			bucket = e->key;
			break;
		}
		if (last_ri >= 0 && bucket == last_bucket) {
			ri = last_ri;
		} else {
			switch (u->by) {
			case ET_BY_DAY:
			case ET_BY_WEEK:
			case ET_BY_MONTH:
				time_key(u->by, bucket, kb, sizeof(kb));
				k = kb;
				kn = strlen(kb);
				break;
			case ET_BY_SESSION:
				k = et_hmap_key(&u->sessions, (size_t)e->key, &kn);
				break;
			case ET_BY_PROJECT:
				k = et_hmap_key(&u->projects, (size_t)e->key, &kn);
				break;
			case ET_BY_MODEL:
				k = model;
				kn = mlen;
				break;
			default:
				k = et_hmap_key(&u->agents, (size_t)e->key, &kn);
				break;
			}
			ri = et_hmap_get(&rows, k, kn, true, &added);
		}
		if (ri < 0) {
			r = -ENOMEM;
			break;
		}
		last_bucket = bucket;
		last_ri = ri;
		if (added) {
			if (res->nrows == alloc) {
				size_t na = alloc ? alloc * 2 : 64;
				struct et_usage_row *nv = realloc(res->rows, na * sizeof(*nv));

				if (!nv) {
					r = -ENOMEM;
					break;
				}
				res->rows = nv;
				alloc = na;
			}
			memset(&res->rows[res->nrows], 0, sizeof(res->rows[0]));
			res->rows[res->nrows].key = strndup(k, kn);
			if (!res->rows[res->nrows].key) {
				r = -ENOMEM;
				break;
			}
			res->nrows++;
		}
		add_totals(&res->rows[ri].t, &x, cost);
		add_totals(&res->totals, &x, cost);
		if (u->breakdown) {
			r = add_model(&res->rows[ri].models, &res->rows[ri].nmodels, model, mlen,
				      &x, cost, pr != NULL);
		}
		if (r == 0 && !pr) {
			r = add_model(&res->unpriced, &res->nunpriced, model, mlen, &x, 0, false);
		}
	}
	if (r == 0 && res->nrows > 1) {
		qsort(res->rows, res->nrows, sizeof(*res->rows),
		      u->by <= ET_BY_MONTH ? by_key : by_cost);
		for (i = 0; i < res->nrows; i++) {
			if (res->rows[i].nmodels > 1) {
				qsort(res->rows[i].models, res->rows[i].nmodels,
				      sizeof(*res->rows[i].models), model_cost);
			}
		}
	}
	free(prices);
	et_hmap_finish(&rows);
	if (r < 0) {
		et_usage_result_finish(res);
	}
	return r;
}

static void models_free(struct et_usage_model *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].model);
	}
	free(v);
}

void et_usage_result_finish(struct et_usage_result *res)
{
	size_t i;

	if (!res) {
		return;
	}
	for (i = 0; i < res->nrows; i++) {
		free(res->rows[i].key);
		models_free(res->rows[i].models, res->rows[i].nmodels);
	}
	free(res->rows);
	models_free(res->unpriced, res->nunpriced);
	memset(res, 0, sizeof(*res));
}

int et_usage_each(const struct et_usage *u, et_usage_each_fn fn, void *ctx)
{
	struct et_usage_response r;
	size_t i;
	int ret;

	if (!u->each) {
		return -EINVAL;
	}
	for (i = 0; i < u->n; i++) {
		const struct entry *e = &u->v[i];
		const struct resp *x = &u->resps[i];

		if ((e->flags & E_SIDECHAIN) && e->msgid != NO_MSG && u->msgs[e->msgid].nonside) {
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.session = et_hmap_key(&u->sessions, x->session, &r.session_len);
		r.model = et_hmap_key(&u->models, e->model, &r.model_len);
		r.agent_id = et_hmap_key(&u->agent_ids, x->agent_id, &r.agent_id_len);
		if (e->msgid != NO_MSG) {
			r.msg_id = u->ids + u->msgs[e->msgid].off;
			r.msg_id_len = u->msgs[e->msgid].len;
		}
		r.request_hash = x->req;
		r.index = i;
		r.has_ts = x->has_ts;
		r.ts_ms = x->ts_ms;
		et_usage_entry_usage(u, e, &r.u);
		ret = fn(ctx, &r);
		if (ret < 0) {
			return ret;
		}
	}
	return 0;
}
