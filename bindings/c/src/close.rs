//! Close codes: the classification of every code 0–65535, Close-frame payloads, and the
//! application close-code registry (`wsguard_close_registry`, in caller storage or on the
//! heap) over the core's `CloseRegistry`.

use crate::ffi::{bytes, non_null, text, write_opt, wsguard_rejection, wsguard_str};
use crate::handle::{self, Handle};
use crate::result::{guard, guard_value, wsguard_result};
use core::ffi::{c_char, c_void};
use wsguard_core::close::{self, AppCode, Category, CloseRegistry, Retry, Sender};

/// What kind of ending a close code describes (`wsguard_close_info.category`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_close_category {
    /// 1000, 1005: the purpose of the connection was fulfilled.
    Normal = 1,
    /// 1001: an endpoint is going away.
    GoingAway = 2,
    /// 1002: an endpoint broke the protocol.
    ProtocolError = 3,
    /// 1003, 1007: data the endpoint cannot accept.
    UnsupportedData = 4,
    /// 1008 and app codes like 4401/4403: policy or authentication refusal.
    PolicyAuth = 5,
    /// 1009: a message exceeded the size limit.
    TooBig = 6,
    /// 1010: a required extension was not negotiated.
    Extension = 7,
    /// 1011, 1014: the server or a gateway failed.
    ServerError = 8,
    /// 1012, 1013: restarting or overloaded.
    RestartOverload = 9,
    /// 1015: the TLS handshake failed.
    Tls = 10,
    /// 1006: the connection died without a closing handshake.
    TransportFailure = 11,
    /// 1004, 1016–2999: reserved, never valid on the wire.
    Reserved = 12,
    /// 3000–3999: registered by libraries and frameworks.
    Library = 13,
    /// 4000–4999: private use.
    Private = 14,
    /// 0–999, 5000–65535: not a close code.
    Invalid = 15,
}

impl From<Category> for wsguard_close_category {
    fn from(c: Category) -> Self {
        use wsguard_close_category as W;
        match c {
            Category::Normal => W::Normal,
            Category::GoingAway => W::GoingAway,
            Category::ProtocolError => W::ProtocolError,
            Category::UnsupportedData => W::UnsupportedData,
            Category::PolicyAuth => W::PolicyAuth,
            Category::TooBig => W::TooBig,
            Category::Extension => W::Extension,
            Category::ServerError => W::ServerError,
            Category::RestartOverload => W::RestartOverload,
            Category::Tls => W::Tls,
            Category::TransportFailure => W::TransportFailure,
            Category::Reserved => W::Reserved,
            Category::Library => W::Library,
            Category::Private => W::Private,
            Category::Invalid => W::Invalid,
        }
    }
}

/// Should a client reconnect after a close code (`wsguard_close_info.retry`)?
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_retry {
    /// Do not reconnect.
    Never = 1,
    /// Reconnect only after new credentials.
    AfterReauth = 2,
    /// Reconnect after a short randomized delay.
    Soon = 3,
    /// Reconnect with capped exponential backoff and jitter.
    WithBackoff = 4,
    /// Reconnect, but not before a longer minimum delay.
    AfterDelay = 5,
}

impl From<Retry> for wsguard_retry {
    fn from(r: Retry) -> Self {
        match r {
            Retry::Never => wsguard_retry::Never,
            Retry::AfterReauth => wsguard_retry::AfterReauth,
            Retry::Soon => wsguard_retry::Soon,
            Retry::WithBackoff => wsguard_retry::WithBackoff,
            Retry::AfterDelay => wsguard_retry::AfterDelay,
        }
    }
}

