//! The `host[:port]` grammar shared by Origin values, the Host allowlist and the pattern
//! parser: scheme and authority splitting, ports, domain names, canonical IPv4 and
//! RFC 5952 IPv6 (see the decisions listed in the [`parse`](super::parse) module).

use super::malformed::Malformed;

/// The default port of a scheme: `http`/`ws` 80, `https`/`wss` 443, others none.
///
/// ```
/// use wsguard_core::origin::default_port;
/// assert_eq!(default_port("HTTPS"), Some(443));
/// assert_eq!(default_port("chrome-extension"), None);
/// ```
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme.len() {
        2 if eq_ci(scheme, "ws") => Some(80),
        3 if eq_ci(scheme, "wss") => Some(443),
        4 if eq_ci(scheme, "http") => Some(80),
        5 if eq_ci(scheme, "https") => Some(443),
        _ => None,
    }
}

/// ASCII case-insensitive equality, with the plain byte comparison (what browsers and
/// most configurations send: lowercase on both sides) tried first.
#[inline]
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a == b || a.eq_ignore_ascii_case(b))
}

/// The explicit port with an explicit default port removed (`https`, 443 → `None`).
pub(crate) fn normalise_port(scheme: &str, port: Option<u16>) -> Option<u16> {
    match port {
        Some(p) if Some(p) == default_port(scheme) => None,
        other => other,
    }
}

pub(crate) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()
            .get(s.len() - suffix.len()..)
            .is_some_and(|t| t == suffix.as_bytes() || t.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// First control / whitespace / non-ASCII byte decides.
pub(crate) fn scan_bytes(b: &[u8]) -> Result<(), Malformed> {
    for &c in b {
        match c {
            b' ' | b'\t' => return Err(Malformed::Whitespace),
            0..=0x1f | 0x7f => return Err(Malformed::Control),
            0x80..=0xff => return Err(Malformed::NonAscii),
            _ => {}
        }
    }
    Ok(())
}

/// Index of the first byte of `s` that is one of the ASCII bytes in `set`. A plain byte
/// loop: `str::find` with a char pattern links a searcher and `memchr` (flash on a MCU).
pub(crate) fn find_byte(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|c| {
        for &x in set {
            if x == c {
                return true;
            }
        }
        false
    })
}

/// `s` cut at byte `i`, the index of an ASCII byte (so a char boundary); no panic path.
pub(crate) fn cut_at(s: &str, i: usize) -> (&str, &str) {
    (s.get(..i).unwrap_or(s), s.get(i..).unwrap_or(""))
}

/// Splits `scheme://rest`.
pub(crate) fn split_scheme(s: &str) -> Result<(&str, &str), Malformed> {
    let colon = find_byte(s, b":").ok_or(Malformed::NoScheme)?;
    let (scheme, rest) = cut_at(s, colon);
    let rest = rest.strip_prefix("://").ok_or(Malformed::NoScheme)?;
    let mut bytes = scheme.bytes();
    match bytes.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return Err(Malformed::BadScheme),
    }
    if !bytes.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) {
        return Err(Malformed::BadScheme);
    }
    Ok((scheme, rest))
}

/// Cuts the authority off `rest` and refuses anything after it (path, query, fragment)
/// and userinfo / backslashes inside it.
pub(crate) fn split_authority(rest: &str) -> Result<&str, Malformed> {
    let end = find_byte(rest, b"/?#").unwrap_or(rest.len());
    let (auth, tail) = cut_at(rest, end);
    if find_byte(auth, b"@").is_some() {
        return Err(Malformed::Userinfo);
    }
    match tail.as_bytes().first() {
        None => {}
        Some(b'/') if tail.len() == 1 => return Err(Malformed::TrailingSlash),
        Some(b'/') => return Err(Malformed::Path),
        Some(b'?') => return Err(Malformed::Query),
        _ => return Err(Malformed::Fragment),
    }
    if find_byte(auth, b"\\").is_some() {
        return Err(Malformed::Backslash);
    }
    Ok(auth)
}

/// Splits `host[:port]` (host may be bracketed IPv6). Returns the host (with brackets)
/// and the raw port text, unvalidated.
pub(crate) fn split_host_port(auth: &str) -> Result<(&str, Option<&str>), Malformed> {
    if auth.starts_with('[') {
        let close = find_byte(auth, b"]").ok_or(Malformed::Ipv6Noncanonical)?;
        let (host, after) = cut_at(auth, close + 1);
        if after.is_empty() {
            Ok((host, None))
        } else if let Some(p) = after.strip_prefix(':') {
            Ok((host, Some(p)))
        } else {
            Err(Malformed::Ipv6Noncanonical)
        }
    } else {
        match find_byte(auth, b":") {
            None => Ok((auth, None)),
            Some(i) => {
                let (host, after) = cut_at(auth, i);
                let port = after.get(1..).unwrap_or("");
                if find_byte(port, b":").is_some() {
                    Err(Malformed::Ipv6Noncanonical)
                } else {
                    Ok((host, Some(port)))
                }
            }
        }
    }
}

