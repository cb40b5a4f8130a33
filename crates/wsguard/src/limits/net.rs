//! tokio side of the peer limits (feature `tokio`): a listener with a real backlog, an
//! accept loop that pauses on `EMFILE`/`ENFILE` instead of flooding the log, the 503
//! answer (or a plain TCP close when even that cannot be afforded), a write deadline
//! for peers that stop reading, and the shared budget for partly received messages
//! ([`MessageBudget`]: tungstenite reassembles messages itself, so the core's
//! [`MessageMeter`] watches the bytes it reads).
//!
//! ```no_run
//! # async fn run(guard: wsguard::Guard) -> std::io::Result<()> {
//! use std::sync::Arc;
//! use wsguard::limits::{net, Admission};
//! // The `[limits]` of the guard's configuration (file, `WSGUARD_LIMITS_*`).
//! let adm = Arc::new(Admission::for_guard(&guard));
//! let queued = Some(adm.limits().max_queued_output);
//! let listener = net::listen_with("127.0.0.1:9000".parse().unwrap(), net::DEFAULT_BACKLOG, queued)?;
//! let mut acceptor = net::Acceptor::new(listener, adm.clone());
//! loop {
//!     let (tcp, peer) = acceptor.accept().await;
//!     let (guard, adm) = (guard.clone(), adm.clone());
//!     tokio::spawn(async move {
//!         if let Ok((ws, accepted, _permit)) = net::accept_limited(&guard, &adm, tcp, peer).await {
//!             let _ = (ws, accepted); // serve; the permit gives the place back when dropped
//!         }
//!     });
//! }
//! # }
//! ```

use super::{refusal, Admission, Held, Permit};
use crate::guard::{AcceptError, AcceptedRequest, Guard};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::time::Sleep;
use tokio_tungstenite::WebSocketStream;
use wsguard_core::explain::Mode;
use wsguard_core::limits::{MessageMeter, Overload};
use wsguard_core::Diagnostic;

/// Listen backlog: uvicorn's and Node's default (the kernel caps it at
/// `net.core.somaxconn`). 128 dropped 376 of 1,000 burst connects.
pub const DEFAULT_BACKLOG: u32 = 2048;

/// Refusals answered politely at once (write, shut down, drain briefly); beyond this
/// many in flight a refused socket gets one non-blocking write and is closed.
pub const MAX_REFUSING: u32 = 256;

/// Binds `addr` with `SO_REUSEADDR` and listens with `backlog`.
pub fn listen(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    listen_with(addr, backlog, None)
}

/// [`listen`], and when `send_buffer` is given, `SO_SNDBUF` on the listener, which the
/// accepted sockets inherit (Linux): what a peer that stops reading can pin in kernel
/// memory (the kernel doubles the value for its bookkeeping; autotuning is off).
pub fn listen_with(
    addr: SocketAddr,
    backlog: u32,
    send_buffer: Option<u64>,
) -> io::Result<TcpListener> {
    let sock = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    sock.set_reuseaddr(true)?;
    if let Some(bytes) = send_buffer {
        sock.set_send_buffer_size(u32::try_from(bytes).unwrap_or(u32::MAX).max(4096))?;
    }
    sock.bind(addr)?;
    sock.listen(backlog)
}

/// `true` for "out of file descriptors" (`EMFILE`, `ENFILE`; also `ENOBUFS`/`ENOMEM`,
/// which a retry after a pause cures the same way).
pub fn is_resource_exhaustion(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24 | 105 | 12))
}

/// An accept loop that never fails: on `EMFILE`/`ENFILE` it pauses (1 ms doubling to
/// 1 s, reset by the next success) and logs at most once per interval; other accept
/// errors (a peer that reset before `accept`) are skipped.
#[derive(Debug)]
pub struct Acceptor {
    listener: TcpListener,
    adm: Arc<Admission>,
    pause_ms: u64,
}

/// Longest pause of [`Acceptor`] when out of descriptors.
pub const MAX_PAUSE: Duration = Duration::from_secs(1);

impl Acceptor {
    /// Accepts from `listener`, counting into `adm`.
    pub fn new(listener: TcpListener, adm: Arc<Admission>) -> Acceptor {
        Acceptor {
            listener,
            adm,
            pause_ms: 0,
        }
    }

    /// The listener.
    pub fn listener(&self) -> &TcpListener {
        &self.listener
    }

