#!/usr/bin/env bash
# Static checks: rustfmt, clippy with warnings denied, rustdoc with warnings denied.
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
check() { local name=$1; shift; if "$@" >/tmp/wsguard-lint.$$ 2>&1; then echo "ok   $name"; pass=$((pass+1)); else cat /tmp/wsguard-lint.$$; echo "FAIL $name"; fail=$((fail+1)); fi; }
check "cargo fmt --check" cargo fmt --all -- --check
check "cargo clippy -D warnings" cargo clippy -q -p wsguard-core --features embedded-io-async --all-targets -- -D warnings
check "cargo doc -D warnings" env RUSTDOCFLAGS="-D warnings" cargo doc -q -p wsguard-core --features embedded-io-async --no-deps
rm -f /tmp/wsguard-lint.$$
echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
