//! HTTP/1.1 head syntax (RFC 9112 §2–5) for an upgrade request and its answer.
//!
//! One pass over the caller's buffer, byte by byte, with no header array: each header
//! field is handed to a [`FieldSink`] as it is read, so the handshake layer classifies
//! the fields it decides on while the syntax is checked. What is accepted is exactly what
//! `httparse` 1.10 accepts with its default configuration (a differential test below and
//! in the fuzz targets keeps it so): leading empty lines skipped, `\r\n` or bare `\n`
//! line endings, token method and header names, request targets of visible bytes
//! (UTF-8), `HTTP/1.0` or `HTTP/1.1`, header values of HTAB / SP / VCHAR / obs-text with
//! surrounding whitespace trimmed, no obsolete line folding, no space before a colon.
//!
//! Running out of input is [`Status::Partial`], never an error, and every verdict is
//! decided by the earliest bytes: a prefix of a head that is already wrong is wrong.

use crate::Status;

/// Why a head is not valid HTTP/1.1 syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// The version token is not `HTTP/1.0` or `HTTP/1.1`.
    Version,
    /// More header fields than allowed (decided once the extra field's line is read).
    TooManyHeaders,
    /// Anything else: a bad method, target, status line, header name or value, line end.
    Malformed,
}

/// Receives each header field, in order: the name as sent, the value trimmed.
pub(crate) trait FieldSink<'b> {
    /// One field (`name` is a non-empty token; `value` has no surrounding SP/HTAB).
    fn field(&mut self, name: &'b [u8], value: &'b [u8]);
}

/// Ignores every field.
impl FieldSink<'_> for () {
    fn field(&mut self, _: &[u8], _: &[u8]) {}
}

/// A syntactically valid request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestHead<'b> {
    pub method: &'b [u8],
    pub target: &'b str,
    /// 0 for `HTTP/1.0`, 1 for `HTTP/1.1`.
    pub minor: u8,
    /// Bytes of the head, including the empty line that ends it.
    pub len: usize,
}

/// A syntactically valid response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResponseHead {
    pub code: u16,
    /// Bytes of the head, including the empty line that ends it.
    pub len: usize,
}

/// Stops a parse: out of input, or a verdict.
enum Stop {
    Partial,
    Bad(HeadError),
}

impl From<HeadError> for Stop {
    fn from(e: HeadError) -> Self {
        Stop::Bad(e)
    }
}

fn finish<T>(r: Result<T, Stop>) -> Result<Status<T>, HeadError> {
    match r {
        Ok(v) => Ok(Status::Complete(v)),
        Err(Stop::Partial) => Ok(Status::Partial),
        Err(Stop::Bad(e)) => Err(e),
    }
}

/// `tchar` of RFC 9110 §5.6.2.
const fn tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
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

/// [`tchar`] for every byte value: one byte per value on 64-bit hosts (one load per
/// byte of a header name), one bit per value on microcontrollers (32 bytes of flash).
#[cfg(target_pointer_width = "64")]
static TCHAR: [bool; 256] = {
    let mut map = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        map[b] = tchar(b as u8);
        b += 1;
    }
    map
};

#[cfg(not(target_pointer_width = "64"))]
static TCHAR: [u8; 32] = {
    let mut map = [0u8; 32];
    let mut b = 0usize;
    while b < 256 {
        if tchar(b as u8) {
            map[b / 8] |= 1 << (b % 8);
        }
        b += 1;
    }
    map
};

#[inline(always)]
fn is_tchar(b: u8) -> bool {
    #[cfg(target_pointer_width = "64")]
    {
        TCHAR[usize::from(b)]
    }
    #[cfg(not(target_pointer_width = "64"))]
    {
        TCHAR[usize::from(b >> 3)] & (1 << (b & 7)) != 0
    }
}

/// A byte of a request target (visible ASCII or obs-text).
fn is_target_byte(b: u8) -> bool {
    b > b' ' && b != 0x7f
}

/// A byte of a header value or reason phrase: HTAB, SP, VCHAR, obs-text.
fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= b' ' && b != 0x7f)
}

