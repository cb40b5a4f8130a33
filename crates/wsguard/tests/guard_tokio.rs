//! The guard with tokio-tungstenite (feature `tokio`): accept_async and the hook.
#![cfg(feature = "tokio")]

use futures_like::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const APP: &str = "https://app.example.com";

fn guard(token: bool) -> wsguard::Guard {
    let mut cfg = wsguard::GuardConfig::default();
    cfg.origin.allowed = vec![APP.into()];
    cfg.token.required = token;
    wsguard::Guard::new(cfg).unwrap()
}

/// Minimal helpers instead of pulling in the futures crate.
mod futures_like {
    use std::future::poll_fn;
    use std::pin::Pin;
    use tokio_tungstenite::tungstenite::{Error, Message};
    use tokio_tungstenite::WebSocketStream;

    pub async fn send<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        ws: &mut WebSocketStream<S>,
        m: Message,
    ) -> Result<(), Error> {
        use futures_sink::Sink;
        poll_fn(|cx| Pin::new(&mut *ws).poll_ready(cx)).await?;
        Pin::new(&mut *ws).start_send(m)?;
        poll_fn(|cx| Pin::new(&mut *ws).poll_flush(cx)).await
    }

    pub async fn next<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        ws: &mut WebSocketStream<S>,
    ) -> Option<Result<Message, Error>> {
        use futures_core::Stream;
        poll_fn(|cx| Pin::new(&mut *ws).poll_next(cx)).await
    }
}

async fn serve_one(
    guard: wsguard::Guard,
    hook: bool,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = if hook {
            tokio_tungstenite::accept_hdr_async(tcp, guard.callback())
                .await
                .ok()
        } else {
            wsguard::tokio::accept_async(&guard, tcp)
                .await
                .ok()
                .map(|(ws, _)| ws)
        };
        if let Some(mut ws) = ws {
            for _ in 0..100 {
                match next(&mut ws).await {
                    Some(Ok(m @ Message::Text(_))) => send(&mut ws, m).await.unwrap(),
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
        }
    });
    (addr, h)
}

