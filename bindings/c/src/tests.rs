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

#[test]
fn capacity_is_bounded() {
    let p = policy();
    let mut last = R::Ok;
    for i in 0..100 {
        let pat = format!("https://h{i}.example.com");
        last =
            unsafe { wsguard_origin_policy_allow(p, pat.as_ptr().cast(), pat.len(), null_mut()) };
        if last != R::Ok {
            break;
        }
    }
    assert_eq!(last, R::CapacityExceeded);
    let mut count = 0usize;
    assert_eq!(
        unsafe { wsguard_origin_policy_pattern_count(p, &mut count) },
        R::Ok
    );
    assert_eq!(count, WSGUARD_POLICY_MAX_PATTERNS);
    unsafe { wsguard_origin_policy_free(p) };
}
