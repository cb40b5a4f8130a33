//! # Configuration: TOML file + `WSGUARD_*` environment variables
//!
//! [`GuardConfig`] owns its strings. The core's borrowed policy types are built on demand
//! from it (see [`crate::guard`]); nothing here re-implements a rule: every origin pattern
//! is parsed by the core, and the core's linter runs at load ([`GuardConfig::check`]).
//!
//! Precedence: defaults < file < environment. An error names where the bad entry came
//! from (file path or variable), the key, the list index, the value and why.
//!
//! ```toml
//! env = "production"                 # or "development" (adds the core's dev preset)
//!
//! [origin]
//! allowed = ["https://app.example.com", "https://*.example.com"]
//! allow_null = false                 # `Origin: null` (sandboxed iframes, file://)
//! allow_missing = false              # no Origin header at all (non-browser clients)
//! dev_hosts = ["frontend:3000"]      # development only: container service names
//!
//! [host]
//! allowed = ["app.example.com"]      # empty: any Host (no DNS-rebinding defence)
//!
//! [subprotocols]
//! supported = ["chat.v1"]            # in order of preference
//! required = false
//!
//! [token]
//! required = true
//! location = "any"                   # header | query | subprotocol | any
//! query_param = "token"
//! subprotocol_pair = "bearer"        # Sec-WebSocket-Protocol: bearer, <token>
//! subprotocol_prefix = ""            # or: "access_token." for access_token.<token>
//! dev_auth_bypass = false            # development only: accept connections without a token
//! dev_auth_bypass_allow_non_loopback = false  # …also when listening beyond loopback (a dev container)
//!
//! [limits]
//! max_message_bytes = 1048576
//! max_frame_bytes = 1048576
//! max_handshake_bytes = 8192
//!
//! [heartbeat]
//! ping_interval_ms = 20000
//! pong_timeout_ms = 10000
//! max_missed = 2
//! ```
//!
//! ## Layout (dependencies run one way, top to bottom)
//!
//! | module | holds | uses |
//! |---|---|---|
//! | `config/mod.rs` | the types ([`GuardConfig`], [`ConfigError`], …) | — |
//! | `config/keys.rs` | the one key table (TOML key ↔ `WSGUARD_*` variable), "did you mean" | — |
//! | `config/toml.rs` | [`GuardConfig::from_toml_str`], [`GuardConfig::from_file`] | types, keys |
//! | `config/env.rs` | [`GuardConfig::apply_env`] | types, keys |
//! | `config/load.rs` | [`GuardConfig::load`], [`GuardConfig::load_from`], [`GuardConfig::check`] | toml, env, the core binding |

mod env;
mod keys;
mod load;
mod toml;

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Which preset the origin policy starts from.
///
/// ```
/// assert_eq!(wsguard::Environment::parse("development"), Some(wsguard::Environment::Development));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Strict: only the listed origins.
    #[default]
    Production,
    /// Adds the core's development preset (loopback names and addresses on any port).
    Development,
}

impl Environment {
    /// Parses `development`/`dev` or `production`/`prod` (any case).
    ///
    /// ```
    /// assert_eq!(wsguard::Environment::parse("PROD"), Some(wsguard::Environment::Production));
    /// assert_eq!(wsguard::Environment::parse("staging"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Some(Environment::Development),
            "production" | "prod" => Some(Environment::Production),
            _ => None,
        }
    }
}

/// Where the server looks for the client's token.
///
/// ```
/// assert_eq!(wsguard::config::TokenLocation::parse("query"), Some(wsguard::config::TokenLocation::Query));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TokenLocation {
    /// `Authorization: Bearer …`
    Header,
    /// `?token=…` (the name is [`TokenConfig::query_param`]).
    Query,
    /// A `Sec-WebSocket-Protocol` entry (`bearer.<token>` / `access_token, <token>` styles).
    Subprotocol,
    /// Any of the above.
    #[default]
    Any,
}

impl TokenLocation {
    /// Parses `header`, `query`, `subprotocol` or `any` (any case).
    ///
    /// ```
    /// assert_eq!(wsguard::config::TokenLocation::parse("Header"), Some(wsguard::config::TokenLocation::Header));
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "header" | "authorization" => Some(TokenLocation::Header),
            "query" => Some(TokenLocation::Query),
            "subprotocol" | "protocol" => Some(TokenLocation::Subprotocol),
            "any" => Some(TokenLocation::Any),
            _ => None,
        }
    }
}

