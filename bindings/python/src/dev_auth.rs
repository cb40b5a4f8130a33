//! The development auth bypass for the Python integrations (issue 16 item 6): the core's
//! decision ([`DevAuthBypass`]) seen from Python.
//!
//! An ASGI application is built before the server binds, so the listen address is not
//! known at construction: the production check runs in the constructor (raising
//! ``DevAuthBypassRefused``, so the app never starts), and the listen check runs on each
//! connection against ``scope["server"]`` — the local address that connection arrived
//! on. When that check fails the bypass does not apply to the connection (fail closed:
//! a request without a token gets 401 ``token_missing``) and the integration logs the
//! refusal as an error.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use wsguard_core::handshake::{DevAuthBypass, DevAuthRefusal, Listen};
use wsguard_core::origin::Preset;
use wsguard_core::Diagnostic;

use crate::convert::str_of;

static REFUSED: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `wsguard.DevAuthBypassRefused(code, reason, remedy)` for a core refusal.
pub fn refused(py: Python<'_>, r: DevAuthRefusal) -> PyErr {
    match REFUSED
        .import(py, "wsguard._errors", "DevAuthBypassRefused")
        .cloned()
    {
        Ok(cls) => PyErr::from_type(cls, (r.code(), r.reason(), r.remedy())),
        Err(e) => e,
    }
}

/// The options as the core's value; the production preset is refused here.
pub fn configure(
    py: Python<'_>,
    enabled: bool,
    allow_non_loopback: bool,
    preset: Preset,
) -> PyResult<DevAuthBypass> {
    let bypass = DevAuthBypass {
        enabled,
        allow_non_loopback,
    };
    bypass.check_preset(preset).map_err(|r| refused(py, r))?;
    Ok(bypass)
}

/// A listen address as text from what Python servers give: a `(host, port)` tuple (IPv6
/// hosts get brackets; extra items of an IPv6 socket address are ignored), a `str`
/// (`"127.0.0.1:8000"`, a Unix socket path), or `None` (unknown: `""`).
pub fn listen_text(py: Python<'_>, address: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let Some(address) = address.filter(|a| !a.is_none()) else {
        return Ok(String::new());
    };
    if let Ok(s) = str_of(py, address, "server address") {
        return Ok(s.into_owned());
    }
    let host = address.get_item(0)?;
    if host.is_none() {
        return Ok(String::new());
    }
    let host = str_of(py, &host, "server host")?.into_owned();
    let port = address.get_item(1).ok().filter(|p| !p.is_none());
    Ok(match port {
        None => host,
        Some(p) if host.contains(':') => format!("[{host}]:{}", p.str()?),
        Some(p) => format!("{host}:{}", p.str()?),
    })
}

/// The listen address of an ASGI scope (`scope["server"]`).
pub fn scope_listen(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<String> {
    let server = scope.get_item(intern!(py, "server"))?;
    listen_text(py, server.as_ref())
}

/// Classifies a listen address as the core does: ``"loopback"``, ``"unix_socket"``,
/// ``"network"`` or ``"unknown"``. Accepts ``"host:port"`` text, a ``(host, port)``
/// tuple (``scope["server"]``, ``socket.getsockname()``) or ``None``.
///
/// >>> listen_kind(("127.0.0.1", 8000))
/// 'loopback'
/// >>> listen_kind("0.0.0.0:8000")
/// 'network'
#[pyfunction]
pub fn listen_kind(py: Python<'_>, address: Option<&Bound<'_, PyAny>>) -> PyResult<&'static str> {
    Ok(Listen::classify(&listen_text(py, address)?).name())
}

/// The development auth bypass's startup decision, as every tier makes it: raises
/// ``DevAuthBypassRefused`` (``dev_auth_bypass_production``,
/// ``dev_auth_bypass_non_loopback`` or ``dev_auth_bypass_listen_unknown``) unless the
/// bypass may run with ``preset`` on ``listen``.
///
/// >>> check_dev_auth_bypass("development", ("127.0.0.1", 8000))
/// >>> check_dev_auth_bypass("development", "0.0.0.0:8000", allow_non_loopback=True)
#[pyfunction]
#[pyo3(signature = (preset, listen, *, allow_non_loopback = false))]
pub fn check_dev_auth_bypass(
    py: Python<'_>,
    preset: &str,
    listen: Option<&Bound<'_, PyAny>>,
    allow_non_loopback: bool,
) -> PyResult<()> {
    let preset = Preset::from_name(preset).ok_or_else(|| {
        crate::errors::invalid_input(
            py,
            "preset_unknown",
            &format!("unknown preset {preset:?}"),
            "use \"development\" or \"production\"",
        )
    })?;
    let bypass = configure(py, true, allow_non_loopback, preset)?;
    bypass
        .check_listen(&listen_text(py, listen)?)
        .map_err(|r| refused(py, r))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(listen_kind, m)?)?;
    m.add_function(wrap_pyfunction!(check_dev_auth_bypass, m)?)?;
    Ok(())
}
