//! Runs one benchmarked operation N times, for counting instructions under
//! `valgrind --tool=callgrind` (load-independent, unlike wall-clock time on a shared
//! machine). `scripts/bench.sh` runs each case with N and 2N and reports the difference ÷ N,
//! which cancels start-up and set-up costs.
//!
//!     instructions <case> <n>      cases: wsguard_handshake tungstenite_handshake
//!                                         wsguard_stream tungstenite_stream fastwebsockets_stream

use std::hint::black_box;
use std::io::Read;
use tungstenite::handshake::machine::TryParse;
use tungstenite::handshake::server::{create_response, write_response, Request};
use wsguard_bench::peers::{block_on, Replay};
use wsguard_bench::*;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};
use wsguard_core::handshake::{validate_request, write_accept_response};
use wsguard_core::Status;

fn wsguard_handshake(n: usize) -> usize {
    with_server_config(|cfg| {
        let mut out = [0u8; 256];
        (0..n)
            .map(
                |_| match validate_request(cfg, black_box(HANDSHAKE_REQUEST)) {
                    Ok(Status::Complete(a)) => write_accept_response(&a, &mut out).unwrap(),
                    other => panic!("{other:?}"),
                },
            )
            .sum()
    })
}

/// The same steps as `benches/handshake.rs` (`handshake/full/tungstenite`).
fn tungstenite_handshake(n: usize) -> usize {
    let mut out = Vec::with_capacity(256);
    (0..n)
        .map(|_| {
            let (_, req) = Request::try_parse(black_box(HANDSHAKE_REQUEST))
                .unwrap()
                .unwrap();
            let resp = create_response(&req).unwrap();
            let h = req.headers();
            assert!(h.get("Origin").is_some_and(|v| v == ALLOWED_ORIGIN));
            assert!(h.get("Host").is_some_and(|v| v == ALLOWED_HOST));
            out.clear();
            write_response(&mut out, &resp).unwrap();
            out.len()
        })
        .sum()
}

/// `n` passes over the 1000-frame stream, as in `benches/decode.rs`.
fn wsguard_stream(n: usize) -> usize {
    let (wire, _) = small_frame_stream();
    let mut sock = Replay::new(wire.clone());
    let mut buf = vec![0u8; wire.len()];
    let mut dec = Decoder::new(DecoderConfig::server());
    let mut bytes = 0;
    for _ in 0..n {
        let len = sock.read(&mut buf).unwrap();
        let mut at = 0;
        while at < len {
            match dec.decode(&mut buf[at..len]) {
                Ok(Decoded::Event {
                    consumed,
                    event: Event::Data { payload, .. },
                }) => {
                    at += consumed;
                    bytes += black_box(payload).len();
                }
                other => panic!("{other:?}"),
            }
        }
    }
    bytes
}

fn tungstenite_stream(n: usize) -> usize {
    let (wire, _) = small_frame_stream();
    let mut sock = tungstenite::protocol::frame::FrameSocket::new(Replay::new(wire));
    (0..n * STREAM_FRAMES)
        .map(|_| black_box(sock.read(None).unwrap().unwrap()).len())
        .sum()
}

fn fastwebsockets_stream(n: usize) -> usize {
    let (wire, _) = small_frame_stream();
    let mut ws =
        fastwebsockets::WebSocket::after_handshake(Replay::new(wire), fastwebsockets::Role::Server);
    (0..n * STREAM_FRAMES)
        .map(|_| black_box(block_on(ws.read_frame()).unwrap().payload.len()))
        .sum()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (case, n) = match (
        args.next(),
        args.next().and_then(|s| s.parse::<usize>().ok()),
    ) {
        (Some(c), Some(n)) => (c, n),
        _ => {
            eprintln!("usage: instructions <case> <n>");
            std::process::exit(2)
        }
    };
    let r = match case.as_str() {
        "wsguard_handshake" => wsguard_handshake(n),
        "tungstenite_handshake" => tungstenite_handshake(n),
        "wsguard_stream" => wsguard_stream(n),
        "tungstenite_stream" => tungstenite_stream(n),
        "fastwebsockets_stream" => fastwebsockets_stream(n),
        other => {
            eprintln!("unknown case {other}");
            std::process::exit(2)
        }
    };
    println!("{r}");
}
