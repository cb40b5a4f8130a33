//! An owned Origin + Host policy in fixed-capacity storage ([`heapless`]): every pattern is
//! copied in and parsed exactly once, when it is pushed.
//!
//! [`OriginPolicy`] and [`HostPolicy`] borrow their patterns, which is right for a
//! firmware `static` list and wrong for a server that reads its allowlist from a file:
//! the std adapter, the C binding and the Python binding each need to *own* the text and
//! keep the parse. [`PolicyBuf`] is that one owner. It stores the pattern text in a
//! `heapless::String<BYTES>` and, per pattern, the byte ranges the parser found (scheme,
//! host, port list), so a borrowed [`OriginPolicy`] view is rebuilt by slicing — no
//! re-parse, no allocation — each time [`PolicyBuf::with_policy`] is called.
//!
//! Capacity is the caller's: `N` entries per list (origin patterns, development hosts,
//! Host allowlist) and `BYTES` bytes of text in all. A full buffer is a typed error
//! ([`PolicyBufError`]), never a silent truncation.
//!
//! ```
//! use wsguard_core::origin::{OriginDenial, PolicyBuf};
//! let mut policy: PolicyBuf<8, 256> = PolicyBuf::new();
//! policy.push_pattern("https://*.example.com").unwrap();
//! policy.push_host("api.example.com").unwrap();
//! let verdict = policy.with_policy(|origins, _hosts| origins.check(Some(b"https://evil.test")));
//! assert_eq!(verdict, Err(OriginDenial::Host));
//! ```
//!
//! Stack: [`with_policy`](PolicyBuf::with_policy) builds the borrowed views in a
//! `heapless::Vec` of `N` patterns on the caller's stack (`N × size_of::<Pattern>()`,
//! 80 bytes per pattern on 64-bit targets); size `N` for the policy you actually hold.

use super::host::HostPolicy;
use super::pattern::{HostPattern, Pattern, PatternError, PortPattern};
use super::policy::OriginPolicy;
use super::presets::Preset;

/// A byte range of [`PolicyBuf`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoredHost {
    Any,
    Exact(Span),
    Subdomain(Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoredPort {
    Default,
    Exact(u16),
    Any,
    List(Span),
}

/// One parsed pattern, as ranges of the owner's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredPattern {
    raw: Span,
    scheme: Span,
    host: StoredHost,
    port: StoredPort,
}

/// Which list of a [`PolicyBuf`] an entry was pushed to.
///
/// ```
/// use wsguard_core::origin::PolicyList;
/// assert_eq!(PolicyList::Patterns.key(), "origin.allowed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PolicyList {
    /// Allowed-origin patterns.
    Patterns,
    /// Development-preset container hosts.
    DevHosts,
    /// The Host allowlist.
    Hosts,
}

impl PolicyList {
    /// The configuration key this list is read from (TOML/env config, Python, C).
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::PolicyList::Hosts.key(), "host.allowed");
    /// ```
    pub fn key(&self) -> &'static str {
        match self {
            PolicyList::Patterns => "origin.allowed",
            PolicyList::DevHosts => "origin.dev_hosts",
            PolicyList::Hosts => "host.allowed",
        }
    }
}

/// Why an entry could not be added to a [`PolicyBuf`].
///
/// ```
/// use wsguard_core::origin::{PolicyBuf, PolicyBufError};
/// use wsguard_core::Diagnostic;
/// let mut p: PolicyBuf<1, 64> = PolicyBuf::new();
/// p.push_pattern("https://a.example").unwrap();
/// let e = p.push_pattern("https://b.example").unwrap_err();
/// assert_eq!(e.code(), "policy_too_many_entries");
/// assert_eq!(p.push_pattern("example.com").unwrap_err().code(), "pattern_no_scheme");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PolicyBufError {
    /// The pattern is not valid; the policy is unchanged.
    Pattern(PatternError),
    /// The list already holds `N` entries.
    TooManyEntries(PolicyList),
    /// The text of all entries would exceed `BYTES`.
    TextFull(PolicyList),
    /// A Host or development-host entry holds a control character (CR, LF …): the core's
    /// `config_control_char`, with where it stands.
    Control(PolicyList, crate::text::ControlChar),
    /// A Host or development-host entry is empty or holds a space or a character no host
    /// can contain.
    BadHostEntry(PolicyList),
}

