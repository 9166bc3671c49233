/*
 * cmd_report: `telemetry-stats report --html FILE`, one self-contained HTML page. The log is read
 * once: each record goes to the stats aggregator, the patterns analyzer and the timeline. --tool
 * works as in each of them: stats and the timeline see only that tool's calls, patterns see every
 * call (a chain needs its neighbours) and keep what involves the tool.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_html.h"
#include "et_html_cost.h"
#include "et_patterns.h"
#include "et_proposals.h"
#include "et_sessions.h"
#include "et_render.h"
#include "et_stats.h"
#include "et_toolcost.h"
#include "et_usage.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats report --html FILE [OPTIONS]\n"
	"\n"
	"Writes one self-contained HTML page (inline CSS and SVG; no script, no font, nothing\n"
	"fetched: it opens offline in any browser, light or dark) with: calls and failures over\n"
	"time (per hour for a short range, else per day, or per week), latency percentiles per\n"
	"tool on a log scale, success rate per tool, the top failures with what to do about them,\n"
	"the top tool chains, parallelization opportunities, and the slowest calls; then, when the\n"
	"log has sessions, sessions over time, the first-try pass rate of test and build runs and\n"
	"the agents. The numbers are those of 'stats', 'patterns' and 'sessions'\n"
	"(docs/stats-json.md, docs/sessions.md). The same log gives the same bytes:\n"
	"the page names the range of the data, not the time it was made. The log holds user data\n"
	"(commands, errors): every string from it is escaped, and FILE is created mode 0600.\n"
	"\n"
	"output:\n"
	"  --html FILE        write the page to FILE (replaced if it exists); '-' is stdout\n"
	"  --top N            at most N rows per list and N tools per chart (default 10)\n"
	"  --min-count N      list chains seen at least N times (default 5)\n" USAGE_FILTERS_WHEN
	"  --session ID       one session; 'current' is $CLAUDE_CODE_SESSION_ID\n"
	"  --project DIR      calls whose working directory is DIR or below it\n"
	"  --tool NAME        one tool (chains and parallelization: those involving it)\n" USAGE_FILTER_AGENT
		USAGE_INPUT_LOG
	"  --now TIME         take TIME as now for relative --since/--until (reproducible runs;\n"
	"                     also $EXECUTION_TELEMETRY_NOW)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 the page was written (an empty log gives a page saying so); 1 a log could\n"
	"not be read or FILE could not be written; 2 bad arguments.\n"
	"Malformed or torn lines are skipped and counted on the page.\n";

static const struct et_opt options[] = {
	{"--html", OPT_HTML, true},
	{"--min-count", OPT_MIN_COUNT, true},
	{NULL, 0, false},
};

struct run {
	struct et_stats *stats;
	struct et_patterns *patterns;
	struct et_html_timeline timeline;
	const char *tool;
	struct et_stats_result sres;
	struct et_patterns_result pres;
	struct et_proposals *proposals; /* the proposals section, with the default thresholds */
	struct et_proposals_result prop;
	struct et_sessions *sessions; /* runs, tasks and agents, over every record */
	struct et_sessions_result sesres;
	struct et_usage_result days; /* the cost sections */
	struct et_toolcost_result tools;
	bool has_cost; /* some response was counted from Claude Code's transcripts */
};

static int check(void *self, struct cli *c)
{
	if (!c->html || !*c->html) {
		return cli_usage_error("report", "--html FILE is required");
	}
	if (c->fmt != ET_FORMAT_TEXT) {
		return cli_usage_error("report", "--format, --json and --markdown do not apply: "
						 "the report is HTML");
	}
	return EXIT_OK;
}

static int start(void *self, struct cli *c)
{
	struct run *run = self;
	struct et_proposals_opts po;

	run->stats = et_stats_create(c->top);
	run->patterns = et_patterns_create();
	et_proposals_opts_default(&po);
	run->proposals = et_proposals_create(&po);
	run->sessions = et_sessions_create(NULL);
	if (!run->stats || !run->patterns || !run->proposals || !run->sessions) {
		return cli_oom();
	}
	et_html_timeline_init(&run->timeline);
	run->tool = c->tool;
	c->filter.tool = NULL;
	return EXIT_OK;
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;
	int r;

	r = et_patterns_add(run->patterns, rec);
	if (r == 0) {
		r = et_proposals_add(run->proposals, rec);
	}
	if (r == 0) {
		r = et_sessions_add(run->sessions, rec);
	}
	if (r < 0) {
		return r;
	}
	/* The reader's --tool filter, applied here so that patterns still see every call. */
	if (run->tool && !rec->is_batch && !et_span_eq(rec->tool, run->tool)) {
		return 0;
	}
	r = et_stats_add(run->stats, rec);
	if (r < 0) {
		return r;
	}
	return et_html_timeline_add(&run->timeline, rec);
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;
	int r;

	r = et_stats_end(run->stats, &run->sres);
	if (r == 0) {
		r = et_patterns_end(run->patterns, c->min_count, c->top, c->tool, &run->pres);
	}
	if (r == 0) {
		r = et_proposals_close(run->proposals);
	}
	if (r == 0) {
		r = et_proposals_end(run->proposals, c->top, &run->prop);
	}
	if (r == 0) {
		r = et_sessions_end(run->sessions, NULL, &run->sesres);
	}
	if (r == 0) {
		/* The cost sections, when Claude Code's transcripts can be read. */
		r = cost_for_report(c, &run->days, &run->tools);
		run->has_cost = r > 0;
		c->said = r < 0; /* cost_for_report said why */
		r = r > 0 ? 0 : r;
	}
	return r;
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;
	struct et_html_cost hc = {&run->days, &run->tools};

	return et_html_render_all(&run->sres, &run->pres, &run->timeline, m,
				  run->has_cost ? &hc : NULL, &run->prop, &run->sesres, out);
}

static void destroy(void *self)
{
	struct run *run = self;

	et_usage_result_finish(&run->days);
	et_toolcost_result_finish(&run->tools);
	et_patterns_result_finish(&run->pres);
	et_proposals_result_finish(&run->prop);
	et_stats_result_finish(&run->sres);
	et_patterns_destroy(run->patterns);
	et_proposals_destroy(run->proposals);
	et_sessions_result_finish(&run->sesres);
	et_sessions_destroy(run->sessions);
	et_stats_destroy(run->stats);
}

const struct cli_cmd report_cmd = {
	.name = "report",
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