/// A decimal port, 1..=65535, without leading zeros.
pub(crate) fn parse_port(p: &str) -> Result<u16, Malformed> {
    parse_port_bytes(p.as_bytes())
}

/// [`parse_port`] on bytes (a comma-separated port list is split as bytes).
pub(crate) fn parse_port_bytes(p: &[u8]) -> Result<u16, Malformed> {
    if p.is_empty() {
        return Err(Malformed::PortEmpty);
    }
    if !p.iter().all(|c| c.is_ascii_digit()) {
        return Err(Malformed::PortInvalid);
    }
    if p.len() > 1 && p.first() == Some(&b'0') {
        return Err(Malformed::PortLeadingZero);
    }
    if p.len() > 5 {
        return Err(Malformed::PortRange);
    }
    let mut v: u32 = 0;
    for &c in p {
        v = v * 10 + u32::from(c - b'0');
    }
    match v {
        0 => Err(Malformed::PortZero),
        1..=65535 => Ok(v as u16),
        _ => Err(Malformed::PortRange),
    }
}

/// What kind of host passed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    Domain,
    Ipv4,
    Ipv6,
}

/// Validates a host as it appears in an origin (IPv6 with brackets).
pub(crate) fn validate_host(host: &str) -> Result<HostKind, Malformed> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(Malformed::Ipv6Noncanonical)?;
        if find_byte(inner, b"%").is_some() {
            return Err(Malformed::ZoneId);
        }
        check_ipv6(inner)?;
        return Ok(HostKind::Ipv6);
    }
    if find_byte(host, b"%").is_some() {
        return Err(Malformed::Percent);
    }
    validate_domain(host)
}

fn validate_domain(host: &str) -> Result<HostKind, Malformed> {
    use crate::hostname::{classify, Class, NameError};
    match classify(host.as_bytes(), false) {
        Ok(Class::Name) => Ok(HostKind::Domain),
        Ok(Class::Ipv4) => Ok(HostKind::Ipv4),
        Err(e) => Err(match e {
            NameError::Empty => Malformed::EmptyHost,
            NameError::TooLong => Malformed::HostTooLong,
            NameError::TrailingDot => Malformed::TrailingDot,
            NameError::EmptyLabel => Malformed::EmptyLabel,
            NameError::LabelTooLong => Malformed::LabelTooLong,
            NameError::BadChar => Malformed::BadHost,
            NameError::Ipv4Noncanonical | NameError::Ipv4Invalid => Malformed::Ipv4Noncanonical,
        }),
    }
}

fn parse_groups(s: &str, out: &mut [u16; 8], at: &mut usize) -> Result<(), Malformed> {
    if s.is_empty() {
        return Ok(());
    }
    for g in s.as_bytes().split(|&c| c == b':') {
        if g.is_empty() || g.len() > 4 || !g.iter().all(|c| c.is_ascii_hexdigit()) {
            return Err(Malformed::Ipv6Noncanonical);
        }
        let slot = out.get_mut(*at).ok_or(Malformed::Ipv6Noncanonical)?;
        // At most 4 hex digits: always fits a u16.
        *slot = g.iter().fold(0u16, |a, &c| {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => c.wrapping_sub(b'A').wrapping_add(10),
            };
            (a << 4) | u16::from(d)
        });
        *at += 1;
    }
    Ok(())
}

/// Parses the text inside the brackets and requires it to equal its RFC 5952 form (the
/// form WHATWG URL serializes too: embedded IPv4 is written in hex).
pub(crate) fn check_ipv6(inner: &str) -> Result<(), Malformed> {
    let mut groups = [0u16; 8];
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut nh, mut nt) = (0usize, 0usize);
    match inner.as_bytes().windows(2).position(|w| w == b"::") {
        Some(i) => {
            parse_groups(inner.get(..i).unwrap_or(""), &mut head, &mut nh)?;
            parse_groups(inner.get(i + 2..).unwrap_or(""), &mut tail, &mut nt)?;
            if nh + nt > 7 {
                return Err(Malformed::Ipv6Noncanonical);
            }
        }
        None => {
            parse_groups(inner, &mut head, &mut nh)?;
            if nh != 8 {
                return Err(Malformed::Ipv6Noncanonical);
            }
        }
    }
    groups[..nh].copy_from_slice(&head[..nh]);
    groups[8 - nt..].copy_from_slice(&tail[..nt]);
    let mut buf = [0u8; 40];
    let len = write_ipv6(&groups, &mut buf);
    if buf
        .get(..len)
        .is_some_and(|c| c.eq_ignore_ascii_case(inner.as_bytes()))
    {
        Ok(())
    } else {
        Err(Malformed::Ipv6Noncanonical)
    }
}

