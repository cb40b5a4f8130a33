//! The one table of configuration keys: every TOML key with the `WSGUARD_*` variable
//! that sets it, and the "did you mean" helper both loaders use for unknown names.
//!
//! This module depends on nothing else in [`crate::config`]; the TOML and environment
//! loaders depend on it (and on the types in `config/mod.rs`), never on each other.

/// Every key the loaders read: `(dotted TOML key, environment variable)`. The TOML
/// sections are the keys' first parts, in the order they appear here.
pub(crate) const KEYS: &[(&str, &str)] = &[
    ("env", "WSGUARD_ENV"),
    ("origin.allowed", "WSGUARD_ALLOWED_ORIGINS"),
    ("origin.allow_null", "WSGUARD_ALLOW_NULL"),
    ("origin.allow_missing", "WSGUARD_ALLOW_MISSING_ORIGIN"),
    ("origin.dev_hosts", "WSGUARD_DEV_HOSTS"),
    ("host.allowed", "WSGUARD_ALLOWED_HOSTS"),
    ("subprotocols.supported", "WSGUARD_SUBPROTOCOLS"),
    ("subprotocols.required", "WSGUARD_SUBPROTOCOL_REQUIRED"),
    ("token.required", "WSGUARD_TOKEN_REQUIRED"),
    ("token.location", "WSGUARD_TOKEN_LOCATION"),
    ("token.query_param", "WSGUARD_TOKEN_QUERY"),
    ("token.subprotocol_pair", "WSGUARD_TOKEN_SUBPROTOCOL_PAIR"),
    (
        "token.subprotocol_prefix",
        "WSGUARD_TOKEN_SUBPROTOCOL_PREFIX",
    ),
    ("token.dev_auth_bypass", "WSGUARD_DEV_AUTH_BYPASS"),
    (
        "token.dev_auth_bypass_allow_non_loopback",
        "WSGUARD_DEV_AUTH_BYPASS_ALLOW_NON_LOOPBACK",
    ),
    ("limits.max_message_bytes", "WSGUARD_MAX_MESSAGE_BYTES"),
    ("limits.max_frame_bytes", "WSGUARD_MAX_FRAME_BYTES"),
    ("limits.max_handshake_bytes", "WSGUARD_MAX_HANDSHAKE_BYTES"),
    ("limits.max_connections", "WSGUARD_LIMITS_MAX_CONNECTIONS"),
    ("limits.max_per_address", "WSGUARD_LIMITS_MAX_PER_ADDRESS"),
    ("limits.max_upgrading", "WSGUARD_LIMITS_MAX_UPGRADING"),
    (
        "limits.message_budget_bytes",
        "WSGUARD_LIMITS_MESSAGE_BUDGET_BYTES",
    ),
    (
        "limits.max_queued_output_bytes",
        "WSGUARD_LIMITS_MAX_QUEUED_OUTPUT_BYTES",
    ),
    ("limits.write_timeout_ms", "WSGUARD_LIMITS_WRITE_TIMEOUT_MS"),
    ("limits.retry_after_s", "WSGUARD_LIMITS_RETRY_AFTER_S"),
    (
        "limits.handshake_timeout_ms",
        "WSGUARD_LIMITS_HANDSHAKE_TIMEOUT_MS",
    ),
    ("heartbeat.ping_interval_ms", "WSGUARD_PING_INTERVAL_MS"),
    ("heartbeat.pong_timeout_ms", "WSGUARD_PONG_TIMEOUT_MS"),
    ("heartbeat.max_missed", "WSGUARD_MAX_MISSED"),
];

const U32: u64 = u32::MAX as u64;
const DAY_MS: u64 = 86_400_000;

/// Allowed values of the numeric keys that have bounds: `(key, min, max, why)`; `why`
/// says what a value outside would mean. Both loaders check at parse time and
/// [`GuardConfig::check`](crate::GuardConfig::check) again (values set in code or by
/// CLI flags).
pub(crate) const RANGES: &[(&str, u64, u64, &str)] = &[
    (
        "limits.max_connections",
        1,
        U32,
        "0 would refuse every connection",
    ),
    (
        "limits.max_per_address",
        1,
        U32,
        "0 would refuse every connection",
    ),
    (
        "limits.max_upgrading",
        1,
        U32,
        "0 would refuse every connection",
    ),
    (
        "limits.message_budget_bytes",
        1,
        u64::MAX,
        "0 would close every fragmented or partly received message",
    ),
    (
        "limits.max_queued_output_bytes",
        4096,
        i32::MAX as u64,
        "it is the kernel send buffer of each connection (SO_SNDBUF)",
    ),
    (
        "limits.write_timeout_ms",
        1,
        DAY_MS,
        "0 would drop every peer at its first write; a write pending for a day is a dead peer",
    ),
    (
        "limits.retry_after_s",
        0,
        86_400,
        "clients wait this long before they retry; more than a day looks like an outage",
    ),
    (
        "limits.handshake_timeout_ms",
        1,
        DAY_MS,
        "0 would time out every upgrade; a day would let slow clients hold connections",
    ),
    ("heartbeat.max_missed", 0, U32, "it counts pings"),
];

