use super::*;
use crate::Diagnostic;
use std::vec::Vec;

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
fn every_code_is_classified_consistently() {
    for code in 0..=u16::MAX {
        let info = classify(code);
        assert_eq!(info.code, code);
        assert_eq!(info.wire_valid, is_wire_valid(code));
        assert!(
            !info.description().is_empty() && !info.remedy().is_empty(),
            "{code}"
        );
        // Codes that may not be sent are never "usually sent" by anybody.
        if !info.wire_valid {
            assert!(
                matches!(info.sender(), Sender::LocalOnly | Sender::NeverSent),
                "{code}"
            );
        }
        let iana = matches!(code, 1000..=1015 | 3000 | 3003 | 3008);
        let convention = CONVENTIONS.get(code).is_some();
        assert_eq!(info.name().is_some(), iana || convention, "{code}");
        let want = if iana {
            Registration::Iana
        } else if convention {
            Registration::Convention
        } else {
            Registration::Unregistered
        };
        assert_eq!(info.registration(), want, "{code}");
        assert!(!info.is_app_defined());
        // The conventions registry differs from the one classification only in the
        // app-defined flag.
        let reg = CONVENTIONS.classify(code);
        assert_eq!(reg.is_app_defined(), convention, "{code}");
        assert_eq!(
            (reg.name(), reg.category(), reg.retry(), reg.registration()),
            (
                info.name(),
                info.category(),
                info.retry(),
                info.registration()
            ),
            "{code}"
        );
        // The registry with no entries is the built-in classification.
        assert_eq!(CloseRegistry::EMPTY.classify(code), info);
        // payload::check_code names the local-only codes without the table.
        if !info.wire_valid {
            let expected = if info.sender() == Sender::LocalOnly {
                CloseError::LocalOnlyCode { code }
            } else {
                CloseError::InvalidCode { code }
            };
            assert_eq!(parse_payload(&code.to_be_bytes()), Err(expected), "{code}");
        }
    }
}

#[test]
fn registered_codes_have_concrete_causes() {
    for code in (1000..=1015).filter(|c| *c != 1004) {
        let info = classify(code);
        assert!(!info.causes().is_empty(), "{code} has no causes");
        for c in info.causes() {
            assert!(!c.what.is_empty() && !c.fix.is_empty());
        }
    }
    let c1006 = classify(1006);
    let all: Vec<&str> = c1006.causes().iter().map(|c| c.what).collect();
    assert!(
        all.iter().any(|w| w.contains("403"))
            && all.iter().any(|w| w.contains("401"))
            && all.iter().any(|w| w.contains("idle"))
    );
    assert!(c1006
        .causes()
        .iter()
        .any(|c| c.fix.contains("wsguard probe")));
    assert!(c1006.causes().iter().any(|c| c.fix.contains("heartbeat")));
}

#[test]
fn exact_boundaries() {
    let cat = |c| classify(c).category();
    assert_eq!(cat(999), Category::Invalid);
    assert_eq!(cat(1000), Category::Normal);
    assert_eq!(cat(1015), Category::Tls);
    assert_eq!(cat(1016), Category::Reserved);
    assert_eq!(cat(2999), Category::Reserved);
    assert_eq!(cat(3000), Category::PolicyAuth);
    assert_eq!(cat(3001), Category::Library);
    assert_eq!(cat(3999), Category::Library);
    assert_eq!(cat(4000), Category::Private);
    assert_eq!(cat(4999), Category::Private);
    assert_eq!(cat(5000), Category::Invalid);
    assert_eq!(classify(1005).retry(), Retry::WithBackoff);
    assert_eq!(classify(1001).retry(), Retry::Soon);
}

#[test]
fn registry_rejects_out_of_range_and_duplicates() {
    let mk = |c| AppCode::new(c, "x", "d", "r", Retry::Never);
    assert_eq!(
        CloseRegistry::new(&[mk(2999)]),
        Err(RegisterError::OutOfRange { code: 2999 })
    );
    assert_eq!(
        CloseRegistry::new(&[mk(5000)]),
        Err(RegisterError::OutOfRange { code: 5000 })
    );
    assert_eq!(
        CloseRegistry::new(&[mk(1000)]),
        Err(RegisterError::OutOfRange { code: 1000 })
    );
    assert!(CloseRegistry::new(&[mk(3000), mk(4999)]).is_ok());
    assert_eq!(
        CloseRegistry::new(&[mk(4000), mk(4001), mk(4000)]),
        Err(RegisterError::Duplicate { code: 4000 })
    );
    let empty_name = AppCode::new(4000, "", "d", "r", Retry::Never);
    assert_eq!(
        CloseRegistry::new(&[empty_name]),
        Err(RegisterError::EmptyName { code: 4000 })
    );
    assert_eq!(
        RegisterError::Duplicate { code: 1 }.code(),
        "close_register_duplicate"
    );
}

