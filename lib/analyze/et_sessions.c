/*
 * et_sessions: runs, tasks and agents. The idea is to keep, per session, a small copy of each
 * record that matters (the boundaries and the calls, with the target a call worked on and the
 * pipeline it ran worked out once, on reading) and to walk each session once at the end, in log
 * order, as a little state machine: a UserPromptSubmit opens a task and a Stop closes it; a failed
 * call opens a debugging cycle on its target that a later success on the same target resolves and
 * the end of the task leaves unresolved; a subagent lives from its SubagentStart to its
 * SubagentStop. Every count goes to the session, the task and the agent at once. docs/sessions.md
 * states the rules.
 *
 * This file reads the records into that copy and runs the walk per session at the end
 * (et_sessions_end); the walk itself is in et_sessions_walk.c, the debugging cycles in
 * et_sessions_cycles.c, the test and build runs in et_sessions_pipeline.c, the per-model table and
 * the order of the tables in et_sessions_models.c (et_sessions_int.h: what they share).
 */
#include "et_sessions.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_scan.h"
#include "et_sessions_int.h"

#include "banned.h"

#define MAX_PARAM_MEMBERS 64
#define ERROR_LINE_MAX 160

/* ---- storage ---- */

struct et_sessions {
	struct et_sessions_opts o;
	struct et_hmap ids;
	struct sess *s;
	size_t n, alloc;
	struct et_hmap transcripts;
	const char **tx; /* borrowed from the map's keys (copied into @tx_owned) */
	char **tx_owned;
	size_t ntx;
	struct et_buf tmp;
	size_t boundary_records;
};

struct et_sessions *et_sessions_create(const struct et_sessions_opts *o)
{
	struct et_sessions *s = calloc(1, sizeof(*s));

	if (!s) {
		return NULL;
	}
	if (o) {
		s->o = *o;
	}
	et_hmap_init(&s->ids);
	et_hmap_init(&s->transcripts);
	et_buf_init(&s->tmp, (size_t)64 << 20);
	return s;
}

static void ev_finish(struct ev *e)
{
	free(e->tool);
	free(e->target);
	free(e->agent_id);
	free(e->agent_type);
	free(e->text);
	free(e->model);
	free(e->sub_type);
	free(e->tool_use_id);
}

void et_sessions_destroy(struct et_sessions *s)
{
	size_t i, j;

	if (!s) {
		return;
	}
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->s[i].n; j++) {
			ev_finish(&s->s[i].ev[j]);
		}
		free(s->s[i].ev);
		free(s->s[i].id);
		free(s->s[i].transcript);
		free(s->s[i].cwd);
		free(s->s[i].agent);
		free(s->s[i].model);
	}
	free(s->s);
	for (i = 0; i < s->ntx; i++) {
		free(s->tx_owned[i]);
	}
	free(s->tx_owned);
	free(s->tx);
	et_hmap_finish(&s->ids);
	et_hmap_finish(&s->transcripts);
	et_buf_finish(&s->tmp);
	free(s);
}

/* A decoded copy of span @sp, or NULL when it is absent (or on ENOMEM: *@oom set). */
static char *span_dup(struct et_sessions *s, struct et_span sp, bool *oom)
{
	char *p;

	if (!sp.p) {
		return NULL;
	}
	et_buf_reset(&s->tmp);
	if (et_span_decode(sp, &s->tmp) < 0 || s->tmp.failed) {
		return NULL; /* an escape that does not decode: treated as absent */
	}
	p = malloc(s->tmp.len + 1);
	if (!p) {
		*oom = true;
		return NULL;
	}
	memcpy(p, s->tmp.data, s->tmp.len + 1);
	return p;
}

