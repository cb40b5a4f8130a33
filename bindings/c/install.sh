#!/usr/bin/env bash
# Installs the C API: include/wsguard.h, libwsguard.a, the shared library under its
# versioned names and wsguard.pc:
#   lib/libwsguard.so.X.Y.Z             the file (SONAME libwsguard.so.X, set by bindings/c/build.rs)
#   lib/libwsguard.so.X -> .so.X.Y.Z    what programs load at run time (the SONAME)
#   lib/libwsguard.so   -> .so.X        what `cc -lwsguard` finds at link time (the -dev link)
#   bash bindings/c/install.sh PREFIX [LIBSRC_DIR] [DESTDIR]
# LIBSRC_DIR: where cargo put the libraries (default: the packaging profile,
# $CARGO_TARGET_DIR/release-c or target/release-c; see `make c-lib`). DESTDIR (staging root) is prepended to every path but not written into
# wsguard.pc. Called by `make install PREFIX=...` (mk/c.mk).
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=${1:?usage: install.sh PREFIX [LIBSRC_DIR] [DESTDIR]}
LIBSRC=${2:-${CARGO_TARGET_DIR:-target}/release-c}
DESTDIR=${3:-}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR=${VERSION%%.*}
# rustc --print native-static-libs for the staticlib (see bindings/c/README.md).
NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
for f in libwsguard.a libwsguard.so; do
  [ -f "$LIBSRC/$f" ] || { echo "install: $LIBSRC/$f missing: run 'make c-lib'" >&2; exit 1; }
done
install -d "$DESTDIR$PREFIX/include" "$DESTDIR$PREFIX/lib/pkgconfig"
install -m 0644 include/wsguard.h "$DESTDIR$PREFIX/include/wsguard.h"
install -m 0644 "$LIBSRC/libwsguard.a" "$DESTDIR$PREFIX/lib/libwsguard.a"
# Debug info of the Rust standard library is most of the archive (distributions strip it
# too: dh_strip runs `strip --strip-debug` on static libraries).
command -v strip >/dev/null || { echo "install: strip (binutils) not found" >&2; exit 1; }
strip --strip-debug "$DESTDIR$PREFIX/lib/libwsguard.a"
install -m 0755 "$LIBSRC/libwsguard.so" "$DESTDIR$PREFIX/lib/libwsguard.so.$VERSION"
ln -sfn "libwsguard.so.$VERSION" "$DESTDIR$PREFIX/lib/libwsguard.so.$MAJOR"
ln -sfn "libwsguard.so.$MAJOR" "$DESTDIR$PREFIX/lib/libwsguard.so"
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
echo "installed wsguard $VERSION into $DESTDIR$PREFIX (include/wsguard.h, lib/libwsguard.a, lib/libwsguard.so.$VERSION + .so.$MAJOR + .so links, lib/pkgconfig/wsguard.pc)"
