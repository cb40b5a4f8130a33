//! # Configuration: TOML file + `WSGUARD_*` environment variables
//!
//! [`GuardConfig`] owns its strings. The core's borrowed policy types are built on demand
//! from it (see [`crate::guard`]); nothing here re-implements a rule: every origin pattern
//! is parsed by the core, and the core's linter runs at load ([`GuardConfig::check`]).
//!
//! Precedence: defaults < file < environment (< `wsguard serve` flags). An error names
//! where the bad entry came from (file path or variable), the key, the list index, the
//! value and why. Every key has a variable ([`GuardConfig::apply_env`] lists them; the
//! peer limits of `[limits]` are `WSGUARD_LIMITS_<KEY>`, e.g.
//! `WSGUARD_LIMITS_MAX_PER_ADDRESS=8`). Numbers with bounds (the peer limits,
//! `heartbeat.max_missed`) are range-checked: `config_out_of_range` names the allowed
//! range and what a value outside would mean.
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
//! subprotocol_pair = "bearer"        # Sec-WebSocket-Protocol: bearer, <token> (the default)
//! # subprotocol_prefix = "access_token."  # or instead: access_token.<token> (not both)
//! dev_auth_bypass = false            # development only: accept connections without a token
//! dev_auth_bypass_allow_non_loopback = false  # …also when listening beyond loopback (a dev container)
//!
//! [limits]
//! max_message_bytes = 1048576
//! max_frame_bytes = 1048576
//! max_handshake_bytes = 8192
//! max_connections = 10000            # open connections (upgrading included); over it: 503
//! max_per_address = 256              # per client address group (IPv4 /32, IPv6 /64); 503
//! max_upgrading = 1024               # request heads not answered yet; 503
//! message_budget_bytes = 67108864    # partly received messages, all connections; close 1013
//! max_queued_output_bytes = 1048576  # a peer that does not read is dropped beyond this
//! write_timeout_ms = 30000           # …or when one write stays pending this long
//! retry_after_s = 5                  # Retry-After of the 503
//! handshake_timeout_ms = 10000       # time for the request head to arrive (then 408)
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
//! | `config/ranges.rs` | the range check of the bounded keys over a whole configuration | types, keys |
//! | `config/load.rs` | [`GuardConfig::load`], [`GuardConfig::load_from`], [`GuardConfig::check`] | toml, env, the core binding |
//!
//! ## Names
//!
//! Each TOML section is an owned `*Settings` struct ([`OriginSettings`], [`HostSettings`],
//! [`SubprotocolSettings`], [`TokenSettings`], [`LimitSettings`], [`HeartbeatSettings`]).
//! The core's borrowed types they become keep the core's names, so the two are never
//! confused: [`TokenSettings`] → `wsguard_core::handshake::TokenConfig`,
//! [`LimitSettings`] → `wsguard_core::handshake::Limits` (the head) and
//! `wsguard_core::limits::PeerLimits` ([`LimitSettings::peer_limits`]),
//! [`HeartbeatSettings`] → `wsguard_core::heartbeat::HeartbeatConfig`
//! ([`crate::Guard::heartbeat`]).

mod env;
mod keys;
mod load;
pub(crate) mod ranges;
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
    /// `?token=…` (the name is [`TokenSettings::query_param`]).
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
pub struct OriginSettings {
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
pub struct HostSettings {
    /// Allowed Host values (`app.example.com`, `localhost:8000`); empty means any.
    pub allowed: Vec<String>,
}

/// `[subprotocols]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct SubprotocolSettings {
    /// Supported subprotocols in order of preference.
    pub supported: Vec<String>,
    /// Refuse clients that offer none of them.
    pub required: bool,
}

