//! # Reader and writer halves
//!
//! [`WebSocket::split`] turns one open WebSocket into a [`Reader`] and a [`Writer`] for
//! two concurrent loops (two embassy tasks' bodies, or two futures joined in one task):
//! the reader waits for messages while the writer sends whenever the application has
//! something to say, and neither blocks the other.
//!
//! * The transport must come in two halves — embassy-net's `TcpSocket::split()`, two
//!   halves of a UART, `tokio::net::TcpStream::into_split()` through
//!   `embedded-io-adapters` — wrapped in a [`Duplex`] for [`connect`](super::connect) /
//!   [`accept`](super::accept).
//! * The halves share the sans-IO [`Connection`] and the write side (write buffer and
//!   write half) through a [`SplitState`] **you** provide (a local, a `static`
//!   `StaticCell`): no allocation.
//! * **The reader keeps the protocol going while the writer is busy.** A ping is
//!   answered and the peer's Close echoed by the reader itself when the writer is idle
//!   (waiting for application data); when the writer is in the middle of a frame, the
//!   pong goes out right after that frame (RFC 6455 allows control frames only between
//!   frames), written by the writer before it returns. When [`Reader::read`] returns
//!   the peer's [`Message::Close`], the echo has been written.
//! * The heartbeat is driven from the reader ([`Reader::heartbeat`]); its pings take
//!   the same write side.
//!
//! ## One executor, no locks to hold
//!
//! The shared state uses `core::cell::{Cell, RefCell}` and one small async write lock
//! the core owns: no critical section, no mutex, no `unsafe`. That is exact for one
//! executor (embassy's thread-mode executor, or one `InterruptExecutor`): both halves
//! must run there, and the compiler enforces it — [`Reader`] and [`Writer`] are not
//! `Send`. On a multi-core chip keep both halves on one core and pass data between
//! cores with your own `embassy_sync` channel (a `CriticalSectionRawMutex` one).
//!
//! ## Panic contract
//!
//! Nothing here panics. The connection's `RefCell` is borrowed only inside synchronous
//! sections of this module (never across an await); the write side's only by the
//! holder of the write lock. Were a borrow ever refused, the call would return
//! [`Error::Broken`] instead of panicking. Dropping a half, or a future of a half, at
//! any await is safe: the lock is released, and a control frame cut short is finished
//! by the next holder (a *data* frame larger than the write buffer cut short leaves the
//! connection [`Error::Broken`], as with [`WebSocket`]).
//!
//! ```
//! # use wsguard_core::io::{Duplex, Message, Options, SplitState, WebSocket};
//! # use wsguard_core::frame::Role;
//! # struct In(&'static [u8]); struct Out(std::vec::Vec<u8>);
//! # impl embedded_io_async::ErrorType for In { type Error = core::convert::Infallible; }
//! # impl embedded_io_async::ErrorType for Out { type Error = core::convert::Infallible; }
//! # impl embedded_io_async::Read for In { async fn read(&mut self, b: &mut [u8]) -> Result<usize, Self::Error> {
//! #     let n = b.len().min(self.0.len()); b[..n].copy_from_slice(&self.0[..n]); self.0 = &self.0[n..]; Ok(n) } }
//! # impl embedded_io_async::Write for Out { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { self.0.extend_from_slice(b); Ok(b.len()) }
//! #     async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
//! # fn block_on<F: core::future::Future>(f: F) -> F::Output { let mut f = core::pin::pin!(f);
//! #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
//! #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } } }
//! # block_on(async {
//! // The server sent a ping, then "hi"; our two halves: `In` and `Out`.
//! let io = Duplex { reader: In(b"\x89\x01p\x81\x02hi"), writer: Out(vec![]) };
//! let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
//! let ws = WebSocket::new(io, &mut rx, &mut tx, Role::Client, Options::new(7)).unwrap();
//! let mut state = SplitState::new();
//! let (mut reader, mut writer) = ws.split(&mut state);
//!
//! // The reader answers the ping on its own (the writer is idle) …
//! assert!(matches!(reader.read().await, Ok(Message::Ping(b"p"))));
//! assert!(matches!(reader.read().await, Ok(Message::Text("hi"))));
//! // … and the writer sends whenever it likes.
//! writer.send_text("hello").await.unwrap();
//! drop((reader, writer));
//! let out = state.into_writer().unwrap().0;
//! assert_eq!(out[0], 0x8a); // the pong (masked: we are the client)
//! assert_eq!(out[2 + 4 + 1], 0x81); // then our text frame
//! # });
//! ```

