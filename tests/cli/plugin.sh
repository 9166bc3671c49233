#!/bin/sh
# The Claude Code plugin as the build assembles it (plugin/meson.build): the real validator of the
# pinned CLI (tests/e2e/install-claude.sh) on the plugin and the marketplace, a broken copy it must
# reject, the manifests, the hooks and commands against the binaries they run, how the commands
# pass $ARGUMENTS, the commands' ! blocks run by bash the way the CLI runs them, and an install from
# the marketplace into a temporary HOME. The real CLI running the plugin is tests/e2e/plugin.mjs.
#
# usage: plugin.sh BUILT_MARKETPLACE SOURCE_ROOT VERSION
#   BUILT_MARKETPLACE  build/plugin: .claude-plugin/marketplace.json and plugin/ (bin/ filled)
#   SOURCE_ROOT        the repository (its .claude-plugin/ and plugin/)
#   VERSION            the project version (meson.build), which the manifests must carry
#
# Needs node and npm (the CLI is installed from npm on first use, like the e2e suite). Nothing
# contacts a host other than 127.0.0.1, except that install talking to the npm registry.
#
# Single quotes around $... are deliberate throughout: Node.js scripts and literal placeholders.
# shellcheck disable=SC2016
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 BUILT_MARKETPLACE SOURCE_ROOT VERSION" >&2
  exit 2
fi
abs() { (cd "$1" && pwd); }
BUILT=$(abs "$1") SRC=$(abs "$2") VERSION=$3
PLUGIN=$BUILT/plugin
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/cli/lib.sh
. "$HERE/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-plugin.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# diag FILE: the file as TAP diagnostics.
diag() { sed 's/^/#   /' "$1"; }
# A hang guard for the CLI (not a speed limit), when coreutils' timeout is there.
guard() { if command -v timeout > /dev/null 2>&1; then timeout 300 "$@"; else "$@"; fi; }

# The CLI runs with a clean environment: a temporary HOME, no real key, nothing of the caller's
# Claude Code configuration; the only address it could reach is a closed port on 127.0.0.1.
mkdir "$TMP/home"
cli() {
  guard env -i HOME="$TMP/home" PATH="${PATH:-/usr/bin:/bin}" LANG=C.UTF-8 TMPDIR="$TMP" \
    ANTHROPIC_BASE_URL=http://127.0.0.1:9 ANTHROPIC_API_KEY=sk-ant-api03-plugin-test-fake-key \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 \
    DISABLE_ERROR_REPORTING=1 "$CLAUDE" "$@"
}

# validate PATH: the real validator, --strict (warnings are errors); output in $TMP/validate.
validate() {
  set +e
  cli plugin validate --strict "$1" > "$TMP/validate" 2>&1
  RC=$?
  set -e
  [ "$RC" -eq 0 ] && grep -q 'Validation passed' "$TMP/validate"
}

# node_check DESCRIPTION SCRIPT ARGS...: ok when the Node.js SCRIPT exits 0; what it prints (the
# reasons it failed) becomes diagnostics.
node_check() {
  desc=$1 script=$2
  shift 2
  if node -e "$script" -- "$@" > "$TMP/node" 2>&1; then
    ok "$desc"
  else
    not_ok "$desc"
    diag "$TMP/node"
  fi
}

# --- The validator -------------------------------------------------------------------------------

set +e
CLAUDE=$(sh "$SRC/tests/e2e/install-claude.sh" 2> "$TMP/install")
RC=$?
set -e
if [ "$RC" -ne 0 ] || [ ! -x "$CLAUDE" ]; then
  not_ok "the pinned Claude Code CLI is installed (tests/e2e/install-claude.sh; needs node and npm)"
  diag "$TMP/install"
  tap_done
  exit 1
fi
ok "the pinned Claude Code CLI is installed: $CLAUDE"

for target in "$PLUGIN" "$BUILT" "$SRC" "$SRC/.claude-plugin/plugin.json"; do
  case $target in
  "$PLUGIN") what="the built plugin" ;;
  "$BUILT") what="the built marketplace" ;;
  "$SRC") what="the repository's marketplace" ;;
  *) what="the repository's plugin (the root, as installed from the repository)" ;;
  esac
  if validate "$target"; then
    ok "claude plugin validate --strict passes on $what ($target)"
  else
    not_ok "claude plugin validate --strict passes on $what ($target): exit $RC"
  fi
  diag "$TMP/validate"
