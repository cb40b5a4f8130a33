//! Targets `frame_server` and `frame_client`: the streaming frame decoder in each role,
//! with the input delivered whole and in arbitrary chunks.
//!
//! Input: `[config byte][chunk seed][bytes on the wire…]`.
//! Config bits: 0 streaming (`decode_streaming`) for the chunked run, 1 lenient length,
//! 2 RSV1 allowed, 3 opcodes 0x3 and 0xB allowed, 4 small limits (frame 64, message 160),
//! 5 text refused, 6 binary refused, 7 we sent Close first.
//! The chunk seed picks the chunk sizes ([`chunk_ends`]): 0 = byte by byte, 255 = whole.
//!
//! Checked on every input:
//! * whole delivery (`decode` over the whole buffer) against an oracle per frame: the
//!   bytes consumed are exactly header + payload, the payload is the original bytes
//!   unmasked with the header's key (computed here independently), every complete text
//!   message is valid UTF-8, every Close carries what `close::parse_payload` says, and
//!   `Incomplete { needed }` is exactly what the frame lacks;
//! * errors are sticky (`decode` after an error returns the same error) and carry a
//!   complete `Diagnostic`;
//! * chunked delivery (`decode` or `decode_streaming`, the buffer growing chunk by chunk
//!   and consumed bytes removed) yields the same frame-level events and the same final
//!   verdict as whole delivery, and `decode` never reports progress before `needed`
//!   bytes arrived;
//! * `decode_streaming` over the whole buffer equals `decode`.
//!
//! Deliberate difference D1 (FUZZING.md): when the input ends inside a text
//! frame, `decode_streaming` may already have seen the invalid UTF-8 in the partial
//! payload and fails with `InvalidUtf8`, while whole-frame `decode` is still waiting for
//! the rest of the frame (`Incomplete`). Early detection is the documented behaviour of
//! the streaming mode.

use crate::util::{check_diagnostic, chunk_ends};
use wsguard_core::close::parse_payload;
use wsguard_core::frame::header::{HeaderStatus, RSV1};
use wsguard_core::frame::{
    Decoded, Decoder, DecoderConfig, Event, FrameHeader, MessageKind, ProtocolError, Role,
};

/// One frame-level event, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    /// A whole data frame (streamed chunks joined).
    Data {
        /// Message type.
        kind: MessageKind,
        /// Unmasked payload.
        payload: Vec<u8>,
        /// Last frame of the message.
        fin_of_message: bool,
    },
    /// Ping payload.
    Ping(Vec<u8>),
    /// Pong payload.
    Pong(Vec<u8>),
    /// Close code and reason.
    Close(Option<u16>, String),
    /// Allowed reserved control opcode.
    Control(u8, Vec<u8>),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Waiting for more bytes.
    Incomplete,
    /// Failed.
    Error(ProtocolError),
}

/// The result of one run: events in order and the final verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Events.
    pub events: Vec<Ev>,
    /// Verdict.
    pub end: End,
}

/// Decoder settings from the config byte.
pub fn config_from(role: Role, bits: u8) -> DecoderConfig {
    let mut c = DecoderConfig::new(role);
    if bits & 2 != 0 {
        c = c.lenient_length();
    }
    if bits & 4 != 0 {
        c = c.with_allowed_rsv(RSV1);
    }
    if bits & 8 != 0 {
        c = c.with_allowed_opcodes((1 << 3) | (1 << 11));
    }
    if bits & 16 != 0 {
        c = c.with_max_frame(64).with_max_message(160);
    }
    c.with_accepted(bits & 32 == 0, bits & 64 == 0)
}

fn new_decoder(cfg: DecoderConfig, close_first: bool) -> Decoder {
    let mut d = Decoder::new(cfg);
    if close_first {
        d.note_close_sent();
    }
    d
}

fn own(event: &Event<'_>) -> Ev {
    match *event {
        Event::Data { kind, payload, fin_of_message, .. } => {
            Ev::Data { kind, payload: payload.to_vec(), fin_of_message }
        }
        Event::Ping(p) => Ev::Ping(p.to_vec()),
        Event::Pong(p) => Ev::Pong(p.to_vec()),
        Event::Close(c) => Ev::Close(c.code, c.reason.to_string()),
        Event::Control { opcode, payload } => Ev::Control(opcode, payload.to_vec()),
        Event::Header(_) => unreachable!("headers are handled by the caller"),
    }
}

