//! `ScopeGuard`: the accept path of the framework integrations in one native call, and
//! the log helpers every integration uses for network text.
//!
//! `wsguard.asgi`, `wsguard.channels` and `wsguard.websockets` validate each connection
//! with a single call that reads the ASGI scope (or the `websockets` header list) in
//! Rust: header names and values are borrowed from the `bytes` (or `str`) objects already
//! in the scope through the C API ([`crate::borrowed`]: no per-header Python object or
//! reference count, nothing copied; the list of borrowed fields lives on the stack for up
//! to 46 headers, so a scope costs no heap allocation before the verdict), and the core
//! validates the list as it is ([`validate_fields`]: no request head is written or
//! parsed, no SHA-1 computed). The verdict ([`Handshake`])
//! copies the text it reports into one buffer, which becomes Python strings only when
//! the application reads them; its accept value, extension list and 101 response are
//! computed only if asked for. The guard owns its configuration (subprotocols, token
//! locations) as Rust strings, freed with it.
//!
//! The log helpers ([`log_text`], [`ScopeGuard::log_target`], [`ScopeGuard::describe`])
//! write network text through the core's `text::escaped` and `TokenConfig::log_target`:
//! no CR/LF/ESC reaches a log line and a query token is never logged.

use std::borrow::Cow;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use wsguard_core::handshake::{
    validate_fields, DevAuthBypass, DevAuthNotice, FieldRequest, ServerConfig, SubprotocolToken,
    TokenConfig,
};
use wsguard_core::text::escaped;
use wsguard_core::Diagnostic;

use crate::convert::{bytes_of, str_list};
use crate::handshake::{headers_shape, rejected, subprotocol_form, Handshake, PROTOCOL_HEADER};
use crate::metrics::Metrics;
use crate::origin::OriginPolicy;

/// Where the token may travel, owned by the guard.
struct OwnedToken {
    authorization: bool,
    query: Option<String>,
    /// `(true, prefix)` for `<prefix><token>`, `(false, marker)` for `<marker>, <token>`.
    form: Option<(bool, String)>,
    required: bool,
}

impl OwnedToken {
    fn config(&self) -> TokenConfig<'_> {
        let mut t = TokenConfig::DISABLED
            .authorization(self.authorization)
            .required(self.required);
        if let Some(q) = &self.query {
            t = t.query(q);
        }
        match &self.form {
            Some((true, p)) => t.subprotocol(SubprotocolToken::Prefix(p)),
            Some((false, m)) => t.subprotocol(SubprotocolToken::Pair(m)),
            None => t,
        }
    }
}

/// A policy plus the handshake options of one integration, converted once.
///
/// ``ScopeGuard(policy, *, subprotocols=(), require_subprotocol=False,
/// token_authorization=False, token_query=None, token_subprotocol_prefix=None,
/// token_subprotocol_marker=None, require_token=False, dev_auth_bypass=False,
/// dev_auth_bypass_allow_non_loopback=False, metrics=None)``. The token options mean what
/// they mean for ``validate_handshake`` (decided by the core): both subprotocol forms at
/// once, or an empty one, raise ``InvalidInput`` (``token_subprotocol_conflict`` …).
#[pyclass(module = "wsguard._wsguard", name = "ScopeGuard", frozen)]
pub struct ScopeGuard {
    policy: Py<OriginPolicy>,
    subprotocols: Vec<String>,
    require_subprotocol: bool,
    token: OwnedToken,
    /// The development auth bypass (checked against the preset at construction; its
    /// listen check runs per connection, see `crate::dev_auth`).
    dev_auth: DevAuthBypass,
    /// Verdicts are counted here, inside the native call (`crate::metrics`).
    metrics: Py<Metrics>,
}

