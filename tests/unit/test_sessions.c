/* Unit tests for et_sessions: which commands are pipelines, and small sessions walked by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "et_logrec.h"
#include "et_sessions.h"
#include "tap.h"

static void test_pipelines(void)
{
	static const char *const extra[] = {"just test", "./run-tests.sh", NULL};
	static const struct {
		const char *command;
		const char *want;
	} cases[] = {
		{"pytest", "pytest"},
		{"pytest -x tests/test_a.py", "pytest"},
		{"python -m pytest -q", "pytest"},
		{"python3 -m pytest", "pytest"},
		{"uv run pytest", "pytest"},
		{"cd /w/p && npm test", "npm test"},
		{"npm run test -- --watch=false", "npm run test"},
		{"npm install", NULL},
		{"CI=1 FORCE_COLOR=0 yarn test", "yarn test"},
		{"cargo test --release", "cargo test"},
		{"cargo build", "cargo build"},
		{"cargo fmt", NULL},
		{"go test ./...", "go test"},
		{"make -j4 check", "make"},
		{"/usr/bin/make", "make"},
		{"meson test -C build", "meson test"},
		{"meson setup build", NULL},
		{"ninja -C build", "ninja"},
		{"timeout 60 ctest --output-on-failure", "ctest"},
		{"npx jest src", "jest"},
		{"npx vitest run", "vitest"},
		{"./gradlew test", "gradlew"},
		{"mvn -q verify", "mvn"},
		{"tox -e py312", "tox"},
		{"git status; pytest", "pytest"},
		{"ls | grep test", NULL},
		{"echo pytest", NULL},
		{"makefile-lint", NULL},
		{"just test unit", "just test"},
		{"./run-tests.sh", "./run-tests.sh"},
		{"", NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = et_sessions_pipeline(cases[i].command, extra);

		tap_ok((!got && !cases[i].want) ||
			       (got && cases[i].want && !strcmp(got, cases[i].want)),
		       "pipeline of '%s': %s (want %s)", cases[i].command, got ? got : "none",
		       cases[i].want ? cases[i].want : "none");
	}
	tap_ok(et_sessions_pipeline("just test", NULL) == NULL, "without the extra list: none");
	tap_ok(et_sessions_pipeline(NULL, extra) == NULL, "no command: none");
}

/* Feeds the lines of @log (one record per line) to a new aggregator and ends it into @res. */
static int feed(const char *log, const struct et_sessions_opts *o, struct et_sessions_result *res)
{
	struct et_sessions *s = et_sessions_create(o);
	struct et_record_in rec;
	const char *p = log, *nl;
	int r = s ? 0 : -1;

	while (r == 0 && *p) {
		nl = strchr(p, '\n');
		if (et_logrec_parse_line(p, (size_t)(nl - p), &rec) == 0) {
			r = et_sessions_add(s, &rec);
		}
		p = nl + 1;
	}
	if (r == 0) {
		r = et_sessions_end(s, NULL, res);
	}
	et_sessions_destroy(s);
	return r;
}

#define REC(t, ev, extra)                                                                          \
	"{\"v\":2,\"timestamp\":\"2026-12-01T10:00:" t ".000Z\",\"event\":\"" ev                   \
	"\",\"session_id\":\"s\"" extra "}\n"
/* A tool call that failed, or succeeded; @extra: its members after the outcome. */
#define FAILED(t, tool, extra)                                                                     \
	REC(t, "PostToolUseFailure", ",\"tool_name\":\"" tool "\",\"outcome\":\"failure\"" extra)
#define SUCCEEDED(t, tool, extra)                                                                  \
	REC(t, "PostToolUse", ",\"tool_name\":\"" tool "\",\"outcome\":\"success\"" extra)
/* A subagent's SubagentStart or SubagentStop. */
#define SUBAGENT(t, ev, id, type)                                                                  \
	REC(t, ev, ",\"outcome\":null,\"agent_id\":\"" id "\",\"agent_type\":\"" type "\"")

