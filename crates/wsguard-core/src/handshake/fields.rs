//! Server side for a request an HTTP server already parsed: the request line's parts and
//! the header fields as a list (an ASGI scope, a `websockets` request), validated by the
//! rules of [`validate_request`](super::validate_request) without writing a head and
//! parsing it again, and without computing `Sec-WebSocket-Accept` (the server that
//! answers the upgrade computes it; [`AcceptedFields::accept`] does on demand).
//!
//! **One meaning.** The verdict is the one [`validate_request`](super::validate_request)
//! gives for the head written from the list: `<method> <target> HTTP/1.<minor>` CRLF,
//! then `<name>: <value>` CRLF per field (the value without surrounding SP/HTAB, as a
//! parser reads it), then CRLF. That includes the syntax the parser would check (method
//! and names are tokens, the target visible bytes in UTF-8, values without control
//! characters other than HTAB), the size limits, and which of them the earliest byte of
//! that head decides: the checks after it are the same code ([`check`]). A CR, LF or NUL
//! anywhere, a space in the method or target, or a `:` in a name cannot be written as
//! that head at all and is `malformed_request`. A test and the `handshake_server` fuzz
//! target compare the two entry points on the shared vectors and on generated lists.

use super::accept::AcceptKey;
use super::auth::Token;
use super::request::{check, request_line, Accepted, Slots};
use super::tokens::{trim_ows, Extensions, Field, HeaderIter};
use super::{Limits, Rejection, ServerConfig};
use crate::origin::Origin;
use crate::BufferTooSmall;

/// A request as an HTTP server hands it over: the parts of the request line and the
/// header fields in the order received. Validate it with [`validate_fields`].
///
/// ```
/// use wsguard_core::handshake::FieldRequest;
/// let fields = [(&b"host"[..], &b"a.example"[..])];
/// let req = FieldRequest::get(b"/ws?room=1", &fields);
/// assert_eq!((req.method, req.minor), (&b"GET"[..], 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FieldRequest<'b> {
    /// The method token (`GET`; an ASGI websocket scope has none: it is `GET`).
    pub method: &'b [u8],
    /// The request target as sent: path and query (`/chat?room=1`), or absolute-form.
    pub target: &'b [u8],
    /// The minor HTTP/1 version: 1 for `HTTP/1.1`, 0 for `HTTP/1.0` (refused as
    /// `http_version`, like any other value).
    pub minor: u8,
    /// The header fields, names in any case, values trimmed or not.
    pub fields: &'b [Field<'b>],
}

impl<'b> FieldRequest<'b> {
    /// A `GET <target> HTTP/1.1` request with `fields`.
    ///
    /// ```
    /// use wsguard_core::handshake::FieldRequest;
    /// let req = FieldRequest::get(b"/", &[]);
    /// assert!(req.fields.is_empty());
    /// ```
    pub const fn get(target: &'b [u8], fields: &'b [Field<'b>]) -> Self {
        FieldRequest {
            method: b"GET",
            target,
            minor: 1,
            fields,
        }
    }
}

/// A valid upgrade request given as a field list, borrowed from it. What
/// [`Accepted`](super::Accepted) says, without the bytes of a head; the accept value is
/// computed only when asked for.
///
/// ```
/// use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// let fields: [(&[u8], &[u8]); 6] = [
///     (b"host", b"chat.example.com"), (b"upgrade", b"websocket"),
///     (b"connection", b"Upgrade"), (b"sec-websocket-version", b"13"),
///     (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="), (b"origin", b"https://app.example.com"),
/// ];
/// let a = validate_fields(&cfg, &FieldRequest::get(b"/chat?room=1", &fields)).unwrap();
/// assert_eq!((a.path, a.query, a.host), ("/chat", Some("room=1"), "chat.example.com"));
/// assert_eq!(a.accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedFields<'b> {
    /// The path, without the query (`/` for an absolute-form target without one).
    pub path: &'b str,
    /// The query string after `?`, if any (not percent-decoded).
    pub query: Option<&'b str>,
    /// The `Host` value, or the authority of an absolute-form target.
    pub host: &'b str,
    /// The Origin that passed the policy; `None` when absent and the policy allows that.
    pub origin: Option<Origin<'b>>,
    /// The chosen subprotocol (the server's most preferred one the client offered).
    pub subprotocol: Option<&'b str>,
    /// The bearer token and where it was found.
    pub token: Option<Token<'b>>,
    /// `true` when the development auth bypass let in a request without a token, as
    /// [`Accepted::dev_auth_bypassed`](super::Accepted::dev_auth_bypassed) says (the same
    /// rule): log [`DevAuthNotice`](super::DevAuthNotice) for it.
    pub dev_auth_bypassed: bool,
    /// The `Sec-WebSocket-Key` as received; empty when a server that had already upgraded
    /// consumed it ([`ServerConfig::upgraded`](super::ServerConfig::upgraded)).
    pub key: &'b str,
    fields: &'b [Field<'b>],
}

