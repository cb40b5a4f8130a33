//! The split halves driven by hand, poll by poll, over an in-memory pipe whose reads pend
//! until the test feeds bytes and whose writes pend until the test grants a budget — so
//! "the writer is in the middle of a frame" and "the writer is idle" are exact states.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::vec::Vec;

use crate::frame::encoder::write_frame;
use crate::frame::{CloseState, Decoded, Decoder, DecoderConfig, Event, MessageKind, Opcode, Role};
use crate::heartbeat::{Heartbeat, HeartbeatConfig};
use crate::io::{Duplex, Error, Message, Options, SplitState, WebSocket, MAX_DEADLINE_MS};

type Infallible = core::convert::Infallible;

#[derive(Debug, Default)]
struct Pipe {
    input: RefCell<Vec<u8>>,
    eof: Cell<bool>,
    output: RefCell<Vec<u8>>,
    /// Bytes the write half may still accept before it pends.
    budget: Cell<usize>,
    /// Largest single write.
    chunk: Cell<usize>,
}

impl Pipe {
    fn new() -> Self {
        let p = Pipe::default();
        p.budget.set(usize::MAX);
        p.chunk.set(usize::MAX);
        p
    }
    fn feed(&self, bytes: &[u8]) {
        self.input.borrow_mut().extend_from_slice(bytes);
    }
    fn written(&self) -> Vec<u8> {
        self.output.borrow().clone()
    }
}

#[derive(Debug)]
struct In<'p>(&'p Pipe);
#[derive(Debug)]
struct Out<'p>(&'p Pipe);

impl embedded_io_async::ErrorType for In<'_> {
    type Error = Infallible;
}
impl embedded_io_async::ErrorType for Out<'_> {
    type Error = Infallible;
}
impl embedded_io_async::Read for In<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        core::future::poll_fn(|_| {
            let mut input = self.0.input.borrow_mut();
            if input.is_empty() {
                return if self.0.eof.get() {
                    Poll::Ready(Ok(0))
                } else {
                    Poll::Pending
                };
            }
            let n = buf.len().min(input.len());
            buf[..n].copy_from_slice(&input[..n]);
            input.drain(..n);
            Poll::Ready(Ok(n))
        })
        .await
    }
}
impl embedded_io_async::Write for Out<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        core::future::poll_fn(|_| {
            let n = buf.len().min(self.0.budget.get()).min(self.0.chunk.get());
            if n == 0 && !buf.is_empty() {
                return Poll::Pending;
            }
            self.0.budget.set(self.0.budget.get() - n);
            self.0.output.borrow_mut().extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        })
        .await
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

/// Polls until ready (the pipe is set up so that it is).
fn run<F: Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    for _ in 0..1_000 {
        if let Poll::Ready(v) = poll(f.as_mut()) {
            return v;
        }
    }
    panic!("future still pending after 1000 polls");
}

/// A frame from the server (unmasked).
fn server(op: Opcode, payload: &[u8]) -> Vec<u8> {
    let mut out = std::vec![0u8; payload.len() + 14];
    let n = write_frame(&mut out, true, op, payload, None).unwrap();
    out.truncate(n);
    out
}

/// What a client wrote, decoded by a server: (opcode, payload) per frame.
fn frames(bytes: &[u8]) -> Vec<(Opcode, Vec<u8>)> {
    let mut buf = bytes.to_vec();
    let mut dec = Decoder::new(DecoderConfig::new(Role::Server));
    let (mut at, mut out) = (0, Vec::new());
    while at < buf.len() {
        match dec.decode(&mut buf[at..]).unwrap() {
            Decoded::Incomplete { .. } => panic!("truncated frame at {at} of {}", bytes.len()),
            Decoded::Event { consumed, event } => {
                match event {
                    Event::Data {
                        kind,
                        payload,
                        fin_of_frame: true,
                        ..
                    } => out.push((
                        match kind {
                            MessageKind::Text => Opcode::Text,
                            _ => Opcode::Binary,
                        },
                        payload.to_vec(),
                    )),
                    Event::Ping(p) => out.push((Opcode::Ping, p.to_vec())),
                    Event::Pong(p) => out.push((Opcode::Pong, p.to_vec())),
                    Event::Close(c) => {
                        let mut v = c.code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default();
                        v.extend_from_slice(c.reason.as_bytes());
                        out.push((Opcode::Close, v));
                    }
                    _ => {}
                }
                at += consumed;
            }
        }
    }
    out
}

/// A whole (unsplit) client WebSocket over the pipe.
fn whole<'b, 'p>(
    pipe: &'p Pipe,
    rx: &'b mut [u8],
    tx: &'b mut [u8],
) -> WebSocket<'b, Duplex<In<'p>, Out<'p>>> {
    let io = Duplex {
        reader: In(pipe),
        writer: Out(pipe),
    };
    WebSocket::new(io, rx, tx, Role::Client, Options::new(1)).unwrap()
}

