//! The no_std async client against `wsguard serve` (the CLI's guarded echo server): the
//! same validator on both ends. Needs the binary: `cargo build -p wsguard-cli` (found in
//! target/{debug,release}/wsguard, or $WSGUARD_BIN). Without it the tests fail under
//! CI=true and are skipped with a message otherwise.

use wsguard_core::frame::MessageKind;
use wsguard_core::handshake::{ClientFailure, ClientRequest, DiagnosisKind};
use wsguard_core::io::{connect, ConnectError, Options};
use wsguard_core::Diagnostic;
use wsguard_embedded_host::{recv, tcp, wait_for_port, wsguard_peer, Peer, Pieces, Received};

const ORIGIN: &str = "https://panel.example.com";

async fn start(extra: &[&str]) -> Option<Peer> {
    let mut args = vec!["--allow", ORIGIN];
    args.extend_from_slice(extra);
    match wsguard_peer(&args) {
        Some(p) => {
            wait_for_port(p.ws_port).await;
            Some(p)
        }
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the wsguard binary is missing: run `cargo build -p wsguard-cli` first (or set WSGUARD_BIN)")
        }
        None => {
            eprintln!("SKIP: no wsguard binary (cargo build -p wsguard-cli)");
            None
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn echo_ping_and_close_with_wsguard_serve() {
    let Some(peer) = start(&["--ping-interval", "0.2"]).await else {
        return;
    };
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/ws", *b"wsguard <-> core").origin(ORIGIN);
    let mut ws = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(0x5EED),
    )
    .await
    .unwrap_or_else(|e| panic!("connect: {} {e:?}", e.code()))
    .socket;
    let mut pings = 0;
    for size in [0usize, 1, 125, 126, 1000, 1024, 1025, 5000, 70_000] {
        let data: Vec<u8> = (0..size).map(|i| (i % 241) as u8).collect();
        ws.send_binary(&data).await.unwrap();
        loop {
            match recv(&mut ws).await {
                (Received::Ping(_), _) => pings += 1, // the server's heartbeat; answered for us
                (got, Pieces(n)) => {
                    assert_eq!(got, Received::Binary(data.clone()), "size {size}");
                    assert_eq!(n > 1, size > 1024, "size {size}: {n} piece(s)");
                    break;
                }
            }
        }
    }
    ws.send_fragment(MessageKind::Text, b"in ", false)
        .await
        .unwrap();
    ws.send_fragment(MessageKind::Text, b"three ", false)
        .await
        .unwrap();
    ws.send_fragment(MessageKind::Text, b"parts", true)
        .await
        .unwrap();
    loop {
        match recv(&mut ws).await {
            (Received::Ping(_), _) => pings += 1,
            (got, _) => {
                assert_eq!(got, Received::Text("in three parts".into()));
                break;
            }
        }
    }
    // wait (bounded) for at least one server ping: the server pings after 0.2 s of silence
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while pings == 0 && tokio::time::Instant::now() < deadline {
        if let (Received::Ping(_), _) = recv(&mut ws).await {
            pings += 1;
        }
    }
    assert!(pings > 0, "wsguard serve --ping-interval 0.2 sent no ping");
    assert_eq!(ws.close(1000, "bye").await.expect("close"), 1000);
}

#[tokio::test(flavor = "current_thread")]
async fn wsguard_serve_refusals_are_diagnosed_with_its_code() {
    let Some(peer) = start(&[]).await else { return };
    let host = format!("127.0.0.1:{}", peer.ws_port);
    // a refused Origin: 403 and the server's machine code in the body
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let req = ClientRequest::new(&host, "/ws", *b"wsguard <-> core")
        .origin("https://evil-panel.example.com");
    let err = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(1),
    )
    .await
    .map(|_| ())
    .unwrap_err();
    let ConnectError::Handshake(ClientFailure::Rejected(d)) = err else {
        panic!("{err:?}")
    };
    assert_eq!((d.status, d.kind), (403, DiagnosisKind::Forbidden), "{d:?}");
    assert!(
        d.server_code.is_some_and(|c| c.starts_with("origin_")),
        "{d:?}"
    );
    // a wrong path: 404
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let req = ClientRequest::new(&host, "/socket", *b"wsguard <-> core").origin(ORIGIN);
    let err = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(1),
    )
    .await
    .map(|_| ())
    .unwrap_err();
    assert_eq!(err.code(), "not_found", "{err:?}");
}
