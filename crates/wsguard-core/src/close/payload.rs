//! Close-frame payloads: `[code: u16 big-endian][reason: UTF-8, ≤ 123 bytes]` or empty.

use super::is_wire_valid;
use crate::{BufferTooSmall, Cursor};

/// Largest close reason in bytes: a control frame carries at most 125 bytes, 2 of which
/// are the code.
pub const MAX_REASON_LEN: usize = 123;

/// A parsed Close frame payload.
///
/// ```
/// let p = wsguard_core::close::parse_payload(b"\x03\xe8bye").unwrap();
/// assert_eq!(p.code, Some(1000));
/// assert_eq!(p.reason, "bye");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClosePayload<'a> {
    /// The code, `None` for an empty payload (reported locally as 1005).
    pub code: Option<u16>,
    /// UTF-8 reason (may be empty).
    pub reason: &'a str,
}

impl ClosePayload<'_> {
    /// The code an application should report: the payload's code, or 1005
    /// (`no_status_received`) for an empty payload.
    ///
    /// ```
    /// assert_eq!(wsguard_core::close::parse_payload(b"").unwrap().reported_code(), 1005);
    /// ```
    pub const fn reported_code(&self) -> u16 {
        match self.code {
            Some(c) => c,
            None => 1005,
        }
    }
}

/// Why a close payload is invalid (when parsing) or cannot be written.
///
/// ```
/// use wsguard_core::{Diagnostic, close::{parse_payload, CloseError}};
/// let err = parse_payload(&[0x03]).unwrap_err();
/// assert_eq!(err, CloseError::LengthOne);
/// assert_eq!(err.code(), "close_payload_length_one");
/// assert_eq!(err.close_code(), 1002);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CloseError {
    /// A 1-byte payload: the code needs 2 bytes.
    LengthOne,
    /// 1005, 1006 or 1015: codes only reported locally, never sent.
    LocalOnlyCode {
        /// The offending code.
        code: u16,
    },
    /// 0–999, 1004, 1016–2999 or 5000+: not a valid close code.
    InvalidCode {
        /// The offending code.
        code: u16,
    },
    /// The reason is not valid UTF-8.
    ReasonNotUtf8 {
        /// Bytes of the reason that are valid UTF-8 before the first bad byte.
        valid_up_to: usize,
    },
    /// The reason is longer than 123 bytes (the whole payload over 125).
    ReasonTooLong {
        /// Length of the reason in bytes.
        len: usize,
    },
    /// (Writing only) the output buffer cannot hold the payload.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl From<BufferTooSmall> for CloseError {
    fn from(e: BufferTooSmall) -> Self {
        CloseError::BufferTooSmall { needed: e.needed }
    }
}

crate::diag::diagnostics! {
    CloseError in "wsguard_core::close" display {
        /// The close code to send back when a received payload is rejected: 1007 for a
        /// non-UTF-8 reason, 1002 (protocol error) for everything else.
        ///
        /// ```
        /// use wsguard_core::close::CloseError;
        /// assert_eq!(CloseError::ReasonNotUtf8 { valid_up_to: 0 }.close_code(), 1007);
        /// ```
        pub fn close_code(&self) -> u16;
    }
    LengthOne => {
        code: "close_payload_length_one",
        reason: "the Close frame carries 1 byte; its payload must be empty or start with a 2-byte code",
        remedy: "send an empty payload or a 2-byte big-endian code followed by an optional UTF-8 reason",
        close_code: 1002,
    },
    LocalOnlyCode { .. } => {
        example: Self::LocalOnlyCode { code: 1005 },
        code: "close_code_local_only",
        reason: "the Close frame carries 1005, 1006 or 1015; these codes are only reported by the local API and must never be sent",
        remedy: "send 1000 (normal), 1001 (going away) or 1011 (error) instead; to close without a code send an empty payload",
        close_code: 1002,
    },
    InvalidCode { .. } => {
        example: Self::InvalidCode { code: 999 },
        code: "close_code_invalid",
        reason: "the Close frame carries a code that is not valid on the wire (0–999, 1004, 1016–2999 or 5000 and above)",
        remedy: "send a registered code (1000–1003, 1007–1014) or an application code in 4000–4999",
        close_code: 1002,
    },
    ReasonNotUtf8 { .. } => {
        example: Self::ReasonNotUtf8 { valid_up_to: 0 },
        code: "close_reason_not_utf8",
        reason: "the close reason is not valid UTF-8",
        remedy: "encode the reason as UTF-8 (or send no reason)",
        close_code: 1007,
    },
    ReasonTooLong { .. } => {
        example: Self::ReasonTooLong { len: 124 },
        code: "close_reason_too_long",
        reason: "the close reason is longer than 123 bytes; a Close frame carries at most 125 bytes including the 2-byte code",
        remedy: "shorten the reason to at most 123 bytes (wsguard_core::close::fit_reason cuts it at a character boundary)",
        close_code: 1002,
    },
    BufferTooSmall { .. } => {
        example: Self::BufferTooSmall { needed: 0 },
        code: "buffer_too_small",
        reason: "the output buffer is too small for the close payload",
        remedy: "pass a buffer of at least `needed` bytes (125 always suffices)",
        close_code: 1002,
    },
}

