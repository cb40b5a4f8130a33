//! Allowed-origin patterns: exact origins, `*.` subdomain wildcards, port wildcards and
//! port lists, and `*`.

use super::authority::{
    default_port, ends_with_ci, eq_ci, find_byte, normalise_port, parse_port, parse_port_bytes,
    scan_bytes, split_authority, split_host_port, split_scheme, validate_host, HostKind,
};
use super::malformed::Malformed;
use super::parse::{Origin, OriginKind, MAX_ORIGIN_LEN};
use core::fmt;

/// The host part of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HostPattern<'a> {
    /// `*` alone: any origin.
    Any,
    /// One host, compared case-insensitively (IPv6 with brackets).
    Exact(&'a str),
    /// `*.suffix`: one or more labels below `suffix` (never `suffix` itself).
    Subdomain(&'a str),
}

/// The port part of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PortPattern<'a> {
    /// No port (or the scheme's default port written out): the default port only.
    Default,
    /// One explicit, non-default port.
    Exact(u16),
    /// `:*`: any port, the default port included.
    Any,
    /// `:[3000,5173]`: the text between the brackets, already validated.
    List(&'a str),
}

/// One allowed-origin pattern, parsed and checked once. `Copy`, borrows the string and
/// is cheap to re-parse.
///
/// | pattern | matches |
/// |---|---|
/// | `https://app.example.com` | exactly that origin (also `:443` written out) |
/// | `chrome-extension://abcdef` | exactly that origin (any scheme) |
/// | `https://*.example.com` | `https://a.example.com`, `https://a.b.example.com` — not `https://example.com`, not `https://evil-example.com` |
/// | `http://localhost:*` | `http://localhost` on any port, default included |
/// | `http://localhost:[3000,5173]` | those two ports |
/// | `*` | any well-formed `scheme://host[:port]` origin (not `null`, not a missing header) |
///
/// ```
/// use wsguard_core::origin::{Pattern, Origin};
/// let p = Pattern::parse("https://*.example.com").unwrap();
/// assert!(p.matches(&Origin::parse(b"https://api.example.com").unwrap()));
/// assert!(!p.matches(&Origin::parse(b"https://example.com").unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Pattern<'a> {
    raw: &'a str,
    scheme: &'a str,
    host: HostPattern<'a>,
    port: PortPattern<'a>,
}

/// Why a pattern string is not a valid pattern.
///
/// ```
/// use wsguard_core::origin::{Pattern, PatternError, Malformed};
/// use wsguard_core::Diagnostic;
/// assert_eq!(Pattern::parse("https://a.com/"), Err(PatternError::Malformed(Malformed::TrailingSlash)));
/// assert_eq!(Pattern::parse("example.com").unwrap_err().code(), "pattern_no_scheme");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PatternError {
    /// The pattern is empty.
    Empty,
    /// `null` is not a pattern; it is the `allow_null` option.
    Null,
    /// No `scheme://` (e.g. `example.com`, `.example.com`, `localhost:3000`).
    NoScheme,
    /// `ws://` or `wss://`: the socket's address, not a page's origin. Browsers send the
    /// page's `http(s)://` origin, so such an entry never matches a browser.
    WsScheme,
    /// A `*` anywhere but `*` alone or a leading `*.` label, or a wildcard over an IP.
    Wildcard,
    /// A `:[...]` port list that is empty or holds an invalid port.
    PortList,
    /// The rest is malformed the same way an Origin header can be.
    Malformed(Malformed),
}

impl PatternError {
    /// The malformation sub-reason, when that is the error.
    pub fn malformed(&self) -> Option<Malformed> {
        match self {
            PatternError::Malformed(m) => Some(*m),
            _ => None,
        }
    }
}

