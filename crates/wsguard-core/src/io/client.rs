//! Client side: send the upgrade request, read and validate the answer, and hand over a
//! [`WebSocket`] — or the [`Diagnosis`](crate::handshake::Diagnosis) of a refused upgrade.

use embedded_io_async::{Read, Write};

use super::{ConnectError, Connected, Options, WebSocket};
use crate::frame::{Role, MIN_BUFFER};
use crate::handshake::{
    validate_response, write_request, ClientFailure, ClientRequest, SubprotocolToken,
    TokenPlacement,
};
use crate::{BufferTooSmall, Status};

/// What one look at the answer found, without borrowing the buffer.
enum Verdict<'a> {
    Partial,
    Open {
        consumed: usize,
        subprotocol: Option<&'a str>,
    },
    /// Refused; the body ends at this offset when `Content-Length` gave one.
    Refused {
        body_end: Option<usize>,
    },
    Invalid,
}

fn look<'a>(request: &ClientRequest<'a>, answer: &[u8]) -> Verdict<'a> {
    match validate_response(request, answer) {
        Ok(Status::Partial) => Verdict::Partial,
        Ok(Status::Complete(est)) => {
            // Map the chosen name back to the request's own string ('a outlives the buffer).
            let chosen = est.subprotocol;
            let offered = request
                .subprotocols
                .iter()
                .copied()
                .find(|p| Some(*p) == chosen);
            let marker = match request.token.map(|t| t.placement) {
                Some(TokenPlacement::Subprotocol(SubprotocolToken::Pair(m)))
                    if Some(m) == chosen =>
                {
                    Some(m)
                }
                _ => None,
            };
            Verdict::Open {
                consumed: est.consumed,
                subprotocol: offered.or(marker),
            }
        }
        Err(ClientFailure::Rejected(d)) if d.server_reason.is_none() => Verdict::Refused {
            body_end: body_end(answer),
        },
        Err(ClientFailure::Rejected(_)) => Verdict::Refused { body_end: None },
        Err(ClientFailure::Invalid(_)) => Verdict::Invalid,
    }
}

/// End of the body announced by `Content-Length` (HTTP framing only: the diagnosis
/// reads the body's first line, where a wsguard server names the rejection code).
fn body_end(answer: &[u8]) -> Option<usize> {
    let head_len = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")?
        .checked_add(4)?;
    let head = answer.get(..head_len)?;
    let mut length = None;
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (line.get(..colon)?, line.get(colon + 1..)?);
        if name.eq_ignore_ascii_case(b"content-length") {
            let mut n: usize = 0;
            for &b in value.iter().filter(|b| !b.is_ascii_whitespace()) {
                if !b.is_ascii_digit() {
                    return None;
                }
                n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?;
            }
            length = Some(n);
        }
    }
    head_len.checked_add(length?)
}

