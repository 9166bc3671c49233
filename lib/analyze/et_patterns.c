/*
 * et_patterns: habits across calls. The idea is one small state machine per session, fed in log
 * order: the last three calls (for 2- to 4-grams), the open retry run, the open failure run, the
 * pending recovery, and the open run of read-only batches (kept by et_parallel.c). Closing a run
 * adds it to tables keyed by interned names, so memory follows sessions, tools and distinct
 * patterns, not records.
 */
#include "et_patterns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "et_hmap.h"
#include "et_names.h"
#include "et_parallel.h"

#include "banned.h"

/* A recovery is the same tool succeeding within 5 calls: at most 4 others in between. */
#define RECOVERY_WINDOW 4
#define MAX_PENDING 4

struct call {
	uint32_t tool;
	enum et_outcome outcome;
	bool has_lat;
	double lat;
};

/* A failure waiting for its tool to succeed again. */
struct pending {
	uint32_t tool;
	uint32_t seq[RECOVERY_WINDOW];
	size_t n;
};

struct session {
	struct call last[3];
	size_t nlast;
	/* retry run */
	uint32_t retry_tool;
	uint64_t retry_fp;
	size_t retry_len;
	enum et_outcome retry_last;
	/* failure run */
	uint64_t fail_run;
	/* recoveries under way, one per failed tool */
	struct pending pend[MAX_PENDING];
	size_t npend;
	/* parallelization opportunities */
	struct et_parallel_session par;
};

struct chain_stat {
	uint64_t count, all_success, lat_n;
	double lat_sum;
};

struct tool_stat {
	bool read_only; /* decided once, when the tool is first seen */
	double total_ms;
	uint64_t calls, lat_calls;
	uint64_t loops, loop_calls, ended[4];
};

struct et_patterns {
	struct et_hmap tools;
	struct tool_stat *tool_stats;
	size_t tools_alloc;
	struct et_hmap sessions;
	struct session *states;
	size_t states_alloc;
	struct et_hmap chains; /* key: 2 to 4 uint32 tool indices */
	struct chain_stat *chain_stats;
	size_t chains_alloc;
	struct et_hmap recov; /* key: uint32 tool indices, the first failed and the last OK */
	uint64_t *recov_counts;
	size_t recov_alloc;
	struct et_parallel par;
	uint64_t cascades, cascade_longest, cascade_calls;
	struct et_buf tmp;
};

bool et_patterns_read_only(const char *tool)
{
	static const char *const names[] = {"Read",
					    "Grep",
					    "Glob",
					    "LS",
					    "WebFetch",
					    "WebSearch",
					    "NotebookRead",
					    "read_file",
					    "read_many_files",
					    "glob",
					    "search_file_content",
					    "list_directory",
					    "google_web_search",
					    "web_fetch",
					    NULL};
	static const char *const suffixes[] = {"read", "get", "list", "search", NULL};
	const char *last, *p;
	size_t i, n, k;

	if (et_names_has(names, tool)) {
		return true;
	}
	if (strncmp(tool, "mcp__", 5) != 0) {
		return false;
	}
	last = tool;
	for (p = tool; (p = strstr(p, "__")); p += 2) {
		last = p + 2;
	}
	n = strlen(last);
	for (i = 0; suffixes[i]; i++) {
		k = strlen(suffixes[i]);
		if (n >= k && strcasecmp(last + n - k, suffixes[i]) == 0) {
			return true;
		}
		/* get_issue, list_files, search_code: the verb comes first too */
		if (n > k && strncasecmp(last, suffixes[i], k) == 0 &&
		    (last[k] == '_' || last[k] == '-')) {
			return true;
		}
	}
	return false;
}

struct et_patterns *et_patterns_create(void)
{
	struct et_patterns *p = calloc(1, sizeof(*p));

	if (!p) {
		return NULL;
	}
	et_hmap_init(&p->tools);
	et_hmap_init(&p->sessions);
	et_hmap_init(&p->chains);
	et_hmap_init(&p->recov);
	et_buf_init(&p->tmp, 1 << 20);
	et_parallel_init(&p->par, &p->tools, &p->tmp);
	return p;
}

void et_patterns_destroy(struct et_patterns *p)
{
	if (!p) {
		return;
	}
	et_hmap_finish(&p->tools);
	et_hmap_finish(&p->sessions);
	et_hmap_finish(&p->chains);
	et_hmap_finish(&p->recov);
	et_parallel_finish(&p->par);
	free(p->tool_stats);
	free(p->states);
	free(p->chain_stats);
	free(p->recov_counts);
	et_buf_finish(&p->tmp);
	free(p);
}

