//! Loading: file, then environment, then the core's check. The top of the one-way
//! chain: it uses the TOML loader, the environment loader and the core binding; nothing
//! in `config` uses it.

use super::{ConfigError, GuardConfig, LintWarning, LoadedConfig};
use std::path::Path;

impl GuardConfig {
    /// Loads `path` (if any), applies the process's `WSGUARD_*` variables, then checks the
    /// result with the core (pattern parsing + linter).
    ///
    /// ```no_run
    /// let loaded = wsguard::GuardConfig::load(Some(std::path::Path::new("wsguard.toml"))).unwrap();
    /// for w in &loaded.warnings { eprintln!("{w}"); }
    /// ```
    pub fn load(path: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
        Self::load_from(path, std::env::vars())
    }

    /// Like [`GuardConfig::load`] with the environment given explicitly.
    ///
    /// ```
    /// let env = [("WSGUARD_ALLOWED_ORIGINS".to_string(), "https://a.example".to_string())];
    /// let loaded = wsguard::GuardConfig::load_from(None, env).unwrap();
    /// assert_eq!(loaded.config.origin.allowed, ["https://a.example"]);
    /// ```
    pub fn load_from(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<LoadedConfig, ConfigError> {
        let mut config = match path {
            Some(p) => Self::from_file(p)?,
            None => GuardConfig::default(),
        };
        let mut warnings = config.apply_env(env)?;
        warnings.extend(config.check()?);
        Ok(LoadedConfig { config, warnings })
    }

    /// Checks the configuration: the numeric keys with bounds (the peer limits) are in
    /// range (`config_out_of_range`), then, with the core, every origin pattern and host
    /// is parsed (errors name the entry) and the core's policy linter runs; its findings
    /// are returned as warnings.
    ///
    /// ```
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.origin.allowed = vec!["https://app.example.com".into()];
    /// assert!(cfg.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<Vec<LintWarning>, ConfigError> {
        crate::core_bind::check_config(self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::KEYS;
    use super::super::ConfigSource;
    use super::*;

    /// The key table and both loaders agree: every key of the table is read by the TOML
    /// loader and every variable by the environment loader (a wrong value is fine here;
    /// an unknown name is not).
    #[test]
    fn every_key_of_the_table_is_read_by_both_loaders() {
        for (key, var) in KEYS {
            let text = match key.split_once('.') {
                Some((section, leaf)) => format!("[{section}]\n{leaf} = 0\n"),
                None => format!("{key} = 0\n"),
            };
            if let Err(e) = GuardConfig::from_toml_str(&text, ConfigSource::Inline) {
                assert_ne!(e.code, "config_unknown_key", "{key}");
            }
            let env = [(var.to_string(), String::new())];
            if let Ok(w) = GuardConfig::default().apply_env(env) {
                assert!(w.is_empty(), "{var}: {w:?}");
            }
        }
    }
}
