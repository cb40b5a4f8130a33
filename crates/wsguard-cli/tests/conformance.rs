//! RFC 6455 conformance of `wsguard serve`'s echo server.
//!
//! A raw TCP client sends hand-built frames and asserts the exact bytes, close code and TCP
//! close that come back. The categories follow Autobahn|Testsuite cases 1–7 and 9 (at small
//! sizes): framing at every length boundary, whole and in 1-byte writes (1.x, 9.x); ping/pong
//! (2.x); reserved bits (3.x); opcodes (4.x); fragmentation with interleaved control frames
//! (5.x); UTF-8, including code points split across fragments and invalid sequences detected
//! at the earliest byte (6.x); close handling (7.x). Opening-handshake errors are in
//! `handshake_errors.rs`.
//!
//! Strict behaviour everywhere: a protocol violation gets a Close frame with the right code
//! and then the TCP close; the failure is detected as soon as the offending byte arrives.

mod common;
use common::*;

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CONT: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// The echo server used by every test: path /ws, Origin optional, no heartbeat pings (so
/// the byte stream we read is exactly the answer to what we sent), 1 MiB message limit.
fn server() -> Server {
    Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--allow-missing-origin",
        "--ping-interval",
        "0",
        "--max-message",
        "1048576",
        "--quiet",
    ])
}

fn open(srv: &Server) -> Raw {
    Raw::open(srv.addr, "/ws")
}

// ---------------------------------------------------------------------------------------
// 1.x / 9.x framing: every length boundary, text and binary, whole and 1-byte writes.

const LENGTHS: [usize; 8] = [0, 1, 125, 126, 127, 128, 65535, 65536];

fn expected_header_len(len: usize) -> usize {
    if len < 126 {
        2
    } else if len <= 0xFFFF {
        4
    } else {
        10
    }
}

fn framing_case(opcode: u8, bytewise: bool) {
    let srv = server();
    let mut c = open(&srv);
    for (i, &len) in LENGTHS.iter().enumerate() {
        let payload = if opcode == TEXT {
            // ASCII text of that exact length.
            (0..len).map(|k| b'a' + (k % 26) as u8).collect::<Vec<_>>()
        } else {
            pseudo_random(len, i as u64 + 7)
        };
        let f = c.frame(true, 0, opcode, &payload);
        if bytewise {
            c.send_bytewise(&f);
        } else {
            c.send(&f);
        }
        let echo = c.expect_frame();
        assert_eq!(
            (echo.fin, echo.rsv, echo.opcode),
            (true, 0, opcode),
            "len {len}"
        );
        // The server's own header uses the minimal length encoding.
        assert_eq!(
            echo.header.len(),
            expected_header_len(len),
            "len {len}: header {:02x?}",
            echo.header
        );
        assert!(echo.payload == payload, "len {len}: payload differs");
    }
    c.send_frame(true, CLOSE, &close_payload(1000, b""));
    c.expect_close(Some(1000));
}

#[test]
fn framing_text_lengths_whole() {
    framing_case(TEXT, false);
}

#[test]
fn framing_text_lengths_bytewise() {
    framing_case(TEXT, true);
}

#[test]
fn framing_binary_lengths_whole() {
    framing_case(BINARY, false);
}

#[test]
fn framing_binary_lengths_bytewise() {
    framing_case(BINARY, true);
}

#[test]
fn framing_many_frames_in_one_write() {
    let srv = server();
    let mut c = open(&srv);
    let mut burst = Vec::new();
    for i in 0..50u8 {
        burst.extend(c.frame(true, 0, BINARY, &[i; 3]));
    }
    c.send(&burst);
    for i in 0..50u8 {
        let f = c.expect_frame();
        assert_eq!((f.opcode, f.payload), (BINARY, vec![i; 3]));
    }
}

#[test]
fn framing_frame_pipelined_with_handshake() {
    // A client may send its first frame in the same packet as the upgrade request.
    let srv = server();
    let first = build_frame(true, 0, TEXT, b"early", Some([1, 2, 3, 4]));
    let mut c = Raw::open_with(srv.addr, "/ws", "", &first);
    let (op, data) = c.read_message();
    assert_eq!((op, data), (TEXT, b"early".to_vec()));
}

#[test]
fn framing_unmasked_client_frame_fails_at_second_byte() {
    let srv = server();
    let mut c = open(&srv);
    // Only the two header bytes: the mask bit is already known to be missing.
    c.send(&[0x81, 0x05]);
    c.expect_close(Some(1002));
}

