# Python shipping (issue 16 items 1-2): the x86_64 manylinux2014 wheels of `make wheel`
# installed into a fresh venv without cargo/rustc; README Quick start, `python -m wsguard`
# and the `wsguard` command of `wsguard[cli]` (see tests/python-wheel/test.sh).
suite_wheel() { run_suite wheel tally_plain bash tests/python-wheel/test.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT wheel"
