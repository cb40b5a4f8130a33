//! # Limits on peers: how many, from where, how much memory, how slow
//!
//! The rules every tier that owns sockets applies (`wsguard serve`, the tokio guard, the
//! C gateway): the counts live in the caller (atomics, a map per address), the decision
//! and the refusal live here, so every tier refuses the same peer with the same code.
//!
//! | limit | over it |
//! |---|---|
//! | [`PeerLimits::max_connections`] (open, upgrading included) | 503 `too_many_connections` |
//! | [`PeerLimits::max_per_address`] (one [`AddressKey`]: IPv4 /32, IPv6 /64) | 503 `too_many_from_address` |
//! | [`PeerLimits::max_upgrading`] (heads not yet answered) | 503 `too_many_upgrades` |
//! | [`PeerLimits::message_budget`] (bytes of partly received messages, all connections) | close 1013 `message_budget_exhausted` |
//! | [`PeerLimits::max_queued_output`] / [`PeerLimits::write_timeout_ms`] (a peer that does not read) | connection dropped, `output_queue_full` / `write_timeout` |
//!
//! A 503 carries `Retry-After` ([`Overload::write_response`]); when even that cannot be
//! afforded (the socket does not take the bytes at once), the caller closes TCP.
//! [`LogGate`] rate-limits the log line of a refusal; [`HeadTracker`] lets a server wait
//! for a complete request head without re-parsing it from byte 0 on every read;
//! [`MessageMeter`] tells a server whose WebSocket library reassembles messages itself
//! how much of an unfinished message a connection holds (for the shared budget).
//!
//! ```
//! use wsguard_core::limits::{Load, Overload, PeerLimits};
//! let limits = PeerLimits::DEFAULT.max_connections(2);
//! let load = Load { connections: 2, from_address: 1, upgrading: 0 };
//! assert_eq!(limits.admit(&load), Err(Overload::Connections));
//! assert_eq!(Overload::Connections.status(), Some(503));
//! ```

mod address;
mod head;
mod log_gate;
mod meter;

pub use address::AddressKey;
pub use head::{HeadStep, HeadTracker};
pub use log_gate::LogGate;
pub use meter::MessageMeter;

use crate::close;
use crate::{BufferTooSmall, Cursor};

/// Limits on peers, shared by every connection of one server.
///
/// `0` in a count or a budget means "no limit" is never used: every limit is a number.
///
/// ```
/// use wsguard_core::limits::PeerLimits;
/// let l = PeerLimits::DEFAULT.max_per_address(8).message_budget(1 << 20);
/// assert_eq!((l.max_per_address, l.message_budget), (8, 1 << 20));
/// assert_eq!(PeerLimits::DEFAULT.max_connections, 10_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PeerLimits {
    /// Open connections, upgrades in progress included (default 10,000).
    pub max_connections: u32,
    /// Open connections from one [`AddressKey`] (default 256).
    pub max_per_address: u32,
    /// Connections whose request head is not answered yet (default 1,024).
    pub max_upgrading: u32,
    /// Bytes of partly received messages across all connections (default 64 MiB).
    pub message_budget: u64,
    /// Output queued for one peer after which it is dropped (default 1 MiB).
    pub max_queued_output: u64,
    /// How long one write may stay pending before the peer is dropped (default 30 s).
    pub write_timeout_ms: u64,
    /// `Retry-After` of a 503, in seconds (default 5).
    pub retry_after_s: u32,
    /// Time allowed for the request head to arrive (default 10 s).
    pub handshake_timeout_ms: u64,
}

impl PeerLimits {
    /// The defaults listed on each field.
    pub const DEFAULT: PeerLimits = PeerLimits {
        max_connections: 10_000,
        max_per_address: 256,
        max_upgrading: 1_024,
        message_budget: 64 << 20,
        max_queued_output: 1 << 20,
        write_timeout_ms: 30_000,
        retry_after_s: 5,
        handshake_timeout_ms: 10_000,
    };

