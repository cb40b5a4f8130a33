#!/usr/bin/env bash
# Checks the operator files (suite `ops`, scripts/suites.d/ops.sh):
#   1. promtool check rules: the alert rules parse and are valid;
#   2. promtool test rules: each alert fires on the series that should trigger it, with its
#      exact labels and text, and stays silent on healthy traffic;
#   3. the Grafana dashboard: valid JSON, every panel has a query, every query is valid
#      PromQL (promtool, as recording rules) and names only metrics `wsguard serve` exports
#      (names read from crates/wsguard-metrics/src/lib.rs and crates/wsguard-cli/src/serve/);
#   4. the Python guard (ops/python_exposition.py): a real uvicorn app behind
#      wsguard.asgi.WebSocketGuard scraped over HTTP before and after known traffic —
#      `promtool check metrics`, exact counter values, serve's families and types, and
#      `promtool test rules` over its real series. Builds this tree's wheel with maturin
#      into the project venv (.venv from scripts/setup.sh); with CI=true a missing venv fails.
# Prints `ops: N passed, M failed`. promtool comes from the Debian package `prometheus`.
set -uo pipefail
cd "$(dirname "$0")/.."
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0
ok()  { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1" >&2; failed=$((failed + 1)); }
if ! command -v promtool >/dev/null; then
  bad "promtool not found: run 'make setup' (Debian package prometheus)"
  echo "ops: $passed passed, $failed failed"; exit 1
fi
if promtool check rules ops/prometheus/wsguard-alerts.yml >"$TMP/check.log" 2>&1; then ok "promtool check rules ($(grep -o '[0-9]* rules found' "$TMP/check.log"))"
else cat "$TMP/check.log" >&2; bad "promtool check rules"; fi
if promtool test rules ops/prometheus/wsguard-alerts.test.yml >"$TMP/test.log" 2>&1; then ok "promtool test rules (every alert fires on its case, not on healthy traffic)"
else cat "$TMP/test.log" >&2; bad "promtool test rules"; fi

grep -rhoE '"wsguard_[a-z_]+' crates/wsguard-metrics/src/lib.rs crates/wsguard-cli/src/serve/ | tr -d '"' | sort -u >"$TMP/exported.txt"
python3 - "$TMP" <<'PY' >"$TMP/dash.log" 2>&1
import json, re, sys
tmp = sys.argv[1]
exported = set(open(f"{tmp}/exported.txt").read().split())
d = json.load(open("ops/grafana/wsguard-dashboard.json"))
exprs = []
for p in d["panels"]:
    targets = p.get("targets") or []
    assert targets, f"panel {p['title']!r} has no query"
    exprs += [t["expr"] for t in targets]
unknown = sorted({m for e in exprs for m in re.findall(r"\bwsguard_[a-z_]+\b", e)} - exported)
assert not unknown, f"metrics not exported by wsguard serve: {unknown}"
with open(f"{tmp}/dash-rules.yml", "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
        f.write(f"      - record: dashboard:q{i}\n        expr: {json.dumps(e)}\n")
print(f"{len(d['panels'])} panels, {len(exprs)} queries over {len(exported)} exported metrics")
PY
if [ $? -eq 0 ]; then ok "dashboard JSON: $(tail -1 "$TMP/dash.log")"; else cat "$TMP/dash.log" >&2; bad "dashboard JSON"; fi
if [ -f "$TMP/dash-rules.yml" ] && promtool check rules "$TMP/dash-rules.yml" >"$TMP/dq.log" 2>&1; then ok "every dashboard query is valid PromQL (promtool)"
else cat "$TMP/dq.log" >&2 2>/dev/null; bad "dashboard queries"; fi

# 4. The Python guard's real exposition, from this tree's package (built and installed
#    into the venv as the python and matrix suites do).
VENV=${WSGUARD_VENV:-$PWD/.venv}
PY=$VENV/bin/python
if [ -x "$PY" ] && [ -x "$VENV/bin/maturin" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
  if (cd bindings/python && "$VENV/bin/maturin" build --release --quiet -i "$PY" --out "$TMP/wheel") >"$TMP/build.log" 2>&1 \
     && "$PY" -m pip install --quiet --force-reinstall --no-deps "$TMP"/wheel/wsguard-*.whl >>"$TMP/build.log" 2>&1; then
    ok "python guard: wsguard wheel built from this tree and installed"
  else
    cat "$TMP/build.log" >&2; bad "python guard: maturin build / pip install"
  fi
fi
if [ -x "$PY" ] && "$PY" -c 'import wsguard.asgi, uvicorn, yaml, websockets' 2>/dev/null; then
  "$PY" ops/python_exposition.py "$TMP" >"$TMP/py.log" 2>"$TMP/py.err"; rc=$?
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) ok "python guard: ${line#ok   }" ;;
    esac
  done <"$TMP/py.log"
  n_fail=$(grep -c '^FAIL' "$TMP/py.err" || true)
  if [ "$n_fail" -gt 0 ] || [ "$rc" -ne 0 ]; then
    cat "$TMP/py.err" >&2
    failed=$((failed + (n_fail > 0 ? n_fail : 1)))
  fi
elif [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; then
  bad "python guard exposition: $PY cannot import wsguard.asgi/uvicorn/yaml/websockets (run scripts/setup.sh and the python suite)"
else
  echo "skip python guard exposition: $PY cannot import wsguard (run scripts/setup.sh; CI=true makes this a failure)"
fi
echo "ops: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
