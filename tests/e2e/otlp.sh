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

# The checker itself: a field the definitions do not have, or an id that is not hex, is refused.
sed 's/"kind":1,/"kind":1,"colour":"red",/' "$TMP/t.otlp" > "$TMP/bad.otlp"
check "the check refuses a field the definitions do not know" \
  sh -c '! node "$1" decode "$2" traces "$3" > /dev/null 2>&1' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/bad.otlp"
sed 's/"intValue":"\([0-9]*\)"/"intValue":"x\1"/' "$TMP/t.otlp" > "$TMP/bad.otlp"
check "the check refuses an int64 that is not a number" \
  sh -c '! node "$1" decode "$2" traces "$3" > /dev/null 2>&1' sh "$HERE/otlp_check.mjs" "$ROOT" "$TMP/bad.otlp"

tap_done
