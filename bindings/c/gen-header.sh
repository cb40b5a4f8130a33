#!/usr/bin/env bash
# Generates include/wsguard.h from bindings/c with the pinned cbindgen (0.29.4).
#   bash bindings/c/gen-header.sh          rewrite include/wsguard.h
#   bash bindings/c/gen-header.sh --check  fail (exit 1, with a diff) when the committed
#                                          header differs from a fresh generation
set -euo pipefail
cd "$(dirname "$0")/../.."
PINNED=0.29.4
if ! command -v cbindgen >/dev/null; then
  echo "cbindgen not found: run 'make setup' (cargo install --locked cbindgen --version $PINNED)" >&2; exit 1
fi
have=$(cbindgen --version | awk '{print $2}')
if [ "$have" != "$PINNED" ]; then
  echo "cbindgen $have found, $PINNED required (cargo install --locked cbindgen --version $PINNED)" >&2; exit 1
fi
fresh=$(mktemp); trap 'rm -f "$fresh"' EXIT
cbindgen --quiet --config bindings/c/cbindgen.toml --crate wsguard-c --output "$fresh" bindings/c
if [ "${1:-}" = "--check" ]; then
  if diff -u include/wsguard.h "$fresh"; then
    echo "header: include/wsguard.h is up to date"
  else
    echo "header: include/wsguard.h differs from a fresh cbindgen run; run 'bash bindings/c/gen-header.sh' and commit it" >&2
    exit 1
  fi
else
  cp "$fresh" include/wsguard.h
  echo "wrote include/wsguard.h"
fi
