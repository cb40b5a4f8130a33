//! The explain exchange for the ASGI integrations (`wsguard.asgi`, `wsguard.channels`):
//! a plain-HTTP `GET <ws path>?wsguard-explain=1&…` scope answered with the core's
//! verdict on the upgrade it describes (`wsguard_core::explain`, docs/EXPLAIN.md), so the
//! Python guards answer byte for byte like `wsguard serve` and the tokio guard.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use wsguard_core::explain::{self, ExplainQuery, Mode, HEADERS, STATUS};

use crate::convert::bytes_of;
use crate::errors::invalid_input;
use crate::guard::ScopeGuard;

/// An ASGI response as ``(status, headers, body)``.
type Answer = (u16, Vec<(Py<PyBytes>, Py<PyBytes>)>, Py<PyBytes>);

/// The explain mode named by ``mode`` (``"off"``, ``"public"`` or ``"full"``).
fn mode_of(py: Python<'_>, mode: &str) -> PyResult<Mode> {
    Mode::parse(mode).ok_or_else(|| {
        invalid_input(
            py,
            "explain_mode_unknown",
            &format!("unknown explain mode {mode:?}"),
            "use \"off\", \"public\" (the default: code and reason) or \"full\" (also the remedy)",
        )
    })
}

/// The first value of header `name` (lower case) in an ASGI header list.
fn first_header<'py>(list: &Bound<'py, PyList>, name: &[u8]) -> Option<Bound<'py, PyBytes>> {
    list.iter().find_map(|entry| {
        let t = entry.cast::<PyTuple>().ok()?;
        let k = t.get_item(0).ok()?;
        let k = k.cast::<PyBytes>().ok()?;
        k.as_bytes()
            .eq_ignore_ascii_case(name)
            .then(|| t.get_item(1).ok()?.cast_into::<PyBytes>().ok())
            .flatten()
    })
}

/// ``explain_scope(guard, scope, mode="public")`` — the answer to an ASGI ``http`` scope
/// when it is an explain request (``GET``, a ``wsguard-explain`` query parameter, mode
/// not ``"off"``): ``(status, headers, body)`` as bytes, ready for
/// ``http.response.start``/``http.response.body``; ``None`` otherwise (let the request
/// through). The verdict is the core's, for ``guard``'s policy, Host allowlist,
/// subprotocols and token placement; the first ``Host`` and ``Origin`` headers are the
/// facts. Never reveals the allowlist or a token value.
///
/// >>> g = ScopeGuard(OriginPolicy(allow=["https://app.example.com"]))
/// >>> scope = {"type": "http", "method": "GET", "path": "/ws", "query_string": b"wsguard-explain=1",
/// ...          "headers": [(b"host", b"api.example.com"), (b"origin", b"https://evil.example")]}
/// >>> status, headers, body = explain_scope(g, scope)
/// >>> status, json.loads(body)["code"]
/// (200, 'origin_host')
#[pyfunction]
#[pyo3(signature = (guard, scope, mode = "public"))]
pub fn explain_scope(
    py: Python<'_>,
    guard: &Bound<'_, ScopeGuard>,
    scope: &Bound<'_, PyAny>,
    mode: &str,
) -> PyResult<Option<Answer>> {
    let mode = mode_of(py, mode)?;
    let Ok(scope) = scope.cast::<PyDict>() else {
        return Ok(None);
    };
    let method = scope.get_item(intern!(py, "method"))?;
    let get = method.and_then(|m| m.extract::<String>().ok()).as_deref() == Some("GET");
    if mode == Mode::Off || !get {
        return Ok(None);
    }
    let query = match scope.get_item(intern!(py, "query_string"))? {
        Some(q) => bytes_of(py, &q, "query_string")?.into_owned(),
        None => Vec::new(),
    };
    let Ok(query) = std::str::from_utf8(&query) else {
        return Ok(None);
    };
    let Some(facts) = ExplainQuery::parse(query) else {
        return Ok(None);
    };
    // The target as sent: `raw_path` (still percent-encoded), else `path`.
    let path = match scope.get_item(intern!(py, "raw_path"))? {
        Some(r) if r.cast::<PyBytes>().is_ok_and(|b| !b.as_bytes().is_empty()) => {
            bytes_of(py, &r, "raw_path")?.into_owned()
        }
        _ => match scope.get_item(intern!(py, "path"))? {
            Some(p) => bytes_of(py, &p, "path")?.into_owned(),
            None => b"/".to_vec(),
        },
    };
    let headers = scope.get_item(intern!(py, "headers"))?;
    let headers = headers.as_ref().and_then(|h| h.cast::<PyList>().ok());
    let host = headers.and_then(|h| first_header(h, b"host"));
    let origin = headers.and_then(|h| first_header(h, b"origin"));
    let host = host
        .as_ref()
        .and_then(|h| std::str::from_utf8(h.as_bytes()).ok())
        .unwrap_or("");
    let path = String::from_utf8_lossy(&path);
    // The same development auth bypass decision as the accept path for this connection.
    let dev_bypass = guard
        .get()
        .dev_bypass_for(|| crate::dev_auth::scope_listen(py, scope))?;
    let body = guard.get().with_config(dev_bypass, |config| {
        let mut scratch = vec![0u8; 2048];
        let verdict = explain::explain(
            config,
            &path,
            host,
            origin.as_ref().map(|o| o.as_bytes()),
            &facts,
            &mut scratch,
        );
        let mut out = vec![0u8; 1024];
        let n = match explain::write_body(&verdict, mode, &mut out) {
            Ok(n) => n,
            Err(e) => {
                out.resize(e.needed, 0);
                explain::write_body(&verdict, mode, &mut out).unwrap_or(0)
            }
        };
        out.truncate(n);
        out
    });
    let mut headers: Vec<_> = HEADERS
        .iter()
        .map(|(k, v)| {
            (
                PyBytes::new(py, k.to_ascii_lowercase().as_bytes()).unbind(),
                PyBytes::new(py, v.as_bytes()).unbind(),
            )
        })
        .collect();
    headers.push((
        PyBytes::new(py, b"content-length").unbind(),
        PyBytes::new(py, body.len().to_string().as_bytes()).unbind(),
    ));
    Ok(Some((STATUS, headers, PyBytes::new(py, &body).unbind())))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(explain_scope, m)?)?;
    Ok(())
}
