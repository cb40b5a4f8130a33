//! `WSGUARD_*` environment variables over a [`GuardConfig`] (environment overrides file).
//!
//! Depends on the types (`config/mod.rs`) and the key table ([`super::keys`]) only.

use super::keys::{key_of_variable, range_error, suggest, FOREIGN, KEYS};
use super::{ConfigError, ConfigSource, Environment, GuardConfig, LintWarning, TokenLocation};

impl GuardConfig {
    /// Applies `WSGUARD_*` variables over the current values. Returns warnings for
    /// unknown `WSGUARD_*` names (probably typos).
    ///
    /// Variables: `WSGUARD_ENV`, `WSGUARD_ALLOWED_ORIGINS` (comma-separated),
    /// `WSGUARD_ALLOW_NULL`, `WSGUARD_ALLOW_MISSING_ORIGIN`, `WSGUARD_DEV_HOSTS`, `WSGUARD_ALLOWED_HOSTS`,
    /// `WSGUARD_SUBPROTOCOLS`, `WSGUARD_SUBPROTOCOL_REQUIRED`, `WSGUARD_TOKEN_REQUIRED`,
    /// `WSGUARD_TOKEN_LOCATION`, `WSGUARD_TOKEN_QUERY` (query parameter name),
    /// `WSGUARD_TOKEN_SUBPROTOCOL_PAIR`, `WSGUARD_TOKEN_SUBPROTOCOL_PREFIX`,
    /// `WSGUARD_PING_INTERVAL_MS`, `WSGUARD_PONG_TIMEOUT_MS`, `WSGUARD_MAX_MISSED`, `WSGUARD_MAX_MESSAGE_BYTES`,
    /// `WSGUARD_MAX_FRAME_BYTES`, `WSGUARD_MAX_HANDSHAKE_BYTES`, `WSGUARD_DEV_AUTH_BYPASS`,
    /// `WSGUARD_DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK`, and the peer limits
    /// `WSGUARD_LIMITS_MAX_CONNECTIONS`, `WSGUARD_LIMITS_MAX_PER_ADDRESS`,
    /// `WSGUARD_LIMITS_MAX_UPGRADING`, `WSGUARD_LIMITS_MESSAGE_BUDGET_BYTES`,
    /// `WSGUARD_LIMITS_MAX_QUEUED_OUTPUT_BYTES`, `WSGUARD_LIMITS_WRITE_TIMEOUT_MS`,
    /// `WSGUARD_LIMITS_RETRY_AFTER_S`, `WSGUARD_LIMITS_HANDSHAKE_TIMEOUT_MS` (each sets the
    /// `[limits]` key of the same name; out of range: `config_out_of_range`).
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// let env = [("WSGUARD_TOKEN_REQUIRED".to_string(), "yes".to_string())];
    /// assert!(cfg.apply_env(env).unwrap().is_empty());
    /// assert!(cfg.token.required);
    /// ```
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Vec<LintWarning>, ConfigError> {
        apply(self, vars)
    }
}

fn err(
    var: &str,
    index: Option<usize>,
    value: &str,
    code: &'static str,
    reason: &str,
    remedy: &str,
) -> ConfigError {
    ConfigError {
        source: ConfigSource::Env(var.to_string()),
        key: var.to_string(),
        index,
        value: Some(value.to_string()),
        code,
        reason: reason.to_string(),
        remedy: remedy.to_string(),
    }
}

fn parse_bool(var: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(err(
            var,
            None,
            v,
            "config_bad_value",
            "not a boolean",
            "write true or false (1/0, yes/no, on/off also work)",
        )),
    }
}

fn parse_u64(var: &str, v: &str) -> Result<u64, ConfigError> {
    let n = v.trim().replace('_', "").parse::<u64>().map_err(|_| {
        err(
            var,
            None,
            v,
            "config_bad_value",
            "not a whole non-negative number",
            "write digits only, e.g. 20000",
        )
    })?;
    match key_of_variable(var).and_then(|key| range_error(key, n)) {
        None => Ok(n),
        Some((reason, remedy)) => Err(err(var, None, v, "config_out_of_range", &reason, &remedy)),
    }
}

