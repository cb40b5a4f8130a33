//! The embassy example's reader task and writer task as two real embassy tasks, spawned
//! on embassy-executor's std executor (one thread, like the board's thread-mode
//! executor), sharing one WebSocket split by the core — against Python `websockets` on
//! 127.0.0.1. The TCP halves are tokio sockets (`into_split` through
//! embedded-io-adapters) whose reactor runs on a one-worker tokio runtime beside it;
//! timers are embassy-time's std driver. On the host the halves can be `'static` (owned
//! halves, leaked buffers), so they are spawned as tasks; see docs/FIRMWARE.md for why a
//! reconnecting board runs them as two futures of its connection task instead.

use std::sync::mpsc;
use std::time::Duration;

use embassy_executor::{Executor, Spawner};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embedded_io_adapters::tokio_1::FromTokio;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use wsguard_core::handshake::ClientRequest;
use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
use wsguard_core::io::{connect, Duplex, Message, Options, Reader, SplitState, Writer};
use wsguard_core::reconnect::Disconnect;
use wsguard_embassy_example::{now_ms, reader_task, writer_task, Outbox, Outgoing};
use wsguard_embedded_host::python_peer;

type R = FromTokio<OwnedReadHalf>;
type W = FromTokio<OwnedWriteHalf>;

/// Fed by the test thread, read by the writer task (a critical-section mutex: two threads).
static OUTBOX: Outbox<CriticalSectionRawMutex> = Outbox::new();

/// What the tasks report to the test thread.
#[derive(Debug, PartialEq)]
enum Report {
    Text(String),
    Ping,
    ReaderEnded(Disconnect),
    WriterEnded(Disconnect),
    ConnectFailed(String),
}

#[embassy_executor::task]
async fn reader(mut reader: Reader<'static, 'static, R, W>, out: mpsc::Sender<Report>) {
    let mut hb = Heartbeat::new(HeartbeatConfig::DEFAULT, now_ms());
    let ended = reader_task(&mut reader, &mut hb, |m| {
        let _ = out.send(match m {
            Message::Text(t) => Report::Text((*t).to_string()),
            Message::Ping(_) => Report::Ping,
            _ => return,
        });
    })
    .await;
    let _ = out.send(Report::ReaderEnded(ended));
}

#[embassy_executor::task]
async fn writer(mut writer: Writer<'static, 'static, W>, out: mpsc::Sender<Report>) {
    let ended = writer_task(&mut writer, &OUTBOX).await;
    let _ = out.send(Report::WriterEnded(ended));
}

#[embassy_executor::task]
async fn connection(spawner: Spawner, io: Duplex<R, W>, host: String, out: mpsc::Sender<Report>) {
    let rx: &'static mut [u8] = Box::leak(Box::new([0u8; 1024]));
    let tx: &'static mut [u8] = Box::leak(Box::new([0u8; 512]));
    let host: &'static str = Box::leak(host.into_boxed_str());
    let req: &'static ClientRequest<'static> = Box::leak(Box::new(ClientRequest::new(
        host,
        "/echo",
        *b"two embassy task",
    )));
    let ws = match connect(io, rx, tx, req, Options::new(0xE1BA55)).await {
        Ok(c) => c.socket,
        Err(e) => {
            let _ = out.send(Report::ConnectFailed(format!("{e:?}")));
            return;
        }
    };
    let state: &'static mut SplitState<'static, W> = Box::leak(Box::new(SplitState::new()));
    let (r, w) = ws.split(state);
    spawner.spawn(reader(r, out.clone()).expect("one reader task"));
    spawner.spawn(writer(w, out).expect("one writer task"));
}

#[test]
fn reader_and_writer_as_two_embassy_tasks_on_the_std_executor() {
    let peer = python_peer();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let stream = rt
        .block_on(tokio::net::TcpStream::connect(("127.0.0.1", peer.ws_port)))
        .expect("tcp connect to 127.0.0.1");
    stream.set_nodelay(true).unwrap();
    let (r, w) = stream.into_split();
    let io = Duplex {
        reader: FromTokio::new(r),
        writer: FromTokio::new(w),
    };
    let host = format!("127.0.0.1:{}", peer.ws_port);
    let (out, reports) = mpsc::channel();
    std::thread::spawn(move || {
        let executor: &'static mut Executor = Box::leak(Box::new(Executor::new()));
        executor.run(move |spawner| spawner.spawn(connection(spawner, io, host, out).unwrap()));
    });
    // The server pings on "ping:…" and answers "pong-ok:…" once our pong arrived: the
    // reader task answers while the writer task waits for the next outbox item.
    let text = |s: &str| Outgoing::Text(heapless::String::try_from(s).unwrap());
    for m in ["ping:a", "hello", "ping:b", "close:1001:restart"] {
        OUTBOX.try_send(text(m)).expect("outbox has room for 4");
    }
    let mut got = Vec::new();
    while let Ok(r) = reports.recv_timeout(Duration::from_secs(20)) {
        let end = matches!(r, Report::ReaderEnded(_) | Report::ConnectFailed(_));
        got.push(r);
        if end {
            break;
        }
    }
    assert_eq!(
        got,
        [
            Report::Ping,
            Report::Text("pong-ok:a".into()),
            Report::Text("hello".into()),
            Report::Ping,
            Report::Text("pong-ok:b".into()),
            Report::ReaderEnded(Disconnect::Close(1001)),
        ]
    );
    drop(rt);
}
