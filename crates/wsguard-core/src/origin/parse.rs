//! Strict RFC 6454 parsing of a serialized origin (`scheme://host[:port]`) and of the
//! `host[:port]` pieces shared with the Host allowlist and the pattern parser.
//!
//! Decisions (also documented on [`Origin::parse`]):
//! * scheme and host compare ASCII case-insensitively; [`Origin`]'s `Display` lowercases;
//! * an explicit default port (`https://a.com:443`, `http://a.com:80`, `ws` 80, `wss` 443)
//!   is **accepted and normalised** to the same origin as `https://a.com`. Browsers never
//!   send it, but it names the same origin, so refusing it would only break non-browser
//!   clients without protecting anything;
//! * IPv6 hosts must be the bracketed RFC 5952 text browsers serialise (lowercase or
//!   uppercase hex, longest zero run compressed, no leading zeros, no embedded dotted IPv4
//!   — the WHATWG URL serialiser never emits `::ffff:1.2.3.4`), never with a zone id;
//! * a host whose last label is numeric is an IPv4 address and must be the canonical
//!   dotted quad (no short, integer, hex, octal or zero-padded forms).

use crate::Diagnostic;
use core::fmt;

/// Longest Origin header value accepted, in bytes. Longer values are refused as
/// [`Malformed::TooLong`] before any other work.
pub const MAX_ORIGIN_LEN: usize = 512;

/// What exactly is wrong with a malformed Origin value (or a Host header, or a pattern).
///
/// `code()` is a stable snake_case sub-code, e.g. `"path"`.
///
/// ```
/// use wsguard_core::origin::{Origin, OriginDenial, Malformed};
/// let err = Origin::parse(b"https://app.example.com/").unwrap_err();
/// assert_eq!(err, OriginDenial::Malformed(Malformed::TrailingSlash));
/// assert_eq!(Malformed::TrailingSlash.code(), "trailing_slash");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Malformed {
    /// The value is empty.
    Empty,
    /// The value is longer than [`MAX_ORIGIN_LEN`] bytes.
    TooLong,
    /// No `scheme://` at the start.
    NoScheme,
    /// The scheme is empty or has characters a scheme cannot have.
    BadScheme,
    /// `user@` or `user:pass@` before the host.
    Userinfo,
    /// A path after the host.
    Path,
    /// A lone `/` after the host.
    TrailingSlash,
    /// A `?query`.
    Query,
    /// A `#fragment`.
    Fragment,
    /// Spaces or tabs.
    Whitespace,
    /// Control bytes (below 0x20 or 0x7f).
    Control,
    /// A `%` (percent-encoding) in the host.
    Percent,
    /// A backslash.
    Backslash,
    /// A byte outside ASCII (IDNs must arrive as punycode `xn--`).
    NonAscii,
    /// Nothing between `://` and the port or the end.
    EmptyHost,
    /// A character a host name cannot have.
    BadHost,
    /// An IPv4 address not written as the canonical dotted quad.
    Ipv4Noncanonical,
    /// An IPv6 address not written in bracketed RFC 5952 form.
    Ipv6Noncanonical,
    /// An IPv6 zone id (`%eth0`).
    ZoneId,
    /// The host ends with a dot.
    TrailingDot,
    /// Two dots in a row or a leading dot.
    EmptyLabel,
    /// A host label longer than 63 bytes.
    LabelTooLong,
    /// A host longer than 253 bytes.
    HostTooLong,
    /// A `:` with no port after it.
    PortEmpty,
    /// The port has characters other than digits.
    PortInvalid,
    /// Port 0.
    PortZero,
    /// A port above 65535.
    PortRange,
    /// A port with leading zeros (`:0443`).
    PortLeadingZero,
}