/* The first line of span @sp, at most ERROR_LINE_MAX bytes (cut at a UTF-8 boundary). */
static char *first_line(struct et_sessions *s, struct et_span sp, bool *oom)
{
	char *p = span_dup(s, sp, oom);
	size_t n, skip;

	if (!p) {
		return NULL;
	}
	/* "Exit code N" says no more than the exit code shown beside it: the line after it. */
	skip = strcspn(p, "\r\n");
	if (!strncmp(p, "Exit code ", 10) && p[skip]) {
		skip += strspn(p + skip, "\r\n");
		memmove(p, p + skip, strlen(p + skip) + 1);
	}
	n = strcspn(p, "\r\n");
	if (n > ERROR_LINE_MAX) {
		n = ERROR_LINE_MAX;
		while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80) {
			n--;
		}
	}
	p[n] = '\0';
	return p;
}

/* The decoded string member @key of the params object @m, or NULL. */
static char *param_string(const struct et_scan_member *m, size_t count, const char *key, bool *oom)
{
	const struct et_scan_member *v = et_scan_find(m, count, key);
	struct et_buf b;
	char *p;

	if (!v || v->type != '"') {
		return NULL;
	}
	et_buf_init(&b, (size_t)1 << 20);
	if (et_jdoc_decode(v->val + 1, v->val_len - 2, v->escaped, &b) < 0 || b.failed) {
		et_buf_finish(&b);
		return NULL;
	}
	p = et_buf_detach(&b, NULL);
	if (!p) {
		*oom = true;
	}
	return p;
}

static bool is_file_tool(const char *tool)
{
	static const char *const tools[] = {"Read",	 "Edit",	 "Write",
					    "MultiEdit", "NotebookEdit", NULL};
	size_t i;

	for (i = 0; tools[i]; i++) {
		if (!strcmp(tool, tools[i])) {
			return true;
		}
	}
	return false;
}

static char *join3(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *p = malloc(na + nb + nc + 1);

	if (p) {
		memcpy(p, a, na);
		memcpy(p + na, b, nb);
		memcpy(p + na + nb, c, nc + 1);
	}
	return p;
}

/*
 * A call's target (docs/sessions.md, "Debugging cycles"): the pipeline a shell command runs, else
 * its program (and subcommand); the file a file tool works on; else the tool and its params_fp.
 */
static int call_target(struct et_sessions *s, const struct et_record_in *rec, struct ev *e)
{
	struct et_scan_member m[MAX_PARAM_MEMBERS];
	size_t count = 0;
	char *cmd = NULL, *path = NULL, *fp;
	bool oom = false;

	if (rec->params && et_scan_object(rec->params, rec->params_len, m, MAX_PARAM_MEMBERS,
					  &count) != ET_SCAN_OK) {
		count = 0;
	}
	if (!strcmp(e->tool, "Bash") || !strcmp(e->tool, "PowerShell")) {
		cmd = param_string(m, count, "command", &oom);
	} else if (is_file_tool(e->tool)) {
		path = param_string(m, count, "file_path", &oom);
		if (!path && !oom) {
			path = param_string(m, count, "notebook_path", &oom);
		}
	} else if (!strcmp(e->tool, "Agent") || !strcmp(e->tool, "Task")) {
		e->sub_type = param_string(m, count, "subagent_type", &oom);
	}
	if (oom) {
		free(cmd);
		free(path);
		return -ENOMEM;
	}
	if (cmd) {
		e->pipeline = et_sessions_pipeline(cmd, s->o.pipelines);
		e->target = e->pipeline ? strdup(e->pipeline) : et_sess_command_target(cmd);
		free(cmd);
	} else if (path) {
		e->target = path;
	} else {
		fp = span_dup(s, rec->params_fp, &oom);
		e->target = join3(e->tool, fp ? " " : "", fp ? fp : "");
		free(fp);
	}
	return e->target ? 0 : -ENOMEM;
}

static struct sess *session_of(struct et_sessions *s, const struct et_record_in *rec, int *r)
{
	size_t n;
	const char *key = et_span_key(rec->session, &s->tmp, "", &n);
	bool added = false;
	long i = et_hmap_get(&s->ids, key, n, true, &added);
	struct sess *x;
	bool oom = false;

