//! Raising the Python exception classes defined in `wsguard/_errors.py`.
//!
//! The hierarchy lives in pure Python (so it can inherit from both `WsguardError` and
//! `ValueError`, which abi3 extension types cannot); this module imports the classes once
//! and builds instances carrying the core's `code`, `reason` and `remedy`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use wsguard_core::Diagnostic;

const ERRORS_MODULE: &str = "wsguard._errors";

static INVALID_INPUT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static POLICY_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static URL_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROTOCOL_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static HANDSHAKE_REJECTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UPGRADE_FAILED: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<Bound<'py, PyType>> {
    cell.import(py, ERRORS_MODULE, name).cloned()
}

/// `wsguard.InvalidInput(code, reason, remedy)` — a malformed argument (a `ValueError`).
pub fn invalid_input(py: Python<'_>, code: &str, reason: &str, remedy: &str) -> PyErr {
    match class(py, &INVALID_INPUT, "InvalidInput") {
        Ok(cls) => PyErr::from_type(cls, (code.to_owned(), reason.to_owned(), remedy.to_owned())),
        Err(e) => e,
    }
}

/// `wsguard.InvalidInput` from any core diagnostic.
pub fn invalid_from(py: Python<'_>, d: &dyn Diagnostic) -> PyErr {
    invalid_input(py, d.code(), d.reason(), d.remedy())
}

/// `wsguard.PolicyError` from a core diagnostic, with the offending setting named.
pub fn policy_error(py: Python<'_>, d: &dyn Diagnostic, what: &str) -> PyErr {
    let reason = format!("{what}: {}", d.reason());
    match class(py, &POLICY_ERROR, "PolicyError") {
        Ok(cls) => PyErr::from_type(cls, (d.code(), reason, d.remedy())),
        Err(e) => e,
    }
}

/// `wsguard.UrlError` from a core diagnostic.
pub fn url_error(py: Python<'_>, d: &dyn Diagnostic) -> PyErr {
    match class(py, &URL_ERROR, "UrlError") {
        Ok(cls) => PyErr::from_type(cls, (d.code(), d.reason(), d.remedy())),
        Err(e) => e,
    }
}

/// `wsguard.ProtocolError` with the close code to send.
pub fn protocol_error(py: Python<'_>, d: &dyn Diagnostic, close_code: u16) -> PyErr {
    match class(py, &PROTOCOL_ERROR, "ProtocolError") {
        Ok(cls) => PyErr::from_type(cls, (d.code(), d.reason(), d.remedy(), close_code)),
        Err(e) => e,
    }
}

/// `wsguard.HandshakeRejected` with status and extra response headers.
pub fn handshake_rejected(
    py: Python<'_>,
    d: &dyn Diagnostic,
    status: u16,
    headers: Vec<(String, String)>,
    response: Vec<u8>,
    detail: Option<&'static str>,
    close_code: u16,
) -> PyErr {
    match class(py, &HANDSHAKE_REJECTED, "HandshakeRejected") {
        Ok(cls) => {
            let response = pyo3::types::PyBytes::new(py, &response).unbind();
            PyErr::from_type(
                cls,
                (
                    d.code(),
                    d.reason(),
                    d.remedy(),
                    status,
                    headers,
                    response,
                    detail,
                    close_code,
                ),
            )
        }
        Err(e) => e,
    }
}

/// `wsguard.UpgradeFailed` (client side) with the HTTP status and the diagnosis details.
pub fn upgrade_failed(
    py: Python<'_>,
    d: &dyn Diagnostic,
    status: Option<u16>,
    details: Bound<'_, pyo3::types::PyDict>,
) -> PyErr {
    match class(py, &UPGRADE_FAILED, "UpgradeFailed") {
        Ok(cls) => PyErr::from_type(
            cls,
            (d.code(), d.reason(), d.remedy(), status, details.unbind()),
        ),
        Err(e) => e,
    }
}

/// Registers the exception classes as attributes of the native module too, so that
/// `wsguard._wsguard.HandshakeRejected is wsguard.HandshakeRejected`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let errors = m.py().import(ERRORS_MODULE)?;
    for name in [
        "WsguardError",
        "InvalidInput",
        "PolicyError",
        "DevAuthBypassRefused",
        "UrlError",
        "ProtocolError",
        "HandshakeRejected",
        "UpgradeFailed",
    ] {
        m.add(name, errors.getattr(name)?)?;
    }
    Ok(())
}
