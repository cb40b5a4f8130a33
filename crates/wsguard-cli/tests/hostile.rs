//! Hostile peers against the command (issue 18): `wsguard probe` talking to a server that
//! answers with terminal escape sequences (ESC/CSI, OSC title and clipboard writes, BEL),
//! CR/LF and invalid UTF-8 in its status line, headers and body; and `wsguard serve`
//! logging a peer's request path. Nothing the peer sent may reach the terminal raw.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::thread;

/// A server that answers every connection with `response` (after reading the request).
fn hostile_server(response: &'static [u8], connections: usize) -> (String, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = s.write_all(response);
        }
    });
    (format!("ws://{addr}/ws"), handle)
}

/// Every byte is printable text: no C0 control but LF, no DEL, no C1 character.
fn assert_terminal_safe(what: &str, out: &[u8]) {
    let text = String::from_utf8(out.to_vec()).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c);
        assert!(!bad, "{what}: raw control {c:?} in output:\n{text}");
    }
}

// Header values may carry obs-text (a raw ESC there makes the answer "not HTTP", the
// next test); the body carries anything.
const BODY_403: &[u8] = b"HTTP/1.1 403 Forbidden\r\nServer: evil\xe2\x80\xae\r\nContent-Type: text/plain\r\n\
Content-Length: 51\r\nConnection: close\r\n\r\norigin_host: \x1b[2J\x1b[31mred\x1b]52;c;aGk=\x07\r\nINJECTED\n\x9b1m";

#[test]
fn probe_escapes_a_hostile_servers_headers_and_body() {
    let (url, server) = hostile_server(BODY_403, 2);
    for json in [false, true] {
        let mut cmd = Command::new(BIN);
        cmd.args(["probe", &url, "--origin", "https://app.example.com"]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.env("NO_COLOR", "1").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_terminal_safe("probe stdout", &out.stdout);
        assert_terminal_safe("probe stderr", &out.stderr);
        let text = String::from_utf8_lossy(&out.stdout);
        if json {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let what = v["failure"]["what"].as_str().unwrap();
            assert!(!what.chars().any(char::is_control), "{what:?}");
            assert!(what.contains("\\x1b[2J"), "{what}");
        } else {
            assert!(text.contains("REFUSED at upgrade"), "{text}");
            assert!(text.contains("evil\\u{202e}"), "{text}");
            assert!(text.contains("\\x1b]52;c;aGk=\\x07"), "{text}");
            assert!(!text.lines().any(|l| l.starts_with("INJECTED")), "{text}");
        }
    }
    server.join().unwrap();
}

#[test]
fn probe_escapes_a_status_line_that_is_not_http() {
    let (url, server) = hostile_server(b"\x1b[2J\x1b]0;owned\x07 HTTP/9 \r\n\r\n", 1);
    let out = Command::new(BIN)
        .args(["probe", &url])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_terminal_safe("probe stdout", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\\x1b[2J\\x1b]0;owned\\x07"), "{text}");
    server.join().unwrap();
}

#[test]
fn serve_logs_a_hostile_path_escaped() {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--path",
            "/ws",
            "--allow",
            "https://app.example.com",
            "--ping-interval",
            "0",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let addr = parse_listen_line(&first).unwrap_or_else(|| panic!("listen line: {first:?}"));
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    // Raw controls and obs-text in a request line are refused (400, logged without the
    // target); what is accepted is logged through the core's escaping, on one line.
    s.write_all(b"GET /x%0d%0aINJECTED%1b%5b2J HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    assert!(
        answer.starts_with(b"HTTP/1.1 404"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let _ = child.kill();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = child.wait();
    assert_terminal_safe("serve stderr", log.as_bytes());
    assert!(
        log.contains(" /x%0d%0aINJECTED%1b%5b2J → 404 path_not_found"),
        "{log}"
    );
}