fn fail(dec: &mut Decoder, buf: &mut [u8], e: ProtocolError) -> End {
    check_diagnostic(&e);
    assert!((1000..=1011).contains(&e.close_code()), "{e:?} answers with close code {}", e.close_code());
    assert_eq!(dec.error(), Some(e), "error() does not report the failure");
    assert_eq!(dec.decode(buf), Err(e), "the decoder did not stay failed");
    assert_eq!(dec.decode_streaming(&mut []), Err(e), "the decoder did not stay failed");
    End::Error(e)
}

/// Whole delivery with `decode`, checked frame by frame against the oracle.
pub fn run_whole(cfg: DecoderConfig, close_first: bool, data: &[u8]) -> Run {
    let mut buf = data.to_vec();
    let mut dec = new_decoder(cfg, close_first);
    let mut events = Vec::new();
    let mut text: Option<Vec<u8>> = None;
    let mut pos = 0usize;
    for _ in 0..=data.len() + 1 {
        let orig = &data[pos..];
        let base = buf[pos..].as_ptr() as usize;
        match dec.decode(&mut buf[pos..]) {
            Ok(Decoded::Incomplete { needed }) => {
                assert!(needed > 0, "Incomplete {{ needed: 0 }}");
                match FrameHeader::parse(orig, cfg.strict_length) {
                    Ok(HeaderStatus::Complete(h)) => {
                        let total = u64::from(h.header_len).saturating_add(h.payload_len);
                        let want = usize::try_from(total - orig.len() as u64).unwrap_or(usize::MAX);
                        assert_eq!(needed, want, "needed is not what the frame lacks");
                    }
                    Ok(HeaderStatus::Incomplete { needed: n }) => assert_eq!(needed, n),
                    Err(e) => panic!("decode said Incomplete, header parse says {e:?}"),
                }
                return Run { events, end: End::Incomplete };
            }
            Ok(Decoded::Event { consumed, event }) => {
                let HeaderStatus::Complete(h) = FrameHeader::parse(orig, false).expect("header of a decoded frame")
                else {
                    panic!("decoded a frame whose header is incomplete")
                };
                let hlen = usize::from(h.header_len);
                let total = hlen + h.payload_len as usize;
                assert_eq!(consumed, total, "consumed is not header + payload");
                let mut want: Vec<u8> = orig[hlen..total].to_vec();
                if let Some(k) = h.mask {
                    for (i, b) in want.iter_mut().enumerate() {
                        *b ^= k[i % 4];
                    }
                }
                let payload = match event {
                    Event::Data { payload, .. } | Event::Ping(payload) | Event::Pong(payload) => Some(payload),
                    Event::Control { payload, .. } => Some(payload),
                    Event::Close(_) | Event::Header(_) => None,
                };
                if let Some(p) = payload {
                    assert_eq!(p.as_ptr() as usize - base, hlen, "payload does not start after the header");
                    assert_eq!(p, &want[..], "payload is not the unmasked frame payload");
                }
                if let Event::Close(c) = event {
                    assert_eq!(Ok(c), parse_payload(&want), "Close event differs from parse_payload");
                    assert!(c.code.is_none_or(wsguard_core::close::is_wire_valid));
                }
                let ev = own(&event);
                if let Ev::Data { kind, payload, fin_of_message } = &ev {
                    if *kind == MessageKind::Text || text.is_some() {
                        let t = text.get_or_insert_with(Vec::new);
                        t.extend_from_slice(payload);
                        if *fin_of_message {
                            assert!(std::str::from_utf8(t).is_ok(), "a text message that is not UTF-8 was accepted");
                            text = None;
                        }
                    }
                    assert!(payload.len() as u64 <= cfg.max_frame, "a frame above max_frame was accepted");
                }
                if let Ev::Ping(p) | Ev::Pong(p) | Ev::Control(_, p) = &ev {
                    assert!(p.len() <= 125, "control frame above 125 bytes accepted");
                }
                events.push(ev);
                pos += consumed;
            }
            Err(e) => {
                let end = fail(&mut dec, &mut buf[pos..], e);
                return Run { events, end };
            }
        }
    }
    panic!("the decoder made no progress");
}

