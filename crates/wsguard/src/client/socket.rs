//! [`Socket`]: the blocking client WebSocket — a thin driver over the core's sans-IO
//! [`Connection`] (client role). It reads bytes from the [`Conn`] into the connection,
//! writes what [`Connection::poll_transmit`] owes (pongs, the Close reply, heartbeat
//! pings), wakes up for [`Connection::poll_timeout`] on a monotonic clock
//! ([`Instant`] turned into the connection's milliseconds) and turns the core's events
//! into tungstenite [`Message`]s. Decoding, masking, limits, UTF-8, auto-pong and the
//! close handshake are the core's.

use super::net::Conn;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::{coding::CloseCode, CloseFrame};
use tungstenite::Message;
use wsguard_core::connection::{
    Config, Connection, Ending, Error as ConnError, Event, MAX_CONTROL_FRAME,
};
use wsguard_core::frame::{MessageKind, ProtocolError, Role};

/// Bytes asked of the transport per read.
const READ_CHUNK: usize = 16 * 1024;
/// Code of the Close sent by `close(None)` (the core sends a Close with a code).
const NORMAL_CLOSURE: u16 = wsguard_core::close::NORMAL_CLOSURE;

/// Why a [`Socket`] call failed.
///
/// ```
/// use wsguard::client::SocketError;
/// use wsguard_core::connection::Ending;
/// let e = SocketError::Closed(Ending::Lost);
/// assert_eq!(e.to_string(), "the connection has ended (close code 1006)");
/// ```
#[derive(Debug)]
pub enum SocketError {
    /// The deadline set with [`Socket::set_deadline`] passed first.
    Timeout,
    /// Reading or writing the transport failed.
    Io(io::Error),
    /// The server broke RFC 6455; the core's Close (with [`ProtocolError::close_code`])
    /// was sent.
    Protocol(ProtocolError),
    /// The connection has ended: [`Ending`] says how (`Lost`: the transport closed
    /// without a closing handshake; `Closed`: after the Close was returned by `read`).
    Closed(Ending),
    /// The core refused the call (a close code that must not be sent, a ping payload
    /// over 125 bytes …).
    Refused(ConnError),
    /// A message this socket does not send (pongs are the connection's; raw frames).
    Unsupported(&'static str),
}

impl std::fmt::Display for SocketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocketError::Timeout => f.write_str("the deadline passed"),
            SocketError::Io(e) => write!(f, "{e}"),
            SocketError::Protocol(e) => write!(f, "{e}"),
            SocketError::Closed(e) => {
                write!(f, "the connection has ended (close code {})", e.code())
            }
            SocketError::Refused(e) => write!(f, "{e}"),
            SocketError::Unsupported(what) => write!(f, "cannot send {what}"),
        }
    }
}

impl std::error::Error for SocketError {}

