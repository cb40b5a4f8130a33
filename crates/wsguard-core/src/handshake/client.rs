//! Client side: write the upgrade request into a caller buffer, then validate the answer
//! (RFC 6455 §4.1). A non-101 answer becomes a [`Diagnosis`].

use super::diagnosis::diagnose;
use super::parse::parse_response;
use super::tokens::{
    header_values, list_contains, single, CommaList, Extension, Extensions, HeaderIter,
};
use super::{ClientKey, Diagnosis, Limits, SubprotocolToken};
use crate::{BufferTooSmall, Cursor, Status};

/// Where the client puts its bearer token.
///
/// ```
/// use wsguard_core::handshake::{SubprotocolToken, TokenPlacement};
/// let p = TokenPlacement::Subprotocol(SubprotocolToken::Prefix("access_token."));
/// assert_ne!(p, TokenPlacement::Authorization);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TokenPlacement<'a> {
    /// `Authorization: Bearer <token>` (not possible from a browser).
    Authorization,
    /// In `Sec-WebSocket-Protocol`: `<prefix><token>` after the subprotocols, or
    /// `<marker>, <token>` before them.
    Subprotocol(SubprotocolToken<'a>),
    /// As the query parameter with this name (the token must already be URL-safe).
    Query(&'a str),
}

/// A token and where to put it.
///
/// ```
/// use wsguard_core::handshake::{ClientToken, TokenPlacement};
/// let t = ClientToken { value: "eyJhbGciOi", placement: TokenPlacement::Authorization };
/// assert_eq!(t.value, "eyJhbGciOi");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientToken<'a> {
    /// The token.
    pub value: &'a str,
    /// Where it goes.
    pub placement: TokenPlacement<'a>,
}

/// What the client asks for. Keep it: [`validate_response`] checks the answer against it.
///
/// ```
/// use wsguard_core::handshake::{write_request, ClientRequest};
/// let req = ClientRequest::new("chat.example.com", "/ws", *b"the sample nonce")
///     .origin("https://chat.example.com")
///     .subprotocols(&["chat.v2"]);
/// let mut out = [0u8; 512];
/// let n = write_request(&req, &mut out).unwrap();
/// assert!(out[..n].starts_with(b"GET /ws HTTP/1.1\r\nHost: chat.example.com\r\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientRequest<'a> {
    /// `Host` value: `host[:port]`.
    pub host: &'a str,
    /// Path and query, starting with `/`.
    pub path: &'a str,
    /// `Origin` to send (browsers always send one; other clients may).
    pub origin: Option<&'a str>,
    /// Subprotocols offered, most preferred first.
    pub subprotocols: &'a [&'a str],
    /// A raw `Sec-WebSocket-Extensions` value to offer.
    pub extensions: Option<&'a str>,
    /// The bearer token and its placement.
    pub token: Option<ClientToken<'a>>,
    /// The key, from 16 random bytes supplied by the caller.
    pub key: ClientKey,
    /// Limits applied to the answer's head.
    pub limits: Limits,
}

impl<'a> ClientRequest<'a> {
    /// A request for `path` on `host`; `nonce` must come from a random source.
    ///
    /// ```
    /// use wsguard_core::handshake::{write_request, ClientRequest};
    /// let req = ClientRequest::new("chat.example.com", "/ws", *b"the sample nonce");
    /// let mut out = [0u8; 256];
    /// let n = write_request(&req, &mut out).unwrap();
    /// assert!(out[..n].starts_with(b"GET /ws HTTP/1.1\r\nHost: chat.example.com\r\n"));
    /// ```
    pub fn new(host: &'a str, path: &'a str, nonce: [u8; 16]) -> Self {
        ClientRequest {
            host,
            path,
            origin: None,
            subprotocols: &[],
            extensions: None,
            token: None,
            key: ClientKey::from_nonce(nonce),
            limits: Limits::DEFAULT,
        }
    }

