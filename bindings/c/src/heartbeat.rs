//! Heartbeat: when to ping, when the peer is dead, and the round-trip time — the core's
//! `wsguard_core::heartbeat` state machine as an opaque `wsguard_heartbeat`.
//!
//! The caller passes monotonic milliseconds (`now_ms`) and inbound events in and pulls the
//! next action out with `wsguard_heartbeat_poll`; nothing here reads a clock or sends
//! anything. Every decision is the core's: this module only translates types.

use crate::ffi::{bytes, non_null, write_opt, wsguard_rejection, wsguard_str};
use crate::frame::role_of;
use crate::handle::{self, Handle};
use crate::result::{guard, guard_value, wsguard_result};
use core::ffi::c_void;
use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
use wsguard_core::Diagnostic;

/// Heartbeat timing. Fill it with `wsguard_heartbeat_config_default()` (or set the three
/// fields); it is checked when a heartbeat is created: `interval_ms > 0`,
/// `dead_timeout_ms > interval_ms`, `max_missed >= 1`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_heartbeat_config {
    /// Ping after this much inbound silence (ms), then again every interval.
    pub interval_ms: u64,
    /// Inbound silence (ms) after which the peer is dead.
    pub dead_timeout_ms: u64,
    /// The peer is also dead when this many pings in a row went unanswered and the next
    /// one is due.
    pub max_missed: u32,
}

pub(crate) fn config_to_c(c: &HeartbeatConfig) -> wsguard_heartbeat_config {
    wsguard_heartbeat_config {
        interval_ms: c.interval_ms(),
        dead_timeout_ms: c.dead_timeout_ms(),
        max_missed: c.max_missed(),
    }
}

/// Checks a C config with the core's checked constructor; a refusal fills the rejection.
///
/// # Safety
/// `config` is NULL (the default) or valid; `rejection_out` is NULL or writable.
pub(crate) unsafe fn config_from_c(
    config: *const wsguard_heartbeat_config,
    rejection_out: *mut wsguard_rejection,
) -> Result<HeartbeatConfig, wsguard_result> {
    if config.is_null() {
        return Ok(HeartbeatConfig::DEFAULT);
    }
    let c = unsafe { &*config };
    HeartbeatConfig::new(c.interval_ms, c.dead_timeout_ms, c.max_missed).map_err(|e| {
        unsafe { write_opt(rejection_out, wsguard_rejection::from_diag(&e, 0, 0)) };
        wsguard_result::InvalidConfig
    })
}

/// Fills `*config_out` with the core's default: ping after 20 000 ms of silence, dead
/// after 30 000 ms of silence or 2 unanswered pings.
///
/// ```c
/// wsguard_heartbeat_config cfg;
/// wsguard_heartbeat_config_default(&cfg);
/// cfg.interval_ms = 10000; cfg.dead_timeout_ms = 15000;
/// ```
///
/// # Safety
/// `config_out` points to a writable `wsguard_heartbeat_config`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_config_default(
    config_out: *mut wsguard_heartbeat_config,
) -> wsguard_result {
    guard(|| {
        non_null(config_out)?;
        unsafe { config_out.write(config_to_c(&HeartbeatConfig::DEFAULT)) };
        Ok(())
    })
}

/// Derives the schedule of one side (`role`: a `wsguard_role` value) from a configuration
/// shared by both sides, so client and server never ping at the same time: the server uses
/// it as it is, the client waits `interval + interval/2` before pinging and
/// `dead_timeout + interval/2` before declaring the server dead.
///
/// `config` is checked first: `WSGUARD_RESULT_INVALID_CONFIG` with `*rejection_out` (may be
/// NULL; `heartbeat_zero_interval`, `heartbeat_timeout_not_above_interval`,
/// `heartbeat_zero_max_missed`). An unknown role is `WSGUARD_RESULT_INVALID_ARGUMENT`.
/// `*config_out` is written only on success (it may be the same struct as `config`).
///
/// ```c
/// wsguard_heartbeat_config shared = {20000, 30000, 2}, mine;
/// wsguard_heartbeat_config_for_role(&shared, WSGUARD_ROLE_CLIENT, &mine, NULL);
/// /* mine = {30000, 40000, 2} */
/// ```
///
/// # Safety
/// `config` points to a valid config; `config_out` is writable; `rejection_out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_config_for_role(
    config: *const wsguard_heartbeat_config,
    role: u32,
    config_out: *mut wsguard_heartbeat_config,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(config)?;
        non_null(config_out)?;
        let role = role_of(role)?;
        let cfg = unsafe { config_from_c(config, rejection_out)? };
        unsafe { config_out.write(config_to_c(&cfg.for_role(role))) };
        Ok(())
    })
}