use core::cell::{Cell, RefCell, RefMut};
use core::future::poll_fn;
use core::task::{Poll, Waker};

use embedded_io_async::{ErrorType, Read, Write};

use super::buf::{beat, beat_fallback, check_send, ended, Beat, Found, RxBuf, Step, TxBuf};
use super::{Error, Message, WebSocket};
use crate::connection::{self, Connection, Ending};
use crate::frame::encoder::{EncodeError, MAX_CLOSE_REASON};
use crate::frame::{CloseState, MessageKind, Role, MIN_BUFFER};
use crate::heartbeat::Heartbeat;
use crate::BufferTooSmall;

/// A transport made of a read half and a write half, so that a [`WebSocket`] over it can
/// be [split](WebSocket::split). Both halves report the same error type.
///
/// ```
/// use wsguard_core::io::Duplex;
/// # struct R; struct W;
/// # impl embedded_io_async::ErrorType for R { type Error = core::convert::Infallible; }
/// # impl embedded_io_async::ErrorType for W { type Error = core::convert::Infallible; }
/// // With embassy-net: `let (reader, writer) = socket.split();`
/// let io = Duplex { reader: R, writer: W };
/// # let _ = io;
/// ```
#[derive(Debug)]
pub struct Duplex<R, W> {
    /// The read half.
    pub reader: R,
    /// The write half.
    pub writer: W,
}

impl<R: ErrorType, W: ErrorType<Error = R::Error>> ErrorType for Duplex<R, W> {
    type Error = R::Error;
}

impl<R: Read, W: ErrorType<Error = R::Error>> Read for Duplex<R, W> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.reader.read(buf).await
    }
}

impl<R: ErrorType, W: Write<Error = R::Error>> Write for Duplex<R, W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.writer.write(buf).await
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.writer.flush().await
    }
}

/// The write half and the write buffer, used by whoever holds the write lock.
#[derive(Debug)]
struct Out<'b, W> {
    io: W,
    tx: TxBuf<'b>,
}

/// What the halves share.
struct Shared<'b, W> {
    conn: RefCell<Connection>,
    /// The write side while nobody holds the write lock (the holder's [`Guard`] owns it
    /// meanwhile and puts it back when dropped).
    out: Cell<Option<Out<'b, W>>>,
    /// The half waiting for the write lock.
    waiter: Cell<Option<Waker>>,
}

/// Caller-provided storage for the state the [`Reader`] and the [`Writer`] share (the
/// sans-IO connection, the write half and the write buffer). Put it where both halves
/// can borrow it for as long as they live: a local next to the buffers, or a
/// `static_cell::StaticCell` for halves handed to `'static` tasks.
///
/// ```
/// use wsguard_core::io::SplitState;
/// # struct W;
/// let state: SplitState<'_, W> = SplitState::new();
/// assert!(state.into_writer().is_none()); // nothing split into it yet
/// ```
#[derive(Debug)]
pub struct SplitState<'b, W> {
    shared: Option<Shared<'b, W>>,
}

impl<W> Default for SplitState<'_, W> {
    fn default() -> Self {
        SplitState::new()
    }
}

impl<'b, W> SplitState<'b, W> {
    /// Empty storage (`const`: fits a `static`).
    pub const fn new() -> Self {
        SplitState { shared: None }
    }

    /// After both halves are dropped: the write half back (e.g. to shut the socket
    /// down), or `None` when nothing was split into this storage.
    pub fn into_writer(self) -> Option<W> {
        self.shared.and_then(|s| s.out.into_inner()).map(|o| o.io)
    }
}

