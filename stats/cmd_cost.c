/*
 * cmd_cost: `telemetry-stats cost` and `telemetry-stats pricing`: tokens and dollars from Claude
 * Code's transcripts (docs/cost.md). The options every subcommand shares go through cli_parse;
 * the ones only cost has are taken out of argv here first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_compat.h"
#include "et_config.h"
#include "et_costrender.h"
#include "et_hmap.h"
#include "et_pricing.h"
#include "et_toolcost.h"
#include "et_transcript.h"
#include "et_usage.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats cost [OPTIONS]\n"
	"\n"
	"Tokens and dollars from Claude Code's transcripts: each API response counted once (the\n"
	"transcripts repeat a response on one line per content block), priced with the embedded\n"
	"table ('telemetry-stats pricing') or your pricing file, summed by day (or another key).\n"
	"A model without a price costs $0 and is reported with its tokens. See docs/cost.md.\n"
	"\n"
	"cost options:\n"
	"  --by KEY           day (default), week, month, session, project, model, agent, or tool\n"
	"                     (cost per tool call, joined to the log by tool_use_id)\n"
	"  --breakdown        split each row by model\n"
	"  --transcripts DIR  read the transcripts under DIR (a projects/ directory, one project,\n"
	"                     or a file); repeatable. Default: $CLAUDE_CONFIG_DIR/projects (each\n"
	"                     of its comma-separated directories), else ~/.claude/projects and\n"
	"                     ~/.config/claude/projects. The transcripts the log names are\n"
	"                     always read too.\n"
	"  --pricing FILE     prices that add to or override the embedded table (JSON,\n"
	"                     docs/cost.md); also the config key 'pricing' or\n"
	"                     $EXECUTION_TELEMETRY_PRICING\n"
	"  (--since also skips transcript files last written before it; --tool applies to\n"
	"  --by tool)\n" COMMON_OPTIONS;

static const char pricing_usage[] =
	"usage: telemetry-stats pricing [--pricing FILE] [--format text|markdown|json]\n"
	"\n"
	"The prices in force: the embedded table (each price with its source and the day it was\n"
	"checked) and, in front of it, the entries of your pricing file (docs/cost.md).\n";

/* For cli_parse: the shared options only (take_options has taken cost's own). */
static const struct cli_cmd cost_cmd = {.name = "cost", .usage = usage};
static const struct cli_cmd pricing_cmd = {.name = "pricing", .usage = pricing_usage};

struct cost_opts {
	const char *by_name;
	int by; /* enum et_usage_by, or -2 for tool */
	bool breakdown;
	const char **transcripts;
	size_t ntranscripts;
	const char *pricing;
};

/* Takes the cost-only options out of @argc/@argv (in place). Returns EXIT_OK or EXIT_USAGE. */
static int take_options(const char *cmd, int *argc, char **argv, struct cost_opts *o)
{
	int i, n = 0;

	for (i = 0; i < *argc; i++) {
		char *a = argv[i];
		const char *val = NULL;
		const char *names[] = {"--by", "--transcripts", "--pricing"};
		size_t k;
		bool taken = false;

		if (!strcmp(a, "--breakdown")) {
			o->breakdown = true;
			continue;
		}
		for (k = 0; k < 3 && !taken; k++) {
			size_t len = strlen(names[k]);

			if (strncmp(a, names[k], len) != 0 || (a[len] != '\0' && a[len] != '=')) {
				continue;
			}
			taken = true;
			if (a[len] == '=') {
				val = a + len + 1;
			} else if (i + 1 < *argc) {
				val = argv[++i];
			} else {
				fprintf(stderr,
					"telemetry-stats %s: %s needs a value\nTry 'telemetry-stats "
					"%s --help'.\n",
					cmd, names[k], cmd);
				return EXIT_USAGE;
			}
			if (k == 0) {
				o->by_name = val;
			} else if (k == 1) {
				o->transcripts[o->ntranscripts++] = val;
			} else {
				o->pricing = val;
			}
		}
		if (!taken) {
			argv[n++] = a;
		}
	}
	argv[n] = NULL;
	*argc = n;
	if (o->by_name) {
		o->by = !strcmp(o->by_name, "tool") ? -2 : et_usage_by_parse(o->by_name);
		if (o->by == -1) {
			fprintf(stderr,
				"telemetry-stats %s: --by is day, week, month, session, project, "
				"model, agent or tool, not '%s'\nTry 'telemetry-stats %s --help'.\n",
				cmd, o->by_name, cmd);
			return EXIT_USAGE;
		}
	} else {
		o->by_name = "day";
		o->by = ET_BY_DAY;
	}
	return EXIT_OK;
}

