//! # The guard: the core's handshake verdict in front of tungstenite
//!
//! Two ways in:
//!
//! * [`Guard::accept`] (and `wsguard::tokio::accept_async`) reads the request head
//!   itself, lets the core validate the raw bytes, writes the core's exact answer — the
//!   101, or the rejection with its status, headers and body — and hands the socket to
//!   tungstenite (`WebSocket::from_partially_read`). Every malformed request gets an
//!   answer, including the ones tungstenite would drop silently (wrong method, missing
//!   `Upgrade`).
//! * [`Guard::callback`] plugs into `tungstenite::accept_hdr` /
//!   `tokio_tungstenite::accept_hdr_async` when you drive the handshake yourself. The
//!   parsed `http::Request` is re-serialised to bytes and validated by the core; a refusal
//!   becomes an `ErrorResponse` with the core's status, headers and body (tungstenite
//!   writes header names in lower case). Requests tungstenite refuses before calling
//!   the hook never reach it.
//!
//! Every refusal is counted ([`Counters::refused`]) and logged with `tracing::warn!`
//! (`code`, `status`, `reason`, `origin`, `host`, `path`).
//!
//! ```
//! use std::net::{TcpListener, TcpStream};
//! use std::io::{Read, Write};
//! let mut cfg = wsguard::GuardConfig::default();
//! cfg.origin.allowed = vec!["https://app.example.com".into()];
//! let guard = wsguard::Guard::new(cfg).unwrap();
//! let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//! let addr = listener.local_addr().unwrap();
//! let client = std::thread::spawn(move || {
//!     let mut s = TcpStream::connect(addr).unwrap();
//!     s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
//!         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!         Origin: https://evil.example\r\n\r\n").unwrap();
//!     let mut answer = String::new();
//!     s.read_to_string(&mut answer).unwrap();
//!     answer
//! });
//! let (stream, _) = listener.accept().unwrap();
//! let err = guard.accept(stream).unwrap_err();
//! assert_eq!(err.refusal().unwrap().status, 403);
//! assert!(client.join().unwrap().starts_with("HTTP/1.1 403 Forbidden\r\n"));
//! ```

use crate::config::{ConfigError, GuardConfig};
use crate::core_bind::{check_and_build, CoreParts, GuardPolicy};
use crate::counters::Counters;
use serde::Serialize;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::WebSocket;
use wsguard_core::handshake::{
    parse_request, validate_head, write_accept_response, write_rejection_response, DevAuthNotice,
    Header, Rejection, RequestHead, ServerConfig, EMPTY_HEADER, MAX_HEADERS,
};
use wsguard_core::text::escaped;
use wsguard_core::{write_growing, Diagnostic, Status};

/// The application's token check of [`Guard::check_head_verified`]: the token sent (if
/// any) → accepted?
type TokenCheck<'f> = dyn Fn(Option<&str>) -> bool + 'f;

/// A request that passed the core's checks (owned copies of the interesting parts) —
/// the std adapter's owned form of the core's borrowed
/// [`wsguard_core::handshake::Accepted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedRequest {
    /// Path without the query.
    pub path: String,
    /// Query string (not decoded).
    pub query: Option<String>,
    /// Host header.
    pub host: String,
    /// The Origin that passed (absent when allowed to be missing).
    pub origin: Option<String>,
    /// The chosen subprotocol.
    pub subprotocol: Option<String>,
    /// The bearer token as sent (verify it yourself).
    pub token: Option<String>,
    /// Where the token was found: `authorization`, `subprotocol` or `query`.
    pub token_source: Option<&'static str>,
    /// `true` when the request carried no token and the development auth bypass let it
    /// in (`token.dev_auth_bypass`; logged as a warning with the core's
    /// `dev_auth_bypass_used` notice). Treat the connection as unauthenticated.
    pub dev_auth_bypassed: bool,
    /// For a bypassed connection, the core's warning line ([`DevAuthNotice`]: target
    /// escaped and query tokens redacted, Origin escaped) — already logged with
    /// `tracing::warn!`; servers with their own log print it.
    pub dev_auth_notice: Option<String>,
    /// The exact `101 Switching Protocols` answer the core wrote for this request
    /// (with the chosen subprotocol); send it as is.
    #[serde(skip)]
    pub response: Vec<u8>,
}

