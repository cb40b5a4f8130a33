"""The development auth bypass in the Python integrations (shared by :mod:`wsguard.asgi`
and :mod:`wsguard.websockets`).

``dev_auth_bypass=True`` lets a development-preset guard accept a connection that
carries no token (401 ``token_missing`` otherwise). The decisions are the core's
(``wsguard_core::handshake::DevAuthBypass``), the same as in ``wsguard serve``, the std
guard and the C library:

* **Production:** the guard's constructor raises :class:`wsguard.DevAuthBypassRefused`
  (``dev_auth_bypass_production``), so the application never starts. Nothing overrides it.
* **Listen address:** an ASGI app is built before the server binds, so the address is
  checked on every connection: ``scope["server"]`` (``connection.local_address`` for
  ``websockets``), the local address the connection arrived on. Loopback and Unix
  sockets qualify; any other address needs ``dev_auth_bypass_allow_non_loopback=True``
  (a development container). Otherwise the bypass does not apply to that connection —
  a request without a token is refused as usual — and an error naming the code
  (``dev_auth_bypass_non_loopback`` / ``dev_auth_bypass_listen_unknown``) is logged.
* **Loud:** each connection let in without a token is logged as a warning with the
  core's line (``dev_auth_bypass_used``), the same text every tier writes.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from . import _wsguard

STARTUP_WARNING = "dev_auth_bypass is on: connections without a token are accepted and logged (development only)"


def announce(guard: "_wsguard.ScopeGuard", log: logging.Logger) -> None:
    """Logs once, at construction, that the bypass is on."""
    if guard.dev_auth_bypass:
        log.warning("%s", STARTUP_WARNING)


def check_arrival(guard: "_wsguard.ScopeGuard", address: Any, log: logging.Logger) -> None:
    """Logs an error when the bypass is on but may not apply to a connection that arrived
    on ``address`` (the guard then validates it without the bypass)."""
    refusal: Optional[BaseException] = guard.dev_auth_refusal(address)
    if refusal is not None:
        log.error(
            "wsguard dev_auth_bypass does not apply to a connection that arrived on %s: %s",
            _wsguard.log_text(str(address)),
            refusal,
        )


def report(handshake: "_wsguard.Handshake", log: logging.Logger) -> None:
    """Logs the core's warning line for a connection the bypass let in."""
    if handshake.dev_auth_bypassed:
        log.warning("%s", handshake.dev_auth_notice)
