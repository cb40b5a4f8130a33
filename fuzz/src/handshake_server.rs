//! stub
/// stub
pub fn fuzz_handshake_server(_data: &[u8]) {}
