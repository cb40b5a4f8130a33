//! The lists an [`OriginPolicy`](super::OriginPolicy) and a [`HostPolicy`](super::HostPolicy)
//! read: either a borrowed slice (a firmware `static` list, parsed by the caller) or the
//! text and entry table of an owned policy ([`OwnedPolicy`](super::OwnedPolicy)).
//!
//! Both shapes are one `Copy` value, [`EntryList`]; iterating it yields each entry on
//! the fly. A stored entry ([`PolicyEntry`]) holds where the parser found each part of
//! the pattern, so turning it back into a [`Pattern`] is slicing only: taking a view of
//! an owned policy builds nothing and parses nothing, whatever its size.

use super::pattern::{HostPattern, Pattern, PortPattern};
use core::fmt;

/// One entry of an owned policy, as positions in the policy's text: the whole entry and,
/// for an origin pattern, the scheme, host and port the parser found when it was added.
///
/// Opaque: only [`OwnedPolicy`](super::OwnedPolicy) makes one; a [`PolicyStorage`](super::PolicyStorage)
/// keeps the entries it is given and hands them back. 20 bytes.
///
/// ```
/// use wsguard_core::origin::{PolicyBuf, PolicyList, PolicyStorage};
/// let mut p: PolicyBuf<2, 64> = PolicyBuf::new();
/// p.push_pattern("https://*.example.com").unwrap();
/// assert_eq!(p.storage().entries(PolicyList::Patterns).len(), 1);
/// assert_eq!(core::mem::size_of::<wsguard_core::origin::PolicyEntry>(), 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PolicyEntry {
    /// Where the entry's text starts in the owner's text.
    start: u32,
    /// Its length in bytes.
    len: u32,
    /// The scheme is the entry's first `scheme_len` bytes.
    scheme_len: u16,
    /// The host (without `*.`), relative to `start`.
    host_at: u16,
    host_len: u16,
    /// `PortKind::List`: the list's position and length, relative to `start`;
    /// `PortKind::Exact`: the port and 0.
    port_a: u16,
    port_b: u16,
    host_kind: HostKind,
    port_kind: PortKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
enum HostKind {
    Any,
    Exact,
    Subdomain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
enum PortKind {
    Default,
    Exact,
    Any,
    List,
}

/// Position and length of `part` within `base`, when `part` is a sub-slice of it. Empty
/// parts (the scheme of `*`) may point anywhere: they become `(0, 0)`.
fn offset_in(base: &str, part: &str) -> Option<(u16, u16)> {
    if part.is_empty() {
        return Some((0, 0));
    }
    let at = (part.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
    let end = at.checked_add(part.len()).filter(|&e| e <= base.len())?;
    Some((u16::try_from(at).ok()?, u16::try_from(end - at).ok()?))
}

impl PolicyEntry {
    /// A Host or development-host entry: `len` bytes at `start`.
    pub(crate) fn text(start: u32, len: u32) -> Self {
        PolicyEntry {
            start,
            len,
            scheme_len: 0,
            host_at: 0,
            host_len: 0,
            port_a: 0,
            port_b: 0,
            host_kind: HostKind::Any,
            port_kind: PortKind::Default,
        }
    }

    /// An origin pattern parsed from `raw`, whose copy will start at `start`. `None` when
    /// a part is not a sub-slice of `raw` (the parser only returns sub-slices) or lies
    /// beyond 64 KiB (patterns are at most [`MAX_ORIGIN_LEN`](super::MAX_ORIGIN_LEN)).
    pub(crate) fn pattern(start: u32, raw: &str, parsed: &Pattern<'_>) -> Option<Self> {
        let len = u32::try_from(raw.len()).ok()?;
        let (_, scheme_len) = offset_in(raw, parsed.scheme())?;
        let (host_kind, (host_at, host_len)) = match parsed.host() {
            HostPattern::Any => (HostKind::Any, (0, 0)),
            HostPattern::Exact(h) => (HostKind::Exact, offset_in(raw, h)?),
            HostPattern::Subdomain(h) => (HostKind::Subdomain, offset_in(raw, h)?),
        };
        let (port_kind, (port_a, port_b)) = match parsed.port() {
            PortPattern::Default => (PortKind::Default, (0, 0)),
            PortPattern::Exact(n) => (PortKind::Exact, (n, 0)),
            PortPattern::Any => (PortKind::Any, (0, 0)),
            PortPattern::List(l) => (PortKind::List, offset_in(raw, l)?),
        };
        Some(PolicyEntry {
            start,
            len,
            scheme_len,
            host_at,
            host_len,
            port_a,
            port_b,
            host_kind,
            port_kind,
        })
    }

    /// The entry's text within `text` (empty when `text` is not the text it was made for).
    fn raw<'a>(&self, text: &'a str) -> &'a str {
        let start = self.start as usize;
        start
            .checked_add(self.len as usize)
            .and_then(|end| text.get(start..end))
            .unwrap_or("")
    }

