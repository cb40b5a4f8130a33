//! # Connection (sans-IO)
//!
//! One open WebSocket, for either role, as a deterministic state machine in the style of
//! quinn-proto: it never reads a socket or a clock and never allocates. Every driver —
//! the async [`io`](crate#features) layer, `wsguard serve`, the probe, the C and Python
//! bindings — is a loop over it:
//!
//! * **bytes in** — [`Connection::handle_input`] takes the received bytes (`&mut`, they
//!   are unmasked in place) and a message buffer, and returns how many bytes it consumed
//!   and at most one [`Event`]: a whole [`Event::Message`] (zero-copy when it came in one
//!   frame, otherwise reassembled in the message buffer), or [`Event::Piece`]s of a
//!   message larger than the message buffer, pings, pongs (with the heartbeat's RTT), the
//!   peer's Close;
//! * **bytes out** — [`Connection::poll_transmit`] writes the next control frame the
//!   protocol owes into your buffer: the pong for a ping (auto-pong), the reply to a
//!   Close, the heartbeat's pings, the Close of a failed connection. Application frames
//!   are written with [`Connection::send`], [`Connection::send_fragment`] or, for frames
//!   larger than your buffer, [`Connection::begin_frame`] + [`Masker`];
//! * **time** — [`Connection::poll_timeout`] gives the next deadline as `Option<u64>`
//!   (`None`: nothing to wait for — never a `u64::MAX` sentinel to overflow your
//!   arithmetic) and [`Connection::handle_timeout`] runs the heartbeat and the close
//!   handshake timeout at caller-supplied monotonic milliseconds;
//! * **the end** — [`Connection::ending`] says why the connection ended: the close code
//!   and reason of the handshake, the protocol violation (1002/1003/1007/1009, its Close
//!   queued for you), a dead peer or a lost transport (1006); [`Ending::info`] classifies
//!   the code with the core's close table. [`Connection::is_finished`] says when the
//!   transport may be dropped.
//!
//! Write control frames from `poll_transmit` only between your own frames (never in the
//! middle of a frame started with `begin_frame`).
//!
//! ## Reader and writer halves
//!
//! The connection holds no buffer and no I/O, so a reader task and a writer task share it
//! behind any short critical section (e.g. `embassy_sync::blocking_mutex::Mutex<_,
//! RefCell<Connection>>` or `critical_section::Mutex`): the reader locks, calls
//! `handle_input` with its own input and message buffers, unlocks and signals the writer
//! when [`Connection::wants_transmit`]; the writer locks, calls `poll_transmit`/`send`
//! into its own output buffer, unlocks, then awaits the transport write. No lock is held
//! across an await, because no call here ever waits.
//!
//! ```
//! use wsguard_core::connection::{Config, Connection, Event};
//! use wsguard_core::frame::{encoder, MessageKind, Opcode, Role};
//!
//! let mut conn = Connection::new(Config::new(Role::Server), 0);
//! // The client sent a masked ping and a masked "hi".
//! let mut input = [0u8; 32];
//! let a = encoder::write_frame(&mut input, true, Opcode::Ping, b"p", Some([1, 2, 3, 4])).unwrap();
//! let b = encoder::write_frame(&mut input[a..], true, Opcode::Text, b"hi", Some([5, 6, 7, 8])).unwrap();
//! let mut msg = [0u8; 64];
//! let got = conn.handle_input(0, &mut input[..a + b], &mut msg).unwrap();
//! assert_eq!((got.consumed, got.event), (a, Some(Event::Ping(b"p"))));
//! let got = conn.handle_input(0, &mut input[a..a + b], &mut msg).unwrap();
//! assert_eq!(got.event, Some(Event::Message { kind: MessageKind::Text, data: b"hi" }));
//! // The pong is owed:
//! let mut out = [0u8; 256];
//! let n = conn.poll_transmit(&mut out).unwrap().unwrap();
//! assert_eq!(&out[..n], b"\x8a\x01p");
//! assert_eq!(conn.poll_transmit(&mut out).unwrap(), None);
//! ```

mod buffers;
mod config;
mod ending;
mod send;
#[cfg(test)]
mod tests;

pub use config::Config;
pub use ending::{Ending, Error};
pub use send::Masker;

