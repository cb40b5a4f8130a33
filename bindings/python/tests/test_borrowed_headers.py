"""The borrowed header path of ``ScopeGuard`` (bindings/python/src/borrowed.rs) against the safe one.

``check_scope`` and ``check_request`` read an exact ``list`` of exact 2-``tuple``s of exact
``bytes``/``str`` through the C API without touching reference counts; every other shape is
read by the safe path. These tests run the same requests through both (an exact list, and
the same items in a ``list`` subclass, as ``[name, value]`` lists, or from an iterator)
and require the same verdict — accepted with the same fields, or refused with the same
code and status, or the same ``InvalidInput`` (``headers_shape``) with the same text.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Iterator, List, Tuple

import pytest

import wsguard
from wsguard import HandshakeRejected, OriginPolicy

ALLOWED = "https://app.example.com"
BASE: List[Tuple[bytes, bytes]] = [
    (b"host", b"app.example.com"),
    (b"connection", b"Upgrade"),
    (b"upgrade", b"websocket"),
    (b"origin", ALLOWED.encode()),
    (b"sec-websocket-version", b"13"),
    (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    (b"sec-websocket-extensions", b"permessage-deflate; client_max_window_bits"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64)"),
]


class ListSub(list):  # type: ignore[type-arg]
    """A list subclass: never read by the borrowed path."""


def variants(base: List[Tuple[bytes, bytes]]) -> List[Tuple[str, Any]]:
    """Header lists whose verdicts must all equal the exact list's (``base`` itself)."""
    return [
        ("subclass", ListSub(base)),
        ("lists", [list(p) if isinstance(p, tuple) else p for p in base]),
        ("tuple", tuple(base)),
    ]


def outcome(call: Callable[[], Any]) -> Tuple[Any, ...]:
    try:
        h = call()
    except HandshakeRejected as r:
        return ("refused", r.code, r.status)
    except (TypeError, wsguard.InvalidInput) as e:
        return ("type", type(e).__name__, str(e))
    return ("ok", h.path, h.query, h.host, h.origin, h.subprotocol, h.token, h.key, h.extensions)


GUARD = wsguard.ScopeGuard(
    OriginPolicy(allow=[ALLOWED], hosts=["app.example.com"]),
    subprotocols=("chat",),
    token_authorization=True,
    token_query="token",
)


def scope(headers: Any, **extra: Any) -> dict:  # type: ignore[type-arg]
    s = {"type": "websocket", "path": "/ws", "raw_path": b"/ws", "query_string": b"", "headers": headers, "subprotocols": []}
    s.update(extra)
    return s


CASES: List[Tuple[str, List[Tuple[Any, Any]]]] = [
    ("accepted", BASE),
    ("bearer token", BASE + [(b"authorization", b"Bearer abc.def")]),
    ("origin refused", [(n, b"https://evil.example" if n == b"origin" else v) for n, v in BASE]),
    ("two origins", BASE + [(b"origin", ALLOWED.encode())]),
    ("host refused", [(n, b"rebind.example" if n == b"host" else v) for n, v in BASE]),
    ("no host", [p for p in BASE if p[0] != b"host"]),
    ("CR in a value", BASE + [(b"x-a", b"1\r\nSet-Cookie: a")]),
    ("NUL in a name", BASE + [(b"x\x00a", b"1")]),
    ("empty name", BASE + [(b"", b"1")]),
    ("bytes >= 0x80 in a value", BASE + [(b"x-a", "é".encode())]),
    ("bad key", [(n, b"short" if n == b"sec-websocket-key" else v) for n, v in BASE]),
    ("subprotocol header", BASE + [(b"sec-websocket-protocol", b"chat, other")]),
    ("mixed bytes name, str value", BASE + [(b"x-a", "plain")]),
    ("bytearray value", BASE + [(b"x-a", bytearray(b"1"))]),
    ("a 3-tuple", BASE + [(b"x-a", b"1", b"2")]),  # type: ignore[list-item]
    ("not a pair", BASE + [b"x-a"]),  # type: ignore[list-item]
    ("int value", BASE + [(b"x-a", 1)]),
]


