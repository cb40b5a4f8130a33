//! Network text made safe for a log line or a terminal, and config text checked for
//! control characters.
//!
//! Everything a peer sends — a request path, an Origin, a close reason, a hostile
//! server's status line or body — may hold CR/LF (a forged log line), ESC (terminal
//! escape sequences: clear screen, colours, OSC 8 links, OSC 52 clipboard writes), BEL,
//! bidi overrides or bytes that are not UTF-8. [`escaped`] writes such text as one
//! printable line: printable UTF-8 (and spaces) is kept, everything else becomes an
//! escape (`\r`, `\n`, `\t`, `\\`, `\x1b`, `\u{202e}`), so the output never contains a
//! control character and can always be read back unambiguously. Every tier (the std
//! adapter, the CLI, the Python and C bindings) logs network text through it.
//!
//! [`check_config_text`] is the construction-time counterpart for configuration strings
//! that end up in response headers (CORS method and header lists, Host allowlist
//! entries): a control character there is a typed [`ControlChar`] error, never a header
//! line of its own.
//!
//! ```
//! use wsguard_core::text::escaped;
//! # extern crate std; use std::string::ToString;
//! let line = escaped(b"/ws\r\nINJECTED-LOG-LINE \x1b[2J").to_string();
//! assert_eq!(line, "/ws\\r\\nINJECTED-LOG-LINE \\x1b[2J");
//! ```

use crate::Diagnostic;
use core::fmt::{self, Write as _};

/// A [`Display`](fmt::Display) adapter writing bytes as one safe, printable line.
///
/// Built by [`escaped`]; [`max_bytes`](Escaped::max_bytes) caps how much input is shown
/// (the rest is summarised as `…(+N bytes)`). Writes straight into the formatter: no
/// allocation, no buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escaped<'a> {
    bytes: &'a [u8],
    max: usize,
}

/// Wraps network bytes for logging; see the [module docs](self).
///
/// ```
/// use wsguard_core::text::escaped;
/// # extern crate std; use std::format;
/// assert_eq!(format!("{}", escaped(b"https://app.example.com")), "https://app.example.com");
/// assert_eq!(format!("{}", escaped(b"a\xffb\x07\x7f")), "a\\xffb\\x07\\x7f");
/// assert_eq!(format!("{}", escaped("caf\u{e9} \u{202e}".as_bytes())), "caf\u{e9} \\u{202e}");
/// ```
pub const fn escaped(bytes: &[u8]) -> Escaped<'_> {
    Escaped {
        bytes,
        max: usize::MAX,
    }
}

impl<'a> Escaped<'a> {
    /// Shows at most `n` input bytes, then `…(+M bytes)`.
    ///
    /// ```
    /// use wsguard_core::text::escaped;
    /// # extern crate std; use std::format;
    /// assert_eq!(format!("{}", escaped(b"abcdef").max_bytes(4)), "abcd…(+2 bytes)");
    /// ```
    pub const fn max_bytes(mut self, n: usize) -> Self {
        self.max = n;
        self
    }

    /// `true` when the text is written unchanged (nothing to escape, nothing cut).
    ///
    /// ```
    /// use wsguard_core::text::escaped;
    /// assert!(escaped(b"/chat?room=1").is_clean());
    /// assert!(!escaped(b"/chat\n").is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.bytes.len() <= self.max
            && core::str::from_utf8(self.bytes).is_ok_and(|s| s.chars().all(|c| !needs_escape(c)))
    }
}

