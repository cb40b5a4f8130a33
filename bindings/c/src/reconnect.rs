//! Reconnect policy: whether and when a client reconnects after a disconnect — the core's
//! `wsguard_core::reconnect` state machine as an opaque `wsguard_reconnect`.
//!
//! The caller passes the disconnect (close code, HTTP status of a refused upgrade, or a
//! transport failure), monotonic milliseconds and one random `uint32_t`; the answer is a
//! `wsguard_reconnect_decision`. No clock, no RNG, no floats; every rule is the core's.

use crate::close::{registry_of, seal_registry, wsguard_close_registry};
use crate::close::{WSGUARD_CLOSE_REGISTRY_BUILTIN, WSGUARD_CLOSE_REGISTRY_CONVENTIONS};
use crate::ffi::{non_null, wsguard_str};
use crate::handle::{self, Handle};
use crate::result::{guard, guard_value, wsguard_result};
use core::ffi::c_void;
use wsguard_core::close::{self, CloseRegistry};
use wsguard_core::reconnect::{
    Decision, Disconnect, Jitter, Reconnect, ReconnectConfig, StopReason, TransportFailure,
};
use wsguard_core::Diagnostic;

/// How the caller's random number spreads the delay under the backoff ceiling `c`
/// (`wsguard_reconnect_config.jitter`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_jitter {
    /// "Full jitter": `delay = c * r / 2^32`, uniform in `[0, c)`.
    Full = 1,
    /// "Equal jitter" (the default): `delay = c/2 + (c - c/2) * r / 2^32`, in `[c/2, c)`.
    Equal = 2,
}

/// Reconnect configuration. Fill it with `wsguard_reconnect_config_default()`, then
/// change fields.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_reconnect_config {
    /// Backoff ceiling of the first attempt, in ms (default 1000). Attempt n has the
    /// ceiling `min(cap_ms, base_ms * 2^(n-1))`.
    pub base_ms: u64,
    /// Largest backoff ceiling, in ms (default 30 000).
    pub cap_ms: u64,
    /// Give up after this many failed attempts in a row; 0 = never (default).
    pub max_attempts: u32,
    /// A `wsguard_jitter` value (default `WSGUARD_JITTER_EQUAL`).
    pub jitter: u32,
    /// A connection must stay up this long before its success resets the attempt counter
    /// (default 10 000 ms).
    pub stable_after_ms: u64,
    /// Delay window after 1001 going away: equal jitter over it (default 2000 ms).
    pub going_away_delay_ms: u64,
    /// Minimum delay after 1013 or HTTP 429 (default 10 000 ms).
    pub overload_delay_ms: u64,
    /// Upper bound on a server's `Retry-After`, in ms (default 600 000).
    pub max_retry_after_ms: u64,
    /// Built-in registry when `app_registry` is NULL: `WSGUARD_CLOSE_REGISTRY_CONVENTIONS`
    /// (default: 4401/4403 → re-authenticate, 4429 → delay …) or
    /// `WSGUARD_CLOSE_REGISTRY_BUILTIN` (no application codes).
    pub registry: u32,
    /// Your application's close codes (consulted before the built-in classification), or
    /// NULL (default). The reconnect policy KEEPS this pointer: the registry must stay
    /// alive and unmoved until the reconnect policy is freed. Creating the policy seals the
    /// registry (`wsguard_close_registry_add` then fails): add every code first.
    pub app_registry: *const wsguard_close_registry,
}

fn jitter_to_c(j: Jitter) -> u32 {
    match j {
        Jitter::Full => wsguard_jitter::Full as u32,
        Jitter::Equal => wsguard_jitter::Equal as u32,
    }
}

fn jitter_of(v: u32) -> Result<Jitter, wsguard_result> {
    match v {
        x if x == wsguard_jitter::Full as u32 => Ok(Jitter::Full),
        x if x == wsguard_jitter::Equal as u32 => Ok(Jitter::Equal),
        _ => Err(wsguard_result::InvalidArgument),
    }
}

