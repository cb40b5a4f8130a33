//! The C types of the connection: its configuration, events and endings, and their
//! translation from the core's types.

use super::WSGUARD_CLOSE_REASON_MAX;
use crate::close::{info_of, wsguard_close_info};
use crate::ffi::wsguard_rejection;
use crate::frame::{message_opcode, wsguard_decoder_config};
use crate::heartbeat::wsguard_heartbeat_config;
use core::ffi::c_char;
use wsguard_core::connection::{Ending, Event};
use wsguard_core::frame::Opcode;

/// Settings of one connection. Fill it with `wsguard_connection_config_default()`, then
/// change fields; it is checked when the connection is created.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_connection_config {
    /// Frame rules, limits and our role (`decoder.role`: `WSGUARD_ROLE_SERVER` or
    /// `WSGUARD_ROLE_CLIENT`; it decides the masking rules).
    pub decoder: wsguard_decoder_config,
    /// Run a heartbeat (pings after silence, dead-peer detection) with `heartbeat`.
    /// Default false.
    pub has_heartbeat: bool,
    /// The heartbeat's timing (default: the core's, see
    /// `wsguard_heartbeat_config_default`); used only when `has_heartbeat`.
    pub heartbeat: wsguard_heartbeat_config,
    /// After we send a Close, how long (ms) to wait for the peer's before the connection
    /// ends with `WSGUARD_ENDING_KIND_CLOSE_TIMEOUT` (default 5000).
    pub close_timeout_ms: u64,
    /// Seed of the masking-key stream (client role; 0 = a fixed default). Seed it from a
    /// random source in a client.
    pub mask_seed: u64,
}

/// What `wsguard_connection_handle_input` found.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_connection_event_kind {
    /// Nothing complete yet: read more bytes (`consumed` may still be non-zero).
    None = 0,
    /// A whole message in `data`/`data_len` (text is valid UTF-8); `opcode` says its type.
    Message = 1,
    /// A piece of a message longer than the message buffer, in order (`first`, `last`);
    /// a text piece may end inside a code point (the whole message is validated).
    Piece = 2,
    /// A ping (payload in `data`); the pong is queued: call
    /// `wsguard_connection_poll_transmit`.
    Ping = 3,
    /// A pong (payload in `data`); `has_rtt`/`rtt_ms` when it answered the heartbeat.
    Pong = 4,
    /// The peer's Close: `has_close_code`/`close_code`, reason in `data` (UTF-8). The
    /// reply is queued unless we had sent ours; see `wsguard_connection_get_ending`.
    Close = 5,
    /// A reserved control opcode the configuration allows (`opcode`, payload in `data`).
    Control = 6,
}

/// One event. `data` points into the caller's input or message buffer: it is valid until
/// the caller changes either buffer (handle the event before dropping `consumed` bytes).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_connection_event {
    /// What was found.
    pub kind: wsguard_connection_event_kind,
    /// The wire opcode: 1 text, 2 binary (3-7 reserved) for MESSAGE and PIECE; the
    /// control opcode for PING, PONG, CLOSE and CONTROL; 0 for NONE.
    pub opcode: u8,
    /// PIECE: the first piece of its message (always true for MESSAGE).
    pub first: bool,
    /// PIECE: the last piece (always true for MESSAGE).
    pub last: bool,
    /// The payload (never NULL; may be empty).
    pub data: *const u8,
    /// Bytes at `data`.
    pub data_len: usize,
    /// PONG: it answered the heartbeat's ping and `rtt_ms` is the round-trip time.
    pub has_rtt: bool,
    /// Round-trip time in ms (when `has_rtt`).
    pub rtt_ms: u64,
    /// CLOSE: the payload carried a code (`close_code`); false for an empty Close
    /// (reported as 1005 by `wsguard_connection_ending`, the type).
    pub has_close_code: bool,
    /// CLOSE: the code.
    pub close_code: u16,
}

const NO_DATA: *const u8 = [0u8; 0].as_ptr();

impl wsguard_connection_event {
    const NONE: wsguard_connection_event = wsguard_connection_event {
        kind: wsguard_connection_event_kind::None,
        opcode: 0,
        first: false,
        last: false,
        data: NO_DATA,
        data_len: 0,
        has_rtt: false,
        rtt_ms: 0,
        has_close_code: false,
        close_code: 0,
    };

