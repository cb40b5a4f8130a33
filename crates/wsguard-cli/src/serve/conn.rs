//! One WebSocket connection of the echo server, after the 101: a thin tokio driver over
//! the core's sans-IO [`Connection`] (decoding, auto-pong, close handshake, heartbeat
//! pings, limits); this file only moves bytes and echoes messages.
//!
//! Strict behaviour: a violation is answered with a Close frame carrying the core's close
//! code, then our side of TCP is shut down and the socket is drained briefly (bounded) so
//! the Close frame is not lost to a reset; a peer's Close is answered at once and the
//! server closes TCP first (RFC 6455 §7.1.1).
//!
//! Memory: an idle connection holds no read buffer (it is taken when the socket becomes
//! readable and given back once no frame is in progress); bytes of a message arriving in
//! pieces are reserved from the server's shared budget ([`wsguard::limits::Held`]) and
//! a message that would exceed it is closed with the core's 1013. A pending write runs
//! beside the heartbeat timer and ends at the core's write deadline: a peer that does not
//! read is dropped (no input is read while output is pending, so the queue in user space
//! is at most the output of one read).

use super::Shared;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsguard::limits::Held;
use wsguard_core::close;
use wsguard_core::connection::{self, Connection, Event, MAX_CONTROL_FRAME};
use wsguard_core::frame::{DecoderConfig, MessageKind, Opcode, ProtocolError};
use wsguard_core::heartbeat::HeartbeatConfig;
use wsguard_core::limits::Overload;
use wsguard_core::Diagnostic;

/// Read buffer per connection. The streaming decoder needs only `MIN_BUFFER` (139 bytes)
/// to receive any frame; 4 KiB keeps syscalls few and memory per connection small.
const READ_BUF: usize = 4096;
/// Output capacity kept between writes (larger is given back).
const KEEP_OUT_CAPACITY: usize = 1024;
/// How long we keep reading (and discarding) after our Close, waiting for the peer's
/// Close or FIN, before dropping the socket.
const LINGER: Duration = Duration::from_secs(2);
/// How long a server-initiated close (shutdown) waits for the peer's Close.
const CLOSE_WAIT: Duration = Duration::from_secs(3);

/// Connection settings shared by every connection.
#[derive(Debug, Clone, Copy)]
pub struct WsSettings {
    /// Decoder limits and role.
    pub decoder: DecoderConfig,
    /// `None`: no server pings.
    pub heartbeat: Option<HeartbeatConfig>,
}

/// How a connection ended (for counters and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The peer closed with this code (`None`: empty payload → 1005).
    PeerClosed(Option<u16>),
    /// We failed the connection with this protocol error.
    Failed(ProtocolError),
    /// The heartbeat declared the peer dead.
    PeerDead(&'static str),
    /// TCP ended without a Close frame.
    Vanished,
    /// We closed with 1001 because the server is shutting down.
    ShuttingDown,
    /// A peer limit ended the connection (message budget, write timeout).
    Overloaded(Overload),
}

impl Ending {
    /// The close code recorded in the counters.
    pub fn close_code(&self) -> u16 {
        match self {
            Ending::PeerClosed(Some(c)) => *c,
            Ending::PeerClosed(None) => close::NO_STATUS_RECEIVED,
            Ending::Failed(e) => e.close_code(),
            Ending::PeerDead(_) | Ending::Vanished => 1006,
            Ending::ShuttingDown => 1001,
            Ending::Overloaded(o) => o.close_code(),
        }
    }
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    conn: Connection,
    epoch: Instant,
    /// A message arriving in pieces (fragmented, or one frame larger than `buf`).
    message: Vec<u8>,
    /// `message`'s bytes in the shared budget.
    held: Held,
    out: Vec<u8>,
    /// A write has been pending since (ms, connection time).
    write_since: Option<u64>,
}

/// Appends an unmasked frame carrying `payload` to `out` (the core writes the header).
fn push_frame(conn: &mut Connection, out: &mut Vec<u8>, kind: MessageKind, payload: &[u8]) {
    let mut head = [0u8; 14];
    if let Ok((n, _)) = conn.begin_frame(kind, payload.len() as u64, true, &mut head) {
        out.extend_from_slice(&head[..n]);
        out.extend_from_slice(payload);
    }
}