fn config_to_c(c: &ReconnectConfig<'_>) -> wsguard_reconnect_config {
    wsguard_reconnect_config {
        base_ms: c.base_ms,
        cap_ms: c.cap_ms,
        max_attempts: c.max_attempts,
        jitter: jitter_to_c(c.jitter),
        stable_after_ms: c.stable_after_ms,
        going_away_delay_ms: c.going_away_delay_ms,
        overload_delay_ms: c.overload_delay_ms,
        max_retry_after_ms: c.max_retry_after_ms,
        registry: WSGUARD_CLOSE_REGISTRY_CONVENTIONS,
        app_registry: core::ptr::null(),
    }
}

/// # Safety
/// `config` is NULL (the default) or valid; its `app_registry` (if any) outlives the policy.
unsafe fn config_from_c(
    config: *const wsguard_reconnect_config,
) -> Result<ReconnectConfig<'static>, wsguard_result> {
    if config.is_null() {
        return Ok(ReconnectConfig::DEFAULT);
    }
    let c = unsafe { &*config };
    let registry: CloseRegistry<'static> = if c.app_registry.is_null() {
        match c.registry {
            WSGUARD_CLOSE_REGISTRY_BUILTIN => CloseRegistry::EMPTY,
            WSGUARD_CLOSE_REGISTRY_CONVENTIONS => close::CONVENTIONS,
            _ => return Err(wsguard_result::InvalidArgument),
        }
    } else {
        // SAFETY: the documented contract of `app_registry`: it outlives the policy.
        unsafe { registry_of(c.app_registry)? }
    };
    Ok(ReconnectConfig {
        base_ms: c.base_ms,
        cap_ms: c.cap_ms,
        max_attempts: c.max_attempts,
        jitter: jitter_of(c.jitter)?,
        stable_after_ms: c.stable_after_ms,
        going_away_delay_ms: c.going_away_delay_ms,
        overload_delay_ms: c.overload_delay_ms,
        max_retry_after_ms: c.max_retry_after_ms,
        registry,
    })
}

/// Fills `*config_out` with the core's defaults: base 1 s, cap 30 s, unlimited attempts,
/// equal jitter, stable after 10 s, going-away window 2 s, overload minimum 10 s,
/// `Retry-After` up to 10 min, the conventions registry, no application registry.
///
/// ```c
/// wsguard_reconnect_config cfg;
/// wsguard_reconnect_config_default(&cfg);
/// cfg.base_ms = 500; cfg.max_attempts = 10; cfg.jitter = WSGUARD_JITTER_FULL;
/// ```
///
/// # Safety
/// `config_out` points to a writable `wsguard_reconnect_config`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_config_default(
    config_out: *mut wsguard_reconnect_config,
) -> wsguard_result {
    guard(|| {
        non_null(config_out)?;
        unsafe { config_out.write(config_to_c(&ReconnectConfig::DEFAULT)) };
        Ok(())
    })
}

pub(crate) struct ReconnectData {
    rc: Reconnect<'static>,
    registry: u32,
    app_registry: *const wsguard_close_registry,
}

impl ReconnectData {
    /// The policy, after checking (best effort) that its application registry is alive.
    fn policy(&mut self) -> Result<&mut Reconnect<'static>, wsguard_result> {
        if !self.app_registry.is_null() {
            // SAFETY: the documented contract of `app_registry`.
            unsafe { handle::get(self.app_registry)? };
        }
        Ok(&mut self.rc)
    }
}

/// The reconnect state of one client (opaque). Create it with `wsguard_reconnect_init`
/// (caller storage) or `wsguard_reconnect_new` (heap).
#[allow(non_camel_case_types)]
pub struct wsguard_reconnect {
    h: Handle<ReconnectData>,
}

