//! Time-driven state machines: `Heartbeat` (ping/pong, dead-peer detection) and
//! `Reconnect` (backoff decisions that use the close classification). The caller passes
//! monotonic milliseconds; nothing here reads a clock.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsguard_core::close::{CloseRegistry, CONVENTIONS};
use wsguard_core::heartbeat::{Action, Heartbeat as CoreHeartbeat, HeartbeatConfig};
use wsguard_core::reconnect::{
    Decision, Disconnect, Jitter, Reconnect as CoreReconnect, ReconnectConfig, StopReason,
    TransportFailure,
};
use wsguard_core::Diagnostic;

use crate::convert::{bytes_of, py_opt};
use crate::errors;

/// What the heartbeat wants now (see ``Heartbeat.poll``).
#[pyclass(module = "wsguard._wsguard", name = "HeartbeatAction", frozen)]
pub struct HeartbeatAction {
    /// ``"send_ping"``, ``"wait"`` or ``"peer_dead"``.
    #[pyo3(get)]
    action: &'static str,
    /// For ``send_ping``: the sequence number of the ping.
    #[pyo3(get)]
    seq: Option<u64>,
    /// For ``wait``: poll again at this time (ms).
    #[pyo3(get)]
    until: Option<u64>,
    payload: Option<[u8; 8]>,
}

#[pymethods]
impl HeartbeatAction {
    /// For ``send_ping``: the 8-byte ping payload to send (the pong echoes it).
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.payload.map(|p| PyBytes::new(py, &p))
    }
    fn __repr__(&self) -> String {
        format!(
            "HeartbeatAction(action='{}', seq={}, until={})",
            self.action,
            py_opt(&self.seq),
            py_opt(&self.until)
        )
    }
}

/// Ping/pong keep-alive for one connection, driven by caller-supplied monotonic time (ms).
///
/// Args:
///     now: the current time in ms.
///     interval_ms: ping every this many ms of silence (20 000).
///     dead_timeout_ms: declare the peer dead after this long without anything received (30 000).
///     max_missed: or after this many unanswered pings in a row (2).
///     role: ``"client"`` staggers the interval by half (so both ends do not ping at
///         once); ``None`` or ``"server"`` uses it as given.
///
/// Raises:
///     InvalidInput: an inconsistent configuration (``heartbeat_zero_interval`` ...).
#[pyclass(module = "wsguard._wsguard", name = "Heartbeat")]
pub struct Heartbeat {
    inner: CoreHeartbeat,
}

#[pymethods]
impl Heartbeat {
    #[new]
    #[pyo3(signature = (now = 0, *, interval_ms = 20_000, dead_timeout_ms = 30_000, max_missed = 2, role = None))]
    fn new(
        py: Python<'_>,
        now: u64,
        interval_ms: u64,
        dead_timeout_ms: u64,
        max_missed: u32,
        role: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut cfg = HeartbeatConfig::new(interval_ms, dead_timeout_ms, max_missed)
            .map_err(|e| errors::invalid_from(py, &e))?;
        if let Some(r) = role {
            if !r.is_none() {
                cfg = cfg.for_role(crate::frame::role_arg(py, r)?);
            }
        }
        Ok(Heartbeat {
            inner: CoreHeartbeat::new(cfg, now),
        })
    }

    /// What to do at ``now``: send a ping, wait until a time, or give up on the peer.
    fn poll(&mut self, now: u64) -> HeartbeatAction {
        match self.inner.poll(now) {
            Action::SendPing { payload, seq } => HeartbeatAction {
                action: "send_ping",
                seq: Some(seq),
                until: None,
                payload: Some(payload),
            },
            Action::Wait { until } => HeartbeatAction {
                action: "wait",
                seq: None,
                until: Some(until),
                payload: None,
            },
            Action::PeerDead => HeartbeatAction {
                action: "peer_dead",
                seq: None,
                until: None,
                payload: None,
            },
        }
    }

