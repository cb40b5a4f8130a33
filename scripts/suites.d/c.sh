# The C API suite: Rust unit tests of bindings/c, library build, header drift check, C and
# C++ tests over the shared vectors, valgrind and ASan/UBSan runs, install + pkg-config,
# and the example gateway against Python websockets (see tests/c/run.sh).
suite_c() { run_suite c tally_plain bash tests/c/run.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT c"
