#!/usr/bin/env bash
# The fault matrix suite (issue 12; registered as `matrix` in scripts/suites.d/matrix.sh):
# builds what the tools need, then tests/matrix/run.py starts every backend and nginx once
# on 127.0.0.1 and checks every cell of tests/matrix/cells.toml. A missing prerequisite
# (node, nginx, daphne, the venv …) is a failure, never a skip. Every process started is
# killed at the end, also on failure or interruption (run.py's own cleanup, and the trap
# below for the process groups it recorded).
#
#   bash tests/matrix/run.sh [run.py arguments, e.g. --only nginx]
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT="$TARGET_DIR/matrix"; mkdir -p "$OUT"
PY="$ROOT/.venv/bin/python"
export MATRIX_PIDFILE="$OUT/pids"; : >"$MATRIX_PIDFILE"

cleanup() {
  local pid
  while read -r pid; do
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null
  done <"$MATRIX_PIDFILE"
  return 0
}
trap cleanup EXIT

fail() { echo "matrix-$1: 0 passed, 1 failed"; echo "  ($2)" >&2; exit 1; }

for cmd in node nginx gcc; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || fail prereq "$cmd not found: run 'make setup'"
done
[ -x "$PY" ] || fail prereq "$PY missing: run 'make setup'"
[ -x "$ROOT/.venv/bin/daphne" ] || fail prereq "daphne missing from .venv: run 'make setup'"
[ -f tests/matrix/node_modules/ws/package.json ] || fail prereq "tests/matrix/node_modules/ws missing: run 'make setup' (npm ci)"

echo "--- build: wsguard CLI, C library, matrix clients, Python wheel"
cargo build -q -p wsguard-cli || fail build "cargo build -p wsguard-cli"
cargo build -q -p wsguard-c --release || fail build "cargo build -p wsguard-c --release"
cargo build -q --manifest-path tests/matrix/clients/Cargo.toml --target-dir "$TARGET_DIR" \
  || fail build "cargo build tests/matrix/clients"
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I include -o "$OUT/c_client" tests/matrix/c_client.c \
  "$TARGET_DIR/release/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc \
  || fail build "gcc tests/matrix/c_client.c"
rm -rf "$OUT/wheel"
(cd bindings/python && "$ROOT/.venv/bin/maturin" build --release --quiet -i "$PY" --out "$OUT/wheel") \
  || fail build "maturin build (bindings/python)"
"$PY" -m pip install --quiet --force-reinstall --no-deps "$OUT"/wheel/wsguard-*.whl \
  || fail build "pip install the wsguard wheel"

echo "--- run: tests/matrix/run.py"
# In the background and waited for, so a signal to this script reaches run.py at once
# (it then stops its servers itself; the EXIT trap kills whatever is left).
WSGUARD_BIN="$TARGET_DIR/debug/wsguard" MATRIX_CLIENTS_BIN="$TARGET_DIR/debug/matrix-clients" \
MATRIX_C_CLIENT="$OUT/c_client" \
  "$PY" tests/matrix/run.py --table "$OUT/matrix.md" "$@" &
RUNPY=$!
trap 'kill -TERM "$RUNPY" 2>/dev/null; wait "$RUNPY"; exit 130' INT TERM
wait "$RUNPY"
