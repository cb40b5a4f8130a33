# wsguard — two set-up commands: `make demo` and `make test`.
.PHONY: all setup test demo demo-browser bench fuzz wheel soak clean

all: test

## Installs what the tests need (rustup targets, Debian packages, Python venv, cbindgen).
setup:
	bash scripts/setup.sh

## Installs prerequisites, then runs every test suite; ends on `N passed, M failed`.
test: setup
	bash scripts/suites.sh

## Shows wsguard's verdicts and diagnoses on sample handshakes, then a refused page in headless Chromium.
demo:
	cargo run -q -p wsguard-cli -- demo
	bash bindings/js/demo/run.sh

## The browser demo with its servers left running: prints two page URLs to open (Ctrl-C stops).
demo-browser:
	bash bindings/js/demo/run.sh --keep

## Side-by-side benchmarks (not part of `make test`).
bench:
	bash scripts/bench.sh

## Python wheels into dist/: wsguard (abi3, CPython >= 3.10) and wsguard-cli, manylinux2014
## for x86_64 and aarch64 (zig from PyPI), plus the sdist; checked by auditwheel.
wheel: setup
	bash scripts/wheel.sh

## Adversarial soak on 127.0.0.1 (issue #18): wsguard serve and the tokio guard beside
## tokio-tungstenite, Node ws and uvicorn, full counts (not part of `make test`; its smoke
## version is the `soak` suite).
soak: setup
	bash scripts/soak.sh --scale full

## A fuzzing campaign (nightly + cargo-fuzz, installed here).
fuzz:
	bash scripts/fuzz.sh

clean:
	cargo clean
include mk/c.mk
