//! The HTTP side of `wsguard serve`: read one request head (bounded in size and time),
//! then answer `/health`, `/metrics`, refuse unknown paths, or hand WebSocket upgrades to
//! the guard (core verdict) and, on 101, to the echo loop.

use super::{conn, Shared};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsguard::guard::{AcceptedRequest, Refusal};
use wsguard::limits::Permit;
use wsguard::{Counters, Guard, GuardConfig};
use wsguard_core::explain::{Mode, MARKER};
use wsguard_core::handshake::CustomRefusal;
use wsguard_core::handshake::{RequestHead, EMPTY_HEADER, MAX_HEADERS};
use wsguard_core::limits::{HeadStep, HeadTracker};
use wsguard_core::text::escaped;
use wsguard_core::Status;

/// The server's gate: the adapter's guard plus the serve-level routing (paths, token value).
pub struct Gate {
    guard: Guard,
    paths: Vec<String>,
    token: Option<String>,
    pub(super) max_head: usize,
    explain: Mode,
}

/// What to do with a request head.
pub enum HeadVerdict {
    /// Need more bytes.
    Partial,
    /// A complete head of `len` bytes.
    Complete(usize, Route),
    /// Answer with this refusal.
    Refuse(Refusal),
}

/// Where a complete head goes.
pub enum Route {
    Health,
    Metrics,
    /// The live status page (serve/status.rs).
    Status,
    /// An upgrade on a WebSocket path, with the core's verdict (and the token check).
    Upgrade(Result<AcceptedRequest, Refusal>),
    NotFound(String),
    MethodNotAllowed,
    /// An explain request (docs/EXPLAIN.md): the whole answer.
    Explain(Vec<u8>),
}

/// The explain mode from `WSGUARD_EXPLAIN` (`off`, `public` — the default — or `full`).
fn explain_mode() -> Mode {
    std::env::var("WSGUARD_EXPLAIN")
        .ok()
        .and_then(|v| Mode::parse(&v))
        .unwrap_or(Mode::Public)
}

impl Gate {
    /// Builds the gate (the adapter checks the configuration with the core).
    pub fn new(
        cfg: GuardConfig,
        paths: Vec<String>,
        token: Option<String>,
    ) -> Result<Gate, Box<wsguard::ConfigError>> {
        let max_head = usize::try_from(cfg.limits.max_handshake_bytes)
            .unwrap_or(usize::MAX)
            .clamp(256, 1 << 20);
        Ok(Gate {
            guard: Guard::new(cfg).map_err(Box::new)?,
            paths,
            token,
            max_head,
            explain: explain_mode(),
        })
    }

    /// The core heartbeat configuration the adapter derives from the config (`None`: off).
    pub fn heartbeat_config(&self) -> Option<wsguard_core::heartbeat::HeartbeatConfig> {
        self.guard.heartbeat(0).map(|h| *h.config())
    }

    /// The core's head limits of the guard.
    pub fn head_limits(&self) -> wsguard_core::handshake::Limits {
        self.guard.head_limits()
    }

    /// The development auth bypass's listen check (the adapter's, over the core's).
    pub fn check_listen(&self, listen: &str) -> Result<(), Box<wsguard::ConfigError>> {
        self.guard.check_listen(listen).map_err(Box::new)
    }

    /// The counters the guard records into.
    pub fn counters(&self) -> Arc<Counters> {
        self.guard.counters().clone()
    }

