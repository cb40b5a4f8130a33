//! Property tests of the frame layer with a deterministic xorshift generator:
//! encode → decode round trips, split-point independence, no panic on arbitrary bytes,
//! and a 1 KiB buffer receiving a 1 MiB message.

use wsguard_core::frame::encoder::{
    write_close, write_frame, write_header, write_ping, write_pong,
};
use wsguard_core::frame::{
    unmask, Decoded, Decoder, DecoderConfig, Event, FrameHeader, MessageKind, Opcode,
    ProtocolError, Role,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn text(&mut self, n: usize) -> Vec<u8> {
        const PIECES: [&str; 6] = ["a", "é", "€", "𝄞", "z", " "];
        let mut s = String::new();
        while s.len() < n {
            s.push_str(PIECES[self.below(6) as usize]);
        }
        s.into_bytes()
    }
}

/// A frame-level event, owned.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Data(MessageKind, Vec<u8>, bool),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
    Control(u8, Vec<u8>),
}

/// Delivers `pieces` through an unbounded receive buffer, merging streamed chunks.
fn deliver(
    cfg: DecoderConfig,
    pieces: &[&[u8]],
    streaming: bool,
) -> (Vec<Ev>, Option<ProtocolError>) {
    let mut dec = Decoder::new(cfg);
    let mut pending = Vec::new();
    let mut events = Vec::new();
    let mut acc: Option<Vec<u8>> = None;
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let len = pending.len();
            let r = if streaming {
                dec.decode_streaming(&mut pending)
            } else {
                dec.decode(&mut pending)
            };
            let (consumed, event) = match r {
                Err(e) => return (events, Some(e)),
                Ok(Decoded::Incomplete { needed }) => {
                    assert!(needed > 0);
                    break;
                }
                Ok(Decoded::Event { consumed, event }) => (consumed, event),
            };
            assert!(consumed > 0 && consumed <= len);
            match event {
                Event::Header(_) => acc = Some(Vec::new()),
                Event::Data {
                    kind,
                    payload,
                    fin_of_frame,
                    fin_of_message,
                } => match acc.as_mut() {
                    Some(a) => {
                        a.extend_from_slice(payload);
                        if fin_of_frame {
                            events.push(Ev::Data(kind, acc.take().unwrap(), fin_of_message));
                        }
                    }
                    None => events.push(Ev::Data(kind, payload.to_vec(), fin_of_message)),
                },
                Event::Ping(p) => events.push(Ev::Ping(p.to_vec())),
                Event::Pong(p) => events.push(Ev::Pong(p.to_vec())),
                Event::Close(c) => events.push(Ev::Close(c.code, c.reason.to_string())),
                Event::Control { opcode, payload } => {
                    events.push(Ev::Control(opcode, payload.to_vec()))
                }
            }
            pending.drain(..consumed);
        }
    }
    (events, None)
}

/// A random valid conversation: messages (maybe fragmented) with control frames between
/// fragments, optionally ending with a close. Returns the wire bytes and the events.
fn conversation(rng: &mut Rng, role_of_decoder: Role) -> (Vec<u8>, Vec<Ev>) {
    let mut wire = vec![0u8; 0];
    let mut events = Vec::new();
    let masked = role_of_decoder == Role::Server;
    let put = |rng: &mut Rng, wire: &mut Vec<u8>, fin: bool, op: Opcode, payload: &[u8]| {
        let key = if masked {
            Some((rng.next() as u32).to_ne_bytes())
        } else {
            None
        };
        let mut out = vec![0u8; payload.len() + 14];
        let n = write_frame(&mut out, fin, op, payload, key).unwrap();
        wire.extend_from_slice(&out[..n]);
    };
    for _ in 0..rng.below(4) + 1 {
        let text = rng.below(2) == 0;
        let len = match rng.below(10) {
            0 => 0,
            1 => 126 + rng.below(300) as usize,
            2 if rng.below(4) == 0 => 65_536 + rng.below(50) as usize,
            _ => rng.below(126) as usize,
        };
        let msg = if text { rng.text(len) } else { rng.bytes(len) };
        let kind = if text {
            MessageKind::Text
        } else {
            MessageKind::Binary
        };
        let frags = rng.below(4) as usize + 1;
        let mut cuts: Vec<usize> = (0..frags - 1)
            .map(|_| rng.below(msg.len() as u64 + 1) as usize)
            .collect();
        cuts.sort();
        cuts.push(msg.len());
        let mut start = 0;
        for (i, &c) in cuts.iter().enumerate() {
            let op = if i == 0 {
                if text {
                    Opcode::Text
                } else {
                    Opcode::Binary
                }
            } else {
                Opcode::Continuation
            };
            let fin = i + 1 == cuts.len();
            put(rng, &mut wire, fin, op, &msg[start..c]);
            events.push(Ev::Data(kind, msg[start..c].to_vec(), fin));
            start = c;
            if rng.below(3) == 0 {
                let n = rng.below(126) as usize;
                let p = rng.bytes(n);
                let key = if masked { Some([1, 2, 3, 4]) } else { None };
                let mut out = [0u8; 140];
                let (n, ev) = if rng.below(2) == 0 {
                    (write_ping(&mut out, &p, key).unwrap(), Ev::Ping(p))
                } else {
                    (write_pong(&mut out, &p, key).unwrap(), Ev::Pong(p))
                };
                wire.extend_from_slice(&out[..n]);
                events.push(ev);
            }
        }
    }
    if rng.below(2) == 0 {
        let key = if masked { Some([9, 8, 7, 6]) } else { None };
        let mut out = [0u8; 140];
        let code = [1000u16, 1001, 1011, 4401][rng.below(4) as usize];
        let n = write_close(&mut out, Some(code), "bye €", key).unwrap();
        wire.extend_from_slice(&out[..n]);
        events.push(Ev::Close(Some(code), "bye €".to_string()));
    }
    (wire, events)
}

