//! Runs tests/vectors/near_miss.json through `origin::near_miss_origin`/`near_miss_host`
//! and the policies' own `near_miss`.

mod vectors_origin_support;
use serde_json::{json, Value};
use vectors_origin_support::*;
use wsguard_core::origin::{
    near_miss_host, near_miss_origin, HostPolicy, NearMiss, OriginPolicy, Pattern,
};
use wsguard_core::Diagnostic;

fn as_json(m: Option<NearMiss<'_>>) -> Value {
    match m {
        None => json!({ "near_miss": null }),
        Some(m) => json!({
            "near_miss": m.code(),
            "entry": m.entry,
            "suggestion": m.suggestion().to_string(),
            "text": m.to_string(),
        }),
    }
}

#[test]
fn near_miss_vectors() {
    let cases = load("near_miss.json");
    assert!(cases.len() >= 15);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let allow = strs(&case["allow"]);
        let mut e = case["expect"].clone();
        let policy_error = e.as_object_mut().unwrap().remove("policy_error").unwrap();
        let got = if let Some(host) = case["host"].as_str() {
            let hosts = strs(&case["hosts"]);
            let raw = as_json(near_miss_host(hosts, host.as_bytes()));
            assert_eq!(
                raw,
                as_json(HostPolicy::new(hosts).near_miss(host.as_bytes())),
                "{name}"
            );
            raw
        } else {
            let origin = case["origin"].as_str().unwrap().as_bytes();
            let raw = as_json(near_miss_origin(allow, origin));
            let parsed: Result<Vec<Pattern<'_>>, _> =
                allow.iter().map(|s| Pattern::parse(s)).collect();
            match (parsed, policy_error.as_str()) {
                (Ok(p), None) => {
                    assert_eq!(
                        as_json(OriginPolicy::new(&p).near_miss(origin)),
                        raw,
                        "{name}"
                    );
                }
                (Err(err), Some(code)) => assert_eq!(err.code(), code, "{name}"),
                (p, want) => panic!("{name}: policy {:?}, want error {want:?}", p.map(|_| ())),
            }
            raw
        };
        assert_eq!(got, e, "{name}");
    }
}
