//! Incremental UTF-8 validation for text messages that arrive in pieces.
//!
//! The bulk of each piece goes through `core::str::from_utf8` (fast, ASCII-optimised);
//! only a code point cut by a piece boundary (at most 3 bytes) is kept in a tiny buffer.
//! An invalid sequence is reported in the call that receives the byte making it
//! certain (`C0`, `F5`, `ED A0`, `E0 80`, `F4 90` …), not at the end of the message.

/// The text is not valid UTF-8.
///
/// ```
/// use wsguard_core::frame::{Utf8Validator, Utf8Error};
/// let mut v = Utf8Validator::new();
/// assert_eq!(v.feed(b"ab\xc0"), Err(Utf8Error { valid_up_to: 2 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Error {
    /// Number of bytes (counted from the first byte ever fed) that form valid UTF-8;
    /// the invalid or unfinished sequence starts here.
    pub valid_up_to: u64,
}

impl crate::Diagnostic for Utf8Error {
    fn code(&self) -> &'static str {
        "frame_invalid_utf8"
    }
    fn reason(&self) -> &'static str {
        "a text message is not valid UTF-8"
    }
    fn remedy(&self) -> &'static str {
        "send binary frames (opcode 0x2) for data that is not UTF-8 text, or encode the text as UTF-8"
    }
}

impl core::fmt::Display for Utf8Error {
    /// The reason and where the bad sequence starts.
    ///
    /// ```
    /// let e = wsguard_core::frame::Utf8Error { valid_up_to: 2 };
    /// assert_eq!(e.to_string(), "a text message is not valid UTF-8 (valid up to byte 2)");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::Diagnostic;
        write!(
            f,
            "{} (valid up to byte {})",
            self.reason(),
            self.valid_up_to
        )
    }
}

/// Validates UTF-8 fed in arbitrary pieces.
///
/// ```
/// use wsguard_core::frame::Utf8Validator;
/// let mut v = Utf8Validator::new();
/// v.feed(b"caf\xc3").unwrap();   // 'é' split between two reads
/// v.feed(b"\xa9!").unwrap();
/// v.finish().unwrap();
///
/// let mut v = Utf8Validator::new();
/// v.feed(b"\xe2\x82").unwrap();  // unfinished at the end of the message
/// assert!(v.finish().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Validator {
    /// Bytes of a code point cut by a piece boundary.
    pending: [u8; 4],
    pending_len: u8,
    /// Bytes fed before the current piece.
    seen: u64,
}

impl Default for Utf8Validator {
    fn default() -> Self {
        Self::new()
    }
}

/// Length of the sequence a (valid) lead byte starts.
#[inline]
const fn sequence_len(lead: u8) -> usize {
    if lead < 0xE0 {
        2
    } else if lead < 0xF0 {
        3
    } else {
        4
    }
}

impl Utf8Validator {
    /// A validator at the start of a message.
    ///
    /// ```
    /// let v = wsguard_core::frame::Utf8Validator::new();
    /// assert!(v.is_boundary());
    /// ```
    pub const fn new() -> Self {
        Utf8Validator {
            pending: [0; 4],
            pending_len: 0,
            seen: 0,
        }
    }

    /// Forgets everything (start of a new message).
    ///
    /// ```
    /// let mut v = wsguard_core::frame::Utf8Validator::new();
    /// v.feed(b"\xc3").unwrap();
    /// v.reset();
    /// assert!(v.finish().is_ok());
    /// ```
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// `true` when no code point is cut open (a message could end here).
    ///
    /// ```
    /// let mut v = wsguard_core::frame::Utf8Validator::new();
    /// v.feed(b"\xf0\x9f").unwrap();
    /// assert!(!v.is_boundary());
    /// ```
    pub const fn is_boundary(&self) -> bool {
        self.pending_len == 0
    }

