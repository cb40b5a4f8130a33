//! The one place where [`GuardConfig`] (owned strings) becomes the core's borrowed
//! configuration. Patterns are re-parsed by the core each time a [`CoreParts`] is built —
//! cheap, allocation-light, and free of self-references.

use crate::config::{ConfigError, GuardConfig, LintWarning, TokenLocation};
use wsguard_core::close::CONVENTIONS;
use wsguard_core::handshake::{Limits, ServerConfig, SubprotocolToken, TokenConfig};
use wsguard_core::origin::{HostPolicy, OriginPolicy, Pattern, Preset};
use wsguard_core::Diagnostic;

/// The core's category code of a close code (conventional 4xxx codes included).
pub(crate) fn close_category(code: u16) -> &'static str {
    CONVENTIONS.classify(code).category().code()
}

/// Borrowed views of a [`GuardConfig`] in the core's types.
pub(crate) struct CoreParts<'a> {
    cfg: &'a GuardConfig,
    patterns: Vec<Pattern<'a>>,
    hosts: Vec<&'a str>,
    dev_hosts: Vec<&'a str>,
    subprotocols: Vec<&'a str>,
}

fn pattern_error(cfg: &GuardConfig, index: usize, value: &str, e: &dyn Diagnostic) -> ConfigError {
    ConfigError {
        source: cfg.source_of("origin.allowed"),
        key: "origin.allowed".into(),
        index: Some(index),
        value: Some(value.to_string()),
        code: e.code(),
        reason: e.reason().to_string(),
        remedy: e.remedy().to_string(),
    }
}

impl<'a> CoreParts<'a> {
    /// Parses every origin pattern with the core; the first bad one is the error.
    pub(crate) fn new(cfg: &'a GuardConfig) -> Result<Self, ConfigError> {
        let mut patterns = Vec::with_capacity(cfg.origin.allowed.len());
        for (i, raw) in cfg.origin.allowed.iter().enumerate() {
            match Pattern::parse(raw) {
                Ok(p) => patterns.push(p),
                Err(e) => return Err(pattern_error(cfg, i, raw, &e)),
            }
        }
        Ok(CoreParts {
            cfg,
            patterns,
            hosts: cfg.host.allowed.iter().map(String::as_str).collect(),
            dev_hosts: cfg.origin.dev_hosts.iter().map(String::as_str).collect(),
            subprotocols: cfg.subprotocols.supported.iter().map(String::as_str).collect(),
        })
    }

    /// The same configuration with no origin pattern (refuses every browser origin).
    pub(crate) fn deny_all(cfg: &'a GuardConfig) -> Self {
        CoreParts {
            cfg,
            patterns: Vec::new(),
            hosts: cfg.host.allowed.iter().map(String::as_str).collect(),
            dev_hosts: Vec::new(),
            subprotocols: cfg.subprotocols.supported.iter().map(String::as_str).collect(),
        }
    }

    /// The core's Origin policy.
    pub(crate) fn origin_policy(&self) -> OriginPolicy<'_> {
        let preset = match self.cfg.env {
            crate::Environment::Development => Preset::Development,
            crate::Environment::Production => Preset::Production,
        };
        OriginPolicy::new(&self.patterns)
            .allow_null(self.cfg.origin.allow_null)
            .allow_missing(self.cfg.origin.allow_missing)
            .preset(preset)
            .dev_hosts(&self.dev_hosts)
    }

    /// The core's token configuration.
    pub(crate) fn token_config(&self) -> TokenConfig<'_> {
        let t = &self.cfg.token;
        let form = if t.subprotocol_prefix.is_empty() {
            SubprotocolToken::Pair(t.subprotocol_pair.as_str())
        } else {
            SubprotocolToken::Prefix(t.subprotocol_prefix.as_str())
        };
        let base = TokenConfig::DISABLED.required(t.required);
        match t.location {
            TokenLocation::Header => base.authorization(true),
            TokenLocation::Query => base.query(&t.query_param),
            TokenLocation::Subprotocol => base.subprotocol(form),
            TokenLocation::Any => base.authorization(true).query(&t.query_param).subprotocol(form),
        }
    }

    /// The core's server handshake configuration.
    pub(crate) fn server_config(&self) -> ServerConfig<'_> {
        let total = usize::try_from(self.cfg.limits.max_handshake_bytes).unwrap_or(usize::MAX);
        let limits = Limits::DEFAULT.max_total(total).max_line(Limits::DEFAULT.max_line.min(total));
        ServerConfig::new(self.origin_policy())
            .hosts(HostPolicy::new(&self.hosts))
            .subprotocols(&self.subprotocols)
            .require_subprotocol(self.cfg.subprotocols.required)
            .token(self.token_config())
            .limits(limits)
    }
}

/// Parses everything with the core, then runs the core's linter.
pub(crate) fn check_config(cfg: &GuardConfig) -> Result<Vec<LintWarning>, ConfigError> {
    let parts = CoreParts::new(cfg)?;
    let _ = parts.server_config();
    Ok(lint(&parts))
}

/// The core's policy linter, translated to [`LintWarning`]s.
fn lint(parts: &CoreParts<'_>) -> Vec<LintWarning> {
    // CORE-GAP: bind to wsguard_core::origin lint once it is exported.
    let _ = parts;
    Vec::new()
}
