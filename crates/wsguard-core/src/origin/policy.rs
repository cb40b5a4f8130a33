//! The Origin policy: one decision for the WebSocket Origin check and for HTTP CORS.

use super::list::{HostList, PatternList};
use super::malformed::Malformed;
use super::near_miss::{near_miss_in, NearMiss};
use super::parse::{Origin, OriginKind};
use super::pattern::Pattern;
use super::presets::{dev_host_match, Preset};

/// Why an Origin was refused. Every variant has its own stable code.
///
/// ```
/// use wsguard_core::origin::{OriginPolicy, OriginDenial, Pattern};
/// use wsguard_core::Diagnostic;
/// let patterns = [Pattern::parse("https://app.example.com").unwrap()];
/// let policy = OriginPolicy::new(&patterns);
/// let denial = policy.check(Some(b"http://app.example.com")).unwrap_err();
/// assert_eq!(denial, OriginDenial::Scheme);
/// assert_eq!(denial.code(), "origin_scheme");
/// assert_eq!(denial.http_status(), 403);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OriginDenial {
    /// No Origin header and `allow_missing` is off (`origin_missing`).
    Missing,
    /// `Origin: null` and `allow_null` is off (`origin_null`).
    Null,
    /// Several Origin headers, or one holding a comma- or space-separated list (`origin_multiple`).
    Multiple,
    /// Not a serialized origin; the sub-reason says what is wrong (`origin_malformed`).
    Malformed(Malformed),
    /// Host and port match a pattern but the scheme differs (`origin_scheme`).
    Scheme,
    /// Scheme and host match a pattern but the port differs (`origin_port`).
    Port,
    /// Well-formed, but no pattern names this host (`origin_host`).
    Host,
}

impl OriginDenial {
    /// The malformation sub-reason for [`OriginDenial::Malformed`].
    ///
    /// ```
    /// use wsguard_core::origin::{Origin, Malformed};
    /// let d = Origin::parse(b"https://a.com/x").unwrap_err();
    /// assert_eq!(d.malformed(), Some(Malformed::Path));
    /// assert_eq!(d.malformed().unwrap().code(), "path");
    /// ```
    pub fn malformed(&self) -> Option<Malformed> {
        match self {
            OriginDenial::Malformed(m) => Some(*m),
            _ => None,
        }
    }
}

crate::diag::diagnostics! {
    OriginDenial in "wsguard_core::origin" display {
        /// The HTTP status to answer with: always 403 Forbidden.
        ///
        /// ```
        /// assert_eq!(wsguard_core::origin::OriginDenial::Null.http_status(), 403);
        /// ```
        pub fn http_status(&self) -> u16;
    }
    Missing => {
        code: "origin_missing",
        reason: "the request has no Origin header; browsers always send one on WebSocket upgrades, so this client is not a browser page",
        remedy: "send an Origin header from non-browser clients, or set `allow_missing` if such clients are expected",
        http_status: 403,
    },
    Null => {
        code: "origin_null",
        reason: "the Origin header is `null` (sandboxed iframe, file:// page, data: URL or a redirect); such pages cannot be identified",
        remedy: "serve the page from a real origin; set `allow_null` only if you trust every sandboxed or file:// page",
        http_status: 403,
    },
    Multiple => {
        code: "origin_multiple",
        reason: "the request carries several Origin values (repeated header or a list); a browser sends exactly one",
        remedy: "send exactly one Origin header with one origin; check proxies that append instead of replace",
        http_status: 403,
    },
    Malformed(m) => {
        example: Self::Malformed(Malformed::Empty),
        code: "origin_malformed",
        reason: m.reason(),
        remedy: m.remedy(),
        http_status: 403,
    },
    Scheme => {
        code: "origin_scheme",
        reason: "the Origin's host and port are allowed, but with another scheme (e.g. the page is `http://` and only `https://` is allowed)",
        remedy: "serve the page over the allowed scheme (usually https), or add the exact origin with this scheme to the allowed origins",
        http_status: 403,
    },
    Port => {
        code: "origin_port",
        reason: "the Origin's scheme and host are allowed, but not on this port",
        remedy: "add the origin with this port (`http://localhost:5173`), a port list (`:[3000,5173]`) or `:*` to the allowed origins",
        http_status: 403,
    },
    Host => {
        code: "origin_host",
        reason: "the Origin's host is not in the allowed origins",
        remedy: "add the page's exact origin (as shown by `location.origin` in the browser console) to the allowed origins",
        http_status: 403,
    },
}

