//! # Validated client connect
//!
//! [`connect`] opens a WebSocket the way the probe does — the core parses the URL, writes
//! the upgrade request and validates the answer (diagnosing a non-101) — then hands the
//! socket to tungstenite for messaging. A failure is the probe's [`Finding`]: the step,
//! what happened, the likely cause and the fix.
//!
//! ```no_run
//! use wsguard::probe::ProbeOptions;
//! let mut opts = ProbeOptions::new("wss://chat.example.com/ws");
//! opts.origin = Some("https://chat.example.com".into());
//! match wsguard::client::connect(&opts) {
//!     Ok(mut c) => { c.socket.send(tungstenite::Message::text("hi")).unwrap(); }
//!     Err(f) => eprintln!("{}: {} — {}", f.step, f.what, f.fix),
//! }
//! ```

use crate::probe::{Conn, Finding, ProbeOptions};
use tungstenite::protocol::{Role, WebSocketConfig};
use tungstenite::WebSocket;

/// An open, validated client connection.
#[derive(Debug)]
pub struct Connected {
    /// The tungstenite socket (client role).
    pub socket: WebSocket<Conn>,
    /// Subprotocol the server chose.
    pub subprotocol: Option<String>,
    /// `Server` header of the 101 answer.
    pub server: Option<String>,
    /// Address connected to.
    pub peer: String,
}

/// Connects with `opts` (URL, Origin, token, subprotocols, per-step timeout, CA file).
/// The read/write timeouts of the socket are cleared before it is returned.
pub fn connect(opts: &ProbeOptions) -> Result<Connected, Box<Finding>> {
    connect_with_config(opts, WebSocketConfig::default())
}

/// [`connect`] with a tungstenite configuration (message and frame limits).
pub fn connect_with_config(
    opts: &ProbeOptions,
    config: WebSocketConfig,
) -> Result<Connected, Box<Finding>> {
    let est = crate::probe::establish_or_finding(opts)?;
    let _ = est.conn.tcp().set_read_timeout(None);
    let _ = est.conn.tcp().set_write_timeout(None);
    let socket = WebSocket::from_partially_read(est.conn, est.tail, Role::Client, Some(config));
    Ok(Connected {
        socket,
        subprotocol: est.subprotocol,
        server: est.server,
        peer: est.peer,
    })
}
