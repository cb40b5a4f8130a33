//! Target `connection`: the sans-IO [`wsguard_core::connection::Connection`] in either
//! role, fed in arbitrary chunks with a message buffer of arbitrary size, differential
//! against the frame decoder's whole-delivery run ([`crate::frames::run_whole`], itself
//! checked against an independent oracle by `frame_server`/`frame_client`).
//!
//! Input: `[config byte][chunk seed][message buffer size][bytes on the wire…]`.
//! Config bit 0 picks the role (0 server, 1 client); bits 1–6 as in [`crate::frames`].
//!
//! Checked on every input:
//! * the messages (whole, or pieces joined), pings, pongs, Close and reserved control
//!   frames come out in the order and with the bytes the decoder sees, up to the first
//!   Close (after it the connection reads no more);
//! * every piece sequence starts with `first` and ends with `last`, and no message is
//!   larger than the message buffer unless it came in pieces;
//! * every ping is answered by a pong with its payload (until a Close), decoded by the
//!   other role;
//! * a decoder failure ends the connection with `Ending::Failed` of the same error, and
//!   the queued Close carries `close_code()`; a Close ends it with its code;
//! * deliberate difference D1 of [`crate::frames`] (streaming sees bad UTF-8 early).

use crate::frames::{config_from, run_whole, End, Ev};
use crate::util::chunk_ends;
use wsguard_core::connection::{Config, Connection, Ending, Error, Event, MAX_CONTROL_FRAME};
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event as FrameEvent, MessageKind, ProtocolError, Role};

/// What the connection delivered, owned (messages joined).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Message(MessageKind, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
    Control(u8, Vec<u8>),
}

/// The decoder's events, messages joined, cut after the first Close.
fn expected(events: &[Ev]) -> Vec<Out> {
    let mut out = Vec::new();
    let mut cur: Option<(MessageKind, Vec<u8>)> = None;
    for ev in events {
        match ev {
            Ev::Data { kind, payload, fin_of_message } => {
                let m = cur.get_or_insert_with(|| (*kind, Vec::new()));
                m.1.extend_from_slice(payload);
                if *fin_of_message {
                    let (k, d) = cur.take().unwrap_or((*kind, Vec::new()));
                    out.push(Out::Message(k, d));
                }
            }
            Ev::Ping(p) => out.push(Out::Ping(p.clone())),
            Ev::Pong(p) => out.push(Out::Pong(p.clone())),
            Ev::Control(o, p) => out.push(Out::Control(*o, p.clone())),
            Ev::Close(c, r) => {
                out.push(Out::Close(*c, r.clone()));
                break;
            }
        }
    }
    out
}

/// Decodes what `poll_transmit` wrote with the other role's decoder: (opcode, payload).
fn sent_frame(role: Role, wire: &mut [u8]) -> (u8, Vec<u8>) {
    let other = match role {
        Role::Server => DecoderConfig::client(),
        Role::Client => DecoderConfig::server(),
    };
    let len = wire.len();
    match Decoder::new(other).decode(wire) {
        Ok(Decoded::Event { consumed, event }) => {
            assert_eq!(consumed, len, "poll_transmit wrote more than one frame");
            match event {
                FrameEvent::Pong(p) => (0xA, p.to_vec()),
                FrameEvent::Close(c) => (0x8, c.code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default()),
                other => panic!("unexpected frame from poll_transmit: {other:?}"),
            }
        }
        other => panic!("poll_transmit wrote no valid frame: {other:?}"),
    }
}