    /// Sends `Origin: origin`.
    ///
    /// ```
    /// # use wsguard_core::handshake::ClientRequest;
    /// let r = ClientRequest::new("a", "/", [0; 16]).origin("https://a");
    /// assert_eq!(r.origin, Some("https://a"));
    /// ```
    pub fn origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Offers `list` in `Sec-WebSocket-Protocol`.
    ///
    /// ```
    /// # use wsguard_core::handshake::ClientRequest;
    /// let r = ClientRequest::new("a", "/", [0; 16]).subprotocols(&["mqtt"]);
    /// assert_eq!(r.subprotocols, &["mqtt"]);
    /// ```
    pub fn subprotocols(mut self, list: &'a [&'a str]) -> Self {
        self.subprotocols = list;
        self
    }

    /// Offers a raw `Sec-WebSocket-Extensions` value.
    ///
    /// ```
    /// # use wsguard_core::handshake::ClientRequest;
    /// let r = ClientRequest::new("a", "/", [0; 16]).extensions("permessage-deflate");
    /// assert_eq!(r.extensions, Some("permessage-deflate"));
    /// ```
    pub fn extensions(mut self, value: &'a str) -> Self {
        self.extensions = Some(value);
        self
    }

    /// Sends `value` as a bearer token at `placement`.
    ///
    /// ```
    /// # use wsguard_core::handshake::{ClientRequest, TokenPlacement};
    /// let r = ClientRequest::new("a", "/", [0; 16]).token("abc", TokenPlacement::Query("token"));
    /// assert_eq!(r.token.unwrap().value, "abc");
    /// ```
    pub fn token(mut self, value: &'a str, placement: TokenPlacement<'a>) -> Self {
        self.token = Some(ClientToken { value, placement });
        self
    }

    /// Sets the limits applied to the answer.
    ///
    /// ```
    /// # use wsguard_core::handshake::{ClientRequest, Limits};
    /// let r = ClientRequest::new("a", "/", [0; 16]).limits(Limits::DEFAULT.max_headers(8));
    /// assert_eq!(r.limits.max_headers, 8);
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn pair_marker(&self) -> Option<&'a str> {
        match self.token {
            Some(ClientToken {
                placement: TokenPlacement::Subprotocol(SubprotocolToken::Pair(m)),
                ..
            }) => Some(m),
            _ => None,
        }
    }
}

/// A field of a [`ClientRequest`] cannot be written safely (it would break the request
/// or inject a header), or the buffer is too small.
///
/// ```
/// use wsguard_core::handshake::{write_request, ClientRequest, RequestError};
/// let req = ClientRequest::new("a.example\r\nX-Evil: 1", "/", [0; 16]);
/// assert_eq!(write_request(&req, &mut [0u8; 256]), Err(RequestError::InvalidHost));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RequestError {
    /// The output buffer is too small.
    BufferTooSmall(BufferTooSmall),
    /// `host` is empty or has characters a host cannot have.
    InvalidHost,
    /// `path` does not start with `/` or has spaces, control characters or `#`.
    InvalidPath,
    /// `origin` is empty or has spaces or control characters.
    InvalidOrigin,
    /// A subprotocol (or the token marker/prefix) is not an HTTP token.
    InvalidSubprotocol,
    /// The extensions value has control characters.
    InvalidExtensions,
    /// The token has characters its placement cannot carry.
    InvalidToken,
}