#[test]
fn framing_oversized_message_refused_at_header() {
    let srv = server();
    let mut c = open(&srv);
    // 2 MiB declared, limit 1 MiB: refused with 1009 before any payload byte is sent.
    let mut h = vec![0x82, 0xFF];
    h.extend_from_slice(&(2u64 << 20).to_be_bytes());
    h.extend_from_slice(&[9, 9, 9, 9]);
    c.send(&h);
    c.expect_close(Some(1009));
}

#[test]
fn framing_oversized_fragmented_message_refused() {
    let srv = server();
    let mut c = open(&srv);
    // 600 KiB + 600 KiB in two fragments: the total passes the 1 MiB limit.
    let part = vec![b'x'; 600 * 1024];
    c.send_frame(false, BINARY, &part);
    let second = c.frame(true, 0, CONT, &part);
    c.send_lossy(&second);
    c.expect_close(Some(1009));
}

// ---------------------------------------------------------------------------------------
// 2.x ping / pong.

#[test]
fn ping_empty_gets_pong_empty() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, PING, b"");
    let f = c.expect_frame();
    assert_eq!((f.fin, f.opcode, f.payload.len()), (true, PONG, 0));
}

#[test]
fn ping_payload_echoed_in_pong() {
    let srv = server();
    let mut c = open(&srv);
    for (i, len) in [1usize, 10, 124, 125].into_iter().enumerate() {
        let p = pseudo_random(len, i as u64 + 99);
        c.send_frame(true, PING, &p);
        let f = c.expect_frame();
        assert_eq!((f.opcode, &f.payload), (PONG, &p), "ping of {len} bytes");
    }
}

#[test]
fn ping_payload_over_125_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    // Header alone tells the length is 126: fail before the payload arrives.
    let mut h = vec![0x89, 0x80 | 126];
    h.extend_from_slice(&126u16.to_be_bytes());
    c.send(&h);
    c.expect_close(Some(1002));
}

#[test]
fn ping_bytewise() {
    let srv = server();
    let mut c = open(&srv);
    let f = c.frame(true, 0, PING, b"Hello, world!");
    c.send_bytewise(&f);
    let pong = c.expect_frame();
    assert_eq!(
        (pong.opcode, pong.payload),
        (PONG, b"Hello, world!".to_vec())
    );
}

#[test]
fn unsolicited_pong_is_ignored() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, PONG, b"unsolicited");
    c.expect_silence(300);
    c.echo(TEXT, b"still alive");
}

#[test]
fn ten_pings_ten_pongs_in_order() {
    let srv = server();
    let mut c = open(&srv);
    let mut burst = Vec::new();
    for i in 0..10u8 {
        burst.extend(c.frame(true, 0, PING, &[b'p', b'0' + i]));
    }
    c.send(&burst);
    for i in 0..10u8 {
        let f = c.expect_frame();
        assert_eq!((f.opcode, f.payload), (PONG, vec![b'p', b'0' + i]));
    }
}

#[test]
fn ping_after_close_is_not_answered() {
    let srv = server();
    let mut c = open(&srv);
    let mut burst = c.frame(true, 0, CLOSE, &close_payload(1000, b""));
    burst.extend(c.frame(true, 0, PING, b"late"));
    c.send(&burst);
    c.expect_close(Some(1000));
}

// ---------------------------------------------------------------------------------------
// 3.x reserved bits: no extension was negotiated, so any RSV bit is a protocol error.

fn rsv_case(rsv: u8, opcode: u8) {
    let srv = server();
    let mut c = open(&srv);
    c.echo(TEXT, b"before");
    // Only the first byte: RSV bits are known to be wrong right there.
    let f = c.frame(true, rsv, opcode, b"x");
    c.send(&f[..1]);
    c.expect_close(Some(1002));
}

#[test]
fn rsv1_on_text() {
    rsv_case(4, TEXT);
}

#[test]
fn rsv2_on_binary() {
    rsv_case(2, BINARY);
}

#[test]
fn rsv3_on_ping() {
    rsv_case(1, PING);
}

#[test]
fn rsv_all_on_close() {
    rsv_case(7, CLOSE);
}

