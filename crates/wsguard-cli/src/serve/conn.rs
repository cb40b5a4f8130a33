//! One WebSocket connection of the echo server, after the 101: the core's streaming frame
//! decoder (incremental UTF-8, close state) on a tokio `TcpStream`, the core's encoder for
//! every frame we send, and the core's heartbeat state machine for pings.
//!
//! Strict behaviour: a violation is answered with a Close frame carrying the core's close
//! code, then our side of TCP is shut down and the socket is drained briefly (bounded) so
//! the Close frame is not lost to a reset; a peer's Close is answered at once and the
//! server closes TCP first (RFC 6455 §7.1.1).

use super::Shared;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsguard_core::frame::encoder::{
    self, write_close, write_close_reply, write_header, write_ping, write_pong,
};
use wsguard_core::frame::{
    CloseState, Decoded, Decoder, DecoderConfig, Event, FrameHeader, MessageKind, Opcode,
    ProtocolError,
};
use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
use wsguard_core::Diagnostic;

/// Read buffer per connection. The streaming decoder needs only `MIN_BUFFER` (139 bytes)
/// to receive any frame; 4 KiB keeps syscalls few and memory per connection small.
const READ_BUF: usize = 4096;
/// Message buffers larger than this are released after the message is echoed.
const KEEP_MSG_CAPACITY: usize = 64 * 1024;
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
}

impl Ending {
    /// The close code recorded in the counters.
    pub fn close_code(&self) -> u16 {
        match self {
            Ending::PeerClosed(Some(c)) => *c,
            Ending::PeerClosed(None) => 1005,
            Ending::Failed(e) => e.close_code(),
            Ending::PeerDead(_) | Ending::Vanished => 1006,
            Ending::ShuttingDown => 1001,
        }
    }
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    decoder: Decoder,
    heartbeat: Option<Heartbeat>,
    epoch: Instant,
    /// Inside a streamed frame's payload (bytes in `buf` are payload, not a header).
    in_frame: bool,
    message: Vec<u8>,
    kind: MessageKind,
    out: Vec<u8>,
}

