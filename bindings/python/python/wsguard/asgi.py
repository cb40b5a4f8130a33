"""ASGI middleware for FastAPI, Starlette and any ASGI 3 application.

:class:`WebSocketGuard` validates every ``websocket`` scope with the Rust core *before*
the application sees it: the upgrade request (rebuilt from ``scope["headers"]``,
``scope["path"]``, ``scope["query_string"]`` and ``scope["subprotocols"]``) goes through
:func:`wsguard.validate_handshake`, which checks the Origin against the policy, the Host
allowlist, and extracts the token. A refused connection is closed before
``websocket.accept``, which every ASGI server turns into an HTTP 403; when the server
advertises the ``websocket.http.response`` extension (uvicorn, hypercorn) the refusal is
sent with the core's own status and a plain-text body naming the reason.

Starlette's ``CORSMiddleware`` never looks at websocket scopes; with ``cors=True`` the
same :class:`~wsguard.OriginPolicy` also answers CORS for the app's HTTP routes, so the
two can never drift apart.

Example::

    from fastapi import FastAPI
    from wsguard import OriginPolicy
    from wsguard.asgi import WebSocketGuard

    app = FastAPI()
    app.add_middleware(WebSocketGuard, policy=OriginPolicy(allow=["https://app.example.com"]))
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Awaitable, Callable, Dict, Iterable, List, MutableMapping, Optional, Sequence, Tuple

from . import _wsguard
from ._errors import HandshakeRejected

__all__ = ["WebSocketGuard", "Scope", "Receive", "Send", "ASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("wsguard.asgi")


def _header_pairs(scope: Scope) -> List[Tuple[bytes, bytes]]:
    return [(bytes(k), bytes(v)) for k, v in scope.get("headers", ())]


def _request_target(scope: Scope) -> str:
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, (bytes, bytearray)) and raw_path:
        path = bytes(raw_path).decode("latin-1")
    else:
        path = scope.get("root_path", "") + scope.get("path", "/")
    query = scope.get("query_string", b"")
    if query and "?" not in path:
        path = path + "?" + bytes(query).decode("latin-1")
    return path or "/"


def _first_header(headers: Iterable[Tuple[bytes, bytes]], name: bytes) -> Optional[bytes]:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class _Counters:
    """Thread-safe counters for the health route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accepted = 0
        self.refused = 0
        self.by_code: Dict[str, int] = {}
        self.cors_refused = 0

    def count_accept(self) -> None:
        with self._lock:
            self.accepted += 1

    def count_refusal(self, code: str) -> None:
        with self._lock:
            self.refused += 1
            self.by_code[code] = self.by_code.get(code, 0) + 1

    def count_cors_refusal(self) -> None:
        with self._lock:
            self.cors_refused += 1

    def snapshot(self) -> Dict[str, Any]:
        with self._lock:
            return {
                "websocket_accepted": self.accepted,
                "websocket_refused": self.refused,
                "refused_by_code": dict(self.by_code),
                "cors_refused": self.cors_refused,
            }


