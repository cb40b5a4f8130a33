//! The built-in knowledge: IANA-registered codes (1000–1015 from RFC 6455 and later
//! RFCs; 3000, 3003, 3008 registered for libraries) and the RFC 6455 ranges. The
//! conventions (4401 …) live in [`registry`](super::registry) and are overlaid by
//! [`classify`](super::classify).

use super::{Category, LikelyCause as C, Retry, Sender};

pub(super) struct Entry {
    pub name: Option<&'static str>,
    pub category: Category,
    pub sender: Sender,
    pub description: &'static str,
    pub causes: &'static [C],
    pub remedy: &'static str,
    pub retry: Retry,
}

const fn reg(
    name: &'static str,
    category: Category,
    sender: Sender,
    retry: Retry,
    description: &'static str,
    causes: &'static [C],
    remedy: &'static str,
) -> Entry {
    Entry {
        name: Some(name),
        category,
        sender,
        description,
        causes,
        remedy,
        retry,
    }
}

const E1000: Entry = reg("normal_closure", Category::Normal, Sender::Either, Retry::Never,
    "the connection was closed on purpose after it had done its job",
    &[
        C::new("the user logged out, closed the view or the app called close() without an error",
            "nothing to fix; reconnect only if the user asks for it"),
        C::new("the server ends sessions it considers finished (end of stream, session expired) with 1000",
            "if the client should stay connected, have the server send 4000–4999 or 1001 with a reason instead"),
    ],
    "nothing is wrong; do not reconnect automatically",
);

const E1001: Entry = reg("going_away", Category::GoingAway, Sender::Either, Retry::Soon,
    "the other side is going away: the server is shutting down or redeploying, or the browser tab navigated away",
    &[
        C::new("the server (or a pod behind the load balancer) is being stopped or redeployed",
            "reconnect after a short random delay; another instance usually takes over"),
        C::new("the browser page was closed, reloaded or navigated away (seen on the server)",
            "nothing to fix on the server; the client will come back if the user does"),
        C::new("a proxy is reloading its configuration (nginx reload, ingress rollout)",
            "reconnect after a short delay; set worker_shutdown_timeout in nginx to drain sockets gracefully"),
    ],
    "reconnect after a short random delay",
);

const E1002: Entry = reg("protocol_error", Category::ProtocolError, Sender::Either, Retry::Never,
    "one side broke the WebSocket protocol (a malformed or forbidden frame), so the other side hung up",
    &[
        C::new("a client sent unmasked frames or a server sent masked ones",
            "clients must mask every frame and servers must not; use a maintained WebSocket library instead of hand-written framing"),
        C::new("a control frame (ping, pong, close) was fragmented or carried more than 125 bytes",
            "keep ping/pong payloads and close reasons small (close reason at most 123 bytes)"),
        C::new("reserved bits were set without a negotiated extension (compression enabled on one side only)",
            "enable permessage-deflate only when the server's 101 response lists it in Sec-WebSocket-Extensions"),
    ],
    "this is a bug in one of the two WebSocket implementations: find which frame was rejected (wsguard frame diagnostics) and fix the sender; reconnecting will fail the same way",
);

const E1003: Entry = reg("unsupported_data", Category::UnsupportedData, Sender::Either, Retry::Never,
    "the other side received a kind of message it cannot handle (binary where it expects text, or the reverse)",
    &[
        C::new("the client sent binary frames (ArrayBuffer, Blob, bytes) to a server that only accepts text (JSON)",
            "send text: JSON.stringify(...) in the browser, send_text/str in Python"),
        C::new("the server sent text to a client that only accepts binary (protobuf, msgpack)",
            "agree on one message type per subprotocol and document it"),
    ],
    "send the message type the other side expects; reconnecting will fail the same way",
);

const E1004: Entry = Entry {
    name: Some("reserved"),
    category: Category::Reserved,
    sender: Sender::NeverSent,
    description: "1004 is reserved by RFC 6455 and has no meaning; no endpoint may send it",
    causes: &[C::new(
        "the peer put a reserved code in its Close frame",
        "fix the peer to send a valid code (1000, 1001, 1008, 1011 or 4000–4999)",
    )],
    remedy: "the sender is broken: make it send a valid close code",
    retry: Retry::Never,
};

