//! The fixed frame header (RFC 6455 §5.2): FIN, RSV1–3, opcode, MASK, payload length
//! (7, 16 or 64 bits) and the masking key.
//!
//! [`FrameHeader::parse`] only checks the *syntax* of the header (length encoding); the
//! rules that depend on the connection (role, negotiated extensions, fragmentation, size
//! limits) are checked by the [`Decoder`](super::Decoder).

use super::ProtocolError;

/// RSV1 bit as it appears in the first header byte (used by permessage-deflate).
pub const RSV1: u8 = 0x40;
/// RSV2 bit as it appears in the first header byte.
pub const RSV2: u8 = 0x20;
/// RSV3 bit as it appears in the first header byte.
pub const RSV3: u8 = 0x10;
/// The largest header: 2 bytes + 8 length bytes + 4 key bytes.
pub const MAX_HEADER_LEN: usize = 14;
/// The largest payload a control frame (close, ping, pong) may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// A frame opcode (RFC 6455 §5.2, §11.8).
///
/// ```
/// use wsguard_core::frame::Opcode;
/// assert_eq!(Opcode::from_u8(0x9), Opcode::Ping);
/// assert!(Opcode::Ping.is_control());
/// assert_eq!(Opcode::from_u8(0x3), Opcode::Reserved(0x3));
/// assert_eq!(Opcode::Reserved(0x3).as_u8(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Opcode {
    /// 0x0: continues a fragmented message.
    Continuation,
    /// 0x1: first frame of a text (UTF-8) message.
    Text,
    /// 0x2: first frame of a binary message.
    Binary,
    /// 0x8: close.
    Close,
    /// 0x9: ping.
    Ping,
    /// 0xA: pong.
    Pong,
    /// 0x3–0x7 (data) or 0xB–0xF (control): reserved for extensions.
    Reserved(u8),
}

impl Opcode {
    /// The opcode for the low 4 bits of `n` (higher bits are ignored).
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::Opcode::from_u8(1), wsguard_core::frame::Opcode::Text);
    /// ```
    #[inline]
    pub const fn from_u8(n: u8) -> Opcode {
        match n & 0x0F {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            other => Opcode::Reserved(other),
        }
    }

    /// The 4-bit wire value.
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::Opcode::Close.as_u8(), 8);
    /// ```
    #[inline]
    pub const fn as_u8(self) -> u8 {
        match self {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
            Opcode::Reserved(n) => n & 0x0F,
        }
    }

    /// `true` for close, ping, pong and the reserved control opcodes 0xB–0xF.
    ///
    /// ```
    /// assert!(!wsguard_core::frame::Opcode::Text.is_control());
    /// ```
    #[inline]
    pub const fn is_control(self) -> bool {
        self.as_u8() & 0x08 != 0
    }

    /// `true` for the opcodes RFC 6455 leaves reserved (0x3–0x7, 0xB–0xF).
    ///
    /// ```
    /// assert!(wsguard_core::frame::Opcode::from_u8(0xB).is_reserved());
    /// ```
    #[inline]
    pub const fn is_reserved(self) -> bool {
        matches!(self, Opcode::Reserved(_))
    }
}

/// A decoded frame header.
///
/// ```
/// use wsguard_core::frame::{FrameHeader, Opcode, header::HeaderStatus};
/// // FIN + text, masked, length 5, key 37 fa 21 3d
/// let bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d];
/// let HeaderStatus::Complete(h) = FrameHeader::parse(&bytes, true).unwrap() else { panic!() };
/// assert_eq!((h.fin, h.opcode, h.payload_len, h.header_len), (true, Opcode::Text, 5, 6));
/// assert_eq!(h.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FrameHeader {
    /// Last frame of its message.
    pub fin: bool,
    /// The RSV bits exactly as in the first byte (`RSV1 | RSV2 | RSV3` = `0x70`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: Opcode,
    /// The masking key, when the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// Payload length in bytes.
    pub payload_len: u64,
    /// Header length on the wire (2–14 bytes).
    pub header_len: u8,
}

/// Result of [`FrameHeader::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HeaderStatus {
    /// The whole header was present.
    Complete(FrameHeader),
    /// At least `needed` more bytes are required to finish the header.
    Incomplete {
        /// Exact number of bytes still missing from the header.
        needed: usize,
    },
}

