/*
 * et_otlp: the OTLP JSON line writer of the logs and traces exports. The idea is that a line is
 * never built whole: each resource (one per agent) keeps its opening text and its items apart,
 * the writer keeps count of the bytes the line would have if written now, and writing it is a
 * sequence of writes of those pieces between the fixed openings and closings. Deciding whether an
 * item still fits is then arithmetic, and an item is copied once, into its resource.
 */
#include "et_otlp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_json.h"

#include "banned.h"

#define SERVICE_NAME "execution-telemetry"
#define LINE_CLOSE "]}\n"
#define GROUP_CLOSE "]}]}"
#define HEAD_CAP ((size_t)4 << 20) /* a resource's opening text at most */

/* One resource of the pending line: the items of one agent. */
struct et_otlp_group {
	char *agent;	     /* owned */
	struct et_buf items; /* comma-separated */
	struct et_buf head;  /* the text before them */
};

static const char *line_open(const struct et_otlp_lines *w)
{
	return w->signal == ET_OTLP_TRACES ? "{\"resourceSpans\":[" : "{\"resourceLogs\":[";
}

/* The bytes of an empty line: its opening and its closing. */
static size_t empty_line(const struct et_otlp_lines *w)
{
	return strlen(line_open(w)) + sizeof(LINE_CLOSE) - 1;
}

void et_otlp_lines_init(struct et_otlp_lines *w, const struct et_otlp_opts *o,
			enum et_otlp_signal signal)
{
	memset(w, 0, sizeof(*w));
	w->o = *o;
	w->signal = signal;
	if (!w->o.batch) {
		w->o.batch = ET_EXPORT_BATCH;
	}
	if (!w->o.line_bytes) {
		w->o.line_bytes = ET_EXPORT_LINE_BYTES;
	}
	w->pending = empty_line(w);
}

static void comma(struct et_buf *b, bool *first)
{
	if (!*first) {
		et_buf_addch(b, ',');
	}
	*first = false;
}

int et_otlp_attr_str(struct et_buf *b, bool *first, const char *key, const char *v, size_t n)
{
	comma(b, first);
	et_buf_adds(b, "{\"key\":");
	et_json_strz(b, key);
	et_buf_adds(b, ",\"value\":{\"stringValue\":");
	et_json_str(b, v, n);
	return et_buf_adds(b, "}}");
}

int et_otlp_attr_strz(struct et_buf *b, bool *first, const char *key, const char *v)
{
	return et_otlp_attr_str(b, first, key, v, strlen(v));
}

int et_otlp_attr_int(struct et_buf *b, bool *first, const char *key, long long v)
{
	comma(b, first);
	et_buf_adds(b, "{\"key\":");
	et_json_strz(b, key);
	return et_buf_addf(b, ",\"value\":{\"intValue\":\"%lld\"}}", v);
}

/* Writes the text of @agent's resource before its items into @b. */
static int group_head(const struct et_otlp_lines *w, const char *agent, struct et_buf *b)
{
	bool traces = w->signal == ET_OTLP_TRACES, first = true;

	et_buf_adds(b, "{\"resource\":{\"attributes\":[");
	et_otlp_attr_strz(b, &first, "service.name", SERVICE_NAME);
	if (w->o.version) {
		et_otlp_attr_strz(b, &first, "service.version", w->o.version);
	}
	if (w->o.host_name) {
		et_otlp_attr_strz(b, &first, "host.name", w->o.host_name);
	}
	if (w->o.user_name) {
		et_otlp_attr_strz(b, &first, "user.name", w->o.user_name);
	}
	et_otlp_attr_strz(b, &first, "agent", agent);
	et_buf_adds(b, traces ? "]},\"scopeSpans\":[{\"scope\":{\"name\":\"" SERVICE_NAME "\""
			      : "]},\"scopeLogs\":[{\"scope\":{\"name\":\"" SERVICE_NAME "\"");
	if (w->o.version) {
		et_buf_adds(b, ",\"version\":");
		et_json_strz(b, w->o.version);
	}
	et_buf_adds(b, traces ? "},\"spans\":[" : "},\"logRecords\":[");
	return b->failed ? -ENOMEM : 0;
}

static void groups_free(struct et_otlp_lines *w)
{
	size_t i;

	for (i = 0; i < w->ngroups; i++) {
		free(w->groups[i].agent);
		et_buf_finish(&w->groups[i].items);
		et_buf_finish(&w->groups[i].head);
	}
	w->ngroups = 0;
}

