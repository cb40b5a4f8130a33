//! Server side, for devices that serve WebSockets themselves: read the upgrade request,
//! validate it with the [`ServerConfig`] (Host, Origin policy, token, subprotocol …),
//! answer 101 — or the exact rejection (status, headers and a body naming the code and
//! the fix) — and hand over a [`WebSocket`].

use embedded_io_async::{Read, Write};

use super::{AcceptError, Connected, Options, WebSocket};
use crate::frame::{Role, MIN_BUFFER};
use crate::handshake::{
    reason_phrase, validate_request, write_accept_response, write_rejection_response, Accepted,
    Rejection, ServerConfig, SubprotocolToken,
};
use crate::{BufferTooSmall, Cursor, Status};

/// Accepts a WebSocket on `io` as a server with `config` (see [`accept_with`]).
///
/// ```
/// # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(tcp: T) {
/// use wsguard_core::handshake::ServerConfig;
/// use wsguard_core::io::{accept, AcceptError, Options};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let allowed = [Pattern::parse("https://dashboard.example.com").unwrap()];
/// let config = ServerConfig::new(OriginPolicy::new(&allowed));
/// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
/// match accept(tcp, &mut rx, &mut tx, &config, Options::default()).await {
///     Ok(conn) => { let mut ws = conn.socket; let _ = ws.send_text("hello").await; }
///     Err(AcceptError::Rejected(r)) => { /* the 403/400/426 … has been sent */ let _ = r; }
///     Err(_) => {}
/// }
/// # }
/// ```
pub async fn accept<'c, 'b, T: Read + Write>(
    io: T,
    rx: &'b mut [u8],
    tx: &'b mut [u8],
    config: &ServerConfig<'c>,
    options: Options,
) -> Result<Connected<'c, 'b, T>, AcceptError<T::Error>> {
    accept_with(io, rx, tx, config, options, |_| Ok(())).await
}