macro_rules! split_client {
    ($pipe:ident, $reader:ident, $writer:ident, $state:ident, $tx:expr) => {
        let mut rx = [0u8; 256];
        let mut tx = [0u8; $tx];
        let io = Duplex {
            reader: In(&$pipe),
            writer: Out(&$pipe),
        };
        let ws = WebSocket::new(io, &mut rx, &mut tx, Role::Client, Options::new(99)).unwrap();
        let mut $state = SplitState::new();
        #[allow(unused_mut)]
        let (mut $reader, mut $writer) = ws.split(&mut $state);
    };
}

#[test]
fn idle_writer_the_reader_answers_the_ping_itself() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.feed(&server(Opcode::Ping, b"are you there"));
    assert!(matches!(
        run(reader.read()),
        Ok(Message::Ping(b"are you there"))
    ));
    assert_eq!(
        frames(&pipe.written()),
        [(Opcode::Pong, b"are you there".to_vec())]
    );
    run(writer.send_text("after")).unwrap();
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Pong, b"are you there".to_vec()),
            (Opcode::Text, b"after".to_vec())
        ]
    );
}

#[test]
fn busy_writer_the_pong_follows_its_frame_and_never_splits_it() {
    let pipe = Pipe::new();
    // A 1000-byte message through a 256-byte write buffer: four transport writes.
    split_client!(pipe, reader, writer, state, 256);
    let big = [0x5Au8; 1000];
    pipe.budget.set(300);
    let mut send = core::pin::pin!(writer.send_binary(&big));
    assert!(poll(send.as_mut()).is_pending()); // mid-frame: 300 bytes out
    assert_eq!(pipe.written().len(), 300);

    pipe.feed(&server(Opcode::Ping, b"1"));
    {
        // The reader gets the ping without waiting for the writer …
        let mut read = core::pin::pin!(reader.read());
        assert!(matches!(
            poll(read.as_mut()),
            Poll::Ready(Ok(Message::Ping(b"1")))
        ));
    }
    // … and writes nothing into the middle of the frame.
    assert_eq!(pipe.written().len(), 300);

    pipe.budget.set(usize::MAX);
    assert_eq!(run(send.as_mut()), Ok(()));
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Binary, big.to_vec()),
            (Opcode::Pong, b"1".to_vec())
        ]
    );
}

#[test]
fn every_ping_during_a_long_send_is_answered_between_fragments() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    let mut answered = 0;
    for i in 0..5u8 {
        pipe.budget.set(10); // the writer is slow
        let last = i == 4;
        let mut send =
            core::pin::pin!(writer.send_fragment(MessageKind::Text, b"0123456789abcdef", last));
        assert!(poll(send.as_mut()).is_pending());
        pipe.feed(&server(Opcode::Ping, &[i]));
        assert!(matches!(run(reader.read()), Ok(Message::Ping(p)) if p == [i]));
        answered += 1;
        pipe.budget.set(usize::MAX);
        run(send.as_mut()).unwrap();
    }
    let got = frames(&pipe.written());
    assert_eq!(got.len(), 10);
    for i in 0..5u8 {
        assert_eq!(got[2 * usize::from(i) + 1], (Opcode::Pong, std::vec![i]));
    }
    assert_eq!(answered, 5);
}

#[test]
fn the_peer_close_is_echoed_before_read_returns_even_after_a_busy_frame() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    let big = [1u8; 600];
    pipe.budget.set(100);
    let mut send = core::pin::pin!(writer.send_binary(&big));
    assert!(poll(send.as_mut()).is_pending());
    pipe.feed(&server(Opcode::Close, b"\x03\xe9restart"));
    let mut read = core::pin::pin!(reader.read());
    // The echo must wait for the writer's frame: the reader waits too.
    assert!(poll(read.as_mut()).is_pending());
    pipe.budget.set(usize::MAX);
    assert_eq!(run(send.as_mut()), Ok(()));
    let Poll::Ready(Ok(Message::Close(c))) = poll(read.as_mut()) else {
        panic!("the Close should be returned once the echo is out")
    };
    assert_eq!((c.code, c.reason), (Some(1001), "restart"));
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Binary, big.to_vec()),
            (Opcode::Close, b"\x03\xe9".to_vec())
        ]
    );
}

#[test]
fn after_the_peer_close_the_writer_is_closed_and_reads_end() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.feed(&server(Opcode::Close, b"\x03\xe8"));
    assert!(matches!(run(reader.read()), Ok(Message::Close(_))));
    assert_eq!(writer.close_state(), CloseState::Closed);
    assert_eq!(run(writer.send_text("x")), Err(Error::Closed));
    assert_eq!(run(writer.send_ping(b"x")), Err(Error::Closed));
    pipe.eof.set(true);
    assert_eq!(run(reader.read()).map(|_| ()), Err(Error::Closed));
    assert_eq!(reader.ending().map(|e| e.code()), Some(1000));
}

