//! Heartbeat configuration and its checked constructor.

use super::Role;

/// Heartbeat timing, checked: `interval_ms > 0`, `dead_timeout_ms > interval_ms`,
/// `max_missed ≥ 1`.
///
/// ```
/// use wsguard_core::heartbeat::{HeartbeatConfig, HeartbeatConfigError};
/// let cfg = HeartbeatConfig::new(20_000, 30_000, 2).unwrap();
/// assert_eq!(cfg.interval_ms(), 20_000);
/// assert_eq!(HeartbeatConfig::new(20_000, 20_000, 2),
///            Err(HeartbeatConfigError::TimeoutNotAboveInterval { interval_ms: 20_000, dead_timeout_ms: 20_000 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeartbeatConfig {
    interval_ms: u64,
    dead_timeout_ms: u64,
    max_missed: u32,
}

/// Why a heartbeat configuration is refused.
///
/// ```
/// use wsguard_core::{Diagnostic, heartbeat::HeartbeatConfig};
/// assert_eq!(HeartbeatConfig::new(0, 10, 1).unwrap_err().code(), "heartbeat_zero_interval");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HeartbeatConfigError {
    /// `interval_ms` is 0.
    ZeroInterval,
    /// `dead_timeout_ms` ≤ `interval_ms`: the peer would be declared dead before a ping
    /// could be answered.
    TimeoutNotAboveInterval {
        /// The configured interval.
        interval_ms: u64,
        /// The configured dead-peer timeout.
        dead_timeout_ms: u64,
    },
    /// `max_missed` is 0.
    ZeroMaxMissed,
}

crate::diag::diagnostics! {
    HeartbeatConfigError in "wsguard_core::heartbeat" display {
    }
    ZeroInterval => {
        code: "heartbeat_zero_interval",
        reason: "the ping interval is 0 ms, which would ping continuously",
        remedy: "set the interval below the shortest idle timeout on the path, e.g. 20 000 ms for 60 s proxy timeouts",
    },
    TimeoutNotAboveInterval { .. } => {
        example: Self::TimeoutNotAboveInterval { interval_ms: 10, dead_timeout_ms: 10 },
        code: "heartbeat_timeout_not_above_interval",
        reason: "the dead-peer timeout is not longer than the ping interval, so an idle but healthy peer would be declared dead before its pong can arrive",
        remedy: "set dead_timeout_ms to the interval plus the worst round-trip time you accept, e.g. interval 20 000 ms and timeout 30 000 ms",
    },
    ZeroMaxMissed => {
        code: "heartbeat_zero_max_missed",
        reason: "max_missed is 0, so the peer would be declared dead at the first ping",
        remedy: "set max_missed to 1 or more (2 tolerates one lost pong)",
    },
}

impl HeartbeatConfig {
    /// Ping after 20 s of silence, dead after 30 s of silence or 2 unanswered pings:
    /// fits under the common 60 s proxy idle timeouts (nginx, AWS ALB).
    pub const DEFAULT: HeartbeatConfig = HeartbeatConfig {
        interval_ms: 20_000,
        dead_timeout_ms: 30_000,
        max_missed: 2,
    };

    /// Checked constructor.
    ///
    /// * `interval_ms` — ping after this much inbound silence, then again every interval;
    /// * `dead_timeout_ms` — inbound silence after which the peer is dead; must exceed
    ///   `interval_ms` by at least the round-trip time you expect;
    /// * `max_missed` — the peer is also dead when this many pings in a row went
    ///   unanswered and the next one is due.
    ///
    /// ```
    /// use wsguard_core::heartbeat::HeartbeatConfig;
    /// assert!(HeartbeatConfig::new(5_000, 8_000, 1).is_ok());
    /// assert!(HeartbeatConfig::new(5_000, 8_000, 0).is_err());
    /// ```
    pub const fn new(
        interval_ms: u64,
        dead_timeout_ms: u64,
        max_missed: u32,
    ) -> Result<Self, HeartbeatConfigError> {
        if interval_ms == 0 {
            return Err(HeartbeatConfigError::ZeroInterval);
        }
        if dead_timeout_ms <= interval_ms {
            return Err(HeartbeatConfigError::TimeoutNotAboveInterval {
                interval_ms,
                dead_timeout_ms,
            });
        }
        if max_missed == 0 {
            return Err(HeartbeatConfigError::ZeroMaxMissed);
        }
        Ok(HeartbeatConfig {
            interval_ms,
            dead_timeout_ms,
            max_missed,
        })
    }

    /// Derives the schedule of one side from a configuration shared by both sides, so
    /// client and server never ping at the same time:
    ///
    /// * the **server** uses the shared values as they are: it pings after `I` of silence;
    /// * the **client** waits `I + I/2` before pinging and `T + I/2` before declaring the
    ///   server dead. While the server's pings arrive (every `I`), they reset the client's
    ///   timer and the client never pings; if the server does not ping (e.g. a server
    ///   without heartbeat), the client's pings keep the path alive.
    ///
    /// Browsers cannot send pings; for a browser client only the server side applies.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{HeartbeatConfig, Role};
    /// let shared = HeartbeatConfig::new(20_000, 30_000, 2).unwrap();
    /// let server = shared.for_role(Role::Server);
    /// let client = shared.for_role(Role::Client);
    /// assert_eq!((server.interval_ms(), server.dead_timeout_ms()), (20_000, 30_000));
    /// assert_eq!((client.interval_ms(), client.dead_timeout_ms()), (30_000, 40_000));
    /// ```
    pub const fn for_role(self, role: Role) -> Self {
        match role {
            Role::Server => self,
            Role::Client => {
                let offset = self.interval_ms / 2;
                HeartbeatConfig {
                    interval_ms: self.interval_ms.saturating_add(offset),
                    dead_timeout_ms: self.dead_timeout_ms.saturating_add(offset),
                    max_missed: self.max_missed,
                }
            }
        }
    }

    /// Idle time before a ping, in ms.
    pub const fn interval_ms(&self) -> u64 {
        self.interval_ms
    }
    /// Silence after which the peer is dead, in ms.
    pub const fn dead_timeout_ms(&self) -> u64 {
        self.dead_timeout_ms
    }
    /// Unanswered pings in a row after which the peer is dead.
    pub const fn max_missed(&self) -> u32 {
        self.max_missed
    }
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        HeartbeatConfig::DEFAULT
    }
}
