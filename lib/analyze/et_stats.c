/*
 * et_stats: aggregation for `telemetry-stats stats`. The idea is that nothing grows with the
 * number of records: tools, error groups and sessions are interned, latencies go into exact
 * value -> count distributions, and the slowest calls are a small sorted array that a call enters
 * only when it beats the slowest so far; its context is extracted only then.
 */
#include "et_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_errclass.h"
#include "et_jdoc.h"
#include "et_names.h"
#include "et_utf8.h"

#include "banned.h"

#define EXAMPLE_CHARS 200
#define CONTEXT_CHARS 40
#define INTERRUPTED_TAG '\x01'

struct group {
	uint64_t count;
	int cls;
	char *example;
};

struct tool {
	uint64_t calls, successes, failures, interrupted;
	struct et_lat lat;
	struct et_hmap errors; /* normalized signature -> index into groups */
	struct group *groups;
	size_t ngroups_alloc;
};

struct et_stats {
	size_t top;
	struct et_hmap tool_names;
	struct tool *tools;
	size_t tools_alloc;
	struct et_hmap sessions;
	struct et_lat lat;
	uint64_t calls, successes, failures, interrupted;
	uint64_t classes[ET_ERRCLASS_COUNT];
	struct et_stats_slow *slow; /* top slowest, latency descending */
	size_t nslow;
	struct et_stats_agent agents[ET_STATS_MAX_AGENTS]; /* in the order first seen */
	size_t nagents;
	struct et_buf tmp, sig;
};

/* The slot of the agent of @rec, added when new; the last slot takes the names that do not fit. */
static struct et_stats_agent *agent_slot(struct et_stats *s, const struct et_record_in *rec)
{
	size_t n = 0, i;
	const char *name = et_span_key(rec->agent, &s->tmp, "claude-code", &n);

	if (n == 0 || n >= sizeof(s->agents[0].agent) || memchr(name, '\0', n)) {
		name = "(other)";
		n = strlen(name);
	}
	for (i = 0; i < s->nagents; i++) {
		if (strlen(s->agents[i].agent) == n && !memcmp(s->agents[i].agent, name, n)) {
			return &s->agents[i];
		}
	}
	if (s->nagents == ET_STATS_MAX_AGENTS - 1) {
		name = "(other)";
		n = strlen(name);
		for (i = 0; i < s->nagents; i++) {
			if (!strcmp(s->agents[i].agent, name)) {
				return &s->agents[i];
			}
		}
	}
	if (s->nagents == ET_STATS_MAX_AGENTS) {
		return &s->agents[ET_STATS_MAX_AGENTS - 1];
	}
	memcpy(s->agents[s->nagents].agent, name, n);
	s->agents[s->nagents].agent[n] = '\0';
	return &s->agents[s->nagents++];
}

/* qsort: calls descending, then name. */
static int agent_cmp(const void *a, const void *b)
{
	const struct et_stats_agent *x = a, *y = b;

	if (x->calls != y->calls) {
		return x->calls > y->calls ? -1 : 1;
	}
	return strcmp(x->agent, y->agent);
}

struct et_stats *et_stats_create(size_t top)
{
	struct et_stats *s = calloc(1, sizeof(*s));

	if (!s) {
		return NULL;
	}
	s->top = top ? top : 1;
	s->slow = calloc(s->top + 1, sizeof(*s->slow));
	if (!s->slow) {
		free(s);
		return NULL;
	}
	et_hmap_init(&s->tool_names);
	et_hmap_init(&s->sessions);
	et_lat_init(&s->lat);
	et_buf_init(&s->tmp, (size_t)16 << 20);
	et_buf_init(&s->sig, 4096);
	return s;
}

static void slow_free(struct et_stats_slow *w)
{
	free(w->tool);
	free(w->context);
	free(w->session);
	memset(w, 0, sizeof(*w));
}

