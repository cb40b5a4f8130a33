"""wsguard — one WebSocket validator for every tier, with a Rust heart.

The same Origin/Host policy, handshake checks, token extraction and close-code
knowledge as the Rust, C and microcontroller builds of wsguard: same input, same
verdict, same reason.

* :class:`OriginPolicy` — which browser origins may open a socket (and CORS for HTTP).
* :func:`validate_handshake` — validate an upgrade request given as ASGI-style headers.
* :func:`classify_close` / :func:`explain` — what a close code means and what to do.
* :class:`Connection` — one open WebSocket, sans-IO (bytes in, events out, bytes to
  send, caller time): auto-pong, close handshake, limits and heartbeat from the core,
  for asyncio protocols or any other loop.
* URL helpers (:func:`parse_ws_url`, :func:`websocket_url_for_page`) and a frame
  :class:`FrameDecoder` / :func:`encode_frame` for proxies and tests.
* Integrations: :mod:`wsguard.asgi` (FastAPI/Starlette middleware),
  :mod:`wsguard.channels` (Django Channels validators), :mod:`wsguard.websockets`
  (``process_request`` hook for the ``websockets`` server).

Every exception derives from :class:`WsguardError`; malformed arguments raise
:class:`InvalidInput`, a :class:`ValueError`.
"""

from __future__ import annotations

from collections.abc import Mapping as _Mapping

from ._errors import (
    DevAuthBypassRefused,
    HandshakeRejected,
    InvalidInput,
    PolicyError,
    ProtocolError,
    UpgradeFailed,
    UrlError,
    WsguardError,
)
from ._wsguard import (
    ClientHandshake,
    CloseInfo,
    CloseReceived,
    Connection,
    ControlFrame,
    CorsResult,
    Ending,
    Established,
    FollowUpPlan,
    Frame,
    FrameDecoder,
    Handshake,
    Heartbeat,
    HeartbeatAction,
    LintFinding,
    Message,
    Metrics,
    OriginPolicy,
    Ping,
    Pong,
    Reconnect,
    ReconnectDecision,
    ScopeGuard,
    Utf8Validator,
    Verdict,
    WsUrl,
    __version__,
    accept_key,
    check_dev_auth_bypass,
    check_mixed_content,
    classify_close,
    encode_close,
    encode_close_payload,
    encode_frame,
    fit_reason,
    parse_close_payload,
    parse_ws_url,
    peer_limits_admit,
    refusal_response,
    explain,
    explain_scope,
    is_wire_valid,
    lint_origins,
    listen_kind,
    log_target,
    log_text,
    validate_handshake,
    validate_request_bytes,
    websocket_url_for_page,
)

__all__ = [
    "__version__",
    # errors
    "WsguardError",
    "InvalidInput",
    "PolicyError",
    "DevAuthBypassRefused",
    "UrlError",
    "ProtocolError",
    "HandshakeRejected",
    "UpgradeFailed",
    # origin policy, CORS, handshake
    "OriginPolicy",
    "Verdict",
    "CorsResult",
    "Handshake",
    "validate_handshake",
    "validate_request_bytes",
    "accept_key",
    "ClientHandshake",
    "Established",
    "FollowUpPlan",
    "LintFinding",
    "lint_origins",
    # framework integrations: one native call per connection; log-safe network text
    "ScopeGuard",
    "Metrics",
    "log_text",
    "log_target",
    # development auth bypass (never in production, loopback unless overridden)
    "check_dev_auth_bypass",
    "listen_kind",
    # peer limits for servers that own sockets (the core's 503 + Retry-After)
    "peer_limits_admit",
    # an application's own refusal in the core's layout
    "refusal_response",
    # close codes
    "CloseInfo",
    "classify_close",
    "explain",
    "explain_scope",
    "is_wire_valid",
    "parse_close_payload",
    "encode_close_payload",
    "fit_reason",
    # URLs
    "WsUrl",
    "parse_ws_url",
    "websocket_url_for_page",
    "check_mixed_content",
    # connections (sans-IO)
    "Connection",
    "Message",
    "Ping",
    "Pong",
    "CloseReceived",
    "ControlFrame",
    "Ending",
    # frames
    "Frame",
    "FrameDecoder",
    "Utf8Validator",
    "encode_frame",
    "encode_close",
    # heartbeat and reconnect
    "Heartbeat",
    "HeartbeatAction",
    "Reconnect",
    "ReconnectDecision",
]

# A Handshake is also a read-only mapping (``scope["wsguard"]["origin"]``).
_Mapping.register(Handshake)
