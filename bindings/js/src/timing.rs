//! Heartbeat schedule and reconnect policy: the core's state machines, driven by the
//! caller's monotonic time (ms, JS numbers) and randomness (one u32 per decision).

use wasm_bindgen::prelude::*;
use wsguard_core::frame::Role;
use wsguard_core::heartbeat::{Action, Heartbeat as CoreHeartbeat, HeartbeatConfig};
use wsguard_core::reconnect::{
    Decision as CoreDecision, Disconnect, Jitter, Reconnect as CoreReconnect, ReconnectConfig,
    StopReason, TransportFailure,
};
use wsguard_core::Diagnostic;

use crate::{close::Registry, ms, Fault};

/// What the heartbeat wants now.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct HeartbeatAction {
    /// `send_ping`, `wait` or `peer_dead`.
    pub action: String,
    /// For `send_ping`: the ping's sequence number.
    pub seq: Option<f64>,
    /// For `send_ping`: the 8-byte payload the pong must echo.
    pub payload: Option<Vec<u8>>,
    /// For `wait`: poll again at this time (ms).
    pub until: Option<f64>,
}

/// Keep-alive for one connection (application-level pings in a page).
///
/// ```
/// let mut hb = wsguard_js::Heartbeat::new(0.0, Some(20_000.0), Some(30_000.0), Some(2), None).unwrap();
/// assert_eq!(hb.poll(0.0).until, Some(20_000.0));
/// assert_eq!(hb.poll(20_000.0).action, "send_ping");
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Heartbeat {
    inner: CoreHeartbeat,
}

#[wasm_bindgen]
impl Heartbeat {
    /// A heartbeat started at `now`; absent settings take the core's defaults. `role`
    /// `"client"` staggers the interval (`HeartbeatConfig::for_role`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        now: f64,
        interval_ms: Option<f64>,
        dead_timeout_ms: Option<f64>,
        max_missed: Option<u32>,
        role: Option<String>,
    ) -> Result<Heartbeat, Fault> {
        let d = HeartbeatConfig::DEFAULT;
        let mut cfg = HeartbeatConfig::new(
            interval_ms.map_or(d.interval_ms(), ms),
            dead_timeout_ms.map_or(d.dead_timeout_ms(), ms),
            max_missed.unwrap_or(d.max_missed()),
        )
        .map_err(|e| Fault::of(&e))?;
        match role.as_deref() {
            None => {}
            Some("client") => cfg = cfg.for_role(Role::Client),
            Some("server") => cfg = cfg.for_role(Role::Server),
            Some(_) => return Err(unknown("role_unknown", "role (\"client\" or \"server\")")),
        }
        Ok(Heartbeat {
            inner: CoreHeartbeat::new(cfg, ms(now)),
        })
    }
    /// What to do at `now`.
    pub fn poll(&mut self, now: f64) -> HeartbeatAction {
        let (action, seq, payload, until) = match self.inner.poll(ms(now)) {
            Action::SendPing { payload, seq } => {
                ("send_ping", Some(seq as f64), Some(payload.to_vec()), None)
            }
            Action::Wait { until } => ("wait", None, None, Some(until as f64)),
            Action::PeerDead => ("peer_dead", None, None, None),
        };
        HeartbeatAction {
            action: action.into(),
            seq,
            payload,
            until,
        }
    }
    /// A pong arrived; the round-trip time when it answers the outstanding ping.
    #[wasm_bindgen(js_name = onPong)]
    pub fn on_pong(&mut self, now: f64, payload: &[u8]) -> Option<f64> {
        self.inner.on_pong(ms(now), payload).map(|v| v as f64)
    }
    /// A ping arrived; `true` when a pong should be sent.
    #[wasm_bindgen(js_name = onPingReceived)]
    pub fn on_ping_received(&mut self, now: f64) -> bool {
        self.inner.on_ping_received(ms(now))
    }
    /// Anything else arrived: the peer is alive.
    #[wasm_bindgen(js_name = onActivity)]
    pub fn on_activity(&mut self, now: f64) {
        self.inner.on_activity(ms(now))
    }
    /// The closing handshake started.
    #[wasm_bindgen(js_name = onClose)]
    pub fn on_close(&mut self, now: f64) {
        self.inner.on_close(ms(now))
    }
    /// Why the peer was declared dead (a diagnostic code), or `undefined`.
    #[wasm_bindgen(getter, js_name = deadReason)]
    pub fn dead_reason(&self) -> Option<String> {
        self.inner.dead_reason().map(|d| d.code().into())
    }
    /// Last round-trip time (ms).
    #[wasm_bindgen(getter, js_name = lastRtt)]
    pub fn last_rtt(&self) -> Option<f64> {
        self.inner.last_rtt_ms().map(|v| v as f64)
    }
    /// Smoothed round-trip time (ms).
    #[wasm_bindgen(getter, js_name = smoothedRtt)]
    pub fn smoothed_rtt(&self) -> Option<f64> {
        self.inner.smoothed_rtt_ms().map(|v| v as f64)
    }
    /// Pongs that answered an older ping.
    #[wasm_bindgen(getter, js_name = stalePongs)]
    pub fn stale_pongs(&self) -> u32 {
        self.inner.stale_pongs()
    }
    /// Pongs that answered no ping.
    #[wasm_bindgen(getter, js_name = unsolicitedPongs)]
    pub fn unsolicited_pongs(&self) -> u32 {
        self.inner.unsolicited_pongs()
    }
}