static long intern_tool(struct et_patterns *p, const char *name, size_t n, uint64_t hash)
{
	bool added;
	long i = et_hmap_get_hashed(&p->tools, name, n, hash, true, &added);

	if (i < 0 || et_hmap_values_grow((void **)&p->tool_stats, &p->tools_alloc,
					 sizeof(*p->tool_stats), (size_t)i) < 0) {
		return -1;
	}
	if (added) {
		p->tool_stats[i].read_only =
			et_patterns_read_only(et_hmap_key(&p->tools, (size_t)i, NULL));
	}
	return i;
}

static const char *tool_name(const struct et_patterns *p, uint32_t t)
{
	return et_hmap_key(&p->tools, t, NULL);
}

/* ---- closing runs ---- */

static int close_retry(struct et_patterns *p, struct session *s)
{
	struct tool_stat *t;

	if (s->retry_len >= 3) {
		t = &p->tool_stats[s->retry_tool];
		t->loops++;
		t->loop_calls += s->retry_len;
		t->ended[s->retry_last]++;
	}
	s->retry_len = 0;
	return 0;
}

static void close_cascade(struct et_patterns *p, struct session *s)
{
	if (s->fail_run >= 2) {
		p->cascades++;
		p->cascade_calls += s->fail_run;
		if (s->fail_run > p->cascade_longest) {
			p->cascade_longest = s->fail_run;
		}
	}
	s->fail_run = 0;
}

/* ---- records ---- */

static struct session *session_of(struct et_patterns *p, const struct et_record_in *rec)
{
	const char *key;
	size_t n;
	long i;
	bool added;

	key = et_span_key(rec->session, &p->tmp, "unknown", &n);
	i = et_hmap_get_hashed(&p->sessions, key, n, rec->session_hash, true, &added);
	if (i < 0 || et_hmap_values_grow((void **)&p->states, &p->states_alloc, sizeof(*p->states),
					 (size_t)i) < 0) {
		return NULL;
	}
	return &p->states[i];
}

/* A PostToolBatch record: the calls since the last one ran together. */
static int add_batch(struct et_patterns *p, struct session *s, const struct et_record_in *rec)
{
	return et_parallel_batch(&p->par, &s->par);
}

static int add_chain(struct et_patterns *p, const struct session *s, const struct call *c)
{
	uint32_t key[4];
	size_t k, j;
	long g;

	for (k = 1; k <= 3 && k <= s->nlast; k++) {
		bool ok = c->outcome == ET_OUT_SUCCESS, lat = c->has_lat;
		double sum = c->has_lat ? c->lat : 0;
		struct chain_stat *cs;

		/* s->last[0] is the newest previous call. */
		for (j = 0; j < k; j++) {
			const struct call *q = &s->last[k - 1 - j];

			key[j] = q->tool;
			ok = ok && q->outcome == ET_OUT_SUCCESS;
			lat = lat && q->has_lat;
			sum += q->has_lat ? q->lat : 0;
		}
		key[k] = c->tool;
		g = et_hmap_get(&p->chains, key, (k + 1) * sizeof(*key), true, NULL);
		if (g < 0 || et_hmap_values_grow((void **)&p->chain_stats, &p->chains_alloc,
						 sizeof(*p->chain_stats), (size_t)g) < 0) {
			return -ENOMEM;
		}
		cs = &p->chain_stats[g];
		cs->count++;
		cs->all_success += ok;
		if (lat) {
			cs->lat_n++;
			cs->lat_sum += sum;
		}
	}
	return 0;
}

/* Records the recovery of pending failure @w, ended by a success of its tool. */
static int emit_recovery(struct et_patterns *p, const struct pending *w)
{
	uint32_t key[RECOVERY_WINDOW + 2];
	size_t n = 0, i;
	long g;

	key[n++] = w->tool;
	for (i = 0; i < w->n; i++) {
		key[n++] = w->seq[i];
	}
	key[n++] = w->tool;
	g = et_hmap_get(&p->recov, key, n * sizeof(*key), true, NULL);
	if (g < 0 || et_hmap_values_grow((void **)&p->recov_counts, &p->recov_alloc,
					 sizeof(*p->recov_counts), (size_t)g) < 0) {
		return -ENOMEM;
	}
	p->recov_counts[g]++;
	return 0;
}

/*
 * Every pending failure sees the call: a success of its tool ends it as a recovery, another
 * failure of its tool starts it over, any other call is one more step (too many, and it is
 * dropped). A failed call with nothing pending for its tool starts a pending failure.
 */
