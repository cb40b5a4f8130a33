//! Server side of the opening handshake: validate an upgrade request against an origin
//! policy and plain options, and write the 101 or the exact rejection response.
//!
//! Options are a plain `#[repr(C)]` struct read only during the call, so nothing here
//! needs storage or allocation.

use crate::ffi::{
    bytes, bytes_mut, non_null, opt_text, text, write_opt, write_refusal_answer, write_whole,
    wsguard_rejection, wsguard_str,
};
use crate::origin::{policy_data, slice_of, wsguard_origin_policy};
use crate::result::{guard, wsguard_result};
use core::ffi::c_char;
use wsguard_core::handshake::{
    validate_request, write_accept_response, write_rejection_response, AcceptKey, Accepted,
    DevAuthBypass, Limits, Rejection, ServerConfig, SubprotocolToken, TokenConfig,
};
use wsguard_core::Status;

/// Most subprotocols `wsguard_server_options.subprotocols` may list.
pub const WSGUARD_SERVER_MAX_SUBPROTOCOLS: usize = 16;
/// Length of a `Sec-WebSocket-Accept` value (base64 of a SHA-1 digest), without NUL.
pub const WSGUARD_ACCEPT_LEN: usize = 28;

/// Server handshake options besides the origin policy. Fill with
/// `wsguard_server_options_default()`, then set fields. Every string is `pointer + length`;
/// a NULL string pointer means "off". wsguard reads them only during a call.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_server_options {
    /// Subprotocols the server speaks, most preferred first (`count` entries; may be NULL
    /// when `subprotocols_count == 0`). The server's order wins.
    pub subprotocols: *const *const c_char,
    /// Lengths of the `subprotocols` strings.
    pub subprotocol_lens: *const usize,
    /// Number of subprotocols (at most `WSGUARD_SERVER_MAX_SUBPROTOCOLS`).
    pub subprotocols_count: usize,
    /// Refuse (400 `subprotocol_no_match`) when no subprotocol is chosen.
    pub require_subprotocol: bool,
    /// Read a bearer token from `Authorization: Bearer <token>`.
    pub token_authorization: bool,
    /// Read the token from a `Sec-WebSocket-Protocol` entry `<prefix><token>` (NULL: off).
    /// One form only: with `token_subprotocol_pair` also set, or an empty string, every
    /// call taking these options returns `WSGUARD_RESULT_INVALID_CONFIG` with the core's
    /// code (`token_subprotocol_conflict`, `token_subprotocol_empty_prefix`); check once
    /// with `wsguard_server_options_check`.
    pub token_subprotocol_prefix: *const c_char,
    /// Length of `token_subprotocol_prefix`.
    pub token_subprotocol_prefix_len: usize,
    /// Read the token from the entry after a marker entry, `bearer, <token>` (NULL: off).
    /// Not together with `token_subprotocol_prefix` (`token_subprotocol_conflict`); not
    /// empty (`token_subprotocol_empty_marker`).
    pub token_subprotocol_pair: *const c_char,
    /// Length of `token_subprotocol_pair`.
    pub token_subprotocol_pair_len: usize,
    /// Read the token from this query parameter, e.g. `token` for `?token=…` (NULL: off).
    pub token_query: *const c_char,
    /// Length of `token_query`.
    pub token_query_len: usize,
    /// Refuse (401 `token_missing`) when no token was found.
    pub token_required: bool,
    /// Most header fields accepted (default 32).
    pub max_headers: usize,
    /// Longest line in bytes (default 8192).
    pub max_line: usize,
    /// Largest request head in bytes (default 16384).
    pub max_total: usize,
    /// Development only: accept a request without a token instead of refusing it with
    /// 401 `token_missing` (`wsguard_accepted.dev_auth_bypassed` says so; log
    /// `wsguard_server_dev_auth_notice`). Applies only when the policy has
    /// `WSGUARD_POLICY_DEVELOPMENT` and `dev_auth_listen` passes the core's check —
    /// call `wsguard_dev_auth_check` at startup and refuse to start when it fails.
    pub dev_auth_bypass: bool,
    /// The second, explicit override: the bypass also when `dev_auth_listen` is not a
    /// loopback address (a development container on 0.0.0.0). Never allows production.
    pub dev_auth_bypass_allow_non_loopback: bool,
    /// The address the server listens on (`127.0.0.1:8080`, `[::1]:8080`, a Unix socket
    /// path), as text; NULL: unknown (the bypass then needs the override).
    pub dev_auth_listen: *const c_char,
    /// Length of `dev_auth_listen`.
    pub dev_auth_listen_len: usize,
}