crate::diag::diagnostics! {
    PatternError in "wsguard_core::origin" display {
    }
    Empty => {
        code: "pattern_empty",
        reason: "the allowed-origin entry is empty",
        remedy: "remove the empty entry",
    },
    Null => {
        code: "pattern_null",
        reason: "`null` in the allowed-origin list is not a pattern; sandboxed iframes and file:// pages send `Origin: null`",
        remedy: "remove `null` from the list and set `allow_null` only if you really serve sandboxed or file:// pages",
    },
    NoScheme => {
        code: "pattern_no_scheme",
        reason: "the allowed-origin entry has no scheme (`example.com`); browsers send `https://example.com`",
        remedy: "write the origin with its scheme: `https://example.com` (or `https://*.example.com` for subdomains, `http://localhost:3000` in development)",
    },
    WsScheme => {
        code: "pattern_ws_scheme",
        reason: super::lint::WS_SCHEME_REASON,
        remedy: super::lint::WS_SCHEME_REMEDY,
    },
    Wildcard => {
        code: "pattern_wildcard",
        reason: "a `*` may only stand alone (`*`), as the first label (`https://*.example.com`) or as the port (`:*`)",
        remedy: "write `https://*.example.com` for subdomains or `http://localhost:*` for any port",
    },
    PortList => {
        code: "pattern_port_list",
        reason: "the port list must be `:[3000,5173]`: ports from 1 to 65535, comma-separated, no spaces",
        remedy: "write the ports like `http://localhost:[3000,5173]`",
    },
    Malformed(m) => {
        example: Self::Malformed(Malformed::Empty),
        code: "pattern_malformed",
        reason: m.reason(),
        remedy: m.remedy(),
    },
}

/// `ws` or `wss`, any case.
pub(crate) fn is_ws_scheme(scheme: &str) -> bool {
    eq_ci(scheme, "ws") || eq_ci(scheme, "wss")
}

pub(crate) fn for_each_list_port(list: &str, mut f: impl FnMut(u16) -> bool) -> bool {
    for p in list.as_bytes().split(|&c| c == b',') {
        if let Ok(p) = parse_port_bytes(p) {
            if f(p) {
                return true;
            }
        }
    }
    false
}

