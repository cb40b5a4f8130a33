//! The WebSocket part of an embassy firmware, written once for the board (src/main.rs)
//! and for the host test (tests/embedded-host/tests/embassy_tasks.rs): it only needs an
//! `embedded_io_async` read half and write half (embassy-net's `TcpSocket::split()`,
//! or any other transport in two halves) and `embassy_time`.
//!
//! ```text
//! connection task ── dial TCP ── session() ──┬── reader_task: read() ⟷ heartbeat deadline
//!                                            │     (pongs, Close echo, pings: from the core)
//!                                            └── writer_task: OUTBOX.receive() → send_text()
//!        ▲                                   one Reader + one Writer of the same WebSocket
//!        └── retry_after(): Reconnect policy from the core (RetryAt / WaitForReauth / Stop)
//! sensor task ── OUTBOX.send(reading) ──────────────┘   (any other task may feed it)
//! ```
//!
//! embassy-net's `TcpSocket::split()` borrows the socket, so the two halves live as long
//! as the socket's scope: a firmware that reconnects runs the reader loop and the writer
//! loop as two futures of the connection task (`select`), and the rest of the firmware
//! talks to them through channels ([`Outbox`]). Both run on one executor, as the split
//! API requires (its halves are not `Send`).
#![no_std]
#![deny(unsafe_code)]

use core::fmt::Write as _;

use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Instant, Timer};
use embedded_io_async::{Read, Write};
use wsguard_core::handshake::{ClientFailure, ClientRequest};
use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig, Role};
use wsguard_core::io::{
    connect, ConnectError, Duplex, Message, Options, Reader, SplitState, Writer, MAX_DEADLINE_MS,
};
use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, TransportFailure};
use wsguard_core::Diagnostic;

/// Read buffer: the server's 101 (or an error page worth diagnosing), then the largest
/// message we want whole; bigger ones arrive as `Message::Piece`s.
pub const RX_LEN: usize = 1024;
/// Write buffer: the upgrade request, then outgoing frames are staged (masked) here.
pub const TX_LEN: usize = 512;
/// How long the reader waits for the server's answer to our Close.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Something for the writer task to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// A text message (JSON, say), up to 96 bytes.
    Text(heapless::String<96>),
    /// Close the connection normally (1000) and stop reconnecting.
    Close,
}

/// The queue other tasks use to reach the writer task.
pub type Outbox<M> = Channel<M, Outgoing, 4>;

/// A sensor reading as the JSON text the server expects.
///
/// ```
/// assert_eq!(wsguard_embassy_example::reading(7, -12).as_str(), r#"{"seq":7,"temp_dc":-12}"#);
/// ```
pub fn reading(seq: u32, temp_decicelsius: i32) -> heapless::String<96> {
    let mut s = heapless::String::new();
    // 96 bytes hold the longest (two 11-digit numbers): this cannot fail.
    let _ = write!(s, r#"{{"seq":{seq},"temp_dc":{temp_decicelsius}}}"#);
    s
}

/// Monotonic milliseconds for the core's state machines.
pub fn now_ms() -> u64 {
    Instant::now().as_millis()
}

/// The timer instant for a deadline the core returned — the documented snippet's
/// arithmetic: `Instant::from_millis(ms)`. The core's deadlines are `Option` (`None`:
/// nothing to wait for) and at most `io::MAX_DEADLINE_MS`, so this never overflows at
/// any of embassy-time's tick rates.
pub fn deadline_instant(deadline: Option<u64>) -> Option<Instant> {
    deadline.map(Instant::from_millis)
}

/// Waits until `deadline` (`None`: forever).
async fn until(deadline: Option<u64>) {
    match deadline_instant(deadline) {
        Some(at) => Timer::at(at).await,
        None => core::future::pending().await,
    }
}

/// What a session hands back when it ends.
fn lost<E>(e: &wsguard_core::io::Error<E>) -> Disconnect {
    e.disconnect().unwrap_or(Disconnect::Close(1006))
}

/// The same for a read error: `Error::Closed` carries no code, the connection's ending does.
fn read_lost<R: Read, W: Write<Error = R::Error>>(
    e: &wsguard_core::io::Error<R::Error>,
    reader: &Reader<'_, '_, R, W>,
) -> Disconnect {
    let ending = reader.ending().map(|end| Disconnect::Close(end.code()));
    e.disconnect().or(ending).unwrap_or(Disconnect::Close(1006))
}

/// The reader task's body: reads messages and shows each to `on_message`, drives the
/// heartbeat (pings when idle, the peer declared dead after silence), and ends with how
/// the connection ended. Pongs and the echo of the server's Close are sent by the core
/// through the shared write side, even while the writer task is busy.
pub async fn reader_task<R, W>(
    reader: &mut Reader<'_, '_, R, W>,
    heartbeat: &mut Heartbeat,
    mut on_message: impl FnMut(&Message<'_>),
) -> Disconnect
where
    R: Read,
    W: Write<Error = R::Error>,
{
    let mut close_by = None;
    loop {
        let deadline = match reader.heartbeat(heartbeat, now_ms()).await {
            Ok(Some(at)) => Some(at),
            // A Close was sent: no more pings; the server has CLOSE_TIMEOUT to answer.
            Ok(None) => Some(*close_by.get_or_insert_with(|| {
                let at = now_ms().saturating_add(CLOSE_TIMEOUT.as_millis());
                at.min(MAX_DEADLINE_MS)
            })),
            Err(e) => return lost(&e), // heartbeat_peer_silent / _missed_pings
        };
        let closing = close_by.is_some();
        match select(reader.read(), until(deadline)).await {
            Either::First(Ok(msg)) => {
                msg.update_heartbeat(heartbeat, now_ms());
                on_message(&msg);
                if let Message::Close(c) = msg {
                    return Disconnect::Close(c.reported_code());
                }
            }
            Either::First(Err(e)) => return read_lost(&e, reader),
            // The close handshake timed out: drop the transport (1006).
            Either::Second(()) if closing => return Disconnect::Close(1006),
            Either::Second(()) => {} // the heartbeat is due
        }
    }
}

/// The writer task's body: sends what other tasks put in `outbox`. On
/// [`Outgoing::Close`] it sends the Close and leaves the rest of the handshake to the
/// reader task.
pub async fn writer_task<W: Write, M: RawMutex>(
    writer: &mut Writer<'_, '_, W>,
    outbox: &Outbox<M>,
) -> Disconnect {
    loop {
        let sent = match outbox.receive().await {
            Outgoing::Text(text) => writer.send_text(&text).await,
            Outgoing::Close => match writer.send_close(1000, "device shutting down").await {
                // The reader task now waits for the server's Close.
                Ok(()) => core::future::pending().await,
                Err(e) => Err(e),
            },
        };
        if let Err(e) = sent {
            return lost(&e);
        }
    }
}

/// The WebSocket endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    /// `Host` header (and the name the server's certificate would carry).
    pub host: &'a str,
    /// Request path.
    pub path: &'a str,
    /// Subprotocols offered.
    pub subprotocols: &'a [&'a str],
    /// `Origin` to send, if the server's policy wants one (devices usually send none,
    /// and the server allows a missing Origin for them).
    pub origin: Option<&'a str>,
}

