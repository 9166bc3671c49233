#!/bin/sh
# telemetry-stats report --html: the page for the hand-checked fixture, that it is one file that
# fetches nothing, escaping of hostile log data, determinism, the time buckets, the empty and error
# paths; then a real browser (headless Chromium) draws it, light and dark, and a screenshot decoder
# (report_check.mjs) checks that the charts are on it.
# usage: report.sh STATS DATA_DIR   (ET_REPORT_KEEP=DIR copies the page and screenshots there)
set -eu
. "$(dirname "$0")/lib.sh"
setup_stats "$1" "$2"
cd "$DATA"
F=stats/fixture.jsonl
SECTIONS="calls-over-time latency success failures chains parallelization slowest"

# has FILE TEXT: FILE contains TEXT (a fixed string).
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qiF -- "$2" "$1"; }

# The fixture: 15 calls (tests/cli/stats_expect.py has how each number was worked out).
R=$TMP/report.html
run report --log "$F" --html "$R" --min-count 1
check "report on the fixture: exit 0, nothing on stdout" sh -c '[ "$1" = 0 ] && [ ! -s "$2" ]' sh "$RC" "$TMP/out"
check "the page is created, mode 0600 (the log holds user data)" \
  sh -c '[ -s "$1" ] && [ "$(stat -c %a "$1")" = 600 ]' sh "$R"
check "an HTML5 document, complete" sh -c 'head -n 1 "$1" | grep -qx "<!DOCTYPE html>" && tail -n 1 "$1" | grep -qx "</html>"' sh "$R"
for id in $SECTIONS; do
  check "section id=\"$id\" with a heading" \
    sh -c 'grep -A1 -F "<section id=\"$2\">" "$1" | grep -q "<h2>"' sh "$R" "$id"
done
check "self-contained: no http:// or https://" sh -c '! grep -qiE "https?://" "$1"' sh "$R"
check "self-contained: no src= at all" hasnt "$R" "src="
check "self-contained: every href= is a #anchor" \
  sh -c '! grep -oiE "href=[^ >]*" "$1" | grep -qv "^href=\"#"' sh "$R"
check "self-contained: no <link>, no <script>, no url(), no @import" \
  sh -c '! grep -qiE "<link|<script|url\(|@import" "$1"' sh "$R"
check "a Content-Security-Policy forbids scripts and fetches" \
  has "$R" "content=\"default-src 'none'; style-src 'unsafe-inline'\""
check "the data range, not the time it was made" \
  has "$R" "Calls from 2026-11-20 10:00:10 to 2026-11-20 10:04:40 UTC"
check "summary: 15 calls in 2 sessions, 60.0% succeeded, 5 failed, 1 interrupted" \
  sh -c 'grep -qF "<b>15</b><span>calls in 2 sessions" "$1" && grep -qF "<b>60.0%</b>" "$1" &&
    grep -qF "<b>5</b><span>failed, 1 interrupted" "$1"' sh "$R"
check "summary: latency p50 40 ms, p95 2 s" has "$R" "<b>40 ms / 2 s</b>"
check "calls over time: per hour, one bucket of 15 calls at 10:00" \
  sh -c 'grep -qF "Calls per hour" "$1" &&
    grep -qF "<title>2026-11-20 10:00: 15 calls, 5 failed, 1 interrupted</title>" "$1" &&
    [ "$(grep -c "^<g><title>2026" "$1")" = 1 ]' sh "$R"
check "latency: Bash p50 1000, p95 2000 on a log scale" \
  sh -c 'grep -qF "Bash: 5 calls with a latency; avg 1060 ms, p50 1000, p95 2000" "$1" &&
    grep -qF ">1 ms</text>" "$1" && grep -qF ">10 s</text>" "$1"' sh "$R"
check "latency: Read avg 42.5, p50 20, p95 100" \
  has "$R" "Read: 4 calls with a latency; avg 42.5 ms, p50 20, p95 100"
check "success: Bash 5 calls, 3 failed, 1 interrupted, 20.0%" \
  has "$R" '<code>Bash</code></td><td class="n">5</td><td class="n">3</td><td class="n">1</td><td class="n">20.0%</td>'
