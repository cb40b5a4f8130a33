//! Strict RFC 6454 parsing of a serialized origin (`scheme://host[:port]`): the
//! [`Origin`] tuple, `null`, and the refusal of lists. The `host[:port]` grammar it
//! shares with the Host allowlist and the pattern parser lives in `authority.rs`; the
//! error type in `malformed.rs`.
//!
//! Decisions (also documented on [`Origin::parse`]):
//! * scheme and host compare ASCII case-insensitively; [`Origin`]'s `Display` lowercases;
//! * an explicit default port (`https://a.com:443`, `http://a.com:80`, `ws` 80, `wss` 443)
//!   is **accepted and normalised** to the same origin as `https://a.com`. Browsers never
//!   send it, but it names the same origin, so refusing it would only break non-browser
//!   clients without protecting anything;
//! * IPv6 hosts must be the bracketed RFC 5952 text browsers serialise (lowercase or
//!   uppercase hex, longest zero run compressed, no leading zeros, no embedded dotted IPv4
//!   — the WHATWG URL serialiser never emits `::ffff:1.2.3.4`), never with a zone id;
//! * a host whose last label is numeric is an IPv4 address and must be the canonical
//!   dotted quad (no short, integer, hex, octal or zero-padded forms).

use super::authority::{
    default_port, normalise_port, parse_authority, scan_authority_fast, scan_bytes,
    split_authority, split_scheme,
};
use super::malformed::Malformed;
use core::fmt;

/// Longest Origin header value accepted, in bytes. Longer values are refused as
/// [`Malformed::TooLong`] before any other work.
pub const MAX_ORIGIN_LEN: usize = 512;

/// Is this value a list of origins (`a, b` or `a b`)? Every token must look like an
/// origin (`null` or containing `://`), so `https://a .com` stays a whitespace error.
fn looks_like_list(v: &[u8]) -> bool {
    let mut n = 0;
    for tok in v
        .split(|&c| matches!(c, b',' | b' ' | b'\t'))
        .filter(|t| !t.is_empty())
    {
        if tok != b"null" && !tok.windows(3).any(|w| w == b"://") {
            return false;
        }
        n += 1;
    }
    n >= 2
}

/// The single forward byte scan behind [`Origin::parse`]: scheme, `://`, host labels,
/// port, validating each byte once. It answers only for the well-formed shapes browsers
/// send (`scheme://domain[:port]`, `scheme://a.b.c.d[:port]`) and returns
/// `(scheme_end, host_end, port)`; for anything else (an error, an IPv6 host, `null`, a
/// list) it returns `None` and the caller runs the full classifier
/// ([`parse_reference`]), which names the exact [`Malformed`] sub-code. So the accept path
/// costs one scan, and every verdict and sub-code is the classifier's by construction.
fn scan_fast(v: &[u8]) -> Option<(usize, usize, Option<u16>)> {
    // scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://"
    if !v.first()?.is_ascii_alphabetic() {
        return None;
    }
    let i = v
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))?;
    let scheme_end = i;
    if v.get(i..i + 3)? != b"://" {
        return None;
    }
    let (host_end, port) = scan_authority_fast(v, i + 3)?;
    Some((scheme_end, host_end, port))
}

/// What an [`Origin`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OriginKind {
    /// `scheme://host[:port]`.
    Tuple,
    /// The opaque origin `null`.
    Null,
    /// No Origin header at all.
    Missing,
}

/// A well-formed origin, borrowed from the header value.
///
/// ```
/// use wsguard_core::origin::Origin;
/// let o = Origin::parse(b"HTTPS://App.Example.com:443").unwrap();
/// assert_eq!(o.scheme(), "HTTPS");
/// assert_eq!(o.host(), "App.Example.com");
/// assert_eq!(o.port(), Some(443));
/// assert_eq!(o.explicit_port(), None); // default port elided
/// assert_eq!(o.as_str(), "HTTPS://App.Example.com:443");
/// // Display is the normalised serialization:
/// # extern crate std; use std::string::ToString;
/// assert_eq!(o.to_string(), "https://app.example.com");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Origin<'o> {
    raw: &'o str,
    scheme: &'o str,
    host: &'o str,
    port: Option<u16>,
    kind: OriginKind,
}