crate::diag::diagnostics! {
    RequestError in "wsguard_core::handshake" display {}
    BufferTooSmall(b) => {
        example: Self::BufferTooSmall(BufferTooSmall { needed: 0 }),
        code: b.code(),
        reason: b.reason(),
        remedy: b.remedy(),
    },
    InvalidHost => {
        code: "request_host_invalid",
        reason: "the host to send is empty or contains spaces, control characters, `/`, `@` or `,`",
        remedy: "pass `host[:port]` only, e.g. `chat.example.com:8443`",
    },
    InvalidPath => {
        code: "request_path_invalid",
        reason: "the path to send does not start with `/` or contains spaces, control characters or `#`",
        remedy: "pass the path and query only, percent-encoded, e.g. `/ws?room=1`",
    },
    InvalidOrigin => {
        code: "request_origin_invalid",
        reason: "the Origin to send is empty or contains spaces or control characters",
        remedy: "pass `scheme://host[:port]`, e.g. `https://app.example.com`",
    },
    InvalidSubprotocol => {
        code: "request_subprotocol_invalid",
        reason: "a subprotocol (or the token's marker/prefix) is not an HTTP token: it is empty or contains spaces, commas or other separators",
        remedy: "use names made of letters, digits and `.-_~!#$&'*+^`|`",
    },
    InvalidExtensions => {
        code: "request_extensions_invalid",
        reason: "the Sec-WebSocket-Extensions value contains control characters",
        remedy: "pass the extensions on one line, e.g. `permessage-deflate; client_max_window_bits`",
    },
    InvalidToken => {
        code: "request_token_invalid",
        reason: "the token contains characters its placement cannot carry (spaces, commas, `&`, `#`, or for Authorization anything outside base64url/base64)",
        remedy: "encode the token with base64url (JWTs already are), or percent-encode it for the query",
    },
}

impl From<BufferTooSmall> for RequestError {
    fn from(b: BufferTooSmall) -> Self {
        RequestError::BufferTooSmall(b)
    }
}

/// RFC 9110 `tchar` (also used by the extension grammar): one table lookup, inlined
/// into the byte loops that call it.
#[inline]
pub(super) const fn is_tchar(b: u8) -> bool {
    TCHARS[b as usize]
}

/// [`tchar_rule`] for every byte.
const TCHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = tchar_rule(i as u8);
        i += 1;
    }
    t
};

/// The `tchar` grammar itself.
const fn tchar_rule(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

fn is_http_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

fn is_visible(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..0x7f).contains(&b))
}

fn check(ok: bool, e: RequestError) -> Result<(), RequestError> {
    if ok {
        Ok(())
    } else {
        Err(e)
    }
}

fn validate_fields(req: &ClientRequest<'_>) -> Result<(), RequestError> {
    check(
        is_visible(req.host) && !req.host.bytes().any(|b| matches!(b, b',' | b'/' | b'@')),
        RequestError::InvalidHost,
    )?;
    check(
        req.path.starts_with('/') && is_visible(req.path) && !req.path.bytes().any(|b| b == b'#'),
        RequestError::InvalidPath,
    )?;
    if let Some(o) = req.origin {
        check(is_visible(o), RequestError::InvalidOrigin)?;
    }
    check(
        req.subprotocols.iter().all(|p| is_http_token(p)),
        RequestError::InvalidSubprotocol,
    )?;
    if let Some(e) = req.extensions {
        check(
            !e.trim().is_empty() && e.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)),
            RequestError::InvalidExtensions,
        )?;
    }
    if let Some(t) = req.token {
        let v = t.value;
        match t.placement {
            TokenPlacement::Authorization => {
                let body = v.trim_end_matches('=');
                check(
                    !body.is_empty()
                        && body.bytes().all(|b| {
                            b.is_ascii_alphanumeric()
                                || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
                        }),
                    RequestError::InvalidToken,
                )?;
            }
            TokenPlacement::Subprotocol(SubprotocolToken::Prefix(p)) => {
                check(is_http_token(p), RequestError::InvalidSubprotocol)?;
                check(is_http_token(v), RequestError::InvalidToken)?;
            }
            TokenPlacement::Subprotocol(SubprotocolToken::Pair(m)) => {
                check(is_http_token(m), RequestError::InvalidSubprotocol)?;
                check(is_http_token(v), RequestError::InvalidToken)?;
            }
            TokenPlacement::Query(name) => {
                check(
                    is_visible(name)
                        && !name.bytes().any(|b| matches!(b, b'&' | b'#' | b'=' | b'?')),
                    RequestError::InvalidToken,
                )?;
                check(
                    is_visible(v) && !v.bytes().any(|b| b"&#,;\"".contains(&b)),
                    RequestError::InvalidToken,
                )?;
            }
        }
    }
    Ok(())
}

