//! The kinds of mistake the policy linter reports: one [`diagnostics!`](crate::diag::diagnostics)
//! table gives each its code, severity, sentence and fix.

use crate::origin::PatternError;

/// Why a `ws://`/`wss://` allowed-origin entry is wrong (the linter and
/// [`PatternError::WsScheme`] say the same).
pub(crate) const WS_SCHEME_REASON: &str = "`ws://`/`wss://` is the socket's address, not a page's origin: browsers send the origin of the page that opens the socket (`http://` or `https://`, the page's own host and port) in the Origin header, never `ws://` or `wss://`, so this entry never matches a browser";
/// The fix for a `ws://`/`wss://` entry: the page's origin, not the backend's address.
pub(crate) const WS_SCHEME_REMEDY: &str = "write the origin of the page that opens the socket, as `location.origin` shows it in that page's console (e.g. `http://localhost:5173` for a dev server), not the WebSocket server's own address";

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Severity {
    /// The entry is wrong: it never matches what was meant, or it is unsafe.
    Error,
    /// The entry works but is redundant or risky.
    Warning,
}

impl Severity {
    /// `"error"` / `"warning"`.
    pub const fn name(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The kind of mistake (see the table in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LintCode {
    /// `null` as an entry.
    Null,
    /// `ws://` or `wss://`.
    WsScheme,
    /// A scheme whose pages send `Origin: null`.
    OpaqueScheme,
    /// No `scheme://`.
    NoScheme,
    /// `.example.com`.
    LeadingDot,
    /// A path, query or fragment.
    Path,
    /// A trailing `/`.
    TrailingSlash,
    /// Does not parse for another reason.
    Invalid(PatternError),
    /// `*` in production.
    WildcardProduction,
    /// `*` with credentials.
    WildcardCredentials,
    /// `*.` over a public suffix.
    PublicSuffix,
    /// `http://` for a non-loopback host in production.
    HttpProduction,
    /// Same as an earlier entry.
    Duplicate,
    /// Fully covered by another entry.
    Shadowed,
    /// `allow_null` together with CORS credentials.
    NullCredentials,
    /// `allow_null` with the production preset (not an entry: `index` is the list length).
    NullProduction,
    /// `allow_missing` with the production preset (not an entry: `index` is the list length).
    MissingProduction,
    /// `dev_auth_bypass` with the production preset (not an entry: `index` is the list length).
    DevAuthBypassProduction,
}

crate::diag::diagnostics! {
    LintCode in "wsguard_core::origin" display {
        /// Error or warning.
        pub fn severity(&self) -> Severity;
    }
    Null => {
        code: "lint_null",
        reason: "`null` is not an origin pattern; it is what sandboxed iframes, file:// pages and some redirects send",
        remedy: "remove the entry; set `allow_null` only if you really serve sandboxed or file:// pages",
        severity: Severity::Error,
    },
    WsScheme => {
        code: "lint_ws_scheme",
        reason: WS_SCHEME_REASON,
        remedy: WS_SCHEME_REMEDY,
        severity: Severity::Error,
    },
    OpaqueScheme => {
        code: "lint_opaque_scheme",
        reason: "pages with this scheme send `Origin: null`, so this entry never matches",
        remedy: "remove the entry; serve the page over http(s), or set `allow_null` if you must",
        severity: Severity::Error,
    },
    NoScheme => {
        code: "lint_no_scheme",
        reason: "the entry has no scheme; an Origin always starts with `http://` or `https://`, so this entry never matches",
        remedy: "add the scheme: `https://example.com` (`http://localhost:3000` for local development)",
        severity: Severity::Error,
    },
    LeadingDot => {
        code: "lint_leading_dot",
        reason: "a leading dot (`.example.com`) is cookie-domain syntax; origin patterns write subdomains as `*.example.com`",
        remedy: "write `https://*.example.com`",
        severity: Severity::Error,
    },
    Path => {
        code: "lint_path",
        reason: "the entry has a path, query or fragment; the Origin header is only scheme://host[:port], so this entry never matches",
        remedy: "keep only scheme://host[:port]",
        severity: Severity::Error,
    },
    TrailingSlash => {
        code: "lint_trailing_slash",
        reason: "the entry ends with `/`; the Origin header never does, so this entry never matches",
        remedy: "keep only scheme://host[:port]",
        severity: Severity::Error,
    },
    Invalid(e) => {
        each: PatternError::ALL,
        code: "lint_invalid",
        reason: e.reason(),
        remedy: e.remedy(),
        severity: Severity::Error,
    },
    WildcardProduction => {
        code: "lint_wildcard_production",
        reason: "`*` allows every web page on the internet to open sockets to this server in production",
        remedy: "list the real origins of your pages instead of `*`",
        severity: Severity::Error,
    },
    WildcardCredentials => {
        code: "lint_wildcard_credentials",
        reason: "`*` together with credentials lets every site make authenticated requests with your users' cookies",
        remedy: "list the real origins of your pages instead of `*` (browsers refuse `*` with credentials anyway)",
        severity: Severity::Error,
    },
    PublicSuffix => {
        code: "lint_public_suffix",
        reason: "the wildcard covers a public suffix, so anyone can register a matching domain",
        remedy: "use a wildcard below your own registered domain, e.g. `https://*.example.com`, or list the exact origins",
        severity: Severity::Error,
    },
    HttpProduction => {
        code: "lint_http_production",
        reason: "plain `http://` for a public host in production: the page (and its cookies) can be tampered with in transit",
        remedy: "serve the page over https and write `https://`",
        severity: Severity::Warning,
    },
    Duplicate => {
        code: "lint_duplicate",
        reason: "the entry allows the same origins as an earlier entry (after normalising case and default ports)",
        remedy: "remove the duplicate entry",
        severity: Severity::Warning,
    },
    Shadowed => {
        code: "lint_shadowed",
        reason: "every origin this entry allows is already allowed by another entry",
        remedy: "remove the entry, or narrow the broader one",
        severity: Severity::Warning,
    },
    NullCredentials => {
        code: "lint_null_credentials",
        reason: "`allow_null` with CORS credentials would let every sandboxed iframe and file:// page make requests with your users' cookies (the CORS responder refuses `null` with credentials)",
        remedy: "turn `allow_null` off, or turn CORS credentials off",
        severity: Severity::Error,
    },
    NullProduction => {
        code: "lint_allow_null_production",
        reason: "`allow_null` in production: any site can open a socket from a sandboxed iframe (it sends `Origin: null`), so the Origin check protects nothing",
        remedy: "turn `allow_null` off and serve the page from a real origin; if a sandboxed page must connect, give it a token",
        severity: Severity::Warning,
    },
    MissingProduction => {
        code: "lint_allow_missing_production",
        reason: "`allow_missing` in production: requests without Origin (scripts, devices, curl) pass the Origin check, so they must be authenticated some other way",
        remedy: "keep `allow_missing` only if non-browser clients connect, and require a token from them",
        severity: Severity::Warning,
    },
    DevAuthBypassProduction => {
        code: "lint_dev_auth_bypass_production",
        reason: "`dev_auth_bypass` in production: every connection without a token would be accepted, so the server refuses to start with it",
        remedy: "turn `dev_auth_bypass` off for production; it is meant for a development preset on a developer machine",
        severity: Severity::Error,
    },
}
