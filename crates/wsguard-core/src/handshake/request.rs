//! Server side: validate an upgrade request held in a caller buffer (RFC 6455 §4.2.1).
//!
//! Checks run in this order, and the first failure is the verdict: limits and syntax,
//! method, HTTP version, Host (present, single, allowed), `Upgrade`, `Connection`,
//! `Sec-WebSocket-Version`, `Sec-WebSocket-Key`, Origin, bearer token, subprotocol.

use super::accept::{key_is_valid, AcceptKey};
use super::auth::{locate_token, protocol_entries, EntryKind, ProtocolEntries, Token};
use super::limits::{scan_head, LimitError, MAX_HEADERS};
use super::tokens::{header_values, list_contains, single, Extensions, HeaderIter};
use super::{Rejection, ServerConfig};
use crate::origin::{Origin, OriginDenial};
use crate::Status;

/// A valid upgrade request, borrowed from the caller's buffer, with the accept value to
/// answer with. Write the answer with [`write_accept_response`](super::write_accept_response).
///
/// ```
/// use wsguard_core::handshake::{validate_request, ServerConfig};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let req = b"GET /chat?room=1 HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\n\
///             Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n\
///             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://app.example.com\r\n\
///             X-Trace: 7\r\n\r\n";
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// let s = validate_request(&cfg, req).unwrap();
/// let accepted = s.complete().unwrap();
/// assert_eq!((accepted.path, accepted.query), ("/chat", Some("room=1")));
/// assert_eq!(accepted.accept.as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// assert_eq!(accepted.consumed, req.len());
/// assert_eq!(accepted.header("x-trace"), Some(&b"7"[..]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted<'b> {
    /// The path, without the query.
    pub path: &'b str,
    /// The query string after `?`, if any (not percent-decoded).
    pub query: Option<&'b str>,
    /// The Host header value.
    pub host: &'b str,
    /// The Origin that passed the policy; `None` when absent and the policy allows that.
    pub origin: Option<Origin<'b>>,
    /// The chosen subprotocol (the server's most preferred one the client offered).
    pub subprotocol: Option<&'b str>,
    /// The bearer token and where it was found.
    pub token: Option<Token<'b>>,
    /// The `Sec-WebSocket-Key` as received.
    pub key: &'b str,
    /// The `Sec-WebSocket-Accept` value to send back.
    pub accept: super::AcceptKey,
    /// Bytes of the request head. Anything after it (a client may pipeline its first
    /// frame) belongs to the WebSocket stream: keep it.
    pub consumed: usize,
    head: &'b [u8],
}

impl<'b> Accepted<'b> {
    /// The extensions offered in `Sec-WebSocket-Extensions` (parsed, not negotiated).
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_request, ServerConfig};
    /// # use wsguard_core::origin::{OriginPolicy, Pattern};
    /// let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///             Origin: https://app.example.com\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    /// # let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
    /// let s = validate_request(&cfg, req).unwrap();
    /// let ext = s.complete().unwrap().extensions().next().unwrap();
    /// assert_eq!(ext.name, "permessage-deflate");
    /// ```
    pub fn extensions(&self) -> Extensions<'b> {
        Extensions::new(HeaderIter::new(self.head))
    }

    /// All header fields of the request, in order, values trimmed.
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_request, ServerConfig};
    /// # use wsguard_core::origin::{OriginPolicy, Pattern};
    /// # let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://app.example.com\r\n\r\n";
    /// # let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
    /// let s = validate_request(&cfg, req).unwrap();
    /// let accepted = s.complete().unwrap();
    /// assert_eq!(accepted.headers().count(), 6);
    /// ```
    pub fn headers(&self) -> HeaderIter<'b> {
        HeaderIter::new(self.head)
    }

    /// The first header called `name` (case-insensitive).
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_request, ServerConfig};
    /// use wsguard_core::origin::OriginPolicy;
    /// use wsguard_core::Status;
    /// let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let req = b"GET /ws HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    /// Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Request-Id: 42\r\n\r\n";
    /// let Ok(Status::Complete(a)) = validate_request(&cfg, req) else { panic!() };
    /// assert_eq!(a.header("x-request-id"), Some(&b"42"[..]));
    /// assert_eq!(a.header("cookie"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Accepted<'_> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "Accepted {{ path: {=str}, host: {=str}, subprotocol: {}, token: {} }}",
            self.path,
            self.host,
            self.subprotocol,
            self.token.map(|t| t.source)
        )
    }
}

/// `true` when the request line is `<method> <target> HTTP/…` — an unsupported version
/// rather than a malformed line (`GET /a b HTTP/1.1` also fails on the version token).
fn names_http_version(request: &[u8]) -> bool {
    let start = request
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(0);
    let rest = request.get(start..).unwrap_or(&[]);
    let line = rest.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b' ');
    let ok = matches!((parts.next(), parts.next(), parts.next()), (Some(m), Some(t), Some(v)) if !m.is_empty() && !t.is_empty() && v.starts_with(b"HTTP/"));
    ok && parts.next().is_none()
}

