#!/usr/bin/env bash
# `make wheel`: the Python packages as users install them, into dist/ at the repo root:
#   wsguard-<v>-cp310-abi3-manylinux2014_<arch>.manylinux_2_17_<arch>.whl  (CPython >= 3.10)
#   wsguard_cli-<v>-py3-none-manylinux2014_<arch>.manylinux_2_17_<arch>.whl (`wsguard` command)
#   wsguard-<v>.tar.gz                                            (sdist: builds with cargo)
# manylinux2014 (glibc 2.17) through zig from PyPI (`ziglang`, pinned in
# requirements-test.txt): no container, no download outside the registries. Each wheel is
# checked with `auditwheel show`. Needs `make setup` (venv, aarch64 rustup target).
#   bash scripts/wheel.sh [x86_64|aarch64 ...]   (default: both)
# WSGUARD_DIST=dir writes elsewhere; WSGUARD_SDIST=0 skips the sdist (the test does).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${WSGUARD_VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"
DIST=${WSGUARD_DIST:-$ROOT/dist}
ARCHES=${*:-x86_64 aarch64}
for tool in maturin auditwheel python-zig; do
  command -v "$tool" >/dev/null || { echo "wheel: $tool missing in $VENV: run 'make setup'" >&2; exit 1; }
done
mkdir -p "$DIST"

# build_wheel DIR ARCH: one manylinux2014 wheel of the maturin project in DIR.
build_wheel() {
  (cd "$1" && maturin build --release --quiet --zig --compatibility manylinux2014 \
     --target "$2-unknown-linux-gnu" --out "$DIST")
}

for arch in $ARCHES; do
  rustup target list --installed | grep -qx "$arch-unknown-linux-gnu" \
    || { echo "wheel: rustup target $arch-unknown-linux-gnu missing: run 'make setup'" >&2; exit 1; }
  build_wheel bindings/python "$arch"
  build_wheel bindings/cli "$arch"
done
if [ "${WSGUARD_SDIST:-1}" = 1 ]; then (cd bindings/python && maturin sdist --out "$DIST" >/dev/null); fi

for w in "$DIST"/*.whl; do
  tag=$(auditwheel show "$w" | tr '\n' ' ' | sed -n 's/.*consistent with the following platform tag: *"\([^"]*\)".*/\1/p')
  case "$tag" in
    manylinux_2_17_*) echo "wheel: $(basename "$w") -> $tag" ;;
    *) echo "wheel: $(basename "$w"): auditwheel says '$tag', expected manylinux_2_17" >&2; exit 1 ;;
  esac
done
[ "${WSGUARD_SDIST:-1}" = 1 ] && echo "wheel: sdist $(ls "$DIST"/*.tar.gz)"
echo "wheel: wrote $DIST"
