//! An owned Origin + Host policy: every pattern is copied in and parsed exactly once, when
//! it is pushed, and every check reads that parse.
//!
//! [`OriginPolicy`] and [`HostPolicy`] borrow their patterns, which is right for a
//! firmware `static` list and wrong for a server that reads its allowlist from a file:
//! the std adapter, the C binding and the Python binding each need to *own* the text and
//! keep the parse. [`OwnedPolicy`] is that one owner. It keeps the pattern text and, per
//! entry, where the parser found each part (a [`PolicyEntry`]) in a [`PolicyStorage`]; its
//! [`origin_policy`](OwnedPolicy::origin_policy) and [`host_policy`](OwnedPolicy::host_policy)
//! views read the storage directly, so taking them builds nothing, parses nothing and
//! allocates nothing — it is two words per list, whatever the size of the policy.
//!
//! The storage decides the capacity: [`PolicyBuf<N, BYTES>`](PolicyBuf) is the owner over
//! [`FixedStorage`] (`heapless`, in the value: `N` entries per list, `BYTES` bytes of text
//! in all); the C binding provides caller memory of any size and a heap storage that
//! grows. A full storage is a typed error ([`PolicyBufError`]), never a silent truncation.
//! The rules (what a valid entry is, parse once, which error) are here, for every storage.
//!
//! ```
//! use wsguard_core::origin::{OriginDenial, PolicyBuf};
//! let mut policy: PolicyBuf<8, 256> = PolicyBuf::new();
//! policy.push_pattern("https://*.example.com").unwrap();
//! policy.push_host("api.example.com").unwrap();
//! let verdict = policy.origin_policy().check(Some(b"https://evil.test"));
//! assert_eq!(verdict, Err(OriginDenial::Host));
//! ```
//!
//! Stack: the views are a few words ([`OriginPolicy`] 72 bytes and [`HostPolicy`] 32 on
//! 64-bit targets), the same for 1 pattern or 10,000. (Until this owner read its storage in
//! place, each view was rebuilt per call on the stack: `N × 80` bytes of patterns plus
//! `2 × N × 16` of host entries.)

use super::host::HostPolicy;
use super::list::{EntryIter, HostList, PolicyEntry};
use super::pattern::{Pattern, PatternError};
use super::policy::OriginPolicy;
use super::presets::Preset;
use super::storage::{FixedStorage, PolicyStorage};

/// Which list of an [`OwnedPolicy`] an entry was pushed to.
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

    /// `0`, `1`, `2`: the list's slot in a storage that keeps the three apart.
    ///
    /// ```
    /// use wsguard_core::origin::PolicyList;
    /// assert_eq!(PolicyList::ALL.map(|l| l.index()), [0, 1, 2]);
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The three lists, in [`index`](Self::index) order.
    ///
    /// ```
    /// use wsguard_core::origin::PolicyList;
    /// assert_eq!(PolicyList::ALL[2], PolicyList::Hosts);
    /// ```
    pub const ALL: [PolicyList; 3] = [
        PolicyList::Patterns,
        PolicyList::DevHosts,
        PolicyList::Hosts,
    ];
}

/// Why an entry could not be added to an [`OwnedPolicy`].
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
    /// The storage holds as many entries of this list as it was sized for.
    TooManyEntries(PolicyList),
    /// The text of all entries would not fit the storage (or pass 4 GiB).
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

/// An owned Origin policy and Host allowlist over a [`PolicyStorage`]: every pattern is
/// parsed once, when it is pushed; the views read the stored parse.
///
/// Build it once (at start-up, from configuration), share it by reference, and take the
/// borrowed views per request ([`origin_policy`](Self::origin_policy),
/// [`host_policy`](Self::host_policy), or both with [`with_policy`](Self::with_policy)).
///
/// ```
/// use wsguard_core::origin::{FixedStorage, OwnedPolicy, Preset};
/// let mut p = OwnedPolicy::with_storage(FixedStorage::<4, 128>::new());
/// p.push_pattern("http://localhost:[3000,5173]").unwrap();
/// p.set_preset(Preset::Development);
/// assert!(p.origin_policy().check(Some(b"http://localhost:5173")).is_ok());
/// assert_eq!(p.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct OwnedPolicy<S> {
    storage: S,
    allow_null: bool,
    allow_missing: bool,
    preset: Preset,
}

