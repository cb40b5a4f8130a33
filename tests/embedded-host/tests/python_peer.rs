//! The no_std async client (and server) of wsguard-core, driven on tokio through
//! `embedded-io-adapters`, against the Python `websockets` reference implementation and
//! a plain HTTP server.

use wsguard_core::frame::MessageKind;
use wsguard_core::handshake::{ClientFailure, ClientRequest, DiagnosisKind};
use wsguard_core::io::{connect, ConnectError, Error, Options};
use wsguard_core::reconnect::Disconnect;
use wsguard_core::Diagnostic;
use wsguard_embedded_host::{python_peer, recv, tcp, Pieces, Received};

const RX: usize = 1024;
const TX: usize = 512;

fn nonce(i: u8) -> [u8; 16] {
    let mut n = *b"wsguard-hosttest";
    n[0] ^= i;
    n
}

#[tokio::test(flavor = "current_thread")]
async fn echo_of_many_sizes_including_larger_than_the_read_buffer() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/echo", nonce(1));
    let mut ws = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(0xDEAD_BEEF),
    )
    .await
    .unwrap_or_else(|e| panic!("connect: {} {:?}", e.code(), e))
    .socket;
    for size in [
        0usize, 1, 125, 126, 127, 500, 1023, 1024, 1025, 4096, 65_535, 65_536, 200_000,
    ] {
        let data: Vec<u8> = (0..size).map(|i| (i * 31 + size) as u8).collect();
        ws.send_binary(&data).await.unwrap();
        let (got, Pieces(pieces)) = recv(&mut ws).await;
        assert_eq!(got, Received::Binary(data), "size {size}");
        // whole when it fits in the read buffer, streamed in pieces when it does not
        if size <= RX {
            assert_eq!(pieces, 1, "size {size}");
        } else {
            assert!(pieces > 1, "size {size} came in {pieces} piece(s)");
        }
        let text = "é".repeat(size / 2);
        ws.send_text(&text).await.unwrap();
        assert_eq!(
            recv(&mut ws).await.0,
            Received::Text(text),
            "text size {size}"
        );
    }
    // a fragmented message sent by this side is reassembled by the peer and echoed whole
    ws.send_fragment(MessageKind::Text, "frag".as_bytes(), false)
        .await
        .unwrap();
    ws.send_fragment(MessageKind::Text, &[0xC3], false)
        .await
        .unwrap(); // 'é' split in two
    ws.send_fragment(MessageKind::Text, &[0xA9], true)
        .await
        .unwrap();
    assert_eq!(recv(&mut ws).await.0, Received::Text("fragé".into()));
    assert_eq!(ws.close(1000, "done").await.expect("close"), 1000);
}

#[tokio::test(flavor = "current_thread")]
async fn fragmented_messages_from_the_server_are_reassembled_or_streamed() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/echo", nonce(2));
    let mut ws = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(7),
    )
    .await
    .unwrap()
    .socket;
    for (n, size) in [
        (2usize, 10usize),
        (5, 100),
        (3, 300),
        (10, 500),
        (4, 20_000),
    ] {
        ws.send_text(&format!("frag:{n}:{size}")).await.unwrap();
        let expected: String = (0..n)
            .map(|i| char::from(b'a' + (i % 26) as u8).to_string().repeat(size))
            .collect();
        let (got, Pieces(pieces)) = recv(&mut ws).await;
        assert_eq!(got, Received::Text(expected), "{n} fragments of {size}");
        if n * size <= RX {
            assert_eq!(pieces, 1, "{n}x{size} fits the buffer: reassembled whole");
        }
    }
    assert_eq!(ws.close(1000, "").await.expect("close"), 1000);
}

#[tokio::test(flavor = "current_thread")]
async fn server_ping_is_answered_and_client_ping_gets_a_pong() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/echo", nonce(3));
    let mut ws = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(9),
    )
    .await
    .unwrap()
    .socket;
    ws.send_text("ping:hb-42").await.unwrap();
    assert_eq!(recv(&mut ws).await.0, Received::Ping(b"hb-42".to_vec()));
    // the pong went out automatically; the server confirms it arrived
    assert_eq!(
        recv(&mut ws).await.0,
        Received::Text("pong-ok:hb-42".into())
    );
    ws.send_ping(b"from-device").await.unwrap();
    assert_eq!(
        recv(&mut ws).await.0,
        Received::Pong(b"from-device".to_vec())
    );
    // the heartbeat state machine, time passed in: it pings, the pong gives the RTT
    use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
    let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 5_000, 2).unwrap(), 0);
    assert_eq!(
        ws.heartbeat(&mut hb, 1_000).await.expect("heartbeat"),
        Some(2_000)
    );
    let (got, _) = recv(&mut ws).await;
    let Received::Pong(p) = got else {
        panic!("{got:?}")
    };
    assert_eq!(
        wsguard_core::io::Message::Pong(&p).update_heartbeat(&mut hb, 1_003),
        Some(3)
    );
    assert_eq!(ws.close(1000, "").await.expect("close"), 1000);
}

#[tokio::test(flavor = "current_thread")]
async fn server_initiated_close_is_echoed_and_reported() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/echo", nonce(4));
    let mut ws = connect(
        tcp(peer.ws_port).await,
        &mut rx,
        &mut tx,
        &req,
        Options::new(11),
    )
    .await
    .unwrap()
    .socket;
    ws.send_text("close:4403:origin not allowed").await.unwrap();
    assert_eq!(
        recv(&mut ws).await.0,
        Received::Close(Some(4403), "origin not allowed".into())
    );
    let err = ws.read().await.map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::Closed), "{err:?}");
    // 4403 → wait for re-authentication (with the conventional app codes) or stop; never a hot loop
    let d =
        wsguard_core::reconnect::Reconnect::new(wsguard_core::reconnect::ReconnectConfig::DEFAULT)
            .on_disconnect(Disconnect::Close(4403), 0, 0);
    assert!(
        !matches!(
            d,
            wsguard_core::reconnect::Decision::RetryAt { delay_ms: 0, .. }
        ),
        "{d:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn refused_upgrade_403_is_diagnosed() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let req = ClientRequest::new(&host, "/forbidden", nonce(5)).origin("https://evil.example");
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
    assert_eq!((d.status, d.kind), (403, DiagnosisKind::Forbidden));
    assert_eq!(d.server_code, Some("origin_not_allowed"));
    assert_eq!(err.code(), "forbidden");
    assert_eq!(
        err.disconnect(),
        Some(Disconnect::HttpStatus {
            status: 403,
            retry_after_s: None
        })
    );
}

#[tokio::test(flavor = "current_thread")]
async fn plain_http_server_is_diagnosed() {
    let peer = python_peer();
    let (mut rx, mut tx) = ([0u8; RX], [0u8; TX]);
    let host = format!("127.0.0.1:{}", peer.http_port);
    let req = ClientRequest::new(&host, "/ws", nonce(6));
    let err = connect(
        tcp(peer.http_port).await,
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
    assert_eq!((d.status, d.kind), (200, DiagnosisKind::NotWebSocket));
    assert_eq!(err.code(), "http_200_not_websocket");
    assert!(err.remedy().len() > 10);
}
