#!/usr/bin/env bash
# A fuzzing campaign over wsguard's cargo-fuzz targets (`make fuzz`). See FUZZING.md.
#
#   scripts/fuzz.sh [target ...]          default: every target in fuzz/Cargo.toml
#
# Environment:
#   FUZZ_TIME=600      seconds per target (-max_total_time)
#   FUZZ_PARALLEL=1    targets run at the same time (each one libFuzzer process)
#   FUZZ_MAX_LEN=4096  -max_len
#   WSGUARD_FUZZ_SKIP_KNOWN=1  step over findings already reported in FUZZING.md (their
#                      reproducers stay in fuzz/regressions/ and fail `make test` until
#                      fixed); set 0 to stop on them too
#
# Installs what it needs: the nightly toolchain (rustup, minimal profile) and cargo-fuzz
# (`cargo install --locked cargo-fuzz`). New inputs go to target/fuzz-work/<target>/ (not
# the committed corpus); crashes to fuzz/artifacts/<target>/. Each target's log is
# target/fuzz-logs/<target>.log; the last lines printed are one summary row per target
# (executions, coverage, corpus, findings) and `N passed, M failed` (a target with a
# finding fails).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_TIME=${FUZZ_TIME:-600}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-1}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-4096}
export WSGUARD_FUZZ_SKIP_KNOWN=${WSGUARD_FUZZ_SKIP_KNOWN:-1}
LOGS="$ROOT/target/fuzz-logs"
WORK="$ROOT/target/fuzz-work"
mkdir -p "$LOGS" "$WORK"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "installing the nightly toolchain (cargo-fuzz needs -Zsanitizer)"
  rustup toolchain install nightly --profile minimal || exit 1
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz || exit 1
fi

all_targets() { grep -A1 '^\[\[bin\]\]' fuzz/Cargo.toml | sed -n 's/^name = "\(.*\)"/\1/p'; }
TARGETS=${*:-$(all_targets)}

dict_for() {
  case $1 in
    handshake_*|cors) echo fuzz/dict/http.dict ;;
    origin|lint|url) echo fuzz/dict/origin.dict ;;
    frame_*|close|utf8) echo fuzz/dict/frames.dict ;;
    *) echo "" ;;
  esac
}

echo "==> building every target (nightly, ASan, debug assertions)"
cargo +nightly fuzz build -a || exit 1

run_target() {
  local t=$1 log="$LOGS/$1.log" dict
  dict=$(dict_for "$t")
  mkdir -p "$WORK/$t" "fuzz/corpus/$t" "fuzz/artifacts/$t"
  touch "$LOGS/$t.start"
  echo "==> $t for ${FUZZ_TIME}s"
  # -a: debug assertions and overflow checks on, as in the replay build
  cargo +nightly fuzz run -a "$t" "$WORK/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$FUZZ_TIME" -max_len="$FUZZ_MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 ${dict:+-dict=$dict} \
    -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1
  echo $? >"$LOGS/$t.rc"
}

running=0
for t in $TARGETS; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$FUZZ_PARALLEL" ]; then wait -n; running=$((running - 1)); fi
done
wait

passed=0; failed=0
printf '\n%-18s %12s %8s %8s %8s  %s\n' target executions cov ft corpus findings
for t in $TARGETS; do
  log="$LOGS/$t.log"
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED).*cov:' "$log" | tail -1)
  cov=$(echo "$line" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
  ft=$(echo "$line" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
  corp=$(echo "$line" | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+')
  found=$(find "fuzz/artifacts/$t" -type f -newer "$LOGS/$t.start" 2>/dev/null | wc -l)
  rc=$(cat "$LOGS/$t.rc" 2>/dev/null || echo 1)
  printf '%-18s %12s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found (exit $rc)"
  if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
