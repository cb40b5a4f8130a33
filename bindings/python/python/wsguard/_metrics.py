"""Operators' metrics of the ASGI guard: the counters ``wsguard serve`` exports.

:class:`wsguard.Metrics` is native (the Rust ``wsguard-metrics`` crate behind
``wsguard serve``'s ``/metrics``), so the family names, labels and text format are the
same and the Prometheus rules and the Grafana dashboard in ``ops/`` work for both:

========================================  =====================================================
``wsguard_accepted_total``                upgrades accepted (counted inside the native check)
``wsguard_refused_total{reason}``         upgrades refused, by the core's code (likewise)
``wsguard_closes_total{code}``            connections closed, by close code
``wsguard_closes_by_category_total``      the same by the core's category (``normal``, …)
``wsguard_heartbeat_timeouts_total``      peers declared dead (``metrics.heartbeat_timeout()``)
``wsguard_connections_active``            open connections (gauge)
``wsguard_uptime_seconds``                seconds since the metrics were created (gauge)
========================================  =====================================================

Closes are seen by wrapping the connection's ``receive``/``send`` (only when close tracking
is on): the application's ``websocket.close`` counts its code (1000 when it gives none),
a client's ``websocket.disconnect`` counts the code the server reports (1006 for a lost
connection), and an application that returns without either counts 1000 (1011 when it
raised), as the server then closes; an application cancelled by the server (shutdown)
with the connection open counts no close code, only the open-connections gauge drops. ASGI has no ping frames: a server's own keepalive
(uvicorn ``--ws-ping-timeout``) ends a dead peer with a 1006 disconnect, counted under
closes; an application heartbeat (``wsguard.Heartbeat``) reports its verdict with
``metrics.heartbeat_timeout()``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, MutableMapping

from . import _wsguard

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"


class Tracked:
    """The ``receive``/``send`` of one connection, counting its accept and its close.

    A class with two async methods rather than two closures per connection: building it
    costs one small object (the accept path stays cheap, see BENCHMARKS.md §5).
    """

    __slots__ = ("metrics", "_receive", "_send", "opened", "closed")

    def __init__(self, metrics: "_wsguard.Metrics", receive: Receive, send: Send) -> None:
        self.metrics = metrics
        self._receive = receive
        self._send = send
        self.opened = False
        self.closed = False

    def _ended(self) -> bool:
        """``True`` once, when an open connection ends (then it is no longer open)."""
        if self.opened and not self.closed:
            self.closed = True
            self.metrics.connection_closed()
            return True
        return False

    async def receive(self) -> Message:
        message = await self._receive()
        if message.get("type") == "websocket.disconnect" and self._ended():
            self.metrics.peer_disconnected(message.get("code"))
        return message

    async def send(self, message: Message) -> None:
        kind = message.get("type")
        if kind == "websocket.accept" and not self.opened:
            await self._send(message)
            self.opened = True
            self.metrics.connection_opened()
            return
        if kind == "websocket.close" and self._ended():
            self.metrics.app_closed(message.get("code"))
        await self._send(message)

    def finished(self, raised: bool) -> None:
        """Counts the server's close of a connection the application left open."""
        if self._ended():
            self.metrics.app_finished(raised)

    def cancelled(self) -> None:
        """The application was cancelled (server shutdown) with the connection open: no
        close code is known, so none is counted; the connection is no longer open."""
        self._ended()


async def respond(metrics: "_wsguard.Metrics", scope: Any, send: Send) -> None:
    """Answers an HTTP request with the Prometheus exposition (``GET``/``HEAD``; 405 else)."""
    method = scope.get("method", "GET")
    if method not in ("GET", "HEAD"):
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [(b"allow", b"GET, HEAD"), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    body = metrics.prometheus_text().encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", CONTENT_TYPE),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def metrics_app(metrics: "_wsguard.Metrics") -> Callable[[Any, Receive, Send], Awaitable[None]]:
    """A stand-alone ASGI app serving ``metrics`` as Prometheus text (mount it anywhere)."""

    async def app(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError("the metrics app serves HTTP only")
        await respond(metrics, scope, send)

    return app
