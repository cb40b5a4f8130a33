//! Target `handshake_server`: server-side validation of an HTTP upgrade request, whole
//! and chunked, and the responses written for it.
//!
//! Input: `[config byte][chunk seed][request bytes…]`.
//! Config bits 0–1: Origin policy (0 `https://app.example.com` + `https://*.example.com`,
//! 1 the same + development preset, 2 the same + missing Origin allowed, 3 only `null`
//! allowed); bit 2 Host allowlist `app.example.com`, `localhost:*`; bit 3 subprotocols
//! `chat`, `chat.v2`, `chat.v1`, `bearer`; bit 4 subprotocol required; bits 5–6 token
//! (0 off, 1 `Authorization` required, 2 `Authorization` + `access_token.` prefix + `?token=`,
//! 3 `bearer` subprotocol pair); bit 7 small limits (8 headers, 256-byte lines, 1 KiB head).
//!
//! Checked:
//! * whole against chunked: the request is re-validated on the growing prefix at every
//!   chunk boundary (as a server calls it while bytes arrive); a prefix is `Partial` or
//!   gets exactly the whole request's verdict (same `Accepted`, or the same `Rejection`);
//! * an accepted request: `consumed` ends the head; the key is 16 bytes of base64;
//!   `Sec-WebSocket-Accept` equals SHA-1/base64 computed here; the chosen subprotocol is
//!   one the server lists and the client offered; the Origin passes the policy; the 101
//!   response parses (httparse) and carries that accept value; a short buffer is reported;
//! * a rejection: complete `Diagnostic`; a 4xx/5xx status; the response parses, carries
//!   that status, `Content-Length` matches the body, and the body names the code;
//! * head against field list (`validate_fields`, the ASGI entry point): a head that
//!   parses gets the same verdict from its parsed field list as from its bytes; and the
//!   input read loosely as a field list (lines split at the first `:`, the first line at
//!   spaces: any bytes in names and values) gets from `validate_fields` the verdict
//!   `validate_request` gives the head written from that list (identical when the list
//!   can be written as a head, a refusal when a CR makes it unwritable).
//!
//! Deliberate differences: none.

use crate::util::{check_diagnostic, chunk_ends};
use base64::Engine as _;
use wsguard_core::handshake::{
    parse_request, validate_fields, validate_request, write_accept_response,
    write_rejection_response, AcceptedFields, CommaList, FieldRequest, Limits, Rejection,
    ServerConfig, SubprotocolToken, TokenConfig, EMPTY_HEADER,
};
use wsguard_core::origin::{HostPolicy, OriginPolicy, Pattern, Preset};
use wsguard_core::{Diagnostic, Status};

const SUBPROTOCOLS: [&str; 4] = ["chat", "chat.v2", "chat.v1", "bearer"];
const HOSTS: [&str; 2] = ["app.example.com", "localhost:*"];

/// Sec-WebSocket-Accept, computed independently.
pub fn reference_accept(key: &[u8]) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(key);
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(h.digest().bytes())
}

fn with_config<R>(bits: u8, f: impl FnOnce(&ServerConfig<'_>) -> R) -> R {
    let patterns = [
        Pattern::parse("https://app.example.com").expect("pattern"),
        Pattern::parse("https://*.example.com").expect("pattern"),
    ];
    let policy = match bits & 3 {
        0 => OriginPolicy::new(&patterns),
        1 => OriginPolicy::new(&patterns).preset(Preset::Development),
        2 => OriginPolicy::new(&patterns).allow_missing(true),
        _ => OriginPolicy::new(&[]).allow_null(true),
    };
    let mut cfg = ServerConfig::new(policy);
    if bits & 4 != 0 {
        cfg = cfg.hosts(HostPolicy::new(&HOSTS));
    }
    if bits & 8 != 0 {
        cfg = cfg.subprotocols(&SUBPROTOCOLS);
    }
    cfg = cfg.require_subprotocol(bits & 16 != 0);
    let token = match (bits >> 5) & 3 {
        0 => TokenConfig::DISABLED,
        1 => TokenConfig::DISABLED.authorization(true).required(true),
        2 => TokenConfig::DISABLED
            .authorization(true)
            .subprotocol(SubprotocolToken::Prefix("access_token."))
            .query("token"),
        _ => TokenConfig::DISABLED.subprotocol(SubprotocolToken::Pair("bearer")),
    };
    cfg = cfg.token(token);
    if bits & 128 != 0 {
        cfg = cfg.limits(Limits::DEFAULT.max_headers(8).max_line(256).max_total(1024));
    }
    f(&cfg)
}

fn find_header<'h>(headers: &[httparse::Header<'h>], name: &str) -> Option<&'h [u8]> {
    headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value)
}

