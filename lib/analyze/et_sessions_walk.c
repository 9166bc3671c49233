/*
 * et_sessions: runs, tasks and agents. The idea is to keep, per session, a small copy of each
 * record that matters (the boundaries and the calls, with the target a call worked on and the
 * pipeline it ran worked out once, on reading) and to walk each session once at the end, in log
 * order, as a little state machine: a UserPromptSubmit opens a task and a Stop closes it; a failed
 * call opens a debugging cycle on its target that a later success on the same target resolves and
 * the end of the task leaves unresolved; a subagent lives from its SubagentStart to its
 * SubagentStop. Every count goes to the session, the task and the agent at once. docs/sessions.md
 * states the rules.
 */
#include "et_sessions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"
#include "et_hmap.h"
#include "et_jdoc.h"
#include "et_scan.h"

#include "banned.h"

#define MAX_PARAM_MEMBERS 64
#define ERROR_LINE_MAX 160

const char *const et_sessions_default_pipelines[] = {
	"pytest",
	"py.test",
	"tox",
	"nox",
	"npm test",
	"npm run test",
	"npm run build",
	"pnpm test",
	"pnpm run test",
	"pnpm build",
	"pnpm run build",
	"yarn test",
	"yarn build",
	"yarn run test",
	"bun test",
	"deno test",
	"cargo test",
	"cargo build",
	"cargo nextest",
	"go test",
	"go build",
	"make",
	"gmake",
	"meson test",
	"meson compile",
	"ninja",
	"ctest",
	"cmake --build",
	"jest",
	"vitest",
	"mocha",
	"mvn",
	"gradle",
	"gradlew",
	"bazel test",
	"bazel build",
	"dotnet test",
	"dotnet build",
	"phpunit",
	"rspec",
	"mix test",
	"swift test",
	"swift build",
	NULL,
};

/* ---- pipelines ---- */

