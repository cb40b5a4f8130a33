//! TOML → [`GuardConfig`], walking the table by hand so that every error names the key,
//! the list index and the value (serde's messages name only the field).
//!
//! Depends on the types (`config/mod.rs`) and the key table ([`super::keys`]) only.

use super::keys::{keys_of, range_error, sections, suggest};
use super::{ConfigError, ConfigSource, Environment, GuardConfig, TokenLocation};
use ::toml::{Table, Value};
use std::path::Path;

impl GuardConfig {
    /// Reads and parses a TOML file (no environment, no core check).
    ///
    /// ```no_run
    /// let cfg = wsguard::GuardConfig::from_file(std::path::Path::new("wsguard.toml")).unwrap();
    /// # let _ = cfg;
    /// ```
    pub fn from_file(path: &Path) -> Result<GuardConfig, ConfigError> {
        let source = ConfigSource::File(path.to_path_buf());
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            source: source.clone(),
            key: "(file)".into(),
            index: None,
            value: None,
            code: "config_unreadable",
            reason: format!("cannot read the configuration file: {e}"),
            remedy: "check the path and the file's permissions".into(),
        })?;
        Self::from_toml_str(&text, source)
    }

    /// Parses TOML text. Unknown keys and wrong types are errors naming the key.
    ///
    /// ```
    /// use wsguard::{GuardConfig, ConfigSource};
    /// let err = GuardConfig::from_toml_str("[origin]\nalowed = []\n", ConfigSource::Inline).unwrap_err();
    /// assert_eq!(err.key, "origin.alowed");
    /// assert!(err.remedy.contains("origin.allowed"));
    /// ```
    pub fn from_toml_str(text: &str, source: ConfigSource) -> Result<GuardConfig, ConfigError> {
        parse(text, source)
    }
}

struct Ctx {
    source: ConfigSource,
}

impl Ctx {
    fn err(
        &self,
        key: &str,
        index: Option<usize>,
        value: Option<&Value>,
        code: &'static str,
        reason: String,
        remedy: String,
    ) -> ConfigError {
        ConfigError {
            source: self.source.clone(),
            key: key.to_string(),
            index,
            value: value.map(show),
            code,
            reason,
            remedy,
        }
    }

    fn wrong_type(
        &self,
        key: &str,
        index: Option<usize>,
        v: &Value,
        want: &str,
        example: &str,
    ) -> ConfigError {
        self.err(
            key,
            index,
            Some(v),
            "config_wrong_type",
            format!("expected {want}, found {}", v.type_str()),
            format!("write it as {example}"),
        )
    }

    fn bool(&self, key: &str, v: &Value) -> Result<bool, ConfigError> {
        v.as_bool().ok_or_else(|| {
            self.wrong_type(
                key,
                None,
                v,
                "true or false",
                &format!("`{} = true`", leaf(key)),
            )
        })
    }

    fn u64(&self, key: &str, v: &Value) -> Result<u64, ConfigError> {
        match v.as_integer() {
            Some(n) if n >= 0 => match range_error(key, n as u64) {
                None => Ok(n as u64),
                Some((reason, remedy)) => {
                    Err(self.err(key, None, Some(v), "config_out_of_range", reason, remedy))
                }
            },
            Some(_) => Err(self.err(
                key,
                None,
                Some(v),
                "config_out_of_range",
                "a negative number makes no sense here".into(),
                "use 0 or a positive number".into(),
            )),
            None => Err(self.wrong_type(
                key,
                None,
                v,
                "a whole number",
                &format!("`{} = 10000`", leaf(key)),
            )),
        }
    }

    fn string(&self, key: &str, v: &Value) -> Result<String, ConfigError> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            self.wrong_type(
                key,
                None,
                v,
                "a string",
                &format!("`{} = \"…\"`", leaf(key)),
            )
        })
    }

    fn strings(&self, key: &str, v: &Value) -> Result<Vec<String>, ConfigError> {
        let arr = v.as_array().ok_or_else(|| {
            self.wrong_type(
                key,
                None,
                v,
                "a list of strings",
                &format!("`{} = [\"…\", \"…\"]`", leaf(key)),
            )
        })?;
        arr.iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    self.wrong_type(key, Some(i), item, "a string", "a quoted string")
                })
            })
            .collect()
    }
}

fn leaf(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Table(_) => "{…}".to_string(),
    }
}

