//! Runs `tests/vectors/frames.json` and `tests/vectors/utf8.json` (and the external files in
//! their formats) against the frame layer.
//!
//! Every frame case is delivered whole, in 1-byte chunks and split at every point, to both
//! `Decoder::decode` and `Decoder::decode_streaming`; all deliveries must give the same
//! frame-level events and the same error.

use serde_json::{json, Value};
use wsguard_core::frame::{
    Decoded, Decoder, DecoderConfig, Event, MessageKind, Role, Utf8Validator,
};
use wsguard_core::Diagnostic;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/vectors/{}",
        env!("CARGO_MANIFEST_DIR"),
        name
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn bytes(case: &Value, field: &str) -> Vec<u8> {
    if let Some(h) = case.get(format!("{field}_hex")).and_then(Value::as_str) {
        return (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
    }
    case[field].as_str().unwrap().as_bytes().to_vec()
}

fn config(case: &Value) -> DecoderConfig {
    let role = match case["role"].as_str().unwrap() {
        "server" => Role::Server,
        "client" => Role::Client,
        r => panic!("role {r}"),
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

fn kind_name(k: MessageKind) -> String {
    match k {
        MessageKind::Text => "text".into(),
        MessageKind::Binary => "binary".into(),
        MessageKind::Reserved(n) => format!("reserved{n}"),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What a delivery produced.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: Vec<Value>,
    error: Option<(String, u16)>,
    needed: Option<usize>,
}

/// Feeds `pieces` into a receive buffer, decoding after each; streamed frames are merged
/// back into one frame-level event.
fn deliver(cfg: DecoderConfig, pieces: &[&[u8]], streaming: bool) -> Outcome {
    let mut dec = Decoder::new(cfg);
    let mut pending: Vec<u8> = Vec::new();
    let mut out = Outcome {
        events: vec![],
        error: None,
        needed: None,
    };
    let mut acc: Option<Vec<u8>> = None;
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let len = pending.len();
            let r = if streaming {
                dec.decode_streaming(&mut pending)
            } else {
                dec.decode(&mut pending)
            };
            match r {
                Err(e) => {
                    out.error = Some((e.code().to_string(), e.close_code()));
                    assert_eq!(dec.error(), Some(e), "error is sticky");
                    return out;
                }
                Ok(Decoded::Incomplete { needed }) => {
                    out.needed = Some(needed);
                    break;
                }
                Ok(Decoded::Event { consumed, event }) => {
                    assert!(consumed > 0 && consumed <= len);
                    let v = match event {
                        Event::Header(_) => {
                            assert!(acc.is_none());
                            acc = Some(vec![]);
                            None
                        }
                        Event::Data {
                            kind,
                            payload,
                            fin_of_frame,
                            fin_of_message,
                        } => {
                            assert!(!fin_of_message || fin_of_frame);
                            let whole = match acc.as_mut() {
                                Some(a) => {
                                    a.extend_from_slice(payload);
                                    if fin_of_frame {
                                        acc.take()
                                    } else {
                                        None
                                    }
                                }
                                None => {
                                    assert!(fin_of_frame);
                                    Some(payload.to_vec())
                                }
                            };
                            whole.map(|p| json!({"type": "data", "kind": kind_name(kind), "payload_hex": hex(&p), "fin": fin_of_message}))
                        }
                        Event::Ping(p) => Some(json!({"type": "ping", "payload_hex": hex(p)})),
                        Event::Pong(p) => Some(json!({"type": "pong", "payload_hex": hex(p)})),
                        Event::Close(c) => {
                            Some(json!({"type": "close", "code": c.code, "reason": c.reason}))
                        }
                        Event::Control { opcode, payload } => Some(
                            json!({"type": "control", "opcode": opcode, "payload_hex": hex(payload)}),
                        ),
                    };
                    out.events.extend(v);
                    pending.drain(..consumed);
                }
            }
        }
    }
    out
}

#[test]
fn frames_json() {
    frames_file("frames.json", 40);
}

/// wsproto's frame cases (tests/vectors/README.md, external suites).
#[test]
fn external_wsproto_frames() {
    frames_file("external-wsproto-frames.json", 21);
}

/// python-websockets' frame cases (tests/vectors/README.md, external suites).
#[test]
fn external_websockets_frames() {
    frames_file("external-websockets-frames.json", 75);
}

fn frames_file(file_name: &str, min_cases: usize) {
    let file = load(file_name);
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= min_cases, "{} cases", cases.len());
    let mut names = std::collections::HashSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate case {name}");
        let input = bytes(case, "input");
        let cfg = config(case);
        let exp = &case["expect"];
        let whole = deliver(cfg, &[&input], false);
        assert_eq!(
            Value::Array(whole.events.clone()),
            exp["events"],
            "{name}: events"
        );
        assert_eq!(
            whole.error.is_none(),
            exp["ok"].as_bool().unwrap(),
            "{name}: ok {:?}",
            whole.error
        );
        if let Some((code, close)) = &whole.error {
            assert_eq!(code, exp["code"].as_str().unwrap(), "{name}: code");
            assert_eq!(
                u64::from(*close),
                exp["close_code"].as_u64().unwrap(),
                "{name}: close code"
            );
        } else {
            let needed = exp.get("needed").and_then(Value::as_u64).unwrap_or(2) as usize;
            assert_eq!(whole.needed, Some(needed), "{name}: needed");
        }
        let frame_level = |o: Outcome| (o.events, o.error);
        let expect = frame_level(whole);
        let bytewise: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(
            frame_level(deliver(cfg, &bytewise, false)),
            expect,
            "{name}: 1-byte chunks"
        );
        assert_eq!(
            frame_level(deliver(cfg, &bytewise, true)),
            expect,
            "{name}: 1-byte chunks, streaming"
        );
        assert_eq!(
            frame_level(deliver(cfg, &[&input], true)),
            expect,
            "{name}: whole, streaming"
        );
        let step = if input.len() > 2048 { 997 } else { 1 };
        for cut in (0..=input.len()).step_by(step) {
            let (a, b) = input.split_at(cut);
            assert_eq!(
                frame_level(deliver(cfg, &[a, b], false)),
                expect,
                "{name}: split at {cut}"
            );
            assert_eq!(
                frame_level(deliver(cfg, &[a, b], true)),
                expect,
                "{name}: split at {cut}, streaming"
            );
        }
    }
}