void et_stats_destroy(struct et_stats *s)
{
	size_t i, j;

	if (!s) {
		return;
	}
	for (i = 0; i < s->tool_names.n; i++) {
		struct tool *t = &s->tools[i];

		for (j = 0; j < t->errors.n; j++) {
			free(t->groups[j].example);
		}
		free(t->groups);
		et_hmap_finish(&t->errors);
		et_lat_finish(&t->lat);
	}
	free(s->tools);
	for (i = 0; i < s->nslow; i++) {
		slow_free(&s->slow[i]);
	}
	free(s->slow);
	et_hmap_finish(&s->tool_names);
	et_hmap_finish(&s->sessions);
	et_lat_finish(&s->lat);
	et_buf_finish(&s->tmp);
	et_buf_finish(&s->sig);
	free(s);
}

/* The index of @tool's entry, created on first sight; -1 on ENOMEM. */
static long tool_index(struct et_stats *s, const char *name, size_t n, uint64_t hash)
{
	bool added;
	long i = et_hmap_get_hashed(&s->tool_names, name, n, hash, true, &added);

	if (i < 0 || !added) {
		return i;
	}
	if ((size_t)i >= s->tools_alloc) {
		size_t na = s->tools_alloc ? s->tools_alloc * 2 : 16;
		struct tool *v = realloc(s->tools, na * sizeof(*v));

		if (!v) {
			return -1;
		}
		s->tools = v;
		s->tools_alloc = na;
	}
	memset(&s->tools[i], 0, sizeof(s->tools[i]));
	et_lat_init(&s->tools[i].lat);
	et_hmap_init(&s->tools[i].errors);
	return i;
}

static char *dup_prefix(const char *s, size_t n, size_t max_chars)
{
	size_t k = et_utf8_prefix(s, n, max_chars);
	char *p = malloc(k + 1);

	if (p) {
		memcpy(p, s, k);
		p[k] = '\0';
	}
	return p;
}

static int add_error(struct et_stats *s, struct tool *t, const char *tool,
		     const struct et_record_in *rec)
{
	bool added, interrupted = rec->outcome == ET_OUT_INTERRUPTED;
	long g;
	int r;

	et_buf_reset(&s->tmp);
	et_buf_reset(&s->sig);
	r = et_span_decode(rec->error, &s->tmp);
	if (r < 0) {
		return r;
	}
	r = et_errclass_normalize(s->tmp.data, s->tmp.len, &s->sig);
	if (r < 0) {
		return r;
	}
	if (s->sig.len == 0) {
		et_buf_adds(&s->sig, interrupted ? "(interrupted)" : "(no error text)");
	}
	/* Interrupted calls group apart from failures with the same text: a \x01 ends their key. */
	if (interrupted) {
		et_buf_addch(&s->sig, INTERRUPTED_TAG);
	}
	g = et_hmap_get(&t->errors, s->sig.data, s->sig.len, true, &added);
	if (g < 0) {
		return -ENOMEM;
	}
	if (added) {
		if ((size_t)g >= t->ngroups_alloc) {
			size_t na = t->ngroups_alloc ? t->ngroups_alloc * 2 : 8;
			struct group *v = realloc(t->groups, na * sizeof(*v));

			if (!v) {
				return -ENOMEM;
			}
			t->groups = v;
			t->ngroups_alloc = na;
		}
		/*
		 * A group is classified once, by its first error: errors that normalize alike are
		 * alike, and classifying every failure of a year of logs costs more than reading it.
		 */
		t->groups[g].count = 0;
		t->groups[g].cls =
			interrupted ? ET_ERRCLASS_INTERRUPTED
				    : (int)et_errclass_classify(tool, s->tmp.data, s->tmp.len);
		t->groups[g].example = dup_prefix(s->tmp.data, s->tmp.len, EXAMPLE_CHARS);
		if (!t->groups[g].example) {
			return -ENOMEM;
		}
	}
	t->groups[g].count++;
	s->classes[t->groups[g].cls]++;
	return 0;
}

