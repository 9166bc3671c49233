#!/bin/sh
# Hostile input: whatever the hook is fed, and wherever it cannot write, it exits 0, prints nothing
# on stdout, and leaves either one valid record or nothing — never a partial or malformed line.
# usage: hostile.sh HOOK JSONL_CHECK DATA_DIR
set -eu
HOOK=$1 CHECK=$2 DATA=$3
. "$(dirname "$0")/lib.sh"
setup_home

# feed NAME FILE EXPECTED_PARSE_ERROR: one record whose parse_error is as expected ("null": none).
feed() {
  name=$1 file=$2 want=$3
  : > "$LOG"
  run_hook "$file"
  check "$name: exit 0, nothing on stdout" hook_was_silent
  check "$name: one valid record" [ "$("$CHECK" validate "$LOG" 2> /dev/null)" = 1 ]
  check "$name: parse_error is $want" [ "$("$CHECK" get "$LOG" parse_error | sed 's/^missing$/null/')" = "$want" ]
}

: > "$TMP/empty"
feed "empty stdin" "$TMP/empty" empty
feed "stdin is /dev/null" /dev/null empty
printf 'this is { not json' > "$TMP/text"
feed "not JSON" "$TMP/text" invalid_json
printf '"just a string"' > "$TMP/str"
feed "a JSON string" "$TMP/str" not_object
printf '{"hook_event_name":"PostToolUse","tool_name":"Ba\000sh","tool_input":{"c\000":"x\000y"}}' > "$TMP/nul"
feed "NUL bytes" "$TMP/nul" invalid_json
printf '{"hook_event_name":"PostToolUse","tool_name":"Bash","session_id":"s\377\376","tool_input":{"command":"caf\303 \355\240\200 \300\257"},"tool_use_id":"t"}' > "$TMP/utf8"
feed "invalid UTF-8" "$TMP/utf8" null
check "invalid UTF-8 became U+FFFD" grep -q "$(printf 's\357\277\275\357\277\275')" "$LOG"

# 100,000 levels of nesting inside tool_input.
{
  printf '{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"a":'
  head -c 100000 /dev/zero | tr '\0' '['
  head -c 100000 /dev/zero | tr '\0' ']'
  printf '}}'
} > "$TMP/deep"
feed "100,000 levels of nesting" "$TMP/deep" invalid_json
check "nesting: event still salvaged" [ "$("$CHECK" get "$LOG" event)" = PostToolUse ]

# A 50 MB payload: bounded input, one small record.
{
  printf '{"session_id":"s50","hook_event_name":"PostToolUse","tool_name":"Write","tool_input":{"file_path":"/x","content":"'
  head -c 52428800 /dev/zero | tr '\0' 'a'
  printf '"},"tool_use_id":"t50","duration_ms":5}'
} > "$TMP/huge"
feed "50 MB payload" "$TMP/huge" too_large
check "50 MB: input_bytes is the real size" [ "$("$CHECK" get "$LOG" input_bytes)" = "$(wc -c < "$TMP/huge" | tr -d ' ')" ]
check "50 MB: the record is small" [ "$(wc -c < "$LOG")" -lt 2000 ]
check "50 MB: tool and session salvaged" [ "$("$CHECK" get "$LOG" tool_name)/$("$CHECK" get "$LOG" session_id)" = Write/s50 ]

# A 5 MB Write is within bounds: recorded, content truncated to 500 characters with a marker.
{
  printf '{"session_id":"s5","hook_event_name":"PostToolUse","tool_name":"Write","tool_input":{"file_path":"/x","content":"'
  head -c 5242880 /dev/zero | tr '\0' 'b'
  printf '"},"tool_response":{"type":"create"},"tool_use_id":"t5","duration_ms":5}'
} > "$TMP/five"
feed "5 MB Write" "$TMP/five" null
check "5 MB Write: content truncated with the original length" \
  grep -q 'bbbb…\[truncated: 5242880 chars\]"' "$LOG"
check "5 MB Write: record under 2 KB" [ "$(wc -c < "$LOG")" -lt 2000 ]

printf '%s\n' '{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"ok1","duration_ms":1}' > "$TMP/good"

