/*
 * opts: argument parsing shared by the subcommands. The idea is that every option means the same
 * thing in every subcommand, so the slash commands and scripts can pass the same filters to both.
 */
#include "opts.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "et_config.h"
#include "et_time.h"

#include "banned.h"

__attribute__((format(printf, 2, 3))) static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "telemetry-stats %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'telemetry-stats %s --help'.\n", cmd);
	return EXIT_USAGE;
}

static bool parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 1000000) {
		return false;
	}
	*out = v;
	return true;
}

/*
 * Splits @line like a POSIX shell would split words (no expansion): white space separates words,
 * '...' quotes literally, "..." quotes with backslash escaping " \\ $ `, a backslash outside quotes
 * escapes the next character. Returns the number of words in @words (pointers into @buf, which
 * receives the unquoted text), or -1 on an unterminated quote or too many words.
 */
static int split_words(const char *line, char *buf, char **words, int max)
{
	const char *p = line;
	char *w = buf;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		}
		if (!*p) {
			return n;
		}
		if (n == max) {
			return -1;
		}
		words[n++] = w;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++) {
					*w++ = *p;
				}
				if (!*p++) {
					return -1;
				}
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
							   p[1] == '$' || p[1] == '`')) {
						p++;
					}
					*w++ = *p;
				}
				if (!*p++) {
					return -1;
				}
			} else if (*p == '\\' && p[1]) {
				*w++ = p[1];
				p += 2;
			} else {
				*w++ = *p++;
			}
		}
		*w++ = '\0';
	}
}

int cli_args_stdin(int *argc, char ***argv, char **storage)
{
	char line[4096], *buf, **words, **all;
	size_t got = 0;
	ssize_t r;
	int n, i;

	while (got < sizeof(line) - 1 &&
	       (r = read(STDIN_FILENO, line + got, sizeof(line) - 1 - got)) > 0) {
		got += (size_t)r;
	}
	line[got] = '\0';
	buf = malloc(got + 1);
	words = calloc(256, sizeof(*words));
	if (!buf || !words) {
		free(buf);
		free(words);
		fprintf(stderr, "telemetry-stats: out of memory\n");
		return EXIT_FAILURE_;
	}
	n = split_words(line, buf, words, 256);
	if (n < 0) {
		free(buf);
		free(words);
		fprintf(stderr,
			"telemetry-stats: --args-stdin: an unterminated quote, or more than 256 "
			"words\n");
		return EXIT_USAGE;
	}
	all = calloc((size_t)(*argc + n + 1), sizeof(*all));
	if (!all) {
		free(buf);
		free(words);
		return EXIT_FAILURE_;
	}
	for (i = 0; i < *argc; i++) {
		all[i] = (*argv)[i];
	}
	for (i = 0; i < n; i++) {
		all[*argc + i] = words[i];
	}
	free(words);
	*argc += n;
	*argv = all;
	*storage = buf;
	return EXIT_OK;
}

int cli_parse(struct cli *c, const char *cmd, int argc, char **argv, const char *usage)
{
	const char *since = NULL, *until = NULL, *now_arg = NULL, *color = "auto";
	int i;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->top = 10;
	c->min_count = 5;
	c->fmt = ET_FORMAT_TEXT;
	c->logs = calloc((size_t)argc + 1, sizeof(*c->logs));
	if (!c->logs) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		return EXIT_FAILURE_;
	}
	for (i = 0; i < argc; i++) {
		char *a = argv[i], *val = NULL, *eq;
		char name[64];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			c->cmd = NULL;
			return EXIT_OK;
		}
		if (strncmp(a, "--", 2) != 0) {
			return usage_error(cmd, "unexpected argument '%s'", a);
		}
		eq = strchr(a, '=');
		if (eq && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			val = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a);
		}
