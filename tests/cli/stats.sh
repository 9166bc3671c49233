#!/bin/sh
# telemetry-stats on fixture logs: the goldens, the hand-checked answers, every filter, the
# output formats, determinism, and the error paths (missing, empty, malformed and old logs).
# usage: stats.sh STATS JSONL_CHECK DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
STATS=$(abs_path "$1") CHECK=$(abs_path "$2") DATA=$3
setup_home
# Relative paths, so the goldens' input.files do not depend on where the tree is.
cd "$DATA"
F=stats/fixture.jsonl
E=stats

field() { "$CHECK" get "$TMP/out" "$1"; }

run stats --log "$F" --json
check "stats --json matches the golden" diff -u "$E/stats.json" "$TMP/out"
cp "$TMP/out" "$TMP/stats.json"
run patterns --log "$F" --json --min-count 1 --top 50
check "patterns --json matches the golden" diff -u "$E/patterns.json" "$TMP/out"
cp "$TMP/out" "$TMP/patterns.json"
if command -v python3 > /dev/null 2>&1; then
  python3 "$HERE/stats_expect.py" "$TMP/stats.json" "$TMP/patterns.json" > "$TMP/expect" || true
  tap_merge < "$TMP/expect"
else
  not_ok "hand-checked answers need python3 (scripts/test installs it)"
fi
run stats --log "$F" --markdown
check "stats --markdown matches the golden" diff -u "$E/stats.md" "$TMP/out"
run patterns --log "$F" --markdown --min-count 2
check "patterns --markdown matches the golden" diff -u "$E/patterns.md" "$TMP/out"
run stats --log "$F" --color never
check "stats text matches the golden" diff -u "$E/stats.txt" "$TMP/out"
run stats --log "$F" --color always
check "--color always colours the headers" grep -q "$(printf '\033')\[1m" "$TMP/out"
NO_COLOR=1 "$STATS" stats --log "$F" > "$TMP/out"
check "NO_COLOR (and no terminal): no escape codes" sh -c '! grep -q "$(printf "\033")" "$1"' sh "$TMP/out"
"$STATS" stats --log "$F" --json > "$TMP/a"
"$STATS" stats --log "$F" --json > "$TMP/b"
check "same input, same output" cmp -s "$TMP/a" "$TMP/b"

# Filters.
run stats --log "$F" --json --session sB
check "--session sB: 4 calls" [ "$(field total_calls)" = 4 ]
CLAUDE_CODE_SESSION_ID=sA "$STATS" stats --log "$F" --json --session current > "$TMP/out"
check "--session current reads CLAUDE_CODE_SESSION_ID: 11 calls" [ "$(field total_calls)" = 11 ]
set +e
env -u CLAUDE_CODE_SESSION_ID "$STATS" stats --log "$F" --session current > /dev/null 2> "$TMP/err"
RC=$?
set -e
check "--session current without CLAUDE_CODE_SESSION_ID: usage error" [ "$RC" = 2 ]
run stats --log "$F" --json --project /p/a
check "--project /p/a: 11 calls" [ "$(field total_calls)" = 11 ]
run stats --log "$F" --json --project /p
check "--project /p: both sessions, 15 calls" [ "$(field total_calls)" = 15 ]
run stats --log "$F" --json --project /p/ab
check "--project /p/ab does not match /p/a" [ "$(field total_calls)" = 0 ]
run stats --log "$F" --json --tool Edit
check "--tool Edit: 3 calls" [ "$(field total_calls)" = 3 ]
run stats --log "$F" --json --since 2026-11-20T10:03:00Z
check "--since an ISO time: the 6 calls at or after it" [ "$(field total_calls)" = 6 ]
run stats --log "$F" --json --until 2026-11-20T10:03:00Z
check "--until the same time: the other 9" [ "$(field total_calls)" = 9 ]
run stats --log "$F" --json --since 1h --now 2026-11-20T10:30:00Z
check "--since 1h relative to --now: all 15" [ "$(field total_calls)" = 15 ]
run stats --log "$F" --since 1h --now 2026-11-20T12:00:00Z
check "a window with no calls: an empty report, exit 0" \
  sh -c '[ "$1" = 0 ] && grep -q "No tool calls recorded for these filters" "$2"' sh "$RC" "$TMP/out"
run stats --log "$F" --json --since 2026-11-21
check "--since a date (UTC midnight) after the log: 0 calls" [ "$(field total_calls)" = 0 ]
run patterns --log "$F" --json --min-count 1 --tool Bash
check "patterns --tool Bash: every chain involves Bash" \
  sh -c '! "$1" get "$2" chains | grep -v "^\[\]$" | tr "}" "\n" | grep "\"tools\"" | grep -v Bash' sh "$CHECK" "$TMP/out"
