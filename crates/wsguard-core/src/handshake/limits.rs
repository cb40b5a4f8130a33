//! Size limits on the request/response head, checked before and while parsing.

/// Most header fields any head may carry, whatever [`Limits::max_headers`] says.
///
/// [`Limits::max_headers`] above this value is clamped to it. It is also the size of the
/// `httparse` header array [`validate_request`](super::validate_request) and
/// [`validate_response`](super::validate_response) keep on the stack (16 bytes a slot on a
/// 32-bit target); [`parse_request`](super::parse_request) takes a caller-sized one.
///
/// ```
/// assert_eq!(wsguard_core::handshake::MAX_HEADERS, 64);
/// ```
pub const MAX_HEADERS: usize = 64;

/// Limits on the head of an HTTP request or response. Exceeding one is a rejection with
/// its own code (`too_many_headers`, `header_line_too_long`, `request_too_large`), never
/// a panic.
///
/// ```
/// use wsguard_core::handshake::Limits;
/// let limits = Limits::DEFAULT.max_headers(16).max_line(4096);
/// assert_eq!(limits.max_headers, 16);
/// assert_eq!(limits.max_total, 16 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// Most header fields accepted (default 32, clamped to [`MAX_HEADERS`]).
    pub max_headers: usize,
    /// Longest line (request line or one header field, without the line ending), default 8 KiB.
    pub max_line: usize,
    /// Largest head (request line + headers + the empty line), default 16 KiB.
    pub max_total: usize,
}

impl Limits {
    /// 32 headers, 8 KiB per line, 16 KiB in total.
    pub const DEFAULT: Limits = Limits {
        max_headers: 32,
        max_line: 8 * 1024,
        max_total: 16 * 1024,
    };

    /// Sets the header count limit.
    ///
    /// ```
    /// # use wsguard_core::handshake::Limits;
    /// assert_eq!(Limits::DEFAULT.max_headers(8).max_headers, 8);
    /// ```
    pub const fn max_headers(mut self, n: usize) -> Self {
        self.max_headers = n;
        self
    }

    /// Sets the line length limit.
    ///
    /// ```
    /// # use wsguard_core::handshake::Limits;
    /// assert_eq!(Limits::DEFAULT.max_line(100).max_line, 100);
    /// ```
    pub const fn max_line(mut self, n: usize) -> Self {
        self.max_line = n;
        self
    }

    /// Sets the total head size limit.
    ///
    /// ```
    /// # use wsguard_core::handshake::Limits;
    /// assert_eq!(Limits::DEFAULT.max_total(1024).max_total, 1024);
    /// ```
    pub const fn max_total(mut self, n: usize) -> Self {
        self.max_total = n;
        self
    }

    /// The header count actually allowed: `max_headers` clamped to [`MAX_HEADERS`].
    pub(crate) fn header_capacity(&self) -> usize {
        if self.max_headers < MAX_HEADERS {
            self.max_headers
        } else {
            MAX_HEADERS
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Which limit the head broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitError {
    LineTooLong,
    TooLarge,
}

/// Scans the head (up to the first empty line) and checks line length and total size.
///
/// Returns `Some(end)` (bytes of the head including the empty line) when the head is
/// complete, `None` when more bytes are needed. Leading empty lines are skipped, as
/// the parser does.
pub(crate) fn scan_head(buf: &[u8], limits: &Limits) -> Result<Option<usize>, LimitError> {
    let mut pos = 0usize;
    let mut seen_line = false;
    loop {
        let rest = buf.get(pos..).unwrap_or(&[]);
        match rest.iter().position(|&b| b == b'\n') {
            None => {
                // An incomplete line may still end in "\r\n": a trailing '\r' does not
                // count yet, so a prefix never fails where the whole head would pass.
                let len = rest.len() - usize::from(rest.last() == Some(&b'\r'));
                if len > limits.max_line {
                    return Err(LimitError::LineTooLong);
                }
                if buf.len() > limits.max_total {
                    return Err(LimitError::TooLarge);
                }
                return Ok(None);
            }
            Some(nl) => {
                let line = rest.get(..nl).unwrap_or(&[]);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.len() > limits.max_line {
                    return Err(LimitError::LineTooLong);
                }
                let end = pos.saturating_add(nl).saturating_add(1);
                if end > limits.max_total {
                    return Err(LimitError::TooLarge);
                }
                if line.is_empty() {
                    if seen_line {
                        return Ok(Some(end));
                    }
                } else {
                    seen_line = true;
                }
                pos = end;
            }
        }
    }
}

/// The shortest prefix of `buf` on which [`scan_head`] fails, with its error, or `None`
/// when `buf` breaks no limit. Limits are prefix-monotone (once a prefix breaks one, every
/// longer prefix does), so a binary search finds the byte at which the failure became
/// certain — what a server reading byte by byte would have seen.
pub(crate) fn first_limit_failure(buf: &[u8], limits: &Limits) -> Option<(LimitError, usize)> {
    let whole = scan_head(buf, limits).err()?;
    let (mut passes, mut fails) = (0usize, buf.len());
    while fails - passes > 1 {
        let mid = passes + (fails - passes) / 2;
        if scan_head(buf.get(..mid).unwrap_or(&[]), limits).is_err() {
            fails = mid;
        } else {
            passes = mid;
        }
    }
    let at = scan_head(buf.get(..fails).unwrap_or(&[]), limits)
        .err()
        .unwrap_or(whole);
    Some((at, fails))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_complete_and_partial() {
        let l = Limits::DEFAULT;
        assert_eq!(
            scan_head(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nxx", &l),
            Ok(Some(27))
        );
        assert_eq!(scan_head(b"GET / HTTP/1.1\r\nHost: a\r\n", &l), Ok(None));
        assert_eq!(scan_head(b"\r\nGET / HTTP/1.1\r\n\r\n", &l), Ok(Some(20)));
        assert_eq!(scan_head(b"GET / HTTP/1.1\n\n", &l), Ok(Some(16)));
    }

    #[test]
    fn scan_limits() {
        let l = Limits::DEFAULT.max_line(10).max_total(30);
        assert_eq!(
            scan_head(b"GET /0123456789 HTTP/1.1\r\n", &l),
            Err(LimitError::LineTooLong)
        );
        assert_eq!(
            scan_head(b"GET /01234567", &l),
            Err(LimitError::LineTooLong)
        );
        assert_eq!(
            scan_head(b"GET / H\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\n\r\n", &l),
            Err(LimitError::TooLarge)
        );
        assert_eq!(
            Limits::DEFAULT.max_headers(1000).header_capacity(),
            MAX_HEADERS
        );
    }
}
