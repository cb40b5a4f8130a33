"""wsguard.Metrics and the ASGI guard's /metrics (issue 16 item 5): exact counts from the
ASGI harness, the exposition format of `wsguard serve`, and a real uvicorn scrape. The
Prometheus rules themselves run against the real exposition in the `ops` suite
(ops/python_exposition.py)."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from typing import Any, Dict, List

import pytest

import wsguard
from wsguard import Metrics, OriginPolicy
from wsguard.asgi import WebSocketGuard, metrics_app

from clients import attempt
from servers import UvicornServer
from test_asgi import ws_scope

ALLOWED = "https://app.example.com"
POLICY = OriginPolicy(allow=[ALLOWED])


def samples(text: str) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


async def drive(guard: Any, scope: Dict[str, Any], incoming: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []
    queue = [{"type": "websocket.connect"}] + incoming

    async def receive() -> Dict[str, Any]:
        return queue.pop(0) if queue else {"type": "websocket.disconnect", "code": 1006}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(guard(scope, receive, send), 5)
    return sent


async def echo_app(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        m = await receive()
        if m["type"] == "websocket.disconnect":
            return
        if m.get("text") == "bye":
            await send({"type": "websocket.close", "code": 4000})
            return
        if m.get("text") == "boom":
            raise RuntimeError("application error")
        if m.get("text") == "leave":
            return
        await send({"type": "websocket.send", "text": m.get("text")})


def test_metrics_object_and_exposition_format() -> None:
    m = Metrics()
    m.closed(1000)
    m.closed(None)
    m.closed(4401)
    m.heartbeat_timeout()
    m.connection_opened()
    m.connection_opened()
    m.connection_closed()
    m.connection_closed()
    m.connection_closed()  # never below zero
    snap = m.snapshot()
    assert snap == {
        "accepted": 0,
        "refused": {},
        "refused_total": 0,
        "closes_by_code": {0: 1, 1000: 1, 4401: 1},
        "closes_by_category": {"invalid": 1, "normal": 1, "policy_auth": 1},
        "heartbeat_timeouts": 1,
        "connections_active": 0,
    }, snap
    text = m.prometheus_text()
    head = text.split("# HELP wsguard_connections_active")[0]
    # The counter families are exactly the ones `wsguard serve` writes (same Rust type).
    assert head.startswith("# HELP wsguard_accepted_total WebSocket handshakes accepted.\n# TYPE wsguard_accepted_total counter\nwsguard_accepted_total 0\n")
    assert 'wsguard_closes_total{code="4401"} 1\n' in text
    assert "\n# TYPE wsguard_connections_active gauge\nwsguard_connections_active 0\n" in text
    assert re.search(r"\nwsguard_uptime_seconds [0-9.e-]+\n$", text), text


async def test_asgi_counts_verdicts_and_closes_exactly() -> None:
    metrics = Metrics()
    guard = WebSocketGuard(echo_app, policy=POLICY, require_token=True, metrics=metrics, metrics_path="/metrics")
    assert guard.metrics is metrics and guard.track_closes
    ok = [(b"origin", ALLOWED.encode()), (b"authorization", b"Bearer t")]
    await drive(guard, ws_scope([(b"origin", b"https://evil.example"), (b"authorization", b"Bearer t")]), [])
    await drive(guard, ws_scope([(b"origin", ALLOWED.encode())]), [])
    await drive(guard, ws_scope(ok), [{"type": "websocket.receive", "text": "hi"}, {"type": "websocket.disconnect", "code": 1001}])
    await drive(guard, ws_scope(ok), [{"type": "websocket.receive", "text": "bye"}])
    await drive(guard, ws_scope(ok), [])  # the client vanishes: the harness reports 1006
    await drive(guard, ws_scope(ok), [{"type": "websocket.receive", "text": "leave"}])
    with pytest.raises(RuntimeError):
        await drive(guard, ws_scope(ok), [{"type": "websocket.receive", "text": "boom"}])
    snap = metrics.snapshot()
    assert snap["accepted"] == 5
    assert snap["refused"] == {"origin_host": 1, "token_missing": 1}
    assert snap["closes_by_code"] == {1000: 1, 1001: 1, 1006: 1, 1011: 1, 4000: 1}
    # 1000: the app returned without closing (the server closes normally); 1011: it raised.
    assert snap["closes_by_category"] == {"going_away": 1, "normal": 1, "private": 1, "server_error": 1, "transport_failure": 1}
    assert snap["connections_active"] == 0
    # The categories are the core's, as wsguard.classify_close names them.
    assert {wsguard.classify_close(c).category for c in snap["closes_by_code"]} == set(snap["closes_by_category"])
    # The health route and the native counts agree.
    assert guard.counters.snapshot()["websocket_accepted"] == 5


async def test_cancelled_application_counts_no_close_code() -> None:
    started = asyncio.Event()

    async def waits(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        started.set()
        await asyncio.sleep(60)

    metrics = Metrics()
    guard = WebSocketGuard(waits, policy=POLICY, metrics=metrics)

    async def receive() -> Dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Dict[str, Any]) -> None:
        return None

    task = asyncio.ensure_future(guard(ws_scope([(b"origin", ALLOWED.encode())]), receive, send))
    await asyncio.wait_for(started.wait(), 5)
    assert metrics.connections_active == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    snap = metrics.snapshot()
    assert (snap["accepted"], snap["closes_by_code"], snap["connections_active"]) == (1, {}, 0)


async def test_accepts_are_counted_without_close_tracking() -> None:
    guard = WebSocketGuard(echo_app, policy=POLICY)
    assert not guard.track_closes
    sent = await drive(guard, ws_scope([(b"origin", ALLOWED.encode())]), [{"type": "websocket.receive", "text": "x"}])
    assert sent[0] == {"type": "websocket.accept"}
    snap = guard.metrics.snapshot()
    assert (snap["accepted"], snap["closes_by_code"], snap["connections_active"]) == (1, {}, 0)


async def test_metrics_endpoint_methods_and_mountable_app() -> None:
    metrics = Metrics()
    guard = WebSocketGuard(echo_app, policy=POLICY, metrics=metrics, metrics_path="/metrics")
    for method, status in (("GET", 200), ("HEAD", 200), ("POST", 405)):
        sent: List[Dict[str, Any]] = []

        async def send(m: Dict[str, Any]) -> None:
            sent.append(m)

        async def receive() -> Dict[str, Any]:
            return {"type": "http.request", "body": b""}

        await guard({"type": "http", "method": method, "path": "/metrics", "headers": []}, receive, send)
        assert sent[0]["status"] == status, method
        if status == 200:
            headers = dict(sent[0]["headers"])
            assert headers[b"content-type"] == b"text/plain; version=0.0.4; charset=utf-8"
            body = sent[1]["body"]
            if method == "HEAD":
                assert body == b""
            else:
                assert body.startswith(b"# HELP wsguard_accepted_total ") and int(headers[b"content-length"]) == len(body)
        else:
            assert dict(sent[0]["headers"])[b"allow"] == b"GET, HEAD"
    app = metrics_app(metrics)
    sent = []

    async def send2(m: Dict[str, Any]) -> None:
        sent.append(m)

    await app({"type": "http", "method": "GET", "path": "/", "headers": []}, None, send2)
    assert sent[1]["body"].startswith(b"# HELP wsguard_accepted_total ")


@pytest.mark.parametrize("impl", ["websockets", "websockets-sansio"])
async def test_uvicorn_scrape_counts_real_traffic(impl: str) -> None:
    guard = WebSocketGuard(echo_app, policy=POLICY, metrics_path="/metrics")
    with UvicornServer(guard, ws=impl) as srv:
        url = f"ws://127.0.0.1:{srv.port}/ws"
        assert (await attempt(url, origin=ALLOWED))[0] == 101
        assert (await attempt(url, origin="https://evil.example"))[0] == 403
        assert (await attempt(url, origin="https://evil.example"))[0] == 403
        text = ""
        for _ in range(100):  # the close is counted when the server reports the disconnect
            with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/metrics", timeout=5) as r:
                text = r.read().decode()
            if 'wsguard_closes_total{code="1000"} 1' in text:
                break
            await asyncio.sleep(0.05)
    s = samples(text)
    assert s["wsguard_accepted_total"] == 1
    assert s['wsguard_refused_total{reason="origin_host"}'] == 2
    assert s['wsguard_closes_total{code="1000"}'] == 1
    assert s['wsguard_closes_by_category_total{category="normal"}'] == 1
    assert s["wsguard_connections_active"] == 0
    assert s["wsguard_heartbeat_timeouts_total"] == 0


def test_asgi_close_defaults_come_from_the_core() -> None:
    m = Metrics()
    m.app_closed(None)  # ASGI: websocket.close without code is normal closure
    m.peer_disconnected(None)  # no status received
    m.app_finished(True)  # the app raised: internal error
    m.app_finished(False)
    m.app_closed("not a code")  # never raises into the application: counted as 0
    m.peer_disconnected(70000)
    assert m.snapshot()["closes_by_code"] == {0: 2, 1000: 2, 1005: 1, 1011: 1}
