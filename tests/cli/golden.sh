#!/bin/sh
# Golden test: every payload recorded from the real Claude Code 2.1.197 CLI goes through the hook,
# one process per payload as the agent runs it; the log must match the hand-checked expected log
# field by field, and none of the session's planted (fake) secrets may appear in it.
# usage: golden.sh HOOK JSONL_CHECK DATA_DIR
set -eu
HOOK=$1 CHECK=$2 DATA=$3
. "$(dirname "$0")/lib.sh"
setup_home

hook_each_payload "$DATA/claude-code-2.1.197-payloads.jsonl" "2.1.197 session"
"$CHECK" compare "$DATA/expected/claude-code-2.1.197.jsonl" "$LOG" > "$TMP/compare" || true
tap_merge < "$TMP/compare"
if command -v python3 > /dev/null 2>&1; then
  python3 "$(dirname "$0")/fp_crosscheck.py" "$DATA" "$LOG" > "$TMP/fp" || true
  tap_merge < "$TMP/fp"
else
  not_ok "params_fp cross-check needs python3 (scripts/test installs it)"
fi
for secret in Sup3rS3cretPassw0rd AKIAQWERTYUIOPASDFGH ghp_R4nd0mF4k3T0k3nV4lu3Abcdefghij0123456789; do
  check "planted secret ${secret%"${secret#????}"}… is not in the log" \
    sh -c '! grep -rqF "$1" "$2"' sh "$secret" "$HOME/.claude"
done
pending=$(find "$HOME/.claude/execution-telemetry.d/pending" -type f ! -name '.*' | wc -l)
check "every PreToolUse stamp was taken by its Post ($pending left)" [ "$pending" -eq 0 ]

# An agent without duration_ms: latency comes from the PreToolUse stamp.
export EXECUTION_TELEMETRY_NOW=2026-11-21T15:00:00.000Z
printf '%s\n' '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"make"},"tool_use_id":"toolu_pp"}' > "$TMP/pre"
run_hook "$TMP/pre"
export EXECUTION_TELEMETRY_NOW=2026-11-21T15:00:01.500Z
printf '%s\n' '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"make"},"tool_response":{},"tool_use_id":"toolu_pp"}' > "$TMP/post"
: > "$LOG"
run_hook "$TMP/post"
check "pre_post latency is the time between the hooks" \
  [ "$("$CHECK" get "$LOG" latency_ms)" = 1500 ]
check "latency_source is pre_post" [ "$("$CHECK" get "$LOG" latency_source)" = pre_post ]
tap_done