fn unknown_key(ctx: &Ctx, key: &str, v: &Value, known: &[&str]) -> ConfigError {
    let remedy = match suggest(key, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? known keys: {}", known.join(", ")),
        None => format!("remove it; known keys: {}", known.join(", ")),
    };
    ctx.err(
        key,
        None,
        Some(v),
        "config_unknown_key",
        "this key is not a wsguard setting".into(),
        remedy,
    )
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn parse(text: &str, source: ConfigSource) -> Result<GuardConfig, ConfigError> {
    let ctx = Ctx { source };
    let table: Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let (line, col) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            return Err(ctx.err(
                &format!("line {line}, column {col}"),
                None,
                None,
                "config_syntax",
                format!("not valid TOML: {}", e.message().trim()),
                "fix the syntax at that position (strings need double quotes, lists use [ ])"
                    .into(),
            ));
        }
    };
    let mut cfg = GuardConfig::default();
    let mut known_top: Vec<&str> = vec!["env"];
    known_top.extend(sections());
    for (name, value) in &table {
        if name == "env" {
            cfg.provenance.insert("env".into(), ctx.source.clone());
            let s = ctx.string("env", value)?;
            cfg.env = Environment::parse(&s).ok_or_else(|| {
                ctx.err(
                    "env",
                    None,
                    Some(value),
                    "config_bad_value",
                    "unknown environment".into(),
                    "write `env = \"development\"` or `env = \"production\"`".into(),
                )
            })?;
            continue;
        }
        if !known_top.contains(&name.as_str()) {
            return Err(unknown_key(&ctx, name, value, &known_top));
        }
        let section = value.as_table().ok_or_else(|| {
            ctx.wrong_type(
                name,
                None,
                value,
                "a table",
                &format!("a `[{name}]` section"),
            )
        })?;
        let known = keys_of(name);
        for (k, v) in section {
            let key = format!("{name}.{k}");
            cfg.provenance.insert(key.clone(), ctx.source.clone());
            match key.as_str() {
                "origin.allowed" => cfg.origin.allowed = ctx.strings(&key, v)?,
                "origin.allow_null" => cfg.origin.allow_null = ctx.bool(&key, v)?,
                "origin.allow_missing" => cfg.origin.allow_missing = ctx.bool(&key, v)?,
                "origin.dev_hosts" => cfg.origin.dev_hosts = ctx.strings(&key, v)?,
                "token.subprotocol_pair" => cfg.token.subprotocol_pair = Some(ctx.string(&key, v)?),
                "token.subprotocol_prefix" => {
                    cfg.token.subprotocol_prefix = Some(ctx.string(&key, v)?)
                }
                "host.allowed" => cfg.host.allowed = ctx.strings(&key, v)?,
                "subprotocols.supported" => cfg.subprotocols.supported = ctx.strings(&key, v)?,
                "subprotocols.required" => cfg.subprotocols.required = ctx.bool(&key, v)?,
                "token.required" => cfg.token.required = ctx.bool(&key, v)?,
                "token.dev_auth_bypass" => cfg.token.dev_auth_bypass = ctx.bool(&key, v)?,
                "token.dev_auth_bypass_allow_non_loopback" => {
                    cfg.token.dev_auth_bypass_allow_non_loopback = ctx.bool(&key, v)?
                }
                "token.location" => {
                    let s = ctx.string(&key, v)?;
                    cfg.token.location = TokenLocation::parse(&s).ok_or_else(|| {
                        ctx.err(
                            &key,
                            None,
                            Some(v),
                            "config_bad_value",
                            "unknown token location".into(),
                            "write one of \"header\", \"query\", \"subprotocol\", \"any\"".into(),
                        )
                    })?;
                }
                "token.query_param" => cfg.token.query_param = ctx.string(&key, v)?,
                // Every numeric key (`[limits]`, `[heartbeat]`): an integer, then its range.
                _ if cfg.number_mut(&key).is_some() => {
                    let n = ctx.u64(&key, v)?;
                    cfg.set_number(&key, n);
                }
                _ => return Err(unknown_key(&ctx, &key, v, &known)),
            }
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_inline(text: &str) -> Result<GuardConfig, ConfigError> {
        parse(text, ConfigSource::Inline)
    }

    #[test]
    fn full_file_parses() {
        let cfg = parse_inline(
            r#"env = "development"
[origin]
allowed = ["https://app.example.com", "https://*.example.com"]
allow_null = true
allow_missing = true
[host]
allowed = ["app.example.com"]
[subprotocols]
supported = ["chat.v2", "chat.v1"]
required = true
[token]
required = true
location = "query"
query_param = "access_token"
[limits]
max_message_bytes = 65536
max_frame_bytes = 4096
max_handshake_bytes = 4096
[heartbeat]
ping_interval_ms = 1000
pong_timeout_ms = 500
"#,
        )
        .unwrap();
        assert_eq!(cfg.env, Environment::Development);
        assert_eq!(
            cfg.origin.allowed,
            ["https://app.example.com", "https://*.example.com"]
        );
        assert!(cfg.origin.allow_null && cfg.origin.allow_missing);
        assert_eq!(cfg.host.allowed, ["app.example.com"]);
        assert_eq!(cfg.subprotocols.supported, ["chat.v2", "chat.v1"]);
        assert!(cfg.subprotocols.required);
        assert_eq!(cfg.token.location, TokenLocation::Query);
        assert_eq!(cfg.token.query_param, "access_token");
        assert_eq!(cfg.limits.max_frame_bytes, 4096);
        assert_eq!(cfg.heartbeat.ping_interval_ms, 1000);
        assert_eq!(cfg.heartbeat.pong_timeout_ms, 500);
    }

    #[test]
    fn list_element_of_wrong_type_names_index_and_value() {
        let e = parse_inline("[origin]\nallowed = [\"https://a.example\", 42]\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.index, e.value.as_deref(), e.code),
            ("origin.allowed", Some(1), Some("42"), "config_wrong_type")
        );
        assert_eq!(e.to_string(), "inline configuration: origin.allowed[1] = \"42\": expected a string, found integer [config_wrong_type] — fix: write it as a quoted string");
    }

    #[test]
    fn unknown_section_and_key_suggest() {
        let e = parse_inline("[orign]\nallowed = []\n").unwrap_err();
        assert_eq!((e.key.as_str(), e.code), ("orign", "config_unknown_key"));
        assert!(
            e.remedy.starts_with("did you mean `origin`?"),
            "{}",
            e.remedy
        );
        let e = parse_inline("[heartbeat]\nping_interval = 5\n").unwrap_err();
        assert_eq!(e.key, "heartbeat.ping_interval");
        assert!(
            e.remedy
                .starts_with("did you mean `heartbeat.ping_interval_ms`?"),
            "{}",
            e.remedy
        );
    }

    #[test]
    fn syntax_error_names_line() {
        let e = parse_inline("[origin]\nallowed = [https://a]\n").unwrap_err();
        assert_eq!(e.code, "config_syntax");
        assert!(e.key.starts_with("line 2, column"), "{}", e.key);
    }

    #[test]
    fn bad_values() {
        let e = parse_inline("env = \"staging\"\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.value.as_deref(), e.code),
            ("env", Some("staging"), "config_bad_value")
        );
        let e = parse_inline("[token]\nlocation = \"cookie\"\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code),
            ("token.location", "config_bad_value")
        );
        let e = parse_inline("[limits]\nmax_frame_bytes = -1\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code),
            ("limits.max_frame_bytes", "config_out_of_range")
        );
        let e = parse_inline("[origin]\nallow_null = \"yes\"\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code),
            ("origin.allow_null", "config_wrong_type")
        );
        let e = parse_inline("origin = 3\n").unwrap_err();
        assert_eq!((e.key.as_str(), e.code), ("origin", "config_wrong_type"));
    }

    #[test]
    fn control_characters_in_host_entries_are_refused() {
        let cfg =
            parse_inline("[host]\nallowed = [\"a.example\", \"b.example\\r\\nSet-Cookie: x=1\"]\n")
                .unwrap();
        let e = cfg.check().unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.index, e.code),
            ("host.allowed", Some(1), "config_control_char")
        );
        let cfg = parse_inline("[origin]\ndev_hosts = [\"web\\u001b\"]\n").unwrap();
        assert_eq!(cfg.check().unwrap_err().key, "origin.dev_hosts");
    }

    #[test]
    fn dev_auth_bypass_keys() {
        let cfg = parse_inline(
            "env = \"development\"\n[token]\nrequired = true\ndev_auth_bypass = true\ndev_auth_bypass_allow_non_loopback = true\n",
        )
        .unwrap();
        assert!(cfg.token.dev_auth_bypass && cfg.token.dev_auth_bypass_allow_non_loopback);
        assert!(cfg.check().is_ok());
        // In production the core refuses the bypass: a typed error naming the key.
        let cfg = parse_inline("[token]\nrequired = true\ndev_auth_bypass = true\n").unwrap();
        let e = cfg.check().unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code, e.value.as_deref()),
            (
                "token.dev_auth_bypass",
                "dev_auth_bypass_production",
                Some("true")
            )
        );
        assert_eq!(e.to_string(), "inline configuration: token.dev_auth_bypass = \"true\": `dev_auth_bypass` is on with the production preset: every connection without a token would be accepted in production [dev_auth_bypass_production] — fix: turn `dev_auth_bypass` off (it exists for local development only), or run with the development preset on a developer machine");
        let e = parse_inline("[token]\ndev_auth_bypass = \"yes\"\n").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.code),
            ("token.dev_auth_bypass", "config_wrong_type")
        );
    }

    #[test]
    fn file_source_is_named() {
        let e = parse("[x]\n", ConfigSource::File("/etc/wsguard.toml".into())).unwrap_err();
        assert!(e.to_string().starts_with("/etc/wsguard.toml: x"), "{e}");
    }
}
