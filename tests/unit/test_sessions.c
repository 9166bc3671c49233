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

static void test_cycles(void)
{
	/* A test failing twice then passing, with an edit between; then a failure left open. */
	/* clang-format off */
	static const char log[] =
		REC("00", "UserPromptSubmit", ",\"outcome\":null,\"prompt_bytes\":3")
		REC("01", "PostToolUseFailure", ",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
			"\"exit_code\":1,\"params\":{\"command\":\"pytest\"}")
		REC("02", "PostToolUse", ",\"tool_name\":\"Edit\",\"outcome\":\"success\","
			"\"params\":{\"file_path\":\"/a\"}")
		REC("03", "PostToolUseFailure", ",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
			"\"exit_code\":1,\"params\":{\"command\":\"pytest -x\"}")
		REC("05", "PostToolUse", ",\"tool_name\":\"Bash\",\"outcome\":\"success\","
			"\"params\":{\"command\":\"pytest -x\"}")
		REC("06", "PostToolUseFailure", ",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
			"\"params\":{\"command\":\"git push origin\"}")
		REC("07", "PostToolUseFailure", ",\"tool_name\":\"Bash\",\"outcome\":\"failure\","
			"\"params\":{\"command\":\"git push -f\"}")
		REC("08", "PostToolUse", ",\"tool_name\":\"Bash\",\"outcome\":\"success\","
			"\"params\":{\"command\":\"git status\"}")
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
		REC("01", "SubagentStart", ",\"outcome\":null,\"agent_id\":\"x1\","
			"\"agent_type\":\"Explore\"")
		REC("02", "SubagentStop", ",\"outcome\":null,\"agent_id\":\"x1\","
			"\"agent_type\":\"Explore\"")
		REC("03", "PostToolUseFailure", ",\"tool_name\":\"Agent\",\"outcome\":\"failure\","
			"\"params\":{\"subagent_type\":\"Explore\"}")
		REC("04", "SubagentStart", ",\"outcome\":null,\"agent_id\":\"x2\","
			"\"agent_type\":\"Explore\"")
		REC("05", "PostToolUse", ",\"tool_name\":\"Read\",\"outcome\":\"success\","
			"\"agent_id\":\"x2\",\"agent_type\":\"Explore\"")
		REC("07", "SubagentStop", ",\"outcome\":null,\"agent_id\":\"x2\","
			"\"agent_type\":\"Explore\"")
		REC("08", "PostToolUse", ",\"tool_name\":\"Agent\",\"outcome\":\"success\","
			"\"params\":{\"subagent_type\":\"Explore\"}")
		REC("09", "Stop", ",\"outcome\":null");
	/* clang-format on */
	struct et_sessions_opts o = {NULL, false, "s"};
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

int main(void)
{
	test_pipelines();
	test_cycles();
	test_subagents();
	return tap_done();
}