/// Chunked delivery: the buffer grows chunk by chunk; consumed bytes are removed.
pub fn run_chunked(cfg: DecoderConfig, close_first: bool, streaming: bool, seed: u8, data: &[u8]) -> Run {
    let mut dec = new_decoder(cfg, close_first);
    let mut events = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut delivered = 0usize;
    // streamed frame in progress: (kind, joined payload, announced length, fin)
    let mut cur: Option<(Option<MessageKind>, Vec<u8>, u64)> = None;
    // decode mode: no progress may happen before this many bytes are buffered
    let mut wait_until = 0usize;
    for end in chunk_ends(seed, data.len()) {
        pending.extend_from_slice(&data[delivered..end]);
        delivered = end;
        let mut guard = 0usize;
        loop {
            guard += 1;
            assert!(guard <= data.len() + 2, "the decoder made no progress");
            let before = pending.len();
            let r = if streaming {
                dec.decode_streaming(&mut pending)
            } else {
                dec.decode(&mut pending)
            };
            match r {
                Ok(Decoded::Incomplete { needed }) => {
                    assert!(needed > 0, "Incomplete {{ needed: 0 }}");
                    if !streaming {
                        wait_until = before.saturating_add(needed);
                    }
                    break;
                }
                Ok(Decoded::Event { consumed, event }) => {
                    assert!(consumed > 0 && consumed <= before, "consumed {consumed} of {before}");
                    if !streaming {
                        assert!(before >= wait_until, "progress before the `needed` bytes arrived");
                    }
                    match event {
                        Event::Header(h) => {
                            assert!(streaming && cur.is_none(), "unexpected Header event");
                            assert!(!h.opcode.is_control(), "a control frame was streamed");
                            cur = Some((None, Vec::new(), h.payload_len));
                        }
                        Event::Data { kind, payload, fin_of_frame, fin_of_message } => match cur.as_mut() {
                            Some((k, acc, len)) => {
                                assert!(k.is_none_or(|k| k == kind), "kind changed inside a frame");
                                *k = Some(kind);
                                acc.extend_from_slice(payload);
                                assert!(acc.len() as u64 <= *len, "more payload than the header announced");
                                assert_eq!(fin_of_frame, acc.len() as u64 == *len, "fin_of_frame is wrong");
                                if fin_of_frame {
                                    events.push(Ev::Data { kind, payload: std::mem::take(acc), fin_of_message });
                                    cur = None;
                                } else {
                                    assert!(!fin_of_message);
                                }
                            }
                            None => {
                                assert!(fin_of_frame, "a partial frame without a Header event");
                                events.push(own(&event));
                            }
                        },
                        other => {
                            assert!(cur.is_none(), "a control event inside a streamed frame");
                            events.push(own(&other));
                        }
                    }
                    pending.drain(..consumed);
                    wait_until = 0;
                }
                Err(e) => {
                    let end = fail(&mut dec, &mut pending, e);
                    return Run { events, end };
                }
            }
        }
    }
    Run { events, end: End::Incomplete }
}

fn fuzz_role(role: Role, data: &[u8]) {
    let [bits, seed, wire @ ..] = data else { return };
    let cfg = config_from(role, *bits);
    let close_first = bits & 128 != 0;
    let streaming = bits & 1 != 0;
    let whole = run_whole(cfg, close_first, wire);
    let all_at_once = run_chunked(cfg, close_first, true, 255, wire);
    assert_same(&whole, &all_at_once, true, 255);
    let chunked = run_chunked(cfg, close_first, streaming, *seed, wire);
    assert_same(&whole, &chunked, streaming, *seed);
}

fn assert_same(whole: &Run, chunked: &Run, streaming: bool, seed: u8) {
    if chunked != whole {
        // the one tolerated difference: early UTF-8 failure inside the unfinished last frame
        let tolerated = streaming
            && whole.end == End::Incomplete
            && chunked.end == End::Error(ProtocolError::InvalidUtf8)
            && chunked.events == whole.events;
        assert!(tolerated, "chunked delivery (streaming={streaming}, seed={seed}) differs:\nwhole:   {whole:?}\nchunked: {chunked:?}");
    }
}

/// Target `frame_server`: the decoder of a server (masked input required).
pub fn fuzz_frame_server(data: &[u8]) {
    fuzz_role(Role::Server, data);
}

/// Target `frame_client`: the decoder of a client (unmasked input required).
pub fn fuzz_frame_client(data: &[u8]) {
    fuzz_role(Role::Client, data);
}
