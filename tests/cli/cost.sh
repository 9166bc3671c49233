#!/bin/sh
# telemetry-stats cost and pricing: the recorded transcript (numbers worked out by hand),
# generated transcripts (numbers worked out by the generator), every key, the formats, the
# unknown-model warning, the pricing file, and hostile trees (malformed lines, a FIFO, link loops).
# usage: cost.sh STATS DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
setup_stats "$1" "$2"
GEN="$HERE/../tools/gentranscripts.py"
PY="python3 $HERE/cost_check.py"

jget() { python3 -c 'import json,sys;d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[int(k)] if k.isdigit() else d[k]
print(d)' "$TMP/out" "$1"; }

# The recorded transcript: 11 responses (msg_000005 is on three lines) of claude-sonnet-4-5.
# input 1200+1210+…+1300 = 13,750; output 11×45 = 495; cache writes 11×300 = 3,300 (the
# breakdown says 0+0: the total wins); reads 11×5,000 = 55,000. At $3, $15, $3.75 and $0.30 per
# million: 0.04125 + 0.007425 + 0.012375 + 0.0165 = $0.07755.
mkdir -p "$TMP/rec/projects/-home-user-project"
cp "$DATA/claude-code-2.1.197-transcript.jsonl" "$TMP/rec/projects/-home-user-project/5e4de41f.jsonl"
run cost --transcripts "$TMP/rec" --json
check "recorded: exit 0" [ "$RC" = 0 ]
check "recorded: 11 responses" [ "$(jget totals.responses)" = 11 ]
check "recorded: input 13750" [ "$(jget totals.input_tokens)" = 13750 ]
check "recorded: output 495" [ "$(jget totals.output_tokens)" = 495 ]
check "recorded: cache writes 3300" [ "$(jget totals.cache_creation_tokens)" = 3300 ]
check "recorded: cache reads 55000" [ "$(jget totals.cache_read_tokens)" = 55000 ]
check "recorded: \$0.07755" [ "$(jget totals.cost_usd)" = 0.07755 ]
check "recorded: 2 duplicate lines" [ "$(jget input.duplicate_lines)" = 2 ]
check "recorded: one day, 2026-11-21" [ "$(jget rows.0.key)" = 2026-11-21 ]
run cost --transcripts "$TMP/rec"
check "text: a table with the total" grep -q '^total  *11  *13,750  *495  *3,300  *55,000  *\$0.08$' "$TMP/out"
run cost --transcripts "$TMP/rec" --format markdown
check "markdown: a table" grep -q '^| 2026-11-21 | 11 | 13,750 |' "$TMP/out"
run cost --transcripts "$TMP/rec" --by tool --json
check "by tool: 12 calls over 6 tools" [ "$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(sum(r["calls"] for r in d["rows"]), len(d["rows"]))' "$TMP/out")" = "12 6" ]
$PY "$TMP/out" tools > "$TMP/tap"; tap_merge < "$TMP/tap"

# Generated transcripts: duplicates, partial lines, sidechain replays, subagents, five models,
# fast mode, 1-hour cache writes.
python3 "$GEN" "$TMP/gen" --seed 7 --one-hour --expect "$TMP/gen.json"
run cost --transcripts "$TMP/gen/projects" --json
check "generated: exit 0" [ "$RC" = 0 ]
$PY "$TMP/out" totals "$TMP/gen.json" > "$TMP/tap"; tap_merge < "$TMP/tap"
run cost --transcripts "$TMP/gen" --json --by day
$PY "$TMP/out" days "$TMP/gen.json" > "$TMP/tap"; tap_merge < "$TMP/tap"
check "generated: sidechain replays dropped" [ "$(jget input.sidechain_replays)" -gt 0 ]
run cost --transcripts "$TMP/gen" --json --by agent
check "by agent: main and the subagents' types" [ "$(python3 -c 'import json,sys;print(" ".join(sorted(r["key"] for r in json.load(open(sys.argv[1]))["rows"])))' "$TMP/out")" = "Explore main subagent" ]
TOTAL=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["totals"]["cost_usd"])' "$TMP/gen.json")
for by in week month session project model agent; do
  run cost --transcripts "$TMP/gen" --json --by "$by" --breakdown
  check "by $by with --breakdown: rows add up to the total" python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); t=float(sys.argv[2])
