//! `wsguard probe URL`: connect the way a client would and explain the outcome.
//!
//! The steps (DNS, TCP, TLS, upgrade, echo) and their diagnosis come from the adapter's
//! probe engine (`wsguard::probe`), which asks the core to validate or diagnose the
//! server's answer. This module renders the report: readable with colour on a TTY,
//! `--json` for machines, and an exit status per outcome.

use crate::exit;
use crate::style::{ColorChoice, Style};
use clap::Args;
use wsguard_core::handshake::{reason_phrase, validate_response, ClientFailure, ClientRequest};
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
    let req = ClientRequest::new("example.com", "/", [0; 16]);
    let resp = format!("HTTP/1.1 {status} {}\r\nContent-Length: 0\r\n\r\n", reason_phrase(status));
    match validate_response(&req, resp.as_bytes()) {
        Err(ClientFailure::Rejected(d)) => StatusDiagnosis { code: d.code(), reason: d.reason(), remedy: d.remedy() },
        Err(other) => StatusDiagnosis { code: other.code(), reason: other.reason(), remedy: other.remedy() },
        Ok(_) => StatusDiagnosis { code: "unexpected_status", reason: "the server answered with an unexpected status", remedy: "check the URL" },
    }
}

/// Runs the subcommand.
pub fn run(args: ProbeArgs, color: ColorChoice) -> u8 {
    let _ = (args, Style::for_stdout(color));
    eprintln!("probe: waiting for the adapter's probe engine");
    exit::USAGE
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
