/*
 * opts: the options and the runner shared by the subcommands that read the logs. The idea is that
 * every option means the same thing in every subcommand, so the slash commands and scripts can pass
 * the same filters to all of them, and that a subcommand is only what it aggregates and renders.
 */
#include "opts.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_fsutil.h"
#include "et_time.h"

#include "banned.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "telemetry-stats %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'telemetry-stats %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* The log's name of an agent --agent names (also by telemetry-hook's short names), or NULL. */
static const char *agent_name(const char *val)
{
	static const char *const names[][2] = {
		{"claude-code", "claude-code"},
		{"claude", "claude-code"},
		{"gemini-cli", "gemini-cli"},
		{"gemini", "gemini-cli"},
		{"codex", "codex"},
		{"cursor", "cursor"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(val, names[i][0])) {
			return names[i][1];
		}
	}
	return NULL;
}

const struct et_opt cli_shared_options[] = {
	{"-h", OPT_HELP, false},
	{"--help", OPT_HELP, false},
	{"--log", OPT_LOG, true},
	{"--since", OPT_SINCE, true},
	{"--until", OPT_UNTIL, true},
	{"--now", OPT_NOW, true},
	{"--session", OPT_SESSION, true},
	{"--project", OPT_PROJECT, true},
	{"--tool", OPT_TOOL, true},
	{"--agent", OPT_AGENT, true},
	{"--top", OPT_TOP, true},
	{"--format", OPT_FORMAT, true},
	{"--json", OPT_JSON, false},
	{"--markdown", OPT_MARKDOWN, false},
	{"--color", OPT_COLOR, true},
	{"--no-color", OPT_NO_COLOR, false},
	{NULL, 0, false},
};

int cli_args_stdin(int *argc, char ***argv, char **storage)
{
	char *text = malloc(CLI_ARGS_STDIN_MAX + 1);
	size_t got = 0;
	ssize_t n = 0;
	int r;

	if (!text) {
		return cli_oom();
	}
	/* One byte more than the bound tells "exactly the bound" from "more". */
	while (got <= CLI_ARGS_STDIN_MAX &&
	       ((n = read(STDIN_FILENO, text + got, CLI_ARGS_STDIN_MAX + 1 - got)) > 0 ||
		(n < 0 && errno == EINTR))) {
		got += n > 0 ? (size_t)n : 0;
	}
	if (n < 0) {
		fprintf(stderr, "telemetry-stats: --args-stdin: cannot read stdin: %s\n",
			strerror(errno));
		free(text);
		return EXIT_USAGE;
	}
	if (got > CLI_ARGS_STDIN_MAX) {
		fprintf(stderr,
			"telemetry-stats: --args-stdin: more than %d bytes of arguments; nothing was "
			"run\n",
			CLI_ARGS_STDIN_MAX);
		free(text);
		return EXIT_USAGE;
	}
	if (memchr(text, '\0', got)) {
		fprintf(stderr, "telemetry-stats: --args-stdin: a NUL byte in the arguments\n");
		free(text);
		return EXIT_USAGE;
	}
	text[got] = '\0';
	r = et_args_append_line(argc, argv, text, storage);
	free(text);
	if (r == -EINVAL) {
		fprintf(stderr,
			"telemetry-stats: --args-stdin: an unterminated quote, or more than %d "
			"words\n",
			ET_ARGS_MAX_WORDS);
		return EXIT_USAGE;
	}
	return r < 0 ? cli_oom() : EXIT_OK;
}

/*
 * For the own options: keeps argv[*@i], which is not one of them, at argv[*@n], followed by its
 * value when it is a shared option that takes one; advances *@i past that value and *@n past what
 * it kept.
 */
static void keep_arg(int argc, char **argv, int *i, int *n)
{
	const char *val;
	int next = *i;

	if (et_args_match(cli_shared_options, argc, argv, &next, &val) < 0) {
		next = *i;
	}
	argv[(*n)++] = argv[*i];
	if (next > *i) {
		argv[(*n)++] = argv[next];
		*i = next;
	}
}

/*
 * Takes @cmd's own options out of @argv (in place; *@argc shrinks) and leaves the rest for
 * cli_parse, stepping over the values of the shared options so that a value is never read as an
 * option.
 */
static int take_own(const struct cli_cmd *cmd, void *self, int *argc, char **argv)
{
	const char *val;
	int i, id, n = 0, status;

	for (i = 0; i < *argc; i++) {
		char *arg = argv[i];

		id = et_args_match(cmd->own_options, *argc, argv, &i, &val);
		if (id == ET_ARGS_NO_VALUE) {
			return cli_usage_error(cmd->name, "a value is missing after '%s'", arg);
		}
		if (id < 0) {
			keep_arg(*argc, argv, &i, &n);
			continue;
		}
		status = cmd->own(self, id, arg, val, *argc, argv, &i);
		if (status != EXIT_OK) {
			return status;
		}
	}
	*argc = n;
	return cmd->took ? cmd->took(self) : EXIT_OK;
}

