//! `Sec-WebSocket-Extensions` offers checked by the grammar of RFC 6455 §9.1, and the
//! `permessage-deflate` parameters of RFC 7692 §7.1.
//!
//! ```text
//! extension-list  = 1#extension            ; RFC 7230 §7: empty elements are skipped
//! extension       = extension-token *( OWS ";" OWS extension-param )
//! extension-param = token [ OWS "=" OWS ( token / quoted-string ) ]
//! ```
//!
//! A header value that breaks the grammar (`foo;`, `foo; bar=`, `foo; bar="baz`) refuses
//! the upgrade (400, [`ExtensionError`]), as python-websockets does: a server must not
//! decline or accept an extension on an offer it cannot read. A quoted value must be a
//! token once unquoted (§9.1); wsguard refuses backslash escapes inside it
//! ([`ExtensionError::ParamValue`]): a token never needs one, and refusing keeps every
//! parameter a borrowed slice of the request.
//!
//! A well-formed `permessage-deflate` offer with parameters RFC 7692 does not allow is
//! *not* a refusal — §7.1 says the server then declines the extension — so
//! [`Extension::deflate_offer`] reports it as a [`DeflateError`] for the server's choice.
//! wsguard negotiates no extension: its 101 never carries `Sec-WebSocket-Extensions`.

use super::client::is_tchar;
use super::tokens::Extension;

/// Why a `Sec-WebSocket-Extensions` value breaks the RFC 6455 §9.1 grammar.
///
/// ```
/// use wsguard_core::handshake::{check_extensions, ExtensionError};
/// use wsguard_core::Diagnostic;
/// assert_eq!(check_extensions(b"foo;"), Err(ExtensionError::ParamEmpty));
/// assert_eq!(check_extensions(b"foo; bar="), Err(ExtensionError::ParamValueMissing));
/// assert_eq!(check_extensions(b"foo; bar=\"baz"), Err(ExtensionError::QuoteUnterminated));
/// assert_eq!(ExtensionError::ParamEmpty.code(), "extensions_param_empty");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ExtensionError {
    /// The value lists no extension at all (empty, or only commas).
    Empty,
    /// An extension name is missing or not a token (`; x`, `foo bar`, `"foo"`).
    Name,
    /// A `;` with no parameter after it (`foo;`, `foo;; bar`).
    ParamEmpty,
    /// A parameter name is not a token (`foo; =1`, `foo; a b`).
    ParamName,
    /// A `=` with no value after it (`foo; bar=`).
    ParamValueMissing,
    /// A quoted value without its closing quote (`foo; bar="baz`).
    QuoteUnterminated,
    /// A value that is not a token (unquoted or once unquoted), a backslash escape inside
    /// quotes, or text after the closing quote (`a=b c`, `a="b c"`, `a="1"0`).
    ParamValue,
}

