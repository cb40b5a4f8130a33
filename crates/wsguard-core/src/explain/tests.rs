use super::*;
use crate::handshake::{SubprotocolToken, TokenConfig};
use crate::origin::{OriginPolicy, Pattern};

fn answer(
    cfg: &ServerConfig<'_>,
    origin: Option<&[u8]>,
    query: &str,
    mode: Mode,
) -> std::string::String {
    let q = ExplainQuery::parse(query).unwrap();
    let mut scratch = [0u8; 1024];
    let v = explain(cfg, "/ws", "127.0.0.1:8000", origin, &q, &mut scratch);
    let mut out = [0u8; 2048];
    let n = write_body(&v, mode, &mut out).unwrap();
    std::string::String::from_utf8(out[..n].to_vec()).unwrap()
}

#[test]
fn verdicts_are_the_handshake_verdicts() {
    let allowed = [Pattern::parse("http://127.0.0.1:8000").unwrap()];
    let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
    let a = answer(
        &cfg,
        Some(b"http://127.0.0.2:8000"),
        "wsguard-explain=1",
        Mode::Public,
    );
    assert!(
        a.starts_with("{\"wsguard\":1,\"ok\":false,\"code\":\"origin_host\",\"status\":403,"),
        "{a}"
    );
    assert!(!a.contains("remedy"));
    let a = answer(
        &cfg,
        Some(b"http://127.0.0.1:8000"),
        "wsguard-explain=1",
        Mode::Full,
    );
    assert!(
        a.starts_with("{\"wsguard\":1,\"ok\":true,\"code\":\"explain_accepted\",\"status\":101,"),
        "{a}"
    );
    // Same-origin GET: no Origin header, the page's origin from the query.
    let a = answer(
        &cfg,
        None,
        "wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A8000",
        Mode::Public,
    );
    assert!(a.contains("\"ok\":true"), "{a}");
    // The header wins over the query (a page cannot choose its verdict).
    let a = answer(
        &cfg,
        Some(b"http://127.0.0.2:8000"),
        "wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A8000",
        Mode::Public,
    );
    assert!(a.contains("origin_host"), "{a}");
}

#[test]
fn token_placement_and_subprotocols() {
    let allowed = [Pattern::parse("http://127.0.0.1:8000").unwrap()];
    let protos = ["chat"];
    let cfg = ServerConfig::new(OriginPolicy::new(&allowed))
        .subprotocols(&protos)
        .require_subprotocol(true)
        .token(
            TokenConfig::DISABLED
                .query("token")
                .subprotocol(SubprotocolToken::Pair("bearer"))
                .required(true),
        );
    let o = Some(&b"http://127.0.0.1:8000"[..]);
    let a = answer(
        &cfg,
        o,
        "wsguard-explain=1&token=none&protocols=chat",
        Mode::Full,
    );
    assert!(
        a.contains("\"code\":\"token_missing\",\"status\":401"),
        "{a}"
    );
    let a = answer(
        &cfg,
        o,
        "wsguard-explain=1&token=query:access_token&protocols=chat",
        Mode::Full,
    );
    assert!(a.contains("token_missing"), "{a}");
    let a = answer(
        &cfg,
        o,
        "wsguard-explain=1&token=query%3Atoken&protocols=chat",
        Mode::Full,
    );
    assert!(a.contains("\"ok\":true"), "{a}");
    let a = answer(
        &cfg,
        o,
        "wsguard-explain=1&token=subprotocol_pair:bearer&protocols=chat",
        Mode::Full,
    );
    assert!(a.contains("\"ok\":true"), "{a}");
    let a = answer(
        &cfg,
        o,
        "wsguard-explain=1&token=query:token&protocols=v2%2Cv3",
        Mode::Full,
    );
    assert!(a.contains("subprotocol"), "{a}");
}

#[test]
fn facts_cannot_inject_headers_and_answer_never_leaks_the_allowlist() {
    let allowed = [Pattern::parse("https://secret-internal.example").unwrap()];
    let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
    let a = answer(&cfg, None, "wsguard-explain=1&origin=https%3A%2F%2Fx.example%0D%0AOrigin%3A%20https%3A%2F%2Fsecret-internal.example", Mode::Full);
    assert!(
        !a.contains("\"ok\":true") && !a.contains("secret-internal"),
        "{a}"
    );
    let q = ExplainQuery::parse("wsguard-explain").unwrap();
    let mut small = [0u8; 16];
    assert_eq!(
        explain(&cfg, "/ws", "h", None, &q, &mut small),
        Verdict::TooLarge
    );
    let mut out = [0u8; 512];
    let n = write_answer(&Verdict::TooLarge, Mode::Public, &mut out).unwrap();
    let text = core::str::from_utf8(&out[..n]).unwrap();
    let body_at = text.find("\r\n\r\n").unwrap() + 4;
    assert!(text.contains(&std::format!("Content-Length: {}\r\n", n - body_at)));
    assert!(!text.contains("Allow-Credentials"));
    assert_eq!(write_answer(&Verdict::TooLarge, Mode::Off, &mut out), Ok(0));
}