/// Length of the run of header-value bytes at the start of `s`. On 64-bit hosts eight
/// bytes are tested at once (the first control byte or DEL stops the word test; the byte
/// loop then decides from there); on microcontrollers the plain loop is smaller.
#[inline]
fn value_len(s: &[u8]) -> usize {
    #[allow(unused_mut)]
    let mut i = 0usize;
    #[cfg(target_pointer_width = "64")]
    {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        while let Some(chunk) = s.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
            let y = x ^ (LO * 0x7f);
            let del = y.wrapping_sub(LO) & !y & HI;
            let stop = below_space | del;
            if stop != 0 {
                // The lowest flagged byte is exact (borrows only run upwards): the byte
                // loop starts there (it may be an HTAB, which belongs to the value).
                i += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
    }
    let tail = s.get(i..).unwrap_or(&[]);
    i + tail
        .iter()
        .position(|&b| !is_value_byte(b))
        .unwrap_or(tail.len())
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn next(&mut self) -> Result<u8, Stop> {
        let b = *self.buf.get(self.pos).ok_or(Stop::Partial)?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, want: u8, err: HeadError) -> Result<(), Stop> {
        if self.next()? == want {
            Ok(())
        } else {
            Err(Stop::Bad(err))
        }
    }

    fn since(&self, start: usize) -> &'b [u8] {
        self.buf.get(start..self.pos).unwrap_or(&[])
    }

    /// Skips empty lines before the start line.
    fn skip_empty_lines(&mut self) -> Result<(), Stop> {
        loop {
            match self.buf.get(self.pos) {
                Some(b'\r') => {
                    self.pos += 1;
                    self.expect(b'\n', HeadError::Malformed)?;
                }
                Some(b'\n') => self.pos += 1,
                Some(_) => return Ok(()),
                None => return Err(Stop::Partial),
            }
        }
    }

    /// `HTTP/1.0` or `HTTP/1.1` → the minor version. Fewer than 8 bytes left: wrong as
    /// soon as a byte of `HTTP/1.` differs, else partial.
    fn version(&mut self) -> Result<u8, Stop> {
        for &want in b"HTTP/1." {
            self.expect(want, HeadError::Version)?;
        }
        match self.next()? {
            b'0' => Ok(0),
            b'1' => Ok(1),
            _ => Err(Stop::Bad(HeadError::Version)),
        }
    }

    /// `\r\n` or `\n`.
    fn line_end(&mut self, err: HeadError) -> Result<(), Stop> {
        match self.next()? {
            b'\r' => self.expect(b'\n', err),
            b'\n' => Ok(()),
            _ => Err(Stop::Bad(err)),
        }
    }

    /// Header fields up to and including the empty line; returns the head's length.
    /// Names and values are scanned a slice at a time; the first byte that does not
    /// belong decides, as it would byte by byte.
    fn fields<S: FieldSink<'b>>(&mut self, max: usize, sink: &mut S) -> Result<usize, Stop> {
        let buf = self.buf;
        let mut count = 0usize;
        loop {
            let line = buf.get(self.pos..).unwrap_or(&[]);
            match line.first() {
                None => return Err(Stop::Partial),
                Some(b'\r' | b'\n') => {
                    self.line_end(HeadError::Malformed)?;
                    return Ok(self.pos);
                }
                Some(_) => {}
            }
            let name_len = line
                .iter()
                .position(|&b| !is_tchar(b))
                .ok_or(Stop::Partial)?;
            if name_len == 0 || line.get(name_len) != Some(&b':') {
                return Err(Stop::Bad(HeadError::Malformed));
            }
            let name = line.get(..name_len).unwrap_or(&[]);
            let after = line.get(name_len + 1..).unwrap_or(&[]);
            let ows = after
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .ok_or(Stop::Partial)?;
            let rest = after.get(ows..).unwrap_or(&[]);
            let len = value_len(rest);
            let value = rest.get(..len).unwrap_or(&[]);
            self.pos += name_len + 1 + ows + len;
            self.line_end(HeadError::Malformed)?;
            count += 1;
            if count > max {
                return Err(Stop::Bad(HeadError::TooManyHeaders));
            }
            let trimmed = value
                .iter()
                .rposition(|&b| b != b' ' && b != b'\t')
                .map_or(0, |last| last + 1);
            sink.field(name, value.get(..trimmed).unwrap_or(&[]));
        }
    }

    fn request<S: FieldSink<'b>>(
        &mut self,
        max: usize,
        sink: &mut S,
    ) -> Result<RequestHead<'b>, Stop> {
        self.skip_empty_lines()?;
        let start = self.pos;
        let mut b = self.next()?;
        loop {
            if !is_tchar(b) {
                return Err(Stop::Bad(HeadError::Malformed));
            }
            b = self.next()?;
            if b == b' ' {
                break;
            }
        }
        let method = self.since(start);
        let method = method.get(..method.len() - 1).unwrap_or(&[]);
        let start = self.pos;
        b = self.next()?;
        while is_target_byte(b) {
            b = self.next()?;
        }
        let target = self.since(start);
        let target = target.get(..target.len() - 1).unwrap_or(&[]);
        if b != b' ' || target.is_empty() {
            return Err(Stop::Bad(HeadError::Malformed));
        }
        let target = core::str::from_utf8(target).map_err(|_| HeadError::Malformed)?;
        let minor = self.version()?;
        self.line_end(HeadError::Malformed)?;
        let len = self.fields(max, sink)?;
        Ok(RequestHead {
            method,
            target,
            minor,
            len,
        })
    }

    fn response<S: FieldSink<'b>>(
        &mut self,
        max: usize,
        sink: &mut S,
    ) -> Result<ResponseHead, Stop> {
        self.skip_empty_lines()?;
        self.version()?;
        self.expect(b' ', HeadError::Version)?;
        let mut code = 0u16;
        for _ in 0..3 {
            let d = self.next()?;
            if !d.is_ascii_digit() {
                return Err(Stop::Bad(HeadError::Malformed));
            }
            code = code * 10 + u16::from(d - b'0');
        }
        if self.buf.get(self.pos) == Some(&b' ') {
            // The reason phrase.
            self.pos += 1;
            let mut b = self.next()?;
            while b != b'\r' && b != b'\n' {
                if !is_value_byte(b) {
                    return Err(Stop::Bad(HeadError::Malformed));
                }
                b = self.next()?;
            }
            if b == b'\r' {
                self.expect(b'\n', HeadError::Malformed)?;
            }
        } else {
            self.line_end(HeadError::Malformed)?;
        }
        let len = self.fields(max, sink)?;
        Ok(ResponseHead { code, len })
    }
}