# A full disk: a file size limit the record does not fit in. Nothing partial is left.
printf '{"v":1,"first":true}\n' > "$LOG"
before=$(cat "$LOG")
set +e
(ulimit -f 1 && "$HOOK" < "$TMP/five" > "$TMP/stdout" 2>/dev/null); RC=$?
set -e
check "full disk: exit 0, nothing on stdout" hook_was_silent
# 1 block is 512 or 1024 bytes: the 1.4 KB record does not fit and is taken back.
check "full disk: the log is exactly as before" [ "$(cat "$LOG")" = "$before" ]

# stdout and stderr on /dev/full: still exit 0, and the record is written.
: > "$LOG"
set +e
"$HOOK" < "$TMP/good" > /dev/full 2> /dev/full; RC=$?
set -e
check "stdout on /dev/full: exit 0" [ "$RC" -eq 0 ]
check "stdout on /dev/full: record written" [ "$(lines_of "$LOG")" = 1 ]
set +e
"$HOOK" --check > /dev/full 2>/dev/null; RC=$?
set -e
check "--check to /dev/full reports the failed write (exit 1)" [ "$RC" -eq 1 ]

# An unwritable home: HOME is a file.
: > "$TMP/not-a-dir"
set +e
HOME="$TMP/not-a-dir" "$HOOK" < "$TMP/good" > "$TMP/stdout" 2>&1; RC=$?
set -e
check "unwritable home: exit 0, nothing on stdout or stderr" hook_was_silent
set +e
HOME="$TMP/not-a-dir" "$HOOK" --check > "$TMP/check" 2>&1; RC=$?
set -e
check "unwritable home: --check exits 1" [ "$RC" -eq 1 ]
check "unwritable home: --check names the log problem" grep -q "cannot .*log" "$TMP/check"
set +e
HOME="$TMP/not-a-dir" EXECUTION_TELEMETRY_DEBUG=1 "$HOOK" < "$TMP/good" > "$TMP/stdout" 2> "$TMP/stderr"; RC=$?
set -e
check "EXECUTION_TELEMETRY_DEBUG=1: still nothing on stdout" hook_was_silent
check "EXECUTION_TELEMETRY_DEBUG=1: the reason on stderr" grep -q "cannot write log" "$TMP/stderr"

# The log is a symbolic link: refused, the target untouched.
rm -f "$LOG"
: > "$TMP/target"
ln -s "$TMP/target" "$LOG"
run_hook "$TMP/good"
check "log is a symlink: exit 0, nothing on stdout" hook_was_silent
check "log is a symlink: target untouched" [ ! -s "$TMP/target" ]
set +e
"$HOOK" --check > "$TMP/check" 2>&1; RC=$?
set -e
check "log is a symlink: --check says so" grep -q "symbolic link" "$TMP/check"
rm -f "$LOG"

# Switches: off, skip tools, unknown arguments in hook mode.
EXECUTION_TELEMETRY_DISABLE=1 "$HOOK" < "$TMP/good"
check "EXECUTION_TELEMETRY_DISABLE=1: nothing recorded" [ ! -e "$LOG" ]
EXECUTION_TELEMETRY_SKIP_TOOLS="Read,Bash" "$HOOK" < "$TMP/good"
check "skip_tools: a skipped tool is not recorded" [ ! -e "$LOG" ]
run_hook "$TMP/good" --no-such-option extra
check "unknown arguments in hook mode: exit 0, nothing on stdout" hook_was_silent
check "unknown arguments in hook mode: still recorded" [ "$(lines_of "$LOG")" = 1 ]
set +e
"$HOOK" --dry-run --no-such-option < "$TMP/good" > /dev/null 2>&1; RC=$?
set -e
check "unknown option with --dry-run: usage error (exit 2)" [ "$RC" -eq 2 ]
run_hook "$TMP/good" --dry-run
check "--dry-run prints the record on stdout" grep -q '"tool_use_id":"ok1"' "$TMP/stdout"
check "--help documents the settings" sh -c '"$1" --help | grep -q EXECUTION_TELEMETRY_ROTATE_BYTES' sh "$HOOK"

