#!/bin/sh
# telemetry-stats statusline: the line for a session against `stats --json` on the same log, the
# default log with its rotated files, the time and byte bounds, tokens and cost from the transcript
# and from the JSON, and hostile stdin (not JSON, huge, binary, missing fields, a FIFO or a device
# as transcript, control bytes in a tool name): a short line or nothing, exit 0, nothing on stderr.
# usage: statusline.sh STATS DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
setup_stats "$1" "$2"
FIX="$DATA/stats/fixture.jsonl"
TX="$DATA/claude-code-2.1.197-transcript.jsonl"
TXID=5e4de41f-ca4b-41ac-a2e9-08dca911f700

# sl INPUT_FILE [ARGS...]: runs statusline on INPUT_FILE; sets RC, OUT (stdout), ERR (stderr).
sl() {
  input=$1
  shift
  set +e
  "$STATS" statusline "$@" < "$input" > "$TMP/out" 2> "$TMP/err"
  RC=$?
  set -e
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}
# is DESC WANT: the last run exited 0, printed WANT (one line) and nothing on stderr.
is() {
  lines=$(wc -l < "$TMP/out")
  if [ "$RC" -eq 0 ] && [ "$OUT" = "$2" ] && [ -z "$ERR" ] && { [ -z "$2" ] || [ "$lines" -eq 1 ]; }; then
    ok "$1"
  else
    not_ok "$1"
    echo "#   rc=$RC lines=$lines out='$OUT' err='$ERR' want='$2'"
  fi
}
json() { printf '%s\n' "$1" > "$TMP/in.json"; }
jget() { python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/stats.json" "$1"; }

# --- the counts agree with stats --json -----------------------------------------------------
for s in sA sB; do
  "$STATS" stats --log "$FIX" --session "$s" --json > "$TMP/stats.json"
  calls=$(jget total_calls)
  failed=$(($(jget failures) + $(jget interrupted)))
  slow=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]))["slow_calls"][0]
ms=d["latency_ms"]; print(d["tool"], "%.1fs" % (ms / 1000) if ms >= 1000 else "%dms" % ms)' "$TMP/stats.json")
  json "{\"session_id\":\"$s\"}"
  sl "$TMP/in.json" --log "$FIX"
  is "session $s: the counts of stats --json" "$calls tool calls, $failed failed | slowest $slow"
done
json '{"session_id":"nobody"}'
sl "$TMP/in.json" --log "$FIX"
is "a session with no record" "no tool calls yet"

# --- the default log and its rotated file -----------------------------------------------------
head -n 15 "$FIX" > "$LOG.1"
tail -n +16 "$FIX" > "$LOG"
json '{"session_id":"sA"}'
sl "$TMP/in.json"
is "the default log and its rotated file" "11 tool calls, 5 failed | slowest Bash 2.0s"
EXECUTION_TELEMETRY_LOG="$TMP/nolog.jsonl" sl "$TMP/in.json"
is "no log yet" "no tool calls yet"

# --- the bounds --------------------------------------------------------------------------------
sl "$TMP/in.json" --log "$FIX" --max-log-bytes 6K
case $OUT in
  [0-9]+\ tool\ calls*|[0-9]\+*) ok "a byte bound: '+' says the count is partial ($OUT)" ;;
  *) not_ok "a byte bound: '+' says the count is partial ($OUT)" ;;
esac
# The fixture's sA records are from 2026-11-20; "now" is 2026-11-21T14:00Z (setup_home). A session
# that began 10 minutes ago has none of them, and the reading stops at the first chunk.
json '{"session_id":"sA","cost":{"total_duration_ms":600000}}'
sl "$TMP/in.json" --log "$FIX"
is "the session's start bounds the reading" "no tool calls yet"
json '{"session_id":"sA","cost":{"total_duration_ms":172800000}}'
sl "$TMP/in.json" --log "$FIX"
is "a session two days long sees them" "11 tool calls, 5 failed | slowest Bash 2.0s"

