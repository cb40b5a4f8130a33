#!/usr/bin/env bash
# `make bench`: the side-by-side benchmarks of wsguard-core against tungstenite and
# fastwebsockets (criterion, crate benches/ with its `peers` feature), the zero-allocation
# test in release mode, then benches/report.py rewrites the generated section of
# BENCHMARKS.md (medians, throughput, ratios, command, date, rustc, CPU).
# Not part of `make test`. Takes about 4–5 minutes on 2 cores (build included).
#
#   BENCH_RUNS=3 make bench     run the criterion benchmarks 3 times; the report gives, per
#                               benchmark, the median of the runs' medians and the min–max
#                               (and each ratio as median [min–max] over the runs)
#   BENCH_ONLY=handshake bash scripts/bench.sh
#                               one criterion target (unmask, decode or handshake) only: no
#                               zero-allocation test, no callgrind; the report goes to
#                               BENCH_REPORT (default target/criterion/partial.md), not
#                               BENCHMARKS.md
# Each run prints a header: date, git revision, CPU model, cores, load average.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}
CRIT="$TARGET_DIR/criterion"
export CARGO_TERM_COLOR=never

command -v python3 >/dev/null || { echo "bench.sh: python3 is needed for the report" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
LOAD_BEFORE=$(load)
RUNS=${BENCH_RUNS:-1}
ONLY=${BENCH_ONLY:-}
case "$RUNS" in ''|*[!0-9]*|0) echo "bench.sh: BENCH_RUNS must be a positive integer" >&2; exit 2;; esac
case "$ONLY" in ''|unmask|decode|handshake) ;; *) echo "bench.sh: BENCH_ONLY is unmask, decode or handshake" >&2; exit 2;; esac
REPORT=${BENCH_REPORT:-$([ -n "$ONLY" ] && echo "$CRIT/partial.md" || echo BENCHMARKS.md)}
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m)
GIT=$(git rev-parse --short=8 HEAD 2>/dev/null || echo "?")
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || GIT="$GIT (modified)"
echo "==> wsguard bench $(date -u '+%Y-%m-%d %H:%M UTC') · git $GIT · $CPU · $(nproc) cores · load average $LOAD_BEFORE · runs $RUNS${ONLY:+ · only $ONLY}"

# Stale results of removed or renamed benchmarks must not reach the report.
rm -rf "$CRIT/unmask_"* "$CRIT/frame_read_"* "$CRIT/header" "$CRIT/stream" "$CRIT/handshake_"*
SNAPS=$(mktemp -d); ZA_LOG=$(mktemp); trap 'rm -rf "$ZA_LOG" "$SNAPS" "${INFO:-}"' EXIT

ZA_CMD="cargo test --release -p wsguard-bench --test zero_alloc_frames"
if [ -z "$ONLY" ]; then
  echo "==> $ZA_CMD"
  if $ZA_CMD 2>&1 | tee "$ZA_LOG"; then ZA_MET=yes; else ZA_MET="**no**"; fi
  ZA_RESULT=$(grep -E '^test result:' "$ZA_LOG" | tail -1 | sed -E 's/^test result: ([a-zA-Z]+)\. ([0-9]+) passed; ([0-9]+) failed.*/\1: \2 passed, \3 failed/')
else
  ZA_MET="not run (BENCH_ONLY)"; ZA_RESULT="not run"
fi

BENCH_CMD="cargo bench -p wsguard-bench --features peers${ONLY:+ --bench $ONLY}"
cargo build --release -q -p wsguard-bench --features peers --benches
for run in $(seq 1 "$RUNS"); do
  echo "==> run $run/$RUNS: $BENCH_CMD   (load average $(load))"
  since=$(date +%s.%N)
  $BENCH_CMD
  python3 benches/report.py --snapshot "$CRIT" "$since" "$SNAPS/run$run.json"
done
LOAD_AFTER=$(load)

# Instructions per operation under callgrind: independent of the machine's load.
# Each case runs with N and 2N repetitions; (I(2N) - I(N)) / N cancels start-up and set-up.
INSTR=""
if [ -z "$ONLY" ] && command -v valgrind >/dev/null; then
  echo "==> instruction counts (valgrind --tool=callgrind)"
  cargo build --release -p wsguard-bench --features peers --example instructions
  EXE="$TARGET_DIR/release/examples/instructions"
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$EXE" "$1" "$2" 2>&1 >/dev/null \
            | sed -nE 's/.*Collected : ([0-9]+).*/\1/p'; }
  for spec in wsguard_handshake:500 tungstenite_handshake:500 \
              wsguard_stream:20 tungstenite_stream:20 fastwebsockets_stream:20; do
    case=${spec%%:*}; n=${spec##*:}
    a=$(count "$case" "$n"); b=$(count "$case" $((2 * n)))
    per=$(( (b - a) / n ))
    echo "    $case: $per instructions per operation"
    INSTR="$INSTR $case=$per"
  done
fi

INFO=$(mktemp)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC') RUSTC=$(rustc -V) GIT=$GIT BENCH_CMD=$BENCH_CMD RUNS=$RUNS ONLY=$ONLY \
CPU=$CPU CORES=$(nproc) \
LOAD_BEFORE=$LOAD_BEFORE LOAD_AFTER=$LOAD_AFTER ZA_CMD=$ZA_CMD ZA_RESULT=${ZA_RESULT:-none} ZA_MET=$ZA_MET INSTR=$INSTR \
python3 - "$INFO" <<'PY'
import json, os, re, sys
lock = open("Cargo.lock").read()
def ver(name):
    m = re.search(r'\[\[package\]\]\nname = "%s"\nversion = "([^"]+)"' % re.escape(name), lock)
    return m.group(1) if m else "?"
e = os.environ
json.dump({
    "date": e["DATE"], "rustc": e["RUSTC"], "cpu": e["CPU"], "cores": e["CORES"], "git": e["GIT"], "partial": bool(e["ONLY"]),
    "command": ("BENCH_RUNS=%s " % e["RUNS"] if e["RUNS"] != "1" else "")
               + "make bench  (= bash scripts/bench.sh → %s)" % e["BENCH_CMD"],
    "load_before": e["LOAD_BEFORE"], "load_after": e["LOAD_AFTER"],
    "peers": f"tungstenite {ver('tungstenite')}, fastwebsockets {ver('fastwebsockets')}",
    "criterion": ver("criterion"),
    "instructions": dict(kv.split("=") for kv in e["INSTR"].split()),
    "zero_alloc_command": e["ZA_CMD"], "zero_alloc_result": e["ZA_RESULT"], "zero_alloc_met": e["ZA_MET"],
}, open(sys.argv[1], "w"), ensure_ascii=False)
PY
status=0
python3 benches/report.py "$CRIT" "$REPORT" "$INFO" "$SNAPS"/run*.json || status=$?
echo "==> $REPORT updated"
# A partial run (BENCH_ONLY) misses the other targets' rows by design.
[ -n "$ONLY" ] || [ "$status" = 0 ] || exit "$status"
[ -n "$ONLY" ] || [ "$ZA_MET" = yes ]
