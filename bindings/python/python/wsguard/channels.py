"""Drop-in replacements for Django Channels' Origin validators, backed by the wsguard core.

``channels.security.websocket.OriginValidator`` and ``AllowedHostsOriginValidator`` match
origins with ``urlparse`` in Python and deny silently. These classes take the same
arguments, wrap the application in the same order, accept the same pattern syntax
(``"example.com"``, ``".example.com"`` for a domain and its subdomains,
``"https://example.com:8443"``, ``"*"``), and decide with the Rust core — and every
refusal is logged with the core's reason (logger ``wsguard.channels``), the path and
Origin escaped by the core so that no network text can forge a log line.

Example (``asgi.py`` of a Django project)::

    from channels.routing import ProtocolTypeRouter, URLRouter
    from wsguard.channels import AllowedHostsOriginValidator

    application = ProtocolTypeRouter({
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    })

A refused connection is closed before it is accepted: daphne answers HTTP 403.

The browser only sees ``1006``. To let the page (npm ``wsguard``) ask why, answer the
explain exchange (docs/EXPLAIN.md) on the http side with :func:`explain_http`::

    websocket = AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
    application = ProtocolTypeRouter({
        "http": explain_http(get_asgi_application(), websocket),
        "websocket": websocket,
    })
"""

from __future__ import annotations

import logging
from typing import Any, List, Optional, Sequence

from . import _wsguard
from ._explain import Explainer
from .asgi import ASGIApp, Receive, Scope, Send

__all__ = ["OriginValidator", "AllowedHostsOriginValidator", "channels_patterns_to_policy", "explain_http"]

logger = logging.getLogger("wsguard.channels")

_SCHEMES = ("http", "https")


def _host_patterns(host: str) -> List[str]:
    """Patterns for a Channels host entry without scheme (any scheme, any port)."""
    host = host.strip().lower()
    subdomains = host.startswith(".")
    if subdomains:
        host = host[1:]
    if host.startswith("[") or ":" not in host:
        name = host
    else:
        # "example.com:8000" in ALLOWED_HOSTS-like lists: Channels compares host names only.
        name = host.rsplit(":", 1)[0]
    out: List[str] = []
    for scheme in _SCHEMES:
        out.append(f"{scheme}://{name}:*")
        if subdomains:
            out.append(f"{scheme}://*.{name}:*")
    return out


def _url_patterns(pattern: str) -> List[str]:
    """Patterns for a Channels entry with a scheme (scheme and port must match)."""
    scheme, _, rest = pattern.lower().partition("://")
    if rest.startswith("."):
        return [f"{scheme}://{rest[1:]}", f"{scheme}://*.{rest[1:]}"]
    return [f"{scheme}://{rest}"]


def channels_patterns_to_policy(allowed_origins: Sequence[str]) -> "_wsguard.OriginPolicy":
    """Translates a Channels ``allowed_origins`` list into an :class:`wsguard.OriginPolicy`.

    ``"*"`` allows everything, including ``null`` and a missing Origin (as in Channels).
    Entries the core refuses as patterns (e.g. ``ws://`` origins, which browsers never
    send) raise :class:`wsguard.PolicyError` naming the entry and the fix.
    """
    if isinstance(allowed_origins, str):
        raise TypeError("allowed_origins must be a list of strings, not a single string")
    wildcard = "*" in allowed_origins
    patterns: List[str] = []
    for entry in allowed_origins:
        if entry == "*":
            continue
        if "://" in entry:
            patterns.extend(_url_patterns(entry))
        else:
            patterns.extend(_host_patterns(entry))
    if wildcard:
        patterns = ["*"]
    return _wsguard.OriginPolicy(allow=patterns, allow_null=wildcard, allow_missing=wildcard)


class OriginValidator:
    """Checks the Origin of every WebSocket against ``allowed_origins`` with the wsguard core.

    Same constructor and behaviour as ``channels.security.websocket.OriginValidator``:
    a refused connection is closed before accept (HTTP 403), and non-websocket scopes
    raise ``ValueError``. Additionally each refusal is logged with its reason.

    Args:
        application: the inner ASGI application.
        allowed_origins: Channels-style origin patterns, or an :class:`wsguard.OriginPolicy`.
    """

    def __init__(self, application: ASGIApp, allowed_origins: Any) -> None:
        self.application = application
        if isinstance(allowed_origins, _wsguard.OriginPolicy):
            self.allowed_origins: Sequence[str] = ()
            self.policy = allowed_origins
        else:
            self.allowed_origins = list(allowed_origins)
            self.policy = channels_patterns_to_policy(self.allowed_origins)
        # Used for its log helpers only (the Origin check is ``policy.refusal``).
        self._describer = _wsguard.ScopeGuard(self.policy)

    def valid_origin(self, origin: Optional[bytes]) -> bool:
        """``True`` when the raw Origin header value (``None``: absent) is allowed."""
        return bool(self.policy.check(origin))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("You cannot use OriginValidator on a non-WebSocket connection")
        # One native call over the header list; ``None`` (no object built) when allowed.
        # Several Origin headers are refused as ``origin_multiple``.
        verdict = self.policy.refusal(scope.get("headers", ()))
        if verdict is None:
            return await self.application(scope, receive, send)
        # Target, Origin and client escaped by the core (no forged log line, no raw ESC);
        # a query token is redacted.
        target, origin, client = self._describer.describe(scope)
        logger.warning(
            "wsguard refused websocket %s from origin %s (client %s): %s [%s]; fix: %s",
            target,
            origin,
            client,
            verdict.reason,
            verdict.code,
            verdict.remedy,
        )
        return await _deny(scope, receive, send, verdict.close_code)


async def _deny(scope: Scope, receive: Receive, send: Send, close_code: Optional[int]) -> None:
    """Closes before accept, like Channels' ``WebsocketDenier`` (HTTP 403 on daphne)."""
    message = await receive()
    if message.get("type") == "websocket.connect":
        # The core's close code for the refusal (daphne answers HTTP 403 whatever it is).
        await send({"type": "websocket.close", "code": close_code})


def AllowedHostsOriginValidator(application: ASGIApp) -> OriginValidator:  # noqa: N802 (Channels' name)
    """Factory returning an :class:`OriginValidator` for ``settings.ALLOWED_HOSTS``.

    As in Channels: with ``DEBUG = True`` and an empty ``ALLOWED_HOSTS``, the allowed
    hosts are ``localhost``, ``127.0.0.1`` and ``[::1]``.
    """
    from django.conf import settings

    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return OriginValidator(application, allowed_hosts)


def explain_http(
    application: ASGIApp,
    validator: OriginValidator,
    *,
    mode: Optional[str] = None,
    paths: Optional[Sequence[str]] = None,
) -> ASGIApp:
    """The http side of a ``ProtocolTypeRouter`` that also answers the explain exchange.

    A ``GET <path>?wsguard-explain=1&…`` is answered with the core's verdict for
    ``validator``'s policy (the same answer ``wsguard serve`` gives); every other request
    goes to ``application`` (usually ``get_asgi_application()``). ``mode``: ``"public"``
    (code and reason), ``"full"`` (also the remedy) or ``"off"``; ``None``:
    ``$WSGUARD_EXPLAIN``, else ``"public"``. ``paths``: the WebSocket paths explained
    (``None``: any path).
    """
    explainer = Explainer(validator._describer, mode, paths)

    async def app(scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] == "http" and await explainer.respond(scope, send):
            return None
        return await application(scope, receive, send)

    return app
