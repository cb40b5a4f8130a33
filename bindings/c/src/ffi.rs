//! Pointer/length checks shared by every entry point, and the string and rejection types
//! that cross the boundary.
//!
//! Rules applied here once for every function: a NULL pointer with a non-zero length is
//! `WSGUARD_RESULT_NULL_ARGUMENT`; a length above `isize::MAX` is
//! `WSGUARD_RESULT_INVALID_LENGTH`; outputs are checked for NULL *before* any work so that
//! nothing is written on failure.

use crate::result::{guard, guard_value, wsguard_result};
use std::ffi::c_char;
use wsguard_core::Diagnostic;

/// A string that lives for the whole program (static storage, never freed), given as a
/// pointer and a length. It is NOT NUL-terminated: print it with
/// `printf("%.*s", (int)s.len, s.ptr)`, compare it with `wsguard_str_eq()`, or copy it
/// into your own buffer with `wsguard_str_copy()`. An empty string has `len == 0` and a
/// non-NULL `ptr`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_str {
    /// First byte (UTF-8); never NULL.
    pub ptr: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

impl wsguard_str {
    pub(crate) fn from_static(s: &'static str) -> Self {
        wsguard_str {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }
    pub(crate) const EMPTY: wsguard_str = wsguard_str {
        ptr: c"".as_ptr(),
        len: 0,
    };
}

/// Why an input was refused: everything a person or a program needs, from the core's
/// diagnostic. All strings are static (they live forever; never free them).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_rejection {
    /// Stable machine code in snake_case (e.g. `origin_not_allowed`); safe to match on.
    pub code: wsguard_str,
    /// One sentence saying what went wrong.
    pub reason: wsguard_str,
    /// What to change so that it works.
    pub remedy: wsguard_str,
    /// HTTP status to answer with (e.g. 403), or 0 when none applies.
    pub http_status: u16,
    /// WebSocket close code to send (e.g. 1002), or 0 when none applies.
    pub close_code: u16,
    /// Stable sub-code refining `code` (e.g. `trailing_slash` for `origin_malformed`);
    /// empty (`len == 0`) when there is none.
    pub detail: wsguard_str,
}

impl wsguard_rejection {
    pub(crate) fn from_diag(d: &dyn Diagnostic, http_status: u16, close_code: u16) -> Self {
        wsguard_rejection {
            code: wsguard_str::from_static(d.code()),
            reason: wsguard_str::from_static(d.reason()),
            remedy: wsguard_str::from_static(d.remedy()),
            http_status,
            close_code,
            detail: wsguard_str::EMPTY,
        }
    }

    pub(crate) fn with_detail(mut self, detail: &'static str) -> Self {
        self.detail = wsguard_str::from_static(detail);
        self
    }

    pub(crate) const EMPTY: wsguard_rejection = wsguard_rejection {
        code: wsguard_str::EMPTY,
        reason: wsguard_str::EMPTY,
        remedy: wsguard_str::EMPTY,
        http_status: 0,
        close_code: 0,
        detail: wsguard_str::EMPTY,
    };
}

/// Borrows `len` bytes at `ptr`. NULL is allowed only when `len == 0`.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], wsguard_result> {
    if len > isize::MAX as usize {
        return Err(wsguard_result::InvalidLength);
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    // SAFETY: non-NULL, length bounded, validity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows `len` writable bytes at `ptr`. NULL is allowed only when `len == 0`.
///
/// # Safety
/// `ptr` must point to `len` writable bytes, not aliased, valid for `'a`.
pub(crate) unsafe fn bytes_mut<'a>(
    ptr: *mut u8,
    len: usize,
) -> Result<&'a mut [u8], wsguard_result> {
    if len > isize::MAX as usize {
        return Err(wsguard_result::InvalidLength);
    }
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    // SAFETY: as above.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Borrows a `const char *` + length as UTF-8 text.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, wsguard_result> {
    let b = unsafe { bytes(ptr.cast(), len)? };
    core::str::from_utf8(b).map_err(|_| wsguard_result::NotUtf8)
}

/// An optional string option: NULL is `None` ("off"), anything else [`text`] (a
/// non-NULL pointer with length 0 is `Some("")`).
///
/// # Safety
/// As [`text`] when `p` is not NULL.
pub(crate) unsafe fn opt_text<'a>(
    p: *const c_char,
    n: usize,
) -> Result<Option<&'a str>, wsguard_result> {
    if p.is_null() {
        Ok(None)
    } else {
        Ok(Some(unsafe { text(p, n)? }))
    }
}