#[test]
fn rsv_frame_after_valid_frames_in_one_write() {
    // 3.3: text + RSV frame + ping in one write → echo, then 1002, and no pong.
    let srv = server();
    let mut c = open(&srv);
    let mut burst = c.frame(true, 0, TEXT, b"hello");
    burst.extend(c.frame(true, 2, TEXT, b"hello"));
    burst.extend(c.frame(true, 0, PING, b""));
    c.send(&burst);
    let (op, data) = c.read_message();
    assert_eq!((op, data), (TEXT, b"hello".to_vec()));
    c.expect_close(Some(1002));
}

// ---------------------------------------------------------------------------------------
// 4.x opcodes.

fn opcode_case(opcode: u8) {
    let srv = server();
    let mut c = open(&srv);
    c.echo(TEXT, b"before");
    let f = c.frame(true, 0, opcode, b"payload");
    c.send(&f[..1]);
    c.expect_close(Some(1002));
}

#[test]
fn reserved_data_opcodes_3_to_7() {
    for op in 3..=7 {
        opcode_case(op);
    }
}

#[test]
fn reserved_control_opcodes_b_to_f() {
    for op in 0xB..=0xF {
        opcode_case(op);
    }
}

// ---------------------------------------------------------------------------------------
// 5.x fragmentation.

#[test]
fn fragmented_text_reassembled() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, TEXT, b"frag");
    c.send_frame(false, CONT, b"ment");
    c.send_frame(true, CONT, b"ed");
    let (op, data) = c.read_message();
    assert_eq!((op, data), (TEXT, b"fragmented".to_vec()));
}

#[test]
fn fragmented_binary_with_empty_fragments() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, BINARY, b"");
    c.send_frame(false, CONT, &[1, 2, 3]);
    c.send_frame(false, CONT, b"");
    c.send_frame(true, CONT, b"");
    let (op, data) = c.read_message();
    assert_eq!((op, data), (BINARY, vec![1, 2, 3]));
}

#[test]
fn ping_interleaved_in_fragmented_message() {
    // 5.6/5.7: the pong comes back at once, the message after its last fragment.
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, TEXT, b"frag1");
    c.send_frame(true, PING, b"ping in the middle");
    let pong = c.expect_frame();
    assert_eq!(
        (pong.opcode, pong.payload),
        (PONG, b"ping in the middle".to_vec())
    );
    c.send_frame(true, CONT, b"frag2");
    let (op, data) = c.read_message();
    assert_eq!((op, data), (TEXT, b"frag1frag2".to_vec()));
}

#[test]
fn ping_and_pong_interleaved_bytewise() {
    // 5.8/5.19-like: fragments, ping and unsolicited pong, each sent in 1-byte writes.
    let srv = server();
    let mut c = open(&srv);
    let parts = [
        c.frame(false, 0, TEXT, b"fragment1"),
        c.frame(true, 0, PONG, b"unsolicited"),
        c.frame(false, 0, CONT, b"fragment2"),
        c.frame(true, 0, PING, b"pong me"),
        c.frame(true, 0, CONT, b"fragment3"),
    ];
    for p in &parts {
        c.send_bytewise(p);
    }
    let pong = c.expect_frame();
    assert_eq!((pong.opcode, pong.payload), (PONG, b"pong me".to_vec()));
    let (op, data) = c.read_message();
    assert_eq!((op, data), (TEXT, b"fragment1fragment2fragment3".to_vec()));
}

#[test]
fn fragmented_ping_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    // FIN=0 on a control frame: wrong at the first byte.
    c.send(&[0x09]);
    c.expect_close(Some(1002));
}

#[test]
fn continuation_without_start_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    let f = c.frame(true, 0, CONT, b"orphan");
    c.send(&f[..1]);
    c.expect_close(Some(1002));
}

#[test]
fn continuation_without_start_nonfinal_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    let f = c.frame(false, 0, CONT, b"orphan");
    c.send(&f);
    c.expect_close(Some(1002));
}

#[test]
fn new_message_inside_fragmented_message_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, TEXT, b"start");
    let f = c.frame(true, 0, TEXT, b"intruder");
    c.send(&f[..1]);
    c.expect_close(Some(1002));
}

#[test]
fn fragment_every_byte_of_a_binary_message() {
    let srv = server();
    let mut c = open(&srv);
    let msg = pseudo_random(64, 5);
    for (i, b) in msg.iter().enumerate() {
        let op = if i == 0 { BINARY } else { CONT };
        c.send_frame(i == msg.len() - 1, op, std::slice::from_ref(b));
    }
    let (op, data) = c.read_message();
    assert_eq!((op, data), (BINARY, msg));
}

