//! In-place (un)masking of payload bytes (RFC 6455 §5.3), word at a time in safe Rust.
//!
//! Masking and unmasking are the same XOR. Payloads arrive in pieces, so the caller
//! passes how many payload bytes came before this piece (`offset`); only `offset % 4`
//! matters. The key is rotated to that offset once, widened to a `u64` (a `u32` on 32-bit
//! targets), and the bulk is XORed a word at a time (LLVM vectorises the loop); the tail
//! goes byte by byte.
//! Unaligned buffers are fine: bytes are loaded with `from_ne_bytes`, never by pointer cast.

/// XORs `buf` with `key`, as if `buf` started `offset` bytes into the payload.
///
/// Calling it twice restores the input. Returns nothing; it cannot fail.
///
/// ```
/// use wsguard_core::frame::unmask;
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58]; // "Hello" masked (RFC 6455 §5.7)
/// unmask(&mut payload[..2], key, 0);
/// unmask(&mut payload[2..], key, 2); // the rest, arriving later
/// assert_eq!(&payload, b"Hello");
/// ```
#[inline]
pub fn unmask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    // The key rotated to `offset`, by index: `<[u8]>::rotate_left` would link the
    // general-purpose memmove (~1.5 KiB on a Cortex-M).
    let k = rotate(key, offset);
    #[cfg(target_pointer_width = "64")]
    xor_aligned(buf, k);
    #[cfg(not(target_pointer_width = "64"))]
    xor_u32(buf, k);
}

/// The unmask function a [`Decoder`](super::Decoder) calls: [`unmask`] by default
/// (feature `custom-unmask` lets a configuration choose another).
///
/// Hosted builds may plug in a vectorised implementation with the same contract (XOR
/// `buf` with `key` as if it started `offset` bytes into the payload; it cannot fail);
/// the core itself stays safe code. Two `Unmasker`s compare equal when they wrap the same
/// function.
///
/// ```
/// # #[cfg(feature = "custom-unmask")] {
/// use wsguard_core::frame::{DecoderConfig, Unmasker};
/// fn bytewise(buf: &mut [u8], key: [u8; 4], offset: usize) {
///     for (i, b) in buf.iter_mut().enumerate() {
///         *b ^= key[(offset + i) % 4];
///     }
/// }
/// let cfg = DecoderConfig::server().with_unmasker(Unmasker::new(bytewise));
/// assert_ne!(cfg.unmasker, Unmasker::SAFE);
/// let mut p = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// cfg.unmasker.apply(&mut p, [0x37, 0xfa, 0x21, 0x3d], 0);
/// assert_eq!(&p, b"Hello");
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Unmasker(fn(&mut [u8], [u8; 4], usize));

impl Unmasker {
    /// The core's safe, word-at-a-time [`unmask`].
    pub const SAFE: Unmasker = Unmasker(unmask);

    /// Wraps `f`, which must XOR exactly as [`unmask`] does.
    pub const fn new(f: fn(&mut [u8], [u8; 4], usize)) -> Self {
        Unmasker(f)
    }

    /// XORs `buf` with `key` from payload position `offset`.
    #[inline]
    pub fn apply(&self, buf: &mut [u8], key: [u8; 4], offset: usize) {
        (self.0)(buf, key, offset)
    }
}

impl PartialEq for Unmasker {
    fn eq(&self, other: &Self) -> bool {
        // Same function, same address: configurations compare by which code runs.
        self.0 as usize == other.0 as usize
    }
}

impl Eq for Unmasker {}

impl core::hash::Hash for Unmasker {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (self.0 as usize).hash(state)
    }
}

impl core::fmt::Debug for Unmasker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if *self == Unmasker::SAFE {
            "Unmasker::SAFE"
        } else {
            "Unmasker(custom)"
        })
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Unmasker {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Unmasker")
    }
}

/// `key` rotated to payload position `offset`.
#[inline]
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    let o = offset & 3;
    [key[o], key[(o + 1) & 3], key[(o + 2) & 3], key[(o + 3) & 3]]
}

/// The body starts on this boundary (a cache line holds two, so a vector load of up to
/// 32 bytes never straddles lines).
#[cfg(any(test, target_pointer_width = "64"))]
const ALIGN: usize = 32;

/// Buffers from this length on are aligned first: below it the buffer sits in L1, where
/// a straddling load costs little and the head's ~80 instructions would not pay off.
#[cfg(any(test, target_pointer_width = "64"))]
const ALIGN_FROM: usize = 4096;

