//! A real nginx (Debian `nginx-light`) in front of `wsguard serve`: configured correctly,
//! `wsguard probe` passes through it; without the upgrade headers, the probe diagnoses
//! exactly that (`proxy_dropped_upgrade`) and names the nginx lines to add.
//!
//! nginx runs as a non-daemon child with its own temporary prefix, config, pid file, logs
//! and temp paths, on a free port of 127.0.0.1; the test stops it. Without nginx the tests
//! skip, except in CI (CI=true), where that is a failure.

mod common;
use common::*;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NGINX: &str = "/usr/sbin/nginx";

fn nginx_available() -> bool {
    if Path::new(NGINX).exists() {
        return true;
    }
    if ci() {
        panic!("CI: {NGINX} is required (Debian package nginx-light; run `make setup`)");
    }
    eprintln!("skipped: {NGINX} not installed (run `make setup`)");
    false
}

struct Nginx {
    child: Child,
    port: u16,
    prefix: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.prefix);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Nginx {
    /// Starts nginx with `tests/nginx/<conf>` proxying to `upstream`. Retries on a port race.
    fn start(conf: &str, upstream: std::net::SocketAddr) -> Nginx {
        let template = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/nginx")
                .join(conf),
        )
        .expect("read nginx template");
        for attempt in 0..5 {
            let prefix = std::env::temp_dir().join(format!(
                "wsguard-nginx-{}-{}-{attempt}",
                std::process::id(),
                conf.replace('.', "-")
            ));
            let _ = std::fs::remove_dir_all(&prefix);
            std::fs::create_dir_all(&prefix).unwrap();
            let port = free_port();
            let text = template
                .replace("@PREFIX@", prefix.to_str().unwrap())
                .replace("@PORT@", &port.to_string())
                .replace("@UPSTREAM@", &upstream.to_string());
            let conf_path = prefix.join("nginx.conf");
            std::fs::write(&conf_path, text).unwrap();
            let mut child = Command::new(NGINX)
                .arg("-p")
                .arg(&prefix)
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(prefix.join("error.log"))
                .arg("-g")
                .arg("daemon off; master_process on;")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn nginx");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Nginx {
                        child,
                        port,
                        prefix,
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break; // exited: probably lost the port race
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let log = std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default();
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("nginx attempt {attempt} failed: {log}");
            let _ = std::fs::remove_dir_all(&prefix);
        }
        panic!("nginx did not start");
    }
}

fn backend() -> Server {
    Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--ping-interval",
        "0",
        "--quiet",
    ])
}

fn probe(url: &str) -> (i32, serde_json::Value, String) {
    let out = Command::new(BIN)
        .args([
            "probe",
            url,
            "--origin",
            "https://app.example.com",
            "--echo",
            "through nginx",
            "--timeout",
            "5",
            "--json",
        ])
        .output()
        .expect("run probe");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("probe json");
    let text = Command::new(BIN)
        .args([
            "probe",
            url,
            "--origin",
            "https://app.example.com",
            "--timeout",
            "5",
            "--color",
            "never",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    (out.status.code().unwrap_or(-1), v, text)
}

#[test]
fn probe_passes_through_correct_nginx() {
    if !nginx_available() {
        return;
    }
    let srv = backend();
    let nginx = Nginx::start("good.conf", srv.addr);
    let (code, r, text) = probe(&format!("ws://127.0.0.1:{}/ws", nginx.port));
    assert_eq!(code, 0, "{r:#}\n{text}");
    assert_eq!(r["ok"], true);
    assert!(
        r["server"].as_str().unwrap_or("").starts_with("nginx"),
        "{r:#}"
    );
    assert_eq!(r["close_code"], 1000);
    assert!(text.contains("CONNECTED"), "{text}");
}

#[test]
fn probe_diagnoses_nginx_without_upgrade_headers() {
    if !nginx_available() {
        return;
    }
    let srv = backend();
    let nginx = Nginx::start("no-upgrade.conf", srv.addr);
    let (code, r, text) = probe(&format!("ws://127.0.0.1:{}/ws", nginx.port));
    assert_eq!(code, 1, "{r:#}\n{text}");
    let f = &r["failure"];
    assert_eq!(f["step"], "upgrade", "{r:#}");
    // nginx without `proxy_http_version 1.1` talks HTTP/1.0 to the backend and drops
    // `Upgrade`: the backend says `http_version` (or `upgrade_missing`), the probe — which
    // sent HTTP/1.1 with Upgrade — must conclude that the proxy dropped the upgrade.
    let code = f["code"].as_str().unwrap();
    assert!(
        ["proxy_dropped_upgrade", "http_version", "upgrade_missing"].contains(&code),
        "{r:#}"
    );
    assert!(f["what"].as_str().unwrap().contains("nginx"), "{r:#}");
    assert!(f["cause"].as_str().unwrap().contains("proxy"), "{r:#}");
    let fix = f["fix"].as_str().unwrap();
    assert!(fix.contains("proxy_http_version 1.1"), "{fix}");
    assert!(
        fix.contains("proxy_set_header Upgrade $http_upgrade"),
        "{fix}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("REFUSED at upgrade"), "{text}");
    assert!(flat.contains("proxy_http_version 1.1"), "{text}");
}