/* Matches argv[*i] against the shared options, then the subcommand's own (et_args_match). */
static int match(const struct cli_cmd *cmd, int argc, char **argv, int *i, const char **val)
{
	int id = et_args_match(cli_shared_options, argc, argv, i, val);

	if ((id == ET_ARGS_UNKNOWN || id == ET_ARGS_ARGUMENT) && cmd->options) {
		id = et_args_match(cmd->options, argc, argv, i, val);
	}
	return id;
}

/* The options after the loop over them: times, the current session, the project, colour. */
static int resolve(struct cli *c, const char *since, const char *until, const char *now_arg,
		   const char *color)
{
	const char *cmd = c->cmd;

	c->now_ms = et_time_now_ms();
	if (now_arg &&
	    et_time_parse(now_arg, strlen(now_arg), ET_TIME_SETTING_FORMS, &c->now_ms) < 0) {
		return cli_usage_error(cmd,
				       "--now takes epoch milliseconds or an ISO 8601 UTC time, "
				       "not '%s'",
				       now_arg);
	}
	if (since) {
		if (et_time_parse_when(since, c->now_ms, &c->filter.since_ms) < 0) {
			return cli_usage_error(
				cmd,
				"--since takes a duration (7d, 12h, 30m, 2w) or a date "
				"(2026-11-01) or an ISO 8601 time, not '%s'",
				since);
		}
		c->filter.has_since = true;
		et_time_format(c->filter.since_ms, c->since_text, sizeof(c->since_text));
	}
	if (until) {
		if (et_time_parse_when(until, c->now_ms, &c->filter.until_ms) < 0) {
			return cli_usage_error(
				cmd,
				"--until takes a duration, a date or an ISO 8601 time, "
				"not '%s'",
				until);
		}
		c->filter.has_until = true;
		et_time_format(c->filter.until_ms, c->until_text, sizeof(c->until_text));
	}
	if (c->session && !strcmp(c->session, "current")) {
		const char *id = getenv("CLAUDE_CODE_SESSION_ID");

		if (!id || !*id) {
			return cli_usage_error(
				cmd, "--session current: CLAUDE_CODE_SESSION_ID is not set "
				     "(run it from inside Claude Code, or pass --session ID)");
		}
		c->session = id;
	}
	if (c->project_arg) {
		char real[PATH_MAX];
		size_t n;

		c->project = strdup(realpath(c->project_arg, real) ? real : c->project_arg);
		if (!c->project) {
			return EXIT_FAILURE_;
		}
		n = strlen(c->project);
		while (n > 1 && c->project[n - 1] == '/') {
			c->project[--n] = '\0';
		}
	}
	c->filter.session = c->session;
	c->filter.project = c->project;
	c->filter.tool = c->tool;
	c->filter.agent = c->agent;
	if (!strcmp(color, "always")) {
		c->color = true;
	} else if (!strcmp(color, "auto")) {
		const char *nc = getenv("NO_COLOR");

		c->color = isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	if (c->fmt != ET_FORMAT_TEXT) {
		c->color = false;
	}
	return EXIT_OK;
}

int cli_parse(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *now_arg = NULL, *color = "auto", *val;
	const char *name = cmd->name;
	int i;

	memset(c, 0, sizeof(*c));
	c->cmd = name;
	c->top = 10;
	c->min_count = 5;
	c->fmt = ET_FORMAT_TEXT;
	c->logs = calloc((size_t)argc + 1, sizeof(*c->logs));
	c->transcripts = calloc((size_t)argc + 1, sizeof(*c->transcripts));
	c->pipelines = calloc((size_t)argc + 1, sizeof(*c->pipelines));
	if (!c->logs || !c->transcripts || !c->pipelines) {
		return cli_oom();
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		switch (match(cmd, argc, argv, &i, &val)) {
		case ET_ARGS_ARGUMENT:
			return cli_usage_error(name, "unexpected argument '%s'", a);
		case ET_ARGS_UNKNOWN:
			return cli_usage_error(name, "unknown option '%s'", a);
		case ET_ARGS_NO_VALUE:
			return cli_usage_error(name, "%s needs a value", a);
		case OPT_HELP:
			fputs(cmd->usage, stdout);
			c->cmd = NULL;
			return EXIT_OK;
		case OPT_LOG:
			c->logs[c->nlogs++] = val;
			break;
		case OPT_SINCE:
			since = val;
			break;
		case OPT_UNTIL:
			until = val;
			break;
		case OPT_NOW:
			now_arg = val;
			break;
		case OPT_SESSION:
			c->session = val;
			break;
		case OPT_PROJECT:
			c->project_arg = val;
			break;
		case OPT_TOOL:
			c->tool = val;
			break;
		case OPT_AGENT:
			c->agent = agent_name(val);
			if (!c->agent) {
				return cli_usage_error(
					name,
					"--agent takes claude-code, gemini-cli, codex or "
					"cursor, not '%s'",
					val);
			}
			break;
		case OPT_TOP:
			if (!et_args_count(val, 1000000, &c->top)) {
				return cli_usage_error(
					name, "--top takes a whole number from 1, not '%s'", val);
			}
			break;
		case OPT_FORMAT:
			if (!strcmp(val, "text")) {
				c->fmt = ET_FORMAT_TEXT;
			} else if (!strcmp(val, "markdown") || !strcmp(val, "md")) {
				c->fmt = ET_FORMAT_MARKDOWN;
			} else if (!strcmp(val, "json")) {
				c->fmt = ET_FORMAT_JSON;
			} else {
				return cli_usage_error(
					name, "--format is text, markdown or json, not '%s'", val);
			}
			break;
		case OPT_JSON:
			c->fmt = ET_FORMAT_JSON;
			break;
		case OPT_MARKDOWN:
			c->fmt = ET_FORMAT_MARKDOWN;
			break;
		case OPT_COLOR:
			if (strcmp(val, "auto") && strcmp(val, "always") && strcmp(val, "never")) {
				return cli_usage_error(
					name, "--color is auto, always or never, not '%s'", val);
			}
			color = val;
			break;
		case OPT_NO_COLOR:
			color = "never";
			break;
		case OPT_FAILURES:
			c->only_failures = true;
			break;
		case OPT_SLOW:
			c->only_slow = true;
			break;
		case OPT_HTML:
			c->html = val;
			break;
		case OPT_SINCE_CLEAR:
			c->since_clear = true;
			break;
		case OPT_TRANSCRIPTS:
			c->transcripts[c->ntranscripts++] = val;
			break;
		case OPT_PIPELINE:
			if (!*val) {
				return cli_usage_error(name, "--pipeline needs a command");
			}
			c->pipelines[c->npipelines++] = val;
			break;
		case OPT_MIN_COUNT:
			if (!et_args_count(val, 1000000, &c->min_count)) {
				return cli_usage_error(
					name, "--min-count takes a whole number from 1, not '%s'",
					val);
			}
			break;
		default:
			return cli_usage_error(name, "unknown option '%s'", a);
		}
	}
	if (c->only_failures && c->only_slow) {
		return cli_usage_error(name, "choose one of --failures and --slow");
	}
	return resolve(c, since, until, now_arg, color);
}

int cli_files(struct cli *c)
{
	struct et_config cfg;
	size_t i;
	int r;

	for (i = 0; i < c->nlogs; i++) {
		r = et_lines_expand(c->logs[i], false, &c->files, &c->nfiles);
		if (r < 0) {
			fprintf(stderr, "telemetry-stats: cannot read log '%s': %s\n", c->logs[i],
				strerror(-r));
			return EXIT_FAILURE_;
		}
	}
	if (c->nlogs) {
		return EXIT_OK;
	}
	if (et_config_load(&cfg) < 0) {
		return cli_oom();
	}
	if (!cfg.log_path) {
		fprintf(stderr, "telemetry-stats: no log path: set HOME, CLAUDE_CONFIG_DIR or "
				"EXECUTION_TELEMETRY_LOG, or pass --log\n");
		et_config_finish(&cfg);
		return EXIT_FAILURE_;
	}
	r = et_lines_expand(cfg.log_path, true, &c->files, &c->nfiles);
	if (r == -ENOENT) {
		fprintf(stderr,
			"telemetry-stats: no log at '%s' yet: nothing has been recorded (is "
			"telemetry-hook registered? see README.md)\n",
			cfg.log_path);
		r = 0;
	} else if (r < 0) {
		fprintf(stderr, "telemetry-stats: cannot read log '%s': %s\n", cfg.log_path,
			strerror(-r));
	}
	et_config_finish(&cfg);
	return r < 0 ? EXIT_FAILURE_ : EXIT_OK;
}

int cli_pipelines(const struct cli *c, struct cli_pipelines *p)
{
	const struct et_config *cfg = &p->cfg;
	const char **list;
	size_t n = 0, i;

	p->list = NULL;
	if (et_config_load(&p->cfg) < 0) {
		return cli_oom();
	}
	p->loaded = true;
	for (i = 0; cfg->pipelines && cfg->pipelines[i]; i++) {
	}
	list = calloc(c->npipelines + i + 1, sizeof(*list));
	if (!list) {
		return cli_oom();
	}
	for (i = 0; i < c->npipelines; i++) {
		list[n++] = c->pipelines[i];
	}
	for (i = 0; cfg->pipelines && cfg->pipelines[i]; i++) {
		list[n++] = cfg->pipelines[i];
	}
	p->list = list;
	return EXIT_OK;
}

void cli_pipelines_finish(struct cli_pipelines *p)
{
	free(p->list);
	if (p->loaded) {
		et_config_finish(&p->cfg);
	}
	memset(p, 0, sizeof(*p));
}

bool cli_not_regular(const char *cmd, const char *path, int r, bool dir)
{
	if (r != -ELOOP && r != -ENODEV && !(dir && r == -EISDIR)) {
		return false;
	}
	fprintf(stderr,
		"telemetry-stats %s: '%s' is %s, not a regular file: not replaced (name a regular "
		"file, or '-' for stdout)\n",
		cmd, path,
		r == -ELOOP    ? "a symbolic link"
		: r == -EISDIR ? "a directory"
			       : "a device, FIFO or socket");
	return true;
}

void cli_meta(const struct cli *c, const struct et_logrec_stats *in, struct et_report_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->files = c->files;
	m->nfiles = c->nfiles;
	m->in = in;
	m->since = c->filter.has_since ? c->since_text : NULL;
	m->until = c->filter.has_until ? c->until_text : NULL;
	m->session = c->session;
	m->project = c->project;
	m->tool = c->tool;
	m->fmt = c->fmt;
	m->color = c->color;
	m->only_failures = c->only_failures;
	m->only_slow = c->only_slow;
	m->top = c->top;
}

int cli_failed(const struct et_buf *err)
{
	fprintf(stderr, "telemetry-stats: %s", err->len ? err->data : "out of memory\n");
	return EXIT_FAILURE_;
}

void cli_finish(struct cli *c)
{
	free(c->logs);
	free(c->transcripts);
	free(c->pipelines);
	free(c->project);
	et_lines_files_free(c->files, c->nfiles);
	memset(c, 0, sizeof(*c));
}

int cli_write(const char *data, size_t n)
{
	if (fwrite(data, 1, n, stdout) != n || fflush(stdout) != 0) {
		fprintf(stderr, "telemetry-stats: cannot write the report: %s\n", strerror(errno));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

int cli_oom(void)
{
	fprintf(stderr, "telemetry-stats: out of memory\n");
	return EXIT_FAILURE_;
}

int cli_output(const struct cli *c, const char *data, size_t n)
{
	int r;

	if (c->output && strcmp(c->output, "-")) {
		r = et_replace_write(c->output, data, n, 0600);
		if (cli_not_regular(c->cmd, c->output, r, true)) {
			return EXIT_FAILURE_;
		}
		if (r < 0) {
			fprintf(stderr, "telemetry-stats %s: cannot write '%s': %s\n", c->cmd,
				c->output, strerror(-r));
			return EXIT_FAILURE_;
		}
		return EXIT_OK;
	}
	if (!c->html || !strcmp(c->html, "-")) {
		return cli_write(data, n);
	}
	r = et_write_file(c->html, data, n, 0600);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: cannot write the report to '%s': %s\n", c->html,
			strerror(-r));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

int cli_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli c;
	struct et_logrec_stats in;
	struct et_report_meta m;
	struct et_buf out, err;
	void *self = calloc(1, cmd->size);
	int status, r;

	if (!self) {
		return cli_oom();
	}
	memset(&c, 0, sizeof(c));
	memset(&in, 0, sizeof(in));
	et_buf_init(&out, (size_t)64 << 20);
	et_buf_init(&err, 1 << 16);
	if (cmd->init) {
		cmd->init(self);
	}
	if (cmd->own_options && (status = take_own(cmd, self, &argc, argv)) != EXIT_OK) {
		goto out;
	}
	status = cli_parse(&c, cmd, argc, argv);
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	if (cmd->check && (status = cmd->check(self, &c)) != EXIT_OK) {
		goto out;
	}
	status = cli_files(&c);
	if (status != EXIT_OK) {
		goto out;
	}
	status = cmd->start(self, &c);
	if (status != EXIT_OK) {
		goto out;
	}
	r = et_logrec_run(c.files, c.nfiles, &c.filter, cmd->add, self, &in, &err);
	if (r == 0 && cmd->end) {
		r = cmd->end(self, &c);
	}
	if (cmd->output) {
		status = cmd->output(self, &c, r, &in, &err);
		goto out;
	}
	if (r < 0) {
		status = c.said ? EXIT_FAILURE_ : cli_failed(&err);
		goto out;
	}
	cli_meta(&c, &in, &m);
	if (cmd->render(self, &m, &out) < 0) {
		fprintf(stderr, "telemetry-stats: the report is too large\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	status = cli_output(&c, out.data, out.len);
out:
	cmd->destroy(self);
	free(self);
	et_buf_finish(&out);
	et_buf_finish(&err);
	cli_finish(&c);
	return status;
}