const E1005: Entry = reg("no_status_received", Category::Normal, Sender::LocalOnly, Retry::WithBackoff,
    "the other side closed cleanly but did not say why (its Close frame was empty); this number is only reported locally, never sent",
    &[
        C::new("the browser called ws.close() without arguments",
            "call ws.close(1000) or ws.close(4000 + n, \"reason\") so the server knows why"),
        C::new("the server closed with an empty Close frame (some libraries do that on shutdown)",
            "send 1000 for a finished session or 1001 for shutdown, with a short reason"),
    ],
    "make the closing side send an explicit code; until then treat it as a possibly transient end and reconnect with backoff",
);

const E1006: Entry = reg("abnormal_closure", Category::TransportFailure, Sender::LocalOnly, Retry::WithBackoff,
    "the connection failed or dropped without a closing handshake; browsers report 1006 for every failure, including a refused upgrade, so the real reason is elsewhere",
    &[
        C::new("the server refused the upgrade: 403 (Origin not allowed), 401 (missing or expired token) or 400 (bad request); the browser hides the HTTP status",
            "check the server log or run `wsguard probe <url> --origin <page origin>` to see the HTTP status and the reason"),
        C::new("a reverse proxy stripped the Upgrade/Connection headers (nginx without proxy_set_header Upgrade $http_upgrade; Connection \"upgrade\")",
            "configure the proxy to pass Upgrade and Connection and use HTTP/1.1 to the upstream (proxy_http_version 1.1)"),
        C::new("a proxy or load balancer cut an idle connection (nginx proxy_read_timeout 60 s, AWS ALB idle timeout 60 s, Cloudflare 100 s)",
            "send heartbeats more often than the shortest idle timeout (e.g. a ping every 20–30 s) or raise the timeout"),
        C::new("TLS failed: certificate expired, wrong host name, self-signed certificate, or wss:// pointed at a plain-HTTP port",
            "open the https:// URL of the same host in the browser to see the certificate error; use wss:// on the TLS port only"),
        C::new("the server process crashed or was killed, or the network dropped (Wi-Fi change, laptop sleep)",
            "reconnect with backoff; check the server for crashes and out-of-memory kills"),
    ],
    "look at the server side (log, proxy log, `wsguard probe`) for the real cause; reconnect with backoff meanwhile",
);

const E1007: Entry = reg("invalid_payload_data", Category::UnsupportedData, Sender::Either, Retry::Never,
    "a message's content was invalid for its type, most often a text message that is not valid UTF-8",
    &[
        C::new("text frames carried bytes that are not UTF-8 (Latin-1 strings, binary data sent as text, a multi-byte character cut between fragments)",
            "send binary data as binary frames, and encode text as UTF-8 before sending"),
        C::new("the application rejected a message whose content did not match its schema and used 1007 to say so",
            "log the rejected message on the server and fix the sender's serialization"),
    ],
    "fix the sender's encoding; reconnecting will fail the same way",
);

const E1008: Entry = reg("policy_violation", Category::PolicyAuth, Sender::Server, Retry::AfterReauth,
    "the server closed the connection because it violates its policy: usually authentication, authorization or Origin",
    &[
        C::new("the token is missing, expired or invalid (many frameworks close with 1008 after accept)",
            "refresh or obtain a new token, then reconnect"),
        C::new("the page's Origin is not in the server's allowed list",
            "add the exact page origin (scheme://host[:port], no path) to the WebSocket allowed origins — the same list as CORS"),
        C::new("the client sent a message it is not allowed to send, or exceeded a rate limit",
            "check the close reason text and the server log for the rule that was hit"),
    ],
    "re-authenticate (or fix the Origin allowlist) before reconnecting; blind reconnects will be refused again",
);