/// Characters that never reach a log line raw: C0, DEL, C1, the backslash (so escapes
/// are unambiguous), bidi embedding/override/isolate marks, line and paragraph
/// separators, zero-width and BOM characters.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\\'
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn write_char(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '\r' => f.write_str("\\r"),
        '\n' => f.write_str("\\n"),
        '\t' => f.write_str("\\t"),
        '\\' => f.write_str("\\\\"),
        c if (c as u32) < 0x80 && needs_escape(c) => write!(f, "\\x{:02x}", c as u32),
        c if needs_escape(c) => write!(f, "\\u{{{:x}}}", c as u32),
        c => f.write_char(c),
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.bytes.get(..self.max).unwrap_or(self.bytes);
        for chunk in shown.utf8_chunks() {
            for c in chunk.valid().chars() {
                write_char(f, c)?;
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        let cut = self.bytes.len() - shown.len();
        if cut > 0 {
            write!(f, "…(+{cut} bytes)")?;
        }
        Ok(())
    }
}

/// A configuration string holds a control character (`config_control_char`).
///
/// ```
/// use wsguard_core::text::{check_config_text, ControlChar};
/// assert_eq!(check_config_text("GET\r\nSet-Cookie: x=1"), Err(ControlChar { offset: 3, byte: b'\r' }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ControlChar {
    /// Byte offset of the first control character.
    pub offset: usize,
    /// The byte (C0, DEL, or the first byte of a C1 character).
    pub byte: u8,
}

impl Diagnostic for ControlChar {
    fn code(&self) -> &'static str {
        "config_control_char"
    }
    fn reason(&self) -> &'static str {
        "a configuration string that is written into HTTP headers contains a control character (CR, LF, NUL, ESC, …)"
    }
    fn remedy(&self) -> &'static str {
        "remove line breaks and control characters; write lists on one line, e.g. `GET, POST` or `app.example.com`"
    }
}

impl fmt::Display for ControlChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (byte 0x{:02x} at offset {})",
            self.reason(),
            self.byte,
            self.offset
        )
    }
}

/// Checks a configuration string for control characters (C0 including TAB's neighbours
/// CR and LF, DEL, C1). Horizontal TAB is allowed (it is valid whitespace in a header
/// list).
///
/// ```
/// use wsguard_core::text::check_config_text;
/// assert!(check_config_text("GET, POST,\tPUT").is_ok());
/// assert_eq!(check_config_text("a\u{85}").unwrap_err().offset, 1);
/// ```
pub fn check_config_text(s: &str) -> Result<(), ControlChar> {
    match s.char_indices().find(|&(_, c)| c.is_control() && c != '\t') {
        Some((offset, _)) => Err(ControlChar {
            offset,
            byte: s.as_bytes().get(offset).copied().unwrap_or(0),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;

    #[test]
    fn every_byte_is_printable_after_escaping() {
        for b in 0u8..=255 {
            let s = escaped(&[b'x', b, b'y']).to_string();
            assert!(!s.chars().any(char::is_control), "byte {b:#x} -> {s:?}");
            assert!(s.starts_with('x') && s.ends_with('y'));
        }
    }

    #[test]
    fn c1_and_osc() {
        // U+009B (CSI) as UTF-8, and an OSC 52 clipboard write ending in BEL.
        assert_eq!(escaped("\u{9b}2J".as_bytes()).to_string(), "\\u{9b}2J");
        assert_eq!(
            escaped(b"\x1b]52;c;aGk=\x07").to_string(),
            "\\x1b]52;c;aGk=\\x07"
        );
    }

    #[test]
    fn backslash_is_unambiguous() {
        assert_eq!(escaped(b"\\x1b").to_string(), "\\\\x1b");
        assert!(!escaped(b"\\").is_clean());
    }

    #[test]
    fn truncation_counts_bytes_and_never_splits_into_invalid() {
        let s = escaped("éé".as_bytes()).max_bytes(3).to_string();
        assert_eq!(s, "é\\xc3…(+1 bytes)");
        assert_eq!(format!("{}", escaped(b"").max_bytes(0)), "");
    }

    #[test]
    fn config_text() {
        assert!(check_config_text("").is_ok());
        assert_eq!(
            check_config_text("x\x7f"),
            Err(ControlChar {
                offset: 1,
                byte: 0x7f
            })
        );
        assert_eq!(
            check_config_text("a\nb").unwrap_err().code(),
            "config_control_char"
        );
    }
}
