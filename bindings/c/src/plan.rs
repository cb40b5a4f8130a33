//! Differential probing from C: when one refused upgrade cannot name its cause (a bare
//! 403 or 401, a 404 through a proxy, a 400 or 500 with no reason), the core's plan says
//! which follow-up request to send next and what the answers establish.
//!
//! Stateless: the caller keeps the first answer and the replies so far
//! (`wsguard_follow_up_reply`, at most `WSGUARD_PLAN_MAX_REPLIES`) and asks
//! `wsguard_client_plan` each time. A one-shot client (firmware that cannot open a
//! second connection) calls it once with no replies and reports the causes that remain.
//!
//! ```c
//! wsguard_verdict v;
//! wsguard_follow_up_reply replies[WSGUARD_PLAN_MAX_REPLIES];
//! size_t n = 0;
//! while (wsguard_client_plan(&req, first, first_len, false, replies, n, &v) == WSGUARD_RESULT_OK
//!        && v.next_step != WSGUARD_FOLLOW_UP_NONE) {
//!     /* wsguard_client_write_follow_up(&req, v.next_step, own, own_len, ...), send it on a
//!        new connection, read until wsguard_client_follow_up_reply() is not INCOMPLETE */
//!     replies[n++] = reply;
//! }
//! /* v.kind: WSGUARD_VERDICT_NAMED / _ESTABLISHED / _UNDECIDED; v.causes[0..v.causes_count) */
//! ```

use crate::client::with_request;
use crate::ffi::{bytes, bytes_mut, non_null, text, write_whole, wsguard_rejection, wsguard_str};
use crate::result::{guard, wsguard_result};
use core::ffi::c_char;
use wsguard_core::handshake::{
    validate_response, write_follow_up, ClientFailure, ClientRequest, Diagnosis, FollowUp, Plan,
    Reply, RequestError, Sent, Verdict,
};
use wsguard_core::Status;

/// No follow-up: the plan is done (or there is none).
pub const WSGUARD_FOLLOW_UP_NONE: u32 = 0;
/// The same upgrade with the URL's own origin (`http(s)://host[:port]`) as Origin.
pub const WSGUARD_FOLLOW_UP_OWN_ORIGIN: u32 = 1;
/// The same upgrade without an Origin header.
pub const WSGUARD_FOLLOW_UP_NO_ORIGIN: u32 = 2;
/// A plain `GET` of the same path, without upgrade headers.
pub const WSGUARD_FOLLOW_UP_PLAIN_GET: u32 = 3;
/// The same upgrade with `Connection: keep-alive, Upgrade`.
pub const WSGUARD_FOLLOW_UP_KEEP_ALIVE_UPGRADE: u32 = 4;

/// The follow-up was accepted with 101.
pub const WSGUARD_REPLY_UPGRADED: u32 = 1;
/// The follow-up got a non-101 status (`status`, `same`).
pub const WSGUARD_REPLY_STATUS: u32 = 2;
/// No usable answer (connection failed, not HTTP): it tells nothing.
pub const WSGUARD_REPLY_NO_ANSWER: u32 = 3;

/// The first answer names its cause (a wsguard code, a reason, a telling status): read
/// the diagnosis (`wsguard_client_validate_response`); no follow-up applies.
pub const WSGUARD_VERDICT_NAMED: u32 = 0;
/// One cause is established by a follow-up: `causes[0]`, with `evidence`.
pub const WSGUARD_VERDICT_ESTABLISHED: u32 = 1;
/// Two or three causes remain (`causes`, most likely first); `hint` says how to tell
/// them apart. With `next_step` set, sending it may decide.
pub const WSGUARD_VERDICT_UNDECIDED: u32 = 2;

/// Most causes a verdict lists.
pub const WSGUARD_VERDICT_MAX_CAUSES: usize = 3;
/// Most replies a plan uses (later ones are ignored).
pub const WSGUARD_PLAN_MAX_REPLIES: usize = 2;

/// What one follow-up got back, from `wsguard_client_follow_up_reply`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_follow_up_reply {
    /// The follow-up sent: `WSGUARD_FOLLOW_UP_*`.
    pub step: u32,
    /// `WSGUARD_REPLY_*`.
    pub kind: u32,
    /// The status received (`WSGUARD_REPLY_STATUS`), else 0.
    pub status: u16,
    /// Status, wsguard code and reason equal the first answer's.
    pub same: bool,
}