/// Fills `*options_out` with the defaults: no subprotocols, no token, default limits.
///
/// # Safety
/// `options_out` is NULL (an error) or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_server_options_default(
    options_out: *mut wsguard_server_options,
) -> wsguard_result {
    guard(|| {
        non_null(options_out)?;
        let l = Limits::DEFAULT;
        let o = wsguard_server_options {
            subprotocols: core::ptr::null(),
            subprotocol_lens: core::ptr::null(),
            subprotocols_count: 0,
            require_subprotocol: false,
            token_authorization: false,
            token_subprotocol_prefix: core::ptr::null(),
            token_subprotocol_prefix_len: 0,
            token_subprotocol_pair: core::ptr::null(),
            token_subprotocol_pair_len: 0,
            token_query: core::ptr::null(),
            token_query_len: 0,
            token_required: false,
            max_headers: l.max_headers,
            max_line: l.max_line,
            max_total: l.max_total,
            dev_auth_bypass: false,
            dev_auth_bypass_allow_non_loopback: false,
            dev_auth_listen: core::ptr::null(),
            dev_auth_listen_len: 0,
        };
        unsafe { options_out.write(o) };
        Ok(())
    })
}

/// A valid upgrade request. Every pointer points INTO the request buffer you passed (or,
/// for `subprotocol`, possibly into your options' strings): valid while those are. Absent
/// values are NULL with length 0. Nothing is NUL-terminated except `accept`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_accepted {
    /// The path, without the query.
    pub path: *const c_char,
    /// Length of `path`.
    pub path_len: usize,
    /// The query after `?` (not percent-decoded), or NULL.
    pub query: *const c_char,
    /// Length of `query`.
    pub query_len: usize,
    /// The Host header value.
    pub host: *const c_char,
    /// Length of `host`.
    pub host_len: usize,
    /// The Origin header as received, or NULL when absent (and allowed).
    pub origin: *const c_char,
    /// Length of `origin`.
    pub origin_len: usize,
    /// The chosen subprotocol, or NULL.
    pub subprotocol: *const c_char,
    /// Length of `subprotocol`.
    pub subprotocol_len: usize,
    /// The bearer token exactly as sent, or NULL.
    pub token: *const c_char,
    /// Length of `token`.
    pub token_len: usize,
    /// Where the token was found: `authorization`, `subprotocol` or `query` (static;
    /// empty when there is no token).
    pub token_source: wsguard_str,
    /// The extensions offered in `Sec-WebSocket-Extensions` (all headers, in order; parsed,
    /// not negotiated): the first `WSGUARD_ACCEPTED_MAX_EXTENSIONS` of them.
    pub extensions: [wsguard_extension_offer; WSGUARD_ACCEPTED_MAX_EXTENSIONS],
    /// Number of extensions offered (may exceed `WSGUARD_ACCEPTED_MAX_EXTENSIONS`; only
    /// that many are in `extensions`).
    pub extensions_count: usize,
    /// The `Sec-WebSocket-Accept` value to send, NUL-terminated (28 characters).
    pub accept: [c_char; 29],
    /// Bytes of the request head. Bytes after it already belong to the WebSocket stream.
    pub consumed: usize,
    /// `true` when the request carried no token and the development auth bypass let it
    /// in (`wsguard_server_options.dev_auth_bypass`): treat it as unauthenticated and log
    /// `wsguard_server_dev_auth_notice`.
    pub dev_auth_bypassed: bool,
}

