//! `validate_handshake`: the core's server-side upgrade validation over ASGI-style headers.
//!
//! The core validates raw HTTP request bytes. This module writes the request line and the
//! header list it is given into one buffer — byte for byte, nothing added unless the
//! caller gives `offered_subprotocols` for a removed header — and calls
//! `wsguard_core::handshake::validate_request` (with the core's `ServerConfig::upgraded`
//! for `assume_upgrade`: no upgrade header is made up). It applies no rule of its own; the only
//! refusal it makes itself is for input that cannot be written as an HTTP/1.1 request at
//! all (a CR, LF or NUL inside a name, value or path), and it answers that with the
//! core's own `Rejection::MalformedRequest`.

use std::borrow::Cow;
use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use wsguard_core::handshake::{
    validate_request, write_accept_for, write_accept_response, write_rejection_response, AcceptKey,
    Accepted, AcceptedFields, CommaList, Extension, Limits, Rejection, ServerConfig,
    SubprotocolToken, Token, TokenConfig,
};
use wsguard_core::{BufferTooSmall, Status};

use crate::convert::{bytes_of, str_list};
use crate::errors;
pub use crate::head_writer::{headers_shape, PROTOCOL_HEADER};
use crate::head_writer::{write_headers, RequestWriter};
use crate::origin::{origin_text, OriginPolicy};
use wsguard_core::origin::{Origin, OriginKind};

/// An accepted WebSocket upgrade (see ``validate_handshake``).
///
/// Built from the core's verdict with the text an application reads, copied into one
/// buffer (one allocation); what costs more (the ``Sec-WebSocket-Accept`` SHA-1, the
/// normalised Origin, the extension list, the 101 response) is computed on first read,
/// and every Python ``str`` only when its attribute is read.
#[pyclass(module = "wsguard._wsguard", name = "Handshake", frozen)]
pub struct Handshake {
    /// The verdict's text (path, query, host, key, Origin, token, subprotocol, the
    /// extension values joined by LF, which no accepted value contains); the fields
    /// below are ranges of it.
    text: Box<[u8]>,
    path: Span,
    query: Option<Span>,
    host: Span,
    key: Span,
    /// The Origin header as received (normalised on first read of ``origin``).
    origin_raw: Option<Span>,
    token: Option<Span>,
    subprotocol: Option<Span>,
    /// The ``Sec-WebSocket-Extensions`` values, LF-joined (parsed on first use).
    extension_values: Span,
    /// Where the token was found: ``"authorization"``, ``"subprotocol"``, ``"query"`` or ``None``.
    #[pyo3(get)]
    token_source: Option<&'static str>,
    /// The ``Sec-WebSocket-Accept`` value (computed from ``key`` on first read).
    accept: OnceLock<String>,
    /// The normalised Origin (``"null"`` when allowed null), ``None`` when absent.
    origin: OnceLock<Option<String>>,
    /// Extensions offered in ``Sec-WebSocket-Extensions`` (read on first use).
    extensions: OnceLock<Vec<ExtensionOffer>>,
    /// The exact ``101 Switching Protocols`` response the core writes for this request,
    /// written on first use (the ASGI accept path never needs it).
    response: OnceLock<Vec<u8>>,
    /// ``True`` when the request carried no token and the development auth bypass let
    /// it in: treat the connection as unauthenticated.
    #[pyo3(get)]
    dev_auth_bypassed: bool,
    /// For a bypassed connection, the core's warning line (``dev_auth_bypass_used``:
    /// target escaped, query tokens redacted); ``None`` otherwise.
    #[pyo3(get)]
    dev_auth_notice: Option<String>,
}

/// A range of [`Handshake::text`]: start and length.
type Span = (usize, usize);

/// Appends `part` to `text` and returns its range.
fn span(text: &mut Vec<u8>, part: &[u8]) -> Span {
    let at = text.len();
    text.extend_from_slice(part);
    (at, part.len())
}

/// The mapping keys of a `Handshake` (``scope["wsguard"]["origin"]``).
const KEYS: [&str; 8] = [
    "origin",
    "token",
    "subprotocol",
    "accept",
    "token_source",
    "path",
    "query",
    "host",
];

