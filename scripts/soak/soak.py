#!/usr/bin/env python3
"""Adversarial soak of WebSocket servers on 127.0.0.1 (issue #18), wsguard beside its peers.

    soak.py --scale smoke|full [--targets serve,tokio-guarded,tokio-plain,node,uvicorn] [--json FILE]

Every attack runs against every target in the same run while a well-behaved client (from
127.0.0.2, so per-address limits do not count it with the attackers) connects and echoes
throughout: connect time, echo p50/p99, messages lost. Results are counts and memory (load-
robust); times are reported, never judged. Checks (exact, not timing) apply to the wsguard
targets and print `soak: N passed, M failed`; peers' results are recorded side by side.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
import logging

# A peer that resets while we write is an expected result here, not noise.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

sys.path.insert(0, os.path.dirname(__file__))
import wsraw  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCALES = {
    # name: (flood connections, unfinished messages, non-readers, ping count, attack seconds)
    "smoke": dict(flood=120, unfinished=24, nonreaders=6, pings=2000, resets=50, slow=20, seconds=1.5, fd_limit=200, handshake=2,
                  targets="serve,tokio-guarded,uvicorn", asgi_attacks=["injected_log_text"]),
    "full": dict(flood=3000, unfinished=400, nonreaders=100, pings=10000, resets=500, slow=300, seconds=15.0, fd_limit=1024, handshake=10,
                 targets="serve,tokio-guarded,tokio-plain,node,uvicorn", asgi_attacks=None),
}
PER_ADDRESS = 64          # wsguard targets' --max-per-address in the soak
BUDGET = 8 << 20          # serve's --message-budget in the soak
MIB = 1 << 20


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


class Target:
    def __init__(self, name: str, cmd: list[str], ready: str, wsguard: bool, env: dict | None = None, fd_limit: int | None = None):
        self.name, self.cmd, self.ready, self.wsguard = name, cmd, ready, wsguard
        self.env, self.fd_limit = env, fd_limit
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.errlog = ""

    def start(self) -> None:
        cmd = self.cmd
        if self.fd_limit:
            cmd = ["bash", "-c", f"ulimit -n {self.fd_limit}; exec \"$@\"", "soak"] + cmd
        self.errlog = os.path.join(WORK, f"{self.name}{'-fd' if self.fd_limit else ''}.err")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(self.errlog, "wb"),
                                     env={**os.environ, **(self.env or {})}, cwd=ROOT, text=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(self.ready, line)
            if m:
                self.port = int(m.group(1))
                return
        raise RuntimeError(f"{self.name} did not start: {open(self.errlog).read()[-2000:]}")

    @property
    def pid(self) -> int:
        # `bash -c exec` keeps the pid.
        return self.proc.pid if self.proc else 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> bytes:
        try:
            with open(self.errlog, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def metrics(self) -> str:
        if self.name != "serve":
            return ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as r:
                return r.read().decode()
        except OSError:
            return ""


def targets(scale: dict, names: list[str], fd: bool = False) -> list[Target]:
    wsguard_bin = os.environ.get("SOAK_WSGUARD_BIN") or os.path.join(ROOT, "target", "debug", "wsguard")
    echo_bin = os.path.join(ROOT, "target", "debug", "examples", "tokio_echo")
    py = os.path.join(ROOT, ".venv", "bin", "python")
    out = []
    for n in names:
        lim = scale["fd_limit"] if fd else None
        if n == "serve":
            out.append(Target(n, [wsguard_bin, "serve", "--listen", "127.0.0.1:0", "--allow", wsraw.ORIGIN,
                                  "--max-per-address", str(PER_ADDRESS), "--message-budget", str(BUDGET),
                                  "--write-timeout", "2", "--handshake-timeout", str(scale["handshake"])],
                              r"http://127\.0\.0\.1:(\d+)", True, fd_limit=lim))
        elif n == "tokio-guarded":
            out.append(Target(n, [echo_bin, "guarded", "127.0.0.1:0", str(PER_ADDRESS), str(scale["handshake"]), str(BUDGET)],
                              r"listening on [\d.]+:(\d+)", True, fd_limit=lim))
        elif n == "tokio-plain":
            out.append(Target(n, [echo_bin, "plain", "127.0.0.1:0"], r"listening on [\d.]+:(\d+)", False, fd_limit=lim))
        elif n == "node":
            out.append(Target(n, ["node", os.path.join(ROOT, "tests", "matrix", "node_server.js")], r"READY node=(\d+)", False,
                              env={"NODE_PATH": os.path.join(ROOT, "tests", "matrix", "node_modules")}, fd_limit=lim))
        elif n == "uvicorn":
            out.append(Target(n, [py, os.path.join(ROOT, "tests", "matrix", "py_servers.py")], r"guarded=(\d+)", "asgi", fd_limit=lim))
    return out


class Good:
    """The well-behaved client: connect, echo 5 messages, close; again, until stopped."""

    def __init__(self, port: int):
        self.port = port
        self.connect_ms: list[float] = []
        self.echo_ms: list[float] = []
        self.sent = self.received = self.failures = 0
        self.fail_reasons: dict[str, int] = {}
        self.stop = False

    async def once(self) -> None:
        t0 = time.perf_counter()
        r, w, status = await asyncio.wait_for(wsraw.connect(self.port, source="127.0.0.2"), 30)
        if status != 101:
            raise RuntimeError(f"status {status}")
        self.connect_ms.append((time.perf_counter() - t0) * 1000)
        try:
            for i in range(5):
                payload = f"good-{self.sent}-{i}".encode() * 8
                t1 = time.perf_counter()
                w.write(wsraw.frame(0x1, payload))
                self.sent += 1
                while True:
                    op, data = await asyncio.wait_for(wsraw.read_frame(r), 30)
                    if op == 0x9:  # a server ping: answer it
                        w.write(wsraw.frame(0xA, data))
                        continue
                    break
                if op == 0x1 and data == payload:
                    self.received += 1
                    self.echo_ms.append((time.perf_counter() - t1) * 1000)
                else:
                    raise RuntimeError(f"wrong echo op={op}")
            w.write(wsraw.frame(0x8, struct.pack("!H", 1000)))
            await asyncio.wait_for(wsraw.close_code(r), 10)
        finally:
            w.close()

    async def run(self) -> None:
        while not self.stop:
            try:
                await self.once()
            except Exception as e:  # noqa: BLE001 - every failure is a result
                self.failures += 1
                key = type(e).__name__ + (f": {e}" if str(e) else "")
                self.fail_reasons[key[:80]] = self.fail_reasons.get(key[:80], 0) + 1
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.01)

    def summary(self) -> dict:
        def pct(xs: list[float], q: float) -> float | None:
            if not xs:
                return None
            xs = sorted(xs)
            return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2)
        return {
            "rounds_ok": len(self.connect_ms), "failures": self.failures, "fail_reasons": self.fail_reasons,
            "connect_ms_p50": pct(self.connect_ms, 0.5), "connect_ms_max": pct(self.connect_ms, 1.0),
            "echo_ms_p50": pct(self.echo_ms, 0.5), "echo_ms_p99": pct(self.echo_ms, 0.99),
            "messages_sent": self.sent, "messages_lost": self.sent - self.received,
        }


# ---------------------------------------------------------------- attacks
# Each returns a dict of observations (counts, codes); `seconds` bounds it.

OPENING = asyncio.Semaphore(500)  # connects in flight at once (the client's own limit)


async def open_raw(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    async with OPENING:
        try:
            return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 15)
        except (OSError, asyncio.TimeoutError):
            return None


async def answered(r: asyncio.StreamReader, seconds: float) -> int:
    """Status of an HTTP answer (0: closed without one, -1: still open)."""
    try:
        st, data = await asyncio.wait_for(wsraw.read_head(r), seconds)
        return st
    except asyncio.TimeoutError:
        return -1
    except (ConnectionError, OSError):
        return 0


async def idle_flood(t: Target, s: dict) -> dict:
    conns = [c for c in await asyncio.gather(*(open_raw(t.port) for _ in range(s["flood"]))) if c]
    statuses = await asyncio.gather(*(answered(r, s["seconds"]) for r, _ in conns))
    for _, w in conns:
        w.close()
    return {"opened": len(conns), "status": tally(statuses)}


async def slowloris(t: Target, s: dict) -> dict:
    conns = [c for c in await asyncio.gather(*(open_raw(t.port) for _ in range(s["slow"]))) if c]
    h = wsraw.head()
    end = time.time() + s["seconds"] * 2
    # Read while trickling: an answer that arrives mid-way is seen, not lost to a reset.
    readers = [asyncio.ensure_future(answered(r, s["seconds"] * 2 + 6)) for r, _ in conns]
    i = 0
    while time.time() < end and i < len(h) - 2:
        for _, w in conns:
            try:
                w.write(h[i:i + 1])
            except OSError:
                pass
        i += 1
        await asyncio.sleep(0.1)
    statuses = await asyncio.gather(*readers)
    for _, w in conns:
        w.close()
    return {"opened": len(conns), "bytes_sent_each": i, "status": tally(statuses)}


async def upgraded(t: Target, n: int, spread: bool = False) -> list:
    """`n` upgraded connections, from 127.0.0.1 or (`spread`) from 50 addresses, as a
    distributed attacker would: then only the server-wide limits stand in the way."""
    async def one(i):
        try:
            src = f"127.0.0.{100 + i % 50}" if spread else "127.0.0.1"
            r, w, st = await asyncio.wait_for(wsraw.connect(t.port, source=src), 30)
            return (r, w, st)
        except (OSError, asyncio.TimeoutError):
            return None
    return [c for c in await asyncio.gather(*(one(i) for i in range(n))) if c]


async def unfinished(t: Target, s: dict) -> dict:
    """Each connection announces a 1 MiB - 1 binary frame and sends all but its last byte."""
    before = rss_kib(t.pid)
    conns = await upgraded(t, s["unfinished"], spread=True)
    ok = [(r, w) for r, w, st in conns if st == 101]
    n = MIB - 1
    piece = b"x" * (n - 1)
    msg = wsraw.frame(0x2, piece + b"x")[:-1]
    for r, w in ok:
        w.write(msg)
    codes = await asyncio.gather(*(asyncio.wait_for(wsraw.close_code(r), s["seconds"] * 2) for r, _ in ok), return_exceptions=True)
    peak = rss_kib(t.pid)
    closed = [c if isinstance(c, int) or c is None else "open" for c in codes]
    for _, w in ok:
        w.close()
    for _, w, st in conns:
        w.close()
    await asyncio.sleep(1.0)
    after = rss_kib(t.pid)
    return {"upgraded": len(ok), "close_codes": tally(closed), "rss_kib_before": before, "rss_kib_peak": peak, "rss_kib_after": after}


async def nonreaders(t: Target, s: dict) -> dict:
    """Upgrade, send 64 KiB messages without ever reading the echoes."""
    before = rss_kib(t.pid)
    conns = [(r, w) for r, w, st in await upgraded(t, s["nonreaders"], spread=True) if st == 101]
    msg = wsraw.frame(0x2, os.urandom(64 << 10))
    for _, w in conns:
        w.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    dropped = 0
    peak = before
    # Bounded by a count, not a time: the loop ends once every client is dropped (the
    # kernel buffers must fill first); 60 s is only the cap of a server that never drops.
    end = time.time() + 60
    alive = list(conns)
    while alive and time.time() < end:
        still = []
        for r, w in alive:
            if w.transport.is_closing() or r.at_eof():
                dropped += 1
                continue
            try:
                if w.transport.get_write_buffer_size() < (1 << 20):
                    w.write(msg)
                still.append((r, w))
            except (ConnectionError, OSError):
                dropped += 1
        alive = still
        peak = max(peak, rss_kib(t.pid))
        await asyncio.sleep(0.05)
    # A dropped peer sees EOF or a reset once it looks.
    for r, w in alive:
        try:
            r.feed_eof() if False else None
        except Exception:
            pass
    for _, w in conns:
        w.transport.abort()
    await asyncio.sleep(0.5)
    return {"clients": len(conns), "dropped_by_server": dropped, "still_open_at_end": len(alive),
            "rss_kib_before": before, "rss_kib_peak": peak, "rss_kib_after": rss_kib(t.pid)}


async def ping_flood(t: Target, s: dict) -> dict:
    conns = await upgraded(t, 1)
    if not conns or conns[0][2] != 101:
        return {"upgraded": 0}
    r, w, _ = conns[0]
    ping = wsraw.frame(0x9, b"p" * 125)
    w.write(ping * s["pings"])
    pongs = 0
    try:
        while pongs < s["pings"]:
            op, _ = await asyncio.wait_for(wsraw.read_frame(r), 10)
            if op == 0xA:
                pongs += 1
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    w.close()
    return {"pings": s["pings"], "pongs": pongs}


async def huge_announcements(t: Target, s: dict) -> dict:
    out = {}
    for name, length in (("2^63-1", (1 << 63) - 1), ("2^64-1", (1 << 64) - 1), ("1GiB", 1 << 30)):
        conns = await upgraded(t, 1)
        if not conns or conns[0][2] != 101:
            out[name] = "no upgrade"
            continue
        r, w, _ = conns[0]
        b0, hdr = 0x82, struct.pack("!BBQ", 0x82, 0xFF, length & ((1 << 64) - 1))
        w.write(hdr + os.urandom(4) + b"abc")
        try:
            out[name] = await asyncio.wait_for(wsraw.close_code(r), 10)
        except asyncio.TimeoutError:
            out[name] = "open"
        w.close()
    return {"close_codes": out}


async def resets_midframe(t: Target, s: dict) -> dict:
    fd0 = fds(t.pid)
    conns = [(r, w) for r, w, st in await upgraded(t, s["resets"]) if st == 101]
    half = wsraw.frame(0x2, b"y" * 1000)[:500]
    for i, (r, w) in enumerate(conns):
        w.write(half)
    await asyncio.sleep(0.3)
    for i, (r, w) in enumerate(conns):
        if i % 2 == 0:
            wsraw.reset(w)
        else:
            w.write_eof()  # half-close mid-frame
    await asyncio.gather(*(asyncio.wait_for(wsraw.close_code(r), 10) for i, (r, w) in enumerate(conns) if i % 2), return_exceptions=True)
    for _, w in conns:
        w.close()
    # Give the server a bounded while to notice; fds are a count, not a time.
    for _ in range(50):
        if fds(t.pid) <= fd0:
            break
        await asyncio.sleep(0.1)
    return {"connections": len(conns), "fds_before": fd0, "fds_after": fds(t.pid)}


async def oversized_head(t: Target, s: dict) -> dict:
    c = await open_raw(t.port)
    if not c:
        return {"status": "no connect"}
    r, w = c
    h = wsraw.head(extra="".join(f"X-Pad-{i}: {'a' * 4000}\r\n" for i in range(256)))
    try:
        w.write(h)
        await w.drain()
    except (ConnectionError, OSError):
        pass
    st = await answered(r, 10)
    w.close()
    return {"head_bytes": len(h), "status": st}


async def injected_log(t: Target, s: dict) -> dict:
    """A refused origin on a path carrying CR LF and ESC (percent-encoded, as browsers and
    ASGI servers decode them), then raw ESC/OSC bytes in header values."""
    out = {}
    for name, h in (("path", wsraw.head(path="/ws%0d%0aINJECTED-LOG-LINE%1b[2J%1b[31m", origin="https://evil.example")),
                    ("header", wsraw.head(origin="https://evil.example\x1b]0;pwn\x07", extra="User-Agent: \x1b[2J\r\n"))):
        c = await open_raw(t.port)
        if not c:
            out[name] = "no connect"
            continue
        r, w = c
        w.write(h)
        out[name] = await answered(r, 10)
        w.close()
    await asyncio.sleep(0.3)
    log = t.log_text()
    return {"status": out, "raw_esc_in_log": b"\x1b" in log, "forged_line": bool(re.search(rb"(^|\n)INJECTED-LOG-LINE", log)),
            "log_bytes": len(log)}


async def address_limit(t: Target, s: dict) -> dict:
    """PER_ADDRESS + 10 upgraded connections from one address: exact 503 count."""
    conns = await upgraded(t, PER_ADDRESS + 10)
    sts = [st for _, _, st in conns]
    for _, w, _ in conns:
        w.close()
    await asyncio.sleep(0.5)
    return {"status": tally(sts)}


def tally(xs: list) -> dict:
    out: dict = {}
    for x in xs:
        out[str(x)] = out.get(str(x), 0) + 1
    return dict(sorted(out.items()))


ATTACKS = [("idle_flood", idle_flood), ("slowloris", slowloris), ("address_limit", address_limit),
           ("unfinished_messages", unfinished), ("non_reading_clients", nonreaders), ("ping_flood", ping_flood),
           ("huge_announcements", huge_announcements), ("resets_and_half_closes", resets_midframe),
           ("oversized_head", oversized_head), ("injected_log_text", injected_log)]


async def attack_with_good(t: Target, name: str, fn, s: dict) -> dict:
    good = Good(t.port)
    task = asyncio.ensure_future(good.run())
    await asyncio.sleep(0.2)
    try:
        obs = await asyncio.wait_for(fn(t, s), 120)
    except asyncio.TimeoutError:
        obs = {"error": "attack did not end in 120 s"}
    await asyncio.sleep(0.3)
    # One clean round after the attack: the server recovered.
    good.stop = True
    await task
    after = Good(t.port)
    try:
        await after.once()
        recovered = True
    except Exception:  # noqa: BLE001
        recovered = False
    return {"attack": obs, "good": good.summary(), "good_after": recovered and after.sent == after.received == 5}


async def fd_exhaustion(t: Target, s: dict) -> dict:
    """The target runs under `ulimit -n`; more idle connections than descriptors."""
    good = Good(t.port)
    task = asyncio.ensure_future(good.run())
    conns = [c for c in await asyncio.gather(*(open_raw(t.port) for _ in range(s["fd_limit"] + 200))) if c]
    await asyncio.sleep(s["seconds"])
    for _, w in conns:
        w.transport.abort()
    await asyncio.sleep(1.5)
    good.stop = True
    await task
    after = Good(t.port)
    try:
        await asyncio.wait_for(after.once(), 30)
        recovered = True
    except Exception:  # noqa: BLE001
        recovered = False
    log = t.log_text()
    return {"attack": {"opened": len(conns), "fd_limit": s["fd_limit"],
                       "log_lines_too_many_open_files": log.count(b"Too many open files"),
                       "log_lines_out_of_descriptors": log.count(b"out_of_descriptors")},
            "good": good.summary(), "good_after": recovered and after.received == 5}


def hostile_probe(scale: dict) -> dict:
    """`wsguard probe` against hostile servers: ESC/OSC in a 403 body, an endless head, a
    101 with a wrong accept key. The probe must end (bounded) and print no raw ESC."""
    import threading
    bodies = {
        "esc_body": b"HTTP/1.1 403 Forbidden\r\nContent-Length: 40\r\n\r\n\x1b]0;owned\x07\x1b[2J\x1b[31mINJECTED\r\nX: y\r\n\r\n",
        "endless_head": None,
        "bad_accept": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
    }
    out = {}
    for name, answer in bodies.items():
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]

        def serve_one(srv=srv, answer=answer):
            try:
                c, _ = srv.accept()
                c.recv(65536)
                if answer is None:
                    c.sendall(b"HTTP/1.1 200 OK\r\n")
                    for _ in range(2000):
                        c.sendall(b"X-Endless: " + b"z" * 500 + b"\r\n")
                else:
                    c.sendall(answer)
                time.sleep(1)
                c.close()
            except OSError:
                pass
        th = threading.Thread(target=serve_one, daemon=True)
        th.start()
        t0 = time.time()
        try:
            p = subprocess.run([os.path.join(ROOT, "target", "debug", "wsguard"), "probe", f"ws://127.0.0.1:{port}/ws",
                                "--timeout", "5"], capture_output=True, timeout=60)
            out[name] = {"exit": p.returncode, "raw_esc": b"\x1b" in p.stdout + p.stderr,
                         "seconds": round(time.time() - t0, 1)}
        except subprocess.TimeoutExpired:
            out[name] = {"exit": "hung", "raw_esc": None}
        srv.close()
    return out


CHECKS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: object = "") -> None:
    CHECKS.append((name, bool(ok), str(detail)))
    print(f"{'ok  ' if ok else 'FAIL'} {name}  {detail if not ok else ''}", flush=True)


def judge_asgi(name: str, r: dict) -> None:
    """The Python guard owns no socket: only its own rules apply (refusal, escaped logs)."""
    a = r["attacks"]["injected_log_text"]["attack"]
    check(f"{name} injected log text: refused 403, no raw ESC, no forged line",
          a["status"]["path"] == 403 and not a["raw_esc_in_log"] and not a["forged_line"], a)


def judge(name: str, r: dict, s_counts: dict) -> None:
    """Exact, timing-free criteria for a wsguard target."""
    for attack, res in r["attacks"].items():
        g = res["good"]
        check(f"{name} {attack}: good client lost no message", g["messages_lost"] == 0, g)
        check(f"{name} {attack}: good client succeeds after", res["good_after"], g)
        if attack != "fd_exhaustion":
            check(f"{name} {attack}: good client never failed", g["failures"] == 0, g)
    a = {k: v["attack"] for k, v in r["attacks"].items()}
    st = a["address_limit"]["status"]
    check(f"{name} address_limit: exactly {PER_ADDRESS} upgrades and 10 x 503", st == {"101": PER_ADDRESS, "503": 10}, st)
    hs = a["huge_announcements"]["close_codes"]
    check(f"{name} huge announcements closed with 1009/1002", all(v in (1009, 1002) for v in hs.values()), hs)
    check(f"{name} oversized head: 431", a["oversized_head"]["status"] == 431, a["oversized_head"])
    inj = a["injected_log_text"]
    check(f"{name} injected log text: refused, no raw ESC, no forged line",
          inj["status"]["path"] in (403, 404) and inj["status"]["header"] in (400, 403) and (inj["log_bytes"] > 0 or name != "serve")
          and not inj["raw_esc_in_log"] and not inj["forged_line"], inj)
    pf = a["ping_flood"]
    check(f"{name} ping flood: every ping answered", pf.get("pongs") == pf.get("pings"), pf)
    rs = a["resets_and_half_closes"]
    check(f"{name} resets/half-closes: no fd left behind", rs["fds_after"] <= rs["fds_before"], rs)
    nr = a["non_reading_clients"]
    check(f"{name} non-reading clients: all dropped by the server", nr["still_open_at_end"] == 0 and nr["clients"] > 0, nr)
    fd = a.get("fd_exhaustion")
    if fd:
        check(f"{name} fd exhaustion: log not flooded (<= 10 lines)", fd["log_lines_too_many_open_files"] <= 10, fd)
    if name == "tokio-guarded":
        un = a["unfinished_messages"]
        codes = un["close_codes"]
        budgeted = BUDGET // MIB
        # tungstenite reassembles; the core's meter under it holds the same budget.
        check(f"{name} unfinished messages: {un['upgraded'] - budgeted}+ of {un['upgraded']} closed with 1013 (budget {BUDGET >> 20} MiB)",
              un["upgraded"] == s_counts["unfinished"] and codes.get("1013", 0) >= un["upgraded"] - budgeted
              and set(codes) <= {"1013", "open", "None"}, codes)
    if name == "serve":
        un = a["unfinished_messages"]
        codes = un["close_codes"]
        budgeted = BUDGET // MIB  # messages that fit in the budget
        # The messages that fit stay open (or are dropped by the heartbeat: "None").
        check(f"{name} unfinished messages: {un['upgraded'] - budgeted}+ of {un['upgraded']} closed with 1013 (budget {BUDGET >> 20} MiB)",
              un["upgraded"] == s_counts["unfinished"] and codes.get("1013", 0) >= un["upgraded"] - budgeted
              and set(codes) <= {"1013", "open", "None"}, codes)
        k = 2
        check(f"{name} unfinished messages: RSS after <= {k} x before + 8 MiB",
              un["rss_kib_after"] <= k * un["rss_kib_before"] + 8192, un)
        m = r.get("metrics", "")
        check(f"{name} /metrics counts refusals by reason",
              'wsguard_refused_total{reason="too_many_from_address"}' in m and 'reason="message_budget_exhausted"' in m, m[-300:])


async def run_target(t: Target, s: dict) -> dict:
    t.start()
    res = {"rss_kib_idle": rss_kib(t.pid), "attacks": {}}
    try:
        only = s["asgi_attacks"] if t.wsguard == "asgi" else None
        for name, fn in ATTACKS:
            if only is not None and name not in only:
                continue
            t0 = time.time()
            res["attacks"][name] = await attack_with_good(t, name, fn, s)
            print(f"  {t.name}: {name} ({time.time() - t0:.1f} s)", flush=True)
        res["metrics"] = t.metrics()
        res["rss_kib_end"] = rss_kib(t.pid)
    finally:
        t.stop()
    return res


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=SCALES, default="smoke")
    ap.add_argument("--targets", default=None, help="default: the scale's list")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    s = SCALES[a.scale]
    names = (a.targets or s["targets"]).split(",")
    results: dict = {"scale": a.scale, "counts": s, "targets": {}, "loadavg": os.getloadavg()}
    for t in targets(s, names):
        print(f"== {t.name}", flush=True)
        try:
            results["targets"][t.name] = await run_target(t, s)
        except RuntimeError as e:
            check(f"{t.name} starts", False, e)
    for t in targets(s, names, fd=True):
        if t.name not in results["targets"] or (t.wsguard == "asgi" and s["asgi_attacks"] is not None):
            continue
        print(f"== {t.name} under ulimit -n {s['fd_limit']}", flush=True)
        try:
            t.start()
            results["targets"][t.name]["attacks"]["fd_exhaustion"] = await fd_exhaustion(t, s)
        except RuntimeError as e:
            check(f"{t.name} starts under ulimit -n", False, e)
        finally:
            t.stop()
    if "serve" in names:
        results["probe_vs_hostile_servers"] = hostile_probe(s)
        for k, v in results["probe_vs_hostile_servers"].items():
            check(f"probe vs hostile server {k}: ends, no raw ESC", v["exit"] != "hung" and v["raw_esc"] is False, v)
    for name, r in results["targets"].items():
        kind = next(t for t in targets(s, [name])).wsguard
        if kind == "asgi":
            judge_asgi(name, r)
        elif kind:
            judge(name, r, s)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    failed = sum(1 for _, ok, _ in CHECKS if not ok)
    print(f"soak: {len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    WORK = os.environ.get("SOAK_WORK") or os.path.join(ROOT, "target", "soak")
    os.makedirs(WORK, exist_ok=True)
    sys.exit(asyncio.run(main()))
