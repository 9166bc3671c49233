# Sourced by scripts/test, scripts/demo and scripts/install: installs what the build and the tests
# need when it is missing, and configures and builds a build directory. With apt-get (Debian,
# Ubuntu) as root or through sudo it installs; otherwise it names the packages and stops.
#   ensure_build_deps        meson, ninja, a C compiler, pkg-config, cJSON, libsodium, PCRE2
#   ensure_node              node and npm (the end-to-end suite drives the real Claude Code CLI)
#   ensure_python            python3 (a test checks params_fp against an independent implementation)
#   ensure_chromium          Debian's chromium (a test renders the HTML report headless)
#   want_clang               clang with libFuzzer's runtime (the fuzz targets); returns 1 when it
#                            is missing and cannot be installed (the fuzz stage is then skipped)
#   ensure_valgrind          valgrind (the memory-checked run of the unit and CLI suites)
#   want_clickhouse          Debian's clickhouse-server and clickhouse-client (the ClickHouse test
#                            of the e2e suite, which starts servers of its own); returns 1 when they
#                            are missing and cannot be installed (that test is then skipped)
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

# True when clang links a libFuzzer target (the runtime is a separate package on Debian:
# libclang-rt-N-dev, only recommended by clang).
_clang_fuzzer_links() {
  printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
    'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n > 99; }' |
    clang -fsanitize=fuzzer -x c -o /dev/null - > /dev/null 2>&1
}

_can_install() {
  command -v apt-get > /dev/null 2>&1 && { [ "$(id -u)" = 0 ] || command -v sudo > /dev/null 2>&1; }
}

want_clang() {
  if ! command -v clang > /dev/null 2>&1; then
    _can_install || return 1
    _apt_install clang
  fi
  _clang_fuzzer_links && return 0
  _can_install || return 1
  major=$(clang -dumpversion | cut -d. -f1)
  _apt_install "libclang-rt-$major-dev" || return 1
  _clang_fuzzer_links
}

ensure_valgrind() {
  command -v valgrind > /dev/null 2>&1 || _apt_install valgrind
}

# Installing the package may also start the distribution's clickhouse-server service (port 9000);
# the test does not use it.
want_clickhouse() {
  command -v clickhouse-server > /dev/null 2>&1 &&
    command -v clickhouse-client > /dev/null 2>&1 && return 0
  _can_install || return 1
  (_apt_install clickhouse-server clickhouse-client) || return 1
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
