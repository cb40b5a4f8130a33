//! Client side: why the server did not answer 101, and what to change.
//!
//! The browser reports only "1006" when an upgrade is refused; these diagnoses name the
//! most likely cause from the status, the headers and (when it is complete in the buffer)
//! the first line of the body.

use super::differential::{Plan, Sent, Verdict};
use super::proxy::{find_ci, html_title, is_html, proxy_remedy, proxy_signature};
use super::rejection::Rejection;
use super::tokens::{header_values, single, trim_ows, HeaderIter};
use crate::origin::{HostDenial, OriginDenial};
use crate::Diagnostic;

/// The most likely cause of a non-101 answer.
///
/// ```
/// use wsguard_core::handshake::DiagnosisKind;
/// use wsguard_core::Diagnostic;
/// assert_eq!(DiagnosisKind::ProxyDroppedUpgrade.code(), "proxy_dropped_upgrade");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DiagnosisKind {
    /// 200: a plain HTTP server (or a frontend dev server) answered, not the WebSocket backend.
    NotWebSocket,
    /// 301/302/303/307/308: the server redirects (see [`Diagnosis::location`]).
    Redirect,
    /// 400 or 426 that says the upgrade headers never arrived: a proxy dropped them.
    /// Also a 400 without an `Upgrade` header that came through a proxy
    /// ([`Diagnosis::via_proxy`]) and does not name a WebSocket header.
    ProxyDroppedUpgrade,
    /// 400 for another reason (see [`Diagnosis::server_reason`]).
    BadRequest,
    /// 401: token missing or rejected.
    Unauthorized,
    /// 403: Origin refused, or access forbidden.
    Forbidden,
    /// 403 whose reason (not a wsguard code) names the Origin, as Python `websockets`
    /// writes `invalid Origin header: …`: the server said the Origin is refused.
    OriginRefused,
    /// The same, when the request carried no Origin (`missing Origin header`).
    OriginRequired,
    /// 404: wrong path.
    NotFound,
    /// 405: the URL is served by a route that does not take this request.
    MethodNotAllowed,
    /// 426 with `Sec-WebSocket-Version`, or 400 with it: version mismatch.
    VersionMismatch,
    /// 429: rate limited (see [`Diagnosis::retry_after`]).
    RateLimited,
    /// 500.
    ServerError,
    /// 502: the proxy could not reach the backend.
    BadGateway,
    /// 503: backend down or overloaded.
    ServiceUnavailable,
    /// 504: the proxy timed out waiting for the backend.
    GatewayTimeout,
    /// Any other status.
    UnexpectedStatus,
}

