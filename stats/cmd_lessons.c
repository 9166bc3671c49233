/*
 * cmd_lessons: `telemetry-stats lessons`, the /telemetry-lessons command: the lessons the log
 * teaches; --write puts them in a rules file Claude Code reads, --diff shows what that would
 * change, --review says which lessons already written worked (docs/lessons.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_config.h"
#include "et_fsutil.h"
#include "et_lessonhint.h"
#include "et_lessons.h"
#include "et_lessonsfile.h"
#include "et_lessrender.h"
#include "et_time.h"
#include "opts.h"

#include "banned.h"

#define RULES_MAX ((size_t)4 << 20)

static const char usage[] =
	"usage: telemetry-stats lessons [--write [FILE] | --diff | --review]\n"
	"                               [--user | --project DIR | --file FILE] [OPTIONS]\n"
	"\n"
	"Short rules learned from the log's failures and the recoveries after them, one per tool\n"
	"and error class that failed at least --min-failures times, ranked by the time it lost,\n"
	"each with its evidence.\n"
	"\n"
	"lessons:\n"
	"  --write [FILE]     write the lessons into the rules file: FILE's marked section, or\n"
	"                     with --user ~/.claude/rules/execution-telemetry-lessons.md, with\n"
	"                     --project DIR DIR/.claude/rules/execution-telemetry-lessons.md;\n"
	"                     the rest of the file is kept, a backup FILE.bak-TIME is made, and\n"
	"                     writing the same lessons again changes nothing; the lessons with\n"
	"                     strong evidence also go to the state directory's lesson-hints,\n"
	"                     which the hook's feedback (feedback = on) quotes at a failure\n"
	"  --diff             show what --write would change, without writing\n"
	"  --review           compare the failure rate each written lesson targets before and after\n"
	"                     it was written: which worked, which did not, which can be retired\n"
	"  --user             the user's rules file (above)\n"
	"  --file FILE        a given file's marked section (also for --diff and --review)\n"
	"  --min-failures N   a lesson needs N failures or more (default 5, at least 3)\n"
	"  --turn-seconds N   the agent time a failure costs besides its latency (20)\n"
	"  (--project DIR also keeps only the calls made in DIR, as everywhere)\n" COMMON_OPTIONS;

enum {
	OWN_WRITE,
	OWN_DIFF,
	OWN_REVIEW,
	OWN_USER,
	OWN_FILE,
	OWN_MIN,
	OWN_TURN,
};

static const struct et_opt own_options[] = {
	{"--write", OWN_WRITE, false},	    {"--diff", OWN_DIFF, false},
	{"--review", OWN_REVIEW, false},    {"--user", OWN_USER, false},
	{"--file", OWN_FILE, true},	    {"--min-failures", OWN_MIN, true},
	{"--turn-seconds", OWN_TURN, true}, {NULL, 0, false},
};

struct run {
	bool write, diff, review, user;
	const char *file;
	size_t min_failures;
	double turn_s;
	char *target; /* owned: the rules file, or NULL */
	struct et_lessons *l;
	struct et_lessons_result res;
	struct et_lessonsfile_entry *old; /* what the target held */
	size_t nold;
	struct et_buf old_text;
	bool old_exists;
};

static int usage_error(const char *what, const char *arg)
{
	return arg ? cli_usage_error("lessons", "%s '%s'", what, arg)
		   : cli_usage_error("lessons", "%s", what);
}

static void init(void *self)
{
	struct run *run = self;

	run->min_failures = 5;
	run->turn_s = 20;
	et_buf_init(&run->old_text, RULES_MAX);
}

/* One of lessons' own options (struct cli_cmd's own). */
static int own(void *self, int id, const char *arg, const char *val, int argc, char **argv, int *i)
{
	struct run *run = self;
	char *end;

	switch (id) {
	case OWN_WRITE:
		run->write = true;
		/* --write FILE: a value that is not an option is the file. */
		if (*i + 1 < argc && argv[*i + 1][0] && argv[*i + 1][0] != '-') {
			run->file = argv[++*i];
		}
		break;
	case OWN_DIFF:
		run->diff = true;
		break;
	case OWN_REVIEW:
		run->review = true;
		break;
	case OWN_USER:
		run->user = true;
		break;
	case OWN_FILE:
		if (!*val) {
			return usage_error("an empty value for", arg);
		}
		run->file = val;
		break;
	case OWN_MIN:
		if (!et_args_count(val, 1000000, &run->min_failures) || run->min_failures < 3) {
			return usage_error("--min-failures takes a whole number from 3, not", val);
		}
		break;
	default:
		errno = 0;
		run->turn_s = strtod(val, &end);
		if (errno || *end || end == val || !(run->turn_s >= 0 && run->turn_s <= 3600)) {
			return usage_error("--turn-seconds takes 0 to 3600, not", val);
		}
		break;
	}
	return EXIT_OK;
}