    /// Validates the next piece. Fails as soon as the bytes seen so far cannot start
    /// valid UTF-8. After an error, reset before reuse.
    ///
    /// ```
    /// let mut v = wsguard_core::frame::Utf8Validator::new();
    /// v.feed(b"\xed").unwrap();
    /// assert!(v.feed(b"\xa0").is_err()); // surrogate: certain at the second byte
    /// ```
    pub fn feed(&mut self, input: &[u8]) -> Result<(), Utf8Error> {
        let mut rest = input;
        let base = self.seen;
        self.seen = self.seen.saturating_add(input.len() as u64);
        if self.pending_len != 0 {
            let have = usize::from(self.pending_len);
            let want = sequence_len(self.pending[0]);
            let take = (want - have).min(rest.len());
            let (head, tail) = rest.split_at(take);
            let start = base.saturating_sub(have as u64);
            let mut seq = self.pending;
            let filled = have + take;
            if let Some(dst) = seq.get_mut(have..filled) {
                dst.copy_from_slice(head);
            }
            let part = seq.get(..filled).unwrap_or(&[]);
            match core::str::from_utf8(part) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_some() => return Err(Utf8Error { valid_up_to: start }),
                Err(_) => {
                    // still unfinished, and the input is used up
                    self.pending = seq;
                    self.pending_len = filled as u8;
                    return Ok(());
                }
            }
            rest = tail;
        }
        let rest_base = self.seen.saturating_sub(rest.len() as u64);
        match core::str::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) => {
                let good = e.valid_up_to();
                if e.error_len().is_some() {
                    return Err(Utf8Error {
                        valid_up_to: rest_base.saturating_add(good as u64),
                    });
                }
                let tail = rest.get(good..).unwrap_or(&[]);
                let n = tail.len().min(3);
                if let (Some(dst), Some(src)) = (self.pending.get_mut(..n), tail.get(..n)) {
                    dst.copy_from_slice(src);
                }
                self.pending_len = n as u8;
                Ok(())
            }
        }
    }

    /// Ends the message: fails when a code point is left unfinished.
    ///
    /// ```
    /// let mut v = wsguard_core::frame::Utf8Validator::new();
    /// v.feed("héllo".as_bytes()).unwrap();
    /// assert!(v.finish().is_ok());
    /// ```
    pub fn finish(&self) -> Result<(), Utf8Error> {
        if self.pending_len == 0 {
            Ok(())
        } else {
            Err(Utf8Error {
                valid_up_to: self.seen.saturating_sub(u64::from(self.pending_len)),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` one byte at a time; returns the index of the byte whose feed failed.
    fn fail_index(bytes: &[u8]) -> Option<(usize, u64)> {
        let mut v = Utf8Validator::new();
        for (i, b) in bytes.iter().enumerate() {
            if let Err(e) = v.feed(core::slice::from_ref(b)) {
                return Some((i, e.valid_up_to));
            }
        }
        v.finish().err().map(|e| (bytes.len(), e.valid_up_to))
    }

    #[test]
    fn early_detection() {
        assert_eq!(fail_index(b"a\xc0"), Some((1, 1)));
        assert_eq!(fail_index(b"\xf5"), Some((0, 0)));
        assert_eq!(fail_index(b"ab\xed\xa0\x80"), Some((3, 2)));
        assert_eq!(fail_index(b"\xe0\x80\x80"), Some((1, 0)));
        assert_eq!(fail_index(b"\xf4\x90\x80\x80"), Some((1, 0)));
        assert_eq!(fail_index(b"\xe2\x82"), Some((2, 0)));
        assert_eq!(fail_index("€𝄞ok".as_bytes()), None);
        assert_eq!(fail_index(b"\xf0\x9f\x98\x80\xf0\x9f\x98"), Some((7, 4)));
    }

    #[test]
    fn every_split_matches_core() {
        let samples: [&[u8]; 6] = [
            "κόσμε € 𝄞 ascii".as_bytes(),
            b"abc\xe2\x82\xacdef\xf0\x90\x8d\x88",
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
            b"hello\xf4\x8f\xbf\xbf\xf4\x90\x80\x80",
            b"x\xc2",
            b"\xe0\xa0\x80\xe0\x9f\xbf",
        ];
        for s in samples {
            let expect = match core::str::from_utf8(s) {
                Ok(_) => None,
                Err(e) => Some(e.valid_up_to() as u64),
            };
            for a in 0..=s.len() {
                for b in a..=s.len() {
                    let mut v = Utf8Validator::new();
                    let got = v
                        .feed(&s[..a])
                        .and_then(|_| v.feed(&s[a..b]))
                        .and_then(|_| v.feed(&s[b..]))
                        .and_then(|_| v.finish());
                    assert_eq!(got.err().map(|e| e.valid_up_to), expect, "{s:?} {a} {b}");
                }
            }
        }
    }
}
