#!/bin/sh
# The plugin as installed from the repository, without the CLI: plugin/scripts/session-start.sh (the
# SessionStart hook that builds the programs or says what to install) on fake plugin roots, and the
# hooks' guard of plugin/hooks/from-source.json (exit 0 silently without the program, exec it
# with the payload on stdin when it is there). The real build and the real CLI are
# tests/e2e/from-source.mjs.
# usage: plugin-setup.sh SOURCE_ROOT
set -eu
SRC=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-plugin-setup.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
SCRIPT=$SRC/plugin/scripts/session-start.sh
export CLAUDE_PLUGIN_DATA="$TMP/data"

# start ROOT SESSION [ENV...]: runs the hook as Claude Code would; RC, OUT, ERR.
start() {
  root=$1 session=$2
  shift 2
  set +e
  printf '{"session_id":"%s","hook_event_name":"SessionStart","source":"startup"}\n' "$session" |
    env "$@" sh "$SCRIPT" "$root" > "$TMP/out" 2> "$TMP/err"
  RC=$?
  set -e
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}
# message: the systemMessage of the last run ("" when it printed nothing); fails on anything else.
message() {
  python3 -c 'import json,sys
t=open(sys.argv[1]).read()
if t == "": print(""); sys.exit(0)
lines=t.split("\n")
assert len(lines) == 2 and lines[1] == "", "not one line"
o=json.loads(lines[0]); assert list(o) == ["systemMessage"], o
print(o["systemMessage"])' "$TMP/out"
}
# A PATH of links to the named programs only.
path_of() {
  d=$TMP/path-$1
  shift
  mkdir -p "$d"
  for p in "$@"; do
    w=$(command -v "$p" 2> /dev/null) && ln -sf "$w" "$d/$p"
  done
  echo "$d"
}
BASE="sh head tr sed mkdir id cat sleep rm date cp mv"

# --- built: nothing to do -------------------------------------------------------------------
mkdir -p "$TMP/built/bin"
printf '#!/bin/sh\nexit 0\n' > "$TMP/built/bin/telemetry-hook"
cp "$TMP/built/bin/telemetry-hook" "$TMP/built/bin/telemetry-stats"
chmod +x "$TMP/built/bin/"*
start "$TMP/built" s-1
check "built: exit 0, nothing printed" [ "$RC" -eq 0 -a -z "$OUT" -a -z "$ERR" ]

# --- missing: the one line, once per session ------------------------------------------------
mkdir -p "$TMP/fresh"
NOMESON=$(path_of nomeson $BASE apt-get ninja cc pkg-config)
if command -v pkg-config > /dev/null 2>&1 && pkg-config --exists libsodium libpcre2-8 libcjson; then
  start "$TMP/fresh" s-2 PATH="$NOMESON"
  msg=$(message)
  case $msg in
    *"building its programs needs meson; install it with: "*"apt-get install -y meson (the next session builds them)")
      ok "no meson: one line naming meson and the apt-get command ($msg)" ;;
    *) not_ok "no meson: one line naming meson and the apt-get command ($msg)" ;;
  esac
  check "no meson: exit 0, nothing on stderr" [ "$RC" -eq 0 -a -z "$ERR" ]
  start "$TMP/fresh" s-2 PATH="$NOMESON"
  check "no meson: the same session is not told twice" [ "$RC" -eq 0 -a -z "$OUT" ]
  start "$TMP/fresh" s-3 PATH="$NOMESON"
  check "no meson: another session is told" [ -n "$(message)" ]
else
  ok "# SKIP the build libraries are not installed here: the no-meson case needs them"
fi
BARE=$(path_of bare $BASE)
start "$TMP/fresh" s-4 PATH="$BARE"
msg=$(message)
case $msg in
  *"needs meson, ninja, a C compiler, pkg-config, libsodium, PCRE2, cJSON; install them with: your package manager (for the libraries, their development files) (the next session builds them)")
    ok "nothing there, no package manager: every piece named ($msg)" ;;
  *) not_ok "nothing there, no package manager: every piece named ($msg)" ;;
esac
check "nothing there: nothing built, no lock" [ ! -e "$TMP/fresh/bin" -a ! -e "$TMP/fresh/.plugin-build.lock" ]
start "$TMP/fresh" '../../evil' PATH="$BARE"
check "a session id with a slash: told, no mark outside the data directory" \
  [ -n "$(message)" -a ! -e "$TMP/evil" -a ! -e "$TMP/data/../../evil" ]

