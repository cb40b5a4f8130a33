//! Close-code classification: `classify_close`, `explain`, `CloseInfo`, close payloads.

use pyo3::prelude::*;
use wsguard_core::close::{self, CloseInfo as CoreInfo, CONVENTIONS};

use crate::errors;

/// Everything wsguard knows about one close code (see ``classify_close``).
#[pyclass(module = "wsguard._wsguard", name = "CloseInfo", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CloseInfo {
    /// The close code (0–65535).
    #[pyo3(get)]
    code: u16,
    /// Registered snake_case name (``"going_away"``), or ``None``.
    #[pyo3(get)]
    name: Option<&'static str>,
    /// Category code (``"policy_auth"``, ``"transport_failure"``, ...).
    #[pyo3(get)]
    category: &'static str,
    /// ``True`` when the code may appear in a Close frame on the wire.
    #[pyo3(get)]
    wire_valid: bool,
    /// Who usually sends it (``"client"``, ``"server"``, ``"either"``, ``"local_only"``, ``"never_sent"``).
    #[pyo3(get)]
    sender: &'static str,
    /// One sentence for users: what this ending means.
    #[pyo3(get)]
    description: &'static str,
    /// Likely causes as ``(what, fix)`` pairs, most likely first.
    #[pyo3(get)]
    causes: Vec<(&'static str, &'static str)>,
    /// What to do about it.
    #[pyo3(get)]
    remedy: &'static str,
    /// Reconnect advice (``"never"``, ``"after_reauth"``, ``"soon"``, ``"with_backoff"``, ``"after_delay"``).
    #[pyo3(get)]
    retry: &'static str,
    /// ``True`` when the entry comes from a registry (the conventions registry or the
    /// application's), not from the one built-in classification.
    #[pyo3(get)]
    app_defined: bool,
    /// Where the meaning comes from: ``"iana"``, ``"convention"`` (a widespread habit
    /// such as 4401, not a registration), ``"application"`` or ``"unregistered"``.
    #[pyo3(get)]
    registration: &'static str,
}

impl From<CoreInfo> for CloseInfo {
    fn from(i: CoreInfo) -> Self {
        CloseInfo {
            code: i.code,
            name: i.name(),
            category: i.category().code(),
            wire_valid: i.wire_valid,
            sender: i.sender().code(),
            description: i.description(),
            causes: i.causes().iter().map(|c| (c.what, c.fix)).collect(),
            remedy: i.remedy(),
            retry: i.retry().code(),
            app_defined: i.is_app_defined(),
            registration: i.registration().code(),
        }
    }
}

#[pymethods]
impl CloseInfo {
    fn __repr__(&self) -> String {
        format!(
            "CloseInfo(code={}, name={}, category='{}', wire_valid={}, retry='{}')",
            self.code,
            self.name
                .map_or_else(|| "None".to_owned(), |n| format!("'{n}'")),
            self.category,
            if self.wire_valid { "True" } else { "False" },
            self.retry
        )
    }

    fn __str__(&self) -> String {
        explain_info(self)
    }
}

/// Converts a Python int into a close code, raising `InvalidInput` outside 0–65535.
pub fn code_arg(py: Python<'_>, code: &Bound<'_, PyAny>) -> PyResult<u16> {
    let value: i64 = code.extract().map_err(|_| {
        errors::invalid_input(
            py,
            "close_code_not_int",
            "a close code must be an int",
            "pass the integer code, e.g. 1006",
        )
    })?;
    u16::try_from(value).map_err(|_| {
        errors::invalid_input(
            py,
            "close_code_out_of_range",
            "a close code is a 16-bit number (0–65535)",
            "pass the code exactly as the WebSocket API reported it, e.g. 1006",
        )
    })
}

fn classify_core(code: u16, conventions: bool) -> CoreInfo {
    if conventions {
        CONVENTIONS.classify(code)
    } else {
        close::classify(code)
    }
}