#[pymethods]
impl Handshake {
    /// The exact ``101 Switching Protocols`` response (status line, headers, blank line)
    /// the core writes for this request, as ``bytes``; ``b""`` when the server already
    /// upgraded and consumed the key (an ASGI scope without ``sec-websocket-key``).
    #[getter]
    fn response<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = self.response.get_or_init(|| {
            if self.key().is_empty() {
                return Vec::new();
            }
            grow_write(|buf| write_accept_for(self.key(), self.subprotocol(), buf))
        });
        PyBytes::new(py, bytes)
    }

    /// The ``Sec-WebSocket-Accept`` value to answer with; ``""`` when the server already
    /// upgraded and consumed the key.
    #[getter]
    fn accept(&self) -> &str {
        self.accept.get_or_init(|| {
            let key = self.bytes(self.key);
            if key.is_empty() {
                return String::new();
            }
            AcceptKey::from_key(key).as_str().to_owned()
        })
    }

    /// The normalised Origin (``"null"`` when allowed null), ``None`` when absent.
    #[getter]
    fn origin(&self) -> Option<String> {
        self.origin
            .get_or_init(|| {
                let raw = self.bytes(self.origin_raw?);
                Origin::parse(raw).ok().as_ref().and_then(origin_text)
            })
            .clone()
    }

    /// The chosen subprotocol (the server's most preferred one the client offered), or ``None``.
    #[getter]
    fn subprotocol(&self) -> Option<&str> {
        self.subprotocol.map(|s| self.str(s))
    }

    /// The bearer token, or ``None``.
    #[getter]
    fn token(&self) -> Option<&str> {
        self.token.map(|s| self.str(s))
    }

    /// The request path without the query.
    #[getter]
    fn path(&self) -> &str {
        self.str(self.path)
    }

    /// The query string, or ``None``.
    #[getter]
    fn query(&self) -> Option<&str> {
        self.query.map(|s| self.str(s))
    }

    /// The Host header value.
    #[getter]
    fn host(&self) -> &str {
        self.str(self.host)
    }

    /// The ``Sec-WebSocket-Key`` as received.
    #[getter]
    fn key(&self) -> &str {
        self.str(self.key)
    }

    /// Extensions offered in ``Sec-WebSocket-Extensions`` (all headers, in order; parsed by
    /// the RFC 6455 §9.1 grammar, not negotiated), as ``(name, [(param, value or None)])``
    /// like python-websockets' ``ExtensionHeader``; quoted values come without quotes.
    #[getter]
    fn extensions(&self) -> Vec<ExtensionOffer> {
        self.extensions
            .get_or_init(|| {
                let values = self.bytes(self.extension_values);
                let offers = values
                    .split(|&b| b == b'\n')
                    .flat_map(CommaList::new)
                    .filter_map(Extension::parse);
                extension_names(offers)
            })
            .clone()
    }

    /// Mapping access for ASGI apps: ``scope["wsguard"]["origin"]`` (keys ``origin``,
    /// ``token``, ``subprotocol``, ``accept``, ``token_source``, ``path``, ``query``, ``host``).
    fn __getitem__(&self, py: Python<'_>, key: &str) -> PyResult<Py<PyAny>> {
        self.item(py, key)
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_owned()))?
    }

    /// ``mapping.get(key, default)``.
    #[pyo3(signature = (key, default = None))]
    fn get(&self, py: Python<'_>, key: &str, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        match self.item(py, key) {
            Some(v) => v,
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        key.cast::<pyo3::types::PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().map(|k| KEYS.contains(&k.as_ref())))
            .unwrap_or(false)
    }

    fn __len__(&self) -> usize {
        KEYS.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyTuple::new(py, KEYS)?.try_iter().map(Bound::into_any)
    }

    /// The mapping keys.
    fn keys(&self) -> Vec<&'static str> {
        KEYS.to_vec()
    }

    /// A plain ``dict`` of the mapping keys.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for k in KEYS {
            if let Some(v) = self.item(py, k) {
                d.set_item(k, v?)?;
            }
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Handshake(origin={}, subprotocol={}, token_source={}, path={:?})",
            crate::convert::py_opt(&self.origin()),
            crate::convert::py_opt(&self.subprotocol()),
            crate::convert::py_opt(&self.token_source),
            self.path()
        )
    }
}

