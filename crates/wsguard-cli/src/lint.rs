//! `wsguard lint FILE`: explains every mistake in a policy or config file.
//!
//! The origin entries go through the core's linter (it works on the raw strings, so it
//! explains entries that do not even parse and suggests what to write instead); the rest
//! of a TOML config is checked by the adapter (unknown keys, wrong types, bad hosts,
//! heartbeat and limits), which names the file, key and index.

use crate::exit;
use crate::policy::{load_unchecked, PolicyArgs};
use crate::style::{wrap, ColorChoice, Style};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use wsguard::{Environment, GuardConfig};
use wsguard_core::origin::{lint, Finding, LintCode, LintContext, Preset, Severity};
use wsguard_core::Diagnostic;

/// Arguments of `wsguard lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// A wsguard TOML config, or a text file with one origin pattern per line.
    pub file: PathBuf,
    /// Lint as if the policy ran with this preset (overrides the file's `env`).
    #[arg(long, value_name = "ENV", value_parser = ["development", "production"])]
    pub env: Option<String>,
    /// The policy also answers CORS with credentials (cookies).
    #[arg(long)]
    pub credentials: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// One problem found, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: &'static str,
    pub key: String,
    pub value: Option<String>,
    pub code: String,
    pub reason: String,
    pub remedy: String,
    pub suggestion: Option<String>,
}

/// Lints a loaded configuration.
pub fn problems(cfg: &GuardConfig, credentials: bool) -> Vec<Problem> {
    let preset = match cfg.env {
        Environment::Development => Preset::Development,
        Environment::Production => Preset::Production,
    };
    let entries: Vec<&str> = cfg.origin.allowed.iter().map(String::as_str).collect();
    let ctx = LintContext {
        preset,
        credentials,
        allow_null: cfg.origin.allow_null,
        allow_missing: cfg.origin.allow_missing,
        dev_auth_bypass: cfg.token.dev_auth_bypass,
    };
    let mut out = vec![Finding::EMPTY; entries.len() * 4 + 4];
    let mut n = lint(&entries, ctx, &mut out);
    if n > out.len() {
        out = vec![Finding::EMPTY; n];
        n = lint(&entries, ctx, &mut out);
    }
    let mut list: Vec<Problem> = out[..n.min(out.len())]
        .iter()
        .map(|f| {
            let other = f
                .other
                .and_then(|o| entries.get(o))
                .map(|o| format!(" (see origin.allowed[{}] = {o:?})", f.other.unwrap_or(0)));
            let key = match f.kind {
                LintCode::NullProduction => "origin.allow_null".to_string(),
                LintCode::MissingProduction => "origin.allow_missing".to_string(),
                LintCode::DevAuthBypassProduction => "token.dev_auth_bypass".to_string(),
                _ => format!("origin.allowed[{}]", f.index),
            };
            Problem {
                severity: f.severity.name(),
                key,
                value: entries.get(f.index).map(|s| s.to_string()),
                code: f.code().to_string(),
                reason: format!("{}{}", f.reason(), other.unwrap_or_default()),
                remedy: f.remedy().to_string(),
                suggestion: f.suggestion.map(|s| s.to_string()),
            }
        })
        .collect();
    // The rest of the configuration: the adapter's check (the origin patterns were
    // explained above, so their parse errors and linter warnings are not repeated).
    match cfg.check() {
        Ok(warnings) => {
            for w in warnings
                .into_iter()
                .filter(|w| !w.code.starts_with("lint_"))
            {
                list.push(Problem {
                    severity: "warning",
                    key: w.key,
                    value: None,
                    code: w.code.to_string(),
                    reason: w.message,
                    remedy: w.remedy,
                    suggestion: None,
                });
            }
        }
        // Explained above by the linter (`lint_dev_auth_bypass_production`).
        Err(e) if e.key == "origin.allowed" || e.code == "dev_auth_bypass_production" => {}
        Err(e) => list.push(Problem {
            severity: "error",
            key: match e.index {
                Some(i) => format!("{}[{i}]", e.key),
                None => e.key.clone(),
            },
            value: e.value.clone(),
            code: e.code.to_string(),
            reason: e.reason.clone(),
            remedy: e.remedy.clone(),
            suggestion: None,
        }),
    }
    list
}

