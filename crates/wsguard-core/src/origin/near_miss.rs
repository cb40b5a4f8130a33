//! Near misses: which allowed entry comes closest to a refused Origin or Host, and why
//! it does not match.
//!
//! A denial code (`origin_host`) says *that* the Origin is not allowed; a [`NearMiss`]
//! says *which* entry was meant and what to write instead — the `ws://` entry where the
//! page sends `http://`, the same host on another port (with the port-list syntax that
//! allows both), the apex where only `*.` subdomains are allowed, `http` against
//! `https`, a trailing slash. Nothing allocates: [`NearMiss`] borrows the entry and the
//! value and formats the sentence with `core::fmt`.
//!
//! ```
//! use wsguard_core::origin::{near_miss_origin, NearMissKind};
//! use wsguard_core::Diagnostic;
//! # extern crate std; use std::string::ToString;
//! let entries = ["ws://localhost:8000"];
//! let m = near_miss_origin(&entries, b"http://localhost:5173").unwrap();
//! assert_eq!(m.kind, NearMissKind::WsScheme);
//! assert_eq!(m.entry, "ws://localhost:8000");
//! assert_eq!(m.suggestion().to_string(), "http://localhost:5173");
//! assert_eq!(m.code(), "near_ws_scheme");
//! ```

use super::authority::{ends_with_ci, eq_ci, parse_port, split_host_port};
use super::malformed::Malformed;
use super::parse::{Origin, OriginKind};
use super::pattern::{is_ws_scheme, HostPattern, Pattern, PortPattern};
use super::OriginDenial;
use crate::Diagnostic;
use core::fmt;

/// Why the closest entry does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NearMissKind {
    /// The entry is `ws://`/`wss://` for this host: the socket's address, not the page's.
    WsScheme,
    /// The client sent `Origin: ws://…`; browsers send the page's `http(s)://` origin.
    WsOrigin,
    /// Host and port match, the scheme differs (`http` against `https`).
    Scheme,
    /// Scheme and host match, the port differs.
    Port,
    /// The entry is `*.example.com` (subdomains only); the value is the apex.
    ApexNotCovered,
    /// The entry is the apex `example.com`; the value is a subdomain of it.
    SubdomainNotCovered,
    /// The value ends with `/`; without it, the entry matches.
    TrailingSlash,
}

crate::diag::diagnostics! {
    NearMissKind in "wsguard_core::origin" display {
    }
    WsScheme => {
        code: "near_ws_scheme",
        reason: "the allowed entry is the socket's `ws://` address; a browser page sends its own `http(s)://` origin, never `ws://`",
        remedy: "allow the page's origin (as `location.origin` shows it) instead of the socket's address",
    },
    WsOrigin => {
        code: "near_ws_origin",
        reason: "the client sent a `ws://` Origin; browsers send the page's `http(s)://` origin",
        remedy: "send the page's origin (`http://` or `https://`) as Origin from non-browser clients",
    },
    Scheme => {
        code: "near_scheme",
        reason: "the allowed entry names this host and port with the other scheme (`http` against `https`)",
        remedy: "serve the page over the allowed scheme, or allow the origin with this scheme too",
    },
    Port => {
        code: "near_port",
        reason: "the allowed entry names this scheme and host on another port",
        remedy: "allow both ports with a port list, or this exact origin",
    },
    ApexNotCovered => {
        code: "near_apex",
        reason: "`*.` covers subdomains only, never the domain itself",
        remedy: "allow the apex origin too",
    },
    SubdomainNotCovered => {
        code: "near_subdomain",
        reason: "the entry allows the domain itself, not its subdomains",
        remedy: "allow the subdomains with `*.` or list this exact origin",
    },
    TrailingSlash => {
        code: "near_trailing_slash",
        reason: "the value ends with `/`; an origin never has a path, not even `/`",
        remedy: "send the origin without the trailing `/`",
    },
}

