#!/bin/sh
# telemetry-stats proposals on fixture logs (tests/tools/genproposals.py made them): each planted
# pattern gives its proposal, the clean log none; the goldens; determinism; the options; --output
# and its refusals; the error paths.
# usage: proposals.sh STATS DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
setup_stats "$1" "$2"
# Relative paths: the goldens' input.files and the log's transcript_path do not depend on the tree.
cd "$DATA"
P=proposals/planted.jsonl
C=proposals/clean.jsonl

# kinds FILE: the kinds of the proposals in a JSON document, sorted, one a line.
kinds() { grep -o '"rank":[0-9]*,"kind":"[a-z_]*"' "$1" | sed 's/.*"kind":"//; s/"$//' | sort; }

# --top 20: the planted log has twelve proposals, more than the default top of 10.
run proposals --log "$P" --json --top 20
check "planted --json: exit 0, matches the golden" sh -c '[ "$1" = 0 ] && diff -u proposals/planted.json "$2"' sh "$RC" "$TMP/out"
kinds "$TMP/out" > "$TMP/kinds"
for k in repeated_error slow_tool retry_loop manual_process serial_reads rejected_call \
  repeated_read huge_result dominant_tool first_try_failure unresolved_cycle failing_subagent; do
  check "planted: a $k proposal" grep -qx "$k" "$TMP/kinds"
done
check "planted: twelve proposals, one of each" [ "$(wc -l < "$TMP/kinds")" = 12 ]
check "the huge results have their dollars from the transcript the log names" \
  grep -q '"kind":"huge_result",[^}]*"dollars":0\.0[0-9]*,' "$TMP/out"
check "every proposal has examples with a session" \
  sh -c '[ "$(grep -o "\"examples\":\[{\"session\":\"s[0-9]*\"" "$1" | wc -l)" = 12 ]' sh "$TMP/out"
check "the hook's feedback: given twice in the retry loop, the next call repeated once, changed once" \
  grep -q '"feedback":{"given":2,"next_call_changed":1,"next_call_repeated":1}' "$TMP/out"
# The runs findings (docs/proposals.md), from the sessions analysis: their evidence.
field() {
  python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
p=[p for p in d["proposals"] if p["kind"]==sys.argv[2]][0]
print(eval(sys.argv[3], {}, p))' "$TMP/out" "$1" "$2"
}
check "first try: pytest, 3 series failed first, their 3 failed runs' 12 s measured" \
  [ "$(field first_try_failure '(subject, evidence["events"], evidence["measured_ms"])')" = "('pytest', 3, 12000)" ]
check "first try: the example is the first failing run of s10" \
  [ "$(field first_try_failure 'evidence["examples"][0]')" = "{'session': 's10', 'tool_use_id': 'toolu_0070'}" ]
check "unresolved cycles: 4 Bash cycles (9 attempts, 9.9 s measured) in s2 and s11" \
  [ "$(field unresolved_cycle '(subject, evidence["events"], evidence["measured_ms"], evidence["assumed_ms"], [e["session"] for e in evidence["examples"]])')" = "('Bash', 4, 9900, 180000, ['s2', 's11'])" ]
field unresolved_cycle problem > "$TMP/f"
check "unresolved cycles: the target most often left failing is named" \
  grep -q "most often on git push (3)" "$TMP/f"
field failing_subagent problem > "$TMP/f"
check "failing subagent: db-migrator, 6 bad runs of 6, against 25% for the others" \
  sh -c '[ "$1" = "('"'db-migrator'"', 6)" ] && grep -q "6 of 6 db-migrator subagent runs.*100%, against 25% for the other agents" "$2"' \
  sh "$(field failing_subagent '(subject, evidence["events"])')" "$TMP/f"
check "failing subagent: the example is the interrupted Agent call" \
  [ "$(field failing_subagent 'evidence["examples"][0]["tool_use_id"]')" = toolu_0088 ]