/// Writes the upgrade request for `req` into `out`; returns the bytes written.
///
/// ```text
/// GET <path>[?|&<param>=<token>] HTTP/1.1
/// Host: <host>
/// Upgrade: websocket
/// Connection: Upgrade
/// Sec-WebSocket-Key: <key>
/// Sec-WebSocket-Version: 13
/// [Origin: <origin>]
/// [Sec-WebSocket-Protocol: [<marker>, <token>, ]<protocols>[, <prefix><token>]]
/// [Sec-WebSocket-Extensions: <extensions>]
/// [Authorization: Bearer <token>]
/// ```
///
/// Every field is checked first, so nothing can inject a header.
///
/// ```
/// use wsguard_core::handshake::{write_request, ClientRequest, TokenPlacement};
/// let req = ClientRequest::new("a.example", "/ws?room=1", *b"the sample nonce").token("t0k", TokenPlacement::Query("token"));
/// let mut out = [0u8; 256];
/// let n = write_request(&req, &mut out).unwrap();
/// assert!(out[..n].starts_with(b"GET /ws?room=1&token=t0k HTTP/1.1\r\n"));
/// ```
pub fn write_request(req: &ClientRequest<'_>, out: &mut [u8]) -> Result<usize, RequestError> {
    validate_fields(req)?;
    let mut c = Cursor::new(out);
    let _ = c.put_str("GET ");
    let _ = c.put_str(req.path);
    if let Some(ClientToken {
        value,
        placement: TokenPlacement::Query(name),
    }) = req.token
    {
        let sep = if !req.path.bytes().any(|b| b == b'?') {
            "?"
        } else if req.path.ends_with('?') || req.path.ends_with('&') {
            ""
        } else {
            "&"
        };
        let _ = c.put_str(sep);
        let _ = c.put_str(name);
        let _ = c.put_str("=");
        let _ = c.put_str(value);
    }
    let _ = c.put_str(" HTTP/1.1\r\nHost: ");
    let _ = c.put_str(req.host);
    let _ = c.put_str("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    let _ = c.put_str(req.key.as_str());
    let _ = c.put_str("\r\nSec-WebSocket-Version: 13\r\n");
    if let Some(o) = req.origin {
        let _ = c.put_str("Origin: ");
        let _ = c.put_str(o);
        let _ = c.put_str("\r\n");
    }
    let (pair, prefix) = match req.token {
        Some(ClientToken {
            value,
            placement: TokenPlacement::Subprotocol(SubprotocolToken::Pair(m)),
        }) => (Some((m, value)), None),
        Some(ClientToken {
            value,
            placement: TokenPlacement::Subprotocol(SubprotocolToken::Prefix(p)),
        }) => (None, Some((p, value))),
        _ => (None, None),
    };
    if pair.is_some() || prefix.is_some() || !req.subprotocols.is_empty() {
        let _ = c.put_str("Sec-WebSocket-Protocol: ");
        let mut first = true;
        let mut sep = |c: &mut Cursor<'_>| {
            if !first {
                let _ = c.put_str(", ");
            }
            first = false;
        };
        if let Some((m, t)) = pair {
            sep(&mut c);
            let _ = c.put_str(m);
            sep(&mut c);
            let _ = c.put_str(t);
        }
        for p in req.subprotocols {
            sep(&mut c);
            let _ = c.put_str(p);
        }
        if let Some((p, t)) = prefix {
            sep(&mut c);
            let _ = c.put_str(p);
            let _ = c.put_str(t);
        }
        let _ = c.put_str("\r\n");
    }
    if let Some(e) = req.extensions {
        let _ = c.put_str("Sec-WebSocket-Extensions: ");
        let _ = c.put_str(e);
        let _ = c.put_str("\r\n");
    }
    if let Some(ClientToken {
        value,
        placement: TokenPlacement::Authorization,
    }) = req.token
    {
        let _ = c.put_str("Authorization: Bearer ");
        let _ = c.put_str(value);
        let _ = c.put_str("\r\n");
    }
    let _ = c.put_str("\r\n");
    Ok(c.finish()?)
}