/// An [`OwnedPolicy`] in fixed-capacity storage ([`FixedStorage`]): `N` entries per list,
/// `BYTES` bytes of text in all, no heap.
///
/// ```
/// use wsguard_core::origin::{PolicyBuf, Preset};
/// let mut p: PolicyBuf<4, 128> = PolicyBuf::new();
/// p.push_pattern("http://localhost:[3000,5173]").unwrap();
/// p.set_preset(Preset::Development);
/// assert!(p.with_policy(|o, _| o.check(Some(b"http://localhost:5173")).is_ok()));
/// ```
pub type PolicyBuf<const N: usize, const BYTES: usize> = OwnedPolicy<FixedStorage<N, BYTES>>;

impl<const N: usize, const BYTES: usize> OwnedPolicy<FixedStorage<N, BYTES>> {
    /// An empty policy in fixed storage: production preset, no `null`, no missing
    /// Origin, any Host.
    ///
    /// ```
    /// let p: wsguard_core::origin::PolicyBuf<2, 64> = wsguard_core::origin::PolicyBuf::new();
    /// assert!(p.is_empty());
    /// ```
    pub const fn new() -> Self {
        Self::with_storage(FixedStorage::new())
    }
}

impl<S: PolicyStorage + Default> Default for OwnedPolicy<S> {
    fn default() -> Self {
        Self::with_storage(S::default())
    }
}

/// A Host-list entry: printable ASCII without spaces, or nothing else a host can hold.
fn host_entry_ok(entry: &str) -> bool {
    !entry.is_empty()
        && entry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:*[]%!$&'()+,;=".contains(&b))
}

impl<S: PolicyStorage> OwnedPolicy<S> {
    /// An empty policy in `storage` (which should be empty): production preset, no
    /// `null`, no missing Origin, any Host.
    ///
    /// ```
    /// use wsguard_core::origin::{FixedStorage, OwnedPolicy};
    /// let p = OwnedPolicy::with_storage(FixedStorage::<2, 64>::new());
    /// assert!(p.is_empty());
    /// ```
    pub const fn with_storage(storage: S) -> Self {
        OwnedPolicy {
            storage,
            allow_null: false,
            allow_missing: false,
            preset: Preset::Production,
        }
    }