/// Bytes of caller storage a reconnect policy needs (`wsguard_reconnect_init`).
pub const WSGUARD_RECONNECT_STORAGE_SIZE: usize = 256;
/// Alignment (in bytes) the reconnect storage must have.
pub const WSGUARD_RECONNECT_STORAGE_ALIGN: usize = 8;
const _: () = assert!(core::mem::size_of::<wsguard_reconnect>() <= WSGUARD_RECONNECT_STORAGE_SIZE);
const _: () =
    assert!(core::mem::align_of::<wsguard_reconnect>() <= WSGUARD_RECONNECT_STORAGE_ALIGN);

impl handle::Wrapped for wsguard_reconnect {
    type Inner = ReconnectData;
    const STORAGE_SIZE: usize = WSGUARD_RECONNECT_STORAGE_SIZE;
    fn handle(&self) -> &Handle<ReconnectData> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<ReconnectData> {
        &mut self.h
    }
    fn wrap(h: Handle<ReconnectData>) -> Self {
        wsguard_reconnect { h }
    }
}

unsafe fn data_of(
    config: *const wsguard_reconnect_config,
) -> Result<ReconnectData, wsguard_result> {
    let cfg = unsafe { config_from_c(config)? };
    let (registry, app_registry) = if config.is_null() {
        (WSGUARD_CLOSE_REGISTRY_CONVENTIONS, core::ptr::null())
    } else {
        unsafe { ((*config).registry, (*config).app_registry) }
    };
    Ok(ReconnectData {
        rc: Reconnect::new(cfg),
        registry,
        app_registry,
    })
}

/// Creates a fresh reconnect policy (attempt counter 0) inside caller storage: `storage`
/// must hold `WSGUARD_RECONNECT_STORAGE_SIZE` bytes aligned to
/// `WSGUARD_RECONNECT_STORAGE_ALIGN` (`WSGUARD_RESULT_INVALID_STORAGE` otherwise).
/// `config` NULL means the defaults; an unknown `jitter` or `registry` value is
/// `WSGUARD_RESULT_INVALID_ARGUMENT`, a dead `app_registry` `WSGUARD_RESULT_INVALID_HANDLE`.
///
/// On success `*reconnect_out` points into `storage`, which must stay valid and unmoved
/// while the policy is used; `wsguard_reconnect_free` only marks it dead. Nothing is
/// written on failure. Allocates nothing.
///
/// ```c
/// static uint64_t storage[WSGUARD_RECONNECT_STORAGE_SIZE / 8];
/// wsguard_reconnect *rc;
/// wsguard_reconnect_init(storage, sizeof storage, NULL, &rc);
/// ```
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `config` is NULL or valid (its
/// `app_registry` outlives the policy); `reconnect_out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_init(
    storage: *mut c_void,
    storage_len: usize,
    config: *const wsguard_reconnect_config,
    reconnect_out: *mut *mut wsguard_reconnect,
) -> wsguard_result {
    guard(|| {
        non_null(reconnect_out)?;
        let data = unsafe { data_of(config)? };
        let registry = data.app_registry;
        let p = unsafe { handle::init_in::<wsguard_reconnect>(storage, storage_len, data)? };
        unsafe { seal_registry(registry) };
        unsafe { reconnect_out.write(p) };
        Ok(())
    })
}

/// Creates a fresh reconnect policy on the heap (see `wsguard_reconnect_init`); release it
/// with `wsguard_reconnect_free`. Nothing is written on failure.
///
/// ```c
/// wsguard_reconnect_config cfg;
/// wsguard_reconnect *rc = NULL;
/// wsguard_reconnect_config_default(&cfg);
/// cfg.max_attempts = 5;
/// if (wsguard_reconnect_new(&cfg, &rc) == WSGUARD_RESULT_OK) { /* ... */ wsguard_reconnect_free(rc); }
/// ```
///
/// # Safety
/// `config` is NULL or valid (its `app_registry` outlives the policy); `reconnect_out`
/// points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_new(
    config: *const wsguard_reconnect_config,
    reconnect_out: *mut *mut wsguard_reconnect,
) -> wsguard_result {
    guard(|| {
        non_null(reconnect_out)?;
        let data = unsafe { data_of(config)? };
        let registry = data.app_registry;
        let p = handle::new_boxed::<wsguard_reconnect>(data);
        unsafe { seal_registry(registry) };
        unsafe { reconnect_out.write(p) };
        Ok(())
    })
}