#[test]
fn registry_entry_defaults_and_fields() {
    const C: [AppCode; 2] = [
        AppCode::new(3100, "lib_thing", "d", "r", Retry::WithBackoff),
        AppCode::new(
            4100,
            "room_full",
            "the room is full",
            "pick another room",
            Retry::Never,
        )
        .with_sender(Sender::Either)
        .with_causes(&[LikelyCause::new("too many users", "raise the limit")]),
    ];
    let r = CloseRegistry::new(&C).unwrap();
    assert_eq!(r.classify(3100).category(), Category::Library);
    let i = r.classify(4100);
    assert_eq!(
        (i.name(), i.category(), i.sender(), i.retry()),
        (
            Some("room_full"),
            Category::Private,
            Sender::Either,
            Retry::Never
        )
    );
    assert_eq!(i.description(), "the room is full");
    assert_eq!(i.causes().len(), 1);
    assert!(i.wire_valid && i.is_app_defined());
    assert_eq!(r.entries().len(), 2);
}

#[test]
fn payload_round_trip_and_rules() {
    let mut buf = [0u8; 125];
    for code in 0..=u16::MAX {
        match write_close_payload(code, "ok", &mut buf) {
            Ok(n) => {
                assert!(is_wire_valid(code));
                let p = parse_payload(&buf[..n]).unwrap();
                assert_eq!((p.code, p.reason), (Some(code), "ok"));
            }
            Err(e) => {
                assert!(!is_wire_valid(code));
                assert_eq!(parse_payload(&[(code >> 8) as u8, code as u8]), Err(e));
            }
        }
    }
    let long = "a".repeat(123);
    assert_eq!(write_close_payload(1000, &long, &mut buf), Ok(125));
    assert_eq!(
        write_close_payload(1000, &long, &mut buf[..124]),
        Err(CloseError::BufferTooSmall { needed: 125 })
    );
    let too_long = "a".repeat(124);
    assert_eq!(
        write_close_payload(1000, &too_long, &mut [0u8; 200]),
        Err(CloseError::ReasonTooLong { len: 124 })
    );
    assert_eq!(fit_reason(&too_long).len(), 123);
    assert_eq!(
        parse_payload(b"\x03\xe8ab\xc3"),
        Err(CloseError::ReasonNotUtf8 { valid_up_to: 2 })
    );
    assert_eq!(CloseError::LengthOne.close_code(), 1002);
    assert_eq!(
        CloseError::InvalidCode { code: 0 }.code(),
        "close_code_invalid"
    );
}

#[test]
fn fit_reason_never_splits_characters() {
    let s = "€".repeat(50); // 3 bytes each
    let cut = fit_reason(&s);
    assert_eq!(cut.len(), 123);
    let s = "aé".repeat(50); // 'a' + 2-byte char
    let cut = fit_reason(&s);
    assert!(cut.len() <= 123 && cut.len() >= 122);
    assert!(core::str::from_utf8(cut.as_bytes()).is_ok());
}

#[test]
fn no_panic_on_arbitrary_payloads() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let valid: &[&[u8]] = &[b"", b"\x03\xe8", b"\x03\xe8bye", b"\x0f\xa1caf\xc3\xa9"];
    for i in 0..20_000 {
        let input: Vec<u8> = if i % 2 == 0 {
            let len = (rng.next() % 140) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        } else {
            let mut v = valid[(rng.next() % valid.len() as u64) as usize].to_vec();
            if !v.is_empty() {
                let at = (rng.next() % v.len() as u64) as usize;
                v[at] = rng.next() as u8;
            }
            if rng.next() % 3 == 0 {
                v.truncate((rng.next() % (v.len() as u64 + 1)) as usize);
            }
            v
        };
        match parse_payload(&input) {
            Ok(p) => {
                assert!(p.reason.len() <= MAX_REASON_LEN);
                if let Some(c) = p.code {
                    assert!(is_wire_valid(c));
                    let mut out = [0u8; 125];
                    let n = write_close_payload(c, p.reason, &mut out).unwrap();
                    assert_eq!(&out[..n], &input[..]);
                }
            }
            Err(e) => assert!(!e.reason().is_empty()),
        }
        let code = rng.next() as u16;
        let _ = CONVENTIONS.classify(code);
        let mut small = [0u8; 8];
        let reason = core::str::from_utf8(&input).unwrap_or("");
        let _ = write_close_payload(code, reason, &mut small);
    }
}