/// Which origins may open a WebSocket (and get CORS headers).
///
/// Built once, `Copy`, borrows its patterns: a slice the caller parsed (below), or the
/// stored parse of an owned policy ([`OwnedPolicy::origin_policy`](super::OwnedPolicy::origin_policy)).
/// An empty pattern list denies every origin (unless a preset or
/// `allow_null`/`allow_missing` says otherwise).
///
/// ```
/// use wsguard_core::origin::{OriginPolicy, Pattern, OriginDenial};
/// static PATTERNS: [&str; 2] = ["https://app.example.com", "https://*.example.com"];
/// let mut parsed = [Pattern::ANY; 2];
/// for (slot, raw) in parsed.iter_mut().zip(PATTERNS) { *slot = Pattern::parse(raw).unwrap(); }
/// let policy = OriginPolicy::new(&parsed).allow_null(false);
/// assert!(policy.check(Some(b"https://api.example.com")).is_ok());
/// assert_eq!(policy.check(Some(b"https://evil-example.com")), Err(OriginDenial::Host));
/// assert_eq!(policy.check(None), Err(OriginDenial::Missing));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OriginPolicy<'a> {
    patterns: PatternList<'a>,
    allow_null: bool,
    allow_missing: bool,
    preset: Preset,
    dev_hosts: HostList<'a>,
}

