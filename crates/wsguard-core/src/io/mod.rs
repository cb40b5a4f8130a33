//! # Async drivers (feature `embedded-io-async`)
//!
//! The I/O layer for microcontrollers (and anything else with an
//! [`embedded_io_async`] transport: embassy-net TCP sockets, embedded-tls sessions, a
//! tokio stream through `embedded-io-adapters`). It owns no memory and never allocates:
//! the caller passes a read buffer and a write buffer, and every rule comes from the
//! layers below ([`handshake`](crate::handshake), [`frame`](crate::frame),
//! [`heartbeat`](crate::heartbeat)); this module only moves bytes.
//!
//! * [`connect`] — client: writes the upgrade request, validates the answer; a refused
//!   upgrade comes back as a [`Diagnosis`](crate::handshake::Diagnosis) (403 Origin
//!   refused, 200 "not a WebSocket server", proxy dropped the upgrade …).
//! * [`accept`] / [`accept_with`] — server: validates the request with a
//!   [`ServerConfig`](crate::handshake::ServerConfig) and answers 101 or the exact
//!   rejection.
//! * [`WebSocket`] — read [`Message`]s (pongs and the close echo are automatic,
//!   fragmented messages are reassembled, messages larger than the read buffer stream
//!   in [`Message::Piece`]s), send text/binary/fragments/pings, close.
//! * [`WebSocket::split`] — over a transport in two halves ([`Duplex`]), a [`Reader`]
//!   and a [`Writer`] for two concurrent loops (e.g. an embassy reader loop and writer
//!   loop), sharing the connection through caller storage ([`SplitState`]); the reader
//!   answers pings and the peer's Close even while the writer is busy (see [`split`]).
//! * Time is passed in: [`WebSocket::heartbeat`] sends the pings a
//!   [`Heartbeat`](crate::heartbeat::Heartbeat) asks for at `now`, and the errors and the
//!   peer's Close convert to a [`Disconnect`](crate::reconnect::Disconnect) for the
//!   [`Reconnect`](crate::reconnect::Reconnect) policy — so an embassy task races
//!   `ws.read()` against a timer and sleeps until `RetryAt { at_ms }`. Deadlines are
//!   `Option<u64>`, at most [`MAX_DEADLINE_MS`]: `None` is "nothing to wait for", never a
//!   `u64::MAX` that overflows a timer's arithmetic.
//!
//! ## Buffer sizing
//!
//! | buffer | minimum | holds |
//! |---|---|---|
//! | read (`rx`) | [`MIN_BUFFER`](crate::frame::MIN_BUFFER) = 139 | the server's answer head during `connect` (≈ 130–300 bytes; ~1 KiB for error pages), then the largest message you want whole |
//! | write (`tx`) | 139 | the upgrade request during `connect`, then staging of outgoing frames (any size; larger buffers mean fewer transport writes) |
//!
//! ```
//! # async fn session<T: embedded_io_async::Read + embedded_io_async::Write>(tcp: T, now: impl Fn() -> u64) -> Result<(), ()> {
//! use wsguard_core::handshake::ClientRequest;
//! use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig, Role};
//! use wsguard_core::io::{connect, Message, Options};
//!
//! let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//! let req = ClientRequest::new("iot.example.com", "/ws", *b"16 random bytes!");
//! let mut ws = connect(tcp, &mut rx, &mut tx, &req, Options::new(0x1234_5678)).await.map_err(|_| ())?.socket;
//! let mut hb = Heartbeat::new(HeartbeatConfig::DEFAULT.for_role(Role::Client), now());
//! let _next: Option<u64> = ws.heartbeat(&mut hb, now()).await.map_err(|_| ())?; // race read() against it
//! match ws.read().await.map_err(|_| ())? {
//!     m @ Message::Text(_) => { m.update_heartbeat(&mut hb, now()); }
//!     _ => {}
//! }
//! # Ok(()) }
//! ```

mod buf;
mod client;
mod error;
mod message;
mod server;
mod socket;
pub mod split;

pub use client::connect;
pub use error::{AcceptError, ConnectError, Error};
pub use message::Message;
pub use server::{accept, accept_with};
pub use socket::WebSocket;
pub use split::{Duplex, Reader, SplitState, Writer};

use crate::frame::DecoderConfig;