impl<'b, R: Read, W: Write<Error = R::Error>> WebSocket<'b, Duplex<R, W>> {
    /// Splits the WebSocket into a [`Reader`] and a [`Writer`] sharing `state` (see the
    /// [module](self)). Everything carries over: bytes already received, a message
    /// being assembled, a pong owed.
    ///
    /// ```
    /// # use wsguard_core::io::{Duplex, Options, SplitState, WebSocket};
    /// # use wsguard_core::frame::{CloseState, Role};
    /// # struct R; struct W;
    /// # impl embedded_io_async::ErrorType for R { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::ErrorType for W { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::Read for R { async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> { Ok(0) } }
    /// # impl embedded_io_async::Write for W { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { Ok(b.len()) }
    /// #     async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
    /// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
    /// let ws = WebSocket::new(Duplex { reader: R, writer: W }, &mut rx, &mut tx, Role::Client, Options::new(1)).unwrap();
    /// let mut state = SplitState::new();
    /// let (reader, writer) = ws.split(&mut state);
    /// assert_eq!((reader.close_state(), writer.close_state()), (CloseState::Open, CloseState::Open));
    /// ```
    pub fn split<'s>(
        self,
        state: &'s mut SplitState<'b, W>,
    ) -> (Reader<'s, 'b, R, W>, Writer<'s, 'b, W>) {
        let (io, rx, tx, conn) = self.into_parts();
        let shared: &'s Shared<'b, W> = state.shared.insert(Shared {
            conn: RefCell::new(conn),
            out: Cell::new(Some(Out { io: io.writer, tx })),
            waiter: Cell::new(None),
        });
        (
            Reader {
                io: io.reader,
                rx,
                shared,
            },
            Writer { shared },
        )
    }
}

impl<W: core::fmt::Debug> core::fmt::Debug for Shared<'_, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let out = self.out.take();
        let locked = out.is_none();
        let r = f
            .debug_struct("Shared")
            .field("conn", &self.conn)
            .field("out", &out)
            .field("locked", &locked)
            .finish();
        self.out.set(out);
        r
    }
}

/// The write lock: owns the write side while held; puts it back (and wakes the
/// waiting half) on drop.
struct Guard<'s, 'b, W> {
    shared: &'s Shared<'b, W>,
    out: Option<Out<'b, W>>,
}

impl<W> Drop for Guard<'_, '_, W> {
    fn drop(&mut self) {
        if let Some(out) = self.out.take() {
            self.shared.out.set(Some(out));
        }
        if let Some(w) = self.shared.waiter.take() {
            w.wake();
        }
    }
}

impl<'b, W> Guard<'_, 'b, W> {
    /// The write side, unless a large frame was cut short.
    fn out<E>(&mut self) -> Result<&mut Out<'b, W>, Error<E>> {
        match self.out.as_mut() {
            Some(out) if !out.tx.broken && !out.tx.sending_frame => Ok(out),
            _ => Err(Error::Broken),
        }
    }
}

impl<'b, W: Write> Shared<'b, W> {
    fn try_lock(&self) -> Option<Guard<'_, 'b, W>> {
        let out = self.out.take()?;
        Some(Guard {
            shared: self,
            out: Some(out),
        })
    }

    async fn lock(&self) -> Guard<'_, 'b, W> {
        poll_fn(|cx| match self.try_lock() {
            Some(g) => Poll::Ready(g),
            None => {
                if let Some(old) = self.waiter.replace(Some(cx.waker().clone())) {
                    // Two halves, one lock: a second waiter cannot exist; wake it anyway.
                    if !old.will_wake(cx.waker()) {
                        old.wake();
                    }
                }
                Poll::Pending
            }
        })
        .await
    }