crate::diag::diagnostics! {
    ExtensionError in "wsguard_core::handshake" display {
    }
    Empty => {
        code: "extensions_empty",
        reason: "Sec-WebSocket-Extensions lists no extension",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    Name => {
        code: "extensions_name",
        reason: "an extension name in Sec-WebSocket-Extensions is missing or not a token",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    ParamEmpty => {
        code: "extensions_param_empty",
        reason: "Sec-WebSocket-Extensions has a `;` with no parameter after it",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    ParamName => {
        code: "extensions_param_name",
        reason: "an extension parameter name in Sec-WebSocket-Extensions is not a token",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    ParamValueMissing => {
        code: "extensions_param_value_missing",
        reason: "an extension parameter in Sec-WebSocket-Extensions has `=` but no value",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    QuoteUnterminated => {
        code: "extensions_quote_unterminated",
        reason: "a quoted extension parameter value in Sec-WebSocket-Extensions has no closing quote",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
    ParamValue => {
        code: "extensions_param_value",
        reason: "an extension parameter value in Sec-WebSocket-Extensions is not a token (RFC 6455 §9.1)",
        remedy: "send `Sec-WebSocket-Extensions: name; param; param=value, other` (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`, or no header at all",
    },
}

const fn is_ows(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// A cursor over one header value.
struct Scan<'b> {
    v: &'b [u8],
    at: usize,
}

impl<'b> Scan<'b> {
    fn peek(&self) -> Option<u8> {
        self.v.get(self.at).copied()
    }
    fn skip_ows(&mut self) {
        while self.peek().is_some_and(is_ows) {
            self.at += 1;
        }
    }
    fn token(&mut self) -> &'b [u8] {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        self.v.get(start..self.at).unwrap_or(&[])
    }
    /// After the opening quote: the quoted text up to the closing quote.
    fn quoted(&mut self) -> Result<&'b [u8], ExtensionError> {
        let start = self.at;
        loop {
            match self.peek() {
                None => return Err(ExtensionError::QuoteUnterminated),
                Some(b'"') => break,
                Some(_) => self.at += 1,
            }
        }
        let inner = self.v.get(start..self.at).unwrap_or(&[]);
        self.at += 1;
        if inner.is_empty() || !inner.iter().all(|&c| is_tchar(c)) {
            return Err(ExtensionError::ParamValue);
        }
        Ok(inner)
    }
}

/// Checks one `Sec-WebSocket-Extensions` header value against RFC 6455 §9.1.
///
/// ```
/// use wsguard_core::handshake::{check_extensions, ExtensionError};
/// assert!(check_extensions(b"permessage-deflate; client_max_window_bits, x-foo").is_ok());
/// assert!(check_extensions(b"permessage-deflate; server_max_window_bits=\"10\"").is_ok());
/// assert_eq!(check_extensions(b" , "), Err(ExtensionError::Empty));
/// assert_eq!(check_extensions(b"a; b=\"c d\""), Err(ExtensionError::ParamValue));
/// ```
pub fn check_extensions(value: &[u8]) -> Result<(), ExtensionError> {
    let mut s = Scan { v: value, at: 0 };
    let mut any = false;
    loop {
        s.skip_ows();
        match s.peek() {
            None => break,
            Some(b',') => {
                s.at += 1;
                continue;
            }
            Some(_) => {}
        }
        if s.token().is_empty() {
            return Err(ExtensionError::Name);
        }
        any = true;
        // What the text after the entry would belong to, for the error.
        let mut last = ExtensionError::Name;
        s.skip_ows();
        while s.peek() == Some(b';') {
            s.at += 1;
            s.skip_ows();
            if matches!(s.peek(), None | Some(b',' | b';')) {
                return Err(ExtensionError::ParamEmpty);
            }
            if s.token().is_empty() {
                return Err(ExtensionError::ParamName);
            }
            last = ExtensionError::ParamName;
            s.skip_ows();
            if s.peek() == Some(b'=') {
                s.at += 1;
                s.skip_ows();
                match s.peek() {
                    None | Some(b',' | b';') => return Err(ExtensionError::ParamValueMissing),
                    Some(b'"') => {
                        s.at += 1;
                        s.quoted()?;
                    }
                    Some(_) => {
                        if s.token().is_empty() {
                            return Err(ExtensionError::ParamValue);
                        }
                    }
                }
                last = ExtensionError::ParamValue;
                s.skip_ows();
            }
        }
        match s.peek() {
            None => break,
            Some(b',') => s.at += 1,
            // Text after a name, parameter name or value: a space inside it, or junk.
            Some(_) => return Err(last),
        }
    }
    if any {
        Ok(())
    } else {
        Err(ExtensionError::Empty)
    }
}

/// Why a well-formed `permessage-deflate` offer cannot be accepted (RFC 7692 §7.1): the
/// server must decline the extension (and may still accept the connection).
///
/// ```
/// use wsguard_core::handshake::{DeflateError, Extension};
/// use wsguard_core::Diagnostic;
/// let e = Extension::parse(b"permessage-deflate; server_max_window_bits=7").unwrap();
/// assert_eq!(e.deflate_offer(), Some(Err(DeflateError::WindowBits)));
/// assert_eq!(DeflateError::WindowBits.code(), "deflate_window_bits");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DeflateError {
    /// A parameter RFC 7692 does not define for an offer.
    UnknownParam,
    /// The same parameter twice.
    Duplicate,
    /// A window-bits value that is not 8–15 (decimal, no leading zero), or
    /// `server_max_window_bits` without a value.
    WindowBits,
    /// A value on `server_no_context_takeover` / `client_no_context_takeover`.
    UnexpectedValue,
}

crate::diag::diagnostics! {
    DeflateError in "wsguard_core::handshake" display {
    }
    UnknownParam => {
        code: "deflate_unknown_param",
        reason: "the permessage-deflate offer has a parameter RFC 7692 does not define",
        remedy: "decline permessage-deflate for this offer (RFC 7692 §7.1); the client should offer only server_no_context_takeover, client_no_context_takeover, server_max_window_bits=8..15 and client_max_window_bits[=8..15], each once",
    },
    Duplicate => {
        code: "deflate_duplicate_param",
        reason: "the permessage-deflate offer repeats a parameter",
        remedy: "decline permessage-deflate for this offer (RFC 7692 §7.1); the client should offer only server_no_context_takeover, client_no_context_takeover, server_max_window_bits=8..15 and client_max_window_bits[=8..15], each once",
    },
    WindowBits => {
        code: "deflate_window_bits",
        reason: "a permessage-deflate window-bits value is not a number from 8 to 15",
        remedy: "decline permessage-deflate for this offer (RFC 7692 §7.1); the client should offer only server_no_context_takeover, client_no_context_takeover, server_max_window_bits=8..15 and client_max_window_bits[=8..15], each once",
    },
    UnexpectedValue => {
        code: "deflate_unexpected_value",
        reason: "a permessage-deflate no_context_takeover parameter carries a value",
        remedy: "decline permessage-deflate for this offer (RFC 7692 §7.1); the client should offer only server_no_context_takeover, client_no_context_takeover, server_max_window_bits=8..15 and client_max_window_bits[=8..15], each once",
    },
}

/// The parameters of a valid `permessage-deflate` offer (RFC 7692 §7.1).
///
/// ```
/// use wsguard_core::handshake::Extension;
/// let e = Extension::parse(b"permessage-deflate; client_max_window_bits; server_max_window_bits=10").unwrap();
/// let d = e.deflate_offer().unwrap().unwrap();
/// assert_eq!(d.server_max_window_bits, Some(10));
/// assert_eq!(d.client_max_window_bits, Some(None));
/// assert!(!d.server_no_context_takeover);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeflateOffer {
    /// `server_no_context_takeover` was offered.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover` was offered.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits=N`.
    pub server_max_window_bits: Option<u8>,
    /// `client_max_window_bits`: `Some(None)` without a value (the client supports the
    /// parameter), `Some(Some(N))` with one.
    pub client_max_window_bits: Option<Option<u8>>,
}

fn window_bits(v: Option<&str>) -> Result<u8, DeflateError> {
    match v.map(str::as_bytes) {
        Some([d @ b'8'..=b'9']) => Ok(d - b'0'),
        Some([b'1', d @ b'0'..=b'5']) => Ok(10 + d - b'0'),
        _ => Err(DeflateError::WindowBits),
    }
}

impl Extension<'_> {
    /// For a `permessage-deflate` entry, its RFC 7692 §7.1 offer parameters (or why the
    /// server must decline it); `None` for any other extension.
    ///
    /// ```
    /// use wsguard_core::handshake::{DeflateError, Extension};
    /// let dup = Extension::parse(b"permessage-deflate; server_no_context_takeover; server_no_context_takeover").unwrap();
    /// assert_eq!(dup.deflate_offer(), Some(Err(DeflateError::Duplicate)));
    /// assert_eq!(Extension::parse(b"x-foo").unwrap().deflate_offer(), None);
    /// ```
    pub fn deflate_offer(&self) -> Option<Result<DeflateOffer, DeflateError>> {
        if !self.name.eq_ignore_ascii_case("permessage-deflate") {
            return None;
        }
        let mut d = DeflateOffer::default();
        let mut seen = [false; 4];
        for (name, value) in self.params() {
            let slot = match name {
                _ if name.eq_ignore_ascii_case("server_no_context_takeover") => 0,
                _ if name.eq_ignore_ascii_case("client_no_context_takeover") => 1,
                _ if name.eq_ignore_ascii_case("server_max_window_bits") => 2,
                _ if name.eq_ignore_ascii_case("client_max_window_bits") => 3,
                _ => return Some(Err(DeflateError::UnknownParam)),
            };
            if core::mem::replace(&mut seen[slot], true) {
                return Some(Err(DeflateError::Duplicate));
            }
            let r = match (slot, value) {
                (0 | 1, Some(_)) => Err(DeflateError::UnexpectedValue),
                (0, None) => {
                    d.server_no_context_takeover = true;
                    Ok(())
                }
                (1, None) => {
                    d.client_no_context_takeover = true;
                    Ok(())
                }
                (3, None) => {
                    d.client_max_window_bits = Some(None);
                    Ok(())
                }
                (2, v) => window_bits(v).map(|n| d.server_max_window_bits = Some(n)),
                (_, v) => window_bits(v).map(|n| d.client_max_window_bits = Some(Some(n))),
            };
            if let Err(e) = r {
                return Some(Err(e));
            }
        }
        Some(Ok(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        for ok in [
            "permessage-deflate",
            "a, b",
            "a,,b",
            "a ; b ; c = d",
            "a;b=\"c\"",
            "a; b=1, c; d",
            " a ",
        ] {
            assert_eq!(check_extensions(ok.as_bytes()), Ok(()), "{ok}");
        }
        let bad = [
            ("", ExtensionError::Empty),
            (",", ExtensionError::Empty),
            ("foo;", ExtensionError::ParamEmpty),
            ("foo;;a", ExtensionError::ParamEmpty),
            ("foo; , b", ExtensionError::ParamEmpty),
            ("foo; bar=", ExtensionError::ParamValueMissing),
            ("foo; bar= ;x", ExtensionError::ParamValueMissing),
            ("foo; bar=\"baz", ExtensionError::QuoteUnterminated),
            ("foo; bar=\"\"", ExtensionError::ParamValue),
            ("foo; bar=\"a b\"", ExtensionError::ParamValue),
            ("foo; bar=\"a\\b\"", ExtensionError::ParamValue),
            ("foo; bar=\"1\"0", ExtensionError::ParamValue),
            ("foo; bar=a b", ExtensionError::ParamValue),
            ("foo; =1", ExtensionError::ParamName),
            ("foo; a b", ExtensionError::ParamName),
            ("; x", ExtensionError::Name),
            ("foo bar", ExtensionError::Name),
            ("\"foo\"", ExtensionError::Name),
            ("foo=1", ExtensionError::Name),
            ("foo\u{e9}", ExtensionError::Name),
        ];
        for (v, e) in bad {
            assert_eq!(check_extensions(v.as_bytes()), Err(e), "{v}");
        }
    }

    #[test]
    fn deflate() {
        let offer = |s: &str| Extension::parse(s.as_bytes()).unwrap().deflate_offer();
        assert_eq!(
            offer("permessage-deflate"),
            Some(Ok(DeflateOffer::default()))
        );
        let d = offer("permessage-deflate; client_max_window_bits=\"8\"; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15").unwrap().unwrap();
        assert_eq!(d.client_max_window_bits, Some(Some(8)));
        assert_eq!(d.server_max_window_bits, Some(15));
        assert!(d.server_no_context_takeover && d.client_no_context_takeover);
        for (v, e) in [
            (
                "permessage-deflate; server_max_window_bits",
                DeflateError::WindowBits,
            ),
            (
                "permessage-deflate; server_max_window_bits=16",
                DeflateError::WindowBits,
            ),
            (
                "permessage-deflate; client_max_window_bits=08",
                DeflateError::WindowBits,
            ),
            (
                "permessage-deflate; client_max_window_bits=7",
                DeflateError::WindowBits,
            ),
            ("permessage-deflate; x=1", DeflateError::UnknownParam),
            (
                "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
                DeflateError::Duplicate,
            ),
            (
                "permessage-deflate; server_no_context_takeover=1",
                DeflateError::UnexpectedValue,
            ),
        ] {
            assert_eq!(offer(v), Some(Err(e)), "{v}");
        }
    }
}