/// Most extension offers `wsguard_accepted.extensions` holds.
pub const WSGUARD_ACCEPTED_MAX_EXTENSIONS: usize = 8;

/// One offered extension (`permessage-deflate; client_max_window_bits`). Both strings
/// point into the request buffer.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_extension_offer {
    /// The extension name (`permessage-deflate`).
    pub name: *const c_char,
    /// Length of `name`.
    pub name_len: usize,
    /// The raw parameters after the first `;` (may be empty).
    pub params: *const c_char,
    /// Length of `params`.
    pub params_len: usize,
}

fn ptr_len(s: Option<&str>) -> (*const c_char, usize) {
    match s {
        Some(s) => (s.as_ptr().cast(), s.len()),
        None => (core::ptr::null(), 0),
    }
}

fn accepted_to_c(a: &Accepted<'_>) -> wsguard_accepted {
    let (path, path_len) = ptr_len(Some(a.path));
    let (query, query_len) = ptr_len(a.query);
    let (host, host_len) = ptr_len(Some(a.host));
    let (origin, origin_len) = ptr_len(a.origin.map(|o| o.as_str()));
    let (subprotocol, subprotocol_len) = ptr_len(a.subprotocol);
    let (token, token_len) = ptr_len(a.token.map(|t| t.value));
    let empty = wsguard_extension_offer {
        name: core::ptr::null(),
        name_len: 0,
        params: core::ptr::null(),
        params_len: 0,
    };
    let mut extensions = [empty; WSGUARD_ACCEPTED_MAX_EXTENSIONS];
    let mut extensions_count = 0usize;
    for e in a.extensions() {
        if let Some(slot) = extensions.get_mut(extensions_count) {
            *slot = wsguard_extension_offer {
                name: e.name.as_ptr().cast(),
                name_len: e.name.len(),
                params: e.raw_params.as_ptr().cast(),
                params_len: e.raw_params.len(),
            };
        }
        extensions_count = extensions_count.saturating_add(1);
    }
    let mut accept = [0 as c_char; 29];
    for (d, s) in accept.iter_mut().zip(a.accept.as_bytes().iter()) {
        *d = *s as c_char;
    }
    wsguard_accepted {
        path,
        path_len,
        query,
        query_len,
        host,
        host_len,
        origin,
        origin_len,
        subprotocol,
        subprotocol_len,
        token,
        token_len,
        token_source: a
            .token
            .map(|t| wsguard_str::from_static(t.source.as_str()))
            .unwrap_or(wsguard_str::EMPTY),
        extensions,
        extensions_count,
        accept,
        consumed: a.consumed,
        dev_auth_bypassed: a.dev_auth_bypassed,
    }
}

pub(crate) fn rejection_to_c(r: &Rejection) -> wsguard_rejection {
    let detail = match r {
        Rejection::Origin(d) => d.malformed().map(|m| m.code()),
        Rejection::Host(d) => d.malformed().map(|m| m.code()),
        _ => None,
    };
    wsguard_rejection::from_diag(r, r.status(), r.close_code()).with_detail(detail.unwrap_or(""))
}

/// What a validation produced, for the entry points (lives on the stack only).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome<'b> {
    Accepted(Accepted<'b>),
    Rejected(Rejection),
}

/// The options' development auth bypass in the core's terms, and its listen address.
///
/// # Safety
/// `o.dev_auth_listen` is NULL or points to `o.dev_auth_listen_len` bytes.
pub(crate) unsafe fn dev_auth_of<'a>(
    o: &wsguard_server_options,
) -> Result<(DevAuthBypass, &'a str), wsguard_result> {
    let bypass = DevAuthBypass {
        enabled: o.dev_auth_bypass,
        allow_non_loopback: o.dev_auth_bypass_allow_non_loopback,
    };
    let listen = unsafe { opt_text(o.dev_auth_listen, o.dev_auth_listen_len)? };
    Ok((bypass, listen.unwrap_or("")))
}