    fn conn(&self) -> Result<RefMut<'_, Connection>, Error<W::Error>> {
        self.conn.try_borrow_mut().map_err(|_| Error::Broken)
    }

    /// Writes what waits in the buffer, then every control frame the connection owes.
    /// Ends on a synchronous check, so nothing owed is left behind when the lock is
    /// released right after.
    async fn flush_owed(&self, out: &mut Out<'b, W>) -> Result<(), Error<W::Error>> {
        loop {
            out.tx.flush(&mut out.io).await?;
            let more = out
                .tx
                .queue_transmit(&mut *self.conn()?)
                .map_err(Error::BufferTooSmall)?;
            if !more {
                return Ok(());
            }
        }
    }

    /// Sends what the connection owes: waits for the lock when `wait`, otherwise leaves
    /// it to the holder (who flushes before releasing).
    async fn serve_owed(&self, wait: bool) -> Result<(), Error<W::Error>> {
        let mut guard = match self.try_lock() {
            Some(g) => g,
            None if wait => self.lock().await,
            None => return Ok(()),
        };
        let out = guard.out()?;
        self.flush_owed(out).await
    }

    async fn send_data(
        &self,
        kind: MessageKind,
        data: &[u8],
        last: bool,
        fragment: bool,
    ) -> Result<(), Error<W::Error>> {
        let mut guard = self.lock().await;
        let out = guard.out()?;
        self.flush_owed(out).await?;
        let kind = {
            let conn = self.conn()?;
            check_send(&out.tx, &conn)?;
            match (fragment, out.tx.sending_message) {
                (false, Some(_)) => return Err(Error::MessageInProgress),
                (false, None) => kind,
                // A continuation carries its message's kind, whatever `kind` says.
                (true, open) => open.unwrap_or(kind),
            }
        };
        if fragment {
            out.tx.sending_message = if last { None } else { Some(kind) };
        }
        let conn = &self.conn;
        let begin = |buf: &mut [u8]| match conn.try_borrow_mut() {
            Ok(mut c) => c.begin_frame(kind, data.len() as u64, last, buf),
            Err(_) => Err(connection::Error::Closed),
        };
        let Out { io, tx } = &mut *out;
        let header = tx.begin_frame(begin)?;
        tx.send_frame(io, header, data).await?;
        self.flush_owed(out).await
    }

    async fn send_ping(&self, payload: &[u8]) -> Result<(), Error<W::Error>> {
        let mut guard = self.lock().await;
        let out = guard.out()?;
        self.flush_owed(out).await?;
        {
            let mut conn = self.conn()?;
            if conn.close_state() != CloseState::Open || conn.ending().is_some() {
                return Err(Error::Closed);
            }
            out.tx.stage(|buf| conn.send_ping(payload, buf))?;
        }
        self.flush_owed(out).await
    }

    async fn send_close(&self, code: u16, reason: &str) -> Result<(), Error<W::Error>> {
        if reason.len() > MAX_CLOSE_REASON {
            return Err(Error::Encode(EncodeError::CloseReasonTooLong));
        }
        let mut guard = self.lock().await;
        let out = guard.out()?;
        self.flush_owed(out).await?;
        {
            let mut conn = self.conn()?;
            if conn.close_state() != CloseState::Open {
                return Err(Error::Closed);
            }
            conn.close(0, code, reason)
                .map_err(super::buf::conn_error)?;
        }
        self.flush_owed(out).await
    }

    fn close_state(&self) -> CloseState {
        self.conn
            .try_borrow()
            .map(|c| c.close_state())
            .unwrap_or(CloseState::Closed)
    }

    fn ending(&self) -> Option<Ending> {
        self.conn.try_borrow().ok().and_then(|c| c.ending())
    }
}

/// The reading half of a split [`WebSocket`] (see the [module](self)): messages in,
/// pongs and the Close echo out (through the shared write side), the heartbeat.
///
/// `read` may be dropped at any await (raced against a timer) like
/// [`WebSocket::read`]. Neither half is `Send`: both stay on the executor that split
/// them, which is what makes the shared `Cell`/`RefCell` state sound.
///
/// ```compile_fail
/// # use wsguard_core::io::{Duplex, Options, SplitState, WebSocket};
/// # use wsguard_core::frame::Role;
/// # struct R; struct W;
/// # impl embedded_io_async::ErrorType for R { type Error = core::convert::Infallible; }
/// # impl embedded_io_async::ErrorType for W { type Error = core::convert::Infallible; }
/// # impl embedded_io_async::Read for R { async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> { Ok(0) } }
/// # impl embedded_io_async::Write for W { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { Ok(b.len()) }
/// #     async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
/// fn to_another_core<T: Send>(_: T) {}
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// let ws = WebSocket::new(Duplex { reader: R, writer: W }, &mut rx, &mut tx, Role::Client, Options::new(1)).unwrap();
/// let mut state = SplitState::new();
/// let (reader, _writer) = ws.split(&mut state);
/// to_another_core(reader); // error: the shared state is not `Sync`
/// ```
#[derive(Debug)]
pub struct Reader<'s, 'b, R, W> {
    io: R,
    rx: RxBuf<'b>,
    shared: &'s Shared<'b, W>,
}

