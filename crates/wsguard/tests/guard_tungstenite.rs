//! The guard in front of a real tungstenite server, with real tungstenite clients.

mod common;
use common::*;
use std::net::TcpStream;
use tungstenite::client::IntoClientRequest;
use tungstenite::Message;
use wsguard_core::handshake::{write_rejection_response, Rejection};
use wsguard_core::origin::OriginDenial;

const APP: &str = "https://app.example.com";

fn client(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> tungstenite::Result<tungstenite::WebSocket<TcpStream>> {
    let mut req = format!("ws://{addr}{path}").into_client_request().unwrap();
    for (k, v) in headers {
        req.headers_mut().append(
            tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    tungstenite::client(req, s)
        .map(|(ws, _)| ws)
        .map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => panic!("interrupted"),
        })
}

fn core_response(r: Rejection) -> Vec<u8> {
    let mut buf = [0u8; 2048];
    let n = write_rejection_response(&r, &mut buf).unwrap();
    buf[..n].to_vec()
}

fn body_of(resp: &[u8]) -> &[u8] {
    let i = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &resp[i + 4..]
}

#[test]
fn allowed_origin_gets_101_and_echo_in_both_modes() {
    for mode in [Mode::Accept, Mode::Callback] {
        let g = guard(&[APP], false);
        let counters = g.counters().clone();
        let (addr, h) = serve(g, mode, 1);
        let mut ws = client(addr, "/chat", &[("Origin", APP)]).unwrap();
        ws.send(Message::text("ping me")).unwrap();
        assert_eq!(ws.read().unwrap(), Message::text("ping me"), "{mode:?}");
        ws.close(None).unwrap();
        let _ = ws.read();
        h.join().unwrap();
        assert_eq!(counters.snapshot().accepted, 1, "{mode:?}");
    }
}

#[test]
fn refused_origin_gets_the_core_response_byte_for_byte() {
    let g = guard(&[APP], false);
    let counters = g.counters().clone();
    let (addr, h) = serve(g, Mode::Accept, 1);
    let got = raw_exchange(
        addr,
        upgrade_request("Origin: https://evil.example\r\n").as_bytes(),
    );
    h.join().unwrap();
    assert!(
        got.starts_with(b"HTTP/1.1 403 Forbidden\r\n"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    // Same bytes as the core's writer for the core's verdict.
    let expected = core_response(Rejection::Origin(OriginDenial::Host));
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected)
    );
    let body = String::from_utf8_lossy(body_of(&got)).into_owned();
    assert!(body.starts_with("origin_host: "), "{body}");
    let s = counters.snapshot();
    assert_eq!((s.accepted, s.refused_total), (0, 1));
    assert_eq!(s.refused["origin_host"], 1);
}

#[test]
fn refused_origin_through_the_tungstenite_hook_keeps_status_headers_and_body() {
    let g = guard(&[APP], false);
    let (addr, h) = serve(g, Mode::Callback, 2);
    // A tungstenite client sees the status.
    match client(addr, "/chat", &[("Origin", "https://evil.example")]) {
        Err(tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 403);
            assert!(resp.headers().contains_key("content-length"));
        }
        other => panic!("expected HTTP 403, got {other:?}"),
    }
    // The raw answer: core status and body; tungstenite writes header names in lower case.
    let got = raw_exchange(
        addr,
        upgrade_request("Origin: https://evil.example\r\n").as_bytes(),
    );
    h.join().unwrap();
    let expected = core_response(Rejection::Origin(OriginDenial::Host));
    assert!(got.starts_with(b"HTTP/1.1 403 Forbidden\r\n"));
    assert_eq!(body_of(&got), body_of(&expected));
    let lower = String::from_utf8_lossy(&got).to_ascii_lowercase();
    assert!(
        lower.contains("content-type: text/plain; charset=utf-8\r\n"),
        "{lower}"
    );
}

#[test]
fn missing_token_gets_401_with_www_authenticate() {
    let g = guard(&[APP], true);
    let counters = g.counters().clone();
    let (addr, h) = serve(g, Mode::Accept, 2);
    let got = raw_exchange(
        addr,
        upgrade_request(&format!("Origin: {APP}\r\n")).as_bytes(),
    );
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&core_response(Rejection::TokenMissing))
    );
    assert!(String::from_utf8_lossy(&got).contains("WWW-Authenticate: Bearer\r\n"));
    // With a token the same client gets in, and the guard reports where it was.
    let mut ws = client(
        addr,
        "/chat",
        &[("Origin", APP), ("Authorization", "Bearer abc.def")],
    )
    .unwrap();
    ws.send(Message::text("x")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("x"));
    ws.close(None).unwrap();
    let _ = ws.read();
    h.join().unwrap();
    let s = counters.snapshot();
    assert_eq!((s.accepted, s.refused["token_missing"]), (1, 1));
}

#[test]
fn requests_tungstenite_would_drop_get_an_answer_from_the_core() {
    let g = guard(&[APP], false);
    let (addr, h) = serve(g, Mode::Accept, 2);
    let got = raw_exchange(
        addr,
        b"POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(got, core_response(Rejection::MethodNotGet));
    let got = raw_exchange(addr, b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert!(
        got.starts_with(b"HTTP/1.1 426 Upgrade Required\r\n"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    h.join().unwrap();
}

#[test]
fn subprotocol_is_negotiated_and_echoed() {
    let mut cfg = wsguard::GuardConfig::default();
    cfg.origin.allowed = vec![APP.into()];
    cfg.subprotocols.supported = vec!["chat.v2".into(), "chat.v1".into()];
    for mode in [Mode::Accept, Mode::Callback] {
        let (addr, h) = serve(wsguard::Guard::new(cfg.clone()).unwrap(), mode, 1);
        let mut req = format!("ws://{addr}/chat").into_client_request().unwrap();
        req.headers_mut().insert("Origin", APP.parse().unwrap());
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "chat.v1, chat.v2".parse().unwrap(),
        );
        let (mut ws, resp) = tungstenite::client(req, TcpStream::connect(addr).unwrap()).unwrap();
        assert_eq!(
            resp.headers()["sec-websocket-protocol"],
            "chat.v2",
            "{mode:?}"
        );
        ws.close(None).unwrap();
        let _ = ws.read();
        h.join().unwrap();
    }
}

#[test]
fn pipelined_first_frame_is_kept() {
    // A client that sends its first frame together with the head.
    let g = guard(&[APP], false);
    let (addr, h) = serve(g, Mode::Accept, 1);
    let mut bytes = upgrade_request(&format!("Origin: {APP}\r\n")).into_bytes();
    let mut frame = [0u8; 32];
    let n = wsguard_core::frame::encoder::write_frame(
        &mut frame,
        true,
        wsguard_core::frame::Opcode::Text,
        b"early",
        Some([1, 2, 3, 4]),
    )
    .unwrap();
    bytes.extend_from_slice(&frame[..n]);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    std::io::Write::write_all(&mut s, &bytes).unwrap();
    let mut ws =
        tungstenite::WebSocket::from_raw_socket(s, tungstenite::protocol::Role::Client, None);
    // The 101 head arrives first; read it off through a raw read of the socket.
    let mut head = Vec::new();
    let mut one = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        std::io::Read::read_exact(ws.get_mut(), &mut one).unwrap();
        head.push(one[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    assert_eq!(ws.read().unwrap(), Message::text("early"));
    ws.close(None).unwrap();
    let _ = ws.read();
    h.join().unwrap();
}
