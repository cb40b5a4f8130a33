//! Client side of the opening handshake: write the upgrade request, validate the answer,
//! and when it is not 101, say why (proxy dropped the upgrade, redirect, auth, origin
//! refused, plain HTTP server, upstream down …).

use crate::ffi::{
    bytes, bytes_mut, non_null, opt_text, text, write_opt, write_whole, wsguard_rejection,
};
use crate::origin::slice_of;
use crate::result::{guard, wsguard_result};
use crate::server::{wsguard_extension_offer, WSGUARD_ACCEPTED_MAX_EXTENSIONS};
use core::ffi::c_char;
use wsguard_core::handshake::{
    validate_response, write_request, ClientFailure, ClientRequest, Established, Limits,
    RequestError, SubprotocolToken, TokenPlacement,
};
use wsguard_core::Status;

/// Token placement: `Authorization: Bearer <token>` (not possible from browsers).
pub const WSGUARD_TOKEN_AUTHORIZATION: u32 = 1;
/// Token placement: query parameter `token_name` (`?token=…`).
pub const WSGUARD_TOKEN_QUERY: u32 = 2;
/// Token placement: a `Sec-WebSocket-Protocol` entry `<token_name><token>`.
pub const WSGUARD_TOKEN_SUBPROTOCOL_PREFIX: u32 = 3;
/// Token placement: the marker entry `token_name` followed by the token entry.
pub const WSGUARD_TOKEN_SUBPROTOCOL_PAIR: u32 = 4;
/// Most subprotocols a client request may offer.
pub const WSGUARD_CLIENT_MAX_SUBPROTOCOLS: usize = 16;

/// What the client asks for. All-zero (`memset`) plus host, path and nonce is a valid
/// request; NULL strings mean "not sent", limits of 0 mean the defaults. Pass the same
/// request to `wsguard_client_validate_response`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_client_request {
    /// `Host` value, `host[:port]`.
    pub host: *const c_char,
    /// Length of `host`.
    pub host_len: usize,
    /// Path and query, starting with `/`.
    pub path: *const c_char,
    /// Length of `path`.
    pub path_len: usize,
    /// 16 random bytes for `Sec-WebSocket-Key` (use a real random source).
    pub nonce: *const u8,
    /// Length of `nonce`: must be 16.
    pub nonce_len: usize,
    /// `Origin` to send, or NULL.
    pub origin: *const c_char,
    /// Length of `origin`.
    pub origin_len: usize,
    /// Subprotocols offered, most preferred first (may be NULL when the count is 0).
    pub subprotocols: *const *const c_char,
    /// Lengths of the `subprotocols` strings.
    pub subprotocol_lens: *const usize,
    /// Number of subprotocols (at most `WSGUARD_CLIENT_MAX_SUBPROTOCOLS`).
    pub subprotocols_count: usize,
    /// A raw `Sec-WebSocket-Extensions` value to offer, or NULL.
    pub extensions: *const c_char,
    /// Length of `extensions`.
    pub extensions_len: usize,
    /// A bearer token to send, or NULL.
    pub token: *const c_char,
    /// Length of `token`.
    pub token_len: usize,
    /// Where the token goes: `WSGUARD_TOKEN_*`.
    pub token_placement: u32,
    /// Query parameter name, subprotocol prefix or marker (for those placements).
    pub token_name: *const c_char,
    /// Length of `token_name`.
    pub token_name_len: usize,
    /// Most header fields accepted in the answer (0: 32).
    pub max_headers: usize,
    /// Longest answer line (0: 8192).
    pub max_line: usize,
    /// Largest answer head (0: 16384).
    pub max_total: usize,
}

