//! `wsguard explain CODE`: what a close code or an upgrade HTTP status means, who sends it,
//! the likely causes with their fixes, and whether a client should retry.
//!
//! Numbers 100–599 are read as HTTP statuses met during an upgrade (a close code is never
//! below 1000 on the wire); everything else as a close code. `--close` / `--http` force it.

use crate::exit;
use crate::style::{wrap, ColorChoice, Style};
use clap::Args;
use serde_json::json;
use wsguard_core::close::{CloseInfo, Retry, CONVENTIONS};

/// Arguments of `wsguard explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A close code (1006, 4401 …) or an HTTP status met during an upgrade (403 …).
    pub code: String,
    /// Read CODE as a close code even when it looks like an HTTP status.
    #[arg(long, conflicts_with = "http")]
    pub close: bool,
    /// Read CODE as an HTTP status.
    #[arg(long)]
    pub http: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: ExplainArgs, color: ColorChoice) -> u8 {
    let s = Style::for_stdout(color);
    let Ok(n) = args.code.trim().parse::<u16>() else {
        eprintln!(
            "{} `{}` is not a number. Give a close code (e.g. 1006) or an HTTP status (e.g. 403).",
            Style::for_stderr(color).bad("error:"),
            args.code
        );
        return exit::USAGE;
    };
    let as_http = args.http || (!args.close && (100..=599).contains(&n));
    let (text, value) = if as_http {
        explain_http(n, &s)
    } else {
        explain_close(n, &s)
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        print!("{text}");
    }
    exit::OK
}

/// Human text and JSON for a close code.
pub fn explain_close(code: u16, s: &Style) -> (String, serde_json::Value) {
    let info = CONVENTIONS.classify(code);
    (render_close(&info, s), close_json(&info))
}

fn retry_words(r: Retry) -> &'static str {
    match r {
        Retry::Never => "do not reconnect automatically",
        Retry::AfterReauth => {
            "reconnect only after obtaining new credentials (log in again, refresh the token)"
        }
        Retry::Soon => "reconnect after a short randomised delay",
        Retry::WithBackoff => "reconnect with capped exponential backoff and jitter",
        Retry::AfterDelay => {
            "reconnect, but only after a longer delay (the server is busy or restarting)"
        }
    }
}

fn render_close(info: &CloseInfo, s: &Style) -> String {
    let mut o = String::new();
    let name = info.name().unwrap_or("unregistered");
    o += &format!(
        "{} {}  {}\n",
        s.heading("close code"),
        s.bold(&info.code.to_string()),
        s.code(name)
    );
    let wire = if info.wire_valid {
        s.ok("valid in a Close frame")
    } else {
        s.warn("never valid in a Close frame")
    };
    o += &format!(
        "  {:<10} {}   sent by: {}   {}\n",
        "category",
        s.code(info.category().code()),
        s.code(info.sender().code()),
        wire
    );
    if info.is_app_defined() {
        o += &format!(
            "  {:<10} {}\n",
            "note", "an application convention, not an IANA registration"
        );
    }
    o += &format!("  {:<10} {}\n", "meaning", wrap(info.description(), 88, 13));
    if !info.causes().is_empty() {
        o += &format!("  {}\n", s.bold("likely causes"));
        for c in info.causes() {
            o += &format!("    • {}\n", wrap(c.what, 88, 6));
            o += &format!("      {} {}\n", s.ok("fix:"), wrap(c.fix, 88, 11));
        }
    }
    o += &format!("  {:<10} {}\n", "remedy", wrap(info.remedy(), 88, 13));
    o += &format!(
        "  {:<10} {} — {}\n",
        "retry",
        s.code(info.retry().code()),
        retry_words(info.retry())
    );
    o
}

fn close_json(info: &CloseInfo) -> serde_json::Value {
    json!({
        "kind": "close_code",
        "code": info.code,
        "name": info.name(),
        "category": info.category().code(),
        "sender": info.sender().code(),
        "wire_valid": info.wire_valid,
        "app_defined": info.is_app_defined(),
        "description": info.description(),
        "causes": info.causes().iter().map(|c| json!({"what": c.what, "fix": c.fix})).collect::<Vec<_>>(),
        "remedy": info.remedy(),
        "retry": info.retry().code(),
    })
}

/// Human text and JSON for an HTTP status met instead of `101 Switching Protocols`.
pub fn explain_http(status: u16, s: &Style) -> (String, serde_json::Value) {
    let d = crate::probe::diagnose_status(status);
    let mut o = String::new();
    o += &format!(
        "{} {}  {}\n",
        s.heading("HTTP status during an upgrade"),
        s.bold(&status.to_string()),
        s.code(d.code)
    );
    o += &format!("  {:<10} {}\n", "meaning", wrap(d.reason, 88, 13));
    o += &format!("  {:<10} {}\n", "fix", wrap(d.remedy, 88, 13));
    o += &format!(
        "  {:<10} {}\n",
        "browser",
        wrap(&format!("a browser shows only close code {} for every refused upgrade; `wsguard probe URL` shows the status and the server's reason", wsguard_core::close::ABNORMAL_CLOSURE), 88, 13)
    );
    let v = json!({
        "kind": "http_status",
        "status": status,
        "code": d.code,
        "reason": d.reason,
        "remedy": d.remedy,
    });
    (o, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_1006_is_explained() {
        let (text, v) = explain_close(1006, &Style::plain());
        assert!(
            text.starts_with("close code 1006  abnormal_closure\n"),
            "{text}"
        );
        assert_eq!(v["wire_valid"], false);
        assert_eq!(v["name"], "abnormal_closure");
        assert_eq!(v["retry"], "with_backoff");
    }

    #[test]
    fn close_1000_is_normal() {
        let (_, v) = explain_close(1000, &Style::plain());
        assert_eq!(v["category"], "normal");
        assert_eq!(v["wire_valid"], true);
        assert_eq!(v["retry"], "never");
    }

    #[test]
    fn convention_codes_are_known() {
        let (_, v) = explain_close(4401, &Style::plain());
        assert_eq!(v["app_defined"], true);
        assert!(v["name"].is_string());
    }

    #[test]
    fn invalid_code_is_said_to_be_invalid() {
        let (_, v) = explain_close(5000, &Style::plain());
        assert_eq!(v["category"], "invalid");
        assert_eq!(v["wire_valid"], false);
    }

    #[test]
    fn refusals_mention_the_asgi_close_before_accept_rule() {
        let (t403, _) = explain_http(403, &Style::plain());
        assert!(t403.contains("close before `accept()`"), "{t403}");
        let (t4401, v) = explain_close(4401, &Style::plain());
        assert!(
            t4401.contains("closed with 4401 before `accept()`"),
            "{t4401}"
        );
        assert!(v.to_string().contains("websocket.http.response"));
    }
}
