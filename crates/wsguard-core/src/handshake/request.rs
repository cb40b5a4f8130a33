//! Server side: validate an upgrade request held in a caller buffer (RFC 6455 §4.2.1).
//!
//! Checks run in this order, and the first failure is the verdict: limits and syntax,
//! method, HTTP version, request target (RFC 9112 §3.2), body framing (RFC 9112 §6),
//! Host (present, single, allowed), `Upgrade`, `Connection`, `Sec-WebSocket-Version`,
//! `Sec-WebSocket-Key`, Origin, bearer token, subprotocol.

use super::accept::{key_is_valid, AcceptKey};
use super::auth::{locate_token, protocol_entries, EntryKind, ProtocolEntries, Token};
use super::extensions::{check_extensions, ExtensionError};
use super::parse::{limit_verdict, parse_into, prefix_verdict, RequestHead};
use super::tokens::{list_contains, Extensions, HeaderIter};
use super::{Rejection, ServerConfig};
use crate::origin::{HostPolicy, Origin, OriginDenial, Preset};
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
    /// The path, without the query (`/` for an absolute-form target without one).
    pub path: &'b str,
    /// The query string after `?`, if any (not percent-decoded).
    pub query: Option<&'b str>,
    /// The host the request is for: the `Host` value, or the authority of an
    /// absolute-form target (RFC 9112 §3.2.2).
    pub host: &'b str,
    /// The Origin that passed the policy; `None` when absent and the policy allows that.
    pub origin: Option<Origin<'b>>,
    /// The chosen subprotocol (the server's most preferred one the client offered).
    pub subprotocol: Option<&'b str>,
    /// The bearer token and where it was found.
    pub token: Option<Token<'b>>,
    /// `true` when the request carried no token, the configuration requires one, and
    /// the development auth bypass let it in
    /// ([`ServerConfig::dev_auth_bypass`](super::ServerConfig#structfield.dev_auth_bypass)):
    /// log [`DevAuthNotice`](super::DevAuthNotice) for it.
    pub dev_auth_bypassed: bool,
    /// The `Sec-WebSocket-Key` as received; empty when a server that had already upgraded
    /// consumed it ([`ServerConfig::upgraded`](super::ServerConfig::upgraded)).
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

    /// The request target exactly as sent (path and query, or the absolute form).
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_request, ServerConfig};
    /// use wsguard_core::origin::OriginPolicy;
    /// use wsguard_core::Status;
    /// let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let req = b"GET /ws?room=1 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    /// Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    /// let Ok(Status::Complete(a)) = validate_request(&cfg, req) else { panic!() };
    /// assert_eq!(a.target(), b"/ws?room=1");
    /// ```
    pub fn target(&self) -> &'b [u8] {
        // The head was accepted by the parser: its first non-empty line is
        // `METHOD SP target SP version`.
        let line = self
            .head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .find(|l| !l.is_empty())
            .unwrap_or(&[]);
        line.split(|&b| b == b' ').nth(1).unwrap_or(&[])
    }
}

