//! # Counters: accepted, refused by reason, closes by code and category, heartbeat timeouts
//!
//! Recording is lock-free: plain atomics plus fixed-size tables whose slots are claimed
//! once (compare-and-swap for close codes, `OnceLock` for the `'static` reason codes) and
//! then only incremented. Rendering ([`Counters::to_prometheus`], [`Counters::to_json`])
//! takes a [`CountersSnapshot`].
//!
//! One crate for every server that exports these metrics — `wsguard serve`, the std
//! guard (`wsguard::Counters` is this type) and the Python guard (`wsguard.asgi`) — so
//! the names, labels and text format the Prometheus rules and the Grafana dashboard in
//! `ops/` read are the same everywhere by construction. [`gauge`] writes the extra
//! gauges a server adds (open connections, uptime) in the same format.
//!
//! ```
//! let c = wsguard_metrics::Counters::new();
//! c.accepted();
//! c.refused("origin_not_allowed");
//! c.closed(1000);
//! assert_eq!(c.snapshot().accepted, 1);
//! assert!(c.to_prometheus().contains("wsguard_refused_total{reason=\"origin_not_allowed\"} 1"));
//! ```

#![forbid(unsafe_code)]

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;
use wsguard_core::close::CONVENTIONS;

/// Number of distinct reason codes / categories kept apart; more go to `"other"`.
const NAMED_SLOTS: usize = 64;
/// Number of distinct close codes kept apart; more go to code 0 ("other").
const CODE_SLOTS: usize = 256;

/// Label used when a table is full.
pub const OVERFLOW_LABEL: &str = "other";

struct NamedTable {
    names: [OnceLock<&'static str>; NAMED_SLOTS],
    counts: [AtomicU64; NAMED_SLOTS],
    overflow: AtomicU64,
}

impl NamedTable {
    fn new() -> Self {
        NamedTable {
            names: std::array::from_fn(|_| OnceLock::new()),
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            overflow: AtomicU64::new(0),
        }
    }