/// The plan's conclusion so far. Strings are static.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_verdict {
    /// `WSGUARD_VERDICT_*`.
    pub kind: u32,
    /// The follow-up to send next (`WSGUARD_FOLLOW_UP_*`), `WSGUARD_FOLLOW_UP_NONE` when done.
    pub next_step: u32,
    /// The established cause (`causes[0]`) or the causes that remain: code (e.g.
    /// `origin_refused`, `app_refused_before_accept`, `wrong_path`,
    /// `upgrade_not_forwarded`), reason and remedy; statuses are 0.
    pub causes: [wsguard_rejection; WSGUARD_VERDICT_MAX_CAUSES],
    /// Number of valid `causes` (0 for `WSGUARD_VERDICT_NAMED`).
    pub causes_count: usize,
    /// How to tell the remaining causes apart (empty unless undecided).
    pub hint: wsguard_str,
    /// The follow-up that established the cause, and what it got
    /// (`WSGUARD_VERDICT_ESTABLISHED` only; zeroed otherwise).
    pub evidence: wsguard_follow_up_reply,
}

fn step_code(s: FollowUp) -> u32 {
    match s {
        FollowUp::OwnOrigin => WSGUARD_FOLLOW_UP_OWN_ORIGIN,
        FollowUp::NoOrigin => WSGUARD_FOLLOW_UP_NO_ORIGIN,
        FollowUp::PlainGet => WSGUARD_FOLLOW_UP_PLAIN_GET,
        FollowUp::KeepAliveUpgrade => WSGUARD_FOLLOW_UP_KEEP_ALIVE_UPGRADE,
    }
}

fn step_of(code: u32) -> Result<FollowUp, wsguard_result> {
    match code {
        WSGUARD_FOLLOW_UP_OWN_ORIGIN => Ok(FollowUp::OwnOrigin),
        WSGUARD_FOLLOW_UP_NO_ORIGIN => Ok(FollowUp::NoOrigin),
        WSGUARD_FOLLOW_UP_PLAIN_GET => Ok(FollowUp::PlainGet),
        WSGUARD_FOLLOW_UP_KEEP_ALIVE_UPGRADE => Ok(FollowUp::KeepAliveUpgrade),
        _ => Err(wsguard_result::InvalidArgument),
    }
}

fn reply_to_c(step: FollowUp, r: Reply) -> wsguard_follow_up_reply {
    let (kind, status, same) = match r {
        Reply::Upgraded => (WSGUARD_REPLY_UPGRADED, 0, false),
        Reply::Status { status, same } => (WSGUARD_REPLY_STATUS, status, same),
        Reply::NoAnswer => (WSGUARD_REPLY_NO_ANSWER, 0, false),
    };
    wsguard_follow_up_reply {
        step: step_code(step),
        kind,
        status,
        same,
    }
}

fn reply_of(r: &wsguard_follow_up_reply) -> Result<(FollowUp, Reply), wsguard_result> {
    let reply = match r.kind {
        WSGUARD_REPLY_UPGRADED => Reply::Upgraded,
        WSGUARD_REPLY_STATUS => Reply::Status {
            status: r.status,
            same: r.same,
        },
        WSGUARD_REPLY_NO_ANSWER => Reply::NoAnswer,
        _ => return Err(wsguard_result::InvalidArgument),
    };
    Ok((step_of(r.step)?, reply))
}

const NO_REPLY: wsguard_follow_up_reply = wsguard_follow_up_reply {
    step: WSGUARD_FOLLOW_UP_NONE,
    kind: 0,
    status: 0,
    same: false,
};

/// The first answer's diagnosis: `Incomplete` while its head (or announced body) is
/// still arriving, `InvalidArgument` when it is not a refusal.
fn first_diagnosis<'b>(
    cr: &ClientRequest<'_>,
    first: &'b [u8],
) -> Result<Diagnosis<'b>, wsguard_result> {
    match validate_response(cr, first) {
        Ok(Status::Partial) => Err(wsguard_result::Incomplete),
        Err(ClientFailure::Rejected(d)) => Ok(d),
        Ok(Status::Complete(_)) | Err(ClientFailure::Invalid(_)) => {
            Err(wsguard_result::InvalidArgument)
        }
    }
}

