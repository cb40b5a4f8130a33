//! Real peers: the Python `websockets` client against `wsguard serve`, and `wsguard probe`
//! against a Python `websockets` server. Without the project's venv the tests skip, except
//! in CI (CI=true), where a missing prerequisite is a failure.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn python() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let ok = p.exists()
        && Command::new(&p)
            .args(["-c", "import websockets"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if ok {
        return Some(p);
    }
    if ci() {
        panic!(
            "CI: {} with `websockets` is required (run `make setup`)",
            p.display()
        );
    }
    eprintln!("skipped: no .venv with websockets (run `make setup`)");
    None
}

fn peer(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

fn run_client(py: &PathBuf, url: &str, mode: &str) -> serde_json::Value {
    let out = Command::new(py)
        .arg(peer("ws_client.py"))
        .arg(url)
        .arg(mode)
        .output()
        .expect("run python client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .expect("RESULT line");
    serde_json::from_str(line).expect("json")
}

fn echo_server() -> Server {
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

#[test]
fn python_client_echoes_through_wsguard_serve() {
    let Some(py) = python() else { return };
    let srv = echo_server();
    let r = run_client(&py, &srv.ws_url("/ws"), "echo");
    assert_eq!(r["echoed"], 17);
    assert_eq!(r["ping_ok"], true);
    assert_eq!(r["close_code"], 1000);
}

#[test]
fn python_client_sees_403_with_reason() {
    let Some(py) = python() else { return };
    let srv = echo_server();
    let r = run_client(&py, &srv.ws_url("/ws"), "refused");
    assert_eq!(r["status"], 403);
    let body = r["body"].as_str().unwrap();
    assert!(body.starts_with("origin_host: "), "{body}");
    assert!(body.contains("fix: "), "{body}");
}

/// A Python websockets server; killed (stdin closed) on drop.
struct PyServer {
    child: std::process::Child,
    port: u16,
}

impl PyServer {
    fn start(py: &PathBuf) -> PyServer {
        PyServer::script(py, "ws_server.py")
    }

    fn script(py: &PathBuf, script: &str) -> PyServer {
        let mut child = Command::new(py)
            .arg(peer(script))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn python server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("python server did not start: {line:?}")
            });
        PyServer { child, port }
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn probe_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(BIN)
        .arg("probe")
        .args(args)
        .arg("--json")
        .arg("--timeout")
        .arg("5")
        .output()
        .expect("run probe");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "probe --json output: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn probe_passes_against_python_websockets_server() {
    let Some(py) = python() else { return };
    let srv = PyServer::start(&py);
    let url = format!("ws://127.0.0.1:{}/", srv.port);
    let (code, r) = probe_json(&[
        &url,
        "--origin",
        "https://app.example.com",
        "--echo",
        "hello python",
    ]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["ok"], true);
    assert_eq!(r["close_code"], 1000, "{r:#}");
}

#[test]
fn probe_diagnoses_python_origin_refusal() {
    let Some(py) = python() else { return };
    let srv = PyServer::start(&py);
    let url = format!("ws://127.0.0.1:{}/", srv.port);
    let (code, r) = probe_json(&[&url, "--origin", "https://evil.example.net"]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["ok"], false);
    assert_eq!(r["failure"]["step"], "upgrade");
    assert_eq!(r["failure"]["http_status"], 403);
    // A 403 without a wsguard code whose reason names the Origin ("invalid Origin
    // header: …"): the server named the cause, nothing to decide by follow-ups.
    assert_eq!(r["failure"]["code"], "origin_refused", "{r:#}");
    assert_eq!(r["failure"]["follow_ups"], serde_json::json!([]), "{r:#}");
    assert!(
        r["failure"]["cause"]
            .as_str()
            .unwrap()
            .starts_with("the server refused the Origin this client sent"),
        "{r:#}"
    );
    // The server's own reason is kept beside the probe's, and `server` is filled.
    assert!(
        r["failure"]["server"]["reason"]
            .as_str()
            .unwrap()
            .contains("invalid Origin header"),
        "{r:#}"
    );
    assert!(
        r["server"].as_str().unwrap().contains("websockets"),
        "{r:#}"
    );
    assert_eq!(r["failure"]["remaining"], serde_json::json!([]));
    // A client that sends no Origin is told so.
    let (_, r) = probe_json(&[&url]);
    assert_eq!(r["failure"]["code"], "origin_required", "{r:#}");
    assert!(
        r["failure"]["cause"]
            .as_str()
            .unwrap()
            .starts_with("the client sent no Origin header"),
        "{r:#}"
    );
}

#[test]
fn probe_does_not_blame_the_origin_for_an_app_that_closes_before_accept() {
    // Starlette under uvicorn, closing 4401 before accept whatever the Origin: a bare 403.
    // The follow-ups (own origin, no Origin) get the same 403, so the probe says honestly
    // that three causes remain (Starlette also answers 403 for a path with no route)
    // instead of "the server refused Origin …".
    let Some(py) = python() else { return };
    let srv = PyServer::script(&py, "asgi_server.py");
    let url = format!("ws://127.0.0.1:{}/ws", srv.port);
    let (code, r) = probe_json(&[&url, "--origin", "https://app.example.com"]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(r["failure"]["http_status"], 403, "{r:#}");
    assert_eq!(r["failure"]["code"], "forbidden", "{r:#}");
    assert_eq!(
        r["failure"]["remaining"],
        serde_json::json!(["app_refused_before_accept", "wrong_path", "origin_refused"]),
        "{r:#}"
    );
    let steps: Vec<(&str, u64, bool)> = r["failure"]["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap(),
                s["status"].as_u64().unwrap(),
                s["same_as_first"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [("own_origin", 403, true), ("no_origin", 403, true)],
        "{r:#}"
    );
    let cause = r["failure"]["cause"].as_str().unwrap();
    assert!(
        cause.starts_with(
            "three causes remain: the application refused the connection before accepting it"
        ),
        "{cause}"
    );
}
