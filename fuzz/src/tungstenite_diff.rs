//! Target `frame_tungstenite`: wsguard's frame decoder against tungstenite 0.30's
//! protocol reader (`WebSocket::read` over an in-memory stream), message by message.
//!
//! Input: `[flags][bytes on the wire…]`. Flags: bit 0 we are the client (else the
//! server), bit 1 small limits (frame 64, message 160; else 64 KiB / 128 KiB), bit 2
//! lenient length encoding (else wsguard's strict default).
//!
//! Compared: the messages both deliver (text, binary, ping, pong, close with code and
//! reason), in order, and the verdict: failed, or ran out of input.
//!
//! Deliberate differences, tolerated here; the ids are those of FUZZING.md:
//! D2. **Truncated last frame.** wsguard applies every header rule (RSV bits, opcode,
//!    masking, control-frame length, frame and message limits) as soon as the header is
//!    complete; tungstenite reads the whole payload first. When the input ends inside
//!    the frame wsguard refused, tungstenite only sees the end of the input.
//! D3. **Invalid close code.** tungstenite does not fail on a Close with a code that may
//!    not be sent (0–999, 1004–1006, 1015–2999, 5000+): it delivers
//!    `Close(1002, "Protocol violation")` and replies with it. wsguard fails with
//!    `InvalidCloseCode` (close code 1002). Same wire outcome; counted as equal.
//! D4. **Close code 1014** (Bad Gateway, registered with IANA after RFC 6455): valid for
//!    wsguard, "bad" for tungstenite (D3 applies on its side).
//! D5. **Non-minimal length encoding** (e.g. 5 written in the 16-bit form): refused by
//!    wsguard's strict default (RFC 6455 §5.2 "MUST use the minimal number of bytes"),
//!    accepted by tungstenite. With flag bit 2 (lenient) both accept. (A control frame
//!    written with an extended length is refused as `ControlFrameTooLong` in strict mode.)
//! D6. **Frames after the peer's Close.** tungstenite answers the Close and stops reading
//!    (`ConnectionClosed`); wsguard refuses any later frame with `FrameAfterClose`
//!    (RFC 6455 §5.5.1: nothing follows a Close). Compared up to the first Close.

use std::io::{self, Read, Write};
use tungstenite::protocol::{Role as TRole, WebSocket, WebSocketConfig};
use tungstenite::{Error as TError, Message};
use wsguard_core::frame::header::HeaderStatus;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event, FrameHeader, MessageKind, ProtocolError, Role};

/// A delivered message, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Text.
    Text(Vec<u8>),
    /// Binary.
    Binary(Vec<u8>),
    /// Ping.
    Ping(Vec<u8>),
    /// Pong.
    Pong(Vec<u8>),
    /// Close (code, reason).
    Close(Option<(u16, String)>),
}

/// How a side ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Out of input.
    Eof,
    /// Failed (wsguard: error, whether the failing frame was cut by the end of input, and
    /// whether its length was written with more bytes than needed).
    Failed { truncated: bool, nonminimal: bool, error: Option<ProtocolError> },
}

struct Mock<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Read for Mock<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // small reads exercise tungstenite's incremental paths
        let n = buf.len().min(self.input.len() - self.pos).min(7);
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Mock<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn limits(flags: u8) -> (usize, usize) {
    if flags & 2 != 0 {
        (64, 160)
    } else {
        (64 << 10, 128 << 10)
    }
}

fn theirs(flags: u8, wire: &[u8]) -> (Vec<Msg>, End) {
    let (frame, message) = limits(flags);
    let cfg = WebSocketConfig::default().max_frame_size(Some(frame)).max_message_size(Some(message));
    let role = if flags & 1 != 0 { TRole::Client } else { TRole::Server };
    let mut ws = WebSocket::from_raw_socket(Mock { input: wire, pos: 0 }, role, Some(cfg));
    let mut out = Vec::new();
    for _ in 0..=wire.len() + 1 {
        match ws.read() {
            Ok(Message::Text(t)) => out.push(Msg::Text(t.as_bytes().to_vec())),
            Ok(Message::Binary(b)) => out.push(Msg::Binary(b.to_vec())),
            Ok(Message::Ping(p)) => out.push(Msg::Ping(p.to_vec())),
            Ok(Message::Pong(p)) => out.push(Msg::Pong(p.to_vec())),
            Ok(Message::Close(c)) => out.push(Msg::Close(c.map(|c| (u16::from(c.code), c.reason.as_str().to_string())))),
            Ok(Message::Frame(_)) => unreachable!("read() never returns raw frames"),
            Err(TError::ConnectionClosed | TError::AlreadyClosed) => return (out, End::Eof),
            Err(TError::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake)) => {
                return (out, End::Eof)
            }
            Err(TError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return (out, End::Eof),
            Err(_) => return (out, End::Failed { truncated: false, nonminimal: false, error: None }),
        }
    }
    panic!("tungstenite made no progress");
}

