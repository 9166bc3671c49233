# Sourced by install-claude.sh and install-agents.sh: a pinned CLI from npm, installed once into a
# cache directory of its own. POSIX sh; messages go to stderr (stdout is the callers' answer).
#
# The caller defines works DIR: true when the CLI installed in DIR runs and is the wanted version.

# need_node WHAT: exits 1, saying so, when node or npm is missing (WHAT: the CLI they would drive).
need_node()
{
	for tool in node npm; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "e2e: '$tool' not found: the end-to-end suite needs Node.js (node and npm)" \
				"to install and drive $1" >&2
			exit 1
		fi
	done
}

# npm_install_once PACKAGE VERSION PREFIX: unless `works PREFIX`, installs PACKAGE@VERSION into
# PREFIX (its folder is the cache), or exits 1 saying why. When the caller defines
# fix_install DIR, it runs after npm if `works DIR` is false yet (a postinstall npm skipped).
npm_install_once()
{
	works "$3" && return 0
	echo "e2e: installing $1@$2 into $3" >&2
	mkdir -p "$(dirname "$3")"
	# Install next to the final place and rename, so that an interrupted
	# install never looks like a finished one.
	tmp=$(mktemp -d "$(dirname "$3")/.install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# --engine-strict=false: a user's engine-strict would refuse the versions
	# that declare a newer Node than this one, which still run here.
	if ! npm install --prefix "$tmp" --no-audit --no-fund --save-exact --engine-strict=false \
		"$1@$2" >&2; then
		echo "e2e: npm install $1@$2 failed" >&2
		exit 1
	fi
	if ! works "$tmp" && command -v fix_install >/dev/null 2>&1; then
		fix_install "$tmp"
	fi
	if ! works "$tmp"; then
		echo "e2e: $1@$2 installed, but its program does not run" >&2
		exit 1
	fi
	rm -rf "$3"
	# Another run may have finished the same install meanwhile: keep theirs.
	if [ ! -e "$3" ]; then
		mv "$tmp" "$3"
	fi
	rm -rf "$tmp"
	trap - EXIT
	if ! works "$3"; then
		echo "e2e: cannot install $1@$2 into $3" >&2
		exit 1
	fi
}
