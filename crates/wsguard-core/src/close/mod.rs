//! Close codes: what every code 0–65535 means, who sends it, what fixes it and whether
//! a client should reconnect; application registries for 3000–4999; Close-frame payloads.
//!
//! This layer turns the bare number a WebSocket API hands you (`event.code` in a browser,
//! `CloseCode` in a Rust library) into something a person can act on. It holds no state and
//! reads nothing but its arguments:
//!
//! * [`classify`] is the one classification every tier shows (Rust, C, Python, the CLI's
//!   `wsguard explain`): the IANA registry (1000–1015; 3000 unauthorized, 3003 forbidden,
//!   3008 timeout), the widespread "4000 + HTTP status" conventions (4401, 4403 …) marked
//!   [`Registration::Convention`], and the ranges of RFC 6455 §7.4.2 (0–999 unused,
//!   1016–2999 reserved, 3000–3999 libraries, 4000–4999 private use, 5000+ invalid).
//! * [`CloseRegistry`] adds an application's own codes (which win over a convention)
//!   without allocating; [`CONVENTIONS`] is the conventions as such a registry.
//! * [`parse_payload`] / [`write_close_payload`] read and write the Close-frame body
//!   (2-byte code + UTF-8 reason of at most 123 bytes).
//!
//! ```
//! use wsguard_core::close::{classify, Category, Retry};
//! let info = classify(1006);
//! assert_eq!(info.name(), Some("abnormal_closure"));
//! assert_eq!(info.category(), Category::TransportFailure);
//! assert!(!info.wire_valid);          // 1006 is never sent, only reported locally
//! assert_eq!(info.retry(), Retry::WithBackoff);
//! ```

mod payload;
mod refusal;
mod registry;
mod table;

pub use payload::{
    fit_reason, parse_payload, write_close_payload, CloseError, ClosePayload, MAX_REASON_LEN,
};
pub use refusal::{
    ABNORMAL_CLOSURE, FORBIDDEN, INTERNAL_ERROR, NORMAL_CLOSURE, NO_STATUS_RECEIVED,
    POLICY_VIOLATION, UNAUTHORIZED,
};
pub use registry::{AppCode, CloseRegistry, RegisterError, CONVENTIONS};

/// What kind of ending a close code describes. [`Category::code`] is a stable snake_case name.
///
/// ```
/// use wsguard_core::close::{classify, Category};
/// assert_eq!(classify(1008).category(), Category::PolicyAuth);
/// assert_eq!(Category::PolicyAuth.code(), "policy_auth");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Category {
    /// The purpose of the connection was fulfilled (1000, 1005).
    Normal,
    /// An endpoint is going away: server shutdown, browser tab navigating (1001).
    GoingAway,
    /// An endpoint broke the WebSocket protocol (1002).
    ProtocolError,
    /// A message of a type or content the endpoint cannot accept (1003, 1007).
    UnsupportedData,
    /// A policy or authentication/authorization refusal (1008, app codes like 4401/4403).
    PolicyAuth,
    /// A message exceeded the endpoint's size limit (1009).
    TooBig,
    /// A required extension was not negotiated (1010).
    Extension,
    /// The server (or a gateway in front of it) failed (1011, 1014).
    ServerError,
    /// The service is restarting or overloaded (1012, 1013).
    RestartOverload,
    /// The TLS handshake failed (1015).
    Tls,
    /// The connection died without a closing handshake (1006).
    TransportFailure,
    /// Reserved by RFC 6455 and never valid on the wire (1004, 1016–2999).
    Reserved,
    /// 3000–3999: codes registered with IANA by libraries, frameworks and applications.
    Library,
    /// 4000–4999: private use, meaning defined by the application.
    Private,
    /// 0–999 and 5000–65535: not a close code at all.
    Invalid,
}

impl Category {
    /// Stable snake_case code, identical in every language binding.
    ///
    /// ```
    /// assert_eq!(wsguard_core::close::Category::RestartOverload.code(), "restart_overload");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Category::Normal => "normal",
            Category::GoingAway => "going_away",
            Category::ProtocolError => "protocol_error",
            Category::UnsupportedData => "unsupported_data",
            Category::PolicyAuth => "policy_auth",
            Category::TooBig => "too_big",
            Category::Extension => "extension",
            Category::ServerError => "server_error",
            Category::RestartOverload => "restart_overload",
            Category::Tls => "tls",
            Category::TransportFailure => "transport_failure",
            Category::Reserved => "reserved",
            Category::Library => "library",
            Category::Private => "private",
            Category::Invalid => "invalid",
        }
    }
}