crate::diag::diagnostics! {
    PolicyBufError in "wsguard_core::origin" display {
    }
    Pattern(e) => {
        each: PatternError::ALL,
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    TooManyEntries(_) => {
        example: Self::TooManyEntries(PolicyList::Patterns),
        code: "policy_too_many_entries",
        reason: "the policy already holds as many entries as its storage was sized for",
        remedy: "size the policy storage for the list (more entries or more bytes), or use `*.` wildcards and port lists to shorten it",
    },
    TextFull(_) => {
        example: Self::TextFull(PolicyList::Patterns),
        code: "policy_text_full",
        reason: "the entries' text does not fit the storage the policy was sized for",
        remedy: "size the policy storage for the list (more entries or more bytes), or use `*.` wildcards and port lists to shorten it",
    },
    Control(_, e) => {
        example: Self::Control(PolicyList::Hosts, crate::text::ControlChar { offset: 0, byte: b'\r' }),
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    BadHostEntry(_) => {
        example: Self::BadHostEntry(PolicyList::Hosts),
        code: "policy_bad_host_entry",
        reason: "a Host allowlist entry is empty or holds a space, a control character or a character no host name contains",
        remedy: "write each entry as `host`, `host:port`, `host:*` or `*.domain` with nothing else on the line",
    },
}

/// An owned Origin policy and Host allowlist: `N` entries per list, `BYTES` bytes of text.
///
/// Build it once (at start-up, from configuration), share it by reference, and take a
/// borrowed view per request with [`with_policy`](Self::with_policy).
///
/// ```
/// use wsguard_core::origin::{PolicyBuf, Preset};
/// let mut p: PolicyBuf<4, 128> = PolicyBuf::new();
/// p.push_pattern("http://localhost:[3000,5173]").unwrap();
/// p.set_preset(Preset::Development);
/// assert!(p.with_policy(|o, _| o.check(Some(b"http://localhost:5173")).is_ok()));
/// assert_eq!(p.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct PolicyBuf<const N: usize, const BYTES: usize> {
    text: heapless::String<BYTES>,
    patterns: heapless::Vec<StoredPattern, N>,
    dev_hosts: heapless::Vec<Span, N>,
    hosts: heapless::Vec<Span, N>,
    allow_null: bool,
    allow_missing: bool,
    preset: Preset,
}

impl<const N: usize, const BYTES: usize> Default for PolicyBuf<N, BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

/// Offset of `part` within `base`. The parser returns sub-slices of its input, except
/// for empty parts (the scheme of `*`), which may point anywhere: they become `0..0`.
fn offset_in(base: &str, part: &str) -> Span {
    let start = (part.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end) if !part.is_empty() && end <= base.len() => Span { start, end },
        _ => Span { start: 0, end: 0 },
    }
}

/// A Host-list entry: printable ASCII without spaces, or nothing else a host can hold.
fn host_entry_ok(entry: &str) -> bool {
    !entry.is_empty()
        && entry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:*[]%!$&'()+,;=".contains(&b))
}

impl<const N: usize, const BYTES: usize> PolicyBuf<N, BYTES> {
    /// An empty policy: production preset, no `null`, no missing Origin, any Host.
    ///
    /// ```
    /// let p: wsguard_core::origin::PolicyBuf<2, 64> = wsguard_core::origin::PolicyBuf::new();
    /// assert!(p.is_empty());
    /// ```
    pub const fn new() -> Self {
        PolicyBuf {
            text: heapless::String::new(),
            patterns: heapless::Vec::new(),
            dev_hosts: heapless::Vec::new(),
            hosts: heapless::Vec::new(),
            allow_null: false,
            allow_missing: false,
            preset: Preset::Production,
        }
    }

    /// Number of origin patterns.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_pattern("*").unwrap();
    /// assert_eq!(p.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// `true` when no origin pattern was pushed.
    ///
    /// ```
    /// let p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// assert!(p.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Bytes of text stored so far (all lists).
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_host("a.example").unwrap();
    /// assert_eq!(p.text_len(), 9);
    /// ```
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Copies `raw` into the storage; on error the storage is unchanged.
    fn store(&mut self, raw: &str, list: PolicyList) -> Result<Span, PolicyBufError> {
        let start = self.text.len();
        self.text
            .push_str(raw)
            .map_err(|_| PolicyBufError::TextFull(list))?;
        Ok(Span {
            start,
            end: start + raw.len(),
        })
    }