crate::diag::diagnostics! {
    DiagnosisKind in "wsguard_core::handshake" display {
    }
    NotWebSocket => {
        code: "http_200_not_websocket",
        reason: "a plain HTTP server answered 200 instead of switching to WebSocket: the request reached a web server or a frontend dev server, not the WebSocket backend",
        remedy: "point the client at the WebSocket endpoint (check host, port and path); with a dev server, configure its proxy for WebSockets (Vite: `server.proxy[path].ws = true`)",
    },
    Redirect => {
        code: "redirect",
        reason: "the server answered with a redirect; WebSocket clients do not follow redirects",
        remedy: "connect to the redirect target directly (see Location); common causes are http→https redirects (use wss://) and a missing or extra trailing slash",
    },
    ProxyDroppedUpgrade => {
        code: "proxy_dropped_upgrade",
        reason: "the server did not see a WebSocket upgrade: a proxy between client and server most likely dropped the Upgrade and Connection headers (the answer carries no Upgrade header)",
        remedy: "forward the upgrade with HTTP/1.1; in nginx: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";`",
    },
    BadRequest => {
        code: "bad_request",
        reason: "the server refused the upgrade request as malformed",
        remedy: "read the server's reason (body of the answer) and fix the header it names",
    },
    Unauthorized => {
        code: "unauthorized",
        reason: "the server requires authentication: the token is missing, expired or rejected",
        remedy: "send a valid token the way the server expects it (Authorization: Bearer, subprotocol entry or query parameter); get a fresh token if it expired",
    },
    Forbidden => {
        code: "forbidden",
        reason: "the server refused the connection: most often the page's Origin is not in the server's allowed origins (Django Channels: the page's host is not in `ALLOWED_HOSTS`); under ASGI it is also what any close before `accept()` becomes — an auth check closing with 4401, or no WebSocket route at this path (Starlette/FastAPI)",
        remedy: "add the page's origin (scheme://host[:port], no path) to the server's allowed origins (Django: `ALLOWED_HOSTS`, `CORS_ALLOWED_ORIGINS`), or connect from an allowed page; if the Origin is allowed, check the route and the app's checks before `accept()` (`wsguard probe` tells them apart)",
    },
    OriginRefused => {
        code: "origin_refused",
        reason: "the server refused the Origin this client sent (its answer names the Origin)",
        remedy: "add the page's origin (`location.origin`, scheme://host[:port]) to the server's allowed origins (Python websockets: `origins=[…]`; Django: `ALLOWED_HOSTS`), or connect from an allowed page",
    },
    OriginRequired => {
        code: "origin_required",
        reason: "the client sent no Origin header, and the server refuses requests without one (its answer names the Origin); browsers always send one, devices and scripts do not",
        remedy: "send an Origin header (the page's origin the server allows), or allow requests without one on the server (Python websockets: `None` in `origins`; wsguard: `allow_missing`) and authenticate them with a token",
    },
    NotFound => {
        code: "not_found",
        reason: "nothing is served at this path: the WebSocket URL's path is wrong or the proxy routes it elsewhere",
        remedy: "check the path of the WebSocket URL (a trailing slash matters) and the proxy's location block",
    },
    MethodNotAllowed => {
        code: "method_not_allowed",
        reason: "the URL is handled by a plain HTTP route that does not accept this request, not by the WebSocket endpoint",
        remedy: "check the path, and that the proxy forwards the Upgrade headers so the WebSocket route sees an upgrade",
    },
    VersionMismatch => {
        code: "version_mismatch",
        reason: "the server wants another WebSocket protocol version (see Sec-WebSocket-Version in its answer)",
        remedy: "use a client that speaks the version the server lists in Sec-WebSocket-Version (13 for every current server)",
    },
    RateLimited => {
        code: "rate_limited",
        reason: "the server is rate limiting this client",
        remedy: "wait (see Retry-After) and reconnect with backoff; do not reconnect in a tight loop",
    },
    ServerError => {
        code: "server_error",
        reason: "the server failed while handling the upgrade (500)",
        remedy: "look at the server's logs for the error raised during the handshake",
    },
    BadGateway => {
        code: "bad_gateway",
        reason: "the proxy could not reach the WebSocket backend (502): it is down, or the proxy points at the wrong address or port",
        remedy: "start the backend, or fix the proxy's upstream address and port",
    },
    ServiceUnavailable => {
        code: "service_unavailable",
        reason: "the backend is down, restarting or overloaded (503)",
        remedy: "retry with backoff; check the backend's health and capacity",
    },
    GatewayTimeout => {
        code: "gateway_timeout",
        reason: "the proxy timed out waiting for the WebSocket backend (504)",
        remedy: "check the backend is up and answers the upgrade quickly; raise the proxy's connect/read timeouts if needed",
    },
    UnexpectedStatus => {
        code: "unexpected_status",
        reason: "the server answered with a status other than 101 Switching Protocols",
        remedy: "see the status and the server's reason; make sure the URL points at a WebSocket endpoint",
    },
}

/// A non-101 answer explained: the most likely cause and what the server said.
///
/// ```
/// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest, DiagnosisKind};
/// let req = ClientRequest::new("chat.example.com", "/ws", [7; 16]);
/// let resp = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://chat.example.com/ws/\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n";
/// match validate_response(&req, resp) {
///     Err(ClientFailure::Rejected(d)) => {
///         assert_eq!(d.kind, DiagnosisKind::Redirect);
///         assert_eq!(d.location, Some("https://chat.example.com/ws/"));
///         assert_eq!(d.server, Some("nginx"));
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Diagnosis<'b> {
    /// The HTTP status received.
    pub status: u16,
    /// The most likely cause.
    pub kind: DiagnosisKind,
    /// The `Location` header (redirects).
    pub location: Option<&'b str>,
    /// The `Server` header (`nginx`, `uvicorn` …), to say "HTTP 400 from nginx".
    pub server: Option<&'b str>,
    /// The first line of the body, when the body is complete in the buffer
    /// (`Content-Length`). A wsguard server puts `<code>: <reason>` there. For an HTML
    /// body (a proxy's error page) it is the page's `<title>` (`400 Bad Request`), or
    /// `None` without one: markup is never shown as a reason.
    pub server_reason: Option<&'b str>,
    /// The wsguard code at the start of [`server_reason`](Self::server_reason)
    /// (`origin_not_allowed` in `origin_not_allowed: …`), when there is one.
    pub server_code: Option<&'b str>,
    /// `Retry-After` in seconds, when numeric (429, 503).
    pub retry_after: Option<u32>,
    /// The `Sec-WebSocket-Version` the server asked for (426/400).
    pub wanted_version: Option<&'b str>,
    /// What shows the answer came through a reverse proxy or CDN: the `Server` value
    /// when it names one (`nginx/1.27.0`, `openresty`, `Apache/2.4.58`, `envoy`,
    /// `haproxy`, `caddy`, `traefik`, `cloudflare`, `varnish` …), else the `Via` value
    /// (`1.1 varnish`), else the name of a proxy-only header as received (`X-Cache`,
    /// `CF-Ray`, `X-Amz-Cf-Id` …). `None` when nothing points at a proxy.
    pub via_proxy: Option<&'b str>,
    /// `true` when the answer carries an `Upgrade` header: the server understood that
    /// an upgrade was asked for (a proxy that dropped the upgrade leaves none).
    pub upgrade_in_answer: bool,
    /// The request carried an Origin header (what an ambiguous refusal's
    /// [`verdict`](Self::verdict) depends on). `true` for [`Diagnosis::for_status`]:
    /// browsers always send one.
    pub origin_sent: bool,
    /// The answer carries a `WWW-Authenticate` challenge: the server asks for
    /// credentials, so a 401 with one is about the token.
    pub auth_challenge: bool,
    /// When `Content-Length` announces a body that is not all in the buffer yet: the
    /// length the answer will have with it. Read until the buffer holds that many bytes
    /// and validate again to get the server's reason and code. `None` when the body is
    /// complete or none is announced.
    pub body_end: Option<u32>,
}

impl Rejection {
    /// The refusal whose [`code`](Diagnostic::code) is `code`, when the code alone
    /// names it (a client reads it back from a wsguard server's answer).
    ///
    /// ```
    /// use wsguard_core::handshake::Rejection;
    /// use wsguard_core::origin::OriginDenial;
    /// assert_eq!(Rejection::from_code("origin_port"), Some(Rejection::Origin(OriginDenial::Port)));
    /// assert_eq!(Rejection::from_code("origin_not_allowed"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Rejection> {
        Rejection::ALL
            .iter()
            .copied()
            .filter(|r| r.names_whole_cause())
            .find(|r| r.code() == code)
    }

    /// `false` for the malformed-Origin and malformed-Host refusals: their code does not
    /// say the sub-reason they carry.
    fn names_whole_cause(&self) -> bool {
        !matches!(
            self,
            Rejection::Host(HostDenial::Malformed(_))
                | Rejection::Origin(OriginDenial::Malformed(_))
        )
    }
}