# ---- Files that are not what they should be (issue 8) ----
# Each is refused or worked around at once: no wait for the watchdog, no write through a link, no
# lost record; and --check names it. EXECUTION_TELEMETRY_DEBUG=1 says why nothing was written (a
# hook stopped by its watchdog says nothing), so these checks need no clock.
STATE="$HOME/.claude/execution-telemetry.d"
rm -f "$LOG" "$LOG".*
check_hook() { # check_hook ARGS...: --check's report in $TMP/check, its status in RC
  set +e
  "$HOOK" --check "$@" > "$TMP/check" 2>&1; RC=$?
  set -e
}
debug_hook() { # debug_hook INPUT: hook mode with EXECUTION_TELEMETRY_DEBUG=1; stderr in $TMP/stderr
  set +e
  EXECUTION_TELEMETRY_DEBUG=1 "$HOOK" < "$1" > "$TMP/stdout" 2> "$TMP/stderr"; RC=$?
  set -e
}
chmod 755 "$HOME/.claude"
check_hook
check "a sound setup: --check exits 0" [ "$RC" -eq 0 ]
check "a sound setup: --check finds no problem" grep -q "no problems found" "$TMP/check"
check "a log directory others can list (0755) is said, not counted" \
  grep -q "log directory: $HOME/.claude is mode 0755" "$TMP/check"

# A FIFO at the log, the key, the config, the rules, a stamp.
rm -f "$LOG"
mkfifo "$LOG"
debug_hook "$TMP/good"
check "FIFO as the log: exit 0, nothing on stdout" hook_was_silent
check "FIFO as the log: refused at once, with the reason" grep -q "cannot write log.*Invalid argument" "$TMP/stderr"
check_hook
check "FIFO as the log: --check says it is not a regular file" \
  grep -q "cannot open log.*it is not a regular file" "$TMP/check"
rm -f "$LOG"
mv "$STATE/key" "$TMP/key.saved"
mkfifo "$STATE/key"
debug_hook "$TMP/good"
check "FIFO as the key: the record is written all the same" [ "$(lines_of "$LOG")" = 1 ]
check "FIFO as the key: a one-off key, said in debug" grep -q "cannot use key" "$TMP/stderr"
check_hook
check "FIFO as the key: --check says so" grep -q "key in .*not a regular file of 32 bytes" "$TMP/check"
rm -f "$STATE/key" "$LOG"
mv "$TMP/key.saved" "$STATE/key"
mkfifo "$TMP/conf.fifo"
EXECUTION_TELEMETRY_CONFIG="$TMP/conf.fifo" EXECUTION_TELEMETRY_RULES="$TMP/conf.fifo" \
  "$HOOK" < "$TMP/good" > "$TMP/stdout"
check "FIFO as the config and rules file: the record is written" [ "$(lines_of "$LOG")" = 1 ]
check_hook
EXECUTION_TELEMETRY_CONFIG="$TMP/conf.fifo" EXECUTION_TELEMETRY_RULES="$TMP/conf.fifo" check_hook
check "FIFO as the config: --check says so" grep -q "cannot open config.*not a regular file" "$TMP/check"
check "FIFO as the rules file: --check says so" grep -q "cannot read rules file.*Invalid argument" "$TMP/check"
rm -f "$LOG"
pre() { # pre ID NOW: a PreToolUse payload in $TMP/pre
  printf '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"%s"}' "$1" > "$TMP/pre"
}
post() { # post ID: a PostToolUse payload without duration_ms in $TMP/post
  printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_response":{},"tool_use_id":"%s"}' "$1" > "$TMP/post"
}
rm -rf "$STATE/pending"
pre toolu_fifo 0
"$HOOK" < "$TMP/pre"
stamp=$(ls "$STATE/pending")
rm "$STATE/pending/$stamp"
mkfifo "$STATE/pending/$stamp"
debug_hook "$TMP/pre"
check "FIFO at a stamp's path: exit 0, refused at once with the reason" \
  sh -c '[ "$1" -eq 0 ] && grep -q "cannot write start stamp.*Invalid argument" "$2"' sh "$RC" "$TMP/stderr"
post toolu_fifo
"$HOOK" < "$TMP/post"
check "FIFO at a stamp's path: the Post is recorded, without latency" \
  [ "$("$CHECK" get "$LOG" latency_source)" = null ]
