//! # Probe: open a WebSocket step by step and say where and why it fails
//!
//! [`probe`] runs `url → dns → tcp → tls → upgrade → ping → echo → close`, each step
//! under [`ProbeOptions::timeout`], and returns a [`Report`] (serde `Serialize` for
//! `--json`; [`Report::render_text`] for people). At the first failure the report holds a
//! [`Finding`]: what happened, the most likely cause and the fix.
//!
//! The protocol work is the core's: the URL is parsed by `wsguard_core::url`, the upgrade
//! request is written and the answer validated/diagnosed by `wsguard_core::handshake`,
//! frames are encoded and decoded by `wsguard_core::frame` (not tungstenite), so the
//! probe sees raw close codes and exact timings; close codes are explained by
//! `wsguard_core::close`.
//!
//! ```no_run
//! let report = wsguard::probe::probe(&wsguard::probe::ProbeOptions::new("ws://127.0.0.1:8000/ws"));
//! println!("{}", report.render_text());
//! std::process::exit(if report.ok { 0 } else { 1 });
//! ```

mod differential;
mod net;
mod run;

pub use net::Conn;
pub(crate) use run::establish_or_finding;
pub use run::probe;

use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// Where the probe puts the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum TokenPlacement {
    /// `Authorization: Bearer <token>` (what browsers cannot do).
    Authorization,
    /// `?<name>=<token>`.
    Query(String),
    /// `Sec-WebSocket-Protocol: <marker>, <token>`.
    SubprotocolPair(String),
    /// `Sec-WebSocket-Protocol: <prefix><token>`.
    SubprotocolPrefix(String),
}

/// What to probe and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// `Origin` to send, as a browser page on that origin would.
    pub origin: Option<String>,
    /// Bearer token to send.
    pub token: Option<String>,
    /// Where to send the token.
    pub token_placement: TokenPlacement,
    /// Subprotocols to offer, most preferred first.
    pub subprotocols: Vec<String>,
    /// Time limit of each step.
    pub timeout: Duration,
    /// Send this text message after the ping and expect it back.
    pub echo: Option<String>,
    /// Extra CA certificate(s) (PEM) to trust for wss://, besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
}

impl ProbeOptions {
    /// Defaults: no Origin, no token (Authorization placement when one is set), no
    /// subprotocol, 5 s per step, no echo.
    ///
    /// ```
    /// let o = wsguard::probe::ProbeOptions::new("ws://localhost:8000/ws");
    /// assert_eq!(o.timeout, std::time::Duration::from_secs(5));
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        ProbeOptions {
            url: url.into(),
            origin: None,
            token: None,
            token_placement: TokenPlacement::Authorization,
            subprotocols: Vec::new(),
            timeout: Duration::from_secs(5),
            echo: None,
            ca_file: None,
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Failed: see [`Report::failure`].
    Failed,
    /// Not run (not applicable, or an earlier step failed).
    Skipped,
}

/// One step of the probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `url`, `dns`, `tcp`, `tls`, `upgrade`, `ping`, `echo`, `close`.
    pub name: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// Time spent, in milliseconds.
    pub ms: f64,
    /// What it found (`127.0.0.1:8000`, `TLS 1.3, certificate valid for example.com`, `101, subprotocol chat`, `rtt 0.2 ms`).
    pub detail: String,
}

/// The first failure, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Step that failed.
    pub step: &'static str,
    /// Stable machine code (the core's code when the core diagnosed it).
    pub code: String,
    /// What happened, concretely (addresses, status, close code).
    pub what: String,
    /// The most likely cause.
    pub cause: String,
    /// How to fix it.
    pub fix: String,
    /// HTTP status received instead of 101, if any.
    pub http_status: Option<u16>,
    /// Close code received, if any.
    pub close_code: Option<u16>,
    /// What the server itself said (its wsguard code, reason and fix), kept beside the
    /// probe's own cause and fix; `None` when the answer carried no reason.
    pub server: Option<ServerSaid>,
    /// The follow-up requests sent to separate the causes of an ambiguous answer (the
    /// core's differential plan; at most two).
    pub follow_ups: Vec<FollowUpRun>,
    /// When the follow-ups could not decide: the codes of the causes that remain (most
    /// likely first); the cause then names both and how to tell them apart.
    pub remaining: Vec<&'static str>,
}

