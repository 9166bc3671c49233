#!/bin/sh
# End-to-end suite entry point: makes sure the pinned Claude Code CLI is
# installed in a cache directory (install-claude.sh), then drives that CLI
# against a scripted API on 127.0.0.1 and prints TAP on stdout:
#
#   run.sh HOOK_BINARY           e2e.mjs: settings.json registers HOOK_BINARY
#   run.sh --plugin PLUGIN_DIR   plugin.mjs: the CLI loads the built plugin
#                                (build/plugin/plugin) with --plugin-dir
#   run.sh --feedback HOOK       feedback.mjs: a repeated failure with the
#                                hook's feedback on, then off
#   run.sh --from-source REPO    from-source.mjs: a git clone of REPO as the
#                                marketplace, the plugin installed from it
#
# environment:
#   ET_E2E_CACHE           where the CLI is installed
#                          (default: $HOME/.cache/execution-telemetry-e2e)
#   ET_E2E_CLAUDE_VERSION  test against another CLI version (default: pinned
#                          in install-claude.sh; "newest": the newest one checked)
#   ET_E2E_ARGS            extra arguments for the .mjs test, e.g.
#                          "--keep" or "--capture /tmp/e2e-capture"
#
# Exit status: 0 all assertions passed, 1 an assertion failed or node/npm is
# missing or the CLI could not be installed, 2 usage error.
#
# stdout is the TAP stream, so everything else (npm's output) goes to stderr.
set -eu

usage()
{
	echo "usage: $0 HOOK_BINARY | $0 --plugin PLUGIN_DIR | $0 --feedback HOOK_BINARY | $0 --from-source REPO" >&2
	exit 2
}

case $# in
1)
	[ "$1" != --plugin ] || usage
	test=e2e.mjs option=--hook target=$1
	;;
2)
	case $1 in
	--plugin) test=plugin.mjs option=--plugin-dir ;;
	--feedback) test=feedback.mjs option=--hook ;;
	--from-source) test=from-source.mjs option=--repo ;;
	*) usage ;;
	esac
	target=$2
	;;
*)
	usage
	;;
esac
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

claude=$(sh "$here/install-claude.sh") || exit 1
# Which CLI ran, as a TAP comment (meson keeps it in the test log).
echo "# $(DISABLE_AUTOUPDATER=1 "$claude" --version 2>/dev/null || echo 'claude --version failed')"

# ET_E2E_ARGS is split into words on purpose.
# shellcheck disable=SC2086
exec node "$here/$test" "$option" "$target" --claude "$claude" ${ET_E2E_ARGS:-}
