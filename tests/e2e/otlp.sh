#!/bin/sh
# telemetry-stats export checked against the official OpenTelemetry message definitions: the
# generated protobuf root of @opentelemetry/otlp-transformer 0.214.0, installed from npm into a
# cache directory on first use. Every OTLP line (traces and logs) must survive fromObject, verify,
# encode and decode unchanged (otlp_check.mjs); the decoded traces are then checked against the log
# and the transcripts (traces_check.py): spans, parent links, names, attributes, chat spans.
# usage: otlp.sh STATS DATA_DIR CACHE_DIR
set -eu
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
STATS=$(abs "$1") DATA=$(abs "$2") CACHE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
CLI="$HERE/../cli"
. "$CLI/lib.sh"
setup_home
V=0.214.0
PKG="$CACHE/otlp-transformer-$V"
ROOT="$PKG/node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js"

if ! command -v npm > /dev/null 2>&1 || ! command -v python3 > /dev/null 2>&1; then
  not_ok "npm and python3 are needed (scripts/test installs them)"
  tap_done
  exit 1
fi
if [ ! -f "$ROOT" ]; then
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.install.XXXXXX")
  if npm install --prefix "$tmp" --no-audit --no-fund --save-exact \
    "@opentelemetry/otlp-transformer@$V" >&2; then
    rm -rf "$PKG"
    mv "$tmp" "$PKG"
  else
    rm -rf "$tmp"
  fi
fi
if ! check "@opentelemetry/otlp-transformer@$V ships its generated protobuf root" test -f "$ROOT"; then
  tap_done
  exit 1
fi
decode() { node "$HERE/otlp_check.mjs" decode "$ROOT" "$@"; }

# A session with a subagent, every outcome, an MCP tool, and transcripts for both agents: the
# recorded session's log and transcript, moved under $TMP, plus generated lines.
S=5e4de41f-ca4b-41ac-a2e9-08dca911f700
P="$TMP/projects/-home-user-project"
mkdir -p "$P/$S/subagents"
cp "$DATA/claude-code-2.1.197-transcript.jsonl" "$P/$S.jsonl"
sed "s|/home/user/.claude/projects/-home-user-project|$P|g" "$DATA/expected/claude-code-2.1.197.jsonl" \
  > "$TMP/log.jsonl"
python3 - "$TMP/log.jsonl" "$P/$S/subagents" "$S" "$P/$S.jsonl" << 'EOF'
import json, sys
log, sub, s, main = sys.argv[1:]
def rec(ts, tid, tool, outcome, lat, **kw):
    r = {"v": 1, "timestamp": ts, "event": "PostToolUse" if outcome == "success" else "PostToolUseFailure",
         "agent": "claude-code", "session_id": s, "prompt_id": None, "tool_use_id": tid, "tool_name": tool,
         "outcome": outcome, "error": None, "exit_code": None, "latency_ms": lat,
         "latency_source": "duration_ms", "params": {"pattern": "x"}, "params_fp": None,
         "response_bytes": 1, "redactions": 0, "truncations": 0, "cwd": "/home/user/project",
         "transcript_path": main, "permission_mode": "default", "agent_id": None, "agent_type": None}
    r.update(kw)
    return json.dumps(r) + "\n"
with open(log, "a") as f:
    f.write(rec("2026-11-21T14:01:00.250Z", "toolu_sub_1", "Grep", "success", 40.5,
                agent_id="a7f3", agent_type="Explore"))
    f.write(rec("2026-11-21T14:01:01.000Z", "toolu_sub_2", "Read", "failure", 2,
                agent_id="a7f3", agent_type="Explore", error="File does not exist."))
    f.write(rec("2026-11-21T14:01:02.000Z", "toolu_sub_3", "Bash", "interrupted", None,
                agent_id="b001", agent_type=None, error="interrupted by the user"))
    f.write(rec("2026-11-21T14:01:03.000Z", "toolu_mcp_1", "mcp__github__get_issue", "success", 800))
def usage(mid, req, ts, i, o, agent):
    return json.dumps({"isSidechain": True, "agentId": agent, "sessionId": s, "requestId": req,
        "timestamp": ts, "type": "assistant", "cwd": "/home/user/project",
        "message": {"id": mid, "model": "claude-haiku-4-5", "role": "assistant", "content": [],
                    "usage": {"input_tokens": i, "output_tokens": o, "cache_read_input_tokens": 7,
                              "cache_creation_input_tokens": 0}}}) + "\n"
