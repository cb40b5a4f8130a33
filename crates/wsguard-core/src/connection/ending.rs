//! [`Ending`] (why a connection ended) and [`Error`] (why a call was refused).

use crate::close::{classify, CloseInfo};
use crate::frame::ProtocolError;
use crate::heartbeat::PeerDead;
use crate::BufferTooSmall;

/// Why a [`Connection`](super::Connection) ended.
///
/// ```
/// use wsguard_core::connection::Ending;
/// use wsguard_core::close::Category;
/// let e = Ending::Closed { code: 1001, by_peer: true };
/// assert_eq!(e.code(), 1001);
/// assert_eq!(e.info().name(), Some("going_away"));
/// assert_eq!(Ending::Lost.info().category(), Category::TransportFailure);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ending {
    /// A Close was received: `code` is the one it carried (1005 for an empty payload).
    /// `by_peer`: the peer started the handshake (we replied); otherwise it answered ours.
    Closed {
        /// The received close code.
        code: u16,
        /// The peer sent the first Close.
        by_peer: bool,
    },
    /// The peer broke RFC 6455; our Close carries [`ProtocolError::close_code`].
    Failed(ProtocolError),
    /// The heartbeat declared the peer dead (1006: drop the transport).
    PeerDead(PeerDead),
    /// Our Close went unanswered for `close_timeout_ms` (1006).
    CloseTimeout,
    /// The transport ended without a closing handshake (1006).
    Lost,
}

impl Ending {
    /// The close code of the ending: the received code, the code we failed with, or 1006.
    ///
    /// ```
    /// use wsguard_core::{connection::Ending, frame::ProtocolError};
    /// assert_eq!(Ending::Failed(ProtocolError::InvalidUtf8).code(), 1007);
    /// assert_eq!(Ending::CloseTimeout.code(), 1006);
    /// ```
    pub const fn code(&self) -> u16 {
        match self {
            Ending::Closed { code, .. } => *code,
            Ending::Failed(e) => e.close_code(),
            Ending::PeerDead(_) | Ending::CloseTimeout | Ending::Lost => 1006,
        }
    }

    /// The code classified with the core's close table (meaning, category, retry advice).
    pub const fn info(&self) -> CloseInfo {
        classify(self.code())
    }
}

/// Why a [`Connection`](super::Connection) call was refused.
///
/// ```
/// use wsguard_core::{connection::Error, Diagnostic};
/// assert_eq!(Error::Closed.code(), "connection_closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The peer broke RFC 6455: the Close is queued (see `poll_transmit`).
    Protocol(ProtocolError),
    /// The connection has ended or is closing: nothing more may be sent or read.
    Closed,
    /// A fragmented message is open: finish it with `send_fragment(.., last: true)`.
    MessageInProgress,
    /// No fragmented message is open, or `kind` differs from the open one.
    NoMessageInProgress,
    /// A control payload is longer than 125 bytes.
    ControlTooLong,
    /// The close code must not be sent (1005, 1006, 1015, < 1000, ≥ 5000 …).
    InvalidCloseCode(u16),
    /// The output buffer cannot hold the frame.
    BufferTooSmall(BufferTooSmall),
}

impl From<BufferTooSmall> for Error {
    fn from(b: BufferTooSmall) -> Self {
        Error::BufferTooSmall(b)
    }
}

crate::diag::diagnostics! {
    Error in "wsguard_core::connection" display {
    }
    Protocol(e) => {
        each: ProtocolError::ALL,
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    Closed => {
        code: "connection_closed",
        reason: "the connection has ended or its closing handshake has begun",
        remedy: "stop sending; drop the transport once `is_finished()`",
    },
    MessageInProgress => {
        code: "connection_message_in_progress",
        reason: "a fragmented message is still open",
        remedy: "end the open message with `send_fragment(.., last: true)` first",
    },
    NoMessageInProgress => {
        code: "connection_no_message_in_progress",
        reason: "no fragmented message of this kind is open",
        remedy: "start the message with `send_fragment` of its kind",
    },
    ControlTooLong => {
        code: "connection_control_too_long",
        reason: "a ping or pong payload is longer than 125 bytes",
        remedy: "keep ping payloads at 125 bytes or fewer",
    },
    InvalidCloseCode(_) => {
        example: Self::InvalidCloseCode(1005),
        code: "connection_invalid_close_code",
        reason: "this close code must not appear on the wire",
        remedy: "send 1000-1003, 1007-1014 or an application code 3000-4999",
    },
    BufferTooSmall(_) => {
        example: Self::BufferTooSmall(BufferTooSmall { needed: 0 }),
        code: "connection_buffer_too_small",
        reason: "the output buffer is too small for the frame",
        remedy: "pass a larger buffer or use `begin_frame` and send the payload in chunks",
    },
}
