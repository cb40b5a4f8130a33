//! SHA-1 (FIPS 180-4), only for `Sec-WebSocket-Accept` (RFC 6455 §4.2.2), where it is a
//! fixed transform and not a security primitive.
//!
//! Written small: four rolled 20-round loops over a 16-word schedule, so that a
//! microcontroller build spends a few hundred bytes of flash on it instead of the
//! ~2.7 KiB of an unrolled implementation, at close to the unrolled speed. An accept value hashes 60 bytes (two blocks).

/// A running SHA-1 computation.
#[derive(Clone, Copy)]
pub(crate) struct Sha1 {
    state: [u32; 5],
    block: [u8; 64],
    /// Bytes hashed so far (the block holds `len % 64` of them). A `usize`, not a `u64`:
    /// 4-byte alignment keeps the 8-byte-aligned memset/memcpy out of 32-bit builds.
    len: usize,
}

impl Sha1 {
    pub(crate) const fn new() -> Self {
        Sha1 {
            state: [
                0x6745_2301,
                0xEFCD_AB89,
                0x98BA_DCFE,
                0x1032_5476,
                0xC3D2_E1F0,
            ],
            block: [0; 64],
            len: 0,
        }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let at = self.len % 64;
            let take = (64 - at).min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.block.get_mut(at..at + take) {
                dst.copy_from_slice(head);
            }
            self.len = self.len.wrapping_add(take);
            data = rest;
            if at + take == 64 {
                self.compress();
            }
        }
    }

    pub(crate) fn digest(mut self) -> [u8; 20] {
        let bits = (self.len as u64).wrapping_mul(8);
        let at = self.len % 64;
        // Padding: 0x80, zeros up to 56 mod 64, then the bit length (one or two blocks).
        let pad_len = if at < 56 { 56 - at } else { 120 - at };
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        if let Some(len) = pad.get_mut(pad_len..pad_len + 8) {
            len.copy_from_slice(&bits.to_be_bytes());
        }
        self.update(pad.get(..pad_len + 8).unwrap_or(&[]));
        let mut out = [0u8; 20];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        out
    }

    fn compress(&mut self) {
        let mut w = [0u32; 16];
        for (w, c) in w.iter_mut().zip(self.block.chunks_exact(4)) {
            *w = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        let v = compress_rounds(self.state, w, cfg!(target_os = "none"));
        for (s, x) in self.state.iter_mut().zip(v) {
            *s = s.wrapping_add(x);
        }
    }
}

/// The 80 rounds as four loops of 20, one per round function (no per-round dispatch).
/// `small` picks the rolled variant ([`rounds_small`], ~1.4 KiB less flash, ~20% slower):
/// bare-metal builds (`target_os = "none"`) take it, hosted builds the unrolled
/// [`rounds`]. It is a constant at the call site, so only one variant is linked.
#[inline(always)]
fn compress_rounds(mut v: [u32; 5], mut w: [u32; 16], small: bool) -> [u32; 5] {
    const K: [u32; 4] = [0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xCA62_C1D6];
    let ch = |b: u32, c: u32, d: u32| (b & c) | (!b & d);
    let parity = |b: u32, c: u32, d: u32| b ^ c ^ d;
    let maj = |b: u32, c: u32, d: u32| (b & c) | (b & d) | (c & d);
    if small {
        rounds_small(&mut v, &mut w, 0, K[0], ch);
        rounds_small(&mut v, &mut w, 20, K[1], parity);
        rounds_small(&mut v, &mut w, 40, K[2], maj);
        rounds_small(&mut v, &mut w, 60, K[3], parity);
    } else {
        rounds(&mut v, &mut w, 0, K[0], ch);
        rounds(&mut v, &mut w, 20, K[1], parity);
        rounds(&mut v, &mut w, 40, K[2], maj);
        rounds(&mut v, &mut w, 60, K[3], parity);
    }
    v
}

