//! Range checks of the numeric keys with bounds ([`super::keys::RANGES`]) over a whole
//! configuration, for values set in code or by CLI flags (the loaders check at parse
//! time with the same rule). Uses the types and the key table only; the core binding
//! runs it first in every check, so [`crate::Guard::new`] refuses what `load` refuses.

use super::keys::{range_error, RANGES};
use super::{ConfigError, GuardConfig};

/// Values set in code or by CLI flags pass the same range check as loaded ones.
pub(crate) fn check_ranges(cfg: &GuardConfig) -> Result<(), ConfigError> {
    let mut numbers = cfg.clone();
    for (key, ..) in RANGES {
        let Some(n) = numbers.number_mut(key).map(|f| f.get()) else {
            continue;
        };
        if let Some((reason, remedy)) = range_error(key, n) {
            return Err(ConfigError {
                source: cfg.source_of(key),
                key: key.to_string(),
                index: None,
                value: Some(n.to_string()),
                code: "config_out_of_range",
                reason,
                remedy,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bounded_key_is_checked() {
        let mut cfg = GuardConfig::default();
        for (key, ..) in RANGES {
            assert!(cfg.number_mut(key).is_some(), "{key}");
        }
        let mut cfg = GuardConfig::default();
        cfg.limits.max_upgrading = 0;
        let e = cfg.check().unwrap_err();
        assert_eq!(e.to_string(), "inline configuration: limits.max_upgrading = \"0\": 0 is below the allowed range 1 to 4294967295: 0 would refuse every connection [config_out_of_range] — fix: write a number from 1 to 4294967295");
    }
}
