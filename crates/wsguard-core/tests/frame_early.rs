//! Failures at the earliest byte (RFC 6455 §7.1.7, issue 3 / issue 4 item 5).
//!
//! * `frames.json`: every failing case carries `error_at`, the number of input bytes
//!   after which the error is certain. Fed byte by byte to `decode_streaming`, the
//!   decoder must fail exactly when that byte arrives; `decode` too, except for UTF-8
//!   inside a data payload, which it sees when the frame is whole (`error_at_whole_frame`).
//! * Exhaustively over the first two header bytes (several roles, limits and states):
//!   the decoder fails on a 1- or 2-byte prefix if and only if every completion of it
//!   fails with that same error.

use serde_json::Value;
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, ProtocolError, Role};

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/vectors/{}",
        env!("CARGO_MANIFEST_DIR"),
        name
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn hex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

fn config(case: &Value) -> DecoderConfig {
    let role = match case["role"].as_str().unwrap() {
        "server" => Role::Server,
        _ => Role::Client,
    };
    let mut c = DecoderConfig::new(role);
    if let Some(o) = case.get("config").and_then(Value::as_object) {
        for (k, v) in o {
            c = match k.as_str() {
                "max_frame" => c.with_max_frame(v.as_u64().unwrap()),
                "max_message" => c.with_max_message(v.as_u64().unwrap()),
                "strict_length" if v == false => c.lenient_length(),
                "strict_length" => c,
                "allowed_rsv" => c.with_allowed_rsv(v.as_u64().unwrap() as u8),
                "allowed_opcodes" => c.with_allowed_opcodes(v.as_u64().unwrap() as u16),
                "accept_text" => c.with_accepted(v.as_bool().unwrap(), c.accept_binary),
                "accept_binary" => c.with_accepted(c.accept_text, v.as_bool().unwrap()),
                other => panic!("unknown config field {other}"),
            };
        }
    }
    c
}

/// Delivers `input` one byte at a time, decoding everything possible after each byte.
/// Returns the number of bytes delivered when the first error appeared, and the error.
fn first_error(
    cfg: DecoderConfig,
    input: &[u8],
    streaming: bool,
) -> Option<(usize, ProtocolError)> {
    let mut dec = Decoder::new(cfg);
    let mut pending: Vec<u8> = Vec::new();
    for (i, &b) in input.iter().enumerate() {
        pending.push(b);
        loop {
            let r = if streaming {
                dec.decode_streaming(&mut pending)
            } else {
                dec.decode(&mut pending)
            };
            match r {
                Err(e) => return Some((i + 1, e)),
                Ok(Decoded::Incomplete { .. }) => break,
                Ok(Decoded::Event { consumed, .. }) => {
                    pending.drain(..consumed);
                }
            }
        }
    }
    None
}

