//! The device-side `accept` of wsguard-core, on tokio through `embedded-io-adapters`,
//! against the Python `websockets` client: an echo session, and a refused Origin that
//! the client sees as the exact 403 with the wsguard code in the body.

use std::process::Stdio;

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::net::TcpListener;
use wsguard_core::handshake::ServerConfig;
use wsguard_core::io::{accept, Error, Message, Options};
use wsguard_core::origin::{OriginPolicy, Pattern};
use wsguard_core::Diagnostic;
use wsguard_embedded_host::python;

async fn run_client(port: u16, origin: &str) -> tokio::process::Child {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("peer_client.py");
    tokio::process::Command::new(python())
        .arg(script)
        .arg(format!("ws://127.0.0.1:{port}/ws"))
        .arg(origin)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the Python client")
}

/// Serves one connection: echo until the client closes. Returns the Close code seen.
async fn serve_one(listener: &TcpListener, config: &ServerConfig<'_>) -> Result<u16, String> {
    let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let conn = accept(
        FromTokio::new(stream),
        &mut rx,
        &mut tx,
        config,
        Options::default(),
    )
    .await
    .map_err(|e| format!("{}: {}", e.code(), e.status().unwrap_or(0)))?;
    let mut ws = conn.socket;
    // large messages arrive in pieces; the echo sends them back as one fragmented message
    for _ in 0..10_000 {
        let kind_data_last = match ws.read().await {
            Ok(Message::Text(t)) => Some((
                wsguard_core::frame::MessageKind::Text,
                t.as_bytes().to_vec(),
                true,
                true,
            )),
            Ok(Message::Binary(b)) => Some((
                wsguard_core::frame::MessageKind::Binary,
                b.to_vec(),
                true,
                true,
            )),
            Ok(Message::Piece {
                kind,
                data,
                first,
                last,
            }) => Some((kind, data.to_vec(), first, last)),
            Ok(Message::Close(c)) => return Ok(c.reported_code()),
            Ok(_) => None,
            Err(Error::ConnectionLost) => return Err("connection lost".into()),
            Err(e) => return Err(format!("{e:?}")),
        };
        if let Some((kind, data, first, last)) = kind_data_last {
            if first && last {
                match kind {
                    wsguard_core::frame::MessageKind::Text => {
                        ws.send_text(std::str::from_utf8(&data).unwrap()).await
                    }
                    _ => ws.send_binary(&data).await,
                }
            } else {
                ws.send_fragment(kind, &data, last).await
            }
            .map_err(|e| format!("{e:?}"))?;
        }
    }
    Err("too many messages".into())
}

#[tokio::test(flavor = "current_thread")]
async fn python_client_talks_to_the_device_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let allowed = [Pattern::parse("https://panel.example.com").unwrap()];
    let config = ServerConfig::new(OriginPolicy::new(&allowed));
    let client = run_client(port, "https://panel.example.com").await;
    let served = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        serve_one(&listener, &config),
    )
    .await
    .expect("session within 20 s");
    assert_eq!(served, Ok(1000));
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        client.wait_with_output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "OK 1000");
}

#[tokio::test(flavor = "current_thread")]
async fn refused_origin_reaches_the_python_client_as_an_exact_403() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let allowed = [Pattern::parse("https://panel.example.com").unwrap()];
    let config = ServerConfig::new(OriginPolicy::new(&allowed));
    let client = run_client(port, "https://evil-panel.example.com").await;
    let served = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        serve_one(&listener, &config),
    )
    .await
    .unwrap();
    let err = served.unwrap_err();
    assert!(err.ends_with(": 403"), "{err}");
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        client.wait_with_output(),
    )
    .await
    .unwrap()
    .unwrap();
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(line.starts_with("STATUS 403 origin_"), "{line}");
}