impl Diagnosis<'static> {
    /// The diagnosis of a bare status the caller already has (no headers, no body): what
    /// a browser's devtools or a server log shows. The same verdict as
    /// [`validate_response`](super::validate_response) on an answer with that status and
    /// nothing else.
    ///
    /// ```
    /// use wsguard_core::handshake::{Diagnosis, DiagnosisKind};
    /// assert_eq!(Diagnosis::for_status(403).kind, DiagnosisKind::Forbidden);
    /// assert_eq!(Diagnosis::for_status(502).kind, DiagnosisKind::BadGateway);
    /// assert_eq!(Diagnosis::for_status(400).kind, DiagnosisKind::ProxyDroppedUpgrade);
    /// ```
    pub fn for_status(status: u16) -> Self {
        diagnose(status, HeaderIter::fields(b""), b"", 0, true)
    }
}

impl Diagnosis<'_> {
    /// The server's own fix: the body line `fix: …` right under
    /// [`server_reason`](Self::server_reason) (what a wsguard server writes under
    /// `<code>: <reason>`), found in `answer`, the buffer this diagnosis was made from.
    /// Show it beside [`remedy`](Diagnostic::remedy): it is specific (the exact port-list
    /// syntax …). `None` without one, or when `answer` is another buffer.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest};
    /// let req = ClientRequest::new("a.test", "/ws", [7; 16]);
    /// let resp = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 48\r\n\r\norigin_port: not on this port\nfix: add :[3000,5173]\n";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
    /// assert_eq!(d.server_fix(resp), Some("add :[3000,5173]"));
    /// ```
    pub fn server_fix<'a>(&self, answer: &'a [u8]) -> Option<&'a str> {
        let reason = self.server_reason?;
        // Where the reason sits in `answer` (address arithmetic only, no unsafe).
        let start = (reason.as_ptr() as usize).checked_sub(answer.as_ptr() as usize)?;
        let rest = answer.get(start.checked_add(reason.len())?..)?;
        let rest = rest.get(rest.iter().position(|&b| b == b'\n')? + 1..)?;
        let line = rest.split(|&c| c == b'\n').next()?;
        let line = trim_ows(line.strip_suffix(b"\r").unwrap_or(line));
        text(line.strip_prefix(b"fix: "))
    }

    /// The proxy-specific fix when the answer came through a proxy
    /// ([`via_proxy`](Self::via_proxy)) that most likely forwarded the upgrade as a plain
    /// GET: the kind is [`DiagnosisKind::ProxyDroppedUpgrade`], or the status is 404/405
    /// (what a backend answers a plain GET on a WebSocket route) with no `Upgrade`
    /// header and no wsguard code in the answer. Show it next to
    /// [`remedy`](Diagnostic::remedy); `None` otherwise.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest, DiagnosisKind};
    /// let req = ClientRequest::new("chat.example.com", "/ws", [7; 16]);
    /// // Starlette's 404 for a plain GET on a WebSocket route, passed on by nginx.
    /// let resp = b"HTTP/1.1 404 Not Found\r\nServer: nginx/1.27.0\r\nContent-Length: 9\r\n\r\nNot Found";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
    /// assert_eq!(d.kind, DiagnosisKind::NotFound);
    /// assert_eq!(d.via_proxy, Some("nginx/1.27.0"));
    /// assert!(d.proxy_hint().unwrap().contains("proxy_set_header Upgrade"));
    /// ```
    pub fn proxy_hint(&self) -> Option<&'static str> {
        let plain_get = self.kind == DiagnosisKind::ProxyDroppedUpgrade
            || (matches!(self.status, 404 | 405)
                && !self.upgrade_in_answer
                && self.server_code.is_none());
        match self.via_proxy {
            Some(sig) if plain_get => Some(proxy_remedy(sig)),
            _ => None,
        }
    }
}

