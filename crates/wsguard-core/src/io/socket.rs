//! [`WebSocket`]: an open connection over an `embedded_io_async` transport — a thin
//! async driver over the sans-IO [`Connection`](crate::connection::Connection), which
//! decodes, answers pings and Closes, reassembles and masks. This file moves bytes: the
//! read buffer (the connection's in-place mode: `rx[..assembled]` holds the part of a
//! fragmented message assembled so far, `rx[start..end]` bytes not decoded yet) and the
//! write buffer (resumable flushing).

use embedded_io_async::{Read, Write};

use super::{Error, Message, Options};
use crate::close::parse_payload;
use crate::connection::{self, Config, Connection, Event};
use crate::frame::encoder::{EncodeError, MAX_CLOSE_REASON};
use crate::frame::{CloseState, MessageKind, ProtocolError, Role, MIN_BUFFER};
use crate::heartbeat::{Action, Heartbeat};
use crate::BufferTooSmall;

/// What the receive loop found, as offsets into the read buffer (so no borrow is held
/// across an await).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Whole {
        kind: MessageKind,
        at: usize,
        len: usize,
    },
    Piece {
        kind: MessageKind,
        at: usize,
        len: usize,
        first: bool,
        last: bool,
    },
    Ping {
        at: usize,
        len: usize,
    },
    Pong {
        at: usize,
        len: usize,
    },
    Close {
        at: usize,
        len: usize,
    },
    Control {
        opcode: u8,
        at: usize,
        len: usize,
    },
}