#[test]
fn writer_close_then_reader_reads_the_answer() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    run(writer.send_close(1000, "bye")).unwrap();
    assert_eq!(
        frames(&pipe.written()),
        [(Opcode::Close, b"\x03\xe8bye".to_vec())]
    );
    assert_eq!(run(writer.send_text("late")), Err(Error::Closed));
    // Data the server sent before it saw our Close still arrives, then its echo.
    pipe.feed(&server(Opcode::Text, b"last words"));
    pipe.feed(&server(Opcode::Close, b"\x03\xe8"));
    assert!(matches!(
        run(reader.read()),
        Ok(Message::Text("last words"))
    ));
    assert!(matches!(run(reader.read()), Ok(Message::Close(c)) if c.code == Some(1000)));
    assert_eq!(reader.close_state(), CloseState::Closed);
    // No second Close went out.
    assert_eq!(frames(&pipe.written()).len(), 1);
}

#[test]
fn a_cancelled_pong_is_finished_by_the_writer_first() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.feed(&server(Opcode::Ping, b"0123456789"));
    pipe.budget.set(3);
    {
        let mut read = core::pin::pin!(reader.read());
        // The reader took the idle write side and is stuck 3 bytes into the pong.
        assert!(poll(read.as_mut()).is_pending());
    } // dropped (e.g. its timer won the race)
    assert_eq!(pipe.written().len(), 3);
    pipe.budget.set(usize::MAX);
    run(writer.send_text("next")).unwrap();
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Pong, b"0123456789".to_vec()),
            (Opcode::Text, b"next".to_vec())
        ]
    );
}

#[test]
fn a_cancelled_large_send_breaks_both_halves() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.budget.set(50);
    {
        let big = [0u8; 700];
        let mut send = core::pin::pin!(writer.send_binary(&big));
        assert!(poll(send.as_mut()).is_pending());
    }
    pipe.budget.set(usize::MAX);
    assert_eq!(run(writer.send_text("x")), Err(Error::Broken));
    pipe.feed(&server(Opcode::Ping, b"p"));
    assert_eq!(run(reader.read()).map(|_| ()), Err(Error::Broken));
}

#[test]
fn a_lost_transport_ends_the_writer_too() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.eof.set(true);
    assert_eq!(run(reader.read()).map(|_| ()), Err(Error::ConnectionLost));
    assert_eq!(reader.ending().map(|e| e.code()), Some(1006));
    assert_eq!(run(writer.send_text("x")), Err(Error::Closed));
}

#[test]
fn protocol_violation_sends_its_close_and_stops_the_writer() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.feed(&server(Opcode::Text, b"\xff"));
    assert_eq!(
        run(reader.read()).map(|_| ()),
        Err(Error::Protocol(crate::frame::ProtocolError::InvalidUtf8))
    );
    let out = frames(&pipe.written());
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].0, &out[0].1[..2]),
        (Opcode::Close, &1007u16.to_be_bytes()[..])
    );
    assert_eq!(run(writer.send_text("x")), Err(Error::Closed));
}

#[test]
fn the_writer_waits_for_the_reader_holding_the_write_side() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    pipe.feed(&server(Opcode::Ping, b"pp"));
    pipe.budget.set(4);
    let mut read = core::pin::pin!(reader.read());
    assert!(poll(read.as_mut()).is_pending()); // 4 bytes of the pong out
    let mut send = core::pin::pin!(writer.send_text("mine"));
    assert!(poll(send.as_mut()).is_pending()); // waits for the lock
    assert_eq!(pipe.written().len(), 4);
    pipe.budget.set(usize::MAX);
    assert!(matches!(
        poll(read.as_mut()),
        Poll::Ready(Ok(Message::Ping(b"pp")))
    ));
    assert_eq!(poll(send.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Pong, b"pp".to_vec()),
            (Opcode::Text, b"mine".to_vec())
        ]
    );
}

#[test]
fn split_keeps_bytes_that_arrived_with_the_handshake() {
    let pipe = Pipe::new();
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let first = server(Opcode::Text, b"early");
    rx[..first.len()].copy_from_slice(&first);
    let io = Duplex {
        reader: In(&pipe),
        writer: Out(&pipe),
    };
    let ws = WebSocket::new(io, &mut rx, &mut tx, Role::Client, Options::new(1))
        .unwrap()
        .with_leftover(first.len());
    let mut state = SplitState::new();
    let (mut reader, _writer) = ws.split(&mut state);
    assert!(matches!(run(reader.read()), Ok(Message::Text("early"))));
}