impl Diagnosis<'_> {
    /// What this one answer allows a client to conclude when it cannot name the cause
    /// (a bare 403 or 401, a 404 through a proxy, a 400 or 500 with no reason):
    /// [`Verdict::Undecided`] with every cause that remains and how to tell them apart.
    /// `None` when the answer names its cause (a wsguard code, a reason, a status that
    /// says it all). A client that can send follow-up requests runs the same
    /// [`Plan`] ([`Plan::for_answer`]) to establish one.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, Cause, ClientFailure, ClientRequest, Verdict};
    /// let req = ClientRequest::new("a.test", "/ws", [7; 16]).origin("https://page.test");
    /// // Node `ws` refusing its `verifyClient` check: a 401 that names nothing.
    /// let resp = b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nUnauthorized";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
    /// let Some(Verdict::Undecided { causes, .. }) = d.verdict() else { panic!() };
    /// assert_eq!(causes.as_slice(), &[Cause::TokenRefused, Cause::OriginRefused]);
    /// // A wsguard server names the cause: nothing to decide.
    /// let named = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 15\r\n\r\ntoken_missing: x";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, named) else { panic!() };
    /// assert_eq!((d.verdict(), d.status), (None, 401));
    /// ```
    pub fn verdict(&self) -> Option<Verdict> {
        let sent = Sent {
            origin: self.origin_sent,
            origin_is_own: false,
        };
        Plan::for_answer(self, sent).map(|p| p.verdict())
    }

    /// The refusal the server named, when its wsguard code ([`server_code`](Self::server_code),
    /// from the body's `<code>:` line or an `X-Wsguard-Code` header) is one the core
    /// knows. It is then the headline ([`code`](Diagnostic::code), reason and remedy are
    /// the server's exact cause, the status is kept), except where the client knows
    /// better: `upgrade_missing` behind a proxy stays
    /// [`ProxyDroppedUpgrade`](DiagnosisKind::ProxyDroppedUpgrade) (the client did send
    /// the upgrade). `origin_malformed` and `host_malformed` are not named: their
    /// sentence depends on a sub-reason the answer does not carry. Looked up on demand,
    /// so a client that never asks links none of the refusal texts.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest, Rejection};
    /// let req = ClientRequest::new("a.test", "/ws", [7; 16]);
    /// let resp = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 15\r\n\r\ntoken_missing: x";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
    /// assert_eq!(d.named(), Some(Rejection::TokenMissing));
    /// ```
    pub fn named(&self) -> Option<Rejection> {
        self.server_code.and_then(Rejection::from_code)
    }

    /// The server-named refusal when it is the headline (see [`named`](Self::named)).
    fn headline(&self) -> Option<Rejection> {
        self.named()
            .filter(|_| self.kind != DiagnosisKind::ProxyDroppedUpgrade)
    }
}

