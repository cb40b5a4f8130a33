//! # Error mapping: tungstenite and I/O errors → the core's close classification
//!
//! A socket library reports "connection refused", "failed to lookup address", a rustls
//! alert or `Protocol(ResetWithoutClosingHandshake)`. This module turns each into a
//! [`Failure`]: a kind, a stable code, a sentence, a remedy, and the close code the
//! situation corresponds to (1006 for transport failures, 1015 for TLS, 1002 for protocol
//! violations, the received code for a Close frame). The close meaning, category and
//! retry advice come from the core (`wsguard_core::close::CONVENTIONS.classify`), so a
//! client decides whether to reconnect with the same rule in every language.
//!
//! ```
//! use std::io;
//! let f = wsguard::errors::classify_io_error(&io::Error::from(io::ErrorKind::ConnectionRefused));
//! assert_eq!(f.kind, wsguard::FailureKind::Refused);
//! assert_eq!(f.close_code, Some(1006));
//! assert_eq!(f.retry(), "with_backoff");
//! ```

use serde::Serialize;
use std::io;
use wsguard_core::close::{CloseInfo, CONVENTIONS};
use wsguard_core::reconnect::{Disconnect, TransportFailure};

/// What kind of failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FailureKind {
    /// TCP connect refused: nothing listens on that address and port.
    Refused,
    /// The host name did not resolve.
    Dns,
    /// TLS handshake or certificate failure.
    Tls,
    /// A step did not finish in time.
    Timeout,
    /// The peer reset or dropped the connection without a closing handshake.
    Reset,
    /// The peer broke the WebSocket protocol.
    Protocol,
    /// The server answered the upgrade with this HTTP status instead of 101.
    HttpStatus(u16),
    /// The peer closed with this code (0: close frame without a code).
    Closed(u16),
    /// Another I/O error.
    Io,
    /// Anything else (URL errors, local misuse).
    Other,
}

/// A classified failure: what happened, why and what to do, plus the core's close
/// classification of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Kind.
    #[serde(flatten)]
    pub kind: FailureKind,
    /// Stable machine code (`connection_refused`, `dns_failure`, `tls_failure`, `timeout`,
    /// `connection_reset`, `protocol_error`, `http_status`, `closed`, `io_error`, `other`,
    /// or the core's diagnosis code when one is available).
    pub code: &'static str,
    /// One sentence: what happened.
    pub reason: String,
    /// What to check or change.
    pub remedy: String,
    /// The underlying error's text.
    pub detail: String,
    /// The close code this failure corresponds to (as a browser would report it).
    pub close_code: Option<u16>,
}

impl Failure {
    fn new(
        kind: FailureKind,
        code: &'static str,
        reason: &str,
        remedy: &str,
        detail: String,
        close_code: Option<u16>,
    ) -> Self {
        Failure {
            kind,
            code,
            reason: reason.into(),
            remedy: remedy.into(),
            detail,
            close_code,
        }
    }

    /// The core's classification of [`Failure::close_code`] (1006 when there is none),
    /// including the conventional application codes 4400/4401/4403….
    ///
    /// ```
    /// let f = wsguard::errors::classify_close(4401, "");
    /// assert_eq!(f.close_info().name(), Some("unauthorized"));
    /// ```
    pub fn close_info(&self) -> CloseInfo {
        CONVENTIONS.classify(self.close_code.unwrap_or(1006))
    }