// ---------------------------------------------------------------------------------------
// 6.x UTF-8.

const HELLO: &str = "Hello-µ@ßöäüàá-UTF-8!!";
const KOSME: &str = "κόσμε";

#[test]
fn utf8_valid_texts_echoed() {
    let srv = server();
    let mut c = open(&srv);
    for text in [
        "",
        HELLO,
        KOSME,
        "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}",
        "\u{FEFF}bom",
        "\u{D7FF}\u{E000}\u{FFFD}",
    ] {
        c.echo(TEXT, text.as_bytes());
    }
}

#[test]
fn utf8_split_at_every_byte_across_fragments() {
    let srv = server();
    let mut c = open(&srv);
    let text = format!("{HELLO}{KOSME}\u{10348}\u{20AC}");
    let bytes = text.as_bytes();
    for split in 1..bytes.len() {
        c.send_frame(false, TEXT, &bytes[..split]);
        c.send_frame(true, CONT, &bytes[split..]);
        let (op, data) = c.read_message();
        assert_eq!(op, TEXT);
        assert_eq!(data, bytes, "split at {split}");
    }
}

#[test]
fn utf8_one_fragment_per_byte() {
    let srv = server();
    let mut c = open(&srv);
    let bytes = "\u{10348}κ\u{20AC}".as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let op = if i == 0 { TEXT } else { CONT };
        c.send_frame(i == bytes.len() - 1, op, std::slice::from_ref(b));
    }
    let (op, data) = c.read_message();
    assert_eq!((op, data.as_slice()), (TEXT, bytes));
}

/// Invalid sequences, each invalid at its last byte (the earliest point it can be known).
const INVALID_AT_LAST_BYTE: &[(&str, &[u8])] = &[
    ("lone continuation", &[0x80]),
    ("0xFE", &[0xFE]),
    ("0xFF", &[0xFF]),
    ("overlong 2-byte C0", &[0xC0]),
    ("overlong 2-byte C1", &[0xC1]),
    ("overlong 3-byte", &[0xE0, 0x80]),
    ("overlong 4-byte", &[0xF0, 0x80]),
    ("surrogate D800", &[0xED, 0xA0]),
    ("surrogate DFFF", &[0xED, 0xBF]),
    ("above U+10FFFF", &[0xF4, 0x90]),
    ("F5 lead", &[0xF5]),
    ("missing continuation", &[0xCE, 0x41]),
    ("3-byte cut by ASCII", &[0xE2, 0x82, 0x41]),
];

#[test]
fn utf8_invalid_in_single_frame_is_1007() {
    for (name, bad) in INVALID_AT_LAST_BYTE {
        let srv = server();
        let mut c = open(&srv);
        let mut payload = KOSME.as_bytes().to_vec();
        payload.extend_from_slice(bad);
        payload.extend_from_slice(b"tail");
        let f = c.frame(true, 0, TEXT, &payload);
        c.send(&f);
        eprintln!("case {name}");
        c.expect_close(Some(1007));
    }
}

#[test]
fn utf8_invalid_detected_before_frame_ends() {
    // The frame declares 64 payload bytes; we send the header, a valid prefix and the
    // offending byte only. A strict server fails right there, without waiting for the rest.
    for (name, bad) in INVALID_AT_LAST_BYTE {
        let srv = server();
        let mut c = open(&srv);
        let mut payload = KOSME.as_bytes().to_vec();
        payload.extend_from_slice(bad);
        let cut = payload.len();
        payload.resize(64, b'a');
        let f = c.frame(true, 0, TEXT, &payload);
        let header_len = 2 + 4;
        c.send(&f[..header_len + cut]);
        eprintln!("case {name}");
        c.expect_close(Some(1007));
    }
}

#[test]
fn utf8_invalid_detected_before_message_ends() {
    // 6.4.x: the first fragment is already invalid; fail before the second arrives.
    let srv = server();
    let mut c = open(&srv);
    let mut first = KOSME.as_bytes().to_vec();
    first.extend_from_slice(&[0xF4, 0x90, 0x80, 0x80]);
    c.send_frame(false, TEXT, &first);
    c.expect_close(Some(1007));
}

#[test]
fn utf8_truncated_at_message_end_is_1007() {
    // A code point started in the last fragment and never finished.
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, TEXT, KOSME.as_bytes());
    c.send_frame(true, CONT, &[0xCE]);
    c.expect_close(Some(1007));
}