    /// The storage, read-only (its text and entries).
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, PolicyStorage};
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.push_host("a.example").unwrap();
    /// assert_eq!(p.storage().text(), "a.example");
    /// ```
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Number of origin patterns.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_pattern("*").unwrap();
    /// assert_eq!(p.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.storage.entries(PolicyList::Patterns).len()
    }

    /// `true` when no origin pattern was pushed.
    ///
    /// ```
    /// let p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// assert!(p.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of text stored so far (all lists).
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_host("a.example").unwrap();
    /// assert_eq!(p.text_len(), 9);
    /// ```
    pub fn text_len(&self) -> usize {
        self.storage.text().len()
    }

    /// Copies `raw` into the text and adds the entry `make(start)` to `list`; on error
    /// the storage is unchanged. Entries address the text with 32 bits.
    fn store(
        &mut self,
        raw: &str,
        list: PolicyList,
        make: impl FnOnce(u32) -> Option<PolicyEntry>,
    ) -> Result<(), PolicyBufError> {
        let before = self.storage.text().len();
        let start = u32::try_from(before).map_err(|_| PolicyBufError::TextFull(list))?;
        let entry = before
            .checked_add(raw.len())
            .filter(|&end| u32::try_from(end).is_ok())
            .and_then(|_| make(start))
            .ok_or(PolicyBufError::TextFull(list))?;
        if !self.storage.push_text(raw) {
            return Err(PolicyBufError::TextFull(list));
        }
        if !self.storage.push_entry(list, entry) {
            self.storage.truncate_text(before);
            return Err(PolicyBufError::TooManyEntries(list));
        }
        Ok(())
    }

    /// Parses `raw` with [`Pattern::parse`] and adds it to the allowed origins. This is
    /// the only parse: every check reads the positions it found.
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
        let parsed = Pattern::parse(raw).map_err(PolicyBufError::Pattern)?;
        // A pattern is at most `MAX_ORIGIN_LEN` bytes, so its parts always have positions.
        self.store(raw, PolicyList::Patterns, |start| {
            PolicyEntry::pattern(start, raw, &parsed)
        })
    }

    fn push_host_entry(&mut self, raw: &str, list: PolicyList) -> Result<(), PolicyBufError> {
        // The same control-character rule as every configuration string, then host syntax.
        crate::text::check_config_text(raw).map_err(|e| PolicyBufError::Control(list, e))?;
        if !host_entry_ok(raw) {
            return Err(PolicyBufError::BadHostEntry(list));
        }
        let len = u32::try_from(raw.len()).map_err(|_| PolicyBufError::TextFull(list))?;
        self.store(raw, list, |start| Some(PolicyEntry::text(start, len)))
    }

    /// Adds a development-preset container host (`frontend:3000`, `frontend`, `web:*`);
    /// see [`OriginPolicy::dev_hosts`].
    ///
    /// ```
    /// use wsguard_core::origin::{PolicyBuf, Preset};
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.set_preset(Preset::Development);
    /// p.push_dev_host("web:8080").unwrap();
    /// assert!(p.origin_policy().check(Some(b"http://web:8080")).is_ok());
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
    /// assert!(p.host_policy().check(b"rebind.attacker.example").is_err());
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
    /// assert!(p.origin_policy().allows_null());
    /// ```
    pub fn set_allow_null(&mut self, allow: bool) {
        self.allow_null = allow;
    }

    /// Accept a missing Origin (see [`OriginPolicy::allow_missing`]).
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<1, 8> = Default::default();
    /// p.set_allow_missing(true);
    /// assert!(p.origin_policy().check(None).is_ok());
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
    /// assert_eq!(p.origin_policy().preset_kind(), Preset::Development);
    /// ```
    pub fn set_preset(&mut self, preset: Preset) {
        self.preset = preset;
    }

    fn list(&self, list: PolicyList) -> HostList<'_> {
        HostList::stored(self.storage.text(), self.storage.entries(list))
    }

    /// The stored patterns, as parsed when they were pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_pattern("https://A.example:443").unwrap();
    /// let first = p.patterns().next().unwrap();
    /// assert_eq!(first.as_str(), "https://A.example:443");
    /// ```
    pub fn patterns(&self) -> EntryIter<'_, Pattern<'_>> {
        self.origin_policy().patterns().iter()
    }

    /// The development hosts, as pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_dev_host("web:8080").unwrap();
    /// assert_eq!(p.dev_hosts().collect::<Vec<_>>(), ["web:8080"]);
    /// ```
    pub fn dev_hosts(&self) -> EntryIter<'_, &str> {
        self.list(PolicyList::DevHosts).iter()
    }

    /// The Host allowlist, as pushed.
    ///
    /// ```
    /// let mut p: wsguard_core::origin::PolicyBuf<2, 64> = Default::default();
    /// p.push_host("api.example.com").unwrap();
    /// assert_eq!(p.hosts().collect::<Vec<_>>(), ["api.example.com"]);
    /// ```
    pub fn hosts(&self) -> EntryIter<'_, &str> {
        self.list(PolicyList::Hosts).iter()
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

    /// The borrowed [`OriginPolicy`] view: it reads the stored text and entries directly
    /// (nothing is parsed, copied or built).
    ///
    /// ```
    /// use wsguard_core::origin::PolicyBuf;
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.push_pattern("https://app.example.com").unwrap();
    /// assert!(p.origin_policy().check(Some(b"https://app.example.com")).is_ok());
    /// ```
    pub fn origin_policy(&self) -> OriginPolicy<'_> {
        let text = self.storage.text();
        let patterns = self.storage.entries(PolicyList::Patterns);
        OriginPolicy::from_list(super::list::PatternList::stored(text, patterns))
            .allow_null(self.allow_null)
            .allow_missing(self.allow_missing)
            .preset(self.preset)
            .dev_host_list(self.list(PolicyList::DevHosts))
    }

    /// The borrowed [`HostPolicy`] view (the Host allowlist), as
    /// [`origin_policy`](Self::origin_policy).
    ///
    /// ```
    /// use wsguard_core::origin::PolicyBuf;
    /// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
    /// p.push_host("api.example.com").unwrap();
    /// assert!(p.host_policy().check(b"api.example.com:443").is_ok());
    /// ```
    pub fn host_policy(&self) -> HostPolicy<'_> {
        HostPolicy::from_list(self.list(PolicyList::Hosts))
    }

    /// Calls `f` with both views ([`origin_policy`](Self::origin_policy) and
    /// [`host_policy`](Self::host_policy)).
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
        f(&self.origin_policy(), self.host_policy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginDenial;

    #[test]
    fn stored_patterns_equal_fresh_parses() {
        let raws = crate::origin::list::PATTERN_SHAPES;
        let mut p: PolicyBuf<9, 256> = PolicyBuf::new();
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
        let before = (p.len(), p.text_len());
        assert_eq!(
            p.push_pattern("*"),
            Err(PolicyBufError::TooManyEntries(PolicyList::Patterns))
        );
        // The text copied before the table was found full is given back.
        assert_eq!((p.len(), p.text_len()), before);
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

    /// A storage that grows (as the C binding's heap storage does), to run the owner over
    /// a storage that is not `FixedStorage`.
    #[derive(Default)]
    struct Growing {
        text: std::string::String,
        lists: [std::vec::Vec<PolicyEntry>; 3],
    }

    impl PolicyStorage for Growing {
        fn text(&self) -> &str {
            &self.text
        }
        fn push_text(&mut self, s: &str) -> bool {
            self.text.push_str(s);
            true
        }
        fn truncate_text(&mut self, len: usize) {
            if self.text.is_char_boundary(len) {
                self.text.truncate(len);
            }
        }
        fn entries(&self, list: PolicyList) -> &[PolicyEntry] {
            &self.lists[list.index()]
        }
        fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool {
            self.lists[list.index()].push(entry);
            true
        }
    }

    const RAWS: [&str; 9] = [
        "https://app.example.com",
        "https://*.example.com",
        "http://localhost:[3000,5173]",
        "https://A.example:443",
        "https://b.example:8443",
        "http://[::1]:8080",
        "chrome-extension://abcdef",
        "http://*.dev.test:*",
        "https://c.example",
    ];
    const HOSTS: [&str; 3] = ["api.example.com", "localhost:*", "*.example.org:8443"];
    const DEV: [&str; 2] = ["frontend:3000", "web"];
    const ORIGINS: [&[u8]; 22] = [
        b"https://app.example.com",
        b"https://app.example.com:443",
        b"http://app.example.com",
        b"https://x.y.example.com",
        b"https://example.com",
        b"https://evil-example.com",
        b"http://localhost:5173",
        b"http://localhost:8080",
        b"https://a.example",
        b"https://b.example",
        b"https://b.example:8443",
        b"http://[::1]:8080",
        b"http://[::1]:8081",
        b"chrome-extension://abcdef",
        b"http://a.dev.test:9",
        b"http://frontend:3000",
        b"http://frontend:3001",
        b"https://web",
        b"null",
        b"https://c.example/",
        b"ws://localhost:3000",
        b"",
    ];

    fn fill<S: PolicyStorage>(p: &mut OwnedPolicy<S>) {
        for r in RAWS {
            p.push_pattern(r).unwrap();
        }
        for h in HOSTS {
            p.push_host(h).unwrap();
        }
        for d in DEV {
            p.push_dev_host(d).unwrap();
        }
    }

    /// Every verdict of an owned policy, in either storage and under either preset,
    /// equals the borrowed policy's over the same (freshly parsed) lists.
    #[test]
    fn every_storage_gives_the_borrowed_verdicts() {
        let parsed: std::vec::Vec<Pattern<'_>> =
            RAWS.iter().map(|r| Pattern::parse(r).unwrap()).collect();
        let mut fixed: PolicyBuf<16, 512> = PolicyBuf::new();
        let mut growing = OwnedPolicy::<Growing>::default();
        fill(&mut fixed);
        fill(&mut growing);
        for preset in [Preset::Production, Preset::Development] {
            for (null, missing) in [(false, false), (true, true)] {
                let borrowed = OriginPolicy::new(&parsed)
                    .dev_hosts(&DEV)
                    .preset(preset)
                    .allow_null(null)
                    .allow_missing(missing);
                let hosts = HostPolicy::new(&HOSTS);
                for set in [&mut fixed as &mut dyn Settable, &mut growing] {
                    set.set(preset, null, missing);
                }
                for (o, h) in [
                    (fixed.origin_policy(), fixed.host_policy()),
                    (growing.origin_policy(), growing.host_policy()),
                ] {
                    assert_eq!(o, borrowed);
                    assert_eq!(h, hosts);
                    assert_eq!(o.check(None), borrowed.check(None));
                    for origin in ORIGINS {
                        assert_eq!(o.check(Some(origin)), borrowed.check(Some(origin)));
                        assert_eq!(o.near_miss(origin), borrowed.near_miss(origin));
                        assert_eq!(h.check(origin), hosts.check(origin));
                        assert_eq!(h.near_miss(origin), hosts.near_miss(origin));
                    }
                }
            }
        }
        let stored: std::vec::Vec<Pattern<'_>> = growing.patterns().collect();
        assert_eq!(stored, parsed);
        assert_eq!(growing.dev_hosts().collect::<std::vec::Vec<_>>(), DEV);
        assert_eq!(growing.hosts().collect::<std::vec::Vec<_>>(), HOSTS);
    }

    trait Settable {
        fn set(&mut self, preset: Preset, null: bool, missing: bool);
    }
    impl<S: PolicyStorage> Settable for OwnedPolicy<S> {
        fn set(&mut self, preset: Preset, null: bool, missing: bool) {
            self.set_preset(preset);
            self.set_allow_null(null);
            self.set_allow_missing(missing);
        }
    }

    /// A view is the same few words for 1 pattern or 5,000: nothing per pattern is built.
    #[test]
    fn views_cost_nothing_per_pattern() {
        let mut big = OwnedPolicy::<Growing>::default();
        for i in 0..5000 {
            big.push_pattern(&std::format!("https://h{i}.example.com"))
                .unwrap();
        }
        assert_eq!(big.len(), 5000);
        let view = big.origin_policy();
        assert_eq!(
            core::mem::size_of_val(&view),
            core::mem::size_of::<OriginPolicy<'static>>()
        );
        assert!(view.check(Some(b"https://h4999.example.com")).is_ok());
        assert_eq!(
            view.check(Some(b"https://h5000.example.com")),
            Err(OriginDenial::Host)
        );
        assert_eq!(
            view.patterns().get(4999).map(|p| p.as_str()),
            Some("https://h4999.example.com")
        );
        assert_eq!(core::mem::size_of::<PolicyEntry>(), 20);
        #[cfg(target_pointer_width = "64")]
        assert_eq!(
            (
                core::mem::size_of::<OriginPolicy<'_>>(),
                core::mem::size_of::<HostPolicy<'_>>()
            ),
            (72, 32)
        );
    }
}
