//! # tokio / tokio-tungstenite (feature `tokio`)
//!
//! [`accept_async`] is [`Guard::accept`](crate::Guard::accept) over a tokio stream: the
//! core validates the raw head and writes its exact answer, then tokio-tungstenite takes
//! the socket. [`Guard::callback`](crate::Guard::callback) also works with
//! `tokio_tungstenite::accept_hdr_async`. [`accept_or_explain`] also answers the explain
//! exchange (docs/EXPLAIN.md) on the same listener, so a page refused with `1006` can ask
//! why.
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

use crate::guard::{AcceptError, Accepted, Guard};
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
    WebSocket(WebSocketStream<S>, Accepted),
    /// An explain request: answered with the core's bytes, connection closed.
    Explained,
}

/// Runs the server handshake over `stream` with the core's verdict and exact answer.
/// Bound it with `tokio::time::timeout` against clients that never finish their head.
pub async fn accept_async<S>(
    guard: &Guard,
    stream: S,
) -> Result<(WebSocketStream<S>, Accepted), AcceptError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match accept_or_explain(guard, stream, Mode::Off).await? {
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
    mut stream: S,
    mode: Mode,
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
        let n = stream.read(&mut chunk).await?;
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