/// Calls `f` with `list` as `&[&str]` (on the stack for up to 8 entries).
fn with_strs<R>(list: &[String], f: impl FnOnce(&[&str]) -> R) -> R {
    if list.len() <= 8 {
        let mut refs = [""; 8];
        for (r, s) in refs.iter_mut().zip(list) {
            *r = s;
        }
        f(refs.get(..list.len()).unwrap_or(&[]))
    } else {
        f(&list.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

impl ScopeGuard {
    /// Whether the development auth bypass applies to a connection that arrived on
    /// `listen` (`false` without a lookup when the bypass is off).
    pub(crate) fn dev_bypass_for(
        &self,
        listen: impl FnOnce() -> PyResult<String>,
    ) -> PyResult<bool> {
        if !self.dev_auth.enabled {
            return Ok(false);
        }
        Ok(self
            .dev_auth
            .applies(self.policy.get().preset_kind(), &listen()?))
    }

    /// Calls `f` with the core's configuration, borrowed from this guard and its policy
    /// (the accept path and the explain answer); `dev_bypass` is the development auth
    /// bypass decision for the connection ([`Self::dev_bypass_for`]).
    pub(crate) fn with_config<R>(
        &self,
        dev_bypass: bool,
        f: impl FnOnce(&ServerConfig<'_>) -> R,
    ) -> R {
        let policy = self.policy.get();
        with_strs(&self.subprotocols, |subprotocols| {
            policy.with_core(|origins, hosts| {
                let cfg = ServerConfig::new(*origins)
                    .hosts(hosts)
                    .subprotocols(subprotocols)
                    .require_subprotocol(self.require_subprotocol)
                    .token(self.token.config())
                    .dev_auth_bypass(dev_bypass);
                f(&cfg)
            })
        })
    }

    /// Validates `fields` for `target` with the bypass decision `dev_bypass`, counting
    /// the verdict into this guard's [`Metrics`]; `upgraded`: the server already performed
    /// the upgrade (an ASGI scope: the core's `ServerConfig::upgraded`).
    fn decide(
        &self,
        py: Python<'_>,
        target: &[u8],
        fields: &[(&[u8], &[u8])],
        dev_bypass: bool,
        upgraded: bool,
    ) -> PyResult<Handshake> {
        let counters = self.metrics.get().counters();
        let verdict = self.with_config(dev_bypass, |cfg| {
            let cfg = &cfg.upgraded(upgraded);
            validate_fields(cfg, &FieldRequest::get(target, fields)).map(|a| {
                let notice = a.dev_auth_bypassed.then(|| {
                    let origin = a.origin.map(|o| o.as_str().as_bytes());
                    DevAuthNotice::new(&cfg.token, target, origin).to_string()
                });
                Handshake::lazy(&a).with_dev_auth_notice(notice)
            })
        });
        match verdict {
            Ok(h) => {
                counters.accepted();
                Ok(h)
            }
            Err(r) => {
                counters.refused(r.code());
                Err(rejected(py, &r))
            }
        }
    }
}

/// The scope as a `dict` (ASGI scopes are; any other mapping is copied into one).
fn as_dict<'py>(scope: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    match scope.cast::<PyDict>() {
        Ok(d) => Ok(d.clone()),
        Err(_) => {
            let d = PyDict::new(scope.py());
            d.update(scope.cast::<pyo3::types::PyMapping>()?)?;
            Ok(d)
        }
    }
}

/// `scope[key]` of a dict scope, `None` when absent. `key` is an interned Python string
/// (`pyo3::intern!`), so no string is built and no hash computed per lookup.
fn item<'py>(
    scope: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    scope.get_item(key)
}

/// One header field of a Python header list: the `bytes` objects themselves (borrowed,
/// the ASGI case), or a copy (`str` values, as the `websockets` hook gets them).
enum Pair<'py> {
    Bytes(Bound<'py, PyBytes>, Bound<'py, PyBytes>),
    /// Boxed: the common case stays two pointers wide.
    Copied(Box<(Vec<u8>, Vec<u8>)>),
}

impl Pair<'_> {
    fn get(&self) -> (&[u8], &[u8]) {
        match self {
            Pair::Bytes(n, v) => (n.as_bytes(), v.as_bytes()),
            Pair::Copied(c) => (&c.0, &c.1),
        }
    }
}

