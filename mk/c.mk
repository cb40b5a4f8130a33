# C API targets (included from the top Makefile: `include mk/c.mk`).
#   make c-lib                       build libwsguard.a / libwsguard.so with the packaging
#                                    profile `release-c` (LTO, one codegen unit, .so stripped;
#                                    install strips the .a's debug info)
#   make install PREFIX=/opt/wsg     install header, libwsguard.a, libwsguard.so.X.Y.Z with
#                                    its libwsguard.so.X and libwsguard.so links, wsguard.pc
#                                    (DESTDIR=/stage is prepended to every path, not recorded)
#   make uninstall PREFIX=/opt/wsg
#   make c-header                    regenerate include/wsguard.h (cbindgen 0.29.4)
PREFIX ?= /usr/local
DESTDIR ?=
WSGUARD_C_PROFILE ?= release-c
WSGUARD_C_LIBSRC ?= $(or $(CARGO_TARGET_DIR),target)/$(WSGUARD_C_PROFILE)
WSGUARD_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
WSGUARD_SOMAJOR := $(firstword $(subst ., ,$(WSGUARD_VERSION)))

.PHONY: c-lib c-header install uninstall

# Only the C crate types: with the rlib (used by fuzz/) in the same build rustc skips LTO.
c-lib:
	cargo rustc -p wsguard-c --profile $(WSGUARD_C_PROFILE) --crate-type staticlib --crate-type cdylib

c-header:
	bash bindings/c/gen-header.sh

install: c-lib
	bash bindings/c/install.sh "$(PREFIX)" "$(WSGUARD_C_LIBSRC)" "$(DESTDIR)"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/include/wsguard.h" "$(DESTDIR)$(PREFIX)/lib/libwsguard.a" \
	      "$(DESTDIR)$(PREFIX)/lib/libwsguard.so" "$(DESTDIR)$(PREFIX)/lib/libwsguard.so.$(WSGUARD_SOMAJOR)" \
	      "$(DESTDIR)$(PREFIX)/lib/libwsguard.so.$(WSGUARD_VERSION)" "$(DESTDIR)$(PREFIX)/lib/pkgconfig/wsguard.pc"