/// The heartbeat state of one connection (opaque). Create it with
/// `wsguard_heartbeat_init` (caller storage) or `wsguard_heartbeat_new` (heap).
#[allow(non_camel_case_types)]
pub struct wsguard_heartbeat {
    h: Handle<Heartbeat>,
}

/// Bytes of caller storage a heartbeat needs (`wsguard_heartbeat_init`).
pub const WSGUARD_HEARTBEAT_STORAGE_SIZE: usize = 256;
/// Alignment (in bytes) the heartbeat storage must have.
pub const WSGUARD_HEARTBEAT_STORAGE_ALIGN: usize = 8;
const _: () = assert!(core::mem::size_of::<wsguard_heartbeat>() <= WSGUARD_HEARTBEAT_STORAGE_SIZE);
const _: () =
    assert!(core::mem::align_of::<wsguard_heartbeat>() <= WSGUARD_HEARTBEAT_STORAGE_ALIGN);

impl handle::Wrapped for wsguard_heartbeat {
    type Inner = Heartbeat;
    const STORAGE_SIZE: usize = WSGUARD_HEARTBEAT_STORAGE_SIZE;
    fn handle(&self) -> &Handle<Heartbeat> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<Heartbeat> {
        &mut self.h
    }
    fn wrap(h: Handle<Heartbeat>) -> Self {
        wsguard_heartbeat { h }
    }
}

/// Starts the heartbeat of a connection opened at `now_ms` (the handshake counts as
/// inbound activity) inside caller storage: `storage` must hold
/// `WSGUARD_HEARTBEAT_STORAGE_SIZE` bytes aligned to `WSGUARD_HEARTBEAT_STORAGE_ALIGN`
/// (`WSGUARD_RESULT_INVALID_STORAGE` otherwise). `config` NULL means the default.
/// A refused config gives `WSGUARD_RESULT_INVALID_CONFIG` and `*rejection_out` (may be NULL).
///
/// On success `*heartbeat_out` points into `storage`, which must stay valid and unmoved
/// while the heartbeat is used; `wsguard_heartbeat_free` only marks it dead. Nothing is
/// written on failure. Allocates nothing.
///
/// ```c
/// static uint64_t storage[WSGUARD_HEARTBEAT_STORAGE_SIZE / 8];
/// wsguard_heartbeat_config cfg = {20000, 30000, 2};
/// wsguard_heartbeat *hb;
/// wsguard_heartbeat_init(storage, sizeof storage, &cfg, now_ms(), &hb, NULL);
/// ```
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `config` is NULL or valid;
/// `heartbeat_out` points to a writable pointer; `rejection_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_init(
    storage: *mut c_void,
    storage_len: usize,
    config: *const wsguard_heartbeat_config,
    now_ms: u64,
    heartbeat_out: *mut *mut wsguard_heartbeat,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(heartbeat_out)?;
        let cfg = unsafe { config_from_c(config, rejection_out)? };
        let p = unsafe {
            handle::init_in::<wsguard_heartbeat>(storage, storage_len, Heartbeat::new(cfg, now_ms))?
        };
        unsafe { heartbeat_out.write(p) };
        Ok(())
    })
}

/// Starts a heartbeat on the heap (see `wsguard_heartbeat_init`); release it with
/// `wsguard_heartbeat_free`. Nothing is written on failure.
///
/// ```c
/// wsguard_heartbeat *hb = NULL;
/// if (wsguard_heartbeat_new(NULL, now_ms(), &hb, NULL) == WSGUARD_RESULT_OK) {
///     /* ... */
///     wsguard_heartbeat_free(hb);
/// }
/// ```
///
/// # Safety
/// `config` is NULL or valid; `heartbeat_out` points to a writable pointer;
/// `rejection_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_new(
    config: *const wsguard_heartbeat_config,
    now_ms: u64,
    heartbeat_out: *mut *mut wsguard_heartbeat,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(heartbeat_out)?;
        let cfg = unsafe { config_from_c(config, rejection_out)? };
        let p = handle::new_boxed::<wsguard_heartbeat>(Heartbeat::new(cfg, now_ms));
        unsafe { heartbeat_out.write(p) };
        Ok(())
    })
}

/// Releases a heartbeat: frees it when it came from `wsguard_heartbeat_new`, only marks it
/// dead when it lives in caller storage. NULL is ignored. Using a heap handle after
/// this call is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// ```c
/// wsguard_heartbeat_free(hb);
/// hb = NULL;
/// ```
///
/// # Safety
/// `heartbeat` is NULL or a live heartbeat, freed at most once and not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_free(heartbeat: *mut wsguard_heartbeat) {
    guard_value((), || unsafe { handle::free(heartbeat) })
}

