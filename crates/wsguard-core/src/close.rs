//! Close codes: classification of every u16, application registries, close payloads.
//!
//! CONTRACT STUB — replaced by the close-codes helper.

/// Classification of a close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseInfo {
    /// The code.
    pub code: u16,
    /// May it appear in a Close frame on the wire?
    pub wire_valid: bool,
}

/// Classifies any close code.
pub fn classify(code: u16) -> CloseInfo {
    CloseInfo { code, wire_valid: matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999) }
}

/// A parsed close frame payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosePayload<'a> {
    /// The code, `None` for an empty payload.
    pub code: Option<u16>,
    /// UTF-8 reason (may be empty).
    pub reason: &'a str,
}

/// Why a close payload is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseError {
    /// Placeholder.
    Invalid,
}

/// Parses and validates a Close frame payload.
pub fn parse_payload(payload: &[u8]) -> Result<ClosePayload<'_>, CloseError> {
    match payload.len() {
        0 => Ok(ClosePayload { code: None, reason: "" }),
        1 => Err(CloseError::Invalid),
        _ => {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            let reason = core::str::from_utf8(&payload[2..]).map_err(|_| CloseError::Invalid)?;
            Ok(ClosePayload { code: Some(code), reason })
        }
    }
}