@pytest.mark.parametrize("name, headers", CASES, ids=[c[0] for c in CASES])
def test_check_scope_same_verdict_borrowed_or_not(name: str, headers: List[Tuple[Any, Any]]) -> None:
    exact = outcome(lambda: GUARD.check_scope(scope(list(headers))))
    for kind, other in variants(headers):
        assert outcome(lambda: GUARD.check_scope(scope(other))) == exact, (name, kind)


def test_exact_verdicts_are_the_expected_ones() -> None:
    """The exact-list verdicts themselves (so the comparison above is not of two wrongs)."""
    got = {name: outcome(lambda h=h: GUARD.check_scope(scope(list(h))))[:3] for name, h in CASES}
    assert got["accepted"][0] == "ok"
    assert outcome(lambda: GUARD.check_scope(scope(list(CASES[1][1]))))[6] == "abc.def"
    assert got["origin refused"] == ("refused", "origin_host", 403)
    assert got["two origins"] == ("refused", "origin_multiple", 403)
    assert got["host refused"][:2] == ("refused", "host_not_allowed")
    assert got["CR in a value"] == ("refused", "malformed_request", 400)
    assert got["NUL in a name"] == ("refused", "malformed_request", 400)
    assert got["empty name"] == ("refused", "malformed_request", 400)
    assert got["bytes >= 0x80 in a value"][0] == "ok"
    assert got["a 3-tuple"][0] == "type" and got["not a pair"][0] == "type" and got["int value"][0] == "type"


def str_pairs(headers: List[Tuple[bytes, bytes]]) -> List[Tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("utf-8", "surrogateescape")) for n, v in headers]


STR_CASES: List[Tuple[str, List[Tuple[Any, Any]]]] = [
    ("accepted", str_pairs(BASE)),
    ("non-ASCII value", str_pairs(BASE) + [("x-name", "Jürgen ✓")]),
    ("lone surrogate", str_pairs(BASE) + [("x-a", "\udcff")]),
    ("origin refused", [(n, "https://evil.example" if n == "origin" else v) for n, v in str_pairs(BASE)]),
    ("CR in a value", str_pairs(BASE) + [("x-a", "1\r\n")]),
]


@pytest.mark.parametrize("name, headers", STR_CASES, ids=[c[0] for c in STR_CASES])
def test_check_request_same_verdict_borrowed_or_not(name: str, headers: List[Tuple[Any, Any]]) -> None:
    exact = outcome(lambda: GUARD.check_request(list(headers), "/ws"))

    def items() -> Iterator[Tuple[Any, Any]]:
        yield from headers

    others = [("iterator", iter(list(headers))), ("generator", items()), ("subclass", ListSub(headers))]
    for kind, other in others:
        assert outcome(lambda: GUARD.check_request(other, "/ws")) == exact, (name, kind)


def test_check_request_str_verdicts() -> None:
    assert outcome(lambda: GUARD.check_request(str_pairs(BASE), "/ws"))[0] == "ok"
    assert outcome(lambda: GUARD.check_request(STR_CASES[1][1], "/ws"))[0] == "ok"
    assert outcome(lambda: GUARD.check_request(STR_CASES[3][1], "/ws"))[:2] == ("refused", "origin_host")
    assert outcome(lambda: GUARD.check_request(STR_CASES[4][1], "/ws"))[:2] == ("refused", "malformed_request")
    with pytest.raises(wsguard.InvalidInput, match="got int"):
        GUARD.check_request(42, "/ws")


def test_borrowed_path_keeps_reference_counts() -> None:
    """No reference is taken or dropped on the borrowed path: every object's count is the
    same after 1,000 checks (a leak or an extra decref would show here)."""
    headers = list(BASE)
    s = scope(headers)
    names = [n for n, _ in headers]
    before = [sys.getrefcount(o) for o in (headers, *names, *(t for t in headers))]
    for _ in range(1000):
        GUARD.check_scope(s)
        GUARD.check_request(str_pairs(BASE), "/ws")
    after = [sys.getrefcount(o) for o in (headers, *names, *(t for t in headers))]
    assert after == before
