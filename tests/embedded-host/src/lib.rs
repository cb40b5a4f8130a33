//! Test support: start a peer process on 127.0.0.1 (port 0), learn its ports, stop it
//! on drop; open TCP connections wrapped for `embedded_io_async`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::net::TcpStream;

/// A TCP stream as an `embedded_io_async::Read + Write`.
pub type Transport = FromTokio<TcpStream>;

/// A running peer process; killed when dropped.
pub struct Peer {
    child: Child,
    /// Port of the WebSocket server.
    pub ws_port: u16,
    /// Port of the plain HTTP server (Python peer only).
    pub http_port: u16,
}

impl Peer {
    /// Kills the peer process now (a server that crashes: no Close, no FIN handshake).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python interpreter with `websockets`: $WSGUARD_PYTHON or the project venv.
pub fn python() -> PathBuf {
    std::env::var_os("WSGUARD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"))
}

/// Reads the peer's first line, `READY ws=<port> http=<port>` (10 s at most).
fn ready(mut child: Child) -> Peer {
    let out = child.stdout.take().expect("peer stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(l) => l,
        Err(_) => {
            let _ = child.kill();
            panic!("the peer did not print READY within 10 s");
        }
    };
    let port = |key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or(0)
    };
    let (ws_port, http_port) = (port("ws="), port("http="));
    if ws_port == 0 {
        let _ = child.kill();
        panic!("unexpected first line from the peer: {line:?}");
    }
    Peer {
        child,
        ws_port,
        http_port,
    }
}

/// Starts `peer.py` (Python `websockets` server plus a plain HTTP server).
pub fn python_peer() -> Peer {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer.py");
    let child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} (set WSGUARD_PYTHON): {e}",
                python().display()
            )
        });
    ready(child)
}

/// The `wsguard` CLI binary: $WSGUARD_BIN, else target/{debug,release}/wsguard (newest).
pub fn wsguard_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WSGUARD_BIN") {
        return Some(PathBuf::from(p));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR_MAIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    ["debug", "release"]
        .iter()
        .map(|p| target.join(p).join("wsguard"))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

/// Waits until something accepts TCP connections on `port` (10 s at most).
pub async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on 127.0.0.1:{port} after 10 s");
}

/// Starts `wsguard serve` on a free port with `args`; `None` when the binary is missing
/// (the caller decides whether that is a failure).
pub fn wsguard_peer(args: &[&str]) -> Option<Peer> {
    let bin = wsguard_bin()?;
    // Port 0 and the banner's address: a port picked here and bound later by the child
    // can be taken in between by another process on a busy machine.
    let mut child = Command::new(bin)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let mut out = BufReader::new(child.stdout.take()?);
    let mut banner = String::new();
    out.read_line(&mut banner).ok()?;
    let port = banner
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok());
    let Some(port) = port else {
        let _ = child.kill();
        panic!("wsguard serve printed no listening address: {banner:?}");
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while out.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    Some(Peer {
        child,
        ws_port: port,
        http_port: 0,
    })
}

/// Opens a TCP connection to 127.0.0.1:`port`.
pub async fn tcp(port: u16) -> Transport {
    let s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the peer");
    s.set_nodelay(true).ok();
    FromTokio::new(s)
}

use wsguard_core::frame::MessageKind;
use wsguard_core::io::{Message, WebSocket};

/// One thing received, owned (pieces of a large message are joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping (already answered by the driver).
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's Close: code and reason.
    Close(Option<u16>, String),
}

/// Statistics of one `recv`: how many pieces the message came in.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pieces(pub usize);

/// Reads the next message, joining pieces; 10 s at most.
pub async fn recv<T>(ws: &mut WebSocket<'_, T>) -> (Received, Pieces)
where
    T: embedded_io_async::Read + embedded_io_async::Write,
    T::Error: std::fmt::Debug,
{
    let work = async {
        let mut joined: Option<(MessageKind, Vec<u8>)> = None;
        let mut pieces = 0usize;
        loop {
            let m = ws
                .read()
                .await
                .unwrap_or_else(|e| panic!("read failed: {e:?}"));
            match m {
                Message::Text(t) => return (Received::Text(t.to_owned()), Pieces(1)),
                Message::Binary(b) => return (Received::Binary(b.to_vec()), Pieces(1)),
                Message::Ping(p) => return (Received::Ping(p.to_vec()), Pieces(0)),
                Message::Pong(p) => return (Received::Pong(p.to_vec()), Pieces(0)),
                Message::Close(c) => {
                    return (Received::Close(c.code, c.reason.to_owned()), Pieces(0))
                }
                Message::Control { .. } => panic!("unexpected control frame"),
                Message::Piece {
                    kind,
                    data,
                    first,
                    last,
                } => {
                    pieces += 1;
                    if first {
                        assert!(joined.is_none(), "a first piece while a message is open");
                        joined = Some((kind, Vec::new()));
                    }
                    let j = joined.as_mut().expect("a piece before the first");
                    j.1.extend_from_slice(data);
                    if last {
                        let (kind, data) = joined.take().expect("open message");
                        let r = match kind {
                            MessageKind::Text => {
                                Received::Text(String::from_utf8(data).expect("validated UTF-8"))
                            }
                            _ => Received::Binary(data),
                        };
                        return (r, Pieces(pieces));
                    }
                }
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), work)
        .await
        .expect("no message within 10 s")
}
