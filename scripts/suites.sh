#!/usr/bin/env bash
# Runs every test suite of wsguard, tallies the results and ends on one line
# `N passed, M failed` that counts everything (CI reads the last line).
#
#   scripts/suites.sh [suite ...]     default: all suites in SUITES below
#
# Each suite is a function `suite_<name>`; it runs its tests with its output tee'd to a log,
# and the tally is read from the runner's own summary lines (cargo test, pytest, or the
# plain `N passed, M failed` line our C and shell tests print).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGDIR="$ROOT/target/test-logs"; mkdir -p "$LOGDIR"
PASSED=0; FAILED=0; FAILED_SUITES=""
export CARGO_TERM_COLOR=never

tally_cargo() {   # sums "test result: ok. X passed; Y failed" lines
  local log=$1 p f
  p=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\2/' | awk '{s+=$1} END {print s+0}')
  echo "${p:-0} ${f:-0}"
}
tally_plain() {   # sums our own "N passed, M failed" lines
  local log=$1 p f
  p=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' | awk '{s+=$1} END {print s+0}')
  echo "${p:-0} ${f:-0}"
}
tally_pytest() {  # "=== 12 passed, 1 failed, 2 skipped in 3.2s ==="
  local log=$1 line p f
  line=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1)
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
  f=$(echo "$line" | grep -oE '[0-9]+ (failed|error|errors)' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  echo "${p:-0} ${f:-0}"
}

run_suite() {     # run_suite NAME TALLY-FN COMMAND...
  local name=$1 tally=$2; shift 2
  local log="$LOGDIR/$name.log"
  echo "==> suite $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r p f < <($tally "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash or build failure counts
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  [ "$f" -ne 0 ] && FAILED_SUITES="$FAILED_SUITES $name"
  echo "<== suite $name: $p passed, $f failed (exit $rc)"
}

suite_core()   { run_suite core tally_cargo cargo test -p wsguard-core; }
suite_nostd()  { run_suite nostd tally_plain bash scripts/check-nostd.sh; }
suite_lint()   { run_suite lint tally_plain bash scripts/check-lint.sh; }

SUITES_DEFAULT="core nostd lint"
for extra in scripts/suites.d/*.sh; do [ -f "$extra" ] && . "$extra"; done
SUITES=${*:-$SUITES_DEFAULT}
for s in $SUITES; do "suite_$s"; done

echo
[ -n "$FAILED_SUITES" ] && echo "failed suites:$FAILED_SUITES"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