/// The options (defaults for NULL), copied.
///
/// # Safety
/// `options` is NULL or valid.
pub(crate) unsafe fn options_or_default(
    options: *const wsguard_server_options,
) -> wsguard_server_options {
    let mut o = core::mem::MaybeUninit::<wsguard_server_options>::uninit();
    if options.is_null() {
        unsafe { wsguard_server_options_default(o.as_mut_ptr()) };
    } else {
        unsafe { o.as_mut_ptr().write(*options) };
    }
    // SAFETY: initialised by one of the two branches above.
    unsafe { o.assume_init() }
}

/// The core token configuration of the options. The two subprotocol forms are decided by
/// the core (`SubprotocolToken::from_options`); a refusal fills `rejection_out` (NULL or
/// writable) and is `InvalidConfig`.
///
/// # Safety
/// The options' token strings are NULL or valid; `rejection_out` is NULL or writable.
pub(crate) unsafe fn token_of<'a>(
    o: &wsguard_server_options,
    rejection_out: *mut wsguard_rejection,
) -> Result<TokenConfig<'a>, wsguard_result> {
    let mut token = TokenConfig::DISABLED
        .authorization(o.token_authorization)
        .required(o.token_required);
    let prefix = unsafe { opt_text(o.token_subprotocol_prefix, o.token_subprotocol_prefix_len)? };
    let pair = unsafe { opt_text(o.token_subprotocol_pair, o.token_subprotocol_pair_len)? };
    match SubprotocolToken::from_options(prefix, pair) {
        Ok(Some(form)) => token = token.subprotocol(form),
        Ok(None) => {}
        Err(e) => {
            unsafe { write_opt(rejection_out, wsguard_rejection::from_diag(&e, 0, 0)) };
            return Err(wsguard_result::InvalidConfig);
        }
    }
    if let Some(name) = unsafe { opt_text(o.token_query, o.token_query_len)? } {
        token = token.query(name);
    }
    Ok(token)
}

/// Checks server options once, at startup, before any request: today the token options
/// (the core's one meaning of `token_subprotocol_prefix` / `token_subprotocol_pair`).
/// `options` NULL means the defaults (always valid).
///
/// * `WSGUARD_RESULT_OK`: the options are usable.
/// * `WSGUARD_RESULT_INVALID_CONFIG`: `*rejection_out` (may be NULL) has the code
///   (`token_subprotocol_conflict`, `token_subprotocol_empty_prefix`,
///   `token_subprotocol_empty_marker`), reason and remedy; every validating call with
///   these options returns the same.
/// * `WSGUARD_RESULT_NOT_UTF8`: a string option is not UTF-8.
///
/// # Safety
/// `options` NULL or valid (its strings valid); `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_server_options_check(
    options: *const wsguard_server_options,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let o = unsafe { options_or_default(options) };
        unsafe { token_of(&o, rejection_out) }.map(|_| ())
    })
}