/// One connection over a TCP connection that is up: the opening handshake (a refusal is
/// diagnosed and logged), then the reader task and the writer task on the two halves of
/// the WebSocket until either ends. `random` is the board's RNG (handshake nonce,
/// masking keys); `log` gets a stable code and a sentence.
#[allow(clippy::too_many_arguments)]
pub async fn session<R, W, M>(
    io: Duplex<R, W>,
    rx: &mut [u8],
    tx: &mut [u8],
    endpoint: Endpoint<'_>,
    rc: &mut Reconnect<'_>,
    outbox: &Outbox<M>,
    mut random: impl FnMut() -> u32,
    mut log: impl FnMut(&str, &str),
    on_message: impl FnMut(&Message<'_>),
) -> Disconnect
where
    R: Read,
    W: Write<Error = R::Error>,
    M: RawMutex,
{
    let mut nonce = [0u8; 16];
    for chunk in nonce.chunks_mut(4) {
        chunk.copy_from_slice(&random().to_le_bytes());
    }
    let mut request =
        ClientRequest::new(endpoint.host, endpoint.path, nonce).subprotocols(endpoint.subprotocols);
    if let Some(origin) = endpoint.origin {
        request = request.origin(origin);
    }
    let seed = (u64::from(random()) << 32) | u64::from(random());
    let ws = match connect(
        io,
        rx,
        tx,
        &request,
        Options::new(seed).with_max_message(64 * 1024),
    )
    .await
    {
        Ok(conn) => conn.socket,
        Err(e) => {
            // "forbidden: the server refused the Origin …" — what a browser hides behind 1006.
            log(e.code(), e.reason());
            if let ConnectError::Handshake(ClientFailure::Rejected(d)) = &e {
                log("server said", d.server_reason.unwrap_or(""));
            }
            return e
                .disconnect()
                .unwrap_or(Disconnect::Transport(TransportFailure::Reset));
        }
    };
    rc.on_connected(now_ms());
    let mut heartbeat = Heartbeat::new(HeartbeatConfig::DEFAULT.for_role(Role::Client), now_ms());
    let mut state = SplitState::new();
    let (mut reader, mut writer) = ws.split(&mut state);
    let ended = match select(
        reader_task(&mut reader, &mut heartbeat, on_message),
        writer_task(&mut writer, outbox),
    )
    .await
    {
        Either::First(d) | Either::Second(d) => d,
    };
    if let Disconnect::Close(code) = ended {
        log(
            "connection ended",
            wsguard_core::close::classify(code)
                .name()
                .unwrap_or("application code"),
        );
    }
    ended
}

/// The reconnect policy's decision for how the last session ended, carried out: waits
/// until the retry time and returns `true`, or returns `false` when the policy says to
/// stop (1000, or a configuration error such as a refused Origin). `WaitForReauth`
/// calls `reauthenticate` first.
pub async fn retry_after(
    rc: &mut Reconnect<'_>,
    ended: Disconnect,
    random: u32,
    reauthenticate: impl AsyncFnOnce(),
    mut log: impl FnMut(&str, &str),
) -> bool {
    let decision = rc.on_disconnect(ended, now_ms(), random);
    log(decision.code(), decision.reason());
    match decision {
        Decision::RetryAt { at_ms, .. } => {
            until(Some(at_ms.min(MAX_DEADLINE_MS))).await;
            true
        }
        Decision::WaitForReauth { .. } => {
            reauthenticate().await;
            rc.reset();
            true
        }
        Decision::Stop { .. } => false,
    }
}
