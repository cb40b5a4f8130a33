//! Reads one JSON object per line on stdin — `{"url": "ws://…", "origin": "https://…"}`
//! (`origin` optional) — and prints one JSON object per line: what the std client
//! (`wsguard::client::connect`) and the firmware client (`wsguard_core::io::connect`)
//! concluded, as `{"rust": {"code", "status"}, "firmware": {"code", "status"}}`.
//! `"code": "open"` means the upgrade succeeded; `"codes"` lists the causes that remain
//! when the diagnosis cannot name one (the core's `Verdict::Undecided`). The firmware client speaks plain TCP
//! only: for `wss://` URLs it reports `"not_applicable"`.

use std::io::BufRead;

use embedded_io_adapters::tokio_1::FromTokio;
use serde_json::{json, Value};
use wsguard::probe::ProbeOptions;
use wsguard_core::handshake::{ClientFailure, ClientRequest, Verdict};
use wsguard_core::io::{connect, ConnectError, Options};
use wsguard_core::url::WsUrl;
use wsguard_core::Diagnostic;

fn rust_client(url: &str, origin: Option<&str>) -> Value {
    let mut opts = ProbeOptions::new(url);
    opts.origin = origin.map(str::to_string);
    opts.timeout = std::time::Duration::from_secs(3);
    match wsguard::client::connect(&opts) {
        Ok(_) => json!({"code": "open", "status": 101}),
        Err(f) => {
            let mut v = json!({"code": f.code, "status": f.http_status, "step": f.step, "cause": f.cause,
                               "evidence": !f.follow_ups.is_empty() && f.remaining.is_empty()});
            if !f.remaining.is_empty() {
                v["codes"] = json!(f.remaining);
            }
            v
        }
    }
}

async fn firmware_client(url: &str, origin: Option<&str>) -> Value {
    let Ok(u) = WsUrl::parse(url) else {
        return json!({"code": "bad_url"});
    };
    if u.secure() {
        return json!({"code": "not_applicable"});
    }
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host()),
        None => u.host().to_string(),
    };
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    let tcp = match tokio::net::TcpStream::connect((u.host_unbracketed(), u.port_or_default())).await {
        Ok(s) => s,
        Err(e) => return json!({"code": "tcp_error", "detail": e.to_string()}),
    };
    let mut req = ClientRequest::new(&host, &path, *b"wsguard-matrix-1");
    if let Some(o) = origin {
        req = req.origin(o);
    }
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 1024]);
    let read = connect(FromTokio::new(tcp), &mut rx, &mut tx, &req, Options::new(0x5EED));
    match tokio::time::timeout(std::time::Duration::from_secs(3), read).await {
        Err(_) => json!({"code": "timeout"}),
        Ok(Ok(_)) => json!({"code": "open", "status": 101}),
        Ok(Err(e)) => {
            let mut v = json!({"code": e.code(), "cause": e.reason()});
            if let ConnectError::Handshake(ClientFailure::Rejected(d)) = &e {
                v["status"] = json!(d.status);
                // One answer only: when it cannot name the cause, the core's verdict
                // says which causes remain.
                if let Some(Verdict::Undecided { causes, .. }) = d.verdict() {
                    v["codes"] = json!(causes.as_slice().iter().map(|c| c.code()).collect::<Vec<_>>());
                }
            }
            v
        }
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok(cell) = serde_json::from_str::<Value>(&line) else {
            println!("{}", json!({"error": "bad input line"}));
            continue;
        };
        let url = cell["url"].as_str().unwrap_or_default();
        let origin = cell["origin"].as_str();
        let rust = rust_client(url, origin);
        let firmware = rt.block_on(firmware_client(url, origin));
        println!("{}", json!({"rust": rust, "firmware": firmware}));
    }
}
