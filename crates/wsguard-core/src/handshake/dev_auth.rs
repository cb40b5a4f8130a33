//! The development auth bypass: one decision for every tier (see [`DevAuthBypass`]).

use super::config::TokenConfig;
use crate::origin::Preset;
use crate::text::escaped;
use crate::Diagnostic;
use core::fmt;
use core::net::IpAddr;

/// The name of the option in every tier (TOML `[token] dev_auth_bypass`, Python and C
/// `dev_auth_bypass`, `wsguard serve --dev-auth-bypass`, `WSGUARD_DEV_AUTH_BYPASS`).
pub const DEV_AUTH_BYPASS: &str = "dev_auth_bypass";
/// The name of the second, explicit override that allows a non-loopback listen address.
pub const DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK: &str = "dev_auth_bypass_allow_non_loopback";

/// The development auth bypass option and its second override: one decision for every tier.
///
/// A Docker or laptop setup often needs a server that requires a token in production to
/// accept connections without one while the frontend has no login yet. Teams write that
/// flag by hand (`ALLOW_DEV_AUTH_BYPASS`) and sooner or later ship it. Here it is one
/// explicit option, this one (`dev_auth_bypass` in every tier), with three
/// safety rules the core decides and every tier applies the same way:
///
/// 1. **Never in production.** [`DevAuthBypass::check_preset`] refuses the production
///    preset ([`DevAuthRefusal::Production`], `dev_auth_bypass_production`); no override
///    exists. The linter reports the combination as the error
///    `lint_dev_auth_bypass_production`, and [`validate_head`](super::validate_head)
///    applies the bypass only under the development preset, so a tier that forgot the
///    check still never bypasses in production.
/// 2. **Loopback only, unless told twice.** [`DevAuthBypass::check_listen`] refuses a
///    listen address that is not loopback ([`DevAuthRefusal::NonLoopback`],
///    `dev_auth_bypass_non_loopback`, or `dev_auth_bypass_listen_unknown` when the tier
///    cannot tell) unless the second option `dev_auth_bypass_allow_non_loopback` is also
///    set — the container case: a server inside Docker listens on `0.0.0.0` and the
///    published port stays on the developer's machine.
/// 3. **Loud.** Each connection the bypass lets in is reported by
///    [`Accepted::dev_auth_bypassed`](super::Accepted::dev_auth_bypassed), and every tier
///    logs the same warning, [`DevAuthNotice`] (`dev_auth_bypass_used`), escaped and with
///    query tokens redacted.
///
/// The bypass only stands in for a **missing** token (`token_missing`): a malformed or
/// conflicting token is still refused, and a server that does not require a token has
/// nothing to bypass.
///
/// ```
/// use wsguard_core::handshake::{DevAuthBypass, DevAuthRefusal};
/// use wsguard_core::origin::Preset;
/// let bypass = DevAuthBypass::ON;
/// assert_eq!(bypass.check(Preset::Development, "127.0.0.1:8000"), Ok(()));
/// assert_eq!(bypass.check(Preset::Production, "127.0.0.1:8000"), Err(DevAuthRefusal::Production));
/// assert_eq!(bypass.check(Preset::Development, "0.0.0.0:8000"), Err(DevAuthRefusal::NonLoopback));
/// // Inside a container: the second, explicit override.
/// let container = bypass.allow_non_loopback(true);
/// assert_eq!(container.check(Preset::Development, "0.0.0.0:8000"), Ok(()));
/// // Production stays refused whatever the override says.
/// assert_eq!(container.check(Preset::Production, "127.0.0.1:8000"), Err(DevAuthRefusal::Production));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DevAuthBypass {
    /// `dev_auth_bypass`: accept connections without a token (development preset only).
    pub enabled: bool,
    /// `dev_auth_bypass_allow_non_loopback`: also when the server listens on a
    /// non-loopback address (a development container). Never allows production.
    pub allow_non_loopback: bool,
}

/// What a listen address is, for the bypass.
///
/// ```
/// use wsguard_core::handshake::Listen;
/// assert_eq!(Listen::classify("[::1]:8000"), Listen::Loopback);
/// assert_eq!(Listen::classify("0.0.0.0"), Listen::Network);
/// assert_eq!(Listen::classify("/run/app.sock"), Listen::UnixSocket);
/// assert_eq!(Listen::classify(""), Listen::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Listen {
    /// `127.0.0.0/8`, `::1` (also IPv4-mapped `::ffff:127.x.x.x`), `localhost` and
    /// `*.localhost`: only this machine can connect.
    Loopback,
    /// A Unix domain socket path (`/run/app.sock`, abstract `@name`): local only.
    UnixSocket,
    /// Any other address, including the wildcards `0.0.0.0` and `::`.
    Network,
    /// Empty or not an address the core can read (a host name other than `localhost`).
    Unknown,
}

