//! Policy presets: what a policy allows without being told.

use super::authority::{parse_port, split_host_port, validate_host};
use super::parse::Origin;
use super::pattern::{HostPattern, Pattern, PortPattern};

/// What a policy allows implicitly, on top of its patterns.
///
/// * `Production` (the default): nothing implicit.
/// * `Development`: `localhost`, `127.0.0.1` and `[::1]` on any port with `http` or
///   `https`, plus the container hosts given by
///   [`OriginPolicy::dev_hosts`](super::OriginPolicy::dev_hosts) (`frontend:3000`; an
///   entry without port, or with `:*`, allows any port), also with `http` or `https`.
///
/// ```
/// use wsguard_core::origin::{OriginPolicy, Preset};
/// let dev = OriginPolicy::new(&[]).preset(Preset::Development).dev_hosts(&["frontend:3000"]);
/// assert!(dev.check(Some(b"http://localhost:5173")).is_ok());
/// assert!(dev.check(Some(b"http://frontend:3000")).is_ok());
/// assert!(OriginPolicy::new(&[]).check(Some(b"http://localhost:5173")).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Preset {
    /// Nothing implicit (the default).
    #[default]
    Production,
    /// Loopback on any port, plus named container hosts.
    Development,
}

impl Preset {
    /// `"production"` / `"development"`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::Preset::Development.name(), "development");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Preset::Production => "production",
            Preset::Development => "development",
        }
    }

    /// Parses `"production"` / `"development"` (ASCII case-insensitive).
    ///
    /// ```
    /// use wsguard_core::origin::Preset;
    /// assert_eq!(Preset::from_name("Development"), Some(Preset::Development));
    /// ```
    pub fn from_name(name: &str) -> Option<Preset> {
        if name.eq_ignore_ascii_case("production") {
            Some(Preset::Production)
        } else if name.eq_ignore_ascii_case("development") {
            Some(Preset::Development)
        } else {
            None
        }
    }

    /// The patterns this preset adds.
    pub(crate) fn patterns(&self) -> &'static [Pattern<'static>] {
        match self {
            Preset::Production => &[],
            Preset::Development => &DEVELOPMENT,
        }
    }
}

const fn any_port(raw: &'static str, scheme: &'static str, host: &'static str) -> Pattern<'static> {
    Pattern::from_parts(raw, scheme, HostPattern::Exact(host), PortPattern::Any)
}

static DEVELOPMENT: [Pattern<'static>; 6] = [
    any_port("http://localhost:*", "http", "localhost"),
    any_port("https://localhost:*", "https", "localhost"),
    any_port("http://127.0.0.1:*", "http", "127.0.0.1"),
    any_port("https://127.0.0.1:*", "https", "127.0.0.1"),
    any_port("http://[::1]:*", "http", "[::1]"),
    any_port("https://[::1]:*", "https", "[::1]"),
];

/// How close a dev host comes to `origin`: (scheme ok, host ok, port ok).
pub(crate) fn dev_host_match(entry: &str, origin: &Origin<'_>) -> (bool, bool, bool) {
    let Ok((host, port)) = split_host_port(entry) else {
        return (false, false, false);
    };
    // The origin's host is valid, so an entry equal to it is valid too: compare first,
    // validate only a differing entry (whose verdict then is "no host match" either way).
    if !host.eq_ignore_ascii_case(origin.host()) && validate_host(host).is_err() {
        return (false, false, false);
    }
    let scheme_ok = origin.scheme().eq_ignore_ascii_case("http")
        || origin.scheme().eq_ignore_ascii_case("https");
    let host_ok = host.eq_ignore_ascii_case(origin.host());
    let port_ok = match port {
        None | Some("*") => true,
        Some(p) => match parse_port(p) {
            Ok(p) => origin.port() == Some(p),
            Err(_) => false,
        },
    };
    (scheme_ok, host_ok, port_ok)
}