/// `[token]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenSettings {
    /// Refuse (401) a handshake that carries no token.
    pub required: bool,
    /// Where to look.
    pub location: TokenLocation,
    /// Query parameter name for [`TokenLocation::Query`] / [`TokenLocation::Any`].
    pub query_param: String,
    /// Pair form in `Sec-WebSocket-Protocol`: a marker entry followed by the token
    /// (`bearer, <token>`). One form only, decided by the core
    /// ([`wsguard_core::handshake::SubprotocolToken::from_options`]): with
    /// `subprotocol_prefix` also set the configuration is refused
    /// (`token_subprotocol_conflict`); neither set means the pair form `bearer`
    /// ([`TokenSettings::subprotocol_form`]); an empty string is refused
    /// (`token_subprotocol_empty_marker`).
    pub subprotocol_pair: Option<String>,
    /// Prefix form in `Sec-WebSocket-Protocol` (`access_token.<token>`). Not together with
    /// `subprotocol_pair` (`token_subprotocol_conflict`); not empty
    /// (`token_subprotocol_empty_prefix`).
    pub subprotocol_prefix: Option<String>,
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

impl TokenSettings {
    /// The subprotocol token form, decided by the core
    /// ([`SubprotocolToken::from_options`](wsguard_core::handshake::SubprotocolToken::from_options)):
    /// the prefix or the pair form, whichever is set; the pair form `bearer` when neither
    /// is (this adapter's default); both set, or an empty one, is the core's
    /// [`TokenOptionError`](wsguard_core::handshake::TokenOptionError).
    ///
    /// ```
    /// use wsguard_core::handshake::{SubprotocolToken, TokenOptionError};
    /// let mut t = wsguard::config::TokenSettings::default();
    /// assert_eq!(t.subprotocol_form(), Ok(SubprotocolToken::Pair("bearer")));
    /// t.subprotocol_prefix = Some("access_token.".into());
    /// assert_eq!(t.subprotocol_form(), Ok(SubprotocolToken::Prefix("access_token.")));
    /// t.subprotocol_pair = Some("bearer".into());
    /// assert_eq!(t.subprotocol_form(), Err(TokenOptionError::Conflict));
    /// ```
    pub fn subprotocol_form(
        &self,
    ) -> Result<
        wsguard_core::handshake::SubprotocolToken<'_>,
        wsguard_core::handshake::TokenOptionError,
    > {
        wsguard_core::handshake::SubprotocolToken::from_options(
            self.subprotocol_prefix.as_deref(),
            self.subprotocol_pair.as_deref(),
        )
        .map(|form| form.unwrap_or(wsguard_core::handshake::SubprotocolToken::Pair("bearer")))
    }

    /// The core's view of the two bypass options.
    ///
    /// ```
    /// let mut t = wsguard::config::TokenSettings::default();
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

impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings {
            required: false,
            location: TokenLocation::Any,
            query_param: "token".into(),
            subprotocol_pair: None,
            subprotocol_prefix: None,
            dev_auth_bypass: false,
            dev_auth_bypass_allow_non_loopback: false,
        }
    }
}

