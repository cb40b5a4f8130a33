//! Load generator for `wsguard serve`: opens N concurrent WebSocket connections, holds
//! them all, then has each echo messages for a while (answering the server's heartbeat
//! pings), checks every echo is intact, and closes cleanly.
//!
//! The client side is wsguard-core too: `handshake::write_request` / `validate_response`
//! for the upgrade, then a driver over the sans-IO `connection::Connection` (client role)
//! for frames, pongs and the closing handshake.
//!
//! ```text
//! cargo run --release -p wsguard-cli --example load -- ADDR CONNECTIONS SECONDS [SERVER_PID]
//! ```
//! Prints one JSON line with the results (`connections_held`, `messages_per_sec`,
//! `rss_before_kib`, `rss_after_kib`, `rss_per_connection_bytes` …).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, Semaphore};
use wsguard_core::connection::{Config, Connection, Ending, Event, MAX_CONTROL_FRAME};
use wsguard_core::frame::{MessageKind, Role};
use wsguard_core::handshake::{validate_response, write_request, ClientRequest};
use wsguard_core::Status;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    pub connections: usize,
    pub duration: Duration,
    pub message_len: usize,
    /// Server process to measure (VmRSS from /proc).
    pub server_pid: Option<u32>,
    /// Connections opened at the same time (keeps the listen backlog happy).
    pub connect_concurrency: usize,
    /// Idle time with every connection open before traffic starts (heartbeats run).
    pub settle: Duration,
}

/// What happened.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub connections_requested: usize,
    pub connections_held: usize,
    pub messages: u64,
    pub corrupted: u64,
    pub pings_answered: u64,
    pub clean_closes: u64,
    pub errors: Vec<String>,
    pub seconds: f64,
    pub messages_per_sec: f64,
    pub rss_before_kib: Option<u64>,
    pub rss_after_kib: Option<u64>,
}

impl LoadResult {
    /// Server RSS growth per held connection, in bytes.
    pub fn rss_per_connection(&self) -> Option<f64> {
        match (self.rss_before_kib, self.rss_after_kib) {
            (Some(b), Some(a)) if self.connections_held > 0 => {
                Some((a.saturating_sub(b) * 1024) as f64 / self.connections_held as f64)
            }
            _ => None,
        }
    }

    /// One JSON line.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "connections_requested": self.connections_requested,
            "connections_held": self.connections_held,
            "messages": self.messages,
            "corrupted": self.corrupted,
            "pings_answered": self.pings_answered,
            "clean_closes": self.clean_closes,
            "errors": self.errors.len(),
            "first_errors": self.errors.iter().take(5).collect::<Vec<_>>(),
            "seconds": self.seconds,
            "messages_per_sec": self.messages_per_sec,
            "rss_before_kib": self.rss_before_kib,
            "rss_after_kib": self.rss_after_kib,
            "rss_per_connection_bytes": self.rss_per_connection(),
        })
        .to_string()
    }
}

/// VmRSS of a process in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Sends the upgrade request of connection `id` on `s` and reads into `buf` until the 101
/// is validated (wsguard-core's `write_request` / `validate_response`). Returns the length
/// of the 101 head and the bytes read; what follows the head in `buf` is frames.
pub async fn upgrade(
    s: &mut TcpStream,
    addr: SocketAddr,
    id: usize,
    buf: &mut [u8],
) -> Result<(usize, usize), String> {
    let host = addr.to_string();
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&(id as u64).to_le_bytes());
    let req = ClientRequest::new(&host, "/ws", nonce).origin("https://app.example.com");
    let mut out = [0u8; 512];
    let n = write_request(&req, &mut out).map_err(|e| format!("write_request: {e:?}"))?;
    s.write_all(&out[..n])
        .await
        .map_err(|e| format!("send request: {e}"))?;
    let mut end = 0;
    loop {
        let n = s
            .read(&mut buf[end..])
            .await
            .map_err(|e| format!("read 101: {e}"))?;
        if n == 0 {
            return Err("server closed during the handshake".into());
        }
        end += n;
        match validate_response(&req, &buf[..end]) {
            Ok(Status::Complete(est)) => return Ok((est.consumed, end)),
            Ok(Status::Partial) if end < buf.len() => continue,
            Ok(Status::Partial) => return Err("101 head too large".into()),
            Err(e) => return Err(format!("upgrade refused: {e:?}")),
        }
    }
}

