//! Heartbeat: when to ping, when the peer is dead, and the round-trip time.
//!
//! A deterministic state machine in the style of quinn-proto: the caller passes monotonic
//! milliseconds (`now: u64`) and inbound events in, and pulls the next [`Action`] out with
//! [`Heartbeat::poll`]. It never reads a clock, sends nothing itself and uses integers only.
//!
//! The model is *idle pinging*: any inbound frame (data, ping, pong, close) proves the peer
//! is alive and restarts the idle timer. So
//! * a peer that never pings but answers pings (browsers) is kept alive by its pongs;
//! * when the server pings and the client's interval is longer ([`HeartbeatConfig::for_role`]),
//!   the server's pings keep resetting the client's timer and the client never pings as well;
//! * the peer is declared dead after `dead_timeout_ms` of silence, or when `max_missed`
//!   pings in a row went unanswered, whichever comes first.
//!
//! ```
//! use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
//! let cfg = HeartbeatConfig::new(20_000, 30_000, 2).unwrap();
//! let mut hb = Heartbeat::new(cfg, 0);
//! assert_eq!(hb.poll(0), Action::Wait { until: 20_000 });
//! let Action::SendPing { payload, .. } = hb.poll(20_000) else { panic!() };
//! // ... send a Ping frame with `payload`; the pong comes back 35 ms later:
//! assert_eq!(hb.on_pong(20_035, &payload), Some(35));
//! assert_eq!(hb.poll(20_035), Action::Wait { until: 40_035 });
//! assert_eq!(hb.poll(80_000), Action::PeerDead);
//! ```

mod config;

pub use crate::frame::Role;
pub use config::{HeartbeatConfig, HeartbeatConfigError};

/// What the caller should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Action {
    /// Send a Ping frame now with this payload (the sequence number, big-endian).
    SendPing {
        /// The Ping payload to send; the matching Pong echoes it.
        payload: [u8; 8],
        /// Sequence number of this ping (1, 2, 3 …).
        seq: u64,
    },
    /// Nothing to do; call [`Heartbeat::poll`] again at `until` (or when a frame arrives).
    Wait {
        /// Monotonic milliseconds of the next deadline (`u64::MAX`: none).
        until: u64,
    },
    /// The peer is dead: close the TCP connection (a Close handshake would not complete)
    /// and report 1006 locally.
    PeerDead,
}

/// Why the peer was declared dead (see [`Heartbeat::dead_reason`]); implements
/// [`Diagnostic`](crate::Diagnostic).
///
/// ```
/// use wsguard_core::{Diagnostic, heartbeat::PeerDead};
/// assert_eq!(PeerDead::Silent.code(), "heartbeat_peer_silent");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PeerDead {
    /// No frame arrived for `dead_timeout_ms`.
    Silent,
    /// `max_missed` pings in a row went unanswered.
    MissedPings,
}

crate::diag::diagnostics! {
    PeerDead in "wsguard_core::heartbeat" display {
    }
    Silent => {
        code: "heartbeat_peer_silent",
        reason: "nothing arrived from the peer for longer than the dead-peer timeout; the connection is probably gone (network drop, proxy idle cut, crashed peer)",
        remedy: "drop the connection and reconnect with backoff; if this happens on an idle but healthy link, check that the peer answers pings and that no proxy buffers or drops control frames",
    },
    MissedPings => {
        code: "heartbeat_missed_pings",
        reason: "several pings in a row went unanswered; the peer or the path to it is dead",
        remedy: "drop the connection and reconnect with backoff; if this happens on an idle but healthy link, check that the peer answers pings and that no proxy buffers or drops control frames",
    },
}

/// The heartbeat state of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Heartbeat {
    config: HeartbeatConfig,
    last_rx: u64,
    next_ping_at: u64,
    seq: u64,
    outstanding: Option<(u64, u64)>,
    unanswered: u32,
    last_rtt: Option<u64>,
    smoothed_rtt: Option<u64>,
    stale_pongs: u32,
    unsolicited_pongs: u32,
    dead: Option<PeerDead>,
    closing: bool,
}

