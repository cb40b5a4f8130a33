//! `OriginPolicy`, `Verdict`, `CorsResult`: the core's origin/Host/CORS policy in Python.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use wsguard_core::handshake::Rejection;
use wsguard_core::origin::{
    CorsConfig, CorsDenial, CorsRequest, HostPolicy, Origin, OriginDenial, OriginKind,
    OriginPolicy as CorePolicy, PolicyBuf, PolicyList, Preset,
};
use wsguard_core::Diagnostic;

use crate::convert::{bytes_of, str_list, str_of};
use crate::errors;

/// The outcome of an Origin or Host check. Truthy when allowed.
///
/// On refusal ``code`` is the core's stable machine code (``"origin_host"``,
/// ``"origin_null"`` ...), ``reason`` a sentence, ``remedy`` the fix and ``status`` the
/// HTTP status to answer with.
#[pyclass(module = "wsguard._wsguard", name = "Verdict", frozen)]
pub struct Verdict {
    /// ``True`` when allowed.
    #[pyo3(get)]
    allowed: bool,
    /// Machine code of the refusal, ``None`` when allowed.
    #[pyo3(get)]
    code: Option<&'static str>,
    /// Sentence explaining the refusal (empty when allowed).
    #[pyo3(get)]
    reason: &'static str,
    /// What to change (empty when allowed).
    #[pyo3(get)]
    remedy: &'static str,
    /// HTTP status for the refusal (403, or 400 for a malformed Host), ``None`` when allowed.
    #[pyo3(get)]
    status: Option<u16>,
    /// Sub-code of a malformed value (``"trailing_slash"``, ``"path"`` ...), else ``None``.
    #[pyo3(get)]
    detail: Option<&'static str>,
    /// Normalised origin (lowercase, default port elided), ``"null"``, or ``None``.
    #[pyo3(get)]
    origin: Option<String>,
    /// ``"tuple"``, ``"null"`` or ``"missing"`` for an allowed origin; ``None`` otherwise.
    #[pyo3(get)]
    kind: Option<&'static str>,
    /// On refusal: the allowed entry the value came closest to and why it does not match
    /// (the core's near-miss sentence, e.g. the ``ws://`` entry where the page sends
    /// ``http://``, or the port list that would allow both ports); else ``None``.
    #[pyo3(get)]
    near_miss: Option<String>,
    /// The near miss's stable code (``"near_port"``, ``"near_ws_scheme"`` ...), else ``None``.
    #[pyo3(get)]
    near_miss_code: Option<&'static str>,
    /// On refusal: the close code the core gives when the refusal is sent as a close
    /// frame (``websocket.close`` before accept); ``None`` when allowed.
    #[pyo3(get)]
    close_code: Option<u16>,
}

fn kind_name(k: OriginKind) -> &'static str {
    match k {
        OriginKind::Tuple => "tuple",
        OriginKind::Null => "null",
        OriginKind::Missing => "missing",
    }
}

/// The Python-facing view of an allowed origin: normalised text or `None` when missing.
pub fn origin_text(o: &Origin<'_>) -> Option<String> {
    match o.kind() {
        OriginKind::Missing => None,
        _ => Some(o.to_string()),
    }
}

impl Verdict {
    fn allowed(o: &Origin<'_>) -> Self {
        Verdict {
            allowed: true,
            code: None,
            reason: "",
            remedy: "",
            status: None,
            detail: None,
            origin: origin_text(o),
            kind: Some(kind_name(o.kind())),
            near_miss: None,
            near_miss_code: None,
            close_code: None,
        }
    }
    fn with_near_miss(mut self, m: Option<wsguard_core::origin::NearMiss<'_>>) -> Self {
        if let Some(m) = m.filter(|_| !self.allowed) {
            self.near_miss = Some(m.to_string());
            self.near_miss_code = Some(m.code());
        }
        self
    }
    fn denied(d: &dyn Diagnostic, status: u16, detail: Option<&'static str>) -> Self {
        Verdict {
            allowed: false,
            code: Some(d.code()),
            reason: d.reason(),
            remedy: d.remedy(),
            status: Some(status),
            detail,
            origin: None,
            kind: None,
            near_miss: None,
            near_miss_code: None,
            close_code: None,
        }
    }
    fn from_origin(r: Result<Origin<'_>, OriginDenial>) -> Self {
        match r {
            Ok(o) => Verdict::allowed(&o),
            Err(d) => Verdict {
                close_code: Some(Rejection::Origin(d).close_code()),
                ..Verdict::denied(&d, d.http_status(), d.malformed().map(|m| m.code()))
            },
        }
    }
}

