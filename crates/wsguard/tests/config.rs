//! Configuration from files and environment, checked by the core.

use std::path::PathBuf;
use wsguard::{ConfigSource, Environment, GuardConfig};

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsguard-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn bad_pattern_in_file_names_file_key_index_value_and_core_reason() {
    let path = temp_file(
        "bad-pattern.toml",
        "[origin]\nallowed = [\"https://ok.example\", \"https://app.example.com/\"]\n",
    );
    let err = GuardConfig::load_from(Some(&path), env(&[])).unwrap_err();
    assert_eq!(err.source, ConfigSource::File(path.clone()));
    assert_eq!(
        (err.key.as_str(), err.index, err.value.as_deref()),
        ("origin.allowed", Some(1), Some("https://app.example.com/"))
    );
    // The code, reason and remedy are the core's PatternError diagnostics.
    let core = wsguard_core::origin::Pattern::parse("https://app.example.com/").unwrap_err();
    use wsguard_core::Diagnostic;
    assert_eq!(
        (err.code, err.reason.as_str(), err.remedy.as_str()),
        (core.code(), core.reason(), core.remedy())
    );
    let line = err.to_string();
    assert!(
        line.starts_with(&format!(
            "{}: origin.allowed[1] = \"https://app.example.com/\": ",
            path.display()
        )),
        "{line}"
    );
}

#[test]
fn bad_pattern_from_env_names_the_variable() {
    let err = GuardConfig::load_from(
        None,
        env(&[("WSGUARD_ALLOWED_ORIGINS", "https://a.example,example.com")]),
    )
    .unwrap_err();
    assert_eq!(
        err.source,
        ConfigSource::Env("WSGUARD_ALLOWED_ORIGINS".into())
    );
    assert_eq!(
        (err.index, err.value.as_deref(), err.code),
        (Some(1), Some("example.com"), "pattern_no_scheme")
    );
}

#[test]
fn env_overrides_file_and_guard_uses_the_result() {
    let path = temp_file(
        "override.toml",
        "env = \"production\"\n[origin]\nallowed = [\"https://file.example\"]\n[heartbeat]\nping_interval_ms = 30000\n",
    );
    let loaded = GuardConfig::load_from(
        Some(&path),
        env(&[
            ("WSGUARD_ENV", "development"),
            ("WSGUARD_PING_INTERVAL_MS", "5000"),
            ("HOME", "/root"),
        ]),
    )
    .unwrap();
    let cfg = loaded.config;
    assert_eq!(cfg.env, Environment::Development);
    assert_eq!(cfg.origin.allowed, ["https://file.example"]);
    assert_eq!(cfg.heartbeat.ping_interval_ms, 5000);
    assert_eq!(
        cfg.source_of("heartbeat.ping_interval_ms"),
        ConfigSource::Env("WSGUARD_PING_INTERVAL_MS".into())
    );
    assert_eq!(cfg.source_of("origin.allowed"), ConfigSource::File(path));
    // Development preset (from the core): loopback on any port is allowed.
    let guard = wsguard::Guard::new(cfg).unwrap();
    let req = "GET / HTTP/1.1\r\nHost: localhost:8000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
               Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://localhost:5173\r\n\r\n";
    assert!(guard.check_raw(req.as_bytes()).is_ok());
    assert!(guard
        .check_raw(req.replace("localhost:5173", "evil.example").as_bytes())
        .is_err());
}

#[test]
fn unreadable_file_is_an_error_naming_it() {
    let path = PathBuf::from("/nonexistent/wsguard.toml");
    let err = GuardConfig::load_from(Some(&path), env(&[])).unwrap_err();
    assert_eq!(
        (err.code, err.key.as_str()),
        ("config_unreadable", "(file)")
    );
    assert!(err
        .to_string()
        .starts_with("/nonexistent/wsguard.toml: (file): cannot read the configuration file"));
}

