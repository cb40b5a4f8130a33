//! Runs `tests/vectors/handshake_client.json` (and the external files in its format,
//! `external-websockets-handshake-client.json` and `external-wsproto-handshake-client.json`)
//! against the client-side handshake.

use serde_json::Value;
use wsguard_core::handshake::{
    validate_response, write_request, ClientFailure, ClientRequest, SubprotocolToken,
    TokenPlacement,
};
use wsguard_core::{Diagnostic, Status};

fn load_file(name: &str) -> Value {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors"))
        .expect("parse vectors")
}

fn load() -> Value {
    load_file("handshake_client.json")
}

fn leak(v: &Value) -> &'static str {
    Box::leak(v.as_str().expect("string").to_owned().into_boxed_str())
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn build_request(r: &Value) -> ClientRequest<'static> {
    let nonce: [u8; 16] = hex(r["nonce_hex"].as_str().expect("nonce"))
        .try_into()
        .expect("16 bytes");
    let mut req = ClientRequest::new(leak(&r["host"]), leak(&r["path"]), nonce);
    if let Some(o) = r.get("origin").filter(|v| !v.is_null()) {
        req = req.origin(leak(o));
    }
    if let Some(list) = r.get("subprotocols").and_then(Value::as_array) {
        let v: Vec<&'static str> = list.iter().map(leak).collect();
        req = req.subprotocols(Box::leak(v.into_boxed_slice()));
    }
    if let Some(e) = r.get("extensions").filter(|v| !v.is_null()) {
        req = req.extensions(leak(e));
    }
    if let Some(t) = r.get("token").filter(|v| !v.is_null()) {
        let name = t.get("name").filter(|v| !v.is_null()).map(leak);
        let placement = match t["placement"].as_str().expect("placement") {
            "authorization" => TokenPlacement::Authorization,
            "query" => TokenPlacement::Query(name.expect("name")),
            "subprotocol_prefix" => {
                TokenPlacement::Subprotocol(SubprotocolToken::Prefix(name.expect("name")))
            }
            "subprotocol_pair" => {
                TokenPlacement::Subprotocol(SubprotocolToken::Pair(name.expect("name")))
            }
            other => panic!("unknown placement {other}"),
        };
        req = req.token(leak(&t["value"]), placement);
    }
    req
}

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn run_case(case: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let exp = &case["expect"];
    let req = build_request(&case["request"]);
    let check = |field: &str, got: Value, errs: &mut Vec<String>| {
        if let Some(want) = exp.get(field) {
            if *want != got {
                errs.push(format!("{field}: want {want}, got {got}"));
            }
        }
    };
    let mut out = [0u8; 2048];
    let n = match write_request(&req, &mut out) {
        Ok(n) => n,
        Err(e) => {
            check("ok", Value::Bool(false), &mut errs);
            check("code", Value::String(e.code().to_owned()), &mut errs);
            check("status", Value::Null, &mut errs);
            return errs;
        }
    };
    if let Some(want) = case.get("expect_request").and_then(Value::as_str) {
        let got = String::from_utf8_lossy(&out[..n]);
        if got != want {
            errs.push(format!("expect_request: want {want:?}, got {got:?}"));
        }
    }
    let response: Vec<u8> = match case.get("response").and_then(Value::as_str) {
        Some(s) => s.as_bytes().to_vec(),
        None => hex(case["response_hex"].as_str().expect("response")),
    };
    match validate_response(&req, &response) {
        Ok(Status::Partial) => {
            check("partial", Value::Bool(true), &mut errs);
            check("ok", Value::Bool(false), &mut errs);
        }
        Ok(Status::Complete(est)) => {
            check("ok", Value::Bool(true), &mut errs);
            check("partial", Value::Bool(false), &mut errs);
            check("subprotocol", opt(est.subprotocol), &mut errs);
            check("server", opt(est.server), &mut errs);
            check("consumed", Value::from(est.consumed), &mut errs);
            check(
                "extensions",
                Value::from(
                    est.extensions()
                        .map(|e| e.name.to_owned())
                        .collect::<Vec<_>>(),
                ),
                &mut errs,
            );
        }
        Err(f) => {
            check("ok", Value::Bool(false), &mut errs);
            check("partial", Value::Bool(false), &mut errs);
            check("code", Value::String(f.code().to_owned()), &mut errs);
            check(
                "status",
                f.status().map_or(Value::Null, Value::from),
                &mut errs,
            );
            assert!(!f.reason().is_empty() && !f.remedy().is_empty());
            if let ClientFailure::Rejected(d) = f {
                check("location", opt(d.location), &mut errs);
                check("server", opt(d.server), &mut errs);
                check("server_reason", opt(d.server_reason), &mut errs);
                check("server_code", opt(d.server_code), &mut errs);
                check(
                    "retry_after",
                    d.retry_after.map_or(Value::Null, Value::from),
                    &mut errs,
                );
                check("wanted_version", opt(d.wanted_version), &mut errs);
                check("via_proxy", opt(d.via_proxy), &mut errs);
                check(
                    "upgrade_in_answer",
                    Value::Bool(d.upgrade_in_answer),
                    &mut errs,
                );
                check(
                    "proxy_hint",
                    Value::Bool(d.proxy_hint().is_some()),
                    &mut errs,
                );
            }
        }
    }
    errs
}

