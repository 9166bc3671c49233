/*
 * et_usage: from usage lines to rows of tokens and dollars. The idea is that Claude Code writes
 * one API response on several lines (one per content block, sometimes a partial one first, and a
 * sidechain may replay it), so lines are first reduced to one entry per response, keyed by
 * message.id and requestId, keeping the most complete line; only then are responses priced and
 * summed. Memory grows with distinct responses and keys, never with the bytes read.
 */
#include "et_usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_hmap.h"
#include "et_jdoc.h"

#include "banned.h"

#define NO_MSG UINT32_MAX /* an entry without message.id: never a duplicate or a replay */

#define NO_DAY INT32_MIN /* an entry's day when its line has no timestamp */

/* Flags of an entry. */
#define E_SIDECHAIN 1u
#define E_SPEED 2u     /* the usage named a speed */
#define E_BREAKDOWN 4u /* et_tx_usage.has_breakdown */
#define E_FAST 8u
#define E_GEO_US 16u
#define E_BIG 32u /* a count too large for the entry: tok[0] indexes bigs */

/*
 * One response, kept until the end. Memory here is the whole cost of a large run (every page
 * is written once), so an entry holds only what the end needs in 48 bytes: counts that fit 32
 * bits (nearly all; a larger one moves the usage to a side list), the row's key (the day, or
 * the interned key of the grouping) and the model.
 */
struct entry {
	uint32_t tok[5]; /* input, output, cache_create, cache_1h, cache_read; see E_BIG */
	uint16_t web_search, web_fetch;
	uint32_t req;  /* the requestId's hash folded to 32 bits | 1, or 0 without one */
	uint32_t next; /* the next response of the same message.id: index + 1, or 0 */
	uint32_t msgid;
	int32_t key; /* by day, week or month: the day (NO_DAY); else the grouping's index */
	uint32_t model;
	uint8_t flags;
};

/*
 * What the traces mode (et_usage_create_each) keeps of a response besides its entry, in an
 * array parallel to the entries; the cost path never allocates it, so its entry stays small.
 */
struct resp {
	uint64_t req; /* the requestId's 64-bit hash | 1, or 0 without one */
	int64_t ts_ms;
	uint32_t session, agent_id; /* into sessions and agent_ids */
	bool has_ts;
};

/* The last key interned in a map: consecutive lines mostly share session, model and cwd. */
struct last {
	const struct et_hmap *map;
	long idx; /* -1: none */
};

struct et_usage {
	const struct et_pricing *pricing;
	const struct et_usage_filter *filter;
	enum et_usage_by by;
	bool breakdown;
	bool each; /* the traces mode: resps is kept */
	struct entry *v;
	struct resp *resps; /* with each: parallel to v, alloc long */
	size_t n, alloc;
	struct et_tx_usage *bigs; /* the usage of E_BIG entries */
	size_t nbigs, bigs_alloc;
	/*
	 * message.id -> index into msgs: an open-addressing table of the ids' hashes, the ids' bytes
	 * in one arena. A lookup touches one slot, and the arena only to confirm a match; adding an
	 * id costs no allocation of its own. (A response has several lines, so most lines find.)
	 */
	struct mslot {
		uint64_t hash;
		uint32_t msg; /* index into msgs + 1; 0: an empty slot */
		uint32_t len; /* the id's length */
	} * mslots;
	size_t nmslots; /* a power of two, or 0 */
	char *ids;	/* the arena: every message.id, one after the other */
	size_t ids_len, ids_cap;
	struct msg {
		size_t off; /* its id: ids + off, mslots' len bytes (also here, for et_usage_each) */
		uint32_t len;  /* the id's length */
		uint32_t head; /* its first response: index into v + 1 */
		bool nonside;  /* a non-sidechain line has this message.id */
	} * msgs;
	size_t nmsgs, msgs_alloc;
	struct et_hmap sessions, models, projects, agents;
	struct et_hmap agent_ids; /* with each: a subagent's agentId, or "" */
	struct last last[4];	  /* for sessions, models, projects, agents */
	long last_msg; /* the message.id of the last line (lines of a response are adjacent) */
	size_t usage_lines, duplicates, synthetic, no_id;
	struct et_buf tmp;
};