	*r = 0;
	if (i < 0) {
		*r = -ENOMEM;
		return NULL;
	}
	if (!added) {
		return &s->s[i];
	}
	if (et_hmap_values_grow((void **)&s->s, &s->alloc, sizeof(*s->s), (size_t)i) < 0) {
		*r = -ENOMEM;
		return NULL;
	}
	s->n = (size_t)i + 1;
	x = &s->s[i];
	memset(x, 0, sizeof(*x));
	x->id = span_dup(s, rec->session, &oom);
	if (oom) {
		*r = -ENOMEM;
	}
	return x;
}

static int note_transcript(struct et_sessions *s, struct sess *x, const struct et_record_in *rec)
{
	bool oom = false, added = false;
	char *p, **v;
	const char **w;

	if (x->transcript || !rec->transcript_path.p) {
		return 0;
	}
	x->transcript = span_dup(s, rec->transcript_path, &oom);
	if (!x->transcript) {
		return oom ? -ENOMEM : 0;
	}
	if (et_hmap_get(&s->transcripts, x->transcript, strlen(x->transcript), true, &added) < 0) {
		return -ENOMEM;
	}
	if (!added) {
		return 0;
	}
	p = strdup(x->transcript);
	v = realloc(s->tx_owned, (s->ntx + 1) * sizeof(*v));
	if (!p || !v) {
		free(p);
		if (v) {
			s->tx_owned = v;
		}
		return -ENOMEM;
	}
	s->tx_owned = v;
	w = realloc(s->tx, (s->ntx + 1) * sizeof(*w));
	if (!w) {
		free(p);
		return -ENOMEM;
	}
	s->tx = w;
	s->tx_owned[s->ntx] = p;
	s->tx[s->ntx++] = p;
	return 0;
}

int et_sessions_add(struct et_sessions *s, const struct et_record_in *rec)
{
	static const enum ev_kind kinds[] = {
		[ET_BND_SESSION_START] = EV_SESSION_START,
		[ET_BND_SESSION_END] = EV_SESSION_END,
		[ET_BND_PROMPT] = EV_PROMPT,
		[ET_BND_STOP] = EV_STOP,
		[ET_BND_SUBAGENT_START] = EV_SUB_START,
		[ET_BND_SUBAGENT_STOP] = EV_SUB_STOP,
	};
	struct sess *x;
	struct ev *e;
	bool oom = false;
	int r;

	if (rec->is_batch || (rec->outcome == ET_OUT_NONE && rec->boundary == ET_BND_NONE) ||
	    (rec->outcome != ET_OUT_NONE && !rec->tool.p)) {
		return 0;
	}
	x = session_of(s, rec, &r);
	if (!x) {
		return r;
	}
	if ((r = note_transcript(s, x, rec)) < 0) {
		return r;
	}
	if (!x->cwd && rec->cwd.p && !(x->cwd = span_dup(s, rec->cwd, &oom)) && oom) {
		return -ENOMEM;
	}
	if (!x->agent && rec->agent.p && !(x->agent = span_dup(s, rec->agent, &oom)) && oom) {
		return -ENOMEM;
	}
	if (!x->model && rec->outcome != ET_OUT_NONE && rec->model.p && rec->model.n &&
	    !(x->model = span_dup(s, rec->model, &oom)) && oom) {
		return -ENOMEM;
	}
	if (x->n == x->alloc) {
		size_t want = x->alloc ? x->alloc * 2 : 16;
		struct ev *v = realloc(x->ev, want * sizeof(*v));

		if (!v) {
			return -ENOMEM;
		}
		x->ev = v;
		x->alloc = want;
	}
	e = &x->ev[x->n];
	memset(e, 0, sizeof(*e));
	e->kind = rec->outcome != ET_OUT_NONE ? EV_CALL : kinds[rec->boundary];
	e->outcome = rec->outcome;
	e->has_ts = rec->has_ts;
	e->ts_ms = rec->ts_ms;
	e->has_latency = rec->has_latency;
	e->latency_ms = rec->latency_ms;
	e->has_exit_code = rec->has_exit_code;
	e->exit_code = rec->exit_code;
	e->bytes = rec->prompt_bytes;
	e->agent_id = span_dup(s, rec->agent_id, &oom);
	e->agent_type = span_dup(s, rec->agent_type, &oom);
	switch (e->kind) {
	case EV_CALL:
		e->tool = span_dup(s, rec->tool, &oom);
		e->text = first_line(s, rec->error, &oom);
		if (s->o.findings) {
			e->tool_use_id = span_dup(s, rec->tool_use_id, &oom);
		}
		if (!oom && e->tool && (r = call_target(s, rec, e)) < 0) {
			oom = true;
		}
		break;
	case EV_SESSION_START:
		e->text = span_dup(s, rec->source, &oom);
		e->model = span_dup(s, rec->model, &oom);
		break;
	case EV_SESSION_END:
		e->text = span_dup(s, rec->reason, &oom);
		break;
	case EV_PROMPT:
		e->text = span_dup(s, rec->prompt, &oom);
		break;
	default:
		break;
	}
	if (oom) {
		ev_finish(e);
		return -ENOMEM;
	}
	if (e->kind != EV_CALL) {
		s->boundary_records++;
	}
	x->n++;
	return 0;
}

