//! HTTP/1.1 head syntax (RFC 9112 §2–5) for an upgrade request and its answer, by
//! `httparse` with its default (strict) configuration, plus the size limits around it.
//!
//! `httparse` decides the syntax: leading empty lines skipped, `\r\n` or bare `\n` line
//! endings, token method and header names, request targets of visible bytes (UTF-8),
//! `HTTP/1.0` or `HTTP/1.1`, header values of HTAB / SP / VCHAR / obs-text with
//! surrounding whitespace trimmed, no obsolete line folding, no space before a colon.
//! What this module adds is the *order* of verdicts: every verdict is decided by the
//! earliest bytes, whatever the delivery. Running out of input is [`Status::Partial`];
//! a prefix of a head that is already wrong gets the whole head's verdict. `httparse`
//! alone has that property (a prefix parses as `Partial` or fails with the same error);
//! the limits need more, because a limit broken late must not hide a syntax error
//! certain earlier (fuzz findings F2/F3, `tests/vectors/regressions.json`): when a limit
//! breaks, `httparse` runs again on the prefix just before the byte that broke it, and a
//! syntax error found there wins.
//!
//! **Header storage.** `httparse` fills a caller-sized `[Header; N]`:
//! [`validate_request`](super::validate_request) and
//! [`validate_response`](super::validate_response) keep one of
//! [`MAX_HEADERS`](super::MAX_HEADERS) = 64 entries on the stack (16 bytes each on a
//! 32-bit target, 1 KiB; 32 bytes on a 64-bit host), and [`parse_request`] takes the
//! caller's, so a device can size it to its own [`Limits::max_headers`].

use super::limits::{first_limit_failure, LimitError};
use super::{Limits, Rejection, ResponseError};
use crate::Status;
use httparse::Header;

/// A syntactically valid request head: the start line and the header fields as
/// `httparse` read them, borrowed from the caller's buffer and header storage.
/// Check it with [`validate_head`](super::validate_head).
///
/// ```
/// use wsguard_core::handshake::{parse_request, Limits, EMPTY_HEADER};
/// use wsguard_core::Status;
/// let mut headers = [EMPTY_HEADER; 8];
/// let req = b"GET /health HTTP/1.1\r\nHost: a\r\n\r\n";
/// let Ok(Status::Complete(head)) = parse_request(&Limits::DEFAULT, req, &mut headers) else { panic!() };
/// assert_eq!((head.method, head.target, head.headers.len(), head.consumed), ("GET", "/health", 1, req.len()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHead<'h, 'b> {
    /// The method token, e.g. `GET`.
    pub method: &'b str,
    /// The request target as sent (checked by [`validate_head`](super::validate_head)).
    pub target: &'b str,
    /// The minor HTTP version: 0 for `HTTP/1.0`, 1 for `HTTP/1.1`.
    pub minor: u8,
    /// The header fields in order, values trimmed.
    pub headers: &'h [Header<'b>],
    /// Bytes of the head, including the empty line that ends it; what follows is not
    /// part of the request head.
    pub consumed: usize,
    pub(crate) bytes: &'b [u8],
}

#[cfg(feature = "defmt")]
impl defmt::Format for RequestHead<'_, '_> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "RequestHead {{ method: {=str}, target: {=str}, headers: {=usize}, consumed: {=usize} }}",
            self.method,
            self.target,
            self.headers.len(),
            self.consumed
        )
    }
}

/// Bytes of `buf` after the empty lines a parser skips before the start line.
fn after_empty_lines(buf: &[u8]) -> &[u8] {
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len());
    buf.get(start..).unwrap_or(&[])
}

