//! stub
/// stub
pub fn fuzz_cors(_data: &[u8]) {}
