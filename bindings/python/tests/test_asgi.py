"""wsguard.asgi.WebSocketGuard: unit tests over a fake ASGI server, then uvicorn + FastAPI."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List

import httpx
import pytest
from fastapi import FastAPI, WebSocket

from wsguard import HandshakeRejected, OriginPolicy
from wsguard.asgi import WebSocketGuard

from clients import attempt
from servers import UvicornServer

ALLOWED = "https://app.example.com"
POLICY = OriginPolicy(allow=[ALLOWED, "http://127.0.0.1:*"])


# -- a minimal ASGI harness -------------------------------------------------------------


def ws_scope(headers: List[tuple], extensions: Any = None, subprotocols: Any = (), path: str = "/ws", query: bytes = b"") -> Dict[str, Any]:
    scope: Dict[str, Any] = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"app.example.com")] + headers,
        "subprotocols": list(subprotocols),
        "client": ("127.0.0.1", 5000),
    }
    if extensions is not None:
        scope["extensions"] = extensions
    return scope


async def run_ws(guard: WebSocketGuard, scope: Dict[str, Any]) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> Dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(guard(scope, receive, send), 5)
    return sent


class RecordingApp:
    def __init__(self) -> None:
        self.scopes: List[Dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept", "subprotocol": scope.get("wsguard", {}).get("subprotocol")})
        elif scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"app"})


async def test_refusal_without_extension_closes_before_accept(caplog: pytest.LogCaptureFixture) -> None:
    app = RecordingApp()
    guard = WebSocketGuard(app, policy=POLICY)
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
        sent = await run_ws(guard, ws_scope([(b"origin", b"https://evil.example")]))
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "origin_host"}]
    assert app.scopes == []
    assert "https://evil.example" in caplog.text and "origin_host" in caplog.text
    assert guard.counters.snapshot()["refused_by_code"] == {"origin_host": 1}


async def test_refusal_with_http_response_extension_sends_core_status_and_body() -> None:
    app = RecordingApp()
    guard = WebSocketGuard(app, policy=POLICY, require_token=True)
    sent = await run_ws(guard, ws_scope([(b"Origin", ALLOWED.encode())], extensions={"websocket.http.response": {}}))
    assert app.scopes == []
    assert sent[0]["type"] == "websocket.http.response.start"
    assert sent[0]["status"] == 401
    headers = {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}
    assert headers["www-authenticate"] == "Bearer"
    assert headers["x-wsguard-code"] == "token_missing"
    assert sent[1]["type"] == "websocket.http.response.body"
    assert sent[1]["body"].startswith(b"token_missing: ")
    assert int(headers["content-length"]) == len(sent[1]["body"])


async def test_accepted_scope_carries_origin_token_subprotocol() -> None:
    app = RecordingApp()
    guard = WebSocketGuard(app, policy=POLICY, subprotocols=["chat.v2", "chat.v1"])
    scope = ws_scope(
        [(b"ORIGIN", b"HTTPS://App.Example.com"), (b"Authorization", b"Bearer abc.def")],
        subprotocols=["chat.v1", "chat.v2"],
    )
    sent = await run_ws(guard, scope)
    assert sent == [{"type": "websocket.accept", "subprotocol": "chat.v2"}]
    info = app.scopes[0]["wsguard"]
    assert info["origin"] == "https://app.example.com"
    assert info["token"] == "abc.def"
    assert info["subprotocol"] == "chat.v2"
    assert "wsguard" not in scope  # the caller's scope is not mutated


async def test_query_token_and_missing_and_null_origins() -> None:
    app = RecordingApp()
    guard = WebSocketGuard(app, policy=POLICY)
    await run_ws(guard, ws_scope([(b"origin", ALLOWED.encode())], query=b"room=1&token=q1"))
    assert app.scopes[-1]["wsguard"]["token"] == "q1"
    for headers, code in (([], "origin_missing"), ([(b"origin", b"null")], "origin_null")):
        sent = await run_ws(guard, ws_scope(headers))
        assert sent[0]["reason"] == code
    assert len(app.scopes) == 1


async def test_lifespan_and_plain_http_pass_through() -> None:
    app = RecordingApp()
    guard = WebSocketGuard(app, policy=POLICY)
    await guard({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert app.scopes[0]["type"] == "lifespan"


def test_policy_type_is_checked() -> None:
    with pytest.raises(TypeError):
        WebSocketGuard(RecordingApp(), policy=["https://app.example.com"])  # type: ignore[arg-type]


# -- uvicorn + FastAPI ------------------------------------------------------------------


def fastapi_app(reached: List[Dict[str, Any]], **guard_kwargs: Any) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        info = dict(websocket.scope.get("wsguard") or {})
        reached.append(info)
        await websocket.accept(subprotocol=info.get("subprotocol"))
        text = await websocket.receive_text()
        await websocket.send_text(json.dumps({"echo": text, "token": info.get("token"), "origin": info.get("origin")}))
        await websocket.close()

    @app.get("/api")
    def api() -> Dict[str, bool]:
        return {"ok": True}

    app.add_middleware(WebSocketGuard, policy=POLICY, **guard_kwargs)
    return app


@pytest.mark.parametrize("impl", ["websockets", "websockets-sansio"])
async def test_uvicorn_fastapi_origins(impl: str, caplog: pytest.LogCaptureFixture) -> None:
    reached: List[Dict[str, Any]] = []
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"), UvicornServer(fastapi_app(reached), ws=impl) as srv:
        url = f"ws://127.0.0.1:{srv.port}/ws"
        status, reply, _ = await attempt(url, origin=ALLOWED, headers={"Authorization": "Bearer t0k"})
        assert status == 101
        assert json.loads(reply) == {"echo": "hi", "token": "t0k", "origin": ALLOWED}
        assert len(reached) == 1
        # refused: the core's status and body (uvicorn supports websocket.http.response)
        status, body, _ = await attempt(url, origin="https://evil.example")
        assert (status, body.split(b":")[0]) == (403, b"origin_host")
        status, body, _ = await attempt(url)  # no Origin header
        assert (status, body.split(b":")[0]) == (403, b"origin_missing")
        status, body, _ = await attempt(url, origin="null")
        assert (status, body.split(b":")[0]) == (403, b"origin_null")
        status, body, _ = await attempt(url, origin=ALLOWED + "/")
        assert (status, body.split(b":")[0]) == (403, b"origin_malformed")
        assert len(reached) == 1, "a refused connection reached the app"
    assert "https://evil.example" in caplog.text
    assert "origin_missing" in caplog.text and "origin_null" in caplog.text


async def test_uvicorn_fastapi_tokens_and_subprotocols() -> None:
    reached: List[Dict[str, Any]] = []
    app = fastapi_app(reached, require_token=True, token_subprotocol_marker="bearer", subprotocols=["bearer"])
    with UvicornServer(app) as srv:
        url = f"ws://127.0.0.1:{srv.port}/ws"
        status, body, _ = await attempt(url, origin=ALLOWED)
        assert status == 401 and body.startswith(b"token_missing")
        status, reply, proto = await attempt(url + "?token=from-query", origin=ALLOWED)
        assert status == 101 and json.loads(reply)["token"] == "from-query"
        status, reply, proto = await attempt(url, origin=ALLOWED, subprotocols=["bearer", "tok-123"])
        assert status == 101 and json.loads(reply)["token"] == "tok-123"
        assert proto == "bearer"  # the marker is echoed, the token never is
        status, body, _ = await attempt(url, origin=ALLOWED, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert status == 401 and body.startswith(b"token_malformed")
        assert len(reached) == 2


async def test_uvicorn_close_before_accept_is_403_without_extension() -> None:
    reached: List[Dict[str, Any]] = []
    app = fastapi_app(reached, require_token=True, use_http_response=False)
    with UvicornServer(app) as srv:
        status, _, _ = await attempt(f"ws://127.0.0.1:{srv.port}/ws", origin=ALLOWED)
        assert status == 403  # close before accept: the ASGI server decides the status
        assert reached == []


async def test_uvicorn_cors_and_health() -> None:
    reached: List[Dict[str, Any]] = []
    app = fastapi_app(reached, cors=True, cors_methods="GET, PUT", cors_headers="content-type", health_path="/wsguard/health")
    with UvicornServer(app) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            r = await http.get("/api", headers={"Origin": ALLOWED})
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED
            assert r.headers["vary"] == "Origin"
            r = await http.get("/api", headers={"Origin": "https://evil.example"})
            assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
            r = await http.options(
                "/api",
                headers={"Origin": ALLOWED, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"},
            )
            assert r.status_code == 204
            assert r.headers["access-control-allow-methods"] == "GET, PUT"
            r = await http.options("/api", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"})
            assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
            await attempt(f"ws://127.0.0.1:{srv.port}/ws", origin="https://evil.example")
            health = (await http.get("/wsguard/health")).json()
        assert health["policy"]["allow"] == POLICY.allow
        assert health["counters"]["websocket_refused"] == 1
        assert health["counters"]["refused_by_code"] == {"origin_host": 1}
        assert health["counters"]["cors_refused"] == 2


# -- cors=True as a drop-in for Starlette's CORSMiddleware --------------------------------


async def _http_app(request: Any) -> Any:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


def _starlette_app(**cors: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Route

    return Starlette(routes=[Route("/api", _http_app, methods=["GET", "POST"])],
                     middleware=[Middleware(CORSMiddleware, allow_origins=[ALLOWED], **cors)])


def _guarded_app(**cors: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    inner = Starlette(routes=[Route("/api", _http_app, methods=["GET", "POST"])])
    return WebSocketGuard(inner, policy=OriginPolicy(allow=[ALLOWED]), cors=True, **cors)


async def _preflight(app: Any, request_headers: str, method: str = "POST") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.options("/api", headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": request_headers,
        })


@pytest.mark.parametrize(
    "starlette_kwargs,guard_kwargs",
    [
        # The common FastAPI setup: methods listed, no extra headers.
        ({"allow_methods": ["GET", "POST"]}, {"cors_methods": "GET, POST"}),
        # Everything allowed (no credentials).
        ({"allow_methods": ["*"], "allow_headers": ["*"]}, {"cors_methods": "*", "cors_headers": "*"}),
        # An API token header next to JSON.
        ({"allow_methods": ["GET", "POST"], "allow_headers": ["authorization"]}, {"cors_methods": "GET, POST", "cors_headers": "authorization"}),
    ],
)
async def test_json_post_preflight_matches_starlette(starlette_kwargs: Dict[str, Any], guard_kwargs: Dict[str, Any]) -> None:
    for requested, allowed in [("content-type", True), ("Content-Type, accept", True), ("x-api-key", False)]:
        theirs = await _preflight(_starlette_app(**starlette_kwargs), requested)
        ours = await _preflight(_guarded_app(**guard_kwargs), requested)
        if "*" in starlette_kwargs.get("allow_headers", []):
            allowed = True
        # Same verdict (Starlette answers 200/400, wsguard 204/403).
        assert (theirs.status_code == 200) is allowed, (requested, theirs.status_code, theirs.text)
        assert (ours.status_code == 204) is allowed, (requested, ours.status_code)
        if allowed:
            assert ours.headers["access-control-allow-origin"] == ALLOWED
            ours_h = {h.strip().lower() for h in ours.headers["access-control-allow-headers"].split(",")}
            theirs_h = {h.strip().lower() for h in theirs.headers["access-control-allow-headers"].split(",")}
            # Every requested header the browser will check is listed (or `*`, valid without
            # credentials), as by Starlette.
            for h in (x.strip() for x in requested.lower().split(",")):
                assert h in ours_h or "*" in ours_h, (h, ours_h)
                assert h in theirs_h or "*" in theirs_h, (h, theirs_h)


async def test_refused_preflight_logs_the_header_and_the_fix(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    r = await _preflight(_guarded_app(cors_methods="GET, POST"), "content-type, x-api-key")
    assert r.status_code == 403
    line = next(rec.getMessage() for rec in caplog.records if "CORS refused" in rec.getMessage())
    assert "(refused: 'x-api-key')" in line and "[cors_headers]" in line and "fix: add each requested header" in line, line
    caplog.clear()
    r = await _preflight(_guarded_app(cors_methods="GET, POST"), "content-type", method="DELETE")
    assert r.status_code == 403
    line = next(rec.getMessage() for rec in caplog.records if "CORS refused" in rec.getMessage())
    assert "(refused: 'DELETE')" in line and "[cors_method]" in line, line


async def test_refusal_log_names_the_near_miss_and_close_code_comes_from_the_core(caplog: pytest.LogCaptureFixture) -> None:
    guard = WebSocketGuard(RecordingApp(), policy=OriginPolicy(allow=["http://localhost:3000"]))
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
        sent = await run_ws(guard, ws_scope([(b"origin", b"http://localhost:5173")]))
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "origin_port"}]
    assert "near miss: closest allowed entry `http://localhost:3000`" in caplog.text
    assert "`http://localhost:[3000,5173]`" in caplog.text
    # A token refusal closes with the core's 4401 (re-authenticate), not 1008.
    guard = WebSocketGuard(RecordingApp(), policy=POLICY, require_token=True)
    sent = await run_ws(guard, ws_scope([(b"origin", ALLOWED.encode())]))
    assert sent == [{"type": "websocket.close", "code": 4401, "reason": "token_missing"}]


# -- the accept path's field list and verdict text (session 5) ------------------------


def test_verdict_text_and_extensions_read_from_the_field_list() -> None:
    guard = WebSocketGuard(RecordingApp(), policy=POLICY, subprotocols=["chat"])
    scope = ws_scope(
        [
            (b"Origin", ALLOWED.encode()),
            (b"Authorization", b"Bearer t0k"),
            (b"Sec-WebSocket-Extensions", b"  permessage-deflate; client_max_window_bits "),
            (b"sec-websocket-extensions", b'x-custom; a="1"'),
        ],
        subprotocols=["chat"],
        query=b"room=1",
    )
    h = guard.validate(scope)
    assert (h.path, h.query, h.host) == ("/ws", "room=1", "app.example.com")
    assert (h.origin, h.token, h.token_source, h.subprotocol) == (ALLOWED, "t0k", "authorization", "chat")
    # The server consumed the key (none in the scope): nothing is made up for it.
    assert (h.key, h.accept, h.response) == ("", "", b"")
    keyed = guard.validate(ws_scope([(b"origin", ALLOWED.encode()), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")]))
    assert (keyed.key, keyed.accept) == ("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    assert h.extensions == [("permessage-deflate", [("client_max_window_bits", None)]), ("x-custom", [("a", "1")])]
    assert h.to_dict() == {
        "origin": ALLOWED,
        "token": "t0k",
        "subprotocol": "chat",
        "accept": "",
        "token_source": "authorization",
        "path": "/ws",
        "query": "room=1",
        "host": "app.example.com",
    }
    none = guard.validate(ws_scope([(b"origin", ALLOWED.encode())]))
    assert (none.query, none.token, none.subprotocol, none.extensions) == (None, None, None, [])


@pytest.mark.parametrize("count", [32, 33, 46, 47, 80])
def test_header_lists_longer_than_the_stack_array(count: int) -> None:
    # 46 fields fit the native stack array; longer lists take the heap, same verdicts.
    guard = WebSocketGuard(RecordingApp(), policy=POLICY)
    extra = [(f"x-h{i}".encode(), b"v") for i in range(count - 2)]
    scope = ws_scope([(b"origin", ALLOWED.encode())] + extra)
    assert len(scope["headers"]) == count
    if count == 32:  # the core's default limit: 32 fields (nothing added for consumed ones)
        assert guard.validate(scope).host == "app.example.com"
    else:
        with pytest.raises(HandshakeRejected) as info:
            guard.validate(scope)
        assert info.value.code == "too_many_headers"
    # The earliest byte decides even beyond the stack array: a bad name first is malformed.
    bad = ws_scope([(b"bad name", b"v"), (b"origin", ALLOWED.encode())] + extra)
    with pytest.raises(HandshakeRejected) as info:
        guard.validate(bad)
    assert info.value.code == "malformed_request"


def test_str_pairs_give_the_verdict_of_their_utf8_bytes() -> None:
    guard = WebSocketGuard(RecordingApp(), policy=POLICY).guard
    base = [
        ("Host", "app.example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Origin", ALLOWED),
    ]
    by_str = guard.check_request(base + [("X-Name", "café")], "/ws?token=q")
    by_bytes = guard.check_request([(k.encode(), v.encode()) for k, v in base] + [(b"X-Name", "café".encode())], b"/ws?token=q")
    assert by_str.to_dict() == by_bytes.to_dict()
    assert (by_str.token, by_str.query) == ("q", "token=q")
    # A lone surrogate is not UTF-8: written with surrogateescape (b"\xff", obs-text: allowed).
    assert guard.check_request(base + [("X-Raw", "\udcff")], "/ws").host == "app.example.com"
    with pytest.raises(HandshakeRejected) as info:
        guard.check_request(base + [("X-Bad", "a\r\nb")], "/ws")
    assert info.value.code == "malformed_request"