#[test]
fn loaded_config_serialises_for_the_cli() {
    let loaded = GuardConfig::load_from(
        None,
        env(&[
            ("WSGUARD_ALLOWED_ORIGINS", "https://a.example"),
            ("WSGUARD_TYPO", "1"),
        ]),
    )
    .unwrap();
    let v = serde_json::to_value(&loaded).unwrap();
    assert_eq!(v["config"]["origin"]["allowed"][0], "https://a.example");
    assert_eq!(v["config"]["env"], "production");
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["key"] == "WSGUARD_TYPO"));
}

#[test]
fn linter_runs_at_load_and_feeds_errors_and_warnings() {
    // The linter's error-severity findings fail the load, naming the entry, with its fix.
    let err = GuardConfig::load_from(
        None,
        env(&[(
            "WSGUARD_ALLOWED_ORIGINS",
            "https://ok.example,ws://localhost:3000",
        )]),
    )
    .unwrap_err();
    // A ws:// entry is refused by the core's pattern parser, with the linter's
    // explanation (the same code Python's OriginPolicy and the C API give).
    assert_eq!(
        (err.index, err.value.as_deref(), err.code),
        (Some(1), Some("ws://localhost:3000"), "pattern_ws_scheme")
    );
    assert!(err.reason.contains("never `ws://`"), "{}", err.reason);
    // With a port the entry is the backend's address: the fix names the page's origin,
    // never `http://localhost:3000` (the backend's).
    assert!(
        err.remedy.contains("origin of the page") && !err.remedy.contains("write `http"),
        "{}",
        err.remedy
    );
    let err = GuardConfig::load_from(
        None,
        env(&[("WSGUARD_ALLOWED_ORIGINS", "wss://chat.example.com")]),
    )
    .unwrap_err();
    assert!(
        err.remedy
            .starts_with("write `https://chat.example.com` instead"),
        "{}",
        err.remedy
    );
    let err = GuardConfig::load_from(None, env(&[("WSGUARD_ALLOWED_ORIGINS", "https://*.com")]))
        .unwrap_err();
    assert_eq!((err.index, err.code), (Some(0), "lint_public_suffix"));
    // Warning-severity findings come back as warnings naming the entry.
    let loaded = GuardConfig::load_from(
        None,
        env(&[(
            "WSGUARD_ALLOWED_ORIGINS",
            "https://a.example,https://a.example",
        )]),
    )
    .unwrap();
    let codes: Vec<(&str, &str, &str)> = loaded
        .warnings
        .iter()
        .map(|w| (w.key.as_str(), w.severity, w.code))
        .collect();
    assert_eq!(codes, [("origin.allowed[1]", "warning", "lint_duplicate")]);
    let shown = loaded.warnings[0].to_string();
    assert!(
        shown.starts_with("warning: origin.allowed[1]: `https://a.example`: "),
        "{shown}"
    );
}

#[test]
fn heartbeat_is_checked_by_the_core() {
    let err = GuardConfig::load_from(None, env(&[("WSGUARD_PONG_TIMEOUT_MS", "0")])).unwrap_err();
    assert_eq!(
        err.source,
        ConfigSource::Env("WSGUARD_PONG_TIMEOUT_MS".into())
    );
    assert_eq!(
        (err.key.as_str(), err.value.as_deref()),
        ("heartbeat.pong_timeout_ms", Some("0"))
    );
    let err = GuardConfig::load_from(None, env(&[("WSGUARD_MAX_MISSED", "0")])).unwrap_err();
    assert_eq!(err.key, "heartbeat.max_missed");
    // Pings off: no heartbeat; defaults: a core state machine that first waits.
    let loaded = GuardConfig::load_from(None, env(&[("WSGUARD_PING_INTERVAL_MS", "0")])).unwrap();
    assert!(wsguard::Guard::new(loaded.config)
        .unwrap()
        .heartbeat(0)
        .is_none());
    let g = wsguard::Guard::new(GuardConfig::default()).unwrap();
    let mut hb = g.heartbeat(0).unwrap();
    assert!(matches!(
        hb.poll(20_000),
        wsguard_core::heartbeat::Action::SendPing { seq: 1, .. }
    ));
}

