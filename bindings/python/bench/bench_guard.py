"""Per-connection cost of the framework integrations (issue 17 item 1), side by side.

    .venv/bin/python bindings/python/bench/bench_guard.py              # clock: medians
    .venv/bin/python bindings/python/bench/bench_guard.py --callgrind  # instructions

Each variant handles the same accepted browser websocket scope (12 headers, as uvicorn
sends them) and ends in the same empty app. The coroutine chain is driven with
``coro.send(None)`` (no event loop), so the figure is the middleware alone:

* ``no guard`` — the app itself (the baseline every "added" figure subtracts);
* ``hand-written check`` — the Starlette-style loop over ``scope["headers"]`` plus a
  ``set`` lookup that applications write by hand (checks the Origin only);
* ``Channels OriginValidator`` — ``channels.security.websocket.OriginValidator``;
* ``wsguard.asgi.WebSocketGuard`` — full upgrade validation (Host, Origin, token
  lookup, subprotocols) in one native call, verdict object built lazily;
* ``wsguard.channels.OriginValidator`` — the Channels drop-in (Origin only);
* ``websockets hook`` — ``wsguard.websockets.process_request`` on a real
  ``websockets.http11.Request``, against a hand-written hook (``headers.get("Origin")``).

Clock mode: per variant, ``--number`` calls per repeat, ``--repeat`` repeats, variants
interleaved; the median ns per call. Callgrind mode: each variant runs under
``valgrind --tool=callgrind`` twice (``--lo`` and ``--hi`` calls); the difference of the
collected instruction counts divided by ``hi - lo`` is the instructions per call, free of
start-up cost and of machine load (``PYTHONHASHSEED=0`` in the runs: no hash-seed noise).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List

import django
from django.conf import settings

if not settings.configured:
    settings.configure(ALLOWED_HOSTS=[])
    django.setup()

from channels.security.websocket import OriginValidator as ChannelsOriginValidator  # noqa: E402
from websockets.datastructures import Headers  # noqa: E402
from websockets.http11 import Request  # noqa: E402

import wsguard  # noqa: E402
from wsguard.asgi import WebSocketGuard  # noqa: E402
from wsguard.channels import OriginValidator as WsguardOriginValidator  # noqa: E402
from wsguard.websockets import process_request  # noqa: E402

ALLOWED = "https://app.example.com"
HEADERS = [
    (b"host", b"app.example.com"),
    (b"connection", b"Upgrade"),
    (b"pragma", b"no-cache"),
    (b"cache-control", b"no-cache"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"),
    (b"upgrade", b"websocket"),
    (b"origin", ALLOWED.encode()),
    (b"sec-websocket-version", b"13"),
    (b"accept-encoding", b"gzip, deflate, br, zstd"),
    (b"accept-language", b"en-US,en;q=0.9"),
    (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    (b"sec-websocket-extensions", b"permessage-deflate; client_max_window_bits"),
]
SCOPE: Dict[str, Any] = {
    "type": "websocket",
    "asgi": {"version": "3.0", "spec_version": "2.4"},
    "http_version": "1.1",
    "scheme": "ws",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 51000),
    "root_path": "",
    "path": "/ws",
    "raw_path": b"/ws",
    "query_string": b"",
    "headers": HEADERS,
    "subprotocols": [],
    "state": {},
    "extensions": {"websocket.http.response": {}},
}


async def app(scope: Any, receive: Any, send: Any) -> None:
    return None


async def receive() -> Dict[str, Any]:
    return {"type": "websocket.connect"}


async def send(message: Any) -> None:
    return None


ALLOWED_SET = {ALLOWED}


async def handwritten(scope: Any, rcv: Any, snd: Any) -> None:
    if scope["type"] == "websocket":
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
                break
        if origin not in ALLOWED_SET:
            await snd({"type": "websocket.close", "code": 1008})
            return
    await app(scope, rcv, snd)


POLICY = wsguard.OriginPolicy(allow=[ALLOWED])
ASGI_VARIANTS: Dict[str, Any] = {
    "no guard": app,
    "hand-written check": handwritten,
    "Channels OriginValidator": ChannelsOriginValidator(app, [ALLOWED]),
    "wsguard.asgi.WebSocketGuard": WebSocketGuard(app, policy=POLICY),
    # The same with the operators' metrics on (issue 16 item 5): /metrics served, closes
    # tracked by wrapping receive/send (accepts and refusals are counted either way).
    "wsguard.asgi.WebSocketGuard + metrics": WebSocketGuard(app, policy=POLICY, metrics_path="/metrics"),
    "wsguard.channels.OriginValidator": WsguardOriginValidator(app, [ALLOWED]),
}

REQUEST = Request("/ws", Headers([(k.decode(), v.decode()) for k, v in HEADERS]))
WSGUARD_HOOK = process_request(POLICY)


def handwritten_hook(connection: Any, request: Any) -> Any:
    if request.headers.get("Origin") not in ALLOWED_SET:
        return connection.respond(403, "forbidden\n")
    return None


class Connection:
    """What the hook touches on an accepted request (it sets ``.wsguard``)."""


CONNECTION = Connection()


def drive(coro: Any) -> None:
    try:
        coro.send(None)
    except StopIteration:
        return
    raise RuntimeError("the middleware suspended: not an accepted scope")


def asgi_call(fn: Any) -> Callable[[], None]:
    return lambda: drive(fn(SCOPE, receive, send))


CALLS: Dict[str, Callable[[], None]] = {name: asgi_call(fn) for name, fn in ASGI_VARIANTS.items()}
CALLS["hand-written websockets hook"] = lambda: handwritten_hook(CONNECTION, REQUEST)
CALLS["wsguard websockets hook"] = lambda: WSGUARD_HOOK(CONNECTION, REQUEST)
BASELINE = {"hand-written websockets hook": None, "wsguard websockets hook": None}


def check_accepts() -> None:
    """Every variant accepts the scope (else the race is unfair)."""
    for name, call in CALLS.items():
        call()
    assert getattr(CONNECTION, "wsguard", None) is not None


def loop(call: Callable[[], None], n: int) -> None:
    for _ in range(n):
        call()


def clock(number: int, repeat: int) -> Dict[str, float]:
    samples: Dict[str, List[float]] = {name: [] for name in CALLS}
    for _ in range(repeat):
        for name, call in CALLS.items():  # interleaved: load drifts hit all alike
            t0 = time.perf_counter_ns()
            loop(call, number)
            samples[name].append((time.perf_counter_ns() - t0) / number)
    return {name: statistics.median(v) for name, v in samples.items()}


COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(name: str, n: int) -> int:
    cmd = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--variant", name, "--calls", str(n),
    ]  # fmt: skip
    # A fixed hash seed: str hashes (and so dict probe sequences) are the same in every
    # run, which removes ~1.5k instructions of run-to-run noise from small figures.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    m = COLLECTED.search(out.stderr)
    if not m:
        raise RuntimeError(out.stderr[-2000:])
    return int(m.group(1))


def callgrind(lo: int, hi: int, names: List[str], jobs: int = 1) -> Dict[str, float]:
    """Instructions per call of each variant; ``jobs`` valgrind runs at a time (the counts
    do not depend on load, only the wall time does)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = {(name, n): pool.submit(instructions, name, n) for name in names for n in (lo, hi)}
        return {name: (runs[name, hi].result() - runs[name, lo].result()) / (hi - lo) for name in names}


