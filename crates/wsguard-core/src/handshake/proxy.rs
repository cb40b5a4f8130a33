//! Client side: recognising a reverse proxy or CDN in a non-101 answer, and reading a
//! proxy's HTML error page.
//!
//! A proxy that forwards the upgrade request without `Upgrade`/`Connection` (nginx
//! without `proxy_set_header Upgrade …`, Apache without `upgrade=websocket`, Envoy
//! without `upgrade_configs`) turns it into a plain GET: the backend then answers 400,
//! 404, 405 or 426, and the proxy passes that answer on with its own signature
//! (`Server: nginx`, `Via: 1.1 varnish`, `X-Cache: …`). These helpers find that
//! signature and, for HTML error pages, the `<title>` to show instead of markup.

use super::tokens::{single, trim_ows, HeaderIter};

/// `Server` values (ASCII case-insensitive prefixes) that name a reverse proxy, load
/// balancer or CDN rather than an application server.
const PROXY_SERVERS: &[&str] = &[
    "nginx",
    "openresty",
    "tengine",
    "apache",
    "envoy",
    "istio-envoy",
    "haproxy",
    "caddy",
    "traefik",
    "cloudflare",
    "awselb",
    "varnish",
    "squid",
    "akamaighost",
];

/// Headers that only proxies and caches add (checked after `Server` and `Via`).
const PROXY_HEADERS: &[&str] = &[
    "x-cache",
    "x-varnish",
    "x-served-by",
    "cf-ray",
    "x-amz-cf-id",
    "x-envoy-upstream-service-time",
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn text(v: Option<&[u8]>) -> Option<&str> {
    v.and_then(|v| core::str::from_utf8(v).ok())
        .filter(|s| !s.is_empty())
}

/// What identifies the proxy the answer came through: the `Server` value when it names
/// a proxy (`nginx/1.27.0`), else the `Via` value (`1.1 varnish`), else the name of a
/// proxy-only header as received (`X-Cache`). `None` when nothing points at a proxy.
pub(crate) fn proxy_signature<'b>(headers: HeaderIter<'b>) -> Option<&'b str> {
    if let Some(server) = text(single(headers, "server").1) {
        if PROXY_SERVERS.iter().any(|p| starts_with_ci(server, p)) {
            return Some(server);
        }
    }
    if let Some(via) = text(single(headers, "via").1) {
        return Some(via);
    }
    headers
        .map(|(name, _)| name)
        .find(|name| PROXY_HEADERS.iter().any(|p| name.eq_ignore_ascii_case(p)))
}

/// The configuration line that makes this proxy forward WebSocket upgrades.
pub(crate) fn proxy_remedy(signature: &str) -> &'static str {
    let s = signature;
    // `Via: 1.1 varnish` names the product after the protocol version.
    let product = match s.bytes().position(|b| b == b' ') {
        Some(i)
            if s.as_bytes()
                .get(..i)
                .is_some_and(|v| v.iter().all(|&b| b.is_ascii_digit() || b == b'.')) =>
        {
            s.get(i + 1..).unwrap_or(s)
        }
        _ => s,
    };
    let is = |p: &str| starts_with_ci(product, p);
    if is("nginx") || is("openresty") || is("tengine") {
        "the answer came through nginx and carries no Upgrade header: nginx forwarded a plain GET. In the location block add `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";`"
    } else if is("apache") {
        "the answer came through Apache and carries no Upgrade header: Apache forwarded a plain GET. With Apache 2.4.47+ write `ProxyPass /ws/ http://backend/ws/ upgrade=websocket` (older versions: enable mod_proxy_wstunnel and proxy to `ws://backend/ws/`)"
    } else if is("envoy") || is("istio-envoy") {
        "the answer came through Envoy and carries no Upgrade header: Envoy forwarded a plain GET. Add `upgrade_configs: [{upgrade_type: websocket}]` to the HTTP connection manager (or the route)"
    } else if is("haproxy") {
        "the answer came through HAProxy and carries no Upgrade header. HAProxy forwards upgrades in `mode http`: remove any `http-request del-header`/`set-header` rule on `Connection` or `Upgrade`, and set `timeout tunnel`"
    } else if is("caddy") {
        "the answer came through Caddy and carries no Upgrade header. `reverse_proxy` forwards upgrades by default: remove any `header_up` rule on `Connection` or `Upgrade`, and check this path reaches `reverse_proxy`, not `file_server`"
    } else if is("traefik") {
        "the answer came through Traefik and carries no Upgrade header. Traefik forwards upgrades by default: check middlewares that rewrite `Connection`/`Upgrade` and that the router sends this path to the WebSocket service"
    } else if is("cloudflare") {
        "the answer came through Cloudflare and carries no Upgrade header: enable WebSockets for the zone (Network → WebSockets) and check the origin's own proxy forwards `Upgrade` and `Connection`"
    } else if is("varnish") {
        "the answer came through Varnish and carries no Upgrade header: in `vcl_recv` add `if (req.http.upgrade ~ \"(?i)websocket\") { return (pipe); }` and in `vcl_pipe` copy `Upgrade` and `Connection` to `bereq`"
    } else {
        "the answer came through a proxy and carries no Upgrade header: configure the proxy to forward `Upgrade` and `Connection` to the backend over HTTP/1.1 (every reverse proxy has a WebSocket setting)"
    }
}

