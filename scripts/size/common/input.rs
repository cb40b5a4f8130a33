// Shared inputs (included by every size binary). The bytes go through `black_box`, so
// the work cannot be folded at compile time.

/// The nonce of RFC 6455's example: key `dGhlIHNhbXBsZSBub25jZQ==`.
pub const NONCE: [u8; 16] = *b"the sample nonce";

/// A server's 101 answer, followed by a text, a binary, a ping and a close frame.
pub const RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\
\x81\x05hello\x82\x03\x01\x02\x03\x89\x02hb\x88\x02\x03\xe8";

/// A client's upgrade request, followed by masked text, binary, ping and close frames.
pub const REQUEST: &[u8] = b"GET /ws HTTP/1.1\r\nHost: device.local\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://panel.example.com\r\n\r\n\
\x81\x85\x01\x02\x03\x04\x69\x67\x6f\x68\x6e\x82\x83\x01\x02\x03\x04\x00\x00\x00\x89\x82\x01\x02\x03\x04\x69\x60\x88\x82\x01\x02\x03\x04\x02\xea";

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
