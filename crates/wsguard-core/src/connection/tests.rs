use super::*;
use crate::frame::encoder::write_frame;
use crate::frame::{DecoderConfig, ProtocolError};
use crate::heartbeat::HeartbeatConfig;
use std::vec::Vec;

const KEY: Option<[u8; 4]> = Some([0x11, 0x22, 0x33, 0x44]);

fn frame(fin: bool, op: Opcode, payload: &[u8], key: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = std::vec![0u8; payload.len() + 14];
    let n = write_frame(&mut out, fin, op, payload, key).unwrap();
    out.truncate(n);
    out
}

fn server() -> Connection {
    Connection::new(Config::new(Role::Server), 0)
}

fn transmit(c: &mut Connection) -> Vec<u8> {
    let mut out = [0u8; MAX_CONTROL_FRAME];
    match c.poll_transmit(&mut out).unwrap() {
        Some(n) => out[..n].to_vec(),
        None => Vec::new(),
    }
}

/// What a masked frame from `transmit` carries, decoded by the other role.
fn decode_as_server(wire: &mut [u8]) -> (usize, Vec<u8>) {
    let mut d = Decoder::new(DecoderConfig::server());
    match d.decode(wire).unwrap() {
        Decoded::Event {
            consumed,
            event: FrameEvent::Close(c),
        } => {
            let mut p = Vec::new();
            if let Some(code) = c.code {
                p.extend_from_slice(&code.to_be_bytes());
            }
            p.extend_from_slice(c.reason.as_bytes());
            (consumed, p)
        }
        Decoded::Event {
            consumed,
            event: FrameEvent::Ping(p) | FrameEvent::Pong(p),
        } => (consumed, p.to_vec()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ping_is_answered_and_whole_frame_is_zero_copy() {
    let mut c = server();
    let mut wire = frame(true, Opcode::Ping, b"abc", KEY);
    let n = wire.len();
    let got = c.handle_input(0, &mut wire, &mut []).unwrap();
    assert_eq!(
        got,
        Input {
            consumed: n,
            event: Some(Event::Ping(b"abc"))
        }
    );
    assert!(c.wants_transmit());
    assert_eq!(transmit(&mut c), b"\x8a\x03abc");
    assert!(!c.wants_transmit());
    let mut wire = frame(true, Opcode::Binary, b"xyz", KEY);
    let got = c.handle_input(0, &mut wire, &mut []).unwrap();
    assert_eq!(
        got.event,
        Some(Event::Message {
            kind: MessageKind::Binary,
            data: b"xyz"
        })
    );
    // Zero-copy: the data lies in the input, after the 6-byte header.
    assert_eq!(&wire[6..], b"xyz");
}

#[test]
fn only_the_latest_ping_is_answered() {
    let mut c = server();
    let mut wire = frame(true, Opcode::Ping, b"1", KEY);
    wire.extend(frame(true, Opcode::Ping, b"2", KEY));
    let a = c.handle_input(0, &mut wire, &mut []).unwrap().consumed;
    c.handle_input(0, &mut wire[a..], &mut []).unwrap();
    assert_eq!(transmit(&mut c), b"\x8a\x012");
    assert_eq!(transmit(&mut c), b"");
}

#[test]
fn fragments_are_reassembled_in_the_message_buffer() {
    let mut c = server();
    let mut wire = frame(false, Opcode::Text, b"Hel", KEY);
    wire.extend(frame(true, Opcode::Continuation, b"lo", KEY));
    let mut msg = [0u8; 8];
    let total = wire.len();
    let first = c.handle_input(0, &mut wire, &mut msg).unwrap();
    assert_eq!(
        first,
        Input {
            consumed: total,
            event: Some(Event::Message {
                kind: MessageKind::Text,
                data: b"Hello"
            })
        }
    );
}

#[test]
fn a_message_larger_than_the_buffer_streams_in_pieces() {
    let mut c = server();
    let mut wire = frame(false, Opcode::Binary, b"abc", KEY);
    let a = wire.len();
    wire.extend(frame(true, Opcode::Continuation, b"defg", KEY));
    let mut msg = [0u8; 4];
    // "abc" fits and is assembled; the next frame would overflow: "abc" leaves first.
    let got = c.handle_input(0, &mut wire, &mut msg).unwrap();
    assert_eq!(
        got,
        Input {
            consumed: a,
            event: Some(Event::Piece {
                kind: MessageKind::Binary,
                data: b"abc",
                first: true,
                last: false
            })
        }
    );
    let got = c.handle_input(0, &mut wire[a..], &mut msg).unwrap();
    assert_eq!(
        got.event,
        Some(Event::Piece {
            kind: MessageKind::Binary,
            data: b"defg",
            first: false,
            last: true
        })
    );
    assert_eq!(got.consumed, wire.len() - a);
}

#[test]
fn a_frame_announced_larger_than_the_buffer_streams_as_it_arrives() {
    let mut c = server();
    let mut wire = frame(true, Opcode::Binary, &[9u8; 300], KEY);
    let mut msg = [0u8; 16];
    // Header (8 bytes: 126 length + mask) alone: consumed, nothing to report.
    let got = c.handle_input(0, &mut wire[..8], &mut msg).unwrap();
    assert_eq!((got.consumed, got.event), (8, None));
    let got = c.handle_input(0, &mut wire[8..18], &mut msg).unwrap();
    assert_eq!(
        got,
        Input {
            consumed: 10,
            event: Some(Event::Piece {
                kind: MessageKind::Binary,
                data: &[9; 10],
                first: true,
                last: false
            })
        }
    );
    let got = c.handle_input(0, &mut wire[18..], &mut msg).unwrap();
    assert_eq!(
        got.event,
        Some(Event::Piece {
            kind: MessageKind::Binary,
            data: &[9; 290],
            first: false,
            last: true
        })
    );
}

#[test]
fn peer_close_is_echoed_and_ends_the_connection() {
    let mut c = Connection::new(Config::new(Role::Client).with_mask_seed(42), 0);
    let mut wire = *b"\x88\x06\x03\xe9gone";
    let got = c.handle_input(7, &mut wire, &mut []).unwrap();
    assert_eq!(
        got.event,
        Some(Event::Close(ClosePayload {
            code: Some(1001),
            reason: "gone"
        }))
    );
    assert_eq!(
        c.ending(),
        Some(Ending::Closed {
            code: 1001,
            by_peer: true
        })
    );
    assert_eq!(c.close_reason(), "gone");
    assert_eq!(c.ending().unwrap().info().name(), Some("going_away"));
    assert!(!c.is_finished());
    let mut reply = transmit(&mut c);
    assert_eq!(reply.len(), 8); // masked, code only
    assert_eq!(decode_as_server(&mut reply), (8, std::vec![0x03, 0xe9]));
    assert!(c.is_finished());
    assert_eq!(
        c.handle_input(8, &mut [0x81, 0], &mut []),
        Err(Error::Closed)
    );
    assert_eq!(
        c.send(MessageKind::Text, b"x", &mut [0u8; 16]),
        Err(Error::Closed)
    );
}

#[test]
fn local_close_waits_for_the_reply_then_times_out_or_ends() {
    let mut c = server();
    c.close(100, 1000, "done").unwrap();
    assert_eq!(transmit(&mut c), b"\x88\x06\x03\xe8done");
    assert_eq!(
        c.send(MessageKind::Text, b"x", &mut [0u8; 16]),
        Err(Error::Closed)
    );
    assert_eq!(c.poll_timeout(), Some(5_100));
    // Data may still arrive before the reply.
    let mut wire = frame(true, Opcode::Text, b"late", KEY);
    wire.extend(frame(true, Opcode::Close, b"\x03\xe8", KEY));
    let a = c.handle_input(200, &mut wire, &mut []).unwrap();
    assert_eq!(
        a.event,
        Some(Event::Message {
            kind: MessageKind::Text,
            data: b"late"
        })
    );
    let consumed = a.consumed;
    let b = c.handle_input(200, &mut wire[consumed..], &mut []).unwrap();
    assert_eq!(
        b.event,
        Some(Event::Close(ClosePayload {
            code: Some(1000),
            reason: ""
        }))
    );
    assert_eq!(
        c.ending(),
        Some(Ending::Closed {
            code: 1000,
            by_peer: false
        })
    );
    assert!(c.is_finished());
    assert_eq!(transmit(&mut c), b"");

    let mut t = server();
    t.close(0, 1001, "").unwrap();
    let _ = transmit(&mut t);
    t.handle_timeout(4_999);
    assert_eq!(t.ending(), None);
    t.handle_timeout(5_000);
    assert_eq!(t.ending(), Some(Ending::CloseTimeout));
    assert_eq!(t.poll_timeout(), None);
    assert_eq!(
        server().close(0, 1005, ""),
        Err(Error::InvalidCloseCode(1005))
    );
}

#[test]
fn violations_queue_the_close_the_core_prescribes() {
    let mut c = server();
    let mut wire = frame(true, Opcode::Text, b"hi", None);
    assert_eq!(
        c.handle_input(0, &mut wire, &mut []),
        Err(Error::Protocol(ProtocolError::UnmaskedFrame))
    );
    let mut expected = std::vec![0x88, 28, 0x03, 0xea];
    expected.extend_from_slice(b"frame_unmasked_from_client");
    assert_eq!(transmit(&mut c), expected);
    assert_eq!(
        c.ending(),
        Some(Ending::Failed(ProtocolError::UnmaskedFrame))
    );
    assert_eq!(c.ending().unwrap().code(), 1002);
    assert!(c.is_finished());

    let mut c = Connection::new(Config::new(Role::Server).with_max_message(3), 0);
    let mut wire = frame(true, Opcode::Binary, b"four", KEY);
    assert_eq!(
        c.handle_input(0, &mut wire, &mut []),
        Err(Error::Protocol(ProtocolError::MessageTooBig))
    );
    assert_eq!(&transmit(&mut c)[..4], b"\x88\x17\x03\xf1");

    let mut c = server();
    let mut wire = frame(true, Opcode::Text, b"\xff", KEY);
    assert_eq!(
        c.handle_input(0, &mut wire, &mut []),
        Err(Error::Protocol(ProtocolError::InvalidUtf8))
    );
    assert_eq!(c.ending().unwrap().code(), 1007);
}

#[test]
fn heartbeat_pings_measures_rtt_and_declares_death() {
    let hb = HeartbeatConfig::new(1_000, 3_000, 2).unwrap();
    let mut c = Connection::new(Config::new(Role::Server).with_heartbeat(hb), 0);
    assert_eq!(c.poll_timeout(), Some(1_000));
    c.handle_timeout(999);
    assert!(!c.wants_transmit());
    c.handle_timeout(1_000);
    assert_eq!(transmit(&mut c), b"\x89\x08\0\0\0\0\0\0\0\x01");
    assert_eq!(c.poll_timeout(), Some(2_000));
    let mut pong = frame(true, Opcode::Pong, &1u64.to_be_bytes(), KEY);
    let got = c.handle_input(1_040, &mut pong, &mut []).unwrap();
    assert_eq!(
        got.event,
        Some(Event::Pong {
            payload: &1u64.to_be_bytes(),
            rtt_ms: Some(40)
        })
    );
    assert_eq!(c.heartbeat().unwrap().last_rtt_ms(), Some(40));
    // Silence from now on: pings at 2 040 and 3 040, dead at 4 040 (3 s after the pong).
    c.handle_timeout(2_040);
    assert_eq!(transmit(&mut c).len(), 10);
    c.handle_timeout(3_040);
    assert_eq!(transmit(&mut c).len(), 10);
    c.handle_timeout(4_040);
    assert!(matches!(c.ending(), Some(Ending::PeerDead(_))));
    assert_eq!(c.ending().unwrap().code(), 1006);
    assert_eq!(c.poll_timeout(), None);
    assert!(c.is_finished());
}

#[test]
fn eof_before_close_is_lost() {
    let mut c = server();
    c.handle_eof(3);
    assert_eq!(c.ending(), Some(Ending::Lost));
    assert_eq!(c.handle_input(4, &mut [], &mut []), Err(Error::Closed));
}

#[test]
fn client_frames_are_masked_and_fragments_checked() {
    let mut c = Connection::new(Config::new(Role::Client).with_mask_seed(9), 0);
    let mut out = [0u8; 32];
    let n = c
        .send_fragment(MessageKind::Text, b"ab", false, &mut out)
        .unwrap();
    assert_eq!((n, out[0], out[1]), (8, 0x01, 0x82));
    let mut d = Decoder::new(DecoderConfig::server());
    assert!(matches!(
        d.decode(&mut out[..n]).unwrap(),
        Decoded::Event {
            event: FrameEvent::Data { payload: b"ab", .. },
            ..
        }
    ));
    assert_eq!(
        c.send(MessageKind::Text, b"x", &mut out),
        Err(Error::MessageInProgress)
    );
    assert_eq!(
        c.send_fragment(MessageKind::Binary, b"x", true, &mut out),
        Err(Error::MessageInProgress)
    );
    let n = c
        .send_fragment(MessageKind::Text, b"c", true, &mut out)
        .unwrap();
    assert!(matches!(
        d.decode(&mut out[..n]).unwrap(),
        Decoded::Event {
            event: FrameEvent::Data {
                payload: b"c",
                fin_of_message: true,
                ..
            },
            ..
        }
    ));
    assert_eq!(
        c.send(MessageKind::Binary, &[0; 40], &mut out),
        Err(Error::BufferTooSmall(BufferTooSmall { needed: 46 }))
    );
}

/// xorshift64* for reproducible random cases.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n.max(1)) as usize
    }
}

/// Property: whatever the chunking of the input and the size of the message buffer,
/// every message comes out whole and in order (pieces concatenated), every ping is seen
/// and the peer's Close ends the connection.
#[test]
fn any_chunking_and_any_message_buffer_give_the_same_messages() {
    for seed in 1..400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut wire = Vec::new();
        let mut sent: Vec<Vec<u8>> = Vec::new();
        let mut pings = 0usize;
        for m in 0..rng.below(6) + 1 {
            let len = rng.below(if m % 2 == 0 { 40 } else { 400 });
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + m) as u8).collect();
            let frags = rng.below(4) + 1;
            let mut at = 0;
            for f in 0..frags {
                let end = if f + 1 == frags {
                    len
                } else {
                    (at + rng.below(len as u64 + 1)).min(len)
                };
                let op = if f == 0 {
                    Opcode::Binary
                } else {
                    Opcode::Continuation
                };
                wire.extend(frame(
                    f + 1 == frags,
                    op,
                    &data[at..end],
                    Some([rng.next() as u8, 2, 3, 4]),
                ));
                at = end;
                if rng.below(3) == 0 {
                    wire.extend(frame(true, Opcode::Ping, b"p", KEY));
                    pings += 1;
                }
            }
            sent.push(data);
        }
        wire.extend(frame(true, Opcode::Close, b"\x03\xe8", KEY));
        let mut c = server();
        let mut msg = std::vec![0u8; rng.below(64)];
        let (mut buf, mut pos) = (Vec::new(), 0usize);
        let (mut got, mut cur, mut seen_pings) = (Vec::new(), Vec::new(), 0usize);
        while c.ending().is_none() {
            assert!(
                pos < wire.len(),
                "seed {seed}: input ended before the Close"
            );
            let take = (rng.below(20) + 1).min(wire.len() - pos);
            buf.extend_from_slice(&wire[pos..pos + take]);
            pos += take;
            loop {
                let r = c.handle_input(0, &mut buf, &mut msg).unwrap();
                let consumed = r.consumed;
                let more = r.event.is_some();
                match r.event {
                    Some(Event::Message { data, .. }) => got.push(data.to_vec()),
                    Some(Event::Piece {
                        data, first, last, ..
                    }) => {
                        assert_eq!(first, cur.is_empty(), "seed {seed}");
                        cur.extend_from_slice(data);
                        if last {
                            got.push(core::mem::take(&mut cur));
                        }
                    }
                    Some(Event::Ping(p)) => {
                        assert_eq!(p, b"p");
                        seen_pings += 1;
                    }
                    Some(Event::Close(_)) | None => {}
                    Some(other) => panic!("seed {seed}: {other:?}"),
                }
                buf.drain(..consumed);
                if !more || c.ending().is_some() {
                    break;
                }
            }
        }
        assert_eq!(got, sent, "seed {seed}, message buffer {}", msg.len());
        assert_eq!(seen_pings, pings, "seed {seed}");
        assert_eq!(
            c.ending(),
            Some(Ending::Closed {
                code: 1000,
                by_peer: true
            })
        );
    }
}

