//! Reconnect policy: whether and when a client reconnects after a disconnect.
//!
//! A deterministic state machine: the caller passes the [`Disconnect`] (close code, HTTP
//! status of a refused upgrade, or transport failure), the monotonic time in ms and one
//! random `u32`; [`Reconnect::on_disconnect`] answers with a [`Decision`]. No clock, no RNG,
//! no floats.
//!
//! The decision follows the close classification ([`crate::close::Retry`], including the
//! application's [`CloseRegistry`]):
//!
//! | disconnect | decision |
//! |---|---|
//! | 1000 normal | stop |
//! | 1002, 1003, 1007, 1009, 1010, HTTP 400/404/426 … | stop: a bug or a configuration error, not transient |
//! | 1008, 4401/4403 (with [`close::CONVENTIONS`]), HTTP 401/403/407 | wait for re-authentication |
//! | 1001 going away | retry soon (short random delay) |
//! | 1006, 1011, 1012, 1014, HTTP 500/502/503/504, refused, DNS, TLS, timeout, reset | retry with backoff |
//! | 1013, HTTP 429 | retry after at least `overload_delay_ms` (and `Retry-After`) |
//!
//! Backoff: attempt `n` (1, 2, …) has the ceiling `min(cap, base · 2ⁿ⁻¹)`; the jitter
//! ([`Jitter`]) spreads the delay below it using the caller's random number.
//!
//! ```
//! use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, ReconnectConfig};
//! let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
//! // The server restarted: retry with backoff. random = u32::MAX/2 → middle of the window.
//! let d = rc.on_disconnect(Disconnect::Close(1012), 10_000, u32::MAX / 2);
//! assert!(matches!(d, Decision::RetryAt { attempt: 1, .. }));
//! // The user logged out on another tab: 1000 → stop.
//! assert!(matches!(rc.on_disconnect(Disconnect::Close(1000), 20_000, 0), Decision::Stop { .. }));
//! ```

mod decision;

pub use decision::{Cause, Decision, StopReason};

use crate::close::{self, CloseRegistry, Retry};

/// How the caller's random number spreads the delay under the backoff ceiling `c`.
///
/// ```
/// use wsguard_core::reconnect::Jitter;
/// assert_eq!(Jitter::Full.apply(1_000, 0), 0);
/// assert_eq!(Jitter::Equal.apply(1_000, 0), 500);
/// assert_eq!(Jitter::Equal.apply(1_000, u32::MAX), 999);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Jitter {
    /// "Full jitter": `delay = c · r / 2³²`, uniform in `[0, c)`. Spreads a thundering herd
    /// best; a single client may retry immediately.
    Full,
    /// "Equal jitter": `delay = c/2 + (c - c/2) · r / 2³²`, uniform in `[c/2, c)`. Never
    /// retries faster than half the ceiling.
    Equal,
}

impl Jitter {
    /// The delay for ceiling `ceiling_ms` and random number `random`.
    ///
    /// ```
    /// use wsguard_core::reconnect::Jitter;
    /// assert_eq!(Jitter::Full.apply(1_000, 0), 0);
    /// assert_eq!(Jitter::Equal.apply(1_000, 0), 500);
    /// assert_eq!(Jitter::Equal.apply(1_000, u32::MAX), 999);
    /// ```
    pub const fn apply(self, ceiling_ms: u64, random: u32) -> u64 {
        const fn scale(span: u64, random: u32) -> u64 {
            ((span as u128 * random as u128) >> 32) as u64
        }
        match self {
            Jitter::Full => scale(ceiling_ms, random),
            Jitter::Equal => {
                let half = ceiling_ms / 2;
                half + scale(ceiling_ms - half, random)
            }
        }
    }
}

/// Reconnect configuration. Plain public fields; start from [`ReconnectConfig::DEFAULT`].
///
/// ```
/// use wsguard_core::reconnect::{Jitter, ReconnectConfig};
/// let cfg = ReconnectConfig { base_ms: 500, cap_ms: 60_000, jitter: Jitter::Full, ..ReconnectConfig::DEFAULT };
/// assert_eq!(cfg.ceiling_ms(1), 500);
/// assert_eq!(cfg.ceiling_ms(4), 4_000);
/// assert_eq!(cfg.ceiling_ms(40), 60_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReconnectConfig<'a> {
    /// Backoff ceiling of the first attempt, in ms.
    pub base_ms: u64,
    /// Largest backoff ceiling, in ms.
    pub cap_ms: u64,
    /// Give up (stop) after this many failed attempts in a row; 0 = never give up.
    pub max_attempts: u32,
    /// How the random number spreads the delay.
    pub jitter: Jitter,
    /// A connection must stay up this long before its success resets the attempt counter
    /// (so connect-then-drop loops keep backing off).
    pub stable_after_ms: u64,
    /// Delay window for [`Retry::Soon`] (1001 going away): equal jitter over it.
    pub going_away_delay_ms: u64,
    /// Minimum delay for [`Retry::AfterDelay`] (1013 try again later, HTTP 429).
    pub overload_delay_ms: u64,
    /// Upper bound on a server's `Retry-After`, in ms (protects against absurd values).
    pub max_retry_after_ms: u64,
    /// Application close codes consulted before the built-in classification.
    pub registry: CloseRegistry<'a>,
}