impl<'a> OriginPolicy<'a> {
    /// A policy allowing exactly `patterns` (production preset, no `null`, no missing Origin).
    ///
    /// ```
    /// let policy = wsguard_core::origin::OriginPolicy::new(&[]);
    /// assert!(policy.check(Some(b"https://a.com")).is_err());
    /// ```
    pub const fn new(patterns: &'a [Pattern<'a>]) -> Self {
        Self::from_list(PatternList::new(patterns))
    }

    /// A policy allowing the patterns of `list` (an owned policy's stored parse).
    pub(crate) const fn from_list(patterns: PatternList<'a>) -> Self {
        OriginPolicy {
            patterns,
            allow_null: false,
            allow_missing: false,
            preset: Preset::Production,
            dev_hosts: HostList::new(&[]),
        }
    }

    /// Accept `Origin: null` (off by default; `*` does not imply it).
    ///
    /// ```
    /// let p = wsguard_core::origin::OriginPolicy::new(&[]).allow_null(true);
    /// assert!(p.check(Some(b"null")).unwrap().is_null());
    /// ```
    pub const fn allow_null(mut self, allow: bool) -> Self {
        self.allow_null = allow;
        self
    }

    /// Accept requests without an Origin header (non-browser clients; off by default;
    /// `*` does not imply it).
    ///
    /// ```
    /// let p = wsguard_core::origin::OriginPolicy::new(&[]).allow_missing(true);
    /// assert!(p.check(None).unwrap().is_missing());
    /// ```
    pub const fn allow_missing(mut self, allow: bool) -> Self {
        self.allow_missing = allow;
        self
    }

    /// Selects what is allowed implicitly (see [`Preset`]).
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, Preset};
    /// let p = OriginPolicy::new(&[]).preset(Preset::Development);
    /// assert!(p.check(Some(b"http://[::1]:8080")).is_ok());
    /// ```
    pub const fn preset(mut self, preset: Preset) -> Self {
        self.preset = preset;
        self
    }

    /// Named container hosts allowed by the development preset (`frontend:3000`,
    /// `frontend`, `frontend:*`); ignored in production. Invalid entries never match.
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, Preset};
    /// let p = OriginPolicy::new(&[]).preset(Preset::Development).dev_hosts(&["web:8080"]);
    /// assert!(p.check(Some(b"http://web:8080")).is_ok());
    /// assert!(p.check(Some(b"http://web:8081")).is_err());
    /// ```
    pub const fn dev_hosts(mut self, hosts: &'a [&'a str]) -> Self {
        self.dev_hosts = HostList::new(hosts);
        self
    }

    /// [`dev_hosts`](Self::dev_hosts) from a list (an owned policy's stored entries).
    pub(crate) const fn dev_host_list(mut self, hosts: HostList<'a>) -> Self {
        self.dev_hosts = hosts;
        self
    }

    /// The patterns (a `Copy` list; [`PatternList::iter`](super::EntryList::iter) yields
    /// each [`Pattern`]).
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, Pattern};
    /// let parsed = [Pattern::parse("https://a.example").unwrap()];
    /// let policy = OriginPolicy::new(&parsed);
    /// assert_eq!(policy.patterns().iter().map(|p| p.as_str()).collect::<Vec<_>>(), ["https://a.example"]);
    /// ```
    pub fn patterns(&self) -> PatternList<'a> {
        self.patterns
    }

    /// Whether `null` is accepted.
    pub fn allows_null(&self) -> bool {
        self.allow_null
    }
    /// Whether a missing Origin is accepted.
    pub fn allows_missing(&self) -> bool {
        self.allow_missing
    }
    /// The preset.
    pub fn preset_kind(&self) -> Preset {
        self.preset
    }

    /// Checks one Origin header value (`None`: header absent).
    ///
    /// Returns the parsed origin when allowed ([`Origin::NULL`] / [`Origin::MISSING`] for
    /// the two explicit options), else the rule that failed.
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, OriginDenial, Pattern, Malformed};
    /// let patterns = [Pattern::parse("http://localhost:[3000,5173]").unwrap()];
    /// let policy = OriginPolicy::new(&patterns);
    /// assert_eq!(policy.check(Some(b"http://localhost:5173")).unwrap().port(), Some(5173));
    /// assert_eq!(policy.check(Some(b"http://localhost:8080")), Err(OriginDenial::Port));
    /// assert_eq!(policy.check(Some(b"http://localhost:3000/")), Err(OriginDenial::Malformed(Malformed::TrailingSlash)));
    /// ```
    pub fn check<'o>(&self, origin: Option<&'o [u8]>) -> Result<Origin<'o>, OriginDenial> {
        let Some(value) = origin else {
            return if self.allow_missing {
                Ok(Origin::MISSING)
            } else {
                Err(OriginDenial::Missing)
            };
        };
        let origin = Origin::parse(value)?;
        if origin.kind() == OriginKind::Null {
            return if self.allow_null {
                Ok(origin)
            } else {
                Err(OriginDenial::Null)
            };
        }
        self.check_origin(&origin).map(|()| origin)
    }

    /// Checks every Origin header of a request at once: none → as `check(None)`, one →
    /// as `check(Some(v))`, several → [`OriginDenial::Multiple`] (never the first or the last).
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, OriginDenial, Pattern};
    /// let policy = OriginPolicy::new(&[Pattern::ANY]);
    /// let two: [&[u8]; 2] = [b"https://a.com", b"https://a.com"];
    /// assert_eq!(policy.check_values(&two), Err(OriginDenial::Multiple));
    /// ```
    pub fn check_values<'o>(&self, values: &[&'o [u8]]) -> Result<Origin<'o>, OriginDenial> {
        match values {
            [] => self.check(None),
            [one] => self.check(Some(one)),
            _ => Err(OriginDenial::Multiple),
        }
    }

    /// `true` when [`check`](Self::check) would accept.
    ///
    /// ```
    /// let p = wsguard_core::origin::OriginPolicy::new(&[]);
    /// assert!(!p.is_allowed(Some(b"https://a.com")));
    /// ```
    pub fn is_allowed(&self, origin: Option<&[u8]>) -> bool {
        self.check(origin).is_ok()
    }

    /// Matches an already parsed tuple origin against patterns, preset and dev hosts.
    ///
    /// ```
    /// use wsguard_core::origin::{Origin, OriginDenial, OriginPolicy, Pattern};
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let policy = OriginPolicy::new(&allowed);
    /// let origin = Origin::parse(b"https://app.example.com").unwrap();
    /// assert_eq!(policy.check_origin(&origin), Ok(()));
    /// assert_eq!(policy.check_origin(&Origin::NULL), Err(OriginDenial::Null));
    /// ```
    pub fn check_origin(&self, origin: &Origin<'_>) -> Result<(), OriginDenial> {
        match origin.kind() {
            OriginKind::Missing => {
                return if self.allow_missing {
                    Ok(())
                } else {
                    Err(OriginDenial::Missing)
                }
            }
            OriginKind::Null => {
                return if self.allow_null {
                    Ok(())
                } else {
                    Err(OriginDenial::Null)
                }
            }
            OriginKind::Tuple => {}
        }
        let (mut scheme_near, mut port_near) = (false, false);
        let implicit = self.preset.patterns();
        // One pass; the host decides first (it is the most selective and both "near"
        // verdicts need it), the ports are computed once for every pattern.
        let (scheme, host) = (origin.scheme(), origin.host());
        let (effective, explicit) = (origin.port(), origin.explicit_port());
        for p in self.patterns.iter().chain(implicit.iter().copied()) {
            if !p.host_matches(host) {
                continue;
            }
            let s = p.scheme_matches(scheme);
            let pt = p.port_matches_parts(effective, explicit);
            if s && pt {
                return Ok(());
            }
            scheme_near |= pt;
            port_near |= s;
        }
        if self.preset == Preset::Development {
            for entry in self.dev_hosts.iter() {
                let (s, h, pt) = dev_host_match(entry, origin);
                if s && h && pt {
                    return Ok(());
                }
                scheme_near |= h && pt;
                port_near |= s && h;
            }
        }
        Err(if scheme_near {
            OriginDenial::Scheme
        } else if port_near {
            OriginDenial::Port
        } else {
            OriginDenial::Host
        })
    }
}

