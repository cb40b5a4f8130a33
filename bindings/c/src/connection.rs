//! One open WebSocket as an opaque `wsguard_connection`: the core's sans-IO
//! `wsguard_core::connection::Connection` (bytes in → events; control frames owed out;
//! deadlines from caller time; auto-pong, the close handshake, reassembly, heartbeat),
//! translated for C. It never reads a socket or a clock and never allocates after
//! `wsguard_connection_new`; every protocol decision is the core's.
//!
//! A driver loop (see `examples/c-gateway/gateway.c`):
//!
//! ```c
//! /* after the 101: */
//! wsguard_connection_config cfg;
//! wsguard_connection_config_default(WSGUARD_ROLE_SERVER, &cfg);
//! cfg.has_heartbeat = true;                     /* ping after 20 s of silence */
//! wsguard_connection *conn;
//! wsguard_connection_new(&cfg, now_ms(), &conn, NULL);
//! /* bytes arrived in in[0..have): */
//! size_t used; wsguard_connection_event ev;
//! while (wsguard_connection_handle_input(conn, now_ms(), in, have, msg, sizeof msg,
//!                                        &used, &ev, &rej) == WSGUARD_RESULT_OK) {
//!     if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_MESSAGE) { /* ev.data, ev.data_len */ }
//!     memmove(in, in + used, have - used); have -= used;  /* after handling ev */
//!     if (ev.kind == WSGUARD_CONNECTION_EVENT_KIND_NONE) break;
//! }
//! /* then send what the protocol owes (pongs, close replies, heartbeat pings): */
//! uint8_t out[WSGUARD_CONNECTION_MAX_CONTROL_FRAME]; size_t n;
//! while (wsguard_connection_poll_transmit(conn, out, sizeof out, &n, NULL) == WSGUARD_RESULT_OK && n)
//!     write(fd, out, n);
//! if (wsguard_connection_is_finished(conn)) close(fd);
//! ```

use crate::close::{info_of, wsguard_close_info};
use crate::ffi::{bytes, bytes_mut, non_null, text, write_opt, wsguard_rejection};
use crate::frame::{message_kind_of, message_opcode, wsguard_decoder_config};
use crate::handle::{self, Handle};
use crate::heartbeat::wsguard_heartbeat_config;
use crate::result::{guard, guard_value, wsguard_result};
use core::ffi::{c_char, c_void};
use wsguard_core::close::MAX_REASON_LEN;
use wsguard_core::connection::{self as conn, Config, Connection, Ending, Error, Event};
use wsguard_core::frame::Opcode;
use wsguard_core::heartbeat::HeartbeatConfig;

/// Largest control frame `wsguard_connection_poll_transmit` writes (2 + 4 + 125 bytes):
/// an output buffer of this size always suffices for it.
pub const WSGUARD_CONNECTION_MAX_CONTROL_FRAME: usize = 131;
const _: () = assert!(WSGUARD_CONNECTION_MAX_CONTROL_FRAME == conn::MAX_CONTROL_FRAME);

/// Longest close reason (bytes) a connection keeps (RFC 6455: 125 − 2).
pub const WSGUARD_CLOSE_REASON_MAX: usize = 123;
const _: () = assert!(WSGUARD_CLOSE_REASON_MAX == MAX_REASON_LEN);

/// Bytes of caller storage a connection needs (`wsguard_connection_init`).
pub const WSGUARD_CONNECTION_STORAGE_SIZE: usize = 1024;
/// Alignment (in bytes) the connection storage must have.
pub const WSGUARD_CONNECTION_STORAGE_ALIGN: usize = 8;

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

