use super::*;
use crate::close::{AppCode, Category};
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

#[test]
fn jitter_bounds() {
    for c in [0u64, 1, 2, 3, 1_000, 30_000, u64::MAX] {
        for r in [0u32, 1, 0x8000_0000, u32::MAX] {
            let f = Jitter::Full.apply(c, r);
            let e = Jitter::Equal.apply(c, r);
            assert!(f <= c && (c == 0 || f < c));
            assert!(e >= c / 2 && e <= c);
        }
    }
}

#[test]
fn ceiling_saturates() {
    let cfg = ReconnectConfig {
        base_ms: u64::MAX / 2,
        cap_ms: u64::MAX,
        ..ReconnectConfig::DEFAULT
    };
    assert_eq!(cfg.ceiling_ms(0), u64::MAX / 2);
    assert_eq!(cfg.ceiling_ms(3), u64::MAX);
    assert_eq!(cfg.ceiling_ms(u32::MAX), u64::MAX);
    assert_eq!(ReconnectConfig::DEFAULT.ceiling_ms(u32::MAX), 30_000);
}

#[test]
fn custom_registry_codes_drive_the_decision() {
    const CODES: [AppCode; 2] = [
        AppCode::new(4001, "session_expired", "d", "r", Retry::AfterReauth)
            .with_category(Category::PolicyAuth),
        AppCode::new(
            4002,
            "banned",
            "you are banned",
            "contact support",
            Retry::Never,
        ),
    ];
    let registry = CloseRegistry::new(&CODES).unwrap();
    let mut rc = Reconnect::new(ReconnectConfig {
        registry,
        ..ReconnectConfig::DEFAULT
    });
    assert!(matches!(
        rc.on_disconnect(Disconnect::Close(4001), 0, 0),
        Decision::WaitForReauth { .. }
    ));
    let d = rc.on_disconnect(Disconnect::Close(4002), 0, 0);
    assert!(matches!(
        d,
        Decision::Stop {
            reason: StopReason::NotRetryable,
            ..
        }
    ));
    assert_eq!(d.reason(), "you are banned");
    assert_eq!(d.remedy(), "contact support");
    // 4499 is in no registry: private code → backoff.
    assert!(matches!(
        rc.on_disconnect(Disconnect::Close(4499), 0, 0),
        Decision::RetryAt { .. }
    ));
    // 4401 is not in this registry: the one classification's convention applies.
    assert!(matches!(
        rc.on_disconnect(Disconnect::Close(4401), 0, 0),
        Decision::WaitForReauth { .. }
    ));
}

#[test]
fn diagnostics_are_filled_for_every_input() {
    let mut rc = Reconnect::new(ReconnectConfig {
        max_attempts: 3,
        ..ReconnectConfig::DEFAULT
    });
    for code in 0..=u16::MAX {
        let d = rc.on_disconnect(Disconnect::Close(code), 0, 0);
        assert!(
            !d.reason().is_empty() && !d.remedy().is_empty() && d.code().starts_with("reconnect_")
        );
        let d = rc.on_disconnect(
            Disconnect::HttpStatus {
                status: code,
                retry_after_s: Some(code as u32),
            },
            0,
            0,
        );
        assert!(!d.reason().is_empty() && !d.remedy().is_empty());
        rc.reset();
    }
}

/// The table's rows: one code per decision (one per stop reason), the reason and remedy
/// of the disconnect, except the fixed remedy of `AttemptsExhausted`.
#[test]
fn decision_table() {
    let codes: [&str; 5] = core::array::from_fn(|i| Decision::ALL[i].code());
    assert_eq!(
        codes,
        [
            "reconnect_stop_normal",
            "reconnect_stop_not_retryable",
            "reconnect_stop_attempts_exhausted",
            "reconnect_wait_for_reauth",
            "reconnect_retry",
        ]
    );
    assert_eq!(Decision::ALL.len(), 5);
    let reset = Cause::Transport(TransportFailure::Reset);
    for d in Decision::ALL {
        assert_eq!(*d.cause(), reset);
        assert_eq!(d.reason(), reset.reason());
    }
    assert_eq!(Decision::ALL[0].remedy(), reset.remedy());
    assert_eq!(
        Decision::ALL[2].remedy(),
        "the failures persisted through every retry: fix the cause above, then call reset() and connect again"
    );
    let stop = Decision::Stop {
        reason: StopReason::NotRetryable,
        cause: Cause::HttpStatus {
            status: 404,
            retry_after_s: None,
        },
    };
    assert_eq!(stop.reason(), "the server rejected the upgrade request itself (400 bad request, 404 wrong path, 405 wrong method or 426 wrong version); retrying sends the same request");
}

#[test]
fn reset_and_is_stable() {
    let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
    rc.on_disconnect(Disconnect::Transport(TransportFailure::Reset), 0, 0);
    rc.on_disconnect(Disconnect::Transport(TransportFailure::Reset), 0, 0);
    assert_eq!(rc.attempts(), 2);
    rc.on_connected(100);
    assert!(!rc.is_stable(5_000));
    assert_eq!(rc.attempts(), 2);
    assert!(rc.is_stable(10_100));
    assert_eq!(rc.attempts(), 0);
    rc.on_disconnect(Disconnect::Close(1006), 20_000, 0);
    rc.reset();
    assert_eq!(rc.attempts(), 0);
}

#[test]
fn no_panic_and_delays_bounded() {
    let mut rng = XorShift(0xdead_beef_cafe_f00d);
    let mut rc = Reconnect::new(ReconnectConfig {
        max_attempts: 50,
        ..ReconnectConfig::DEFAULT
    });
    let mut now = 0u64;
    for _ in 0..20_000 {
        let r = rng.next();
        now = if r % 97 == 0 {
            rng.next()
        } else {
            now.saturating_add(r % 100_000)
        };
        let d = match r % 4 {
            0 => Disconnect::Close(rng.next() as u16),
            1 => Disconnect::HttpStatus {
                status: rng.next() as u16,
                retry_after_s: if r % 8 == 1 {
                    Some(rng.next() as u32)
                } else {
                    None
                },
            },
            2 => Disconnect::Transport(TransportFailure::Timeout),
            _ => {
                rc.on_connected(now);
                continue;
            }
        };
        if let Decision::RetryAt {
            at_ms,
            delay_ms,
            attempt,
            ..
        } = rc.on_disconnect(d, now, rng.next() as u32)
        {
            assert!(delay_ms <= 600_000);
            assert!((1..=50).contains(&attempt));
            assert_eq!(at_ms, now.saturating_add(delay_ms));
        }
    }
}