int et_sessions_transcripts(struct et_sessions *s, const char *const **paths, size_t *n)
{
	*paths = s->tx;
	*n = s->ntx;
	return 0;
}

/* ---- the end ---- */

static int cmp_sess(const void *a, const void *b)
{
	const struct sess *x = *(struct sess *const *)a, *y = *(struct sess *const *)b;
	int64_t tx = x->n && x->ev[0].has_ts ? x->ev[0].ts_ms : 0;
	int64_t ty = y->n && y->ev[0].has_ts ? y->ev[0].ts_ms : 0;

	if (tx != ty) {
		return tx < ty ? -1 : 1;
	}
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* Where a session starts: after its last SessionStart "clear" with --since-clear, else 0. */
static size_t session_from(const struct et_sessions *s, const struct sess *x)
{
	size_t i, from = 0;

	if (!s->o.since_clear) {
		return 0;
	}
	for (i = 0; i < x->n; i++) {
		if (x->ev[i].kind == EV_SESSION_START && x->ev[i].text &&
		    !strcmp(x->ev[i].text, "clear")) {
			from = i;
		}
	}
	return from;
}

int et_sessions_end(struct et_sessions *s, const struct et_usage_result *usage,
		    struct et_sessions_result *res)
{
	struct build b;
	struct walk w;
	struct sess **order = NULL;
	size_t i;
	int r = 0;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	memset(&w, 0, sizeof(w));
	b.res = res;
	b.findings = s->o.findings;
	res->since_clear = s->o.since_clear;
	res->boundary_records = s->boundary_records;
	if (s->n == 0) {
		return 0;
	}
	order = malloc(s->n * sizeof(*order));
	res->sessions = calloc(s->n, sizeof(*res->sessions));
	if (!order || !res->sessions || et_sess_agent_row(&b, "main") < 0) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		order[i] = &s->s[i];
	}
	qsort(order, s->n, sizeof(*order), cmp_sess);
	for (i = 0; i < s->n && r == 0; i++) {
		struct sess *x = order[i];
		struct et_session_row *row = &res->sessions[res->nsessions++];

		row->id = et_sess_dup(x->id);
		row->project = et_sess_dup(x->cwd);
		row->agent = et_sess_dup(x->agent ? x->agent : "claude-code");
		row->model = et_sess_dup(x->model); /* SessionStart's model replaces it */
		row->transcript_named = x->transcript != NULL;
		if ((x->id && !row->id) || (x->cwd && !row->project) || !row->agent ||
		    (x->model && !row->model)) {
			r = -ENOMEM;
			break;
		}
		w.b = &b;
		w.res = res;
		w.row = row;
		w.x = x;
		w.task = -1;
		w.first_task = res->ntasks;
		w.ncyc = w.ninv = w.ncalls = w.nseries = 0;
		w.cycles_seen = 0;
		w.has_last = false;
		w.timeline = s->o.timeline && x->id && !strcmp(s->o.timeline, x->id);
		res->has_timeline |= w.timeline;
		r = et_sess_walk_events(&w, session_from(s, x));
		if (r == 0) {
			r = et_sess_settle_agents(&w);
		}
		if (r == 0) {
			r = et_sess_settle_main(&w);
		}
		if (r == 0) {
			r = et_sess_attach_usage(row, usage);
		}
		if (r == 0) {
			et_sess_counts_add(&res->total, &row->c);
		}
	}
	if (r == 0) {
		r = et_sess_by_model(res);
	}
	if (r == 0) {
		et_sess_sort_tables(res);
	}
out:
	free(order);
	free(w.cyc);
	free(w.inv);
	free(w.calls);
	free(w.series);
	return r;
}