impl Handshake {
    fn item(&self, py: Python<'_>, key: &str) -> Option<PyResult<Py<PyAny>>> {
        use pyo3::IntoPyObjectExt;
        let v = match key {
            "origin" => self.origin().into_py_any(py),
            "token" => self.token().into_py_any(py),
            "subprotocol" => self.subprotocol().into_py_any(py),
            "accept" => self.accept().into_py_any(py),
            "token_source" => self.token_source.into_py_any(py),
            "path" => self.path().into_py_any(py),
            "query" => self.query().into_py_any(py),
            "host" => self.host().into_py_any(py),
            _ => return None,
        };
        Some(v)
    }

    /// The bytes of `span` (empty if it were out of range, which `base` never writes).
    fn bytes(&self, (at, len): Span) -> &[u8] {
        self.text.get(at..at.saturating_add(len)).unwrap_or(&[])
    }

    /// The text of `span`, copied from a `&str` by `base` (so always UTF-8).
    fn str(&self, span: Span) -> &str {
        std::str::from_utf8(self.bytes(span)).unwrap_or("")
    }

    /// The verdict's text in one buffer; everything computed on first read left empty.
    #[allow(clippy::too_many_arguments)]
    fn base<'b>(
        path: &str,
        query: Option<&str>,
        host: &str,
        origin: Option<Origin<'_>>,
        subprotocol: Option<&str>,
        token: Option<Token<'_>>,
        dev_auth_bypassed: bool,
        key: &str,
        extension_values: impl Iterator<Item = &'b [u8]>,
    ) -> Self {
        let origin = origin
            .filter(|o| o.kind() != OriginKind::Missing)
            .map(|o| o.as_str());
        let token_value = token.map(|t| t.value);
        let size = [
            Some(path),
            query,
            Some(host),
            Some(key),
            origin,
            token_value,
            subprotocol,
        ]
        .iter()
        .flatten()
        .map(|s| s.len())
        .sum::<usize>();
        // Room for a usual extension offer; a longer one grows the buffer once.
        let mut text = Vec::with_capacity(size + 64);
        let opt = |text: &mut Vec<u8>, s: Option<&str>| s.map(|s| span(text, s.as_bytes()));
        let path = span(&mut text, path.as_bytes());
        let query = opt(&mut text, query);
        let host = span(&mut text, host.as_bytes());
        let key = span(&mut text, key.as_bytes());
        let origin_raw = opt(&mut text, origin);
        let token_span = opt(&mut text, token_value);
        let subprotocol = opt(&mut text, subprotocol);
        let ext_at = text.len();
        for (i, v) in extension_values.enumerate() {
            if i > 0 {
                text.push(b'\n');
            }
            text.extend_from_slice(v);
        }
        let extension_values = (ext_at, text.len() - ext_at);
        Handshake {
            text: text.into_boxed_slice(),
            path,
            query,
            host,
            key,
            origin_raw,
            token: token_span,
            subprotocol,
            extension_values,
            token_source: token.map(|t| t.source.as_str()),
            accept: OnceLock::new(),
            origin: OnceLock::new(),
            extensions: OnceLock::new(),
            response: OnceLock::new(),
            dev_auth_bypassed,
            dev_auth_notice: None,
        }
    }

    /// The verdict of a field list ([`validate_fields`](wsguard_core::handshake::validate_fields)):
    /// the accept value, the extension list and the 101 response are computed on first read.
    pub fn lazy(a: &AcceptedFields<'_>) -> Self {
        Handshake::base(
            a.path,
            a.query,
            a.host,
            a.origin,
            a.subprotocol,
            a.token,
            a.dev_auth_bypassed,
            a.key,
            a.extension_values(),
        )
    }

    /// Attaches the development auth bypass's warning line.
    pub fn with_dev_auth_notice(mut self, notice: Option<String>) -> Self {
        self.dev_auth_notice = notice;
        self
    }
}

