//! wsguard-core, client side: request, 101 validation, frame decoding.
#![no_std]
#![no_main]

include!("../../common/input.rs");

use core::hint::black_box;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};
use wsguard_core::handshake::{validate_response, write_request, ClientRequest};

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut out = [0u8; 256];
    let req = ClientRequest::new("device.local", "/ws", black_box(NONCE));
    let n = write_request(&req, &mut out).unwrap_or(0);
    black_box(&out[..n]);

    let mut buf = [0u8; 256];
    let input = black_box(RESPONSE);
    buf[..input.len()].copy_from_slice(input);
    let mut sum = 0usize;
    if let Ok(status) = validate_response(&req, &buf[..input.len()]) {
        if let Some(est) = status.complete() {
            let mut at = est.consumed;
            let mut dec = Decoder::new(DecoderConfig::client());
            while at < input.len() {
                match dec.decode(&mut buf[at..input.len()]) {
                    Ok(Decoded::Event { consumed, event }) => {
                        sum += match event {
                            Event::Data { payload, .. }
                            | Event::Ping(payload)
                            | Event::Pong(payload) => payload.len(),
                            Event::Close(c) => c.code.unwrap_or(0) as usize,
                            _ => 1,
                        };
                        at += consumed;
                    }
                    _ => break,
                }
            }
        }
    }
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}
