"""The explain exchange (docs/EXPLAIN.md) answered by ``wsguard.asgi.WebSocketGuard`` and
``wsguard.channels.explain_http``: in-process ASGI calls with exact answers, then real
uvicorn and daphne over HTTP. The answers are the core's bytes: the same strings the std
guard and ``wsguard serve`` give (crates/wsguard/src/explain.rs, tests/explain_tokio.rs).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from wsguard import InvalidInput, OriginPolicy
from wsguard.asgi import WebSocketGuard

from clients import attempt
from servers import DaphneServer, UvicornServer

ALLOWED = "http://127.0.0.1:3000"
REFUSED = "http://127.0.0.2:3000"
ORIGIN_HOST = (
    '{"wsguard":1,"ok":false,"code":"origin_host","status":403,'
    '"reason":"the Origin\'s host is not in the allowed origins"'
)
REMEDY = ',"remedy":"add the page\'s exact origin (as shown by `location.origin` in the browser console) to the allowed origins"'
ACCEPTED = (
    '{"wsguard":1,"ok":true,"code":"explain_accepted","status":101,"reason":"the server would accept this upgrade; '
    'if it still fails, the token value or the application refused it, or a proxy in between did"}'
)
CORE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"access-control-allow-origin", b"*"),
    (b"x-content-type-options", b"nosniff"),
]


async def app_reached(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"app"})


def http_scope(query: bytes, origin: Optional[str] = REFUSED, path: str = "/ws", method: str = "GET") -> Dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query, "headers": headers}


def call(app: Any, scope: Dict[str, Any]) -> Tuple[int, List[Tuple[bytes, bytes]], bytes]:
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    return sent[0]["status"], list(sent[0]["headers"]), sent[1]["body"]


def guard(**kwargs: Any) -> WebSocketGuard:
    return WebSocketGuard(app_reached, policy=OriginPolicy(allow=[ALLOWED]), **kwargs)


def test_public_answer_is_the_cores_exact_bytes() -> None:
    status, headers, body = call(guard(explain="public"), http_scope(b"wsguard-explain=1&token=none"))
    assert status == 200
    assert headers == CORE_HEADERS + [(b"content-length", str(len(body)).encode())]
    assert body.decode() == ORIGIN_HOST + "}"


def test_full_adds_the_remedy_and_never_the_allowlist() -> None:
    _, headers, body = call(guard(explain="full"), http_scope(b"wsguard-explain=1&token=none"))
    assert body.decode() == ORIGIN_HOST + REMEDY + "}"
    assert b"127.0.0.1:3000" not in body and all(b"credentials" not in k for k, _ in headers)


def test_off_and_non_explain_requests_reach_the_app() -> None:
    assert call(guard(explain="off"), http_scope(b"wsguard-explain=1"))[2] == b"app"
    assert call(guard(explain="full"), http_scope(b"room=1"))[2] == b"app"
    assert call(guard(explain="full"), http_scope(b"wsguard-explain=1", method="POST"))[2] == b"app"
    only = guard(explain="full", explain_paths=["/ws"])
    assert call(only, http_scope(b"wsguard-explain=1", path="/other"))[2] == b"app"
    assert call(only, http_scope(b"wsguard-explain=1", path="/ws"))[2].startswith(b'{"wsguard":1')


def test_same_origin_page_names_its_origin_in_the_query_and_the_header_wins() -> None:
    g = guard(explain="public")
    same = http_scope(b"wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A3000", origin=None)
    assert call(g, same)[2].decode() == ACCEPTED
    cross = http_scope(b"wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A3000", origin=REFUSED)
    assert call(g, cross)[2].decode() == ORIGIN_HOST + "}"


def test_token_placement_decides_token_missing() -> None:
    g = guard(explain="public", require_token=True, token_query="token", token_subprotocol_marker="bearer")
    missing = json.loads(call(g, http_scope(b"wsguard-explain=1&token=none", origin=ALLOWED))[2])
    assert (missing["code"], missing["status"], "remedy" in missing) == ("token_missing", 401, False)
    for placement in (b"query:token", b"subprotocol_pair:bearer"):
        answer = call(g, http_scope(b"wsguard-explain=1&token=" + placement, origin=ALLOWED))[2]
        assert answer.decode() == ACCEPTED, placement


def test_mode_from_the_environment_and_unknown_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSGUARD_EXPLAIN", "full")
    assert call(guard(), http_scope(b"wsguard-explain=1"))[2].decode() == ORIGIN_HOST + REMEDY + "}"
    monkeypatch.setenv("WSGUARD_EXPLAIN", "off")
    assert call(guard(), http_scope(b"wsguard-explain=1"))[2] == b"app"
    monkeypatch.setenv("WSGUARD_EXPLAIN", "")
    assert call(guard(), http_scope(b"wsguard-explain=1"))[2].decode() == ORIGIN_HOST + "}"
    monkeypatch.delenv("WSGUARD_EXPLAIN")
    assert call(guard(), http_scope(b"wsguard-explain=1"))[2].decode() == ORIGIN_HOST + "}"
    with pytest.raises(InvalidInput) as err:
        guard(explain="on")
    assert err.value.code == "explain_mode_unknown"


def test_explain_does_not_count_as_a_refusal() -> None:
    g = guard(explain="public")
    call(g, http_scope(b"wsguard-explain=1"))
    assert g.counters.snapshot()["websocket_refused"] == 0


def get(url: str, origin: Optional[str]) -> Tuple[int, Dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_uvicorn_answers_like_the_core_and_the_upgrade_is_refused_with_the_same_code() -> None:
    from fastapi import FastAPI, WebSocket

    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")

    with UvicornServer(WebSocketGuard(app, policy=OriginPolicy(allow=[ALLOWED]), explain="full")) as srv:
        status, headers, body = get(f"http://127.0.0.1:{srv.port}/ws?wsguard-explain=1&token=none", REFUSED)
        assert (status, headers["access-control-allow-origin"], headers["cache-control"]) == (200, "*", "no-store")
        assert "access-control-allow-credentials" not in headers
        assert body.decode() == ORIGIN_HOST + REMEDY + "}"
        # The upgrade from that origin gets the same code (websocket.http.response on uvicorn).
        code, refusal, _ = asyncio.run(attempt(f"ws://127.0.0.1:{srv.port}/ws", origin=REFUSED))
        assert (code, json.loads(body)["status"]) == (403, 403) and b"origin_host" in refusal


PROJECT = Path(__file__).parent


def test_daphne_channels_http_side_answers_and_django_still_serves() -> None:
    env = {"WSGUARD_TEST_ALLOWED": ALLOWED, "WSGUARD_EXPLAIN": "public", "DJANGO_SETTINGS_MODULE": "explainproj.settings"}
    with DaphneServer(PROJECT, "explainproj.asgi:application", env=env) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        status, headers, body = get(f"{base}/ws?wsguard-explain=1&token=none", REFUSED)
        assert (status, headers["content-type"], headers["access-control-allow-origin"]) == (200, "application/json", "*")
        assert body.decode() == ORIGIN_HOST + "}"
        same = get(f"{base}/ws?wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A3000", None)[2]
        assert same.decode() == ACCEPTED
        assert get(f"{base}/hello/", None)[2] == b"hello from django"
        assert asyncio.run(attempt(f"ws://127.0.0.1:{srv.port}/ws", origin=REFUSED))[0] == 403
        assert asyncio.run(attempt(f"ws://127.0.0.1:{srv.port}/ws", origin=ALLOWED))[:2] == (101, "hi")