/// RFC 5952 text of 8 groups into `buf` (39 bytes at most); returns the length.
fn write_ipv6(groups: &[u16; 8], buf: &mut [u8; 40]) -> usize {
    // longest run of >= 2 zero groups, first on ties
    let (mut best_at, mut best_len) = (8usize, 0usize);
    let mut i = 0;
    while i < 8 {
        if groups[i] == 0 {
            let start = i;
            while i < 8 && groups[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best_at = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0;
    let mut i = 0;
    while i < 8 {
        if i == best_at {
            buf[n] = b':';
            buf[n + 1] = b':';
            n += 2;
            i += best_len;
            continue;
        }
        if i > 0 && i != best_at + best_len {
            buf[n] = b':';
            n += 1;
        }
        let g = groups[i];
        let mut started = false;
        for shift in [12u16, 8, 4, 0] {
            let d = ((g >> shift) & 0xf) as usize;
            if d != 0 || started || shift == 0 {
                buf[n] = HEX[d];
                n += 1;
                started = true;
            }
        }
        i += 1;
    }
    n
}

/// One forward scan of `host[:port]` from `start` to the end of `v`, for the shapes
/// browsers send: a domain (labels of `[A-Za-z0-9_-]`, 1 to 63 bytes, 253 in all) or a
/// canonical dotted-quad IPv4 address, then an optional port (1..=65535, no leading zero).
/// Returns `(host_end, port)`. `None` means "not that shape": the caller then runs the
/// full rule-by-rule check, which names the error (or accepts an IPv6 host).
///
/// Whatever this accepts, [`parse_authority`] accepts with the same host and port.
pub(crate) fn scan_authority_fast(v: &[u8], start: usize) -> Option<(usize, Option<u16>)> {
    let auth = v.get(start..)?;
    let mut label_start = 0usize;
    let mut host_len = auth.len();
    for (i, &c) in auth.iter().enumerate() {
        if crate::hostname::LABEL_BYTE[usize::from(c)] {
            continue;
        }
        match c {
            b'.' => {
                let len = i - label_start;
                if len == 0 || len > 63 {
                    return None;
                }
                label_start = i + 1;
            }
            b':' => {
                host_len = i;
                break;
            }
            _ => return None,
        }
    }
    let last_len = host_len - label_start;
    if last_len == 0 || last_len > 63 || host_len > 253 {
        return None;
    }
    // A last label starting with a digit may make the host an IPv4 address.
    if auth.get(label_start)?.is_ascii_digit() {
        crate::hostname::numeric(auth.get(..host_len)?).ok()?;
    }
    let host_end = start + host_len;
    if host_len == auth.len() {
        return Some((host_end, None));
    }
    // ":" 1*5DIGIT, no leading zero, 1..=65535, then the end
    let digits = auth.get(host_len + 1..)?;
    match digits.first() {
        Some(b'1'..=b'9') if digits.len() <= 5 => {}
        _ => return None,
    }
    let mut port: u32 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        port = port * 10 + u32::from(c - b'0');
    }
    Some((host_end, Some(u16::try_from(port).ok()?)))
}

/// Parses and validates `host[:port]` (a Host header, or an origin's authority).
pub(crate) fn parse_authority(auth: &str) -> Result<(&str, HostKind, Option<u16>), Malformed> {
    let (host, port) = split_host_port(auth)?;
    let kind = validate_host(host)?;
    let port = match port {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host, kind, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_canonical() {
        for ok in [
            "::1",
            "::",
            "2001:db8::1",
            "2001:db8:0:1:1:1:1:1",
            "fe80::1:2",
            "1::",
            "2001:DB8::1",
        ] {
            assert_eq!(check_ipv6(ok), Ok(()), "{ok}");
        }
        for bad in [
            "0:0:0:0:0:0:0:1",
            "::0:1",
            "2001:db8:0:0:1:0:0:1",
            "2001:0db8::1",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8:9",
            ":::1",
            "1::2::3",
            "2001:db8::0:1",
            "",
            "1:2:3:4:5:6:7::",
        ] {
            assert_eq!(check_ipv6(bad), Err(Malformed::Ipv6Noncanonical), "{bad}");
        }
        // RFC 5952: first longest run wins; a single zero group is not compressed
        assert_eq!(check_ipv6("2001:db8::1:0:0:1"), Ok(()));
        assert_eq!(check_ipv6("2001:0:1:1:1:1:1:1"), Ok(()));
    }

    #[test]
    fn ipv4_forms() {
        assert_eq!(validate_host("127.0.0.1"), Ok(HostKind::Ipv4));
        for bad in [
            "127.1",
            "2130706433",
            "0x7f.0.0.1",
            "127.000.0.1",
            "256.0.0.1",
            "1.2.3.4.5",
            "a.0x10",
            "01.2.3.4",
        ] {
            assert_eq!(
                validate_host(bad),
                Err(Malformed::Ipv4Noncanonical),
                "{bad}"
            );
        }
        assert_eq!(validate_host("1.example.com"), Ok(HostKind::Domain));
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("65535"), Ok(65535));
        assert_eq!(parse_port("65536"), Err(Malformed::PortRange));
        assert_eq!(parse_port("0"), Err(Malformed::PortZero));
        assert_eq!(parse_port("00"), Err(Malformed::PortLeadingZero));
        assert_eq!(
            parse_port("99999999999999999999"),
            Err(Malformed::PortRange)
        );
        assert_eq!(parse_port("8o"), Err(Malformed::PortInvalid));
    }
}
