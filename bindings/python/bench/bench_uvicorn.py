"""End to end under uvicorn (issue 17 item 1): WebSocket handshakes per second and the
handshake latency (p50/p99), with and without the guard, in one run.

    .venv/bin/python bindings/python/bench/bench_uvicorn.py [--count 2000] [--inflight 10] [--rounds 3]

For each variant a uvicorn server (``--ws websockets``, one worker, access log off) runs
in its own process on 127.0.0.1 (a free port); a ``websockets`` client opens ``--count``
connections with ``--inflight`` in flight, each: open (101), close. The latency is open
→ 101. Variants alternate over ``--rounds`` rounds, their order rotating each round; the table gives the median of the
rounds and the ratio to ``no guard``. Bounded: every connection has a 10 s timeout and
the run stops after ``--count`` × variants × rounds handshakes. Run it on a quiet machine.

Variants: ``no guard`` (a bare ASGI app that accepts), ``hand-written check`` (the same
app behind a Starlette-style header loop + set lookup), ``wsguard`` (the same app behind
``wsguard.asgi.WebSocketGuard``), ``no guard, again`` (the bare app once more, in its own
server: the A/A ratio that shows the run's noise).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any, Dict, List

ALLOWED = "https://app.example.com"


async def accept_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def handwritten_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
                break
        if origin != ALLOWED:
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
    await accept_app(scope, receive, send)


def make_app() -> Any:
    """The app of the variant named by $WSGUARD_BENCH_VARIANT (uvicorn --factory)."""
    variant = os.environ["WSGUARD_BENCH_VARIANT"]
    if variant in ("no guard", "no guard, again"):
        return accept_app
    if variant == "hand-written check":
        return handwritten_app
    from wsguard import OriginPolicy
    from wsguard.asgi import WebSocketGuard

    return WebSocketGuard(accept_app, policy=OriginPolicy(allow=[ALLOWED]))


# "no guard, again" is the same app as "no guard" in its own server: its ratio is the
# noise floor of the run (an A/A comparison), which the guard's ratio is read against.
VARIANTS = ["no guard", "hand-written check", "wsguard", "no guard, again"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, variant: str) -> None:
        self.port = free_port()
        env = dict(os.environ, WSGUARD_BENCH_VARIANT=variant, PYTHONPATH=os.path.dirname(__file__))
        cmd = [
            sys.executable, "-m", "uvicorn", "--factory", "bench_uvicorn:make_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--ws", "websockets",
            "--no-access-log", "--log-level", "warning", "--lifespan", "off",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, env=env)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


async def load(port: int, count: int, inflight: int) -> Dict[str, float]:
    from websockets.asyncio.client import connect

    latencies: List[float] = []
    todo = iter(range(count))

    async def worker() -> None:
        for _ in todo:
            t0 = time.perf_counter()
            async with connect(f"ws://127.0.0.1:{port}/ws", origin=ALLOWED, open_timeout=10, close_timeout=10):  # type: ignore[arg-type]
                latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "per_s": count / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1e3,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--inflight", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    results: Dict[str, List[Dict[str, float]]] = {v: [] for v in VARIANTS}
    names = list(VARIANTS)
    for r in range(args.rounds):
        # The order rotates each round (round r starts with the (r mod n)-th variant): no
        # variant always runs first or last, after the machine warmed up or throttled.
        for variant in names[r % len(names):] + names[: r % len(names)]:
            with Server(variant) as srv:
                asyncio.run(load(srv.port, max(50, args.count // 20), args.inflight))  # warm-up
                results[variant].append(asyncio.run(load(srv.port, args.count, args.inflight)))
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{args.count} handshakes × {args.rounds} rounds, {args.inflight} in flight; medians of the rounds\n")
    print("| variant | handshakes/s | ratio to no guard (range) | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    base = [r["per_s"] for r in results["no guard"]]
    for variant in VARIANTS:
        rs = results[variant]
        rates = [r["per_s"] for r in rs]
        ratios = [a / b for a, b in zip(rates, base)]
        med = statistics.median
        print(
            f"| {variant} | {med(rates):,.0f} | {med(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}] "
            f"| {med(r['p50_ms'] for r in rs):.2f} | {med(r['p99_ms'] for r in rs):.2f} |"
        )


if __name__ == "__main__":
    main()
