//! Bounded load test (part of `make test`): `wsguard serve` holds 200 concurrent
//! connections on loopback with heartbeats running (ping every 0.5 s), echoes every
//! message intact, answers every Close, and its counters agree. The full 2,000-connection
//! run is `scripts/load.sh` (results in crates/wsguard-cli/LOAD.md).

mod common;
#[path = "../examples/load.rs"]
mod load;

use common::*;
use std::time::Duration;

#[test]
fn holds_200_connections_with_heartbeats() {
    let srv = Server::start(&[
        "--path",
        "/ws",
        "--allow",
        "https://app.example.com",
        "--ping-interval",
        "0.5",
        "--pong-timeout",
        "5",
        "--quiet",
    ]);
    let cfg = load::LoadConfig {
        addr: srv.addr,
        connections: 200,
        duration: Duration::from_secs(3),
        message_len: 64,
        server_pid: Some(srv.pid()),
        connect_concurrency: 64,
        settle: Duration::from_millis(2000),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(load::run(cfg));
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
