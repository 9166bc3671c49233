/*
 * cmd_export: `telemetry-stats export`, the tool calls in a form other tools read: OpenTelemetry
 * logs (OTLP JSON, for the Collector's otlpjsonfile receiver) or traces (the GenAI conventions),
 * CSV, or ClickHouse JSONEachRow rows. Its own options are taken out of the arguments first (its
 * --format is not the reports'); the rest goes through the shared runner like every subcommand's,
 * and the records are written as they are read.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_export.h"
#include "et_fsutil.h"
#include "et_traces.h"
#include "et_transcript.h"
#include "et_usage.h"
#include "export_sink.h"
#include "opts.h"
#include "push.h"

#include "banned.h"

#ifndef ET_VERSION
#define ET_VERSION "unknown"
#endif

static const char usage[] =
	"usage: telemetry-stats export [--format otlp-json|otlp-traces|csv|clickhouse] [--output FILE]\n"
	"       [--endpoint URL] [OPTIONS]\n"
	"\n"
	"Writes the tool calls that pass the filters (the calls 'telemetry-stats stats' counts) for\n"
	"other tools:\n"
	"  otlp-json  OpenTelemetry logs in the OTLP JSON encoding, one ExportLogsServiceRequest\n"
	"             per line (what the Collector's otlpjsonfile receiver reads, docs/fleet.md):\n"
	"             a resourceLogs per agent (service.name, service.version, host.name,\n"
	"             user.name, agent), and per call a log record with the call's time, severity\n"
	"             INFO, WARN or ERROR for success, interrupted or failure, the body\n"
	"             \"TOOL OUTCOME\" and every field of the record as a typed attribute\n"
	"  otlp-traces OpenTelemetry traces (GenAI conventions), one ExportTraceServiceRequest\n"
	"             per line: invoke_agent spans for sessions and subagents, execute_tool\n"
	"             per call, chat per API response in the transcripts (gen_ai.usage.*)\n"
	"  csv        RFC 4180 CSV: a header row, then one row per call (UTF-8, CRLF)\n"
	"  clickhouse ClickHouse JSONEachRow: one flat row per call with the typed columns of the\n"
	"             table in docs/fleet.md (host, user, seq, v, timestamp, time, time_ms, the\n"
	"             record's fields; params as JSON text; nulls kept), to load with\n"
	"             clickhouse-client --query \"INSERT INTO telemetry.calls FORMAT JSONEachRow\"\n"
	"\n"
	"output:\n"
	"  --format FORMAT    otlp-json (the default), otlp-traces, csv or clickhouse\n"
	"  --include-params   otlp-traces: also the call's parameters (gen_ai.tool.call.arguments)\n"
	"                     and error message (the span's status), as the hook redacted them\n"
	"  --output FILE      write FILE (mode 0600, replaced atomically) instead of stdout;\n"
	"                     only a regular file is replaced ('-': stdout)\n"
	"  --batch N          otlp-*: at most N records or spans per line (default 1000; a line also\n"
	"                     ends before it passes 1 MiB, the receiver's default max_log_size)\n"
	"  --host NAME        the resource's host.name, clickhouse's host column (default: this\n"
	"                     machine's name)\n"
	"  --user NAME        the resource's user.name, clickhouse's user column (default: the\n"
	"                     current user)\n"
	"push (OTLP/HTTP JSON instead of writing, docs/fleet.md):\n"
	"  --endpoint URL     POST each line gzip-compressed to URL/v1/traces or URL/v1/logs;\n"
	"                     retries 429, 502, 503, 504 (honouring Retry-After) and failed\n"
	"                     connections; sends only what the endpoint did not accept before\n"
	"  --header NAME=VALUE  an HTTP header for every request (repeatable)\n"
	"  --state FILE       where that is remembered (default: under $XDG_STATE_HOME, else\n"
	"                     ~/.local/state/execution-telemetry/)\n" USAGE_FILTERS_WHEN
	"  --session ID       one session; 'current' is $CLAUDE_CODE_SESSION_ID\n"
	"  --project DIR      calls whose working directory is DIR or below it\n"
	"  --tool NAME        one tool\n" USAGE_FILTER_AGENT USAGE_INPUT_LOG
	"  --now TIME         take TIME as now for relative --since/--until and for\n"
	"                     observedTimeUnixNano (also $EXECUTION_TELEMETRY_NOW)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 written or sent (no calls: an empty file, or the CSV header alone); 1 a log\n"
	"could not be read, the output could not be written, or the endpoint refused a request\n"
	"(what it accepted before is remembered); 2 bad arguments.\n";

struct export_args {
	enum et_export_format format;
	bool traces;	     /* --format otlp-traces (format is then unused) */
	bool include_params; /* otlp-traces: arguments and error messages too */
	const char *output, *host, *user;
	size_t batch;
	const char *endpoint; /* --endpoint: push instead of write */
	const char *state;    /* --state FILE, or NULL for push_state_default */
	char *headers[32];    /* --header K=V as "K: V" (owned) */
	size_t nheaders;
};