cp "$TMP/out" "$TMP/a.json"
run proposals --log "$P" --json --top 20
check "the same log, the same document byte for byte" cmp -s "$TMP/a.json" "$TMP/out"
run proposals --log "$P" --markdown --top 20
check "planted --markdown matches the golden" diff -u proposals/planted.md "$TMP/out"
run proposals --log "$P" --no-cost --color never --top 20
check "planted text (--no-cost) matches the golden" diff -u proposals/planted.txt "$TMP/out"
check "--no-cost: no dollars" sh -c '! grep -q "token dollars \\$" "$1"' sh "$TMP/out"

run proposals --log "$C" --json
check "clean: exit 0, no proposal" sh -c '[ "$1" = 0 ] && grep -q "\"proposals\":\[\]}" "$2"' sh "$RC" "$TMP/out"
check "clean: the one feedback note was followed by another call" \
  grep -q '"feedback":{"given":1,"next_call_changed":1,"next_call_repeated":0}' "$TMP/out"
run proposals --log "$C"
check "clean text: says there is none" grep -q "No proposals: nothing in this log passes the thresholds" "$TMP/out"

# Thresholds move findings in and out.
run proposals --log "$C" --json --error-sessions 2 --slow-calls 4 --retry-run 2 --manual-calls 9 \
  --reread 2 --min-events 2 --top 20
kinds "$TMP/out" > "$TMP/kinds"
for k in repeated_error slow_tool retry_loop manual_process serial_reads rejected_call \
  repeated_read huge_result first_try_failure unresolved_cycle failing_subagent; do
  check "clean with lower thresholds: a $k proposal" grep -qx "$k" "$TMP/kinds"
done
run proposals --log "$C" --json --min-events 2 --first-try-rate 0.3
check "--first-try-rate 0.3: pytest passing first in 1 of 3 series is not flagged" \
  sh -c '! grep -q "\"kind\":\"first_try_failure\"" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --agent-ratio 5
check "--agent-ratio 5: 100% is not 5 times the others' 25%" \
  sh -c '! grep -q "\"kind\":\"failing_subagent\"" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --top 20 --pipeline "git push"
check "--pipeline 'git push': its series fail on the first try too" \
  grep -q '"kind":"first_try_failure","subject":"git push"' "$TMP/out"
EXECUTION_TELEMETRY_PIPELINES='git push' run proposals --log "$P" --json --top 20
check "the config's pipelines (EXECUTION_TELEMETRY_PIPELINES) count as --pipeline" \
  grep -q '"kind":"first_try_failure","subject":"git push"' "$TMP/out"
# kind_field KIND KEY: the KEY of the KIND proposal's return (python3), or "none".
kind_field() {
  python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
v=[p["return"][sys.argv[3]] for p in d["proposals"] if p["kind"]==sys.argv[2]]
print(v[0] if v else "none")' "$TMP/out" "$1" "$2"
}
run proposals --log "$P" --json --slow-ms 12001
check "--slow-ms 12001: the 12 s tool is not slow" sh -c '! grep -q "\"kind\":\"slow_tool\"" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --huge-bytes 300001
check "--huge-bytes 300001: no huge result" sh -c '! grep -q "\"kind\":\"huge_result\"" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --threshold 0.05 --top 20
check "--threshold 0.05: only the proposals saving 0.05 h a month or more" \
  sh -c '[ "$(grep -o "\"rank\":" "$1" | wc -l)" = 4 ] && grep -q "\"below_threshold\":8" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --top 20
check "without --hourly-rate: the huge results (dollars, no hours) never break even" \
  [ "$(kind_field huge_result breakeven_weeks)" = None ]
run proposals --log "$P" --json --hourly-rate 100 --top 20
check "--hourly-rate 100: their dollars count, so they break even" \
  [ "$(kind_field huge_result breakeven_weeks)" != None ]
check "--hourly-rate 100: money a month" \
  sh -c 'grep -q "\"hourly_rate\":100" "$1" && ! grep -q "\"monthly_money\":null" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --turn-seconds 0
check "--turn-seconds 0: nothing assumed" sh -c '! grep -q "\"assumed_ms\":[1-9]" "$1"' sh "$TMP/out"
run proposals --log "$P" --json --top 3
check "--top 3: three proposals" [ "$(grep -o '"rank":' "$TMP/out" | wc -l)" = 3 ]
run proposals --log "$P" --json --since 2026-11-25
check "--since: only the later days (huge results, not the early errors)" \
  sh -c 'grep -q "\"kind\":\"huge_result\"" "$1" && ! grep -q "\"kind\":\"repeated_error\"" "$1"' sh "$TMP/out"

