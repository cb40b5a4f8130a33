# The fault matrix (issue 12, tests/matrix): real backends (FastAPI/uvicorn with and without
# wsguard, Django Channels under daphne, Python websockets, Node ws, `wsguard serve`, a
# plain HTTP server) directly and behind nginx (right, without upgrade headers, HTTP/1.1
# only, upstream down or silent, a redirect); every cell's true cause is written down in
# tests/matrix/cells.toml and checked against `wsguard probe --json`, the Rust, C and
# Python clients and the firmware client. Cells marked known_wrong are reported apart.
suite_matrix() { run_suite matrix tally_plain bash tests/matrix/run.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT matrix"
