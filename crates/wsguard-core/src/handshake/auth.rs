//! Locating the bearer token: `Authorization: Bearer …`, an entry of
//! `Sec-WebSocket-Protocol`, or a query parameter. Extraction only — verifying the token
//! (JWT signature, expiry) is the application's job. Query values are returned as sent,
//! without percent-decoding.

use super::config::{SubprotocolToken, TokenConfig};
use super::tokens::{header_values, trim_ows, CommaList, HeaderIter};
use super::Rejection;

/// Where the token was found.
///
/// ```
/// use wsguard_core::handshake::TokenSource;
/// assert_eq!(TokenSource::Query.as_str(), "query");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TokenSource {
    /// `Authorization: Bearer <token>`.
    Authorization,
    /// An entry of `Sec-WebSocket-Protocol`.
    Subprotocol,
    /// A query parameter.
    Query,
}

impl TokenSource {
    /// `"authorization"`, `"subprotocol"` or `"query"` (the names used in test vectors
    /// and bindings).
    pub fn as_str(&self) -> &'static str {
        match self {
            TokenSource::Authorization => "authorization",
            TokenSource::Subprotocol => "subprotocol",
            TokenSource::Query => "query",
        }
    }
}

/// A bearer token, borrowed from the request, and where it came from.
///
/// ```
/// use wsguard_core::handshake::{Token, TokenSource};
/// let t = Token { value: "abc", source: TokenSource::Authorization };
/// assert_eq!(t.value, "abc");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Token<'b> {
    /// The token exactly as sent.
    pub value: &'b str,
    /// Where it was found (the first of Authorization, Subprotocol, Query that held it).
    pub source: TokenSource,
}

/// RFC 6750 b64token: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(t: &[u8]) -> bool {
    let body_len = t
        .iter()
        .take_while(|&&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
        .count();
    body_len > 0 && t.get(body_len..).unwrap_or(&[]).iter().all(|&b| b == b'=')
}

/// Visible ASCII without separators that would split a list or a query.
fn is_plain_token(t: &[u8]) -> bool {
    !t.is_empty()
        && t.iter()
            .all(|&b| (0x21..0x7f).contains(&b) && !matches!(b, b',' | b';' | b'"' | b'&' | b'#'))
}

/// Classifies `Sec-WebSocket-Protocol` entries: yields `(entry, carries_token)`.
#[derive(Debug, Clone)]
pub(crate) struct ProtocolEntries<'c, 'b, I: Iterator<Item = &'b [u8]>> {
    entries: I,
    form: Option<SubprotocolToken<'c>>,
    after_marker: bool,
}

impl<'c, 'b, I: Iterator<Item = &'b [u8]>> ProtocolEntries<'c, 'b, I> {
    pub(crate) fn new(entries: I, form: Option<SubprotocolToken<'c>>) -> Self {
        ProtocolEntries {
            entries,
            form,
            after_marker: false,
        }
    }
}

impl<'b, I: Iterator<Item = &'b [u8]>> Iterator for ProtocolEntries<'_, 'b, I> {
    type Item = (&'b [u8], EntryKind<'b>);
    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.entries.next()?;
        let kind = match self.form {
            None => EntryKind::Plain,
            Some(SubprotocolToken::Prefix(p)) => match entry.strip_prefix(p.as_bytes()) {
                Some(rest) => EntryKind::Token(rest),
                None => EntryKind::Plain,
            },
            Some(SubprotocolToken::Pair(m)) => {
                if self.after_marker {
                    self.after_marker = false;
                    EntryKind::Token(entry)
                } else if entry == m.as_bytes() {
                    self.after_marker = true;
                    EntryKind::Marker
                } else {
                    EntryKind::Plain
                }
            }
        };
        Some((entry, kind))
    }
}

/// What a `Sec-WebSocket-Protocol` entry is, given the configured token form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind<'b> {
    /// An ordinary protocol name.
    Plain,
    /// The pair-form marker (`bearer`); selectable if the server lists it.
    Marker,
    /// Carries the token (the slice is the token); never selectable.
    Token(&'b [u8]),
}

