//! The decision value and the texts that explain it.

use super::{Disconnect, TransportFailure};
use crate::close::{CloseInfo, CloseRegistry, Retry};

/// What the reconnect policy decided. Implements [`Diagnostic`](crate::Diagnostic): the
/// code names the decision, the reason and remedy explain the disconnect.
///
/// ```
/// use wsguard_core::{Diagnostic, reconnect::{Disconnect, Reconnect, ReconnectConfig}};
/// let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
/// let d = rc.on_disconnect(Disconnect::Close(1009), 0, 0);
/// assert_eq!(d.code(), "reconnect_stop_not_retryable");
/// assert!(d.reason().contains("size limit"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decision {
    /// Do not reconnect.
    Stop {
        /// Why.
        reason: StopReason,
        /// The disconnect, classified.
        cause: Cause,
    },
    /// Do not reconnect until new credentials are available (then call
    /// [`Reconnect::reset`](super::Reconnect::reset) and connect).
    WaitForReauth {
        /// The disconnect, classified.
        cause: Cause,
    },
    /// Reconnect at `at_ms`.
    RetryAt {
        /// Monotonic time of the next attempt.
        at_ms: u64,
        /// Number of that attempt in the current run of failures (1, 2, …).
        attempt: u32,
        /// `at_ms - now`.
        delay_ms: u64,
        /// The disconnect, classified.
        cause: Cause,
    },
}

impl Decision {
    /// The classified disconnect behind the decision.
    pub const fn cause(&self) -> &Cause {
        match self {
            Decision::Stop { cause, .. }
            | Decision::WaitForReauth { cause }
            | Decision::RetryAt { cause, .. } => cause,
        }
    }
}

/// Why reconnecting stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StopReason {
    /// The peer ended the session on purpose (1000).
    Normal,
    /// Retrying would fail the same way: a bug or a configuration error.
    NotRetryable,
    /// `max_attempts` failures in a row.
    AttemptsExhausted,
}

/// The disconnect with the knowledge attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Cause {
    /// A close code, classified (with the application registry).
    Close(CloseInfo),
    /// A refused upgrade.
    HttpStatus {
        /// The status.
        status: u16,
        /// `Retry-After` in seconds.
        retry_after_s: Option<u32>,
    },
    /// A transport failure.
    Transport(TransportFailure),
}

pub(super) fn classify(registry: &CloseRegistry<'_>, d: Disconnect) -> (Cause, Retry) {
    match d {
        Disconnect::Close(code) => {
            let info = registry.classify(code);
            (Cause::Close(info), info.retry())
        }
        Disconnect::HttpStatus {
            status,
            retry_after_s,
        } => (
            Cause::HttpStatus {
                status,
                retry_after_s,
            },
            http_text(status).retry,
        ),
        Disconnect::Transport(t) => (Cause::Transport(t), Retry::WithBackoff),
    }
}

struct Text {
    retry: Retry,
    reason: &'static str,
    remedy: &'static str,
}

const fn http_text(status: u16) -> Text {
    let (retry, reason, remedy) = match status {
        401 => (Retry::AfterReauth,
            "the server refused the upgrade with 401: the credentials are missing, expired or invalid",
            "obtain a fresh token and send it where the server reads it (Authorization, Sec-WebSocket-Protocol or ?token=), then reconnect"),
        403 => (Retry::AfterReauth,
            "the server refused the upgrade with 403: the Origin is not allowed or the user has no access",
            "add the page origin (scheme://host[:port], no path) to the server's WebSocket allowed origins, or sign in with an account that has access"),
        407 => (Retry::AfterReauth,
            "a proxy refused the upgrade with 407: proxy authentication is required",
            "configure the proxy credentials, then reconnect"),
        429 => (Retry::AfterDelay,
            "the server refused the upgrade with 429: too many connection attempts",
            "wait for Retry-After (or the overload delay) before reconnecting, and check the client for a reconnect loop"),
        408 | 500 | 502 | 503 | 504 => (Retry::WithBackoff,
            "the server or a gateway answered the upgrade with a temporary error (408, 500, 502, 503 or 504): the WebSocket backend is down, restarting or overloaded",
            "reconnect with backoff; check that the backend behind the proxy is running and reachable"),
        200..=299 => (Retry::Never,
            "the server answered the upgrade with a 2xx status instead of 101: the URL points to a plain HTTP handler, or a proxy dropped the Upgrade header",
            "use the WebSocket endpoint's path, and make the proxy forward Upgrade and Connection (run `wsguard probe <url>`)"),
        300..=399 => (Retry::Never,
            "the server answered the upgrade with a redirect; WebSocket clients do not follow redirects",
            "use the final URL directly (often http→https: use wss://, or add/remove a trailing slash)"),
        400 | 404 | 405 | 426 => (Retry::Never,
            "the server rejected the upgrade request itself (400 bad request, 404 wrong path, 405 wrong method or 426 wrong version); retrying sends the same request",
            "check the URL path and the handshake headers with `wsguard probe <url>`; behind a proxy, pass Upgrade and Connection"),
        410..=499 => (Retry::Never,
            "the server rejected the upgrade with a client error; retrying sends the same request",
            "read the response body or the server log for the rule that was hit, and fix the request"),
        501 | 505 => (Retry::Never,
            "the server does not support WebSocket upgrades on this endpoint (501 or 505)",
            "point the client to a WebSocket-capable endpoint, or enable WebSocket support on the server"),
        506..=599 => (Retry::WithBackoff,
            "the server answered the upgrade with a server error",
            "reconnect with backoff; check the server log"),
        _ => (Retry::Never,
            "the server answered the upgrade with an unexpected status",
            "run `wsguard probe <url>` to see the full response"),
    };
    Text {
        retry,
        reason,
        remedy,
    }
}

