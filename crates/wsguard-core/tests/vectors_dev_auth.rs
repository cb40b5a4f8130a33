//! Runs `tests/vectors/dev_auth.json`: the development auth bypass's startup decision
//! and its per-connection effect (issue 16 item 6).

use serde_json::Value;
use wsguard_core::handshake::{
    parse_request, validate_fields, validate_request, DevAuthBypass, DevAuthNotice, FieldRequest,
    Listen, ServerConfig, TokenConfig, EMPTY_HEADER,
};
use wsguard_core::origin::{OriginPolicy, Pattern, Preset};
use wsguard_core::{Diagnostic, Status};

fn load() -> Value {
    let path = format!(
        "{}/../../tests/vectors/dev_auth.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors")).expect("parse")
}

fn bypass(case: &Value) -> DevAuthBypass {
    DevAuthBypass {
        enabled: case["dev_auth_bypass"].as_bool().unwrap(),
        allow_non_loopback: case["dev_auth_bypass_allow_non_loopback"]
            .as_bool()
            .unwrap(),
    }
}

fn preset(case: &Value) -> Preset {
    Preset::from_name(case["preset"].as_str().unwrap()).expect("preset")
}

fn start(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let e = &case["expect"];
    let listen = case["listen"].as_str().unwrap();
    assert_eq!(
        Listen::classify(listen).name(),
        e["listen_kind"].as_str().unwrap(),
        "{name}"
    );
    match bypass(case).check(preset(case), listen) {
        Ok(()) => assert!(e["ok"].as_bool().unwrap(), "{name}: accepted"),
        Err(r) => {
            assert!(!e["ok"].as_bool().unwrap(), "{name}: refused {r:?}");
            assert_eq!(r.code(), e["code"].as_str().unwrap(), "{name}");
            assert!(!r.reason().is_empty() && !r.remedy().is_empty());
        }
    }
}

fn connection(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let e = &case["expect"];
    let patterns: Vec<Pattern<'_>> = case["allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Pattern::parse(p.as_str().unwrap()).unwrap())
        .collect();
    let t = &case["token"];
    let mut token = TokenConfig::DISABLED
        .authorization(t["authorization"].as_bool().unwrap_or(false))
        .required(t["required"].as_bool().unwrap_or(false));
    if let Some(q) = t["query"].as_str() {
        token = token.query(q);
    }
    let applies = bypass(case).applies(preset(case), case["listen"].as_str().unwrap());
    let origins = OriginPolicy::new(&patterns)
        .preset(preset(case))
        .allow_missing(case["allow_missing"].as_bool().unwrap());
    let cfg = ServerConfig::new(origins)
        .token(token)
        .dev_auth_bypass(applies);
    let request = case["request"].as_str().unwrap().as_bytes();
    fields_agree(name, &cfg, request);
    match validate_request(&cfg, request) {
        Ok(Status::Complete(a)) => {
            assert!(e["ok"].as_bool().unwrap(), "{name}: accepted");
            assert_eq!(
                a.dev_auth_bypassed,
                e["dev_auth_bypassed"].as_bool().unwrap(),
                "{name}"
            );
            assert_eq!(a.token.map(|t| t.value), e["token"].as_str(), "{name}");
            let notice = a
                .dev_auth_bypassed
                .then(|| DevAuthNotice::for_accepted(&token, &a).to_string());
            assert_eq!(notice.as_deref(), e["notice"].as_str(), "{name}");
        }
        Ok(Status::Partial) => panic!("{name}: partial"),
        Err(r) => {
            assert!(!e["ok"].as_bool().unwrap(), "{name}: refused {r:?}");
            assert_eq!(r.code(), e["code"].as_str().unwrap(), "{name}");
            assert_eq!(
                u64::from(r.status()),
                e["status"].as_u64().unwrap(),
                "{name}"
            );
        }
    }
}

/// The field-list entry point (the Python accept path) gives the same verdict, bypass
/// flag and token as the head.
fn fields_agree(name: &str, cfg: &ServerConfig<'_>, request: &[u8]) {
    let mut storage = [EMPTY_HEADER; 64];
    let Ok(Status::Complete(head)) = parse_request(&cfg.limits, request, &mut storage) else {
        panic!("{name}: the request must parse")
    };
    let fields: Vec<(&[u8], &[u8])> = head
        .headers
        .iter()
        .map(|h| (h.name.as_bytes(), h.value))
        .collect();
    let by_fields = validate_fields(cfg, &FieldRequest::get(head.target.as_bytes(), &fields))
        .map(|a| (a.dev_auth_bypassed, a.token.map(|t| t.value)))
        .map_err(|r| r.code());
    let by_head = match validate_request(cfg, request) {
        Ok(Status::Complete(a)) => Ok((a.dev_auth_bypassed, a.token.map(|t| t.value))),
        Ok(Status::Partial) => panic!("{name}: partial"),
        Err(r) => Err(r.code()),
    };
    assert_eq!(by_fields, by_head, "{name}: fields against head");
}

#[test]
fn dev_auth_vectors() {
    let v = load();
    let cases = v["cases"].as_array().unwrap();
    let (mut starts, mut conns) = (0, 0);
    for case in cases {
        match case["kind"].as_str().unwrap() {
            "start" => {
                start(case);
                starts += 1;
            }
            "connection" => {
                connection(case);
                conns += 1;
            }
            k => panic!("unknown kind {k}"),
        }
    }
    assert!(starts >= 15 && conns >= 10, "{starts} {conns}");
}
