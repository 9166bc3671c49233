/*
 * cmd_patterns: `telemetry-stats patterns`, the /telemetry-patterns command. --tool does not drop
 * records here (a chain needs its neighbours): it keeps the patterns that involve the tool.
 */
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

static const struct et_opt options[] = {
	{"--min-count", OPT_MIN_COUNT, true},
	{NULL, 0, false},
};

struct run {
	struct et_patterns *patterns;
	struct et_patterns_result res;
};

static int start(void *self, struct cli *c)
{
	struct run *run = self;

	run->patterns = et_patterns_create();
	if (!run->patterns) {
		return cli_oom();
	}
	c->filter.tool = NULL; /* every call counts for chains; the tool narrows the output */
	return EXIT_OK;
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;

	return et_patterns_add(run->patterns, rec);
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;

	return et_patterns_end(run->patterns, c->min_count, c->top, c->tool, &run->res);
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;

	return et_render_patterns(&run->res, m, out);
}

static void destroy(void *self)
{
	struct run *run = self;

	et_patterns_result_finish(&run->res);
	et_patterns_destroy(run->patterns);
}

const struct cli_cmd patterns_cmd = {
	.name = "patterns",
	.usage = usage,
	.size = sizeof(struct run),
	.options = options,
	.start = start,
	.add = add,
	.end = end,
	.render = render,
	.destroy = destroy,
};