/// What the fix should read: a whole value, or an entry widened to a port list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Fix<'a> {
    /// Write this value as the entry (the page's origin, or `host:port`).
    Value(&'a str),
    /// `scheme://host:[ports,port]`.
    PortList {
        scheme: &'a str,
        host: &'a str,
        ports: PortsText<'a>,
        add: u16,
    },
    /// `scheme://*.host[:port]` (the entry's port part kept as written).
    Wildcard { scheme: &'a str, host: &'a str },
    /// `host:*` (Host allowlist: any port).
    AnyPort(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum PortsText<'a> {
    One(u16),
    List(&'a str),
}

/// The closest allowed entry to a refused value, and why it does not match.
///
/// `Display` writes one sentence naming the entry, the value and what to write
/// (`` `ws://localhost:8000` is the socket's address … allow `http://localhost:5173` ``).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NearMiss<'a> {
    /// Why the entry does not match.
    pub kind: NearMissKind,
    /// The closest entry, as written.
    pub entry: &'a str,
    /// The refused value, as received.
    pub value: &'a str,
    fix: Fix<'a>,
}

/// The entry text a [`NearMiss`] suggests (`Display`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggested<'a>(Fix<'a>);

impl fmt::Display for Suggested<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Fix::Value(v) => f.write_str(v),
            Fix::PortList {
                scheme,
                host,
                ports,
                add,
            } => {
                write!(f, "{scheme}://{host}:[")?;
                match ports {
                    PortsText::One(p) => write!(f, "{p}")?,
                    PortsText::List(l) => f.write_str(l)?,
                }
                write!(f, ",{add}]")
            }
            Fix::Wildcard { scheme, host } => write!(f, "{scheme}://*.{host}"),
            Fix::AnyPort(host) => write!(f, "{host}:*"),
        }
    }
}

impl<'a> NearMiss<'a> {
    /// What to write (an entry for the allowlist, or the value to send for
    /// [`NearMissKind::TrailingSlash`] / [`NearMissKind::WsOrigin`]).
    pub fn suggestion(&self) -> Suggested<'a> {
        Suggested(self.fix)
    }
}

impl Diagnostic for NearMiss<'_> {
    fn code(&self) -> &'static str {
        self.kind.code()
    }
    fn reason(&self) -> &'static str {
        self.kind.reason()
    }
    fn remedy(&self) -> &'static str {
        self.kind.remedy()
    }
}

impl fmt::Display for NearMiss<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, v, s) = (self.entry, self.value, self.suggestion());
        match self.kind {
            NearMissKind::WsScheme => write!(f, "closest allowed entry `{e}` is the socket's address, not a page's origin: browsers send the page's origin (here `{v}`), never `ws://`; allow `{s}`"),
            NearMissKind::WsOrigin => write!(f, "`{v}` is a `ws://` Origin, which browsers never send; closest allowed entry `{e}`; send `{s}`"),
            NearMissKind::Scheme => write!(f, "closest allowed entry `{e}` has the other scheme than `{v}` (http against https); serve the page over the allowed scheme or allow `{s}`"),
            NearMissKind::Port => write!(f, "closest allowed entry `{e}` names the same host on another port than `{v}`; allow both with `{s}`"),
            NearMissKind::ApexNotCovered => write!(f, "closest allowed entry `{e}` covers subdomains only, not `{v}` itself; also allow `{s}`"),
            NearMissKind::SubdomainNotCovered => write!(f, "closest allowed entry `{e}` allows the domain itself, not its subdomain `{v}`; allow `{s}` or the exact origin"),
            NearMissKind::TrailingSlash => write!(f, "`{v}` ends with `/` (an origin has no path); without it, allowed entry `{e}` matches: send `{s}`"),
        }
    }
}

/// Lower is closer.
fn rank(kind: NearMissKind) -> u8 {
    match kind {
        NearMissKind::TrailingSlash => 0,
        NearMissKind::WsScheme => 1,
        NearMissKind::WsOrigin => 2,
        NearMissKind::Scheme => 3,
        NearMissKind::Port => 4,
        NearMissKind::ApexNotCovered => 5,
        NearMissKind::SubdomainNotCovered => 6,
    }
}

