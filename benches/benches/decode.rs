//! Frame header decode and a stream of many small masked frames, side by side (`make bench`).
//!
//! * `header/<encoding>/<lib>` — one masked header (7-, 16- or 64-bit length) parsed from a
//!   slice: `wsguard_core::frame::FrameHeader::parse(bytes, strict = true)` against
//!   `tungstenite::protocol::frame::FrameHeader::parse(&mut Cursor)`. fastwebsockets has no
//!   public header parser (it is inside `WebSocket::read_frame`), so it appears only in the
//!   stream benchmark.
//! * `stream/1000_small_frames/<lib>` — 1000 masked binary frames of 1–125 bytes (64 KiB in
//!   all), from an in-memory socket: each library copies the bytes into its buffer once,
//!   parses every header and unmasks every payload. wsguard: one `copy_from_slice` of the
//!   whole stream, then `Decoder::decode` (or `decode_streaming`) frame after frame;
//!   tungstenite: `FrameSocket::read` 1000 times; fastwebsockets: `WebSocket::read_frame`
//!   1000 times (server role). Binary frames, so no library validates UTF-8.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::io::Cursor;
use wsguard_bench::peers::{block_on, criterion, Replay};
use wsguard_bench::{small_frame_stream, HEADERS, STREAM_FRAMES};
use wsguard_core::frame::header::HeaderStatus;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event, FrameHeader};

fn header(c: &mut Criterion) {
    let mut g = c.benchmark_group("header");
    g.throughput(Throughput::Elements(1));
    for (name, bytes) in HEADERS {
        g.bench_function(BenchmarkId::new(name, "wsguard"), |b| {
            b.iter(|| match FrameHeader::parse(black_box(bytes), true) {
                Ok(HeaderStatus::Complete(h)) => black_box(h.payload_len),
                other => panic!("{other:?}"),
            })
        });
        g.bench_function(BenchmarkId::new(name, "tungstenite"), |b| {
            b.iter(|| {
                let mut cur = Cursor::new(black_box(bytes));
                match tungstenite::protocol::frame::FrameHeader::parse(&mut cur) {
                    Ok(Some((_, len))) => black_box(len),
                    other => panic!("{other:?}"),
                }
            })
        });
    }
    g.finish();
}

fn decode_all(dec: &mut Decoder, buf: &mut [u8], streaming: bool) -> usize {
    let (mut at, mut bytes) = (0, 0);
    while at < buf.len() {
        let r = if streaming {
            dec.decode_streaming(&mut buf[at..])
        } else {
            dec.decode(&mut buf[at..])
        };
        match r {
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
    bytes
}

fn stream(c: &mut Criterion) {
    let (wire, total) = small_frame_stream();
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Elements(STREAM_FRAMES as u64));
    let id = |lib: &str| BenchmarkId::new("1000_small_frames", lib);

    for (lib, streaming) in [("wsguard", false), ("wsguard_streaming", true)] {
        g.bench_function(id(lib), |b| {
            let mut buf = vec![0u8; wire.len()];
            let mut dec = Decoder::new(DecoderConfig::server());
            b.iter(|| {
                buf.copy_from_slice(black_box(&wire)); // the socket read
                assert_eq!(decode_all(&mut dec, &mut buf, streaming), total);
            })
        });
    }

    g.bench_function(id("tungstenite"), |b| {
        let mut sock = tungstenite::protocol::frame::FrameSocket::new(Replay::new(wire.clone()));
        b.iter(|| {
            for _ in 0..STREAM_FRAMES {
                black_box(sock.read(None).unwrap().unwrap());
            }
        })
    });

    g.bench_function(id("fastwebsockets"), |b| {
        let mut ws = fastwebsockets::WebSocket::after_handshake(
            Replay::new(wire.clone()),
            fastwebsockets::Role::Server,
        );
        b.iter(|| {
            for _ in 0..STREAM_FRAMES {
                black_box(block_on(ws.read_frame()).unwrap().payload.len());
            }
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = criterion(); targets = header, stream }
criterion_main!(benches);