done

# A control: the validator really looks at hooks.json and the commands' frontmatter.
cp -R "$PLUGIN" "$TMP/broken"
sed 's/"PostToolBatch"/"PostToolBatches"/' "$PLUGIN/hooks/hooks.json" > "$TMP/broken/hooks/hooks.json"
if validate "$TMP/broken"; then
  not_ok "the validator rejects a copy whose hooks.json names an unknown event"
else
  ok "the validator rejects a copy whose hooks.json names an unknown event"
fi
cp "$PLUGIN/hooks/hooks.json" "$TMP/broken/hooks/hooks.json"
printf -- '---\ndescription: [unclosed\n---\nbody\n' > "$TMP/broken/commands/broken.md"
if validate "$TMP/broken"; then
  not_ok "the validator rejects a copy with a command whose frontmatter does not parse"
else
  ok "the validator rejects a copy with a command whose frontmatter does not parse"
fi

# The repository's plugin (the root: commands at ./plugin/commands/, hooks at
# ./plugin/hooks/from-source.json). The pinned validator checks only a plugin's default places
# (commands/, hooks/hooks.json), so it also gets a copy with the files there; the newest CLI follows
# the manifest's paths, so it gets the plugin as it is. Each with a control it must reject.
mkdir -p "$TMP/flat/.claude-plugin" "$TMP/flat/hooks" "$TMP/asis"
node -e 'const fs = require("fs"); const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
delete m.commands; delete m.hooks; fs.writeFileSync(process.argv[2], JSON.stringify(m, null, 2));' \
  "$SRC/.claude-plugin/plugin.json" "$TMP/flat/.claude-plugin/plugin.json"
cp -R "$SRC/plugin/commands" "$SRC/plugin/README.md" "$TMP/flat/"
cp "$SRC/plugin/hooks/from-source.json" "$TMP/flat/hooks/hooks.json"
if validate "$TMP/flat"; then
  ok "claude plugin validate --strict passes on the repository's plugin, its commands and from-source.json in the default places"
else
  not_ok "claude plugin validate --strict passes on the repository's plugin, its commands and from-source.json in the default places: exit $RC"
fi
diag "$TMP/validate"
sed 's/"PostToolBatch"/"PostToolBatches"/' "$SRC/plugin/hooks/from-source.json" > "$TMP/flat/hooks/hooks.json"
if validate "$TMP/flat"; then
  not_ok "the validator rejects it with an unknown event in from-source.json"
else
  ok "the validator rejects it with an unknown event in from-source.json"
fi
cp "$SRC/plugin/hooks/from-source.json" "$TMP/flat/hooks/hooks.json"
printf -- '---\ndescription: [unclosed\n---\nbody\n' > "$TMP/flat/commands/broken.md"
if validate "$TMP/flat"; then
  not_ok "the validator rejects it with a broken command"
else
  ok "the validator rejects it with a broken command"
fi
set +e
NEWEST=$(ET_E2E_CLAUDE_VERSION=newest sh "$SRC/tests/e2e/install-claude.sh" 2> "$TMP/install")
RC=$?
set -e
if [ "$RC" -eq 0 ] && [ -x "$NEWEST" ]; then
  cp -R "$SRC/.claude-plugin" "$SRC/plugin" "$SRC/README.md" "$TMP/asis/"
  rm "$TMP/asis/.claude-plugin/marketplace.json"
  PINNED=$CLAUDE CLAUDE=$NEWEST
  if validate "$TMP/asis"; then
    ok "the newest CLI's validate --strict passes on the repository's plugin as it is (it follows ./plugin/...)"
  else
    not_ok "the newest CLI's validate --strict passes on the repository's plugin as it is: exit $RC"
  fi
  diag "$TMP/validate"
  sed 's/"PostToolBatch"/"PostToolBatches"/' "$SRC/plugin/hooks/from-source.json" > "$TMP/asis/plugin/hooks/from-source.json"
  if validate "$TMP/asis"; then
    not_ok "the newest CLI's validator rejects it with an unknown event in from-source.json"
  else
    ok "the newest CLI's validator rejects it with an unknown event in from-source.json"
  fi
  CLAUDE=$PINNED
