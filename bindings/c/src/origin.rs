//! Origin policy, Host allowlist and CORS, as one opaque `wsguard_origin_policy`.
//!
//! The policy is the core's owned `origin::OwnedPolicy`: every string it is given is
//! copied into its storage and every pattern is parsed once, when it is added; each
//! check reads that parse in place. This binding only provides the memory
//! (`policy_storage.rs`):
//!
//! * `wsguard_origin_policy_init_sized`: caller storage of any size, for
//!   `max_entries` entries and `max_text_bytes` of text (`wsguard_origin_policy_storage_size`
//!   says how many bytes); no malloc;
//! * `wsguard_origin_policy_init`: the default-capacity shortcut in
//!   `WSGUARD_ORIGIN_POLICY_STORAGE_SIZE` bytes (128 patterns, 128 Host entries, 128
//!   development hosts, 8 KiB of text);
//! * `wsguard_origin_policy_new` / `_free`: on the heap, growing with every entry.
//!
//! Stack: a check takes the views of the policy (a few words), whatever its size.

pub(crate) use crate::ffi::slice_of;
use crate::ffi::{
    bytes, bytes_mut, non_null, text, write_display, write_opt, write_whole, wsguard_rejection,
};
use crate::handle::{self, Handle};
use crate::policy_storage::{layout, CStorage, CallerStorage, HeapStorage, Layout};
use crate::result::{guard, guard_value, wsguard_result};
use crate::strtable::StrTable;
use core::ffi::{c_char, c_void};
use wsguard_core::origin::{
    CorsConfig, CorsRequest, HostPolicy, Origin, OriginDenial, OriginPolicy, OwnedPolicy,
    PolicyBufError, PolicyEntry, Preset,
};
use wsguard_core::text::check_config_text;
use wsguard_core::Cursor;

/// Flag: accept `Origin: null` (sandboxed iframes, `file://` pages). Off by default.
pub const WSGUARD_POLICY_ALLOW_NULL: u32 = 1;
/// Flag: accept requests without an Origin header (non-browser clients). Off by default.
pub const WSGUARD_POLICY_ALLOW_MISSING: u32 = 2;
/// Flag: development preset (loopback names and addresses on any port, plus the hosts
/// added with `wsguard_origin_policy_add_dev_host`). Without it: production (strict).
pub const WSGUARD_POLICY_DEVELOPMENT: u32 = 4;
pub(crate) const ALL_FLAGS: u32 =
    WSGUARD_POLICY_ALLOW_NULL | WSGUARD_POLICY_ALLOW_MISSING | WSGUARD_POLICY_DEVELOPMENT;

/// Origin patterns a policy made by `wsguard_origin_policy_init` (the default-capacity
/// shortcut) holds; one more is `WSGUARD_RESULT_CAPACITY_EXCEEDED`
/// (`wsguard_origin_policy_allow` fills its rejection with `policy_too_many_entries`).
/// `wsguard_origin_policy_init_sized` and `wsguard_origin_policy_new` have no such limit.
pub const WSGUARD_POLICY_MAX_PATTERNS: usize = 128;
/// Host allowlist entries the default-capacity policy holds (`wsguard_origin_policy_init`).
pub const WSGUARD_POLICY_MAX_HOSTS: usize = WSGUARD_POLICY_MAX_PATTERNS;
/// Development hosts the default-capacity policy holds (`wsguard_origin_policy_init`).
pub const WSGUARD_POLICY_MAX_DEV_HOSTS: usize = WSGUARD_POLICY_MAX_PATTERNS;
/// Bytes of text the default-capacity policy holds (`wsguard_origin_policy_init`):
/// patterns, Host entries and development hosts together. More is
/// `WSGUARD_RESULT_CAPACITY_EXCEEDED` (`wsguard_origin_policy_allow` fills its rejection
/// with `policy_text_full`).
pub const WSGUARD_POLICY_MAX_TEXT: usize = 8192;
const CORS_TEXT: usize = 1024;