    /// Sets [`PeerLimits::max_connections`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.max_connections(5).max_connections, 5);
    /// ```
    pub const fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n;
        self
    }

    /// Sets [`PeerLimits::max_per_address`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.max_per_address(5).max_per_address, 5);
    /// ```
    pub const fn max_per_address(mut self, n: u32) -> Self {
        self.max_per_address = n;
        self
    }

    /// Sets [`PeerLimits::max_upgrading`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.max_upgrading(5).max_upgrading, 5);
    /// ```
    pub const fn max_upgrading(mut self, n: u32) -> Self {
        self.max_upgrading = n;
        self
    }

    /// Sets [`PeerLimits::message_budget`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.message_budget(5).message_budget, 5);
    /// ```
    pub const fn message_budget(mut self, bytes: u64) -> Self {
        self.message_budget = bytes;
        self
    }

    /// Sets [`PeerLimits::max_queued_output`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.max_queued_output(5).max_queued_output, 5);
    /// ```
    pub const fn max_queued_output(mut self, bytes: u64) -> Self {
        self.max_queued_output = bytes;
        self
    }

    /// Sets [`PeerLimits::write_timeout_ms`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.write_timeout_ms(5).write_timeout_ms, 5);
    /// ```
    pub const fn write_timeout_ms(mut self, ms: u64) -> Self {
        self.write_timeout_ms = ms;
        self
    }

    /// Sets [`PeerLimits::retry_after_s`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.retry_after_s(9).retry_after_s, 9);
    /// ```
    pub const fn retry_after_s(mut self, s: u32) -> Self {
        self.retry_after_s = s;
        self
    }

    /// Sets [`PeerLimits::handshake_timeout_ms`].
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.handshake_timeout_ms(5).handshake_timeout_ms, 5);
    /// ```
    pub const fn handshake_timeout_ms(mut self, ms: u64) -> Self {
        self.handshake_timeout_ms = ms;
        self
    }

    /// May one more connection be opened, given the current `load` (counts *before* this
    /// connection)? The first limit broken, in the order total, address, upgrades.
    ///
    /// ```
    /// use wsguard_core::limits::{Load, Overload, PeerLimits};
    /// let l = PeerLimits::DEFAULT.max_per_address(2);
    /// assert!(l.admit(&Load { connections: 0, from_address: 1, upgrading: 0 }).is_ok());
    /// assert_eq!(l.admit(&Load { connections: 9, from_address: 2, upgrading: 0 }), Err(Overload::PerAddress));
    /// ```
    pub const fn admit(&self, load: &Load) -> Result<(), Overload> {
        if load.connections >= self.max_connections {
            Err(Overload::Connections)
        } else if load.from_address >= self.max_per_address {
            Err(Overload::PerAddress)
        } else if load.upgrading >= self.max_upgrading {
            Err(Overload::Upgrades)
        } else {
            Ok(())
        }
    }

    /// May `more` bytes of a partly received message be buffered when `in_use` bytes
    /// already are (across all connections)?
    ///
    /// ```
    /// use wsguard_core::limits::{Overload, PeerLimits};
    /// let l = PeerLimits::DEFAULT.message_budget(100);
    /// assert!(l.may_buffer(60, 40).is_ok());
    /// assert_eq!(l.may_buffer(60, 41), Err(Overload::MessageBudget));
    /// ```
    pub const fn may_buffer(&self, in_use: u64, more: u64) -> Result<(), Overload> {
        if in_use.saturating_add(more) > self.message_budget {
            Err(Overload::MessageBudget)
        } else {
            Ok(())
        }
    }

    /// May `queued` bytes wait for a peer to read them?
    ///
    /// ```
    /// use wsguard_core::limits::{Overload, PeerLimits};
    /// let l = PeerLimits::DEFAULT.max_queued_output(10);
    /// assert!(l.may_queue(10).is_ok());
    /// assert_eq!(l.may_queue(11), Err(Overload::OutputQueue));
    /// ```
    pub const fn may_queue(&self, queued: u64) -> Result<(), Overload> {
        if queued > self.max_queued_output {
            Err(Overload::OutputQueue)
        } else {
            Ok(())
        }
    }

    /// Has a write pending since `since_ms` run out of time at `now_ms`?
    ///
    /// ```
    /// use wsguard_core::limits::{Overload, PeerLimits};
    /// let l = PeerLimits::DEFAULT.write_timeout_ms(1000);
    /// assert!(l.check_write(500, 1500).is_ok());
    /// assert_eq!(l.check_write(500, 1501), Err(Overload::WriteTimeout));
    /// ```
    pub const fn check_write(&self, since_ms: u64, now_ms: u64) -> Result<(), Overload> {
        if now_ms.saturating_sub(since_ms) > self.write_timeout_ms {
            Err(Overload::WriteTimeout)
        } else {
            Ok(())
        }
    }

    /// When a write pending since `since_ms` times out (caller time, ms).
    ///
    /// ```
    /// # use wsguard_core::limits::PeerLimits;
    /// assert_eq!(PeerLimits::DEFAULT.write_timeout_ms(1000).write_deadline(5), 1006);
    /// ```
    pub const fn write_deadline(&self, since_ms: u64) -> u64 {
        since_ms
            .saturating_add(self.write_timeout_ms)
            .saturating_add(1)
    }
}