/// Validates an upgrade request held in `request` (a prefix of the bytes received so far).
///
/// * `Ok(Status::Partial)`: the head is not complete yet; read more and call again.
/// * `Ok(Status::Complete(accepted))`: answer 101 with
///   [`write_accept_response`](super::write_accept_response); bytes after
///   `accepted.consumed` belong to the WebSocket stream.
/// * `Err(rejection)`: answer with [`write_rejection_response`](super::write_rejection_response)
///   and close.
///
/// Never panics, never allocates; the header array (at most [`MAX_HEADERS`]) is on the stack.
///
/// ```
/// use wsguard_core::handshake::{validate_request, Rejection, ServerConfig};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// use wsguard_core::Status;
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// assert_eq!(validate_request(&cfg, b"GET /chat HTTP/1.1\r\nHost: a"), Ok(Status::Partial));
/// assert_eq!(validate_request(&cfg, b"POST / HTTP/1.1\r\nHost: a\r\n\r\n"), Err(Rejection::MethodNotGet));
/// ```
pub fn validate_request<'b>(
    config: &ServerConfig<'_>,
    request: &'b [u8],
) -> Result<Status<Accepted<'b>>, Rejection> {
    let limits = &config.limits;
    match scan_head(request, limits) {
        Err(LimitError::LineTooLong) => return Err(Rejection::HeaderLineTooLong),
        Err(LimitError::TooLarge) => return Err(Rejection::RequestTooLarge),
        Ok(_) => {}
    }
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let cap = limits.header_capacity();
    let slots = match storage.get_mut(..cap) {
        Some(s) => s,
        None => return Err(Rejection::TooManyHeaders),
    };
    let mut req = httparse::Request::new(slots);
    let consumed = match req.parse(request) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(Status::Partial),
        Err(httparse::Error::TooManyHeaders) => return Err(Rejection::TooManyHeaders),
        Err(httparse::Error::Version) if names_http_version(request) => {
            return Err(Rejection::HttpVersion)
        }
        Err(_) => return Err(Rejection::MalformedRequest),
    };
    let headers: &[httparse::Header<'b>] = req.headers;

    if req.method != Some("GET") {
        return Err(Rejection::MethodNotGet);
    }
    if req.version != Some(1) {
        return Err(Rejection::HttpVersion);
    }
    let target = req.path.unwrap_or("");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };

    // Host: exactly one; well-formed and allowed per the Host policy.
    let host = match single(headers, "host") {
        (0, _) | (_, None) => return Err(Rejection::HostMissing),
        (1, Some(h)) => h,
        _ => return Err(Rejection::HostMultiple),
    };
    config.hosts.check(host).map_err(Rejection::Host)?;
    let host = core::str::from_utf8(host).map_err(|_| Rejection::HostInvalid)?;

    if !list_contains(header_values(headers, "upgrade"), b"websocket") {
        return Err(Rejection::UpgradeMissing);
    }
    if !list_contains(header_values(headers, "connection"), b"upgrade") {
        return Err(Rejection::ConnectionMissingUpgrade);
    }
    match single(headers, "sec-websocket-version") {
        (0, _) | (_, None) => return Err(Rejection::VersionMissing),
        (1, Some(b"13")) => {}
        _ => return Err(Rejection::VersionUnsupported),
    }
    let key = match single(headers, "sec-websocket-key") {
        (0, _) | (_, None) => return Err(Rejection::KeyMissing),
        (1, Some(k)) => k,
        _ => return Err(Rejection::KeyMultiple),
    };
    if !key_is_valid(key) {
        return Err(Rejection::KeyInvalid);
    }
    let key = core::str::from_utf8(key).map_err(|_| Rejection::KeyInvalid)?;

    let origin = match single(headers, "origin") {
        (0, _) => {
            // A policy that allows a missing Origin answers `Ok` for `None`.
            config.origin.check(None).map_err(Rejection::Origin)?;
            None
        }
        (1, value) => Some(config.origin.check(value).map_err(Rejection::Origin)?),
        // Several Origin headers: never pick the first or the last.
        _ => return Err(Rejection::Origin(OriginDenial::Multiple)),
    };

    let token = locate_token(&config.token, headers, query)?;

    let mut subprotocol = None;
    'pick: for wanted in config.subprotocols {
        for (entry, kind) in
            ProtocolEntries::new(protocol_entries(headers), config.token.subprotocol)
        {
            if matches!(kind, EntryKind::Token(_)) {
                continue;
            }
            if entry == wanted.as_bytes() {
                subprotocol = core::str::from_utf8(entry).ok();
                break 'pick;
            }
        }
    }
    if subprotocol.is_none() && config.require_subprotocol {
        return Err(Rejection::SubprotocolNoMatch);
    }

    Ok(Status::Complete(Accepted {
        path,
        query,
        host,
        origin,
        subprotocol,
        token,
        key,
        accept: AcceptKey::from_key(key.as_bytes()),
        consumed,
        head: request.get(..consumed).unwrap_or(request),
    }))
}
