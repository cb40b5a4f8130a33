#!/usr/bin/env bash
# BENCHMARKS.md §6: what a page downloads — the npm package wsguard (wasm + JS, built by
# ../build.sh) beside partysocket and reconnecting-websocket as published on npm (pinned in
# this directory's package.json / package-lock.json, installed with `npm ci`). Sizes in
# bytes and gzip -9; nothing here is timed.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/partysocket ] || npm ci --no-audit --no-fund --silent
row() {   # row LABEL FILE...
  local label=$1; shift
  local raw gz
  raw=$(cat "$@" | wc -c); gz=$(cat "$@" | gzip -9 | wc -c)
  printf '| %s | %s | %d | %d |\n' "$label" "$(printf '`%s` ' "${@#node_modules/}" | sed 's/ $//')" "$raw" "$gz"
}
echo "| package | files (one gzip stream) | bytes | gzip -9 |"
echo "|---|---|---:|---:|"
row "wsguard $(node -p 'require("../package.json").version') (wasm + glue + index + client)" \
  ../pkg/wsguard_js_bg.wasm ../pkg/wsguard_js.js ../index.js ../client.js
row "wsguard: the JS alone" ../pkg/wsguard_js.js ../index.js ../client.js
row "partysocket $(node -p 'require("./node_modules/partysocket/package.json").version') (\`partysocket/ws\`)" node_modules/partysocket/dist/ws.js
row "partysocket (\`partysocket\`: PartySocket + ws)" node_modules/partysocket/dist/index.js node_modules/partysocket/dist/ws.js
row "reconnecting-websocket $(node -p 'require("./node_modules/reconnecting-websocket/package.json").version') (ESM)" node_modules/reconnecting-websocket/dist/reconnecting-websocket-mjs.js
row "reconnecting-websocket (minified IIFE)" node_modules/reconnecting-websocket/dist/reconnecting-websocket-iife.min.js
