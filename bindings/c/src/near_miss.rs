//! `wsguard_origin_policy_near_miss`: which allowed entry a refused Origin or Host came
//! closest to, and why it does not match (the core's `origin::NearMiss`).

use crate::ffi::{bytes, bytes_mut, non_null, write_display, write_opt, wsguard_str};
use crate::origin::{policy_data, wsguard_origin_policy};
use crate::result::{guard, wsguard_result};
use core::ffi::c_char;
use wsguard_core::Diagnostic;

/// Explains a refused value: with `is_host == false`, `value` is an Origin header value
/// checked against the policy's allowed origins; with `is_host == true`, a Host value
/// checked against its Host allowlist.
///
/// On `WSGUARD_RESULT_OK`: when an entry comes close, the sentence (naming the entry, the
/// value and what to write, e.g. the port list `http://localhost:[3000,5173]`) is in
/// `buf` (`*written_out` bytes, no NUL) and `*code_out` (may be NULL) is its stable code
/// (`near_port`, `near_ws_scheme` …); when none does, `*written_out == 0` and the code is
/// empty. `WSGUARD_RESULT_BUFFER_TOO_SMALL` with `*needed_out` (may be NULL) when `buf`
/// is too small. Allocates nothing; keeps no pointer.
///
/// # Safety
/// `policy` is live; `value` points to `value_len` bytes; `buf` to `buf_len` writable
/// bytes; `written_out` writable; `needed_out`/`code_out` NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_origin_policy_near_miss(
    policy: *const wsguard_origin_policy,
    value: *const c_char,
    value_len: usize,
    is_host: bool,
    buf: *mut c_char,
    buf_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    code_out: *mut wsguard_str,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let data = unsafe { policy_data(policy)? };
        let value = unsafe { bytes(value.cast(), value_len)? };
        let dst = unsafe { bytes_mut(buf.cast(), buf_len)? };
        data.with_view(|v| {
            let miss = if is_host {
                v.hosts.near_miss(value)
            } else {
                v.origin.near_miss(value)
            };
            match miss {
                None => {
                    unsafe { written_out.write(0) };
                    unsafe { write_opt(code_out, wsguard_str::EMPTY) };
                    Ok(())
                }
                Some(m) => {
                    unsafe { write_display(dst, &m, written_out, needed_out)? };
                    unsafe { write_opt(code_out, wsguard_str::from_static(m.code())) };
                    Ok(())
                }
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::{
        wsguard_origin_policy_allow, wsguard_origin_policy_free, wsguard_origin_policy_new,
    };

    #[test]
    fn port_near_miss_is_written() {
        let mut p: *mut wsguard_origin_policy = core::ptr::null_mut();
        unsafe {
            assert_eq!(wsguard_origin_policy_new(0, &mut p), wsguard_result::Ok);
            let pat = "http://localhost:3000";
            assert_eq!(
                wsguard_origin_policy_allow(
                    p,
                    pat.as_ptr().cast(),
                    pat.len(),
                    core::ptr::null_mut()
                ),
                wsguard_result::Ok
            );
            let origin = "http://localhost:5173";
            let mut buf = [0u8; 256];
            let (mut n, mut code) = (0usize, wsguard_str::EMPTY);
            let r = wsguard_origin_policy_near_miss(
                p,
                origin.as_ptr().cast(),
                origin.len(),
                false,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut n,
                core::ptr::null_mut(),
                &mut code,
            );
            assert_eq!(r, wsguard_result::Ok);
            let text = core::str::from_utf8(&buf[..n]).unwrap();
            assert!(text.ends_with("`http://localhost:[3000,5173]`"), "{text}");
            assert_eq!(bytes(code.ptr.cast(), code.len).unwrap(), b"near_port");
            let mut small = [0u8; 8];
            let mut need = 0usize;
            let r = wsguard_origin_policy_near_miss(
                p,
                origin.as_ptr().cast(),
                origin.len(),
                false,
                small.as_mut_ptr().cast(),
                small.len(),
                &mut n,
                &mut need,
                core::ptr::null_mut(),
            );
            assert_eq!(r, wsguard_result::BufferTooSmall);
            assert_eq!(need, text.len());
            wsguard_origin_policy_free(p);
        }
    }
}