/// One upgraded client connection: the socket, its read buffer (`buf[start..end]` not yet
/// given to the connection) and the core's sans-IO connection (client role), which
/// decodes, masks, queues the pongs and runs the closing handshake; this is only its
/// driver.
pub struct Client {
    pub s: TcpStream,
    pub buf: Vec<u8>,
    pub start: usize,
    pub end: usize,
    pub conn: Connection,
    /// The pieces of a fragmented message so far.
    pieces: Vec<u8>,
    epoch: Instant,
}

/// What the connection reported, owned (its events borrow the buffer).
pub enum Got {
    Message(Vec<u8>),
    /// A ping (its pong is queued: [`Client::flush`]).
    Ping,
    Pong,
    Closed(Option<u16>),
}

impl Client {
    async fn connect(addr: SocketAddr, id: usize) -> Result<Client, String> {
        let mut s = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let _ = s.set_nodelay(true);
        let mut buf = vec![0u8; 8192];
        let (consumed, end) = upgrade(&mut s, addr, id, &mut buf).await?;
        Ok(Client::upgraded(s, buf, consumed, end, id))
    }

    /// The connection after `upgrade`: `buf[consumed..end]` holds the first frame bytes.
    pub fn upgraded(s: TcpStream, buf: Vec<u8>, consumed: usize, end: usize, id: usize) -> Client {
        let seed = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Client {
            s,
            buf,
            start: consumed,
            end,
            conn: Connection::new(Config::new(Role::Client).with_mask_seed(seed), 0),
            pieces: Vec::new(),
            epoch: Instant::now(),
        }
    }

    /// The connection's clock: ms since the upgrade.
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The next event of the bytes read so far (`None`: read more, or nothing more
    /// after the closing handshake).
    pub fn event(&mut self) -> Result<Option<Got>, String> {
        match self.conn.ending() {
            None => {}
            Some(Ending::Closed { .. }) => return Ok(None),
            Some(other) => return Err(format!("connection ended: {other:?}")),
        }
        loop {
            let now = self.now();
            let input = &mut self.buf[self.start..self.end];
            let got = self
                .conn
                .handle_input(now, input, &mut [])
                .map_err(|e| format!("connection: {e}"))?;
            self.start += got.consumed;
            let g = match got.event {
                None if got.consumed == 0 => return Ok(None),
                None => continue,
                Some(Event::Message { data, .. }) => Got::Message(data.to_vec()),
                Some(Event::Piece {
                    data, first, last, ..
                }) => {
                    if first {
                        self.pieces.clear();
                    }
                    self.pieces.extend_from_slice(data);
                    if !last {
                        continue;
                    }
                    Got::Message(std::mem::take(&mut self.pieces))
                }
                Some(Event::Ping(_)) => Got::Ping,
                Some(Event::Pong { .. }) => Got::Pong,
                Some(Event::Close(c)) => Got::Closed(c.code),
                Some(Event::Control { .. }) => continue,
            };
            return Ok(Some(g));
        }
    }

    /// Writes the control frames the connection owes (pongs, the Close reply).
    pub async fn flush(&mut self) -> Result<(), String> {
        let mut out = [0u8; MAX_CONTROL_FRAME];
        while let Some(n) = self
            .conn
            .poll_transmit(&mut out)
            .map_err(|e| format!("{e:?}"))?
        {
            self.s
                .write_all(&out[..n])
                .await
                .map_err(|e| format!("send: {e}"))?;
        }
        Ok(())
    }

    /// Sends one text message.
    pub async fn send_text(&mut self, payload: &[u8]) -> Result<(), String> {
        let mut out = vec![0u8; payload.len() + 14];
        let n = self
            .conn
            .send(MessageKind::Text, payload, &mut out)
            .map_err(|e| format!("{e}"))?;
        self.s
            .write_all(&out[..n])
            .await
            .map_err(|e| format!("send: {e}"))
    }

    /// Sends a ping.
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), String> {
        let mut out = [0u8; MAX_CONTROL_FRAME];
        let n = self
            .conn
            .send_ping(payload, &mut out)
            .map_err(|e| format!("{e}"))?;
        self.s
            .write_all(&out[..n])
            .await
            .map_err(|e| format!("send: {e}"))
    }