/// A `(name, value)` tuple or 2-list of `str`/`bytes`.
fn read_pair<'py>(py: Python<'py>, entry: &Bound<'py, PyAny>) -> PyResult<Pair<'py>> {
    if let Ok(t) = entry.cast::<PyTuple>() {
        if t.len() == 2 {
            let (k, v) = (t.get_borrowed_item(0)?, t.get_borrowed_item(1)?);
            if let (Ok(k), Ok(v)) = (k.cast::<PyBytes>(), v.cast::<PyBytes>()) {
                return Ok(Pair::Bytes(k.to_owned(), v.to_owned()));
            }
            // `str` pairs (the `websockets` hook): their UTF-8 as `bytes` objects, no Rust
            // copy; text that is not UTF-8 (surrogates) takes the path below.
            if let (Ok(k), Ok(v)) = (k.cast::<PyString>(), v.cast::<PyString>()) {
                if let (Ok(k), Ok(v)) = (k.encode_utf8(), v.encode_utf8()) {
                    return Ok(Pair::Bytes(k, v));
                }
            }
        }
    }
    let bad = |what: &str| headers_shape(py, what);
    let (name, value) = match (entry.cast::<PyTuple>(), entry.cast::<PyList>()) {
        (Ok(t), _) if t.len() == 2 => (t.get_item(0)?, t.get_item(1)?),
        (_, Ok(l)) if l.len() == 2 => (l.get_item(0)?, l.get_item(1)?),
        (Ok(_), _) | (_, Ok(_)) => return Err(bad("an item does not have exactly two elements")),
        _ => {
            return Err(bad(&format!(
                "an item is {}",
                crate::convert::type_name(entry)
            )))
        }
    };
    let name = bytes_of(py, &name, "header name")?.into_owned();
    let value = bytes_of(py, &value, "header value")?.into_owned();
    Ok(Pair::Copied(Box::new((name, value))))
}

/// Header lists up to this long are read without a heap allocation (the core's default
/// limit refuses more than 32 fields anyway).
const INLINE: usize = 40;

/// The pairs of a header list: the first [`INLINE`] on the stack, any others in a `Vec`.
struct Pairs<'py> {
    inline: [Option<Pair<'py>>; INLINE],
    more: Vec<Pair<'py>>,
    len: usize,
}

impl<'py> Pairs<'py> {
    fn new() -> Self {
        Pairs {
            inline: [const { None }; INLINE],
            more: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, pair: Pair<'py>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = Some(pair),
            None => self.more.push(pair),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.inline
            .iter()
            .map_while(Option::as_ref)
            .chain(&self.more)
            .map(Pair::get)
    }
}

/// Header fields in one slice: on the stack up to `INLINE + 6` (uninitialised until
/// pushed: no 1.5 KB cleared per scope), else on the heap.
#[allow(clippy::large_enum_variant)] // on the stack on purpose: no allocation per scope
enum FieldBuf<'a> {
    Inline(heapless::Vec<(&'a [u8], &'a [u8]), { INLINE + 6 }>),
    Heap(Vec<(&'a [u8], &'a [u8])>),
}

impl<'a> FieldBuf<'a> {
    fn new() -> Self {
        FieldBuf::Inline(heapless::Vec::new())
    }

    #[inline]
    fn push(&mut self, field: (&'a [u8], &'a [u8])) {
        match self {
            FieldBuf::Inline(buf) => {
                if let Err(field) = buf.push(field) {
                    let mut v = buf.to_vec();
                    v.push(field);
                    *self = FieldBuf::Heap(v);
                }
            }
            FieldBuf::Heap(v) => v.push(field),
        }
    }

    fn clear(&mut self) {
        *self = FieldBuf::new();
    }

    fn as_slice(&self) -> &[(&'a [u8], &'a [u8])] {
        match self {
            FieldBuf::Inline(buf) => buf,
            FieldBuf::Heap(v) => v,
        }
    }
}

