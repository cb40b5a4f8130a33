//! Target `close`: the Close payload parser, close-code classification and the writers.
//!
//! Input: the Close frame payload.
//!
//! Checked: `parse_payload` accepts exactly what RFC 6455 §5.5.1/§7.4 allows (empty, or a
//! wire-valid code + UTF-8 reason ≤ 123 bytes), with wire-valid codes written out here
//! from the RFC and the IANA registry (1000–1003, 1007–1014, 3000–4999); the frame
//! decoder, given the same payload in a Close frame, agrees; every code's classification
//! is complete; `write_close_payload` round-trips an accepted payload byte for byte, and
//! `fit_reason` cuts on a character boundary within 123 bytes.
//! Deliberate differences: none (tungstenite, the differential peer of
//! `frame_tungstenite`, treats 1014 as invalid; that difference is documented there).

use crate::util::check_diagnostic;
use wsguard_core::close::{classify, fit_reason, parse_payload, write_close_payload, MAX_REASON_LEN};
use wsguard_core::frame::encoder::write_close;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Event, ProtocolError};

fn rfc_wire_valid(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The target body.
pub fn fuzz_close(data: &[u8]) {
    let want_ok = match data {
        [] => true,
        [_] => false,
        [hi, lo, reason @ ..] => {
            rfc_wire_valid(u16::from_be_bytes([*hi, *lo]))
                && reason.len() <= MAX_REASON_LEN
                && std::str::from_utf8(reason).is_ok()
        }
    };
    let got = parse_payload(data);
    assert_eq!(got.is_ok(), want_ok, "parse_payload({data:?}) = {got:?}");

    // classification of the first two bytes as a code, and of the neighbours
    if let [hi, lo, ..] = data {
        let code = u16::from_be_bytes([*hi, *lo]);
        for c in [code, code.wrapping_add(1), code.wrapping_sub(1)] {
            let info = classify(c);
            assert_eq!(info.code, c);
            assert_eq!(info.wire_valid, rfc_wire_valid(c), "classify({c}).wire_valid");
            assert!(!info.description().is_empty() && !info.remedy().is_empty(), "classify({c}) lacks text");
            assert!(!info.category().code().is_empty() && !info.retry().code().is_empty());
        }
    }

    match got {
        Ok(p) => {
            assert_eq!(p.reported_code(), p.code.unwrap_or(1005));
            if let Some(code) = p.code {
                let mut out = [0u8; 125];
                let n = write_close_payload(code, p.reason, &mut out).expect("writing back an accepted payload");
                assert_eq!(&out[..n], data, "write_close_payload does not round-trip");
                // too small a buffer is an error, never a panic or a short write
                if n > 0 {
                    assert!(write_close_payload(code, p.reason, &mut out[..n - 1]).is_err());
                }
                let mut frame = [0u8; 140];
                let m = write_close(&mut frame, Some(code), p.reason, Some([1, 2, 3, 4])).expect("write_close");
                let mut dec = Decoder::new(DecoderConfig::server());
                match dec.decode(&mut frame[..m]) {
                    Ok(Decoded::Event { consumed, event: Event::Close(c) }) => {
                        assert_eq!(consumed, m);
                        assert_eq!(c, p);
                    }
                    other => panic!("write_close output decodes as {other:?}"),
                }
            }
        }
        Err(e) => {
            check_diagnostic(&e);
            assert!(matches!(e.close_code(), 1002 | 1007), "{e:?} answers with {}", e.close_code());
        }
    }

    // the frame decoder's own Close check agrees with parse_payload
    if data.len() <= 125 {
        let mut frame = vec![0x88, data.len() as u8];
        frame.extend_from_slice(data);
        let mut dec = Decoder::new(DecoderConfig::client());
        let r = dec.decode(&mut frame);
        match (r, want_ok) {
            (Ok(Decoded::Event { event: Event::Close(c), .. }), true) => assert_eq!(Ok(c), parse_payload(data)),
            (Err(ProtocolError::InvalidCloseCode | ProtocolError::InvalidUtf8 | ProtocolError::ClosePayloadTooShort), false) => {}
            // a reason above 123 bytes is a control frame above 125 bytes: refused earlier
            (r, w) => panic!("decoder says {r:?} for a Close payload that is valid={w}"),
        }
    }

    // fit_reason on the bytes read as text
    let text = String::from_utf8_lossy(data);
    let fit = fit_reason(&text);
    assert!(fit.len() <= MAX_REASON_LEN && text.starts_with(fit));
    if text.len() <= MAX_REASON_LEN {
        assert_eq!(fit, &*text);
    } else {
        // the longest prefix on a char boundary
        let next = text[fit.len()..].chars().next().map_or(0, char::len_utf8);
        assert!(fit.len() + next > MAX_REASON_LEN, "fit_reason cut more than needed");
    }
}