/// `true` when the request line is `<method> <target> HTTP/…` — an unsupported version
/// rather than a malformed line (`GET /a b HTTP/1.1` also fails on the version token).
fn names_http_version(request: &[u8]) -> bool {
    let rest = after_empty_lines(request);
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

/// The rejection for an `httparse` error on `bytes`.
fn syntax_rejection(e: httparse::Error, bytes: &[u8]) -> Rejection {
    match e {
        httparse::Error::TooManyHeaders => Rejection::TooManyHeaders,
        httparse::Error::Version if names_http_version(bytes) => Rejection::HttpVersion,
        _ => Rejection::MalformedRequest,
    }
}

/// The rejection for a limit broken at the end of `before` (the longest prefix that
/// breaks none), after `httparse` found no error in `before`. A limit broken inside the
/// request line is the request target's fault (414, RFC 9112 §3), or, while the method is
/// still being read, a method that cannot be `GET`; anywhere else it is the limit's own 431.
fn limit_rejection(limit: LimitError, before: &[u8], method_read: bool) -> Rejection {
    let start = after_empty_lines(before);
    if !start.is_empty() && !start.contains(&b'\n') {
        return if method_read {
            Rejection::TargetTooLong
        } else {
            Rejection::MethodNotGet
        };
    }
    match limit {
        LimitError::LineTooLong => Rejection::HeaderLineTooLong,
        LimitError::TooLarge => Rejection::RequestTooLarge,
    }
}

/// Parses the request head at the start of `request` with `httparse` into `headers`,
/// under `limits`; the verdict is the one the earliest bytes decide, whatever the delivery.
///
/// At most `min(limits.max_headers, MAX_HEADERS, headers.len())` fields are accepted;
/// more is `too_many_headers`. Use it, then [`validate_head`](super::validate_head), when
/// the caller needs the parsed head itself (to route by path before validating, say):
/// the head is parsed once. [`validate_request`](super::validate_request) does both.
///
/// ```
/// use wsguard_core::handshake::{parse_request, Limits, Rejection, EMPTY_HEADER};
/// use wsguard_core::Status;
/// let mut headers = [EMPTY_HEADER; 4];
/// assert_eq!(parse_request(&Limits::DEFAULT, b"GET / HTTP/1.1\r\nHo", &mut headers), Ok(Status::Partial));
/// assert_eq!(parse_request(&Limits::DEFAULT, b"GET / HTTP/1.1\r\nA : b\r\n", &mut headers), Err(Rejection::MalformedRequest));
/// ```
pub fn parse_request<'h, 'b>(
    limits: &Limits,
    request: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Status<RequestHead<'h, 'b>>, Rejection> {
    let cap = limits.header_capacity().min(headers.len());
    let (headers, _) = headers.split_at_mut(cap);
    if let Some(r) = limit_verdict(limits, request, |before| {
        prefix_verdict(before, &mut *headers)
    }) {
        return Err(r);
    }
    parse_into(request, headers)
}

/// The verdict when `request` breaks a limit: a syntax error already certain before the
/// limit broke comes first (`prefix` runs `httparse` on the longest prefix that breaks
/// none and says whether the method was read), else the limit's own rejection.
#[inline]
pub(crate) fn limit_verdict<'b>(
    limits: &Limits,
    request: &'b [u8],
    prefix: impl FnOnce(&'b [u8]) -> (Result<(), httparse::Error>, bool),
) -> Option<Rejection> {
    // No line and no head can be longer than the whole buffer: the separate limit scan
    // is only needed when the buffer could break a limit.
    if request.len() <= limits.max_line && request.len() <= limits.max_total {
        return None;
    }
    let (limit, at) = first_limit_failure(request, limits)?;
    let before = request.get(..at.saturating_sub(1)).unwrap_or(&[]);
    Some(match prefix(before) {
        (Err(e), _) => syntax_rejection(e, before),
        (Ok(()), method_read) => limit_rejection(limit, before, method_read),
    })
}

/// `httparse` on a prefix: its error, if any, and whether the method was read.
pub(crate) fn prefix_verdict<'b>(
    before: &'b [u8],
    headers: &mut [Header<'b>],
) -> (Result<(), httparse::Error>, bool) {
    let mut req = httparse::Request::new(headers);
    let r = req.parse(before).map(|_| ());
    (r, req.method.is_some())
}

/// `httparse` on the whole buffer, into `headers` (already capped). Inlined into the
/// frame that owns `headers`, so that no frame of its own stacks on the array.
#[inline(always)]
pub(crate) fn parse_into<'h, 'b>(
    request: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Status<RequestHead<'h, 'b>>, Rejection> {
    let mut req = httparse::Request::new(headers);
    match req.parse(request) {
        Ok(httparse::Status::Complete(consumed)) => {
            let httparse::Request {
                method,
                path,
                version,
                headers,
            } = req;
            Ok(Status::Complete(RequestHead {
                method: method.unwrap_or(""),
                target: path.unwrap_or(""),
                minor: version.unwrap_or(0),
                headers,
                consumed,
                bytes: request.get(..consumed).unwrap_or(request),
            }))
        }
        Ok(httparse::Status::Partial) => Ok(Status::Partial),
        Err(e) => Err(syntax_rejection(e, request)),
    }
}

/// A syntactically valid response head.
pub(crate) struct ResponseHead {
    pub code: u16,
    /// Bytes of the head, including the empty line that ends it.
    pub consumed: usize,
}

/// Parses the response head at the start of `response` with `httparse`, under `limits`,
/// with the same earliest-bytes ordering as [`parse_request`]. The header array of
/// [`MAX_HEADERS`](super::MAX_HEADERS) slots lives in this function's frame only (out of
/// line: it is gone before the caller reads the fields back from `response`).
#[inline(never)]
pub(crate) fn parse_response(
    limits: &Limits,
    response: &[u8],
) -> Result<Status<ResponseHead>, ResponseError> {
    let mut headers = [httparse::EMPTY_HEADER; super::MAX_HEADERS];
    let cap = limits.header_capacity();
    let (headers, _) = headers.split_at_mut(cap);
    let error = |e| match e {
        httparse::Error::TooManyHeaders => ResponseError::TooLarge,
        _ => ResponseError::Malformed,
    };
    if response.len() > limits.max_line || response.len() > limits.max_total {
        if let Some((_, at)) = first_limit_failure(response, limits) {
            let before = response.get(..at.saturating_sub(1)).unwrap_or(&[]);
            return Err(match httparse::Response::new(&mut *headers).parse(before) {
                Err(e) => error(e),
                Ok(_) => ResponseError::TooLarge,
            });
        }
    }
    let mut resp = httparse::Response::new(headers);
    match resp.parse(response) {
        Ok(httparse::Status::Complete(consumed)) => {
            let code = resp.code.unwrap_or(0);
            // RFC 9110 §15: "Values outside the range 100..599 are invalid" (httparse takes
            // any three digits, `007` included).
            if !(100..=599).contains(&code) {
                return Err(ResponseError::Malformed);
            }
            Ok(Status::Complete(ResponseHead { code, consumed }))
        }
        Ok(httparse::Status::Partial) => Ok(Status::Partial),
        Err(e) => Err(error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use httparse::EMPTY_HEADER;

    fn req(buf: &[u8], max: usize) -> Result<Status<(usize, usize)>, Rejection> {
        let mut h = [EMPTY_HEADER; 64];
        let limits = Limits::DEFAULT.max_headers(max);
        parse_request(&limits, buf, &mut h).map(|s| match s {
            Status::Complete(head) => Status::Complete((head.headers.len(), head.consumed)),
            Status::Partial => Status::Partial,
        })
    }

    /// What the removed hand-written parser's differential test pinned, now as plain
    /// cases: trimming, counting, version and line-shape errors.
    #[test]
    fn fields_are_trimmed_and_counted() {
        let r = b"GET / HTTP/1.1\r\nA:  x y \t\r\nB:\r\n\r\n";
        let mut h = [EMPTY_HEADER; 4];
        let Ok(Status::Complete(head)) = parse_request(&Limits::DEFAULT, r, &mut h) else {
            panic!()
        };
        assert_eq!(head.headers[0].value, b"x y");
        assert_eq!(head.headers[1].value, b"");
        assert_eq!(req(r, 2), Ok(Status::Complete((2, r.len()))));
        assert_eq!(req(r, 1), Err(Rejection::TooManyHeaders));
        assert_eq!(req(b"GET / HTTP/1.2\r\n", 2), Err(Rejection::HttpVersion));
        assert_eq!(req(b"GET / HTTP/1.", 2), Ok(Status::Partial));
        assert_eq!(req(b"GET / HTTP/2", 2), Err(Rejection::HttpVersion));
        assert_eq!(
            req(b"GET  / HTTP/1.1\r\n\r\n", 2),
            Err(Rejection::MalformedRequest)
        );
        assert_eq!(
            req(b"GET / HTTP/1.1\r\nA : b\r\n\r\n", 2),
            Err(Rejection::MalformedRequest)
        );
        assert_eq!(
            req(b"GET / HTTP/1.1\r\n b\r\n\r\n", 2),
            Err(Rejection::MalformedRequest)
        );
        assert_eq!(
            req(b"\r\n\nGET / HTTP/1.0\n\n", 2),
            Ok(Status::Complete((0, 19)))
        );
        // The extra field is refused once its line is read, not before.
        assert_eq!(
            req(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2", 1),
            Ok(Status::Partial)
        );
        assert_eq!(
            req(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n", 1),
            Err(Rejection::TooManyHeaders)
        );
    }

    /// Every prefix of a request gets `Partial` or the verdict of the whole request,
    /// including across the limit scan.
    #[test]
    fn every_prefix_agrees() {
        let cases: &[&[u8]] = &[
            b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            b"GET / HTTP/1.A x\r\n\r\n",
            b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n",
            b"GETGETGETGETGETGETGETGETGETGETGETGETGETGETGETGETGETGET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
            b"\xffaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        let limits = Limits::DEFAULT.max_headers(2).max_line(40).max_total(60);
        for case in cases {
            let mut h = [EMPTY_HEADER; 8];
            let whole = parse_request(&limits, case, &mut h).map(|s| s.is_partial());
            for cut in 0..case.len() {
                let mut h = [EMPTY_HEADER; 8];
                let part = parse_request(&limits, &case[..cut], &mut h).map(|s| s.is_partial());
                assert!(
                    part == Ok(true) || part == whole,
                    "{cut} {:?}: {part:?} {whole:?}",
                    case
                );
            }
        }
    }

    /// A limit broken in the request line: 414 in the target, 405 while the method is
    /// still being read; in a header line 431.
    #[test]
    fn limits_in_the_request_line() {
        let l = Limits::DEFAULT.max_line(20);
        let mut h = [EMPTY_HEADER; 8];
        let long_target = b"GET /aaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n";
        assert_eq!(
            parse_request(&l, long_target, &mut h),
            Err(Rejection::TargetTooLong)
        );
        let long_method = b"GETTTTTTTTTTTTTTTTTTTTTTTT / HTTP/1.1\r\n\r\n";
        assert_eq!(
            parse_request(&l, long_method, &mut h),
            Err(Rejection::MethodNotGet)
        );
        let long_header = b"GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
        assert_eq!(
            parse_request(&l, long_header, &mut h),
            Err(Rejection::HeaderLineTooLong)
        );
        let t = Limits::DEFAULT.max_total(20);
        assert_eq!(
            parse_request(&t, long_target, &mut h),
            Err(Rejection::TargetTooLong)
        );
    }

    #[test]
    fn responses() {
        let l = Limits::DEFAULT;
        let r = parse_response(&l, b"HTTP/1.1 101\r\n\r\n");
        assert!(matches!(
            r,
            Ok(Status::Complete(ResponseHead {
                code: 101,
                consumed: 16,
                ..
            }))
        ));
        assert!(matches!(
            parse_response(&l, b"HTTP/1.1 10 x\r\n\r\n"),
            Err(ResponseError::Malformed)
        ));
        assert!(matches!(
            parse_response(
                &l.max_headers(1),
                b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"
            ),
            Err(ResponseError::TooLarge)
        ));
    }
}