/// The headline: the cause the server named ([`Diagnosis::named`]), else the kind.
///
/// ```
/// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest, DiagnosisKind};
/// use wsguard_core::Diagnostic;
/// let req = ClientRequest::new("a.test", "/ws", [7; 16]);
/// let resp = b"HTTP/1.1 403 Forbidden\r\nX-Wsguard-Code: origin_host\r\nContent-Length: 0\r\n\r\n";
/// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
/// assert_eq!((d.code(), d.status, d.kind), ("origin_host", 403, DiagnosisKind::Forbidden));
/// assert_eq!(d.reason(), "the Origin's host is not in the allowed origins");
/// ```
impl Diagnostic for Diagnosis<'_> {
    fn code(&self) -> &'static str {
        match self.headline() {
            Some(r) => r.code(),
            None => self.kind.code(),
        }
    }
    fn reason(&self) -> &'static str {
        match self.headline() {
            Some(r) => r.reason(),
            None => self.kind.reason(),
        }
    }
    fn remedy(&self) -> &'static str {
        match self.headline() {
            Some(r) => r.remedy(),
            None => self.kind.remedy(),
        }
    }
}

fn text(v: Option<&[u8]>) -> Option<&str> {
    v.and_then(|v| core::str::from_utf8(v).ok())
        .filter(|s| !s.is_empty())
}

