#!/usr/bin/env bash
# The adversarial soak (issue #18): `make soak` (full counts, not part of `make test`) or
# `scripts/soak.sh --scale smoke` (the bounded version the `soak` suite runs).
#
# Builds `wsguard` and the tokio-tungstenite peer (crates/wsguard/examples/tokio_echo.rs),
# installs the Python binding into .venv when it is missing, then runs
# scripts/soak/soak.py against wsguard serve, the tokio guard with limits, plain
# tokio-tungstenite, Node ws (tests/matrix, pinned) and the Python guard under uvicorn, all
# on 127.0.0.1. Ends on `soak: N passed, M failed`; results in target/soak/results-SCALE.json.
#
#   scripts/soak.sh [--scale smoke|full] [--targets serve,tokio-guarded,...]
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
fail() { echo "soak-$1: 0 passed, 1 failed"; echo "  ($2)" >&2; exit 1; }
SCALE=full
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--scale" ] && { j=$((i + 1)); SCALE=${!j}; }; done

command -v node >/dev/null || fail prereq "node not found: run 'make setup'"
[ -x "$PY" ] || fail prereq "$PY missing: run 'make setup'"
[ -f tests/matrix/node_modules/ws/package.json ] || fail prereq "tests/matrix/node_modules/ws missing: run 'make setup'"
cargo build -q -p wsguard-cli || fail build "cargo build -p wsguard-cli"
cargo build -q -p wsguard --features tokio --example tokio_echo || fail build "cargo build --example tokio_echo"
if ! "$PY" -c "import wsguard, fastapi, uvicorn" 2>/dev/null; then
  OUT="$ROOT/target/soak/wheel"; rm -rf "$OUT"
  (cd bindings/python && "$ROOT/.venv/bin/maturin" build --release --quiet -i "$PY" --out "$OUT") \
    || fail build "maturin build (bindings/python)"
  "$PY" -m pip install --quiet --force-reinstall --no-deps "$OUT"/wsguard-*.whl || fail build "pip install the wsguard wheel"
fi
mkdir -p target/soak
exec "$PY" scripts/soak/soak.py --scale "$SCALE" --json "target/soak/results-$SCALE.json" "$@"