/// Bytes of caller storage the default-capacity policy needs (`wsguard_origin_policy_init`).
pub const WSGUARD_ORIGIN_POLICY_STORAGE_SIZE: usize = 24576;
/// Alignment (in bytes) every origin policy storage must have (`wsguard_origin_policy_init`,
/// `wsguard_origin_policy_init_sized`).
pub const WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN: usize = 8;
/// Bytes of sized caller storage taken by the policy itself: `wsguard_origin_policy_storage_size(e, t)`
/// is `WSGUARD_ORIGIN_POLICY_HEADER_SIZE + e * WSGUARD_ORIGIN_POLICY_ENTRY_SIZE + t`
/// (for a `static` buffer sized at compile time).
pub const WSGUARD_ORIGIN_POLICY_HEADER_SIZE: usize = 1536;
/// Bytes of sized caller storage per entry (origin pattern, Host entry or development
/// host); see `WSGUARD_ORIGIN_POLICY_HEADER_SIZE`.
pub const WSGUARD_ORIGIN_POLICY_ENTRY_SIZE: usize = 20;

/// The core's owned policy, over caller or heap memory: every pattern is parsed once,
/// when it is added; each check reads that parse in place.
type CorePolicy = OwnedPolicy<CStorage>;

/// Where the default-capacity storage puts its parts: the three lists at their
/// documented limit, and the text.
const DEFAULT_LAYOUT: Layout = match layout(
    WSGUARD_ORIGIN_POLICY_HEADER_SIZE,
    3 * WSGUARD_POLICY_MAX_PATTERNS,
    WSGUARD_POLICY_MAX_TEXT,
) {
    Some(l) => l,
    None => panic!("default policy layout overflows"),
};
const _: () = assert!(DEFAULT_LAYOUT.total <= WSGUARD_ORIGIN_POLICY_STORAGE_SIZE);
const _: () = assert!(core::mem::size_of::<PolicyEntry>() == WSGUARD_ORIGIN_POLICY_ENTRY_SIZE);
const _: () = assert!(
    WSGUARD_ORIGIN_POLICY_HEADER_SIZE % WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN == 0
        && WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN % core::mem::align_of::<PolicyEntry>() == 0
);

pub(crate) struct PolicyData {
    buf: CorePolicy,
    cors_text: StrTable<3, CORS_TEXT>,
    cors_credentials: bool,
    cors_max_age: Option<u32>,
}

/// The borrowed core views of a policy for one call (a few words: they read the stored
/// parse in place).
pub(crate) struct PolicyView<'a> {
    pub origin: OriginPolicy<'a>,
    pub hosts: HostPolicy<'a>,
    pub cors: CorsConfig<'a>,
}

/// Refuses flag bits this version does not know (before any storage is touched).
fn check_flags(flags: u32) -> Result<(), wsguard_result> {
    if flags & !ALL_FLAGS != 0 {
        return Err(wsguard_result::InvalidArgument);
    }
    Ok(())
}

impl PolicyData {
    fn new(flags: u32, storage: CStorage) -> Result<Self, wsguard_result> {
        check_flags(flags)?;
        let mut cors_text = StrTable::new();
        for s in [CorsConfig::new().methods, "", ""] {
            cors_text.push(s)?;
        }
        let mut buf = CorePolicy::with_storage(storage);
        buf.set_allow_null(flags & WSGUARD_POLICY_ALLOW_NULL != 0);
        buf.set_allow_missing(flags & WSGUARD_POLICY_ALLOW_MISSING != 0);
        buf.set_preset(if flags & WSGUARD_POLICY_DEVELOPMENT != 0 {
            Preset::Development
        } else {
            Preset::Production
        });
        Ok(PolicyData {
            buf,
            cors_text,
            cors_credentials: false,
            cors_max_age: None,
        })
    }