/// Runs the subcommand.
pub fn run(args: LintArgs, color: ColorChoice) -> u8 {
    let s = Style::for_stdout(color);
    let pa = PolicyArgs {
        policy: Some(args.file.clone()),
        env: args.env.clone(),
        ..PolicyArgs::default()
    };
    let cfg = match load_unchecked(&pa) {
        Ok(c) => c,
        Err(msg) => {
            if args.json {
                println!(
                    "{}",
                    json!({"file": args.file, "ok": false, "errors": 1, "warnings": 0, "problems": [{"severity": "error", "code": "config_invalid", "reason": msg}]})
                );
            } else {
                eprintln!("{} {msg}", Style::for_stderr(color).bad("error:"));
            }
            return exit::REFUSED;
        }
    };
    let list = problems(&cfg, args.credentials);
    let errors = list
        .iter()
        .filter(|p| p.severity == Severity::Error.name())
        .count();
    let warnings = list.len() - errors;
    if args.json {
        let out = json!({
            "file": args.file,
            "ok": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "problems": list.iter().map(|p| json!({
                "severity": p.severity, "key": p.key, "value": p.value, "code": p.code,
                "reason": p.reason, "remedy": p.remedy, "suggestion": p.suggestion,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!(
            "{} {}",
            s.heading("lint"),
            s.bold(&args.file.display().to_string())
        );
        for p in &list {
            let sev = if p.severity == "error" {
                s.bad("error")
            } else {
                s.warn("warning")
            };
            let value = p
                .value
                .as_ref()
                .map(|v| format!(" = {v:?}"))
                .unwrap_or_default();
            println!("  {sev} {}{}  {}", s.bold(&p.key), value, s.code(&p.code));
            println!("      {}", wrap(&p.reason, 88, 6));
            match &p.suggestion {
                Some(sug) => println!("      {} write {} instead", s.ok("fix:"), s.bold(sug)),
                None => println!("      {} {}", s.ok("fix:"), wrap(&p.remedy, 88, 11)),
            }
        }
        let summary = format!("{errors} error(s), {warnings} warning(s)");
        if errors == 0 && warnings == 0 {
            println!("  {} no problems found", s.ok("ok:"));
        } else if errors == 0 {
            println!("  {}", s.warn(&summary));
        } else {
            println!("  {}", s.bad(&summary));
        }
    }
    if errors > 0 {
        exit::REFUSED
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(allow: &[&str]) -> GuardConfig {
        let mut c = GuardConfig::default();
        c.origin.allowed = allow.iter().map(|s| s.to_string()).collect();
        c
    }

    #[test]
    fn classic_mistakes_are_explained() {
        let list = problems(
            &cfg(&[
                "ws://localhost:8000",
                "https://app.example.com/",
                "example.com",
            ]),
            false,
        );
        let codes: Vec<&str> = list.iter().map(|p| p.code.as_str()).collect();
        assert!(codes.contains(&"lint_ws_scheme"), "{codes:?}");
        assert!(codes.contains(&"lint_trailing_slash"), "{codes:?}");
        assert!(codes.contains(&"lint_no_scheme"), "{codes:?}");
        assert!(list.iter().all(|p| p.severity == "error"));
        let ws = list.iter().find(|p| p.code == "lint_ws_scheme").unwrap();
        assert_eq!(ws.key, "origin.allowed[0]");
        // ws://localhost:8000 is the backend's address: no guess at the page's origin.
        assert_eq!(ws.suggestion, None);
    }

    #[test]
    fn production_options_are_flagged_and_container_names_are_not_public() {
        let mut c = cfg(&["https://app.example.com"]);
        c.origin.allow_null = true;
        c.origin.allow_missing = true;
        let keys: Vec<(String, String)> = problems(&c, false)
            .into_iter()
            .map(|p| (p.key, p.code))
            .collect();
        assert_eq!(
            keys,
            [
                (
                    "origin.allow_null".into(),
                    "lint_allow_null_production".into()
                ),
                (
                    "origin.allow_missing".into(),
                    "lint_allow_missing_production".into()
                )
            ]
        );
        let mut dev = cfg(&["http://frontend:3000"]);
        dev.env = wsguard::Environment::Development;
        assert_eq!(problems(&dev, false), vec![]);
    }

    #[test]
    fn clean_policy_has_no_problems() {
        assert_eq!(
            problems(
                &cfg(&["https://app.example.com", "https://*.example.org"]),
                false
            ),
            vec![]
        );
    }

    #[test]
    fn duplicates_are_warnings() {
        let list = problems(
            &cfg(&["https://app.example.com", "https://APP.example.com:443"]),
            false,
        );
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(
            (list[0].severity, list[0].code.as_str()),
            ("warning", "lint_duplicate")
        );
    }
}
