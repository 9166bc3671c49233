/*
 * cmd_stats: `telemetry-stats stats`, the /telemetry-stats command: read, aggregate, render.
 */
#include <stdio.h>
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

int cmd_stats(int argc, char **argv)
{
	struct cli c;
	struct et_stats *s = NULL;
	struct et_stats_result res;
	struct et_logrec_stats in;
	struct et_report_meta m;
	struct et_buf out, err;
	int status, r;

	memset(&res, 0, sizeof(res));
	memset(&in, 0, sizeof(in));
	et_buf_init(&out, (size_t)64 << 20);
	et_buf_init(&err, 1 << 16);
	status = cli_parse(&c, "stats", argc, argv, usage);
	if (status != EXIT_OK || !c.cmd) {
		goto out;
	}
	status = cli_files(&c);
	if (status != EXIT_OK) {
		goto out;
	}
	s = et_stats_create(c.top);
	if (!s) {
		fprintf(stderr, "telemetry-stats: out of memory\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	r = et_logrec_run(c.files, c.nfiles, &c.filter, et_stats_add, s, &in, &err);
	if (r == 0) {
		r = et_stats_finish(s, &res);
	}
	if (r < 0) {
		status = cli_failed(&err);
		goto out;
	}
	cli_meta(&c, &in, &m);
	if (et_render_stats(&res, &m, &out) < 0) {
		fprintf(stderr, "telemetry-stats: the report is too large\n");
		status = EXIT_FAILURE_;
		goto out;
	}
	status = cli_write(out.data, out.len);
out:
	et_stats_result_finish(&res);
	et_stats_destroy(s);
	et_buf_finish(&out);
	et_buf_finish(&err);
	cli_finish(&c);
	return status;
}