    fn add(&self, name: &'static str) {
        for (slot, count) in self.names.iter().zip(&self.counts) {
            // Claim the first empty slot, or find ours. `get_or_init` returns the winner.
            let owner = *slot.get_or_init(|| name);
            if owner == name {
                count.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        self.overflow.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (slot, count) in self.names.iter().zip(&self.counts) {
            if let Some(name) = slot.get() {
                *out.entry((*name).to_string()).or_insert(0) += count.load(Ordering::Relaxed);
            }
        }
        let o = self.overflow.load(Ordering::Relaxed);
        if o > 0 {
            *out.entry(OVERFLOW_LABEL.to_string()).or_insert(0) += o;
        }
        out
    }
}

/// The codes that always have their own slot, whatever a flood of other codes did to the
/// table: every code the core names (IANA-registered, or a convention such as 4401/4403).
fn reserved_codes() -> Vec<u16> {
    (0..=u16::MAX)
        .filter(|&c| {
            matches!(
                wsguard_core::close::classify(c).registration(),
                wsguard_core::close::Registration::Iana
                    | wsguard_core::close::Registration::Convention
            )
        })
        .collect()
}

struct CodeTable {
    /// The codes of [`reserved_codes`] (sorted) and their fixed slots.
    reserved_keys: Vec<u16>,
    reserved: Vec<AtomicU64>,
    /// 0: empty; otherwise code + 1.
    keys: [AtomicU32; CODE_SLOTS],
    counts: [AtomicU64; CODE_SLOTS],
    overflow: AtomicU64,
}

impl CodeTable {
    fn new() -> Self {
        let reserved_keys = reserved_codes();
        CodeTable {
            reserved: reserved_keys.iter().map(|_| AtomicU64::new(0)).collect(),
            reserved_keys,
            keys: std::array::from_fn(|_| AtomicU32::new(0)),
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            overflow: AtomicU64::new(0),
        }
    }

    fn add(&self, code: u16) {
        if let Ok(i) = self.reserved_keys.binary_search(&code) {
            self.reserved[i].fetch_add(1, Ordering::Relaxed);
            return;
        }
        let key = u32::from(code) + 1;
        let start = usize::from(code) % CODE_SLOTS;
        for probe in 0..CODE_SLOTS {
            let i = (start + probe) % CODE_SLOTS;
            let k = &self.keys[i];
            let cur = match k.compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => key,
                Err(existing) => existing,
            };
            if cur == key {
                self.counts[i].fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        self.overflow.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> BTreeMap<u16, u64> {
        let mut out = BTreeMap::new();
        for (i, c) in self.reserved.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            if n > 0 {
                out.insert(self.reserved_keys[i], n);
            }
        }
        for (k, c) in self.keys.iter().zip(&self.counts) {
            let k = k.load(Ordering::Acquire);
            if k != 0 {
                out.insert((k - 1) as u16, c.load(Ordering::Relaxed));
            }
        }
        out
    }
}

/// Live counters of one guard (share it with `Arc`; every method takes `&self`).
pub struct Counters {
    accepted: AtomicU64,
    refused: NamedTable,
    close_codes: CodeTable,
    close_categories: NamedTable,
    heartbeat_timeouts: AtomicU64,
}

impl std::fmt::Debug for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Counters").field(&self.snapshot()).finish()
    }
}

impl Default for Counters {
    fn default() -> Self {
        Self::new()
    }
}

/// A point-in-time copy of the counters (serialises to the JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CountersSnapshot {
    /// Handshakes accepted.
    pub accepted: u64,
    /// Handshakes refused, by the core's reason code.
    pub refused: BTreeMap<String, u64>,
    /// Sum of `refused`.
    pub refused_total: u64,
    /// Closes by close code (the code `0` is used for closes without a code).
    pub closes_by_code: BTreeMap<u16, u64>,
    /// Closes whose code found no free slot (more than 256 distinct unreserved codes):
    /// still counted here and in `closes_by_category`, never lost.
    pub closes_code_overflow: u64,
    /// Closes by the core's close category.
    pub closes_by_category: BTreeMap<String, u64>,
    /// Peers declared dead by the heartbeat.
    pub heartbeat_timeouts: u64,
}

impl Counters {
    /// All zero.
    ///
    /// ```
    /// assert_eq!(wsguard_metrics::Counters::new().snapshot(), wsguard_metrics::CountersSnapshot::default());
    /// ```
    pub fn new() -> Self {
        Counters {
            accepted: AtomicU64::new(0),
            refused: NamedTable::new(),
            close_codes: CodeTable::new(),
            close_categories: NamedTable::new(),
            heartbeat_timeouts: AtomicU64::new(0),
        }
    }

    /// Counts one accepted handshake.
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new(); c.accepted(); assert_eq!(c.snapshot().accepted, 1);
    /// ```
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one refused handshake under the core's reason `code`.
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new(); c.refused("token_missing");
    /// assert_eq!(c.snapshot().refused["token_missing"], 1);
    /// ```
    pub fn refused(&self, code: &'static str) {
        self.refused.add(code);
    }

    /// Counts one close by `code` (use 0 for a close without code) and by the core's
    /// category of that code.
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new(); c.closed(4401);
    /// assert_eq!(c.snapshot().closes_by_code[&4401], 1);
    /// ```
    pub fn closed(&self, code: u16) {
        self.close_codes.add(code);
        self.close_categories
            .add(CONVENTIONS.classify(code).category().code());
    }