impl<'b> Accepted<'b> {
    /// The verdict as far as the 101 answer needs it (accept value and subprotocol), for
    /// a request that arrived as a field list: no head bytes, nothing consumed.
    pub(super) fn answer_only(key: &'b str, subprotocol: Option<&'b str>) -> Self {
        Accepted {
            path: "/",
            query: None,
            host: "",
            origin: None,
            subprotocol,
            token: None,
            dev_auth_bypassed: false,
            key,
            accept: AcceptKey::from_key(key.as_bytes()),
            consumed: 0,
            head: &[],
        }
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

/// The headers [`validate_head`] decides on, found in one pass over the parsed fields:
/// `(count, first value)` for the single-valued ones, "the list contains the token" for
/// the list ones, and whether the request announces a body.
pub(super) struct Slots<'b> {
    /// The first value of each single-valued header, by [`Single`] index …
    first: [Option<&'b [u8]>; 5],
    /// … and how many times it came (saturating: only 0, 1 and more matter). Apart from
    /// `first`, so the slots take 8 + 1 bytes each on a 32-bit target instead of 12.
    count: [u8; 5],
    transfer_encoding: bool,
    /// An `Upgrade` / `Connection` field was present (for [`ServerConfig::upgraded`]).
    upgrade_seen: bool,
    connection_seen: bool,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    auth_or_protocol: bool,
    extensions: Result<(), ExtensionError>,
}

/// The single-valued headers of [`Slots`].
#[derive(Clone, Copy)]
enum Single {
    Host,
    Version,
    Key,
    Origin,
    ContentLength,
}

impl<'b> Slots<'b> {
    pub(super) fn new() -> Self {
        Slots {
            first: [None; 5],
            count: [0; 5],
            transfer_encoding: false,
            upgrade_seen: false,
            connection_seen: false,
            upgrade_websocket: false,
            connection_upgrade: false,
            auth_or_protocol: false,
            extensions: Ok(()),
        }
    }

    fn note(&mut self, which: Single, value: &'b [u8]) {
        if let Some(first @ None) = self.first.get_mut(which as usize) {
            *first = Some(value);
        }
        if let Some(n) = self.count.get_mut(which as usize) {
            *n = n.saturating_add(1);
        }
    }

    /// `(count, first value)` of a single-valued header.
    fn seen(&self, which: Single) -> (u8, Option<&'b [u8]>) {
        let i = which as usize;
        (
            self.count.get(i).copied().unwrap_or(0),
            self.first.get(i).copied().flatten(),
        )
    }

    /// Classifies one field by name into its slot.
    pub(super) fn field(&mut self, name: &[u8], value: &'b [u8]) {
        // The length picks the candidate names; only those are compared.
        let candidates: &[(&[u8], u8)] = match name.len() {
            4 => &[(b"host", 0)],
            6 => &[(b"origin", 1)],
            7 => &[(b"upgrade", 2)],
            10 => &[(b"connection", 3)],
            13 => &[(b"authorization", 4)],
            14 => &[(b"content-length", 8)],
            17 => &[(b"sec-websocket-key", 5), (b"transfer-encoding", 9)],
            21 => &[(b"sec-websocket-version", 6)],
            22 => &[(b"sec-websocket-protocol", 7)],
            24 => &[(b"sec-websocket-extensions", 10)],
            _ => return,
        };
        let Some(&(_, slot)) = candidates
            .iter()
            .find(|(want, _)| name.eq_ignore_ascii_case(want))
        else {
            return;
        };
        // `Upgrade` and `Connection` usually hold the one token: compared whole first.
        match slot {
            0 => self.note(Single::Host, value),
            1 => self.note(Single::Origin, value),
            2 => {
                self.upgrade_seen = true;
                self.upgrade_websocket = self.upgrade_websocket
                    || value.eq_ignore_ascii_case(b"websocket")
                    || list_contains(core::iter::once(value), b"websocket")
            }
            3 => {
                self.connection_seen = true;
                self.connection_upgrade = self.connection_upgrade
                    || value.eq_ignore_ascii_case(b"upgrade")
                    || list_contains(core::iter::once(value), b"upgrade")
            }
            5 => self.note(Single::Key, value),
            6 => self.note(Single::Version, value),
            8 => self.note(Single::ContentLength, value),
            9 => self.transfer_encoding = true,
            10 => self.extensions = self.extensions.and_then(|()| check_extensions(value)),
            _ => self.auth_or_protocol = true,
        }
    }

    /// The message framing of RFC 9112 §6: an upgrade request carries no body.
    ///
    /// Any `Transfer-Encoding` announces a body (§6.1) and is refused, whatever its
    /// value. `Content-Length: 0` (one field, digits only, value zero: `0`, `00`) is the
    /// explicit statement that there is no body (§6.2, §6.3 rule 6) and is accepted. Any
    /// other value is a body (`request_body`); a value that is not `1*DIGIT`, or several
    /// `Content-Length` fields (even equal ones, which §6.3 rule 5 and RFC 9110 §8.6 let
    /// a recipient refuse), is invalid framing (`content_length_invalid`, §6.3 rule 5:
    /// 400 and close). Either way the bytes after the head are never taken for frames.
    fn framing(&self) -> Result<(), Rejection> {
        if self.transfer_encoding {
            return Err(Rejection::RequestBody);
        }
        match self.seen(Single::ContentLength) {
            (0, _) => Ok(()),
            (1, Some(v)) if !v.is_empty() && v.iter().all(u8::is_ascii_digit) => {
                if v.iter().all(|&d| d == b'0') {
                    Ok(())
                } else {
                    Err(Rejection::RequestBody)
                }
            }
            _ => Err(Rejection::ContentLengthInvalid),
        }
    }
}

/// The request target, by form (RFC 9112 §3.2).
struct Target<'b> {
    path: &'b str,
    query: Option<&'b str>,
    /// The authority of an absolute-form target, which replaces `Host` (§3.2.2).
    authority: Option<&'b str>,
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// Splits `path?query`; a byte loop, not `split_once('?')`: no char searcher and no
/// `memchr` in the binary.
fn split_query(target: &str) -> (&str, Option<&str>) {
    match target.bytes().position(|c| c == b'?') {
        Some(i) => (
            target.get(..i).unwrap_or(target),
            Some(target.get(i + 1..).unwrap_or("")),
        ),
        None => (target, None),
    }
}

/// Classifies the request target (RFC 9112 §3.2). Origin-form (`/path?query`) is the
/// form of every WebSocket client; absolute-form is accepted for `http`, `https`, `ws`
/// and `wss` (§3.2.2: a server must accept it), its authority then standing for `Host`;
/// asterisk-form (OPTIONS only), authority-form (CONNECT only) and other schemes are
/// refused. The bytes of an origin-form path are not restricted beyond what the parser
/// accepts: browsers send `|`, `^`, `[`, `]` unescaped (WHATWG path percent-encode set).
fn classify_target(target: &str) -> Result<Target<'_>, Rejection> {
    if target.starts_with('/') {
        let (path, query) = split_query(target);
        return Ok(Target {
            path,
            query,
            authority: None,
        });
    }
    if target == "*" {
        return Err(Rejection::TargetAsteriskForm);
    }
    let colon = target.bytes().position(|c| c == b':');
    let (scheme, rest) = match colon {
        Some(i) => (
            target.get(..i).unwrap_or(""),
            target.get(i + 1..).unwrap_or(""),
        ),
        None => return Err(Rejection::TargetMalformed),
    };
    if let Some(rest) = rest.strip_prefix("//").filter(|_| is_scheme(scheme)) {
        let known = ["http", "https", "ws", "wss"]
            .iter()
            .any(|k| scheme.eq_ignore_ascii_case(k));
        if !known {
            return Err(Rejection::TargetScheme);
        }
        let end = rest
            .bytes()
            .position(|c| c == b'/' || c == b'?')
            .unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or("");
        let after = rest.get(end..).unwrap_or("");
        let (path, query) = split_query(after);
        return Ok(Target {
            path: if path.is_empty() { "/" } else { path },
            query,
            authority: Some(authority),
        });
    }
    // `host:port` with no path is the authority-form of CONNECT (§3.2.3).
    // Byte loops, not `rsplit`/`contains`: no `str` pattern searchers in the binary.
    let last_colon = target.bytes().rposition(|c| c == b':').unwrap_or(0);
    let port = target.as_bytes().get(last_colon + 1..).unwrap_or(&[]);
    if !port.is_empty() && port.iter().all(u8::is_ascii_digit) && !target.bytes().any(|c| c == b'/')
    {
        return Err(Rejection::TargetAuthorityForm);
    }
    let known = ["http", "https", "ws", "wss"]
        .iter()
        .any(|k| scheme.eq_ignore_ascii_case(k));
    Err(if is_scheme(scheme) && !known {
        Rejection::TargetScheme
    } else {
        Rejection::TargetMalformed
    })
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
/// The same as [`parse_request`](super::parse_request) then [`validate_head`].
///
/// **Stack.** The head is parsed by `httparse` into an array of
/// [`MAX_HEADERS`](super::MAX_HEADERS) header slots (1 KiB on a 32-bit target), in a
/// frame that is gone before the policy checks run (see the crate docs for the measured
/// total). A device that allows fewer headers can call [`parse_request`](super::parse_request) with a smaller
/// array of its own, then [`validate_head`].
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
    // By reference: moving the classification into `accept` copied it (72 bytes a copy
    // on a 32-bit target) twice in this frame.
    match &parse_and_classify(&config.limits, request)? {
        Status::Complete(c) => c.accept(config).map(Status::Complete),
        Status::Partial => Ok(Status::Partial),
    }
}

/// What the checks need from a parsed head; it borrows the request bytes only, not the
/// header array.
struct Classified<'b> {
    target: &'b str,
    slots: Slots<'b>,
    consumed: usize,
    bytes: &'b [u8],
}

