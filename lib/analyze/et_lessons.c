/*
 * et_lessons: rules learned from failures and the recoveries after them. The idea is that a
 * lesson is only worth the agent's context when the log shows both the failure, many times, and
 * what got the agent out of it: so failures are grouped by tool and error class, each session
 * keeps its few unrecovered failures for the next ET_LESSONS_WINDOW calls, and the call before
 * the tool's next success names the recovery. Memory grows with sessions and groups, not records.
 */
#include "et_lessons.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_hmap.h"

#include "banned.h"

#define MAX_PENDING 4
#define ID_MAX 64

struct pending {
	uint32_t group, tool;
	uint64_t fp;
	unsigned left;
};

struct sess {
	struct pending p[MAX_PENDING];
	size_t np;
	bool has_prev;
	uint32_t prev_tool;
	uint64_t prev_fp;
};

struct group {
	uint32_t tool;
	enum et_errclass cls;
	uint64_t failures, sessions, recovered;
	double lost_ms;
	uint32_t ex_sess; /* + 1; 0: none */
	char ex_id[ID_MAX];
};

struct review {
	char *id;
	char *tool;
	enum et_errclass cls;
	int64_t since_ms;
	uint64_t cb, fb, ca, fa;
};

struct et_lessons {
	uint64_t min_failures;
	double turn_ms;
	struct et_hmap sessions, tools, groups, steps, seen;
	struct sess *ss;
	size_t ss_alloc;
	struct group *gs;
	size_t gs_alloc;
	uint64_t *step_counts;
	size_t steps_alloc;
	struct review *rv;
	size_t nrv;
	struct et_buf tmp, key;
};

struct et_lessons *et_lessons_create(uint64_t min_failures, double turn_s)
{
	struct et_lessons *l = calloc(1, sizeof(*l));

	if (!l) {
		return NULL;
	}
	l->min_failures = min_failures < 3 ? 3 : min_failures;
	l->turn_ms = turn_s * 1000;
	et_hmap_init(&l->sessions);
	et_hmap_init(&l->tools);
	et_hmap_init(&l->groups);
	et_hmap_init(&l->steps);
	et_hmap_init(&l->seen);
	et_buf_init(&l->tmp, 1 << 20);
	et_buf_init(&l->key, 1 << 16);
	return l;
}

void et_lessons_destroy(struct et_lessons *l)
{
	size_t i;

	if (!l) {
		return;
	}
	et_hmap_finish(&l->sessions);
	et_hmap_finish(&l->tools);
	et_hmap_finish(&l->groups);
	et_hmap_finish(&l->steps);
	et_hmap_finish(&l->seen);
	free(l->ss);
	free(l->gs);
	free(l->step_counts);
	for (i = 0; i < l->nrv; i++) {
		free(l->rv[i].id);
		free(l->rv[i].tool);
	}
	free(l->rv);
	et_buf_finish(&l->tmp);
	et_buf_finish(&l->key);
	free(l);
}

static int class_of_name(const char *name, size_t n)
{
	int c;

	for (c = 0; c < ET_ERRCLASS_COUNT; c++) {
		const char *k = et_errclass_name((enum et_errclass)c);

		if (strlen(k) == n && !memcmp(k, name, n)) {
			return c;
		}
	}
	return -1;
}

int et_lessons_review(struct et_lessons *l, const char *id, int64_t since_ms)
{
	const char *slash = strrchr(id, '/');
	struct review *nv;
	int c;

	if (!slash || slash == id || (c = class_of_name(slash + 1, strlen(slash + 1))) < 0) {
		return -EINVAL;
	}
	nv = realloc(l->rv, (l->nrv + 1) * sizeof(*nv));
	if (!nv) {
		return -ENOMEM;
	}
	l->rv = nv;
	nv = &l->rv[l->nrv];
	memset(nv, 0, sizeof(*nv));
	nv->id = strdup(id);
	nv->tool = strndup(id, (size_t)(slash - id));
	nv->cls = (enum et_errclass)c;
	nv->since_ms = since_ms;
	l->nrv++;
	return nv->id && nv->tool ? 0 : -ENOMEM;
}

