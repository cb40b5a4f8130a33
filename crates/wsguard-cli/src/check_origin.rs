//! `wsguard check-origin ORIGIN`: would this policy let this Origin in, and why.
//!
//! The verdict is the core's `OriginPolicy::check`. To say *why* an origin is allowed,
//! each pattern is tried on its own (still the core's matching), then the preset, then
//! the `allow_null` / `allow_missing` switches.

use crate::exit;
use crate::policy::{load_unchecked, PolicyArgs};
use crate::style::{wrap, ColorChoice, Style};
use clap::Args;
use serde_json::json;
use wsguard::{Environment, GuardConfig};
use wsguard_core::origin::near_miss_origin;
use wsguard_core::Diagnostic;

/// Arguments of `wsguard check-origin`.
#[derive(Args, Debug)]
pub struct CheckOriginArgs {
    /// The Origin header value as the browser sends it (`https://app.example.com`);
    /// `-` or `--missing` for a request without Origin.
    pub origin: Option<String>,
    /// Check a request that carries no Origin header.
    #[arg(long, conflicts_with = "origin")]
    pub missing: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// The verdict, for printing and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginVerdict {
    pub allowed: bool,
    /// Stable code: `allowed` or the core's denial code (`origin_host` …).
    pub code: String,
    pub reason: String,
    pub remedy: Option<String>,
    /// The pattern that matched, when one did.
    pub matched: Option<String>,
    /// On refusal: the core's near miss (closest entry, why it does not match, what to
    /// write) and its code.
    pub near_miss: Option<(String, String)>,
    /// The HTTP status a server answers the refused upgrade with (the core's).
    pub status: Option<u16>,
}

/// Decides with the core. `origin = None`: no Origin header.
pub fn decide(cfg: &GuardConfig, origin: Option<&str>) -> Result<OriginVerdict, String> {
    let check = cfg.check_origin(origin).map_err(|e| {
        // The policy cannot be built (a `ws://` entry …): still say which entry the
        // Origin was meant to match, from the raw entries.
        let raw: Vec<&str> = cfg.origin.allowed.iter().map(String::as_str).collect();
        match origin.and_then(|o| near_miss_origin(&raw, o.as_bytes())) {
            Some(m) => format!("{e}\n  near miss [{}]: {m}", m.code()),
            None => e.to_string(),
        }
    })?;
    if let Some(d) = check.denial {
        return Ok(OriginVerdict {
            allowed: false,
            code: d.code().to_string(),
            reason: d.reason().to_string(),
            remedy: Some(d.remedy().to_string()),
            matched: None,
            near_miss: check.near_miss.map(|(c, m)| (c.to_string(), m)),
            status: Some(d.http_status()),
        });
    }
    let matched = check
        .matched
        .and_then(|i| cfg.origin.allowed.get(i))
        .cloned();
    let why = match (&matched, origin) {
        (Some(raw), _) => format!("it matches the pattern `{raw}`"),
        (None, None) => {
            "the request has no Origin header and the policy allows that (allow_missing)".into()
        }
        (None, Some(o)) if o.eq_ignore_ascii_case("null") => {
            "the Origin is `null` and the policy allows that (allow_null)".into()
        }
        (None, Some(_)) => format!(
            "the {} preset allows it (loopback or a listed container host)",
            match cfg.env {
                Environment::Development => "development",
                Environment::Production => "production",
            }
        ),
    };
    Ok(OriginVerdict {
        allowed: true,
        code: "allowed".into(),
        reason: why,
        remedy: None,
        matched,
        near_miss: None,
        status: None,
    })
}

