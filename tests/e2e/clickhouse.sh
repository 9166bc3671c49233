#!/bin/sh
# ClickHouse as the fleet store (docs/fleet.md), against the real server Debian packages
# (clickhouse-server 18.16): two servers on 127.0.0.1, each with its own configuration and data
# directory under a temporary directory, as the two shards of the cluster `telemetry`. A generated
# log is cut in two at a time (export --until T, export --since T, as daily exports cut a log) and
# each half is loaded into one shard with `clickhouse-client --query "INSERT ... FORMAT
# JSONEachRow"`. The SQL of docs/fleet-sql/ run over the Distributed table must give the numbers
# of `telemetry-stats stats --json` and `patterns --json` on the whole log: every tool's calls,
# outcomes, success rate and latency count/avg/p50/p95/p99/max, the totals, sessions, the chains.
# Then nulls and a hostile record (quotes, newlines, control characters, invalid UTF-8, 3 MiB of
# params) go through ClickHouse and back unchanged. The servers are killed at the end, whatever
# happens. Without clickhouse-server the test is skipped (scripts/test installs it).
# usage: clickhouse.sh STATS GENLOG SQL_DIR
set -eu
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
STATS=$(abs "$1") GENLOG=$(abs "$2") SQL=$(cd "$3" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
check_py() { python3 "$HERE/clickhouse_check.py" "$@"; }
TMP0=$(mktemp "${TMPDIR:-/tmp}/et-clickhouse-docs.XXXXXX")

if ! command -v python3 > /dev/null 2>&1; then
  not_ok "the ClickHouse checks need python3 (scripts/test installs it)"
  tap_done
  exit 1
fi
# The SQL of docs/fleet.md is the SQL tested here (checked with or without a server).
check_py docs "$SQL/../fleet.md" "$SQL" > "$TMP0" || true
tap_merge < "$TMP0"
rm -f "$TMP0"
if ! command -v clickhouse-server > /dev/null 2>&1 ||
  ! command -v clickhouse-client > /dev/null 2>&1; then
  ok "ClickHouse fleet store # SKIP clickhouse-server or clickhouse-client is not installed" \
    "(Debian: apt-get install clickhouse-server clickhouse-client; scripts/test does)"
  tap_done
  exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-clickhouse.XXXXXX")
PIDS=""
cleanup() {
  for pid in $PIDS; do
    kill "$pid" 2> /dev/null || true
  done
  for pid in $PIDS; do
    wait "$pid" 2> /dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

set -- $(check_py ports 4)
TCP1=$1 HTTP1=$2 TCP2=$3 HTTP2=$4

# server NAME TCP HTTP: writes the configuration of one server; both list the same cluster.
server() {
  d=$TMP/$1
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log"
  cat > "$d/users.xml" << X
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
X
  cat > "$d/config.xml" << X
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/log/server.log</log>
    <errorlog>$d/log/error.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$2</tcp_port>
  <http_port>$3</http_port>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
  <remote_servers>
    <telemetry>
      <shard><replica><host>127.0.0.1</host><port>$TCP1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$TCP2</port></replica></shard>
    </telemetry>
  </remote_servers>
</yandex>
X
  clickhouse-server --config-file="$d/config.xml" > "$d/stdout" 2>&1 &
  PIDS="$PIDS $!"
  eval "PID_$1=\$!"
}

# ready NAME PORT: waits until the server answers, or fails when it has exited.
ready() {
  pid=$(eval "echo \$PID_$1")
  while ! clickhouse-client --port "$2" --query "SELECT 1" > /dev/null 2>&1; do
    if ! kill -0 "$pid" 2> /dev/null; then
      echo "# $1 exited:"
      sed 's/^/# /' "$TMP/$1/stdout" "$TMP/$1/log/error.log" 2> /dev/null | tail -20
      return 1
    fi
    sleep 0.2
  done
}

ch() {
  port=$1
  shift
  clickhouse-client --port "$port" "$@"
}

server shard1 "$TCP1" "$HTTP1"
server shard2 "$TCP2" "$HTTP2"
if ready shard1 "$TCP1" && ready shard2 "$TCP2"; then
  ok "two clickhouse-server $(ch "$TCP1" --query 'SELECT version()') on 127.0.0.1:$TCP1 and :$TCP2"
else
  not_ok "two clickhouse-server processes start"
  tap_done
  exit 1
fi

# ---- the schema, the data ----
fail=0
for port in "$TCP1" "$TCP2"; do
  ch "$port" --multiquery < "$SQL/create-local.sql" || fail=1
  ch "$port" --multiquery < "$SQL/create-distributed.sql" || fail=1
done
check "create-local.sql and create-distributed.sql run on both servers" [ "$fail" = 0 ]

LOG=$TMP/log.jsonl
"$GENLOG" --records 30000 --sessions 60 --seed 7 -o "$LOG" 2> /dev/null
# Calls whose p * n is whole, where nearest rank and quantileExact part (in shard 2).
check_py ranks-log "$LOG"
# The time at the middle of the log's calls.
MID=$(sed -n 15000p "$LOG" | sed 's/.*"timestamp":"\([^"]*\)".*/\1/')
"$STATS" export --format clickhouse --log "$LOG" --host laptop --user alex --until "$MID" \
  --output "$TMP/half1.jsonl" 2> /dev/null
"$STATS" export --format clickhouse --log "$LOG" --host laptop --user alex --since "$MID" \
  --output "$TMP/half2.jsonl" 2> /dev/null
fail=0
ch "$TCP1" --query "INSERT INTO telemetry.calls_local FORMAT JSONEachRow" < "$TMP/half1.jsonl" ||
  fail=1
ch "$TCP2" --query "INSERT INTO telemetry.calls_local FORMAT JSONEachRow" < "$TMP/half2.jsonl" ||
  fail=1
check "each half of the log (before and after $MID) loaded into its shard" [ "$fail" = 0 ]
n1=$(ch "$TCP1" --query "SELECT count() FROM telemetry.calls_local")
n2=$(ch "$TCP2" --query "SELECT count() FROM telemetry.calls_local")
"$STATS" stats --log "$LOG" --json --top 100000 > "$TMP/stats.json"
total=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["total_calls"])' \
  < "$TMP/stats.json")
halves=no
[ "$n1" -gt 1000 ] && [ "$n2" -gt 1000 ] && [ $((n1 + n2)) = "$total" ] && halves=yes
check "shard 1 holds $n1 rows, shard 2 $n2, together the $total calls of stats" [ "$halves" = yes ]
check "the Distributed table sees both shards" \
  [ "$(ch "$TCP1" --query 'SELECT count() FROM telemetry.calls')" = "$total" ]

# ---- the documented SQL against stats and patterns ----
ch "$TCP1" --format JSONEachRow < "$SQL/stats-totals.sql" > "$TMP/totals.jsonl"
ch "$TCP1" --format JSONEachRow < "$SQL/stats-tools.sql" > "$TMP/tools.jsonl"
check_py stats "$TMP/stats.json" "$TMP/totals.jsonl" "$TMP/tools.jsonl" > "$TMP/tap" || true
tap_merge < "$TMP/tap"
"$STATS" patterns --log "$LOG" --json --min-count 5 --top 100000 > "$TMP/patterns.json"
ch "$TCP2" --format JSONEachRow < "$SQL/chains.sql" > "$TMP/chains.jsonl"
check_py chains "$TMP/patterns.json" "$TMP/chains.jsonl" > "$TMP/tap" || true
tap_merge < "$TMP/tap"

# ---- the whole log through the Distributed table: each session on one shard ----
sed 's/telemetry\./viadist./g; s/EXISTS telemetry;/EXISTS viadist;/' "$SQL/create-local.sql" \
  > "$TMP/viadist-local.sql"
sed 's/telemetry\./viadist./g; s/(telemetry, telemetry,/(telemetry, viadist,/' \
  "$SQL/create-distributed.sql" > "$TMP/viadist-dist.sql"
for port in "$TCP1" "$TCP2"; do
  ch "$port" --multiquery < "$TMP/viadist-local.sql"
  ch "$port" --multiquery < "$TMP/viadist-dist.sql"
done
"$STATS" export --format clickhouse --log "$LOG" --output "$TMP/all.jsonl" 2> /dev/null
check "the whole log loads through the Distributed table (insert_distributed_sync=1)" \
  ch "$TCP2" --insert_distributed_sync=1 \
  --query "INSERT INTO viadist.calls FORMAT JSONEachRow" < "$TMP/all.jsonl"
n1=$(ch "$TCP1" --query "SELECT count() FROM viadist.calls_local")
n2=$(ch "$TCP2" --query "SELECT count() FROM viadist.calls_local")
for port in "$TCP1" "$TCP2"; do
  ch "$port" --query "SELECT DISTINCT ifNull(session_id, 'unknown') FROM viadist.calls_local" |
    sort > "$TMP/sessions-$port"
done
s1=$(wc -l < "$TMP/sessions-$TCP1" | tr -d ' ')
s2=$(wc -l < "$TMP/sessions-$TCP2" | tr -d ' ')
both=$(comm -12 "$TMP/sessions-$TCP1" "$TMP/sessions-$TCP2" | wc -l | tr -d ' ')
spread=no
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) = "$total" ] && [ "$both" = 0 ] && spread=yes
check "spread by session: $n1 + $n2 rows, $s1 + $s2 sessions, $both on both shards" \
  [ "$spread" = yes ]
