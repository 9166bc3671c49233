#!/bin/sh
# telemetry-stats cost against ccusage, the tool most users run for cost: ccusage 18 (the last
# JavaScript one) and 20 (native: npm ccusage with @ccusage/ccusage-linux-x64), installed from npm
# into a cache directory, on the recorded transcript and on generated ones. Tokens must be equal
# and dollars equal to the cent; where we differ on purpose, the check says why (docs/cost.md).
# Last, the transcripts the real Claude Code CLI wrote in the e2e test (E2E_DIR/projects, left
# there by e2e.mjs with ET_E2E_TRANSCRIPTS), when that test has run.
# usage: ccusage.sh STATS DATA_DIR CACHE_DIR [E2E_DIR]
set -eu
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
STATS=$(abs "$1") DATA=$(abs "$2") CACHE=$3 E2E=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
CLI="$HERE/../cli"
. "$CLI/lib.sh"
setup_home
GEN="$HERE/../tools/gentranscripts.py"
# 20.0.26 is the newest ccusage, but its linux-x64 package was never published: pin 20.0.24.
V18=18.0.11
V20=20.0.24

install() { # install DIR PACKAGE...
  dir=$1
  shift
  if [ -x "$dir/node_modules/.bin/ccusage" ]; then return 0; fi
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.install.XXXXXX")
  if npm install --prefix "$tmp" --no-audit --no-fund --save-exact "$@" >&2; then
    rm -rf "$dir"
    mv "$tmp" "$dir"
  else
    rm -rf "$tmp"
    return 1
  fi
}
if ! command -v npm > /dev/null 2>&1; then
  not_ok "npm is needed to install ccusage"
  tap_done
  exit 1
fi
install "$CACHE/ccusage-$V18" "ccusage@$V18" || not_ok "npm install ccusage@$V18"
install "$CACHE/ccusage-$V20" "ccusage@$V20" "@ccusage/ccusage-linux-x64@$V20" ||
  not_ok "npm install ccusage@$V20"
C18="$CACHE/ccusage-$V18/node_modules/.bin/ccusage"
C20="$CACHE/ccusage-$V20/node_modules/.bin/ccusage"
check "ccusage $V20 has its native build" test -f "$CACHE/ccusage-$V20/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"

# compare LABEL CONFIG_DIR V18_SKIPS V20_SKIPS: ours and both ccusage on CONFIG_DIR/projects.
compare() {
  label=$1 dir=$2 s18=$3 s20=$4
  "$STATS" cost --transcripts "$dir/projects" --json > "$TMP/ours.json"
  TZ=UTC CLAUDE_CONFIG_DIR="$dir" "$C20" claude daily --json --offline --mode calculate > "$TMP/c20.json"
  TZ=UTC CLAUDE_CONFIG_DIR="$dir" "$C18" daily --json --offline --mode calculate > "$TMP/c18.json"
  # shellcheck disable=SC2086
  python3 "$CLI/cost_check.py" "$TMP/ours.json" ccusage "$TMP/c20.json" "$label vs ccusage $V20" $s20 > "$TMP/tap"
  tap_merge < "$TMP/tap"
  # shellcheck disable=SC2086
  python3 "$CLI/cost_check.py" "$TMP/ours.json" ccusage "$TMP/c18.json" "$label vs ccusage $V18" $s18 > "$TMP/tap"
  tap_merge < "$TMP/tap"
}

mkdir -p "$TMP/rec/projects/-home-user-project"
cp "$DATA/claude-code-2.1.197-transcript.jsonl" "$TMP/rec/projects/-home-user-project/s.jsonl"
# The scripted API behind the recording wrote cache_creation_input_tokens 300 with a breakdown
# of 0 + 0; ccusage 20 believes the breakdown, we (and ccusage 18) the total.
R20="cache_creation_tokens:ccusage_20_takes_the_breakdown_0+0_over_cache_creation_input_tokens_300"
R20C="cost_usd:so_its_cost_lacks_3300_cache-write_tokens_at_\$3.75_per_million"
compare recorded "$TMP/rec" "" "$R20 $R20C"

# Generated, simple: no partial lines, no sidechain replays, no 1-hour writes. All three agree.
python3 "$GEN" "$TMP/simple" --seed 11 --simple --expect "$TMP/simple.json"
compare "generated (simple)" "$TMP/simple" "" ""

# Generated, full: partial first lines, sidechain replays, subagents, fast mode, 1-hour writes.
python3 "$GEN" "$TMP/full" --seed 12 --one-hour --expect "$TMP/full.json"
W="ccusage_18_keeps_the_first_line_of_a_response_(a_partial_output)_and_counts_sidechain_replays"
compare "generated (full)" "$TMP/full" \
  "input_tokens:$W output_tokens:$W cache_creation_tokens:$W cache_read_tokens:$W cost_usd:$W,_and_prices_1-hour_writes_at_the_5-minute_rate" ""

# Long context: a Sonnet 4.5 response with a 300k-token prompt. Anthropic bills every token of
# it at the long-context rate; ccusage prices only the tokens past 200k in each field that way.
mkdir -p "$TMP/long/projects/-l"
printf '%s\n' '{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/l","sessionId":"s","version":"2.1.197","gitBranch":"main","message":{"id":"msg_l1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"x"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":300000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"service_tier":"standard"}},"requestId":"req_l1","type":"assistant","uuid":"u1","timestamp":"2026-11-21T10:00:00.000Z"}' > "$TMP/long/projects/-l/s.jsonl"
L="cost_usd:over_200k_prompt_tokens_we_bill_all_tokens_at_the_long-context_rate_(Anthropic's_rule),_ccusage_only_those_past_200k"
compare "long context" "$TMP/long" "$L" "$L"

# The real CLI's transcripts from the e2e test. Its scripted API writes no cache tokens, so
# no cache-write rule applies; it answers as claude-opus-4-8, which ccusage 18 has no price for.
if [ -n "$E2E" ] && [ -d "$E2E/projects" ] &&
  [ -n "$(find "$E2E/projects" -name '*.jsonl' | head -n 1)" ]; then
  rm -rf "$TMP/e2e"
  mkdir -p "$TMP/e2e"
  cp -R "$E2E/projects" "$TMP/e2e/projects"
  check "the e2e transcripts have responses" \
    sh -c '"$1" cost --transcripts "$2" --json | grep -q "\"responses\":[1-9]"' sh "$STATS" "$TMP/e2e/projects"
  compare "e2e (real CLI)" "$TMP/e2e" \
    "cost_usd:ccusage_18_has_no_price_for_claude-opus-4-8_(the_e2e_API's_model)_and_counts_\$0" ""
else
  ok "e2e (real CLI) transcripts # SKIP the e2e test has not left any in ${E2E:-(no directory given)}"
fi
tap_done
