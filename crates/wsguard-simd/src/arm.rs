//! NEON: 16-byte XOR, four registers per iteration. The only `unsafe` here: the
//! `#[target_feature]` call (guarded by runtime detection in [`super::level`]) and the
//! 16-byte loads/stores, each within one `chunks_exact_mut` chunk.

use core::arch::aarch64::{vdupq_n_u32, veorq_u8, vld1q_u8, vreinterpretq_u8_u32, vst1q_u8};

/// NEON unmask; call only after [`super::level`] returned [`super::Level::Neon`].
pub(crate) fn unmask_neon(buf: &mut [u8], key: [u8; 4], offset: usize) {
    debug_assert_eq!(super::level(), super::Level::Neon);
    let k = super::rotate(key, offset);
    // SAFETY: reached only through `unmask`, after `level()` detected NEON on this CPU.
    unsafe { xor_neon(buf, k) }
}

#[target_feature(enable = "neon")]
unsafe fn xor_neon(buf: &mut [u8], k: [u8; 4]) {
    let m = vreinterpretq_u8_u32(vdupq_n_u32(u32::from_ne_bytes(k)));
    let mut blocks = buf.chunks_exact_mut(64);
    for b in &mut blocks {
        let p = b.as_mut_ptr();
        // SAFETY: `b` is exactly 64 bytes, so `p.add(0|16|32|48)` each start 16 bytes
        // inside it; vld1q/vst1q accept any alignment; exclusive borrow.
        unsafe {
            let v0 = vld1q_u8(p);
            let v1 = vld1q_u8(p.add(16));
            let v2 = vld1q_u8(p.add(32));
            let v3 = vld1q_u8(p.add(48));
            vst1q_u8(p, veorq_u8(v0, m));
            vst1q_u8(p.add(16), veorq_u8(v1, m));
            vst1q_u8(p.add(32), veorq_u8(v2, m));
            vst1q_u8(p.add(48), veorq_u8(v3, m));
        }
    }
    let mut chunks = blocks.into_remainder().chunks_exact_mut(16);
    for c in &mut chunks {
        let p = c.as_mut_ptr();
        // SAFETY: `c` is exactly 16 bytes; exclusive borrow.
        unsafe { vst1q_u8(p, veorq_u8(vld1q_u8(p), m)) }
    }
    wsguard_core::frame::unmask(chunks.into_remainder(), k, 0);
}
