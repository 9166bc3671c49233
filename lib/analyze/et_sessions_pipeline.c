/*
 * et_sessions_pipeline: test and build runs. Which shell commands run a pipeline (the default list
 * and the user's, matched word by word after environment assignments and wrappers such as
 * "uv run"), what a command that runs none worked on (its program and subcommand), and the
 * counting of the runs a walk meets: the series (runs of one pipeline by one agent within a task),
 * the first-try passes, the pipelines table with its exit codes.
 */
#include "et_sessions_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "et_buf.h"

#include "banned.h"

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
char *et_sess_command_target(const char *command)
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

/* ---- counting the runs ---- */

/* The pipelines table's row for @name, added when new; -1: ENOMEM. */
static long pipeline_row(struct build *b, const char *name)
{
	struct et_sessions_result *res = b->res;

	return et_sess_named_row((void **)&res->pipelines, &res->npipelines, &b->pipes_alloc,
				 sizeof(*res->pipelines), offsetof(struct et_pipeline_row, name),
				 name);
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

/* A new series row for the pipeline run @e by agent row @ar (findings). Its index, or -1. */
static long series_row(struct walk *w, const struct ev *e, size_t ar)
{
	struct et_sessions_result *res = w->res;
	struct et_series_row *row;

	if (et_sess_grow((void **)&res->series_rows, &w->b->series_alloc, sizeof(*res->series_rows),
			 res->nseries_rows) < 0) {
		return -1;
	}
	row = &res->series_rows[res->nseries_rows++];
	memset(row, 0, sizeof(*row));
	row->session = et_sess_dup(w->row->id);
	row->agent = strdup(res->agents[ar].type);
	row->pipeline = strdup(e->pipeline);
	row->first_id = et_sess_dup(e->tool_use_id);
	if ((w->row->id && !row->session) || !row->agent || !row->pipeline ||
	    (e->tool_use_id && !row->first_id)) {
		return -1;
	}
	return (long)(res->nseries_rows - 1);
}

int et_sess_pipeline_run(struct walk *w, const struct ev *e, struct targets t, size_t ar)
{
	bool ok = e->outcome == ET_OUT_SUCCESS, first = true;
	long sr = -1, pr;
	size_t i;

	for (i = 0; i < w->nseries; i++) {
		if (w->series[i].pipeline == e->pipeline &&
		    et_sess_same(w->series[i].agent_id, e->agent_id)) {
			first = false;
			sr = w->series[i].row;
		}
	}
	if (first) {
		if (et_sess_grow((void **)&w->series, &w->alloc_series, sizeof(*w->series),
				 w->nseries) < 0) {
			return -ENOMEM;
		}
		if (w->b->findings && (sr = series_row(w, e, ar)) < 0) {
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
	pipeline_code(&w->res->pipelines[pr], ok ? 0 : e->has_exit_code ? e->exit_code : -1);
	if (w->task >= 0) {
		w->res->tasks[w->task].last_run = ok ? 1 : 0;
	}
	return 0;
}