static const char *const by_names[] = {"day",	  "week",  "month", "session",
				       "project", "model", "agent"};

const char *et_usage_by_name(enum et_usage_by by)
{
	return (size_t)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : "?";
}

int et_usage_by_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (!strcmp(name, by_names[i])) {
			return (int)i;
		}
	}
	return -1;
}

struct et_usage *et_usage_create(const struct et_pricing *p, const struct et_usage_filter *f,
				 enum et_usage_by by, bool breakdown)
{
	struct et_usage *u = calloc(1, sizeof(*u));

	if (!u) {
		return NULL;
	}
	u->pricing = p;
	u->filter = f;
	u->by = by;
	u->breakdown = breakdown;
	et_hmap_init(&u->sessions);
	et_hmap_init(&u->models);
	et_hmap_init(&u->projects);
	et_hmap_init(&u->agents);
	et_hmap_init(&u->agent_ids);
	et_buf_init(&u->tmp, (size_t)1 << 20);
	u->last[0] = (struct last){&u->sessions, -1};
	u->last[1] = (struct last){&u->models, -1};
	u->last[2] = (struct last){&u->projects, -1};
	u->last[3] = (struct last){&u->agents, -1};
	u->last_msg = -1;
	return u;
}

struct et_usage *et_usage_create_each(const struct et_usage_filter *f)
{
	/* Keyed by model: the key costs nothing more, and no rows are wanted. */
	struct et_usage *u = et_usage_create(NULL, f, ET_BY_MODEL, false);

	if (u) {
		u->each = true;
	}
	return u;
}

void et_usage_destroy(struct et_usage *u)
{
	if (!u) {
		return;
	}
	free(u->mslots);
	free(u->ids);
	et_hmap_finish(&u->sessions);
	et_hmap_finish(&u->models);
	et_hmap_finish(&u->projects);
	et_hmap_finish(&u->agents);
	et_hmap_finish(&u->agent_ids);
	et_buf_finish(&u->tmp);
	free(u->v);
	free(u->resps);
	free(u->bigs);
	free(u->msgs);
	free(u);
}

/*
 * Interns span @s (decoded when escaped) in @m, or @fallback when absent; returns its index. The
 * key interned last in @m is compared first, so a run of lines with the same value costs a
 * memcmp, not a lookup.
 */
static long intern(struct et_usage *u, struct et_hmap *m, struct et_span s, const char *fallback)
{
	struct last *c = NULL;
	const char *k, *lk;
	size_t n, ln, i;
	long idx;

	for (i = 0; i < sizeof(u->last) / sizeof(u->last[0]); i++) {
		if (u->last[i].map == m) {
			c = &u->last[i];
		}
	}
	k = et_span_key(s, &u->tmp, fallback, &n);
	if (c && c->idx >= 0) {
		lk = et_hmap_key(m, (size_t)c->idx, &ln);
		if (ln == n && memcmp(lk, k, n) == 0) {
			return c->idx;
		}
	}
	idx = et_hmap_get(m, k, n, true, NULL);
	if (c) {
		c->idx = idx;
	}
	return idx;
}

static bool project_ok(struct et_usage *u, struct et_span cwd, const char *project)
{
	size_t n = strlen(project), len;
	const char *k;

	if (!cwd.p) {
		return false;
	}
	k = et_span_key(cwd, &u->tmp, "", &len);
	return len >= n && memcmp(k, project, n) == 0 && (len == n || k[n] == '/' || n == 1);
}