    /// A pong arrived; returns the round-trip time in ms when it answers the outstanding ping.
    fn on_pong(
        &mut self,
        py: Python<'_>,
        now: u64,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<Option<u64>> {
        let p = bytes_of(py, payload, "payload")?;
        Ok(self.inner.on_pong(now, &p))
    }

    /// A ping arrived; returns ``True`` when a pong should be sent.
    fn on_ping_received(&mut self, now: u64) -> bool {
        self.inner.on_ping_received(now)
    }

    /// Anything else arrived (a data frame): the peer is alive.
    fn on_activity(&mut self, now: u64) {
        self.inner.on_activity(now)
    }

    /// The closing handshake started.
    fn on_close(&mut self, now: u64) {
        self.inner.on_close(now)
    }

    /// Why the peer was declared dead (``"heartbeat_peer_silent"`` ...), or ``None``.
    #[getter]
    fn dead_reason(&self) -> Option<&'static str> {
        self.inner.dead_reason().map(|d| d.code())
    }
    /// The sentence explaining ``dead_reason``, or ``None``.
    #[getter]
    fn dead_explanation(&self) -> Option<&'static str> {
        self.inner.dead_reason().map(|d| d.reason())
    }
    /// Last measured round-trip time (ms).
    #[getter]
    fn last_rtt(&self) -> Option<u64> {
        self.inner.last_rtt_ms()
    }
    /// Smoothed round-trip time (ms).
    #[getter]
    fn smoothed_rtt(&self) -> Option<u64> {
        self.inner.smoothed_rtt_ms()
    }
    /// Pongs that answered an older ping.
    #[getter]
    fn stale_pongs(&self) -> u32 {
        self.inner.stale_pongs()
    }
    /// Pongs that answered no ping at all.
    #[getter]
    fn unsolicited_pongs(&self) -> u32 {
        self.inner.unsolicited_pongs()
    }
    /// Pings in a row without an answer.
    #[getter]
    fn unanswered_pings(&self) -> u32 {
        self.inner.unanswered_pings()
    }
}

/// What a client should do after a disconnect (see ``Reconnect.on_disconnect``).
#[pyclass(module = "wsguard._wsguard", name = "ReconnectDecision", frozen)]
pub struct ReconnectDecision {
    /// ``"stop"``, ``"wait_for_reauth"`` or ``"retry_at"``.
    #[pyo3(get)]
    decision: &'static str,
    /// For ``stop``: ``"normal"``, ``"not_retryable"`` or ``"attempts_exhausted"``.
    #[pyo3(get)]
    stop_reason: Option<&'static str>,
    /// For ``retry_at``: reconnect at this time (ms).
    #[pyo3(get)]
    at_ms: Option<u64>,
    /// For ``retry_at``: the attempt number (1 for the first retry).
    #[pyo3(get)]
    attempt: Option<u32>,
    /// For ``retry_at``: the delay chosen (ms).
    #[pyo3(get)]
    delay_ms: Option<u64>,
    /// Stable machine code (``"reconnect_retry"``, ``"reconnect_stop_normal"`` ...).
    #[pyo3(get)]
    code: &'static str,
    /// Why, in one sentence (from the close code, HTTP status or transport failure).
    #[pyo3(get)]
    reason: &'static str,
    /// What to do about it.
    #[pyo3(get)]
    remedy: &'static str,
}

#[pymethods]
impl ReconnectDecision {
    fn __repr__(&self) -> String {
        format!(
            "ReconnectDecision(decision='{}', at_ms={}, code='{}')",
            self.decision,
            py_opt(&self.at_ms),
            self.code
        )
    }
}

/// Reconnect/backoff decisions for one client, driven by caller-supplied time (ms) and
/// randomness (a ``u32`` per decision, for jitter). Close codes are classified with the
/// conventions registry (4401 → wait for re-authentication ...) unless
/// ``registry="empty"``.
///
/// Raises:
///     InvalidInput: an unknown ``jitter`` (``"equal"``/``"full"``) or ``registry``.
#[pyclass(module = "wsguard._wsguard", name = "Reconnect")]
pub struct Reconnect {
    inner: CoreReconnect<'static>,
}

fn transport_arg(py: Python<'_>, name: &str) -> PyResult<TransportFailure> {
    Ok(match name {
        "refused" => TransportFailure::Refused,
        "dns" => TransportFailure::Dns,
        "tls" => TransportFailure::Tls,
        "timeout" => TransportFailure::Timeout,
        "reset" => TransportFailure::Reset,
        other => {
            return Err(errors::invalid_input(
                py,
                "transport_unknown",
                &format!("unknown transport failure {other:?}"),
                "use one of \"refused\", \"dns\", \"tls\", \"timeout\", \"reset\"",
            ))
        }
    })
}

