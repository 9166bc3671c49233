/*
 * et_sessions_models: what is added up across sessions once they are walked: the counts, each
 * session's tokens and models from the transcripts (et_usage), the per-model table, and the order
 * of the agents, pipelines and models tables.
 */
#include "et_sessions_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"

#include "banned.h"

void et_sess_counts_add(struct et_sess_counts *to, const struct et_sess_counts *c)
{
	to->calls += c->calls;
	to->failures += c->failures;
	to->interrupted += c->interrupted;
	to->retries += c->retries;
	to->cycles += c->cycles;
	to->resolved += c->resolved;
	to->cycle_attempts += c->cycle_attempts;
	to->cycle_ms += c->cycle_ms;
	to->runs += c->runs;
	to->passes += c->passes;
	to->series += c->series;
	to->first_try += c->first_try;
}

/* The transcript's tokens and models for a session. */
int et_sess_attach_usage(struct et_session_row *row, const struct et_usage_result *u)
{
	struct et_buf b;
	size_t i, j;

	if (!u || !row->id) {
		return 0;
	}
	for (i = 0; i < u->nrows; i++) {
		if (strcmp(u->rows[i].key, row->id) != 0) {
			continue;
		}
		row->has_usage = true;
		row->usage = u->rows[i].t;
		et_buf_init(&b, 1 << 16);
		for (j = 0; j < u->rows[i].nmodels; j++) {
			et_buf_adds(&b, j ? "," : "");
			et_buf_adds(&b, u->rows[i].models[j].model);
		}
		if (b.len) {
			row->models = et_buf_detach(&b, NULL);
			if (!row->models) {
				return -ENOMEM;
			}
			if (!row->model) {
				row->model = strdup(u->rows[i].models[0].model);
				if (!row->model) {
					return -ENOMEM;
				}
			}
		}
		et_buf_finish(&b);
		return 0;
	}
	return 0;
}

int et_sess_by_model(struct et_sessions_result *res)
{
	size_t i, alloc = 0;

	for (i = 0; i < res->nsessions; i++) {
		const struct et_session_row *s = &res->sessions[i];
		struct et_model_row *m;
		long j = et_sess_named_row(
			(void **)&res->models, &res->nmodels, &alloc, sizeof(*res->models),
			offsetof(struct et_model_row, model), s->model ? s->model : "unknown");

		if (j < 0) {
			return -ENOMEM;
		}
		m = &res->models[j];
		m->sessions++;
		m->tasks += s->requests;
		et_sess_counts_add(&m->c, &s->c);
		if (s->has_usage) {
			m->has_cost = true;
			m->cost += s->usage.cost;
		}
	}
	return 0;
}

static int cmp_agent(const void *a, const void *b)
{
	const struct et_agent_row *x = a, *y = b;
	bool mx = !strcmp(x->type, "main"), my = !strcmp(y->type, "main");

	if (mx != my) {
		return mx ? -1 : 1;
	}
	if (x->invocations != y->invocations) {
		return x->invocations > y->invocations ? -1 : 1;
	}
	return strcmp(x->type, y->type);
}

static int cmp_pipeline(const void *a, const void *b)
{
	const struct et_pipeline_row *x = a, *y = b;

	if (x->runs != y->runs) {
		return x->runs > y->runs ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static int cmp_model(const void *a, const void *b)
{
	const struct et_model_row *x = a, *y = b;

	if (x->sessions != y->sessions) {
		return x->sessions > y->sessions ? -1 : 1;
	}
	return strcmp(x->model, y->model);
}

void et_sess_sort_tables(struct et_sessions_result *res)
{
	qsort(res->agents, res->nagents, sizeof(*res->agents), cmp_agent);
	if (res->npipelines) {
		qsort(res->pipelines, res->npipelines, sizeof(*res->pipelines), cmp_pipeline);
	}
	if (res->nmodels) {
		qsort(res->models, res->nmodels, sizeof(*res->models), cmp_model);
	}
}
