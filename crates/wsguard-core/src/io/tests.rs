//! Drives the async drivers over an in-memory transport (split at every size, short
//! writes) with a single-poll executor: the transport never pends.

use std::vec::Vec;

use super::*;
use crate::close::ClosePayload;
use crate::frame::encoder::{write_close, write_frame};
use crate::frame::{Decoded, Decoder, Event, MessageKind, Opcode, ProtocolError, Role};
use crate::handshake::{ClientFailure, ClientRequest, DiagnosisKind, Rejection, ServerConfig};
use crate::origin::{OriginPolicy, Pattern};
use crate::Diagnostic;

/// Serves `input` in reads of at most `chunk` bytes, then EOF; records writes (at most
/// `write_max` bytes per call).
#[derive(Debug)]
struct Mock {
    input: Vec<u8>,
    pos: usize,
    chunk: usize,
    write_max: usize,
    output: Vec<u8>,
}

impl Mock {
    fn new(input: Vec<u8>, chunk: usize) -> Self {
        Mock {
            input,
            pos: 0,
            chunk,
            write_max: usize::MAX,
            output: Vec::new(),
        }
    }
}

impl embedded_io_async::ErrorType for Mock {
    type Error = core::convert::Infallible;
}
impl embedded_io_async::Read for Mock {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.chunk).min(self.input.len() - self.pos);
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
impl embedded_io_async::Write for Mock {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.write_max);
        self.output.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn block_on<F: core::future::Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    for _ in 0..1_000 {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the mock transport never pends; a future that does not finish is a bug")
}

fn server_frame(fin: bool, op: Opcode, payload: &[u8]) -> Vec<u8> {
    let mut out = std::vec![0u8; payload.len() + 14];
    let n = write_frame(&mut out, fin, op, payload, None).unwrap();
    out.truncate(n);
    out
}

/// What the test reads, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Text(std::string::String),
    Binary(Vec<u8>),
    Piece(MessageKind, Vec<u8>, bool, bool),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, std::string::String),
    Err(&'static str),
}

fn own(m: Result<Message<'_>, Error<core::convert::Infallible>>) -> Got {
    match m {
        Ok(Message::Text(t)) => Got::Text(t.into()),
        Ok(Message::Binary(b)) => Got::Binary(b.to_vec()),
        Ok(Message::Piece {
            kind,
            data,
            first,
            last,
        }) => Got::Piece(kind, data.to_vec(), first, last),
        Ok(Message::Ping(p)) => Got::Ping(p.to_vec()),
        Ok(Message::Pong(p)) => Got::Pong(p.to_vec()),
        Ok(Message::Close(c)) => Got::Close(c.code, c.reason.into()),
        Ok(Message::Control { .. }) => Got::Err("control"),
        Err(e) => Got::Err(e.code()),
    }
}

/// Reads until an error; returns everything read and what was written.
fn read_all(input: Vec<u8>, chunk: usize, rx_len: usize, role: Role) -> (Vec<Got>, Vec<u8>) {
    let mut rx = std::vec![0u8; rx_len];
    let mut tx = std::vec![0u8; 256];
    let mut ws = WebSocket::new(
        Mock::new(input, chunk),
        &mut rx,
        &mut tx,
        role,
        Options::new(42),
    )
    .unwrap();
    let mut got = Vec::new();
    block_on(async {
        for _ in 0..1_000_000 {
            let g = own(ws.read().await);
            let stop = matches!(g, Got::Err(_));
            got.push(g);
            if stop {
                break;
            }
        }
    });
    (got, ws.into_inner().output)
}

/// Decodes what a client wrote (masked frames) into owned events.
fn decode_written(bytes: &[u8], role_of_reader: Role) -> Vec<Got> {
    let mut buf = bytes.to_vec();
    let cfg = crate::frame::DecoderConfig::new(role_of_reader);
    let mut dec = Decoder::new(cfg);
    let mut at = 0;
    let mut out = Vec::new();
    while at < buf.len() {
        match dec.decode(&mut buf[at..]).unwrap() {
            Decoded::Incomplete { .. } => panic!("truncated output"),
            Decoded::Event { consumed, event } => {
                out.push(match event {
                    Event::Data {
                        kind: MessageKind::Text,
                        payload,
                        fin_of_message,
                        ..
                    } => Got::Piece(MessageKind::Text, payload.to_vec(), true, fin_of_message),
                    Event::Data {
                        kind,
                        payload,
                        fin_of_message,
                        ..
                    } => Got::Piece(kind, payload.to_vec(), true, fin_of_message),
                    Event::Ping(p) => Got::Ping(p.to_vec()),
                    Event::Pong(p) => Got::Pong(p.to_vec()),
                    Event::Close(c) => Got::Close(c.code, c.reason.into()),
                    other => panic!("{other:?}"),
                });
                at += consumed;
            }
        }
    }
    out
}

