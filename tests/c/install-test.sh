#!/usr/bin/env bash
# `make install PREFIX=<tmp>`, then build and run a C program with
# `cc app.c $(pkg-config --cflags --libs wsguard)` (shared library) and statically with the
# README's link line. Prints `install: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
PREFIX="$TMP/prefix"
passed=0; failed=0
ok()   { echo "ok   $1"; passed=$((passed + 1)); }
bad()  { echo "FAIL $1" >&2; failed=$((failed + 1)); }

if grep -qE '^include mk/c.mk' Makefile; then MAKE_ARGS=(); else MAKE_ARGS=(-f mk/c.mk); fi
if make -s "${MAKE_ARGS[@]}" install PREFIX="$PREFIX" >"$TMP/install.log" 2>&1; then ok "make install"; else cat "$TMP/install.log" >&2; bad "make install"; fi
for f in include/wsguard.h lib/libwsguard.a lib/libwsguard.so lib/pkgconfig/wsguard.pc; do
  if [ -f "$PREFIX/$f" ]; then ok "installed $f"; else bad "installed $f"; fi
done
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
if [ "$(pkg-config --modversion wsguard 2>/dev/null)" = "$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" ]; then
  ok "pkg-config --modversion"; else bad "pkg-config --modversion"; fi
# Shared: exactly the documented command.
if cc -std=c99 -Wall -Wextra -Werror "$ROOT/tests/c/pkgconfig_app.c" -o "$TMP/app" $(pkg-config --cflags --libs wsguard) \
   && LD_LIBRARY_PATH="$PREFIX/lib" "$TMP/app"; then ok "cc app.c \$(pkg-config --cflags --libs wsguard)"; else bad "shared build/run"; fi
# ldd into a variable: `grep -q` exiting early would SIGPIPE ldd and fail the pipeline under pipefail.
linked=$(ldd "$TMP/app" 2>/dev/null || true)
if grep -q "libwsguard.so" <<<"$linked"; then ok "app links libwsguard.so"; else bad "app links libwsguard.so"; fi
# Static: the README's line (the .a path, then the native libraries).
if cc -std=c99 -Wall -Wextra -Werror $(pkg-config --cflags wsguard) "$ROOT/tests/c/pkgconfig_app.c" -o "$TMP/app-static" \
      "$PREFIX/lib/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc \
   && "$TMP/app-static" && ! grep -q libwsguard <<<"$(ldd "$TMP/app-static" 2>/dev/null || true)"; then ok "static link"; else bad "static link"; fi
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