int et_otlp_lines_flush(struct et_otlp_lines *w)
{
	const char *open = line_open(w);
	size_t i;
	int r;

	if (!w->in_line) {
		return 0;
	}
	r = w->o.write(w->o.write_ctx, open, strlen(open));
	for (i = 0; i < w->ngroups && r == 0; i++) {
		const struct et_otlp_group *g = &w->groups[i];

		if (i) {
			r = w->o.write(w->o.write_ctx, ",", 1);
		}
		if (r == 0) {
			r = w->o.write(w->o.write_ctx, g->head.data, g->head.len);
		}
		if (r == 0) {
			r = w->o.write(w->o.write_ctx, g->items.data, g->items.len);
		}
		if (r == 0) {
			r = w->o.write(w->o.write_ctx, GROUP_CLOSE, sizeof(GROUP_CLOSE) - 1);
		}
	}
	if (r == 0) {
		r = w->o.write(w->o.write_ctx, LINE_CLOSE, sizeof(LINE_CLOSE) - 1);
	}
	groups_free(w);
	w->pending = empty_line(w);
	w->in_line = 0;
	w->lines++;
	return r;
}

static struct et_otlp_group *group_find(struct et_otlp_lines *w, const char *agent)
{
	size_t i;

	for (i = 0; i < w->ngroups; i++) {
		if (!strcmp(w->groups[i].agent, agent)) {
			return &w->groups[i];
		}
	}
	return NULL;
}

static struct et_otlp_group *group_add(struct et_otlp_lines *w, const char *agent)
{
	struct et_otlp_group *g;

	if (w->ngroups == w->galloc) {
		size_t n = w->galloc ? w->galloc * 2 : 4;
		struct et_otlp_group *v = realloc(w->groups, n * sizeof(*v));

		if (!v) {
			return NULL;
		}
		w->groups = v;
		w->galloc = n;
	}
	g = &w->groups[w->ngroups];
	memset(g, 0, sizeof(*g));
	et_buf_init(&g->items, ET_BUF_DEFAULT_CAP * 4);
	et_buf_init(&g->head, HEAD_CAP);
	g->agent = strdup(agent);
	if (!g->agent || group_head(w, agent, &g->head) < 0) {
		free(g->agent);
		et_buf_finish(&g->head);
		et_buf_finish(&g->items);
		return NULL;
	}
	w->ngroups++;
	return g;
}

/* The bytes adding an item of @n bytes to resource @g (NULL: a new one, of @agent) would add. */
static size_t growth(const struct et_otlp_lines *w, const struct et_otlp_group *g,
		     const char *agent, size_t n)
{
	struct et_buf head;
	size_t more;

	if (g) {
		return n + (g->items.len ? 1 : 0);
	}
	et_buf_init(&head, HEAD_CAP);
	group_head(w, agent, &head);
	more = head.len + n + sizeof(GROUP_CLOSE) - 1 + (w->ngroups ? 1 : 0);
	et_buf_finish(&head);
	return more;
}

int et_otlp_lines_fit(struct et_otlp_lines *w, const char *agent, size_t n)
{
	if (w->in_line &&
	    w->pending + growth(w, group_find(w, agent), agent, n) > w->o.line_bytes) {
		return et_otlp_lines_flush(w);
	}
	return 0;
}

int et_otlp_lines_add(struct et_otlp_lines *w, const char *agent, const char *item, size_t n)
{
	struct et_otlp_group *g = group_find(w, agent);
	size_t more = growth(w, g, agent, n);
	int r;

	if (w->in_line && w->pending + more > w->o.line_bytes) {
		r = et_otlp_lines_flush(w);
		if (r < 0) {
			return r;
		}
		g = NULL;
		more = growth(w, g, agent, n);
	}
	if (!g && !(g = group_add(w, agent))) {
		return -ENOMEM;
	}
	if (g->items.len && (r = et_buf_addch(&g->items, ',')) < 0) {
		return r;
	}
	r = et_buf_add(&g->items, item, n);
	if (r < 0) {
		return r;
	}
	w->pending += more;
	w->in_line++;
	w->items++;
	return w->in_line >= w->o.batch ? et_otlp_lines_flush(w) : 0;
}

int et_otlp_call_members(const struct et_record_in *rec, struct et_scan_member *mem, size_t *count)
{
	if (rec->outcome == ET_OUT_NONE) {
		return 0;
	}
	if (et_scan_object(rec->line, rec->line_len, mem, ET_OTLP_MAX_MEMBERS, count) !=
	    ET_SCAN_OK) {
		return -EINVAL;
	}
	if (*count > ET_OTLP_MAX_MEMBERS) {
		*count = ET_OTLP_MAX_MEMBERS;
	}
	return 1;
}

void et_otlp_lines_finish(struct et_otlp_lines *w)
{
	groups_free(w);
	free(w->groups);
	w->groups = NULL;
	w->galloc = 0;
}
