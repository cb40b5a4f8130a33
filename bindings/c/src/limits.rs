//! Peer limits for C servers that own sockets (the core's `limits`): may one more
//! connection be opened, and if not, the exact 503 answer with `Retry-After`.
//!
//! The counts live in the caller (its connection table); the decision, the code and the
//! answer come from the core, so a C gateway refuses the same peer with the same bytes as
//! `wsguard serve` and the tokio guard.

use crate::ffi::{non_null, write_refusal_answer, wsguard_rejection};
use crate::result::{guard, wsguard_result};
use wsguard_core::limits::{Load, Overload, PeerLimits, MAX_RESPONSE};

/// Room `wsguard_peer_limits_admit` needs for any refusal and any `retry_after_s`: a
/// buffer of this size never gets `WSGUARD_RESULT_BUFFER_TOO_SMALL`.
pub const WSGUARD_OVERLOAD_MAX_RESPONSE: usize = 512;
const _: () = assert!(WSGUARD_OVERLOAD_MAX_RESPONSE == MAX_RESPONSE);

/// Limits on peers shared by every connection of one server. Fill with
/// `wsguard_peer_limits_default()`, then set fields. Every limit is a number (0 refuses
/// every connection; there is no "unlimited").
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_peer_limits {
    /// Open connections, upgrades in progress included (default 10,000).
    pub max_connections: u32,
    /// Open connections from one client address: IPv4 /32, IPv6 /64 (default 256).
    pub max_per_address: u32,
    /// Connections whose request head is not answered yet (default 1,024).
    pub max_upgrading: u32,
    /// `Retry-After` of the 503, in seconds (default 5).
    pub retry_after_s: u32,
    /// Bytes of partly received messages across all connections (default 64 MiB).
    pub message_budget: u64,
    /// Output queued for one peer after which it is dropped (default 1 MiB).
    pub max_queued_output: u64,
    /// How long one write may stay pending before the peer is dropped (default 30 s).
    pub write_timeout_ms: u64,
    /// Time allowed for the request head to arrive (default 10 s).
    pub handshake_timeout_ms: u64,
}

impl wsguard_peer_limits {
    fn from_core(l: &PeerLimits) -> Self {
        wsguard_peer_limits {
            max_connections: l.max_connections,
            max_per_address: l.max_per_address,
            max_upgrading: l.max_upgrading,
            retry_after_s: l.retry_after_s,
            message_budget: l.message_budget,
            max_queued_output: l.max_queued_output,
            write_timeout_ms: l.write_timeout_ms,
            handshake_timeout_ms: l.handshake_timeout_ms,
        }
    }

    fn to_core(self) -> PeerLimits {
        PeerLimits {
            max_connections: self.max_connections,
            max_per_address: self.max_per_address,
            max_upgrading: self.max_upgrading,
            message_budget: self.message_budget,
            max_queued_output: self.max_queued_output,
            write_timeout_ms: self.write_timeout_ms,
            retry_after_s: self.retry_after_s,
            handshake_timeout_ms: self.handshake_timeout_ms,
        }
    }
}

/// The counts a server holds when a new connection arrives, before counting it.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct wsguard_load {
    /// Open connections (upgrading included).
    pub connections: u32,
    /// Open connections from the newcomer's address (IPv4 /32, IPv6 /64).
    pub from_address: u32,
    /// Connections whose request head is not answered yet.
    pub upgrading: u32,
}

/// Writes the core's default limits into `*limits_out`.
///
/// # Safety
/// `limits_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_peer_limits_default(
    limits_out: *mut wsguard_peer_limits,
) -> wsguard_result {
    guard(|| {
        non_null(limits_out)?;
        // SAFETY: checked non-NULL; writable by the caller's contract.
        unsafe { limits_out.write(wsguard_peer_limits::from_core(&PeerLimits::DEFAULT)) };
        Ok(())
    })
}

