//! ws/wss URLs: parse and validate, derive the socket URL from a page URL, mixed content.

use crate::ffi::{bytes, bytes_mut, non_null, text, write_opt, write_whole, wsguard_rejection};
use crate::result::{guard, wsguard_result};
use core::ffi::c_char;
use wsguard_core::url::{check_mixed_content, derive_ws_url, HostKind, UrlError, WsUrl};
use wsguard_core::Cursor;

/// A parsed `ws://` / `wss://` URL. Pointers borrow the string you passed.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_url {
    /// `wss://`.
    pub secure: bool,
    /// The host as written (IPv6 keeps its brackets).
    pub host: *const c_char,
    /// Length of `host`.
    pub host_len: usize,
    /// 1 name, 2 IPv4, 3 IPv6.
    pub host_kind: u32,
    /// A port was written.
    pub has_port: bool,
    /// The port written (0 when none).
    pub port: u16,
    /// The port written, or 80/443.
    pub port_or_default: u16,
    /// The path (`/` when empty).
    pub path: *const c_char,
    /// Length of `path`.
    pub path_len: usize,
    /// The query after `?`, or NULL.
    pub query: *const c_char,
    /// Length of `query`.
    pub query_len: usize,
}

fn url_rejection(e: &UrlError) -> wsguard_rejection {
    wsguard_rejection::from_diag(e, 0, 0)
}

unsafe fn parse<'a>(
    url: *const c_char,
    len: usize,
    rejection_out: *mut wsguard_rejection,
) -> Result<WsUrl<'a>, wsguard_result> {
    let b = unsafe { bytes(url.cast(), len)? };
    WsUrl::parse_bytes(b).map_err(|e| {
        unsafe { write_opt(rejection_out, url_rejection(&e)) };
        wsguard_result::InvalidUrl
    })
}

/// Parses and validates a WebSocket URL. `http://`/`https://` are refused (their remedy
/// names the mapping; use `wsguard_url_derive` for page URLs).
///
/// `WSGUARD_RESULT_OK`: `*url_out` set. `WSGUARD_RESULT_INVALID_URL`: `*rejection_out` (may
/// be NULL) says why (`url_scheme`, `url_fragment` …).
///
/// # Safety
/// `url` points to `url_len` bytes; `url_out` writable; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_url_parse(
    url: *const c_char,
    url_len: usize,
    url_out: *mut wsguard_url,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(url_out)?;
        let u = unsafe { parse(url, url_len, rejection_out)? };
        let path = u.path();
        let c = wsguard_url {
            secure: u.secure(),
            host: u.host().as_ptr().cast(),
            host_len: u.host().len(),
            host_kind: match u.host_kind() {
                HostKind::Name => 1,
                HostKind::Ipv4 => 2,
                HostKind::Ipv6 => 3,
            },
            has_port: u.port().is_some(),
            port: u.port().unwrap_or(0),
            port_or_default: u.port_or_default(),
            path: path.as_ptr().cast(),
            path_len: path.len(),
            query: u
                .query()
                .map(|q| q.as_ptr().cast())
                .unwrap_or(core::ptr::null()),
            query_len: u.query().map(|q| q.len()).unwrap_or(0),
        };
        unsafe { url_out.write(c) };
        Ok(())
    })
}

/// What `wsguard_url_write` writes.
pub const WSGUARD_URL_PART_RESOURCE_NAME: u32 = 1;
/// What `wsguard_url_write` writes: the `Host` header value (lowercase, default port elided).
pub const WSGUARD_URL_PART_HOST_HEADER: u32 = 2;

