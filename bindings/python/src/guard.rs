//! `ScopeGuard`: the accept path of the framework integrations in one native call, and
//! the log helpers every integration uses for network text.
//!
//! `wsguard.asgi`, `wsguard.channels` and `wsguard.websockets` validate each connection
//! with a single call that reads the ASGI scope (or the `websockets` header list) in
//! Rust: header values are borrowed from the `bytes` objects already in the scope (no
//! per-header Python object is created), the request head is written once, the core
//! validates it, and the verdict ([`Handshake`]) holds Rust strings that become Python
//! objects only when the application reads them; its 101 response is written only if
//! asked for. The guard's configuration (subprotocols, token locations) is converted
//! once, at construction.
//!
//! The log helpers ([`log_text`], [`ScopeGuard::log_target`], [`ScopeGuard::describe`])
//! write network text through the core's `text::escaped` and `TokenConfig::log_target`:
//! no CR/LF/ESC reaches a log line and a query token is never logged.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use wsguard_core::handshake::{
    validate_request, Accepted, DevAuthBypass, DevAuthNotice, Rejection, ServerConfig, TokenConfig,
};
use wsguard_core::text::escaped;
use wsguard_core::{Diagnostic, Status};

use crate::convert::{bytes_of, str_list};
use crate::handshake::{
    push_pairs, rejected, token_config, write_headers, Deferred, Handshake, RequestWriter,
    PLACEHOLDER_KEY, TRACKED,
};
use crate::intern::intern;
use crate::metrics::Metrics;
use crate::origin::OriginPolicy;

/// A policy plus the handshake options of one integration, converted once.
///
/// ``ScopeGuard(policy, *, subprotocols=(), require_subprotocol=False,
/// token_authorization=False, token_query=None, token_subprotocol_prefix=None,
/// token_subprotocol_marker=None, require_token=False)``.
#[pyclass(module = "wsguard._wsguard", name = "ScopeGuard", frozen)]
pub struct ScopeGuard {
    policy: Py<OriginPolicy>,
    subprotocols: Vec<&'static str>,
    require_subprotocol: bool,
    token: TokenConfig<'static>,
    /// The development auth bypass (checked against the preset at construction; its
    /// listen check runs per connection, see `crate::dev_auth`).
    dev_auth: DevAuthBypass,
    /// Verdicts are counted here, inside the native call (`crate::metrics`).
    metrics: Py<Metrics>,
}

impl ScopeGuard {
    fn config<'a>(&'a self, policy: &'a OriginPolicy, dev_bypass: bool) -> ServerConfig<'a> {
        ServerConfig::new(policy.core())
            .hosts(policy.host_policy())
            .subprotocols(&self.subprotocols)
            .require_subprotocol(self.require_subprotocol)
            .token(self.token)
            .dev_auth_bypass(dev_bypass)
    }

    /// Whether the development auth bypass applies to a connection that arrived on
    /// `listen` (`false` without a lookup when the bypass is off).
    fn dev_bypass_for(&self, listen: impl FnOnce() -> PyResult<String>) -> PyResult<bool> {
        if !self.dev_auth.enabled {
            return Ok(false);
        }
        let preset = self.policy.get().core().preset_kind();
        Ok(self.dev_auth.applies(preset, &listen()?))
    }

