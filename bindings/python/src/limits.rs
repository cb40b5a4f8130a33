//! The peer limits at accept time (issue 18): the core's admission decision and its exact
//! 503 answer with `Retry-After`, for a Python server that owns its sockets (a raw asyncio
//! server, a gateway). ASGI servers own theirs, so the integrations do not call it.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsguard_core::limits::{Load, PeerLimits, MAX_RESPONSE};
use wsguard_core::Diagnostic;

use crate::errors::invalid_input;

/// `(code, status, close_code, answer)` of a refused connection.
type Refused<'py> = (&'static str, u16, u16, Bound<'py, PyBytes>);

fn count(py: Python<'_>, name: &str, v: i64) -> PyResult<u32> {
    u32::try_from(v).map_err(|_| {
        invalid_input(
            py,
            "count_out_of_range",
            &format!("{name} = {v} is not between 0 and 4294967295"),
            "pass a count that fits in 32 bits",
        )
    })
}

/// May one more connection be opened, given the counts *before* it (``connections``
/// open, ``from_address`` of them from the newcomer's address group — IPv4 /32, IPv6
/// /64 — and ``upgrading``, whose head is not answered yet)? Limits left ``None`` take
/// the core's defaults (10000, 256, 1024, ``Retry-After: 5``).
///
/// Returns ``None`` when admitted, else ``(code, status, close_code, answer)``: the
/// refusal's stable code (``too_many_connections``, ``too_many_from_address``,
/// ``too_many_upgrades``), 503, the close code recorded for it, and the exact bytes to
/// send before closing (``HTTP/1.1 503 Service Unavailable``, ``Retry-After``, the
/// ``<code>: <reason>`` / ``fix: <remedy>`` body).
///
/// >>> peer_limits_admit(1, 1, 0, max_connections=2) is None
/// True
/// >>> code, status, _, answer = peer_limits_admit(2, 1, 0, max_connections=2, retry_after_s=9)
/// >>> (code, status, answer.split(b"\r\n")[1])
/// ('too_many_connections', 503, b'Retry-After: 9')
#[pyfunction]
#[pyo3(signature = (connections, from_address, upgrading, *, max_connections = None, max_per_address = None, max_upgrading = None, retry_after_s = None))]
#[allow(clippy::too_many_arguments)]
pub fn peer_limits_admit<'py>(
    py: Python<'py>,
    connections: i64,
    from_address: i64,
    upgrading: i64,
    max_connections: Option<i64>,
    max_per_address: Option<i64>,
    max_upgrading: Option<i64>,
    retry_after_s: Option<i64>,
) -> PyResult<Option<Refused<'py>>> {
    let mut limits = PeerLimits::DEFAULT;
    if let Some(n) = max_connections {
        limits = limits.max_connections(count(py, "max_connections", n)?);
    }
    if let Some(n) = max_per_address {
        limits = limits.max_per_address(count(py, "max_per_address", n)?);
    }
    if let Some(n) = max_upgrading {
        limits = limits.max_upgrading(count(py, "max_upgrading", n)?);
    }
    if let Some(n) = retry_after_s {
        limits = limits.retry_after_s(count(py, "retry_after_s", n)?);
    }
    let load = Load {
        connections: count(py, "connections", connections)?,
        from_address: count(py, "from_address", from_address)?,
        upgrading: count(py, "upgrading", upgrading)?,
    };
    let Err(overload) = limits.admit(&load) else {
        return Ok(None);
    };
    let mut out = [0u8; MAX_RESPONSE];
    // MAX_RESPONSE always suffices (the core's promise).
    let n = overload
        .write_response(limits.retry_after_s, &mut out)
        .unwrap_or(0);
    Ok(Some((
        overload.code(),
        overload.status().unwrap_or_default(),
        overload.close_code(),
        PyBytes::new(py, out.get(..n).unwrap_or_default()),
    )))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(peer_limits_admit, m)?)?;
    Ok(())
}