/// `[limits]`: sizes of one connection's input, and the limits on peers of a server that
/// owns its sockets (the tokio guard through [`crate::limits::Admission`], `wsguard serve`).
///
/// The peer limits are the core's [`wsguard_core::limits::PeerLimits`] (see
/// [`LimitSettings::peer_limits`]): over a count the core's 503 with `Retry-After`
/// (`too_many_connections`, `too_many_from_address`, `too_many_upgrades`); over the
/// message budget close 1013 `message_budget_exhausted`; a peer that does not read is
/// dropped after `write_timeout_ms` or `max_queued_output_bytes`.
///
/// ```
/// let l = wsguard::config::LimitSettings::default();
/// assert_eq!((l.max_connections, l.max_per_address, l.retry_after_s), (10_000, 256, 5));
/// assert_eq!(l.peer_limits(), wsguard_core::limits::PeerLimits::DEFAULT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LimitSettings {
    /// Largest message (all fragments) accepted.
    pub max_message_bytes: u64,
    /// Largest single frame payload accepted.
    pub max_frame_bytes: u64,
    /// Largest upgrade request (request line + headers).
    pub max_handshake_bytes: u64,
    /// Open connections, upgrades in progress included (1 to 4294967295; default 10000).
    pub max_connections: u32,
    /// Open connections from one client address group, IPv4 /32 or IPv6 /64 (1 to
    /// 4294967295; default 256).
    pub max_per_address: u32,
    /// Connections whose request head is not answered yet (1 to 4294967295; default 1024).
    pub max_upgrading: u32,
    /// Bytes of partly received messages across all connections (at least 1; default
    /// 64 MiB).
    pub message_budget_bytes: u64,
    /// Output queued for one peer (the kernel send buffer) after which a peer that does
    /// not read is dropped (4096 to 2147483647; default 1 MiB).
    pub max_queued_output_bytes: u64,
    /// How long one write may stay pending before the peer is dropped (1 ms to one day;
    /// default 30000).
    pub write_timeout_ms: u64,
    /// `Retry-After` of the 503 over a limit, in seconds (0 to 86400; default 5).
    pub retry_after_s: u32,
    /// Time allowed for the request head to arrive (1 ms to one day; default 10000).
    pub handshake_timeout_ms: u64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        let p = wsguard_core::limits::PeerLimits::DEFAULT;
        LimitSettings {
            max_message_bytes: 1 << 20,
            max_frame_bytes: 1 << 20,
            max_handshake_bytes: 8192,
            max_connections: p.max_connections,
            max_per_address: p.max_per_address,
            max_upgrading: p.max_upgrading,
            message_budget_bytes: p.message_budget,
            max_queued_output_bytes: p.max_queued_output,
            write_timeout_ms: p.write_timeout_ms,
            retry_after_s: p.retry_after_s,
            handshake_timeout_ms: p.handshake_timeout_ms,
        }
    }
}

impl LimitSettings {
    /// The core's peer limits from these settings.
    ///
    /// ```
    /// let mut l = wsguard::config::LimitSettings::default();
    /// l.max_per_address = 8;
    /// l.retry_after_s = 30;
    /// let p = l.peer_limits();
    /// assert_eq!((p.max_per_address, p.retry_after_s), (8, 30));
    /// ```
    pub fn peer_limits(&self) -> wsguard_core::limits::PeerLimits {
        wsguard_core::limits::PeerLimits::DEFAULT
            .max_connections(self.max_connections)
            .max_per_address(self.max_per_address)
            .max_upgrading(self.max_upgrading)
            .message_budget(self.message_budget_bytes)
            .max_queued_output(self.max_queued_output_bytes)
            .write_timeout_ms(self.write_timeout_ms)
            .retry_after_s(self.retry_after_s)
            .handshake_timeout_ms(self.handshake_timeout_ms)
    }
}

/// `[heartbeat]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeartbeatSettings {
    /// Send a ping after this long without traffic (0: never).
    pub ping_interval_ms: u64,
    /// Declare the peer dead when no frame arrives within `ping_interval_ms +
    /// pong_timeout_ms`.
    pub pong_timeout_ms: u64,
    /// Declare the peer dead after this many unanswered pings in a row.
    pub max_missed: u32,
}

