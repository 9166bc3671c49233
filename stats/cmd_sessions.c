/*
 * cmd_sessions: `telemetry-stats sessions`, the /telemetry-sessions command. The log gives the
 * runs, requests, subagents and calls; the transcripts the log names (and --transcripts) give the
 * models, tokens and dollars when they can be read. A transcript that cannot be read costs its
 * session those columns, nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_pricing.h"
#include "et_sessions.h"
#include "et_sessrender.h"
#include "et_transcript.h"
#include "et_usage.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats sessions [OPTIONS]\n"
	"\n"
	"Runs, tasks and agents: one row per session (start, duration, model, requests, calls,\n"
	"failures, success rate, retries, debugging cycles, test and build runs and how many\n"
	"passed on the first try, cost, how it ended), one per user request (UserPromptSubmit to\n"
	"Stop), the main agent and each subagent type (runs, successes, failures, reruns, calls,\n"
	"time), the test and build commands (runs, first-try pass rate, exit codes), and the same\n"
	"counts per model. With --session, that session as a timeline: each request, each call\n"
	"with its outcome and latency, failures and their recoveries marked, subagents nested.\n"
	"A debugging cycle is a failed call followed by more attempts at the same target (the\n"
	"same test command, program or file) until one succeeds or the request ends\n"
	"(docs/sessions.md). Requests and subagents need the session boundary records that\n"
	"install-hooks and the plugin register.\n"
	"\n"
	"sessions:\n"
	"  --since-clear      only what came after the last /clear of each session\n"
	"  --transcripts DIR  also read Claude Code transcripts here for models, tokens and cost\n"
	"                     (repeatable; the transcripts the log names are always tried)\n"
	"  --pipeline CMD     one more test or build command, as its first words ('just test');\n"
	"                     repeatable; also the config key pipelines (comma-separated)\n" COMMON_OPTIONS;

static const struct et_opt options[] = {
	{"--since-clear", OPT_SINCE_CLEAR, false},
	{"--transcripts", OPT_TRANSCRIPTS, true},
	{"--pipeline", OPT_PIPELINE, true},
	{NULL, 0, false},
};

struct run {
	struct et_sessions *s;
	struct et_sessions_result res;
	struct et_usage_result usage;
	struct cli_pipelines pipelines;
};

static int check(void *self, struct cli *c)
{
	(void)self;
	if (c->tool) {
		fprintf(stderr, "telemetry-stats: sessions takes no --tool (a session is all of "
				"its calls)\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int start(void *self, struct cli *c)
{
	struct run *run = self;
	struct et_sessions_opts o;
	int status = cli_pipelines(c, &run->pipelines);

	if (status != EXIT_OK) {
		return status;
	}
	memset(&o, 0, sizeof(o));
	o.pipelines = run->pipelines.list;
	o.since_clear = c->since_clear;
	o.timeline = c->session;
	run->s = et_sessions_create(&o);
	return run->s ? EXIT_OK : cli_oom();
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;

	return et_sessions_add(run->s, rec);
}

static int on_line(void *ctx, const struct et_tx_file *f, const struct et_tx_line *l)
{
	struct et_usage_src src;

	memset(&src, 0, sizeof(src));
	src.project = f->project;
	src.agent_type = f->agent_type;
	src.subagent = f->subagent;
	return l->kind == ET_TX_USAGE ? et_usage_add(ctx, l, &src) : 0;
}

/* A transcript's subagents: <transcript without .jsonl>/subagents/, when it is there. */
static void add_subagents(struct et_tx_files *fs, const char *path)
{
	size_t n = strlen(path);
	char dir[4096];

	if (n > 6 && !strcmp(path + n - 6, ".jsonl") &&
	    snprintf(dir, sizeof(dir), "%.*s/subagents", (int)(n - 6), path) < (int)sizeof(dir)) {
		(void)et_transcript_add(fs, dir); /* absent: no subagents, not an error */
	}
}

/*
 * Tokens and dollars per session from the transcripts. Returns 1 when some were read, 0 when
 * there were none to read, -errno on a failure (said on stderr).
 */
static int read_usage(struct run *run, struct cli *c)
{
	const char *const *paths;
	struct et_tx_files fs;
	struct et_pricing p;
	struct et_usage *u = NULL;
	struct et_usage_filter f;
	struct et_tx_read tr;
	struct et_lines_stats st;
	struct et_buf err;
	char *owned = NULL;
	size_t n, i;
	int r = 0;

	memset(&fs, 0, sizeof(fs));
	memset(&p, 0, sizeof(p));
	et_buf_init(&err, 1 << 16);
	et_sessions_transcripts(run->s, &paths, &n);
	for (i = 0; i < n; i++) {
		(void)et_transcript_add(&fs, paths[i]); /* gone or unreadable: no cost for it */
		add_subagents(&fs, paths[i]);
	}
	for (i = 0; i < c->ntranscripts; i++) {
		r = et_transcript_add(&fs, c->transcripts[i]);
		if (r < 0) {
			fprintf(stderr, "telemetry-stats: cannot read transcripts '%s': %s\n",
				c->transcripts[i], strerror(-r));
			c->said = true;
			goto out;
		}
	}
	if (fs.n == 0) {
		goto out;
	}
	if (cost_pricing(&p, &owned) != EXIT_OK) {
		r = -EINVAL; /* a bad pricing file, said */
		c->said = true;
		goto out;
	}
	et_transcript_sort(&fs);
	memset(&f, 0, sizeof(f));
	f.session = c->session;
	u = et_usage_create(&p, &f, ET_BY_SESSION, true);
	if (!u) {
		r = -ENOMEM;
		goto out;
	}
	memset(&tr, 0, sizeof(tr));
	memset(&st, 0, sizeof(st));
	tr.fn = on_line;
	tr.ctx = u;
	r = et_transcript_run(&fs, &tr, &st, &err);
	if (r == 0) {
		r = et_usage_end(u, &run->usage);
	}
	if (r == 0) {
		r = 1;
	} else {
		fprintf(stderr, "telemetry-stats: %s", err.len ? err.data : "out of memory\n");
		c->said = true;
	}
out:
	et_usage_destroy(u);
	et_transcript_files_finish(&fs);
	et_pricing_finish(&p);
	free(owned);
	et_buf_finish(&err);
	return r;
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;
	int r = read_usage(run, c);

	if (r < 0) {
		return r; /* read_usage said why, except when out of memory: cli_run says that */
	}
	r = et_sessions_end(run->s, r > 0 ? &run->usage : NULL, &run->res);
	if (r == 0 && c->session && !run->res.has_timeline) {
		bool narrowed = c->filter.has_since || c->filter.has_until || c->project;

		fprintf(stderr, "telemetry-stats: no session '%s' in the log%s\n", c->session,
			narrowed ? " within the filters" : "");
		c->said = true;
		r = -ENOENT;
	}
	return r;
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;

	return et_render_sessions(&run->res, m, out);
}

static void destroy(void *self)
{
	struct run *run = self;

	et_sessions_result_finish(&run->res);
	et_usage_result_finish(&run->usage);
	et_sessions_destroy(run->s);
	cli_pipelines_finish(&run->pipelines);
}

const struct cli_cmd sessions_cmd = {
	.name = "sessions",
	.usage = usage,
	.size = sizeof(struct run),
	.options = options,
	.check = check,
	.start = start,
	.add = add,
	.end = end,
	.render = render,
	.destroy = destroy,
};
