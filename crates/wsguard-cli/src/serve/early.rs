//! WORKAROUND (core gap): fail a frame at the first header byte that proves it wrong.
//!
//! `wsguard_core::frame::Decoder` validates a header only once all of it has arrived (2
//! bytes + extended length + 4-byte mask). The first byte alone already decides RSV bits,
//! the opcode, FIN on a control frame, a continuation without a message, a new message
//! inside a fragmented one; the second byte decides masking and a control payload over
//! 125 bytes. RFC 6455 asks to _Fail the WebSocket Connection_ as soon as a violation is
//! known, so while a header is incomplete we ask the core about a hypothetical header made
//! of the bytes we have, completed with neutral bytes (masked, smallest length of the
//! announced form, zero key), on a *copy* of the decoder. Only errors that the received
//! bytes alone decide are reported; anything that depends on the padding (lengths, limits,
//! UTF-8 of a zero-length payload) is ignored and left to the real decode.
//!
//! No protocol rule lives here: the verdict is the core's. The core should offer this
//! itself (e.g. `FrameHeader::precheck(&[u8])` or the decoder checking partial headers);
//! then this file goes away.

use wsguard_core::frame::{Decoder, ProtocolError};

/// Errors decided by the first two header bytes alone.
fn decided_by_prefix(e: ProtocolError) -> bool {
    matches!(
        e,
        ProtocolError::ReservedBits
            | ProtocolError::ReservedOpcode
            | ProtocolError::UnmaskedFrame
            | ProtocolError::MaskedFrame
            | ProtocolError::ControlFrameTooLong
            | ProtocolError::FragmentedControlFrame
            | ProtocolError::UnexpectedContinuation
            | ProtocolError::MessageNotFinished
            | ProtocolError::UnsupportedData
            | ProtocolError::FrameAfterClose
    )
}

/// `partial` holds 1..header_len bytes of a frame header the decoder called incomplete.
/// Returns the error the core would report for every completion of these bytes.
pub fn precheck(decoder: &Decoder, partial: &[u8]) -> Option<ProtocolError> {
    let b0 = *partial.first()?;
    if partial.len() >= 14 {
        return None;
    }
    let mut probe = [0u8; 14];
    probe[0] = b0;
    let n = match partial.get(1) {
        None => {
            probe[1] = 0x80; // masked, length 0
            6
        }
        Some(&b1) => {
            probe[1] = b1;
            let ext = match b1 & 0x7F {
                126 => {
                    probe[2..4].copy_from_slice(&126u16.to_be_bytes());
                    2
                }
                127 => {
                    probe[2..10].copy_from_slice(&65536u64.to_be_bytes());
                    8
                }
                _ => 0,
            };
            2 + ext + if b1 & 0x80 != 0 { 4 } else { 0 }
        }
    };
    // The padded header must agree with the real bytes where we have them (bytes 2.. of
    // the real header are length/mask bytes; using our neutral ones is the point).
    let mut copy = *decoder;
    match copy.decode(&mut probe[..n]) {
        Err(e) if decided_by_prefix(e) => Some(e),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsguard_core::frame::DecoderConfig;

    fn dec() -> Decoder {
        Decoder::new(DecoderConfig::server())
    }

    #[test]
    fn rsv_bit_in_first_byte() {
        assert_eq!(precheck(&dec(), &[0xC1]), Some(ProtocolError::ReservedBits));
    }

    #[test]
    fn reserved_opcode_in_first_byte() {
        assert_eq!(
            precheck(&dec(), &[0x83]),
            Some(ProtocolError::ReservedOpcode)
        );
        assert_eq!(
            precheck(&dec(), &[0x8B]),
            Some(ProtocolError::ReservedOpcode)
        );
    }

    #[test]
    fn fragmented_control_in_first_byte() {
        assert_eq!(
            precheck(&dec(), &[0x09]),
            Some(ProtocolError::FragmentedControlFrame)
        );
    }

    #[test]
    fn orphan_continuation_in_first_byte() {
        assert_eq!(
            precheck(&dec(), &[0x80]),
            Some(ProtocolError::UnexpectedContinuation)
        );
    }

    #[test]
    fn long_control_in_second_byte() {
        assert_eq!(
            precheck(&dec(), &[0x89, 0xFE]),
            Some(ProtocolError::ControlFrameTooLong)
        );
        assert_eq!(
            precheck(&dec(), &[0x89, 0xFF, 0x00]),
            Some(ProtocolError::ControlFrameTooLong)
        );
    }

    #[test]
    fn valid_prefixes_are_not_refused() {
        for p in [
            &[0x81][..],
            &[0x82, 0xFE],
            &[0x82, 0xFF, 0, 0],
            &[0x89, 0x85, 1, 2],
            &[0x88],
        ] {
            assert_eq!(precheck(&dec(), p), None, "{p:02x?}");
        }
    }

    #[test]
    fn limits_are_left_to_the_real_decode() {
        let small = Decoder::new(
            DecoderConfig::server()
                .with_max_frame(10)
                .with_max_message(10),
        );
        assert_eq!(precheck(&small, &[0x82, 0xFE]), None);
    }
}