/// Opens a WebSocket as a client over `io` (a connected TCP socket, a TLS session…):
/// writes `request` through `tx`, reads the answer into `rx`, validates it, and returns
/// the [`WebSocket`] (bytes the server sent after its 101 are kept) and the subprotocol
/// the server chose.
///
/// When the server does not switch protocols, [`ConnectError::Handshake`] carries the
/// [`Diagnosis`](crate::handshake::Diagnosis): a 403 names the refused Origin, a 200 says
/// "this is a plain HTTP server", a 400/426 from a proxy says the upgrade headers were
/// dropped, … (the body of the answer is read when `Content-Length` announces it and it
/// fits in `rx`, so a wsguard server's `<code>: <reason>` line shows up as
/// `server_code`/`server_reason`).
///
/// Both buffers must hold [`MIN_BUFFER`] bytes; `tx` must also hold the request
/// (~200 bytes plus your host, path, origin and token) and `rx` the answer's head.
///
/// ```
/// # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(tcp: T, nonce: [u8; 16], seed: u64) {
/// use wsguard_core::handshake::{ClientFailure, ClientRequest};
/// use wsguard_core::io::{connect, ConnectError, Options};
/// use wsguard_core::Diagnostic;
/// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
/// let req = ClientRequest::new("sensors.example.com", "/ws", nonce).subprotocols(&["telemetry.v1"]);
/// match connect(tcp, &mut rx, &mut tx, &req, Options::new(seed)).await {
///     Ok(conn) => { let mut ws = conn.socket; let _ = ws.send_text("up").await; }
///     Err(ConnectError::Handshake(ClientFailure::Rejected(d))) => {
///         // e.g. "forbidden" / 403 / "the server refused … Origin …" / the fix
///         let _ = (d.code(), d.status, d.reason(), d.remedy(), d.server_reason);
///     }
///     Err(other) => { let _ = other.code(); }
/// }
/// # }
/// ```
pub async fn connect<'a, 'b, T: Read + Write>(
    mut io: T,
    rx: &'b mut [u8],
    tx: &'b mut [u8],
    request: &ClientRequest<'a>,
    options: Options,
) -> Result<Connected<'a, 'b, T>, ConnectError<'b, T::Error>> {
    if rx.len() < MIN_BUFFER || tx.len() < MIN_BUFFER {
        return Err(ConnectError::BufferTooSmall(BufferTooSmall {
            needed: MIN_BUFFER,
        }));
    }
    let n = write_request(request, tx).map_err(ConnectError::Request)?;
    io.write_all(tx.get(..n).unwrap_or(&[]))
        .await
        .map_err(ConnectError::Io)?;
    io.flush().await.map_err(ConnectError::Io)?;

    let mut end = 0usize;
    // Each pass reads at least one byte into a finite buffer: bounded.
    let outcome = loop {
        if end >= rx.len() {
            return Err(ConnectError::ResponseTooLarge { buffer: rx.len() });
        }
        let got = io
            .read(rx.get_mut(end..).unwrap_or_default())
            .await
            .map_err(ConnectError::Io)?;
        if got == 0 {
            return Err(ConnectError::NoResponse);
        }
        end = end.saturating_add(got).min(rx.len());
        match look(request, rx.get(..end).unwrap_or(&[])) {
            Verdict::Partial => continue,
            other => break other,
        }
    };
    match outcome {
        Verdict::Open {
            consumed,
            subprotocol,
        } => {
            let leftover = end.saturating_sub(consumed);
            rx.copy_within(consumed.min(end)..end, 0);
            let socket = WebSocket::new(io, rx, tx, Role::Client, options)
                .map_err(|_| ConnectError::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }))?
                .with_leftover(leftover);
            Ok(Connected {
                socket,
                subprotocol,
            })
        }
        Verdict::Refused {
            body_end: Some(body_end),
        } if body_end <= rx.len() => {
            // Read the announced body (bounded by the buffer) so the diagnosis sees it.
            while end < body_end {
                match io.read(rx.get_mut(end..body_end).unwrap_or_default()).await {
                    Ok(got) if got > 0 => end = end.saturating_add(got).min(body_end),
                    _ => break,
                }
            }
            Err(refusal(request, rx, end))
        }
        _ => Err(refusal(request, rx, end)),
    }
}

/// The failure, borrowed from the buffer for the caller to inspect.
fn refusal<'b, E>(
    request: &ClientRequest<'_>,
    rx: &'b mut [u8],
    end: usize,
) -> ConnectError<'b, E> {
    let rx: &'b [u8] = rx;
    match validate_response(request, rx.get(..end).unwrap_or(&[])) {
        Err(failure) => ConnectError::Handshake(failure),
        // Not reached: the same bytes were judged a failure a moment ago.
        Ok(_) => ConnectError::NoResponse,
    }
}

#[cfg(test)]
mod tests {
    use super::body_end;

    #[test]
    fn body_end_from_content_length() {
        assert_eq!(
            body_end(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 12\r\n\r\nab"),
            Some(58)
        );
        assert_eq!(
            body_end(b"HTTP/1.1 403 Forbidden\r\ncontent-length:0\r\n\r\n"),
            Some(44)
        );
        assert_eq!(body_end(b"HTTP/1.1 403 Forbidden\r\n\r\n"), None);
        assert_eq!(
            body_end(b"HTTP/1.1 403 Forbidden\r\nContent-Length: x\r\n\r\n"),
            None
        );
        assert_eq!(
            body_end(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            None
        );
        assert_eq!(body_end(b"HTTP/1.1 403 Forb"), None);
    }
}