    /// Runs `f` with the core views of this policy: the patterns parsed when they were
    /// added, sliced out of the owned storage (nothing is parsed again).
    pub(crate) fn with_view<R>(&self, f: impl FnOnce(&PolicyView<'_>) -> R) -> R {
        let mut cors = CorsConfig::new()
            .credentials(self.cors_credentials)
            .methods(self.cors_text.get(0))
            .headers(self.cors_text.get(1))
            .expose_headers(self.cors_text.get(2));
        if let Some(age) = self.cors_max_age {
            cors = cors.max_age(age);
        }
        f(&PolicyView {
            origin: self.buf.origin_policy(),
            hosts: self.buf.host_policy(),
            cors,
        })
    }
}

/// The result code of a refused policy entry; the rejection says which rule.
fn entry_error(e: &PolicyBufError) -> wsguard_result {
    match e {
        PolicyBufError::Pattern(_) => wsguard_result::InvalidPattern,
        PolicyBufError::TooManyEntries(_) | PolicyBufError::TextFull(_) => {
            wsguard_result::CapacityExceeded
        }
        PolicyBufError::Control(..) | PolicyBufError::BadHostEntry(_) => {
            wsguard_result::InvalidConfig
        }
    }
}

fn entry_rejection(e: &PolicyBufError) -> wsguard_rejection {
    let detail = match e {
        PolicyBufError::Pattern(p) => p.malformed().map(|m| m.code()).unwrap_or(""),
        _ => "",
    };
    wsguard_rejection::from_diag(e, 0, 0).with_detail(detail)
}

/// An Origin policy with its Host allowlist and CORS settings (opaque). Build it with
/// `wsguard_origin_policy_init` (caller storage) or `wsguard_origin_policy_new` (heap),
/// then add patterns; a `const wsguard_origin_policy *` is only read, so one policy can be
/// shared by many threads once built.
#[allow(non_camel_case_types)]
pub struct wsguard_origin_policy {
    h: Handle<PolicyData>,
}

const _: () =
    assert!(core::mem::size_of::<wsguard_origin_policy>() <= WSGUARD_ORIGIN_POLICY_HEADER_SIZE);
const _: () =
    assert!(core::mem::align_of::<wsguard_origin_policy>() <= WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN);

impl handle::Wrapped for wsguard_origin_policy {
    type Inner = PolicyData;
    const STORAGE_SIZE: usize = WSGUARD_ORIGIN_POLICY_STORAGE_SIZE;
    fn handle(&self) -> &Handle<PolicyData> {
        &self.h
    }
    fn handle_mut(&mut self) -> &mut Handle<PolicyData> {
        &mut self.h
    }
    fn wrap(h: Handle<PolicyData>) -> Self {
        wsguard_origin_policy { h }
    }
}

pub(crate) unsafe fn policy_data<'a>(
    p: *const wsguard_origin_policy,
) -> Result<&'a PolicyData, wsguard_result> {
    unsafe { handle::get(p) }
}

/// Places an empty policy in caller storage laid out as `lay`, each list holding at
/// most `list_cap` entries; `storage_len` must be at least `min_len`.
///
/// # Safety
/// As `wsguard_origin_policy_init`.
unsafe fn init_caller(
    storage: *mut c_void,
    storage_len: usize,
    (lay, list_cap, min_len): (Layout, usize, usize),
    flags: u32,
    policy_out: *mut *mut wsguard_origin_policy,
) -> Result<(), wsguard_result> {
    non_null(policy_out)?;
    check_flags(flags)?;
    let min_len = min_len.max(lay.total);
    let make = |base: *mut u8| {
        // SAFETY: `base` holds `min_len >= lay.total` bytes, aligned (checked by
        // `init_in_with` before it calls this); the handle takes only the first
        // `slots_at` bytes (`size_of <= WSGUARD_ORIGIN_POLICY_HEADER_SIZE`, asserted above).
        let mem = unsafe { CallerStorage::new(base, lay, list_cap) };
        PolicyData::new(flags, CStorage::Caller(mem))
    };
    let p = unsafe {
        handle::init_in_with::<wsguard_origin_policy>(storage, storage_len, min_len, make)?
    };
    unsafe { policy_out.write(p) };
    Ok(())
}

/// Creates an empty policy (allows nothing until patterns are added) inside caller
/// storage with the default capacity: `WSGUARD_POLICY_MAX_PATTERNS` (128) origin
/// patterns, as many Host entries and as many development hosts, and
/// `WSGUARD_POLICY_MAX_TEXT` (8192) bytes of text. `storage` must hold
/// `WSGUARD_ORIGIN_POLICY_STORAGE_SIZE` bytes aligned to
/// `WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN` (`WSGUARD_RESULT_INVALID_STORAGE` otherwise).
/// For another capacity use `wsguard_origin_policy_init_sized`. `flags` is a combination
/// of `WSGUARD_POLICY_*` (`WSGUARD_RESULT_INVALID_ARGUMENT` for unknown bits).
///
/// On success `*policy_out` points into `storage`, which must stay valid and unmoved while
/// the policy is used; releasing it needs nothing (`wsguard_origin_policy_free` only marks
/// it dead). Nothing is written on failure. Allocates nothing.
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `policy_out` to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_init(
    storage: *mut c_void,
    storage_len: usize,
    flags: u32,
    policy_out: *mut *mut wsguard_origin_policy,
) -> wsguard_result {
    let sizes = (
        DEFAULT_LAYOUT,
        WSGUARD_POLICY_MAX_PATTERNS,
        WSGUARD_ORIGIN_POLICY_STORAGE_SIZE,
    );
    guard(|| unsafe { init_caller(storage, storage_len, sizes, flags, policy_out) })
}

