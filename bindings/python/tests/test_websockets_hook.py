"""wsguard.websockets.process_request with a real ``websockets`` server and clients."""

from __future__ import annotations

import json
import logging
from typing import Any, List

import pytest

from wsguard import Handshake, OriginPolicy
from wsguard.websockets import process_request

from clients import attempt
from servers import WebsocketsServer

ALLOWED = "https://app.example.com"


def make_handler(reached: List[Any]) -> Any:
    async def handler(connection: Any) -> None:
        verdict = getattr(connection, "wsguard", None)
        reached.append(verdict)
        async for message in connection:
            await connection.send(json.dumps({"echo": message, "token": verdict.token if verdict else None}))

    return handler


async def test_websockets_server_hook(caplog: pytest.LogCaptureFixture) -> None:
    reached: List[Any] = []
    hook = process_request(OriginPolicy(allow=[ALLOWED]), require_token=True)
    with caplog.at_level(logging.WARNING, logger="wsguard.websockets"), WebsocketsServer(
        make_handler(reached), process_request=hook
    ) as srv:
        url = f"ws://127.0.0.1:{srv.port}/chat"
        status, reply, _ = await attempt(url + "?token=abc", origin=ALLOWED)
        assert status == 101 and json.loads(reply) == {"echo": "hi", "token": "abc"}
        status, reply, _ = await attempt(url, origin=ALLOWED, headers={"Authorization": "Bearer xyz"})
        assert status == 101 and json.loads(reply)["token"] == "xyz"
        refused = [
            (dict(origin="https://evil.example", headers={"Authorization": "Bearer x"}), 403, b"origin_host"),
            (dict(headers={"Authorization": "Bearer x"}), 403, b"origin_missing"),
            (dict(origin="null", headers={"Authorization": "Bearer x"}), 403, b"origin_null"),
            (dict(origin=ALLOWED), 401, b"token_missing"),
        ]
        for kwargs, want_status, want_code in refused:
            status, body, _ = await attempt(url, **kwargs)  # type: ignore[arg-type]
            assert (status, body.split(b":")[0]) == (want_status, want_code), kwargs
    assert len(reached) == 2, "a refused connection reached the handler"
    assert all(isinstance(v, Handshake) for v in reached)
    assert "https://evil.example" in caplog.text and "token_missing" in caplog.text


async def test_hook_subprotocols_and_headers() -> None:
    reached: List[Any] = []
    hook = process_request(OriginPolicy(allow=[ALLOWED], hosts=["127.0.0.1:*"]), subprotocols=["chat"])
    with WebsocketsServer(make_handler(reached), process_request=hook, subprotocols=["chat"]) as srv:
        status, _, proto = await attempt(f"ws://127.0.0.1:{srv.port}/", origin=ALLOWED, subprotocols=["chat"])
        assert (status, proto) == (101, "chat")
        assert reached[0].subprotocol == "chat"
    hook = process_request(OriginPolicy(allow=[ALLOWED], hosts=["app.example.com"]))
    with WebsocketsServer(make_handler(reached), process_request=hook) as srv:
        status, body, _ = await attempt(f"ws://127.0.0.1:{srv.port}/", origin=ALLOWED)
        assert status == 403 and body.startswith(b"host_not_allowed")


def test_hook_needs_a_policy() -> None:
    with pytest.raises(TypeError):
        process_request(["https://a.example"])  # type: ignore[arg-type]