impl<'b> Classified<'b> {
    /// The checks, then the accept value: the verdict of [`validate_request`].
    fn accept(&self, config: &ServerConfig<'_>) -> Result<Accepted<'b>, Rejection> {
        let c = check(
            config,
            self.target,
            &self.slots,
            HeaderIter::new(self.bytes),
        )?;
        Ok(Accepted {
            path: c.path,
            query: c.query,
            host: c.host,
            origin: c.origin,
            subprotocol: c.subprotocol,
            token: c.token,
            dev_auth_bypassed: c.dev_auth_bypassed,
            key: c.key,
            accept: AcceptKey::from_key(c.key.as_bytes()),
            consumed: self.consumed,
            head: self.bytes,
        })
    }
}

/// The request line's verdicts, in the order the checks run: method, then HTTP version.
pub(super) fn request_line(method: &[u8], minor: u8) -> Result<(), Rejection> {
    if method != b"GET" {
        return Err(Rejection::MethodNotGet);
    }
    if minor != 1 {
        return Err(Rejection::HttpVersion);
    }
    Ok(())
}

/// Method, version, and each field classified into its slot.
///
/// Inlined into the header array's frame: as a callee its own frame stacked on top of
/// the array (60 bytes on a Cortex-M4F).
#[inline(always)]
fn classify<'b>(head: &RequestHead<'_, 'b>) -> Result<Classified<'b>, Rejection> {
    request_line(head.method.as_bytes(), head.minor)?;
    let mut slots = Slots::new();
    for h in head.headers {
        slots.field(h.name.as_bytes(), h.value);
    }
    Ok(Classified {
        target: head.target,
        slots,
        consumed: head.consumed,
        bytes: head.bytes,
    })
}

/// [`parse_request`] into header arrays of [`MAX_HEADERS`](super::MAX_HEADERS) slots
/// that live only in out-of-line frames, gone before the policy checks run: the stack is
/// the larger of the two, not their sum. The limit test itself stays inline, so a build
/// whose buffers cannot break a limit drops the limit path.
fn parse_and_classify<'b>(
    limits: &super::Limits,
    request: &'b [u8],
) -> Result<Status<Classified<'b>>, Rejection> {
    let cap = limits.header_capacity();
    if let Some(r) = limit_verdict(limits, request, |before| prefix_in_own_array(before, cap)) {
        return Err(r);
    }
    parse_in_own_array(request, cap)
}

