//! # tokio / tokio-tungstenite (feature `tokio`)
//!
//! [`accept_async`] is [`Guard::accept`](crate::Guard::accept) over a tokio stream: the
//! core validates the raw head and writes its exact answer, then tokio-tungstenite takes
//! the socket. [`Guard::callback`](crate::Guard::callback) also works with
//! `tokio_tungstenite::accept_hdr_async`.
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
use wsguard_core::handshake::Rejection;
use wsguard_core::limits::{HeadStep, HeadTracker};

/// Runs the server handshake over `stream` with the core's verdict and exact answer.
/// Bound it with `tokio::time::timeout` against clients that never finish their head.
pub async fn accept_async<S>(
    guard: &Guard,
    mut stream: S,
) -> Result<(WebSocketStream<S>, Accepted), AcceptError>
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
                return Ok((ws, done.accepted));
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
