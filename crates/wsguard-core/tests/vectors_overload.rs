//! Runs `tests/vectors/overload.json`: the peer limits' admission decision and the exact
//! 503 answer with `Retry-After` (issue 18).

use serde_json::Value;
use wsguard_core::limits::{Load, PeerLimits, MAX_RESPONSE};
use wsguard_core::Diagnostic;

fn load() -> Value {
    let path = format!(
        "{}/../../tests/vectors/overload.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors")).expect("parse")
}

fn u32_of(v: &Value, field: &str) -> Option<u32> {
    v[field].as_u64().map(|n| u32::try_from(n).expect("u32"))
}

fn limits_of(v: &Value) -> PeerLimits {
    let mut l = PeerLimits::DEFAULT;
    if let Some(n) = u32_of(v, "max_connections") {
        l = l.max_connections(n);
    }
    if let Some(n) = u32_of(v, "max_per_address") {
        l = l.max_per_address(n);
    }
    if let Some(n) = u32_of(v, "max_upgrading") {
        l = l.max_upgrading(n);
    }
    if let Some(n) = u32_of(v, "retry_after_s") {
        l = l.retry_after_s(n);
    }
    l
}

/// Status, `Retry-After` value and body of an answer; panics on a malformed one.
fn parts(answer: &str) -> (u16, String, String) {
    let (head, body) = answer.split_once("\r\n\r\n").expect("head end");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let mut retry = None;
    let mut length = None;
    for l in lines {
        let (name, value) = l.split_once(": ").expect("header");
        match name {
            "Retry-After" => retry = Some(value.to_string()),
            "Content-Length" => length = Some(value.parse::<usize>().unwrap()),
            _ => {}
        }
    }
    assert_eq!(length, Some(body.len()), "{answer}");
    (status, retry.expect("Retry-After"), body.to_string())
}

#[test]
fn overload_vectors() {
    let doc = load();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 14);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let e = &case["expect"];
        let limits = limits_of(&case["limits"]);
        let l = &case["load"];
        let load = Load {
            connections: u32_of(l, "connections").unwrap(),
            from_address: u32_of(l, "from_address").unwrap(),
            upgrading: u32_of(l, "upgrading").unwrap(),
        };
        match limits.admit(&load) {
            Ok(()) => assert!(e["ok"].as_bool().unwrap(), "{name}: admitted"),
            Err(o) => {
                assert!(!e["ok"].as_bool().unwrap(), "{name}: refused {o:?}");
                let code = e["code"].as_str().unwrap();
                assert_eq!(o.code(), code, "{name}");
                assert_eq!(
                    u64::from(o.close_code()),
                    e["close_code"].as_u64().unwrap(),
                    "{name}"
                );
                let mut out = [0u8; MAX_RESPONSE];
                let n = o.write_response(limits.retry_after_s, &mut out).unwrap();
                let (status, retry, body) = parts(core::str::from_utf8(&out[..n]).unwrap());
                assert_eq!(u64::from(status), e["status"].as_u64().unwrap(), "{name}");
                assert_eq!(o.status(), Some(status), "{name}");
                assert_eq!(retry, e["retry_after"].as_str().unwrap(), "{name}");
                assert!(body.starts_with(&format!("{code}: ")), "{name}: {body}");
            }
        }
    }
}
