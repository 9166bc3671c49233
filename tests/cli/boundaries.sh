#!/bin/sh
# Session boundary records (docs/record-format.md, "Session boundaries"): every payload of a real
# Claude Code 2.1.332 session (SessionStart, UserPromptSubmit, the calls, Stop, SessionEnd) through
# the hook, then subagent events and hostile variants: wrong types, a planted secret in a prompt, a
# huge prompt, and prompt_text = false.
# usage: boundaries.sh HOOK JSONL_CHECK DATA_DIR
set -eu
HOOK=$1 CHECK=$2 DATA=$3
. "$(dirname "$0")/lib.sh"
setup_home

# field N NAME: the JSON text of field NAME of record N of the log.
field() { "$CHECK" get "$LOG" "$2" | sed -n "$1p"; }

hook_each_payload "$DATA/claude-code-2.1.332-payloads.jsonl" "2.1.332 session"
check "every record is version 3" [ "$("$CHECK" get "$LOG" v | sort -u)" = 3 ]
events=$("$CHECK" get "$LOG" event | tr '\n' ' ')
n=$("$CHECK" get "$LOG" event | wc -l)
check "26 records: SessionStart, UserPromptSubmit, the calls, Stop, SessionEnd ($events)" \
  sh -c 'case "$1" in "SessionStart UserPromptSubmit PostToolUse "*" Stop SessionEnd ") [ "$2" -eq 26 ] ;; *) false ;; esac' sh "$events" "$n"
check "SessionStart: source startup, model null (not sent)" \
  [ "$(field 1 source) $(field 1 model)" = 'startup null' ]
check "UserPromptSubmit: prompt, its length and fingerprint" \
  [ "$(field 2 prompt) $(field 2 prompt_bytes)" = 'go 2' ]
fp=$(field 2 prompt_fp)
check "prompt_fp is 32 hex digits ($fp)" sh -c 'printf %s "$1" | grep -Eq "^[0-9a-f]{32}$"' sh "$fp"
check "Stop: the last message's length (\"All done.\" is 9 bytes), not its text" \
  [ "$(field 25 message_bytes)" = 9 ]
check "the last message's text is nowhere in the log" sh -c '! grep -q "All done" "$1"' sh "$LOG"
check "SessionEnd: reason" [ "$(field 26 reason)" = 'other' ]
check "a tool call has none of the boundary fields" [ "$(field 3 prompt_bytes)" = missing ]
check "the same prompt gives the same fingerprint" sh -c '
  printf "%s\n" "{\"hook_event_name\":\"UserPromptSubmit\",\"session_id\":\"x\",\"prompt\":\"go\"}" |
    "$1" --dry-run | grep -qF "\"prompt_fp\":\"$2\""' sh "$HOOK" "$fp"

: > "$LOG"
cat > "$TMP/sub" <<'P'
{"session_id":"s1","hook_event_name":"SubagentStart","agent_id":"a1","agent_type":"Explore","cwd":"/p"}
{"session_id":"s1","hook_event_name":"SubagentStop","agent_id":"a1","agent_type":"Explore","agent_transcript_path":"/h/.claude/projects/-p/s1/subagents/agent-a1.jsonl","last_assistant_message":"caf\u00e9","stop_hook_active":false}
{"session_id":"s1","hook_event_name":"SessionStart","source":"clear","model":"claude-sonnet-4-6"}
{"session_id":"s1","hook_event_name":"SessionStart","source":["x"],"model":{"id":"claude-opus-4-6","display_name":"Opus"}}
{"session_id":"s1","hook_event_name":"UserPromptSubmit","prompt":{"text":"not a string"}}
{"session_id":"s1","hook_event_name":"Stop","last_assistant_message":42}
{"session_id":"s1","hook_event_name":"SessionEnd","reason":null}
{"session_id":"s1","hook_event_name":"UserPromptSubmit","prompt":"deploy with password=Sup3rS3cretPassw0rd please"}
P
while IFS= read -r payload; do
  printf '%s\n' "$payload" > "$TMP/payload"
  run_hook "$TMP/payload"
