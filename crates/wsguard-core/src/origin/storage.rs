//! Where an [`OwnedPolicy`](super::OwnedPolicy) keeps its text and entries: the
//! [`PolicyStorage`] trait, and [`FixedStorage`], the fixed-capacity ([`heapless`]) one.
//!
//! The storage only provides memory. What a valid entry is, the parse, and the
//! "text full" / "too many entries" errors are the owner's; a storage answers "it fits"
//! or "it does not". Other storages live where the memory comes from: the C binding has
//! one in caller memory of any size and one on the heap that grows.

use super::list::PolicyEntry;
use super::owned::PolicyList;

/// Memory for an [`OwnedPolicy`](super::OwnedPolicy): one text buffer holding every
/// entry's characters, and one table of [`PolicyEntry`]s per [`PolicyList`].
///
/// A storage must give back exactly what it was given: `text()` is the concatenation of
/// every `push_text` since the last `truncate_text`, and `entries(list)` every entry
/// pushed to `list`, in order. It must not panic. Whatever a storage returns, the owner
/// never panics or reads out of bounds; a storage that breaks the rule only gets wrong
/// verdicts.
///
/// ```
/// use wsguard_core::origin::{FixedStorage, OwnedPolicy, PolicyList, PolicyStorage};
/// let mut policy = OwnedPolicy::with_storage(FixedStorage::<4, 64>::new());
/// policy.push_pattern("https://*.example.com").unwrap();
/// policy.push_host("api.example.com").unwrap();
/// let s = policy.storage();
/// assert_eq!(s.text(), "https://*.example.comapi.example.com");
/// assert_eq!((s.entries(PolicyList::Patterns).len(), s.entries(PolicyList::Hosts).len()), (1, 1));
/// ```
pub trait PolicyStorage {
    /// The text stored so far.
    fn text(&self) -> &str;
    /// Appends `s` to the text; `false` (and the text unchanged) when it does not fit.
    fn push_text(&mut self, s: &str) -> bool;
    /// Shortens the text to `len` bytes, a length it had before (a longer `len`, or one
    /// that is not on a character boundary, is ignored).
    fn truncate_text(&mut self, len: usize);
    /// The entries of `list`, in the order they were pushed.
    fn entries(&self, list: PolicyList) -> &[PolicyEntry];
    /// Appends `entry` to `list`; `false` (and the table unchanged) when it is full.
    fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool;
}

/// Fixed-capacity storage in the value itself (no heap): `N` entries per list (origin
/// patterns, development hosts, Host allowlist) and `BYTES` bytes of text in all.
///
/// Size: `BYTES + 3 × N × 20` bytes and a few words. [`PolicyBuf<N, BYTES>`](super::PolicyBuf)
/// is an [`OwnedPolicy`](super::OwnedPolicy) over it.
///
/// ```
/// use wsguard_core::origin::{FixedStorage, PolicyStorage};
/// let mut s: FixedStorage<1, 4> = FixedStorage::new();
/// assert!(s.push_text("abcd"));
/// assert!(!s.push_text("e"));
/// s.truncate_text(1);
/// assert_eq!(s.text(), "a");
/// ```
#[derive(Debug, Clone)]
pub struct FixedStorage<const N: usize, const BYTES: usize> {
    text: heapless::String<BYTES>,
    lists: [heapless::Vec<PolicyEntry, N>; 3],
}

impl<const N: usize, const BYTES: usize> FixedStorage<N, BYTES> {
    /// Empty storage.
    ///
    /// ```
    /// use wsguard_core::origin::{FixedStorage, PolicyStorage};
    /// assert_eq!(FixedStorage::<2, 16>::new().text(), "");
    /// ```
    pub const fn new() -> Self {
        FixedStorage {
            text: heapless::String::new(),
            lists: [
                heapless::Vec::new(),
                heapless::Vec::new(),
                heapless::Vec::new(),
            ],
        }
    }
}

impl<const N: usize, const BYTES: usize> Default for FixedStorage<N, BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const BYTES: usize> PolicyStorage for FixedStorage<N, BYTES> {
    fn text(&self) -> &str {
        &self.text
    }

    fn push_text(&mut self, s: &str) -> bool {
        self.text.push_str(s).is_ok()
    }

    fn truncate_text(&mut self, len: usize) {
        // `heapless::String::truncate` panics off a character boundary.
        if self.text.is_char_boundary(len) {
            self.text.truncate(len);
        }
    }

    fn entries(&self, list: PolicyList) -> &[PolicyEntry] {
        &self.lists[list.index()]
    }

    fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool {
        self.lists[list.index()].push(entry).is_ok()
    }
}
