#!/bin/sh
# telemetry-stats sessions on tests/data/sessions/: every number worked out by hand (below), the
# formats, the timeline, --since-clear, the HTML sections, and the error paths.
# usage: sessions.sh STATS DATA_DIR
#
# log.jsonl holds three sessions (times 2026-12-01, UTC):
#   sess-a (claude-opus-4-6 from SessionStart; transcript in sessions/tx: 300,000 input and 30,000
#   output tokens at $5 and $25 per million = $1.50 + $0.75 = $2.25):
#     request 1 "fix the tests" 10:00:01 .. Stop 10:00:09 (8 s):
#       10:00:02 Bash pytest tests     fail, exit 1   opens cycle 1 (target pytest); pytest series 1
#       10:00:03 Edit a.py             ok
#       10:00:04 Bash pytest tests     fail, exit 1   cycle 1 attempt 2 (a retry)
#       10:00:05 Read b.py             fail           opens cycle 2 (target the file)
#       10:00:06 Edit a.py             ok
#       10:00:08 Bash pytest tests -x  ok             cycle 1 resolved: 3 attempts, 6 s
#       Stop: cycle 2 unresolved (1 attempt, 0 s). 6 calls, 3 failed, 2 retries, 2 cycles (1
#       resolved), 4 attempts, 6000 ms; pytest 3 runs, 1 pass, 1 series, not first try; last run
#       passed. The main agent fails this request (a cycle left unresolved).
#     request 2 "explore the code" 10:00:10 .. Stop 10:00:18 (8 s):
#       10:00:11 SubagentStart ag1 Explore; its calls: Grep ok, Read c.py fail (cycle 3), Read
#       c.py ok (cycle 3 resolved, 2 attempts, 1 s); SubagentStop 10:00:15 (4 s)
#       10:00:16 Agent (Explore) ok, 5 s: matched to ag1
#       10:00:17 Bash cd … && npm test ok: npm test series 1, first try
#       5 calls, 1 failed, 1 retry, 1 cycle resolved, 2 attempts, 1000 ms; 1 run, passed first.
#     SessionEnd prompt_input_exit at 10:00:19: 19 s. Session: 11 calls, 4 failed (63.6%), 3
#     retries, 3 cycles (2 resolved), 6 attempts, 7000 ms, 4 runs, 2 passes, 2 series, 1 first.
#   sess-b (claude-sonnet-4-6 from SessionStart; its transcript cannot be read):
#     request 1 "build it" 11:00:01 .. Stop 11:00:06 (5 s):
#       11:00:02 Bash cargo build            fail, exit 101  opens cycle 1; cargo build series
#       11:00:03 Bash cargo build --release  fail, exit 101  cycle 1 attempt 2
#       11:00:04 Agent (Plan) fail, 300 ms   opens cycle 2 (Agent, same params_fp)
#       11:00:05 Agent (Plan) ok, 700 ms     cycle 2 resolved: 2 attempts, 1 s
#       Stop: cycle 1 unresolved (2 attempts, 1 s). 4 calls, 3 failed (25%), 2 retries, 2 cycles
#       (1 resolved), 4 attempts, 2000 ms; 2 runs, 0 passes, 1 series; last run failed.
#     No SubagentStart: each Agent call is a Plan run of its own: 2 runs, 1 ok, 1 failed, 1 rerun
#     (the second in the same request), 1000 ms. No SessionEnd: 6 s, still running.
#   sess-c (version-1 records, no boundaries; claude-sonnet-4-6 from its transcript: 1,000,000
#   input and 100,000 output tokens at $3 and $15 = $4.50):
#     12:00:00 Bash make fail, exit 2 (cycle 1), 12:00:01 Bash make ok (resolved: 2 attempts, 1 s)
#     2 calls outside any request; make: 2 runs, 1 pass, 1 series, not first try.
# Totals: 3 sessions, 3 requests, 17 calls, 8 failed, 9 ok, 6 retries, 6 cycles (4 resolved), 12
# attempts, 10,000 ms (2 cycles per request, 2 attempts and 1666.67 ms per cycle); 8 runs, 3
# passes, 4 series, 1 first try. Agents: main 3 runs (request a2 ok; a1 and b1 left a cycle
# unresolved), 14 calls, 7 failed, 5 retries, 5 cycles, 21 s; Explore 1 run ok, 3 calls, 1 failed,
# 1 retry, 4 s; Plan as above. Models: claude-opus-4-6 1 session, 2 requests, 11 calls, $2.25,
# $1.125 per request; claude-sonnet-4-6 2 sessions (b, c), 1 request, 6 calls, 4 failed, 3
# retries, 3 cycles, 1 of 2 series... 0 first try, $4.50 (only c's transcript was read).
set -eu
. "$(dirname "$0")/lib.sh"
setup_stats "$1" "$2"
D=$DATA/sessions


