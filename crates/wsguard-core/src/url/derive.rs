//! Page URL → socket URL, and the mixed-content check.

use super::parse::{self, Scheme};
use super::{UrlError, WsUrl};
use crate::Cursor;

/// Derives the WebSocket URL a page should open, like `new WebSocket(target)` resolves it
/// against `location`, and writes it into `out`:
///
/// * scheme: `https` page → `wss`, `http` page → `ws`;
/// * host and port: the page's, unless `port` overrides the port (a default port is
///   dropped: `https://h:443` → `wss://h`);
/// * `target` is resolved against the page URL (RFC 3986 §5): `/ws` replaces the page
///   path, `ws` or `../ws` is resolved against the page's directory, `?q` keeps the page
///   path, `""` is the page itself (without fragment); `//host/ws` keeps the scheme;
/// * a full `ws://`/`wss://` (or `http(s)://`, mapped like browsers do) target is used as
///   it is, except for `port` — and an https page asking for `ws://` is
///   [`UrlError::MixedContent`].
///
/// The page's fragment is ignored; a fragment in `target` is [`UrlError::Fragment`].
/// Returns the result parsed as a [`WsUrl`] borrowing `out`.
///
/// ```
/// use wsguard_core::url::{derive_ws_url, UrlError};
/// let mut buf = [0u8; 128];
/// let url = derive_ws_url("https://app.example.com/chat/room.html#top", "/ws", None, &mut buf).unwrap();
/// assert_eq!(url.to_string(), "wss://app.example.com/ws");
/// let url = derive_ws_url("http://localhost:3000/app/index.html", "socket?v=2", Some(8000), &mut buf).unwrap();
/// assert_eq!(url.to_string(), "ws://localhost:8000/app/socket?v=2");
/// assert_eq!(derive_ws_url("https://app.example.com/", "ws://app.example.com/ws", None, &mut buf),
///            Err(UrlError::MixedContent));
/// ```
pub fn derive_ws_url<'o>(
    page_url: &str,
    target: &str,
    port: Option<u16>,
    out: &'o mut [u8],
) -> Result<WsUrl<'o>, UrlError> {
    let (page_scheme, page_rest) = match parse::split_scheme(page_url) {
        Ok(v) => v,
        Err(UrlError::UnsupportedScheme) => return Err(UrlError::PageScheme),
        Err(e) => return Err(e),
    };
    let page_secure = match page_scheme {
        Scheme::Http => false,
        Scheme::Https => true,
        Scheme::Ws | Scheme::Wss => return Err(UrlError::PageScheme),
    };
    let page = parse::parse_after_scheme(page_rest)?;

    if target
        .bytes()
        .any(|b| b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' || b == 0x0c)
    {
        return Err(UrlError::Whitespace);
    }

    // The authority and path/query the result is built from.
    let (secure, host, mut out_port, path, query, merge_with): (
        bool,
        &str,
        Option<u16>,
        &str,
        Option<&str>,
        Option<&str>,
    );
    if let Some((scheme, rest)) = absolute_scheme(target) {
        let t = parse::parse_after_scheme(rest)?;
        if t.has_fragment {
            return Err(UrlError::Fragment);
        }
        let target_secure = scheme.secure();
        if page_secure && !target_secure {
            return Err(UrlError::MixedContent);
        }
        (secure, host, out_port, path, query, merge_with) =
            (target_secure, t.host, t.port, t.path, t.query, None);
    } else if target.starts_with("//") {
        let t = parse::parse_after_scheme(target)?;
        if t.has_fragment {
            return Err(UrlError::Fragment);
        }
        (secure, host, out_port, path, query, merge_with) =
            (page_secure, t.host, t.port, t.path, t.query, None);
    } else {
        if target.contains('#') {
            return Err(UrlError::Fragment);
        }
        let (t_path, t_query) = match target.find('?') {
            Some(i) => (
                target.get(..i).unwrap_or(""),
                Some(target.get(i + 1..).unwrap_or("")),
            ),
            None => (target, None),
        };
        parse::check_chars(t_path)?;
        if let Some(q) = t_query {
            parse::check_chars(q)?;
        }
        let (p, q, m) = if t_path.is_empty() {
            (
                page.path,
                if t_query.is_some() {
                    t_query
                } else {
                    page.query
                },
                None,
            )
        } else if t_path.starts_with('/') {
            (t_path, t_query, None)
        } else {
            // Relative: the page's directory (up to its last '/') + target.
            let dir = match page.path.rfind('/') {
                Some(i) => page.path.get(..i + 1).unwrap_or("/"),
                None => "/",
            };
            (t_path, t_query, Some(dir))
        };
        (secure, host, out_port, path, query, merge_with) =
            (page_secure, page.host, page.port, p, q, m);
    }
    if port.is_some() {
        out_port = port;
    }
    let default = if secure { 443 } else { 80 };

    // scheme://host[:port]/path, then ?query. The cursor keeps counting past the end of a
    // short buffer, so a failure reports one size that is sufficient: the path as written
    // before dot-segment removal (which only shortens it) plus the query.
    let query_len = query.map_or(0, |q| 1 + q.len());
    let mut c = Cursor::new(&mut *out);
    let _ = c.put_str(if secure { "wss://" } else { "ws://" });
    // Lowercase for every kind: names, and the hex digits of an IPv6 literal (the
    // canonical form, as `Display` and browsers write it; fuzz finding F5).
    for b in host.bytes() {
        let _ = c.put(&[b.to_ascii_lowercase()]);
    }
    if let Some(p) = out_port.filter(|&p| p != default) {
        let _ = c.put(b":");
        let _ = c.put_u16(p);
    }
    let path_start = c.len();
    let _ = match merge_with {
        Some(dir) => {
            let _ = c.put_str(dir);
            c.put_str(path)
        }
        None if path.is_empty() => c.put(b"/"),
        None => c.put_str(path),
    };
    let sufficient = c.needed().saturating_add(query_len);
    let path_end = c
        .finish()
        .map_err(|_| UrlError::BufferTooSmall { needed: sufficient })?;
    let path_end = match out.get_mut(path_start..path_end) {
        Some(region) => path_start + remove_dot_segments(region),
        None => path_end,
    };
    let total = path_end + query_len;
    match (query, out.get_mut(path_end..total)) {
        (Some(q), Some(tail)) => {
            let mut c = Cursor::new(tail);
            c.put(b"?")
                .and_then(|()| c.put_str(q))
                .map_err(|_| UrlError::BufferTooSmall { needed: sufficient })?;
        }
        (Some(_), None) => return Err(UrlError::BufferTooSmall { needed: sufficient }),
        (None, _) => {}
    }
    let out: &'o [u8] = out;
    let text =
        core::str::from_utf8(out.get(..total).unwrap_or(&[])).map_err(|_| UrlError::InvalidChar)?;
    WsUrl::parse(text)
}