    /// Counts one peer declared dead by the heartbeat.
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new(); c.heartbeat_timeout();
    /// assert_eq!(c.snapshot().heartbeat_timeouts, 1);
    /// ```
    pub fn heartbeat_timeout(&self) {
        self.heartbeat_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// A consistent-enough copy (each counter read once, relaxed).
    ///
    /// ```
    /// let s = wsguard_metrics::Counters::new().snapshot(); assert_eq!(s.refused_total, 0);
    /// ```
    pub fn snapshot(&self) -> CountersSnapshot {
        let refused = self.refused.snapshot();
        CountersSnapshot {
            accepted: self.accepted.load(Ordering::Relaxed),
            refused_total: refused.values().sum(),
            refused,
            closes_by_code: self.close_codes.snapshot(),
            closes_code_overflow: self.close_codes.overflow.load(Ordering::Relaxed),
            closes_by_category: self.close_categories.snapshot(),
            heartbeat_timeouts: self.heartbeat_timeouts.load(Ordering::Relaxed),
        }
    }

    /// Prometheus text exposition format (version 0.0.4).
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new(); c.accepted();
    /// assert!(c.to_prometheus().contains("\nwsguard_accepted_total 1\n"));
    /// ```
    pub fn to_prometheus(&self) -> String {
        self.snapshot().to_prometheus()
    }

    /// JSON of [`CountersSnapshot`].
    ///
    /// ```
    /// let c = wsguard_metrics::Counters::new();
    /// assert!(c.to_json().starts_with("{\"accepted\":0"));
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.snapshot()).unwrap_or_else(|_| "{}".into())
    }
}