async fn raw(addr: std::net::SocketAddr, req: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn request(extra: &str) -> String {
    format!(
        "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    )
}

#[tokio::test]
async fn allowed_origin_echoes_in_both_modes() {
    for hook in [false, true] {
        let g = guard(false);
        let counters = g.counters().clone();
        let (addr, h) = serve_one(g, hook).await;
        let mut req = format!("ws://{addr}/chat").into_client_request().unwrap();
        req.headers_mut().insert("Origin", APP.parse().unwrap());
        let tcp = TcpStream::connect(addr).await.unwrap();
        let (mut ws, resp) = tokio_tungstenite::client_async(req, tcp).await.unwrap();
        assert_eq!(resp.status().as_u16(), 101);
        send(&mut ws, Message::text("tokio")).await.unwrap();
        assert_eq!(
            next(&mut ws).await.unwrap().unwrap(),
            Message::text("tokio")
        );
        ws.close(None).await.unwrap();
        h.await.unwrap();
        assert_eq!(counters.snapshot().accepted, 1);
    }
}

#[tokio::test]
async fn refused_origin_gets_exact_core_answer() {
    let g = guard(false);
    let counters = g.counters().clone();
    let (addr, h) = serve_one(g, false).await;
    let got = raw(addr, &request("Origin: https://evil.example\r\n")).await;
    h.await.unwrap();
    let expected = g_response(wsguard_core::handshake::Rejection::Origin(
        wsguard_core::origin::OriginDenial::Host,
    ));
    assert_eq!(got, expected);
    assert_eq!(counters.snapshot().refused["origin_host"], 1);
}

#[tokio::test]
async fn missing_token_401_through_the_hook() {
    let (addr, h) = serve_one(guard(true), true).await;
    let got = raw(addr, &request(&format!("Origin: {APP}\r\n"))).await;
    h.await.unwrap();
    assert!(got.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{got}");
    assert!(
        got.to_ascii_lowercase()
            .contains("www-authenticate: bearer\r\n"),
        "{got}"
    );
    assert!(got.contains("\r\n\r\ntoken_missing: "), "{got}");
}

fn g_response(r: wsguard_core::handshake::Rejection) -> String {
    let mut buf = [0u8; 2048];
    let n = wsguard_core::handshake::write_rejection_response(&r, &mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// A server task running `accept_limited` once, with `limits`.
async fn serve_limited(
    g: wsguard::Guard,
    limits: wsguard_core::limits::PeerLimits,
) -> (
    std::net::SocketAddr,
    tokio::task::JoinHandle<Result<(), wsguard::guard::AcceptError>>,
) {
    use std::sync::Arc;
    use wsguard::limits::{net, Admission};
    let adm = Arc::new(Admission::new(limits, g.counters().clone()));
    let listener = net::listen("127.0.0.1:0".parse().unwrap(), net::DEFAULT_BACKLOG).unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let (tcp, peer) = listener.accept().await.unwrap();
        net::accept_limited(&g, &adm, tcp, peer).await.map(|_| ())
    });
    (addr, h)
}

/// A slow head (slowloris) at the tokio guard's handshake deadline: the core's exact
/// 408 `handshake_timeout`, counted — through `accept_async_within` and `accept_limited`.
#[tokio::test]
async fn incomplete_head_at_the_deadline_gets_the_core_408() {
    let expected = g_response(wsguard_core::handshake::Rejection::HandshakeTimeout);
    assert!(
        expected.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{expected}"
    );
    assert!(
        expected.contains("\r\n\r\nhandshake_timeout: "),
        "{expected}"
    );
    // accept_async_within
    let g = guard(false);
    let counters = g.counters().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let r = wsguard::tokio::accept_async_within(&g, tcp, std::time::Duration::from_millis(200));
        match r.await {
            Err(wsguard::guard::AcceptError::Refused(refusal)) => (refusal.status, refusal.code),
            other => panic!("{:?}", other.map(|_| ())),
        }
    });
    let got = raw(addr, "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
    assert_eq!(got, expected);
    assert_eq!(h.await.unwrap(), (408, "handshake_timeout"));
    assert_eq!(counters.snapshot().refused["handshake_timeout"], 1);
    // accept_limited takes the deadline from the peer limits
    let g = guard(false);
    let counters = g.counters().clone();
    let limits = wsguard_core::limits::PeerLimits::DEFAULT.handshake_timeout_ms(200);
    let (addr, h) = serve_limited(g, limits).await;
    let got = raw(addr, "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
    assert_eq!(got, expected);
    assert!(matches!(
        h.await.unwrap(),
        Err(wsguard::guard::AcceptError::Refused(_))
    ));
    assert_eq!(counters.snapshot().refused["handshake_timeout"], 1);
}

/// A client that says nothing gets no answer at the deadline, only the close.
#[tokio::test]
async fn silent_client_at_the_deadline_gets_only_the_close() {
    let g = guard(false);
    let counters = g.counters().clone();
    let limits = wsguard_core::limits::PeerLimits::DEFAULT.handshake_timeout_ms(200);
    let (addr, h) = serve_limited(g, limits).await;
    let got = raw(addr, "").await;
    assert_eq!(got, "");
    assert!(matches!(
        h.await.unwrap(),
        Err(wsguard::guard::AcceptError::Incomplete)
    ));
    assert!(counters.snapshot().refused.is_empty());
}

/// Over `max_connections` (0 here: the first one is over): the core's exact 503 with
/// `Retry-After`, not a TCP close.
#[tokio::test]
async fn over_the_connection_limit_gets_the_core_503() {
    use wsguard_core::limits::{Overload, PeerLimits};
    let g = guard(false);
    let counters = g.counters().clone();
    let limits = PeerLimits::DEFAULT.max_connections(0).retry_after_s(11);
    let (addr, h) = serve_limited(g, limits).await;
    let got = raw(addr, &request(&format!("Origin: {APP}\r\n"))).await;
    let mut buf = [0u8; wsguard_core::limits::MAX_RESPONSE];
    let n = Overload::Connections.write_response(11, &mut buf).unwrap();
    assert_eq!(got, String::from_utf8_lossy(&buf[..n]));
    assert!(got.starts_with("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 11\r\n"));
    assert!(matches!(
        h.await.unwrap(),
        Err(wsguard::guard::AcceptError::Refused(_))
    ));
    assert_eq!(counters.snapshot().refused["too_many_connections"], 1);
}

fn masked(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let key = [0x11u8, 0x22, 0x33, 0x44];
    let mut out = vec![(if fin { 0x80 } else { 0 }) | opcode];
    let n = payload.len();
    if n < 126 {
        out.push(0x80 | n as u8);
    } else {
        assert!(n < 65536);
        out.push(0x80 | 126);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    }
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}

/// A raw client past the 101 (the head read up to its empty line).
async fn upgraded(addr: std::net::SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request(&format!("Origin: {APP}\r\n")).as_bytes())
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut b).await.unwrap(),
            1,
            "closed during the handshake"
        );
        head.push(b[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101 "), "{head:?}");
    s
}

/// Waits (bounded) until `f` holds.
async fn until(mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if f() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

/// The shared budget for partly received messages (issue 18) in the tokio guard: two
/// connections each holding 60,000 bytes of an unfinished message against a 100,000-byte
/// budget: the second is dropped with the core's `message_budget_exhausted` (counted),
/// the first keeps its place and completes its message, and the budget is given back.
/// The dropped one gets the core's Close 1013 `message_budget_exhausted`.
#[tokio::test]
async fn unfinished_messages_share_one_budget() {
    use std::sync::Arc;
    use wsguard::limits::{net, Admission};
    let g = guard(false);
    let limits = wsguard_core::limits::PeerLimits::DEFAULT.message_budget(100_000);
    let adm = Arc::new(Admission::new(limits, g.counters().clone()));
    let listener = net::listen("127.0.0.1:0".parse().unwrap(), net::DEFAULT_BACKLOG).unwrap();
    let addr = listener.local_addr().unwrap();
    let events = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let tx = events.clone();
    let server_adm = adm.clone();
    tokio::spawn(async move {
        for _ in 0..2 {
            let (tcp, peer) = listener.accept().await.unwrap();
            let (g, adm, tx) = (g.clone(), server_adm.clone(), tx.clone());
            tokio::spawn(async move {
                let (mut ws, _, _permit) = net::accept_limited(&g, &adm, tcp, peer).await.unwrap();
                loop {
                    match next(&mut ws).await {
                        Some(Ok(Message::Binary(data))) => {
                            tx.lock().unwrap().push(format!("message {}", data.len()));
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            tx.lock().unwrap().push(format!("error {e}"));
                            break;
                        }
                        None => break,
                    }
                }
            });
        }
    });
    let mut a = upgraded(addr).await;
    a.write_all(&masked(false, 2, &[7; 60_000])).await.unwrap();
    assert!(
        until(|| adm.buffered() == 60_000).await,
        "{}",
        adm.buffered()
    );
    let mut b = upgraded(addr).await;
    b.write_all(&masked(false, 2, &[8; 60_000])).await.unwrap();
    assert!(until(|| events.lock().unwrap().len() == 1).await);
    let got = events.lock().unwrap()[0].clone();
    assert!(
        got.starts_with("error IO error: message_budget_exhausted: "),
        "{got}"
    );
    // The core's Close 1013 with the code as its reason, then the close.
    let mut rest = Vec::new();
    let _ = b.read_to_end(&mut rest).await;
    let (o, mut close) = (wsguard_core::limits::Overload::MessageBudget, [0u8; 64]);
    let n = wsguard_core::frame::encoder::write_close(
        &mut close,
        Some(o.close_code()),
        wsguard_core::Diagnostic::code(&o),
        None,
    )
    .unwrap();
    assert_eq!(rest, &close[..n]);
    assert_eq!(&close[..4], b"\x88\x1a\x03\xf5");
    assert_eq!(g_refused(&adm, "message_budget_exhausted"), 1);
    assert_eq!(adm.buffered(), 60_000);
    a.write_all(&masked(true, 0, b"0123456789")).await.unwrap();
    assert!(until(|| events.lock().unwrap().len() == 2).await);
    assert_eq!(events.lock().unwrap()[1], "message 60010");
    assert_eq!(adm.buffered(), 0);
    assert_eq!(adm.buffered_peak(), 60_000);
}

fn g_refused(adm: &wsguard::limits::Admission, code: &str) -> u64 {
    adm.counters()
        .snapshot()
        .refused
        .get(code)
        .copied()
        .unwrap_or(0)
}