# --- the lock ---------------------------------------------------------------------------------
FULL=$(path_of full $BASE meson ninja cc gcc pkg-config)
mkdir -p "$TMP/locked/.plugin-build.lock"
sleep 60 &
holder=$!
echo "$holder" > "$TMP/locked/.plugin-build.lock/pid"
# The holder "finishes" after a second: the programs appear.
(sleep 1 && mkdir -p "$TMP/locked/bin" && cp "$TMP/built/bin/"* "$TMP/locked/bin/") &
start "$TMP/locked" s-5 PATH="$FULL"
check "another session's build: waited for, then silent, no build of its own" \
  [ "$RC" -eq 0 -a -z "$OUT" -a ! -e "$TMP/locked/.plugin-build.log" ]
rm -rf "$TMP/locked/bin"
start "$TMP/locked" s-6 PATH="$FULL" ET_PLUGIN_BUILD_TIMEOUT=1
case $(message) in
  *"another session is still building its programs"*) ok "a build that takes too long: said, exit 0" ;;
  *) not_ok "a build that takes too long: said, exit 0 ($OUT)" ;;
esac
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true

# A lock whose process is gone is taken over; a build that fails is said, with its log.
if command -v meson > /dev/null 2>&1; then
  root="$TMP/stale \"q\" \\b"
  mkdir -p "$root/.plugin-build.lock"
  sh -c 'echo $$' > "$root/.plugin-build.lock/pid"
  printf "project('broken', 'c')\nerror('this build fails on purpose')\n" > "$root/meson.build"
  start "$root" s-7 PATH="$FULL"
  msg=$(message)
  case $msg in
    *"building its programs failed; see $root/.plugin-build.log") ok "stale lock taken over; the failed build said with its log, as valid JSON" ;;
    *) not_ok "stale lock taken over; the failed build said with its log, as valid JSON ($OUT)" ;;
  esac
  check "failed build: exit 0, the lock released, the log says why" \
    sh -c '[ "$1" -eq 0 ] && [ ! -e "$2/.plugin-build.lock" ] && grep -q "ERROR" "$2/.plugin-build.log"' \
    sh "$RC" "$root"
else
  ok "# SKIP meson is not installed: the failed-build case needs it"
fi

# --- the tool hooks' guard ------------------------------------------------------------------------
python3 - "$SRC/plugin/hooks/from-source.json" "$SRC/plugin/hooks/hooks.json" > "$TMP/guards" << 'PY'
import json, sys
h = json.load(open(sys.argv[1]))["hooks"]
built = json.load(open(sys.argv[2]))["hooks"]
assert sorted(h) == sorted(built), (sorted(h), sorted(built))
for ev in h:
    groups = h[ev]
    if ev == "SessionStart":
        (x,) = groups[0]["hooks"]
        assert x["command"] == "/bin/sh" and x["args"] == [
            "${CLAUDE_PLUGIN_ROOT}/plugin/scripts/session-start.sh", "${CLAUDE_PLUGIN_ROOT}"], x
        groups = groups[1:]
    (g,) = groups
    assert g.get("matcher") == built[ev][0].get("matcher"), (ev, g)
    (x,) = g["hooks"]
    assert x["type"] == "command" and x["command"] == "/bin/sh", x
    assert x["args"][2] == "${CLAUDE_PLUGIN_ROOT}/bin/telemetry-hook", x
    assert not x.get("async"), x
    print(x["args"][1])
PY
check "from-source.json: every event of hooks.json runs telemetry-hook through the guard, with the same matcher; SessionStart first runs session-start.sh" \
  [ "$(sort -u "$TMP/guards" | wc -l)" -eq 1 ]
guard=$(head -n 1 "$TMP/guards")
set +e
echo '{"payload":1}' | /bin/sh -c "$guard" "$TMP/fresh/bin/telemetry-hook" > "$TMP/out" 2>&1
RC=$?
set -e
check "guard, no program: exit 0, nothing printed" [ "$RC" -eq 0 -a ! -s "$TMP/out" ]
printf '#!/bin/sh\ncat > "%s"\nexit 3\n' "$TMP/got" > "$TMP/fake-hook"
chmod +x "$TMP/fake-hook"
set +e
echo '{"payload":2}' | /bin/sh -c "$guard" "$TMP/fake-hook"
RC=$?
set -e
check "guard, program there: it runs with the payload on stdin, its exit status kept" \
  [ "$RC" -eq 3 -a "$(cat "$TMP/got")" = '{"payload":2}' ]

tap_done
