#!/bin/sh
# telemetry-stats install-hooks / uninstall-hooks on real files in a private HOME: the settings an
# empty HOME gets (the end-to-end suite's, plus a timeout), idempotence, the backup, permissions,
# atomic replacement, --dry-run writing nothing, refusals leaving the file untouched, uninstall
# leaving everything else, and the registered command recording a real payload.
# usage: install.sh STATS HOOK DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
STATS=$(abs_path "$1") HOOK=$(abs_path "$2") DATA=$3
setup_home
SET=$HOME/.claude/settings.json

mode_of() { stat -c %a "$1"; }
inode_of() { stat -c %i "$1"; }
backups() { find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").bak-*" | wc -l | tr -d ' '; }
leftovers() { find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").tmp-*" | wc -l | tr -d ' '; }
py() { python3 - "$@"; }

if ! command -v python3 > /dev/null 2>&1; then
  not_ok "these checks need python3 (scripts/test installs it)"
  tap_done
  exit 1
fi

# The settings tests/e2e/e2e.mjs writes (hookSettings), with our timeout, as JSON.stringify(x, null,
# 2) prints them: what install-hooks must write into an empty HOME.
py "$HOOK" > "$TMP/expected.json" << 'EOF'
import json, sys
hook = sys.argv[1]
handler = {"type": "command", "command": hook, "args": [], "timeout": 10}
hooks = {}
for event in ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "SessionStart",
              "SessionEnd", "UserPromptSubmit", "Stop", "SubagentStart", "SubagentStop"]:
    no_matcher = event in ("PostToolBatch", "UserPromptSubmit", "Stop")
    hooks[event] = [{"hooks": [handler]}] if no_matcher else [{"matcher": "*", "hooks": [handler]}]
print(json.dumps({"hooks": hooks}, indent=2, ensure_ascii=False))
EOF

# ---- an empty HOME ----
rm -rf "$HOME/.claude"
run install-hooks --hook "$HOOK"
check "install-hooks into an empty HOME: exit 0" [ "$RC" = 0 ]
check "it writes exactly the end-to-end suite's settings (plus the timeout)" \
  cmp -s "$TMP/expected.json" "$SET"
check "a new settings.json is 0600" [ "$(mode_of "$SET")" = 600 ]
check "no backup of a file that did not exist" [ "$(backups "$SET")" = 0 ]
check "it says what it did" grep -q "PostToolBatch *added" "$TMP/out"
check "it says so for the session boundaries too" \
  sh -c 'grep -q "UserPromptSubmit *added" "$1" && grep -q "SubagentStop *added" "$1"' sh "$TMP/out"
cp "$SET" "$TMP/first.json"
ino=$(inode_of "$SET")
run install-hooks --hook "$HOOK"
check "again: exit 0, nothing to change" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2"' \
  sh "$RC" "$TMP/out"
check "again: the file is the same file, byte for byte" \
  sh -c 'cmp -s "$1" "$2" && [ "$(stat -c %i "$2")" = "$3" ]' sh "$TMP/first.json" "$SET" "$ino"
check "again: no backup" [ "$(backups "$SET")" = 0 ]

# The default hook: the one beside telemetry-stats (in the build tree, ../hook/telemetry-hook).
run install-hooks --dry-run
check "default --hook: found from /proc/self/exe" \
  sh -c '[ "$1" = 0 ] && grep -qF "hook:     $2" "$3"' sh "$RC" "${HOOK_REAL:-$HOOK}" "$TMP/err"

# The registered command is a working hook: feed it a PostToolUse payload from a real session.
cmd=$(py "$SET" << 'EOF'
import json, sys
print(json.load(open(sys.argv[1]))["hooks"]["PostToolUse"][0]["hooks"][0]["command"])
EOF
)
grep '"hook_event_name":"PostToolUse"' "$DATA/claude-code-2.1.197-payloads.jsonl" | head -n 1 \
  > "$TMP/payload"
set +e
"$cmd" < "$TMP/payload" > "$TMP/hook.out" 2>&1
hrc=$?
set -e
check "the registered command records a PostToolUse payload" \
  sh -c '[ "$1" = 0 ] && [ ! -s "$2" ] && [ "$(wc -l < "$3")" -eq 1 ]' sh "$hrc" "$TMP/hook.out" \
  "$HOME/.claude/execution-telemetry.jsonl"

