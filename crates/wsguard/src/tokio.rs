//! # tokio / tokio-tungstenite (feature `tokio`)
//!
//! [`accept_async`] is [`Guard::accept`](crate::Guard::accept) over a tokio stream: the
//! core validates the raw head and writes its exact answer, then tokio-tungstenite takes
//! the socket. [`Guard::callback`](crate::Guard::callback) also works with
//! `tokio_tungstenite::accept_hdr_async`. [`accept_or_explain`] also answers the explain
//! exchange (docs/EXPLAIN.md) on the same listener, so a page refused with `1006` can ask
//! why. [`accept_async_within`] and [`accept_or_explain_within`] add a handshake deadline:
//! a head still incomplete when it passes gets the core's 408 `handshake_timeout` (a
//! client that sent nothing gets only the close), not a silent drop.
//!
//! ```no_run
//! # async fn serve(listener: tokio::net::TcpListener, guard: wsguard::Guard) {
//! loop {
//!     let (tcp, _) = listener.accept().await.unwrap();
//!     match wsguard::tokio::accept_async(&guard, tcp).await {
//!         Ok((ws, accepted)) => { let _ = (ws, accepted); /* serve */ }
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! # }
//! ```

use crate::guard::{AcceptError, AcceptedRequest, Guard};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use wsguard_core::explain::{Mode, MARKER};
use wsguard_core::handshake::Rejection;
use wsguard_core::limits::{HeadStep, HeadTracker};

/// What [`accept_or_explain`] did with a connection.
#[derive(Debug)]
// Returned once per connection and matched at once: the socket moves out unboxed, as
// `accept_async` hands it over.
#[allow(clippy::large_enum_variant)]
pub enum Served<S> {
    /// The upgrade passed the core's checks: the socket and the verdict.
    WebSocket(WebSocketStream<S>, AcceptedRequest),
    /// An explain request: answered with the core's bytes, connection closed.
    Explained,
}

/// Runs the server handshake over `stream` with the core's verdict and exact answer.
/// It waits for the head as long as the client takes: use [`accept_async_within`] against
/// clients that never finish it.
pub async fn accept_async<S>(
    guard: &Guard,
    stream: S,
) -> Result<(WebSocketStream<S>, AcceptedRequest), AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    websocket_only(serve(guard, stream, Mode::Off, None, |_, _| {}).await)
}

/// [`accept_async`] with a handshake deadline: when the head is still incomplete
/// `timeout` after the call, the client gets the core's 408 `handshake_timeout` (counted
/// and logged like every refusal) and [`AcceptError::Refused`]; a client that sent
/// nothing at all gets only the close ([`AcceptError::Incomplete`]).
///
/// ```no_run
/// # async fn serve(listener: tokio::net::TcpListener, guard: wsguard::Guard) {
/// use std::time::Duration;
/// let (tcp, _) = listener.accept().await.unwrap();
/// match wsguard::tokio::accept_async_within(&guard, tcp, Duration::from_secs(10)).await {
///     Ok((ws, accepted)) => { let _ = (ws, accepted); /* serve */ }
///     Err(e) => eprintln!("{e}"), // e.g. 408 handshake_timeout
/// }
/// # }
/// ```
pub async fn accept_async_within<S>(
    guard: &Guard,
    stream: S,
    timeout: Duration,
) -> Result<(WebSocketStream<S>, AcceptedRequest), AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = tokio::time::Instant::now() + timeout;
    websocket_only(serve(guard, stream, Mode::Off, Some(deadline), |_, _| {}).await)
}

pub(crate) fn websocket_only<S>(
    served: Result<Served<S>, AcceptError>,
) -> Result<(WebSocketStream<S>, AcceptedRequest), AcceptError> {
    match served? {
        Served::WebSocket(ws, accepted) => Ok((ws, accepted)),
        // Mode::Off never explains; an explain request is refused like any plain GET.
        Served::Explained => Err(AcceptError::Incomplete),
    }
}