/// The layout of sized caller storage (`None`: no storage can be that large).
fn sized_layout(max_entries: usize, max_text_bytes: usize) -> Option<Layout> {
    layout(
        WSGUARD_ORIGIN_POLICY_HEADER_SIZE,
        max_entries,
        max_text_bytes,
    )
}

/// Bytes of caller storage a policy of `max_entries` entries (origin patterns, Host
/// entries and development hosts together) and `max_text_bytes` bytes of text needs
/// (`wsguard_origin_policy_init_sized`): `WSGUARD_ORIGIN_POLICY_HEADER_SIZE +
/// max_entries * WSGUARD_ORIGIN_POLICY_ENTRY_SIZE + max_text_bytes`. 0 when that does
/// not fit a `ptrdiff_t` (no storage can be that large). Never fails, never allocates.
#[no_mangle]
pub extern "C" fn wsguard_origin_policy_storage_size(
    max_entries: usize,
    max_text_bytes: usize,
) -> usize {
    guard_value(0, || {
        sized_layout(max_entries, max_text_bytes).map_or(0, |l| l.total)
    })
}

/// Creates an empty policy inside caller storage sized by the caller: it holds
/// `max_entries` entries — origin patterns, Host entries and development hosts together
/// — and `max_text_bytes` bytes of their text; one more is
/// `WSGUARD_RESULT_CAPACITY_EXCEEDED` (`policy_too_many_entries` / `policy_text_full`).
/// `storage` must hold `wsguard_origin_policy_storage_size(max_entries, max_text_bytes)`
/// bytes aligned to `WSGUARD_ORIGIN_POLICY_STORAGE_ALIGN`: smaller, misaligned, or sizes
/// no storage can hold give `WSGUARD_RESULT_INVALID_STORAGE`. `flags` as
/// `wsguard_origin_policy_init`.
///
/// On success `*policy_out` points into `storage`, which must stay valid and unmoved while
/// the policy is used (`wsguard_origin_policy_free` only marks it dead). Nothing is
/// written on failure. Allocates nothing.
///
/// # Safety
/// `storage` points to `storage_len` writable bytes; `policy_out` to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_init_sized(
    storage: *mut c_void,
    storage_len: usize,
    max_entries: usize,
    max_text_bytes: usize,
    flags: u32,
    policy_out: *mut *mut wsguard_origin_policy,
) -> wsguard_result {
    guard(|| {
        let lay =
            sized_layout(max_entries, max_text_bytes).ok_or(wsguard_result::InvalidStorage)?;
        let sizes = (lay, max_entries, lay.total);
        unsafe { init_caller(storage, storage_len, sizes, flags, policy_out) }
    })
}

/// Creates an empty policy on the heap (see `wsguard_origin_policy_init` for `flags`);
/// release it with `wsguard_origin_policy_free`. It grows with every entry: no limit on
/// patterns, Host entries or development hosts (`WSGUARD_RESULT_CAPACITY_EXCEEDED` only
/// when memory runs out, or past 4 GiB of text). Nothing is written on failure.
///
/// # Safety
/// `policy_out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_new(
    flags: u32,
    policy_out: *mut *mut wsguard_origin_policy,
) -> wsguard_result {
    guard(|| {
        non_null(policy_out)?;
        let data = PolicyData::new(flags, CStorage::Heap(HeapStorage::default()))?;
        unsafe { policy_out.write(handle::new_boxed::<wsguard_origin_policy>(data)) };
        Ok(())
    })
}

