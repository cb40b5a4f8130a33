# The `wsguard` binary (crates/wsguard-cli): unit tests, the RFC 6455 conformance suite of
# `wsguard serve`, real peers (Python websockets client and server), nginx in front of the
# server (right and wrong), and the bounded 200-connection load test. With CI=true a
# missing python venv or nginx fails the suite instead of skipping.
suite_cli() { run_suite cli tally_cargo cargo test -p wsguard-cli --no-fail-fast; }
SUITES_DEFAULT="$SUITES_DEFAULT cli"
