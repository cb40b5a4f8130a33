#!/usr/bin/env bash
# `make install PREFIX=<tmp>` (packaging profile: versioned .so names, SONAME, stripped),
# then build and run a C program with `cc app.c $(pkg-config --cflags --libs wsguard)`
# (shared library) and statically with the README's link lines; a DESTDIR install and
# `make uninstall`. Prints `install: N passed, M failed`.
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
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1); MAJOR=${VERSION%%.*}
for f in include/wsguard.h lib/libwsguard.a "lib/libwsguard.so.$VERSION" lib/pkgconfig/wsguard.pc; do
  if [ -f "$PREFIX/$f" ] && [ ! -L "$PREFIX/$f" ]; then ok "installed $f"; else bad "installed $f"; fi
done
# The versioned names: .so -> .so.MAJOR -> .so.X.Y.Z, and the file's SONAME is .so.MAJOR.
if [ "$(readlink "$PREFIX/lib/libwsguard.so.$MAJOR")" = "libwsguard.so.$VERSION" ] \
   && [ "$(readlink "$PREFIX/lib/libwsguard.so")" = "libwsguard.so.$MAJOR" ]; then
  ok "symlinks libwsguard.so -> .so.$MAJOR -> .so.$VERSION"; else bad "symlinks"; fi
soname=$(readelf -d "$PREFIX/lib/libwsguard.so.$VERSION" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = "libwsguard.so.$MAJOR" ]; then ok "SONAME $soname"; else bad "SONAME is '$soname', expected libwsguard.so.$MAJOR"; fi
# The packaging profile strips the shared library.
if readelf -S "$PREFIX/lib/libwsguard.so.$VERSION" | grep -q '\.symtab'; then bad "libwsguard.so stripped"; else ok "libwsguard.so stripped"; fi
if readelf -S "$PREFIX/lib/libwsguard.a" 2>/dev/null | grep -q '\.debug_info'; then bad "libwsguard.a without debug info"; else ok "libwsguard.a without debug info"; fi
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
if [ "$(pkg-config --modversion wsguard 2>/dev/null)" = "$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" ]; then
  ok "pkg-config --modversion"; else bad "pkg-config --modversion"; fi
# Shared: exactly the documented command.
if cc -std=c99 -Wall -Wextra -Werror "$ROOT/tests/c/pkgconfig_app.c" -o "$TMP/app" $(pkg-config --cflags --libs wsguard) \
   && LD_LIBRARY_PATH="$PREFIX/lib" "$TMP/app"; then ok "cc app.c \$(pkg-config --cflags --libs wsguard)"; else bad "shared build/run"; fi
# readelf into a variable: `grep -q` exiting early would SIGPIPE it under pipefail.
if grep -q "(NEEDED).*\[libwsguard.so.$MAJOR\]" <<<"$(readelf -d "$TMP/app" 2>/dev/null || true)"; then ok "app needs libwsguard.so.$MAJOR (the SONAME)"; else bad "app NEEDED entry"; fi
# Static: the README's line (the .a path, then the native libraries).
if cc -std=c99 -Wall -Wextra -Werror $(pkg-config --cflags wsguard) "$ROOT/tests/c/pkgconfig_app.c" -o "$TMP/app-static" \
      "$PREFIX/lib/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc \
   && "$TMP/app-static" && ! grep -q libwsguard <<<"$(ldd "$TMP/app-static" 2>/dev/null || true)"; then ok "static link"; else bad "static link"; fi
# The README's size-optimised static link (gc-sections, stripped): builds and runs.
if cc -std=c99 -Os -Wall -Wextra -Werror $(pkg-config --cflags wsguard) "$ROOT/tests/c/pkgconfig_app.c" -o "$TMP/app-small" \
      -Wl,--gc-sections -s "$PREFIX/lib/libwsguard.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc \
   && "$TMP/app-small"; then
  ok "static link with -Wl,--gc-sections -s ($(stat -c %s "$TMP/app-small") bytes; libwsguard.a $(stat -c %s "$PREFIX/lib/libwsguard.a") bytes)"
else bad "static gc-sections link"; fi
# DESTDIR stages without recording the staging root; uninstall removes every name.
STAGE="$TMP/stage"
if make -s "${MAKE_ARGS[@]}" install PREFIX=/usr/local DESTDIR="$STAGE" >"$TMP/stage.log" 2>&1 \
   && [ -L "$STAGE/usr/local/lib/libwsguard.so.$MAJOR" ] \
   && grep -qx 'prefix=/usr/local' "$STAGE/usr/local/lib/pkgconfig/wsguard.pc"; then
  ok "make install DESTDIR=... PREFIX=/usr/local"; else cat "$TMP/stage.log" >&2; bad "DESTDIR install"; fi
if make -s "${MAKE_ARGS[@]}" uninstall PREFIX=/usr/local DESTDIR="$STAGE" >/dev/null 2>&1 \
   && [ -z "$(find "$STAGE" -type f -o -type l)" ]; then ok "make uninstall removes every file and link"
else find "$STAGE" -type f -o -type l >&2; bad "make uninstall"; fi
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