/// The same property for one in-place buffer (the async driver's layout): compaction
/// keeps the assembled part, a full buffer releases it as a piece.
#[test]
fn in_place_buffer_gives_the_same_messages_at_any_chunking() {
    for seed in 1..300u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut wire = Vec::new();
        let mut sent: Vec<Vec<u8>> = Vec::new();
        for m in 0..rng.below(6) + 1 {
            let len = rng.below(400);
            let data: Vec<u8> = (0..len).map(|i| (i * 3 + m) as u8).collect();
            let frags = rng.below(4) + 1;
            let mut at = 0;
            for f in 0..frags {
                let end = if f + 1 == frags {
                    len
                } else {
                    (at + rng.below(len as u64 + 1)).min(len)
                };
                let op = if f == 0 {
                    Opcode::Binary
                } else {
                    Opcode::Continuation
                };
                wire.extend(frame(f + 1 == frags, op, &data[at..end], KEY));
                at = end;
                if rng.below(3) == 0 {
                    wire.extend(frame(true, Opcode::Ping, &[7u8; 125], KEY));
                }
            }
            sent.push(data);
        }
        wire.extend(frame(true, Opcode::Close, b"\x03\xe8", KEY));
        let mut c = server();
        let mut buf = std::vec![0u8; crate::frame::MIN_BUFFER + rng.below(300)];
        let (mut start, mut end, mut pos) = (0usize, 0usize, 0usize);
        let (mut got, mut cur) = (Vec::new(), Vec::new());
        let mut push = |ev: Event<'_>, got: &mut Vec<Vec<u8>>| match ev {
            Event::Message { data, .. } => got.push(data.to_vec()),
            Event::Piece { data, last, .. } => {
                cur.extend_from_slice(data);
                if last {
                    got.push(core::mem::take(&mut cur));
                }
            }
            _ => {}
        };
        for _ in 0..100_000 {
            if c.ending().is_some() {
                break;
            }
            let r = c
                .handle_input_in_place(0, &mut buf, start, end)
                .unwrap_or_else(|e| {
                    panic!(
                        "seed {seed} start {start} end {end} pos {pos} got {}: {e:?}",
                        got.len()
                    )
                });
            let (consumed, more) = (r.consumed, r.event.is_some());
            if let Some(ev) = r.event {
                push(ev, &mut got);
            }
            start += consumed;
            assert!(start <= end || end < start && consumed == 0, "seed {seed}");
            if more {
                continue;
            }
            // Read more: compact down to the assembled part, release it when full.
            let keep = c.assembled();
            buf.copy_within(start..end, keep);
            end = keep + (end - start);
            start = keep;
            if end == buf.len() {
                let ev = c
                    .release_assembled(&buf)
                    .expect("a full buffer holds an assembled part");
                push(ev, &mut got);
                continue;
            }
            let take = (rng.below(30) + 1)
                .min(wire.len() - pos)
                .min(buf.len() - end);
            assert!(take > 0, "seed {seed}: stuck");
            buf[end..end + take].copy_from_slice(&wire[pos..pos + take]);
            end += take;
            pos += take;
        }
        assert_eq!(got, sent, "seed {seed}, buffer {}", buf.len());
        assert_eq!(
            c.ending(),
            Some(Ending::Closed {
                code: 1000,
                by_peer: true
            })
        );
    }
}