static int took(void *self)
{
	struct run *run = self;

	if ((run->write + run->diff + run->review) > 1) {
		return usage_error("choose one of --write, --diff and --review", NULL);
	}
	return EXIT_OK;
}

/* The rules file: --file/--write FILE, else --user, else --project DIR; NULL when none. */
static int find_target(struct run *run, struct cli *c)
{
	struct et_buf b;
	char *dir = NULL;

	if (!!run->file + run->user + !!(c->project && !run->file && !run->user) == 0) {
		return (run->write || run->diff || run->review)
			       ? usage_error("--write, --diff and --review need --user, --project "
					     "DIR or a FILE",
					     NULL)
			       : EXIT_OK;
	}
	if (run->file && run->user) {
		return usage_error("choose one of --user and a FILE", NULL);
	}
	et_buf_init(&b, 8192);
	if (run->file) {
		et_buf_adds(&b, run->file);
	} else if (run->user) {
		dir = et_config_claude_dir();
		if (!dir) {
			et_buf_finish(&b);
			return usage_error("--user: HOME and CLAUDE_CONFIG_DIR are not set", NULL);
		}
		et_buf_addf(&b, "%s/rules/%s", dir, ET_LESSONS_FILE_NAME);
	} else {
		et_buf_addf(&b, "%s/.claude/rules/%s", c->project, ET_LESSONS_FILE_NAME);
	}
	free(dir);
	if (b.failed) {
		et_buf_finish(&b);
		return cli_oom();
	}
	run->target = et_buf_detach(&b, NULL);
	return EXIT_OK;
}

/* Reads the target's lessons (a missing file has none). */
static int read_target(struct run *run)
{
	int r;

	r = et_read_file(run->target, RULES_MAX, &run->old_text);
	if (r == -ENOENT) {
		return EXIT_OK;
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats lessons: cannot read '%s': %s\n", run->target,
			strerror(-r));
		return EXIT_FAILURE_;
	}
	run->old_exists = true;
	if (et_lessonsfile_parse(run->old_text.data, run->old_text.len, &run->old, &run->nold) <
	    0) {
		return cli_oom();
	}
	return EXIT_OK;
}

static int check(void *self, struct cli *c)
{
	struct run *run = self;
	int status = find_target(run, c);

	if (status != EXIT_OK || !run->target) {
		return status;
	}
	return read_target(run);
}

static int start(void *self, struct cli *c)
{
	struct run *run = self;
	size_t i;
	int64_t since;
	int r;

	(void)c;
	run->l = et_lessons_create(run->min_failures, run->turn_s);
	if (!run->l) {
		return cli_oom();
	}
	for (i = 0; run->review && i < run->nold; i++) {
		const char *s = run->old[i].since;

		if (et_time_parse(s, strlen(s), ET_TIME_STAMP_FORMS, &since) < 0) {
			fprintf(stderr,
				"telemetry-stats lessons: '%s': lesson %s: a bad time '%s'\n",
				run->target, run->old[i].id, s);
			continue;
		}
		r = et_lessons_review(run->l, run->old[i].id, since);
		if (r == -ENOMEM) {
			return cli_oom();
		}
		if (r < 0) {
			fprintf(stderr,
				"telemetry-stats lessons: '%s': '%s' names no error class\n",
				run->target, run->old[i].id);
		}
	}
	return EXIT_OK;
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;

	return et_lessons_add(run->l, rec);
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;

	return et_lessons_end(run->l, c->top, &run->res);
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;

	return et_render_lessons(&run->res, run->review, m, out);
}

/*
 * The new entries: this log's lessons (a lesson already in the file keeps the time it was first
 * written), then the file's other lessons as they were, so their review stays possible.
 */
