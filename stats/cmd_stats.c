/*
 * cmd_stats: `telemetry-stats stats`, the /telemetry-stats command: per-tool statistics over the
 * records that pass the filters (et_stats), rendered as text, markdown or JSON.
 */
#include <string.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_render.h"
#include "et_stats.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats stats [OPTIONS]\n"
	"\n"
	"Tool-call statistics: calls, failures, success rate, sessions and latency (avg, p50, p95,\n"
	"p99, max; nearest-rank percentiles over the calls that have a latency), per tool and\n"
	"overall; the most frequent failures, grouped after normalizing paths, ids, numbers and\n"
	"times, classified, each class with a hint; and the slowest calls with their arguments.\n"
	"\n"
	"sections:\n"
	"  --failures         only the failures\n"
	"  --slow             only the slowest calls\n" COMMON_OPTIONS;

static const struct et_opt options[] = {
	{"--failures", OPT_FAILURES, false},
	{"--slow", OPT_SLOW, false},
	{NULL, 0, false},
};

struct run {
	struct et_stats *stats;
	struct et_stats_result res;
};

static int start(void *self, struct cli *c)
{
	struct run *run = self;

	run->stats = et_stats_create(c->top);
	return run->stats ? EXIT_OK : cli_oom();
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;

	return et_stats_add(run->stats, rec);
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;

	return et_stats_end(run->stats, &run->res);
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;

	return et_render_stats(&run->res, m, out);
}

static void destroy(void *self)
{
	struct run *run = self;

	et_stats_result_finish(&run->res);
	et_stats_destroy(run->stats);
}

const struct cli_cmd stats_cmd = {
	.name = "stats",
	.usage = usage,
	.size = sizeof(struct run),
	.options = options,
	.start = start,
	.add = add,
	.end = end,
	.render = render,
	.destroy = destroy,
};
