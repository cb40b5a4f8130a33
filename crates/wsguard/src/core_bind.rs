//! The one place where [`GuardConfig`] (owned strings) becomes the core's configuration.
//! Origin patterns, development hosts and the Host allowlist are copied into the core's
//! owned [`PolicyBuf`] and parsed once, when the guard is built ([`build_policy`]); each
//! handshake takes a borrowed view of it ([`CoreParts::with_server_config`]).

use crate::config::{ConfigError, GuardConfig, LintWarning, TokenLocation};
use wsguard_core::handshake::{
    Limits, ServerConfig, SubprotocolToken, TokenConfig, TokenOptionError,
};
use wsguard_core::heartbeat::{HeartbeatConfig, HeartbeatConfigError};
use wsguard_core::origin::{
    lint, Finding, LintCode, LintContext, OriginPolicy, PolicyBuf, PolicyBufError, PolicyList,
    Preset, Severity,
};
use wsguard_core::Diagnostic;

/// Origin patterns, development hosts and Host entries a guard can hold: 256 per list,
/// 16 KiB of text in all (a longer list is a [`ConfigError`] naming the key).
pub(crate) type GuardPolicy = PolicyBuf<256, 16384>;

fn list_values(cfg: &GuardConfig, list: PolicyList) -> &[String] {
    match list {
        PolicyList::Patterns => &cfg.origin.allowed,
        PolicyList::DevHosts => &cfg.origin.dev_hosts,
        PolicyList::Hosts => &cfg.host.allowed,
    }
}

fn policy_error(
    cfg: &GuardConfig,
    list: PolicyList,
    index: usize,
    e: &PolicyBufError,
) -> ConfigError {
    let key = list.key();
    ConfigError {
        source: cfg.source_of(key),
        key: key.into(),
        index: Some(index),
        value: list_values(cfg, list).get(index).cloned(),
        code: e.code(),
        reason: e.reason().to_string(),
        remedy: e.remedy().to_string(),
    }
}

/// Copies the config's origin patterns, development hosts and Host allowlist into the
/// core's owned policy, parsing each pattern once; the first bad entry is the error.
pub(crate) fn build_policy(cfg: &GuardConfig) -> Result<Box<GuardPolicy>, ConfigError> {
    // A CR/LF in an allowlist entry is a typed configuration error: the core's
    // `PolicyBuf` checks every entry it takes (`config_control_char`).
    let mut policy = Box::new(GuardPolicy::new());
    let lists = [
        PolicyList::Patterns,
        PolicyList::DevHosts,
        PolicyList::Hosts,
    ];
    for list in lists {
        for (i, raw) in list_values(cfg, list).iter().enumerate() {
            let pushed = match list {
                PolicyList::Patterns => policy.push_pattern(raw),
                PolicyList::DevHosts => policy.push_dev_host(raw),
                PolicyList::Hosts => policy.push_host(raw),
            };
            pushed.map_err(|e| policy_error(cfg, list, i, &e))?;
        }
    }
    policy.set_allow_null(cfg.origin.allow_null);
    policy.set_allow_missing(cfg.origin.allow_missing);
    policy.set_preset(match cfg.env {
        crate::Environment::Development => Preset::Development,
        crate::Environment::Production => Preset::Production,
    });
    Ok(policy)
}

/// A [`GuardConfig`] and its parsed policy, seen through the core's types.
pub(crate) struct CoreParts<'a> {
    cfg: &'a GuardConfig,
    policy: &'a GuardPolicy,
    subprotocols: Vec<&'a str>,
    /// Whether the development auth bypass applies (on, and the listen address passed
    /// the core's check): [`ServerConfig::dev_auth_bypass`].
    dev_auth_bypass: bool,
}

impl<'a> CoreParts<'a> {
    /// Borrowed views of `cfg` and the policy built from it by [`build_policy`].
    pub(crate) fn new(cfg: &'a GuardConfig, policy: &'a GuardPolicy) -> Self {
        CoreParts {
            cfg,
            policy,
            subprotocols: cfg
                .subprotocols
                .supported
                .iter()
                .map(String::as_str)
                .collect(),
            dev_auth_bypass: false,
        }
    }

    /// The same parts with the development auth bypass applied (or not).
    pub(crate) fn with_dev_auth_bypass(mut self, applies: bool) -> Self {
        self.dev_auth_bypass = applies;
        self
    }

    /// Calls `f` with the core's Origin policy.
    pub(crate) fn with_origin_policy<R>(&self, f: impl FnOnce(&OriginPolicy<'_>) -> R) -> R {
        self.policy.with_policy(|origins, _| f(origins))
    }

    /// The core's token configuration.
    pub(crate) fn token_config(&self) -> TokenConfig<'_> {
        let t = &self.cfg.token;
        // Checked when the guard was built (`check_token_options`); the fallback is
        // never reached.
        let form = t
            .subprotocol_form()
            .unwrap_or(SubprotocolToken::Pair("bearer"));
        let base = TokenConfig::DISABLED.required(t.required);
        match t.location {
            TokenLocation::Header => base.authorization(true),
            TokenLocation::Query => base.query(&t.query_param),
            TokenLocation::Subprotocol => base.subprotocol(form),
            TokenLocation::Any => base
                .authorization(true)
                .query(&t.query_param)
                .subprotocol(form),
        }
    }