impl Conn {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Writes what is queued. While the write is pending the heartbeat keeps running (a
    /// dead peer ends it); the core's write deadline drops a peer that does not read.
    async fn flush(&mut self, shared: &Shared) -> Result<(), Ending> {
        let mut written = 0;
        while written < self.out.len() {
            let since = *self
                .write_since
                .get_or_insert_with(|| self.epoch.elapsed().as_millis() as u64);
            let limits = shared.admission.limits();
            let deadline = limits.write_deadline(since);
            let wake = self
                .conn
                .poll_timeout()
                .map_or(deadline, |t| t.min(deadline));
            let sleep = Duration::from_millis(wake.saturating_sub(self.now()));
            tokio::select! {
                r = self.stream.write(&self.out[written..]) => match r {
                    Ok(0) | Err(_) => return Err(Ending::Vanished),
                    Ok(n) => {
                        written += n;
                        self.write_since = None;
                    }
                },
                _ = tokio::time::sleep(sleep) => {
                    let now = self.now();
                    if let Err(o) = limits.check_write(since, now) {
                        return Err(Ending::Overloaded(o));
                    }
                    self.conn.handle_timeout(now);
                    if let Some(connection::Ending::PeerDead(_)) = self.conn.ending() {
                        return Err(ending_of(&self.conn));
                    }
                }
            }
        }
        self.write_since = None;
        self.out.clear();
        if self.out.capacity() > KEEP_OUT_CAPACITY {
            self.out = Vec::new();
        }
        Ok(())
    }

    fn take_transmits(&mut self, shared: &Shared) {
        take_transmits(&mut self.conn, &mut self.out, shared);
    }

    /// Decodes everything buffered. Returns how the connection must end, if it must.
    fn process(&mut self, shared: &Shared) -> Option<Ending> {
        // Bounded: every call consumes bytes or returns no event.
        loop {
            let now = self.now();
            let Conn {
                buf,
                start,
                end,
                conn,
                message,
                held,
                out,
                ..
            } = self;
            let input = match conn.handle_input(now, &mut buf[*start..*end], &mut []) {
                Ok(i) => i,
                Err(connection::Error::Protocol(e)) => return Some(Ending::Failed(e)),
                Err(_) => return Some(ending_of(conn)),
            };
            let Some(event) = input.event else {
                *start += input.consumed;
                return None;
            };
            let done = match event {
                Event::Message { kind, data } => Some((kind, data)),
                Event::Piece {
                    kind, data, last, ..
                } => {
                    // The decoder enforces max_message per connection; the shared
                    // budget bounds all connections together.
                    if let Err(o) = held.grow(data.len() as u64) {
                        *message = Vec::new();
                        held.clear();
                        let _ = conn.close(now, o.close_code(), o.code());
                        if let Some(line) = shared.admission.log_line(o, "connection") {
                            eprintln!("{line}");
                        }
                        shared.admission.refused(o);
                        return Some(Ending::Overloaded(o));
                    }
                    message.extend_from_slice(data);
                    last.then_some((kind, &message[..]))
                }
                Event::Pong {
                    rtt_ms: Some(_), ..
                } => {
                    shared.pongs.fetch_add(1, Ordering::Relaxed);
                    None
                }
                Event::Close(_) => {
                    *start += input.consumed;
                    return Some(ending_of(conn));
                }
                Event::Ping(_) => {
                    // Answer every ping, not only the latest one (the core keeps one pong).
                    take_transmits(conn, out, shared);
                    None
                }
                Event::Pong { .. } | Event::Control { .. } => None,
            };
            if let Some((kind, data)) = done {
                let kind = if kind == MessageKind::Text {
                    kind
                } else {
                    MessageKind::Binary
                };
                push_frame(conn, out, kind, data);
                shared.messages.fetch_add(1, Ordering::Relaxed);
                shared.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                // Given back whole: a finished message keeps no memory.
                *message = Vec::new();
                held.clear();
            }
            *start += input.consumed;
        }
    }

    fn compact(&mut self) {
        if self.start == self.end {
            // No frame in progress: give the read buffer back.
            self.start = 0;
            self.end = 0;
            self.buf = Vec::new();
        } else if self.start > 0 && self.buf.len() - self.end < MIN_FREE {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() > READ_BUF && self.end <= READ_BUF {
            self.buf.truncate(READ_BUF);
            self.buf.shrink_to_fit();
        }
    }

    /// Sends what is owed (our Close if `close`, unless one was sent), shuts our side
    /// down and drains the socket for at most `wait`, until the peer's FIN.
    async fn close_and_linger(
        &mut self,
        close: Option<(u16, &str)>,
        wait: Duration,
        shared: &Shared,
    ) {
        if let Some((code, reason)) = close {
            let now = self.now();
            let _ = self.conn.close(now, code, reason);
        }
        self.take_transmits(shared);
        let _ = self.flush(shared).await;
        let _ = self.stream.shutdown().await;
        let deadline = tokio::time::Instant::now() + wait;
        let mut sink = vec![0u8; 1024]; // on the heap: not part of every idle future
        let mut drained = 0usize;
        while drained < (1 << 20) {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut sink)).await {
                Ok(Ok(n)) if n > 0 => drained += n,
                _ => break,
            }
        }
    }
}