/// Who usually sends a code. [`Sender::code`] is a stable snake_case name.
///
/// ```
/// use wsguard_core::close::{classify, Sender};
/// assert_eq!(classify(1011).sender(), Sender::Server);
/// assert_eq!(classify(1006).sender(), Sender::LocalOnly);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Sender {
    /// Usually sent by the client.
    Client,
    /// Usually sent by the server (or a gateway acting as one).
    Server,
    /// Sent by either side.
    Either,
    /// Never sent: the local WebSocket API reports it (1005, 1006, 1015).
    LocalOnly,
    /// Must never be sent and is never reported; if you see it, the peer is broken.
    NeverSent,
}

impl Sender {
    /// Stable snake_case code.
    ///
    /// ```
    /// assert_eq!(wsguard_core::close::Sender::LocalOnly.code(), "local_only");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Sender::Client => "client",
            Sender::Server => "server",
            Sender::Either => "either",
            Sender::LocalOnly => "local_only",
            Sender::NeverSent => "never_sent",
        }
    }
}

/// Should a client reconnect after this code? Used by [`crate::reconnect`].
///
/// ```
/// use wsguard_core::close::{classify, Retry};
/// assert_eq!(classify(1000).retry(), Retry::Never);
/// assert_eq!(classify(1008).retry(), Retry::AfterReauth);
/// assert_eq!(classify(1013).retry(), Retry::AfterDelay);
/// assert_eq!(Retry::AfterDelay.code(), "after_delay");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Retry {
    /// Do not reconnect: the session ended on purpose, or retrying repeats a bug.
    Never,
    /// Reconnect only after obtaining new credentials (log in again, refresh the token).
    AfterReauth,
    /// Reconnect after a short randomized delay (the server is going away; another
    /// instance usually takes over).
    Soon,
    /// Reconnect with capped exponential backoff and jitter (transient failure).
    WithBackoff,
    /// Reconnect, but not before a longer minimum delay (overload, `Retry-After`).
    AfterDelay,
}

impl Retry {
    /// Stable snake_case code.
    ///
    /// ```
    /// assert_eq!(wsguard_core::close::Retry::WithBackoff.code(), "with_backoff");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Retry::Never => "never",
            Retry::AfterReauth => "after_reauth",
            Retry::Soon => "soon",
            Retry::WithBackoff => "with_backoff",
            Retry::AfterDelay => "after_delay",
        }
    }
}

/// Where the meaning of a close code comes from. [`Registration::code`] is a stable
/// snake_case name.
///
/// ```
/// use wsguard_core::close::{classify, Registration};
/// assert_eq!(classify(1008).registration(), Registration::Iana);
/// assert_eq!(classify(3003).registration(), Registration::Iana);
/// assert_eq!(classify(4401).registration(), Registration::Convention);
/// assert_eq!(classify(4999).registration(), Registration::Unregistered);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Registration {
    /// In the IANA WebSocket Close Code Number Registry (1000–1015, 3000, 3003, 3008).
    Iana,
    /// A widespread habit, not a registration ("4000 + HTTP status": 4401, 4403 …): an
    /// application may mean something else by it.
    Convention,
    /// Registered by the application in a [`CloseRegistry`].
    Application,
    /// Nobody registered it: only its range says something.
    Unregistered,
}

impl Registration {
    /// Stable snake_case code: `iana`, `convention`, `application`, `unregistered`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::close::Registration::Convention.code(), "convention");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Registration::Iana => "iana",
            Registration::Convention => "convention",
            Registration::Application => "application",
            Registration::Unregistered => "unregistered",
        }
    }

    /// One sentence for people: where the code's meaning comes from.
    ///
    /// ```
    /// use wsguard_core::close::Registration;
    /// assert!(Registration::Convention.description().contains("not an IANA registration"));
    /// ```
    pub const fn description(self) -> &'static str {
        match self {
            Registration::Iana => "registered with IANA",
            Registration::Convention => "a convention (4000 + HTTP status), not an IANA registration: your application may mean something else",
            Registration::Application => "registered by the application",
            Registration::Unregistered => "not registered: only its range is known",
        }
    }
}

/// One likely cause of a close code, and the fix for it.
///
/// ```
/// let causes = wsguard_core::close::classify(1006).causes();
/// assert!(causes.iter().any(|c| c.what.contains("403")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LikelyCause {
    /// What probably happened.
    pub what: &'static str,
    /// What to check or change.
    pub fix: &'static str,
}

impl LikelyCause {
    /// A cause/fix pair (for [`AppCode::with_causes`]).
    ///
    /// ```
    /// use wsguard_core::close::LikelyCause;
    /// const C: LikelyCause = LikelyCause::new("the token expired", "refresh it, then reconnect");
    /// assert_eq!(C.fix, "refresh it, then reconnect");
    /// ```
    pub const fn new(what: &'static str, fix: &'static str) -> Self {
        LikelyCause { what, fix }
    }
}

