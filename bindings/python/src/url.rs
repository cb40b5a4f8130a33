//! ws/wss URL helpers: `parse_ws_url`, `websocket_url_for_page`, `check_mixed_content`.

use pyo3::prelude::*;
use wsguard_core::url::{
    check_mixed_content as core_mixed, derive_ws_url, HostKind, UrlError, WsUrl as CoreUrl,
};
use wsguard_core::{write_growing, Cursor};

use crate::errors;

/// A parsed, valid ``ws://`` or ``wss://`` URL (see ``parse_ws_url``). ``str()`` gives
/// the normalised URL (lowercase host, default port dropped).
#[pyclass(module = "wsguard._wsguard", name = "WsUrl", frozen)]
pub struct WsUrl {
    /// ``True`` for ``wss``.
    #[pyo3(get)]
    secure: bool,
    /// ``"ws"`` or ``"wss"``.
    #[pyo3(get)]
    scheme: &'static str,
    /// The host as written (IPv6 in brackets).
    #[pyo3(get)]
    host: String,
    /// ``"name"``, ``"ipv4"`` or ``"ipv6"``.
    #[pyo3(get)]
    host_kind: &'static str,
    /// The explicit port, or ``None``.
    #[pyo3(get)]
    port: Option<u16>,
    /// The port, or the scheme's default (80/443).
    #[pyo3(get)]
    port_or_default: u16,
    /// The path (``"/"`` when empty).
    #[pyo3(get)]
    path: String,
    /// The query without ``?``, or ``None``.
    #[pyo3(get)]
    query: Option<String>,
    /// Path and query, as sent in the request line.
    #[pyo3(get)]
    resource_name: String,
    /// The ``Host`` header value a client sends.
    #[pyo3(get)]
    host_header: String,
    normalized: String,
}

fn write_with(f: impl Fn(&mut Cursor<'_>) -> Result<(), wsguard_core::BufferTooSmall>) -> String {
    let mut buf = vec![0u8; 256];
    match write_growing(
        &mut buf,
        1 << 20,
        |b, n| b.resize(n, 0),
        |out| {
            let mut cur = Cursor::new(out);
            f(&mut cur).and_then(|()| cur.finish())
        },
    ) {
        Ok(n) => String::from_utf8_lossy(buf.get(..n).unwrap_or(&[])).into_owned(),
        Err(_) => String::new(),
    }
}

impl From<&CoreUrl<'_>> for WsUrl {
    fn from(u: &CoreUrl<'_>) -> Self {
        WsUrl {
            secure: u.secure(),
            scheme: u.scheme(),
            host: u.host().to_owned(),
            host_kind: match u.host_kind() {
                HostKind::Name => "name",
                HostKind::Ipv4 => "ipv4",
                HostKind::Ipv6 => "ipv6",
            },
            port: u.port(),
            port_or_default: u.port_or_default(),
            path: u.path().to_owned(),
            query: u.query().map(str::to_owned),
            resource_name: u.resource_name().to_string(),
            host_header: write_with(|c| u.host_header(c)),
            normalized: u.to_string(),
        }
    }
}

#[pymethods]
impl WsUrl {
    fn __str__(&self) -> String {
        self.normalized.clone()
    }
    fn __repr__(&self) -> String {
        format!("WsUrl({:?})", self.normalized)
    }
}

fn url_err(py: Python<'_>, e: UrlError) -> PyErr {
    errors::url_error(py, &e)
}

/// Parses and validates a ``ws://`` / ``wss://`` URL.
///
/// Raises ``UrlError`` with a code such as ``url_scheme`` (an ``http(s)://`` URL was
/// given), ``url_fragment`` or ``url_userinfo``.
#[pyfunction]
pub fn parse_ws_url(py: Python<'_>, url: &str) -> PyResult<WsUrl> {
    CoreUrl::parse(url)
        .map(|u| WsUrl::from(&u))
        .map_err(|e| url_err(py, e))
}

/// The WebSocket URL a page at ``page_url`` should open for ``target``, resolved the way
/// ``new WebSocket(target)`` does: ``https`` pages get ``wss``, same host and port unless
/// ``port`` overrides it; relative targets resolve against the page.
///
/// ``max_size`` bounds the length of the result (``UrlError`` when longer).
///
/// Raises ``UrlError`` (e.g. ``url_mixed_content`` for ``ws://`` from an https page).
#[pyfunction]
#[pyo3(signature = (page_url, target = "/", *, port = None, max_size = None))]
pub fn websocket_url_for_page(
    py: Python<'_>,
    page_url: &str,
    target: &str,
    port: Option<u16>,
    max_size: Option<usize>,
) -> PyResult<String> {
    if let Some(limit) = max_size {
        let mut buf = vec![0u8; limit.min(1 << 16)];
        return derive_ws_url(page_url, target, port, &mut buf)
            .map(|u| u.to_string())
            .map_err(|e| url_err(py, e));
    }
    let mut buf = vec![
        0u8;
        page_url
            .len()
            .saturating_add(target.len())
            .saturating_add(32)
    ];
    write_growing(
        &mut buf,
        1 << 20,
        |b, n| b.resize(n, 0),
        |out| derive_ws_url(page_url, target, port, out).map(|u| u.to_string()),
    )
    .map_err(|e| url_err(py, e))
}

/// Raises ``UrlError`` (``url_mixed_content``) when a page at ``page_url`` may not open
/// ``ws_url`` (an https page opening ``ws://``); returns ``None`` otherwise.
#[pyfunction]
pub fn check_mixed_content(py: Python<'_>, page_url: &str, ws_url: &str) -> PyResult<()> {
    core_mixed(page_url, ws_url).map_err(|e| url_err(py, e))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WsUrl>()?;
    m.add_function(wrap_pyfunction!(parse_ws_url, m)?)?;
    m.add_function(wrap_pyfunction!(websocket_url_for_page, m)?)?;
    m.add_function(wrap_pyfunction!(check_mixed_content, m)?)?;
    Ok(())
}
