//! Shared helpers of the wsguard-cli integration tests: start `wsguard serve` as a child
//! process on a free loopback port, and a raw RFC 6455 client that sends hand-built frames
//! and reads back exactly what the server answers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Path of the `wsguard` binary built by cargo for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_wsguard");

/// How long any single read waits before the test fails (bounded waits everywhere).
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// `true` when a missing prerequisite (python, nginx) must fail the test instead of skipping it.
pub fn ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// A `wsguard serve` child process; killed when dropped.
pub struct Server {
    child: Child,
    /// The address it listens on (127.0.0.1:port).
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `wsguard serve --listen 127.0.0.1:0 <args>` and waits (bounded) for the line
    /// `wsguard serve listening on http://127.0.0.1:PORT ...` on its stdout.
    pub fn start(args: &[&str]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(args);
        cmd.env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        if std::env::var_os("WSGUARD_TEST_LOG").is_some() {
            cmd.stderr(Stdio::inherit());
        } else {
            cmd.stderr(Stdio::null());
        }
        let mut child = cmd.spawn().expect("spawn wsguard serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the child never blocks on a full pipe.
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("wsguard serve did not print its listening line within 20 s");
            }
        };
        let addr = parse_listen_line(&line).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("unexpected first line from wsguard serve: {line:?}")
        });
        Server { child, addr }
    }

    /// OS process id (for RSS measurements).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `ws://127.0.0.1:PORT<path>`
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `... listening on http://HOST:PORT ...` and returns the address.
pub fn parse_listen_line(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on http://").nth(1)?;
    let addr = rest.split(|c: char| c.is_whitespace() || c == '/').next()?;
    addr.parse().ok()
}

/// A complete HTTP response read until the server closed the connection.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes and reads the whole answer until the server closes the connection.
/// Panics if the server closes without a status line (a "silent TCP drop").
pub fn http_exchange(addr: SocketAddr, request: &[u8]) -> HttpResponse {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    s.write_all(request).expect("write request");
    let mut buf = Vec::new();
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset && !buf.is_empty() => break,
            Err(e) => panic!(
                "reading the HTTP answer to {:?}: {e} (got {:?})",
                String::from_utf8_lossy(request),
                String::from_utf8_lossy(&buf)
            ),
        }
        if Instant::now() > deadline {
            panic!("server kept the connection open after its HTTP answer");
        }
    }
    parse_http(&buf).unwrap_or_else(|| {
        panic!(
            "no HTTP status line in {:?} (silent drop?)",
            String::from_utf8_lossy(&buf)
        )
    })
}

/// Parses a status line + headers + body.
pub fn parse_http(buf: &[u8]) -> Option<HttpResponse> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let status = head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    Some(HttpResponse {
        status,
        head,
        body: buf[end + 4..].to_vec(),
    })
}

/// A frame as read from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub payload: Vec<u8>,
    /// The header bytes exactly as received (to check minimal length encoding).
    pub header: Vec<u8>,
}

impl Frame {
    pub fn close_code(&self) -> Option<u16> {
        (self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
}

/// What the connection did instead of giving a frame.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// Orderly TCP close (FIN) or reset after we had everything.
    Closed,
    /// Nothing arrived in time.
    Timeout,
}

/// The example key and accept value from RFC 6455 §1.3.
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A raw WebSocket client over a blocking TcpStream.
pub struct Raw {
    pub s: TcpStream,
    rng: u64,
    /// Bytes read past the current frame.
    pending: Vec<u8>,
}

/// A valid upgrade request for `path` with extra header lines (each ending in \r\n).
pub fn upgrade_request(addr: SocketAddr, path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

impl Raw {
    /// Opens a TCP connection and completes the opening handshake on `path`; asserts 101.
    pub fn open(addr: SocketAddr, path: &str) -> Raw {
        Raw::open_with(addr, path, "", &[])
    }

    /// Like [`Raw::open`], with extra header lines and bytes pipelined right after the request.
    pub fn open_with(addr: SocketAddr, path: &str, extra: &str, pipelined: &[u8]) -> Raw {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let mut raw = Raw {
            s,
            rng: 0x9E37_79B9_7F4A_7C15,
            pending: Vec::new(),
        };
        let mut req = upgrade_request(addr, path, extra).into_bytes();
        req.extend_from_slice(pipelined);
        raw.s.write_all(&req).unwrap();
        // Read the response head byte by byte so no frame byte is swallowed.
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match raw.s.read(&mut b) {
                Ok(1) => head.push(b[0]),
                other => panic!(
                    "handshake answer cut short: {other:?} after {:?}",
                    String::from_utf8_lossy(&head)
                ),
            }
            assert!(head.len() < 8192, "response head too long");
        }
        let resp = parse_http(&head).expect("HTTP head");
        assert_eq!(resp.status, 101, "expected 101, got {}", resp.head);
        assert_eq!(
            resp.header("Sec-WebSocket-Accept").as_deref(),
            Some(ACCEPT),
            "{}",
            resp.head
        );
        assert!(
            resp.header("Upgrade")
                .map(|v| v.eq_ignore_ascii_case("websocket"))
                .unwrap_or(false),
            "{}",
            resp.head
        );
        raw
    }

    fn next_key(&mut self) -> [u8; 4] {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng as u32).to_be_bytes()
    }

    /// Builds a masked client frame. `rsv` holds the three RSV bits in the low bits (RSV1=4).
    pub fn frame(&mut self, fin: bool, rsv: u8, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let key = self.next_key();
        build_frame(fin, rsv, opcode, payload, Some(key))
    }