    /// Runs `f` on a request this guard accepted, validated again (for the parts of a
    /// `Handshake` computed on first use).
    pub fn with_accepted<R>(
        &self,
        request: &[u8],
        dev_bypass: bool,
        f: impl FnOnce(&Accepted<'_>) -> R,
    ) -> Option<R> {
        let policy = self.policy.get();
        match validate_request(&self.config(policy, dev_bypass), request) {
            Ok(Status::Complete(a)) => Some(f(&a)),
            _ => None,
        }
    }

    fn finish(
        slf: &Bound<'_, Self>,
        writer: RequestWriter,
        dev_bypass: bool,
    ) -> PyResult<Handshake> {
        let py = slf.py();
        let this = slf.get();
        let counters = this.metrics.get().counters();
        let request = match writer.finish(py) {
            Ok(r) => r,
            Err(e) => {
                counters.refused(Rejection::MalformedRequest.code());
                return Err(e);
            }
        };
        let policy = this.policy.get();
        let verdict = match validate_request(&this.config(policy, dev_bypass), &request) {
            Ok(Status::Complete(a)) => Ok(Handshake::deferred(&a).with_dev_auth_notice(
                a.dev_auth_bypassed
                    .then(|| DevAuthNotice::for_accepted(&this.token, &a).to_string()),
            )),
            Ok(Status::Partial) => Err(Rejection::MalformedRequest),
            Err(r) => Err(r),
        };
        match verdict {
            Ok(h) => {
                counters.accepted();
                Ok(h.with_deferred(Deferred {
                    request,
                    guard: slf.clone().unbind(),
                    dev_bypass,
                }))
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

/// Borrows the bytes of a `bytes` object without copying; other types are converted.
fn push_list_headers(
    py: Python<'_>,
    list: &Bound<'_, PyList>,
    out: &mut RequestWriter,
) -> PyResult<()> {
    for entry in list.iter() {
        if let Ok(t) = entry.cast::<PyTuple>() {
            if t.len() == 2 {
                let (k, v) = (t.get_borrowed_item(0)?, t.get_borrowed_item(1)?);
                if let (Ok(k), Ok(v)) = (k.cast::<PyBytes>(), v.cast::<PyBytes>()) {
                    out.push(k.as_bytes(), v.as_bytes());
                    continue;
                }
            }
        }
        // Anything else (lists, str, bad shapes): the general reader explains.
        push_pairs(py, PyTuple::new(py, [entry])?.as_any(), out)?;
    }
    Ok(())
}

/// The request target of an ASGI scope: `raw_path` (else `root_path + path`), plus
/// `?query_string` when the target has no query yet. Calls `f` with the pieces.
fn with_target<R>(
    py: Python<'_>,
    scope: &Bound<'_, PyDict>,
    f: impl FnOnce(&[&[u8]]) -> PyResult<R>,
) -> PyResult<R> {
    let raw = item(scope, intern!(py, "raw_path"))?;
    let raw = raw.as_ref().and_then(|r| r.cast::<PyBytes>().ok());
    let (root, path);
    let mut parts: [&[u8]; 4] = [b"", b"", b"", b""];
    match raw {
        Some(r) if !r.as_bytes().is_empty() => parts[0] = r.as_bytes(),
        _ => {
            root = match item(scope, intern!(py, "root_path"))? {
                Some(v) if !v.is_none() => {
                    Some(bytes_of(py, &v.clone(), "root_path")?.into_owned())
                }
                _ => None,
            };
            path = match item(scope, intern!(py, "path"))? {
                Some(v) if !v.is_none() => bytes_of(py, &v.clone(), "path")?.into_owned(),
                _ => b"/".to_vec(),
            };
            parts[0] = root.as_deref().unwrap_or(b"");
            parts[1] = &path;
        }
    }
    let query = item(scope, intern!(py, "query_string"))?;
    let query = query.as_ref().and_then(|q| q.cast::<PyBytes>().ok());
    let has_q = parts[0].contains(&b'?') || parts[1].contains(&b'?');
    if let Some(q) = query.filter(|q| !q.as_bytes().is_empty() && !has_q) {
        parts[2] = b"?";
        parts[3] = q.as_bytes();
    }
    if parts.iter().all(|p| p.is_empty()) {
        parts[0] = b"/";
    }
    f(&parts)
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
        let preset = policy.get().core().preset_kind();
        let dev_auth = crate::dev_auth::configure(
            py,
            dev_auth_bypass,
            dev_auth_bypass_allow_non_loopback,
            preset,
        )?;
        let subprotocols = str_list(py, subprotocols, "subprotocols")?
            .iter()
            .map(|s| intern(s))
            .collect();
        let query = token_query.map(intern);
        let prefix = token_subprotocol_prefix.map(intern);
        let marker = token_subprotocol_marker.map(intern);
        // The interned strings make the configuration 'static (both subprotocol forms
        // at once is an InvalidInput).
        let token = token_config(
            py,
            token_authorization,
            query,
            prefix,
            marker,
            require_token,
        )?;
        Ok(ScopeGuard {
            policy,
            subprotocols,
            require_subprotocol,
            token,
            dev_auth,
            metrics: match metrics {
                Some(m) => m,
                None => Py::new(py, Metrics::fresh())?,
            },
        })
    }

    /// Validates one ASGI ``websocket`` scope (``headers``, ``raw_path``/``path``,
    /// ``query_string``, ``subprotocols``); the server already performed the upgrade, so
    /// missing ``Upgrade``/``Connection``/version/key headers are supplied. Returns the
    /// :class:`Handshake` (also a read-only mapping) or raises ``HandshakeRejected``.
    fn check_scope(slf: &Bound<'_, Self>, scope: &Bound<'_, PyAny>) -> PyResult<Handshake> {
        let py = slf.py();
        let scope = &as_dict(scope)?;
        let mut writer = with_target(py, scope, |target| {
            Ok(RequestWriter::from_parts(
                Vec::with_capacity(1024),
                b"GET",
                target,
            ))
        })?;
        if let Some(h) = item(scope, intern!(py, "headers"))? {
            match h.cast::<PyList>() {
                Ok(list) => push_list_headers(py, list, &mut writer)?,
                Err(_) => write_headers(py, &h, &mut writer)?,
            }
        }
        let defaults: [&[u8]; 4] = [b"websocket", b"Upgrade", b"13", PLACEHOLDER_KEY];
        for (i, value) in defaults.iter().enumerate() {
            if !writer.seen[i] {
                writer.push(TRACKED[i], value);
            }
        }
        if !writer.seen[4] {
            if let Some(offered) = item(scope, intern!(py, "subprotocols"))? {
                let list = str_list(py, Some(&offered), "subprotocols")?;
                if !list.is_empty() {
                    writer.push(b"Sec-WebSocket-Protocol", list.join(", ").as_bytes());
                }
            }
        }
        let this = slf.get();
        let dev_bypass = this.dev_bypass_for(|| crate::dev_auth::scope_listen(py, scope))?;
        Self::finish(slf, writer, dev_bypass)
    }

    /// Validates a request given as an iterable of ``(name, value)`` pairs (``str`` or
    /// ``bytes``) and a request target — the ``websockets`` hook's request, which still
    /// carries every upgrade header. Returns the :class:`Handshake` or raises
    /// ``HandshakeRejected``. ``server`` is the local address the connection arrived on
    /// (``connection.local_address``), used only by the development auth bypass.
    #[pyo3(signature = (headers, path, server = None))]
    fn check_request(
        slf: &Bound<'_, Self>,
        headers: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        server: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Handshake> {
        let py = slf.py();
        let target = bytes_of(py, path, "path")?;
        let mut writer = RequestWriter::from_parts(Vec::with_capacity(1024), b"GET", &[&target]);
        push_pairs(py, headers, &mut writer)?;
        let dev_bypass = slf
            .get()
            .dev_bypass_for(|| crate::dev_auth::listen_text(py, server))?;
        Self::finish(slf, writer, dev_bypass)
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
        let target = with_target(py, scope, |parts| {
            Ok(self.token.log_target(&parts.concat()).to_string())
        })?;
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
