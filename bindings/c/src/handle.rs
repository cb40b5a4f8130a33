//! Opaque handles that live either in caller storage (`*_init`, no malloc) or on the heap
//! (`*_new` / `*_free`). A magic number catches use of uninitialised or freed handles
//! (best effort: it cannot make a dangling pointer safe).

use crate::result::wsguard_result;
use core::ffi::c_void;

const MAGIC: u64 = 0x7773_6775_6172_6421; // "wsguard!"

pub(crate) struct Handle<T> {
    magic: u64,
    heap: bool,
    inner: T,
}

/// An opaque C handle type wrapping a `Handle<Inner>`.
pub(crate) trait Wrapped: Sized {
    type Inner;
    /// The documented `*_STORAGE_SIZE`: caller storage smaller than this is refused even
    /// when the type would fit today, so a program that works keeps working after an
    /// upgrade that grows the handle within its documented size.
    const STORAGE_SIZE: usize;
    fn handle(&self) -> &Handle<Self::Inner>;
    fn handle_mut(&mut self) -> &mut Handle<Self::Inner>;
    fn wrap(h: Handle<Self::Inner>) -> Self;
}

/// Moves `inner` into caller storage and returns the handle pointer (the same address).
///
/// # Safety
/// `storage` points to `len` writable bytes that outlive the handle.
pub(crate) unsafe fn init_in<W: Wrapped>(
    storage: *mut c_void,
    len: usize,
    inner: W::Inner,
) -> Result<*mut W, wsguard_result> {
    unsafe { init_in_with::<W>(storage, len, W::STORAGE_SIZE, |_| Ok(inner)) }
}

/// As [`init_in`] for storage that must hold at least `min_len` bytes (and the handle),
/// with the inner value made by `make` from the storage's address once the storage passed
/// the checks (it may keep pointers past the handle, within `min_len`). Nothing is written
/// when a check or `make` fails.
///
/// # Safety
/// `storage` points to `len` writable bytes that outlive the handle.
pub(crate) unsafe fn init_in_with<W: Wrapped>(
    storage: *mut c_void,
    len: usize,
    min_len: usize,
    make: impl FnOnce(*mut u8) -> Result<W::Inner, wsguard_result>,
) -> Result<*mut W, wsguard_result> {
    if storage.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    let size = min_len.max(core::mem::size_of::<W>());
    if len < size || (storage as usize) % core::mem::align_of::<W>() != 0 {
        return Err(wsguard_result::InvalidStorage);
    }
    let inner = make(storage.cast())?;
    let p = storage.cast::<W>();
    // SAFETY: non-NULL, large enough and aligned (checked above); writable per contract.
    unsafe {
        p.write(W::wrap(Handle {
            magic: MAGIC,
            heap: false,
            inner,
        }))
    };
    Ok(p)
}

/// Boxes `inner`; the pointer must be released with [`free`].
pub(crate) fn new_boxed<W: Wrapped>(inner: W::Inner) -> *mut W {
    Box::into_raw(Box::new(W::wrap(Handle {
        magic: MAGIC,
        heap: true,
        inner,
    })))
}

/// # Safety
/// `p` is NULL or points to a `W` (initialised by this module, or garbage caught by MAGIC).
pub(crate) unsafe fn get<'a, W: Wrapped + 'a>(p: *const W) -> Result<&'a W::Inner, wsguard_result> {
    if p.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    // SAFETY: caller's contract.
    let h = unsafe { &*p }.handle();
    if h.magic != MAGIC {
        return Err(wsguard_result::InvalidHandle);
    }
    Ok(&h.inner)
}

/// # Safety
/// As [`get`], and no other reference to `*p` exists during the call.
pub(crate) unsafe fn get_mut<'a, W: Wrapped + 'a>(
    p: *mut W,
) -> Result<&'a mut W::Inner, wsguard_result> {
    if p.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    // SAFETY: caller's contract.
    let h = unsafe { &mut *p }.handle_mut();
    if h.magic != MAGIC {
        return Err(wsguard_result::InvalidHandle);
    }
    Ok(&mut h.inner)
}

/// Marks the handle dead; frees it when it was boxed. NULL and dead handles are ignored.
///
/// # Safety
/// `p` is NULL or a handle from this module not used after this call.
pub(crate) unsafe fn free<W: Wrapped>(p: *mut W) {
    if p.is_null() {
        return;
    }
    // SAFETY: caller's contract.
    let h = unsafe { &mut *p }.handle_mut();
    if h.magic != MAGIC {
        return;
    }
    h.magic = 0;
    if h.heap {
        // SAFETY: created by `new_boxed` (heap flag), freed once (magic cleared above).
        drop(unsafe { Box::from_raw(p) });
    }
}