impl Malformed {
    /// Stable sub-code, e.g. `"path"`, `"ipv4_noncanonical"`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::Malformed::ZoneId.code(), "zone_id");
    /// ```
    pub const fn code(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty => "empty",
            TooLong => "too_long",
            NoScheme => "no_scheme",
            BadScheme => "bad_scheme",
            Userinfo => "userinfo",
            Path => "path",
            TrailingSlash => "trailing_slash",
            Query => "query",
            Fragment => "fragment",
            Whitespace => "whitespace",
            Control => "control",
            Percent => "percent",
            Backslash => "backslash",
            NonAscii => "non_ascii",
            EmptyHost => "empty_host",
            BadHost => "bad_host",
            Ipv4Noncanonical => "ipv4_noncanonical",
            Ipv6Noncanonical => "ipv6_noncanonical",
            ZoneId => "zone_id",
            TrailingDot => "trailing_dot",
            EmptyLabel => "empty_label",
            LabelTooLong => "label_too_long",
            HostTooLong => "host_too_long",
            PortEmpty => "port_empty",
            PortInvalid => "port_invalid",
            PortZero => "port_zero",
            PortRange => "port_range",
            PortLeadingZero => "port_leading_zero",
        }
    }

    /// Parses a sub-code back (for bindings and vector runners).
    ///
    /// ```
    /// use wsguard_core::origin::Malformed;
    /// assert_eq!(Malformed::from_code("path"), Some(Malformed::Path));
    /// ```
    pub fn from_code(code: &str) -> Option<Malformed> {
        ALL_MALFORMED.iter().copied().find(|m| m.code() == code)
    }

    /// One sentence saying what is wrong.
    pub const fn reason(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty => "the value is empty; an origin is scheme://host[:port]",
            TooLong => "the value is longer than 512 bytes, far longer than any real origin",
            NoScheme => "the value has no `scheme://` prefix (e.g. `example.com` or `localhost:3000`); an origin always starts with its scheme",
            BadScheme => "the scheme before `://` is empty or has characters a URL scheme cannot have",
            Userinfo => "the value has a user name or password (`user@host`); an origin never carries credentials",
            Path => "the value names a path (`https://app.example.com/app`); browsers send only scheme://host[:port]",
            TrailingSlash => "the value ends with `/` (`https://app.example.com/`); browsers send only scheme://host[:port], without a slash",
            Query => "the value has a `?query`; browsers send only scheme://host[:port]",
            Fragment => "the value has a `#fragment`; browsers send only scheme://host[:port]",
            Whitespace => "the value contains spaces or tabs; a serialized origin never does",
            Control => "the value contains control bytes (below 0x20 or 0x7f)",
            Percent => "the host contains `%` (percent-encoding); browsers send hosts decoded and in punycode",
            Backslash => "the value contains a backslash; browsers never send one in an origin",
            NonAscii => "the value contains non-ASCII bytes; browsers send international domain names as punycode (`xn--…`)",
            EmptyHost => "there is no host after `://`",
            BadHost => "the host contains a character a host name cannot have (only letters, digits, `-`, `_` and `.`)",
            Ipv4Noncanonical => "the IPv4 address is not the canonical dotted quad (short, integer, hex, octal, zero-padded or out of range)",
            Ipv6Noncanonical => "the IPv6 address is not the bracketed RFC 5952 form browsers send (`[::1]`, `[2001:db8::1]`)",
            ZoneId => "the IPv6 address has a zone id (`%eth0`); origins never carry one",
            TrailingDot => "the host ends with a dot (`example.com.`); browsers send it without",
            EmptyLabel => "the host has an empty label (a leading dot or two dots in a row)",
            LabelTooLong => "a host label is longer than 63 bytes, the DNS limit",
            HostTooLong => "the host is longer than 253 bytes, the DNS limit",
            PortEmpty => "there is a `:` after the host but no port",
            PortInvalid => "the port contains characters other than digits",
            PortZero => "the port is 0, which no server listens on",
            PortRange => "the port is above 65535",
            PortLeadingZero => "the port has leading zeros (`:08080`); browsers never send them",
        }
    }

    /// What to write instead.
    pub const fn remedy(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty | NoScheme | BadScheme => "send (or configure) a full origin such as `https://app.example.com` or `http://localhost:3000`",
            TooLong => "send the page's origin only: scheme://host[:port]",
            Userinfo => "remove `user@` / `user:password@` from the origin",
            Path | TrailingSlash | Query | Fragment => "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
            Whitespace | Control => "remove the spaces and control characters around or inside the origin",
            Percent | Backslash | BadHost => "write the host as the browser shows it in the address bar, e.g. `app.example.com`",
            NonAscii => "write international domain names in punycode, e.g. `https://xn--bcher-kva.example`",
            EmptyHost | EmptyLabel => "write a complete host name such as `app.example.com`",
            Ipv4Noncanonical => "write the IPv4 address as four decimal numbers without leading zeros, e.g. `127.0.0.1`",
            Ipv6Noncanonical | ZoneId => "write the IPv6 address in brackets, compressed and without zone id, e.g. `http://[::1]:3000`",
            TrailingDot => "remove the dot at the end of the host",
            LabelTooLong | HostTooLong => "use a real DNS host name (labels up to 63 bytes, 253 in total)",
            PortEmpty | PortInvalid | PortZero | PortRange | PortLeadingZero => "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
        }
    }
}