fn unknown(code: &str, what: &str) -> Fault {
    Fault {
        code: code.into(),
        reason: format!("unknown {what}"),
        remedy: "use one of the values listed in the type definitions".into(),
    }
}

/// What the reconnect policy decided.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone)]
pub struct Decision {
    /// `stop`, `wait_for_reauth` or `retry_at`.
    pub decision: String,
    /// For `stop`: `normal`, `not_retryable` or `attempts_exhausted`.
    #[wasm_bindgen(js_name = stopReason)]
    pub stop_reason: Option<String>,
    /// For `retry_at`: when (ms).
    #[wasm_bindgen(js_name = atMs)]
    pub at_ms: Option<f64>,
    /// For `retry_at`: attempt number (1, 2, …).
    pub attempt: Option<u32>,
    /// For `retry_at`: the delay (ms).
    #[wasm_bindgen(js_name = delayMs)]
    pub delay_ms: Option<f64>,
    /// Stable code (`reconnect_retry`, `reconnect_wait_for_reauth` …).
    pub code: String,
    /// Why, from the close code, HTTP status or transport failure.
    pub reason: String,
    /// What to do about it.
    pub remedy: String,
}

/// Reconnect decisions for one client.
///
/// ```
/// let mut rc = wsguard_js::Reconnect::new(None, None, None, None, None, None, None, None, &wsguard_js::Registry::conventions()).unwrap();
/// assert_eq!(rc.on_disconnect(0.0, "close", 1000, None, 0).unwrap().decision, "stop");
/// assert_eq!(rc.on_disconnect(0.0, "http", 401, None, 0).unwrap().decision, "wait_for_reauth");
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Reconnect {
    inner: CoreReconnect<'static>,
}