/// The target body.
pub fn fuzz_connection(data: &[u8]) {
    let [bits, seed, cap, wire @ ..] = data else { return };
    let role = if bits & 1 == 0 { Role::Server } else { Role::Client };
    let dcfg = config_from(role, *bits);
    let oracle = run_whole(dcfg, false, wire);
    let want = expected(&oracle.events);
    let closed_in_oracle = want.iter().any(|o| matches!(o, Out::Close(..)));

    let mut conn = Connection::new(Config::new(role).with_decoder(dcfg).with_mask_seed(u64::from(*seed)), 0);
    let mut msg = vec![0u8; usize::from(*cap)];
    let mut buf: Vec<u8> = Vec::new();
    let mut got = Vec::new();
    let mut piece: Option<(MessageKind, Vec<u8>)> = None;
    let mut failed: Option<ProtocolError> = None;
    let mut prev = 0usize;
    'feed: for end in chunk_ends(*seed, wire.len()) {
        buf.extend_from_slice(&wire[prev..end]);
        prev = end;
        for _ in 0..=buf.len() + 2 {
            let r = match conn.handle_input(0, &mut buf, &mut msg) {
                Ok(r) => r,
                Err(Error::Protocol(e)) => {
                    failed = Some(e);
                    break 'feed;
                }
                Err(e) => panic!("handle_input failed with {e:?} before the end"),
            };
            let (consumed, more) = (r.consumed, r.event.is_some());
            let mut ping = None;
            match r.event {
                Some(Event::Message { kind, data }) => {
                    assert!(piece.is_none(), "a message arrived inside a streamed one");
                    got.push(Out::Message(kind, data.to_vec()));
                }
                Some(Event::Piece { kind, data, first, last }) => {
                    assert_eq!(first, piece.is_none(), "piece `first` flag out of order");
                    let p = piece.get_or_insert_with(|| (kind, Vec::new()));
                    assert_eq!(p.0, kind, "piece kind changed inside a message");
                    p.1.extend_from_slice(data);
                    if last {
                        let (k, d) = piece.take().unwrap_or((kind, Vec::new()));
                        got.push(Out::Message(k, d));
                    }
                }
                Some(Event::Ping(p)) => {
                    got.push(Out::Ping(p.to_vec()));
                    ping = Some(p.to_vec());
                }
                Some(Event::Pong { payload, .. }) => got.push(Out::Pong(payload.to_vec())),
                Some(Event::Close(c)) => got.push(Out::Close(c.code, c.reason.to_string())),
                Some(Event::Control { opcode, payload }) => got.push(Out::Control(opcode, payload.to_vec())),
                None => {}
            }
            assert!(consumed <= buf.len(), "consumed more than the input");
            buf.drain(..consumed);
            if let Some(p) = ping {
                let mut out = [0u8; MAX_CONTROL_FRAME];
                let n = conn.poll_transmit(&mut out).expect("room").expect("a ping leaves a pong to send");
                assert_eq!(sent_frame(role, &mut out[..n]), (0xA, p), "the pong does not echo the ping");
            }
            if conn.ending().is_some() {
                break 'feed;
            }
            if !more {
                break;
            }
        }
    }
    match failed {
        Some(e) => {
            let early_utf8 = e == ProtocolError::InvalidUtf8 && oracle.end == End::Incomplete;
            assert!(early_utf8 || oracle.end == End::Error(e), "connection failed with {e:?}, decoder ended {:?}", oracle.end);
            assert!(!closed_in_oracle, "connection failed after the decoder saw a Close");
            assert_eq!(conn.ending(), Some(Ending::Failed(e)));
            let mut out = [0u8; MAX_CONTROL_FRAME];
            let n = conn.poll_transmit(&mut out).expect("room").expect("a failure queues a Close");
            let (op, code) = sent_frame(role, &mut out[..n]);
            assert_eq!((op, code), (0x8, e.close_code().to_be_bytes().to_vec()), "the Close does not carry the error's code");
            assert!(conn.is_finished());
            assert_eq!(&got[..], &want[..got.len().min(want.len())], "events before the failure differ");
        }
        None => {
            assert_eq!(got, want, "connection events differ from the decoder's");
            if let Some(Out::Close(code, _)) = want.last() {
                let code = code.unwrap_or(1005);
                assert!(matches!(conn.ending(), Some(Ending::Closed { code: c, by_peer: true }) if c == code));
            } else {
                assert_eq!(conn.ending(), None);
                assert!(!matches!(oracle.end, End::Error(_)), "decoder failed, connection did not");
            }
        }
    }
}
