//! ws/wss URLs: parse, derive from the page URL, refuse mixed content.

use wasm_bindgen::prelude::*;
use wsguard_core::url::{self as core_url, HostKind, UrlError, WsUrl};
use wsguard_core::Cursor;

use crate::Fault;

/// A valid `ws://` / `wss://` URL, taken apart by the core.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct UrlInfo {
    /// `true` for `wss`.
    pub secure: bool,
    /// The host as written (IPv6 in brackets).
    pub host: String,
    /// `name`, `ipv4` or `ipv6`.
    #[wasm_bindgen(js_name = hostKind)]
    pub host_kind: String,
    /// The explicit port, or `undefined`.
    pub port: Option<u16>,
    /// The port or the scheme's default.
    #[wasm_bindgen(js_name = portOrDefault)]
    pub port_or_default: u16,
    /// The path (`/` when empty).
    pub path: String,
    /// The query without `?`, or `undefined`.
    pub query: Option<String>,
    /// Path and query as sent in the request line.
    #[wasm_bindgen(js_name = resourceName)]
    pub resource_name: String,
    /// The `Host` header a client sends.
    #[wasm_bindgen(js_name = hostHeader)]
    pub host_header: String,
    /// The normalised URL.
    pub href: String,
}

fn fault(e: UrlError) -> Fault {
    Fault::of(&e)
}

/// Parses and validates a ws/wss URL.
///
/// ```
/// let u = wsguard_js::parse_ws_url("wss://Example.com:443/a?b").unwrap();
/// assert_eq!((u.port_or_default, u.resource_name.as_str()), (443, "/a?b"));
/// ```
#[wasm_bindgen(js_name = parseWsUrl)]
pub fn parse_ws_url(url: &str) -> Result<UrlInfo, Fault> {
    let u = WsUrl::parse(url).map_err(fault)?;
    let mut buf = [0u8; 300];
    let mut cur = Cursor::new(&mut buf);
    let host_header = match u.host_header(&mut cur).and_then(|()| cur.finish()) {
        Ok(n) => String::from_utf8_lossy(buf.get(..n).unwrap_or(&[])).into_owned(),
        Err(e) => return Err(Fault::of(&e)),
    };
    Ok(UrlInfo {
        secure: u.secure(),
        host: u.host().into(),
        host_kind: match u.host_kind() {
            HostKind::Name => "name",
            HostKind::Ipv4 => "ipv4",
            HostKind::Ipv6 => "ipv6",
        }
        .into(),
        port: u.port(),
        port_or_default: u.port_or_default(),
        path: u.path().into(),
        query: u.query().map(Into::into),
        resource_name: u.resource_name().to_string(),
        host_header,
        href: u.to_string(),
    })
}

/// The WebSocket URL a page at `page` opens for `target` (a path, a relative reference or
/// an absolute base such as `VITE_WS_BASE`): https pages get wss, same host and port
/// unless `port` overrides it; an https page with a `ws://` target is `url_mixed_content`.
/// `max_size` bounds the result's length (`buffer_too_small` beyond it; default: as long
/// as needed).
///
/// ```
/// let u = wsguard_js::derive_ws_url("http://localhost:3000/app/", "socket", Some(8000), None).unwrap();
/// assert_eq!(u, "ws://localhost:8000/app/socket");
/// ```
#[wasm_bindgen(js_name = deriveWsUrl)]
pub fn derive_ws_url(
    page: &str,
    target: &str,
    port: Option<u16>,
    max_size: Option<usize>,
) -> Result<String, Fault> {
    let size = max_size.unwrap_or(page.len().saturating_add(target.len()).saturating_add(32));
    let mut buf = vec![0u8; size];
    let max = if max_size.is_some() { size } else { 1 << 16 };
    wsguard_core::write_growing(
        &mut buf,
        max,
        |b, n| b.resize(n, 0),
        |out| core_url::derive_ws_url(page, target, port, out).map(|u| u.to_string()),
    )
    .map_err(fault)
}

/// Refuses (`url_mixed_content`) a `ws://` socket from an https page.
///
/// ```
/// assert!(wsguard_js::check_mixed_content("https://a.example/", "ws://a.example/ws").is_err());
/// ```
#[wasm_bindgen(js_name = checkMixedContent)]
pub fn check_mixed_content(page: &str, url: &str) -> Result<(), Fault> {
    core_url::check_mixed_content(page, url).map_err(fault)
}