run sessions --log "$D/log.jsonl" --transcripts "$D/tx" --json
check "sessions --json: exit 0" [ "$RC" = 0 ]
cp "$TMP/out" "$TMP/all.json"
python3 - "$TMP/all.json" > "$TMP/all.tap" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def ok(c, what): print(("ok - " if c else "not ok - ") + what)
def eq(got, want, what): ok(got == want, "%s: %r (want %r)" % (what, got, want))
def counts(o, calls, failures, retries, cycles, resolved, attempts, ms, runs, passes, series, first):
    return (o["calls"], o["failures"], o["retries"], o["cycles"], o["cycles_resolved"], o["cycle_attempts"],
            o["cycle_ms"], o["runs"], o["passes"], o["series"], o["first_try"]) == \
           (calls, failures, retries, cycles, resolved, attempts, ms, runs, passes, series, first)
t = d["totals"]
eq((t["sessions"], t["requests"], t["calls"], t["failures"], t["successes"]), (3, 3, 17, 8, 9), "totals: sessions, requests, calls, failures, successes")
ok(counts(t, 17, 8, 6, 6, 4, 12, 10000, 8, 3, 4, 1), "totals: retries 6, cycles 6 (4 resolved), 12 attempts, 10000 ms, 8 runs, 3 passes, 4 series, 1 first try")
eq((t["avg_cycles_per_request"], t["avg_attempts_per_cycle"], t["avg_cycle_ms"]), (2, 2, 1666.666667), "totals: 2 cycles per request, 2 attempts and 1666.67 ms per cycle")
eq(t["first_try_rate"], 0.25, "totals: first-try pass rate 1/4")
eq(t["calls_outside_requests"], 2, "totals: sess-c's 2 calls are outside any request")
eq(d["input"]["boundary_records"], 11, "input: 11 boundary records (8 of sess-a, 3 of sess-b)")
s = {x["id"]: x for x in d["sessions"]}
eq([x["id"] for x in d["sessions"]], ["sess-a", "sess-b", "sess-c"], "sessions in start order")
a, b, c = s["sess-a"], s["sess-b"], s["sess-c"]
eq((a["model"], a["models"], a["source"], a["ended"], a["project"]), ("claude-opus-4-6", "claude-opus-4-6", "startup", "prompt_input_exit", "/w/proj-a"), "sess-a: model, models, source, ended, project")
eq((a["start"], a["end"], a["duration_ms"], a["requests"], a["subagents"]), ("2026-12-01T10:00:00.000Z", "2026-12-01T10:00:19.000Z", 19000, 2, 1), "sess-a: start, end, 19 s, 2 requests, 1 subagent")
ok(counts(a, 11, 4, 3, 3, 2, 6, 7000, 4, 2, 2, 1), "sess-a: 11 calls, 4 failed, 3 retries, 3 cycles (2 resolved), 6 attempts, 7000 ms, 4 runs, 2 passes, 2 series, 1 first")
eq(round(a["success_rate"], 4), 0.6364, "sess-a: success 7/11")
eq((a["transcript"], a["cost"], a["tokens"]["input"], a["tokens"]["output"], a["messages"]), ("read", 2.25, 300000, 30000, 2), "sess-a: transcript read, $2.25, 300k in, 30k out, 2 responses")
eq((b["model"], b["ended"], b["duration_ms"], b["transcript"], b["cost"], b["tokens"]), ("claude-sonnet-4-6", None, 6000, "unreadable", None, None), "sess-b: model from SessionStart, no end, 6 s, transcript unreadable: no cost")
ok(counts(b, 4, 3, 2, 2, 1, 4, 2000, 2, 0, 1, 0), "sess-b: 4 calls, 3 failed, 2 retries, 2 cycles (1 resolved), 4 attempts, 2000 ms, 2 runs, no pass")
eq((c["model"], c["source"], c["requests"], c["duration_ms"], c["cost"]), ("claude-sonnet-4-6", None, 0, 1000, 4.5), "sess-c: model from the transcript, no boundaries, 1 s, $4.50")
ok(counts(c, 2, 1, 1, 1, 1, 2, 1000, 2, 1, 1, 0), "sess-c: make failing then passing: 1 cycle resolved after 2 attempts")
k = d["tasks"]
eq([(x["session"], x["index"]) for x in k], [("sess-a", 1), ("sess-a", 2), ("sess-b", 1)], "three tasks")
eq((k[0]["prompt"], k[0]["prompt_bytes"], k[0]["duration_ms"], k[0]["stopped"], k[0]["last_run"]), ("fix the tests", 13, 8000, True, "passed"), "task a1: prompt, 13 bytes, 8 s, stopped, last run passed")
ok(counts(k[0], 6, 3, 2, 2, 1, 4, 6000, 3, 1, 1, 0), "task a1: test run failing twice then passing: 3 runs, not first try; cycle 1 resolved after 3 attempts, cycle 2 unresolved")
ok(counts(k[1], 5, 1, 1, 1, 1, 2, 1000, 1, 1, 1, 1) and k[1]["subagents"] == 1, "task a2: 5 calls, the subagent's cycle, npm test first try, 1 subagent")
ok(counts(k[2], 4, 3, 2, 2, 1, 4, 2000, 2, 0, 1, 0) and k[2]["last_run"] == "failed", "task b1: cargo build failing twice, last run failed")
g = {x["type"]: x for x in d["agents"]}
eq([x["type"] for x in d["agents"]], ["main", "Plan", "Explore"], "agents: main first, then by runs")
m = g["main"]
eq((m["invocations"], m["invocation_successes"], m["invocation_failures"], m["invocation_retries"], m["time_ms"]), (3, 1, 2, 0, 21000), "main: 3 runs, 1 ok, 2 failed, 21 s")
ok(counts(m, 14, 7, 5, 5, 3, 10, 9000, 8, 3, 4, 1), "main: 14 calls, 7 failed, 5 retries, 5 cycles")
e = g["Explore"]
eq((e["invocations"], e["invocation_successes"], e["invocation_failures"], e["invocation_retries"], e["time_ms"], e["calls"], e["failures"], e["retries"], e["cycles"]), (1, 1, 0, 0, 4000, 3, 1, 1, 1), "Explore: 1 run ok, 4 s, 3 calls, 1 failed, 1 retry, 1 cycle")
p = g["Plan"]
eq((p["invocations"], p["invocation_successes"], p["invocation_failures"], p["invocation_retries"], p["time_ms"], p["calls"]), (2, 1, 1, 1, 1000, 0), "Plan: 2 runs (Agent calls), 1 ok, 1 failed, 1 rerun, 1 s")
pl = {x["name"]: x for x in d["pipelines"]}
eq([x["name"] for x in d["pipelines"]], ["pytest", "cargo build", "make", "npm test"], "pipelines by runs")
eq((pl["pytest"]["runs"], pl["pytest"]["passes"], pl["pytest"]["series"], pl["pytest"]["first_try"], pl["pytest"]["exit_codes"]), (3, 1, 1, 0, [{"code": 1, "count": 2}, {"code": 0, "count": 1}]), "pytest: failing twice (exit 1) then passing")
eq((pl["cargo build"]["runs"], pl["cargo build"]["passes"], pl["cargo build"]["exit_codes"]), (2, 0, [{"code": 101, "count": 2}]), "cargo build: exit 101 twice")
eq((pl["npm test"]["first_try"], pl["npm test"]["first_try_rate"]), (1, 1), "npm test: passed first try")
eq(pl["make"]["exit_codes"], [{"code": 2, "count": 1}, {"code": 0, "count": 1}], "make: exit 2 then 0")
md = {x["model"]: x for x in d["models"]}
eq([x["model"] for x in d["models"]], ["claude-sonnet-4-6", "claude-opus-4-6"], "models by sessions")
o, so = md["claude-opus-4-6"], md["claude-sonnet-4-6"]
eq((o["sessions"], o["requests"], o["calls"], o["cost"], o["cost_per_request"], o["first_try_rate"]), (1, 2, 11, 2.25, 1.125, 0.5), "opus: 1 session, 2 requests, 11 calls, $2.25, $1.125 per request, first try 1/2")
eq((so["sessions"], so["requests"], so["calls"], so["failures"], so["retries"], so["cycles"], so["first_try_rate"], so["cost"], so["cost_per_request"]), (2, 1, 6, 4, 3, 3, 0, 4.5, 4.5), "sonnet: 2 sessions, 1 request, 6 calls, 4 failed, 3 retries, 3 cycles, first try 0/2, $4.50")
eq(d["timeline"], None, "no timeline without --session")
PY
tap_merge < "$TMP/all.tap"

