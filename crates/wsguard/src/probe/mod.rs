//! # Probe: open a WebSocket step by step and say where and why it fails
//!
//! [`probe`] runs `url → dns → tcp → tls → upgrade → ping → echo → close`, each step
//! under [`ProbeOptions::timeout`], and returns a [`Report`] (serde `Serialize` for
//! `--json`; [`Report::render_text`] for people). At the first failure the report holds a
//! [`Finding`]: what happened, the most likely cause and the fix.
//!
//! The probe is a client of [`crate::client`]: the first five steps are the validated
//! client's (the core parses the URL, writes the upgrade request and validates or
//! diagnoses the answer), and the ping, echo and closing handshake go through the
//! client's [`Socket`](crate::client::Socket), a driver over the core's sans-IO
//! connection, so the probe sees raw close codes and exact timings; close codes are
//! explained by `wsguard_core::close`.
//!
//! ```no_run
//! let report = wsguard::probe::probe(&wsguard::probe::ProbeOptions::new("ws://127.0.0.1:8000/ws"));
//! println!("{}", report.render_text());
//! std::process::exit(if report.ok { 0 } else { 1 });
//! ```

mod run;

pub use crate::client::{
    Conn, ConnectOptions as ProbeOptions, Finding, FollowUpRun, Outcome, ServerSaid, Step,
    TokenPlacement,
};
pub use run::probe;

use serde::Serialize;
use std::fmt::Write as _;

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