/// Moves the control frames the connection owes (pongs, close replies, heartbeat pings,
/// our Close) to the output.
fn take_transmits(conn: &mut Connection, out: &mut Vec<u8>, shared: &Shared) {
    let mut tmp = [0u8; MAX_CONTROL_FRAME];
    while let Ok(Some(n)) = conn.poll_transmit(&mut tmp) {
        if tmp[0] & 0x0F == Opcode::Ping.as_u8() {
            shared.pings.fetch_add(1, Ordering::Relaxed);
        }
        out.extend_from_slice(&tmp[..n]);
    }
}

/// The CLI's ending for what ended the core connection.
fn ending_of(conn: &Connection) -> Ending {
    match conn.ending() {
        Some(connection::Ending::Closed { code, .. }) => {
            Ending::PeerClosed((code != close::NO_STATUS_RECEIVED).then_some(code))
        }
        Some(connection::Ending::Failed(e)) => Ending::Failed(e),
        Some(connection::Ending::PeerDead(why)) => Ending::PeerDead(why.code()),
        Some(connection::Ending::CloseTimeout | connection::Ending::Lost) | None => {
            Ending::Vanished
        }
    }
}

/// Bytes kept free at the end of the read buffer before we compact it.
const MIN_FREE: usize = wsguard_core::frame::MIN_BUFFER;

/// Runs the echo loop on an upgraded connection. `leftover` holds bytes that arrived after
/// the request head (a client may pipeline its first frame).
pub async fn serve(
    stream: TcpStream,
    leftover: &[u8],
    settings: WsSettings,
    shared: &Shared,
) -> Ending {
    let epoch = Instant::now();
    let buf = if leftover.is_empty() {
        Vec::new()
    } else {
        let mut b = vec![0u8; READ_BUF.max(leftover.len() + MIN_FREE)];
        b[..leftover.len()].copy_from_slice(leftover);
        b
    };
    let mut config = connection::Config::new(settings.decoder.role).with_decoder(settings.decoder);
    config.heartbeat = settings.heartbeat;
    let mut c = Conn {
        stream,
        buf,
        start: 0,
        end: leftover.len(),
        conn: Connection::new(config, 0),
        epoch,
        message: Vec::new(),
        held: Held::new(shared.admission.clone()),
        out: Vec::new(),
        write_since: None,
    };
    let mut shutdown = shared.shutdown.clone();
    loop {
        let ending = c.process(shared);
        if let Some(ending) = ending {
            // A failure's Close (the core's code and reason) or the reply to the peer's
            // Close is queued in the connection.
            c.close_and_linger(None, LINGER, shared).await;
            return ending;
        }
        // Heartbeat: ping now, give up, or learn the next deadline.
        let now = c.now();
        c.conn.handle_timeout(now);
        if let Some(connection::Ending::PeerDead(_)) = c.conn.ending() {
            // A dead peer will not complete a close handshake: drop TCP (1006 locally).
            return ending_of(&c.conn);
        }
        c.take_transmits(shared);
        if let Err(ending) = c.flush(shared).await {
            if let Ending::Overloaded(o) = ending {
                shared.admission.refused(o);
                if let Some(line) = shared.admission.log_line(o, "connection") {
                    eprintln!("{line}");
                }
            }
            return ending;
        }
        c.compact();
        let sleep_for = match c.conn.poll_timeout() {
            Some(until) => Duration::from_millis(until.saturating_sub(c.now())),
            None => Duration::from_secs(3600),
        };
        tokio::select! {
            r = c.stream.readable() => {
                if r.is_err() {
                    return Ending::Vanished;
                }
                // The buffer exists only while bytes are being decoded.
                if c.buf.is_empty() {
                    c.buf = vec![0u8; READ_BUF];
                } else if c.end == c.buf.len() {
                    // Cannot happen with a buffer ≥ MIN_BUFFER; be safe rather than spin.
                    c.buf.resize(c.buf.len() * 2, 0);
                }
                let end = c.end;
                match c.stream.try_read(&mut c.buf[end..]) {
                    Ok(0) => return Ending::Vanished,
                    Ok(n) => c.end += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return Ending::Vanished,
                }
            },
            _ = tokio::time::sleep(sleep_for) => {}
            _ = shutdown.changed() => {
                // Server shutdown: 1001 Going Away, then wait briefly for the peer's Close.
                c.close_and_linger(Some((1001, "server_shutting_down")), CLOSE_WAIT, shared).await;
                return Ending::ShuttingDown;
            }
        }
    }
}