    /// The pattern, sliced out of `text`: the same value the parser returned when the
    /// entry was made.
    fn to_pattern<'a>(self, text: &'a str) -> Pattern<'a> {
        let raw = self.raw(text);
        let part = |at: u16, len: u16| {
            let at = usize::from(at);
            raw.get(at..at + usize::from(len)).unwrap_or("")
        };
        let host = match self.host_kind {
            HostKind::Any => HostPattern::Any,
            HostKind::Exact => HostPattern::Exact(part(self.host_at, self.host_len)),
            HostKind::Subdomain => HostPattern::Subdomain(part(self.host_at, self.host_len)),
        };
        let port = match self.port_kind {
            PortKind::Default => PortPattern::Default,
            PortKind::Exact => PortPattern::Exact(self.port_a),
            PortKind::Any => PortPattern::Any,
            PortKind::List => PortPattern::List(part(self.port_a, self.port_b)),
        };
        Pattern::from_parts(raw, part(0, self.scheme_len), host, port)
    }
}

mod sealed {
    /// What an [`EntryList`](super::EntryList) yields: a [`Pattern`](super::Pattern) or a
    /// host entry (`&str`).
    pub trait Item<'a>: Copy + 'a {
        /// The item an owned entry stands for, sliced out of the owner's text.
        fn from_entry(entry: &super::PolicyEntry, text: &'a str) -> Self;
    }
}
use sealed::Item;

impl<'a> Item<'a> for Pattern<'a> {
    fn from_entry(entry: &PolicyEntry, text: &'a str) -> Self {
        entry.to_pattern(text)
    }
}

impl<'a> Item<'a> for &'a str {
    fn from_entry(entry: &PolicyEntry, text: &'a str) -> Self {
        entry.raw(text)
    }
}

#[derive(Clone, Copy)]
enum Repr<'a, T> {
    /// The caller's slice.
    Slice(&'a [T]),
    /// An owned policy's text and entries.
    Stored {
        text: &'a str,
        entries: &'a [PolicyEntry],
    },
}

/// A list of origin patterns ([`PatternList`]) or host entries ([`HostList`]): a borrowed
/// slice, or an owned policy's stored entries. `Copy`; iterating yields each item by
/// value, sliced out of the storage on the fly (nothing is parsed or built).
///
/// ```
/// use wsguard_core::origin::{HostList, PatternList, Pattern};
/// let parsed = [Pattern::parse("https://a.example").unwrap(), Pattern::ANY];
/// let list = PatternList::new(&parsed);
/// assert_eq!((list.len(), list.get(1)), (2, Some(Pattern::ANY)));
/// assert_eq!(list.iter().map(|p| p.as_str()).collect::<Vec<_>>(), ["https://a.example", "*"]);
/// assert!(HostList::new(&[]).is_empty());
/// ```
#[derive(Clone, Copy)]
pub struct EntryList<'a, T: Item<'a>>(Repr<'a, T>);

/// The origin patterns of an [`OriginPolicy`](super::OriginPolicy).
///
/// ```
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let parsed = [Pattern::parse("https://a.example").unwrap()];
/// assert_eq!(OriginPolicy::new(&parsed).patterns().get(0), Some(parsed[0]));
/// ```
pub type PatternList<'a> = EntryList<'a, Pattern<'a>>;

/// Host entries: a [`HostPolicy`](super::HostPolicy)'s allowlist, an
/// [`OriginPolicy`](super::OriginPolicy)'s development hosts.
///
/// ```
/// use wsguard_core::origin::HostPolicy;
/// let hosts = HostPolicy::new(&["api.example.com"]);
/// assert_eq!(hosts.allowed().iter().collect::<Vec<_>>(), ["api.example.com"]);
/// ```
pub type HostList<'a> = EntryList<'a, &'a str>;

impl<'a, T: Item<'a>> EntryList<'a, T> {
    /// A list borrowing `items`.
    ///
    /// ```
    /// let list = wsguard_core::origin::HostList::new(&["a.example", "b.example"]);
    /// assert_eq!(list.len(), 2);
    /// ```
    pub const fn new(items: &'a [T]) -> Self {
        EntryList(Repr::Slice(items))
    }

    /// An owned policy's entries of one list, over its text.
    pub(crate) const fn stored(text: &'a str, entries: &'a [PolicyEntry]) -> Self {
        EntryList(Repr::Stored { text, entries })
    }

    /// Number of entries.
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::HostList::new(&["a.example"]).len(), 1);
    /// ```
    pub const fn len(&self) -> usize {
        match self.0 {
            Repr::Slice(s) => s.len(),
            Repr::Stored { entries, .. } => entries.len(),
        }
    }

    /// `true` when the list holds no entry.
    ///
    /// ```
    /// assert!(wsguard_core::origin::HostList::new(&[]).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `index`, or `None` past the end.
    ///
    /// ```
    /// let list = wsguard_core::origin::HostList::new(&["a.example"]);
    /// assert_eq!((list.get(0), list.get(1)), (Some("a.example"), None));
    /// ```
    pub fn get(&self, index: usize) -> Option<T> {
        match self.0 {
            Repr::Slice(s) => s.get(index).copied(),
            Repr::Stored { text, entries } => entries.get(index).map(|e| T::from_entry(e, text)),
        }
    }

    /// The entries, in the order they were given.
    ///
    /// ```
    /// let list = wsguard_core::origin::HostList::new(&["a.example", "b.example"]);
    /// assert_eq!(list.iter().last(), Some("b.example"));
    /// ```
    pub fn iter(&self) -> EntryIter<'a, T> {
        EntryIter(match self.0 {
            Repr::Slice(s) => IterRepr::Slice(s.iter()),
            Repr::Stored { text, entries } => IterRepr::Stored {
                text,
                entries: entries.iter(),
            },
        })
    }
}

