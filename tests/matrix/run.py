"""The fault matrix (issue 12): real backends and proxies on 127.0.0.1, each started once;
every cell of cells.toml is probed by every tool that applies, and each tool's diagnosis is
checked against the cell's written-down true cause.

    .venv/bin/python tests/matrix/run.py [--only SUBSTRING] [--table FILE] [--show ID]

Tools: ``probe`` (``wsguard probe --json``), ``rust`` (``wsguard::client::connect``),
``firmware`` (``wsguard_core::io::connect``), ``c`` (the C API) and ``python``
(``wsguard.ClientHandshake``). Environment: ``WSGUARD_BIN``, ``MATRIX_CLIENTS_BIN``,
``MATRIX_C_CLIENT``, ``NGINX`` (defaults under target/).

A tool passes a cell when the causes it claims (its code mapped through ``[codes]``)
contain the true cause, are all among the cell's acceptable causes, and — when the cell
says two or more causes remain — name at least two of them, unless the probe established
one by its follow-up requests (one confident guess from one answer is not honest). ``known_wrong`` entries are counted apart and listed, never as passes.
Ends on ``matrix: N passed, M failed``. Every process it started is killed on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import queue
import time
import tomllib
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
TOOLS = ("probe", "rust", "firmware", "c", "python")

_procs: List[subprocess.Popen] = []


def cleanup() -> None:
    """Kills every process group this runner started (TERM, then KILL)."""
    for p in _procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 3
    for p in _procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def remember(p: subprocess.Popen) -> None:
    """Records a started process (its own group) for cleanup here and in run.sh's trap."""
    _procs.append(p)
    pidfile = os.environ.get("MATRIX_PIDFILE")
    if pidfile:
        with open(pidfile, "a") as f:
            f.write(f"{p.pid}\n")


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name: str, argv: List[str], ready: str, *, cwd: Path = HERE,
          env: Optional[Dict[str, str]] = None, stream: str = "stdout",
          timeout: float = 30) -> Tuple[subprocess.Popen, "re.Match[str]"]:
    """Starts a server in its own process group and waits for a line matching `ready` on
    its `stream`; a thread keeps draining that stream into TMP/<name>.log."""
    log = open(TMP / f"{name}.log", "w")
    p = subprocess.Popen(
        argv, cwd=cwd, env={**os.environ, **(env or {})}, start_new_session=True, text=True,
        stdout=subprocess.PIPE if stream == "stdout" else log,
        stderr=log if stream == "stdout" else subprocess.PIPE,
    )
    remember(p)
    pipe = p.stdout if stream == "stdout" else p.stderr
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def drain() -> None:
        assert pipe is not None
        for line in pipe:
            lines.put(line)
            log.write(line)
            log.flush()
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + timeout
    seen: List[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line.rstrip())
        m = re.search(ready, line)
        if m:
            return p, m
    log.flush()
    other = (TMP / f"{name}.log").read_text()[-2000:]
    raise SystemExit(f"matrix: {name} did not start ({' '.join(argv)}):\n"
                     + "\n".join(seen[-20:]) + "\n" + other)


def need(path: Path, what: str) -> str:
    if not path.exists():
        raise SystemExit(f"matrix: {what} not found at {path} (run scripts/suites.sh matrix)")
    return str(path)


