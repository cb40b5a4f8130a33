//! Shared helpers: servers on 127.0.0.1:0, each serving a bounded number of connections.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;
use tungstenite::Message;

pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

pub fn guard(origins: &[&str], token_required: bool) -> wsguard::Guard {
    let mut cfg = wsguard::GuardConfig::default();
    cfg.origin.allowed = origins.iter().map(|s| s.to_string()).collect();
    cfg.token.required = token_required;
    wsguard::Guard::new(cfg).unwrap()
}

/// Echoes messages until the peer closes (bounded).
pub fn echo<S: Read + Write>(ws: &mut tungstenite::WebSocket<S>) {
    for _ in 0..1000 {
        match ws.read() {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => {
                if ws.send(m).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// How the test server runs the handshake.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// `Guard::accept` (core reads the head and writes its exact answer).
    Accept,
    /// `tungstenite::accept_hdr(stream, guard.callback())`.
    Callback,
}

/// Serves `n` connections with `guard`, echoing on accepted ones.
pub fn serve(guard: wsguard::Guard, mode: Mode, n: usize) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for _ in 0..n {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            match mode {
                Mode::Accept => {
                    if let Ok((mut ws, _)) = guard.accept(stream) {
                        echo(&mut ws);
                    }
                }
                Mode::Callback => {
                    if let Ok(mut ws) = tungstenite::accept_hdr(stream, guard.callback()) {
                        echo(&mut ws);
                    }
                }
            }
        }
    });
    (addr, h)
}

/// Sends raw bytes and reads the whole answer until the server closes.
pub fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

pub fn upgrade_request(extra: &str) -> String {
    format!(
        "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {KEY}\r\n{extra}\r\n"
    )
}

/// A server that answers every connection with `response` after reading the head.
pub fn http_server(response: &'static [u8], n: usize) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for _ in 0..n {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let _ = s.write_all(response);
            let _ = s.flush();
        }
    });
    (addr, h)
}