/// Why `n` is not allowed for `key`, as `(reason, remedy)`; `None` when it is (or the
/// key has no bounds).
pub(crate) fn range_error(key: &str, n: u64) -> Option<(String, String)> {
    let (_, min, max, why) = RANGES.iter().find(|(k, ..)| *k == key)?;
    if (*min..=*max).contains(&n) {
        return None;
    }
    let side = if n < *min { "below" } else { "above" };
    Some((
        format!("{n} is {side} the allowed range {min} to {max}: {why}"),
        format!("write a number from {min} to {max}"),
    ))
}

/// Variables that start with `WSGUARD_` but are read by other parts (the CLI), so they
/// are not reported as unknown.
pub(crate) const FOREIGN: &[&str] = &[
    "WSGUARD_CONFIG",
    "WSGUARD_LOG",
    "WSGUARD_LISTEN",
    "WSGUARD_BACKEND",
    // The explain mode (docs/EXPLAIN.md), read by `wsguard serve` and the Python guards.
    "WSGUARD_EXPLAIN",
];

/// The config key a variable sets.
pub(crate) fn key_of_variable(var: &str) -> Option<&'static str> {
    KEYS.iter().find(|(_, v)| *v == var).map(|(k, _)| *k)
}

/// The TOML sections (`origin`, `host`, …), in table order, without duplicates.
pub(crate) fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (key, _) in KEYS {
        if let Some((section, _)) = key.split_once('.') {
            if !out.contains(&section) {
                out.push(section);
            }
        }
    }
    out
}

/// The dotted keys of one section (`origin.allowed`, …).
pub(crate) fn keys_of(section: &str) -> Vec<&'static str> {
    KEYS.iter()
        .map(|(k, _)| *k)
        .filter(|k| k.split_once('.').is_some_and(|(s, _)| s == section))
        .collect()
}

/// Closest known name within edit distance 2 (or one that extends it, such as a
/// missing `_ms` suffix), for "did you mean".
pub(crate) fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| {
            (
                if k.starts_with(name) && !name.is_empty() {
                    1
                } else {
                    edit_distance(name, k)
                },
                k,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("orign", "origin"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(suggest("tokn", ["token", "host"]), Some("token"));
        assert_eq!(suggest("zzzzzz", ["token"]), None);
    }

    #[test]
    fn ranges() {
        assert_eq!(range_error("limits.max_connections", 1), None);
        assert_eq!(
            range_error("limits.max_connections", 0),
            Some((
                "0 is below the allowed range 1 to 4294967295: 0 would refuse every connection"
                    .into(),
                "write a number from 1 to 4294967295".into()
            ))
        );
        assert_eq!(
            range_error("limits.retry_after_s", 86_401).unwrap().0,
            "86401 is above the allowed range 0 to 86400: clients wait this long before they retry; more than a day looks like an outage"
        );
        assert_eq!(range_error("limits.max_message_bytes", 0), None);
        for (key, ..) in RANGES {
            assert!(KEYS.iter().any(|(k, _)| k == key), "{key}");
        }
    }

    #[test]
    fn table_is_consistent() {
        assert_eq!(
            sections(),
            [
                "origin",
                "host",
                "subprotocols",
                "token",
                "limits",
                "heartbeat"
            ]
        );
        assert_eq!(keys_of("host"), ["host.allowed"]);
        assert_eq!(
            key_of_variable("WSGUARD_TOKEN_QUERY"),
            Some("token.query_param")
        );
        // No key or variable twice.
        for (i, (k, v)) in KEYS.iter().enumerate() {
            assert!(
                KEYS[i + 1..].iter().all(|(k2, v2)| k2 != k && v2 != v),
                "{k}"
            );
            assert!(v.starts_with("WSGUARD_") && !FOREIGN.contains(v), "{v}");
        }
    }
}
