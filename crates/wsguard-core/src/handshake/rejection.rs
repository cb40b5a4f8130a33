//! Why the server refused an upgrade request: a stable code, the HTTP status and extra
//! headers to answer with, a sentence and a fix. [`write_rejection_response`](super::write_rejection_response)
//! turns it into the exact bytes to send.

use super::ExtensionError;
use crate::close::{POLICY_VIOLATION, UNAUTHORIZED};
use crate::origin::{HostDenial, OriginDenial};
use crate::Diagnostic;

/// A refused upgrade request.
///
/// Status choices (documented once, used consistently):
/// * a request that is not a WebSocket upgrade at all (no `Upgrade: websocket`, or no
///   `upgrade` in `Connection`) gets **426 Upgrade Required** with `Upgrade: websocket`,
///   so `curl` users and proxies see which protocol the URL wants;
/// * a wrong or missing `Sec-WebSocket-Version` gets 426 with `Sec-WebSocket-Version: 13`;
/// * token problems get 401 with `WWW-Authenticate: Bearer`; Origin refusals and Hosts
///   outside the allowlist get 403; limits get 431; a head still incomplete at the
///   deadline gets 408; everything else malformed gets 400.
///
/// ```
/// use wsguard_core::handshake::Rejection;
/// use wsguard_core::Diagnostic;
/// let r = Rejection::VersionUnsupported;
/// assert_eq!((r.code(), r.status()), ("version_unsupported", 426));
/// assert_eq!(r.extra_headers(), &[("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The method is not `GET` (405, `Allow: GET`).
    MethodNotGet,
    /// The request is not HTTP/1.1.
    HttpVersion,
    /// No `Host` header.
    HostMissing,
    /// Several `Host` headers.
    HostMultiple,
    /// `Host` is not UTF-8 (the Host policy normally reports malformed hosts first).
    HostInvalid,
    /// The Host policy refused `Host`: malformed (`host_malformed`, 400) or not in the
    /// allowlist (`host_not_allowed`, 403, the DNS-rebinding defence).
    Host(HostDenial),
    /// `Upgrade` does not contain the token `websocket`.
    UpgradeMissing,
    /// `Connection` does not contain the token `upgrade`.
    ConnectionMissingUpgrade,
    /// No `Sec-WebSocket-Version` header.
    VersionMissing,
    /// `Sec-WebSocket-Version` is not exactly one header with the value `13`.
    VersionUnsupported,
    /// No `Sec-WebSocket-Key` header.
    KeyMissing,
    /// Several `Sec-WebSocket-Key` headers.
    KeyMultiple,
    /// The key is not 24 base64 characters decoding to 16 bytes.
    KeyInvalid,
    /// The Origin policy refused the request (several `Origin` headers are
    /// [`OriginDenial::Multiple`]).
    Origin(OriginDenial),
    /// No offered subprotocol is one the server speaks, and one is required.
    SubprotocolNoMatch,
    /// A `Sec-WebSocket-Extensions` value breaks the RFC 6455 §9.1 grammar (400).
    Extensions(ExtensionError),
    /// A token is required and none was found.
    TokenMissing,
    /// `Authorization` is not `Bearer <token>`, or a token entry/parameter is empty or
    /// contains characters a token cannot have.
    TokenMalformed,
    /// Tokens were found in several places (or several times) and differ.
    TokenConflict,
    /// A well-formed token was found but the application's verifier refused it
    /// (unknown, expired, revoked, or not the one this server expects): 401 with
    /// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1). The core never
    /// verifies tokens; a server returns this after its own check so every tier answers
    /// and diagnoses it the same way.
    TokenInvalid,
    /// More header fields than [`Limits::max_headers`](super::Limits::max_headers).
    TooManyHeaders,
    /// A line longer than [`Limits::max_line`](super::Limits::max_line).
    HeaderLineTooLong,
    /// A head larger than [`Limits::max_total`](super::Limits::max_total).
    RequestTooLarge,
    /// The bytes are not a well-formed HTTP request head.
    MalformedRequest,
    /// The request line (in practice its target) is longer than
    /// [`Limits::max_line`](super::Limits::max_line) or
    /// [`Limits::max_total`](super::Limits::max_total) allow (414, RFC 9112 §3).
    TargetTooLong,
    /// The request target is `*` (asterisk-form, only for `OPTIONS`, RFC 9112 §3.2.4).
    TargetAsteriskForm,
    /// The request target is `host:port` (authority-form, only for `CONNECT`, RFC 9112 §3.2.3).
    TargetAuthorityForm,
    /// The request target is an absolute URI whose scheme is not `http`, `https`, `ws`
    /// or `wss`.
    TargetScheme,
    /// The request target is neither a path (`/…`) nor an absolute
    /// `http(s)://` / `ws(s)://` URI with an authority.
    TargetMalformed,
    /// The request announces a body (`Transfer-Encoding`, or `Content-Length` other than
    /// 0): an upgrade request has none, and the body bytes would be read as frames.
    RequestBody,
    /// `Content-Length` is not one field of digits (RFC 9112 §6.3: invalid framing).
    ContentLengthInvalid,
    /// The request head was not complete when the server's handshake deadline passed
    /// (408, RFC 9110 §15.5.9): a slow or stalled client (slowloris). See
    /// [`Rejection::at_head_deadline`].
    HandshakeTimeout,
}

