/*
 * cmd_proposals: `telemetry-stats proposals`, the /telemetry-proposals command. Reads the log
 * once for the findings; unless --no-cost, reads the transcripts the log names and the log again,
 * to give each call its dollars (docs/proposals.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "common_usage.h"
#include "et_fsutil.h"
#include "et_pricing.h"
#include "et_proposals.h"
#include "et_proprender.h"
#include "et_toolcost.h"
#include "et_usage.h"
#include "opts.h"

#include "banned.h"

static const char usage[] =
	"usage: telemetry-stats proposals [OPTIONS]\n"
	"\n"
	"Waste found in the log, as ranked proposals: the same error in 3+ sessions, slow tools,\n"
	"retry loops, sessions run by hand with few tools, read-only calls that could have been\n"
	"one batch, calls rejected before running, the same file read again and again, results\n"
	"that flood the context, sessions one tool's cost dominates, test or build commands that\n"
	"fail on the first try, debugging cycles that never resolve, and subagent types that fail\n"
	"or are rerun far more than the other agents. Each proposal gives a\n"
	"concrete change, its evidence (counts, example sessions and calls, time lost measured\n"
	"from latencies and time assumed), the hours it saves a week and a month, the hours it\n"
	"takes, the weeks to break even and a priority (critical: 1 week or less, high: 4, medium:\n"
	"12, else low). The same log gives the same output, byte for byte (docs/proposals.md).\n"
	"\n"
	"proposals:\n"
	"  --hourly-rate N    money per hour: hours become money, and token dollars from the\n"
	"                     transcripts count towards the return\n"
	"  --threshold H      only proposals that save at least H hours a month (default 0)\n"
	"  --output FILE      write FILE (mode 0600, replaced atomically) instead of stdout; only\n"
	"                     a regular file is replaced ('-': stdout)\n"
	"  --no-cost          do not read the transcripts the log names (no token dollars)\n"
	"  --turn-seconds N   the agent time an avoidable call costs beyond its latency (20)\n"
	"thresholds:\n"
	"  --slow-ms N        slow tool: average latency above N ms (5000)\n"
	"  --slow-calls N     over at least N calls with a latency (5)\n"
	"  --error-sessions N repeated error: the same error in N or more sessions (3)\n"
	"  --retry-run N      retry loop: the same tool and input N times in a row (3)\n"
	"  --manual-calls N   manual process: more than N calls in a session (10)\n"
	"  --manual-tools N   from N or fewer distinct tools (3)\n"
	"  --reread N         repeated read: one file read N or more times in a session (3)\n"
	"  --huge-bytes N     huge result: a response of N bytes or more (100000)\n"
	"  --min-events N     the other findings: at least N events (3)\n"
	"  --first-try-rate R first try: a test command passing first at most this often (0.5)\n"
	"  --agent-ratio N    failing subagent: N times the other agents' rate (2)\n"
	"  --pipeline CMD     one more test or build command (repeatable; as sessions)\n" COMMON_OPTIONS;

enum {
	OWN_RATE,
	OWN_THRESHOLD,
	OWN_OUTPUT,
	OWN_NO_COST,
	OWN_TURN,
	OWN_SLOW_MS,
	OWN_SLOW_CALLS,
	OWN_ERROR_SESSIONS,
	OWN_RETRY_RUN,
	OWN_MANUAL_CALLS,
	OWN_MANUAL_TOOLS,
	OWN_REREAD,
	OWN_HUGE_BYTES,
	OWN_MIN_EVENTS,
	OWN_FIRST_TRY_RATE,
	OWN_AGENT_RATIO,
};

static const struct et_opt own_options[] = {
	{"--hourly-rate", OWN_RATE, true},
	{"--threshold", OWN_THRESHOLD, true},
	{"--output", OWN_OUTPUT, true},
	{"--no-cost", OWN_NO_COST, false},
	{"--turn-seconds", OWN_TURN, true},
	{"--slow-ms", OWN_SLOW_MS, true},
	{"--slow-calls", OWN_SLOW_CALLS, true},
	{"--error-sessions", OWN_ERROR_SESSIONS, true},
	{"--retry-run", OWN_RETRY_RUN, true},
	{"--manual-calls", OWN_MANUAL_CALLS, true},
	{"--manual-tools", OWN_MANUAL_TOOLS, true},
	{"--reread", OWN_REREAD, true},
	{"--huge-bytes", OWN_HUGE_BYTES, true},
	{"--min-events", OWN_MIN_EVENTS, true},
	{"--first-try-rate", OWN_FIRST_TRY_RATE, true},
	{"--agent-ratio", OWN_AGENT_RATIO, true},
	{NULL, 0, false},
};

static const struct et_opt shared_options[] = {
	{"--pipeline", OPT_PIPELINE, true},
	{NULL, 0, false},
};

struct run {
	struct et_proposals_opts o;
	const char *output;
	bool no_cost;
	struct et_proposals *p;
	struct et_proposals_result res;
	struct et_toolcost *tc;
	struct et_buf tmp;
	struct cli_pipelines pipelines;
};

/* A number from 0 to @max (no sign, no exponent games: strtod with its end and range checked). */
static bool number(const char *s, double max, double *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ') {
		return false;
	}
	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && *end == '\0' && *v >= 0 && *v <= max;
}

