//! # wsguard-simd — vectorised unmasking for hosted builds, opt-in
//!
//! The core's [`wsguard_core::frame::unmask`] is safe Rust, word at a time; LLVM
//! vectorises it with the target's baseline (SSE2 on x86_64). On CPUs with AVX2, a loop
//! of 32-byte registers is faster for payloads that sit in L1 (about 1 KiB; see
//! BENCHMARKS.md). This crate is that loop, detected at run time, and **the only place in
//! wsguard with `unsafe` code** (`#![deny(unsafe_code)]` everywhere else): one module,
//! `x86.rs` / `arm.rs`, each `unsafe` block justified where it stands, checked against the
//! core at every length, start and offset by the tests here and by the fuzz target
//! `unmask_simd`.
//!
//! Use it by handing [`UNMASKER`] to the core's decoder or connection configuration; on a
//! CPU without AVX2 (or NEON) it calls the core's safe function, so the result is the
//! same everywhere:
//!
//! ```
//! use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};
//! let cfg = DecoderConfig::server().with_unmasker(wsguard_simd::UNMASKER);
//! let mut frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
//! let mut d = Decoder::new(cfg);
//! match d.decode(&mut frame).unwrap() {
//!     Decoded::Event { event: Event::Data { payload, .. }, .. } => assert_eq!(payload, b"Hello"),
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! Panic contract: none of these functions panics, for any input.

use core::sync::atomic::{AtomicU8, Ordering};
use wsguard_core::frame::Unmasker;

#[cfg(target_arch = "aarch64")]
mod arm;
#[cfg(target_arch = "x86_64")]
mod x86;

/// The runtime-dispatched unmask for [`DecoderConfig::with_unmasker`](wsguard_core::frame::DecoderConfig::with_unmasker).
pub const UNMASKER: Unmasker = Unmasker::new(unmask);

/// Below this length the core's loop is as fast (the vector loop's set-up does not pay).
pub const VECTOR_FROM: usize = 64;

/// XORs `buf` with `key` from payload position `offset`: exactly
/// [`wsguard_core::frame::unmask`], vectorised when the CPU allows.
///
/// ```
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut a = vec![0x5a_u8; 1000];
/// let mut b = a.clone();
/// wsguard_simd::unmask(&mut a, key, 3);
/// wsguard_core::frame::unmask(&mut b, key, 3);
/// assert_eq!(a, b);
/// ```
#[inline]
pub fn unmask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    if buf.len() >= VECTOR_FROM {
        match level() {
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => return x86::unmask_avx2(buf, key, offset),
            #[cfg(target_arch = "aarch64")]
            Level::Neon => return arm::unmask_neon(buf, key, offset),
            _ => {}
        }
    }
    wsguard_core::frame::unmask(buf, key, offset)
}

/// What this CPU offers, detected once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The core's safe loop.
    Portable,
    /// x86_64 with AVX2.
    Avx2,
    /// aarch64 with NEON.
    Neon,
}

static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The vector level [`unmask`] uses on this CPU (`WSGUARD_SIMD=off` in the environment
/// forces [`Level::Portable`], for comparisons).
///
/// ```
/// let l = wsguard_simd::level();
/// assert!(matches!(l, wsguard_simd::Level::Portable | wsguard_simd::Level::Avx2 | wsguard_simd::Level::Neon));
/// ```
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        1 => Level::Portable,
        2 => Level::Avx2,
        3 => Level::Neon,
        _ => {
            let l = detect();
            let code = match l {
                Level::Portable => 1,
                Level::Avx2 => 2,
                Level::Neon => 3,
            };
            LEVEL.store(code, Ordering::Relaxed);
            l
        }
    }
}

fn detect() -> Level {
    if std::env::var_os("WSGUARD_SIMD").is_some_and(|v| v == "off") {
        return Level::Portable;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return Level::Avx2;
    }
    #[cfg(target_arch = "aarch64")]
    if std::arch::is_aarch64_feature_detected!("neon") {
        return Level::Neon;
    }
    Level::Portable
}

/// The key rotated to payload position `offset` (as the core does).
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    let o = offset & 3;
    [key[o], key[(o + 1) & 3], key[(o + 2) & 3], key[(o + 3) & 3]]
}

#[cfg(test)]
mod tests;
