//! Bounded load test (part of `make test`): `wsguard serve` holds 200 concurrent
//! connections on loopback with heartbeats running (ping every 0.5 s), echoes every
//! message intact, answers every Close, and its counters agree. The full 2,000-connection
//! run is `scripts/load.sh` (results in crates/wsguard-cli/LOAD.md).
//!
//! Also the client of `scripts/netbench.py` (examples/netbench.rs; the benchmarks are
//! `python3 scripts/netbench.py accept|idle`, BENCHMARKS.md §8) at tiny counts: every
//! connection upgrades, holds with heartbeats, echoes and closes cleanly, and the server's
//! RSS is read.

mod common;
// examples/netbench.rs includes examples/load.rs as its module `load`.
#[path = "../examples/netbench.rs"]
#[allow(dead_code)]
mod netbench;

use common::*;
use netbench::load;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn serve() -> Server {
    Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--ping-interval",
        "0.5",
        "--pong-timeout",
        "5",
        "--quiet",
    ])
}

#[test]
fn holds_200_connections_with_heartbeats() {
    let srv = serve();
    let cfg = load::LoadConfig {
        addr: srv.addr,
        connections: 200,
        duration: Duration::from_secs(3),
        message_len: 64,
        server_pid: Some(srv.pid()),
        connect_concurrency: 64,
        settle: Duration::from_millis(2000),
    };
    let r = runtime().block_on(load::run(cfg));
    eprintln!("{}", r.to_json());
    assert!(
        r.errors.is_empty(),
        "{:?}",
        &r.errors[..r.errors.len().min(5)]
    );
    assert_eq!(r.connections_held, 200);
    assert_eq!(r.corrupted, 0);
    assert!(r.messages > 200 * 10, "only {} messages echoed", r.messages);
    assert_eq!(r.clean_closes, 200);
    // Heartbeats ran: with 3 s of traffic the idle-ping model pings only idle peers, so
    // pings may be few while everyone is busy; the server's counters must still agree.
    let metrics = || http_get(srv.addr, "/metrics").body_str();
    let value_in = |m: &str, name: &str| -> f64 {
        m.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0)
    };
    // The server finishes each connection after the peer's FIN: wait (bounded) for all.
    let mut m = metrics();
    for _ in 0..100 {
        if value_in(&m, "wsguard_connections_active") == 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        m = metrics();
    }
    let value = |name: &str| value_in(&m, name);
    assert!(
        r.pings_answered >= 600,
        "held idle for 2 s with a 0.5 s ping interval, every connection answers several pings: {}",
        r.pings_answered
    );
    assert_eq!(value("wsguard_accepted_total"), 200.0, "{m}");
    assert_eq!(
        value("wsguard_messages_echoed_total"),
        r.messages as f64,
        "{m}"
    );
    assert_eq!(value("wsguard_heartbeat_timeouts_total"), 0.0, "{m}");
    assert_eq!(value("wsguard_connections_active"), 0.0, "{m}");
    assert!(value("wsguard_pings_sent_total") >= 200.0, "{m}");
    assert!(value("wsguard_pongs_received_total") >= 200.0, "{m}");
}

#[test]
fn accept_mode_completes_every_handshake_and_close() {
    let srv = serve();
    let r = runtime().block_on(netbench::accept(
        srv.addr,
        60,
        8,
        Duration::from_secs(60),
        2,
    ));
    eprintln!("{r}");
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["ok"], 60);
    assert_eq!(r["clean_closes"], 60);
    assert_eq!(r["latency"]["count"], 60);
    assert!(r["handshakes_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn idle_mode_holds_heartbeats_echoes_and_reads_rss() {
    let srv = serve();
    let r = runtime().block_on(netbench::idle(
        srv.addr,
        40,
        16,
        Duration::from_secs(2),
        Duration::from_millis(500),
        srv.pid(),
        3,
    ));
    eprintln!("{r}");
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["warmup_errors"], 0);
    assert_eq!(r["held"], 40);
    assert_eq!(r["clean_closes"], 40);
    // Held ≥ 4 s (2 s settle + 2 s echo) with a 0.5 s period: several pings per connection.
    assert!(r["pings_sent"].as_u64().unwrap() >= 40 * 4, "{r}");
    assert!(r["pongs_received"].as_u64().unwrap() >= 40 * 3, "{r}");
    assert!(r["echo"]["count"].as_u64().unwrap() >= 10, "{r}");
    let rss = &r["rss_kib"];
    assert!(
        rss["at_0"].as_u64().unwrap() > 0 && rss["at_n"].as_u64().unwrap() > 0,
        "{r}"
    );
    assert!(r["rss_per_connection_bytes"].is_number(), "{r}");
}