/*
 * Frees the strings at the offsets @off (@noff of them) in each of the @n rows of @size bytes at
 * @rows, then the rows.
 */
static void free_rows(void *rows, size_t n, size_t size, const size_t *off, size_t noff)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < noff; k++) {
			free(*(char **)((char *)rows + i * size + off[k]));
		}
	}
	free(rows);
}

/* FREE_ROWS(rows, n, offsetof(...), ...): free_rows with the offsets listed in place. */
#define FREE_ROWS(rows, n, ...)                                                                    \
	free_rows((rows), (n), sizeof(*(rows)), (const size_t[]){__VA_ARGS__},                     \
		  sizeof((const size_t[]){__VA_ARGS__}) / sizeof(size_t))

void et_sessions_result_finish(struct et_sessions_result *res)
{
	FREE_ROWS(res->sessions, res->nsessions, offsetof(struct et_session_row, id),
		  offsetof(struct et_session_row, project), offsetof(struct et_session_row, agent),
		  offsetof(struct et_session_row, model), offsetof(struct et_session_row, models),
		  offsetof(struct et_session_row, source), offsetof(struct et_session_row, ended));
	FREE_ROWS(res->tasks, res->ntasks, offsetof(struct et_task_row, session),
		  offsetof(struct et_task_row, prompt));
	FREE_ROWS(res->agents, res->nagents, offsetof(struct et_agent_row, type));
	FREE_ROWS(res->pipelines, res->npipelines, offsetof(struct et_pipeline_row, name));
	FREE_ROWS(res->models, res->nmodels, offsetof(struct et_model_row, model));
	FREE_ROWS(res->timeline, res->ntimeline, offsetof(struct et_tl_item, tool),
		  offsetof(struct et_tl_item, target), offsetof(struct et_tl_item, text),
		  offsetof(struct et_tl_item, pipeline));
	FREE_ROWS(res->cycle_rows, res->ncycle_rows, offsetof(struct et_cycle_row, session),
		  offsetof(struct et_cycle_row, agent), offsetof(struct et_cycle_row, tool),
		  offsetof(struct et_cycle_row, target), offsetof(struct et_cycle_row, first_id));
	FREE_ROWS(res->series_rows, res->nseries_rows, offsetof(struct et_series_row, session),
		  offsetof(struct et_series_row, agent), offsetof(struct et_series_row, pipeline),
		  offsetof(struct et_series_row, first_id));
	FREE_ROWS(res->subrun_rows, res->nsubrun_rows, offsetof(struct et_subrun_row, session),
		  offsetof(struct et_subrun_row, type), offsetof(struct et_subrun_row, call_id));
	memset(res, 0, sizeof(*res));
}