static int add_recovery(struct et_patterns *p, struct session *s, const struct call *c)
{
	bool have = false;
	size_t i = 0;
	int r;

	while (i < s->npend) {
		struct pending *w = &s->pend[i];

		if (w->tool == c->tool) {
			have = true;
			if (c->outcome == ET_OUT_SUCCESS) {
				r = emit_recovery(p, w);
				if (r < 0) {
					return r;
				}
				s->pend[i] = s->pend[--s->npend];
				continue;
			}
			if (c->outcome == ET_OUT_FAILURE) {
				w->n = 0;
			}
		} else if (w->n == RECOVERY_WINDOW) {
			s->pend[i] = s->pend[--s->npend]; /* no success within the window */
			continue;
		} else {
			w->seq[w->n++] = c->tool;
		}
		i++;
	}
	if (!have && c->outcome == ET_OUT_FAILURE && s->npend < MAX_PENDING) {
		s->pend[s->npend].tool = c->tool;
		s->pend[s->npend].n = 0;
		s->npend++;
	}
	return 0;
}

static int add_call(struct et_patterns *p, struct session *s, const struct et_record_in *rec)
{
	struct call c;
	struct tool_stat *t;
	const char *key;
	bool read_only;
	uint64_t fp = 0;
	size_t n;
	long ti;
	int r;

	key = et_span_key(rec->tool, &p->tmp, "(unknown)", &n);
	ti = intern_tool(p, key, n, rec->tool_hash);
	if (ti < 0) {
		return -ENOMEM;
	}
	read_only = p->tool_stats[ti].read_only;
	c.tool = (uint32_t)ti;
	c.outcome = rec->outcome;
	c.has_lat = rec->has_latency;
	c.lat = rec->latency_ms;
	t = &p->tool_stats[ti];
	t->calls++;
	if (c.has_lat) {
		t->total_ms += c.lat;
		t->lat_calls++;
	}

	r = add_chain(p, s, &c);
	if (r < 0) {
		return r;
	}
	memmove(&s->last[1], &s->last[0], 2 * sizeof(s->last[0]));
	s->last[0] = c;
	if (s->nlast < 3) {
		s->nlast++;
	}

	/* Retry loops: the same tool with the same params fingerprint, in a row. */
	if (rec->params_fp.p) {
		fp = rec->fp_hash ? rec->fp_hash
				  : et_hmap_hash(rec->params_fp.p, rec->params_fp.n) | 1;
	}
	if (!(fp && s->retry_len && s->retry_tool == c.tool && s->retry_fp == fp)) {
		close_retry(p, s);
		s->retry_tool = c.tool;
		s->retry_fp = fp;
	}
	if (fp) {
		s->retry_len++;
		s->retry_last = c.outcome;
	}

	if (c.outcome == ET_OUT_SUCCESS) {
		close_cascade(p, s);
	} else {
		s->fail_run++;
	}
	r = add_recovery(p, s, &c);
	if (r < 0) {
		return r;
	}

	return et_parallel_call(&p->par, &s->par, c.tool, read_only, rec);
}

int et_patterns_add(void *ctx, const struct et_record_in *rec)
{
	struct et_patterns *p = ctx;
	struct session *s;

	if (!rec->is_batch && rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	s = session_of(p, rec);
	if (!s) {
		return -ENOMEM;
	}
	return rec->is_batch ? add_batch(p, s, rec) : add_call(p, s, rec);
}

/* ---- results ---- */

static char **names_of(const struct et_patterns *p, const uint32_t *t, size_t n)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v && i < n; i++) {
		v[i] = strdup(tool_name(p, t[i]));
		if (!v[i]) {
			return NULL;
		}
	}
	return v;
}

static bool names_have(char **v, size_t n, const char *tool, bool strip_suffix)
{
	size_t i, k = strlen(tool);

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i], tool) ||
		    (strip_suffix && !strncmp(v[i], tool, k) && v[i][k] == ' ')) {
			return true;
		}
	}
	return false;
}

static int chain_cmp(const void *a, const void *b)
{
	const struct et_chain *x = a, *y = b;
	size_t i;

	if (x->count != y->count) {
		return x->count > y->count ? -1 : 1;
	}
	if (x->ntools != y->ntools) {
		return x->ntools > y->ntools ? -1 : 1;
	}
	for (i = 0; i < x->ntools; i++) {
		int r = strcmp(x->tools[i], y->tools[i]);

		if (r) {
			return r;
		}
	}
	return 0;
}

static int retry_cmp(const void *a, const void *b)
{
	const struct et_retry *x = a, *y = b;

	if (x->loops != y->loops) {
		return x->loops > y->loops ? -1 : 1;
	}
	return strcmp(x->tool, y->tool);
}

