#!/bin/sh
# telemetry-stats on one log of three agents: the recorded Claude Code, Gemini CLI and Codex
# sessions (tests/data) through the hook, then --agent, the stats' per-agent table and the
# sessions' agent field keep them apart.
# usage: agents_stats.sh STATS HOOK JSONL_CHECK DATA_DIR
set -eu
STATS=$1 HOOK=$2 CHECK=$3 DATA=$4
. "$(dirname "$0")/lib.sh"
setup_home
A=$DATA/agents

for f in "$DATA/claude-code-2.1.197-payloads.jsonl" "$A/gemini-cli-0.61.0-payloads.jsonl" \
  "$A/codex-0.171.0-payloads.jsonl"; do
  while IFS= read -r line; do
    printf '%s\n' "$line" | "$HOOK"
  done < "$f"
done
# calls AGENT: the call records of AGENT in the log.
calls() { grep "\"agent\":\"$1\"" "$LOG" | grep -vc '"outcome":null' || true; }
CL=$(calls claude-code) GE=$(calls gemini-cli) CO=$(calls codex)
check "the log holds calls of the three agents (gemini 6, codex 5)" \
  sh -c '[ "$1" -gt 0 ] && [ "$2" = 6 ] && [ "$3" = 5 ]' sh "$CL" "$GE" "$CO"

# total NAME ARGS...: stats --json's total_calls with --agent NAME.
total() {
  name=$1
  shift
  "$STATS" stats --json --log "$LOG" --agent "$name" "$@" > "$TMP/out" && "$CHECK" get "$TMP/out" total_calls
}
check "stats --agent claude-code: its $CL calls" [ "$(total claude-code)" = "$CL" ]
check "stats --agent gemini-cli: its 6 calls" [ "$(total gemini-cli)" = 6 ]
check "stats --agent gemini (the hook's name): the same" [ "$(total gemini)" = 6 ]
check "stats --agent codex: its 5 calls" [ "$(total codex)" = 5 ]
check "stats --agent cursor: none" [ "$(total cursor)" = 0 ]
check "stats --agent gemini-cli --tool run_shell_command: 3 calls" \
  [ "$(total gemini-cli --tool run_shell_command)" = 3 ]
set +e
"$STATS" stats --log "$LOG" --agent nosuch > /dev/null 2> "$TMP/err"
RC=$?
set -e
check "stats --agent nosuch: usage error naming the agents" \
  sh -c '[ "$1" = 2 ] && grep -q "claude-code, gemini-cli, codex or cursor" "$2"' sh "$RC" "$TMP/err"

"$STATS" stats --log "$LOG" --color never > "$TMP/text"
check "stats: a Per agent table with an agent column, one row per agent" \
  sh -c 'grep -q "^Per agent" "$1" && grep -q "^agent  *calls  *fail  *intr  *success" "$1" &&
    grep -q "^claude-code  *$2 " "$1" && grep -q "^gemini-cli  *6  *2 " "$1" && grep -q "^codex  *5  *0 " "$1"' \
  sh "$TMP/text" "$CL"
"$STATS" stats --json --log "$LOG" > "$TMP/json"
check "stats --json: agents, calls descending, with their counts" \
  grep -q "\"agents\":\[{\"agent\":\"claude-code\",\"calls\":$CL,.*{\"agent\":\"gemini-cli\",\"calls\":6,\"successes\":4,\"failures\":2,.*{\"agent\":\"codex\",\"calls\":5,\"successes\":5,\"failures\":0" "$TMP/json"
"$STATS" stats --json --log "$LOG" --agent codex > "$TMP/json"
check "stats --json of one agent: no agents list" sh -c '! grep -q "\"agents\"" "$1"' sh "$TMP/json"
"$STATS" stats --log "$LOG" --agent codex --color never > "$TMP/text"
check "stats of one agent: no Per agent table" sh -c '! grep -q "^Per agent" "$1"' sh "$TMP/text"

"$STATS" sessions --json --log "$LOG" > "$TMP/json"
check "sessions --json: each session names its agent" \
  sh -c 'grep -q "\"id\":\"5e4de41f-ca4b-41ac-a2e9-08dca911f700\",\"project\":[^,]*,\"agent\":\"claude-code\"" "$1" &&
    grep -q "\"id\":\"177794a4-9eef-43ec-a18d-576e57c15166\",\"project\":[^,]*,\"agent\":\"gemini-cli\"" "$1" &&
    grep -q "\"id\":\"01a2344e-379e-7112-96aa-e71201e81a3d\",\"project\":[^,]*,\"agent\":\"codex\"" "$1"' sh "$TMP/json"
"$STATS" sessions --json --log "$LOG" --agent gemini-cli > "$TMP/json"
check "sessions --agent gemini-cli: its session alone" \
  sh -c '[ "$(grep -o "\"agent\":\"[a-z-]*\"" "$1" | sort -u)" = "\"agent\":\"gemini-cli\"" ]' sh "$TMP/json"
"$STATS" sessions --log "$LOG" --color never > "$TMP/text"
check "sessions: an agent column after the session, each session's agent in it" \
  sh -c 'grep -q "^session  *agent  *start" "$1" && grep -q "^5e4de41f[^ ]*  *claude-code " "$1" &&
    grep -q "^177794a4[^ ]*  *gemini-cli " "$1" && grep -q "^01a2344e[^ ]*  *codex " "$1"' sh "$TMP/text"
"$STATS" sessions --log "$LOG" --agent codex --color never > "$TMP/text"
check "sessions of one agent: no agent column" \
  sh -c 'grep -q "^session  *start" "$1" && ! grep -q "^session  *agent" "$1"' sh "$TMP/text"
# export and report take --agent like the reports, and their --help says so.
"$STATS" export --format csv --log "$LOG" --agent codex > "$TMP/csv"
check "export --agent codex: the header and its 5 calls, all codex's" \
  sh -c '[ "$(wc -l < "$1")" = 6 ] && [ "$(tail -n +2 "$1" | cut -d, -f3 | sort -u)" = codex ]' sh "$TMP/csv"
"$STATS" report --html "$TMP/codex.html" --log "$LOG" --agent codex
check "report --agent codex: its session, not gemini-cli's" \
  sh -c 'grep -q 01a2344e-379e-7112-96aa-e71201e81a3d "$1" && ! grep -q 177794a4-9eef-43ec-a18d-576e57c15166 "$1"' \
  sh "$TMP/codex.html"
for cmd in export report; do
  "$STATS" $cmd --help > "$TMP/help"
  check "$cmd --help lists --agent" grep -q "^  --agent NAME  *one agent: claude-code, gemini-cli, codex or cursor" "$TMP/help"
done
tap_done
