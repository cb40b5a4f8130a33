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

#[cfg(test)]
mod tests;
mod types;

pub use types::*;
use types::{ending_to_c, event_to_c};

use crate::ffi::{bytes, bytes_mut, non_null, text, write_opt, wsguard_rejection};
use crate::frame::message_kind_of;
use crate::handle::{self, Handle};
use crate::result::{guard, guard_value, wsguard_result};
use core::ffi::{c_char, c_void};
use wsguard_core::close::MAX_REASON_LEN;
use wsguard_core::connection::{self as conn, Config, Connection, Error};
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

/// Writes the outputs of a handled input (consumed count and event), or reports why the
/// core refused it; shared by both input entry points.
///
/// # Safety
/// `consumed_out`, `event_out` writable; `rejection_out` NULL or writable.
unsafe fn deliver(
    got: Result<conn::Input<'_>, Error>,
    consumed_out: *mut usize,
    event_out: *mut wsguard_connection_event,
    rejection_out: *mut wsguard_rejection,
) -> Result<(), wsguard_result> {
    match got {
        Ok(got) => {
            unsafe {
                consumed_out.write(got.consumed);
                event_out.write(event_to_c(got.event));
            }
            Ok(())
        }
        Err(e) => Err(unsafe { report(e, core::ptr::null_mut(), rejection_out) }),
    }
}

/// Decodes the front of `input[0..input_len)` (the bytes received; masked payloads are
/// unmasked in place) at `now_ms`. `message[0..message_len)` receives messages that
/// arrive in several frames or over several reads: keep its contents between calls. A
/// message that fits it comes whole as one MESSAGE; a longer one comes as PIECE events
/// (`message_len == 0` streams every message not wholly in `input`).
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
        unsafe {
            deliver(
                c.handle_input(now_ms, input, message),
                consumed_out,
                event_out,
                rejection_out,
            )
        }
    })
}

/// Like `wsguard_connection_handle_input` with ONE buffer per connection (half the
/// memory): `buf[start..end)` holds the received bytes and `buf[0..start)` the part of a
/// fragmented message assembled so far (its payload is moved down to the front, so a
/// message up to `buf_len` bytes comes whole, as a MESSAGE). `*consumed_out` counts from
/// `start`: handle the event, then add it to `start`.
///
/// Before moving the unconsumed bytes down to make room for a read, keep the first
/// `wsguard_connection_assembled()` bytes where they are (move `buf[start..end)` to
/// `buf + assembled`); when `end == buf_len` and nothing more can be consumed, call
/// `wsguard_connection_release_assembled` (the message then streams as PIECE events).
///
/// `start > end` or `end > buf_len` is `WSGUARD_RESULT_INVALID_LENGTH`; other results as
/// `wsguard_connection_handle_input`.
///
/// # Safety
/// `connection` live; `buf` points to `buf_len` writable bytes; outputs writable;
/// `rejection_out` NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_connection_handle_input_in_place(
    connection: *mut wsguard_connection,
    now_ms: u64,
    buf: *mut u8,
    buf_len: usize,
    start: usize,
    end: usize,
    consumed_out: *mut usize,
    event_out: *mut wsguard_connection_event,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(consumed_out)?;
        non_null(event_out)?;
        let c = unsafe { handle::get_mut(connection)? };
        let buf = unsafe { bytes_mut(buf, buf_len)? };
        if start > end || end > buf.len() {
            return Err(wsguard_result::InvalidLength);
        }
        unsafe {
            deliver(
                c.handle_input_in_place(now_ms, buf, start, end),
                consumed_out,
                event_out,
                rejection_out,
            )
        }
    })
}

/// Bytes at the front of the `wsguard_connection_handle_input_in_place` buffer that hold
/// the part of a message assembled so far (keep them when you move bytes down); 0 for
/// NULL or a dead handle.
///
/// # Safety
/// `connection` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_assembled(
    connection: *const wsguard_connection,
) -> usize {
    guard_value(0, || {
        unsafe { handle::get(connection) }.map_or(0, |c| c.assembled())
    })
}

/// The in-place buffer is full: hands the assembled part (`buf[0..assembled)`) over as
/// the first PIECE of its message in `*event_out` (kind NONE when nothing is assembled);
/// the message streams as PIECE events from then on and `assembled()` is 0.
///
/// # Safety
/// `connection` live; `buf` is the in-place buffer (`buf_len` bytes); `event_out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_connection_release_assembled(
    connection: *mut wsguard_connection,
    buf: *const u8,
    buf_len: usize,
    event_out: *mut wsguard_connection_event,
) -> wsguard_result {
    guard(|| {
        non_null(event_out)?;
        let c = unsafe { handle::get_mut(connection)? };
        let buf = unsafe { bytes(buf, buf_len)? };
        let ev = c.release_assembled(buf);
        unsafe { event_out.write(event_to_c(ev)) };
        Ok(())
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
