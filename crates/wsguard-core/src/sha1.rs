//! SHA-1 (FIPS 180-4), only for `Sec-WebSocket-Accept` (RFC 6455 §4.2.2), where it is a
//! fixed transform and not a security primitive.
//!
//! Written small rather than fast: one rolled 80-round loop over a 16-word schedule, so
//! that a microcontroller build spends a few hundred bytes of flash on it instead of the
//! ~2.7 KiB of an unrolled implementation. An accept value hashes 60 bytes (two blocks).

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

    pub(crate) fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.push(b);
        }
    }

    #[inline]
    fn push(&mut self, b: u8) {
        let at = self.len % 64;
        if let Some(slot) = self.block.get_mut(at) {
            *slot = b;
        }
        self.len = self.len.wrapping_add(1);
        if at == 63 {
            self.compress();
        }
    }

    pub(crate) fn digest(mut self) -> [u8; 20] {
        let bits = (self.len as u64).wrapping_mul(8);
        self.push(0x80);
        while self.len % 64 != 56 {
            self.push(0);
        }
        for b in bits.to_be_bytes() {
            self.push(b);
        }
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
        let [mut a, mut b, mut c, mut d, mut e] = self.state;
        for i in 0..80 {
            let wi = if i < 16 {
                w[i]
            } else {
                let x = (w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15])
                    .rotate_left(1);
                w[i & 15] = x;
                x
            };
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (s, v) in self.state.iter_mut().zip([a, b, c, d, e]) {
            *s = s.wrapping_add(v);
        }
    }
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
