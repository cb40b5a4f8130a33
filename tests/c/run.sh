#!/usr/bin/env bash
# The C API test suite (registered as `c` in scripts/suites.d/c.sh):
#   0. cargo test -p wsguard-c (Rust unit tests of the binding)
#   1. build libwsguard.a/.so (release)      5. C tests under valgrind
#   2. header drift check (cbindgen 0.29.4)  6. C tests with -fsanitize=address,undefined
#   3. C tests (gcc -std=c99, -Werror)       7. make install PREFIX=tmp + pkg-config build
#   4. C++ tests (g++ -std=c++17)            8. example gateway against Python websockets
# Step 3 includes test_contract.c: every output buffer at every short length (canary), and
# test_connection.c: a whole server session on the connection handle, from C.
# test_plan.c: the client diagnosis and the differential plan (wsguard_client_plan).
# Every step prints its own `label: N passed, M failed` line; a step that cannot run is a
# failure (never a silent skip). Usage: tests/c/run.sh [step ...]  (default: all)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LIBDIR="$TARGET_DIR/release"
OUT="$TARGET_DIR/c-tests"; mkdir -p "$OUT"
# Native libraries a Rust staticlib needs (rustc --print native-static-libs).
NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
CWARN="-Wall -Wextra -Wpedantic -Werror"
STEPS=${*:-"rust build header c cpp valgrind asan install gateway"}
step_failed=0

fail_step() { echo "$1: 0 passed, 1 failed"; echo "  ($2)" >&2; step_failed=1; }
plain_ok() { echo "$1: 1 passed, 0 failed"; }

need() {  # need CMD LABEL
  command -v "$1" >/dev/null || { fail_step "$2" "$1 not found: run 'make setup'"; return 1; }
}

step_rust() {  # the binding's own Rust unit tests, summed into one plain line
  local log="$OUT/rust-unit.log" p f
  cargo test -q -p wsguard-c >"$log" 2>&1; local rc=$?
  p=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\2/' | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; cat "$log" >&2; fi
  [ "$f" -ne 0 ] && { grep -E '^(---- |thread |FAIL|failures)' "$log" >&2; step_failed=1; }
  echo "c-rust-unit: $p passed, $f failed"
}
step_build() {
  if cargo build -q -p wsguard-c --release; then plain_ok c-build; else fail_step c-build "cargo build failed"; fi
}
step_header() {
  if bash bindings/c/gen-header.sh --check; then plain_ok c-header-drift; else fail_step c-header-drift "header drift"; fi
}

cjson_flags() { pkg-config --cflags --libs libcjson 2>/dev/null || echo "-I/usr/include/cjson -lcjson"; }

build_c() {  # build_c OUTPUT EXTRA_FLAGS...
  local out=$1; shift
  gcc -std=c99 $CWARN -g -I include -I tests/c "$@" -o "$out" tests/c/test_api.c \
      "$LIBDIR/libwsguard.a" $NATIVE_LIBS \
    && gcc -std=c99 $CWARN -g -I include -I tests/c "$@" -o "$out-vectors" tests/c/test_vectors.c \
      "$LIBDIR/libwsguard.a" $(cjson_flags) $NATIVE_LIBS \
    && gcc -std=c99 $CWARN -g -I include -I tests/c "$@" -o "$out-contract" tests/c/test_contract.c \
      "$LIBDIR/libwsguard.a" $NATIVE_LIBS \
    && gcc -std=c99 $CWARN -g -I include -I tests/c "$@" -o "$out-connection" tests/c/test_connection.c \
      "$LIBDIR/libwsguard.a" $NATIVE_LIBS \
    && gcc -std=c99 $CWARN -g -I include -I tests/c "$@" -o "$out-plan" tests/c/test_plan.c \
      "$LIBDIR/libwsguard.a" $NATIVE_LIBS
}

run_bins() {  # run_bins PREFIX-CMD... -- BIN...
  local pre=() ; while [ "$1" != "--" ]; do pre+=("$1"); shift; done; shift
  local rc=0 b
  for b in "$@"; do "${pre[@]}" "$b" tests/vectors || rc=1; done
  return $rc
}

step_c() {
  need gcc c-compile || return
  if build_c "$OUT/test_api"; then
    run_bins env -- "$OUT/test_api" "$OUT/test_api-vectors" "$OUT/test_api-contract" \
      "$OUT/test_api-connection" \
      "$OUT/test_api-plan" || step_failed=1
  else fail_step c-compile "gcc failed"; fi
}
step_cpp() {
  need g++ cpp-compile || return
  if g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -g -I include -I tests/c -o "$OUT/test_cpp" \
       tests/c/test_cpp.cpp "$LIBDIR/libwsguard.a" $NATIVE_LIBS \
     && g++ -std=c++17 -Wall -Wextra -Werror -g -I include -I tests/c -x c++ -o "$OUT/test_vectors_cpp" \
       tests/c/test_vectors.c -x none "$LIBDIR/libwsguard.a" $(cjson_flags) $NATIVE_LIBS; then
    run_bins env -- "$OUT/test_cpp" "$OUT/test_vectors_cpp" || step_failed=1
  else fail_step cpp-compile "g++ failed"; fi
}
step_valgrind() {
  need valgrind valgrind || return
  echo "== valgrind run"
  [ -x "$OUT/test_api-connection" ] || build_c "$OUT/test_api" || { fail_step valgrind "build failed"; return; }
  run_bins valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -- \
    "$OUT/test_api" "$OUT/test_api-vectors" "$OUT/test_api-contract" "$OUT/test_api-connection" \
      "$OUT/test_api-plan" || step_failed=1
}
step_asan() {
  echo "== ASan/UBSan run"
  if build_c "$OUT/asan_api" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      run_bins env -- "$OUT/asan_api" "$OUT/asan_api-vectors" "$OUT/asan_api-contract" \
        "$OUT/asan_api-connection" \
      "$OUT/asan_api-plan" || step_failed=1
  else fail_step asan-compile "gcc -fsanitize failed"; fi
}
step_install() {
  need pkg-config pkg-config-install || return
  if bash tests/c/install-test.sh; then :; else step_failed=1; fi
}
step_gateway() {
  if bash examples/c-gateway/test.sh; then :; else step_failed=1; fi
}

for s in $STEPS; do "step_$s"; done
exit $step_failed