sed 's/telemetry\./viadist./g' "$SQL/stats-tools.sql" |
  ch "$TCP1" --format JSONEachRow > "$TMP/tools.jsonl"
sed 's/telemetry\./viadist./g' "$SQL/stats-totals.sql" |
  ch "$TCP1" --format JSONEachRow > "$TMP/totals.jsonl"
check_py stats "$TMP/stats.json" "$TMP/totals.jsonl" "$TMP/tools.jsonl" |
  sed 's/^\(\(not \)\{0,1\}ok - \)/\1loaded through the Distributed table: /' > "$TMP/tap" || true
tap_merge < "$TMP/tap"

# ---- nulls and hostile strings through ClickHouse and back ----
check_py hostile-log "$TMP/hostile.jsonl"
"$STATS" export --format clickhouse --log "$TMP/hostile.jsonl" --host 'h"1' --user u \
  --output "$TMP/hostile.rows" 2> /dev/null
sed 's/telemetry\./hostile./g; s/EXISTS telemetry;/EXISTS hostile;/' "$SQL/create-local.sql" |
  ch "$TCP1" --multiquery
check "hostile rows load with INSERT ... FORMAT JSONEachRow" \
  ch "$TCP1" --query "INSERT INTO hostile.calls_local FORMAT JSONEachRow" < "$TMP/hostile.rows"
ch "$TCP1" --output_format_json_quote_64bit_integers=0 --format JSONEachRow \
  --query "SELECT * FROM hostile.calls_local ORDER BY seq" > "$TMP/back.jsonl"
cols=$(ch "$TCP1" --query "SELECT arrayStringConcat(groupArray(concat('isNull(', name, \
') AS ', name)), ', ') FROM system.columns WHERE database = 'hostile' AND table = 'calls_local'")
ch "$TCP1" --format JSONEachRow --query "SELECT $cols FROM hostile.calls_local ORDER BY seq" \
  > "$TMP/isnull.jsonl"
check_py roundtrip "$TMP/hostile.rows" "$TMP/back.jsonl" "$TMP/isnull.jsonl" > "$TMP/tap" || true
tap_merge < "$TMP/tap"

tap_done
