//! A server's own refusal in the core's layout ([`CustomRefusal`]): what an application
//! answers when *it* refuses an upgrade (its own code, reason and fix), so a refusal it
//! raises reads like the core's in every client and in `wsguard probe`.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsguard_core::handshake::CustomRefusal;
use wsguard_core::write_growing;

use crate::errors::invalid_from;

/// The complete HTTP answer for an application's own refusal: status line, ``headers``,
/// ``Content-Type``/``Content-Length``/``Connection: close`` and the body
/// ``"<code>: <reason>\nfix: <remedy>\n"`` — the layout of every wsguard refusal. Raises
/// ``InvalidInput`` (``refusal_status``, ``refusal_code``, ``refusal_text``,
/// ``refusal_header``) for a status outside 400–599, a code that is not snake_case, or
/// text holding CR/LF or other control characters (which would forge headers).
///
/// >>> refusal_response(404, "room_not_found", "no such room", "join an existing room").split(b"\r\n")[0]
/// b'HTTP/1.1 404 Not Found'
#[pyfunction]
#[pyo3(signature = (status, code, reason, remedy, headers = None))]
pub fn refusal_response<'py>(
    py: Python<'py>,
    status: u16,
    code: &str,
    reason: &str,
    remedy: &str,
    headers: Option<Vec<(String, String)>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let headers = headers.unwrap_or_default();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let refusal = CustomRefusal::new(status, code, reason, remedy)
        .and_then(|r| r.with_headers(&pairs))
        .map_err(|e| invalid_from(py, &e))?;
    let mut out = vec![0u8; 512];
    let n = write_growing(
        &mut out,
        1 << 20,
        |b, n| b.resize(n, 0),
        |buf| refusal.write(buf),
    )
    .map_err(|e| invalid_from(py, &e))?;
    Ok(PyBytes::new(py, &out[..n]))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(refusal_response, m)?)
}
