//! The one host grammar of the crate: ws/wss URLs ([`url`](crate::url)), Origin values,
//! Host headers and origin patterns ([`origin`](crate::origin)) all classify a
//! non-bracketed host here.
//!
//! * A name is labels of `[A-Za-z0-9_-]`, 1–63 bytes each, at most 253 bytes in all.
//! * A host that *ends in a number* (WHATWG URL §3.5 "ends in a number checker": its
//!   last label, ignoring one trailing dot, is all decimal digits or parses as a WHATWG
//!   IPv4 number — `0x1f`, `0x`, `017`) is an IPv4 address, never a name. The WHATWG IPv4
//!   parser then either gives an address — canonical when the host is exactly its dotted-
//!   quad serialization (`127.0.0.1`), non-canonical otherwise (`0xffffffff`, `127.1`,
//!   `1.2.3.0x4`, `017.0.0.1`) — or fails (`1.2.3.4.5`, `256.0.0.1`, `1.2.3.09`,
//!   `foo.0x10`), exactly where a browser's `new URL()` throws.
//!
//! Callers refuse both non-canonical and invalid numeric hosts, each with its own code:
//! a browser would connect a non-canonical spelling to a different-looking address, and
//! refuses an invalid one outright.

/// How a syntactically valid name classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A DNS name.
    Name,
    /// A canonical dotted-quad IPv4 address.
    Ipv4,
}

/// Why a host is not a name or canonical IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameError {
    Empty,
    TooLong,
    TrailingDot,
    EmptyLabel,
    LabelTooLong,
    BadChar,
    /// WHATWG reads it as an IPv4 address, spelled other than as the dotted quad.
    Ipv4Noncanonical,
    /// It ends in a number, but the WHATWG IPv4 parser fails (browsers refuse it).
    Ipv4Invalid,
}

/// Bytes a host label may hold: `[A-Za-z0-9_-]`.
pub(crate) static LABEL_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
        i += 1;
    }
    t
};

/// Classifies a non-bracketed host. `trailing_dot`: whether one final `.` (a fully
/// qualified name, `example.com.`) is allowed; a numeric host with one is non-canonical.
pub(crate) fn classify(host: &[u8], trailing_dot: bool) -> Result<Class, NameError> {
    if host.is_empty() {
        return Err(NameError::Empty);
    }
    let body = match host.strip_suffix(b".") {
        Some(b) if trailing_dot => b,
        Some(_) => return Err(NameError::TrailingDot),
        None => host,
    };
    if body.len() > 253 {
        return Err(NameError::TooLong);
    }
    for label in body.split(|&c| c == b'.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        if label.len() > 63 {
            return Err(NameError::LabelTooLong);
        }
        if !label.iter().all(|&c| LABEL_BYTE[usize::from(c)]) {
            return Err(NameError::BadChar);
        }
    }
    numeric(host)
}

/// The numeric part of [`classify`], for a host whose labels are already known to be
/// well-formed: `Name` unless it ends in a number.
pub(crate) fn numeric(host: &[u8]) -> Result<Class, NameError> {
    if !ends_in_number(host) {
        return Ok(Class::Name);
    }
    match whatwg_ipv4(host) {
        None => Err(NameError::Ipv4Invalid),
        Some(addr) => {
            let mut buf = [0u8; 15];
            if serialize_ipv4(addr, &mut buf) == host {
                Ok(Class::Ipv4)
            } else {
                Err(NameError::Ipv4Noncanonical)
            }
        }
    }
}

/// WHATWG "ends in a number checker".
pub(crate) fn ends_in_number(host: &[u8]) -> bool {
    let mut parts = host.rsplit(|&c| c == b'.');
    let mut last = parts.next().unwrap_or(&[]);
    if last.is_empty() {
        match parts.next() {
            Some(l) => last = l,
            None => return false,
        }
    }
    (!last.is_empty() && last.iter().all(u8::is_ascii_digit)) || ipv4_number(last).is_some()
}