/* The most --header options. */
#define MAX_HEADERS (sizeof(((struct export_args *)0)->headers) / sizeof(char *))

static int usage_error(const char *what, const char *arg)
{
	return cli_usage_error("export", "%s '%s'", what, arg);
}

/* Export's own options, taken out of the arguments before cli_parse sees them. */
enum {
	OWN_FORMAT,
	OWN_OUTPUT,
	OWN_BATCH,
	OWN_HOST,
	OWN_USER,
	OWN_INCLUDE_PARAMS,
	OWN_ENDPOINT,
	OWN_HEADER,
	OWN_STATE,
};

static const struct et_opt own_options[] = {
	{"--format", OWN_FORMAT, true},	    {"--output", OWN_OUTPUT, true},
	{"--batch", OWN_BATCH, true},	    {"--host", OWN_HOST, true},
	{"--user", OWN_USER, true},	    {"--include-params", OWN_INCLUDE_PARAMS, false},
	{"--endpoint", OWN_ENDPOINT, true}, {"--header", OWN_HEADER, true},
	{"--state", OWN_STATE, true},	    {NULL, 0, false},
};

/* Export's state (format 0 is otlp-json, the default). */
struct run {
	struct export_args a;
	char *url;		 /* --endpoint with /v1/traces or /v1/logs (owned) */
	struct push_state state; /* --endpoint: what was sent before */
	bool has_state;
	struct et_export_opts o;
	struct et_export *x;
	struct et_traces *t; /* otlp-traces, instead of x */
	struct sink sink;
	char host[256], pwbuf[4096];
	struct passwd pw;
};

