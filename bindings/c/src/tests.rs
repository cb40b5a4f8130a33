//! Boundary tests: random and mutated inputs never panic (no WSGUARD_RESULT_PANIC), bad
//! pointers and lengths are errors, storage checks hold.

use crate::ffi::wsguard_rejection;
use crate::frame::*;
use crate::origin::*;
use crate::result::wsguard_result as R;
use crate::server::*;
use core::ptr::{null, null_mut};
use std::mem::MaybeUninit;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = (self.next() as usize) % (max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const REQUEST: &[u8] =
    b"GET /chat?token=x HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
Origin: https://app.example.com\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

/// The rejection's code as a `String`.
fn code(r: &wsguard_rejection) -> String {
    // SAFETY: the code is a static string the library wrote (or EMPTY).
    unsafe {
        std::str::from_utf8(std::slice::from_raw_parts(
            r.code.ptr.cast::<u8>(),
            r.code.len,
        ))
    }
    .unwrap()
    .to_string()
}

fn policy() -> *mut wsguard_origin_policy {
    let mut p = null_mut();
    assert_eq!(unsafe { wsguard_origin_policy_new(0, &mut p) }, R::Ok);
    let pat = "https://*.example.com";
    assert_eq!(
        unsafe { wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), null_mut()) },
        R::Ok
    );
    p
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let p = policy();
    let mut opts = MaybeUninit::uninit();
    assert_eq!(
        unsafe { wsguard_server_options_default(opts.as_mut_ptr()) },
        R::Ok
    );
    let opts = unsafe { opts.assume_init() };
    let mut out = vec![0u8; 2048];
    for i in 0..20_000 {
        let mut input = if i % 2 == 0 {
            rng.bytes(300)
        } else {
            REQUEST.to_vec()
        };
        if i % 2 == 1 {
            for _ in 0..1 + rng.next() % 4 {
                let k = (rng.next() as usize) % input.len();
                input[k] = rng.next() as u8;
            }
        }
        let (mut written, mut acc, mut rej) = (
            0usize,
            MaybeUninit::uninit(),
            MaybeUninit::<wsguard_rejection>::uninit(),
        );
        let r = unsafe {
            wsguard_server_respond(
                p,
                &opts,
                input.as_ptr(),
                input.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut written,
                null_mut(),
                acc.as_mut_ptr(),
                rej.as_mut_ptr(),
            )
        };
        assert!(
            matches!(r, R::Ok | R::Incomplete | R::HandshakeRejected),
            "{r:?}"
        );
        let r = unsafe {
            wsguard_origin_policy_check(
                p,
                input.as_ptr().cast(),
                input.len().min(80),
                rej.as_mut_ptr(),
            )
        };
        assert!(matches!(r, R::Ok | R::OriginRejected), "{r:?}");
        let mut pl = MaybeUninit::uninit();
        let r = unsafe {
            crate::close::wsguard_close_payload_parse(
                input.as_ptr(),
                input.len().min(130),
                pl.as_mut_ptr(),
                rej.as_mut_ptr(),
            )
        };
        assert!(matches!(r, R::Ok | R::InvalidClosePayload), "{r:?}");
        for role in [1u32, 2] {
            let mut cfg = MaybeUninit::uninit();
            assert_eq!(
                unsafe { wsguard_decoder_config_default(role, cfg.as_mut_ptr()) },
                R::Ok
            );
            let mut storage = [0u64; WSGUARD_DECODER_STORAGE_SIZE / 8];
            let mut dec = null_mut();
            assert_eq!(
                unsafe {
                    wsguard_decoder_init(storage.as_mut_ptr().cast(), 128, cfg.as_ptr(), &mut dec)
                },
                R::Ok
            );
            let mut buf = input.clone();
            let mut start = 0;
            for _ in 0..64 {
                let (mut consumed, mut ev) = (0usize, MaybeUninit::uninit());
                let r = unsafe {
                    wsguard_decoder_decode_streaming(
                        dec,
                        buf[start..].as_mut_ptr(),
                        buf.len() - start,
                        &mut consumed,
                        null_mut(),
                        ev.as_mut_ptr(),
                        rej.as_mut_ptr(),
                    )
                };
                assert!(
                    matches!(r, R::Ok | R::Incomplete | R::ProtocolViolation),
                    "{r:?}"
                );
                if r != R::Ok {
                    break;
                }
                start += consumed;
            }
        }
    }
    unsafe { wsguard_origin_policy_free(p) };
}

