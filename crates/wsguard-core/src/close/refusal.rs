//! Close codes around a refusal: which code a server sends when it refuses after (or,
//! under ASGI, instead of) the handshake, and whether a received close means "refused".
//!
//! Bindings ask these instead of writing the numbers themselves.

use super::{Category, CloseInfo};

/// 1006: what a browser reports when the connection ended without a Close frame —
/// including every refused upgrade (the page never sees the HTTP status).
pub const ABNORMAL_CLOSURE: u16 = 1006;
/// 1005: "no status received" — what a Close frame without a payload reports (never sent
/// on the wire).
pub const NO_STATUS_RECEIVED: u16 = 1005;
/// 1000: normal closure — the default code of a closing handshake a caller starts, also
/// what an ASGI `websocket.close` without a code means, and how a server closes a
/// connection its application returned from.
pub const NORMAL_CLOSURE: u16 = 1000;
/// 1011: internal error — how a server closes a connection whose application raised.
pub const INTERNAL_ERROR: u16 = 1011;
/// 1008: policy violation, the close code for an Origin or Host refusal.
pub const POLICY_VIOLATION: u16 = 1008;
/// 4401: the application convention "unauthorized" (4000 + HTTP 401): token refused.
pub const UNAUTHORIZED: u16 = 4401;
/// 4403: the application convention "forbidden" (4000 + HTTP 403).
pub const FORBIDDEN: u16 = 4403;

impl CloseInfo {
    /// `true` when the code means the peer *refused* this client (policy or
    /// authentication: 1008, 4401, 4403 …), as opposed to an error, a restart or a rate
    /// limit (4408, 4429 are not refusals: reconnecting later may work).
    ///
    /// ```
    /// use wsguard_core::close::CONVENTIONS;
    /// assert!(CONVENTIONS.classify(1008).is_refusal());
    /// assert!(CONVENTIONS.classify(4401).is_refusal());
    /// assert!(!CONVENTIONS.classify(4429).is_refusal());
    /// assert!(!CONVENTIONS.classify(1011).is_refusal());
    /// ```
    pub const fn is_refusal(&self) -> bool {
        matches!(self.category(), Category::PolicyAuth)
    }
}
