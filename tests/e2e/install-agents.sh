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

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$here/npm-install.sh"
need_node "the $1 CLI"

# True when $1/node_modules/.bin/$bin runs and reports the wanted version.
# `--version` only prints; it neither writes to HOME nor goes online.
works()
{
	[ -x "$1/node_modules/.bin/$bin" ] &&
		[ "$(HOME=$1 "$1/node_modules/.bin/$bin" --version 2>/dev/null)" = "$want" ]
}

npm_install_once "$package" "$version" "$prefix"
printf '%s\n' "$path"