    /// Sends bytes in one write.
    pub fn send(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).expect("send");
    }

    /// Sends bytes one write per byte.
    pub fn send_bytewise(&mut self, bytes: &[u8]) {
        for b in bytes {
            if let Err(e) = self.s.write_all(std::slice::from_ref(b)) {
                panic!("bytewise send failed: {e}");
            }
        }
    }

    /// Sends bytes but tolerates the server having closed already.
    pub fn send_lossy(&mut self, bytes: &[u8]) {
        let _ = self.s.write_all(bytes);
    }

    /// Convenience: one whole masked frame.
    pub fn send_frame(&mut self, fin: bool, opcode: u8, payload: &[u8]) {
        let f = self.frame(fin, 0, opcode, payload);
        self.send(&f);
    }

    fn fill(&mut self, need: usize) -> Result<(), End> {
        let mut chunk = [0u8; 65536];
        while self.pending.len() < need {
            match self.s.read(&mut chunk) {
                Ok(0) => return Err(End::Closed),
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(End::Timeout)
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                    ) =>
                {
                    return Err(End::Closed)
                }
                Err(e) => panic!("read: {e}"),
            }
        }
        Ok(())
    }

    /// Reads one frame sent by the server; checks it is unmasked.
    pub fn read_frame(&mut self) -> Result<Frame, End> {
        self.fill(2)?;
        let b0 = self.pending[0];
        let b1 = self.pending[1];
        assert_eq!(b1 & 0x80, 0, "server frames must not be masked");
        let (hlen, len) = match b1 & 0x7F {
            126 => {
                self.fill(4)?;
                (
                    4,
                    u16::from_be_bytes([self.pending[2], self.pending[3]]) as usize,
                )
            }
            127 => {
                self.fill(10)?;
                let mut l = [0u8; 8];
                l.copy_from_slice(&self.pending[2..10]);
                (10, u64::from_be_bytes(l) as usize)
            }
            n => (2, n as usize),
        };
        self.fill(hlen + len)?;
        let header = self.pending[..hlen].to_vec();
        let payload = self.pending[hlen..hlen + len].to_vec();
        self.pending.drain(..hlen + len);
        Ok(Frame {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 7,
            opcode: b0 & 0x0F,
            payload,
            header,
        })
    }

    /// Reads one frame, panicking with context when the connection ended instead.
    pub fn expect_frame(&mut self) -> Frame {
        match self.read_frame() {
            Ok(f) => f,
            Err(e) => panic!("expected a frame, got {e:?}"),
        }
    }

    /// Reads one whole message (text/binary + continuations); returns (opcode, payload).
    pub fn read_message(&mut self) -> (u8, Vec<u8>) {
        let first = self.expect_frame();
        assert!(
            first.opcode == 1 || first.opcode == 2,
            "expected a data frame, got {first:?}"
        );
        let mut data = first.payload;
        let mut fin = first.fin;
        while !fin {
            let f = self.expect_frame();
            assert_eq!(f.opcode, 0, "expected a continuation frame, got {f:?}");
            data.extend_from_slice(&f.payload);
            fin = f.fin;
        }
        (first.opcode, data)
    }

    /// Sends a message as one frame and checks it comes back identical.
    pub fn echo(&mut self, opcode: u8, payload: &[u8]) {
        self.send_frame(true, opcode, payload);
        let (op, data) = self.read_message();
        assert_eq!(op, opcode);
        assert!(
            data == payload,
            "echo differs: sent {} bytes, got {}",
            payload.len(),
            data.len()
        );
    }

    /// Expects a Close frame (with `code`, or an empty payload for `None`), then the TCP
    /// close within the read timeout. Any other frame before it fails the test.
    pub fn expect_close(&mut self, code: Option<u16>) -> Frame {
        let f = match self.read_frame() {
            Ok(f) => f,
            Err(e) => {
                panic!("expected a Close frame with {code:?}, the connection ended with {e:?}")
            }
        };
        assert_eq!(
            f.opcode, 8,
            "expected a Close frame with {code:?}, got {f:?}"
        );
        assert!(f.fin);
        assert_eq!(
            f.close_code(),
            code,
            "close payload {:?}",
            String::from_utf8_lossy(&f.payload)
        );
        if f.payload.len() > 2 {
            assert!(
                std::str::from_utf8(&f.payload[2..]).is_ok(),
                "close reason must be UTF-8"
            );
        }
        self.expect_tcp_close();
        f
    }

    /// Expects the server to close TCP (EOF or reset) before the timeout, with no frame first.
    pub fn expect_tcp_close(&mut self) {
        match self.read_frame() {
            Err(End::Closed) => {}
            Err(End::Timeout) => panic!("server did not close TCP within {READ_TIMEOUT:?}"),
            Ok(f) => panic!("unexpected frame after close: {f:?}"),
        }
    }

    /// Asserts that nothing arrives for `ms` milliseconds.
    pub fn expect_silence(&mut self, ms: u64) {
        self.s
            .set_read_timeout(Some(Duration::from_millis(ms)))
            .unwrap();
        let r = self.read_frame();
        self.s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        assert_eq!(r.err(), Some(End::Timeout), "expected silence");
    }
}

/// Builds a frame; `mask: None` builds an unmasked one.
pub fn build_frame(
    fin: bool,
    rsv: u8,
    opcode: u8,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(if fin { 0x80 } else { 0 } | (rsv & 7) << 4 | (opcode & 0x0F));
    let m = if mask.is_some() { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        out.push(m | len as u8);
    } else if len <= 0xFFFF {
        out.push(m | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(m | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// Close payload: code + reason.
pub fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason);
    p
}

/// Deterministic pseudo-random bytes.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Plain HTTP GET returning the response (server closes after answering).
pub fn http_get(addr: SocketAddr, path: &str) -> HttpResponse {
    http_exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}
