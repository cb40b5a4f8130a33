//! WebSocket URLs: parse and validate `ws://` / `wss://` URLs, derive the socket URL from
//! the page URL, and catch mixed content.
//!
//! Everything borrows the input: [`WsUrl`] holds slices of the string it was parsed from,
//! and [`derive_ws_url`] writes into a caller buffer and hands back a [`WsUrl`] over it.
//! The grammar is RFC 3986 restricted to what RFC 6455 §3 and browsers accept: scheme
//! `ws`/`wss` (any case), no userinfo, a host (DNS name, dotted IPv4 or bracketed IPv6),
//! an optional port 1–65535, path and query, and no fragment.
//!
//! Hosts follow the crate's one host grammar (the same as Origin and Host headers): a
//! host that ends in a number is IPv4 by the WHATWG URL Standard (§3.5) and must be the
//! canonical dotted quad — `ws://0xffffffff/` or `ws://127.1/` (which a browser connects
//! to 255.255.255.255 / 127.0.0.1) is [`UrlError::Ipv4Noncanonical`], and
//! `ws://1.2.3.4.5/` or `ws://foo.09/` (which a browser refuses) is
//! [`UrlError::InvalidIpv4`]. A path with a `.`/`..` segment (also `%2e`) is refused
//! with [`UrlError::DotSegment`] instead of being resolved: a browser would request
//! `/a/b` for `ws://h/a/x/../b`, so the URL as written is not the resource requested
//! (RFC 3986 §6.2.2.3 makes the removal a normalization, WHATWG's path state applies it).
//! [`derive_ws_url`] resolves dot segments of a relative target as browsers do.
//!
//! ```
//! use wsguard_core::url::WsUrl;
//! let url = WsUrl::parse("WSS://Chat.Example.com/socket?room=7").unwrap();
//! assert!(url.secure());
//! assert_eq!(url.host(), "Chat.Example.com");
//! assert_eq!(url.port_or_default(), 443);
//! assert_eq!(url.path(), "/socket");
//! assert_eq!(url.query(), Some("room=7"));
//! ```

mod derive;
mod error;
mod parse;

pub use derive::{check_mixed_content, derive_ws_url};
pub use error::UrlError;

use crate::{BufferTooSmall, Cursor};
use parse::Scheme;

/// What kind of host a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HostKind {
    /// A DNS name (`localhost`, `app.example.com`).
    Name,
    /// A dotted-quad IPv4 address.
    Ipv4,
    /// A bracketed IPv6 address.
    Ipv6,
}

