//! AVX2: 32-byte XOR, four registers per iteration. The only `unsafe` here: the
//! `#[target_feature]` call (guarded by runtime detection in [`super::level`]) and the
//! unaligned 32-byte loads/stores, each within one `chunks_exact_mut(32)` chunk.

use core::arch::x86_64::{
    __m256i, _mm256_loadu_si256, _mm256_set1_epi32, _mm256_storeu_si256, _mm256_xor_si256,
};

/// Buffers from this length on first XOR their head up to a 32-byte boundary, so no load
/// straddles two cache lines.
const ALIGN_FROM: usize = 1024;

/// AVX2 unmask; call only after [`super::level`] returned [`super::Level::Avx2`].
pub(crate) fn unmask_avx2(buf: &mut [u8], key: [u8; 4], offset: usize) {
    debug_assert_eq!(super::level(), super::Level::Avx2);
    let k = super::rotate(key, offset);
    let (head, body) = if buf.len() >= ALIGN_FROM {
        let h = (buf.as_ptr() as usize).wrapping_neg() & 31;
        buf.split_at_mut(h.min(buf.len()))
    } else {
        buf.split_at_mut(0)
    };
    wsguard_core::frame::unmask(head, k, 0);
    let k = super::rotate(k, head.len());
    // SAFETY: `unmask_avx2` is reached only through `unmask`, after `level()` detected
    // AVX2 on this CPU (`is_x86_feature_detected!("avx2")`), so the target feature holds.
    unsafe { xor_avx2(body, k) }
}

#[target_feature(enable = "avx2")]
unsafe fn xor_avx2(buf: &mut [u8], k: [u8; 4]) {
    let m = _mm256_set1_epi32(i32::from_ne_bytes(k));
    let mut blocks = buf.chunks_exact_mut(128);
    for b in &mut blocks {
        let p = b.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `b` is exactly 128 bytes, so `p.add(0..4)` each point at 32 bytes inside
        // it; `loadu`/`storeu` accept any alignment; `b` is borrowed mutably, nothing else
        // reads or writes it meanwhile.
        unsafe {
            let v0 = _mm256_loadu_si256(p);
            let v1 = _mm256_loadu_si256(p.add(1));
            let v2 = _mm256_loadu_si256(p.add(2));
            let v3 = _mm256_loadu_si256(p.add(3));
            _mm256_storeu_si256(p, _mm256_xor_si256(v0, m));
            _mm256_storeu_si256(p.add(1), _mm256_xor_si256(v1, m));
            _mm256_storeu_si256(p.add(2), _mm256_xor_si256(v2, m));
            _mm256_storeu_si256(p.add(3), _mm256_xor_si256(v3, m));
        }
    }
    let mut chunks = blocks.into_remainder().chunks_exact_mut(32);
    for c in &mut chunks {
        let p = c.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `c` is exactly 32 bytes; unaligned load/store; exclusive borrow.
        unsafe { _mm256_storeu_si256(p, _mm256_xor_si256(_mm256_loadu_si256(p), m)) }
    }
    // 128 and 32 are multiples of 4: the rest starts at key position 0.
    wsguard_core::frame::unmask(chunks.into_remainder(), k, 0);
}