#[pymethods]
impl Verdict {
    fn __bool__(&self) -> bool {
        self.allowed
    }
    fn __repr__(&self) -> String {
        match (self.allowed, self.code) {
            (true, _) => format!(
                "Verdict(allowed=True, origin={:?})",
                self.origin.as_deref().unwrap_or("")
            ),
            (false, code) => format!(
                "Verdict(allowed=False, code={:?}, status={})",
                code.unwrap_or(""),
                self.status.unwrap_or(0)
            ),
        }
    }
}

/// The CORS answer for one HTTP request (see ``OriginPolicy.cors``).
#[pyclass(module = "wsguard._wsguard", name = "CorsResult", frozen)]
pub struct CorsResult {
    /// ``False`` when the origin, method or headers were refused.
    #[pyo3(get)]
    allowed: bool,
    /// ``True`` for a preflight (``OPTIONS`` + ``Access-Control-Request-Method``).
    #[pyo3(get)]
    preflight: bool,
    /// ``True`` when the request carried an Origin at all.
    #[pyo3(get)]
    is_cors: bool,
    /// Status for a preflight (204/403) or a refusal; ``None`` for an allowed simple request.
    #[pyo3(get)]
    status: Option<u16>,
    /// Response headers to add, ``(name, value)`` pairs (``Vary`` always).
    #[pyo3(get)]
    headers: Vec<(&'static str, String)>,
    /// Machine code of the refusal, ``None`` when allowed.
    #[pyo3(get)]
    code: Option<&'static str>,
    /// Sentence explaining the refusal (empty when allowed).
    #[pyo3(get)]
    reason: &'static str,
    /// What to change (empty when allowed).
    #[pyo3(get)]
    remedy: &'static str,
    /// For a refused preflight: the header (``cors_headers``) or method (``cors_method``)
    /// that was refused, as the browser asked for it; else ``None``.
    #[pyo3(get)]
    refused: Option<String>,
}

#[pymethods]
impl CorsResult {
    fn __bool__(&self) -> bool {
        self.allowed
    }
    fn __repr__(&self) -> String {
        format!(
            "CorsResult(allowed={}, preflight={}, status={}, code={})",
            if self.allowed { "True" } else { "False" },
            if self.preflight { "True" } else { "False" },
            crate::convert::py_opt(&self.status),
            crate::convert::py_opt(&self.code)
        )
    }
}

/// Which browser origins may open a WebSocket (and get CORS headers).
///
/// Args:
///     allow: allowed-origin patterns: exact origins (``"https://app.example.com"``),
///         subdomain wildcards (``"https://*.example.com"``), port wildcards and lists
///         (``"http://localhost:*"``, ``"http://localhost:[3000,5173]"``) or ``"*"``.
///     allow_null: accept ``Origin: null`` (sandboxed iframes, ``file://``).
///     allow_missing: accept requests without an Origin header (non-browser clients).
///     preset: ``None``/``"production"`` (nothing implicit) or ``"development"``
///         (loopback names and addresses on any port, plus ``dev_hosts``).
///     dev_hosts: container host names allowed by the development preset (``"frontend:3000"``).
///     hosts: Host header allowlist against DNS rebinding (empty: any Host).
///
/// Raises:
///     PolicyError: a pattern is invalid (the message names it and says how to write it).
#[pyclass(module = "wsguard._wsguard", name = "OriginPolicy", frozen)]
pub struct OriginPolicy {
    /// The core's owned policy: every pattern copied in and parsed once, freed with this
    /// object (no global storage).
    policy: Box<PyPolicy>,
}

/// Entries per list and bytes of text an `OriginPolicy` holds (a longer list is a
/// `PolicyError` ``policy_too_many_entries`` / ``policy_text_full``); the std guard's sizes.
pub type PyPolicy = PolicyBuf<256, 16384>;

impl OriginPolicy {
    /// Calls `f` with the core's Origin policy and Host allowlist, borrowed from this
    /// object's storage (the views are rebuilt by slicing; nothing is parsed again).
    pub fn with_core<R>(&self, f: impl FnOnce(&CorePolicy<'_>, HostPolicy<'_>) -> R) -> R {
        self.policy.with_policy(f)
    }
    /// The policy's preset (what the development auth bypass is checked against).
    pub fn preset_kind(&self) -> wsguard_core::origin::Preset {
        self.policy.flags().2
    }
    fn raw_allow(&self) -> Vec<&str> {
        self.policy.patterns().map(|p| p.as_str()).collect()
    }
}

/// An Origin argument: `None` (absent), one value, or a list/tuple of header values.
fn check_any(
    py: Python<'_>,
    policy: &CorePolicy<'_>,
    origin: &Bound<'_, PyAny>,
) -> PyResult<Verdict> {
    if origin.is_none() {
        return Ok(Verdict::from_origin(policy.check(None)));
    }
    if origin.is_instance_of::<PyList>() || origin.is_instance_of::<PyTuple>() {
        let mut owned = Vec::new();
        for item in origin.try_iter()? {
            owned.push(bytes_of(py, &item?, "origin")?.into_owned());
        }
        let values: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
        return Ok(Verdict::from_origin(policy.check_values(&values)));
    }
    let value = bytes_of(py, origin, "origin")?;
    Ok(Verdict::from_origin(policy.check(Some(&value))).with_near_miss(policy.near_miss(&value)))
}

#[pymethods]
impl OriginPolicy {
    #[new]
    #[pyo3(signature = (allow = None, *, allow_null = false, allow_missing = false, preset = None, dev_hosts = None, hosts = None))]
    fn new(
        py: Python<'_>,
        allow: Option<&Bound<'_, PyAny>>,
        allow_null: bool,
        allow_missing: bool,
        preset: Option<&Bound<'_, PyAny>>,
        dev_hosts: Option<&Bound<'_, PyAny>>,
        hosts: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut policy = Box::new(PyPolicy::new());
        for raw in str_list(py, allow, "allow")? {
            policy
                .push_pattern(&raw)
                .map_err(|e| errors::policy_error(py, &e, &format!("allowed origin {raw:?}")))?;
        }
        let preset = match preset {
            None => Preset::Production,
            Some(p) if p.is_none() => Preset::Production,
            Some(p) => {
                let name = str_of(py, p, "preset")?;
                Preset::from_name(&name).ok_or_else(|| {
                    errors::invalid_input(
                        py,
                        "preset_unknown",
                        &format!("unknown preset {name:?}"),
                        "use preset=\"development\" (loopback on any port) or preset=\"production\" / None",
                    )
                })?
            }
        };
        for (list, values) in [
            (PolicyList::DevHosts, dev_hosts),
            (PolicyList::Hosts, hosts),
        ] {
            let what = if list == PolicyList::Hosts {
                "hosts"
            } else {
                "dev_hosts"
            };
            for h in str_list(py, values, what)? {
                let pushed = match list {
                    PolicyList::DevHosts => policy.push_dev_host(&h),
                    _ => policy.push_host(&h),
                };
                pushed.map_err(|e| errors::policy_error(py, &e, &format!("{what} entry {h:?}")))?;
            }
        }
        policy.set_allow_null(allow_null);
        policy.set_allow_missing(allow_missing);
        policy.set_preset(preset);
        Ok(OriginPolicy { policy })
    }