/// An open client WebSocket, a driver over the core's [`Connection`]. Messages in and
/// out are tungstenite [`Message`]s; `read` also returns pings (already answered), pongs
/// and the peer's Close (already answered), then [`SocketError::Closed`].
///
/// ```
/// use std::net::TcpListener;
/// use tungstenite::Message;
/// use wsguard::client::{connect, ConnectOptions, SocketError};
/// use wsguard_core::connection::Ending;
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let server = std::thread::spawn(move || {
///     let mut ws = tungstenite::accept(listener.accept().unwrap().0).unwrap();
///     let m = ws.read().unwrap();
///     ws.send(m).unwrap();
///     while ws.read().is_ok() {}
/// });
/// let mut c = connect(&ConnectOptions::new(format!("ws://{addr}/"))).unwrap();
/// c.socket.send(Message::text("hi")).unwrap();
/// assert_eq!(c.socket.read().unwrap(), Message::text("hi"));
/// c.socket.close(None).unwrap();
/// assert!(matches!(c.socket.read(), Ok(Message::Close(Some(f))) if u16::from(f.code) == 1000));
/// assert_eq!(c.socket.connection().ending(), Some(Ending::Closed { code: 1000, by_peer: false }));
/// assert!(matches!(c.socket.read(), Err(SocketError::Closed(_))));
/// server.join().unwrap();
/// ```
#[derive(Debug)]
pub struct Socket {
    stream: Conn,
    conn: Connection,
    epoch: Instant,
    deadline: Option<Instant>,
    /// Received bytes; `rx[pos..]` is not consumed yet.
    rx: Vec<u8>,
    pos: usize,
    /// The pieces of a fragmented message received so far (the core checks their
    /// order, UTF-8 and size; they are only collected here).
    pieces: Vec<u8>,
}

impl Socket {
    /// Drives `conn` over `stream`, the upgrade done; `tail` holds the bytes read after
    /// the 101 head. `config` gets the client role.
    pub(crate) fn new(stream: Conn, tail: Vec<u8>, mut config: Config) -> Self {
        config.decoder.role = Role::Client;
        if config.mask_seed == 0 {
            let r = super::net::random16();
            config.mask_seed = u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]);
        }
        Socket {
            stream,
            conn: Connection::new(config, 0),
            epoch: Instant::now(),
            deadline: None,
            rx: tail,
            pos: 0,
            pieces: Vec::new(),
        }
    }

    /// Every later call returns [`SocketError::Timeout`] once `deadline` has passed
    /// (`None`: block as long as it takes, the default).
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// c.socket.set_deadline(Some(std::time::Instant::now() + std::time::Duration::from_secs(2)));
    /// match c.socket.read() {
    ///     Err(wsguard::client::SocketError::Timeout) => eprintln!("nothing within 2 s"),
    ///     other => println!("{other:?}"),
    /// }
    /// ```
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The transport.
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// println!("connected from {}", c.socket.get_ref().tcp().local_addr().unwrap());
    /// ```
    pub fn get_ref(&self) -> &Conn {
        &self.stream
    }

    /// The core connection (close state, heartbeat, [`Connection::ending`]).
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// assert_eq!(c.socket.connection().ending(), None);
    /// ```
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Sends a text, binary or ping message, or a Close (like [`close`](Self::close)).
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// c.socket.send(tungstenite::Message::binary(vec![1, 2, 3])).unwrap();
    /// ```
    pub fn send(&mut self, message: Message) -> Result<(), SocketError> {
        let (kind, data) = match &message {
            Message::Text(t) => (MessageKind::Text, t.as_bytes()),
            Message::Binary(b) => (MessageKind::Binary, &b[..]),
            Message::Ping(p) => {
                self.flush()?;
                let mut out = [0u8; MAX_CONTROL_FRAME];
                let n = self
                    .conn
                    .send_ping(p, &mut out)
                    .map_err(SocketError::Refused)?;
                return self.write(&out[..n]);
            }
            Message::Close(frame) => return self.close(frame.clone()),
            Message::Pong(_) => return Err(SocketError::Unsupported("a pong")),
            Message::Frame(_) => return Err(SocketError::Unsupported("a raw frame")),
        };
        self.flush()?;
        let mut out = vec![0u8; data.len().saturating_add(14)];
        let n = self
            .conn
            .send(kind, data, &mut out)
            .map_err(SocketError::Refused)?;
        self.write(out.get(..n).unwrap_or_default())
    }

    /// Starts the closing handshake with `frame` (`None`: 1000, no reason); then `read`
    /// until it returns the server's Close (or [`SocketError::Closed`]).
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// c.socket.close(None).unwrap();
    /// while !matches!(c.socket.read(), Ok(tungstenite::Message::Close(_)) | Err(_)) {}
    /// ```
    pub fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), SocketError> {
        let (code, reason) = frame.map_or((NORMAL_CLOSURE, String::new()), |f| {
            (u16::from(f.code), f.reason.as_str().to_string())
        });
        let now = self.now();
        self.conn
            .close(now, code, &reason)
            .map_err(SocketError::Refused)?;
        self.flush()
    }

    /// The next message (see [`Socket`]). Blocks until one arrives, the deadline
    /// passes, or the connection ends.
    ///
    /// ```no_run
    /// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
    /// let mut c = wsguard::client::connect(&opts).unwrap();
    /// while let Ok(m) = c.socket.read() {
    ///     println!("{m:?}");
    /// }
    /// ```
    pub fn read(&mut self) -> Result<Message, SocketError> {
        loop {
            if let Some(m) = self.decode()? {
                return Ok(m);
            }
            let now = self.now();
            if self.conn.poll_timeout().is_some_and(|t| now >= t) {
                self.conn.handle_timeout(now);
                let _ = self.flush();
                continue;
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(SocketError::Timeout);
            }
            self.fill()?;
        }
    }

    /// Milliseconds since the connection opened: the core's clock.
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Feeds the buffered bytes to the connection until it returns a message or needs
    /// more bytes; writes what it owes after each event.
    fn decode(&mut self) -> Result<Option<Message>, SocketError> {
        loop {
            let now = self.now();
            let input = self.rx.get_mut(self.pos..).unwrap_or_default();
            let (consumed, found, event) = match self.conn.handle_input(now, input, &mut []) {
                Ok(got) => (
                    got.consumed,
                    got.event.is_some(),
                    got.event.and_then(|e| owned(e, &mut self.pieces)),
                ),
                Err(ConnError::Protocol(e)) => {
                    let _ = self.flush();
                    return Err(SocketError::Protocol(e));
                }
                Err(ConnError::Closed) => {
                    let _ = self.flush();
                    return Err(SocketError::Closed(
                        self.conn.ending().unwrap_or(Ending::Lost),
                    ));
                }
                Err(e) => return Err(SocketError::Refused(e)),
            };
            self.pos = self.pos.saturating_add(consumed).min(self.rx.len());
            if found && self.conn.wants_transmit() {
                // Best effort: a transport that cannot take the pong or Close reply
                // fails the next read.
                let _ = self.flush();
            }
            if event.is_some() {
                return Ok(event);
            }
            if !found && consumed == 0 {
                return Ok(None);
            }
        }
    }

    /// One read from the transport, waking up for the deadline or the core's timer.
    fn fill(&mut self) -> Result<(), SocketError> {
        let timer = self
            .conn
            .poll_timeout()
            .map(|t| self.epoch + Duration::from_millis(t));
        let wake = match (self.deadline, timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let left = wake.map(|w| {
            w.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        self.stream
            .tcp()
            .set_read_timeout(left)
            .map_err(SocketError::Io)?;
        self.rx.drain(..self.pos);
        self.pos = 0;
        let len = self.rx.len();
        self.rx.resize(len.saturating_add(READ_CHUNK), 0);
        let got = self.stream.read(self.rx.get_mut(len..).unwrap_or_default());
        let n = *got.as_ref().unwrap_or(&0);
        self.rx.truncate(len.saturating_add(n));
        match got {
            Ok(0) => self.conn.handle_eof(self.now()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof
                ) =>
            {
                self.conn.handle_eof(self.now())
            }
            Err(e) => return Err(SocketError::Io(e)),
        }
        Ok(())
    }

    /// Writes the control frames the connection owes.
    fn flush(&mut self) -> Result<(), SocketError> {
        let mut out = [0u8; MAX_CONTROL_FRAME];
        // At most a Close, a pong and a ping are owed.
        for _ in 0..3 {
            match self.conn.poll_transmit(&mut out) {
                Ok(Some(n)) => self.write(out.get(..n).unwrap_or_default())?,
                Ok(None) | Err(_) => break,
            }
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SocketError> {
        let left = self.deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        let tcp = self.stream.tcp();
        tcp.set_write_timeout(left).map_err(SocketError::Io)?;
        self.stream
            .write_all(bytes)
            .and_then(|_| self.stream.flush())
            .map_err(|e| {
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) {
                    SocketError::Timeout
                } else {
                    SocketError::Io(e)
                }
            })
    }
}

/// The core's event as a message; `None` for a piece that does not end its message
/// (collected in `pieces`) and for reserved control opcodes.
fn owned(event: Event<'_>, pieces: &mut Vec<u8>) -> Option<Message> {
    let data = |kind: MessageKind, bytes: Vec<u8>| match kind {
        MessageKind::Text => Message::text(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        MessageKind::Binary | MessageKind::Reserved(_) => Message::binary(bytes),
    };
    match event {
        Event::Message { kind, data: d } => Some(data(kind, d.to_vec())),
        Event::Piece {
            kind,
            data: d,
            first,
            last,
        } => {
            if first {
                pieces.clear();
            }
            pieces.extend_from_slice(d);
            last.then(|| data(kind, std::mem::take(pieces)))
        }
        Event::Ping(p) => Some(Message::Ping(p.to_vec().into())),
        Event::Pong { payload, .. } => Some(Message::Pong(payload.to_vec().into())),
        Event::Close(c) => Some(Message::Close(c.code.map(|code| CloseFrame {
            code: CloseCode::from(code),
            reason: c.reason.into(),
        }))),
        Event::Control { .. } => None,
    }
}