/// Releases a reconnect policy: frees it when it came from `wsguard_reconnect_new`, only
/// marks it dead when it lives in caller storage. NULL is ignored. Using a heap handle after
/// this call is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// ```c
/// wsguard_reconnect_free(rc);
/// rc = NULL;
/// ```
///
/// # Safety
/// `reconnect` is NULL or a live policy, freed at most once and not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_free(reconnect: *mut wsguard_reconnect) {
    guard_value((), || unsafe { handle::free(reconnect) })
}

/// Writes the configuration in use into `*config_out` (`registry` and `app_registry` as
/// given at creation).
///
/// ```c
/// wsguard_reconnect_config cfg;
/// wsguard_reconnect_config_get(rc, &cfg);
/// ```
///
/// # Safety
/// `reconnect` is a live policy (const: not modified); `config_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_config_get(
    reconnect: *const wsguard_reconnect,
    config_out: *mut wsguard_reconnect_config,
) -> wsguard_result {
    guard(|| {
        non_null(config_out)?;
        let d = unsafe { handle::get(reconnect)? };
        let mut c = config_to_c(d.rc.config());
        c.registry = d.registry;
        c.app_registry = d.app_registry;
        unsafe { config_out.write(c) };
        Ok(())
    })
}

/// Writes the number of failed attempts in a row so far into `*attempts_out`.
///
/// ```c
/// uint32_t n;
/// wsguard_reconnect_attempts(rc, &n);
/// ```
///
/// # Safety
/// `reconnect` is a live policy (const: not modified); `attempts_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_attempts(
    reconnect: *const wsguard_reconnect,
    attempts_out: *mut u32,
) -> wsguard_result {
    guard(|| {
        non_null(attempts_out)?;
        let d = unsafe { handle::get(reconnect)? };
        unsafe { attempts_out.write(d.rc.attempts()) };
        Ok(())
    })
}

/// The handshake succeeded at `now_ms`. The attempt counter is reset only if the
/// connection is still up `stable_after_ms` later (checked at the next disconnect or by
/// `wsguard_reconnect_is_stable`), so connect-then-drop loops keep backing off.
///
/// ```c
/// wsguard_reconnect_on_connected(rc, now_ms());   /* after the 101 */
/// ```
///
/// # Safety
/// `reconnect` is a live policy.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_on_connected(
    reconnect: *mut wsguard_reconnect,
    now_ms: u64,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(reconnect)? }
            .policy()?
            .on_connected(now_ms);
        Ok(())
    })
}

/// `*stable_out` is true when connected for at least `stable_after_ms` at `now_ms`; the
/// attempt counter is reset then.
///
/// ```c
/// bool stable;
/// wsguard_reconnect_is_stable(rc, now_ms(), &stable);
/// ```
///
/// # Safety
/// `reconnect` is a live policy; `stable_out` points to a writable `bool`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_is_stable(
    reconnect: *mut wsguard_reconnect,
    now_ms: u64,
    stable_out: *mut bool,
) -> wsguard_result {
    guard(|| {
        non_null(stable_out)?;
        let rc = unsafe { handle::get_mut(reconnect)? }.policy()?;
        let stable = rc.is_stable(now_ms);
        unsafe { stable_out.write(stable) };
        Ok(())
    })
}

/// Forgets all failures (after the user re-authenticated or pressed "retry").
///
/// ```c
/// wsguard_reconnect_reset(rc);
/// ```
///
/// # Safety
/// `reconnect` is a live policy.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_reset(
    reconnect: *mut wsguard_reconnect,
) -> wsguard_result {
    guard(|| {
        unsafe { handle::get_mut(reconnect)? }.policy()?.reset();
        Ok(())
    })
}