/// A 101 answer is present but wrong.
///
/// ```
/// use wsguard_core::handshake::ResponseError;
/// use wsguard_core::Diagnostic;
/// assert_eq!(ResponseError::AcceptMismatch.code(), "accept_mismatch");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ResponseError {
    /// No `Sec-WebSocket-Accept`.
    AcceptMissing,
    /// `Sec-WebSocket-Accept` does not match the key sent.
    AcceptMismatch,
    /// `Sec-WebSocket-Accept` appears more than once.
    AcceptMultiple,
    /// `Upgrade` does not contain `websocket`.
    UpgradeMissing,
    /// `Upgrade` names another protocol beside `websocket`.
    UpgradeNotOnlyWebsocket,
    /// `Connection` does not contain `upgrade`.
    ConnectionMissingUpgrade,
    /// The server chose a subprotocol that was not offered (or a token entry).
    SubprotocolNotOffered,
    /// The answer names more than one subprotocol (the header repeated, or a list).
    SubprotocolMultiple,
    /// The server answered with an extension that was not offered.
    ExtensionNotOffered,
    /// Not a well-formed HTTP/1.1 response head (a status code outside 100–599 included,
    /// RFC 9110 §15).
    Malformed,
    /// The head breaks the [`Limits`].
    TooLarge,
}

crate::diag::diagnostics! {
    ResponseError in "wsguard_core::handshake" display {}
    AcceptMissing => {
        code: "accept_missing",
        reason: "the server answered 101 without Sec-WebSocket-Accept",
        remedy: "compute Sec-WebSocket-Accept on the server as base64(SHA-1(key + \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")) from this request's key; never cache upgrade answers",
    },
    AcceptMismatch => {
        code: "accept_mismatch",
        reason: "Sec-WebSocket-Accept does not match the key this client sent: the answer was computed for another request, or a proxy/cache replayed it",
        remedy: "compute Sec-WebSocket-Accept on the server as base64(SHA-1(key + \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")) from this request's key; never cache upgrade answers",
    },
    AcceptMultiple => {
        code: "accept_multiple",
        reason: "the 101 answer carries Sec-WebSocket-Accept more than once: something between the server and this client added its own",
        remedy: "send Sec-WebSocket-Accept exactly once; check that no middleware or proxy adds a second one",
    },
    UpgradeMissing => {
        code: "upgrade_missing",
        reason: "the 101 answer has no `Upgrade: websocket`",
        remedy: "send `Upgrade: websocket` in the 101 answer",
    },
    UpgradeNotOnlyWebsocket => {
        code: "upgrade_not_only_websocket",
        reason: "the 101 answer's Upgrade names another protocol beside `websocket`; a WebSocket 101 switches to websocket alone (RFC 6455 §4.1)",
        remedy: "send exactly `Upgrade: websocket` in the 101 answer; check that no proxy adds its own Upgrade value",
    },
    ConnectionMissingUpgrade => {
        code: "connection_missing_upgrade",
        reason: "the 101 answer's Connection header does not contain `upgrade`",
        remedy: "send `Connection: Upgrade` in the 101 answer",
    },
    SubprotocolNotOffered => {
        code: "subprotocol_not_offered",
        reason: "the server chose a subprotocol this client did not offer (or echoed the token entry)",
        remedy: "on the server, choose only among the offered subprotocols, never the token entry; omit the header when none matches",
    },
    SubprotocolMultiple => {
        code: "subprotocol_multiple",
        reason: "the 101 answer names more than one subprotocol (Sec-WebSocket-Protocol repeated, or a list); a server selects exactly one (RFC 6455 §4.2.2)",
        remedy: "on the server, send one of the offered subprotocols in a single Sec-WebSocket-Protocol header, or omit it",
    },
    ExtensionNotOffered => {
        code: "extension_not_offered",
        reason: "the server answered with an extension this client did not offer",
        remedy: "on the server, answer only with extensions the client offered",
    },
    Malformed => {
        code: "malformed_response",
        reason: "the bytes received are not a well-formed HTTP response: maybe not an HTTP server, or TLS spoken to a plain port",
        remedy: "check the scheme (ws:// vs wss://), host and port",
    },
    TooLarge => {
        code: "response_too_large",
        reason: "the answer's head breaks the client's size limits",
        remedy: "raise the client's `Limits`, or check what the server sends",
    },
}

