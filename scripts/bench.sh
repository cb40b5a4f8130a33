#!/usr/bin/env bash
# `make bench`: the side-by-side benchmarks of wsguard-core against tungstenite and
# fastwebsockets (criterion, crate benches/ with its `peers` feature), the zero-allocation
# test in release mode, then benches/report.py rewrites the generated section of
# BENCHMARKS.md (medians, throughput, ratios, command, date, rustc, CPU).
# Not part of `make test`. Takes about 4–5 minutes on 2 cores (build included).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}
CRIT="$TARGET_DIR/criterion"
export CARGO_TERM_COLOR=never

command -v python3 >/dev/null || { echo "bench.sh: python3 is needed for the report" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
LOAD_BEFORE=$(load)

# Stale results of removed or renamed benchmarks must not reach the report.
rm -rf "$CRIT/unmask_"* "$CRIT/frame_read_"* "$CRIT/header" "$CRIT/stream" "$CRIT/handshake_"*

ZA_CMD="cargo test --release -p wsguard-bench --test zero_alloc_frames"
echo "==> $ZA_CMD"
ZA_LOG=$(mktemp); trap 'rm -f "$ZA_LOG" "${INFO:-}"' EXIT
if $ZA_CMD 2>&1 | tee "$ZA_LOG"; then ZA_MET=yes; else ZA_MET="**no**"; fi
ZA_RESULT=$(grep -E '^test result:' "$ZA_LOG" | tail -1 | sed -E 's/^test result: ([a-zA-Z]+)\. ([0-9]+) passed; ([0-9]+) failed.*/\1: \2 passed, \3 failed/')

echo "==> cargo bench -p wsguard-bench --features peers"
cargo bench -p wsguard-bench --features peers
LOAD_AFTER=$(load)

# Instructions per operation under callgrind: independent of the machine's load.
# Each case runs with N and 2N repetitions; (I(2N) - I(N)) / N cancels start-up and set-up.
INSTR=""
if command -v valgrind >/dev/null; then
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
DATE=$(date -u '+%Y-%m-%d %H:%M UTC') RUSTC=$(rustc -V) \
CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m) CORES=$(nproc) \
LOAD_BEFORE=$LOAD_BEFORE LOAD_AFTER=$LOAD_AFTER ZA_CMD=$ZA_CMD ZA_RESULT=${ZA_RESULT:-none} ZA_MET=$ZA_MET INSTR=$INSTR \
python3 - "$INFO" <<'PY'
import json, os, re, sys
lock = open("Cargo.lock").read()
def ver(name):
    m = re.search(r'\[\[package\]\]\nname = "%s"\nversion = "([^"]+)"' % re.escape(name), lock)
    return m.group(1) if m else "?"
e = os.environ
json.dump({
    "date": e["DATE"], "rustc": e["RUSTC"], "cpu": e["CPU"], "cores": e["CORES"],
    "command": "make bench  (= bash scripts/bench.sh → cargo bench -p wsguard-bench --features peers)",
    "load_before": e["LOAD_BEFORE"], "load_after": e["LOAD_AFTER"],
    "peers": f"tungstenite {ver('tungstenite')}, fastwebsockets {ver('fastwebsockets')}",
    "criterion": ver("criterion"),
    "instructions": dict(kv.split("=") for kv in e["INSTR"].split()),
    "zero_alloc_command": e["ZA_CMD"], "zero_alloc_result": e["ZA_RESULT"], "zero_alloc_met": e["ZA_MET"],
}, open(sys.argv[1], "w"), ensure_ascii=False)
PY
python3 benches/report.py "$CRIT" BENCHMARKS.md "$INFO"
echo "==> BENCHMARKS.md updated"
[ "$ZA_MET" = yes ]