#[test]
fn null_and_bad_lengths_are_errors() {
    let p = policy();
    let mut rej = MaybeUninit::uninit();
    assert_eq!(
        unsafe { wsguard_origin_policy_check(null(), null(), 0, rej.as_mut_ptr()) },
        R::NullArgument
    );
    assert_eq!(
        unsafe { wsguard_origin_policy_check_host(p, null(), 3, rej.as_mut_ptr()) },
        R::NullArgument
    );
    assert_eq!(
        unsafe { wsguard_origin_policy_allow(p, c"x".as_ptr(), usize::MAX, null_mut()) },
        R::InvalidLength
    );
    let bad = [0xffu8, 0xfe];
    assert_eq!(
        unsafe { wsguard_origin_policy_allow(p, bad.as_ptr().cast(), 2, null_mut()) },
        R::NotUtf8
    );
    assert_eq!(
        unsafe { wsguard_origin_policy_new(0x80, &mut null_mut()) },
        R::InvalidArgument
    );
    let mut acc = MaybeUninit::uninit();
    assert_eq!(
        unsafe { wsguard_server_validate(p, null(), null(), 10, acc.as_mut_ptr(), null_mut()) },
        R::NullArgument
    );
    assert_eq!(
        unsafe {
            wsguard_server_validate(
                p,
                null(),
                REQUEST.as_ptr(),
                REQUEST.len(),
                null_mut(),
                null_mut(),
            )
        },
        R::NullArgument
    );
    unsafe { wsguard_origin_policy_free(p) };
    unsafe { wsguard_origin_policy_free(null_mut()) };
}

#[test]
fn storage_is_checked() {
    let mut small = [0u64; 4];
    let mut p = null_mut();
    assert_eq!(
        unsafe { wsguard_origin_policy_init(small.as_mut_ptr().cast(), 32, 0, &mut p) },
        R::InvalidStorage
    );
    assert!(p.is_null());
    let mut big = vec![0u64; WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8 + 1];
    let misaligned = unsafe { big.as_mut_ptr().cast::<u8>().add(1) };
    assert_eq!(
        unsafe {
            wsguard_origin_policy_init(
                misaligned.cast(),
                WSGUARD_ORIGIN_POLICY_STORAGE_SIZE,
                0,
                &mut p,
            )
        },
        R::InvalidStorage
    );
    assert_eq!(
        unsafe {
            wsguard_origin_policy_init(
                big.as_mut_ptr().cast(),
                WSGUARD_ORIGIN_POLICY_STORAGE_SIZE,
                0,
                &mut p,
            )
        },
        R::Ok
    );
    assert_eq!(p.cast::<u64>(), big.as_mut_ptr());
    unsafe { wsguard_origin_policy_free(p) };
    let mut count = 0usize;
    assert_eq!(
        unsafe { wsguard_origin_policy_pattern_count(p, &mut count) },
        R::InvalidHandle
    );
}

/// A default-capacity policy (`wsguard_origin_policy_init`) in `storage`, allowing
/// `https://*.example.com`.
fn default_policy(storage: &mut Vec<u64>) -> *mut wsguard_origin_policy {
    *storage = vec![0u64; WSGUARD_ORIGIN_POLICY_STORAGE_SIZE / 8];
    let mut p = null_mut();
    let len = WSGUARD_ORIGIN_POLICY_STORAGE_SIZE;
    assert_eq!(
        unsafe { wsguard_origin_policy_init(storage.as_mut_ptr().cast(), len, 0, &mut p) },
        R::Ok
    );
    let pat = "https://*.example.com";
    assert_eq!(
        unsafe { wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), null_mut()) },
        R::Ok
    );
    p
}