fn event_to_c(ev: Option<Event<'_>>) -> wsguard_connection_event {
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

/// One WebSocket connection after the opening handshake (opaque). Create it with
/// `wsguard_connection_init` (caller storage) or `wsguard_connection_new` (heap). Not
/// shared: one thread at a time (or behind your lock: no call ever blocks).
#[allow(non_camel_case_types)]
pub struct wsguard_connection {
    h: Handle<Connection>,
}

const _: () =
    assert!(core::mem::size_of::<wsguard_connection>() <= WSGUARD_CONNECTION_STORAGE_SIZE);
const _: () =
    assert!(core::mem::align_of::<wsguard_connection>() <= WSGUARD_CONNECTION_STORAGE_ALIGN);

impl handle::Wrapped for wsguard_connection {
    type Inner = Connection;
    const STORAGE_SIZE: usize = WSGUARD_CONNECTION_STORAGE_SIZE;
    fn handle(&self) -> &Handle<Connection> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<Connection> {
        &mut self.h
    }
    fn wrap(h: Handle<Connection>) -> Self {
        wsguard_connection { h }
    }
}

/// Fills `*config_out` with the defaults for `role` (`WSGUARD_ROLE_SERVER` or
/// `WSGUARD_ROLE_CLIENT`): the decoder's defaults, no heartbeat (its timing preset to the
/// core's default, so setting `has_heartbeat` is enough), close timeout 5000 ms.
/// `WSGUARD_RESULT_INVALID_ARGUMENT` for an unknown role; nothing written on failure.
///
/// # Safety
/// `config_out` points to a writable `wsguard_connection_config`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_config_default(
    role: u32,
    config_out: *mut wsguard_connection_config,
) -> wsguard_result {
    guard(|| {
        non_null(config_out)?;
        let core = Config::new(crate::frame::role_of(role)?);
        let c = wsguard_connection_config {
            decoder: crate::frame::config_to_c(core.decoder),
            has_heartbeat: core.heartbeat.is_some(),
            heartbeat: crate::heartbeat::config_to_c(
                &core.heartbeat.unwrap_or(HeartbeatConfig::DEFAULT),
            ),
            close_timeout_ms: core.close_timeout_ms,
            mask_seed: core.mask_seed,
        };
        unsafe { config_out.write(c) };
        Ok(())
    })
}

/// Checks a C config with the core's constructors.
///
/// # Safety
/// `config` valid; `rejection_out` NULL or writable.
unsafe fn config_of(
    config: *const wsguard_connection_config,
    rejection_out: *mut wsguard_rejection,
) -> Result<Config, wsguard_result> {
    non_null(config)?;
    let c = unsafe { &*config };
    let decoder = crate::frame::config_from_c(&c.decoder)?;
    let mut cfg = Config::new(decoder.role)
        .with_decoder(decoder)
        .with_close_timeout(c.close_timeout_ms)
        .with_mask_seed(c.mask_seed);
    if c.has_heartbeat {
        cfg = cfg.with_heartbeat(unsafe {
            crate::heartbeat::config_from_c(&c.heartbeat, rejection_out)?
        });
    }
    Ok(cfg)
}

/// Creates a connection opened (handshake done) at `now_ms` (monotonic milliseconds)
/// inside caller storage: `storage` must hold `WSGUARD_CONNECTION_STORAGE_SIZE` bytes
/// aligned to `WSGUARD_CONNECTION_STORAGE_ALIGN` (`WSGUARD_RESULT_INVALID_STORAGE`
/// otherwise). An unknown role is `WSGUARD_RESULT_INVALID_ARGUMENT`; a refused heartbeat
/// config is `WSGUARD_RESULT_INVALID_CONFIG` with `*rejection_out` (may be NULL).
///
/// On success `*connection_out` points into `storage` (keep it valid and unmoved while
/// used; `wsguard_connection_free` only marks it dead). Nothing is written on failure.
/// Allocates nothing.
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `config` is valid;
/// `connection_out` writable; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_init(
    storage: *mut c_void,
    storage_len: usize,
    config: *const wsguard_connection_config,
    now_ms: u64,
    connection_out: *mut *mut wsguard_connection,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(connection_out)?;
        let cfg = unsafe { config_of(config, rejection_out)? };
        let c = Connection::new(cfg, now_ms);
        let p = unsafe { handle::init_in::<wsguard_connection>(storage, storage_len, c)? };
        unsafe { connection_out.write(p) };
        Ok(())
    })
}

/// Creates a connection on the heap (see `wsguard_connection_init`); release it with
/// `wsguard_connection_free`. Nothing is written on failure.
///
/// # Safety
/// `config` valid; `connection_out` writable; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_new(
    config: *const wsguard_connection_config,
    now_ms: u64,
    connection_out: *mut *mut wsguard_connection,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(connection_out)?;
        let cfg = unsafe { config_of(config, rejection_out)? };
        let p = handle::new_boxed::<wsguard_connection>(Connection::new(cfg, now_ms));
        unsafe { connection_out.write(p) };
        Ok(())
    })
}