fn keep<'a>(best: &mut Option<NearMiss<'a>>, cand: NearMiss<'a>) {
    if best.map_or(true, |b| rank(cand.kind) < rank(b.kind)) {
        *best = Some(cand);
    }
}

/// `sub` is a strict subdomain of `apex`.
fn is_subdomain(sub: &str, apex: &str) -> bool {
    sub.len() > apex.len() + 1
        && ends_with_ci(sub, apex)
        && sub.as_bytes().get(sub.len() - apex.len() - 1) == Some(&b'.')
}

/// The near miss of one parsed entry against a tuple origin.
fn against<'a>(p: &Pattern<'a>, o: &Origin<'a>, value: &'a str) -> Option<NearMiss<'a>> {
    if p.is_any() {
        return None;
    }
    let ws_entry = is_ws_scheme(p.scheme());
    let ws_origin = is_ws_scheme(o.scheme());
    let (entry, page) = (p.as_str(), o.as_str());
    let miss = |kind, fix| NearMiss {
        kind,
        entry,
        value,
        fix,
    };
    if p.host_matches(o.host()) {
        if ws_entry {
            return Some(miss(NearMissKind::WsScheme, Fix::Value(page)));
        }
        let port_ok = p.port_matches(o);
        if ws_origin {
            let exact = matches!(p.host(), HostPattern::Exact(_)) && port_ok;
            return exact.then(|| miss(NearMissKind::WsOrigin, Fix::Value(entry)));
        }
        let scheme_ok = p.scheme_matches(o.scheme());
        if !scheme_ok && port_ok {
            return Some(miss(NearMissKind::Scheme, Fix::Value(page)));
        }
        if scheme_ok && !port_ok {
            let (HostPattern::Exact(host) | HostPattern::Subdomain(host)) = p.host() else {
                return None;
            };
            let ports = match p.port() {
                PortPattern::Exact(n) => PortsText::One(n),
                PortPattern::List(l) => PortsText::List(l),
                PortPattern::Default => PortsText::One(p.default_port()?),
                PortPattern::Any => return None,
            };
            let fix = match (p.host(), o.port()) {
                (HostPattern::Exact(_), Some(add)) => Fix::PortList {
                    scheme: p.scheme(),
                    host,
                    ports,
                    add,
                },
                _ => Fix::Value(page),
            };
            return Some(miss(NearMissKind::Port, fix));
        }
        return None;
    }
    if !p.scheme_matches(o.scheme()) || !p.port_matches(o) {
        return None;
    }
    match p.host() {
        HostPattern::Subdomain(apex) if eq_ci(apex, o.host()) => {
            Some(miss(NearMissKind::ApexNotCovered, Fix::Value(page)))
        }
        HostPattern::Exact(apex)
            if is_subdomain(o.host(), apex) && p.port() == PortPattern::Default =>
        {
            Some(miss(
                NearMissKind::SubdomainNotCovered,
                Fix::Wildcard {
                    scheme: p.scheme(),
                    host: apex,
                },
            ))
        }
        _ => None,
    }
}

/// The closest of `entries` (raw allowed-origin strings, `ws://` ones included) to a
/// refused Origin value, or `None` when no entry comes close (or the value is allowed,
/// `null`, or not an origin at all).
///
/// ```
/// use wsguard_core::origin::{near_miss_origin, NearMissKind};
/// # extern crate std; use std::string::ToString;
/// let entries = ["http://localhost:3000", "https://*.example.com"];
/// let port = near_miss_origin(&entries, b"http://localhost:5173").unwrap();
/// assert_eq!(port.kind, NearMissKind::Port);
/// assert_eq!(port.suggestion().to_string(), "http://localhost:[3000,5173]");
/// let apex = near_miss_origin(&entries, b"https://example.com").unwrap();
/// assert_eq!(apex.kind, NearMissKind::ApexNotCovered);
/// ```
pub fn near_miss_origin<'a>(entries: &[&'a str], value: &'a [u8]) -> Option<NearMiss<'a>> {
    near_miss_in(entries.iter().copied(), value)
}

