#!/usr/bin/env bash
# The npm package's tests: build (cargo → wasm32, wasm-bindgen), the shared vectors in
# Node (node --test) and in headless Chromium (/usr/bin/chromium over DevTools), then the
# browser tests against the three guards (test/backends.js). Each part ends on `<name>: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
rc=0
need() {   # a missing prerequisite is a failure (counted), never a skip
  if ! command -v "$1" >/dev/null; then echo "js-prereq: 0 passed, 1 failed ($1 missing: run scripts/setup.sh)"; exit 1; fi
}
need node; need wasm-bindgen; need "${CHROMIUM:-/usr/bin/chromium}"
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then echo "js-prereq: 0 passed, 1 failed (node $major < 20)"; exit 1; fi
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' "$ROOT/Cargo.lock")
have=$(wasm-bindgen --version | awk '{print $2}')
if [ "$want" != "$have" ]; then echo "js-prereq: 0 passed, 1 failed (wasm-bindgen CLI $have, crate $want)"; exit 1; fi

echo "--- build"
if ! bash build.sh; then echo "js-build: 0 passed, 1 failed"; exit 1; fi
echo "js-build: 1 passed, 0 failed"

echo "--- cargo test -p wsguard-js (the binding's Rust tests and doc examples, native)"
log=$(mktemp)
cargo test -q -p wsguard-js > "$log" 2>&1 || rc=1
grep -E '^(error|test .* FAILED|---- )' "$log" | head -40
p=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^passed;?$/) s+=$(i-1)} END{print s+0}' "$log")
f=$(awk '/^test result:/{for(i=1;i<=NF;i++) if($i ~ /^failed;?$/) s+=$(i-1)} END{print s+0}' "$log")
grep -q '^test result:' "$log" || f=1
echo "js-rust: $p passed, $f failed"
rm -f "$log"

echo "--- cargo build -p wsguard-cli (the server of the explain tests)"
if ! cargo build -q -p wsguard-cli; then echo "js-cli-build: 0 passed, 1 failed"; exit 1; fi

echo "--- the wsguard Python wheel into .venv (the uvicorn and daphne guards of the browser tests)"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "js-python: 0 passed, 1 failed ($PY missing: run scripts/setup.sh)"; exit 1; }
WHEELS=$(mktemp -d)
if ! (cd ../python && "$ROOT/.venv/bin/maturin" build --release --quiet -i "$PY" --out "$WHEELS") \
   || ! "$PY" -m pip install --quiet --force-reinstall --no-deps "$WHEELS"/wsguard-*.whl; then
  echo "js-python: 0 passed, 1 failed (maturin build / pip install of bindings/python)"; rm -rf "$WHEELS"; exit 1
fi
rm -rf "$WHEELS"

echo "--- node --test"
log=$(mktemp)
node --experimental-websocket --no-warnings --test --test-reporter=tap test/*.test.js > "$log" 2>&1 || rc=1
grep -E '^not ok' -A12 "$log" | head -150
p=$(grep -E '^# pass ' "$log" | awk '{print $3}'); f=$(grep -E '^# fail ' "$log" | awk '{print $3}')
echo "js-node: ${p:-0} passed, ${f:-1} failed"
rm -f "$log"

echo "--- chromium"
node --experimental-websocket --no-warnings test/chromium-vectors.js || rc=1

echo "--- chromium against wsguard serve, uvicorn + WebSocketGuard, daphne + wsguard.channels"
node --experimental-websocket --no-warnings test/chromium-guards.js || rc=1
echo "--- make demo's browser step (bindings/js/demo/demo.js)"
demo=$(node --experimental-websocket --no-warnings demo/demo.js 2>/dev/null)
if grep -q 'Connected: the server echoed hello' <<<"$demo" && grep -q '^  origin_host (HTTP 403)$' <<<"$demo" \
   && grep -q "console: wsguard: .*origin_host: .* — add the page's exact origin" <<<"$demo"; then
  echo "js-demo: 1 passed, 0 failed"
else
  echo "$demo" | tail -20; echo "js-demo: 0 passed, 1 failed"; rc=1
fi
exit $rc