impl Default for PeerLimits {
    fn default() -> Self {
        PeerLimits::DEFAULT
    }
}

/// The counts a server holds when a new connection arrives (before counting it).
///
/// ```
/// let load = wsguard_core::limits::Load::default();
/// assert_eq!(load.connections, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Load {
    /// Open connections (upgrading included).
    pub connections: u32,
    /// Open connections from the newcomer's [`AddressKey`].
    pub from_address: u32,
    /// Connections whose head is not answered yet.
    pub upgrading: u32,
}

/// A limit that was reached.
///
/// ```
/// use wsguard_core::{limits::Overload, Diagnostic};
/// assert_eq!(Overload::PerAddress.code(), "too_many_from_address");
/// assert_eq!(Overload::MessageBudget.close_code(), 1013);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Overload {
    /// [`PeerLimits::max_connections`].
    Connections,
    /// [`PeerLimits::max_per_address`].
    PerAddress,
    /// [`PeerLimits::max_upgrading`].
    Upgrades,
    /// [`PeerLimits::message_budget`].
    MessageBudget,
    /// [`PeerLimits::max_queued_output`].
    OutputQueue,
    /// [`PeerLimits::write_timeout_ms`].
    WriteTimeout,
    /// The process is out of file descriptors (`EMFILE`/`ENFILE`): accepting pauses.
    Descriptors,
}

/// 1013 Try Again Later (RFC 6455 §7.4.1 registry): the server is overloaded.
pub const TRY_AGAIN_LATER: u16 = 1013;

/// Room [`Overload::write_response`] needs for any overload and any `Retry-After`.
///
/// ```
/// use wsguard_core::limits::{Overload, MAX_RESPONSE};
/// let mut out = [0u8; MAX_RESPONSE];
/// for o in Overload::ALL { assert!(o.write_response(u32::MAX, &mut out).is_ok()); }
/// ```
pub const MAX_RESPONSE: usize = 512;

impl Overload {
    /// Writes the exact refusal: `503 Service Unavailable` with `Retry-After`, and the
    /// body `<code>: <reason>` / `fix: <remedy>` every wsguard refusal carries.
    /// [`MAX_RESPONSE`] bytes always suffice; nothing is promised in `out` on error.
    ///
    /// ```
    /// use wsguard_core::limits::Overload;
    /// let mut out = [0u8; 512];
    /// let n = Overload::Connections.write_response(5, &mut out).unwrap();
    /// let text = core::str::from_utf8(&out[..n]).unwrap();
    /// assert!(text.starts_with("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"));
    /// assert!(text.contains("\r\n\r\ntoo_many_connections: "));
    /// ```
    pub fn write_response(
        &self,
        retry_after_s: u32,
        out: &mut [u8],
    ) -> Result<usize, BufferTooSmall> {
        let mut digits = [0u8; 10];
        let mut d = Cursor::new(&mut digits);
        let _ = d.put_u64(u64::from(retry_after_s));
        let n = d.finish().unwrap_or(0);
        let retry = core::str::from_utf8(digits.get(..n).unwrap_or(&[])).unwrap_or("1");
        crate::handshake::write_refusal(503, [("Retry-After", retry)], self, out)
    }
}