    fn with(kind: wsguard_connection_event_kind, opcode: u8, data: &[u8]) -> Self {
        wsguard_connection_event {
            kind,
            opcode,
            first: true,
            last: true,
            data: if data.is_empty() {
                NO_DATA
            } else {
                data.as_ptr()
            },
            data_len: data.len(),
            ..Self::NONE
        }
    }
}

pub(super) fn event_to_c(ev: Option<Event<'_>>) -> wsguard_connection_event {
    use wsguard_connection_event_kind as K;
    match ev {
        None => wsguard_connection_event::NONE,
        Some(Event::Message { kind, data }) => {
            wsguard_connection_event::with(K::Message, message_opcode(kind), data)
        }
        Some(Event::Piece {
            kind,
            data,
            first,
            last,
        }) => wsguard_connection_event {
            first,
            last,
            ..wsguard_connection_event::with(K::Piece, message_opcode(kind), data)
        },
        Some(Event::Ping(p)) => wsguard_connection_event::with(K::Ping, Opcode::Ping.as_u8(), p),
        Some(Event::Pong { payload, rtt_ms }) => wsguard_connection_event {
            has_rtt: rtt_ms.is_some(),
            rtt_ms: rtt_ms.unwrap_or(0),
            ..wsguard_connection_event::with(K::Pong, Opcode::Pong.as_u8(), payload)
        },
        Some(Event::Close(c)) => wsguard_connection_event {
            has_close_code: c.code.is_some(),
            close_code: c.code.unwrap_or(0),
            ..wsguard_connection_event::with(K::Close, Opcode::Close.as_u8(), c.reason.as_bytes())
        },
        Some(Event::Control { opcode, payload }) => {
            wsguard_connection_event::with(K::Control, opcode, payload)
        }
    }
}

/// How a connection ended.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_ending_kind {
    /// The closing handshake completed (`code`, `by_peer`, `reason`).
    Closed = 1,
    /// A protocol violation (`failure` says which; its Close, with `code`, is queued).
    Failed = 2,
    /// The heartbeat declared the peer dead (1006; `failure` says why).
    PeerDead = 3,
    /// Our Close went unanswered within `close_timeout_ms` (1006).
    CloseTimeout = 4,
    /// The transport ended without a closing handshake (1006).
    Lost = 5,
}

/// Why a connection ended, classified by the core's close table. Self-contained (the
/// reason is copied in; the strings of `info` and `failure` are static).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_connection_ending {
    /// How it ended.
    pub kind: wsguard_ending_kind,
    /// The close code that ends it (1005 for an empty peer Close, 1006 when no Close
    /// was exchanged).
    pub code: u16,
    /// CLOSED: the peer started the closing handshake.
    pub by_peer: bool,
    /// The code classified: name, category, description, remedy, retry advice.
    pub info: wsguard_close_info,
    /// FAILED: the violation (code such as `frame_masking_required`, its close code);
    /// PEER_DEAD: `heartbeat_peer_silent` or `heartbeat_missed_pings`; otherwise empty.
    pub failure: wsguard_rejection,
    /// The reason text of the Close that ended it (UTF-8, not NUL-terminated).
    pub reason: [c_char; WSGUARD_CLOSE_REASON_MAX],
    /// Bytes of `reason`.
    pub reason_len: usize,
}

pub(super) fn ending_to_c(e: Ending, reason: &str) -> wsguard_connection_ending {
    let (kind, by_peer, failure) = match e {
        Ending::Closed { by_peer, .. } => (
            wsguard_ending_kind::Closed,
            by_peer,
            wsguard_rejection::EMPTY,
        ),
        Ending::Failed(p) => (
            wsguard_ending_kind::Failed,
            false,
            wsguard_rejection::from_diag(&p, 0, p.close_code()),
        ),
        Ending::PeerDead(d) => (
            wsguard_ending_kind::PeerDead,
            false,
            wsguard_rejection::from_diag(&d, 0, e.code()),
        ),
        Ending::CloseTimeout => (
            wsguard_ending_kind::CloseTimeout,
            false,
            wsguard_rejection::EMPTY,
        ),
        Ending::Lost => (wsguard_ending_kind::Lost, false, wsguard_rejection::EMPTY),
    };
    let mut text = [0 as c_char; WSGUARD_CLOSE_REASON_MAX];
    let r = reason.as_bytes();
    let n = r.len().min(text.len());
    for (d, s) in text.iter_mut().zip(r.iter().take(n)) {
        *d = *s as c_char;
    }
    wsguard_connection_ending {
        kind,
        code: e.code(),
        by_peer,
        info: info_of(e.info()),
        failure,
        reason: text,
        reason_len: n,
    }
}
