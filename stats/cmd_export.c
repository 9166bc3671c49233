/*
 * cmd_export: `telemetry-stats export`, the tool calls in a form other tools read: OpenTelemetry
 * logs (OTLP JSON, for the Collector's otlpjsonfile receiver) or CSV. Its own options are taken out
 * of the arguments first; the filters and --log go through cli_parse like every subcommand's.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "et_export.h"
#include "et_fsutil.h"
#include "opts.h"

#include "banned.h"

#ifndef ET_VERSION
#define ET_VERSION "unknown"
#endif

static const char usage[] =
	"usage: telemetry-stats export [--format otlp-json|csv] [--output FILE] [OPTIONS]\n"
	"\n"
	"Writes the tool calls that pass the filters (the calls 'telemetry-stats stats' counts) for\n"
	"other tools:\n"
	"  otlp-json  OpenTelemetry logs in the OTLP JSON encoding, one ExportLogsServiceRequest\n"
	"             per line (what the Collector's otlpjsonfile receiver reads, docs/fleet.md):\n"
	"             a resourceLogs per agent (service.name, service.version, host.name,\n"
	"             user.name, agent), and per call a log record with the call's time, severity\n"
	"             INFO, WARN or ERROR for success, interrupted or failure, the body\n"
	"             \"TOOL OUTCOME\" and every field of the record as a typed attribute\n"
	"  csv        RFC 4180 CSV: a header row, then one row per call (UTF-8, CRLF)\n"
	"\n"
	"output:\n"
	"  --format FORMAT    otlp-json (the default) or csv\n"
	"  --output FILE      write FILE (mode 0600, replaced atomically) instead of stdout\n"
	"  --batch N          otlp-json: at most N records per line (default 1000; a line also\n"
	"                     ends before it passes 1 MiB, the receiver's default max_log_size)\n"
	"  --host NAME        the resource's host.name (default: this machine's name)\n"
	"  --user NAME        the resource's user.name (default: the current user)\n"
	"filters:\n"
	"  --since WHEN       only calls at or after WHEN: a duration back from now (30m, 12h, 7d,\n"
	"                     2w), a date (2026-11-01, UTC) or an ISO 8601 time\n"
	"  --until WHEN       only calls before WHEN (same forms)\n"
	"  --session ID       one session; 'current' is $CLAUDE_CODE_SESSION_ID\n"
	"  --project DIR      calls whose working directory is DIR or below it\n"
	"  --tool NAME        one tool\n"
	"input:\n"
	"  --log PATH         a log file or a directory of *.jsonl logs; repeatable. Default: the\n"
	"                     hook's log ($EXECUTION_TELEMETRY_LOG, else\n"
	"                     ~/.claude/execution-telemetry.jsonl) and its rotated files\n"
	"  --now TIME         take TIME as now for relative --since/--until and for\n"
	"                     observedTimeUnixNano (also $EXECUTION_TELEMETRY_NOW)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 written (no calls: an empty file, or the CSV header alone); 1 a log could\n"
	"not be read or the output could not be written; 2 bad arguments.\n";

struct export_args {
	enum et_export_format format;
	const char *output, *host, *user;
	size_t batch;
};

/* Output is written in pieces of about this size. */
#define SINK_BUF ((size_t)64 << 10)

/* Where the export goes: stdout, or a temporary file renamed over --output at the end. */
struct sink {
	bool open;
	int fd;			/* STDOUT_FILENO, or file.fd */
	struct et_replace file; /* --output: the file being replaced (file.tmp NULL for stdout) */
	struct et_buf buf;	/* written, not yet passed to fd */
	int error;		/* the first write error (-errno), or 0 */
};

/* Passes what is buffered to the file. Returns 0 or the first write error (-errno). */
static int sink_flush(struct sink *s)
{
	int r;

	if (!s->error && s->buf.len) {
		r = et_write_all(s->fd, s->buf.data, s->buf.len);
		if (r < 0) {
			s->error = r;
		}
	}
	et_buf_reset(&s->buf);
	return s->error;
}

static int sink_write(void *ctx, const char *data, size_t n)
{
	struct sink *s = ctx;
	int r;

	if (s->buf.len + n > SINK_BUF && sink_flush(s) < 0) {
		return s->error;
	}
	if (n >= SINK_BUF) {
		r = et_write_all(s->fd, data, n);
		if (r < 0) {
			s->error = r;
		}
		return s->error;
	}
	return et_buf_add(&s->buf, data, n);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "telemetry-stats export: %s '%s'\nTry 'telemetry-stats export --help'.\n",
		what, arg);
	return EXIT_USAGE;
}

/*
 * Takes export's own options out of @argv (in place; *@argc shrinks) into @a, and leaves the rest
 * for cli_parse. The values of the shared options are stepped over, so that a value is never taken
 * for an option.
 */
