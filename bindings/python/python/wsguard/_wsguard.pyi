"""Type stubs of the native module ``wsguard._wsguard`` (hand-written, checked by mypy.stubtest)."""

from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union, final

from ._errors import DevAuthBypassRefused as DevAuthBypassRefused
from ._errors import HandshakeRejected as HandshakeRejected
from ._errors import InvalidInput as InvalidInput
from ._errors import PolicyError as PolicyError
from ._errors import ProtocolError as ProtocolError
from ._errors import UpgradeFailed as UpgradeFailed
from ._errors import UrlError as UrlError
from ._errors import WsguardError as WsguardError

__all__ = [
    "ClientHandshake",
    "CloseInfo",
    "CloseReceived",
    "Connection",
    "ControlFrame",
    "CorsResult",
    "DevAuthBypassRefused",
    "Ending",
    "Established",
    "FollowUpPlan",
    "Frame",
    "FrameDecoder",
    "Handshake",
    "HandshakeRejected",
    "Heartbeat",
    "HeartbeatAction",
    "InvalidInput",
    "LintFinding",
    "Message",
    "Metrics",
    "OriginPolicy",
    "Ping",
    "Pong",
    "PolicyError",
    "ProtocolError",
    "Reconnect",
    "ReconnectDecision",
    "ScopeGuard",
    "UpgradeFailed",
    "UrlError",
    "Utf8Validator",
    "Verdict",
    "WsUrl",
    "WsguardError",
    "__version__",
    "accept_key",
    "check_dev_auth_bypass",
    "check_mixed_content",
    "classify_close",
    "encode_close",
    "encode_close_payload",
    "encode_frame",
    "explain",
    "explain_scope",
    "fit_reason",
    "is_wire_valid",
    "lint_origins",
    "listen_kind",
    "log_target",
    "log_text",
    "parse_close_payload",
    "peer_limits_admit",
    "refusal_response",
    "parse_ws_url",
    "validate_handshake",
    "validate_request_bytes",
    "websocket_url_for_page",
]

__version__: str

_Text = Union[str, bytes, bytearray]
_OriginArg = Union[str, bytes, bytearray, None, Sequence[Union[str, bytes]]]
_Headers = Union[
    Sequence[Tuple[_Text, _Text]],
    Sequence[List[_Text]],
    Mapping[_Text, Union[_Text, Sequence[_Text], None]],
]

# -- close codes ---------------------------------------------------------------------

