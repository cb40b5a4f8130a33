//! Errors of the async drivers: the transport's own error, the protocol's, and the
//! handshake's, each with a stable code, a sentence and a fix ([`Diagnostic`]), and the
//! [`Disconnect`] to hand to the reconnect policy.

use crate::frame::encoder::EncodeError;
use crate::frame::ProtocolError;
use crate::handshake::{ClientFailure, Rejection, RequestError};
use crate::heartbeat::PeerDead;
use crate::reconnect::{Disconnect, TransportFailure};
use crate::BufferTooSmall;

/// Why a read or a send on an open [`WebSocket`](super::WebSocket) failed.
///
/// `E` is the transport's error type (`embedded_io_async::ErrorType::Error`).
///
/// ```
/// use wsguard_core::io::Error;
/// use wsguard_core::reconnect::Disconnect;
/// use wsguard_core::Diagnostic;
/// let e: Error<core::convert::Infallible> = Error::ConnectionLost;
/// assert_eq!(e.code(), "connection_lost");
/// assert_eq!(e.disconnect(), Some(Disconnect::Close(1006)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E> {
    /// The transport failed.
    Io(E),
    /// The transport ended (a read returned 0 bytes, or a write accepted none) before
    /// the closing handshake: close code 1006.
    ConnectionLost,
    /// The peer broke RFC 6455; a Close with [`ProtocolError::close_code`] was sent.
    Protocol(ProtocolError),
    /// The closing handshake is complete (or a Close was sent and data may no longer be
    /// sent): nothing more can be read or written. Drop the transport.
    Closed,
    /// A send that did not fit in the write buffer was cancelled halfway: the peer holds
    /// a partial frame and the connection cannot be used any more.
    Broken,
    /// A control frame could not be encoded (ping payload over 125 bytes, invalid close
    /// code, close reason over 123 bytes).
    Encode(EncodeError),
    /// A buffer is smaller than [`MIN_BUFFER`](crate::frame::MIN_BUFFER) bytes.
    BufferTooSmall(BufferTooSmall),
    /// `send_text`/`send_binary` was called while a fragmented message sent
    /// with `send_fragment` is not finished (only control frames may be interleaved).
    MessageInProgress,
    /// The heartbeat declared the peer dead (see [`PeerDead`]).
    PeerDead(PeerDead),
}

