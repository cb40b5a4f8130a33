# wsguard std adapter (crates/wsguard): guard with tungstenite and tokio-tungstenite,
# config, counters (crate wsguard-metrics, shared with serve and the Python guard), error
# mapping, probe — all against servers on 127.0.0.1.
suite_std() { run_suite std tally_cargo cargo test -p wsguard --features tokio -p wsguard-metrics; }
SUITES_DEFAULT="$SUITES_DEFAULT std"
