//! tests/vectors/regressions.json: reproducers of fuzzing findings (see FUZZING.md),
//! replayed through the public API with the exact expected verdicts.

use serde_json::Value;
use wsguard_core::handshake::{
    validate_request, validate_response, ClientRequest, Limits, ServerConfig,
};
use wsguard_core::origin::{OriginPolicy, Pattern};
use wsguard_core::url::{derive_ws_url, UrlError};
use wsguard_core::{Diagnostic, Status};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn limits(case: &Value) -> Limits {
    let l = &case["limits"];
    let get = |k: &str, d: usize| l[k].as_u64().map_or(d, |v| v as usize);
    let d = Limits::DEFAULT;
    Limits::DEFAULT
        .max_headers(get("max_headers", d.max_headers))
        .max_line(get("max_line", d.max_line))
        .max_total(get("max_total", d.max_total))
}

/// `None` for "need more bytes", else the verdict's code ("ok" when accepted).
fn server_verdict(config: &ServerConfig<'_>, bytes: &[u8]) -> Option<(String, u16)> {
    match validate_request(config, bytes) {
        Ok(Status::Partial) => None,
        Ok(Status::Complete(_)) => Some(("ok".into(), 101)),
        Err(r) => Some((r.code().into(), r.status())),
    }
}

#[test]
fn regressions() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/regressions.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 7, "regressions.json lost cases");
    let patterns = [Pattern::parse("https://app.example.com").unwrap()];
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        match case["kind"].as_str().unwrap() {
            "derive" => {
                let page = case["page"].as_str().unwrap();
                let target = case["target_url"].as_str().unwrap();
                let port = case["port"].as_u64().map(|p| p as u16);
                let size = case["buffer_size"].as_u64().unwrap() as usize;
                let mut buf = vec![0u8; size];
                let needed = match derive_ws_url(page, target, port, &mut buf) {
                    Err(UrlError::BufferTooSmall { needed }) => needed,
                    other => panic!("{name}: {other:?}"),
                };
                assert!(needed > size, "{name}: needed {needed} with {size} bytes");
                assert!(
                    needed >= expect["needed_at_least"].as_u64().unwrap() as usize,
                    "{name}"
                );
                let mut enough = vec![0u8; needed];
                assert!(
                    derive_ws_url(page, target, port, &mut enough).is_ok(),
                    "{name}"
                );
            }
            "handshake_server" => {
                let bytes = hex(case["request_hex"].as_str().unwrap());
                let config = ServerConfig::new(OriginPolicy::new(&patterns)).limits(limits(case));
                let (code, status) = server_verdict(&config, &bytes).expect(name);
                assert_eq!(code, expect["code"].as_str().unwrap(), "{name}");
                assert_eq!(status as u64, expect["status"].as_u64().unwrap(), "{name}");
                if expect["same_for_every_prefix"].as_bool() == Some(true) {
                    for n in 0..bytes.len() {
                        if let Some((c, _)) = server_verdict(&config, &bytes[..n]) {
                            assert_eq!(c, code, "{name}: prefix of {n} bytes");
                        }
                    }
                }
            }
            "handshake_client" => {
                let bytes = hex(case["response_hex"].as_str().unwrap());
                let req = ClientRequest::new("app.example.com", "/", [7; 16]).limits(limits(case));
                let code = match validate_response(&req, &bytes) {
                    Err(e) => e.code(),
                    Ok(s) => panic!("{name}: {s:?}"),
                };
                assert_eq!(code, expect["code"].as_str().unwrap(), "{name}");
            }
            other => panic!("{name}: unknown kind {other}"),
        }
    }
}