# ---- busy settings: other hooks, other settings, 0640 ----
cat > "$SET" << 'EOF'
{
  "model": "opus",
  "env": {"TOKEN_HINT": "v\u00e9", "N": "1"},
  "hooks": {
    "PostToolUse": [
      {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "/usr/local/bin/fmt", "timeout": 30}]},
      {"matcher": "*", "hooks": [{"type": "command", "command": "/old/place/telemetry-hook", "args": []}]}
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    "Notification": []
  },
  "permissions": {"allow": ["Bash(ls:*)"], "deny": []},
  "cleanupPeriodDays": 30
}
EOF
chmod 640 "$SET"
cp "$SET" "$TMP/orig.json"
ino=$(inode_of "$SET")

run install-hooks --hook "$HOOK" --dry-run
check "--dry-run: exit 0" [ "$RC" = 0 ]
check "--dry-run: the file is untouched, no backup, no temporary file" \
  sh -c 'cmp -s "$1" "$2" && [ "$3" = 0 ] && [ "$4" = 0 ]' sh "$TMP/orig.json" "$SET" \
  "$(backups "$SET")" "$(leftovers "$SET")"
cp "$TMP/out" "$TMP/dry.json"

run install-hooks --hook "$HOOK"
check "install-hooks into busy settings: exit 0" [ "$RC" = 0 ]
check "--dry-run printed exactly what was then written" cmp -s "$TMP/dry.json" "$SET"
check "the old path is replaced" grep -q "PostToolUse *replaced" "$TMP/out"
check "one backup, byte for byte the original" \
  sh -c '[ "$(find "$1" -maxdepth 1 -name "settings.json.bak-*" | wc -l)" = 1 ] &&
    cmp -s "$2" "$1"/settings.json.bak-*' sh "$HOME/.claude" "$TMP/orig.json"
check "the backup is named by \$EXECUTION_TELEMETRY_NOW, not the clock, and that name printed" \
  sh -c 'cmp -s "$1.bak-20261121T140000Z" "$2" && grep -qx "backup:   $1.bak-20261121T140000Z" "$3"' \
  sh "$SET" "$TMP/orig.json" "$TMP/out"
check "permissions kept: 0640, and the backup too" \
  sh -c '[ "$(stat -c %a "$1")" = 640 ] && [ "$(stat -c %a "$2"/settings.json.bak-*)" = 640 ]' \
  sh "$SET" "$HOME/.claude"
check "replaced by rename (a new inode), no temporary file left" \
  sh -c '[ "$(stat -c %i "$1")" != "$2" ] && [ "$3" = 0 ]' sh "$SET" "$ino" "$(leftovers "$SET")"
py "$TMP/orig.json" "$SET" "$HOOK" > "$TMP/busy.tap" << 'EOF'
import json, sys
orig, new, hook = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
ok(list(new) == list(orig), "top-level keys and their order kept: " + ",".join(new))
ok(all(new[k] == orig[k] for k in orig if k != "hooks"), "every other setting kept as it was")
h = new["hooks"]
ok(h["PostToolUse"][0] == orig["hooks"]["PostToolUse"][0], "the other PostToolUse hook kept, first")
ok(h["Stop"][0] == orig["hooks"]["Stop"][0] and len(h["Stop"]) == 2,
   "the other Stop hook kept, first, ours after it")
ok(h["Notification"] == [], "an empty event of others' stays")
ok(h["SessionStart"] == [{"matcher": "*", "hooks": [{"type": "command", "command": hook, "args": [], "timeout": 10}]}],
   "ours added to SessionStart")
ok("matcher" not in h["Stop"][1] and h["SubagentStop"][0]["matcher"] == "*",
   "no matcher for Stop (it takes none), \"*\" for SubagentStop")
cmds = lambda ev: [x["command"] for g in h.get(ev, []) for x in g["hooks"]]
ok(all(cmds(ev).count(hook) == 1 for ev in ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch",
                                             "SessionStart", "SessionEnd", "UserPromptSubmit", "Stop",
                                             "SubagentStart", "SubagentStop"]),
   "ours registered once in each of the ten events")
ok("/old/place/telemetry-hook" not in cmds("PostToolUse"), "the old path is gone")
EOF
tap_merge < "$TMP/busy.tap"
cp "$SET" "$TMP/installed.json"
run install-hooks --hook "$HOOK"
check "busy settings, again: nothing to change" \
  sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' sh "$RC" "$TMP/installed.json" "$SET"

# ---- uninstall ----
run uninstall-hooks --dry-run
check "uninstall-hooks --dry-run: exit 0, the file untouched" \
  sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' sh "$RC" "$TMP/installed.json" "$SET"