/// Feeds `pieces`; returns Err((valid_up_to, index of the byte whose feed failed or len)).
fn utf8_run(input: &[u8], cuts: &[usize]) -> Result<(), (u64, usize)> {
    let mut v = Utf8Validator::new();
    let mut start = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        v.feed(&input[start..c]).map_err(|e| (e.valid_up_to, c))?;
        start = c;
    }
    v.finish().map_err(|e| (e.valid_up_to, input.len()))
}

#[test]
fn utf8_json() {
    utf8_file("utf8.json", 30);
}

/// python-websockets' UTF-8 cases (tests/vectors/README.md, external suites).
#[test]
fn external_websockets_utf8() {
    utf8_file("external-websockets-utf8.json", 13);
}

/// wsproto's text-message UTF-8 cases (tests/vectors/README.md, external suites).
#[test]
fn external_wsproto_utf8() {
    utf8_file("external-wsproto-utf8.json", 7);
}

fn utf8_file(file_name: &str, min_cases: usize) {
    let file = load(file_name);
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= min_cases, "{} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = bytes(case, "input");
        let exp = &case["expect"];
        let splits: Vec<usize> = case["splits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let want_ok = exp["ok"].as_bool().unwrap();
        let want_valid = exp.get("valid_up_to").and_then(Value::as_u64);
        if !want_ok {
            assert_eq!(exp["code"], "frame_invalid_utf8", "{name}");
        }
        // the listed splits, no split, and every single split
        let mut plans: Vec<Vec<usize>> = vec![splits.clone(), vec![]];
        plans.extend((0..=input.len()).map(|c| vec![c]));
        for plan in &plans {
            let got = utf8_run(&input, plan);
            assert_eq!(got.is_ok(), want_ok, "{name}: {plan:?} {got:?}");
            assert_eq!(
                got.err().map(|e| e.0),
                want_valid,
                "{name}: valid_up_to with splits {plan:?}"
            );
        }
        // byte at a time: the error appears exactly when it becomes certain
        let every: Vec<usize> = (1..input.len()).collect();
        let got = utf8_run(&input, &every);
        if let Some(at) = exp.get("detected_at").and_then(Value::as_u64) {
            // the feed that fails ends at index at+1 (or finish at len)
            let fed_end = got.unwrap_err().1;
            let at = at as usize;
            let expect_end = if at == input.len() { at } else { at + 1 };
            assert_eq!(fed_end, expect_end, "{name}: detected at");
        } else {
            assert!(got.is_ok(), "{name}");
        }
        // agrees with core
        assert_eq!(
            core::str::from_utf8(&input)
                .err()
                .map(|e| e.valid_up_to() as u64),
            want_valid,
            "{name}: core"
        );
    }
}
