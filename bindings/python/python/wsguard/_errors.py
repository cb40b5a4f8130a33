"""The exception hierarchy of wsguard.

Every exception wsguard raises derives from :class:`WsguardError`. Exceptions that
mean "the value you passed is malformed" also derive from :class:`ValueError`, so
code that already catches ``ValueError`` keeps working.

Each exception carries the core's stable machine ``code`` (safe to match on), a
``reason`` sentence for people and a ``remedy`` saying what to change.

This module is pure Python and is imported by the native module ``wsguard._wsguard``,
which raises these classes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "WsguardError",
    "InvalidInput",
    "PolicyError",
    "DevAuthBypassRefused",
    "HandshakeRejected",
    "ProtocolError",
    "UrlError",
    "UpgradeFailed",
]


class WsguardError(Exception):
    """Root of every exception raised by wsguard.

    Attributes:
        code: stable snake_case machine code from the Rust core (e.g. ``"origin_not_allowed"``).
        reason: one sentence saying what went wrong.
        remedy: what to change so that it works.
    """

    code: str
    reason: str
    remedy: str

    def __init__(self, code: str, reason: str, remedy: str = "") -> None:
        super().__init__(code, reason, remedy)
        self.code = code
        self.reason = reason
        self.remedy = remedy

    def __str__(self) -> str:
        text = f"{self.reason} [{self.code}]"
        if self.remedy:
            text += f"; fix: {self.remedy}"
        return text


class InvalidInput(WsguardError, ValueError):
    """A value passed to wsguard is malformed (wrong type of content, out of range)."""


class PolicyError(InvalidInput):
    """An origin pattern or policy setting is invalid (raised when building a policy)."""


class DevAuthBypassRefused(PolicyError):
    """The development auth bypass (``dev_auth_bypass=True``) may not run here.

    Raised by a guard's constructor with the production preset
    (``dev_auth_bypass_production``; nothing overrides it), and by
    :func:`wsguard.check_dev_auth_bypass` / ``ScopeGuard.check_listen`` for a listen
    address that is not loopback (``dev_auth_bypass_non_loopback``,
    ``dev_auth_bypass_listen_unknown``) unless ``dev_auth_bypass_allow_non_loopback=True``.
    """


class UrlError(InvalidInput):
    """A ws/wss or page URL could not be parsed or is not usable for a WebSocket."""


class ProtocolError(InvalidInput):
    """A WebSocket frame or close payload breaks RFC 6455.

    Attributes:
        close_code: the close code to send to the peer (1002, 1003, 1007 or 1009).
    """

    close_code: int

    def __init__(self, code: str, reason: str, remedy: str = "", close_code: int = 1002) -> None:
        super().__init__(code, reason, remedy)
        self.close_code = close_code


class HandshakeRejected(WsguardError):
    """The WebSocket upgrade request is refused.

    The server should answer with ``status`` and ``headers`` (and may send ``reason``
    as the body) instead of ``101 Switching Protocols``.

    Attributes:
        status: HTTP status to send (400, 401, 403, 405, 426, 431).
        headers: extra response headers the core asks for, as ``(name, value)`` string
            pairs (e.g. ``("Sec-WebSocket-Version", "13")`` with a 426).
        response: the complete HTTP response the core writes for this refusal (status
            line, headers, and a body ``"<code>: <reason>\nfix: <remedy>\n"``).
        body: just that body, as bytes.
        detail: sub-code of a malformed Origin/Host (``"trailing_slash"`` ...), else ``None``.
        close_code: the close code the core gives for this refusal when it is sent as a
            ``websocket.close`` instead of an HTTP status (4401 for token problems, 1008
            otherwise).
    """

    status: int
    headers: List[Tuple[str, str]]
    response: bytes
    detail: Optional[str]
    close_code: int

    def __init__(
        self,
        code: str,
        reason: str,
        remedy: str = "",
        status: int = 400,
        headers: Optional[List[Tuple[str, str]]] = None,
        response: bytes = b"",
        detail: Optional[str] = None,
        close_code: int = 0,
    ) -> None:
        super().__init__(code, reason, remedy)
        self.status = status
        self.headers = list(headers or [])
        self.response = bytes(response)
        self.detail = detail
        self.close_code = close_code

    @property
    def body(self) -> bytes:
        """The body of :attr:`response`: ``"<code>: <reason>\nfix: <remedy>\n"``."""
        _, sep, body = self.full_response().partition(b"\r\n\r\n")
        return body if sep else b""

    def response_headers(self) -> List[Tuple[bytes, bytes]]:
        """The header fields of :meth:`full_response` as written by the core, in order —
        the core's extra headers, ``X-Wsguard-Code`` with :attr:`code`, ``Content-Type``,
        ``Content-Length``, ``Connection`` — for a framework that writes its own response
        (each integration drops the ones its server sets itself)."""
        head = self.full_response().partition(b"\r\n\r\n")[0]
        fields = (line.partition(b": ") for line in head.split(b"\r\n")[1:])
        return [(name, value) for name, _, value in fields]

    def full_response(self) -> bytes:
        """:attr:`response`, or — for a refusal the application raised itself, which
        carries none — the core's answer for it in the same layout
        (:func:`wsguard.refusal_response`): every refusal is written by the core."""
        if not self.response:
            from ._wsguard import refusal_response

            self.response = refusal_response(self.status, self.code, self.reason, self.remedy, self.headers)
        return self.response


class UpgradeFailed(WsguardError):
    """The server did not accept this client's upgrade (client side, see
    :meth:`wsguard.ClientHandshake.validate_response`).

    ``code`` names the cause a wsguard server gave (``origin_host``, ``token_missing`` ...),
    else the most likely cause (a proxy dropped the upgrade headers, a redirect, a plain
    HTTP server, the Origin was refused, the accept value is wrong ...).

    Attributes:
        status: the HTTP status received (101 for a broken 101 answer), ``None`` when the
            answer was not HTTP at all.
        details: what the core read from the answer: ``location``, ``server``,
            ``server_reason`` (first body line), ``server_code`` (a wsguard code leading
            that line), ``retry_after`` (s), ``wanted_version``, ``via_proxy``,
            ``proxy_hint`` and ``upgrade_in_answer``; ``body_end`` (the length the answer
            will have once the body its ``Content-Length`` announces has arrived: read
            until then and validate again for the server's reason); when this one answer
            cannot name the cause, ``causes`` (the cause codes that remain, most likely
            first), ``hint`` (how to tell them apart) and ``verdict`` (the sentence) —
            :meth:`wsguard.ClientHandshake.plan` gives the follow-ups that decide.
            Absent keys were not present.
    """

    status: Optional[int]
    details: Dict[str, Any]

    def __init__(
        self,
        code: str,
        reason: str,
        remedy: str = "",
        status: Optional[int] = None,
        details: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(code, reason, remedy)
        self.status = status
        self.details = dict(details or {})