static long intern(struct et_hmap *m, const void *key, size_t n, void **values, size_t *alloc,
		   size_t size, bool *added)
{
	long i = et_hmap_get(m, key, n, true, added);

	if (i < 0 || (values && et_hmap_values_grow(values, alloc, size, (size_t)i) < 0)) {
		return -1;
	}
	return i;
}

/* Counts recovery step @what for group @g. */
static int add_step(struct et_lessons *l, uint32_t g, const char *what)
{
	long i;

	et_buf_reset(&l->key);
	et_buf_add(&l->key, &g, sizeof(g));
	et_buf_adds(&l->key, what);
	i = intern(&l->steps, l->key.data, l->key.len, (void **)&l->step_counts, &l->steps_alloc,
		   sizeof(*l->step_counts), NULL);
	if (i < 0 || l->key.failed) {
		return -ENOMEM;
	}
	l->step_counts[i]++;
	return 0;
}

int et_lessons_add(void *ctx, const struct et_record_in *rec)
{
	struct et_lessons *l = ctx;
	const char *key;
	size_t n, i;
	long si, ti;
	struct sess *s;
	uint64_t fp;
	enum et_errclass cls = ET_ERRCLASS_OTHER;
	bool failed = rec->outcome == ET_OUT_FAILURE;
	int r = 0;

	if (rec->is_batch || rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	key = et_span_key(rec->session, &l->tmp, "unknown", &n);
	si = intern(&l->sessions, key, n, (void **)&l->ss, &l->ss_alloc, sizeof(*l->ss), NULL);
	key = et_span_key(rec->tool, &l->tmp, "(unknown)", &n);
	ti = intern(&l->tools, key, n, NULL, NULL, 0, NULL);
	if (si < 0 || ti < 0) {
		return -ENOMEM;
	}
	s = &l->ss[si];
	fp = rec->params_fp.p ? et_hmap_hash(rec->params_fp.p, rec->params_fp.n) | 1 : 0;
	if (failed) {
		et_buf_reset(&l->tmp);
		if (et_span_decode(rec->error, &l->tmp) < 0) {
			return -ENOMEM;
		}
		cls = et_errclass_classify(et_hmap_key(&l->tools, (size_t)ti, NULL), l->tmp.data,
					   l->tmp.len);
	}

	/* --review: the targeted failure rate before and after each lesson was written. */
	for (i = 0; i < l->nrv; i++) {
		struct review *v = &l->rv[i];
		bool after = rec->has_ts && rec->ts_ms >= v->since_ms;

		if (strcmp(v->tool, et_hmap_key(&l->tools, (size_t)ti, NULL)) != 0) {
			continue;
		}
		*(after ? &v->ca : &v->cb) += 1;
		if (failed && cls == v->cls) {
			*(after ? &v->fa : &v->fb) += 1;
		}
	}

	/* Recoveries of this session's pending failures. */
	for (i = 0; i < s->np;) {
		struct pending *p = &s->p[i];

		if (p->tool == (uint32_t)ti && rec->outcome == ET_OUT_SUCCESS) {
			const char *what = !s->has_prev ? "(another input)"
					   : s->prev_tool != p->tool
						   ? et_hmap_key(&l->tools, s->prev_tool, NULL)
					   : fp != p->fp ? "(another input)"
							 : "(the same call again)";

			l->gs[p->group].recovered++;
			r = add_step(l, p->group, what);
		} else if (--p->left > 0) {
			i++;
			continue;
		}
		s->p[i] = s->p[--s->np];
		if (r < 0) {
			return r;
		}
	}

	if (failed) {
		const char *tool = et_hmap_key(&l->tools, (size_t)ti, &n);
		const char *cname = et_errclass_name(cls);
		struct group *g;
		bool added;
		long gi;
		uint32_t pair[2];

		et_buf_reset(&l->key);
		et_buf_add(&l->key, tool, n + 1);
		et_buf_adds(&l->key, cname);
		gi = intern(&l->groups, l->key.data, l->key.len, (void **)&l->gs, &l->gs_alloc,
			    sizeof(*l->gs), &added);
		if (gi < 0 || l->key.failed) {
			return -ENOMEM;
		}
		g = &l->gs[gi];
		g->tool = (uint32_t)ti;
		g->cls = cls;
		g->failures++;
		g->lost_ms += (rec->has_latency ? rec->latency_ms : 0) + l->turn_ms;
		pair[0] = (uint32_t)gi;
		pair[1] = (uint32_t)si;
		added = false;
		if (et_hmap_get(&l->seen, pair, sizeof(pair), true, &added) < 0) {
			return -ENOMEM;
		}
		if (added) {
			g->sessions++;
		}
		if (!g->ex_sess) {
			size_t k = rec->tool_use_id.p && !rec->tool_use_id.escaped
					   ? rec->tool_use_id.n
					   : 0;

			g->ex_sess = (uint32_t)si + 1;
			if (k >= ID_MAX) {
				k = ID_MAX - 1;
			}
			memcpy(g->ex_id, k ? rec->tool_use_id.p : "", k);
			g->ex_id[k] = '\0';
		}
		if (s->np == MAX_PENDING) {
			s->p[0] = s->p[--s->np]; /* the oldest gives way */
		}
		s->p[s->np].group = (uint32_t)gi;
		s->p[s->np].tool = (uint32_t)ti;
		s->p[s->np].fp = fp;
		s->p[s->np].left = ET_LESSONS_WINDOW;
		s->np++;
	}
	s->has_prev = true;
	s->prev_tool = (uint32_t)ti;
	s->prev_fp = fp;
	return 0;
}

const char *et_lessons_verdict(uint64_t cb, uint64_t fb, uint64_t ca, uint64_t fa,
			       uint64_t min_calls)
{
	double before, after;

	if (ca < min_calls) {
		return "too_early";
	}
	if (cb < min_calls) {
		return "unknown";
	}
	before = (double)fb / (double)cb;
	after = (double)fa / (double)ca;
	if (fa == 0 && fb > 0) {
		return "retire";
	}
	return after <= before / 2 && fb > 0 ? "worked" : "did_not_work";
}

/* Frees what lesson @x owns (not @x itself). */
static void lesson_free(struct et_lesson *x)
{
	size_t k;

	for (k = 0; k < x->nsteps; k++) {
		free(x->steps[k].what);
	}
	free(x->id);
	free(x->tool);
	free(x->rule);
	free(x->example_session);
	free(x->example_id);
}

static int lesson_cmp(const void *a, const void *b)
{
	const struct et_lesson *x = a, *y = b;

	if (x->lost_ms != y->lost_ms) {
		return x->lost_ms > y->lost_ms ? -1 : 1;
	}
	return strcmp(x->id, y->id);
}

static int step_cmp(const void *a, const void *b)
{
	const struct et_lesson_step *x = a, *y = b;

	if (x->count != y->count) {
		return x->count > y->count ? -1 : 1;
	}
	return strcmp(x->what, y->what);
}

/* The rule the agent reads: the class's hint, then the evidence. */
static char *make_rule(const struct et_lesson *x)
{
	struct et_buf b;

	et_buf_init(&b, 4096);
	et_buf_adds(&b, et_errclass_hint(x->cls));
	et_buf_addf(&b, " (%llu %s call%s failed this way in %llu session%s",
		    (unsigned long long)x->failures, x->tool, x->failures == 1 ? "" : "s",
		    (unsigned long long)x->sessions, x->sessions == 1 ? "" : "s");
	if (x->recovered && x->nsteps) {
		et_buf_addf(&b, "; %llu recovered, most often after ",
			    (unsigned long long)x->recovered);
		if (x->steps[0].what[0] == '(') {
			et_buf_add(&b, x->steps[0].what + 1, strlen(x->steps[0].what) - 2);
		} else {
			et_buf_addf(&b, "a %s call", x->steps[0].what);
		}
		et_buf_addf(&b, ": %llu time%s", (unsigned long long)x->steps[0].count,
			    x->steps[0].count == 1 ? "" : "s");
	}
	et_buf_adds(&b, ")");
	return b.failed ? (et_buf_finish(&b), NULL) : et_buf_detach(&b, NULL);
}

int et_lessons_end(struct et_lessons *l, size_t top, struct et_lessons_result *res)
{
	size_t i, k, n;
	int r = 0;

	memset(res, 0, sizeof(*res));
	res->min_failures = l->min_failures;
	res->items = calloc(l->groups.n + 1, sizeof(*res->items));
	res->reviews = calloc(l->nrv + 1, sizeof(*res->reviews));
	if (!res->items || !res->reviews) {
		return -ENOMEM;
	}
	for (i = 0; i < l->groups.n && r == 0; i++) {
		const struct group *g = &l->gs[i];
		struct et_lesson *x;
		char id[512];

		if (g->failures < l->min_failures) {
			res->below++;
			continue;
		}
		x = &res->items[res->n++];
		x->tool = strdup(et_hmap_key(&l->tools, g->tool, NULL));
		snprintf(id, sizeof(id), "%s/%s", x->tool ? x->tool : "", et_errclass_name(g->cls));
		x->id = strdup(id);
		x->cls = g->cls;
		x->failures = g->failures;
		x->sessions = g->sessions;
		x->recovered = g->recovered;
		x->lost_ms = g->lost_ms;
		if (g->ex_sess) {
			x->example_session =
				strdup(et_hmap_key(&l->sessions, g->ex_sess - 1, NULL));
			x->example_id = g->ex_id[0] ? strdup(g->ex_id) : NULL;
		}
		if (!x->tool || !x->id) {
			r = -ENOMEM;
		}
	}
	/* The recovery steps of each lesson: the most frequent ET_LESSONS_STEPS. */
	for (k = 0; k < l->steps.n && r == 0; k++) {
		size_t kn;
		const char *key = et_hmap_key(&l->steps, k, &kn);
		uint32_t g;
		struct et_lesson *x = NULL;
		char gid[512];

		memcpy(&g, key, sizeof(g));
		snprintf(gid, sizeof(gid), "%s/%s", et_hmap_key(&l->tools, l->gs[g].tool, NULL),
			 et_errclass_name(l->gs[g].cls));
		for (i = 0; i < res->n; i++) {
			if (!strcmp(res->items[i].id, gid)) {
				x = &res->items[i];
			}
		}
		if (!x) {
			continue;
		}
		if (x->nsteps < ET_LESSONS_STEPS) {
			x->steps[x->nsteps].what = strdup(key + sizeof(g));
			x->steps[x->nsteps].count = l->step_counts[k];
			r = x->steps[x->nsteps].what ? 0 : -ENOMEM;
			x->nsteps++;
		} else {
			struct et_lesson_step *least = &x->steps[ET_LESSONS_STEPS - 1];

			qsort(x->steps, x->nsteps, sizeof(x->steps[0]), step_cmp);
			if (l->step_counts[k] > least->count) {
				free(least->what);
				least->what = strdup(key + sizeof(g));
				least->count = l->step_counts[k];
				r = least->what ? 0 : -ENOMEM;
			}
		}
	}
	for (i = 0; i < res->n && r == 0; i++) {
		struct et_lesson *x = &res->items[i];

		qsort(x->steps, x->nsteps, sizeof(x->steps[0]), step_cmp);
		x->rule = make_rule(x);
		if (!x->rule) {
			r = -ENOMEM;
		}
	}
	if (r == 0 && res->n) {
		qsort(res->items, res->n, sizeof(res->items[0]), lesson_cmp);
	}
	n = res->n;
	while (r == 0 && n > top) {
		lesson_free(&res->items[--n]);
	}
	res->n = n;
	for (i = 0; i < l->nrv && r == 0; i++) {
		const struct review *v = &l->rv[i];
		struct et_lesson_review *o = &res->reviews[res->nreviews++];

		o->id = strdup(v->id);
		o->since_ms = v->since_ms;
		o->calls_before = v->cb;
		o->fails_before = v->fb;
		o->calls_after = v->ca;
		o->fails_after = v->fa;
		o->verdict = et_lessons_verdict(v->cb, v->fb, v->ca, v->fa, l->min_failures);
		r = o->id ? 0 : -ENOMEM;
	}
	return r;
}

void et_lessons_result_finish(struct et_lessons_result *res)
{
	size_t i;

	for (i = 0; res->items && i < res->n; i++) {
		lesson_free(&res->items[i]);
	}
	free(res->items);
	for (i = 0; res->reviews && i < res->nreviews; i++) {
		free(res->reviews[i].id);
	}
	free(res->reviews);
	memset(res, 0, sizeof(*res));
}
