//! Helpers shared by the targets: chunk boundaries from a seed byte, field splitting,
//! and the contract every `Diagnostic` must keep.

use wsguard_core::Diagnostic;

/// Cuts `len` bytes into chunks whose sizes come from `seed` (a deterministic xorshift):
/// seed 0 delivers one byte at a time, 255 delivers everything at once, others mix
/// small and large chunks. Returns the end offset of each chunk (the last is `len`).
pub fn chunk_ends(seed: u8, len: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    if len == 0 {
        return ends;
    }
    match seed {
        0 => return (1..=len).collect(),
        255 => return vec![len],
        _ => {}
    }
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed).wrapping_mul(0x0101_0101);
    let mut at = 0usize;
    while at < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        // mostly tiny chunks (boundary bugs), sometimes big ones
        let step = match x % 8 {
            0..=4 => 1 + (x >> 8) as usize % 4,
            5 | 6 => 1 + (x >> 8) as usize % 32,
            _ => 1 + (x >> 8) as usize % 512,
        };
        at = at.saturating_add(step).min(len);
        ends.push(at);
    }
    ends
}

/// Splits `data` on `sep` into at most `max` fields (the last keeps the rest).
pub fn fields(data: &[u8], sep: u8, max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while out.len() + 1 < max {
        match rest.iter().position(|&b| b == sep) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => break,
        }
    }
    out.push(rest);
    out
}

/// The `Diagnostic` contract: a stable snake_case code, a sentence and a remedy.
pub fn check_diagnostic<D: Diagnostic + ?Sized>(d: &D) {
    let code = d.code();
    assert!(!code.is_empty(), "empty diagnostic code");
    assert!(
        code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "diagnostic code {code:?} is not snake_case"
    );
    assert!(!d.reason().is_empty(), "empty reason for {code}");
    assert!(!d.remedy().is_empty(), "empty remedy for {code}");
}

/// Offset of `inner` inside `outer` (both from the same buffer).
pub fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    let o = outer.as_ptr() as usize;
    let i = inner.as_ptr() as usize;
    assert!(
        i >= o && i + inner.len() <= o + outer.len(),
        "a returned slice does not point into the input buffer"
    );
    i - o
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn chunks_cover_everything() {
        for seed in 0..=255u8 {
            for len in [0usize, 1, 2, 7, 100, 5000] {
                let e = chunk_ends(seed, len);
                assert_eq!(e.last().copied().unwrap_or(0), len);
                assert!(e.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
    #[test]
    fn fields_split() {
        assert_eq!(fields(b"a\nb\nc", b'\n', 2), vec![&b"a"[..], &b"b\nc"[..]]);
        assert_eq!(fields(b"", b'\n', 3), vec![&b""[..]]);
    }
}
