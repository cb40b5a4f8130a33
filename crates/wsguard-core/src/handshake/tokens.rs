//! Comma-separated header lists (`Connection: keep-alive, Upgrade`), header lookup, the
//! raw header walker behind [`Accepted::headers`](super::Accepted::headers) and the
//! `Sec-WebSocket-Extensions` parser.
//!
//! HTTP lets a list header repeat; the values of all its occurrences form one list
//! (RFC 9110 §5.3). Splitting respects quoted strings, so `a; p="x,y"` stays one entry.

/// Trims HTTP optional whitespace (SP, HTAB) on both sides.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Splits `input` at the first `sep` outside a quoted string: `(item, rest)`.
/// `rest` is `None` when there was no separator.
pub(crate) fn split_unquoted(input: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, &b) in input.iter().enumerate() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_quotes = false;
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if b == sep {
            return (input.get(..i).unwrap_or(&[]), input.get(i + 1..));
        }
    }
    (input, None)
}

/// Iterator over the non-empty, trimmed entries of one comma-separated value.
///
/// ```
/// use wsguard_core::handshake::CommaList;
/// let mut it = CommaList::new(b" keep-alive ,, Upgrade");
/// assert_eq!(it.next(), Some(&b"keep-alive"[..]));
/// assert_eq!(it.next(), Some(&b"Upgrade"[..]));
/// assert_eq!(it.next(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CommaList<'b> {
    rest: Option<&'b [u8]>,
}

impl<'b> CommaList<'b> {
    /// Entries of `value`.
    ///
    /// ```
    /// use wsguard_core::handshake::CommaList;
    /// let v: Vec<&[u8]> = CommaList::new(b"keep-alive, , Upgrade").collect();
    /// assert_eq!(v, [&b"keep-alive"[..], b"Upgrade"]);
    /// ```
    pub fn new(value: &'b [u8]) -> Self {
        CommaList { rest: Some(value) }
    }
}

impl<'b> Iterator for CommaList<'b> {
    type Item = &'b [u8];
    fn next(&mut self) -> Option<&'b [u8]> {
        while let Some(rest) = self.rest {
            let (item, after) = split_unquoted(rest, b',');
            self.rest = after;
            let item = trim_ows(item);
            if !item.is_empty() {
                return Some(item);
            }
        }
        None
    }
}

/// `true` when any entry of the comma-separated `values` equals `token`, ignoring ASCII case.
///
/// ```
/// use wsguard_core::handshake::list_contains;
/// let values: [&[u8]; 2] = [b"keep-alive", b"Upgrade"];
/// assert!(list_contains(values.iter().copied(), b"upgrade"));
/// assert!(!list_contains(values.iter().copied(), b"close"));
/// ```
pub fn list_contains<'b>(values: impl Iterator<Item = &'b [u8]>, token: &[u8]) -> bool {
    values
        .flat_map(CommaList::new)
        .any(|e| e.eq_ignore_ascii_case(token))
}

/// Values of every header called `name` (case-insensitive), in order.
pub(crate) fn header_values<'b>(
    headers: HeaderIter<'b>,
    name: &'static str,
) -> impl Iterator<Item = &'b [u8]> {
    headers
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Number of headers called `name` and the value of the first.
pub(crate) fn single<'b>(headers: HeaderIter<'b>, name: &'static str) -> (usize, Option<&'b [u8]>) {
    let mut count = 0usize;
    let mut first = None;
    for v in header_values(headers, name) {
        if first.is_none() {
            first = Some(v);
        }
        count = count.saturating_add(1);
    }
    (count, first)
}

/// One header field of a request given as a list ([`validate_fields`](super::validate_fields)):
/// `(name, value)` bytes, as an ASGI scope's `headers` holds them.
///
/// ```
/// let f: wsguard_core::handshake::Field<'_> = (b"origin", b"https://app.example.com");
/// assert_eq!(f.0, b"origin");
/// ```
pub type Field<'b> = (&'b [u8], &'b [u8]);

/// Walks the header fields of a head that the parser already accepted, skipping the
/// start line, or of a field list that [`validate_fields`](super::validate_fields)
/// accepted. Yields `(name, value)` with the value trimmed.
///
/// Obtained from [`Accepted::headers`](super::Accepted::headers),
/// [`AcceptedFields::headers`](super::AcceptedFields::headers) or
/// [`Established::headers`](super::Established::headers), which show it in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeaderIter<'b> {
    rest: &'b [u8],
    started: bool,
    /// The remaining fields of a field list (used when `rest` is empty).
    list: &'b [Field<'b>],
}