/* One of export's own options (struct cli_cmd's own), into run->a. */
static int own(void *self, int id, const char *arg, const char *val, int argc, char **argv, int *i)
{
	struct run *run = self;
	struct export_args *a = &run->a;

	(void)argc;
	(void)argv;
	(void)i;
	if (id == OWN_INCLUDE_PARAMS) {
		a->include_params = true;
		return EXIT_OK;
	}
	if (!*val) {
		return usage_error("an empty value for", arg);
	}
	switch (id) {
	case OWN_FORMAT:
		a->traces = !strcmp(val, "otlp-traces");
		if (a->traces) {
			a->format = ET_EXPORT_OTLP_JSON;
		} else if (!strcmp(val, "otlp-json") || !strcmp(val, "otlp")) {
			a->format = ET_EXPORT_OTLP_JSON;
		} else if (!strcmp(val, "csv")) {
			a->format = ET_EXPORT_CSV;
		} else if (!strcmp(val, "clickhouse")) {
			a->format = ET_EXPORT_CLICKHOUSE;
		} else {
			return usage_error(
				"--format is otlp-json, otlp-traces, csv or clickhouse, not", val);
		}
		break;
	case OWN_OUTPUT:
		a->output = val;
		break;
	case OWN_BATCH:
		if (!et_args_count(val, 1000000, &a->batch)) {
			return usage_error("--batch takes a whole number from 1 to 1000000, not",
					   val);
		}
		break;
	case OWN_HOST:
		a->host = val;
		break;
	case OWN_ENDPOINT:
		if (strncmp(val, "http://", 7) && strncmp(val, "https://", 8)) {
			return usage_error("--endpoint takes an http:// or https:// URL, not", val);
		}
		a->endpoint = val;
		break;
	case OWN_STATE:
		a->state = val;
		break;
	case OWN_HEADER: {
		const char *eq = strchr(val, '=');
		size_t k = eq ? (size_t)(eq - val) : 0;
		char *h;

		if (!eq || k == 0 || strcspn(val, " \t:\r\n") < k || strpbrk(eq, "\r\n")) {
			return usage_error("--header takes NAME=VALUE (a name without blanks "
					   "or ':', no line breaks), not",
					   val);
		}
		if (a->nheaders == MAX_HEADERS) {
			return usage_error("too many --header options at", val);
		}
		h = malloc(strlen(val) + 2);
		if (!h) {
			return cli_oom();
		}
		snprintf(h, strlen(val) + 2, "%.*s: %s", (int)k, val, eq + 1);
		a->headers[a->nheaders++] = h;
		break;
	}
	default:
		a->user = val;
		break;
	}
	return EXIT_OK;
}

/* --endpoint: the URL of the signal's path, the remembered position, the sender. */
static int start_push(struct run *run)
{
	const char *e = run->a.endpoint, *sig = run->a.traces ? "/v1/traces" : "/v1/logs";
	size_t n = strlen(e);
	struct push_opts po;
	struct et_buf err;
	char *path;
	int r;

	/* libcurl first (dlopen): without it, nothing is created, not even the state's directory. */
	et_buf_init(&err, 4096);
	r = push_load(&err);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats export: %s\n",
			err.len ? err.data : "cannot load libcurl (out of memory)");
	}
	et_buf_finish(&err);
	if (r < 0) {
		return EXIT_FAILURE_;
	}
	run->url = malloc(n + 16);
	if (!run->url) {
		return cli_oom();
	}
	if ((n >= 10 && !strcmp(e + n - 10, "/v1/traces")) ||
	    (n >= 8 && !strcmp(e + n - 8, "/v1/logs"))) {
		snprintf(run->url, n + 16, "%s", e);
	} else {
		while (n > 0 && e[n - 1] == '/') {
			n--;
		}
		snprintf(run->url, n + 16, "%.*s%s", (int)n, e, sig);
	}
	path = run->a.state ? strdup(run->a.state)
			    : push_state_default(run->url, run->a.traces ? "traces" : "logs");
	if (!path) {
		fprintf(stderr,
			"telemetry-stats export: no place for the push state (HOME is not set): "
			"give --state FILE\n");
		return EXIT_FAILURE_;
	}
	run->has_state = true;
	r = push_state_open(&run->state, path);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats export: %s '%s'%s\n",
			r == -EBUSY    ? "another push is running with the state"
			: r == -EINVAL ? "not a push state file:"
				       : "cannot open the push state",
			path,
			r == -EBUSY    ? ""
			: r == -EINVAL ? " (remove it to send everything again)"
				       : strerror(-r));
		free(path);
		return EXIT_FAILURE_;
	}
	free(path);
	memset(&po, 0, sizeof(po));
	po.url = run->url;
	po.headers = (const char *const *)run->a.headers;
	po.nheaders = run->a.nheaders;
	if (sink_open_push(&run->sink, &po) < 0) {
		fprintf(stderr, "telemetry-stats export: cannot start libcurl\n");
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

/* --endpoint: remembers what was accepted, and says how it went. */
static int output_push(struct run *run, int r, const struct et_logrec_stats *in,
		       const struct et_buf *err)
{
	struct sink *s = &run->sink;
	size_t items = run->t ? et_traces_spans(run->t) : et_export_records(run->x);
	int w;

	w = push_state_commit(&run->state, s->lines_ok);
	if (w == 0) {
		w = push_state_save(&run->state);
	}
	if (w < 0) {
		fprintf(stderr, "telemetry-stats export: cannot save the push state '%s': %s\n",
			run->state.path, strerror(-w));
	}
	if (s->error == -EIO) {
		fprintf(stderr,
			"telemetry-stats export: %s; %zu requests were accepted before it%s\n",
			s->push_err.data, s->lines_ok,
			s->lines_ok ? " (remembered: they will not be sent again)" : "");
		return EXIT_FAILURE_;
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: %s",
			err->len ? err->data : "a record could not be exported (out of memory?)\n");
		return EXIT_FAILURE_;
	}
	if (s->lines_ok) {
		fprintf(stderr, "telemetry-stats export: %zu %s in %zu requests sent to %s%s\n",
			items, run->t ? "spans" : "calls", s->lines_ok, run->url,
			push_retries(s->push) ? " (after retries)" : "");
	} else {
		fprintf(stderr, "telemetry-stats export: nothing new to send to %s\n", run->url);
	}
	if (in->skipped) {
		fprintf(stderr, "telemetry-stats export: %zu malformed or torn lines skipped\n",
			in->skipped);
	}
	return w < 0 ? EXIT_FAILURE_ : EXIT_OK;
}

