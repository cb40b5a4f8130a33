//! Runs tests/vectors/reconnect.json against wsguard_core::reconnect.

use serde_json::{json, Value};
use wsguard_core::close::{CloseRegistry, CONVENTIONS};
use wsguard_core::reconnect::{
    Decision, Disconnect, Jitter, Reconnect, ReconnectConfig, StopReason, TransportFailure,
};
use wsguard_core::Diagnostic;

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/reconnect.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read reconnect.json"))
        .expect("parse JSON")
}

fn config(c: &Value) -> ReconnectConfig<'static> {
    let mut cfg = ReconnectConfig::DEFAULT;
    let num = |k: &str, d: u64| c[k].as_u64().unwrap_or(d);
    cfg.base_ms = num("base_ms", cfg.base_ms);
    cfg.cap_ms = num("cap_ms", cfg.cap_ms);
    cfg.max_attempts = num("max_attempts", cfg.max_attempts as u64) as u32;
    cfg.stable_after_ms = num("stable_after_ms", cfg.stable_after_ms);
    cfg.going_away_delay_ms = num("going_away_delay_ms", cfg.going_away_delay_ms);
    cfg.overload_delay_ms = num("overload_delay_ms", cfg.overload_delay_ms);
    cfg.max_retry_after_ms = num("max_retry_after_ms", cfg.max_retry_after_ms);
    match c["jitter"].as_str() {
        Some("full") => cfg.jitter = Jitter::Full,
        Some("equal") | None => cfg.jitter = Jitter::Equal,
        Some(o) => panic!("unknown jitter {o}"),
    }
    match c["registry"].as_str() {
        Some("empty") => cfg.registry = CloseRegistry::EMPTY,
        Some("conventions") | None => cfg.registry = CONVENTIONS,
        Some(o) => panic!("unknown registry {o}"),
    }
    cfg
}

fn disconnect(d: &Value) -> Disconnect {
    if let Some(c) = d["close"].as_u64() {
        return Disconnect::Close(c as u16);
    }
    if let Some(s) = d["http_status"].as_u64() {
        return Disconnect::HttpStatus {
            status: s as u16,
            retry_after_s: d["retry_after_s"].as_u64().map(|v| v as u32),
        };
    }
    Disconnect::Transport(match d["transport"].as_str().unwrap() {
        "refused" => TransportFailure::Refused,
        "dns" => TransportFailure::Dns,
        "tls" => TransportFailure::Tls,
        "timeout" => TransportFailure::Timeout,
        "reset" => TransportFailure::Reset,
        o => panic!("unknown transport failure {o}"),
    })
}

fn render(d: &Decision) -> Value {
    match d {
        Decision::Stop { reason, .. } => {
            let r = match reason {
                StopReason::Normal => "normal",
                StopReason::NotRetryable => "not_retryable",
                StopReason::AttemptsExhausted => "attempts_exhausted",
            };
            json!({"decision": "stop", "reason": r, "code": d.code()})
        }
        Decision::WaitForReauth { .. } => json!({"decision": "wait_for_reauth", "code": d.code()}),
        Decision::RetryAt {
            at_ms,
            attempt,
            delay_ms,
            ..
        } => {
            json!({"decision": "retry_at", "at_ms": at_ms, "attempt": attempt, "delay_ms": delay_ms, "code": d.code()})
        }
    }
}

#[test]
fn reconnect_vectors() {
    let doc = load();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut rc = Reconnect::new(config(&case["config"]));
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let t = step["t"].as_u64().unwrap();
            match step["event"].as_str().unwrap() {
                "connected" => rc.on_connected(t),
                "disconnect" => {
                    let d = rc.on_disconnect(
                        disconnect(&step["disconnect"]),
                        t,
                        step["random"].as_u64().unwrap() as u32,
                    );
                    assert!(
                        !d.reason().is_empty() && !d.remedy().is_empty(),
                        "{name}: empty text"
                    );
                    let got = render(&d);
                    if got != step["expect"] {
                        failures.push(format!(
                            "{name} step #{i}: expected {}, got {got}",
                            step["expect"]
                        ));
                    }
                }
                o => panic!("{name}: unknown event {o}"),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