/// Releases a policy: frees it when it came from `wsguard_origin_policy_new`, only marks
/// it dead when it lives in caller storage. NULL is ignored. Do not use it afterwards. Using a heap handle after
/// this call is undefined behaviour (see `WSGUARD_RESULT_INVALID_HANDLE`).
///
/// # Safety
/// `policy` is NULL or a live policy, released at most once.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_free(policy: *mut wsguard_origin_policy) {
    guard_value((), || unsafe { handle::free(policy) })
}

/// Adds an allowed-origin pattern: `https://app.example.com`, `https://*.example.com`,
/// `http://localhost:*`, `http://localhost:[3000,5173]` or `*`. The text is copied.
///
/// The pattern is parsed here, once: every later check uses this parse.
///
/// An invalid pattern gives `WSGUARD_RESULT_INVALID_PATTERN` and `*rejection_out` (may be
/// NULL) says why (`pattern_no_scheme` …, with `detail` for a malformation); a full
/// policy gives `WSGUARD_RESULT_CAPACITY_EXCEEDED` and the rejection
/// `policy_too_many_entries` (the storage holds as many entries as it was sized for:
/// `WSGUARD_POLICY_MAX_PATTERNS` patterns for `wsguard_origin_policy_init`, `max_entries`
/// in all lists for `wsguard_origin_policy_init_sized`) or `policy_text_full` (the text
/// of all lists would pass `WSGUARD_POLICY_MAX_TEXT` / `max_text_bytes`). A heap policy
/// grows instead. The policy is unchanged on failure.
///
/// # Safety
/// `policy` is a live policy not used by another thread during the call; `pattern` points
/// to `pattern_len` bytes; `rejection_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_allow(
    policy: *mut wsguard_origin_policy,
    pattern: *const c_char,
    pattern_len: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { handle::get_mut(policy)? };
        let s = unsafe { text(pattern, pattern_len)? };
        data.buf.push_pattern(s).map_err(|e| {
            unsafe { write_opt(rejection_out, entry_rejection(&e)) };
            entry_error(&e)
        })
    })
}

/// Adds a Host allowlist entry (`chat.example.com`, `chat.example.com:8443`): once one is
/// added, `wsguard_origin_policy_check_host` and the server handshake refuse every other
/// Host (DNS-rebinding defence). The text is copied. `WSGUARD_RESULT_CAPACITY_EXCEEDED`
/// when the storage is full (as `wsguard_origin_policy_allow`; `WSGUARD_POLICY_MAX_HOSTS`
/// entries for `wsguard_origin_policy_init`),
/// `WSGUARD_RESULT_INVALID_CONFIG` when the entry holds a control character (CR, LF, …),
/// is empty, or holds a space or a character no host contains; unchanged on failure.
///
/// # Safety
/// As `wsguard_origin_policy_allow`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_allow_host(
    policy: *mut wsguard_origin_policy,
    host: *const c_char,
    host_len: usize,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { handle::get_mut(policy)? };
        let s = unsafe { text(host, host_len)? };
        data.buf.push_host(s).map_err(|e| entry_error(&e))
    })
}

/// Adds a development host (`frontend:3000`, a container service name) accepted on
/// `http`/`https` when the policy has `WSGUARD_POLICY_DEVELOPMENT`. The text is copied.
/// `WSGUARD_RESULT_CAPACITY_EXCEEDED` when the storage is full (as
/// `wsguard_origin_policy_allow`; `WSGUARD_POLICY_MAX_DEV_HOSTS` entries for
/// `wsguard_origin_policy_init`), `WSGUARD_RESULT_INVALID_CONFIG` for an entry that is no
/// host (as `wsguard_origin_policy_allow_host`); unchanged on failure.
///
/// # Safety
/// As `wsguard_origin_policy_allow`.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_add_dev_host(
    policy: *mut wsguard_origin_policy,
    host: *const c_char,
    host_len: usize,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { handle::get_mut(policy)? };
        let s = unsafe { text(host, host_len)? };
        data.buf.push_dev_host(s).map_err(|e| entry_error(&e))
    })
}

