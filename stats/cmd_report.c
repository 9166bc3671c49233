/*
 * cmd_report: `telemetry-stats report --html FILE`, one self-contained HTML page. The log is read
 * once: each record goes to the stats aggregator, the patterns analyzer and the timeline. --tool
 * works as in each of them: stats and the timeline see only that tool's calls, patterns see every
 * call (a chain needs its neighbours) and keep what involves the tool.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "et_fsutil.h"
#include "et_html.h"
#include "et_patterns.h"
#include "et_render.h"
#include "et_stats.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats report --html FILE [OPTIONS]\n"
	"\n"
	"Writes one self-contained HTML page (inline CSS and SVG; no script, no font, nothing\n"
	"fetched: it opens offline in any browser, light or dark) with: calls and failures over\n"
	"time (per hour for a short range, else per day, or per week), latency percentiles per\n"
	"tool on a log scale, success rate per tool, the top failures with what to do about them,\n"
	"the top tool chains, parallelization opportunities, and the slowest calls. The numbers are\n"
	"those of 'stats' and 'patterns' (docs/stats-json.md). The same log gives the same bytes:\n"
	"the page names the range of the data, not the time it was made. The log holds user data\n"
	"(commands, errors): every string from it is escaped, and FILE is created mode 0600.\n"
	"\n"
	"output:\n"
	"  --html FILE        write the page to FILE (replaced if it exists); '-' is stdout\n"
	"  --top N            at most N rows per list and N tools per chart (default 10)\n"
	"  --min-count N      list chains seen at least N times (default 5)\n"
	"filters:\n"
	"  --since WHEN       only calls at or after WHEN: a duration back from now (30m, 12h, 7d,\n"
	"                     2w), a date (2026-11-01, UTC) or an ISO 8601 time\n"
	"  --until WHEN       only calls before WHEN (same forms)\n"
	"  --session ID       one session; 'current' is $CLAUDE_CODE_SESSION_ID\n"
	"  --project DIR      calls whose working directory is DIR or below it\n"
	"  --tool NAME        one tool (chains and parallelization: those involving it)\n"
	"input:\n"
	"  --log PATH         a log file or a directory of *.jsonl logs; repeatable. Default: the\n"
	"                     hook's log ($EXECUTION_TELEMETRY_LOG, else\n"
	"                     ~/.claude/execution-telemetry.jsonl) and its rotated files\n"
	"  --now TIME         take TIME as now for relative --since/--until (reproducible runs;\n"
	"                     also $EXECUTION_TELEMETRY_NOW)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 the page was written (an empty log gives a page saying so); 1 a log could\n"
	"not be read or FILE could not be written; 2 bad arguments.\n"
	"Malformed or torn lines are skipped and counted on the page.\n";

struct feed {
	struct et_stats *stats;
	struct et_patterns *patterns;
	struct et_html_timeline timeline;
	const char *tool;
};

static int feed_add(void *ctx, const struct et_record_in *rec)
{
	struct feed *f = ctx;
	int r;

	r = et_patterns_add(f->patterns, rec);
	if (r < 0) {
		return r;
	}
	/* The reader's --tool filter, applied here so that patterns still see every call. */
	if (f->tool && !rec->is_batch && !et_span_eq(rec->tool, f->tool)) {
		return 0;
	}
	r = et_stats_add(f->stats, rec);
	if (r < 0) {
		return r;
	}
	return et_html_timeline_add(&f->timeline, rec);
}

/* Writes the page to @path ("-": stdout). Returns EXIT_OK or EXIT_FAILURE_ with a message. */
static int write_page(const char *path, const char *data, size_t n)
{
	int r;

	if (!strcmp(path, "-")) {
		return cli_write(data, n);
	}
	r = et_write_file(path, data, n, 0600);
	if (r < 0) {
		fprintf(stderr, "telemetry-stats: cannot write the report to '%s': %s\n", path,
			strerror(-r));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct cli c;
	struct feed f;
	struct et_stats_result sres;
	struct et_patterns_result pres;
	struct et_logrec_stats in;
	struct et_report_meta m;
	struct et_buf out, err;
	int status, r;

	memset(&f, 0, sizeof(f));
	memset(&sres, 0, sizeof(sres));
	memset(&pres, 0, sizeof(pres));
	memset(&in, 0, sizeof(in));
	et_buf_init(&out, (size_t)64 << 20);
	et_buf_init(&err, 1 << 16);
	status = cli_parse(&c, "report", argc, argv, usage);
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	if (!c.html || !*c.html) {
		fprintf(stderr, "telemetry-stats report: --html FILE is required\n"
				"Try 'telemetry-stats report --help'.\n");
		status = EXIT_USAGE;
		goto out;
	}
	if (c.fmt != ET_FORMAT_TEXT) {
		fprintf(stderr,
			"telemetry-stats report: --format, --json and --markdown do not apply: "
			"the report is HTML\nTry 'telemetry-stats report --help'.\n");
		status = EXIT_USAGE;
		goto out;
	}
	status = cli_files(&c);
	if (status != EXIT_OK) {
		goto out;
	}
	f.stats = et_stats_create(c.top);
	f.patterns = et_patterns_create();
	if (!f.stats || !f.patterns) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	et_html_timeline_init(&f.timeline);
	f.tool = c.tool;
	c.filter.tool = NULL;
	r = et_logrec_run(c.files, c.nfiles, &c.filter, feed_add, &f, &in, &err);
	if (r == 0) {
		r = et_stats_finish(f.stats, &sres);
	}
	if (r == 0) {
		r = et_patterns_finish(f.patterns, c.min_count, c.top, c.tool, &pres);
	}
	if (r < 0) {
		status = cli_failed(&err);
		goto out;
	}
	cli_meta(&c, &in, &m);
	if (et_html_render(&sres, &pres, &f.timeline, &m, &out) < 0) {
		fprintf(stderr, "telemetry-stats: the report is too large\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	status = write_page(c.html, out.data, out.len);
out:
	et_patterns_result_finish(&pres);
	et_stats_result_finish(&sres);
	et_patterns_destroy(f.patterns);
	et_stats_destroy(f.stats);
	et_buf_finish(&out);
	et_buf_finish(&err);
	cli_finish(&c);
	return status;
}