impl<'b> AcceptedFields<'b> {
    /// The `Sec-WebSocket-Accept` value for [`key`](Self::key) (SHA-1, computed now).
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// # let f: [(&[u8], &[u8]); 5] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    /// #     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// assert_eq!(a.accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /// ```
    pub fn accept(&self) -> AcceptKey {
        AcceptKey::from_key(self.key.as_bytes())
    }

    /// Writes the 101 answer, as [`write_accept_response`](super::write_accept_response)
    /// writes it for the same request; see [`write_accept_for`].
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// # let f: [(&[u8], &[u8]); 5] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    /// #     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// let mut out = [0u8; 160];
    /// let n = a.write_accept_response(&mut out).unwrap();
    /// assert!(out[..n].starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    /// ```
    pub fn write_accept_response(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        write_accept_for(self.key, self.subprotocol, out)
    }

    /// The extensions offered in `Sec-WebSocket-Extensions` (parsed, not negotiated).
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let f: [(&[u8], &[u8]); 6] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    ///     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    ///     (b"Sec-WebSocket-Extensions", b"permessage-deflate; client_max_window_bits")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// assert_eq!(a.extensions().next().unwrap().name, "permessage-deflate");
    /// ```
    pub fn extensions(&self) -> Extensions<'b> {
        Extensions::new(HeaderIter::list(self.fields))
    }

    /// The values of the `Sec-WebSocket-Extensions` fields, in order, trimmed and not
    /// parsed: what [`extensions`](Self::extensions) reads, for a caller that keeps them
    /// to parse later. Names are compared as bytes (no UTF-8 check per field).
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let f: [(&[u8], &[u8]); 7] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    ///     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    ///     (b"Sec-WebSocket-Extensions", b" a; b "), (b"sec-websocket-extensions", b"c")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// assert!(a.extension_values().eq([&b"a; b"[..], &b"c"[..]]));
    /// ```
    pub fn extension_values(&self) -> impl Iterator<Item = &'b [u8]> + Clone + 'b {
        const NAME: &[u8] = b"sec-websocket-extensions";
        self.fields
            .iter()
            .filter(|(name, _)| name.len() == NAME.len() && name.eq_ignore_ascii_case(NAME))
            .map(|&(_, value)| trim_ows(value))
    }

    /// All header fields, in order, values trimmed.
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let f: [(&[u8], &[u8]); 6] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    ///     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    ///     (b"X-Trace", b" 7 ")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// assert_eq!(a.headers().count(), 6);
    /// assert_eq!(a.header("x-trace"), Some(&b"7"[..]));
    /// ```
    pub fn headers(&self) -> HeaderIter<'b> {
        HeaderIter::list(self.fields)
    }

    /// The first header called `name` (case-insensitive), trimmed.
    ///
    /// ```
    /// # use wsguard_core::handshake::{validate_fields, FieldRequest, ServerConfig};
    /// # use wsguard_core::origin::OriginPolicy;
    /// # let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// # let f: [(&[u8], &[u8]); 5] = [(b"host", b"a"), (b"upgrade", b"websocket"), (b"connection", b"upgrade"),
    /// #     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")];
    /// let a = validate_fields(&cfg, &FieldRequest::get(b"/", &f)).unwrap();
    /// assert_eq!(a.header("HOST"), Some(&b"a"[..]));
    /// assert_eq!(a.header("cookie"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for AcceptedFields<'_> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "AcceptedFields {{ path: {=str}, host: {=str}, subprotocol: {}, token: {} }}",
            self.path,
            self.host,
            self.subprotocol,
            self.token.map(|t| t.source)
        )
    }
}

