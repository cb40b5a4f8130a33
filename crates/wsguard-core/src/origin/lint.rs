//! The policy linter: explains each mistake in a list of allowed-origin strings.
//!
//! It works on the **raw** strings, so it can explain entries that do not parse
//! (`.example.com`, `https://app.example.com/`), and suggests what to write instead
//! without allocating ([`Suggestion`] is `prefix + middle + suffix`).
//!
//! Findings per entry, in this order (each at most once):
//!
//! | code | severity | when |
//! |---|---|---|
//! | `lint_null` | error | the entry is `null` (that is the `allow_null` option) |
//! | `lint_ws_scheme` | error | `ws://` / `wss://` — browsers send the page's `http(s)://` origin; suggests `https://host` only when no port is written (with a port, the entry is the backend's address and the page's port is unknown) |
//! | `lint_opaque_scheme` | error | `file:`, `data:`, `about:`, `blob:`, `javascript:` — such pages send `null`; never matches |
//! | `lint_no_scheme` | error | `example.com`, `localhost:3000`, `*.example.com` |
//! | `lint_leading_dot` | error | `.example.com`, `https://.example.com` |
//! | `lint_path` / `lint_trailing_slash` | error | a path, query or fragment / a lone `/` |
//! | `lint_invalid` | error | any other reason the entry cannot parse (never matches) |
//! | `lint_wildcard_production` | error | `*` with the production preset |
//! | `lint_wildcard_credentials` | error | `*` while CORS credentials are on |
//! | `lint_public_suffix` | error | `*.` over a public suffix ([`PUBLIC_SUFFIXES`]) |
//! | `lint_http_production` | warning | `http://` for a public host with the production preset (not loopback, not a one-label container or intranet name such as `frontend`) |
//! | `lint_duplicate` | warning | same origins as an earlier entry after normalisation (case, default port) |
//! | `lint_shadowed` | warning | every origin it allows is already allowed by another entry |
//! | `lint_null_credentials` | error | `allow_null` with CORS credentials (reported once, with `index` = number of entries: it belongs to no entry) |
//! | `lint_allow_null_production` | warning | `allow_null` with the production preset (after the entries; `index` = number of entries) |
//! | `lint_allow_missing_production` | warning | `allow_missing` with the production preset (likewise) |
//! | `lint_dev_auth_bypass_production` | error | the development auth bypass (`dev_auth_bypass`) with the production preset (likewise; the server refuses to start, see [`DevAuthBypass`](crate::handshake::DevAuthBypass)) |
//!
//! `lint_duplicate` and `lint_shadowed` are only reported for entries without an error
//! finding (fix the error first). Entries that cannot parse ("never match") get
//! `lint_invalid` (or the more specific code above).

use super::authority::ends_with_ci;
use super::malformed::Malformed;
use super::pattern::{HostPattern, Pattern, PatternError, PortPattern};
use super::presets::Preset;
use crate::Diagnostic;
use core::fmt;

mod code;
pub use code::{LintCode, Severity};
pub(crate) use code::{WS_SCHEME_REASON, WS_SCHEME_REMEDY};

/// The built-in list of public suffixes a `*.` wildcard must never cover: common TLDs,
/// common second-level registries and shared hosting platforms. It is deliberately
/// small (not the full Public Suffix List); an entry matches case-insensitively.
pub const PUBLIC_SUFFIXES: &[&str] = &[
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "io",
    "dev",
    "app",
    "co",
    "ai",
    "me",
    "info",
    "biz",
    "xyz",
    "cloud",
    "uk",
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "de",
    "fr",
    "nl",
    "eu",
    "ch",
    "it",
    "es",
    "ru",
    "cn",
    "in",
    "br",
    "com.br",
    "jp",
    "co.jp",
    "au",
    "com.au",
    "ca",
    "us",
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "azurewebsites.net",
    "cloudfront.net",
    "amazonaws.com",
    "s3.amazonaws.com",
    "ngrok.io",
    "ngrok-free.app",
    "onrender.com",
    "fly.dev",
    "glitch.me",
    "repl.co",
    "localhost",
];

