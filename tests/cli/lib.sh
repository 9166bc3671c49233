# Shared helpers for the CLI tests (POSIX sh). Each test prints TAP: "ok - …" / "not ok - …"
# lines and a plan at the end (tap_done).
#   $HOOK   the telemetry-hook binary     $CHECK  the jsonl-check tool     $DATA  tests/data
# With $MESON_EXE_WRAPPER set (a command and its options, split on blanks), setup_home makes $HOOK
# and $STATS run under it (the programs themselves stay in $HOOK_REAL and $STATS_REAL): scripts/test
# runs the CLI suite under valgrind this way, naming each run's log after $ET_CLI_TEST, the test's
# name, which setup_home exports (--log-file=...%q{ET_CLI_TEST}...). When the programs are built
# for another CPU (a cross build: meson sets $MESON_EXE_WRAPPER to the emulator,
# qemu-aarch64-static), the test tools built with them ($CHECK, $TORTURE) run under it too, and
# $CROSS is "yes".

T=0
FAILED=0
# HERE: the folder of the test script ($0), for the helper scripts next to it.
HERE=$(cd "$(dirname "$0")" && pwd)

# abs_path PATH: PATH made absolute (links in its folder resolved), for a test that changes folder.
abs_path() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }

ok() { T=$((T + 1)); echo "ok $T - $*"; }
not_ok() { T=$((T + 1)); FAILED=$((FAILED + 1)); echo "not ok $T - $*"; }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
  desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# Feeds TAP lines without numbers (from jsonl-check compare) into our count.
tap_merge() {
  while IFS= read -r l; do
    case "$l" in
      "ok - "*) ok "${l#ok - }" ;;
      "not ok - "*) not_ok "${l#not ok - }" ;;
      *) echo "$l" ;;
    esac
  done
}

tap_done() {
  echo "1..$T"
  [ "$FAILED" -eq 0 ]
}

# A private HOME with the fixed test key, so fingerprints are reproducible.
setup_home() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-cli.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  export HOME="$TMP/home"
  mkdir -p "$HOME/.claude/execution-telemetry.d"
  chmod 700 "$HOME/.claude/execution-telemetry.d"
  cp "$DATA/test.key" "$HOME/.claude/execution-telemetry.d/key"
  chmod 600 "$HOME/.claude/execution-telemetry.d/key"
  LOG="$HOME/.claude/execution-telemetry.jsonl"
  ET_CLI_TEST=$(basename "$0" .sh)
  export ET_CLI_TEST
  if [ -n "${MESON_EXE_WRAPPER:-}" ]; then
    mkdir "$TMP/wrapped"
    HOOK_REAL=${HOOK:-} STATS_REAL=${STATS:-}
    [ -z "${HOOK:-}" ] || HOOK=$(wrap_program "$HOOK" telemetry-hook)
    [ -z "${STATS:-}" ] || STATS=$(wrap_program "$STATS" telemetry-stats)
    if foreign_binary "${HOOK_REAL:-${STATS_REAL:-}}"; then
      CROSS=yes
      [ -z "${CHECK:-}" ] || CHECK=$(wrap_program "$CHECK" jsonl-check)
      [ -z "${TORTURE:-}" ] || TORTURE=$(wrap_program "$TORTURE" log-torture)
    fi
  fi
  unset EXECUTION_TELEMETRY_LOG EXECUTION_TELEMETRY_STATE_DIR EXECUTION_TELEMETRY_RULES \
    EXECUTION_TELEMETRY_SKIP_TOOLS EXECUTION_TELEMETRY_MAX_CHARS EXECUTION_TELEMETRY_ROTATE_BYTES \
    EXECUTION_TELEMETRY_ROTATE_KEEP EXECUTION_TELEMETRY_DISABLE EXECUTION_TELEMETRY_CONFIG \
    EXECUTION_TELEMETRY_DEBUG CLAUDE_CONFIG_DIR
  export EXECUTION_TELEMETRY_NOW=2026-11-21T14:00:00.000Z
}

# setup_stats STATS DATA_DIR: for a test of telemetry-stats whose first two arguments are these:
# sets $STATS and $DATA, both made absolute (the test may change folder), then runs setup_home,
# which must come after $STATS is set to wrap it.
setup_stats() {
  STATS=$(abs_path "$1") DATA=$(abs_path "$2")
  setup_home
}

CROSS=no

# foreign_binary PATH: true when the ELF program at PATH is for another machine than this shell's
# (their e_machine fields differ), so it can only run under $MESON_EXE_WRAPPER.
foreign_binary() {
  [ -n "$1" ] && [ -f "$1" ] || return 1
  [ "$(od -An -tx1 -j18 -N2 "$1")" != "$(od -An -tx1 -j18 -N2 "$(command -v sh)")" ]
}

# wrap_program PATH NAME: prints the path of a script named NAME that runs PATH under
# $MESON_EXE_WRAPPER with the arguments it is given.
wrap_program() {
  case "$1" in
    /*) real=$1 ;;
    *) real=$(pwd)/$1 ;;
  esac
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$MESON_EXE_WRAPPER" "$real" > "$TMP/wrapped/$2"
  chmod +x "$TMP/wrapped/$2"
  echo "$TMP/wrapped/$2"
}

# run_hook INPUT [ARGS...]: runs the hook on INPUT; sets RC; stdout goes to $TMP/stdout.
run_hook() {
  input=$1
  shift
  set +e
  "$HOOK" "$@" < "$input" > "$TMP/stdout" 2> "$TMP/stderr"
  RC=$?
  set -e
}

# run ARGS...: runs telemetry-stats ($STATS); stdout in $TMP/out, stderr in $TMP/err, status in RC.
run() {
  set +e
  "$STATS" "$@" > "$TMP/out" 2> "$TMP/err"
  RC=$?
  set -e
}

# check_value_missing SUBCOMMAND ARGS... OPTION: telemetry-stats SUBCOMMAND with OPTION last and
# its value missing exits 2, and the first line of stderr names OPTION.
check_value_missing() {
  run "$@"
  eval "option=\${$#}"
  check "an own option without its value: exit 2, said" \
    sh -c '[ "$1" = 2 ] && [ "$(head -n 1 "$2")" = "$3" ]' \
    sh "$RC" "$TMP/err" "telemetry-stats $1: a value is missing after '$option'"
}

# hook_was_silent: exit 0 and nothing on stdout.
hook_was_silent() { [ "$RC" -eq 0 ] && [ ! -s "$TMP/stdout" ]; }

# hook_each_payload FILE NAME: runs the hook once for each line of FILE, one process a payload as
# the agent runs it; checks that every run exited 0 with nothing on stdout (the check's name
# starts with NAME) and that every line of the log is a valid record.
hook_each_payload() {
  N=0 silent=yes
  while IFS= read -r payload; do
    N=$((N + 1))
    printf '%s\n' "$payload" > "$TMP/payload"
    run_hook "$TMP/payload"
    hook_was_silent || silent="no (payload $N: exit $RC)"
  done < "$1"
  check "$2 ($N payloads): every run exited 0 with nothing on stdout ($silent)" [ "$silent" = yes ]
  check "every line is a valid record" sh -c '"$1" validate "$2" > /dev/null' sh "$CHECK" "$LOG"
}

lines_of() { if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }
