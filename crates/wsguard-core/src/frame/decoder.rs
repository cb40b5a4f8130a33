//! The streaming frame decoder: header rules that depend on the connection (role,
//! extensions, limits), the fragmentation state machine, UTF-8 of text messages and
//! close payloads.
//!
//! The decoder holds no buffer. Each call looks at the bytes you pass (`&mut [u8]`,
//! because payloads are unmasked in place), returns at most one [`Event`] and says how
//! many bytes it consumed; remove those bytes from the front of your buffer before the
//! next call. Two ways to call it:
//!
//! * [`Decoder::decode`] waits until a whole frame is in the buffer and returns it as one
//!   borrowed view. Simple, zero-copy; the buffer must hold the largest frame you accept
//!   (`Incomplete { needed }` tells you when it cannot).
//! * [`Decoder::decode_streaming`] returns a whole frame when it is there, and otherwise
//!   a data frame's [`Event::Header`] at once, then its payload in [`Event::Data`] chunks
//!   as bytes arrive. Any buffer of at least [`MIN_BUFFER`] bytes receives any message.
//!   Control frames (≤ 125 bytes) always come whole.
//!
//! After an error the decoder stays failed and returns the same error: send a Close with
//! [`ProtocolError::close_code`] and drop the connection.

use super::header::{FrameHeader, HeaderStatus, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
#[cfg(feature = "custom-unmask")]
use super::Unmasker;
use super::{CloseHandshake, CloseState, Opcode, ProtocolError, Role, Utf8Validator};
use crate::close::ClosePayload;

/// The smallest buffer with which [`Decoder::decode_streaming`] can receive every frame:
/// a 14-byte header plus a 125-byte control payload.
pub const MIN_BUFFER: usize = MAX_HEADER_LEN + MAX_CONTROL_PAYLOAD;

/// Decoder settings. Defaults are conservative: strict RFC 6455, no extension bits or
/// opcodes, 16 MiB per frame and 64 MiB per message (the limits tungstenite uses).
///
/// ```
/// use wsguard_core::frame::{DecoderConfig, Role, header::RSV1};
/// const CFG: DecoderConfig = DecoderConfig::server()
///     .with_max_message(1 << 20)
///     .with_allowed_rsv(RSV1); // permessage-deflate negotiated
/// assert_eq!(CFG.role, Role::Server);
/// assert_eq!(CFG.max_message, 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct DecoderConfig {
    /// Our role; decides which masking is required of the peer.
    pub role: Role,
    /// Largest payload of one frame, in bytes.
    pub max_frame: u64,
    /// Largest payload of one message (all its frames), in bytes.
    pub max_message: u64,
    /// Refuse non-minimal length encodings (default `true`).
    pub strict_length: bool,
    /// RSV bits a negotiated extension allows (`header::RSV1` etc.); default 0.
    pub allowed_rsv: u8,
    /// Reserved opcodes a negotiated extension allows: bit `n` allows opcode `n`
    /// (only bits 3–7 and 11–15 matter); default 0.
    pub allowed_opcodes: u16,
    /// Accept text messages (default `true`; `false` answers them with close code 1003).
    pub accept_text: bool,
    /// Accept binary messages (default `true`; `false` answers them with close code 1003).
    pub accept_binary: bool,
    /// The unmask function (default [`Unmasker::SAFE`], the core's own); feature
    /// `custom-unmask`.
    #[cfg(feature = "custom-unmask")]
    pub unmasker: Unmasker,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self::server()
    }
}

impl DecoderConfig {
    /// Conservative defaults for `role`.
    ///
    /// ```
    /// use wsguard_core::frame::{DecoderConfig, Role};
    /// assert_eq!(DecoderConfig::new(Role::Client), DecoderConfig::client());
    /// ```
    pub const fn new(role: Role) -> Self {
        DecoderConfig {
            role,
            max_frame: 16 << 20,
            max_message: 64 << 20,
            strict_length: true,
            allowed_rsv: 0,
            allowed_opcodes: 0,
            accept_text: true,
            accept_binary: true,
            #[cfg(feature = "custom-unmask")]
            unmasker: Unmasker::SAFE,
        }
    }
    /// Defaults for a server (requires masked frames).
    ///
    /// ```
    /// assert!(wsguard_core::frame::DecoderConfig::server().strict_length);
    /// ```
    pub const fn server() -> Self {
        Self::new(Role::Server)
    }
    /// Defaults for a client (requires unmasked frames).
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::DecoderConfig::client().role, wsguard_core::frame::Role::Client);
    /// ```
    pub const fn client() -> Self {
        Self::new(Role::Client)
    }
    /// Unmasks payloads with `unmasker` (e.g. a vectorised one of a hosted build);
    /// feature `custom-unmask`.
    ///
    /// ```
    /// use wsguard_core::frame::{DecoderConfig, Unmasker};
    /// assert_eq!(DecoderConfig::server().with_unmasker(Unmasker::SAFE), DecoderConfig::server());
    /// ```
    #[cfg(feature = "custom-unmask")]
    pub const fn with_unmasker(mut self, unmasker: Unmasker) -> Self {
        self.unmasker = unmasker;
        self
    }
    /// Sets the largest frame payload.
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::DecoderConfig::server().with_max_frame(4096).max_frame, 4096);
    /// ```
    pub const fn with_max_frame(mut self, bytes: u64) -> Self {
        self.max_frame = bytes;
        self
    }
    /// Sets the largest message payload.
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::DecoderConfig::server().with_max_message(4096).max_message, 4096);
    /// ```
    pub const fn with_max_message(mut self, bytes: u64) -> Self {
        self.max_message = bytes;
        self
    }
    /// Accepts non-minimal length encodings (some old peers write 5 in the 16-bit form).
    ///
    /// ```
    /// assert!(!wsguard_core::frame::DecoderConfig::server().lenient_length().strict_length);
    /// ```
    pub const fn lenient_length(mut self) -> Self {
        self.strict_length = false;
        self
    }
    /// Allows the RSV bits in `mask` (`header::RSV1 | …`) for a negotiated extension.
    ///
    /// ```
    /// use wsguard_core::frame::{DecoderConfig, header::RSV1};
    /// assert_eq!(DecoderConfig::server().with_allowed_rsv(RSV1).allowed_rsv, 0x40);
    /// ```
    pub const fn with_allowed_rsv(mut self, mask: u8) -> Self {
        self.allowed_rsv = mask & 0x70;
        self
    }
    /// Allows reserved opcodes: bit `n` of `mask` allows opcode `n`.
    ///
    /// ```
    /// let c = wsguard_core::frame::DecoderConfig::server().with_allowed_opcodes(1 << 3);
    /// assert_eq!(c.allowed_opcodes, 8);
    /// ```
    pub const fn with_allowed_opcodes(mut self, mask: u16) -> Self {
        self.allowed_opcodes = mask & 0xF8F8;
        self
    }
    /// Chooses which message types are accepted (the other is refused with 1003).
    ///
    /// ```
    /// let c = wsguard_core::frame::DecoderConfig::server().with_accepted(false, true);
    /// assert!(!c.accept_text && c.accept_binary);
    /// ```
    pub const fn with_accepted(mut self, text: bool, binary: bool) -> Self {
        self.accept_text = text;
        self.accept_binary = binary;
        self
    }
}

/// The type of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageKind {
    /// UTF-8 text (validated by the decoder).
    Text,
    /// Binary data.
    Binary,
    /// A reserved data opcode (0x3–0x7) allowed by `DecoderConfig::allowed_opcodes`.
    Reserved(u8),
}

/// One thing the decoder found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event<'b> {
    /// Streaming only: the header of a data frame whose payload will follow in
    /// [`Event::Data`] chunks.
    Header(FrameHeader),
    /// Payload of a data message, unmasked (the whole frame, or one chunk of it).
    Data {
        /// The message type (continuation frames carry their message's type).
        kind: MessageKind,
        /// The bytes; for text, a chunk may end inside a code point.
        payload: &'b [u8],
        /// Last bytes of this frame.
        fin_of_frame: bool,
        /// Last bytes of the message (text has been fully validated).
        fin_of_message: bool,
    },
    /// A ping; answer with a pong carrying the same payload.
    Ping(&'b [u8]),
    /// A pong.
    Pong(&'b [u8]),
    /// The peer's Close, validated. Reply with
    /// [`encoder::write_close_reply`](super::encoder::write_close_reply) unless
    /// [`Decoder::close_state`] says the handshake is already complete.
    Close(ClosePayload<'b>),
    /// A reserved control opcode (0xB–0xF) allowed by `DecoderConfig::allowed_opcodes`.
    Control {
        /// The 4-bit opcode.
        opcode: u8,
        /// The unmasked payload.
        payload: &'b [u8],
    },
}

/// Result of one decoder call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decoded<'b> {
    /// Nothing consumed; call again with at least `needed` more bytes (for a streamed
    /// payload, any number of new bytes makes progress; `needed` is what the frame lacks).
    Incomplete {
        /// Exact number of bytes missing (saturates at `usize::MAX`).
        needed: usize,
    },
    /// An event; drop `consumed` bytes from the front of the buffer after handling it.
    Event {
        /// Bytes used from the front of the buffer.
        consumed: usize,
        /// What was found.
        event: Event<'b>,
    },
}

impl Decoded<'_> {
    /// Bytes consumed (0 for `Incomplete`).
    ///
    /// ```
    /// use wsguard_core::frame::Decoded;
    /// assert_eq!(Decoded::Incomplete { needed: 2 }.consumed(), 0);
    /// ```
    pub const fn consumed(&self) -> usize {
        match self {
            Decoded::Incomplete { .. } => 0,
            Decoded::Event { consumed, .. } => *consumed,
        }
    }
}

/// A data frame whose payload is being streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct InFrame {
    fin: bool,
    kind: MessageKind,
    mask: Option<[u8; 4]>,
    remaining: u64,
    done: u64,
}

/// The streaming frame decoder for one connection.
///
/// It holds no buffer. Each call looks at the bytes you pass (`&mut [u8]`, because
/// payloads are unmasked in place), returns at most one [`Event`] and says how many bytes
/// it consumed; remove those from the front of your buffer before the next call.
///
/// * [`decode`](Self::decode) waits until a whole frame is in the buffer and returns it as
///   one borrowed view (zero-copy). The buffer must hold the largest frame you accept;
///   when `Incomplete { needed }` asks for more than your buffer can hold, switch to
/// * [`decode_streaming`](Self::decode_streaming), which returns a whole frame when it is
///   there, and otherwise a data frame's [`Event::Header`] at once, then its payload in
///   [`Event::Data`] chunks as bytes arrive (any buffer of [`MIN_BUFFER`] bytes receives
///   any message; control frames always come whole).
///
/// After an error the decoder stays failed and returns the same error: send a Close with
/// [`ProtocolError::close_code`] and drop the connection.
///
/// ```
/// use wsguard_core::frame::{Decoder, DecoderConfig, Decoded, Event};
/// let mut dec = Decoder::new(DecoderConfig::client());
/// let mut buf = *b"\x89\x02hi\x81"; // a ping, then the start of the next frame
/// let Decoded::Event { consumed, event } = dec.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!((consumed, event), (4, Event::Ping(b"hi")));
/// assert_eq!(dec.decode(&mut buf[4..]).unwrap(), Decoded::Incomplete { needed: 1 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decoder {
    config: DecoderConfig,
    frame: Option<InFrame>,
    message: Option<MessageKind>,
    message_len: u64,
    utf8: Utf8Validator,
    close: CloseHandshake,
    failed: Option<ProtocolError>,
}

#[inline]
fn saturating_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// XORs a payload piece with the configured unmask function.
#[inline]
fn unmask_with(config: &DecoderConfig, payload: &mut [u8], key: [u8; 4], offset: usize) {
    #[cfg(feature = "custom-unmask")]
    config.unmasker.apply(payload, key, offset);
    #[cfg(not(feature = "custom-unmask"))]
    {
        let _ = config;
        super::unmask(payload, key, offset);
    }
}

impl Decoder {
    /// A decoder at the start of a connection.
    ///
    /// ```
    /// let dec = wsguard_core::frame::Decoder::new(wsguard_core::frame::DecoderConfig::server());
    /// assert!(!dec.in_message());
    /// ```
    pub const fn new(config: DecoderConfig) -> Self {
        Decoder {
            config,
            frame: None,
            message: None,
            message_len: 0,
            utf8: Utf8Validator::new(),
            close: CloseHandshake::new(),
            failed: None,
        }
    }

    /// The configuration.
    ///
    /// ```
    /// use wsguard_core::frame::{Decoder, DecoderConfig};
    /// assert_eq!(Decoder::new(DecoderConfig::client()).config(), &DecoderConfig::client());
    /// ```
    pub const fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// `true` while a fragmented message (or a streamed frame) is open.
    ///
    /// ```
    /// let dec = wsguard_core::frame::Decoder::new(Default::default());
    /// assert!(!dec.in_message());
    /// ```
    pub const fn in_message(&self) -> bool {
        self.message.is_some() || self.frame.is_some()
    }

    /// The closing handshake as seen by this connection.
    ///
    /// ```
    /// use wsguard_core::frame::{Decoder, CloseState};
    /// assert_eq!(Decoder::new(Default::default()).close_state(), CloseState::Open);
    /// ```
    pub const fn close_state(&self) -> CloseState {
        self.close.state()
    }

    /// Tell the decoder you sent a Close frame; a Close received afterwards completes
    /// the handshake ([`CloseState::Closed`]).
    ///
    /// ```
    /// use wsguard_core::frame::{Decoder, CloseState};
    /// let mut dec = Decoder::new(Default::default());
    /// assert_eq!(dec.note_close_sent(), CloseState::CloseSent);
    /// ```
    pub fn note_close_sent(&mut self) -> CloseState {
        self.close.on_close_sent()
    }

    /// The error the decoder failed with, if any.
    ///
    /// ```
    /// assert_eq!(wsguard_core::frame::Decoder::new(Default::default()).error(), None);
    /// ```
    pub const fn error(&self) -> Option<ProtocolError> {
        self.failed
    }

    /// Decodes one whole frame from the front of `buf` (see [`Decoder`]).
    ///
    /// ```
    /// use wsguard_core::frame::{Decoder, DecoderConfig, Decoded};
    /// let mut dec = Decoder::new(DecoderConfig::server());
    /// // unmasked frame sent to a server
    /// let err = dec.decode(&mut [0x81, 0x00]).unwrap_err();
    /// assert_eq!(err.close_code(), 1002);
    /// let _ = Decoded::Incomplete { needed: 0 };
    /// ```
    pub fn decode<'b>(&mut self, buf: &'b mut [u8]) -> Result<Decoded<'b>, ProtocolError> {
        self.run(buf, false)
    }

    /// Like [`decode`](Self::decode), but a data frame that is not yet complete is
    /// returned as [`Event::Header`] followed by [`Event::Data`] chunks.
    ///
    /// ```
    /// use wsguard_core::frame::{Decoder, DecoderConfig, Decoded, Event, MessageKind};
    /// let mut dec = Decoder::new(DecoderConfig::client());
    /// let mut buf = *b"\x82\x05ab"; // 5-byte binary frame, 2 bytes arrived
    /// let d = dec.decode_streaming(&mut buf).unwrap();
    /// assert!(matches!(d, Decoded::Event { consumed: 2, event: Event::Header(_) }));
    /// let d = dec.decode_streaming(&mut buf[2..]).unwrap();
    /// assert_eq!(d, Decoded::Event { consumed: 2, event: Event::Data {
    ///     kind: MessageKind::Binary, payload: b"ab", fin_of_frame: false, fin_of_message: false } });
    /// ```
    pub fn decode_streaming<'b>(
        &mut self,
        buf: &'b mut [u8],
    ) -> Result<Decoded<'b>, ProtocolError> {
        self.run(buf, true)
    }

    #[inline]
    fn run<'b>(
        &mut self,
        buf: &'b mut [u8],
        streaming: bool,
    ) -> Result<Decoded<'b>, ProtocolError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let r = match self.frame {
            Some(f) => self.chunk(f, buf),
            None => self.frame_at(buf, streaming),
        };
        if let Err(e) = r {
            self.failed = Some(e);
        }
        r
    }

    /// Next chunk of a streamed payload.
    fn chunk<'b>(
        &mut self,
        mut f: InFrame,
        buf: &'b mut [u8],
    ) -> Result<Decoded<'b>, ProtocolError> {
        if buf.is_empty() {
            return Ok(Decoded::Incomplete {
                needed: saturating_usize(f.remaining),
            });
        }
        let n = saturating_usize(f.remaining).min(buf.len());
        let payload = match buf.get_mut(..n) {
            Some(p) => p,
            None => return Ok(Decoded::Incomplete { needed: 0 }),
        };
        if let Some(key) = f.mask {
            unmask_with(&self.config, payload, key, (f.done & 3) as usize);
        }
        f.remaining -= n as u64;
        f.done += n as u64;
        let fin_of_frame = f.remaining == 0;
        let fin_of_message = fin_of_frame && f.fin;
        if f.kind == MessageKind::Text {
            self.utf8
                .feed(payload)
                .map_err(|_| ProtocolError::InvalidUtf8)?;
            if fin_of_message {
                self.utf8.finish().map_err(|_| ProtocolError::InvalidUtf8)?;
            }
        }
        self.frame = if fin_of_frame { None } else { Some(f) };
        if fin_of_message {
            self.message = None;
        }
        let payload: &'b [u8] = payload;
        Ok(Decoded::Event {
            consumed: n,
            event: Event::Data {
                kind: f.kind,
                payload,
                fin_of_frame,
                fin_of_message,
            },
        })
    }

    /// Connection-dependent header rules, checked on the header bytes at the front of
    /// `buf` (one byte up to the whole header) in wire order, so that an error is reported
    /// at the earliest byte that makes it certain, and a header delivered whole or byte by
    /// byte gets the same verdict:
    ///
    /// * byte 0: a frame after the peer's Close, RSV bits, reserved opcodes, a fragmented
    ///   control frame, a continuation without a message, a new message inside one, a
    ///   message type the configuration refuses;
    /// * byte 1: the masking rule of our role, and a 7-bit length against the limits;
    /// * extended length bytes: as soon as every completion of the bytes present gives the
    ///   same verdict (top bit, non-minimal form, control length, frame and message limits;
    ///   a ping of 5 bytes in the 16-bit form is non-minimal, not too long);
    /// * a Close frame whose length is 1 is refused once the length is known.
    ///
    /// Returns the header once it is whole (the decoder's own parse: the same result as
    /// [`FrameHeader::parse`] for a header that passes the rules). Does not change state.
    fn check_header(&self, buf: &[u8]) -> Result<HeaderStatus, ProtocolError> {
        let cfg = &self.config;
        let Some(&b0) = buf.first() else {
            return Ok(HeaderStatus::Incomplete { needed: 2 });
        };
        self.close.on_data_received()?;
        if b0 & 0x70 & !cfg.allowed_rsv != 0 {
            return Err(ProtocolError::ReservedBits);
        }
        let opcode = Opcode::from_u8(b0);
        if let Opcode::Reserved(n) = opcode {
            if cfg.allowed_opcodes & (1u16 << (n & 15)) == 0 {
                return Err(ProtocolError::ReservedOpcode);
            }
        }
        let control = opcode.is_control();
        if control {
            if b0 & 0x80 == 0 {
                return Err(ProtocolError::FragmentedControlFrame);
            }
        } else if opcode == Opcode::Continuation {
            if self.message.is_none() {
                return Err(ProtocolError::UnexpectedContinuation);
            }
        } else if self.message.is_some() {
            return Err(ProtocolError::MessageNotFinished);
        } else if (opcode == Opcode::Text && !cfg.accept_text)
            || (opcode == Opcode::Binary && !cfg.accept_binary)
        {
            return Err(ProtocolError::UnsupportedData);
        }
        let Some(&b1) = buf.get(1) else {
            return Ok(HeaderStatus::Incomplete { needed: 1 });
        };
        let masked = b1 & 0x80 != 0;
        if masked != cfg.role.expects_masked_input() {
            return Err(match cfg.role {
                Role::Server => ProtocolError::UnmaskedFrame,
                Role::Client => ProtocolError::MaskedFrame,
            });
        }
        let len7 = b1 & 0x7F;
        let ext = match len7 {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        // A control frame with an extended length is either non-minimal (≤ 125 bytes in
        // the 16/64-bit form) or too long: the length bytes decide which, below.
        // The smallest and largest length the bytes present allow.
        let (mut min, mut max) = (u64::from(len7), u64::from(len7));
        if ext != 0 {
            (min, max) = (0, 0);
            for i in 0..ext {
                let (lo, hi) = match buf.get(2 + i) {
                    Some(&b) => (b, b),
                    None => (0, 0xFF),
                };
                min = (min << 8) | u64::from(lo);
                max = (max << 8) | u64::from(hi);
            }
        }
        let at_min = self.check_length(opcode, ext, min);
        if let Err(e) = at_min {
            if at_min == self.check_length(opcode, ext, max) {
                return Err(e);
            }
        }
        if opcode == Opcode::Close && min == 1 && max == 1 && at_min.is_ok() {
            return Err(ProtocolError::ClosePayloadTooShort);
        }
        let key_at = 2 + ext;
        let header_len = key_at + if masked { 4 } else { 0 };
        if buf.len() < header_len {
            return Ok(HeaderStatus::Incomplete {
                needed: header_len - buf.len(),
            });
        }
        // Whole: the length is exact (min == max) and passed the rules.
        let mask = match buf.get(key_at..header_len) {
            Some(&[k0, k1, k2, k3]) => Some([k0, k1, k2, k3]),
            _ => None,
        };
        Ok(HeaderStatus::Complete(FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv: b0 & 0x70,
            opcode,
            mask,
            payload_len: min,
            header_len: header_len as u8,
        }))
    }

    /// The length rules for a payload of `n` bytes written with `ext` extended length
    /// bytes. Over an interval of lengths, equal verdicts at both ends mean the same
    /// verdict for every length in between (each rule refuses a low or a high range).
    fn check_length(&self, opcode: Opcode, ext: usize, n: u64) -> Result<(), ProtocolError> {
        let cfg = &self.config;
        if ext == 8 && n >> 63 != 0 {
            return Err(ProtocolError::LengthTopBitSet);
        }
        if cfg.strict_length && ((ext == 2 && n < 126) || (ext == 8 && n <= 0xFFFF)) {
            return Err(ProtocolError::NonMinimalLength);
        }
        if opcode.is_control() && n > MAX_CONTROL_PAYLOAD as u64 {
            return Err(ProtocolError::ControlFrameTooLong);
        }
        if n > cfg.max_frame {
            return Err(ProtocolError::FrameTooBig);
        }
        let before = match opcode {
            _ if opcode.is_control() => return Ok(()),
            Opcode::Continuation => self.message_len,
            _ => 0,
        };
        if before.saturating_add(n) > cfg.max_message {
            return Err(ProtocolError::MessageTooBig);
        }
        Ok(())
    }

    /// The message kind of a checked data frame (`None` for control frames).
    #[inline]
    fn kind_of(&self, opcode: Opcode) -> Option<MessageKind> {
        match opcode {
            _ if opcode.is_control() => None,
            Opcode::Continuation => self.message,
            Opcode::Text => Some(MessageKind::Text),
            Opcode::Binary => Some(MessageKind::Binary),
            other => Some(MessageKind::Reserved(other.as_u8())),
        }
    }

    /// Records the start of a data frame in the message state.
    #[inline]
    fn begin_data(&mut self, h: &FrameHeader, kind: MessageKind) {
        if h.opcode != Opcode::Continuation {
            self.message_len = 0;
            self.utf8.reset();
        }
        self.message_len = self.message_len.saturating_add(h.payload_len);
        self.message = Some(kind);
    }

    fn frame_at<'b>(
        &mut self,
        buf: &'b mut [u8],
        streaming: bool,
    ) -> Result<Decoded<'b>, ProtocolError> {
        let h = match self.check_header(buf.get(..MAX_HEADER_LEN).unwrap_or(buf))? {
            HeaderStatus::Complete(h) => h,
            HeaderStatus::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
        };
        let kind = self.kind_of(h.opcode);
        let hlen = usize::from(h.header_len);
        let plen = saturating_usize(h.payload_len);
        let total = hlen.saturating_add(plen);
        if buf.len() < total {
            if let (true, Some(kind)) = (streaming, kind) {
                self.begin_data(&h, kind);
                self.frame = Some(InFrame {
                    fin: h.fin,
                    kind,
                    mask: h.mask,
                    remaining: h.payload_len,
                    done: 0,
                });
                return Ok(Decoded::Event {
                    consumed: hlen,
                    event: Event::Header(h),
                });
            }
            if let (Opcode::Close, Some(&[hi, lo])) = (h.opcode, buf.get(hlen..hlen + 2)) {
                // The close code is known before the reason arrives.
                let key = h.mask.unwrap_or_default();
                if !crate::close::is_wire_valid(u16::from_be_bytes([hi ^ key[0], lo ^ key[1]])) {
                    return Err(ProtocolError::InvalidCloseCode);
                }
            }
            return Ok(Decoded::Incomplete {
                needed: total - buf.len(),
            });
        }
        let payload = buf.get_mut(hlen..total).unwrap_or_default();
        if let Some(key) = h.mask {
            unmask_with(&self.config, payload, key, 0);
        }
        let payload: &'b [u8] = payload;
        let event = match kind {
            Some(kind) => {
                self.begin_data(&h, kind);
                if kind == MessageKind::Text {
                    // A single-frame message too: the validator's bulk is `from_utf8`.
                    self.utf8
                        .feed(payload)
                        .map_err(|_| ProtocolError::InvalidUtf8)?;
                    if h.fin {
                        self.utf8.finish().map_err(|_| ProtocolError::InvalidUtf8)?;
                    }
                }
                if h.fin {
                    self.message = None;
                }
                Event::Data {
                    kind,
                    payload,
                    fin_of_frame: true,
                    fin_of_message: h.fin,
                }
            }
            None => match h.opcode {
                Opcode::Ping => Event::Ping(payload),
                Opcode::Pong => Event::Pong(payload),
                Opcode::Close => {
                    let close = parse_close(payload)?;
                    self.close.on_close_received()?;
                    Event::Close(close)
                }
                other => Event::Control {
                    opcode: other.as_u8(),
                    payload,
                },
            },
        };
        Ok(Decoded::Event {
            consumed: total,
            event,
        })
    }
}

/// Validates a close payload: empty, or a wire-valid code plus a UTF-8 reason.
fn parse_close(payload: &[u8]) -> Result<ClosePayload<'_>, ProtocolError> {
    if let [hi, lo, reason @ ..] = payload {
        if !crate::close::is_wire_valid(u16::from_be_bytes([*hi, *lo])) {
            return Err(ProtocolError::InvalidCloseCode);
        }
        if core::str::from_utf8(reason).is_err() {
            return Err(ProtocolError::InvalidUtf8);
        }
    } else if payload.len() == 1 {
        return Err(ProtocolError::ClosePayloadTooShort);
    }
    crate::close::parse_payload(payload).map_err(|_| ProtocolError::InvalidCloseCode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encoder::{write_close, write_close_reply};

    #[test]
    fn close_handshake_through_decoder() {
        // we close first; the peer's close completes the handshake
        let mut dec = Decoder::new(DecoderConfig::client());
        assert_eq!(dec.note_close_sent(), CloseState::CloseSent);
        let mut wire = [0u8; 16];
        let n = write_close(&mut wire, Some(1000), "", None).unwrap();
        let d = dec.decode(&mut wire[..n]).unwrap();
        assert_eq!(
            d,
            Decoded::Event {
                consumed: 4,
                event: Event::Close(ClosePayload {
                    code: Some(1000),
                    reason: ""
                })
            }
        );
        assert_eq!(dec.close_state(), CloseState::Closed);

        // the peer closes first; we must reply with the same code
        let mut dec = Decoder::new(DecoderConfig::server());
        let n = write_close(&mut wire, Some(4403), "no", Some([5, 6, 7, 8])).unwrap();
        let Decoded::Event {
            event: Event::Close(c),
            ..
        } = dec.decode(&mut wire[..n]).unwrap()
        else {
            panic!()
        };
        assert_eq!((c.code, c.reason), (Some(4403), "no"));
        assert_eq!(dec.close_state(), CloseState::CloseReceived);
        let mut reply = [0u8; 8];
        let m = write_close_reply(&mut reply, &c, None).unwrap();
        assert_eq!(&reply[..m], &[0x88, 0x02, 0x11, 0x33]);
        assert_eq!(dec.note_close_sent(), CloseState::Closed);
        assert_eq!(
            dec.decode(&mut [0x89, 0x80, 0, 0, 0, 0]),
            Err(ProtocolError::FrameAfterClose)
        );
    }

    #[test]
    fn streaming_needed_and_empty_buffer() {
        let mut dec = Decoder::new(DecoderConfig::client());
        assert_eq!(
            dec.decode_streaming(&mut []).unwrap(),
            Decoded::Incomplete { needed: 2 }
        );
        let mut b = [0x82, 0x7e, 0x01, 0x00, 1, 2, 3];
        let d = dec.decode_streaming(&mut b).unwrap();
        assert!(
            matches!(d, Decoded::Event { consumed: 4, event: Event::Header(h) } if h.payload_len == 256)
        );
        let d = dec.decode_streaming(&mut b[4..]).unwrap();
        assert_eq!(d.consumed(), 3);
        assert_eq!(
            dec.decode_streaming(&mut []).unwrap(),
            Decoded::Incomplete { needed: 253 }
        );
        assert!(dec.in_message());
        // whole-frame mode on a frame that does not fit says exactly how much is missing
        let mut dec = Decoder::new(DecoderConfig::client());
        assert_eq!(
            dec.decode(&mut b).unwrap(),
            Decoded::Incomplete { needed: 253 }
        );
    }
}
