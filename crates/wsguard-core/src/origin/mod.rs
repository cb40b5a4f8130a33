//! Origin policy, Host allowlist, CORS responder and policy linter.
//!
//! One [`OriginPolicy`] answers both questions a server asks about the page behind a
//! request: *may this page open a WebSocket?* ([`OriginPolicy::check`]) and *which CORS
//! headers does it get?* ([`OriginPolicy::cors`]). Configuring both from the same
//! patterns is the point: they cannot drift apart.
//!
//! * [`Origin`] — strict RFC 6454 parsing of the `Origin` header ([`Origin::parse`]);
//!   every malformation has its own [`Malformed`] sub-code.
//! * [`Pattern`] — `https://app.example.com`, `https://*.example.com`,
//!   `http://localhost:*`, `http://localhost:[3000,5173]`, `*`.
//! * [`OriginPolicy`] — patterns + `allow_null` + `allow_missing` + [`Preset`]
//!   (+ `dev_hosts`); denials say which rule failed ([`OriginDenial`]).
//! * [`HostPolicy`] — Host allowlist against DNS rebinding.
//! * [`OwnedPolicy`] — both, owned and parsed once (for servers that read their allowlist
//!   from configuration), in any [`PolicyStorage`]; [`PolicyBuf`] is the fixed-capacity
//!   one. Its views read the stored parse through [`PatternList`] / [`HostList`].
//! * [`CorsConfig`] / [`CorsRequest`] / [`CorsResponse`] — CORS headers without allocation.
//! * [`lint()`] — explains mistakes in a list of raw pattern strings.
//! * [`NearMiss`] — which allowed entry a refused Origin or Host came closest to, and why it
//!   does not match ([`OriginPolicy::near_miss`], [`HostPolicy::near_miss`]).
//!
//! ```
//! use wsguard_core::origin::{OriginPolicy, OriginDenial, Pattern, Preset};
//! use wsguard_core::Diagnostic;
//! let patterns = [Pattern::parse("https://*.example.com").unwrap()];
//! let policy = OriginPolicy::new(&patterns).preset(Preset::Production);
//! assert!(policy.check(Some(b"https://app.example.com")).is_ok());
//! let denial = policy.check(Some(b"https://evil-example.com")).unwrap_err();
//! assert_eq!(denial.code(), "origin_host");
//! ```

mod authority;
mod cors;
mod host;
mod lint;
mod list;
mod malformed;
mod near_miss;
mod owned;
mod parse;
mod pattern;
mod policy;
mod presets;
mod storage;

pub(crate) use authority::check_ipv6;
pub use authority::default_port;
pub use cors::{CorsConfig, CorsDenial, CorsRequest, CorsResponse};
pub use host::{HostDenial, HostPolicy};
pub use lint::{lint, Finding, LintCode, LintContext, Severity, Suggestion, PUBLIC_SUFFIXES};
pub use list::{EntryIter, EntryList, HostList, PatternList, PolicyEntry};
pub use malformed::Malformed;
pub use near_miss::{near_miss_host, near_miss_origin, NearMiss, NearMissKind, Suggested};
pub use owned::{OwnedPolicy, PolicyBuf, PolicyBufError, PolicyList};
pub use parse::{Origin, OriginKind, MAX_ORIGIN_LEN};
pub use pattern::{HostPattern, Pattern, PatternError, PortPattern};
pub use policy::{OriginDenial, OriginPolicy};
pub use presets::Preset;
pub use storage::{FixedStorage, PolicyStorage};
