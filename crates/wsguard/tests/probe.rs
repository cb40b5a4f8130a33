//! The probe against local servers: echo (success), closed port, plain HTTP 200,
//! 403 from a guard, 4401 right after the upgrade, a proxy that drops the upgrade,
//! wss:// against a plain port, a server that never answers.

mod common;
use common::*;
use std::net::TcpListener;
use std::time::Duration;
use wsguard::probe::{probe, Outcome, ProbeOptions, TokenPlacement};

fn opts(url: String) -> ProbeOptions {
    let mut o = ProbeOptions::new(url);
    o.timeout = Duration::from_secs(3);
    o
}

fn outcomes(r: &wsguard::probe::Report) -> Vec<(&'static str, Outcome)> {
    r.steps.iter().map(|s| (s.name, s.outcome)).collect()
}

/// A plain tungstenite echo server (no guard), `n` connections.
fn tungstenite_echo(n: usize) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for _ in 0..n {
            let (s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            if let Ok(mut ws) = tungstenite::accept(s) {
                echo(&mut ws);
            }
        }
    });
    (addr, h)
}

#[test]
fn echo_server_every_step_ok() {
    let (addr, h) = tungstenite_echo(1);
    let mut o = opts(format!("ws://{addr}/echo"));
    o.echo = Some("hello probe".into());
    o.origin = Some("http://localhost:3000".into());
    let r = probe(&o);
    h.join().unwrap();
    assert!(r.ok, "{}", r.render_text());
    use Outcome::*;
    assert_eq!(
        outcomes(&r),
        [
            ("url", Ok),
            ("dns", Ok),
            ("tcp", Ok),
            ("tls", Skipped),
            ("upgrade", Ok),
            ("ping", Ok),
            ("echo", Ok),
            ("close", Ok)
        ]
    );
    assert_eq!(r.peer.as_deref(), Some(addr.to_string().as_str()));
    assert_eq!(r.close_code, Some(1000));
    assert!(r.rtt_ms.unwrap() >= 0.0);
    assert!(r.failure.is_none());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["steps"][6]["name"], "echo");
    assert_eq!(json["steps"][6]["outcome"], "ok");
}

#[test]
fn closed_port_is_connection_refused() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = probe(&opts(format!("ws://127.0.0.1:{port}/ws")));
    assert!(!r.ok);
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.code.as_str()), ("tcp", "connection_refused"));
    assert_eq!(f.what, format!("connection refused on 127.0.0.1:{port}"));
    assert_eq!(f.cause, format!("nothing listens on 127.0.0.1:{port}"));
    assert!(
        f.fix
            .starts_with("is the backend running and the port published?"),
        "{}",
        f.fix
    );
    use Outcome::*;
    assert_eq!(
        outcomes(&r),
        [
            ("url", Ok),
            ("dns", Ok),
            ("tcp", Failed),
            ("tls", Skipped),
            ("upgrade", Skipped),
            ("ping", Skipped),
            ("echo", Skipped),
            ("close", Skipped)
        ]
    );
    assert!(r.render_text().contains(&format!(
        "FAILED at tcp: connection refused on 127.0.0.1:{port} [connection_refused]"
    )));
}

#[test]
fn plain_http_200_is_diagnosed() {
    let (addr, h) = http_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>",
        1,
    );
    let r = probe(&opts(format!("ws://{addr}/ws")));
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str(), f.http_status),
        ("upgrade", "http_200_not_websocket", Some(200))
    );
    assert_eq!(
        f.what,
        "HTTP 200: a plain HTTP answer, not a WebSocket upgrade"
    );
    assert!(f.cause.contains("plain HTTP server"), "{}", f.cause);
}

#[test]
fn nginx_400_without_upgrade_is_a_proxy_problem() {
    let (addr, h) = http_server(
        b"HTTP/1.1 400 Bad Request\r\nServer: nginx/1.24.0\r\nContent-Type: text/plain\r\nContent-Length: 82\r\nConnection: close\r\n\r\nwebsocket: the client is not using the websocket protocol: 'upgrade' token missing",
        1,
    );
    let r = probe(&opts(format!("ws://{addr}/ws")));
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.http_status), ("upgrade", Some(400)));
    assert_eq!(f.code, "proxy_dropped_upgrade", "{f:?}");
    assert!(
        f.what
            .starts_with("HTTP 400 from nginx/1.24.0 without Upgrade in the response"),
        "{}",
        f.what
    );
    assert!(f.fix.contains("proxy_http_version 1.1"), "{}", f.fix);
}