impl Diagnostic for Malformed {
    fn code(&self) -> &'static str {
        Malformed::code(self)
    }
    fn reason(&self) -> &'static str {
        Malformed::reason(self)
    }
    fn remedy(&self) -> &'static str {
        Malformed::remedy(self)
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

const ALL_MALFORMED: [Malformed; 28] = {
    use Malformed::*;
    [
        Empty,
        TooLong,
        NoScheme,
        BadScheme,
        Userinfo,
        Path,
        TrailingSlash,
        Query,
        Fragment,
        Whitespace,
        Control,
        Percent,
        Backslash,
        NonAscii,
        EmptyHost,
        BadHost,
        Ipv4Noncanonical,
        Ipv6Noncanonical,
        ZoneId,
        TrailingDot,
        EmptyLabel,
        LabelTooLong,
        HostTooLong,
        PortEmpty,
        PortInvalid,
        PortZero,
        PortRange,
        PortLeadingZero,
    ]
};

/// The default port of a scheme: `http`/`ws` 80, `https`/`wss` 443, others none.
///
/// ```
/// use wsguard_core::origin::default_port;
/// assert_eq!(default_port("HTTPS"), Some(443));
/// assert_eq!(default_port("chrome-extension"), None);
/// ```
pub fn default_port(scheme: &str) -> Option<u16> {
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws") {
        Some(80)
    } else if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss") {
        Some(443)
    } else {
        None
    }
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
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix.as_bytes()))
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

/// Splits `scheme://rest`.
pub(crate) fn split_scheme(s: &str) -> Result<(&str, &str), Malformed> {
    let colon = s.find(':').ok_or(Malformed::NoScheme)?;
    let (scheme, rest) = s.split_at(colon);
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
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(end);
    if auth.contains('@') {
        return Err(Malformed::Userinfo);
    }
    match tail.as_bytes().first() {
        None => {}
        Some(b'/') if tail.len() == 1 => return Err(Malformed::TrailingSlash),
        Some(b'/') => return Err(Malformed::Path),
        Some(b'?') => return Err(Malformed::Query),
        _ => return Err(Malformed::Fragment),
    }
    if auth.contains('\\') {
        return Err(Malformed::Backslash);
    }
    Ok(auth)
}