#[test]
fn handshake_client_vectors() {
    run_file(&load(), 40);
}

/// python-websockets' client handshake cases (tests/vectors/README.md, external suites).
#[test]
fn external_websockets_handshake_client() {
    run_file(&load_file("external-websockets-handshake-client.json"), 25);
}

/// wsproto's client handshake cases (tests/vectors/README.md, external suites).
#[test]
fn external_wsproto_handshake_client() {
    run_file(&load_file("external-wsproto-handshake-client.json"), 12);
}

fn run_file(file: &Value, min: usize) {
    let cases = file["cases"].as_array().expect("cases");
    assert!(cases.len() >= min, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let errs = run_case(c);
            (!errs.is_empty())
                .then(|| format!("{}: {}", c["name"].as_str().unwrap_or("?"), errs.join("; ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A wsguard server's rejection, read by a wsguard client, names the server's code.
#[test]
fn server_rejection_round_trips_through_client_diagnosis() {
    use wsguard_core::handshake::{write_rejection_response, Rejection};
    use wsguard_core::origin::OriginDenial;
    let req = ClientRequest::new("a.example", "/ws", [1; 16]);
    let cases = [
        // The server's exact cause is the headline …
        (Rejection::Origin(OriginDenial::Host), "origin_host"),
        (Rejection::Origin(OriginDenial::Missing), "origin_missing"),
        (Rejection::TokenMissing, "token_missing"),
        (Rejection::VersionUnsupported, "version_unsupported"),
        (Rejection::KeyInvalid, "key_invalid"),
        (Rejection::MethodNotGet, "method_not_get"),
        // … except where the client knows better: it did send the upgrade.
        (Rejection::UpgradeMissing, "proxy_dropped_upgrade"),
        (Rejection::ConnectionMissingUpgrade, "proxy_dropped_upgrade"),
    ];
    for (rejection, want) in cases {
        let mut out = [0u8; 2048];
        let n = write_rejection_response(&rejection, &mut out).expect("write");
        match validate_response(&req, &out[..n]) {
            Err(ClientFailure::Rejected(d)) => {
                assert_eq!(d.code(), want, "{rejection:?}");
                assert_eq!(d.server_code, Some(rejection.code()), "{rejection:?}");
                assert_eq!(d.status, rejection.status());
                // A named cause leaves nothing to decide.
                assert_eq!(d.verdict(), None, "{rejection:?}");
                if want == rejection.code() {
                    assert_eq!(
                        (d.reason(), d.remedy()),
                        (rejection.reason(), rejection.remedy())
                    );
                }
            }
            other => panic!("{rejection:?}: {other:?}"),
        }
    }
}