/// Accepts a WebSocket on `io` as a server: reads the request into `rx`, validates it
/// with `config`, then lets `check` look at the [`Accepted`] request (path, query,
/// token, origin — copy out what you need) and refuse it with a [`Rejection`] of your
/// choice (e.g. [`Rejection::TokenInvalid`] for a token your verifier refuses).
///
/// A refused request is answered with the exact rejection (into whichever buffer is
/// larger; with buffers under ~600 bytes the body is left out and only the status line
/// and the required headers are sent) and [`AcceptError::Rejected`] is returned: close
/// the transport. An accepted one is answered 101 and the [`WebSocket`] is returned,
/// with the subprotocol chosen from `config.subprotocols`.
///
/// ```
/// # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(tcp: T, config: wsguard_core::handshake::ServerConfig<'_>) {
/// use wsguard_core::handshake::Rejection;
/// use wsguard_core::io::{accept_with, Options};
/// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
/// let mut room = [0u8; 32];
/// let mut room_len = 0;
/// let r = accept_with(tcp, &mut rx, &mut tx, &config, Options::default(), |req| {
///     let name = req.path.strip_prefix("/rooms/").ok_or(Rejection::MalformedRequest)?;
///     let dst = room.get_mut(..name.len()).ok_or(Rejection::MalformedRequest)?;
///     dst.copy_from_slice(name.as_bytes());
///     room_len = name.len();
///     Ok(())
/// }).await;
/// # let _ = (r.is_ok(), room_len);
/// # }
/// ```
pub async fn accept_with<'c, 'b, T, F>(
    mut io: T,
    rx: &'b mut [u8],
    tx: &'b mut [u8],
    config: &ServerConfig<'c>,
    options: Options,
    check: F,
) -> Result<Connected<'c, 'b, T>, AcceptError<T::Error>>
where
    T: Read + Write,
    F: FnOnce(&Accepted<'_>) -> Result<(), Rejection>,
{
    if rx.len() < MIN_BUFFER || tx.len() < MIN_BUFFER {
        return Err(AcceptError::BufferTooSmall(BufferTooSmall {
            needed: MIN_BUFFER,
        }));
    }
    let mut check = Some(check);
    let mut end = 0usize;
    // Each pass reads at least one byte into a finite buffer: bounded.
    let (consumed, subprotocol, answer_len) = loop {
        if end >= rx.len() {
            return Err(reject(&mut io, rx, tx, Rejection::RequestTooLarge).await);
        }
        let got = io
            .read(rx.get_mut(end..).unwrap_or_default())
            .await
            .map_err(AcceptError::Io)?;
        if got == 0 {
            return Err(AcceptError::NoRequest);
        }
        end = end.saturating_add(got).min(rx.len());
        let verdict = match validate_request(config, rx.get(..end).unwrap_or(&[])) {
            Ok(Status::Partial) => continue,
            Ok(Status::Complete(accepted)) => match check.take().map_or(Ok(()), |f| f(&accepted)) {
                Err(r) => Err(r),
                Ok(()) => match write_accept_response(&accepted, tx) {
                    Ok(n) => Ok((accepted.consumed, chosen(config, accepted.subprotocol), n)),
                    Err(e) => return Err(AcceptError::BufferTooSmall(e)),
                },
            },
            Err(r) => Err(r),
        };
        match verdict {
            Ok(v) => break v,
            Err(r) => return Err(reject(&mut io, rx, tx, r).await),
        }
    };
    io.write_all(tx.get(..answer_len).unwrap_or(&[]))
        .await
        .map_err(AcceptError::Io)?;
    io.flush().await.map_err(AcceptError::Io)?;
    let leftover = end.saturating_sub(consumed);
    rx.copy_within(consumed.min(end)..end, 0);
    let socket = WebSocket::new(io, rx, tx, Role::Server, options)
        .map_err(|_| AcceptError::BufferTooSmall(BufferTooSmall { needed: MIN_BUFFER }))?
        .with_leftover(leftover);
    Ok(Connected {
        socket,
        subprotocol,
    })
}

/// The configured name equal to the chosen subprotocol ('c outlives the read buffer).
fn chosen<'c>(config: &ServerConfig<'c>, picked: Option<&str>) -> Option<&'c str> {
    let picked = picked?;
    config
        .subprotocols
        .iter()
        .copied()
        .find(|p| *p == picked)
        .or(match config.token.subprotocol {
            Some(SubprotocolToken::Pair(m)) if m == picked => Some(m),
            _ => None,
        })
}

/// Sends the rejection answer (best effort) and returns the error to report.
async fn reject<T: Read + Write>(
    io: &mut T,
    rx: &mut [u8],
    tx: &mut [u8],
    r: Rejection,
) -> AcceptError<T::Error> {
    // The request is no longer needed: use the larger buffer for the answer.
    let out = if rx.len() >= tx.len() { rx } else { tx };
    let n = match write_rejection_response(&r, out) {
        Ok(n) => n,
        Err(_) => write_rejection_head(&r, out).unwrap_or(0),
    };
    if io.write_all(out.get(..n).unwrap_or(&[])).await.is_ok() {
        let _ = io.flush().await;
    }
    AcceptError::Rejected(r)
}

/// Fallback for small buffers: the status line and the headers the rejection requires,
/// no body. (The full answer comes from `handshake::write_rejection_response`.)
fn write_rejection_head(r: &Rejection, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let mut c = Cursor::new(out);
    let _ = c.put_str("HTTP/1.1 ");
    let _ = c.put_u16(r.status());
    let _ = c.put_str(" ");
    let _ = c.put_str(reason_phrase(r.status()));
    let _ = c.put_str("\r\n");
    let mut upgrade = false;
    for (name, value) in r.extra_headers() {
        upgrade |= name.eq_ignore_ascii_case("upgrade");
        let _ = c.put_str(name);
        let _ = c.put_str(": ");
        let _ = c.put_str(value);
        let _ = c.put_str("\r\n");
    }
    let _ = c.put_str(if upgrade {
        "Content-Length: 0\r\nConnection: Upgrade, close\r\n\r\n"
    } else {
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    });
    c.finish()
}