impl From<&Accepted<'_>> for Handshake {
    fn from(a: &Accepted<'_>) -> Self {
        let h = Handshake::base(
            a.path,
            a.query,
            a.host,
            a.origin,
            a.subprotocol,
            a.token,
            a.dev_auth_bypassed,
            a.key,
            core::iter::empty(),
        );
        let _ = h.accept.set(a.accept.as_str().to_owned());
        let _ = h
            .response
            .set(grow_write(|buf| write_accept_response(a, buf)));
        let _ = h.extensions.set(extension_names(a.extensions()));
        h
    }
}

/// One offered extension: its name and its parameters (`None`: a parameter without value).
type ExtensionOffer = (String, Vec<(String, Option<String>)>);

fn extension_names<'b>(offers: impl Iterator<Item = Extension<'b>>) -> Vec<ExtensionOffer> {
    offers
        .map(|e| {
            let params = e
                .params()
                .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)));
            (e.name.to_owned(), params.collect())
        })
        .collect()
}

/// Runs a core writer with a buffer that grows to what it asks for (`BufferTooSmall`).
pub fn grow_write(write: impl FnMut(&mut [u8]) -> Result<usize, BufferTooSmall>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    match wsguard_core::write_growing(&mut buf, 1 << 20, |b, n| b.resize(n, 0), write) {
        Ok(n) => {
            buf.truncate(n);
            buf
        }
        Err(_) => Vec::new(),
    }
}

/// The `Sec-WebSocket-Protocol` token form from the keyword arguments, decided by the
/// core ([`SubprotocolToken::from_options`]): both at once, or an empty string, raise
/// `wsguard.InvalidInput` with the core's code (`token_subprotocol_conflict`,
/// `token_subprotocol_empty_prefix`, `token_subprotocol_empty_marker`).
pub fn subprotocol_form<'a>(
    py: Python<'_>,
    prefix: Option<&'a str>,
    marker: Option<&'a str>,
) -> PyResult<Option<SubprotocolToken<'a>>> {
    SubprotocolToken::from_options(prefix, marker).map_err(|e| errors::invalid_from(py, &e))
}

/// The core's token configuration from the keyword arguments.
pub fn token_config<'a>(
    py: Python<'_>,
    authorization: bool,
    query: Option<&'a str>,
    prefix: Option<&'a str>,
    marker: Option<&'a str>,
    required: bool,
) -> PyResult<TokenConfig<'a>> {
    let mut token = TokenConfig::DISABLED
        .authorization(authorization)
        .required(required);
    if let Some(q) = query {
        token = token.query(q);
    }
    Ok(match subprotocol_form(py, prefix, marker)? {
        Some(form) => token.subprotocol(form),
        None => token,
    })
}

/// Turns a core rejection into `wsguard.HandshakeRejected`.
pub fn rejected(py: Python<'_>, r: &Rejection) -> PyErr {
    let headers = r
        .extra_headers()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let detail = match r {
        Rejection::Origin(d) => d.malformed().map(|m| m.code()),
        Rejection::Host(d) => d.malformed().map(|m| m.code()),
        _ => None,
    };
    let response = grow_write(|buf| write_rejection_response(r, buf));
    errors::handshake_rejected(py, r, r.status(), headers, response, detail, r.close_code())
}

pub fn limits_from(
    max_headers: Option<usize>,
    max_line: Option<usize>,
    max_total: Option<usize>,
) -> Limits {
    let mut l = Limits::DEFAULT;
    if let Some(n) = max_headers {
        l = l.max_headers(n);
    }
    if let Some(n) = max_line {
        l = l.max_line(n);
    }
    if let Some(n) = max_total {
        l = l.max_total(n);
    }
    l
}

