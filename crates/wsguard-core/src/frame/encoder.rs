//! Writing frames into caller buffers (RFC 6455 §5.2).
//!
//! * [`write_frame`] — header and payload in one go; with a key (client role) the payload
//!   is copied and masked into the output.
//! * [`write_header`] — the header only, so a large payload can be sent straight from
//!   where it lives (server role), or masked in place with [`unmask`]
//!   (client role; masking and unmasking are the same XOR).
//! * [`write_ping`], [`write_pong`], [`write_close`], [`write_close_reply`] — control
//!   frames with their rules checked (≤ 125 bytes, wire-valid close code, UTF-8 reason).
//!
//! The client role passes `Some(key)` with a fresh random key for every frame; the server
//! role passes `None`.

use super::header::{FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use super::{unmask, Opcode};
use crate::close::ClosePayload;
use crate::{BufferTooSmall, Cursor};

/// Longest close reason: 125 bytes of control payload minus the 2-byte code.
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;
/// Longest payload a frame header can announce: 2^63 − 1 bytes (RFC 6455 §5.2, the top
/// bit of the 64-bit length must be 0).
pub const MAX_PAYLOAD_LEN: u64 = i64::MAX as u64;

/// Why a control frame cannot be written.
///
/// ```
/// use wsguard_core::{Diagnostic, frame::encoder::{write_close, EncodeError}};
/// let mut out = [0u8; 16];
/// let e = write_close(&mut out, Some(1006), "", None).unwrap_err();
/// assert_eq!(e, EncodeError::InvalidCloseCode);
/// assert_eq!(e.code(), "encode_close_code_invalid");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small; `needed` is the full frame size.
    BufferTooSmall {
        /// Bytes the frame needs.
        needed: usize,
    },
    /// A ping or pong payload longer than 125 bytes.
    ControlPayloadTooLong,
    /// A close code that must not be sent (1004–1006, 1015, < 1000, > 4999 …).
    InvalidCloseCode,
    /// A close reason longer than 123 bytes.
    CloseReasonTooLong,
    /// A close reason without a code.
    ReasonWithoutCode,
}

impl From<BufferTooSmall> for EncodeError {
    fn from(e: BufferTooSmall) -> Self {
        EncodeError::BufferTooSmall { needed: e.needed }
    }
}

crate::diag::diagnostics! {
    EncodeError in "wsguard_core::frame::encoder" display {
    }
    BufferTooSmall { .. } => {
        example: Self::BufferTooSmall { needed: 0 },
        code: "buffer_too_small",
        reason: "the output buffer is too small for the frame",
        remedy: "pass a buffer of at least `needed` bytes (header_len(payload_len, masked) + payload length)",
    },
    ControlPayloadTooLong => {
        code: "encode_control_too_long",
        reason: "a ping or pong payload is longer than the 125 bytes RFC 6455 allows",
        remedy: "keep ping/pong payloads at 125 bytes or less (a timestamp or counter is enough)",
    },
    InvalidCloseCode => {
        code: "encode_close_code_invalid",
        reason: "this close code must not be sent in a Close frame (1004, 1005, 1006 and 1015 are reserved; valid codes are 1000-1003, 1007-1014 and 3000-4999)",
        remedy: "send 1000 (normal), 1001 (going away), 1008 (policy), 1011 (server error) or an application code in 4000-4999",
    },
    CloseReasonTooLong => {
        code: "encode_close_reason_too_long",
        reason: "the close reason is longer than 123 bytes (125-byte control payload minus the 2-byte code)",
        remedy: "shorten the reason to at most 123 bytes of UTF-8; put details in your logs instead",
    },
    ReasonWithoutCode => {
        code: "encode_close_reason_without_code",
        reason: "a close reason was given without a close code; the reason can only follow a code",
        remedy: "pass a code (e.g. Some(1000)) together with the reason, or drop the reason",
    },
}