impl<E> Error<E> {
    /// How the connection ended, for [`Reconnect::on_disconnect`](crate::reconnect::Reconnect::on_disconnect).
    /// `None` for errors that are bugs in the calling code (`Encode`,
    /// `BufferTooSmall`, `MessageInProgress`) and for `Closed`, whose code the
    /// [`Message::Close`](super::Message::Close) already carried.
    ///
    /// ```
    /// use wsguard_core::io::Error;
    /// use wsguard_core::frame::ProtocolError;
    /// use wsguard_core::reconnect::Disconnect;
    /// let e: Error<()> = Error::Protocol(ProtocolError::InvalidUtf8);
    /// assert_eq!(e.disconnect(), Some(Disconnect::Close(1007)));
    /// ```
    pub fn disconnect(&self) -> Option<Disconnect> {
        match self {
            Error::Io(_) => Some(Disconnect::Transport(TransportFailure::Reset)),
            Error::ConnectionLost | Error::Broken => Some(Disconnect::Close(1006)),
            Error::PeerDead(_) => Some(Disconnect::Transport(TransportFailure::Timeout)),
            Error::Protocol(e) => Some(Disconnect::Close(e.close_code())),
            Error::Closed
            | Error::Encode(_)
            | Error::BufferTooSmall(_)
            | Error::MessageInProgress => None,
        }
    }
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

impl<E> From<ProtocolError> for Error<E> {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

crate::diag::diagnostics! {
    Error<E> in "wsguard_core::io" display {}
    Io(_) => {
        code: "io_error",
        reason: "the transport (TCP socket, TLS session, UART …) reported an error",
        remedy: "drop the connection and reconnect with backoff (reconnect::Disconnect::Transport)",
    },
    ConnectionLost => {
        code: "connection_lost",
        reason: "the connection ended without a Close frame (close code 1006): the peer crashed or was killed, a proxy or NAT dropped an idle connection, or the network went away",
        remedy: "reconnect with backoff; if it happens on idle links, enable the heartbeat with an interval below the proxy's idle timeout (nginx proxy_read_timeout defaults to 60 s)",
    },
    Protocol(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    Closed => {
        code: "connection_closed",
        reason: "the closing handshake is complete, or this side already sent its Close; the WebSocket cannot be used any more",
        remedy: "drop the transport; open a new connection if the reconnect policy says so",
    },
    Broken => {
        code: "send_cancelled_midframe",
        reason: "a send of a frame larger than the write buffer was cancelled (its future dropped, e.g. by a timeout) after part of the frame was written; the peer now holds half a frame",
        remedy: "do not put a timeout around a send of a message larger than the write buffer (or enlarge the write buffer); reconnect",
    },
    Encode(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    BufferTooSmall(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: "give the WebSocket read and write buffers of at least wsguard_core::frame::MIN_BUFFER (139) bytes each",
    },
    MessageInProgress => {
        code: "fragmented_send_in_progress",
        reason: "a whole message or a ping was sent while a fragmented message started with send_fragment is not finished",
        remedy: "finish the fragmented message with send_fragment(.., last = true) first; only pongs and the close may be interleaved",
    },
    PeerDead(d) => {
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
    },
}

/// Why [`connect`](super::connect) failed. `'b` borrows the read buffer, where the
/// server's answer stays for you to inspect.
///
/// ```
/// use wsguard_core::io::ConnectError;
/// use wsguard_core::reconnect::{Disconnect, TransportFailure};
/// use wsguard_core::Diagnostic;
/// let e: ConnectError<'_, ()> = ConnectError::NoResponse;
/// assert_eq!(e.code(), "no_handshake_response");
/// assert_eq!(e.disconnect(), Some(Disconnect::Transport(TransportFailure::Reset)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConnectError<'b, E> {
    /// The transport failed.
    Io(E),
    /// The request could not be written (see [`RequestError`]).
    Request(RequestError),
    /// The server did not switch protocols ([`ClientFailure::Rejected`] holds the
    /// [`Diagnosis`](crate::handshake::Diagnosis)), or its 101 is invalid.
    Handshake(ClientFailure<'b>),
    /// The transport ended before a complete answer head arrived.
    NoResponse,
    /// The answer's head does not fit in the read buffer.
    ResponseTooLarge {
        /// The read buffer's size.
        buffer: usize,
    },
    /// The read or write buffer is smaller than [`MIN_BUFFER`](crate::frame::MIN_BUFFER).
    BufferTooSmall(BufferTooSmall),
}

impl<E> ConnectError<'_, E> {
    /// How the attempt ended, for [`Reconnect::on_disconnect`](crate::reconnect::Reconnect::on_disconnect):
    /// a refused upgrade gives its HTTP status (and `Retry-After`). `None` for errors in
    /// the calling code (`Request`, `BufferTooSmall`, `ResponseTooLarge`).
    ///
    /// ```
    /// use wsguard_core::io::ConnectError;
    /// use wsguard_core::handshake::{validate_response, ClientRequest};
    /// use wsguard_core::reconnect::Disconnect;
    /// let req = ClientRequest::new("a", "/", [0; 16]);
    /// let failure = validate_response(&req, b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\n\r\n").unwrap_err();
    /// let e: ConnectError<'_, ()> = ConnectError::Handshake(failure);
    /// assert_eq!(e.disconnect(), Some(Disconnect::HttpStatus { status: 503, retry_after_s: Some(7) }));
    /// ```
    pub fn disconnect(&self) -> Option<Disconnect> {
        match self {
            ConnectError::Io(_) | ConnectError::NoResponse => {
                Some(Disconnect::Transport(TransportFailure::Reset))
            }
            ConnectError::Handshake(ClientFailure::Rejected(d)) => Some(Disconnect::HttpStatus {
                status: d.status,
                retry_after_s: d.retry_after,
            }),
            // A 101 that breaks the protocol: the server or a proxy is misconfigured.
            ConnectError::Handshake(ClientFailure::Invalid(_)) => Some(Disconnect::Close(1002)),
            ConnectError::Request(_)
            | ConnectError::ResponseTooLarge { .. }
            | ConnectError::BufferTooSmall(_) => None,
        }
    }
}

crate::diag::diagnostics! {
    ConnectError<'b, E> in "wsguard_core::io" display {}
    Io(_) => {
        code: "io_error",
        reason: "the transport (TCP socket, TLS session …) reported an error during the opening handshake",
        remedy: "check the network and retry with backoff",
    },
    Request(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: e.remedy(),
    },
    Handshake(f) => {
        code: f.code(),
        reason: f.reason(),
        remedy: f.remedy(),
    },
    NoResponse => {
        code: "no_handshake_response",
        reason: "the server closed the connection without answering the upgrade request: wrong port, a TLS port spoken to in plain text, or a server that crashed",
        remedy: "check host, port and scheme (ws:// on a plain port, wss:// through TLS); look at the server's log",
    },
    ResponseTooLarge { .. } => {
        code: "response_exceeds_buffer",
        reason: "the server's answer head is larger than the read buffer",
        remedy: "give connect() a larger read buffer (1 KiB holds any ordinary 101 answer; error pages need more)",
    },
    BufferTooSmall(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: "give connect() read and write buffers of at least wsguard_core::frame::MIN_BUFFER (139) bytes; the write buffer must also hold the upgrade request",
    },
}

/// Why [`accept`](super::accept) did not open a WebSocket.
///
/// ```
/// use wsguard_core::io::AcceptError;
/// use wsguard_core::handshake::Rejection;
/// use wsguard_core::Diagnostic;
/// let e: AcceptError<()> = AcceptError::Rejected(Rejection::MethodNotGet);
/// assert_eq!((e.code(), e.status()), ("method_not_get", Some(405)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AcceptError<E> {
    /// The transport failed.
    Io(E),
    /// The request was refused; the exact rejection answer (status, headers, a body
    /// naming the code and the fix) has been sent. Close the transport.
    Rejected(Rejection),
    /// The transport ended before a complete request head arrived.
    NoRequest,
    /// A buffer is too small: the read buffer for [`MIN_BUFFER`](crate::frame::MIN_BUFFER),
    /// or the write buffer for the 101 answer.
    BufferTooSmall(BufferTooSmall),
}

impl<E> AcceptError<E> {
    /// The HTTP status that was sent, for a rejection.
    ///
    /// ```
    /// use wsguard_core::io::AcceptError;
    /// assert_eq!(AcceptError::<()>::NoRequest.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            AcceptError::Rejected(r) => Some(r.status()),
            _ => None,
        }
    }
}

crate::diag::diagnostics! {
    AcceptError<E> in "wsguard_core::io" display {}
    Io(_) => {
        code: "io_error",
        reason: "the transport reported an error during the opening handshake",
        remedy: "close the transport and wait for the next client",
    },
    Rejected(r) => {
        code: r.code(),
        reason: r.reason(),
        remedy: r.remedy(),
    },
    NoRequest => {
        code: "no_handshake_request",
        reason: "the client closed the connection before sending a complete upgrade request (a port scanner, a health check, or a client that gave up)",
        remedy: "nothing to fix on this side; close the transport",
    },
    BufferTooSmall(e) => {
        code: e.code(),
        reason: e.reason(),
        remedy: "give accept() a read buffer of at least MIN_BUFFER bytes and a write buffer of at least 160 bytes plus the longest subprotocol name",
    },
}
