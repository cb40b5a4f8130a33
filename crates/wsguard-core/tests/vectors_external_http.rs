//! tests/vectors/external-httparse.json: httparse's own request/response cases through the
//! server handshake validator and the client response validator. The verdict class must
//! match httparse's: Err → malformed, Partial → partial, Complete → anything else.

use serde_json::Value;
use wsguard_core::handshake::{
    validate_request, validate_response, ClientFailure, ClientRequest, ResponseError, ServerConfig,
};
use wsguard_core::origin::{OriginPolicy, Pattern};
use wsguard_core::{Diagnostic, Status};

fn load(name: &str) -> Value {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors")).expect("parse")
}

fn bytes(case: &Value, field: &str) -> Vec<u8> {
    match case[field].as_str() {
        Some(s) => s.as_bytes().to_vec(),
        None => {
            let h = case[format!("{field}_hex")].as_str().expect("bytes field");
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
                .collect()
        }
    }
}

/// The verdict class of one case, as external-httparse.json names it.
fn head_verdict(case: &Value) -> &'static str {
    let any = [Pattern::ANY];
    let cfg = ServerConfig::new(OriginPolicy::new(&any));
    match case["kind"].as_str().expect("kind") {
        "request" => match validate_request(&cfg, &bytes(case, "request")) {
            Ok(Status::Partial) => "partial",
            Err(r) if r.code() == "malformed_request" => "malformed",
            _ => "parsed",
        },
        "response" => {
            let req = ClientRequest::new("a.example", "/", *b"the sample nonce");
            match validate_response(&req, &bytes(case, "response")) {
                Ok(Status::Partial) => "partial",
                Err(ClientFailure::Invalid(ResponseError::Malformed)) => "malformed",
                _ => "parsed",
            }
        }
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn external_httparse() {
    let doc = load("external-httparse.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 250, "{} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter(|c| head_verdict(c) != c["expect"]["head"])
        .map(|c| {
            format!(
                "{}: expected {}, got {}",
                c["name"],
                c["expect"]["head"],
                head_verdict(c)
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