# The timeline of sess-a.
run sessions --log "$D/log.jsonl" --session sess-a --json
check "--session sess-a: exit 0" [ "$RC" = 0 ]
python3 - "$TMP/out" > "$TMP/tl.tap" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def ok(c, what): print(("ok - " if c else "not ok - ") + what)
tl = d["timeline"]
ok([x["id"] for x in d["sessions"]] == ["sess-a"], "--session: that session only")
ok(len(tl) == 19, "timeline: 19 items (%d)" % len(tl))
kinds = [x["kind"] for x in tl]
ok(kinds[:3] == ["session_start", "request", "call"] and kinds[-3:] == ["call", "stop", "session_end"], "timeline: starts and ends as the session did")
marks = [(x["tool"], x["mark"], x["cycle"], x["attempt"]) for x in tl if x["mark"]]
ok(marks == [("Bash", "cycle_start", 1, 1), ("Bash", "retry_failed", 1, 2), ("Read", "unresolved", 2, 1),
             ("Bash", "recovered", 1, 3), ("Read", "cycle_start", 3, 1), ("Read", "recovered", 3, 2)],
   "timeline: the failures and their recoveries marked: %r" % marks)
sub = [x for x in tl if x["depth"] == 2]
ok([x["tool"] for x in sub] == ["Grep", "Read", "Read"], "timeline: the subagent's calls nested (depth 2)")
ok(tl[2]["pipeline"] == "pytest" and tl[2]["exit_code"] == 1 and tl[2]["latency_ms"] == 1000, "timeline: a call's pipeline, exit code and latency")
ok(tl[1]["text"] == "fix the tests", "timeline: the request's prompt")
PY
tap_merge < "$TMP/tl.tap"
run sessions --log "$D/log.jsonl" --session sess-a
check "text timeline: the recovery after 3 attempts is marked" \
  grep -q 'Bash pytest  success  1.5 s  \[cycle 1 recovered after 3 attempts\]' "$TMP/out"
