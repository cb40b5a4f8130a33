//! Target `unmask_simd`: the opt-in vectorised unmask of `wsguard-simd` (the only unsafe
//! code of wsguard) against the core's safe `frame::unmask`.
//!
//! Input: `[start][offset][key: 4][cuts: 1][payload …]`: the payload is placed `start % 64`
//! bytes into a buffer (so every alignment is tried), unmasked from payload position
//! `offset` by both functions, whole and in two pieces split at `cuts`-derived points.
//! Checked: identical bytes, and the bytes outside the slice untouched (no write past
//! either end). Deliberate differences: none.

/// The target body.
pub fn fuzz_unmask_simd(data: &[u8]) {
    let [start, offset, k0, k1, k2, k3, cut, payload @ ..] = data else { return };
    let key = [*k0, *k1, *k2, *k3];
    let start = usize::from(*start % 64);
    let offset = usize::from(*offset);
    let len = payload.len();
    let mut buf = vec![0xa5u8; start + len + 64];
    buf[start..start + len].copy_from_slice(payload);
    let mut want = buf.clone();
    wsguard_core::frame::unmask(&mut want[start..start + len], key, offset);

    let mut got = buf.clone();
    wsguard_simd::unmask(&mut got[start..start + len], key, offset);
    assert_eq!(got, want, "whole: start {start} len {len} offset {offset}");

    let at = if len == 0 { 0 } else { usize::from(*cut) * 97 % (len + 1) };
    let mut pieces = buf;
    let (a, b) = pieces[start..start + len].split_at_mut(at);
    wsguard_simd::unmask(a, key, offset);
    wsguard_simd::unmask(b, key, offset + at);
    assert_eq!(pieces, want, "pieces at {at}: start {start} len {len} offset {offset}");
}