check "FIFO at a stamp's path: left where it is" [ -p "$STATE/pending/$stamp" ]
rm -f "$STATE/pending/$stamp" "$LOG"

# Ids that differ only after a \u0000 have a stamp each.
EXECUTION_TELEMETRY_NOW=1000 "$HOOK" < "$(pre 'toolu_\u0000one' && echo "$TMP/pre")"
EXECUTION_TELEMETRY_NOW=2000 "$HOOK" < "$(pre 'toolu_\u0000two' && echo "$TMP/pre")"
EXECUTION_TELEMETRY_NOW=5000 "$HOOK" < "$(post 'toolu_\u0000one' && echo "$TMP/post")"
EXECUTION_TELEMETRY_NOW=5000 "$HOOK" < "$(post 'toolu_\u0000two' && echo "$TMP/post")"
check "ids that differ after \\u0000: each Post has its own start (4000 ms, 3000 ms)" \
  [ "$("$CHECK" get "$LOG" latency_ms | tr '\n' ' ')" = "4000 3000 " ]
rm -f "$LOG"

# A hard link at the log: refused, the other file neither written nor made 0600.
printf 'precious\n' > "$TMP/victim"
chmod 644 "$TMP/victim"
ln "$TMP/victim" "$LOG"
run_hook "$TMP/good"
check "hard-linked log: exit 0, nothing on stdout" hook_was_silent
check "hard-linked log: the other file is unchanged" [ "$(cat "$TMP/victim")" = precious ]
check "hard-linked log: its mode is unchanged (0644)" [ "$(stat -c %a "$TMP/victim")" = 644 ]
check_hook
check "hard-linked log: --check says so" grep -q "cannot open log.*it has other hard links" "$TMP/check"
rm -f "$LOG"

# A non-empty directory in the last rotation slot (.8): rotation steps over it, no record lost.
i=1
while [ "$i" -le 7 ]; do
  printf '{"v":1,"old":%d}\n' "$i" > "$LOG.$i"
  i=$((i + 1))
done
mkdir "$LOG.8"
: > "$LOG.8/something"
long=$(head -c 1500 /dev/zero | tr '\0' 'z')
i=1
while [ "$i" -le 8 ]; do
  printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %s"},"tool_use_id":"rot%d","duration_ms":1}' "$long" "$i" > "$TMP/rot"
  EXECUTION_TELEMETRY_ROTATE_BYTES=4096 EXECUTION_TELEMETRY_MAX_CHARS=2000 "$HOOK" < "$TMP/rot"
  i=$((i + 1))
done
found=$(for f in "$LOG" "$LOG".[1-7]; do "$CHECK" get "$f" tool_use_id; done | grep -c '^rot' || true)
check "directory at .8: all 8 records written across the log and .1-.7 ($found)" [ "$found" = 8 ]
check "directory at .8: left as it was" [ -f "$LOG.8/something" ]
chmod 644 "$LOG.1"
check_hook
check "directory at .8: --check names it" \
  grep -q "rotated log '$LOG.8': it is not a regular file; rotation steps over it" "$TMP/check"
check "a rotated file left 0644 is made 0600 by --check" [ "$(stat -c %a "$LOG.1")" = 600 ]
rm -rf "$LOG" "$LOG".*

# pending/ is a symbolic link: a PreToolUse deletes nothing in its target; --check says so.
mkdir "$TMP/victimdir"
: > "$TMP/victimdir/important"
touch -d '3 days ago' "$TMP/victimdir/important"
rm -rf "$STATE/pending"
ln -s "$TMP/victimdir" "$STATE/pending"
pre toolu_link
run_hook "$TMP/pre"
check "symlinked pending/: exit 0, nothing on stdout" hook_was_silent
check "symlinked pending/: the old file in its target is still there" [ -f "$TMP/victimdir/important" ]
check "symlinked pending/: no stamp written through it" [ "$(ls "$TMP/victimdir")" = important ]
check_hook
check "symlinked pending/: --check says so" \
  grep -q "cannot use state directory '$STATE/pending': it is a symbolic link" "$TMP/check"
