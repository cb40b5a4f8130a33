#!/usr/bin/env bash
# Installs everything `make test` needs on a fresh machine of this project's kind.
# Idempotent: each step is skipped when its result is already present.
# In CI (CI=true) any failure here is fatal; nothing is silently skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
log() { printf '[setup] %s\n' "$*"; }

# 1. Rust targets for the bare-metal builds of wsguard-core, wasm32 for bindings/js, and
#    aarch64 Linux for the cross-built wheels of `make wheel` (linked by zig from PyPI,
#    see scripts/wheel.sh).
for t in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf wasm32-unknown-unknown aarch64-unknown-linux-gnu; do
  if ! rustup target list --installed | grep -qx "$t"; then
    log "rustup target add $t"; rustup target add "$t"
  fi
done

# 2. Debian packages: real peers and tools used by the tests.
# binutils: strip/readelf for the C library install; prometheus: promtool for ops/ rules.
APT_PKGS="nginx-light chromium pkg-config valgrind libcjson-dev llvm nodejs binutils prometheus"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  log "apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# npm: part of NodeSource's nodejs package, a separate package in Debian's.
if ! command -v npm >/dev/null; then
  log "apt-get install npm"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# 3. cbindgen, pinned, for the header drift check.
CBINDGEN_VERSION=0.29.4
if ! command -v cbindgen >/dev/null || ! cbindgen --version | grep -q "$CBINDGEN_VERSION"; then
  log "cargo install cbindgen $CBINDGEN_VERSION"
  cargo install --locked --quiet cbindgen --version "$CBINDGEN_VERSION"
fi

# 3b. wasm-bindgen CLI for bindings/js: exactly the wasm-bindgen crate version in Cargo.lock
# (the CLI refuses any other). `--locked` first; its lockfile may name a crate version the
# registry mirror lacks, then the same CLI version is built with freshly resolved deps.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' Cargo.lock)
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --locked --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    || cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 3c. The npm package's pinned dev dependencies (binaryen's wasm-opt for the size build).
if ! cmp -s bindings/js/package-lock.json bindings/js/node_modules/.wsguard-installed 2>/dev/null; then
  log "npm ci (bindings/js)"; (cd bindings/js && npm ci --silent --no-audit --no-fund && cp package-lock.json node_modules/.wsguard-installed)
fi

# 4. Python venv with the real peers (pinned in requirements-test.txt).
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  log "python3 -m venv .venv"; python3 -m venv "$VENV"
fi
if ! cmp -s requirements-test.txt "$VENV/.requirements-installed" 2>/dev/null; then
  log "pip install -r requirements-test.txt"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r requirements-test.txt
  cp requirements-test.txt "$VENV/.requirements-installed"
fi

# 5. Node peer of the fault matrix (tests/matrix): `ws`, pinned by package-lock.json.
if ! cmp -s tests/matrix/package-lock.json tests/matrix/node_modules/.package-lock.json 2>/dev/null \
   && ! [ tests/matrix/node_modules/.npm-ci-done -nt tests/matrix/package-lock.json ]; then
  log "npm ci (tests/matrix)"
  (cd tests/matrix && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/matrix/node_modules/.npm-ci-done
fi
log "ready"