impl<R: Read, W: Write<Error = R::Error>> Reader<'_, '_, R, W> {
    /// Reads the next [`Message`], as [`WebSocket::read`]: pings are answered (at once
    /// when the writer is idle, right after its current frame otherwise), the peer's
    /// Close is echoed before it is returned, protocol violations send their Close.
    ///
    /// Errors: [`Error::ConnectionLost`] when the transport ends before the closing
    /// handshake (the writer then gets [`Error::Closed`]), [`Error::Closed`] after it,
    /// [`Error::Protocol`] when the peer breaks RFC 6455.
    ///
    /// ```
    /// # use wsguard_core::io::{Duplex, Error, Message, Options, SplitState, WebSocket};
    /// # use wsguard_core::frame::Role;
    /// # struct In(&'static [u8]); struct Out(usize);
    /// # impl embedded_io_async::ErrorType for In { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::ErrorType for Out { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::Read for In { async fn read(&mut self, b: &mut [u8]) -> Result<usize, Self::Error> {
    /// #     let n = b.len().min(self.0.len()); b[..n].copy_from_slice(&self.0[..n]); self.0 = &self.0[n..]; Ok(n) } }
    /// # impl embedded_io_async::Write for Out { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { self.0 += b.len(); Ok(b.len()) }
    /// #     async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output { let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } } }
    /// # block_on(async {
    /// // The server closes with 1001 "restart".
    /// let io = Duplex { reader: In(b"\x88\x09\x03\xe9restart"), writer: Out(0) };
    /// let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    /// let ws = WebSocket::new(io, &mut rx, &mut tx, Role::Client, Options::new(7)).unwrap();
    /// let mut state = SplitState::new();
    /// let (mut reader, mut writer) = ws.split(&mut state);
    /// let Ok(Message::Close(c)) = reader.read().await else { panic!() };
    /// assert_eq!((c.code, c.reason), (Some(1001), "restart"));
    /// assert_eq!(writer.send_text("late").await, Err(Error::Closed));
    /// # });
    /// ```
    pub async fn read(&mut self) -> Result<Message<'_>, Error<R::Error>> {
        // Something owed from a cancelled call: send it if the writer is idle.
        self.shared.serve_owed(false).await?;
        let found = if let Some(f) = self.rx.resume() {
            f // decoded by a read that was cancelled before it returned it
        } else {
            loop {
                let step = self.rx.decode(&mut *self.shared.conn()?);
                match step {
                    Step::Found(f) => break f,
                    Step::NeedBytes => {
                        let closed = self.close_state() == CloseState::Closed;
                        if let Err(e) = self.rx.read_more(&mut self.io, closed).await {
                            if !matches!(e, Error::Closed) {
                                self.shared.conn()?.handle_eof(0);
                            }
                            return Err(e);
                        }
                    }
                    Step::Violation(e) => {
                        // Best effort: the Close with the violation's code.
                        let _ = self.shared.serve_owed(true).await;
                        return Err(Error::Protocol(e));
                    }
                    Step::Ended => return Err(ended(&*self.shared.conn()?)),
                    Step::Full => {
                        return Err(Error::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }))
                    }
                }
            }
        };
        match found {
            Found::Ping { .. } => self.shared.serve_owed(false).await?,
            Found::Close { .. } => self.shared.serve_owed(true).await?,
            _ => {}
        }
        self.rx.delivered();
        self.rx.message(found)
    }

    /// Sends the pings `heartbeat` asks for at `now` (monotonic ms) and returns when to
    /// call again, as [`WebSocket::heartbeat`]: `Some(deadline)` clamped to
    /// [`MAX_DEADLINE_MS`](super::MAX_DEADLINE_MS), `None` once a Close was sent (by the
    /// writer) or received. A ping waits for the writer's current frame. Fails with
    /// [`Error::PeerDead`].
    ///
    /// ```
    /// # use wsguard_core::io::{Duplex, Error, Options, SplitState, WebSocket};
    /// # use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig, PeerDead};
    /// # use wsguard_core::frame::Role;
    /// # struct R; struct W(usize);
    /// # impl embedded_io_async::ErrorType for R { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::ErrorType for W { type Error = core::convert::Infallible; }
    /// # impl embedded_io_async::Read for R { async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> { Ok(0) } }
    /// # impl embedded_io_async::Write for W { async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { self.0 += b.len(); Ok(b.len()) }
    /// #     async fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) } }
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output { let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } } }
    /// # block_on(async {
    /// let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    /// let ws = WebSocket::new(Duplex { reader: R, writer: W(0) }, &mut rx, &mut tx, Role::Client, Options::new(7)).unwrap();
    /// let mut state = SplitState::new();
    /// let (mut reader, _writer) = ws.split(&mut state);
    /// let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 2_500, 3).unwrap(), 0);
    /// assert_eq!(reader.heartbeat(&mut hb, 0).await, Ok(Some(1_000)));
    /// assert_eq!(reader.heartbeat(&mut hb, 1_000).await, Ok(Some(2_000))); // pinged
    /// assert_eq!(reader.heartbeat(&mut hb, 2_500).await, Err(Error::PeerDead(PeerDead::Silent)));
    /// # });
    /// ```
    pub async fn heartbeat(
        &mut self,
        heartbeat: &mut Heartbeat,
        now: u64,
    ) -> Result<Option<u64>, Error<R::Error>> {
        for _ in 0..2 {
            if self.close_state() != CloseState::Open {
                return Ok(None); // no pings after a Close, whoever sent it
            }
            match beat(heartbeat, now)? {
                Beat::Wait(deadline) => return Ok(deadline),
                Beat::Ping(payload) => self.shared.send_ping(&payload).await?,
            }
        }
        Ok(beat_fallback(heartbeat, now))
    }

    /// Where the closing handshake stands.
    pub fn close_state(&self) -> CloseState {
        self.shared.close_state()
    }

    /// Why the connection ended, once it has (close code and reason, violation, lost).
    pub fn ending(&self) -> Option<Ending> {
        self.shared.ending()
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.shared
            .conn
            .try_borrow()
            .map(|c| c.role())
            .unwrap_or(Role::Client)
    }
}