    /// Looks at the bytes received so far. The head is parsed once, by the core: the
    /// route comes from the parsed start line, and an upgrade is validated on that same
    /// parse (`Route::Upgrade` carries the verdict).
    pub fn look(&self, head: &[u8]) -> HeadVerdict {
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        match self.guard.parse_head(head, &mut headers) {
            Ok(Status::Partial) if head.len() > self.max_head => {
                // The core's refusal for a head still incomplete past the limit (no forged head).
                HeadVerdict::Refuse(self.guard.refuse_oversized())
            }
            Ok(Status::Partial) => HeadVerdict::Partial,
            Ok(Status::Complete(parsed)) => {
                let path = parsed.target.split('?').next().unwrap_or("/").to_string();
                let get = parsed.method == "GET";
                let query = parsed.target.split_once('?').map_or("", |(_, q)| q);
                let header = |name: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| h.value)
                };
                let ws_path = self.paths.iter().any(|a| a == "*" || *a == path);
                let explain = (get && ws_path && query.contains(MARKER))
                    .then(|| {
                        let host = header("host").and_then(|h| std::str::from_utf8(h).ok());
                        self.guard.explain_answer(
                            &path,
                            host.unwrap_or(""),
                            header("origin"),
                            query,
                            self.explain,
                        )
                    })
                    .flatten();
                let route = match path.as_str() {
                    _ if explain.is_some() => Route::Explain(explain.unwrap_or_default()),
                    "/health" | "/metrics" | "/wsguard" if !get => Route::MethodNotAllowed,
                    "/health" => Route::Health,
                    "/metrics" => Route::Metrics,
                    "/wsguard" => Route::Status,
                    p if self.paths.iter().any(|a| a == "*" || a == p) => {
                        Route::Upgrade(self.upgrade(&parsed))
                    }
                    _ => Route::NotFound(path),
                };
                HeadVerdict::Complete(parsed.consumed, route)
            }
            // Not HTTP (a TLS hello, garbage), or a limit: the core's refusal.
            Err(refusal) => HeadVerdict::Refuse(refusal),
        }
    }

    /// The core's verdict on a parsed upgrade head, then the token value check.
    fn upgrade(&self, head: &RequestHead<'_, '_>) -> Result<AcceptedRequest, Refusal> {
        match &self.token {
            // The core's `token_invalid` for a token other than `--token`; the guard
            // counts the request once (and skips the check for a development bypass).
            Some(expected) => self
                .guard
                .check_head_verified(head, |sent| sent == Some(expected.as_str())),
            None => self.guard.check_head(head),
        }
    }

    fn not_found(&self, path: &str) -> Refusal {
        self.guard.counters().refused("path_not_found");
        // A refusal of the server's own (not a handshake rule), in the core's layout; the
        // answer names the paths (the most useful part of it), the request's path escaped.
        let (status, code) = (404, "path_not_found");
        let response = refusal_bytes(
            status,
            code,
            &format!(
                "no WebSocket endpoint at {}; this server accepts upgrades on: {}",
                escaped(path.as_bytes()).max_bytes(256),
                self.paths.join(", ")
            ),
            &format!(
                "connect to ws://<host>{}",
                self.paths.first().map(String::as_str).unwrap_or("/ws")
            ),
            &[],
        );
        Refusal {
            status,
            code,
            reason: "this server accepts WebSocket upgrades on another path",
            remedy: "connect to one of the WebSocket paths of this server",
            near_miss: None,
            response,
        }
    }
}

/// The core's refusal layout for a server's own decision ([`CustomRefusal`]); text the
/// core refuses (a control character) is replaced by the code alone, never sent raw.
fn refusal_bytes(
    status: u16,
    code: &str,
    reason: &str,
    remedy: &str,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let refusal = CustomRefusal::new(status, code, reason, remedy)
        .and_then(|r| r.with_headers(extra))
        .or_else(|_| CustomRefusal::new(status, code, code, "see the server's documentation"));
    let Ok(refusal) = refusal else {
        return Vec::new();
    };
    let mut out = vec![0u8; 512];
    let n = wsguard_core::write_growing(
        &mut out,
        1 << 16,
        |b, n| b.resize(n, 0),
        |buf| refusal.write(buf),
    );
    out.truncate(n.unwrap_or(0));
    out
}

fn ok_response(content_type: &str, body: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn health_json(shared: &Shared) -> String {
    let snap = shared.counters.snapshot();
    serde_json::json!({
        "status": "ok",
        "service": "wsguard serve",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": shared.started.elapsed().as_secs_f64(),
        "connections": shared.active.load(Ordering::Relaxed),
        "accepted": snap.accepted,
        "refused": snap.refused_total,
        "messages_echoed": shared.messages.load(Ordering::Relaxed),
        "heartbeat": shared.settings.heartbeat.map(|h| serde_json::json!({
            "interval_ms": h.interval_ms(), "dead_timeout_ms": h.dead_timeout_ms(), "max_missed": h.max_missed()
        })),
    })
    .to_string()
}

fn metrics_text(shared: &Shared) -> String {
    let mut out = shared.counters.to_prometheus();
    let mut gauge = |name: &str, kind: &str, help: &str, v: f64| {
        out += &format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n");
    };
    gauge(
        "wsguard_connections_active",
        "gauge",
        "Open WebSocket connections.",
        shared.active.load(Ordering::Relaxed) as f64,
    );
    gauge(
        "wsguard_messages_echoed_total",
        "counter",
        "Messages echoed.",
        shared.messages.load(Ordering::Relaxed) as f64,
    );
    gauge(
        "wsguard_bytes_echoed_total",
        "counter",
        "Payload bytes echoed.",
        shared.bytes.load(Ordering::Relaxed) as f64,
    );
    gauge(
        "wsguard_pings_sent_total",
        "counter",
        "Heartbeat pings sent.",
        shared.pings.load(Ordering::Relaxed) as f64,
    );
    gauge(
        "wsguard_pongs_received_total",
        "counter",
        "Pongs answering our pings.",
        shared.pongs.load(Ordering::Relaxed) as f64,
    );
    gauge(
        "wsguard_uptime_seconds",
        "gauge",
        "Seconds since start.",
        shared.started.elapsed().as_secs_f64(),
    );
    out += &shared.admission.to_prometheus();
    out
}

/// Sends a final answer, shuts our side down and drains briefly so the answer is not
/// destroyed by a reset (the client may still be sending).
async fn answer_and_close(stream: &mut TcpStream, bytes: &[u8]) {
    let _ = stream.write_all(bytes).await;
    let _ = stream.shutdown().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut sink = vec![0u8; 1024]; // on the heap: not part of every idle future
    let mut drained = 0usize;
    while drained < (256 << 10) {
        match tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => drained += n,
            _ => break,
        }
    }
}

