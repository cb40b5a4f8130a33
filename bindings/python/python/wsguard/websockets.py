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

from . import _devauth, _wsguard
from ._errors import HandshakeRejected

__all__ = ["process_request", "rejection_response", "check_server"]

logger = logging.getLogger("wsguard.websockets")


def rejection_response(connection: Any, rejection: HandshakeRejected) -> Any:
    """Builds the ``websockets`` ``Response`` for a :class:`~wsguard.HandshakeRejected`."""
    body = rejection.body.decode("utf-8", "replace")  # written by the core
    response = connection.respond(rejection.status, body)
    # The core's headers (its extra ones and X-Wsguard-Code); `respond` wrote the others.
    for name, value in rejection.response_headers():
        if name.lower() not in (b"content-type", b"content-length", b"connection"):
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
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
    dev_auth_bypass: bool = False,
    dev_auth_bypass_allow_non_loopback: bool = False,
) -> Callable[[Any, Any], Any]:
    """Returns a ``process_request(connection, request)`` hook validating with ``policy``.

    Args:
        policy: the :class:`wsguard.OriginPolicy` (Origin, Host allowlist).
        subprotocols: subprotocols the server supports, in order of preference.
        require_token: refuse requests carrying no token (401 ``token_missing``).
        token_authorization, token_query, token_subprotocol_prefix, token_subprotocol_marker:
            where the token may travel (see :func:`wsguard.validate_handshake`); both
            subprotocol forms at once raise :class:`wsguard.InvalidInput`
            (``token_subprotocol_conflict``) when the hook is built.
        log: where refusals are logged (``wsguard.websockets`` by default).
        dev_auth_bypass: development only — accept a request without a token and log a
            warning for each (raises :class:`wsguard.DevAuthBypassRefused` with a
            production-preset policy); applies only to connections whose
            ``connection.local_address`` is loopback. Call :func:`check_server` once the
            server is up to refuse to start on a non-loopback address.
        dev_auth_bypass_allow_non_loopback: the second, explicit override (a development
            container); never allows production.

    The hook's ``guard`` attribute is the :class:`wsguard.ScopeGuard` it validates with.
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
        dev_auth_bypass=dev_auth_bypass,
        dev_auth_bypass_allow_non_loopback=dev_auth_bypass_allow_non_loopback,
    )
    out_log = log or logger
    _devauth.announce(guard, out_log)

    def hook(connection: Any, request: Any) -> Any:
        server = getattr(connection, "local_address", None) if dev_auth_bypass else None
        if dev_auth_bypass:
            _devauth.check_arrival(guard, server, out_log)
        try:
            result = guard.check_request(request.headers.raw_items(), request.path, server)
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
        if dev_auth_bypass:
            _devauth.report(result, out_log)
        try:
            connection.wsguard = result
        except AttributeError:  # pragma: no cover - a connection class with __slots__
            pass
        return None

    hook.__doc__ = "wsguard process_request hook (see wsguard.websockets.process_request)."
    hook.guard = guard  # type: ignore[attr-defined]
    return hook


def check_server(hook: Callable[[Any, Any], Any], server: Any) -> None:
    """The development auth bypass's startup check for a running ``websockets`` server:
    raises :class:`wsguard.DevAuthBypassRefused` when the hook's bypass is on and a socket
    of ``server`` listens on a non-loopback address (without the override). Does nothing
    when the bypass is off.

    Example::

        hook = process_request(policy, require_token=True, dev_auth_bypass=True)
        async with serve(handler, "127.0.0.1", 8765, process_request=hook) as server:
            check_server(hook, server)
            await server.serve_forever()
    """
    guard = getattr(hook, "guard", None)
    if not isinstance(guard, _wsguard.ScopeGuard):
        raise TypeError("check_server(hook, server) needs a hook made by wsguard.websockets.process_request")
    for sock in getattr(server, "sockets", ()) or ():
        guard.check_listen(sock.getsockname())
