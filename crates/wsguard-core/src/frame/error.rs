//! Frame-layer protocol errors and the close code each one must be answered with.

/// A violation of RFC 6455 framing by the peer (or of a limit you configured).
///
/// Answer it by sending a Close frame with [`close_code`](ProtocolError::close_code) and
/// closing the connection; [`Diagnostic`](crate::Diagnostic) gives the machine code, a
/// sentence and the fix.
///
/// ```
/// use wsguard_core::{Diagnostic, frame::ProtocolError};
/// let e = ProtocolError::InvalidUtf8;
/// assert_eq!((e.close_code(), e.code()), (1007, "frame_invalid_utf8"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProtocolError {
    /// RSV1/2/3 set without a negotiated extension that defines them.
    ReservedBits,
    /// Opcode 0x3–0x7 or 0xB–0xF without an extension that defines it.
    ReservedOpcode,
    /// Server received an unmasked frame from a client.
    UnmaskedFrame,
    /// Client received a masked frame from a server.
    MaskedFrame,
    /// A 16- or 64-bit length field holds a value that fits a shorter form.
    NonMinimalLength,
    /// A 64-bit length has its most significant bit set.
    LengthTopBitSet,
    /// A close/ping/pong payload is longer than 125 bytes.
    ControlFrameTooLong,
    /// A close/ping/pong frame has FIN clear.
    FragmentedControlFrame,
    /// A continuation frame arrived with no message open.
    UnexpectedContinuation,
    /// A new text/binary frame arrived while a fragmented message was still open.
    MessageNotFinished,
    /// A frame is larger than `DecoderConfig::max_frame`.
    FrameTooBig,
    /// A message is larger than `DecoderConfig::max_message`.
    MessageTooBig,
    /// A text message (or a close reason) is not valid UTF-8.
    InvalidUtf8,
    /// A close payload of exactly one byte.
    ClosePayloadTooShort,
    /// A close code that must not appear on the wire (e.g. 1005, 1006, 999, 5000).
    InvalidCloseCode,
    /// A frame arrived after the peer's Close frame.
    FrameAfterClose,
    /// A text or binary message the configuration says this endpoint does not accept.
    UnsupportedData,
}