struct words {
	const char *p[16];
	size_t n[16];
	size_t count;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits @s (@n bytes) into at most 16 words at blanks. */
static void split_words(const char *s, size_t n, struct words *w)
{
	size_t i = 0, start;

	w->count = 0;
	while (i < n && w->count < 16) {
		while (i < n && is_space(s[i])) {
			i++;
		}
		if (i >= n) {
			break;
		}
		start = i;
		while (i < n && !is_space(s[i])) {
			i++;
		}
		w->p[w->count] = s + start;
		w->n[w->count++] = i - start;
	}
}

static bool word_is(const struct words *w, size_t i, const char *lit)
{
	size_t n = strlen(lit);

	return i < w->count && w->n[i] == n && memcmp(w->p[i], lit, n) == 0;
}

/* VAR=value: a leading environment assignment. */
static bool is_assignment(const char *p, size_t n)
{
	size_t i;

	if (!n || !((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z') || p[0] == '_')) {
		return false;
	}
	for (i = 1; i < n; i++) {
		if (p[i] == '=') {
			return true;
		}
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_')) {
			return false;
		}
	}
	return false;
}

/* The index of the program word of @w, after assignments and wrappers. */
static size_t program_word(struct words *w)
{
	size_t i = 0;

	for (;;) {
		if (i < w->count && is_assignment(w->p[i], w->n[i])) {
			i++;
		} else if (word_is(w, i, "sudo") || word_is(w, i, "env") || word_is(w, i, "time") ||
			   word_is(w, i, "nice") || word_is(w, i, "npx") || word_is(w, i, "exec") ||
			   word_is(w, i, "command")) {
			i++;
		} else if (word_is(w, i, "timeout")) {
			i += 2;
		} else if ((word_is(w, i, "uv") || word_is(w, i, "poetry") ||
			    word_is(w, i, "pipenv") || word_is(w, i, "pdm")) &&
			   word_is(w, i + 1, "run")) {
			i += 2;
		} else if (word_is(w, i, "bundle") && word_is(w, i + 1, "exec")) {
			i += 2;
		} else if (i < w->count && w->n[i] >= 6 && memcmp(w->p[i], "python", 6) == 0 &&
			   word_is(w, i + 1, "-m")) {
			i += 2;
		} else {
			return i;
		}
	}
}

/* True when the words of @w from @i begin with the words of @entry (the first by basename). */
static bool words_match(const struct words *w, size_t i, const char *entry)
{
	struct words e;
	const char *base;
	size_t k, bn;

	split_words(entry, strlen(entry), &e);
	if (!e.count || i + e.count > w->count) {
		return false;
	}
	base = w->p[i];
	bn = w->n[i];
	for (k = bn; k > 0; k--) {
		if (base[k - 1] == '/') {
			base += k;
			bn -= k;
			break;
		}
	}
	/* The program matches by its base name, or as written ("./run-tests.sh"). */
	if ((bn != e.n[0] || memcmp(base, e.p[0], bn) != 0) &&
	    (w->n[i] != e.n[0] || memcmp(w->p[i], e.p[0], e.n[0]) != 0)) {
		return false;
	}
	for (k = 1; k < e.count; k++) {
		if (w->n[i + k] != e.n[k] || memcmp(w->p[i + k], e.p[k], e.n[k]) != 0) {
			return false;
		}
	}
	return true;
}

static const char *match_list(const struct words *w, size_t i, const char *const *list)
{
	size_t k;

	for (k = 0; list && list[k]; k++) {
		if (words_match(w, i, list[k])) {
			return list[k];
		}
	}
	return NULL;
}

/* Finds the next command of @s from *@pos: sets *@start and *@len. False at the end. */
static bool next_command(const char *s, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos, n = strlen(s);

	if (i >= n) {
		return false;
	}
	*start = i;
	while (i < n && s[i] != ';' && s[i] != '|' && s[i] != '&' && s[i] != '\n') {
		i++;
	}
	*len = i - *start;
	while (i < n && (s[i] == ';' || s[i] == '|' || s[i] == '&' || s[i] == '\n')) {
		i++;
	}
	*pos = i;
	return true;
}

const char *et_sessions_pipeline(const char *command, const char *const *extra)
{
	struct words w;
	size_t pos = 0, start, len, i;
	const char *hit;

	if (!command) {
		return NULL;
	}
	while (next_command(command, &pos, &start, &len)) {
		split_words(command + start, len, &w);
		i = program_word(&w);
		if (i >= w.count) {
			continue;
		}
		hit = match_list(&w, i, extra);
		if (!hit) {
			hit = match_list(&w, i, et_sessions_default_pipelines);
		}
		if (hit) {
			return hit;
		}
	}
	return NULL;
}

/*
 * The target of a shell command that runs no pipeline: its program and, when the next word is a
 * plain subcommand (letters, digits, '-'), that word too ("git commit", "ls").
 */
static char *command_target(const char *command)
{
	struct words w;
	size_t pos = 0, start, len, i, k;
	struct et_buf b;
	bool sub;

	et_buf_init(&b, 4096);
	while (next_command(command, &pos, &start, &len)) {
		split_words(command + start, len, &w);
		i = program_word(&w);
		if (i >= w.count || word_is(&w, i, "cd")) {
			continue;
		}
		et_buf_add(&b, w.p[i], w.n[i]);
		sub = i + 1 < w.count && w.n[i + 1] > 0 && w.p[i + 1][0] != '-';
		for (k = 0; sub && k < w.n[i + 1]; k++) {
			char c = w.p[i + 1][k];

			sub = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		}
		if (sub) {
			et_buf_addch(&b, ' ');
			et_buf_add(&b, w.p[i + 1], w.n[i + 1]);
		}
		break;
	}
	if (b.failed || !b.len) {
		et_buf_finish(&b);
		return strdup(command);
	}
	return et_buf_detach(&b, NULL);
}

/* ---- storage ---- */

enum ev_kind {
	EV_CALL,
	EV_SESSION_START,
	EV_SESSION_END,
	EV_PROMPT,
	EV_STOP,
	EV_SUB_START,
	EV_SUB_STOP,
};

struct ev {
	enum ev_kind kind;
	enum et_outcome outcome;
	bool has_ts, has_latency, has_exit_code;
	int64_t ts_ms;
	double latency_ms;
	long long exit_code;
	long long bytes; /* a prompt's length */
	char *tool;	 /* owned strings, NULL when absent */
	char *target;	 /* what a call worked on */
	char *agent_id;	 /* the subagent that made a call, or whose boundary it is */
	char *agent_type;
	char *text;	      /* error line, prompt, source or reason */
	char *model;	      /* SessionStart */
	char *sub_type;	      /* an Agent call's subagent_type */
	char *tool_use_id;    /* a call's, with opts.findings only */
	const char *pipeline; /* borrowed from the lists */
};

struct sess {
	char *id;
	char *transcript;
	char *cwd;
	char *agent; /* the agent of its first record that names one */
	struct ev *ev;
	size_t n, alloc;
};

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
		e->target = e->pipeline ? strdup(e->pipeline) : command_target(cmd);
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

/* ---- the walk ---- */

struct inv {
	char *agent_id; /* borrowed from the events */
	const char *type;
	long task;
	bool has_start, stopped, has_stop;
	int64_t start_ms, stop_ms;
	uint64_t unresolved;
	int agent_call;	     /* the Agent call matched to it: -1 none, 0 succeeded, 1 failed */
	const char *call_id; /* that call's tool_use_id (borrowed), or NULL */
};

struct agent_call {
	const char *type;
	const char *id; /* borrowed: its tool_use_id, or NULL */
	long task;
	bool failed, matched, has_latency;
	double latency_ms;
};

struct cycle {
	const char *agent_id; /* borrowed */
	const char *target;
	long task;
	size_t agent_row;
	long inv;
	int64_t start_ms, last_ms;
	uint64_t attempts;
	size_t number;
	long last_item;		/* its last call's timeline item, or -1 */
	const struct ev *first; /* the failure that opened it (borrowed) */
	double lat_ms;		/* its attempts' latencies */
	uint64_t lat_n;
};

struct seen_series {
	const char *agent_id;
	const char *pipeline;
	long row; /* its row in res->series_rows (findings), or -1 */
};

/* The result being built, with the room of its growing arrays. */
struct build {
	struct et_sessions_result *res;
	size_t agents_alloc, pipes_alloc, tasks_alloc, tl_alloc;
	size_t cycles_alloc, series_alloc, subruns_alloc;
	bool findings;
};

struct walk {
	struct build *b;
	struct et_sessions_result *res;
	struct et_session_row *row;
	struct sess *x;
	bool timeline;
	long task;
	size_t first_task; /* the session's first task in res->tasks */
	struct cycle *cyc;
	size_t ncyc, alloc_cyc, cycles_seen;
	struct inv *inv;
	size_t ninv, alloc_inv;
	struct agent_call *calls;
	size_t ncalls, alloc_calls;
	struct seen_series *series;
	size_t nseries, alloc_series;
	int64_t last_ms;
	bool has_last;
};

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int grow(void **v, size_t *alloc, size_t size, size_t n)
{
	size_t want;
	void *p;

	if (n < *alloc) {
		return 0;
	}
	want = *alloc ? *alloc * 2 : 8;
	p = realloc(*v, want * size);
	if (!p) {
		return -ENOMEM;
	}
	*v = p;
	*alloc = want;
	return 0;
}

/* The agents table's row for @type ("main" or a subagent type), added when new; -1: ENOMEM. */
static long agent_row(struct build *b, const char *type)
{
	struct et_sessions_result *res = b->res;
	size_t i;

	for (i = 0; i < res->nagents; i++) {
		if (!strcmp(res->agents[i].type, type)) {
			return (long)i;
		}
	}
	if (grow((void **)&res->agents, &b->agents_alloc, sizeof(*res->agents), res->nagents) < 0) {
		return -1;
	}
	memset(&res->agents[i], 0, sizeof(res->agents[i]));
	res->agents[i].type = strdup(type);
	if (!res->agents[i].type) {
		return -1;
	}
	return (long)res->nagents++;
}

static long pipeline_row(struct build *b, const char *name)
{
	struct et_sessions_result *res = b->res;
	size_t i;

	for (i = 0; i < res->npipelines; i++) {
		if (!strcmp(res->pipelines[i].name, name)) {
			return (long)i;
		}
	}
	if (grow((void **)&res->pipelines, &b->pipes_alloc, sizeof(*res->pipelines),
		 res->npipelines) < 0) {
		return -1;
	}
	memset(&res->pipelines[i], 0, sizeof(res->pipelines[i]));
	res->pipelines[i].name = strdup(name);
	if (!res->pipelines[i].name) {
		return -1;
	}
	return (long)res->npipelines++;
}

static void pipeline_code(struct et_pipeline_row *p, long long code)
{
	size_t i;

	for (i = 0; i < p->ncodes; i++) {
		if (p->codes[i] == code) {
			p->code_counts[i]++;
			return;
		}
	}
	if (p->ncodes < ET_SESS_MAX_CODES) {
		p->codes[p->ncodes] = code;
		p->code_counts[p->ncodes++] = 1;
	} else {
		p->other_codes++;
	}
}

/* The count structures an event adds to: its session's, its task's, its agent's. */
struct targets {
	struct et_sess_counts *c[3];
};

static struct targets targets_of(struct walk *w, long task, size_t agent)
{
	struct targets t;

	t.c[0] = &w->row->c;
	t.c[1] = task >= 0 ? &w->res->tasks[task].c : NULL;
	t.c[2] = &w->res->agents[agent].c;
	return t;
}

#define EACH(t, stmt)                                                                              \
	do {                                                                                       \
		size_t k_;                                                                         \
		for (k_ = 0; k_ < 3; k_++) {                                                       \
			struct et_sess_counts *cn = (t).c[k_];                                     \
			if (cn) {                                                                  \
				stmt;                                                              \
			}                                                                          \
		}                                                                                  \
	} while (0)

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Adds a timeline item for event @e (when this session has a timeline); returns its index or -1. */
static long tl_add(struct walk *w, const struct ev *e, enum et_tl_kind kind, int depth, int *r)
{
	struct et_sessions_result *res = w->res;
	struct et_tl_item *it;

	if (!w->timeline) {
		return -1;
	}
	if (grow((void **)&res->timeline, &w->b->tl_alloc, sizeof(*res->timeline), res->ntimeline) <
	    0) {
		*r = -ENOMEM;
		return -1;
	}
	it = &res->timeline[res->ntimeline];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->depth = depth;
	it->has_ts = e->has_ts;
	it->ts_ms = e->ts_ms;
	it->outcome = e->outcome;
	it->has_latency = e->has_latency;
	it->latency_ms = e->latency_ms;
	it->has_exit_code = e->has_exit_code;
	it->exit_code = e->exit_code;
	switch (kind) {
	case ET_TL_CALL:
		it->tool = dup_or_null(e->tool);
		it->target = dup_or_null(e->target);
		it->pipeline = dup_or_null(e->pipeline);
		break;
	case ET_TL_SUB_START:
	case ET_TL_SUB_STOP:
		it->tool = dup_or_null(e->agent_type);
		it->target = dup_or_null(e->agent_id);
		break;
	default:
		break;
	}
	it->text = dup_or_null(kind == ET_TL_START && !e->text ? NULL : e->text);
	if ((e->tool && kind == ET_TL_CALL && !it->tool) || (e->text && !it->text)) {
		*r = -ENOMEM;
	}
	return (long)res->ntimeline++;
}

/* The finding row of cycle @c, which just ended (@resolved or not). 0 or -ENOMEM. */
static int cycle_row(struct walk *w, const struct cycle *c, bool resolved)
{
	struct et_sessions_result *res = w->res;
	struct et_cycle_row *row;

	if (!w->b->findings) {
		return 0;
	}
	if (grow((void **)&res->cycle_rows, &w->b->cycles_alloc, sizeof(*res->cycle_rows),
		 res->ncycle_rows) < 0) {
		return -ENOMEM;
	}
	row = &res->cycle_rows[res->ncycle_rows++];
	memset(row, 0, sizeof(*row));
	row->session = dup_or_null(w->row->id);
	row->agent = strdup(res->agents[c->agent_row].type);
	row->tool = dup_or_null(c->first->tool);
	row->target = dup_or_null(c->first->target);
	row->first_id = dup_or_null(c->first->tool_use_id);
	row->attempts = c->attempts;
	row->resolved = resolved;
	row->ms = (double)(c->last_ms - c->start_ms);
	row->lat_ms = c->lat_ms;
	row->lat_n = c->lat_n;
	if ((w->row->id && !row->session) || !row->agent || (c->first->tool && !row->tool) ||
	    (c->first->target && !row->target) || (c->first->tool_use_id && !row->first_id)) {
		return -ENOMEM;
	}
	return 0;
}

/* Closes cycle @i unresolved (its task or its subagent ended). 0 or -ENOMEM. */
static int cycle_unresolved(struct walk *w, size_t i)
{
	struct cycle *c = &w->cyc[i];
	struct targets t = targets_of(w, c->task, c->agent_row);
	int r = cycle_row(w, c, false);

	double ms = (double)(c->last_ms - c->start_ms);

	EACH(t, cn->cycle_ms += ms);
	if (c->inv >= 0) {
		w->inv[c->inv].unresolved++;
	}
	if (c->last_item >= 0) {
		w->res->timeline[c->last_item].mark = ET_MARK_UNRESOLVED;
		w->res->timeline[c->last_item].attempts = c->attempts;
	}
	w->cyc[i] = w->cyc[--w->ncyc];
	return r;
}

/* Closes every open cycle, or those of subagent @agent_id when @only_agent. 0 or -ENOMEM. */
static int close_cycles(struct walk *w, bool only_agent, const char *agent_id)
{
	size_t i = 0;
	int r = 0;

	while (i < w->ncyc) {
		if (!only_agent || same(w->cyc[i].agent_id, agent_id)) {
			if (cycle_unresolved(w, i) < 0) {
				r = -ENOMEM;
			}
		} else {
			i++;
		}
	}
	return r;
}

/* Ends the current task (a Stop, a new prompt, the session's end). 0 or -ENOMEM. */
static int end_task(struct walk *w, bool stopped, bool has_ts, int64_t ts)
{
	struct et_task_row *t;
	int r = close_cycles(w, false, NULL);

	w->nseries = 0;
	if (w->task < 0) {
		return r;
	}
	t = &w->res->tasks[w->task];
	t->stopped = stopped;
	if (has_ts) {
		t->end_ms = ts;
	} else if (w->has_last) {
		t->end_ms = w->last_ms;
	}
	w->task = -1;
	return r;
}

static long find_inv(struct walk *w, const char *agent_id)
{
	size_t i;

	for (i = w->ninv; i > 0; i--) {
		if (same(w->inv[i - 1].agent_id, agent_id)) {
			return (long)(i - 1);
		}
	}
	return -1;
}

static long new_inv(struct walk *w, struct ev *e)
{
	struct inv *v;

	if (grow((void **)&w->inv, &w->alloc_inv, sizeof(*w->inv), w->ninv) < 0) {
		return -1;
	}
	v = &w->inv[w->ninv];
	memset(v, 0, sizeof(*v));
	v->agent_id = e->agent_id;
	v->type = e->agent_type ? e->agent_type : "subagent";
	v->task = w->task;
	v->has_start = e->has_ts;
	v->start_ms = e->ts_ms;
	v->agent_call = -1;
	w->row->subagents++;
	if (w->task >= 0) {
		w->res->tasks[w->task].subagents++;
	}
	return (long)w->ninv++;
}

/* A new series row for the pipeline run @e by agent row @ar (findings). Its index, or -1. */
static long series_row(struct walk *w, const struct ev *e, size_t ar)
{
	struct et_sessions_result *res = w->res;
	struct et_series_row *row;

	if (grow((void **)&res->series_rows, &w->b->series_alloc, sizeof(*res->series_rows),
		 res->nseries_rows) < 0) {
		return -1;
	}
	row = &res->series_rows[res->nseries_rows++];
	memset(row, 0, sizeof(*row));
	row->session = dup_or_null(w->row->id);
	row->agent = strdup(res->agents[ar].type);
	row->pipeline = strdup(e->pipeline);
	row->first_id = dup_or_null(e->tool_use_id);
	if ((w->row->id && !row->session) || !row->agent || !row->pipeline ||
	    (e->tool_use_id && !row->first_id)) {
		return -1;
	}
	return (long)(res->nseries_rows - 1);
}

/* A call: counts, pipeline runs, debugging cycles. */
static int walk_call(struct walk *w, struct ev *e)
{
	long inv = -1, ar, item, pr;
	struct targets t;
	struct cycle *c;
	size_t i;
	bool ok = e->outcome == ET_OUT_SUCCESS, failed = e->outcome == ET_OUT_FAILURE;
	int r = 0;

	if (e->agent_id) {
		inv = find_inv(w, e->agent_id);
		if (inv < 0 && (inv = new_inv(w, e)) < 0) {
			return -ENOMEM;
		}
		if (e->agent_type && !strcmp(w->inv[inv].type, "subagent")) {
			w->inv[inv].type = e->agent_type;
		}
	}
	ar = agent_row(w->b, inv >= 0 ? w->inv[inv].type : "main");
	if (ar < 0) {
		return -ENOMEM;
	}
	item = tl_add(w, e, ET_TL_CALL, e->agent_id ? 2 : 1, &r);
	if (r < 0) {
		return r;
	}
	if (w->task < 0) {
		w->res->calls_outside++;
	}
	t = targets_of(w, w->task, (size_t)ar);
	EACH(t, {
		cn->calls++;
		cn->failures += failed;
		cn->interrupted += e->outcome == ET_OUT_INTERRUPTED;
	});
	if (e->pipeline) {
		bool first = true;
		long sr = -1;

		for (i = 0; i < w->nseries; i++) {
			if (w->series[i].pipeline == e->pipeline &&
			    same(w->series[i].agent_id, e->agent_id)) {
				first = false;
				sr = w->series[i].row;
			}
		}
		if (first) {
			if (grow((void **)&w->series, &w->alloc_series, sizeof(*w->series),
				 w->nseries) < 0) {
				return -ENOMEM;
			}
			if (w->b->findings && (sr = series_row(w, e, (size_t)ar)) < 0) {
				return -ENOMEM;
			}
			w->series[w->nseries].pipeline = e->pipeline;
			w->series[w->nseries].row = sr;
			w->series[w->nseries++].agent_id = e->agent_id;
		}
		if (sr >= 0) {
			struct et_series_row *row = &w->res->series_rows[sr];

			row->runs++;
			row->first_passed = row->first_passed || (first && ok);
			if (!row->passed && !ok) {
				row->failed++;
				if (e->has_latency) {
					row->failed_lat_ms += e->latency_ms;
					row->failed_lat_n++;
				}
			}
			row->passed = row->passed || ok;
		}
		EACH(t, {
			cn->runs++;
			cn->passes += ok;
			cn->series += first;
			cn->first_try += first && ok;
		});
		pr = pipeline_row(w->b, e->pipeline);
		if (pr < 0) {
			return -ENOMEM;
		}
		w->res->pipelines[pr].runs++;
		w->res->pipelines[pr].passes += ok;
		w->res->pipelines[pr].series += first;
		w->res->pipelines[pr].first_try += first && ok;
		pipeline_code(&w->res->pipelines[pr], ok		 ? 0
						      : e->has_exit_code ? e->exit_code
									 : -1);
		if (w->task >= 0) {
			w->res->tasks[w->task].last_run = ok ? 1 : 0;
		}
	}
	for (i = 0; i < w->ncyc; i++) {
		if (same(w->cyc[i].agent_id, e->agent_id) && same(w->cyc[i].target, e->target)) {
			break;
		}
	}
	if (i < w->ncyc) {
		EACH(t, {
			cn->retries++;
			cn->cycle_attempts++;
		});
		w->cyc[i].attempts++;
		if (e->has_latency) {
			w->cyc[i].lat_ms += e->latency_ms;
			w->cyc[i].lat_n++;
		}
		w->cyc[i].last_ms = e->has_ts ? e->ts_ms : w->cyc[i].last_ms;
		w->cyc[i].last_item = item;
		if (item >= 0) {
			w->res->timeline[item].cycle = w->cyc[i].number;
			w->res->timeline[item].mark = ok ? ET_MARK_RECOVERED : ET_MARK_RETRY;
			w->res->timeline[item].attempts = w->cyc[i].attempts;
		}
		if (ok) {
			struct targets ct = targets_of(w, w->cyc[i].task, w->cyc[i].agent_row);
			double ms = (double)(w->cyc[i].last_ms - w->cyc[i].start_ms);

			EACH(ct, {
				cn->resolved++;
				cn->cycle_ms += ms;
			});
			r = cycle_row(w, &w->cyc[i], true);
			w->cyc[i] = w->cyc[--w->ncyc];
		}
		return r;
	}
	if (!failed) {
		return 0;
	}
	if (grow((void **)&w->cyc, &w->alloc_cyc, sizeof(*w->cyc), w->ncyc) < 0) {
		return -ENOMEM;
	}
	c = &w->cyc[w->ncyc++];
	c->agent_id = e->agent_id;
	c->target = e->target;
	c->task = w->task;
	c->agent_row = (size_t)ar;
	c->inv = inv;
	c->start_ms = c->last_ms = e->has_ts ? e->ts_ms : (w->has_last ? w->last_ms : 0);
	c->attempts = 1;
	c->number = ++w->cycles_seen;
	c->last_item = item;
	c->first = e;
	c->lat_ms = e->has_latency ? e->latency_ms : 0;
	c->lat_n = e->has_latency;
	if (item >= 0) {
		w->res->timeline[item].mark = ET_MARK_CYCLE_OPEN;
		w->res->timeline[item].cycle = c->number;
		w->res->timeline[item].attempts = 1;
	}
	EACH(t, {
		cn->cycles++;
		cn->cycle_attempts++;
	});
	return 0;
}

static int walk_prompt(struct walk *w, struct ev *e)
{
	struct build *b = w->b;
	struct et_task_row *t;
	int r = 0;

	if (end_task(w, false, e->has_ts, e->ts_ms) < 0) {
		return -ENOMEM;
	}
	if (grow((void **)&w->res->tasks, &b->tasks_alloc, sizeof(*w->res->tasks), w->res->ntasks) <
	    0) {
		return -ENOMEM;
	}
	t = &w->res->tasks[w->res->ntasks];
	memset(t, 0, sizeof(*t));
	t->session = dup_or_null(w->row->id);
	t->index = w->res->ntasks - w->first_task + 1;
	t->prompt = dup_or_null(e->text);
	t->prompt_bytes = e->bytes;
	t->start_ms = t->end_ms = e->ts_ms;
	t->last_run = -1;
	if ((w->row->id && !t->session) || (e->text && !t->prompt)) {
		free(t->session);
		free(t->prompt);
		return -ENOMEM;
	}
	w->task = (long)w->res->ntasks++;
	w->row->requests++;
	w->res->requests++;
	tl_add(w, e, ET_TL_PROMPT, 0, &r);
	return r;
}

/* Walks one session's events (from @from) in order. */
static int walk_events(struct walk *w, size_t from)
{
	struct sess *x = w->x;
	size_t i;
	long v;
	int r = 0;

	for (i = from; i < x->n && r == 0; i++) {
		struct ev *e = &x->ev[i];

		if (e->has_ts) {
			if (!w->row->has_time || e->ts_ms < w->row->start_ms) {
				w->row->start_ms = e->ts_ms;
			}
			if (!w->row->has_time || e->ts_ms > w->row->end_ms) {
				w->row->end_ms = e->ts_ms;
			}
			w->row->has_time = true;
			w->last_ms = e->ts_ms;
			w->has_last = true;
		}
		switch (e->kind) {
		case EV_CALL:
			r = walk_call(w, e);
			if (r == 0 && e->sub_type && !e->agent_id) {
				struct agent_call *a;

				if (grow((void **)&w->calls, &w->alloc_calls, sizeof(*w->calls),
					 w->ncalls) < 0) {
					return -ENOMEM;
				}
				a = &w->calls[w->ncalls++];
				memset(a, 0, sizeof(*a));
				a->type = e->sub_type;
				a->task = w->task;
				a->failed = e->outcome != ET_OUT_SUCCESS;
				a->id = e->tool_use_id;
				a->has_latency = e->has_latency;
				a->latency_ms = e->latency_ms;
			} else if (r == 0 && !e->agent_id && e->tool &&
				   (!strcmp(e->tool, "Agent") || !strcmp(e->tool, "Task"))) {
				struct agent_call *a;

				if (grow((void **)&w->calls, &w->alloc_calls, sizeof(*w->calls),
					 w->ncalls) < 0) {
					return -ENOMEM;
				}
				a = &w->calls[w->ncalls++];
				memset(a, 0, sizeof(*a));
				a->type = "general-purpose";
				a->task = w->task;
				a->failed = e->outcome != ET_OUT_SUCCESS;
				a->id = e->tool_use_id;
				a->has_latency = e->has_latency;
				a->latency_ms = e->latency_ms;
			}
			break;
		case EV_SESSION_START:
			if (!w->row->source && e->text && !(w->row->source = strdup(e->text))) {
				return -ENOMEM;
			}
			if (e->model) {
				free(w->row->model);
				if (!(w->row->model = strdup(e->model))) {
					return -ENOMEM;
				}
			}
			tl_add(w, e, ET_TL_START, 0, &r);
			break;
		case EV_SESSION_END:
			if (end_task(w, false, e->has_ts, e->ts_ms) < 0) {
				return -ENOMEM;
			}
			free(w->row->ended);
			w->row->ended = strdup(e->text ? e->text : "unknown");
			if (!w->row->ended) {
				return -ENOMEM;
			}
			tl_add(w, e, ET_TL_END, 0, &r);
			break;
		case EV_PROMPT:
			if (e->agent_id) {
				break;
			}
			r = walk_prompt(w, e);
			break;
		case EV_STOP:
			if (e->agent_id) {
				break;
			}
			tl_add(w, e, ET_TL_STOP, 0, &r);
			if (r == 0) {
				r = end_task(w, true, e->has_ts, e->ts_ms);
			}
			break;
		case EV_SUB_START:
			if (new_inv(w, e) < 0) {
				return -ENOMEM;
			}
			tl_add(w, e, ET_TL_SUB_START, 1, &r);
			break;
		case EV_SUB_STOP:
			v = find_inv(w, e->agent_id);
			if (v < 0 || w->inv[v].stopped) {
				v = new_inv(w, e);
				if (v < 0) {
					return -ENOMEM;
				}
				w->inv[v].has_start = false;
			}
			if (e->agent_type) {
				w->inv[v].type = e->agent_type;
			}
			w->inv[v].stopped = true;
			w->inv[v].has_stop = e->has_ts;
			w->inv[v].stop_ms = e->ts_ms;
			r = close_cycles(w, true, e->agent_id);
			if (r == 0) {
				tl_add(w, e, ET_TL_SUB_STOP, 1, &r);
			}
			break;
		}
	}
	if (r == 0) {
		r = end_task(w, false, false, 0);
	}
	return r;
}

/* The finding row of a subagent run (findings). 0 or -ENOMEM. */
static int subrun_row(struct walk *w, const char *type, const char *call_id, bool ok, bool rerun,
		      bool has_ms, double ms)
{
	struct et_sessions_result *res = w->res;
	struct et_subrun_row *row;

	if (!w->b->findings) {
		return 0;
	}
	if (grow((void **)&res->subrun_rows, &w->b->subruns_alloc, sizeof(*res->subrun_rows),
		 res->nsubrun_rows) < 0) {
		return -ENOMEM;
	}
	row = &res->subrun_rows[res->nsubrun_rows++];
	memset(row, 0, sizeof(*row));
	row->session = dup_or_null(w->row->id);
	row->type = strdup(type);
	row->call_id = dup_or_null(call_id);
	row->ok = ok;
	row->rerun = rerun;
	row->has_ms = has_ms;
	row->ms = ms;
	if ((w->row->id && !row->session) || !row->type || (call_id && !row->call_id)) {
		return -ENOMEM;
	}
	return 0;
}

/*
 * The subagents of a session into the agents table: each invocation is matched to the Agent call
 * that ran it (same type, in order); a failed Agent call nothing started is an invocation that
 * failed. An invocation succeeds when it stopped, left no cycle unresolved and its Agent call did
 * not fail; a second invocation of a type in the same task is a retry.
 */
static int settle_agents(struct walk *w)
{
	size_t i, j, k;
	long ar;
	bool again, has_ms;

	for (i = 0; i < w->ninv; i++) {
		for (j = 0; j < w->ncalls; j++) {
			if (!w->calls[j].matched && !strcmp(w->calls[j].type, w->inv[i].type)) {
				w->calls[j].matched = true;
				w->inv[i].agent_call = w->calls[j].failed;
				w->inv[i].call_id = w->calls[j].id;
				break;
			}
		}
	}
	for (i = 0; i < w->ninv; i++) {
		struct inv *v = &w->inv[i];
		bool ok = v->stopped && v->unresolved == 0 && v->agent_call != 1;
		struct et_agent_row *a;

		again = false;
		ar = agent_row(w->b, v->type);
		if (ar < 0) {
			return -ENOMEM;
		}
		a = &w->res->agents[ar];
		a->invocations++;
		a->successes += ok;
		a->failures += !ok;
		has_ms = v->has_start && v->has_stop && v->stop_ms >= v->start_ms;
		if (has_ms) {
			a->time_ms += (double)(v->stop_ms - v->start_ms);
		}
		for (k = 0; k < i && !again; k++) {
			again = w->inv[k].task == v->task && !strcmp(w->inv[k].type, v->type);
		}
		a->retries += again;
		if (subrun_row(w, v->type, v->call_id, ok, again, has_ms,
			       has_ms ? (double)(v->stop_ms - v->start_ms) : 0) < 0) {
			return -ENOMEM;
		}
	}
	for (j = 0; j < w->ncalls; j++) {
		struct agent_call *c = &w->calls[j];
		struct et_agent_row *a;

		if (c->matched) {
			continue;
		}
		again = false;
		ar = agent_row(w->b, c->type);
		if (ar < 0) {
			return -ENOMEM;
		}
		a = &w->res->agents[ar];
		a->invocations++;
		a->successes += !c->failed;
		a->failures += c->failed;
		a->time_ms += c->has_latency ? c->latency_ms : 0;
		for (k = 0; k < w->ninv && !again; k++) {
			again = w->inv[k].task == c->task && !strcmp(w->inv[k].type, c->type);
		}
		for (k = 0; k < j && !again; k++) {
			again = !w->calls[k].matched && w->calls[k].task == c->task &&
				!strcmp(w->calls[k].type, c->type);
		}
		a->retries += again;
		if (subrun_row(w, c->type, c->id, !c->failed, again, c->has_latency,
			       c->latency_ms) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* The main agent's row: one invocation per task; it succeeds when a Stop ended it clean. */
static int settle_main(struct walk *w)
{
	long ar = agent_row(w->b, "main");
	size_t i;

	if (ar < 0) {
		return -ENOMEM;
	}
	for (i = w->first_task; i < w->res->ntasks; i++) {
		struct et_task_row *t = &w->res->tasks[i];
		bool ok = t->stopped && t->c.cycles == t->c.resolved;

		w->res->agents[ar].invocations++;
		w->res->agents[ar].successes += ok;
		w->res->agents[ar].failures += !ok;
		if (t->end_ms > t->start_ms) {
			w->res->agents[ar].time_ms += (double)(t->end_ms - t->start_ms);
		}
	}
	return 0;
}

static void counts_add(struct et_sess_counts *to, const struct et_sess_counts *c)
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
static int attach_usage(struct et_session_row *row, const struct et_usage_result *u)
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

static int by_model(struct et_sessions_result *res)
{
	size_t i, j, alloc = 0;

	for (i = 0; i < res->nsessions; i++) {
		const struct et_session_row *s = &res->sessions[i];
		const char *name = s->model ? s->model : "unknown";
		struct et_model_row *m;

		for (j = 0; j < res->nmodels && strcmp(res->models[j].model, name); j++) {
		}
		if (j == res->nmodels) {
			if (grow((void **)&res->models, &alloc, sizeof(*res->models), j) < 0) {
				return -ENOMEM;
			}
			memset(&res->models[j], 0, sizeof(res->models[j]));
			if (!(res->models[j].model = strdup(name))) {
				return -ENOMEM;
			}
			res->nmodels++;
		}
		m = &res->models[j];
		m->sessions++;
		m->tasks += s->requests;
		counts_add(&m->c, &s->c);
		if (s->has_usage) {
			m->has_cost = true;
			m->cost += s->usage.cost;
		}
	}
	return 0;
}

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
	if (!order || !res->sessions || agent_row(&b, "main") < 0) {
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

		row->id = dup_or_null(x->id);
		row->project = dup_or_null(x->cwd);
		row->agent = dup_or_null(x->agent ? x->agent : "claude-code");
		row->transcript_named = x->transcript != NULL;
		if ((x->id && !row->id) || (x->cwd && !row->project) || !row->agent) {
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
		r = walk_events(&w, session_from(s, x));
		if (r == 0) {
			r = settle_agents(&w);
		}
		if (r == 0) {
			r = settle_main(&w);
		}
		if (r == 0) {
			r = attach_usage(row, usage);
		}
		if (r == 0) {
			counts_add(&res->total, &row->c);
		}
	}
	if (r == 0) {
		r = by_model(res);
	}
	if (r == 0) {
		qsort(res->agents, res->nagents, sizeof(*res->agents), cmp_agent);
		if (res->npipelines) {
			qsort(res->pipelines, res->npipelines, sizeof(*res->pipelines),
			      cmp_pipeline);
		}
		if (res->nmodels) {
			qsort(res->models, res->nmodels, sizeof(*res->models), cmp_model);
		}
	}
out:
	free(order);
	free(w.cyc);
	free(w.inv);
	free(w.calls);
	free(w.series);
	return r;
}

void et_sessions_result_finish(struct et_sessions_result *res)
{
	size_t i;

	for (i = 0; i < res->nsessions; i++) {
		struct et_session_row *s = &res->sessions[i];

		free(s->id);
		free(s->project);
		free(s->agent);
		free(s->model);
		free(s->models);
		free(s->source);
		free(s->ended);
	}
	free(res->sessions);
	for (i = 0; i < res->ntasks; i++) {
		free(res->tasks[i].session);
		free(res->tasks[i].prompt);
	}
	free(res->tasks);
	for (i = 0; i < res->nagents; i++) {
		free(res->agents[i].type);
	}
	free(res->agents);
	for (i = 0; i < res->npipelines; i++) {
		free(res->pipelines[i].name);
	}
	free(res->pipelines);
	for (i = 0; i < res->nmodels; i++) {
		free(res->models[i].model);
	}
	free(res->models);
	for (i = 0; i < res->ntimeline; i++) {
		free(res->timeline[i].tool);
		free(res->timeline[i].target);
		free(res->timeline[i].text);
		free(res->timeline[i].pipeline);
	}
	free(res->timeline);
	for (i = 0; i < res->ncycle_rows; i++) {
		free(res->cycle_rows[i].session);
		free(res->cycle_rows[i].agent);
		free(res->cycle_rows[i].tool);
		free(res->cycle_rows[i].target);
		free(res->cycle_rows[i].first_id);
	}
	free(res->cycle_rows);
	for (i = 0; i < res->nseries_rows; i++) {
		free(res->series_rows[i].session);
		free(res->series_rows[i].agent);
		free(res->series_rows[i].pipeline);
		free(res->series_rows[i].first_id);
	}
	free(res->series_rows);
	for (i = 0; i < res->nsubrun_rows; i++) {
		free(res->subrun_rows[i].session);
		free(res->subrun_rows[i].type);
		free(res->subrun_rows[i].call_id);
	}
	free(res->subrun_rows);
	memset(res, 0, sizeof(*res));
}