check "text timeline: the unresolved cycle is marked" \
  grep -q 'Read /w/proj-a/b.py  failure  5 ms  \[cycle 2 left unresolved after 1 attempt\]' "$TMP/out"
check "text timeline: a failure's message, not its 'Exit code' line" \
  sh -c 'grep -A1 "cycle 1 starts" "$1" | tail -1 | grep -q "^ *failed$"' sh "$TMP/out"
CLAUDE_CODE_SESSION_ID=sess-b "$STATS" sessions --log "$D/log.jsonl" --session current --json > "$TMP/out"
check "--session current is \$CLAUDE_CODE_SESSION_ID" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["filters"]["session"] != "sess-b" or len(d["timeline"]) != 7)' "$TMP/out"

# Text and Markdown.
run sessions --log "$D/log.jsonl" --transcripts "$D/tx"
check "text: exit 0, the summary line" \
  sh -c '[ "$1" = 0 ] && grep -q "^3 sessions, 3 requests, 17 calls (52.9% success), 6 retries.$" "$2"' sh "$RC" "$TMP/out"
check "text: first-try pass rate" grep -q "first-try pass rate 25.0% (1 of 4)" "$TMP/out"
check "text: sess-a's row" \
  grep -Eq '^sess-a +2026-12-01 10:00 +19.0 s +claude-opus-4-6 +2 +11 +4 +63.6% +3 +3 +4 +1/2 +\$2.25 +prompt_input_exit$' "$TMP/out"
