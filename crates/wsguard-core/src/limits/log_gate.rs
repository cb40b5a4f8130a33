//! One log line per interval for a repeating event (a refusal under a flood, `EMFILE`),
//! with the count of the lines left out: the log says what happened without flooding.

/// Rate limit of one kind of log line, driven by caller time (ms).
///
/// ```
/// use wsguard_core::limits::LogGate;
/// let mut gate = LogGate::new(1000);
/// assert_eq!(gate.allow(0), Some(0));      // first event: log it
/// assert_eq!(gate.allow(10), None);        // within the interval: count it
/// assert_eq!(gate.allow(20), None);
/// assert_eq!(gate.allow(1000), Some(2));   // next line says "2 more since"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LogGate {
    interval_ms: u64,
    next_ms: Option<u64>,
    suppressed: u64,
}

impl LogGate {
    /// At most one line per `interval_ms`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::limits::LogGate::new(500).interval_ms(), 500);
    /// ```
    pub const fn new(interval_ms: u64) -> LogGate {
        LogGate {
            interval_ms,
            next_ms: None,
            suppressed: 0,
        }
    }

    /// The interval.
    pub const fn interval_ms(&self) -> u64 {
        self.interval_ms
    }

    /// The event happened at `now_ms`: `Some(n)` when a line may be written now (`n`
    /// events were left out since the last line), `None` when it is only counted.
    pub fn allow(&mut self, now_ms: u64) -> Option<u64> {
        match self.next_ms {
            Some(next) if now_ms < next => {
                self.suppressed = self.suppressed.saturating_add(1);
                None
            }
            _ => {
                self.next_ms = Some(now_ms.saturating_add(self.interval_ms));
                let n = self.suppressed;
                self.suppressed = 0;
                Some(n)
            }
        }
    }

    /// Events counted but not logged since the last line.
    ///
    /// ```
    /// let mut g = wsguard_core::limits::LogGate::new(10);
    /// g.allow(0); g.allow(1);
    /// assert_eq!(g.suppressed(), 1);
    /// ```
    pub const fn suppressed(&self) -> u64 {
        self.suppressed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flood_is_one_line_per_interval() {
        let mut g = LogGate::new(1000);
        let lines = (0..10_000u64).filter(|t| g.allow(*t).is_some()).count();
        assert_eq!(lines, 10);
        assert_eq!(g.suppressed(), 999);
        // Time going backwards (a caller bug) never logs more.
        assert_eq!(g.allow(0), None);
    }
}
