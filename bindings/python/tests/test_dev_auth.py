"""The development auth bypass (issue 16 item 6) in wsguard.asgi and wsguard.websockets:
refused in production at construction, applied per connection only on a loopback
``scope["server"]`` / ``local_address``, and each bypassed connection logged with the
core's exact line. Real uvicorn and a real ``websockets`` server on 127.0.0.1."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import pytest
from fastapi import FastAPI, WebSocket

import wsguard
from wsguard import DevAuthBypassRefused, OriginPolicy
from wsguard.asgi import WebSocketGuard
from wsguard.websockets import check_server, process_request

from clients import attempt
from servers import DaphneServer, UvicornServer, WebsocketsServer
from test_channels import PROJECT
from test_asgi import run_ws, ws_scope

DEV = OriginPolicy(preset="development")
PROD = OriginPolicy(allow=["https://app.example.com"])
NOTICE = (
    "websocket accepted WITHOUT a token because dev_auth_bypass is on (development only, "
    "never in production): target {target} origin {origin} [dev_auth_bypass_used]"
)
STARTUP = "dev_auth_bypass is on: connections without a token are accepted and logged (development only)"


class Recorder:
    def __init__(self) -> None:
        self.scopes: List[Dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        await send({"type": "websocket.accept"})


def test_production_preset_refuses_every_constructor() -> None:
    for make in (
        lambda: WebSocketGuard(Recorder(), policy=PROD, require_token=True, dev_auth_bypass=True),
        lambda: WebSocketGuard(Recorder(), policy=PROD, dev_auth_bypass=True, dev_auth_bypass_allow_non_loopback=True),
        lambda: process_request(PROD, require_token=True, dev_auth_bypass=True),
        lambda: wsguard.ScopeGuard(PROD, dev_auth_bypass=True),
    ):
        with pytest.raises(DevAuthBypassRefused) as err:
            make()
        assert err.value.code == "dev_auth_bypass_production"
        assert isinstance(err.value, wsguard.PolicyError) and isinstance(err.value, ValueError)
    assert str(err.value) == (
        "`dev_auth_bypass` is on with the production preset: every connection without a token "
        "would be accepted in production [dev_auth_bypass_production]; fix: turn `dev_auth_bypass` "
        "off (it exists for local development only), or run with the development preset on a developer machine"
    )
    # Off in production is fine.
    WebSocketGuard(Recorder(), policy=PROD, require_token=True)


def test_listen_helpers() -> None:
    assert [wsguard.listen_kind(a) for a in (("127.0.0.1", 1), ("::1", 1, 0, 0), "0.0.0.0:1", "/run/a.sock", None)] == [
        "loopback",
        "loopback",
        "network",
        "unix_socket",
        "unknown",
    ]
    wsguard.check_dev_auth_bypass("development", ("::1", 8000))
    with pytest.raises(DevAuthBypassRefused) as err:
        wsguard.check_dev_auth_bypass("development", ("172.17.0.2", 8000))
    assert err.value.code == "dev_auth_bypass_non_loopback"
    wsguard.check_dev_auth_bypass("development", ("172.17.0.2", 8000), allow_non_loopback=True)


async def test_asgi_applies_per_connection_by_scope_server(caplog: pytest.LogCaptureFixture) -> None:
    app = Recorder()
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
        guard = WebSocketGuard(app, policy=DEV, require_token=True, dev_auth_bypass=True)
    assert [r.getMessage() for r in caplog.records] == [STARTUP]
    origin = [(b"origin", b"http://localhost:5173")]

    caplog.clear()
    scope = ws_scope(origin, path="/ws", query=b"room=1&access_token=x")
    scope["server"] = ("127.0.0.1", 8000)
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
        sent = await run_ws(guard, scope)
    assert sent == [{"type": "websocket.accept"}]
    handshake = app.scopes[-1]["wsguard"]
    assert (handshake.dev_auth_bypassed, handshake.token, handshake["token"]) == (True, None, None)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", NOTICE.format(target="/ws?room=1&access_token=[redacted]", origin="http://localhost:5173"))
    ]

    # A LAN address: the bypass does not apply (fail closed) and an error says why.
    for server, code in ((("192.168.1.20", 8000), "dev_auth_bypass_non_loopback"), (None, "dev_auth_bypass_listen_unknown")):
        caplog.clear()
        scope = ws_scope(origin)
        scope["server"] = server
        with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
            sent = await run_ws(guard, scope)
        assert sent[0]["type"] == "websocket.close" and sent[0]["reason"] == "token_missing", sent
        levels = [(r.levelname, code in r.getMessage(), "token_missing" in r.getMessage()) for r in caplog.records]
        assert levels == [("ERROR", True, False), ("WARNING", False, True)], levels

    # A token that is sent is used, with no warning; the override admits the container case.
    caplog.clear()
    scope = ws_scope(origin + [(b"authorization", b"Bearer abc")])
    scope["server"] = ("127.0.0.1", 8000)
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"):
        await run_ws(guard, scope)
    assert (app.scopes[-1]["wsguard"]["token"], app.scopes[-1]["wsguard"].dev_auth_bypassed, caplog.records) == ("abc", False, [])
    container = WebSocketGuard(app, policy=DEV, require_token=True, dev_auth_bypass=True, dev_auth_bypass_allow_non_loopback=True)
    scope = ws_scope(origin)
    scope["server"] = ("172.17.0.2", 8000)
    assert await run_ws(container, scope) == [{"type": "websocket.accept"}]
    assert app.scopes[-1]["wsguard"].dev_auth_bypassed


@pytest.mark.parametrize("impl", ["websockets", "websockets-sansio"])
async def test_uvicorn_fastapi_without_token(impl: str, caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        h = websocket.scope["wsguard"]
        await websocket.send_text(f"{text}:{h.dev_auth_bypassed}:{h['token']}")
        await websocket.close()

    guarded = WebSocketGuard(app, policy=DEV, require_token=True, dev_auth_bypass=True)
    with caplog.at_level(logging.WARNING, logger="wsguard.asgi"), UvicornServer(guarded, ws=impl) as srv:
        url = f"ws://127.0.0.1:{srv.port}/ws?room=7"
        origin = f"http://localhost:{srv.port}"
        assert await attempt(url, origin=origin) == (101, "hi:True:None", None)
        assert await attempt(url, origin=origin, headers={"Authorization": "Bearer t0k"}) == (101, "hi:False:t0k", None)
        # Still refused: a malformed token and a foreign Origin.
        status, body, _ = await attempt(url, origin=origin, headers={"Authorization": "Basic eDp5"})
        assert (status, body.split(b":")[0]) == (401, b"token_malformed")
        status, _, _ = await attempt(url, origin="https://evil.example")
        assert status == 403
    notices = [r.getMessage() for r in caplog.records if "dev_auth_bypass_used" in r.getMessage()]
    assert notices == [NOTICE.format(target="/ws?room=7", origin=origin)]


async def test_daphne_channels_behind_the_asgi_guard() -> None:
    env = {"DJANGO_SETTINGS_MODULE": "djangoproj.settings"}
    with DaphneServer(PROJECT, "djangoproj.asgi_devauth:application", env=env) as srv:
        url = f"ws://127.0.0.1:{srv.port}/ws/dev/?room=2"
        assert await attempt(url, origin="http://localhost:5173") == (101, "hi:True:None", None)
        assert await attempt(url, origin="http://localhost:5173", headers={"Authorization": "Bearer t1"}) == (101, "hi:False:t1", None)
        status, _, _ = await attempt(url, origin="http://localhost:5173", headers={"Authorization": "Basic eDp5"})
        assert status == 403  # daphne has no denial extension: close before accept
        log = srv.log()
    assert STARTUP in log
    notice = NOTICE.format(target="/ws/dev/?room=2", origin="http://localhost:5173")
    # daphne's log format adds a timestamp and the level (the record may also be echoed raw).
    formatted = [line for line in log.splitlines() if line.endswith(f"WARNING  {notice}")]
    assert len(formatted) == 1, log


async def test_websockets_hook_and_check_server(caplog: pytest.LogCaptureFixture) -> None:
    async def echo(ws: Any) -> None:
        async for message in ws:
            await ws.send(f"{message}:{ws.wsguard.dev_auth_bypassed}")

    hook = process_request(DEV, require_token=True, dev_auth_bypass=True)
    with caplog.at_level(logging.WARNING, logger="wsguard.websockets"), WebsocketsServer(echo, process_request=hook) as srv:
        url = f"ws://127.0.0.1:{srv.port}/live"
        assert await attempt(url, origin="http://localhost:3000") == (101, "hi:True", None)
    notices = [r.getMessage() for r in caplog.records if "dev_auth_bypass_used" in r.getMessage()]
    assert notices == [NOTICE.format(target="/live", origin="http://localhost:3000")]

    class Sock:
        def __init__(self, name: Any) -> None:
            self.name = name

        def getsockname(self) -> Any:
            return self.name

    class Server:
        def __init__(self, *names: Any) -> None:
            self.sockets = [Sock(n) for n in names]

    check_server(hook, Server(("127.0.0.1", 8765), ("::1", 8765, 0, 0)))
    with pytest.raises(DevAuthBypassRefused) as err:
        check_server(hook, Server(("127.0.0.1", 8765), ("0.0.0.0", 8765)))
    assert err.value.code == "dev_auth_bypass_non_loopback"
    check_server(process_request(PROD), Server(("0.0.0.0", 8765)))  # bypass off: nothing to check
    check_server(process_request(DEV, dev_auth_bypass=True, dev_auth_bypass_allow_non_loopback=True), Server(("0.0.0.0", 1)))

