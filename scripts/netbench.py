#!/usr/bin/env python3
"""Network benchmarks of `wsguard serve` beside tokio-tungstenite and Node `ws` (issue 17).

    python3 scripts/netbench.py accept [--count 20000] [--concurrency 64] [--rounds 5]
    python3 scripts/netbench.py idle   [--count 19000] [--hold 30] [--ping 10] [--rounds 1]

Common options: --servers wsguard,tokio,node (default all three), --no-build,
--serve PATH (the wsguard binary, default target/release/wsguard),
--tokio-cmd "PATH [ARGS]" (default: target/release/examples/tokio_echo plain 127.0.0.1:0),
--json FILE (every round's raw result).

* ``accept`` (item 5, the full accept path): after --warmup connections (not counted;
  default COUNT/20, at least 50) on each fresh server, the client opens COUNT connections on
  127.0.0.1 with at most CONCURRENCY in flight; each: TCP connect, upgrade (latency =
  connect start -> 101 validated by the client), Close 1000, the server's Close and TCP
  close. Reports handshakes/s (completed connections / wall time) and p50/p99 latency.
* ``idle`` (item 3): server VmRSS (/proc/PID/status) after a 20-connection warm-up ("at
  0"), then COUNT idle connections, each pinging every PING s (staggered) and answering
  the server's pings; VmRSS at N; one more client echoes 32-byte messages for HOLD s
  meanwhile (its latency is reported); then all close with 1000. RSS per connection =
  (RSS at N - RSS at 0) / connections held. Client sockets are spread over 127.0.0.1 …
  127.0.0.SOURCES (--sources, default 4) so ephemeral ports do not run short.

The client is crates/wsguard-cli/examples/netbench.rs (wsguard-core's handshake and
codec), a separate process, so neither its sockets nor its memory count for the server;
the per-process descriptor limit (20,000 here) applies to each side separately. The
servers alternate: round r starts with the (r mod 3)-th server. Every client run has a
deadline (its own, plus a kill after --timeout s); servers are killed at the end. A run
whose client reports an error is shown with its error count, never silently dropped.

Servers: ``wsguard`` = target/release/wsguard serve (multi-threaded tokio runtime; where
serve has peer limits, --max-connections and --max-per-address are set to COUNT + 64);
``tokio`` = tokio-tungstenite's README server with an echo (crates/wsguard/examples/
tokio_echo.rs ``plain``, current-thread runtime); ``node`` = tests/matrix/node_server.js
(ws pinned by tests/matrix/package-lock.json, one thread). Clock figures need a quiet
machine; the header prints the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RELEASE = os.path.join(TARGET, "release")
CLIENT = os.path.join(RELEASE, "examples", "netbench")
READY = re.compile(r"listening on (?:http://)?(127\.0\.0\.1:\d+)|READY node=(\d+)")
NAMES = {"wsguard": "`wsguard serve`", "tokio": "tokio-tungstenite", "node": "Node `ws`"}


def header() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=8", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · git {rev or '?'}{' (modified)' if dirty else ''} · "
            f"{cpu}, {os.cpu_count()} logical cores · load average {load()}")


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def build(servers: List[str], tokio_cmd: Optional[str]) -> None:
    cargo = ["cargo", "build", "--release", "-q"]
    subprocess.run(cargo + ["-p", "wsguard-cli", "--bin", "wsguard", "--example", "netbench"], cwd=ROOT, check=True)
    if "tokio" in servers and tokio_cmd is None:
        r = subprocess.run(cargo + ["-p", "wsguard", "--features", "tokio", "--example", "tokio_echo"], cwd=ROOT)
        if r.returncode:
            sys.exit("netbench: cannot build the tokio-tungstenite peer (crates/wsguard/examples/tokio_echo.rs); "
                     "pass --tokio-cmd or leave tokio out of --servers")
    if "node" in servers and not os.path.isdir(os.path.join(ROOT, "tests/matrix/node_modules/ws")):
        sys.exit("netbench: tests/matrix/node_modules/ws is missing: run `bash scripts/setup.sh`")


def server_cmd(name: str, args: argparse.Namespace) -> List[str]:
    if name == "wsguard":
        cmd = [args.serve or os.path.join(RELEASE, "wsguard"), "serve", "--listen", "127.0.0.1:0", "--path", "/ws",
               "--allow", "https://app.example.com", "--quiet"]
        if args.mode == "idle":  # serve's own heartbeat on, at the client's period
            cmd += ["--ping-interval", str(args.ping), "--pong-timeout", str(max(5.0, args.ping))]
        # A serve with peer limits (10,000 connections, 256 per address by default) would
        # refuse the benchmark's own connections: raise them above COUNT where they exist.
        helptext = subprocess.run(cmd[:2] + ["--help"], capture_output=True, text=True).stdout
        for flag in ("--max-connections", "--max-per-address"):
            if flag in helptext:
                cmd += [flag, str(args.count + 64)]
        return cmd
    if name == "tokio":
        if args.tokio_cmd:
            return shlex.split(args.tokio_cmd)
        return [os.path.join(RELEASE, "examples", "tokio_echo"), "plain", "127.0.0.1:0"]
    return ["node", os.path.join(ROOT, "tests/matrix/node_server.js")]


class Server:
    """A server process on a free loopback port; killed on exit."""

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        self.name = name
        self.proc = subprocess.Popen(server_cmd(name, args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, cwd=ROOT, preexec_fn=raise_nofile)
        self.addr = ""

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 30
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = READY.search(line)
            if m:
                self.addr = m.group(1) or f"127.0.0.1:{m.group(2)}"
                return self
        self.__exit__()
        raise RuntimeError(f"{self.name} did not print its address")

    def __exit__(self, *exc: Any) -> None:
        self.proc.kill()
        self.proc.wait(10)


def raise_nofile() -> None:
    """Soft descriptor limit up to the hard one (20,000 here: it cannot go higher)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def client(args: argparse.Namespace, srv: Server, count: int) -> Dict[str, Any]:
    if args.mode == "accept":
        argv = [CLIENT, "accept", srv.addr, str(count), str(args.concurrency), str(args.deadline), str(args.sources)]
    else:
        argv = [CLIENT, "idle", srv.addr, str(count), str(args.concurrency), str(args.hold), str(args.ping),
                str(srv.proc.pid), str(args.sources)]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=args.timeout, preexec_fn=raise_nofile)
    except subprocess.TimeoutExpired:
        return {"errors": -1, "first_errors": [f"client killed after {args.timeout} s"]}
    try:
        return dict(json.loads(r.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"errors": -1, "first_errors": [f"client exit {r.returncode}: {r.stderr.strip()[-300:]}"]}


def spread(xs: List[float], fmt: str = "{:,.0f}", unit: str = "") -> str:
    if not xs:
        return "—"
    med = fmt.format(statistics.median(xs)) + unit
    return med if len(xs) == 1 else f"{med} [{fmt.format(min(xs))}–{fmt.format(max(xs))}]"


def num(v: Any, fmt: str = "{:.2f}") -> str:
    return "—" if v is None else fmt.format(v)


def table(args: argparse.Namespace, runs: Dict[str, List[Dict[str, Any]]]) -> List[str]:
    med = statistics.median
    out = []
    if args.mode == "accept":
        out.append("| server | handshakes/s, median [min–max] | ÷ `wsguard serve` | p50 ms | p99 ms | errors |")
        out.append("|---|---:|---:|---:|---:|---:|")
        base = [r.get("handshakes_per_sec", 0.0) for r in runs.get("wsguard", [])]
        for name, rs in runs.items():
            rates = [r.get("handshakes_per_sec", 0.0) for r in rs]
            ratio = spread([a / b for a, b in zip(rates, base) if b], "{:.2f}", "×") if base else "—"
            p50 = [r["latency"]["p50_ms"] for r in rs if r.get("latency", {}).get("p50_ms") is not None]
            p99 = [r["latency"]["p99_ms"] for r in rs if r.get("latency", {}).get("p99_ms") is not None]
            errs = sum(abs(r.get("errors", 0)) for r in rs)
            out.append(f"| {NAMES[name]} | {spread(rates)} | {ratio} | {num(med(p50) if p50 else None)} "
                       f"| {num(med(p99) if p99 else None)} | {errs} |")
    else:
        out.append("| server | held / requested | RSS at 0 KiB | RSS at N KiB | RSS per idle connection, bytes | "
                   "echo p50 / p99 / max ms (active client) | client pings / pongs | server pings answered | clean closes | errors |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, rs in runs.items():
            per = [r["rss_per_connection_bytes"] for r in rs if r.get("rss_per_connection_bytes") is not None]
            last = rs[-1] if rs else {}
            rss = last.get("rss_kib", {})
            e = last.get("echo", {})
            out.append(
                f"| {NAMES[name]} | {last.get('held', '—')} / {last.get('requested', '—')} | {rss.get('at_0', '—')} "
                f"| {rss.get('at_n', '—')} | {spread(per)} | {num(e.get('p50_ms'))} / {num(e.get('p99_ms'))} / "
                f"{num(e.get('max_ms'))} | {last.get('pings_sent', '—')} / {last.get('pongs_received', '—')} "
                f"| {last.get('server_pings_answered', '—')} | {last.get('clean_closes', '—')} "
                f"| {sum(abs(r.get('errors', 0)) for r in rs)} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["accept", "idle"])
    ap.add_argument("--count", type=int)
    ap.add_argument("--concurrency", type=int)
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--warmup", type=int, help="accept: connections before each measured run (default count/20, ≥ 50)")
    ap.add_argument("--deadline", type=float, default=120.0, help="accept: the client's own deadline per run, s")
    ap.add_argument("--hold", type=float, default=30.0, help="idle: seconds the active client echoes")
    ap.add_argument("--ping", type=float, default=10.0, help="idle: heartbeat period, s")
    ap.add_argument("--sources", type=int, help="bind client sockets to 127.0.0.1..SOURCES (0: no bind)")
    ap.add_argument("--servers", default="wsguard,tokio,node")
    ap.add_argument("--tokio-cmd")
    ap.add_argument("--serve", help="the wsguard binary to run (default target/release/wsguard), e.g. another branch's")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    accept = args.mode == "accept"
    args.count = args.count or (20000 if accept else 19000)
    args.concurrency = args.concurrency or (64 if accept else 256)
    args.rounds = args.rounds or (5 if accept else 1)
    args.warmup = max(50, args.count // 20) if args.warmup is None else args.warmup
    args.sources = (0 if accept else 4) if args.sources is None else args.sources
    args.timeout = args.deadline + 60 if accept else args.hold + 420
    servers = [s for s in args.servers.split(",") if s]
    bad = [s for s in servers if s not in NAMES]
    if bad:
        ap.error(f"unknown server(s) {bad}: choose from {list(NAMES)}")
    if not args.no_build:
        build(servers, args.tokio_cmd)
    head = header()
    runs: Dict[str, List[Dict[str, Any]]] = {s: [] for s in servers}
    for r in range(args.rounds):
        order = servers[r % len(servers):] + servers[:r % len(servers)]
        for name in order:
            with Server(name, args) as srv:
                if accept:  # warm-up (JIT, allocator, accept queue), not counted
                    client(args, srv, args.warmup)
                res = client(args, srv, args.count)
            res["server"], res["round"] = name, r
            runs[name].append(res)
            print(f"[netbench] round {r + 1}/{args.rounds} {name}: " + json.dumps(
                {k: res.get(k) for k in ("handshakes_per_sec", "held", "rss_per_connection_bytes", "errors", "first_errors")}),
                file=sys.stderr)
    if accept:
        what = (f"{args.count:,} connections × {args.rounds} rounds, {args.concurrency} in flight, "
                f"each: connect → 101 → Close 1000 → TCP close; medians of the rounds [min–max]")
    else:
        what = (f"{args.count:,} idle connections (heartbeat every {args.ping:g} s, client sockets over "
                f"{max(args.sources, 1)} loopback address(es)), active client echoing for {args.hold:g} s; "
                f"{args.rounds} round(s)")
    print(f"Run: {head} → {load()} after")
    print(f"Command: `python3 scripts/netbench.py {' '.join(sys.argv[1:])}` — {what}\n")
    print("\n".join(table(args, runs)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"header": head, "args": vars(args), "runs": runs}, f, indent=1)
    return 0 if all(r.get("errors") == 0 for rs in runs.values() for r in rs) else 1


if __name__ == "__main__":
    sys.exit(main())
