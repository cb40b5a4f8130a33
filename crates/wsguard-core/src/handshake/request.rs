//! Server side: validate an upgrade request held in a caller buffer (RFC 6455 §4.2.1).
//!
//! Checks run in this order, and the first failure is the verdict: limits and syntax,
//! method, HTTP version, Host (present, single, allowed), `Upgrade`, `Connection`,
//! `Sec-WebSocket-Version`, `Sec-WebSocket-Key`, Origin, bearer token, subprotocol.

use super::accept::{key_is_valid, AcceptKey};
use super::auth::{locate_token, protocol_entries, EntryKind, ProtocolEntries, Token};
use super::extensions::{check_extensions, ExtensionError};
use super::head::{parse_request, FieldSink, HeadError};
use super::limits::{first_limit_failure, LimitError};
use super::tokens::{list_contains, Extensions, HeaderIter};
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

/// The headers `validate_request` decides on, found in one pass: `(count, first value)`
/// for the single-valued ones, "the list contains the token" for the list ones.
struct Slots<'b> {
    host: (usize, Option<&'b [u8]>),
    version: (usize, Option<&'b [u8]>),
    key: (usize, Option<&'b [u8]>),
    origin: (usize, Option<&'b [u8]>),
    upgrade_websocket: bool,
    connection_upgrade: bool,
    auth_or_protocol: bool,
    extensions: Result<(), ExtensionError>,
}

fn note<'b>(slot: &mut (usize, Option<&'b [u8]>), value: &'b [u8]) {
    if slot.1.is_none() {
        slot.1 = Some(value);
    }
    slot.0 = slot.0.saturating_add(1);
}

impl<'b> Slots<'b> {
    fn new() -> Self {
        Slots {
            host: (0, None),
            version: (0, None),
            key: (0, None),
            origin: (0, None),
            upgrade_websocket: false,
            connection_upgrade: false,
            auth_or_protocol: false,
            extensions: Ok(()),
        }
    }
}

/// Each field is classified by name into its slot while the parser reads it.
impl<'b> FieldSink<'b> for Slots<'b> {
    fn field(&mut self, name: &'b [u8], value: &'b [u8]) {
        // The length picks the one candidate name; only that one is compared.
        let (want, slot): (&[u8], u8) = match name.len() {
            4 => (b"host", 0),
            6 => (b"origin", 1),
            7 => (b"upgrade", 2),
            10 => (b"connection", 3),
            13 => (b"authorization", 4),
            17 => (b"sec-websocket-key", 5),
            21 => (b"sec-websocket-version", 6),
            22 => (b"sec-websocket-protocol", 7),
            24 => (b"sec-websocket-extensions", 8),
            _ => return,
        };
        if !name.eq_ignore_ascii_case(want) {
            return;
        }
        // `Upgrade` and `Connection` usually hold the one token: compared whole first.
        match slot {
            0 => note(&mut self.host, value),
            1 => note(&mut self.origin, value),
            2 => {
                self.upgrade_websocket = self.upgrade_websocket
                    || value.eq_ignore_ascii_case(b"websocket")
                    || list_contains(core::iter::once(value), b"websocket")
            }
            3 => {
                self.connection_upgrade = self.connection_upgrade
                    || value.eq_ignore_ascii_case(b"upgrade")
                    || list_contains(core::iter::once(value), b"upgrade")
            }
            5 => note(&mut self.key, value),
            6 => note(&mut self.version, value),
            8 => self.extensions = self.extensions.and_then(|()| check_extensions(value)),
            _ => self.auth_or_protocol = true,
        }
    }
}

