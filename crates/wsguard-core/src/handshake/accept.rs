//! `Sec-WebSocket-Key` → `Sec-WebSocket-Accept` (RFC 6455 §4.2.2 step 5.4), and the
//! client's key from 16 caller-supplied random bytes.
//!
//! SHA-1 is `sha1_smol`; base64 (RFC 4648 §4, standard alphabet, canonical padding and
//! trailing bits) is the `base64` crate's `STANDARD` engine, without its `alloc` feature.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The GUID every WebSocket server appends to the key before hashing (RFC 6455 §1.3).
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A `Sec-WebSocket-Accept` value: base64 of SHA-1(key + GUID), always 28 ASCII bytes.
///
/// ```
/// use wsguard_core::handshake::AcceptKey;
/// let accept = AcceptKey::from_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(accept.as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AcceptKey([u8; 28]);

impl AcceptKey {
    /// Computes the accept value for a `Sec-WebSocket-Key` exactly as received (the
    /// 24-character base64 text, not its decoded bytes).
    ///
    /// ```
    /// use wsguard_core::handshake::AcceptKey;
    /// let accept = AcceptKey::from_key(b"dGhlIHNhbXBsZSBub25jZQ==");
    /// assert_eq!(accept.as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /// ```
    pub fn from_key(key: &[u8]) -> Self {
        let mut sha = sha1_smol::Sha1::new();
        sha.update(key);
        sha.update(WEBSOCKET_GUID.as_bytes());
        let mut out = [0u8; 28];
        // 20 bytes always encode to exactly 28 characters: the slice is large enough.
        let _ = STANDARD.encode_slice(sha.digest().bytes(), &mut out);
        AcceptKey(out)
    }

    /// The 28 bytes.
    ///
    /// ```
    /// # use wsguard_core::handshake::AcceptKey;
    /// assert_eq!(AcceptKey::from_key(b"x").as_bytes().len(), 28);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 28] {
        &self.0
    }

    /// The value as text.
    ///
    /// ```
    /// # use wsguard_core::handshake::AcceptKey;
    /// assert!(AcceptKey::from_key(b"x").as_str().ends_with('='));
    /// ```
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// `true` when `value` (a received `Sec-WebSocket-Accept`) equals this one.
    pub(crate) fn matches(&self, value: &[u8]) -> bool {
        value == self.0
    }
}

impl core::fmt::Debug for AcceptKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("AcceptKey").field(&self.as_str()).finish()
    }
}

/// A client's `Sec-WebSocket-Key`: base64 of 16 random bytes, always 24 ASCII bytes.
///
/// ```
/// use wsguard_core::handshake::ClientKey;
/// let key = ClientKey::from_nonce(*b"the sample nonce");
/// assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(key.accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientKey([u8; 24]);

impl ClientKey {
    /// Encodes 16 bytes the caller took from a random source (the library has none).
    ///
    /// ```
    /// use wsguard_core::handshake::ClientKey;
    /// let key = ClientKey::from_nonce(*b"the sample nonce");
    /// assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
    /// ```
    pub fn from_nonce(nonce: [u8; 16]) -> Self {
        let mut out = [0u8; 24];
        // 16 bytes always encode to exactly 24 characters: the slice is large enough.
        let _ = STANDARD.encode_slice(nonce, &mut out);
        ClientKey(out)
    }

    /// The key as text.
    ///
    /// ```
    /// # use wsguard_core::handshake::ClientKey;
    /// assert_eq!(ClientKey::from_nonce([0; 16]).as_str(), "AAAAAAAAAAAAAAAAAAAAAA==");
    /// ```
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The accept value the server must answer with.
    ///
    /// ```
    /// use wsguard_core::handshake::ClientKey;
    /// let key = ClientKey::from_nonce(*b"the sample nonce");
    /// assert_eq!(key.accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /// ```
    pub fn accept(&self) -> AcceptKey {
        AcceptKey::from_key(&self.0)
    }
}

impl core::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("ClientKey").field(&self.as_str()).finish()
    }
}

/// `true` when `key` is 24 base64 characters decoding to exactly 16 bytes.
pub(crate) fn key_is_valid(key: &[u8]) -> bool {
    // 24 characters decode to at most 18 bytes; the engine refuses non-canonical padding
    // and stray low bits in the last character.
    let mut out = [0u8; 18];
    key.len() == 24 && matches!(STANDARD.decode_slice(key, &mut out), Ok(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_example() {
        assert_eq!(
            AcceptKey::from_key(b"dGhlIHNhbXBsZSBub25jZQ==").as_str(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    /// FIPS 180-1 / RFC 3174 test vectors through the accept computation's hash.
    #[test]
    fn sha1_known_answers() {
        let hex = |d: [u8; 20]| {
            d.iter()
                .map(|b| std::format!("{b:02x}"))
                .collect::<std::string::String>()
        };
        let one = |parts: &[&[u8]]| {
            let mut s = sha1_smol::Sha1::new();
            parts.iter().for_each(|p| s.update(p));
            hex(s.digest().bytes())
        };
        assert_eq!(one(&[b"abc"]), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(one(&[b""]), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(one(&[long]), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
        // Split anywhere: the same digest.
        for cut in 0..=long.len() {
            assert_eq!(
                one(&[&long[..cut], &long[cut..]]),
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
            );
        }
    }

    /// Known keys and their accept values (RFC 6455 §1.3 and the nonces of all-equal bytes).
    #[test]
    fn known_keys_and_accepts() {
        assert_eq!(
            ClientKey::from_nonce([0; 16]).as_str(),
            "AAAAAAAAAAAAAAAAAAAAAA=="
        );
        assert_eq!(
            ClientKey::from_nonce([0xff; 16]).as_str(),
            "/////////////////////w=="
        );
        assert_eq!(
            ClientKey::from_nonce([0xfb; 16]).as_str(),
            "+/v7+/v7+/v7+/v7+/v7+w=="
        );
        assert_eq!(
            ClientKey::from_nonce(*b"the sample nonce")
                .accept()
                .as_str(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        for n in [[0u8; 16], [0xff; 16], [0x5a; 16]] {
            assert!(key_is_valid(ClientKey::from_nonce(n).as_str().as_bytes()));
        }
    }

    /// Of the 64 values of the 22nd character only the four whose low four bits are zero
    /// (`A`, `Q`, `g`, `w`) encode 16 bytes without stray bits.
    #[test]
    fn last_character_must_be_canonical() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let valid: std::vec::Vec<u8> = alphabet
            .iter()
            .copied()
            .filter(|&c| {
                let mut key = *b"dGhlIHNhbXBsZSBub25jZQ==";
                key[21] = c;
                key_is_valid(&key)
            })
            .collect();
        assert_eq!(valid, b"AQgw");
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZQ=A"));
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZ-=="));
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZ\xff=="));
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZQ= "));
        assert!(!key_is_valid(b""));
    }

    #[test]
    fn key_validity() {
        assert!(key_is_valid(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZXg=")); // 17 bytes
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25j")); // 15 bytes
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZQ!="));
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZR==")); // non-canonical trailing bits
        assert!(!key_is_valid(b"dGhlIHNhbXBsZSBub25jZXhh")); // 18 bytes
    }
}