impl ReconnectConfig<'static> {
    /// base 1 s, cap 30 s, unlimited attempts, equal jitter, stable after 10 s, going-away
    /// window 2 s, overload minimum 10 s, `Retry-After` up to 10 min, registry
    /// [`close::CONVENTIONS`] (4401/4403 → re-authenticate, 4429 → delay …).
    pub const DEFAULT: ReconnectConfig<'static> = ReconnectConfig {
        base_ms: 1_000,
        cap_ms: 30_000,
        max_attempts: 0,
        jitter: Jitter::Equal,
        stable_after_ms: 10_000,
        going_away_delay_ms: 2_000,
        overload_delay_ms: 10_000,
        max_retry_after_ms: 600_000,
        registry: close::CONVENTIONS,
    };
}

impl Default for ReconnectConfig<'static> {
    fn default() -> Self {
        ReconnectConfig::DEFAULT
    }
}

impl ReconnectConfig<'_> {
    /// A `Retry-After` of `s` seconds in milliseconds, capped at `max_retry_after_ms`.
    const fn retry_after_ms(&self, s: u32) -> u64 {
        let ms = (s as u64).saturating_mul(1_000);
        if ms < self.max_retry_after_ms {
            ms
        } else {
            self.max_retry_after_ms
        }
    }

    /// Backoff ceiling of attempt `attempt` (1-based): `min(cap, base · 2^(attempt-1))`.
    pub const fn ceiling_ms(&self, attempt: u32) -> u64 {
        let shift = if attempt == 0 { 0 } else { attempt - 1 };
        let c = if shift >= 63 {
            u64::MAX
        } else {
            match self.base_ms.checked_mul(1u64 << shift) {
                Some(v) => v,
                None => u64::MAX,
            }
        };
        if c < self.cap_ms {
            c
        } else {
            self.cap_ms
        }
    }
}

/// A transport-level failure: no HTTP response and no Close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransportFailure {
    /// TCP connection refused (nothing listens on the port, server down).
    Refused,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed.
    Tls,
    /// Connecting or the handshake timed out.
    Timeout,
    /// The connection was reset or dropped.
    Reset,
}

/// How the previous connection (or connection attempt) ended.
///
/// ```
/// use wsguard_core::reconnect::{Disconnect, TransportFailure};
/// let _ = Disconnect::Close(1006);
/// let _ = Disconnect::HttpStatus { status: 429, retry_after_s: Some(30) };
/// let _ = Disconnect::Transport(TransportFailure::Refused);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Disconnect {
    /// A close code: from the peer's Close frame, or reported locally (1005, 1006, 1015).
    Close(u16),
    /// The server answered the upgrade with this HTTP status instead of 101.
    HttpStatus {
        /// The status.
        status: u16,
        /// The `Retry-After` header in seconds, when the response had one.
        retry_after_s: Option<u32>,
    },
    /// No HTTP response and no Close frame.
    Transport(TransportFailure),
}

impl Disconnect {
    /// The disconnect a refused upgrade stands for: its HTTP status and `Retry-After`,
    /// straight from the client handshake's [`Diagnosis`](crate::handshake::Diagnosis).
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest};
    /// use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, ReconnectConfig};
    /// let req = ClientRequest::new("a.example", "/ws", [0; 16]);
    /// let resp = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n";
    /// let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else { panic!() };
    /// let why = Disconnect::from_diagnosis(&d);
    /// assert_eq!(why, Disconnect::HttpStatus { status: 429, retry_after_s: Some(30) });
    /// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    /// assert!(matches!(rc.on_disconnect(why, 0, 0), Decision::RetryAt { at_ms: 30_000, .. }));
    /// ```
    pub fn from_diagnosis(diagnosis: &crate::handshake::Diagnosis<'_>) -> Self {
        Disconnect::HttpStatus {
            status: diagnosis.status,
            retry_after_s: diagnosis.retry_after,
        }
    }
}

/// The reconnect state of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reconnect<'a> {
    config: ReconnectConfig<'a>,
    attempts: u32,
    connected_at: Option<u64>,
}

impl<'a> Reconnect<'a> {
    /// A fresh policy (attempt counter 0).
    ///
    /// ```
    /// use wsguard_core::reconnect::{Reconnect, ReconnectConfig};
    /// assert_eq!(Reconnect::new(ReconnectConfig::DEFAULT).attempts(), 0);
    /// ```
    pub const fn new(config: ReconnectConfig<'a>) -> Self {
        Reconnect {
            config,
            attempts: 0,
            connected_at: None,
        }
    }