impl Listen {
    /// Classifies a listen address as the tiers have it: `host`, `host:port`,
    /// `[v6]:port`, a bare IPv6 address, or a Unix socket path.
    ///
    /// ```
    /// use wsguard_core::handshake::Listen;
    /// assert_eq!(Listen::classify("127.0.0.1:8080"), Listen::Loopback);
    /// assert_eq!(Listen::classify("::ffff:127.0.0.1"), Listen::Loopback);
    /// assert_eq!(Listen::classify("localhost:3000"), Listen::Loopback);
    /// assert_eq!(Listen::classify("192.168.1.20:8000"), Listen::Network);
    /// assert_eq!(Listen::classify("[::]:8000"), Listen::Network);
    /// assert_eq!(Listen::classify("backend:8000"), Listen::Unknown);
    /// ```
    pub fn classify(addr: &str) -> Listen {
        let addr = addr.trim();
        if addr.starts_with('/') || addr.starts_with('@') {
            return Listen::UnixSocket;
        }
        let host = host_part(addr);
        if host.eq_ignore_ascii_case("localhost")
            || (host.len() > ".localhost".len()
                && host
                    .get(host.len() - ".localhost".len()..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(".localhost")))
        {
            return Listen::Loopback;
        }
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) if v4.is_loopback() => Listen::Loopback,
            Ok(IpAddr::V6(v6))
                if v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()) =>
            {
                Listen::Loopback
            }
            Ok(_) => Listen::Network,
            Err(_) => Listen::Unknown,
        }
    }

    /// `"loopback"`, `"unix_socket"`, `"network"` or `"unknown"` (the names used in
    /// test vectors and bindings).
    ///
    /// ```
    /// assert_eq!(wsguard_core::handshake::Listen::Network.name(), "network");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Listen::Loopback => "loopback",
            Listen::UnixSocket => "unix_socket",
            Listen::Network => "network",
            Listen::Unknown => "unknown",
        }
    }
}

/// The host of `host`, `host:port`, `[v6]:port` or a bare IPv6 address.
fn host_part(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((h, _)) if !h.contains(':') => h,
        _ => addr,
    }
}

/// Why a server with the bypass on must not start (or, where the tier learns the
/// address only per connection, must not apply the bypass).
///
/// ```
/// use wsguard_core::handshake::DevAuthRefusal;
/// use wsguard_core::Diagnostic;
/// assert_eq!(DevAuthRefusal::Production.code(), "dev_auth_bypass_production");
/// assert!(DevAuthRefusal::NonLoopback.remedy().contains("dev_auth_bypass_allow_non_loopback"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DevAuthRefusal {
    /// The bypass with the production preset (no override exists).
    Production,
    /// The bypass on a non-loopback listen address without the second override.
    NonLoopback,
    /// The bypass where the listen address cannot be told, without the second override.
    ListenUnknown,
}

crate::diag::diagnostics! {
    DevAuthRefusal in "wsguard_core::handshake" {
    }
    Production => {
        code: "dev_auth_bypass_production",
        reason: "`dev_auth_bypass` is on with the production preset: every connection without a token would be accepted in production",
        remedy: "turn `dev_auth_bypass` off (it exists for local development only), or run with the development preset on a developer machine",
    },
    NonLoopback => {
        code: "dev_auth_bypass_non_loopback",
        reason: "`dev_auth_bypass` is on and the server listens on a non-loopback address: anyone who can reach this port would connect without a token",
        remedy: "listen on 127.0.0.1 or [::1]; inside a development container whose port is published only to your machine, also set `dev_auth_bypass_allow_non_loopback`",
    },
    ListenUnknown => {
        code: "dev_auth_bypass_listen_unknown",
        reason: "`dev_auth_bypass` is on and the listen address is not known to be loopback: anyone who can reach this port might connect without a token",
        remedy: "listen on 127.0.0.1 or [::1]; inside a development container whose port is published only to your machine, also set `dev_auth_bypass_allow_non_loopback`",
    },
}

