//! # Counters: accepted, refused by reason, closes by code and category, heartbeat timeouts
//!
//! The implementation lives in the `wsguard-metrics` crate, shared with `wsguard serve`
//! and the Python guard so that every tier exports the same Prometheus names.
//!
//! ```
//! let c = wsguard::Counters::new();
//! c.refused("origin_not_allowed");
//! assert!(c.to_prometheus().contains("wsguard_refused_total{reason=\"origin_not_allowed\"} 1"));
//! ```

pub use wsguard_metrics::{gauge, Counters, CountersSnapshot, OVERFLOW_LABEL};