/// Everything known about one close code. Obtain it from [`classify`] or
/// [`CloseRegistry::classify`].
///
/// ```
/// use wsguard_core::close::{classify, Category, Retry, Sender};
/// let info = classify(1009);
/// assert_eq!(info.code, 1009);
/// assert_eq!(info.name(), Some("message_too_big"));
/// assert_eq!(info.category(), Category::TooBig);
/// assert!(info.wire_valid);
/// assert_eq!(info.sender(), Sender::Either);
/// assert_eq!(info.retry(), Retry::Never);
/// assert!(!info.description().is_empty() && !info.remedy().is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseInfo {
    /// The code.
    pub code: u16,
    /// May it appear in a Close frame on the wire? (`false` for 0–999, 1004–1006,
    /// 1015, 1016–2999 and 5000+.)
    pub wire_valid: bool,
    name: Option<&'static str>,
    category: Category,
    sender: Sender,
    description: &'static str,
    causes: &'static [LikelyCause],
    remedy: &'static str,
    retry: Retry,
    registration: Registration,
    registered_by_app: bool,
}

impl CloseInfo {
    /// Registered (or application-registered) snake_case name, e.g. `"going_away"`;
    /// `None` for codes nobody registered.
    pub const fn name(&self) -> Option<&'static str> {
        self.name
    }
    /// The category.
    pub const fn category(&self) -> Category {
        self.category
    }
    /// `true` when the code may appear in a Close frame (same as the field).
    pub const fn wire_valid(&self) -> bool {
        self.wire_valid
    }
    /// Who usually sends it.
    pub const fn sender(&self) -> Sender {
        self.sender
    }
    /// One sentence for users: what this ending means.
    ///
    /// ```
    /// use wsguard_core::close::{classify, Retry};
    /// let info = classify(1006);
    /// assert!(!info.description().is_empty());
    /// assert!(!info.causes().is_empty());
    /// assert_eq!(info.retry(), Retry::WithBackoff);
    /// ```
    pub const fn description(&self) -> &'static str {
        self.description
    }
    /// Likely causes with their fixes, most likely first (may be empty).
    pub const fn causes(&self) -> &'static [LikelyCause] {
        self.causes
    }
    /// What to do about it, in one sentence.
    pub const fn remedy(&self) -> &'static str {
        self.remedy
    }
    /// Reconnect advice.
    pub const fn retry(&self) -> Retry {
        self.retry
    }
    /// Where the meaning comes from: IANA, a convention, the application, or nobody.
    pub const fn registration(&self) -> Registration {
        self.registration
    }
    /// `true` when the information comes from an application [`CloseRegistry`] rather
    /// than from the built-in classification.
    pub const fn is_app_defined(&self) -> bool {
        self.registered_by_app
    }
}

/// Is `code` allowed in a Close frame on the wire (RFC 6455 §7.4)?
///
/// ```
/// use wsguard_core::close::is_wire_valid;
/// assert!(is_wire_valid(1000) && is_wire_valid(4999));
/// assert!(!is_wire_valid(1005) && !is_wire_valid(1016) && !is_wire_valid(5000));
/// ```
pub const fn is_wire_valid(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Classifies any close code: the one classification of every tier (IANA registry,
/// the conventions marked [`Registration::Convention`], RFC 6455 ranges). Use
/// [`CloseRegistry::classify`] to include your application's codes.
///
/// ```
/// use wsguard_core::close::{classify, Category, Registration, Retry};
/// assert_eq!(classify(1001).name(), Some("going_away"));
/// assert_eq!(classify(3000).name(), Some("unauthorized"));
/// assert_eq!(classify(4401).registration(), Registration::Convention);
/// assert_eq!(classify(4000).category(), Category::Private);
/// assert_eq!(classify(4100).name(), None);
/// assert_eq!(classify(2000).category(), Category::Reserved);
/// assert_eq!(classify(999).category(), Category::Invalid);
/// assert_eq!(classify(1015).retry(), Retry::WithBackoff);
/// ```
pub const fn classify(code: u16) -> CloseInfo {
    match registry::convention(code) {
        Some(app) => app.info_as(Registration::Convention, false),
        None => builtin(code),
    }
}

/// The table alone (IANA and ranges), without the conventions.
const fn builtin(code: u16) -> CloseInfo {
    let e = table::entry(code);
    CloseInfo {
        code,
        wire_valid: is_wire_valid(code),
        name: e.name,
        category: e.category,
        sender: e.sender,
        description: e.description,
        causes: e.causes,
        remedy: e.remedy,
        retry: e.retry,
        registration: if e.name.is_some() {
            Registration::Iana
        } else {
            Registration::Unregistered
        },
        registered_by_app: false,
    }
}

#[cfg(test)]
mod tests;
