//! The URL grammar shared by [`WsUrl::parse`](super::WsUrl::parse), page URLs and
//! derivation: RFC 3986 restricted to what a WebSocket client accepts.

use super::{HostKind, UrlError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    Ws,
    Wss,
    Http,
    Https,
}

impl Scheme {
    pub(super) const fn secure(self) -> bool {
        matches!(self, Scheme::Wss | Scheme::Https)
    }
}

/// The authority and everything after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Parts<'a> {
    pub host: &'a str,
    pub host_kind: HostKind,
    pub port: Option<u16>,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub has_fragment: bool,
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Splits `scheme:` off; returns the scheme and the rest (starting after ':').
pub(super) fn split_scheme(input: &str) -> Result<(Scheme, &str), UrlError> {
    if input.is_empty() {
        return Err(UrlError::Empty);
    }
    if input
        .bytes()
        .any(|b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' || b == 0x0c)
    {
        return Err(UrlError::Whitespace);
    }
    let colon = match input.find(':') {
        Some(i) => i,
        None => return Err(UrlError::MissingScheme),
    };
    let name = input.get(..colon).unwrap_or("");
    let rest = input.get(colon + 1..).unwrap_or("");
    let scheme = if eq_ignore_case(name, "ws") {
        Scheme::Ws
    } else if eq_ignore_case(name, "wss") {
        Scheme::Wss
    } else if eq_ignore_case(name, "http") {
        Scheme::Http
    } else if eq_ignore_case(name, "https") {
        Scheme::Https
    } else {
        let valid_name = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
        // `localhost:8000/ws` parses as scheme "localhost": it has no "//" after it.
        return Err(if valid_name && rest.starts_with("//") {
            UrlError::UnsupportedScheme
        } else {
            UrlError::MissingScheme
        });
    };
    Ok((scheme, rest))
}

/// Parses `//authority[/path][?query][#fragment]`.
pub(super) fn parse_after_scheme(rest: &str) -> Result<Parts<'_>, UrlError> {
    let rest = match rest.strip_prefix("//") {
        Some(r) => r,
        None => return Err(UrlError::MissingAuthority),
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..auth_end).unwrap_or("");
    let tail = rest.get(auth_end..).unwrap_or("");
    let (host, host_kind, port) = parse_authority(authority)?;

    let (before_fragment, has_fragment) = match tail.find('#') {
        Some(i) => (tail.get(..i).unwrap_or(""), true),
        None => (tail, false),
    };
    let (path, query) = match before_fragment.find('?') {
        Some(i) => (
            before_fragment.get(..i).unwrap_or(""),
            Some(before_fragment.get(i + 1..).unwrap_or("")),
        ),
        None => (before_fragment, None),
    };
    check_chars(path)?;
    if let Some(q) = query {
        check_chars(q)?;
    }
    Ok(Parts {
        host,
        host_kind,
        port,
        path,
        query,
        has_fragment,
    })
}

fn parse_authority(authority: &str) -> Result<(&str, HostKind, Option<u16>), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::Userinfo);
    }
    if authority.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    let (host, kind, port_text) = if authority.starts_with('[') {
        let close = match authority.find(']') {
            Some(i) => i,
            None => return Err(UrlError::InvalidIpv6),
        };
        let host = authority.get(..close + 1).unwrap_or("");
        let inner = authority.get(1..close).unwrap_or("");
        if !is_ipv6(inner) {
            return Err(UrlError::InvalidIpv6);
        }
        // One host grammar: the address as WHATWG serializes it (RFC 5952).
        if crate::origin::check_ipv6(inner).is_err() {
            return Err(UrlError::Ipv6Noncanonical);
        }
        let after = authority.get(close + 1..).unwrap_or("");
        let port_text = if after.is_empty() {
            None
        } else if let Some(p) = after.strip_prefix(':') {
            Some(p)
        } else {
            return Err(UrlError::InvalidHost);
        };
        (host, HostKind::Ipv6, port_text)
    } else {
        let (host, port_text) = match authority.find(':') {
            Some(i) => (
                authority.get(..i).unwrap_or(""),
                Some(authority.get(i + 1..).unwrap_or("")),
            ),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(UrlError::EmptyHost);
        }
        (host, host_kind(host)?, port_text)
    };
    let port = match port_text {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host, kind, port))
}

