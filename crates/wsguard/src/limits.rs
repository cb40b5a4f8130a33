//! # Peer limits for servers that own sockets
//!
//! The counting side of the core's [`wsguard_core::limits`]: [`Admission`] holds the live
//! counts (connections, per client address group, upgrades in progress, bytes of partly
//! received messages) and asks the core whether one more fits; every refusal is the
//! core's [`Overload`] with its exact 503 (`Retry-After`), counted in [`Counters`] under
//! its reason code (so `/metrics` has `wsguard_refused_total{reason="too_many_connections"}`)
//! and logged at most once per interval with the number of lines left out.
//!
//! ```
//! use std::sync::Arc;
//! use wsguard::limits::Admission;
//! use wsguard_core::limits::{Overload, PeerLimits};
//! let adm = Arc::new(Admission::new(PeerLimits::DEFAULT.max_per_address(1), Arc::new(wsguard::Counters::new())));
//! let peer: std::net::IpAddr = "192.0.2.7".parse().unwrap();
//! let first = adm.try_admit(peer).unwrap();
//! assert_eq!(adm.try_admit(peer).unwrap_err(), Overload::PerAddress);
//! drop(first);
//! assert!(adm.try_admit(peer).is_ok());
//! assert_eq!(adm.counters().snapshot().refused["too_many_from_address"], 1);
//! ```

#[cfg(feature = "tokio")]
pub mod net;

use crate::guard::{Guard, Refusal};
use crate::Counters;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wsguard_core::limits::{AddressKey, Load, LogGate, Overload, PeerLimits, MAX_RESPONSE};
use wsguard_core::Diagnostic;

/// Interval of the rate-limited refusal log.
pub const LOG_INTERVAL_MS: u64 = 10_000;

/// Live counts of one server against its [`PeerLimits`] (share it with `Arc`).
pub struct Admission {
    limits: PeerLimits,
    counters: Arc<Counters>,
    connections: AtomicU32,
    upgrading: AtomicU32,
    per_address: Mutex<HashMap<AddressKey, u32>>,
    buffered: AtomicU64,
    buffered_peak: AtomicU64,
    gates: Mutex<[LogGate; Overload::ALL.len()]>,
    descriptor_pauses: AtomicU64,
    epoch: Instant,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("limits", &self.limits)
            .field("connections", &self.connections())
            .field("upgrading", &self.upgrading())
            .field("buffered", &self.buffered())
            .finish()
    }
}

impl Guard {
    /// The core's head limits this guard parses with (for [`wsguard_core::limits::HeadTracker`]).
    ///
    /// ```
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// assert_eq!(g.head_limits().max_total, 8192);
    /// ```
    pub fn head_limits(&self) -> wsguard_core::handshake::Limits {
        self.parts().with_server_config(|sc| sc.limits)
    }

    /// The core's peer limits from this guard's `[limits]` configuration (TOML keys
    /// `max_connections` … `handshake_timeout_ms`, `WSGUARD_LIMITS_*` variables).
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.limits.max_connections = 64;
    /// let g = wsguard::Guard::new(cfg).unwrap();
    /// assert_eq!(g.peer_limits().max_connections, 64);
    /// assert_eq!(g.peer_limits().max_per_address, 256);
    /// ```
    pub fn peer_limits(&self) -> PeerLimits {
        self.config().limits.peer_limits()
    }
}

/// The refusal the core writes for `overload` (503 with `Retry-After`), in the adapter's
/// [`Refusal`] shape.
///
/// ```
/// use wsguard_core::limits::Overload;
/// let r = wsguard::limits::refusal(Overload::Connections, 5);
/// assert_eq!((r.status, r.code), (503, "too_many_connections"));
/// assert!(r.response.starts_with(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"));
/// ```
pub fn refusal(overload: Overload, retry_after_s: u32) -> Refusal {
    let mut buf = [0u8; MAX_RESPONSE];
    let n = overload
        .write_response(retry_after_s, &mut buf)
        .unwrap_or(0);
    Refusal {
        status: overload.status().unwrap_or(503),
        code: overload.code(),
        reason: overload.reason(),
        remedy: overload.remedy(),
        near_miss: None,
        response: buf[..n].to_vec(),
    }
}

fn slot(o: Overload) -> usize {
    Overload::ALL.iter().position(|x| *x == o).unwrap_or(0)
}

