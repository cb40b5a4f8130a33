//! Policy input shared by `check-origin` and `lint`: a TOML config (through the adapter,
//! which names the file, key and index of every mistake) or a plain list of patterns, one
//! per line, plus flags.

use clap::Args;
use std::path::{Path, PathBuf};
use wsguard::{ConfigSource, Environment, GuardConfig};

/// Where the policy comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// Policy file: a wsguard TOML config, or a text file with one origin pattern per line.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Allowed Origin pattern (repeatable), added to the file's.
    #[arg(long = "allow", value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Accept `Origin: null`.
    #[arg(long)]
    pub allow_null: bool,
    /// Accept a request without an Origin header.
    #[arg(long)]
    pub allow_missing: bool,
    /// Preset: `development` also allows loopback origins on any port.
    #[arg(long, value_name = "ENV", value_parser = ["development", "production"])]
    pub env: Option<String>,
    /// Container service name allowed by the development preset (repeatable).
    #[arg(long = "dev-host", value_name = "HOST")]
    pub dev_hosts: Vec<String>,
}

/// Is this text a TOML config rather than a list of patterns?
pub fn looks_like_toml(path: &Path, text: &str) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return true;
    }
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('[') || l.contains('='))
}

/// Patterns of a plain list file: one per line, `#` comments, blank lines ignored.
pub fn plain_patterns(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or(l).trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Reads the file (TOML or list) without checking it, then applies the flags.
pub fn load_unchecked(args: &PolicyArgs) -> Result<GuardConfig, String> {
    let mut cfg = match &args.policy {
        None => GuardConfig::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if looks_like_toml(path, &text) {
                GuardConfig::from_toml_str(&text, ConfigSource::File(path.clone()))
                    .map_err(|e| e.to_string())?
            } else {
                let mut c = GuardConfig::default();
                c.origin.allowed = plain_patterns(&text);
                c
            }
        }
    };
    cfg.origin.allowed.extend(args.allow.iter().cloned());
    cfg.origin.allow_null |= args.allow_null;
    cfg.origin.allow_missing |= args.allow_missing;
    cfg.origin.dev_hosts.extend(args.dev_hosts.iter().cloned());
    if let Some(e) = args.env.as_deref().and_then(Environment::parse) {
        cfg.env = e;
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_detection() {
        assert!(looks_like_toml(Path::new("a.toml"), ""));
        assert!(looks_like_toml(
            Path::new("a.conf"),
            "# hi\n[origin]\nallowed = []\n"
        ));
        assert!(!looks_like_toml(
            Path::new("origins.txt"),
            "# list\nhttps://a.example.com\n"
        ));
    }

    #[test]
    fn plain_list_parsing() {
        assert_eq!(
            plain_patterns("# c\n\nhttps://a.com  # main\n  http://localhost:*\n"),
            vec!["https://a.com", "http://localhost:*"]
        );
    }
}