/// Builds the core config on the stack and runs `validate_request`.
pub(crate) unsafe fn run<'b, R>(
    policy: *const wsguard_origin_policy,
    options: *const wsguard_server_options,
    request: &'b [u8],
    rejection_out: *mut wsguard_rejection,
    then: impl FnOnce(Outcome<'b>) -> Result<R, wsguard_result>,
) -> Result<R, wsguard_result> {
    let data = unsafe { policy_data(policy)? };
    let o = unsafe { options_or_default(options) };
    let count = o.subprotocols_count;
    if count > WSGUARD_SERVER_MAX_SUBPROTOCOLS {
        return Err(wsguard_result::CapacityExceeded);
    }
    let ptrs = unsafe { slice_of(o.subprotocols, count)? };
    let lens = unsafe { slice_of(o.subprotocol_lens, count)? };
    let mut protos = [""; WSGUARD_SERVER_MAX_SUBPROTOCOLS];
    for ((slot, p), n) in protos.iter_mut().zip(ptrs.iter()).zip(lens.iter()) {
        *slot = unsafe { text(*p, *n)? };
    }
    let token = unsafe { token_of(&o, rejection_out)? };
    let (bypass, listen) = unsafe { dev_auth_of(&o)? };
    let limits = Limits::DEFAULT
        .max_headers(o.max_headers)
        .max_line(o.max_line)
        .max_total(o.max_total);
    data.with_view(|v| {
        let cfg = ServerConfig::new(v.origin)
            .hosts(v.hosts)
            .subprotocols(protos.get(..count).unwrap_or(&[]))
            .require_subprotocol(o.require_subprotocol)
            .token(token)
            .limits(limits)
            // The bypass fails closed: only when the core's startup decision passes for
            // this policy's preset and the listen address.
            .dev_auth_bypass(bypass.applies(v.origin.preset_kind(), listen));
        match validate_request(&cfg, request) {
            Ok(Status::Partial) => Err(wsguard_result::Incomplete),
            Ok(Status::Complete(a)) => then(Outcome::Accepted(a)),
            Err(r) => then(Outcome::Rejected(r)),
        }
    })
}

/// Validates an HTTP/1.1 upgrade request held in `request[0..request_len)`: method,
/// version, Host and the policy's Host allowlist, `Upgrade`/`Connection`, version 13, the
/// key, the Origin policy, the token location and the subprotocol. `options` NULL means
/// the defaults.
///
/// * `WSGUARD_RESULT_OK`: `*accepted_out` is set (its pointers borrow `request`).
/// * `WSGUARD_RESULT_INCOMPLETE`: the head is not complete yet; read more and call again.
/// * `WSGUARD_RESULT_HANDSHAKE_REJECTED`: `*rejection_out` (may be NULL) has the code, the
///   HTTP status to answer with, `detail`, reason and remedy. Answer with
///   `wsguard_server_respond` (which writes the exact response) and close.
/// * `WSGUARD_RESULT_INVALID_CONFIG`: the options are refused before the request is read
///   (the token options, see `wsguard_server_options_check`); `*rejection_out` has the code.
///
/// Allocates nothing; keeps no pointer.
///
/// # Safety
/// `policy` live; `options` NULL or valid (its strings valid); `request` points to
/// `request_len` bytes; `accepted_out` writable; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_server_validate(
    policy: *const wsguard_origin_policy,
    options: *const wsguard_server_options,
    request: *const u8,
    request_len: usize,
    accepted_out: *mut wsguard_accepted,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(accepted_out)?;
        let req = unsafe { bytes(request, request_len)? };
        unsafe {
            run(
                policy,
                options,
                req,
                rejection_out,
                |outcome| match outcome {
                    Outcome::Accepted(a) => {
                        accepted_out.write(accepted_to_c(&a));
                        Ok(())
                    }
                    Outcome::Rejected(r) => {
                        write_opt(rejection_out, rejection_to_c(&r));
                        Err(wsguard_result::HandshakeRejected)
                    }
                },
            )
        }
    })
}