static int merge(struct run *run, int64_t now_ms, struct et_lessonsfile_entry **out, size_t *n)
{
	struct et_lessonsfile_entry *e = calloc(run->res.n + run->nold + 1, sizeof(*e));
	char now[40];
	size_t i, j;

	*out = e;
	*n = 0;
	if (!e) {
		return -ENOMEM;
	}
	et_time_format(now_ms, now, sizeof(now));
	for (i = 0; i < run->res.n; i++) {
		const char *since = now;

		for (j = 0; j < run->nold; j++) {
			if (!strcmp(run->old[j].id, run->res.items[i].id)) {
				since = run->old[j].since;
			}
		}
		e[*n].id = strdup(run->res.items[i].id);
		e[*n].rule = strdup(run->res.items[i].rule);
		e[*n].since = strdup(since);
		(*n)++;
	}
	for (j = 0; j < run->nold; j++) {
		for (i = 0; i < run->res.n && strcmp(run->old[j].id, run->res.items[i].id); i++) {
		}
		if (i < run->res.n) {
			continue;
		}
		e[*n].id = strdup(run->old[j].id);
		e[*n].rule = strdup(run->old[j].rule);
		e[*n].since = strdup(run->old[j].since);
		(*n)++;
	}
	for (i = 0; i < *n; i++) {
		if (!e[i].id || !e[i].rule || !e[i].since) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* A line diff of two texts, enough for a section of a few lines: "-" lines, then "+" lines. */
static void diff(const struct et_buf *a, const struct et_buf *b, const char *path,
		 struct et_buf *out)
{
	const char *texts[2] = {a->data, b->data};
	size_t lens[2] = {a->len, b->len};
	int side;

	et_buf_addf(out, "--- %s\n+++ %s (after lessons --write)\n", path, path);
	for (side = 0; side < 2; side++) {
		const char *p = texts[side], *end = p + lens[side];
		const char *other = texts[!side];
		size_t olen = lens[!side];

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)((nl ? nl : end) - p);
			const char *q = other, *oend = other + olen;
			bool found = false;

			while (q < oend && !found) {
				const char *onl = memchr(q, '\n', (size_t)(oend - q));
				size_t on = (size_t)((onl ? onl : oend) - q);

				found = on == n && !memcmp(p, q, n);
				q += on + 1;
			}
			if (!found) {
				et_buf_addch(out, side ? '+' : '-');
				et_buf_add(out, p, n);
				et_buf_addch(out, '\n');
			}
			p += n + 1;
		}
	}
}

static int write_target(struct run *run, struct cli *c, struct et_buf *msg)
{
	struct et_lessonsfile_entry *e = NULL;
	struct et_buf next;
	struct et_replace rp;
	struct stat st;
	char *backup = NULL, *dir;
	size_t n = 0;
	int r;

	memset(&rp, 0, sizeof(rp));
	rp.fd = -1;
	et_buf_init(&next, RULES_MAX + (1 << 20));
	r = merge(run, c->now_ms, &e, &n);
	if (r == 0) {
		r = et_lessonsfile_build(run->old_text.data, run->old_text.len, e, n, &next);
	}
	if (r < 0) {
		goto out;
	}
	if (run->diff) {
		if (run->old_exists && next.len == run->old_text.len &&
		    !memcmp(next.data, run->old_text.data, next.len)) {
			et_buf_addf(msg, "%s: no change\n", run->target);
		} else {
			diff(&run->old_text, &next, run->target, msg);
		}
		goto out;
	}
	if (run->old_exists && next.len == run->old_text.len &&
	    !memcmp(next.data, run->old_text.data, next.len)) {
		et_buf_addf(msg, "%s: unchanged (%zu lessons)\n", run->target, n);
		goto out;
	}
	dir = et_dirname(run->target);
	r = dir ? et_mkdir_p(dir) : -ENOMEM;
	free(dir);
	/* Refused before anything is written: a link, a FIFO, a device is never replaced. */
	if (r == 0) {
		r = et_replace_begin_regular(
			&rp, run->target,
			run->old_exists && stat(run->target, &st) == 0 ? st.st_mode & 07777 : 0644);
	}
	if (r == 0 && run->old_exists) {
		r = et_write_backup_at(run->target, run->old_text.data, run->old_text.len, 0600,
				       c->now_ms, &backup);
	}
	if (r == 0) {
		r = et_write_all(rp.fd, next.data, next.len);
	}
	if (r == 0) {
		r = et_replace_commit(&rp);
	}
	et_replace_abort(&rp);
	if (r == 0) {
		et_buf_addf(msg, "%s: %zu lessons written", run->target, n);
		if (backup) {
			et_buf_addf(msg, " (backup: %s)", backup);
		}
		et_buf_addch(msg, '\n');
	}
out:
	free(backup);
	et_lessonsfile_free(e, n);
	et_buf_finish(&next);
	return r;
}

