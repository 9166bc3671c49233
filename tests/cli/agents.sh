#!/bin/sh
# Other agents, one log: Gemini CLI, Codex and Cursor payloads (tests/data/agents: Gemini CLI's and
# Codex's recorded from the real programs, Cursor's and Codex's MCP result written from documentation) map into the same record, told apart by the payload alone
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

# Gemini CLI 0.61.0 and Codex 0.171.0 fixtures are payloads the real programs sent
# (tests/e2e/agents.mjs --record; whole sessions in *-payloads.jsonl). The Codex rollout excerpt is
# the lines of that session's rollout file that name its calls.
dry gemini-after-exit
check "gemini: told apart by its AfterTool event" is agent gemini-cli
check "gemini: a non-zero 'Exit Code: 2' in llmContent is a failure" is outcome failure
check "gemini: exit_code 2 from the text" is exit_code 2
check "gemini: error from returnDisplay" is error "ls: cannot access '/nonexistent-dir-xyz': No such file or directory"
check "gemini: tool and session" sh -c '[ "$("$1" get "$2" tool_name)/$("$1" get "$2" session_id)" = run_shell_command/177794a4-9eef-43ec-a18d-576e57c15166 ]' sh "$CHECK" "$TMP/rec"
check "gemini: no call id" is tool_use_id null
dry gemini-after-error
check "gemini: tool_response.error (a failed replace) is a failure with its message" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && "$1" get "$2" error | grep -q "^Could not find an exact match for .old_string."' sh "$CHECK" "$TMP/rec"
dry gemini-after-ok
check "gemini: a shell command without an exit code line is a success" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)" = success/null ]' sh "$CHECK" "$TMP/rec"
dry gemini-after-write
check "gemini: write_file is a success, the secrets in its content redacted" \
  sh -c '[ "$("$1" get "$2" outcome)" = success ] && [ "$("$1" get "$2" redactions)" -ge 1 ] && ! grep -q Sup3rS3cretPassw0rd "$2" && ! grep -q "ghp_" "$2"' sh "$CHECK" "$TMP/rec"
dry gemini-before
check "gemini: BeforeTool writes no record" [ ! -s "$TMP/rec" ]

# Codex's PostToolUse of a shell command carries the output alone: the exit code comes from the
# rollout file its transcript_path names. The recorded path is gone; point it at the excerpt.
ROLLOUT=$A/codex-0.171.0-rollout.jsonl
sed "s|\"transcript_path\":\"[^\"]*\"|\"transcript_path\":\"$ROLLOUT\"|" "$A/codex-post-exit.json" > "$TMP/exit.json"
sed "s|\"transcript_path\":\"[^\"]*\"|\"transcript_path\":\"$ROLLOUT\"|" "$A/codex-post-ok.json" > "$TMP/ok.json"
"$HOOK" --dry-run < "$TMP/exit.json" > "$TMP/rec"
check "codex: told apart by turn_id" is agent codex
check "codex: turn_id becomes prompt_id" is prompt_id 01a2344e-3951-7de2-a3fa-c58a2e21ba91
check "codex: tool_use_id is the call id" is tool_use_id call_b_dw9Wayq25pOyhe88tR5m
check "codex: exit code 2 in the rollout's item_completed is a failure, the output its error" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)" = failure/2 ] && "$1" get "$2" error | grep -q "No such file or directory"' sh "$CHECK" "$TMP/rec"
"$HOOK" --dry-run < "$TMP/ok.json" > "$TMP/rec"
check "codex: exit code 0 in the rollout is a success with exit_code 0" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)" = success/0 ]' sh "$CHECK" "$TMP/rec"
sed "s|\"transcript_path\":\"[^\"]*\"|\"transcript_path\":\"$TMP/missing.jsonl\"|" "$A/codex-post-exit.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: without its rollout file a shell command's outcome is success, exit_code null" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)" = success/null ]' sh "$CHECK" "$TMP/rec"
grep -v call_b_dw9Wayq25pOyhe88tR5m "$ROLLOUT" > "$TMP/rollout.jsonl"
sed "s|\"transcript_path\":\"[^\"]*\"|\"transcript_path\":\"$TMP/rollout.jsonl\"|" "$A/codex-post-exit.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: a rollout without the call's end leaves the outcome success" is outcome success
ln -s "$ROLLOUT" "$TMP/link.jsonl"
sed "s|\"transcript_path\":\"[^\"]*\"|\"transcript_path\":\"$TMP/link.jsonl\"|" "$A/codex-post-exit.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: a rollout path that is a symbolic link is not followed" is outcome success
dry codex-post-patch
check "codex: apply_patch's 'Exit code: 0' output is a success with exit_code 0" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)/$("$1" get "$2" tool_name)" = success/0/apply_patch ] && [ "$("$1" get "$2" redactions)" -ge 1 ]' sh "$CHECK" "$TMP/rec"
sed 's|"tool_response":"Exit code: 0|"tool_response":"Exit code: 1|' "$A/codex-post-patch.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: output starting 'Exit code: 1' is a failure" \
  sh -c '[ "$("$1" get "$2" outcome)/$("$1" get "$2" exit_code)" = failure/1 ]' sh "$CHECK" "$TMP/rec"