def table(figures: Dict[str, float], unit: str) -> str:
    base = figures.get("no guard", 0.0)
    rows = [f"| variant | {unit} per scope | added over no guard | ratio to hand-written |", "|---|---:|---:|---:|"]
    hand = figures.get("hand-written check", base) - base
    for name, v in figures.items():
        if name in BASELINE:
            continue
        added = v - base
        ratio = f"{added / hand:.1f}×" if name != "no guard" and hand > 0 else "—"
        rows.append(f"| {name} | {v:,.0f} | {added:,.0f} | {ratio} |")
    rows.append("")
    rows.append(f"| websockets hook | {unit} per request |")
    rows.append("|---|---:|")
    for name in BASELINE:
        if name in figures:
            rows.append(f"| {name} | {figures[name]:,.0f} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--callgrind", action="store_true", help="count instructions with valgrind")
    ap.add_argument("--number", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--lo", type=int, default=2000)
    ap.add_argument("--hi", type=int, default=12000)
    ap.add_argument("--only", help="comma-separated variant names (callgrind mode)")
    ap.add_argument("--jobs", type=int, default=1, help="valgrind runs at a time (callgrind mode)")
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--calls", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    check_accepts()
    if args.variant is not None:
        loop(CALLS[args.variant], args.calls)
        return
    print(f"Python {platform.python_version()} on {platform.machine()}, wsguard {wsguard.__version__}")
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.callgrind:
        print(f"instructions (callgrind, ({args.hi} - {args.lo}) calls difference)\n")
        names = args.only.split(",") if args.only else list(CALLS)
        print(table(callgrind(args.lo, args.hi, names, args.jobs), "instructions"))
    else:
        print(f"clock: median of {args.repeat} repeats × {args.number} calls, interleaved\n")
        print(table(clock(args.number, args.repeat), "ns"))


if __name__ == "__main__":
    main()