def start_stack() -> Dict[str, Any]:
    """Starts every backend and nginx; returns host:port strings and facts by name."""
    py = sys.executable
    hosts: Dict[str, Any] = {}
    _, m = start("py-servers", [py, str(HERE / "py_servers.py")], r"^READY (.*)$")
    for kv in m.group(1).split():
        k, v = kv.split("=", 1)
        hosts[k] = f"127.0.0.1:{v}" if v.isdigit() else v
    daphne = str(Path(py).parent / "daphne")
    _, m = start("daphne", [daphne, "-e", "tcp:port=0:interface=127.0.0.1", "channels_app:application"],
                 r"Listening on TCP address (127\.0\.0\.1:\d+)", stream="stderr",
                 env={"PYTHONPATH": str(HERE)})
    hosts["daphne"] = m.group(1)
    node = shutil.which("node")
    if not node or not (HERE / "node_modules" / "ws").exists():
        raise SystemExit("matrix: node or tests/matrix/node_modules/ws missing (scripts/setup.sh runs npm ci)")
    _, m = start("node", [node, str(HERE / "node_server.js")], r"^READY node=(\d+)")
    hosts["node"] = f"127.0.0.1:{m.group(1)}"
    wsguard = need(Path(os.environ.get("WSGUARD_BIN", TARGET / "debug" / "wsguard")), "wsguard binary")
    for name, extra in (("serve", []), ("serve_token", ["--token", "s3cret"])):
        _, m = start(name, [wsguard, "serve", "--listen", "127.0.0.1:0", "--allow",
                            "https://app.example.com", "-q", *extra],
                     r"listening on http://(127\.0\.0\.1:\d+)")
        hosts[name] = m.group(1)
    hosts["nothing"] = f"127.0.0.1:{free_port()}"
    hosts["nginx"] = start_nginx(hosts)
    return hosts


def start_nginx(hosts: Dict[str, Any]) -> str:
    nginx = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    need(Path(nginx), "nginx (Debian nginx-light)")
    prefix = TMP / "nginx"
    prefix.mkdir()
    port = free_port()
    locs = []
    for b in ("fastapi", "daphne", "node"):
        up = f"proxy_pass http://{hosts[b]}/;"
        locs.append(f"        location /{b}/good/ {{ {up} proxy_http_version 1.1; "
                    "proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; "
                    "proxy_set_header Host $host; }")
        locs.append(f"        location /{b}/noup/ {{ {up} }}")
        locs.append(f"        location /{b}/v11/ {{ {up} proxy_http_version 1.1; }}")
    conf = (HERE / "nginx.conf.in").read_text()
    for k, v in {"@PREFIX@": str(prefix), "@PORT@": str(port), "@LOCATIONS@": "\n".join(locs),
                 "@DOWN@": hosts["nothing"].split(":")[1],
                 "@BLACKHOLE@": hosts["blackhole"].split(":")[1]}.items():
        conf = conf.replace(k, v)
    (prefix / "nginx.conf").write_text(conf)
    p = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                          str(prefix / "error.log"), "-g", "daemon off; master_process on;"],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    remember(p)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise SystemExit(f"matrix: nginx exited: {p.stderr.read().decode() if p.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise SystemExit("matrix: nginx did not listen within 10 s")


# -- the tools -----------------------------------------------------------------------------

def tool_probe(url: str, origin: Optional[str], token: Optional[str],
               echo: Optional[str] = None) -> Dict[str, Any]:
    argv = [os.environ.get("WSGUARD_BIN", str(TARGET / "debug" / "wsguard")), "probe", "--json",
            "--timeout", "3", url]
    if echo:
        argv += ["--echo", echo]
    if origin:
        argv += ["--origin", origin]
    if token:
        argv += ["--token", token]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"code": "probe_crashed", "raw": out.stdout + out.stderr}
    f = report.get("failure")
    if not f:
        return {"code": "open", "status": 101, "report": report}
    codes = [f["code"]]
    # Differential probing may leave several causes: take them from the report when given.
    for key in ("causes", "remaining", "candidates"):
        if isinstance(f.get(key), list) and f[key]:
            codes = [c if isinstance(c, str) else c.get("code", "?") for c in f[key]]
    return {"code": f["code"], "codes": codes, "status": f.get("http_status"),
            "cause": f.get("cause", ""),
            # one cause established by follow-up requests, not guessed from one answer
            "evidence": bool(f.get("follow_ups")) and not f.get("remaining"),
            "close": f.get("close_code"), "step": f.get("step"), "report": report}


