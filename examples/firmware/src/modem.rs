//! A fake transport standing in for a TCP socket (embassy-net `TcpSocket`, a cellular
//! modem driver, an embedded-tls session …). It answers the upgrade request with a
//! correct 101, sends one command and then a Close 1012 ("service restart"), so the
//! example exercises connect → messages → close → reconnect.

use embedded_io_async::{ErrorType, Read, Write};
use wsguard_core::handshake::AcceptKey;
use wsguard_core::Cursor;

/// The modem's error; a real driver reports resets and timeouts here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkDown;

impl core::fmt::Display for LinkDown {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("link down")
    }
}
impl core::error::Error for LinkDown {}
impl embedded_io_async::Error for LinkDown {
    fn kind(&self) -> embedded_io_async::ErrorKind {
        embedded_io_async::ErrorKind::ConnectionReset
    }
}

pub struct Modem {
    request: [u8; 512],
    request_len: usize,
    inbox: [u8; 256],
    inbox_len: usize,
    inbox_pos: usize,
}

impl Modem {
    /// "Dials" the server (a real driver: `socket.connect(endpoint).await`).
    pub fn dial() -> Self {
        Modem {
            request: [0; 512],
            request_len: 0,
            inbox: [0; 256],
            inbox_len: 0,
            inbox_pos: 0,
        }
    }

    /// The server's side: once the request head is complete, queue the 101 answer
    /// (accept value computed from the request's key), a text frame and a Close 1012.
    fn answer(&mut self) {
        let req = &self.request[..self.request_len];
        let key = find_header(req, b"Sec-WebSocket-Key: ").unwrap_or(b"");
        let accept = AcceptKey::from_key(key);
        let mut c = Cursor::new(&mut self.inbox);
        let _ = c.put_str("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
        let _ = c.put_str(accept.as_str());
        let _ = c.put_str("\r\nSec-WebSocket-Protocol: telemetry.v1\r\n\r\n");
        let _ = c.put(b"\x81\x0f{\"cmd\":\"blink\"}"); // text frame, 15 bytes
        let _ = c.put(b"\x88\x02\x03\xf4"); // close 1012
        self.inbox_len = c.len();
    }
}

fn find_header<'a>(head: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = head.windows(name.len()).position(|w| w == name)? + name.len();
    let rest = head.get(at..)?;
    let end = rest.iter().position(|&b| b == b'\r')?;
    rest.get(..end)
}

impl ErrorType for Modem {
    type Error = LinkDown;
}

impl Read for Modem {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, LinkDown> {
        let avail = &self.inbox[self.inbox_pos..self.inbox_len];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.inbox_pos += n;
        Ok(n) // 0 = the server closed the TCP connection
    }
}

impl Write for Modem {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, LinkDown> {
        if self.inbox_len == 0 {
            let room = &mut self.request[self.request_len..];
            let n = room.len().min(buf.len());
            room[..n].copy_from_slice(&buf[..n]);
            self.request_len += n;
            if self.request[..self.request_len].ends_with(b"\r\n\r\n") {
                self.answer();
            }
        }
        Ok(buf.len()) // frames after the handshake go nowhere
    }
    async fn flush(&mut self) -> Result<(), LinkDown> {
        Ok(())
    }
}