    /// Calls `f` with the core's server handshake configuration.
    pub(crate) fn with_server_config<R>(&self, f: impl FnOnce(&ServerConfig<'_>) -> R) -> R {
        let total = usize::try_from(self.cfg.limits.max_handshake_bytes).unwrap_or(usize::MAX);
        let limits = Limits::DEFAULT
            .max_total(total)
            .max_line(Limits::DEFAULT.max_line.min(total));
        self.policy.with_policy(|origins, hosts| {
            let sc = ServerConfig::new(*origins)
                .hosts(hosts)
                .subprotocols(&self.subprotocols)
                .require_subprotocol(self.cfg.subprotocols.required)
                .token(self.token_config())
                .limits(limits)
                .dev_auth_bypass(self.dev_auth_bypass);
            f(&sc)
        })
    }
}

/// The core's heartbeat configuration (server role), `None` when pings are off
/// (`ping_interval_ms = 0`). Dead timeout = interval + pong timeout.
pub(crate) fn heartbeat_config(cfg: &GuardConfig) -> Result<Option<HeartbeatConfig>, ConfigError> {
    let h = &cfg.heartbeat;
    if h.ping_interval_ms == 0 {
        return Ok(None);
    }
    let dead = h.ping_interval_ms.saturating_add(h.pong_timeout_ms);
    HeartbeatConfig::new(h.ping_interval_ms, dead, h.max_missed)
        .map(Some)
        .map_err(|e| {
            let key = match e {
                HeartbeatConfigError::ZeroMaxMissed => "heartbeat.max_missed",
                _ => "heartbeat.pong_timeout_ms",
            };
            ConfigError {
                source: cfg.source_of(key),
                key: key.into(),
                index: None,
                value: Some(match e {
                    HeartbeatConfigError::ZeroMaxMissed => h.max_missed.to_string(),
                    _ => h.pong_timeout_ms.to_string(),
                }),
                code: e.code(),
                reason: e.reason().to_string(),
                remedy: e.remedy().to_string(),
            }
        })
}

/// The core's decision on `token.subprotocol_prefix` / `token.subprotocol_pair`, as a
/// configuration error naming the key (the prefix for a conflict).
fn check_token_options(cfg: &GuardConfig) -> Result<(), ConfigError> {
    let t = &cfg.token;
    t.subprotocol_form().map(|_| ()).map_err(|e| {
        let (key, value) = match e {
            TokenOptionError::EmptyMarker => ("token.subprotocol_pair", &t.subprotocol_pair),
            _ => ("token.subprotocol_prefix", &t.subprotocol_prefix),
        };
        ConfigError {
            source: cfg.source_of(key),
            key: key.into(),
            index: None,
            value: value.clone(),
            code: e.code(),
            reason: e.reason().to_string(),
            remedy: e.remedy().to_string(),
        }
    })
}

/// Runs the core's linter over the raw origin entries, then parses every entry with the
/// core.
///
/// * An entry that does not parse is the error (the core's `PatternError` code, reason
///   and remedy; the linter's "write … instead" is added when the remedy lacks it).
/// * A linter finding of severity `error` on an entry that parses (`ws://…`, `*` in
///   production, `https://*.com`) is also an error: the core says the entry is wrong.
/// * Findings of severity `warning` (duplicates, shadowed entries, `http://` in
///   production) are returned for the caller to print.
pub(crate) fn check_config(cfg: &GuardConfig) -> Result<Vec<LintWarning>, ConfigError> {
    check_and_build(cfg).map(|(warnings, _)| warnings)
}

/// [`check_config`], also handing back the policy it parsed (the guard keeps it: the
/// patterns are parsed once).
pub(crate) fn check_and_build(
    cfg: &GuardConfig,
) -> Result<(Vec<LintWarning>, Box<GuardPolicy>), ConfigError> {
    let entries: Vec<&str> = cfg.origin.allowed.iter().map(String::as_str).collect();
    let preset = match cfg.env {
        crate::Environment::Development => Preset::Development,
        crate::Environment::Production => Preset::Production,
    };
    let ctx = LintContext {
        preset,
        credentials: false,
        allow_null: cfg.origin.allow_null,
        allow_missing: cfg.origin.allow_missing,
        dev_auth_bypass: cfg.token.dev_auth_bypass,
    };
    let mut findings = vec![Finding::EMPTY; entries.len().saturating_mul(4).max(4)];
    let total = lint(&entries, ctx, &mut findings);
    if total > findings.len() {
        findings = vec![Finding::EMPTY; total];
        lint(&entries, ctx, &mut findings);
    }
    findings.truncate(total);
    let suggestion_for = |i: usize| {
        findings
            .iter()
            .find(|f| f.index == i)
            .and_then(|f| f.suggestion)
            .map(|s| s.to_string())
    };
    let with_suggestion = |remedy: &str, suggestion: Option<String>| match suggestion {
        Some(s) if !remedy.contains(&s) => format!("write `{s}` instead — {remedy}"),
        _ => remedy.to_string(),
    };
    crate::config::ranges::check_ranges(cfg)?;
    check_token_options(cfg)?;
    heartbeat_config(cfg)?;
    let policy = build_policy(cfg).map_err(|mut e| {
        if let Some(i) = e.index {
            e.remedy = with_suggestion(&e.remedy, suggestion_for(i));
        }
        e
    })?;
    // The development auth bypass never runs in production: the core's refusal, naming
    // the key that turned it on.
    cfg.token
        .dev_auth()
        .check_preset(preset)
        .map_err(|r| ConfigError {
            source: cfg.source_of("token.dev_auth_bypass"),
            key: "token.dev_auth_bypass".into(),
            index: None,
            value: Some("true".into()),
            code: r.code(),
            reason: r.reason().to_string(),
            remedy: r.remedy().to_string(),
        })?;
    if let Some(f) = findings.iter().find(|f| f.severity == Severity::Error) {
        return Err(ConfigError {
            source: cfg.source_of("origin.allowed"),
            key: "origin.allowed".into(),
            index: Some(f.index),
            value: entries.get(f.index).map(|s| s.to_string()),
            code: f.code(),
            reason: f.reason().to_string(),
            remedy: with_suggestion(f.remedy(), f.suggestion.map(|s| s.to_string())),
        });
    }
    let warnings = findings
        .iter()
        .map(|f| {
            let (key, shown) = match (f.kind, entries.get(f.index)) {
                (LintCode::NullProduction, _) => ("origin.allow_null".to_string(), "allow_null"),
                (LintCode::MissingProduction, _) => {
                    ("origin.allow_missing".to_string(), "allow_missing")
                }
                (_, entry) => (
                    format!("origin.allowed[{}]", f.index),
                    entry.copied().unwrap_or(""),
                ),
            };
            let mut message = format!("`{shown}`: {}", f.reason());
            if let Some(o) = f.other.and_then(|o| entries.get(o)) {
                message.push_str(&format!(" (see entry `{o}`)"));
            }
            LintWarning {
                key,
                severity: f.severity.name(),
                code: f.code(),
                message,
                remedy: with_suggestion(f.remedy(), f.suggestion.map(|s| s.to_string())),
            }
        })
        .collect();
    Ok((warnings, policy))
}

/// The answer of [`GuardConfig::check_origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginCheck {
    /// `None` when allowed; else the core's denial (`code()`, `reason()`, `remedy()`).
    pub denial: Option<wsguard_core::origin::OriginDenial>,
    /// On refusal, the core's near miss: the allowed entry the Origin came closest to,
    /// why it does not match and what to write (`(code, sentence)`), e.g.
    /// `("near_port", "… allow both with http://localhost:[3000,5173]")`.
    pub near_miss: Option<(&'static str, String)>,
    /// Index in `origin.allowed` of the first pattern that matches, when one does
    /// (an origin may also be allowed by `allow_null`, `allow_missing` or the preset).
    pub matched: Option<usize>,
}

impl GuardConfig {
    /// Checks one Origin header value (`None`: absent) with the policy this config
    /// builds — the same one the guard uses.
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.origin.allowed = vec!["https://*.example.com".into()];
    /// let c = cfg.check_origin(Some("https://app.example.com")).unwrap();
    /// assert_eq!((c.denial, c.matched), (None, Some(0)));
    /// let c = cfg.check_origin(Some("https://evil-example.com")).unwrap();
    /// assert_eq!(wsguard_core::Diagnostic::code(&c.denial.unwrap()), "origin_host");
    /// ```
    pub fn check_origin(&self, origin: Option<&str>) -> Result<OriginCheck, ConfigError> {
        let policy = build_policy(self)?;
        let parts = CoreParts::new(self, &policy);
        Ok(
            parts.with_origin_policy(|p| match p.check(origin.map(str::as_bytes)) {
                Err(d) => OriginCheck {
                    denial: Some(d),
                    near_miss: origin
                        .and_then(|o| p.near_miss(o.as_bytes()))
                        .map(|m| (m.code(), m.to_string())),
                    matched: None,
                },
                Ok(o) => OriginCheck {
                    denial: None,
                    near_miss: None,
                    matched: policy.patterns().position(|p| p.matches(&o)),
                },
            }),
        )
    }
}
