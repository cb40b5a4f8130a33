//! [`WebSocket`]: an open connection over an `embedded_io_async` transport, with the
//! read buffer (reassembly, streaming of large messages) and the write buffer (framing,
//! masking, resumable flushing).
//!
//! Read buffer layout: `rx[..asm]` holds the part of a fragmented message assembled so
//! far; `rx[start..end]` holds received bytes not decoded yet (`asm <= start <= end`).
//! Payloads are unmasked in place by the decoder and copied down to `asm` only when a
//! message arrives in several frames; a message in one frame is returned where it lies.

use embedded_io_async::{Read, Write};

use super::{Error, Message, Options};
use crate::close::parse_payload;
use crate::frame::encoder::{self, write_header};
use crate::frame::{
    unmask, CloseState, Decoded, Decoder, Event, FrameHeader, MessageKind, Opcode, ProtocolError,
    Role, MIN_BUFFER,
};
use crate::heartbeat::{Action, Heartbeat};
use crate::BufferTooSmall;

/// The message being received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Incoming {
    kind: MessageKind,
    /// Delivered in pieces (it does not fit in the buffer).
    streaming: bool,
    /// A piece of it was delivered already.
    started: bool,
}

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

/// One decoder result without the borrow of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Need,
    Header {
        opcode: Opcode,
        payload_len: u64,
        consumed: usize,
    },
    Data {
        kind: MessageKind,
        len: usize,
        consumed: usize,
        last: bool,
    },
    Ping {
        len: usize,
        consumed: usize,
    },
    Pong {
        len: usize,
        consumed: usize,
    },
    /// The payload is re-read from the buffer (a control header is 2 bytes, 6 masked).
    Close {
        consumed: usize,
    },
    Control {
        opcode: u8,
        len: usize,
        consumed: usize,
    },
}

