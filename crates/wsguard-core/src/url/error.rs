//! Why a URL was refused.

/// Why a ws/wss URL (or a page URL, or a derivation) was refused. Every variant names one
/// problem; [`Diagnostic`](crate::Diagnostic) gives the stable code and the fix.
///
/// ```
/// use wsguard_core::{Diagnostic, url::{WsUrl, UrlError}};
/// let err = WsUrl::parse("https://app.example.com/ws").unwrap_err();
/// assert_eq!(err, UrlError::HttpsScheme);
/// assert_eq!(err.code(), "url_scheme");
/// assert!(err.remedy().contains("wss://"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UrlError {
    /// The URL is empty.
    Empty,
    /// Leading or trailing whitespace, or a space/tab/newline inside.
    Whitespace,
    /// No `scheme://` (e.g. `localhost:8000/ws` or `example.com/ws`).
    MissingScheme,
    /// `http://` where `ws://` is expected.
    HttpScheme,
    /// `https://` where `wss://` is expected.
    HttpsScheme,
    /// A scheme other than ws, wss (or http, https for page URLs).
    UnsupportedScheme,
    /// The scheme is not followed by `//` (e.g. `ws:/host` or `ws:host`).
    MissingAuthority,
    /// `user:password@` before the host.
    Userinfo,
    /// No host (e.g. `ws:///path` or `ws://:8000`).
    EmptyHost,
    /// The host has characters or a shape a host name cannot have.
    InvalidHost,
    /// The host ends in a number, so it is an IPv4 address (WHATWG URL §3.5), but the
    /// WHATWG IPv4 parser refuses it (`1.2.3.4.5`, `256.0.0.1`, `foo.09`): browsers
    /// throw on it.
    InvalidIpv4,
    /// The host is an IPv4 address spelled other than as the canonical dotted quad
    /// (`0xffffffff`, `127.1`, `017.0.0.1`, `1.2.3.4.`): browsers and `getaddrinfo`
    /// connect to the address it encodes, which the text does not show.
    Ipv4Noncanonical,
    /// A bracketed IPv6 address is malformed, unclosed, or has a zone id.
    InvalidIpv6,
    /// A valid IPv6 address not in its RFC 5952 form (`[0:0::1]`, `[2001:0db8::1]`,
    /// `[::ffff:1.2.3.4]`): browsers send the compressed form (`[::1]`) in `Host`.
    Ipv6Noncanonical,
    /// The port is empty, not a number, 0, or above 65535.
    Port,
    /// A `#fragment`: RFC 6455 §3 forbids fragments in WebSocket URLs.
    Fragment,
    /// A `.` or `..` path segment (also `%2e`): a browser removes it before sending
    /// (WHATWG path state), so the URL does not name the resource it requests.
    DotSegment,
    /// A character that must be percent-encoded (control, non-ASCII, `"<>\^`{|}`).
    InvalidChar,
    /// `%` not followed by two hex digits.
    PercentEncoding,
    /// The page URL is not http:// or https:// (e.g. `file://`), so no socket URL can be
    /// derived from it.
    PageScheme,
    /// An https page asks for a `ws://` socket: browsers block it as mixed content.
    MixedContent,
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes needed, when known (0 otherwise).
        needed: usize,
    },
}

impl From<crate::BufferTooSmall> for UrlError {
    fn from(e: crate::BufferTooSmall) -> Self {
        UrlError::BufferTooSmall { needed: e.needed }
    }
}