/// Releases a connection: frees it when it came from `wsguard_connection_new`, only
/// marks it dead in caller storage. NULL is ignored. Using a heap handle after this call
/// is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// # Safety
/// `connection` is NULL or live, released at most once.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_free(connection: *mut wsguard_connection) {
    guard_value((), || unsafe { handle::free(connection) })
}

/// The rejection and result code of a refused call.
fn refusal(e: &Error) -> (wsguard_rejection, wsguard_result) {
    match e {
        Error::Protocol(p) => (
            wsguard_rejection::from_diag(p, 0, p.close_code()),
            wsguard_result::ProtocolViolation,
        ),
        Error::Closed => (
            wsguard_rejection::from_diag(e, 0, 0),
            wsguard_result::ConnectionClosed,
        ),
        _ => (
            wsguard_rejection::from_diag(e, 0, 0),
            wsguard_result::SendRefused,
        ),
    }
}

/// Reports a refused call through `rejection_out` (`BufferTooSmall` through `needed_out`).
///
/// # Safety
/// `rejection_out` and `needed_out` NULL or writable.
unsafe fn report(
    e: Error,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    if let Error::BufferTooSmall(b) = e {
        unsafe { write_opt(needed_out, b.needed) };
        return wsguard_result::BufferTooSmall;
    }
    let (rej, code) = refusal(&e);
    unsafe { write_opt(rejection_out, rej) };
    code
}

/// Decodes the front of `input[0..input_len)` (the bytes received; masked payloads are
/// unmasked in place) at `now_ms`. `message[0..message_len)` receives messages that
/// arrive in several frames: keep its contents between calls; a message longer than it
/// comes as PIECE events (`message_len == 0` streams every fragmented message).
///
/// * `WSGUARD_RESULT_OK`: `*consumed_out` bytes of `input` were used and `*event_out`
///   says what was found (`WSGUARD_CONNECTION_EVENT_KIND_NONE`: nothing complete yet,
///   read more). Handle the event first (its `data` may point into `input`), then drop
///   the consumed bytes from the front of `input` and call again.
/// * `WSGUARD_RESULT_PROTOCOL_VIOLATION`: the peer broke RFC 6455; `*rejection_out` (may
///   be NULL) has the code and `close_code`. The Close is queued: send it with
///   `wsguard_connection_poll_transmit`, then drop the transport.
/// * `WSGUARD_RESULT_CONNECTION_CLOSED`: the connection had ended already.
///
/// Nothing but `input`'s unmasking and `message` is written on failure.
///
/// # Safety
/// `connection` live; `input` points to `input_len` writable bytes, `message` to
/// `message_len` writable bytes (not overlapping); outputs writable; `rejection_out` NULL
/// or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_connection_handle_input(
    connection: *mut wsguard_connection,
    now_ms: u64,
    input: *mut u8,
    input_len: usize,
    message: *mut u8,
    message_len: usize,
    consumed_out: *mut usize,
    event_out: *mut wsguard_connection_event,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(consumed_out)?;
        non_null(event_out)?;
        let c = unsafe { handle::get_mut(connection)? };
        let input = unsafe { bytes_mut(input, input_len)? };
        let message = unsafe { bytes_mut(message, message_len)? };
        match c.handle_input(now_ms, input, message) {
            Ok(got) => {
                unsafe {
                    consumed_out.write(got.consumed);
                    event_out.write(event_to_c(got.event));
                }
                Ok(())
            }
            Err(e) => Err(unsafe { report(e, core::ptr::null_mut(), rejection_out) }),
        }
    })
}

/// Writes the next control frame the protocol owes into `out` — the pong for a ping, the
/// reply to a Close, the heartbeat's ping, the Close of a failed or closing connection.
///
/// * `WSGUARD_RESULT_OK`: `*written_out` bytes to send (0: nothing is owed).
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written or dequeued; `*needed_out` (may be
///   NULL) is the frame's size (`WSGUARD_CONNECTION_MAX_CONTROL_FRAME` always suffices).
///
/// Call it after every `handle_input`, `handle_timeout` and `close` until it writes 0,
/// and write these frames only between your own frames.
///
/// # Safety
/// `connection` live; `out` points to `out_len` writable bytes; `written_out` writable;
/// `needed_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_poll_transmit(
    connection: *mut wsguard_connection,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let c = unsafe { handle::get_mut(connection)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        match c.poll_transmit(dst) {
            Ok(n) => {
                unsafe { written_out.write(n.unwrap_or(0)) };
                Ok(())
            }
            Err(b) => {
                unsafe { write_opt(needed_out, b.needed) };
                Err(wsguard_result::BufferTooSmall)
            }
        }
    })
}