#[test]
fn policy_is_parsed_once_into_the_cores_owned_storage_with_its_limits() {
    // 256 patterns fit; the 257th is refused at construction, naming key and index.
    let mut cfg = GuardConfig::default();
    cfg.origin.allowed = (0..257)
        .map(|i| format!("https://app{i}.example.com"))
        .collect();
    let err = wsguard::Guard::new(cfg.clone()).unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.index, err.code),
        ("origin.allowed", Some(256), "policy_too_many_entries")
    );
    cfg.origin.allowed.truncate(256);
    let guard = wsguard::Guard::new(cfg.clone()).unwrap();
    drop(guard);
    let c = cfg
        .check_origin(Some("https://app255.example.com"))
        .unwrap();
    assert_eq!((c.denial, c.matched), (None, Some(255)));
    // A Host entry with a line break never reaches a response or a comparison.
    let mut cfg = GuardConfig::default();
    cfg.host.allowed = vec![
        "api.example.com".into(),
        "a.example\r\nSet-Cookie: x=1".into(),
    ];
    let err = wsguard::Guard::new(cfg).unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.index, err.code),
        ("host.allowed", Some(1), "config_control_char")
    );
}

const ALL_LIMITS: &str = "[limits]
max_connections = 500
max_per_address = 8
max_upgrading = 40
message_budget_bytes = 1_000_000
max_queued_output_bytes = 65536
write_timeout_ms = 2500
retry_after_s = 17
handshake_timeout_ms = 3000
";