    /// The next connection (`TCP_NODELAY` set).
    pub async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => {
                    self.pause_ms = 0;
                    let _ = stream.set_nodelay(true);
                    return (stream, peer);
                }
                Err(e) if is_resource_exhaustion(&e) => {
                    self.adm.descriptor_pause();
                    let at = self
                        .listener
                        .local_addr()
                        .map_or_else(|_| "listener".to_string(), |a| a.to_string());
                    if let Some(line) = self.adm.log_line(Overload::Descriptors, &at) {
                        eprintln!("{line} ({e}); accepting pauses and resumes by itself");
                    }
                    self.pause_ms = (self.pause_ms * 2).clamp(1, MAX_PAUSE.as_millis() as u64);
                    tokio::time::sleep(Duration::from_millis(self.pause_ms)).await;
                }
                Err(_) => tokio::task::yield_now().await,
            }
        }
    }
}

static REFUSING: AtomicU32 = AtomicU32::new(0);

/// Answers `stream` with the core's 503 for `overload` and closes it: politely (write,
/// shut down, drain ≤ 1 s so the answer is not lost to a reset) while fewer than
/// [`MAX_REFUSING`] refusals are in flight, else one non-blocking write and a close.
/// Logs at most once per interval. Needs a tokio runtime.
pub fn refuse_stream(adm: &Admission, stream: TcpStream, peer: SocketAddr, overload: Overload) {
    let answer = refusal(overload, adm.limits().retry_after_s).response;
    if let Some(line) = adm.log_line(overload, &peer.to_string()) {
        eprintln!("{line}");
    }
    if REFUSING.fetch_add(1, Ordering::Relaxed) >= MAX_REFUSING {
        REFUSING.fetch_sub(1, Ordering::Relaxed);
        let _ = stream.try_write(&answer);
        return;
    }
    tokio::spawn(async move {
        let mut stream = stream;
        let polite = async {
            let _ = stream.write_all(&answer).await;
            let _ = stream.shutdown().await;
            let mut sink = [0u8; 512];
            let mut drained = 0usize;
            while drained < (64 << 10) {
                match stream.read(&mut sink).await {
                    Ok(n) if n > 0 => drained += n,
                    _ => break,
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), polite).await;
        REFUSING.fetch_sub(1, Ordering::Relaxed);
    });
}

/// A stream whose writes fail with `TimedOut` once one stays pending longer than the
/// deadline (a peer that stopped reading): the timer exists only while a write waits.
#[derive(Debug)]
pub struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    pending: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
    /// Wraps `inner` with a deadline of `timeout` per pending write.
    pub fn new(inner: S, timeout: Duration) -> Self {
        WriteDeadline {
            inner,
            timeout,
            pending: None,
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    fn check<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if r.is_ready() {
            self.pending = None;
            return r;
        }
        let timeout = self.timeout;
        let sleep = self
            .pending
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.pending = None;
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "write_timeout: the peer does not read what the server sends",
                )))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, r)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A stream whose reads count the peer's unfinished message (the core's
/// [`MessageMeter`]) against the server's shared
/// [`PeerLimits::message_budget`](wsguard_core::limits::PeerLimits::message_budget)
/// ([`Admission::reserve`]), as `wsguard serve` does with its own reassembly. Metering
/// starts at [`MessageBudget::start`] (after the handshake); when one more byte would
/// pass the budget, the read fails with the core's `message_budget_exhausted` (counted,
/// logged at most once per interval): the peer gets the core's Close 1013 with that code
/// as its reason — written here, below tungstenite, when its output is between frames
/// (the written bytes are metered too) and the socket takes it at once — and the
/// connection is dropped. The bytes are given back when the message completes or the
/// stream is dropped.
#[derive(Debug)]
pub struct MessageBudget<S> {
    inner: S,
    /// `None` until [`MessageBudget::start`]: the handshake's bytes are not frames.
    meter: Option<MessageMeter>,
    /// The frames written so far (where a Close of our own may go).
    written: MessageMeter,
    held: Held,
    exhausted: bool,
}

impl<S> MessageBudget<S> {
    /// Wraps `inner` (before its handshake) to meter it against `adm`'s budget.
    pub fn new(inner: S, adm: Arc<Admission>) -> Self {
        MessageBudget {
            inner,
            meter: None,
            written: MessageMeter::new(),
            held: Held::new(adm),
            exhausted: false,
        }
    }

