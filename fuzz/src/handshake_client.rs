//! stub
/// stub
pub fn fuzz_handshake_client(_data: &[u8]) {}