rows=sum(r["cost_usd"] for r in d["rows"]); models=sum(m["cost_usd"] for r in d["rows"] for m in r["models"])
sys.exit(0 if abs(rows-t)<1e-6 and abs(models-t)<1e-6 else 1)' "$TMP/out" "$TOTAL"
done
run cost --transcripts "$TMP/gen" --json --by tool
$PY "$TMP/out" tools > "$TMP/tap"; tap_merge < "$TMP/tap"
check "by tool: every generated call is counted" [ "$(python3 -c 'import json,sys;print(sum(r["calls"] for r in json.load(open(sys.argv[1]))["rows"]))' "$TMP/out")" = "$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["tool_calls"])' "$TMP/gen.json")" ]
run cost --transcripts "$TMP/gen" --json --since 2026-11-22 --until 2026-11-23 --now 2026-11-30T00:00:00Z
check "--since/--until: one day" python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); e=json.load(open(sys.argv[2]))["days"].get("2026-11-22",{"responses":0})
sys.exit(0 if d["totals"]["responses"]==e["responses"] and [r["key"] for r in d["rows"]] in ([],["2026-11-22"]) else 1)' "$TMP/out" "$TMP/gen.json"
SID=$(ls "$TMP/gen/projects/-home-user-p0" | grep jsonl | head -1 | sed 's/.jsonl$//')
run cost --transcripts "$TMP/gen" --json --by session --session "$SID"
check "--session: one row" [ "$(jget rows.0.key)" = "$SID" ]
run cost --transcripts "$TMP/gen" --json --project /home/user/p1
check "--project: only its cwd" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if 0 < d["totals"]["responses"] < 539 else 1)' "$TMP/out"
run cost --transcripts "$TMP/gen" --json --since 1d --now 2099-01-01T00:00:00Z
check "--since skips files last written before it" [ "$(jget input.files)" = 0 ]
"$STATS" cost --transcripts "$TMP/gen" --json > "$TMP/a"
"$STATS" cost --transcripts "$TMP/gen" --json > "$TMP/b"
check "same input, same output" cmp -s "$TMP/a" "$TMP/b"

# Default places: CLAUDE_CONFIG_DIR, comma-separated; ~/.claude/projects otherwise.
CLAUDE_CONFIG_DIR="$TMP/nowhere,$TMP/rec" "$STATS" cost --json > "$TMP/out"
check "CLAUDE_CONFIG_DIR (comma-separated) is read" [ "$(jget totals.responses)" = 11 ]
mkdir -p "$HOME/.claude" && cp -r "$TMP/rec/projects" "$HOME/.claude/"
env -u CLAUDE_CONFIG_DIR "$STATS" cost --json > "$TMP/out"
check "~/.claude/projects is read by default" [ "$(jget totals.responses)" = 11 ]
rm -rf "$HOME/.claude/projects"