const UPGRADE: (&str, &str) = ("Upgrade", "websocket");

impl Rejection {
    /// The refusal for a request head that grew past the size limit before it was
    /// complete (no `\r\n\r\n` within [`Limits::max_total`](super::Limits::max_total)
    /// bytes): [`Rejection::RequestTooLarge`] (431). Lets a server refuse the bytes it has
    /// without forging a complete head.
    ///
    /// ```
    /// use wsguard_core::handshake::{Limits, Rejection};
    /// let head = [b'a'; 20_000];
    /// assert_eq!(Rejection::for_partial_head(&Limits::DEFAULT, head.len()), Some(Rejection::RequestTooLarge));
    /// assert_eq!(Rejection::for_partial_head(&Limits::DEFAULT, 100), None);
    /// assert_eq!(Rejection::RequestTooLarge.status(), 431);
    /// ```
    pub fn for_partial_head(limits: &super::Limits, buffered: usize) -> Option<Rejection> {
        (buffered > limits.max_total).then_some(Rejection::RequestTooLarge)
    }

    /// The refusal for a request head still incomplete at the server's handshake
    /// deadline, holding `buffered` bytes: [`Rejection::HandshakeTimeout`] (408), or
    /// `None` when the client sent nothing at all (an idle connection gets no answer:
    /// close it).
    ///
    /// ```
    /// use wsguard_core::handshake::{write_rejection_response, Rejection};
    /// use wsguard_core::Diagnostic;
    /// let r = Rejection::at_head_deadline(17).unwrap();
    /// assert_eq!((r.status(), r.code()), (408, "handshake_timeout"));
    /// assert_eq!(Rejection::at_head_deadline(0), None);
    /// let mut out = [0u8; 512];
    /// let n = write_rejection_response(&r, &mut out).unwrap();
    /// assert!(out[..n].starts_with(b"HTTP/1.1 408 Request Timeout\r\n"));
    /// ```
    pub fn at_head_deadline(buffered: usize) -> Option<Rejection> {
        (buffered > 0).then_some(Rejection::HandshakeTimeout)
    }
}

/// The standard reason phrase of an HTTP status (`"Switching Protocols"` for 101),
/// or `"Error"` for one not listed.
///
/// ```
/// use wsguard_core::handshake::reason_phrase;
/// assert_eq!(reason_phrase(426), "Upgrade Required");
/// ```
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

