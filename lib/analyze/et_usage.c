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
#include <sys/mman.h>

#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_usage_priv.h"

#include "banned.h"

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

/*
 * The memory of the arrays that grow with the responses. Each of their 4 KiB pages, written
 * once, would cost a page fault (a tenth of the run's time, all of it on the one thread that
 * adds the lines): from 2 MiB on, an array is an anonymous mapping the kernel may back with huge
 * pages, which costs a fault per 2 MiB. Where there are no huge pages it is the heap's.
 */
#define HUGE_BYTES ((size_t)2 << 20)

/* The length of the mapping of an array of @bytes (a whole number of huge pages). */
static size_t huge_len(size_t bytes)
{
	return (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
}

/* A zeroed mapping of huge_len(@bytes), aligned to a huge page; NULL when small or unavailable. */
static void *huge_new(size_t bytes)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	size_t len = huge_len(bytes);
	char *p, *at;

	if (bytes < HUGE_BYTES || bytes > SIZE_MAX / 2) {
		return NULL;
	}
	p = mmap(NULL, len + HUGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	/* Keep the aligned middle; give back the slack at both ends. */
	at = (char *)(((uintptr_t)p + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
	if (at > p) {
		munmap(p, (size_t)(at - p));
	}
	munmap(at + len, (size_t)(p + HUGE_BYTES - at));
	(void)madvise(at, len, MADV_HUGEPAGE); /* a hint: the mapping works without it */
	return at;
#else
	(void)bytes;
	return NULL;
#endif
}

/* Frees an array of @bytes made by mem_resize (@mapped: a mapping). */
static void mem_free(void *p, size_t bytes, bool mapped)
{
	if (mapped) {
		munmap(p, huge_len(bytes));
	} else {
		free(p);
	}
}

/*
 * Moves the array @p of @old bytes (NULL, 0 accepted; *@mapped says what it is, and is updated)
 * to one of @bytes, keeping its first @old bytes; the rest is undefined. Returns the array, or
 * NULL with @p unchanged.
 */
static void *mem_resize(void *p, size_t old, size_t bytes, bool *mapped)
{
	void *q = huge_new(bytes);
	bool huge = q != NULL;

	if (!huge && !*mapped) {
		return realloc(p, bytes);
	}
	if (!huge) {
		q = malloc(bytes); /* a mapping failed: back to the heap */
	}
	if (!q) {
		return NULL;
	}
	if (old) {
		memcpy(q, p, old);
	}
	mem_free(p, old, *mapped);
	*mapped = huge;
	return q;
}

/*
 * Bytes of transcript per response, at the least: a usage line is rarely under 700 bytes, and a
 * response has one or more. The reservation is an upper bound, and only its used part is touched.
 */
#define BYTES_PER_RESPONSE 1024
#define MAX_EXPECTED ((size_t)1 << 22) /* responses reserved at most (192 MiB of entries) */
#define MSLOT_EXPECT_BITS 18	       /* the id table reserved at most: 2^18 slots of 8 bytes */
#define ID_BYTES 32		       /* a message.id ("msg_01" and 24 letters), reserved */

static int mslots_resize(struct et_usage *u, unsigned bits);

void et_usage_expect(struct et_usage *u, uint64_t bytes)
{
	size_t n = bytes / BYTES_PER_RESPONSE, i;
	unsigned bits;
	void *v;

	n = n > MAX_EXPECTED ? MAX_EXPECTED : n;
	if (n <= u->alloc) {
		return;
	}
	if (u->each) {
		v = realloc(u->resps, n * sizeof(*u->resps));
		if (!v) {
			return;
		}
		u->resps = v; /* (larger than alloc says, if v cannot follow: harmless) */
	}
	v = mem_resize(u->v, u->n * sizeof(*u->v), n * sizeof(*u->v), &u->v_mapped);
	if (!v) {
		return;
	}
	u->v = v;
	u->alloc = n;
	if (n > u->msgs_alloc && (v = mem_resize(u->msgs, u->nmsgs * sizeof(*u->msgs),
						 n * sizeof(*u->msgs), &u->msgs_mapped))) {
		u->msgs = v;
		u->msgs_alloc = n;
	}
	/* The id table up to 2 MiB (one huge page); it is touched at random, so no larger. */
	for (bits = 12; bits < MSLOT_EXPECT_BITS && ((size_t)1 << bits) * 3 < n * 4; bits++) {
	}
	if (!u->nmslots || bits > u->mslot_bits) {
		(void)mslots_resize(u, bits);
	}
	i = n * ID_BYTES;
	if (i > u->ids_cap && i <= UINT32_MAX &&
	    (v = mem_resize(u->ids, u->ids_len, i, &u->ids_mapped))) {
		u->ids = v;
		u->ids_cap = i;
	}
}

void et_usage_destroy(struct et_usage *u)
{
	if (!u) {
		return;
	}
	mem_free(u->mslots, u->nmslots * sizeof(*u->mslots), u->mslots_mapped);
	mem_free(u->ids, u->ids_cap, u->ids_mapped);
	et_hmap_finish(&u->sessions);
	et_hmap_finish(&u->models);
	et_hmap_finish(&u->projects);
	et_hmap_finish(&u->agents);
	et_hmap_finish(&u->agent_ids);
	et_buf_finish(&u->tmp);
	mem_free(u->v, u->alloc * sizeof(*u->v), u->v_mapped);
	free(u->resps);
	free(u->bigs);
	mem_free(u->msgs, u->msgs_alloc * sizeof(*u->msgs), u->msgs_mapped);
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
void et_usage_entry_usage(const struct et_usage *u, const struct entry *e, struct et_tx_usage *x)
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
	et_usage_entry_usage(u, a, &au);
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

/*
 * A slot of the message table: the top half of the id's hash over the message's index + 1. An
 * id's home slot is the top bits of its hash (as many as the table has index bits), so the slot
 * itself tells where its id belongs in a table of any size, and the table's order is the
 * hashes' order.
 */
#define MSLOT(hash, msg) (((hash)&0xffffffff00000000ULL) | (uint64_t)(msg))
#define MSLOT_MSG(slot) ((uint32_t)(slot))
#define MSLOT_HOME(slot, bits) ((size_t)((slot) >> 32) >> (32 - (bits)))

/*
 * Makes the message table 2^@bits slots (more than it has). The old table is walked in slot
 * order, and each id's new home is a multiple of its old one, or a little more, so both tables
 * are read and written in order, not at random: the new table's pages are touched one after the
 * other.
 */
static int mslots_resize(struct et_usage *u, unsigned bits)
{
	size_t ns, i, j;
	uint64_t *v;
	bool mapped;

	if (bits > 32) {
		return -ENOMEM;
	}
	ns = (size_t)1 << bits;
	v = huge_new(ns * sizeof(*v));
	mapped = v != NULL;
	if (!v) {
		v = calloc(ns, sizeof(*v));
	}
	if (!v) {
		return -ENOMEM;
	}
	for (i = 0; i < u->nmslots; i++) {
		uint64_t sl = u->mslots[i];

		if (sl) {
			for (j = MSLOT_HOME(sl, bits); v[j]; j = (j + 1) & (ns - 1)) {
			}
			v[j] = sl;
		}
	}
	mem_free(u->mslots, u->nmslots * sizeof(*u->mslots), u->mslots_mapped);
	u->mslots_mapped = mapped;
	u->mslots = v;
	u->nmslots = ns;
	u->mslot_bits = bits;
	return 0;
}

/* Doubles the message table (from 4096 slots). */
static int mslots_grow(struct et_usage *u)
{
	return mslots_resize(u, u->nmslots ? u->mslot_bits + 1 : 12);
}

/* Makes room in the arena for @n more bytes of ids. Returns 0 or -ENOMEM. */
static int ids_room(struct et_usage *u, size_t n)
{
	size_t nc = u->ids_cap ? u->ids_cap : 4096;
	char *nv;

	if (u->ids_cap - u->ids_len >= n) {
		return 0;
	}
	if (n > UINT32_MAX - u->ids_len) {
		return -ENOMEM; /* offsets are 32 bits */
	}
	while (nc - u->ids_len < n) {
		nc *= 2;
	}
	nv = mem_resize(u->ids, u->ids_len, nc, &u->ids_mapped);
	if (!nv) {
		return -ENOMEM;
	}
	u->ids = nv;
	u->ids_cap = nc;
	return 0;
}

/*
 * Returns the index into msgs of the message.id @id (@n bytes, @hash its et_hmap_hash), adding
 * it when it is new (no response yet, no non-sidechain line); -1 when out of memory. The table
 * is at most three quarters full.
 */
static long msg_find(struct et_usage *u, const char *id, size_t n, uint64_t hash)
{
	struct msg *m;
	uint64_t tag = hash & 0xffffffff00000000ULL;
	size_t j, mask;

	if (n >= (size_t)1 << 31 || u->nmsgs >= (size_t)1 << 31) {
		return -1;
	}
	if ((u->nmsgs + 1) * 4 > u->nmslots * 3 && mslots_grow(u) < 0) {
		return -1;
	}
	mask = u->nmslots - 1;
	for (j = MSLOT_HOME(hash, u->mslot_bits); u->mslots[j]; j = (j + 1) & mask) {
		uint64_t sl = u->mslots[j];

		if ((sl & 0xffffffff00000000ULL) == tag) {
			const struct msg *c = &u->msgs[MSLOT_MSG(sl) - 1];

			if (c->len == n && memcmp(u->ids + c->off, id, n) == 0) {
				return (long)MSLOT_MSG(sl) - 1;
			}
		}
	}
	if (ids_room(u, n) < 0) {
		return -1;
	}
	if (u->nmsgs == u->msgs_alloc) {
		size_t na = u->msgs_alloc ? u->msgs_alloc * 2 : 1024;
		struct msg *nv = mem_resize(u->msgs, u->nmsgs * sizeof(*nv), na * sizeof(*nv),
					    &u->msgs_mapped);

		if (!nv) {
			return -1;
		}
		u->msgs = nv;
		u->msgs_alloc = na;
	}
	if (n) {
		memcpy(u->ids + u->ids_len, id, n);
	}
	m = &u->msgs[u->nmsgs];
	m->off = (uint32_t)u->ids_len;
	m->len = (unsigned)n;
	m->nonside = 0;
	m->head = 0;
	u->ids_len += n;
	u->mslots[j] = MSLOT(hash, (uint64_t)u->nmsgs + 1);
	u->nmsgs++;
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
			u->msgs[mi].nonside = 1;
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
		struct entry *nv =
			mem_resize(u->v, u->n * sizeof(*nv), na * sizeof(*nv), &u->v_mapped);

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
