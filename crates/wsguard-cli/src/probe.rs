//! `wsguard probe URL`: connect the way a client would and explain the outcome.
//!
//! The steps (DNS, TCP, TLS, upgrade, echo) and their diagnosis come from the adapter's
//! probe engine (`wsguard::probe`), which asks the core to validate or diagnose the
//! server's answer. This module renders the report: readable with colour on a TTY,
//! `--json` for machines, and an exit status per outcome.

use crate::exit;
use crate::progress::Spinner;
use crate::style::{wrap, ColorChoice, Style};
use clap::Args;
use std::time::Duration;
use wsguard::probe::{probe, Outcome, ProbeOptions, Report, TokenPlacement};
use wsguard_core::close::{ABNORMAL_CLOSURE, CONVENTIONS};
use wsguard_core::handshake::Diagnosis;
use wsguard_core::Diagnostic;

/// Arguments of `wsguard probe`.
#[derive(Args, Debug, Clone)]
pub struct ProbeArgs {
    /// The WebSocket URL (`ws://127.0.0.1:8080/ws`, `wss://chat.example.com/socket`).
    pub url: String,
    /// Origin header to send, like a browser page on that origin would.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// Bearer token to send.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Where to put the token: header (Authorization), query (?token=), subprotocol.
    #[arg(long, value_name = "WHERE", default_value = "header", value_parser = ["header", "query", "subprotocol"])]
    pub token_in: String,
    /// Subprotocol to offer (repeatable).
    #[arg(long = "protocol", value_name = "NAME")]
    pub protocols: Vec<String>,
    /// Message to send once connected; the probe checks it comes back (echo servers).
    #[arg(long, value_name = "TEXT")]
    pub echo: Option<String>,
    /// Seconds allowed for each step.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Machine-readable output (JSON report).
    #[arg(long)]
    pub json: bool,
}

/// What a non-101 status means during an upgrade, per the core's client diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusDiagnosis {
    pub code: &'static str,
    pub reason: &'static str,
    pub remedy: &'static str,
}

/// Asks the core what a bare status (no headers, no body) most likely means.
pub fn diagnose_status(status: u16) -> StatusDiagnosis {
    if status == 101 {
        return StatusDiagnosis {
            code: "switching_protocols",
            reason: "101 Switching Protocols is success: the server accepted the upgrade",
            remedy: "nothing to fix; if the socket closes right after, look at its close code (`wsguard explain CODE`)",
        };
    }
    let d = Diagnosis::for_status(status);
    StatusDiagnosis {
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
    }
}

/// Exit status for a report: 0 ok, 1 refused (HTTP status or a policy close), 2 bad URL,
/// 3 network (DNS, TCP, TLS, timeouts), 4 protocol (bad 101, bad frames, no echo).
pub fn exit_status(report: &Report) -> u8 {
    let Some(f) = &report.failure else {
        return exit::OK;
    };
    if f.http_status.is_some() {
        return exit::REFUSED;
    }
    if let Some(code) = f.close_code {
        if CONVENTIONS.classify(code).is_refusal() {
            return exit::REFUSED;
        }
    }
    match f.step {
        "url" => exit::USAGE,
        "dns" | "tcp" | "tls" => exit::NETWORK,
        _ if f.code.contains("timeout") => exit::NETWORK,
        _ => exit::PROTOCOL,
    }
}

/// Builds the adapter's options from the arguments.
pub fn options(args: &ProbeArgs) -> ProbeOptions {
    let mut o = ProbeOptions::new(args.url.clone());
    o.origin = args.origin.clone();
    o.token = args.token.clone();
    o.token_placement = match args.token_in.as_str() {
        "query" => TokenPlacement::Query("token".into()),
        "subprotocol" => TokenPlacement::SubprotocolPair("bearer".into()),
        _ => TokenPlacement::Authorization,
    };
    o.subprotocols = args.protocols.clone();
    o.timeout = Duration::from_secs_f64(args.timeout.clamp(0.05, 600.0));
    o.echo = args.echo.clone();
    o
}