/// Why the handshake failed, client side: refused (non-101) or an invalid 101.
///
/// ```
/// use wsguard_core::handshake::{validate_response, ClientRequest};
/// use wsguard_core::Diagnostic;
/// let req = ClientRequest::new("a", "/ws", [0; 16]);
/// let err = validate_response(&req, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").unwrap_err();
/// assert_eq!((err.code(), err.status()), ("not_found", Some(404)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ClientFailure<'b> {
    /// The server did not switch protocols.
    Rejected(Diagnosis<'b>),
    /// The answer is malformed or a 101 that breaks the protocol.
    Invalid(ResponseError),
}

impl ClientFailure<'_> {
    /// The HTTP status received, when there was a parsable status line.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientRequest};
    /// let req = ClientRequest::new("a.example", "/ws", [0; 16]);
    /// let err = validate_response(&req, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n").unwrap_err();
    /// assert_eq!(err.status(), Some(403));
    /// let err = validate_response(&req, b"SSH-2.0-OpenSSH_9.6\r\n\r\n").unwrap_err();
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientFailure::Rejected(d) => Some(d.status),
            ClientFailure::Invalid(ResponseError::Malformed | ResponseError::TooLarge) => None,
            ClientFailure::Invalid(_) => Some(101),
        }
    }
}

crate::diag::diagnostics! {
    ClientFailure<'b> in "wsguard_core::handshake" display {}
    Rejected(d) => {
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
    },
    Invalid(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
}

/// A valid 101 answer, borrowed from the buffer.
///
/// ```
/// use wsguard_core::handshake::{validate_response, ClientRequest};
/// let req = ClientRequest::new("a", "/ws", *b"the sample nonce");
/// let resp = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
/// let est = validate_response(&req, resp).unwrap().complete().unwrap();
/// assert_eq!(est.consumed, resp.len() - 2); // the first frame stays with the caller
/// assert_eq!(est.headers().count(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Established<'b> {
    /// The subprotocol the server chose.
    pub subprotocol: Option<&'b str>,
    /// The `Server` header.
    pub server: Option<&'b str>,
    /// Bytes of the answer's head; what follows is WebSocket data.
    pub consumed: usize,
    head: &'b [u8],
}

impl<'b> Established<'b> {
    /// The extensions the server accepted.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientRequest};
    /// use wsguard_core::Status;
    /// let req = ClientRequest::new("a.example", "/ws", *b"the sample nonce")
    ///     .extensions("permessage-deflate; client_max_window_bits");
    /// let resp = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    /// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    /// let Ok(Status::Complete(est)) = validate_response(&req, resp) else { panic!() };
    /// assert_eq!(est.extensions().next().map(|e| e.name), Some("permessage-deflate"));
    /// ```
    pub fn extensions(&self) -> Extensions<'b> {
        Extensions::new(HeaderIter::new(self.head))
    }
    /// All header fields of the answer.
    pub fn headers(&self) -> HeaderIter<'b> {
        HeaderIter::new(self.head)
    }
}