use crate::close::{parse_payload, ClosePayload, MAX_REASON_LEN};
use crate::frame::encoder;
use crate::frame::header::HeaderStatus;
use crate::frame::{
    CloseState, Decoded, Decoder, Event as FrameEvent, FrameHeader, MessageKind, Opcode, Role,
};
use crate::heartbeat::{Action, Heartbeat};
use crate::BufferTooSmall;
use buffers::Bufs;

/// Largest control frame [`Connection::poll_transmit`] writes: 2 + 4 (mask) + 125 bytes.
/// An output buffer of this size always suffices.
pub const MAX_CONTROL_FRAME: usize = 131;

/// Largest control payload (RFC 6455 §5.5).
const CONTROL_MAX: usize = 125;

/// Something the peer sent, borrowed from the input or the message buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event<'a> {
    /// A whole message (text is valid UTF-8).
    Message {
        /// Text, binary or a reserved data opcode the configuration allows.
        kind: MessageKind,
        /// The payload, unmasked.
        data: &'a [u8],
    },
    /// A piece of a message larger than the message buffer, in order; a text piece may
    /// end inside a code point (the whole is validated).
    Piece {
        /// The message type.
        kind: MessageKind,
        /// The bytes of this piece.
        data: &'a [u8],
        /// First piece of the message.
        first: bool,
        /// Last piece of the message (text fully validated).
        last: bool,
    },
    /// A ping; the pong is queued (see [`Connection::poll_transmit`]). One pong is kept:
    /// a later ping replaces an unsent one (RFC 6455 §5.5.3); call `poll_transmit` after
    /// each ping to answer every one.
    Ping(&'a [u8]),
    /// A pong; `rtt_ms` when it answers the heartbeat's outstanding ping.
    Pong {
        /// The payload.
        payload: &'a [u8],
        /// Round-trip time measured by the heartbeat.
        rtt_ms: Option<u64>,
    },
    /// The peer's Close; the reply is queued unless we had sent ours. See
    /// [`Connection::ending`].
    Close(ClosePayload<'a>),
    /// A reserved control opcode the configuration allows.
    Control {
        /// The 4-bit opcode.
        opcode: u8,
        /// The payload.
        payload: &'a [u8],
    },
}

/// Result of [`Connection::handle_input`]: drop `consumed` bytes from the front of your
/// input, then handle `event` (`None`: the input holds no further complete item; read
/// more bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Input<'a> {
    /// Bytes used from the front of the input.
    pub consumed: usize,
    /// What was found.
    pub event: Option<Event<'a>>,
}

/// Where an event's bytes lie (offsets, so no borrow is held while looping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Message(MessageKind, Span),
    Piece(MessageKind, Span, bool, bool),
    Ping(Span),
    Pong(Span, Option<u64>),
    Close(Span),
    Control(u8, Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Input(usize, usize),
    Message(usize),
}

/// The message being received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Incoming {
    kind: MessageKind,
    /// Delivered in pieces because it does not fit the message buffer.
    streaming: bool,
    /// A piece was delivered already.
    started: bool,
}

/// One WebSocket connection after the opening handshake (see the [module](self)).
#[derive(Debug, Clone)]
pub struct Connection {
    decoder: Decoder,
    config: Config,
    heartbeat: Option<Heartbeat>,
    now: u64,
    /// Bytes of the message assembled in the caller's message buffer.
    asm: usize,
    /// The last event returned the assembled message: forget it on the next call.
    release_asm: bool,
    /// Inside a streamed frame's payload.
    in_frame: bool,
    incoming: Option<Incoming>,
    pong: Option<u8>,
    pong_buf: [u8; CONTROL_MAX],
    ping: Option<[u8; 8]>,
    /// Close to send: its code (`None`: empty payload) and reason length in `out_reason`.
    close_out: Option<(Option<u16>, u8)>,
    out_reason: [u8; MAX_REASON_LEN],
    close_deadline: Option<u64>,
    /// Reason of the Close that ended the connection.
    reason: [u8; MAX_REASON_LEN],
    reason_len: u8,
    ending: Option<Ending>,
    sending_message: Option<MessageKind>,
    mask_state: u64,
}

