//! Server handshake validation of the same request bytes, side by side (`make bench`).
//!
//! The request is Chrome's upgrade request (13 header lines, `wsguard_bench::HANDSHAKE_REQUEST`).
//! Both sides do what their server does between "bytes received" and "answer ready",
//! without I/O:
//!
//! * wsguard: `validate_request(&config, bytes)` — `httparse` into 64 header slots, method,
//!   HTTP/1.1, request-target form, no body, Host present/single/allowlisted, `Upgrade`/`Connection` token lists, version 13,
//!   key (24 chars of base64 decoding to 16 bytes), Origin parsed, normalised and checked
//!   against the policy, accept key (SHA-1 + base64) — then `write_accept_response` into a
//!   stack buffer.
//! * tungstenite 0.30: the steps of its `ServerHandshake` — `Request::try_parse(bytes)`
//!   (httparse into an `http::Request` with a `HeaderMap`), `create_response(&request)`
//!   (method, version, Connection, Upgrade, version 13, key length and base64, accept key),
//!   the Origin and Host checks a tungstenite user writes in the callback (exact string
//!   comparison of both headers — simpler than wsguard's normalising check), then
//!   `write_response` into a reused `Vec`.
//!
//! `handshake/validate/<lib>` stops before the response is written; `handshake/full/<lib>`
//! includes it.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tungstenite::handshake::machine::TryParse;
use tungstenite::handshake::server::{create_response, write_response, Request};
use wsguard_bench::peers::criterion;
use wsguard_bench::{
    with_server_config, ALLOWED_HOST, ALLOWED_ORIGIN, EXPECTED_ACCEPT, HANDSHAKE_REQUEST,
};
use wsguard_core::handshake::{validate_request, write_accept_response};
use wsguard_core::Status;

/// What a tungstenite user's callback checks: Origin and Host, exact match.
fn tungstenite_callback_checks(req: &Request) -> bool {
    let h = req.headers();
    h.get("Origin").is_some_and(|v| v == ALLOWED_ORIGIN)
        && h.get("Host").is_some_and(|v| v == ALLOWED_HOST)
}

fn tungstenite_validate(bytes: &[u8]) -> tungstenite::handshake::server::Response {
    let (_, req) = Request::try_parse(bytes).unwrap().unwrap();
    let resp = create_response(&req).unwrap();
    assert!(tungstenite_callback_checks(&req));
    resp
}

fn handshake(c: &mut Criterion) {
    with_server_config(|cfg| {
        let mut g = c.benchmark_group("handshake/validate");
        g.throughput(Throughput::Elements(1));
        g.bench_function("wsguard", |b| {
            b.iter(
                || match validate_request(cfg, black_box(HANDSHAKE_REQUEST)) {
                    Ok(Status::Complete(a)) => black_box(a.accept),
                    other => panic!("{other:?}"),
                },
            )
        });
        g.bench_function("tungstenite", |b| {
            b.iter(|| black_box(tungstenite_validate(black_box(HANDSHAKE_REQUEST))))
        });
        g.finish();

        let mut g = c.benchmark_group("handshake/full");
        g.throughput(Throughput::Elements(1));
        g.bench_function("wsguard", |b| {
            let mut out = [0u8; 256];
            b.iter(
                || match validate_request(cfg, black_box(HANDSHAKE_REQUEST)) {
                    Ok(Status::Complete(a)) => {
                        black_box(write_accept_response(&a, &mut out).unwrap())
                    }
                    other => panic!("{other:?}"),
                },
            )
        });
        g.bench_function("tungstenite", |b| {
            let mut out = Vec::with_capacity(256);
            b.iter(|| {
                let resp = tungstenite_validate(black_box(HANDSHAKE_REQUEST));
                out.clear();
                write_response(&mut out, &resp).unwrap();
                black_box(out.len())
            })
        });
        g.finish();
    });
}

/// Both sides must produce the same accept value, or the comparison is meaningless.
fn check_same_answer() {
    let resp = tungstenite_validate(HANDSHAKE_REQUEST);
    assert_eq!(
        resp.headers().get("Sec-WebSocket-Accept").unwrap(),
        EXPECTED_ACCEPT
    );
    with_server_config(|cfg| {
        let Ok(Status::Complete(a)) = validate_request(cfg, HANDSHAKE_REQUEST) else {
            panic!()
        };
        assert_eq!(a.accept.as_str(), EXPECTED_ACCEPT);
    });
}

fn benches(c: &mut Criterion) {
    check_same_answer();
    handshake(c);
}

criterion_group! { name = group; config = criterion(); targets = benches }
criterion_main!(group);