else
  not_ok "the newest Claude Code CLI is installed (ET_E2E_CLAUDE_VERSION=newest tests/e2e/install-claude.sh)"
  diag "$TMP/install"
fi

# --- Manifests -----------------------------------------------------------------------------------

node_check "plugin.json: name execution-telemetry, version $VERSION, description, author, homepage, license" '
const [dir, version] = process.argv.slice(1);
const m = JSON.parse(require("fs").readFileSync(dir + "/.claude-plugin/plugin.json", "utf8"));
const bad = [];
if (m.name !== "execution-telemetry") bad.push("name " + m.name);
if (m.version !== version) bad.push("version " + m.version + ", meson.build says " + version);
if (typeof m.description !== "string" || m.description.length < 20) bad.push("no description");
if (!m.author || m.author.name !== "execution-telemetry maintainers") bad.push("author " + JSON.stringify(m.author));
if (!/^https:\/\/[^ ]+$/.test(m.homepage || "")) bad.push("homepage " + m.homepage);
if (m.license !== "MIT") bad.push("license " + m.license);
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$PLUGIN" "$VERSION"

node_check "the repository's plugin.json: the plugin's manifest, with commands ./plugin/commands/ and hooks ./plugin/hooks/from-source.json" '
const fs = require("fs");
const [src, version] = process.argv.slice(1);
const root = JSON.parse(fs.readFileSync(src + "/.claude-plugin/plugin.json", "utf8"));
const sub = JSON.parse(fs.readFileSync(src + "/plugin/.claude-plugin/plugin.json", "utf8"));
const bad = [];
for (const k of ["name", "version", "author", "homepage", "license", "keywords"])
  if (JSON.stringify(root[k]) !== JSON.stringify(sub[k])) bad.push(k + " differs from plugin/.claude-plugin/plugin.json");
if (root.version !== version) bad.push("version " + root.version + ", meson.build says " + version);
if (root.commands !== "./plugin/commands/") bad.push("commands " + root.commands);
if (root.hooks !== "./plugin/hooks/from-source.json") bad.push("hooks " + root.hooks);
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$SRC" "$VERSION"

node_check "marketplace.json: the plugin execution-telemetry from the repository root (\"./\") in the repository, from ./plugin in the build, version $VERSION" '
const [dir, version, built] = process.argv.slice(1);
for (const [where, source] of [[dir, "./"], [built, "./plugin"]]) {
const m = JSON.parse(require("fs").readFileSync(where + "/.claude-plugin/marketplace.json", "utf8"));
const p = (m.plugins || []).find((x) => x.name === "execution-telemetry");
const bad = [];
if (typeof m.name !== "string" || !m.owner || !m.owner.name) bad.push("name or owner.name missing");
if (!p) bad.push("no plugin named execution-telemetry");
else {
  if (p.source !== source) bad.push(where + ": source " + JSON.stringify(p.source) + ", want " + source);
  if (p.version !== undefined && p.version !== version) bad.push("version " + p.version);
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
}
' "$SRC" "$VERSION" "$BUILT"
sed 's|"source": "[.]/"|"source": "./plugin"|' "$SRC/.claude-plugin/marketplace.json" > "$TMP/market"
check "the built marketplace.json is the repository's but for the source" \
  cmp -s "$TMP/market" "$BUILT/.claude-plugin/marketplace.json"

# --- The build's copy of the plugin --------------------------------------------------------------

(cd "$SRC/plugin" && find . -type f ! -name meson.build ! -path './bin/*' | sort) > "$TMP/src-files"
(cd "$PLUGIN" && find . -type f ! -path './bin/*' | sort) > "$TMP/built-files"
if cmp -s "$TMP/src-files" "$TMP/built-files"; then
  ok "the built plugin has every file of plugin/ (plugin_files in plugin/meson.build), no other"
else
  not_ok "the built plugin has every file of plugin/ (plugin_files in plugin/meson.build), no other"
  diff "$TMP/src-files" "$TMP/built-files" > "$TMP/diff" || true
  diag "$TMP/diff"
fi
differ=
while IFS= read -r f; do
  if [ -f "$PLUGIN/$f" ] && ! cmp -s "$SRC/plugin/$f" "$PLUGIN/$f"; then differ="$differ $f"; fi
done < "$TMP/src-files"
check "the built plugin's files are the sources' (stale build?):${differ:- none differ}" [ -z "$differ" ]
(cd "$PLUGIN/bin" && ls -A) > "$TMP/bin"
printf 'telemetry-hook\ntelemetry-stats\n' > "$TMP/bin-want"
check "the built plugin's bin/ holds telemetry-hook and telemetry-stats, nothing else" \
  cmp -s "$TMP/bin" "$TMP/bin-want"
if command -v git > /dev/null 2>&1 && git -C "$SRC" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  git -C "$SRC" ls-files plugin/bin > "$TMP/tracked"
  check "git tracks nothing in plugin/bin/ but its .gitignore" \
    sh -c '! grep -qv "^plugin/bin/.gitignore$" "$1"' sh "$TMP/tracked"
  check "git ignores binaries in plugin/bin/ (ninja plugin-bin puts them there)" \
    git -C "$SRC" check-ignore -q plugin/bin/telemetry-hook
else
  ok "# SKIP not a git work tree: git tracks nothing in plugin/bin/ but its .gitignore"
fi

# --- Hooks ---------------------------------------------------------------------------------------

node_check "hooks.json: PreToolUse, PostToolUse, PostToolUseFailure, SessionStart, SessionEnd, SubagentStart, SubagentStop (matcher *), PostToolBatch, UserPromptSubmit and Stop (no matcher) run \${CLAUDE_PLUGIN_ROOT}/bin/telemetry-hook in exec form, synchronously, with a timeout" '
const [dir] = process.argv.slice(1);
const h = JSON.parse(require("fs").readFileSync(dir + "/hooks/hooks.json", "utf8")).hooks || {};
const want = ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "SessionStart",
  "SessionEnd", "UserPromptSubmit", "Stop", "SubagentStart", "SubagentStop"];
