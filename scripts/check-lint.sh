#!/usr/bin/env bash
# Static checks: rustfmt, clippy with warnings denied, rustdoc with warnings denied.
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
check() { local name=$1; shift; if "$@" >/tmp/wsguard-lint.$$ 2>&1; then echo "ok   $name"; pass=$((pass+1)); else cat /tmp/wsguard-lint.$$; echo "FAIL $name"; fail=$((fail+1)); fi; }
check "cargo fmt --check" cargo fmt --all -- --check
check "cargo clippy -D warnings (core)" cargo clippy -q -p wsguard-core --features embedded-io-async --all-targets -- -D warnings
check "cargo clippy -D warnings (std, cli, bindings)" cargo clippy -q -p wsguard --features tokio -p wsguard-metrics -p wsguard-cli -p wsguard-c -p wsguard-python -p wsguard-js -p wsguard-simd --all-targets -- -D warnings
check "cargo clippy -D warnings (cli --features simd)" cargo clippy -q -p wsguard-cli --features simd -- -D warnings
check "cargo clippy -D warnings (benches)" cargo clippy -q -p wsguard-bench --all-targets -- -D warnings
check "cargo doc -D warnings (core)" env RUSTDOCFLAGS="-D warnings" cargo doc -q -p wsguard-core --features embedded-io-async --no-deps
# One crate per rustdoc run: the C binding's library is also named `wsguard`.
for crate in "wsguard --features tokio" wsguard-metrics wsguard-cli wsguard-c wsguard-python wsguard-js wsguard-simd wsguard-bench; do
  check "cargo doc -D warnings (${crate%% *})" env RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p $crate
done
rm -f /tmp/wsguard-lint.$$
echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