/* The usage of entry @e. */
static void usage_of(const struct et_usage *u, const struct entry *e, struct et_tx_usage *x)
{
	if (e->flags & E_BIG) {
		*x = u->bigs[e->tok[0]];
		return;
	}
	memset(x, 0, sizeof(*x));
	x->input = e->tok[0];
	x->output = e->tok[1];
	x->cache_create = e->tok[2];
	x->cache_1h = e->tok[3];
	x->cache_read = e->tok[4];
	x->web_search = e->web_search;
	x->web_fetch = e->web_fetch;
	x->has_breakdown = e->flags & E_BREAKDOWN;
	x->fast = e->flags & E_FAST;
	x->geo_us = e->flags & E_GEO_US;
}

/* Stores usage @x in entry @e: in place, or in the side list when a count does not fit. */
static int set_usage(struct et_usage *u, struct entry *e, const struct et_tx_usage *x)
{
	e->flags = (uint8_t)((e->flags & (E_SIDECHAIN | E_SPEED)) |
			     (x->has_breakdown ? E_BREAKDOWN : 0) | (x->fast ? E_FAST : 0) |
			     (x->geo_us ? E_GEO_US : 0));
	if (x->input > UINT32_MAX || x->output > UINT32_MAX || x->cache_create > UINT32_MAX ||
	    x->cache_read > UINT32_MAX || x->web_search > UINT16_MAX || x->web_fetch > UINT16_MAX) {
		if (u->nbigs == u->bigs_alloc) {
			size_t na = u->bigs_alloc ? u->bigs_alloc * 2 : 16;
			struct et_tx_usage *nv = realloc(u->bigs, na * sizeof(*nv));

			if (!nv) {
				return -ENOMEM;
			}
			u->bigs = nv;
			u->bigs_alloc = na;
		}
		u->bigs[u->nbigs] = *x;
		e->tok[0] = (uint32_t)u->nbigs++;
		e->flags |= E_BIG;
		return 0;
	}
	e->tok[0] = (uint32_t)x->input;
	e->tok[1] = (uint32_t)x->output;
	e->tok[2] = (uint32_t)x->cache_create;
	e->tok[3] = (uint32_t)x->cache_1h; /* at most cache_create */
	e->tok[4] = (uint32_t)x->cache_read;
	e->web_search = (uint16_t)x->web_search;
	e->web_fetch = (uint16_t)x->web_fetch;
	return 0;
}

static uint64_t total(const struct et_tx_usage *x)
{
	return x->input + x->output + x->cache_create + x->cache_read;
}

