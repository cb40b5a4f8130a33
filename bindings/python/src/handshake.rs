//! `validate_handshake`: the core's server-side upgrade validation over ASGI-style headers.
//!
//! The core validates raw HTTP request bytes. This module writes the request line and the
//! header list it is given into one buffer — byte for byte, nothing added unless the
//! caller asks (`assume_upgrade`, `offered_subprotocols`) — and calls
//! `wsguard_core::handshake::validate_request`. It applies no rule of its own; the only
//! refusal it makes itself is for input that cannot be written as an HTTP/1.1 request at
//! all (a CR, LF or NUL inside a name, value or path), and it answers that with the
//! core's own `Rejection::MalformedRequest`.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use wsguard_core::handshake::{
    validate_request, write_accept_response, write_rejection_response, Accepted, Limits, Rejection, ServerConfig,
    SubprotocolToken, TokenConfig,
};
use wsguard_core::{BufferTooSmall, Status};

use crate::convert::{bytes_of, str_list, type_name};
use crate::errors;
use crate::origin::{origin_text, OriginPolicy};

/// The `Sec-WebSocket-Key` used by `assume_upgrade` when the server already consumed
/// the real one (the RFC 6455 sample key).
const PLACEHOLDER_KEY: &[u8] = b"dGhlIHNhbXBsZSBub25jZQ==";

/// An accepted WebSocket upgrade (see ``validate_handshake``).
#[pyclass(module = "wsguard._wsguard", name = "Handshake", frozen)]
pub struct Handshake {
    /// The ``Sec-WebSocket-Accept`` value to answer with.
    #[pyo3(get)]
    accept: String,
    /// The chosen subprotocol (the server's most preferred one the client offered), or ``None``.
    #[pyo3(get)]
    subprotocol: Option<String>,
    /// The bearer token, or ``None``.
    #[pyo3(get)]
    token: Option<String>,
    /// Where the token was found: ``"authorization"``, ``"subprotocol"``, ``"query"`` or ``None``.
    #[pyo3(get)]
    token_source: Option<&'static str>,
    /// The normalised Origin (``"null"`` when allowed null), ``None`` when absent.
    #[pyo3(get)]
    origin: Option<String>,
    /// The request path without the query.
    #[pyo3(get)]
    path: String,
    /// The query string, or ``None``.
    #[pyo3(get)]
    query: Option<String>,
    /// The Host header value.
    #[pyo3(get)]
    host: String,
    /// The ``Sec-WebSocket-Key`` as received.
    #[pyo3(get)]
    key: String,
    /// Extension names offered in ``Sec-WebSocket-Extensions`` (not negotiated).
    #[pyo3(get)]
    extensions: Vec<String>,
    /// The exact ``101 Switching Protocols`` response the core writes for this request.
    response: Vec<u8>,
}

#[pymethods]
impl Handshake {
    /// The exact ``101 Switching Protocols`` response (status line, headers, blank line)
    /// the core writes for this request, as ``bytes``.
    #[getter]
    fn response<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.response)
    }

    fn __repr__(&self) -> String {
        format!(
            "Handshake(origin={:?}, subprotocol={:?}, token_source={:?}, path={:?})",
            self.origin, self.subprotocol, self.token_source, self.path
        )
    }
}

impl From<&Accepted<'_>> for Handshake {
    fn from(a: &Accepted<'_>) -> Self {
        Handshake {
            accept: a.accept.as_str().to_owned(),
            subprotocol: a.subprotocol.map(str::to_owned),
            token: a.token.map(|t| t.value.to_owned()),
            token_source: a.token.map(|t| t.source.as_str()),
            origin: a.origin.as_ref().and_then(origin_text),
            path: a.path.to_owned(),
            query: a.query.map(str::to_owned),
            host: a.host.to_owned(),
            key: a.key.to_owned(),
            extensions: a.extensions().map(|e| e.name.to_owned()).collect(),
            response: grow_write(|buf| write_accept_response(a, buf)),
        }
    }
}

/// Runs a core writer with a buffer that grows to what it asks for (`BufferTooSmall`).
fn grow_write(mut write: impl FnMut(&mut [u8]) -> Result<usize, BufferTooSmall>) -> Vec<u8> {
    let mut size = 512usize;
    for _ in 0..4 {
        let mut buf = vec![0u8; size];
        match write(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return buf;
            }
            Err(BufferTooSmall { needed }) => size = needed.max(size.saturating_mul(2)),
        }
    }
    Vec::new()
}

