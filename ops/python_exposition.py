"""The ops rules against the Python guard's real exposition (suite `ops`, ops/check.sh).

Starts a real uvicorn serving an ASGI app behind `wsguard.asgi.WebSocketGuard(...,
metrics_path="/metrics")` on 127.0.0.1 (port 0), scrapes `/metrics` over HTTP, drives one
round of known traffic with real clients (refusals by Origin and by missing token, a
client close 1000, an application close 1011, a dropped TCP connection 1006), scrapes
again and then:

1. `promtool check metrics` lints both scrapes;
2. checks the exact counter values against the traffic, and that the families are the
   ones `wsguard serve` exports (same names and types: the counters are the same Rust
   type, `wsguard_metrics::Counters`);
3. writes a `promtool test rules` file whose input series are the real label sets and
   deltas of the two scrapes (the round repeated ROUNDS_PER_MINUTE times a minute) and
   whose expected alerts follow from that traffic: the refusal-ratio, origin-spike and
   abnormal-close alerts fire with their rendered annotations, the others stay silent.

Usage: python ops/python_exposition.py TMPDIR   (prints `ok ...` lines; exit 1 on failure)
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Tuple

import uvicorn
import yaml
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from wsguard import OriginPolicy
from wsguard.asgi import WebSocketGuard

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = "https://app.example.com"
TOKEN = "t0ken"
ROUNDS_PER_MINUTE = 30
Sample = Tuple[str, Tuple[Tuple[str, str], ...]]


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    """Echoes one message; `close-1011` makes the application close with 1011."""
    if scope["type"] != "websocket":
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "close-1011":
            await send({"type": "websocket.close", "code": 1011})
            return
        await send({"type": "websocket.send", "text": message.get("text") or ""})


def serve() -> Tuple[uvicorn.Server, int, threading.Thread]:
    guard = WebSocketGuard(app, policy=OriginPolicy(allow=[ALLOWED]), require_token=True, metrics_path="/metrics")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(guard, ws="websockets", lifespan="off", log_level="error", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.02)
    return server, sock.getsockname()[1], thread


def scrape(port: int) -> Tuple[str, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.headers.get("content-type", ""), r.read().decode("utf-8")


def parse(text: str) -> Tuple[Dict[Sample, float], Dict[str, str]]:
    samples: Dict[Sample, float] = {}
    types: Dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            m = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
            assert m, f"unparsable sample line {line!r}"
            labels = tuple(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2) or ""))
            samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


async def traffic(port: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws"
    auth = {"Authorization": f"Bearer {TOKEN}"}

    async def refused(origin: str, headers: Dict[str, str]) -> int:
        try:
            async with connect(url, origin=origin, additional_headers=headers, open_timeout=5):
                return 101
        except InvalidStatus as err:
            return err.response.status_code

    statuses = [await refused("https://evil.example", auth) for _ in range(6)]
    statuses += [await refused(ALLOWED, {}) for _ in range(2)]
    assert statuses == [403] * 6 + [401] * 2, statuses
    async with connect(url, origin=ALLOWED, additional_headers=auth, open_timeout=5) as ws:
        await ws.send("hi")
        assert await asyncio.wait_for(ws.recv(), 5) == "hi"
    async with connect(url, origin=ALLOWED, additional_headers=auth, open_timeout=5) as ws:
        await ws.send("close-1011")
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except Exception:  # ConnectionClosedError 1011: expected
            pass
        assert ws.close_code == 1011, ws.close_code
    # A client that vanishes: the upgrade, then the TCP connection closed without a Close.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Origin: {ALLOWED}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101"), head
    # One echoed frame first, so the application is waiting in receive() when the
    # connection is lost (the server then reports 1006, not 1005 "no status").
    writer.write(bytes([0x81, 0x82, 1, 2, 3, 4, ord("h") ^ 1, ord("i") ^ 2]))
    assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x81\x02hi"
    writer.transport.abort()


def humanize_percentage(v: float) -> str:
    return "%.4g%%" % (v * 100)


def render(template: str, instance: str, value: float) -> str:
    out = template.replace("{{ $labels.instance }}", instance)
    out = out.replace("{{ $value | humanizePercentage }}", humanize_percentage(value))
    assert "{{" not in out, f"template not rendered: {template!r}"
    return out


def main() -> int:
    tmp = Path(sys.argv[1])
    failures: List[str] = []

    def ok(name: str) -> None:
        print(f"ok   {name}")

    def bad(name: str, detail: str = "") -> None:
        print(f"FAIL {name}\n{detail}", file=sys.stderr)
        failures.append(name)

    server, port, thread = serve()
    try:
        ctype0, before = scrape(port)
        asyncio.run(traffic(port))
        want_closes = 3
        deadline = time.monotonic() + 10
        while True:
            ctype, after = scrape(port)
            s1, _ = parse(after)
            closes = sum(v for (n, _), v in s1.items() if n == "wsguard_closes_total")
            if closes >= want_closes or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        server.should_exit = True
        thread.join(20)

    for name, text in (("before", before), ("after", after)):
        path = tmp / f"python-{name}.prom"
        path.write_text(text)
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        if r.returncode == 0:
            ok(f"promtool check metrics: the Python guard's /metrics ({name} traffic, {len(text.splitlines())} lines)")
        else:
            bad(f"promtool check metrics ({name})", r.stdout + r.stderr)
    if ctype0.startswith("text/plain; version=0.0.4"):
        ok(f"/metrics content type {ctype0!r}")
    else:
        bad("content type", ctype0)

    s0, _ = parse(before)
    s1, types = parse(after)
    delta = {k: v - s0.get(k, 0.0) for k, v in s1.items() if k[0] not in ("wsguard_uptime_seconds", "wsguard_connections_active")}
    want = {
        ("wsguard_accepted_total", ()): 3.0,
        ("wsguard_refused_total", (("reason", "origin_host"),)): 6.0,
        ("wsguard_refused_total", (("reason", "token_missing"),)): 2.0,
        ("wsguard_closes_total", (("code", "1000"),)): 1.0,
        ("wsguard_closes_total", (("code", "1006"),)): 1.0,
        ("wsguard_closes_total", (("code", "1011"),)): 1.0,
        # The close-code table's overflow (codes beyond its slots): none for this traffic.
        ("wsguard_close_codes_overflow_total", ()): 0.0,
        ("wsguard_closes_by_category_total", (("category", "normal"),)): 1.0,
        ("wsguard_closes_by_category_total", (("category", "server_error"),)): 1.0,
        ("wsguard_closes_by_category_total", (("category", "transport_failure"),)): 1.0,
        ("wsguard_heartbeat_timeouts_total", ()): 0.0,
    }
    if delta == want and s1.get(("wsguard_connections_active", ())) == 0.0:
        ok("counter values equal the traffic (3 accepted, 6 origin_host + 2 token_missing refused, closes 1000/1006/1011 by code and category, 0 open)")
    else:
        bad("counter values", json.dumps({"got": {f"{k}": v for k, v in delta.items()}, "want": {f"{k}": v for k, v in want.items()}}, indent=1))

    # Same families and types as `wsguard serve` (names read from the shared crate and serve's source).
    sources = [ROOT / "crates/wsguard-metrics/src/lib.rs", *sorted((ROOT / "crates/wsguard-cli/src/serve").glob("*.rs"))]
    exported = {m for p in sources for m in re.findall(r'"(wsguard_[a-z_]+)', p.read_text())}
    counters = {"wsguard_accepted_total", "wsguard_refused_total", "wsguard_closes_total", "wsguard_close_codes_overflow_total", "wsguard_closes_by_category_total", "wsguard_heartbeat_timeouts_total"}
    expected_types = {**{c: "counter" for c in counters}, "wsguard_connections_active": "gauge", "wsguard_uptime_seconds": "gauge"}
    unknown = set(types) - exported
    if not unknown and types == expected_types:
        ok(f"families: the {len(types)} the Python guard exports are serve's, with serve's types")
    else:
        bad("families", f"types {types}, not exported by serve: {sorted(unknown)}")

    # promtool test rules over the real series.
    rules = yaml.safe_load((ROOT / "ops/prometheus/wsguard-alerts.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
    instance = "py"
    series = []
    for (name, labels), v1 in sorted(s1.items()):
        if name in ("wsguard_uptime_seconds", "wsguard_connections_active"):
            continue
        v0 = s0.get((name, labels), 0.0)
        per_minute = (v1 - v0) * ROUNDS_PER_MINUTE
        label_text = ",".join([f'instance="{instance}"'] + [f'{k}="{v}"' for k, v in labels])
        series.append({"series": f"{name}{{{label_text}}}", "values": f"{v0:g}+{per_minute:g}x40"})
    series.append({"series": f'up{{job="wsguard",instance="{instance}"}}', "values": "1x40"})
    refused = 8.0
    upgrades = 11.0
    ratio = refused / upgrades
    firing = {
        "WsguardHighRefusalRatio": ratio,
        "WsguardOriginRefusalsSpike": 6.0 * ROUNDS_PER_MINUTE / 60,
        "WsguardAbnormalCloses": 2.0 * ROUNDS_PER_MINUTE / 60,
    }
    tests = []
    for name, rule in alerts.items():
        exp = []
        if name in firing:
            labels = {**rule.get("labels", {}), "instance": instance}
            exp = [{
                "exp_labels": labels,
                "exp_annotations": {k: render(v, instance, firing[name]) for k, v in rule["annotations"].items()},
            }]
        tests.append({"eval_time": "30m", "alertname": name, "exp_alerts": exp})
    test_file = tmp / "python-rules.test.yml"
    test_file.write_text(yaml.safe_dump({
        "rule_files": [str(ROOT / "ops/prometheus/wsguard-alerts.yml")],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": tests}],
    }, sort_keys=False))
    r = subprocess.run(["promtool", "test", "rules", str(test_file)], capture_output=True, text=True)
    if r.returncode == 0:
        ok(f"promtool test rules over the Python guard's real series: {', '.join(firing)} fire, {len(alerts) - len(firing)} other alerts silent")
    else:
        bad("promtool test rules (Python guard)", r.stdout + r.stderr + test_file.read_text())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