fn session_input() -> (Vec<u8>, Vec<Got>) {
    let big: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let mut input = Vec::new();
    input.extend(server_frame(true, Opcode::Text, b"hello"));
    input.extend(server_frame(false, Opcode::Text, "fragm".as_bytes()));
    input.extend(server_frame(true, Opcode::Ping, b"p1"));
    input.extend(server_frame(
        false,
        Opcode::Continuation,
        "ent\u{e9}".as_bytes(),
    ));
    input.extend(server_frame(true, Opcode::Continuation, b"d"));
    input.extend(server_frame(true, Opcode::Binary, &big));
    input.extend(server_frame(true, Opcode::Binary, b""));
    input.extend(server_frame(true, Opcode::Pong, b"p2"));
    let mut close = [0u8; 16];
    let n = write_close(&mut close, Some(1001), "bye", None).unwrap();
    input.extend_from_slice(&close[..n]);
    let expected = std::vec![
        Got::Text("hello".into()),
        Got::Ping(b"p1".to_vec()),
        Got::Text("fragment\u{e9}d".into()),
        Got::Binary(big),
        Got::Binary(Vec::new()),
        Got::Pong(b"p2".to_vec()),
        Got::Close(Some(1001), "bye".into()),
        Got::Err("connection_closed"),
    ];
    (input, expected)
}

#[test]
fn client_reads_every_kind_split_at_every_size() {
    let (input, expected) = session_input();
    for chunk in [1usize, 2, 3, 5, 7, 13, 64, 139, 500, 4096] {
        let (got, written) = read_all(input.clone(), chunk, 2048, Role::Client);
        assert_eq!(got, expected, "chunk {chunk}");
        // automatic pong for the ping, then the close echo (code only), both masked
        assert_eq!(
            decode_written(&written, Role::Server),
            std::vec![Got::Pong(b"p1".to_vec()), Got::Close(Some(1001), "".into())],
            "chunk {chunk}"
        );
    }
}

/// Concatenates pieces and whole messages back into messages.
fn reassemble(got: &[Got]) -> Vec<(MessageKind, Vec<u8>)> {
    let mut out = Vec::new();
    let mut cur: Option<(MessageKind, Vec<u8>)> = None;
    for g in got {
        match g {
            Got::Text(t) => out.push((MessageKind::Text, t.as_bytes().to_vec())),
            Got::Binary(b) => out.push((MessageKind::Binary, b.clone())),
            Got::Piece(k, d, first, last) => {
                if *first {
                    assert!(cur.is_none(), "first piece while a message is open");
                    cur = Some((*k, Vec::new()));
                }
                let c = cur.as_mut().expect("piece without first");
                c.1.extend_from_slice(d);
                if *last {
                    out.push(cur.take().unwrap());
                }
            }
            _ => {}
        }
    }
    assert!(cur.is_none());
    out
}

#[test]
fn messages_larger_than_the_read_buffer_stream_in_pieces() {
    let sizes = [
        0usize, 1, 125, 126, 138, 139, 140, 200, 255, 256, 257, 1000, 65_535, 65_536, 70_000,
    ];
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let data: Vec<u8> = (0..n).map(|j| (j as u8) ^ (i as u8)).collect();
        if i % 3 == 2 && n > 4 {
            // fragmented into 3 frames with a ping between
            let (a, rest) = data.split_at(n / 3);
            let (b, c) = rest.split_at(rest.len() / 2);
            input.extend(server_frame(false, Opcode::Binary, a));
            input.extend(server_frame(true, Opcode::Ping, b"x"));
            input.extend(server_frame(false, Opcode::Continuation, b));
            input.extend(server_frame(true, Opcode::Continuation, c));
        } else {
            input.extend(server_frame(true, Opcode::Binary, &data));
        }
        expected.push((MessageKind::Binary, data));
    }
    for rx_len in [139usize, 256, 1024] {
        for chunk in [1usize, 100, 4096] {
            let (got, _) = read_all(input.clone(), chunk, rx_len, Role::Client);
            assert_eq!(got.last(), Some(&Got::Err("connection_lost")));
            assert_eq!(reassemble(&got), expected, "rx {rx_len} chunk {chunk}");
            for g in &got {
                if let Got::Binary(b) = g {
                    assert!(b.len() <= rx_len);
                }
            }
        }
    }
}

