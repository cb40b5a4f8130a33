"""The Python API itself: exceptions, argument handling, and no crash on any input."""

from __future__ import annotations

import os
import random

import pytest

import wsguard
from wsguard import (
    HandshakeRejected,
    InvalidInput,
    OriginPolicy,
    PolicyError,
    ProtocolError,
    UrlError,
    WsguardError,
)

POLICY = OriginPolicy(allow=["https://app.example.com", "https://*.example.com", "http://localhost:[3000,5173]"])
GOOD = [
    (b"Host", b"app.example.com"),
    (b"Upgrade", b"websocket"),
    (b"Connection", b"Upgrade"),
    (b"Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    (b"Sec-WebSocket-Version", b"13"),
    (b"Origin", b"https://app.example.com"),
]


def test_exception_hierarchy() -> None:
    for cls in (InvalidInput, PolicyError, UrlError, ProtocolError):
        assert issubclass(cls, WsguardError) and issubclass(cls, ValueError)
    assert issubclass(HandshakeRejected, WsguardError) and not issubclass(HandshakeRejected, ValueError)
    assert wsguard._wsguard.HandshakeRejected is HandshakeRejected


def test_verdict_is_truthy_and_explains() -> None:
    ok = POLICY.check("https://api.example.com")
    assert ok and ok.allowed and ok.code is None and ok.origin == "https://api.example.com" and ok.kind == "tuple"
    bad = POLICY.check(b"https://evil-example.com")
    assert not bad and bad.code == "origin_host" and bad.status == 403 and bad.reason and bad.remedy
    assert "origin_host" in repr(bad)
    assert POLICY.check("http://localhost:8080").code == "origin_port"
    assert POLICY.check("http://app.example.com").code == "origin_scheme"
    assert POLICY.check(None).code == "origin_missing"


def test_policy_construction_errors() -> None:
    with pytest.raises(PolicyError) as err:
        OriginPolicy(allow=["https://app.example.com", ".example.com"])
    assert err.value.code == "pattern_no_scheme" and ".example.com" in str(err.value)
    with pytest.raises(InvalidInput) as err2:
        OriginPolicy(allow="https://a.example")  # type: ignore[arg-type]
    assert err2.value.code == "not_a_list"
    with pytest.raises(ValueError):
        OriginPolicy(allow=[], preset="staging")
    with pytest.raises(ValueError):
        POLICY.check(12)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        OriginPolicy(allow=["https://" + "a" * 2000 + ".com"])


def test_development_preset_and_hosts() -> None:
    dev = OriginPolicy(allow=[], preset="development", dev_hosts=["frontend:3000"], hosts=["localhost:*"])
    assert dev.check("http://127.0.0.1:9999") and dev.check("http://frontend:3000")
    assert not dev.check("http://frontend:3001")
    assert dev.check_host("localhost:8000") and not dev.check_host("evil.example")
    assert dev.check_host("a b").status == 400
    assert dev.summary()["preset"] == "development"
    assert [f.code for f in OriginPolicy(allow=["*"]).lint()] == ["lint_wildcard_production"]


def test_validate_handshake_shapes() -> None:
    a = wsguard.validate_handshake(GOOD, policy=POLICY)
    b = wsguard.validate_handshake({k.decode(): v.decode() for k, v in GOOD}, policy=POLICY)
    c = wsguard.validate_handshake([(k.decode().upper(), v.decode()) for k, v in GOOD], policy=POLICY)
    assert a.accept == b.accept == c.accept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert a.response.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert wsguard.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == a.accept
    with pytest.raises(HandshakeRejected) as err:
        wsguard.validate_handshake(GOOD[:4], policy=POLICY)
    assert (err.value.status, err.value.code) == (426, "version_missing")
    assert ("Sec-WebSocket-Version", "13") in err.value.headers
    assert err.value.body.startswith(b"version_missing: ")
    with pytest.raises(InvalidInput):
        wsguard.validate_handshake(42, policy=POLICY)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        wsguard.validate_handshake([(b"a", b"b", b"c")], policy=POLICY)  # type: ignore[list-item]


def test_header_injection_is_refused_not_smuggled() -> None:
    evil = GOOD[:-1] + [(b"X-Note", b"x\r\nOrigin: https://app.example.com")]
    with pytest.raises(HandshakeRejected) as err:
        wsguard.validate_handshake(evil, policy=POLICY)
    assert err.value.code == "malformed_request" and err.value.status == 400
    with pytest.raises(HandshakeRejected):
        wsguard.validate_handshake(GOOD, policy=POLICY, path="/a HTTP/1.1\r\nOrigin: x\r\n")


def test_assume_upgrade_and_offered_subprotocols() -> None:
    scope_headers = [(b"host", b"app.example.com"), (b"origin", b"https://app.example.com")]
    hs = wsguard.validate_handshake(
        scope_headers, policy=POLICY, assume_upgrade=True, subprotocols=["v2"], offered_subprotocols=["v1", "v2"]
    )
    assert hs.subprotocol == "v2"
    # present headers are still checked
    with pytest.raises(HandshakeRejected) as err:
        wsguard.validate_handshake(scope_headers + [(b"sec-websocket-version", b"8")], policy=POLICY, assume_upgrade=True)
    assert err.value.code == "version_unsupported"


def test_close_helpers() -> None:
    info = wsguard.classify_close(1008)
    assert info.name == "policy_violation" and info.category == "policy_auth" and info.retry == "after_reauth"
    assert info == wsguard.classify_close(1008) and hash(info) == hash(wsguard.classify_close(1008))
    assert "1006 abnormal_closure" in wsguard.explain(1006)
    assert wsguard.classify_close(4401, conventions=True).name == "unauthorized"
    for bad in (-1, 65536, 2**70):
        with pytest.raises(InvalidInput):
            wsguard.classify_close(bad)
    with pytest.raises(InvalidInput):
        wsguard.classify_close("1000")  # type: ignore[arg-type]
    assert wsguard.parse_close_payload(wsguard.encode_close_payload(4000, "bye")) == (4000, "bye")
    with pytest.raises(ProtocolError) as err:
        wsguard.parse_close_payload(b"\x03\xe8\xff")
    assert err.value.close_code == 1007
    assert len(wsguard.fit_reason("é" * 100).encode()) == 122


def test_urls() -> None:
    url = wsguard.parse_ws_url("wss://Chat.Example.com:443/ws?room=1")
    assert (url.host_header, url.port_or_default, url.resource_name, str(url)) == (
        "chat.example.com",
        443,
        "/ws?room=1",
        "wss://chat.example.com/ws?room=1",
    )
    assert wsguard.websocket_url_for_page("https://app.example.com/chat/", "socket") == "wss://app.example.com/chat/socket"
    with pytest.raises(UrlError) as err:
        wsguard.check_mixed_content("https://app.example.com/", "ws://app.example.com/ws")
    assert err.value.code == "url_mixed_content"
    with pytest.raises(UrlError):
        wsguard.parse_ws_url("https://app.example.com/")


def test_frames_roundtrip() -> None:
    key = os.urandom(4)
    wire = wsguard.encode_frame("text", "héllo".encode(), mask=key) + wsguard.encode_frame("ping", b"hb", mask=key)
    wire += wsguard.encode_close(1000, "bye", mask=key)
    dec = wsguard.FrameDecoder("server")
    frames = dec.receive(wire[:3]) + dec.receive(wire[3:])
    assert [(f.type, f.payload) for f in frames] == [("data", "héllo".encode()), ("ping", b"hb"), ("close", b"\x03\xe8bye")]
    assert frames[2].close_code == 1000 and frames[2].reason == "bye"
    with pytest.raises(ProtocolError) as err:
        wsguard.FrameDecoder("server").receive(wsguard.encode_frame("text", b"x"))  # unmasked
    assert err.value.close_code == 1002
    with pytest.raises(InvalidInput):
        wsguard.encode_close(1006)
    with pytest.raises(InvalidInput):
        wsguard.FrameDecoder("proxy")
    with pytest.raises(InvalidInput):
        wsguard.encode_frame("text", b"x", mask=b"12")


def test_no_crash_on_random_input() -> None:
    """Random and mutated inputs reach every entry point; only wsguard errors come back."""
    rng = random.Random(0x5EED)
    seeds = [b"https://app.example.com", b"null", b"http://[::1]:3000", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"]
    dev = OriginPolicy(allow=["*"], preset="development", hosts=["a.example"])
    for i in range(4000):
        if i % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        else:
            data = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 4)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        POLICY.check(data)
        dev.check_host(data)
        POLICY.cors(data, "OPTIONS", request_method=data[:4], request_headers=data)
        text = data.decode("latin-1")
        for call in (
            lambda: wsguard.validate_handshake(GOOD[:-1] + [(b"Origin", data)], policy=POLICY),
            lambda: wsguard.validate_request_bytes(data, policy=POLICY),
            lambda: wsguard.parse_close_payload(data),
            lambda: wsguard.FrameDecoder("server" if i % 3 else "client").receive(data),
            lambda: wsguard.parse_ws_url(text),
            lambda: wsguard.websocket_url_for_page(text, text),
            lambda: wsguard.lint_origins([text]),
        ):
            try:
                call()
            except WsguardError:
                pass


def test_ws_entry_refused_at_construction_with_the_linters_explanation() -> None:
    with pytest.raises(wsguard.PolicyError) as info:
        wsguard.OriginPolicy(allow=["ws://localhost:8000"])
    assert info.value.code == "pattern_ws_scheme"
    lint = wsguard.lint_origins(["ws://localhost:8000"])
    assert [f.code for f in lint] == ["lint_ws_scheme"]
    assert info.value.reason.endswith(lint[0].reason)
    # The linter never suggests the backend's own address for the page's origin.
    assert lint[0].suggestion is None


def test_refusal_names_the_near_miss_and_the_cores_close_code() -> None:
    policy = wsguard.OriginPolicy(allow=["http://localhost:3000"])
    v = policy.check("http://localhost:5173")
    assert not v and v.code == "origin_port"
    assert v.near_miss_code == "near_port"
    assert v.near_miss is not None and v.near_miss.endswith("`http://localhost:[3000,5173]`")
    assert v.close_code == 1008
    assert policy.check("http://localhost:3000").close_code is None


def test_refusal_response_is_the_cores_layout_and_checks_its_text():
    answer = wsguard.refusal_response(404, "room_not_found", "no such room", "join an existing room", [("Retry-After", "3")])
    body = b"room_not_found: no such room\nfix: join an existing room\n"
    assert answer == (
        b"HTTP/1.1 404 Not Found\r\nRetry-After: 3\r\nX-Wsguard-Code: room_not_found\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    ) + body
    for args, code in [
        ((200, "ok", "r", "f"), "refusal_status"),
        ((404, "Not-Found", "r", "f"), "refusal_code"),
        ((404, "nf", "r\r\nSet-Cookie: pwn=1", "f"), "refusal_text"),
    ]:
        with pytest.raises(wsguard.InvalidInput) as err:
            wsguard.refusal_response(*args)
        assert err.value.code == code
    with pytest.raises(wsguard.InvalidInput) as err:
        wsguard.refusal_response(404, "nf", "r", "f", [("X", "a\nb")])
    assert err.value.code == "refusal_header"


def test_an_app_raised_refusal_gets_the_cores_body():
    r = wsguard.HandshakeRejected("room_not_found", "no such room", "join an existing room", status=404)
    assert r.body == b"room_not_found: no such room\nfix: join an existing room\n"
    assert r.full_response().startswith(b"HTTP/1.1 404 Not Found\r\n")
