//! Target `origin`: the Origin header parser and the policy check, differential against
//! a small reference parser written from the rules (RFC 6454 serialization, WHATWG host
//! parsing), using only `std`'s address parsers.
//!
//! Input: the raw Origin header value. The same bytes are also tried as a Host header
//! (Host allowlist), as an allowed-origin pattern, and, split on `\n`, as several Origin
//! headers.
//!
//! Verdicts compared on every input: accepted or refused, and for accepted values the
//! normalised serialization (lowercase scheme and host, default port elided) and the
//! effective port. The refusal *reason* (sub-code) is not compared: the reference only
//! knows "valid or not".
//!
//! Deliberate differences: none. (The reference encodes the same decisions the core
//! documents: explicit default ports accepted and elided, `null` only in lowercase,
//! IPv4 must be the canonical dotted quad when the last label is numeric — including
//! the WHATWG `0x` hex form, where a bare `0x` counts as a number —, IPv6 only as
//! bracketed RFC 5952 text without embedded IPv4 or zone id.)

use crate::util::check_diagnostic;
use std::net::{Ipv4Addr, Ipv6Addr};
use wsguard_core::origin::{
    HostPolicy, Origin, OriginDenial, OriginKind, OriginPolicy, Pattern, Preset, MAX_ORIGIN_LEN,
};

/// What the reference thinks of an Origin value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefOrigin {
    /// `null`.
    Null,
    /// A tuple, normalised.
    Tuple {
        /// Lowercase scheme.
        scheme: String,
        /// Lowercase host (IPv6 with brackets).
        host: String,
        /// The port written, if it is not the scheme's default.
        explicit_port: Option<u16>,
        /// The effective port (explicit, else the scheme's default).
        port: Option<u16>,
    },
}

impl RefOrigin {
    /// The normalised serialization.
    pub fn serialize(&self) -> String {
        match self {
            RefOrigin::Null => "null".into(),
            RefOrigin::Tuple { scheme, host, explicit_port, .. } => match explicit_port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            },
        }
    }
}

fn scheme_default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// RFC 5952 text of an IPv6 address, computed from its 8 groups (no embedded IPv4).
fn rfc5952(addr: &Ipv6Addr) -> String {
    let g = addr.segments();
    // longest run of at least two zero groups; the first one on ties
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        let start = i;
        while i < 8 && g[i] == 0 {
            i += 1;
        }
        if i - start >= 2 && i - start > best_len {
            best = start;
            best_len = i - start;
        }
        if i == start {
            i += 1;
        }
    }
    let hex = |s: &[u16]| s.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":");
    if best == usize::MAX {
        hex(&g)
    } else {
        format!("{}::{}", hex(&g[..best]), hex(&g[best + best_len..]))
    }
}

fn ref_host(host: &str) -> Option<String> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        let addr: Ipv6Addr = inner.parse().ok()?;
        return (rfc5952(&addr).eq_ignore_ascii_case(inner)).then(|| host.to_ascii_lowercase());
    }
    if host.is_empty() || host.len() > 253 || host.ends_with('.') {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    for l in &labels {
        if l.is_empty() || l.len() > 63 {
            return None;
        }
        if !l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
            return None;
        }
    }
    let last = labels[labels.len() - 1];
    let numeric = match last.strip_prefix("0x").or_else(|| last.strip_prefix("0X")) {
        Some(hex) => hex.bytes().all(|c| c.is_ascii_hexdigit()),
        None => last.bytes().all(|c| c.is_ascii_digit()),
    };
    if numeric {
        // WHATWG: an IPv4 address; we accept only its canonical dotted-quad text
        let v4: Ipv4Addr = host.parse().ok()?;
        return (v4.to_string() == host).then(|| host.to_string());
    }
    Some(host.to_ascii_lowercase())
}

fn ref_port(p: &str) -> Option<u16> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if p.len() > 1 && p.starts_with('0') {
        return None;
    }
    let v: u32 = p.parse().ok()?;
    (1..=65535).contains(&v).then_some(v as u16)
}

/// The reference Origin parser: `Some` when the value is a valid serialized origin.
pub fn reference_parse(value: &[u8]) -> Option<RefOrigin> {
    if value.is_empty() || value.len() > MAX_ORIGIN_LEN {
        return None;
    }
    if value == b"null" {
        return Some(RefOrigin::Null);
    }
    if !value.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
        return None;
    }
    let s = std::str::from_utf8(value).ok()?;
    let sep = s.find("://")?;
    let (scheme, auth) = (&s[..sep], &s[sep + 3..]);
    let mut sb = scheme.bytes();
    if !sb.next()?.is_ascii_alphabetic()
        || !sb.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return None;
    }
    if auth.contains(['/', '?', '#', '@', '\\', '%']) {
        return None;
    }
    let (host, port) = if auth.starts_with('[') {
        let close = auth.find(']')?;
        let (h, after) = auth.split_at(close + 1);
        match after {
            "" => (h, None),
            _ => (h, Some(after.strip_prefix(':')?)),
        }
    } else {
        let mut parts = auth.split(':');
        let h = parts.next()?;
        let p = parts.next();
        if parts.next().is_some() {
            return None;
        }
        (h, p)
    };
    let host = ref_host(host)?;
    let port = match port {
        None => None,
        Some(p) => Some(ref_port(p)?),
    };
    let scheme = scheme.to_ascii_lowercase();
    let default = scheme_default_port(&scheme);
    let explicit_port = port.filter(|p| Some(*p) != default);
    Some(RefOrigin::Tuple { port: port.or(default), scheme, host, explicit_port })
}