/// What to do next (`wsguard_heartbeat_action.kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_heartbeat_action_kind {
    /// Nothing to do; poll again at `until_ms` (or when a frame arrives).
    Wait = 1,
    /// Send a Ping frame now with `payload` (8 bytes: `seq` big-endian).
    SendPing = 2,
    /// The peer is dead: close the TCP connection (a Close handshake would not complete)
    /// and report 1006 locally. `wsguard_heartbeat_status_get()` says why.
    PeerDead = 3,
}

/// The next action of a heartbeat (`wsguard_heartbeat_poll`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_heartbeat_action {
    /// What to do.
    pub kind: wsguard_heartbeat_action_kind,
    /// `WAIT`: the next deadline in monotonic ms (`UINT64_MAX`: none); 0 otherwise.
    pub until_ms: u64,
    /// `SEND_PING`: sequence number of this ping (1, 2, 3 …); 0 otherwise.
    pub seq: u64,
    /// `SEND_PING`: the Ping payload to send (the matching Pong echoes it); zeros otherwise.
    pub payload: [u8; 8],
}

/// Decides what to do at `now_ms`: send a ping, wait until a deadline, or give up on the
/// peer. Once `WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD` is returned it is returned forever;
/// after `wsguard_heartbeat_on_close` it is `WAIT` with `until_ms == UINT64_MAX`.
/// Writes `*action_out` on success.
///
/// ```c
/// wsguard_heartbeat_action a;
/// uint8_t frame[16];
/// size_t n;
/// wsguard_heartbeat_poll(hb, now_ms(), &a);
/// if (a.kind == WSGUARD_HEARTBEAT_ACTION_KIND_SEND_PING) {
///     wsguard_frame_write_ping(frame, sizeof frame, false, a.payload, 8, NULL, 0, &n, NULL, NULL);
///     send(fd, frame, n, 0);
/// } else if (a.kind == WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD) {
///     close(fd);                       /* report 1006 locally */
/// } else {
///     poll_timeout_until(a.until_ms);  /* UINT64_MAX: no deadline */
/// }
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat; `action_out` points to a writable action.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_poll(
    heartbeat: *mut wsguard_heartbeat,
    now_ms: u64,
    action_out: *mut wsguard_heartbeat_action,
) -> wsguard_result {
    guard(|| {
        non_null(action_out)?;
        let hb = unsafe { handle::get_mut(heartbeat)? };
        let a = match hb.poll(now_ms) {
            Action::Wait { until } => wsguard_heartbeat_action {
                kind: wsguard_heartbeat_action_kind::Wait,
                until_ms: until,
                seq: 0,
                payload: [0; 8],
            },
            Action::SendPing { payload, seq } => wsguard_heartbeat_action {
                kind: wsguard_heartbeat_action_kind::SendPing,
                until_ms: 0,
                seq,
                payload,
            },
            Action::PeerDead => wsguard_heartbeat_action {
                kind: wsguard_heartbeat_action_kind::PeerDead,
                until_ms: 0,
                seq: 0,
                payload: [0; 8],
            },
        };
        unsafe { action_out.write(a) };
        Ok(())
    })
}

/// Any inbound frame (data, ping, pong, close) arrived at `now_ms`: the peer is alive.
/// Restarts the idle timer.
///
/// ```c
/// wsguard_heartbeat_on_activity(hb, now_ms());   /* after every decoded frame */
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_on_activity(
    heartbeat: *mut wsguard_heartbeat,
    now_ms: u64,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(heartbeat)? }.on_activity(now_ms);
        Ok(())
    })
}

/// A Pong arrived at `now_ms` with `payload` (`payload_len` bytes; NULL only with 0). It
/// counts as activity. When it answers the latest outstanding ping, `*answered_out` is
/// true and `*rtt_ms_out` the round-trip time; stale and unsolicited pongs are counted
/// (see `wsguard_heartbeat_status_get`) and give false and 0. Both outputs may be NULL and are
/// written only on success.
///
/// ```c
/// bool answered; uint64_t rtt;
/// wsguard_heartbeat_on_pong(hb, now_ms(), ev.payload, ev.payload_len, &answered, &rtt);
/// if (answered) printf("rtt %llu ms\n", (unsigned long long)rtt);
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat; `payload` points to `payload_len` bytes; the outputs
/// are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_on_pong(
    heartbeat: *mut wsguard_heartbeat,
    now_ms: u64,
    payload: *const u8,
    payload_len: usize,
    answered_out: *mut bool,
    rtt_ms_out: *mut u64,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { bytes(payload, payload_len)? };
        let hb = unsafe { handle::get_mut(heartbeat)? };
        let rtt = hb.on_pong(now_ms, data);
        unsafe {
            write_opt(answered_out, rtt.is_some());
            write_opt(rtt_ms_out, rtt.unwrap_or(0));
        }
        Ok(())
    })
}

