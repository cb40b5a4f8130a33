#!/usr/bin/env bash
# Installs the C API: include/wsguard.h, libwsguard.a, libwsguard.so and wsguard.pc.
#   bash bindings/c/install.sh PREFIX [LIBSRC_DIR] [DESTDIR]
# LIBSRC_DIR: where cargo put the release libraries (default $CARGO_TARGET_DIR/release or
# target/release). DESTDIR (staging root) is prepended to every path but not written into
# wsguard.pc. Called by `make install PREFIX=...` (mk/c.mk).
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=${1:?usage: install.sh PREFIX [LIBSRC_DIR] [DESTDIR]}
LIBSRC=${2:-${CARGO_TARGET_DIR:-target}/release}
DESTDIR=${3:-}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# rustc --print native-static-libs for the staticlib (see bindings/c/README.md).
NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
for f in libwsguard.a libwsguard.so; do
  [ -f "$LIBSRC/$f" ] || { echo "install: $LIBSRC/$f missing: run 'cargo build -p wsguard-c --release'" >&2; exit 1; }
done
install -d "$DESTDIR$PREFIX/include" "$DESTDIR$PREFIX/lib/pkgconfig"
install -m 0644 include/wsguard.h "$DESTDIR$PREFIX/include/wsguard.h"
install -m 0644 "$LIBSRC/libwsguard.a" "$DESTDIR$PREFIX/lib/libwsguard.a"
install -m 0755 "$LIBSRC/libwsguard.so" "$DESTDIR$PREFIX/lib/libwsguard.so"
cat > "$DESTDIR$PREFIX/lib/pkgconfig/wsguard.pc" <<PC
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: wsguard
Description: One WebSocket validator for every tier: handshake, Origin/Host/CORS policy, frames, close codes (C API)
Version: $VERSION
Cflags: -I\${includedir}
Libs: -L\${libdir} -lwsguard
Libs.private: $NATIVE_LIBS
PC
echo "installed wsguard $VERSION into $DESTDIR$PREFIX (include/wsguard.h, lib/libwsguard.{a,so}, lib/pkgconfig/wsguard.pc)"