#[test]
fn text_split_inside_a_code_point_is_validated_across_pieces() {
    let text: std::string::String = "é€😀".repeat(100);
    let mut input = server_frame(true, Opcode::Text, text.as_bytes());
    let (got, _) = read_all(input.clone(), 10, 139, Role::Client);
    let msgs = reassemble(&got);
    assert_eq!(
        msgs,
        std::vec![(MessageKind::Text, text.as_bytes().to_vec())]
    );
    // the same with one invalid byte at the end: 1007 is sent
    let mut bad = text.as_bytes().to_vec();
    bad.push(0xFF);
    input = server_frame(true, Opcode::Text, &bad);
    let (got, written) = read_all(input, 10, 139, Role::Client);
    assert_eq!(got.last(), Some(&Got::Err("frame_invalid_utf8")));
    // The Close carries the diagnostic code as its reason (the connection's rule).
    assert_eq!(
        decode_written(&written, Role::Server),
        std::vec![Got::Close(Some(1007), "frame_invalid_utf8".into())]
    );
}

#[test]
fn protocol_errors_send_the_right_close() {
    // a masked frame sent to a client
    let mut masked = [0u8; 16];
    let n = write_frame(&mut masked, true, Opcode::Text, b"hi", Some([1, 2, 3, 4])).unwrap();
    let (got, written) = read_all(masked[..n].to_vec(), 64, 256, Role::Client);
    assert_eq!(got, std::vec![Got::Err("frame_masked_from_server")]);
    assert_eq!(
        decode_written(&written, Role::Server),
        std::vec![Got::Close(Some(1002), "frame_masked_from_server".into())]
    );
    // an unmasked frame sent to a server, answered unmasked
    let (got, written) = read_all(
        server_frame(true, Opcode::Text, b"hi"),
        64,
        256,
        Role::Server,
    );
    assert_eq!(got, std::vec![Got::Err("frame_unmasked_from_client")]);
    let mut close = std::vec![0x88, 28, 0x03, 0xEA];
    close.extend_from_slice(b"frame_unmasked_from_client");
    assert_eq!(written, close);
    // message over the limit: 1009
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let mock = Mock::new(server_frame(true, Opcode::Binary, &[0; 300]), 64);
    let mut ws = WebSocket::new(
        mock,
        &mut rx,
        &mut tx,
        Role::Client,
        Options::new(1).with_max_message(200),
    )
    .unwrap();
    assert_eq!(own(block_on(ws.read())), Got::Err("frame_message_too_big"));
    assert_eq!(ws.read_error_again(), Got::Err("frame_message_too_big"));
}

impl WebSocket<'_, Mock> {
    fn read_error_again(&mut self) -> Got {
        own(block_on(self.read()))
    }
}

#[test]
fn sends_are_framed_and_masked_through_a_small_write_buffer() {
    let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    for write_max in [1usize, 7, 4096] {
        let mut rx = [0u8; 256];
        let mut tx = [0u8; 139];
        let mut mock = Mock::new(Vec::new(), 1);
        mock.write_max = write_max;
        let mut ws = WebSocket::new(mock, &mut rx, &mut tx, Role::Client, Options::new(7)).unwrap();
        block_on(async {
            ws.send_text("héllo").await.unwrap();
            ws.send_binary(&big).await.unwrap();
            ws.send_fragment(MessageKind::Text, b"ab", false)
                .await
                .unwrap();
            assert_eq!(
                ws.send_text("x").await.map_err(|e| e.code()),
                Err("fragmented_send_in_progress")
            );
            ws.send_ping(b"hb").await.unwrap();
            ws.send_fragment(MessageKind::Text, b"cd", true)
                .await
                .unwrap();
            assert_eq!(
                ws.send_ping(&[0; 126]).await.map_err(|e| e.code()),
                Err("encode_control_too_long")
            );
            assert_eq!(
                ws.send_close(1005, "").await.map_err(|e| e.code()),
                Err("encode_close_code_invalid")
            );
            ws.send_close(1000, "done").await.unwrap();
            assert_eq!(
                ws.send_text("late").await.map_err(|e| e.code()),
                Err("connection_closed")
            );
        });
        let written = ws.into_inner().output;
        assert_eq!(
            decode_written(&written, Role::Server),
            std::vec![
                Got::Piece(MessageKind::Text, "héllo".as_bytes().to_vec(), true, true),
                Got::Piece(MessageKind::Binary, big.clone(), true, true),
                Got::Piece(MessageKind::Text, b"ab".to_vec(), true, false),
                Got::Ping(b"hb".to_vec()),
                Got::Piece(MessageKind::Text, b"cd".to_vec(), true, true),
                Got::Close(Some(1000), "done".into()),
            ],
            "write_max {write_max}"
        );
        // every frame has a different masking key
        assert_ne!(&written[2..6], &written[13..17]);
    }
}