fn check_rejection(rej: &Rejection) {
    check_diagnostic(rej);
    let status = rej.status();
    assert!((400..600).contains(&status), "{rej:?} has status {status}");
    let mut out = vec![0u8; 4096];
    let n = write_rejection_response(rej, &mut out).expect("a rejection response fits in 4 KiB");
    let mut hs = [httparse::EMPTY_HEADER; 16];
    let mut resp = httparse::Response::new(&mut hs);
    let head = match resp.parse(&out[..n]) {
        Ok(httparse::Status::Complete(h)) => h,
        other => panic!("rejection response does not parse: {other:?}\n{}", String::from_utf8_lossy(&out[..n])),
    };
    assert_eq!(resp.code, Some(status));
    let len = find_header(resp.headers, "content-length").expect("Content-Length");
    let len: usize = std::str::from_utf8(len).expect("ascii").parse().expect("number");
    assert_eq!(head + len, n, "Content-Length does not match the body");
    let body = String::from_utf8_lossy(&out[head..n]);
    assert!(body.contains(rej.code()), "body does not name the code {}", rej.code());
    for (name, value) in rej.extra_headers() {
        assert_eq!(find_header(resp.headers, name), Some(value.as_bytes()), "extra header {name} missing");
    }
    assert!(write_rejection_response(rej, &mut out[..n - 1]).is_err(), "short buffer not reported");
}

