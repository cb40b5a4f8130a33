//! `Metrics`: the counters `wsguard serve` exports, for the Python guards (issue 16 item 5).
//!
//! The counters are `wsguard_metrics::Counters`, the very type behind `wsguard serve`'s
//! `/metrics`, so the names, labels and text format the Prometheus rules and the Grafana
//! dashboard in `ops/` read are the same by construction. Recording is lock-free
//! (atomics): a `ScopeGuard` counts each verdict inside the native call that made it —
//! the accept path pays one relaxed atomic add, no extra Python call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wsguard_core::close::{INTERNAL_ERROR, NORMAL_CLOSURE, NO_STATUS_RECEIVED};
use wsguard_metrics::{gauge, Counters};

/// Live counters of one or more guards: upgrades accepted, refused by the core's reason
/// code, closes by code and by the core's category, heartbeat timeouts, open connections.
///
/// ``Metrics()``; pass the same object to several guards to add them up.
#[pyclass(module = "wsguard._wsguard", name = "Metrics", frozen)]
pub struct Metrics {
    counters: Arc<Counters>,
    active: AtomicU64,
    started: Instant,
}

impl Metrics {
    /// A fresh, all-zero set.
    pub fn fresh() -> Self {
        Metrics {
            counters: Arc::new(Counters::new()),
            active: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// The shared counters (the guard records into them).
    pub fn counters(&self) -> &Counters {
        &self.counters
    }
}

#[pymethods]
impl Metrics {
    #[new]
    fn new() -> Self {
        Metrics::fresh()
    }

    /// Counts one close by its close code (``None``: a close without code, counted as 0
    /// as ``wsguard serve`` does) and by the core's category of that code.
    #[pyo3(signature = (code = None))]
    fn closed(&self, code: Option<u16>) {
        self.counters.closed(code.unwrap_or(0));
    }

    /// Counts the close an ASGI application sent (``websocket.close``; ``None``: the
    /// message had no code, which ASGI defines as normal closure). A value that is not a
    /// close code counts as 0 (never raises: metrics must not break the application).
    #[pyo3(signature = (code = None))]
    fn app_closed(&self, code: Option<&Bound<'_, PyAny>>) {
        self.counters.closed(code_or(code, NORMAL_CLOSURE));
    }

    /// Counts a client's ``websocket.disconnect`` (``None``: no code, "no status
    /// received"); never raises, like :meth:`app_closed`.
    #[pyo3(signature = (code = None))]
    fn peer_disconnected(&self, code: Option<&Bound<'_, PyAny>>) {
        self.counters.closed(code_or(code, NO_STATUS_RECEIVED));
    }

    /// Counts the server's close of a connection its application left open: internal
    /// error when the application raised, normal closure when it returned.
    fn app_finished(&self, raised: bool) {
        self.counters.closed(if raised {
            INTERNAL_ERROR
        } else {
            NORMAL_CLOSURE
        });
    }

    /// Counts one peer declared dead by a heartbeat (``wsguard.Heartbeat`` said
    /// ``peer_dead``).
    fn heartbeat_timeout(&self) {
        self.counters.heartbeat_timeout();
    }

    /// One more open connection (the ASGI guard calls it on ``websocket.accept``).
    fn connection_opened(&self) {
        self.active.fetch_add(1, Ordering::Relaxed);
    }

    /// One connection fewer (never below zero).
    fn connection_closed(&self) {
        let _ = self
            .active
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    /// Open connections.
    #[getter]
    fn connections_active(&self) -> u64 {
        self.active.load(Ordering::Relaxed)
    }

    /// ``{"accepted", "refused": {code: n}, "refused_total", "closes_by_code": {code: n},
    /// "closes_by_category": {category: n}, "heartbeat_timeouts", "connections_active"}``.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.counters.snapshot();
        let d = PyDict::new(py);
        d.set_item("accepted", s.accepted)?;
        d.set_item("refused", s.refused.into_pyobject(py)?)?;
        d.set_item("refused_total", s.refused_total)?;
        d.set_item("closes_by_code", s.closes_by_code.into_pyobject(py)?)?;
        d.set_item(
            "closes_by_category",
            s.closes_by_category.into_pyobject(py)?,
        )?;
        d.set_item("heartbeat_timeouts", s.heartbeat_timeouts)?;
        d.set_item("connections_active", self.connections_active())?;
        Ok(d)
    }

    /// The Prometheus text exposition (format 0.0.4): the same families as
    /// ``wsguard serve``'s ``/metrics`` (``wsguard_accepted_total``,
    /// ``wsguard_refused_total{reason}``, ``wsguard_closes_total{code}``,
    /// ``wsguard_closes_by_category_total{category}``,
    /// ``wsguard_heartbeat_timeouts_total``, ``wsguard_connections_active``,
    /// ``wsguard_uptime_seconds``).
    fn prometheus_text(&self) -> String {
        let mut out = self.counters.to_prometheus();
        gauge(
            &mut out,
            "wsguard_connections_active",
            "gauge",
            "Open WebSocket connections.",
            self.connections_active() as f64,
        );
        gauge(
            &mut out,
            "wsguard_uptime_seconds",
            "gauge",
            "Seconds since start.",
            self.started.elapsed().as_secs_f64(),
        );
        out
    }

    fn __repr__(&self) -> String {
        let s = self.counters.snapshot();
        format!(
            "Metrics(accepted={}, refused={}, heartbeat_timeouts={}, connections_active={})",
            s.accepted,
            s.refused_total,
            s.heartbeat_timeouts,
            self.connections_active()
        )
    }
}

/// The close code of an ASGI message field: `default` when absent or `None`, 0 (counted
/// as "other/invalid") when it is not a 16-bit integer.
fn code_or(code: Option<&Bound<'_, PyAny>>, default: u16) -> u16 {
    match code {
        None => default,
        Some(c) if c.is_none() => default,
        Some(c) => c.extract::<u16>().unwrap_or(0),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Metrics>()?;
    Ok(())
}
