//! # Frames (RFC 6455 §5)
//!
//! The frame layer sits between the socket and the application once the handshake is
//! done. It never reads a socket and never allocates: the caller owns the buffer.
//!
//! * [`Decoder`] — a streaming decoder. Give it the bytes you have (`&mut [u8]`); it
//!   answers [`Decoded::Incomplete`] with the exact number of bytes still missing, or one
//!   [`Event`] and how many bytes it consumed (shift your buffer by that much). Whole
//!   frames come back as borrowed views, unmasked in place. With
//!   [`Decoder::decode_streaming`] a payload larger than your buffer arrives as a
//!   [`Event::Header`] followed by [`Event::Data`] chunks, so a 1 KiB buffer can receive a
//!   1 MiB message.
//! * [`header`] — the fixed header (FIN, RSV, opcode, mask, 7/16/64-bit length).
//! * [`unmask`] — word-at-a-time XOR in safe Rust, correct at any key offset.
//! * [`Utf8Validator`] — incremental UTF-8 for text messages split anywhere.
//! * [`CloseHandshake`] — Open → CloseSent / CloseReceived → Closed.
//! * [`encoder`] — headers and whole frames into caller buffers (masking for clients).
//! * [`ProtocolError`] — every violation with the close code to send (1002, 1003, 1007, 1009).
//!
//! ```
//! use wsguard_core::frame::{Decoder, DecoderConfig, Decoded, Event, MessageKind, Opcode, encoder};
//!
//! // A client sends "Hi" masked; the server decodes it.
//! let mut wire = [0u8; 16];
//! let n = encoder::write_frame(&mut wire, true, Opcode::Text, b"Hi", Some([1, 2, 3, 4])).unwrap();
//! let mut dec = Decoder::new(DecoderConfig::server());
//! match dec.decode(&mut wire[..n]).unwrap() {
//!     Decoded::Event { consumed, event: Event::Data { kind, payload, fin_of_message, .. } } => {
//!         assert_eq!((consumed, kind, payload, fin_of_message), (n, MessageKind::Text, &b"Hi"[..], true));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

mod close_state;
mod decoder;
pub mod encoder;
mod error;
pub mod header;
mod mask;
mod utf8;

pub use close_state::{CloseAction, CloseHandshake, CloseState};
pub use decoder::{Decoded, Decoder, DecoderConfig, Event, MessageKind, MIN_BUFFER};
pub use error::ProtocolError;
pub use header::{FrameHeader, Opcode};
pub use mask::{unmask, Unmasker};
pub use utf8::{Utf8Error, Utf8Validator};

/// Which end of the connection this code runs on. It decides the masking rules:
/// a client masks every frame it sends and a server must refuse unmasked client frames;
/// a server never masks and a client must refuse masked server frames (RFC 6455 §5.1).
///
/// ```
/// use wsguard_core::frame::Role;
/// assert!(Role::Server.expects_masked_input());
/// assert!(!Role::Client.expects_masked_input());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// Accepted the connection; receives masked frames, sends unmasked ones.
    Server,
    /// Opened the connection; receives unmasked frames, sends masked ones.
    Client,
}

impl Role {
    /// `true` when frames received in this role must be masked (the server role).
    ///
    /// ```
    /// assert!(wsguard_core::frame::Role::Server.expects_masked_input());
    /// ```
    pub const fn expects_masked_input(self) -> bool {
        matches!(self, Role::Server)
    }

    /// `true` when frames sent in this role must be masked (the client role).
    ///
    /// ```
    /// assert!(wsguard_core::frame::Role::Client.masks_output());
    /// ```
    pub const fn masks_output(self) -> bool {
        matches!(self, Role::Client)
    }
}