fn verdict_to_c(plan: Option<&Plan>) -> wsguard_verdict {
    let mut v = wsguard_verdict {
        kind: WSGUARD_VERDICT_NAMED,
        next_step: WSGUARD_FOLLOW_UP_NONE,
        causes: [wsguard_rejection::EMPTY; WSGUARD_VERDICT_MAX_CAUSES],
        causes_count: 0,
        hint: wsguard_str::EMPTY,
        evidence: NO_REPLY,
    };
    let Some(plan) = plan else { return v };
    v.next_step = plan.next().map_or(WSGUARD_FOLLOW_UP_NONE, step_code);
    let fill = |v: &mut wsguard_verdict, causes: &[wsguard_core::handshake::Cause]| {
        for (slot, c) in v.causes.iter_mut().zip(causes) {
            *slot = wsguard_rejection::from_diag(c, 0, 0);
        }
        v.causes_count = causes.len().min(WSGUARD_VERDICT_MAX_CAUSES);
    };
    match plan.verdict() {
        Verdict::Established { cause, step, reply } => {
            v.kind = WSGUARD_VERDICT_ESTABLISHED;
            fill(&mut v, &[cause]);
            v.evidence = reply_to_c(step, reply);
        }
        Verdict::Undecided { causes, hint } => {
            v.kind = WSGUARD_VERDICT_UNDECIDED;
            fill(&mut v, causes.as_slice());
            v.hint = wsguard_str::from_static(hint);
        }
    }
    v
}

/// The differential plan for the refused answer `first` to `request` (the bytes given to
/// `wsguard_client_validate_response`), after the follow-up `replies` so far (0 for a
/// one-shot client; at most `WSGUARD_PLAN_MAX_REPLIES` are used). `origin_is_own`: the
/// Origin sent was the URL's own origin (the plan then does not repeat it).
///
/// * `WSGUARD_RESULT_OK`: `*verdict_out` holds the verdict and the next step.
/// * `WSGUARD_RESULT_INCOMPLETE`: `first` is not a complete answer yet (the body its
///   `Content-Length` announces included).
/// * `WSGUARD_RESULT_INVALID_ARGUMENT`: `first` is not a refusal (a 101 or not HTTP), or a
///   reply has an unknown step or kind.
///
/// # Safety
/// `request` as for `wsguard_client_write_request`; `first` points to `first_len` bytes;
/// `replies` to `replies_count` replies (NULL when 0); `verdict_out` writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_client_plan(
    request: *const crate::client::wsguard_client_request,
    first: *const u8,
    first_len: usize,
    origin_is_own: bool,
    replies: *const wsguard_follow_up_reply,
    replies_count: usize,
    verdict_out: *mut wsguard_verdict,
) -> wsguard_result {
    guard(|| {
        non_null(verdict_out)?;
        let first = unsafe { bytes(first, first_len)? };
        let replies = unsafe { crate::origin::slice_of(replies, replies_count)? };
        unsafe {
            with_request(request, |cr| {
                let d = first_diagnosis(cr, first)?;
                if d.body_end.is_some() {
                    return Err(wsguard_result::Incomplete);
                }
                let sent = Sent {
                    origin: cr.origin.is_some(),
                    origin_is_own,
                };
                let mut plan = Plan::for_answer(&d, sent);
                if let Some(p) = plan.as_mut() {
                    for r in replies.iter().take(WSGUARD_PLAN_MAX_REPLIES) {
                        let (step, reply) = reply_of(r)?;
                        p.record(step, reply);
                    }
                }
                verdict_out.write(verdict_to_c(plan.as_ref()));
                Ok(())
            })
        }
    })
}