impl<'o> Origin<'o> {
    /// The opaque origin `null`.
    pub const NULL: Origin<'static> = Origin {
        raw: "null",
        scheme: "",
        host: "",
        port: None,
        kind: OriginKind::Null,
    };
    /// Stands for an absent Origin header.
    pub const MISSING: Origin<'static> = Origin {
        raw: "",
        scheme: "",
        host: "",
        port: None,
        kind: OriginKind::Missing,
    };

    /// Parses one Origin header value strictly (RFC 6454 serialization), without any
    /// policy: `null` gives [`Origin::NULL`]; lists give [`OriginDenial::Multiple`](super::OriginDenial::Multiple);
    /// anything else that is not `scheme://host[:port]` gives
    /// [`OriginDenial::Malformed`](super::OriginDenial::Malformed) with the exact sub-reason.
    ///
    /// Scheme and host are case-insensitive; an explicit default port (`:443` for https)
    /// is accepted and normalised away.
    ///
    /// ```
    /// use wsguard_core::origin::{Origin, OriginDenial, Malformed};
    /// assert!(Origin::parse(b"https://app.example.com").is_ok());
    /// assert_eq!(Origin::parse(b"https://a.com, https://b.com"), Err(OriginDenial::Multiple));
    /// assert_eq!(Origin::parse(b"http://127.1"), Err(OriginDenial::Malformed(Malformed::Ipv4Noncanonical)));
    /// ```
    pub fn parse(value: &'o [u8]) -> Result<Origin<'o>, super::OriginDenial> {
        use super::OriginDenial;
        if value.is_empty() {
            return Err(OriginDenial::Malformed(Malformed::Empty));
        }
        if value.len() > MAX_ORIGIN_LEN {
            return Err(OriginDenial::Malformed(Malformed::TooLong));
        }
        if let Some((scheme_end, host_end, port)) = scan_fast(value) {
            // Every byte was checked to be ASCII by the scan.
            if let Ok(raw) = core::str::from_utf8(value) {
                if let (Some(scheme), Some(host)) = (
                    raw.get(..scheme_end),
                    raw.get(scheme_end.saturating_add(3)..host_end),
                ) {
                    return Ok(Origin {
                        raw,
                        scheme,
                        host,
                        port,
                        kind: OriginKind::Tuple,
                    });
                }
            }
        }
        Self::parse_reference(value)
    }

    /// The full classifier: the same verdicts as [`Origin::parse`], one rule at a time,
    /// naming the first rule broken. `parse` runs it only when its one-pass scan does not
    /// accept the value (and the tests compare the two on random inputs).
    pub(crate) fn parse_reference(value: &'o [u8]) -> Result<Origin<'o>, super::OriginDenial> {
        use super::OriginDenial;
        if value.is_empty() {
            return Err(OriginDenial::Malformed(Malformed::Empty));
        }
        if value.len() > MAX_ORIGIN_LEN {
            return Err(OriginDenial::Malformed(Malformed::TooLong));
        }
        if value == b"null" {
            return Ok(Origin::NULL);
        }
        // Only ASCII can be a list; non-ASCII is reported by scan_bytes below.
        if core::str::from_utf8(value).is_ok() && looks_like_list(value) {
            return Err(OriginDenial::Multiple);
        }
        scan_bytes(value).map_err(OriginDenial::Malformed)?;
        let s = core::str::from_utf8(value)
            .map_err(|_| OriginDenial::Malformed(Malformed::NonAscii))?;
        Self::parse_tuple(s).map_err(OriginDenial::Malformed)
    }

    fn parse_tuple(s: &'o str) -> Result<Origin<'o>, Malformed> {
        let (scheme, rest) = split_scheme(s)?;
        let auth = split_authority(rest)?;
        let (host, _, port) = parse_authority(auth)?;
        Ok(Origin {
            raw: s,
            scheme,
            host,
            port,
            kind: OriginKind::Tuple,
        })
    }

    /// Tuple, `null` or missing.
    pub fn kind(&self) -> OriginKind {
        self.kind
    }
    /// `true` for the opaque origin `null`.
    pub fn is_null(&self) -> bool {
        self.kind == OriginKind::Null
    }
    /// `true` when this stands for an absent Origin header.
    pub fn is_missing(&self) -> bool {
        self.kind == OriginKind::Missing
    }
    /// The header value exactly as received (`"null"` for null, `""` when missing).
    /// This is what CORS echoes in `Access-Control-Allow-Origin`.
    pub fn as_str(&self) -> &'o str {
        self.raw
    }
    /// The scheme as received (compare case-insensitively); empty unless a tuple.
    pub fn scheme(&self) -> &'o str {
        self.scheme
    }
    /// The host as received, IPv6 with brackets (`[::1]`); empty unless a tuple.
    pub fn host(&self) -> &'o str {
        self.host
    }
    /// The effective port: the explicit one, else the scheme's default; `None` for
    /// schemes without a default and no port, and for null/missing.
    pub fn port(&self) -> Option<u16> {
        self.port.or_else(|| {
            if self.kind == OriginKind::Tuple {
                default_port(self.scheme)
            } else {
                None
            }
        })
    }
    /// The port written in the value, with an explicit default port removed.
    pub fn explicit_port(&self) -> Option<u16> {
        normalise_port(self.scheme, self.port)
    }
}

