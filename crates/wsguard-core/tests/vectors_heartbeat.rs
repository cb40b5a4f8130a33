//! Runs tests/vectors/heartbeat.json against wsguard_core::heartbeat.

use serde_json::{json, Value};
use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig, Role};
use wsguard_core::Diagnostic;

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/heartbeat.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read heartbeat.json"))
        .expect("parse JSON")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn heartbeat_vectors() {
    let doc = load();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 8);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let c = &case["config"];
        let cfg = HeartbeatConfig::new(
            c["interval_ms"].as_u64().unwrap(),
            c["dead_timeout_ms"].as_u64().unwrap(),
            c["max_missed"].as_u64().unwrap() as u32,
        );
        let cfg = match cfg {
            Ok(cfg) => cfg,
            Err(e) => {
                let got = json!({"ok": false, "code": e.code()});
                if got != case["expect"] {
                    failures.push(format!("{name}: expected {}, got {got}", case["expect"]));
                }
                continue;
            }
        };
        let cfg = match c["role"].as_str() {
            Some("server") => cfg.for_role(Role::Server),
            Some("client") => cfg.for_role(Role::Client),
            _ => cfg,
        };
        let mut hb = Heartbeat::new(cfg, case["start"].as_u64().unwrap());
        for (i, ev) in case["events"].as_array().unwrap().iter().enumerate() {
            let t = ev["t"].as_u64().unwrap();
            let got = match ev["event"].as_str().unwrap() {
                "poll" => match hb.poll(t) {
                    Action::SendPing { payload, seq } => {
                        json!({"action": "send_ping", "seq": seq, "payload_hex": to_hex(&payload)})
                    }
                    Action::Wait { until } => json!({"action": "wait", "until": until}),
                    Action::PeerDead => json!({"action": "peer_dead"}),
                },
                "pong" => json!({"rtt": hb.on_pong(t, &hex(ev["payload_hex"].as_str().unwrap()))}),
                "ping_received" => json!({"pong": hb.on_ping_received(t)}),
                "activity" => {
                    hb.on_activity(t);
                    Value::Null
                }
                "close" => {
                    hb.on_close(t);
                    Value::Null
                }
                other => panic!("{name}: unknown event {other}"),
            };
            if !ev["expect"].is_null() && got != ev["expect"] {
                failures.push(format!(
                    "{name} event #{i} at t={t}: expected {}, got {got}",
                    ev["expect"]
                ));
            }
        }
        let got = json!({
            "ok": true,
            "last_rtt": hb.last_rtt_ms(),
            "smoothed_rtt": hb.smoothed_rtt_ms(),
            "stale_pongs": hb.stale_pongs(),
            "unsolicited_pongs": hb.unsolicited_pongs(),
            "dead_reason": hb.dead_reason().map(|d| d.code()),
        });
        if got != case["expect"] {
            failures.push(format!(
                "{name} final: expected {}, got {got}",
                case["expect"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