/// Writes the request of follow-up `step` for `request` into `out`: the same upgrade
/// with `own_origin` (the URL's own origin, `http(s)://host[:port]`; only read for
/// `WSGUARD_FOLLOW_UP_OWN_ORIGIN`) or without Origin, with `Connection: keep-alive,
/// Upgrade`, or a plain GET of the path. Send it on a new connection.
///
/// * `WSGUARD_RESULT_OK`: `*written_out` bytes written.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written; `*needed_out` (may be NULL) says
///   how much is needed.
/// * `WSGUARD_RESULT_INVALID_REQUEST`: a field cannot be written safely.
///
/// # Safety
/// `request` as for `wsguard_client_write_request`; `own_origin` points to
/// `own_origin_len` bytes (NULL when 0); `out` to `out_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn wsguard_client_write_follow_up(
    request: *const crate::client::wsguard_client_request,
    step: u32,
    own_origin: *const c_char,
    own_origin_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let step = step_of(step)?;
        let own = unsafe { text(own_origin, own_origin_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        unsafe {
            with_request(request, |cr| {
                let too_small = |e: &RequestError| match e {
                    RequestError::BufferTooSmall(b) => Some(b.needed),
                    _ => None,
                };
                match write_whole(dst, |buf| write_follow_up(cr, step, own, buf), too_small) {
                    Ok(n) => {
                        written_out.write(n);
                        Ok(())
                    }
                    Err(w) => Err(w.report(needed_out, |_| wsguard_result::InvalidRequest)),
                }
            })
        }
    })
}