/// Reads an iterable of `(name, value)` pairs into `out`; a `list` (the ASGI case)
/// without an iterator.
fn read_pairs<'py>(
    py: Python<'py>,
    headers: &Bound<'py, PyAny>,
    out: &mut Pairs<'py>,
) -> PyResult<()> {
    if let Ok(list) = headers.cast::<PyList>() {
        for entry in list.iter() {
            out.push(read_pair(py, &entry)?);
        }
        return Ok(());
    }
    let iter = headers
        .try_iter()
        .map_err(|_| headers_shape(py, &format!("got {}", crate::convert::type_name(headers))))?;
    for entry in iter {
        out.push(read_pair(py, &entry?)?);
    }
    Ok(())
}

/// Fills `fields` from a header list: borrowed through the C API when it has the exact
/// shape servers build (`crate::borrowed`), else read the safe way into `slow`, which
/// also names what is wrong with a bad list.
///
/// # Safety
/// The contract of [`crate::borrowed::exact_pairs`]: the caller holds the GIL and runs no
/// Python code while the fields borrowed from `headers` are in use.
unsafe fn read_fields<'a, 'py>(
    py: Python<'py>,
    headers: &'a Bound<'py, PyAny>,
    slow: &'a mut Option<Pairs<'py>>,
    fields: &mut FieldBuf<'a>,
) -> PyResult<()> {
    // SAFETY: passed on to the caller (see above).
    if unsafe { crate::borrowed::exact_pairs(headers, |n, v| fields.push((n, v))) } {
        return Ok(());
    }
    // Another shape (a subclass, `[name, value]` lists, `bytearray` …): nothing borrowed
    // is kept (`fields` starts again), and the safe reader may run Python code.
    fields.clear();
    let pairs = slow.insert(Pairs::new());
    read_pairs(py, headers, pairs)?;
    for field in pairs.iter() {
        fields.push(field);
    }
    Ok(())
}

/// A `bytes` value of a scope, if it is one.
type ScopeBytes<'py> = Option<Bound<'py, PyBytes>>;

/// `raw_path` and `query_string` of a scope, when they are `bytes` (as ASGI says).
fn target_parts<'py>(
    py: Python<'py>,
    scope: &Bound<'py, PyDict>,
) -> PyResult<(ScopeBytes<'py>, ScopeBytes<'py>)> {
    let raw = item(scope, intern!(py, "raw_path"))?.and_then(|r| r.cast_into::<PyBytes>().ok());
    let query =
        item(scope, intern!(py, "query_string"))?.and_then(|q| q.cast_into::<PyBytes>().ok());
    Ok((raw, query))
}

/// The request target of an ASGI scope: `raw_path` (else `root_path + path`), plus
/// `?query_string` when the target has no query yet; borrowed from `raw_path` when that
/// is the whole target (the common case: no copy). `raw` and `query` from [`target_parts`].
fn scope_target<'a>(
    py: Python<'_>,
    scope: &Bound<'_, PyDict>,
    raw: Option<&'a Bound<'_, PyBytes>>,
    query: Option<&'a Bound<'_, PyBytes>>,
) -> PyResult<Cow<'a, [u8]>> {
    let query = query.map_or(&b""[..], |q| q.as_bytes());
    let mut target = match raw.map(|r| r.as_bytes()) {
        Some(r) if !r.is_empty() => Cow::Borrowed(r),
        _ => {
            let mut t = match item(scope, intern!(py, "root_path"))? {
                Some(v) if !v.is_none() => bytes_of(py, &v, "root_path")?.into_owned(),
                _ => Vec::new(),
            };
            match item(scope, intern!(py, "path"))? {
                Some(v) if !v.is_none() => t.extend_from_slice(&bytes_of(py, &v, "path")?),
                _ => t.push(b'/'),
            }
            Cow::Owned(t)
        }
    };
    if !query.is_empty() && !target.contains(&b'?') {
        let t = target.to_mut();
        t.push(b'?');
        t.extend_from_slice(query);
    }
    if target.is_empty() {
        target.to_mut().push(b'/');
    }
    Ok(target)
}