#[test]
fn close_from_this_side_waits_for_the_echo() {
    let mut input = server_frame(true, Opcode::Text, b"late data");
    let mut c = [0u8; 8];
    let n = write_close(&mut c, Some(1000), "", None).unwrap();
    input.extend_from_slice(&c[..n]);
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let mut ws = WebSocket::new(
        Mock::new(input, 3),
        &mut rx,
        &mut tx,
        Role::Client,
        Options::new(3),
    )
    .unwrap();
    assert_eq!(block_on(ws.close(1001, "going")), Ok(1000));
    assert_eq!(ws.close_state(), crate::frame::CloseState::Closed);
    assert_eq!(own(block_on(ws.read())), Got::Err("connection_closed"));
    // the peer drops the connection instead of answering: 1006
    let mut ws = WebSocket::new(
        Mock::new(Vec::new(), 3),
        &mut rx,
        &mut tx,
        Role::Client,
        Options::new(3),
    )
    .unwrap();
    assert_eq!(block_on(ws.close(1000, "")), Ok(1006));
}

#[test]
fn heartbeat_pings_and_declares_the_peer_dead() {
    use crate::heartbeat::{Heartbeat, HeartbeatConfig};
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let mut ws = WebSocket::new(
        Mock::new(Vec::new(), 3),
        &mut rx,
        &mut tx,
        Role::Client,
        Options::new(3),
    )
    .unwrap();
    let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 2_500, 2).unwrap(), 0);
    assert_eq!(block_on(ws.heartbeat(&mut hb, 500)), Ok(Some(1_000)));
    assert_eq!(block_on(ws.heartbeat(&mut hb, 1_000)), Ok(Some(2_000)));
    assert_eq!(block_on(ws.heartbeat(&mut hb, 2_000)), Ok(Some(2_500)));
    let err = block_on(ws.heartbeat(&mut hb, 2_500)).unwrap_err();
    assert_eq!(err.code(), "heartbeat_peer_silent");
    assert!(err.disconnect().is_some());
    let written = ws.into_inner().output;
    assert_eq!(
        decode_written(&written, Role::Server),
        std::vec![
            Got::Ping(1u64.to_be_bytes().to_vec()),
            Got::Ping(2u64.to_be_bytes().to_vec())
        ]
    );
}

const ACCEPT_FOR_SAMPLE: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

#[test]
fn connect_opens_and_keeps_the_first_frame() {
    let mut answer = std::format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT_FOR_SAMPLE}\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
    )
    .into_bytes();
    answer.extend(server_frame(true, Opcode::Text, b"welcome"));
    for chunk in [1usize, 9, 4096] {
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
        let req = ClientRequest::new("a.example", "/ws", *b"the sample nonce")
            .subprotocols(&["x", "chat"]);
        let conn = block_on(connect(
            Mock::new(answer.clone(), chunk),
            &mut rx,
            &mut tx,
            &req,
            Options::new(5),
        ))
        .unwrap();
        assert_eq!(conn.subprotocol, Some("chat"));
        let mut ws = conn.socket;
        assert_eq!(own(block_on(ws.read())), Got::Text("welcome".into()));
        let sent = ws.into_inner().output;
        assert!(sent.starts_with(b"GET /ws HTTP/1.1\r\nHost: a.example\r\n"));
        assert!(sent.ends_with(b"\r\n\r\n"));
    }
}