#[inline(never)]
fn prefix_in_own_array(before: &'_ [u8], cap: usize) -> (Result<(), httparse::Error>, bool) {
    let mut headers = [httparse::EMPTY_HEADER; super::MAX_HEADERS];
    let (headers, _) = headers.split_at_mut(cap.min(super::MAX_HEADERS));
    prefix_verdict(before, headers)
}

#[inline(never)]
fn parse_in_own_array(request: &[u8], cap: usize) -> Result<Status<Classified<'_>>, Rejection> {
    let mut headers = [httparse::EMPTY_HEADER; super::MAX_HEADERS];
    let (headers, _) = headers.split_at_mut(cap.min(super::MAX_HEADERS));
    match parse_into(request, headers)? {
        Status::Complete(head) => classify(&head).map(Status::Complete),
        Status::Partial => Ok(Status::Partial),
    }
}

/// Checks a complete request head from [`parse_request`](super::parse_request) against `config`: the rules
/// of [`validate_request`], without parsing again.
///
/// Checks run in this order, and the first failure is the verdict: method, HTTP
/// version, request target, body framing, Host (present, single, allowed — the
/// authority of an absolute-form target instead of the `Host` value), `Upgrade`,
/// `Connection`, `Sec-WebSocket-Version`, `Sec-WebSocket-Key`, Origin, bearer token,
/// subprotocol.
///
/// ```
/// use wsguard_core::handshake::{parse_request, validate_head, Rejection, ServerConfig, EMPTY_HEADER};
/// use wsguard_core::origin::OriginPolicy;
/// use wsguard_core::Status;
/// let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
/// let req = b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
/// let mut headers = [EMPTY_HEADER; 16];
/// let Ok(Status::Complete(head)) = parse_request(&cfg.limits, req, &mut headers) else { panic!() };
/// assert_eq!(head.target, "/ws"); // route first, then validate
/// assert_eq!(validate_head(&cfg, &head).unwrap().path, "/ws");
/// ```
pub fn validate_head<'b>(
    config: &ServerConfig<'_>,
    head: &RequestHead<'_, 'b>,
) -> Result<Accepted<'b>, Rejection> {
    classify(head)?.accept(config)
}

/// What the checks decided for an accepted request: everything of [`Accepted`] except
/// what depends on how the request arrived (the accept value, the head bytes).
pub(super) struct Checked<'b> {
    pub path: &'b str,
    pub query: Option<&'b str>,
    pub host: &'b str,
    pub origin: Option<Origin<'b>>,
    pub subprotocol: Option<&'b str>,
    pub token: Option<Token<'b>>,
    pub dev_auth_bypassed: bool,
    pub key: &'b str,
}