/// `[origin]`: which browser origins may open a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct OriginConfig {
    /// Patterns, parsed by the core (`https://app.example.com`, `https://*.example.com`,
    /// `http://localhost:*`, `*`).
    pub allowed: Vec<String>,
    /// Accept `Origin: null`.
    pub allow_null: bool,
    /// Accept a request without an Origin header (non-browser clients).
    pub allow_missing: bool,
    /// Container service names (`frontend:3000`, `web`) the development preset also
    /// allows with http/https; ignored in production.
    pub dev_hosts: Vec<String>,
}

/// `[host]`: Host allowlist (DNS-rebinding defence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct HostConfig {
    /// Allowed Host values (`app.example.com`, `localhost:8000`); empty means any.
    pub allowed: Vec<String>,
}

/// `[subprotocols]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SubprotocolConfig {
    /// Supported subprotocols in order of preference.
    pub supported: Vec<String>,
    /// Refuse clients that offer none of them.
    pub required: bool,
}

/// `[token]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenConfig {
    /// Refuse (401) a handshake that carries no token.
    pub required: bool,
    /// Where to look.
    pub location: TokenLocation,
    /// Query parameter name for [`TokenLocation::Query`] / [`TokenLocation::Any`].
    pub query_param: String,
    /// Pair form in `Sec-WebSocket-Protocol`: a marker entry followed by the token
    /// (`bearer, <token>`); used when `subprotocol_prefix` is empty.
    pub subprotocol_pair: String,
    /// Prefix form in `Sec-WebSocket-Protocol` (`access_token.<token>`); when non-empty
    /// it replaces the pair form.
    pub subprotocol_prefix: String,
    /// The development auth bypass: with `env = "development"`, a connection without a
    /// token is accepted (and logged as a warning) instead of refused with 401
    /// `token_missing`. [`Guard::new`](crate::Guard::new) refuses it in production
    /// (`dev_auth_bypass_production`) and it applies only after
    /// [`Guard::check_listen`](crate::Guard::check_listen) passed.
    pub dev_auth_bypass: bool,
    /// The second, explicit override: the bypass also on a non-loopback listen address
    /// (a development container listening on `0.0.0.0`). Never allows production.
    pub dev_auth_bypass_allow_non_loopback: bool,
}

impl TokenConfig {
    /// The core's view of the two bypass options.
    ///
    /// ```
    /// let mut t = wsguard::config::TokenConfig::default();
    /// t.dev_auth_bypass = true;
    /// assert_eq!(t.dev_auth(), wsguard_core::handshake::DevAuthBypass::ON);
    /// ```
    pub fn dev_auth(&self) -> wsguard_core::handshake::DevAuthBypass {
        wsguard_core::handshake::DevAuthBypass {
            enabled: self.dev_auth_bypass,
            allow_non_loopback: self.dev_auth_bypass_allow_non_loopback,
        }
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            required: false,
            location: TokenLocation::Any,
            query_param: "token".into(),
            subprotocol_pair: "bearer".into(),
            subprotocol_prefix: String::new(),
            dev_auth_bypass: false,
            dev_auth_bypass_allow_non_loopback: false,
        }
    }
}

/// `[limits]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest message (all fragments) accepted.
    pub max_message_bytes: u64,
    /// Largest single frame payload accepted.
    pub max_frame_bytes: u64,
    /// Largest upgrade request (request line + headers).
    pub max_handshake_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_frame_bytes: 1 << 20,
            max_handshake_bytes: 8192,
        }
    }
}

/// `[heartbeat]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeartbeatConfig {
    /// Send a ping after this long without traffic (0: never).
    pub ping_interval_ms: u64,
    /// Declare the peer dead when no frame arrives within `ping_interval_ms +
    /// pong_timeout_ms`.
    pub pong_timeout_ms: u64,
    /// Declare the peer dead after this many unanswered pings in a row.
    pub max_missed: u32,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        HeartbeatConfig {
            ping_interval_ms: 20_000,
            pong_timeout_ms: 10_000,
            max_missed: 2,
        }
    }
}