static int recovery_cmp(const void *a, const void *b)
{
	const struct et_recovery *x = a, *y = b;
	size_t i;

	if (x->count != y->count) {
		return x->count > y->count ? -1 : 1;
	}
	for (i = 0; i < x->nsteps && i < y->nsteps; i++) {
		int r = strcmp(x->steps[i], y->steps[i]);

		if (r) {
			return r;
		}
	}
	return x->nsteps < y->nsteps ? -1 : (x->nsteps > y->nsteps);
}

static int bottleneck_cmp(const void *a, const void *b)
{
	const struct et_bottleneck *x = a, *y = b;

	if (x->total_ms != y->total_ms) {
		return x->total_ms > y->total_ms ? -1 : 1;
	}
	return strcmp(x->tool, y->tool);
}

static const char *recommend(const char *tool)
{
	if (!strcmp(tool, "Bash") || !strcmp(tool, "PowerShell")) {
		return "Run long commands in the background, narrow test runs to what changed, and "
		       "avoid repeated installs.";
	}
	if (!strcmp(tool, "Task") || !strcmp(tool, "Agent")) {
		return "Subagents take the most time: give them narrower tasks, or do small lookups "
		       "directly.";
	}
	if (!strcmp(tool, "WebFetch") || !strcmp(tool, "WebSearch")) {
		return "Fetch less: reuse what was already fetched and issue independent fetches in "
		       "one message.";
	}
	if (et_patterns_read_only(tool)) {
		return "Batch independent reads and searches into one message so they run in "
		       "parallel.";
	}
	if (!strncmp(tool, "mcp__", 5)) {
		return "This MCP server is slow: cache its answers or call it less often.";
	}
	return "Look at the slowest calls of this tool (telemetry-stats stats --slow --tool) and "
	       "avoid repeating them.";
}

/* Truncates a sorted list to @top items, freeing the rest with @free_item. */
#define KEEP_TOP(arr, n, top, free_item)                                                           \
	do {                                                                                       \
		while ((n) > (top)) {                                                              \
			(n)--;                                                                     \
			free_item(&(arr)[n]);                                                      \
		}                                                                                  \
	} while (0)

static void chain_free(struct et_chain *c)
{
	size_t i;

	for (i = 0; i < c->ntools; i++) {
		free(c->tools[i]);
	}
	free(c->tools);
}

static void par_free(struct et_par_group *g)
{
	free(g->tools);
}

static void retry_free(struct et_retry *r)
{
	free(r->tool);
}

static void recovery_free(struct et_recovery *r)
{
	size_t i;

	for (i = 0; i < r->nsteps; i++) {
		free(r->steps[i]);
	}
	free(r->steps);
}

static void bottleneck_free(struct et_bottleneck *b)
{
	free(b->tool);
}

int et_patterns_end(struct et_patterns *p, size_t min_count, size_t top, const char *tool,
		    struct et_patterns_result *res)
{
	double grand = 0;
	size_t i, j, n;
	int r = 0;

	memset(res, 0, sizeof(*res));
	res->min_count = min_count;
	/* Close what is still open in every session. */
	for (i = 0; i < p->sessions.n; i++) {
		struct session *s = &p->states[i];

		close_retry(p, s);
		close_cascade(p, s);
		if (et_parallel_close(&p->par, &s->par) < 0) {
			return -ENOMEM;
		}
	}

	/* chains */
	res->chains = calloc(p->chains.n + 1, sizeof(*res->chains));
	if (!res->chains) {
		return -ENOMEM;
	}
	for (i = 0; i < p->chains.n; i++) {
		size_t klen;
		const uint32_t *key =
			(const uint32_t *)(const void *)et_hmap_key(&p->chains, i, &klen);
		struct et_chain *c;

		if (p->chain_stats[i].count < min_count) {
			continue;
		}
		c = &res->chains[res->nchains];
		c->ntools = klen / sizeof(*key);
		c->tools = names_of(p, key, c->ntools);
		if (!c->tools) {
			return -ENOMEM;
		}
		if (tool && !names_have(c->tools, c->ntools, tool, false)) {
			chain_free(c);
			continue;
		}
		c->count = p->chain_stats[i].count;
		c->all_success = p->chain_stats[i].all_success;
		c->lat_n = p->chain_stats[i].lat_n;
		c->lat_sum = p->chain_stats[i].lat_sum;
		res->nchains++;
	}
	qsort(res->chains, res->nchains, sizeof(*res->chains), chain_cmp);
	KEEP_TOP(res->chains, res->nchains, top, chain_free);

