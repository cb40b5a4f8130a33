//! Proof that the frame codec and the server handshake never touch the heap.
//!
//! A counting `#[global_allocator]` counts every allocation, reallocation and
//! deallocation made by the current thread while a closure runs (other threads — the test
//! harness — are not counted). Each test prepares its inputs and expected values first,
//! runs the wsguard calls inside `no_heap(|| …)`, asserts zero heap operations, then checks
//! the results, so a regression in either allocation or behaviour fails the test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wsguard_bench::{
    masked_frame, small_frame_stream, with_server_config, EXPECTED_ACCEPT, HANDSHAKE_REQUEST, KEY,
};
use wsguard_core::close::ClosePayload;
use wsguard_core::frame::header::HeaderStatus;
use wsguard_core::frame::{
    encoder, unmask, Decoded, Decoder, DecoderConfig, Event, FrameHeader, MessageKind, Opcode,
    ProtocolError, Utf8Validator, MIN_BUFFER,
};
use wsguard_core::handshake::{
    validate_request, validate_response, write_accept_response, write_rejection_response,
    write_request, ClientRequest, Rejection,
};
use wsguard_core::{Diagnostic, Status};

struct Counting;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static HEAP_OPS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the allocator may run while thread-locals are being torn down.
    if ARMED.try_with(Cell::get).unwrap_or(false) {
        let _ = HEAP_OPS.try_with(|c| c.set(c.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the number of heap operations it made.
fn heap_ops<R>(f: impl FnOnce() -> R) -> (R, usize) {
    HEAP_OPS.with(|c| c.set(0));
    ARMED.with(|a| a.set(true));
    let r = f();
    ARMED.with(|a| a.set(false));
    (r, HEAP_OPS.with(Cell::get))
}

/// Runs `f`, asserts it made no heap operation, returns its result.
#[track_caller]
fn no_heap<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let (r, ops) = heap_ops(f);
    assert_eq!(ops, 0, "{what}: {ops} heap operation(s)");
    r
}

#[test]
fn the_counter_sees_allocations() {
    let (v, ops) = heap_ops(|| Vec::<u8>::with_capacity(10));
    assert_eq!(ops, 1);
    drop(v);
    let ((), ops) = heap_ops(|| drop(String::from("x")));
    assert_eq!(ops, 2);
}

#[test]
fn unmask_every_length_and_offset() {
    let src = wsguard_bench::payload(300);
    let mut buf = src.clone();
    for len in 0..=300 {
        for start in [0, 1, 3] {
            if start > len {
                continue;
            }
            for offset in 0..4 {
                buf.copy_from_slice(&src);
                no_heap("unmask", || unmask(&mut buf[start..len], KEY, offset));
                // byte i of the window is payload byte (offset + i - start)
                for i in start..len {
                    assert_eq!(
                        buf[i],
                        src[i] ^ KEY[(offset + i - start) % 4],
                        "len {len} start {start} offset {offset}"
                    );
                }
            }
        }
    }
    let mut big = masked_frame(1 << 20);
    no_heap("unmask 1 MiB", || unmask(&mut big, KEY, 2));
}

/// A client stream covering every event: text, fragmented text with a code point split
/// across frames, ping, pong, 16- and 64-bit lengths, close with a reason.
fn mixed_stream() -> (Vec<u8>, Vec<(u8, usize)>) {
    let k = Some([9, 8, 7, 6]);
    let big = vec![b'b'; 70_000];
    let mid = vec![b'm'; 300];
    let frames: Vec<(bool, Opcode, &[u8])> = vec![
        (true, Opcode::Text, b"Hello"),
        (false, Opcode::Text, b"caf\xc3"),
        (true, Opcode::Continuation, b"\xa9!"),
        (true, Opcode::Ping, b"hb"),
        (true, Opcode::Pong, b""),
        (true, Opcode::Binary, &mid),
        (true, Opcode::Binary, &big),
    ];
    let mut wire = Vec::new();
    let mut expect = Vec::new();
    for (fin, op, p) in frames {
        let mut f = vec![0u8; 14 + p.len()];
        let n = encoder::write_frame(&mut f, fin, op, p, k).unwrap();
        wire.extend_from_slice(&f[..n]);
        expect.push((op.as_u8(), p.len()));
    }
    let mut f = [0u8; 32];
    let n = encoder::write_close(&mut f, Some(1001), "going away", k).unwrap();
    wire.extend_from_slice(&f[..n]);
    expect.push((Opcode::Close.as_u8(), 12));
    (wire, expect)
}

/// What one event says, in a form without borrows: (opcode, payload length).
fn summary(e: &Event<'_>) -> (u8, usize) {
    match e {
        Event::Data {
            kind: MessageKind::Text,
            payload,
            ..
        } => (1, payload.len()),
        Event::Data { payload, .. } => (2, payload.len()),
        Event::Ping(p) => (9, p.len()),
        Event::Pong(p) => (10, p.len()),
        Event::Close(c) => (8, c.code.map_or(0, |_| 2) + c.reason.len()),
        Event::Header(h) => (0x80 | h.opcode.as_u8(), 0),
        Event::Control { opcode, payload } => (*opcode, payload.len()),
    }
}

#[test]
fn decode_whole_frames() {
    let (mut wire, expect) = mixed_stream();
    let mut got = [(0u8, 0usize); 16];
    let (count, texts_ok) = no_heap("Decoder::decode", || {
        let mut dec = Decoder::new(DecoderConfig::server());
        let (mut at, mut n, mut texts_ok) = (0, 0, true);
        while at < wire.len() {
            match dec.decode(&mut wire[at..]) {
                Ok(Decoded::Event { consumed, event }) => {
                    if let Event::Data {
                        kind: MessageKind::Text,
                        payload,
                        ..
                    } = event
                    {
                        texts_ok &=
                            payload == b"Hello" || payload == b"caf\xc3" || payload == b"\xa9!";
                    }
                    got[n] = summary(&event);
                    at += consumed;
                    n += 1;
                }
                other => panic!("{other:?}"),
            }
        }
        (n, texts_ok)
    });
    assert!(texts_ok);
    // The continuation frame reports its message's type (text).
    let mut want: Vec<(u8, usize)> = expect.clone();
    want[2].0 = 1;
    assert_eq!(&got[..count], &want[..]);

    // 1000 small frames, too.
    let (mut wire, total) = small_frame_stream();
    let bytes = no_heap("Decoder::decode x1000", || {
        let mut dec = Decoder::new(DecoderConfig::server());
        let (mut at, mut bytes) = (0, 0);
        while let Ok(Decoded::Event {
            consumed,
            event: Event::Data { payload, .. },
        }) = dec.decode(&mut wire[at..])
        {
            at += consumed;
            bytes += payload.len();
            if at == wire.len() {
                break;
            }
        }
        bytes
    });
    assert_eq!(bytes, total);
}

#[test]
fn decode_streaming_through_a_small_buffer() {
    let (wire, expect) = mixed_stream();
    // Per opcode: payload bytes delivered (streamed data arrives in chunks).
    let mut per_kind = [0usize; 16];
    let mut events = 0usize;
    let mut buf = [0u8; MIN_BUFFER + 61];
    no_heap("Decoder::decode_streaming", || {
        let mut dec = Decoder::new(DecoderConfig::server());
        let (mut fill, mut fed) = (0usize, 0usize);
        loop {
            // "read" up to 61 bytes from the socket
            let room = buf.len() - fill;
            let take = room.min(61).min(wire.len() - fed);
            buf[fill..fill + take].copy_from_slice(&wire[fed..fed + take]);
            fill += take;
            fed += take;
            loop {
                match dec.decode_streaming(&mut buf[..fill]) {
                    Ok(Decoded::Event { consumed, event }) => {
                        let (op, len) = summary(&event);
                        per_kind[usize::from(op & 0x0f)] += len;
                        events += 1;
                        buf.copy_within(consumed..fill, 0);
                        fill -= consumed;
                    }
                    Ok(Decoded::Incomplete { .. }) => break,
                    Err(e) => panic!("{e:?}"),
                }
            }
            if fed == wire.len() && fill == 0 {
                break;
            }
            assert!(take > 0 || fill < buf.len(), "no progress");
        }
    });
    let mut want = [0usize; 16];
    for (op, len) in &expect {
        let op = if *op == 0 { 1 } else { *op }; // continuation counts as text
        want[usize::from(op)] += len;
    }
    assert_eq!(per_kind, want);
    assert!(
        events > expect.len(),
        "the 70 000-byte frame must arrive in chunks"
    );
}

#[test]
fn decode_errors_and_their_diagnostics() {
    let mut unmasked = *b"\x81\x02hi";
    let mut bad_utf8 = masked_text(b"\xff\xfe");
    let mut client_frame = masked_frame(4);
    let ((e1, e2, e3), texts) = {
        let mut texts = [""; 6];
        let errs = no_heap("decoder errors", || {
            let e1 = Decoder::new(DecoderConfig::server())
                .decode(&mut unmasked)
                .unwrap_err();
            let e2 = Decoder::new(DecoderConfig::server())
                .decode(&mut bad_utf8)
                .unwrap_err();
            let e3 = Decoder::new(DecoderConfig::client())
                .decode(&mut client_frame)
                .unwrap_err();
            texts = [
                e1.code(),
                e1.reason(),
                e1.remedy(),
                e2.code(),
                e2.reason(),
                e3.code(),
            ];
            (e1, e2, e3)
        });
        (errs, texts)
    };
    assert_eq!((e1, e1.close_code()), (ProtocolError::UnmaskedFrame, 1002));
    assert_eq!((e2, e2.close_code()), (ProtocolError::InvalidUtf8, 1007));
    assert_eq!(e3, ProtocolError::MaskedFrame);
    assert_eq!(texts[0], "frame_unmasked_from_client");
    assert_eq!(texts[3], "frame_invalid_utf8");
    assert!(!texts[1].is_empty() && !texts[2].is_empty() && !texts[4].is_empty());
}

fn masked_text(p: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 6 + p.len()];
    let n = encoder::write_frame(&mut f, true, Opcode::Text, p, Some([1, 2, 3, 4])).unwrap();
    f.truncate(n);
    f
}

#[test]
fn header_parse() {
    let results = no_heap("FrameHeader::parse", || {
        let mut out = [(0u64, 0u8); 3];
        for (i, (_, bytes)) in wsguard_bench::HEADERS.iter().enumerate() {
            if let Ok(HeaderStatus::Complete(h)) = FrameHeader::parse(bytes, true) {
                out[i] = (h.payload_len, h.header_len);
            }
        }
        let partial = FrameHeader::parse(&[0x82, 0xfe, 0x01], true);
        (out, partial)
    });
    assert_eq!(results.0, [(125, 6), (1024, 8), (1 << 20, 14)]);
    assert_eq!(results.1, Ok(HeaderStatus::Incomplete { needed: 5 }));
}

#[test]
fn encode_every_helper() {
    let payload = wsguard_bench::payload(70_000);
    let mut out = vec![0u8; 70_100];
    let received = ClosePayload {
        code: Some(1000),
        reason: "done",
    };
    let lens = no_heap("encoder", || {
        let a = encoder::header_len(70_000, true);
        let b = encoder::write_header(
            &mut out,
            &FrameHeader::new(true, Opcode::Binary, 70_000, Some(KEY)),
        )
        .unwrap();
        let c = encoder::write_frame(&mut out, true, Opcode::Binary, &payload, Some(KEY)).unwrap();
        let d = encoder::write_frame(&mut out, false, Opcode::Text, b"abc", None).unwrap();
        let e = encoder::write_ping(&mut out, b"ping", Some(KEY)).unwrap();
        let f = encoder::write_pong(&mut out, b"pong", None).unwrap();
        let g = encoder::write_close(&mut out, Some(1000), "bye", Some(KEY)).unwrap();
        let h = encoder::write_close(&mut out, None, "", None).unwrap();
        let i = encoder::write_close_reply(&mut out, &received, None).unwrap();
        let err1 = encoder::write_ping(&mut out, &payload[..126], None).unwrap_err();
        let err2 = encoder::write_close(&mut out, Some(1005), "", None).unwrap_err();
        let err3 =
            encoder::write_frame(&mut out[..3], true, Opcode::Text, b"abc", None).unwrap_err();
        let texts = [err1.code(), err1.remedy(), err2.code(), err3.reason()];
        (
            [a, b, c, d, e, f, g, h, i],
            err3.needed,
            texts.iter().all(|t| !t.is_empty()),
        )
    });
    assert_eq!(lens.0, [14, 14, 70_014, 5, 10, 6, 11, 2, 4]);
    assert_eq!(lens.1, 5);
    assert!(lens.2);
    // The last frame written is the close reply: code 1000, no reason.
    assert_eq!(&out[..4], b"\x88\x02\x03\xe8");
}

#[test]
fn utf8_validation() {
    let text = "Grüße, 世界 — 🎉".as_bytes();
    let r = no_heap("Utf8Validator", || {
        let mut v = Utf8Validator::new();
        let mut ok = true;
        for chunk in text.chunks(3) {
            ok &= v.feed(chunk).is_ok();
        }
        let whole = ok && v.finish().is_ok();
        let mut w = Utf8Validator::new();
        let cut = w.feed(&text[..text.len() - 1]).is_ok() && w.finish().is_err();
        let mut x = Utf8Validator::new();
        let bad = x.feed(b"ok\xc0\xaf").unwrap_err();
        (whole, cut, bad.valid_up_to, bad.code())
    });
    assert_eq!(r, (true, true, 2, "frame_invalid_utf8"));
}

#[test]
fn server_handshake_validate_and_respond() {
    let mut out = [0u8; 1024];
    let bad_origin = String::from_utf8_lossy(HANDSHAKE_REQUEST)
        .replace("https://app.example.com", "https://evil.example");
    let no_key = String::from_utf8_lossy(HANDSHAKE_REQUEST)
        .replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "");
    let (n, accept_ok, rejections) = with_server_config(|cfg| {
        no_heap("server handshake", || {
            let Ok(Status::Complete(a)) = validate_request(cfg, HANDSHAKE_REQUEST) else {
                panic!("not accepted")
            };
            let accept_ok = a.accept.as_str() == EXPECTED_ACCEPT;
            let n = write_accept_response(&a, &mut out).unwrap();
            let partial = validate_request(cfg, &HANDSHAKE_REQUEST[..100]) == Ok(Status::Partial);
            let r1 = validate_request(cfg, bad_origin.as_bytes()).unwrap_err();
            let r2 = validate_request(cfg, no_key.as_bytes()).unwrap_err();
            let r3 = validate_request(cfg, b"POST / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_err();
            let mut sizes = [0usize; 3];
            let mut rej = [0u8; 1024];
            for (i, r) in [r1, r2, r3].iter().enumerate() {
                sizes[i] = write_rejection_response(r, &mut rej).unwrap();
            }
            (
                n,
                accept_ok && partial,
                (r1.status(), r2, r3, r1.code(), sizes.iter().all(|s| *s > 0)),
            )
        })
    });
    assert!(accept_ok);
    assert_eq!(
        &out[..n],
        &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
           Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"[..]
    );
    assert_eq!(rejections.0, 403);
    assert_eq!(rejections.1, Rejection::KeyMissing);
    assert_eq!(rejections.2, Rejection::MethodNotGet);
    assert!(rejections.3.starts_with("origin_"), "{}", rejections.3);
    assert!(rejections.4);
}

#[test]
fn client_handshake_round_trip() {
    let mut req_buf = [0u8; 512];
    let mut resp_buf = [0u8; 256];
    let (ok, sub) = with_server_config(|cfg| {
        no_heap("client handshake", || {
            let req =
                ClientRequest::new("chat.example.com", "/chat?room=lobby", *b"the sample nonce")
                    .origin("https://app.example.com");
            let n = write_request(&req, &mut req_buf).unwrap();
            let Ok(Status::Complete(a)) = validate_request(cfg, &req_buf[..n]) else {
                panic!("server refused")
            };
            let m = write_accept_response(&a, &mut resp_buf).unwrap();
            let est = validate_response(&req, &resp_buf[..m]);
            (
                matches!(est, Ok(Status::Complete(e)) if e.consumed == m),
                a.subprotocol,
            )
        })
    });
    assert!(ok);
    assert_eq!(sub, None);
}