impl Conn {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.stream.write_all(&self.out).await?;
            self.out.clear();
            if self.out.capacity() > KEEP_MSG_CAPACITY {
                self.out.shrink_to(READ_BUF);
            }
        }
        Ok(())
    }

    fn push_frame(&mut self, opcode: Opcode, payload: &[u8]) {
        let mut head = [0u8; 14];
        let n = write_header(
            &mut head,
            &FrameHeader::new(true, opcode, payload.len() as u64, None),
        )
        .unwrap_or(0);
        self.out.extend_from_slice(&head[..n]);
        self.out.extend_from_slice(payload);
    }

    fn push_control(&mut self, f: impl FnOnce(&mut [u8]) -> Option<usize>) {
        let mut tmp = [0u8; 2 + 125];
        if let Some(n) = f(&mut tmp) {
            self.out.extend_from_slice(&tmp[..n]);
        }
    }

    /// Decodes everything buffered. Returns how the connection must end, if it must.
    fn process(&mut self, shared: &Shared) -> Option<Ending> {
        // Bounded: every event consumes at least one byte (headers and data), and the
        // buffer holds at most READ_BUF + leftover bytes.
        loop {
            let now = self.now();
            let start = self.start;
            let end = self.end;
            let decoded = match self.decoder.decode_streaming(&mut self.buf[start..end]) {
                Ok(d) => d,
                Err(e) => return Some(Ending::Failed(e)),
            };
            let (consumed, event) = match decoded {
                Decoded::Incomplete { .. } => break,
                Decoded::Event { consumed, event } => (consumed, event),
            };
            if let Some(hb) = self.heartbeat.as_mut() {
                if !matches!(event, Event::Pong(_) | Event::Ping(_)) {
                    hb.on_activity(now);
                }
            }
            let mut ending = None;
            match event {
                Event::Header(_) => self.in_frame = true,
                Event::Data {
                    kind,
                    payload,
                    fin_of_frame,
                    fin_of_message,
                } => {
                    if fin_of_frame {
                        self.in_frame = false;
                    }
                    self.kind = kind;
                    // The decoder enforces max_message, so this stays bounded.
                    self.message.extend_from_slice(payload);
                    if fin_of_message {
                        let opcode = if kind == MessageKind::Text {
                            Opcode::Text
                        } else {
                            Opcode::Binary
                        };
                        let msg = std::mem::take(&mut self.message);
                        self.push_frame(opcode, &msg);
                        shared.messages.fetch_add(1, Ordering::Relaxed);
                        shared.bytes.fetch_add(msg.len() as u64, Ordering::Relaxed);
                        self.message = msg;
                        self.message.clear();
                        if self.message.capacity() > KEEP_MSG_CAPACITY {
                            self.message = Vec::new();
                        }
                    }
                }
                Event::Ping(p) => {
                    let answer = self
                        .heartbeat
                        .as_mut()
                        .map(|hb| hb.on_ping_received(now))
                        .unwrap_or(true);
                    if answer {
                        let p = p.to_vec();
                        self.push_control(|b| write_pong(b, &p, None).ok());
                    }
                }
                Event::Pong(p) => {
                    if let Some(hb) = self.heartbeat.as_mut() {
                        if hb.on_pong(now, p).is_some() {
                            shared.pongs.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Event::Close(payload) => {
                    if let Some(hb) = self.heartbeat.as_mut() {
                        hb.on_close(now);
                    }
                    let code = payload.code;
                    if self.decoder.close_state() == CloseState::CloseReceived {
                        let mut tmp = [0u8; 4];
                        if let Ok(n) = write_close_reply(&mut tmp, &payload, None) {
                            self.out.extend_from_slice(&tmp[..n]);
                        }
                        self.decoder.note_close_sent();
                    }
                    ending = Some(Ending::PeerClosed(code));
                }
                Event::Control { .. } => {}
            }
            self.start += consumed;
            if ending.is_some() {
                return ending;
            }
        }
        None
    }

    fn compact(&mut self) {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
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

    /// Sends our Close (unless one was sent), shuts our side down and drains the socket
    /// for at most `wait`, until the peer's FIN.
    async fn close_and_linger(&mut self, close: Option<(u16, &str)>, wait: Duration) {
        if let Some((code, reason)) = close {
            if self.decoder.close_state() == CloseState::Open
                || self.decoder.close_state() == CloseState::CloseReceived
            {
                let reason = wsguard_core::close::fit_reason(reason);
                self.push_control(|b| write_close(b, Some(code), reason, None).ok());
                self.decoder.note_close_sent();
            }
        }
        let _ = self.flush().await;
        let _ = self.stream.shutdown().await;
        let deadline = tokio::time::Instant::now() + wait;
        let mut sink = [0u8; 1024];
        let mut drained = 0usize;
        while drained < (1 << 20) {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut sink)).await {
                Ok(Ok(n)) if n > 0 => drained += n,
                _ => break,
            }
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
    let mut buf = vec![0u8; READ_BUF.max(leftover.len() + MIN_FREE)];
    buf[..leftover.len()].copy_from_slice(leftover);
    let mut c = Conn {
        stream,
        buf,
        start: 0,
        end: leftover.len(),
        decoder: Decoder::new(settings.decoder),
        heartbeat: settings.heartbeat.map(|h| Heartbeat::new(h, 0)),
        epoch,
        in_frame: false,
        message: Vec::new(),
        kind: MessageKind::Binary,
        out: Vec::new(),
    };
    let mut shutdown = shared.shutdown.clone();
    loop {
        let ending = c.process(shared);
        if let Some(ending) = ending {
            match ending {
                Ending::Failed(e) => {
                    c.close_and_linger(Some((e.close_code(), e.code())), LINGER)
                        .await
                }
                _ => c.close_and_linger(None, LINGER).await,
            }
            return ending;
        }
        if c.flush().await.is_err() {
            return Ending::Vanished;
        }
        c.compact();
        if c.end == c.buf.len() {
            // Cannot happen with a buffer ≥ MIN_BUFFER; be safe rather than spin.
            c.buf.resize(c.buf.len() * 2, 0);
        }
        // Heartbeat: ping now, give up, or learn the next deadline.
        let mut until = u64::MAX;
        if let Some(hb) = c.heartbeat.as_mut() {
            let now = c.epoch.elapsed().as_millis() as u64;
            match hb.poll(now) {
                Action::SendPing { payload, .. } => {
                    c.push_control(|b| write_ping(b, &payload, None).ok());
                    shared.pings.fetch_add(1, Ordering::Relaxed);
                    if c.flush().await.is_err() {
                        return Ending::Vanished;
                    }
                    continue;
                }
                Action::PeerDead => {
                    let why = hb
                        .dead_reason()
                        .map(|d| d.code())
                        .unwrap_or("heartbeat_peer_dead");
                    // A dead peer will not complete a close handshake: drop TCP (1006 locally).
                    return Ending::PeerDead(why);
                }
                Action::Wait { until: u } => until = u,
            }
        }
        let sleep_for = if until == u64::MAX {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(until.saturating_sub(c.epoch.elapsed().as_millis() as u64))
        };
        let end = c.end;
        tokio::select! {
            r = c.stream.read(&mut c.buf[end..]) => match r {
                Ok(0) | Err(_) => return Ending::Vanished,
                Ok(n) => c.end += n,
            },
            _ = tokio::time::sleep(sleep_for) => {}
            _ = shutdown.changed() => {
                // Server shutdown: 1001 Going Away, then wait briefly for the peer's Close.
                c.close_and_linger(Some((1001, "server_shutting_down")), CLOSE_WAIT).await;
                return Ending::ShuttingDown;
            }
        }
    }
}

#[allow(dead_code)]
fn _uses(_: encoder::EncodeError) {}