/// The whole guard configuration. `Default` is production with empty lists, which
/// refuses every browser origin until you list some.
///
/// ```
/// use wsguard::GuardConfig;
/// let cfg = GuardConfig::from_toml_str(
///     "[origin]\nallowed = [\"https://app.example.com\"]\n",
///     wsguard::ConfigSource::Inline,
/// ).unwrap();
/// assert_eq!(cfg.origin.allowed, vec!["https://app.example.com".to_string()]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct GuardConfig {
    /// Preset.
    pub env: Environment,
    /// `[origin]`.
    pub origin: OriginConfig,
    /// `[host]`.
    pub host: HostConfig,
    /// `[subprotocols]`.
    pub subprotocols: SubprotocolConfig,
    /// `[token]`.
    pub token: TokenConfig,
    /// `[limits]`.
    pub limits: Limits,
    /// `[heartbeat]`.
    pub heartbeat: HeartbeatConfig,
    /// Which file or variable set each key (for error messages); not serialised.
    #[serde(skip)]
    pub(crate) provenance: std::collections::BTreeMap<String, ConfigSource>,
}

impl GuardConfig {
    /// Where `key` (`origin.allowed`) was set: a file, a variable, or
    /// [`ConfigSource::Inline`] for defaults and values set in code.
    ///
    /// ```
    /// let cfg = wsguard::GuardConfig::default();
    /// assert_eq!(cfg.source_of("origin.allowed"), wsguard::ConfigSource::Inline);
    /// ```
    pub fn source_of(&self, key: &str) -> ConfigSource {
        self.provenance
            .get(key)
            .cloned()
            .unwrap_or(ConfigSource::Inline)
    }
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum ConfigSource {
    /// A TOML file.
    File(PathBuf),
    /// An environment variable (its name).
    Env(String),
    /// A string given in code.
    Inline,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::File(p) => write!(f, "{}", p.display()),
            ConfigSource::Env(v) => write!(f, "environment variable {v}"),
            ConfigSource::Inline => f.write_str("inline configuration"),
        }
    }
}

/// A configuration entry that cannot be used. `Display` gives one line naming the
/// source, key, index and value, then why and how to fix it.
///
/// ```
/// use wsguard::{GuardConfig, ConfigSource};
/// let err = GuardConfig::from_toml_str("[limits]\nmax_frame_bytes = \"big\"\n", ConfigSource::Inline).unwrap_err();
/// assert_eq!(err.key, "limits.max_frame_bytes");
/// assert_eq!(err.code, "config_wrong_type");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    /// File or variable.
    pub source: ConfigSource,
    /// Dotted key (`origin.allowed`), or the variable name for the environment.
    pub key: String,
    /// Index in a list, when the bad entry is one element.
    pub index: Option<usize>,
    /// The offending value as written.
    pub value: Option<String>,
    /// Stable machine code (the core's code for pattern errors, `config_*` otherwise).
    pub code: &'static str,
    /// What is wrong.
    pub reason: String,
    /// What to write instead.
    pub remedy: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.key)?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(v) = &self.value {
            write!(f, " = {v:?}")?;
        }
        write!(f, ": {} [{}]", self.reason, self.code)?;
        if !self.remedy.is_empty() {
            write!(f, " — fix: {}", self.remedy)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A non-fatal finding about the configuration (from the core's policy linter or from
/// the loader, e.g. an unknown `WSGUARD_*` variable). The CLI prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintWarning {
    /// Key or variable the warning is about (`origin.allowed[2]`).
    pub key: String,
    /// `"warning"` for the core linter's warnings (duplicate, shadowed, `http://` in
    /// production) and loader warnings. Findings of severity error are
    /// [`ConfigError`]s, not warnings.
    pub severity: &'static str,
    /// Stable machine code.
    pub code: &'static str,
    /// What looks wrong.
    pub message: String,
    /// What to change.
    pub remedy: String,
}

impl fmt::Display for LintWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} [{}]",
            self.severity, self.key, self.message, self.code
        )?;
        if !self.remedy.is_empty() {
            write!(f, " — fix: {}", self.remedy)?;
        }
        Ok(())
    }
}

/// A checked configuration and the warnings found while loading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedConfig {
    /// The configuration (file, then environment overrides).
    pub config: GuardConfig,
    /// Linter and loader warnings, in order.
    pub warnings: Vec<LintWarning>,
}