/// Everything known about one close code. Every string is static (lives forever, never
/// free it); see `wsguard_str`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_close_info {
    /// The code.
    pub code: u16,
    /// May it appear in a Close frame on the wire?
    pub wire_valid: bool,
    /// Registered snake_case name (`"going_away"`); empty (`len == 0`) when none.
    pub name: wsguard_str,
    /// Category as an enum.
    pub category: wsguard_close_category,
    /// Category as a stable snake_case code (`"policy_auth"`).
    pub category_code: wsguard_str,
    /// Who usually sends it, as a stable code: `client`, `server`, `either`,
    /// `local_only` or `never_sent`.
    pub sender: wsguard_str,
    /// One sentence for users: what this ending means.
    pub description: wsguard_str,
    /// What to do about it, in one sentence.
    pub remedy: wsguard_str,
    /// Reconnect advice as an enum.
    pub retry: wsguard_retry,
    /// Reconnect advice as a stable code (`never`, `after_reauth`, `soon`,
    /// `with_backoff`, `after_delay`).
    pub retry_code: wsguard_str,
    /// Number of likely causes (read them with `wsguard_close_code_cause()`).
    pub causes_len: usize,
    /// Where the meaning comes from, as a stable code: `iana`, `convention` (a
    /// widespread habit such as 4401, not a registration), `application` or
    /// `unregistered`.
    pub registration: wsguard_str,
    /// True when the entry comes from a registry (the conventions registry or the
    /// application's), not from the one built-in classification.
    pub app_defined: bool,
}

fn sender_code(s: Sender) -> &'static str {
    s.code()
}

pub(crate) fn info_of(c: close::CloseInfo) -> wsguard_close_info {
    wsguard_close_info {
        code: c.code,
        wire_valid: c.wire_valid,
        name: c
            .name()
            .map(wsguard_str::from_static)
            .unwrap_or(wsguard_str::EMPTY),
        category: c.category().into(),
        category_code: wsguard_str::from_static(c.category().code()),
        sender: wsguard_str::from_static(sender_code(c.sender())),
        description: wsguard_str::from_static(c.description()),
        remedy: wsguard_str::from_static(c.remedy()),
        retry: c.retry().into(),
        retry_code: wsguard_str::from_static(c.retry().code()),
        causes_len: c.causes().len(),
        registration: wsguard_str::from_static(c.registration().code()),
        app_defined: c.is_app_defined(),
    }
}

/// Classifies any close code (0–65535) with the built-in knowledge (IANA registry and
/// RFC 6455 ranges).
///
/// Writes `*info_out` on success. Fails only with `WSGUARD_RESULT_NULL_ARGUMENT` when
/// `info_out` is NULL. Allocates nothing; keeps no pointer.
///
/// # Safety
/// `info_out` is NULL or points to a writable `wsguard_close_info`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_code_classify(
    code: u16,
    info_out: *mut wsguard_close_info,
) -> wsguard_result {
    guard(|| {
        non_null(info_out)?;
        let info = info_of(close::classify(code));
        unsafe { info_out.write(info) };
        Ok(())
    })
}

/// Registry for `wsguard_close_code_classify_in`: the built-in knowledge only (IANA
/// registry and RFC 6455 ranges), the same as `wsguard_close_code_classify`.
pub const WSGUARD_CLOSE_REGISTRY_BUILTIN: u32 = 0;
/// Registry for `wsguard_close_code_classify_in`: the built-in knowledge plus widespread
/// (non-standard) application conventions such as 4401 unauthorized and 4403 forbidden.
pub const WSGUARD_CLOSE_REGISTRY_CONVENTIONS: u32 = 1;

/// Classifies `code` with a registry (`WSGUARD_CLOSE_REGISTRY_*`;
/// `WSGUARD_RESULT_INVALID_ARGUMENT` for another value). Outputs as
/// `wsguard_close_code_classify`.
///
/// # Safety
/// `info_out` is NULL or points to a writable `wsguard_close_info`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_code_classify_in(
    code: u16,
    registry: u32,
    info_out: *mut wsguard_close_info,
) -> wsguard_result {
    guard(|| {
        non_null(info_out)?;
        let info = match registry {
            WSGUARD_CLOSE_REGISTRY_BUILTIN => close::classify(code),
            WSGUARD_CLOSE_REGISTRY_CONVENTIONS => close::CONVENTIONS.classify(code),
            _ => return Err(wsguard_result::InvalidArgument),
        };
        unsafe { info_out.write(info_of(info)) };
        Ok(())
    })
}