/// CORS settings of a policy (`wsguard_origin_policy_set_cors`). Strings are
/// comma-separated lists; a NULL pointer means the default.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_cors_config {
    /// Send `Access-Control-Allow-Credentials: true`.
    pub credentials: bool,
    /// Allowed methods for preflights (NULL: `GET, HEAD, POST`).
    pub methods: *const c_char,
    /// Length of `methods`.
    pub methods_len: usize,
    /// Allowed request headers, e.g. `authorization, content-type` (NULL: none).
    pub headers: *const c_char,
    /// Length of `headers`.
    pub headers_len: usize,
    /// Response headers the page may read (NULL: none).
    pub expose_headers: *const c_char,
    /// Length of `expose_headers`.
    pub expose_headers_len: usize,
    /// Send `Access-Control-Max-Age` (with `max_age` seconds).
    pub has_max_age: bool,
    /// Seconds a preflight may be cached.
    pub max_age: u32,
}

/// Sets the CORS settings (the strings are copied; at most 1024 bytes together, else
/// `WSGUARD_RESULT_CAPACITY_EXCEEDED`; `WSGUARD_RESULT_INVALID_CONFIG` when one holds a
/// control character such as CR or LF). `config` NULL restores the defaults (no
/// credentials, methods `GET, HEAD, POST`). The policy is unchanged on failure.
///
/// # Safety
/// `policy` is live and not shared during the call; `config` is NULL or valid, its strings
/// point to their lengths in bytes.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_set_cors(
    policy: *mut wsguard_origin_policy,
    config: *const wsguard_cors_config,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { handle::get_mut(policy)? };
        let mut table = StrTable::<3, CORS_TEXT>::new();
        let (mut credentials, mut max_age) = (false, None);
        if config.is_null() {
            for s in [CorsConfig::new().methods, "", ""] {
                table.push(s)?;
            }
        } else {
            let c = unsafe { &*config };
            let opt = |p: *const c_char,
                       n: usize,
                       default: &'static str|
             -> Result<&str, wsguard_result> {
                let s = if p.is_null() {
                    default
                } else {
                    unsafe { text(p, n)? }
                };
                check_config_text(s).map_err(|_| wsguard_result::InvalidConfig)?;
                Ok(s)
            };
            table.push(opt(c.methods, c.methods_len, CorsConfig::new().methods)?)?;
            table.push(opt(c.headers, c.headers_len, "")?)?;
            table.push(opt(c.expose_headers, c.expose_headers_len, "")?)?;
            credentials = c.credentials;
            max_age = c.has_max_age.then_some(c.max_age);
        }
        data.cors_text = table;
        data.cors_credentials = credentials;
        data.cors_max_age = max_age;
        Ok(())
    })
}

fn origin_rejection(d: &OriginDenial) -> wsguard_rejection {
    let detail = d.malformed().map(|m| m.code()).unwrap_or("");
    let close = wsguard_core::handshake::Rejection::Origin(*d).close_code();
    wsguard_rejection::from_diag(d, d.http_status(), close).with_detail(detail)
}

/// Checks one Origin header value against the policy. `origin == NULL` means the request
/// had no Origin header (a non-NULL pointer with length 0 is an empty header).
///
/// `WSGUARD_RESULT_OK` when allowed; `WSGUARD_RESULT_ORIGIN_REJECTED` when refused, with
/// `*rejection_out` (may be NULL): code (`origin_host`, `origin_null`, `origin_malformed`
/// …), `detail` (the malformation, e.g. `trailing_slash`), HTTP status 403, reason and
/// remedy. Allocates nothing; keeps no pointer.
///
/// # Safety
/// `policy` is live; `origin` is NULL or points to `origin_len` bytes; `rejection_out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_check(
    policy: *const wsguard_origin_policy,
    origin: *const c_char,
    origin_len: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { policy_data(policy)? };
        let value = if origin.is_null() {
            None
        } else {
            Some(unsafe { bytes(origin.cast(), origin_len)? })
        };
        let verdict = data.with_view(|v| v.origin.check(value).map(|_| ()));
        verdict.map_err(|d| {
            unsafe { write_opt(rejection_out, origin_rejection(&d)) };
            wsguard_result::OriginRejected
        })
    })
}

