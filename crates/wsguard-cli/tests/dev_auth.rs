//! `wsguard serve --dev-auth-bypass` and `wsguard lint` on the development auth bypass
//! (issue 16 item 6): refuses to start in production and on a non-loopback `--listen`,
//! accepts a connection without a token on loopback and logs the core's warning for it.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// `wsguard serve` with stderr captured line by line; killed when dropped.
struct Serve {
    child: Child,
    addr: std::net::SocketAddr,
    stderr: Receiver<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve").args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env_remove("WSGUARD_CONFIG");
    cmd
}

fn start(args: &[&str], env: &[(&str, &str)]) -> Serve {
    let mut child = command(args, env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wsguard serve");
    let (tx, stderr) = channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = parse_listen_line(&first).unwrap_or_else(|| panic!("no listen line: {first:?}"));
    Serve {
        child,
        addr,
        stderr,
    }
}

/// Runs serve expecting it to refuse to start: (exit code, stderr).
fn refused(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = command(args, env)
        .stdin(Stdio::null())
        .output()
        .expect("run wsguard serve");
    assert!(out.stdout.is_empty(), "it started: {:?}", out.stdout);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn upgrade(addr: std::net::SocketAddr, target: &str, extra: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let req = upgrade_request(
        addr,
        target,
        &format!("Origin: http://localhost:5173\r\n{extra}"),
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

const DEV: &[&str] = &[
    "--env",
    "development",
    "--token",
    "s3cret",
    "--dev-auth-bypass",
];

#[test]
fn refuses_to_start_in_production() {
    let (code, err) = refused(
        &[
            "--listen",
            "127.0.0.1:0",
            "--token",
            "s3cret",
            "--dev-auth-bypass",
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("token.dev_auth_bypass = \"true\": `dev_auth_bypass` is on with the production preset: every connection without a token would be accepted in production [dev_auth_bypass_production]"),
        "{err}"
    );
    // The override for the listen address does not unlock production.
    let (code, err) = refused(
        &[
            "--listen",
            "127.0.0.1:0",
            "--dev-auth-bypass",
            "--dev-auth-bypass-allow-non-loopback",
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[dev_auth_bypass_production]"), "{err}");
}

#[test]
fn refuses_a_non_loopback_listen_before_binding() {
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let mut args = vec!["--listen", listen];
        args.extend_from_slice(DEV);
        let (code, err) = refused(&args, &[]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(
            err.trim_end(),
            format!("config error: refusing to start: --listen {listen}: `dev_auth_bypass` is on and the server listens on a non-loopback address: anyone who can reach this port would connect without a token [dev_auth_bypass_non_loopback]; fix: listen on 127.0.0.1 or [::1]; inside a development container whose port is published only to your machine, also set `dev_auth_bypass_allow_non_loopback`")
        );
    }
    // The same from the environment variable.
    let (code, err) = refused(
        &[
            "--listen",
            "0.0.0.0:0",
            "--env",
            "development",
            "--token",
            "x",
        ],
        &[("WSGUARD_DEV_AUTH_BYPASS", "1")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[dev_auth_bypass_non_loopback]"), "{err}");
}

#[test]
fn loopback_accepts_without_token_and_warns_each_time() {
    let mut args = vec!["--listen", "127.0.0.1:0"];
    args.extend_from_slice(DEV);
    let s = start(&args, &[]);
    assert_eq!(
        s.stderr.recv_timeout(Duration::from_secs(5)).unwrap(),
        "warning: dev_auth_bypass is on: connections without a token are accepted and logged (development only)"
    );
    for _ in 0..2 {
        assert_eq!(
            upgrade(s.addr, "/ws?room=1&access_token=leak", ""),
            "HTTP/1.1 101 Switching Protocols"
        );
        let line = loop {
            let l = s.stderr.recv_timeout(Duration::from_secs(5)).unwrap();
            if l.contains("warning: websocket accepted") {
                break l;
            }
        };
        let (peer, notice) = line.split_once(' ').unwrap();
        assert!(peer.starts_with("127.0.0.1:"), "{line}");
        assert_eq!(notice, "warning: websocket accepted WITHOUT a token because dev_auth_bypass is on (development only, never in production): target /ws?room=1&access_token=[redacted] origin http://localhost:5173 [dev_auth_bypass_used]");
    }
    // A token that is sent is still checked; the right one passes without a warning.
    assert_eq!(
        upgrade(s.addr, "/ws", "Authorization: Bearer wrong\r\n"),
        "HTTP/1.1 401 Unauthorized"
    );
    assert_eq!(
        upgrade(s.addr, "/ws", "Authorization: Bearer s3cret\r\n"),
        "HTTP/1.1 101 Switching Protocols"
    );
    let (_, body) = {
        let r = http_exchange(s.addr, b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
        (r.status, r.body_str())
    };
    assert!(
        body.contains("wsguard_refused_total{reason=\"token_invalid\"} 1\n"),
        "{body}"
    );
    // Each request counted once: the wrong token is not also counted as accepted.
    assert!(body.contains("\nwsguard_accepted_total 3\n"), "{body}");
}

#[test]
fn lint_flags_the_bypass_in_production_as_an_error() {
    let dir = std::env::temp_dir().join(format!("wsguard-devauth-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wsguard.toml");
    std::fs::write(
        &file,
        "[origin]\nallowed = [\"https://app.example.com\"]\n[token]\nrequired = true\ndev_auth_bypass = true\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["lint", "--json"])
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        (v["ok"].as_bool(), v["errors"].as_u64()),
        (Some(false), Some(1))
    );
    let p = &v["problems"][0];
    assert_eq!(
        (
            p["severity"].as_str(),
            p["key"].as_str(),
            p["code"].as_str()
        ),
        (
            Some("error"),
            Some("token.dev_auth_bypass"),
            Some("lint_dev_auth_bypass_production")
        )
    );
    assert_eq!(v["problems"].as_array().unwrap().len(), 1, "{v}");
    // In development the same file is clean.
    let out = Command::new(BIN)
        .args(["lint", "--json", "--env", "development"])
        .arg(&file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (out.status.code(), v["errors"].as_u64()),
        (Some(0), Some(0)),
        "{v}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
