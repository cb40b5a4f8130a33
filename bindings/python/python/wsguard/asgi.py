"""ASGI middleware for FastAPI, Starlette and any ASGI 3 application.

:class:`WebSocketGuard` validates every ``websocket`` scope with the Rust core *before*
the application sees it, in one native call (:meth:`wsguard.ScopeGuard.check_scope`):
the scope's header list, ``raw_path``/``path``, ``query_string`` and ``subprotocols`` are
read in Rust without creating a Python object per header, the core checks the Origin
against the policy and the Host allowlist and extracts the token, and the verdict's
Python values are built only when the application reads them. A refused connection is closed before
``websocket.accept``, which every ASGI server turns into an HTTP 403; when the server
advertises the ``websocket.http.response`` extension (uvicorn, hypercorn) the refusal is
sent with the core's own status and a plain-text body naming the reason.

Starlette's ``CORSMiddleware`` never looks at websocket scopes; with ``cors=True`` the
same :class:`~wsguard.OriginPolicy` also answers CORS for the app's HTTP routes, so the
two can never drift apart.

Every refusal is logged (logger ``wsguard.asgi``) with the request target, the Origin
and the client written through the core's log escaping: CR, LF, ESC and other control
characters from the network never reach the log as such, and a query token is logged
as ``[redacted]``.

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

from . import _devauth, _metrics, _wsguard
from ._errors import HandshakeRejected
from ._explain import Explainer

__all__ = ["WebSocketGuard", "metrics_app", "Scope", "Receive", "Send", "ASGIApp"]

metrics_app = _metrics.metrics_app

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("wsguard.asgi")


def _header_pairs(scope: Scope) -> List[Tuple[bytes, bytes]]:
    return [(bytes(k), bytes(v)) for k, v in scope.get("headers", ())]


def _all_headers(headers: Iterable[Tuple[bytes, bytes]], name: bytes) -> List[bytes]:
    return [value for key, value in headers if key.lower() == name]


def _first_header(headers: Iterable[Tuple[bytes, bytes]], name: bytes) -> Optional[bytes]:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class _Counters:
    """Thread-safe counters for the health route (accepted/refused are counted natively
    by the :class:`wsguard.ScopeGuard`, so the accept path takes no lock)."""

    def __init__(self, guard: "_wsguard.ScopeGuard") -> None:
        self._lock = threading.Lock()
        self._guard = guard
        self.by_code: Dict[str, int] = {}
        self.cors_refused = 0

    @property
    def accepted(self) -> int:
        return self._guard.counts()[0]

    @property
    def refused(self) -> int:
        return self._guard.counts()[1]

    def count_refusal(self, code: str) -> None:
        with self._lock:
            self.by_code[code] = self.by_code.get(code, 0) + 1

    def count_cors_refusal(self) -> None:
        with self._lock:
            self.cors_refused += 1

    def snapshot(self) -> Dict[str, Any]:
        accepted, refused = self._guard.counts()
        with self._lock:
            return {
                "websocket_accepted": accepted,
                "websocket_refused": refused,
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
        explain: the explain exchange (docs/EXPLAIN.md): a plain ``GET`` with
            ``?wsguard-explain=1`` is answered with the core's verdict for this guard, so
            the page learns why its upgrade was refused. ``"public"`` (code and reason),
            ``"full"`` (also the remedy) or ``"off"``; ``None``: ``$WSGUARD_EXPLAIN``,
            else ``"public"``.
        explain_paths: the WebSocket paths explained; ``None``: any path.
        dev_auth_bypass: development only — accept a connection without a token (with
            ``require_token``) and log a warning for each; raises
            :class:`wsguard.DevAuthBypassRefused` with a production-preset policy. Applies
            only to connections whose ``scope["server"]`` is a loopback address or a Unix
            socket (see :mod:`wsguard._devauth`); ``handshake.dev_auth_bypassed`` tells
            the app.
        dev_auth_bypass_allow_non_loopback: the second, explicit override for a
            development container (``--host 0.0.0.0``); never allows production.
        metrics: the :class:`wsguard.Metrics` to count into (a new one by default; share
            one between guards to add them up). Also ``guard.metrics``.
        metrics_path: when set (e.g. ``"/metrics"``), a GET on this HTTP path returns
            the Prometheus text exposition with the names ``wsguard serve`` exports
            (see :mod:`wsguard._metrics`); or mount :func:`metrics_app` elsewhere.
        track_closes: count closes by code and category and open connections by
            wrapping each connection's ``receive``/``send`` (default: on when
            ``metrics`` or ``metrics_path`` is given; accepts and refusals are always
            counted, inside the native check).

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
        explain: Optional[str] = None,
        explain_paths: Optional[Sequence[str]] = None,
        dev_auth_bypass: bool = False,
        dev_auth_bypass_allow_non_loopback: bool = False,
        metrics: Optional["_wsguard.Metrics"] = None,
        metrics_path: Optional[str] = None,
        track_closes: Optional[bool] = None,
    ) -> None:
        if not isinstance(policy, _wsguard.OriginPolicy):
            raise TypeError("WebSocketGuard(policy=...) needs a wsguard.OriginPolicy")
        self.app = app
        self.policy = policy
        self.subprotocols = tuple(subprotocols)
        self.require_token = require_token
        self.guard = _wsguard.ScopeGuard(
            policy,
            subprotocols=self.subprotocols,
            token_authorization=token_authorization,
            token_query=token_query,
            token_subprotocol_prefix=token_subprotocol_prefix,
            token_subprotocol_marker=token_subprotocol_marker,
            require_token=require_token,
            dev_auth_bypass=dev_auth_bypass,
            dev_auth_bypass_allow_non_loopback=dev_auth_bypass_allow_non_loopback,
            metrics=metrics,
        )
        self.metrics: "_wsguard.Metrics" = self.guard.metrics
        self.metrics_path = metrics_path
        self.track_closes = (metrics is not None or metrics_path is not None) if track_closes is None else track_closes
        self.dev_auth_bypass = dev_auth_bypass
        self.cors = cors
        self.cors_options: Dict[str, Any] = {
            "credentials": cors_allow_credentials,
            "methods": cors_methods,
            "headers": cors_headers,
            "expose_headers": cors_expose_headers,
            "max_age": cors_max_age,
        }
        # CR/LF or other controls in a CORS list would split a response header: the core
        # refuses them here, at construction (PolicyError ``config_control_char``).
        policy.cors(None, **self.cors_options)
        self.health_path = health_path
        self.use_http_response = use_http_response
        self.scope_key = scope_key
        self.log = log or logger
        self.counters = _Counters(self.guard)
        self.explainer = Explainer(self.guard, explain, explain_paths)
        _devauth.announce(self.guard, self.log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            # The accept path: one native call, no per-header Python objects.
            if self.dev_auth_bypass:
                _devauth.check_arrival(self.guard, scope.get("server"), self.log)
            try:
                result = self.guard.check_scope(scope)
            except HandshakeRejected as rejection:
                await self._refuse(scope, receive, send, rejection)
                return
            if self.dev_auth_bypass:
                _devauth.report(result, self.log)
            # A copy for the app (the caller's scope stays as it was); one key stored into
            # it, no temporary dict as ``{**scope, key: result}`` would build.
            inner = {**scope}
            inner[self.scope_key] = result
            if self.track_closes:
                conn = _metrics.Tracked(self.metrics, receive, send)
                try:
                    await self.app(inner, conn.receive, conn.send)
                except Exception:
                    conn.finished(True)
                    raise
                except BaseException:
                    conn.cancelled()  # the server cancelled the app (shutdown): no close code known
                    raise
                if conn.opened and not conn.closed:  # `finished(False)` without the call
                    conn.finished(False)
                return
            await self.app(inner, receive, send)
        elif kind == "http":
            if await self.explainer.respond(scope, send):
                return
            if self.health_path is not None and scope.get("path") == self.health_path:
                await self._health(scope, receive, send)
            elif self.metrics_path is not None and scope.get("path") == self.metrics_path:
                await _metrics.respond(self.metrics, scope, send)
            elif self.cors:
                await self._http_cors(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # -- WebSocket -----------------------------------------------------------------

    def validate(self, scope: Scope) -> "_wsguard.Handshake":
        """Validates one websocket scope; returns the handshake or raises HandshakeRejected."""
        return self.guard.check_scope(scope)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, rejection: HandshakeRejected) -> None:
        self.counters.count_refusal(rejection.code)
        # Target, Origin and client escaped by the core; a query token is redacted.
        target, origin, client = self.guard.describe(scope)
        # The core's near miss (closest allowed entry and what to write) for the log only:
        # the HTTP answer never reveals the allowlist. It quotes the Origin: escaped too.
        near = None
        if rejection.code.startswith("origin_"):
            raw = _first_header(_header_pairs(scope), b"origin")
            if raw is not None:
                near = self.policy.check(raw).near_miss
        self.log.warning(
            "wsguard refused websocket %s from origin %s (client %s): %s [%s] status %d; fix: %s%s",
            target,
            origin,
            client,
            rejection.reason,
            rejection.code,
            rejection.status,
            rejection.remedy,
            f"; near miss: {_wsguard.log_text(near)}" if near else "",
        )
        await self._deny(scope, receive, send, rejection)

    async def _deny(self, scope: Scope, receive: Receive, send: Send, rejection: HandshakeRejected) -> None:
        # The server sends websocket.connect first; read it so the close is a reply to it.
        message = await receive()
        if message.get("type") != "websocket.connect":
            return
        extensions = scope.get("extensions") or {}
        if self.use_http_response and "websocket.http.response" in extensions:
            # The core's answer as written (also for an app-raised refusal): its headers
            # (X-Wsguard-Code among them), lowercased for ASGI, without Connection (the
            # server owns the connection).
            headers = [(n.lower(), v) for n, v in rejection.response_headers() if n.lower() != b"connection"]
            body = rejection.body
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
        # Every Origin value goes to the core: two Origin headers are refused
        # (``origin_multiple``) exactly as on the WebSocket path, never "the first".
        origins = _all_headers(headers, b"origin")
        if not origins:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        request_method = _first_header(headers, b"access-control-request-method")
        request_headers = _first_header(headers, b"access-control-request-headers")
        answer = self.policy.cors(
            origins,
            method=method,
            request_method=request_method,
            request_headers=request_headers,
            **self.cors_options,
        )
        if not answer.allowed:
            self.counters.count_cors_refusal()
            target, origin, _client = self.guard.describe(scope)
            self.log.warning(
                "wsguard CORS refused %s %s from origin %s: %s [%s]%s; fix: %s",
                _wsguard.log_text(method),
                target,
                origin,
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