fn optional(v: &str) -> Option<String> {
    Some(v.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn parse_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn apply(
    cfg: &mut GuardConfig,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<LintWarning>, ConfigError> {
    let mut warnings = Vec::new();
    let mut vars: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with("WSGUARD_"))
        .collect();
    vars.sort(); // deterministic order of errors and warnings
    for (var, value) in &vars {
        let (var, v) = (var.as_str(), value.as_str());
        let key = key_of_variable(var);
        if let Some(key) = key {
            cfg.provenance
                .insert(key.to_string(), ConfigSource::Env(var.to_string()));
        }
        match var {
            "WSGUARD_ENV" => {
                cfg.env = Environment::parse(v).ok_or_else(|| {
                    err(
                        var,
                        None,
                        v,
                        "config_bad_value",
                        "unknown environment",
                        "write development or production",
                    )
                })?
            }
            "WSGUARD_ALLOWED_ORIGINS" => cfg.origin.allowed = parse_list(v),
            "WSGUARD_ALLOW_NULL" => cfg.origin.allow_null = parse_bool(var, v)?,
            "WSGUARD_ALLOW_MISSING_ORIGIN" => cfg.origin.allow_missing = parse_bool(var, v)?,
            "WSGUARD_DEV_HOSTS" => cfg.origin.dev_hosts = parse_list(v),
            // An empty variable unsets the option (as for lists and booleans).
            "WSGUARD_TOKEN_SUBPROTOCOL_PAIR" => cfg.token.subprotocol_pair = optional(v),
            "WSGUARD_TOKEN_SUBPROTOCOL_PREFIX" => cfg.token.subprotocol_prefix = optional(v),
            "WSGUARD_ALLOWED_HOSTS" => cfg.host.allowed = parse_list(v),
            "WSGUARD_SUBPROTOCOLS" => cfg.subprotocols.supported = parse_list(v),
            "WSGUARD_SUBPROTOCOL_REQUIRED" => cfg.subprotocols.required = parse_bool(var, v)?,
            "WSGUARD_TOKEN_REQUIRED" => cfg.token.required = parse_bool(var, v)?,
            "WSGUARD_DEV_AUTH_BYPASS" => cfg.token.dev_auth_bypass = parse_bool(var, v)?,
            "WSGUARD_DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK" => {
                cfg.token.dev_auth_bypass_allow_non_loopback = parse_bool(var, v)?
            }
            "WSGUARD_TOKEN_LOCATION" => {
                cfg.token.location = TokenLocation::parse(v).ok_or_else(|| {
                    err(
                        var,
                        None,
                        v,
                        "config_bad_value",
                        "unknown token location",
                        "write header, query, subprotocol or any",
                    )
                })?
            }
            "WSGUARD_TOKEN_QUERY" => {
                let name = v.trim();
                if name.is_empty() {
                    return Err(err(
                        var,
                        None,
                        v,
                        "config_bad_value",
                        "empty query parameter name",
                        "write the parameter name, e.g. token",
                    ));
                }
                cfg.token.query_param = name.to_string();
            }
            // Every numeric key (`[limits]`, `[heartbeat]`): digits, then its range.
            _ if key.is_some_and(|k| cfg.number_mut(k).is_some()) => {
                let n = parse_u64(var, v)?;
                cfg.set_number(key.unwrap_or_default(), n);
            }
            other if FOREIGN.contains(&other) => {}
            other => {
                let hint = suggest(other, KEYS.iter().map(|(_, v)| *v));
                warnings.push(LintWarning {
                    key: other.to_string(),
                    severity: "warning",
                    code: "config_unknown_variable",
                    message: "this WSGUARD_ variable is not read by wsguard (ignored)".into(),
                    remedy: match hint {
                        Some(h) => format!("did you mean {h}?"),
                        None => "remove it or check the spelling".into(),
                    },
                });
            }
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_variable_applies() {
        let mut cfg = GuardConfig::default();
        let w = apply(
            &mut cfg,
            env(&[
                ("WSGUARD_ENV", "development"),
                (
                    "WSGUARD_ALLOWED_ORIGINS",
                    " https://a.example , ,https://b.example",
                ),
                ("WSGUARD_ALLOW_NULL", "yes"),
                ("WSGUARD_ALLOW_MISSING_ORIGIN", "1"),
                ("WSGUARD_ALLOWED_HOSTS", "a.example,localhost:8000"),
                ("WSGUARD_SUBPROTOCOLS", "chat.v2,chat.v1"),
                ("WSGUARD_SUBPROTOCOL_REQUIRED", "on"),
                ("WSGUARD_TOKEN_REQUIRED", "TRUE"),
                ("WSGUARD_TOKEN_LOCATION", "query"),
                ("WSGUARD_TOKEN_QUERY", "access_token"),
                ("WSGUARD_TOKEN_SUBPROTOCOL_PREFIX", "access_token."),
                ("WSGUARD_DEV_HOSTS", "frontend:3000,web"),
                ("WSGUARD_MAX_MESSAGE_BYTES", "65_536"),
                ("WSGUARD_MAX_FRAME_BYTES", "4096"),
                ("WSGUARD_MAX_HANDSHAKE_BYTES", "2048"),
                ("WSGUARD_PING_INTERVAL_MS", "1500"),
                ("WSGUARD_PONG_TIMEOUT_MS", "700"),
                ("WSGUARD_DEV_AUTH_BYPASS", "on"),
                ("WSGUARD_DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK", "1"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(cfg.env, Environment::Development);
        assert_eq!(
            cfg.origin.allowed,
            ["https://a.example", "https://b.example"]
        );
        assert!(cfg.origin.allow_null && cfg.origin.allow_missing);
        assert_eq!(cfg.host.allowed, ["a.example", "localhost:8000"]);
        assert_eq!(cfg.subprotocols.supported, ["chat.v2", "chat.v1"]);
        assert!(cfg.subprotocols.required && cfg.token.required);
        assert_eq!(cfg.token.location, TokenLocation::Query);
        assert_eq!(cfg.token.query_param, "access_token");
        assert_eq!(
            cfg.token.subprotocol_prefix.as_deref(),
            Some("access_token.")
        );
        assert_eq!(cfg.origin.dev_hosts, ["frontend:3000", "web"]);
        assert!(cfg.token.dev_auth_bypass && cfg.token.dev_auth_bypass_allow_non_loopback);
        assert_eq!(
            (
                cfg.limits.max_message_bytes,
                cfg.limits.max_frame_bytes,
                cfg.limits.max_handshake_bytes
            ),
            (65536, 4096, 2048)
        );
        assert_eq!(
            (
                cfg.heartbeat.ping_interval_ms,
                cfg.heartbeat.pong_timeout_ms
            ),
            (1500, 700)
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let mut cfg = GuardConfig::default();
        let e = apply(&mut cfg, env(&[("WSGUARD_PING_INTERVAL_MS", "20s")])).unwrap_err();
        assert_eq!(e.to_string(), "environment variable WSGUARD_PING_INTERVAL_MS: WSGUARD_PING_INTERVAL_MS = \"20s\": not a whole non-negative number [config_bad_value] — fix: write digits only, e.g. 20000");
        let e = apply(&mut cfg, env(&[("WSGUARD_ALLOW_NULL", "maybe")])).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code),
            ("WSGUARD_ALLOW_NULL", "config_bad_value")
        );
        let e = apply(&mut cfg, env(&[("WSGUARD_ENV", "staging")])).unwrap_err();
        assert_eq!(e.key, "WSGUARD_ENV");
    }

    #[test]
    fn unknown_variable_warns_with_suggestion() {
        let mut cfg = GuardConfig::default();
        let w = apply(
            &mut cfg,
            env(&[
                ("WSGUARD_ALLOWED_ORIGIN", "https://a.example"),
                ("WSGUARD_CONFIG", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].key, "WSGUARD_ALLOWED_ORIGIN");
        assert_eq!(w[0].remedy, "did you mean WSGUARD_ALLOWED_ORIGINS?");
        assert!(cfg.origin.allowed.is_empty());
    }

    #[test]
    fn env_overrides_file() {
        let mut cfg = GuardConfig::from_toml_str(
            "[origin]\nallowed = [\"https://file.example\"]\n[token]\nrequired = true\n",
            ConfigSource::Inline,
        )
        .unwrap();
        apply(
            &mut cfg,
            env(&[
                ("WSGUARD_ALLOWED_ORIGINS", "https://env.example"),
                ("WSGUARD_TOKEN_REQUIRED", "false"),
            ]),
        )
        .unwrap();
        assert_eq!(cfg.origin.allowed, ["https://env.example"]);
        assert!(!cfg.token.required);
    }
}