/// What the linter knows about where the policy is used.
///
/// ```
/// use wsguard_core::origin::{LintContext, Preset};
/// let ctx = LintContext { preset: Preset::Production, credentials: true, ..LintContext::default() };
/// assert_eq!(LintContext::default().preset, Preset::Production);
/// # let _ = ctx;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LintContext {
    /// The preset the policy runs with (production is the strict default).
    pub preset: Preset,
    /// Whether CORS credentials are on.
    pub credentials: bool,
    /// Whether the policy accepts `Origin: null` (`allow_null`).
    pub allow_null: bool,
    /// Whether the policy accepts requests without Origin (`allow_missing`).
    pub allow_missing: bool,
    /// Whether the development auth bypass (`dev_auth_bypass`) is on.
    pub dev_auth_bypass: bool,
}

/// What to write instead, as `prefix + middle + suffix` (no allocation).
///
/// ```
/// use wsguard_core::origin::Suggestion;
/// # extern crate std; use std::string::ToString;
/// let s = Suggestion { prefix: "http://", middle: "localhost:3000", suffix: "" };
/// assert_eq!(s.to_string(), "http://localhost:3000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Suggestion<'a> {
    /// Static text before.
    pub prefix: &'static str,
    /// A piece of the original entry.
    pub middle: &'a str,
    /// Static text after.
    pub suffix: &'static str,
}

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix)?;
        f.write_str(self.middle)?;
        f.write_str(self.suffix)
    }
}

/// One mistake in one entry.
///
/// ```
/// use wsguard_core::origin::{lint, Finding, LintContext};
/// use wsguard_core::Diagnostic;
/// # extern crate std; use std::string::ToString;
/// let mut out = [Finding::EMPTY; 4];
/// let n = lint(&["wss://chat.example.com"], LintContext::default(), &mut out);
/// assert_eq!(n, 1);
/// assert_eq!(out[0].code(), "lint_ws_scheme");
/// assert_eq!(out[0].suggestion.unwrap().to_string(), "https://chat.example.com");
/// // With a port the entry is the backend's address; the page's origin is unknown.
/// assert_eq!(lint(&["ws://localhost:8000"], LintContext::default(), &mut out), 1);
/// assert_eq!(out[0].suggestion, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Finding<'a> {
    /// Index of the entry in the list.
    pub index: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub kind: LintCode,
    /// The other entry involved (`lint_duplicate`, `lint_shadowed`).
    pub other: Option<usize>,
    /// What to write instead, when there is a single obvious fix.
    pub suggestion: Option<Suggestion<'a>>,
}

impl Finding<'_> {
    /// A filler value for output arrays.
    pub const EMPTY: Finding<'static> = Finding {
        index: 0,
        severity: Severity::Warning,
        kind: LintCode::Duplicate,
        other: None,
        suggestion: None,
    };
}

impl Diagnostic for Finding<'_> {
    fn code(&self) -> &'static str {
        self.kind.code()
    }
    fn reason(&self) -> &'static str {
        self.kind.reason()
    }
    fn remedy(&self) -> &'static str {
        self.kind.remedy()
    }
}

/// `scheme` and the text after `scheme://`, when the entry has `://`.
fn split_raw(raw: &str) -> Option<(&str, &str)> {
    let k = raw.find("://")?;
    Some((raw.get(..k)?, raw.get(k + 3..)?))
}

/// The text up to the first `/`, `?` or `#`.
fn authority(rest: &str) -> &str {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest)
}

/// `raw` without its path/query/fragment.
fn core_of(raw: &str) -> &str {
    match split_raw(raw) {
        Some((scheme, rest)) => raw
            .get(..scheme.len() + 3 + authority(rest).len())
            .unwrap_or(raw),
        None => raw,
    }
}

/// The static `scheme://` to suggest for a written scheme (`ws` → `http://`).
fn page_scheme(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("ws") {
        Some("http://")
    } else if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss") {
        Some("https://")
    } else {
        None
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || ends_with_ci(host, ".localhost")
        || host.starts_with("127.")
        || host == "[::1]"
}