crate::diag::diagnostics! {
    Overload in "wsguard_core::limits" display {
        /// The HTTP status when the limit is met at the upgrade (503), `None` for the limits
        /// met on an open connection.
        ///
        /// ```
        /// use wsguard_core::limits::Overload;
        /// assert_eq!(Overload::Upgrades.status(), Some(503));
        /// assert_eq!(Overload::WriteTimeout.status(), None);
        /// ```
        pub fn status(&self) -> Option<u16>;
        /// The close code recorded (and sent, when the peer still reads) when the limit ends
        /// an open connection: 1013 for the shared budget, 1008 for a peer that does not read.
        ///
        /// ```
        /// use wsguard_core::limits::Overload;
        /// assert_eq!(Overload::OutputQueue.close_code(), 1008);
        /// assert_eq!(Overload::Connections.close_code(), 1013);
        /// ```
        pub fn close_code(&self) -> u16;
    }
    Connections => {
        code: "too_many_connections",
        reason: "the server holds as many connections as it allows",
        remedy: RETRY_LATER,
        status: Some(503),
        close_code: TRY_AGAIN_LATER,
    },
    PerAddress => {
        code: "too_many_from_address",
        reason: "your address holds as many connections as one address may",
        remedy: "reuse one connection per client instead of opening many; behind NAT or a proxy, raise max_per_address",
        status: Some(503),
        close_code: TRY_AGAIN_LATER,
    },
    Upgrades => {
        code: "too_many_upgrades",
        reason: "too many upgrade requests are being received at once",
        remedy: RETRY_LATER,
        status: Some(503),
        close_code: TRY_AGAIN_LATER,
    },
    MessageBudget => {
        code: "message_budget_exhausted",
        reason: "the server's memory for partly received messages is used up",
        remedy: "send large messages in smaller pieces and retry later; operators: raise message_budget",
        status: None,
        close_code: TRY_AGAIN_LATER,
    },
    OutputQueue => {
        code: "output_queue_full",
        reason: "the peer does not read what the server sends",
        remedy: READ_CONTINUOUSLY,
        status: None,
        close_code: close::POLICY_VIOLATION,
    },
    WriteTimeout => {
        code: "write_timeout",
        reason: "a write to the peer did not finish in time",
        remedy: READ_CONTINUOUSLY,
        status: None,
        close_code: close::POLICY_VIOLATION,
    },
    Descriptors => {
        code: "out_of_descriptors",
        reason: "the server process is out of file descriptors",
        remedy: RETRY_LATER,
        status: Some(503),
        close_code: TRY_AGAIN_LATER,
    },
}

const RETRY_LATER: &str =
    "retry after the Retry-After delay with backoff; operators: raise the limit or add capacity";
const READ_CONTINUOUSLY: &str =
    "read from the socket continuously (a client that stops reading is dropped)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Diagnostic;

    #[test]
    fn response_exact_and_too_small() {
        let mut out = [0u8; MAX_RESPONSE];
        let n = Overload::PerAddress.write_response(7, &mut out).unwrap();
        let text = core::str::from_utf8(&out[..n]).unwrap();
        let body = "too_many_from_address: your address holds as many connections as one address may\nfix: reuse one connection per client instead of opening many; behind NAT or a proxy, raise max_per_address\n";
        let expected = std::format!(
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nX-Wsguard-Code: too_many_from_address\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            body
        );
        assert_eq!(text, expected);
        for short in 0..n {
            let mut small = std::vec![0xA5u8; short];
            assert_eq!(
                Overload::PerAddress.write_response(7, &mut small),
                Err(BufferTooSmall { needed: n })
            );
        }
    }

    #[test]
    fn admit_order_and_edges() {
        let l = PeerLimits::DEFAULT
            .max_connections(10)
            .max_per_address(3)
            .max_upgrading(2);
        let ok = Load {
            connections: 9,
            from_address: 2,
            upgrading: 1,
        };
        assert_eq!(l.admit(&ok), Ok(()));
        assert_eq!(
            l.admit(&Load {
                connections: 10,
                ..ok
            }),
            Err(Overload::Connections)
        );
        assert_eq!(
            l.admit(&Load {
                from_address: 3,
                ..ok
            }),
            Err(Overload::PerAddress)
        );
        assert_eq!(
            l.admit(&Load { upgrading: 2, ..ok }),
            Err(Overload::Upgrades)
        );
        assert_eq!(
            l.admit(&Load {
                connections: 10,
                from_address: 3,
                upgrading: 2
            }),
            Err(Overload::Connections)
        );
        assert_eq!(l.may_buffer(u64::MAX, 1), Err(Overload::MessageBudget));
        assert_eq!(l.check_write(u64::MAX, 0), Ok(()));
    }

    #[test]
    fn codes_distinct() {
        for (i, a) in Overload::ALL.iter().enumerate() {
            for b in &Overload::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
            assert!(!a.reason().is_empty() && !a.remedy().is_empty());
        }
    }
}