impl fmt::Display for DevAuthRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}]; fix: {}",
            self.reason(),
            self.code(),
            self.remedy()
        )
    }
}

impl DevAuthBypass {
    /// Off (the default).
    pub const OFF: DevAuthBypass = DevAuthBypass {
        enabled: false,
        allow_non_loopback: false,
    };
    /// On, loopback listen addresses only.
    pub const ON: DevAuthBypass = DevAuthBypass {
        enabled: true,
        allow_non_loopback: false,
    };

    /// Sets the second override (`dev_auth_bypass_allow_non_loopback`).
    ///
    /// ```
    /// use wsguard_core::handshake::DevAuthBypass;
    /// assert!(DevAuthBypass::ON.allow_non_loopback(true).allow_non_loopback);
    /// ```
    pub const fn allow_non_loopback(mut self, on: bool) -> Self {
        self.allow_non_loopback = on;
        self
    }

    /// The check a tier makes when it is configured, before it knows where it listens:
    /// the bypass is refused with the production preset. Off is always fine.
    ///
    /// ```
    /// use wsguard_core::handshake::{DevAuthBypass, DevAuthRefusal};
    /// use wsguard_core::origin::Preset;
    /// assert_eq!(DevAuthBypass::OFF.check_preset(Preset::Production), Ok(()));
    /// assert_eq!(DevAuthBypass::ON.check_preset(Preset::Production), Err(DevAuthRefusal::Production));
    /// ```
    pub fn check_preset(&self, preset: Preset) -> Result<(), DevAuthRefusal> {
        if self.enabled && preset == Preset::Production {
            return Err(DevAuthRefusal::Production);
        }
        Ok(())
    }

    /// The check of the listen address (see [`Listen::classify`]): loopback and Unix
    /// sockets pass; a network or unknown address needs the second override.
    ///
    /// ```
    /// use wsguard_core::handshake::{DevAuthBypass, DevAuthRefusal};
    /// assert_eq!(DevAuthBypass::ON.check_listen("[::1]:9000"), Ok(()));
    /// assert_eq!(DevAuthBypass::ON.check_listen("10.0.0.5:9000"), Err(DevAuthRefusal::NonLoopback));
    /// assert_eq!(DevAuthBypass::ON.check_listen(""), Err(DevAuthRefusal::ListenUnknown));
    /// assert_eq!(DevAuthBypass::OFF.check_listen("10.0.0.5:9000"), Ok(()));
    /// ```
    pub fn check_listen(&self, listen: &str) -> Result<(), DevAuthRefusal> {
        if !self.enabled || self.allow_non_loopback {
            return Ok(());
        }
        match Listen::classify(listen) {
            Listen::Loopback | Listen::UnixSocket => Ok(()),
            Listen::Network => Err(DevAuthRefusal::NonLoopback),
            Listen::Unknown => Err(DevAuthRefusal::ListenUnknown),
        }
    }

    /// Both checks, preset first: the decision that lets a server start.
    ///
    /// See the [type example](DevAuthBypass).
    pub fn check(&self, preset: Preset, listen: &str) -> Result<(), DevAuthRefusal> {
        self.check_preset(preset)?;
        self.check_listen(listen)
    }

    /// Whether the bypass applies to a connection the server accepted on `listen` (the
    /// value for [`ServerConfig::dev_auth_bypass`](super::ServerConfig#structfield.dev_auth_bypass)):
    /// on, and [`check`](Self::check) passes. Tiers that learn the listen address only per
    /// connection (ASGI's `scope["server"]`) use it to fail closed.
    ///
    /// ```
    /// use wsguard_core::handshake::DevAuthBypass;
    /// use wsguard_core::origin::Preset;
    /// assert!(DevAuthBypass::ON.applies(Preset::Development, "127.0.0.1:8000"));
    /// assert!(!DevAuthBypass::ON.applies(Preset::Development, "0.0.0.0:8000"));
    /// assert!(!DevAuthBypass::OFF.applies(Preset::Development, "127.0.0.1:8000"));
    /// ```
    pub fn applies(&self, preset: Preset, listen: &str) -> bool {
        self.enabled && self.check(preset, listen).is_ok()
    }
}