# --output: a regular file, replaced atomically; never a link, a FIFO or a device.
run proposals --log "$P" --json --top 20 --output "$TMP/p.json"
check "--output: exit 0, nothing on stdout, the document in the file" \
  sh -c '[ "$1" = 0 ] && [ ! -s "$2" ] && cmp -s "$3" "$4"' sh "$RC" "$TMP/out" "$TMP/a.json" "$TMP/p.json"
check "--output: mode 0600" [ "$(ls -l "$TMP/p.json" | cut -c1-10)" = "-rw-------" ]
mkdir "$TMP/odd"
mkfifo "$TMP/odd/fifo"
echo keep > "$TMP/odd/target"
ln -s "$TMP/odd/target" "$TMP/odd/link"
for o in fifo link; do
  run proposals --log "$P" --output "$TMP/odd/$o"
  check "--output onto a $o: exit 1, not replaced" \
    sh -c '[ "$1" = 1 ] && grep -q "not a regular file: not replaced" "$2"' sh "$RC" "$TMP/err"
done
check "--output onto a symbolic link: its target is untouched" grep -qx keep "$TMP/odd/target"
check "--output onto a FIFO: it is still a FIFO, no temporary file left" \
  sh -c '[ -p "$1/fifo" ] && [ -z "$(ls "$1" | grep tmp-)" ]' sh "$TMP/odd"
run proposals --log "$P" --output "$TMP/odd"
check "--output onto a directory: exit 1, it says it is a directory" \
  sh -c '[ "$1" = 1 ] && grep -qx "telemetry-stats proposals: .* is a directory, not a regular file: not replaced (name a regular file, or .-. for stdout)" "$2"' \
  sh "$RC" "$TMP/err"
run proposals --log "$P" --output "$TMP/none/p.json"
check "--output in a missing directory: exit 1, cannot write" \
  sh -c '[ "$1" = 1 ] && grep -qx "telemetry-stats proposals: cannot write .*/none/p.json.: No such file or directory" "$2"' \
  sh "$RC" "$TMP/err"
# A shared option's value is never taken for one of proposals' own options.
run proposals --log "$P" --json --session --output
check "--session --output: a session named --output (no proposals), no file written" \
  sh -c '[ "$1" = 0 ] && grep -q "\"proposals\":\[\]" "$2" && [ ! -e ./--output ]' sh "$RC" "$TMP/out"
check_value_missing proposals --log "$P" --threshold

# The HTML report has the section.
run report --log "$P" --html "$TMP/r.html"
check "report: a proposals section with the retry loop, linked from the navigation" \
  sh -c 'grep -q "<section id=\"proposals\">" "$1" && grep -q "Bash retried with the same input" "$1" &&
    grep -q "href=\"#proposals\"" "$1"' sh "$TMP/r.html"
run report --log "$C" --html "$TMP/c.html"
check "report on the clean log: the section says there is none" \
  grep -q "No proposals: nothing in this log passes the thresholds" "$TMP/c.html"

# Errors.
for bad in "--hourly-rate -1" "--hourly-rate x" "--threshold" "--slow-calls 0" "--retry-run 1.5" "--format xml" "--bogus" \
  "--first-try-rate 1.5" "--agent-ratio x" "--pipeline"; do
  # shellcheck disable=SC2086
  run proposals --log "$P" $bad
  check "'$bad': exit 2" [ "$RC" = 2 ]
done
run proposals --log "$TMP/missing.jsonl"
check "a missing --log: exit 1" [ "$RC" = 1 ]
: > "$TMP/empty.jsonl"
run proposals --log "$TMP/empty.jsonl"
check "an empty log: exit 0, no calls" sh -c '[ "$1" = 0 ] && grep -q "No tool calls recorded yet" "$2"' sh "$RC" "$TMP/out"
run proposals --help
check "--help names the options" sh -c 'grep -q -- "--hourly-rate" "$1" && grep -q -- "--threshold" "$1"' sh "$TMP/out"
tap_done
