//! The embassy example's tasks (examples/embassy/src/lib.rs: `session`, `reader_task`,
//! `writer_task`, `retry_after`) on the host: the same code the firmware runs, with
//! embassy-time's std driver, over a real 127.0.0.1 TCP connection split into its two
//! halves (`TcpStream::into_split` through embedded-io-adapters — embassy-net's
//! `TcpSocket::split()` on the board), against Python `websockets` and `wsguard serve`.
//! The reader and writer run as two futures on one thread, as on the board's executor.

use std::cell::RefCell;

use embassy_futures::join::join;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_time::{Duration, Instant, Timer};
use embedded_io_adapters::tokio_1::FromTokio;
use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
use wsguard_core::io::{Duplex, Message, Options, SplitState, WebSocket, MAX_DEADLINE_MS};
use wsguard_core::reconnect::{Disconnect, Jitter, Reconnect, ReconnectConfig};
use wsguard_embassy_example::{
    deadline_instant, reading, retry_after, session, Endpoint, Outbox, Outgoing, RX_LEN, TX_LEN,
};
use wsguard_embedded_host::{python_peer, wait_for_port, wsguard_peer};

type Half<T> = FromTokio<T>;

async fn halves(
    port: u16,
) -> Duplex<Half<tokio::net::tcp::OwnedReadHalf>, Half<tokio::net::tcp::OwnedWriteHalf>> {
    let s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("tcp connect to 127.0.0.1");
    s.set_nodelay(true).unwrap();
    let (r, w) = s.into_split();
    Duplex {
        reader: FromTokio::new(r),
        writer: FromTokio::new(w),
    }
}

fn text(s: &str) -> Outgoing {
    Outgoing::Text(heapless::String::try_from(s).unwrap())
}

/// Without the `wsguard` binary: a failure under CI=true, a skip otherwise.
fn skip_unless_ci() {
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the wsguard binary is missing: run `cargo build -p wsguard-cli` first (or set WSGUARD_BIN)"
    );
    eprintln!("SKIP: no wsguard binary (cargo build -p wsguard-cli)");
}

/// Fast retries so the test does not sleep for the default seconds.
const FAST: ReconnectConfig<'static> = ReconnectConfig {
    base_ms: 20,
    cap_ms: 100,
    going_away_delay_ms: 20,
    jitter: Jitter::Full,
    ..ReconnectConfig::DEFAULT
};

/// `retry_after` on how the session ended: whether to retry, and the decision's code.
async fn decide(rc: &mut Reconnect<'_>, ended: Disconnect) -> (bool, String) {
    let mut code = String::new();
    let retry = retry_after(rc, ended, 7, async || {}, |c, _| code = c.to_string()).await;
    (retry, code)
}

/// What the reader task saw.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    texts: Vec<String>,
    pings: usize,
}