const E1009: Entry = reg("message_too_big", Category::TooBig, Sender::Either, Retry::Never,
    "a message was larger than the receiver's size limit",
    &[
        C::new("the message exceeded the server's limit (Python websockets max_size 1 MiB, uvicorn ws_max_size 16 MiB, tungstenite max_message_size 64 MiB)",
            "split large payloads into chunks, or raise the limit on the receiver"),
        C::new("a client-side limit refused a large server message",
            "raise the client's max message size or have the server paginate"),
    ],
    "send smaller messages or raise the receiver's limit; reconnecting and resending fails the same way",
);

const E1010: Entry = reg("mandatory_extension", Category::Extension, Sender::Client, Retry::Never,
    "the client needed an extension (e.g. permessage-deflate) that the server did not accept in its handshake response",
    &[
        C::new("the client requires compression but the server or a proxy removed Sec-WebSocket-Extensions",
            "enable the extension on the server, or make the client accept a connection without it"),
    ],
    "align the extension configuration of client and server",
);

const E1011: Entry = reg("internal_error", Category::ServerError, Sender::Server, Retry::WithBackoff,
    "the server hit an unexpected error (an exception in the handler) and closed the connection",
    &[
        C::new("an unhandled exception in the server's WebSocket handler (ASGI frameworks send 1011 for it)",
            "read the server's traceback for this connection and fix the handler"),
        C::new("a dependency of the server (database, cache, upstream API) failed",
            "check the server's dependencies; the client can retry with backoff"),
    ],
    "look at the server log for the exception; the client may reconnect with backoff",
);

const E1012: Entry = reg(
    "service_restart",
    Category::RestartOverload,
    Sender::Server,
    Retry::WithBackoff,
    "the server is restarting",
    &[C::new(
        "a deployment or restart is in progress",
        "reconnect with a randomized backoff (5–30 s) so clients do not all come back at once",
    )],
    "reconnect with randomized backoff",
);

const E1013: Entry = reg("try_again_later", Category::RestartOverload, Sender::Server, Retry::AfterDelay,
    "the server is overloaded or rate limiting and asks the client to come back later",
    &[
        C::new("too many connections or messages on the server",
            "wait at least the minimum overload delay before reconnecting, and back off further on repeats"),
        C::new("this client reconnected too often",
            "check for a reconnect loop without backoff in the client"),
    ],
    "reconnect only after a longer delay, with backoff",
);

const E1014: Entry = reg(
    "bad_gateway",
    Category::ServerError,
    Sender::Server,
    Retry::WithBackoff,
    "a gateway or proxy in front of the WebSocket server got an invalid response from it",
    &[
        C::new(
            "the upstream WebSocket server is down or restarting behind the gateway",
            "check the upstream's health; the client may retry with backoff",
        ),
        C::new(
            "the gateway points to the wrong upstream port or protocol",
            "check the gateway's upstream address (ws:// vs wss://, port)",
        ),
    ],
    "check the server behind the gateway; reconnect with backoff",
);

const E1015: Entry = reg("tls_handshake", Category::Tls, Sender::LocalOnly, Retry::WithBackoff,
    "the TLS handshake failed, so no WebSocket connection was made; this number is only reported locally, never sent",
    &[
        C::new("the server certificate expired, is self-signed, or does not name the host in the URL",
            "renew or fix the certificate (its SAN must list the host); on devices, update the trusted root certificates"),
        C::new("wss:// was used on a port that speaks plain HTTP (or ws:// on a TLS port)",
            "use wss:// with the TLS port (443) and ws:// with the plain port"),
        C::new("the device's clock is wrong, so a valid certificate looks expired or not yet valid",
            "set the clock (SNTP) before connecting"),
    ],
    "fix the certificate, the port or the clock; retries with backoff will succeed once it is fixed",
);

const INVALID_LOW: Entry = Entry {
    name: None,
    category: Category::Invalid,
    sender: Sender::NeverSent,
    description: "codes 0–999 are not used by WebSocket; no endpoint may send them",
    causes: &[C::new("the peer put an HTTP status or another small number in its Close frame",
        "send a WebSocket close code instead: 1000 normal, 1008 policy, 1011 error, or an application code 4000–4999")],
    remedy: "the sender is broken: make it send a valid close code",
    retry: Retry::Never,
};