#[test]
fn encode_decode_round_trip() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let role = if i % 2 == 0 {
            Role::Server
        } else {
            Role::Client
        };
        let (wire, events) = conversation(&mut rng, role);
        let cfg = DecoderConfig::new(role);
        assert_eq!(
            deliver(cfg, &[&wire], false),
            (events.clone(), None),
            "case {i}"
        );
        // random chunking, streaming
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < wire.len() {
            let n = (rng.below(300) as usize + 1).min(wire.len() - at);
            pieces.push(&wire[at..at + n]);
            at += n;
        }
        assert_eq!(
            deliver(cfg, &pieces, true),
            (events.clone(), None),
            "case {i} streaming"
        );
        assert_eq!(
            deliver(cfg, &pieces, false),
            (events, None),
            "case {i} chunks"
        );
    }
}

#[test]
fn every_split_point_gives_same_events() {
    let mut rng = Rng(42);
    for i in 0..300 {
        let role = if i % 2 == 0 {
            Role::Server
        } else {
            Role::Client
        };
        let (mut wire, _) = conversation(&mut rng, role);
        wire.truncate(1500);
        if i % 3 == 0 && !wire.is_empty() {
            // corrupt one byte: the error (if any) must not depend on the split either
            let at = rng.below(wire.len() as u64) as usize;
            wire[at] ^= 1 << rng.below(8);
        }
        let cfg = DecoderConfig::new(role).with_max_message(100_000);
        for streaming in [false, true] {
            let whole = deliver(cfg, &[&wire], streaming);
            for cut in 0..=wire.len() {
                let (a, b) = wire.split_at(cut);
                assert_eq!(
                    deliver(cfg, &[a, b], streaming),
                    whole,
                    "case {i} cut {cut} streaming {streaming}"
                );
            }
        }
    }
}

#[test]
fn no_panic_on_arbitrary_bytes() {
    let mut rng = Rng(7);
    let configs = [
        DecoderConfig::server(),
        DecoderConfig::client(),
        DecoderConfig::server()
            .lenient_length()
            .with_allowed_rsv(0x70)
            .with_allowed_opcodes(0xFFFF),
        DecoderConfig::client()
            .with_max_frame(10)
            .with_max_message(20)
            .with_accepted(false, true),
    ];
    for i in 0..20_000 {
        let mut input = if i % 2 == 0 {
            let n = rng.below(64) as usize;
            rng.bytes(n)
        } else {
            let (mut w, _) = conversation(
                &mut rng,
                if i % 4 == 1 {
                    Role::Server
                } else {
                    Role::Client
                },
            );
            w.truncate(400);
            for _ in 0..rng.below(4) {
                if !w.is_empty() {
                    let at = rng.below(w.len() as u64) as usize;
                    w[at] = rng.next() as u8;
                }
            }
            w
        };
        let cfg = configs[i % configs.len()];
        let whole = deliver(cfg, &[&input], i % 3 == 0);
        let cut = rng.below(input.len() as u64 + 1) as usize;
        let (a, b) = input.split_at(cut);
        assert_eq!(deliver(cfg, &[a, b], i % 3 == 0), whole, "case {i}");
        // direct calls on the raw buffer, repeatedly, must terminate
        let mut dec = Decoder::new(cfg);
        let mut off = 0;
        while off < input.len() {
            match dec.decode_streaming(&mut input[off..]) {
                Ok(Decoded::Event { consumed, .. }) => off += consumed,
                _ => break,
            }
        }
    }
}

