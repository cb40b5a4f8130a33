//! `&'static str` for policy strings.
//!
//! The core's policy types borrow their patterns (`Pattern<'a>`, `&'a [&'a str]`), which is
//! right for no_std but cannot live inside a Python object without self-reference. Each
//! *distinct* pattern/host string is therefore leaked once and shared by every policy that
//! uses it: memory is bounded by the number of distinct strings a process configures
//! (policies are built at start-up), and no unsafe code is needed.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

static TABLE: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();

/// Longest string interned; longer policy entries are refused before reaching here.
pub const MAX_INTERNED: usize = 1024;

/// Returns the shared `'static` copy of `s`.
pub fn intern(s: &str) -> &'static str {
    let table = TABLE.get_or_init(|| Mutex::new(HashSet::new()));
    let mut guard = match table.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(existing) = guard.get(s) {
        return existing;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    guard.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::intern;

    #[test]
    fn same_string_same_pointer() {
        let a = intern("https://a.example");
        let b = intern(&String::from("https://a.example"));
        assert!(std::ptr::eq(a, b));
        assert_ne!(intern("x").as_ptr(), intern("y").as_ptr());
    }
}