/// The likely cause number `index` (0 = most likely) of close code `code`: what probably
/// happened (`*what_out`) and what to check or change (`*fix_out`), both static strings.
///
/// Returns `WSGUARD_RESULT_INVALID_ARGUMENT` when `index >= info.causes_len`,
/// `WSGUARD_RESULT_NULL_ARGUMENT` when an output is NULL; nothing is written on failure.
///
/// # Safety
/// `what_out` and `fix_out` point to writable `wsguard_str`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_code_cause(
    code: u16,
    index: usize,
    what_out: *mut wsguard_str,
    fix_out: *mut wsguard_str,
) -> wsguard_result {
    guard(|| {
        non_null(what_out)?;
        non_null(fix_out)?;
        let cause = close::classify(code)
            .causes()
            .get(index)
            .copied()
            .ok_or(wsguard_result::InvalidArgument)?;
        unsafe {
            what_out.write(wsguard_str::from_static(cause.what));
            fix_out.write(wsguard_str::from_static(cause.fix));
        }
        Ok(())
    })
}

/// A parsed Close-frame payload. `reason` points INTO the payload buffer you passed: it is
/// valid as long as that buffer is, and is not NUL-terminated.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_close_payload {
    /// The payload held a code (false for an empty payload).
    pub has_code: bool,
    /// The code to report: the payload's code, or 1005 (`no_status_received`) when empty.
    pub code: u16,
    /// The UTF-8 reason (may be empty; never NULL).
    pub reason: *const c_char,
    /// Length of `reason` in bytes.
    pub reason_len: usize,
}

/// Parses and validates a Close-frame payload (`[code: 2 bytes big-endian][UTF-8
/// reason]` or empty).
///
/// `WSGUARD_RESULT_OK`: `*payload_out` is set. `WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD`:
/// `*rejection_out` (may be NULL) says why (`close_payload_length_one`, an invalid or
/// local-only code, a reason that is not UTF-8 or too long) and `close_code` is the code to
/// answer with (1002, or 1007 for bad UTF-8). Allocates nothing.
///
/// # Safety
/// `payload` points to `payload_len` bytes; `payload_out` writable; `rejection_out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_payload_parse(
    payload: *const u8,
    payload_len: usize,
    payload_out: *mut wsguard_close_payload,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(payload_out)?;
        let data = unsafe { bytes(payload, payload_len)? };
        match close::parse_payload(data) {
            Ok(p) => {
                let out = wsguard_close_payload {
                    has_code: p.code.is_some(),
                    code: p.reported_code(),
                    reason: p.reason.as_ptr().cast(),
                    reason_len: p.reason.len(),
                };
                unsafe { payload_out.write(out) };
                Ok(())
            }
            Err(e) => {
                unsafe {
                    write_opt(
                        rejection_out,
                        wsguard_rejection::from_diag(&e, 0, e.close_code()),
                    )
                };
                Err(wsguard_result::InvalidClosePayload)
            }
        }
    })
}

/// Writes a Close-frame payload (`code` big-endian + `reason`) into `out`; `code` 0 with an
/// empty reason writes an empty payload. `*written_out` is its length.
/// `WSGUARD_RESULT_BUFFER_TOO_SMALL`: nothing written but `*needed_out` (may be NULL).
/// An unsendable code or a reason over 123 bytes: `WSGUARD_RESULT_INVALID_CLOSE_PAYLOAD`
/// with `*rejection_out` (may be NULL).
///
/// # Safety
/// `reason` points to `reason_len` bytes; `out` to `out_len` writable bytes; outputs valid.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsguard_close_payload_write(
    code: u16,
    reason: *const c_char,
    reason_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let reason = unsafe { crate::ffi::text(reason, reason_len)? };
        let dst = unsafe { crate::ffi::bytes_mut(out, out_len)? };
        if code == 0 && reason.is_empty() {
            unsafe { written_out.write(0) };
            return Ok(());
        }
        let too_small = |e: &close::CloseError| match e {
            close::CloseError::BufferTooSmall { needed } => Some(*needed),
            _ => None,
        };
        let write = |buf: &mut [u8]| close::write_close_payload(code, reason, buf);
        match crate::ffi::write_whole(dst, write, too_small) {
            Ok(n) => {
                unsafe { written_out.write(n) };
                Ok(())
            }
            Err(crate::ffi::Whole::TooSmall(needed)) => {
                unsafe { write_opt(needed_out, needed) };
                Err(wsguard_result::BufferTooSmall)
            }
            Err(crate::ffi::Whole::Refused(e)) => {
                unsafe {
                    write_opt(
                        rejection_out,
                        wsguard_rejection::from_diag(&e, 0, e.close_code()),
                    )
                };
                Err(wsguard_result::InvalidClosePayload)
            }
        }
    })
}