/// Validates like `wsguard_server_validate` and writes the HTTP response to send into
/// `out`: the `101 Switching Protocols` (with `Sec-WebSocket-Accept` and the chosen
/// subprotocol) when valid, or the exact rejection response (status line, required
/// headers such as `Sec-WebSocket-Version: 13` for 426 or `WWW-Authenticate: Bearer` for
/// 401, and a two-line text body `<code>: <reason>` / `fix: <remedy>`) when not.
///
/// * `WSGUARD_RESULT_OK`: 101 written; `*written_out`, `*accepted_out` set.
/// * `WSGUARD_RESULT_HANDSHAKE_REJECTED`: the rejection response IS written (send it, then
///   close): `*written_out` and `*rejection_out` (may be NULL) are set.
/// * `WSGUARD_RESULT_INCOMPLETE`: nothing written; read more.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing usable in `out`; `*needed_out` (may be
///   NULL) is the size needed (1 KiB always suffices for rejections).
/// * `WSGUARD_RESULT_INVALID_CONFIG`: nothing written; the options are refused (see
///   `wsguard_server_options_check`); `*rejection_out` has the code.
///
/// # Safety
/// As `wsguard_server_validate`; `out` points to `out_len` writable bytes (not overlapping
/// `request`); `written_out` writable; `needed_out` NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_server_respond(
    policy: *const wsguard_origin_policy,
    options: *const wsguard_server_options,
    request: *const u8,
    request_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    accepted_out: *mut wsguard_accepted,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        non_null(accepted_out)?;
        let req = unsafe { bytes(request, request_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        unsafe {
            run(policy, options, req, rejection_out, |outcome| {
                let write = |buf: &mut [u8]| match &outcome {
                    Outcome::Accepted(a) => write_accept_response(a, buf),
                    Outcome::Rejected(r) => write_rejection_response(r, buf),
                };
                let verdict = match &outcome {
                    Outcome::Accepted(_) => Ok(()),
                    Outcome::Rejected(_) => Err(wsguard_result::HandshakeRejected),
                };
                let n = match write_whole(dst, write, |e| Some(e.needed)) {
                    Ok(n) => n,
                    Err(w) => return Err(w.report(needed_out, |_| wsguard_result::BufferTooSmall)),
                };
                written_out.write(n);
                match outcome {
                    Outcome::Accepted(a) => accepted_out.write(accepted_to_c(&a)),
                    Outcome::Rejected(r) => write_opt(rejection_out, rejection_to_c(&r)),
                }
                verdict
            })
        }
    })
}

/// The answer for a request head still incomplete at the server's handshake deadline
/// (the server's own timer ran out with `buffered` bytes received): the core's
/// `handshake_timeout` refusal, `408 Request Timeout` with the two-line body.
///
/// * `WSGUARD_RESULT_HANDSHAKE_REJECTED`: the answer is in `out` (`*written_out` bytes);
///   send it, then close. `*rejection_out` (may be NULL) is set.
/// * `WSGUARD_RESULT_OK`: `buffered == 0`: the client sent nothing, so there is nothing to
///   answer: close. `*written_out` is 0.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written except `*needed_out` (may be
///   NULL), the exact size (1 KiB always suffices).
///
/// # Safety
/// `out` points to `out_len` writable bytes; `written_out` writable; `needed_out` and
/// `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_server_deadline_refusal(
    buffered: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let dst = unsafe { bytes_mut(out, out_len)? };
        let Some(r) = Rejection::at_head_deadline(buffered) else {
            unsafe { written_out.write(0) };
            return Ok(());
        };
        let write = |buf: &mut [u8]| write_rejection_response(&r, buf);
        let outs = (written_out, needed_out, rejection_out);
        let verdict = (rejection_to_c(&r), wsguard_result::HandshakeRejected);
        unsafe { write_refusal_answer(dst, write, outs, verdict) }
    })
}

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` value (SHA-1 + base64 per
/// RFC 6455 §4.2.2) into `out`, NUL-terminated: `out_len` must be at least
/// `WSGUARD_ACCEPT_LEN + 1` (29), else `WSGUARD_RESULT_BUFFER_TOO_SMALL` and nothing is
/// written. The key is not validated here (`wsguard_server_validate` does that).
///
/// # Safety
/// `key` points to `key_len` bytes; `out` to `out_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn wsguard_handshake_accept_value(
    key: *const c_char,
    key_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> wsguard_result {
    guard(|| {
        let k = unsafe { bytes(key.cast(), key_len)? };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        let dst = dst
            .get_mut(..WSGUARD_ACCEPT_LEN + 1)
            .ok_or(wsguard_result::BufferTooSmall)?;
        let accept = AcceptKey::from_key(k);
        let (value, nul) = dst.split_at_mut(WSGUARD_ACCEPT_LEN);
        value.copy_from_slice(accept.as_bytes());
        nul.fill(0);
        Ok(())
    })
}
