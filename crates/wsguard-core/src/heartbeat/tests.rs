use super::*;
use crate::Diagnostic;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn cfg(i: u64, t: u64, m: u32) -> HeartbeatConfig {
    HeartbeatConfig::new(i, t, m).unwrap()
}

#[test]
fn config_checks() {
    assert_eq!(
        HeartbeatConfig::new(0, 1, 1),
        Err(HeartbeatConfigError::ZeroInterval)
    );
    assert_eq!(
        HeartbeatConfig::new(10, 9, 1),
        Err(HeartbeatConfigError::TimeoutNotAboveInterval {
            interval_ms: 10,
            dead_timeout_ms: 9
        })
    );
    assert_eq!(
        HeartbeatConfig::new(10, 11, 0),
        Err(HeartbeatConfigError::ZeroMaxMissed)
    );
    assert_eq!(
        HeartbeatConfigError::ZeroMaxMissed.code(),
        "heartbeat_zero_max_missed"
    );
    assert!(HeartbeatConfig::new(10, 11, 1).is_ok());
    let c = HeartbeatConfig::DEFAULT;
    assert_eq!(
        HeartbeatConfig::new(c.interval_ms(), c.dead_timeout_ms(), c.max_missed()),
        Ok(c)
    );
}

#[test]
fn client_and_server_roles_never_double_ping() {
    // Simulate both ends with a 50 ms one-way delay; count pings from each side.
    let shared = cfg(20_000, 30_000, 2);
    let mut server = Heartbeat::new(shared.for_role(Role::Server), 0);
    let mut client = Heartbeat::new(shared.for_role(Role::Client), 0);
    let (mut server_pings, mut client_pings) = (0, 0);
    for t in (0..600_000).step_by(10) {
        if let Action::SendPing { payload, .. } = server.poll(t) {
            server_pings += 1;
            assert!(client.on_ping_received(t + 50));
            assert!(server.on_pong(t + 100, &payload).is_some());
        }
        if let Action::SendPing { .. } = client.poll(t) {
            client_pings += 1;
        }
        assert_ne!(server.poll(t), Action::PeerDead);
        assert_ne!(client.poll(t), Action::PeerDead);
    }
    assert!(server_pings >= 29, "{server_pings}");
    assert_eq!(client_pings, 0);
    assert_eq!(server.smoothed_rtt_ms(), Some(100));
}

#[test]
fn pings_never_closer_than_interval() {
    let mut hb = Heartbeat::new(cfg(1_000, 100_000, 1_000), 0);
    let mut last = None;
    for t in 0..20_000 {
        if let Action::SendPing { seq, .. } = hb.poll(t) {
            if let Some(prev) = last {
                assert!(t - prev >= 1_000);
            }
            last = Some(t);
            assert_eq!(hb.outstanding_ping(), Some(seq));
        }
    }
    assert_eq!(hb.unanswered_pings(), 19);
}

#[test]
fn time_going_backwards_is_harmless() {
    let mut hb = Heartbeat::new(cfg(1_000, 2_000, 2), 10_000);
    hb.on_activity(5_000);
    assert_eq!(hb.last_activity(), 10_000);
    assert_eq!(hb.poll(0), Action::Wait { until: 11_000 });
    let Action::SendPing { payload, .. } = hb.poll(11_000) else {
        panic!()
    };
    assert_eq!(hb.on_pong(10_500, &payload), Some(0)); // sent after it came back: clamp to 0
}

#[test]
fn extreme_times_do_not_overflow() {
    let mut hb = Heartbeat::new(cfg(u64::MAX - 1, u64::MAX, 1), u64::MAX - 5);
    assert_eq!(hb.poll(u64::MAX - 5), Action::Wait { until: u64::MAX });
    assert_eq!(hb.poll(u64::MAX), Action::PeerDead);
    assert_eq!(PeerDead::MissedPings.code(), "heartbeat_missed_pings");
}

#[test]
fn no_panic_on_arbitrary_event_sequences() {
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    for _ in 0..2_000 {
        let i = 1 + rng.next() % 5_000;
        let t = i + 1 + rng.next() % 5_000;
        let mut hb = Heartbeat::new(cfg(i, t, 1 + (rng.next() % 4) as u32), rng.next() % 1_000);
        let mut now = 0u64;
        let mut dead = false;
        let mut last_payload = [0u8; 8];
        for _ in 0..10 {
            let r = rng.next();
            now = match r % 7 {
                0 => rng.next(), // jump anywhere, even backwards
                _ => now.saturating_add(rng.next() % 3_000),
            };
            match (r >> 8) % 6 {
                0 | 1 => match hb.poll(now) {
                    Action::Wait { until } => assert!(until > now && !dead),
                    Action::SendPing { payload, seq } => {
                        assert!(!dead);
                        assert_eq!(payload, seq.to_be_bytes());
                        last_payload = payload;
                    }
                    Action::PeerDead => dead = true,
                },
                2 => {
                    let len = (rng.next() % 12) as usize;
                    let junk: std::vec::Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                    let _ = hb.on_pong(now, if r % 2 == 0 { &last_payload } else { &junk });
                }
                3 => {
                    let _ = hb.on_ping_received(now);
                }
                4 => hb.on_activity(now),
                _ => {
                    if r % 11 == 0 {
                        hb.on_close(now)
                    }
                }
            }
            if dead {
                assert_eq!(hb.poll(now), Action::PeerDead);
            }
        }
    }
}