/// The core's token configuration from the keyword arguments.
fn token_config<'a>(
    py: Python<'_>,
    authorization: bool,
    query: Option<&'a str>,
    prefix: Option<&'a str>,
    marker: Option<&'a str>,
    required: bool,
) -> PyResult<TokenConfig<'a>> {
    let mut token = TokenConfig::DISABLED.authorization(authorization).required(required);
    if let Some(q) = query {
        token = token.query(q);
    }
    match (prefix, marker) {
        (Some(_), Some(_)) => Err(errors::invalid_input(
            py,
            "token_subprotocol_both",
            "token_subprotocol_prefix and token_subprotocol_marker cannot both be set",
            "choose the form your clients use: `<prefix><token>` or `<marker>, <token>`",
        )),
        (Some(p), None) => Ok(token.subprotocol(SubprotocolToken::Prefix(p))),
        (None, Some(m)) => Ok(token.subprotocol(SubprotocolToken::Pair(m))),
        (None, None) => Ok(token),
    }
}

type HeaderList<'a> = Vec<(Cow<'a, [u8]>, Cow<'a, [u8]>)>;

/// Reads `[(name, value), ...]` or a mapping `{name: value | [values] | None}`.
fn header_list<'a>(py: Python<'_>, headers: &'a Bound<'_, PyAny>, out: &mut HeaderList<'a>) -> PyResult<()> {
    let bad = |what: &str| {
        errors::invalid_input(
            py,
            "headers_shape",
            &format!("headers must be a list of (name, value) pairs or a mapping; {what}"),
            "pass scope[\"headers\"] from ASGI, or a dict {\"Origin\": \"https://...\"}",
        )
    };
    if let Ok(d) = headers.cast::<PyDict>() {
        for (k, v) in d.iter() {
            push_mapping_item(py, &k, &v, out)?;
        }
        return Ok(());
    }
    if headers.hasattr("items")? && !headers.is_instance_of::<PyList>() && !headers.is_instance_of::<PyTuple>() {
        for item in headers.call_method0("items")?.try_iter()? {
            let item = item?;
            let k = item.get_item(0)?;
            let v = item.get_item(1)?;
            push_mapping_item(py, &k, &v, out)?;
        }
        return Ok(());
    }
    let iter = headers.try_iter().map_err(|_| bad(&format!("got {}", type_name(headers))))?;
    for item in iter {
        let item = item?;
        let pair = item.cast::<PyTuple>().map(|t| t.to_owned()).or_else(|_| {
            item.cast::<PyList>().map(|l| l.to_tuple()).map_err(|_| bad(&format!("an item is {}", type_name(&item))))
        })?;
        if pair.len() != 2 {
            return Err(bad("an item does not have exactly two elements"));
        }
        let name = bytes_of(py, &pair.get_item(0)?, "header name")?.into_owned();
        let value = bytes_of(py, &pair.get_item(1)?, "header value")?.into_owned();
        out.push((Cow::Owned(name), Cow::Owned(value)));
    }
    Ok(())
}

fn push_mapping_item<'a>(
    py: Python<'_>,
    k: &Bound<'_, PyAny>,
    v: &Bound<'_, PyAny>,
    out: &mut HeaderList<'a>,
) -> PyResult<()> {
    let name = bytes_of(py, k, "header name")?.into_owned();
    if v.is_none() {
        return Ok(()); // absent header
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        for item in v.try_iter()? {
            let value = bytes_of(py, &item?, "header value")?.into_owned();
            out.push((Cow::Owned(name.clone()), Cow::Owned(value)));
        }
        return Ok(());
    }
    let value = bytes_of(py, v, "header value")?.into_owned();
    out.push((Cow::Owned(name), Cow::Owned(value)));
    Ok(())
}

