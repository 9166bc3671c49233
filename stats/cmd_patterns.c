/*
 * cmd_patterns: `telemetry-stats patterns`, the /telemetry-patterns command. --tool does not drop
 * records here (a chain needs its neighbours): it keeps the patterns that involve the tool.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_patterns.h"
#include "et_render.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats patterns [OPTIONS]\n"
	"\n"
	"Habits across tool calls, per session: tool chains (contiguous 2-, 3- and 4-call\n"
	"sequences, with how often every call succeeded and their average total latency),\n"
	"parallelization opportunities (read-only calls that ran one batch at a time), retry\n"
	"loops (the same call 3+ times in a row), recoveries (a failure, then the same tool\n"
	"succeeding within 5 calls), failure cascades, and the tools that take the most time.\n"
	"With --tool, only the patterns that involve that tool are shown.\n"
	"\n"
	"patterns:\n"
	"  --min-count N      list chains seen at least N times (default 5)\n" COMMON_OPTIONS;

int cmd_patterns(int argc, char **argv)
{
	struct cli c;
	struct et_patterns *p = NULL;
	struct et_patterns_result res;
	struct et_logrec_stats in;
	struct et_report_meta m;
	struct et_buf out, err;
	int status, r;

	memset(&res, 0, sizeof(res));
	memset(&in, 0, sizeof(in));
	et_buf_init(&out, (size_t)64 << 20);
	et_buf_init(&err, 1 << 16);
	status = cli_parse(&c, "patterns", argc, argv, usage);
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	status = cli_files(&c);
	if (status != EXIT_OK) {
		goto out;
	}
	p = et_patterns_create();
	if (!p) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	c.filter.tool = NULL; /* every call counts for chains; the tool narrows the output */
	r = et_logrec_run(c.files, c.nfiles, &c.filter, et_patterns_add, p, &in, &err);
	if (r == 0) {
		r = et_patterns_finish(p, c.min_count, c.top, c.tool, &res);
	}
	if (r < 0) {
		status = cli_failed(&err);
		goto out;
	}
	cli_meta(&c, &in, &m);
	if (et_render_patterns(&res, &m, &out) < 0) {
		fprintf(stderr, "telemetry-stats: the report is too large\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	status = cli_write(out.data, out.len);
out:
	et_patterns_result_finish(&res);
	et_patterns_destroy(p);
	et_buf_finish(&out);
	et_buf_finish(&err);
	cli_finish(&c);
	return status;
}