/* The pricing file: --pricing, else $EXECUTION_TELEMETRY_PRICING, else the config key. */
static int load_pricing(struct et_pricing *p, const char *arg, char **owned)
{
	struct et_buf err;
	const char *path = arg;
	int r;

	*owned = NULL;
	if (et_pricing_init(p) < 0) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		return EXIT_FAILURE_;
	}
	if (!path) {
		struct et_config cfg;

		if (et_config_load(&cfg) == 0) {
			if (cfg.pricing_path) {
				*owned = strdup(cfg.pricing_path);
				path = *owned;
			}
			et_config_finish(&cfg);
		}
	}
	if (!path) {
		return EXIT_OK;
	}
	et_buf_init(&err, 4096);
	r = et_pricing_load(p, path, &err);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: %s", err.len ? err.data : "out of memory\n");
	}
	et_buf_finish(&err);
	return r < 0 ? EXIT_FAILURE_ : EXIT_OK;
}

int cost_pricing(struct et_pricing *p, char **owned)
{
	return load_pricing(p, NULL, owned);
}

int cmd_pricing(int argc, char **argv)
{
	struct cost_opts o;
	struct et_pricing p;
	struct et_buf out;
	struct cli c;
	const char *tr[1];
	char *owned = NULL;
	int status;

	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	o.transcripts = tr;
	et_buf_init(&out, (size_t)4 << 20);
	status = take_options("pricing", &argc, argv, &o);
	if (status == EXIT_OK && (o.ntranscripts || o.by != ET_BY_DAY || o.breakdown)) {
		fprintf(stderr, "telemetry-stats pricing: only --pricing and --format apply\n");
		status = EXIT_USAGE;
	}
	if (status == EXIT_OK) {
		status = cli_parse(&c, &pricing_cmd, argc, argv);
		if (status != EXIT_OK || !c.cmd) {
			cli_finish(&c);
			goto out;
		}
		status = load_pricing(&p, o.pricing, &owned);
		if (status == EXIT_OK) {
			if (et_costrender_pricing(&p, c.fmt, c.color, &out) < 0) {
				status = EXIT_FAILURE_;
			} else {
				status = cli_write(out.data, out.len);
			}
		}
		cli_finish(&c);
	}
out:
	et_pricing_finish(&p);
	free(owned);
	et_buf_finish(&out);
	return status;
}

/* ---- reading ---- */

struct reading {
	struct et_usage *usage;
	struct et_toolcost *tools;
	const struct et_tx_file *file; /* the file of the last line, to see a new one start */
	struct et_usage_src src;
};

static int on_line(void *ctx, const struct et_tx_file *f, const struct et_tx_line *l)
{
	struct reading *rd = ctx;
	int r;

	if (f != rd->file) {
		rd->file = f;
		rd->src.project = f->project;
		rd->src.agent_type = f->agent_type;
		rd->src.subagent = f->subagent;
		if (rd->tools) {
			r = et_toolcost_begin_file(rd->tools, f->subagent, f->agent_type);
			if (r < 0) {
				return r;
			}
		}
	}
	if (rd->usage) {
		return l->kind == ET_TX_USAGE ? et_usage_add(rd->usage, l, &rd->src) : 0;
	}
	return et_toolcost_add(rd->tools, l);
}

/* Log records: the transcripts they name, and (for --by tool) the calls by tool_use_id. */
struct log_scan {
	struct et_tx_files *fs;
	struct et_hmap seen;
	struct et_toolcost *tools;
	struct et_buf tmp;
	int r;
};

static int on_record(void *ctx, const struct et_record_in *rec)
{
	struct log_scan *ls = ctx;
	static const char key[] = "\"transcript_path\":\"";
	const char *p = et_memmem(rec->line, rec->line_len, key, sizeof(key) - 1), *q;
	bool added = false;

	if (ls->tools && rec->tool_use_id.p) {
		int r = et_toolcost_add_record(ls->tools, rec);

		if (r < 0) {
			return r;
		}
	}
	if (!p) {
		return 0;
	}
	p += sizeof(key) - 1;
	q = memchr(p, '"', (size_t)(rec->line + rec->line_len - p));
	if (!q || q == p || memchr(p, '\\', (size_t)(q - p))) {
		return 0;
	}
	if (et_hmap_get(&ls->seen, p, (size_t)(q - p), true, &added) < 0) {
		return -ENOMEM;
	}
	if (added) {
		et_buf_reset(&ls->tmp);
		et_buf_add(&ls->tmp, p, (size_t)(q - p));
		if (!ls->tmp.failed) {
			int r = et_transcript_add(ls->fs, ls->tmp.data);

			(void)r; /* a transcript that no longer exists is not an error */
		}
	}
	return 0;
}