impl<'a> Pattern<'a> {
    /// `*`: any well-formed tuple origin.
    pub const ANY: Pattern<'static> = Pattern {
        raw: "*",
        scheme: "",
        host: HostPattern::Any,
        port: PortPattern::Any,
    };

    pub(crate) const fn from_parts(
        raw: &'a str,
        scheme: &'a str,
        host: HostPattern<'a>,
        port: PortPattern<'a>,
    ) -> Self {
        Pattern {
            raw,
            scheme,
            host,
            port,
        }
    }

    /// Parses a pattern (see the table on [`Pattern`]). `ws://` and `wss://` entries are
    /// refused ([`PatternError::WsScheme`]): no browser sends them, so a policy holding
    /// one would refuse the page it was meant for without saying why.
    ///
    /// ```
    /// use wsguard_core::origin::{Pattern, PatternError};
    /// assert!(Pattern::parse("http://localhost:[3000,5173]").is_ok());
    /// assert_eq!(Pattern::parse("https://a*.example.com"), Err(PatternError::Wildcard));
    /// assert_eq!(Pattern::parse("ws://localhost:8000"), Err(PatternError::WsScheme));
    /// ```
    pub fn parse(raw: &'a str) -> Result<Pattern<'a>, PatternError> {
        let p = Self::parse_any_scheme(raw)?;
        if is_ws_scheme(p.scheme) {
            return Err(PatternError::WsScheme);
        }
        Ok(p)
    }

    /// [`parse`](Self::parse) that keeps `ws://`/`wss://` entries (the near-miss
    /// explanation and the linter compare them with the page's origin).
    pub(crate) fn parse_any_scheme(raw: &'a str) -> Result<Pattern<'a>, PatternError> {
        if raw.is_empty() {
            return Err(PatternError::Empty);
        }
        if raw == "*" {
            return Ok(Pattern {
                raw,
                ..Pattern::ANY
            });
        }
        if raw.eq_ignore_ascii_case("null") {
            return Err(PatternError::Null);
        }
        if raw.len() > MAX_ORIGIN_LEN {
            return Err(PatternError::Malformed(Malformed::TooLong));
        }
        scan_bytes(raw.as_bytes()).map_err(PatternError::Malformed)?;
        let (scheme, rest) = split_scheme(raw).map_err(|e| match e {
            Malformed::NoScheme => PatternError::NoScheme,
            e => PatternError::Malformed(e),
        })?;
        if find_byte(scheme, b"*").is_some() {
            return Err(PatternError::Wildcard);
        }
        let auth = split_authority(rest).map_err(PatternError::Malformed)?;
        // The port list contains no ':' so split_host_port works on it too.
        let (host, port_text) = split_host_port(auth).map_err(PatternError::Malformed)?;
        let (host, wildcard) = match host.strip_prefix("*.") {
            Some(suffix) => (suffix, true),
            None => (host, false),
        };
        if find_byte(host, b"*").is_some() {
            return Err(PatternError::Wildcard);
        }
        let kind = validate_host(host).map_err(PatternError::Malformed)?;
        if wildcard && kind != HostKind::Domain {
            return Err(PatternError::Wildcard);
        }
        let port = match port_text {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) if p.starts_with('[') => {
                let list = p
                    .strip_prefix('[')
                    .and_then(|p| p.strip_suffix(']'))
                    .ok_or(PatternError::PortList)?;
                if list.is_empty()
                    || list
                        .as_bytes()
                        .split(|&c| c == b',')
                        .any(|x| parse_port_bytes(x).is_err())
                {
                    return Err(PatternError::PortList);
                }
                PortPattern::List(list)
            }
            Some(p) if find_byte(p, b"*").is_some() => return Err(PatternError::Wildcard),
            Some(p) => {
                let n = parse_port(p).map_err(PatternError::Malformed)?;
                match normalise_port(scheme, Some(n)) {
                    None => PortPattern::Default,
                    Some(n) => PortPattern::Exact(n),
                }
            }
        };
        let host = if wildcard {
            HostPattern::Subdomain(host)
        } else {
            HostPattern::Exact(host)
        };
        Ok(Pattern {
            raw,
            scheme,
            host,
            port,
        })
    }

    /// The pattern text as given.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }
    /// The scheme as written (empty for `*`).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }
    /// The host part.
    pub fn host(&self) -> HostPattern<'a> {
        self.host
    }
    /// The port part.
    pub fn port(&self) -> PortPattern<'a> {
        self.port
    }
    /// `true` for `*`.
    pub fn is_any(&self) -> bool {
        self.host == HostPattern::Any
    }

    pub(crate) fn scheme_matches(&self, scheme: &str) -> bool {
        self.is_any() || eq_ci(self.scheme, scheme)
    }

    pub(crate) fn host_matches(&self, host: &str) -> bool {
        match self.host {
            HostPattern::Any => true,
            HostPattern::Exact(h) => eq_ci(h, host),
            HostPattern::Subdomain(s) => {
                host.len() > s.len() + 1
                    && ends_with_ci(host, s)
                    && host.as_bytes().get(host.len() - s.len() - 1) == Some(&b'.')
                    && !host.starts_with('[')
            }
        }
    }

    /// Port comparison on the origin's effective port. A pattern without port also
    /// accepts an origin without port whatever its scheme, so `http://a.com` against
    /// `https://a.com` counts as "same port, other scheme" (and so does
    /// `http://a.com:443`).
    pub(crate) fn port_matches(&self, origin: &Origin<'_>) -> bool {
        self.port_matches_parts(origin.port(), origin.explicit_port())
    }

    /// [`port_matches`](Self::port_matches) on the origin's effective port and explicit
    /// (non-default) port, computed once by the caller for all patterns.
    pub(crate) fn port_matches_parts(&self, effective: Option<u16>, explicit: Option<u16>) -> bool {
        match self.port {
            PortPattern::Any => true,
            PortPattern::Default => {
                explicit.is_none() || (effective.is_some() && effective == self.default_port())
            }
            PortPattern::Exact(n) => effective == Some(n),
            PortPattern::List(list) => match effective {
                Some(eff) => for_each_list_port(list, |p| p == eff),
                None => false,
            },
        }
    }

    /// Does this pattern allow `origin`? `null` and missing origins never match a pattern.
    ///
    /// ```
    /// use wsguard_core::origin::{Pattern, Origin};
    /// let p = Pattern::parse("http://localhost:*").unwrap();
    /// assert!(p.matches(&Origin::parse(b"http://localhost").unwrap()));
    /// assert!(p.matches(&Origin::parse(b"http://LOCALHOST:5173").unwrap()));
    /// ```
    pub fn matches(&self, origin: &Origin<'_>) -> bool {
        origin.kind() == OriginKind::Tuple
            && self.scheme_matches(origin.scheme())
            && self.host_matches(origin.host())
            && self.port_matches(origin)
    }

    /// The default port of this pattern's scheme.
    pub(crate) fn default_port(&self) -> Option<u16> {
        default_port(self.scheme)
    }

    /// Same set of origins (after normalisation of case and default ports)?
    pub(crate) fn same_as(&self, other: &Pattern<'_>) -> bool {
        self.covers(other) && other.covers(self)
    }

    /// Does every origin `other` allows also pass `self`?
    pub(crate) fn covers(&self, other: &Pattern<'_>) -> bool {
        if self.is_any() {
            return true;
        }
        if other.is_any() || !self.scheme.eq_ignore_ascii_case(other.scheme) {
            return false;
        }
        let host_ok = match (self.host, other.host) {
            (HostPattern::Exact(a), HostPattern::Exact(b)) => a.eq_ignore_ascii_case(b),
            (HostPattern::Subdomain(_), HostPattern::Exact(b)) => self.host_matches(b),
            (HostPattern::Subdomain(a), HostPattern::Subdomain(b)) => {
                a.eq_ignore_ascii_case(b) || self.host_matches(b)
            }
            _ => false,
        };
        if !host_ok {
            return false;
        }
        let dflt = self.default_port();
        let in_self = |p: u16| match self.port {
            PortPattern::Any => true,
            PortPattern::Default => Some(p) == dflt,
            PortPattern::Exact(n) => n == p,
            PortPattern::List(l) => for_each_list_port(l, |x| x == p),
        };
        match other.port {
            PortPattern::Any => self.port == PortPattern::Any,
            PortPattern::Default => match dflt {
                Some(d) => in_self(d),
                None => matches!(self.port, PortPattern::Any | PortPattern::Default),
            },
            PortPattern::Exact(n) => in_self(n),
            PortPattern::List(l) => !for_each_list_port(l, |p| !in_self(p)),
        }
    }
}