/// Splits `host[:port]` (host may be bracketed IPv6). Returns the host (with brackets)
/// and the raw port text, unvalidated.
pub(crate) fn split_host_port(auth: &str) -> Result<(&str, Option<&str>), Malformed> {
    if auth.starts_with('[') {
        let close = auth.find(']').ok_or(Malformed::Ipv6Noncanonical)?;
        let (host, after) = auth.split_at(close + 1);
        if after.is_empty() {
            Ok((host, None))
        } else if let Some(p) = after.strip_prefix(':') {
            Ok((host, Some(p)))
        } else {
            Err(Malformed::Ipv6Noncanonical)
        }
    } else {
        match auth.find(':') {
            None => Ok((auth, None)),
            Some(i) => {
                let (host, after) = auth.split_at(i);
                let port = after.get(1..).unwrap_or("");
                if port.contains(':') {
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
    if p.is_empty() {
        return Err(Malformed::PortEmpty);
    }
    if !p.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Malformed::PortInvalid);
    }
    if p.len() > 1 && p.starts_with('0') {
        return Err(Malformed::PortLeadingZero);
    }
    if p.len() > 5 {
        return Err(Malformed::PortRange);
    }
    let mut v: u32 = 0;
    for c in p.bytes() {
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
        if inner.contains('%') {
            return Err(Malformed::ZoneId);
        }
        check_ipv6(inner)?;
        return Ok(HostKind::Ipv6);
    }
    if host.contains('%') {
        return Err(Malformed::Percent);
    }
    validate_domain(host)
}

fn validate_domain(host: &str) -> Result<HostKind, Malformed> {
    if host.is_empty() {
        return Err(Malformed::EmptyHost);
    }
    if host.len() > 253 {
        return Err(Malformed::HostTooLong);
    }
    if host.ends_with('.') {
        return Err(Malformed::TrailingDot);
    }
    let mut last = "";
    for label in host.split('.') {
        if label.is_empty() {
            return Err(Malformed::EmptyLabel);
        }
        if label.len() > 63 {
            return Err(Malformed::LabelTooLong);
        }
        if !label
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            return Err(Malformed::BadHost);
        }
        last = label;
    }
    if is_numeric_label(last) {
        if is_canonical_ipv4(host) {
            Ok(HostKind::Ipv4)
        } else {
            Err(Malformed::Ipv4Noncanonical)
        }
    } else {
        Ok(HostKind::Domain)
    }
}

/// WHATWG: a host whose last label is a number (decimal or `0x` hex) is an IPv4 address.
fn is_numeric_label(l: &str) -> bool {
    if let Some(hex) = l.strip_prefix("0x").or_else(|| l.strip_prefix("0X")) {
        hex.bytes().all(|c| c.is_ascii_hexdigit())
    } else {
        !l.is_empty() && l.bytes().all(|c| c.is_ascii_digit())
    }
}

fn is_canonical_ipv4(host: &str) -> bool {
    let mut n = 0;
    for part in host.split('.') {
        n += 1;
        if n > 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if part.len() > 1 && part.starts_with('0') {
            return false;
        }
        let v = part.bytes().fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
        if v > 255 {
            return false;
        }
    }
    n == 4
}

fn parse_groups(s: &str, out: &mut [u16; 8], at: &mut usize) -> Result<(), Malformed> {
    if s.is_empty() {
        return Ok(());
    }
    for g in s.split(':') {
        if g.is_empty() || g.len() > 4 || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(Malformed::Ipv6Noncanonical);
        }
        let slot = out.get_mut(*at).ok_or(Malformed::Ipv6Noncanonical)?;
        *slot = u16::from_str_radix(g, 16).map_err(|_| Malformed::Ipv6Noncanonical)?;
        *at += 1;
    }
    Ok(())
}

/// Parses the text inside the brackets and requires it to equal its RFC 5952 form.
fn check_ipv6(inner: &str) -> Result<(), Malformed> {
    let mut groups = [0u16; 8];
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut nh, mut nt) = (0usize, 0usize);
    match inner.find("::") {
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

/// Is this value a list of origins (`a, b` or `a b`)? Every token must look like an
/// origin (`null` or containing `://`), so `https://a .com` stays a whitespace error.
fn looks_like_list(v: &str) -> bool {
    let mut n = 0;
    for tok in v.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        if tok != "null" && !tok.contains("://") {
            return false;
        }
        n += 1;
    }
    n >= 2
}

/// What an [`Origin`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OriginKind {
    /// `scheme://host[:port]`.
    Tuple,
    /// The opaque origin `null`.
    Null,
    /// No Origin header at all.
    Missing,
}

/// A well-formed origin, borrowed from the header value.
///
/// ```
/// use wsguard_core::origin::Origin;
/// let o = Origin::parse(b"HTTPS://App.Example.com:443").unwrap();
/// assert_eq!(o.scheme(), "HTTPS");
/// assert_eq!(o.host(), "App.Example.com");
/// assert_eq!(o.port(), Some(443));
/// assert_eq!(o.explicit_port(), None); // default port elided
/// assert_eq!(o.as_str(), "HTTPS://App.Example.com:443");
/// // Display is the normalised serialization:
/// # extern crate std; use std::string::ToString;
/// assert_eq!(o.to_string(), "https://app.example.com");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Origin<'o> {
    raw: &'o str,
    scheme: &'o str,
    host: &'o str,
    port: Option<u16>,
    kind: OriginKind,
}