/// The server's own explanation of a refusal (the body of its answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSaid {
    /// The `Server` header (`uvicorn`, `nginx/1.27.0`, `wsguard` …).
    pub software: Option<String>,
    /// Its machine code (`origin_port` in `origin_port: …`), when it sent one.
    pub code: Option<String>,
    /// Its reason: the first line of the body (the title of an HTML error page).
    pub reason: Option<String>,
    /// Its fix (the body's `fix: …` line), when it sent one.
    pub fix: Option<String>,
}

/// One follow-up request of the differential plan and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRun {
    /// The core's step code (`own_origin`, `no_origin`, `plain_get`, `keep_alive_upgrade`).
    pub step: &'static str,
    /// What was sent.
    pub sent: &'static str,
    /// The status received (101: accepted), `None` when nothing usable came back.
    pub status: Option<u16>,
    /// The answer was the same as the first one (status and reason).
    pub same_as_first: bool,
}

/// The result of a probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The URL as given.
    pub url: String,
    /// Every step succeeded.
    pub ok: bool,
    /// Steps in order (all eight are always listed).
    pub steps: Vec<Step>,
    /// The first failure.
    pub failure: Option<Finding>,
    /// Address connected to.
    pub peer: Option<String>,
    /// `Server` header of the upgrade answer.
    pub server: Option<String>,
    /// Subprotocol chosen by the server.
    pub subprotocol: Option<String>,
    /// Ping → pong round trip in milliseconds.
    pub rtt_ms: Option<f64>,
    /// Close code the server answered our Close with.
    pub close_code: Option<u16>,
    /// Total time in milliseconds.
    pub total_ms: f64,
}

impl Report {
    /// The step called `name`.
    ///
    /// ```
    /// let r = wsguard::probe::probe(&wsguard::probe::ProbeOptions::new("http://x"));
    /// assert_eq!(r.step("url").unwrap().outcome, wsguard::probe::Outcome::Failed);
    /// ```
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// A human-readable report, one line per step, then the finding.
    ///
    /// ```
    /// let r = wsguard::probe::probe(&wsguard::probe::ProbeOptions::new("http://x"));
    /// assert!(r.render_text().contains("FAILED at url"));
    /// ```
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "probe {}", self.url);
        for s in &self.steps {
            let mark = match s.outcome {
                Outcome::Ok => "ok  ",
                Outcome::Failed => "FAIL",
                Outcome::Skipped => "skip",
            };
            let _ = writeln!(
                out,
                "  [{mark}] {:<8} {:>8.1} ms  {}",
                s.name, s.ms, s.detail
            );
        }
        match &self.failure {
            None => {
                let _ = writeln!(out, "OK in {:.1} ms", self.total_ms);
            }
            Some(f) => {
                let _ = writeln!(out, "FAILED at {}: {} [{}]", f.step, f.what, f.code);
                if let Some(s) = &f.server {
                    if let Some(r) = &s.reason {
                        let _ = writeln!(out, "  server says: {r}");
                    }
                    if let Some(x) = &s.fix {
                        let _ = writeln!(out, "  server fix:  {x}");
                    }
                }
                for r in &f.follow_ups {
                    let got = r.status.map_or("no answer".to_string(), |s| s.to_string());
                    let _ = writeln!(out, "  follow-up: {} → {got}", r.sent);
                }
                let _ = writeln!(out, "  cause: {}", f.cause);
                let _ = writeln!(out, "  fix:   {}", f.fix);
            }
        }
        out
    }
}