/// Writes the 101 answer for a request accepted with `key` (its `Sec-WebSocket-Key`, as
/// [`AcceptedFields::key`] holds it) choosing `subprotocol`: the bytes
/// [`write_accept_response`](super::write_accept_response) writes for that verdict. For a
/// caller that kept only the key and the subprotocol of a verdict and writes the answer
/// later, if at all.
///
/// ```
/// use wsguard_core::handshake::write_accept_for;
/// let mut out = [0u8; 160];
/// let n = write_accept_for("dGhlIHNhbXBsZSBub25jZQ==", Some("chat"), &mut out).unwrap();
/// assert!(out[..n].ends_with(b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"));
/// ```
pub fn write_accept_for(
    key: &str,
    subprotocol: Option<&str>,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    super::write_accept_response(&Accepted::answer_only(key, subprotocol), out)
}

/// `tchar` (RFC 9110 §5.6.2): method and field names.
const TCHAR: u8 = 1;
/// A request-target byte as the parser takes it: visible ASCII or non-ASCII.
const TARGET: u8 = 2;
/// A field-value byte as the parser takes it: HTAB, SP, visible ASCII, obs-text.
const VALUE: u8 = 4;

/// The byte classes above, one lookup per byte (the parser's own approach).
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if super::client::is_tchar(b) {
            c |= TCHAR;
        }
        if (b >= 0x21 && b < 0x7f) || b >= 0x80 {
            c |= TARGET;
        }
        if b == b'\t' || (b >= 0x20 && b < 0x7f) || b >= 0x80 {
            c |= VALUE;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// The offset of the first byte of `bytes` outside `class`.
fn first_bad(bytes: &[u8], class: u8) -> Option<usize> {
    bytes
        .iter()
        .position(|&b| CLASSES[usize::from(b)] & class == 0)
}

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// `0x80` in every byte of a word.
const HIGH: u64 = ONES * 0x80;

/// `0x80` in exactly the bytes of `w` that are zero (no borrow between bytes).
const fn zero_bytes(w: u64) -> u64 {
    !(((w & !HIGH) + !HIGH) | w | !HIGH)
}

/// `0x80` in exactly the bytes of `w` within `lo..=hi`; every byte of `w` below `0x80`
/// and `0 < lo <= hi < 0x80` (then no sum carries into the next byte).
const fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    let lo = ONES * (0x80 - lo as u64);
    let hi = ONES * (0x7f - hi as u64);
    w.wrapping_add(lo) & !w.wrapping_add(hi) & HIGH
}

/// Whether all eight bytes of `w` are `VALUE` bytes, when no byte is HTAB: none is below
/// `0x20` or `0x7f` (a word with a HTAB answers `false`; the byte loop decides it).
const fn value_word(w: u64) -> bool {
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    below_space | zero_bytes(w ^ (ONES * 0x7f)) == 0
}

/// Whether all eight bytes of `w` are letters, digits or `-` (all `tchar`; a word with
/// another `tchar` answers `false`, and the byte loop decides it).
const fn name_word(w: u64) -> bool {
    if w & HIGH != 0 {
        return false;
    }
    let ok = in_range(w | (ONES * 0x20), b'a', b'z')
        | in_range(w, b'0', b'9')
        | zero_bytes(w ^ (ONES * b'-' as u64));
    ok == HIGH
}

/// [`first_bad`] for `TCHAR` or `VALUE`, eight bytes at a time while the words are
/// plainly inside the class (`word`), byte by byte from the first word that is not.
fn first_bad_words(bytes: &[u8], class: u8, word: impl Fn(u64) -> bool) -> Option<usize> {
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        match <[u8; 8]>::try_from(chunk) {
            Ok(c) if word(u64::from_ne_bytes(c)) => at += 8,
            _ => break,
        }
    }
    first_bad(bytes.get(at..).unwrap_or(&[]), class).map(|j| at + j)
}

/// One line of the written head: where it starts, its length without CRLF, and the
/// first syntax error in it (absolute offset and verdict).
struct Line {
    start: usize,
    len: usize,
    error: Option<(usize, Rejection)>,
}