/// A refused request: the core's verdict and the exact bytes to answer with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// HTTP status (400, 401, 403, 405, 426, 431).
    pub status: u16,
    /// Stable machine code (`origin_not_allowed`, `token_missing`, …).
    pub code: &'static str,
    /// What is wrong.
    pub reason: &'static str,
    /// How to fix it.
    pub remedy: &'static str,
    /// For an Origin or Host refusal: the core's near miss (the allowed entry that came
    /// closest, why it does not match and what to write), when one comes close.
    pub near_miss: Option<String>,
    /// The complete HTTP response written by the core (status line, headers, body).
    #[serde(skip)]
    pub response: Vec<u8>,
}

impl Refusal {
    fn from_rejection(r: &Rejection) -> Self {
        let mut buf = vec![0u8; 1024];
        let n = write_growing(
            &mut buf,
            1 << 20,
            |b, n| b.resize(n, 0),
            |out| write_rejection_response(r, out),
        )
        .unwrap_or(0);
        buf.truncate(n);
        Refusal {
            status: r.status(),
            code: r.code(),
            reason: r.reason(),
            remedy: r.remedy(),
            near_miss: None,
            response: buf,
        }
    }

    /// The body of [`Refusal::response`] (`<code>: <reason>\nfix: <remedy>\n`).
    ///
    /// ```
    /// # let r = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap()
    /// #     .check_raw(b"POST / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap_err();
    /// assert!(r.body().starts_with(b"method_not_get: "));
    /// ```
    pub fn body(&self) -> &[u8] {
        match self.response.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(i) => self.response.get(i + 4..).unwrap_or(&[]),
            None => &[],
        }
    }

    /// The refusal as tungstenite's `ErrorResponse` (status, the core's headers, body).
    ///
    /// ```
    /// # let r = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap()
    /// #     .check_raw(b"POST / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap_err();
    /// let resp = r.to_error_response();
    /// assert_eq!(resp.status().as_u16(), 405);
    /// assert_eq!(resp.headers()["allow"], "GET");
    /// ```
    pub fn to_error_response(&self) -> ErrorResponse {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Response::new(&mut headers);
        let mut builder = tungstenite::http::Response::builder().status(self.status);
        if let Ok(httparse::Status::Complete(_)) = parsed.parse(&self.response) {
            for h in parsed.headers.iter() {
                builder = builder.header(h.name, h.value);
            }
        }
        let body = String::from_utf8_lossy(self.body()).into_owned();
        builder.body(Some(body.clone())).unwrap_or_else(|_| {
            let mut r = ErrorResponse::new(Some(body));
            *r.status_mut() = tungstenite::http::StatusCode::BAD_REQUEST;
            r
        })
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HTTP {} {}: {} — fix: {}",
            self.status, self.code, self.reason, self.remedy
        )?;
        match &self.near_miss {
            Some(m) => write!(f, " ({m})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Refusal {}

/// Why [`Guard::accept`] did not produce a WebSocket.
#[derive(Debug)]
pub enum AcceptError {
    /// The core refused the request; its answer was written to the client.
    Refused(Refusal),
    /// The client closed or the head did not arrive completely.
    Incomplete,
    /// Reading or writing failed.
    Io(io::Error),
    /// tungstenite failed (only through [`Guard::callback`] paths).
    WebSocket(tungstenite::Error),
}

impl AcceptError {
    /// The refusal, when the core refused.
    ///
    /// ```
    /// assert!(wsguard::guard::AcceptError::Incomplete.refusal().is_none());
    /// ```
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            AcceptError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

impl std::fmt::Display for AcceptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AcceptError::Refused(r) => write!(f, "refused: {r}"),
            AcceptError::Incomplete => {
                f.write_str("the client closed before sending a complete request head")
            }
            AcceptError::Io(e) => write!(f, "I/O error during the handshake: {e}"),
            AcceptError::WebSocket(e) => write!(f, "WebSocket error during the handshake: {e}"),
        }
    }
}

impl std::error::Error for AcceptError {}

