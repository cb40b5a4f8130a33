//! A scripted peer: tungstenite answers the upgrade, then the test writes raw frames and
//! reads the client's frames with the core's decoder (server role).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event};

/// What the client sent, as the scripted server saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    Data(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
    Eof,
}

pub struct Peer {
    s: TcpStream,
    buf: Vec<u8>,
    dec: Decoder,
    _ws: tungstenite::WebSocket<TcpStream>,
}

impl Peer {
    pub fn next(&mut self) -> Got {
        let mut chunk = [0u8; 4096];
        loop {
            if let Ok(Decoded::Event { consumed, event }) = self.dec.decode(&mut self.buf) {
                let got = match event {
                    Event::Data { payload, .. } => Got::Data(payload.to_vec()),
                    Event::Ping(p) => Got::Ping(p.to_vec()),
                    Event::Pong(p) => Got::Pong(p.to_vec()),
                    Event::Close(c) => Got::Close(c.code, c.reason.to_string()),
                    _ => continue,
                };
                self.buf.drain(..consumed);
                return got;
            }
            match self.s.read(&mut chunk) {
                Ok(0) | Err(_) => return Got::Eof,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    pub fn send(&mut self, raw: &[u8]) {
        let _ = self.s.write_all(raw);
    }
}

/// One connection: tungstenite answers the upgrade, then `script` speaks raw frames.
/// Returns what the script saw.
pub fn scripted(
    script: impl FnOnce(&mut Peer) -> Vec<Got> + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<Got>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let raw = s.try_clone().unwrap();
        let ws = tungstenite::accept(s).unwrap();
        let mut peer = Peer {
            s: raw,
            buf: Vec::new(),
            dec: Decoder::new(DecoderConfig::server()),
            _ws: ws,
        };
        script(&mut peer)
    });
    (addr, h)
}