#[test]
fn guard_403_names_the_refused_origin_and_the_servers_reason() {
    let (addr, h) = serve(guard(&["https://app.example.com"], false), Mode::Accept, 1);
    let mut o = opts(format!("ws://{addr}/chat"));
    o.origin = Some("http://localhost:3001".into());
    let r = probe(&o);
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.http_status), ("upgrade", Some(403)));
    assert!(f.what.starts_with("HTTP 403: the server refused Origin http://localhost:3001 — server says: origin_host: "), "{}", f.what);
    // The wsguard server's own code is surfaced.
    assert_eq!(f.code, "origin_host");
}

#[test]
fn guard_401_without_token_then_ok_with_token_in_query() {
    let mut cfg = wsguard::GuardConfig::default();
    cfg.origin.allow_missing = true;
    cfg.token.required = true;
    let (addr, h) = serve(wsguard::Guard::new(cfg).unwrap(), Mode::Accept, 2);
    let r = probe(&opts(format!("ws://{addr}/chat")));
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.http_status, f.code.as_str()),
        (Some(401), "token_missing")
    );
    assert!(
        f.what
            .starts_with("HTTP 401: a token is required and none was sent"),
        "{}",
        f.what
    );
    let mut o = opts(format!("ws://{addr}/chat"));
    o.token = Some("abc123".into());
    o.token_placement = TokenPlacement::Query("token".into());
    let r = probe(&o);
    h.join().unwrap();
    assert!(r.ok, "{}", r.render_text());
}

#[test]
fn close_4401_right_after_upgrade_means_token_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut ws = tungstenite::accept(s).unwrap();
        ws.close(Some(tungstenite::protocol::CloseFrame {
            code: 4401.into(),
            reason: "token expired".into(),
        }))
        .unwrap();
        for _ in 0..10 {
            if ws.read().is_err() {
                break;
            }
        }
    });
    let r = probe(&opts(format!("ws://{addr}/ws")));
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str(), f.close_code),
        ("ping", "unauthorized", Some(4401))
    );
    assert_eq!(
        f.what,
        "closed 4401 right after the upgrade — the server refused this client (unauthorized) (reason: \"token expired\")"
    );
    assert_eq!(r.step("upgrade").unwrap().outcome, Outcome::Ok);
}

#[test]
fn wss_against_a_plain_port_fails_at_tls() {
    let (addr, h) = http_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 1);
    let mut o = opts(format!("wss://127.0.0.1:{}/ws", addr.port()));
    o.timeout = Duration::from_millis(500);
    let r = probe(&o);
    let f = r.failure.as_ref().unwrap();
    assert_eq!(f.step, "tls", "{f:?}");
    assert!(f.fix.contains("ws://"), "{}", f.fix);
    drop(h); // the server thread ends on its own once the probe hung up
}

#[test]
fn silent_server_times_out_at_upgrade() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(900));
        drop(s);
    });
    let mut o = opts(format!("ws://{addr}/ws"));
    o.timeout = Duration::from_millis(300);
    let r = probe(&o);
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.code.as_str()), ("upgrade", "timeout"));
    assert_eq!(f.what, "no answer to the upgrade request within 300 ms");
}

#[test]
fn bad_urls_fail_at_the_url_step_with_the_core_code() {
    for (url, code) in [
        ("http://localhost:8000/ws", "url_scheme"),
        ("localhost:8000", "url_missing_scheme"),
    ] {
        let r = probe(&opts(url.into()));
        let f = r.failure.as_ref().unwrap();
        assert_eq!((f.step, f.code.as_str()), ("url", code), "{url}");
        assert_eq!(r.steps.len(), 8);
    }
}

#[test]
fn dns_failure_is_named() {
    let r = probe(&opts("ws://no-such-host.invalid/ws".into()));
    let f = r.failure.as_ref().unwrap();
    assert_eq!(f.step, "dns");
    assert_eq!(f.what, "no-such-host.invalid does not resolve");
}

#[test]
fn validated_client_connects_and_talks() {
    let (addr, h) = tungstenite_echo(1);
    let mut o = opts(format!("ws://{addr}/"));
    o.subprotocols = vec![];
    let mut c = wsguard::client::connect(&o).unwrap();
    c.socket
        .send(tungstenite::Message::text("via client"))
        .unwrap();
    assert_eq!(
        c.socket.read().unwrap(),
        tungstenite::Message::text("via client")
    );
    c.socket.close(None).unwrap();
    let _ = c.socket.read();
    h.join().unwrap();
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = wsguard::client::connect(&opts(format!("ws://127.0.0.1:{port}/"))).unwrap_err();
    assert_eq!(err.code, "connection_refused");
}
