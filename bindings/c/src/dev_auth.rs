//! The development auth bypass for C servers (issue 16 item 6): the startup decision
//! and the per-connection warning line, both from the core
//! (`wsguard_core::handshake::DevAuthBypass`, `DevAuthNotice`).
//!
//! Set `wsguard_server_options.dev_auth_bypass` (and `dev_auth_listen`), call
//! [`wsguard_dev_auth_check`] once at startup and exit when it fails; for each request
//! whose `wsguard_accepted.dev_auth_bypassed` is true, log the line
//! [`wsguard_server_dev_auth_notice`] writes.

use crate::ffi::{bytes, bytes_mut, non_null, write_display, write_opt, wsguard_rejection};
use crate::origin::{policy_data, wsguard_origin_policy};
use crate::result::{guard, wsguard_result};
use crate::server::{
    dev_auth_of, options_or_default, run, token_of, wsguard_server_options, Outcome,
};
use core::ffi::c_char;
use wsguard_core::handshake::DevAuthNotice;

/// The development auth bypass's startup check: with `options->dev_auth_bypass` on, the
/// core refuses a policy without `WSGUARD_POLICY_DEVELOPMENT` (`dev_auth_bypass_production`;
/// no override) and a `dev_auth_listen` that is not loopback (`dev_auth_bypass_non_loopback`,
/// or `dev_auth_bypass_listen_unknown` for NULL or a host name) unless
/// `dev_auth_bypass_allow_non_loopback` is set. Refuse to start on a refusal: the bypass
/// would not apply anyway (`wsguard_server_validate` fails closed).
///
/// * `WSGUARD_RESULT_OK`: the bypass is off, or it may run.
/// * `WSGUARD_RESULT_INVALID_CONFIG`: refused; `*rejection_out` (may be NULL) has the
///   code, reason and remedy (status 0).
///
/// # Safety
/// `policy` live; `options` NULL or valid (its strings valid); `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_dev_auth_check(
    policy: *const wsguard_origin_policy,
    options: *const wsguard_server_options,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { policy_data(policy)? };
        let o = unsafe { options_or_default(options) };
        let (bypass, listen) = unsafe { dev_auth_of(&o)? };
        let preset = data.with_view(|v| v.origin.preset_kind());
        bypass.check(preset, listen).map_err(|r| {
            unsafe { write_opt(rejection_out, wsguard_rejection::from_diag(&r, 0, 0)) };
            wsguard_result::InvalidConfig
        })
    })
}

/// Writes the warning line to log for a request the development auth bypass let in
/// (the core's `dev_auth_bypass_used` notice: target escaped with query tokens redacted,
/// Origin escaped), not NUL-terminated, into `out`; `*written_out` is its length. The
/// request is validated again exactly as `wsguard_server_validate` does.
///
/// * `WSGUARD_RESULT_OK`: written.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written; `*needed_out` (may be NULL) is
///   the size needed (1 KiB suffices unless the target or Origin is longer).
/// * `WSGUARD_RESULT_INVALID_ARGUMENT`: the request was accepted without the bypass
///   (nothing to log). `WSGUARD_RESULT_HANDSHAKE_REJECTED` / `INCOMPLETE`: as validate.
///
/// # Safety
/// As `wsguard_server_validate`; `out` points to `out_len` writable bytes; `written_out`
/// writable; `needed_out` NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_server_dev_auth_notice(
    policy: *const wsguard_origin_policy,
    options: *const wsguard_server_options,
    request: *const u8,
    request_len: usize,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let req = unsafe { bytes(request, request_len)? };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        let o = unsafe { options_or_default(options) };
        let token = unsafe { token_of(&o, core::ptr::null_mut())? };
        unsafe {
            run(
                policy,
                options,
                req,
                core::ptr::null_mut(),
                |outcome| match outcome {
                    Outcome::Accepted(a) if a.dev_auth_bypassed => {
                        let notice = DevAuthNotice::for_accepted(&token, &a);
                        write_display(dst, &notice, written_out, needed_out)
                    }
                    Outcome::Accepted(_) => Err(wsguard_result::InvalidArgument),
                    Outcome::Rejected(_) => Err(wsguard_result::HandshakeRejected),
                },
            )
        }
    })
}