/// `Sec-WebSocket-Protocol` entries across all headers.
pub(crate) fn protocol_entries<'b>(headers: HeaderIter<'b>) -> impl Iterator<Item = &'b [u8]> {
    header_values(headers, "sec-websocket-protocol").flat_map(CommaList::new)
}

fn merge<'b>(
    found: &mut Option<Token<'b>>,
    value: &'b [u8],
    source: TokenSource,
) -> Result<(), Rejection> {
    let value = core::str::from_utf8(value).map_err(|_| Rejection::TokenMalformed)?;
    match found {
        Some(t) if t.value != value => Err(Rejection::TokenConflict),
        Some(_) => Ok(()),
        None => {
            *found = Some(Token { value, source });
            Ok(())
        }
    }
}

/// Finds the token according to `cfg`; checks it is well-formed and consistent.
pub(crate) fn locate_token<'b>(
    cfg: &TokenConfig<'_>,
    headers: HeaderIter<'b>,
    query: Option<&'b str>,
) -> Result<Option<Token<'b>>, Rejection> {
    let mut found: Option<Token<'b>> = None;
    if cfg.authorization {
        for value in header_values(headers, "authorization") {
            let (scheme, rest) = match value.iter().position(|&b| b == b' ') {
                Some(sp) => (
                    value.get(..sp).unwrap_or(&[]),
                    trim_ows(value.get(sp..).unwrap_or(&[])),
                ),
                None => (value, &[][..]),
            };
            if !scheme.eq_ignore_ascii_case(b"bearer") || !is_token68(rest) {
                return Err(Rejection::TokenMalformed);
            }
            merge(&mut found, rest, TokenSource::Authorization)?;
        }
    }
    if let Some(form) = cfg.subprotocol {
        let mut pending_marker = false;
        for (_, kind) in ProtocolEntries::new(protocol_entries(headers), Some(form)) {
            match kind {
                EntryKind::Token(t) => {
                    pending_marker = false;
                    if !is_plain_token(t) {
                        return Err(Rejection::TokenMalformed);
                    }
                    merge(&mut found, t, TokenSource::Subprotocol)?;
                }
                EntryKind::Marker => pending_marker = true,
                EntryKind::Plain => {}
            }
        }
        if pending_marker {
            // `Sec-WebSocket-Protocol: bearer` with nothing after the marker.
            return Err(Rejection::TokenMalformed);
        }
    }
    if let (Some(name), Some(query)) = (cfg.query, query) {
        for pair in query.as_bytes().split(|&b| b == b'&') {
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (
                    pair.get(..eq).unwrap_or(&[]),
                    Some(pair.get(eq + 1..).unwrap_or(&[])),
                ),
                None => (pair, None),
            };
            if k != name.as_bytes() {
                continue;
            }
            match v {
                Some(v) if is_plain_token(v) => merge(&mut found, v, TokenSource::Query)?,
                _ => return Err(Rejection::TokenMalformed),
            }
        }
    }
    if found.is_none() && cfg.required {
        return Err(Rejection::TokenMissing);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token68() {
        assert!(is_token68(b"abc.DEF-_~+/=="));
        assert!(!is_token68(b""));
        assert!(!is_token68(b"=="));
        assert!(!is_token68(b"a b"));
        assert!(!is_token68(b"a=b"));
    }

    #[test]
    fn pair_entries() {
        let e: [&[u8]; 4] = [b"chat", b"bearer", b"bearer", b"x"];
        let kinds: std::vec::Vec<_> =
            ProtocolEntries::new(e.iter().copied(), Some(SubprotocolToken::Pair("bearer")))
                .map(|(_, k)| k)
                .collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Plain,
                EntryKind::Marker,
                EntryKind::Token(b"bearer"),
                EntryKind::Plain
            ]
        );
    }
}