class WebSocketGuard:
    """Pure ASGI middleware that validates WebSocket handshakes with the wsguard core.

    Args:
        app: the ASGI application to protect.
        policy: the :class:`wsguard.OriginPolicy` applied to every WebSocket (and, with
            ``cors=True``, to HTTP CORS).
        subprotocols: subprotocols the application supports, in order of preference;
            the chosen one is reported in ``scope["wsguard"]["subprotocol"]``.
        require_token: refuse connections that carry no token (401 ``token_missing``).
        token_authorization: read ``Authorization: Bearer <token>``.
        token_query: query parameter holding a token (``"token"``; ``None`` to ignore).
        token_subprotocol_prefix: token in a ``Sec-WebSocket-Protocol`` entry
            ``<prefix><token>`` (e.g. ``"access_token."``).
        token_subprotocol_marker: token in the entry after a marker (``"bearer"``, for
            ``new WebSocket(url, ["bearer", token])``).
        cors: answer CORS preflights and add ``Access-Control-Allow-*`` headers to HTTP
            responses with the same policy.
        cors_allow_credentials: send ``Access-Control-Allow-Credentials: true``.
        cors_methods, cors_headers, cors_expose_headers, cors_max_age: the CORS settings
            (comma-separated lists as written into the headers).
        health_path: when set (e.g. ``"/wsguard/health"``), a GET on this HTTP path
            returns JSON with the policy summary and the refusal counters.
        use_http_response: when the server advertises ``websocket.http.response``, refuse
            with the core's status and body; ``False`` always closes before accept (403).
        scope_key: key under which the verdict is stored in the scope (``"wsguard"``).
        log: the :class:`logging.Logger` refusals are written to (``wsguard.asgi``).

    The application finds ``scope["wsguard"]`` as a dict with ``origin``, ``token``,
    ``subprotocol`` and ``accept`` keys.
    """

    def __init__(
        self,
        app: ASGIApp,
        policy: "_wsguard.OriginPolicy",
        *,
        subprotocols: Sequence[str] = (),
        require_token: bool = False,
        token_authorization: bool = True,
        token_query: Optional[str] = "token",
        token_subprotocol_prefix: Optional[str] = None,
        token_subprotocol_marker: Optional[str] = None,
        cors: bool = False,
        cors_allow_credentials: bool = False,
        cors_methods: str = "GET, HEAD, POST",
        cors_headers: str = "",
        cors_expose_headers: str = "",
        cors_max_age: Optional[int] = None,
        health_path: Optional[str] = None,
        use_http_response: bool = True,
        scope_key: str = "wsguard",
        log: Optional[logging.Logger] = None,
    ) -> None:
        if not isinstance(policy, _wsguard.OriginPolicy):
            raise TypeError("WebSocketGuard(policy=...) needs a wsguard.OriginPolicy")
        self.app = app
        self.policy = policy
        self.subprotocols = tuple(subprotocols)
        self.require_token = require_token
        self.token_options: Dict[str, Any] = {
            "token_authorization": token_authorization,
            "token_query": token_query,
            "token_subprotocol_prefix": token_subprotocol_prefix,
            "token_subprotocol_marker": token_subprotocol_marker,
            "require_token": require_token,
        }
        self.cors = cors
        self.cors_options: Dict[str, Any] = {
            "credentials": cors_allow_credentials,
            "methods": cors_methods,
            "headers": cors_headers,
            "expose_headers": cors_expose_headers,
            "max_age": cors_max_age,
        }
        self.health_path = health_path
        self.use_http_response = use_http_response
        self.scope_key = scope_key
        self.log = log or logger
        self.counters = _Counters()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "http":
            if self.health_path is not None and scope.get("path") == self.health_path:
                await self._health(scope, receive, send)
            elif self.cors:
                await self._http_cors(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # -- WebSocket -----------------------------------------------------------------

    def validate(self, scope: Scope) -> "_wsguard.Handshake":
        """Validates one websocket scope; returns the handshake or raises HandshakeRejected."""
        headers = _header_pairs(scope)
        return _wsguard.validate_handshake(
            headers,
            policy=self.policy,
            subprotocols=self.subprotocols,
            offered_subprotocols=scope.get("subprotocols"),
            path=_request_target(scope),
            assume_upgrade=True,
            **self.token_options,
        )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            result = self.validate(scope)
        except HandshakeRejected as rejection:
            self.counters.count_refusal(rejection.code)
            origin = _first_header(_header_pairs(scope), b"origin")
            client = scope.get("client")
            # The core's near miss (closest allowed entry and what to write) for the log only:
            # the HTTP answer never reveals the allowlist.
            near = self.policy.check(origin).near_miss if origin is not None and rejection.code.startswith("origin_") else None
            self.log.warning(
                "wsguard refused websocket %s from origin %s (client %s): %s [%s] status %d; fix: %s%s",
                scope.get("path", "/"),
                origin.decode("latin-1") if origin is not None else "<missing>",
                f"{client[0]}:{client[1]}" if client else "?",
                rejection.reason,
                rejection.code,
                rejection.status,
                rejection.remedy,
                f"; near miss: {near}" if near else "",
            )
            await self._deny(scope, receive, send, rejection)
            return
        self.counters.count_accept()
        scope = dict(scope)
        scope[self.scope_key] = {
            "origin": result.origin,
            "token": result.token,
            "subprotocol": result.subprotocol,
            "accept": result.accept,
        }
        await self.app(scope, receive, send)

    async def _deny(self, scope: Scope, receive: Receive, send: Send, rejection: HandshakeRejected) -> None:
        # The server sends websocket.connect first; read it so the close is a reply to it.
        message = await receive()
        if message.get("type") != "websocket.connect":
            return
        extensions = scope.get("extensions") or {}
        if self.use_http_response and "websocket.http.response" in extensions:
            body = rejection.body or f"{rejection.code}: {rejection.reason}\nfix: {rejection.remedy}\n".encode("utf-8")
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
            headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in rejection.headers]
            headers.append((b"x-wsguard-code", rejection.code.encode("ascii", "replace")))
            await send({"type": "websocket.http.response.start", "status": rejection.status, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
        else:
            # Close before accept: HTTP 403 on every ASGI server.
            await send({"type": "websocket.close", "code": rejection.close_code, "reason": rejection.code})

    # -- HTTP: health and CORS ----------------------------------------------------

    async def _health(self, scope: Scope, receive: Receive, send: Send) -> None:
        payload = {
            "status": "ok",
            "policy": self.policy.summary(),
            "subprotocols": list(self.subprotocols),
            "require_token": self.require_token,
            "cors": self.cors,
            "counters": self.counters.snapshot(),
        }
        body = json.dumps(payload, sort_keys=True).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _http_cors(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _header_pairs(scope)
        origin = _first_header(headers, b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        request_method = _first_header(headers, b"access-control-request-method")
        request_headers = _first_header(headers, b"access-control-request-headers")
        answer = self.policy.cors(
            origin,
            method=method,
            request_method=request_method,
            request_headers=request_headers,
            **self.cors_options,
        )
        if not answer.allowed:
            self.counters.count_cors_refusal()
            self.log.warning(
                "wsguard CORS refused %s %s from origin %s: %s [%s]%s; fix: %s",
                method,
                scope.get("path", "/"),
                origin.decode("latin-1"),
                answer.reason,
                answer.code,
                f" (refused: {answer.refused!r})" if answer.refused else "",
                answer.remedy,
            )
        if answer.preflight:
            # A preflight is answered here; the app never sees it.
            extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
            status = answer.status or (204 if answer.allowed else 403)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": extra + [(b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]

        async def send_with_cors(message: Message) -> None:
            if message.get("type") == "http.response.start" and extra:
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_cors)
