//! stub
/// stub
pub fn fuzz_lint(_data: &[u8]) {}