#[test]
fn peer_limits_load_from_the_file_with_exact_values() {
    let path = temp_file("limits.toml", ALL_LIMITS);
    let loaded = GuardConfig::load_from(Some(&path), env(&[])).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let l = loaded.config.limits;
    assert_eq!(
        (l.max_connections, l.max_per_address, l.max_upgrading),
        (500, 8, 40)
    );
    assert_eq!(
        (
            l.message_budget_bytes,
            l.max_queued_output_bytes,
            l.write_timeout_ms,
            l.retry_after_s,
            l.handshake_timeout_ms
        ),
        (1_000_000, 65536, 2500, 17, 3000)
    );
    let guard = wsguard::Guard::new(loaded.config).unwrap();
    assert_eq!(
        guard.peer_limits(),
        wsguard_core::limits::PeerLimits::DEFAULT
            .max_connections(500)
            .max_per_address(8)
            .max_upgrading(40)
            .message_budget(1_000_000)
            .max_queued_output(65536)
            .write_timeout_ms(2500)
            .retry_after_s(17)
            .handshake_timeout_ms(3000)
    );
    // The 503 over a limit carries the configured Retry-After.
    let adm = std::sync::Arc::new(wsguard::limits::Admission::for_guard(&guard));
    let r = wsguard::limits::refusal(
        wsguard_core::limits::Overload::Connections,
        adm.limits().retry_after_s,
    );
    assert!(r
        .response
        .starts_with(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 17\r\n"));
}

#[test]
fn peer_limits_from_the_environment_override_the_file() {
    let path = temp_file("limits-env.toml", ALL_LIMITS);
    let loaded = GuardConfig::load_from(
        Some(&path),
        env(&[
            ("WSGUARD_LIMITS_MAX_CONNECTIONS", "100"),
            ("WSGUARD_LIMITS_MAX_PER_ADDRESS", "2"),
            ("WSGUARD_LIMITS_MAX_UPGRADING", "10"),
            ("WSGUARD_LIMITS_MESSAGE_BUDGET_BYTES", "2_000_000"),
            ("WSGUARD_LIMITS_MAX_QUEUED_OUTPUT_BYTES", "8192"),
            ("WSGUARD_LIMITS_WRITE_TIMEOUT_MS", "900"),
            ("WSGUARD_LIMITS_RETRY_AFTER_S", "0"),
            ("WSGUARD_LIMITS_HANDSHAKE_TIMEOUT_MS", "1200"),
        ]),
    )
    .unwrap();
    let l = loaded.config.limits;
    assert_eq!(
        (
            l.max_connections,
            l.max_per_address,
            l.max_upgrading,
            l.message_budget_bytes,
            l.max_queued_output_bytes,
            l.write_timeout_ms,
            l.retry_after_s,
            l.handshake_timeout_ms
        ),
        (100, 2, 10, 2_000_000, 8192, 900, 0, 1200)
    );
    assert_eq!(
        loaded.config.source_of("limits.max_per_address"),
        ConfigSource::Env("WSGUARD_LIMITS_MAX_PER_ADDRESS".into())
    );
    // Keys the environment did not set keep the file's source.
    let path2 = temp_file("limits-env2.toml", "[limits]\nmax_upgrading = 3\n");
    let loaded = GuardConfig::load_from(Some(&path2), env(&[])).unwrap();
    assert_eq!(
        loaded.config.source_of("limits.max_upgrading"),
        ConfigSource::File(path2)
    );
    assert_eq!(loaded.config.limits.max_connections, 10_000);
}

#[test]
fn peer_limits_out_of_range_or_invalid_give_exact_errors() {
    let path = temp_file("limits-zero.toml", "[limits]\nmax_connections = 0\n");
    let err = GuardConfig::load_from(Some(&path), env(&[])).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: limits.max_connections = \"0\": 0 is below the allowed range 1 to 4294967295: 0 would refuse every connection [config_out_of_range] — fix: write a number from 1 to 4294967295", path.display())
    );
    let err = GuardConfig::from_toml_str(
        "[limits]\nmax_per_address = 5000000000\n",
        ConfigSource::Inline,
    )
    .unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.value.as_deref(), err.code),
        (
            "limits.max_per_address",
            Some("5000000000"),
            "config_out_of_range"
        )
    );
    assert_eq!(
        err.reason,
        "5000000000 is above the allowed range 1 to 4294967295: 0 would refuse every connection"
    );
    let err = GuardConfig::from_toml_str(
        "[limits]\nmax_queued_output_bytes = 100\n",
        ConfigSource::Inline,
    )
    .unwrap_err();
    assert_eq!(err.reason, "100 is below the allowed range 4096 to 2147483647: it is the kernel send buffer of each connection (SO_SNDBUF)");
    let err = GuardConfig::from_toml_str(
        "[limits]\nwrite_timeout_ms = \"30s\"\n",
        ConfigSource::Inline,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "inline configuration: limits.write_timeout_ms = \"30s\": expected a whole number, found string [config_wrong_type] — fix: write it as `write_timeout_ms = 10000`");
    let err = GuardConfig::from_toml_str("[limits]\nretry_after_s = -1\n", ConfigSource::Inline)
        .unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.code),
        ("limits.retry_after_s", "config_out_of_range")
    );

    let err = GuardConfig::load_from(None, env(&[("WSGUARD_LIMITS_RETRY_AFTER_S", "90000")]))
        .unwrap_err();
    assert_eq!(err.to_string(), "environment variable WSGUARD_LIMITS_RETRY_AFTER_S: WSGUARD_LIMITS_RETRY_AFTER_S = \"90000\": 90000 is above the allowed range 0 to 86400: clients wait this long before they retry; more than a day looks like an outage [config_out_of_range] — fix: write a number from 0 to 86400");
    let err =
        GuardConfig::load_from(None, env(&[("WSGUARD_LIMITS_WRITE_TIMEOUT_MS", "0")])).unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.code, err.reason.as_str()),
        ("WSGUARD_LIMITS_WRITE_TIMEOUT_MS", "config_out_of_range", "0 is below the allowed range 1 to 86400000: 0 would drop every peer at its first write; a write pending for a day is a dead peer")
    );
    let err =
        GuardConfig::load_from(None, env(&[("WSGUARD_LIMITS_MAX_UPGRADING", "lots")])).unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.code),
        ("WSGUARD_LIMITS_MAX_UPGRADING", "config_bad_value")
    );

    // Values set in code: the guard refuses them with the same error.
    let mut cfg = GuardConfig::default();
    cfg.limits.handshake_timeout_ms = 0;
    let err = wsguard::Guard::new(cfg).unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.source, err.code),
        (
            "limits.handshake_timeout_ms",
            ConfigSource::Inline,
            "config_out_of_range"
        )
    );
}