/// The comparable part of an accepted request, from either entry point.
type View = (String, Option<String>, String, Option<String>, Option<String>, Option<(String, &'static str)>, String, String, Vec<String>, Vec<(String, Vec<u8>)>);

fn view_fields(a: &AcceptedFields<'_>) -> View {
    (
        a.path.into(), a.query.map(Into::into), a.host.into(), a.origin.map(|o| o.as_str().into()),
        a.subprotocol.map(Into::into), a.token.map(|t| (t.value.into(), t.source.as_str())), a.key.into(),
        a.accept().as_str().into(), a.extensions().map(|e| format!("{}{}", e.name, e.raw_params)).collect(),
        a.headers().map(|(n, v)| (n.into(), v.to_vec())).collect(),
    )
}

fn view_head(cfg: &ServerConfig<'_>, head: &[u8]) -> Result<Status<View>, Rejection> {
    validate_request(cfg, head).map(|s| match s {
        Status::Complete(a) => Status::Complete((
            a.path.into(), a.query.map(Into::into), a.host.into(), a.origin.map(|o| o.as_str().into()),
            a.subprotocol.map(Into::into), a.token.map(|t| (t.value.into(), t.source.as_str())), a.key.into(),
            a.accept.as_str().into(), a.extensions().map(|e| format!("{}{}", e.name, e.raw_params)).collect(),
            a.headers().map(|(n, v)| (n.into(), v.to_vec())).collect(),
        )),
        Status::Partial => Status::Partial,
    })
}

/// `<method> <target> HTTP/1.<minor>`, `<name>: <value>` per field (value trimmed), empty line.
fn written_head(req: &FieldRequest<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(req.method);
    out.push(b' ');
    out.extend_from_slice(req.target);
    out.extend_from_slice(format!(" HTTP/1.{}\r\n", req.minor).as_bytes());
    for (name, value) in req.fields {
        let start = value.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        let end = value.len() - value[start..].iter().rev().take_while(|b| matches!(b, b' ' | b'\t')).count();
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(&value[start..end]);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Head against field list, both ways (see the module docs).
fn check_field_list(cfg: &ServerConfig<'_>, seed: u8, request: &[u8]) {
    let mut storage = [EMPTY_HEADER; 64];
    if let Ok(Status::Complete(head)) = parse_request(&cfg.limits, request, &mut storage) {
        let fields: Vec<(&[u8], &[u8])> = head.headers.iter().map(|h| (h.name.as_bytes(), h.value)).collect();
        let req = FieldRequest { method: head.method.as_bytes(), target: head.target.as_bytes(), minor: head.minor, fields: &fields };
        let got = validate_fields(cfg, &req).map(|a| Status::Complete(view_fields(&a)));
        let want = view_head(cfg, &request[..head.consumed]);
        assert_eq!(got, want, "the parsed field list gets another verdict than the head");
    }
    // The input read loosely as a field list.
    let mut lines = request.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = lines.next().unwrap_or(&[]);
    let mut parts = first.splitn(3, |&b| b == b' ');
    let (method, target) = (parts.next().unwrap_or(&[]), parts.next().unwrap_or(&[]));
    let fields: Vec<(&[u8], &[u8])> = lines
        .take_while(|l| !l.is_empty())
        .map(|l| match l.iter().position(|&b| b == b':') {
            Some(c) => (&l[..c], &l[c + 1..]),
            None => (l, &[][..]),
        })
        .collect();
    let req = FieldRequest { method, target, minor: seed % 3, fields: &fields };
    let got = validate_fields(cfg, &req).map(|a| Status::Complete(view_fields(&a)));
    let unwritable = method.contains(&b'\r') || target.contains(&b'\r') || fields.iter().any(|(n, v)| n.contains(&b'\r') || v.contains(&b'\r'));
    if unwritable {
        assert!(got.is_err(), "a field list with a CR was accepted: {got:?}");
    } else {
        let want = view_head(cfg, &written_head(&req));
        assert_eq!(got, want, "a field list gets another verdict than the head written from it");
    }
}

/// The target body.
pub fn fuzz_handshake_server(data: &[u8]) {
    let [bits, seed, request @ ..] = data else { return };
    with_config(*bits, |cfg| {
        check_field_list(cfg, *seed, request);
        let whole = validate_request(cfg, request);
        for end in chunk_ends(*seed, request.len()) {
            if end == request.len() {
                break;
            }
            let part = validate_request(cfg, &request[..end]);
            if part != Ok(Status::Partial) && part != whole {
                // F2, F3 (fixed in the core): the verdict must not depend on delivery
                panic!("the first {end} bytes get another verdict than the whole request:\nprefix: {part:?}\nwhole:  {whole:?}");
            }
        }
        match whole {
            Ok(Status::Partial) => {}
            Ok(Status::Complete(a)) => {
                assert!(a.consumed <= request.len() && a.consumed > 0);
                assert!(request[..a.consumed].ends_with(b"\n"), "consumed does not end the head");
                let key = base64::engine::general_purpose::STANDARD.decode(a.key);
                assert!(key.is_ok_and(|k| k.len() == 16), "accepted key {:?} is not 16 bytes of base64", a.key);
                let want = reference_accept(a.key.as_bytes());
                assert_eq!(a.accept.as_str(), want, "Sec-WebSocket-Accept differs");
                if let Some(p) = a.subprotocol {
                    assert!(SUBPROTOCOLS.contains(&p) && bits & 8 != 0, "chose {p:?}, not in the server's list");
                    let offered = a
                        .headers()
                        .filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-protocol"))
                        .any(|(_, v)| CommaList::new(v).any(|t| t == p.as_bytes()));
                    assert!(offered, "chose {p:?}, which the client did not offer");
                }
                if bits & 16 != 0 && bits & 8 != 0 {
                    assert!(a.subprotocol.is_some(), "subprotocol required but none chosen");
                }
                if let Some(o) = a.origin {
                    if !o.is_missing() {
                        with_config(*bits, |c2| {
                            let again = c2.origin.check(Some(o.as_str().as_bytes()));
                            assert!(again.is_ok(), "accepted Origin {o:?} fails the policy: {again:?}");
                        });
                    }
                }
                let mut out = vec![0u8; 1024];
                let n = write_accept_response(&a, &mut out).expect("101 fits in 1 KiB");
                let mut hs = [httparse::EMPTY_HEADER; 8];
                let mut resp = httparse::Response::new(&mut hs);
                assert!(matches!(resp.parse(&out[..n]), Ok(httparse::Status::Complete(m)) if m == n), "101 does not parse");
                assert_eq!(resp.code, Some(101));
                assert_eq!(find_header(resp.headers, "sec-websocket-accept"), Some(want.as_bytes()));
                assert_eq!(find_header(resp.headers, "sec-websocket-protocol"), a.subprotocol.map(str::as_bytes));
                assert!(write_accept_response(&a, &mut out[..n - 1]).is_err(), "short buffer not reported");
            }
            Err(rej) => check_rejection(&rej),
        }
    });
}
