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