/// Appends one metric family with a single sample, as `wsguard serve` writes its gauges:
/// `# HELP`, `# TYPE` (`kind`: `gauge` or `counter`) and `name value`.
///
/// ```
/// let mut out = String::new();
/// wsguard_metrics::gauge(&mut out, "wsguard_connections_active", "gauge", "Open WebSocket connections.", 3.0);
/// assert_eq!(out, "# HELP wsguard_connections_active Open WebSocket connections.\n# TYPE wsguard_connections_active gauge\nwsguard_connections_active 3\n");
/// ```
pub fn gauge(out: &mut String, name: &str, kind: &str, help: &str, value: f64) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
    );
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl CountersSnapshot {
    /// Prometheus text exposition format.
    ///
    /// ```
    /// let s = wsguard_metrics::CountersSnapshot::default();
    /// assert!(s.to_prometheus().starts_with("# HELP wsguard_accepted_total"));
    /// ```
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let head = |out: &mut String, name: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        };
        head(
            &mut out,
            "wsguard_accepted_total",
            "WebSocket handshakes accepted.",
        );
        let _ = writeln!(out, "wsguard_accepted_total {}", self.accepted);
        head(
            &mut out,
            "wsguard_refused_total",
            "WebSocket handshakes refused, by reason code.",
        );
        for (reason, n) in &self.refused {
            let _ = writeln!(
                out,
                "wsguard_refused_total{{reason=\"{}\"}} {n}",
                escape_label(reason)
            );
        }
        head(
            &mut out,
            "wsguard_closes_total",
            "Connections closed, by close code.",
        );
        for (code, n) in &self.closes_by_code {
            let _ = writeln!(out, "wsguard_closes_total{{code=\"{code}\"}} {n}");
        }
        if self.closes_code_overflow > 0 {
            let _ = writeln!(
                out,
                "wsguard_closes_total{{code=\"{OVERFLOW_LABEL}\"}} {}",
                self.closes_code_overflow
            );
        }
        head(
            &mut out,
            "wsguard_close_codes_overflow_total",
            "Closes counted under code=\"other\" because the code table was full.",
        );
        let _ = writeln!(
            out,
            "wsguard_close_codes_overflow_total {}",
            self.closes_code_overflow
        );
        head(
            &mut out,
            "wsguard_closes_by_category_total",
            "Connections closed, by close-code category.",
        );
        for (cat, n) in &self.closes_by_category {
            let _ = writeln!(
                out,
                "wsguard_closes_by_category_total{{category=\"{}\"}} {n}",
                escape_label(cat)
            );
        }
        head(
            &mut out,
            "wsguard_heartbeat_timeouts_total",
            "Peers declared dead because no pong arrived in time.",
        );
        let _ = writeln!(
            out,
            "wsguard_heartbeat_timeouts_total {}",
            self.heartbeat_timeouts
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_recording_is_exact() {
        let c = Arc::new(Counters::new());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for i in 0..1000u32 {
                        c.accepted();
                        c.refused(if i % 2 == 0 {
                            "origin_not_allowed"
                        } else {
                            "token_missing"
                        });
                        c.closed(if t % 2 == 0 { 1000 } else { 4401 });
                    }
                    c.heartbeat_timeout();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let s = c.snapshot();
        assert_eq!(s.accepted, 4000);
        assert_eq!(s.refused["origin_not_allowed"], 2000);
        assert_eq!(s.refused["token_missing"], 2000);
        assert_eq!(s.refused_total, 4000);
        assert_eq!(s.closes_by_code[&1000], 2000);
        assert_eq!(s.closes_by_code[&4401], 2000);
        assert_eq!(s.closes_by_category.values().sum::<u64>(), 4000);
        assert_eq!(s.heartbeat_timeouts, 4);
    }

    #[test]
    fn overflow_goes_to_other() {
        let c = Counters::new();
        let names: Vec<&'static str> = (0..NAMED_SLOTS + 3)
            .map(|i| &*Box::leak(format!("r{i}").into_boxed_str()))
            .collect();
        for n in &names {
            c.refused(n);
        }
        let s = c.snapshot();
        assert_eq!(s.refused[OVERFLOW_LABEL], 3);
        assert_eq!(s.refused_total, (NAMED_SLOTS + 3) as u64);
        for code in 0..=(CODE_SLOTS as u16 + 9) {
            c.closed(code);
        }
        let s = c.snapshot();
        assert_eq!(s.closes_by_code.len(), CODE_SLOTS);
        assert_eq!(s.closes_code_overflow, 10);
    }

    /// The issue's flood: 300 distinct peer codes, then 1001 and 4001 closes. 1001 keeps
    /// its own slot; 4001 is counted under "other" and its category; the overflow is
    /// exported; every close is in the sum.
    #[test]
    fn flood_of_codes_loses_nothing() {
        let c = Counters::new();
        for code in 4100..4400u16 {
            c.closed(code);
        }
        c.closed(1001);
        c.closed(1001);
        c.closed(4001);
        c.closed(3003);
        let s = c.snapshot();
        assert_eq!(s.closes_by_code[&1001], 2);
        assert_eq!(s.closes_by_code[&3003], 1);
        assert_eq!(s.closes_by_code.get(&4001), None);
        assert_eq!(s.closes_code_overflow, 300 - CODE_SLOTS as u64 + 1);
        let total: u64 = s.closes_by_code.values().sum::<u64>() + s.closes_code_overflow;
        assert_eq!(total, 304);
        assert_eq!(s.closes_by_category.values().sum::<u64>(), 304);
        let p = s.to_prometheus();
        assert!(p.contains("wsguard_closes_total{code=\"1001\"} 2\n"), "{p}");
        assert!(
            p.contains("wsguard_closes_total{code=\"other\"} 45\n"),
            "{p}"
        );
        assert!(
            p.contains("\nwsguard_close_codes_overflow_total 45\n"),
            "{p}"
        );
    }

    #[test]
    fn prometheus_and_json_exact() {
        let c = Counters::new();
        c.accepted();
        c.accepted();
        c.refused("origin_not_allowed");
        c.heartbeat_timeout();
        let p = c.to_prometheus();
        assert!(
            p.contains("# TYPE wsguard_accepted_total counter\nwsguard_accepted_total 2\n"),
            "{p}"
        );
        assert!(
            p.contains("wsguard_refused_total{reason=\"origin_not_allowed\"} 1\n"),
            "{p}"
        );
        assert!(p.ends_with("wsguard_heartbeat_timeouts_total 1\n"), "{p}");
        assert_eq!(
            c.to_json(),
            "{\"accepted\":2,\"refused\":{\"origin_not_allowed\":1},\"refused_total\":1,\"closes_by_code\":{},\"closes_code_overflow\":0,\"closes_by_category\":{},\"heartbeat_timeouts\":1}"
        );
        assert_eq!(escape_label("a\"b\\c"), "a\\\"b\\\\c");
    }
}