check "success: tools by calls, as in stats" \
  sh -c '[ "$(sed -n "/id=\"success\"/,/<\/section>/p" "$1" | grep -o "<tr><td><code>[A-Za-z]*" | sed "s/.*>//" | tr "\n" " ")" = "Bash Read Edit Glob Grep Write " ]' sh "$R"
check "failures: Edit's two 'String to replace not found' are one group" \
  has "$R" '<code>Edit</code></td><td class="n">2</td><td>string_not_found</td>'
check "chains: Bash -> Bash 3 times, never all ok, avg 2333 ms" \
  has "$R" '<td class="n">3</td><td><code>Bash</code> &rarr; <code>Bash</code></td><td class="n">0.0%</td><td class="n">2333</td>'
check "parallelization: 1 run of 3 calls, 80 ms saved" \
  sh -c 'grep -qF "1 run of read-only calls (3 calls)" "$1" && grep -qF "<b>80 ms</b>" "$1"' sh "$R"
check "slowest: Bash[npm test] 2000 ms first" \
  sh -c 'sed -n "/id=\"slowest\"/,/<\/section>/p" "$1" | grep -m1 "<td class=\"n\">[0-9]" | grep -qF "<td class=\"n\">2000</td><td><code>Bash[npm test]</code>"' sh "$R"
check "the skipped lines are counted" has "$R" "2 malformed or torn lines skipped"
"$STATS" report --log "$F" --html "$TMP/again.html" --min-count 1
check "deterministic: two runs give the same bytes" cmp -s "$R" "$TMP/again.html"
run report --log "$F" --html - --min-count 1
check "--html - writes the same page to stdout" cmp -s "$R" "$TMP/out"
"$STATS" report --log "$F" --html "$TMP/default.html"
check "default --min-count 5: no chain listed, and the page says why" \
  has "$TMP/default.html" "No chain seen 5 times or more"

# Filters: the same as stats and patterns.
run report --log "$F" --html "$TMP/bash.html" --tool Bash
check "--tool Bash: 5 calls in 2 sessions, only Bash rows" \
  sh -c 'grep -qF "<b>5</b><span>calls in 2 sessions" "$1" && ! grep -qF "<code>Read</code></td>" "$1" &&
    grep -qF "filters: tool <code>Bash</code>" "$1"' sh "$TMP/bash.html"
run report --log "$F" --html "$TMP/sb.html" --session sB
check "--session sB: 4 calls" has "$TMP/sb.html" "<b>4</b><span>calls in 1 session"
run report --log "$F" --html "$TMP/late.html" --since 2026-11-20T10:03:00Z
check "--since: the 6 calls at or after it" has "$TMP/late.html" "<b>6</b><span>calls"

# Time buckets: days for a range of days, 2-week buckets for four years; always bounded.
sed 's/"2026-11-20T/"2026-11-21T/' "$F" > "$TMP/d2.jsonl"
sed 's/"2026-11-20T/"2026-11-25T/' "$F" > "$TMP/d3.jsonl"
run report --log "$F" --log "$TMP/d2.jsonl" --log "$TMP/d3.jsonl" --html "$TMP/days.html"
check "six days: per day, 3 bars (20, 21 and 25 November), 15 calls each" \
  sh -c 'grep -qF "Calls per day" "$1" && [ "$(grep -c "^<g><title>2026-11-2.: 15 calls" "$1")" = 3 ]' sh "$TMP/days.html"
sed 's/"2026-11-20T/"2023-01-02T/' "$F" > "$TMP/old.jsonl"
run report --log "$TMP/old.jsonl" --log "$F" --html "$TMP/years.html"
check "four years: per 2 weeks, 2 bars of 15 calls" \
  sh -c 'grep -qF "Calls per 2 weeks" "$1" && [ "$(grep -c "^<g><title>20..-..-..: 15 calls" "$1")" = 2 ]' sh "$TMP/years.html"

