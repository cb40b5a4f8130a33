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
    ("heartbeat.ping_interval_ms", "WSGUARD_PING_INTERVAL_MS"),
    ("heartbeat.pong_timeout_ms", "WSGUARD_PONG_TIMEOUT_MS"),
    ("heartbeat.max_missed", "WSGUARD_MAX_MISSED"),
];

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