def tool_c(url: str, origin: Optional[str]) -> Dict[str, Any]:
    import wsguard

    u = wsguard.parse_ws_url(url)
    argv = [os.environ.get("MATRIX_C_CLIENT", str(TARGET / "matrix" / "c_client")),
            u.host, str(u.port_or_default), u.resource_name]
    if origin:
        argv.append(origin)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"code": "c_client_crashed", "raw": out.stdout + out.stderr}


def tool_python(url: str, origin: Optional[str]) -> Dict[str, Any]:
    """The Python binding's client handshake over a plain socket."""
    import wsguard

    u = wsguard.parse_ws_url(url)
    host = f"{u.host}:{u.port}" if u.port else u.host
    hs = wsguard.ClientHandshake(host, u.resource_name, origin=origin)
    try:
        s = socket.create_connection((u.host, u.port_or_default), timeout=3)
    except OSError:
        return {"code": "tcp_error"}
    data = b""
    try:
        s.sendall(hs.request)
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return {"code": "timeout"}
            data += chunk
            try:
                if hs.validate_response(data) is not None:
                    return {"code": "open", "status": 101}
            except wsguard.UpgradeFailed as e:
                # The body its Content-Length announces carries the server's reason.
                if chunk and e.details.get("body_end", 0) > len(data):
                    continue
                out = {"code": e.code, "status": getattr(e, "status", None), "cause": e.reason}
                if e.details.get("causes"):  # one answer: the causes that remain
                    out["codes"] = e.details["causes"]
                return out
            if not chunk:
                return {"code": "no_response"}
    finally:
        s.close()