impl<'a, T: Item<'a>> Default for EntryList<'a, T> {
    fn default() -> Self {
        EntryList::new(&[])
    }
}

impl<'a, T: Item<'a>> IntoIterator for EntryList<'a, T> {
    type Item = T;
    type IntoIter = EntryIter<'a, T>;
    fn into_iter(self) -> EntryIter<'a, T> {
        self.iter()
    }
}

/// Two lists are equal when they hold the same entries, borrowed or stored alike.
impl<'a, T: Item<'a> + PartialEq> PartialEq for EntryList<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Item<'a> + Eq> Eq for EntryList<'a, T> {}

impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for EntryList<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "defmt")]
impl<'a, T: Item<'a> + defmt::Format> defmt::Format for EntryList<'a, T> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(f, "[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                defmt::write!(f, ", ");
            }
            defmt::write!(f, "{}", item);
        }
        defmt::write!(f, "]");
    }
}

#[derive(Clone)]
enum IterRepr<'a, T> {
    Slice(core::slice::Iter<'a, T>),
    Stored {
        text: &'a str,
        entries: core::slice::Iter<'a, PolicyEntry>,
    },
}

/// The iterator of an [`EntryList`]: each item by value.
///
/// ```
/// let mut it = wsguard_core::origin::HostList::new(&["a.example"]).iter();
/// assert_eq!((it.len(), it.next(), it.next()), (1, Some("a.example"), None));
/// ```
#[derive(Clone)]
pub struct EntryIter<'a, T: Item<'a>>(IterRepr<'a, T>);

impl<'a, T: Item<'a>> Iterator for EntryIter<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match &mut self.0 {
            IterRepr::Slice(s) => s.next().copied(),
            IterRepr::Stored { text, entries } => entries.next().map(|e| T::from_entry(e, text)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Slice(s) => s.size_hint(),
            IterRepr::Stored { entries, .. } => entries.size_hint(),
        }
    }
}

impl<'a, T: Item<'a>> DoubleEndedIterator for EntryIter<'a, T> {
    fn next_back(&mut self) -> Option<T> {
        match &mut self.0 {
            IterRepr::Slice(s) => s.next_back().copied(),
            IterRepr::Stored { text, entries } => {
                entries.next_back().map(|e| T::from_entry(e, text))
            }
        }
    }
}

impl<'a, T: Item<'a>> ExactSizeIterator for EntryIter<'a, T> {}
impl<'a, T: Item<'a>> core::iter::FusedIterator for EntryIter<'a, T> {}

impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for EntryIter<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// One pattern of every shape: host any/exact/subdomain/IPv6, port default/explicit
/// default/exact/any/list, other schemes.
#[cfg(test)]
pub(crate) const PATTERN_SHAPES: [&str; 9] = [
    "*",
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://localhost:[3000,5173]",
    "https://A.example:443",
    "https://a.example:8443",
    "http://[::1]:8080",
    "chrome-extension://abcdef",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_slice_back_to_the_parse() {
        for raw in PATTERN_SHAPES {
            let parsed = Pattern::parse(raw).unwrap();
            // Stored after 7 bytes of other text, as an owner would.
            let text = std::format!("prefix:{raw}");
            let e = PolicyEntry::pattern(7, raw, &parsed).unwrap();
            assert_eq!(e.to_pattern(&text), parsed, "{raw}");
            assert_eq!(e.raw(&text), raw);
            // The wrong text never panics; it gives empty parts.
            assert_eq!(e.raw("short"), "");
        }
        let other = "https://b.example";
        let parsed = Pattern::parse("https://a.example").unwrap();
        assert_eq!(PolicyEntry::pattern(0, other, &parsed), None);
    }

    #[test]
    fn stored_and_borrowed_lists_compare_by_content() {
        let text = "a.exampleb.example";
        let entries = [PolicyEntry::text(0, 9), PolicyEntry::text(9, 9)];
        let stored = HostList::stored(text, &entries);
        let borrowed = HostList::new(&["a.example", "b.example"]);
        assert_eq!(stored, borrowed);
        assert_eq!(
            stored.iter().rev().collect::<std::vec::Vec<_>>(),
            ["b.example", "a.example"]
        );
        assert_eq!(std::format!("{stored:?}"), r#"["a.example", "b.example"]"#);
        assert_ne!(stored, HostList::new(&["a.example"]));
    }
}
