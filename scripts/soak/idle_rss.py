#!/usr/bin/env python3
"""Server memory per idle WebSocket connection (issue #17 item 3), wsguard serve beside
tokio-tungstenite and Node ws: RSS before, N upgraded connections that then say nothing,
RSS after; per connection = difference / N. Counts and memory only (load-robust).

    idle_rss.py [--count 2000] [--release] [--targets serve,tokio-plain,node]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import soak  # noqa: E402
import wsraw  # noqa: E402


async def hold(port: int, n: int) -> list:
    sem = asyncio.Semaphore(200)

    async def one(i: int):
        async with sem:
            src = f"127.0.0.{10 + i % 50}"  # 50 source addresses: per-address limits do not apply
            r, w, st = await asyncio.wait_for(wsraw.connect(port, source=src), 60)
            return (r, w, st)
    return await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)


async def measure(t: soak.Target, n: int) -> dict:
    t.start()
    try:
        await asyncio.sleep(1.0)
        before = soak.rss_kib(t.pid)
        conns = await hold(t.port, n)
        ok = [c for c in conns if isinstance(c, tuple) and c[2] == 101]
        await asyncio.sleep(3.0)
        after = soak.rss_kib(t.pid)
        for c in conns:
            if isinstance(c, tuple):
                c[1].close()
        return {"connections": len(ok), "rss_kib_before": before, "rss_kib_after": after,
                "bytes_per_connection": round((after - before) * 1024 / max(1, len(ok)))}
    finally:
        t.stop()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--release", action="store_true")
    ap.add_argument("--targets", default="serve,tokio-plain,node")
    a = ap.parse_args()
    names = a.targets.split(",")
    out = {}
    for t in soak.targets(soak.SCALES["full"], names):
        if a.release:
            t.cmd = [c.replace("/target/debug/", "/target/release/") for c in t.cmd]
        if t.name == "serve":
            # Default limits (10,000 connections, 256 per address); quiet log.
            t.cmd = t.cmd[:6] + ["-q"]
        out[t.name] = await measure(t, a.count)
        print(t.name, json.dumps(out[t.name]), flush=True)
    return 0


if __name__ == "__main__":
    soak.WORK = os.environ.get("SOAK_WORK") or os.path.join(soak.ROOT, "target", "soak")
    os.makedirs(soak.WORK, exist_ok=True)
    sys.exit(asyncio.run(main()))