/// WHATWG "IPv4 number parser" (`0x` hex, leading-`0` octal, decimal). Values saturate:
/// anything above `u32::MAX` fails later anyway.
fn ipv4_number(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = match s {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (s, 10),
    };
    let mut v: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        v = v
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(d));
    }
    Some(v)
}

/// WHATWG "IPv4 parser": the address, or `None` where it returns failure.
pub(crate) fn whatwg_ipv4(host: &[u8]) -> Option<u32> {
    let host = match host.strip_suffix(b".") {
        Some(h) if !h.is_empty() => h,
        _ => host,
    };
    let mut numbers = [0u64; 4];
    let mut n = 0usize;
    for part in host.split(|&c| c == b'.') {
        let slot = numbers.get_mut(n)?;
        *slot = ipv4_number(part)?;
        n += 1;
    }
    let (last, init) = numbers.get(..n)?.split_last()?;
    if init.iter().any(|&v| v > 255) {
        return None;
    }
    let limit = 1u64 << (8 * (5 - n));
    if *last >= limit {
        return None;
    }
    let mut addr = *last;
    for (i, &v) in init.iter().enumerate() {
        addr += v << (8 * (3 - i));
    }
    u32::try_from(addr).ok()
}

/// Dotted-quad text of `addr` into `buf`; returns the written part.
pub(crate) fn serialize_ipv4(addr: u32, buf: &mut [u8; 15]) -> &[u8] {
    let mut n = 0;
    for (i, octet) in addr.to_be_bytes().iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        let o = *octet;
        if o >= 100 {
            buf[n] = b'0' + o / 100;
            n += 1;
        }
        if o >= 10 {
            buf[n] = b'0' + (o / 10) % 10;
            n += 1;
        }
        buf[n] = b'0' + o % 10;
        n += 1;
    }
    &buf[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatwg_ipv4_forms() {
        let ip = |s: &str| whatwg_ipv4(s.as_bytes());
        assert_eq!(ip("0xffffffff"), Some(0xffff_ffff));
        assert_eq!(ip("1.2.3.0x4"), Some(0x0102_0304));
        assert_eq!(ip("127.1"), Some(0x7f00_0001));
        assert_eq!(ip("017.0.0.1"), Some(0x0f00_0001));
        assert_eq!(ip("0x"), Some(0));
        assert_eq!(ip("1.2.3.4."), Some(0x0102_0304));
        assert_eq!(ip("4294967296"), None);
        assert_eq!(ip("1.2.3.4.5"), None);
        assert_eq!(ip("256.0.0.1"), None);
        assert_eq!(ip("1.2.3.09"), None);
        assert_eq!(ip("foo.0x10"), None);
        assert_eq!(ip("1..2"), None);
        assert_eq!(ip("99999999999999999999999"), None);
    }

    #[test]
    fn classify_forms() {
        let c = |s: &str| classify(s.as_bytes(), true);
        assert_eq!(c("example.com"), Ok(Class::Name));
        assert_eq!(c("example.com."), Ok(Class::Name));
        assert_eq!(c("1.example.com"), Ok(Class::Name));
        assert_eq!(c("foo.0xg"), Ok(Class::Name));
        assert_eq!(c("127.0.0.1"), Ok(Class::Ipv4));
        assert_eq!(c("127.0.0.1."), Err(NameError::Ipv4Noncanonical));
        assert_eq!(c("0xffffffff"), Err(NameError::Ipv4Noncanonical));
        assert_eq!(c("foo.09"), Err(NameError::Ipv4Invalid));
        assert_eq!(c("foo.0x"), Err(NameError::Ipv4Invalid));
        assert_eq!(c("a..b"), Err(NameError::EmptyLabel));
        assert_eq!(c("a~b"), Err(NameError::BadChar));
        assert_eq!(classify(b"a.", false), Err(NameError::TrailingDot));
        assert!(!ends_in_number(b"."));
        assert!(!ends_in_number(b""));
    }
}
