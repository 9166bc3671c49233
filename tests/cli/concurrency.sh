#!/bin/sh
# Concurrency: many hook processes write at once (as parallel tool calls fire them), with rotation
# forced small so it happens many times during the run. Every record must be present exactly once
# across the log and its rotated files, and every line must be valid JSON.
# usage: concurrency.sh HOOK JSONL_CHECK DATA_DIR [PROCESSES]
set -eu
HOOK=$1 CHECK=$2 DATA=$3 N=${4:-300}
. "$(dirname "$0")/lib.sh"
setup_home
# Under a wrapper (valgrind: ~1 s and ~100 MB a process, 20 to 50 times slower) 300 writers at
# once would need gigabytes: there they run one after another, which still writes, rotates and
# checks every record, for the memory checker's sake.
MIN_ROTATED=5
if [ -n "${MESON_EXE_WRAPPER:-}" ] && [ -z "${4:-}" ]; then N=24 MIN_ROTATED=2; fi
export EXECUTION_TELEMETRY_ROTATE_BYTES=4096 EXECUTION_TELEMETRY_ROTATE_KEEP=99

i=0
while [ "$i" -lt "$N" ]; do
  i=$((i + 1))
  printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %d","secret":"pw-%d"},"tool_response":{"stdout":"%d"},"tool_use_id":"c%d","duration_ms":%d}\n' \
    "$i" "$i" "$i" "$i" "$i" > "$TMP/p$i"
done
i=0
while [ "$i" -lt "$N" ]; do
  i=$((i + 1))
  if [ -n "${MESON_EXE_WRAPPER:-}" ]; then
    "$HOOK" < "$TMP/p$i" > "$TMP/out$i"
  else
    "$HOOK" < "$TMP/p$i" > "$TMP/out$i" &
  fi
done
wait

# A hook that waited past the bounded lock wait left its record in spill/, for the next writer
# to move into the log: those count too (the late-writer case below checks the move).
set -- "$LOG"* "$HOME/.claude/execution-telemetry.d/spill/"*.jsonl
files="" spilled=0
for f in "$@"; do
  case "$f" in
    *.lock | *"/spill/*.jsonl") ;;
    */spill/*) files="$files $f" spilled=$((spilled + 1)) ;;
    *) files="$files $f" ;;
  esac
done
echo "# $spilled records were spilled (the lock was late for them) and not yet moved into the log"
# shellcheck disable=SC2086
total=$("$CHECK" validate $files 2> "$TMP/invalid") || true
check "$N concurrent hooks: every line of every file is a valid record" [ ! -s "$TMP/invalid" ]
check "$N records in all ($total)" [ "$total" = "$N" ]
# shellcheck disable=SC2086
distinct=$(for f in $files; do "$CHECK" get "$f" tool_use_id; done | sort -u | wc -l | tr -d ' ')
check "each tool call recorded exactly once ($distinct distinct)" [ "$distinct" = "$N" ]
rotated=$(ls "$LOG".* 2> /dev/null | grep -c '\.[0-9]*$' || true)
check "rotation happened during the run ($rotated rotated files)" [ "$rotated" -ge "$MIN_ROTATED" ]
big=0
for f in $files; do
  [ "$(wc -c < "$f")" -le 4096 ] || big=$((big + 1))
done
check "no file grew past the rotation size" [ "$big" -eq 0 ]
check "no hook printed anything" sh -c 'cat "$1"/out* | wc -c | grep -qx 0' sh "$TMP"
check "no secret value reached any file" sh -c '! grep -rq "pw-[0-9]" "$1"/.claude' sh "$HOME"
# A writer that holds the lock past the hooks' bounded wait (3 s): the late hooks exit 0 without
# writing the log, their records wait in the state directory's spill/, and the next hook that gets
# the lock moves them in. (flock -o: the lock is held by flock itself, released when it is killed.)
if command -v flock > /dev/null 2>&1; then
  SPILL="$HOME/.claude/execution-telemetry.d/spill"
  flock -o "$LOG.lock" sleep 100000 &
  holder=$!
  while flock -n "$LOG.lock" true; do sleep 0.1; done
  pids=""
  for i in 1 2 3; do
    printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"late %d"},"tool_use_id":"late%d","duration_ms":1}\n' \
      "$i" "$i" > "$TMP/late$i"
    "$HOOK" < "$TMP/late$i" > "$TMP/lateout$i" &
    pids="$pids $!"
  done
  rc=0
  for p in $pids; do wait "$p" || rc=1; done
  check "hooks kept waiting past the bounded wait exit 0 and print nothing" \
    sh -c '[ "$1" = 0 ] && [ ! -s "$2/lateout1" ] && [ ! -s "$2/lateout2" ] && [ ! -s "$2/lateout3" ]' sh "$rc" "$TMP"
  check "their 3 records wait in spill/ (0700), while the lock is still held" \
    sh -c '[ "$(ls "$1" | wc -l)" = 3 ] && [ "$(stat -c %a "$1")" = 700 ] && kill -0 "$2"' sh "$SPILL" "$holder"
  pkill -P "$holder" sleep 2> /dev/null || true
  kill "$holder" 2> /dev/null || true
  wait "$holder" 2> /dev/null || true
  printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"after"},"tool_use_id":"after1","duration_ms":1}\n' |
    "$HOOK" > /dev/null
  set -- "$LOG"*
  ids=$(for f in "$@"; do case "$f" in *.lock) ;; *) "$CHECK" get "$f" tool_use_id ;; esac; done)
  check "the next hook moved them into the log: all 4 records there, once each" \
    sh -c 'for id in late1 late2 late3 after1; do [ "$(printf "%s\n" "$1" | grep -cx "$id")" = 1 ] || exit 1; done' sh "$ids"
  check "spill/ is empty again" sh -c '[ -z "$(ls -A "$1")" ]' sh "$SPILL"
else
  ok "# SKIP flock(1) is not installed: the late-writer case is not run"
fi
tap_done