/// `true` when `code` may appear in a Close frame on the wire (RFC 6455 §7.4):
/// 1000–1003, 1007–1014, 3000–4999. Pure; cannot fail.
#[no_mangle]
pub extern "C" fn wsguard_close_code_is_wire_valid(code: u16) -> bool {
    guard_value(false, || close::is_wire_valid(code))
}

// ---------- application close-code registry ----------

/// Who usually sends a close code (`wsguard_app_close_code.sender`); the same values as
/// the `sender` string of `wsguard_close_info`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsguard_close_sender {
    /// `client`.
    Client = 1,
    /// `server` (the default of an application code).
    Server = 2,
    /// `either`.
    Either = 3,
    /// `local_only`: reported by the local endpoint, never sent.
    LocalOnly = 4,
    /// `never_sent`.
    NeverSent = 5,
}

fn category_from_u32(v: u32) -> Result<Option<Category>, wsguard_result> {
    use wsguard_close_category as W;
    const ALL: [(W, Category); 15] = [
        (W::Normal, Category::Normal),
        (W::GoingAway, Category::GoingAway),
        (W::ProtocolError, Category::ProtocolError),
        (W::UnsupportedData, Category::UnsupportedData),
        (W::PolicyAuth, Category::PolicyAuth),
        (W::TooBig, Category::TooBig),
        (W::Extension, Category::Extension),
        (W::ServerError, Category::ServerError),
        (W::RestartOverload, Category::RestartOverload),
        (W::Tls, Category::Tls),
        (W::TransportFailure, Category::TransportFailure),
        (W::Reserved, Category::Reserved),
        (W::Library, Category::Library),
        (W::Private, Category::Private),
        (W::Invalid, Category::Invalid),
    ];
    if v == 0 {
        return Ok(None);
    }
    ALL.iter()
        .find(|(w, _)| *w as u32 == v)
        .map(|(_, c)| Some(*c))
        .ok_or(wsguard_result::InvalidArgument)
}

fn sender_from_u32(v: u32) -> Result<Option<Sender>, wsguard_result> {
    use wsguard_close_sender as W;
    Ok(Some(match v {
        0 => return Ok(None),
        x if x == W::Client as u32 => Sender::Client,
        x if x == W::Server as u32 => Sender::Server,
        x if x == W::Either as u32 => Sender::Either,
        x if x == W::LocalOnly as u32 => Sender::LocalOnly,
        x if x == W::NeverSent as u32 => Sender::NeverSent,
        _ => return Err(wsguard_result::InvalidArgument),
    }))
}

fn retry_from_u32(v: u32) -> Result<Retry, wsguard_result> {
    use wsguard_retry as W;
    Ok(match v {
        x if x == W::Never as u32 => Retry::Never,
        x if x == W::AfterReauth as u32 => Retry::AfterReauth,
        x if x == W::Soon as u32 => Retry::Soon,
        x if x == W::WithBackoff as u32 => Retry::WithBackoff,
        x if x == W::AfterDelay as u32 => Retry::AfterDelay,
        _ => return Err(wsguard_result::InvalidArgument),
    })
}

/// One application close code to register (`wsguard_close_registry_add`). The strings
/// are NOT copied: the registry keeps pointers to them, so they must stay valid and
/// unchanged while the registry (and any reconnect policy using it) is used — string
/// literals or other static storage are ideal.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_app_close_code {
    /// The code: 4000–4999 for applications (3000–3999 for libraries).
    pub code: u16,
    /// snake_case name (`"session_expired"`), UTF-8, not empty.
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// One sentence for users: what this ending means (UTF-8).
    pub description: *const c_char,
    /// Length of `description` in bytes.
    pub description_len: usize,
    /// What to do about it, in one sentence (UTF-8).
    pub remedy: *const c_char,
    /// Length of `remedy` in bytes.
    pub remedy_len: usize,
    /// Reconnect advice: a `wsguard_retry` value.
    pub retry: u32,
    /// A `wsguard_close_category` value, or 0 for the default (private for 4000–4999,
    /// library for 3000–3999).
    pub category: u32,
    /// A `wsguard_close_sender` value, or 0 for the default (server).
    pub sender: u32,
}