impl Connection {
    /// A connection opened (handshake done) at `now` monotonic milliseconds.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::Role;
    /// let conn = Connection::new(Config::new(Role::Client), 0);
    /// assert_eq!(conn.role(), Role::Client);
    /// assert_eq!(conn.ending(), None);
    /// ```
    pub fn new(config: Config, now: u64) -> Self {
        Connection {
            decoder: Decoder::new(config.decoder),
            heartbeat: config.heartbeat.map(|h| Heartbeat::new(h, now)),
            config,
            now,
            asm: 0,
            release_asm: false,
            in_frame: false,
            incoming: None,
            pong: None,
            pong_buf: [0; CONTROL_MAX],
            ping: None,
            close_out: None,
            out_reason: [0; MAX_REASON_LEN],
            close_deadline: None,
            reason: [0; MAX_REASON_LEN],
            reason_len: 0,
            ending: None,
            sending_message: None,
            mask_state: if config.mask_seed == 0 {
                0x853C_49E6_748F_EA9B
            } else {
                config.mask_seed
            },
        }
    }

    /// Our role (it decides the masking rules).
    pub const fn role(&self) -> Role {
        self.config.decoder.role
    }

    /// The configuration.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Where the closing handshake stands.
    pub const fn close_state(&self) -> CloseState {
        self.decoder.close_state()
    }

    /// The heartbeat, when the configuration has one (RTT, missed pings …).
    pub const fn heartbeat(&self) -> Option<&Heartbeat> {
        self.heartbeat.as_ref()
    }

    /// Why the connection ended, once it has (see [`Ending`]).
    pub const fn ending(&self) -> Option<Ending> {
        self.ending
    }

    /// The reason text of the Close that ended the connection (the peer's, or ours for
    /// a failure); empty otherwise.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::Role;
    /// let mut c = Connection::new(Config::new(Role::Client), 0);
    /// let _ = c.handle_input(0, &mut *b"\x88\x05\x03\xe8bye".to_vec(), &mut []);
    /// assert_eq!(c.close_reason(), "bye");
    /// assert_eq!(c.ending().unwrap().code(), 1000);
    /// ```
    pub fn close_reason(&self) -> &str {
        let bytes = self
            .reason
            .get(..usize::from(self.reason_len))
            .unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }

    /// `true` when [`poll_transmit`](Self::poll_transmit) has a frame to write.
    pub const fn wants_transmit(&self) -> bool {
        self.pong.is_some() || self.ping.is_some() || self.close_out.is_some()
    }

    /// `true` once the connection has ended and owes nothing more: drop the transport
    /// (a server closes TCP first; a client may wait briefly for the server's FIN).
    pub const fn is_finished(&self) -> bool {
        self.ending.is_some() && !self.wants_transmit()
    }