/// [`scope_target`] as an owned value.
fn owned_target(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<Vec<u8>> {
    let (raw, query) = target_parts(py, scope)?;
    Ok(scope_target(py, scope, raw.as_ref(), query.as_ref())?.into_owned())
}

#[pymethods]
impl ScopeGuard {
    #[new]
    #[pyo3(signature = (
        policy, *, subprotocols = None, require_subprotocol = false, token_authorization = false,
        token_query = None, token_subprotocol_prefix = None, token_subprotocol_marker = None,
        require_token = false, dev_auth_bypass = false, dev_auth_bypass_allow_non_loopback = false,
        metrics = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        policy: Py<OriginPolicy>,
        subprotocols: Option<&Bound<'_, PyAny>>,
        require_subprotocol: bool,
        token_authorization: bool,
        token_query: Option<&str>,
        token_subprotocol_prefix: Option<&str>,
        token_subprotocol_marker: Option<&str>,
        require_token: bool,
        dev_auth_bypass: bool,
        dev_auth_bypass_allow_non_loopback: bool,
        metrics: Option<Py<Metrics>>,
    ) -> PyResult<Self> {
        // The bypass never runs in production: DevAuthBypassRefused before any connection.
        let dev_auth = crate::dev_auth::configure(
            py,
            dev_auth_bypass,
            dev_auth_bypass_allow_non_loopback,
            policy.get().preset_kind(),
        )?;
        let subprotocols = str_list(py, subprotocols, "subprotocols")?;
        let form =
            subprotocol_form(py, token_subprotocol_prefix, token_subprotocol_marker)?.map(|f| {
                match f {
                    SubprotocolToken::Prefix(p) => (true, p.to_owned()),
                    SubprotocolToken::Pair(m) => (false, m.to_owned()),
                }
            });
        Ok(ScopeGuard {
            policy,
            subprotocols,
            require_subprotocol,
            token: OwnedToken {
                authorization: token_authorization,
                query: token_query.map(str::to_owned),
                form,
                required: require_token,
            },
            dev_auth,
            metrics: match metrics {
                Some(m) => m,
                None => Py::new(py, Metrics::fresh())?,
            },
        })
    }

    /// Validates one ASGI ``websocket`` scope (``headers``, ``raw_path``/``path``,
    /// ``query_string``, ``subprotocols``) as the field list it holds; the server already
    /// performed the upgrade, so missing ``Upgrade``/``Connection``/version/key headers
    /// are not refused (the core's ``ServerConfig::upgraded``), and
    /// ``scope["subprotocols"]`` stands for a
    /// ``Sec-WebSocket-Protocol`` header the server removed. Returns the
    /// :class:`Handshake` (also a read-only mapping) or raises ``HandshakeRejected``.
    fn check_scope(&self, py: Python<'_>, scope: &Bound<'_, PyAny>) -> PyResult<Handshake> {
        let scope = &as_dict(scope)?;
        // Everything that may run Python code (lookups, conversions, the bypass's listen
        // address) happens before the header list is borrowed (`crate::borrowed`).
        let (raw, query) = target_parts(py, scope)?;
        let target = scope_target(py, scope, raw.as_ref(), query.as_ref())?;
        let headers = item(scope, intern!(py, "headers"))?;
        let offered = match item(scope, intern!(py, "subprotocols"))? {
            Some(o) if o.len().map_or(true, |n| n > 0) => {
                str_list(py, Some(&o), "subprotocols")?.join(", ")
            }
            _ => String::new(),
        };
        let dev_bypass = self.dev_bypass_for(|| crate::dev_auth::scope_listen(py, scope))?;
        let mut slow: Option<Pairs<'_>> = None;
        let mut fields = FieldBuf::new();
        if let Some(h) = &headers {
            // SAFETY: the GIL is held, `headers` is a strong reference kept to the end of
            // this function, and from here on only Rust code runs until `decide` has
            // copied what the verdict keeps (the contract of `borrowed::exact_pairs`).
            unsafe { read_fields(py, h, &mut slow, &mut fields)? };
        }
        // `scope["subprotocols"]` stands for a `Sec-WebSocket-Protocol` header the server
        // removed; the upgrade headers it may have consumed are the core's
        // `ServerConfig::upgraded` (nothing is made up for them).
        if !offered.is_empty() {
            let (n, p) = (PROTOCOL_HEADER.len(), PROTOCOL_HEADER);
            let present = fields
                .as_slice()
                .iter()
                .any(|(name, _)| name.len() == n && name.eq_ignore_ascii_case(p));
            if !present {
                fields.push((PROTOCOL_HEADER, offered.as_bytes()));
            }
        }
        self.decide(py, &target, fields.as_slice(), dev_bypass, true)
    }

    /// Validates a request given as an iterable of ``(name, value)`` pairs (``str`` or
    /// ``bytes``) and a request target — the ``websockets`` hook's request, which still
    /// carries every upgrade header. Returns the :class:`Handshake` or raises
    /// ``HandshakeRejected``. ``server`` is the local address the connection arrived on
    /// (``connection.local_address``), used only by the development auth bypass.
    #[pyo3(signature = (headers, path, server = None))]
    fn check_request(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        server: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Handshake> {
        let target = bytes_of(py, path, "path")?;
        let dev_bypass = self.dev_bypass_for(|| crate::dev_auth::listen_text(py, server))?;
        // `headers.raw_items()` is an iterator: made a list first (that may run Python
        // code), then borrowed as `check_scope` does.
        let list = match headers.cast::<PyList>() {
            Ok(l) => l.clone().into_any(),
            Err(_) => match headers.try_iter() {
                Ok(iter) => PyList::new(py, iter.collect::<PyResult<Vec<_>>>()?)?.into_any(),
                Err(_) => {
                    let got = format!("got {}", crate::convert::type_name(headers));
                    return Err(headers_shape(py, &got));
                }
            },
        };
        let mut slow: Option<Pairs<'_>> = None;
        let mut fields = FieldBuf::new();
        // SAFETY: the GIL is held, `list` is a strong reference kept to the end of this
        // function, and from here on only Rust code runs until `decide` has copied what
        // the verdict keeps (the contract of `borrowed::exact_pairs`).
        unsafe { read_fields(py, &list, &mut slow, &mut fields)? };
        self.decide(py, &target, fields.as_slice(), dev_bypass, false)
    }

    /// Whether the development auth bypass is on (``dev_auth_bypass=True``).
    #[getter]
    fn dev_auth_bypass(&self) -> bool {
        self.dev_auth.enabled
    }

    /// The development auth bypass's listen check for ``address`` (``"host:port"``, a
    /// ``(host, port)`` tuple, ``None``): ``None`` when the bypass is off or applies,
    /// else the ``DevAuthBypassRefused`` saying why it does not (returned, not raised).
    fn dev_auth_refusal(
        &self,
        py: Python<'_>,
        address: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyErr>> {
        let listen = crate::dev_auth::listen_text(py, address)?;
        Ok(self
            .dev_auth
            .check_listen(&listen)
            .err()
            .map(|r| crate::dev_auth::refused(py, r)))
    }

    /// Raises ``DevAuthBypassRefused`` when the development auth bypass is on and
    /// ``address`` (the server's listen address) is not loopback without the override:
    /// call it at startup where the server exposes its address.
    fn check_listen(&self, py: Python<'_>, address: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let listen = crate::dev_auth::listen_text(py, address)?;
        self.dev_auth
            .check_listen(&listen)
            .map_err(|r| crate::dev_auth::refused(py, r))
    }

    /// The request target for a log line: control characters escaped, query tokens
    /// (this guard's ``token_query`` and ``token``/``access_token``) redacted.
    fn log_target(&self, py: Python<'_>, target: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(self
            .token
            .config()
            .log_target(&bytes_of(py, target, "target")?)
            .to_string())
    }

    /// ``(target, origin, client)`` of an ASGI scope, each safe for a log line: the
    /// target as :meth:`log_target`, every Origin value (``", "``-joined;
    /// ``"<missing>"``), the client address (``"?"`` when unknown).
    fn describe(
        &self,
        py: Python<'_>,
        scope: &Bound<'_, PyAny>,
    ) -> PyResult<(String, String, String)> {
        let scope = &as_dict(scope)?;
        let target = self
            .token
            .config()
            .log_target(&owned_target(py, scope)?)
            .to_string();
        Ok((target, scope_origins(py, scope)?, scope_client(py, scope)?))
    }

    /// ``(accepted, refused)`` connections counted by this guard's :class:`Metrics`.
    fn counts(&self) -> (u64, u64) {
        let s = self.metrics.get().counters().snapshot();
        (s.accepted, s.refused_total)
    }

    /// The :class:`Metrics` this guard counts into (shared when given to the constructor).
    #[getter]
    fn metrics(&self, py: Python<'_>) -> Py<Metrics> {
        self.metrics.clone_ref(py)
    }

    /// The policy.
    #[getter]
    fn policy(&self, py: Python<'_>) -> Py<OriginPolicy> {
        self.policy.clone_ref(py)
    }
}

/// Every Origin value of a scope's header list, escaped and joined (`<missing>`).
fn scope_origins(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<String> {
    let mut out = String::new();
    if let Some(headers) = item(scope, intern!(py, "headers"))? {
        for pair in headers.try_iter()? {
            let pair = pair?;
            let (name, value) = (pair.get_item(0)?, pair.get_item(1)?);
            if bytes_of(py, &name, "header name")?.eq_ignore_ascii_case(b"origin") {
                if !out.is_empty() {
                    out.push_str(", ");
                }
                let value = bytes_of(py, &value, "header value")?;
                out.push_str(&escaped(&value).max_bytes(512).to_string());
            }
        }
    }
    if out.is_empty() {
        out.push_str("<missing>");
    }
    Ok(out)
}

/// `host:port` of `scope["client"]`, escaped (`?` when absent).
fn scope_client(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<String> {
    let Some(client) = item(scope, intern!(py, "client"))?.filter(|c| !c.is_none()) else {
        return Ok("?".to_owned());
    };
    let host = client.get_item(0)?;
    let port = client.get_item(1)?;
    let host = if host.is_instance_of::<PyString>() || host.is_instance_of::<PyBytes>() {
        escaped(&bytes_of(py, &host, "client")?)
            .max_bytes(256)
            .to_string()
    } else {
        escaped(host.str()?.to_cow()?.as_bytes())
            .max_bytes(256)
            .to_string()
    };
    Ok(format!(
        "{host}:{}",
        escaped(port.str()?.to_cow()?.as_bytes()).max_bytes(16)
    ))
}

/// Network text (``str`` or ``bytes``; ``None`` gives ``"<missing>"``) as one safe log
/// line: CR, LF, ESC, other controls, bidi marks and invalid UTF-8 escaped by the core.
///
/// >>> log_text(b"/ws\r\nINJECTED")
/// '/ws\\r\\nINJECTED'
#[pyfunction]
#[pyo3(signature = (value, max_bytes = None))]
pub fn log_text(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    max_bytes: Option<usize>,
) -> PyResult<String> {
    if value.is_none() {
        return Ok("<missing>".to_owned());
    }
    let bytes = bytes_of(py, value, "value")?;
    Ok(escaped(&bytes)
        .max_bytes(max_bytes.unwrap_or(usize::MAX))
        .to_string())
}

/// A request target for a log line: escaped, with the ``token_query`` parameter (and
/// ``token``/``access_token``) redacted by the core.
#[pyfunction]
#[pyo3(signature = (target, token_query = None))]
pub fn log_target(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    token_query: Option<&str>,
) -> PyResult<String> {
    let mut cfg = TokenConfig::DISABLED;
    if let Some(q) = token_query {
        cfg = cfg.query(q);
    }
    Ok(cfg.log_target(&bytes_of(py, target, "target")?).to_string())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ScopeGuard>()?;
    m.add_function(wrap_pyfunction!(log_text, m)?)?;
    m.add_function(wrap_pyfunction!(log_target, m)?)?;
    Ok(())
}