/// The verdict the earliest byte of `line` decides, if any: a syntax error, or a limit
/// broken before it (the line limit first when both break at the same byte), as
/// `parse_request` orders them. `method_end` is the length of the method in the request
/// line (`None` for a header line): a limit broken before the method was read is the
/// method's fault, after it the target's (414).
fn decide(limits: &Limits, line: &Line, method_end: Option<usize>) -> Option<Rejection> {
    let line_break = (line.len > limits.max_line).then(|| line.start + limits.max_line);
    // The head breaks `max_total` at byte `max_total`; earlier lines were shorter.
    let end = line.start + line.len + 2;
    let total_break = (limits.max_total < end).then_some(limits.max_total);
    let limit = match (line_break, total_break) {
        (Some(l), Some(t)) if t < l => Some((t, false)),
        (Some(l), _) => Some((l, true)),
        (None, Some(t)) => Some((t, false)),
        (None, None) => None,
    };
    match (line.error, limit) {
        (Some((at, r)), Some((pos, _))) if at < pos => Some(r),
        (Some((_, r)), None) => Some(r),
        (_, Some((pos, line_limit))) => Some(match method_end {
            Some(m) if pos > 0 && pos > m => Rejection::TargetTooLong,
            Some(_) if pos > 0 => Rejection::MethodNotGet,
            _ if line_limit => Rejection::HeaderLineTooLong,
            _ => Rejection::RequestTooLarge,
        }),
        (None, None) => None,
    }
}

/// The request line's first syntax error: the method, the target (then its UTF-8, found
/// at the space after it), the version.
fn request_line_error(req: &FieldRequest<'_>) -> Option<(usize, Rejection)> {
    let m = req.method.len();
    if m == 0 {
        return Some((0, Rejection::MalformedRequest));
    }
    if let Some(i) = first_bad(req.method, TCHAR) {
        return Some((i, Rejection::MalformedRequest));
    }
    let t0 = m + 1;
    if req.target.is_empty() {
        return Some((t0, Rejection::MalformedRequest));
    }
    if let Some(j) = first_bad(req.target, TARGET) {
        return Some((t0 + j, Rejection::MalformedRequest));
    }
    let after = t0 + req.target.len();
    if core::str::from_utf8(req.target).is_err() {
        return Some((after, Rejection::MalformedRequest));
    }
    // `HTTP/1.<minor>`: a minor other than 0 or 1 fails at its digit.
    if req.minor > 1 {
        return Some((after + 8, Rejection::HttpVersion));
    }
    None
}

/// Syntax and limits of the head written from `req`, in the order its bytes decide them;
/// `Ok` with the target as text when the head would parse. Each field also goes into
/// `slots` in the same pass (they are read only after the whole head passed).
fn scan<'b>(
    limits: &Limits,
    req: &FieldRequest<'b>,
    slots: &mut Slots<'b>,
) -> Result<&'b str, Rejection> {
    let first = Line {
        start: 0,
        len: req.method.len() + 1 + req.target.len() + 9,
        error: request_line_error(req),
    };
    if let Some(r) = decide(limits, &first, Some(req.method.len())) {
        return Err(r);
    }
    let cap = limits.header_capacity();
    let mut start = first.len + 2;
    for (i, &(name, value)) in req.fields.iter().enumerate() {
        let value = trim_ows(value);
        let len = name.len() + 2 + value.len();
        let error = if name.is_empty() {
            Some((start, Rejection::MalformedRequest))
        } else if let Some(j) = first_bad_words(name, TCHAR, name_word) {
            Some((start + j, Rejection::MalformedRequest))
        } else if let Some(j) = first_bad_words(value, VALUE, value_word) {
            Some((start + name.len() + 2 + j, Rejection::MalformedRequest))
        } else if i >= cap {
            // The parser refuses the field after the last slot once its line ends.
            Some((start + len + 1, Rejection::TooManyHeaders))
        } else {
            None
        };
        let line = Line { start, len, error };
        if let Some(r) = decide(limits, &line, None) {
            return Err(r);
        }
        slots.field(name, value);
        start += len + 2;
    }
    let last = Line {
        start,
        len: 0,
        error: None,
    };
    if let Some(r) = decide(limits, &last, None) {
        return Err(r);
    }
    // Checked above: the target is UTF-8.
    core::str::from_utf8(req.target).map_err(|_| Rejection::MalformedRequest)
}

