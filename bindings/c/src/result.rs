//! Result codes of every fallible C function, their messages, and the panic guard.
//!
//! Numbers are grouped by range and never reused once released:
//! `0` success, `1xxx` a bad argument (the caller's bug), `2xxx` "not enough room or not
//! enough input yet", `3xxx` a verdict (the input was read and refused; the details are in
//! the `wsguard_rejection` the function filled in), `9xxx` an internal failure.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The result of every fallible wsguard function.
///
/// `WSGUARD_RESULT_OK` (0) is success. Numbers are grouped by range and never reused:
/// 1xxx a bad argument, 2xxx a buffer too small or input incomplete, 3xxx a verdict
/// (the input was refused; read the `wsguard_rejection` for the stable code, the HTTP
/// status or close code to send, the reason and the remedy), 9xxx internal failure.
/// `wsguard_result_message()` turns any value into a static sentence.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_result {
    /// Success; every output was written.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL.
    NullArgument = 1001,
    /// A length argument is impossible (larger than `PTRDIFF_MAX`, or not the size the
    /// function requires, e.g. a mask key that is not 4 bytes).
    InvalidLength = 1002,
    /// A string argument is not valid UTF-8.
    NotUtf8 = 1003,
    /// A flag or enum argument has a value this version does not know.
    InvalidArgument = 1004,
    /// Caller-provided storage is too small or not aligned (see the `*_STORAGE_SIZE` and
    /// `*_STORAGE_ALIGN` macros).
    InvalidStorage = 1005,
    /// A handle is not initialised, or it lives in caller storage (`*_init`) and was
    /// released with `*_free` (marked dead; the storage is still yours). Using a heap handle
    /// (`*_new`) after `*_free` is undefined behaviour: its memory went back to the
    /// allocator and is not read to detect it, so no code is promised.
    InvalidHandle = 1006,
    /// The output buffer is too small; `*needed_out` (when the function has one) says
    /// how many bytes it needs. Nothing was written.
    BufferTooSmall = 2001,
    /// The input ends before the value does: call again with more bytes.
    Incomplete = 2002,
    /// A fixed-capacity container is full (too many patterns, hosts or bytes).
    CapacityExceeded = 2003,
    /// An Origin was refused by the policy (details in the rejection).
    OriginRejected = 3001,
    /// A Host was refused by the Host allowlist (details in the rejection).
    HostRejected = 3002,
    /// An upgrade request was refused (details in the rejection; send its HTTP status).
    HandshakeRejected = 3003,
    /// The server's handshake response was refused (details in the rejection).
    ResponseRejected = 3004,
    /// A frame broke RFC 6455 (details in the rejection; close with its close code).
    ProtocolViolation = 3005,
    /// A Close frame payload is invalid (details in the rejection).
    InvalidClosePayload = 3006,
    /// A URL is not a usable ws/wss (or page) URL (details in the rejection).
    InvalidUrl = 3007,
    /// An origin pattern string is invalid (details in the rejection).
    InvalidPattern = 3008,
    /// A client request field cannot be written safely (details in the rejection).
    InvalidRequest = 3009,
    /// A configuration is refused, e.g. a heartbeat whose dead-peer timeout is not above
    /// its interval (details in the rejection).
    InvalidConfig = 3010,
    /// An application close code cannot be registered: out of range, empty name or
    /// registered twice (details in the rejection).
    InvalidRegistration = 3011,
    /// The connection has ended, or its closing handshake has begun, so it takes no more
    /// input or messages (details in the rejection: `connection_closed`).
    ConnectionClosed = 3012,
    /// The connection refused a send: a fragmented message is open, a ping payload is
    /// above 125 bytes, or the close code may not appear on the wire (details in the
    /// rejection).
    SendRefused = 3013,
    /// A peer limit is reached (too many connections, from one address, or upgrading):
    /// the 503 answer with `Retry-After` was written; send it, then close (details in the
    /// rejection, e.g. `too_many_connections`).
    Overloaded = 3014,
    /// A Rust panic was caught at the boundary. It is a bug in wsguard: please report it.
    Panic = 9001,
}