/// Builds the core request on the stack and hands it to `f`.
pub(crate) unsafe fn with_request<R>(
    req: *const wsguard_client_request,
    f: impl FnOnce(&ClientRequest<'_>) -> Result<R, wsguard_result>,
) -> Result<R, wsguard_result> {
    non_null(req)?;
    let r = unsafe { &*req };
    if r.host.is_null() || r.path.is_null() || r.nonce.is_null() {
        return Err(wsguard_result::NullArgument);
    }
    let host = unsafe { text(r.host, r.host_len)? };
    let path = unsafe { text(r.path, r.path_len)? };
    let nonce: [u8; 16] = unsafe { bytes(r.nonce, r.nonce_len)? }
        .try_into()
        .map_err(|_| wsguard_result::InvalidLength)?;
    let count = r.subprotocols_count;
    if count > WSGUARD_CLIENT_MAX_SUBPROTOCOLS {
        return Err(wsguard_result::CapacityExceeded);
    }
    let ptrs = unsafe { slice_of(r.subprotocols, count)? };
    let lens = unsafe { slice_of(r.subprotocol_lens, count)? };
    let mut protos = [""; WSGUARD_CLIENT_MAX_SUBPROTOCOLS];
    for ((slot, p), n) in protos.iter_mut().zip(ptrs.iter()).zip(lens.iter()) {
        *slot = unsafe { text(*p, *n)? };
    }
    let d = Limits::DEFAULT;
    let or = |v: usize, dflt: usize| if v == 0 { dflt } else { v };
    let limits = d
        .max_headers(or(r.max_headers, d.max_headers))
        .max_line(or(r.max_line, d.max_line))
        .max_total(or(r.max_total, d.max_total));
    let mut cr = ClientRequest::new(host, path, nonce)
        .subprotocols(protos.get(..count).unwrap_or(&[]))
        .limits(limits);
    if let Some(o) = unsafe { opt_text(r.origin, r.origin_len)? } {
        cr = cr.origin(o);
    }
    if let Some(e) = unsafe { opt_text(r.extensions, r.extensions_len)? } {
        cr = cr.extensions(e);
    }
    if let Some(t) = unsafe { opt_text(r.token, r.token_len)? } {
        let name = unsafe { opt_text(r.token_name, r.token_name_len)? };
        let placement = match (r.token_placement, name) {
            (WSGUARD_TOKEN_AUTHORIZATION, _) => TokenPlacement::Authorization,
            (WSGUARD_TOKEN_QUERY, Some(n)) => TokenPlacement::Query(n),
            (WSGUARD_TOKEN_SUBPROTOCOL_PREFIX, Some(n)) => {
                TokenPlacement::Subprotocol(SubprotocolToken::Prefix(n))
            }
            (WSGUARD_TOKEN_SUBPROTOCOL_PAIR, Some(n)) => {
                TokenPlacement::Subprotocol(SubprotocolToken::Pair(n))
            }
            (
                WSGUARD_TOKEN_QUERY
                | WSGUARD_TOKEN_SUBPROTOCOL_PREFIX
                | WSGUARD_TOKEN_SUBPROTOCOL_PAIR,
                None,
            ) => return Err(wsguard_result::NullArgument),
            _ => return Err(wsguard_result::InvalidArgument),
        };
        cr = cr.token(t, placement);
    }
    f(&cr)
}

/// Writes the upgrade request (GET, Host, Upgrade, Connection, the key from the nonce,
/// version 13, Origin, subprotocols, extensions, token) into `out`.
///
/// * `WSGUARD_RESULT_OK`: `*written_out` bytes written.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: only `*needed_out` (may be NULL) is written.
/// * `WSGUARD_RESULT_INVALID_REQUEST`: a field cannot be written safely (it would break the
///   request or inject a header); `*rejection_out` (may be NULL) says which
///   (`request_host_invalid`, `request_token_invalid` …).
///
/// # Safety
/// `request` valid with its strings; `out` points to `out_len` writable bytes; outputs valid.
#[no_mangle]
pub unsafe extern "C" fn wsguard_client_write_request(
    request: *const wsguard_client_request,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let dst = unsafe { bytes_mut(out, out_len)? };
        unsafe {
            with_request(request, |cr| {
                let too_small = |e: &RequestError| match e {
                    RequestError::BufferTooSmall(b) => Some(b.needed),
                    _ => None,
                };
                match write_whole(dst, |buf| write_request(cr, buf), too_small) {
                    Ok(n) => {
                        written_out.write(n);
                        Ok(())
                    }
                    Err(w) => Err(w.report(needed_out, |e| {
                        write_opt(rejection_out, wsguard_rejection::from_diag(&e, 0, 0));
                        wsguard_result::InvalidRequest
                    })),
                }
            })
        }
    })
}

/// A valid 101 answer. Pointers borrow the response buffer; absent values are NULL.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_established {
    /// The subprotocol the server chose, or NULL.
    pub subprotocol: *const c_char,
    /// Length of `subprotocol`.
    pub subprotocol_len: usize,
    /// The `Server` header, or NULL.
    pub server: *const c_char,
    /// Length of `server`.
    pub server_len: usize,
    /// The extensions the server accepted (first `WSGUARD_ACCEPTED_MAX_EXTENSIONS`).
    pub extensions: [wsguard_extension_offer; WSGUARD_ACCEPTED_MAX_EXTENSIONS],
    /// Number of extensions accepted.
    pub extensions_count: usize,
    /// Bytes of the answer's head; bytes after it are WebSocket data.
    pub consumed: usize,
}