const PATTERNS: [&str; 4] = [
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://[::1]:[3000,8000]",
];

/// The target body.
pub fn fuzz_origin(data: &[u8]) {
    // 1. parser against the reference
    let core = Origin::parse(data);
    let reference = reference_parse(data);
    match (&core, &reference) {
        (Ok(o), Some(r)) => {
            assert_eq!(o.to_string(), r.serialize(), "normalised origin differs for {data:?}");
            let rport = match r {
                RefOrigin::Tuple { port, .. } => *port,
                RefOrigin::Null => None,
            };
            assert_eq!(o.port(), rport, "effective port differs for {data:?}");
            assert_eq!(o.is_null(), *r == RefOrigin::Null);
            assert_eq!(o.as_str().as_bytes(), data, "as_str is not the raw value");
        }
        (Err(e), None) => {
            check_diagnostic(e);
            assert!((400..500).contains(&e.http_status()));
        }
        (Ok(o), None) => panic!("core accepts {data:?} as {o}, the reference refuses it"),
        (Err(e), Some(r)) => {
            panic!("core refuses {data:?} ({e:?}), the reference accepts it as {}", r.serialize())
        }
    }

    // 2. policy checks whose outcome the reference predicts
    let exact = [Pattern::parse(PATTERNS[0]).expect("pattern")];
    let wild = [Pattern::parse(PATTERNS[1]).expect("pattern")];
    let tuple = match &reference {
        Some(RefOrigin::Tuple { scheme, host, port, .. }) => Some((scheme.as_str(), host.as_str(), *port)),
        _ => None,
    };
    let want_exact = tuple == Some(("https", "app.example.com", Some(443)));
    let got = OriginPolicy::new(&exact).check(Some(data));
    assert_eq!(got.is_ok(), want_exact, "exact policy on {data:?}: {got:?}");
    let want_wild = matches!(tuple, Some(("https", h, Some(443))) if h.len() > 12 && h.ends_with(".example.com"));
    let got = OriginPolicy::new(&wild).check(Some(data));
    assert_eq!(got.is_ok(), want_wild, "wildcard policy on {data:?}: {got:?}");
    if let Err(e) = &got {
        check_diagnostic(e);
    }
    let nullable = OriginPolicy::new(&[]).allow_null(true);
    assert_eq!(nullable.check(Some(data)).is_ok(), reference == Some(RefOrigin::Null));
    assert_eq!(OriginPolicy::new(&[]).check(None), Err(OriginDenial::Missing));
    assert_eq!(
        OriginPolicy::new(&[]).allow_missing(true).check(None).map(|o| o.kind()),
        Ok(OriginKind::Missing)
    );

    // 3. every pattern, the development preset, several headers
    let all: Vec<Pattern> = PATTERNS.iter().map(|p| Pattern::parse(p).expect("pattern")).collect();
    let dev_hosts = ["frontend:3000", "api"];
    let dev = OriginPolicy::new(&all).preset(Preset::Development).dev_hosts(&dev_hosts);
    let r = dev.check(Some(data));
    if let Ok(o) = &r {
        assert!(reference.is_some(), "dev policy accepted {data:?} ({o:?})");
    } else if let Err(e) = &r {
        check_diagnostic(e);
    }
    if let Ok(o) = &core {
        // a pattern admits exactly the same origins as `matches`
        for p in &all {
            let one = [*p];
            assert_eq!(OriginPolicy::new(&one).check_origin(o).is_ok(), p.matches(o));
        }
    }
    let values: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let many = OriginPolicy::new(&all).check_values(&values);
    if values.len() == 1 {
        assert_eq!(many, OriginPolicy::new(&all).check(Some(data)));
    } else {
        assert_eq!(many, Err(OriginDenial::Multiple));
    }

    // 4. the same bytes as a Host header and as a pattern
    let hosts = HostPolicy::new(&["app.example.com", "*.example.org:8443", "localhost:*", "[::1]"]);
    for h in [hosts, HostPolicy::new(&[])] {
        if let Err(e) = h.check(data) {
            check_diagnostic(&e);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        match Pattern::parse(text) {
            Ok(p) => {
                let shown = p.to_string();
                let again = Pattern::parse(&shown);
                assert!(again.is_ok(), "pattern {text:?} displays as {shown:?}, which does not parse: {again:?}");
                if let Ok(o) = &core {
                    let _ = p.matches(o);
                }
                for probe in ["https://app.example.com", "http://localhost:5173", "http://[::1]:8000"] {
                    let o = Origin::parse(probe.as_bytes()).expect("probe");
                    let q = again.expect("checked above");
                    assert_eq!(p.matches(&o), q.matches(&o), "pattern {text:?} and its Display {shown:?} disagree on {probe}");
                }
            }
            Err(e) => check_diagnostic(&e),
        }
    }
}