/* A call slower than the slowest kept so far (or one of the first @top) enters the list. */
static int add_slow(struct et_stats *s, const char *tool, size_t tool_len,
		    const struct et_record_in *rec)
{
	struct et_stats_slow w;
	size_t i;

	if (s->nslow == s->top) {
		const struct et_stats_slow *last = &s->slow[s->nslow - 1];

		if (rec->latency_ms < last->latency_ms ||
		    (rec->latency_ms == last->latency_ms && rec->ts_ms >= last->ts_ms)) {
			return 0;
		}
	}
	memset(&w, 0, sizeof(w));
	et_buf_reset(&s->tmp);
	if (et_stats_context(tool, rec->params, rec->params_len, &s->tmp) < 0 ||
	    !(w.context = strdup(s->tmp.data)) || !(w.tool = dup_prefix(tool, tool_len, 200))) {
		slow_free(&w);
		return -ENOMEM;
	}
	et_buf_reset(&s->tmp);
	et_span_decode(rec->session, &s->tmp);
	w.session = rec->session.p ? strdup(s->tmp.data) : NULL;
	w.latency_ms = rec->latency_ms;
	w.ts_ms = rec->ts_ms;
	/* Insert in order: latency descending, then earlier first. */
	for (i = s->nslow; i > 0; i--) {
		const struct et_stats_slow *p = &s->slow[i - 1];

		if (p->latency_ms > w.latency_ms ||
		    (p->latency_ms == w.latency_ms && p->ts_ms <= w.ts_ms)) {
			break;
		}
		s->slow[i] = s->slow[i - 1];
	}
	s->slow[i] = w;
	if (s->nslow == s->top) {
		slow_free(&s->slow[s->top]);
	} else {
		s->nslow++;
	}
	return 0;
}