/* The log is optional here: without --log, a missing default log is not worth a note. */
static bool log_wanted(const struct cli *c)
{
	struct et_config cfg;
	struct stat st;
	bool yes;

	if (c->nlogs) {
		return true;
	}
	if (et_config_load(&cfg) < 0) {
		return false;
	}
	yes = cfg.log_path && stat(cfg.log_path, &st) == 0;
	et_config_finish(&cfg);
	return yes;
}

static int on_params(void *ctx, const struct et_record_in *rec)
{
	return et_toolcost_result_params(ctx, rec);
}

/*
 * Reads the log files of @c: the transcripts they name go into @fs, and (with @tc) the calls
 * into @tc. Returns 0 or -errno (described in @err).
 */
static int scan_log(const struct cli *c, struct et_tx_files *fs, struct et_toolcost *tc,
		    struct et_buf *err)
{
	struct log_scan ls;
	struct et_logrec_stats in;
	struct et_logrec_filter lf;
	int r;

	memset(&ls, 0, sizeof(ls));
	memset(&in, 0, sizeof(in));
	memset(&lf, 0, sizeof(lf));
	ls.fs = fs;
	ls.tools = tc;
	et_hmap_init(&ls.seen);
	et_buf_init(&ls.tmp, 8192);
	r = et_logrec_run(c->files, c->nfiles, &lf, on_record, &ls, &in, err);
	et_hmap_finish(&ls.seen);
	et_buf_finish(&ls.tmp);
	return r;
}

/* The response filters of @c's options. */
static void usage_filter(struct et_usage_filter *f, const struct cli *c)
{
	memset(f, 0, sizeof(*f));
	f->has_since = c->filter.has_since;
	f->since_ms = c->filter.since_ms;
	f->has_until = c->filter.has_until;
	f->until_ms = c->filter.until_ms;
	f->session = c->session;
	f->project = c->project;
}

/*
 * Reads the transcripts of @fs (sorted) into @u, or with the tool calls into @tc (one of the two
 * is NULL), counting into @st. Returns 0 or -errno (described in @err).
 */
static int read_transcripts(const struct et_tx_files *fs, const struct cli *c, struct et_usage *u,
			    struct et_toolcost *tc, struct et_lines_stats *st, struct et_buf *err)
{
	struct reading rd;
	struct et_tx_read tr;

	memset(&rd, 0, sizeof(rd));
	memset(&tr, 0, sizeof(tr));
	memset(st, 0, sizeof(*st));
	rd.usage = u;
	rd.tools = tc;
	tr.flags = tc ? ET_TX_WANT_TOOLS : 0;
	tr.min_mtime_ms = c->filter.has_since ? c->filter.since_ms : 0;
	tr.fn = on_line;
	tr.ctx = &rd;
	return et_transcript_run(fs, &tr, st, err);
}

/* What cost_for_report and cmd_cost read the transcripts with; owned, released together. */
struct cost_run {
	struct et_pricing p;
	struct et_tx_files fs;
	struct et_usage *u;	/* or NULL */
	struct et_toolcost *tc; /* or NULL */
	struct et_buf err;
	char *owned; /* the pricing file's path from the config, or NULL */
};

static void cost_run_init(struct cost_run *k)
{
	memset(k, 0, sizeof(*k));
	et_buf_init(&k->err, 1 << 16);
}

static void cost_run_finish(struct cost_run *k)
{
	et_usage_destroy(k->u);
	et_toolcost_destroy(k->tc);
	et_transcript_files_finish(&k->fs);
	et_pricing_finish(&k->p);
	free(k->owned);
	et_buf_finish(&k->err);
}

int cost_for_report(const struct cli *c, struct et_usage_result *days,
		    struct et_toolcost_result *tools)
{
	struct cost_run k;
	struct et_usage_filter f;
	struct et_lines_stats st;
	int r = 0;

