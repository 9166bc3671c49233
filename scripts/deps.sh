# Sourced by scripts/test, scripts/demo and scripts/install: installs what the build and the tests
# need when it is missing, and configures and builds a build directory. With apt-get (Debian,
# Ubuntu) as root or through sudo it installs; otherwise it names the packages and stops.
#   ensure_build_deps        meson, ninja, a C compiler, pkg-config, cJSON, libsodium, PCRE2
#   ensure_node              node and npm (the end-to-end suite drives the real Claude Code CLI)
#   ensure_python            python3 (a test checks params_fp against an independent implementation)
#   ensure_chromium          Debian's chromium (a test renders the HTML report headless)
#   setup_build DIR [OPTS]   meson setup DIR once (with OPTS), then ninja -C DIR

_apt_install() {
  if command -v apt-get > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      as_root=""
    elif command -v sudo > /dev/null 2>&1; then
      as_root="sudo"
    else
      echo "$0: missing: $*; install them as root: apt-get install $*" >&2
      exit 1
    fi
    echo "$0: installing $*" >&2
    $as_root apt-get update -qq >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "$@" >&2
  else
    echo "$0: missing: $*; install them with your package manager" \
      "(Debian names: $*)" >&2
    exit 1
  fi
}

ensure_build_deps() {
  need=""
  command -v meson > /dev/null 2>&1 || need="$need meson"
  command -v ninja > /dev/null 2>&1 || need="$need ninja-build"
  command -v cc > /dev/null 2>&1 || need="$need gcc libc6-dev"
  command -v pkg-config > /dev/null 2>&1 || need="$need pkg-config"
  if command -v pkg-config > /dev/null 2>&1; then
    pkg-config --exists libcjson || need="$need libcjson-dev"
    pkg-config --exists libsodium || need="$need libsodium-dev"
    pkg-config --exists libpcre2-8 || need="$need libpcre2-dev"
  else
    need="$need libcjson-dev libsodium-dev libpcre2-dev"
  fi
  if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    _apt_install $need
  fi
}

ensure_node() {
  if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
    _apt_install nodejs npm
  fi
}

ensure_python() {
  command -v python3 > /dev/null 2>&1 || _apt_install python3
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || _apt_install chromium
}

# setup_build DIR [MESON OPTIONS...]: configures DIR once; later calls only rebuild.
setup_build() {
  dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" > "$dir.setup.log" 2>&1 || {
      cat "$dir.setup.log" >&2
      exit 1
    }
    rm -f "$dir.setup.log"
  fi
  ninja -C "$dir" > /dev/null || ninja -C "$dir"
}