/// Validates a WebSocket upgrade request given as a header list, with the core.
///
/// Args:
///     headers: ASGI-style ``[(bytes, bytes), ...]`` (names in any case; ``str`` works
///         too) or a mapping ``{name: value}`` where a value may be a list (header sent
///         several times) or ``None`` (absent).
///     policy: the ``OriginPolicy`` (Origin and Host allowlist).
///     subprotocols: subprotocols the server speaks, most preferred first.
///     require_subprotocol: refuse (400) when none of ``subprotocols`` is offered.
///     path: the request target (path and query), e.g. ``scope["raw_path"]`` + ``?`` + query.
///     method: the request method (``"GET"``).
///     offered_subprotocols: the client's subprotocols when the server removed the
///         ``Sec-WebSocket-Protocol`` header from the list (ASGI ``scope["subprotocols"]``);
///         used only if the list has no such header.
///     token_authorization: read ``Authorization: Bearer <token>`` (then any other
///         ``Authorization`` scheme is refused as ``token_malformed``).
///     token_query: query parameter holding a token, e.g. ``"token"`` (``None``: don't look).
///     token_subprotocol_prefix: token in a ``Sec-WebSocket-Protocol`` entry ``<prefix><token>``.
///     token_subprotocol_marker: token in the entry after a marker entry (``bearer, <token>``).
///         One form only: setting both, or either to ``""``, raises ``InvalidInput``
///         (``token_subprotocol_conflict``, ``token_subprotocol_empty_prefix``,
///         ``token_subprotocol_empty_marker``); neither set: no token in the subprotocols.
///     require_token: refuse (401) when no token is found.
///     max_headers, max_line, max_total: the core's request limits (defaults 32 headers,
///         8192-byte lines, 16384-byte head).
///     assume_upgrade: the server already performed the upgrade (ASGI): a missing
///         ``Upgrade``, ``Connection``, ``Sec-WebSocket-Version`` or ``Sec-WebSocket-Key``
///         is not refused (present ones are still checked); without a key, ``key``,
///         ``accept`` and ``response`` are empty.
///
/// Returns:
///     Handshake: the accept value, chosen subprotocol, token and origin.
///
/// Raises:
///     HandshakeRejected: with ``status``, ``code``, ``reason``, ``remedy`` and ``headers``.
///     InvalidInput: ``headers`` is not a list of pairs or a mapping of str/bytes, or the
///         token subprotocol options conflict (see ``token_subprotocol_marker``).
#[pyfunction]
#[pyo3(signature = (
    headers, *, policy, subprotocols = None, require_subprotocol = false, path = None, method = None,
    offered_subprotocols = None, token_authorization = false, token_query = None,
    token_subprotocol_prefix = None, token_subprotocol_marker = None, require_token = false,
    assume_upgrade = false, max_headers = None, max_line = None, max_total = None
))]
#[allow(clippy::too_many_arguments)]
pub fn validate_handshake(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    policy: PyRef<'_, OriginPolicy>,
    subprotocols: Option<&Bound<'_, PyAny>>,
    require_subprotocol: bool,
    path: Option<&Bound<'_, PyAny>>,
    method: Option<&Bound<'_, PyAny>>,
    offered_subprotocols: Option<&Bound<'_, PyAny>>,
    token_authorization: bool,
    token_query: Option<&str>,
    token_subprotocol_prefix: Option<&str>,
    token_subprotocol_marker: Option<&str>,
    require_token: bool,
    assume_upgrade: bool,
    max_headers: Option<usize>,
    max_line: Option<usize>,
    max_total: Option<usize>,
) -> PyResult<Handshake> {
    let path_b = match path {
        Some(p) if !p.is_none() => bytes_of(py, p, "path")?,
        _ => Cow::Borrowed(&b"/"[..]),
    };
    let method_b = match method {
        Some(m) if !m.is_none() => bytes_of(py, m, "method")?,
        _ => Cow::Borrowed(&b"GET"[..]),
    };
    let mut writer = RequestWriter::new(&method_b, &path_b);
    write_headers(py, headers, &mut writer)?;
    if let Some(offered) = offered_subprotocols {
        if !offered.is_none() && !writer.protocol_seen {
            let list = str_list(py, Some(offered), "offered_subprotocols")?;
            if !list.is_empty() {
                writer.push(b"Sec-WebSocket-Protocol", list.join(", ").as_bytes());
            }
        }
    }
    let request = writer.finish(py)?;
    let options = ServerOptions {
        subprotocols,
        require_subprotocol,
        token_authorization,
        token_query,
        token_subprotocol_prefix,
        token_subprotocol_marker,
        require_token,
        max_headers,
        max_line,
        max_total,
        upgraded: assume_upgrade,
    };
    // We always end the head with an empty line; "need more bytes" cannot happen with a
    // complete buffer, but answer it as the core's malformed request, never panic.
    options
        .validate(py, &policy, &request)?
        .ok_or_else(|| rejected(py, &Rejection::MalformedRequest))
}