/// [`accept_async`] that also answers explain requests (`GET <path>?wsguard-explain=1…`)
/// with the core's verdict in `mode` (`Mode::Public` in production, `Mode::Full` in
/// development, `Mode::Off`: refused like any plain GET). The explain request is not
/// counted as a refusal.
///
/// ```no_run
/// # async fn serve(listener: tokio::net::TcpListener, guard: std::sync::Arc<wsguard::Guard>) {
/// use wsguard::tokio::{accept_or_explain, Served};
/// use wsguard_core::explain::Mode;
/// loop {
///     let (tcp, _) = listener.accept().await.unwrap();
///     let guard = guard.clone();
///     tokio::spawn(async move {
///         match accept_or_explain(&guard, tcp, Mode::Public).await {
///             Ok(Served::WebSocket(ws, accepted)) => { let _ = (ws, accepted); /* serve */ }
///             Ok(Served::Explained) => {}
///             Err(e) => eprintln!("{e}"),
///         }
///     });
/// }
/// # }
/// ```
pub async fn accept_or_explain<S>(
    guard: &Guard,
    stream: S,
    mode: Mode,
) -> Result<Served<S>, AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    serve(guard, stream, mode, None, |_, _| {}).await
}

/// [`accept_or_explain`] with the handshake deadline of [`accept_async_within`].
pub async fn accept_or_explain_within<S>(
    guard: &Guard,
    stream: S,
    mode: Mode,
    timeout: Duration,
) -> Result<Served<S>, AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = tokio::time::Instant::now() + timeout;
    serve(guard, stream, mode, Some(deadline), |_, _| {}).await
}

/// Longest wait for the 408 to be taken by a client that also stopped reading.
const DEADLINE_ANSWER: Duration = Duration::from_secs(1);

/// The handshake loop; `on_upgrade` sees the stream and the bytes read past the head
/// (already WebSocket frames) just before tungstenite takes both.
pub(crate) async fn serve<S>(
    guard: &Guard,
    mut stream: S,
    mode: Mode,
    deadline: Option<tokio::time::Instant>,
    on_upgrade: impl FnOnce(&mut S, &[u8]),
) -> Result<Served<S>, AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let max = guard.head_limit();
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    // The core's tracker looks at each byte once; the head is parsed only when it can say
    // something new (request line, end of head, a limit), not on every read.
    let (mut tracker, limits) = (HeadTracker::new(), guard.head_limits());
    loop {
        let n = match deadline {
            None => stream.read(&mut chunk).await?,
            Some(at) => match tokio::time::timeout_at(at, stream.read(&mut chunk)).await {
                Ok(read) => read?,
                Err(_) => {
                    // The core's 408, or only the close when nothing was ever said.
                    let refusal = guard
                        .refuse_at_deadline(buf.len())
                        .ok_or(AcceptError::Incomplete)?;
                    let answer = async {
                        stream.write_all(&refusal.response).await?;
                        stream.flush().await?;
                        stream.shutdown().await
                    };
                    let _ = tokio::time::timeout(DEADLINE_ANSWER, answer).await;
                    return Err(AcceptError::Refused(refusal));
                }
            },
        };
        if n == 0 {
            return Err(AcceptError::Incomplete);
        }
        buf.extend_from_slice(&chunk[..n]);
        if tracker.feed(&buf, &limits) == HeadStep::NeedMore && buf.len() <= max {
            continue;
        }
        let marked = mode != Mode::Off && buf.windows(MARKER.len()).any(|w| w == MARKER.as_bytes());
        if let Some(answer) = marked.then(|| guard.explain_raw(&buf, mode)).flatten() {
            stream.write_all(&answer).await?;
            stream.flush().await?;
            let _ = stream.shutdown().await;
            return Ok(Served::Explained);
        }
        let refusal = match guard.verdict(&buf) {
            Ok(Some(done)) => {
                stream.write_all(&done.accepted.response).await?;
                stream.flush().await?;
                let tail = buf.split_off(done.consumed.min(buf.len()));
                on_upgrade(&mut stream, &tail);
                let ws = WebSocketStream::from_partially_read(
                    stream,
                    tail,
                    Role::Server,
                    Some(guard.websocket_config()),
                )
                .await;
                return Ok(Served::WebSocket(ws, done.accepted));
            }
            Ok(None) if buf.len() <= max => continue,
            Ok(None) => guard.refuse(&Rejection::RequestTooLarge, None),
            Err(refusal) => refusal,
        };
        stream.write_all(&refusal.response).await?;
        stream.flush().await?;
        let _ = stream.shutdown().await;
        return Err(AcceptError::Refused(refusal));
    }
}