    /// Decodes the front of `input` (see the [module](self)): drop `consumed` bytes, then
    /// handle the event. `message` receives messages that arrive in several frames; keep
    /// its contents between calls (a message longer than `message.len()` comes in
    /// [`Event::Piece`]s, so an empty buffer streams every fragmented message).
    ///
    /// A violation queues the Close with the right code and returns
    /// [`Error::Protocol`]; after the end every call returns [`Error::Closed`].
    pub fn handle_input<'a>(
        &mut self,
        now: u64,
        input: &'a mut [u8],
        message: &'a mut [u8],
    ) -> Result<Input<'a>, Error> {
        self.run(now, Bufs::Split { input, message })
    }

    /// Like [`handle_input`](Self::handle_input) with one buffer: `buf[start..end]` holds
    /// the received bytes and `buf[..start]` the message assembled so far (payload of a
    /// fragmented message is moved down to the front, so a message up to `buf.len()`
    /// bytes comes whole). `consumed` counts from `start`. Before moving unconsumed bytes
    /// down to make room, keep [`assembled`](Self::assembled) bytes at the front; when
    /// the buffer is full, [`release_assembled`](Self::release_assembled).
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection, Event};
    /// use wsguard_core::frame::{MessageKind, Role};
    /// let mut c = Connection::new(Config::new(Role::Client), 0);
    /// let mut buf = *b"\x01\x02ab\x80\x01c";
    /// let got = c.handle_input_in_place(0, &mut buf, 0, 4).unwrap();
    /// assert_eq!((got.consumed, c.assembled()), (4, 2));
    /// let got = c.handle_input_in_place(0, &mut buf, 4, 7).unwrap();
    /// assert_eq!(got.event, Some(Event::Message { kind: MessageKind::Text, data: b"abc" }));
    /// ```
    pub fn handle_input_in_place<'a>(
        &mut self,
        now: u64,
        buf: &'a mut [u8],
        start: usize,
        end: usize,
    ) -> Result<Input<'a>, Error> {
        let end = end.min(buf.len());
        let start = start.min(end);
        self.run(now, Bufs::Shared { buf, start, end })
    }

    /// Bytes at the front of the [`handle_input_in_place`](Self::handle_input_in_place)
    /// buffer that hold the part of a message assembled so far.
    pub const fn assembled(&self) -> usize {
        if self.release_asm {
            0
        } else {
            self.asm
        }
    }

    /// The in-place buffer is full: hands the assembled part (`buf[..assembled()]`) over
    /// as the first [`Event::Piece`] of its message, which streams from then on.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection, Event};
    /// use wsguard_core::frame::{MessageKind, Role};
    /// let mut c = Connection::new(Config::new(Role::Client), 0);
    /// let mut buf = *b"\x02\x02ab";
    /// c.handle_input_in_place(0, &mut buf, 0, 4).unwrap();
    /// assert_eq!(c.release_assembled(&buf), Some(Event::Piece { kind: MessageKind::Binary, data: b"ab", first: true, last: false }));
    /// assert_eq!(c.assembled(), 0);
    /// ```
    pub fn release_assembled<'a>(&mut self, buf: &'a [u8]) -> Option<Event<'a>> {
        let m = self.incoming.as_mut()?;
        if self.release_asm || self.asm == 0 || m.streaming {
            return None;
        }
        m.streaming = true;
        m.started = true;
        self.release_asm = true;
        Some(Event::Piece {
            kind: m.kind,
            data: buf.get(..self.asm).unwrap_or(&[]),
            first: true,
            last: false,
        })
    }

    fn run<'a>(&mut self, now: u64, mut bufs: Bufs<'a>) -> Result<Input<'a>, Error> {
        self.tick(now);
        if self.ending.is_some() {
            return Err(Error::Closed);
        }
        if self.release_asm {
            self.asm = 0;
            self.release_asm = false;
        }
        let (consumed, found) = match self.receive(now, &mut bufs) {
            Ok(r) => r,
            Err(e) => {
                self.fail(now, e);
                return Err(Error::Protocol(e));
            }
        };
        let (input, message) = bufs.into_slices();
        let event = found.map(|f| self.event(f, input, message));
        Ok(Input { consumed, event })
    }

    fn event<'a>(&mut self, found: Found, input: &'a [u8], message: &'a [u8]) -> Event<'a> {
        let slice = |s: Span| match s {
            Span::Input(at, len) => input.get(at..at.saturating_add(len)).unwrap_or(&[]),
            Span::Message(len) => message.get(..len).unwrap_or(&[]),
        };
        match found {
            Found::Message(kind, s) => Event::Message {
                kind,
                data: slice(s),
            },
            Found::Piece(kind, s, first, last) => Event::Piece {
                kind,
                data: slice(s),
                first,
                last,
            },
            Found::Ping(s) => Event::Ping(slice(s)),
            Found::Pong(s, rtt_ms) => Event::Pong {
                payload: slice(s),
                rtt_ms,
            },
            // The decoder validated the payload; re-parsing it cannot fail.
            Found::Close(s) => Event::Close(parse_payload(slice(s)).unwrap_or(ClosePayload {
                code: None,
                reason: "",
            })),
            Found::Control(opcode, s) => Event::Control {
                opcode,
                payload: slice(s),
            },
        }
    }

    /// The decoding loop: bounded, every pass consumes bytes or returns.
    fn receive(
        &mut self,
        now: u64,
        bufs: &mut Bufs<'_>,
    ) -> Result<(usize, Option<Found>), crate::frame::ProtocolError> {
        let mut pos = 0usize;
        let cap = bufs.cap();
        loop {
            let mut copy = None;
            let rest = bufs.input().get_mut(pos..).unwrap_or_default();
            if let Some(piece) = self.flush_before_next_frame(rest, cap) {
                return Ok((pos, Some(piece)));
            }
            let (consumed, event) = match self.decoder.decode_streaming(rest)? {
                Decoded::Incomplete { .. } => return Ok((pos, None)),
                Decoded::Event { consumed, event } => (consumed, event),
            };
            let end = pos.saturating_add(consumed);
            if let Some(hb) = self.heartbeat.as_mut() {
                if !matches!(event, FrameEvent::Ping(_) | FrameEvent::Pong(_)) {
                    hb.on_activity(now);
                }
            }
            let at = |len: usize| Span::Input(end.saturating_sub(len), len);
            let found = match event {
                FrameEvent::Header(h) => self.on_header(h, cap),
                FrameEvent::Data {
                    kind,
                    payload,
                    fin_of_frame,
                    fin_of_message,
                } => {
                    let whole = !self.in_frame;
                    self.in_frame = !fin_of_frame;
                    let (len, span) = (payload.len(), at(payload.len()));
                    let dst = self.asm;
                    let (found, assemble) =
                        self.on_data(kind, len, span, whole, fin_of_message, cap);
                    if assemble {
                        copy = Some((end.saturating_sub(len), len, dst));
                    }
                    found
                }
                FrameEvent::Ping(p) => {
                    let answer = match self.heartbeat.as_mut() {
                        Some(hb) => hb.on_ping_received(now),
                        None => true,
                    };
                    if answer && self.close_out.is_none() && self.close_state() == CloseState::Open
                    {
                        let n = p.len().min(CONTROL_MAX);
                        self.pong_buf[..n].copy_from_slice(&p[..n]);
                        self.pong = Some(n as u8);
                    }
                    Some(Found::Ping(at(p.len())))
                }
                FrameEvent::Pong(p) => {
                    let rtt = self.heartbeat.as_mut().and_then(|hb| hb.on_pong(now, p));
                    Some(Found::Pong(at(p.len()), rtt))
                }
                FrameEvent::Close(c) => {
                    let len = consumed.saturating_sub(self.control_header_len());
                    self.on_close(now, &c);
                    Some(Found::Close(at(len)))
                }
                FrameEvent::Control { opcode, payload } => {
                    Some(Found::Control(opcode, at(payload.len())))
                }
            };
            if let Some((at, len, dst)) = copy {
                bufs.assemble(at, len, dst);
            }
            pos = end;
            if found.is_some() {
                return Ok((pos, found));
            }
        }
    }

    fn control_header_len(&self) -> usize {
        if self.role().expects_masked_input() {
            6
        } else {
            2
        }
    }

    /// At a frame boundary with a message partly assembled: when the next frame (whole in
    /// the input) would overflow the message buffer, the assembled part leaves first as a
    /// piece and the message streams from then on.
    fn flush_before_next_frame(&mut self, rest: &[u8], cap: usize) -> Option<Found> {
        if self.in_frame || self.asm == 0 {
            return None;
        }
        let m = self.incoming.as_mut()?;
        if m.streaming {
            return None;
        }
        let Ok(HeaderStatus::Complete(h)) = FrameHeader::parse(rest, false) else {
            return None;
        };
        if h.opcode != Opcode::Continuation
            || (self.asm as u64).saturating_add(h.payload_len) <= cap as u64
        {
            return None;
        }
        m.streaming = true;
        m.started = true;
        self.release_asm = true;
        Some(Found::Piece(m.kind, Span::Message(self.asm), true, false))
    }

    fn on_header(&mut self, h: FrameHeader, cap: usize) -> Option<Found> {
        self.in_frame = true;
        let kind = match h.opcode {
            Opcode::Text => MessageKind::Text,
            Opcode::Binary => MessageKind::Binary,
            Opcode::Continuation => self.incoming.map(|m| m.kind).unwrap_or(MessageKind::Binary),
            other => MessageKind::Reserved(other.as_u8()),
        };
        let m = self.incoming.get_or_insert(Incoming {
            kind,
            streaming: false,
            started: false,
        });
        if m.streaming || (self.asm as u64).saturating_add(h.payload_len) <= cap as u64 {
            return None;
        }
        m.streaming = true;
        if self.asm == 0 {
            return None;
        }
        m.started = true;
        self.release_asm = true;
        Some(Found::Piece(m.kind, Span::Message(self.asm), true, false))
    }

    /// Decides where data goes; `true`: assemble it into the message buffer.
    fn on_data(
        &mut self,
        kind: MessageKind,
        len: usize,
        span: Span,
        whole_frame: bool,
        last: bool,
        cap: usize,
    ) -> (Option<Found>, bool) {
        let m = *self.incoming.get_or_insert(Incoming {
            kind,
            streaming: false,
            started: false,
        });
        if last {
            self.incoming = None;
        }
        if !m.streaming && self.asm == 0 && whole_frame && last {
            return (Some(Found::Message(kind, span)), false);
        }
        let fits = self.asm.saturating_add(len) <= cap;
        if m.streaming || !fits {
            if let Some(i) = self.incoming.as_mut() {
                i.streaming = true;
                i.started = true;
            }
            return (Some(Found::Piece(kind, span, !m.started, last)), false);
        }
        self.asm += len;
        if last {
            self.release_asm = true;
            return (Some(Found::Message(kind, Span::Message(self.asm))), true);
        }
        (None, true)
    }

    fn on_close(&mut self, now: u64, c: &ClosePayload<'_>) {
        if let Some(hb) = self.heartbeat.as_mut() {
            hb.on_close(now);
        }
        let n = c.reason.len().min(MAX_REASON_LEN);
        self.reason[..n].copy_from_slice(&c.reason.as_bytes()[..n]);
        self.reason_len = n as u8;
        self.pong = None;
        self.ping = None;
        let by_peer = self.close_state() == CloseState::CloseReceived;
        if by_peer && self.close_out.is_none() {
            // Echo the code (RFC 6455 §5.5.1), no reason.
            self.close_out = Some((c.code, 0));
            self.decoder.note_close_sent();
        }
        self.ending = Some(Ending::Closed {
            code: c.reported_code(),
            by_peer,
        });
    }

    fn fail(&mut self, now: u64, e: crate::frame::ProtocolError) {
        let code = e.close_code();
        let reason = crate::Diagnostic::code(&e);
        self.queue_close(now, Some(code), reason);
        let n = reason.len().min(MAX_REASON_LEN);
        self.reason[..n].copy_from_slice(&reason.as_bytes()[..n]);
        self.reason_len = n as u8;
        self.ending = Some(Ending::Failed(e));
    }

    fn queue_close(&mut self, now: u64, code: Option<u16>, reason: &str) {
        if !matches!(
            self.close_state(),
            CloseState::Open | CloseState::CloseReceived
        ) || self.close_out.is_some()
        {
            return;
        }
        let reason = crate::close::fit_reason(reason);
        let n = reason.len().min(MAX_REASON_LEN);
        self.out_reason[..n].copy_from_slice(&reason.as_bytes()[..n]);
        self.close_out = Some((code, n as u8));
        self.pong = None;
        self.ping = None;
        self.decoder.note_close_sent();
        if let Some(hb) = self.heartbeat.as_mut() {
            hb.on_close(now);
        }
        self.close_deadline = Some(now.saturating_add(self.config.close_timeout_ms));
    }

    /// The peer ended the transport (read returned 0) at `now`. Ends the connection with
    /// [`Ending::Lost`] (1006) unless it had ended already.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection, Ending};
    /// let mut c = Connection::new(Config::new(wsguard_core::frame::Role::Server), 0);
    /// c.handle_eof(5);
    /// assert_eq!(c.ending(), Some(Ending::Lost));
    /// assert_eq!(c.ending().unwrap().code(), 1006);
    /// ```
    pub fn handle_eof(&mut self, now: u64) {
        self.tick(now);
        if self.ending.is_none() {
            self.ending = Some(Ending::Lost);
            self.pong = None;
            self.ping = None;
            self.close_out = None;
        }
    }

    /// Writes the next control frame owed into `out` and returns its length (`None`:
    /// nothing to send). Needs room for the frame ([`MAX_CONTROL_FRAME`] always
    /// suffices); nothing is written or dequeued on error.
    pub fn poll_transmit(&mut self, out: &mut [u8]) -> Result<Option<usize>, BufferTooSmall> {
        let key = self.peek_key();
        let n = if let Some((code, rlen)) = self.close_out {
            let reason = self.out_reason.get(..usize::from(rlen)).unwrap_or(&[]);
            let reason = core::str::from_utf8(reason).unwrap_or("");
            match encoder::write_close(out, code, reason, key) {
                Ok(n) => n,
                Err(encoder::EncodeError::BufferTooSmall { needed }) => {
                    return Err(BufferTooSmall { needed })
                }
                // Codes come from the decoder or `close`, both wire-valid: send empty.
                Err(_) => encoder::write_close(out, None, "", key).map_err(|_| BufferTooSmall {
                    needed: MAX_CONTROL_FRAME,
                })?,
            }
        } else if let Some(len) = self.pong {
            let p = self.pong_buf.get(..usize::from(len)).unwrap_or(&[]);
            encoder::write_pong(out, p, key).map_err(|_| BufferTooSmall {
                needed: encoder::header_len(p.len() as u64, key.is_some()) + p.len(),
            })?
        } else if let Some(p) = self.ping {
            encoder::write_ping(out, &p, key).map_err(|_| BufferTooSmall {
                needed: encoder::header_len(8, key.is_some()) + 8,
            })?
        } else {
            return Ok(None);
        };
        if self.close_out.take().is_none() && self.pong.take().is_none() {
            self.ping = None;
        }
        self.next_key();
        Ok(Some(n))
    }

    /// The next deadline (monotonic ms) at which to call
    /// [`handle_timeout`](Self::handle_timeout): the heartbeat's next ping or dead-peer
    /// time, or the end of the close handshake. `None`: no deadline.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::heartbeat::HeartbeatConfig;
    /// use wsguard_core::frame::Role;
    /// let cfg = Config::new(Role::Server).with_heartbeat(HeartbeatConfig::new(1_000, 3_000, 2).unwrap());
    /// let mut c = Connection::new(cfg, 100);
    /// assert_eq!(c.poll_timeout(), Some(1_100));
    /// assert_eq!(Connection::new(Config::new(Role::Server), 0).poll_timeout(), None);
    /// ```
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.ending.is_some() {
            return None;
        }
        let hb = self.heartbeat.and_then(|mut hb| match hb.poll(self.now) {
            Action::Wait { until } if until == u64::MAX => None,
            Action::Wait { until } => Some(until),
            Action::SendPing { .. } | Action::PeerDead => Some(self.now),
        });
        match (hb, self.close_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the timers at `now`: queues the heartbeat's ping, ends the connection with
    /// [`Ending::PeerDead`] or [`Ending::CloseTimeout`] (both 1006: drop the transport).
    pub fn handle_timeout(&mut self, now: u64) {
        self.tick(now);
        if self.ending.is_some() {
            return;
        }
        let open = self.close_out.is_none() && self.close_state() == CloseState::Open;
        if let Some(hb) = self.heartbeat.as_mut() {
            // A ping moves the next deadline forward, so the second poll waits.
            for _ in 0..2 {
                match hb.poll(now) {
                    Action::Wait { .. } => break,
                    Action::PeerDead => {
                        let why = hb
                            .dead_reason()
                            .unwrap_or(crate::heartbeat::PeerDead::Silent);
                        self.ending = Some(Ending::PeerDead(why));
                        self.pong = None;
                        self.ping = None;
                        self.close_out = None;
                        return;
                    }
                    Action::SendPing { payload, .. } => {
                        if open {
                            self.ping = Some(payload);
                        }
                    }
                }
            }
        }
        if self.close_deadline.is_some_and(|d| now >= d) {
            self.ending = Some(Ending::CloseTimeout);
            self.close_out = None;
        }
    }

    /// Starts the closing handshake: queues a Close with `code` (wire-valid) and `reason`
    /// (cut to 123 bytes at a character boundary); keep reading until the peer's Close
    /// ends the connection or [`poll_timeout`](Self::poll_timeout)'s deadline passes.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::Role;
    /// let mut c = Connection::new(Config::new(Role::Server), 0);
    /// c.close(0, 1001, "bye").unwrap();
    /// let mut out = [0u8; 131];
    /// let n = c.poll_transmit(&mut out).unwrap().unwrap();
    /// assert_eq!(&out[..n], b"\x88\x05\x03\xe9bye");
    /// assert_eq!(c.poll_timeout(), Some(5_000));
    /// ```
    pub fn close(&mut self, now: u64, code: u16, reason: &str) -> Result<(), Error> {
        self.tick(now);
        if !crate::close::is_wire_valid(code) {
            return Err(Error::InvalidCloseCode(code));
        }
        if self.ending.is_some() || self.close_state() != CloseState::Open {
            return Err(Error::Closed);
        }
        self.queue_close(now, Some(code), reason);
        Ok(())
    }

    fn tick(&mut self, now: u64) {
        if now > self.now {
            self.now = now;
        }
    }

    /// The masking key the next frame gets (client role).
    fn peek_key(&self) -> Option<[u8; 4]> {
        if !self.role().masks_output() {
            return None;
        }
        let mut x = self.mask_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        Some(((x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32).to_le_bytes())
    }

    /// Advances the key stream (xorshift64* from [`Config::mask_seed`]).
    fn next_key(&mut self) -> Option<[u8; 4]> {
        let key = self.peek_key();
        if key.is_some() {
            let mut x = self.mask_state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.mask_state = x;
        }
        key
    }
}