/// Borrows `n` elements at `p` (an array argument and its count). NULL is allowed only
/// when `n == 0`; a count whose bytes pass `isize::MAX` is `InvalidLength`.
///
/// # Safety
/// `p` must point to `n` readable elements that stay valid for `'a`.
pub(crate) unsafe fn slice_of<'a, T>(p: *const T, n: usize) -> Result<&'a [T], wsguard_result> {
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    if n > isize::MAX as usize / core::mem::size_of::<T>().max(1) {
        return Err(wsguard_result::InvalidLength);
    }
    Ok(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Fails with `NullArgument` when `p` is NULL (used for outputs before any work).
pub(crate) fn non_null<T>(p: *const T) -> Result<(), wsguard_result> {
    if p.is_null() {
        Err(wsguard_result::NullArgument)
    } else {
        Ok(())
    }
}

/// Writes `v` to `out` when `out` is not NULL.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub(crate) unsafe fn write_opt<T>(out: *mut T, v: T) {
    if !out.is_null() {
        // SAFETY: caller's contract.
        unsafe { out.write(v) };
    }
}

/// Copies a string into a caller buffer and NUL-terminates it.
///
/// On success writes `len + 1` bytes (the text and a NUL) into `buf` and the text length
/// (without the NUL) into `*written_out`. When `buf_len < len + 1`, nothing is written into
/// `buf` or `*written_out` and `WSGUARD_RESULT_BUFFER_TOO_SMALL` is returned.
/// `buf` may be any caller memory; wsguard keeps no pointer to it.
///
/// # Safety
/// `buf` points to `buf_len` writable bytes; `written_out` to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_str_copy(
    s: wsguard_str,
    buf: *mut c_char,
    buf_len: usize,
    written_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let src = unsafe { bytes(s.ptr.cast(), s.len)? };
        let dst = unsafe { bytes_mut(buf.cast(), buf_len)? };
        let need = src
            .len()
            .checked_add(1)
            .ok_or(wsguard_result::InvalidLength)?;
        let d = dst.get_mut(..need).ok_or(wsguard_result::BufferTooSmall)?;
        let (text, nul) = d.split_at_mut(src.len());
        text.copy_from_slice(src);
        nul.fill(0);
        unsafe { written_out.write(src.len()) };
        Ok(())
    })
}

/// `true` when `s` holds exactly the NUL-terminated string `cstr` (false when `cstr` is
/// NULL). Allocates nothing; keeps no pointer.
///
/// # Safety
/// `cstr` is NULL or a NUL-terminated string; `s` came from wsguard.
#[no_mangle]
pub unsafe extern "C" fn wsguard_str_eq(s: wsguard_str, cstr: *const c_char) -> bool {
    guard_value(false, || {
        if cstr.is_null() {
            return false;
        }
        let c = unsafe { std::ffi::CStr::from_ptr(cstr) }.to_bytes();
        matches!(unsafe { bytes(s.ptr.cast(), s.len) }, Ok(b) if b == c)
    })
}

/// Runs a core writer on `dst` only when its whole output fits, so that a buffer that is
/// too small is never touched (the C contract: nothing is written on failure).
///
/// The writer first runs over an empty buffer: core writers keep counting past the end,
/// so that dry run reports the exact size (`too_small(&e)`), or a refusal that needs no
/// room at all (returned as is, `dst` untouched). Only then does it run on `dst`.
pub(crate) fn write_whole<E>(
    dst: &mut [u8],
    mut write: impl FnMut(&mut [u8]) -> Result<usize, E>,
    too_small: impl Fn(&E) -> Option<usize>,
) -> Result<usize, Whole<E>> {
    match write(&mut []) {
        Ok(_) => {}
        Err(e) => match too_small(&e) {
            Some(needed) if needed > dst.len() => return Err(Whole::TooSmall(needed)),
            Some(_) => {}
            None => return Err(Whole::Refused(e)),
        },
    }
    match write(dst) {
        Ok(n) => Ok(n),
        Err(e) => Err(too_small(&e).map_or(Whole::Refused(e), Whole::TooSmall)),
    }
}

