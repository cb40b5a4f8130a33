# wsguard std adapter (crates/wsguard): guard with tungstenite and tokio-tungstenite,
# config, counters (crate wsguard-metrics, shared with serve and the Python guard), error
# mapping, probe — all against servers on 127.0.0.1.
# wsguard-simd: the opt-in vectorised unmask against the core at every length/start/offset.
suite_std() { run_suite std tally_cargo cargo test -p wsguard --features wsguard/tokio -p wsguard-metrics -p wsguard-simd; }
SUITES_DEFAULT="$SUITES_DEFAULT std"