fn ours(flags: u8, wire: &[u8]) -> (Vec<Msg>, End) {
    let (frame, message) = limits(flags);
    let role = if flags & 1 != 0 { Role::Client } else { Role::Server };
    let mut cfg = DecoderConfig::new(role).with_max_frame(frame as u64).with_max_message(message as u64);
    if flags & 4 != 0 {
        cfg = cfg.lenient_length();
    }
    let mut dec = Decoder::new(cfg);
    let mut buf = wire.to_vec();
    let mut pos = 0usize;
    let mut out = Vec::new();
    let mut partial: Option<(MessageKind, Vec<u8>)> = None;
    for _ in 0..=wire.len() + 1 {
        match dec.decode(&mut buf[pos..]) {
            Ok(Decoded::Incomplete { .. }) => return (out, End::Eof),
            Ok(Decoded::Event { consumed, event }) => {
                match event {
                    Event::Data { kind, payload, fin_of_message, .. } => {
                        let (k, acc) = partial.get_or_insert_with(|| (kind, Vec::new()));
                        acc.extend_from_slice(payload);
                        if fin_of_message {
                            let bytes = std::mem::take(acc);
                            out.push(match k {
                                MessageKind::Text => Msg::Text(bytes),
                                MessageKind::Binary => Msg::Binary(bytes),
                                MessageKind::Reserved(_) => unreachable!("no reserved opcodes allowed"),
                            });
                            partial = None;
                        }
                    }
                    Event::Ping(p) => out.push(Msg::Ping(p.to_vec())),
                    Event::Pong(p) => out.push(Msg::Pong(p.to_vec())),
                    Event::Close(c) => out.push(Msg::Close(c.code.map(|code| (code, c.reason.to_string())))),
                    Event::Header(_) | Event::Control { .. } => unreachable!("whole-frame mode, no reserved opcodes"),
                }
                pos += consumed;
            }
            Err(e) => {
                let (truncated, nonminimal) = match FrameHeader::parse(&wire[pos..], false) {
                    Ok(HeaderStatus::Complete(h)) => {
                        let ext = usize::from(h.header_len) - 2 - if h.mask.is_some() { 4 } else { 0 };
                        let n = h.payload_len;
                        (
                            u64::from(h.header_len).saturating_add(n) > (wire.len() - pos) as u64,
                            (ext == 2 && n < 126) || (ext == 8 && n <= 0xFFFF),
                        )
                    }
                    _ => (true, false),
                };
                return (out, End::Failed { truncated, nonminimal, error: Some(e) });
            }
        }
    }
    panic!("the decoder made no progress");
}

fn is_protocol_violation_close(m: &Msg) -> bool {
    matches!(m, Msg::Close(Some((1002, r))) if r == "Protocol violation")
}

/// The target body.
pub fn fuzz_frame_tungstenite(data: &[u8]) {
    let [flags, wire @ ..] = data else { return };
    let (mut a, mut a_end) = ours(*flags, wire);
    let (mut b, mut b_end) = theirs(*flags, wire);

    // D4: 1014 is valid for us, tungstenite turns it into a protocol-violation close
    let k = a.len().min(b.len());
    for i in 0..k {
        if matches!(&a[i], Msg::Close(Some((1014, _)))) && is_protocol_violation_close(&b[i]) {
            a.truncate(i);
            b.truncate(i);
            a_end = End::Eof;
            b_end = End::Eof;
            break;
        }
    }
    // D3: tungstenite delivers Close(1002) where we fail with InvalidCloseCode
    if let End::Failed { error: Some(ProtocolError::InvalidCloseCode), .. } = a_end {
        if b.len() > a.len() && is_protocol_violation_close(&b[a.len()]) {
            b.truncate(a.len());
            b_end = End::Failed { truncated: false, nonminimal: false, error: None };
        }
    }
    // D5: non-minimal length, refused in strict mode only (as NonMinimalLength,
    // or as ControlFrameTooLong for a control frame written with an extended length)
    if let End::Failed { nonminimal: true, .. } = a_end {
        if flags & 4 == 0 && b.len() >= a.len() {
            b.truncate(a.len());
            b_end = End::Failed { truncated: false, nonminimal: false, error: None };
        }
    }
    // D6: after the peer's Close, tungstenite answers and stops reading; wsguard
    // refuses any further frame (FrameAfterClose). Compare up to the first Close only.
    if let Some(i) = a.iter().position(|m| matches!(m, Msg::Close(_))) {
        if b.len() > i && b[..=i] == a[..=i] {
            a.truncate(i + 1);
            b.truncate(i + 1);
            a_end = End::Eof;
            b_end = End::Eof;
        }
    }
    assert_eq!(a, b, "messages differ (ours {a_end:?}, tungstenite {b_end:?})");
    match (a_end, b_end) {
        (End::Eof, End::Eof) | (End::Failed { .. }, End::Failed { .. }) => {}
        // D2: we refuse a frame from its header; tungstenite waits for the payload
        (End::Failed { truncated: true, .. }, End::Eof) => {}
        (x, y) => panic!("verdicts differ: ours {x:?}, tungstenite {y:?}"),
    }
}