/// Writes one whole message as one frame (header and payload together, ready for one
/// `write`) into `out`. `opcode` is 1 (text: `data` must be UTF-8, which is not checked
/// here), 2 (binary) or a reserved data opcode 3-7; anything else is
/// `WSGUARD_RESULT_INVALID_ARGUMENT`. In the client role the frame is masked.
///
/// * `WSGUARD_RESULT_OK`: `*written_out` bytes of `out`.
/// * `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written; `*needed_out` (may be NULL) is
///   `wsguard_frame_header_len(data_len, masked) + data_len`.
/// * `WSGUARD_RESULT_CONNECTION_CLOSED`: the connection ended or its closing handshake
///   began; `WSGUARD_RESULT_SEND_REFUSED`: a fragmented message is open
///   (`connection_message_in_progress`). Both fill `*rejection_out` (may be NULL).
///
/// # Safety
/// `connection` live; `data` points to `data_len` bytes; `out` to `out_len` writable
/// bytes (not overlapping `data`); `written_out` writable; others NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_connection_send(
    connection: *mut wsguard_connection,
    opcode: u8,
    data: *const u8,
    data_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    let kind = match guard_value(Err(wsguard_result::Panic), || message_kind_of(opcode)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    unsafe {
        write_with(
            connection,
            data,
            data_len,
            out,
            out_len,
            written_out,
            needed_out,
            rejection_out,
            |c, data, out| c.send(kind, data, out),
        )
    }
}

/// Writes one frame of a fragmented message into `out` (header and payload together):
/// the first call with an `opcode` starts the message, the next ones continue it, and
/// `last` ends it. A message streamed from PIECE events is echoed this way, piece by
/// piece. Outputs and errors as `wsguard_connection_send`; a different `opcode` while a
/// message is open is `WSGUARD_RESULT_SEND_REFUSED` (`connection_message_in_progress`).
///
/// # Safety
/// As `wsguard_connection_send`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_connection_send_fragment(
    connection: *mut wsguard_connection,
    opcode: u8,
    data: *const u8,
    data_len: usize,
    last: bool,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    let kind = match guard_value(Err(wsguard_result::Panic), || message_kind_of(opcode)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    unsafe {
        write_with(
            connection,
            data,
            data_len,
            out,
            out_len,
            written_out,
            needed_out,
            rejection_out,
            |c, data, out| c.send_fragment(kind, data, last, out),
        )
    }
}

/// The shared body of the senders: checks the pointers, runs `send` on the core's
/// connection and reports its outcome.
///
/// # Safety
/// As `wsguard_connection_send`.
#[allow(clippy::too_many_arguments)]
unsafe fn write_with(
    connection: *mut wsguard_connection,
    data: *const u8,
    data_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
    send: impl FnOnce(&mut Connection, &[u8], &mut [u8]) -> Result<usize, Error>,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let c = unsafe { handle::get_mut(connection)? };
        let data = unsafe { bytes(data, data_len)? };
        let dst = unsafe { bytes_mut(out, out_len)? };
        match send(c, data, dst) {
            Ok(n) => {
                unsafe { written_out.write(n) };
                Ok(())
            }
            Err(e) => Err(unsafe { report(e, needed_out, rejection_out) }),
        }
    })
}

/// Writes a ping of our own (at most 125 bytes of payload, else
/// `WSGUARD_RESULT_SEND_REFUSED` with `connection_control_too_long`) into `out`. The
/// heartbeat sends its pings by itself (`poll_transmit`); this is for pings you time
/// yourself. Outputs and other errors as `wsguard_connection_send`.
///
/// # Safety
/// As `wsguard_connection_send`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_connection_send_ping(
    connection: *mut wsguard_connection,
    payload: *const u8,
    payload_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    unsafe {
        write_with(
            connection,
            payload,
            payload_len,
            out,
            out_len,
            written_out,
            needed_out,
            rejection_out,
            |c, p, out| c.send_ping(p, out),
        )
    }
}