/// Runs the subcommand.
pub fn run(args: CheckOriginArgs, color: ColorChoice) -> u8 {
    let s = Style::for_stdout(color);
    let e = Style::for_stderr(color);
    let origin = match (&args.origin, args.missing) {
        (_, true) => None,
        (Some(o), false) if o == "-" => None,
        (Some(o), false) => Some(o.as_str()),
        (None, false) => {
            eprintln!("{} give the Origin to check (e.g. `wsguard check-origin https://app.example.com --allow https://*.example.com`) or --missing", e.bad("error:"));
            return exit::USAGE;
        }
    };
    let cfg = match load_unchecked(&args.policy) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{} {msg}", e.bad("error:"));
            return exit::USAGE;
        }
    };
    let v = match decide(&cfg, origin) {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{} {msg}", e.bad("policy error:"));
            return exit::USAGE;
        }
    };
    if args.json {
        let out = json!({
            "origin": origin,
            "allowed": v.allowed,
            "code": v.code,
            "reason": v.reason,
            "remedy": v.remedy,
            "matched": v.matched,
            "near_miss": v.near_miss.as_ref().map(|(c, m)| json!({ "code": c, "text": m })),
            "policy": { "allowed": cfg.origin.allowed, "allow_null": cfg.origin.allow_null,
                        "allow_missing": cfg.origin.allow_missing, "env": format!("{:?}", cfg.env).to_lowercase() },
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        let shown = origin
            .map(|o| format!("Origin: {o}"))
            .unwrap_or_else(|| "(no Origin header)".into());
        if v.allowed {
            println!("{}  {}", s.ok("ALLOWED"), s.bold(&shown));
            println!("  {:<7} {}", "why", wrap(&v.reason, 88, 10));
        } else {
            println!(
                "{}  {}  {}",
                s.bad("REFUSED"),
                s.bold(&shown),
                s.code(&v.code)
            );
            println!("  {:<7} {}", "why", wrap(&v.reason, 88, 10));
            if let Some((code, m)) = &v.near_miss {
                println!(
                    "  {:<7} {}  {}",
                    s.warn("near"),
                    wrap(m, 88, 10),
                    s.code(code)
                );
            }
            if let Some(r) = &v.remedy {
                println!("  {:<7} {}", s.ok("fix"), wrap(r, 88, 10));
            }
            let browser = wsguard_core::close::ABNORMAL_CLOSURE;
            if let Some(status) = v.status {
                println!("  status  a server answers the upgrade with HTTP {status}; the browser shows close code {browser}");
            }
        }
    }
    if v.allowed {
        exit::OK
    } else {
        exit::REFUSED
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
    fn exact_and_wildcard() {
        let c = cfg(&["https://app.example.com", "https://*.example.com"]);
        let v = decide(&c, Some("https://api.example.com")).unwrap();
        assert!(v.allowed);
        assert_eq!(v.matched.as_deref(), Some("https://*.example.com"));
        let v = decide(&c, Some("https://evil-example.com")).unwrap();
        assert!(!v.allowed);
        assert_eq!(v.code, "origin_host");
    }

    #[test]
    fn missing_and_null() {
        let mut c = cfg(&["https://app.example.com"]);
        assert_eq!(decide(&c, None).unwrap().code, "origin_missing");
        assert_eq!(decide(&c, Some("null")).unwrap().code, "origin_null");
        c.origin.allow_missing = true;
        assert!(decide(&c, None).unwrap().allowed);
    }

    #[test]
    fn near_misses_are_named() {
        let v = decide(
            &cfg(&["http://localhost:3000"]),
            Some("http://localhost:5173"),
        )
        .unwrap();
        let (code, text) = v.near_miss.unwrap();
        assert_eq!(code, "near_port");
        assert!(
            text.ends_with("allow both with `http://localhost:[3000,5173]`"),
            "{text}"
        );
        // The seed mistake: the policy cannot be built, and the error names the entry.
        let err = decide(
            &cfg(&["ws://localhost:8000"]),
            Some("http://localhost:5173"),
        )
        .unwrap_err();
        assert!(
            err.contains("pattern_ws_scheme") && err.contains("near miss [near_ws_scheme]"),
            "{err}"
        );
        assert!(err.contains("allow `http://localhost:5173`"), "{err}");
    }

    #[test]
    fn scheme_mismatch_is_named() {
        let c = cfg(&["https://app.example.com"]);
        assert_eq!(
            decide(&c, Some("http://app.example.com")).unwrap().code,
            "origin_scheme"
        );
    }

    #[test]
    fn development_preset_allows_loopback() {
        let mut c = cfg(&[]);
        c.env = Environment::Development;
        let v = decide(&c, Some("http://localhost:5173")).unwrap();
        assert!(v.allowed && v.reason.contains("development"), "{v:?}");
    }

    #[test]
    fn bad_pattern_is_an_error() {
        assert!(decide(&cfg(&["example.com"]), Some("https://example.com")).is_err());
    }
}
