//! WebAssembly binding of `wsguard-core` for the npm package `wsguard`.
//!
//! Translates types only: every rule (URL derivation, mixed content, close-code
//! classification, reconnect policy, heartbeat schedule) is the core's. Times are
//! monotonic milliseconds passed by the caller as JS numbers; nothing here reads a clock.
//!
//! ```
//! let url = wsguard_js::derive_ws_url("https://app.example.com/chat", "/ws", None, None).unwrap();
//! assert_eq!(url, "wss://app.example.com/ws");
//! ```
#![deny(unsafe_code)]

mod close;
mod timing;
mod url;

pub use close::{
    abnormal_closure, classify_close, encode_close_payload, parse_close_payload, Registry,
};
pub use timing::{Heartbeat, Reconnect};
pub use url::{check_mixed_content, derive_ws_url, parse_ws_url};

use wasm_bindgen::prelude::*;
use wsguard_core::Diagnostic;

/// A refusal from the core: stable `code`, one-sentence `reason`, `remedy`.
/// The JS wrapper turns it into a `WsguardError`.
#[wasm_bindgen(getter_with_clone)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Stable machine code, e.g. `url_mixed_content`.
    pub code: String,
    /// What went wrong, in one sentence.
    pub reason: String,
    /// What to change so that it works.
    pub remedy: String,
}

impl Fault {
    pub(crate) fn of(d: &dyn Diagnostic) -> Self {
        Fault {
            code: d.code().into(),
            reason: d.reason().into(),
            remedy: d.remedy().into(),
        }
    }
}

/// Milliseconds from JS (a float, maybe negative or NaN) as the core's `u64`.
pub(crate) fn ms(t: f64) -> u64 {
    if t.is_finite() && t > 0.0 {
        t as u64
    } else {
        0
    }
}
