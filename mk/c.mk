# C API targets (included from the top Makefile: `include mk/c.mk`).
#   make c-lib                       build libwsguard.a / libwsguard.so (release)
#   make install PREFIX=/opt/wsg     install header, both libraries and wsguard.pc
#   make uninstall PREFIX=/opt/wsg
#   make c-header                    regenerate include/wsguard.h (cbindgen 0.29.4)
PREFIX ?= /usr/local
DESTDIR ?=
WSGUARD_C_LIBSRC ?= $(or $(CARGO_TARGET_DIR),target)/release

.PHONY: c-lib c-header install uninstall

c-lib:
	cargo build -p wsguard-c --release

c-header:
	bash bindings/c/gen-header.sh

install: c-lib
	bash bindings/c/install.sh "$(PREFIX)" "$(WSGUARD_C_LIBSRC)" "$(DESTDIR)"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/include/wsguard.h" "$(DESTDIR)$(PREFIX)/lib/libwsguard.a" \
	      "$(DESTDIR)$(PREFIX)/lib/libwsguard.so" "$(DESTDIR)$(PREFIX)/lib/pkgconfig/wsguard.pc"