impl fmt::Display for Pattern<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern<'_> {
        Pattern::parse(s).unwrap()
    }

    #[test]
    fn parse_shapes() {
        assert_eq!(p("https://A.com:443").port(), PortPattern::Default);
        assert_eq!(p("https://a.com:8443").port(), PortPattern::Exact(8443));
        assert_eq!(
            p("http://localhost:[3000,5173]").port(),
            PortPattern::List("3000,5173")
        );
        assert_eq!(
            p("https://*.example.com").host(),
            HostPattern::Subdomain("example.com")
        );
        assert_eq!(
            Pattern::parse("http://localhost:[]"),
            Err(PatternError::PortList)
        );
        assert_eq!(
            Pattern::parse("http://localhost:[0]"),
            Err(PatternError::PortList)
        );
        assert_eq!(
            Pattern::parse("http://localhost:3*"),
            Err(PatternError::Wildcard)
        );
        assert_eq!(
            Pattern::parse("https://*.*.com"),
            Err(PatternError::Wildcard)
        );
        assert_eq!(
            Pattern::parse("https://*.1.2.3.4"),
            Err(PatternError::Wildcard)
        );
        assert_eq!(
            Pattern::parse("*://a.com"),
            Err(PatternError::Malformed(Malformed::BadScheme))
        );
        assert_eq!(Pattern::parse("NULL"), Err(PatternError::Null));
        assert_eq!(Pattern::parse(".example.com"), Err(PatternError::NoScheme));
        assert_eq!(
            Pattern::parse("https://a.com:0"),
            Err(PatternError::Malformed(Malformed::PortZero))
        );
    }

    #[test]
    fn covers_and_same() {
        assert!(p("https://A.com:443").same_as(&p("https://a.com")));
        assert!(p("https://*.a.com").covers(&p("https://x.a.com")));
        assert!(p("https://*.a.com").covers(&p("https://*.x.a.com")));
        assert!(!p("https://*.a.com").covers(&p("https://a.com")));
        assert!(p("http://l:*").covers(&p("http://l:[1,2]")));
        assert!(p("http://l:[80,3000]").covers(&p("http://l")));
        assert!(!p("http://l:[1,2]").covers(&p("http://l:*")));
        assert!(p("*").covers(&p("http://l")));
        assert!(!p("http://l").covers(&p("*")));
        assert!(!p("http://l").covers(&p("https://l")));
    }
}