/// What ended the previous connection or connection attempt (`wsguard_disconnect.kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_disconnect_kind {
    /// A close code (`close_code`): from the peer's Close frame, or reported locally
    /// (1005, 1006, 1015).
    Close = 1,
    /// The server answered the upgrade with `http_status` instead of 101 (with its
    /// `Retry-After` when `has_retry_after`; see `wsguard_diagnosis`).
    HttpStatus = 2,
    /// No HTTP response and no Close frame (`transport`).
    Transport = 3,
}

/// A transport-level failure (`wsguard_disconnect.transport`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_transport_failure {
    /// TCP connection refused.
    Refused = 1,
    /// The host name did not resolve.
    Dns = 2,
    /// The TLS handshake failed.
    Tls = 3,
    /// Connecting or the handshake timed out.
    Timeout = 4,
    /// The connection was reset or dropped.
    Reset = 5,
}

/// How the previous connection ended. Set `kind` and the fields it names; the others are
/// ignored.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_disconnect {
    /// A `wsguard_disconnect_kind` value.
    pub kind: u32,
    /// `CLOSE`: the close code.
    pub close_code: u16,
    /// `HTTP_STATUS`: the status.
    pub http_status: u16,
    /// `HTTP_STATUS`: the response had a numeric `Retry-After`.
    pub has_retry_after: bool,
    /// `HTTP_STATUS`: `Retry-After` in seconds.
    pub retry_after_s: u32,
    /// `TRANSPORT`: a `wsguard_transport_failure` value.
    pub transport: u32,
}

fn disconnect_of(d: &wsguard_disconnect) -> Result<Disconnect, wsguard_result> {
    use wsguard_disconnect_kind as K;
    use wsguard_transport_failure as T;
    Ok(match d.kind {
        k if k == K::Close as u32 => Disconnect::Close(d.close_code),
        k if k == K::HttpStatus as u32 => Disconnect::HttpStatus {
            status: d.http_status,
            retry_after_s: d.has_retry_after.then_some(d.retry_after_s),
        },
        k if k == K::Transport as u32 => Disconnect::Transport(match d.transport {
            t if t == T::Refused as u32 => TransportFailure::Refused,
            t if t == T::Dns as u32 => TransportFailure::Dns,
            t if t == T::Tls as u32 => TransportFailure::Tls,
            t if t == T::Timeout as u32 => TransportFailure::Timeout,
            t if t == T::Reset as u32 => TransportFailure::Reset,
            _ => return Err(wsguard_result::InvalidArgument),
        }),
        _ => return Err(wsguard_result::InvalidArgument),
    })
}

/// What the policy decided (`wsguard_reconnect_decision.kind`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_reconnect_decision_kind {
    /// Do not reconnect (`stop_reason` says why).
    Stop = 1,
    /// Do not reconnect until new credentials are available (then call
    /// `wsguard_reconnect_reset` and connect).
    WaitForReauth = 2,
    /// Reconnect at `at_ms` (`delay_ms` from now; attempt number `attempt`).
    RetryAt = 3,
}

/// Why reconnecting stopped (`wsguard_reconnect_decision.stop_reason`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_reconnect_stop_reason {
    /// The decision is not `STOP`.
    None = 0,
    /// The peer ended the session on purpose (1000).
    Normal = 1,
    /// Retrying would fail the same way: a bug or a configuration error.
    NotRetryable = 2,
    /// `max_attempts` failures in a row.
    AttemptsExhausted = 3,
}