/// Header length for a payload of `payload_len` bytes, with or without a masking key.
///
/// ```
/// use wsguard_core::frame::encoder::header_len;
/// assert_eq!(header_len(125, false), 2);
/// assert_eq!(header_len(126, true), 8);
/// assert_eq!(header_len(65536, false), 10);
/// ```
#[inline]
pub const fn header_len(payload_len: u64, masked: bool) -> usize {
    let base = if payload_len < 126 {
        2
    } else if payload_len <= 0xFFFF {
        4
    } else {
        10
    };
    if masked {
        base + 4
    } else {
        base
    }
}

impl FrameHeader {
    /// A header to write with [`write_header`] (RSV bits clear; `header_len` computed).
    /// `payload_len` above 2^63 − 1 is clamped to it.
    ///
    /// ```
    /// use wsguard_core::frame::{FrameHeader, Opcode};
    /// let h = FrameHeader::new(true, Opcode::Binary, 300, None);
    /// assert_eq!(h.header_len, 4);
    /// ```
    pub const fn new(fin: bool, opcode: Opcode, payload_len: u64, mask: Option<[u8; 4]>) -> Self {
        let payload_len = if payload_len > i64::MAX as u64 {
            i64::MAX as u64
        } else {
            payload_len
        };
        FrameHeader {
            fin,
            rsv: 0,
            opcode,
            mask,
            payload_len,
            header_len: header_len(payload_len, mask.is_some()) as u8,
        }
    }

    /// A header for `payload_len` bytes, or `None` when the length cannot be sent: RFC 6455
    /// §5.2 caps a payload at 2^63 − 1 bytes ([`MAX_PAYLOAD_LEN`]); [`FrameHeader::new`]
    /// would clamp it.
    ///
    /// ```
    /// use wsguard_core::frame::{FrameHeader, Opcode, encoder::MAX_PAYLOAD_LEN};
    /// assert!(FrameHeader::try_new(true, Opcode::Binary, MAX_PAYLOAD_LEN, None).is_some());
    /// assert!(FrameHeader::try_new(true, Opcode::Binary, MAX_PAYLOAD_LEN + 1, None).is_none());
    /// ```
    pub const fn try_new(
        fin: bool,
        opcode: Opcode,
        payload_len: u64,
        mask: Option<[u8; 4]>,
    ) -> Option<Self> {
        if payload_len > MAX_PAYLOAD_LEN {
            None
        } else {
            Some(FrameHeader::new(fin, opcode, payload_len, mask))
        }
    }

    /// The same header with RSV bits `rsv` (`header::RSV1 | …`).
    ///
    /// ```
    /// use wsguard_core::frame::{FrameHeader, Opcode, header::RSV1};
    /// assert_eq!(FrameHeader::new(true, Opcode::Text, 0, None).with_rsv(RSV1).rsv, 0x40);
    /// ```
    pub const fn with_rsv(mut self, rsv: u8) -> Self {
        self.rsv = rsv & 0x70;
        self
    }
}

