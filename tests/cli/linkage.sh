#!/bin/sh
# The hook links the capture library and nothing else (docs/architecture.md): no function or
# variable defined by the reading side's library (lib/read, lib/analyze, lib/report, lib/edit, built
# as libet.a) may be in telemetry-hook, nor any symbol of libcurl, zlib or cJSON, defined or
# undefined (a dynamic import is a link too). telemetry-stats, which links zlib, shows that the
# check finds one. telemetry-stats does not link libcurl either: it loads it with dlopen when
# export --endpoint pushes (stats/push.c), so no curl_ symbol and no NEEDED libcurl may be in it
# (tests/cli/curl_load.sh checks what it opens at run time). Reads the symbol tables with nm.
# usage: linkage.sh NM HOOK LIBET_A LIBET_CAPTURE_A STATS
set -eu
NM=$1 HOOK=$2 LIBET=$3 CAPTURE=$4 STATS=$5
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-link.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# defined NMFILE: the external symbols a file defines (text, data, bss, read-only), one a line.
defined() {
  "$NM" -g --defined-only "$1" 2> /dev/null | awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3 }' | sort -u
}
"$NM" "$HOOK" 2> /dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$TMP/hook"
# Every symbol a program names, defined or not, static or dynamic ("U curl_easy_init" included).
names() {
  { "$NM" "$1" 2> /dev/null; "$NM" -D "$1" 2> /dev/null; } | awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }' | sort -u
}
names "$HOOK" > "$TMP/hook-all"
names "$STATS" > "$TMP/stats-all"
defined "$LIBET" > "$TMP/libet"
defined "$CAPTURE" > "$TMP/capture"

# The checks below mean something only when the tables are there to compare.
check "the hook's symbol table is readable (it defines et_hook_run)" grep -qx et_hook_run "$TMP/hook"
check "libet.a defines the reading side (et_stats_add …: $(wc -l < "$TMP/libet") symbols)" \
  sh -c 'grep -qx et_stats_add "$1" && [ "$(wc -l < "$1")" -gt 50 ]' sh "$TMP/libet"
check "the capture library defines et_record_write" grep -qx et_record_write "$TMP/capture"

comm -12 "$TMP/hook" "$TMP/libet" > "$TMP/both"
if [ -s "$TMP/both" ]; then
  not_ok "no symbol of libet.a is in telemetry-hook; found: $(head -5 "$TMP/both" | tr '\n' ' ')"
else
  ok "no symbol of libet.a (read, analyze, report, edit) is in telemetry-hook"
fi
check "telemetry-stats names zlib's deflate (so the checks below can see an import)" \
  grep -qx deflate "$TMP/stats-all"
if grep -q '^curl_\|^Curl_' "$TMP/stats-all"; then
  not_ok "telemetry-stats names no libcurl symbol (it loads libcurl at run time); found: $(grep '^curl_\|^Curl_' "$TMP/stats-all" | head -3 | tr '\n' ' ')"
else
  ok "telemetry-stats names no libcurl symbol, defined or undefined (it loads libcurl at run time)"
fi
if grep -q '^cJSON_\|^curl_\|^deflate\|^Curl_' "$TMP/hook-all"; then
  not_ok "telemetry-hook links neither cJSON nor libcurl nor zlib; found: $(grep '^cJSON_\|^curl_\|^deflate\|^Curl_' "$TMP/hook-all" | head -3 | tr '\n' ' ')"
else
  ok "telemetry-hook links neither cJSON nor libcurl nor zlib (no such symbol, defined or undefined)"
fi
if command -v readelf > /dev/null 2>&1; then
  check "telemetry-hook needs no libcurl or libz shared library" \
    sh -c '! readelf -d "$1" 2> /dev/null | grep -q "NEEDED.*\(libcurl\|libz\.\)"' sh "$HOOK"
  check "telemetry-stats needs libz but no libcurl shared library (readelf -d)" \
    sh -c 'readelf -d "$1" 2> /dev/null | grep -q "NEEDED.*libz\." &&
      ! readelf -d "$1" 2> /dev/null | grep -q "NEEDED.*libcurl"' sh "$STATS"
fi
tap_done