/// Largest read while a head arrives.
const HEAD_CHUNK: usize = 2048;

/// Handles one TCP connection from accept to close. `permit` holds its place in the peer
/// limits (upgrading until the head is answered).
pub async fn handle(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut permit: Permit,
) {
    let gate = &shared.guard;
    // No buffer until the first byte arrives (an idle flood holds none).
    let mut buf: Vec<u8> = Vec::new();
    let deadline = tokio::time::Instant::now() + shared.handshake_timeout;
    // Each byte is scanned once; the core parses only when it can say something new.
    let mut tracker = HeadTracker::new();
    let limits = gate.head_limits().max_total(gate.max_head);
    let (len, route) = loop {
        if tracker.feed(&buf, &limits) == HeadStep::Parse || buf.len() > gate.max_head {
            match gate.look(&buf) {
                HeadVerdict::Complete(n, route) => break (n, route),
                HeadVerdict::Refuse(r) => {
                    log(&shared, peer, &format!("→ {} {}", r.status, r.code));
                    return answer_and_close(&mut stream, &r.response).await;
                }
                HeadVerdict::Partial => {}
            }
        }
        let read = async {
            loop {
                stream.readable().await?;
                buf.reserve(HEAD_CHUNK);
                match stream.try_read_buf(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    r => return r,
                }
            }
        };
        match tokio::time::timeout_at(deadline, read).await {
            Ok(Ok(0)) | Ok(Err(_)) => return, // the client left before finishing its request
            Ok(Ok(_)) => {}
            Err(_) => {
                // The core's 408, or nothing when nothing was ever said.
                let Some(r) = gate.guard.refuse_at_deadline(buf.len()) else {
                    return;
                };
                log(&shared, peer, &format!("→ {} {}", r.status, r.code));
                return answer_and_close(&mut stream, &r.response).await;
            }
        }
    };
    permit.upgraded();
    match route {
        Route::Health => {
            answer_and_close(
                &mut stream,
                &ok_response("application/json", &health_json(&shared)),
            )
            .await
        }
        Route::Metrics => {
            answer_and_close(
                &mut stream,
                &ok_response(
                    "text/plain; version=0.0.4; charset=utf-8",
                    &metrics_text(&shared),
                ),
            )
            .await
        }
        Route::Status => {
            let page = super::status::page(&shared);
            answer_and_close(&mut stream, &ok_response("text/html; charset=utf-8", &page)).await
        }
        Route::Explain(answer) => {
            log(&shared, peer, "explain");
            answer_and_close(&mut stream, &answer).await
        }
        Route::MethodNotAllowed => {
            let answer = refusal_bytes(
                405,
                "method_not_get",
                "only GET is served here",
                "use GET",
                &[("Allow", "GET")],
            );
            answer_and_close(&mut stream, &answer).await
        }
        Route::NotFound(path) => {
            let r = gate.not_found(&path);
            log(
                &shared,
                peer,
                &format!(
                    "{} → 404 path_not_found",
                    escaped(path.as_bytes()).max_bytes(512)
                ),
            );
            answer_and_close(&mut stream, &r.response).await
        }
        Route::Upgrade(verdict) => match verdict {
            Err(r) => {
                log(
                    &shared,
                    peer,
                    &format!("→ {} {}: {}", r.status, r.code, r.reason),
                );
                answer_and_close(&mut stream, &r.response).await
            }
            Ok(accepted) => {
                if stream.write_all(&accepted.response).await.is_err() {
                    return;
                }
                if let Some(notice) = &accepted.dev_auth_notice {
                    // A warning on every bypassed connection, even with --quiet.
                    eprintln!("{peer} warning: {notice}");
                }
                log(
                    &shared,
                    peer,
                    &format!(
                        "{} → 101 (origin {})",
                        escaped(accepted.path.as_bytes()).max_bytes(512),
                        escaped(accepted.origin.as_deref().unwrap_or("none").as_bytes())
                            .max_bytes(512)
                    ),
                );
                shared.active.fetch_add(1, Ordering::Relaxed);
                let leftover = buf[len..].to_vec();
                drop(buf);
                let permit = permit; // held while the connection lives
                let ending = conn::serve(stream, &leftover, shared.settings, &shared).await;
                shared.active.fetch_sub(1, Ordering::Relaxed);
                drop(permit);
                shared.counters.closed(ending.close_code());
                if let conn::Ending::PeerDead(_) = ending {
                    shared.counters.heartbeat_timeout();
                }
                log(
                    &shared,
                    peer,
                    &format!("closed: {ending:?} (close code {})", ending.close_code()),
                );
            }
        },
    }
}

fn log(shared: &Shared, peer: SocketAddr, what: &str) {
    if !shared.quiet {
        eprintln!("{peer} {what}");
    }
}
