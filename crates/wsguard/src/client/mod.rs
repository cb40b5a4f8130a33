//! # Validated client
//!
//! [`connect`] opens a WebSocket step by step — `url → dns → tcp → tls → upgrade`, each
//! under [`ConnectOptions::timeout`] — with the core doing the protocol work: it parses
//! the URL, writes the upgrade request, validates the answer and, when it is not 101,
//! diagnoses it (sending the core's follow-up requests when one answer cannot name the
//! cause). A failure is a [`Finding`]: the step, what happened, the likely cause and the
//! fix. After the upgrade, messages go through a [`Socket`], a thin driver over the core's
//! sans-IO [`Connection`](wsguard_core::connection::Connection).
//!
//! The probe ([`crate::probe`]) is built on this module: the same steps, then a ping, an
//! optional echo and the closing handshake over the same [`Socket`].
//!
//! ```no_run
//! use wsguard::client::ConnectOptions;
//! let mut opts = ConnectOptions::new("wss://chat.example.com/ws");
//! opts.origin = Some("https://chat.example.com".into());
//! match wsguard::client::connect(&opts) {
//!     Ok(mut c) => { c.socket.send(tungstenite::Message::text("hi")).unwrap(); }
//!     Err(f) => eprintln!("{}: {} — {}", f.step, f.what, f.fix),
//! }
//! ```

mod differential;
mod establish;
mod net;
mod socket;

pub(crate) use establish::{finding, from_failure, shown, Recorder};
pub use net::Conn;
pub use socket::{Socket, SocketError};

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use wsguard_core::connection::Config;
use wsguard_core::frame::Role;

/// Where the token goes in the upgrade request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum TokenPlacement {
    /// `Authorization: Bearer <token>` (what browsers cannot do).
    Authorization,
    /// `?<name>=<token>`.
    Query(String),
    /// `Sec-WebSocket-Protocol: <marker>, <token>`.
    SubprotocolPair(String),
    /// `Sec-WebSocket-Protocol: <prefix><token>`.
    SubprotocolPrefix(String),
}

/// What to connect to and how (the probe's options too: [`crate::probe::ProbeOptions`]
/// is this type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// `Origin` to send, as a browser page on that origin would.
    pub origin: Option<String>,
    /// Bearer token to send.
    pub token: Option<String>,
    /// Where to send the token.
    pub token_placement: TokenPlacement,
    /// Subprotocols to offer, most preferred first.
    pub subprotocols: Vec<String>,
    /// Time limit of each step.
    pub timeout: Duration,
    /// The probe only: send this text message after the ping and expect it back
    /// ([`connect`] ignores it).
    pub echo: Option<String>,
    /// Extra CA certificate(s) (PEM) to trust for wss://, besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
}

impl ConnectOptions {
    /// Defaults: no Origin, no token (Authorization placement when one is set), no
    /// subprotocol, 5 s per step, no echo.
    ///
    /// ```
    /// let o = wsguard::client::ConnectOptions::new("ws://localhost:8000/ws");
    /// assert_eq!(o.timeout, std::time::Duration::from_secs(5));
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            origin: None,
            token: None,
            token_placement: TokenPlacement::Authorization,
            subprotocols: Vec::new(),
            timeout: Duration::from_secs(5),
            echo: None,
            ca_file: None,
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Failed: see [`crate::probe::Report::failure`] (or the [`Finding`] of [`connect`]).
    Failed,
    /// Not run (not applicable, or an earlier step failed).
    Skipped,
}

/// One step of opening a connection (`url`, `dns`, `tcp`, `tls`, `upgrade`) or of the
/// probe after it (`ping`, `echo`, `close`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `url`, `dns`, `tcp`, `tls`, `upgrade`, `ping`, `echo`, `close`.
    pub name: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// Time spent, in milliseconds.
    pub ms: f64,
    /// What it found (`127.0.0.1:8000`, `TLS 1.3, certificate valid for example.com`, `101, subprotocol chat`, `rtt 0.2 ms`).
    pub detail: String,
}