run stats --log "$F" --failures
check "--failures shows only the failure sections" sh -c '! grep -q "Per tool" "$1" && grep -q "Top failures" "$1"' sh "$TMP/out"
run stats --log "$F" --slow
check "--slow shows only the slowest calls" sh -c '! grep -q "Top failures" "$1" && grep -q "Slowest calls" "$1"' sh "$TMP/out"

# Inputs.
mkdir -p "$TMP/logs"
cp "$F" "$TMP/logs/a.jsonl"
cp "$F" "$TMP/logs/a.jsonl.1"
run stats --log "$TMP/logs" --json
check "--log DIR reads its logs and their rotated files: 30 calls" [ "$(field total_calls)" = 30 ]
run stats --log "$F" --log "$F" --json
check "--log twice: 30 calls" [ "$(field total_calls)" = 30 ]
run stats --log "$TMP/nope.jsonl"
check "an explicit missing log: exit 1 with a message" \
  sh -c '[ "$1" = 1 ] && grep -q "cannot read log .*nope.jsonl" "$2"' sh "$RC" "$TMP/err"
HOME="$TMP/empty-home" run stats
check "no log yet (default path): exit 0, a note, an empty report" \
  sh -c '[ "$1" = 0 ] && grep -q "no log at" "$2" && grep -q "No tool calls recorded yet" "$3"' sh "$RC" "$TMP/err" "$TMP/out"
: > "$TMP/empty.jsonl"
run patterns --log "$TMP/empty.jsonl"
check "an empty log: an empty patterns report, exit 0" \
  sh -c '[ "$1" = 0 ] && grep -q "No tool calls recorded yet" "$2"' sh "$RC" "$TMP/out"
# The old plugin's format (no "v"): its own 3 records (latency 0) and 2 from another hook that
# writes the same format with real latencies (89 and 1250.5 ms).
run stats --log stats/old-format.jsonl --json
check "the old format's log: 5 calls read" [ "$(field total_calls)" = 5 ]
check "old records counted as such" [ "$("$CHECK" get "$TMP/out" input | tr ',' '\n' | grep -c '"old_format_records":5')" = 1 ]
check "old latencies of 0 are unknown, the others are latencies: 2, avg 669.75, p50 89, max 1250.5" \
  grep -q '"latency_ms":{"count":2,"avg":669.75,"p50":89,"p95":1250.5,"p99":1250.5,"max":1250.5}' "$TMP/out"
check "per tool too: Bash has 1 latency (1250.5), Read 1 (89)" \
  sh -c 'grep -q "\"tool\":\"Bash\",\"calls\":3,[^]]*\"latency_ms\":{\"count\":1,\"avg\":1250.5" "$1" &&
    grep -q "\"tool\":\"Read\",\"calls\":2,[^]]*\"latency_ms\":{\"count\":1,\"avg\":89" "$1"' sh "$TMP/out"
check "old 'unknown' sessions count as one" [ "$(field sessions)" = 1 ]
run stats --log stats/old-format.jsonl
check "the text report says what the old format's 0 means" \
  grep -q "note: 5 records without \"v\", read in the old plugin's format (a latency of 0 is unknown)" "$TMP/out"

# Numbers no tool takes, from logs written elsewhere: read as unknown latencies and counted;
# every report ends (report --html looped for ever on 1e308).
grep '"outcome":"success".*"latency_ms":[0-9]' "$F" | sed -n 1,4p > "$TMP/calls.jsonl"
{
  sed -n 1p "$TMP/calls.jsonl" | sed 's/"latency_ms":[0-9.]*/"latency_ms":1e308/'
  sed -n 2p "$TMP/calls.jsonl" | sed 's/"latency_ms":[0-9.]*/"latency_ms":-3/'
  sed -n 3p "$TMP/calls.jsonl" | sed 's/"latency_ms":[0-9.]*/"latency_ms":1e999999/'
  sed -n 4p "$TMP/calls.jsonl"
  sed -n 4p "$TMP/calls.jsonl" | sed 's/"v":1,/"v":1e999999,/'
} > "$TMP/absurd.jsonl"
check "the absurd log has 3 absurd latencies and a bad version" \
  [ "$(grep -c '"latency_ms":\(1e308\|-3\|1e999999\)' "$TMP/absurd.jsonl")" = 3 ]
run stats --log "$TMP/absurd.jsonl" --json
check "absurd latencies: the records are read, 3 counted as bad_latency_records, 1 bad line skipped" \
  sh -c '[ "$1" = 0 ] && grep -q "\"records\":4,\"skipped_lines\":1,\"old_format_records\":0,\"bad_latency_records\":3}" "$2"' sh "$RC" "$TMP/out"
