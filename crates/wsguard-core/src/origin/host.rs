//! Host allowlist: the DNS-rebinding defence.
//!
//! A page on `http://attacker.example` can make its own name resolve to `127.0.0.1` and
//! then talk to a local server "same-origin". The request still carries
//! `Host: attacker.example`, so a server that only answers to its own names is safe.

use super::authority::{
    ends_with_ci, eq_ci, find_byte, parse_authority, parse_port, scan_authority_fast, scan_bytes,
    split_host_port, validate_host,
};
use super::list::HostList;
use super::malformed::Malformed;

/// Why a Host header was refused.
///
/// ```
/// use wsguard_core::origin::{HostPolicy, HostDenial, Malformed};
/// use wsguard_core::Diagnostic;
/// let hosts = HostPolicy::new(&["example.com"]);
/// assert_eq!(hosts.check(b"evil.com").unwrap_err().code(), "host_not_allowed");
/// assert_eq!(hosts.check(b"example.com:0"), Err(HostDenial::Malformed(Malformed::PortZero)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HostDenial {
    /// Not `host[:port]` (`host_malformed`); the sub-reason says what is wrong.
    Malformed(Malformed),
    /// Well-formed but not in the allowlist (`host_not_allowed`).
    NotAllowed,
}

impl HostDenial {
    /// The sub-reason for [`HostDenial::Malformed`].
    ///
    /// ```
    /// use wsguard_core::origin::{HostPolicy, Malformed};
    /// let err = HostPolicy::new(&[]).check(b"a.example:0").unwrap_err();
    /// assert_eq!(err.malformed(), Some(Malformed::PortZero));
    /// ```
    pub fn malformed(&self) -> Option<Malformed> {
        match self {
            HostDenial::Malformed(m) => Some(*m),
            HostDenial::NotAllowed => None,
        }
    }
}

crate::diag::diagnostics! {
    HostDenial in "wsguard_core::origin" display {
        /// The HTTP status: 400 for a malformed Host, 403 for one not in the allowlist.
        ///
        /// ```
        /// assert_eq!(wsguard_core::origin::HostDenial::NotAllowed.http_status(), 403);
        /// ```
        pub fn http_status(&self) -> u16;
    }
    Malformed(_) => {
        example: Self::Malformed(Malformed::Empty),
        code: "host_malformed",
        reason: "the Host header is not a valid `host[:port]` (e.g. empty, a path, a bad port or a non-canonical address)",
        remedy: "send `Host: name[:port]` exactly as in the URL, e.g. `Host: app.example.com` or `Host: [::1]:8080`",
        http_status: 400,
    },
    NotAllowed => {
        code: "host_not_allowed",
        reason: "the Host header names a host this server does not answer to (possible DNS rebinding, or a missing allowlist entry)",
        remedy: "add the name clients use to the Host allowlist (`app.example.com`, `*.example.com`, `localhost:*`), or connect with that name",
        http_status: 403,
    },
}

/// Host allowlist. Empty: any well-formed Host.
///
/// Entries: `example.com` (no port: a Host without port, or with port 80 or 443),
/// `example.com:8443` (that port; 80/443 also match a Host without port),
/// `*.example.com` (one or more labels below, never the apex), `localhost:*` (any port,
/// or none), `[::1]:*`. Names compare ASCII case-insensitively. Invalid entries never match.
///
/// ```
/// use wsguard_core::origin::HostPolicy;
/// let hosts = HostPolicy::new(&["example.com", "*.example.com", "localhost:*"]);
/// assert!(hosts.check(b"Example.COM").is_ok());
/// assert!(hosts.check(b"api.example.com:443").is_ok());
/// assert!(hosts.check(b"localhost:8080").is_ok());
/// assert!(hosts.check(b"rebind.attacker.example").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HostPolicy<'a> {
    allowed: HostList<'a>,
}

fn host_port_matches(entry_port: Option<&str>, port: Option<u16>) -> bool {
    let is_default = |p: u16| p == 80 || p == 443;
    match entry_port {
        Some("*") => true,
        None => match port {
            None => true,
            Some(p) => is_default(p),
        },
        Some(text) => match parse_port(text) {
            Ok(n) => port == Some(n) || (port.is_none() && is_default(n)),
            Err(_) => false,
        },
    }
}

