//! Shared inputs for the side-by-side benchmarks (`benches/*.rs`, run by `make bench`) and
//! for the zero-allocation test (`tests/zero_alloc_frames.rs`, run by `make test`).
//!
//! Every input is deterministic (a fixed xorshift seed), so each peer library is measured
//! on exactly the same bytes. Nothing here depends on the peers: they are behind the
//! `peers` feature, which only `scripts/bench.sh` turns on.

use wsguard_core::frame::{encoder, Opcode};
use wsguard_core::handshake::ServerConfig;
use wsguard_core::origin::{HostPolicy, OriginPolicy, Pattern};

/// The masking key used by every unmask benchmark.
pub const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The payload sizes of the unmask benchmarks: 16 B, 125 B (largest control frame),
/// 1 KiB, 64 KiB and 1 MiB.
pub const UNMASK_SIZES: [usize; 5] = [16, 125, 1024, 64 * 1024, 1024 * 1024];

/// A deterministic xorshift64 generator (no `rand`, same bytes on every machine).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as usize
    }
}

/// `len` pseudo-random bytes.
pub fn payload(len: usize) -> Vec<u8> {
    let mut rng = XorShift::new(0x9e37_79b9_7f4a_7c15);
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// A byte buffer whose window can start on a 64-byte boundary (`aligned`) or one byte
/// after it (`misaligned`), so both starts are measured on the same allocation.
#[derive(Debug, Clone)]
pub struct AlignedBuf {
    storage: Vec<u8>,
    base: usize,
    len: usize,
}

impl AlignedBuf {
    /// A window of `len` pseudo-random bytes.
    pub fn new(len: usize) -> Self {
        let mut storage = vec![0u8; len + 128];
        let base = storage.as_ptr().align_offset(64);
        storage[base..base + len + 1].copy_from_slice(&payload(len + 1));
        AlignedBuf { storage, base, len }
    }

    /// The window starting on a 64-byte boundary.
    pub fn aligned(&mut self) -> &mut [u8] {
        &mut self.storage[self.base..self.base + self.len]
    }

    /// The window starting one byte after a 64-byte boundary.
    pub fn misaligned(&mut self) -> &mut [u8] {
        &mut self.storage[self.base + 1..self.base + 1 + self.len]
    }
}

/// One masked binary frame (client to server) carrying `payload_len` bytes.
pub fn masked_frame(payload_len: usize) -> Vec<u8> {
    let body = payload(payload_len);
    let mut out = vec![0u8; encoder::header_len(payload_len as u64, true) + payload_len];
    let n = encoder::write_frame(&mut out, true, Opcode::Binary, &body, Some(KEY))
        .expect("buffer sized by header_len");
    out.truncate(n);
    out
}

/// Number of frames in [`small_frame_stream`].
pub const STREAM_FRAMES: usize = 1000;

/// A stream of [`STREAM_FRAMES`] masked binary frames (client to server), payloads of
/// 1–125 bytes (7-bit lengths, 6-byte headers), each with its own key. Returns the bytes
/// and the total payload length.
pub fn small_frame_stream() -> (Vec<u8>, usize) {
    let mut rng = XorShift::new(0xdead_beef);
    let mut out = Vec::new();
    let mut total = 0;
    for _ in 0..STREAM_FRAMES {
        let len = rng.range(1, 125);
        let key = (rng.next_u64() as u32).to_be_bytes();
        let body: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let mut frame = [0u8; 6 + 125];
        let n = encoder::write_frame(&mut frame, true, Opcode::Binary, &body, Some(key))
            .expect("131 bytes hold any small frame");
        out.extend_from_slice(&frame[..n]);
        total += len;
    }
    (out, total)
}

/// Masked frame headers of the three length encodings: 7-bit (6 bytes), 16-bit
/// (8 bytes) and 64-bit (14 bytes).
pub const HEADERS: [(&str, &[u8]); 3] = [
    ("len7_masked", &[0x82, 0xfd, 0x37, 0xfa, 0x21, 0x3d]),
    (
        "len16_masked",
        &[0x82, 0xfe, 0x04, 0x00, 0x37, 0xfa, 0x21, 0x3d],
    ),
    (
        "len64_masked",
        &[
            0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 0x37, 0xfa, 0x21, 0x3d,
        ],
    ),
];

/// A browser's upgrade request as Chrome sends it (13 header lines, 520 bytes).
pub const HANDSHAKE_REQUEST: &[u8] = b"GET /chat?room=lobby HTTP/1.1\r\n\
Host: chat.example.com\r\n\
Connection: Upgrade\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n\
Upgrade: websocket\r\n\
Origin: https://app.example.com\r\n\
Sec-WebSocket-Version: 13\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
\r\n";

/// The allowed Origin of the handshake benchmark.
pub const ALLOWED_ORIGIN: &str = "https://app.example.com";
/// The allowed Host of the handshake benchmark.
pub const ALLOWED_HOST: &str = "chat.example.com";
/// The accept value [`HANDSHAKE_REQUEST`]'s key must produce (RFC 6455 §1.3).
pub const EXPECTED_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Calls `f` with the server configuration of the handshake benchmark: Origin
/// [`ALLOWED_ORIGIN`], Host [`ALLOWED_HOST`], no subprotocol, no token, default limits.
pub fn with_server_config<R>(f: impl FnOnce(&ServerConfig<'_>) -> R) -> R {
    let patterns = [Pattern::parse(ALLOWED_ORIGIN).expect("valid pattern")];
    let hosts = [ALLOWED_HOST];
    let cfg = ServerConfig::new(OriginPolicy::new(&patterns)).hosts(HostPolicy::new(&hosts));
    f(&cfg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};
    use wsguard_core::handshake::{validate_request, write_accept_response};
    use wsguard_core::Status;

    #[test]
    fn aligned_buf_windows() {
        let mut b = AlignedBuf::new(100);
        assert_eq!(b.aligned().as_ptr() as usize % 64, 0);
        assert_eq!(b.misaligned().as_ptr() as usize % 64, 1);
        assert_eq!(b.aligned().len(), 100);
        assert_eq!(b.misaligned().len(), 100);
    }

    #[test]
    fn small_frame_stream_decodes_to_its_payload_total() {
        let (mut wire, total) = small_frame_stream();
        let mut dec = Decoder::new(DecoderConfig::server());
        let (mut at, mut frames, mut bytes) = (0, 0, 0);
        while at < wire.len() {
            match dec.decode(&mut wire[at..]).unwrap() {
                Decoded::Event {
                    consumed,
                    event: Event::Data { payload, .. },
                } => {
                    at += consumed;
                    frames += 1;
                    bytes += payload.len();
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((frames, bytes), (STREAM_FRAMES, total));
    }

    #[test]
    fn handshake_request_is_accepted() {
        with_server_config(|cfg| {
            let Status::Complete(a) = validate_request(cfg, HANDSHAKE_REQUEST).unwrap() else {
                panic!("partial")
            };
            assert_eq!(a.accept.as_str(), EXPECTED_ACCEPT);
            assert_eq!(a.consumed, HANDSHAKE_REQUEST.len());
            let mut out = [0u8; 256];
            let n = write_accept_response(&a, &mut out).unwrap();
            assert_eq!(n, 129);
        });
    }

    #[test]
    fn masked_frame_has_minimal_header() {
        assert_eq!(masked_frame(16).len(), 6 + 16);
        assert_eq!(masked_frame(1024).len(), 8 + 1024);
        assert_eq!(masked_frame(1 << 20).len(), 14 + (1 << 20));
    }
}

/// Helpers the benchmarks need to drive the peers over memory (feature `peers`).
#[cfg(feature = "peers")]
pub mod peers {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    /// The criterion settings of every group: short warm-up and measurement, so that
    /// `make bench` stays within a few minutes on two cores.
    pub fn criterion() -> criterion::Criterion {
        criterion::Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(1200))
            .sample_size(40)
            .without_plots()
    }

    /// An endless in-memory "socket" that serves the same bytes over and over and
    /// discards writes. Each `read` copies as much as the reader asks for, like a kernel
    /// socket with the data already queued; the wrap-around is seamless because the
    /// bytes are whole frames.
    #[derive(Debug)]
    pub struct Replay {
        bytes: Vec<u8>,
        at: usize,
    }

    impl Replay {
        /// A replay of `bytes` (must be non-empty).
        pub fn new(bytes: Vec<u8>) -> Self {
            assert!(!bytes.is_empty());
            Replay { bytes, at: 0 }
        }

        fn fill(&mut self, out: &mut [u8]) -> usize {
            let mut n = 0;
            while n < out.len() {
                let take = (out.len() - n).min(self.bytes.len() - self.at);
                out[n..n + take].copy_from_slice(&self.bytes[self.at..self.at + take]);
                n += take;
                self.at = (self.at + take) % self.bytes.len();
                if self.at == 0 {
                    break; // one pass per read, like a socket returning what is queued
                }
            }
            n
        }
    }

    impl io::Read for Replay {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            Ok(self.fill(out))
        }
    }

    impl io::Write for Replay {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl tokio::io::AsyncRead for Replay {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            // `put_slice` writes into the uninitialised tail without zeroing it first,
            // as a kernel read would.
            let this = self.get_mut();
            let take = buf.remaining().min(this.bytes.len() - this.at);
            buf.put_slice(&this.bytes[this.at..this.at + take]);
            this.at = (this.at + take) % this.bytes.len();
            Poll::Ready(Ok(()))
        }
    }

    impl tokio::io::AsyncWrite for Replay {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            b: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(b.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Polls a future that never waits (all its I/O is [`Replay`]) to completion.
    pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("in-memory I/O never waits"),
        }
    }
}

/// Safe reference loops `frame::unmask` is measured against (`unmask_start/…` in
/// `benches/unmask.rs`, `examples/unmask_variants.rs`): the best safe variants tried.
pub mod safe_unmask {
    /// Eight bytes at a time from the start, whatever its alignment (wsguard before
    /// issue 17), then the tail byte by byte.
    pub fn u64_plain(buf: &mut [u8], key: [u8; 4]) {
        let word = u64::from_ne_bytes([
            key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
        ]);
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            let v = u64::from_ne_bytes(c.try_into().unwrap()) ^ word;
            c.copy_from_slice(&v.to_ne_bytes());
        }
        for (b, m) in chunks.into_remainder().iter_mut().zip(key.iter().cycle()) {
            *b ^= *m;
        }
    }

    /// Bytes up to the first `align`-byte boundary, then [`u64_plain`] with the key
    /// rotated past them (`align` 8: the loop issue 17 measured at 64–65 GB/s).
    pub fn u64_align(buf: &mut [u8], key: [u8; 4], align: usize) {
        let head = buf.as_ptr().align_offset(align).min(buf.len());
        let (h, body) = buf.split_at_mut(head);
        for (b, m) in h.iter_mut().zip(key.iter().cycle()) {
            *b ^= *m;
        }
        let o = head & 3;
        u64_plain(
            body,
            [key[o], key[(o + 1) & 3], key[(o + 2) & 3], key[(o + 3) & 3]],
        );
    }
}
