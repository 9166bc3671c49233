#!/bin/sh
# The SessionStart hook of the plugin installed from the repository (plugin/hooks/from-source.json):
# makes sure bin/telemetry-hook and bin/telemetry-stats exist in the installed copy.
#
# usage: session-start.sh PLUGIN_ROOT   (stdin: Claude Code's SessionStart payload)
#
# - Both programs there: exits 0 at once, silently (every session start but the first).
# - Missing, and meson, ninja, a C compiler, pkg-config and the libraries are there: builds them
#   (meson setup + ninja, release, no tests) under a lock, so that sessions starting together
#   build once; the others wait for it. The programs are copied into bin/ and renamed into place,
#   so a tool hook never runs half a file.
# - Missing and cannot be built: tells the user, once per session and in one line, the exact
#   command that installs what is missing (or where the build log is when the build failed).
#
# What it tells the user goes out as {"systemMessage": ...} on stdout, which Claude Code shows to
# the user (plain stdout of a SessionStart hook would go into the model's context instead). It
# always exits 0: a failure here must not get in the way of the session.
#
# environment: CLAUDE_PLUGIN_DATA (where the once-per-session marks go; else TMPDIR or /tmp),
# ET_PLUGIN_BUILD_TIMEOUT (seconds to wait for another session's build; default 840).
set -u

root=${1:-}
[ -n "$root" ] && [ -d "$root" ] || exit 0
bin=$root/bin
build=$root/.plugin-build
log=$root/.plugin-build.log
lock=$root/.plugin-build.lock

# The session id from the payload, kept to the characters ids are made of (it names a file).
payload=$(head -c 65536 2>/dev/null | tr -d '\n')
session=$(printf '%s' "$payload" | sed -n 's/.*"session_id"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_.-]*\)".*/\1/p')
session=${session:-unknown}

built()
{
	[ -x "$bin/telemetry-hook" ] && [ -x "$bin/telemetry-stats" ]
}

# say MESSAGE: shows MESSAGE (one line) to the user, at most once per session.
say()
{
	marks=${CLAUDE_PLUGIN_DATA:-${TMPDIR:-/tmp}}
	mark=$marks/execution-telemetry-told-$session
	if [ "$session" != unknown ] && [ -e "$mark" ]; then
		return 0
	fi
	mkdir -p "$marks" 2>/dev/null && : >"$mark" 2>/dev/null
	# JSON string: backslashes and quotes escaped, control characters dropped.
	msg=$(printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')
	printf '{"systemMessage": "%s"}\n' "$msg"
}

built && exit 0

# ---- What is missing, and the command that installs it -----------------------------------------

have() { command -v "$1" >/dev/null 2>&1; }

if have apt-get; then
	pm=apt
elif have dnf; then
	pm=dnf
elif have brew; then
	pm=brew
elif have pacman; then
	pm=pacman
else
	pm=
fi

# need WHAT APT DNF BREW PACMAN: records that WHAT is missing and its package for each manager.
missing= pkgs=
need()
{
	missing="${missing:+$missing, }$1"
	case $pm in
	apt) p=$2 ;;
	dnf) p=$3 ;;
	brew) p=$4 ;;
	pacman) p=$5 ;;
	*) p= ;;
	esac
	[ -z "$p" ] || pkgs="${pkgs:+$pkgs }$p"
}

have meson || need meson meson meson meson meson
have ninja || have ninja-build || have samu || need ninja ninja-build ninja-build ninja ninja
have cc || have gcc || have clang || need "a C compiler" gcc gcc '' gcc
if have pkg-config || have pkgconf; then
	pc=$(command -v pkg-config || command -v pkgconf)
	"$pc" --exists libsodium || need libsodium libsodium-dev libsodium-devel libsodium libsodium
	"$pc" --exists libpcre2-8 || need PCRE2 libpcre2-dev pcre2-devel pcre2 pcre2
	"$pc" --exists libcjson || need cJSON libcjson-dev cjson-devel cjson cjson
else
	need pkg-config pkg-config pkgconf-pkg-config pkg-config pkgconf
	# Without pkg-config the libraries cannot be looked for: name them all.
	need libsodium libsodium-dev libsodium-devel libsodium libsodium
	need PCRE2 libpcre2-dev pcre2-devel pcre2 pcre2
	need cJSON libcjson-dev cjson-devel cjson cjson
fi

if [ -n "$missing" ]; then
	sudo=
	[ "$(id -u 2>/dev/null)" = 0 ] || sudo='sudo '
	case $pm in
	apt) cmd="${sudo}apt-get install -y $pkgs" ;;
	dnf) cmd="${sudo}dnf install -y $pkgs" ;;
	brew) cmd="brew install $pkgs" ;;
	pacman) cmd="${sudo}pacman -S --needed $pkgs" ;;
	*) cmd="your package manager (for the libraries, their development files)" ;;
	esac
	# Only the compiler missing on macOS: it comes with Xcode's command line tools.
	[ "$pm" != brew ] || [ -n "$pkgs" ] || cmd="xcode-select --install"
	case $missing in
	*,*) them=them ;;
	*) them=it ;;
	esac
	say "execution-telemetry is not recording tool calls: building its programs needs $missing; install $them with: $cmd (the next session builds them)"
	exit 0
fi

# ---- Building, once ------------------------------------------------------------------------------

# take_lock: creates the lock directory with our pid in it; fails when a live build holds it. A
# lock whose process is gone (killed, machine restarted) is taken over.
take_lock()
{
	if mkdir "$lock" 2>/dev/null; then
		echo $$ >"$lock/pid"
		return 0
	fi
	holder=$(cat "$lock/pid" 2>/dev/null)
	if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
		return 1
	fi
	# Gone: remove it and try once more (another session may win that race: fine).
	rm -rf "$lock"
	mkdir "$lock" 2>/dev/null || return 1
	echo $$ >"$lock/pid"
}

waited=0
limit=${ET_PLUGIN_BUILD_TIMEOUT:-840}
until take_lock; do
	# Another session is building: wait for it, then use what it built.
	if [ "$waited" -ge "$limit" ]; then
		say "execution-telemetry is not recording tool calls yet: another session is still building its programs (log: $log)"
		exit 0
	fi
	sleep 1
	waited=$((waited + 1))
	built && exit 0
done
trap 'rm -rf "$lock"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
built && exit 0

start=$(date +%s)
{
	printf "execution-telemetry: building in %s (%s)\n" "$build" "$(date -u "+%Y-%m-%d %H:%M:%S UTC")"
	if [ ! -f "$build/build.ninja" ]; then
		rm -rf "$build"
		meson setup --buildtype=release -Dtests=false "$build" "$root"
	fi &&
		ninja -C "$build" hook/telemetry-hook stats/telemetry-stats &&
		mkdir -p "$bin" &&
		cp "$build/hook/telemetry-hook" "$bin/.telemetry-hook.$$" &&
		cp "$build/stats/telemetry-stats" "$bin/.telemetry-stats.$$" &&
		mv -f "$bin/.telemetry-stats.$$" "$bin/telemetry-stats" &&
		mv -f "$bin/.telemetry-hook.$$" "$bin/telemetry-hook"
} >"$log" 2>&1 </dev/null
rm -f "$bin/.telemetry-hook.$$" "$bin/.telemetry-stats.$$"

if built; then
	say "execution-telemetry: built telemetry-hook and telemetry-stats in $(($(date +%s) - start)) s; tool calls are recorded from now on"
else
	say "execution-telemetry is not recording tool calls: building its programs failed; see $log"
fi
exit 0
