#!/bin/sh
# The Gemini CLI and Codex end-to-end test: makes sure the pinned CLIs are installed in the cache
# directory (install-agents.sh), then runs agents.mjs, which drives each against a scripted API on
# 127.0.0.1 with the hook registered as README.md says, and prints TAP on stdout.
#
# usage: agents.sh HOOK_BINARY STATS_BINARY DATA_DIR
#
# environment:
#   ET_E2E_CACHE  where the CLIs are installed (default: $HOME/.cache/execution-telemetry-e2e)
#   ET_E2E_ARGS   extra arguments for agents.mjs, e.g. "--keep" or "--record /tmp/payloads"
#
# Exit status: 0 all assertions passed, 1 an assertion failed or node/npm is missing or a CLI
# could not be installed, 2 usage error.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 HOOK_BINARY STATS_BINARY DATA_DIR" >&2
	exit 2
fi
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
gemini=$(sh "$here/install-agents.sh" gemini) || exit 1
codex=$(sh "$here/install-agents.sh" codex) || exit 1
# Which CLIs ran, as TAP comments (meson keeps them in the test log).
echo "# gemini $(HOME=/nonexistent "$gemini" --version 2>/dev/null || echo '--version failed')"
echo "# $(HOME=/nonexistent "$codex" --version 2>/dev/null || echo 'codex --version failed')"

# ET_E2E_ARGS is split into words on purpose.
# shellcheck disable=SC2086
exec node "$here/agents.mjs" --hook "$1" --stats "$2" --gemini "$gemini" --codex "$codex" \
	--claude-payloads "$3/claude-code-2.1.197-payloads.jsonl" ${ET_E2E_ARGS:-}