pub(crate) fn near_miss_in<'a>(
    entries: impl Iterator<Item = &'a str> + Clone,
    value: &'a [u8],
) -> Option<NearMiss<'a>> {
    let parsed = |raw: &'a str| Pattern::parse_any_scheme(raw).ok();
    match Origin::parse(value) {
        Ok(o) if o.kind() == OriginKind::Tuple => {
            let text = o.as_str();
            let mut best = None;
            for raw in entries {
                let Some(p) = parsed(raw) else { continue };
                if p.matches(&o) && !is_ws_scheme(p.scheme()) {
                    return None;
                }
                if let Some(m) = against(&p, &o, text) {
                    keep(&mut best, m);
                }
            }
            best
        }
        Err(OriginDenial::Malformed(Malformed::TrailingSlash)) => {
            let stripped = value.strip_suffix(b"/")?;
            let o = Origin::parse(stripped).ok()?;
            let whole = core::str::from_utf8(value).ok()?;
            entries
                .filter_map(parsed)
                .find(|p| p.matches(&o) && !is_ws_scheme(p.scheme()))
                .map(|p| NearMiss {
                    kind: NearMissKind::TrailingSlash,
                    entry: p.as_str(),
                    value: whole,
                    fix: Fix::Value(o.as_str()),
                })
        }
        _ => None,
    }
}

/// The closest Host allowlist entry to a refused `Host` value: the same name on
/// another port (fix: `name:*` or the exact `name:port`), the apex where only `*.`
/// subdomains are listed, a subdomain where only the apex is.
///
/// ```
/// use wsguard_core::origin::{near_miss_host, NearMissKind};
/// # extern crate std; use std::string::ToString;
/// let m = near_miss_host(&["localhost:8000"], b"localhost:8001").unwrap();
/// assert_eq!(m.kind, NearMissKind::Port);
/// assert_eq!(m.suggestion().to_string(), "localhost:*");
/// assert_eq!(near_miss_host(&["*.example.com"], b"example.com").unwrap().kind, NearMissKind::ApexNotCovered);
/// ```
pub fn near_miss_host<'a>(entries: &[&'a str], value: &'a [u8]) -> Option<NearMiss<'a>> {
    near_miss_host_in(entries.iter().copied(), value)
}

