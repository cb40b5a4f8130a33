#![no_main]
// Body in src/ (shared with the stable replay test tests/replay.rs); see FUZZING.md.
libfuzzer_sys::fuzz_target!(|data: &[u8]| wsguard_fuzz::head_tracker::fuzz_head_tracker(data));
