//! `GET /wsguard`, the live status page of `wsguard serve`: after one accepted and two
//! refused upgrades it shows exactly those counts (served HTML and the DOM headless
//! Chromium renders), and Chromium takes its screenshot (PNG of the requested size).
//! Chromium is Debian's /usr/bin/chromium; with CI=true a missing browser fails the test.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn server_with_traffic() -> Server {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--ping-interval",
        "0",
        "--quiet",
    ]);
    drop(Raw::open_with(
        srv.addr,
        "/ws",
        "Origin: https://app.example.com\r\n",
        &[],
    ));
    for _ in 0..2 {
        let r = http_exchange(
            srv.addr,
            upgrade_request(srv.addr, "/ws", "Origin: https://evil.example.net\r\n").as_bytes(),
        );
        assert_eq!(r.status, 403);
    }
    srv
}

/// The facts the page must show after `server_with_traffic`.
fn assert_counts(html: &str) {
    for want in [
        "<div class=\"card good\" id=\"upgrades-accepted\"><b>1</b>upgrades accepted</div>",
        "<div class=\"card bad\" id=\"upgrades-refused\"><b>2</b>upgrades refused</div>",
        "<b>66.7 %</b>refused share",
        "<tr><td>origin_host</td><td class=\"n\">2</td></tr>",
        "<h2>Closes by category</h2>",
    ] {
        assert!(html.contains(want), "missing {want:?} in\n{html}");
    }
    // Loading the page costs no refusal (no favicon request).
    assert!(!html.contains("path_not_found"), "{html}");
}

#[test]
fn status_page_shows_the_counters() {
    let srv = server_with_traffic();
    let r = http_exchange(
        srv.addr,
        format!("GET /wsguard HTTP/1.1\r\nHost: {}\r\n\r\n", srv.addr).as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_counts(&r.body_str());
    let post = http_exchange(
        srv.addr,
        format!(
            "POST /wsguard HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
            srv.addr
        )
        .as_bytes(),
    );
    assert_eq!(post.status, 405);
}

#[test]
fn status_page_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        assert!(!ci(), "{CHROMIUM} missing: run 'make setup'");
        eprintln!("skipped: {CHROMIUM} not installed");
        return;
    }
    let srv = server_with_traffic();
    let url = format!("http://{}/wsguard", srv.addr);
    let dir = std::env::temp_dir().join(format!("wsguard-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chromium = |extra: &[&str]| {
        Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--hide-scrollbars",
                "--window-size=1000,760",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium")
    };
    let dom = chromium(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert_counts(&String::from_utf8_lossy(&dom.stdout));
    let png = dir.join("status.png");
    let shot = chromium(&[&format!("--screenshot={}", png.display())]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1000, 760));
    // Keep the last screenshot for people to look at.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wsguard-status.png");
    std::fs::copy(&png, &keep).unwrap();
    eprintln!("screenshot: {}", keep.display());
    let _ = std::fs::remove_dir_all(&dir);
}