rm "$STATE/pending"
# The state directory itself is a link, or someone else's.
mkdir "$TMP/realstate"
ln -s "$TMP/realstate" "$TMP/statelink"
EXECUTION_TELEMETRY_STATE_DIR="$TMP/statelink" "$HOOK" < "$TMP/good"
check "symlinked state directory: the record is written (one-off key)" [ "$(lines_of "$LOG")" = 1 ]
check "symlinked state directory: no key made through it" [ ! -e "$TMP/realstate/key" ]
# The hook opens the state directory once and reaches everything through that descriptor: the
# stamps, the sessions' state (feedback on) and the spill directory are refused with it.
pre toolu_statelink
printf '{"session_id":"sl","hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"false"},"tool_use_id":"toolu_statelink","error":"Exit code 1"}' > "$TMP/slfail"
EXECUTION_TELEMETRY_STATE_DIR="$TMP/statelink" "$HOOK" < "$TMP/pre"
EXECUTION_TELEMETRY_STATE_DIR="$TMP/statelink" EXECUTION_TELEMETRY_FEEDBACK=on "$HOOK" < "$TMP/slfail" > "$TMP/slout"
EXECUTION_TELEMETRY_STATE_DIR="$TMP/statelink" EXECUTION_TELEMETRY_FEEDBACK=on "$HOOK" < "$TMP/slfail" > "$TMP/slout"
check "symlinked state directory: both failures are recorded" [ "$(lines_of "$LOG")" = 3 ]
check "symlinked state directory: no note (no sessions' state)" [ ! -s "$TMP/slout" ]
check "symlinked state directory: no stamp, sessions or spill made through it" \
  [ -z "$(ls -A "$TMP/realstate")" ]
EXECUTION_TELEMETRY_STATE_DIR="$TMP/statelink" check_hook
check "symlinked state directory: --check says so" \
  grep -q "cannot use state directory '$TMP/statelink': it is a symbolic link" "$TMP/check"
if [ "$(id -u)" = 0 ]; then
  chown 12345 "$TMP/realstate"
  EXECUTION_TELEMETRY_STATE_DIR="$TMP/realstate" check_hook
  check "state directory of another user: --check says so" \
    grep -q "cannot use state directory '$TMP/realstate': it is owned by another user" "$TMP/check"
else
  ok "# SKIP not root: cannot make a directory owned by someone else"
fi
rm -f "$LOG"

# A 1.5 MB PostToolBatch with over 200,000 JSON values: every id, and the rejected call's record.
{
  printf '{"session_id":"sb","hook_event_name":"PostToolBatch","tool_calls":['
  printf '{"tool_name":"Read","tool_use_id":"toolu_big","tool_input":{"file_path":"/x"},"tool_response":{"lines":['
  head -c 350000 /dev/zero | tr '\0' '7' | sed 's/7/7,/g'
  printf '7]}},{"tool_name":"Grep","tool_use_id":"toolu_big2","tool_input":{"pattern":"a","paths":['
  head -c 200000 /dev/zero | tr '\0' 'p' | sed 's/p/"p",/g'
  printf '"p"]},"tool_response":"ok"},'
  printf '{"tool_name":"Edit","tool_use_id":"toolu_rej","tool_input":{"file_path":"/y","old_string":"a","new_string":"b"},"tool_response":"<tool_use_error>String to replace not found in file.</tool_use_error>"}'
  printf ']}'
} > "$TMP/bigbatch"
run_hook "$TMP/bigbatch"
check "1.5 MB batch ($(wc -c < "$TMP/bigbatch" | tr -d ' ') bytes): exit 0, nothing on stdout" hook_was_silent
check "1.5 MB batch: two valid records" [ "$("$CHECK" validate "$LOG" 2> /dev/null)" = 2 ]
check "1.5 MB batch: the batch record lists every tool_use_id" \
  [ "$("$CHECK" get "$LOG" tool_use_ids | head -n 1)" = '["toolu_big","toolu_big2","toolu_rej"]' ]
check "1.5 MB batch: the rejected call has its failure record" \
  [ "$("$CHECK" get "$LOG" tool_use_id | tail -n 1)/$("$CHECK" get "$LOG" outcome | tail -n 1)" = toolu_rej/failure ]
check "1.5 MB batch: with its error" \
  [ "$("$CHECK" get "$LOG" error | tail -n 1)" = 'String to replace not found in file.' ]
rm -f "$LOG"
tap_done
