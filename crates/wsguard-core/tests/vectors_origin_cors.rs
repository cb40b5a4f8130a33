//! Runs tests/vectors/cors.json through `OriginPolicy::cors` and checks both the header
//! iterator and `write_headers`.

mod vectors_origin_support;
use serde_json::Value;
use vectors_origin_support::*;
use wsguard_core::origin::{CorsConfig, CorsRequest, OriginPolicy, Pattern};
use wsguard_core::{Cursor, Diagnostic};

fn config(v: &Value) -> CorsConfig<'static> {
    CorsConfig {
        credentials: v["credentials"].as_bool().unwrap(),
        methods: leak(v["methods"].as_str().unwrap()),
        headers: leak(v["headers"].as_str().unwrap()),
        expose_headers: leak(v["expose_headers"].as_str().unwrap()),
        max_age: v["max_age"].as_u64().map(|n| n as u32),
    }
}

fn opt(v: &Value, k: &str) -> Option<&'static [u8]> {
    v[k].as_str().map(|s| leak(s).as_bytes())
}

#[test]
fn cors_vectors() {
    let cases = load("cors.json");
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let policy = origin_policy(&case["policy"]);
        let cfg = config(&case["cors"]);
        let r = &case["request"];
        let req = CorsRequest {
            method: leak(r["method"].as_str().unwrap()).as_bytes(),
            origin: opt(r, "origin"),
            request_method: opt(r, "request_method"),
            request_headers: opt(r, "request_headers"),
        };
        let resp = policy.cors(&cfg, &req);
        let e = &case["expect"];
        let got_headers: Vec<(String, String)> = resp
            .headers()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let want_headers: Vec<(String, String)> = e["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let got = (
            resp.is_allowed(),
            resp.denial().map(|d| d.code()),
            resp.denial().and_then(|d| match d {
                wsguard_core::origin::CorsDenial::Origin(o) => o.malformed().map(|m| m.code()),
                _ => None,
            }),
            resp.is_preflight(),
            resp.status(),
            got_headers,
        );
        let want = (
            e["ok"].as_bool().unwrap(),
            e.get("code").and_then(Value::as_str),
            e.get("malformed").and_then(Value::as_str),
            e["preflight"].as_bool().unwrap(),
            e["status"].as_u64().map(|s| s as u16),
            want_headers.clone(),
        );
        if got != want {
            failures.push(format!("{name}:\n  got  {got:?}\n  want {want:?}"));
        }
        // write_headers writes exactly the same pairs as lines
        let text: String = want_headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}\r\n"))
            .collect();
        let mut buf = [0u8; 512];
        let mut cur = Cursor::new(&mut buf);
        resp.write_headers(&mut cur).unwrap();
        assert_eq!(std::str::from_utf8(cur.written()).unwrap(), text, "{name}");
        // too small a buffer reports the size needed
        let mut small = [0u8; 4];
        let mut cur = Cursor::new(&mut small);
        assert_eq!(
            resp.write_headers(&mut cur).unwrap_err().needed,
            text.len(),
            "{name}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn no_panic_on_arbitrary_cors_requests() {
    let parsed = [
        Pattern::parse("https://*.example.com").unwrap(),
        Pattern::parse("http://localhost:*").unwrap(),
    ];
    let policy = OriginPolicy::new(&parsed).allow_null(true);
    let cfg = CorsConfig::new()
        .credentials(true)
        .methods("GET, PUT, *")
        .headers("content-type, *")
        .max_age(u32::MAX);
    let samples: &[&[u8]] = &[
        b"https://a.example.com",
        b"content-type, authorization",
        b"PUT",
        b"OPTIONS",
        b"null",
    ];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 {
        let (a, b, c) = (rng.input(samples), rng.input(samples), rng.input(samples));
        let method: &[u8] = if rng.below(2) == 0 { b"OPTIONS" } else { &c };
        let req = CorsRequest {
            method,
            origin: Some(&a),
            request_method: Some(&b),
            request_headers: Some(&c),
        };
        let resp = policy.cors(&cfg, &req);
        let mut buf = [0u8; 64];
        let mut cur = Cursor::new(&mut buf);
        let _ = resp.write_headers(&mut cur);
        assert!(resp.headers().count() >= 1);
    }
    let resp = policy.cors(
        &cfg,
        &CorsRequest::preflight(b"https://a.example.com", b"PUT", None),
    );
    assert!(resp
        .headers()
        .any(|h| h == ("Access-Control-Max-Age", "4294967295")));
}