/// Most codes one `wsguard_close_registry` holds.
pub const WSGUARD_CLOSE_REGISTRY_CAPACITY: usize = 16;
/// Bytes of caller storage a close-code registry needs (`wsguard_close_registry_init`).
pub const WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE: usize = 2048;
/// Alignment (in bytes) the close-code registry storage must have.
pub const WSGUARD_CLOSE_REGISTRY_STORAGE_ALIGN: usize = 8;

const UNUSED: AppCode = AppCode::new(0, "", "", "", Retry::Never);

pub(crate) struct RegistryData {
    codes: [AppCode; WSGUARD_CLOSE_REGISTRY_CAPACITY],
    len: usize,
    /// Set once a reconnect policy borrows the codes: no more additions.
    sealed: core::cell::Cell<bool>,
}

impl RegistryData {
    const fn new() -> Self {
        RegistryData {
            codes: [UNUSED; WSGUARD_CLOSE_REGISTRY_CAPACITY],
            len: 0,
            sealed: core::cell::Cell::new(false),
        }
    }

    /// The registered codes as the core registry (checked again by the core).
    pub(crate) fn registry(&self) -> Result<CloseRegistry<'_>, wsguard_result> {
        let entries = self
            .codes
            .get(..self.len)
            .ok_or(wsguard_result::InvalidHandle)?;
        CloseRegistry::new(entries).map_err(|_| wsguard_result::InvalidHandle)
    }
}

/// An application's close codes (opaque), consulted before the built-in classification by
/// `wsguard_close_registry_classify` and by a reconnect policy
/// (`wsguard_reconnect_config.app_registry`). Create it with `wsguard_close_registry_init`
/// (caller storage) or `wsguard_close_registry_new` (heap), then add codes.
#[allow(non_camel_case_types)]
pub struct wsguard_close_registry {
    h: Handle<RegistryData>,
}

const _: () =
    assert!(core::mem::size_of::<wsguard_close_registry>() <= WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE);
const _: () = assert!(
    core::mem::align_of::<wsguard_close_registry>() <= WSGUARD_CLOSE_REGISTRY_STORAGE_ALIGN
);

impl handle::Wrapped for wsguard_close_registry {
    type Inner = RegistryData;
    const STORAGE_SIZE: usize = WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE;
    fn handle(&self) -> &Handle<RegistryData> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<RegistryData> {
        &mut self.h
    }
    fn wrap(h: Handle<RegistryData>) -> Self {
        wsguard_close_registry { h }
    }
}

/// The core registry of a live registry handle, with the lifetime the caller promised
/// (the handle outlives every use; see `wsguard_reconnect_config.app_registry`).
///
/// # Safety
/// `p` is NULL or a registry handle that stays valid and unmoved for `'a`.
pub(crate) unsafe fn registry_of<'a>(
    p: *const wsguard_close_registry,
) -> Result<CloseRegistry<'a>, wsguard_result> {
    let data: &'a RegistryData = unsafe { handle::get(p)? };
    data.registry()
}

/// Seals a live registry (a reconnect policy now borrows its codes: no more additions).
/// NULL and dead handles are ignored.
///
/// # Safety
/// `p` is NULL or points to a registry handle.
pub(crate) unsafe fn seal_registry(p: *const wsguard_close_registry) {
    if let Ok(data) = unsafe { handle::get(p) } {
        data.sealed.set(true);
    }
}

/// Creates an empty close-code registry inside caller storage (no heap): `storage` must
/// hold `WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE` bytes aligned to
/// `WSGUARD_CLOSE_REGISTRY_STORAGE_ALIGN` (`WSGUARD_RESULT_INVALID_STORAGE` otherwise).
/// An empty registry classifies exactly like `wsguard_close_code_classify`.
///
/// On success `*registry_out` points into `storage`, which must stay valid and unmoved
/// while the registry is used; `wsguard_close_registry_free` only marks it dead. Nothing
/// is written on failure.
///
/// ```c
/// static uint64_t storage[WSGUARD_CLOSE_REGISTRY_STORAGE_SIZE / 8];
/// wsguard_close_registry *reg;
/// if (wsguard_close_registry_init(storage, sizeof storage, &reg) != WSGUARD_RESULT_OK) abort();
/// ```
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `registry_out` to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_init(
    storage: *mut c_void,
    storage_len: usize,
    registry_out: *mut *mut wsguard_close_registry,
) -> wsguard_result {
    guard(|| {
        non_null(registry_out)?;
        let p = unsafe {
            handle::init_in::<wsguard_close_registry>(storage, storage_len, RegistryData::new())?
        };
        unsafe { registry_out.write(p) };
        Ok(())
    })
}