#[pymethods]
impl Reconnect {
    #[new]
    #[pyo3(signature = (*, base_ms = 1_000, cap_ms = 30_000, max_attempts = 0, jitter = "equal", stable_after_ms = 10_000, going_away_delay_ms = 2_000, overload_delay_ms = 10_000, max_retry_after_ms = 600_000, registry = "conventions"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_ms: u64,
        cap_ms: u64,
        max_attempts: u32,
        jitter: &str,
        stable_after_ms: u64,
        going_away_delay_ms: u64,
        overload_delay_ms: u64,
        max_retry_after_ms: u64,
        registry: &str,
    ) -> PyResult<Self> {
        let jitter = match jitter {
            "equal" => Jitter::Equal,
            "full" => Jitter::Full,
            other => {
                return Err(errors::invalid_input(
                    py,
                    "jitter_unknown",
                    &format!("unknown jitter {other:?}"),
                    "use \"equal\" or \"full\"",
                ))
            }
        };
        let registry: CloseRegistry<'static> = match registry {
            "conventions" => CONVENTIONS,
            "empty" => CloseRegistry::EMPTY,
            other => {
                return Err(errors::invalid_input(
                    py,
                    "registry_unknown",
                    &format!("unknown registry {other:?}"),
                    "use \"conventions\" (4401/4403 ... as 4000 + HTTP status) or \"empty\"",
                ))
            }
        };
        let config = ReconnectConfig {
            base_ms,
            cap_ms,
            max_attempts,
            jitter,
            stable_after_ms,
            going_away_delay_ms,
            overload_delay_ms,
            max_retry_after_ms,
            registry,
        };
        Ok(Reconnect {
            inner: CoreReconnect::new(config),
        })
    }

    /// The connection opened at ``now`` (after it stays up ``stable_after_ms``, the attempt
    /// counter resets).
    fn on_connected(&mut self, now: u64) {
        self.inner.on_connected(now)
    }

    /// The connection ended; give exactly one of ``close`` (close code), ``http_status``
    /// (a refused upgrade, with ``retry_after_s``) or ``transport`` (``"refused"``,
    /// ``"dns"``, ``"tls"``, ``"timeout"``, ``"reset"``). ``random`` is any u32 (jitter).
    #[pyo3(signature = (now, *, close = None, http_status = None, retry_after_s = None, transport = None, random = 0))]
    #[allow(clippy::too_many_arguments)]
    fn on_disconnect(
        &mut self,
        py: Python<'_>,
        now: u64,
        close: Option<&Bound<'_, PyAny>>,
        http_status: Option<u16>,
        retry_after_s: Option<u32>,
        transport: Option<&str>,
        random: u32,
    ) -> PyResult<ReconnectDecision> {
        let close = match close {
            Some(c) if !c.is_none() => Some(crate::close::code_arg(py, c)?),
            _ => None,
        };
        let disconnect = match (close, http_status, transport) {
            (Some(code), None, None) => Disconnect::Close(code),
            (None, Some(status), None) => Disconnect::HttpStatus { status, retry_after_s },
            (None, None, Some(t)) => Disconnect::Transport(transport_arg(py, t)?),
            _ => {
                return Err(errors::invalid_input(
                    py,
                    "disconnect_ambiguous",
                    "give exactly one of close=, http_status= or transport=",
                    "pass the close code, the HTTP status of the refused upgrade, or the transport failure",
                ))
            }
        };
        let d = self.inner.on_disconnect(disconnect, now, random);
        let mut out = ReconnectDecision {
            decision: "",
            stop_reason: None,
            at_ms: None,
            attempt: None,
            delay_ms: None,
            code: d.code(),
            reason: d.reason(),
            remedy: d.remedy(),
        };
        match d {
            Decision::Stop { reason, .. } => {
                out.decision = "stop";
                out.stop_reason = Some(match reason {
                    StopReason::Normal => "normal",
                    StopReason::NotRetryable => "not_retryable",
                    StopReason::AttemptsExhausted => "attempts_exhausted",
                });
            }
            Decision::WaitForReauth { .. } => out.decision = "wait_for_reauth",
            Decision::RetryAt {
                at_ms,
                attempt,
                delay_ms,
                ..
            } => {
                out.decision = "retry_at";
                out.at_ms = Some(at_ms);
                out.attempt = Some(attempt);
                out.delay_ms = Some(delay_ms);
            }
        }
        Ok(out)
    }

    /// Forget past attempts (e.g. after the user re-authenticated).
    fn reset(&mut self) {
        self.inner.reset()
    }

    /// Retries so far since the last stable connection.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Heartbeat>()?;
    m.add_class::<HeartbeatAction>()?;
    m.add_class::<Reconnect>()?;
    m.add_class::<ReconnectDecision>()?;
    Ok(())
}
