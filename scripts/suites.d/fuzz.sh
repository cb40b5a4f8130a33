# Fuzzing (fuzz/, its own cargo workspace): replays every committed corpus input and every
# regression reproducer through the same target functions the libFuzzer binaries call,
# on stable Rust (no nightly, no libFuzzer). Campaigns are `make fuzz`; see FUZZING.md.
suite_fuzz() { run_suite fuzz tally_cargo cargo test --manifest-path fuzz/Cargo.toml --no-default-features --release; }
SUITES_DEFAULT="$SUITES_DEFAULT fuzz"