/// Starts the closing handshake at `now_ms`: queues a Close with `code` and `reason`
/// (UTF-8, cut to `WSGUARD_CLOSE_REASON_MAX` bytes at a character boundary); send it with
/// `wsguard_connection_poll_transmit`, keep reading until the peer's Close ends the
/// connection or `poll_timeout`'s deadline passes.
///
/// `WSGUARD_RESULT_SEND_REFUSED` (`connection_invalid_close_code`) for a code that must not
/// appear on the wire (1005, 1006, 1015, below 1000 …); `WSGUARD_RESULT_CONNECTION_CLOSED`
/// when it is closing or ended already. Both fill `*rejection_out` (may be NULL).
///
/// # Safety
/// `connection` live; `reason` points to `reason_len` bytes (NULL when 0);
/// `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_close(
    connection: *mut wsguard_connection,
    now_ms: u64,
    code: u16,
    reason: *const c_char,
    reason_len: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let c = unsafe { handle::get_mut(connection)? };
        let reason = unsafe { text(reason, reason_len)? };
        c.close(now_ms, code, reason)
            .map_err(|e| unsafe { report(e, core::ptr::null_mut(), rejection_out) })
    })
}

/// The next deadline (monotonic ms) at which to call `wsguard_connection_handle_timeout`:
/// the heartbeat's next ping or dead-peer time, or the end of the close handshake.
/// `*has_deadline_out` is false when there is none (then `*deadline_ms_out` is not
/// written) — there is no sentinel value to overflow your arithmetic.
///
/// # Safety
/// `connection` live; `has_deadline_out` writable; `deadline_ms_out` writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_poll_timeout(
    connection: *const wsguard_connection,
    has_deadline_out: *mut bool,
    deadline_ms_out: *mut u64,
) -> wsguard_result {
    guard(|| {
        non_null(has_deadline_out)?;
        non_null(deadline_ms_out)?;
        let c = unsafe { handle::get(connection)? };
        let d = c.poll_timeout();
        unsafe {
            has_deadline_out.write(d.is_some());
            if let Some(ms) = d {
                deadline_ms_out.write(ms);
            }
        }
        Ok(())
    })
}

/// Runs the timers at `now_ms`: queues the heartbeat's ping (send it with
/// `poll_transmit`), or ends the connection with PEER_DEAD or CLOSE_TIMEOUT (drop the
/// transport).
///
/// # Safety
/// `connection` live.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_handle_timeout(
    connection: *mut wsguard_connection,
    now_ms: u64,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(connection)? }.handle_timeout(now_ms);
        Ok(())
    })
}

/// The peer ended the transport (`read` returned 0) at `now_ms`: ends the connection
/// with LOST (1006) unless it had ended already.
///
/// # Safety
/// `connection` live.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_handle_eof(
    connection: *mut wsguard_connection,
    now_ms: u64,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(connection)? }.handle_eof(now_ms);
        Ok(())
    })
}

/// `true` when `wsguard_connection_poll_transmit` has a frame to write (false for NULL or
/// a dead handle).
///
/// # Safety
/// `connection` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_wants_transmit(
    connection: *const wsguard_connection,
) -> bool {
    guard_value(false, || {
        unsafe { handle::get(connection) }.is_ok_and(|c| c.wants_transmit())
    })
}

/// `true` once the connection has ended and owes nothing more: drop the transport (true
/// for NULL or a dead handle, which have nothing to send either).
///
/// # Safety
/// `connection` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_is_finished(
    connection: *const wsguard_connection,
) -> bool {
    guard_value(true, || {
        unsafe { handle::get(connection) }.map_or(true, |c| c.is_finished())
    })
}

fn ending_to_c(e: Ending, reason: &str) -> wsguard_connection_ending {
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

/// Whether and why the connection ended: `*ended_out` is false while it is open (then
/// `*ending_out` is not written); true with `*ending_out` set once it ended (see
/// `wsguard_connection_ending`, the type).
///
/// # Safety
/// `connection` live; `ended_out` and `ending_out` writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_get_ending(
    connection: *const wsguard_connection,
    ended_out: *mut bool,
    ending_out: *mut wsguard_connection_ending,
) -> wsguard_result {
    guard(|| {
        non_null(ended_out)?;
        non_null(ending_out)?;
        let c = unsafe { handle::get(connection)? };
        let e = c.ending();
        unsafe {
            ended_out.write(e.is_some());
            if let Some(e) = e {
                ending_out.write(ending_to_c(e, c.close_reason()));
            }
        }
        Ok(())
    })
}
