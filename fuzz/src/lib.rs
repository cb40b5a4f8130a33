//! The bodies of wsguard's fuzz targets, as plain functions.
//!
//! Each `fuzz_targets/<name>.rs` libFuzzer binary only calls the function of the same
//! name listed in [`TARGETS`]; the stable replay test (`tests/replay.rs`, run by
//! `make test`) walks `corpus/<name>/*` and `regressions/<name>/*` and calls the very same
//! function, so a finding fixed once stays fixed without nightly or libFuzzer.
//!
//! A target "finds" something by panicking: the core panicking itself, or one of the
//! `assert!`s here that state what must hold (a differential verdict, an invariant).
//! Every deliberate difference between wsguard and a reference is written next to the
//! check that tolerates it, and listed in FUZZING.md.

pub mod util;

/// `true` when the campaign asks to step over findings already reported (environment
/// `WSGUARD_FUZZ_SKIP_KNOWN=1`, set by `scripts/fuzz.sh`), so that fuzzing goes on past
/// them. The stable replay never sets it: the reproducers in `regressions/` keep failing
/// `make test` until the core is fixed. `id` names the finding in FUZZING.md.
pub fn skip_known(id: &str) -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let _ = id;
    *ON.get_or_init(|| std::env::var("WSGUARD_FUZZ_SKIP_KNOWN").is_ok_and(|v| v == "1"))
}

pub mod c_api;
pub mod close;
pub mod connection;
pub mod cors;
pub mod frames;
pub mod handshake_client;
pub mod handshake_server;
pub mod head_tracker;
pub mod lint;
pub mod origin;
pub mod tungstenite_diff;
pub mod unmask_simd;
pub mod url;
pub mod utf8;

/// A target body.
pub type TargetFn = fn(&[u8]);

/// Every target: its name (the libFuzzer binary, the corpus and regressions folder) and
/// its body.
pub const TARGETS: &[(&str, TargetFn)] = &[
    ("origin", origin::fuzz_origin),
    ("cors", cors::fuzz_cors),
    ("lint", lint::fuzz_lint),
    ("handshake_server", handshake_server::fuzz_handshake_server),
    ("handshake_client", handshake_client::fuzz_handshake_client),
    ("frame_server", frames::fuzz_frame_server),
    ("frame_client", frames::fuzz_frame_client),
    ("frame_tungstenite", tungstenite_diff::fuzz_frame_tungstenite),
    ("utf8", utf8::fuzz_utf8),
    ("close", close::fuzz_close),
    ("url", url::fuzz_url),
    ("c_api", c_api::fuzz_c_api),
    ("connection", connection::fuzz_connection),
    ("unmask_simd", unmask_simd::fuzz_unmask_simd),
    ("head_tracker", head_tracker::fuzz_head_tracker),
];