/// The checks after method and version, in the documented order — the one rule code of
/// [`validate_request`], [`validate_head`] and
/// [`validate_fields`](super::validate_fields). `fields` walks the same header fields
/// `slots` was filled from (again, for the token and subprotocol lookups).
pub(super) fn check<'b>(
    config: &ServerConfig<'_>,
    target: &'b str,
    slots: &Slots<'b>,
    fields: HeaderIter<'b>,
) -> Result<Checked<'b>, Rejection> {
    // Read before any call the configuration escapes into: a firmware build with a
    // constant configuration then folds the token lookup away when it has no source.
    let token_config = config.token;
    let target = classify_target(target)?;
    slots.framing()?;

    // Host: exactly one; well-formed and allowed per the Host policy. With an
    // absolute-form target its authority is the host (RFC 9112 §3.2.2) and the `Host`
    // field, still required, need only be well-formed.
    let host = match slots.seen(Single::Host) {
        (0, _) | (_, None) => return Err(Rejection::HostMissing),
        (1, Some(h)) => h,
        _ => return Err(Rejection::HostMultiple),
    };
    let host = match target.authority {
        None => config.hosts.check_text(host).map_err(Rejection::Host)?,
        Some(authority) => {
            HostPolicy::new(&[])
                .check_text(host)
                .map_err(Rejection::Host)?;
            config
                .hosts
                .check_text(authority.as_bytes())
                .map_err(Rejection::Host)?
        }
    };

    // A server that already upgraded (`config.upgraded`) may have consumed these fields:
    // absent is then fine, present is checked as always.
    let consumed = config.upgraded;
    // Refused when the token is missing, unless the field itself was consumed.
    if !slots.upgrade_websocket && (!consumed || slots.upgrade_seen) {
        return Err(Rejection::UpgradeMissing);
    }
    if !slots.connection_upgrade && (!consumed || slots.connection_seen) {
        return Err(Rejection::ConnectionMissingUpgrade);
    }
    match slots.seen(Single::Version) {
        (0, _) if consumed => {}
        (0, _) | (_, None) => return Err(Rejection::VersionMissing),
        (1, Some(b"13")) => {}
        _ => return Err(Rejection::VersionUnsupported),
    }
    let key = match slots.seen(Single::Key) {
        (0, _) if consumed => &b""[..],
        (0, _) | (_, None) => return Err(Rejection::KeyMissing),
        (1, Some(k)) => k,
        _ => return Err(Rejection::KeyMultiple),
    };
    if (!key.is_empty() || !consumed) && !key_is_valid(key) {
        return Err(Rejection::KeyInvalid);
    }
    let key = core::str::from_utf8(key).map_err(|_| Rejection::KeyInvalid)?;
    slots.extensions.map_err(Rejection::Extensions)?;

    let origin = match slots.seen(Single::Origin) {
        (0, _) => {
            // A policy that allows a missing Origin answers `Ok` for `None`.
            config.origin.check(None).map_err(Rejection::Origin)?;
            None
        }
        (1, value) => Some(config.origin.check(value).map_err(Rejection::Origin)?),
        // Several Origin headers: never pick the first or the last.
        _ => return Err(Rejection::Origin(OriginDenial::Multiple)),
    };

    // The token and subprotocol lookups walk the head again only when a request
    // carries `Authorization` or `Sec-WebSocket-Protocol` at all.
    let headers = if slots.auth_or_protocol {
        fields
    } else {
        HeaderIter::fields(&[])
    };
    let query = target.query;
    // The development bypass stands in for a missing token only, and only under the
    // development preset (a tier that skipped the startup check still never bypasses
    // in production).
    let bypass = config.dev_auth_bypass && config.origin.preset_kind() == Preset::Development;
    let sources = token_config.authorization
        || token_config.query.is_some()
        || token_config.subprotocol.is_some();
    // Without a source, `locate_token`'s own answer: nothing found, missing if required.
    // Decided here, on the copy, not inside `locate_token`: only here does LLVM see a
    // constant configuration (BENCHMARKS §3: 1.5 KB of the server program).
    let located = if sources {
        locate_token(&token_config, headers, query)
    } else if token_config.required {
        Err(Rejection::TokenMissing)
    } else {
        Ok(None)
    };
    let (token, dev_auth_bypassed) = match located {
        Err(Rejection::TokenMissing) if bypass => (None, true),
        other => (other?, false),
    };

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

    Ok(Checked {
        path: target.path,
        query,
        host,
        origin,
        subprotocol,
        token,
        dev_auth_bypassed,
        key,
    })
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