# Hostile log data: tool names, errors, sessions and commands are text, never markup.
H=$TMP/hostile.jsonl
for i in 1 2 3; do
  printf '%s\n' '{"v":1,"timestamp":"2026-11-20T10:00:0'$i'.000Z","event":"PostToolUseFailure","agent":"claude-code","session_id":"\"><svg onload=alert(1)>","prompt_id":"p","tool_use_id":"h'$i'","tool_name":"<script>alert(1)</script>","outcome":"failure","error":"<img src=x onerror=alert(1)> & '"'q'"' \u0001 \u0085","exit_code":null,"latency_ms":5,"latency_source":"duration_ms","params":null,"params_fp":"aa","response_bytes":1,"redactions":0,"truncations":0,"cwd":"/p","transcript_path":"/t","permission_mode":"default","agent_id":null,"agent_type":null}' >> "$H"
  printf '%s\n' '{"v":1,"timestamp":"2026-11-20T10:00:1'$i'.000Z","event":"PostToolUse","agent":"claude-code","session_id":"\"><svg onload=alert(1)>","prompt_id":"p","tool_use_id":"b'$i'","tool_name":"Bash","outcome":"success","error":null,"exit_code":null,"latency_ms":50,"latency_source":"duration_ms","params":{"command":"</code><script>alert(2)</script>"},"params_fp":"bb","response_bytes":1,"redactions":0,"truncations":0,"cwd":"/p","transcript_path":"/t","permission_mode":"default","agent_id":null,"agent_type":null}' >> "$H"
done
printf '{"v":1,"timestamp":"2026-11-20T10:00:30.000Z","event":"PostToolUse","agent":"claude-code","session_id":"s","tool_name":"Read\377<b>","outcome":"success","latency_ms":1,"params":null}\n' >> "$H"
X=$TMP/hostile.html
run report --log "$H" --html "$X" --min-count 1
check "hostile log: exit 0" [ "$RC" = 0 ]
check "a tool named <script>alert(1)</script> is escaped text" \
  sh -c 'grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;" "$1"' sh "$X"
check "no <script, <img, <svg onload or <b> from the log survives as markup" \
  sh -c '! grep -qiE "<script|<img|<svg onload|Read.<b>" "$1"' sh "$X"
check "an error with markup, & and quotes is escaped (also inside title=\"…\")" \
  has "$X" 'title="&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39; '
check "a session id that closes an attribute is escaped" has "$X" "&quot;&gt;&lt;svg onload=alert(1)&gt;"
check "a command that closes the cell is escaped" has "$X" "Bash[&lt;/code&gt;&lt;script&gt;alert(2)&lt;/script&gt;]"
check "control characters and invalid UTF-8 become U+FFFD" \
  sh -c 'grep -qF "$(printf "&#39; \357\277\275 \357\277\275")" "$1" && grep -qF "$(printf "Read\357\277\275&lt;b&gt;")" "$1"' sh "$X"
check "the hostile tool's chain is listed, escaped" has "$X" "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code> &rarr;"
if command -v node > /dev/null 2>&1; then
  node "$HERE/report_check.mjs" utf8 "$X" > "$TMP/utf8.tap"
  tap_merge < "$TMP/utf8.tap"
else
  not_ok "the UTF-8 check needs node (scripts/test installs it)"
fi

# Empty and error paths.
: > "$TMP/empty.jsonl"
E=$TMP/empty.html
run report --log "$TMP/empty.jsonl" --html "$E"
check "an empty log: exit 0, a complete page saying there is nothing" \
  sh -c '[ "$1" = 0 ] && grep -qF "No tool calls recorded yet." "$2" && tail -n 1 "$2" | grep -qx "</html>" &&
    grep -qF "<!DOCTYPE html>" "$2"' sh "$RC" "$E"
run report --log "$F" --html "$TMP/f.html" --since 2026-11-21
check "no call in the window: the page says so for these filters" \
  has "$TMP/f.html" "No tool calls recorded for these filters."
run report --log "$F" --html "$TMP/no/such/dir/r.html"
check "an output path in a missing directory: exit 1, a clear message" \
  sh -c '[ "$1" = 1 ] && grep -qF "telemetry-stats: cannot write the report to '"'"'$3/no/such/dir/r.html'"'"': No such file or directory" "$2"' \
  sh "$RC" "$TMP/err" "$TMP"