with open(sub + "/agent-a7f3.jsonl", "w") as f:
    f.write(usage("msg_sub_1", "req_sub_1", "2026-11-21T14:01:00.100Z", 300, 20, "a7f3"))
    f.write(usage("msg_sub_1", "req_sub_1", "2026-11-21T14:01:00.100Z", 300, 25, "a7f3"))  # the same response, complete
    f.write(usage("msg_sub_2", "req_sub_2", "2026-11-21T14:01:00.900Z", 310, 30, "a7f3"))
with open(sub + "/agent-a7f3.meta.json", "w") as f:
    f.write('{"agentType":"Explore"}')
EOF

# ---- traces, without and with --include-params ----
"$STATS" export --format otlp-traces --log "$TMP/log.jsonl" --batch 7 > "$TMP/t.otlp" 2> "$TMP/err"
check "otlp-traces: several requests (--batch 7)" [ "$(wc -l < "$TMP/t.otlp")" -gt 2 ]
if check "otlp-traces: every request survives the official ExportTraceServiceRequest" \
  sh -c 'node "$1" decode "$2" traces "$3" > "$4" 2> "$5"' sh "$HERE/otlp_check.mjs" "$ROOT" \
  "$TMP/t.otlp" "$TMP/t.decoded" "$TMP/t.why"; then
  python3 "$HERE/traces_check.py" "$TMP/t.decoded" "$TMP/log.jsonl" - "$P/$S.jsonl" \
    "$P/$S/subagents/agent-a7f3.jsonl" > "$TMP/tap" || true
  tap_merge < "$TMP/tap"
else
  sed 's/^/# /' "$TMP/t.why" | head -20
fi
"$STATS" export --format otlp-traces --log "$TMP/log.jsonl" --batch 7 > "$TMP/t2.otlp" 2> /dev/null
check "exporting twice gives the same spans, ids included" cmp -s "$TMP/t.otlp" "$TMP/t2.otlp"
check "the subagent's invoke_agent span is named for its type" grep -q '"name":"invoke_agent Explore"' \
  "$TMP/t.decoded"
check "a failure's error.type is its error class (file_not_found)" \
  grep -q '{"key":"error.type","value":{"stringValue":"file_not_found"}}' "$TMP/t.decoded"

"$STATS" export --format otlp-traces --log "$TMP/log.jsonl" --include-params > "$TMP/p.otlp" 2> /dev/null
if check "--include-params: every request survives the official definitions" \
  sh -c 'node "$1" decode "$2" traces "$3" > "$4"' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/p.otlp" \
  "$TMP/p.decoded"; then
  python3 "$HERE/traces_check.py" "$TMP/p.decoded" "$TMP/log.jsonl" params "$P/$S.jsonl" \
    "$P/$S/subagents/agent-a7f3.jsonl" | sed 's/^\(\(not \)\{0,1\}ok - \)/\1--include-params: /' \
    > "$TMP/tap" || true
  tap_merge < "$TMP/tap"
fi

# Without the transcripts: the calls and agents alone.
rm -rf "$TMP/projects.gone"
mv "$TMP/projects" "$TMP/projects.gone"
"$STATS" export --format otlp-traces --log "$TMP/log.jsonl" > "$TMP/n.otlp" 2> /dev/null
decode traces "$TMP/n.otlp" > "$TMP/n.decoded"
python3 "$HERE/traces_check.py" "$TMP/n.decoded" "$TMP/log.jsonl" - |
  sed 's/^\(\(not \)\{0,1\}ok - \)/\1no transcripts: /' > "$TMP/tap" || true
tap_merge < "$TMP/tap"
mv "$TMP/projects.gone" "$TMP/projects"

# The analyzer's fixtures: two agents (resources), sessions without subagents.
for log in "$DATA/stats/fixture.jsonl" "$DATA/stats/old-format.jsonl"; do
  name=$(basename "$log")
  "$STATS" export --format otlp-traces --log "$log" --batch 3 > "$TMP/f.otlp" 2> /dev/null
  if check "$name: every traces request survives the official definitions" \
    sh -c 'node "$1" decode "$2" traces "$3" > "$4"' sh "$HERE/otlp_check.mjs" "$ROOT" \
    "$TMP/f.otlp" "$TMP/f.decoded"; then
    python3 "$HERE/traces_check.py" "$TMP/f.decoded" "$log" - |
      sed "s/^\(\(not \)\{0,1\}ok - \)/\1$name: /" > "$TMP/tap" || true
    tap_merge < "$TMP/tap"
  fi
