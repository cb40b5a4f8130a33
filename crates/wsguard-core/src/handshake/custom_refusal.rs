//! A refusal decided by the server itself rather than by a handshake rule — "no
//! WebSocket endpoint at this path", "this route needs GET" — written in the one layout
//! of every wsguard refusal, so clients and `wsguard probe` read it like the core's own.
//!
//! The text is checked once, at construction: a CR or LF in a header would let the caller's
//! text forge response headers, and one in the reason would break the body's two-line
//! format that clients parse.

use super::response::write_refusal_text;
use crate::{BufferTooSmall, Diagnostic};

/// A server's own refusal: status, a stable code, a reason, a fix and extra headers,
/// all borrowed and checked by [`CustomRefusal::new`] / [`CustomRefusal::with_headers`].
///
/// ```
/// use wsguard_core::handshake::CustomRefusal;
/// let r = CustomRefusal::new(
///     404,
///     "path_not_found",
///     "no WebSocket endpoint at /chat; this server accepts upgrades on: /ws",
///     "connect to ws://<host>/ws",
/// )
/// .unwrap();
/// let mut out = [0u8; 512];
/// let n = r.write(&mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 404 Not Found\r\nX-Wsguard-Code: path_not_found\r\nContent-Type: text/plain; charset=utf-8\r\n"));
/// assert!(text.ends_with("\r\n\r\npath_not_found: no WebSocket endpoint at /chat; this server accepts upgrades on: /ws\nfix: connect to ws://<host>/ws\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomRefusal<'a> {
    status: u16,
    code: &'a str,
    reason: &'a str,
    remedy: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

/// Why [`CustomRefusal::new`] or [`CustomRefusal::with_headers`] refused its input.
///
/// ```
/// use wsguard_core::handshake::{CustomRefusal, CustomRefusalError};
/// assert_eq!(CustomRefusal::new(200, "ok", "fine", "none"), Err(CustomRefusalError::Status));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CustomRefusalError {
    /// The status is not a client or server error (400–599).
    Status,
    /// The code is not 1–64 characters of `a-z`, `0-9` and `_`, starting with a letter.
    Code,
    /// The reason or the fix is empty or holds a control character (CR, LF …).
    Text,
    /// A header name is not an HTTP token, or a value holds a control character.
    Header,
}

crate::diag::diagnostics! {
    CustomRefusalError in "wsguard_core::handshake" {}
    Status => {
        code: "refusal_status",
        reason: "a refusal's status must be a client or server error (400-599)",
        remedy: "answer with a 4xx status for a request the client must change, 5xx for a server-side problem",
    },
    Code => {
        code: "refusal_code",
        reason: "a refusal's code must be 1-64 characters of a-z, 0-9 and _, starting with a letter",
        remedy: "use a stable snake_case code such as `path_not_found`",
    },
    Text => {
        code: "refusal_text",
        reason: "a refusal's reason and fix must be non-empty single-line text without control characters",
        remedy: "write one sentence each, without CR, LF or other control characters",
    },
    Header => {
        code: "refusal_header",
        reason: "a refusal header's name must be an HTTP token and its value free of control characters (CR/LF would forge headers)",
        remedy: "use plain header names such as `Retry-After` and single-line values",
    },
}

impl core::fmt::Display for CustomRefusalError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code(), self.reason())
    }
}