mkdir "$TMP/adir"
run report --log "$F" --html "$TMP/adir"
check "an output path that is a directory: exit 1, a clear message" \
  sh -c '[ "$1" = 1 ] && grep -qF "cannot write the report to" "$2" && grep -qF "Is a directory" "$2"' sh "$RC" "$TMP/err"
if [ -w /dev/full ]; then
  run report --log "$F" --html /dev/full
  check "a full device: exit 1, a clear message" \
    sh -c '[ "$1" = 1 ] && grep -qF "cannot write the report to '"'"'/dev/full'"'"': No space left on device" "$2"' sh "$RC" "$TMP/err"
fi
run report --log "$TMP/nope.jsonl" --html "$TMP/nope.html"
check "a missing log: exit 1, and no page" sh -c '[ "$1" = 1 ] && [ ! -e "$2" ]' sh "$RC" "$TMP/nope.html"
run report --log "$F"
check "without --html: usage error (exit 2)" sh -c '[ "$1" = 2 ] && grep -qF -- "--html FILE is required" "$2"' sh "$RC" "$TMP/err"
for args in "--html" "--json --html x.html" "--top 0 --html x.html" "--failures --html x.html"; do
  # shellcheck disable=SC2086
  run report --log "$F" $args
  check "usage error for 'report $args' (exit 2)" [ "$RC" = 2 ]
done
run report --help
check "--help explains --html and the filters" \
  sh -c '[ "$1" = 0 ] && grep -qF -- "--html FILE" "$2" && grep -qF -- "--since WHEN" "$2"' sh "$RC" "$TMP/out"
run --help
check "telemetry-stats --help lists report" grep -q "^  report " "$TMP/out"

# Cost sections: with Claude Code's transcripts readable (the recorded one, under
# CLAUDE_CONFIG_DIR), the page gains cost per day and per tool. Its totals (tests/cli/cost.sh
# works them out): 11 responses, input 13,750, output 495, cache writes 3,300, reads 55,000,
# $0.07755; per tool, the tools and "unattributed" add up to the same dollars.
check "no transcripts (an empty HOME): no cost section" hasnt "$R" 'id="cost-per-day"'
mkdir -p "$TMP/cc/projects/-home-user-project"
cp "$DATA/claude-code-2.1.197-transcript.jsonl" "$TMP/cc/projects/-home-user-project/s.jsonl"
C=$TMP/cost.html
export CLAUDE_CONFIG_DIR="$TMP/cc"
run report --log "$F" --html "$C" --min-count 1
unset CLAUDE_CONFIG_DIR
check "with transcripts: exit 0" [ "$RC" = 0 ]
for id in cost-per-day cost-per-tool; do
  check "section id=\"$id\" with a heading" \
    sh -c 'grep -A1 -F "<section id=\"$2\">" "$1" | grep -q "<h2>"' sh "$C" "$id"
  check "nav links to #$id" has "$C" "<a href=\"#$id\">"
done
check "cost per day: the day of the recording, 11 responses, \$0.08" \
  grep -qE '<tr><td>[0-9]{4}-[0-9]{2}-[0-9]{2}</td><td class="n">11</td><td class="n">13,750</td><td class="n">495</td><td class="n">3,300</td><td class="n">55,000</td><td class="n">\$0\.08</td>' "$C"
check "cost per day: the total row" \
  has "$C" '<td>total</td><td class="n">11</td><td class="n">13,750</td><td class="n">495</td><td class="n">3,300</td><td class="n">55,000</td><td class="n" id="cost-total">$0.08</td>'
check "cost per tool: Bash and Read rows, and the same total" \
  sh -c 'grep -qF "<tr><td><code>Bash</code></td>" "$1" && grep -qF "<tr><td><code>Read</code></td>" "$1" &&
    grep -qF "id=\"tool-cost-total\">\$0.08</td>" "$1"' sh "$C"
check "the cost page fetches nothing either" \
  sh -c '! grep -qiE "https?://|src=|<script" "$1"' sh "$C"
check "the rest of the page is unchanged by the cost sections" \
  sh -c 'sed "/<nav>/d; /<section id=\"cost-per-day\">/,/<footer>/d" "$1" > "$3"; sed "/<nav>/d; /<footer>/,\$d" "$2" > "$4"; head -n "$(wc -l < "$4")" "$3" | cmp -s - "$4"' \
  sh "$C" "$R" "$TMP/c.cut" "$TMP/r.cut"