	cost_run_init(&k);
	if (load_pricing(&k.p, NULL, &k.owned) != EXIT_OK) {
		r = -EINVAL;
		goto out;
	}
	r = et_transcript_add_defaults(&k.fs);
	if (r == 0 && c->nfiles) {
		r = scan_log(c, &k.fs, NULL, &k.err);
	}
	if (r < 0 || k.fs.n == 0) {
		goto out;
	}
	et_transcript_sort(&k.fs);
	usage_filter(&f, c);
	/* Two passes: dollars by day, then per tool (each line is parsed for what it needs). */
	k.u = et_usage_create(&k.p, &f, ET_BY_DAY, false);
	if (k.u) {
		et_usage_expect(k.u, k.fs.bytes);
	}
	r = k.u ? read_transcripts(&k.fs, c, k.u, NULL, &st, &k.err) : -ENOMEM;
	if (r == 0) {
		r = et_usage_end(k.u, days);
	}
	if (r == 0) {
		k.tc = et_toolcost_create(&k.p, &f, c->tool);
		r = k.tc ? read_transcripts(&k.fs, c, NULL, k.tc, &st, &k.err) : -ENOMEM;
	}
	if (r == 0) {
		r = et_toolcost_end(k.tc, tools);
	}
	if (r == 0) {
		r = days->totals.messages > 0;
	}
out:
	if (r < 0 && k.err.len) {
		fprintf(stderr, "telemetry-stats: %s", k.err.data);
	}
	cost_run_finish(&k);
	return r;
}

int cost_per_call(const struct cli *c, struct et_pricing *p, struct et_usage_filter *f,
		  struct et_toolcost **out)
{
	struct et_tx_files fs;
	struct log_scan ls;
	struct et_logrec_stats in;
	struct et_logrec_filter lf;
	struct reading rd;
	struct et_tx_read tr;
	struct et_lines_stats st;
	struct et_toolcost_result res;
	struct et_buf err;
	char *owned = NULL;
	int r;

	*out = NULL;
	memset(&fs, 0, sizeof(fs));
	memset(&ls, 0, sizeof(ls));
	memset(&in, 0, sizeof(in));
	memset(&lf, 0, sizeof(lf));
	memset(&res, 0, sizeof(res));
	et_buf_init(&err, 1 << 16);
	if (load_pricing(p, NULL, &owned) != EXIT_OK) {
		free(owned);
		et_buf_finish(&err);
		return -EINVAL;
	}
	free(owned);
	/* Only the transcripts the log names: the same log gives the same document. */
	ls.fs = &fs;
	et_hmap_init(&ls.seen);
	et_buf_init(&ls.tmp, 8192);
	r = et_logrec_run(c->files, c->nfiles, &lf, on_record, &ls, &in, &err);
	et_hmap_finish(&ls.seen);
	et_buf_finish(&ls.tmp);
	if (r < 0 || fs.n == 0) {
		goto out;
	}
	et_transcript_sort(&fs);
	usage_filter(f, c);
	memset(&rd, 0, sizeof(rd));
	memset(&tr, 0, sizeof(tr));
	memset(&st, 0, sizeof(st));
	rd.tools = et_toolcost_create(p, f, NULL);
	if (!rd.tools) {
		r = -ENOMEM;
		goto out;
	}
	tr.flags = ET_TX_WANT_TOOLS;
	tr.fn = on_line;
	tr.ctx = &rd;
	r = et_transcript_run(&fs, &tr, &st, &err);
	if (r == 0) {
		r = et_toolcost_end(rd.tools, &res);
	}
	if (r == 0) {
		*out = rd.tools;
		rd.tools = NULL;
		r = res.responses > 0;
	}
	et_toolcost_destroy(rd.tools);
	et_toolcost_result_finish(&res);
out:
	if (r < 0 && err.len) {
		fprintf(stderr, "telemetry-stats: %s", err.data);
	}
	et_transcript_files_finish(&fs);
	et_buf_finish(&err);
	return r;
}