impl FrameHeader {
    /// Parses the header at the start of `buf`.
    ///
    /// `strict_length`: refuse lengths written with more bytes than necessary (RFC 6455
    /// says "the minimal number of bytes MUST be used"). A 64-bit length with its top bit
    /// set is always refused.
    ///
    /// ```
    /// use wsguard_core::frame::{FrameHeader, header::HeaderStatus};
    /// assert_eq!(FrameHeader::parse(&[0x82, 0x7e, 0x01], true).unwrap(),
    ///            HeaderStatus::Incomplete { needed: 1 });
    /// // 16-bit length holding 5: not minimal
    /// assert!(FrameHeader::parse(&[0x82, 0x7e, 0x00, 0x05], true).is_err());
    /// assert!(FrameHeader::parse(&[0x82, 0x7e, 0x00, 0x05], false).is_ok());
    /// ```
    #[inline]
    pub fn parse(buf: &[u8], strict_length: bool) -> Result<HeaderStatus, ProtocolError> {
        let (b0, b1) = match buf {
            [b0, b1, ..] => (*b0, *b1),
            _ => {
                return Ok(HeaderStatus::Incomplete {
                    needed: 2 - buf.len(),
                })
            }
        };
        let masked = b1 & 0x80 != 0;
        let len7 = b1 & 0x7F;
        let ext: usize = match len7 {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let header_len = 2 + ext + if masked { 4 } else { 0 };
        let head = match buf.get(..header_len) {
            Some(h) => h,
            None => {
                return Ok(HeaderStatus::Incomplete {
                    needed: header_len - buf.len(),
                })
            }
        };
        let payload_len = match ext {
            0 => u64::from(len7),
            2 => {
                let mut b = [0u8; 2];
                b.copy_from_slice(head.get(2..4).unwrap_or(&[0, 0]));
                let n = u64::from(u16::from_be_bytes(b));
                if strict_length && n < 126 {
                    return Err(ProtocolError::NonMinimalLength);
                }
                n
            }
            _ => {
                let mut b = [0u8; 8];
                b.copy_from_slice(head.get(2..10).unwrap_or(&[0; 8]));
                let n = u64::from_be_bytes(b);
                if n >> 63 != 0 {
                    return Err(ProtocolError::LengthTopBitSet);
                }
                if strict_length && n <= 0xFFFF {
                    return Err(ProtocolError::NonMinimalLength);
                }
                n
            }
        };
        let mask = if masked {
            let mut k = [0u8; 4];
            k.copy_from_slice(head.get(2 + ext..6 + ext).unwrap_or(&[0; 4]));
            Some(k)
        } else {
            None
        };
        Ok(HeaderStatus::Complete(FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: b0 & 0x70,
            opcode: Opcode::from_u8(b0),
            mask,
            payload_len,
            header_len: header_len as u8,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(b: &[u8], strict: bool) -> FrameHeader {
        match FrameHeader::parse(b, strict) {
            Ok(HeaderStatus::Complete(h)) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lengths() {
        assert_eq!(complete(&[0x82, 0x7d], true).payload_len, 125);
        assert_eq!(complete(&[0x82, 0x7e, 0x00, 0x7e], true).payload_len, 126);
        assert_eq!(complete(&[0x82, 0x7e, 0xff, 0xff], true).payload_len, 65535);
        let h = complete(&[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0], true);
        assert_eq!((h.payload_len, h.header_len), (65536, 10));
        let h = complete(
            &[
                0x02, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4,
            ],
            true,
        );
        assert_eq!(
            (h.payload_len, h.header_len, h.fin),
            (i64::MAX as u64, 14, false)
        );
        assert_eq!(h.mask, Some([1, 2, 3, 4]));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            FrameHeader::parse(&[0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0], false),
            Err(ProtocolError::LengthTopBitSet)
        );
        assert_eq!(
            FrameHeader::parse(&[0x82, 0x7e, 0, 125], true),
            Err(ProtocolError::NonMinimalLength)
        );
        assert_eq!(
            FrameHeader::parse(&[0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff], true),
            Err(ProtocolError::NonMinimalLength)
        );
        assert_eq!(
            complete(&[0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 1], false).payload_len,
            1
        );
    }

    #[test]
    fn incomplete_counts() {
        let full = [0x81u8, 0xfe, 0x01, 0x00, 9, 9, 9, 9];
        for cut in 0..full.len() {
            let want = if cut < 2 { 2 - cut } else { 8 - cut };
            assert_eq!(
                FrameHeader::parse(&full[..cut], true),
                Ok(HeaderStatus::Incomplete { needed: want })
            );
        }
        let h = complete(&full, true);
        assert_eq!((h.rsv, h.opcode, h.payload_len), (0, Opcode::Text, 256));
        assert_eq!(complete(&[0xf1, 0], true).rsv, RSV1 | RSV2 | RSV3);
    }
}
