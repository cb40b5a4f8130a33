//! Runs tests/vectors/urls.json and external-wpt-urls.json against wsguard_core::url.

use serde_json::{json, Value};
use wsguard_core::url::{check_mixed_content, derive_ws_url, HostKind, WsUrl};
use wsguard_core::{Cursor, Diagnostic};

fn load_file(name: &str) -> Value {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors")).expect("parse JSON")
}

fn load() -> Value {
    load_file("urls.json")
}

/// external-wpt-urls.json: a WHATWG failure (`expect` without `code`) must be refused
/// with any code; everything else exactly as expected.
#[test]
fn external_wpt_urls() {
    let doc = load_file("external-wpt-urls.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 300, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let expect = &case["expect"];
        let got = match WsUrl::parse(case["url"].as_str().unwrap()) {
            Ok(u) => render(&u),
            Err(e) => json!({"ok": false, "code": e.code()}),
        };
        let fine = if expect.get("code").is_none() && expect["ok"] == false {
            got["ok"] == false
        } else {
            &got == expect
        };
        if !fine {
            failures.push(format!("{}: expected {expect}, got {got}", case["name"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn render(u: &WsUrl<'_>) -> Value {
    let mut buf = [0u8; 512];
    let mut c = Cursor::new(&mut buf);
    u.host_header(&mut c).unwrap();
    let host_header = String::from_utf8(c.written().to_vec()).unwrap();
    json!({
        "ok": true,
        "secure": u.secure(),
        "host": u.host(),
        "host_kind": match u.host_kind() { HostKind::Name => "name", HostKind::Ipv4 => "ipv4", HostKind::Ipv6 => "ipv6" },
        "port": u.port(),
        "port_or_default": u.port_or_default(),
        "path": u.path(),
        "query": u.query(),
        "resource_name": u.resource_name().to_string(),
        "host_header": host_header,
    })
}

#[test]
fn url_vectors() {
    let doc = load();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 35);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = match case["kind"].as_str().unwrap() {
            "parse" => match WsUrl::parse(case["url"].as_str().unwrap()) {
                Ok(u) => render(&u),
                Err(e) => json!({"ok": false, "code": e.code()}),
            },
            "derive" => {
                let mut buf = vec![0u8; case["buffer_size"].as_u64().unwrap_or(256) as usize];
                let port = case["port"].as_u64().map(|p| p as u16);
                match derive_ws_url(
                    case["page"].as_str().unwrap(),
                    case["target"].as_str().unwrap(),
                    port,
                    &mut buf,
                ) {
                    Ok(u) => json!({"ok": true, "url": u.to_string()}),
                    Err(e) => json!({"ok": false, "code": e.code()}),
                }
            }
            "mixed_content" => match check_mixed_content(
                case["page"].as_str().unwrap(),
                case["url"].as_str().unwrap(),
            ) {
                Ok(()) => json!({"ok": true}),
                Err(e) => json!({"ok": false, "code": e.code()}),
            },
            o => panic!("{name}: unknown kind {o}"),
        };
        if got != case["expect"] {
            failures.push(format!("{name}: expected {}, got {got}", case["expect"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
