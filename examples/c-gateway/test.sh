#!/usr/bin/env bash
# Builds the example epoll gateway against the static library and drives it with Python
# `websockets` and raw sockets: exact echoes (0 B .. 200 KiB, fragmented), ping/pong, close
# codes (peer's code returned, 1002, 1007), refusals with the core's code (403 origin_host,
# 401, 426), heartbeat ping and dead-peer drop, --max-conns and --max-queued bounds.
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
if ! gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -I include -o "$OUT/gateway" examples/c-gateway/gateway.c \
     "$LIBDIR/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc; then
  echo "gateway: 0 passed, 1 failed"; exit 1
fi
timeout 150 "$PY" examples/c-gateway/test_gateway.py "$OUT/gateway"