# A real browser: headless Chromium renders the page without a console message, every section
# is in its DOM, nothing from the hostile log became an element, and the screenshots have charts.
CHROMIUM=/usr/bin/chromium
browser() { # browser OUT ERR ARGS... : runs Chromium with a fresh profile, no network services
  out=$1 err=$2
  shift 2
  profile=$(mktemp -d "$TMP/chromium.XXXXXX")
  set +e
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 "$@" > "$out" 2> "$err"
  BRC=$?
  set -e
}
if [ ! -x "$CHROMIUM" ]; then
  not_ok "headless Chromium is required for the browser check: $CHROMIUM is missing (Debian package 'chromium'; scripts/test installs it)"
else
  browser "$TMP/dom.html" "$TMP/chromium.err" --dump-dom "file://$R"
  check "Chromium loads the page (--dump-dom, exit 0)" sh -c '[ "$1" = 0 ] && [ -s "$2" ]' sh "$BRC" "$TMP/dom.html"
  check "no console message (no error, no blocked fetch or script)" hasnt "$TMP/chromium.err" ":CONSOLE"
  missing=
  for id in $SECTIONS summary; do
    grep -qF "id=\"$id\"" "$TMP/dom.html" || missing="$missing $id"
  done
  check "every section is in the rendered DOM${missing:+ (missing:$missing)}" [ -z "$missing" ]
  browser "$TMP/cdom.html" "$TMP/cchromium.err" --dump-dom "file://$C"
  check "cost page: Chromium renders both cost sections with their totals, no console message" \
    sh -c '[ "$3" = 0 ] && grep -qF "id=\"cost-per-day\"" "$1" && grep -qF "id=\"cost-per-tool\"" "$1" &&
      grep -qF "id=\"cost-total\">\$0.08</td>" "$1" && grep -qF "id=\"tool-cost-total\">\$0.08</td>" "$1" &&
      ! grep -qF ":CONSOLE" "$2"' sh "$TMP/cdom.html" "$TMP/cchromium.err" "$BRC"
  check "the charts are SVG elements in the DOM" \
    sh -c '[ "$(grep -o "<svg class=\"chart\"" "$1" | wc -l)" -ge 2 ] && grep -q "<rect class=\"fail\"" "$1"' sh "$TMP/dom.html"
  browser "$TMP/hdom.html" "$TMP/hchromium.err" --dump-dom "file://$X"
  check "hostile page: no <script>, <img> or onload element in the DOM, the name shown as text" \
    sh -c '[ "$2" = 0 ] && ! grep -qiE "<script|<img|onload=\"|onerror=\"" "$1" &&
      grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;" "$1"' sh "$TMP/hdom.html" "$BRC"
  check "hostile page: no console message" hasnt "$TMP/hchromium.err" ":CONSOLE"
  browser "$TMP/shot.out" "$TMP/shot.err" --screenshot="$TMP/light.png" --window-size=1200,3000 "file://$R"
  check "a light screenshot is taken" sh -c '[ "$1" = 0 ] && [ -s "$2" ]' sh "$BRC" "$TMP/light.png"
  browser "$TMP/shot.out" "$TMP/shot.err" --force-dark-mode --screenshot="$TMP/dark.png" --window-size=1200,3000 "file://$R"
  check "a dark screenshot is taken" sh -c '[ "$1" = 0 ] && [ -s "$2" ]' sh "$BRC" "$TMP/dark.png"
  if command -v node > /dev/null 2>&1; then
    node "$HERE/report_check.mjs" png "$TMP/light.png" light > "$TMP/png.tap"
    node "$HERE/report_check.mjs" png "$TMP/dark.png" dark >> "$TMP/png.tap"
    tap_merge < "$TMP/png.tap"
  else
    not_ok "the screenshot check needs node (scripts/test installs it)"
  fi
  if [ -n "${ET_REPORT_KEEP:-}" ]; then
    cp "$R" "$TMP/light.png" "$TMP/dark.png" "$ET_REPORT_KEEP/"
  fi
fi
tap_done