#[test]
fn every_failing_vector_fails_at_its_error_at_byte() {
    let file = load("frames.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let exp = &case["expect"];
        let error_at = case.get("error_at").and_then(Value::as_u64);
        if exp["ok"].as_bool().unwrap() {
            assert_eq!(error_at, None, "{name}: error_at on a passing case");
            continue;
        }
        let input = hex(case["input_hex"].as_str().unwrap());
        let cfg = config(case);
        let error_at = error_at.unwrap_or_else(|| panic!("{name}: failing case without error_at"));
        let whole_frame = case.get("error_at_whole_frame").and_then(Value::as_u64);
        if let Some(w) = whole_frame {
            // Only UTF-8 inside a data payload may wait for the whole frame.
            assert!(
                w > error_at && exp["code"] == "frame_invalid_utf8",
                "{name}"
            );
        }
        for streaming in [false, true] {
            let (at, e) = first_error(cfg, &input, streaming)
                .unwrap_or_else(|| panic!("{name}: no error (streaming {streaming})"));
            let want_at = if streaming {
                error_at
            } else {
                whole_frame.unwrap_or(error_at)
            };
            assert_eq!(
                (at as u64, wsguard_core::Diagnostic::code(&e)),
                (want_at, exp["code"].as_str().unwrap()),
                "{name}: byte at which the error appears (streaming {streaming})"
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "{checked} failing cases");
}

/// Decoders in the states that change what byte 0 may be.
fn decoders() -> Vec<(String, Decoder)> {
    let mut cfgs = vec![];
    for role in [Role::Server, Role::Client] {
        let base = DecoderConfig::new(role);
        cfgs.push(("default", base));
        cfgs.push(("lenient", base.lenient_length()));
        cfgs.push(("frame100", base.with_max_frame(100)));
        cfgs.push((
            "message100-lenient",
            base.with_max_message(100).lenient_length(),
        ));
        cfgs.push(("frame70000", base.with_max_frame(70_000)));
        cfgs.push((
            "rsv1-op3-op11",
            base.with_allowed_rsv(0x40)
                .with_allowed_opcodes(1 << 3 | 1 << 11),
        ));
        cfgs.push(("binary-only", base.with_accepted(false, true)));
    }
    let mut out = vec![];
    for (label, cfg) in cfgs {
        let masked = cfg.role == Role::Server;
        let frame = |b0: u8, payload: &[u8]| -> Vec<u8> {
            let mut f = vec![b0, payload.len() as u8 | if masked { 0x80 } else { 0 }];
            if masked {
                f.extend_from_slice(&[0, 0, 0, 0]);
            }
            f.extend_from_slice(payload);
            f
        };
        let fresh = Decoder::new(cfg);
        out.push((format!("{label}/{:?}/fresh", cfg.role), fresh));
        // A binary message left open by a first fragment of 60 bytes.
        let mut open = Decoder::new(cfg);
        let mut f = frame(0x02, &[0; 60]);
        assert!(
            matches!(open.decode(&mut f), Ok(Decoded::Event { .. })),
            "{label}"
        );
        out.push((format!("{label}/{:?}/message-open", cfg.role), open));
        // After the peer's Close.
        let mut closed = Decoder::new(cfg);
        let mut f = frame(0x88, &[0x03, 0xe8]);
        assert!(
            matches!(closed.decode(&mut f), Ok(Decoded::Event { .. })),
            "{label}"
        );
        out.push((format!("{label}/{:?}/close-received", cfg.role), closed));
    }
    out
}

/// What the decoder says about a whole frame: its error, or `None` when it is accepted
/// (or waits for a payload too long to build here).
fn verdict(dec: &Decoder, frame: &mut [u8]) -> Option<ProtocolError> {
    let mut d = *dec;
    d.decode(frame).err()
}

/// Completions of the header bytes `prefix` into whole frames: every extended length at
/// the edges of the rules (minimal form, limits, top bit), a zero key, and a payload that
/// is valid whenever a valid payload exists (zeros; a Close starts with code 1000).
fn completions(prefix: &[u8]) -> Vec<Vec<u8>> {
    let (b0, b1) = (prefix[0], prefix[1]);
    let ext_values: Vec<u64> = match b1 & 0x7F {
        126 => vec![0, 1, 2, 100, 125, 126, 127, 1000, 0xFFFF],
        127 => vec![
            0,
            1,
            2,
            100,
            125,
            126,
            0xFFFF,
            0x1_0000,
            70_000,
            1 << 40,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX,
        ],
        n => vec![u64::from(n)],
    };
    let mut out = vec![];
    for n in ext_values {
        let mut f = vec![b0, b1];
        match b1 & 0x7F {
            126 => f.extend_from_slice(&(n as u16).to_be_bytes()),
            127 => f.extend_from_slice(&n.to_be_bytes()),
            _ => {}
        }
        if b1 & 0x80 != 0 {
            f.extend_from_slice(&[0; 4]);
        }
        if n <= 1000 {
            let mut payload = vec![0u8; n as usize];
            if b0 & 0x0F == 0x8 && n >= 2 {
                payload[..2].copy_from_slice(&1000u16.to_be_bytes());
            }
            f.extend_from_slice(&payload);
        }
        out.push(f);
    }
    out
}

/// The error shared by every completion, if they all fail the same way.
fn certain(dec: &Decoder, completions: &mut [Vec<u8>]) -> Option<ProtocolError> {
    let first = verdict(dec, &mut completions[0])?;
    completions
        .iter_mut()
        .all(|c| verdict(dec, c) == Some(first))
        .then_some(first)
}

#[test]
fn first_two_bytes_fail_exactly_when_the_error_is_certain() {
    let mut reported = [0usize; 2];
    for (label, dec) in decoders() {
        for b0 in 0..=255u8 {
            // All completions of byte 0: every byte 1, each with its completions.
            let mut all: Vec<Vec<u8>> = (0..=255u8).flat_map(|b1| completions(&[b0, b1])).collect();
            let want = certain(&dec, &mut all);
            let mut d = dec;
            let got = d.decode(&mut [b0]).err();
            assert_eq!(got, want, "{label}: byte 0 = {b0:#04x}");
            if got.is_some() {
                reported[0] += 1;
                continue;
            }
            for b1 in 0..=255u8 {
                let want = certain(&dec, &mut completions(&[b0, b1]));
                let mut d = dec;
                let got = d.decode(&mut [b0, b1]).err();
                assert_eq!(got, want, "{label}: bytes {b0:#04x} {b1:#04x}");
                reported[1] += usize::from(got.is_some());
            }
        }
    }
    // Sanity: both bytes decide a good share of the cases.
    assert!(reported[0] > 1000 && reported[1] > 1000, "{reported:?}");
}

#[test]
fn extended_length_bytes_fail_as_soon_as_certain() {
    let server = Decoder::new(DecoderConfig::server());
    let small = Decoder::new(DecoderConfig::client().with_max_frame(1000));
    let cases: &[(&Decoder, &[u8], usize, ProtocolError)] = &[
        // 64-bit length with the top bit: the first length byte decides.
        (
            &server,
            &[0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
            3,
            ProtocolError::LengthTopBitSet,
        ),
        // 16-bit length 5: the second length byte decides.
        (
            &server,
            &[0x82, 0xFE, 0x00, 0x05, 1, 2, 3, 4],
            4,
            ProtocolError::NonMinimalLength,
        ),
        // 64-bit length 0xFFFF: six zero bytes decide (the last two cannot help).
        (
            &server,
            &[0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4],
            8,
            ProtocolError::NonMinimalLength,
        ),
        // 2^40 bytes against a 1000-byte limit: decided at the third length byte.
        (
            &small,
            &[0x82, 0x7F, 0, 0, 1, 0, 0, 0, 0, 0],
            5,
            ProtocolError::FrameTooBig,
        ),
        // 16-bit 0x0400 = 1024 > 1000: the first length byte (0x04 → ≥ 1024) decides.
        (
            &small,
            &[0x82, 0x7E, 0x04, 0x00],
            3,
            ProtocolError::FrameTooBig,
        ),
        // A close code is known before its reason: 1006 may not be sent.
        (
            &server,
            &[0x88, 0x85, 0, 0, 0, 0, 0x03, 0xEE, b'a', b'b', b'c'],
            8,
            ProtocolError::InvalidCloseCode,
        ),
        // A close payload of one byte: known from byte 1, before the mask key.
        (
            &server,
            &[0x88, 0x81, 1, 2, 3, 4, 5],
            2,
            ProtocolError::ClosePayloadTooShort,
        ),
    ];
    for (i, (dec, input, at, err)) in cases.iter().enumerate() {
        for k in 1..=input.len() {
            let mut d = **dec;
            let mut buf = input[..k].to_vec();
            let got = d.decode(&mut buf).err();
            let want = (k >= *at).then_some(*err);
            assert_eq!(got, want, "case {i}: {k} bytes");
        }
    }
}
