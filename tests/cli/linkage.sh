#!/bin/sh
# The hook links the capture library and nothing else (docs/architecture.md): no function or
# variable defined by the reading side's library (lib/read, lib/analyze, lib/report, lib/edit, built
# as libet.a) may be in telemetry-hook, nor any symbol of libcurl or cJSON. Reads the symbol
# tables with nm.
# usage: linkage.sh NM HOOK LIBET_A LIBET_CAPTURE_A
set -eu
NM=$1 HOOK=$2 LIBET=$3 CAPTURE=$4
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-link.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# defined NMFILE: the external symbols a file defines (text, data, bss, read-only), one a line.
defined() {
  "$NM" -g --defined-only "$1" 2> /dev/null | awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3 }' | sort -u
}
"$NM" "$HOOK" 2> /dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$TMP/hook"
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
if grep -q '^cJSON_\|^curl_' "$TMP/hook"; then
  not_ok "telemetry-hook links neither cJSON nor libcurl; found: $(grep '^cJSON_\|^curl_' "$TMP/hook" | head -3 | tr '\n' ' ')"
else
  ok "telemetry-hook links neither cJSON nor libcurl"
fi
tap_done