fn has_header(list: &HeaderList<'_>, name: &[u8]) -> bool {
    list.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

fn unrepresentable(b: &[u8]) -> bool {
    b.iter().any(|&c| c == b'\r' || c == b'\n' || c == 0)
}

/// Turns a core rejection into `wsguard.HandshakeRejected`.
pub fn rejected(py: Python<'_>, r: &Rejection) -> PyErr {
    let headers = r.extra_headers().iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let detail = match r {
        Rejection::Origin(d) => d.malformed().map(|m| m.code()),
        Rejection::Host(d) => d.malformed().map(|m| m.code()),
        _ => None,
    };
    let response = grow_write(|buf| write_rejection_response(r, buf));
    errors::handshake_rejected(py, r, r.status(), headers, response, detail)
}

fn limits_from(max_headers: Option<usize>, max_line: Option<usize>, max_total: Option<usize>) -> Limits {
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

/// Builds the raw request; refuses (as the core's `MalformedRequest`) anything HTTP/1.1
/// cannot carry.
fn build_request(
    py: Python<'_>,
    method: &[u8],
    path: &[u8],
    headers: &HeaderList<'_>,
) -> PyResult<Vec<u8>> {
    let size = method.len() + path.len() + 16 + headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>();
    if unrepresentable(method) || unrepresentable(path) || headers.iter().any(|(n, v)| unrepresentable(n) || unrepresentable(v)) {
        return Err(rejected(py, &Rejection::MalformedRequest));
    }
    let mut buf = Vec::with_capacity(size);
    buf.extend_from_slice(method);
    buf.push(b' ');
    buf.extend_from_slice(path);
    buf.extend_from_slice(b" HTTP/1.1\r\n");
    for (n, v) in headers {
        buf.extend_from_slice(n);
        buf.extend_from_slice(b": ");
        buf.extend_from_slice(v);
        buf.extend_from_slice(b"\r\n");
    }
    buf.extend_from_slice(b"\r\n");
    Ok(buf)
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
///     require_token: refuse (401) when no token is found.
///     max_headers, max_line, max_total: the core's request limits (defaults 32 headers,
///         8192-byte lines, 16384-byte head).
///     assume_upgrade: the server already performed the upgrade (ASGI): supply
///         ``Upgrade``, ``Connection``, ``Sec-WebSocket-Version`` and ``Sec-WebSocket-Key``
///         when they are missing from the list (present ones are still checked).
///
/// Returns:
///     Handshake: the accept value, chosen subprotocol, token and origin.
///
/// Raises:
///     HandshakeRejected: with ``status``, ``code``, ``reason``, ``remedy`` and ``headers``.
///     InvalidInput: ``headers`` is not a list of pairs or a mapping of str/bytes.
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
    let mut list: HeaderList<'_> = Vec::new();
    header_list(py, headers, &mut list)?;
    if assume_upgrade {
        let defaults: [(&[u8], &[u8]); 4] = [
            (b"upgrade", b"websocket"),
            (b"connection", b"Upgrade"),
            (b"sec-websocket-version", b"13"),
            (b"sec-websocket-key", PLACEHOLDER_KEY),
        ];
        for (n, v) in defaults {
            if !has_header(&list, n) {
                list.push((Cow::Borrowed(n), Cow::Borrowed(v)));
            }
        }
    }
    let offered = str_list(py, offered_subprotocols, "offered_subprotocols")?;
    if !offered.is_empty() && !has_header(&list, b"sec-websocket-protocol") {
        list.push((Cow::Borrowed(b"Sec-WebSocket-Protocol"), Cow::Owned(offered.join(", ").into_bytes())));
    }
    let path_b = match path {
        Some(p) if !p.is_none() => bytes_of(py, p, "path")?,
        _ => Cow::Borrowed(&b"/"[..]),
    };
    let method_b = match method {
        Some(m) if !m.is_none() => bytes_of(py, m, "method")?,
        _ => Cow::Borrowed(&b"GET"[..]),
    };
    let request = build_request(py, &method_b, &path_b, &list)?;

    let supported = str_list(py, subprotocols, "subprotocols")?;
    let supported_refs: Vec<&str> = supported.iter().map(String::as_str).collect();
    let token = token_config(
        py,
        token_authorization,
        token_query,
        token_subprotocol_prefix,
        token_subprotocol_marker,
        require_token,
    )?;
    let config = ServerConfig::new(policy.core())
        .hosts(policy.host_policy())
        .subprotocols(&supported_refs)
        .require_subprotocol(require_subprotocol)
        .token(token)
        .limits(limits_from(max_headers, max_line, max_total));
    match validate_request(&config, &request) {
        Ok(Status::Complete(a)) => Ok(Handshake::from(&a)),
        // We always end the head with an empty line; Partial cannot happen with a
        // complete buffer, but answer it as the core's malformed request, never panic.
        Ok(Status::Partial) => Err(rejected(py, &Rejection::MalformedRequest)),
        Err(r) => Err(rejected(py, &r)),
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
    let supported = str_list(py, subprotocols, "subprotocols")?;
    let supported_refs: Vec<&str> = supported.iter().map(String::as_str).collect();
    let token = token_config(
        py,
        token_authorization,
        token_query,
        token_subprotocol_prefix,
        token_subprotocol_marker,
        require_token,
    )?;
    let config = ServerConfig::new(policy.core())
        .hosts(policy.host_policy())
        .subprotocols(&supported_refs)
        .require_subprotocol(require_subprotocol)
        .token(token)
        .limits(limits_from(max_headers, max_line, max_total));
    match validate_request(&config, &raw) {
        Ok(Status::Complete(a)) => Ok(Some(Handshake::from(&a))),
        Ok(Status::Partial) => Ok(None),
        Err(r) => Err(rejected(py, &r)),
    }
}

/// The ``Sec-WebSocket-Accept`` value for a ``Sec-WebSocket-Key``.
#[pyfunction]
pub fn accept_key(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<String> {
    let k = bytes_of(py, key, "key")?;
    Ok(wsguard_core::handshake::AcceptKey::from_key(&k).as_str().to_owned())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Handshake>()?;
    m.add_function(wrap_pyfunction!(validate_handshake, m)?)?;
    m.add_function(wrap_pyfunction!(validate_request_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(accept_key, m)?)?;
    Ok(())
}
