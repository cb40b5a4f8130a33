"""A ``process_request`` hook for the ``websockets`` library's server (asyncio API, 13+).

``websockets.asyncio.server.serve(handler, ..., process_request=hook)`` calls the hook
with the connection and the parsed request before the handshake completes. The hook
built by :func:`process_request` validates the request with the wsguard core and, when
the core refuses it, returns a ``Response`` carrying the core's status, extra headers and
a plain-text body naming the reason; the handler never runs. An accepted request leaves
the verdict in ``connection.wsguard`` (a :class:`wsguard.Handshake`).

The request is validated in one native call (:meth:`wsguard.ScopeGuard.check_request`).
Duplicate ``Origin`` headers are refused with 403 ``origin_multiple``; every refusal is
logged with the path (query tokens redacted) and the Origin values escaped by the core.

Example::

    from websockets.asyncio.server import serve
    from wsguard import OriginPolicy
    from wsguard.websockets import process_request

    hook = process_request(OriginPolicy(allow=["https://app.example.com"]))
    async with serve(handler, "127.0.0.1", 8765, process_request=hook):
        ...
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, Sequence

from . import _wsguard
from ._errors import HandshakeRejected

__all__ = ["process_request", "rejection_response"]

logger = logging.getLogger("wsguard.websockets")


def rejection_response(connection: Any, rejection: HandshakeRejected) -> Any:
    """Builds the ``websockets`` ``Response`` for a :class:`~wsguard.HandshakeRejected`."""
    body = rejection.body.decode("utf-8", "replace") or f"{rejection.code}: {rejection.reason}\nfix: {rejection.remedy}\n"
    response = connection.respond(rejection.status, body)
    for name, value in rejection.headers:
        response.headers[name] = value
    response.headers["X-Wsguard-Code"] = rejection.code
    return response


def process_request(
    policy: "_wsguard.OriginPolicy",
    *,
    subprotocols: Sequence[str] = (),
    require_token: bool = False,
    token_authorization: bool = True,
    token_query: Optional[str] = "token",
    token_subprotocol_prefix: Optional[str] = None,
    token_subprotocol_marker: Optional[str] = None,
    log: Optional[logging.Logger] = None,
) -> Callable[[Any, Any], Any]:
    """Returns a ``process_request(connection, request)`` hook validating with ``policy``.

    Args:
        policy: the :class:`wsguard.OriginPolicy` (Origin, Host allowlist).
        subprotocols: subprotocols the server supports, in order of preference.
        require_token: refuse requests carrying no token (401 ``token_missing``).
        token_authorization, token_query, token_subprotocol_prefix, token_subprotocol_marker:
            where the token may travel (see :func:`wsguard.validate_handshake`).
        log: where refusals are logged (``wsguard.websockets`` by default).
    """
    if not isinstance(policy, _wsguard.OriginPolicy):
        raise TypeError("process_request(policy) needs a wsguard.OriginPolicy")
    guard = _wsguard.ScopeGuard(
        policy,
        subprotocols=tuple(subprotocols),
        token_authorization=token_authorization,
        token_query=token_query,
        token_subprotocol_prefix=token_subprotocol_prefix,
        token_subprotocol_marker=token_subprotocol_marker,
        require_token=require_token,
    )
    out_log = log or logger

    def hook(connection: Any, request: Any) -> Any:
        try:
            result = guard.check_request(request.headers.raw_items(), request.path)
        except HandshakeRejected as rejection:
            # get_all: several Origin headers must not raise (that was an HTTP 500).
            origins = request.headers.get_all("Origin")
            out_log.warning(
                "wsguard refused websocket %s from origin %s (client %s): %s [%s] status %d; fix: %s",
                guard.log_target(request.path),
                ", ".join(_wsguard.log_text(o, 512) for o in origins) if origins else "<missing>",
                _wsguard.log_text(str(getattr(connection, "remote_address", "?"))),
                rejection.reason,
                rejection.code,
                rejection.status,
                rejection.remedy,
            )
            return rejection_response(connection, rejection)
        try:
            connection.wsguard = result
        except AttributeError:  # pragma: no cover - a connection class with __slots__
            pass
        return None

    hook.__doc__ = "wsguard process_request hook (see wsguard.websockets.process_request)."
    return hook