crate::diag::diagnostics! {
    Rejection in "wsguard_core::handshake" {
        /// The HTTP status to answer with.
        ///
        /// ```
        /// # use wsguard_core::handshake::Rejection;
        /// assert_eq!(Rejection::MethodNotGet.status(), 405);
        /// ```
        pub fn status(&self) -> u16;
        /// The close code for this refusal when it is sent as a Close frame rather than an
        /// HTTP status (an ASGI app that refuses with `websocket.close`, a server that
        /// refuses after accepting): token problems are 4401 (re-authenticate), everything
        /// else is 1008 (policy violation).
        ///
        /// ```
        /// use wsguard_core::handshake::Rejection;
        /// use wsguard_core::origin::OriginDenial;
        /// assert_eq!(Rejection::Origin(OriginDenial::Host).close_code(), 1008);
        /// assert_eq!(Rejection::TokenMissing.close_code(), 4401);
        /// ```
        pub fn close_code(&self) -> u16;
        /// Headers the response must carry besides the ones every rejection has.
        ///
        /// ```
        /// # use wsguard_core::handshake::Rejection;
        /// assert_eq!(Rejection::MethodNotGet.extra_headers(), &[("Allow", "GET")]);
        /// assert!(Rejection::KeyInvalid.extra_headers().is_empty());
        /// ```
        pub fn extra_headers(&self) -> &'static [(&'static str, &'static str)];
    }
    MethodNotGet => {
        code: "method_not_get",
        reason: "a WebSocket upgrade must use the GET method; this request used another one",
        remedy: "open the socket with a WebSocket client (`new WebSocket(url)`, `websockets.connect(url)`), which sends GET",
        status: 405,
        close_code: POLICY_VIOLATION,
        extra_headers: &[("Allow", "GET")],
    },
    HttpVersion => {
        code: "http_version",
        reason: "a WebSocket upgrade needs HTTP/1.1; this request used another HTTP version (HTTP/1.0, or a proxy that downgraded it)",
        remedy: "send HTTP/1.1; behind nginx set `proxy_http_version 1.1;` in the WebSocket location",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    HostMissing => {
        code: "host_missing",
        reason: "the request has no Host header; HTTP/1.1 requires one",
        remedy: "send `Host: <host>[:port]` (every HTTP/1.1 client does; check hand-written requests)",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    HostMultiple => {
        code: "host_multiple",
        reason: "the request has several Host headers; exactly one is allowed",
        remedy: "send a single Host header; check proxies that add one instead of replacing it",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    HostInvalid => {
        code: "host_invalid",
        reason: "the Host header is empty or contains characters a host name cannot have",
        remedy: "send `Host: <host>[:port]`, e.g. `Host: chat.example.com`",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    Host(d) => {
        each: HostDenial::ALL,
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
        status: d.http_status(),
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    UpgradeMissing => {
        code: "upgrade_missing",
        reason: "the request does not ask for a WebSocket upgrade: the Upgrade header is missing or does not contain `websocket`",
        remedy: "send `Upgrade: websocket`; behind nginx add `proxy_set_header Upgrade $http_upgrade;` to the WebSocket location",
        status: 426,
        close_code: POLICY_VIOLATION,
        extra_headers: &[UPGRADE],
    },
    ConnectionMissingUpgrade => {
        code: "connection_missing_upgrade",
        reason: "the Connection header does not contain the token `upgrade`, so this is a plain HTTP request, not a WebSocket upgrade",
        remedy: "send `Connection: Upgrade`; behind nginx add `proxy_set_header Connection \"upgrade\";` to the WebSocket location",
        status: 426,
        close_code: POLICY_VIOLATION,
        extra_headers: &[UPGRADE],
    },
    VersionMissing => {
        code: "version_missing",
        reason: "the request has no Sec-WebSocket-Version header",
        remedy: "send `Sec-WebSocket-Version: 13` (every current WebSocket client does; check hand-written requests and proxies)",
        status: 426,
        close_code: POLICY_VIOLATION,
        extra_headers: &[UPGRADE, ("Sec-WebSocket-Version", "13")],
    },
    VersionUnsupported => {
        code: "version_unsupported",
        reason: "Sec-WebSocket-Version is not exactly one header with the value 13, the only version this server speaks",
        remedy: "send exactly `Sec-WebSocket-Version: 13`",
        status: 426,
        close_code: POLICY_VIOLATION,
        extra_headers: &[UPGRADE, ("Sec-WebSocket-Version", "13")],
    },
    KeyMissing => {
        code: "key_missing",
        reason: "the request has no Sec-WebSocket-Key header",
        remedy: "send `Sec-WebSocket-Key:` with base64 of 16 random bytes (WebSocket clients do this; check hand-written requests)",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    KeyMultiple => {
        code: "key_multiple",
        reason: "the request has several Sec-WebSocket-Key headers; exactly one is allowed",
        remedy: "send exactly one Sec-WebSocket-Key header",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    KeyInvalid => {
        code: "key_invalid",
        reason: "Sec-WebSocket-Key is not 24 base64 characters encoding 16 bytes",
        remedy: "send base64 of exactly 16 random bytes, 24 characters ending in `==`, e.g. `dGhlIHNhbXBsZSBub25jZQ==`",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    Origin(d) => {
        each: OriginDenial::ALL,
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
        status: d.http_status(),
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    SubprotocolNoMatch => {
        code: "subprotocol_no_match",
        reason: "none of the subprotocols offered in Sec-WebSocket-Protocol is one this server speaks, and the server requires one",
        remedy: "offer one of the server's subprotocols in the client (`new WebSocket(url, [\"<protocol>\"])`), or add the client's protocol to the server's list",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    Extensions(e) => {
        each: ExtensionError::ALL,
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TokenMissing => {
        code: "token_missing",
        reason: "this endpoint requires a bearer token and the request carries none",
        remedy: "send the token as `Authorization: Bearer <token>`, or in the subprotocol or query parameter this server is configured to read",
        status: 401,
        close_code: UNAUTHORIZED,
        extra_headers: &[("WWW-Authenticate", "Bearer")],
    },
    TokenMalformed => {
        code: "token_malformed",
        reason: "the bearer token is malformed: Authorization is not `Bearer <token>`, or the token is empty or has characters a token cannot have",
        remedy: "send `Authorization: Bearer <token>` (scheme `Bearer`, one space, a non-empty token)",
        status: 401,
        close_code: UNAUTHORIZED,
        extra_headers: &[("WWW-Authenticate", "Bearer")],
    },
    TokenConflict => {
        code: "token_conflict",
        reason: "the request carries several different bearer tokens (e.g. in Authorization and in the query string)",
        remedy: "send the token in one place only",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TokenInvalid => {
        code: "token_invalid",
        reason: "the server did not accept the bearer token the client sent (unknown, expired or revoked, or not the token this server expects)",
        remedy: "get a fresh token and reconnect with it; check that the client sends the token this server was configured with",
        status: 401,
        close_code: UNAUTHORIZED,
        extra_headers: &[("WWW-Authenticate", "Bearer error=\"invalid_token\"")],
    },
    TooManyHeaders => {
        code: "too_many_headers",
        reason: "the request has more header fields than this server accepts",
        remedy: "send fewer headers (large cookie jars are a common cause) or raise the server's `Limits::max_headers`",
        status: 431,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    HeaderLineTooLong => {
        code: "header_line_too_long",
        reason: "a line of the request head is longer than this server accepts",
        remedy: "shorten the header (often a cookie or a token in the URL) or raise the server's `Limits::max_line`",
        status: 431,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    RequestTooLarge => {
        code: "request_too_large",
        reason: "the request head is larger than this server accepts",
        remedy: "send a smaller request head or raise the server's `Limits::max_total`",
        status: 431,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    MalformedRequest => {
        code: "malformed_request",
        reason: "the bytes received are not a well-formed HTTP/1.1 request head",
        remedy: "send a valid HTTP/1.1 request: `GET /path HTTP/1.1`, CRLF line endings, `Name: value` headers without spaces before the colon",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TargetTooLong => {
        code: "target_too_long",
        reason: "the request line (the URL's path and query) is longer than this server accepts",
        remedy: "shorten the URL (a token in the query string is a common cause; send it in `Authorization`) or raise the server's `Limits::max_line`",
        status: 414,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TargetAsteriskForm => {
        code: "target_asterisk_form",
        reason: "the request target is `*`, which only an OPTIONS request may use; a WebSocket upgrade requests a path",
        remedy: "request the socket's path: `GET /path?query HTTP/1.1` (as WebSocket clients do)",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TargetAuthorityForm => {
        code: "target_authority_form",
        reason: "the request target is `host:port`, the form of a CONNECT request to a proxy, not a path",
        remedy: "request the socket's path: `GET /path?query HTTP/1.1` (as WebSocket clients do)",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TargetScheme => {
        code: "target_scheme",
        reason: "the request target is an absolute URI whose scheme is not http, https, ws or wss",
        remedy: "request the path (`GET /path`), or an absolute `ws://`, `wss://`, `http://` or `https://` URL",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    TargetMalformed => {
        code: "target_malformed",
        reason: "the request target is neither a path starting with `/` nor an absolute http(s):// or ws(s):// URI with a host",
        remedy: "request the socket's path: `GET /path?query HTTP/1.1` (as WebSocket clients do)",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    RequestBody => {
        code: "request_body",
        reason: "the upgrade request announces a body (Transfer-Encoding, or a Content-Length other than 0); an upgrade request has none, and its bytes would be taken for WebSocket frames",
        remedy: "send the upgrade request without a body: no Transfer-Encoding and no Content-Length (or `Content-Length: 0`); check proxies that add one",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    ContentLengthInvalid => {
        code: "content_length_invalid",
        reason: "Content-Length is not a single field of digits, so the request's framing is invalid",
        remedy: "send no Content-Length, or exactly one `Content-Length: 0`",
        status: 400,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
    HandshakeTimeout => {
        code: "handshake_timeout",
        reason: "the upgrade request did not arrive completely in time",
        remedy: "send the whole request head at once; check proxies that buffer or slow the request",
        status: 408,
        close_code: POLICY_VIOLATION,
        extra_headers: &[],
    },
}

impl core::fmt::Display for Rejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code(), self.reason())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Rejection {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "Rejection({=u16} {=str})", self.status(), self.code())
    }
}