/// A Ping arrived at `now_ms`. It counts as activity. `*send_pong_out` says whether a Pong
/// must be sent: true, except after `wsguard_heartbeat_on_close` (RFC 6455 §5.5.2) or once
/// the peer was declared dead.
///
/// ```c
/// bool pong;
/// wsguard_heartbeat_on_ping_received(hb, now_ms(), &pong);
/// if (pong) /* write a Pong echoing the ping's payload */;
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat; `send_pong_out` points to a writable `bool`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_on_ping_received(
    heartbeat: *mut wsguard_heartbeat,
    now_ms: u64,
    send_pong_out: *mut bool,
) -> wsguard_result {
    guard(|| {
        non_null(send_pong_out)?;
        let hb = unsafe { handle::get_mut(heartbeat)? };
        let pong = hb.on_ping_received(now_ms);
        unsafe { send_pong_out.write(pong) };
        Ok(())
    })
}

/// A Close frame was sent or received at `now_ms`: stop pinging and answering pings; the
/// dead-peer timer stops too (the close handshake has its own timeout).
///
/// ```c
/// wsguard_heartbeat_on_close(hb, now_ms());
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_on_close(
    heartbeat: *mut wsguard_heartbeat,
    now_ms: u64,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(heartbeat)? }.on_close(now_ms);
        Ok(())
    })
}

/// Everything the heartbeat knows (`wsguard_heartbeat_status_get`). Strings are static.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_heartbeat_status {
    /// The configuration in use.
    pub config: wsguard_heartbeat_config,
    /// Time of the last inbound frame (ms).
    pub last_activity_ms: u64,
    /// A ping was answered: `last_rtt_ms` and `smoothed_rtt_ms` are set.
    pub has_rtt: bool,
    /// Round-trip time of the last answered ping (ms); 0 when `!has_rtt`.
    pub last_rtt_ms: u64,
    /// Smoothed round-trip time (exponential average, weight 1/8, ms); 0 when `!has_rtt`.
    pub smoothed_rtt_ms: u64,
    /// A ping awaits its pong: `outstanding_seq` is set.
    pub has_outstanding: bool,
    /// Sequence number of the ping awaiting its pong; 0 when none.
    pub outstanding_seq: u64,
    /// Pings sent since the last inbound frame.
    pub unanswered_pings: u32,
    /// Pongs that answered an older ping than the latest one.
    pub stale_pongs: u32,
    /// Pongs that answered no ping of ours.
    pub unsolicited_pongs: u32,
    /// The peer was declared dead (`WSGUARD_HEARTBEAT_ACTION_KIND_PEER_DEAD`).
    pub dead: bool,
    /// Why, when `dead`: `heartbeat_peer_silent` or `heartbeat_missed_pings`; empty
    /// otherwise.
    pub dead_code: wsguard_str,
    /// One sentence saying why the peer is considered dead; empty when not dead.
    pub dead_reason: wsguard_str,
    /// What to do about it; empty when not dead.
    pub dead_remedy: wsguard_str,
}

/// Writes the state of the heartbeat (configuration, last activity, round-trip times,
/// counters and, once the peer is dead, why) into `*status_out`.
///
/// ```c
/// wsguard_heartbeat_status st;
/// wsguard_heartbeat_status_get(hb, &st);
/// if (st.dead) fprintf(stderr, "%.*s\n", (int)st.dead_reason.len, st.dead_reason.ptr);
/// ```
///
/// # Safety
/// `heartbeat` is a live heartbeat (const: not modified); `status_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_heartbeat_status_get(
    heartbeat: *const wsguard_heartbeat,
    status_out: *mut wsguard_heartbeat_status,
) -> wsguard_result {
    guard(|| {
        non_null(status_out)?;
        let hb = unsafe { handle::get(heartbeat)? };
        let dead = hb.dead_reason();
        let s = |f: fn(&dyn Diagnostic) -> &'static str| {
            dead.map(|d| wsguard_str::from_static(f(&d)))
                .unwrap_or(wsguard_str::EMPTY)
        };
        let st = wsguard_heartbeat_status {
            config: config_to_c(hb.config()),
            last_activity_ms: hb.last_activity(),
            has_rtt: hb.last_rtt_ms().is_some(),
            last_rtt_ms: hb.last_rtt_ms().unwrap_or(0),
            smoothed_rtt_ms: hb.smoothed_rtt_ms().unwrap_or(0),
            has_outstanding: hb.outstanding_ping().is_some(),
            outstanding_seq: hb.outstanding_ping().unwrap_or(0),
            unanswered_pings: hb.unanswered_pings(),
            stale_pongs: hb.stale_pongs(),
            unsolicited_pongs: hb.unsolicited_pongs(),
            dead: dead.is_some(),
            dead_code: s(|d| d.code()),
            dead_reason: s(|d| d.reason()),
            dead_remedy: s(|d| d.remedy()),
        };
        unsafe { status_out.write(st) };
        Ok(())
    })
}
