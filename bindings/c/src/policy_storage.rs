//! Memory for the origin policy: the core's `OwnedPolicy` holds the rules (what a valid
//! entry is, the one parse, which capacity error); this module only provides the memory
//! behind its `PolicyStorage` trait, in two forms:
//!
//! * [`CallerStorage`]: inside the caller's storage, after the handle — an entry table of
//!   `max_entries` slots (the three lists together, kept grouped by list) and
//!   `max_text_bytes` of text. The only `unsafe` of the policy's memory is here.
//! * [`HeapStorage`]: a `String` and three `Vec`s that grow (no ceiling but memory).
//!
//! Layout of caller storage (`wsguard_origin_policy_storage_size`):
//! `[handle: HEADER bytes][entries: max_entries × ENTRY bytes][text: max_text_bytes]`.

use wsguard_core::origin::{PolicyEntry, PolicyList, PolicyStorage};

/// Where the parts of a caller storage lie, from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Offset of the entry table (right after the handle).
    pub slots_at: usize,
    /// Entry slots.
    pub slots: usize,
    /// Offset of the text.
    pub text_at: usize,
    /// Text bytes.
    pub text: usize,
    /// Bytes in all.
    pub total: usize,
}

/// The layout for `max_entries` entries and `max_text` bytes after a handle of `header`
/// bytes; `None` when the total does not fit `isize`.
pub(crate) const fn layout(header: usize, max_entries: usize, max_text: usize) -> Option<Layout> {
    let Some(table) = max_entries.checked_mul(core::mem::size_of::<PolicyEntry>()) else {
        return None;
    };
    let Some(text_at) = header.checked_add(table) else {
        return None;
    };
    match text_at.checked_add(max_text) {
        Some(total) if total <= isize::MAX as usize => Some(Layout {
            slots_at: header,
            slots: max_entries,
            text_at,
            text: max_text,
            total,
        }),
        _ => None,
    }
}

/// The policy's storage inside caller memory.
///
/// Invariant (set up by [`CallerStorage::new`], kept by every method): `slots` points to
/// `slots_cap` writable, aligned `PolicyEntry` slots and `text` to `text_cap` writable
/// bytes, disjoint from each other and from the handle that owns this value, valid while
/// the handle is (the caller's contract for `wsguard_origin_policy_init*`: the storage
/// stays valid and unmoved). The first `counts.iter().sum()` slots are initialised,
/// grouped by list (patterns, then development hosts, then Host entries); the first
/// `text_len` bytes are initialised and valid UTF-8 (only whole `&str`s are copied in and
/// the text is only cut on character boundaries).
pub(crate) struct CallerStorage {
    text: *mut u8,
    text_cap: usize,
    text_len: usize,
    slots: *mut PolicyEntry,
    slots_cap: usize,
    /// Most entries one list may hold (the default-capacity storage keeps the documented
    /// per-list limit; sized storage: the whole table).
    list_cap: usize,
    counts: [usize; 3],
}

impl CallerStorage {
    /// Storage laid out as `layout` from `base`.
    ///
    /// # Safety
    /// `base` points to `layout.total` writable bytes aligned for `PolicyEntry`, valid and
    /// unmoved while the returned value is used, of which only the first
    /// `layout.slots_at` bytes (the handle) are used by anything else.
    pub(crate) unsafe fn new(base: *mut u8, layout: Layout, list_cap: usize) -> Self {
        // SAFETY: both offsets are within the `layout.total` bytes at `base`.
        let (slots, text) = unsafe { (base.add(layout.slots_at), base.add(layout.text_at)) };
        debug_assert_eq!(slots as usize % core::mem::align_of::<PolicyEntry>(), 0);
        CallerStorage {
            text,
            text_cap: layout.text,
            text_len: 0,
            slots: slots.cast(),
            slots_cap: layout.slots,
            list_cap,
            counts: [0; 3],
        }
    }

    fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// First slot of `list` (the lists before it come first).
    fn list_start(&self, list: PolicyList) -> usize {
        self.counts[..list.index()].iter().sum()
    }
}

