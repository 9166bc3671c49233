#!/bin/sh
# Makes sure the pinned Claude Code CLI is installed in a cache directory and
# prints the path of its `claude` binary on stdout. Used by run.sh (the
# end-to-end suite) and tests/cli/plugin.sh (the plugin validator).
#
# usage: tests/e2e/install-claude.sh
#
# environment:
#   ET_E2E_CACHE           where the CLI is installed
#                          (default: $HOME/.cache/execution-telemetry-e2e)
#   ET_E2E_CLAUDE_VERSION  install another CLI version (default: pinned below);
#                          "newest" stands for NEWEST_VERSION below
#
# Exit status: 0 the path was printed, 1 node/npm is missing or the CLI could
# not be installed, 2 usage error.
#
# stdout is the path only, so everything else (npm's output) goes to stderr.
set -eu

# The Claude Code version the suite is pinned to (see README.md for why).
PINNED_VERSION=2.1.197
# The newest release checked here (meson test e2e-newest). It declares Node >= 22
# but installs on Node 20 with an EBADENGINE warning and runs there, since the
# package carries a native binary.
NEWEST_VERSION=2.1.332
PACKAGE=@anthropic-ai/claude-code

if [ $# -ne 0 ]; then
	echo "usage: $0" >&2
	exit 2
fi
version=${ET_E2E_CLAUDE_VERSION:-$PINNED_VERSION}
[ "$version" != newest ] || version=$NEWEST_VERSION
cache=${ET_E2E_CACHE:-${HOME:?HOME is not set}/.cache/execution-telemetry-e2e}
# One directory per version, so that switching versions never half-replaces
# an installation.
prefix=$cache/claude-code-$version
claude=$prefix/node_modules/.bin/claude

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$here/npm-install.sh"
need_node "the Claude Code CLI"

# True when $1/node_modules/.bin/claude runs and reports the wanted version.
# `claude --version` only prints; it neither writes to HOME nor goes online.
works()
{
	[ -x "$1/node_modules/.bin/claude" ] &&
		DISABLE_AUTOUPDATER=1 "$1/node_modules/.bin/claude" --version 2>/dev/null |
		grep -q "^$version "
}

# The package's postinstall puts the native binary in place of a stub.
# Run it by hand when npm skipped it (--ignore-scripts in a user's npmrc,
# or npm's allowScripts policy).
fix_install()
{
	(cd "$1/node_modules/$PACKAGE" && node install.cjs) >&2 || true
}

npm_install_once "$PACKAGE" "$version" "$prefix"
printf '%s\n' "$claude"