/// `ws:`, `wss:`, `http:` or `https:` at the start of `target` (any case).
fn absolute_scheme(target: &str) -> Option<(Scheme, &str)> {
    let colon = target.find(':')?;
    let name = target.get(..colon)?;
    if name.contains(['/', '?']) {
        return None;
    }
    parse::split_scheme(target).ok()
}

/// RFC 3986 §5.2.4 on an absolute path, in place, with WHATWG's percent-encoded dots
/// (`%2e`, `.%2E` …) counted as dots; returns the new length (≥ 1).
fn remove_dot_segments(buf: &mut [u8]) -> usize {
    let len = buf.len();
    if buf.first() != Some(&b'/') {
        return len;
    }
    let mut w = 0usize; // output is buf[..w], a sequence of "/segment"
    let mut r = 0usize; // buf[r] == b'/'
    while r < len {
        let start = r + 1;
        let end = buf
            .get(start..)
            .and_then(|s| s.iter().position(|&b| b == b'/'))
            .map_or(len, |i| start + i);
        let last = end == len;
        let seg = buf.get(start..end).unwrap_or(&[]);
        let dots = parse::dot_segment(seg);
        if dots == 1 {
            if last {
                if let Some(b) = buf.get_mut(w) {
                    *b = b'/';
                }
                w += 1;
            }
        } else if dots == 2 {
            w = buf
                .get(..w)
                .and_then(|o| o.iter().rposition(|&b| b == b'/'))
                .unwrap_or(0);
            if last {
                if let Some(b) = buf.get_mut(w) {
                    *b = b'/';
                }
                w += 1;
            }
        } else {
            buf.copy_within(r..end, w);
            w += end - r;
        }
        r = end;
    }
    if w == 0 {
        if let Some(b) = buf.get_mut(0) {
            *b = b'/';
        }
        w = 1;
    }
    w
}

/// Would a page at `page_url` be allowed to open `ws_url`? `Err(UrlError::MixedContent)`
/// when an https page asks for `ws://`; other errors when either URL is invalid.
///
/// ```
/// use wsguard_core::url::{check_mixed_content, UrlError};
/// assert_eq!(check_mixed_content("https://app.example.com/", "ws://app.example.com/ws"), Err(UrlError::MixedContent));
/// assert!(check_mixed_content("https://app.example.com/", "wss://app.example.com/ws").is_ok());
/// assert!(check_mixed_content("http://localhost:3000/", "wss://api.example.com/ws").is_ok());
/// ```
pub fn check_mixed_content(page_url: &str, ws_url: &str) -> Result<(), UrlError> {
    let (page_scheme, page_rest) = match parse::split_scheme(page_url) {
        Ok(v) => v,
        Err(UrlError::UnsupportedScheme) => return Err(UrlError::PageScheme),
        Err(e) => return Err(e),
    };
    if matches!(page_scheme, Scheme::Ws | Scheme::Wss) {
        return Err(UrlError::PageScheme);
    }
    parse::parse_after_scheme(page_rest)?;
    let ws = WsUrl::parse(ws_url)?;
    if page_scheme.secure() && !ws.secure() {
        return Err(UrlError::MixedContent);
    }
    Ok(())
}

#[cfg(test)]
pub(super) fn remove_dots_for_test(buf: &mut [u8]) -> usize {
    remove_dot_segments(buf)
}