const RESERVED: Entry = Entry {
    name: None,
    category: Category::Reserved,
    sender: Sender::NeverSent,
    description: "codes 1016–2999 are reserved for future WebSocket standards and must not be sent",
    causes: &[C::new(
        "the peer invented a code in the reserved range",
        "use 4000–4999 for application-specific codes",
    )],
    remedy: "the sender is broken: make it use 4000–4999 for its own codes",
    retry: Retry::Never,
};

const E3000: Entry = reg("unauthorized", Category::PolicyAuth, Sender::Server, Retry::AfterReauth,
    "the server refused the connection because it is not authenticated (IANA-registered 3000, the WebSocket analogue of HTTP 401)",
    &[
        C::new("no credentials were sent, or the token expired", "obtain valid credentials (log in, refresh the token), then reconnect"),
    ],
    "obtain valid credentials (log in, refresh the token), then reconnect",
);

const E3003: Entry = reg("forbidden", Category::PolicyAuth, Sender::Server, Retry::AfterReauth,
    "the server refused the connection: the authenticated user may not use this resource (IANA-registered 3003, the WebSocket analogue of HTTP 403)",
    &[
        C::new("the account lacks the permission for this channel or resource", "use an account with access, or ask for the permission"),
    ],
    "use an account with access, or ask for the permission; reconnecting with the same credentials fails again",
);

const E3008: Entry = reg("timeout", Category::TransportFailure, Sender::Server, Retry::WithBackoff,
    "the server closed the connection after a timeout (IANA-registered 3008, the WebSocket analogue of HTTP 408)",
    &[
        C::new("the client sent nothing (no message, no pong) for longer than the server's idle timeout", "send heartbeats or messages more often than the server's idle timeout"),
    ],
    "send heartbeats or messages more often than the server's idle timeout; reconnect with backoff",
);

const LIBRARY: Entry = Entry {
    name: None,
    category: Category::Library,
    sender: Sender::Either,
    description:
        "a code from 3000–3999, registered with IANA by a library, framework or application",
    causes: &[C::new(
        "the library or framework in use defines this code",
        "look it up in the IANA WebSocket close code registry and the library's documentation",
    )],
    remedy: "look the code up in the library's documentation; reconnect with backoff meanwhile",
    retry: Retry::WithBackoff,
};

const PRIVATE: Entry = Entry {
    name: None,
    category: Category::Private,
    sender: Sender::Either,
    description: "a private code from 4000–4999; its meaning is defined by this application",
    causes: &[C::new(
        "the application defines this code",
        "register it in a CloseRegistry (AppCode) so every tier shows its meaning and retry advice",
    )],
    remedy:
        "check the application's documentation for this code; register it so wsguard can explain it",
    retry: Retry::WithBackoff,
};

const INVALID_HIGH: Entry = Entry {
    name: None,
    category: Category::Invalid,
    sender: Sender::NeverSent,
    description: "codes 5000 and above do not exist in WebSocket; no endpoint may send them",
    causes: &[C::new(
        "the peer computed a code (e.g. 4000 + an HTTP status) that overflowed the private range",
        "keep application codes within 4000–4999",
    )],
    remedy: "the sender is broken: make it send a code between 1000 and 4999",
    retry: Retry::Never,
};

pub(super) const fn entry(code: u16) -> &'static Entry {
    match code {
        0..=999 => &INVALID_LOW,
        1000 => &E1000,
        1001 => &E1001,
        1002 => &E1002,
        1003 => &E1003,
        1004 => &E1004,
        1005 => &E1005,
        1006 => &E1006,
        1007 => &E1007,
        1008 => &E1008,
        1009 => &E1009,
        1010 => &E1010,
        1011 => &E1011,
        1012 => &E1012,
        1013 => &E1013,
        1014 => &E1014,
        1015 => &E1015,
        1016..=2999 => &RESERVED,
        3000 => &E3000,
        3003 => &E3003,
        3008 => &E3008,
        3001..=3999 => &LIBRARY,
        4000..=4999 => &PRIVATE,
        _ => &INVALID_HIGH,
    }
}
