#!/usr/bin/env bash
# Installs what `make wheel` ships into fresh venvs, as a Python user without Rust would:
#   1. builds the x86_64 wheels (scripts/wheel.sh x86_64: manylinux2014 via zig, checked
#      by `auditwheel show`; cached in target/ after the first run);
#   2. a fresh venv on a PATH without cargo/rustc: `pip install --no-index` the wsguard
#      wheel, run the Quick start of bindings/python/README.md and compare every printed
#      line with its `# expected` comment; `python -m wsguard` without the CLI says how to
#      get it;
#   3. `pip install 'wsguard[cli]'`: the `wsguard` command and `python -m wsguard` answer
#      explain/lint/check-origin and list every subcommand.
# Prints `python-wheel: N passed, M failed` (scripts/suites.d/wheel.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DIST="$TARGET_DIR/wheel-test-dist"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0
ok()  { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1" >&2; failed=$((failed + 1)); }
finish() { echo "python-wheel: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

rm -rf "$DIST"
if WSGUARD_DIST="$DIST" WSGUARD_SDIST=0 bash scripts/wheel.sh x86_64 >"$TMP/build.log" 2>&1; then
  ok "make wheel (x86_64): $(grep -c 'manylinux_2_17_x86_64$' "$TMP/build.log") wheels tagged manylinux_2_17_x86_64 by auditwheel"
else cat "$TMP/build.log" >&2; bad "build the x86_64 wheels"; finish; fi
LIB=$(ls "$DIST"/wsguard-*-cp310-abi3-*manylinux_2_17_x86_64.whl 2>/dev/null | head -1)
CLI=$(ls "$DIST"/wsguard_cli-*-py3-none-*manylinux_2_17_x86_64.whl 2>/dev/null | head -1)
if [ -n "$LIB" ] && [ -n "$CLI" ]; then ok "wheel names: $(basename "$LIB"), $(basename "$CLI")"
else ls "$DIST" >&2; bad "wheel names (cp310-abi3 / py3-none, manylinux_2_17_x86_64)"; finish; fi

# A user's shell: the venv and the system, no ~/.cargo/bin.
VENV="$TMP/venv"
/usr/bin/python3 -m venv "$VENV" || { bad "python3 -m venv"; finish; }
export PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin"
unset CARGO_HOME RUSTUP_HOME
if ! command -v cargo >/dev/null && ! command -v rustc >/dev/null; then ok "no cargo/rustc on PATH"
else bad "cargo or rustc still on PATH ($(command -v cargo rustc))"; fi
cd "$TMP"   # not the checkout: nothing importable from the source tree
if pip install -q --no-index --find-links "$DIST" wsguard >"$TMP/pip.log" 2>&1; then ok "pip install --no-index --find-links dist wsguard"
else cat "$TMP/pip.log" >&2; bad "pip install wsguard"; finish; fi

# The README's Quick start, verbatim; each `print(...)   # expected` line gives one line.
sed -n '/^## Quick start/,/^## /p' "$ROOT/bindings/python/README.md" \
  | sed -n '/^```python/,/^```$/p' | sed '1d;$d' >"$TMP/quickstart.py"
grep -E '^print\(' "$TMP/quickstart.py" | sed -E 's/.*#[[:space:]]*//' >"$TMP/expected.txt"
if [ -s "$TMP/expected.txt" ] && python "$TMP/quickstart.py" >"$TMP/got.txt" 2>&1 && diff -u "$TMP/expected.txt" "$TMP/got.txt"; then
  ok "README Quick start prints what its comments say ($(wc -l <"$TMP/expected.txt") lines)"
else cat "$TMP/quickstart.py" "$TMP/got.txt" >&2; bad "README Quick start"; fi

python -m wsguard explain 1006 >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" -eq 2 ] && grep -q "pip install 'wsguard\[cli\]'" "$TMP/err"; then ok "python -m wsguard without the CLI: exit 2, says pip install 'wsguard[cli]'"
else cat "$TMP/out" "$TMP/err" >&2; bad "python -m wsguard without the CLI (rc=$rc)"; fi

if pip install -q --no-index --find-links "$DIST" 'wsguard[cli]' >"$TMP/pip.log" 2>&1 && [ -x "$VENV/bin/wsguard" ]; then
  ok "pip install 'wsguard[cli]' puts wsguard in the venv's bin/"
else cat "$TMP/pip.log" >&2; bad "pip install 'wsguard[cli]'"; finish; fi
if wsguard explain 1006 >"$TMP/explain.txt" 2>&1 && grep -q "1006" "$TMP/explain.txt" && grep -qi "abnormal" "$TMP/explain.txt"; then
  ok "wsguard explain 1006"; else cat "$TMP/explain.txt" >&2; bad "wsguard explain 1006"; fi
if python -m wsguard explain 1006 >"$TMP/explain2.txt" 2>&1 && cmp -s "$TMP/explain.txt" "$TMP/explain2.txt"; then
  ok "python -m wsguard explain 1006 = wsguard explain 1006"; else cat "$TMP/explain2.txt" >&2; bad "python -m wsguard explain"; fi
wsguard check-origin --allow https://app.example.com https://evil.example.com >"$TMP/co.txt" 2>&1; rc=$?
if [ "$rc" -ne 0 ] && grep -q "origin_host" "$TMP/co.txt"; then ok "wsguard check-origin refuses with origin_host (exit $rc)"
else cat "$TMP/co.txt" >&2; bad "wsguard check-origin (rc=$rc)"; fi
wsguard --help >"$TMP/help.txt" 2>&1
missing=""; for sub in probe explain lint check-origin serve; do grep -qw -- "$sub" "$TMP/help.txt" || missing="$missing $sub"; done
if [ -z "$missing" ]; then ok "wsguard --help lists probe explain lint check-origin serve"; else cat "$TMP/help.txt" >&2; bad "wsguard --help lacks:$missing"; fi
finish