#[test]
fn heartbeat_deadlines_are_options_clamped_for_timer_arithmetic() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    let cfg = HeartbeatConfig::new(1_000, 2_500, 3).unwrap();
    // The extremes of a caller's clock: 0, the clamp itself, far beyond it. (Within one
    // interval of u64::MAX the heartbeat saturates into its own "no deadline".)
    let mut hb = Heartbeat::new(cfg, 0);
    assert_eq!(run(reader.heartbeat(&mut hb, 0)), Ok(Some(1_000)));
    let mut hb = Heartbeat::new(cfg, MAX_DEADLINE_MS - 10);
    assert_eq!(
        run(reader.heartbeat(&mut hb, MAX_DEADLINE_MS - 10)),
        Ok(Some(MAX_DEADLINE_MS))
    );
    let mut hb = Heartbeat::new(cfg, u64::MAX / 2);
    assert_eq!(
        run(reader.heartbeat(&mut hb, u64::MAX / 2)),
        Ok(Some(MAX_DEADLINE_MS))
    );
    // After a Close: nothing to wait for, never a u64::MAX sentinel.
    let mut hb = Heartbeat::new(cfg, 0);
    Message::Close(crate::close::ClosePayload {
        code: Some(1000),
        reason: "",
    })
    .update_heartbeat(&mut hb, 10);
    assert_eq!(run(reader.heartbeat(&mut hb, 10)), Ok(None));
    // The ping of a due heartbeat went through the shared write side.
    let mut hb = Heartbeat::new(cfg, 0);
    assert_eq!(run(reader.heartbeat(&mut hb, 1_000)), Ok(Some(2_000)));
    assert_eq!(
        frames(&pipe.written()),
        [(Opcode::Ping, 1u64.to_be_bytes().to_vec())]
    );
    let _ = writer;
}

#[test]
fn whole_websocket_heartbeat_has_the_same_deadlines() {
    let pipe = Pipe::new();
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    let mut ws = whole(&pipe, &mut rx, &mut tx);
    let cfg = HeartbeatConfig::new(1_000, 2_500, 3).unwrap();
    let mut hb = Heartbeat::new(cfg, u64::MAX / 2);
    assert_eq!(
        run(ws.heartbeat(&mut hb, u64::MAX / 2)),
        Ok(Some(MAX_DEADLINE_MS))
    );
    hb.on_close(u64::MAX / 2);
    assert_eq!(run(ws.heartbeat(&mut hb, u64::MAX / 2)), Ok(None));
}

#[test]
fn a_read_cancelled_while_the_echo_waits_returns_the_close_next_time() {
    let pipe = Pipe::new();
    split_client!(pipe, reader, writer, state, 256);
    let big = [2u8; 600];
    pipe.budget.set(100);
    let mut send = core::pin::pin!(writer.send_binary(&big));
    assert!(poll(send.as_mut()).is_pending());
    pipe.feed(&server(Opcode::Close, b"\x0f\xa0bye")); // 4000
    {
        let mut read = core::pin::pin!(reader.read());
        assert!(poll(read.as_mut()).is_pending()); // decoded, waiting for the writer
    } // the timer won: dropped
    pipe.budget.set(usize::MAX);
    assert_eq!(run(send.as_mut()), Ok(()));
    // The Close is not lost: the next read returns it (the echo is out by then).
    let Ok(Message::Close(c)) = run(reader.read()) else {
        panic!("the Close decoded by the cancelled read must come back")
    };
    assert_eq!((c.code, c.reason), (Some(4000), "bye"));
    assert_eq!(
        frames(&pipe.written()),
        [
            (Opcode::Binary, big.to_vec()),
            (Opcode::Close, b"\x0f\xa0".to_vec())
        ]
    );
    pipe.eof.set(true);
    assert_eq!(run(reader.read()).map(|_| ()), Err(Error::Closed));
}

#[test]
fn whole_websocket_read_cancelled_while_writing_the_pong_returns_the_ping_next_time() {
    let pipe = Pipe::new();
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    let mut ws = whole(&pipe, &mut rx, &mut tx);
    pipe.feed(&server(Opcode::Ping, b"abc"));
    pipe.feed(&server(Opcode::Text, b"next"));
    pipe.budget.set(2);
    {
        let mut read = core::pin::pin!(ws.read());
        assert!(poll(read.as_mut()).is_pending()); // 2 bytes of the pong out
    }
    pipe.budget.set(usize::MAX);
    assert!(matches!(run(ws.read()), Ok(Message::Ping(b"abc"))));
    assert!(matches!(run(ws.read()), Ok(Message::Text("next"))));
    assert_eq!(frames(&pipe.written()), [(Opcode::Pong, b"abc".to_vec())]);
}