impl Default for HeartbeatSettings {
    fn default() -> Self {
        HeartbeatSettings {
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
    pub origin: OriginSettings,
    /// `[host]`.
    pub host: HostSettings,
    /// `[subprotocols]`.
    pub subprotocols: SubprotocolSettings,
    /// `[token]`.
    pub token: TokenSettings,
    /// `[limits]`.
    pub limits: LimitSettings,
    /// `[heartbeat]`.
    pub heartbeat: HeartbeatSettings,
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

    /// Records where `key` was set, for the errors that name it (a program that sets
    /// values from its own flags after loading).
    ///
    /// ```
    /// use wsguard::{ConfigSource, GuardConfig};
    /// let mut cfg = GuardConfig::default();
    /// cfg.limits.max_connections = 0;
    /// cfg.set_source("limits.max_connections", ConfigSource::Flag("--max-connections".into()));
    /// let err = cfg.check().unwrap_err();
    /// assert!(err.to_string().starts_with("flag --max-connections: limits.max_connections = \"0\""));
    /// ```
    pub fn set_source(&mut self, key: &str, source: ConfigSource) {
        self.provenance.insert(key.to_string(), source);
    }

    /// Sets the numeric key `key` (`limits.max_connections`, `heartbeat.ping_interval_ms`
    /// …) to `n`, as the loaders do (a `u32` field saturates; [`GuardConfig::check`]
    /// then range-checks it). `false` when `key` is not a numeric key.
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// assert!(cfg.set_number("limits.max_per_address", 8));
    /// assert_eq!(cfg.limits.max_per_address, 8);
    /// assert!(!cfg.set_number("origin.allowed", 1));
    /// ```
    pub fn set_number(&mut self, key: &str, n: u64) -> bool {
        match self.number_mut(key) {
            Some(field) => {
                field.set(n);
                true
            }
            None => false,
        }
    }
}

/// A numeric setting, by its dotted key: what the TOML and environment loaders write
/// and the range check reads ([`GuardConfig::number_mut`]).
pub(crate) enum Number<'a> {
    /// A `u64` field.
    U64(&'a mut u64),
    /// A `u32` field; its range in the key table fits `u32`.
    U32(&'a mut u32),
}

impl Number<'_> {
    /// Stores `n` (a `u32` field saturates; the range check ran before).
    pub(crate) fn set(self, n: u64) {
        match self {
            Number::U64(f) => *f = n,
            Number::U32(f) => *f = u32::try_from(n).unwrap_or(u32::MAX),
        }
    }

    /// The value.
    pub(crate) fn get(&self) -> u64 {
        match self {
            Number::U64(f) => **f,
            Number::U32(f) => u64::from(**f),
        }
    }
}

impl GuardConfig {
    /// The numeric field named by `key` (`limits.max_connections`), `None` for other keys.
    pub(crate) fn number_mut(&mut self, key: &str) -> Option<Number<'_>> {
        let (l, h) = (&mut self.limits, &mut self.heartbeat);
        Some(match key {
            "limits.max_message_bytes" => Number::U64(&mut l.max_message_bytes),
            "limits.max_frame_bytes" => Number::U64(&mut l.max_frame_bytes),
            "limits.max_handshake_bytes" => Number::U64(&mut l.max_handshake_bytes),
            "limits.max_connections" => Number::U32(&mut l.max_connections),
            "limits.max_per_address" => Number::U32(&mut l.max_per_address),
            "limits.max_upgrading" => Number::U32(&mut l.max_upgrading),
            "limits.message_budget_bytes" => Number::U64(&mut l.message_budget_bytes),
            "limits.max_queued_output_bytes" => Number::U64(&mut l.max_queued_output_bytes),
            "limits.write_timeout_ms" => Number::U64(&mut l.write_timeout_ms),
            "limits.retry_after_s" => Number::U32(&mut l.retry_after_s),
            "limits.handshake_timeout_ms" => Number::U64(&mut l.handshake_timeout_ms),
            "heartbeat.ping_interval_ms" => Number::U64(&mut h.ping_interval_ms),
            "heartbeat.pong_timeout_ms" => Number::U64(&mut h.pong_timeout_ms),
            "heartbeat.max_missed" => Number::U32(&mut h.max_missed),
            _ => return None,
        })
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
    /// A command-line flag (its name, `--max-connections`), set by the program that
    /// parsed it ([`GuardConfig::set_source`]).
    Flag(String),
    /// A string given in code.
    Inline,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::File(p) => write!(f, "{}", p.display()),
            ConfigSource::Env(v) => write!(f, "environment variable {v}"),
            ConfigSource::Flag(v) => write!(f, "flag {v}"),
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
