//! The opening handshake (RFC 6455 §4), both sides, over caller buffers.
//!
//! **Server side.** [`validate_request`] parses an upgrade request with `httparse`
//! ([`parse_request`]) and checks it ([`validate_head`]) against a [`ServerConfig`]: method, HTTP/1.1,
//! Host and the Host allowlist, the `Upgrade`/`Connection` token lists, version 13, the
//! key, the `Sec-WebSocket-Extensions` syntax (RFC 6455 §9.1, [`check_extensions`]; the
//! offers are parsed, never negotiated: see [`Extension::deflate_offer`]), the Origin
//! policy, the bearer token location and the subprotocol. The verdict is
//! either an [`Accepted`] view (answer with [`write_accept_response`]) or a [`Rejection`]
//! (answer with [`write_rejection_response`], which writes the status, the required
//! headers and a one-line body naming the code, so `curl -i` shows why).
//! [`validate_fields`] applies the same rules (the same code) to a request an HTTP server
//! already parsed — an ASGI scope's header list — without a head to parse and without
//! computing the accept value.
//!
//! **Client side.** [`write_request`] writes the upgrade request of a [`ClientRequest`];
//! [`validate_response`] checks the answer (101, accept value, subprotocol and extensions
//! that were offered) and, when it is not 101, returns a [`Diagnosis`]: the most likely
//! cause (a proxy dropped the upgrade headers, a redirect, a plain HTTP server, the
//! Origin was refused…) and the fix. When that answer is ambiguous (a bare 403/401, a 404
//! through a proxy, a 400 without `Upgrade`), a [`Plan`] says which follow-up requests
//! separate the causes and what their answers establish.
//!
//! ```
//! use wsguard_core::handshake::{validate_request, write_accept_response, ServerConfig};
//! use wsguard_core::origin::{OriginPolicy, Pattern};
//! use wsguard_core::Status;
//!
//! let allowed = [Pattern::parse("https://app.example.com").unwrap()];
//! let cfg = ServerConfig::new(OriginPolicy::new(&allowed)).subprotocols(&["chat"]);
//! let req = b"GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
//!             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!             Origin: https://app.example.com\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
//! let Status::Complete(accepted) = validate_request(&cfg, req).unwrap() else { panic!() };
//! let mut out = [0u8; 256];
//! let n = write_accept_response(&accepted, &mut out).unwrap();
//! assert!(out[..n].starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
//! ```

mod accept;
mod auth;
mod client;
mod config;
mod custom_refusal;
mod dev_auth;
mod diagnosis;
mod differential;
mod extensions;
mod fields;
mod limits;
mod log_target;
mod parse;
mod proxy;
mod rejection;
mod request;
mod response;
mod tokens;

pub use accept::{AcceptKey, ClientKey, WEBSOCKET_GUID};
pub use auth::{Token, TokenSource};
pub use client::{
    validate_response, write_request, ClientFailure, ClientRequest, ClientToken, Established,
    RequestError, ResponseError, TokenPlacement,
};
pub use config::{ServerConfig, SubprotocolToken, TokenConfig, TokenOptionError};
pub use custom_refusal::{CustomRefusal, CustomRefusalError};
pub use dev_auth::{
    DevAuthBypass, DevAuthNotice, DevAuthRefusal, Listen, DEV_AUTH_BYPASS,
    DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK,
};
pub use diagnosis::{Diagnosis, DiagnosisKind};
pub use differential::{
    follow_up_request, write_follow_up, Cause, FollowUp, Plan, Reply, Sent, Verdict,
};
pub use extensions::{check_extensions, DeflateError, DeflateOffer, ExtensionError};
pub use fields::{validate_fields, write_accept_for, AcceptedFields, FieldRequest};
pub use httparse::{Header, EMPTY_HEADER};
pub use limits::{Limits, MAX_HEADERS};
pub use log_target::{LogTarget, ALWAYS_REDACTED};
pub use parse::{parse_request, RequestHead};
pub use rejection::{reason_phrase, Rejection};
pub use request::{validate_head, validate_request, Accepted};
pub(crate) use response::write_refusal;
pub use response::{write_accept_response, write_rejection_response, CODE_HEADER};
pub use tokens::{
    list_contains, CommaList, Extension, ExtensionParams, Extensions, Field, HeaderIter,
};