def server_fix(url: str, origin: Optional[str]) -> Optional[str]:
    """The `fix: …` line a wsguard server puts in its refusal body, read with a raw upgrade."""
    import wsguard

    u = wsguard.parse_ws_url(url)
    head = (f"GET {u.resource_name} HTTP/1.1\r\nHost: {u.host}:{u.port_or_default}\r\n"
            + (f"Origin: {origin}\r\n" if origin else "")
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    data = b""
    with socket.create_connection((u.host, u.port_or_default), timeout=3) as s:
        s.sendall(head.encode())
        try:
            while chunk := s.recv(65536):
                data += chunk
        except socket.timeout:
            pass
    body = data.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")
    for line in body.splitlines():
        if line.startswith("fix: "):
            return line[len("fix: "):].strip()
    return None


class Clients:
    """The Rust program that runs `wsguard::client::connect` and the firmware client."""

    def __init__(self) -> None:
        exe = need(Path(os.environ.get("MATRIX_CLIENTS_BIN", TARGET / "debug" / "matrix-clients")),
                   "matrix-clients")
        self.p = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  start_new_session=True)
        remember(self.p)

    def run(self, url: str, origin: Optional[str]) -> Dict[str, Any]:
        assert self.p.stdin and self.p.stdout
        self.p.stdin.write(json.dumps({"url": url, "origin": origin}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        return json.loads(line) if line else {"rust": {"code": "crashed"}, "firmware": {"code": "crashed"}}


# -- checking -------------------------------------------------------------------------------

def claimed_causes(codes: List[str], table: Dict[str, List[str]]) -> Tuple[Set[str], List[str]]:
    causes: Set[str] = set()
    unmapped = []
    for c in codes:
        if c in table:
            causes.update(table[c])
        else:
            unmapped.append(c)
    return causes, unmapped


def judge(cell: Dict[str, Any], tool: str, got: Dict[str, Any], table: Dict[str, List[str]]) -> Tuple[bool, str]:
    """(passed, explanation) for one tool on one cell."""
    truth = cell["cause"]
    acceptable = set(cell.get("accept") or [truth])
    if tool != "probe":
        truth = cell.get("client_cause", truth)
        acceptable = set(cell.get("accept_clients") or ([truth] if "client_cause" in cell else acceptable))
    codes = got.get("codes") or [got.get("code", "?")]
    causes, unmapped = claimed_causes(codes, table)
    said = "/".join(codes) + (f" {got['status']}" if got.get("status") not in (None, 0, 101) else "")
    if got.get("close"):
        said += f" close {got['close']}"
    if unmapped:
        return False, f"{said}: code(s) {unmapped} not in [codes] of cells.toml"
    if tool == "probe" and "status" in cell and got.get("status") != cell["status"]:
        return False, f"{said}: the stack answered HTTP {got.get('status')}, cells.toml says {cell['status']}"
    if tool == "probe" and "close" in cell and got.get("close") != cell["close"]:
        return False, f"{said}: close code {got.get('close')}, cells.toml says {cell['close']}"
    if truth not in causes:
        return False, f"{said} → {sorted(causes)}: the true cause `{truth}` is not among them"
    if not causes <= acceptable:
        return False, f"{said} → {sorted(causes)}: claims {sorted(causes - acceptable)} the evidence rules out"
    if len(acceptable) > 1 and len(causes) < 2 and not got.get("evidence"):
        return False, f"{said} → {sorted(causes)}: one confident cause where {sorted(acceptable)} remain"
    if tool == "probe" and "server_fix" in got:
        shown = json.dumps(got.get("report", {}), ensure_ascii=False)
        if json.dumps(got["server_fix"], ensure_ascii=False).strip('"') not in shown:
            return False, f"{said}: the report drops the server's own fix ({got['server_fix'][:70]}…)"
    if "cause_regex" in cell and "cause" in got and not re.search(cell["cause_regex"], got["cause"]):
        return False, f"{said}: its cause sentence ({got['cause'][:80]}…) does not say /{cell['cause_regex']}/"
    return True, said


def main() -> int:
    global TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="run the cells whose id contains this")
    ap.add_argument("--table", help="also write the matrix as a Markdown table to this file")
    ap.add_argument("--show", action="append", default=[], help="print the probe's text report for this cell id")
    ap.add_argument("--record-known-wrong", action="store_true",
                    help="write today's failing verdicts into cells.toml as known_wrong (for the lead to review)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    spec = tomllib.loads((HERE / "cells.toml").read_text())
    table: Dict[str, List[str]] = spec["codes"]
    cells = [c for c in spec["cell"] if not args.only or args.only in c["id"]]
    TMP = Path(tempfile.mkdtemp(prefix="wsguard-matrix-"))
    t0 = time.monotonic()
    passed = failed = known = 0
    fixed: List[str] = []
    known_list: List[str] = []
    rows: List[Tuple[Dict[str, Any], Dict[str, str]]] = []
    wrong_today: Dict[str, Dict[str, str]] = {}
    try:
        hosts = start_stack()
        print(f"matrix: stack up in {time.monotonic() - t0:.1f} s: "
              + " ".join(f"{k}={v}" for k, v in sorted(hosts.items())), flush=True)
        clients = Clients()
        for cell in cells:
            url = cell["url"].format(**hosts)
            origin = cell.get("origin")
            tools = cell.get("tools", list(TOOLS))
            results: Dict[str, Dict[str, Any]] = {}
            if "refused:" in url:  # the server refused its configuration: nothing to connect to
                results = {t: {"code": "policy_refused_at_start"} for t in tools}
                tools = []
            if "probe" in tools:
                results["probe"] = tool_probe(url, origin, cell.get("token"), cell.get("echo"))
                if cell.get("keeps_server_fix"):
                    results["probe"]["server_fix"] = server_fix(url, origin) or "(the server sent no fix line)"
            if "rust" in tools or "firmware" in tools:
                both = clients.run(url, origin)
                for t in ("rust", "firmware"):
                    if t in tools:
                        results[t] = both[t]
            if "c" in tools:
                results["c"] = tool_c(url, origin)
            if "python" in tools:
                results["python"] = tool_python(url, origin)
            verdicts: Dict[str, str] = {}
            for tool, got in results.items():
                ok, why = judge(cell, tool, got, table)
                kw = (cell.get("known_wrong") or {}).get(tool)
                label = f"{cell['id']} [{tool}]"
                if ok:
                    passed += 1
                    verdicts[tool] = "ok"
                    if kw:
                        fixed.append(f"{label}: now right ({why}); remove its known_wrong")
                    print(f"  ok    {label}: {why}")
                elif kw:
                    known += 1
                    verdicts[tool] = "KNOWN WRONG"
                    known_list.append(f"{label}: {why}")
                    print(f"  KNOWN {label}: {why}")
                else:
                    failed += 1
                    verdicts[tool] = "FAIL"
                    wrong_today.setdefault(cell["id"], {})[tool] = why.split(" → ")[0].split(":")[0]
                    print(f"  FAIL  {label}: {why}   (url {url}, origin {origin})")
                verdicts[tool] += f": {why.split(' → ')[0].split(':')[0]}"
            rows.append((cell, verdicts))
            if cell["id"] in args.show and "probe" in results and "report" in results["probe"]:
                argv = [os.environ.get("WSGUARD_BIN", str(TARGET / "debug" / "wsguard")), "--color",
                        "never", "probe", "--timeout", "3", url]
                if origin:
                    argv += ["--origin", origin]
                text = subprocess.run(argv, capture_output=True, text=True).stdout
                print(f"--- wsguard probe {url}" + (f" --origin {origin}" if origin else "")
                      + f"   ({cell['id']})\n{text}")
    finally:
        cleanup()
        shutil.rmtree(TMP, ignore_errors=True)
    if args.table:
        write_table(args.table, rows)
    if args.record_known_wrong and wrong_today:
        record_known_wrong(wrong_today)
    for line in fixed:
        print(f"  FIXED {line}")
    if known_list:
        print(f"matrix: {known} known-wrong verdict(s), not counted as passed (known_wrong in cells.toml):")
        for line in known_list:
            print(f"    {line}")
    print(f"matrix: {len(cells)} cells in {time.monotonic() - t0:.1f} s")
    print(f"matrix: {passed} passed, {failed} failed")
    return 1 if failed else 0


def record_known_wrong(wrong: Dict[str, Dict[str, str]]) -> None:
    """Adds `known_wrong = { tool = "what it says" }` to each failing cell of cells.toml
    (merged with an existing entry), right after the cell's `cause` line."""
    path = HERE / "cells.toml"
    lines = path.read_text().splitlines()
    out: List[str] = []
    cell_id: Optional[str] = None
    for line in lines:
        m = re.match(r'^id = "([^"]+)"', line)
        if m:
            cell_id = m.group(1)
        if line.startswith("known_wrong = ") and cell_id in wrong:
            old = tomllib.loads(line)["known_wrong"]
            wrong[cell_id] = {**old, **wrong[cell_id]}
            continue
        out.append(line)
        if line.startswith("cause = ") and cell_id in wrong:
            kw = wrong[cell_id]
            items = ", ".join(f"{t} = {json.dumps(kw[t])}" for t in TOOLS if t in kw)
            out.append(f"known_wrong = {{ {items} }}")
    path.write_text("\n".join(out) + "\n")
    print(f"matrix: recorded known_wrong for {len(wrong)} cell(s) in {path}")


def write_table(path: str, rows: List[Tuple[Dict[str, Any], Dict[str, str]]]) -> None:
    out = ["| cell | row | column | fault | true cause | " + " | ".join(TOOLS) + " |",
           "|---|---|---|---|---|" + "---|" * len(TOOLS)]
    for cell, v in rows:
        out.append(f"| {cell['id']} | {cell['row']} | {cell['column']} | {cell['fault']} | "
                   f"{cell['cause']} | " + " | ".join(v.get(t, "–") for t in TOOLS) + " |")
    Path(path).write_text("\n".join(out) + "\n")


TMP = Path(tempfile.gettempdir())

if __name__ == "__main__":
    sys.exit(main())