int cmd_cost(int argc, char **argv)
{
	struct cost_opts o;
	struct cli c;
	struct cost_run k;
	struct et_usage_result res;
	struct et_toolcost_result tres;
	struct et_usage_filter f;
	struct et_cost_meta m;
	struct et_buf out;
	struct et_lines_stats ls_in;
	size_t i;
	int status, r = 0;
	bool parsed = false;

	memset(&o, 0, sizeof(o));
	cost_run_init(&k);
	memset(&res, 0, sizeof(res));
	memset(&tres, 0, sizeof(tres));
	et_buf_init(&out, (size_t)64 << 20);
	o.transcripts = calloc((size_t)argc + 1, sizeof(*o.transcripts));
	if (!o.transcripts) {
		status = EXIT_FAILURE_;
		goto out;
	}
	status = take_options("cost", &argc, argv, &o);
	if (status != EXIT_OK) {
		goto out;
	}
	status = cli_parse(&c, &cost_cmd, argc, argv);
	parsed = true;
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	status = load_pricing(&k.p, o.pricing, &k.owned);
	if (status != EXIT_OK) {
		goto out;
	}
	/* The transcripts: the places asked for (or the default ones), then the log's. */
	for (i = 0; i < o.ntranscripts; i++) {
		r = et_transcript_add(&k.fs, o.transcripts[i]);
		if (r < 0) {
			fprintf(stderr, "telemetry-stats: cannot read transcripts '%s': %s\n",
				o.transcripts[i], strerror(-r));
			status = EXIT_FAILURE_;
			goto out;
		}
	}
	if (!o.ntranscripts) {
		r = et_transcript_add_defaults(&k.fs);
		if (r < 0) {
			fprintf(stderr, "telemetry-stats: cannot read the transcripts: %s\n",
				strerror(-r));
			status = EXIT_FAILURE_;
			goto out;
		}
	}
	usage_filter(&f, &c);
	if (o.by == -2) {
		k.tc = et_toolcost_create(&k.p, &f, c.tool);
	} else {
		k.u = et_usage_create(&k.p, &f, (enum et_usage_by)o.by, o.breakdown);
	}
	if (!k.tc && !k.u) {
		status = EXIT_FAILURE_;
		goto out;
	}
	if (log_wanted(&c) && cli_files(&c) != EXIT_OK && c.nlogs) {
		status = EXIT_FAILURE_; /* an explicit --log that cannot be read */
		goto out;
	}
	if (c.nfiles) {
		et_buf_reset(&k.err);
		r = scan_log(&c, &k.fs, k.tc, &k.err);
		if (r < 0) {
			status = cli_failed(&k.err);
			goto out;
		}
	}
	et_transcript_sort(&k.fs);
	if (k.u) {
		et_usage_expect(k.u, k.fs.bytes);
	}
	et_buf_reset(&k.err);
	r = read_transcripts(&k.fs, &c, k.u, k.tc, &ls_in, &k.err);
	if (r < 0 && r != -ENOMEM) {
		status = cli_failed(&k.err);
		goto out;
	}
	if (r == 0) {
		r = k.tc ? et_toolcost_end(k.tc, &tres) : et_usage_end(k.u, &res);
	}
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	if (k.tc && tres.ntop && c.nfiles) {
		/* The top calls' redacted parameters, from the log. */
		struct et_logrec_stats in;
		struct et_logrec_filter lf;

		memset(&in, 0, sizeof(in));
		memset(&lf, 0, sizeof(lf));
		et_buf_reset(&k.err);
		if (et_logrec_run(c.files, c.nfiles, &lf, on_params, &tres, &in, &k.err) < 0) {
			status = cli_failed(&k.err);
			goto out;
		}
	}
	memset(&m, 0, sizeof(m));
	m.fmt = c.fmt;
	m.color = c.color;
	m.by = o.by_name;
	m.breakdown = o.breakdown;
	m.files = k.fs.n - ls_in.files_too_old - ls_in.files_unopenable;
	m.skipped_old = ls_in.files_too_old;
	m.lines = ls_in.lines;
	m.malformed = ls_in.malformed;
	m.since = c.filter.has_since ? c.since_text : NULL;
	m.until = c.filter.has_until ? c.until_text : NULL;
	m.session = c.session;
	m.project = c.project;
	m.pricing_file = k.p.file;
	m.top = c.top;
	m.tool = c.tool;
	r = k.tc ? et_costrender_tools(&tres, &m, &out) : et_costrender_usage(&res, &m, &out);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: the report is too large\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	status = cli_write(out.data, out.len);
out:
	if (parsed) {
		cli_finish(&c);
	}
	et_usage_result_finish(&res);
	et_toolcost_result_finish(&tres);
	cost_run_finish(&k);
	free(o.transcripts);
	et_buf_finish(&out);
	return status;
}