/// The latest deadline the drivers return, in ms: `u64::MAX / 5_242_880`
/// (3,518,437,208,883 ms ≈ 111 years of uptime). [`WebSocket::heartbeat`] and
/// [`Reader::heartbeat`] return `Option<u64>` — `None` when there is nothing to wait
/// for, never a `u64::MAX` sentinel — and clamp `Some` to this value, so converting it
/// to a timer's ticks cannot overflow: `embassy_time::Instant::from_millis(ms)` computes
/// `ms * (TICK_HZ / gcd(TICK_HZ, 1000))`, and that factor is at most 5,242,880 over every
/// tick rate embassy-time offers (the largest, for `tick-hz-5_242_880_000`; 1,000 at the
/// default 1 MHz). A clock that counts from boot never gets near it; a clock counting
/// Unix milliseconds would reach it in 2081.
///
/// ```
/// use wsguard_core::io::MAX_DEADLINE_MS;
/// assert_eq!(MAX_DEADLINE_MS, 3_518_437_208_883);
/// assert!(MAX_DEADLINE_MS.checked_mul(5_242_880).is_some());
/// assert!((MAX_DEADLINE_MS + 1).checked_mul(5_242_880).is_none());
/// ```
pub const MAX_DEADLINE_MS: u64 = u64::MAX / 5_242_880;

/// `ms` clamped to [`MAX_DEADLINE_MS`].
const fn clamp_deadline(ms: u64) -> u64 {
    if ms > MAX_DEADLINE_MS {
        MAX_DEADLINE_MS
    } else {
        ms
    }
}

/// Connection settings shared by [`connect`], [`accept`] and [`WebSocket::new`].
///
/// ```
/// use wsguard_core::io::Options;
/// let o = Options::new(0xC0FFEE).with_max_message(64 * 1024);
/// assert_eq!(o.decoder.max_message, 64 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Options {
    /// Frame-decoder limits and extension bits (its `role` is set by the driver).
    pub decoder: DecoderConfig,
    /// Seed of the masking keys a client puts on every frame. Take it from your hardware
    /// RNG: RFC 6455 §10.3 wants keys a script on the same path cannot predict (xorshift64*
    /// from this seed; a device that runs no third-party code needs only distinct keys).
    /// Unused by servers.
    pub mask_seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options::new(0)
    }
}

impl Options {
    /// Defaults (16 MiB frames, 64 MiB messages: larger ones close with 1009) with
    /// masking keys from `mask_seed`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::io::Options::new(7).mask_seed, 7);
    /// ```
    pub const fn new(mask_seed: u64) -> Self {
        Options {
            decoder: DecoderConfig::client(),
            mask_seed,
        }
    }

    /// Largest message accepted (answered with close code 1009 beyond).
    ///
    /// ```
    /// assert_eq!(wsguard_core::io::Options::new(1).with_max_message(10).decoder.max_message, 10);
    /// ```
    pub const fn with_max_message(mut self, bytes: u64) -> Self {
        self.decoder = self.decoder.with_max_message(bytes);
        self
    }

    /// Largest frame accepted (answered with close code 1009 beyond).
    ///
    /// ```
    /// assert_eq!(wsguard_core::io::Options::new(1).with_max_frame(10).decoder.max_frame, 10);
    /// ```
    pub const fn with_max_frame(mut self, bytes: u64) -> Self {
        self.decoder = self.decoder.with_max_frame(bytes);
        self
    }

    /// Replaces the decoder configuration (e.g. to allow RSV bits of a negotiated
    /// extension); its role is overridden by the driver.
    ///
    /// ```
    /// use wsguard_core::{io::Options, frame::DecoderConfig};
    /// let o = Options::new(1).with_decoder(DecoderConfig::server().lenient_length());
    /// assert!(!o.decoder.strict_length);
    /// ```
    pub const fn with_decoder(mut self, decoder: DecoderConfig) -> Self {
        self.decoder = decoder;
        self
    }
}

/// An open WebSocket and the subprotocol that was agreed on.
#[derive(Debug)]
pub struct Connected<'a, 'b, T> {
    /// The connection.
    pub socket: WebSocket<'b, T>,
    /// The subprotocol chosen by the server (borrowed from the request or the config).
    pub subprotocol: Option<&'a str>,
}

#[cfg(test)]
mod tests;
