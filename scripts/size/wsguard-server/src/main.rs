//! wsguard-core, server side: request validation (with an Origin policy), 101, decoding.
#![no_std]
#![no_main]

include!("../../common/input.rs");

use core::hint::black_box;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};
use wsguard_core::handshake::{validate_request, write_accept_response, ServerConfig};
use wsguard_core::origin::{OriginPolicy, Pattern};

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut buf = [0u8; 512];
    let input = black_box(REQUEST);
    buf[..input.len()].copy_from_slice(input);
    let patterns = [Pattern::parse(black_box("https://panel.example.com")).ok()];
    let patterns = [patterns[0].unwrap_or(Pattern::ANY)];
    let config = ServerConfig::new(OriginPolicy::new(&patterns));
    let mut out = [0u8; 256];
    let mut sum = 0usize;
    let consumed = match validate_request(&config, &buf[..input.len()]) {
        Ok(status) => match status.complete() {
            Some(accepted) => {
                sum += write_accept_response(&accepted, &mut out).unwrap_or(0);
                accepted.consumed
            }
            None => input.len(),
        },
        Err(r) => {
            sum += r.status() as usize;
            input.len()
        }
    };
    black_box(&out);
    let mut at = consumed;
    let mut dec = Decoder::new(DecoderConfig::server());
    while at < input.len() {
        match dec.decode(&mut buf[at..input.len()]) {
            Ok(Decoded::Event { consumed, event }) => {
                sum += match event {
                    Event::Data { payload, .. } | Event::Ping(payload) | Event::Pong(payload) => {
                        payload.len()
                    }
                    Event::Close(c) => c.code.unwrap_or(0) as usize,
                    _ => 1,
                };
                at += consumed;
            }
            _ => break,
        }
    }
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}
