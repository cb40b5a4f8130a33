//! Target `handshake_client`: client-side validation of the server's answer, whole and
//! chunked, plus the request writer checked by the server-side validator.
//!
//! Input: `[config byte][chunk seed][16-byte nonce][response bytes…]`.
//! Config bits: 0 offer subprotocols `chat`, `superchat`; 1 offer
//! `permessage-deflate; client_max_window_bits`; 2 send `Origin: https://app.example.com`;
//! 3 send a token (`Authorization: Bearer`, or with bit 5 the `bearer` subprotocol pair);
//! 4 small limits (8 headers, 256-byte lines, 1 KiB head).
//!
//! Checked:
//! * the request `write_request` produces is accepted by `validate_request` (a permissive
//!   server), with the accept value the client expects;
//! * whole against chunked: at every chunk boundary the growing prefix is `Partial` or
//!   gets the whole answer's verdict;
//! * an established connection: `Sec-WebSocket-Accept` equals SHA-1/base64 of the key
//!   computed here; the subprotocol was offered; `consumed` ends the head;
//! * a failure: complete `Diagnostic`; `Rejected` carries the status httparse reads.
//!
//! Deliberate difference D7 (FUZZING.md): for a non-101 answer the core reads
//! the body only once `Content-Length` says all of it is there. A prefix that holds the
//! whole head but not the whole body is therefore diagnosed from the head alone: same
//! status and header-derived fields (`location`, `server`, `retry_after`,
//! `wanted_version`), but `kind`, `server_reason` and `server_code` may be less precise
//! than with the whole body.

use crate::handshake_server::reference_accept;
use crate::util::{check_diagnostic, chunk_ends};
use wsguard_core::handshake::{
    validate_request, validate_response, write_request, ClientFailure, ClientRequest, Limits,
    ServerConfig, SubprotocolToken, TokenPlacement,
};
use wsguard_core::origin::{OriginPolicy, Pattern};
use wsguard_core::Status;

const OFFERED: [&str; 2] = ["chat", "superchat"];

fn content_complete(response: &[u8], end: usize) -> bool {
    let mut hs = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut hs);
    let Ok(httparse::Status::Complete(head)) = r.parse(&response[..end]) else { return true };
    let len = r
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok());
    match len {
        Some(n) => end >= head.saturating_add(n),
        None => true,
    }
}

/// The target body.
pub fn fuzz_handshake_client(data: &[u8]) {
    if data.len() < 18 {
        return;
    }
    let (bits, seed) = (data[0], data[1]);
    let nonce: [u8; 16] = data[2..18].try_into().expect("16 bytes");
    let response = &data[18..];

    let mut req = ClientRequest::new("app.example.com", "/chat?room=1", nonce);
    if bits & 1 != 0 {
        req = req.subprotocols(&OFFERED);
    }
    if bits & 2 != 0 {
        req = req.extensions("permessage-deflate; client_max_window_bits");
    }
    if bits & 4 != 0 {
        req = req.origin("https://app.example.com");
    }
    if bits & 8 != 0 {
        let placement = if bits & 32 != 0 {
            TokenPlacement::Subprotocol(SubprotocolToken::Pair("bearer"))
        } else {
            TokenPlacement::Authorization
        };
        req = req.token("eyJhbGciOi.fuzz", placement);
    }
    if bits & 16 != 0 {
        req = req.limits(Limits::DEFAULT.max_headers(8).max_line(256).max_total(1024));
    }

    // the request we write is one a server accepts
    let mut out = vec![0u8; 1024];
    let n = write_request(&req, &mut out).expect("the request fits in 1 KiB");
    let any = [Pattern::ANY];
    let server = ServerConfig::new(OriginPolicy::new(&any).allow_missing(true)).subprotocols(&OFFERED);
    match validate_request(&server, &out[..n]) {
        Ok(Status::Complete(a)) => {
            assert_eq!(a.consumed, n);
            assert_eq!(a.accept, req.key.accept(), "server and client compute different accept values");
            assert_eq!(a.key, req.key.as_str());
        }
        other => panic!("our own request is refused: {other:?}\n{}", String::from_utf8_lossy(&out[..n])),
    }
    assert!(write_request(&req, &mut out[..n - 1]).is_err(), "short buffer not reported");

    let whole = validate_response(&req, response);
    for end in chunk_ends(seed, response.len()) {
        if end == response.len() {
            break;
        }
        let part = validate_response(&req, &response[..end]);
        if part == Ok(Status::Partial) || part == whole {
            continue;
        }
        match (part, whole) {
            (Err(ClientFailure::Rejected(p)), Err(ClientFailure::Rejected(w))) if !content_complete(response, end) => {
                assert_eq!(
                    (p.status, p.location, p.server, p.retry_after, p.wanted_version),
                    (w.status, w.location, w.server, w.retry_after, w.wanted_version),
                    "the first {end} bytes get another diagnosis than the whole answer"
                );
            }
            // F2 (fixed in the core): the verdict must not depend on delivery
            (part, whole) => panic!("the first {end} bytes: {part:?}\nthe whole answer: {whole:?}"),
        }
    }
    match whole {
        Ok(Status::Partial) => {}
        Ok(Status::Complete(est)) => {
            assert!(est.consumed > 0 && est.consumed <= response.len());
            let mut hs = [httparse::EMPTY_HEADER; 64];
            let mut r = httparse::Response::new(&mut hs);
            match r.parse(response) {
                Ok(httparse::Status::Complete(m)) => assert_eq!(m, est.consumed, "consumed does not end the head"),
                other => panic!("accepted an answer httparse reads as {other:?}"),
            }
            assert_eq!(r.code, Some(101));
            let accept: Vec<&[u8]> =
                r.headers.iter().filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept")).map(|h| h.value).collect();
            let want = reference_accept(req.key.as_str().as_bytes());
            assert!(
                accept.len() == 1 && accept[0].trim_ascii() == want.as_bytes(),
                "accepted Sec-WebSocket-Accept {accept:?}, want {want}"
            );
            if let Some(p) = est.subprotocol {
                assert!(
                    (bits & 1 != 0 && OFFERED.contains(&p)) || (bits & 40 == 40 && p == "bearer"),
                    "accepted subprotocol {p:?} that was not offered"
                );
            }
            for e in est.extensions() {
                assert!(bits & 2 != 0 && e.name.eq_ignore_ascii_case("permessage-deflate"), "extension {} not offered", e.name);
            }
        }
        Err(f) => {
            check_diagnostic(&f);
            if let ClientFailure::Rejected(d) = f {
                let mut hs = [httparse::EMPTY_HEADER; 64];
                let mut r = httparse::Response::new(&mut hs);
                let _ = r.parse(response);
                assert_eq!(r.code, Some(d.status), "diagnosed status differs from the status line");
                assert_ne!(d.status, 101);
                assert_eq!(f.status(), Some(d.status));
            }
        }
    }
}