/// The keyword arguments both validation entry points share, turned into the core's
/// `ServerConfig` in one place.
struct ServerOptions<'a, 'py> {
    subprotocols: Option<&'a Bound<'py, PyAny>>,
    require_subprotocol: bool,
    token_authorization: bool,
    token_query: Option<&'a str>,
    token_subprotocol_prefix: Option<&'a str>,
    token_subprotocol_marker: Option<&'a str>,
    require_token: bool,
    max_headers: Option<usize>,
    max_line: Option<usize>,
    max_total: Option<usize>,
    /// `assume_upgrade`: the core's `ServerConfig::upgraded`.
    upgraded: bool,
}

impl ServerOptions<'_, '_> {
    /// `Ok(None)`: the head is incomplete.
    fn validate(
        &self,
        py: Python<'_>,
        policy: &OriginPolicy,
        request: &[u8],
    ) -> PyResult<Option<Handshake>> {
        let supported = str_list(py, self.subprotocols, "subprotocols")?;
        let supported_refs: Vec<&str> = supported.iter().map(String::as_str).collect();
        let token = token_config(
            py,
            self.token_authorization,
            self.token_query,
            self.token_subprotocol_prefix,
            self.token_subprotocol_marker,
            self.require_token,
        )?;
        let limits = limits_from(self.max_headers, self.max_line, self.max_total);
        let verdict = policy.with_core(|origins, hosts| {
            let config = ServerConfig::new(*origins)
                .hosts(hosts)
                .subprotocols(&supported_refs)
                .require_subprotocol(self.require_subprotocol)
                .token(token)
                .limits(limits)
                .upgraded(self.upgraded);
            validate_request(&config, request).map(|s| match s {
                Status::Complete(a) => Some(Handshake::from(&a)),
                Status::Partial => None,
            })
        });
        verdict.map_err(|r| rejected(py, &r))
    }
}

/// Validates raw request bytes as received on a socket (``b"GET / HTTP/1.1\r\n..."``).
/// Same keyword arguments as ``validate_handshake`` (without ``path``/``method``/
/// ``assume_upgrade``/``offered_subprotocols``). Returns ``None`` when the head is
/// incomplete (read more bytes and call again).
#[pyfunction]
#[pyo3(signature = (
    request, *, policy, subprotocols = None, require_subprotocol = false, token_authorization = false,
    token_query = None, token_subprotocol_prefix = None, token_subprotocol_marker = None,
    require_token = false, max_headers = None, max_line = None, max_total = None
))]
#[allow(clippy::too_many_arguments)]
pub fn validate_request_bytes(
    py: Python<'_>,
    request: &Bound<'_, PyAny>,
    policy: PyRef<'_, OriginPolicy>,
    subprotocols: Option<&Bound<'_, PyAny>>,
    require_subprotocol: bool,
    token_authorization: bool,
    token_query: Option<&str>,
    token_subprotocol_prefix: Option<&str>,
    token_subprotocol_marker: Option<&str>,
    require_token: bool,
    max_headers: Option<usize>,
    max_line: Option<usize>,
    max_total: Option<usize>,
) -> PyResult<Option<Handshake>> {
    let raw = bytes_of(py, request, "request")?;
    let options = ServerOptions {
        subprotocols,
        require_subprotocol,
        token_authorization,
        token_query,
        token_subprotocol_prefix,
        token_subprotocol_marker,
        require_token,
        max_headers,
        max_line,
        max_total,
        upgraded: false,
    };
    options.validate(py, &policy, &raw)
}

/// The ``Sec-WebSocket-Accept`` value for a ``Sec-WebSocket-Key``.
#[pyfunction]
pub fn accept_key(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<String> {
    let k = bytes_of(py, key, "key")?;
    Ok(wsguard_core::handshake::AcceptKey::from_key(&k)
        .as_str()
        .to_owned())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Handshake>()?;
    m.add_function(wrap_pyfunction!(validate_handshake, m)?)?;
    m.add_function(wrap_pyfunction!(validate_request_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(accept_key, m)?)?;
    Ok(())
}