/// The decision after a disconnect, with the core's stable code and explanation. The
/// strings are static, except `reason`/`remedy` for a close code registered in an
/// application registry: those point to the strings given to `wsguard_close_registry_add`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_reconnect_decision {
    /// What to do.
    pub kind: wsguard_reconnect_decision_kind,
    /// `STOP`: why; `NONE` otherwise.
    pub stop_reason: wsguard_reconnect_stop_reason,
    /// `RETRY_AT`: monotonic time of the next attempt (ms); 0 otherwise.
    pub at_ms: u64,
    /// `RETRY_AT`: `at_ms - now` (ms); 0 otherwise.
    pub delay_ms: u64,
    /// `RETRY_AT`: number of that attempt in the current run of failures (1, 2 …).
    pub attempt: u32,
    /// Stable code: `reconnect_retry`, `reconnect_wait_for_reauth`,
    /// `reconnect_stop_normal`, `reconnect_stop_not_retryable` or
    /// `reconnect_stop_attempts_exhausted`.
    pub code: wsguard_str,
    /// One sentence explaining the disconnect.
    pub reason: wsguard_str,
    /// What to change so that it works.
    pub remedy: wsguard_str,
}

fn decision_to_c(d: &Decision) -> wsguard_reconnect_decision {
    use wsguard_reconnect_decision_kind as K;
    use wsguard_reconnect_stop_reason as S;
    let (kind, stop_reason, at_ms, delay_ms, attempt) = match *d {
        Decision::Stop { reason, .. } => (
            K::Stop,
            match reason {
                StopReason::Normal => S::Normal,
                StopReason::NotRetryable => S::NotRetryable,
                StopReason::AttemptsExhausted => S::AttemptsExhausted,
            },
            0,
            0,
            0,
        ),
        Decision::WaitForReauth { .. } => (K::WaitForReauth, S::None, 0, 0, 0),
        Decision::RetryAt {
            at_ms,
            attempt,
            delay_ms,
            ..
        } => (K::RetryAt, S::None, at_ms, delay_ms, attempt),
    };
    wsguard_reconnect_decision {
        kind,
        stop_reason,
        at_ms,
        delay_ms,
        attempt,
        code: wsguard_str::from_static(d.code()),
        reason: wsguard_str::from_static(d.reason()),
        remedy: wsguard_str::from_static(d.remedy()),
    }
}

/// Decides what to do after `disconnect` at `now_ms`, using one caller-supplied random
/// number (`random`, uniform over `uint32_t`) for the jitter. Writes `*decision_out` on
/// success; an unknown `kind` or `transport` is `WSGUARD_RESULT_INVALID_ARGUMENT`, an
/// `app_registry` in caller storage that was released `WSGUARD_RESULT_INVALID_HANDLE`
/// (nothing changes on failure). Freeing a heap `app_registry` (`_new`) while a policy
/// uses it is undefined behaviour: free the policies first.
///
/// ```c
/// wsguard_disconnect why = {WSGUARD_DISCONNECT_KIND_CLOSE, 1006, 0, false, 0, 0};
/// wsguard_reconnect_decision d;
/// wsguard_reconnect_on_disconnect(rc, &why, now_ms(), (uint32_t)rand(), &d);
/// if (d.kind == WSGUARD_RECONNECT_DECISION_KIND_RETRY_AT) timer_at(d.at_ms);
/// else fprintf(stderr, "%.*s: %.*s\n", (int)d.code.len, d.code.ptr,
///              (int)d.remedy.len, d.remedy.ptr);
/// ```
///
/// # Safety
/// `reconnect` is a live policy; `disconnect` points to a valid `wsguard_disconnect`;
/// `decision_out` is writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_reconnect_on_disconnect(
    reconnect: *mut wsguard_reconnect,
    disconnect: *const wsguard_disconnect,
    now_ms: u64,
    random: u32,
    decision_out: *mut wsguard_reconnect_decision,
) -> wsguard_result {
    guard(|| {
        non_null(disconnect)?;
        non_null(decision_out)?;
        let why = disconnect_of(unsafe { &*disconnect })?;
        let rc = unsafe { handle::get_mut(reconnect)? }.policy()?;
        let d = rc.on_disconnect(why, now_ms, random);
        unsafe { decision_out.write(decision_to_c(&d)) };
        Ok(())
    })
}