    /// Checks one Origin header value: ``str``, ``bytes``, ``None`` (header absent) or a
    /// list of values (several Origin headers, always refused as ``origin_multiple``).
    fn check(&self, py: Python<'_>, origin: &Bound<'_, PyAny>) -> PyResult<Verdict> {
        self.with_core(|p, _| check_any(py, p, origin))
    }

    /// ``True`` when ``check(origin)`` would allow it (no Verdict object is built).
    fn is_allowed(&self, py: Python<'_>, origin: &Bound<'_, PyAny>) -> PyResult<bool> {
        if origin.is_none() {
            return Ok(self.with_core(|p, _| p.is_allowed(None)));
        }
        if origin.is_instance_of::<PyList>() || origin.is_instance_of::<PyTuple>() {
            return Ok(self.with_core(|p, _| check_any(py, p, origin))?.allowed);
        }
        let value = bytes_of(py, origin, "origin")?;
        Ok(self.with_core(|p, _| p.is_allowed(Some(&value))))
    }

    /// Checks a Host header value against the ``hosts`` allowlist (DNS-rebinding defence).
    /// The value is always parsed strictly, so a malformed Host is refused (400) even with
    /// an empty allowlist.
    fn check_host(&self, py: Python<'_>, host: &Bound<'_, PyAny>) -> PyResult<Verdict> {
        let value = bytes_of(py, host, "host")?;
        Ok(self.with_core(|_, hosts| match hosts.check(&value) {
            Ok(()) => Verdict {
                allowed: true,
                code: None,
                reason: "",
                remedy: "",
                status: None,
                detail: None,
                origin: None,
                kind: None,
                near_miss: None,
                near_miss_code: None,
                close_code: None,
            },
            Err(d) => Verdict {
                close_code: Some(Rejection::Host(d).close_code()),
                ..Verdict::denied(&d, d.http_status(), d.malformed().map(|m| m.code()))
            }
            .with_near_miss(hosts.near_miss(&value)),
        }))
    }