/* One of proposals' own options (struct cli_cmd's own). */
static int own(void *self, int id, const char *arg, const char *val, int argc, char **argv, int *i)
{
	struct run *run = self;
	struct et_proposals_opts *o = &run->o;
	uint64_t *counts[] = {
		[OWN_SLOW_CALLS] = &o->slow_calls,     [OWN_ERROR_SESSIONS] = &o->error_sessions,
		[OWN_RETRY_RUN] = &o->retry_run,       [OWN_MANUAL_CALLS] = &o->manual_calls,
		[OWN_MANUAL_TOOLS] = &o->manual_tools, [OWN_REREAD] = &o->reread,
		[OWN_HUGE_BYTES] = &o->huge_bytes,     [OWN_MIN_EVENTS] = &o->min_events,
	};
	double v;
	size_t n;

	(void)argc;
	(void)argv;
	(void)i;
	if (val && !*val) {
		return cli_usage_error("proposals", "an empty value for '%s'", arg);
	}
	switch (id) {
	case OWN_OUTPUT:
		run->output = val;
		return EXIT_OK;
	case OWN_NO_COST:
		run->no_cost = true;
		return EXIT_OK;
	case OWN_FIRST_TRY_RATE:
		if (!number(val, 1, &o->first_try_rate)) {
			return cli_usage_error("proposals",
					       "%s takes a number from 0 to 1, not '%s'", arg, val);
		}
		return EXIT_OK;
	case OWN_RATE:
	case OWN_THRESHOLD:
	case OWN_TURN:
	case OWN_SLOW_MS:
	case OWN_AGENT_RATIO:
		if (!number(val, 1e9, &v)) {
			return cli_usage_error("proposals", "%s takes a number from 0, not '%s'",
					       arg, val);
		}
		*(id == OWN_RATE	  ? &o->hourly_rate
		  : id == OWN_THRESHOLD	  ? &o->min_monthly_h
		  : id == OWN_TURN	  ? &o->turn_s
		  : id == OWN_AGENT_RATIO ? &o->agent_ratio
					  : &o->slow_ms) = v;
		return EXIT_OK;
	default:
		if (!et_args_count(val, 1000000000, &n)) {
			return cli_usage_error(
				"proposals", "%s takes a whole number from 1, not '%s'", arg, val);
		}
		*counts[id] = n;
		return EXIT_OK;
	}
}

static void init(void *self)
{
	struct run *run = self;

	et_proposals_opts_default(&run->o);
	et_buf_init(&run->tmp, 1 << 16);
}

/* --output: cli_output writes the report there. */
static int check(void *self, struct cli *c)
{
	struct run *run = self;

	c->output = run->output;
	return EXIT_OK;
}

static int start(void *self, struct cli *c)
{
	struct run *run = self;
	int status = cli_pipelines(c, &run->pipelines);

	/* The test and build commands: --pipeline, then the config's (as sessions reads them). */
	if (status != EXIT_OK) {
		return status;
	}
	run->o.pipelines = run->pipelines.list;
	run->p = et_proposals_create(&run->o);
	return run->p ? EXIT_OK : cli_oom();
}

static int add(void *self, const struct et_record_in *rec)
{
	struct run *run = self;

	return et_proposals_add(run->p, rec);
}

/* The second reading of the log: each call with its dollars. */
static int add_cost(void *self, const struct et_record_in *rec)
{
	struct run *run = self;
	double usd = 0;
	bool has = false;
	size_t n;
	const char *id;

	if (rec->tool_use_id.p) {
		id = et_span_key(rec->tool_use_id, &run->tmp, "", &n);
		has = et_toolcost_call_cost(run->tc, id, n, &usd);
	}
	return et_proposals_add_cost(run->p, rec, has, usd);
}

static int end(void *self, struct cli *c)
{
	struct run *run = self;
	struct et_pricing pr;
	struct et_usage_filter f;
	struct et_logrec_stats in;
	struct et_buf err;
	int r = et_proposals_close(run->p);

	if (r == 0 && !run->no_cost && c->nfiles) {
		memset(&pr, 0, sizeof(pr));
		r = cost_per_call(c, &pr, &f, &run->tc);
		if (r > 0) {
			memset(&in, 0, sizeof(in));
			et_buf_init(&err, 1 << 16);
			r = et_logrec_run(c->files, c->nfiles, &c->filter, add_cost, run, &in,
					  &err);
			et_buf_finish(&err);
		}
		et_toolcost_destroy(run->tc);
		run->tc = NULL;
		et_pricing_finish(&pr);
		if (r == -EINVAL) {
			r = 0; /* a bad pricing file was said on stderr: no dollars */
		}
	}
	return r < 0 ? r : et_proposals_end(run->p, c->top, &run->res);
}

static int render(void *self, const struct et_report_meta *m, struct et_buf *out)
{
	struct run *run = self;

	return et_render_proposals(&run->res, m, out);
}

static void destroy(void *self)
{
	struct run *run = self;

	et_proposals_result_finish(&run->res);
	et_proposals_destroy(run->p);
	et_toolcost_destroy(run->tc);
	run->p = NULL;
	run->tc = NULL;
	cli_pipelines_finish(&run->pipelines);
	et_buf_finish(&run->tmp);
}

const struct cli_cmd proposals_cmd = {
	.name = "proposals",
	.usage = usage,
	.size = sizeof(struct run),
	.options = shared_options,
	.own_options = own_options,
	.init = init,
	.own = own,
	.check = check,
	.start = start,
	.add = add,
	.end = end,
	.render = render,
	.destroy = destroy,
};