fn record(seen: &RefCell<Seen>) -> impl FnMut(&Message<'_>) + '_ {
    move |m| match m {
        Message::Text(t) => seen.borrow_mut().texts.push((*t).to_string()),
        Message::Ping(_) => seen.borrow_mut().pings += 1,
        _ => {}
    }
}

/// One `session` on 127.0.0.1:`port` beside `side` (the firmware's other tasks, which
/// feed `outbox`); returns how it ended, what the reader task saw and the log codes.
async fn run_session(
    port: u16,
    path: &str,
    origin: Option<&str>,
    rc: &mut Reconnect<'_>,
    outbox: &Outbox<NoopRawMutex>,
    side: impl std::future::Future<Output = ()>,
) -> (Disconnect, Seen, Vec<String>) {
    let host = format!("127.0.0.1:{port}");
    let (mut rx, mut tx) = ([0u8; RX_LEN], [0u8; TX_LEN]);
    let seen = RefCell::new(Seen::default());
    let mut logged = Vec::new();
    let endpoint = Endpoint {
        host: &host,
        path,
        subprotocols: &[],
        origin,
    };
    let io = halves(port).await;
    let (ended, ()) = join(
        session(
            io,
            &mut rx,
            &mut tx,
            endpoint,
            rc,
            outbox,
            || 0x1234_5678,
            |code, _| logged.push(code.to_string()),
            record(&seen),
        ),
        side,
    )
    .await;
    (ended, seen.into_inner(), logged)
}

#[tokio::test(flavor = "current_thread")]
async fn reader_and_writer_tasks_with_python_websockets() {
    let peer = python_peer();
    let outbox: Outbox<NoopRawMutex> = Outbox::new();
    let mut rc = Reconnect::new(FAST);
    // The server pings on "ping:…" and answers "pong-ok:…" only once our pong arrived
    // (within 5 s): the reader task answers while the writer task waits for the outbox.
    let feed = async {
        for m in ["ping:one", "hello", "ping:two", "close:1001:restart"] {
            outbox.send(text(m)).await;
        }
    };
    let (ended, seen, logged) =
        run_session(peer.ws_port, "/echo", None, &mut rc, &outbox, feed).await;
    assert_eq!(ended, Disconnect::Close(1001));
    assert_eq!(
        seen,
        Seen {
            texts: vec!["pong-ok:one".into(), "hello".into(), "pong-ok:two".into()],
            pings: 2
        }
    );
    assert_eq!(logged, ["connection ended"]);
    // 1001 going away: the policy retries soon.
    assert_eq!(
        decide(&mut rc, ended).await,
        (true, "reconnect_retry".into())
    );
}

#[tokio::test(flavor = "current_thread")]
async fn sensor_readings_through_the_writer_task_with_wsguard_serve() {
    const ORIGIN: &str = "https://panel.example.com";
    // serve pings after 0.2 s of silence and drops a peer whose pong is 1 s late.
    let args = [
        "--allow",
        ORIGIN,
        "--ping-interval",
        "0.2",
        "--pong-timeout",
        "1",
    ];
    let Some(peer) = wsguard_peer(&args) else {
        return skip_unless_ci();
    };
    wait_for_port(peer.ws_port).await;
    let outbox: Outbox<NoopRawMutex> = Outbox::new();
    let mut rc = Reconnect::new(FAST);
    let sent: Vec<String> = (1..=4)
        .map(|i| reading(i, 200 + i as i32).to_string())
        .collect();
    // The sensor task: a reading every 0.5 s (the server pings in each gap), then stop.
    let sensor = async {
        for r in &sent {
            Timer::after(Duration::from_millis(500)).await;
            outbox.send(text(r)).await;
        }
        outbox.send(Outgoing::Close).await;
    };
    let (ended, seen, _) =
        run_session(peer.ws_port, "/ws", Some(ORIGIN), &mut rc, &outbox, sensor).await;
    // Our Close (1000) answered by the server: the handshake completed in the reader.
    assert_eq!(ended, Disconnect::Close(1000));
    assert_eq!(seen.texts, sent, "every reading echoed, in order");
    assert!(
        seen.pings >= 1,
        "the server pinged in the idle gaps: {seen:?}"
    );
    // 1000: the reconnect policy stops.
    assert_eq!(
        decide(&mut rc, ended).await,
        (false, "reconnect_stop_normal".into())
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_that_goes_away_makes_the_policy_retry() {
    let Some(mut peer) = wsguard_peer(&["--allow-missing-origin"]) else {
        return skip_unless_ci();
    };
    wait_for_port(peer.ws_port).await;
    let port = peer.ws_port;
    let outbox: Outbox<NoopRawMutex> = Outbox::new();
    let mut rc = Reconnect::new(FAST);
    let kill = async {
        outbox.send(text("still there?")).await;
        Timer::after(Duration::from_millis(300)).await;
        peer.kill();
    };
    let (ended, seen, _) = run_session(port, "/ws", None, &mut rc, &outbox, kill).await;
    // No Close frame: 1006, retried with backoff.
    assert_eq!(ended, Disconnect::Close(1006));
    assert_eq!(seen.texts, ["still there?"]);
    assert_eq!(
        decide(&mut rc, ended).await,
        (true, "reconnect_retry".into())
    );
}

/// docs/FIRMWARE.md's snippet: `Timer::at(Instant::from_millis(deadline))` on what the
/// core returns, at the extremes of the caller's clock. Test builds keep overflow checks
/// on, so an overflow here is a panic.
#[test]
fn deadline_arithmetic_of_the_documented_snippet_cannot_overflow() {
    struct Null;
    impl embedded_io_async::ErrorType for Null {
        type Error = core::convert::Infallible;
    }
    impl embedded_io_async::Read for Null {
        async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> {
            Ok(0)
        }
    }
    impl embedded_io_async::Write for Null {
        async fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> {
            Ok(b.len())
        }
        async fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    let io = Duplex {
        reader: Null,
        writer: Null,
    };
    let ws = WebSocket::new(
        io,
        &mut rx,
        &mut tx,
        wsguard_core::frame::Role::Client,
        Options::new(1),
    )
    .unwrap();
    let mut state = SplitState::new();
    let (mut reader, _writer) = ws.split(&mut state);
    let cfg = HeartbeatConfig::DEFAULT;
    let embassy_max_ms = Instant::MAX.as_millis();
    for now in [
        0,
        1,
        MAX_DEADLINE_MS - 1,
        MAX_DEADLINE_MS,
        embassy_max_ms,
        u64::MAX / 2,
    ] {
        let mut hb = Heartbeat::new(cfg, now);
        let deadline = embassy_futures::block_on(reader.heartbeat(&mut hb, now)).unwrap();
        let ms = deadline.expect("an open connection has a deadline");
        assert!(ms <= MAX_DEADLINE_MS, "now={now}: {ms}");
        // The snippet's arithmetic, verbatim:
        let at = Instant::from_millis(ms);
        assert_eq!(at.as_millis(), ms);
        assert_eq!(deadline_instant(deadline), Some(at));
        if now < MAX_DEADLINE_MS - cfg.interval_ms() {
            assert_eq!(ms, now + cfg.interval_ms());
        }
    }
    // After a Close there is nothing to wait for: None, not a u64::MAX sentinel
    // (Instant::from_millis(u64::MAX) would overflow: try_from_millis says so).
    let mut hb = Heartbeat::new(cfg, 0);
    hb.on_close(1);
    assert_eq!(
        embassy_futures::block_on(reader.heartbeat(&mut hb, 2)),
        Ok(None)
    );
    assert_eq!(deadline_instant(None), None);
    assert_eq!(Instant::try_from_millis(u64::MAX), None);
    assert!(Instant::try_from_millis(MAX_DEADLINE_MS).is_some());
}
