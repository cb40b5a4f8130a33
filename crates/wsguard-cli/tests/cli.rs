//! The `wsguard` command as a user runs it: exit statuses, `--json` shapes, plain output
//! in pipes (no colour), configuration from file and environment, the demo, and the
//! server's heartbeat, handshake timeout and graceful shutdown.

mod common;
use common::*;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn wsguard(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run wsguard")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn explain_close_code_json() {
    let o = wsguard(&["explain", "1006", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["kind"], "close_code");
    assert_eq!(v["name"], "abnormal_closure");
    assert_eq!(v["wire_valid"], false);
}

#[test]
fn explain_http_status_json() {
    let o = wsguard(&["explain", "403", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(
        (v["kind"].as_str(), v["code"].as_str()),
        (Some("http_status"), Some("forbidden"))
    );
}

#[test]
fn explain_text_has_no_colour_in_a_pipe() {
    let o = wsguard(&["explain", "4401"]);
    let text = stdout(&o);
    assert!(text.starts_with("close code 4401"), "{text}");
    assert!(!text.contains('\x1b'), "escape codes in a pipe");
    let forced = stdout(&wsguard(&["--color", "always", "explain", "1000"]));
    assert!(forced.contains("\x1b["), "--color always must colour");
}

#[test]
fn explain_rejects_non_numbers() {
    assert_eq!(wsguard(&["explain", "banana"]).status.code(), Some(2));
}

#[test]
fn check_origin_verdicts_and_exit_statuses() {
    let ok = wsguard(&[
        "check-origin",
        "https://api.example.com",
        "--allow",
        "https://*.example.com",
        "--json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let v = json(&ok);
    assert_eq!(
        (v["allowed"].as_bool(), v["matched"].as_str()),
        (Some(true), Some("https://*.example.com"))
    );

    let bad = wsguard(&[
        "check-origin",
        "https://evil-example.com",
        "--allow",
        "https://*.example.com",
        "--json",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let v = json(&bad);
    assert_eq!(
        (v["allowed"].as_bool(), v["code"].as_str()),
        (Some(false), Some("origin_host"))
    );
    assert!(v["remedy"].as_str().is_some_and(|r| !r.is_empty()));

    let text = stdout(&wsguard(&[
        "check-origin",
        "http://app.example.com",
        "--allow",
        "https://app.example.com",
    ]));
    assert!(
        text.starts_with("REFUSED  Origin: http://app.example.com  origin_scheme"),
        "{text}"
    );
}

#[test]
fn check_origin_reads_a_policy_file() {
    let dir = std::env::temp_dir().join(format!("wsguard-cli-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("origins.txt");
    std::fs::write(&list, "# allowed\nhttps://app.example.com\n").unwrap();
    let toml = dir.join("wsguard.toml");
    std::fs::write(
        &toml,
        "env = \"development\"\n[origin]\nallowed = [\"https://app.example.com\"]\n",
    )
    .unwrap();
    assert_eq!(
        wsguard(&[
            "check-origin",
            "https://app.example.com",
            "--policy",
            list.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let v = json(&wsguard(&[
        "check-origin",
        "http://localhost:5173",
        "--policy",
        toml.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(v["allowed"], true, "{v:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_finds_classic_mistakes() {
    let dir = std::env::temp_dir().join(format!("wsguard-cli-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[origin]\nallowed = [\"ws://localhost:8000\", \"https://app.example.com/\", \"*\"]\n",
    )
    .unwrap();
    let o = wsguard(&["lint", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let codes: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "lint_ws_scheme",
            "lint_trailing_slash",
            "lint_wildcard_production"
        ],
        "{v:#}"
    );
    assert_eq!(v["problems"][0]["key"], "origin.allowed[0]");
    assert_eq!(v["problems"][0]["suggestion"], serde_json::Value::Null);

    let good = dir.join("good.toml");
    std::fs::write(&good, "[origin]\nallowed = [\"https://app.example.com\"]\n").unwrap();
    let o = wsguard(&["lint", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("no problems found"));

    let typo = dir.join("typo.toml");
    std::fs::write(&typo, "[origin]\nalowed = [\"https://app.example.com\"]\n").unwrap();
    let o = wsguard(&["lint", typo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("origin.alowed"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn probe_exit_statuses() {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--ping-interval",
        "0",
        "--quiet",
    ]);
    let url = srv.ws_url("/ws");
    let ok = wsguard(&[
        "probe",
        &url,
        "--origin",
        "https://app.example.com",
        "--echo",
        "hi",
        "--json",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert_eq!(json(&ok)["exit_status"], 0);
    let refused = wsguard(&["probe", &url, "--origin", "https://evil.example.net"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stdout(&refused).contains("REFUSED at upgrade"),
        "{}",
        stdout(&refused)
    );
    // Nothing listens on a port we just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = wsguard(&["probe", &format!("ws://127.0.0.1:{port}/ws"), "--json"]);
    assert_eq!(down.status.code(), Some(3));
    assert_eq!(json(&down)["failure"]["step"], "tcp");
    let bad_url = wsguard(&["probe", "http://example.com/ws", "--json"]);
    assert_eq!(bad_url.status.code(), Some(2));
}

#[test]
fn demo_runs_five_scenarios() {
    let o = wsguard(&["demo"]);
    let text = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for needle in [
        "[1/5]",
        "[5/5]",
        "✓ connected",
        "origin_host",
        "token_missing",
        "version_unsupported",
        "path_not_found",
        "fix",
        "1006",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains('\x1b'), "no colour in a pipe");
    let j = wsguard(&["demo", "--json"]);
    let lines: Vec<serde_json::Value> = stdout(&j)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[5]["counters"]["refused_total"], 4);
}

#[test]
fn serve_reads_config_file_and_environment() {
    let dir = std::env::temp_dir().join(format!("wsguard-cli-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("wsguard.toml");
    std::fs::write(
        &cfg,
        "[origin]\nallowed = [\"https://file.example.com\"]\n[heartbeat]\nping_interval_ms = 0\n",
    )
    .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--config",
        cfg.to_str().unwrap(),
        "--quiet",
    ])
    .env("WSGUARD_ALLOWED_ORIGINS", "https://env.example.com")
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = parse_listen_line(&line).expect("listen line");
    let probe = |origin: &str| {
        wsguard(&["probe", &format!("ws://{addr}/ws"), "--origin", origin])
            .status
            .code()
    };
    // The environment overrides the file's list (defaults < file < environment < flags).
    assert_eq!(probe("https://env.example.com"), Some(0));
    assert_eq!(probe("https://file.example.com"), Some(1));
    let health = http_get(addr, "/health");
    assert_eq!(health.status, 200);
    assert_eq!(
        health.header("Content-Type").as_deref(),
        Some("application/json")
    );
    let h: serde_json::Value = serde_json::from_slice(&health.body).unwrap();
    assert_eq!(
        (
            h["status"].as_str(),
            h["accepted"].as_u64(),
            h["refused"].as_u64()
        ),
        (Some("ok"), Some(1), Some(1))
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_a_bad_config_with_its_key() {
    let o = wsguard(&["serve", "--listen", "127.0.0.1:0", "--allow", "example.com"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("origin.allowed") && err.contains("example.com"),
        "{err}"
    );
}

#[test]
fn metrics_are_prometheus_text() {
    let srv = Server::start(&["--path", "/ws", "--ping-interval", "0", "--quiet"]);
    let _ = http_exchange(
        srv.addr,
        upgrade_request(srv.addr, "/ws", "Origin: https://nope.example\r\n").as_bytes(),
    );
    let m = http_get(srv.addr, "/metrics");
    assert_eq!(m.status, 200);
    assert!(m
        .header("Content-Type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let body = m.body_str();
    assert!(
        body.contains("# TYPE wsguard_accepted_total counter\nwsguard_accepted_total 0\n"),
        "{body}"
    );
    assert!(
        body.contains("wsguard_refused_total{reason=\"origin_host\"} 1\n"),
        "{body}"
    );
    assert!(
        body.contains("# TYPE wsguard_connections_active gauge\n"),
        "{body}"
    );
    assert_eq!(
        http_exchange(
            srv.addr,
            b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        )
        .status,
        405
    );
}

#[test]
fn silent_peer_is_dropped_by_the_heartbeat() {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow-missing-origin",
        "--ping-interval",
        "0.2",
        "--pong-timeout",
        "0.3",
        "--quiet",
    ]);
    let mut c = Raw::open(srv.addr, "/ws");
    let started = Instant::now();
    // We read the server's pings but never answer: it must give up and close TCP.
    let mut pings = 0;
    loop {
        match c.read_frame() {
            Ok(f) if f.opcode == 0x9 => pings += 1,
            Ok(f) => panic!("unexpected frame {f:?}"),
            Err(End::Closed) => break,
            Err(End::Timeout) => panic!("server kept a silent peer"),
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    assert!(pings >= 1, "no heartbeat ping before the drop");
    let m = http_get(srv.addr, "/metrics").body_str();
    assert!(m.contains("wsguard_heartbeat_timeouts_total 1\n"), "{m}");
    assert!(m.contains("wsguard_closes_total{code=\"1006\"} 1\n"), "{m}");
}

#[test]
fn answered_pings_keep_the_peer_alive() {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow-missing-origin",
        "--ping-interval",
        "0.2",
        "--pong-timeout",
        "0.3",
        "--quiet",
    ]);
    let mut c = Raw::open(srv.addr, "/ws");
    let until = Instant::now() + Duration::from_millis(1500);
    let mut pings = 0;
    while Instant::now() < until {
        let f = c.expect_frame();
        assert_eq!(f.opcode, 0x9);
        pings += 1;
        c.send_frame(true, 0xA, &f.payload);
    }
    assert!(pings >= 3, "{pings}");
    c.echo(0x1, b"still here");
}

#[test]
fn slow_request_gets_408() {
    let srv = Server::start(&["--path", "/ws", "--handshake-timeout", "0.3", "--quiet"]);
    let r = http_exchange(srv.addr, b"GET /ws HTTP/1.1\r\nHost: x\r\n");
    assert_eq!(r.status, 408, "{}", r.head);
    // Exactly the core's answer (Rejection::HandshakeTimeout), not texts of the CLI's own.
    let mut core = [0u8; 1024];
    let n = wsguard_core::handshake::write_rejection_response(
        &wsguard_core::handshake::Rejection::HandshakeTimeout,
        &mut core,
    )
    .unwrap();
    let mut got = format!("{}\r\n\r\n", r.head.trim_end()).into_bytes();
    got.extend_from_slice(&r.body);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&core[..n])
    );
    let m = http_get(srv.addr, "/metrics").body_str();
    assert!(
        m.contains("wsguard_refused_total{reason=\"handshake_timeout\"} 1\n"),
        "{m}"
    );
}

/// SIGINT (Ctrl-C) and SIGTERM (`docker stop`, Kubernetes, systemd) both close every
/// connection with 1001 going away, so clients reconnect instead of seeing 1006.
fn signal_closes_connections_with_1001(signal: &str) {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow-missing-origin",
        "--ping-interval",
        "0",
        "--quiet",
    ]);
    let mut c = Raw::open(srv.addr, "/ws");
    c.echo(0x1, b"before shutdown");
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(srv.pid().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let f = c.expect_frame();
    assert_eq!(
        (f.opcode, f.close_code()),
        (0x8, Some(1001)),
        "after SIG{signal}"
    );
    c.send_frame(true, 0x8, &close_payload(1001, b""));
    c.expect_tcp_close();
}

#[test]
fn interrupt_closes_connections_with_1001() {
    signal_closes_connections_with_1001("INT");
}

#[test]
fn terminate_closes_connections_with_1001() {
    signal_closes_connections_with_1001("TERM");
}

/// `[limits]` in the file reaches the server; a flag overrides it. One connection that
/// sends nothing holds the only upgrade slot (`max_upgrading = 1`), so the next one —
/// accepted after it by the one accept loop — gets the core's 503 with the configured
/// `Retry-After`.
#[test]
fn serve_takes_peer_limits_from_the_config_file_and_flags_override_them() {
    let dir = std::env::temp_dir().join(format!("wsguard-cli-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("limits.toml");
    std::fs::write(&cfg, "[limits]\nmax_upgrading = 1\nretry_after_s = 17\n").unwrap();
    let health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (extra, retry) in [(None, "17"), (Some("3"), "3")] {
        let mut args = vec!["--config", cfg.to_str().unwrap(), "--quiet"];
        if let Some(r) = extra {
            args.extend(["--retry-after", r]);
        }
        let srv = Server::start(&args);
        let _held = std::net::TcpStream::connect(srv.addr).unwrap();
        let r = http_exchange(srv.addr, health);
        assert_eq!(r.status, 503, "{}", r.head);
        assert_eq!(r.header("retry-after").as_deref(), Some(retry));
        assert!(
            r.body_str().starts_with("too_many_upgrades: "),
            "{}",
            r.body_str()
        );
    }
}

#[test]
fn serve_refuses_to_start_with_a_limit_out_of_range() {
    let dir = std::env::temp_dir().join(format!("wsguard-cli-limits-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("limits.toml");
    std::fs::write(&cfg, "[limits]\nmax_connections = 0\n").unwrap();
    let out = wsguard(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("limits.max_connections = \"0\": 0 is below the allowed range 1 to 4294967295: 0 would refuse every connection [config_out_of_range]"),
        "{err}"
    );
}