/// The first failure, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Step that failed.
    pub step: &'static str,
    /// Stable machine code (the core's code when the core diagnosed it).
    pub code: String,
    /// What happened, concretely (addresses, status, close code).
    pub what: String,
    /// The most likely cause.
    pub cause: String,
    /// How to fix it.
    pub fix: String,
    /// HTTP status received instead of 101, if any.
    pub http_status: Option<u16>,
    /// Close code received, if any.
    pub close_code: Option<u16>,
    /// What the server itself said (its wsguard code, reason and fix), kept beside the
    /// probe's own cause and fix; `None` when the answer carried no reason.
    pub server: Option<ServerSaid>,
    /// The follow-up requests sent to separate the causes of an ambiguous answer (the
    /// core's differential plan; at most two).
    pub follow_ups: Vec<FollowUpRun>,
    /// When the follow-ups could not decide: the codes of the causes that remain (most
    /// likely first); the cause then names both and how to tell them apart.
    pub remaining: Vec<&'static str>,
}

/// The server's own explanation of a refusal (the body of its answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSaid {
    /// The `Server` header (`uvicorn`, `nginx/1.27.0`, `wsguard` …).
    pub software: Option<String>,
    /// Its machine code (`origin_port` in `origin_port: …`), when it sent one.
    pub code: Option<String>,
    /// Its reason: the first line of the body (the title of an HTML error page).
    pub reason: Option<String>,
    /// Its fix (the body's `fix: …` line), when it sent one.
    pub fix: Option<String>,
}

/// One follow-up request of the differential plan and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRun {
    /// The core's step code (`own_origin`, `no_origin`, `plain_get`, `keep_alive_upgrade`).
    pub step: &'static str,
    /// What was sent.
    pub sent: &'static str,
    /// The status received (101: accepted), `None` when nothing usable came back.
    pub status: Option<u16>,
    /// The answer was the same as the first one (status and reason).
    pub same_as_first: bool,
}

/// An open, validated client connection.
///
/// ```no_run
/// let c = wsguard::client::connect(&wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws")).unwrap();
/// println!("{} chose {:?}", c.peer, c.subprotocol);
/// ```
#[derive(Debug)]
pub struct Connected {
    /// The WebSocket (client role), a driver over the core's connection.
    pub socket: Socket,
    /// Subprotocol the server chose.
    pub subprotocol: Option<String>,
    /// `Server` header of the 101 answer.
    pub server: Option<String>,
    /// Address connected to.
    pub peer: String,
}

/// Connects with `opts` (URL, Origin, token, subprotocols, per-step timeout, CA file)
/// and the core's default connection settings (16 MiB frames, 64 MiB messages, no
/// heartbeat). The socket has no deadline when it is returned.
///
/// ```
/// let err = wsguard::client::connect(&wsguard::client::ConnectOptions::new("http://x/")).unwrap_err();
/// assert_eq!((err.step, err.code.as_str()), ("url", "url_scheme"));
/// ```
pub fn connect(opts: &ConnectOptions) -> Result<Connected, Box<Finding>> {
    connect_with_config(opts, Config::new(Role::Client))
}

/// [`connect`] with the core's connection settings (limits, heartbeat, close timeout;
/// the role is set to client, and a zero mask seed is replaced by a random one).
///
/// ```no_run
/// use wsguard_core::{connection::Config, frame::Role};
/// let opts = wsguard::client::ConnectOptions::new("ws://127.0.0.1:8000/ws");
/// let config = Config::new(Role::Client).with_max_message(1 << 20);
/// let c = wsguard::client::connect_with_config(&opts, config).unwrap();
/// assert_eq!(c.socket.connection().config().decoder.max_message, 1 << 20);
/// ```
pub fn connect_with_config(
    opts: &ConnectOptions,
    config: Config,
) -> Result<Connected, Box<Finding>> {
    let est = establish::establish_or_finding(opts)?;
    Ok(est.into_connected(config))
}

/// `url → … → upgrade` recorded in `rec` (the probe's first five steps), then a socket
/// with `config`.
pub(crate) fn establish(
    opts: &ConnectOptions,
    rec: &mut Recorder,
    config: Config,
) -> Option<Connected> {
    establish::establish(opts, rec).map(|est| est.into_connected(config))
}
