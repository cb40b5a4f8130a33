//! The probe's steps after the upgrade (`ping → echo → close`) against scripted servers
//! that write raw frames: every verdict, code, close code and sentence exact. The
//! server side reads the probe's frames with the core's decoder (server role).

#[path = "common/scripted.rs"]
mod scripted;
use scripted::{scripted, Got, Peer};
use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;
use wsguard::probe::{probe, Outcome, ProbeOptions, Report};

fn run(addr: SocketAddr, echo: Option<&str>) -> Report {
    let mut o = ProbeOptions::new(format!("ws://{addr}/ws"));
    o.timeout = Duration::from_millis(800);
    o.echo = echo.map(str::to_string);
    probe(&o)
}

/// The probe against a server that answers its ping with `raw`.
fn after_ping(raw: &'static [u8]) -> Report {
    let (addr, h) = scripted(move |p| {
        let got = p.next();
        p.send(raw);
        std::thread::sleep(Duration::from_millis(200));
        vec![got]
    });
    let r = run(addr, None);
    assert_eq!(
        h.join().unwrap(),
        vec![Got::Ping(b"wsguard-probe".to_vec())]
    );
    r
}

fn outcomes(r: &Report) -> Vec<(&'static str, Outcome)> {
    r.steps.iter().map(|s| (s.name, s.outcome)).collect()
}

/// Steps before `step` ok (TLS skipped for ws://, echo skipped unless it failed),
/// `step` failed, the ones after it skipped.
fn failed_at(step: &str) -> Vec<(&'static str, Outcome)> {
    let order = [
        "url", "dns", "tcp", "tls", "upgrade", "ping", "echo", "close",
    ];
    let at = order.iter().position(|s| *s == step).unwrap();
    let outcome = |i: usize, s: &str| match i.cmp(&at) {
        std::cmp::Ordering::Equal => Outcome::Failed,
        _ if s == "tls" || s == "echo" => Outcome::Skipped,
        std::cmp::Ordering::Less => Outcome::Ok,
        std::cmp::Ordering::Greater => Outcome::Skipped,
    };
    order
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, outcome(i, s)))
        .collect()
}

#[test]
fn drop_after_upgrade_is_an_abnormal_closure_at_ping() {
    let (addr, h) = scripted(|p| vec![p.next()]);
    let r = run(addr, None);
    assert_eq!(
        h.join().unwrap(),
        vec![Got::Ping(b"wsguard-probe".to_vec())]
    );
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str(), f.close_code),
        ("ping", "abnormal_closure", Some(1006))
    );
    assert_eq!(f.what, "the server dropped the connection without a Close frame while the probe waited for a pong (1006)");
    assert_eq!(f.fix, "look at the server's log at that moment; close with a code (4401, 1008 …) instead of dropping the socket");
    assert_eq!(outcomes(&r), failed_at("ping"));
    assert_eq!(r.close_code, None);
}

#[test]
fn silent_server_times_out_at_ping() {
    let (addr, h) = scripted(|p| {
        let got = p.next();
        std::thread::sleep(Duration::from_millis(1200));
        vec![got]
    });
    let r = run(addr, None);
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str(), f.close_code),
        ("ping", "timeout", None)
    );
    assert_eq!(f.what, "no a pong within 800 ms");
    assert_eq!(outcomes(&r), failed_at("ping"));
}

#[test]
fn masked_server_frame_is_a_protocol_error_with_its_close_code() {
    let (addr, h) = scripted(|p| {
        let got = p.next();
        p.send(b"\x81\x82\x01\x02\x03\x04ik");
        vec![got, p.next()]
    });
    let r = run(addr, None);
    // The core's connection sends its Close for the violation.
    assert_eq!(
        h.join().unwrap()[1],
        Got::Close(Some(1002), "frame_masked_from_server".into())
    );
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.close_code), ("ping", Some(1002)), "{f:?}");
    assert_eq!(f.code, "frame_masked_from_server");
    assert!(
        f.what
            .starts_with("the server broke the WebSocket protocol: "),
        "{}",
        f.what
    );
    assert_eq!(outcomes(&r), failed_at("ping"));
}

#[test]
fn empty_close_right_after_upgrade_reports_1005() {
    let r = after_ping(b"\x88\x00");
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str(), f.close_code),
        ("ping", "no_status_received", Some(1005))
    );
    assert_eq!(f.what, "closed 1005 right after the upgrade");
}

