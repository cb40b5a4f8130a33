#!/usr/bin/env bash
# Test suite of the wsguard Python package, run by `make test` (scripts/suites.d/python.sh).
#
#   1. builds the abi3 wheel with maturin (release) and installs it into .venv,
#   2. runs pytest: vectors, API, mypy.stubtest on the hand-written stubs (tests/test_typing.py),
#      integrations with real servers, headless Chromium.
#
# Works from a clean clone once scripts/setup.sh has created .venv. Extra arguments go
# to pytest (e.g. `bash bindings/python/run-tests.sh -k asgi`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${WSGUARD_VENV:-$ROOT/.venv}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "python suite: $PY missing; run scripts/setup.sh first" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WHEELS="$CARGO_TARGET_DIR/python-wheels"

echo "--- build: maturin build --release (abi3 wheel)"
rm -rf "$WHEELS"
(cd "$HERE" && "$VENV/bin/maturin" build --release --quiet -i "$PY" --out "$WHEELS")
WHEEL=$(ls "$WHEELS"/wsguard-*.whl)
echo "built $(basename "$WHEEL")"
"$PY" -m pip install --quiet --force-reinstall --no-deps "$WHEEL"
export WSGUARD_WHEEL="$WHEEL"

echo "--- pytest"
cd "$HERE"
exec "$PY" -m pytest -ra "$@"