const fn transport_text(t: TransportFailure) -> (&'static str, &'static str) {
    match t {
        TransportFailure::Refused => ("the TCP connection was refused: nothing listens on that host and port, or the server is down",
            "check the port in the URL and that the server runs; the client retries with backoff"),
        TransportFailure::Dns => ("the host name in the URL did not resolve",
            "check the host name for typos and the device's DNS settings; the client retries with backoff"),
        TransportFailure::Tls => ("the TLS handshake failed (certificate expired, wrong host name, untrusted CA, wrong clock, or wss:// on a plain port)",
            "open the https:// URL of the same host to see the certificate error, fix the certificate or the clock; the client retries with backoff"),
        TransportFailure::Timeout => ("connecting or the handshake timed out: the host is unreachable or overloaded, or a firewall drops the packets",
            "check the network path and firewall; the client retries with backoff"),
        TransportFailure::Reset => ("the connection was reset or dropped without a Close frame (network change, proxy idle timeout, server crash)",
            "send heartbeats more often than the proxies' idle timeout; the client retries with backoff"),
    }
}

impl core::fmt::Display for TransportFailure {
    /// What the failure means, as [`Decision::reason`](crate::Diagnostic::reason) says it.
    ///
    /// ```
    /// use wsguard_core::reconnect::TransportFailure;
    /// assert_eq!(TransportFailure::Dns.to_string(), "the host name in the URL did not resolve");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(transport_text(*self).0)
    }
}

impl Cause {
    /// One sentence explaining the disconnect.
    pub fn reason(&self) -> &'static str {
        match self {
            Cause::Close(info) => info.description(),
            Cause::HttpStatus { status, .. } => http_text(*status).reason,
            Cause::Transport(t) => transport_text(*t).0,
        }
    }
    /// What to change so that it works.
    pub fn remedy(&self) -> &'static str {
        match self {
            Cause::Close(info) => info.remedy(),
            Cause::HttpStatus { status, .. } => http_text(*status).remedy,
            Cause::Transport(t) => transport_text(*t).1,
        }
    }
}

// One row per code: `Stop` has a row per `StopReason`. The reason (and, but for
// `AttemptsExhausted`, the remedy) is the classified disconnect's, so the rows bind the
// `cause`; `ALL` lists each row once with an example disconnect (a reset connection).
crate::diag::diagnostics! {
    Decision in "wsguard_core::reconnect" {
    }
    Stop { reason: StopReason::Normal, cause } => {
        example: Self::Stop { reason: StopReason::Normal, cause: EXAMPLE_CAUSE },
        code: "reconnect_stop_normal",
        reason: cause.reason(),
        remedy: cause.remedy(),
    },
    Stop { reason: StopReason::NotRetryable, cause } => {
        example: Self::Stop { reason: StopReason::NotRetryable, cause: EXAMPLE_CAUSE },
        code: "reconnect_stop_not_retryable",
        reason: cause.reason(),
        remedy: cause.remedy(),
    },
    Stop { reason: StopReason::AttemptsExhausted, cause } => {
        example: Self::Stop { reason: StopReason::AttemptsExhausted, cause: EXAMPLE_CAUSE },
        code: "reconnect_stop_attempts_exhausted",
        reason: cause.reason(),
        remedy: "the failures persisted through every retry: fix the cause above, then call reset() and connect again",
    },
    WaitForReauth { cause } => {
        example: Self::WaitForReauth { cause: EXAMPLE_CAUSE },
        code: "reconnect_wait_for_reauth",
        reason: cause.reason(),
        remedy: cause.remedy(),
    },
    RetryAt { cause, .. } => {
        example: Self::RetryAt { at_ms: 0, attempt: 1, delay_ms: 0, cause: EXAMPLE_CAUSE },
        code: "reconnect_retry",
        reason: cause.reason(),
        remedy: cause.remedy(),
    },
}

/// The disconnect each value of [`Decision::ALL`] carries.
const EXAMPLE_CAUSE: Cause = Cause::Transport(TransportFailure::Reset);