static void test_cycles(void)
{
	/* A test failing twice then passing, with an edit between; then a failure left open. */
	/* clang-format off */
	static const char log[] =
		REC("00", "UserPromptSubmit", ",\"outcome\":null,\"prompt_bytes\":3")
		FAILED("01", "Bash", ",\"exit_code\":1,\"params\":{\"command\":\"pytest\"}")
		SUCCEEDED("02", "Edit", ",\"params\":{\"file_path\":\"/a\"}")
		FAILED("03", "Bash", ",\"exit_code\":1,\"params\":{\"command\":\"pytest -x\"}")
		SUCCEEDED("05", "Bash", ",\"params\":{\"command\":\"pytest -x\"}")
		FAILED("06", "Bash", ",\"params\":{\"command\":\"git push origin\"}")
		FAILED("07", "Bash", ",\"params\":{\"command\":\"git push -f\"}")
		SUCCEEDED("08", "Bash", ",\"params\":{\"command\":\"git status\"}")
		REC("09", "Stop", ",\"outcome\":null");
	/* clang-format on */
	struct et_sessions_result res;
	const struct et_sess_counts *c;

	if (feed(log, NULL, &res) != 0 || res.nsessions != 1 || res.ntasks != 1) {
		tap_ok(false, "the log is read");
		return;
	}
	c = &res.tasks[0].c;
	tap_ok(c->calls == 7 && c->failures == 4, "7 calls, 4 failed");
	tap_ok(c->cycles == 2 && c->resolved == 1,
	       "2 cycles: pytest resolved, git push not (git status is another target)");
	tap_ok(c->cycle_attempts == 5 && c->retries == 3,
	       "attempts: 3 for pytest, 2 for git push; 3 retries (%llu, %llu)",
	       (unsigned long long)c->cycle_attempts, (unsigned long long)c->retries);
	tap_ok(c->cycle_ms == 4000 + 1000, "cycle time: 4 s to resolve, 1 s left open (%g)",
	       c->cycle_ms);
	tap_ok(c->runs == 3 && c->passes == 1 && c->series == 1 && c->first_try == 0,
	       "pytest: 3 runs, 1 series, not first try");
	tap_ok(res.tasks[0].stopped && res.tasks[0].last_run == 1 && res.tasks[0].prompt_bytes == 3,
	       "the task stopped, its last test run passed");
	tap_ok(res.nagents >= 1 && !strcmp(res.agents[0].type, "main") &&
		       res.agents[0].invocations == 1 && res.agents[0].failures == 1,
	       "the main agent's request failed: a cycle was left open");
	tap_ok(!res.has_timeline && res.ntimeline == 0, "no timeline unless asked");
	et_sessions_result_finish(&res);
}

static void test_subagents(void)
{
	/* Two Explore runs in one request (a rerun), the first one's Agent call failed. */
	/* clang-format off */
	static const char log[] =
		REC("00", "UserPromptSubmit", ",\"outcome\":null")
		SUBAGENT("01", "SubagentStart", "x1", "Explore")
		SUBAGENT("02", "SubagentStop", "x1", "Explore")
		FAILED("03", "Agent", ",\"params\":{\"subagent_type\":\"Explore\"}")
		SUBAGENT("04", "SubagentStart", "x2", "Explore")
		SUCCEEDED("05", "Read", ",\"agent_id\":\"x2\",\"agent_type\":\"Explore\"")
		SUBAGENT("07", "SubagentStop", "x2", "Explore")
		SUCCEEDED("08", "Agent", ",\"params\":{\"subagent_type\":\"Explore\"}")
		REC("09", "Stop", ",\"outcome\":null");
	/* clang-format on */
	struct et_sessions_opts o = {NULL, false, "s", false};
	struct et_sessions_result res;
	const struct et_agent_row *e = NULL;
	size_t i;

	if (feed(log, &o, &res) != 0) {
		tap_ok(false, "the log is read");
		return;
	}
	for (i = 0; i < res.nagents; i++) {
		if (!strcmp(res.agents[i].type, "Explore")) {
			e = &res.agents[i];
		}
	}
	tap_ok(e && e->invocations == 2 && e->successes == 1 && e->failures == 1,
	       "Explore: 2 runs, the one whose Agent call failed failed");
	tap_ok(e && e->retries == 1 && e->time_ms == 1000 + 3000 && e->c.calls == 1,
	       "Explore: 1 rerun, 4 s, 1 call");
	tap_ok(res.tasks[0].subagents == 2 && res.sessions[0].subagents == 2,
	       "2 subagents counted");
	tap_ok(res.has_timeline && res.ntimeline == 9 && res.timeline[5].depth == 2,
	       "the timeline nests the subagent's call (%zu items)", res.ntimeline);
	et_sessions_result_finish(&res);
}

