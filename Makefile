# wsguard — two set-up commands: `make demo` and `make test`.
.PHONY: all setup test demo bench fuzz clean

all: test

## Installs what the tests need (rustup targets, Debian packages, Python venv, cbindgen).
setup:
	bash scripts/setup.sh

## Installs prerequisites, then runs every test suite; ends on `N passed, M failed`.
test: setup
	bash scripts/suites.sh

## Shows wsguard's verdicts and diagnoses on sample handshakes.
demo:
	cargo run -q -p wsguard-cli -- demo

## Side-by-side benchmarks (not part of `make test`).
bench:
	bash scripts/bench.sh

## A fuzzing campaign (nightly + cargo-fuzz, installed here).
fuzz:
	bash scripts/fuzz.sh

clean:
	cargo clean
include mk/c.mk