run uninstall-hooks
check "uninstall-hooks: exit 0" [ "$RC" = 0 ]
py "$TMP/orig.json" "$SET" > "$TMP/un.tap" << 'EOF'
import json, sys
orig, new = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
# The original's own telemetry-hook (the old path) goes too; everything else is as it was.
orig["hooks"]["PostToolUse"].pop()
ok(new == orig, "uninstall leaves exactly the other hooks and settings")
ok("telemetry-hook" not in open(sys.argv[2]).read(), "no telemetry-hook left anywhere")
ok(list(new["hooks"]) == ["PostToolUse", "Stop", "Notification"], "events it emptied are removed")
EOF
tap_merge < "$TMP/un.tap"
check "uninstall kept the permissions" [ "$(mode_of "$SET")" = 640 ]
run uninstall-hooks
check "uninstall again: nothing to change" sh -c '[ "$1" = 0 ] && grep -q "nothing to change" "$2"' \
  sh "$RC" "$TMP/out"
printf '{"hooks": {"PostToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "/a/telemetry-hook"}]}]}}\n' \
  > "$SET"
run uninstall-hooks
check "uninstall: a \"hooks\" it emptied is removed" \
  sh -c '[ "$1" = 0 ] && [ "$(tr -d " \n" < "$2")" = "{}" ]' sh "$RC" "$SET"

# ---- refusals leave the file untouched ----
refused() {
  desc=$1 text=$2
  shift 2
  printf '%s' "$text" > "$SET"
  cp "$SET" "$TMP/before"
  nb=$(backups "$SET")
  run "$@"
  check "$desc: exit 1, the file untouched, no backup" \
    sh -c '[ "$1" = 1 ] && cmp -s "$2" "$3" && [ "$4" = "$5" ] && [ "$6" = 0 ]' sh "$RC" \
    "$TMP/before" "$SET" "$nb" "$(backups "$SET")" "$(leftovers "$SET")"
}
refused "not valid JSON" '{"model": "opus",
  "hooks": {,}}' install-hooks --hook "$HOOK"
check "not valid JSON: the message says so, and where" \
  grep -q "not valid JSON (line 2, column [0-9]*); it was left as it is" "$TMP/err"
refused "\"hooks\" not an object" '{"hooks": [1]}' install-hooks --hook "$HOOK"
refused "an event not an array" '{"hooks": {"PostToolUse": "x"}}' install-hooks --hook "$HOOK"
refused "settings not an object" '["a"]' uninstall-hooks
refused "a number JSON.parse would not take" '{"a": 0x10}' install-hooks --hook "$HOOK"

run install-hooks --hook /bin/true
check "--hook that is not telemetry-hook: exit 1" [ "$RC" = 1 ]
run install-hooks --hook "$TMP/nowhere/telemetry-hook"
check "--hook that does not exist: exit 1" [ "$RC" = 1 ]
run install-hooks --bogus
check "an unknown option: exit 2" [ "$RC" = 2 ]
run uninstall-hooks --no-pre
check "uninstall-hooks takes no --no-pre: exit 2" [ "$RC" = 2 ]

# ---- --no-pre, CLAUDE_CONFIG_DIR, --settings through a symbolic link ----
mkdir -p "$TMP/cfg"
CLAUDE_CONFIG_DIR=$TMP/cfg "$STATS" install-hooks --hook "$HOOK" --no-pre > "$TMP/out"
check "CLAUDE_CONFIG_DIR moves the settings file" [ -f "$TMP/cfg/settings.json" ]
check "--no-pre: no PreToolUse" sh -c '! grep -q PreToolUse "$1" && grep -q PostToolBatch "$1"' \
  sh "$TMP/cfg/settings.json"
mkdir -p "$TMP/dotfiles"
printf '{"theme": "dark"}\n' > "$TMP/dotfiles/claude-settings.json"
ln -sf "$TMP/dotfiles/claude-settings.json" "$TMP/linked.json"
run install-hooks --hook "$HOOK" --settings "$TMP/linked.json"
check "--settings through a symbolic link: the link stays, its target is edited" \
  sh -c '[ "$1" = 0 ] && [ -L "$2" ] && grep -q "\"theme\": \"dark\"" "$3" && grep -q PostToolUse "$3"' \
  sh "$RC" "$TMP/linked.json" "$TMP/dotfiles/claude-settings.json"

tap_done