/* The finding rows: a cycle resolved and one not, a series failing first, subagent runs. */
static void test_findings(void)
{
	/* clang-format off */
	static const char log[] =
		REC("00", "UserPromptSubmit", ",\"outcome\":null,\"prompt_bytes\":3")
		FAILED("01", "Bash", ",\"tool_use_id\":\"t1\",\"latency_ms\":1000,\"exit_code\":1,"
			"\"params\":{\"command\":\"pytest\"}")
		FAILED("02", "Bash", ",\"tool_use_id\":\"t2\",\"latency_ms\":3000,\"exit_code\":1,"
			"\"params\":{\"command\":\"pytest -x\"}")
		SUCCEEDED("04", "Bash", ",\"tool_use_id\":\"t3\",\"latency_ms\":500,"
			"\"params\":{\"command\":\"pytest\"}")
		FAILED("05", "Edit", ",\"tool_use_id\":\"t4\",\"latency_ms\":10,"
			"\"params\":{\"file_path\":\"/a\"}")
		FAILED("06", "Agent", ",\"tool_use_id\":\"t5\",\"latency_ms\":7000,"
			"\"params\":{\"subagent_type\":\"Plan\"}")
		SUCCEEDED("07", "Agent", ",\"tool_use_id\":\"t6\",\"latency_ms\":2000,"
			"\"params\":{\"subagent_type\":\"Plan\"}")
		REC("09", "Stop", ",\"outcome\":null");
	/* clang-format on */
	struct et_sessions_opts o = {NULL, false, NULL, true};
	struct et_sessions_result res;
	const struct et_cycle_row *c;
	const struct et_series_row *sr;
	const struct et_subrun_row *a;

	if (feed(log, &o, &res) != 0 || res.ncycle_rows != 3 || res.nseries_rows != 1 ||
	    res.nsubrun_rows != 2) {
		tap_ok(false, "findings: 3 cycles, 1 series, 2 subagent runs (got %zu, %zu, %zu)",
		       res.ncycle_rows, res.nseries_rows, res.nsubrun_rows);
		et_sessions_result_finish(&res);
		return;
	}
	c = &res.cycle_rows[0];
	tap_ok(c->resolved && c->attempts == 3 && c->lat_ms == 4500 && c->lat_n == 3 &&
		       c->ms == 3000 && !strcmp(c->first_id, "t1") &&
		       !strcmp(c->target, "pytest") && !strcmp(c->agent, "main") &&
		       !strcmp(c->tool, "Bash"),
	       "the pytest cycle: resolved after 3 attempts, 4.5 s of latency, opened by t1");
	c = &res.cycle_rows[1];
	tap_ok(c->resolved && c->attempts == 2 && !strcmp(c->first_id, "t5"),
	       "the Agent cycle: resolved by the second Agent call");
	c = &res.cycle_rows[2];
	tap_ok(!c->resolved && c->attempts == 1 && !strcmp(c->first_id, "t4") &&
		       !strcmp(c->target, "/a"),
	       "the Edit cycle: left unresolved at the Stop");
	sr = &res.series_rows[0];
	tap_ok(sr->runs == 3 && sr->failed == 2 && !sr->first_passed && sr->passed &&
		       sr->failed_lat_ms == 4000 && sr->failed_lat_n == 2 &&
		       !strcmp(sr->first_id, "t1") && !strcmp(sr->pipeline, "pytest"),
	       "the pytest series: failed twice (4 s) before its pass");
	a = &res.subrun_rows[0];
	tap_ok(!a->ok && !a->rerun && !strcmp(a->call_id, "t5") && a->has_ms && a->ms == 7000 &&
		       !strcmp(a->type, "Plan"),
	       "the first Plan run failed (its Agent call t5, 7 s)");
	a = &res.subrun_rows[1];
	tap_ok(a->ok && a->rerun && !strcmp(a->call_id, "t6"), "the second is a rerun that worked");
	et_sessions_result_finish(&res);
	if (feed(log, NULL, &res) == 0) {
		tap_ok(res.ncycle_rows == 0 && !res.cycle_rows && res.nsubrun_rows == 0,
		       "without findings: no rows");
	}
	et_sessions_result_finish(&res);
}

int main(void)
{
	test_pipelines();
	test_cycles();
	test_subagents();
	test_findings();
	return tap_done();
}