/// The writing half of a split [`WebSocket`] (see the [module](self)). Each send takes
/// the shared write lock for the frame and, before returning, also writes the pongs and
/// the Close echo the reader queued meanwhile.
#[derive(Debug)]
pub struct Writer<'s, 'b, W> {
    shared: &'s Shared<'b, W>,
}

impl<W: Write> Writer<'_, '_, W> {
    /// Sends a whole text message ([`Error::Closed`] once a Close was sent or received).
    pub async fn send_text(&mut self, text: &str) -> Result<(), Error<W::Error>> {
        self.shared
            .send_data(MessageKind::Text, text.as_bytes(), true, false)
            .await
    }

    /// Sends a whole binary message.
    pub async fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.shared
            .send_data(MessageKind::Binary, data, true, false)
            .await
    }

    /// Sends one fragment of a message, as [`WebSocket::send_fragment`]; the reader's
    /// pongs may go out between fragments.
    pub async fn send_fragment(
        &mut self,
        kind: MessageKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<W::Error>> {
        self.shared.send_data(kind, data, last, true).await
    }

    /// Sends a ping (payload ≤ 125 bytes).
    pub async fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<W::Error>> {
        self.shared.send_ping(payload).await
    }

    /// Sends a Close (`code` wire-valid, `reason` ≤ 123 bytes). The reader then reads
    /// until the peer's [`Message::Close`] (bound that wait with your own timer); no
    /// data may be sent after it.
    pub async fn send_close(&mut self, code: u16, reason: &str) -> Result<(), Error<W::Error>> {
        self.shared.send_close(code, reason).await
    }

    /// Writes whatever is owed (a pong, the Close echo, bytes of a cancelled send).
    pub async fn flush(&mut self) -> Result<(), Error<W::Error>> {
        self.shared.serve_owed(true).await
    }

    /// Where the closing handshake stands.
    pub fn close_state(&self) -> CloseState {
        self.shared.close_state()
    }

    /// Why the connection ended, once it has.
    pub fn ending(&self) -> Option<Ending> {
        self.shared.ending()
    }
}

#[cfg(test)]
mod tests;