impl<'a> OriginPolicy<'a> {
    /// The allowed entry closest to a refused Origin value and why it does not match
    /// (see [`NearMiss`]); `None` when nothing comes close or the value is allowed.
    /// Explains a denial; not needed on the accept path.
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, Pattern, NearMissKind};
    /// # extern crate std; use std::string::ToString;
    /// let patterns = [Pattern::parse("http://localhost:3000").unwrap()];
    /// let policy = OriginPolicy::new(&patterns);
    /// let m = policy.near_miss(b"http://localhost:5173").unwrap();
    /// assert_eq!(m.kind, NearMissKind::Port);
    /// assert_eq!(m.suggestion().to_string(), "http://localhost:[3000,5173]");
    /// ```
    pub fn near_miss<'s>(&'s self, origin: &'s [u8]) -> Option<NearMiss<'s>> {
        let implicit = self.preset.patterns();
        near_miss_in(
            self.patterns
                .iter()
                .chain(implicit.iter().copied())
                .map(|p| p.as_str()),
            origin,
        )
    }
}

impl Default for OriginPolicy<'_> {
    fn default() -> Self {
        OriginPolicy::new(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Diagnostic;

    #[test]
    fn denial_classification() {
        let pats = [
            Pattern::parse("https://app.example.com").unwrap(),
            Pattern::parse("http://localhost:3000").unwrap(),
        ];
        let p = OriginPolicy::new(&pats);
        assert_eq!(
            p.check(Some(b"https://app.example.com:443"))
                .map(|o| o.explicit_port()),
            Ok(None)
        );
        assert_eq!(
            p.check(Some(b"http://app.example.com")),
            Err(OriginDenial::Scheme)
        );
        assert_eq!(
            p.check(Some(b"https://app.example.com:8443")),
            Err(OriginDenial::Port)
        );
        assert_eq!(
            p.check(Some(b"https://localhost:3000")),
            Err(OriginDenial::Scheme)
        );
        assert_eq!(
            p.check(Some(b"http://localhost:3001")),
            Err(OriginDenial::Port)
        );
        assert_eq!(
            p.check(Some(b"https://other.example.com")),
            Err(OriginDenial::Host)
        );
        assert_eq!(p.check(Some(b"null")), Err(OriginDenial::Null));
        assert_eq!(p.check(None), Err(OriginDenial::Missing));
        assert_eq!(p.check_values(&[b"a", b"b"]), Err(OriginDenial::Multiple));
    }

    #[test]
    fn star_implies_neither_null_nor_missing() {
        let p = OriginPolicy::new(&[Pattern::ANY]);
        assert!(p.check(Some(b"https://x.test:1")).is_ok());
        assert_eq!(p.check(Some(b"null")), Err(OriginDenial::Null));
        assert_eq!(p.check(None), Err(OriginDenial::Missing));
        let q = p.allow_null(true).allow_missing(true);
        assert!(q.check(Some(b"null")).unwrap().is_null());
        assert!(q.check(None).unwrap().is_missing());
    }

    #[test]
    fn codes_are_distinct() {
        use OriginDenial::*;
        let all = [
            Missing,
            Null,
            Multiple,
            Malformed(super::Malformed::Path),
            Scheme,
            Port,
            Host,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
            assert_eq!(a.http_status(), 403);
        }
    }
}
