//! Target `cors`: the CORS responder of an Origin policy (simple and preflight requests).
//!
//! Input: `[flags][method \n origin \n request-method \n request-headers]`; an empty
//! origin / request-method / request-headers field means the header is absent.
//! Flags: bit 0 credentials, 1 allow `null`, 2 development preset, 3 methods `*`
//! (else `GET, POST, PUT`), 4 headers `*` (else `authorization, content-type`), 5 max-age 600.
//! The policy allows `https://app.example.com`, `https://*.example.com` and
//! `http://localhost:[3000,5173]`.
//!
//! Checked: an origin refusal is exactly the policy's own verdict for that Origin value
//! (one policy answers both WebSocket and CORS); an allowed request echoes the Origin
//! byte for byte in `Access-Control-Allow-Origin` (never `*`), sends
//! `Access-Control-Allow-Credentials: true` exactly when credentials are on, and always
//! sends `Vary`; no header value holds CR, LF or NUL (no header injection); a refused
//! preflight has a 4xx status, an allowed one 204; the safelisted methods GET/HEAD/POST
//! with no requested headers are never refused for their method; an allowed `null` Origin
//! with credentials on is refused with `NullCredentials` and for nothing else; `write_headers` writes
//! exactly the `Name: value\r\n` lines of `headers()` and reports a short buffer.
//! Deliberate differences: none.

use crate::util::{check_diagnostic, fields};
use wsguard_core::origin::{CorsConfig, CorsDenial, CorsRequest, OriginPolicy, Pattern, Preset};
use wsguard_core::Cursor;

/// The target body.
pub fn fuzz_cors(data: &[u8]) {
    let [flags, rest @ ..] = data else { return };
    let f = fields(rest, b'\n', 4);
    let get = |i: usize| f.get(i).copied().filter(|v| !v.is_empty());
    let method = f[0];
    let origin = get(1);
    let (req_method, req_headers) = (get(2), get(3));

    let patterns = [
        Pattern::parse("https://app.example.com").expect("pattern"),
        Pattern::parse("https://*.example.com").expect("pattern"),
        Pattern::parse("http://localhost:[3000,5173]").expect("pattern"),
    ];
    let mut policy = OriginPolicy::new(&patterns).allow_null(flags & 2 != 0);
    if flags & 4 != 0 {
        policy = policy.preset(Preset::Development);
    }
    let mut cfg = CorsConfig::new()
        .credentials(flags & 1 != 0)
        .methods(if flags & 8 != 0 { "*" } else { "GET, POST, PUT" })
        .headers(if flags & 16 != 0 { "*" } else { "authorization, content-type" })
        .expose_headers("x-request-id");
    if flags & 32 != 0 {
        cfg = cfg.max_age(600);
    }
    let req = CorsRequest { method, origin, request_method: req_method, request_headers: req_headers };
    let resp = policy.cors(&cfg, &req);

    assert_eq!(resp.is_preflight(), req.is_preflight());
    let headers: Vec<(&str, &str)> = resp.headers().collect();
    for (n, v) in &headers {
        assert!(!v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)), "header injection: {n}: {v:?}");
    }
    let get_h = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    assert!(get_h("Vary").is_some(), "no Vary header");
    let acao = get_h("Access-Control-Allow-Origin");

    match origin {
        None => {
            assert!(resp.denial().is_none() && acao.is_none(), "a request without Origin got CORS headers or a denial");
        }
        Some(o) => {
            let verdict = policy.check(Some(o));
            match resp.denial() {
                Some(CorsDenial::Origin(d)) => assert_eq!(verdict, Err(d), "CORS and the WebSocket check disagree"),
                other => {
                    assert!(verdict.is_ok(), "CORS did not refuse an Origin the policy refuses ({verdict:?}), said {other:?}");
                    // An allowed `null` with credentials on is refused for that alone, on
                    // every request kind (`cors_null_credentials`).
                    let null_credentials = o == b"null" && flags & 1 != 0;
                    assert_eq!(
                        matches!(other, Some(CorsDenial::NullCredentials)),
                        null_credentials,
                        "null with credentials: {other:?}"
                    );
                    let safelisted = !req.is_preflight()
                        || (matches!(req_method, Some(b"GET" | b"HEAD" | b"POST")) && req_headers.is_none());
                    if safelisted && !null_credentials {
                        assert!(other.is_none(), "refused a safelisted request: {other:?}");
                    }
                }
            }
            if let Some(d) = resp.denial() {
                check_diagnostic(&d);
                assert!(acao.is_none(), "a refused request got Access-Control-Allow-Origin");
                assert!(resp.status().is_some_and(|s| (400..500).contains(&s)), "refusal status {:?}", resp.status());
            } else {
                let echoed = acao.expect("allowed request without Access-Control-Allow-Origin");
                assert_eq!(echoed.as_bytes(), o, "Access-Control-Allow-Origin is not the request's Origin");
                assert_eq!(get_h("Access-Control-Allow-Credentials").is_some(), flags & 1 != 0);
                if req.is_preflight() {
                    assert_eq!(resp.status(), Some(204));
                }
            }
        }
    }

    let want: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
    let mut buf = vec![0u8; want.len()];
    let mut c = Cursor::new(&mut buf);
    resp.write_headers(&mut c).expect("exact-size buffer");
    assert_eq!(c.finish().expect("finish"), want.len());
    assert_eq!(buf, want.as_bytes(), "write_headers differs from headers()");
    if !want.is_empty() {
        let mut short = vec![0u8; want.len() - 1];
        let mut c = Cursor::new(&mut short);
        assert!(resp.write_headers(&mut c).and_then(|()| c.finish()).is_err(), "short buffer not reported");
    }
}