# A model without a price: $0, and a warning with its tokens in every format.
mkdir -p "$TMP/unk/projects/-x"
printf '%s\n' '{"type":"assistant","sessionId":"s","message":{"id":"m1","model":"claude-nova-9","usage":{"input_tokens":1234,"output_tokens":56}},"requestId":"r1","timestamp":"2026-11-21T10:00:00.000Z"}' > "$TMP/unk/projects/-x/s.jsonl"
run cost --transcripts "$TMP/unk"
check "unknown model, text: a warning with its tokens" grep -q "WARNING: no price for model 'claude-nova-9': 1 responses, 1,234 input, 56 output" "$TMP/out"
run cost --transcripts "$TMP/unk" --markdown
check "unknown model, markdown: the warning" grep -q "WARNING: no price for model 'claude-nova-9'" "$TMP/out"
run cost --transcripts "$TMP/unk" --json
check "unknown model, json: listed with its tokens, cost 0" [ "$(jget unpriced_models.0.model) $(jget unpriced_models.0.input_tokens) $(jget totals.cost_usd)" = "claude-nova-9 1234 0" ]
run cost --transcripts "$TMP/unk" --by tool
check "unknown model, by tool: the warning" grep -q "WARNING: no price for model 'claude-nova-9'" "$TMP/out"
printf '%s\n' '{"models":[{"match":"claude-nova-*","input":2,"output":10,"source":"test"}]}' > "$TMP/prices.json"
run cost --transcripts "$TMP/unk" --json --pricing "$TMP/prices.json"
check "--pricing prices it: 1234×\$2 + 56×\$10 per million" [ "$(jget totals.cost_usd)" = 0.003028 ]
printf 'pricing = %s\n' "$TMP/prices.json" > "$HOME/.claude/execution-telemetry.conf"
run cost --transcripts "$TMP/unk" --json
check "the config key 'pricing' does too" [ "$(jget totals.cost_usd)" = 0.003028 ]
rm "$HOME/.claude/execution-telemetry.conf"
run pricing --pricing "$TMP/prices.json" --json
check "pricing --json: the file's entry first" [ "$(jget models.0.match) $(jget models.0.from)" = "claude-nova-* file" ]
run pricing
check "pricing: the embedded table with sources" grep -q '^claude-opus-4-6 .*platform.claude.com' "$TMP/out"
printf '{"models":[{"match":"x"}]}' > "$TMP/bad.json"
run cost --transcripts "$TMP/unk" --pricing "$TMP/bad.json"
check "a bad pricing file: exit 1 and a message" [ "$RC" = 1 ] && grep -q "model 1 needs" "$TMP/err"

# Hostile input: malformed lines, huge numbers, a FIFO named *.jsonl, symbolic link loops.
mkdir -p "$TMP/bad/projects/-y"
{
  printf '%s\n' '{"type":"assistant","message":{"id":"m1","model":"claude-haiku-4-5","usage":{"input_tokens":1000000,"output_tokens":0}},"requestId":"r1","timestamp":"2026-11-21T10:00:00.000Z"}'
  printf '%s\n' '{"type":"assistant","message":{"id":"m2","usage":{"input_tokens":1,'
  printf '%s\n' '{"type":"assistant","message":{"id":"m3","model":"claude-haiku-4-5","usage":{"input_tokens":1e400,"output_tokens":1}}}'
  printf '%s\n' '{"type":"assistant","message":{"id":"m4","model":"claude-haiku-4-5","usage":{"input_tokens":123456789012345678901234567890,"output_tokens":1}}}'
  printf 'garbage "usage"\n'
  printf '\n'
} > "$TMP/bad/projects/-y/s.jsonl"
mkfifo "$TMP/bad/projects/-y/fifo.jsonl"
ln -s "$TMP/bad/projects" "$TMP/bad/projects/-y/loop"
ln -s .. "$TMP/bad/projects/-y/up.jsonl"
run cost --transcripts "$TMP/bad" --json
check "hostile tree: exit 0 (the FIFO did not block)" [ "$RC" = 0 ]
check "hostile tree: 4 malformed lines counted" [ "$(jget input.malformed_lines)" = 4 ]
check "hostile tree: the good line counts (\$1)" [ "$(jget totals.cost_usd)" = 1 ]

# Usage errors and missing inputs.
run cost --by year
check "--by year: usage error" [ "$RC" = 2 ]
run cost --transcripts
check "--transcripts without a value: usage error" [ "$RC" = 2 ]
run cost --transcripts "$TMP/does-not-exist"
check "a missing --transcripts: exit 1" [ "$RC" = 1 ] && grep -q "cannot read transcripts" "$TMP/err"
run cost --help
check "--help lists --by and --pricing" grep -q -- '--pricing FILE' "$TMP/out"
run cost --transcripts "$TMP/gen" --json --by tool --log "$TMP/no-log.jsonl"
check "a missing --log: exit 1" [ "$RC" = 1 ]
tap_done