#[wasm_bindgen]
impl Reconnect {
    /// A policy; absent settings take `ReconnectConfig::DEFAULT`'s values. `jitter`:
    /// `"equal"` or `"full"`; `registry`: application codes (e.g. `Registry::conventions()`).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        base_ms: Option<f64>,
        cap_ms: Option<f64>,
        max_attempts: Option<u32>,
        jitter: Option<String>,
        stable_after_ms: Option<f64>,
        going_away_delay_ms: Option<f64>,
        overload_delay_ms: Option<f64>,
        max_retry_after_ms: Option<f64>,
        registry: &Registry,
    ) -> Result<Reconnect, Fault> {
        let d = ReconnectConfig::DEFAULT;
        let jitter = match jitter.as_deref() {
            None => d.jitter,
            Some("equal") => Jitter::Equal,
            Some("full") => Jitter::Full,
            Some(_) => return Err(unknown("jitter_unknown", "jitter (\"equal\" or \"full\")")),
        };
        let config = ReconnectConfig {
            base_ms: base_ms.map_or(d.base_ms, ms),
            cap_ms: cap_ms.map_or(d.cap_ms, ms),
            max_attempts: max_attempts.unwrap_or(d.max_attempts),
            jitter,
            stable_after_ms: stable_after_ms.map_or(d.stable_after_ms, ms),
            going_away_delay_ms: going_away_delay_ms.map_or(d.going_away_delay_ms, ms),
            overload_delay_ms: overload_delay_ms.map_or(d.overload_delay_ms, ms),
            max_retry_after_ms: max_retry_after_ms.map_or(d.max_retry_after_ms, ms),
            registry: registry.core(),
        };
        Ok(Reconnect {
            inner: CoreReconnect::new(config),
        })
    }
    /// The connection opened at `now`.
    #[wasm_bindgen(js_name = onConnected)]
    pub fn on_connected(&mut self, now: f64) {
        self.inner.on_connected(ms(now))
    }
    /// The connection (or attempt) ended at `now`. `kind`: `"close"` (value = close
    /// code), `"http"` (value = status of the refused upgrade, with `retry_after_s`) or
    /// `"transport"` (value: 0 refused, 1 dns, 2 tls, 3 timeout, 4 reset).
    #[wasm_bindgen(js_name = onDisconnect)]
    pub fn on_disconnect(
        &mut self,
        now: f64,
        kind: &str,
        value: u16,
        retry_after_s: Option<u32>,
        random: u32,
    ) -> Result<Decision, Fault> {
        let disconnect = match (kind, value) {
            ("close", code) => Disconnect::Close(code),
            ("http", status) => Disconnect::HttpStatus {
                status,
                retry_after_s,
            },
            ("transport", n) => Disconnect::Transport(
                [
                    TransportFailure::Refused,
                    TransportFailure::Dns,
                    TransportFailure::Tls,
                    TransportFailure::Timeout,
                    TransportFailure::Reset,
                ]
                .get(usize::from(n))
                .copied()
                .ok_or_else(|| unknown("transport_unknown", "transport failure"))?,
            ),
            _ => return Err(unknown("disconnect_unknown", "disconnect kind")),
        };
        let d = self.inner.on_disconnect(disconnect, ms(now), random);
        let mut out = Decision {
            decision: String::new(),
            stop_reason: None,
            at_ms: None,
            attempt: None,
            delay_ms: None,
            code: d.code().into(),
            reason: d.reason().into(),
            remedy: d.remedy().into(),
        };
        match d {
            CoreDecision::Stop { reason, .. } => {
                out.decision = "stop".into();
                out.stop_reason = Some(
                    match reason {
                        StopReason::Normal => "normal",
                        StopReason::NotRetryable => "not_retryable",
                        StopReason::AttemptsExhausted => "attempts_exhausted",
                    }
                    .into(),
                );
            }
            CoreDecision::WaitForReauth { .. } => out.decision = "wait_for_reauth".into(),
            CoreDecision::RetryAt {
                at_ms,
                attempt,
                delay_ms,
                ..
            } => {
                out.decision = "retry_at".into();
                out.at_ms = Some(at_ms as f64);
                out.attempt = Some(attempt);
                out.delay_ms = Some(delay_ms as f64);
            }
        }
        Ok(out)
    }
    /// Forget past failures (after re-authentication or a user's "retry").
    pub fn reset(&mut self) {
        self.inner.reset()
    }
    /// Failed attempts in a row.
    #[wasm_bindgen(getter)]
    pub fn attempts(&self) -> u32 {
        self.inner.attempts()
    }
}
