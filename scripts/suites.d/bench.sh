# wsguard-bench without its `peers` feature: the zero-allocation proof for the frame codec
# and the server/client handshake (benches/tests/zero_alloc_frames.rs, counting
# #[global_allocator]) and the benchmark inputs' self-checks. The benchmarks themselves
# (criterion, tungstenite, fastwebsockets) run only with `make bench`.
suite_bench() { run_suite bench tally_cargo cargo test -p wsguard-bench; }
SUITES_DEFAULT="$SUITES_DEFAULT bench"