# --- tokens and cost -------------------------------------------------------------------------
json "{\"session_id\":\"$TXID\",\"transcript_path\":\"$TX\",\"cost\":{\"total_cost_usd\":9.99},\"context_window\":{\"total_input_tokens\":5,\"total_output_tokens\":5}}"
sl "$TMP/in.json" --log "$FIX"
# cost.sh works the recorded transcript out by hand: 72,545 tokens, $0.07755.
is "tokens and cost from the transcript" "no tool calls yet | 72.5k tokens | \$0.08"
sl "$TMP/in.json" --log "$FIX" --no-cost
is "--no-cost: from the JSON" "no tool calls yet | 10 tokens | \$9.99"
sl "$TMP/in.json" --log "$FIX" --max-transcript-bytes 10K
is "a transcript over the bound: from the JSON" "no tool calls yet | 10 tokens | \$9.99"
mkfifo "$TMP/fifo"
json "{\"session_id\":\"$TXID\",\"transcript_path\":\"$TMP/fifo\"}"
sl "$TMP/in.json" --log "$FIX"
is "a FIFO as transcript is not waited for" "no tool calls yet"
json "{\"session_id\":\"$TXID\",\"transcript_path\":\"/dev/zero\"}"
sl "$TMP/in.json" --log "$FIX"
is "a device as transcript is not read" "no tool calls yet"

# --- hostile stdin ---------------------------------------------------------------------------
printf 'not json at all\n' > "$TMP/in"
sl "$TMP/in" --log "$FIX"
is "not JSON: nothing" ""
: > "$TMP/in"
sl "$TMP/in" --log "$FIX"
is "empty stdin: nothing" ""
sl /dev/null --log "$FIX"
is "stdin /dev/null: nothing" ""
head -c 100000 /dev/urandom > "$TMP/in"
sl "$TMP/in" --log "$FIX"
is "binary: nothing" ""
json '{"model":{"id":"x"},"cost":{"total_cost_usd":1}}'
sl "$TMP/in.json" --log "$FIX"
is "no session_id: nothing" ""
json '{"session_id":["sA"]}'
sl "$TMP/in.json" --log "$FIX"
is "session_id not a string: nothing" ""
json '{"session_id":"sA\u001b]0;pwned\u0007"}'
sl "$TMP/in.json" --log "$FIX"
is "an escape sequence in session_id: nothing" ""
json '{"session_id":"sA","cost":"lots","context_window":null,"transcript_path":7}'
sl "$TMP/in.json" --log "$FIX"
is "fields of the wrong type are left out" "11 tool calls, 5 failed | slowest Bash 2.0s"
python3 -c 'import sys; sys.stdout.write("{\"session_id\":\"sA\",\"pad\":\"" + "x" * 3000000 + "\"}")' > "$TMP/in"
sl "$TMP/in" --log "$FIX"
is "3 MB of stdin: nothing" ""
python3 -c 'import sys; sys.stdout.write("[" * 100000)' > "$TMP/in"
sl "$TMP/in" --log "$FIX"
is "deep nesting: nothing" ""
json '{"session_id":"sA"} trailing'
sl "$TMP/in.json" --log "$FIX"
is "trailing garbage: nothing" ""

# A tool name with control bytes in the log never reaches the terminal.
printf '%s\n' '{"v":1,"timestamp":"2026-11-21T13:59:00.000Z","event":"PostToolUse","session_id":"sX","tool_use_id":"x1","tool_name":"Ev\u001b[2Jil\nname","outcome":"success","latency_ms":4200}' > "$TMP/evil.jsonl"
json '{"session_id":"sX"}'
sl "$TMP/in.json" --log "$TMP/evil.jsonl"
is "control bytes in a tool name are dropped" "1 tool call, 0 failed | slowest Ev[2Jilname 4.2s"
sl "$TMP/in.json" --log "$TMP/fifo"
is "a FIFO as log: no wait, no calls" "no tool calls yet"

# --- arguments -------------------------------------------------------------------------------
sl /dev/null --help
check "--help prints the statusLine setting" grep -q '"statusLine"' "$TMP/out"
sl /dev/null --bogus
check "an unknown option: exit 2" [ "$RC" -eq 2 ]
sl /dev/null --max-log-bytes lots
check "a bad size: exit 2" [ "$RC" -eq 2 ]

tap_done