const noMatcher = ["PostToolBatch", "UserPromptSubmit", "Stop"];
const bad = [];
for (const k of Object.keys(h)) if (!want.includes(k)) bad.push("unexpected event " + k);
for (const ev of want) {
  const groups = h[ev] || [];
  if (groups.length !== 1) { bad.push(ev + ": " + groups.length + " matcher groups, want 1"); continue; }
  const g = groups[0];
  if (noMatcher.includes(ev) ? g.matcher !== undefined : g.matcher !== "*")
    bad.push(ev + ": matcher " + JSON.stringify(g.matcher));
  if ((g.hooks || []).length !== 1) { bad.push(ev + ": " + (g.hooks || []).length + " handlers"); continue; }
  const x = g.hooks[0];
  if (x.type !== "command") bad.push(ev + ": type " + x.type);
  if (x.command !== "${CLAUDE_PLUGIN_ROOT}/bin/telemetry-hook") bad.push(ev + ": command " + x.command);
  if (!Array.isArray(x.args) || x.args.length !== 0) bad.push(ev + ": not exec form (args [])");
  if (!(typeof x.timeout === "number" && x.timeout > 0 && x.timeout <= 60)) bad.push(ev + ": timeout " + x.timeout);
  if (x.async || x.asyncRewake) bad.push(ev + ": async (see plugin/README.md: records get lost)");
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$PLUGIN"

# Every ${CLAUDE_PLUGIN_ROOT}/bin/NAME that hooks.json or a command mentions.
grep -ho '\${CLAUDE_PLUGIN_ROOT}/bin/[A-Za-z0-9_.-]*' "$PLUGIN/hooks/hooks.json" \
  "$PLUGIN"/commands/*.md | sed 's|.*/bin/||' | sort -u > "$TMP/referenced"
check "hooks.json and the commands reference telemetry-hook and telemetry-stats" \
  cmp -s "$TMP/referenced" "$TMP/bin-want"
while IFS= read -r name; do
  exe=$PLUGIN/bin/$name
  if [ -f "$exe" ] && [ -x "$exe" ] && "$exe" --version > "$TMP/version" 2>&1 &&
    grep -q "$VERSION" "$TMP/version"; then
    ok "bin/$name exists, is executable and reports version $VERSION"
  else
    not_ok "bin/$name exists, is executable and reports version $VERSION"
    [ -f "$TMP/version" ] && diag "$TMP/version"
  fi
done < "$TMP/referenced"

# --- Commands ------------------------------------------------------------------------------------

# $ARGUMENTS (and $1, $ARGUMENTS[N]) are spliced into the file unescaped before bash runs, so the
# only place for them is the body of a heredoc with a quoted delimiter; the delimiter starts with
# '!' because the CLI escapes a '!' that starts a line of the arguments, so no line the user types
# can end the heredoc. Every ! block must end with `true`: a non-zero exit would abort the command
# instead of showing telemetry-stats' message (`|| true` after a heredoc is refused by the CLI's
# permission check), and allowed-tools must pre-approve exactly what the block runs.
node_check "commands: frontmatter with description, argument-hint and allowed-tools" '
const fs = require("fs");
const dir = process.argv[1] + "/commands";
const bad = [];
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".md")).sort();
if (files.join(" ") !== "telemetry-cost.md telemetry-lessons.md telemetry-patterns.md telemetry-proposals.md telemetry-report.md telemetry-sessions.md telemetry-stats.md") bad.push("commands: " + files.join(" "));
for (const f of files) {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(fs.readFileSync(dir + "/" + f, "utf8"));
  if (!m) { bad.push(f + ": no frontmatter"); continue; }
  for (const key of ["description", "argument-hint", "allowed-tools"])
    if (!new RegExp("^" + key + ":", "m").test(m[1])) bad.push(f + ": no " + key);
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$PLUGIN"

node_check "commands: \$ARGUMENTS only as a heredoc body with a quoted '!…_\${CLAUDE_SESSION_ID}' delimiter, never on a command line; no \$1 or \$ARGUMENTS[N]" '
const fs = require("fs");
const dir = process.argv[1] + "/commands";
const bad = [];
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".md"))) {
  const lines = fs.readFileSync(dir + "/" + f, "utf8").split("\n");
  let uses = 0;
  lines.forEach((line, i) => {
    if (/\$[0-9]|\$ARGUMENTS\[|\$\{?ARGUMENTS\b/.test(line) && line !== "$ARGUMENTS")
      bad.push(`${f}:${i + 1}: placeholder outside a heredoc body: ${line}`);
    if (line !== "$ARGUMENTS") return;
    uses++;
    const open = /<<\x27(![A-Za-z_]+_\$\{CLAUDE_SESSION_ID\})\x27(?: |$)/.exec(lines[i - 1] || "");
    if (!open) bad.push(`${f}:${i + 1}: the line before $ARGUMENTS does not open a heredoc <<\x27!DELIM_\${CLAUDE_SESSION_ID}\x27`);
    else if (lines[i + 1] !== open[1]) bad.push(`${f}:${i + 2}: the heredoc does not end right after $ARGUMENTS`);
    const fence = lines.slice(0, i).lastIndexOf("```!");
    const close = lines.indexOf("```", i);
    if (fence < 0 || close < 0 || lines.slice(fence + 1, i).includes("```"))
      bad.push(`${f}:${i + 1}: $ARGUMENTS is not inside a \x60\x60\x60! block`);
  });
  if (uses !== 1) bad.push(`${f}: $ARGUMENTS used ${uses} times, want 1`);
  if (/!\x60[^\x60]*ARGUMENTS/.test(lines.join("\n"))) bad.push(`${f}: $ARGUMENTS in an inline !\x60\x60 command`);
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$PLUGIN"

node_check "commands: each ! block runs \"\${CLAUDE_PLUGIN_ROOT}/bin/telemetry-stats\" SUBCOMMAND --args-stdin --format markdown, then true; allowed-tools pre-approves exactly that" '
const fs = require("fs");
const dir = process.argv[1] + "/commands";
const bad = [];
for (const [f, sub] of [["telemetry-stats.md", "stats"], ["telemetry-patterns.md", "patterns"],
                        ["telemetry-sessions.md", "sessions"]]) {
  const text = fs.readFileSync(dir + "/" + f, "utf8");
  const blocks = [...text.matchAll(/```!\s*\n?([\s\S]*?)\n?```/g)].map((m) => m[1].split("\n"));
  if (blocks.length !== 1) { bad.push(f + ": " + blocks.length + " ! blocks, want 1"); continue; }
  const b = blocks[0];
  const head = `"\${CLAUDE_PLUGIN_ROOT}/bin/telemetry-stats" ${sub} --args-stdin --format markdown `;
  if (!b[0].startsWith(head)) bad.push(f + ": the block starts " + b[0]);
  if (b[b.length - 1] !== "true") bad.push(f + ": the block does not end with true");
  if (/\|\||&&|;|\$\(|\x60/.test(b[0])) bad.push(f + ": more than one command on the first line");
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(text)[1];
  const rules = [...fm.matchAll(/Bash\(([^)]*)\)/g)].map((m) => m[1]).sort();
  const want = ["${CLAUDE_PLUGIN_ROOT}/bin/telemetry-stats " + sub + " --args-stdin:*", "true"].sort();
  if (JSON.stringify(rules) !== JSON.stringify(want)) bad.push(f + ": allowed-tools " + JSON.stringify(rules));
  if (!/--since 7d/.test(b[0])) bad.push(f + ": no default --since 7d (plugin/README.md)");
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
' "$PLUGIN"

# The ! blocks run by bash as the CLI runs them (placeholders replaced as plain text), on a small
# log: the report with ordinary arguments, telemetry-stats' message and nothing run with hostile
# ones. (tests/e2e/plugin.mjs does the same through the real CLI.)
mkdir "$TMP/canary"
rec() {
  printf '{"v":1,"timestamp":"2026-11-21T10:00:0%s.000Z","event":"%s","agent":"claude-code","session_id":"s1","prompt_id":"p1","tool_use_id":"toolu_%s","tool_name":"%s","outcome":"%s","error":%s,"exit_code":null,"latency_ms":%s,"latency_source":"duration_ms","params":{},"params_fp":null,"response_bytes":10,"redactions":0,"truncations":0,"cwd":"/w","transcript_path":null,"permission_mode":"default","agent_id":null,"agent_type":null}\n' "$@"
}
{
  rec 1 PostToolUse 1 Bash success null 40
  rec 2 PostToolUseFailure 2 Bash failure '"Exit code 2\nls: cannot access"' 12
  rec 3 PostToolUse 3 Read success null 5
} > "$TMP/log.jsonl"
run_block() {
  EXECUTION_TELEMETRY_LOG=$TMP/log.jsonl EXECUTION_TELEMETRY_NOW=2026-11-21T12:00:00.000Z \
    node -e '
const fs = require("fs"), { spawnSync } = require("child_process");
const [file, root, args] = process.argv.slice(1);
const text = fs.readFileSync(file, "utf8").split("${CLAUDE_PLUGIN_ROOT}").join(root)
  .split("$ARGUMENTS").join(args);
const block = /```!\s*\n?([\s\S]*?)\n?```/.exec(text)[1];
const r = spawnSync("bash", ["-c", block], { encoding: "utf8", timeout: 60000 });
process.stdout.write(r.stdout + r.stderr);
process.exit(r.status === null ? 99 : r.status);
' "$PLUGIN/commands/$1" "$PLUGIN" "$2" > "$TMP/out" 2>&1
}
if ! command -v bash > /dev/null 2>&1; then
  ok "# SKIP no bash (the CLI runs ! blocks with bash): the commands' ! blocks"
else
  if run_block telemetry-stats.md '--tool Bash' && grep -q '^| Bash | 2 | 1 |' "$TMP/out" &&
    ! grep -q '^| Read |' "$TMP/out"; then
    ok "telemetry-stats.md's block, --tool Bash: the markdown table of the 2 Bash calls"
  else
    not_ok "telemetry-stats.md's block, --tool Bash: the markdown table of the 2 Bash calls"
    diag "$TMP/out"
  fi
  if run_block telemetry-patterns.md '--min-count 1' && grep -q '^## Tool-call patterns' "$TMP/out" &&
    grep -q 'Bash → Bash' "$TMP/out"; then
    ok "telemetry-patterns.md's block, --min-count 1: the markdown patterns report"
  else
    not_ok "telemetry-patterns.md's block, --min-count 1: the markdown patterns report"
    diag "$TMP/out"
  fi
  if run_block telemetry-sessions.md '--session s1' && grep -q '^## Runs, tasks and agents' "$TMP/out" &&
    grep -q '^| s1 | ' "$TMP/out" && grep -q 'Bash  failure  12 ms  \[cycle 1 left unresolved' "$TMP/out"; then
    ok "telemetry-sessions.md's block, --session s1: the markdown sessions report with its timeline"
  else
    not_ok "telemetry-sessions.md's block, --session s1: the markdown sessions report with its timeline"
    diag "$TMP/out"
  fi
  mkdir -p "$TMP/rhome"
  if (cd "$TMP/rhome" && run_block telemetry-report.md '--top 3') &&
    [ ! -s "$TMP/out" ] && grep -q '<html' "$TMP/rhome/execution-telemetry-report.html"; then
    ok "telemetry-report.md's block: writes the HTML page to ./execution-telemetry-report.html, silently"
  else
    not_ok "telemetry-report.md's block: writes the HTML page to ./execution-telemetry-report.html, silently"
    diag "$TMP/out"
  fi
  if (cd "$TMP/rhome" && run_block telemetry-report.md "--html $TMP/rhome/other.html") &&
    grep -q '<html' "$TMP/rhome/other.html"; then
    ok "telemetry-report.md's block, --html FILE: the user's file wins over the default"
  else
    not_ok "telemetry-report.md's block, --html FILE: the user's file wins over the default"
    diag "$TMP/out"
  fi
  C=$TMP/canary
  n=0
  for args in "--tool \"Bash" \
    "--tool Bash \$(touch $C/a) \`touch $C/b\`; touch $C/c | touch $C/d && touch $C/e > $C/f" \
    "--tool 'Bash' \"\$(touch $C/g)\" '; touch $C/h'"; do
    n=$((n + 1))
    case $n in
    1) what="an unbalanced quote (--tool \"Bash)" ;;
    2) what='$(...), backticks, ; | && >' ;;
    *) what='quoted $(...) and ;' ;;
    esac
    if run_block telemetry-stats.md "$args" && grep -q '^telemetry-stats' "$TMP/out" &&
      [ -z "$(ls -A "$C")" ]; then
      ok "telemetry-stats.md's block, arguments with $what: exit 0, telemetry-stats' message, nothing run"
    else
      not_ok "telemetry-stats.md's block, arguments with $what: exit 0, telemetry-stats' message, nothing run"
      printf '%s\n' "arguments: $args" > "$TMP/args"
      diag "$TMP/args"
      diag "$TMP/out"
      ls -A "$C" > "$TMP/ls"
      diag "$TMP/ls"
    fi
  done
fi

# --- Install from the marketplace ----------------------------------------------------------------

set +e
cli plugin marketplace add "$BUILT" > "$TMP/add" 2>&1
RC_ADD=$?
cli plugin install execution-telemetry@execution-telemetry > "$TMP/install" 2>&1
RC_INSTALL=$?
cli plugin list > "$TMP/list" 2>&1
set -e
if [ "$RC_ADD" -eq 0 ] && [ "$RC_INSTALL" -eq 0 ]; then
  ok "claude plugin marketplace add build/plugin; claude plugin install execution-telemetry@execution-telemetry"
else
  not_ok "claude plugin marketplace add build/plugin; claude plugin install execution-telemetry@execution-telemetry"
  cat "$TMP/add" "$TMP/install" > "$TMP/both"
  diag "$TMP/both"
fi
installed=$TMP/home/.claude/plugins/cache/execution-telemetry/execution-telemetry/$VERSION
if [ -x "$installed/bin/telemetry-hook" ] && [ -x "$installed/bin/telemetry-stats" ] &&
  cmp -s "$installed/hooks/hooks.json" "$PLUGIN/hooks/hooks.json" &&
  grep -q 'execution-telemetry@execution-telemetry' "$TMP/list" && grep -q 'enabled' "$TMP/list"; then
  ok "the installed copy is enabled and has the hooks and both programs, executable"
else
  not_ok "the installed copy is enabled and has the hooks and both programs, executable"
  diag "$TMP/list"
  (find "$TMP/home/.claude/plugins" -type f 2> /dev/null || true) > "$TMP/found"
  diag "$TMP/found"
fi

tap_done