fn connect_err(
    answer: &[u8],
    rx_len: usize,
) -> (&'static str, Option<u16>, Option<std::string::String>) {
    let mut rx = std::vec![0u8; rx_len];
    let mut tx = [0u8; 512];
    let req = ClientRequest::new("a.example", "/ws", *b"the sample nonce");
    match block_on(connect(
        Mock::new(answer.to_vec(), 5),
        &mut rx,
        &mut tx,
        &req,
        Options::new(5),
    )) {
        Ok(_) => panic!("opened"),
        Err(e) => {
            let (status, code) = match &e {
                ConnectError::Handshake(ClientFailure::Rejected(d)) => {
                    (Some(d.status), d.server_code.map(Into::into))
                }
                _ => (None, None),
            };
            (e.code(), status, code)
        }
    }
}

#[test]
fn connect_diagnoses_refusals() {
    let body = "origin_not_allowed: the Origin is not in the allowlist\nfix: add it\n";
    let r403 = std::format!(
        "HTTP/1.1 403 Forbidden\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(
        connect_err(r403.as_bytes(), 512),
        ("forbidden", Some(403), Some("origin_not_allowed".into()))
    );
    let r200 = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
    assert_eq!(
        connect_err(r200, 512),
        ("http_200_not_websocket", Some(200), None)
    );
    assert_eq!(connect_err(b"", 512), ("no_handshake_response", None, None));
    assert_eq!(
        connect_err(b"HTTP/1.1 101 Switching", 512),
        ("no_handshake_response", None, None)
    );
    assert_eq!(
        connect_err(b"SSH-2.0-OpenSSH_9.6\r\n\r\n", 512),
        ("malformed_response", None, None)
    );
    let long = std::format!(
        "HTTP/1.1 101 Switching Protocols\r\nX: {}\r\n\r\n",
        "a".repeat(600)
    );
    assert_eq!(
        connect_err(long.as_bytes(), 512),
        ("response_exceeds_buffer", None, None)
    );
    let wrong = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
    assert_eq!(connect_err(wrong, 512), ("accept_mismatch", None, None));
    // the retry advice follows the status
    let mut rx = [0u8; 512];
    let mut tx = [0u8; 512];
    let req = ClientRequest::new("a.example", "/ws", [0; 16]);
    let e = block_on(connect(
        Mock::new(
            b"HTTP/1.1 429 Too Many\r\nRetry-After: 9\r\n\r\n".to_vec(),
            50,
        ),
        &mut rx,
        &mut tx,
        &req,
        Options::new(1),
    ))
    .unwrap_err();
    assert_eq!(
        e.disconnect(),
        Some(crate::reconnect::Disconnect::HttpStatus {
            status: 429,
            retry_after_s: Some(9)
        })
    );
    assert!(
        matches!(e, ConnectError::Handshake(ClientFailure::Rejected(d)) if d.kind == DiagnosisKind::RateLimited)
    );
}

const REQUEST: &str = "GET /ws HTTP/1.1\r\nHost: dev.local\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://app.example.com\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

#[test]
fn accept_answers_101_and_reads_masked_frames() {
    let patterns = [Pattern::parse("https://app.example.com").unwrap()];
    let cfg = ServerConfig::new(OriginPolicy::new(&patterns)).subprotocols(&["chat"]);
    let mut input = REQUEST.as_bytes().to_vec();
    let mut f = [0u8; 32];
    let n = write_frame(&mut f, true, Opcode::Text, b"hi server", Some([9, 8, 7, 6])).unwrap();
    input.extend_from_slice(&f[..n]);
    for chunk in [1usize, 17, 4096] {
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
        let mut path = std::string::String::new();
        let conn = block_on(accept_with(
            Mock::new(input.clone(), chunk),
            &mut rx,
            &mut tx,
            &cfg,
            Options::default(),
            |a| {
                path = a.path.into();
                Ok(())
            },
        ))
        .unwrap();
        assert_eq!((conn.subprotocol, path.as_str()), (Some("chat"), "/ws"));
        let mut ws = conn.socket;
        assert_eq!(own(block_on(ws.read())), Got::Text("hi server".into()));
        block_on(ws.send_text("hi client")).unwrap();
        let out = ws.into_inner().output;
        let text = std::string::String::from_utf8_lossy(&out).into_owned();
        assert!(text.starts_with(&std::format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT_FOR_SAMPLE}\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        )));
        assert!(out.ends_with(b"\x81\x09hi client"));
    }
}