/// The same 20 rounds as [`rounds`], rolled: the working variables shift every round.
#[inline(always)]
fn rounds_small(
    v: &mut [u32; 5],
    w: &mut [u32; 16],
    first: usize,
    k: u32,
    f: impl Fn(u32, u32, u32) -> u32,
) {
    let [mut a, mut b, mut c, mut d, mut e] = *v;
    for i in first..first + 20 {
        let wi = if i < 16 {
            w[i & 15]
        } else {
            let x =
                (w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15]).rotate_left(1);
            w[i & 15] = x;
            x
        };
        let t = a
            .rotate_left(5)
            .wrapping_add(f(b, c, d))
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(wi);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    *v = [a, b, c, d, e];
}

/// Rounds `first..first + 20` with round function `f` and constant `k`; the message
/// schedule lives in a 16-word ring (`w[i & 15]`). Unrolled by five with the working
/// variables renamed instead of shifted, so a round costs no register moves.
#[inline(always)]
fn rounds(
    v: &mut [u32; 5],
    w: &mut [u32; 16],
    first: usize,
    k: u32,
    f: impl Fn(u32, u32, u32) -> u32,
) {
    let [mut a, mut b, mut c, mut d, mut e] = *v;
    let mut i = first;
    while i < first + 20 {
        round(&mut a, &mut b, &mut c, &mut d, &mut e, w, i, k, &f);
        round(&mut e, &mut a, &mut b, &mut c, &mut d, w, i + 1, k, &f);
        round(&mut d, &mut e, &mut a, &mut b, &mut c, w, i + 2, k, &f);
        round(&mut c, &mut d, &mut e, &mut a, &mut b, w, i + 3, k, &f);
        round(&mut b, &mut c, &mut d, &mut e, &mut a, w, i + 4, k, &f);
        i += 5;
    }
    *v = [a, b, c, d, e];
}

/// One round: `e += rotl5(a) + f(b, c, d) + k + w[i]; b = rotl30(b)` (the caller renames).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn round(
    a: &mut u32,
    b: &mut u32,
    c: &mut u32,
    d: &mut u32,
    e: &mut u32,
    w: &mut [u32; 16],
    i: usize,
    k: u32,
    f: &impl Fn(u32, u32, u32) -> u32,
) {
    let wi = if i < 16 {
        w[i & 15]
    } else {
        let x = (w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15]).rotate_left(1);
        w[i & 15] = x;
        x
    };
    *e = e
        .wrapping_add(a.rotate_left(5))
        .wrapping_add(f(*b, *c, *d))
        .wrapping_add(k)
        .wrapping_add(wi);
    *b = b.rotate_left(30);
}

#[cfg(test)]
mod tests {
    use super::Sha1;
    use std::vec::Vec;

    fn sha1(parts: &[&[u8]]) -> [u8; 20] {
        let mut s = Sha1::new();
        for p in parts {
            s.update(p);
        }
        s.digest()
    }

    fn hex(b: &[u8]) -> std::string::String {
        b.iter().map(|x| std::format!("{x:02x}")).collect()
    }

    #[test]
    fn rolled_and_unrolled_rounds_agree() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let mut w = [0u32; 16];
            for x in w.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *x = seed as u32;
            }
            let v = [seed as u32, (seed >> 32) as u32, 1, 2, 3];
            assert_eq!(
                super::compress_rounds(v, w, true),
                super::compress_rounds(v, w, false)
            );
        }
    }

    #[test]
    fn fips_vectors() {
        assert_eq!(
            hex(&sha1(&[b""])),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex(&sha1(&[b"abc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha1(&[
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            ])),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million = [b'a'; 1000];
        let mut s = Sha1::new();
        for _ in 0..1000 {
            s.update(&million);
        }
        assert_eq!(hex(&s.digest()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    #[test]
    fn equals_sha1_smol_at_every_length_and_split() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in 0..data.len() {
            let want = sha1_smol::Sha1::from(&data[..len]).digest().bytes();
            assert_eq!(sha1(&[&data[..len]]), want, "len {len}");
            let cut = len * 7 / 11;
            assert_eq!(
                sha1(&[&data[..cut], &data[cut..len]]),
                want,
                "len {len} cut {cut}"
            );
        }
    }
}