fn host_of(auth: &str) -> &str {
    if auth.starts_with('[') {
        match auth.find(']') {
            Some(i) => auth.get(..=i).unwrap_or(auth),
            None => auth,
        }
    } else {
        auth.split(':').next().unwrap_or(auth)
    }
}

/// `*.suffix` in the raw entry (with or without a scheme) → `suffix`.
fn wildcard_suffix(raw: &str) -> Option<&str> {
    let rest = split_raw(raw).map(|(_, r)| r).unwrap_or(raw);
    let host = host_of(authority(rest));
    host.strip_prefix("*.")
}

fn is_public_suffix(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    PUBLIC_SUFFIXES.iter().any(|p| p.eq_ignore_ascii_case(s))
}

fn port_like(p: &str) -> bool {
    p == "*" || p.starts_with('[') || (!p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

/// Lints a list of raw allowed-origin strings. Writes the findings that fit into `out`
/// (in entry order) and returns the total number found, even if `out` was too small.
///
/// ```
/// use wsguard_core::origin::{lint, Finding, LintContext, Preset};
/// use wsguard_core::Diagnostic;
/// # extern crate std; use std::string::ToString;
/// let entries = ["https://app.example.com/", ".example.com", "*"];
/// let ctx = LintContext { preset: Preset::Production, credentials: true, ..LintContext::default() };
/// let mut out = [Finding::EMPTY; 8];
/// let n = lint(&entries, ctx, &mut out);
/// let codes: Vec<_> = out[..n].iter().map(|f| f.code()).collect();
/// assert_eq!(codes, ["lint_trailing_slash", "lint_leading_dot", "lint_wildcard_production", "lint_wildcard_credentials"]);
/// assert_eq!(out[0].suggestion.unwrap().to_string(), "https://app.example.com");
/// assert_eq!(out[1].suggestion.unwrap().to_string(), "https://*.example.com");
/// ```
pub fn lint<'a>(entries: &[&'a str], ctx: LintContext, out: &mut [Finding<'a>]) -> usize {
    let mut total = 0usize;
    let mut emit =
        |index: usize, kind: LintCode, other: Option<usize>, suggestion: Option<Suggestion<'a>>| {
            if let Some(slot) = out.get_mut(total) {
                *slot = Finding {
                    index,
                    severity: kind.severity(),
                    kind,
                    other,
                    suggestion,
                };
            }
            total = total.saturating_add(1);
        };
    for (i, &raw) in entries.iter().enumerate() {
        if raw.eq_ignore_ascii_case("null") {
            emit(i, LintCode::Null, None, None);
            continue;
        }
        if raw == "*" {
            if ctx.preset == Preset::Production {
                emit(i, LintCode::WildcardProduction, None, None);
            }
            if ctx.credentials {
                emit(i, LintCode::WildcardCredentials, None, None);
            }
            if let Some(j) = entries
                .get(..i)
                .and_then(|e| e.iter().position(|&e| e == "*"))
            {
                emit(i, LintCode::Duplicate, Some(j), None);
            }
            continue;
        }
        let mut broken = false; // already explained why it cannot match
        let mut has_error = false; // an error finding: skip duplicate/shadow noise
        match split_raw(raw) {
            None => {
                let auth = authority(raw);
                let port_ok = match auth.rsplit_once(':') {
                    Some((_, p)) if !auth.starts_with('[') || auth.contains("]:") => port_like(p),
                    Some(_) => true,
                    None => true,
                };
                if raw.is_empty() {
                    emit(i, LintCode::Invalid(PatternError::Empty), None, None);
                } else if let Some(rest) = auth.strip_prefix('.') {
                    let s = port_ok.then_some(Suggestion {
                        prefix: "https://*.",
                        middle: rest,
                        suffix: "",
                    });
                    emit(i, LintCode::LeadingDot, None, s);
                } else {
                    let prefix = if is_loopback(host_of(auth)) {
                        "http://"
                    } else {
                        "https://"
                    };
                    let s = (port_ok && !auth.is_empty()).then_some(Suggestion {
                        prefix,
                        middle: auth,
                        suffix: "",
                    });
                    emit(i, LintCode::NoScheme, None, s);
                }
                broken = true;
            }
            Some((scheme, rest)) => {
                let auth = authority(rest);
                let target = page_scheme(scheme);
                let is_ws = scheme.eq_ignore_ascii_case("ws") || scheme.eq_ignore_ascii_case("wss");
                let leading_dot = auth.starts_with('.');
                let fixed = |middle_auth: &'a str| -> Option<Suggestion<'a>> {
                    if leading_dot {
                        let prefix = if target == Some("http://") {
                            "http://*"
                        } else {
                            "https://*"
                        };
                        target.map(|_| Suggestion {
                            prefix,
                            middle: middle_auth,
                            suffix: "",
                        })
                    } else if is_ws {
                        // `ws://host:8000` names the backend; the page is elsewhere.
                        let port = Pattern::parse_any_scheme(core_of(raw))
                            .map(|p| p.port() != PortPattern::Default)
                            .unwrap_or(true);
                        target.filter(|_| !port).map(|prefix| Suggestion {
                            prefix,
                            middle: middle_auth,
                            suffix: "",
                        })
                    } else {
                        Some(Suggestion {
                            prefix: "",
                            middle: core_of(raw),
                            suffix: "",
                        })
                    }
                };
                if is_ws {
                    emit(i, LintCode::WsScheme, None, fixed(auth));
                    has_error = true;
                    broken = true;
                }
                if ["file", "data", "about", "blob", "javascript"]
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(scheme))
                {
                    emit(i, LintCode::OpaqueScheme, None, None);
                    broken = true;
                }
                if leading_dot {
                    emit(i, LintCode::LeadingDot, None, fixed(auth));
                    broken = true;
                }
                let tail = rest.get(auth.len()..).unwrap_or("");
                if !tail.is_empty() {
                    let kind = if tail == "/" {
                        LintCode::TrailingSlash
                    } else {
                        LintCode::Path
                    };
                    emit(i, kind, None, fixed(auth));
                    has_error = true;
                }
                if !broken {
                    if let Err(e) = Pattern::parse(core_of(raw)) {
                        if e != PatternError::Malformed(Malformed::EmptyLabel) || !leading_dot {
                            emit(i, LintCode::Invalid(e), None, None);
                            broken = true;
                        }
                    }
                }
            }
        }
        if wildcard_suffix(raw).is_some_and(is_public_suffix) {
            emit(i, LintCode::PublicSuffix, None, None);
        }
        let Ok(p) = Pattern::parse(core_of(raw)) else {
            continue;
        };
        if broken {
            continue;
        }
        if ctx.preset == Preset::Production && p.scheme().eq_ignore_ascii_case("http") {
            // Loopback and one-label names (`frontend`, a container or intranet host)
            // are not public hosts.
            let public = match p.host() {
                HostPattern::Exact(h) => !is_loopback(h) && h.contains('.'),
                _ => true,
            };
            if public {
                let middle = split_raw(core_of(raw)).map(|(_, r)| r).unwrap_or("");
                emit(
                    i,
                    LintCode::HttpProduction,
                    None,
                    Some(Suggestion {
                        prefix: "https://",
                        middle,
                        suffix: "",
                    }),
                );
            }
        }
        if has_error {
            continue;
        }
        let parsed = |j: usize| entries.get(j).and_then(|e| Pattern::parse(core_of(e)).ok());
        let dup = (0..i).find(|&j| parsed(j).is_some_and(|q| q.same_as(&p)));
        if let Some(j) = dup {
            emit(i, LintCode::Duplicate, Some(j), None);
            continue;
        }
        let shadow = (0..entries.len())
            .filter(|&j| j != i)
            .find(|&j| parsed(j).is_some_and(|q| q.covers(&p) && !q.same_as(&p)));
        if let Some(j) = shadow {
            emit(i, LintCode::Shadowed, Some(j), None);
        }
    }
    if ctx.allow_null && ctx.credentials {
        emit(entries.len(), LintCode::NullCredentials, None, None);
    }
    if ctx.preset == Preset::Production {
        let after = entries.len();
        if ctx.allow_null {
            emit(after, LintCode::NullProduction, None, None);
        }
        if ctx.allow_missing {
            emit(after, LintCode::MissingProduction, None, None);
        }
        if ctx.dev_auth_bypass {
            emit(after, LintCode::DevAuthBypassProduction, None, None);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    fn run(
        entries: &[&str],
        ctx: LintContext,
    ) -> Vec<(usize, &'static str, Option<std::string::String>)> {
        let mut out = [Finding::EMPTY; 16];
        let n = lint(entries, ctx, &mut out);
        out[..n]
            .iter()
            .map(|f| (f.index, f.code(), f.suggestion.map(|s| s.to_string())))
            .collect()
    }

    #[test]
    fn suggestions() {
        let d = LintContext {
            preset: Preset::Development,
            ..LintContext::default()
        };
        // With a port the entry is the backend's address: no guess at the page's.
        assert_eq!(
            run(&["ws://localhost:8000"], d),
            [(0, "lint_ws_scheme", None)]
        );
        assert_eq!(
            run(&["wss://app.example.com"], d),
            [(0, "lint_ws_scheme", Some("https://app.example.com".into()))]
        );
        assert_eq!(
            run(&["wss://app.example.com/socket"], d),
            [
                (0, "lint_ws_scheme", Some("https://app.example.com".into())),
                (0, "lint_path", Some("https://app.example.com".into()))
            ]
        );
        assert_eq!(
            run(&[".example.com"], d),
            [(0, "lint_leading_dot", Some("https://*.example.com".into()))]
        );
        assert_eq!(
            run(&["https://.example.com"], d),
            [(0, "lint_leading_dot", Some("https://*.example.com".into()))]
        );
        assert_eq!(
            run(&["localhost:3000"], d),
            [(0, "lint_no_scheme", Some("http://localhost:3000".into()))]
        );
    }

    #[test]
    fn production_options_and_container_names() {
        let prod = LintContext {
            allow_null: true,
            allow_missing: true,
            ..LintContext::default()
        };
        assert_eq!(
            run(&["https://a.example"], prod),
            [
                (1, "lint_allow_null_production", None),
                (1, "lint_allow_missing_production", None)
            ]
        );
        let dev = LintContext {
            preset: Preset::Development,
            ..prod
        };
        assert_eq!(run(&["http://frontend:3000"], dev), []);
        assert_eq!(run(&["http://frontend:3000"], LintContext::default()), []);
        assert_eq!(
            run(&["http://app.example.com"], LintContext::default()),
            [(
                0,
                "lint_http_production",
                Some("https://app.example.com".into())
            )]
        );
    }

    #[test]
    fn count_when_out_is_small() {
        let mut out = [Finding::EMPTY; 1];
        assert_eq!(
            lint(
                &["ws://a", "b.com", "null"],
                LintContext::default(),
                &mut out
            ),
            3
        );
        assert_eq!(out[0].index, 0);
    }

    #[test]
    fn null_with_credentials_is_a_policy_error() {
        let ctx = |credentials, allow_null| LintContext {
            preset: Preset::Production,
            credentials,
            allow_null,
            ..LintContext::default()
        };
        let entries = ["https://app.example.com"];
        // In production `allow_null` is also flagged on its own (a warning).
        assert_eq!(
            run(&entries, ctx(true, true)),
            [
                (1, "lint_null_credentials", None),
                (1, "lint_allow_null_production", None)
            ]
        );
        assert_eq!(
            run(&entries, ctx(false, true)),
            [(1, "lint_allow_null_production", None)]
        );
        assert_eq!(run(&entries, ctx(true, false)), []);
        assert_eq!(LintCode::NullCredentials.severity(), Severity::Error);
    }

    #[test]
    fn dev_auth_bypass_is_an_error_in_production_only() {
        let prod = LintContext {
            dev_auth_bypass: true,
            ..LintContext::default()
        };
        let entries = ["https://app.example.com"];
        assert_eq!(
            run(&entries, prod),
            [(1, "lint_dev_auth_bypass_production", None)]
        );
        assert_eq!(
            LintCode::DevAuthBypassProduction.severity(),
            Severity::Error
        );
        let dev = LintContext {
            preset: Preset::Development,
            ..prod
        };
        assert_eq!(run(&entries, dev), []);
    }
}