#[test]
fn accept_sends_the_exact_rejection() {
    let patterns = [Pattern::parse("https://other.example.com").unwrap()];
    let cfg = ServerConfig::new(OriginPolicy::new(&patterns));
    // big buffers: the full answer with its body
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
    let mut mock = Mock::new(REQUEST.as_bytes().to_vec(), 64);
    let err = block_on(accept(
        &mut mock,
        &mut rx,
        &mut tx,
        &cfg,
        Options::default(),
    ))
    .unwrap_err();
    assert_eq!(err.status(), Some(403));
    let text = std::string::String::from_utf8(mock.output.clone()).unwrap();
    assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
    assert!(
        text.contains(&std::format!("\r\n\r\n{}: ", err.code())),
        "{text}"
    );
    // small buffers: the status line alone
    let mut rx = std::vec![0u8; REQUEST.len() + 5];
    let mut tx = [0u8; 139];
    let mut mock = Mock::new(REQUEST.as_bytes().to_vec(), 64);
    block_on(accept(
        &mut mock,
        &mut rx,
        &mut tx,
        &cfg,
        Options::default(),
    ))
    .unwrap_err();
    assert_eq!(
        mock.output,
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    // the application refuses it
    let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    let open = ServerConfig::new(OriginPolicy::new(&allowed)).subprotocols(&["chat"]);
    let mut mock = Mock::new(REQUEST.as_bytes().to_vec(), 64);
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
    let err = block_on(accept_with(
        &mut mock,
        &mut rx,
        &mut tx,
        &open,
        Options::default(),
        |_| Err(Rejection::TokenMalformed),
    ))
    .unwrap_err();
    assert_eq!(err, AcceptError::Rejected(Rejection::TokenMalformed));
    assert!(mock
        .output
        .starts_with(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"));
    // a request head larger than the buffer: 431
    let long = std::format!("GET /ws HTTP/1.1\r\nX: {}\r\n", "a".repeat(400));
    let mut mock = Mock::new(long.into_bytes(), 64);
    let (mut rx, mut tx) = ([0u8; 300], [0u8; 139]);
    let err = block_on(accept(
        &mut mock,
        &mut rx,
        &mut tx,
        &cfg,
        Options::default(),
    ))
    .unwrap_err();
    assert_eq!(err.status(), Some(431));
    // EOF
    let (mut rx, mut tx) = ([0u8; 300], [0u8; 139]);
    let err = block_on(accept(
        Mock::new(b"GET / HT".to_vec(), 64),
        &mut rx,
        &mut tx,
        &cfg,
        Options::default(),
    ))
    .unwrap_err();
    assert_eq!(err, AcceptError::NoRequest);
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn no_panic_and_no_hang_on_arbitrary_bytes() {
    let (valid, _) = session_input();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for i in 0..20_000 {
        let mut input = if i % 2 == 0 {
            let n = (rng.next() % 300) as usize;
            (0..n).map(|_| rng.next() as u8).collect::<Vec<u8>>()
        } else {
            let mut v = valid.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % v.len();
                v[at] = rng.next() as u8;
            }
            v
        };
        input.truncate(4096);
        let chunk = 1 + (rng.next() % 200) as usize;
        let role = if i % 3 == 0 {
            Role::Server
        } else {
            Role::Client
        };
        let (got, _) = read_all(
            input.clone(),
            chunk,
            139 + (rng.next() % 300) as usize,
            role,
        );
        assert!(
            matches!(got.last(), Some(Got::Err(_))),
            "every input ends in an error"
        );
        // the client handshake too
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
        let req = ClientRequest::new("a", "/", [0; 16]);
        let _ = block_on(connect(
            Mock::new(input.clone(), chunk),
            &mut rx,
            &mut tx,
            &req,
            Options::new(1),
        ))
        .map(|_| ());
        let cfg = ServerConfig::new(OriginPolicy::new(&[]));
        let _ = block_on(accept(
            Mock::new(input, chunk),
            &mut rx,
            &mut tx,
            &cfg,
            Options::new(1),
        ))
        .map(|_| ());
    }
}

#[test]
fn close_payload_reaches_the_caller() {
    let mut c = [0u8; 32];
    let n = write_close(&mut c, Some(4403), "origin", None).unwrap();
    let (got, _) = read_all(c[..n].to_vec(), 2, 139, Role::Client);
    assert_eq!(got[0], Got::Close(Some(4403), "origin".into()));
    let m = Message::Close(ClosePayload {
        code: None,
        reason: "",
    });
    assert_eq!(
        m.disconnect(),
        Some(crate::reconnect::Disconnect::Close(1005))
    );
    let e: Error<()> = Error::Protocol(ProtocolError::FrameTooBig);
    assert_eq!(
        e.disconnect(),
        Some(crate::reconnect::Disconnect::Close(1009))
    );
}
