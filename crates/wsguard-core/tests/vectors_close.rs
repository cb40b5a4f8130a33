//! Runs tests/vectors/close_codes.json against wsguard_core::close.

use serde_json::Value;
use wsguard_core::close::{self, CloseRegistry, CONVENTIONS};
use wsguard_core::Diagnostic;

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/close_codes.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read close_codes.json"))
        .expect("parse JSON")
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn close_code_vectors() {
    let doc = load();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(
        cases.len() >= 60,
        "need at least 60 cases, have {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let got: Value = match case["kind"].as_str().unwrap() {
            "classify" => {
                let code = case["close_code"].as_u64().unwrap() as u16;
                let registry = match case["registry"].as_str() {
                    Some("conventions") => CONVENTIONS,
                    None => CloseRegistry::EMPTY,
                    Some(other) => panic!("{name}: unknown registry {other}"),
                };
                let info = registry.classify(code);
                assert_eq!(info.code, code);
                serde_json::json!({
                    "ok": true,
                    "name": info.name(),
                    "category": info.category().code(),
                    "wire_valid": info.wire_valid,
                    "sender": info.sender().code(),
                    "retry": info.retry().code(),
                    "registration": info.registration().code(),
                    "app_defined": info.is_app_defined(),
                })
            }
            "parse_payload" => {
                let payload = hex(case["payload_hex"].as_str().unwrap());
                match close::parse_payload(&payload) {
                    Ok(p) => {
                        serde_json::json!({"ok": true, "close_code": p.code, "reason": p.reason})
                    }
                    Err(e) => {
                        serde_json::json!({"ok": false, "code": e.code(), "send_close": e.close_code()})
                    }
                }
            }
            "write_payload" => {
                let code = case["close_code"].as_u64().unwrap() as u16;
                let reason = case["reason"].as_str().unwrap();
                let mut buf = vec![0u8; case["buffer_size"].as_u64().unwrap() as usize];
                match close::write_close_payload(code, reason, &mut buf) {
                    Ok(n) => serde_json::json!({"ok": true, "payload_hex": to_hex(&buf[..n])}),
                    Err(e) => serde_json::json!({"ok": false, "code": e.code()}),
                }
            }
            other => panic!("{name}: unknown kind {other}"),
        };
        if &got != expect {
            failures.push(format!("{name}: expected {expect}, got {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
