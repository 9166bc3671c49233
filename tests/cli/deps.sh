#!/bin/sh
# scripts/deps.sh on a system without apt-get: with Homebrew it installs the build dependencies
# under their brew names; with neither, it stops and names the packages for apt-get, dnf, pacman
# and brew. Runs ensure_build_deps with PATH holding only stand-ins (no package is installed).
#   usage: deps.sh SOURCE_ROOT
set -u
ROOT=$1
. "$ROOT/tests/cli/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/et-deps.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
SH=$(command -v sh)

# stand_in DIR NAME [BODY]: an executable NAME in DIR running BODY (default: exit 0).
stand_in() {
  mkdir -p "$1"
  printf '#!%s\n%s\n' "$SH" "${3:-exit 0}" > "$1/$2"
  chmod +x "$1/$2"
}
for tool in id cat chmod; do
  for dir in none brew; do
    mkdir -p "$TMP/$dir"
    ln -s "$(command -v $tool)" "$TMP/$dir/$tool"
  done
done

# Neither apt-get nor brew, nothing installed.
PATH=$TMP/none "$SH" -c '. "$1/scripts/deps.sh"; ensure_build_deps' sh "$ROOT" \
  > "$TMP/out" 2> "$TMP/err"
RC=$?
check "no package manager: exit 1" [ "$RC" = 1 ]
check "no package manager: the Debian names" \
  grep -q "apt-get install  *meson ninja-build gcc libc6-dev pkg-config" "$TMP/err"
check "no package manager: dnf names" \
  grep -q "dnf install meson ninja-build gcc pkgconf-pkg-config cjson-devel libsodium-devel pcre2-devel libcurl-devel zlib-devel" \
  "$TMP/err"
check "no package manager: pacman names" \
  grep -q "pacman -S --needed meson ninja gcc pkgconf cjson libsodium pcre2 curl zlib" "$TMP/err"
check "no package manager: brew names" \
  grep -q "brew install meson ninja pkg-config cjson libsodium pcre2 curl zlib" "$TMP/err"

# Homebrew: brew is called with the brew names; the stand-in pkg-config then finds everything.
stand_in "$TMP/brew" brew "echo \"\$@\" > \"$TMP/brew.args\"; for t in meson ninja pkg-config; do printf '#!$SH\nexit 0\n' > \"$TMP/brew/\$t\"; chmod +x \"$TMP/brew/\$t\"; done"
stand_in "$TMP/brew" cc
PATH=$TMP/brew "$SH" -c '. "$1/scripts/deps.sh"; ensure_build_deps' sh "$ROOT" \
  > "$TMP/out" 2> "$TMP/err"
RC=$?
check "brew: exit 0" [ "$RC" = 0 ]
check "brew: installs the brew names" \
  sh -c '[ "$(cat "$1")" = "install meson ninja pkg-config cjson libsodium pcre2 curl zlib" ]' sh "$TMP/brew.args"

# Homebrew, but pkg-config still cannot find a library afterwards: a clear stop, not a build error.
rm -f "$TMP/brew/meson" "$TMP/brew/ninja" "$TMP/brew/pkg-config"
stand_in "$TMP/brew" brew "for t in meson ninja; do printf '#!$SH\nexit 0\n' > \"$TMP/brew/\$t\"; chmod +x \"$TMP/brew/\$t\"; done; printf '#!$SH\n[ \"\$2\" != libsodium ]\n' > \"$TMP/brew/pkg-config\"; chmod +x \"$TMP/brew/pkg-config\""
PATH=$TMP/brew "$SH" -c '. "$1/scripts/deps.sh"; ensure_build_deps' sh "$ROOT" \
  > "$TMP/out" 2> "$TMP/err"
RC=$?
check "brew, a library still missing: exit 1, named" \
  sh -c '[ "$1" = 1 ] && grep -q "pkg-config cannot find libsodium" "$2"' sh "$RC" "$TMP/err"
tap_done
