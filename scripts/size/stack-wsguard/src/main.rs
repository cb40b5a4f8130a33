//! One `#[inline(never)]` function per entry point, named `stack_<entry>`; the caller
//! owns the buffers, so a function's stack is the entry point's own use (for the async
//! drivers: including the future, which a real executor keeps in the task's storage).
#![no_std]
#![no_main]

include!("../../common/input.rs");

use core::future::Future;
use core::hint::black_box;
use wsguard_core::frame::{encoder, Decoder, DecoderConfig, Opcode, Role};
use wsguard_core::handshake::{
    parse_request, validate_head, validate_request, validate_response, write_accept_response,
    write_request, ClientRequest, ServerConfig, EMPTY_HEADER,
};
use wsguard_core::io::{accept, connect, Options, WebSocket};
use wsguard_core::origin::{OriginPolicy, Pattern};

struct Canned(&'static [u8]);
impl embedded_io_async::ErrorType for Canned {
    type Error = core::convert::Infallible;
}
impl embedded_io_async::Read for Canned {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}
impl embedded_io_async::Write for Canned {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(black_box(buf).len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn config() -> ServerConfig<'static> {
    static PATTERNS: [Pattern<'static>; 1] = [Pattern::ANY];
    ServerConfig::new(OriginPolicy::new(&PATTERNS))
}

#[inline(never)]
fn stack_validate_request(req: &[u8], out: &mut [u8]) -> usize {
    match validate_request(&config(), req) {
        Ok(s) => s
            .complete()
            .map(|a| write_accept_response(&a, out).unwrap_or(0))
            .unwrap_or(0),
        Err(r) => r.status() as usize,
    }
}

/// A device that allows 16 header fields sizes the `httparse` header array itself.
#[inline(never)]
fn stack_parse_request_16(req: &[u8], out: &mut [u8]) -> usize {
    let cfg = config();
    let mut headers = [EMPTY_HEADER; 16];
    match parse_request(&cfg.limits, req, &mut headers) {
        Ok(s) => s
            .complete()
            .and_then(|h| validate_head(&cfg, &h).ok())
            .map(|a| write_accept_response(&a, out).unwrap_or(0))
            .unwrap_or(0),
        Err(r) => r.status() as usize,
    }
}

#[inline(never)]
fn stack_write_request(out: &mut [u8]) -> usize {
    write_request(
        &ClientRequest::new("device.local", "/ws", black_box(NONCE)),
        out,
    )
    .unwrap_or(0)
}

#[inline(never)]
fn stack_validate_response(resp: &[u8]) -> usize {
    let req = ClientRequest::new("device.local", "/ws", black_box(NONCE));
    match validate_response(&req, resp) {
        Ok(s) => s.complete().map(|e| e.consumed).unwrap_or(1),
        Err(f) => f.status().unwrap_or(2) as usize,
    }
}

#[inline(never)]
fn stack_decode(buf: &mut [u8], role: Role) -> usize {
    let mut dec = Decoder::new(DecoderConfig::new(role));
    dec.decode_streaming(buf).map(|d| d.consumed()).unwrap_or(0)
}

#[inline(never)]
fn stack_write_frame(out: &mut [u8], payload: &[u8]) -> usize {
    encoder::write_frame(
        out,
        true,
        Opcode::Binary,
        payload,
        Some(black_box([1, 2, 3, 4])),
    )
    .unwrap_or(0)
}

#[inline(never)]
fn stack_io_connect(rx: &mut [u8], tx: &mut [u8]) -> usize {
    let req = ClientRequest::new("device.local", "/ws", black_box(NONCE));
    block_on(async {
        match connect(Canned(black_box(RESPONSE)), rx, tx, &req, Options::new(1)).await {
            Ok(mut c) => c
                .socket
                .read()
                .await
                .map(|m| m.data().map_or(0, |d| d.len()))
                .unwrap_or(0),
            Err(_) => 0,
        }
    })
}

#[inline(never)]
fn stack_io_read_send(rx: &mut [u8], tx: &mut [u8]) -> usize {
    block_on(async {
        let Ok(mut ws) = WebSocket::new(
            Canned(black_box(&RESPONSE[129..])),
            rx,
            tx,
            Role::Client,
            Options::new(1),
        ) else {
            return 0;
        };
        let n = ws
            .read()
            .await
            .map(|m| m.data().map_or(0, |d| d.len()))
            .unwrap_or(0);
        let _ = ws.send_binary(black_box(b"telemetry")).await;
        n
    })
}

#[inline(never)]
fn stack_io_accept(rx: &mut [u8], tx: &mut [u8]) -> usize {
    let cfg = config();
    block_on(async {
        match accept(Canned(black_box(REQUEST)), rx, tx, &cfg, Options::default()).await {
            Ok(mut c) => c
                .socket
                .read()
                .await
                .map(|m| m.data().map_or(0, |d| d.len()))
                .unwrap_or(0),
            Err(_) => 0,
        }
    })
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 512];
    let mut sum = stack_validate_request(black_box(REQUEST), &mut tx);
    sum += stack_parse_request_16(black_box(REQUEST), &mut tx);
    sum += stack_write_request(&mut tx);
    sum += stack_validate_response(black_box(RESPONSE));
    rx[..RESPONSE.len()].copy_from_slice(black_box(RESPONSE));
    sum += stack_decode(&mut rx[129..RESPONSE.len()], Role::Client);
    sum += stack_write_frame(&mut tx, black_box(b"payload"));
    sum += stack_io_connect(&mut rx, &mut tx);
    sum += stack_io_read_send(&mut rx, &mut tx);
    sum += stack_io_accept(&mut rx, &mut tx);
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}
