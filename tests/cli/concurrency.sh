#!/bin/sh
# Concurrency: many hook processes write at once (as parallel tool calls fire them), with rotation
# forced small so it happens many times during the run. Every record must be present exactly once
# across the log and its rotated files, and every line must be valid JSON.
# usage: concurrency.sh HOOK JSONL_CHECK DATA_DIR [PROCESSES]
set -eu
HOOK=$1 CHECK=$2 DATA=$3 N=${4:-300}
. "$(dirname "$0")/lib.sh"
setup_home
# Under a wrapper (valgrind: ~1 s and ~100 MB a process, 20 to 50 times slower) the writers wait
# for the lock past the hook's bounded wait and drop records by design: there they run one after
# another, which still writes, rotates and checks every record, for the memory checker's sake.
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

set -- "$LOG"*
files=""
for f in "$@"; do
  case "$f" in *.lock) ;; *) files="$files $f" ;; esac
done
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
tap_done
