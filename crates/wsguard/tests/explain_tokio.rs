//! The explain exchange on a tokio listener (`wsguard::tokio::accept_or_explain`): one
//! listener answers the upgrade and the page's plain-HTTP "why?" with the core's bytes.
#![cfg(feature = "tokio")]

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsguard::tokio::{accept_or_explain, Served};
use wsguard_core::explain::Mode;

const ALLOWED: &str = "http://127.0.0.1:3000";

/// Serves `n` connections with `mode`; each outcome is sent back ("ws", "explained", or
/// the refusal code).
async fn serve(
    n: usize,
    mode: Mode,
    token: bool,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<Vec<String>>) {
    let mut cfg = wsguard::GuardConfig::default();
    cfg.origin.allowed = vec![ALLOWED.into()];
    cfg.token.required = token;
    let guard = wsguard::Guard::new(cfg).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..n {
            let (tcp, _) = listener.accept().await.unwrap();
            seen.push(match accept_or_explain(&guard, tcp, mode).await {
                Ok(Served::WebSocket(..)) => "ws".to_string(),
                Ok(Served::Explained) => "explained".to_string(),
                Err(e) => e
                    .refusal()
                    .map_or("error".to_string(), |r| r.code.to_string()),
            });
        }
        assert_eq!(
            guard.counters().snapshot().refused_total,
            seen.iter().filter(|s| s.contains('_')).count() as u64
        );
        seen
    });
    (addr, h)
}

async fn ask(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        s.read_to_string(&mut out),
    )
    .await
    .unwrap()
    .unwrap();
    out
}

fn explain_get(query: &str, origin: Option<&str>, host: &str) -> String {
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    format!(
        "GET /ws?wsguard-explain=1&{query} HTTP/1.1\r\nHost: {host}\r\n{origin}Accept: */*\r\n\r\n"
    )
}

/// An explain request from the refused page (origin 127.0.0.2:3000), token placement none.
async fn ask_refused(addr: std::net::SocketAddr) -> String {
    let req = explain_get(
        "token=none",
        Some("http://127.0.0.2:3000"),
        &addr.to_string(),
    );
    ask(addr, &req).await
}

fn body_of(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").unwrap().1
}

#[tokio::test]
async fn explain_then_upgrade_on_one_listener() {
    let (addr, h) = serve(4, Mode::Public, true).await;
    let host = addr.to_string();
    let refused = ask(
        addr,
        &explain_get("token=query:token", Some("http://127.0.0.2:3000"), &host),
    )
    .await;
    assert!(refused.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\n"), "{refused}");
    assert_eq!(
        body_of(&refused),
        r#"{"wsguard":1,"ok":false,"code":"origin_host","status":403,"reason":"the Origin's host is not in the allowed origins"}"#
    );
    let missing = ask(addr, &explain_get("token=none", Some(ALLOWED), &host)).await;
    assert!(
        body_of(&missing).starts_with(
            r#"{"wsguard":1,"ok":false,"code":"token_missing","status":401,"reason":""#
        ),
        "{missing}"
    );
    // Same-origin page: no Origin header, the page's origin in the query.
    let same = ask(
        addr,
        &explain_get(
            "token=query:token&origin=http%3A%2F%2F127.0.0.1%3A3000",
            None,
            &host,
        ),
    )
    .await;
    assert!(
        body_of(&same)
            .starts_with(r#"{"wsguard":1,"ok":true,"code":"explain_accepted","status":101,"#),
        "{same}"
    );
    // A real upgrade on the same listener still gets tokio-tungstenite.
    let url = format!("ws://{addr}/ws?token=abc");
    let mut req =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .unwrap();
    req.headers_mut().insert("Origin", ALLOWED.parse().unwrap());
    let (ws, resp) = tokio_tungstenite::client_async(req, TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 101);
    drop(ws);
    assert_eq!(
        h.await.unwrap(),
        ["explained", "explained", "explained", "ws"]
    );
}

#[tokio::test]
async fn full_mode_adds_the_remedy_and_off_refuses_like_a_plain_get() {
    let (addr, h) = serve(2, Mode::Full, false).await;
    let full = ask_refused(addr).await;
    assert_eq!(
        body_of(&full),
        r#"{"wsguard":1,"ok":false,"code":"origin_host","status":403,"reason":"the Origin's host is not in the allowed origins","remedy":"add the page's exact origin (as shown by `location.origin` in the browser console) to the allowed origins"}"#
    );
    assert!(
        !full.contains(ALLOWED),
        "the allowlist must never be revealed"
    );
    let plain = ask(addr, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(plain.starts_with("HTTP/1.1 426 "), "{plain}");
    assert_eq!(h.await.unwrap()[0], "explained");

    let (addr, h) = serve(1, Mode::Off, false).await;
    let off = ask_refused(addr).await;
    assert!(
        off.starts_with("HTTP/1.1 426 ") && !off.contains("\"wsguard\""),
        "{off}"
    );
    assert_eq!(h.await.unwrap().len(), 1);
}
