#!/bin/sh
# Other agents, one log: Gemini CLI, Codex and Cursor payloads (fixtures written from each agent's
# documented format, tests/data/agents) map into the same record, told apart by the payload alone
# or by --agent; their Before/Pre events give pre_post latency.
# usage: agents.sh HOOK JSONL_CHECK DATA_DIR
set -eu
HOOK=$1 CHECK=$2 DATA=$3
. "$(dirname "$0")/lib.sh"
setup_home
A=$DATA/agents

# dry NAME [ARGS...]: the record(s) the hook would write for fixture NAME, in $TMP/rec.
dry() {
  name=$1
  shift
  "$HOOK" --dry-run "$@" < "$A/$name.json" > "$TMP/rec"
}
is() { [ "$("$CHECK" get "$TMP/rec" "$1")" = "$2" ]; }

dry gemini-after-exit
check "gemini: told apart by its AfterTool event" is agent gemini-cli
check "gemini: a non-zero 'Exit Code: 1' is a failure" is outcome failure
check "gemini: exit_code 1 from the text" is exit_code 1
check "gemini: error from returnDisplay" is error "Command exited with code: 1"
check "gemini: tool and session" sh -c '[ "$("$1" get "$2" tool_name)/$("$1" get "$2" session_id)" = run_shell_command/g-session-1 ]' sh "$CHECK" "$TMP/rec"
dry gemini-after-error
check "gemini: tool_response.error is a failure with its message" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && [ "$("$1" get "$2" error)" = "File not found: /repo/missing.txt" ]' sh "$CHECK" "$TMP/rec"
dry gemini-after-ok
check "gemini: an MCP call without error is a success" is outcome success
dry gemini-before
check "gemini: BeforeTool writes no record" [ ! -s "$TMP/rec" ]

dry codex-post-exit
check "codex: told apart by turn_id" is agent codex
check "codex: turn_id becomes prompt_id" is prompt_id turn-3
check "codex: output starting 'Exit code: 101' is a failure" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && [ "$("$1" get "$2" exit_code)" = 101 ]' sh "$CHECK" "$TMP/rec"
dry codex-mcp-error
check "codex: an MCP result with isError is a failure with its text" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && [ "$("$1" get "$2" error)" = "GitHub API rate limit exceeded" ]' sh "$CHECK" "$TMP/rec"
dry codex-post-ok
check "codex: other output is a success" is outcome success

dry cursor-shell
check "cursor: told apart by conversation_id / camelCase events" is agent cursor
check "cursor: conversation_id is the session" is session_id cursor-conv-1
check "cursor: afterShellExecution is a Shell call with its duration" \
  sh -c '[ "$("$1" get "$2" tool_name)" = Shell ] && [ "$("$1" get "$2" latency_ms)" = 842 ]' sh "$CHECK" "$TMP/rec"
check "cursor: a password in the shell command is redacted" sh -c '! grep -q s3cretPassw0rd "$1"' sh "$TMP/rec"
check "cursor: workspace_roots[0] or cwd is the cwd" is cwd /work/app
dry cursor-mcp
check "cursor: afterMCPExecution is MCP:<tool>" is tool_name MCP:search_docs
check "cursor: its string tool_input is parsed, and an api_key in it redacted" \
  sh -c 'grep -q "\"query\":\"hooks\"" "$1" && ! grep -q AbCdEfGhIjKlMnOp "$1"' sh "$TMP/rec"
dry cursor-edit
check "cursor: afterFileEdit is an Edit with file_path and edits" \
  sh -c '[ "$("$1" get "$2" tool_name)" = Edit ] && grep -q "index.ts" "$2"' sh "$CHECK" "$TMP/rec"
dry cursor-post-failure
check "cursor: postToolUseFailure is a failure" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && grep -q EACCES "$2"' sh "$CHECK" "$TMP/rec"
dry cursor-before
check "cursor: before* events write no record" [ ! -s "$TMP/rec" ]

# --agent decides over the payload; an unknown agent is a usage error in --dry-run, and ignored
# (the payload decides) in hook mode.
dry codex-post-ok --agent claude-code
check "--agent claude-code overrides detection" is agent claude-code
set +e
"$HOOK" --dry-run --agent nosuch < "$A/codex-post-ok.json" > /dev/null 2>&1
RC=$?
set -e
check "--agent nosuch with --dry-run: usage error" [ "$RC" = 2 ]
run_hook "$A/codex-post-ok.json" --agent nosuch
check "--agent nosuch in hook mode: exit 0, recorded, detected from the payload" \
  sh -c '[ "$1" = 0 ] && [ "$("$2" get "$3" agent)" = codex ]' sh "$RC" "$CHECK" "$LOG"

# Latency from the Before/Pre event, paired without a call id (Gemini) or by it (Codex).
: > "$LOG"
EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:00.000Z "$HOOK" < "$A/gemini-before.json"
EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:00.250Z "$HOOK" < "$A/gemini-after-exit.json"
check "gemini: BeforeTool/AfterTool give a pre_post latency of 250 ms" \
  sh -c '[ "$("$1" get "$2" latency_ms)" = 250 ] && [ "$("$1" get "$2" latency_source)" = pre_post ]' sh "$CHECK" "$LOG"
: > "$LOG"
EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:00.000Z "$HOOK" < "$A/codex-pre.json"
EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:03.500Z "$HOOK" < "$A/codex-post-exit.json"
check "codex: PreToolUse/PostToolUse give 3500 ms by tool_use_id" [ "$("$CHECK" get "$LOG" latency_ms)" = 3500 ]
tap_done