/// Renders a report for people: one line per step, then the verdict and the finding.
pub fn render(report: &Report, s: &Style) -> String {
    let mut o = String::new();
    o += &format!("{} {}\n", s.heading("probe"), s.bold(&report.url));
    for step in &report.steps {
        let (mark, name) = match step.outcome {
            Outcome::Ok => (s.ok("✓"), step.name.to_string()),
            Outcome::Failed => (s.bad("✗"), s.bad(step.name)),
            Outcome::Skipped => (s.dim("·"), s.dim(step.name)),
        };
        let pad = " ".repeat(8usize.saturating_sub(step.name.len()));
        let time = if step.outcome == Outcome::Skipped {
            s.dim("       -   ")
        } else {
            s.dim(&format!("{:>8.1} ms", step.ms))
        };
        let detail = if step.outcome == Outcome::Skipped {
            s.dim(&step.detail)
        } else {
            step.detail.clone()
        };
        o += &format!("  {mark} {name}{pad} {time}  {detail}\n");
    }
    match &report.failure {
        None => {
            let rtt = report
                .rtt_ms
                .map(|r| format!(", ping rtt {r:.1} ms"))
                .unwrap_or_default();
            o += &format!("{} in {:.1} ms{rtt}\n", s.ok("CONNECTED"), report.total_ms);
        }
        Some(f) => {
            let verdict = match exit_status(report) {
                exit::REFUSED => s.bad("REFUSED"),
                exit::NETWORK => s.bad("UNREACHABLE"),
                exit::USAGE => s.bad("BAD URL"),
                _ => s.bad("PROTOCOL ERROR"),
            };
            o += &format!(
                "{verdict} at {}: {}  {}\n",
                s.bold(f.step),
                wrap(&f.what, 88, 4),
                s.code(&f.code)
            );
            if let Some(said) = &f.server {
                if let Some(r) = &said.reason {
                    o += &format!("  {}  {}\n", s.dim("server"), wrap(r, 88, 10));
                }
                if let Some(x) = &said.fix {
                    o += &format!("  {}  {}\n", s.dim("its fix"), wrap(x, 88, 10));
                }
            }
            for r in &f.follow_ups {
                let got = r
                    .status
                    .map_or_else(|| "no answer".to_string(), |st| format!("HTTP {st}"));
                let same = if r.same_as_first {
                    " (same answer)"
                } else {
                    ""
                };
                o += &format!("  {}  {} → {got}{same}\n", s.dim("retried"), r.sent);
            }
            o += &format!("  {}   {}\n", s.warn("cause"), wrap(&f.cause, 88, 10));
            o += &format!("  {}     {}\n", s.ok("fix"), wrap(&f.fix, 88, 10));
            if f.http_status.is_some() {
                o += &format!(
                    "  {}\n",
                    s.dim(&format!(
                        "(a browser would only report close code {ABNORMAL_CLOSURE} for this)"
                    ))
                );
            }
        }
    }
    o
}

/// Runs the subcommand.
pub fn run(args: ProbeArgs, color: ColorChoice) -> u8 {
    let s = Style::for_stdout(color);
    let opts = options(&args);
    let spinner = Spinner::start(&format!("probing {}", args.url), !args.json);
    let report = probe(&opts);
    spinner.finish();
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("exit_status".into(), exit_status(&report).into());
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", render(&report, &s));
    }
    exit_status(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_diagnosed_by_the_core() {
        assert_eq!(diagnose_status(403).code, "forbidden");
        assert_eq!(diagnose_status(401).code, "unauthorized");
        assert_eq!(diagnose_status(404).code, "not_found");
        assert_eq!(diagnose_status(502).code, "bad_gateway");
        assert_eq!(diagnose_status(200).code, "http_200_not_websocket");
        assert_eq!(diagnose_status(101).code, "switching_protocols");
    }
}
