//! What [`WebSocket::read`](super::WebSocket::read) returns, and how it feeds the
//! heartbeat and the reconnect policy.

use crate::close::ClosePayload;
use crate::frame::MessageKind;
use crate::heartbeat::Heartbeat;
use crate::reconnect::Disconnect;

/// One thing read from the peer, borrowed from the read buffer until the next call.
///
/// A message that fits in the read buffer — including one the peer sent in several
/// fragments — comes whole as [`Text`](Message::Text) or [`Binary`](Message::Binary).
/// A larger one comes as a run of [`Piece`](Message::Piece)s in order (the first with
/// `first: true`, the last with `last: true`); its text has been validated as UTF-8 across
/// the pieces, but a piece may end inside a code point.
///
/// Pings have already been answered and a Close has already been echoed when you see them.
///
/// ```
/// use wsguard_core::io::Message;
/// let m = Message::Text("hi");
/// assert_eq!(m.data(), Some(&b"hi"[..]));
/// assert!(m.is_last());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'m> {
    /// A whole text message.
    Text(&'m str),
    /// A whole binary message.
    Binary(&'m [u8]),
    /// Part of a message larger than the read buffer (or of a reserved data opcode a
    /// negotiated extension allows).
    Piece {
        /// The message type.
        kind: MessageKind,
        /// These bytes.
        data: &'m [u8],
        /// First piece of the message.
        first: bool,
        /// Last piece of the message.
        last: bool,
    },
    /// A ping from the peer; the pong has been sent.
    Ping(&'m [u8]),
    /// A pong from the peer (feed it to your [`Heartbeat`]).
    Pong(&'m [u8]),
    /// The peer's Close. If this side had not closed yet, the echo has been sent; the
    /// closing handshake is complete and the next read returns
    /// [`Error::Closed`](super::Error::Closed). A client now drops the transport.
    Close(ClosePayload<'m>),
    /// A reserved control opcode (0xB–0xF) that a negotiated extension allows.
    Control {
        /// The opcode.
        opcode: u8,
        /// The payload.
        payload: &'m [u8],
    },
}

impl<'m> Message<'m> {
    /// The payload of a data message or piece.
    ///
    /// ```
    /// assert_eq!(wsguard_core::io::Message::Ping(b"x").data(), None);
    /// ```
    pub fn data(&self) -> Option<&'m [u8]> {
        match self {
            Message::Text(t) => Some(t.as_bytes()),
            Message::Binary(b) => Some(b),
            Message::Piece { data, .. } => Some(data),
            _ => None,
        }
    }

    /// `true` unless this is a piece that more pieces follow.
    ///
    /// ```
    /// use wsguard_core::{io::Message, frame::MessageKind};
    /// let p = Message::Piece { kind: MessageKind::Binary, data: b"ab", first: true, last: false };
    /// assert!(!p.is_last());
    /// ```
    pub fn is_last(&self) -> bool {
        !matches!(self, Message::Piece { last: false, .. })
    }

    /// Tells `heartbeat` what arrived at `now` (monotonic ms): a pong answers its ping,
    /// anything else proves the peer alive. Returns the round-trip time when this pong
    /// answered the outstanding ping.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    /// use wsguard_core::io::Message;
    /// let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 3_000, 2).unwrap(), 0);
    /// let Action::SendPing { payload, .. } = hb.poll(1_000) else { panic!() };
    /// assert_eq!(Message::Pong(&payload).update_heartbeat(&mut hb, 1_040), Some(40));
    /// ```
    pub fn update_heartbeat(&self, heartbeat: &mut Heartbeat, now: u64) -> Option<u64> {
        match self {
            Message::Pong(p) => heartbeat.on_pong(now, p),
            Message::Ping(_) => {
                heartbeat.on_ping_received(now);
                None
            }
            Message::Close(_) => {
                heartbeat.on_close(now);
                None
            }
            _ => {
                heartbeat.on_activity(now);
                None
            }
        }
    }

    /// For a Close: the [`Disconnect`] to give the reconnect policy (1005 for an empty
    /// Close payload).
    ///
    /// ```
    /// use wsguard_core::{io::Message, close::ClosePayload, reconnect::Disconnect};
    /// let m = Message::Close(ClosePayload { code: Some(1012), reason: "restart" });
    /// assert_eq!(m.disconnect(), Some(Disconnect::Close(1012)));
    /// ```
    pub fn disconnect(&self) -> Option<Disconnect> {
        match self {
            Message::Close(c) => Some(Disconnect::Close(c.reported_code())),
            _ => None,
        }
    }
}