/// Why [`write_whole`] wrote nothing.
pub(crate) enum Whole<E> {
    /// `dst` is too small; the exact size needed.
    TooSmall(usize),
    /// The writer refused its input (no byte of `dst` was written).
    Refused(E),
}

impl<E> Whole<E> {
    /// Reports `TooSmall` through `needed_out` as `BUFFER_TOO_SMALL`; `Refused` through
    /// `refused`.
    ///
    /// # Safety
    /// `needed_out` is NULL or valid for writes.
    pub(crate) unsafe fn report(
        self,
        needed_out: *mut usize,
        refused: impl FnOnce(E) -> wsguard_result,
    ) -> wsguard_result {
        match self {
            Whole::TooSmall(n) => {
                // SAFETY: caller's contract.
                unsafe { write_opt(needed_out, n) };
                wsguard_result::BufferTooSmall
            }
            Whole::Refused(e) => refused(e),
        }
    }
}

/// Writes a refusal's answer into `dst` when it fits whole: then `*written_out` is its
/// length, `*rejection_out` (may be NULL) is `rejection`, and the call returns `verdict`;
/// when `dst` is too small only `*needed_out` (may be NULL) is written. The outputs come
/// as `(written_out, needed_out, rejection_out)`.
///
/// # Safety
/// `written_out` is valid for writes; `needed_out` and `rejection_out` are NULL or valid.
pub(crate) unsafe fn write_refusal_answer(
    dst: &mut [u8],
    write: impl FnMut(&mut [u8]) -> Result<usize, wsguard_core::BufferTooSmall>,
    (written_out, needed_out, rejection_out): (*mut usize, *mut usize, *mut wsguard_rejection),
    (rejection, verdict): (wsguard_rejection, wsguard_result),
) -> Result<(), wsguard_result> {
    match write_whole(dst, write, |e| Some(e.needed)) {
        Ok(n) => {
            // SAFETY: caller's contract.
            unsafe { written_out.write(n) };
            unsafe { write_opt(rejection_out, rejection) };
            Err(verdict)
        }
        Err(w) => Err(unsafe { w.report(needed_out, |_| wsguard_result::BufferTooSmall) }),
    }
}

/// Formats `value` into the caller buffer `dst` when it fits: on success `*written_out`
/// is its length; when `dst` is too small nothing is written into it and `*needed_out`
/// (may be NULL) is the size the text needs.
///
/// # Safety
/// `written_out` is valid for writes; `needed_out` is NULL or valid for writes.
pub(crate) unsafe fn write_display(
    dst: &mut [u8],
    value: &dyn core::fmt::Display,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> Result<(), wsguard_result> {
    let fmt = |buf: &mut [u8]| {
        let mut cur = wsguard_core::Cursor::new(buf);
        let _ = core::fmt::write(&mut cur, format_args!("{value}"));
        cur.finish()
    };
    match write_whole(dst, fmt, |e| Some(e.needed)) {
        Ok(n) => {
            // SAFETY: caller's contract.
            unsafe { written_out.write(n) };
            Ok(())
        }
        Err(w) => Err(unsafe { w.report(needed_out, |_| wsguard_result::BufferTooSmall) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_copy_writes_only_on_success() {
        let s = wsguard_str::from_static("abc");
        let mut buf = [0x55u8; 3];
        let mut w = 99usize;
        let r = unsafe { wsguard_str_copy(s, buf.as_mut_ptr().cast(), buf.len(), &mut w) };
        assert_eq!((r, buf, w), (wsguard_result::BufferTooSmall, [0x55; 3], 99));
        let mut buf = [0x55u8; 4];
        let r = unsafe { wsguard_str_copy(s, buf.as_mut_ptr().cast(), buf.len(), &mut w) };
        assert_eq!((r, &buf, w), (wsguard_result::Ok, b"abc\0", 3));
        let r = unsafe { wsguard_str_copy(s, std::ptr::null_mut(), 4, &mut w) };
        assert_eq!(r, wsguard_result::NullArgument);
        assert!(unsafe { wsguard_str_eq(s, c"abc".as_ptr()) });
        assert!(!unsafe { wsguard_str_eq(s, c"ab".as_ptr()) });
        assert!(!unsafe { wsguard_str_eq(s, std::ptr::null()) });
    }
}