#[test]
fn greeting_and_ping_before_the_pong_then_fragmented_echo_then_close() {
    let (addr, h) = scripted(|p| {
        let mut seen = vec![p.next()]; // the probe's ping
        p.send(b"\x81\x05hello\x89\x01x\x8a\x0dwsguard-probe");
        seen.push(p.next()); // our ping's pong
        seen.push(p.next()); // the echo
        p.send(b"\x01\x02ec\x89\x00\x80\x02ho");
        seen.push(p.next()); // pong for the ping between the fragments
        seen.push(p.next()); // the probe's Close
        p.send(b"\x88\x02\x03\xe8");
        seen.push(p.next());
        seen
    });
    let r = run(addr, Some("echo"));
    assert_eq!(
        h.join().unwrap(),
        vec![
            Got::Ping(b"wsguard-probe".to_vec()),
            Got::Pong(b"x".to_vec()),
            Got::Data(b"echo".to_vec()),
            Got::Pong(Vec::new()),
            Got::Close(Some(1000), "probe done".into()),
            Got::Eof,
        ]
    );
    assert!(r.ok, "{:?}", r.failure);
    assert!(
        r.step("ping")
            .unwrap()
            .detail
            .ends_with(" ms (1 message(s) received before it)"),
        "{}",
        r.step("ping").unwrap().detail
    );
    assert!(r
        .step("echo")
        .unwrap()
        .detail
        .starts_with("echoed 4 bytes in "));
    assert_eq!(r.step("close").unwrap().detail, "server replied Close 1000");
    assert_eq!(r.close_code, Some(1000));
}

fn pong_then(
    rest: impl FnOnce(&mut Peer, &mut Vec<Got>) + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<Got>>) {
    scripted(move |p| {
        let mut seen = vec![p.next()];
        p.send(b"\x8a\x0dwsguard-probe");
        rest(p, &mut seen);
        seen
    })
}

#[test]
fn echo_of_another_message_is_a_mismatch() {
    let (addr, h) = pong_then(|p, seen| {
        seen.push(p.next());
        p.send(b"\x81\x04nope");
        seen.push(p.next());
    });
    let r = run(addr, Some("echo"));
    let seen = h.join().unwrap();
    assert_eq!(seen[1], Got::Data(b"echo".to_vec()));
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.code.as_str()), ("echo", "echo_mismatch"));
    assert_eq!(f.what, "sent \"echo\", received \"nope\"");
    assert_eq!(outcomes(&r), failed_at("echo"));
}

#[test]
fn close_4403_during_echo_is_a_refusal() {
    let (addr, h) = pong_then(|p, seen| {
        seen.push(p.next());
        p.send(b"\x88\x06\x11\x33nope");
        seen.push(p.next());
    });
    let r = run(addr, Some("echo"));
    h.join().unwrap();
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.close_code), ("echo", Some(4403)), "{f:?}");
    assert_eq!(f.what, format!("closed 4403 right after the upgrade — the server refused this client ({}) (reason: \"nope\")", f.code));
}

#[test]
fn unanswered_close_is_not_acknowledged() {
    let (addr, h) = pong_then(|p, seen| {
        seen.push(p.next());
        std::thread::sleep(Duration::from_millis(1200));
    });
    let r = run(addr, None);
    assert_eq!(
        h.join().unwrap()[1],
        Got::Close(Some(1000), "probe done".into())
    );
    let f = r.failure.as_ref().unwrap();
    assert_eq!(
        (f.step, f.code.as_str()),
        ("close", "close_not_acknowledged")
    );
    assert_eq!(f.what, "no Close reply within 800 ms");
    assert_eq!(r.step("ping").unwrap().outcome, Outcome::Ok);
    assert_eq!(r.close_code, None);
}

#[test]
fn tcp_closed_after_our_close_is_ok_without_a_code() {
    let (addr, h) = pong_then(|p, seen| seen.push(p.next()));
    let r = run(addr, None);
    h.join().unwrap();
    assert!(r.ok, "{:?}", r.failure);
    assert_eq!(
        r.step("close").unwrap().detail,
        "server closed TCP without a Close reply"
    );
    assert_eq!(r.close_code, None);
}

#[test]
fn oversized_frame_is_refused_with_1009() {
    // A 2 MiB binary frame header (the probe accepts 1 MiB).
    let r = after_ping(b"\x82\x7f\x00\x00\x00\x00\x00\x20\x00\x00");
    let f = r.failure.as_ref().unwrap();
    assert_eq!((f.step, f.close_code), ("ping", Some(1009)), "{f:?}");
}