check "text: the pipelines table" grep -Eq '^pytest +3 +1 +1 +0.0% +1×2 0×1$' "$TMP/out"
run sessions --log "$D/log.jsonl" --markdown
check "markdown: a heading and the sessions table" \
  sh -c 'grep -q "^## Runs, tasks and agents" "$1" && grep -q "^| sess-b | 2026-12-01 11:00 | 6.0 s | claude-sonnet-4-6 | 1 | 4 | 3 | 25.0% |" "$1"' sh "$TMP/out"

# --since-clear: sess-e cleared once; only the second request counts.
run sessions --log "$D/clear.jsonl" --json
check "clear.jsonl: 2 requests, 2 calls, 1 failure without --since-clear" \
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; sys.exit((t["requests"], t["calls"], t["failures"]) != (2, 2, 1))' "$TMP/out"
run sessions --log "$D/clear.jsonl" --since-clear --json
check "--since-clear: 1 request, 1 call, no failure, no cycle" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["totals"]; sys.exit((t["requests"], t["calls"], t["failures"], t["cycles"], d["filters"]["since_clear"], d["sessions"][0]["source"]) != (1, 1, 0, 0, True, "clear"))' "$TMP/out"

# --pipeline: a command the built-in list does not know.
printf '%s\n' '{"v":2,"timestamp":"2026-12-01T09:00:00.000Z","event":"PostToolUseFailure","session_id":"p","tool_name":"Bash","outcome":"failure","error":"Exit code 3","exit_code":3,"params":{"command":"just check"}}' \
  '{"v":2,"timestamp":"2026-12-01T09:00:01.000Z","event":"PostToolUse","session_id":"p","tool_name":"Bash","outcome":"success","params":{"command":"just check"}}' > "$TMP/just.jsonl"
run sessions --log "$TMP/just.jsonl" --json
check "an unknown command is no pipeline" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["pipelines"] != [])' "$TMP/out"
run sessions --log "$TMP/just.jsonl" --pipeline 'just check' --json
check "--pipeline 'just check': 2 runs, 1 pass, exit 3" \
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["pipelines"]; sys.exit([(x["name"], x["runs"], x["passes"], x["exit_codes"][0]["code"]) for x in p] != [("just check", 2, 1, 3)])' "$TMP/out"
EXECUTION_TELEMETRY_PIPELINES='just check' "$STATS" sessions --log "$TMP/just.jsonl" --json > "$TMP/out"
check "the pipelines setting does the same" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["totals"]["runs"] != 2)' "$TMP/out"