/// Writes a part of a WebSocket URL into `out` (not NUL-terminated): the resource name for
/// the request line (`/path?query`) or the `Host` header value. Errors as
/// `wsguard_url_parse`; `WSGUARD_RESULT_BUFFER_TOO_SMALL` writes only `*needed_out`.
///
/// # Safety
/// As `wsguard_url_parse`; `out` points to `out_len` writable bytes; `written_out` writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_url_write(
    url: *const c_char,
    url_len: usize,
    part: u32,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        if part != WSGUARD_URL_PART_RESOURCE_NAME && part != WSGUARD_URL_PART_HOST_HEADER {
            return Err(wsguard_result::InvalidArgument);
        }
        let u = unsafe { parse(url, url_len, rejection_out)? };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        let write = |buf: &mut [u8]| {
            let mut cur = Cursor::new(buf);
            let r = if part == WSGUARD_URL_PART_RESOURCE_NAME {
                u.write_resource_name(&mut cur)
            } else {
                u.host_header(&mut cur)
            };
            r.and(cur.finish())
        };
        match write_whole(dst, write, |e| Some(e.needed)) {
            Ok(n) => {
                unsafe { written_out.write(n) };
                Ok(())
            }
            Err(w) => Err(unsafe { w.report(needed_out, |_| wsguard_result::BufferTooSmall) }),
        }
    })
}

/// Derives the WebSocket URL from the page URL and a target (a path, a relative reference
/// or an absolute URL): `https` → `wss`, same host and port unless `has_port` (then
/// `port`). Mixed content (`ws://` from an `https` page) is refused. The URL is written into
/// `out` (not NUL-terminated). `out` is also the work space: dot segments (`../`) are
/// removed in place, so the URL may need more room than its final length.
///
/// `WSGUARD_RESULT_OK`: `*written_out` bytes; bytes of `out` after them, up to the size
/// `*needed_out` would report, may have been used as work space. `WSGUARD_RESULT_INVALID_URL`:
/// `*rejection_out` (may be NULL) says why. `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing is
/// written into `out`; `*needed_out` (may be NULL) is the size that succeeds (no upper
/// limit: grow the buffer to it and call again).
///
/// # Safety
/// `page` and `target` point to their lengths in bytes; `out` to `out_len` writable bytes;
/// `written_out` writable; the other outputs NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_url_derive(
    page: *const c_char,
    page_len: usize,
    target: *const c_char,
    target_len: usize,
    has_port: bool,
    port: u16,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let page = unsafe { text(page, page_len)? };
        let target = unsafe { text(target, target_len)? };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        // The core derives in place (dot segments removed inside `out`): its size report is
        // the room the derivation needs, which is what the caller must pass.
        let port = has_port.then_some(port);
        let derive = |buf: &mut [u8]| {
            let start = buf.as_ptr() as usize;
            derive_ws_url(page, target, port, buf).map(|u| {
                // The URL text is `buf[..end]`: it ends with the path or the query.
                let last = u.query().unwrap_or(u.path());
                last.as_ptr() as usize + last.len() - start
            })
        };
        let too_small = |e: &UrlError| match e {
            UrlError::BufferTooSmall { needed } => Some(*needed),
            _ => None,
        };
        match write_whole(dst, derive, too_small) {
            Ok(n) => {
                unsafe { written_out.write(n) };
                Ok(())
            }
            Err(w) => Err(unsafe {
                w.report(needed_out, |e| {
                    write_opt(rejection_out, url_rejection(&e));
                    wsguard_result::InvalidUrl
                })
            }),
        }
    })
}

/// Checks that a page at `page` may open `url` (no `ws://` from an `https://` page; `url`
/// must be a ws/wss URL). `WSGUARD_RESULT_OK` or `WSGUARD_RESULT_INVALID_URL` with
/// `*rejection_out` (may be NULL; `url_mixed_content` …).
///
/// # Safety
/// `page` and `url` point to their lengths in bytes; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_url_check_mixed_content(
    page: *const c_char,
    page_len: usize,
    url: *const c_char,
    url_len: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let page = unsafe { text(page, page_len)? };
        let url = unsafe { text(url, url_len)? };
        check_mixed_content(page, url).map_err(|e| {
            unsafe { write_opt(rejection_out, url_rejection(&e)) };
            wsguard_result::InvalidUrl
        })
    })
}
