"""The explain exchange (docs/EXPLAIN.md) for the ASGI integrations.

A browser shows ``1006`` for every refused upgrade. The npm package ``wsguard`` then asks
the same URL over plain HTTP (``GET <path>?wsguard-explain=1&token=…``) what the verdict
would be; these helpers answer that ``http`` scope with the Rust core's bytes
(:func:`wsguard._wsguard.explain_scope`), exactly as ``wsguard serve`` and the tokio guard
do. Nothing here decides: the verdict, the JSON body and the CORS headers
(``Access-Control-Allow-Origin: *``, no credentials: the answer grants nothing) come from
the core, which never reveals the allowlist or a token value.

Modes: ``"public"`` (the default: code, status and the public sentence), ``"full"`` (also
the remedy — development, staging), ``"off"`` (the request goes on to the application).
``mode=None`` reads ``WSGUARD_EXPLAIN`` (the variable ``wsguard serve`` reads), else (unset
or empty) ``"public"``.
"""

from __future__ import annotations

import os
from typing import Any, Awaitable, Callable, MutableMapping, Optional, Sequence

from . import _wsguard

__all__ = ["Explainer", "ENV"]

#: The environment variable every guard reads its explain mode from.
ENV = "WSGUARD_EXPLAIN"

_Scope = MutableMapping[str, Any]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Explainer:
    """Answers explain requests for one :class:`wsguard.ScopeGuard`.

    Args:
        guard: the guard whose verdict is explained (its policy, Host allowlist,
            subprotocols and token placement).
        mode: ``"off"``, ``"public"`` or ``"full"``; ``None``: ``$WSGUARD_EXPLAIN``, else
            ``"public"``. An unknown name raises :class:`wsguard.InvalidInput`.
        paths: the WebSocket paths explained (``scope["path"]``); ``None``: any path.

    >>> from wsguard import OriginPolicy, ScopeGuard
    >>> e = Explainer(ScopeGuard(OriginPolicy(allow=["https://app.example.com"])), mode="public")
    >>> e.answer({"type": "http", "method": "GET", "path": "/ws", "query_string": b"room=1", "headers": []}) is None
    True
    """

    def __init__(self, guard: "_wsguard.ScopeGuard", mode: Optional[str] = None, paths: Optional[Sequence[str]] = None) -> None:
        self.guard = guard
        # An empty variable (``WSGUARD_EXPLAIN=`` in a compose file) is the default too.
        self.mode = mode if mode is not None else (os.environ.get(ENV) or "public")
        # The core names the modes: an unknown one is refused here, at construction.
        _wsguard.explain_scope(guard, {}, self.mode)
        self.paths = None if paths is None else frozenset(paths)

    def answer(self, scope: _Scope) -> Optional["tuple[int, list[tuple[bytes, bytes]], bytes]"]:
        """``(status, headers, body)`` when ``scope`` is an explain request, else ``None``."""
        if self.paths is not None and scope.get("path") not in self.paths:
            return None
        return _wsguard.explain_scope(self.guard, scope, self.mode)

    async def respond(self, scope: _Scope, send: _Send) -> bool:
        """Sends the answer and returns ``True`` when ``scope`` is an explain request."""
        answer = self.answer(scope)
        if answer is None:
            return False
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True