fn is_code(code: &str) -> bool {
    let b = code.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

fn is_line(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(char::is_control)
}

impl<'a> CustomRefusal<'a> {
    /// A refusal with `status` (400–599), a stable `code`, a one-line `reason` and `remedy`.
    ///
    /// ```
    /// use wsguard_core::handshake::{CustomRefusal, CustomRefusalError};
    /// assert!(CustomRefusal::new(405, "method_not_allowed", "only GET is served here", "use GET").is_ok());
    /// assert_eq!(CustomRefusal::new(404, "Not Found", "x", "y"), Err(CustomRefusalError::Code));
    /// assert_eq!(CustomRefusal::new(404, "nf", "a\r\nSet-Cookie: x=1", "y"), Err(CustomRefusalError::Text));
    /// ```
    pub fn new(
        status: u16,
        code: &'a str,
        reason: &'a str,
        remedy: &'a str,
    ) -> Result<Self, CustomRefusalError> {
        if !(400..=599).contains(&status) {
            return Err(CustomRefusalError::Status);
        }
        if !is_code(code) {
            return Err(CustomRefusalError::Code);
        }
        if !is_line(reason) || !is_line(remedy) {
            return Err(CustomRefusalError::Text);
        }
        Ok(CustomRefusal {
            status,
            code,
            reason,
            remedy,
            headers: &[],
        })
    }

    /// The same refusal with extra response headers (written after the status line).
    ///
    /// ```
    /// use wsguard_core::handshake::{CustomRefusal, CustomRefusalError};
    /// let r = CustomRefusal::new(405, "method_not_allowed", "only GET is served here", "use GET").unwrap();
    /// assert!(r.with_headers(&[("Allow", "GET")]).is_ok());
    /// assert_eq!(r.with_headers(&[("Allow", "GET\r\nSet-Cookie: pwn=1")]), Err(CustomRefusalError::Header));
    /// ```
    pub fn with_headers(
        self,
        headers: &'a [(&'a str, &'a str)],
    ) -> Result<Self, CustomRefusalError> {
        let ok = headers.iter().all(|(name, value)| {
            !name.is_empty()
                && name.bytes().all(super::client::is_tchar)
                && !value.chars().any(char::is_control)
        });
        if !ok {
            return Err(CustomRefusalError::Header);
        }
        Ok(CustomRefusal { headers, ..self })
    }

    /// The status (400–599).
    ///
    /// ```
    /// # use wsguard_core::handshake::CustomRefusal;
    /// assert_eq!(CustomRefusal::new(404, "nf", "r", "f").unwrap().status(), 404);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The stable code.
    ///
    /// ```
    /// # use wsguard_core::handshake::CustomRefusal;
    /// assert_eq!(CustomRefusal::new(404, "nf", "r", "f").unwrap().code(), "nf");
    /// ```
    pub fn code(&self) -> &'a str {
        self.code
    }

    /// Writes the whole answer into `out` (the layout of
    /// [`write_rejection_response`](super::write_rejection_response)); on
    /// [`BufferTooSmall`] nothing meaningful is written and `needed` is exact.
    ///
    /// ```
    /// # use wsguard_core::handshake::CustomRefusal;
    /// let r = CustomRefusal::new(404, "nf", "r", "f").unwrap();
    /// let mut small = [0u8; 8];
    /// let needed = r.write(&mut small).unwrap_err().needed;
    /// let mut out = [0u8; 256];
    /// assert_eq!(r.write(&mut out), Ok(needed));
    /// ```
    pub fn write(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        write_refusal_text(
            self.status,
            self.headers.iter().copied(),
            (self.code, self.reason, self.remedy),
            out,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_every_part() {
        use CustomRefusalError as E;
        fn ok(s: u16, c: &str, r: &str, f: &str) -> Result<(), CustomRefusalError> {
            CustomRefusal::new(s, c, r, f).map(|_| ())
        }
        assert_eq!(ok(399, "a", "r", "f"), Err(E::Status));
        assert_eq!(ok(600, "a", "r", "f"), Err(E::Status));
        assert_eq!(ok(400, "a", "r", "f"), Ok(()));
        assert_eq!(ok(599, "a_9", "r", "f"), Ok(()));
        assert_eq!(ok(400, "", "r", "f"), Err(E::Code));
        assert_eq!(ok(400, "9a", "r", "f"), Err(E::Code));
        assert_eq!(ok(400, "a-b", "r", "f"), Err(E::Code));
        assert_eq!(ok(400, &"a".repeat(65), "r", "f"), Err(E::Code));
        assert_eq!(ok(400, &"a".repeat(64), "r", "f"), Ok(()));
        assert_eq!(ok(400, "a", "", "f"), Err(E::Text));
        assert_eq!(ok(400, "a", "r", "line\nbreak"), Err(E::Text));
        assert_eq!(ok(400, "a", "esc \u{1b}[2J", "f"), Err(E::Text));
        let r = CustomRefusal::new(400, "a", "r", "f").unwrap();
        assert_eq!(r.with_headers(&[("", "v")]), Err(E::Header));
        assert_eq!(r.with_headers(&[("Bad Name", "v")]), Err(E::Header));
        assert_eq!(r.with_headers(&[("X", "a\nb")]), Err(E::Header));
    }

    #[test]
    fn writes_the_core_layout_exactly() {
        let r = CustomRefusal::new(405, "method_not_allowed", "only GET", "use GET")
            .unwrap()
            .with_headers(&[("Allow", "GET")])
            .unwrap();
        let mut out = [0u8; 256];
        let n = r.write(&mut out).unwrap();
        let body = "method_not_allowed: only GET\nfix: use GET\n";
        let expected = std::format!(
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nX-Wsguard-Code: method_not_allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(core::str::from_utf8(&out[..n]).unwrap(), expected);
        for short in 0..n {
            assert_eq!(r.write(&mut out[..short]).unwrap_err().needed, n);
        }
    }
}
