#!/usr/bin/env bash
# Instructions `wsguard serve` spends on one request head trickled in 64-byte pieces
# (issue #18: the head was re-parsed from byte 0 on every read). Load-robust: callgrind
# counts instructions, not time.
#
#   scripts/soak-callgrind.sh [WSGUARD_BINARY]    default target/debug/wsguard
#
# Prints `trickle: N instructions` = the run with the trickled head minus a run with one
# small head (start-up and shutdown cancel out).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/debug/wsguard}
PY=${PYTHON:-python3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '[limits]\nmax_handshake_bytes = 1048576\n' >"$work/cfg.toml"
run() {  # run NAME CLIENT-ARGS...
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" "$BIN" serve \
    --listen 127.0.0.1:0 --allow-missing-origin -q --config "$work/cfg.toml" >"$work/$name.stdout" 2>"$work/$name.err" &
  local pid=$!
  for _ in $(seq 600); do grep -q listening "$work/$name.stdout" 2>/dev/null && break; sleep 0.1; done
  local port; port=$(sed -nE 's/.*http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/$name.stdout" | head -1)
  "$PY" scripts/soak/trickle.py 127.0.0.1 "$port" "$@" >&2
  kill -INT "$pid"; wait "$pid" || true
  grep -E '^summary:' "$work/$name.out" | awk '{print $2}'
}
base=$(run base --headers 0)
H=${HEADERS:-8}
big=$(run big --headers "$H" --value 8000)
echo "base: $base instructions"
echo "trickle: $((big - base)) instructions ($H headers x 8000 B in 64-byte pieces, $BIN)"