impl<'b> HeaderIter<'b> {
    /// Walks `head` (start line, header fields, empty line), which must have been
    /// accepted by the parser.
    pub(crate) fn new(head: &'b [u8]) -> Self {
        HeaderIter {
            rest: head,
            started: false,
            list: &[],
        }
    }

    /// Walks a header block (fields and the empty line, no start line) already accepted
    /// by the parser.
    pub(crate) fn fields(block: &'b [u8]) -> Self {
        HeaderIter {
            rest: block,
            started: true,
            list: &[],
        }
    }

    /// Walks a field list already accepted by [`validate_fields`](super::validate_fields)
    /// (every name a token, so UTF-8).
    pub(crate) fn list(list: &'b [Field<'b>]) -> Self {
        HeaderIter {
            rest: &[],
            started: true,
            list,
        }
    }

    fn next_line(&mut self) -> Option<&'b [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.iter().position(|&b| b == b'\n') {
            Some(nl) => (
                self.rest.get(..nl).unwrap_or(&[]),
                self.rest.get(nl + 1..).unwrap_or(&[]),
            ),
            None => (self.rest, &[][..]),
        };
        self.rest = rest;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

impl<'b> Iterator for HeaderIter<'b> {
    type Item = (&'b str, &'b [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        while let [(name, value), rest @ ..] = self.list {
            self.list = rest;
            if let Ok(name) = core::str::from_utf8(name) {
                return Some((name, trim_ows(value)));
            }
        }
        if !self.started {
            self.started = true;
            // Skip leading empty lines, then the start line.
            loop {
                match self.next_line() {
                    None => return None,
                    Some([]) => continue,
                    Some(_) => break,
                }
            }
        }
        loop {
            let line = self.next_line()?;
            if line.is_empty() {
                self.rest = &[];
                return None;
            }
            let colon = match line.iter().position(|&b| b == b':') {
                Some(c) => c,
                None => continue,
            };
            let name = line.get(..colon).unwrap_or(&[]);
            let value = trim_ows(line.get(colon + 1..).unwrap_or(&[]));
            if let Ok(name) = core::str::from_utf8(name) {
                return Some((name, value));
            }
        }
    }
}

/// One extension offered in (or answered by) `Sec-WebSocket-Extensions`, borrowed from
/// the request: its name and its raw parameters. Extensions are parsed, never negotiated.
///
/// ```
/// use wsguard_core::handshake::Extension;
/// let ext = Extension::parse(b"permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\"").unwrap();
/// assert_eq!(ext.name, "permessage-deflate");
/// let mut p = ext.params();
/// assert_eq!(p.next(), Some(("client_max_window_bits", None)));
/// assert_eq!(p.next(), Some(("server_max_window_bits", Some("10"))));
/// assert_eq!(p.next(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Extension<'b> {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: &'b str,
    /// Everything after the first `;`, unparsed (see [`Extension::params`]).
    pub raw_params: &'b str,
}

impl<'b> Extension<'b> {
    /// Parses one list entry (`name; p1; p2=v`). `None` when the name is empty or the
    /// entry is not UTF-8.
    ///
    /// ```
    /// use wsguard_core::handshake::Extension;
    /// let e = Extension::parse(b"permessage-deflate; client_max_window_bits").unwrap();
    /// assert_eq!((e.name, e.raw_params), ("permessage-deflate", " client_max_window_bits"));
    /// assert_eq!(Extension::parse(b" ; x"), None);
    /// ```
    pub fn parse(entry: &'b [u8]) -> Option<Self> {
        let (name, rest) = split_unquoted(entry, b';');
        let name = core::str::from_utf8(trim_ows(name)).ok()?;
        if name.is_empty() {
            return None;
        }
        let raw_params = core::str::from_utf8(rest.unwrap_or(&[])).ok()?;
        Some(Extension { name, raw_params })
    }