/// Checks every Origin header of a request at once: `count == 0` is "no header", one
/// value is as `wsguard_origin_policy_check`, several are refused (`origin_multiple`).
/// `values[i]` points to `lens[i]` bytes. Outputs as `wsguard_origin_policy_check`.
///
/// # Safety
/// `values` and `lens` point to `count` elements each (may be NULL when `count == 0`).
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_check_values(
    policy: *const wsguard_origin_policy,
    values: *const *const c_char,
    lens: *const usize,
    count: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { policy_data(policy)? };
        let ptrs = unsafe { slice_of(values, count)? };
        let lens = unsafe { slice_of(lens, count)? };
        let mut items: [&[u8]; 2] = [&[], &[]];
        for (i, (p, n)) in ptrs.iter().zip(lens.iter()).take(2).enumerate() {
            items[i] = unsafe { bytes((*p).cast(), *n)? };
        }
        let n = count.min(2);
        let verdict = data.with_view(|v| v.origin.check_values(&items[..n]).map(|_| ()));
        verdict.map_err(|d| {
            unsafe { write_opt(rejection_out, origin_rejection(&d)) };
            wsguard_result::OriginRejected
        })
    })
}

/// Checks a Host header value against the Host allowlist (any Host passes when the list
/// is empty). `WSGUARD_RESULT_HOST_REJECTED` with `*rejection_out` (may be NULL):
/// `host_not_allowed` (403) or `host_malformed` (400, `detail` says why).
///
/// # Safety
/// `policy` is live; `host` points to `host_len` bytes; `rejection_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_check_host(
    policy: *const wsguard_origin_policy,
    host: *const c_char,
    host_len: usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        let data = unsafe { policy_data(policy)? };
        let value = unsafe { bytes(host.cast(), host_len)? };
        let verdict = data.with_view(|v| v.hosts.check(value));
        verdict.map_err(|d| {
            let detail = d.malformed().map(|m| m.code()).unwrap_or("");
            unsafe {
                write_opt(
                    rejection_out,
                    wsguard_rejection::from_diag(&d, d.http_status(), 0).with_detail(detail),
                )
            };
            wsguard_result::HostRejected
        })
    })
}

/// The parts of an HTTP request CORS looks at. A NULL pointer means "header absent".
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsguard_cors_request {
    /// Request method (`GET`, `OPTIONS` …); must not be NULL.
    pub method: *const c_char,
    /// Length of `method`.
    pub method_len: usize,
    /// The Origin header, or NULL.
    pub origin: *const c_char,
    /// Length of `origin`.
    pub origin_len: usize,
    /// `Access-Control-Request-Method`, or NULL.
    pub request_method: *const c_char,
    /// Length of `request_method`.
    pub request_method_len: usize,
    /// `Access-Control-Request-Headers`, or NULL.
    pub request_headers: *const c_char,
    /// Length of `request_headers`.
    pub request_headers_len: usize,
}

/// What `wsguard_origin_policy_cors` decided.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsguard_cors_result {
    /// The origin, method and headers are allowed (or it was not a CORS request).
    pub allowed: bool,
    /// The request carried an Origin (it is a CORS request at all).
    pub is_cors: bool,
    /// The request is a preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub preflight: bool,
    /// Status to answer a preflight with (204 allowed, 403 refused); 0 for simple requests
    /// (the application answers those itself).
    pub status: u16,
    /// When `allowed` is false: why (`cors_method`, `cors_headers` or the origin's code);
    /// otherwise all-empty.
    pub denial: wsguard_rejection,
}

unsafe fn opt_bytes<'a>(p: *const c_char, n: usize) -> Result<Option<&'a [u8]>, wsguard_result> {
    if p.is_null() {
        Ok(None)
    } else {
        Ok(Some(unsafe { bytes(p.cast(), n)? }))
    }
}