    /// The CORS answer for an HTTP request from this policy.
    ///
    /// Args:
    ///     origin: the Origin header (``None``: absent — not a CORS request).
    ///     method: the request method.
    ///     request_method: ``Access-Control-Request-Method`` (makes an ``OPTIONS`` a preflight).
    ///     request_headers: ``Access-Control-Request-Headers``.
    ///     credentials: send ``Access-Control-Allow-Credentials: true``.
    ///     methods: allowed methods for preflights (comma-separated).
    ///     headers: allowed request headers (comma-separated).
    ///     expose_headers: response headers the page may read.
    ///     max_age: seconds a preflight may be cached.
    #[pyo3(signature = (origin, method = None, *, request_method = None, request_headers = None, credentials = false, methods = "GET, HEAD, POST", headers = "", expose_headers = "", max_age = None))]
    #[allow(clippy::too_many_arguments)]
    fn cors(
        &self,
        py: Python<'_>,
        origin: &Bound<'_, PyAny>,
        method: Option<&Bound<'_, PyAny>>,
        request_method: Option<&Bound<'_, PyAny>>,
        request_headers: Option<&Bound<'_, PyAny>>,
        credentials: bool,
        methods: &str,
        headers: &str,
        expose_headers: &str,
        max_age: Option<u32>,
    ) -> PyResult<CorsResult> {
        let mut origins = Vec::new();
        if origin.is_instance_of::<PyList>() || origin.is_instance_of::<PyTuple>() {
            for item in origin.try_iter()? {
                origins.push(bytes_of(py, &item?, "origin")?.into_owned().into());
            }
        } else if !origin.is_none() {
            origins.push(bytes_of(py, origin, "origin")?);
        }
        let values: Vec<&[u8]> = origins.iter().map(|v| v.as_ref()).collect();
        let method_b = match method {
            Some(m) if !m.is_none() => bytes_of(py, m, "method")?,
            _ => std::borrow::Cow::Borrowed(&b"GET"[..]),
        };
        let rm = match request_method {
            Some(m) if !m.is_none() => Some(bytes_of(py, m, "request_method")?),
            _ => None,
        };
        let rh = match request_headers {
            Some(h) if !h.is_none() => Some(bytes_of(py, h, "request_headers")?),
            _ => None,
        };
        let mut cfg = CorsConfig::new()
            .credentials(credentials)
            .methods(methods)
            .headers(headers)
            .expose_headers(expose_headers);
        if let Some(age) = max_age {
            cfg = cfg.max_age(age);
        }
        cfg.check()
            .map_err(|e| errors::policy_error(py, &e, "CORS methods/headers/expose_headers"))?;
        let request = CorsRequest {
            method: &method_b,
            origin: values.first().copied(),
            request_method: rm.as_deref(),
            request_headers: rh.as_deref(),
        };
        self.with_core(|p, _| {
            let resp = p.cors_values(&cfg, &request, &values);
            let denial = resp.denial();
            Ok(CorsResult {
                allowed: resp.is_allowed(),
                preflight: resp.is_preflight(),
                is_cors: resp.is_cors(),
                status: resp.status(),
                headers: resp.headers().map(|(k, v)| (k, v.to_owned())).collect(),
                code: denial.map(|d| d.code()),
                reason: denial.map_or("", |d| d.reason()),
                remedy: denial.map_or("", |d| d.remedy()),
                refused: match denial {
                    Some(CorsDenial::Headers) => rh
                        .as_deref()
                        .and_then(|h| cfg.refused_header(h))
                        .map(str::to_owned),
                    Some(CorsDenial::Method) => rm
                        .as_deref()
                        .map(|m| String::from_utf8_lossy(m).into_owned()),
                    _ => None,
                },
            })
        })
    }