/// `true` when the body is an HTML document (by `Content-Type` or by its first byte).
pub(crate) fn is_html(headers: HeaderIter<'_>, body: &[u8]) -> bool {
    let by_type = single(headers, "content-type")
        .1
        .is_some_and(|ct| find_ci(ct, b"html").is_some());
    by_type || body.trim_ascii_start().first() == Some(&b'<')
}

/// Index of the first ASCII-case-insensitive occurrence of `needle` (not empty) in `hay`.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The text of an HTML page's `<title>` (`400 Bad Request`), trimmed; `None` without one.
pub(crate) fn html_title(body: &[u8]) -> Option<&str> {
    let open = find_ci(body, b"<title")?;
    let after_tag = body.get(open..)?;
    let gt = after_tag.iter().position(|&b| b == b'>')?;
    let inner = after_tag.get(gt.checked_add(1)?..)?;
    let close = find_ci(inner, b"</title")?;
    let title = trim_ows(inner.get(..close)?.trim_ascii());
    core::str::from_utf8(title)
        .ok()
        .filter(|t| !t.is_empty() && !t.bytes().any(|b| b == b'<'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header block (fields and the empty line) as the parser hands it over.
    fn h(block: &[u8]) -> HeaderIter<'_> {
        HeaderIter::fields(block)
    }

    #[test]
    fn signatures() {
        assert_eq!(
            proxy_signature(h(b"Server: nginx/1.27.0\r\n\r\n")),
            Some("nginx/1.27.0")
        );
        assert_eq!(
            proxy_signature(h(b"server: OpenResty\r\n\r\n")),
            Some("OpenResty")
        );
        assert_eq!(proxy_signature(h(b"Server: uvicorn\r\n\r\n")), None);
        assert_eq!(
            proxy_signature(h(b"Server: uvicorn\r\nVia: 1.1 varnish\r\n\r\n")),
            Some("1.1 varnish")
        );
        assert_eq!(
            proxy_signature(h(b"X-Cache: MISS\r\n\r\n")),
            Some("X-Cache")
        );
        assert_eq!(proxy_signature(h(b"Server:\r\n\r\n")), None);
        assert_eq!(proxy_signature(h(b"\r\n")), None);
    }

    #[test]
    fn remedies_name_the_proxy() {
        assert!(proxy_remedy("nginx/1.27.0").contains("proxy_set_header Upgrade"));
        assert!(proxy_remedy("Apache/2.4.58 (Ubuntu)").contains("upgrade=websocket"));
        assert!(proxy_remedy("1.1 varnish (Varnish/7.5)").contains("vcl_recv"));
        assert!(proxy_remedy("envoy").contains("upgrade_configs"));
        assert!(proxy_remedy("X-Cache").contains("every reverse proxy"));
        assert!(proxy_remedy("").contains("every reverse proxy"));
    }

    #[test]
    fn titles() {
        let nginx = b"<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        assert_eq!(html_title(nginx), Some("400 Bad Request"));
        assert_eq!(html_title(b"<TITLE lang=en> x </TITLE>"), Some("x"));
        assert_eq!(html_title(b"<html>404</html>"), None);
        assert_eq!(html_title(b"<title>unclosed"), None);
        assert_eq!(html_title(b"<title></title>"), None);
        assert_eq!(html_title(b"<title"), None);
        assert!(is_html(h(b"\r\n"), b"  <!doctype html>"));
        assert!(is_html(
            h(b"Content-Type: text/HTML; charset=utf-8\r\n\r\n"),
            b"x"
        ));
        assert!(!is_html(
            h(b"Content-Type: text/plain\r\n\r\n"),
            b"Bad Request"
        ));
    }
}
