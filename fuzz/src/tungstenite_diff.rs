//! stub
/// stub
pub fn fuzz_frame_tungstenite(_data: &[u8]) {}