/// Creates an empty close-code registry on the heap; release it with
/// `wsguard_close_registry_free`. Nothing is written on failure.
///
/// ```c
/// wsguard_close_registry *reg = NULL;
/// if (wsguard_close_registry_new(&reg) == WSGUARD_RESULT_OK) {
///     /* ... wsguard_close_registry_add(reg, ...) ... */
///     wsguard_close_registry_free(reg);
/// }
/// ```
///
/// # Safety
/// `registry_out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_new(
    registry_out: *mut *mut wsguard_close_registry,
) -> wsguard_result {
    guard(|| {
        non_null(registry_out)?;
        let p = handle::new_boxed::<wsguard_close_registry>(RegistryData::new());
        unsafe { registry_out.write(p) };
        Ok(())
    })
}

/// Releases a registry: frees it when it came from `wsguard_close_registry_new`, only
/// marks it dead when it lives in caller storage. NULL is ignored. Free the reconnect
/// policies that use it first. Using a heap handle after
/// this call is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// ```c
/// wsguard_close_registry_free(reg);
/// reg = NULL;
/// ```
///
/// # Safety
/// `registry` is NULL or a live registry, freed at most once and not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_free(registry: *mut wsguard_close_registry) {
    guard_value((), || unsafe { handle::free(registry) })
}

/// Registers one application close code. The core checks it (3000–4999, non-empty name,
/// not registered yet): a refusal returns `WSGUARD_RESULT_INVALID_REGISTRATION` and fills
/// `*rejection_out` (may be NULL) with `close_register_out_of_range`,
/// `close_register_empty_name` or `close_register_duplicate`. A full registry gives
/// `WSGUARD_RESULT_CAPACITY_EXCEEDED`, a string that is not UTF-8
/// `WSGUARD_RESULT_NOT_UTF8`, an unknown `retry`/`category`/`sender` value
/// `WSGUARD_RESULT_INVALID_ARGUMENT`. The registry is unchanged on failure.
///
/// The strings are not copied (see `wsguard_app_close_code`). Once a reconnect policy was
/// created with this registry (`wsguard_reconnect_config.app_registry`), the registry is
/// sealed and adding gives `WSGUARD_RESULT_INVALID_ARGUMENT`: add every code first.
///
/// ```c
/// static const char name[] = "session_expired", what[] = "your session expired",
///                   fix[] = "log in again, then reconnect";
/// wsguard_app_close_code c = {4001, name, sizeof name - 1, what, sizeof what - 1,
///                             fix, sizeof fix - 1, WSGUARD_RETRY_AFTER_REAUTH,
///                             WSGUARD_CLOSE_CATEGORY_POLICY_AUTH, 0};
/// wsguard_rejection rej;
/// if (wsguard_close_registry_add(reg, &c, &rej) == WSGUARD_RESULT_INVALID_REGISTRATION)
///     fprintf(stderr, "%.*s\n", (int)rej.reason.len, rej.reason.ptr);
/// ```
///
/// # Safety
/// `registry` is a live registry; `app_code` points to a valid `wsguard_app_close_code`
/// whose strings outlive the registry; `rejection_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_add(
    registry: *mut wsguard_close_registry,
    app_code: *const wsguard_app_close_code,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(app_code)?;
        let data = unsafe { handle::get_mut(registry)? };
        if data.sealed.get() {
            return Err(wsguard_result::InvalidArgument);
        }
        let c = unsafe { &*app_code };
        // SAFETY: the caller keeps these strings valid while the registry is used (the
        // documented contract of wsguard_app_close_code), which is what 'static stands
        // for here: the core's AppCode holds `&'static str`.
        let name: &'static str = unsafe { text(c.name, c.name_len)? };
        let description: &'static str = unsafe { text(c.description, c.description_len)? };
        let remedy: &'static str = unsafe { text(c.remedy, c.remedy_len)? };
        let retry = retry_from_u32(c.retry)?;
        let category = category_from_u32(c.category)?;
        let sender = sender_from_u32(c.sender)?;
        let mut entry = AppCode::new(c.code, name, description, remedy, retry);
        if let Some(cat) = category {
            entry = entry.with_category(cat);
        }
        if let Some(s) = sender {
            entry = entry.with_sender(s);
        }
        let mut codes = data.codes;
        let slot = codes
            .get_mut(data.len)
            .ok_or(wsguard_result::CapacityExceeded)?;
        *slot = entry;
        let new_len = data.len + 1;
        if let Err(e) = CloseRegistry::new(codes.get(..new_len).unwrap_or(&[])) {
            unsafe { write_opt(rejection_out, wsguard_rejection::from_diag(&e, 0, 0)) };
            return Err(wsguard_result::InvalidRegistration);
        }
        data.codes = codes;
        data.len = new_len;
        Ok(())
    })
}