done

# ---- logs: the existing format against the same definitions ----
for log in "$TMP/log.jsonl" "$DATA/stats/fixture.jsonl" "$DATA/stats/old-format.jsonl"; do
  "$STATS" export --format otlp-json --log "$log" --batch 5 > "$TMP/l.otlp" 2> /dev/null
  check "otlp-json $(basename "$log"): every request survives the official ExportLogsServiceRequest" \
    sh -c 'node "$1" decode "$2" logs "$3" > /dev/null' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/l.otlp"
done

# ---- push: --endpoint, against a receiver on 127.0.0.1 built on the same definitions ----
SRV_PID=""
stop_receiver() {
  if [ -n "$SRV_PID" ]; then
    kill "$SRV_PID" 2> /dev/null || true
    wait "$SRV_PID" 2> /dev/null || true
    SRV_PID=""
  fi
}
trap 'stop_receiver; rm -rf "$TMP"' EXIT
# receiver NAME SCRIPT: a new receiver in $TMP/NAME answering SCRIPT (otlp_check.mjs serve); sets URL.
receiver() {
  stop_receiver
  R=$TMP/$1
  mkdir -p "$R"
  node "$HERE/otlp_check.mjs" serve "$ROOT" "$R" "$2" 2> "$R/stderr" &
  SRV_PID=$!
  while [ ! -s "$R/port" ] && kill -0 "$SRV_PID" 2> /dev/null; do sleep 0.1; done
  URL="http://127.0.0.1:$(cat "$R/port" 2> /dev/null)"
}
push() { # push ARGS...: runs export --endpoint, status in RC, stderr in $TMP/push.err
  set +e
  "$STATS" export "$@" > "$TMP/push.out" 2> "$TMP/push.err"
  RC=$?
  set -e
}
count() { if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }
# The span ids of decoded requests (FILE...), one a line, sorted.
span_ids() { cat "$@" | python3 -c '
import json, sys
for l in sys.stdin:
    for rs in json.loads(l)["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]: print(s["spanId"])' | sort; }
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    for rs in json.loads(l)["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]: print(s["spanId"])' "$TMP/t.decoded" | sort > "$TMP/all.ids"

receiver r1 200
push --format otlp-traces --log "$TMP/log.jsonl" --batch 5 --endpoint "$URL" \
  --header "Authorization=Bearer test-token-0000" --header "X-Scope-OrgID=team-a" --state "$TMP/traces.state"
check "push: exit 0, said on stderr" sh -c '[ "$1" = 0 ] && grep -q "spans in .* requests sent to http://127.0.0.1:.*/v1/traces" "$2"' \
  sh "$RC" "$TMP/push.err"
check "push: every request was POST /v1/traces, gzip, decoded by the official definitions (none refused)" \
  python3 -c 'import json,sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert reqs and all(r["path"] == "/v1/traces" and r["status"] == 200 and "invalid" not in r and
  r["headers"].get("content-encoding") == "gzip" for r in reqs), reqs' "$R/requests.jsonl"
check "push: --batch 5 makes requests of at most 5 spans ($(count "$R/traces.jsonl") requests)" \
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
  n = sum(len(ss["spans"]) for rs in json.loads(l)["resourceSpans"] for ss in rs["scopeSpans"])
  assert 1 <= n <= 5, n' "$R/traces.jsonl"
check "push: --header reaches the server (authorization, x-scope-orgid)" \
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
  h = json.loads(l)["headers"]
  assert h["authorization"] == "Bearer test-token-0000" and h["x-scope-orgid"] == "team-a", h' "$R/requests.jsonl"
python3 "$HERE/traces_check.py" "$R/traces.jsonl" "$TMP/log.jsonl" - "$P/$S.jsonl" \
  "$P/$S/subagents/agent-a7f3.jsonl" | sed 's/^\(\(not \)\{0,1\}ok - \)/\1pushed: /' > "$TMP/tap" || true
tap_merge < "$TMP/tap"
span_ids "$R/traces.jsonl" > "$TMP/sent1.ids"
check "push: the spans received are the spans exported, each once" cmp -s "$TMP/sent1.ids" "$TMP/all.ids"
check "push: the state file is where --state says, mode 0600" \
  sh -c '[ "$(stat -c %a "$1")" = 600 ] && head -1 "$1" | grep -q "^execution-telemetry push state 1$"' sh "$TMP/traces.state"

# The remembered position: nothing new, nothing sent; then appended calls alone.
n1=$(count "$R/requests.jsonl")
push --format otlp-traces --log "$TMP/log.jsonl" --batch 5 --endpoint "$URL" --state "$TMP/traces.state"
check "second push: exit 0, 'nothing new', no request" \
  sh -c '[ "$1" = 0 ] && grep -q "nothing new to send" "$2" && [ "$3" = "$4" ]' sh "$RC" \
  "$TMP/push.err" "$n1" "$(count "$R/requests.jsonl")"
cp "$TMP/log.jsonl" "$TMP/log-before.jsonl"
python3 - "$TMP/log.jsonl" << 'EOF2'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
last = [r for r in lines if r.get("outcome")][-1]
with open(sys.argv[1], "a") as f:
    for i, (tool, agent) in enumerate([("Bash", None), ("Read", "c42")]):
        r = dict(last, timestamp="2026-11-21T14:05:0%d.000Z" % i, tool_use_id="toolu_late_%d" % i,
                 tool_name=tool, outcome="success", error=None, latency_ms=5, agent_id=agent,
                 agent_type="Plan" if agent else None, event="PostToolUse")
        f.write(json.dumps(r) + "\n")
EOF2
push --format otlp-traces --log "$TMP/log.jsonl" --batch 5 --endpoint "$URL" --state "$TMP/traces.state"
tail -n +$((n1 + 1)) "$R/traces.jsonl" > "$TMP/late.decoded"
check "appended calls: exit 0, sent: their 2 spans and the new subagent's, nothing else" \
  sh -c '[ "$1" = 0 ] && [ "$(grep -o "\"name\":\"\(execute_tool\|invoke_agent\|chat\)[^\"]*\"" "$2" | sort | tr "\n" " ")" = "\"name\":\"execute_tool Bash\" \"name\":\"execute_tool Read\" \"name\":\"invoke_agent Plan\" " ]' \
  sh "$RC" "$TMP/late.decoded"
"$STATS" export --format otlp-traces --log "$TMP/log.jsonl" > "$TMP/all2.otlp" 2> /dev/null
decode traces "$TMP/all2.otlp" > "$TMP/all2.decoded"
span_ids "$R/traces.jsonl" > "$TMP/sent.ids"
check "all pushes together: every span of the whole log once (the session's as first sent)" \
  sh -c '[ -z "$(uniq -d "$1")" ] && [ "$(wc -l < "$1")" = "$(wc -l < "$2")" ] &&
    [ -z "$(comm -3 "$1" "$2")" ]' sh "$TMP/sent.ids" "$(span_ids "$TMP/all2.decoded" > "$TMP/all2.ids"; echo "$TMP/all2.ids")"
stop_receiver

# Retry: a 503 with Retry-After: 1, then 200: sent once, after the wait.
receiver r2 503/1,200
push --format otlp-traces --log "$TMP/log-before.jsonl" --endpoint "$URL" --state "$TMP/retry.state"
check "503 then 200: exit 0, two tries, the request accepted once" \
  sh -c '[ "$1" = 0 ] && [ "$(cut -c1-400 "$2" | grep -o "\"status\":[0-9]*" | tr "\n" " ")" = "\"status\":503 \"status\":200 " ] && [ "$(wc -l < "$3")" = 1 ]' \
  sh "$RC" "$R/requests.jsonl" "$R/traces.jsonl"
check "503 then 200: the spans received are the spans exported, not duplicated" \
  sh -c 'cmp -s "$1" "$2"' sh "$(span_ids "$R/traces.jsonl" > "$TMP/r2.ids"; echo "$TMP/r2.ids")" "$TMP/all.ids"
check "503 with Retry-After: 1: the retry came at least a second later" \
  python3 -c 'import json,sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
assert t[1] - t[0] >= 1000, t' "$R/requests.jsonl"
stop_receiver

# 400: a clear error, exit 1, nothing remembered.
receiver r3 400
push --format otlp-traces --log "$TMP/log-before.jsonl" --endpoint "$URL" --state "$TMP/bad.state"
check "400: exit 1, one try, the status and the answer on stderr" \
  sh -c '[ "$1" = 1 ] && grep -q "/v1/traces answered HTTP 400: .*scripted 400" "$2" && [ "$(wc -l < "$3")" = 1 ]' \
  sh "$RC" "$TMP/push.err" "$R/requests.jsonl"
stop_receiver
receiver r4 200
push --format otlp-traces --log "$TMP/log-before.jsonl" --endpoint "$URL" --state "$TMP/bad.state"
check "after a 400, the next push sends everything" \
  sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' sh "$RC" "$(span_ids "$R/traces.jsonl" > "$TMP/r4.ids"; echo "$TMP/r4.ids")" "$TMP/all.ids"
stop_receiver

# A failure half-way: the requests accepted before it are remembered, the rest is sent next time.
receiver r5 200,200,400
push --format otlp-traces --log "$TMP/log-before.jsonl" --batch 4 --endpoint "$URL" --state "$TMP/half.state"
check "200, 200, then 400: exit 1, 2 requests accepted" \
  sh -c '[ "$1" = 1 ] && grep -q "2 requests were accepted before it" "$2"' sh "$RC" "$TMP/push.err"
span_ids "$R/traces.jsonl" > "$TMP/half1.ids"
stop_receiver
receiver r6 200
push --format otlp-traces --log "$TMP/log-before.jsonl" --batch 4 --endpoint "$URL" --state "$TMP/half.state"
span_ids "$R/traces.jsonl" > "$TMP/half2.ids"
check "the next push sends the rest: together every span once" \
  sh -c '[ "$1" = 0 ] && [ -s "$2" ] && [ -s "$3" ] && sort "$2" "$3" | cmp -s - "$4"' sh "$RC" \
  "$TMP/half1.ids" "$TMP/half2.ids" "$TMP/all.ids"
stop_receiver

# Logs: /v1/logs, the same definitions, the same remembered position.
receiver r7 200
push --format otlp-json --log "$TMP/log-before.jsonl" --batch 6 --endpoint "$URL/" --state "$TMP/logs.state"
calls=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.strip() and json.loads(l).get("outcome")))' "$TMP/log-before.jsonl")
check "logs push: exit 0, POST /v1/logs, $calls log records decoded by the official definitions" \
  python3 -c 'import json,sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert reqs and all(r["path"] == "/v1/logs" and r["status"] == 200 for r in reqs), reqs
