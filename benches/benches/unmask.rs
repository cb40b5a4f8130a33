//! Unmask throughput, side by side (`make bench`).
//!
//! * `unmask/<size>/<start>/<lib>` — the bare XOR over a buffer already in memory:
//!   `wsguard_core::frame::unmask(buf, key, 0)` against `fastwebsockets::unmask(buf, key)`,
//!   at a 64-byte-aligned start and one byte after it.
//!   tungstenite's `apply_mask` is private in 0.30 (`mod mask;` in `protocol::frame`); its
//!   body is the same `align_to_mut::<u32>()` loop as fastwebsockets' `unmask_fallback`,
//!   so the fastwebsockets line is also tungstenite's algorithm.
//! * `unmask_start/<size>/start<N>/<variant>` — sizes ≥ 1 KiB at start offsets 0–7, 17,
//!   33 and 63 bytes past a 64-byte boundary: wsguard against the safe reference loops of
//!   `wsguard_bench::safe_unmask` (plain u64; bytes to an 8-/32-byte boundary, then u64).
//!   Issue 17's target: wsguard ≥ 0.95× the best of them at every size and start.
//! * `unmask_simd/<size>/<start>/<variant>` — the opt-in `wsguard_simd::unmask`
//!   (runtime-detected AVX2/NEON) beside the core's safe `frame::unmask` and a `memcpy`
//!   (`copy_from_slice`) of the same number of bytes, at a 64-byte-aligned start and one
//!   byte after it. Issue 17's target: the AVX2 figure at 1 KiB.
//! * `frame_read/<size>/<lib>` — the nearest public path of each library that ends with an
//!   unmasked payload: one masked frame of `size` bytes taken from an in-memory socket
//!   (memcpy into the library's buffer), header parsed, payload unmasked.
//!   wsguard: `copy_from_slice` into the caller's buffer + `Decoder::decode`;
//!   tungstenite: `FrameSocket::read`; fastwebsockets: `WebSocket::read_frame` (server role).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::io::Read;
use wsguard_bench::peers::{block_on, criterion, Replay};
use wsguard_bench::{masked_frame, safe_unmask, AlignedBuf, KEY, UNMASK_SIZES};
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};

fn size_label(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{}MiB", n >> 20),
        n if n >= 1 << 10 => format!("{}KiB", n >> 10),
        n => format!("{n}B"),
    }
}

fn unmask(c: &mut Criterion) {
    for &size in &UNMASK_SIZES {
        let mut g = c.benchmark_group(format!("unmask/{}", size_label(size)));
        g.throughput(Throughput::Bytes(size as u64));
        let mut buf = AlignedBuf::new(size);
        for start in ["aligned", "misaligned"] {
            g.bench_function(BenchmarkId::new(start, "wsguard"), |b| {
                let data = if start == "aligned" {
                    buf.aligned()
                } else {
                    buf.misaligned()
                };
                b.iter(|| wsguard_core::frame::unmask(black_box(&mut *data), black_box(KEY), 0))
            });
            g.bench_function(BenchmarkId::new(start, "fastwebsockets"), |b| {
                let data = if start == "aligned" {
                    buf.aligned()
                } else {
                    buf.misaligned()
                };
                b.iter(|| fastwebsockets::unmask(black_box(&mut *data), black_box(KEY)))
            });
        }
        g.finish();
    }
}

/// Start offsets past a 64-byte boundary for `unmask_start`.
const STARTS: [usize; 11] = [0, 1, 2, 3, 4, 5, 6, 7, 17, 33, 63];

fn unmask_start(c: &mut Criterion) {
    type Variant = (&'static str, fn(&mut [u8], [u8; 4]));
    let variants: [Variant; 4] = [
        ("wsguard", |b, k| wsguard_core::frame::unmask(b, k, 0)),
        ("safe_u64_plain", safe_unmask::u64_plain),
        ("safe_u64_align8", |b, k| safe_unmask::u64_align(b, k, 8)),
        ("safe_u64_align32", |b, k| safe_unmask::u64_align(b, k, 32)),
    ];
    for &size in UNMASK_SIZES.iter().filter(|&&s| s >= 1024) {
        let mut g = c.benchmark_group(format!("unmask_start/{}", size_label(size)));
        g.throughput(Throughput::Bytes(size as u64));
        let mut storage = vec![0u8; size + 192];
        let base = storage.as_ptr().align_offset(64);
        for start in STARTS {
            for (name, f) in variants {
                let data = &mut storage[base + start..base + start + size];
                g.bench_function(BenchmarkId::new(format!("start{start}"), name), |b| {
                    b.iter(|| f(black_box(&mut *data), black_box(KEY)))
                });
            }
        }
        g.finish();
    }
}

fn unmask_simd(c: &mut Criterion) {
    for &size in UNMASK_SIZES.iter().filter(|&&s| s >= 1024) {
        let mut g = c.benchmark_group(format!("unmask_simd/{}", size_label(size)));
        g.throughput(Throughput::Bytes(size as u64));
        let mut storage = vec![0u8; size + 192];
        let src = vec![0x5au8; size];
        let base = storage.as_ptr().align_offset(64);
        for start in [0usize, 1] {
            let label = if start == 0 { "aligned" } else { "misaligned" };
            let data = &mut storage[base + start..base + start + size];
            g.bench_function(BenchmarkId::new(label, "wsguard_core"), |b| {
                b.iter(|| wsguard_core::frame::unmask(black_box(&mut *data), black_box(KEY), 0))
            });
            g.bench_function(BenchmarkId::new(label, "wsguard_simd"), |b| {
                b.iter(|| wsguard_simd::unmask(black_box(&mut *data), black_box(KEY), 0))
            });
            g.bench_function(BenchmarkId::new(label, "memcpy"), |b| {
                b.iter(|| data.copy_from_slice(black_box(&src)))
            });
        }
        g.finish();
    }
}

fn frame_read(c: &mut Criterion) {
    for &size in &UNMASK_SIZES {
        let mut g = c.benchmark_group(format!("frame_read/{}", size_label(size)));
        g.throughput(Throughput::Bytes(size as u64));
        let wire = masked_frame(size);

        g.bench_function("wsguard", |b| {
            let mut sock = Replay::new(wire.clone());
            let mut buf = vec![0u8; wire.len()];
            let mut dec = Decoder::new(DecoderConfig::server());
            b.iter(|| {
                let n = sock.read(&mut buf).unwrap();
                match dec.decode(&mut buf[..n]) {
                    Ok(Decoded::Event {
                        event: Event::Data { payload, .. },
                        ..
                    }) => {
                        black_box(payload);
                    }
                    other => panic!("{other:?}"),
                }
            })
        });

        g.bench_function("tungstenite", |b| {
            let mut sock =
                tungstenite::protocol::frame::FrameSocket::new(Replay::new(wire.clone()));
            b.iter(|| {
                let frame = sock.read(None).unwrap().unwrap();
                assert_eq!(frame.len() - frame.header().len(size as u64), size);
                black_box(frame)
            })
        });

        g.bench_function("fastwebsockets", |b| {
            let mut ws = fastwebsockets::WebSocket::after_handshake(
                Replay::new(wire.clone()),
                fastwebsockets::Role::Server,
            );
            ws.set_max_message_size(2 << 20);
            b.iter(|| {
                let frame = block_on(ws.read_frame()).unwrap();
                assert_eq!(frame.payload.len(), size);
                black_box(frame.payload.len())
            })
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = criterion(); targets = unmask, unmask_start, unmask_simd, frame_read }
criterion_main!(benches);
