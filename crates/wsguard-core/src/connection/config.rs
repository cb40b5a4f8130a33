//! [`Config`]: the settings of one [`Connection`](super::Connection).

use crate::frame::{DecoderConfig, Role};
use crate::heartbeat::HeartbeatConfig;

/// Connection settings: frame limits, heartbeat, close-handshake timeout, masking seed.
///
/// ```
/// use wsguard_core::connection::Config;
/// use wsguard_core::frame::Role;
/// let c = Config::new(Role::Server).with_max_message(64 * 1024).with_close_timeout(2_000);
/// assert_eq!(c.decoder.max_message, 64 * 1024);
/// assert_eq!(c.close_timeout_ms, 2_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// Decoder limits, extension bits and our role (a message beyond `max_message` or a
    /// frame beyond `max_frame` closes with 1009).
    pub decoder: DecoderConfig,
    /// `None`: no pings from this side (pings from the peer are still answered).
    pub heartbeat: Option<HeartbeatConfig>,
    /// How long to wait for the peer's Close after ours before giving up (1006).
    pub close_timeout_ms: u64,
    /// Seed of the masking keys (client role; take it from a hardware RNG, see
    /// RFC 6455 §10.3). Unused by servers.
    pub mask_seed: u64,
}

impl Config {
    /// Defaults for `role`: the decoder's limits (16 MiB frames, 64 MiB messages), no
    /// heartbeat, 5 s close timeout.
    ///
    /// ```
    /// let c = wsguard_core::connection::Config::new(wsguard_core::frame::Role::Client);
    /// assert_eq!((c.heartbeat, c.close_timeout_ms), (None, 5_000));
    /// ```
    pub const fn new(role: Role) -> Self {
        Config {
            decoder: DecoderConfig::new(role),
            heartbeat: None,
            close_timeout_ms: 5_000,
            mask_seed: 0,
        }
    }

    /// Replaces the decoder configuration; its role is kept.
    ///
    /// ```
    /// use wsguard_core::{connection::Config, frame::{DecoderConfig, Role}};
    /// let c = Config::new(Role::Server).with_decoder(DecoderConfig::client().lenient_length());
    /// assert_eq!(c.decoder.role, Role::Server);
    /// ```
    pub const fn with_decoder(mut self, decoder: DecoderConfig) -> Self {
        let role = self.decoder.role;
        self.decoder = decoder;
        self.decoder.role = role;
        self
    }

    /// Largest message accepted (1009 beyond).
    ///
    /// ```
    /// let c = wsguard_core::connection::Config::new(wsguard_core::frame::Role::Server).with_max_message(9);
    /// assert_eq!(c.decoder.max_message, 9);
    /// ```
    pub const fn with_max_message(mut self, bytes: u64) -> Self {
        self.decoder = self.decoder.with_max_message(bytes);
        self
    }

    /// Pings from this side as `heartbeat` says (see [`crate::heartbeat`]).
    ///
    /// ```
    /// use wsguard_core::{connection::Config, frame::Role, heartbeat::HeartbeatConfig};
    /// let c = Config::new(Role::Server).with_heartbeat(HeartbeatConfig::DEFAULT);
    /// assert!(c.heartbeat.is_some());
    /// ```
    pub const fn with_heartbeat(mut self, heartbeat: HeartbeatConfig) -> Self {
        self.heartbeat = Some(heartbeat);
        self
    }

    /// Close-handshake timeout in ms.
    ///
    /// ```
    /// let c = wsguard_core::connection::Config::new(wsguard_core::frame::Role::Server).with_close_timeout(1);
    /// assert_eq!(c.close_timeout_ms, 1);
    /// ```
    pub const fn with_close_timeout(mut self, ms: u64) -> Self {
        self.close_timeout_ms = ms;
        self
    }

    /// Masking-key seed (client role).
    ///
    /// ```
    /// let c = wsguard_core::connection::Config::new(wsguard_core::frame::Role::Client).with_mask_seed(7);
    /// assert_eq!(c.mask_seed, 7);
    /// ```
    pub const fn with_mask_seed(mut self, seed: u64) -> Self {
        self.mask_seed = seed;
        self
    }
}