    /// Starts the closing handshake with 1000.
    pub async fn start_close(&mut self) -> Result<(), String> {
        let now = self.now();
        self.conn
            .close(now, 1000, "")
            .map_err(|e| format!("close: {e}"))?;
        self.flush().await
    }

    /// Makes room before a read; an incomplete frame header filling the buffer is an
    /// error (payloads are consumed as they arrive).
    pub fn room(&mut self) -> Result<(), String> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Err("frame larger than the client buffer".into());
        }
        Ok(())
    }

    /// Accounts `n` bytes just read; returns every event they complete, each ping
    /// answered as it comes.
    pub async fn took(&mut self, n: usize) -> Result<Vec<Got>, String> {
        if n == 0 {
            return Err("server closed the TCP connection".into());
        }
        self.end += n;
        let mut got = Vec::new();
        while let Some(g) = self.event()? {
            if let Got::Ping = g {
                self.flush().await?;
            }
            got.push(g);
        }
        self.flush().await?;
        Ok(got)
    }

    /// Holding an idle connection: wait until the socket is readable or `go` fires; when
    /// readable, read once and answer pings (no data is expected while holding). Only
    /// `readable()` and `changed()` are raced, both cancel-safe; frames are written outside
    /// the race so a pong is never cut in half.
    async fn hold(
        &mut self,
        go: &mut watch::Receiver<bool>,
        pings: &AtomicU64,
    ) -> Result<(), String> {
        loop {
            if *go.borrow() {
                return Ok(());
            }
            tokio::select! {
                r = go.changed() => { if r.is_err() { return Ok(()); } continue; }
                r = self.s.readable() => r.map_err(|e| format!("readable: {e}"))?,
            }
            self.room()?;
            let n = match self.s.try_read(&mut self.buf[self.end..]) {
                Ok(0) => return Err("server closed the connection while holding".into()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(format!("read: {e}")),
            };
            for g in self.took(n).await? {
                match g {
                    Got::Ping => pings.fetch_add(1, Ordering::Relaxed),
                    _ => return Err("unexpected frame while holding".into()),
                };
            }
        }
    }

    /// Next message or Close; answers pings on the way.
    async fn next(&mut self, pings: &AtomicU64) -> Result<Got, String> {
        loop {
            while let Some(g) = self.event()? {
                self.flush().await?;
                match g {
                    Got::Ping => {
                        pings.fetch_add(1, Ordering::Relaxed);
                    }
                    Got::Pong => {}
                    done => return Ok(done),
                }
            }
            self.room()?;
            let n = self
                .s
                .read(&mut self.buf[self.end..])
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("server closed the connection".into());
            }
            self.end += n;
        }
    }
}

