#!/bin/sh
# Makes sure the pinned Gemini CLI or Codex CLI is installed in a cache
# directory and prints the path of its binary on stdout. Used by agents.sh
# (meson tests e2e-gemini and e2e-codex).
#
# usage: tests/e2e/install-agents.sh gemini|codex
#
# environment:
#   ET_E2E_CACHE  where the CLI is installed
#                 (default: $HOME/.cache/execution-telemetry-e2e)
#
# Exit status: 0 the path was printed, 1 node/npm is missing or the CLI could
# not be installed, 2 usage error.
#
# stdout is the path only, so everything else (npm's output) goes to stderr.
set -eu

# The versions the tests are pinned to. Both run on Node 20: Gemini CLI is
# JavaScript, Codex is a native binary behind a Node launcher.
GEMINI_VERSION=0.61.0
CODEX_VERSION=0.171.0

usage()
{
	echo "usage: $0 gemini|codex" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case $1 in
gemini) package=@google/gemini-cli version=$GEMINI_VERSION bin=gemini want=$version ;;
codex) package=@openai/codex version=$CODEX_VERSION bin=codex want="codex-cli $version" ;;
*) usage ;;
esac
cache=${ET_E2E_CACHE:-${HOME:?HOME is not set}/.cache/execution-telemetry-e2e}
# One directory per version, so that switching versions never half-replaces
# an installation.
prefix=$cache/$1-$version
path=$prefix/node_modules/.bin/$bin

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "e2e: '$tool' not found: the end-to-end suite needs Node.js (node and npm)" \
			"to install and drive the $1 CLI" >&2
		exit 1
	fi
done

# True when $1/node_modules/.bin/$bin runs and reports the wanted version.
# `--version` only prints; it neither writes to HOME nor goes online.
works()
{
	[ -x "$1/node_modules/.bin/$bin" ] &&
		[ "$(HOME=$1 "$1/node_modules/.bin/$bin" --version 2>/dev/null)" = "$want" ]
}

if ! works "$prefix"; then
	echo "e2e: installing $package@$version into $prefix" >&2
	mkdir -p "$cache"
	# Install next to the final place and rename, so that an interrupted
	# install never looks like a finished one.
	tmp=$(mktemp -d "$cache/.install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! npm install --prefix "$tmp" --no-audit --no-fund --save-exact --engine-strict=false \
		"$package@$version" >&2; then
		echo "e2e: npm install $package@$version failed" >&2
		exit 1
	fi
	if ! works "$tmp"; then
		echo "e2e: $package@$version installed, but its $bin binary does not run" >&2
		exit 1
	fi
	rm -rf "$prefix"
	# Another run may have finished the same install meanwhile: keep theirs.
	if [ ! -e "$prefix" ]; then
		mv "$tmp" "$prefix"
	fi
	rm -rf "$tmp"
	trap - EXIT
	if ! works "$prefix"; then
		echo "e2e: cannot install $package@$version into $prefix" >&2
		exit 1
	fi
fi
printf '%s\n' "$path"