impl PolicyStorage for CallerStorage {
    fn text(&self) -> &str {
        if self.text_len == 0 {
            return "";
        }
        // SAFETY: the first `text_len` bytes are initialised UTF-8 (type invariant).
        unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.text, self.text_len))
        }
    }

    fn push_text(&mut self, s: &str) -> bool {
        if s.len() > self.text_cap - self.text_len {
            return false;
        }
        // SAFETY: `text_len + s.len() <= text_cap` (checked above); `s` is not in the
        // text region (it is the caller's string, never our own storage's bytes).
        unsafe {
            core::ptr::copy_nonoverlapping(s.as_ptr(), self.text.add(self.text_len), s.len())
        };
        self.text_len += s.len();
        true
    }

    fn truncate_text(&mut self, len: usize) {
        if len <= self.text_len && self.text().is_char_boundary(len) {
            self.text_len = len;
        }
    }

    fn entries(&self, list: PolicyList) -> &[PolicyEntry] {
        let n = self.counts[list.index()];
        if n == 0 {
            return &[];
        }
        // SAFETY: slots `start..start + n` are initialised (grouped by list, invariant)
        // and within `slots_cap`.
        unsafe { core::slice::from_raw_parts(self.slots.add(self.list_start(list)), n) }
    }

    fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool {
        let total = self.total();
        if total >= self.slots_cap || self.counts[list.index()] >= self.list_cap {
            return false;
        }
        // The list's new place: after its last entry; the later lists move up one slot.
        let at = self.list_start(list) + self.counts[list.index()];
        // SAFETY: slot `total` is within `slots_cap` (checked above); after the write the
        // slots `..=total` are initialised, and `at <= total`.
        unsafe {
            self.slots.add(total).write(entry);
            core::slice::from_raw_parts_mut(self.slots.add(at), total + 1 - at).rotate_right(1);
        }
        self.counts[list.index()] += 1;
        true
    }
}

/// The policy's storage on the heap: grows with every entry (no ceiling but memory; an
/// allocation failure is "full", never an abort).
#[derive(Default)]
pub(crate) struct HeapStorage {
    text: String,
    lists: [Vec<PolicyEntry>; 3],
}

impl PolicyStorage for HeapStorage {
    fn text(&self) -> &str {
        &self.text
    }

    fn push_text(&mut self, s: &str) -> bool {
        if self.text.try_reserve(s.len()).is_err() {
            return false;
        }
        self.text.push_str(s);
        true
    }

    fn truncate_text(&mut self, len: usize) {
        if len <= self.text.len() && self.text.is_char_boundary(len) {
            self.text.truncate(len);
        }
    }

    fn entries(&self, list: PolicyList) -> &[PolicyEntry] {
        &self.lists[list.index()]
    }

    fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool {
        let v = &mut self.lists[list.index()];
        if v.try_reserve(1).is_err() {
            return false;
        }
        v.push(entry);
        true
    }
}

/// Either storage, behind one type (the handle is the same for both).
pub(crate) enum CStorage {
    Caller(CallerStorage),
    Heap(HeapStorage),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            CStorage::Caller($s) => $e,
            CStorage::Heap($s) => $e,
        }
    };
}

impl PolicyStorage for CStorage {
    fn text(&self) -> &str {
        each!(self, s => s.text())
    }
    fn push_text(&mut self, t: &str) -> bool {
        each!(self, s => s.push_text(t))
    }
    fn truncate_text(&mut self, len: usize) {
        each!(self, s => s.truncate_text(len))
    }
    fn entries(&self, list: PolicyList) -> &[PolicyEntry] {
        each!(self, s => s.entries(list))
    }
    fn push_entry(&mut self, list: PolicyList, entry: PolicyEntry) -> bool {
        each!(self, s => s.push_entry(list, entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsguard_core::origin::OwnedPolicy;

    /// Entries pushed to the lists in any order come back grouped and in order; the
    /// capacity of the table and of one list are both kept.
    #[test]
    fn caller_storage_keeps_lists_apart_and_full_is_full() {
        let lay = layout(0, 5, 128).unwrap();
        let mut mem = vec![0u64; lay.total.div_ceil(8)];
        let storage = unsafe { CallerStorage::new(mem.as_mut_ptr().cast(), lay, 3) };
        let mut p = OwnedPolicy::with_storage(storage);
        p.push_host("h1.example").unwrap();
        p.push_pattern("https://a.example").unwrap();
        p.push_dev_host("web:3000").unwrap();
        p.push_host("h2.example").unwrap();
        p.push_pattern("https://b.example").unwrap();
        assert_eq!(
            p.patterns().map(|x| x.as_str()).collect::<Vec<_>>(),
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(p.hosts().collect::<Vec<_>>(), ["h1.example", "h2.example"]);
        assert_eq!(p.dev_hosts().collect::<Vec<_>>(), ["web:3000"]);
        let text = p.text_len();
        let e = p.push_pattern("https://c.example").unwrap_err();
        assert_eq!(
            wsguard_core::Diagnostic::code(&e),
            "policy_too_many_entries"
        );
        assert_eq!(p.text_len(), text);
        assert!(p.origin_policy().check(Some(b"https://b.example")).is_ok());
        assert!(p.host_policy().check(b"h2.example").is_ok());
    }

    #[test]
    fn layout_overflow_is_none() {
        assert_eq!(layout(16, usize::MAX / 2, 1), None);
        assert_eq!(layout(16, 1, usize::MAX), None);
        assert_eq!(layout(16, 2, 10).map(|l| l.total), Some(16 + 40 + 10));
    }
}
