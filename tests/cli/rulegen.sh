#!/bin/sh
# rulegen, the build-time tool that turns the built-in rules table into C: a good table becomes a C
# file holding every rule; a malformed line fails it with the file, the line number and the reason,
# and leaves no output behind (so the build stops instead of shipping a rule that cannot run).
# usage: rulegen.sh RULEGEN RULES_TSV
set -eu
RULEGEN=$1 RULES=$2
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-rulegen.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

rules=$(grep -v -e '^#' -e '^$' "$RULES" | wc -l | tr -d ' ')
check "the built-in table converts" "$RULEGEN" "$RULES" "$TMP/good.c"
check "the C file holds all $rules rules" \
  grep -qx "const size_t et_rules_builtin_n = $rules;" "$TMP/good.c"

{ head -n 3 "$RULES"; printf 'bad-rule\t12\tkw\t0\tx\n'; } > "$TMP/bad.tsv"
rc=0
"$RULEGEN" "$TMP/bad.tsv" "$TMP/bad.c" 2> "$TMP/err" || rc=$?
check "a bad line fails the tool (exit $rc)" test "$rc" -eq 1
check "and says where and why: $(cat "$TMP/err")" \
  grep -q "bad.tsv:4: group must be a whole number" "$TMP/err"
check "and leaves no output file" test ! -e "$TMP/bad.c"
rc=0
"$RULEGEN" "$TMP/missing.tsv" "$TMP/m.c" 2> /dev/null || rc=$?
check "a missing table fails it too (exit $rc)" test "$rc" -ne 0
tap_done