/// Writes the number of registered codes into `*count_out`.
///
/// ```c
/// size_t n;
/// wsguard_close_registry_count(reg, &n);
/// ```
///
/// # Safety
/// `registry` is a live registry; `count_out` points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_count(
    registry: *const wsguard_close_registry,
    count_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(count_out)?;
        let data = unsafe { handle::get(registry)? };
        unsafe { count_out.write(data.len) };
        Ok(())
    })
}

/// Classifies `code` through the registry: a registered code gets its registered name,
/// category, sender, description, remedy and retry advice (`causes_len` 0); any other
/// code is classified like `wsguard_close_code_classify`. For a registered code the
/// `name`, `description` and `remedy` strings point to the strings given to
/// `wsguard_close_registry_add` (not static storage). Writes `*info_out` on success.
///
/// ```c
/// wsguard_close_info info;
/// if (wsguard_close_registry_classify(reg, 4001, &info) == WSGUARD_RESULT_OK &&
///     info.retry == WSGUARD_RETRY_AFTER_REAUTH)
///     printf("%.*s\n", (int)info.description.len, info.description.ptr);
/// ```
///
/// # Safety
/// `registry` is a live registry; `info_out` points to a writable `wsguard_close_info`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_close_registry_classify(
    registry: *const wsguard_close_registry,
    code: u16,
    info_out: *mut wsguard_close_info,
) -> wsguard_result {
    guard(|| {
        non_null(info_out)?;
        let data = unsafe { handle::get(registry)? };
        let info = info_of(data.registry()?.classify(code));
        unsafe { info_out.write(info) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: wsguard_str) -> &'static str {
        unsafe { std::str::from_utf8(std::slice::from_raw_parts(x.ptr.cast(), x.len)).unwrap() }
    }

    #[test]
    fn classify_matches_core() {
        for code in [
            0u16, 999, 1000, 1001, 1005, 1006, 1008, 1011, 1015, 2000, 3000, 4401, 5000, 65535,
        ] {
            let mut info = std::mem::MaybeUninit::uninit();
            assert_eq!(
                unsafe { wsguard_close_code_classify(code, info.as_mut_ptr()) },
                wsguard_result::Ok
            );
            let info = unsafe { info.assume_init() };
            let core = close::classify(code);
            assert_eq!(info.code, code);
            assert_eq!(info.wire_valid, core.wire_valid);
            assert_eq!(s(info.name), core.name().unwrap_or(""));
            assert_eq!(s(info.category_code), core.category().code());
            assert_eq!(s(info.retry_code), core.retry().code());
            assert_eq!(s(info.description), core.description());
            assert_eq!(info.causes_len, core.causes().len());
            assert_eq!(wsguard_close_code_is_wire_valid(code), core.wire_valid);
        }
        assert_eq!(
            unsafe { wsguard_close_code_classify(1000, std::ptr::null_mut()) },
            wsguard_result::NullArgument
        );
    }

    #[test]
    fn causes_are_bounded() {
        let n = close::classify(1006).causes().len();
        let (mut w, mut f) = (wsguard_str::EMPTY, wsguard_str::EMPTY);
        for i in 0..n {
            assert_eq!(
                unsafe { wsguard_close_code_cause(1006, i, &mut w, &mut f) },
                wsguard_result::Ok
            );
        }
        let before = w;
        assert_eq!(
            unsafe { wsguard_close_code_cause(1006, n, &mut w, &mut f) },
            wsguard_result::InvalidArgument
        );
        assert_eq!(w, before);
    }
}