/// 64-bit targets: the head up to the first [`ALIGN`] boundary in words and bytes, then
/// the aligned body. The address is only read (a pointer-to-integer cast is safe code);
/// the loads stay `from_ne_bytes`, so correctness never depends on it.
#[cfg(any(test, target_pointer_width = "64"))]
#[inline]
fn xor_aligned(buf: &mut [u8], k: [u8; 4]) {
    let head = (buf.as_ptr() as usize).wrapping_neg() & (ALIGN - 1);
    if buf.len() < ALIGN_FROM || head == 0 {
        return xor_u64(buf, k);
    }
    let (h, body) = buf.split_at_mut(head);
    xor_u64(h, k);
    xor_u64(body, rotate(k, head));
}

/// 64-bit targets: eight bytes at a time (LLVM vectorises the loop).
#[cfg(any(test, target_pointer_width = "64"))]
#[inline]
fn xor_u64(buf: &mut [u8], k: [u8; 4]) {
    let word = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(w) ^ word).to_ne_bytes());
    }
    // 8 is a multiple of 4, so the tail starts at key position 0 again.
    xor_bytes(chunks.into_remainder(), k);
}

/// 32-bit targets: four bytes at a time; the same result with less code.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline]
fn xor_u32(buf: &mut [u8], k: [u8; 4]) {
    let word = u32::from_ne_bytes(k);
    let mut chunks = buf.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let mut w = [0u8; 4];
        w.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u32::from_ne_bytes(w) ^ word).to_ne_bytes());
    }
    xor_bytes(chunks.into_remainder(), k);
}

/// XORs `buf` (at most a few bytes) with the key from position 0.
#[inline]
fn xor_bytes(buf: &mut [u8], k: [u8; 4]) {
    for (b, m) in buf.iter_mut().zip(k.iter().cycle()) {
        *b ^= *m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn naive(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn matches_naive_at_every_length_offset_and_alignment() {
        let key = [0x12, 0x34, 0xab, 0xcd];
        let src: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for start in 0..40 {
            for len in 0..=70 {
                for offset in 0..8 {
                    let mut a = src.clone();
                    let mut b = src.clone();
                    unmask(&mut a[start..start + len], key, offset);
                    naive(&mut b[start..start + len], key, offset);
                    assert_eq!(a, b, "start {start} len {len} offset {offset}");
                    // Both word widths, whichever this target uses.
                    let k = rotate(key, offset);
                    for xor in [xor_u64, xor_u32, xor_aligned] {
                        let mut c = src.clone();
                        xor(&mut c[start..start + len], k);
                        assert_eq!(c, b, "start {start} len {len} offset {offset}");
                    }
                }
            }
        }
    }

    #[test]
    fn aligned_path_matches_naive_at_every_start() {
        let key = [0x12, 0x34, 0xab, 0xcd];
        let src: Vec<u8> = (0..ALIGN_FROM as u32 + 200)
            .map(|i| (i * 7 + 3) as u8)
            .collect();
        for start in 0..2 * ALIGN {
            for len in [ALIGN_FROM - 1, ALIGN_FROM, ALIGN_FROM + 7, ALIGN_FROM + 100] {
                for offset in 0..4 {
                    let mut a = src.clone();
                    let mut b = src.clone();
                    unmask(&mut a[start..start + len], key, offset);
                    naive(&mut b[start..start + len], key, offset);
                    assert_eq!(a, b, "start {start} len {len} offset {offset}");
                    let mut c = src.clone();
                    xor_aligned(&mut c[start..start + len], rotate(key, offset));
                    assert_eq!(c, b, "start {start} len {len} offset {offset}");
                }
            }
        }
    }

    #[test]
    fn pieces_equal_whole() {
        let key = [1, 2, 3, 4];
        let src: Vec<u8> = (0..100u8).collect();
        let mut whole = src.clone();
        unmask(&mut whole, key, 0);
        for cut1 in 0..src.len() {
            let cut2 = (cut1 * 7 + 5) % (src.len() + 1);
            let (c1, c2) = if cut1 <= cut2 {
                (cut1, cut2)
            } else {
                (cut2, cut1)
            };
            let mut p = src.clone();
            unmask(&mut p[..c1], key, 0);
            unmask(&mut p[c1..c2], key, c1);
            unmask(&mut p[c2..], key, c2);
            assert_eq!(p, whole);
        }
    }
}