impl Heartbeat {
    /// Starts the heartbeat of a connection opened at `now` (the handshake counts as
    /// inbound activity).
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
    /// let hb = Heartbeat::new(HeartbeatConfig::DEFAULT, 1_000);
    /// assert_eq!(hb.last_activity(), 1_000);
    /// ```
    pub const fn new(config: HeartbeatConfig, now: u64) -> Self {
        Heartbeat {
            config,
            last_rx: now,
            next_ping_at: now.saturating_add(config.interval_ms()),
            seq: 0,
            outstanding: None,
            unanswered: 0,
            last_rtt: None,
            smoothed_rtt: None,
            stale_pongs: 0,
            unsolicited_pongs: 0,
            dead: None,
            closing: false,
        }
    }

    /// The configuration.
    pub const fn config(&self) -> &HeartbeatConfig {
        &self.config
    }

    /// Decides what to do at `now`: send a ping, wait until a deadline, or give up on the
    /// peer. Once [`Action::PeerDead`] is returned it is returned forever. After
    /// [`Heartbeat::on_close`] it returns `Wait { until: u64::MAX }`.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    /// let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 1_500, 3).unwrap(), 0);
    /// assert!(matches!(hb.poll(1_000), Action::SendPing { seq: 1, .. }));
    /// assert_eq!(hb.poll(1_001), Action::Wait { until: 1_500 });
    /// assert_eq!(hb.poll(1_500), Action::PeerDead);
    /// ```
    pub fn poll(&mut self, now: u64) -> Action {
        if self.dead.is_some() {
            return Action::PeerDead;
        }
        if self.closing {
            return Action::Wait { until: u64::MAX };
        }
        let dead_at = self.last_rx.saturating_add(self.config.dead_timeout_ms());
        if now >= dead_at {
            self.dead = Some(PeerDead::Silent);
            return Action::PeerDead;
        }
        if now >= self.next_ping_at {
            if self.unanswered >= self.config.max_missed() {
                self.dead = Some(PeerDead::MissedPings);
                return Action::PeerDead;
            }
            self.seq = self.seq.wrapping_add(1);
            self.outstanding = Some((self.seq, now));
            self.unanswered = self.unanswered.saturating_add(1);
            self.next_ping_at = now.saturating_add(self.config.interval_ms());
            return Action::SendPing {
                payload: self.seq.to_be_bytes(),
                seq: self.seq,
            };
        }
        Action::Wait {
            until: if self.next_ping_at < dead_at {
                self.next_ping_at
            } else {
                dead_at
            },
        }
    }

    /// Any inbound frame arrived at `now`: the peer is alive. Restarts the idle timer.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    /// let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 1_500, 3).unwrap(), 0);
    /// hb.on_activity(900);
    /// assert_eq!(hb.poll(1_000), Action::Wait { until: 1_900 });
    /// ```
    pub fn on_activity(&mut self, now: u64) {
        if self.dead.is_some() {
            return;
        }
        if now >= self.last_rx {
            self.last_rx = now;
        }
        let next = self.last_rx.saturating_add(self.config.interval_ms());
        if next > self.next_ping_at {
            self.next_ping_at = next;
        }
        self.unanswered = 0;
    }