n = sum(len(sl["logRecords"]) for l in open(sys.argv[2]) for rl in json.loads(l)["resourceLogs"] for sl in rl["scopeLogs"])
assert n == int(sys.argv[3]), n' "$R/requests.jsonl" "$R/logs.jsonl" "$calls"
n1=$(count "$R/requests.jsonl")
push --format otlp-json --log "$TMP/log.jsonl" --batch 6 --endpoint "$URL" --state "$TMP/logs.state"
check "logs push again, 2 calls appended: only those 2 sent" \
  python3 -c 'import json,sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
n = sum(len(sl["logRecords"]) for l in lines for rl in json.loads(l)["resourceLogs"] for sl in rl["scopeLogs"])
assert n == 2, n' "$R/logs.jsonl" "$n1"
stop_receiver

# Arguments.
push --format csv --endpoint http://127.0.0.1:9 --log "$TMP/log.jsonl"
check "--endpoint with csv: exit 2" [ "$RC" = 2 ]
push --endpoint ftp://x --log "$TMP/log.jsonl"
check "--endpoint that is not http(s): exit 2" [ "$RC" = 2 ]
push --header "Bad Name=x" --endpoint http://127.0.0.1:9 --log "$TMP/log.jsonl"
check "--header with a blank in its name: exit 2" [ "$RC" = 2 ]
push --header "A=b" --log "$TMP/log.jsonl"
check "--header without --endpoint: exit 2" [ "$RC" = 2 ]
echo "not a state" > "$TMP/junk.state"
push --endpoint http://127.0.0.1:9 --state "$TMP/junk.state" --log "$TMP/log.jsonl"
check "a --state file that is not one: exit 1, said" sh -c '[ "$1" = 1 ] && grep -q "not a push state file" "$2"' \
  sh "$RC" "$TMP/push.err"

# The checker itself: a field the definitions do not have, or an id that is not hex, is refused.
sed 's/"kind":1,/"kind":1,"colour":"red",/' "$TMP/t.otlp" > "$TMP/bad.otlp"
check "the check refuses a field the definitions do not know" \
  sh -c '! node "$1" decode "$2" traces "$3" > /dev/null 2>&1' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/bad.otlp"
sed 's/"intValue":"\([0-9]*\)"/"intValue":"x\1"/' "$TMP/t.otlp" > "$TMP/bad.otlp"
check "the check refuses an int64 that is not a number" \
  sh -c '! node "$1" decode "$2" traces "$3" > /dev/null 2>&1' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/bad.otlp"

tap_done