#[test]
fn capacity_is_bounded() {
    let mut storage = Vec::new();
    let p = default_policy(&mut storage);
    let mut last = R::Ok;
    let mut rej = wsguard_rejection::EMPTY;
    for i in 0..1000 {
        let pat = format!("https://h{i}.example.com");
        last = unsafe { wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), &mut rej) };
        if last != R::Ok {
            break;
        }
    }
    assert_eq!(last, R::CapacityExceeded);
    assert_eq!(code(&rej), "policy_too_many_entries");
    let mut count = 0usize;
    assert_eq!(
        unsafe { wsguard_origin_policy_pattern_count(p, &mut count) },
        R::Ok
    );
    assert_eq!(count, WSGUARD_POLICY_MAX_PATTERNS);
    // Every stored pattern still matches (parsed once, kept).
    let last_origin = format!("https://h{}.example.com", WSGUARD_POLICY_MAX_PATTERNS - 2);
    let r = unsafe {
        wsguard_origin_policy_check(
            p,
            last_origin.as_ptr().cast(),
            last_origin.len(),
            null_mut(),
        )
    };
    assert_eq!(r, R::Ok);
    unsafe { wsguard_origin_policy_free(p) };
    // Text: long patterns fill WSGUARD_POLICY_MAX_TEXT before the slots.
    let p = default_policy(&mut storage);
    let label = "abcdefghij".repeat(5) + ".";
    let long = format!("https://{}example.com", label.repeat(4));
    let mut stored = 0;
    loop {
        let r =
            unsafe { wsguard_origin_policy_allow(p, long.as_ptr().cast(), long.len(), &mut rej) };
        if r != R::Ok {
            assert_eq!(r, R::CapacityExceeded);
            break;
        }
        stored += 1;
    }
    assert_eq!(code(&rej), "policy_text_full");
    assert_eq!(
        stored,
        (WSGUARD_POLICY_MAX_TEXT - "https://*.example.com".len()) / long.len()
    );
    // Host entries that are no host are refused when added.
    let bad = "a b";
    let r = unsafe { wsguard_origin_policy_allow_host(p, bad.as_ptr().cast(), bad.len()) };
    assert_eq!(r, R::InvalidConfig);
    unsafe { wsguard_origin_policy_free(p) };
}

#[test]
fn sized_storage_holds_what_the_caller_sized_and_the_heap_grows() {
    let need = wsguard_origin_policy_storage_size(3, 64);
    assert_eq!(
        need,
        WSGUARD_ORIGIN_POLICY_HEADER_SIZE + 3 * WSGUARD_ORIGIN_POLICY_ENTRY_SIZE + 64
    );
    assert_eq!(wsguard_origin_policy_storage_size(usize::MAX, 1), 0);
    let mut mem = vec![0u64; need.div_ceil(8)];
    let base = mem.as_mut_ptr().cast();
    let mut p = null_mut();
    let init = |len, entries, text, p: &mut *mut wsguard_origin_policy| unsafe {
        wsguard_origin_policy_init_sized(base, len, entries, text, 0, p)
    };
    assert_eq!(init(need - 1, 3, 64, &mut p), R::InvalidStorage);
    assert_eq!(init(need, usize::MAX, 1, &mut p), R::InvalidStorage);
    assert!(p.is_null());
    assert_eq!(
        unsafe { wsguard_origin_policy_init_sized(base, need, 3, 64, 0x80, &mut p) },
        R::InvalidArgument
    );
    assert_eq!(init(need, 3, 64, &mut p), R::Ok);
    let mut rej = wsguard_rejection::EMPTY;
    let add_host =
        |h: &str| unsafe { wsguard_origin_policy_allow_host(p, h.as_ptr().cast(), h.len()) };
    let allow = |pat: &str, rej: &mut wsguard_rejection| unsafe {
        wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), rej)
    };
    assert_eq!(allow("https://a.example", &mut rej), R::Ok);
    assert_eq!(add_host("a.example"), R::Ok);
    assert_eq!(allow("https://b.example", &mut rej), R::Ok);
    // Three entries in all lists together: the fourth is refused, whatever its list.
    assert_eq!(allow("https://c.example", &mut rej), R::CapacityExceeded);
    assert_eq!(code(&rej), "policy_too_many_entries");
    assert_eq!(add_host("c.example"), R::CapacityExceeded);
    let check =
        |o: &str| unsafe { wsguard_origin_policy_check(p, o.as_ptr().cast(), o.len(), null_mut()) };
    assert_eq!(check("https://b.example"), R::Ok);
    assert_eq!(check("https://c.example"), R::OriginRejected);
    unsafe { wsguard_origin_policy_free(p) };
    // The heap policy has no ceiling.
    let p = policy();
    for i in 0..2000 {
        let pat = format!("https://h{i}.example.org");
        assert_eq!(
            unsafe { wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), null_mut()) },
            R::Ok
        );
    }
    let mut count = 0usize;
    assert_eq!(
        unsafe { wsguard_origin_policy_pattern_count(p, &mut count) },
        R::Ok
    );
    assert_eq!(count, 2001);
    let o = "https://h1999.example.org";
    assert_eq!(
        unsafe { wsguard_origin_policy_check(p, o.as_ptr().cast(), o.len(), null_mut()) },
        R::Ok
    );
    unsafe { wsguard_origin_policy_free(p) };
}

