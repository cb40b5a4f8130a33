#!/usr/bin/env bash
# Builds the example epoll gateway against the static library and drives it with Python
# `websockets` and raw sockets: exact echoes (0 B .. 200 KiB, fragmented), ping/pong, close
# codes (peer's code returned, 1002, 1007), refusals with the core's code (403 origin_host,
# 401, 426), heartbeat ping and dead-peer drop, --max-conns / --max-per-address answered with
# the core's 503 + Retry-After (exact status, header and code), the 408 at --handshake-ms,
# --max-queued bounds, --dev-auth-bypass (refused in production, logged in development).
# Prints `gateway: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LIBDIR="${CARGO_TARGET_DIR:-$ROOT/target}/release"
OUT="${CARGO_TARGET_DIR:-$ROOT/target}/c-tests"; mkdir -p "$OUT"
PY="$ROOT/.venv/bin/python"
if [ ! -x "$PY" ] || ! "$PY" -c 'import websockets' 2>/dev/null; then
  echo "gateway: 0 passed, 1 failed"; echo "  (.venv with websockets missing: run 'make setup')" >&2; exit 1
fi
build() {  # build OUTPUT EXTRA_FLAGS...
  local out=$1; shift
  gcc -std=c99 -Wall -Wextra -Wpedantic -Werror "$@" -I include -o "$out" examples/c-gateway/gateway.c \
    "$LIBDIR/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
}
# The build people copy (-O2), then the same checks under ASan/UBSan (leaks checked at exit).
if ! build "$OUT/gateway" -O2 || ! build "$OUT/gateway-asan" -g -O1 -fsanitize=address,undefined \
     -fno-sanitize-recover=all -fno-omit-frame-pointer; then
  echo "gateway: 0 passed, 1 failed"; exit 1
fi
rc=0
timeout 150 "$PY" examples/c-gateway/test_gateway.py "$OUT/gateway" || rc=1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  timeout 300 "$PY" examples/c-gateway/test_gateway.py "$OUT/gateway-asan" | sed 's/^gateway:/gateway-asan:/' || rc=1
exit $rc