#[test]
fn misspelt_limit_names_are_caught() {
    let err = GuardConfig::from_toml_str("[limits]\nmax_conections = 5\n", ConfigSource::Inline)
        .unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.code),
        ("limits.max_conections", "config_unknown_key")
    );
    assert!(
        err.remedy
            .starts_with("did you mean `limits.max_connections`?"),
        "{}",
        err.remedy
    );
    let loaded =
        GuardConfig::load_from(None, env(&[("WSGUARD_LIMITS_MAX_CONECTIONS", "5")])).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(
        (loaded.warnings[0].code, loaded.warnings[0].remedy.as_str()),
        (
            "config_unknown_variable",
            "did you mean WSGUARD_LIMITS_MAX_CONNECTIONS?"
        )
    );
    assert_eq!(loaded.config.limits.max_connections, 10_000);
}

/// `tests/vectors/token_options.json` through the std configuration: the same refusals
/// (as `ConfigError`s naming the key) and the same tokens, except where the std default
/// (the pair form `bearer` when neither option is set) gives `std_token`.
#[test]
fn token_options_vectors_through_the_std_config() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/token_options.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let e = &case["expect"];
        let mut cfg = GuardConfig::default();
        cfg.origin.allow_missing = true;
        cfg.token.location = wsguard::config::TokenLocation::Subprotocol;
        cfg.token.subprotocol_prefix = case["prefix"].as_str().map(String::from);
        cfg.token.subprotocol_pair = case["pair"].as_str().map(String::from);
        let guard = match wsguard::Guard::new(cfg) {
            Ok(g) => {
                assert!(e["ok"].as_bool().unwrap(), "{name}: accepted");
                g
            }
            Err(err) => {
                assert!(!e["ok"].as_bool().unwrap(), "{name}: refused {err}");
                assert_eq!(err.code, e["code"].as_str().unwrap(), "{name}");
                let key = if err.code == "token_subprotocol_empty_marker" {
                    "token.subprotocol_pair"
                } else {
                    "token.subprotocol_prefix"
                };
                assert_eq!(err.key, key, "{name}");
                continue;
            }
        };
        let want = if e.get("std_token").is_some() {
            e["std_token"].as_str()
        } else {
            e["token"].as_str()
        };
        let accepted = guard
            .check_raw(case["request"].as_str().unwrap().as_bytes())
            .unwrap();
        assert_eq!(accepted.token.as_deref(), want, "{name}");
    }
}

#[test]
fn token_options_from_file_and_environment() {
    // Both forms, one from the file and one from the environment: refused, naming the
    // prefix's source.
    let path = temp_file(
        "token-both.toml",
        "[token]\nsubprotocol_prefix = \"access_token.\"\n",
    );
    let err = GuardConfig::load_from(
        Some(&path),
        env(&[("WSGUARD_TOKEN_SUBPROTOCOL_PAIR", "bearer")]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), format!("{}: token.subprotocol_prefix = \"access_token.\": both the subprotocol token prefix and the subprotocol token pair marker are set, but the token travels in one form only [token_subprotocol_conflict] — fix: set only the form your clients send: the prefix for `<prefix><token>` (e.g. `access_token.`) or the pair marker for `<marker>, <token>` (e.g. `bearer`)", path.display()));
    // An empty variable unsets the option; an empty TOML string is refused.
    let loaded =
        GuardConfig::load_from(Some(&path), env(&[("WSGUARD_TOKEN_SUBPROTOCOL_PAIR", "")]))
            .unwrap();
    assert_eq!(loaded.config.token.subprotocol_pair, None);
    let err = GuardConfig::load_from(
        Some(&temp_file(
            "token-empty.toml",
            "[token]\nsubprotocol_pair = \"\"\n",
        )),
        env(&[]),
    )
    .unwrap_err();
    assert_eq!(
        (err.key.as_str(), err.code),
        ("token.subprotocol_pair", "token_subprotocol_empty_marker")
    );
}