fn parse_u32(v: &[u8]) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(n)
}

/// `snake_case:` at the start of a line, with at least one underscore.
fn leading_code(line: &str) -> Option<&str> {
    let code = line.get(..line.bytes().position(|b| b == b':')?)?;
    if leading_code_token(code) {
        Some(code)
    } else {
        None
    }
}

/// A wsguard code: `snake_case` with at least one underscore.
fn leading_code_token(code: &str) -> bool {
    !code.is_empty()
        && code.bytes().any(|b| b == b'_')
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    find_ci(hay, needle).is_some()
}

/// Explains a non-101 answer. `after_head` is everything after the head (`head_len`
/// bytes) in the buffer; `origin_sent`: the request carried an Origin.
pub(crate) fn diagnose<'b>(
    status: u16,
    headers: HeaderIter<'b>,
    after_head: &'b [u8],
    head_len: usize,
    origin_sent: bool,
) -> Diagnosis<'b> {
    let first = |name| single(headers, name).1;
    // The body counts only when Content-Length says it is all here.
    let announced = match single(headers, "content-length") {
        (1, Some(len)) => parse_u32(len),
        _ => None,
    };
    let body = announced.and_then(|n| after_head.get(..n as usize));
    let body_end = match (announced, body) {
        (Some(n), None) => u32::try_from(head_len).ok().and_then(|h| h.checked_add(n)),
        _ => None,
    };
    let html = body.filter(|b| is_html(headers, b));
    let (server_reason, server_code) = match (html, body) {
        // A proxy's HTML error page: show its title, never markup; no wsguard code.
        (Some(page), _) => (html_title(page), None),
        (None, body) => {
            let first_line = body.map(|b| {
                let line = b.split(|&c| c == b'\n').next().unwrap_or(&[]);
                trim_ows(line.strip_suffix(b"\r").unwrap_or(line))
            });
            let reason = text(first_line);
            (reason, reason.and_then(leading_code))
        }
    };
    // A wsguard guard that answers before its body arrives names the code in a header.
    // Its value trimmed of HTTP's optional whitespace (SP, HTAB: RFC 9110 §5.6.3).
    let server_code = server_code
        .or_else(|| text(first("x-wsguard-code").map(trim_ows)).filter(|c| leading_code_token(c)));
    let wanted_version = text(first("sec-websocket-version"));
    let has_upgrade = header_values(headers, "upgrade").next().is_some();
    let via_proxy = proxy_signature(headers);
    // The text that can name a header: the title of an HTML page, else the body.
    let body_text = match html {
        Some(_) => server_reason.map(str::as_bytes),
        None => body,
    };
    use DiagnosisKind::*;
    // The backend (wsguard) names what reached it: no Upgrade, no `Connection: upgrade`,
    // or HTTP/1.0 — what nginx forwards without `proxy_http_version 1.1`. The client
    // sent an HTTP/1.1 upgrade, so something in between downgraded or dropped it.
    let dropped_code = matches!(
        server_code,
        Some("upgrade_missing" | "connection_missing_upgrade" | "http_version")
    );
    let kind = match status {
        200 => NotWebSocket,
        301 | 302 | 303 | 307 | 308 => Redirect,
        400 if wanted_version.is_some() => VersionMismatch,
        400 if dropped_code => ProxyDroppedUpgrade,
        400 if server_code.is_some() => BadRequest,
        400 => match body_text {
            Some(b) if contains_ci(b, b"upgrade") => ProxyDroppedUpgrade,
            // The backend complains about a WebSocket header: it saw the upgrade.
            Some(b) if contains_ci(b, b"sec-websocket") => BadRequest,
            _ if has_upgrade => BadRequest,
            // nginx's own specific 400 pages ("The plain HTTP request was sent to HTTPS
            // port", "Request Header Or Cookie Too Large") name the problem in the title.
            _ if html.is_some() && server_reason.is_some_and(|t| !is_plain_400_title(t)) => {
                BadRequest
            }
            // A 400 without Upgrade passed on by a proxy: the backend saw a plain GET.
            _ if via_proxy.is_some() => ProxyDroppedUpgrade,
            Some(b) if !b.is_empty() => BadRequest,
            _ if html.is_some() => BadRequest,
            _ => ProxyDroppedUpgrade,
        },
        401 => Unauthorized,
        // Not a wsguard code, but the server's own words name the Origin (Python
        // `websockets`: "invalid Origin header: …"; "Origin not allowed").
        403 if server_code.is_none()
            && html.is_none()
            && server_reason.is_some_and(|r| contains_ci(r.as_bytes(), b"origin")) =>
        {
            if origin_sent {
                OriginRefused
            } else {
                OriginRequired
            }
        }
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        426 if wanted_version.is_some() => VersionMismatch,
        426 => ProxyDroppedUpgrade,
        429 => RateLimited,
        500 => ServerError,
        502 => BadGateway,
        503 => ServiceUnavailable,
        504 => GatewayTimeout,
        _ => UnexpectedStatus,
    };
    Diagnosis {
        status,
        kind,
        location: text(first("location")),
        server: text(first("server")),
        server_reason,
        server_code,
        retry_after: first("retry-after").and_then(parse_u32),
        wanted_version,
        via_proxy,
        upgrade_in_answer: has_upgrade,
        origin_sent,
        auth_challenge: first("www-authenticate").is_some(),
        body_end,
    }
}