    /// The configuration.
    pub const fn config(&self) -> &ReconnectConfig<'a> {
        &self.config
    }

    /// Failed attempts in a row so far.
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The handshake succeeded at `now`. The attempt counter is reset only if the
    /// connection is still up `stable_after_ms` later (checked at the next disconnect or
    /// by [`Reconnect::is_stable`]).
    ///
    /// ```
    /// use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, ReconnectConfig};
    /// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    /// rc.on_disconnect(Disconnect::Close(1006), 0, 0);
    /// rc.on_connected(1_000);
    /// // dropped after 2 s: not stable, the counter keeps growing
    /// assert!(matches!(rc.on_disconnect(Disconnect::Close(1006), 3_000, 0), Decision::RetryAt { attempt: 2, .. }));
    /// rc.on_connected(5_000);
    /// // dropped after 60 s: stable, counting restarts
    /// assert!(matches!(rc.on_disconnect(Disconnect::Close(1006), 65_000, 0), Decision::RetryAt { attempt: 1, .. }));
    /// ```
    pub fn on_connected(&mut self, now_ms: u64) {
        self.connected_at = Some(now_ms);
    }

    /// `true` when connected for at least `stable_after_ms`; also resets the counter then.
    ///
    /// ```
    /// use wsguard_core::reconnect::{Reconnect, ReconnectConfig};
    /// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT); // stable after 10 s
    /// rc.on_connected(0);
    /// assert!(!rc.is_stable(5_000));
    /// assert!(rc.is_stable(10_000));
    /// ```
    pub fn is_stable(&mut self, now_ms: u64) -> bool {
        match self.connected_at {
            Some(at) if now_ms.saturating_sub(at) >= self.config.stable_after_ms => {
                self.attempts = 0;
                true
            }
            _ => false,
        }
    }

    /// Forget all failures (e.g. after the user re-authenticated or pressed "retry").
    ///
    /// ```
    /// use wsguard_core::reconnect::{Disconnect, Reconnect, ReconnectConfig};
    /// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    /// let _ = rc.on_disconnect(Disconnect::Close(1006), 0, 0);
    /// assert_eq!(rc.attempts(), 1);
    /// rc.reset();
    /// assert_eq!(rc.attempts(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.attempts = 0;
        self.connected_at = None;
    }

    /// Decides what to do after `disconnect` at `now_ms`, using one caller-supplied random
    /// number for the jitter.
    ///
    /// ```
    /// use wsguard_core::reconnect::{Decision, Disconnect, Reconnect, ReconnectConfig};
    /// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    /// let d = rc.on_disconnect(Disconnect::HttpStatus { status: 429, retry_after_s: Some(45) }, 1_000, 0);
    /// assert_eq!(d, Decision::RetryAt { at_ms: 46_000, attempt: 1, delay_ms: 45_000,
    ///     cause: wsguard_core::reconnect::Cause::HttpStatus { status: 429, retry_after_s: Some(45) } });
    /// let d = rc.on_disconnect(Disconnect::HttpStatus { status: 401, retry_after_s: None }, 2_000, 0);
    /// assert!(matches!(d, Decision::WaitForReauth { .. }));
    /// ```
    pub fn on_disconnect(&mut self, disconnect: Disconnect, now_ms: u64, random: u32) -> Decision {
        // A disconnect ends the connection; a stable one resets the counter first.
        self.is_stable(now_ms);
        self.connected_at = None;

        let (cause, retry) = decision::classify(&self.config.registry, disconnect);
        match retry {
            Retry::Never => {
                let reason = match disconnect {
                    Disconnect::Close(1000) => StopReason::Normal,
                    _ => StopReason::NotRetryable,
                };
                Decision::Stop { reason, cause }
            }
            Retry::AfterReauth => Decision::WaitForReauth { cause },
            Retry::Soon | Retry::WithBackoff | Retry::AfterDelay => {
                let attempt = self.attempts.saturating_add(1);
                if self.config.max_attempts != 0 && attempt > self.config.max_attempts {
                    return Decision::Stop {
                        reason: StopReason::AttemptsExhausted,
                        cause,
                    };
                }
                self.attempts = attempt;
                let backoff = self
                    .config
                    .jitter
                    .apply(self.config.ceiling_ms(attempt), random);
                // Retry-After (a 429 or 503 that says when) is honoured, up to its cap.
                let retry_after = match disconnect {
                    Disconnect::HttpStatus {
                        retry_after_s: Some(s),
                        ..
                    } => self.config.retry_after_ms(s),
                    _ => 0,
                };
                let delay_ms = match retry {
                    Retry::Soon if attempt == 1 => {
                        Jitter::Equal.apply(self.config.going_away_delay_ms, random)
                    }
                    Retry::AfterDelay => {
                        backoff.max(retry_after).max(self.config.overload_delay_ms)
                    }
                    _ => backoff.max(retry_after),
                };
                Decision::RetryAt {
                    at_ms: now_ms.saturating_add(delay_ms),
                    attempt,
                    delay_ms,
                    cause,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
