//! The two buffers of an open WebSocket, apart from its transport, so that the whole
//! [`WebSocket`](super::WebSocket) and the [split](super::split) halves run the same
//! code: [`RxBuf`] decodes through the sans-IO [`Connection`] and reads more bytes,
//! [`TxBuf`] stages frames and flushes them resumably. The connection is passed in for
//! the synchronous steps only, never held across an await.

use embedded_io_async::{Read, Write};

use super::{Error, Message};
use crate::close::parse_payload;
use crate::connection::{self, Connection, Event, Masker};
use crate::frame::encoder::EncodeError;
use crate::frame::{CloseState, MessageKind, ProtocolError};
use crate::heartbeat::{Action, Heartbeat, PeerDead};
use crate::BufferTooSmall;

/// What the receive loop found, as offsets into the read buffer (so no borrow is held
/// across an await).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
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

/// One synchronous decoding step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Something to hand to the caller.
    Found(Found),
    /// Read more bytes ([`RxBuf::read_more`]).
    NeedBytes,
    /// The peer broke RFC 6455; the connection queued the Close to send.
    Violation(ProtocolError),
    /// The connection had ended before this call.
    Ended,
    /// The buffer is full and nothing can leave it (cannot happen with a buffer of
    /// [`MIN_BUFFER`](crate::frame::MIN_BUFFER) bytes or more).
    Full,
}

/// The read buffer: `buf[..assembled]` holds the part of a fragmented message assembled
/// so far (the connection's in-place mode), `buf[start..end]` bytes not decoded yet.
#[derive(Debug)]
pub(super) struct RxBuf<'b> {
    buf: &'b mut [u8],
    start: usize,
    end: usize,
    /// Bytes at `start` that belong to the message returned last time.
    pending: usize,
    /// Decoded, but the read that decoded it was cancelled before returning it (while
    /// writing the pong or the Close echo): the next read returns it.
    undelivered: Option<Found>,
}

impl<'b> RxBuf<'b> {
    pub(super) fn new(buf: &'b mut [u8]) -> Self {
        RxBuf {
            buf,
            start: 0,
            end: 0,
            pending: 0,
            undelivered: None,
        }
    }

    /// Places bytes that arrived after the handshake head (already in `buf[..len]`).
    pub(super) fn with_leftover(mut self, len: usize) -> Self {
        self.end = len.min(self.buf.len());
        self
    }

    /// At the start of a read: the event a cancelled read decoded but did not return,
    /// or `None` after forgetting the message returned last time (then decode).
    pub(super) fn resume(&mut self) -> Option<Found> {
        if self.undelivered.is_some() {
            return self.undelivered;
        }
        self.start = self.start.saturating_add(self.pending).min(self.end);
        self.pending = 0;
        None
    }

    /// The event found is being returned to the caller now.
    pub(super) fn delivered(&mut self) {
        self.undelivered = None;
    }

    /// Decodes the front of what the buffer holds: an event, or a request for more bytes
    /// (after making room), or the end.
    #[inline(never)]
    pub(super) fn decode(&mut self, conn: &mut Connection) -> Step {
        let base = self.buf.as_ptr() as usize;
        let (consumed, event) = match conn.handle_input_in_place(0, self.buf, self.start, self.end)
        {
            Ok(i) => (i.consumed, i.event.map(|e| found(base, e))),
            Err(connection::Error::Protocol(e)) => return Step::Violation(e),
            Err(_) => return Step::Ended,
        };
        if let Some(f) = event {
            self.pending = consumed;
            self.undelivered = Some(f);
            return Step::Found(f);
        }
        self.start = self.start.saturating_add(consumed).min(self.end);
        // Make room: keep the assembled part at the front, move the rest down.
        let keep = conn.assembled();
        if self.start > keep {
            self.buf.copy_within(self.start..self.end, keep);
            self.end -= self.start - keep;
            self.start = keep;
        }
        if self.end < self.buf.len() {
            return Step::NeedBytes;
        }
        // Full: the assembled part leaves as the first piece of a streamed message.
        match conn.release_assembled(self.buf) {
            Some(ev) => {
                let f = found(base, ev);
                self.undelivered = Some(f);
                Step::Found(f)
            }
            None => Step::Full,
        }
    }

    /// Reads more bytes into the free tail. `closed`: the closing handshake is complete
    /// (an end of stream is then [`Error::Closed`], otherwise [`Error::ConnectionLost`]).
    pub(super) async fn read_more<R: Read>(
        &mut self,
        io: &mut R,
        closed: bool,
    ) -> Result<(), Error<R::Error>> {
        let free = self.buf.get_mut(self.end..).unwrap_or_default();
        let n = io.read(free).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(if closed {
                Error::Closed
            } else {
                Error::ConnectionLost
            });
        }
        self.end = self.end.saturating_add(n).min(self.buf.len());
        Ok(())
    }

    /// The message `found` stands for, borrowed from the buffer.
    pub(super) fn message<E>(&self, found: Found) -> Result<Message<'_>, Error<E>> {
        let slice = |at: usize, len: usize| self.buf.get(at..at.saturating_add(len)).unwrap_or(&[]);
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
}

/// The write buffer with resumable flushing: `buf[sent..len]` is still to be written.
#[derive(Debug)]
pub(super) struct TxBuf<'b> {
    buf: &'b mut [u8],
    len: usize,
    sent: usize,
    /// A frame larger than the write buffer is partly written.
    pub(super) sending_frame: bool,
    /// A fragmented message sent with `send_fragment` is open, of this kind.
    pub(super) sending_message: Option<MessageKind>,
    /// The transport accepted no bytes, or a large frame was cut: unusable.
    pub(super) broken: bool,
}