@final
class CloseInfo:
    """Everything wsguard knows about one close code (see ``classify_close``)."""

    @property
    def code(self) -> int: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def category(self) -> str: ...
    @property
    def wire_valid(self) -> bool: ...
    @property
    def sender(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def causes(self) -> List[Tuple[str, str]]: ...
    @property
    def remedy(self) -> str: ...
    @property
    def retry(self) -> str: ...
    @property
    def app_defined(self) -> bool: ...
    @property
    def registration(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def classify_close(code: int, *, conventions: bool = False) -> CloseInfo:
    """Classifies a close code (0–65535)."""

def explain(code: int, *, conventions: bool = False) -> str:
    """A multi-line, human explanation of a close code."""

def explain_scope(
    guard: ScopeGuard, scope: Mapping[str, Any], mode: str = "public"
) -> Optional[Tuple[int, List[Tuple[bytes, bytes]], bytes]]:
    """The core's answer ``(status, headers, body)`` to an explain request scope, else ``None``."""

def is_wire_valid(code: int) -> bool:
    """``True`` when ``code`` may appear in a Close frame on the wire."""

def parse_close_payload(payload: _Text) -> Tuple[Optional[int], str]:
    """Parses a Close frame payload into ``(code, reason)``."""

def encode_close_payload(code: int, reason: str = "", *, max_size: int = 125) -> bytes:
    """Builds a Close frame payload (code + reason)."""

def fit_reason(reason: str) -> str:
    """Cuts ``reason`` to at most 123 UTF-8 bytes."""

# -- origin policy, CORS, lint -------------------------------------------------------

@final
class Verdict:
    """The outcome of an Origin or Host check. Truthy when allowed."""

    @property
    def allowed(self) -> bool: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def reason(self) -> str: ...
    @property
    def remedy(self) -> str: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def detail(self) -> Optional[str]: ...
    @property
    def origin(self) -> Optional[str]: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def near_miss(self) -> Optional[str]: ...
    @property
    def near_miss_code(self) -> Optional[str]: ...
    @property
    def close_code(self) -> Optional[int]: ...
    def __bool__(self) -> bool: ...

@final
class CorsResult:
    """The CORS answer for one HTTP request."""

    @property
    def allowed(self) -> bool: ...
    @property
    def preflight(self) -> bool: ...
    @property
    def is_cors(self) -> bool: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def headers(self) -> List[Tuple[str, str]]: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def reason(self) -> str: ...
    @property
    def remedy(self) -> str: ...
    @property
    def refused(self) -> Optional[str]: ...
    def __bool__(self) -> bool: ...

@final
class LintFinding:
    """One mistake found in a list of allowed origins."""

    @property
    def index(self) -> int: ...
    @property
    def entry(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def remedy(self) -> str: ...
    @property
    def suggestion(self) -> Optional[str]: ...
    @property
    def other(self) -> Optional[int]: ...
    @property
    def pattern_error(self) -> Optional[str]: ...
    @property
    def malformed(self) -> Optional[str]: ...

@final
class OriginPolicy:
    """Which browser origins may open a WebSocket (and get CORS headers)."""

    def __new__(
        cls,
        allow: Optional[Sequence[str]] = None,
        *,
        allow_null: bool = False,
        allow_missing: bool = False,
        preset: Optional[str] = None,
        dev_hosts: Optional[Sequence[str]] = None,
        hosts: Optional[Sequence[str]] = None,
    ) -> "OriginPolicy": ...
    def check(self, origin: _OriginArg) -> Verdict:
        """Checks one Origin header value (``None``: absent)."""
    def is_allowed(self, origin: _OriginArg) -> bool:
        """``True`` when ``check(origin)`` would allow it."""
    def check_host(self, host: _Text) -> Verdict:
        """Checks a Host header value against the ``hosts`` allowlist."""
    def cors(
        self,
        origin: _OriginArg,
        method: Optional[_Text] = None,
        *,
        request_method: Optional[_Text] = None,
        request_headers: Optional[_Text] = None,
        credentials: bool = False,
        methods: str = "GET, HEAD, POST",
        headers: str = "",
        expose_headers: str = "",
        max_age: Optional[int] = None,
    ) -> CorsResult:
        """The CORS answer for an HTTP request."""
    def cors_headers(
        self,
        origin: _OriginArg,
        method: Optional[_Text] = None,
        *,
        request_method: Optional[_Text] = None,
        request_headers: Optional[_Text] = None,
        credentials: bool = False,
        methods: str = "GET, HEAD, POST",
        headers: str = "",
        expose_headers: str = "",
        max_age: Optional[int] = None,
    ) -> List[Tuple[str, str]]:
        """Just the CORS response headers."""
    def lint(self, *, credentials: bool = False, dev_auth_bypass: bool = False) -> List[LintFinding]:
        """Runs the policy linter over this policy's entries."""
    def refusal(self, headers: Iterable[Tuple[_Text, _Text]]) -> Optional[Verdict]:
        """The Origin refusal for an ASGI header list, or ``None`` when allowed."""
    def summary(self) -> Dict[str, Any]:
        """A JSON-friendly dict describing the policy."""
    @property
    def allow(self) -> List[str]: ...
    @property
    def allow_null(self) -> bool: ...
    @property
    def allow_missing(self) -> bool: ...
    @property
    def preset(self) -> str: ...
    @property
    def dev_hosts(self) -> List[str]: ...
    @property
    def hosts(self) -> List[str]: ...

def lint_origins(
    allow: Sequence[str],
    *,
    preset: Optional[str] = None,
    credentials: bool = False,
    allow_null: bool = False,
    allow_missing: bool = False,
    dev_auth_bypass: bool = False,
) -> List[LintFinding]:
    """Explains each mistake in a list of allowed-origin strings."""

# -- handshake -----------------------------------------------------------------------

@final
class Handshake:
    """An accepted WebSocket upgrade."""

    @property
    def accept(self) -> str: ...
    @property
    def subprotocol(self) -> Optional[str]: ...
    @property
    def token(self) -> Optional[str]: ...
    @property
    def token_source(self) -> Optional[str]: ...
    @property
    def origin(self) -> Optional[str]: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Optional[str]: ...
    @property
    def host(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def extensions(self) -> List[Tuple[str, List[Tuple[str, Optional[str]]]]]: ...
    @property
    def dev_auth_bypassed(self) -> bool: ...
    @property
    def dev_auth_notice(self) -> Optional[str]: ...
    @property
    def response(self) -> bytes: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def keys(self) -> List[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...

def validate_handshake(
    headers: _Headers,
    *,
    policy: OriginPolicy,
    subprotocols: Optional[Sequence[str]] = None,
    require_subprotocol: bool = False,
    path: Optional[_Text] = None,
    method: Optional[_Text] = None,
    offered_subprotocols: Optional[Sequence[str]] = None,
    token_authorization: bool = False,
    token_query: Optional[str] = None,
    token_subprotocol_prefix: Optional[str] = None,
    token_subprotocol_marker: Optional[str] = None,
    require_token: bool = False,
    assume_upgrade: bool = False,
    max_headers: Optional[int] = None,
    max_line: Optional[int] = None,
    max_total: Optional[int] = None,
) -> Handshake:
    """Validates a WebSocket upgrade request given as a header list.

    ``token_subprotocol_prefix`` (entry ``<prefix><token>``) and
    ``token_subprotocol_marker`` (``<marker>, <token>``) are one form or the other:
    both set, or either ``""``, raises :class:`InvalidInput` with the core's code
    ``token_subprotocol_conflict``, ``token_subprotocol_empty_prefix`` or
    ``token_subprotocol_empty_marker``; neither set: no token in the subprotocols.
    """

def validate_request_bytes(
    request: _Text,
    *,
    policy: OriginPolicy,
    subprotocols: Optional[Sequence[str]] = None,
    require_subprotocol: bool = False,
    token_authorization: bool = False,
    token_query: Optional[str] = None,
    token_subprotocol_prefix: Optional[str] = None,
    token_subprotocol_marker: Optional[str] = None,
    require_token: bool = False,
    max_headers: Optional[int] = None,
    max_line: Optional[int] = None,
    max_total: Optional[int] = None,
) -> Optional[Handshake]:
    """Validates raw request bytes; ``None`` when the head is incomplete.

    The token options as for :func:`validate_handshake` (both subprotocol forms at once:
    :class:`InvalidInput` ``token_subprotocol_conflict``).
    """

def accept_key(key: _Text) -> str:
    """The ``Sec-WebSocket-Accept`` value for a ``Sec-WebSocket-Key``."""

# -- URLs ----------------------------------------------------------------------------

@final
class WsUrl:
    """A parsed, valid ws:// or wss:// URL."""

    @property
    def secure(self) -> bool: ...
    @property
    def scheme(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def host_kind(self) -> str: ...
    @property
    def port(self) -> Optional[int]: ...
    @property
    def port_or_default(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Optional[str]: ...
    @property
    def resource_name(self) -> str: ...
    @property
    def host_header(self) -> str: ...

def parse_ws_url(url: str) -> WsUrl:
    """Parses and validates a ws:// / wss:// URL."""

def websocket_url_for_page(page_url: str, target: str = "/", *, port: Optional[int] = None, max_size: Optional[int] = None) -> str:
    """The WebSocket URL a page should open for ``target``."""

def check_mixed_content(page_url: str, ws_url: str) -> None:
    """Raises ``UrlError`` when the page may not open ``ws_url``."""

# -- frames --------------------------------------------------------------------------

@final
class Frame:
    """One complete frame decoded by ``FrameDecoder``."""

    @property
    def type(self) -> str: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def fin(self) -> bool: ...
    @property
    def opcode(self) -> int: ...
    @property
    def close_code(self) -> Optional[int]: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def payload(self) -> bytes: ...

@final
class FrameDecoder:
    """A streaming RFC 6455 frame decoder for one connection."""

    def __new__(
        cls,
        role: Optional[str] = None,
        *,
        max_frame: Optional[int] = None,
        max_message: Optional[int] = None,
        strict_length: bool = True,
        allowed_rsv: int = 0,
        allowed_opcodes: int = 0,
        accept_text: bool = True,
        accept_binary: bool = True,
    ) -> "FrameDecoder": ...
    def feed(self, data: _Text) -> None:
        """Appends received bytes."""
    def next_frame(self) -> Optional[Frame]:
        """The next complete frame, or ``None``."""
    def receive(self, data: _Text) -> List[Frame]:
        """``feed(data)`` then every complete frame."""
    @property
    def needed(self) -> int: ...
    @property
    def buffered(self) -> int: ...
    @property
    def in_message(self) -> bool: ...

@final
class Message:
    """A complete message from the peer."""

    @property
    def kind(self) -> str: ...
    @property
    def data(self) -> Union[str, bytes]: ...

@final
class Ping:
    """A ping from the peer; its pong is already queued."""

    @property
    def payload(self) -> bytes: ...

@final
class Pong:
    """A pong from the peer; ``rtt_ms`` when it answers the heartbeat's ping."""

    @property
    def payload(self) -> bytes: ...
    @property
    def rtt_ms(self) -> Optional[int]: ...

@final
class CloseReceived:
    """The peer's Close frame; the reply is queued."""

    @property
    def code(self) -> Optional[int]: ...
    @property
    def reason(self) -> str: ...

@final
class ControlFrame:
    """A frame with a reserved control opcode that the configuration allows."""

    @property
    def opcode(self) -> int: ...
    @property
    def payload(self) -> bytes: ...

@final
class Ending:
    """Why the connection ended."""

    @property
    def kind(self) -> str: ...
    @property
    def code(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def by_peer(self) -> Optional[bool]: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def error_reason(self) -> Optional[str]: ...
    @property
    def info(self) -> CloseInfo: ...

_Event = Union[Message, Ping, Pong, CloseReceived, ControlFrame]

@final
class Connection:
    """One open WebSocket (after the handshake), sans-IO: the core's connection engine."""

    def __new__(
        cls,
        role: str,
        *,
        max_message: int = 16777216,
        max_frame: int = 16777216,
        heartbeat: Optional[Tuple[int, int, int]] = None,
        close_timeout_ms: int = 5000,
        mask_seed: Optional[int] = None,
        now: int = 0,
    ) -> "Connection": ...
    def receive_data(self, data: _Text, now: Optional[int] = None) -> List[_Event]:
        """Feeds received bytes; returns the events they completed."""
    def data_to_send(self) -> bytes:
        """Everything to write to the transport now."""
    def send_text(self, text: str) -> None:
        """Queues a text message."""
    def send_binary(self, data: _Text) -> None:
        """Queues a binary message."""
    def send(self, kind: str, data: _Text) -> None:
        """Queues a ``"text"`` or ``"binary"`` message."""
    def ping(self, payload: Optional[_Text] = None) -> None:
        """Queues a ping."""
    def close(self, code: Optional[int] = None, reason: str = "", now: Optional[int] = None) -> None:
        """Starts the closing handshake (``code`` default 1000)."""
    def receive_eof(self, now: Optional[int] = None) -> None:
        """The transport reached end of file."""
    def next_timeout(self) -> Optional[int]:
        """The next deadline (ms) for ``handle_timeout``."""
    def handle_timeout(self, now: int) -> None:
        """Runs the heartbeat and close timers."""
    @property
    def ending(self) -> Optional[Ending]: ...
    @property
    def is_finished(self) -> bool: ...
    @property
    def role(self) -> str: ...
    @property
    def rtt_ms(self) -> Optional[int]: ...

@final
class Utf8Validator:
    """Incremental UTF-8 validation of a text message."""

    def __new__(cls) -> "Utf8Validator": ...
    def feed(self, data: _Text) -> None:
        """Validates the next chunk."""
    def finish(self) -> None:
        """Checks the message did not end inside a code point."""
    def reset(self) -> None:
        """Starts a new message."""
    @property
    def is_boundary(self) -> bool: ...

def encode_frame(opcode: Union[int, str], payload: Optional[_Text] = None, *, fin: bool = True, mask: Optional[bytes] = None) -> bytes:
    """Encodes one frame (no rule checked)."""

def encode_close(code: Optional[int] = None, reason: str = "", *, mask: Optional[bytes] = None) -> bytes:
    """Encodes a Close frame after checking the close rules."""

# -- heartbeat and reconnect ---------------------------------------------------------

@final
class HeartbeatAction:
    """What the heartbeat wants now."""

    @property
    def action(self) -> str: ...
    @property
    def seq(self) -> Optional[int]: ...
    @property
    def until(self) -> Optional[int]: ...
    @property
    def payload(self) -> Optional[bytes]: ...

@final
class Heartbeat:
    """Ping/pong keep-alive for one connection, driven by caller-supplied time (ms)."""

    def __new__(
        cls,
        now: int = 0,
        *,
        interval_ms: int = 20000,
        dead_timeout_ms: int = 30000,
        max_missed: int = 2,
        role: Optional[str] = None,
    ) -> "Heartbeat": ...
    def poll(self, now: int) -> HeartbeatAction:
        """What to do at ``now``."""
    def on_pong(self, now: int, payload: _Text) -> Optional[int]:
        """A pong arrived; returns the round-trip time."""
    def on_ping_received(self, now: int) -> bool:
        """A ping arrived; ``True`` when a pong should be sent."""
    def on_activity(self, now: int) -> None:
        """Anything else arrived."""
    def on_close(self, now: int) -> None:
        """The closing handshake started."""
    @property
    def dead_reason(self) -> Optional[str]: ...
    @property
    def dead_explanation(self) -> Optional[str]: ...
    @property
    def last_rtt(self) -> Optional[int]: ...
    @property
    def smoothed_rtt(self) -> Optional[int]: ...
    @property
    def stale_pongs(self) -> int: ...
    @property
    def unsolicited_pongs(self) -> int: ...
    @property
    def unanswered_pings(self) -> int: ...

@final
class ReconnectDecision:
    """What a client should do after a disconnect."""

    @property
    def decision(self) -> str: ...
    @property
    def stop_reason(self) -> Optional[str]: ...
    @property
    def at_ms(self) -> Optional[int]: ...
    @property
    def attempt(self) -> Optional[int]: ...
    @property
    def delay_ms(self) -> Optional[int]: ...
    @property
    def code(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def remedy(self) -> str: ...

@final
class Reconnect:
    """Reconnect/backoff decisions for one client."""

    def __new__(
        cls,
        *,
        base_ms: int = 1000,
        cap_ms: int = 30000,
        max_attempts: int = 0,
        jitter: str = "equal",
        stable_after_ms: int = 10000,
        going_away_delay_ms: int = 2000,
        overload_delay_ms: int = 10000,
        max_retry_after_ms: int = 600000,
        registry: str = "conventions",
    ) -> "Reconnect": ...
    def on_connected(self, now: int) -> None:
        """The connection opened at ``now``."""
    def on_disconnect(
        self,
        now: int,
        *,
        close: Optional[int] = None,
        http_status: Optional[int] = None,
        retry_after_s: Optional[int] = None,
        transport: Optional[str] = None,
        random: int = 0,
    ) -> ReconnectDecision:
        """The connection ended; returns what to do."""
    def reset(self) -> None:
        """Forget past attempts."""
    @property
    def attempts(self) -> int: ...

# -- client handshake ----------------------------------------------------------------

@final
class Established:
    """A successful upgrade seen from the client."""

    @property
    def subprotocol(self) -> Optional[str]: ...
    @property
    def server(self) -> Optional[str]: ...
    @property
    def consumed(self) -> int: ...
    @property
    def extensions(self) -> List[str]: ...

@final
class ClientHandshake:
    """The client half of the opening handshake for one connection attempt."""

    def __new__(
        cls,
        host: str,
        path: Optional[str] = None,
        *,
        nonce: Optional[bytes] = None,
        origin: Optional[str] = None,
        subprotocols: Optional[Sequence[str]] = None,
        extensions: Optional[str] = None,
        token: Optional[str] = None,
        token_placement: str = "authorization",
        token_name: Optional[str] = None,
    ) -> "ClientHandshake": ...
    @property
    def request(self) -> bytes: ...
    @property
    def key(self) -> str: ...
    def validate_response(self, data: _Text) -> Optional[Established]:
        """Validates the bytes received so far."""
    def plan(
        self, first: _Text, *, own_origin: str, origin_is_own: bool = False
    ) -> Optional["FollowUpPlan"]:
        """The differential plan for a refused answer, or None when it names its cause."""

@final
class FollowUpPlan:
    """Which follow-up separates the causes of an ambiguous refusal (the core's plan)."""

    @property
    def next_step(self) -> Optional[str]: ...
    def request(self, step: str) -> bytes:
        """The request bytes of follow-up ``step``."""
    def record(self, step: str, answer: _Text, *, at_end: bool = False) -> bool:
        """Records the answer to ``step``; False while it is incomplete."""
    @property
    def established(self) -> Optional[str]: ...
    @property
    def evidence(self) -> Optional[str]: ...
    @property
    def causes(self) -> List[str]: ...
    @property
    def hint(self) -> Optional[str]: ...
    @property
    def explanation(self) -> str: ...
    @property
    def remedy(self) -> str: ...

# -- guard and log helpers ----------------------------------------------------------

@final
class ScopeGuard:
    """A policy plus handshake options, converted once; one native call per connection.

    The token options as for :func:`validate_handshake`: both subprotocol forms at once
    raise :class:`InvalidInput` (``token_subprotocol_conflict``) here, at construction.
    """

    def __new__(
        cls,
        policy: OriginPolicy,
        *,
        subprotocols: Optional[Sequence[str]] = None,
        require_subprotocol: bool = False,
        token_authorization: bool = False,
        token_query: Optional[str] = None,
        token_subprotocol_prefix: Optional[str] = None,
        token_subprotocol_marker: Optional[str] = None,
        require_token: bool = False,
        dev_auth_bypass: bool = False,
        dev_auth_bypass_allow_non_loopback: bool = False,
        metrics: Optional["Metrics"] = None,
    ) -> "ScopeGuard": ...
    @property
    def metrics(self) -> "Metrics": ...
    def check_scope(self, scope: Mapping[str, Any]) -> Handshake:
        """Validates one ASGI websocket scope (raises HandshakeRejected)."""
    def check_request(self, headers: Iterable[Tuple[_Text, _Text]], path: _Text, server: Any = None) -> Handshake:
        """Validates a header list and request target (raises HandshakeRejected)."""
    @property
    def dev_auth_bypass(self) -> bool: ...
    def dev_auth_refusal(self, address: Any) -> Optional[DevAuthBypassRefused]:
        """Why the development auth bypass does not apply on ``address`` (``None``: it does or is off)."""
    def check_listen(self, address: Any) -> None:
        """Raises DevAuthBypassRefused for a listen address the bypass may not run on."""
    def log_target(self, target: _Text) -> str:
        """The request target escaped for a log line, query tokens redacted."""
    def describe(self, scope: Mapping[str, Any]) -> Tuple[str, str, str]:
        """``(target, origin, client)`` of a scope, each safe for a log line."""
    def counts(self) -> Tuple[int, int]:
        """``(accepted, refused)``."""
    @property
    def policy(self) -> OriginPolicy: ...

@final
class Metrics:
    """Counters ``wsguard serve`` exports (accepts, refusals by code, closes, heartbeat timeouts)."""

    def __new__(cls) -> "Metrics": ...
    def closed(self, code: Optional[int] = None) -> None: ...
    def app_closed(self, code: Any = None) -> None: ...
    def peer_disconnected(self, code: Any = None) -> None: ...
    def app_finished(self, raised: bool) -> None: ...
    def heartbeat_timeout(self) -> None: ...
    def connection_opened(self) -> None: ...
    def connection_closed(self) -> None: ...
    @property
    def connections_active(self) -> int: ...
    def snapshot(self) -> Dict[str, Any]: ...
    def prometheus_text(self) -> str: ...

def listen_kind(address: Any) -> str:
    """``"loopback"``, ``"unix_socket"``, ``"network"`` or ``"unknown"``."""

def check_dev_auth_bypass(preset: str, listen: Any, *, allow_non_loopback: bool = False) -> None:
    """Raises DevAuthBypassRefused unless the development auth bypass may run there."""

def peer_limits_admit(
    connections: int,
    from_address: int,
    upgrading: int,
    *,
    max_connections: Optional[int] = None,
    max_per_address: Optional[int] = None,
    max_upgrading: Optional[int] = None,
    retry_after_s: Optional[int] = None,
) -> Optional[Tuple[str, int, int, bytes]]:
    """``None`` when one more connection fits, else ``(code, status, close_code, answer)`` (the core's 503)."""

def refusal_response(
    status: int, code: str, reason: str, remedy: str, headers: Optional[List[Tuple[str, str]]] = None
) -> bytes:
    """An application's own refusal written by the core (status 400-599, snake_case code, one-line text)."""

def log_text(value: Optional[_Text], max_bytes: Optional[int] = None) -> str:
    """Network text escaped for a log line or a terminal."""

def log_target(target: _Text, token_query: Optional[str] = None) -> str:
    """A request target escaped for a log line, query tokens redacted."""
