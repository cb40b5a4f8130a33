//! Timing of the hot paths without any benchmark dependency: origin parse, policy check
//! (exact, wildcard, refused, malformed) and server handshake validation.
//!
//! Ignored by default (timings are meaningless in debug builds and on a loaded machine):
//!
//! ```text
//! cargo test -p wsguard-core --release --test perf_origin_handshake -- --ignored --nocapture
//! ```
//!
//! `WSGUARD_PERF_ITERS=<n>` sets the iterations per case (default 2,000,000); a small
//! value makes the binary usable under `valgrind --tool=callgrind` for instruction counts
//! (`WSGUARD_PERF_CASE=<substring>` keeps one case).

use std::hint::black_box;
use std::time::Instant;
use wsguard_core::handshake::{validate_request, ServerConfig};
use wsguard_core::origin::{HostPolicy, Origin, OriginPolicy, Pattern};
use wsguard_core::Status;

const REQUEST: &[u8] = b"GET /chat?room=lobby HTTP/1.1\r\n\
Host: chat.example.com\r\n\
Connection: Upgrade\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n\
Upgrade: websocket\r\n\
Origin: https://app.example.com\r\n\
Sec-WebSocket-Version: 13\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
\r\n";

fn iters() -> u32 {
    std::env::var("WSGUARD_PERF_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000)
}

/// Best of 5 runs, in ns per call. `WSGUARD_PERF_CASE=<substring>` runs only the
/// matching cases (one case per process gives clean callgrind totals).
fn time(name: &str, mut f: impl FnMut()) -> f64 {
    if let Ok(only) = std::env::var("WSGUARD_PERF_CASE") {
        if !name.contains(only.as_str()) {
            return 0.0;
        }
    }
    let n = iters();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let ns = t.elapsed().as_nanos() as f64 / f64::from(n);
        best = best.min(ns);
    }
    println!("{name:<40} {best:8.1} ns");
    best
}

#[test]
#[ignore = "timing; run with --release -- --ignored --nocapture"]
fn perf_origin_and_handshake() {
    let patterns = [
        Pattern::parse("https://app.example.com").unwrap(),
        Pattern::parse("https://admin.example.org").unwrap(),
        Pattern::parse("https://example.net").unwrap(),
        Pattern::parse("https://*.example.net").unwrap(),
    ];
    let policy = OriginPolicy::new(&patterns);
    let cases: [(&str, &[u8], bool); 5] = [
        (
            "parse https://app.example.com",
            b"https://app.example.com",
            true,
        ),
        ("check exact allowed", b"https://app.example.com", true),
        ("check wildcard allowed", b"https://chat.example.net", true),
        ("check refused (host)", b"https://attacker.test", false),
        (
            "check malformed (trailing slash)",
            b"https://app.example.com/",
            false,
        ),
    ];
    time(cases[0].0, || {
        black_box(Origin::parse(black_box(cases[0].1)).is_ok());
    });
    for (name, value, ok) in &cases[1..] {
        assert_eq!(policy.check(Some(value)).is_ok(), *ok, "{name}");
        time(name, || {
            black_box(policy.check(black_box(Some(value))).is_ok());
        });
    }
    time("check refused (look-alike suffix)", || {
        black_box(
            policy
                .check(black_box(Some(b"https://evil-example.net")))
                .is_ok(),
        );
    });

    let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    let hosts = ["chat.example.com"];
    let cfg = ServerConfig::new(OriginPolicy::new(&allowed)).hosts(HostPolicy::new(&hosts));
    assert!(matches!(
        validate_request(&cfg, REQUEST),
        Ok(Status::Complete(_))
    ));
    time("validate_request (13 headers)", || {
        black_box(validate_request(&cfg, black_box(REQUEST)).is_ok());
    });
}
