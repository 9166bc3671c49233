#!/bin/sh
# telemetry-stats loads libcurl with dlopen when export --endpoint pushes, and at no other time
# (stats/push.c, docs/architecture.md). With LD_DEBUG=libs (glibc's loader says which libraries it
# opens): stats, cost, statusline and a file export open no libcurl, a push does; the push really
# goes through it, to a receiver on 127.0.0.1 (python3's http.server), and carries what export
# writes to stdout. Then libcurl made unloadable, the real ways: an empty libcurl.so.4 first on
# LD_LIBRARY_PATH (dlopen fails), and a library of that name without libcurl's functions (built from
# tests/tools/fakecurl.c: dlsym fails), and one with all of them whose curl_global_init fails. Each
# is a clear error naming the library (and the loader's reason), exit 1, nothing written, nothing
# sent. tests/cli/linkage.sh checks the program's tables.
# usage: curl_load.sh STATS DATA_DIR FAKECURL_SO FAKECURL_ALL_SO
set -eu
STATS=$1 DATA=$2 FAKE=$3 FAKE_ALL=$4
. "$(dirname "$0")/lib.sh"
setup_home
FIX="$DATA/stats/fixture.jsonl"

if ! command -v python3 > /dev/null 2>&1; then
  not_ok "this test needs python3 (scripts/test installs it)"
  tap_done
  exit 1
fi

# run NAME ARGS...: telemetry-stats ARGS with LD_DEBUG=libs; stdout in $TMP/NAME.out, the loader's
# and the program's stderr in $TMP/NAME.err, the status in RC.
run() {
  name=$1
  shift
  set +e
  LD_DEBUG=libs "$STATS" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null
  RC=$?
  set -e
}
# opened NAME LIB: the loader said it opened a file named LIB… during run NAME.
opened() { grep -q "calling init: .*/$2" "$TMP/$1.err"; }

run version --version
if ! opened version libc.so; then
  # Not glibc's loader (musl, macOS): LD_DEBUG says nothing, so the runtime checks cannot see.
  ok "which libraries a run opens # SKIP LD_DEBUG=libs is not understood by this loader"
  tap_done
  exit 0
fi
check "the loader's trace is readable: --version opened libc and zlib" opened version libz.so
check "--version: no libcurl opened" sh -c '[ "$1" = 0 ] && ! grep -q libcurl "$2"' sh "$RC" \
  "$TMP/version.err"
run stats stats --log "$FIX" --since 3000d
check "stats: exit 0, no libcurl opened" sh -c '[ "$1" = 0 ] && ! grep -q libcurl "$2"' sh "$RC" \
  "$TMP/stats.err"
run cost cost --transcripts "$DATA/claude-code-2.1.197-transcript.jsonl"
check "cost: no libcurl opened" sh -c '! grep -q libcurl "$1"' sh "$TMP/cost.err"
set +e
echo '{"session_id":"s","transcript_path":"/nonexistent","model":{"display_name":"M"}}' |
  LD_DEBUG=libs "$STATS" statusline --log "$FIX" > "$TMP/statusline.out" 2> "$TMP/statusline.err"
RC=$?
set -e
check "statusline: exit 0, no libcurl opened" sh -c '[ "$1" = 0 ] && ! grep -q libcurl "$2"' sh \
  "$RC" "$TMP/statusline.err"
run file export --format otlp-json --log "$FIX" --batch 4
check "export to stdout: exit 0, no libcurl opened" \
  sh -c '[ "$1" = 0 ] && [ -s "$2" ] && ! grep -q libcurl "$3"' sh "$RC" "$TMP/file.out" \
  "$TMP/file.err"

# ---- a push through the loaded library ----
cat > "$TMP/receiver.py" << 'EOF'
import gzip, http.server, os, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with open(os.path.join(out, "bodies"), "ab") as f:
            f.write(body + b"\n")
        with open(os.path.join(out, "paths"), "a") as f:
            f.write(self.path + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(out, "port.tmp"), "w") as f:
    f.write(str(s.server_address[1]))
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
s.serve_forever()
EOF
R="$TMP/recv"
mkdir "$R"
python3 "$TMP/receiver.py" "$R" 2> "$R/stderr" &
SRV=$!
trap 'kill "$SRV" 2> /dev/null || true; rm -rf "$TMP"' EXIT
while [ ! -s "$R/port" ] && kill -0 "$SRV" 2> /dev/null; do sleep 0.1; done
URL="http://127.0.0.1:$(cat "$R/port" 2> /dev/null || echo 9)"

run push export --format otlp-json --log "$FIX" --batch 4 --endpoint "$URL" --state "$TMP/push.state"
check "push: exit 0, said it sent to $URL/v1/logs" \
  sh -c '[ "$1" = 0 ] && grep -q "calls in .* requests sent to http://127.0.0.1:.*/v1/logs" "$2"' \
  sh "$RC" "$TMP/push.err"
check "push: libcurl opened, at run time" opened push libcurl.so
check "push: the receiver got, gunzipped, exactly what export writes to stdout ($(lines_of "$R/bodies") requests to /v1/logs)" \
  sh -c 'cmp -s "$1" "$2" && ! grep -v "^/v1/logs$" "$3"' sh "$R/bodies" "$TMP/file.out" "$R/paths"
requests=$(lines_of "$R/paths")

# ---- libcurl that cannot be loaded ----
# unloadable NAME DESC LIBDIR PATTERN: a push with LIBDIR first on LD_LIBRARY_PATH fails as it should.
unloadable() {
  name=$1 what=$2 dir=$3 pattern=$4
  set +e
  LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$STATS" export --format otlp-json \
    --log "$FIX" --endpoint "$URL" --state "$TMP/$name/state/push.state" \
    > "$TMP/$name.out" 2> "$TMP/$name.err"
  RC=$?
  set -e
  check "$what: exit 1" [ "$RC" = 1 ]
  check "$what: the error names the library and why" \
    grep -q "^telemetry-stats export: $pattern" "$TMP/$name.err"
  check "$what: nothing on stdout, no state (not even its directory), no request" \
    sh -c '[ ! -s "$1" ] && [ ! -e "$2" ] && [ "$(wc -l < "$3")" = "$4" ]' sh "$TMP/$name.out" \
    "$TMP/$name/state" "$R/paths" "$requests"
}
mkdir -p "$TMP/empty" "$TMP/fake"
: > "$TMP/empty/libcurl.so.4"
unloadable empty "an empty libcurl.so.4 (dlopen fails)" "$TMP/empty" \
  "cannot load libcurl (libcurl\.so\.4), which --endpoint needs: .*$TMP/empty/libcurl\.so\.4: .*short"
cp "$FAKE" "$TMP/fake/libcurl.so.4"
unloadable fake "a libcurl.so.4 without libcurl's functions (dlsym fails)" "$TMP/fake" \
  "cannot use libcurl\.so\.4: it has no curl_easy_setopt (.*undefined symbol: curl_easy_setopt"
check "the message is one line" sh -c '[ "$(wc -l < "$1")" = 1 ]' sh "$TMP/fake.err"
mkdir -p "$TMP/fakeall"
cp "$FAKE_ALL" "$TMP/fakeall/libcurl.so.4"
unloadable fakeall "a libcurl.so.4 whose curl_global_init fails" "$TMP/fakeall" \
  "cannot start libcurl (libcurl\.so\.4): curl_global_init failed$"
tap_done