#[test]
fn one_kib_buffer_receives_one_mib_message() {
    // A server sends a 1 MiB text message in 3 fragments with a ping in between; the
    // client has a 1 KiB receive buffer.
    let mut rng = Rng(99);
    let msg = rng.text(1 << 20);
    let mut wire = Vec::new();
    let cuts = [0, 300_000, 700_001, msg.len()];
    for i in 0..3 {
        let part = &msg[cuts[i]..cuts[i + 1]];
        let op = if i == 0 {
            Opcode::Text
        } else {
            Opcode::Continuation
        };
        let mut hdr = [0u8; 14];
        let n = write_header(
            &mut hdr,
            &FrameHeader::new(i == 2, op, part.len() as u64, None),
        )
        .unwrap();
        wire.extend_from_slice(&hdr[..n]);
        wire.extend_from_slice(part);
        if i == 0 {
            wire.extend_from_slice(b"\x89\x04ping");
        }
    }
    let mut dec = Decoder::new(DecoderConfig::client());
    let mut buf = [0u8; 1024];
    let mut filled = 0;
    let mut src = &wire[..];
    let mut got = Vec::new();
    let mut pings = 0;
    let mut done = false;
    while !done {
        let n = (buf.len() - filled).min(src.len()).min(700);
        buf[filled..filled + n].copy_from_slice(&src[..n]);
        src = &src[n..];
        filled += n;
        loop {
            match dec.decode_streaming(&mut buf[..filled]).unwrap() {
                Decoded::Incomplete { .. } => break,
                Decoded::Event { consumed, event } => {
                    match event {
                        Event::Data {
                            payload,
                            fin_of_message,
                            ..
                        } => {
                            got.extend_from_slice(payload);
                            done = fin_of_message;
                        }
                        Event::Ping(p) => {
                            assert_eq!(p, b"ping");
                            pings += 1;
                        }
                        Event::Header(h) => assert!(h.payload_len >= 300_000),
                        other => panic!("{other:?}"),
                    }
                    buf.copy_within(consumed..filled, 0);
                    filled -= consumed;
                }
            }
        }
    }
    assert_eq!(pings, 1);
    assert_eq!(got, msg);
    assert!(src.is_empty());
}

#[test]
fn streamed_masked_payload_unmasks_at_every_offset() {
    let mut rng = Rng(5);
    let payload = rng.bytes(1000);
    let mut out = vec![0u8; 1014];
    let n = write_frame(
        &mut out,
        true,
        Opcode::Binary,
        &payload,
        Some([0xde, 0xad, 0xbe, 0xef]),
    )
    .unwrap();
    for chunk in 1..=9 {
        let pieces: Vec<&[u8]> = out[..n].chunks(chunk).collect();
        let (ev, err) = deliver(DecoderConfig::server(), &pieces, true);
        assert_eq!(err, None);
        assert_eq!(
            ev,
            vec![Ev::Data(MessageKind::Binary, payload.clone(), true)]
        );
    }
    // header-only writer + in-place masking gives the same bytes as write_frame
    let mut hdr = [0u8; 14];
    let h = write_header(
        &mut hdr,
        &FrameHeader::new(true, Opcode::Binary, 1000, Some([0xde, 0xad, 0xbe, 0xef])),
    )
    .unwrap();
    let mut body = payload.clone();
    unmask(&mut body, [0xde, 0xad, 0xbe, 0xef], 0);
    assert_eq!([&hdr[..h], &body[..]].concat(), out[..n].to_vec());
}

#[test]
fn decoder_is_sticky_after_error() {
    let mut dec = Decoder::new(DecoderConfig::server());
    assert_eq!(
        dec.decode(&mut [0x81, 0x00]),
        Err(ProtocolError::UnmaskedFrame)
    );
    let mut ok = [0x81, 0x80, 1, 2, 3, 4];
    assert_eq!(dec.decode(&mut ok), Err(ProtocolError::UnmaskedFrame));
}