impl From<io::Error> for AcceptError {
    fn from(e: io::Error) -> Self {
        AcceptError::Io(e)
    }
}

/// An accepted head: what passed, how many bytes it took, the core's 101 answer.
pub(crate) struct Verdict {
    pub(crate) accepted: AcceptedRequest,
    pub(crate) consumed: usize,
}

struct Inner {
    config: GuardConfig,
    /// `config`'s origin patterns and Host allowlist, parsed once by [`Guard::new`].
    policy: Box<GuardPolicy>,
    counters: Arc<Counters>,
    /// Set by [`Guard::check_listen`] when the development auth bypass may apply.
    dev_auth_active: AtomicBool,
}

/// A configured guard. Cheap to clone (shared, immutable config; shared counters).
#[derive(Clone)]
pub struct Guard {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Re-serialises a parsed request to HTTP/1.1 bytes for the core: request line, every
/// header value (repeated names kept), empty line.
///
/// ```
/// let req = tungstenite::http::Request::get("/chat?x=1").header("Host", "a").body(()).unwrap();
/// assert_eq!(wsguard::guard::request_to_bytes(&req), b"GET /chat?x=1 HTTP/1.1\r\nhost: a\r\n\r\n");
/// ```
pub fn request_to_bytes<B>(req: &tungstenite::http::Request<B>) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(req.method().as_str().as_bytes());
    out.push(b' ');
    match req.uri().path_and_query() {
        Some(pq) => out.extend_from_slice(pq.as_str().as_bytes()),
        None => out.extend_from_slice(req.uri().to_string().as_bytes()),
    }
    out.push(b' ');
    out.extend_from_slice(format!("{:?}", req.version()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in req.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

impl Guard {
    /// Checks `config` with the core and builds the guard with fresh counters.
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.origin.allowed = vec!["example.com".into()];
    /// let err = wsguard::Guard::new(cfg).unwrap_err();
    /// assert_eq!((err.key.as_str(), err.index), ("origin.allowed", Some(0)));
    /// ```
    pub fn new(config: GuardConfig) -> Result<Guard, ConfigError> {
        Self::with_counters(config, Arc::new(Counters::new()))
    }

    /// Like [`Guard::new`], sharing existing counters.
    ///
    /// ```
    /// let c = std::sync::Arc::new(wsguard::Counters::new());
    /// let g = wsguard::Guard::with_counters(wsguard::GuardConfig::default(), c.clone()).unwrap();
    /// assert!(std::sync::Arc::ptr_eq(g.counters(), &c));
    /// ```
    pub fn with_counters(
        config: GuardConfig,
        counters: Arc<Counters>,
    ) -> Result<Guard, ConfigError> {
        let (_, policy) = check_and_build(&config)?;
        Ok(Guard {
            inner: Arc::new(Inner {
                config,
                policy,
                counters,
                dev_auth_active: AtomicBool::new(false),
            }),
        })
    }

    /// The configuration.
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// assert!(g.config().origin.allowed.is_empty());
    /// ```
    pub fn config(&self) -> &GuardConfig {
        &self.inner.config
    }

    /// The counters this guard records into.
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// assert_eq!(g.counters().snapshot().accepted, 0);
    /// ```
    pub fn counters(&self) -> &Arc<Counters> {
        &self.inner.counters
    }

    /// A fresh core heartbeat state machine for one connection (server role), started at
    /// `now_ms` (your monotonic clock); `None` when `heartbeat.ping_interval_ms` is 0.
    /// Drive it with `poll(now)`, `on_activity`, `on_pong`; on `Action::PeerDead` close
    /// the socket and call [`Counters::heartbeat_timeout`].
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let mut hb = g.heartbeat(0).unwrap();
    /// assert!(matches!(hb.poll(0), wsguard_core::heartbeat::Action::Wait { .. }));
    /// ```
    pub fn heartbeat(&self, now_ms: u64) -> Option<wsguard_core::heartbeat::Heartbeat> {
        crate::core_bind::heartbeat_config(&self.inner.config)
            .ok()
            .flatten()
            .map(|c| wsguard_core::heartbeat::Heartbeat::new(c, now_ms))
    }

    /// tungstenite's `WebSocketConfig` with the configured frame and message limits.
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// assert_eq!(g.websocket_config().max_frame_size, Some(1 << 20));
    /// ```
    pub fn websocket_config(&self) -> WebSocketConfig {
        let l = &self.inner.config.limits;
        WebSocketConfig::default()
            .max_message_size(Some(
                usize::try_from(l.max_message_bytes).unwrap_or(usize::MAX),
            ))
            .max_frame_size(Some(
                usize::try_from(l.max_frame_bytes).unwrap_or(usize::MAX),
            ))
    }

    /// Validates a raw request head with the core; counts and logs the verdict.
    /// A head that is not complete is refused as malformed.
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let r = g.check_raw(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap_err();
    /// assert_eq!(r.status, 426);
    /// ```
    pub fn check_raw(&self, head: &[u8]) -> Result<AcceptedRequest, Refusal> {
        match self.verdict(head) {
            Ok(Some(done)) => Ok(done.accepted),
            Ok(None) => Err(self.refuse(&Rejection::MalformedRequest, None)),
            Err(r) => Err(r),
        }
    }

    /// Validates a parsed request (re-serialised with [`request_to_bytes`]).
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let req = tungstenite::http::Request::post("/").header("Host", "a").body(()).unwrap();
    /// assert_eq!(g.check_request(&req).unwrap_err().code, "method_not_get");
    /// ```
    pub fn check_request<B>(
        &self,
        req: &tungstenite::http::Request<B>,
    ) -> Result<AcceptedRequest, Refusal> {
        self.check_raw(&request_to_bytes(req))
    }

    /// The hook for `tungstenite::accept_hdr` / `tokio_tungstenite::accept_hdr_async`.
    /// On success the chosen subprotocol is added to the 101 response.
    ///
    /// ```no_run
    /// # let guard = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// # let stream = std::net::TcpStream::connect("127.0.0.1:1").unwrap();
    /// let ws = tungstenite::accept_hdr(stream, guard.callback());
    /// ```
    pub fn callback(
        &self,
    ) -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse> + Send + 'static {
        let guard = self.clone();
        move |req: &Request, resp: Response| guard.on_request(req, resp).map(|(resp, _)| resp)
    }

    pub(crate) fn on_request(
        &self,
        req: &Request,
        mut resp: Response,
    ) -> Result<(Response, AcceptedRequest), ErrorResponse> {
        match self.check_request(req) {
            Ok(accepted) => {
                if let Some(p) = &accepted.subprotocol {
                    if let Ok(v) = tungstenite::http::HeaderValue::from_str(p) {
                        resp.headers_mut().insert("sec-websocket-protocol", v);
                    }
                }
                Ok((resp, accepted))
            }
            Err(refusal) => Err(refusal.to_error_response()),
        }
    }

    /// Runs the whole server handshake over `stream`: reads the head (bounded by
    /// `limits.max_handshake_bytes`), validates it with the core, writes the core's
    /// exact answer, and returns the tungstenite socket. Set a read timeout on the
    /// stream first: a client that never finishes its head would otherwise block.
    ///
    /// See the module example.
    pub fn accept<S: Read + Write>(
        &self,
        mut stream: S,
    ) -> Result<(WebSocket<S>, AcceptedRequest), AcceptError> {
        let max = self.head_limit();
        let mut buf: Vec<u8> = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        loop {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(AcceptError::Incomplete);
            }
            buf.extend_from_slice(&chunk[..n]);
            match self.verdict(&buf) {
                Ok(Some(done)) => {
                    stream.write_all(&done.accepted.response)?;
                    stream.flush()?;
                    let tail = buf.split_off(done.consumed.min(buf.len()));
                    let ws = WebSocket::from_partially_read(
                        stream,
                        tail,
                        Role::Server,
                        Some(self.websocket_config()),
                    );
                    return Ok((ws, done.accepted));
                }
                Ok(None) if buf.len() <= max => {}
                Ok(None) => {
                    let refusal = self.refuse(&Rejection::RequestTooLarge, None);
                    stream.write_all(&refusal.response)?;
                    stream.flush()?;
                    return Err(AcceptError::Refused(refusal));
                }
                Err(refusal) => {
                    stream.write_all(&refusal.response)?;
                    stream.flush()?;
                    return Err(AcceptError::Refused(refusal));
                }
            }
        }
    }

    pub(crate) fn head_limit(&self) -> usize {
        usize::try_from(self.inner.config.limits.max_handshake_bytes).unwrap_or(usize::MAX)
    }

    /// This guard's config and parsed policy in the core's types.
    pub(crate) fn parts(&self) -> CoreParts<'_> {
        CoreParts::new(&self.inner.config, &self.inner.policy)
            .with_dev_auth_bypass(self.inner.dev_auth_active.load(Ordering::Relaxed))
    }

    /// The development auth bypass's listen check (`token.dev_auth_bypass`): call it with
    /// your listener's address before serving. The core refuses a non-loopback address
    /// (`dev_auth_bypass_non_loopback`, or `dev_auth_bypass_listen_unknown`) unless
    /// `token.dev_auth_bypass_allow_non_loopback` is set; refuse to start on the error.
    /// Until this check has passed the bypass does not apply: a connection without a
    /// token is refused (`token_missing`) and an error is logged. With the bypass off it
    /// always passes. ([`Guard::new`] already refused the bypass in production.)
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.env = wsguard::Environment::Development;
    /// cfg.token.required = true;
    /// cfg.token.dev_auth_bypass = true;
    /// let guard = wsguard::Guard::new(cfg).unwrap();
    /// let e = guard.check_listen("0.0.0.0:8000").unwrap_err();
    /// assert_eq!((e.key.as_str(), e.code), ("token.dev_auth_bypass", "dev_auth_bypass_non_loopback"));
    /// guard.check_listen("127.0.0.1:8000").unwrap();
    /// ```
    pub fn check_listen(&self, listen: &str) -> Result<(), ConfigError> {
        let t = &self.inner.config.token;
        let bypass = t.dev_auth();
        bypass.check_listen(listen).map_err(|r| ConfigError {
            source: self.inner.config.source_of("token.dev_auth_bypass"),
            key: "token.dev_auth_bypass".into(),
            index: None,
            value: Some(listen.to_string()),
            code: r.code(),
            reason: r.reason().to_string(),
            remedy: r.remedy().to_string(),
        })?;
        if bypass.enabled {
            self.inner.dev_auth_active.store(true, Ordering::Relaxed);
            tracing::warn!(
                listen = %escaped(listen.as_bytes()),
                "dev_auth_bypass is on: connections without a token are accepted (development only)"
            );
        }
        Ok(())
    }

    /// Parses a request head with the core (this guard's limits) into `headers`; a
    /// syntax or limit refusal is counted and logged. Route on the head, then validate
    /// it with [`Guard::check_head`]: the head is parsed once.
    ///
    /// ```
    /// use wsguard_core::{handshake::EMPTY_HEADER, Status};
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let mut headers = [EMPTY_HEADER; 64];
    /// let Ok(Status::Complete(head)) = g.parse_head(b"GET /ws HTTP/1.1\r\nHost: a\r\n\r\n", &mut headers) else { panic!() };
    /// assert_eq!(head.target, "/ws");
    /// assert_eq!(g.check_head(&head).unwrap_err().status, 426);
    /// ```
    pub fn parse_head<'h, 'b>(
        &self,
        head: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<RequestHead<'h, 'b>>, Refusal> {
        let limits = self.parts().with_server_config(|sc| sc.limits);
        parse_request(&limits, head, headers).map_err(|r| self.refuse(&r, None))
    }

    /// Validates a head from [`Guard::parse_head`] with the core; counts and logs the verdict.
    ///
    /// See [`Guard::parse_head`] for an example.
    pub fn check_head(&self, head: &RequestHead<'_, '_>) -> Result<AcceptedRequest, Refusal> {
        self.parts()
            .with_server_config(|sc| self.verdict_on(sc, head, None))
            .map(|v| v.accepted)
    }

    /// [`Guard::check_head`], then `verify` on the accepted request's token: `false`
    /// refuses with the core's `token_invalid` (401, `WWW-Authenticate: Bearer
    /// error="invalid_token"`). The request is counted once — accepted, or refused with
    /// `token_invalid`. A connection let in without a token by the development bypass is
    /// not passed to `verify` (there is nothing to check); a token that was sent is.
    ///
    /// ```
    /// use wsguard_core::{handshake::EMPTY_HEADER, Status};
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.origin.allow_missing = true;
    /// let g = wsguard::Guard::new(cfg).unwrap();
    /// let req = b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Authorization: Bearer abc\r\n\r\n";
    /// let mut headers = [EMPTY_HEADER; 64];
    /// let Ok(Status::Complete(head)) = g.parse_head(req, &mut headers) else { panic!() };
    /// let r = g.check_head_verified(&head, |t| t == Some("secret")).unwrap_err();
    /// assert_eq!((r.status, r.code), (401, "token_invalid"));
    /// assert!(g.check_head_verified(&head, |t| t == Some("abc")).is_ok());
    /// ```
    pub fn check_head_verified(
        &self,
        head: &RequestHead<'_, '_>,
        verify: impl Fn(Option<&str>) -> bool,
    ) -> Result<AcceptedRequest, Refusal> {
        self.parts()
            .with_server_config(|sc| self.verdict_on(sc, head, Some(&verify)))
            .map(|v| v.accepted)
    }

    /// `Ok(Some)` accepted, `Ok(None)` need more, `Err` refused. One parse of `head`.
    pub(crate) fn verdict(&self, head: &[u8]) -> Result<Option<Verdict>, Refusal> {
        self.parts().with_server_config(|sc| {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            match parse_request(&sc.limits, head, &mut headers) {
                Ok(Status::Complete(h)) => self.verdict_on(sc, &h, None).map(Some),
                Ok(Status::Partial) => Ok(None),
                Err(rejection) => Err(self.refuse(&rejection, None)),
            }
        })
    }

    fn verdict_on(
        &self,
        sc: &ServerConfig<'_>,
        head: &RequestHead<'_, '_>,
        verify: Option<&TokenCheck<'_>>,
    ) -> Result<Verdict, Refusal> {
        match validate_head(sc, head) {
            Ok(a) => {
                if let Some(verify) = verify {
                    if !a.dev_auth_bypassed && !verify(a.token.map(|t| t.value)) {
                        return Err(self.refuse(&Rejection::TokenInvalid, Some(head)));
                    }
                }
                self.inner.counters.accepted();
                let mut response = vec![0u8; 256];
                let n = write_growing(
                    &mut response,
                    1 << 20,
                    |b, n| b.resize(n, 0),
                    |out| write_accept_response(&a, out),
                )
                .unwrap_or(0);
                response.truncate(n);
                let accepted = AcceptedRequest {
                    path: a.path.to_string(),
                    query: a.query.map(str::to_string),
                    host: a.host.to_string(),
                    origin: a.origin.map(|o| o.as_str().to_string()),
                    subprotocol: a.subprotocol.map(str::to_string),
                    token: a.token.map(|t| t.value.to_string()),
                    token_source: a.token.map(|t| t.source.as_str()),
                    dev_auth_bypassed: a.dev_auth_bypassed,
                    dev_auth_notice: a.dev_auth_bypassed.then(|| {
                        let parts = self.parts();
                        DevAuthNotice::for_accepted(&parts.token_config(), &a).to_string()
                    }),
                    response,
                };
                if let Some(notice) = &accepted.dev_auth_notice {
                    tracing::warn!(code = DevAuthNotice::CODE, "{notice}");
                }
                tracing::debug!(
                    path = %self.parts().token_config().log_target(accepted.path.as_bytes()),
                    origin = ?accepted.origin,
                    subprotocol = ?accepted.subprotocol,
                    "websocket handshake accepted"
                );
                Ok(Verdict {
                    accepted,
                    consumed: a.consumed,
                })
            }
            Err(rejection) => Err(self.refuse(&rejection, Some(head))),
        }
    }

    /// The refusal for a request head still incomplete past the size limit: the core's
    /// `request_too_large` (431), counted and logged like every refusal. For servers
    /// that read the head themselves.
    ///
    /// ```
    /// let guard = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let r = guard.refuse_oversized();
    /// assert_eq!((r.status, r.code), (431, "request_too_large"));
    /// ```
    pub fn refuse_oversized(&self) -> Refusal {
        self.refuse(&Rejection::RequestTooLarge, None)
    }

    /// The refusal for a request head still incomplete at the server's handshake
    /// deadline with `buffered` bytes received: the core's `handshake_timeout` (408),
    /// counted and logged like every refusal; `None` when nothing was received (an idle
    /// connection gets no answer, only the close). For servers that read the head
    /// themselves.
    ///
    /// ```
    /// let guard = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let r = guard.refuse_at_deadline(12).unwrap();
    /// assert_eq!((r.status, r.code), (408, "handshake_timeout"));
    /// assert!(r.response.starts_with(b"HTTP/1.1 408 Request Timeout\r\n"));
    /// assert!(guard.refuse_at_deadline(0).is_none());
    /// ```
    pub fn refuse_at_deadline(&self, buffered: usize) -> Option<Refusal> {
        Rejection::at_head_deadline(buffered).map(|r| self.refuse(&r, None))
    }

    /// Counts and logs a refusal; `head` is the parsed head when the refusal came after
    /// parsing (a syntax or limit refusal has none: the log shows `-`).
    pub(crate) fn refuse(
        &self,
        rejection: &Rejection,
        head: Option<&RequestHead<'_, '_>>,
    ) -> Refusal {
        let mut refusal = Refusal::from_rejection(rejection);
        self.inner.counters.refused(refusal.code);
        if *rejection == Rejection::TokenMissing
            && self.inner.config.token.dev_auth_bypass
            && !self.inner.dev_auth_active.load(Ordering::Relaxed)
        {
            tracing::error!(
                "dev_auth_bypass is on but did not apply: Guard::check_listen was not called or refused the listen address, so connections without a token are refused"
            );
        }
        let parts = self.parts();
        let (origin, host, path) = summarize(head, &parts.token_config());
        refusal.near_miss = head.and_then(|h| self.near_miss(rejection, h));
        // The near miss quotes the peer's Origin/Host: escaped like every network text.
        let near_miss = refusal.near_miss.as_deref().map_or_else(
            || "-".to_string(),
            |m| escaped(m.as_bytes()).max_bytes(512).to_string(),
        );
        tracing::warn!(
            code = refusal.code,
            status = refusal.status,
            reason = refusal.reason,
            near_miss = %near_miss,
            origin = %origin,
            host = %host,
            path = %path,
            "websocket handshake refused"
        );
        refusal
    }

    /// The core's near miss for an Origin or Host refusal, from the head's raw value.
    fn near_miss(&self, rejection: &Rejection, head: &RequestHead<'_, '_>) -> Option<String> {
        let value = |name: &str| {
            let mut it = head
                .headers
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case(name));
            match (it.next(), it.next()) {
                (Some(one), None) => Some(one.value),
                _ => None,
            }
        };
        match rejection {
            Rejection::Origin(_) => {
                let origin = value("origin")?;
                self.parts()
                    .with_origin_policy(|p| p.near_miss(origin).map(|m| m.to_string()))
            }
            Rejection::Host(_) => {
                let hosts: Vec<&str> = self
                    .inner
                    .config
                    .host
                    .allowed
                    .iter()
                    .map(String::as_str)
                    .collect();
                let m = wsguard_core::origin::near_miss_host(&hosts, value("host")?)?;
                Some(m.to_string())
            }
            _ => None,
        }
    }
}

/// Origin, Host and path of a parsed head, for the log line (`-` without one): escaped
/// by the core (no CR/LF/ESC from the peer reaches the log), every Origin value shown,
/// and the query token redacted.
fn summarize(
    head: Option<&RequestHead<'_, '_>>,
    token: &wsguard_core::handshake::TokenConfig<'_>,
) -> (String, String, String) {
    let get = |name: &str| {
        let values: Vec<String> = head
            .map(|h| h.headers)
            .unwrap_or(&[])
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| escaped(f.value).max_bytes(512).to_string())
            .collect();
        if values.is_empty() {
            "-".into()
        } else {
            values.join(", ")
        }
    };
    let path = match head {
        Some(h) => token.log_target(h.target.as_bytes()).to_string(),
        None => "-".into(),
    };
    (get("origin"), get("host"), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[u8] = b"GET /chat?room=1 HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://app.example.com\r\n\r\n";

    fn guard() -> Guard {
        let mut cfg = GuardConfig::default();
        cfg.origin.allowed = vec!["https://app.example.com".into()];
        Guard::new(cfg).unwrap()
    }

    #[test]
    fn refusal_log_fields_are_escaped_and_redacted() {
        // httparse refuses raw controls in the head; what it lets through (obs-text,
        // bidi overrides, invalid UTF-8) is escaped, and every Origin value is shown.
        let head = b"GET /ws%0d%0a?token=SECRET&x=1 HTTP/1.1\r\nHost: a\xff\r\n\
Origin: https://a.example\r\nOrigin: https://b\xe2\x80\xae\r\n\r\n";
        let mut headers = [wsguard_core::handshake::EMPTY_HEADER; 8];
        let limits = wsguard_core::handshake::Limits::DEFAULT;
        let Ok(Status::Complete(parsed)) =
            wsguard_core::handshake::parse_request(&limits, head, &mut headers)
        else {
            panic!("the head parses")
        };
        let token = wsguard_core::handshake::TokenConfig::DISABLED;
        let (origin, host, path) = summarize(Some(&parsed), &token);
        assert_eq!(origin, "https://a.example, https://b\\u{202e}");
        assert_eq!(host, "a\\xff");
        assert_eq!(path, "/ws%0d%0a?token=[redacted]&x=1");
    }

    #[test]
    fn raw_accept_and_refuse_are_counted() {
        let g = guard();
        let a = g.check_raw(GOOD).unwrap();
        assert_eq!(
            (a.path.as_str(), a.query.as_deref(), a.origin.as_deref()),
            ("/chat", Some("room=1"), Some("https://app.example.com"))
        );
        let bad = String::from_utf8(GOOD.to_vec())
            .unwrap()
            .replace("https://app.example.com", "https://evil.example");
        let r = g.check_raw(bad.as_bytes()).unwrap_err();
        assert_eq!(r.status, 403);
        assert!(r.response.starts_with(b"HTTP/1.1 403 Forbidden\r\n"));
        assert!(r.body().starts_with(r.code.as_bytes()));
        let s = g.counters().snapshot();
        assert_eq!((s.accepted, s.refused_total), (1, 1));
        assert_eq!(s.refused[r.code], 1);
        // Incomplete head through check_raw is malformed.
        assert_eq!(
            g.check_raw(&GOOD[..20]).unwrap_err().code,
            "malformed_request"
        );
    }

    #[test]
    fn error_response_carries_core_headers() {
        let g = guard();
        let r = g.check_raw(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").unwrap_err();
        assert_eq!(r.status, 426);
        let resp = r.to_error_response();
        assert_eq!(resp.headers()["sec-websocket-version"], "13");
        assert_eq!(resp.body().as_deref().map(str::as_bytes), Some(r.body()));
    }

    #[test]
    fn reserialised_request_matches_raw_verdict() {
        let g = guard();
        let req = tungstenite::http::Request::get("/chat?room=1")
            .header("Host", "chat.example.com")
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Origin", "https://app.example.com")
            .body(())
            .unwrap();
        assert_eq!(g.check_request(&req).unwrap(), g.check_raw(GOOD).unwrap());
        // Two Origin headers survive re-serialisation and are refused by the core.
        let req = tungstenite::http::Request::get("/")
            .header("Host", "a")
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Origin", "https://app.example.com")
            .header("Origin", "https://evil.example")
            .body(())
            .unwrap();
        assert_eq!(g.check_request(&req).unwrap_err().status, 403);
    }

    #[test]
    fn no_panic_on_arbitrary_heads() {
        let g = guard();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let mut input = GOOD.to_vec();
            let flips = (next() % 8) as usize;
            for _ in 0..flips {
                let i = (next() as usize) % input.len();
                input[i] = next() as u8;
            }
            let cut = (next() as usize) % (input.len() + 1);
            let _ = g.check_raw(&input[..cut]);
        }
    }
}
