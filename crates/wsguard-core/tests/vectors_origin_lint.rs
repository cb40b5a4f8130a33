//! Runs tests/vectors/lint.json through `origin::lint`.

mod vectors_origin_support;
use serde_json::{json, Value};
use vectors_origin_support::*;
use wsguard_core::origin::{lint, Finding, LintCode, LintContext};
use wsguard_core::Diagnostic;

fn finding_json(f: &Finding<'_>) -> Value {
    let mut v = json!({
        "index": f.index,
        "code": f.code(),
        "severity": f.severity.name(),
        "suggestion": f.suggestion.map(|s| s.to_string()),
        "other": f.other,
    });
    if let LintCode::Invalid(e) = f.kind {
        v["pattern"] = json!(e.code());
        if let Some(m) = e.malformed() {
            v["malformed"] = json!(m.code());
        }
    }
    v
}

#[test]
fn lint_vectors() {
    let cases = load("lint.json");
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let entries = strs(&case["allow"]);
        let ctx = LintContext {
            preset: preset(&case["context"]["preset"]),
            credentials: case["context"]["credentials"].as_bool().unwrap(),
            allow_null: case["context"]["allow_null"].as_bool().unwrap_or(false),
            allow_missing: case["context"]["allow_missing"].as_bool().unwrap_or(false),
            dev_auth_bypass: case["context"]["dev_auth_bypass"]
                .as_bool()
                .unwrap_or(false),
        };
        let mut out = [Finding::EMPTY; 32];
        let n = lint(entries, ctx, &mut out);
        let got: Vec<Value> = out[..n].iter().map(finding_json).collect();
        let e = &case["expect"];
        let want = e["findings"].as_array().unwrap();
        if &got != want
            || (n == 0) != e["ok"].as_bool().unwrap()
            || n as u64 != e["count"].as_u64().unwrap()
        {
            failures.push(format!(
                "{name}:\n  got  {}\n  want {}",
                Value::from(got.clone()),
                Value::from(want.clone())
            ));
        }
        if let Some(code) = e.get("code").and_then(Value::as_str) {
            assert_eq!(out[0].code(), code, "{name}");
        }
        // a too-small output still reports the total
        let mut one = [Finding::EMPTY; 1];
        assert_eq!(lint(entries, ctx, &mut one), n, "{name}");
        assert_eq!(lint(entries, ctx, &mut []), n, "{name}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_lint_code_has_text() {
    let mut out = [Finding::EMPTY; 64];
    let entries = [
        "ws://a.com/",
        "x.com",
        ".y.com",
        "*",
        "https://*.com",
        "http://z.com",
        "null",
        "file://",
        "https://q:0",
        "*",
    ];
    let ctx = LintContext {
        preset: wsguard_core::origin::Preset::Production,
        credentials: true,
        allow_null: true,
        allow_missing: true,
        dev_auth_bypass: true,
    };
    let n = lint(&entries, ctx, &mut out);
    for f in &out[..n] {
        assert!(f.code().starts_with("lint_"));
        assert!(
            f.reason().len() > 20 && f.remedy().len() > 10,
            "{}",
            f.code()
        );
    }
    // Every kind of finding, not only those the entries above produce: 18 codes, and
    // `lint_invalid` once per pattern error it explains.
    let codes: std::collections::HashSet<&str> = LintCode::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(codes.len(), 18);
    let invalid = wsguard_core::origin::PatternError::ALL.len();
    assert_eq!(LintCode::ALL.len(), 17 + invalid);
    for c in LintCode::ALL {
        assert!(c.code().starts_with("lint_"), "{c:?}");
        assert!(c.reason().len() > 20 && c.remedy().len() > 10, "{c:?}");
    }
}
