//! Opening-handshake errors of `wsguard serve`: every malformed or refused upgrade gets
//! its HTTP status (426 with `Sec-WebSocket-Version: 13`, 400, 401, 403, 404, 405, 431)
//! and a `code: reason` / `fix: remedy` body, then the TCP close — never a silent drop.

mod common;
use common::*;

const TEXT: u8 = 0x1;

/// The echo server used by every test: path /ws, Origin optional, no heartbeat pings (so
/// the byte stream we read is exactly the answer to what we sent), 1 MiB message limit.
fn server() -> Server {
    Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--allow-missing-origin",
        "--ping-interval",
        "0",
        "--max-message",
        "1048576",
        "--quiet",
    ])
}

// ---------------------------------------------------------------------------------------
// Opening handshake errors: an HTTP status every time, then the TCP close.

fn req(srv: &Server, text: &str) -> HttpResponse {
    http_exchange(
        srv.addr,
        text.replace("{addr}", &srv.addr.to_string()).as_bytes(),
    )
}

const GOOD_HEADERS: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

#[test]
fn handshake_wrong_version_is_426_with_supported_version() {
    let srv = server();
    let r = req(&srv, "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
    assert_eq!(r.status, 426, "{}", r.head);
    assert_eq!(r.header("Sec-WebSocket-Version").as_deref(), Some("13"));
}

#[test]
fn handshake_missing_key_is_400() {
    let srv = server();
    let r = req(&srv, "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assert_eq!(r.status, 400, "{}", r.head);
}

#[test]
fn handshake_short_key_is_400() {
    let srv = server();
    let r = req(&srv, "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assert_eq!(r.status, 400, "{}", r.head);
}

#[test]
fn handshake_missing_host_is_400() {
    let srv = server();
    let r = req(&srv, &format!("GET /ws HTTP/1.1\r\n{GOOD_HEADERS}\r\n"));
    assert_eq!(r.status, 400, "{}", r.head);
}

#[test]
fn handshake_http10_is_refused() {
    let srv = server();
    let r = req(
        &srv,
        &format!("GET /ws HTTP/1.0\r\nHost: {{addr}}\r\n{GOOD_HEADERS}\r\n"),
    );
    assert!(r.status == 400 || r.status == 505, "{}", r.head);
}

#[test]
fn handshake_post_is_refused() {
    let srv = server();
    let r = req(
        &srv,
        &format!("POST /ws HTTP/1.1\r\nHost: {{addr}}\r\nContent-Length: 0\r\n{GOOD_HEADERS}\r\n"),
    );
    assert!(r.status == 405 || r.status == 400, "{}", r.head);
}

#[test]
fn handshake_without_upgrade_is_426() {
    // A plain GET on the WebSocket path: say that an upgrade is required.
    let srv = server();
    let r = req(&srv, "GET /ws HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    assert_eq!(r.status, 426, "{}", r.head);
}

#[test]
fn handshake_proxy_stripped_upgrade_headers() {
    // What a proxy without `proxy_set_header Upgrade` forwards: the key but no Upgrade.
    let srv = server();
    let r = req(&srv, "GET /ws HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assert!(r.status == 400 || r.status == 426, "{}", r.head);
}

#[test]
fn handshake_origin_refused_is_403() {
    let srv = server();
    let r = req(&srv, &format!("GET /ws HTTP/1.1\r\nHost: {{addr}}\r\nOrigin: https://evil.example\r\n{GOOD_HEADERS}\r\n"));
    assert_eq!(r.status, 403, "{}", r.head);
}

#[test]
fn handshake_origin_allowed_is_101() {
    let srv = server();
    let mut c = Raw::open_with(srv.addr, "/ws", "Origin: https://app.example.com\r\n", &[]);
    c.echo(TEXT, b"welcome");
}

#[test]
fn handshake_unknown_path_is_404() {
    let srv = server();
    let r = req(
        &srv,
        &format!("GET /nope HTTP/1.1\r\nHost: {{addr}}\r\n{GOOD_HEADERS}\r\n"),
    );
    assert_eq!(r.status, 404, "{}", r.head);
}

#[test]
fn handshake_garbage_is_400() {
    let srv = server();
    let mut hello = vec![
        0x16u8, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    hello.extend_from_slice(b" this is a TLS hello\r\n\r\n");
    let r = http_exchange(srv.addr, &hello);
    assert_eq!(r.status, 400, "{}", r.head);
}

#[test]
fn handshake_oversized_head_is_431() {
    let srv = server();
    let big = "X-Filler: ".to_string() + &"a".repeat(20_000) + "\r\n";
    let r = req(
        &srv,
        &format!("GET /ws HTTP/1.1\r\nHost: {{addr}}\r\n{big}{GOOD_HEADERS}\r\n"),
    );
    assert_eq!(r.status, 431, "{}", r.head);
}

#[test]
fn handshake_token_required_is_401() {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow-missing-origin",
        "--token",
        "s3cret",
        "--ping-interval",
        "0",
        "--quiet",
    ]);
    let r = http_exchange(srv.addr, upgrade_request(srv.addr, "/ws", "").as_bytes());
    assert_eq!(r.status, 401, "{}", r.head);
    assert!(
        r.body_str().starts_with("token_missing: "),
        "{}",
        r.body_str()
    );
    // A wrong token: the core's token_invalid, with RFC 6750's error attribute.
    let wrong = upgrade_request(srv.addr, "/ws", "Authorization: Bearer guess\r\n");
    let r = http_exchange(srv.addr, wrong.as_bytes());
    assert_eq!(r.status, 401, "{}", r.head);
    assert!(
        r.head
            .contains("\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n"),
        "{}",
        r.head
    );
    assert_eq!(
        r.body_str().lines().next(),
        Some("token_invalid: the server did not accept the bearer token the client sent (unknown, expired or revoked, or not the token this server expects)")
    );
    let mut c = Raw::open_with(srv.addr, "/ws", "Authorization: Bearer s3cret\r\n", &[]);
    c.echo(TEXT, b"authorised");
}

#[test]
fn handshake_rejection_explains_itself() {
    // The body of a refusal names the machine code and the remedy, for people and probes.
    let srv = server();
    let r = req(&srv, &format!("GET /ws HTTP/1.1\r\nHost: {{addr}}\r\nOrigin: https://evil.example\r\n{GOOD_HEADERS}\r\n"));
    assert_eq!(r.status, 403);
    let body = r.body_str();
    assert!(body.starts_with("origin_host: "), "{body}");
    assert!(body.contains("\nfix: "), "{body}");
}