fn entry_matches(entry: &str, host: &str, port: Option<u16>) -> bool {
    let Ok((ehost, eport)) = split_host_port(entry) else {
        return false;
    };
    // Cheap comparisons first; an entry is validated only when it would match.
    let host_ok = match ehost.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1
                && ends_with_ci(host, suffix)
                && host.as_bytes().get(host.len() - suffix.len() - 1) == Some(&b'.')
                && validate_host(suffix).is_ok()
        }
        // `host` is valid and validity ignores ASCII case: an equal entry is valid.
        None => eq_ci(ehost, host),
    };
    host_ok && host_port_matches(eport, port)
}

impl<'a> HostPolicy<'a> {
    /// A Host allowlist (empty: any Host).
    ///
    /// ```
    /// assert!(wsguard_core::origin::HostPolicy::new(&[]).check(b"anything.example").is_ok());
    /// ```
    pub const fn new(allowed: &'a [&'a str]) -> Self {
        Self::from_list(HostList::new(allowed))
    }

    /// An allowlist of the entries of `list` (an owned policy's stored entries).
    pub(crate) const fn from_list(allowed: HostList<'a>) -> Self {
        HostPolicy { allowed }
    }

    /// The entries (a `Copy` list; [`iter`](super::EntryList::iter) yields each `&str`).
    ///
    /// ```
    /// let hosts = wsguard_core::origin::HostPolicy::new(&["a.example", "localhost:*"]);
    /// assert_eq!(hosts.allowed().get(1), Some("localhost:*"));
    /// ```
    pub fn allowed(&self) -> HostList<'a> {
        self.allowed
    }

    /// Checks every entry for control characters (CR, LF, …); call it where the
    /// allowlist is configured. Returns the index of the first bad entry and where.
    ///
    /// ```
    /// use wsguard_core::origin::HostPolicy;
    /// assert!(HostPolicy::new(&["example.com", "localhost:*"]).check_entries().is_ok());
    /// let (index, at) = HostPolicy::new(&["a.example", "b.example\r\nX: y"]).check_entries().unwrap_err();
    /// assert_eq!((index, at.offset), (1, 9));
    /// ```
    pub fn check_entries(&self) -> Result<(), (usize, crate::text::ControlChar)> {
        for (i, entry) in self.allowed.iter().enumerate() {
            crate::text::check_config_text(entry).map_err(|e| (i, e))?;
        }
        Ok(())
    }

    /// Checks a Host header value. The value is always parsed strictly (so a malformed
    /// Host is refused even with an empty allowlist).
    ///
    /// ```
    /// use wsguard_core::origin::{HostPolicy, HostDenial};
    /// let hosts = HostPolicy::new(&["[::1]:*"]);
    /// assert!(hosts.check(b"[::1]:9000").is_ok());
    /// assert_eq!(hosts.check(b"[::1%eth0]").unwrap_err().malformed().unwrap().code(), "zone_id");
    /// ```
    pub fn check(&self, host: &[u8]) -> Result<(), HostDenial> {
        self.check_text(host).map(|_| ())
    }

    /// [`check`](Self::check), giving back the allowed value as text (one UTF-8 check).
    pub(crate) fn check_text<'h>(&self, host: &'h [u8]) -> Result<&'h str, HostDenial> {
        // One scan for the usual `name[:port]` / `a.b.c.d[:port]`; anything else (IPv6,
        // errors) goes through the rule-by-rule check below, which names the error.
        if let Some((end, port)) = scan_authority_fast(host, 0) {
            if let Ok(text) = core::str::from_utf8(host) {
                if let Some(h) = text.get(..end) {
                    return self.matches(h, port).map(|()| text);
                }
            }
        }
        self.check_reference(host)
    }

    /// The rule-by-rule check: the same verdicts as [`check`](Self::check), naming the
    /// first rule broken.
    fn check_reference<'h>(&self, host: &'h [u8]) -> Result<&'h str, HostDenial> {
        if host.is_empty() {
            return Err(HostDenial::Malformed(Malformed::EmptyHost));
        }
        if host.len() > 300 {
            return Err(HostDenial::Malformed(Malformed::TooLong));
        }
        scan_bytes(host).map_err(HostDenial::Malformed)?;
        let text =
            core::str::from_utf8(host).map_err(|_| HostDenial::Malformed(Malformed::NonAscii))?;
        if find_byte(text, b"@").is_some() {
            return Err(HostDenial::Malformed(Malformed::Userinfo));
        }
        if let Some(i) = find_byte(text, b"/?#\\") {
            return Err(HostDenial::Malformed(match text.as_bytes().get(i) {
                Some(b'/') => Malformed::Path,
                Some(b'?') => Malformed::Query,
                Some(b'#') => Malformed::Fragment,
                _ => Malformed::Backslash,
            }));
        }
        let (h, _, port) = parse_authority(text).map_err(HostDenial::Malformed)?;
        self.matches(h, port).map(|()| text)
    }

    /// The entry closest to a refused Host value and why it does not match (see
    /// [`NearMiss`](super::NearMiss)).
    ///
    /// ```
    /// use wsguard_core::origin::{HostPolicy, NearMissKind};
    /// let hosts = HostPolicy::new(&["*.example.com"]);
    /// assert_eq!(hosts.near_miss(b"example.com").unwrap().kind, NearMissKind::ApexNotCovered);
    /// ```
    pub fn near_miss<'s>(&'s self, host: &'s [u8]) -> Option<super::NearMiss<'s>> {
        super::near_miss::near_miss_host_in(self.allowed.iter(), host)
    }

    /// The allowlist decision for a host already validated.
    fn matches(&self, host: &str, port: Option<u16>) -> Result<(), HostDenial> {
        if self.allowed.is_empty() || self.allowed.iter().any(|e| entry_matches(e, host, port)) {
            Ok(())
        } else {
            Err(HostDenial::NotAllowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_scan_agrees_with_reference() {
        let policy = HostPolicy::new(&[
            "example.com",
            "*.example.org:8443",
            "localhost:*",
            "[::1]",
            "127.0.0.1:80",
        ]);
        let open = HostPolicy::new(&[]);
        let seeds: [&[u8]; 8] = [
            b"example.com",
            b"a.example.org:8443",
            b"localhost:3000",
            b"127.0.0.1",
            b"[::1]:80",
            b"EXAMPLE.com:443",
            b"1.2.3.4.5",
            b"x_y-z.example.org",
        ];
        const ALPHABET: &[u8] = b"aZ09.:/-_[]%@?#\\, \x00\xc3";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut v = seeds[(next() % seeds.len() as u64) as usize].to_vec();
            for _ in 0..1 + next() % 3 {
                let at = (next() % (v.len() as u64 + 1)) as usize;
                let c = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
                match next() % 4 {
                    0 if at < v.len() => v[at] = c,
                    1 => v.insert(at, c),
                    2 if at < v.len() => {
                        v.remove(at);
                    }
                    _ => v.truncate(at),
                }
            }
            for p in [&policy, &open] {
                assert_eq!(p.check_text(&v), p.check_reference(&v), "{v:?}");
            }
        }
    }

    #[test]
    fn ports_and_wildcards() {
        let h = HostPolicy::new(&[
            "example.com",
            "*.example.org:8443",
            "localhost:*",
            "bad entry",
            "[::1]",
        ]);
        assert_eq!(h.check(b"example.com:80"), Ok(()));
        assert_eq!(h.check(b"example.com:81"), Err(HostDenial::NotAllowed));
        assert_eq!(h.check(b"a.example.org:8443"), Ok(()));
        assert_eq!(h.check(b"a.example.org"), Err(HostDenial::NotAllowed));
        assert_eq!(h.check(b"example.org:8443"), Err(HostDenial::NotAllowed));
        assert_eq!(h.check(b"LOCALHOST:1"), Ok(()));
        assert_eq!(h.check(b"[::1]"), Ok(()));
        assert_eq!(
            h.check(b"bad entry"),
            Err(HostDenial::Malformed(Malformed::Whitespace))
        );
        assert_eq!(
            h.check(b"example.com:"),
            Err(HostDenial::Malformed(Malformed::PortEmpty))
        );
        assert_eq!(HostDenial::Malformed(Malformed::Path).http_status(), 400);
    }
}
