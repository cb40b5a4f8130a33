# Microcontroller clients (issue 7): the async drivers of wsguard-core (feature
# embedded-io-async) — unit and doc tests; host tests on tokio through embedded-io-adapters
# against Python `websockets` (server and client), a plain HTTP server and `wsguard serve`;
# the firmware example and the code-size programs built for thumbv7em-none-eabihf
# (sizes printed for information; only a build failure fails).
embedded_host() {
  local tdir=${CARGO_TARGET_DIR:-$ROOT/target}
  cargo build -p wsguard-cli || return 1
  WSGUARD_BIN="$tdir/debug/wsguard" \
    cargo test --manifest-path tests/embedded-host/Cargo.toml --target-dir "$tdir/embedded-host"
}
suite_embedded() {
  run_suite embedded-io tally_cargo cargo test -p wsguard-core --features embedded-io-async --lib io::
  run_suite embedded-io-doc tally_cargo cargo test -p wsguard-core --features embedded-io-async --doc io::
  run_suite embedded-host tally_cargo embedded_host
  run_suite embedded-size tally_plain bash scripts/size.sh --check
}
SUITES_DEFAULT="$SUITES_DEFAULT embedded"