#[test]
fn utf8_truncated_single_frame_is_1007() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, TEXT, &[b'a', 0xF0, 0x9F, 0x98]);
    c.expect_close(Some(1007));
}

#[test]
fn utf8_invalid_bytewise() {
    let srv = server();
    let mut c = open(&srv);
    let mut payload = HELLO.as_bytes().to_vec();
    payload.extend_from_slice(&[0xED, 0xA0, 0x80]);
    let f = c.frame(true, 0, TEXT, &payload);
    // Send up to and including 0xA0 one byte at a time; the rest never goes out.
    let stop = f.len() - 1;
    c.send_bytewise(&f[..stop]);
    c.expect_close(Some(1007));
}

#[test]
fn binary_is_not_utf8_checked() {
    let srv = server();
    let mut c = open(&srv);
    c.echo(BINARY, &[0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xC0]);
}

// ---------------------------------------------------------------------------------------
// 7.x close handling.

#[test]
fn close_1000_echoed_then_tcp_closed() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, CLOSE, &close_payload(1000, b"bye"));
    c.expect_close(Some(1000));
}

#[test]
fn close_empty_payload_answered_with_empty_close() {
    // 1005 must not be sent on the wire: an empty close is answered with an empty close.
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, CLOSE, b"");
    c.expect_close(None);
}

#[test]
fn close_one_byte_payload_is_1002() {
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(true, CLOSE, &[0x03]);
    c.expect_close(Some(1002));
}

#[test]
fn close_valid_codes_echoed() {
    for code in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
        4000, 4999,
    ] {
        let srv = server();
        let mut c = open(&srv);
        c.send_frame(true, CLOSE, &close_payload(code, b""));
        eprintln!("code {code}");
        c.expect_close(Some(code));
    }
}

#[test]
fn close_invalid_codes_are_1002() {
    for code in [
        0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] {
        let srv = server();
        let mut c = open(&srv);
        c.send_frame(true, CLOSE, &close_payload(code, b""));
        eprintln!("code {code}");
        c.expect_close(Some(1002));
    }
}

#[test]
fn close_max_reason_echoed() {
    let srv = server();
    let mut c = open(&srv);
    let reason = vec![b'*'; 123];
    c.send_frame(true, CLOSE, &close_payload(1000, &reason));
    c.expect_close(Some(1000));
}

#[test]
fn close_reason_invalid_utf8_is_1007() {
    let srv = server();
    let mut c = open(&srv);
    let mut reason = KOSME.as_bytes().to_vec();
    reason.extend_from_slice(&[0xED, 0xA0, 0x80]);
    c.send_frame(true, CLOSE, &close_payload(1000, &reason));
    c.expect_close(Some(1007));
}

#[test]
fn data_after_close_is_ignored() {
    // 7.1.x: after our Close, the server neither echoes nor answers pings.
    let srv = server();
    let mut c = open(&srv);
    let mut burst = c.frame(true, 0, CLOSE, &close_payload(1000, b""));
    burst.extend(c.frame(true, 0, TEXT, b"too late"));
    c.send(&burst);
    c.expect_close(Some(1000));
}

#[test]
fn close_bytewise() {
    let srv = server();
    let mut c = open(&srv);
    let f = c.frame(true, 0, CLOSE, &close_payload(1001, b"going away"));
    c.send_bytewise(&f);
    c.expect_close(Some(1001));
}

#[test]
fn close_inside_fragmented_message() {
    // A Close between fragments ends the connection cleanly; the half message is dropped.
    let srv = server();
    let mut c = open(&srv);
    c.send_frame(false, TEXT, b"half");
    c.send_frame(true, CLOSE, &close_payload(1000, b""));
    c.expect_close(Some(1000));
}

#[test]
fn tcp_close_without_close_frame_is_tolerated() {
    // The peer vanishing must not disturb the server: a new connection still works.
    let srv = server();
    {
        let mut c = open(&srv);
        c.send_frame(false, TEXT, b"half a message, then gone");
    }
    let mut c = open(&srv);
    c.echo(TEXT, b"next connection");
}

#[test]
fn server_closes_tcp_when_client_never_answers_close() {
    // After a protocol error the server sends Close and does not wait forever for ours.
    let srv = server();
    let mut c = open(&srv);
    c.send(&[0x83]);
    let f = c.expect_frame();
    assert_eq!((f.opcode, f.close_code()), (CLOSE, Some(1002)));
    c.expect_tcp_close();
}