/// A validated `ws://` or `wss://` URL borrowing the parsed string.
///
/// ```
/// use wsguard_core::url::{HostKind, WsUrl};
/// let url = WsUrl::parse("ws://[::1]:8000").unwrap();
/// assert_eq!(url.host(), "[::1]");
/// assert_eq!(url.host_unbracketed(), "::1");
/// assert_eq!(url.host_kind(), HostKind::Ipv6);
/// assert_eq!(url.port(), Some(8000));
/// assert_eq!(url.path(), "/");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WsUrl<'a> {
    secure: bool,
    host: &'a str,
    host_kind: HostKind,
    port: Option<u16>,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> WsUrl<'a> {
    /// Parses and validates a WebSocket URL. `http://`/`https://` are refused with
    /// [`UrlError::HttpScheme`]/[`UrlError::HttpsScheme`] whose remedy names the mapping
    /// (use [`derive_ws_url`] to convert page URLs).
    ///
    /// ```
    /// use wsguard_core::url::{WsUrl, UrlError};
    /// assert!(WsUrl::parse("ws://localhost:8000/ws").is_ok());
    /// assert_eq!(WsUrl::parse("ws://host/ws#top"), Err(UrlError::Fragment));
    /// assert_eq!(WsUrl::parse("ws://user:pw@host/"), Err(UrlError::Userinfo));
    /// assert_eq!(WsUrl::parse("ws://host:70000/"), Err(UrlError::Port));
    /// assert_eq!(WsUrl::parse("localhost:8000/ws"), Err(UrlError::MissingScheme));
    /// assert_eq!(WsUrl::parse("ws://0xffffffff/"), Err(UrlError::Ipv4Noncanonical));
    /// assert_eq!(WsUrl::parse("ws://h/a/../b"), Err(UrlError::DotSegment));
    /// ```
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let (scheme, rest) = parse::split_scheme(input)?;
        match scheme {
            Scheme::Ws | Scheme::Wss => {}
            Scheme::Http => return Err(UrlError::HttpScheme),
            Scheme::Https => return Err(UrlError::HttpsScheme),
        }
        let p = parse::parse_after_scheme(rest)?;
        if p.has_fragment {
            return Err(UrlError::Fragment);
        }
        if parse::has_dot_segment(p.path) {
            return Err(UrlError::DotSegment);
        }
        Ok(WsUrl {
            secure: scheme.secure(),
            host: p.host,
            host_kind: p.host_kind,
            port: p.port,
            path: p.path,
            query: p.query,
        })
    }

    /// Parses a URL held in bytes (e.g. from C or a config file); non-UTF-8 input is
    /// [`UrlError::InvalidChar`].
    ///
    /// ```
    /// assert!(wsguard_core::url::WsUrl::parse_bytes(b"wss://example.com").is_ok());
    /// ```
    pub fn parse_bytes(input: &'a [u8]) -> Result<Self, UrlError> {
        match core::str::from_utf8(input) {
            Ok(s) => WsUrl::parse(s),
            Err(_) => Err(UrlError::InvalidChar),
        }
    }

    /// `true` for `wss://`.
    pub const fn secure(&self) -> bool {
        self.secure
    }
    /// `"ws"` or `"wss"`.
    pub const fn scheme(&self) -> &'static str {
        if self.secure {
            "wss"
        } else {
            "ws"
        }
    }
    /// The host as written; IPv6 addresses keep their brackets (`[::1]`).
    pub const fn host(&self) -> &'a str {
        self.host
    }
    /// The host without IPv6 brackets, for name resolution or socket addresses.
    pub fn host_unbracketed(&self) -> &'a str {
        match self.host_kind {
            HostKind::Ipv6 => self
                .host
                .get(1..self.host.len().saturating_sub(1))
                .unwrap_or(self.host),
            _ => self.host,
        }
    }
    /// What kind of host it is.
    pub const fn host_kind(&self) -> HostKind {
        self.host_kind
    }
    /// The explicit port, if the URL has one.
    pub const fn port(&self) -> Option<u16> {
        self.port
    }
    /// 80 for ws, 443 for wss.
    pub const fn default_port(&self) -> u16 {
        if self.secure {
            443
        } else {
            80
        }
    }
    /// The explicit port, or the scheme's default.
    ///
    /// ```
    /// assert_eq!(wsguard_core::url::WsUrl::parse("ws://h").unwrap().port_or_default(), 80);
    /// ```
    pub const fn port_or_default(&self) -> u16 {
        match self.port {
            Some(p) => p,
            None => self.default_port(),
        }
    }
    /// The path, `/` when the URL has none.
    pub const fn path(&self) -> &'a str {
        if self.path.is_empty() {
            "/"
        } else {
            self.path
        }
    }
    /// The query without `?`, if any (may be empty for `ws://h/?`).
    pub const fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The request target of the opening handshake (`GET <resource name> HTTP/1.1`):
    /// path (or `/`) plus `?query`. Displays as text; see also
    /// [`WsUrl::write_resource_name`].
    ///
    /// ```
    /// let url = wsguard_core::url::WsUrl::parse("ws://h?x=1").unwrap();
    /// assert_eq!(url.resource_name().to_string(), "/?x=1");
    /// ```
    pub const fn resource_name(&self) -> ResourceName<'a> {
        ResourceName {
            path: self.path(),
            query: self.query,
        }
    }

    /// Writes the resource name (path and query) at the cursor.
    ///
    /// ```
    /// use wsguard_core::{Cursor, url::WsUrl};
    /// let mut buf = [0u8; 32];
    /// let mut c = Cursor::new(&mut buf);
    /// WsUrl::parse("wss://h/chat?room=1").unwrap().write_resource_name(&mut c).unwrap();
    /// assert_eq!(c.written(), b"/chat?room=1");
    /// ```
    pub fn write_resource_name(&self, out: &mut Cursor<'_>) -> Result<(), BufferTooSmall> {
        self.resource_name().write(out)
    }

    /// Writes the value of the `Host` header: the host in lowercase, plus `:port` when the
    /// URL names a non-default port (RFC 6455 §4.1 item 7, RFC 9110 §7.2).
    ///
    /// ```
    /// use wsguard_core::{Cursor, url::WsUrl};
    /// let mut buf = [0u8; 64];
    /// let mut c = Cursor::new(&mut buf);
    /// WsUrl::parse("wss://App.Example.com:443/ws").unwrap().host_header(&mut c).unwrap();
    /// assert_eq!(c.written(), b"app.example.com");
    /// let mut c = Cursor::new(&mut buf);
    /// WsUrl::parse("ws://[::1]:8000/").unwrap().host_header(&mut c).unwrap();
    /// assert_eq!(c.written(), b"[::1]:8000");
    /// ```
    /// On a short buffer the cursor still counts every byte ([`Cursor::needed`] is exact).
    pub fn host_header(&self, out: &mut Cursor<'_>) -> Result<(), BufferTooSmall> {
        write_lower(out, self.host);
        match self.port {
            Some(p) if p != self.default_port() => {
                let _ = out.put(b":");
                let _ = out.put_u16(p);
            }
            _ => {}
        }
        out.finish().map(|_| ())
    }

    /// Writes the normalized URL: lowercase scheme and host, default port dropped,
    /// path `/` when empty.
    ///
    /// ```
    /// use wsguard_core::{Cursor, url::WsUrl};
    /// let mut buf = [0u8; 64];
    /// let mut c = Cursor::new(&mut buf);
    /// WsUrl::parse("WS://Example.COM:80?a").unwrap().write_normalized(&mut c).unwrap();
    /// assert_eq!(c.written(), b"ws://example.com/?a");
    /// ```
    pub fn write_normalized(&self, out: &mut Cursor<'_>) -> Result<(), BufferTooSmall> {
        out.put_str(self.scheme())?;
        out.put(b"://")?;
        self.host_header(out)?;
        self.write_resource_name(out)
    }
}