    /// The parameters as `(name, value)`; a quoted value is returned without its quotes
    /// (backslash escapes are left as they are).
    ///
    /// ```
    /// use wsguard_core::handshake::Extension;
    /// let e = Extension::parse(b"permessage-deflate; server_max_window_bits=\"10\"").unwrap();
    /// let p: Vec<_> = e.params().collect();
    /// assert_eq!(p, [("server_max_window_bits", Some("10"))]);
    /// ```
    pub fn params(&self) -> ExtensionParams<'b> {
        ExtensionParams {
            rest: Some(self.raw_params.as_bytes()),
        }
    }
}

/// Iterator over the parameters of one [`Extension`].
///
/// ```
/// use wsguard_core::handshake::Extension;
/// let ext = Extension::parse(b"x-foo; a=1").unwrap();
/// assert_eq!(ext.params().count(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ExtensionParams<'b> {
    rest: Option<&'b [u8]>,
}

impl<'b> Iterator for ExtensionParams<'b> {
    type Item = (&'b str, Option<&'b str>);
    fn next(&mut self) -> Option<Self::Item> {
        while let Some(rest) = self.rest {
            let (item, after) = split_unquoted(rest, b';');
            self.rest = after;
            let item = trim_ows(item);
            if item.is_empty() {
                continue;
            }
            let (name, value) = match item.iter().position(|&b| b == b'=') {
                Some(eq) => (
                    item.get(..eq).unwrap_or(&[]),
                    Some(trim_ows(item.get(eq + 1..).unwrap_or(&[]))),
                ),
                None => (item, None),
            };
            let name = match core::str::from_utf8(trim_ows(name)) {
                Ok(n) => n,
                Err(_) => continue,
            };
            let value = value.map(|v| {
                v.strip_prefix(b"\"")
                    .and_then(|v| v.strip_suffix(b"\""))
                    .unwrap_or(v)
            });
            let value = match value.map(core::str::from_utf8) {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(_)) => continue,
            };
            return Some((name, value));
        }
        None
    }
}

/// Iterator over every extension of every `Sec-WebSocket-Extensions` header, in order.
/// Entries that are not UTF-8 or have an empty name are skipped.
///
/// ```
/// use wsguard_core::handshake::{validate_request, ServerConfig};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///             Origin: https://app.example.com\r\nSec-WebSocket-Extensions: permessage-deflate, x-a\r\n\r\n";
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// let status = validate_request(&cfg, req).unwrap();
///     let accepted = status.complete().unwrap();
///     let names: Vec<&str> = accepted.extensions().map(|e| e.name).collect();
///     assert_eq!(names, ["permessage-deflate", "x-a"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Extensions<'b> {
    headers: HeaderIter<'b>,
    current: CommaList<'b>,
}

impl<'b> Extensions<'b> {
    pub(crate) fn new(headers: HeaderIter<'b>) -> Self {
        Extensions {
            headers,
            current: CommaList { rest: None },
        }
    }
}

impl<'b> Iterator for Extensions<'b> {
    type Item = Extension<'b>;
    fn next(&mut self) -> Option<Extension<'b>> {
        loop {
            if let Some(entry) = self.current.next() {
                if let Some(ext) = Extension::parse(entry) {
                    return Some(ext);
                }
                continue;
            }
            let (_, value) = self
                .headers
                .find(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-extensions"))?;
            self.current = CommaList::new(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_list_quotes() {
        let v: std::vec::Vec<&[u8]> = CommaList::new(b"a; p=\"x,y\", b , \"c\\\",d\"").collect();
        assert_eq!(v, [&b"a; p=\"x,y\""[..], b"b", b"\"c\\\",d\""]);
        assert_eq!(CommaList::new(b" , ,").next(), None);
    }

    #[test]
    fn header_iter_walks_fields() {
        let head = b"\r\nGET / HTTP/1.1\r\nA: 1\r\nB:2 \r\n\r\nbody: x\r\n";
        let v: std::vec::Vec<(&str, &[u8])> = HeaderIter::new(head).collect();
        assert_eq!(v, [("A", &b"1"[..]), ("B", b"2")]);
    }

    #[test]
    fn extensions_across_headers() {
        let head = b"GET / HTTP/1.1\r\nSec-WebSocket-Extensions: a;x=1, b\r\nX: y\r\nsec-websocket-extensions: ;bad, c\r\n\r\n";
        let names: std::vec::Vec<&str> = Extensions::new(HeaderIter::new(head))
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
    }
}
