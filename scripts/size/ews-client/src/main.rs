//! embedded-websocket, client side: request, 101 validation, frame decoding.
#![no_std]
#![no_main]

include!("../../common/input.rs");

use core::hint::black_box;
use embedded_websocket::{WebSocketClient, WebSocketOptions};

/// Hands out the sample nonce, so that the canned 101 matches the key.
struct NonceRng;
impl rand_core::RngCore for NonceRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let nonce = black_box(NONCE);
        for (d, s) in dest.iter_mut().zip(nonce.iter()) {
            *d = *s;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut ws = WebSocketClient::new_client(NonceRng);
    let options = WebSocketOptions {
        path: "/ws",
        host: "device.local",
        origin: "",
        sub_protocols: None,
        additional_headers: None,
    };
    let mut out = [0u8; 256];
    let mut sum = 0usize;
    if let Ok((n, key)) = ws.client_connect(&options, &mut out) {
        black_box(&out[..n]);
        let input = black_box(RESPONSE);
        if let Ok((mut at, _proto)) = ws.client_accept(&key, input) {
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
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}