# The HTML report's sections.
run report --html "$TMP/r.html" --log "$D/log.jsonl"
check "report: exit 0, the three sections and their links" \
  sh -c '[ "$1" = 0 ] && grep -q "<section id=\"sessions\">" "$2" && grep -q "<section id=\"first-try\">" "$2" &&
    grep -q "<section id=\"agents\">" "$2" && grep -q "<a href=\"#first-try\">" "$2"' sh "$RC" "$TMP/r.html"
check "report: the first-try pass rate" grep -q 'id="first-try-rate">25.0%<' "$TMP/r.html"

# Error paths.
run sessions --log "$D/log.jsonl" --session no-such-session
check "an unknown --session: exit 1 and a message" \
  sh -c '[ "$1" = 1 ] && grep -q "no session .no-such-session. in the log" "$2"' sh "$RC" "$TMP/err"
run sessions --log "$D/log.jsonl" --session sess-a --since 2026-12-02 --now 2026-12-03T00:00:00Z
check "a --session outside the filters: exit 1, said so" \
  sh -c '[ "$1" = 1 ] && grep -q "within the filters" "$2"' sh "$RC" "$TMP/err"
(unset CLAUDE_CODE_SESSION_ID; "$STATS" sessions --log "$D/log.jsonl" --session current > "$TMP/out" 2> "$TMP/err") && RC=0 || RC=$?
check "--session current without CLAUDE_CODE_SESSION_ID: exit 2" [ "$RC" = 2 ]
run sessions --log "$D/log.jsonl" --tool Bash
check "--tool: exit 2 (a session is all its calls)" sh -c '[ "$1" = 2 ] && grep -q "no --tool" "$2"' sh "$RC" "$TMP/err"
run sessions --log "$D/log.jsonl" --transcripts "$TMP/nowhere"
check "--transcripts that does not exist: exit 1, said once (no false out of memory)" \
  sh -c '[ "$1" = 1 ] && grep -q "cannot read transcripts" "$2" && [ "$(wc -l < "$2")" = 1 ]' sh "$RC" "$TMP/err"
run sessions --log "$D/log.jsonl" --pipeline ''
check "an empty --pipeline: exit 2" [ "$RC" = 2 ]
mkdir -p "$TMP/tx-bad"
printf 'not json\n{"type":"assistant","message":{"usage":{"input_tokens":-5}}}\n' > "$TMP/tx-bad/x.jsonl"
run sessions --log "$D/log.jsonl" --transcripts "$TMP/tx-bad" --json
check "malformed transcripts: exit 0, no cost" \
  sh -c '[ "$1" = 0 ] && python3 -c "import json,sys; sys.exit(any(s[\"cost\"] is not None for s in json.load(open(sys.argv[1]))[\"sessions\"]))" "$2"' sh "$RC" "$TMP/out"
run sessions --log "$TMP/missing.jsonl"
check "a --log that does not exist: exit 1" [ "$RC" = 1 ]
: > "$TMP/empty.jsonl"
run sessions --log "$TMP/empty.jsonl"
check "an empty log: exit 0, says so" sh -c '[ "$1" = 0 ] && grep -q "No sessions recorded yet" "$2"' sh "$RC" "$TMP/out"
printf '%s\n' '{"v":2,"event":"UserPromptSubmit","session_id":"h","prompt":{"x":1},"prompt_bytes":-1,"message_bytes":"x"}' \
  '{"v":2,"event":"Stop","session_id":"h","outcome":null}' '{"v":2,"event":"SubagentStop","session_id":"h"}' \
  '{"v":2,"event":"PostToolUse","session_id":"h","tool_name":"Bash","outcome":"success","params":{"command":42}}' \
  '{"v":2,"event":"PostToolUse","session_id":"h","tool_name":"Read","outcome":"failure","params":"x"}' > "$TMP/hostile.jsonl"