/*
 * The lessons with strong evidence, for the hook's feedback: the state directory's lesson hints
 * (et_lessonhint), replaced at each --write. Returns 0 or -errno (the directory in *@dir, owned).
 */
static int write_hints(struct run *run, struct et_buf *msg, char **dir)
{
	struct et_config cfg;
	struct et_lessonhint *h;
	size_t i, n = 0;
	int r;

	*dir = NULL;
	if (et_config_load(&cfg) < 0) {
		return -ENOMEM;
	}
	if (!cfg.state_dir || !(*dir = strdup(cfg.state_dir))) {
		et_config_finish(&cfg);
		return cfg.state_dir ? -ENOMEM : -ENOENT;
	}
	h = calloc(run->res.n + 1, sizeof(*h));
	if (!h) {
		et_config_finish(&cfg);
		return -ENOMEM;
	}
	for (i = 0; i < run->res.n; i++) {
		const struct et_lesson *l = &run->res.items[i];
		struct et_lessonhint *x = &h[n];

		if (!et_lessonhint_strong(l->failures, l->sessions) ||
		    !et_lessonhint_name_ok(l->tool)) {
			continue;
		}
		snprintf(x->tool, sizeof(x->tool), "%s", l->tool);
		x->cls = l->cls;
		x->failures = l->failures;
		x->sessions = l->sessions;
		x->recovered = l->recovered;
		if (l->nsteps && et_lessonhint_name_ok(l->steps[0].what)) {
			snprintf(x->step, sizeof(x->step), "%s", l->steps[0].what);
			x->step_count = l->steps[0].count;
		}
		n++;
	}
	r = et_lessonhint_write(cfg.state_dir, h, n);
	if (r == 0) {
		et_buf_addf(msg, "%s/%s: %zu lesson%s for the hook's feedback\n", cfg.state_dir,
			    ET_LESSONHINT_FILE, n < ET_LESSONHINT_MAX ? n : ET_LESSONHINT_MAX,
			    n == 1 ? "" : "s");
	}
	free(h);
	et_config_finish(&cfg);
	return r;
}

static int output(void *self, struct cli *c, int r, const struct et_logrec_stats *in,
		  const struct et_buf *err)
{
	struct run *run = self;
	struct et_report_meta m;
	struct et_buf out;
	int status;

	if (r < 0) {
		return cli_failed(err);
	}
	et_buf_init(&out, (size_t)64 << 20);
	if (run->write || run->diff) {
		r = write_target(run, c, &out);
		if (r < 0) {
			fprintf(stderr, "telemetry-stats lessons: cannot write '%s': %s\n",
				run->target,
				r == -ELOOP    ? "it is a symbolic link (not replaced)"
				: r == -ENODEV ? "it is not a regular file (not replaced)"
					       : strerror(-r));
			et_buf_finish(&out);
			return EXIT_FAILURE_;
		}
		if (run->write) {
			char *dir;

			r = write_hints(run, &out, &dir);
			if (r < 0) {
				fprintf(stderr,
					"telemetry-stats lessons: the rules were written, but not the "
					"lesson hints for the hook's feedback in '%s': %s\n",
					dir ? dir : "(no state directory)", strerror(-r));
				free(dir);
				(void)cli_write(out.data, out.len);
				et_buf_finish(&out);
				return EXIT_FAILURE_;
			}
			free(dir);
		}
	} else {
		cli_meta(c, in, &m);
		if (render(self, &m, &out) < 0) {
			et_buf_finish(&out);
			fprintf(stderr, "telemetry-stats: the report is too large\n");
			return EXIT_FAILURE_;
		}
	}
	status = cli_write(out.data, out.len);
	et_buf_finish(&out);
	return status;
}

static void destroy(void *self)
{
	struct run *run = self;

	et_lessons_result_finish(&run->res);
	et_lessons_destroy(run->l);
	et_lessonsfile_free(run->old, run->nold);
	et_buf_finish(&run->old_text);
	free(run->target);
	run->l = NULL;
	run->old = NULL;
	run->target = NULL;
}

const struct cli_cmd lessons_cmd = {
	.name = "lessons",
	.usage = usage,
	.size = sizeof(struct run),
	.own_options = own_options,
	.init = init,
	.own = own,
	.took = took,
	.check = check,
	.start = start,
	.add = add,
	.end = end,
	.render = render,
	.output = output,
	.destroy = destroy,
};