static int take_args(struct export_args *a, int *argc, char **argv)
{
	static const char *const shared_with_value[] = {
		"--log",     "--since", "--until", "--now",   "--session",
		"--project", "--tool",	"--top",   "--color", NULL,
	};
	int i, k, n = 0;

	for (i = 0; i < *argc; i++) {
		char *arg = argv[i], *eq = strchr(arg, '='), *val = NULL;
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		bool shared = false;

		if (!(len == 8 && !strncmp(arg, "--format", len)) &&
		    !(len == 8 && !strncmp(arg, "--output", len)) &&
		    !(len == 7 && !strncmp(arg, "--batch", len)) &&
		    !(len == 6 && !strncmp(arg, "--host", len)) &&
		    !(len == 6 && !strncmp(arg, "--user", len))) {
			for (k = 0; !eq && shared_with_value[k]; k++) {
				shared = shared || !strcmp(arg, shared_with_value[k]);
			}
			argv[n++] = arg;
			if (shared && i + 1 < *argc) {
				argv[n++] = argv[++i];
			}
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < *argc) {
			val = argv[++i];
		} else {
			return usage_error("a value is missing after", arg);
		}
		if (!*val) {
			return usage_error("an empty value for", arg);
		}
		if (!strncmp(arg, "--format", len)) {
			if (!strcmp(val, "otlp-json") || !strcmp(val, "otlp")) {
				a->format = ET_EXPORT_OTLP_JSON;
			} else if (!strcmp(val, "csv")) {
				a->format = ET_EXPORT_CSV;
			} else {
				return usage_error("--format is otlp-json or csv, not", val);
			}
		} else if (!strncmp(arg, "--output", len)) {
			a->output = val;
		} else if (!strncmp(arg, "--batch", len)) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(val, &end, 10);
			if (errno || *end || *val == '-' || v == 0 || v > 1000000) {
				return usage_error(
					"--batch takes a whole number from 1 to 1000000, not", val);
			}
			a->batch = v;
		} else if (!strncmp(arg, "--host", len)) {
			a->host = val;
		} else {
			a->user = val;
		}
	}
	*argc = n;
	return EXIT_OK;
}

/* Opens the sink: a temporary file beside --output (0600), or stdout. Returns 0 or -errno. */
static int sink_open(struct sink *s, const char *output)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->file.fd = -1;
	et_buf_init(&s->buf, SINK_BUF);
	s->fd = STDOUT_FILENO;
	if (output && strcmp(output, "-")) {
		r = et_replace_begin(&s->file, output, 0600);
		if (r < 0) {
			return r;
		}
		s->fd = s->file.fd;
	}
	s->open = true;
	return 0;
}

/*
 * Flushes and, for a file, renames it into place (@ok) or removes it. Returns 0 or the first error
 * (-errno). Does nothing for a sink that is not open.
 */
static int sink_close(struct sink *s, bool ok)
{
	int r;

	if (!s->open) {
		return 0;
	}
	r = sink_flush(s);
	if (s->file.tmp) {
		if (ok && r == 0) {
			r = et_replace_commit(&s->file);
		}
		et_replace_abort(&s->file);
	}
	et_buf_finish(&s->buf);
	s->open = false;
	return r;
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = {ET_EXPORT_OTLP_JSON, NULL, NULL, NULL, 0};
	struct et_export_opts o;
	struct et_export *x = NULL;
	struct et_logrec_stats in;
	struct et_buf err;
	struct sink sink;
	struct cli c;
	char host[256] = "", pwbuf[4096];
	struct passwd pw, *found = NULL;
	int status, r, w;

	memset(&c, 0, sizeof(c));
	memset(&in, 0, sizeof(in));
	memset(&sink, 0, sizeof(sink));
	et_buf_init(&err, 1 << 16);
	status = take_args(&a, &argc, argv);
	if (status != EXIT_OK) {
		goto out;
	}
	status = cli_parse(&c, "export", argc, argv, usage);
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	if (c.fmt != ET_FORMAT_TEXT) {
		fprintf(stderr,
			"telemetry-stats export: --json and --markdown are for reports; use "
			"--format otlp-json or --format csv\n");
		status = EXIT_USAGE;
		goto out;
	}
	status = cli_files(&c);
	if (status != EXIT_OK) {
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.format = a.format;
	o.batch = a.batch;
	o.observed_ms = c.now_ms;
	o.version = ET_VERSION;
	if (a.host) {
		o.host_name = a.host;
	} else if (gethostname(host, sizeof(host) - 1) == 0 && host[0]) {
		o.host_name = host;
	}
	if (a.user) {
		o.user_name = a.user;
	} else if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 && found) {
		o.user_name = pw.pw_name;
	}
	r = sink_open(&sink, a.output);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats export: cannot create '%s': %s\n", a.output,
			strerror(-r));
		status = EXIT_FAILURE_;
		goto out;
	}
	o.write = sink_write;
	o.write_ctx = &sink;
	x = et_export_create(&o);
	if (!x) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	r = et_logrec_run(c.files, c.nfiles, &c.filter, et_export_add, x, &in, &err);
	if (r == 0) {
		r = et_export_finish(x);
	}
	w = sink_close(&sink, r == 0);
	if (w < 0) {
		fprintf(stderr, "telemetry-stats export: cannot write %s: %s\n",
			a.output ? a.output : "the output", strerror(-w));
	} else if (r < 0) {
		fprintf(stderr, "telemetry-stats: %s",
			err.len ? err.data : "a record could not be exported (out of memory?)\n");
	}
	if (r < 0 || w < 0) {
		status = EXIT_FAILURE_;
		goto out;
	}
	if (a.output && strcmp(a.output, "-")) {
		fprintf(stderr, "telemetry-stats export: %zu calls, %zu %s, written to %s\n",
			et_export_records(x), et_export_lines(x),
			a.format == ET_EXPORT_CSV ? "rows with the header" : "lines", a.output);
	}
	if (in.skipped) {
		fprintf(stderr, "telemetry-stats export: %zu malformed or torn lines skipped\n",
			in.skipped);
	}
	status = EXIT_OK;
out:
	sink_close(&sink, false);
	et_export_destroy(x);
	et_buf_finish(&err);
	cli_finish(&c);
	return status;
}