/// Validates the server's answer to `req`, held in `response`.
///
/// * `Ok(Status::Partial)`: the head is incomplete; read more.
/// * `Ok(Status::Complete(established))`: bytes after `consumed` are WebSocket data.
/// * `Err(ClientFailure::Rejected(diagnosis))`: not 101 — the cause and the fix.
/// * `Err(ClientFailure::Invalid(e))`: a 101 that breaks the protocol, or not HTTP.
///
/// ```
/// use wsguard_core::handshake::{validate_response, ClientRequest};
/// use wsguard_core::Status;
/// let req = ClientRequest::new("a", "/ws", [0; 16]);
/// assert_eq!(validate_response(&req, b"HTTP/1.1 101 Swi"), Ok(Status::Partial));
/// ```
///
/// **Stack.** `httparse` parses the head into [`MAX_HEADERS`](super::MAX_HEADERS) header
/// slots (1 KiB on a 32-bit target) in a frame that is gone before the fields are read
/// back from `response`. The crate docs give the measured total.
pub fn validate_response<'b>(
    req: &ClientRequest<'_>,
    response: &'b [u8],
) -> Result<Status<Established<'b>>, ClientFailure<'b>> {
    let invalid = |e| Err(ClientFailure::Invalid(e));
    let parsed = match parse_response(&req.limits, response) {
        Ok(Status::Complete(head)) => head,
        Ok(Status::Partial) => return Ok(Status::Partial),
        Err(e) => return invalid(e),
    };
    let consumed = parsed.consumed;
    let head = response.get(..consumed).unwrap_or(response);
    let headers = HeaderIter::new(head);
    let status = parsed.code;
    if status != 101 {
        let after = response.get(consumed..).unwrap_or(&[]);
        return Err(ClientFailure::Rejected(diagnose(
            status,
            headers,
            after,
            consumed,
            req.origin.is_some(),
        )));
    }
    // RFC 6455 §4.1: the client fails the connection when Upgrade "contains a value that is
    // not an ASCII case-insensitive match for the value "websocket"".
    let (mut websocket, mut other) = (false, false);
    for p in header_values(headers, "upgrade").flat_map(CommaList::new) {
        let is_ws = p.eq_ignore_ascii_case(b"websocket");
        websocket |= is_ws;
        other |= !is_ws;
    }
    if !websocket {
        return invalid(ResponseError::UpgradeMissing);
    }
    if other {
        return invalid(ResponseError::UpgradeNotOnlyWebsocket);
    }
    if !list_contains(header_values(headers, "connection"), b"upgrade") {
        return invalid(ResponseError::ConnectionMissingUpgrade);
    }
    match single(headers, "sec-websocket-accept") {
        (0, _) | (_, None) => return invalid(ResponseError::AcceptMissing),
        (1, Some(v)) if req.key.accept().matches(v) => {}
        (1, _) => return invalid(ResponseError::AcceptMismatch),
        _ => return invalid(ResponseError::AcceptMultiple),
    }
    let subprotocol = match single(headers, "sec-websocket-protocol") {
        (0, _) => None,
        (1, Some(v)) if v.contains(&b',') => return invalid(ResponseError::SubprotocolMultiple),
        (1, Some(v)) => {
            let offered = req.subprotocols.iter().any(|p| p.as_bytes() == v)
                || req.pair_marker().map(str::as_bytes) == Some(v);
            match core::str::from_utf8(v) {
                Ok(s) if offered => Some(s),
                _ => return invalid(ResponseError::SubprotocolNotOffered),
            }
        }
        _ => return invalid(ResponseError::SubprotocolMultiple),
    };
    for ext in Extensions::new(headers) {
        let offered = req
            .extensions
            .map(|o| {
                CommaList::new(o.as_bytes())
                    .filter_map(Extension::parse)
                    .any(|e| e.name.eq_ignore_ascii_case(ext.name))
            })
            .unwrap_or(false);
        if !offered {
            return invalid(ResponseError::ExtensionNotOffered);
        }
    }
    Ok(Status::Complete(Established {
        subprotocol,
        server: single(headers, "server")
            .1
            .and_then(|v| core::str::from_utf8(v).ok()),
        consumed,
        head,
    }))
}