/// May one more connection be opened under `limits`, given `load` (the counts before
/// it)? The first limit broken, in the order total, address, upgrades, decides.
///
/// * `WSGUARD_RESULT_OK`: admitted; `*written_out` is 0 and `out` is untouched.
/// * `WSGUARD_RESULT_OVERLOADED`: refused; the exact answer is in `out` (`*written_out`
///   bytes: `HTTP/1.1 503 Service Unavailable`, `Retry-After: <limits->retry_after_s>`,
///   and the body `<code>: <reason>` / `fix: <remedy>`), and `*rejection_out` (may be
///   NULL) names the limit (`too_many_connections`, `too_many_from_address`,
///   `too_many_upgrades`; `http_status` 503, `close_code` 1013). Send the answer with one
///   non-blocking write, then close; when the socket does not take it at once, a plain
///   close is the refusal (even that answer cannot be afforded).
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: refused, but `out` is too small: nothing is
///   written except `*needed_out` (may be NULL), the exact size of the answer.
///   `WSGUARD_OVERLOAD_MAX_RESPONSE` bytes always suffice.
///
/// Allocates nothing; keeps no pointer.
///
/// # Safety
/// `limits` and `load` are readable; `out` points to `out_len` writable bytes;
/// `written_out` is writable; `needed_out` and `rejection_out` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_peer_limits_admit(
    limits: *const wsguard_peer_limits,
    load: *const wsguard_load,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(limits)?;
        non_null(load)?;
        non_null(written_out)?;
        // SAFETY: checked non-NULL; readable by the caller's contract.
        let (limits, load) = unsafe { (limits.read().to_core(), load.read()) };
        let dst = unsafe { crate::ffi::bytes_mut(out, out_len)? };
        let load = Load {
            connections: load.connections,
            from_address: load.from_address,
            upgrading: load.upgrading,
        };
        let overload = match limits.admit(&load) {
            Ok(()) => {
                unsafe { written_out.write(0) };
                return Ok(());
            }
            Err(o) => o,
        };
        let write = |buf: &mut [u8]| overload.write_response(limits.retry_after_s, buf);
        let outs = (written_out, needed_out, rejection_out);
        let verdict = (rejection_of(overload), wsguard_result::Overloaded);
        unsafe { write_refusal_answer(dst, write, outs, verdict) }
    })
}

fn rejection_of(o: Overload) -> wsguard_rejection {
    wsguard_rejection::from_diag(&o, o.status().unwrap_or(0), o.close_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    fn admit(
        l: &wsguard_peer_limits,
        load: wsguard_load,
        out: &mut [u8],
    ) -> (wsguard_result, usize, usize, wsguard_rejection) {
        let (mut w, mut need, mut rej) = (usize::MAX, usize::MAX, wsguard_rejection::EMPTY);
        let r = unsafe {
            wsguard_peer_limits_admit(
                l,
                &load,
                out.as_mut_ptr(),
                out.len(),
                &mut w,
                &mut need,
                &mut rej,
            )
        };
        (r, w, need, rej)
    }

    #[test]
    fn admits_refuses_and_writes_nothing_when_short() {
        let mut l = wsguard_peer_limits::from_core(&PeerLimits::DEFAULT);
        assert_eq!(
            unsafe { wsguard_peer_limits_default(&mut l) },
            wsguard_result::Ok
        );
        assert_eq!(l.to_core(), PeerLimits::DEFAULT);
        l.max_connections = 2;
        l.retry_after_s = 9;
        let mut out = [0xA5u8; WSGUARD_OVERLOAD_MAX_RESPONSE];
        let (r, w, need, _) = admit(
            &l,
            wsguard_load {
                connections: 1,
                ..Default::default()
            },
            &mut out,
        );
        assert_eq!((r, w, need), (wsguard_result::Ok, 0, usize::MAX));
        assert!(out.iter().all(|b| *b == 0xA5));
        let full = wsguard_load {
            connections: 2,
            ..Default::default()
        };
        let (r, w, _, rej) = admit(&l, full, &mut out);
        assert_eq!(r, wsguard_result::Overloaded);
        let mut expect = [0u8; MAX_RESPONSE];
        let n = Overload::Connections
            .write_response(9, &mut expect)
            .unwrap();
        assert_eq!(&out[..w], &expect[..n]);
        assert_eq!((rej.http_status, rej.close_code), (503, 1013));
        for short in 0..n {
            let mut small = vec![0xA5u8; short];
            let (r, w, need, rej) = admit(&l, full, &mut small);
            assert_eq!(
                (r, w, need),
                (wsguard_result::BufferTooSmall, usize::MAX, n)
            );
            assert_eq!(rej, wsguard_rejection::EMPTY);
            assert!(small.iter().all(|b| *b == 0xA5));
        }
        let r = unsafe {
            wsguard_peer_limits_admit(
                &l,
                &full,
                out.as_mut_ptr(),
                out.len(),
                null_mut(),
                null_mut(),
                null_mut(),
            )
        };
        assert_eq!(r, wsguard_result::NullArgument);
    }
}