/// [`near_miss_host`] over any list of entries (a [`HostPolicy`](super::HostPolicy)'s,
/// borrowed or stored).
pub(crate) fn near_miss_host_in<'a>(
    entries: impl IntoIterator<Item = &'a str>,
    value: &'a [u8],
) -> Option<NearMiss<'a>> {
    let text = core::str::from_utf8(value).ok()?;
    let (host, port) = split_host_port(text).ok()?;
    let port = match port {
        Some(p) => Some(parse_port(p).ok()?),
        None => None,
    };
    let mut best = None;
    for entry in entries {
        let Ok((ehost, eport)) = split_host_port(entry) else {
            continue;
        };
        let miss = |kind, fix| NearMiss {
            kind,
            entry,
            value: text,
            fix,
        };
        let port_ok = match (eport, port) {
            (Some("*"), _) => true,
            (None, None) => true,
            (None, Some(p)) => p == 80 || p == 443,
            (Some(e), p) => match parse_port(e) {
                Ok(n) => p == Some(n) || (p.is_none() && (n == 80 || n == 443)),
                Err(_) => false,
            },
        };
        match ehost.strip_prefix("*.") {
            Some(apex) if eq_ci(apex, host) && port_ok => keep(
                &mut best,
                miss(NearMissKind::ApexNotCovered, Fix::Value(text)),
            ),
            Some(_) => {}
            None if eq_ci(ehost, host) && !port_ok => {
                keep(&mut best, miss(NearMissKind::Port, Fix::AnyPort(ehost)))
            }
            None if eq_ci(ehost, host) => return None,
            None if is_subdomain(host, ehost) && port_ok => keep(
                &mut best,
                miss(NearMissKind::SubdomainNotCovered, Fix::Value(text)),
            ),
            None => {}
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    fn o(
        entries: &[&'static str],
        v: &'static str,
    ) -> Option<(NearMissKind, String, &'static str)> {
        near_miss_origin(entries, v.as_bytes())
            .map(|m| (m.kind, m.suggestion().to_string(), m.entry))
    }

    #[test]
    fn origin_near_misses() {
        use NearMissKind::*;
        let list = [
            "ws://localhost:8000",
            "https://app.example.com",
            "https://*.corp.example",
            "http://dev.example:3000",
            "https://shop.example",
        ];
        assert_eq!(
            o(&list, "http://localhost:5173"),
            Some((
                WsScheme,
                "http://localhost:5173".into(),
                "ws://localhost:8000"
            ))
        );
        assert_eq!(
            o(&list, "http://app.example.com"),
            Some((
                Scheme,
                "http://app.example.com".into(),
                "https://app.example.com"
            ))
        );
        assert_eq!(
            o(&list, "https://app.example.com:8443"),
            Some((
                Port,
                "https://app.example.com:[443,8443]".into(),
                "https://app.example.com"
            ))
        );
        assert_eq!(
            o(&list, "http://dev.example:5173"),
            Some((
                Port,
                "http://dev.example:[3000,5173]".into(),
                "http://dev.example:3000"
            ))
        );
        assert_eq!(
            o(&list, "https://corp.example"),
            Some((
                ApexNotCovered,
                "https://corp.example".into(),
                "https://*.corp.example"
            ))
        );
        assert_eq!(
            o(&list, "https://www.shop.example"),
            Some((
                SubdomainNotCovered,
                "https://*.shop.example".into(),
                "https://shop.example"
            ))
        );
        assert_eq!(
            o(&list, "https://app.example.com/"),
            Some((
                TrailingSlash,
                "https://app.example.com".into(),
                "https://app.example.com"
            ))
        );
        assert_eq!(
            o(&list, "ws://app.example.com:443"),
            Some((
                WsOrigin,
                "https://app.example.com".into(),
                "https://app.example.com"
            ))
        );
        // allowed, unrelated, null and missing: no near miss
        assert_eq!(o(&list, "https://app.example.com"), None);
        assert_eq!(o(&list, "https://evil.test"), None);
        assert_eq!(o(&list, "https://evil-example.com"), None);
        assert_eq!(o(&list, "null"), None);
        assert_eq!(
            o(&["*"], "https://a.test/"),
            Some((TrailingSlash, "https://a.test".into(), "*"))
        );
    }

    #[test]
    fn display_names_entry_value_and_fix() {
        let m = near_miss_origin(&["ws://localhost:8000"], b"http://localhost:5173").unwrap();
        let s = m.to_string();
        assert!(
            s.contains("`ws://localhost:8000`") && s.contains("allow `http://localhost:5173`"),
            "{s}"
        );
        let m = near_miss_origin(&["http://localhost:3000"], b"http://localhost:5173").unwrap();
        assert!(m
            .to_string()
            .ends_with("allow both with `http://localhost:[3000,5173]`"));
    }

    #[test]
    fn host_near_misses() {
        use NearMissKind::*;
        let h = |e: &[&'static str], v: &'static str| {
            near_miss_host(e, v.as_bytes()).map(|m| (m.kind, m.suggestion().to_string()))
        };
        assert_eq!(
            h(&["localhost:8000"], "localhost:8001"),
            Some((Port, "localhost:*".into()))
        );
        assert_eq!(
            h(&["example.com"], "example.com:8443"),
            Some((Port, "example.com:*".into()))
        );
        assert_eq!(
            h(&["*.example.com"], "example.com"),
            Some((ApexNotCovered, "example.com".into()))
        );
        assert_eq!(
            h(&["example.com"], "api.example.com"),
            Some((SubdomainNotCovered, "api.example.com".into()))
        );
        assert_eq!(h(&["example.com"], "example.com:443"), None);
        assert_eq!(h(&["example.com"], "other.test"), None);
    }
}