/// Parses a request head at the start of `buf`, giving each header field to `sink`.
/// More than `max_headers` fields is [`HeadError::TooManyHeaders`].
pub(crate) fn parse_request<'b, S: FieldSink<'b>>(
    buf: &'b [u8],
    max_headers: usize,
    sink: &mut S,
) -> Result<Status<RequestHead<'b>>, HeadError> {
    finish(Reader { buf, pos: 0 }.request(max_headers, sink))
}

/// Parses a response head at the start of `buf`, giving each header field to `sink`.
/// More than `max_headers` fields is [`HeadError::TooManyHeaders`].
pub(crate) fn parse_response<'b, S: FieldSink<'b>>(
    buf: &'b [u8],
    max_headers: usize,
    sink: &mut S,
) -> Result<Status<ResponseHead>, HeadError> {
    finish(Reader { buf, pos: 0 }.response(max_headers, sink))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[derive(Default)]
    struct Collect<'b>(Vec<(&'b [u8], &'b [u8])>);
    impl<'b> FieldSink<'b> for Collect<'b> {
        fn field(&mut self, name: &'b [u8], value: &'b [u8]) {
            self.0.push((name, value));
        }
    }

    /// What a parse says, in terms both parsers share.
    #[derive(Debug, PartialEq)]
    enum Outcome<'b> {
        Partial,
        Error(&'static str),
        Request(&'b [u8], &'b str, u8, usize, Vec<(&'b [u8], &'b [u8])>),
        Response(u16, usize, Vec<(&'b [u8], &'b [u8])>),
    }

    fn ours_request(buf: &[u8], max: usize) -> Outcome<'_> {
        let mut c = Collect::default();
        match parse_request(buf, max, &mut c) {
            Ok(Status::Partial) => Outcome::Partial,
            Ok(Status::Complete(h)) => Outcome::Request(h.method, h.target, h.minor, h.len, c.0),
            Err(HeadError::Version) => Outcome::Error("version"),
            Err(HeadError::TooManyHeaders) => Outcome::Error("too_many"),
            Err(HeadError::Malformed) => Outcome::Error("malformed"),
        }
    }

    fn theirs_request(buf: &[u8], max: usize) -> Outcome<'_> {
        let mut slots = std::vec![httparse::EMPTY_HEADER; max];
        let mut r = httparse::Request::new(&mut slots);
        match r.parse(buf) {
            Ok(httparse::Status::Partial) => Outcome::Partial,
            Ok(httparse::Status::Complete(n)) => Outcome::Request(
                r.method.unwrap().as_bytes(),
                r.path.unwrap(),
                r.version.unwrap(),
                n,
                r.headers
                    .iter()
                    .map(|h| (h.name.as_bytes(), h.value))
                    .collect(),
            ),
            Err(httparse::Error::Version) => Outcome::Error("version"),
            Err(httparse::Error::TooManyHeaders) => Outcome::Error("too_many"),
            Err(_) => Outcome::Error("malformed"),
        }
    }

    fn ours_response(buf: &[u8], max: usize) -> Outcome<'_> {
        let mut c = Collect::default();
        match parse_response(buf, max, &mut c) {
            Ok(Status::Partial) => Outcome::Partial,
            Ok(Status::Complete(h)) => Outcome::Response(h.code, h.len, c.0),
            Err(HeadError::TooManyHeaders) => Outcome::Error("too_many"),
            Err(_) => Outcome::Error("malformed"),
        }
    }

    fn theirs_response(buf: &[u8], max: usize) -> Outcome<'_> {
        let mut slots = std::vec![httparse::EMPTY_HEADER; max];
        let mut r = httparse::Response::new(&mut slots);
        match r.parse(buf) {
            Ok(httparse::Status::Partial) => Outcome::Partial,
            Ok(httparse::Status::Complete(n)) => Outcome::Response(
                r.code.unwrap(),
                n,
                r.headers
                    .iter()
                    .map(|h| (h.name.as_bytes(), h.value))
                    .collect(),
            ),
            Err(httparse::Error::TooManyHeaders) => Outcome::Error("too_many"),
            Err(_) => Outcome::Error("malformed"),
        }
    }

    const REQUESTS: &[&[u8]] = &[
        b"GET /chat?x=1 HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://a.example\r\n\r\nrest",
        b"\r\n\nPOST * HTTP/1.0\nA:\nB: \t x y \t\nC:\t\r\n\r\n",
        b"GET /\xc3\xa9 HTTP/1.1\r\nX: \x80\xff\r\n\r\n",
        b"GET /a HTTP/1.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\tAppleWebKit \x80\xff/537.36 (KHTML, like Gecko)   \r\n\r\n",
    ];
    const RESPONSES: &[&[u8]] = &[
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00",
        b"\nHTTP/1.0 403\nServer: nginx\n\nbody",
        b"HTTP/1.1 200 OK \xe9\t\r\nContent-Type: text/html\r\nA:b\r\n\r\n",
        b"HTTP/1.1 404 \r\n\r\n",
    ];
    /// Bytes that sit on the boundaries of the grammar.
    const INTERESTING: &[u8] = b" \t\r\n:/?.1HTP0\x7f\x80\xff\x00\"(),;=@[]{}aZ-_";

    /// Same verdict, head length, start line and fields as httparse on every prefix of
    /// mutated requests and responses, for several header limits.
    #[test]
    fn agrees_with_httparse() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0usize;
        for round in 0..6_000 {
            let base = if round % 2 == 0 {
                REQUESTS[(rand() % REQUESTS.len() as u64) as usize]
            } else {
                RESPONSES[(rand() % RESPONSES.len() as u64) as usize]
            };
            let mut v = base.to_vec();
            for _ in 0..(rand() % 4) {
                let at = (rand() % v.len() as u64) as usize;
                let r = rand();
                let byte = if r % 3 == 0 {
                    r as u8 >> 1
                } else {
                    INTERESTING[((r >> 8) % INTERESTING.len() as u64) as usize]
                };
                match r % 5 {
                    0 => {
                        v.remove(at);
                    }
                    1 => v.insert(at, byte),
                    _ => v[at] = byte,
                }
            }
            let max = [0usize, 1, 3, 8][(rand() % 4) as usize];
            for end in 0..=v.len() {
                let p = &v[..end];
                if round % 2 == 0 {
                    assert_eq!(ours_request(p, max), theirs_request(p, max), "{:?}", p);
                } else {
                    assert_eq!(ours_response(p, max), theirs_response(p, max), "{:?}", p);
                }
                checked += 1;
            }
        }
        assert!(checked > 300_000, "{checked}");
    }

    #[test]
    fn fields_are_trimmed_and_counted() {
        let req = b"GET / HTTP/1.1\r\nA:  x y \t\r\nB:\r\n\r\n";
        assert_eq!(
            ours_request(req, 2),
            Outcome::Request(
                b"GET",
                "/",
                1,
                req.len(),
                std::vec![(&b"A"[..], &b"x y"[..]), (b"B", b"")]
            )
        );
        assert_eq!(ours_request(req, 1), Outcome::Error("too_many"));
        assert_eq!(
            ours_request(b"GET / HTTP/1.2\r\n", 2),
            Outcome::Error("version")
        );
        assert_eq!(ours_request(b"GET / HTTP/1.", 2), Outcome::Partial);
        assert_eq!(ours_request(b"GET / HTTP/2", 2), Outcome::Error("version"));
        assert_eq!(
            ours_request(b"GET  / HTTP/1.1\r\n\r\n", 2),
            Outcome::Error("malformed")
        );
        assert_eq!(
            ours_request(b"GET / HTTP/1.1\r\nA : b\r\n\r\n", 2),
            Outcome::Error("malformed")
        );
        assert_eq!(
            ours_request(b"GET / HTTP/1.1\r\n b\r\n\r\n", 2),
            Outcome::Error("malformed")
        );
        assert_eq!(
            ours_response(b"HTTP/1.1 10 x\r\n\r\n", 2),
            Outcome::Error("malformed")
        );
        assert_eq!(
            ours_response(b"HTTP/1.1 101\r\n\r\n", 2),
            Outcome::Response(101, 16, std::vec![])
        );
    }
}
