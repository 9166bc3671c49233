/*
 * cmd_statusline: `telemetry-stats statusline`, Claude Code's statusLine command. Reads the
 * status-line JSON on stdin and prints one short line about this session. It runs after every
 * assistant message, so it reads only the end of the log (et_logtail, back to the session's start
 * or a byte bound) and the transcript only when it is small; and since its output lands in the
 * user's terminal, any input it cannot use gives a shorter line or none, never an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "et_buf.h"
#include "et_config.h"
#include "et_fsutil.h"
#include "et_lines.h"
#include "et_logtail.h"
#include "et_pricing.h"
#include "et_statusline.h"
#include "opts.h"

#include "banned.h"

/* Defaults of the bounds: what the log is read back at most, the largest transcript read. */
#define DEFAULT_LOG_BYTES ((uint64_t)8 << 20)
#define DEFAULT_TX_BYTES ((uint64_t)4 << 20)
/* Records this much older than the session's start still count (clocks, the first call). */
#define SINCE_SLACK_MS 60000

static const char usage[] =
	"usage: telemetry-stats statusline [--log PATH] [--max-log-bytes SIZE]\n"
	"                                  [--max-transcript-bytes SIZE] [--no-cost]\n"
	"\n"
	"Claude Code's statusLine command: reads the status-line JSON on stdin and prints one\n"
	"line for that session: tool calls, failures, the slowest call, tokens and cost, e.g.\n"
	"  42 tool calls, 3 failed | slowest Bash 12.3s | 1.24M tokens | $0.84\n"
	"In ~/.claude/settings.json:\n"
	"  \"statusLine\": {\"type\": \"command\", \"command\": \"telemetry-stats statusline\"}\n"
	"\n"
	"It reads the log backwards from its end, to the session's start (from the JSON's\n"
	"cost.total_duration_ms) or SIZE bytes (\"42+ tool calls\": the bound was reached).\n"
	"Tokens and cost come from the session's transcript when it is at most the transcript\n"
	"SIZE, else from the JSON. Input it cannot use gives a shorter line or none: the exit\n"
	"status is 0 whatever stdin holds.\n"
	"\n"
	"  --log PATH                  the log (default: the hook's, and its rotated files)\n"
	"  --max-log-bytes SIZE        read the log back at most SIZE bytes (default 8M)\n"
	"  --max-transcript-bytes SIZE read a transcript of at most SIZE (default 4M; 0: never)\n"
	"  --no-cost                   tokens and cost from the JSON only\n"
	"  -h, --help                  this text\n"
	"\n"
	"exit status: 0 (a line or nothing printed); 2 bad arguments.\n";

struct sl_opts {
	const char *log;
	uint64_t max_log, max_tx;
	bool no_cost;
};

static int parse_size_opt(const char *name, const char *val, uint64_t *out)
{
	if (!val || et_config_parse_size(val, out) < 0) {
		fprintf(stderr, "telemetry-stats statusline: %s needs a size (e.g. 8M)\n", name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct sl_opts *o, bool *help)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
		} else if (!strcmp(a, "--no-cost")) {
			o->no_cost = true;
		} else if (!strcmp(a, "--log") && val) {
			o->log = val;
			i++;
		} else if (!strcmp(a, "--max-log-bytes")) {
			r = parse_size_opt(a, val, &o->max_log);
			if (r != EXIT_OK) {
				return r;
			}
			i++;
		} else if (!strcmp(a, "--max-transcript-bytes")) {
			r = parse_size_opt(a, val, &o->max_tx);
			if (r != EXIT_OK) {
				return r;
			}
			i++;
		} else {
			fprintf(stderr, "telemetry-stats statusline: unexpected argument '%s'\n%s",
				a, usage);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

static int64_t now_ms(const struct et_config *cfg)
{
	struct timespec ts;

	if (cfg->has_now) {
		return cfg->now_ms;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The session's tally from the end of the log. Sets *@partial when the bound stopped it. */
static void tally_log(const struct sl_opts *o, const struct et_config *cfg,
		      const struct et_status_in *in, struct et_status_tally *t, bool *partial)
{
	struct et_logtail_opts to = {.session = in->session, .max_bytes = o->max_log};
	struct et_logtail_stats st;
	const char *log = o->log ? o->log : cfg->log_path;
	char **files = NULL;
	size_t i, n = 0;

	*partial = false;
	if (!log || et_lines_expand(log, !o->log, &files, &n) < 0) {
		return;
	}
	if (in->has_duration) {
		to.has_since = true;
		to.since_ms = now_ms(cfg) - in->duration_ms - SINCE_SLACK_MS;
	}
	if (et_logtail_run(files, n, &to, et_status_tally_add, t, &st) == 0) {
		*partial = !st.complete;
	} else {
		memset(t, 0, sizeof(*t));
	}
	for (i = 0; i < n; i++) {
		free(files[i]);
	}
	free(files);
}

static void transcript_usage(const struct sl_opts *o, const struct et_config *cfg,
			     const struct et_status_in *in, struct et_status_usage *u)
{
	struct et_pricing p;
	struct et_buf err;

	if (o->no_cost || !o->max_tx || !in->transcript[0] || et_pricing_init(&p) < 0) {
		return;
	}
	/* The user's prices, as cost uses them; a bad file leaves the embedded table. */
	if (cfg->pricing_path) {
		et_buf_init(&err, 4096);
		if (et_pricing_load(&p, cfg->pricing_path, &err) < 0) {
			et_pricing_finish(&p);
			if (et_pricing_init(&p) < 0) {
				et_buf_finish(&err);
				return;
			}
		}
		et_buf_finish(&err);
	}
	if (et_status_usage(in->transcript, in->session, o->max_tx, &p, u) < 0) {
		memset(u, 0, sizeof(*u));
	}
	et_pricing_finish(&p);
}

int cmd_statusline(int argc, char **argv)
{
	struct sl_opts o = {.max_log = DEFAULT_LOG_BYTES, .max_tx = DEFAULT_TX_BYTES};
	struct et_status_tally t = {0};
	struct et_status_usage u = {0};
	struct et_status_in in;
	struct et_config cfg;
	struct et_buf input, out;
	bool help = false, partial = false;
	int r;

	r = parse_args(argc, argv, &o, &help);
	if (r != EXIT_OK || help) {
		if (help) {
			fputs(usage, stdout);
		}
		return r;
	}
	et_buf_init(&input, ET_STATUS_MAX_INPUT);
	et_buf_init(&out, 4096);
	/* Too large, unreadable or not JSON: nothing to say about a session, so say nothing. */
	if (et_read_all(STDIN_FILENO, ET_STATUS_MAX_INPUT, &input) < 0 ||
	    et_status_parse(input.data, input.len, &in) < 0 || !in.session[0]) {
		goto done;
	}
	if (et_config_load(&cfg) < 0) {
		goto done;
	}
	tally_log(&o, &cfg, &in, &t, &partial);
	transcript_usage(&o, &cfg, &in, &u);
	et_config_finish(&cfg);
	if (et_status_format(&in, &t, partial, &u, &out) == 0) {
		cli_write(out.data, out.len);
	}
done:
	et_buf_finish(&out);
	et_buf_finish(&input);
	return EXIT_OK;
}