    /// Parses `raw` with [`Pattern::parse`] and adds it to the allowed origins.
    ///
    /// On any error nothing is added.
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, PatternError, PolicyBufError};
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// assert_eq!(p.push_pattern("null"), Err(PolicyBufError::Pattern(PatternError::Null)));
    /// assert!(p.push_pattern("https://app.example.com").is_ok());
    /// ```
    pub fn push_pattern(&mut self, raw: &str) -> Result<(), PolicyBufError> {
        // Validate first: a refused pattern must not cost storage.
        Pattern::parse(raw).map_err(PolicyBufError::Pattern)?;
        if self.patterns.is_full() {
            return Err(PolicyBufError::TooManyEntries(PolicyList::Patterns));
        }
        let span = self.store(raw, PolicyList::Patterns)?;
        let stored = &self.text[span.start..span.end];
        let parsed = match Pattern::parse(stored) {
            Ok(p) => p,
            Err(e) => {
                // Unreachable in practice (same text); keep the storage unchanged anyway.
                self.text.truncate(span.start);
                return Err(PolicyBufError::Pattern(e));
            }
        };
        let base = self.text.as_str();
        let host = match parsed.host() {
            HostPattern::Any => StoredHost::Any,
            HostPattern::Exact(h) => StoredHost::Exact(offset_in(base, h)),
            HostPattern::Subdomain(h) => StoredHost::Subdomain(offset_in(base, h)),
        };
        let port = match parsed.port() {
            PortPattern::Default => StoredPort::Default,
            PortPattern::Exact(n) => StoredPort::Exact(n),
            PortPattern::Any => StoredPort::Any,
            PortPattern::List(l) => StoredPort::List(offset_in(base, l)),
        };
        let entry = StoredPattern {
            raw: span,
            scheme: offset_in(base, parsed.scheme()),
            host,
            port,
        };
        // Capacity was checked above.
        let _ = self.patterns.push(entry);
        Ok(())
    }

    fn push_host_entry(&mut self, raw: &str, list: PolicyList) -> Result<(), PolicyBufError> {
        // The same control-character rule as every configuration string, then host syntax.
        crate::text::check_config_text(raw).map_err(|e| PolicyBufError::Control(list, e))?;
        if !host_entry_ok(raw) {
            return Err(PolicyBufError::BadHostEntry(list));
        }
        let full = match list {
            PolicyList::DevHosts => self.dev_hosts.is_full(),
            _ => self.hosts.is_full(),
        };
        if full {
            return Err(PolicyBufError::TooManyEntries(list));
        }
        let span = self.store(raw, list)?;
        let _ = match list {
            PolicyList::DevHosts => self.dev_hosts.push(span),
            _ => self.hosts.push(span),
        };
        Ok(())
    }

    /// Adds a development-preset container host (`frontend:3000`, `frontend`, `web:*`);
    /// see [`OriginPolicy::dev_hosts`].
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, Preset};
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.set_preset(Preset::Development);
    /// p.push_dev_host("web:8080").unwrap();
    /// assert!(p.with_policy(|o, _| o.check(Some(b"http://web:8080")).is_ok()));
    /// ```
    pub fn push_dev_host(&mut self, raw: &str) -> Result<(), PolicyBufError> {
        self.push_host_entry(raw, PolicyList::DevHosts)
    }

    /// Adds a Host allowlist entry (`api.example.com`, `localhost:*`, `*.example.com`);
    /// see [`HostPolicy`]. An empty allowlist accepts any Host.
    ///
    /// ```
    /// use wsguard_core::origin::PolicyBuf;
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.push_host("api.example.com").unwrap();
    /// assert!(p.with_policy(|_, h| h.check(b"rebind.attacker.example").is_err()));
    /// let e = p.push_host("a.example\r\nSet-Cookie: x").unwrap_err();
    /// assert_eq!(wsguard_core::Diagnostic::code(&e), "config_control_char");
    /// ```
    pub fn push_host(&mut self, raw: &str) -> Result<(), PolicyBufError> {
        self.push_host_entry(raw, PolicyList::Hosts)
    }

    /// Accept `Origin: null` (see [`OriginPolicy::allow_null`]).
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<1, 8> = Default::default();
    /// p.set_allow_null(true);
    /// assert!(p.with_policy(|o, _| o.allows_null()));
    /// ```
    pub fn set_allow_null(&mut self, allow: bool) {
        self.allow_null = allow;
    }

    /// Accept a missing Origin (see [`OriginPolicy::allow_missing`]).
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<1, 8> = Default::default();
    /// p.set_allow_missing(true);
    /// assert!(p.with_policy(|o, _| o.check(None).is_ok()));
    /// ```
    pub fn set_allow_missing(&mut self, allow: bool) {
        self.allow_missing = allow;
    }

    /// The preset (see [`Preset`]).
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, Preset};
    /// let mut p: PolicyBuf<1, 8> = PolicyBuf::new();
    /// p.set_preset(Preset::Development);
    /// assert_eq!(p.with_policy(|o, _| o.preset_kind()), Preset::Development);
    /// ```
    pub fn set_preset(&mut self, preset: Preset) {
        self.preset = preset;
    }

    fn view(&self, s: StoredPattern) -> Pattern<'_> {
        let t = self.text.as_str();
        let slice = |sp: Span| &t[sp.start..sp.end];
        let host = match s.host {
            StoredHost::Any => HostPattern::Any,
            StoredHost::Exact(h) => HostPattern::Exact(slice(h)),
            StoredHost::Subdomain(h) => HostPattern::Subdomain(slice(h)),
        };
        let port = match s.port {
            StoredPort::Default => PortPattern::Default,
            StoredPort::Exact(n) => PortPattern::Exact(n),
            StoredPort::Any => PortPattern::Any,
            StoredPort::List(l) => PortPattern::List(slice(l)),
        };
        Pattern::from_parts(slice(s.raw), slice(s.scheme), host, port)
    }

    /// The stored patterns, as parsed when they were pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_pattern("https://A.example:443").unwrap();
    /// let first = p.patterns().next().unwrap();
    /// assert_eq!(first.as_str(), "https://A.example:443");
    /// ```
    pub fn patterns(&self) -> impl Iterator<Item = Pattern<'_>> + '_ {
        self.patterns.iter().map(|s| self.view(*s))
    }

    /// The development hosts, as pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_dev_host("web:8080").unwrap();
    /// assert_eq!(p.dev_hosts().collect::<Vec<_>>(), ["web:8080"]);
    /// ```
    pub fn dev_hosts(&self) -> impl Iterator<Item = &str> + '_ {
        self.dev_hosts
            .iter()
            .map(|s| self.text.get(s.start..s.end).unwrap_or(""))
    }

    /// The Host allowlist, as pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_host("api.example.com").unwrap();
    /// assert_eq!(p.hosts().collect::<Vec<_>>(), ["api.example.com"]);
    /// ```
    pub fn hosts(&self) -> impl Iterator<Item = &str> + '_ {
        self.hosts
            .iter()
            .map(|s| self.text.get(s.start..s.end).unwrap_or(""))
    }

    /// Whether `Origin: null` is accepted, a missing Origin is accepted, and the preset.
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, Preset};
    /// let p: PolicyBuf<1, 8> = PolicyBuf::new();
    /// assert_eq!(p.flags(), (false, false, Preset::Production));
    /// ```
    pub fn flags(&self) -> (bool, bool, Preset) {
        (self.allow_null, self.allow_missing, self.preset)
    }

    /// Calls `f` with borrowed [`OriginPolicy`] and [`HostPolicy`] views of this policy.
    /// Rebuilding the views slices the stored text; nothing is parsed again.
    ///
    /// ```
    /// use wsguard_core::origin::PolicyBuf;
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.push_pattern("https://app.example.com").unwrap();
    /// let ok = p.with_policy(|origins, hosts| {
    ///     origins.check(Some(b"https://app.example.com")).is_ok() && hosts.check(b"any.host").is_ok()
    /// });
    /// assert!(ok);
    /// ```
    pub fn with_policy<R>(&self, f: impl FnOnce(&OriginPolicy<'_>, HostPolicy<'_>) -> R) -> R {
        let mut patterns: heapless::Vec<Pattern<'_>, N> = heapless::Vec::new();
        for s in &self.patterns {
            let _ = patterns.push(self.view(*s));
        }
        let t = self.text.as_str();
        let mut dev: heapless::Vec<&str, N> = heapless::Vec::new();
        for s in &self.dev_hosts {
            let _ = dev.push(&t[s.start..s.end]);
        }
        let mut hosts: heapless::Vec<&str, N> = heapless::Vec::new();
        for s in &self.hosts {
            let _ = hosts.push(&t[s.start..s.end]);
        }
        let policy = OriginPolicy::new(&patterns)
            .allow_null(self.allow_null)
            .allow_missing(self.allow_missing)
            .preset(self.preset)
            .dev_hosts(&dev);
        f(&policy, HostPolicy::new(&hosts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginDenial;

    #[test]
    fn stored_patterns_equal_fresh_parses() {
        let raws = [
            "*",
            "https://app.example.com",
            "https://*.example.com",
            "http://localhost:*",
            "http://localhost:[3000,5173]",
            "https://A.example:443",
            "http://[::1]:8080",
            "chrome-extension://abcdef",
        ];
        let mut p: PolicyBuf<8, 256> = PolicyBuf::new();
        for r in raws {
            p.push_pattern(r).unwrap();
        }
        let fresh: std::vec::Vec<Pattern<'_>> =
            raws.iter().map(|r| Pattern::parse(r).unwrap()).collect();
        let stored: std::vec::Vec<Pattern<'_>> = p.patterns().collect();
        assert_eq!(stored, fresh);
    }

    #[test]
    fn verdicts_match_the_borrowed_policy() {
        let raws = ["https://*.example.com", "http://localhost:[3000,5173]"];
        let mut p: PolicyBuf<4, 128> = PolicyBuf::new();
        for r in raws {
            p.push_pattern(r).unwrap();
        }
        let parsed = [
            Pattern::parse(raws[0]).unwrap(),
            Pattern::parse(raws[1]).unwrap(),
        ];
        let borrowed = OriginPolicy::new(&parsed);
        for origin in [
            &b"https://a.example.com"[..],
            b"https://example.com",
            b"http://a.example.com",
            b"http://localhost:5173",
            b"http://localhost:8080",
            b"null",
            b"ws://localhost:3000",
        ] {
            let owned = p.with_policy(|o, _| o.check(Some(origin)));
            assert_eq!(owned, borrowed.check(Some(origin)), "{origin:?}");
        }
        assert_eq!(
            p.with_policy(|o, _| o.check(None)),
            Err(OriginDenial::Missing)
        );
    }

    #[test]
    fn errors_leave_the_storage_unchanged() {
        let mut p: PolicyBuf<2, 24> = PolicyBuf::new();
        p.push_pattern("https://a.example").unwrap();
        let before = (p.len(), p.text_len());
        assert_eq!(
            p.push_pattern("https://a-much-longer-name.example"),
            Err(PolicyBufError::TextFull(PolicyList::Patterns))
        );
        assert_eq!(
            p.push_pattern("https://a.example/"),
            Err(PolicyBufError::Pattern(PatternError::Malformed(
                crate::origin::Malformed::TrailingSlash
            )))
        );
        assert_eq!((p.len(), p.text_len()), before);
        p.push_pattern("*").unwrap();
        assert_eq!(
            p.push_pattern("*"),
            Err(PolicyBufError::TooManyEntries(PolicyList::Patterns))
        );
        assert_eq!(
            p.push_host("a b"),
            Err(PolicyBufError::BadHostEntry(PolicyList::Hosts))
        );
        assert_eq!(
            p.push_dev_host(""),
            Err(PolicyBufError::BadHostEntry(PolicyList::DevHosts))
        );
    }

    #[test]
    fn host_list_and_dev_hosts() {
        let mut p: PolicyBuf<4, 128> = PolicyBuf::new();
        p.push_host("api.example.com").unwrap();
        p.push_host("localhost:*").unwrap();
        p.push_dev_host("frontend:3000").unwrap();
        p.set_preset(Preset::Development);
        p.with_policy(|o, h| {
            assert!(h.check(b"api.example.com").is_ok());
            assert!(h.check(b"localhost:9999").is_ok());
            assert!(h.check(b"evil.example").is_err());
            assert!(o.check(Some(b"http://frontend:3000")).is_ok());
            assert!(o.check(Some(b"http://frontend:3001")).is_err());
        });
    }
}