/// The reply to follow-up `step` from its `answer` (the bytes read so far), compared
/// with the first answer `first`. `own_origin` as given to
/// `wsguard_client_write_follow_up`; `at_end`: the connection has closed (no more bytes
/// will come).
///
/// * `WSGUARD_RESULT_OK`: `*reply_out` set; pass it to `wsguard_client_plan`.
/// * `WSGUARD_RESULT_INCOMPLETE`: read more (only when `at_end` is false).
/// * `WSGUARD_RESULT_INVALID_ARGUMENT`: `first` is not a complete refusal, or `step` is
///   unknown.
///
/// # Safety
/// As for `wsguard_client_plan`; `answer` points to `answer_len` bytes; `reply_out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_client_follow_up_reply(
    request: *const crate::client::wsguard_client_request,
    first: *const u8,
    first_len: usize,
    step: u32,
    own_origin: *const c_char,
    own_origin_len: usize,
    answer: *const u8,
    answer_len: usize,
    at_end: bool,
    reply_out: *mut wsguard_follow_up_reply,
) -> wsguard_result {
    guard(|| {
        non_null(reply_out)?;
        let step = step_of(step)?;
        let first = unsafe { bytes(first, first_len)? };
        let answer = unsafe { bytes(answer, answer_len)? };
        let own = unsafe { text(own_origin, own_origin_len)? };
        unsafe {
            with_request(request, |cr| {
                let d = first_diagnosis(cr, first).map_err(|e| match e {
                    wsguard_result::Incomplete => wsguard_result::InvalidArgument,
                    other => other,
                })?;
                let reply = match Reply::from_answer(cr, step, own, &d, answer) {
                    Some(r) => r,
                    None if at_end => Reply::at_end(cr, step, own, &d, answer),
                    None => return Err(wsguard_result::Incomplete),
                };
                reply_out.write(reply_to_c(step, reply));
                Ok(())
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::wsguard_client_request;

    fn request(origin: Option<&'static str>) -> wsguard_client_request {
        const HOST: &str = "a.test:8000";
        const PATH: &str = "/ws";
        static NONCE: [u8; 16] = [7; 16];
        // SAFETY: all-zero is the documented empty request.
        let mut r: wsguard_client_request = unsafe { core::mem::zeroed() };
        r.host = HOST.as_ptr().cast();
        r.host_len = HOST.len();
        r.path = PATH.as_ptr().cast();
        r.path_len = PATH.len();
        r.nonce = NONCE.as_ptr();
        r.nonce_len = NONCE.len();
        if let Some(o) = origin {
            r.origin = o.as_ptr().cast();
            r.origin_len = o.len();
        }
        r
    }

    fn plan(
        req: &wsguard_client_request,
        first: &[u8],
        replies: &[wsguard_follow_up_reply],
    ) -> (wsguard_result, wsguard_verdict) {
        let mut v = verdict_to_c(None);
        let r = unsafe {
            wsguard_client_plan(
                req,
                first.as_ptr(),
                first.len(),
                false,
                replies.as_ptr(),
                replies.len(),
                &mut v,
            )
        };
        (r, v)
    }

    fn codes(v: &wsguard_verdict) -> Vec<String> {
        v.causes[..v.causes_count]
            .iter()
            .map(|c| {
                let b = unsafe { core::slice::from_raw_parts(c.code.ptr.cast::<u8>(), c.code.len) };
                String::from_utf8_lossy(b).into_owned()
            })
            .collect()
    }

    #[test]
    fn node_ws_401_is_undecided_then_established() {
        let req = request(Some("https://evil.test"));
        let first = b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nUnauthorized";
        let (r, v) = plan(&req, first, &[]);
        assert_eq!(r, wsguard_result::Ok);
        assert_eq!(
            (v.kind, v.next_step),
            (WSGUARD_VERDICT_UNDECIDED, WSGUARD_FOLLOW_UP_OWN_ORIGIN)
        );
        assert_eq!(codes(&v), ["token_refused", "origin_refused"]);
        // The follow-up with the URL's own origin is accepted: the Origin was refused.
        let own = "http://a.test:8000";
        let mut out = [0u8; 512];
        let (mut n, mut need) = (0usize, 0usize);
        let r = unsafe {
            wsguard_client_write_follow_up(
                &req,
                v.next_step,
                own.as_ptr().cast(),
                own.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut n,
                &mut need,
            )
        };
        assert_eq!(r, wsguard_result::Ok);
        assert!(out[..n]
            .windows(26)
            .any(|w| w == b"Origin: http://a.test:8000"));
        let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
        let mut reply = NO_REPLY;
        let r = unsafe {
            wsguard_client_follow_up_reply(
                &req,
                first.as_ptr(),
                first.len(),
                v.next_step,
                own.as_ptr().cast(),
                own.len(),
                answer.as_ptr(),
                answer.len(),
                false,
                &mut reply,
            )
        };
        assert_eq!(r, wsguard_result::Incomplete);
        let accept = wsguard_core::handshake::ClientKey::from_nonce([7; 16]);
        let full = format!(
            "{}{}\r\n\r\n",
            String::from_utf8_lossy(answer),
            accept.accept().as_str()
        );
        let r = unsafe {
            wsguard_client_follow_up_reply(
                &req,
                first.as_ptr(),
                first.len(),
                v.next_step,
                own.as_ptr().cast(),
                own.len(),
                full.as_ptr(),
                full.len(),
                false,
                &mut reply,
            )
        };
        assert_eq!(r, wsguard_result::Ok);
        assert_eq!(reply.kind, WSGUARD_REPLY_UPGRADED);
        let (r, v) = plan(&req, first, &[reply]);
        assert_eq!(r, wsguard_result::Ok);
        assert_eq!(
            (v.kind, v.next_step),
            (WSGUARD_VERDICT_ESTABLISHED, WSGUARD_FOLLOW_UP_NONE)
        );
        assert_eq!(codes(&v), ["origin_refused"]);
        assert_eq!(v.evidence, reply);
    }

    #[test]
    fn named_incomplete_and_invalid() {
        let req = request(None);
        let named = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 16\r\n\r\norigin_missing: x";
        let (r, v) = plan(&req, named, &[]);
        assert_eq!(
            (r, v.kind, v.causes_count),
            (wsguard_result::Ok, WSGUARD_VERDICT_NAMED, 0)
        );
        let cut = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 16\r\n\r\norigin_";
        assert_eq!(plan(&req, cut, &[]).0, wsguard_result::Incomplete);
        assert_eq!(
            plan(&req, b"SSH-2.0\r\n\r\n", &[]).0,
            wsguard_result::InvalidArgument
        );
        let bad = wsguard_follow_up_reply {
            step: 9,
            ..NO_REPLY
        };
        assert_eq!(
            plan(&req, b"HTTP/1.1 403 Forbidden\r\n\r\n", &[bad]).0,
            wsguard_result::InvalidArgument
        );
        let mut v = verdict_to_c(None);
        let r = unsafe {
            wsguard_client_plan(
                &req,
                named.as_ptr(),
                named.len(),
                false,
                core::ptr::null(),
                0,
                core::ptr::null_mut(),
            )
        };
        assert_eq!(r, wsguard_result::NullArgument);
        let r = unsafe {
            wsguard_client_plan(
                core::ptr::null(),
                named.as_ptr(),
                named.len(),
                false,
                core::ptr::null(),
                0,
                &mut v,
            )
        };
        assert_eq!(r, wsguard_result::NullArgument);
    }
}