# Not recorded (the session called no MCP tool): the documented shape of an MCP result.
dry codex-mcp-error
check "codex: the model the payload names is recorded (format v3)" is model gpt-5.1-codex
check "codex: an MCP result with isError is a failure with its text" \
  sh -c '[ "$("$1" get "$2" outcome)" = failure ] && [ "$("$1" get "$2" error)" = "GitHub API rate limit exceeded" ]' sh "$CHECK" "$TMP/rec"
sed 's|"model":"gpt-5.5",||' "$A/codex-post-patch.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: a payload without a model gives model null" is model null
long=$(printf '%05000d' 0)
sed "s|\"model\":\"gpt-5.5\"|\"model\":\"m$long\"|" "$A/codex-post-patch.json" | "$HOOK" --dry-run > "$TMP/rec"
check "codex: a long model name is truncated like any other string" \
  sh -c 'm=$("$1" get "$2" model); [ "${#m}" -lt 5000 ] && [ "$("$1" get "$2" truncations)" -ge 1 ]' sh "$CHECK" "$TMP/rec"
printf '%s\n' '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"true"},"tool_response":{"stdout":""},"tool_use_id":"toolu_m"}' \
  | "$HOOK" --dry-run > "$TMP/rec"
check "claude-code: a tool payload names no model: model null" \
  sh -c '[ "$("$1" get "$2" agent)/$("$1" get "$2" model)/$("$1" get "$2" v)" = claude-code/null/3 ]' sh "$CHECK" "$TMP/rec"
dry codex-pre
check "codex: PreToolUse writes no record" [ ! -s "$TMP/rec" ]

dry cursor-shell
check "cursor: told apart by conversation_id / camelCase events" is agent cursor
check "cursor: conversation_id is the session" is session_id cursor-conv-1
check "cursor: afterShellExecution is a Shell call with its duration" \
  sh -c '[ "$("$1" get "$2" tool_name)" = Shell ] && [ "$("$1" get "$2" latency_ms)" = 842 ]' sh "$CHECK" "$TMP/rec"
check "cursor: a password in the shell command is redacted" sh -c '! grep -q s3cretPassw0rd "$1"' sh "$TMP/rec"
check "cursor: workspace_roots[0] or cwd is the cwd" is cwd /work/app
check "cursor: the model it sends is recorded" is model claude-sonnet-4-5
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
EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:03.500Z "$HOOK" < "$TMP/exit.json"
check "codex: PreToolUse/PostToolUse give 3500 ms by tool_use_id" [ "$("$CHECK" get "$LOG" latency_ms)" = 3500 ]
tap_done
