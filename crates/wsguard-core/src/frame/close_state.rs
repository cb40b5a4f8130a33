//! The closing handshake (RFC 6455 §5.5.1, §7.1): who has sent and who has received a
//! Close frame, and what that allows.
//!
//! ```text
//!            send close                 receive close
//!   Open ───────────────▶ CloseSent ───────────────▶ Closed
//!     │                                                 ▲
//!     │ receive close                     send close    │
//!     └──────────────────▶ CloseReceived ───────────────┘
//! ```
//! After receiving a Close the peer may send nothing more (any frame is a protocol
//! error) and we must answer with a Close echoing its code. After sending ours we may
//! still receive data until the peer's Close completes the handshake.

use super::ProtocolError;

/// Where the closing handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CloseState {
    /// No Close frame sent or received.
    Open,
    /// We sent a Close and wait for the peer's.
    CloseSent,
    /// The peer sent a Close; we must reply with ours.
    CloseReceived,
    /// Both Close frames were exchanged; close the TCP connection (server first).
    Closed,
}

/// What to do after receiving a Close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CloseAction {
    /// Send a Close back (see [`encoder::write_close_reply`](super::encoder::write_close_reply)).
    Reply,
    /// Our Close was already sent: the handshake is complete, close the connection.
    Complete,
}

/// Tracks the closing handshake of one connection.
///
/// ```
/// use wsguard_core::frame::{CloseHandshake, CloseAction, CloseState};
/// let mut h = CloseHandshake::new();
/// assert_eq!(h.on_close_received(), Ok(CloseAction::Reply));
/// assert!(h.on_data_received().is_err()); // data after the peer's close
/// h.on_close_sent();
/// assert_eq!(h.state(), CloseState::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseHandshake {
    state: CloseState,
}

impl Default for CloseHandshake {
    fn default() -> Self {
        Self::new()
    }
}

impl CloseHandshake {
    /// An open connection.
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::CloseHandshake::new().state(), wsguard_core::frame::CloseState::Open);
    /// ```
    pub const fn new() -> Self {
        CloseHandshake {
            state: CloseState::Open,
        }
    }

    /// The current state.
    ///
    /// ```
    /// let h = wsguard_core::frame::CloseHandshake::new();
    /// assert_eq!(h.state(), wsguard_core::frame::CloseState::Open);
    /// ```
    pub const fn state(&self) -> CloseState {
        self.state
    }

    /// Records a received Close frame. A second Close from the peer is a protocol error
    /// ([`ProtocolError::FrameAfterClose`]).
    ///
    /// ```
    /// use wsguard_core::frame::{CloseHandshake, CloseAction};
    /// let mut h = CloseHandshake::new();
    /// h.on_close_sent();
    /// assert_eq!(h.on_close_received(), Ok(CloseAction::Complete));
    /// ```
    pub fn on_close_received(&mut self) -> Result<CloseAction, ProtocolError> {
        match self.state {
            CloseState::Open => {
                self.state = CloseState::CloseReceived;
                Ok(CloseAction::Reply)
            }
            CloseState::CloseSent => {
                self.state = CloseState::Closed;
                Ok(CloseAction::Complete)
            }
            CloseState::CloseReceived | CloseState::Closed => Err(ProtocolError::FrameAfterClose),
        }
    }

    /// Records that we sent a Close frame; returns the new state. Sending a second Close
    /// is never needed: when [`may_send_close`](Self::may_send_close) is `false` the
    /// state does not change.
    ///
    /// ```
    /// use wsguard_core::frame::{CloseHandshake, CloseState};
    /// let mut h = CloseHandshake::new();
    /// assert_eq!(h.on_close_sent(), CloseState::CloseSent);
    /// ```
    pub fn on_close_sent(&mut self) -> CloseState {
        self.state = match self.state {
            CloseState::Open => CloseState::CloseSent,
            CloseState::CloseReceived => CloseState::Closed,
            other => other,
        };
        self.state
    }

    /// Checks that a data, ping or pong frame from the peer is still allowed.
    ///
    /// ```
    /// let mut h = wsguard_core::frame::CloseHandshake::new();
    /// h.on_close_sent();
    /// assert!(h.on_data_received().is_ok()); // the peer may finish before closing
    /// ```
    pub const fn on_data_received(&self) -> Result<(), ProtocolError> {
        match self.state {
            CloseState::Open | CloseState::CloseSent => Ok(()),
            CloseState::CloseReceived | CloseState::Closed => Err(ProtocolError::FrameAfterClose),
        }
    }

    /// `true` while we have not sent our Close.
    ///
    /// ```
    /// assert!(wsguard_core::frame::CloseHandshake::new().may_send_close());
    /// ```
    pub const fn may_send_close(&self) -> bool {
        matches!(self.state, CloseState::Open | CloseState::CloseReceived)
    }

    /// `true` while we may still send data frames: before our Close (after receiving the
    /// peer's Close we may finish the current message, then must reply).
    ///
    /// ```
    /// let mut h = wsguard_core::frame::CloseHandshake::new();
    /// h.on_close_sent();
    /// assert!(!h.may_send_data());
    /// ```
    pub const fn may_send_data(&self) -> bool {
        matches!(self.state, CloseState::Open | CloseState::CloseReceived)
    }

    /// `true` once both Close frames were exchanged.
    ///
    /// ```
    /// assert!(!wsguard_core::frame::CloseHandshake::new().is_closed());
    /// ```
    pub const fn is_closed(&self) -> bool {
        matches!(self.state, CloseState::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        let mut h = CloseHandshake::new();
        assert_eq!(h.on_close_sent(), CloseState::CloseSent);
        assert_eq!(h.on_close_sent(), CloseState::CloseSent);
        assert!(h.on_data_received().is_ok());
        assert!(!h.may_send_data() && !h.may_send_close());
        assert_eq!(h.on_close_received(), Ok(CloseAction::Complete));
        assert!(h.is_closed());
        assert_eq!(h.on_close_received(), Err(ProtocolError::FrameAfterClose));

        let mut h = CloseHandshake::new();
        assert_eq!(h.on_close_received(), Ok(CloseAction::Reply));
        assert!(h.may_send_close() && h.may_send_data());
        assert_eq!(h.on_close_received(), Err(ProtocolError::FrameAfterClose));
        assert_eq!(h.on_close_sent(), CloseState::Closed);
        assert_eq!(h.on_data_received(), Err(ProtocolError::FrameAfterClose));
    }
}
