//! The C connection handle against the core's `Connection`: exact frames, events,
//! endings and deadlines; refusals that write nothing.

use crate::connection::*;
use crate::ffi::wsguard_rejection;
use crate::frame::wsguard_role;
use crate::result::wsguard_result as R;
use core::ptr::{null, null_mut};
use std::mem::MaybeUninit;
use wsguard_core::frame::{encoder, Opcode};

const SERVER: u32 = wsguard_role::Server as u32;
const CLIENT: u32 = wsguard_role::Client as u32;
const KEY: [u8; 4] = [1, 2, 3, 4];

fn config(role: u32) -> wsguard_connection_config {
    let mut c = MaybeUninit::uninit();
    assert_eq!(
        unsafe { wsguard_connection_config_default(role, c.as_mut_ptr()) },
        R::Ok
    );
    unsafe { c.assume_init() }
}

fn new_conn(cfg: &wsguard_connection_config, now: u64) -> *mut wsguard_connection {
    let mut p = null_mut();
    assert_eq!(
        unsafe { wsguard_connection_new(cfg, now, &mut p, null_mut()) },
        R::Ok
    );
    p
}

fn masked(op: Opcode, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; payload.len() + 14];
    let n = encoder::write_frame(&mut out, true, op, payload, Some(KEY)).unwrap();
    out.truncate(n);
    out
}

struct Got {
    result: R,
    consumed: usize,
    ev: wsguard_connection_event,
    rej: wsguard_rejection,
}

fn feed(c: *mut wsguard_connection, now: u64, input: &mut [u8], msg: &mut [u8]) -> Got {
    let mut consumed = usize::MAX;
    let mut ev = MaybeUninit::<wsguard_connection_event>::zeroed();
    let mut rej = wsguard_rejection::EMPTY;
    let result = unsafe {
        wsguard_connection_handle_input(
            c,
            now,
            input.as_mut_ptr(),
            input.len(),
            msg.as_mut_ptr(),
            msg.len(),
            &mut consumed,
            ev.as_mut_ptr(),
            &mut rej,
        )
    };
    Got {
        result,
        consumed,
        ev: unsafe { ev.assume_init() },
        rej,
    }
}

fn is(s: crate::ffi::wsguard_str, want: &str) -> bool {
    let got = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
    got == want.as_bytes()
}

fn data(ev: &wsguard_connection_event) -> Vec<u8> {
    unsafe { std::slice::from_raw_parts(ev.data, ev.data_len) }.to_vec()
}

fn transmit(c: *mut wsguard_connection) -> Vec<u8> {
    let mut out = [0u8; WSGUARD_CONNECTION_MAX_CONTROL_FRAME];
    let mut n = usize::MAX;
    assert_eq!(
        unsafe {
            wsguard_connection_poll_transmit(c, out.as_mut_ptr(), out.len(), &mut n, null_mut())
        },
        R::Ok
    );
    out[..n].to_vec()
}

fn ending(c: *mut wsguard_connection) -> Option<wsguard_connection_ending> {
    let mut ended = false;
    let mut e = MaybeUninit::<wsguard_connection_ending>::uninit();
    assert_eq!(
        unsafe { wsguard_connection_get_ending(c, &mut ended, e.as_mut_ptr()) },
        R::Ok
    );
    ended.then(|| unsafe { e.assume_init() })
}

