//! Target `head_tracker`: `limits::HeadTracker` (each byte scanned once) against
//! `handshake::parse_request` run on every prefix, the input cut at arbitrary points.
//!
//! Input: `[chunk seed][limit byte][bytes…]`; the limit byte sets small line and total
//! limits so that both are reached by short inputs.
//!
//! Checked: whenever the tracker says `NeedMore`, a parse of the same prefix is neither
//! complete nor a line/total limit refusal (the tracker never makes a server miss the end
//! of a head or a broken limit); when a parse is complete, the tracker's `head_len` equals
//! the parser's `consumed`. Deliberate difference: other syntax errors inside header lines
//! are found at the end of the head or at a limit, not at the read that brought them.

use crate::util::chunk_ends;
use wsguard_core::handshake::{parse_request, Limits, Rejection, EMPTY_HEADER};
use wsguard_core::limits::{HeadStep, HeadTracker};
use wsguard_core::Status;

/// The target body.
pub fn fuzz_head_tracker(data: &[u8]) {
    let [seed, limit, bytes @ ..] = data else { return };
    let l = Limits::DEFAULT
        .max_line(16 + usize::from(*limit) * 4)
        .max_total(64 + usize::from(*limit) * 16);
    let mut t = HeadTracker::new();
    for end in chunk_ends(*seed, bytes.len()) {
        let prefix = &bytes[..end];
        let step = t.feed(prefix, &l);
        let mut headers = [EMPTY_HEADER; 64];
        let parsed = parse_request(&l, prefix, &mut headers);
        match (&parsed, step) {
            (Ok(Status::Complete(head)), _) => {
                assert_eq!(step, HeadStep::Parse, "complete head at {end} but the tracker says NeedMore");
                assert_eq!(t.head_len(), Some(head.consumed), "head ends differ");
                return;
            }
            (Err(Rejection::HeaderLineTooLong | Rejection::RequestTooLarge), HeadStep::NeedMore) => {
                panic!("limit refusal {parsed:?} at {end} but the tracker says NeedMore")
            }
            (Err(_), HeadStep::Parse) => return, // a server answers the refusal here
            _ => {}
        }
    }
}