check "and only the sane latency is one" grep -q '"latency_ms":{"count":1,' "$TMP/out"
run stats --log "$TMP/absurd.jsonl"
check "the text report says so" \
  grep -q "note: 3 records with a latency_ms out of range (negative, over 30 days, or not a number): latency unknown" "$TMP/out"
run report --log "$TMP/absurd.jsonl" --html "$TMP/absurd.html"
check "report --html on them ends, exit 0, and says so in the footer" \
  sh -c '[ "$1" = 0 ] && grep -q "3 records with a latency_ms out of range" "$2"' sh "$RC" "$TMP/absurd.html"
# Terminal escapes in a tool name or an error: shown as \xHH (C1 controls as \u00HH), never sent
# raw, in text and Markdown (a tool name could retitle the terminal and clear the screen).
E='"v":1,"event":"PostToolUseFailure","agent":"claude-code","session_id":"s","outcome":"failure"'
cat > "$TMP/esc.jsonl" << EOF
{$E,"timestamp":"2026-11-20T10:00:00.000Z","tool_name":"T\u001b]0;pwned\u0007x","error":"\u001b[2J\u001b[Hcleared\u009b31m","latency_ms":5}
{$E,"timestamp":"2026-11-20T10:00:01.000Z","tool_name":"T\u001b]0;pwned\u0007x","error":"bell\u0007\u007f","latency_ms":7}
EOF
for fmt in text markdown; do
  for cmd in "stats" "patterns --min-count 1"; do
    # shellcheck disable=SC2086
    run $cmd --log "$TMP/esc.jsonl" --format $fmt --color never
    check "$cmd $fmt: no raw ESC, BEL, DEL or C1 control reaches the terminal" \
      sh -c '[ "$2" = 0 ] && grep -q "T.x1b" "$1" &&
        ! LC_ALL=C grep -q "$(printf "[\033\007\177]")" "$1" && ! grep -q "$(printf "\302\233")" "$1"' \
      sh "$TMP/out" "$RC"
  done
  run stats --log "$TMP/esc.jsonl" --format $fmt --color never
  check "stats $fmt: they are shown as \\x1b and \\x07 (tool), \\u009b (error signature)" \
    sh -c 'grep -qF "T\\x1b]0;pwned\\x07x" "$1" && grep -qF "cleared\\u009b" "$1"' sh "$TMP/out"
done
run stats --log "$TMP/esc.jsonl" --tool "$(printf 'T\033]0;pwned\007x')" --color never
check "a filter's value is shown the same way" \
  sh -c 'grep -qF "tool T\\x1b]0;pwned\\x07x" "$1" && ! LC_ALL=C grep -q "$(printf "\033")" "$1"' sh "$TMP/out"
run stats --log /dev/zero
check "--log /dev/zero: refused at once, exit 1 with a message" \
  sh -c '[ "$1" = 1 ] && grep -q "/dev/zero.: not a regular file or a pipe" "$2"' sh "$RC" "$TMP/err"
printf '\357\273\277' > "$TMP/bom.jsonl"
cat "$F" >> "$TMP/bom.jsonl"
run stats --log "$TMP/bom.jsonl" --json
check "a log opening with a UTF-8 byte order mark: its first record is read (15 calls, 2 skipped as without it)" \
  sh -c '[ "$("$1" get "$2" total_calls)" = 15 ] && grep -q "\"skipped_lines\":2," "$2"' sh "$CHECK" "$TMP/out"
EXECUTION_TELEMETRY_LOG="$F" "$STATS" stats --json > "$TMP/out"
check "EXECUTION_TELEMETRY_LOG is the default log" [ "$(field total_calls)" = 15 ]

# A log truncated while it is read (a copy-and-truncate rotation): a message and exit 1 (or the
# report, when the read ended first), never death by a signal. Each round truncates the log as
# soon as the reader has mapped it (seen in /proc/PID/maps on Linux), until the truncation has hit
# a read in progress 3 times, 20 rounds at most.
cp "$F" "$TMP/big.jsonl"
while [ "$(wc -c < "$TMP/big.jsonl")" -lt 50000000 ]; do
  cat "$TMP/big.jsonl" "$TMP/big.jsonl" > "$TMP/big2.jsonl"
  mv "$TMP/big2.jsonl" "$TMP/big.jsonl"