crate::diag::diagnostics! {
    UrlError in "wsguard_core::url" display {
    }
    Empty => {
        code: "url_empty",
        reason: "the URL is empty",
        remedy: "configure the socket URL, e.g. wss://app.example.com/ws",
    },
    Whitespace => {
        code: "url_whitespace",
        reason: "the URL contains whitespace (often a space or newline copied along with it)",
        remedy: "trim the URL; percent-encode spaces inside the path as %20",
    },
    MissingScheme => {
        code: "url_missing_scheme",
        reason: "the URL has no scheme; a WebSocket URL starts with ws:// or wss://",
        remedy: "prefix the URL with ws:// (plain) or wss:// (TLS), e.g. ws://localhost:8000/ws",
    },
    HttpScheme => {
        code: "url_scheme",
        reason: "the URL starts with http:// but a WebSocket URL starts with ws:// (http maps to ws)",
        remedy: "replace http:// with ws://",
    },
    HttpsScheme => {
        code: "url_scheme",
        reason: "the URL starts with https:// but a WebSocket URL starts with wss:// (https maps to wss)",
        remedy: "replace https:// with wss://",
    },
    UnsupportedScheme => {
        code: "url_scheme_unsupported",
        reason: "the URL's scheme is neither ws:// nor wss://",
        remedy: "use ws:// (plain) or wss:// (TLS)",
    },
    MissingAuthority => {
        code: "url_missing_authority",
        reason: "the scheme is not followed by // and a host (e.g. ws:/host or ws:host)",
        remedy: "write the scheme as ws:// or wss:// followed by the host, e.g. wss://app.example.com/ws",
    },
    Userinfo => {
        code: "url_userinfo",
        reason: "the URL carries user:password@ before the host; browsers refuse it in WebSocket URLs and it leaks credentials into logs",
        remedy: "remove user:password@ and send the credentials as a token (Authorization header, Sec-WebSocket-Protocol or ?token=)",
    },
    EmptyHost => {
        code: "url_empty_host",
        reason: "the URL has no host name",
        remedy: "put the host after ws:// or wss://, e.g. ws://localhost:8000/ws",
    },
    InvalidHost => {
        code: "url_host",
        reason: "the host contains characters or empty labels that a host name cannot have",
        remedy: "use a DNS name (letters, digits, '-', '.'), an IPv4 address or a bracketed IPv6 address; internationalized names must be punycode (xn--…)",
    },
    InvalidIpv4 => {
        code: "url_ipv4",
        reason: "the host ends in a number, so browsers read it as an IPv4 address, but it is not one (more than four parts, a part above 255, or a bad digit): browsers refuse the URL",
        remedy: "write the address as four numbers 0–255, e.g. 192.168.1.10; a name must not end in a numeric label",
    },
    Ipv4Noncanonical => {
        code: "url_ipv4_noncanonical",
        reason: "the host is an IPv4 address in a non-canonical spelling (hex, octal, fewer than four parts or a trailing dot): browsers connect to the address it encodes, which the text hides",
        remedy: "write the address as four decimal numbers 0–255 without leading zeros, e.g. 0xffffffff as 255.255.255.255, 127.1 as 127.0.0.1",
    },
    InvalidIpv6 => {
        code: "url_ipv6",
        reason: "the bracketed IPv6 address is malformed, not closed with ], or carries a zone id",
        remedy: "write IPv6 addresses in brackets without a zone id, e.g. ws://[::1]:8000/ws",
    },
    Ipv6Noncanonical => {
        code: "url_ipv6_noncanonical",
        reason: "the IPv6 address is not in its canonical RFC 5952 form (lowercase, no leading zeros, the longest zero run as ::, no dotted IPv4 tail), which browsers send instead",
        remedy: "write the address as browsers serialize it, e.g. [::1] for [0:0:0:0:0:0:0:1], [2001:db8::1], [::ffff:c0a8:101] for [::ffff:192.168.1.1]",
    },
    Port => {
        code: "url_port",
        reason: "the port is empty, not a number, 0, or larger than 65535",
        remedy: "write a port between 1 and 65535 after the colon, or drop the colon to use the default (80 for ws, 443 for wss)",
    },
    Fragment => {
        code: "url_fragment",
        reason: "the URL has a #fragment; RFC 6455 forbids fragments in WebSocket URLs and browsers throw a SyntaxError",
        remedy: "remove everything from # on; put client state in the query string instead",
    },
    DotSegment => {
        code: "url_dot_segment",
        reason: "the path has a . or .. segment, which a browser removes before sending the request, so the URL does not name the path requested",
        remedy: "write the path without . and .. segments (/a/x/../b is /a/b)",
    },
    InvalidChar => {
        code: "url_invalid_char",
        reason: "the path or query contains a character that must be percent-encoded (control, non-ASCII, space or one of \"<>\\^`{|})",
        remedy: "percent-encode the character (space → %20), e.g. with encodeURIComponent",
    },
    PercentEncoding => {
        code: "url_percent_encoding",
        reason: "a % in the path or query is not followed by two hexadecimal digits",
        remedy: "encode a literal % as %25",
    },
    PageScheme => {
        code: "url_page_scheme",
        reason: "the page URL is not http:// or https:// (e.g. a file:// page), so it has no host to derive the socket URL from",
        remedy: "serve the page over http(s), or configure the full wss:// URL",
    },
    MixedContent => {
        code: "url_mixed_content",
        reason: "an https:// page asks for an unencrypted ws:// socket; browsers block this as mixed content",
        remedy: "use wss:// or derive the URL from location (https → wss)",
    },
    BufferTooSmall { .. } => {
        example: Self::BufferTooSmall { needed: 0 },
        code: "buffer_too_small",
        reason: "the output buffer is too small for the URL",
        remedy: "pass a larger buffer (see `needed`)",
    },
}
