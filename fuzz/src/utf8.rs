//! Target `utf8`: the incremental UTF-8 validator against `core::str::from_utf8`, the
//! input cut at arbitrary points.
//!
//! Input: `[chunk seed][bytes…]` (seed as in [`chunk_ends`]: 0 byte by byte, 255 whole).
//!
//! Checked: the verdict and `valid_up_to` equal `from_utf8`'s; the error is reported by
//! the `feed` call that receives the byte making it certain (the first index `j` where
//! `from_utf8(&bytes[..=j])` reports an invalid sequence — not merely an unfinished one),
//! or by `finish` when the input ends inside a code point; between calls `is_boundary()`
//! is `true` exactly when the bytes fed so far are complete UTF-8; `reset()` starts over.
//! Deliberate differences: none.

use crate::util::{check_diagnostic, chunk_ends};
use wsguard_core::frame::Utf8Validator;

/// Index of the byte that makes the error certain, or `None` when only the end can tell.
fn detection_index(bytes: &[u8], valid_up_to: usize) -> Option<usize> {
    (valid_up_to..bytes.len().min(valid_up_to + 4))
        .find(|&j| matches!(std::str::from_utf8(&bytes[..=j]), Err(e) if e.error_len().is_some()))
}

/// The target body.
pub fn fuzz_utf8(data: &[u8]) {
    let [seed, bytes @ ..] = data else { return };
    let want = std::str::from_utf8(bytes);
    let mut v = Utf8Validator::new();
    // feed some garbage first, then reset: the validator must start over
    let _ = v.feed(&[0xE2, 0x82]);
    v.reset();
    assert!(v.is_boundary());
    let mut start = 0usize;
    for end in chunk_ends(*seed, bytes.len()) {
        let r = v.feed(&bytes[start..end]);
        match (r, want) {
            (Ok(()), _) => {
                let prefix_ok = std::str::from_utf8(&bytes[..end]).is_ok();
                assert_eq!(v.is_boundary(), prefix_ok, "is_boundary() wrong after {end} bytes");
                if let Err(e) = want {
                    if let Some(j) = detection_index(bytes, e.valid_up_to()) {
                        assert!(j >= end, "byte {j} made the error certain but feed() up to {end} succeeded");
                    }
                }
            }
            (Err(got), Err(e)) => {
                check_diagnostic(&got);
                assert_eq!(got.valid_up_to, e.valid_up_to() as u64, "valid_up_to differs");
                let j = detection_index(bytes, e.valid_up_to());
                assert!(
                    j.is_some_and(|j| start <= j && j < end),
                    "error reported in chunk {start}..{end}, certain at {j:?}"
                );
                return;
            }
            (Err(got), Ok(_)) => panic!("valid UTF-8 refused: {got:?} in chunk {start}..{end}"),
        }
        start = end;
    }
    match (v.finish(), want) {
        (Ok(()), Ok(_)) => {}
        (Err(got), Err(e)) => {
            assert_eq!(got.valid_up_to, e.valid_up_to() as u64, "valid_up_to differs at finish");
            assert_eq!(detection_index(bytes, e.valid_up_to()), None, "finish() reported an error feed() should have");
        }
        (got, want) => panic!("finish() says {got:?}, from_utf8 says {want:?}"),
    }
}