/// `400 Bad Request` (any case, any spacing): the generic title that says nothing more.
fn is_plain_400_title(title: &str) -> bool {
    // Bytes, not `split_ascii_whitespace`: the same words without the str iterator.
    let mut words = title
        .as_bytes()
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty());
    matches!(
        (words.next(), words.next(), words.next(), words.next()),
        (Some(b"400"), Some(b), Some(r), None)
            if b.eq_ignore_ascii_case(b"bad") && r.eq_ignore_ascii_case(b"request")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_codes_are_unique_and_round_trip() {
        let named = || Rejection::ALL.iter().filter(|r| r.names_whole_cause());
        assert_eq!(named().count(), 43);
        for (i, r) in named().enumerate() {
            assert_eq!(Rejection::from_code(r.code()), Some(*r));
            assert!(named().take(i).all(|o| o.code() != r.code()), "{r:?}");
        }
        assert_eq!(Rejection::ALL.len(), 45);
        assert_eq!(Rejection::from_code("origin_malformed"), None);
        assert_eq!(Rejection::from_code("host_malformed"), None);
        assert_eq!(Rejection::from_code(""), None);
    }

    #[test]
    fn helpers() {
        assert_eq!(parse_u32(b"120"), Some(120));
        assert_eq!(parse_u32(b"99999999999"), None);
        assert_eq!(parse_u32(b"Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(
            leading_code("origin_not_allowed: x"),
            Some("origin_not_allowed")
        );
        assert_eq!(leading_code("error: x"), None);
        assert!(contains_ci(b"Can \"Upgrade\" only", b"upgrade"));
    }

    #[test]
    fn code_header_is_trimmed_of_http_whitespace_only() {
        use crate::handshake::{validate_response, ClientFailure, ClientRequest};
        let req = ClientRequest::new("a.test", "/ws", [7; 16]);
        let code_of = |resp: &[u8]| match validate_response(&req, resp) {
            Err(ClientFailure::Rejected(d)) => d.code(),
            other => panic!("{other:?}"),
        };
        let ows = b"HTTP/1.1 403 Forbidden\r\nX-Wsguard-Code: \torigin_host \t\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(code_of(ows), "origin_host");
        // U+00A0 is not HTTP whitespace: the value names no code, the status decides.
        let nbsp = "HTTP/1.1 403 Forbidden\r\nX-Wsguard-Code: \u{a0}origin_host\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(code_of(nbsp.as_bytes()), "forbidden");
    }
}
