//! Why the server refused an upgrade request: a stable code, the HTTP status and extra
//! headers to answer with, a sentence and a fix. [`write_rejection_response`](super::write_rejection_response)
//! turns it into the exact bytes to send.

use super::ExtensionError;
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
    /// The HTTP status to answer with.
    ///
    /// ```
    /// # use wsguard_core::handshake::Rejection;
    /// assert_eq!(Rejection::MethodNotGet.status(), 405);
    /// ```
    pub fn status(&self) -> u16 {
        use Rejection::*;
        match self {
            MethodNotGet => 405,
            UpgradeMissing | ConnectionMissingUpgrade | VersionMissing | VersionUnsupported => 426,
            Host(d) => d.http_status(),
            Origin(d) => d.http_status(),
            TokenMissing | TokenMalformed => 401,
            TooManyHeaders | HeaderLineTooLong | RequestTooLarge => 431,
            TargetTooLong => 414,
            HandshakeTimeout => 408,
            HttpVersion | HostMissing | HostMultiple | HostInvalid | KeyMissing | KeyMultiple
            | KeyInvalid | SubprotocolNoMatch | TokenConflict | MalformedRequest
            | TargetAsteriskForm | TargetAuthorityForm | TargetScheme | TargetMalformed
            | RequestBody | ContentLengthInvalid | Extensions(_) => 400,
        }
    }

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
    pub fn close_code(&self) -> u16 {
        use crate::close::{POLICY_VIOLATION, UNAUTHORIZED};
        match self {
            Rejection::TokenMissing | Rejection::TokenMalformed => UNAUTHORIZED,
            _ => POLICY_VIOLATION,
        }
    }

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

    /// Headers the response must carry besides the ones every rejection has.
    ///
    /// ```
    /// # use wsguard_core::handshake::Rejection;
    /// assert_eq!(Rejection::MethodNotGet.extra_headers(), &[("Allow", "GET")]);
    /// assert!(Rejection::KeyInvalid.extra_headers().is_empty());
    /// ```
    pub fn extra_headers(&self) -> &'static [(&'static str, &'static str)] {
        use Rejection::*;
        match self {
            MethodNotGet => &[("Allow", "GET")],
            UpgradeMissing | ConnectionMissingUpgrade => &[UPGRADE],
            VersionMissing | VersionUnsupported => &[UPGRADE, ("Sec-WebSocket-Version", "13")],
            TokenMissing | TokenMalformed => &[("WWW-Authenticate", "Bearer")],
            _ => &[],
        }
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