/// Writes `header` (minimal length encoding) at the start of `out`; returns its length.
/// The payload is yours to send after it (mask it in place with
/// [`unmask`]`(payload, key, 0)` when the header carries a key).
///
/// ```
/// use wsguard_core::frame::{FrameHeader, Opcode, encoder::write_header};
/// let mut out = [0u8; 14];
/// let n = write_header(&mut out, &FrameHeader::new(true, Opcode::Binary, 70_000, None)).unwrap();
/// assert_eq!(&out[..n], &[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
/// ```
#[inline]
pub fn write_header(out: &mut [u8], header: &FrameHeader) -> Result<usize, BufferTooSmall> {
    let mut tmp = [0u8; MAX_HEADER_LEN];
    let len = header.payload_len.min(i64::MAX as u64);
    tmp[0] = (u8::from(header.fin) << 7) | (header.rsv & 0x70) | header.opcode.as_u8();
    let mask_bit = if header.mask.is_some() { 0x80 } else { 0 };
    let mut n = if len < 126 {
        tmp[1] = mask_bit | len as u8;
        2
    } else if len <= 0xFFFF {
        tmp[1] = mask_bit | 126;
        tmp[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        tmp[1] = mask_bit | 127;
        tmp[2..10].copy_from_slice(&len.to_be_bytes());
        10
    };
    if let Some(key) = header.mask {
        tmp[n..n + 4].copy_from_slice(&key);
        n += 4;
    }
    let mut c = Cursor::new(out);
    c.put(tmp.get(..n).unwrap_or(&[]))?;
    Ok(n)
}

/// Writes a whole frame (header and payload) at the start of `out`; returns its length.
/// With `mask = Some(key)` (client role) the payload is copied masked. No rule is
/// checked here: use the control-frame helpers for close, ping and pong.
///
/// ```
/// use wsguard_core::frame::{Opcode, encoder::write_frame};
/// let mut out = [0u8; 16];
/// let n = write_frame(&mut out, true, Opcode::Text, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d])).unwrap();
/// assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// ```
pub fn write_frame(
    out: &mut [u8],
    fin: bool,
    opcode: Opcode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<usize, BufferTooSmall> {
    let header = FrameHeader::new(fin, opcode, payload.len() as u64, mask);
    write_raw(out, &header, &[payload])
}

/// Header followed by the concatenation of `parts`, masked when the header has a key.
fn write_raw(
    out: &mut [u8],
    header: &FrameHeader,
    parts: &[&[u8]],
) -> Result<usize, BufferTooSmall> {
    let hlen = usize::from(header.header_len);
    let plen: usize = parts
        .iter()
        .map(|p| p.len())
        .fold(0usize, usize::saturating_add);
    let total = hlen.saturating_add(plen);
    if out.len() < total {
        return Err(BufferTooSmall { needed: total });
    }
    let written = write_header(out, header)?;
    let mut c = Cursor::new(out.get_mut(written..).unwrap_or_default());
    for p in parts {
        c.put(p)?;
    }
    if let (Some(key), Some(payload)) = (header.mask, out.get_mut(written..total)) {
        unmask(payload, key, 0);
    }
    Ok(total)
}

/// Writes a ping (payload ≤ 125 bytes).
///
/// ```
/// use wsguard_core::frame::encoder::write_ping;
/// let mut out = [0u8; 8];
/// assert_eq!(write_ping(&mut out, b"hb", None), Ok(4));
/// assert_eq!(&out[..4], b"\x89\x02hb");
/// ```
pub fn write_ping(
    out: &mut [u8],
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<usize, EncodeError> {
    write_control(out, Opcode::Ping, payload, mask)
}

/// Writes a pong (payload ≤ 125 bytes; echo the ping's payload).
///
/// ```
/// use wsguard_core::frame::encoder::write_pong;
/// let mut out = [0u8; 8];
/// assert_eq!(write_pong(&mut out, b"hb", None), Ok(4));
/// assert_eq!(&out[..4], b"\x8a\x02hb");
/// ```
pub fn write_pong(
    out: &mut [u8],
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<usize, EncodeError> {
    write_control(out, Opcode::Pong, payload, mask)
}

fn write_control(
    out: &mut [u8],
    opcode: Opcode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<usize, EncodeError> {
    if payload.len() > MAX_CONTROL_PAYLOAD {
        return Err(EncodeError::ControlPayloadTooLong);
    }
    Ok(write_frame(out, true, opcode, payload, mask)?)
}

/// Writes a Close frame. `code = None` sends an empty payload (then `reason` must be
/// empty); a code must be wire-valid and the reason at most 123 bytes.
///
/// ```
/// use wsguard_core::frame::encoder::write_close;
/// let mut out = [0u8; 16];
/// let n = write_close(&mut out, Some(1000), "bye", None).unwrap();
/// assert_eq!(&out[..n], b"\x88\x05\x03\xe8bye");
/// ```
pub fn write_close(
    out: &mut [u8],
    code: Option<u16>,
    reason: &str,
    mask: Option<[u8; 4]>,
) -> Result<usize, EncodeError> {
    let Some(code) = code else {
        if !reason.is_empty() {
            return Err(EncodeError::ReasonWithoutCode);
        }
        return Ok(write_frame(out, true, Opcode::Close, &[], mask)?);
    };
    if !crate::close::is_wire_valid(code) {
        return Err(EncodeError::InvalidCloseCode);
    }
    if reason.len() > MAX_CLOSE_REASON {
        return Err(EncodeError::CloseReasonTooLong);
    }
    let header = FrameHeader::new(true, Opcode::Close, 2 + reason.len() as u64, mask);
    Ok(write_raw(
        out,
        &header,
        &[&code.to_be_bytes(), reason.as_bytes()],
    )?)
}

/// Writes the reply to a received Close: the same code with no reason, or an empty
/// payload when the peer's Close had no code (RFC 6455 §5.5.1).
///
/// ```
/// use wsguard_core::close::ClosePayload;
/// use wsguard_core::frame::encoder::write_close_reply;
/// let mut out = [0u8; 8];
/// let n = write_close_reply(&mut out, &ClosePayload { code: Some(1001), reason: "gone" }, None).unwrap();
/// assert_eq!(&out[..n], b"\x88\x02\x03\xe9");
/// ```
pub fn write_close_reply(
    out: &mut [u8],
    received: &ClosePayload<'_>,
    mask: Option<[u8; 4]>,
) -> Result<usize, BufferTooSmall> {
    match received.code {
        Some(code) => write_frame(out, true, Opcode::Close, &code.to_be_bytes(), mask),
        None => write_frame(out, true, Opcode::Close, &[], mask),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_too_small_reports_total() {
        let mut out = [0u8; 5];
        assert_eq!(
            write_frame(&mut out, true, Opcode::Binary, b"abcd", Some([1; 4])),
            Err(BufferTooSmall { needed: 10 })
        );
        assert_eq!(
            write_header(
                &mut out[..3],
                &FrameHeader::new(true, Opcode::Binary, 200, None)
            ),
            Err(BufferTooSmall { needed: 4 })
        );
        assert_eq!(
            write_ping(&mut out, b"hello", None),
            Err(EncodeError::BufferTooSmall { needed: 7 })
        );
    }

    #[test]
    fn control_rules() {
        let mut out = [0u8; 200];
        assert_eq!(
            write_ping(&mut out, &[0; 126], None),
            Err(EncodeError::ControlPayloadTooLong)
        );
        assert_eq!(write_pong(&mut out, &[0; 125], None), Ok(127));
        let long = "x".repeat(124);
        assert_eq!(
            write_close(&mut out, Some(1000), &long, None),
            Err(EncodeError::CloseReasonTooLong)
        );
        assert_eq!(
            write_close(&mut out, Some(1000), &long[..123], None),
            Ok(127)
        );
        assert_eq!(
            write_close(&mut out, None, "x", None),
            Err(EncodeError::ReasonWithoutCode)
        );
        assert_eq!(write_close(&mut out, None, "", Some([9; 4])), Ok(6));
        assert_eq!(&out[..6], &[0x88, 0x80, 9, 9, 9, 9]);
        for bad in [0u16, 999, 1004, 1005, 1006, 1015, 2999, 5000] {
            assert_eq!(
                write_close(&mut out, Some(bad), "", None),
                Err(EncodeError::InvalidCloseCode),
                "{bad}"
            );
        }
        let reply = ClosePayload {
            code: None,
            reason: "",
        };
        assert_eq!(write_close_reply(&mut out, &reply, None), Ok(2));
        assert_eq!(&out[..2], &[0x88, 0x00]);
    }

    #[test]
    fn header_lengths_agree() {
        for len in [0u64, 125, 126, 65535, 65536, u32::MAX as u64 + 7] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut out = [0u8; 14];
                let n = write_header(
                    &mut out,
                    &FrameHeader::new(false, Opcode::Continuation, len, mask),
                )
                .unwrap();
                assert_eq!(n, header_len(len, mask.is_some()));
            }
        }
    }
}