crate::diag::diagnostics! {
    ProtocolError in "wsguard_core::frame" {
        /// The close code to send to the peer for this error.
        ///
        /// ```
        /// use wsguard_core::frame::ProtocolError;
        /// assert_eq!(ProtocolError::MessageTooBig.close_code(), 1009);
        /// assert_eq!(ProtocolError::UnmaskedFrame.close_code(), 1002);
        /// ```
        pub fn close_code(&self) -> u16;
    }
    ReservedBits => {
        code: "frame_reserved_bits",
        reason: "the peer set RSV1, RSV2 or RSV3 in a frame header, but no extension that defines these bits was negotiated",
        remedy: "negotiate the extension (e.g. permessage-deflate) in Sec-WebSocket-Extensions and set DecoderConfig::allowed_rsv, or fix the peer so it does not set the bits",
        close_code: 1002,
    },
    ReservedOpcode => {
        code: "frame_reserved_opcode",
        reason: "the peer sent a frame with a reserved opcode (0x3-0x7 or 0xB-0xF) that no negotiated extension defines",
        remedy: "fix the peer to use opcodes 0x0-0x2 and 0x8-0xA, or set DecoderConfig::allowed_opcodes for the extension that defines the opcode",
        close_code: 1002,
    },
    UnmaskedFrame => {
        code: "frame_unmasked_from_client",
        reason: "the client sent an unmasked frame; RFC 6455 requires every client-to-server frame to be masked",
        remedy: "mask every frame sent by the client with a fresh random 4-byte key; if this endpoint is really a client, use Role::Client",
        close_code: 1002,
    },
    MaskedFrame => {
        code: "frame_masked_from_server",
        reason: "the server sent a masked frame; RFC 6455 forbids masking server-to-client frames",
        remedy: "send server frames unmasked; if this endpoint is really a server, use Role::Server",
        close_code: 1002,
    },
    NonMinimalLength => {
        code: "frame_non_minimal_length",
        reason: "the frame length was written with more bytes than necessary (e.g. 5 in the 16-bit form); RFC 6455 requires the minimal encoding",
        remedy: "write lengths up to 125 in the 7-bit field, up to 65535 in the 16-bit field; or accept it with DecoderConfig::lenient_length()",
        close_code: 1002,
    },
    LengthTopBitSet => {
        code: "frame_length_top_bit",
        reason: "the 64-bit frame length has its most significant bit set, which RFC 6455 forbids",
        remedy: "fix the peer's frame encoder: a 64-bit length must be below 2^63",
        close_code: 1002,
    },
    ControlFrameTooLong => {
        code: "frame_control_too_long",
        reason: "a close, ping or pong frame carries more than 125 bytes of payload",
        remedy: "keep ping/pong payloads and close reasons short (at most 125 bytes, 123 for a close reason)",
        close_code: 1002,
    },
    FragmentedControlFrame => {
        code: "frame_control_fragmented",
        reason: "a close, ping or pong frame has FIN clear; control frames must not be fragmented",
        remedy: "send close, ping and pong as single frames with FIN set",
        close_code: 1002,
    },
    UnexpectedContinuation => {
        code: "frame_unexpected_continuation",
        reason: "a continuation frame (opcode 0) arrived while no fragmented message was open",
        remedy: "start every message with a text (0x1) or binary (0x2) frame before sending continuation frames",
        close_code: 1002,
    },
    MessageNotFinished => {
        code: "frame_message_not_finished",
        reason: "a new text or binary frame arrived before the previous fragmented message ended with a FIN frame",
        remedy: "finish the open message (continuation frame with FIN set) before starting the next one",
        close_code: 1002,
    },
    FrameTooBig => {
        code: "frame_too_big",
        reason: "a frame is larger than the configured maximum frame size (DecoderConfig::max_frame)",
        remedy: "send smaller frames (fragment large messages), or raise DecoderConfig::max_frame",
        close_code: 1009,
    },
    MessageTooBig => {
        code: "frame_message_too_big",
        reason: "a message is larger than the configured maximum message size (DecoderConfig::max_message)",
        remedy: "send smaller messages, or raise DecoderConfig::max_message on the receiving side",
        close_code: 1009,
    },
    InvalidUtf8 => {
        code: "frame_invalid_utf8",
        reason: "a text message or close reason is not valid UTF-8",
        remedy: "send binary frames (opcode 0x2) for data that is not UTF-8 text, or encode the text as UTF-8",
        close_code: 1007,
    },
    ClosePayloadTooShort => {
        code: "frame_close_payload_one_byte",
        reason: "a close frame carries exactly one byte; a close payload is empty or starts with a 2-byte code",
        remedy: "send either an empty close payload or a 2-byte big-endian code followed by an optional UTF-8 reason",
        close_code: 1002,
    },
    InvalidCloseCode => {
        code: "frame_close_code_invalid",
        reason: "a close frame carries a code that must not be sent on the wire (1004-1006, 1015, below 1000 or above 4999)",
        remedy: "send 1000 for a normal close, 1001 when going away, or an application code in 4000-4999",
        close_code: 1002,
    },
    FrameAfterClose => {
        code: "frame_after_close",
        reason: "the peer sent a frame after its own close frame",
        remedy: "stop sending frames after the close frame; wait for the other side's close and then close the TCP connection",
        close_code: 1002,
    },
    UnsupportedData => {
        code: "frame_unsupported_data",
        reason: "the peer sent a message type (text or binary) this endpoint is configured not to accept",
        remedy: "send the message type this endpoint accepts, or enable it in DecoderConfig (accept_text / accept_binary)",
        close_code: 1003,
    },
}

impl core::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::Diagnostic;
        write!(f, "{} (close code {})", self.reason(), self.close_code())
    }
}