/// Runs the load test.
pub async fn run(cfg: LoadConfig) -> LoadResult {
    let n = cfg.connections;
    let rss_before = cfg.server_pid.and_then(rss_kib);
    let held = Arc::new(AtomicU64::new(0));
    let messages = Arc::new(AtomicU64::new(0));
    let corrupted = Arc::new(AtomicU64::new(0));
    let pings = Arc::new(AtomicU64::new(0));
    let closes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(std::sync::Mutex::new(Vec::new()));
    // Tasks count themselves in once connected (or failed), then hold their connection,
    // answering heartbeat pings, until `go`.
    let arrived = Arc::new(AtomicU64::new(0));
    let (go_tx, go_rx) = watch::channel(false);
    let gate = Arc::new(Semaphore::new(cfg.connect_concurrency.max(1)));
    let stop_at = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let mut tasks = Vec::with_capacity(n);
    for id in 0..n {
        let (held, messages, corrupted, pings, closes, errors) = (
            held.clone(),
            messages.clone(),
            corrupted.clone(),
            pings.clone(),
            closes.clone(),
            errors.clone(),
        );
        let (arrived, mut go, gate, stop_at) = (
            arrived.clone(),
            go_rx.clone(),
            gate.clone(),
            stop_at.clone(),
        );
        let addr = cfg.addr;
        let len = cfg.message_len;
        tasks.push(tokio::spawn(async move {
            let client = {
                let _permit = gate.acquire().await;
                Client::connect(addr, id).await
            };
            let mut client = match client {
                Ok(c) => {
                    held.fetch_add(1, Ordering::Relaxed);
                    Some(c)
                }
                Err(e) => {
                    errors.lock().unwrap().push(format!("conn {id}: {e}"));
                    None
                }
            };
            arrived.fetch_add(1, Ordering::Relaxed);
            let Some(c) = client.as_mut() else { return };
            if let Err(e) = c.hold(&mut go, &pings).await {
                errors
                    .lock()
                    .unwrap()
                    .push(format!("conn {id} (holding): {e}"));
                return;
            }
            let deadline = stop_at.lock().unwrap().unwrap_or_else(Instant::now);
            let mut k: u64 = 0;
            let r: Result<(), String> = async {
                while Instant::now() < deadline {
                    let payload: Vec<u8> = (0..len)
                        .map(|i| b'a' + ((i as u64 + k + id as u64) % 26) as u8)
                        .collect();
                    c.send_text(&payload).await?;
                    match c.next(&pings).await? {
                        Got::Message(m) if m == payload => {
                            messages.fetch_add(1, Ordering::Relaxed);
                        }
                        Got::Message(_) => {
                            corrupted.fetch_add(1, Ordering::Relaxed);
                        }
                        Got::Closed(code) => return Err(format!("server closed with {code:?}")),
                        Got::Ping | Got::Pong => {}
                    }
                    k += 1;
                }
                c.start_close().await?;
                match c.next(&pings).await? {
                    Got::Closed(Some(1000)) => {
                        closes.fetch_add(1, Ordering::Relaxed);
                        Ok(())
                    }
                    _ => Err("no Close 1000 reply".into()),
                }
            }
            .await;
            if let Err(e) = r {
                errors.lock().unwrap().push(format!("conn {id}: {e}"));
            }
        }));
    }
    // Bounded wait for every task to have connected (or failed).
    let wait_until = Instant::now() + Duration::from_secs(120);
    while (arrived.load(Ordering::Relaxed) as usize) < n && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // All connections are open: let the server settle, then measure its memory.
    tokio::time::sleep(cfg.settle).await;
    let rss_after = cfg.server_pid.and_then(rss_kib);
    let started = Instant::now();
    *stop_at.lock().unwrap() = Some(started + cfg.duration);
    let _ = go_tx.send(true);
    for t in tasks {
        let _ = tokio::time::timeout(cfg.duration + Duration::from_secs(30), t).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let messages = messages.load(Ordering::Relaxed);
    let errors = errors.lock().unwrap().clone();
    LoadResult {
        connections_requested: n,
        connections_held: held.load(Ordering::Relaxed) as usize,
        messages,
        corrupted: corrupted.load(Ordering::Relaxed),
        pings_answered: pings.load(Ordering::Relaxed),
        clean_closes: closes.load(Ordering::Relaxed),
        errors,
        seconds,
        messages_per_sec: messages as f64 / cfg.duration.as_secs_f64().max(0.001),
        rss_before_kib: rss_before,
        rss_after_kib: rss_after,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: load ADDR CONNECTIONS SECONDS [SERVER_PID] [MESSAGE_LEN]");
        std::process::exit(2);
    }
    let cfg = LoadConfig {
        addr: args[1].parse().expect("ADDR"),
        connections: args[2].parse().expect("CONNECTIONS"),
        duration: Duration::from_secs_f64(args[3].parse().expect("SECONDS")),
        server_pid: args.get(4).and_then(|p| p.parse().ok()),
        message_len: args.get(5).and_then(|p| p.parse().ok()).unwrap_or(64),
        connect_concurrency: 128,
        settle: Duration::from_secs(2),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = rt.block_on(run(cfg));
    println!("{}", result.to_json());
    let ok = result.errors.is_empty()
        && result.corrupted == 0
        && result.connections_held == result.connections_requested;
    std::process::exit(if ok { 0 } else { 1 });
}
