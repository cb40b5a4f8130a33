//! The two base64 jobs of the handshake (RFC 4648 §4, standard alphabet, padded):
//! encoding a 16-byte nonce (key) or a 20-byte SHA-1 digest (accept value), and checking
//! that a received `Sec-WebSocket-Key` is 24 characters decoding to exactly 16 bytes.
//!
//! Hand-written because the general-purpose engine of the `base64` crate costs a few
//! hundred bytes of flash per direction for jobs this small; the tests compare both.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `input` with `=` padding into the front of `out`; returns the number of
/// bytes written (`4 * ceil(len / 3)`), or 0 when `out` is too small.
pub(crate) fn encode(input: &[u8], out: &mut [u8]) -> usize {
    let need = input.len().div_ceil(3).saturating_mul(4);
    let Some(out) = out.get_mut(..need) else {
        return 0;
    };
    for (src, dst) in input.chunks(3).zip(out.chunks_exact_mut(4)) {
        let b = [
            src.first().copied().unwrap_or(0),
            src.get(1).copied().unwrap_or(0),
            src.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, d) in dst.iter_mut().enumerate() {
            *d = if i > src.len() {
                b'='
            } else {
                ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]
            };
        }
    }
    need
}

/// The 6-bit value of a standard-alphabet character.
#[inline]
fn value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// `true` when `key` is 24 base64 characters decoding to exactly 16 bytes: 22 alphabet
/// characters, the last of which carries no stray low bits, then `==`.
pub(crate) fn is_key_16(key: &[u8]) -> bool {
    let [body @ .., last, b'=', b'='] = key else {
        return false;
    };
    body.len() == 21
        && body.iter().all(|&c| value(c).is_some())
        && matches!(value(*last), Some(v) if v & 0x0F == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// The `base64` crate's encoding (built without `alloc` here).
    fn crate_encode(input: &[u8]) -> std::vec::Vec<u8> {
        let mut out = [0u8; 128];
        let n = STANDARD.encode_slice(input, &mut out).unwrap();
        out[..n].to_vec()
    }

    #[test]
    fn encode_equals_base64_crate() {
        let mut rng = XorShift(0x5eed);
        for len in 0..40 {
            for _ in 0..50 {
                let input: std::vec::Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let mut out = [0u8; 64];
                let n = encode(&input, &mut out);
                assert_eq!(out[..n].to_vec(), crate_encode(&input), "{input:?}");
            }
        }
        assert_eq!(encode(b"the sample nonce", &mut [0u8; 23]), 0);
        let mut out = [0u8; 24];
        assert_eq!(encode(b"the sample nonce", &mut out), 24);
        assert_eq!(&out, b"dGhlIHNhbXBsZSBub25jZQ==");
    }

    fn crate_says(key: &[u8]) -> bool {
        let mut out = [0u8; 18];
        key.len() == 24 && matches!(STANDARD.decode_slice(key, &mut out), Ok(16))
    }

    #[test]
    fn key_check_equals_base64_crate() {
        let mut rng = XorShift(0xfeed);
        let chars =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ !\x00\xff";
        let mut agree = [0usize; 2];
        for round in 0..40_000 {
            // Valid keys, then one or two bytes mutated, or random text of nearby lengths.
            let mut nonce = [0u8; 16];
            nonce.iter_mut().for_each(|b| *b = rng.next() as u8);
            let mut key = crate_encode(&nonce);
            match round % 4 {
                0 => {}
                1 | 2 => {
                    for _ in 0..round % 4 {
                        let i = rng.next() as usize % key.len();
                        key[i] = chars[rng.next() as usize % chars.len()];
                    }
                }
                _ => {
                    let len = 20 + rng.next() as usize % 8;
                    key = (0..len)
                        .map(|_| chars[rng.next() as usize % chars.len()])
                        .collect();
                }
            }
            let want = crate_says(&key);
            assert_eq!(
                is_key_16(&key),
                want,
                "{:?}",
                std::string::String::from_utf8_lossy(&key)
            );
            agree[usize::from(want)] += 1;
        }
        assert!(agree[0] > 5_000 && agree[1] > 10_000, "{agree:?}");
        // Every last-character value: only those with four zero low bits are canonical.
        for &c in &chars[..64] {
            let mut key = *b"dGhlIHNhbXBsZSBub25jZQ==";
            key[21] = c;
            assert_eq!(is_key_16(&key), crate_says(&key), "{}", c as char);
        }
    }
}
