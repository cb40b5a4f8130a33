//! A tokio-tungstenite echo server, the peer of the soak suite (`make soak`,
//! scripts/soak/soak.py), in two variants:
//!
//! ```text
//! cargo run -p wsguard --features tokio --example tokio_echo -- plain   [ADDR]
//! cargo run -p wsguard --features tokio --example tokio_echo -- guarded [ADDR] [MAX_PER_ADDRESS] [HANDSHAKE_SECS] [MESSAGE_BUDGET_BYTES]
//! ```
//!
//! `plain` is tokio-tungstenite as its README shows it (`TcpListener::bind`,
//! `accept_async`, no limits); `guarded` is the tokio guard with the peer limits:
//! `limits::net::listen` (backlog 2048), the EMFILE-aware `Acceptor` and `accept_limited`
//! (503 over a limit, 408 at the handshake deadline, write deadline, the shared budget
//! for unfinished messages). Prints `listening on ADDR` first.

use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use wsguard::limits::{net, Admission};
use wsguard::{Guard, GuardConfig};
use wsguard_core::limits::PeerLimits;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "plain".into());
    let addr: std::net::SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .map_err(std::io::Error::other)?;
    if mode == "plain" {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("listening on {}", listener.local_addr()?);
        loop {
            let (tcp, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    continue;
                }
            };
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    echo(ws).await;
                }
            });
        }
    }
    let per_address = args.next().and_then(|v| v.parse().ok()).unwrap_or(256);
    let handshake_s: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(10);
    let budget = PeerLimits::DEFAULT.message_budget;
    let budget: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(budget);
    let mut cfg = GuardConfig::default();
    cfg.origin.allow_missing = true;
    cfg.origin.allowed = vec!["https://app.example.com".into()];
    // The same keys as `[limits]` in a TOML file or `WSGUARD_LIMITS_*` variables.
    cfg.limits.max_per_address = per_address;
    cfg.limits.write_timeout_ms = 2_000;
    cfg.limits.handshake_timeout_ms = handshake_s * 1000;
    cfg.limits.message_budget_bytes = budget;
    let guard = Guard::new(cfg).map_err(std::io::Error::other)?;
    let adm = Arc::new(Admission::for_guard(&guard));
    let listener = net::listen(addr, net::DEFAULT_BACKLOG)?;
    println!("listening on {}", listener.local_addr()?);
    let mut acceptor = net::Acceptor::new(listener, adm.clone());
    loop {
        let (tcp, peer) = acceptor.accept().await;
        let (guard, adm) = (guard.clone(), adm.clone());
        tokio::spawn(async move {
            match net::accept_limited(&guard, &adm, tcp, peer).await {
                Ok((ws, _accepted, _permit)) => echo(ws).await,
                // Static texts from the core (no network text in this line).
                Err(wsguard::AcceptError::Refused(r)) if r.status != 503 => {
                    eprintln!("{peer} → {} {}: {}", r.status, r.code, r.reason)
                }
                Err(_) => {}
            }
        });
    }
}

async fn echo<S>(ws: tokio_tungstenite::WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::{Error, Message};
    let (mut tx, mut rx) = ws.split();
    while let Some(next) = rx.next().await {
        let code = match next {
            Ok(msg) if msg.is_text() || msg.is_binary() => {
                if tx.send(msg).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(_) => continue,
            // tokio-tungstenite reports a broken limit or rule; the Close is ours to send.
            Err(Error::Capacity(_)) => CloseCode::Size,
            Err(Error::Protocol(_)) => CloseCode::Protocol,
            Err(_) => return,
        };
        let frame = CloseFrame {
            code,
            reason: "".into(),
        };
        let _ = tx.send(Message::Close(Some(frame))).await;
        return;
    }
}