    /// A Pong arrived at `now` with `payload`. It counts as activity. When it answers the
    /// latest outstanding ping, returns the round-trip time in ms and updates
    /// [`last_rtt_ms`](Self::last_rtt_ms) / [`smoothed_rtt_ms`](Self::smoothed_rtt_ms).
    /// Pongs for older pings ([`stale_pongs`](Self::stale_pongs)) and unsolicited pongs
    /// ([`unsolicited_pongs`](Self::unsolicited_pongs), allowed by RFC 6455 §5.5.3 as a
    /// one-way heartbeat) are counted and return `None`.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    /// let mut hb = Heartbeat::new(HeartbeatConfig::new(1_000, 2_500, 3).unwrap(), 0);
    /// let Action::SendPing { payload, .. } = hb.poll(1_000) else { panic!() };
    /// assert_eq!(hb.on_pong(1_010, b"other"), None);
    /// assert_eq!(hb.unsolicited_pongs(), 1);
    /// assert_eq!(hb.on_pong(1_040, &payload), Some(40));
    /// assert_eq!(hb.on_pong(1_050, &payload), None); // duplicate: already answered
    /// ```
    pub fn on_pong(&mut self, now: u64, payload: &[u8]) -> Option<u64> {
        if self.dead.is_some() {
            return None;
        }
        self.on_activity(now);
        let seq = match <[u8; 8]>::try_from(payload) {
            Ok(bytes) => u64::from_be_bytes(bytes),
            Err(_) => {
                self.unsolicited_pongs = self.unsolicited_pongs.saturating_add(1);
                return None;
            }
        };
        match self.outstanding {
            Some((out_seq, sent_at)) if out_seq == seq => {
                self.outstanding = None;
                let rtt = now.saturating_sub(sent_at);
                self.last_rtt = Some(rtt);
                self.smoothed_rtt = Some(match self.smoothed_rtt {
                    None => rtt,
                    // RFC 6298 style: srtt = 7/8 srtt + 1/8 sample (integers, no overflow).
                    Some(s) => s - s / 8 + rtt / 8,
                });
                Some(rtt)
            }
            _ if seq != 0 && seq <= self.seq => {
                self.stale_pongs = self.stale_pongs.saturating_add(1);
                None
            }
            _ => {
                self.unsolicited_pongs = self.unsolicited_pongs.saturating_add(1);
                None
            }
        }
    }

    /// A Ping arrived at `now`. It counts as activity (so a peer that pings us keeps our
    /// own pings from firing). Returns whether a Pong must be sent: `true`, except after
    /// [`Heartbeat::on_close`] (RFC 6455 §5.5.2) or once the peer was declared dead.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
    /// let mut hb = Heartbeat::new(HeartbeatConfig::DEFAULT, 0);
    /// assert!(hb.on_ping_received(5));
    /// hb.on_close(6);
    /// assert!(!hb.on_ping_received(7));
    /// ```
    pub fn on_ping_received(&mut self, now: u64) -> bool {
        if self.dead.is_some() || self.closing {
            return false;
        }
        self.on_activity(now);
        true
    }

    /// A Close frame was sent or received at `now`: stop pinging (no Ping may follow a
    /// Close) and stop answering pings. The dead-peer timer no longer runs either; the
    /// close handshake has its own timeout.
    ///
    /// ```
    /// use wsguard_core::heartbeat::{Action, Heartbeat, HeartbeatConfig};
    /// let mut hb = Heartbeat::new(HeartbeatConfig::DEFAULT, 0);
    /// hb.on_close(10);
    /// assert_eq!(hb.poll(1_000_000), Action::Wait { until: u64::MAX });
    /// ```
    pub fn on_close(&mut self, now: u64) {
        if now >= self.last_rx {
            self.last_rx = now;
        }
        self.closing = true;
    }

    /// Why the peer was declared dead, once [`Action::PeerDead`] was returned.
    pub const fn dead_reason(&self) -> Option<PeerDead> {
        self.dead
    }
    /// Time of the last inbound frame.
    pub const fn last_activity(&self) -> u64 {
        self.last_rx
    }
    /// Round-trip time of the last answered ping, in ms.
    pub const fn last_rtt_ms(&self) -> Option<u64> {
        self.last_rtt
    }
    /// Smoothed round-trip time (exponential average, weight 1/8), in ms.
    pub const fn smoothed_rtt_ms(&self) -> Option<u64> {
        self.smoothed_rtt
    }
    /// Sequence number of the ping still awaiting its pong, if any.
    pub const fn outstanding_ping(&self) -> Option<u64> {
        match self.outstanding {
            Some((seq, _)) => Some(seq),
            None => None,
        }
    }
    /// Pings sent since the last inbound frame.
    pub const fn unanswered_pings(&self) -> u32 {
        self.unanswered
    }
    /// Pongs that answered an older ping than the latest one.
    pub const fn stale_pongs(&self) -> u32 {
        self.stale_pongs
    }
    /// Pongs that answered no ping of ours.
    pub const fn unsolicited_pongs(&self) -> u32 {
        self.unsolicited_pongs
    }
}

#[cfg(test)]
mod tests;
