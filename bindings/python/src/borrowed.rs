//! Header fields borrowed straight from an ASGI scope's header list, through the C API.
//!
//! This is the only `unsafe` of the binding. The accept path of the framework integrations
//! (issue 17 item 1) spent more on reading `[(b"name", b"value"), ...]` through safe pyo3
//! (a new reference and a type check per tuple and per `bytes`, each a function call in
//! the abi3 build) than the core spends validating the fields. Here the list is read the
//! way CPython's own C code reads it: borrowed references, exact-type checks by pointer
//! comparison, and the `bytes` buffers lent as slices — no reference count is touched and
//! no Python object is created per header.
//!
//! Only the exact shapes the servers build are read here: a `list` (exactly `list`) of
//! 2-`tuple`s (exactly `tuple`) of `bytes` (ASGI) or `str` (the `websockets` hook; its
//! UTF-8, which CPython keeps with the string — for ASCII text the string's own buffer).
//! Anything else — a subclass, a `[name, value]` list, `bytearray` values, text that is
//! not UTF-8 (lone surrogates), a tuple of another length — makes [`exact_pairs`] return
//! `false`, and the caller reads the list the safe way (`guard::read_pairs`), which also
//! produces the error messages for bad shapes.
//!
//! Soundness rests on three facts, each upheld by the caller of [`exact_pairs`]:
//! 1. the GIL is held for as long as the slices are used (no other thread runs Python);
//! 2. the caller holds a strong reference to the list (`list` borrows it for `'a`);
//! 3. no Python code runs while the slices are used: the list is the only mutable object
//!    on the path (tuples and `bytes` are immutable), and only Python code could change
//!    it. The caller therefore does every dictionary lookup and conversion that might run
//!    Python code *before* calling [`exact_pairs`], and afterwards only Rust code (the
//!    core's `validate_fields`) until the verdict has copied what it keeps.

use pyo3::ffi;
use pyo3::prelude::*;

/// Lends every `(name, value)` of `list` to `push` as byte slices, when `list` is an
/// exact `list` of exact 2-`tuple`s of exact `bytes` or `str`; returns `false` (after possibly
/// pushing a prefix, which the caller discards) at the first item of any other shape.
///
/// # Safety
/// The caller must hold the GIL (it does: `list` is bound to a `Python` token) and must
/// not run Python code — call anything that could execute `__eq__`, `__iter__`, a
/// property, a finaliser — while the pushed slices are alive. See the module docs.
pub(crate) unsafe fn exact_pairs<'a>(
    list: &'a Bound<'_, PyAny>,
    mut push: impl FnMut(&'a [u8], &'a [u8]),
) -> bool {
    let list = list.as_ptr();
    // SAFETY: `list` is a live object (the caller's strong reference); the checks below
    // are pointer comparisons on its type, then calls valid for that type.
    unsafe {
        if ffi::PyList_CheckExact(list) == 0 {
            return false;
        }
        let len = ffi::PyList_Size(list);
        for i in 0..len {
            // Borrowed: owned by the list, which the caller keeps alive and unmodified.
            let item = ffi::PyList_GetItem(list, i);
            if item.is_null() || ffi::PyTuple_CheckExact(item) == 0 || ffi::PyTuple_Size(item) != 2
            {
                ffi::PyErr_Clear();
                return false;
            }
            let name = bytes(ffi::PyTuple_GetItem(item, 0));
            let value = bytes(ffi::PyTuple_GetItem(item, 1));
            let (Some(name), Some(value)) = (name, value) else {
                ffi::PyErr_Clear();
                return false;
            };
            push(name, value);
        }
    }
    true
}

/// The buffer of an exact `bytes` object, or the UTF-8 of an exact `str`, lent for `'a`.
///
/// # Safety
/// `obj` is null or a borrowed reference that stays alive for `'a` (the caller's contract
/// of [`exact_pairs`]).
unsafe fn bytes<'a>(obj: *mut ffi::PyObject) -> Option<&'a [u8]> {
    // SAFETY: a non-null `obj` is a live object. An exact `bytes` has an immutable buffer
    // of `PyBytes_Size` bytes at `PyBytes_AsString` for as long as it lives; an exact `str`
    // keeps the UTF-8 that `PyUnicode_AsUTF8AndSize` returns for as long as it lives.
    unsafe {
        if obj.is_null() {
            return None;
        }
        let (data, len) = if ffi::PyBytes_CheckExact(obj) != 0 {
            (
                ffi::PyBytes_AsString(obj).cast_const(),
                ffi::PyBytes_Size(obj),
            )
        } else if ffi::Py_TYPE(obj) == &raw mut ffi::PyUnicode_Type {
            let mut len: ffi::Py_ssize_t = 0;
            (ffi::PyUnicode_AsUTF8AndSize(obj, &mut len), len)
        } else {
            return None;
        };
        let len = usize::try_from(len).ok()?;
        if data.is_null() {
            return None;
        }
        Some(core::slice::from_raw_parts(data.cast::<u8>(), len))
    }
}