// ---------- heartbeat, reconnect and the close-code registry: the C API equals the core ----------

mod state_machines {
    use super::XorShift;
    use crate::close::*;
    use crate::heartbeat::*;
    use crate::reconnect::*;
    use crate::result::wsguard_result as R;
    use core::ptr::{null, null_mut};
    use std::mem::MaybeUninit;
    use wsguard_core::close::{self, AppCode, CloseRegistry, Retry};
    use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    use wsguard_core::reconnect::{
        Decision, Disconnect, Jitter, Reconnect, ReconnectConfig, TransportFailure,
    };
    use wsguard_core::Diagnostic;

    fn s(x: crate::ffi::wsguard_str) -> &'static str {
        unsafe { std::str::from_utf8(std::slice::from_raw_parts(x.ptr.cast(), x.len)).unwrap() }
    }

    #[test]
    fn heartbeat_follows_the_core_on_random_timelines() {
        let mut rng = XorShift(0x1234_5678_9abc_def1);
        for _ in 0..300 {
            let interval = 1 + rng.next() % 5_000;
            let timeout = interval + 1 + rng.next() % 5_000;
            let missed = 1 + (rng.next() % 4) as u32;
            let cfg = wsguard_heartbeat_config {
                interval_ms: interval,
                dead_timeout_ms: timeout,
                max_missed: missed,
            };
            let mut core =
                Heartbeat::new(HeartbeatConfig::new(interval, timeout, missed).unwrap(), 0);
            let mut hb = null_mut();
            assert_eq!(
                unsafe { wsguard_heartbeat_new(&cfg, 0, &mut hb, null_mut()) },
                R::Ok
            );
            let mut now = 0u64;
            let mut last_ping = [0u8; 8];
            for _ in 0..60 {
                now += rng.next() % (interval + 500);
                match rng.next() % 5 {
                    0 | 1 => {
                        let mut a = MaybeUninit::uninit();
                        assert_eq!(
                            unsafe { wsguard_heartbeat_poll(hb, now, a.as_mut_ptr()) },
                            R::Ok
                        );
                        let a = unsafe { a.assume_init() };
                        match core.poll(now) {
                            Action::Wait { until } => {
                                assert_eq!(a.kind, wsguard_heartbeat_action_kind::Wait);
                                assert_eq!(a.until_ms, until);
                            }
                            Action::SendPing { payload, seq } => {
                                assert_eq!(a.kind, wsguard_heartbeat_action_kind::SendPing);
                                assert_eq!((a.seq, a.payload), (seq, payload));
                                last_ping = payload;
                            }
                            Action::PeerDead => {
                                assert_eq!(a.kind, wsguard_heartbeat_action_kind::PeerDead)
                            }
                        }
                    }
                    2 => {
                        let (mut ans, mut rtt) = (false, 0u64);
                        let r = unsafe {
                            wsguard_heartbeat_on_pong(
                                hb,
                                now,
                                last_ping.as_ptr(),
                                8,
                                &mut ans,
                                &mut rtt,
                            )
                        };
                        assert_eq!(r, R::Ok);
                        let want = core.on_pong(now, &last_ping);
                        assert_eq!((ans, rtt), (want.is_some(), want.unwrap_or(0)));
                    }
                    3 => {
                        let mut pong = false;
                        let r = unsafe { wsguard_heartbeat_on_ping_received(hb, now, &mut pong) };
                        assert_eq!((r, pong), (R::Ok, core.on_ping_received(now)));
                    }
                    _ => {
                        assert_eq!(unsafe { wsguard_heartbeat_on_activity(hb, now) }, R::Ok);
                        core.on_activity(now);
                    }
                }
            }
            let mut st = MaybeUninit::uninit();
            assert_eq!(
                unsafe { wsguard_heartbeat_status_get(hb, st.as_mut_ptr()) },
                R::Ok
            );
            let st = unsafe { st.assume_init() };
            assert_eq!(st.last_activity_ms, core.last_activity());
            assert_eq!(st.has_rtt, core.last_rtt_ms().is_some());
            assert_eq!(st.smoothed_rtt_ms, core.smoothed_rtt_ms().unwrap_or(0));
            assert_eq!(st.unanswered_pings, core.unanswered_pings());
            assert_eq!(st.stale_pongs, core.stale_pongs());
            assert_eq!(
                s(st.dead_code),
                core.dead_reason().map(|d| d.code()).unwrap_or("")
            );
            unsafe { wsguard_heartbeat_free(hb) };
        }
    }

    fn disconnect(rng: &mut XorShift) -> (wsguard_disconnect, Disconnect) {
        const CODES: [u16; 12] = [
            1000, 1001, 1002, 1006, 1008, 1011, 1012, 1013, 4001, 4401, 4429, 4999,
        ];
        const STATUSES: [u16; 8] = [200, 301, 401, 404, 429, 500, 503, 599];
        let mut d = wsguard_disconnect {
            kind: 0,
            close_code: 0,
            http_status: 0,
            has_retry_after: false,
            retry_after_s: 0,
            transport: 0,
        };
        let core = match rng.next() % 3 {
            0 => {
                d.kind = wsguard_disconnect_kind::Close as u32;
                d.close_code = CODES[(rng.next() % 12) as usize];
                Disconnect::Close(d.close_code)
            }
            1 => {
                d.kind = wsguard_disconnect_kind::HttpStatus as u32;
                d.http_status = STATUSES[(rng.next() % 8) as usize];
                d.has_retry_after = rng.next() % 2 == 0;
                d.retry_after_s = (rng.next() % 1000) as u32;
                Disconnect::HttpStatus {
                    status: d.http_status,
                    retry_after_s: d.has_retry_after.then_some(d.retry_after_s),
                }
            }
            _ => {
                let i = rng.next() % 5;
                d.kind = wsguard_disconnect_kind::Transport as u32;
                d.transport = i as u32 + 1;
                Disconnect::Transport(
                    [
                        TransportFailure::Refused,
                        TransportFailure::Dns,
                        TransportFailure::Tls,
                        TransportFailure::Timeout,
                        TransportFailure::Reset,
                    ][i as usize],
                )
            }
        };
        (d, core)
    }

    #[test]
    fn reconnect_follows_the_core_on_random_sequences() {
        const CODES: [AppCode; 1] = [AppCode::new(
            4001,
            "session_expired",
            "d",
            "r",
            Retry::AfterReauth,
        )];
        let mut reg = null_mut();
        assert_eq!(unsafe { wsguard_close_registry_new(&mut reg) }, R::Ok);
        let app = wsguard_app_close_code {
            code: 4001,
            name: c"session_expired".as_ptr(),
            name_len: 15,
            description: c"d".as_ptr(),
            description_len: 1,
            remedy: c"r".as_ptr(),
            remedy_len: 1,
            retry: crate::close::wsguard_retry::AfterReauth as u32,
            category: 0,
            sender: 0,
        };
        assert_eq!(
            unsafe { wsguard_close_registry_add(reg, &app, null_mut()) },
            R::Ok
        );
        let mut rng = XorShift(0xdead_beef_cafe_f00d);
        for round in 0..200 {
            let mut cfg = MaybeUninit::uninit();
            assert_eq!(
                unsafe { wsguard_reconnect_config_default(cfg.as_mut_ptr()) },
                R::Ok
            );
            let mut cfg = unsafe { cfg.assume_init() };
            cfg.base_ms = 1 + rng.next() % 2_000;
            cfg.cap_ms = cfg.base_ms + rng.next() % 60_000;
            cfg.max_attempts = (rng.next() % 5) as u32;
            let full = rng.next() % 2 == 0;
            cfg.jitter = if full {
                wsguard_jitter::Full
            } else {
                wsguard_jitter::Equal
            } as u32;
            let registry = match round % 3 {
                0 => close::CONVENTIONS,
                1 => {
                    cfg.registry = WSGUARD_CLOSE_REGISTRY_BUILTIN;
                    CloseRegistry::EMPTY
                }
                _ => {
                    cfg.app_registry = reg;
                    CloseRegistry::new(&CODES).unwrap()
                }
            };
            let mut core = Reconnect::new(ReconnectConfig {
                base_ms: cfg.base_ms,
                cap_ms: cfg.cap_ms,
                max_attempts: cfg.max_attempts,
                jitter: if full { Jitter::Full } else { Jitter::Equal },
                registry,
                ..ReconnectConfig::DEFAULT
            });
            let mut rc = null_mut();
            assert_eq!(unsafe { wsguard_reconnect_new(&cfg, &mut rc) }, R::Ok);
            let mut now = 0u64;
            for _ in 0..20 {
                now += rng.next() % 20_000;
                if rng.next() % 4 == 0 {
                    assert_eq!(unsafe { wsguard_reconnect_on_connected(rc, now) }, R::Ok);
                    core.on_connected(now);
                    continue;
                }
                let (d, cd) = disconnect(&mut rng);
                let random = rng.next() as u32;
                let mut out = MaybeUninit::uninit();
                let r = unsafe {
                    wsguard_reconnect_on_disconnect(rc, &d, now, random, out.as_mut_ptr())
                };
                assert_eq!(r, R::Ok);
                let out = unsafe { out.assume_init() };
                let want = core.on_disconnect(cd, now, random);
                assert_eq!(s(out.code), want.code());
                assert_eq!(s(out.reason), want.reason());
                assert_eq!(s(out.remedy), want.remedy());
                match want {
                    Decision::RetryAt {
                        at_ms,
                        attempt,
                        delay_ms,
                        ..
                    } => {
                        assert_eq!(out.kind, wsguard_reconnect_decision_kind::RetryAt);
                        assert_eq!(
                            (out.at_ms, out.attempt, out.delay_ms),
                            (at_ms, attempt, delay_ms)
                        );
                    }
                    Decision::WaitForReauth { .. } => {
                        assert_eq!(out.kind, wsguard_reconnect_decision_kind::WaitForReauth)
                    }
                    Decision::Stop { .. } => {
                        assert_eq!(out.kind, wsguard_reconnect_decision_kind::Stop)
                    }
                }
                let mut n = 0;
                assert_eq!(unsafe { wsguard_reconnect_attempts(rc, &mut n) }, R::Ok);
                assert_eq!(n, core.attempts());
            }
            unsafe { wsguard_reconnect_free(rc) };
        }
        unsafe { wsguard_close_registry_free(reg) };
    }

    #[test]
    fn storage_and_handles_are_checked() {
        use core::mem::size_of;
        let mut buf = vec![0u64; 1024];
        let p = buf.as_mut_ptr().cast::<core::ffi::c_void>();
        let (mut hb, mut rc, mut reg) = (null_mut(), null_mut(), null_mut());
        unsafe {
            assert_eq!(
                wsguard_heartbeat_init(
                    p,
                    size_of::<wsguard_heartbeat>() - 1,
                    null(),
                    0,
                    &mut hb,
                    null_mut()
                ),
                R::InvalidStorage
            );
            assert_eq!(
                wsguard_reconnect_init(p.cast::<u8>().add(1).cast(), 4096, null(), &mut rc),
                R::InvalidStorage
            );
            assert_eq!(
                wsguard_close_registry_init(p, size_of::<wsguard_close_registry>() - 1, &mut reg),
                R::InvalidStorage
            );
            assert!(hb.is_null() && rc.is_null() && reg.is_null());
            assert_eq!(
                wsguard_heartbeat_init(
                    p,
                    WSGUARD_HEARTBEAT_STORAGE_SIZE,
                    null(),
                    0,
                    &mut hb,
                    null_mut()
                ),
                R::Ok
            );
            assert_eq!(wsguard_heartbeat_on_activity(hb, 5), R::Ok);
            wsguard_heartbeat_free(hb);
            assert_eq!(wsguard_heartbeat_on_activity(hb, 5), R::InvalidHandle);
            // a heartbeat is not a reconnect policy: the magic is shared, so only NULL and
            // dead/garbage handles are caught; zeroed storage is garbage
            buf.iter_mut().for_each(|w| *w = 0);
            let garbage = buf.as_mut_ptr().cast::<wsguard_reconnect>();
            assert_eq!(wsguard_reconnect_reset(garbage), R::InvalidHandle);
            assert_eq!(
                wsguard_close_registry_count(buf.as_ptr().cast(), &mut 0usize),
                R::InvalidHandle
            );
        }
    }
}