	/* parallelization */
	r = et_parallel_result(&p->par, tool, res);
	if (r < 0) {
		return r;
	}
	KEEP_TOP(res->par_groups, res->npar_groups, top, par_free);

	/* retry loops and bottlenecks, per tool */
	res->retries = calloc(p->tools.n + 1, sizeof(*res->retries));
	res->bottlenecks = calloc(p->tools.n + 1, sizeof(*res->bottlenecks));
	if (!res->retries || !res->bottlenecks) {
		return -ENOMEM;
	}
	for (i = 0; i < p->tools.n; i++) {
		grand += p->tool_stats[i].total_ms;
	}
	for (i = 0; i < p->tools.n; i++) {
		const struct tool_stat *t = &p->tool_stats[i];
		const char *name = tool_name(p, (uint32_t)i);

		if (tool && strcmp(name, tool) != 0) {
			continue;
		}
		if (t->loops) {
			struct et_retry *x = &res->retries[res->nretries++];

			x->tool = strdup(name);
			x->loops = t->loops;
			x->calls = t->loop_calls;
			x->ended_success = t->ended[ET_OUT_SUCCESS];
			x->ended_failure = t->ended[ET_OUT_FAILURE];
			x->ended_interrupted = t->ended[ET_OUT_INTERRUPTED];
			if (!x->tool) {
				return -ENOMEM;
			}
		}
		if (t->lat_calls && t->total_ms > 0) {
			struct et_bottleneck *b = &res->bottlenecks[res->nbottlenecks++];

			b->tool = strdup(name);
			b->total_ms = t->total_ms;
			b->share = grand > 0 ? t->total_ms / grand : 0;
			b->calls = t->lat_calls;
			b->avg_ms = t->total_ms / (double)t->lat_calls;
			b->recommendation = recommend(name);
			if (!b->tool) {
				return -ENOMEM;
			}
		}
	}
	qsort(res->retries, res->nretries, sizeof(*res->retries), retry_cmp);
	KEEP_TOP(res->retries, res->nretries, top, retry_free);
	qsort(res->bottlenecks, res->nbottlenecks, sizeof(*res->bottlenecks), bottleneck_cmp);
	KEEP_TOP(res->bottlenecks, res->nbottlenecks, top, bottleneck_free);

	/* recoveries */
	res->recoveries = calloc(p->recov.n + 1, sizeof(*res->recoveries));
	if (!res->recoveries) {
		return -ENOMEM;
	}
	for (i = 0; i < p->recov.n; i++) {
		size_t klen;
		const uint32_t *key =
			(const uint32_t *)(const void *)et_hmap_key(&p->recov, i, &klen);
		struct et_recovery *x = &res->recoveries[res->nrecoveries];

		n = klen / sizeof(*key);
		x->steps = calloc(n + 1, sizeof(char *));
		if (!x->steps) {
			return -ENOMEM;
		}
		x->nsteps = n;
		for (j = 0; j < n; j++) {
			et_buf_reset(&p->tmp);
			et_buf_adds(&p->tmp, tool_name(p, key[j]));
			if (j == 0) {
				et_buf_adds(&p->tmp, " FAIL");
			} else if (j == n - 1) {
				et_buf_adds(&p->tmp, " OK");
			}
			x->steps[j] = strdup(p->tmp.data);
			if (!x->steps[j]) {
				return -ENOMEM;
			}
		}
		if (tool && !names_have(x->steps, n, tool, true)) {
			recovery_free(x);
			continue;
		}
		x->count = p->recov_counts[i];
		res->nrecoveries++;
	}
	qsort(res->recoveries, res->nrecoveries, sizeof(*res->recoveries), recovery_cmp);
	KEEP_TOP(res->recoveries, res->nrecoveries, top, recovery_free);

	res->cascades = p->cascades;
	res->cascade_longest = p->cascade_longest;
	res->cascade_calls = p->cascade_calls;
	return r;
}

void et_patterns_result_finish(struct et_patterns_result *res)
{
	size_t i;

	for (i = 0; i < res->nchains; i++) {
		chain_free(&res->chains[i]);
	}
	free(res->chains);
	for (i = 0; i < res->npar_groups; i++) {
		par_free(&res->par_groups[i]);
	}
	free(res->par_groups);
	for (i = 0; i < res->nretries; i++) {
		retry_free(&res->retries[i]);
	}
	free(res->retries);
	for (i = 0; i < res->nrecoveries; i++) {
		recovery_free(&res->recoveries[i]);
	}
	free(res->recoveries);
	for (i = 0; i < res->nbottlenecks; i++) {
		bottleneck_free(&res->bottlenecks[i]);
	}
	free(res->bottlenecks);
	memset(res, 0, sizeof(*res));
}