/// Validates an upgrade request given as a field list with the rules, order and codes
/// of [`validate_request`](super::validate_request) (see the module docs for the head
/// the verdict stands for). Never panics, never allocates, computes no SHA-1.
///
/// ```
/// use wsguard_core::handshake::{validate_fields, FieldRequest, Rejection, ServerConfig};
/// use wsguard_core::origin::{OriginDenial, OriginPolicy, Pattern};
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// let fields: [(&[u8], &[u8]); 6] = [
///     (b"host", b"a.example"), (b"upgrade", b"websocket"), (b"connection", b"Upgrade"),
///     (b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
///     (b"origin", b"https://evil.example"),
/// ];
/// let verdict = validate_fields(&cfg, &FieldRequest::get(b"/", &fields));
/// assert_eq!(verdict, Err(Rejection::Origin(OriginDenial::Host)));
/// let bad = [(&b"x-a"[..], &b"1\r\nSet-Cookie: a"[..])];
/// assert_eq!(validate_fields(&cfg, &FieldRequest::get(b"/", &bad)), Err(Rejection::MalformedRequest));
/// ```
pub fn validate_fields<'b>(
    config: &ServerConfig<'_>,
    request: &FieldRequest<'b>,
) -> Result<AcceptedFields<'b>, Rejection> {
    let mut slots = Slots::new();
    let target = scan(&config.limits, request, &mut slots)?;
    request_line(request.method, request.minor)?;
    let c = check(config, target, &slots, HeaderIter::list(request.fields))?;
    Ok(AcceptedFields {
        path: c.path,
        query: c.query,
        host: c.host,
        origin: c.origin,
        subprotocol: c.subprotocol,
        token: c.token,
        dev_auth_bypassed: c.dev_auth_bypassed,
        key: c.key,
        fields: request.fields,
    })
}

#[cfg(test)]
mod word_tests {
    use super::*;

    /// A word of `fill` with `b` at byte `at`.
    fn word(fill: u8, b: u8, at: usize) -> u64 {
        let mut w = [fill; 8];
        w[at] = b;
        u64::from_ne_bytes(w)
    }

    #[test]
    fn words_never_pass_a_byte_outside_the_class() {
        // Every byte at every position, among fills inside and at the edges of the class.
        for fill in [b'a', b'Z', b'0', b'9', b'-', b'z', b'A'] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let w = word(fill, b, at);
                    let name_ok = CLASSES[usize::from(b)] & TCHAR != 0;
                    let value_ok = CLASSES[usize::from(b)] & VALUE != 0;
                    assert!(!name_word(w) || name_ok, "name {b:#04x} at {at} in {fill}");
                    assert!(
                        !value_word(w) || value_ok,
                        "value {b:#04x} at {at} in {fill}"
                    );
                    // Exactly these bytes pass the word test (the rest go byte by byte).
                    let plain = b.is_ascii_alphanumeric() || b == b'-';
                    assert_eq!(name_word(w), plain, "name {b:#04x} at {at} in {fill}");
                    assert_eq!(
                        value_word(w),
                        value_ok && b != b'\t',
                        "value {b:#04x} at {at}"
                    );
                }
            }
        }
        // Neighbours across a byte boundary: a zero next to the byte tested.
        for at in 0..7 {
            for b in 0..=255u8 {
                let mut w = [b'a'; 8];
                w[at] = 0;
                w[at + 1] = b;
                let w = u64::from_ne_bytes(w);
                assert!(!name_word(w) && !value_word(w));
            }
        }
    }

    #[test]
    fn tchar_table_is_the_rfc_9110_set() {
        let tchars: std::vec::Vec<u8> = (0..=255u8)
            .filter(|&b| super::super::client::is_tchar(b))
            .collect();
        assert_eq!(tchars.len(), 77);
        assert_eq!(
            tchars
                .iter()
                .filter(|b| !b.is_ascii_alphanumeric())
                .collect::<std::vec::Vec<_>>(),
            b"!#$%&'*+-.^_`|~".iter().collect::<std::vec::Vec<_>>()
        );
    }

    #[test]
    fn first_bad_words_agrees_with_the_byte_loop() {
        let texts: [&[u8]; 9] = [
            b"",
            b"sec-websocket-extensions",
            b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
            b"permessage-deflate;\tclient_max_window_bits",
            b"abcdefgh\x7fjk",
            b"abcdefghijklmno\x00",
            b"x_custom.header!",
            b"caf\xc3\xa9 \xff obs-text",
            b"0123456789-ABCDEFGHIJ\r\nSet-Cookie: a",
        ];
        for t in texts {
            for class in [TCHAR, VALUE] {
                let word = if class == TCHAR {
                    name_word
                } else {
                    value_word
                };
                assert_eq!(
                    first_bad_words(t, class, word),
                    first_bad(t, class),
                    "{t:?}"
                );
            }
        }
        assert_eq!(
            first_bad_words(b"abcdefgh\x7fjk", VALUE, value_word),
            Some(8)
        );
        assert_eq!(first_bad_words(b"x_custom.header!", TCHAR, name_word), None);
        assert_eq!(
            first_bad_words(b"sec-websocket key", TCHAR, name_word),
            Some(13)
        );
    }
}
