//! [`WebSocket`]: an open connection over an `embedded_io_async` transport — a thin
//! async driver over the sans-IO [`Connection`](crate::connection::Connection), which
//! decodes, answers pings and Closes, reassembles and masks. This file moves bytes: the
//! read buffer (the connection's in-place mode: `rx[..assembled]` holds the part of a
//! fragmented message assembled so far, `rx[start..end]` bytes not decoded yet) and the
//! write buffer (resumable flushing).

use embedded_io_async::{Read, Write};

use super::buf::{
    beat, beat_fallback, check_send, conn_error, ended, Beat, Found, RxBuf, Step, TxBuf,
};
use super::{Error, Message, Options};
use crate::connection::{Config, Connection};
use crate::frame::encoder::{EncodeError, MAX_CLOSE_REASON};
use crate::frame::{CloseState, MessageKind, Role, MIN_BUFFER};
use crate::heartbeat::Heartbeat;
use crate::BufferTooSmall;

/// A WebSocket over an `embedded_io_async` transport `T`, with caller-provided buffers.
///
/// Obtain it from [`connect`](super::connect) (client), [`accept`](super::accept)
/// (server), or [`WebSocket::new`] after a handshake done elsewhere.
///
/// * [`read`](Self::read) returns the next [`Message`]; pings are answered and the
///   peer's Close is echoed automatically. A protocol violation sends the right Close
///   (1002, 1007, 1009 …) and returns [`Error::Protocol`].
/// * [`send_text`](Self::send_text), [`send_binary`](Self::send_binary),
///   [`send_fragment`](Self::send_fragment), [`send_ping`](Self::send_ping),
///   [`close`](Self::close) write frames through the write buffer (client frames are
///   masked there with keys from [`Options::mask_seed`]); any message length works with
///   any write buffer of at least [`MIN_BUFFER`] bytes.
/// * [`heartbeat`](Self::heartbeat) sends the pings a [`Heartbeat`] asks for.
///
/// **Cancellation.** `read` may be dropped at any await (e.g. raced against a timer):
/// its state is updated only between awaits, an automatic pong or close reply that was
/// not fully written is finished by the next call, and the message it had decoded (the
/// ping or the Close) is returned by the next call. A send whose frame fits in the
/// write buffer is likewise finished by the next call; a send of a larger frame that is
/// dropped halfway leaves the connection [`Error::Broken`].
///
/// ```
/// # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(io: T) -> Result<(), wsguard_core::io::Error<T::Error>> {
/// use wsguard_core::io::{Message, Options, WebSocket};
/// use wsguard_core::frame::Role;
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// let mut ws = WebSocket::new(io, &mut rx, &mut tx, Role::Client, Options::new(0x9E37_79B9))?;
/// ws.send_text("hello").await?;
/// if let Message::Text(t) = ws.read().await? {
///     assert_eq!(t, "hello");
/// }
/// ws.close(1000, "bye").await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct WebSocket<'b, T> {
    io: T,
    rx: RxBuf<'b>,
    tx: TxBuf<'b>,
    conn: Connection,
}