/// An event as offsets into `rx`.
fn found(base: usize, event: Event<'_>) -> Found {
    let at = |s: &[u8]| (s.as_ptr() as usize).saturating_sub(base);
    match event {
        Event::Message { kind, data } => Found::Whole {
            kind,
            at: at(data),
            len: data.len(),
        },
        Event::Piece {
            kind,
            data,
            first,
            last,
        } => Found::Piece {
            kind,
            at: at(data),
            len: data.len(),
            first,
            last,
        },
        Event::Ping(p) => Found::Ping {
            at: at(p),
            len: p.len(),
        },
        Event::Pong { payload, .. } => Found::Pong {
            at: at(payload),
            len: payload.len(),
        },
        Event::Close(c) => {
            // The reason lies after the 2-byte code; an empty payload has neither.
            let len = if c.code.is_some() {
                2 + c.reason.len()
            } else {
                0
            };
            let at = if c.code.is_some() {
                at(c.reason.as_bytes()).saturating_sub(2)
            } else {
                0
            };
            Found::Close { at, len }
        }
        Event::Control { opcode, payload } => Found::Control {
            opcode,
            at: at(payload),
            len: payload.len(),
        },
    }
}

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
/// its state is updated only between awaits, and an automatic pong or close reply that
/// was not fully written is finished by the next call. A send whose frame fits in the
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
    rx: &'b mut [u8],
    tx: &'b mut [u8],
    conn: Connection,
    start: usize,
    end: usize,
    /// Bytes at `start` that belong to the message returned last time.
    pending: usize,
    tx_len: usize,
    tx_sent: usize,
    /// A frame larger than the write buffer is partly written.
    sending_frame: bool,
    /// A fragmented message sent with `send_fragment` is open, of this kind.
    sending_message: Option<MessageKind>,
    broken: bool,
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
            rx,
            tx,
            conn: Connection::new(config, 0),
            start: 0,
            end: 0,
            pending: 0,
            tx_len: 0,
            tx_sent: 0,
            sending_frame: false,
            sending_message: None,
            broken: false,
        })
    }

    /// Places `bytes` that arrived after the handshake head (already in `rx[..len]`).
    pub(crate) fn with_leftover(mut self, len: usize) -> Self {
        self.end = len.min(self.rx.len());
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
        self.message(found)
    }

    fn message(&self, found: Found) -> Result<Message<'_>, Error<T::Error>> {
        let slice = |at: usize, len: usize| self.rx.get(at..at.saturating_add(len)).unwrap_or(&[]);
        Ok(match found {
            Found::Whole {
                kind: MessageKind::Text,
                at,
                len,
            } => Message::Text(
                core::str::from_utf8(slice(at, len))
                    .map_err(|_| Error::Protocol(ProtocolError::InvalidUtf8))?,
            ),
            Found::Whole {
                kind: MessageKind::Binary,
                at,
                len,
            } => Message::Binary(slice(at, len)),
            Found::Whole { kind, at, len } => Message::Piece {
                kind,
                data: slice(at, len),
                first: true,
                last: true,
            },
            Found::Piece {
                kind,
                at,
                len,
                first,
                last,
            } => Message::Piece {
                kind,
                data: slice(at, len),
                first,
                last,
            },
            Found::Ping { at, len } => Message::Ping(slice(at, len)),
            Found::Pong { at, len } => Message::Pong(slice(at, len)),
            Found::Close { at, len } => Message::Close(
                parse_payload(slice(at, len))
                    .map_err(|_| Error::Protocol(ProtocolError::InvalidCloseCode))?,
            ),
            Found::Control { opcode, at, len } => Message::Control {
                opcode,
                payload: slice(at, len),
            },
        })
    }

    /// The error for a read after the connection ended.
    fn ended(&self) -> Error<T::Error> {
        match self.conn.ending() {
            Some(connection::Ending::Failed(e)) => Error::Protocol(e),
            _ => Error::Closed,
        }
    }

    async fn receive(&mut self) -> Result<Found, Error<T::Error>> {
        if self.broken || self.sending_frame {
            return Err(Error::Broken);
        }
        self.flush().await?;
        self.start = self.start.saturating_add(self.pending).min(self.end);
        self.pending = 0;
        // Every pass consumes bytes, reads bytes or returns: bounded by the input.
        loop {
            let base = self.rx.as_ptr() as usize;
            let r = self
                .conn
                .handle_input_in_place(0, self.rx, self.start, self.end);
            let (consumed, event) = match r {
                Ok(i) => (i.consumed, i.event.map(|e| found(base, e))),
                Err(connection::Error::Protocol(e)) => {
                    self.transmit().await;
                    return Err(Error::Protocol(e));
                }
                Err(_) => return Err(self.ended()),
            };
            let Some(f) = event else {
                self.start = self.start.saturating_add(consumed).min(self.end);
                if let Some(piece) = self.fill().await? {
                    return Ok(piece);
                }
                continue;
            };
            self.pending = consumed;
            if matches!(f, Found::Ping { .. } | Found::Close { .. }) {
                // The pong or the Close reply the connection owes, written at once.
                self.queue_transmit()?;
                self.flush().await?;
            }
            return Ok(f);
        }
    }

    /// Makes room and reads more bytes. Returns a piece when the assembled part of a
    /// message has to leave the buffer to make room.
    async fn fill(&mut self) -> Result<Option<Found>, Error<T::Error>> {
        let keep = self.conn.assembled();
        if self.start > keep {
            self.rx.copy_within(self.start..self.end, keep);
            self.end -= self.start - keep;
            self.start = keep;
        }
        if self.end >= self.rx.len() {
            let base = self.rx.as_ptr() as usize;
            if let Some(ev) = self.conn.release_assembled(self.rx) {
                return Ok(Some(found(base, ev)));
            }
            // Cannot happen with rx ≥ MIN_BUFFER; guard anyway.
            return Err(Error::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }));
        }
        let free = self.rx.get_mut(self.end..).unwrap_or_default();
        let n = self.io.read(free).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(match self.conn.close_state() {
                CloseState::Closed => Error::Closed,
                _ => Error::ConnectionLost,
            });
        }
        self.end = self.end.saturating_add(n).min(self.rx.len());
        Ok(None)
    }

    /// Moves the next control frame the connection owes into the (flushed) write buffer.
    fn queue_transmit(&mut self) -> Result<(), Error<T::Error>> {
        if self.tx_len == 0 {
            if let Some(n) = self
                .conn
                .poll_transmit(self.tx)
                .map_err(Error::BufferTooSmall)?
            {
                self.tx_len = n;
                self.tx_sent = 0;
            }
        }
        Ok(())
    }

    /// After a protocol error: send the Close the connection queued (best effort).
    async fn transmit(&mut self) {
        if self.sending_frame || self.flush().await.is_err() {
            return;
        }
        if self.queue_transmit().is_ok() {
            let _ = self.flush().await;
        }
    }

    /// Writes out what the write buffer holds. Resumable: progress is recorded after
    /// every transport write.
    async fn flush(&mut self) -> Result<(), Error<T::Error>> {
        if self.tx_len == 0 {
            return Ok(());
        }
        while self.tx_sent < self.tx_len {
            let chunk = self.tx.get(self.tx_sent..self.tx_len).unwrap_or(&[]);
            let n = self.io.write(chunk).await.map_err(Error::Io)?;
            if n == 0 {
                self.broken = true;
                return Err(Error::ConnectionLost);
            }
            self.tx_sent = self.tx_sent.saturating_add(n);
        }
        self.tx_len = 0;
        self.tx_sent = 0;
        self.io.flush().await.map_err(Error::Io)
    }

    fn check_send(&self) -> Result<(), Error<T::Error>> {
        if self.broken || self.sending_frame {
            return Err(Error::Broken);
        }
        if self.conn.close_state() != CloseState::Open || self.conn.ending().is_some() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Frames `payload` through the write buffer, in as many transport writes as needed.
    async fn send_frame(
        &mut self,
        kind: MessageKind,
        last: bool,
        payload: &[u8],
    ) -> Result<(), Error<T::Error>> {
        self.flush().await?;
        let (mut filled, mut masker) = self
            .conn
            .begin_frame(kind, payload.len() as u64, last, self.tx)
            .map_err(conn_error)?;
        let mut done = 0usize;
        loop {
            let take = self
                .tx
                .len()
                .saturating_sub(filled)
                .min(payload.len() - done);
            let (Some(dst), Some(src)) = (
                self.tx.get_mut(filled..filled + take),
                payload.get(done..done + take),
            ) else {
                return Err(Error::Broken);
            };
            dst.copy_from_slice(src);
            masker.apply(dst);
            done += take;
            self.tx_len = filled + take;
            self.tx_sent = 0;
            if done == payload.len() {
                break;
            }
            self.sending_frame = true;
            self.flush().await?;
            filled = 0;
        }
        // The rest of the frame is in the write buffer: a cancelled flush is resumed.
        self.sending_frame = false;
        self.flush().await
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
        self.check_send()?;
        if self.sending_message.is_some() {
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
        self.check_send()?;
        // A continuation carries its message's kind, whatever `kind` says.
        let kind = self.sending_message.unwrap_or(kind);
        self.sending_message = if last { None } else { Some(kind) };
        self.send_frame(kind, last, data).await
    }

    /// Sends a ping (payload ≤ 125 bytes).
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
        self.check_send()?;
        self.flush().await?;
        self.tx_len = self.conn.send_ping(payload, self.tx).map_err(conn_error)?;
        self.tx_sent = 0;
        self.flush().await
    }

    /// Sends the pings `heartbeat` asks for at `now` (monotonic ms) and returns the time
    /// at which to call again; pass everything [`read`](Self::read) returns to
    /// [`Message::update_heartbeat`]. Fails with [`Error::PeerDead`] when the peer is
    /// declared dead (hand [`Error::disconnect`] to the reconnect policy).
    pub async fn heartbeat(
        &mut self,
        heartbeat: &mut Heartbeat,
        now: u64,
    ) -> Result<u64, Error<T::Error>> {
        // A ping moves the next deadline forward, so the second poll waits or is dead.
        for _ in 0..2 {
            match heartbeat.poll(now) {
                Action::Wait { until } => return Ok(until),
                Action::PeerDead => {
                    return Err(Error::PeerDead(
                        heartbeat
                            .dead_reason()
                            .unwrap_or(crate::heartbeat::PeerDead::Silent),
                    ))
                }
                Action::SendPing { payload, .. } => {
                    if self.conn.close_state() == CloseState::Open {
                        self.send_ping(&payload).await?;
                    }
                }
            }
        }
        Ok(now.saturating_add(heartbeat.config().interval_ms()))
    }

    /// Sends a Close (`code` wire-valid, `reason` ≤ 123 bytes of UTF-8) without waiting
    /// for the answer; keep calling [`read`](Self::read) until it returns the peer's
    /// [`Message::Close`] (data may still arrive before it).
    pub async fn send_close(&mut self, code: u16, reason: &str) -> Result<(), Error<T::Error>> {
        if self.broken || self.sending_frame {
            return Err(Error::Broken);
        }
        if !matches!(self.conn.close_state(), CloseState::Open) {
            return Err(Error::Closed);
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(Error::Encode(EncodeError::CloseReasonTooLong));
        }
        self.flush().await?;
        self.conn.close(0, code, reason).map_err(conn_error)?;
        self.queue_transmit()?;
        self.flush().await
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

/// The driver's error for a refused connection call.
fn conn_error<E>(e: connection::Error) -> Error<E> {
    match e {
        connection::Error::Protocol(p) => Error::Protocol(p),
        connection::Error::Closed => Error::Closed,
        connection::Error::MessageInProgress | connection::Error::NoMessageInProgress => {
            Error::MessageInProgress
        }
        connection::Error::ControlTooLong => Error::Encode(EncodeError::ControlPayloadTooLong),
        connection::Error::InvalidCloseCode(_) => Error::Encode(EncodeError::InvalidCloseCode),
        connection::Error::BufferTooSmall(b) => Error::BufferTooSmall(b),
    }
}