    /// The core's retry advice for this failure (`never`, `after_reauth`, `soon`,
    /// `with_backoff`, `after_delay`). DNS and TLS failures are not retried blindly.
    ///
    /// ```
    /// assert_eq!(wsguard::errors::classify_close(1000, "").retry(), "never");
    /// ```
    pub fn retry(&self) -> &'static str {
        self.close_info().retry().code()
    }

    /// The core's reconnect input for this failure (`wsguard_core::reconnect::Disconnect`),
    /// so a client's backoff decision uses the same rule in every language.
    ///
    /// ```
    /// use wsguard_core::reconnect::{Disconnect, TransportFailure};
    /// let f = wsguard::errors::classify_io_error(&std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
    /// assert_eq!(f.disconnect(), Disconnect::Transport(TransportFailure::Refused));
    /// assert_eq!(wsguard::errors::classify_close(4401, "").disconnect(), Disconnect::Close(4401));
    /// ```
    pub fn disconnect(&self) -> Disconnect {
        match self.kind {
            FailureKind::Refused => Disconnect::Transport(TransportFailure::Refused),
            FailureKind::Dns => Disconnect::Transport(TransportFailure::Dns),
            FailureKind::Tls => Disconnect::Transport(TransportFailure::Tls),
            FailureKind::Timeout => Disconnect::Transport(TransportFailure::Timeout),
            FailureKind::Reset | FailureKind::Io => Disconnect::Transport(TransportFailure::Reset),
            FailureKind::HttpStatus(status) => Disconnect::HttpStatus {
                status,
                retry_after_s: None,
            },
            FailureKind::Closed(code) => Disconnect::Close(code),
            FailureKind::Protocol | FailureKind::Other => {
                Disconnect::Close(self.close_code.unwrap_or(1006))
            }
        }
    }

    /// The core's close category code (`transport_failure`, `policy_auth`, …).
    ///
    /// ```
    /// assert_eq!(wsguard::errors::classify_close(1008, "").category(), "policy_auth");
    /// ```
    pub fn category(&self) -> &'static str {
        self.close_info().category().code()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.reason, self.code)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        if !self.remedy.is_empty() {
            write!(f, " — {}", self.remedy)?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// Does this I/O error come from name resolution? std reports DNS failures as
/// `ErrorKind::Other`/`Uncategorized` with the resolver's message.
fn is_dns(e: &io::Error) -> bool {
    let msg = e.to_string().to_ascii_lowercase();
    msg.contains("failed to lookup address")
        || msg.contains("name or service not known")
        || msg.contains("nodename nor servname")
        || msg.contains("no such host")
        || msg.contains("temporary failure in name resolution")
        || msg.contains("no address associated")
}

fn tls_inner(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// Classifies a rustls error.
///
/// ```
/// let f = wsguard::errors::classify_tls_error(&rustls::Error::InvalidCertificate(rustls::CertificateError::Expired));
/// assert_eq!(f.code, "tls_certificate_expired");
/// assert_eq!(f.close_code, Some(1015));
/// ```
pub fn classify_tls_error(e: &rustls::Error) -> Failure {
    use rustls::CertificateError as C;
    let detail = e.to_string();
    let (code, reason, remedy) = match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => (
            "tls_unknown_issuer",
            "the server's certificate is not signed by a trusted authority (self-signed or private CA)",
            "use a certificate from a public CA, or pass the CA file to trust (--ca-file)",
        ),
        rustls::Error::InvalidCertificate(C::Expired) | rustls::Error::InvalidCertificate(C::ExpiredContext { .. }) => (
            "tls_certificate_expired",
            "the server's certificate has expired",
            "renew the certificate on the server (or the proxy that terminates TLS)",
        ),
        rustls::Error::InvalidCertificate(C::NotValidForName) | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => (
            "tls_wrong_name",
            "the server's certificate is not valid for this host name",
            "connect with the name the certificate was issued for, or add this name to the certificate",
        ),
        rustls::Error::InvalidCertificate(_) => (
            "tls_bad_certificate",
            "the server's certificate was rejected",
            "check the certificate chain the server sends (intermediates included) and its dates",
        ),
        rustls::Error::InvalidMessage(_) => (
            "tls_not_tls",
            "the server did not answer with TLS — it probably speaks plain HTTP on this port",
            "use ws:// for this port, or the port where TLS is terminated (usually 443)",
        ),
        rustls::Error::AlertReceived(_) => (
            "tls_alert",
            "the server aborted the TLS handshake",
            "check that the server has a certificate for this name (SNI) and supports TLS 1.2 or 1.3",
        ),
        _ => ("tls_failure", "the TLS handshake failed", "check the server's TLS configuration and certificate"),
    };
    Failure::new(FailureKind::Tls, code, reason, remedy, detail, Some(1015))
}

/// Classifies an I/O error (connect, read, write).
///
/// ```
/// use std::io;
/// let f = wsguard::errors::classify_io_error(&io::Error::from(io::ErrorKind::TimedOut));
/// assert_eq!((f.kind, f.code), (wsguard::FailureKind::Timeout, "timeout"));
/// ```
pub fn classify_io_error(e: &io::Error) -> Failure {
    use io::ErrorKind as K;
    if let Some(tls) = tls_inner(e) {
        return classify_tls_error(tls);
    }
    let detail = e.to_string();
    match e.kind() {
        K::ConnectionRefused => Failure::new(
            FailureKind::Refused,
            "connection_refused",
            "connection refused — nothing listens on that address and port",
            "is the backend running, listening on this port (and on this interface, not only 127.0.0.1 inside a container), and is the port published?",
            detail,
            Some(1006),
        ),
        K::TimedOut | K::WouldBlock => Failure::new(
            FailureKind::Timeout,
            "timeout",
            "no answer in time",
            "check that the host is reachable (firewall, security group) and the server is not overloaded; raise the timeout if the link is slow",
            detail,
            Some(1006),
        ),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => Failure::new(
            FailureKind::Reset,
            "connection_reset",
            "the peer dropped the connection without a closing handshake",
            "look at the server's (or the proxy's) log at that time: a crash, a proxy timeout (nginx proxy_read_timeout, default 60 s) or a load balancer idle timeout",
            detail,
            Some(1006),
        ),
        K::AddrNotAvailable | K::NetworkUnreachable | K::HostUnreachable => Failure::new(
            FailureKind::Refused,
            "unreachable",
            "the address cannot be reached from here",
            "check the address, the route and the firewall",
            detail,
            Some(1006),
        ),
        _ if is_dns(e) => Failure::new(
            FailureKind::Dns,
            "dns_failure",
            "the host name does not resolve",
            "check the spelling; inside Docker use the service name, from the host use localhost and the published port",
            detail,
            Some(1006),
        ),
        _ => Failure::new(FailureKind::Io, "io_error", "an I/O error broke the connection", "see the detail", detail, Some(1006)),
    }
}

/// Classifies a received close code with the core (IANA + conventional 4xxx codes).
///
/// ```
/// let f = wsguard::errors::classify_close(4401, "token expired");
/// assert_eq!(f.kind, wsguard::FailureKind::Closed(4401));
/// assert_eq!(f.retry(), "after_reauth");
/// assert_eq!(f.detail, "token expired");
/// ```
pub fn classify_close(code: u16, reason: &str) -> Failure {
    let info = CONVENTIONS.classify(code);
    Failure {
        kind: FailureKind::Closed(code),
        code: info.name().unwrap_or("closed"),
        reason: info.description().to_string(),
        remedy: info.remedy().to_string(),
        detail: reason.to_string(),
        close_code: Some(code),
    }
}

/// Classifies any tungstenite error.
///
/// ```
/// let f = wsguard::errors::classify_ws_error(&tungstenite::Error::ConnectionClosed);
/// assert_eq!(f.close_code, Some(1000));
/// ```
pub fn classify_ws_error(e: &tungstenite::Error) -> Failure {
    use tungstenite::error::ProtocolError as P;
    use tungstenite::Error as E;
    let detail = e.to_string();
    match e {
        E::Io(io) => classify_io_error(io),
        E::ConnectionClosed => Failure::new(
            FailureKind::Closed(1000),
            "closed",
            "the connection was closed normally",
            "",
            detail,
            Some(1000),
        ),
        E::AlreadyClosed => Failure::new(
            FailureKind::Other,
            "already_closed",
            "the application used the socket after it was closed",
            "stop reading/writing once a Close was received or sent",
            detail,
            None,
        ),
        E::Protocol(P::ResetWithoutClosingHandshake) => Failure::new(
            FailureKind::Reset,
            "connection_reset",
            "the peer dropped the connection without a closing handshake",
            "look at the server's (or the proxy's) log at that time: a crash or an idle timeout",
            detail,
            Some(1006),
        ),
        E::Protocol(_) | E::Utf8(_) | E::AttackAttempt => {
            let close = if matches!(e, E::Utf8(_)) { 1007 } else { 1002 };
            Failure::new(
                FailureKind::Protocol,
                "protocol_error",
                "the peer broke the WebSocket protocol",
                "see the detail; a proxy that does not forward WebSocket frames, or a buggy peer, are the usual causes",
                detail,
                Some(close),
            )
        }
        E::Capacity(_) => Failure::new(
            FailureKind::Protocol,
            "message_too_big",
            "a message or frame exceeded the configured size limit",
            "raise the limit (limits.max_message_bytes) or send smaller messages",
            detail,
            Some(1009),
        ),
        E::Http(resp) => Failure::new(
            FailureKind::HttpStatus(resp.status().as_u16()),
            "http_status",
            "the server answered the upgrade with an HTTP error instead of 101",
            "run `wsguard probe` against the URL for a diagnosis",
            detail,
            Some(1006),
        ),
        E::Url(_) => Failure::new(
            FailureKind::Other,
            "bad_url",
            "the WebSocket URL is not valid",
            "write ws://host[:port]/path or wss://…",
            detail,
            None,
        ),
        E::Tls(_) => Failure::new(
            FailureKind::Tls,
            "tls_failure",
            "the TLS handshake failed",
            "check the server's certificate",
            detail,
            Some(1015),
        ),
        _ => Failure::new(
            FailureKind::Other,
            "other",
            "the WebSocket library reported an error",
            "see the detail",
            detail,
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind as K;

    #[test]
    fn io_kinds() {
        let cases = [
            (
                K::ConnectionRefused,
                FailureKind::Refused,
                "connection_refused",
            ),
            (K::TimedOut, FailureKind::Timeout, "timeout"),
            (K::WouldBlock, FailureKind::Timeout, "timeout"),
            (K::ConnectionReset, FailureKind::Reset, "connection_reset"),
            (K::UnexpectedEof, FailureKind::Reset, "connection_reset"),
            (K::PermissionDenied, FailureKind::Io, "io_error"),
        ];
        for (k, kind, code) in cases {
            let f = classify_io_error(&io::Error::from(k));
            assert_eq!(
                (f.kind, f.code, f.close_code),
                (kind, code, Some(1006)),
                "{k:?}"
            );
            assert_eq!(f.category(), "transport_failure");
        }
    }

    #[test]
    fn dns_error_from_resolver() {
        let e = std::net::ToSocketAddrs::to_socket_addrs("no-such-host.invalid:80").unwrap_err();
        let f = classify_io_error(&e);
        assert_eq!((f.kind, f.code), (FailureKind::Dns, "dns_failure"), "{e}");
    }

    #[test]
    fn tls_inside_io() {
        let io = io::Error::new(
            K::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let f = classify_io_error(&io);
        assert_eq!(
            (f.kind, f.code, f.close_code),
            (FailureKind::Tls, "tls_unknown_issuer", Some(1015))
        );
        assert_eq!(f.category(), "tls");
    }

    #[test]
    fn tungstenite_errors() {
        use tungstenite::error::ProtocolError as P;
        let f = classify_ws_error(&tungstenite::Error::Protocol(
            P::ResetWithoutClosingHandshake,
        ));
        assert_eq!((f.kind, f.close_code), (FailureKind::Reset, Some(1006)));
        let f = classify_ws_error(&tungstenite::Error::Protocol(P::NonZeroReservedBits));
        assert_eq!(
            (f.kind, f.close_code, f.retry()),
            (FailureKind::Protocol, Some(1002), "never")
        );
        let f = classify_ws_error(&tungstenite::Error::Utf8("x".into()));
        assert_eq!(f.close_code, Some(1007));
        let f = classify_ws_error(&tungstenite::Error::Io(io::Error::from(
            K::ConnectionRefused,
        )));
        assert_eq!(f.code, "connection_refused");
    }

    #[test]
    fn close_codes_use_core_conventions() {
        let f = classify_close(4403, "");
        assert_eq!(
            (f.code, f.category(), f.kind),
            ("forbidden", "policy_auth", FailureKind::Closed(4403))
        );
        let f = classify_close(1001, "bye");
        assert_eq!((f.code, f.retry()), ("going_away", "soon"));
        assert_eq!(f.reason, wsguard_core::close::classify(1001).description());
    }
}