/// Classifies a close code (0–65535): name, category, wire validity, usual sender,
/// a sentence for users, likely causes, remedy and retry advice.
///
/// This is the one classification of every tier (the same as ``wsguard explain``): IANA
/// codes (1000–1015, 3000/3003/3008) and the widespread "4000 + HTTP status" conventions
/// (4401 unauthorized, 4403 forbidden ...) with ``registration == "convention"``.
/// ``conventions=True`` reads them from the conventions registry instead, so
/// ``app_defined`` is ``True`` for them.
#[pyfunction]
#[pyo3(signature = (code, *, conventions = false))]
pub fn classify_close(
    py: Python<'_>,
    code: &Bound<'_, PyAny>,
    conventions: bool,
) -> PyResult<CloseInfo> {
    let code = code_arg(py, code)?;
    Ok(classify_core(code, conventions).into())
}

fn explain_info(i: &CloseInfo) -> String {
    let mut out = format!(
        "{} {}: {}",
        i.code,
        i.name.unwrap_or("(unregistered)"),
        i.description
    );
    if i.registration == "convention" {
        out.push_str("\n  note: a convention, not an IANA registration");
    }
    for (what, fix) in &i.causes {
        out.push_str(&format!("\n  likely: {what} -> {fix}"));
    }
    out.push_str(&format!("\n  remedy: {}\n  retry: {}", i.remedy, i.retry));
    out
}

/// A multi-line, human explanation of a close code: meaning, likely causes with fixes,
/// remedy and retry advice. Same arguments as ``classify_close``.
#[pyfunction]
#[pyo3(signature = (code, *, conventions = false))]
pub fn explain(py: Python<'_>, code: &Bound<'_, PyAny>, conventions: bool) -> PyResult<String> {
    let code = code_arg(py, code)?;
    Ok(explain_info(&classify_core(code, conventions).into()))
}

/// ``True`` when ``code`` may appear in a Close frame on the wire (RFC 6455 §7.4).
#[pyfunction]
pub fn is_wire_valid(py: Python<'_>, code: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(close::is_wire_valid(code_arg(py, code)?))
}

/// Parses a Close frame payload (2-byte code + UTF-8 reason, or empty).
///
/// Returns ``(code, reason)``; ``code`` is ``None`` for an empty payload (the API then
/// reports 1005). Raises ``ProtocolError`` (with ``close_code`` to answer: 1002 or 1007)
/// for a payload RFC 6455 forbids.
#[pyfunction]
pub fn parse_close_payload(
    py: Python<'_>,
    payload: &Bound<'_, PyAny>,
) -> PyResult<(Option<u16>, String)> {
    let bytes = crate::convert::bytes_of(py, payload, "payload")?;
    match close::parse_payload(&bytes) {
        Ok(p) => Ok((p.code, p.reason.to_owned())),
        Err(e) => Err(errors::protocol_error(py, &e, e.close_code())),
    }
}

/// Builds a Close frame payload: the code in network order followed by ``reason``.
///
/// ``max_size`` is the room available (125 in a control frame). Raises ``InvalidInput``
/// for a code that may not be sent (1005, 1006, 1015, reserved or out of range), a reason
/// over 123 bytes, or a payload larger than ``max_size`` (use ``fit_reason`` first).
#[pyfunction]
#[pyo3(signature = (code, reason = "", *, max_size = 125))]
pub fn encode_close_payload<'py>(
    py: Python<'py>,
    code: &Bound<'_, PyAny>,
    reason: &str,
    max_size: usize,
) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let code = code_arg(py, code)?;
    let mut buf = vec![0u8; max_size.min(4096)];
    match close::write_close_payload(code, reason, &mut buf) {
        Ok(n) => Ok(pyo3::types::PyBytes::new(py, buf.get(..n).unwrap_or(&[]))),
        Err(e) => Err(errors::invalid_from(py, &e)),
    }
}

/// Cuts ``reason`` to at most 123 UTF-8 bytes without splitting a character.
#[pyfunction]
pub fn fit_reason(reason: &str) -> String {
    close::fit_reason(reason).to_owned()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CloseInfo>()?;
    m.add_function(wrap_pyfunction!(classify_close, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(is_wire_valid, m)?)?;
    m.add_function(wrap_pyfunction!(parse_close_payload, m)?)?;
    m.add_function(wrap_pyfunction!(encode_close_payload, m)?)?;
    m.add_function(wrap_pyfunction!(fit_reason, m)?)?;
    Ok(())
}