pub(super) fn parse_port(p: &str) -> Result<u16, UrlError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Port);
    }
    let mut v: u32 = 0;
    for b in p.bytes() {
        v = v * 10 + u32::from(b - b'0');
    }
    match u16::try_from(v) {
        Ok(0) | Err(_) => Err(UrlError::Port),
        Ok(port) => Ok(port),
    }
}

/// Classifies and validates a non-bracketed host by the crate's one host grammar
/// ([`hostname`](crate::hostname)): a fully qualified name may end with a dot; a host
/// that ends in a number must be the canonical dotted quad.
fn host_kind(host: &str) -> Result<HostKind, UrlError> {
    use crate::hostname::{classify, Class, NameError};
    match classify(host.as_bytes(), true) {
        Ok(Class::Name) => Ok(HostKind::Name),
        Ok(Class::Ipv4) => Ok(HostKind::Ipv4),
        Err(NameError::Ipv4Noncanonical) => Err(UrlError::Ipv4Noncanonical),
        Err(NameError::Ipv4Invalid) => Err(UrlError::InvalidIpv4),
        Err(_) => Err(UrlError::InvalidHost),
    }
}

/// Four decimal octets 0–255, no leading zeros (the IPv4 tail of an IPv6 address).
pub(super) fn is_ipv4(s: &str) -> bool {
    crate::hostname::classify(s.as_bytes(), false) == Ok(crate::hostname::Class::Ipv4)
}

/// RFC 4291 text form: up to 8 groups of 1–4 hex digits, at most one `::`, an optional
/// trailing dotted IPv4 (worth two groups). No zone id.
pub(super) fn is_ipv6(s: &str) -> bool {
    if s.is_empty() || s.len() > 45 {
        return false;
    }
    let (head, tail, compressed) = match s.find("::") {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 2..).unwrap_or(""), true),
        None => (s, "", false),
    };
    if compressed && tail.contains("::") {
        return false;
    }
    let groups = |part: &str, last_part: bool| -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut n = 0usize;
        let mut iter = part.split(':').peekable();
        while let Some(g) = iter.next() {
            let is_last = iter.peek().is_none();
            if is_last && last_part && g.contains('.') {
                if !is_ipv4(g) {
                    return None;
                }
                n += 2;
            } else {
                if g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                n += 1;
            }
        }
        Some(n)
    };
    if compressed {
        match (groups(head, false), groups(tail, true)) {
            (Some(a), Some(b)) => a + b <= 7,
            _ => false,
        }
    } else {
        groups(head, true) == Some(8)
    }
}

/// How many dots a path segment stands for in WHATWG's path state: 1 for `.` or `%2e`,
/// 2 for `..`, `.%2e`, `%2e.` or `%2e%2e` (any case), 0 otherwise.
pub(super) fn dot_segment(seg: &[u8]) -> u8 {
    let is_dot = |s: &[u8]| s == b"." || s.eq_ignore_ascii_case(b"%2e");
    match seg.len() {
        1 | 3 if is_dot(seg) => 1,
        2 | 4 | 6 => {
            let split = (1..seg.len()).find(|&i| {
                seg.split_at_checked(i)
                    .is_some_and(|(a, b)| is_dot(a) && is_dot(b))
            });
            u8::from(split.is_some()) * 2
        }
        _ => 0,
    }
}

/// Whether a path has a segment a browser would resolve away ([`dot_segment`]).
pub(super) fn has_dot_segment(path: &str) -> bool {
    path.as_bytes()
        .split(|&b| b == b'/')
        .skip(1)
        .any(|seg| dot_segment(seg) != 0)
}

/// Path and query characters: printable ASCII except `"<>\^`{|}` and space; `%` must
/// start a `%XX` escape.
pub(super) fn check_chars(s: &str) -> Result<(), UrlError> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0c => return Err(UrlError::Whitespace),
            0..=0x1f
            | 0x7f..=0xff
            | b'"'
            | b'<'
            | b'>'
            | b'\\'
            | b'^'
            | b'`'
            | b'{'
            | b'|'
            | b'}' => return Err(UrlError::InvalidChar),
            b'%' => {
                let ok = matches!((bytes.get(i + 1), bytes.get(i + 2)), (Some(a), Some(c)) if a.is_ascii_hexdigit() && c.is_ascii_hexdigit());
                if !ok {
                    return Err(UrlError::PercentEncoding);
                }
                i += 3;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}
