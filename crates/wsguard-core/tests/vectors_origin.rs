//! Runs tests/vectors/origins.json (Origin policy and Host allowlist) and throws random
//! bytes at every origin entry point.

mod vectors_origin_support;
use serde_json::Value;
use vectors_origin_support::*;
use wsguard_core::origin::{
    lint, Finding, HostPolicy, LintContext, Origin, OriginPolicy, Pattern, Preset,
};
use wsguard_core::Diagnostic;

fn expect_str<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e.get(k).and_then(Value::as_str)
}

#[test]
fn origin_vectors() {
    let cases = load("origins.json");
    assert!(cases.len() >= 90, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let e = &case["expect"];
        let (ok, code, status, malformed, normalized) = if case.get("host").is_some() {
            let policy = host_policy(&case["policy"]);
            let value = bytes(case, "host").unwrap();
            match policy.check(&value) {
                Ok(()) => (true, None, None, None, None),
                Err(d) => (
                    false,
                    Some(d.code()),
                    Some(d.http_status()),
                    d.malformed().map(|m| m.code()),
                    None,
                ),
            }
        } else {
            let policy = origin_policy(&case["policy"]);
            let values: Vec<Vec<u8>> = match &case.get("origin") {
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| v.as_str().unwrap().as_bytes().to_vec())
                    .collect(),
                _ => bytes(case, "origin").into_iter().collect(),
            };
            let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
            let verdict = policy.check_values(&refs);
            // check_values with 0/1 values must agree with check()
            if refs.len() <= 1 {
                assert_eq!(
                    verdict,
                    policy.check(refs.first().copied()),
                    "{name}: check vs check_values"
                );
            }
            match verdict {
                Ok(o) => (true, None, None, None, Some(o.to_string())),
                Err(d) => (
                    false,
                    Some(d.code()),
                    Some(d.http_status()),
                    d.malformed().map(|m| m.code()),
                    None,
                ),
            }
        };
        let mut mismatch = |what: &str, got: String, want: String| {
            if got != want {
                failures.push(format!("{name}: {what}: got {got}, want {want}"));
            }
        };
        mismatch("ok", ok.to_string(), e["ok"].as_bool().unwrap().to_string());
        mismatch(
            "code",
            format!("{code:?}"),
            format!("{:?}", expect_str(e, "code")),
        );
        mismatch(
            "malformed",
            format!("{malformed:?}"),
            format!("{:?}", expect_str(e, "malformed")),
        );
        if let Some(s) = e.get("status").and_then(Value::as_u64) {
            mismatch(
                "status",
                format!("{status:?}"),
                format!("{:?}", Some(s as u16)),
            );
        }
        if let Some(n) = expect_str(e, "normalized") {
            mismatch(
                "normalized",
                format!("{normalized:?}"),
                format!("{:?}", Some(n)),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_malformed_sub_code_is_covered() {
    let cases = load("origins.json");
    let seen: std::collections::HashSet<&str> = cases
        .iter()
        .filter_map(|c| c["expect"].get("malformed").and_then(Value::as_str))
        .collect();
    for code in wsguard_core::origin::Malformed::ALL
        .iter()
        .map(|m| m.code())
    {
        assert!(
            seen.contains(code),
            "no vector for malformed sub-code {code}"
        );
    }
}

const SAMPLES: &[&[u8]] = &[
    b"https://app.example.com",
    b"http://localhost:3000",
    b"http://[::1]:8080",
    b"http://[2001:db8::1:0:0:1]",
    b"https://*.example.com",
    b"http://127.0.0.1:[3000,5173]",
    b"null",
    b"https://a.com, https://b.com",
    b"chrome-extension://abcdef",
    b"example.com:8443",
    b"*.example.com",
];

#[test]
fn no_panic_on_arbitrary_bytes() {
    static PATTERNS: [&str; 5] = [
        "https://app.example.com",
        "https://*.example.com",
        "http://localhost:*",
        "http://127.0.0.1:[3000,5173]",
        "*",
    ];
    let parsed: Vec<Pattern<'static>> = PATTERNS
        .iter()
        .map(|p| Pattern::parse(p).unwrap())
        .collect();
    let policy = OriginPolicy::new(&parsed)
        .preset(Preset::Development)
        .dev_hosts(&["frontend:3000", "api"]);
    let strict = OriginPolicy::new(&parsed[..2]);
    let hosts = HostPolicy::new(&[
        "example.com",
        "*.example.com",
        "localhost:*",
        "[::1]:*",
        "example.com:8443",
    ]);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    for _ in 0..20_000 {
        let input = rng.input(SAMPLES);
        let a = policy.check(Some(&input));
        let _ = strict.check(Some(&input));
        let _ = hosts.check(&input);
        let parsed = Origin::parse(&input);
        if let Ok(o) = parsed {
            // a parsed origin re-serialises to something that parses to the same origin
            let s = o.to_string();
            if !o.is_null() {
                let again = Origin::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
                assert_eq!(again.to_string(), s);
                assert_eq!(policy.check(Some(s.as_bytes())).is_ok(), a.is_ok(), "{s}");
            }
        }
        if let Ok(text) = std::str::from_utf8(&input) {
            if let Ok(p) = Pattern::parse(text) {
                let _ = p.matches(&Origin::NULL);
            }
            let mut out = [Finding::EMPTY; 8];
            let entries = [text, "https://app.example.com", text];
            let n = lint(&entries, LintContext::default(), &mut out);
            // the entry appears twice: at least one finding unless the list is fine as is
            assert!(n >= 1, "{text:?}");
        }
    }
}