impl Diagnostic for Rejection {
    fn code(&self) -> &'static str {
        use Rejection::*;
        match self {
            MethodNotGet => "method_not_get",
            HttpVersion => "http_version",
            HostMissing => "host_missing",
            HostMultiple => "host_multiple",
            HostInvalid => "host_invalid",
            Host(d) => d.code(),
            UpgradeMissing => "upgrade_missing",
            ConnectionMissingUpgrade => "connection_missing_upgrade",
            VersionMissing => "version_missing",
            VersionUnsupported => "version_unsupported",
            KeyMissing => "key_missing",
            KeyMultiple => "key_multiple",
            KeyInvalid => "key_invalid",
            Origin(d) => d.code(),
            SubprotocolNoMatch => "subprotocol_no_match",
            Extensions(e) => e.code(),
            TokenMissing => "token_missing",
            TokenMalformed => "token_malformed",
            TokenConflict => "token_conflict",
            TooManyHeaders => "too_many_headers",
            HeaderLineTooLong => "header_line_too_long",
            RequestTooLarge => "request_too_large",
            MalformedRequest => "malformed_request",
            TargetTooLong => "target_too_long",
            TargetAsteriskForm => "target_asterisk_form",
            TargetAuthorityForm => "target_authority_form",
            TargetScheme => "target_scheme",
            TargetMalformed => "target_malformed",
            RequestBody => "request_body",
            ContentLengthInvalid => "content_length_invalid",
            HandshakeTimeout => "handshake_timeout",
        }
    }

    fn reason(&self) -> &'static str {
        use Rejection::*;
        match self {
            MethodNotGet => "a WebSocket upgrade must use the GET method; this request used another one",
            HttpVersion => "a WebSocket upgrade needs HTTP/1.1; this request used another HTTP version (HTTP/1.0, or a proxy that downgraded it)",
            HostMissing => "the request has no Host header; HTTP/1.1 requires one",
            HostMultiple => "the request has several Host headers; exactly one is allowed",
            HostInvalid => "the Host header is empty or contains characters a host name cannot have",
            Host(d) => d.reason(),
            UpgradeMissing => "the request does not ask for a WebSocket upgrade: the Upgrade header is missing or does not contain `websocket`",
            ConnectionMissingUpgrade => "the Connection header does not contain the token `upgrade`, so this is a plain HTTP request, not a WebSocket upgrade",
            VersionMissing => "the request has no Sec-WebSocket-Version header",
            VersionUnsupported => "Sec-WebSocket-Version is not exactly one header with the value 13, the only version this server speaks",
            KeyMissing => "the request has no Sec-WebSocket-Key header",
            KeyMultiple => "the request has several Sec-WebSocket-Key headers; exactly one is allowed",
            KeyInvalid => "Sec-WebSocket-Key is not 24 base64 characters encoding 16 bytes",
            Origin(d) => d.reason(),
            Extensions(e) => e.reason(),
            SubprotocolNoMatch => "none of the subprotocols offered in Sec-WebSocket-Protocol is one this server speaks, and the server requires one",
            TokenMissing => "this endpoint requires a bearer token and the request carries none",
            TokenMalformed => "the bearer token is malformed: Authorization is not `Bearer <token>`, or the token is empty or has characters a token cannot have",
            TokenConflict => "the request carries several different bearer tokens (e.g. in Authorization and in the query string)",
            TooManyHeaders => "the request has more header fields than this server accepts",
            HeaderLineTooLong => "a line of the request head is longer than this server accepts",
            RequestTooLarge => "the request head is larger than this server accepts",
            MalformedRequest => "the bytes received are not a well-formed HTTP/1.1 request head",
            TargetTooLong => "the request line (the URL's path and query) is longer than this server accepts",
            TargetAsteriskForm => "the request target is `*`, which only an OPTIONS request may use; a WebSocket upgrade requests a path",
            TargetAuthorityForm => "the request target is `host:port`, the form of a CONNECT request to a proxy, not a path",
            TargetScheme => "the request target is an absolute URI whose scheme is not http, https, ws or wss",
            TargetMalformed => "the request target is neither a path starting with `/` nor an absolute http(s):// or ws(s):// URI with a host",
            RequestBody => "the upgrade request announces a body (Transfer-Encoding, or a Content-Length other than 0); an upgrade request has none, and its bytes would be taken for WebSocket frames",
            ContentLengthInvalid => "Content-Length is not a single field of digits, so the request's framing is invalid",
            HandshakeTimeout => "the upgrade request did not arrive completely in time",
        }
    }

    fn remedy(&self) -> &'static str {
        use Rejection::*;
        match self {
            MethodNotGet => "open the socket with a WebSocket client (`new WebSocket(url)`, `websockets.connect(url)`), which sends GET",
            HttpVersion => "send HTTP/1.1; behind nginx set `proxy_http_version 1.1;` in the WebSocket location",
            HostMissing => "send `Host: <host>[:port]` (every HTTP/1.1 client does; check hand-written requests)",
            HostMultiple => "send a single Host header; check proxies that add one instead of replacing it",
            HostInvalid => "send `Host: <host>[:port]`, e.g. `Host: chat.example.com`",
            Host(d) => d.remedy(),
            UpgradeMissing => "send `Upgrade: websocket`; behind nginx add `proxy_set_header Upgrade $http_upgrade;` to the WebSocket location",
            ConnectionMissingUpgrade => "send `Connection: Upgrade`; behind nginx add `proxy_set_header Connection \"upgrade\";` to the WebSocket location",
            VersionMissing => "send `Sec-WebSocket-Version: 13` (every current WebSocket client does; check hand-written requests and proxies)",
            VersionUnsupported => "send exactly `Sec-WebSocket-Version: 13`",
            KeyMissing => "send `Sec-WebSocket-Key:` with base64 of 16 random bytes (WebSocket clients do this; check hand-written requests)",
            KeyMultiple => "send exactly one Sec-WebSocket-Key header",
            KeyInvalid => "send base64 of exactly 16 random bytes, 24 characters ending in `==`, e.g. `dGhlIHNhbXBsZSBub25jZQ==`",
            Origin(d) => d.remedy(),
            Extensions(e) => e.remedy(),
            SubprotocolNoMatch => "offer one of the server's subprotocols in the client (`new WebSocket(url, [\"<protocol>\"])`), or add the client's protocol to the server's list",
            TokenMissing => "send the token as `Authorization: Bearer <token>`, or in the subprotocol or query parameter this server is configured to read",
            TokenMalformed => "send `Authorization: Bearer <token>` (scheme `Bearer`, one space, a non-empty token)",
            TokenConflict => "send the token in one place only",
            TooManyHeaders => "send fewer headers (large cookie jars are a common cause) or raise the server's `Limits::max_headers`",
            HeaderLineTooLong => "shorten the header (often a cookie or a token in the URL) or raise the server's `Limits::max_line`",
            RequestTooLarge => "send a smaller request head or raise the server's `Limits::max_total`",
            MalformedRequest => "send a valid HTTP/1.1 request: `GET /path HTTP/1.1`, CRLF line endings, `Name: value` headers without spaces before the colon",
            TargetTooLong => "shorten the URL (a token in the query string is a common cause; send it in `Authorization`) or raise the server's `Limits::max_line`",
            TargetAsteriskForm | TargetAuthorityForm | TargetMalformed => "request the socket's path: `GET /path?query HTTP/1.1` (as WebSocket clients do)",
            TargetScheme => "request the path (`GET /path`), or an absolute `ws://`, `wss://`, `http://` or `https://` URL",
            RequestBody => "send the upgrade request without a body: no Transfer-Encoding and no Content-Length (or `Content-Length: 0`); check proxies that add one",
            ContentLengthInvalid => "send no Content-Length, or exactly one `Content-Length: 0`",
            HandshakeTimeout => "send the whole request head at once; check proxies that buffer or slow the request",
        }
    }
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
