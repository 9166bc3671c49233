#!/bin/sh
# Torture: what the log looks like after many writers, writers killed in the middle of a record,
# and a filesystem that fills up. Nothing here measures time.
#   1. 16 writers x 5,000 records through the hook's writer (et_log_append), rotation at 1 MiB:
#      every record exactly once across the log and its rotated files, every line valid.
#   2. 12 writers appending 50 KB records while some are killed with SIGKILL at random moments
#      (often while they hold the lock and write), 12 rounds: every record of a writer that was not
#      killed is there exactly once and whole; only killed writers leave torn lines, each a line of
#      its own.
#   3. telemetry-hook on a small tmpfs until it is full (as root where mount works; elsewhere a
#      file size limit stands in for it): every run exits 0 silently, no partial line anywhere.
# Under a memory checker (scripts/test's valgrind stage: $MESON_EXE_WRAPPER on this machine's own
# programs) log-torture runs under it too, its forked writers included, on smaller numbers: 4
# writers x 1,000 records with rotation at 48 KiB; 6 writers x 20 records of 50 KB, 3 killed, 3
# rounds; a 64 KiB tmpfs with rotation at 16 KiB (else a limit of 64 blocks). Each run under
# valgrind costs about a second, and the checks are the same.
# usage: torture.sh HOOK JSONL_CHECK DATA_DIR LOG_TORTURE
set -eu
HOOK=$1 CHECK=$2 DATA=$3 TORTURE=$4
. "$(dirname "$0")/lib.sh"
setup_home
if [ "$CROSS" = yes ]; then
  # 80,000 records, SIGKILL timing and a full filesystem test the log writer's use of the kernel,
  # not the CPU: under an emulator they are slow and prove nothing the native run does not.
  echo "ok 1 - torture # SKIP the programs run under an emulator ($MESON_EXE_WRAPPER)"
  echo "1..1"
  exit 0
fi
W=16 RECORDS=5000 ROTATE=1048576 KW=12 KRECORDS=40 KILLS=8 ROUNDS=12
FS=256k FS_ROTATE=64K LIMIT=256
if [ -n "${MESON_EXE_WRAPPER:-}" ]; then
  TORTURE=$(wrap_program "$TORTURE" log-torture)
  W=4 RECORDS=1000 ROTATE=49152 KW=6 KRECORDS=20 KILLS=3 ROUNDS=3
  FS=64k FS_ROTATE=16K LIMIT=64
fi
MNT=""
cleanup() {
  if [ -n "$MNT" ]; then umount "$MNT" 2> /dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# 1. Many writers, rotation.
mkdir "$TMP/w"
"$TORTURE" writers "$TMP/w/log.jsonl" "$W" "$RECORDS" 200 "$ROTATE" 40 > "$TMP/out" || true
tap_merge < "$TMP/out"
set -- "$TMP/w/log.jsonl" "$TMP/w/log.jsonl".[0-9]*
total=$("$CHECK" validate "$@" 2> "$TMP/invalid") || true
check "writers: jsonl-check agrees: $total valid records in $# files" \
  sh -c '[ "$1" = "$3" ] && [ ! -s "$2" ]' sh "$total" "$TMP/invalid" $((W * RECORDS))
check "writers: the log was rotated at least 10 times ($(($# - 1)) rotated files)" [ "$#" -ge 11 ]
big=0
for f in "$@"; do
  [ "$(wc -c < "$f")" -le "$ROTATE" ] || big=$((big + 1))
done
check "writers: no file grew past $ROTATE bytes" [ "$big" -eq 0 ]
rm -rf "$TMP/w"

# 2. Writers killed in the middle of 50 KB records.
mkdir "$TMP/k"
"$TORTURE" kill "$TMP/k/log.jsonl" "$KW" "$KRECORDS" 50000 "$KILLS" "$ROUNDS" > "$TMP/out" || true
tap_merge < "$TMP/out"
rm -rf "$TMP/k"

# 3. A full filesystem.
mkdir "$TMP/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o "size=$FS,mode=0700" tmpfs "$TMP/small" 2> /dev/null; then
  MNT="$TMP/small"
  how="a $FS tmpfs, rotation at $FS_ROTATE"
  limit=""
  export EXECUTION_TELEMETRY_ROTATE_BYTES=$FS_ROTATE
else
  how="a file size limit of $LIMIT blocks (no tmpfs mount here)"
  limit=$LIMIT
  ok "full filesystem: a real one # SKIP needs root and mount -t tmpfs"
fi
export EXECUTION_TELEMETRY_LOG="$TMP/small/log.jsonl" EXECUTION_TELEMETRY_MAX_CHARS=2000
mkdir -m 700 "$TMP/small/execution-telemetry.d"
cp "$DATA/test.key" "$TMP/small/execution-telemetry.d/key"
chmod 600 "$TMP/small/execution-telemetry.d/key"
long=$(head -c 1400 /dev/zero | tr '\0' 'f')
runs=0 silent=0 same=0 before=-1
# Until the files stop growing: 20 runs in a row that add nothing.
while [ "$same" -lt 20 ] && [ "$runs" -lt 1000 ]; do
  runs=$((runs + 1))
  printf '{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo %s"},"tool_use_id":"full%d","duration_ms":1}' "$long" "$runs" > "$TMP/p"
  set +e
  if [ -n "$limit" ]; then
    (ulimit -f "$limit" && "$HOOK" < "$TMP/p" > "$TMP/stdout" 2>&1)
  else
    "$HOOK" < "$TMP/p" > "$TMP/stdout" 2>&1
  fi
  RC=$?
  set -e
  if hook_was_silent; then silent=$((silent + 1)); fi
  now=$(cat "$TMP/small"/log.jsonl* | wc -c)
  if [ "$now" -eq "$before" ]; then same=$((same + 1)); else same=0; fi
  before=$now
done
set --
for f in "$TMP/small/log.jsonl" "$TMP/small/log.jsonl".[0-9]*; do
  if [ -e "$f" ]; then set -- "$@" "$f"; fi
done
written=$("$CHECK" validate "$@" 2> "$TMP/invalid") || true
echo "# full filesystem ($how): $runs runs, $written records in $# files, full after $((runs - 20))"
check "full filesystem: it filled up ($runs runs)" [ "$runs" -lt 1000 ]
check "full filesystem: every run exited 0 with nothing on stdout or stderr" [ "$silent" = "$runs" ]
check "full filesystem: every line of every file is a whole valid record ($written)" \
  sh -c '[ ! -s "$1" ] && [ "$2" -gt 0 ]' sh "$TMP/invalid" "$written"
torn=0
for f in "$@"; do
  [ ! -s "$f" ] || [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || torn=$((torn + 1))
done
check "full filesystem: every file ends with a newline" [ "$torn" -eq 0 ]
tap_done