impl fmt::Display for Origin<'_> {
    /// The normalised serialization: lowercase scheme and host, default port elided.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        match self.kind {
            OriginKind::Missing => Ok(()),
            OriginKind::Null => f.write_str("null"),
            OriginKind::Tuple => {
                for c in self
                    .scheme
                    .chars()
                    .chain("://".chars())
                    .chain(self.host.chars())
                {
                    f.write_char(c.to_ascii_lowercase())?;
                }
                match self.explicit_port() {
                    Some(p) => write!(f, ":{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass scan and the full classifier agree on every input: valid origins,
    /// their mutations (bytes replaced, inserted, removed, cut) and random bytes.
    #[test]
    fn fast_scan_agrees_with_classifier() {
        let seeds: [&[u8]; 16] = [
            b"https://app.example.com",
            b"http://localhost:3000",
            b"http://127.0.0.1:8080",
            b"https://a.b.c.example.net:65535",
            b"HTTPS://App.Example.COM:443",
            b"chrome-extension://abcdefghijklmnop",
            b"http://[::1]:5173",
            b"http://1.2.3.4",
            b"http://0x7f.0.0.1",
            b"http://a_b-c.d9",
            b"x+y.z-1://h:1",
            b"http://123abc.com:9",
            b"https://xn--bcher-kva.example",
            b"https://a.com, https://b.com",
            b"null",
            b"http://1.example.2",
        ];
        const ALPHABET: &[u8] = b"aZ09.:/-_[]%@?#\\, \t\x00\x7f\xc3x+*";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0u32;
        for round in 0..40_000u32 {
            let seed = seeds[(next() % seeds.len() as u64) as usize];
            let mut v: std::vec::Vec<u8> = seed.to_vec();
            let edits = 1 + next() % 3;
            for _ in 0..edits {
                let at = (next() % (v.len() as u64 + 1)) as usize;
                let c = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
                match next() % 5 {
                    0 if at < v.len() => v[at] = c,
                    1 => v.insert(at, c),
                    2 if at < v.len() => {
                        v.remove(at);
                    }
                    3 => v.truncate(at),
                    _ => v.insert(at, b'0' + (next() % 10) as u8),
                }
            }
            if round % 10 == 0 {
                v = (0..next() % 40).map(|_| next() as u8).collect();
            }
            assert_eq!(
                Origin::parse(&v),
                Origin::parse_reference(&v),
                "{:?}",
                std::string::String::from_utf8_lossy(&v)
            );
            checked += 1;
        }
        assert_eq!(checked, 40_000);
        // Edge cases of the scan itself.
        let mut long_label = std::vec::Vec::from(&b"http://"[..]);
        long_label.extend(std::iter::repeat(b'a').take(64));
        let mut long_host = std::vec::Vec::from(&b"http://"[..]);
        for _ in 0..50 {
            long_host.extend_from_slice(b"abcd.");
        }
        long_host.extend_from_slice(b"abcd");
        let mut long_scheme = std::vec::Vec::from(&[b'a'; 600][..]);
        long_scheme.extend_from_slice(b"://a.com");
        for v in [
            &long_label[..],
            &long_host[..],
            &long_scheme[..],
            b"http://a.com:65536",
            b"http://a.com:00",
            b"http://a.com:0",
            b"http://a.com:",
            b"http://a.com:123456",
            b"http://256.0.0.1",
            b"http://0x",
            b"http://1.0x1f",
            b"http://.a",
            b"http://a..b",
            b"http://a.",
            b"http://",
            b"http:/a",
            b"1http://a",
            b"http:",
        ] {
            assert_eq!(Origin::parse(v), Origin::parse_reference(v), "{v:?}");
        }
    }
}
