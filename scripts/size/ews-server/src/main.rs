//! embedded-websocket, server side: request parsing, 101, decoding of masked frames.
//! (embedded-websocket checks `Upgrade` and reads the key; it has no Origin, Host,
//! Connection or version checks — wsguard-server does more work.)
#![no_std]
#![no_main]

include!("../../common/input.rs");

use core::hint::black_box;
use embedded_websocket::{read_http_header, WebSocketServer};

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let input = black_box(REQUEST);
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut req = httparse::Request::new(&mut headers);
    let mut sum = 0usize;
    if let Ok(httparse::Status::Complete(mut at)) = req.parse(input) {
        let ctx = read_http_header(req.headers.iter().map(|h| (h.name, h.value)));
        if let Ok(Some(ctx)) = ctx {
            let mut ws = WebSocketServer::new_server();
            let mut out = [0u8; 256];
            if let Ok(n) = ws.server_accept(&ctx.sec_websocket_key, None, &mut out) {
                sum += n;
                black_box(&out[..n]);
                let mut to = [0u8; 256];
                while at < input.len() {
                    match ws.read(&input[at..], &mut to) {
                        Ok(r) => {
                            sum += r.len_to + usize::from(r.end_of_message);
                            black_box(r.close_status);
                            black_box(&to[..r.len_to]);
                            if r.len_from == 0 {
                                break;
                            }
                            at += r.len_from;
                        }
                        Err(_) => break,
                    }
                }
            }
        }
    }
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}
