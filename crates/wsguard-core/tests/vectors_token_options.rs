//! Runs `tests/vectors/token_options.json`: the one meaning of the two
//! token-in-subprotocol options (`SubprotocolToken::from_options`, issue 13 item 2).

use serde_json::Value;
use wsguard_core::handshake::{validate_request, ServerConfig, SubprotocolToken, TokenConfig};
use wsguard_core::origin::OriginPolicy;
use wsguard_core::{Diagnostic, Status};

fn load() -> Value {
    let path = format!(
        "{}/../../tests/vectors/token_options.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors")).expect("parse")
}

#[test]
fn token_options() {
    let doc = load();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 11);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let e = &case["expect"];
        let form = SubprotocolToken::from_options(case["prefix"].as_str(), case["pair"].as_str());
        let form = match form {
            Ok(f) => {
                assert!(e["ok"].as_bool().unwrap(), "{name}: options accepted");
                f
            }
            Err(err) => {
                assert!(!e["ok"].as_bool().unwrap(), "{name}: refused {err:?}");
                assert_eq!(err.code(), e["code"].as_str().unwrap(), "{name}");
                assert_eq!(err.to_string(), err.reason(), "{name}");
                assert!(!err.remedy().is_empty());
                continue;
            }
        };
        let mut token = TokenConfig::DISABLED;
        if let Some(f) = form {
            token = token.subprotocol(f);
        }
        let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true)).token(token);
        match validate_request(&cfg, case["request"].as_str().unwrap().as_bytes()) {
            Ok(Status::Complete(a)) => {
                assert_eq!(a.token.map(|t| t.value), e["token"].as_str(), "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
