#!/usr/bin/env bash
# `make demo`'s browser step (and `make demo-browser`: --keep, servers stay up for your own
# browser). Builds the npm package's wasm and the CLI, then runs demo.js; without node,
# wasm-bindgen or Chromium (all installed by `make setup`) it says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node wasm-bindgen "${CHROMIUM:-/usr/bin/chromium}"; do
  if ! command -v "$tool" >/dev/null; then echo "browser demo skipped: $tool missing (run make setup)"; exit 0; fi
done
echo "== The browser: a page from a refused origin learns the server's reason (not 1006)"
bash build.sh
cargo build -q -p wsguard-cli
exec node --experimental-websocket --no-warnings demo/demo.js "$@"