impl Admission {
    /// Counts against `limits`, recording refusals into `counters`.
    pub fn new(limits: PeerLimits, counters: Arc<Counters>) -> Admission {
        Admission {
            limits,
            counters,
            connections: AtomicU32::new(0),
            upgrading: AtomicU32::new(0),
            per_address: Mutex::new(HashMap::new()),
            buffered: AtomicU64::new(0),
            buffered_peak: AtomicU64::new(0),
            gates: Mutex::new([LogGate::new(LOG_INTERVAL_MS); Overload::ALL.len()]),
            descriptor_pauses: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Counts against `guard`'s configured peer limits ([`Guard::peer_limits`]),
    /// recording refusals into the guard's counters.
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.limits.max_upgrading = 2;
    /// let g = wsguard::Guard::new(cfg).unwrap();
    /// let adm = wsguard::limits::Admission::for_guard(&g);
    /// assert_eq!(adm.limits().max_upgrading, 2);
    /// assert!(std::sync::Arc::ptr_eq(adm.counters(), g.counters()));
    /// ```
    pub fn for_guard(guard: &Guard) -> Admission {
        Admission::new(guard.peer_limits(), guard.counters().clone())
    }

    /// The limits.
    pub fn limits(&self) -> &PeerLimits {
        &self.limits
    }

    /// The counters refusals go to.
    pub fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }

    /// Open connections (upgrading included).
    pub fn connections(&self) -> u32 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections whose head is not answered yet.
    pub fn upgrading(&self) -> u32 {
        self.upgrading.load(Ordering::Relaxed)
    }

    /// Bytes of partly received messages held now.
    pub fn buffered(&self) -> u64 {
        self.buffered.load(Ordering::Relaxed)
    }

    /// The most bytes of partly received messages ever held at once.
    pub fn buffered_peak(&self) -> u64 {
        self.buffered_peak.load(Ordering::Relaxed)
    }

    /// Distinct address groups with an open connection.
    pub fn addresses(&self) -> usize {
        self.per_address.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Admits a new connection from `peer` (counted as upgrading until
    /// [`Permit::upgraded`]), or the core's [`Overload`] — counted and logged (gated).
    pub fn try_admit(self: &Arc<Self>, peer: IpAddr) -> Result<Permit, Overload> {
        let key = AddressKey::of(peer);
        let verdict = {
            let mut map = match self.per_address.lock() {
                Ok(m) => m,
                Err(p) => p.into_inner(),
            };
            let load = Load {
                connections: self.connections.load(Ordering::Relaxed),
                from_address: map.get(&key).copied().unwrap_or(0),
                upgrading: self.upgrading.load(Ordering::Relaxed),
            };
            let v = self.limits.admit(&load);
            if v.is_ok() {
                *map.entry(key).or_insert(0) += 1;
                self.connections.fetch_add(1, Ordering::Relaxed);
                self.upgrading.fetch_add(1, Ordering::Relaxed);
            }
            v
        };
        match verdict {
            Ok(()) => Ok(Permit {
                adm: self.clone(),
                key,
                upgrading: true,
            }),
            Err(o) => {
                self.refused(o);
                Err(o)
            }
        }
    }

    /// Counts a refusal for `overload` under its code (the caller answers or closes).
    pub fn refused(&self, overload: Overload) {
        self.counters.refused(overload.code());
    }

    /// The log line for `overload` if one may be written now (at most one per
    /// [`LOG_INTERVAL_MS`] and kind), naming the lines left out since the last one.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use wsguard_core::limits::{Overload, PeerLimits};
    /// let adm = wsguard::limits::Admission::new(PeerLimits::DEFAULT, Arc::new(wsguard::Counters::new()));
    /// assert!(adm.log_line(Overload::Connections, "203.0.113.9").unwrap().contains("too_many_connections"));
    /// assert_eq!(adm.log_line(Overload::Connections, "203.0.113.9"), None);
    /// ```
    pub fn log_line(&self, overload: Overload, peer: &str) -> Option<String> {
        let now = self.epoch.elapsed().as_millis() as u64;
        let left_out = {
            let mut gates = match self.gates.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            gates[slot(overload)].allow(now)?
        };
        let status = overload.status().map_or_else(
            || format!("close {}", overload.close_code()),
            |s| s.to_string(),
        );
        let more = if left_out > 0 {
            format!(" ({left_out} more since the last line)")
        } else {
            String::new()
        };
        Some(format!(
            "{peer} → {status} {}: {}{more}; at most one line per {} s",
            overload.code(),
            overload.reason(),
            std::time::Duration::from_millis(LOG_INTERVAL_MS).as_secs()
        ))
    }

    /// Counts one pause of the accept loop for lack of file descriptors.
    pub fn descriptor_pause(&self) {
        self.descriptor_pauses.fetch_add(1, Ordering::Relaxed);
    }

    /// Pauses of the accept loop for lack of file descriptors (`EMFILE`/`ENFILE`).
    pub fn descriptor_pauses(&self) -> u64 {
        self.descriptor_pauses.load(Ordering::Relaxed)
    }

    /// Reserves `bytes` of the shared message budget for a partly received message.
    pub fn reserve(&self, bytes: u64) -> Result<(), Overload> {
        let mut cur = self.buffered.load(Ordering::Relaxed);
        loop {
            self.limits.may_buffer(cur, bytes)?;
            match self.buffered.compare_exchange_weak(
                cur,
                cur + bytes,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    self.buffered_peak.fetch_max(cur + bytes, Ordering::Relaxed);
                    return Ok(());
                }
                Err(now) => cur = now,
            }
        }
    }

    /// Gives back `bytes` reserved with [`Admission::reserve`].
    pub fn release(&self, bytes: u64) {
        let _ = self
            .buffered
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |c| {
                Some(c.saturating_sub(bytes))
            });
    }

    /// Prometheus gauges of the live counts (appended to `/metrics`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// let adm = wsguard::limits::Admission::new(Default::default(), Arc::new(wsguard::Counters::new()));
    /// assert!(adm.to_prometheus().contains("\nwsguard_limit_connections 10000\n"));
    /// ```
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let l = &self.limits;
        let rows: [(&str, &str, u64); 9] = [
            (
                "wsguard_accept_paused_total",
                "Pauses of the accept loop for lack of file descriptors (EMFILE/ENFILE).",
                self.descriptor_pauses(),
            ),
            (
                "wsguard_upgrading",
                "Connections whose request head is not answered yet.",
                u64::from(self.upgrading()),
            ),
            (
                "wsguard_client_address_groups",
                "Client address groups (IPv4 /32, IPv6 /64) with an open connection.",
                self.addresses() as u64,
            ),
            (
                "wsguard_partial_message_bytes",
                "Bytes of partly received messages held now.",
                self.buffered(),
            ),
            (
                "wsguard_partial_message_bytes_peak",
                "Most bytes of partly received messages held at once.",
                self.buffered_peak(),
            ),
            (
                "wsguard_limit_connections",
                "Limit: open connections.",
                u64::from(l.max_connections),
            ),
            (
                "wsguard_limit_per_address",
                "Limit: open connections per address group.",
                u64::from(l.max_per_address),
            ),
            (
                "wsguard_limit_upgrading",
                "Limit: upgrades in progress.",
                u64::from(l.max_upgrading),
            ),
            (
                "wsguard_limit_message_budget_bytes",
                "Limit: bytes of partly received messages.",
                l.message_budget,
            ),
        ];
        for (name, help, v) in rows {
            out += &format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n");
        }
        out
    }
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
pub struct Permit {
    adm: Arc<Admission>,
    key: AddressKey,
    upgrading: bool,
}

impl Permit {
    /// The head was answered: the connection no longer counts as upgrading.
    pub fn upgraded(&mut self) {
        if std::mem::take(&mut self.upgrading) {
            self.adm.upgrading.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// The address group this connection counts in.
    pub fn address(&self) -> AddressKey {
        self.key
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.upgraded();
        self.adm.connections.fetch_sub(1, Ordering::Relaxed);
        let mut map = match self.adm.per_address.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Bytes one connection holds of the shared message budget; given back on drop.
///
/// ```
/// # use std::sync::Arc;
/// use wsguard_core::limits::{Overload, PeerLimits};
/// let adm = Arc::new(wsguard::limits::Admission::new(PeerLimits::DEFAULT.message_budget(10), Arc::new(wsguard::Counters::new())));
/// let mut a = wsguard::limits::Held::new(adm.clone());
/// a.grow(8).unwrap();
/// assert_eq!(wsguard::limits::Held::new(adm.clone()).grow(3), Err(Overload::MessageBudget));
/// a.clear();
/// assert_eq!(adm.buffered(), 0);
/// ```
#[derive(Debug)]
pub struct Held {
    adm: Arc<Admission>,
    bytes: u64,
}

impl Held {
    /// Nothing held yet.
    pub fn new(adm: Arc<Admission>) -> Held {
        Held { adm, bytes: 0 }
    }

    /// Reserves `more` bytes.
    pub fn grow(&mut self, more: u64) -> Result<(), Overload> {
        self.adm.reserve(more)?;
        self.bytes += more;
        Ok(())
    }

    /// Gives everything back (the message was completed or dropped).
    pub fn clear(&mut self) {
        self.adm.release(std::mem::take(&mut self.bytes));
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The admission the bytes are reserved from.
    pub fn admission(&self) -> &Arc<Admission> {
        &self.adm
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_back() {
        let adm = Arc::new(Admission::new(
            PeerLimits::DEFAULT.max_connections(3).max_upgrading(2),
            Arc::new(Counters::new()),
        ));
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        let mut p1 = adm.try_admit(a).unwrap();
        let _p2 = adm.try_admit(b).unwrap();
        assert_eq!(adm.addresses(), 1); // one /64
        assert_eq!(adm.try_admit(a).unwrap_err(), Overload::Upgrades);
        p1.upgraded();
        let p3 = adm.try_admit(a).unwrap();
        assert_eq!(adm.try_admit(a).unwrap_err(), Overload::Connections);
        drop((p1, p3));
        assert_eq!((adm.connections(), adm.upgrading()), (1, 1));
        let snap = adm.counters().snapshot();
        assert_eq!(snap.refused["too_many_upgrades"], 1);
        assert_eq!(snap.refused["too_many_connections"], 1);
    }
}