run sessions --log "$TMP/hostile.jsonl" --session h --json
check "hostile records (wrong types, no times): exit 0, counted" \
  sh -c '[ "$1" = 0 ] && python3 -c "import json,sys; t=json.load(open(sys.argv[1]))[\"totals\"]; sys.exit((t[\"requests\"], t[\"calls\"], t[\"failures\"]) != (1, 2, 1))" "$2"' sh "$RC" "$TMP/out"
# A session's model: SessionStart's, else its first call record that names one (format v3: Codex and
# Gemini CLI send it with each call), else the transcript's; a call's model never replaces SessionStart's.
printf '%s\n' '{"v":3,"timestamp":"2026-12-01T10:00:00.000Z","event":"PostToolUse","agent":"codex","session_id":"m1","tool_name":"Bash","outcome":"success","model":"gpt-5.5"}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:01.000Z","event":"PostToolUse","agent":"codex","session_id":"m1","tool_name":"Bash","outcome":"failure","model":"gpt-5.4"}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:00.000Z","event":"PostToolUse","agent":"codex","session_id":"m2","tool_name":"Bash","outcome":"success","model":"gpt-5.5"}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:01.000Z","event":"SessionStart","agent":"codex","session_id":"m2","source":"startup","model":"gpt-5.5-pro"}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:00.000Z","event":"PostToolUse","agent":"codex","session_id":"m3","tool_name":"Bash","outcome":"success"}' > "$TMP/models.jsonl"
mkdir -p "$TMP/nowhere-models"
run sessions --log "$TMP/models.jsonl" --transcripts "$TMP/nowhere-models" --json
check "a session's model from its first call record, SessionStart's first, unknown without either" \
  sh -c '[ "$1" = 0 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
m = {s[\"id\"]: s[\"model\"] for s in d[\"sessions\"]}
per = {x[\"model\"]: x[\"sessions\"] for x in d[\"models\"]}
sys.exit(not (m == {\"m1\": \"gpt-5.5\", \"m2\": \"gpt-5.5-pro\", \"m3\": None} and per == {\"gpt-5.5\": 1, \"gpt-5.5-pro\": 1, \"unknown\": 1}))
" "$2"' sh "$RC" "$TMP/out"
# A record with no outcome (null, absent, or a word the reader does not know) is not a call: the
# timeline, whose text prints each call's outcome, never gets an item without one.
printf '%s\n' \
  '{"v":3,"timestamp":"2026-12-01T10:00:00.000Z","event":"PostToolUse","session_id":"o1","tool_name":"Bash","outcome":null,"params":{"command":"ls"}}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:01.000Z","event":"PostToolUse","session_id":"o1","tool_name":"Bash","params":{"command":"ls"}}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:02.000Z","event":"PostToolUse","session_id":"o1","tool_name":"Bash","outcome":"weird","params":{"command":"ls"}}' \
  '{"v":3,"timestamp":"2026-12-01T10:00:03.000Z","event":"PostToolUse","session_id":"o1","tool_name":"Bash","outcome":"success","params":{"command":"pwd"}}' > "$TMP/outcomes.jsonl"
run sessions --log "$TMP/outcomes.jsonl" --session o1 --json
check "records without an outcome: not in the timeline, which holds the one call" \
  sh -c '[ "$1" = 0 ] && python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))[\"timeline\"]
sys.exit(not ([(x[\"kind\"], x[\"target\"], x[\"outcome\"]) for x in t] == [(\"call\", \"pwd\", \"success\")]))
" "$2"' sh "$RC" "$TMP/out"
run sessions --log "$TMP/outcomes.jsonl" --session o1 --color never
check "records without an outcome: the text timeline shows the one call, with its outcome" \
  sh -c '[ "$1" = 0 ] && [ "$(grep -c "Bash pwd  success" "$2")" = 1 ] && ! grep -q "(null)" "$2"' sh "$RC" "$TMP/out"
run sessions --help
check "--help: exit 0, names the rule's document" sh -c '[ "$1" = 0 ] && grep -q "docs/sessions.md" "$2"' sh "$RC" "$TMP/out"
tap_done
