# Sourced by scripts/test, scripts/demo and scripts/install: installs what the build and the tests
# need when it is missing, and configures and builds a build directory. With apt-get (Debian,
# Ubuntu) as root or through sudo, or with Homebrew (macOS), it installs; otherwise it names the
# packages for apt-get, dnf, pacman and brew, and stops.
#   ensure_build_deps        meson, ninja, a C compiler, pkg-config, cJSON, libsodium, PCRE2,
#                            libcurl and zlib (telemetry-stats export --endpoint)
#   ensure_node              node and npm (the end-to-end suite drives the real Claude Code CLI)
#   ensure_python            python3 (a test checks params_fp against an independent implementation)
#   ensure_chromium          Debian's chromium (a test renders the HTML report headless)
#   want_clang               clang with libFuzzer's runtime (the fuzz targets); returns 1 when it
#                            is missing and cannot be installed (the fuzz stage is then skipped)
#   ensure_valgrind          valgrind (the memory-checked run of the unit and CLI suites)
#   want_clickhouse          Debian's clickhouse-server and clickhouse-client (the ClickHouse test
#                            of the e2e suite, which starts servers of its own); returns 1 when they
#                            are missing and cannot be installed (that test is then skipped)
#   want_arm64               Debian's aarch64 cross compiler, the arm64 cJSON, libsodium, PCRE2, libcurl, zlib
#                            (multiarch) and qemu-aarch64-static; returns 1, with the reason in
#                            $arm64_why, when they are missing and cannot be installed here
#   setup_build DIR [OPTS]   meson setup DIR once (with OPTS), then ninja -C DIR

# The build dependencies by package manager, in ensure_build_deps' order.
_names_for() {
  case "$1" in
    dnf) echo "meson ninja-build gcc pkgconf-pkg-config cjson-devel libsodium-devel pcre2-devel libcurl-devel zlib-devel" ;;
    pacman) echo "meson ninja gcc pkgconf cjson libsodium pcre2 curl zlib" ;;
    brew) echo "meson ninja pkg-config cjson libsodium pcre2 curl zlib" ;;
  esac
}

# _missing DEBIAN-NAMES...: stops with what to install on each system we know of.
_missing() {
  echo "$0: missing: $*" >&2
  echo "$0: install them with your package manager, then run this again:" >&2
  echo "  Debian, Ubuntu: apt-get install $*" >&2
  if [ "${_building:-}" = yes ]; then
    echo "  Fedora, RHEL:   dnf install $(_names_for dnf)" >&2
    echo "  Arch:           pacman -S --needed $(_names_for pacman)" >&2
    echo "  macOS:          brew install $(_names_for brew)  (and xcode-select --install)" >&2
  fi
  exit 1
}

# Homebrew: the build dependencies under their brew names (other Debian names have no formula
# here: the caller says what to do).
_brew_install() {
  echo "$0: installing with Homebrew: $*" >&2
  # shellcheck disable=SC2086
  brew install "$@" >&2
}

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
  elif command -v brew > /dev/null 2>&1 && [ "$*" = "nodejs npm" ]; then
    _brew_install node
  elif command -v brew > /dev/null 2>&1 && [ "$*" = python3 ]; then
    _brew_install python
  else
    _missing "$@"
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
    pkg-config --exists libcurl || need="$need libcurl4-openssl-dev"
    pkg-config --exists zlib || need="$need zlib1g-dev"
  else
    need="$need libcjson-dev libsodium-dev libpcre2-dev libcurl4-openssl-dev zlib1g-dev"
  fi
  if [ -n "$need" ]; then
    if ! command -v apt-get > /dev/null 2>&1 && command -v brew > /dev/null 2>&1; then
      command -v cc > /dev/null 2>&1 || {
        echo "$0: no C compiler: install Apple's command line tools (xcode-select --install)" >&2
        exit 1
      }
      # shellcheck disable=SC2046
      _brew_install $(_names_for brew)
      # Homebrew's pkg-config finds its own formulae; keg-only ones would need PKG_CONFIG_PATH.
      for pc in libcjson libsodium libpcre2-8; do
        pkg-config --exists "$pc" || {
          echo "$0: brew installed the dependencies, but pkg-config cannot find $pc" >&2
          exit 1
        }
      done
    else
      _building=yes
      # shellcheck disable=SC2086
      _apt_install $need
      _building=""
    fi
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
  [ -x /usr/bin/chromium ] && return 0
  if command -v apt-get > /dev/null 2>&1; then
    _apt_install chromium
  else
    # Only Debian's package is known to work headless here; the report test says what is missing.
    echo "$0: note: no /usr/bin/chromium: the report test's browser check will fail" >&2
  fi
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

# The aarch64 cross build (tests/cross/aarch64-linux-gnu.ini): compiler, qemu and the arm64 .pc files.
_arm64_ready() {
  command -v aarch64-linux-gnu-gcc > /dev/null 2>&1 &&
    command -v qemu-aarch64-static > /dev/null 2>&1 &&
    PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
      pkg-config --exists libcjson libsodium libpcre2-8 libcurl zlib
}

want_arm64() {
  arm64_why=""
  _arm64_ready && return 0
  if ! command -v dpkg > /dev/null 2>&1 || ! _can_install; then
    arm64_why="needs Debian's gcc-aarch64-linux-gnu, libcjson-dev:arm64, libsodium-dev:arm64,"
    arm64_why="$arm64_why libpcre2-dev:arm64, libcurl4-openssl-dev:arm64, zlib1g-dev:arm64 and"
    arm64_why="$arm64_why qemu-user-static (dpkg multiarch, apt-get as root)"
    return 1
  fi
  [ "$(id -u)" = 0 ] && as_root="" || as_root=sudo
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "$0: adding the arm64 architecture to dpkg (multiarch)" >&2
    $as_root dpkg --add-architecture arm64 || {
      arm64_why="dpkg --add-architecture arm64 failed"
      return 1
    }
  fi
  # In a subshell: _apt_install exits on failure (no arm64 in the package sources, for one).
  if ! (_apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static \
    libcjson-dev:arm64 libsodium-dev:arm64 libpcre2-dev:arm64 libcurl4-openssl-dev:arm64 \
    zlib1g-dev:arm64); then
    arm64_why="apt-get could not install the arm64 packages (are arm64 packages in the sources?)"
    return 1
  fi
  _arm64_ready || {
    arm64_why="the arm64 packages are installed, but the compiler, qemu or a .pc file is missing"
    return 1
  }
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
