#!/usr/bin/env bash
# Builds wsguard-core for bare-metal targets with every feature combination.
# A host build with --no-default-features cannot catch a dependency that pulls in std;
# a thumbv6m build can. Prints one `N passed, M failed` line.
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
TARGETS=${NOSTD_TARGETS:-"thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf"}
FEATURES=${NOSTD_FEATURES:-"none defmt embedded-io-async defmt,embedded-io-async"}
for t in $TARGETS; do
  for f in $FEATURES; do
    if [ "$f" = none ]; then args=(--no-default-features); else args=(--no-default-features --features "$f"); fi
    if cargo build -q -p wsguard-core "${args[@]}" --target "$t" 2>&1; then
      echo "ok   wsguard-core --target $t features=$f"; pass=$((pass+1))
    else
      echo "FAIL wsguard-core --target $t features=$f"; fail=$((fail+1))
    fi
  done
done
echo "nostd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