/* True when the line (@b, @bu) is a more complete record of the response than entry @a. */
static bool better(const struct et_usage *u, const struct entry *a, const struct entry *b,
		   const struct et_tx_usage *bu)
{
	struct et_tx_usage au;

	if ((a->flags & E_SIDECHAIN) != (b->flags & E_SIDECHAIN)) {
		return !(b->flags & E_SIDECHAIN);
	}
	usage_of(u, a, &au);
	if (total(&au) != total(bu)) {
		return total(bu) > total(&au);
	}
	return (b->flags & E_SPEED) && !(a->flags & E_SPEED);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since the epoch of @ts_ms, within an int32 (NO_DAY is below any of them). */
static int32_t day_of(int64_t ts_ms)
{
	int64_t d = floor_div(ts_ms, 86400000);

	return d < -2000000000 ? -2000000000 : d > 2000000000 ? 2000000000 : (int32_t)d;
}

/* Doubles the message table (from 1024 slots), moving every id to its new slot. */
static int mslots_grow(struct et_usage *u)
{
	size_t ns = u->nmslots ? u->nmslots * 2 : 1024, i, j;
	struct mslot *v = calloc(ns, sizeof(*v));

	if (!v) {
		return -ENOMEM;
	}
	for (i = 0; i < u->nmslots; i++) {
		if (u->mslots[i].msg) {
			for (j = u->mslots[i].hash & (ns - 1); v[j].msg; j = (j + 1) & (ns - 1)) {
			}
			v[j] = u->mslots[i];
		}
	}
	free(u->mslots);
	u->mslots = v;
	u->nmslots = ns;
	return 0;
}

/*
 * Returns the index into msgs of the message.id @id (@n bytes, @hash its et_hmap_hash), adding
 * it (with a zeroed struct msg) when it is new; -1 when out of memory.
 */
static long msg_find(struct et_usage *u, const char *id, size_t n, uint64_t hash)
{
	struct msg *m;
	size_t j;

	if (n > UINT32_MAX || u->nmsgs >= UINT32_MAX - 1) {
		return -1;
	}
	if ((u->nmsgs + 1) * 2 > u->nmslots && mslots_grow(u) < 0) {
		return -1;
	}
	for (j = hash & (u->nmslots - 1); u->mslots[j].msg; j = (j + 1) & (u->nmslots - 1)) {
		const struct mslot *sl = &u->mslots[j];

		if (sl->hash == hash && sl->len == n &&
		    memcmp(u->ids + u->msgs[sl->msg - 1].off, id, n) == 0) {
			return (long)sl->msg - 1;
		}
	}
	if (u->ids_cap - u->ids_len < n) {
		size_t nc = u->ids_cap ? u->ids_cap : 4096;
		char *nv;

		while (nc - u->ids_len < n) {
			nc *= 2;
		}
		nv = realloc(u->ids, nc);
		if (!nv) {
			return -1;
		}
		u->ids = nv;
		u->ids_cap = nc;
	}
	if (et_hmap_values_grow((void **)&u->msgs, &u->msgs_alloc, sizeof(*u->msgs), u->nmsgs) <
	    0) {
		return -1;
	}
	if (n) {
		memcpy(u->ids + u->ids_len, id, n);
	}
	m = &u->msgs[u->nmsgs];
	m->off = u->ids_len;
	m->len = (uint32_t)n;
	u->ids_len += n;
	u->mslots[j].hash = hash;
	u->mslots[j].len = (uint32_t)n;
	u->mslots[j].msg = (uint32_t)++u->nmsgs;
	return (long)u->nmsgs - 1;
}

int et_usage_add(struct et_usage *u, const struct et_tx_line *l, const struct et_usage_src *src)
{
	const struct et_usage_filter *f = u->filter;
	struct entry e;
	struct resp x;
	long idx = -1, mi;
	uint32_t j;

	if (l->kind != ET_TX_USAGE) {
		return 0;
	}
	if (f) {
		if ((f->has_since || f->has_until) &&
		    (!l->has_ts || (f->has_since && l->ts_ms < f->since_ms) ||
		     (f->has_until && l->ts_ms >= f->until_ms))) {
			return 0;
		}
		if (f->session && !et_span_eq(l->session, f->session)) {
			return 0;
		}
		if (f->project && !project_ok(u, l->cwd, f->project)) {
			return 0;
		}
	}
	if (et_span_eq(l->model, "<synthetic>")) {
		u->synthetic++;
		return 0;
	}
	u->usage_lines++;
	memset(&e, 0, sizeof(e));
	memset(&x, 0, sizeof(x));
	e.flags = (uint8_t)((l->sidechain ? E_SIDECHAIN : 0) | (l->speed.p ? E_SPEED : 0));
	/*
	 * The dedup key: message.id and requestId. The message ids are the map; the responses of
	 * one message (usually one) are a list, told apart by their requestId's 64-bit hash.
	 */
	e.msgid = NO_MSG;
	if (l->msg_id.p && l->msg_id.n) {
		uint64_t rh =
			l->request_id.p
				? (l->req_hash ? l->req_hash
					       : et_hmap_hash(l->request_id.p, l->request_id.n))
				: 0;

		e.req = l->request_id.p ? (uint32_t)(rh ^ (rh >> 32)) | 1 : 0;
		x.req = l->request_id.p ? rh | 1 : 0;
		/* The lines of one response follow each other: the last message.id first. */
		mi = -1;
		if (u->last_msg >= 0) {
			const struct msg *lm = &u->msgs[u->last_msg];

			if (lm->len == l->msg_id.n &&
			    memcmp(u->ids + lm->off, l->msg_id.p, l->msg_id.n) == 0) {
				mi = u->last_msg;
			}
		}
		if (mi < 0) {
			mi = msg_find(u, l->msg_id.p, l->msg_id.n,
				      l->msg_hash ? l->msg_hash
						  : et_hmap_hash(l->msg_id.p, l->msg_id.n));
		}
		if (mi < 0) {
			return -ENOMEM;
		}
		u->last_msg = mi;
		for (j = u->msgs[mi].head; j; j = u->v[j - 1].next) {
			if (u->v[j - 1].req == e.req) {
				idx = (long)j - 1;
				break;
			}
		}
		if (!l->sidechain) {
			u->msgs[mi].nonside = true;
		}
		e.msgid = (uint32_t)mi;
	} else {
		u->no_id++;
	}
	{
		long m = intern(u, &u->models, l->model, "(no model)"), k;
		struct et_span none = {NULL, 0, false};

		/* The row's key: only the one this run groups by is kept. */
		switch (u->by) {
		case ET_BY_SESSION:
			k = intern(u, &u->sessions, l->session, "(no session)");
			break;
		case ET_BY_PROJECT:
			if (l->cwd.p) {
				k = intern(u, &u->projects, l->cwd, "");
			} else {
				k = intern(u, &u->projects, none,
					   src && src->project ? src->project : "(unknown)");
			}
			break;
		case ET_BY_AGENT:
			k = intern(u, &u->agents, none,
				   src && src->subagent
					   ? (src->agent_type ? src->agent_type : "subagent")
					   : "main");
			break;
		case ET_BY_MODEL:
			k = m;
			break;
		default:
			k = l->has_ts ? day_of(l->ts_ms) : NO_DAY;
			break;
		}
		if (m < 0 || (u->by > ET_BY_MONTH && k < 0)) {
			return -ENOMEM;
		}
		e.model = (uint32_t)m;
		e.key = (int32_t)k;
	}
	if (u->each) {
		long s = intern(u, &u->sessions, l->session, "(no session)");
		long ai = intern(u, &u->agent_ids, l->agent_id, "");

		if (s < 0 || ai < 0) {
			return -ENOMEM;
		}
		x.session = (uint32_t)s;
		x.agent_id = (uint32_t)ai;
		x.has_ts = l->has_ts;
		x.ts_ms = l->ts_ms;
	}
	if (idx >= 0) {
		u->duplicates++;
		if (better(u, &u->v[idx], &e, &l->u)) {
			/* (A replaced entry's place in the side list, if it had one, stays unused.) */
			e.next = u->v[idx].next;
			if (set_usage(u, &e, &l->u) < 0) {
				return -ENOMEM;
			}
			u->v[idx] = e;
			if (u->each) {
				u->resps[idx] = x;
			}
		}
		return 0;
	}
	if (set_usage(u, &e, &l->u) < 0) {
		return -ENOMEM;
	}
	if (u->n == u->alloc) {
		size_t na = u->alloc ? u->alloc * 2 : 1024;
		struct entry *nv = realloc(u->v, na * sizeof(*nv));

		if (!nv) {
			return -ENOMEM;
		}
		u->v = nv;
		if (u->each) {
			struct resp *nr = realloc(u->resps, na * sizeof(*nr));

			if (!nr) {
				return -ENOMEM;
			}
			u->resps = nr;
		}
		u->alloc = na;
	}
	if (e.msgid != NO_MSG) {
		e.next = u->msgs[e.msgid].head;
		u->msgs[e.msgid].head = (uint32_t)u->n + 1;
	}
	if (u->each) {
		u->resps[u->n] = x;
	}
	u->v[u->n++] = e;
	return 0;
}

/* ---- rows ---- */

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
		usage_of(u, e, &x);
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
		usage_of(u, e, &r.u);
		ret = fn(ctx, &r);
		if (ret < 0) {
			return ret;
		}
	}
	return 0;
}