    /// The handshake is over: the stream's frames start with `tail` (the bytes read past
    /// the request head, which the WebSocket library gets from memory).
    pub fn start(&mut self, tail: &[u8]) {
        self.written = MessageMeter::new(); // what went out before was the 101
        let mut meter = MessageMeter::new();
        let held = meter.feed(tail);
        self.meter = Some(meter);
        self.exhausted = !self.settle(held);
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Bytes of the unfinished message held in the budget now.
    pub fn held(&self) -> u64 {
        self.held.bytes()
    }

    fn exhausted_error() -> io::Error {
        let o = Overload::MessageBudget;
        io::Error::other(format!("{}: {}", o.code(), o.reason()))
    }

    /// Brings the reservation to `held` bytes; `false` when the budget refuses.
    fn settle(&mut self, held: u64) -> bool {
        if held < self.held.bytes() {
            self.held.clear(); // a message completed: what follows starts from 0
        }
        let more = held - self.held.bytes();
        match self.held.grow(more) {
            Ok(()) => true,
            Err(o) => {
                self.held.clear();
                let adm = self.held.admission();
                adm.refused(o);
                if let Some(line) = adm.log_line(o, "connection") {
                    eprintln!("{line}");
                }
                false
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for MessageBudget<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.exhausted {
            return Poll::Ready(Err(Self::exhausted_error()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let this = &mut *self;
        let Some(meter) = this.meter.as_mut() else {
            return Poll::Ready(Ok(())); // still the handshake
        };
        let held = meter.feed(buf.filled().get(before..).unwrap_or(&[]));
        if this.settle(held) {
            return Poll::Ready(Ok(()));
        }
        this.exhausted = true;
        this.try_close(cx);
        Poll::Ready(Err(Self::exhausted_error()))
    }
}

impl<S: AsyncWrite + Unpin> MessageBudget<S> {
    /// One attempt at the core's Close 1013 `message_budget_exhausted`, only between
    /// frames (never inside one of tungstenite's) and only if the socket takes it whole.
    fn try_close(&mut self, cx: &mut Context<'_>) {
        if !self.written.at_frame_boundary() {
            return;
        }
        let o = Overload::MessageBudget;
        let mut frame = [0u8; 64];
        let Ok(n) = wsguard_core::frame::encoder::write_close(
            &mut frame,
            Some(o.close_code()),
            o.code(),
            None,
        ) else {
            return;
        };
        let close = frame.get(..n).unwrap_or(&[]);
        if let Poll::Ready(Ok(sent)) = Pin::new(&mut self.inner).poll_write(cx, close) {
            self.written.feed(close.get(..sent).unwrap_or(&[]));
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for MessageBudget<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.written.feed(buf.get(..n).unwrap_or(&[]));
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The socket [`accept_limited`] hands back: the write deadline over the message budget.
pub type LimitedStream = WriteDeadline<MessageBudget<TcpStream>>;

/// The tokio guard with the peer limits: admits `peer` (or answers the core's 503 and
/// returns [`AcceptError::Refused`]), runs [`crate::tokio::accept_async_within`] with
/// the limits' handshake timeout (a head still incomplete then gets the core's 408
/// `handshake_timeout`; a silent client only the close), and hands back the socket under a [`WriteDeadline`] of the
/// limits' write timeout, its reads metered against the shared message budget
/// ([`MessageBudget`]), plus the [`Permit`] to keep while the connection lives.
pub async fn accept_limited(
    guard: &Guard,
    adm: &Arc<Admission>,
    stream: TcpStream,
    peer: SocketAddr,
) -> Result<(WebSocketStream<LimitedStream>, AcceptedRequest, Permit), AcceptError> {
    let mut permit = match adm.try_admit(peer.ip()) {
        Ok(p) => p,
        Err(o) => {
            refuse_stream(adm, stream, peer, o);
            return Err(AcceptError::Refused(refusal(o, adm.limits().retry_after_s)));
        }
    };
    let timeout = Duration::from_millis(adm.limits().write_timeout_ms);
    let handshake = Duration::from_millis(adm.limits().handshake_timeout_ms);
    let stream = WriteDeadline::new(MessageBudget::new(stream, adm.clone()), timeout);
    let deadline = Some(tokio::time::Instant::now() + handshake);
    let start = |s: &mut LimitedStream, tail: &[u8]| s.get_mut().start(tail);
    let served = crate::tokio::serve(guard, stream, Mode::Off, deadline, start).await;
    let (ws, accepted) = crate::tokio::websocket_only(served)?;
    permit.upgraded();
    Ok((ws, accepted, permit))
}