impl<'o> Origin<'o> {
    /// The opaque origin `null`.
    pub const NULL: Origin<'static> = Origin {
        raw: "null",
        scheme: "",
        host: "",
        port: None,
        kind: OriginKind::Null,
    };
    /// Stands for an absent Origin header.
    pub const MISSING: Origin<'static> = Origin {
        raw: "",
        scheme: "",
        host: "",
        port: None,
        kind: OriginKind::Missing,
    };

    /// Parses one Origin header value strictly (RFC 6454 serialization), without any
    /// policy: `null` gives [`Origin::NULL`]; lists give [`OriginDenial::Multiple`](super::OriginDenial::Multiple);
    /// anything else that is not `scheme://host[:port]` gives
    /// [`OriginDenial::Malformed`](super::OriginDenial::Malformed) with the exact sub-reason.
    ///
    /// Scheme and host are case-insensitive; an explicit default port (`:443` for https)
    /// is accepted and normalised away.
    ///
    /// ```
    /// use wsguard_core::origin::{Origin, OriginDenial, Malformed};
    /// assert!(Origin::parse(b"https://app.example.com").is_ok());
    /// assert_eq!(Origin::parse(b"https://a.com, https://b.com"), Err(OriginDenial::Multiple));
    /// assert_eq!(Origin::parse(b"http://127.1"), Err(OriginDenial::Malformed(Malformed::Ipv4Noncanonical)));
    /// ```
    pub fn parse(value: &'o [u8]) -> Result<Origin<'o>, super::OriginDenial> {
        use super::OriginDenial;
        if value.is_empty() {
            return Err(OriginDenial::Malformed(Malformed::Empty));
        }
        if value.len() > MAX_ORIGIN_LEN {
            return Err(OriginDenial::Malformed(Malformed::TooLong));
        }
        if value == b"null" {
            return Ok(Origin::NULL);
        }
        // Only ASCII can be a list; non-ASCII is reported by scan_bytes below.
        if let Ok(s) = core::str::from_utf8(value) {
            if looks_like_list(s) {
                return Err(OriginDenial::Multiple);
            }
        }
        scan_bytes(value).map_err(OriginDenial::Malformed)?;
        let s = core::str::from_utf8(value)
            .map_err(|_| OriginDenial::Malformed(Malformed::NonAscii))?;
        Self::parse_tuple(s).map_err(OriginDenial::Malformed)
    }

    fn parse_tuple(s: &'o str) -> Result<Origin<'o>, Malformed> {
        let (scheme, rest) = split_scheme(s)?;
        let auth = split_authority(rest)?;
        let (host, _, port) = parse_authority(auth)?;
        Ok(Origin {
            raw: s,
            scheme,
            host,
            port,
            kind: OriginKind::Tuple,
        })
    }

    /// Tuple, `null` or missing.
    pub fn kind(&self) -> OriginKind {
        self.kind
    }
    /// `true` for the opaque origin `null`.
    pub fn is_null(&self) -> bool {
        self.kind == OriginKind::Null
    }
    /// `true` when this stands for an absent Origin header.
    pub fn is_missing(&self) -> bool {
        self.kind == OriginKind::Missing
    }
    /// The header value exactly as received (`"null"` for null, `""` when missing).
    /// This is what CORS echoes in `Access-Control-Allow-Origin`.
    pub fn as_str(&self) -> &'o str {
        self.raw
    }
    /// The scheme as received (compare case-insensitively); empty unless a tuple.
    pub fn scheme(&self) -> &'o str {
        self.scheme
    }
    /// The host as received, IPv6 with brackets (`[::1]`); empty unless a tuple.
    pub fn host(&self) -> &'o str {
        self.host
    }
    /// The effective port: the explicit one, else the scheme's default; `None` for
    /// schemes without a default and no port, and for null/missing.
    pub fn port(&self) -> Option<u16> {
        self.port.or_else(|| {
            if self.kind == OriginKind::Tuple {
                default_port(self.scheme)
            } else {
                None
            }
        })
    }
    /// The port written in the value, with an explicit default port removed.
    pub fn explicit_port(&self) -> Option<u16> {
        normalise_port(self.scheme, self.port)
    }
}

impl fmt::Display for Origin<'_> {
    /// The normalised serialization: lowercase scheme and host, default port elided.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        match self.kind {
            OriginKind::Missing => Ok(()),
            OriginKind::Null => f.write_str("null"),
            OriginKind::Tuple => {
                for c in self
                    .scheme
                    .chars()
                    .chain("://".chars())
                    .chain(self.host.chars())
                {
                    f.write_char(c.to_ascii_lowercase())?;
                }
                match self.explicit_port() {
                    Some(p) => write!(f, ":{p}"),
                    None => Ok(()),
                }
            }
        }
    }
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

    #[test]
    fn sub_codes_round_trip() {
        for m in ALL_MALFORMED {
            assert_eq!(Malformed::from_code(m.code()), Some(m));
        }
    }
}