fn step(d: Decoded<'_>) -> Step {
    match d {
        Decoded::Incomplete { .. } => Step::Need,
        Decoded::Event { consumed, event } => match event {
            Event::Header(h) => Step::Header {
                opcode: h.opcode,
                payload_len: h.payload_len,
                consumed,
            },
            Event::Data {
                kind,
                payload,
                fin_of_message,
                ..
            } => Step::Data {
                kind,
                len: payload.len(),
                consumed,
                last: fin_of_message,
            },
            Event::Ping(p) => Step::Ping {
                len: p.len(),
                consumed,
            },
            Event::Pong(p) => Step::Pong {
                len: p.len(),
                consumed,
            },
            Event::Close(_) => Step::Close { consumed },
            Event::Control { opcode, payload } => Step::Control {
                opcode,
                len: payload.len(),
                consumed,
            },
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
    decoder: Decoder,
    role: Role,
    asm: usize,
    start: usize,
    end: usize,
    /// Bytes at `start` that belong to the message returned last time.
    pending: usize,
    /// The last message returned was assembled in `rx[..asm]`.
    release_asm: bool,
    incoming: Option<Incoming>,
    tx_len: usize,
    tx_sent: usize,
    /// A frame larger than the write buffer is partly written.
    sending_frame: bool,
    /// A fragmented message sent with `send_fragment` is open.
    sending_message: bool,
    broken: bool,
    mask_state: u64,
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
        let mut config = options.decoder;
        config.role = role;
        Ok(WebSocket {
            io,
            rx,
            tx,
            decoder: Decoder::new(config),
            role,
            asm: 0,
            start: 0,
            end: 0,
            pending: 0,
            release_asm: false,
            incoming: None,
            tx_len: 0,
            tx_sent: 0,
            sending_frame: false,
            sending_message: false,
            broken: false,
            mask_state: if options.mask_seed == 0 {
                0x853C_49E6_748F_EA9B
            } else {
                options.mask_seed
            },
        })
    }

    /// Places `bytes` that arrived after the handshake head (already in `rx[..len]`).
    pub(crate) fn with_leftover(mut self, len: usize) -> Self {
        self.end = len.min(self.rx.len());
        self
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Where the closing handshake stands.
    pub fn close_state(&self) -> CloseState {
        self.decoder.close_state()
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

    async fn receive(&mut self) -> Result<Found, Error<T::Error>> {
        if self.broken || self.sending_frame {
            return Err(Error::Broken);
        }
        self.flush().await?;
        if self.release_asm {
            self.asm = 0;
            self.release_asm = false;
        }
        self.start = self.start.saturating_add(self.pending).min(self.end);
        self.pending = 0;
        // Every pass consumes bytes, reads bytes or returns: bounded by the input.
        loop {
            if self.start == self.end {
                self.start = self.asm;
                self.end = self.asm;
            }
            if self.decoder.close_state() == CloseState::Closed {
                return Err(Error::Closed);
            }
            let decoded = {
                let raw = self.rx.get_mut(self.start..self.end).unwrap_or_default();
                self.decoder.decode_streaming(raw).map(step)
            };
            let s = match decoded {
                Ok(s) => s,
                Err(e) => {
                    self.fail(e).await;
                    return Err(Error::Protocol(e));
                }
            };
            match s {
                Step::Need => {
                    if let Some(found) = self.fill().await? {
                        return Ok(found);
                    }
                }
                Step::Header {
                    opcode,
                    payload_len,
                    consumed,
                } => {
                    self.start = self.start.saturating_add(consumed);
                    if opcode != Opcode::Continuation {
                        self.incoming = None;
                    }
                    let kind = match opcode {
                        Opcode::Text => MessageKind::Text,
                        Opcode::Binary => MessageKind::Binary,
                        other => match self.incoming {
                            Some(m) => m.kind,
                            None => MessageKind::Reserved(other.as_u8()),
                        },
                    };
                    let m = self.incoming.get_or_insert(Incoming {
                        kind,
                        streaming: false,
                        started: false,
                    });
                    let fits =
                        (self.asm as u64).saturating_add(payload_len) <= self.rx.len() as u64;
                    if !m.streaming && !fits {
                        m.streaming = true;
                        if self.asm > 0 {
                            m.started = true;
                            self.release_asm = true;
                            return Ok(Found::Piece {
                                kind: m.kind,
                                at: 0,
                                len: self.asm,
                                first: true,
                                last: false,
                            });
                        }
                    }
                }
                Step::Data {
                    kind,
                    len,
                    consumed,
                    last,
                } => {
                    let at = self.start.saturating_add(consumed).saturating_sub(len);
                    let m = self.incoming.get_or_insert(Incoming {
                        kind,
                        streaming: false,
                        started: false,
                    });
                    if m.streaming {
                        let first = !m.started;
                        m.started = true;
                        if last {
                            self.incoming = None;
                        }
                        self.pending = consumed;
                        return Ok(Found::Piece {
                            kind,
                            at,
                            len,
                            first,
                            last,
                        });
                    }
                    if last && self.asm == 0 {
                        self.incoming = None;
                        self.pending = consumed;
                        return Ok(Found::Whole { kind, at, len });
                    }
                    // Assemble: the payload lies at or after `asm`, so it fits below.
                    self.rx
                        .copy_within(at..at.saturating_add(len).min(self.end), self.asm);
                    self.asm = self.asm.saturating_add(len);
                    self.start = self.start.saturating_add(consumed);
                    if last {
                        self.incoming = None;
                        self.release_asm = true;
                        return Ok(Found::Whole {
                            kind,
                            at: 0,
                            len: self.asm,
                        });
                    }
                }
                Step::Ping { len, consumed } => {
                    let at = self.start.saturating_add(consumed).saturating_sub(len);
                    self.pending = consumed;
                    if self.decoder.close_state() == CloseState::Open {
                        let key = self.next_key();
                        let payload = self.rx.get(at..at.saturating_add(len)).unwrap_or(&[]);
                        self.tx_len = encoder::write_pong(self.tx, payload, key)?;
                        self.tx_sent = 0;
                        self.flush().await?;
                    }
                    return Ok(Found::Ping { at, len });
                }
                Step::Pong { len, consumed } => {
                    self.pending = consumed;
                    return Ok(Found::Pong {
                        at: self.start.saturating_add(consumed).saturating_sub(len),
                        len,
                    });
                }
                Step::Close { consumed } => {
                    let header = if self.role.expects_masked_input() {
                        6
                    } else {
                        2
                    };
                    let len = consumed.saturating_sub(header);
                    let at = self.start.saturating_add(header);
                    self.pending = consumed;
                    if self.decoder.close_state() == CloseState::CloseReceived {
                        let key = self.next_key();
                        let payload = self.rx.get(at..at.saturating_add(len)).unwrap_or(&[]);
                        let code = parse_payload(payload).ok().and_then(|c| c.code);
                        let reply = crate::close::ClosePayload { code, reason: "" };
                        self.tx_len = encoder::write_close_reply(self.tx, &reply, key)
                            .map_err(Error::BufferTooSmall)?;
                        self.tx_sent = 0;
                        self.decoder.note_close_sent();
                        self.flush().await?;
                    }
                    return Ok(Found::Close { at, len });
                }
                Step::Control {
                    opcode,
                    len,
                    consumed,
                } => {
                    self.pending = consumed;
                    return Ok(Found::Control {
                        opcode,
                        at: self.start.saturating_add(consumed).saturating_sub(len),
                        len,
                    });
                }
            }
        }
    }

    /// Makes room and reads more bytes. Returns a piece when the assembled part of a
    /// message has to leave the buffer to make room.
    async fn fill(&mut self) -> Result<Option<Found>, Error<T::Error>> {
        if self.start > self.asm {
            self.rx.copy_within(self.start..self.end, self.asm);
            self.end -= self.start - self.asm;
            self.start = self.asm;
        }
        if self.end >= self.rx.len() {
            if let (Some(m), true) = (self.incoming.as_mut(), self.asm > 0) {
                m.streaming = true;
                m.started = true;
                self.release_asm = true;
                return Ok(Some(Found::Piece {
                    kind: m.kind,
                    at: 0,
                    len: self.asm,
                    first: true,
                    last: false,
                }));
            }
            // Cannot happen with rx ≥ MIN_BUFFER; guard anyway.
            return Err(Error::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }));
        }
        let free = self.rx.get_mut(self.end..).unwrap_or_default();
        let n = self.io.read(free).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(match self.decoder.close_state() {
                CloseState::Closed => Error::Closed,
                _ => Error::ConnectionLost,
            });
        }
        self.end = self.end.saturating_add(n).min(self.rx.len());
        Ok(None)
    }

    /// After a protocol error: send the Close the error calls for (best effort).
    async fn fail(&mut self, e: ProtocolError) {
        if self.sending_frame
            || !matches!(
                self.decoder.close_state(),
                CloseState::Open | CloseState::CloseReceived
            )
        {
            return;
        }
        let key = self.next_key();
        if let Ok(n) = encoder::write_close(self.tx, Some(e.close_code()), "", key) {
            self.tx_len = n;
            self.tx_sent = 0;
            self.decoder.note_close_sent();
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

    /// The next masking key (client role): xorshift64* seeded by [`Options::mask_seed`].
    fn next_key(&mut self) -> Option<[u8; 4]> {
        if !self.role.masks_output() {
            return None;
        }
        let mut x = self.mask_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.mask_state = x;
        Some(((x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32).to_le_bytes())
    }

    fn check_send(&self) -> Result<(), Error<T::Error>> {
        if self.broken || self.sending_frame {
            return Err(Error::Broken);
        }
        if self.decoder.close_state() != CloseState::Open {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Frames `payload` through the write buffer, in as many transport writes as needed.
    async fn send_frame(
        &mut self,
        fin: bool,
        opcode: Opcode,
        payload: &[u8],
    ) -> Result<(), Error<T::Error>> {
        self.flush().await?;
        let key = self.next_key();
        let header = FrameHeader::new(fin, opcode, payload.len() as u64, key);
        let mut filled = write_header(self.tx, &header).map_err(Error::BufferTooSmall)?;
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
            if let Some(k) = key {
                unmask(dst, k, done & 3);
            }
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
        self.send_message(Opcode::Text, text.as_bytes()).await
    }

    /// Sends a whole binary message.
    pub async fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.send_message(Opcode::Binary, data).await
    }

    async fn send_message(&mut self, opcode: Opcode, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.check_send()?;
        if self.sending_message {
            return Err(Error::MessageInProgress);
        }
        self.send_frame(true, opcode, data).await
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
        let opcode = if self.sending_message {
            Opcode::Continuation
        } else {
            match kind {
                MessageKind::Text => Opcode::Text,
                MessageKind::Binary => Opcode::Binary,
                MessageKind::Reserved(n) => Opcode::from_u8(n),
            }
        };
        self.sending_message = !last;
        self.send_frame(last, opcode, data).await
    }

    /// Sends a ping (payload ≤ 125 bytes).
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
        self.check_send()?;
        self.flush().await?;
        let key = self.next_key();
        self.tx_len = encoder::write_ping(self.tx, payload, key)?;
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
                    if self.decoder.close_state() == CloseState::Open {
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
        if !matches!(self.decoder.close_state(), CloseState::Open) {
            return Err(Error::Closed);
        }
        self.flush().await?;
        let key = self.next_key();
        self.tx_len = encoder::write_close(self.tx, Some(code), reason, key)?;
        self.tx_sent = 0;
        self.decoder.note_close_sent();
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