/// Both token-in-subprotocol forms: the core's `token_subprotocol_conflict` from the
/// startup check and from every validating call, which writes nothing else.
#[test]
fn token_options_conflict_is_one_config_error() {
    let p = policy();
    let mut opts = MaybeUninit::uninit();
    assert_eq!(
        unsafe { wsguard_server_options_default(opts.as_mut_ptr()) },
        R::Ok
    );
    let mut opts = unsafe { opts.assume_init() };
    assert_eq!(
        unsafe { wsguard_server_options_check(&opts, null_mut()) },
        R::Ok
    );
    let (prefix, pair) = ("access_token.", "bearer");
    opts.token_subprotocol_prefix = prefix.as_ptr().cast();
    opts.token_subprotocol_prefix_len = prefix.len();
    opts.token_subprotocol_pair = pair.as_ptr().cast();
    opts.token_subprotocol_pair_len = pair.len();
    let mut rej = wsguard_rejection::EMPTY;
    assert_eq!(
        unsafe { wsguard_server_options_check(&opts, &mut rej) },
        R::InvalidConfig
    );
    assert_eq!(code(&rej), "token_subprotocol_conflict");
    let mut out = [0xAAu8; 1024];
    let (mut written, mut needed) = (7usize, 7usize);
    let mut acc = MaybeUninit::uninit();
    let mut rej = wsguard_rejection::EMPTY;
    let r = unsafe {
        wsguard_server_respond(
            p,
            &opts,
            REQUEST.as_ptr(),
            REQUEST.len(),
            out.as_mut_ptr(),
            out.len(),
            &mut written,
            &mut needed,
            acc.as_mut_ptr(),
            &mut rej,
        )
    };
    assert_eq!(r, R::InvalidConfig);
    assert_eq!(code(&rej), "token_subprotocol_conflict");
    assert_eq!((written, needed), (7, 7));
    assert!(out.iter().all(|b| *b == 0xAA));
    unsafe { wsguard_origin_policy_free(p) };
}
