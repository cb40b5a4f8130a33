//! Waiting for a complete request head without re-parsing it on every read.
//!
//! A server that calls [`parse_request`](crate::handshake::parse_request) on its whole
//! buffer after each read does O(n²) work for a head trickled in small pieces (16 clients
//! sending 64-byte pieces into a 1 MiB limit kept a core busy). [`HeadTracker`] looks at
//! each byte once and tells the caller when a parse can say something new.

use crate::handshake::Limits;

/// What the caller should do after [`HeadTracker::feed`].
///
/// ```
/// use wsguard_core::limits::HeadStep;
/// assert_ne!(HeadStep::NeedMore, HeadStep::Parse);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HeadStep {
    /// Nothing new to decide: read more bytes.
    NeedMore,
    /// Run the parser on the whole buffer now: the request line just ended (a non-HTTP
    /// peer is refused at once), the head ended, or a limit is broken. The parser gives
    /// the verdict; if it still says `Partial`, keep feeding.
    Parse,
}

/// Incremental scan of a growing request head (each byte looked at once).
///
/// The caller keeps all bytes received so far in one buffer that only grows and passes
/// it whole after every read. Syntax errors inside header lines are found by the parse
/// at the end of the head (or at a broken limit) instead of at the read that brought
/// them; the request line is checked as soon as it is complete.
///
/// ```
/// use wsguard_core::handshake::Limits;
/// use wsguard_core::limits::{HeadStep, HeadTracker};
/// let mut t = HeadTracker::new();
/// let l = Limits::DEFAULT;
/// assert_eq!(t.feed(b"GET /ws HT", &l), HeadStep::NeedMore);
/// assert_eq!(t.feed(b"GET /ws HTTP/1.1\r\nHo", &l), HeadStep::Parse); // request line done
/// assert_eq!(t.feed(b"GET /ws HTTP/1.1\r\nHost: a\r\n", &l), HeadStep::NeedMore);
/// assert_eq!(t.feed(b"GET /ws HTTP/1.1\r\nHost: a\r\n\r\n", &l), HeadStep::Parse);
/// assert_eq!(t.head_len(), Some(29));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeadTracker {
    scanned: usize,
    line_start: usize,
    seen_line: bool,
    end: Option<usize>,
}

impl HeadTracker {
    /// Nothing seen yet.
    pub const fn new() -> HeadTracker {
        HeadTracker {
            scanned: 0,
            line_start: 0,
            seen_line: false,
            end: None,
        }
    }

    /// Length of the head (through its empty line) once it ended.
    pub const fn head_len(&self) -> Option<usize> {
        self.end
    }

    /// Bytes looked at so far.
    ///
    /// ```
    /// # use wsguard_core::limits::HeadTracker;
    /// let mut t = HeadTracker::new();
    /// t.feed(b"GET", &wsguard_core::handshake::Limits::DEFAULT);
    /// assert_eq!(t.scanned(), 3);
    /// ```
    pub const fn scanned(&self) -> usize {
        self.scanned
    }

    /// Looks at the bytes of `buf` not seen before (`buf` must start with the bytes given
    /// earlier). `limits` are those the parser will apply.
    pub fn feed(&mut self, buf: &[u8], limits: &Limits) -> HeadStep {
        if self.end.is_some() {
            return HeadStep::Parse;
        }
        let mut step = HeadStep::NeedMore;
        let mut pos = self.scanned.min(buf.len());
        while let Some(off) = buf
            .get(pos..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            let nl = pos + off;
            let line = buf.get(self.line_start..nl).unwrap_or(&[]);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            pos = nl + 1;
            self.line_start = pos;
            if line.len() > limits.max_line {
                step = HeadStep::Parse;
            }
            if line.is_empty() {
                if self.seen_line {
                    self.end = Some(pos);
                    self.scanned = pos;
                    return HeadStep::Parse;
                }
            } else if !self.seen_line {
                self.seen_line = true;
                step = HeadStep::Parse;
            }
        }
        self.scanned = buf.len();
        let tail = buf.get(self.line_start..).unwrap_or(&[]);
        let tail_len = tail.len() - usize::from(tail.last() == Some(&b'\r'));
        if tail_len > limits.max_line || buf.len() > limits.max_total {
            step = HeadStep::Parse;
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::{parse_request, EMPTY_HEADER};
    use crate::Status;

    const HEAD: &[u8] = b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nextra";

    /// Byte by byte and in every split, the tracker asks for a parse exactly when the
    /// whole-buffer parse has news, and finds the same end as the parser.
    #[test]
    fn same_end_as_parser_in_any_split() {
        let l = Limits::DEFAULT;
        for piece in 1..20 {
            let mut t = HeadTracker::new();
            let mut parses = 0;
            let mut got = None;
            let mut n = 0;
            while n < HEAD.len() && got.is_none() {
                n = (n + piece).min(HEAD.len());
                if t.feed(&HEAD[..n], &l) == HeadStep::Parse {
                    parses += 1;
                    let mut h = [EMPTY_HEADER; 16];
                    if let Ok(Status::Complete(r)) = parse_request(&l, &HEAD[..n], &mut h) {
                        got = Some(r.consumed);
                    }
                }
            }
            assert_eq!(got, Some(HEAD.len() - 5), "piece {piece}");
            assert_eq!(t.head_len(), got);
            assert!(parses <= 2, "piece {piece}: {parses} parses");
        }
    }

    #[test]
    fn limits_and_garbage() {
        let l = Limits::DEFAULT.max_line(10).max_total(40);
        let mut t = HeadTracker::new();
        assert_eq!(t.feed(b"GET /0123", &l), HeadStep::NeedMore);
        assert_eq!(t.feed(b"GET /012345", &l), HeadStep::Parse); // line over 10
        let mut t = HeadTracker::new();
        // A trailing CR does not count toward the line yet.
        assert_eq!(t.feed(b"0123456789\r", &l), HeadStep::NeedMore);
        let mut t = HeadTracker::new();
        let many = b"GET / H\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\n";
        assert_eq!(t.feed(&many[..9], &l), HeadStep::Parse);
        assert_eq!(t.feed(&many[..], &l), HeadStep::Parse); // 45 > 40 total
                                                            // A TLS ClientHello has no newline: only the limits stop it.
        let mut t = HeadTracker::new();
        assert_eq!(t.feed(&[0x16, 3, 1, 0, 0xc8], &l), HeadStep::NeedMore);
        // Leading empty lines are skipped, as the parser does.
        let mut t = HeadTracker::new();
        assert_eq!(t.feed(b"\r\n\r\n", &l), HeadStep::NeedMore);
        assert_eq!(t.head_len(), None);
        assert_eq!(
            t.feed(b"\r\n\r\nGET / HTTP/1.1\r\n\r\n", &l),
            HeadStep::Parse
        );
        assert_eq!(t.head_len(), Some(22));
    }
}