int et_stats_add(void *ctx, const struct et_record_in *rec)
{
	struct et_stats *s = ctx;
	struct tool *t;
	struct et_stats_agent *ag;
	const char *name, *key;
	size_t name_len, key_len;
	long ti;
	int r = 0;

	if (rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	ag = agent_slot(s, rec);
	ag->calls++;
	ag->successes += rec->outcome == ET_OUT_SUCCESS;
	ag->failures += rec->outcome == ET_OUT_FAILURE;
	ag->interrupted += rec->outcome != ET_OUT_SUCCESS && rec->outcome != ET_OUT_FAILURE;
	key = et_span_key(rec->tool, &s->tmp, "(unknown)", &key_len);
	ti = tool_index(s, key, key_len, rec->tool_hash);
	if (ti < 0) {
		return -ENOMEM;
	}
	name = et_hmap_key(&s->tool_names, (size_t)ti, &name_len);
	t = &s->tools[ti];
	t->calls++;
	s->calls++;
	switch (rec->outcome) {
	case ET_OUT_SUCCESS:
		t->successes++;
		s->successes++;
		break;
	case ET_OUT_FAILURE:
		t->failures++;
		s->failures++;
		break;
	default:
		t->interrupted++;
		s->interrupted++;
		break;
	}
	key = et_span_key(rec->session, &s->tmp, "unknown", &key_len);
	if (et_hmap_get_hashed(&s->sessions, key, key_len, rec->session_hash, true, NULL) < 0) {
		return -ENOMEM;
	}
	if (rec->has_latency) {
		if (et_lat_add(&t->lat, rec->latency_ms) < 0 ||
		    et_lat_add(&s->lat, rec->latency_ms) < 0) {
			return -ENOMEM;
		}
		r = add_slow(s, name, name_len, rec);
		if (r < 0) {
			return r;
		}
	}
	if (rec->outcome != ET_OUT_SUCCESS) {
		r = add_error(s, t, name, rec);
	}
	return r;
}

/* ---- results ---- */

static int tool_cmp(const void *a, const void *b)
{
	const struct et_stats_tool *x = a, *y = b;

	if (x->calls != y->calls) {
		return x->calls > y->calls ? -1 : 1;
	}
	return strcmp(x->tool, y->tool);
}

static int error_cmp(const void *a, const void *b)
{
	const struct et_stats_error *x = a, *y = b;

	if (x->count != y->count) {
		return x->count > y->count ? -1 : 1;
	}
	return strcmp(x->error, y->error);
}

static int class_cmp(const void *a, const void *b)
{
	const struct et_stats_class *x = a, *y = b;

	if (x->count != y->count) {
		return x->count > y->count ? -1 : 1;
	}
	return strcmp(et_errclass_name(x->cls), et_errclass_name(y->cls));
}

int et_stats_end(struct et_stats *s, struct et_stats_result *res)
{
	size_t i, j, k;
	int r;

	memset(res, 0, sizeof(*res));
	res->calls = s->calls;
	res->successes = s->successes;
	res->failures = s->failures;
	res->interrupted = s->interrupted;
	res->sessions = s->sessions.n;
	memcpy(res->agents, s->agents, sizeof(res->agents));
	res->nagents = s->nagents;
	qsort(res->agents, res->nagents, sizeof(res->agents[0]), agent_cmp);
	r = et_lat_summarise(&s->lat, &res->lat);
	res->tools = calloc(s->tool_names.n + 1, sizeof(*res->tools));
	res->classes = calloc(ET_ERRCLASS_COUNT, sizeof(*res->classes));
	res->slow = calloc(s->nslow + 1, sizeof(*res->slow));
	if (r < 0 || !res->tools || !res->classes || !res->slow) {
		return -ENOMEM;
	}
	for (i = 0; i < s->tool_names.n; i++) {
		struct tool *t = &s->tools[i];
		struct et_stats_tool *o = &res->tools[res->ntools++];
		struct et_stats_error *all;

		o->tool = strdup(et_hmap_key(&s->tool_names, i, NULL));
		o->calls = t->calls;
		o->successes = t->successes;
		o->failures = t->failures;
		o->interrupted = t->interrupted;
		if (!o->tool || et_lat_summarise(&t->lat, &o->lat) < 0) {
			return -ENOMEM;
		}
		all = calloc(t->errors.n + 1, sizeof(*all));
		if (!all) {
			return -ENOMEM;
		}
		for (j = 0; j < t->errors.n; j++) {
			all[j].error = (char *)et_hmap_key(&t->errors, j, NULL);
			all[j].cls = t->groups[j].cls;
			all[j].count = t->groups[j].count;
			all[j].example = t->groups[j].example;
		}
		qsort(all, t->errors.n, sizeof(*all), error_cmp);
		o->nerrors = t->errors.n < s->top ? t->errors.n : s->top;
		for (j = 0; j < o->nerrors; j++) {
			size_t len = strlen(all[j].error);

			all[j].error = strndup(
				all[j].error,
				len && all[j].error[len - 1] == INTERRUPTED_TAG ? len - 1 : len);
			all[j].example = strdup(all[j].example);
			if (!all[j].error || !all[j].example) {
				o->errors = all;
				return -ENOMEM;
			}
		}
		o->errors = all;
	}
	qsort(res->tools, res->ntools, sizeof(*res->tools), tool_cmp);
	for (k = 0; k < ET_ERRCLASS_COUNT; k++) {
		if (s->classes[k]) {
			res->classes[res->nclasses].cls = (int)k;
			res->classes[res->nclasses++].count = s->classes[k];
		}
	}
	qsort(res->classes, res->nclasses, sizeof(*res->classes), class_cmp);
	for (i = 0; i < s->nslow; i++) {
		res->slow[i] = s->slow[i];
		memset(&s->slow[i], 0, sizeof(s->slow[i]));
	}
	res->nslow = s->nslow;
	s->nslow = 0;
	return 0;
}

void et_stats_result_finish(struct et_stats_result *res)
{
	size_t i, j;

	for (i = 0; i < res->ntools; i++) {
		for (j = 0; j < res->tools[i].nerrors; j++) {
			free(res->tools[i].errors[j].error);
			free(res->tools[i].errors[j].example);
		}
		free(res->tools[i].errors);
		free(res->tools[i].tool);
	}
	free(res->tools);
	free(res->classes);
	for (i = 0; i < res->nslow; i++) {
		slow_free(&res->slow[i]);
	}
	free(res->slow);
	memset(res, 0, sizeof(*res));
}

/* ---- context ---- */

/* The decoded value of string member @key of the object at node 0, or false. */
static bool member_text(const struct et_jdoc *d, const char *key, struct et_buf *out)
{
	size_t i = et_jdoc_member(d, 0, key);

	if (!i || d->nodes[i].type != ET_J_STRING) {
		return false;
	}
	et_buf_reset(out);
	return et_jdoc_decode(d->nodes[i].raw, d->nodes[i].len, d->nodes[i].escaped, out) == 0;
}

/* Reduces a URL to its host. */
static void url_host(struct et_buf *v)
{
	char *p = strstr(v->data, "://"), *end;

	if (!p) {
		return;
	}
	p += 3;
	end = p + strcspn(p, "/?#");
	memmove(v->data, p, (size_t)(end - p));
	et_buf_truncate(v, (size_t)(end - p));
}

/* Reduces a path to its last component. */
static void base_name(struct et_buf *v)
{
	char *slash;

	while (v->len > 1 && v->data[v->len - 1] == '/') {
		et_buf_truncate(v, v->len - 1);
	}
	slash = strrchr(v->data, '/');
	if (slash && slash[1]) {
		size_t n = strlen(slash + 1);

		memmove(v->data, slash + 1, n);
		et_buf_truncate(v, n);
	}
}

int et_stats_context(const char *tool, const char *params, size_t params_len, struct et_buf *out)
{
	static const char *const shells[] = {"Bash", "PowerShell", "run_shell_command", NULL};
	static const char *const files[] = {
		"Read",		"Write",     "Edit",	   "MultiEdit", "NotebookEdit",
		"NotebookRead", "read_file", "write_file", "replace",	NULL};
	static const char *const patterns[] = {"Grep", "Glob", "LS", NULL};
	struct et_jdoc d = {0};
	struct et_buf v;
	bool found = false;
	size_t k, c;
	int r;

	et_buf_init(&v, 1 << 20);
	if (params && et_jdoc_parse(&d, params, params_len, 10000) == 0 &&
	    d.nodes[0].type == ET_J_OBJECT) {
		if (et_names_has(shells, tool)) {
			found = member_text(&d, "command", &v);
		} else if (!strcmp(tool, "WebFetch")) {
			found = member_text(&d, "url", &v);
			if (found) {
				url_host(&v);
			}
		} else if (!strcmp(tool, "WebSearch")) {
			found = member_text(&d, "query", &v);
		} else if (et_names_has(files, tool)) {
			found = member_text(&d, "file_path", &v) ||
				member_text(&d, "notebook_path", &v);
			if (found) {
				base_name(&v);
			}
		} else if (et_names_has(patterns, tool)) {
			found = member_text(&d, "pattern", &v) || member_text(&d, "path", &v);
		} else if (!strcmp(tool, "Task") || !strcmp(tool, "Agent")) {
			found = member_text(&d, "description", &v) ||
				member_text(&d, "subagent_type", &v);
		}
		/* Anything else: the first string member. */
		for (c = et_jdoc_child(&d, 0); !found && c; c = d.nodes[c].next) {
			if (d.nodes[c].type == ET_J_STRING) {
				et_buf_reset(&v);
				found = et_jdoc_decode(d.nodes[c].raw, d.nodes[c].len,
						       d.nodes[c].escaped, &v) == 0;
			}
		}
	}
	et_jdoc_finish(&d);
	r = et_buf_adds(out, tool);
	if (r == 0 && found && v.len) {
		/* One line, white space collapsed, at most CONTEXT_CHARS characters. */
		for (k = 0; k < v.len; k++) {
			if (v.data[k] == '\n' || v.data[k] == '\r' || v.data[k] == '\t') {
				v.data[k] = ' ';
			}
		}
		k = et_utf8_prefix(v.data, v.len, CONTEXT_CHARS);
		r = et_buf_addch(out, '[');
		if (r == 0) {
			r = et_buf_add(out, v.data, k);
		}
		if (r == 0 && k < v.len) {
			r = et_buf_adds(out, "\xe2\x80\xa6");
		}
		if (r == 0) {
			r = et_buf_addch(out, ']');
		}
	}
	et_buf_finish(&v);
	return r;
}