impl<'b> TxBuf<'b> {
    pub(super) fn new(buf: &'b mut [u8]) -> Self {
        TxBuf {
            buf,
            len: 0,
            sent: 0,
            sending_frame: false,
            sending_message: None,
            broken: false,
        }
    }

    /// Moves the next control frame the connection owes into the (flushed) buffer.
    /// Returns whether there is something to flush.
    pub(super) fn queue_transmit(&mut self, conn: &mut Connection) -> Result<bool, BufferTooSmall> {
        if self.len == 0 {
            if let Some(n) = conn.poll_transmit(self.buf)? {
                self.len = n;
                self.sent = 0;
            }
        }
        Ok(self.len > 0)
    }

    /// Puts a control frame written by `write` (e.g. [`Connection::send_ping`]) into the
    /// flushed buffer.
    pub(super) fn stage<E>(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, connection::Error>,
    ) -> Result<(), Error<E>> {
        self.len = write(self.buf).map_err(conn_error)?;
        self.sent = 0;
        Ok(())
    }

    /// Writes out what the buffer holds. Resumable: progress is recorded after every
    /// transport write.
    pub(super) async fn flush<W: Write>(&mut self, io: &mut W) -> Result<(), Error<W::Error>> {
        if self.len == 0 {
            return Ok(());
        }
        while self.sent < self.len {
            let chunk = self.buf.get(self.sent..self.len).unwrap_or(&[]);
            let n = io.write(chunk).await.map_err(Error::Io)?;
            if n == 0 {
                self.broken = true;
                return Err(Error::ConnectionLost);
            }
            self.sent = self.sent.saturating_add(n);
        }
        self.len = 0;
        self.sent = 0;
        io.flush().await.map_err(Error::Io)
    }

    /// Writes a frame header with `begin` ([`Connection::begin_frame`]) into the flushed
    /// buffer; then [`send_frame`](Self::send_frame). Synchronous, so the closure is not
    /// kept in the send's future.
    pub(super) fn begin_frame<E>(
        &mut self,
        begin: impl FnOnce(&mut [u8]) -> Result<(usize, Masker), connection::Error>,
    ) -> Result<(usize, Masker), Error<E>> {
        begin(self.buf).map_err(conn_error)
    }

    /// Frames `payload` through the buffer after the header [`begin_frame`](Self::begin_frame)
    /// wrote (`filled` bytes), in as many transport writes as needed.
    pub(super) async fn send_frame<W: Write>(
        &mut self,
        io: &mut W,
        (mut filled, mut masker): (usize, Masker),
        payload: &[u8],
    ) -> Result<(), Error<W::Error>> {
        let mut done = 0usize;
        loop {
            let take = self
                .buf
                .len()
                .saturating_sub(filled)
                .min(payload.len() - done);
            let (Some(dst), Some(src)) = (
                self.buf.get_mut(filled..filled + take),
                payload.get(done..done + take),
            ) else {
                return Err(Error::Broken);
            };
            dst.copy_from_slice(src);
            masker.apply(dst);
            done += take;
            self.len = filled + take;
            self.sent = 0;
            if done == payload.len() {
                break;
            }
            self.sending_frame = true;
            self.flush(io).await?;
            filled = 0;
        }
        // The rest of the frame is in the buffer: a cancelled flush is resumed.
        self.sending_frame = false;
        self.flush(io).await
    }
}

/// The driver's error for a refused connection call.
pub(super) fn conn_error<E>(e: connection::Error) -> Error<E> {
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

/// Whether data may still be sent on `conn` through `tx` (the checks before every send).
pub(super) fn check_send<E>(tx: &TxBuf<'_>, conn: &Connection) -> Result<(), Error<E>> {
    if tx.broken || tx.sending_frame {
        return Err(Error::Broken);
    }
    if conn.close_state() != CloseState::Open || conn.ending().is_some() {
        return Err(Error::Closed);
    }
    Ok(())
}

/// The error for a read after the connection ended.
pub(super) fn ended<E>(conn: &Connection) -> Error<E> {
    match conn.ending() {
        Some(connection::Ending::Failed(e)) => Error::Protocol(e),
        _ => Error::Closed,
    }
}

/// What the heartbeat asks for at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Beat {
    /// Wait until this deadline (`None`: none, after a Close).
    Wait(Option<u64>),
    /// Send a ping with this payload now.
    Ping([u8; 8]),
}

/// One look at `hb` at `now`, its deadline clamped to [`MAX_DEADLINE_MS`](super::MAX_DEADLINE_MS).
pub(super) fn beat<E>(hb: &mut Heartbeat, now: u64) -> Result<Beat, Error<E>> {
    match hb.poll(now) {
        // The heartbeat's "no deadline" (after a Close) is `u64::MAX`: never passed on.
        Action::Wait { until: u64::MAX } => Ok(Beat::Wait(None)),
        Action::Wait { until } => Ok(Beat::Wait(Some(super::clamp_deadline(until)))),
        Action::PeerDead => Err(Error::PeerDead(
            hb.dead_reason().unwrap_or(PeerDead::Silent),
        )),
        Action::SendPing { payload, .. } => Ok(Beat::Ping(payload)),
    }
}

/// The deadline after two pings in one call (cannot happen: a ping moves the next one
/// an interval ahead): one interval from `now`.
pub(super) fn beat_fallback(hb: &Heartbeat, now: u64) -> Option<u64> {
    Some(super::clamp_deadline(
        now.saturating_add(hb.config().interval_ms()),
    ))
}