#define VALUE()                                                                                    \
	do {                                                                                       \
		if (!val) {                                                                        \
			if (i + 1 >= argc) {                                                       \
				return usage_error(cmd, "%s needs a value", name);                 \
			}                                                                          \
			val = argv[++i];                                                           \
		}                                                                                  \
	} while (0)
		if (!strcmp(name, "--log")) {
			VALUE();
			c->logs[c->nlogs++] = val;
		} else if (!strcmp(name, "--since")) {
			VALUE();
			since = val;
		} else if (!strcmp(name, "--until")) {
			VALUE();
			until = val;
		} else if (!strcmp(name, "--now")) {
			VALUE();
			now_arg = val;
		} else if (!strcmp(name, "--session")) {
			VALUE();
			c->session = val;
		} else if (!strcmp(name, "--project")) {
			VALUE();
			c->project_arg = val;
		} else if (!strcmp(name, "--tool")) {
			VALUE();
			c->tool = val;
		} else if (!strcmp(name, "--top")) {
			VALUE();
			if (!parse_count(val, &c->top)) {
				return usage_error(
					cmd, "--top takes a whole number from 1, not '%s'", val);
			}
		} else if (!strcmp(name, "--format")) {
			VALUE();
			if (!strcmp(val, "text")) {
				c->fmt = ET_FORMAT_TEXT;
			} else if (!strcmp(val, "markdown") || !strcmp(val, "md")) {
				c->fmt = ET_FORMAT_MARKDOWN;
			} else if (!strcmp(val, "json")) {
				c->fmt = ET_FORMAT_JSON;
			} else {
				return usage_error(
					cmd, "--format is text, markdown or json, not '%s'", val);
			}
		} else if (!strcmp(name, "--json") && !val) {
			c->fmt = ET_FORMAT_JSON;
		} else if (!strcmp(name, "--markdown") && !val) {
			c->fmt = ET_FORMAT_MARKDOWN;
		} else if (!strcmp(name, "--color")) {
			VALUE();
			color = val;
			if (strcmp(val, "auto") && strcmp(val, "always") && strcmp(val, "never")) {
				return usage_error(
					cmd, "--color is auto, always or never, not '%s'", val);
			}
		} else if (!strcmp(name, "--no-color") && !val) {
			color = "never";
		} else if (!strcmp(cmd, "stats") && !strcmp(name, "--failures") && !val) {
			c->only_failures = true;
		} else if (!strcmp(cmd, "stats") && !strcmp(name, "--slow") && !val) {
			c->only_slow = true;
		} else if (!strcmp(cmd, "report") && !strcmp(name, "--html")) {
			VALUE();
			c->html = val;
		} else if ((!strcmp(cmd, "patterns") || !strcmp(cmd, "report")) &&
			   !strcmp(name, "--min-count")) {
			VALUE();
			if (!parse_count(val, &c->min_count)) {
				return usage_error(
					cmd, "--min-count takes a whole number from 1, not '%s'",
					val);
			}
		} else {
			return usage_error(cmd, "unknown option '%s'", a);
		}
#undef VALUE
	}
	if (c->only_failures && c->only_slow) {
		return usage_error(cmd, "choose one of --failures and --slow");
	}

	c->now_ms = et_time_now_ms();
	if (now_arg) {
		int64_t v;

		if (et_time_parse(now_arg, strlen(now_arg), ET_TIME_SETTING_FORMS, &v) < 0) {
			return usage_error(
				cmd,
				"--now takes epoch milliseconds or an ISO 8601 UTC time, "
				"not '%s'",
				now_arg);
		}
		c->now_ms = v;
	}
	if (since) {
		if (et_time_parse_when(since, c->now_ms, &c->filter.since_ms) < 0) {
			return usage_error(cmd,
					   "--since takes a duration (7d, 12h, 30m, 2w) or a date "
					   "(2026-11-01) or an ISO 8601 time, not '%s'",
					   since);
		}
		c->filter.has_since = true;
		et_time_format(c->filter.since_ms, c->since_text, sizeof(c->since_text));
	}
	if (until) {
		if (et_time_parse_when(until, c->now_ms, &c->filter.until_ms) < 0) {
			return usage_error(cmd,
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
			return usage_error(
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
		fprintf(stderr, "telemetry-stats: out of memory\n");
		return EXIT_FAILURE_;
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