impl<'b, T: Read + Write> WebSocket<'b, T> {
    /// Wraps a transport whose opening handshake is done. `rx` receives frames, `tx`
    /// stages outgoing ones; each must hold at least [`MIN_BUFFER`] (139) bytes. The
    /// largest message returned whole is `rx.len()` bytes; larger ones come in pieces.
    ///
    /// ```
    /// use wsguard_core::io::{Options, WebSocket, Error};
    /// use wsguard_core::frame::Role;
    /// #[derive(Debug)] struct Null;
    /// impl embedded_io_async::ErrorType for Null { type Error = core::convert::Infallible; }
    /// impl embedded_io_async::Read for Null { async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> { Ok(0) } }
    /// impl embedded_io_async::Write for Null { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { Ok(b.len()) }
    /// #  async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
    /// let (mut rx, mut tx) = ([0u8; 64], [0u8; 256]);
    /// let err = WebSocket::new(Null, &mut rx, &mut tx, Role::Server, Options::default()).unwrap_err();
    /// assert!(matches!(err, Error::BufferTooSmall(b) if b.needed == 139));
    /// ```
    pub fn new(
        io: T,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        role: Role,
        options: Options,
    ) -> Result<Self, Error<T::Error>> {
        if rx.len() < MIN_BUFFER || tx.len() < MIN_BUFFER {
            return Err(Error::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }));
        }
        let config = Config::new(role)
            .with_decoder(options.decoder)
            .with_mask_seed(options.mask_seed);
        Ok(WebSocket {
            io,
            rx: RxBuf::new(rx),
            tx: TxBuf::new(tx),
            conn: Connection::new(config, 0),
        })
    }

    /// The transport, the buffers and the connection, for [`split`](Self::split).
    pub(super) fn into_parts(self) -> (T, RxBuf<'b>, TxBuf<'b>, Connection) {
        (self.io, self.rx, self.tx, self.conn)
    }

    /// Places `bytes` that arrived after the handshake head (already in `rx[..len]`).
    pub(crate) fn with_leftover(mut self, len: usize) -> Self {
        self.rx = self.rx.with_leftover(len);
        self
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.conn.role()
    }

    /// Where the closing handshake stands.
    pub fn close_state(&self) -> CloseState {
        self.conn.close_state()
    }

    /// The sans-IO connection underneath (its ending, close reason …).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The transport, e.g. to shut it down after the closing handshake.
    pub fn transport(&mut self) -> &mut T {
        &mut self.io
    }

    /// Gives the transport back (unsent bytes in the write buffer are dropped).
    pub fn into_inner(self) -> T {
        self.io
    }

    /// Reads the next [`Message`] (see [`WebSocket`] for what is automatic).
    ///
    /// Errors: [`Error::ConnectionLost`] when the transport ends before the closing
    /// handshake, [`Error::Closed`] after it, [`Error::Protocol`] when the peer breaks
    /// RFC 6455 (the Close has been sent).
    pub async fn read(&mut self) -> Result<Message<'_>, Error<T::Error>> {
        let found = self.receive().await?;
        self.rx.delivered();
        self.rx.message(found)
    }

    /// The next event (its pong or Close reply written).
    async fn receive(&mut self) -> Result<Found, Error<T::Error>> {
        if self.tx.broken || self.tx.sending_frame {
            return Err(Error::Broken);
        }
        self.tx.flush(&mut self.io).await?;
        // Every pass consumes bytes, reads bytes or returns: bounded by the input.
        let found = if let Some(f) = self.rx.resume() {
            f
        } else {
            loop {
                match self.rx.decode(&mut self.conn) {
                    Step::Found(f) => break f,
                    Step::NeedBytes => {
                        let closed = self.conn.close_state() == CloseState::Closed;
                        self.rx.read_more(&mut self.io, closed).await?;
                    }
                    Step::Violation(e) => {
                        self.transmit().await;
                        return Err(Error::Protocol(e));
                    }
                    Step::Ended => return Err(ended(&self.conn)),
                    Step::Full => {
                        return Err(Error::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }))
                    }
                }
            }
        };
        if matches!(found, Found::Ping { .. } | Found::Close { .. }) {
            // The pong or the Close reply the connection owes, written at once.
            self.tx
                .queue_transmit(&mut self.conn)
                .map_err(Error::BufferTooSmall)?;
            self.tx.flush(&mut self.io).await?;
        }
        Ok(found)
    }

    /// After a protocol error: send the Close the connection queued (best effort).
    async fn transmit(&mut self) {
        if self.tx.sending_frame || self.tx.flush(&mut self.io).await.is_err() {
            return;
        }
        if self.tx.queue_transmit(&mut self.conn).is_ok() {
            let _ = self.tx.flush(&mut self.io).await;
        }
    }

    /// Frames `payload` through the write buffer, in as many transport writes as needed.
    async fn send_frame(
        &mut self,
        kind: MessageKind,
        last: bool,
        payload: &[u8],
    ) -> Result<(), Error<T::Error>> {
        self.tx.flush(&mut self.io).await?;
        let conn = &mut self.conn;
        let header = self
            .tx
            .begin_frame(|tx| conn.begin_frame(kind, payload.len() as u64, last, tx))?;
        self.tx.send_frame(&mut self.io, header, payload).await
    }

    /// Sends a whole text message.
    pub async fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.send_message(MessageKind::Text, text.as_bytes()).await
    }

    /// Sends a whole binary message.
    pub async fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.send_message(MessageKind::Binary, data).await
    }

    async fn send_message(
        &mut self,
        kind: MessageKind,
        data: &[u8],
    ) -> Result<(), Error<T::Error>> {
        check_send(&self.tx, &self.conn)?;
        if self.tx.sending_message.is_some() {
            return Err(Error::MessageInProgress);
        }
        self.send_frame(kind, true, data).await
    }

    /// Sends one fragment of a message: the first call starts a `kind` message
    /// ([`MessageKind::Text`] or [`MessageKind::Binary`]); `last: true` ends it. A text
    /// message may be split anywhere, even inside a code point (the peer validates the
    /// whole); make sure the pieces together are UTF-8.
    pub async fn send_fragment(
        &mut self,
        kind: MessageKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        check_send(&self.tx, &self.conn)?;
        // A continuation carries its message's kind, whatever `kind` says.
        let kind = self.tx.sending_message.unwrap_or(kind);
        self.tx.sending_message = if last { None } else { Some(kind) };
        self.send_frame(kind, last, data).await
    }

    /// Sends a ping (payload ≤ 125 bytes).
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
        check_send(&self.tx, &self.conn)?;
        self.tx.flush(&mut self.io).await?;
        let conn = &mut self.conn;
        self.tx.stage(|tx| conn.send_ping(payload, tx))?;
        self.tx.flush(&mut self.io).await
    }

    /// Sends the pings `heartbeat` asks for at `now` (monotonic ms) and returns the time
    /// at which to call again: `Some(deadline)`, at most [`MAX_DEADLINE_MS`](super::MAX_DEADLINE_MS)
    /// (so `embassy_time::Instant::from_millis(deadline)` cannot overflow), or `None`
    /// once a Close was sent or received (no more pings; bound the closing handshake
    /// with your own timer). Pass everything [`read`](Self::read) returns to
    /// [`Message::update_heartbeat`]. Fails with [`Error::PeerDead`] when the peer is
    /// declared dead (hand [`Error::disconnect`] to the reconnect policy).
    pub async fn heartbeat(
        &mut self,
        heartbeat: &mut Heartbeat,
        now: u64,
    ) -> Result<Option<u64>, Error<T::Error>> {
        // A ping moves the next deadline forward, so the second poll waits or is dead.
        for _ in 0..2 {
            if self.conn.close_state() != CloseState::Open {
                return Ok(None); // no pings after a Close, whoever sent it
            }
            match beat(heartbeat, now)? {
                Beat::Wait(deadline) => return Ok(deadline),
                Beat::Ping(payload) => self.send_ping(&payload).await?,
            }
        }
        Ok(beat_fallback(heartbeat, now))
    }

    /// Sends a Close (`code` wire-valid, `reason` ≤ 123 bytes of UTF-8) without waiting
    /// for the answer; keep calling [`read`](Self::read) until it returns the peer's
    /// [`Message::Close`] (data may still arrive before it).
    pub async fn send_close(&mut self, code: u16, reason: &str) -> Result<(), Error<T::Error>> {
        if self.tx.broken || self.tx.sending_frame {
            return Err(Error::Broken);
        }
        if !matches!(self.conn.close_state(), CloseState::Open) {
            return Err(Error::Closed);
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(Error::Encode(EncodeError::CloseReasonTooLong));
        }
        self.tx.flush(&mut self.io).await?;
        self.conn.close(0, code, reason).map_err(conn_error)?;
        self.tx
            .queue_transmit(&mut self.conn)
            .map_err(Error::BufferTooSmall)?;
        self.tx.flush(&mut self.io).await
    }

    /// The closing handshake from this side: sends a Close, then reads (discarding
    /// data) until the peer's Close arrives, and returns the code it carried (1005 when
    /// empty). Bound it with your executor's timeout: a peer that never answers is
    /// dealt with by dropping the transport.
    pub async fn close(&mut self, code: u16, reason: &str) -> Result<u16, Error<T::Error>> {
        self.send_close(code, reason).await?;
        loop {
            match self.read().await {
                Ok(Message::Close(c)) => return Ok(c.reported_code()),
                Ok(_) => {}
                Err(Error::ConnectionLost) => return Ok(1006),
                Err(e) => return Err(e),
            }
        }
    }
}