    /// Just the CORS response headers (same arguments as ``cors``).
    #[pyo3(signature = (origin, method = None, *, request_method = None, request_headers = None, credentials = false, methods = "GET, HEAD, POST", headers = "", expose_headers = "", max_age = None))]
    #[allow(clippy::too_many_arguments)]
    fn cors_headers(
        &self,
        py: Python<'_>,
        origin: &Bound<'_, PyAny>,
        method: Option<&Bound<'_, PyAny>>,
        request_method: Option<&Bound<'_, PyAny>>,
        request_headers: Option<&Bound<'_, PyAny>>,
        credentials: bool,
        methods: &str,
        headers: &str,
        expose_headers: &str,
        max_age: Option<u32>,
    ) -> PyResult<Vec<(&'static str, String)>> {
        let r = self.cors(
            py,
            origin,
            method,
            request_method,
            request_headers,
            credentials,
            methods,
            headers,
            expose_headers,
            max_age,
        )?;
        Ok(r.headers)
    }

    /// Runs the policy linter over this policy's entries (with its preset);
    /// ``dev_auth_bypass=True`` lints a server that runs with the development auth bypass.
    #[pyo3(signature = (*, credentials = false, dev_auth_bypass = false))]
    fn lint(&self, credentials: bool, dev_auth_bypass: bool) -> Vec<crate::lint::LintFinding> {
        crate::lint::run(
            &self.raw_allow(),
            wsguard_core::origin::LintContext {
                preset: self.policy.flags().2,
                credentials,
                allow_null: self.policy.flags().0,
                allow_missing: self.policy.flags().1,
                dev_auth_bypass,
            },
        )
    }

    /// The Origin refusal for an ASGI header list, or ``None`` when the Origin is
    /// allowed (no verdict object is built on the accept path). Names are matched
    /// case-insensitively; several Origin headers are ``origin_multiple``.
    fn refusal(&self, py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Option<Verdict>> {
        let mut values = Vec::new();
        let mut scan = |name: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>| -> PyResult<()> {
            let is_origin = match name.cast::<PyBytes>() {
                Ok(b) => b.as_bytes().eq_ignore_ascii_case(b"origin"),
                Err(_) => bytes_of(py, name, "header name")?.eq_ignore_ascii_case(b"origin"),
            };
            if is_origin {
                values.push(bytes_of(py, value, "header value")?.into_owned());
            }
            Ok(())
        };
        if let Ok(list) = headers.cast::<PyList>() {
            for entry in list.iter() {
                match entry.cast::<PyTuple>() {
                    Ok(t) if t.len() == 2 => scan(
                        &t.get_borrowed_item(0)?.to_owned(),
                        &t.get_borrowed_item(1)?.to_owned(),
                    )?,
                    _ => scan(&entry.get_item(0)?, &entry.get_item(1)?)?,
                }
            }
        } else {
            for entry in headers.try_iter()? {
                let entry = entry?;
                scan(&entry.get_item(0)?, &entry.get_item(1)?)?;
            }
        }
        let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        Ok(self.with_core(|p, _| match p.check_values(&refs) {
            Ok(_) => None,
            Err(d) => Some(Verdict::from_origin(Err(d))),
        }))
    }

    /// A JSON-friendly dict describing the policy (for health routes and logs).
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("allow", self.raw_allow())?;
        d.set_item("allow_null", self.allow_null())?;
        d.set_item("allow_missing", self.allow_missing())?;
        d.set_item("preset", self.preset())?;
        d.set_item("dev_hosts", self.dev_hosts())?;
        d.set_item("hosts", self.hosts())?;
        Ok(d)
    }

    /// The allowed-origin patterns as given.
    #[getter]
    fn allow(&self) -> Vec<&str> {
        self.raw_allow()
    }
    /// Whether ``Origin: null`` is accepted.
    #[getter]
    fn allow_null(&self) -> bool {
        self.policy.flags().0
    }
    /// Whether a missing Origin header is accepted.
    #[getter]
    fn allow_missing(&self) -> bool {
        self.policy.flags().1
    }
    /// ``"production"`` or ``"development"``.
    #[getter]
    fn preset(&self) -> &'static str {
        self.policy.flags().2.name()
    }
    /// Container hosts allowed by the development preset.
    #[getter]
    fn dev_hosts(&self) -> Vec<&str> {
        self.policy.dev_hosts().collect()
    }
    /// Host header allowlist (empty: any Host).
    #[getter]
    fn hosts(&self) -> Vec<&str> {
        self.policy.hosts().collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "OriginPolicy(allow={:?}, allow_null={}, allow_missing={}, preset={:?}, dev_hosts={:?}, hosts={:?})",
            self.raw_allow(),
            if self.allow_null() { "True" } else { "False" },
            if self.allow_missing() { "True" } else { "False" },
            self.preset(),
            self.dev_hosts(),
            self.hosts()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<OriginPolicy>()?;
    m.add_class::<Verdict>()?;
    m.add_class::<CorsResult>()?;
    Ok(())
}