/// The warning every tier logs for a connection accepted without a token under the
/// bypass (code `dev_auth_bypass_used`): the request target escaped and with query
/// tokens redacted ([`TokenConfig::log_target`]), the Origin escaped.
///
/// ```
/// use wsguard_core::handshake::{DevAuthNotice, TokenConfig};
/// # extern crate std; use std::string::ToString;
/// let token = TokenConfig::DISABLED.query("token").required(true);
/// let line = DevAuthNotice::new(&token, b"/ws?room=1\r\n", Some(b"http://localhost:5173")).to_string();
/// assert_eq!(line, "websocket accepted WITHOUT a token because dev_auth_bypass is on (development only, never in production): target /ws?room=1\\r\\n origin http://localhost:5173 [dev_auth_bypass_used]");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DevAuthNotice<'t, 'c> {
    target: super::LogTarget<'t, 'c>,
    origin: Option<&'t [u8]>,
}

impl<'t, 'c> DevAuthNotice<'t, 'c> {
    /// The stable code of the warning.
    pub const CODE: &'static str = "dev_auth_bypass_used";

    /// The notice for one connection: its request target (path and query as sent) and
    /// its Origin (`None`: absent, shown as `<missing>`).
    ///
    /// See the [type example](DevAuthNotice).
    pub fn new(token: &TokenConfig<'c>, target: &'t [u8], origin: Option<&'t [u8]>) -> Self {
        DevAuthNotice {
            target: token.log_target(target),
            origin,
        }
    }

    /// The notice for an accepted request: its target as sent and its Origin.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_request, DevAuthNotice, ServerConfig, TokenConfig};
    /// use wsguard_core::origin::{OriginPolicy, Preset};
    /// use wsguard_core::Status;
    /// # extern crate std; use std::string::ToString;
    /// let token = TokenConfig::DISABLED.query("token").required(true);
    /// let cfg = ServerConfig::new(OriginPolicy::new(&[]).preset(Preset::Development))
    ///     .token(token)
    ///     .dev_auth_bypass(true);
    /// let req = b"GET /ws?token= HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    /// Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://localhost:3000\r\n\r\n";
    /// // `?token=` with an empty value is malformed, not missing: refused even under the bypass.
    /// assert!(validate_request(&cfg, req).is_err());
    /// let req = b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    /// Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://localhost:3000\r\n\r\n";
    /// let Ok(Status::Complete(a)) = validate_request(&cfg, req) else { panic!() };
    /// let line = DevAuthNotice::for_accepted(&token, &a).to_string();
    /// assert!(line.ends_with("target /ws origin http://localhost:3000 [dev_auth_bypass_used]"));
    /// ```
    pub fn for_accepted(token: &TokenConfig<'c>, accepted: &super::Accepted<'t>) -> Self {
        Self::new(
            token,
            accepted.target(),
            accepted.origin.map(|o| o.as_str().as_bytes()),
        )
    }
}

impl fmt::Display for DevAuthNotice<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("websocket accepted WITHOUT a token because dev_auth_bypass is on (development only, never in production): target ")?;
        write!(f, "{}", self.target)?;
        f.write_str(" origin ")?;
        match self.origin {
            Some(o) => write!(f, "{}", escaped(o).max_bytes(512))?,
            None => f.write_str("<missing>")?,
        }
        write!(f, " [{}]", Self::CODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_forms() {
        let cases = [
            ("127.0.0.1", Listen::Loopback),
            ("127.10.0.1:80", Listen::Loopback),
            ("::1", Listen::Loopback),
            ("[::1]", Listen::Loopback),
            ("[::ffff:127.0.0.1]:8000", Listen::Loopback),
            ("LOCALHOST:1", Listen::Loopback),
            ("app.localhost", Listen::Loopback),
            (".localhost", Listen::Unknown),
            ("0.0.0.0:8000", Listen::Network),
            ("::", Listen::Network),
            ("[::]:1", Listen::Network),
            ("172.17.0.2", Listen::Network),
            ("fe80::1", Listen::Network),
            ("localhost.example.com", Listen::Unknown),
            ("127.0.0.1.nip.io", Listen::Unknown),
            ("@abstract", Listen::UnixSocket),
            ("  ", Listen::Unknown),
        ];
        for (addr, want) in cases {
            assert_eq!(Listen::classify(addr), want, "{addr}");
        }
    }

    #[test]
    fn display_of_refusal() {
        use std::string::ToString;
        assert_eq!(
            DevAuthRefusal::Production.to_string(),
            "`dev_auth_bypass` is on with the production preset: every connection without a token would be accepted in production [dev_auth_bypass_production]; fix: turn `dev_auth_bypass` off (it exists for local development only), or run with the development preset on a developer machine"
        );
    }
}