done
hits=0 rounds=0 died=0 other=0
while [ "$hits" -lt 3 ] && [ "$rounds" -lt 20 ]; do
  rounds=$((rounds + 1))
  cp "$TMP/big.jsonl" "$TMP/rot.jsonl"
  "$STATS" stats --log "$TMP/rot.jsonl" --json > /dev/null 2> "$TMP/err" &
  pid=$!
  while [ -r "/proc/$pid/maps" ] && ! grep -q rot.jsonl "/proc/$pid/maps" 2> /dev/null; do
    case $(cut -d' ' -f3 "/proc/$pid/stat" 2> /dev/null) in Z | X | '') break ;; esac
  done
  : > "$TMP/rot.jsonl"
  set +e
  wait "$pid"
  RC=$?
  set -e
  if [ "$RC" -gt 128 ]; then
    died=$((died + 1))
  elif grep -q "rot.jsonl' shrank while it was being read" "$TMP/err" && [ "$RC" = 1 ]; then
    hits=$((hits + 1))
  elif [ "$RC" != 0 ]; then
    other=$((other + 1))
  fi
done
rm -f "$TMP/big.jsonl" "$TMP/rot.jsonl"
check "a log truncated while read: no run died of a signal ($died of $rounds)" [ "$died" = 0 ]
check "and no run failed another way ($other of $rounds)" [ "$other" = 0 ]
if [ -d /proc/self ]; then
  check "the truncation hit a read in progress ($hits times): exit 1, 'shrank while it was being read'" [ "$hits" -ge 1 ]
else
  ok "the truncation hit a read in progress # SKIP no /proc to see when the log is mapped"
fi

# Usage errors and output errors.
for args in "stats --top 0" "stats --format xml" "stats --since yesterday" "nosuch" "stats --failures --slow" "patterns --failures"; do
  set +e
  # shellcheck disable=SC2086
  "$STATS" $args --log "$F" > /dev/null 2>&1
  RC=$?
  set -e
  check "usage error for '$args' (exit 2)" [ "$RC" = 2 ]
done
set +e
"$STATS" stats --log "$F" > /dev/full 2> "$TMP/err"
RC=$?
set -e
check "a report that cannot be written: exit 1" [ "$RC" = 1 ]
printf '%s\n' "--tool 'Edit' --json --top \"2\"" | "$STATS" stats --log "$F" --args-stdin > "$TMP/out"
check "--args-stdin: quoted words from stdin are options (--tool Edit: 3 calls)" [ "$(field total_calls)" = 3 ]
printf '%s\n' '--tool $(touch '"$TMP"'/pwned);x' | "$STATS" stats --log "$F" --args-stdin > /dev/null 2>&1 || true
check "--args-stdin never runs what it is given" [ ! -e "$TMP/pwned" ]
set +e
printf '%s\n' "--tool \"Ed'it" | "$STATS" stats --log "$F" --args-stdin > /dev/null 2> "$TMP/err"
RC=$?
set -e
check "--args-stdin: an unterminated quote is a usage error" \
  sh -c '[ "$1" = 2 ] && grep -q "unterminated quote" "$2"' sh "$RC" "$TMP/err"
printf -- '--tool\n  Edit\n--json\n' | "$STATS" stats --log "$F" --args-stdin > "$TMP/out"
check "--args-stdin: newlines separate words like spaces (--tool Edit over three lines: 3 calls)" \
  [ "$(field total_calls)" = 3 ]
# 65,536 bytes is the bound: spaces up to it are read; one byte more is refused, not cut.
{ head -c $((65536 - 18)) /dev/zero | tr '\0' ' '; printf -- '--tool Edit --json'; } |
  "$STATS" stats --log "$F" --args-stdin > "$TMP/out"
check "--args-stdin: 64 KiB of arguments are read whole" [ "$(field total_calls)" = 3 ]
set +e
{ head -c 65536 /dev/zero | tr '\0' ' '; printf -- '--tool Edit'; } |
  "$STATS" stats --log "$F" --args-stdin > "$TMP/out" 2> "$TMP/err"
RC=$?
set -e
check "--args-stdin: more than 64 KiB is a usage error naming the bound, and no report" \
  sh -c '[ "$1" = 2 ] && grep -q "more than 65536 bytes" "$2" && [ ! -s "$3" ]' sh "$RC" "$TMP/err" "$TMP/out"
set +e
printf -- '--tool Edit\0--json' | "$STATS" stats --log "$F" --args-stdin > "$TMP/out" 2> "$TMP/err"
RC=$?
set -e
check "--args-stdin: a NUL byte is a usage error, not a cut" \
  sh -c '[ "$1" = 2 ] && grep -q "NUL byte" "$2" && [ ! -s "$3" ]' sh "$RC" "$TMP/err" "$TMP/out"
check "--help lists the filters" sh -c '"$1" stats --help | grep -q -- "--since WHEN"' sh "$STATS"
tap_done