done < "$TMP/sub"
check "SubagentStart: agent id and type" [ "$(field 1 agent_id) $(field 1 agent_type)" = 'a1 Explore' ]
check "SubagentStop: message length in bytes (café: 5), transcript path" \
  [ "$(field 2 message_bytes) $(field 2 agent_transcript_path)" = '5 /h/.claude/projects/-p/s1/subagents/agent-a1.jsonl' ]
check "SessionStart source clear and its model" [ "$(field 3 source) $(field 3 model)" = 'clear claude-sonnet-4-6' ]
check "SessionStart names its model once (its own place, not the call records' one)" \
  [ "$(sed -n 3p "$LOG" | grep -o '"model":' | wc -l)" -eq 1 ]
check "a source of the wrong type is null; a model object gives its id" \
  [ "$(field 4 source) $(field 4 model)" = 'null claude-opus-4-6' ]
check "a prompt that is not a string: no text, no length, no fingerprint" \
  [ "$(field 5 prompt) $(field 5 prompt_bytes) $(field 5 prompt_fp)" = "null null null" ]
check "a last message that is not a string: no length" [ "$(field 6 message_bytes)" = null ]
check "a reason of null is null" [ "$(field 7 reason)" = null ]
check "a secret in a prompt is redacted" sh -c '! grep -q Sup3rS3cretPassw0rd "$1" && [ "$("$2" get "$1" redactions | sed -n 8p)" = 1 ]' sh "$LOG" "$CHECK"
check "every line is still a valid record" sh -c '"$1" validate "$2" > /dev/null' sh "$CHECK" "$LOG"

# A 5 MB prompt: truncated like a parameter, its full length recorded, the line stays small.
: > "$LOG"
python3 -c 'import json,sys; sys.stdout.write(json.dumps({"session_id":"s","hook_event_name":"UserPromptSubmit","prompt":"y"*5000000}))' > "$TMP/big"
run_hook "$TMP/big"
check "huge prompt: exit 0, silent" hook_was_silent
check "huge prompt: full length recorded" [ "$(field 1 prompt_bytes)" = 5000000 ]
check "huge prompt: truncated (one truncation, line under 4 KB)" \
  sh -c '[ "$("$1" get "$2" truncations)" = 1 ] && [ "$(wc -c < "$2")" -lt 4096 ]' sh "$CHECK" "$LOG"

# prompt_text = false: the length only.
: > "$LOG"
printf '%s\n' '{"session_id":"s","hook_event_name":"UserPromptSubmit","prompt":"private words"}' > "$TMP/p"
EXECUTION_TELEMETRY_PROMPT_TEXT=false run_hook "$TMP/p"
check "prompt_text=false: length only" \
  [ "$(field 1 prompt) $(field 1 prompt_bytes) $(field 1 prompt_fp)" = "null 13 null" ]
check "prompt_text=false: the words are not in the log" sh -c '! grep -q "private words" "$1"' sh "$LOG"
printf 'prompt_text = false\n' > "$HOME/.claude/execution-telemetry.conf"
: > "$LOG"
run_hook "$TMP/p"
check "prompt_text = false in the config file too" [ "$(field 1 prompt_bytes) $(field 1 prompt)" = "13 null" ]
printf 'prompt_text = maybe\n' > "$HOME/.claude/execution-telemetry.conf"
set +e
"$HOOK" --check > "$TMP/check" 2>&1
set -e
check "a bad prompt_text is a problem --check reports" grep -q "prompt_text='maybe'" "$TMP/check"
: > "$LOG"
run_hook "$TMP/p"
check "and the default (text kept) stays in force" [ "$(field 1 prompt)" = 'private words' ]
tap_done