static int check(void *self, struct cli *c)
{
	struct run *run = self;

	if (run->a.endpoint && (run->a.format != ET_EXPORT_OTLP_JSON || run->a.output)) {
		fprintf(stderr,
			"telemetry-stats export: --endpoint sends OTLP (otlp-json or "
			"otlp-traces), and writes no file: %s\n",
			run->a.output ? "leave out --output"
				      : "CSV and ClickHouse rows are not pushed");
		return EXIT_USAGE;
	}
	if ((run->a.state || run->a.nheaders) && !run->a.endpoint) {
		fprintf(stderr,
			"telemetry-stats export: --state and --header go with --endpoint\n");
		return EXIT_USAGE;
	}
	if (run->a.include_params && !run->a.traces) {
		fprintf(stderr,
			"telemetry-stats export: --include-params is for --format otlp-traces "
			"(the other formats always carry the redacted parameters)\n");
		return EXIT_USAGE;
	}
	if (c->fmt != ET_FORMAT_TEXT) {
		fprintf(stderr,
			"telemetry-stats export: --json and --markdown are for reports; use "
			"--format otlp-json, otlp-traces, csv or clickhouse\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int start_export(struct run *run);

static int start(void *self, struct cli *c)
{
	struct run *run = self;
	struct et_export_opts *o = &run->o;
	struct passwd *found = NULL;
	int r;

	o->format = run->a.format;
	o->otlp.batch = run->a.batch;
	o->observed_ms = c->now_ms;
	o->otlp.version = ET_VERSION;
	if (run->a.host) {
		o->otlp.host_name = run->a.host;
	} else if (gethostname(run->host, sizeof(run->host) - 1) == 0 && run->host[0]) {
		o->otlp.host_name = run->host;
	}
	if (run->a.user) {
		o->otlp.user_name = run->a.user;
	} else if (getpwuid_r(getuid(), &run->pw, run->pwbuf, sizeof(run->pwbuf), &found) == 0 &&
		   found) {
		o->otlp.user_name = run->pw.pw_name;
	}
	if (run->a.endpoint) {
		return start_push(run) ? EXIT_FAILURE_ : start_export(run);
	}
	r = sink_open(&run->sink, run->a.output);
	if (cli_not_regular("export", run->a.output, r, false)) {
		return EXIT_FAILURE_;
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats export: cannot create '%s': %s\n", run->a.output,
			strerror(-r));
		return EXIT_FAILURE_;
	}
	return start_export(run);
}

/* For the traces: a span goes in the next request unless it was sent before. */
static bool want_span(void *ctx, enum et_span_kind kind, const uint8_t id[8], int64_t ts_ms)
{
	struct run *run = ctx;

	return push_state_want(&run->state, id, ts_ms, kind == ET_SPAN_AGENT,
			       et_traces_lines(run->t));
}

/* Creates the exporter over the sink. */
static int start_export(struct run *run)
{
	struct et_export_opts *o = &run->o;

	o->otlp.write = sink_write;
	o->otlp.write_ctx = &run->sink;
	if (run->a.traces) {
		struct et_traces_opts to;

		memset(&to, 0, sizeof(to));
		to.otlp = o->otlp;
		to.include_params = run->a.include_params;
		if (run->has_state) {
			to.want = want_span;
			to.want_ctx = run;
		}
		run->t = et_traces_create(&to);
		return run->t ? EXIT_OK : cli_oom();
	}
	run->x = et_export_create(o);
	return run->x ? EXIT_OK : cli_oom();
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;
	struct push_state *st = &run->state;
	uint8_t id[8];
	int r;

	if (run->t) {
		return et_traces_add(run->t, rec);
	}
	if (!run->has_state || rec->outcome == ET_OUT_NONE) {
		return et_export_add(run->x, rec);
	}
	et_buf_reset(&run->sink.push_err);
	et_traces_call_id(rec, &run->sink.push_err, id);
	if (!push_state_want(st, id, rec->has_ts ? rec->ts_ms : 0, false, 0)) {
		return 0;
	}
	r = et_export_add(run->x, rec);
	/* The record is in the line not yet written, or it ended the line just written. */
	st->pend[st->npend - 1].line =
		et_export_lines(run->x) - (et_export_pending(run->x) ? 0 : 1);
	return r;
}

/* The transcripts of the exported sessions, for their chat spans. */
struct chat_read {
	struct et_tx_files fs;
	struct et_usage *usage;
	const struct et_tx_file *file;
	struct et_usage_src src;
	struct et_buf tmp;
};

/* Adds a transcript and its session's subagents (SESSION.jsonl beside SESSION/subagents/). */
static int add_transcript(void *ctx, const char *path)
{
	struct chat_read *cr = ctx;
	size_t n = strlen(path);
	struct stat st;

	(void)et_transcript_add(&cr->fs, path); /* a transcript that is gone is not an error */
	if (n > 6 && !strcmp(path + n - 6, ".jsonl")) {
		et_buf_reset(&cr->tmp);
		et_buf_add(&cr->tmp, path, n - 6);
		et_buf_adds(&cr->tmp, "/subagents");
		if (!cr->tmp.failed && stat(cr->tmp.data, &st) == 0 && S_ISDIR(st.st_mode)) {
			(void)et_transcript_add(&cr->fs, cr->tmp.data);
		}
	}
	return 0;
}

static int on_tx_line(void *ctx, const struct et_tx_file *f, const struct et_tx_line *l)
{
	struct chat_read *cr = ctx;

	if (f != cr->file) {
		cr->file = f;
		cr->src.project = f->project;
		cr->src.agent_type = f->agent_type;
		cr->src.subagent = f->subagent;
	}
	return l->kind == ET_TX_USAGE ? et_usage_add(cr->usage, l, &cr->src) : 0;
}

/*
 * Reads the transcripts the exported calls name and adds a chat span per API response of their
 * sessions (deduplicated as `cost` does, within --since and --until). Transcripts that cannot be
 * read are skipped: the tool spans do not depend on them.
 */
static int add_chats(struct run *run, const struct cli *c)
{
	struct chat_read cr;
	struct et_usage_filter f;
	struct et_tx_read rd;
	struct et_lines_stats st;
	struct et_buf err;
	int r;

	memset(&cr, 0, sizeof(cr));
	memset(&f, 0, sizeof(f));
	memset(&rd, 0, sizeof(rd));
	memset(&st, 0, sizeof(st));
	et_buf_init(&cr.tmp, 1 << 16);
	et_buf_init(&err, 1 << 16);
	f.has_since = c->filter.has_since;
	f.since_ms = c->filter.since_ms;
	f.has_until = c->filter.has_until;
	f.until_ms = c->filter.until_ms;
	r = et_traces_transcripts(run->t, add_transcript, &cr);
	if (r < 0 || cr.fs.n == 0) {
		goto out;
	}
	et_transcript_sort(&cr.fs);
	cr.usage = et_usage_create_each(&f);
	if (!cr.usage) {
		r = -ENOMEM;
		goto out;
	}
	rd.fn = on_tx_line;
	rd.ctx = &cr;
	rd.min_mtime_ms = f.has_since ? f.since_ms : 0;
	r = et_transcript_run(&cr.fs, &rd, &st, &err);
	if (r < 0 && r != -ENOMEM) {
		fprintf(stderr, "telemetry-stats export: transcripts skipped: %s",
			err.len ? err.data : "cannot read them\n");
		r = 0;
	} else if (r == 0) {
		r = et_usage_each(cr.usage, et_traces_add_chat, run->t);
	}
out:
	et_usage_destroy(cr.usage);
	et_transcript_files_finish(&cr.fs);
	et_buf_finish(&cr.tmp);
	et_buf_finish(&err);
	return r;
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;
	int r;

	if (!run->t) {
		return et_export_end(run->x);
	}
	r = add_chats(run, c);
	return r < 0 ? r : et_traces_end(run->t);
}

/* The records went out as they were read: close the output and say how it went. */
static int output(void *self, struct cli *c, int r, const struct et_logrec_stats *in,
		  const struct et_buf *err)
{
	struct run *run = self;
	const char *path = run->a.output;
	int w;

	if (run->a.endpoint) {
		return output_push(run, r, in, err);
	}
	w = sink_close(&run->sink, r == 0);

	if (w < 0) {
		fprintf(stderr, "telemetry-stats export: cannot write %s: %s\n",
			path ? path : "the output", strerror(-w));
	} else if (r < 0) {
		fprintf(stderr, "telemetry-stats: %s",
			err->len ? err->data : "a record could not be exported (out of memory?)\n");
	}
	if (r < 0 || w < 0) {
		return EXIT_FAILURE_;
	}
	if (path && strcmp(path, "-")) {
		if (run->t) {
			fprintf(stderr,
				"telemetry-stats export: %zu spans, %zu lines, written to %s\n",
				et_traces_spans(run->t), et_traces_lines(run->t), path);
		} else {
			fprintf(stderr,
				"telemetry-stats export: %zu calls, %zu %s, written to %s\n",
				et_export_records(run->x), et_export_lines(run->x),
				run->a.format == ET_EXPORT_CSV		? "rows with the header"
				: run->a.format == ET_EXPORT_CLICKHOUSE ? "rows"
									: "lines",
				path);
		}
	}
	if (in->skipped) {
		fprintf(stderr, "telemetry-stats export: %zu malformed or torn lines skipped\n",
			in->skipped);
	}
	if (in->bad_latency) {
		fprintf(stderr,
			"telemetry-stats export: %zu records with a latency_ms out of range "
			"(negative, over 30 days, or not a number): exported without a latency\n",
			in->bad_latency);
	}
	return EXIT_OK;
}

static void destroy(void *self)
{
	struct run *run = self;
	size_t i;

	sink_finish(&run->sink);
	if (run->has_state) {
		push_state_finish(&run->state);
	}
	for (i = 0; i < run->a.nheaders; i++) {
		free(run->a.headers[i]);
	}
	free(run->url);
	et_export_destroy(run->x);
	et_traces_destroy(run->t);
}

const struct cli_cmd export_cmd = {
	.name = "export",
	.usage = usage,
	.size = sizeof(struct run),
	.own_options = own_options,
	.own = own,
	.check = check,
	.start = start,
	.add = add,
	.end = end,
	.output = output,
	.destroy = destroy,
};