impl wsguard_result {
    /// The static, NUL-terminated sentence of this code.
    pub(crate) fn message(self) -> &'static std::ffi::CStr {
        use wsguard_result as R;
        match self {
            R::Ok => c"success",
            R::NullArgument => c"a pointer argument that must not be NULL was NULL",
            R::InvalidLength => c"a length argument is impossible or not the required size",
            R::NotUtf8 => c"a string argument is not valid UTF-8",
            R::InvalidArgument => c"a flag or enum argument has an unknown value",
            R::InvalidStorage => c"caller-provided storage is too small or misaligned",
            R::InvalidHandle => c"the handle is not initialised or was released in caller storage",
            R::BufferTooSmall => c"the output buffer is too small; nothing was written",
            R::Incomplete => c"the input is incomplete; call again with more bytes",
            R::CapacityExceeded => c"a fixed-capacity container is full",
            R::OriginRejected => c"the Origin was refused by the policy; see the rejection",
            R::HostRejected => c"the Host was refused by the allowlist; see the rejection",
            R::HandshakeRejected => c"the upgrade request was refused; see the rejection",
            R::ResponseRejected => {
                c"the server's handshake response was refused; see the rejection"
            }
            R::ProtocolViolation => c"a frame broke the WebSocket protocol; see the rejection",
            R::InvalidClosePayload => c"the Close frame payload is invalid; see the rejection",
            R::InvalidUrl => c"the URL is not usable; see the rejection",
            R::InvalidPattern => c"the origin pattern is invalid; see the rejection",
            R::InvalidRequest => {
                c"a client request field cannot be written safely; see the rejection"
            }
            R::InvalidConfig => c"the configuration is refused; see the rejection",
            R::InvalidRegistration => c"the close code cannot be registered; see the rejection",
            R::ConnectionClosed => c"the connection has ended or is closing; see the rejection",
            R::SendRefused => c"the connection refused the send; see the rejection",
            R::Overloaded => c"a peer limit is reached; send the 503 answer and close",
            R::Panic => c"internal error (a Rust panic was caught); please report this bug",
        }
    }
}

/// A static, NUL-terminated English sentence for any result value (unknown values give
/// "unknown wsguard_result value").
///
/// Never fails, never allocates. The returned pointer is never NULL and lives for the
/// whole program; do not free it.
#[no_mangle]
pub extern "C" fn wsguard_result_message(result: u32) -> *const c_char {
    let msg = catch_unwind(|| {
        ALL_RESULTS
            .iter()
            .find(|r| **r as u32 == result)
            .map(|r| r.message())
            .unwrap_or(c"unknown wsguard_result value")
    });
    msg.unwrap_or(c"internal error").as_ptr()
}

/// Every value, for `wsguard_result_message` and the tests.
pub(crate) const ALL_RESULTS: [wsguard_result; 25] = {
    use wsguard_result as R;
    [
        R::Ok,
        R::NullArgument,
        R::InvalidLength,
        R::NotUtf8,
        R::InvalidArgument,
        R::InvalidStorage,
        R::InvalidHandle,
        R::BufferTooSmall,
        R::Incomplete,
        R::CapacityExceeded,
        R::OriginRejected,
        R::HostRejected,
        R::HandshakeRejected,
        R::ResponseRejected,
        R::ProtocolViolation,
        R::InvalidClosePayload,
        R::InvalidUrl,
        R::InvalidPattern,
        R::InvalidRequest,
        R::InvalidConfig,
        R::InvalidRegistration,
        R::ConnectionClosed,
        R::SendRefused,
        R::Overloaded,
        R::Panic,
    ]
};

/// Runs `f`; a panic becomes `WSGUARD_RESULT_PANIC` instead of unwinding into C.
pub(crate) fn guard<F: FnOnce() -> Result<(), wsguard_result>>(f: F) -> wsguard_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => wsguard_result::Ok,
        Ok(Err(e)) => e,
        Err(_) => wsguard_result::Panic,
    }
}

/// Runs `f`; a panic gives `fallback`.
pub(crate) fn guard_value<T, F: FnOnce() -> T>(fallback: T, f: F) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_a_distinct_message_and_range() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL_RESULTS {
            let m = unsafe { CStr::from_ptr(wsguard_result_message(r as u32)) };
            assert!(seen.insert(m.to_bytes().to_vec()), "{r:?}");
            let n = r as u32;
            assert!(n == 0 || (1000..4000).contains(&n) || (9000..10000).contains(&n));
        }
        let unknown = unsafe { CStr::from_ptr(wsguard_result_message(4242)) };
        assert_eq!(unknown.to_str().unwrap(), "unknown wsguard_result value");
    }

    #[test]
    fn guard_turns_a_panic_into_a_code() {
        let r = guard(|| panic!("boom"));
        assert_eq!(r, wsguard_result::Panic);
        assert_eq!(
            guard(|| Err(wsguard_result::NotUtf8)),
            wsguard_result::NotUtf8
        );
        assert_eq!(guard_value(7u8, || panic!("x")), 7);
    }
}
