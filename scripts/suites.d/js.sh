# The npm package (bindings/js): wasm build, the shared vectors in Node (node --test) and
# in headless Chromium, browser tests against real servers (see bindings/js/run-tests.sh).
suite_js() { run_suite js tally_plain bash bindings/js/run-tests.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT js"