impl core::fmt::Display for WsUrl<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}://", self.scheme())?;
        for c in self.host.chars() {
            write!(f, "{}", c.to_ascii_lowercase())?;
        }
        if let Some(p) = self.port {
            if p != self.default_port() {
                write!(f, ":{}", p)?;
            }
        }
        write!(f, "{}", self.resource_name())
    }
}

/// The request target of the opening handshake: a path and an optional query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResourceName<'a> {
    /// The path (never empty).
    pub path: &'a str,
    /// The query without `?`.
    pub query: Option<&'a str>,
}

impl ResourceName<'_> {
    /// Length in bytes once written.
    ///
    /// ```
    /// let url = wsguard_core::url::WsUrl::parse("ws://h/a?b").unwrap();
    /// assert_eq!(url.resource_name().len(), 4);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.path.len() + self.query.map_or(0, |q| q.len() + 1)
    }
    /// Writes it at the cursor (on a short buffer the cursor still counts every byte).
    pub fn write(&self, out: &mut Cursor<'_>) -> Result<(), BufferTooSmall> {
        let _ = out.put_str(self.path);
        if let Some(q) = self.query {
            let _ = out.put(b"?");
            let _ = out.put_str(q);
        }
        out.finish().map(|_| ())
    }
}

impl core::fmt::Display for ResourceName<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.path)?;
        if let Some(q) = self.query {
            write!(f, "?{}", q)?;
        }
        Ok(())
    }
}

/// Appends `s` in ASCII lowercase (counted, not stopped, when it does not fit).
fn write_lower(out: &mut Cursor<'_>, s: &str) {
    let mut chunk = [0u8; 32];
    for part in s.as_bytes().chunks(chunk.len()) {
        let dst = chunk.get_mut(..part.len()).unwrap_or(&mut []);
        for (d, b) in dst.iter_mut().zip(part) {
            *d = b.to_ascii_lowercase();
        }
        let _ = out.put(dst);
    }
}

#[cfg(test)]
mod tests;