fn check_code(code: u16) -> Result<(), CloseError> {
    if is_wire_valid(code) {
        Ok(())
    } else if matches!(code, 1005 | 1006 | 1015) {
        // The codes whose `Sender` is `LocalOnly` (close/table.rs); kept apart from
        // `classify` so that frame decoding does not link the close-code text table.
        Err(CloseError::LocalOnlyCode { code })
    } else {
        Err(CloseError::InvalidCode { code })
    }
}

/// Parses and validates a Close frame payload (RFC 6455 §5.5.1, §7.4): empty, or a
/// wire-valid code followed by a UTF-8 reason of at most 123 bytes.
///
/// ```
/// use wsguard_core::close::{parse_payload, CloseError};
/// assert_eq!(parse_payload(b"").unwrap().code, None);
/// assert_eq!(parse_payload(b"\x0f\xa1").unwrap().code, Some(4001));
/// assert_eq!(parse_payload(b"\x03\xee"), Err(CloseError::LocalOnlyCode { code: 1006 }));
/// assert_eq!(parse_payload(b"\x03\xe8\xff"), Err(CloseError::ReasonNotUtf8 { valid_up_to: 0 }));
/// ```
pub fn parse_payload(payload: &[u8]) -> Result<ClosePayload<'_>, CloseError> {
    let (code, rest) = match payload {
        [] => {
            return Ok(ClosePayload {
                code: None,
                reason: "",
            })
        }
        [_] => return Err(CloseError::LengthOne),
        [hi, lo, rest @ ..] => (u16::from_be_bytes([*hi, *lo]), rest),
    };
    check_code(code)?;
    if rest.len() > MAX_REASON_LEN {
        return Err(CloseError::ReasonTooLong { len: rest.len() });
    }
    let reason = core::str::from_utf8(rest).map_err(|e| CloseError::ReasonNotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    Ok(ClosePayload {
        code: Some(code),
        reason,
    })
}

/// Writes a Close frame payload (code + reason) into `out` after checking the same rules
/// as [`parse_payload`]. Returns the number of bytes written. (To close without a code,
/// send an empty payload: write nothing.)
///
/// ```
/// use wsguard_core::close::{write_close_payload, CloseError};
/// let mut buf = [0u8; 125];
/// let n = write_close_payload(4401, "token expired", &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"\x11\x31token expired");
/// assert_eq!(write_close_payload(1006, "", &mut buf), Err(CloseError::LocalOnlyCode { code: 1006 }));
/// ```
pub fn write_close_payload(code: u16, reason: &str, out: &mut [u8]) -> Result<usize, CloseError> {
    check_code(code)?;
    if reason.len() > MAX_REASON_LEN {
        return Err(CloseError::ReasonTooLong { len: reason.len() });
    }
    let needed = 2 + reason.len();
    if out.len() < needed {
        return Err(CloseError::BufferTooSmall { needed });
    }
    let mut cursor = Cursor::new(out);
    cursor.put(&code.to_be_bytes())?;
    cursor.put_str(reason)?;
    Ok(cursor.finish()?)
}

/// Cuts `reason` to at most 123 bytes without splitting a character, so it always fits
/// in a Close frame.
///
/// ```
/// let long = "é".repeat(100); // 200 bytes
/// let cut = wsguard_core::close::fit_reason(&long);
/// assert_eq!(cut.len(), 122);
/// assert_eq!(wsguard_core::close::fit_reason("short"), "short");
/// ```
pub fn fit_reason(reason: &str) -> &str {
    if reason.len() <= MAX_REASON_LEN {
        return reason;
    }
    let mut end = MAX_REASON_LEN;
    while end > 0 && !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason.get(..end).unwrap_or("")
}