/// Computes the CORS response headers for a simple or preflight request from the same
/// policy that checks WebSocket Origins, and writes them as `Name: value\r\n` lines into
/// `out` (`Access-Control-Allow-Origin`, `-Credentials`, `-Methods`, `-Headers`,
/// `-Max-Age`, `-Expose-Headers`, then always `Vary`). A refused request still gets its
/// `Vary` line; `*result_out` says whether it was allowed and why not.
///
/// On `WSGUARD_RESULT_OK`, `*written_out` bytes of `out` were written (not NUL-terminated)
/// and `*result_out` is set. On `WSGUARD_RESULT_BUFFER_TOO_SMALL` only `*needed_out` (may
/// be NULL) is written. Allocates nothing; keeps no pointer.
///
/// # Safety
/// `policy` live; `request` valid with its strings; `out` points to `out_len` writable
/// bytes; `written_out` and `result_out` writable; `needed_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_cors(
    policy: *const wsguard_origin_policy,
    request: *const wsguard_cors_request,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    result_out: *mut wsguard_cors_result,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        non_null(result_out)?;
        non_null(request)?;
        let data = unsafe { policy_data(policy)? };
        let r = unsafe { &*request };
        if r.method.is_null() {
            return Err(wsguard_result::NullArgument);
        }
        let req = CorsRequest {
            method: unsafe { bytes(r.method.cast(), r.method_len)? },
            origin: unsafe { opt_bytes(r.origin, r.origin_len)? },
            request_method: unsafe { opt_bytes(r.request_method, r.request_method_len)? },
            request_headers: unsafe { opt_bytes(r.request_headers, r.request_headers_len)? },
        };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        let outcome = data.with_view(|v| {
            let resp = v.origin.cors(&v.cors, &req);
            let lines = |buf: &mut [u8]| {
                let mut cur = Cursor::new(buf);
                resp.write_headers(&mut cur).map(|()| cur.len())
            };
            let written = write_whole(dst, lines, |e| Some(e.needed));
            let denial = match resp.denial() {
                Some(d) => {
                    let detail = match d {
                        wsguard_core::origin::CorsDenial::Origin(o) => {
                            o.malformed().map(|m| m.code()).unwrap_or("")
                        }
                        _ => "",
                    };
                    wsguard_rejection::from_diag(&d, d.http_status(), 0).with_detail(detail)
                }
                None => wsguard_rejection::EMPTY,
            };
            let result = wsguard_cors_result {
                allowed: resp.is_allowed(),
                is_cors: resp.is_cors(),
                preflight: resp.is_preflight(),
                status: resp.status().unwrap_or(0),
                denial,
            };
            (written, result)
        });
        match outcome {
            (Ok(n), result) => {
                unsafe {
                    written_out.write(n);
                    result_out.write(result);
                }
                Ok(())
            }
            (Err(w), _) => Err(unsafe { w.report(needed_out, |_| wsguard_result::BufferTooSmall) }),
        }
    })
}

/// The number of patterns in a policy (`*count_out`).
///
/// # Safety
/// `policy` live; `count_out` writable.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_policy_pattern_count(
    policy: *const wsguard_origin_policy,
    count_out: *mut usize,
) -> wsguard_result {
    guard(|| {
        non_null(count_out)?;
        let data = unsafe { policy_data(policy)? };
        unsafe { count_out.write(data.buf.len()) };
        Ok(())
    })
}

/// Parses an Origin header value (RFC 6454) and writes its normalised form into `out`:
/// lowercase scheme and host, default port elided (`HTTPS://App.Example.com:443` →
/// `https://app.example.com`), `null` for `null`. Not NUL-terminated.
///
/// `WSGUARD_RESULT_OK`: `*written_out` bytes written. `WSGUARD_RESULT_ORIGIN_REJECTED`: not
/// a serialized origin; `*rejection_out` (may be NULL) says why (`origin_malformed` with
/// `detail`, or `origin_multiple`). `WSGUARD_RESULT_BUFFER_TOO_SMALL`: only `*needed_out`
/// (may be NULL) is written. Allocates nothing.
///
/// # Safety
/// `origin` points to `origin_len` bytes; `out` to `out_len` writable bytes; outputs valid.
#[no_mangle]
pub unsafe extern "C" fn wsguard_origin_normalize(
    origin: *const c_char,
    origin_len: usize,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
    needed_out: *mut usize,
    rejection_out: *mut wsguard_rejection,
) -> wsguard_result {
    guard(|| {
        non_null(written_out)?;
        let value = unsafe { bytes(origin.cast(), origin_len)? };
        let dst = unsafe { bytes_mut(out.cast(), out_len)? };
        let parsed = Origin::parse(value).map_err(|d| {
            unsafe { write_opt(rejection_out, origin_rejection(&d)) };
            wsguard_result::OriginRejected
        })?;
        unsafe { write_display(dst, &parsed, written_out, needed_out) }
    })
}