/// The rejection for a syntax error on `bytes`.
fn syntax_rejection(e: HeadError, bytes: &[u8]) -> Rejection {
    match e {
        HeadError::TooManyHeaders => Rejection::TooManyHeaders,
        HeadError::Version if names_http_version(bytes) => Rejection::HttpVersion,
        _ => Rejection::MalformedRequest,
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
    // Only the version token decides, so that a request and every prefix of it that
    // already shows the bad version get the same verdict; `HTTP/1.1` followed by junk is
    // a malformed line, not a version problem.
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(m), Some(t), Some(v)) if !m.is_empty() && !t.is_empty()
            && v.starts_with(b"HTTP/") && v != b"HTTP/1.1")
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
/// Never panics, never allocates. At most `limits.max_headers` header fields are
/// accepted (clamped to [`MAX_HEADERS`](super::MAX_HEADERS)); more is `too_many_headers`.
///
/// **Stack.** No header array: the head is parsed in one pass and each field is
/// classified as it is read (about 0.4 KiB of stack on a Cortex-M4, see the crate docs).
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
    // No line and no head can be longer than the whole buffer: the separate limit
    // scan is only needed when the buffer could break a limit.
    let cap = limits.header_capacity();
    if request.len() > limits.max_line || request.len() > limits.max_total {
        if let Some((limit, at)) = first_limit_failure(request, limits) {
            // The verdict is the one the earliest bytes decide, whatever the delivery: a
            // syntax error already certain before the limit broke comes first.
            let before = request.get(..at.saturating_sub(1)).unwrap_or(&[]);
            if let Err(e) = parse_request(before, cap, &mut ()) {
                return Err(syntax_rejection(e, before));
            }
            return Err(match limit {
                LimitError::LineTooLong => Rejection::HeaderLineTooLong,
                LimitError::TooLarge => Rejection::RequestTooLarge,
            });
        }
    }
    // One pass: the syntax is checked and each field classified by name into its slot.
    let mut slots = Slots::new();
    let head = match parse_request(request, cap, &mut slots) {
        Ok(Status::Complete(head)) => head,
        Ok(Status::Partial) => return Ok(Status::Partial),
        Err(e) => return Err(syntax_rejection(e, request)),
    };
    let consumed = head.len;
    if head.method != b"GET" {
        return Err(Rejection::MethodNotGet);
    }
    if head.minor != 1 {
        return Err(Rejection::HttpVersion);
    }
    let target = head.target;
    // A byte loop, not `split_once('?')`: no char searcher and no `memchr` in the binary.
    let (path, query) = match target.bytes().position(|c| c == b'?') {
        Some(i) => (
            target.get(..i).unwrap_or(target),
            Some(target.get(i + 1..).unwrap_or("")),
        ),
        None => (target, None),
    };

    // Host: exactly one; well-formed and allowed per the Host policy.
    let host = match slots.host {
        (0, _) | (_, None) => return Err(Rejection::HostMissing),
        (1, Some(h)) => h,
        _ => return Err(Rejection::HostMultiple),
    };
    let host = config.hosts.check_text(host).map_err(Rejection::Host)?;

    if !slots.upgrade_websocket {
        return Err(Rejection::UpgradeMissing);
    }
    if !slots.connection_upgrade {
        return Err(Rejection::ConnectionMissingUpgrade);
    }
    match slots.version {
        (0, _) | (_, None) => return Err(Rejection::VersionMissing),
        (1, Some(b"13")) => {}
        _ => return Err(Rejection::VersionUnsupported),
    }
    let key = match slots.key {
        (0, _) | (_, None) => return Err(Rejection::KeyMissing),
        (1, Some(k)) => k,
        _ => return Err(Rejection::KeyMultiple),
    };
    if !key_is_valid(key) {
        return Err(Rejection::KeyInvalid);
    }
    let key = core::str::from_utf8(key).map_err(|_| Rejection::KeyInvalid)?;
    slots.extensions.map_err(Rejection::Extensions)?;

    let origin = match slots.origin {
        (0, _) => {
            // A policy that allows a missing Origin answers `Ok` for `None`.
            config.origin.check(None).map_err(Rejection::Origin)?;
            None
        }
        (1, value) => Some(config.origin.check(value).map_err(Rejection::Origin)?),
        // Several Origin headers: never pick the first or the last.
        _ => return Err(Rejection::Origin(OriginDenial::Multiple)),
    };

    // The token and subprotocol lookups walk the headers again only when a request
    // carries `Authorization` or `Sec-WebSocket-Protocol` at all.
    let head_bytes = request.get(..consumed).unwrap_or(request);
    let headers = if slots.auth_or_protocol {
        HeaderIter::new(head_bytes)
    } else {
        HeaderIter::fields(&[])
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
        head: head_bytes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::Limits;
    use crate::origin::{OriginPolicy, Pattern};

    const REQ: &[u8] = b"GET /a?b HTTP/1.1\r\nHost: h.example\r\nUpgrade: websocket\r\n\
        Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://a.example\r\n\
        Authorization: Bearer abc\r\nSec-WebSocket-Protocol: chat\r\nX: y\r\n\r\n";

    /// The header limit counts fields exactly; mutated requests get the same verdict
    /// under any limit the request's fields fit in.
    #[test]
    fn header_limit_counts_fields() {
        let any = [Pattern::ANY];
        let cfg = ServerConfig::new(OriginPolicy::new(&any))
            .subprotocols(&["chat"])
            .token(crate::handshake::TokenConfig::default().authorization(true));
        let Ok(Status::Complete(a)) = validate_request(&cfg, REQ) else {
            panic!("REQ must be accepted")
        };
        assert_eq!(a.subprotocol, Some("chat"));
        assert_eq!(a.token.map(|t| t.value), Some("abc"));
        let with = |n| ServerConfig {
            limits: Limits::DEFAULT.max_headers(n),
            ..cfg
        };
        assert_eq!(validate_request(&with(9), REQ), validate_request(&cfg, REQ));
        assert_eq!(
            validate_request(&with(8), REQ),
            Err(Rejection::TooManyHeaders)
        );
        let mut state: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..5_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut v = REQ.to_vec();
            let at = (state % v.len() as u64) as usize;
            v[at] = (state >> 32) as u8;
            v.truncate(v.len() - ((state >> 40) % 8) as usize);
            let a = validate_request(&cfg, &v);
            assert_eq!(a, validate_request(&with(10), &v));
            assert_eq!(a, validate_request(&with(100), &v));
        }
    }

    /// The limit scan is skipped only when the buffer is within both limits.
    #[test]
    fn limits_still_apply() {
        let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
        let short = ServerConfig {
            limits: Limits::DEFAULT.max_line(40),
            ..cfg
        };
        assert_eq!(
            validate_request(&short, REQ),
            Err(Rejection::HeaderLineTooLong)
        );
        let small = ServerConfig {
            limits: Limits::DEFAULT.max_total(100),
            ..cfg
        };
        assert_eq!(
            validate_request(&small, REQ),
            Err(Rejection::RequestTooLarge)
        );
        assert_eq!(validate_request(&small, &REQ[..90]), Ok(Status::Partial));
    }
}