#[test]
fn ping_is_answered_and_message_delivered() {
    let c = new_conn(&config(SERVER), 0);
    let mut input = masked(Opcode::Ping, b"p");
    input.extend(masked(Opcode::Text, b"hi"));
    let mut msg = [0u8; 64];
    let got = feed(c, 1, &mut input, &mut msg);
    assert_eq!((got.result, got.consumed), (R::Ok, 7));
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::Ping);
    assert_eq!((got.ev.opcode, data(&got.ev)), (9, b"p".to_vec()));
    assert!(unsafe { wsguard_connection_wants_transmit(c) });
    assert_eq!(transmit(c), b"\x8a\x01p");
    assert!(transmit(c).is_empty());
    let got = feed(c, 2, &mut input[7..], &mut msg);
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::Message);
    assert_eq!(
        (got.consumed, got.ev.opcode, data(&got.ev)),
        (8, 1, b"hi".to_vec())
    );
    assert!(got.ev.first && got.ev.last);
    let got = feed(c, 3, &mut [], &mut msg);
    assert_eq!(
        (got.result, got.consumed, got.ev.kind),
        (R::Ok, 0, wsguard_connection_event_kind::None)
    );
    assert!(ending(c).is_none());
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn fragments_are_reassembled_or_streamed() {
    let mut frames = Vec::new();
    for (fin, op, part) in [
        (false, Opcode::Binary, &b"ab"[..]),
        (false, Opcode::Continuation, b"cd"),
        (true, Opcode::Continuation, b"ef"),
    ] {
        let mut f = vec![0u8; 16];
        let n = encoder::write_frame(&mut f, fin, op, part, Some(KEY)).unwrap();
        frames.extend_from_slice(&f[..n]);
    }
    // Reassembled in a message buffer large enough.
    let c = new_conn(&config(SERVER), 0);
    let (mut input, mut msg) = (frames.clone(), [0u8; 16]);
    let mut at = 0;
    let whole = loop {
        let got = feed(c, 0, &mut input[at..], &mut msg);
        assert_eq!(got.result, R::Ok);
        at += got.consumed;
        if got.ev.kind != wsguard_connection_event_kind::None {
            break got.ev;
        }
    };
    assert_eq!(whole.kind, wsguard_connection_event_kind::Message);
    assert_eq!((whole.opcode, data(&whole)), (2, b"abcdef".to_vec()));
    unsafe { wsguard_connection_free(c) };
    // Streamed in pieces with no message buffer.
    let c = new_conn(&config(SERVER), 0);
    let mut input = frames;
    let (mut at, mut pieces) = (0, Vec::new());
    while at < input.len() {
        let got = feed(c, 0, &mut input[at..], &mut []);
        assert_eq!(got.result, R::Ok);
        at += got.consumed;
        if got.ev.kind == wsguard_connection_event_kind::Piece {
            pieces.push((data(&got.ev), got.ev.first, got.ev.last, got.ev.opcode));
        }
    }
    assert_eq!(
        pieces,
        vec![
            (b"ab".to_vec(), true, false, 2),
            (b"cd".to_vec(), false, false, 2),
            (b"ef".to_vec(), false, true, 2)
        ]
    );
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn violation_queues_the_close_and_ends_failed() {
    let c = new_conn(&config(SERVER), 0);
    let mut input = *b"\x81\x02hi"; // unmasked from a client
    let got = feed(c, 0, &mut input, &mut []);
    assert_eq!(got.result, R::ProtocolViolation);
    assert_eq!(got.consumed, usize::MAX, "nothing written on failure");
    assert_eq!(got.rej.close_code, 1002);
    assert!(is(got.rej.code, "frame_unmasked_from_client"));
    let close = transmit(c);
    assert_eq!(
        (close[0], u16::from_be_bytes([close[2], close[3]])),
        (0x88, 1002)
    );
    let e = ending(c).unwrap();
    assert_eq!(
        (e.kind, e.code, e.by_peer),
        (wsguard_ending_kind::Failed, 1002, false)
    );
    assert!(is(e.failure.code, "frame_unmasked_from_client"));
    assert!(is(e.info.name, "protocol_error"));
    assert!(unsafe { wsguard_connection_is_finished(c) });
    let got = feed(c, 1, &mut masked(Opcode::Text, b"x"), &mut []);
    assert_eq!(got.result, R::ConnectionClosed);
    assert!(is(got.rej.code, "connection_closed"));
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn peer_close_is_answered_and_classified() {
    let c = new_conn(&config(SERVER), 0);
    let mut input = masked(Opcode::Close, b"\x03\xe8bye");
    let got = feed(c, 5, &mut input, &mut []);
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::Close);
    assert!(got.ev.has_close_code);
    assert_eq!((got.ev.close_code, data(&got.ev)), (1000, b"bye".to_vec()));
    assert!(
        !unsafe { wsguard_connection_is_finished(c) },
        "the reply is owed"
    );
    assert_eq!(transmit(c), b"\x88\x02\x03\xe8");
    assert!(unsafe { wsguard_connection_is_finished(c) });
    let e = ending(c).unwrap();
    assert_eq!(
        (e.kind, e.code, e.by_peer, e.reason_len),
        (wsguard_ending_kind::Closed, 1000, true, 3)
    );
    assert_eq!(
        e.reason[..3].iter().map(|b| *b as u8).collect::<Vec<_>>(),
        b"bye"
    );
    assert!(is(e.info.name, "normal_closure"));
    assert_eq!(e.failure.code.len, 0);
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn heartbeat_deadlines_ping_and_dead_peer() {
    let mut cfg = config(SERVER);
    cfg.has_heartbeat = true;
    cfg.heartbeat.interval_ms = 1_000;
    cfg.heartbeat.dead_timeout_ms = 3_000;
    let c = new_conn(&cfg, 100);
    let (mut has, mut at) = (false, 77u64);
    assert_eq!(
        unsafe { wsguard_connection_poll_timeout(c, &mut has, &mut at) },
        R::Ok
    );
    assert_eq!((has, at), (true, 1_100));
    assert_eq!(
        unsafe { wsguard_connection_handle_timeout(c, 1_100) },
        R::Ok
    );
    let ping = transmit(c);
    assert_eq!((ping[0], ping[1]), (0x89, 8));
    unsafe { wsguard_connection_handle_timeout(c, 3_100) };
    let e = ending(c).unwrap();
    assert_eq!((e.kind, e.code), (wsguard_ending_kind::PeerDead, 1006));
    assert!(e.failure.code.len > 0);
    assert_eq!(
        unsafe { wsguard_connection_poll_timeout(c, &mut has, &mut at) },
        R::Ok
    );
    assert!(!has);
    unsafe { wsguard_connection_free(c) };
    // No heartbeat: no deadline, and the deadline output is left alone.
    let c = new_conn(&config(SERVER), 0);
    let (mut has, mut at) = (true, 77u64);
    assert_eq!(
        unsafe { wsguard_connection_poll_timeout(c, &mut has, &mut at) },
        R::Ok
    );
    assert_eq!((has, at), (false, 77));
    unsafe { wsguard_connection_handle_eof(c, 9) };
    assert_eq!(ending(c).unwrap().kind, wsguard_ending_kind::Lost);
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn sends_are_exact_and_refusals_typed() {
    let c = new_conn(&config(SERVER), 0);
    let mut out = [0x55u8; 16];
    let (mut n, mut need) = (usize::MAX, usize::MAX);
    let mut rej = wsguard_rejection::EMPTY;
    let send = |c,
                op,
                d: &[u8],
                out: &mut [u8],
                n: &mut usize,
                need: &mut usize,
                rej: &mut wsguard_rejection| unsafe {
        wsguard_connection_send(
            c,
            op,
            d.as_ptr(),
            d.len(),
            out.as_mut_ptr(),
            out.len(),
            n,
            need,
            rej,
        )
    };
    assert_eq!(
        send(c, 1, b"hi", &mut out[..3], &mut n, &mut need, &mut rej),
        R::BufferTooSmall
    );
    assert_eq!((n, need, out), (usize::MAX, 4, [0x55; 16]));
    assert_eq!(
        send(c, 1, b"hi", &mut out, &mut n, &mut need, &mut rej),
        R::Ok
    );
    assert_eq!(&out[..n], b"\x81\x02hi");
    assert_eq!(
        send(c, 8, b"x", &mut out, &mut n, &mut need, &mut rej),
        R::InvalidArgument
    );
    assert_eq!(
        send(c, 0x10 | 1, b"x", &mut out, &mut n, &mut need, &mut rej),
        R::InvalidArgument
    );
    let r = unsafe {
        wsguard_connection_send_fragment(
            c,
            2,
            b"a".as_ptr(),
            1,
            false,
            out.as_mut_ptr(),
            out.len(),
            &mut n,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!((r, &out[..n]), (R::Ok, &b"\x02\x01a"[..]));
    assert_eq!(
        send(c, 2, b"b", &mut out, &mut n, &mut need, &mut rej),
        R::SendRefused
    );
    assert!(is(rej.code, "connection_message_in_progress"));
    let r = unsafe {
        wsguard_connection_send_fragment(
            c,
            2,
            b"b".as_ptr(),
            1,
            true,
            out.as_mut_ptr(),
            out.len(),
            &mut n,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!((r, &out[..n]), (R::Ok, &b"\x80\x01b"[..]));
    let big = [0u8; 126];
    let r = unsafe {
        wsguard_connection_send_ping(
            c,
            big.as_ptr(),
            big.len(),
            out.as_mut_ptr(),
            out.len(),
            &mut n,
            null_mut(),
            &mut rej,
        )
    };
    assert_eq!(r, R::SendRefused);
    assert!(is(rej.code, "connection_control_too_long"));
    let r = unsafe { wsguard_connection_close(c, 0, 1005, null(), 0, &mut rej) };
    assert_eq!(r, R::SendRefused);
    assert!(is(rej.code, "connection_invalid_close_code"));
    let r = unsafe { wsguard_connection_close(c, 0, 1001, b"bye".as_ptr().cast(), 3, &mut rej) };
    assert_eq!(r, R::Ok);
    assert_eq!(transmit(c), b"\x88\x05\x03\xe9bye");
    assert_eq!(
        send(c, 1, b"hi", &mut out, &mut n, &mut need, &mut rej),
        R::ConnectionClosed
    );
    let (mut has, mut at) = (false, 0u64);
    unsafe { wsguard_connection_poll_timeout(c, &mut has, &mut at) };
    assert_eq!((has, at), (true, 5_000));
    unsafe { wsguard_connection_handle_timeout(c, 5_000) };
    assert_eq!(ending(c).unwrap().kind, wsguard_ending_kind::CloseTimeout);
    unsafe { wsguard_connection_free(c) };
    // Client frames are masked: 2 + 4 + payload.
    let c = new_conn(&config(CLIENT), 0);
    assert_eq!(
        send(c, 2, b"abc", &mut out, &mut n, &mut need, &mut rej),
        R::Ok
    );
    assert_eq!((n, out[0], out[1]), (9, 0x82, 0x83));
    unsafe { wsguard_connection_free(c) };
}

#[test]
fn bad_handles_configs_and_storage() {
    let mut cfg = config(SERVER);
    let mut p = null_mut();
    let mut rej = wsguard_rejection::EMPTY;
    cfg.has_heartbeat = true;
    cfg.heartbeat.dead_timeout_ms = cfg.heartbeat.interval_ms;
    assert_eq!(
        unsafe { wsguard_connection_new(&cfg, 0, &mut p, &mut rej) },
        R::InvalidConfig
    );
    assert!(p.is_null());
    assert!(is(rej.code, "heartbeat_timeout_not_above_interval"));
    let mut cfg = config(SERVER);
    cfg.decoder.role = 9;
    assert_eq!(
        unsafe { wsguard_connection_new(&cfg, 0, &mut p, null_mut()) },
        R::InvalidArgument
    );
    assert_eq!(
        unsafe { wsguard_connection_config_default(3, &mut cfg) },
        R::InvalidArgument
    );
    let cfg = config(SERVER);
    let mut storage = vec![0u64; WSGUARD_CONNECTION_STORAGE_SIZE / 8];
    let len = WSGUARD_CONNECTION_STORAGE_SIZE;
    let r = unsafe {
        wsguard_connection_init(
            storage.as_mut_ptr().cast(),
            len - 1,
            &cfg,
            0,
            &mut p,
            null_mut(),
        )
    };
    assert_eq!((r, p.is_null()), (R::InvalidStorage, true));
    let r = unsafe {
        wsguard_connection_init(
            storage.as_mut_ptr().cast(),
            len,
            &cfg,
            0,
            &mut p,
            null_mut(),
        )
    };
    assert_eq!(r, R::Ok);
    unsafe { wsguard_connection_free(p) };
    assert_eq!(
        unsafe { wsguard_connection_handle_timeout(p, 0) },
        R::InvalidHandle
    );
    assert!(unsafe { wsguard_connection_is_finished(p) });
    assert!(!unsafe { wsguard_connection_wants_transmit(null()) });
    assert_eq!(
        unsafe { wsguard_connection_handle_eof(null_mut(), 0) },
        R::NullArgument
    );
}

/// Calls `handle_input_in_place` on `buf[start..end)`.
fn feed_in_place(c: *mut wsguard_connection, buf: &mut [u8], start: usize, end: usize) -> Got {
    let mut consumed = usize::MAX;
    let mut ev = MaybeUninit::<wsguard_connection_event>::zeroed();
    let mut rej = wsguard_rejection::EMPTY;
    let result = unsafe {
        wsguard_connection_handle_input_in_place(
            c,
            0,
            buf.as_mut_ptr(),
            buf.len(),
            start,
            end,
            &mut consumed,
            ev.as_mut_ptr(),
            &mut rej,
        )
    };
    Got {
        result,
        consumed,
        ev: unsafe { ev.assume_init() },
        rej,
    }
}

#[test]
fn in_place_reassembles_at_the_front_and_releases_when_full() {
    let mut frames = Vec::new();
    for (fin, op, part) in [
        (false, Opcode::Text, &b"abc"[..]),
        (true, Opcode::Continuation, b"de"),
    ] {
        let mut f = vec![0u8; 16];
        let n = encoder::write_frame(&mut f, fin, op, part, Some(KEY)).unwrap();
        frames.extend_from_slice(&f[..n]);
    }
    let c = new_conn(&config(SERVER), 0);
    let mut buf = [0u8; 32];
    buf[..frames.len()].copy_from_slice(&frames);
    // The first frame has arrived; the second comes with the next read.
    let (mut start, end) = (0, frames.len());
    let got = feed_in_place(c, &mut buf, start, 9);
    assert_eq!((got.result, got.consumed), (R::Ok, 9));
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::None);
    start += got.consumed;
    assert_eq!(unsafe { wsguard_connection_assembled(c) }, 3);
    let got = feed_in_place(c, &mut buf, start, end);
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::Message);
    assert_eq!((got.ev.opcode, data(&got.ev)), (1, b"abcde".to_vec()));
    assert_eq!(
        got.ev.data,
        buf.as_ptr(),
        "reassembled at the front of the buffer"
    );
    start += got.consumed;
    assert_eq!(start, end);
    let got = feed_in_place(c, &mut buf, start, end);
    assert_eq!(got.ev.kind, wsguard_connection_event_kind::None);
    assert_eq!(unsafe { wsguard_connection_assembled(c) }, 0);
    // Bad ranges are refused, outputs untouched.
    let got = feed_in_place(c, &mut buf, 5, 4);
    assert_eq!((got.result, got.consumed), (R::InvalidLength, usize::MAX));
    let got = feed_in_place(c, &mut buf, 0, 33);
    assert_eq!(got.result, R::InvalidLength);
    unsafe { wsguard_connection_free(c) };
    // A full buffer: the assembled part leaves as the first piece.
    let c = new_conn(&config(SERVER), 0);
    let mut buf = [0u8; 32];
    let n = encoder::write_frame(&mut buf, false, Opcode::Binary, b"xyz", Some(KEY)).unwrap();
    let got = feed_in_place(c, &mut buf, 0, n);
    assert_eq!(
        (got.consumed, got.ev.kind),
        (n, wsguard_connection_event_kind::None)
    );
    let mut ev = MaybeUninit::<wsguard_connection_event>::zeroed();
    let r = unsafe {
        wsguard_connection_release_assembled(c, buf.as_ptr(), buf.len(), ev.as_mut_ptr())
    };
    let ev = unsafe { ev.assume_init() };
    assert_eq!((r, ev.kind), (R::Ok, wsguard_connection_event_kind::Piece));
    assert_eq!(
        (data(&ev), ev.first, ev.last, ev.opcode),
        (b"xyz".to_vec(), true, false, 2)
    );
    assert_eq!(unsafe { wsguard_connection_assembled(c) }, 0);
    let mut ev = MaybeUninit::<wsguard_connection_event>::zeroed();
    unsafe { wsguard_connection_release_assembled(c, buf.as_ptr(), buf.len(), ev.as_mut_ptr()) };
    assert_eq!(
        unsafe { ev.assume_init() }.kind,
        wsguard_connection_event_kind::None
    );
    assert_eq!(unsafe { wsguard_connection_assembled(null()) }, 0);
    unsafe { wsguard_connection_free(c) };
}

/// The C handle is the core's connection: the same random streams (valid frames, then
/// flipped bytes), fed in the same random chunks, give the same consumed counts, events,
/// refusals, owed frames and endings.
#[test]
fn differential_against_the_core_connection() {
    use wsguard_core::connection::{Config, Connection, Event};
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let opcodes = [
        Opcode::Text,
        Opcode::Binary,
        Opcode::Continuation,
        Opcode::Ping,
        Opcode::Pong,
        Opcode::Close,
    ];
    for case in 0..400 {
        let mut stream = Vec::new();
        for _ in 0..(next() % 6 + 1) {
            let op = opcodes[(next() % opcodes.len() as u64) as usize];
            let len = (next() % 40) as usize;
            let payload: Vec<u8> = (0..len)
                .map(|i| {
                    if op == Opcode::Text {
                        b'a' + (i % 26) as u8
                    } else {
                        next() as u8
                    }
                })
                .collect();
            let mut f = vec![0u8; len + 14];
            let fin = next() % 4 != 0;
            let n =
                encoder::write_frame(&mut f, fin, op, &payload, (next() % 8 != 0).then_some(KEY))
                    .unwrap();
            stream.extend_from_slice(&f[..n]);
        }
        if case % 2 == 1 && !stream.is_empty() {
            let at = (next() as usize) % stream.len();
            stream[at] ^= 1 << (next() % 8);
        }
        let mut core = Connection::new(Config::new(wsguard_core::frame::Role::Server), 0);
        let c = new_conn(&config(SERVER), 0);
        let (mut a, mut b) = (stream.clone(), stream.clone());
        let (mut ma, mut mb) = ([0u8; 24], [0u8; 24]);
        let (mut at, mut end) = (0usize, 0usize);
        'feed: while at < stream.len() {
            end = (end + (next() % 17) as usize + 1).min(stream.len());
            loop {
                let want = core.handle_input(1, &mut a[at..end], &mut ma);
                let got = feed(c, 1, &mut b[at..end], &mut mb);
                let (consumed, ev) = match want {
                    Ok(i) => (i.consumed, i.event),
                    Err(e) => {
                        let code = match e {
                            wsguard_core::connection::Error::Protocol(p) => {
                                assert_eq!(got.rej.close_code, p.close_code(), "case {case}");
                                R::ProtocolViolation
                            }
                            _ => R::ConnectionClosed,
                        };
                        assert_eq!(got.result, code, "case {case}");
                        *seen.entry(format!("{code:?}")).or_default() += 1;
                        break 'feed;
                    }
                };
                assert_eq!((got.result, got.consumed), (R::Ok, consumed), "case {case}");
                let (kind, bytes) = match ev {
                    None => (wsguard_connection_event_kind::None, Vec::new()),
                    Some(Event::Message { data, .. }) => {
                        (wsguard_connection_event_kind::Message, data.to_vec())
                    }
                    Some(Event::Piece { data, .. }) => {
                        (wsguard_connection_event_kind::Piece, data.to_vec())
                    }
                    Some(Event::Ping(p)) => (wsguard_connection_event_kind::Ping, p.to_vec()),
                    Some(Event::Pong { payload, .. }) => {
                        (wsguard_connection_event_kind::Pong, payload.to_vec())
                    }
                    Some(Event::Close(p)) => (
                        wsguard_connection_event_kind::Close,
                        p.reason.as_bytes().to_vec(),
                    ),
                    Some(Event::Control { payload, .. }) => {
                        (wsguard_connection_event_kind::Control, payload.to_vec())
                    }
                };
                assert_eq!((got.ev.kind, data(&got.ev)), (kind, bytes), "case {case}");
                *seen.entry(format!("{kind:?}")).or_default() += 1;
                let mut out = [0u8; WSGUARD_CONNECTION_MAX_CONTROL_FRAME];
                let owed = core
                    .poll_transmit(&mut out)
                    .unwrap()
                    .map(|n| out[..n].to_vec());
                assert_eq!(transmit(c), owed.unwrap_or_default(), "case {case}");
                at += consumed;
                if ev.is_none() || core.ending().is_some() {
                    break;
                }
            }
            if core.ending().is_some() {
                break;
            }
        }
        let mut out = [0u8; WSGUARD_CONNECTION_MAX_CONTROL_FRAME];
        let owed = core
            .poll_transmit(&mut out)
            .unwrap()
            .map(|n| out[..n].to_vec());
        assert_eq!(transmit(c), owed.unwrap_or_default(), "case {case}");
        let mine = ending(c);
        assert_eq!(
            mine.map(|e| e.code),
            core.ending().map(|e| e.code()),
            "case {case}"
        );
        assert_eq!(
            unsafe { wsguard_connection_is_finished(c) },
            core.is_finished(),
            "case {case}"
        );
        unsafe { wsguard_connection_free(c) };
    }
}

/// A frame split across reads still comes whole when it fits the message buffer (its
/// first bytes are consumed into it), and as pieces when there is no room.
#[test]
fn a_split_frame_is_whole_up_to_the_message_buffer() {
    let frame = masked(Opcode::Text, b"0123456789");
    let c = new_conn(&config(SERVER), 0);
    let (mut input, mut msg) = (frame.clone(), [0u8; 64]);
    let got = feed(c, 0, &mut input[..9], &mut msg);
    assert_eq!(
        (got.consumed, got.ev.kind),
        (9, wsguard_connection_event_kind::None)
    );
    let got = feed(c, 0, &mut input[9..], &mut msg);
    assert_eq!(
        (got.consumed, got.ev.kind),
        (7, wsguard_connection_event_kind::Message)
    );
    assert_eq!(data(&got.ev), b"0123456789");
    unsafe { wsguard_connection_free(c) };
    let c = new_conn(&config(SERVER), 0);
    let mut input = frame;
    let got = feed(c, 0, &mut input[..9], &mut []);
    assert_eq!(
        (got.consumed, got.ev.kind),
        (9, wsguard_connection_event_kind::Piece)
    );
    assert_eq!(
        (data(&got.ev), got.ev.first, got.ev.last),
        (b"012".to_vec(), true, false)
    );
    unsafe { wsguard_connection_free(c) };
}