/// Why the handshake failed, client side. `rejection.code` is the diagnosis: the cause
/// a wsguard server named (`origin_host`, `token_missing` …), else what the answer shows
/// (`forbidden`, `proxy_dropped_upgrade`, `accept_mismatch` …; when it cannot name one
/// cause, `wsguard_client_plan` lists those that remain), and
/// `rejection.http_status` the status received (0 when the answer was not HTTP). The other
/// pointers borrow the response buffer and are NULL when absent.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_diagnosis {
    /// Code, reason, remedy and the HTTP status received.
    pub rejection: wsguard_rejection,
    /// The `Location` header (redirects).
    pub location: *const c_char,
    /// Length of `location`.
    pub location_len: usize,
    /// The `Server` header (`nginx`, `uvicorn` …).
    pub server: *const c_char,
    /// Length of `server`.
    pub server_len: usize,
    /// The first body line when the body is complete (a wsguard server puts
    /// `<code>: <reason>` there).
    pub server_reason: *const c_char,
    /// Length of `server_reason`.
    pub server_reason_len: usize,
    /// The wsguard code leading `server_reason`, when there is one.
    pub server_code: *const c_char,
    /// Length of `server_code`.
    pub server_code_len: usize,
    /// `Retry-After` was numeric.
    pub has_retry_after: bool,
    /// `Retry-After` in seconds.
    pub retry_after: u32,
    /// The `Sec-WebSocket-Version` the server asked for, or NULL.
    pub wanted_version: *const c_char,
    /// Length of `wanted_version`.
    pub wanted_version_len: usize,
    /// When the answer's `Content-Length` announces a body not all received yet: the
    /// length the response will have with it (read until then and validate again to get
    /// the server's reason and code); 0 when the body is complete or none is announced.
    pub body_end: usize,
}

fn pl(s: Option<&str>) -> (*const c_char, usize) {
    s.map(|s| (s.as_ptr().cast(), s.len()))
        .unwrap_or((core::ptr::null(), 0))
}

fn established_to_c(e: &Established<'_>) -> wsguard_established {
    let (subprotocol, subprotocol_len) = pl(e.subprotocol);
    let (server, server_len) = pl(e.server);
    let empty = wsguard_extension_offer {
        name: core::ptr::null(),
        name_len: 0,
        params: core::ptr::null(),
        params_len: 0,
    };
    let mut extensions = [empty; WSGUARD_ACCEPTED_MAX_EXTENSIONS];
    let mut extensions_count = 0usize;
    for x in e.extensions() {
        if let Some(slot) = extensions.get_mut(extensions_count) {
            *slot = wsguard_extension_offer {
                name: x.name.as_ptr().cast(),
                name_len: x.name.len(),
                params: x.raw_params.as_ptr().cast(),
                params_len: x.raw_params.len(),
            };
        }
        extensions_count = extensions_count.saturating_add(1);
    }
    wsguard_established {
        subprotocol,
        subprotocol_len,
        server,
        server_len,
        extensions,
        extensions_count,
        consumed: e.consumed,
    }
}

fn diagnosis_to_c(f: &ClientFailure<'_>) -> wsguard_diagnosis {
    let rejection = wsguard_rejection::from_diag(f, f.status().unwrap_or(0), 0);
    let mut d = wsguard_diagnosis {
        rejection,
        location: core::ptr::null(),
        location_len: 0,
        server: core::ptr::null(),
        server_len: 0,
        server_reason: core::ptr::null(),
        server_reason_len: 0,
        server_code: core::ptr::null(),
        server_code_len: 0,
        has_retry_after: false,
        retry_after: 0,
        wanted_version: core::ptr::null(),
        wanted_version_len: 0,
        body_end: 0,
    };
    if let ClientFailure::Rejected(x) = f {
        (d.location, d.location_len) = pl(x.location);
        (d.server, d.server_len) = pl(x.server);
        (d.server_reason, d.server_reason_len) = pl(x.server_reason);
        (d.server_code, d.server_code_len) = pl(x.server_code);
        (d.wanted_version, d.wanted_version_len) = pl(x.wanted_version);
        d.has_retry_after = x.retry_after.is_some();
        d.retry_after = x.retry_after.unwrap_or(0);
        d.body_end = x.body_end.map_or(0, |n| n as usize);
    }
    d
}

/// Validates the server's answer (held in `response[0..response_len)`) to `request`.
///
/// * `WSGUARD_RESULT_OK`: a valid 101; `*established_out` set (bytes after `consumed` are
///   WebSocket data).
/// * `WSGUARD_RESULT_INCOMPLETE`: the head is not complete; read more.
/// * `WSGUARD_RESULT_RESPONSE_REJECTED`: not 101, or a 101 that breaks the protocol;
///   `*diagnosis_out` (may be NULL) says the most likely cause and the fix.
///
/// # Safety
/// `request` as for `wsguard_client_write_request`; `response` points to `response_len`
/// bytes; `established_out` writable; `diagnosis_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_client_validate_response(
    request: *const wsguard_client_request,
    response: *const u8,
    response_len: usize,
    established_out: *mut wsguard_established,
    diagnosis_out: *mut wsguard_diagnosis,
) -> wsguard_result {
    guard(|| {
        non_null(established_out)?;
        let resp = unsafe { bytes(response, response_len)? };
        unsafe {
            with_request(request, |cr| match validate_response(cr, resp) {
                Ok(Status::Partial) => Err(wsguard_result::Incomplete),
                Ok(Status::Complete(e)) => {
                    established_out.write(established_to_c(&e));
                    Ok(())
                }
                Err(f) => {
                    write_opt(diagnosis_out, diagnosis_to_c(&f));
                    Err(wsguard_result::ResponseRejected)
                }
            })
        }
    })
}
