//! The CORS responder: `Access-Control-Allow-*` headers computed from the same
//! [`OriginPolicy`] that guards WebSocket upgrades, so the two can never drift apart.
//!
//! Rules:
//! * an allowed origin is echoed in `Access-Control-Allow-Origin` (never `*`, so the
//!   answer is valid with credentials too); `null` is echoed as `null` when allowed;
//! * a refused origin gets no `Access-Control-Allow-*` header at all, but still `Vary`;
//! * `Vary: Origin` always (preflights also vary on the two request headers);
//! * a request without Origin is not a CORS request: only `Vary` is written;
//! * preflight = `OPTIONS` + `Access-Control-Request-Method`. The method must be
//!   CORS-safelisted (`GET`, `HEAD`, `POST`) or listed (case-sensitive); every requested
//!   header must be listed (case-insensitive). `*` in a list is a wildcard only without
//!   credentials, and never covers `authorization` (as in the Fetch standard).
//! * `Origin: null` with credentials on is refused (`cors_null_credentials`), even when
//!   the policy allows `null`: any sandboxed iframe or `file:` page sends `null`, so
//!   `Access-Control-Allow-Origin: null` with credentials hands every one of them the
//!   user's cookies;
//! * several Origin values (two headers joined, or a list) are `origin_multiple`, as on
//!   the WebSocket path;
//! * list strings holding a control character ([`CorsConfig::check`]) are never written.

use super::parse::Origin;
use super::policy::{OriginDenial, OriginPolicy};
use crate::text::{check_config_text, ControlChar};
use crate::{BufferTooSmall, Cursor};

/// CORS settings besides the origins (those come from the [`OriginPolicy`]).
///
/// Lists are comma-separated strings, written into the headers as given.
///
/// ```
/// use wsguard_core::origin::CorsConfig;
/// let cfg = CorsConfig::new().credentials(true).methods("GET, POST, PUT").headers("authorization, content-type").max_age(600);
/// assert!(cfg.credentials);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CorsConfig<'a> {
    /// Send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth).
    pub credentials: bool,
    /// Allowed methods for preflights, e.g. `"GET, POST, PUT"` (empty: safelisted only).
    pub methods: &'a str,
    /// Allowed request headers, e.g. `"authorization, content-type"` (empty: none).
    pub headers: &'a str,
    /// Response headers the page may read, e.g. `"x-request-id"` (empty: none).
    pub expose_headers: &'a str,
    /// Seconds a preflight may be cached (`None`: header omitted).
    pub max_age: Option<u32>,
}

impl Default for CorsConfig<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> CorsConfig<'a> {
    /// No credentials, methods `GET, HEAD, POST`, no extra headers, no max age.
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::CorsConfig::new().methods, "GET, HEAD, POST");
    /// ```
    pub const fn new() -> Self {
        CorsConfig {
            credentials: false,
            methods: "GET, HEAD, POST",
            headers: "",
            expose_headers: "",
            max_age: None,
        }
    }
    /// Sets [`credentials`](Self::credentials).
    ///
    /// ```
    /// use wsguard_core::origin::{CorsConfig, CorsRequest, OriginPolicy, Pattern};
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let policy = OriginPolicy::new(&allowed);
    /// let cfg = CorsConfig::new().credentials(true);
    /// let resp = policy.cors(&cfg, &CorsRequest::simple(b"GET", Some(b"https://app.example.com")));
    /// assert!(resp.headers().any(|h| h == ("Access-Control-Allow-Credentials", "true")));
    /// ```
    pub const fn credentials(mut self, on: bool) -> Self {
        self.credentials = on;
        self
    }
    /// Sets [`methods`](Self::methods).
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// assert_eq!(CorsConfig::new().methods("GET, POST").methods, "GET, POST");
    /// ```
    pub const fn methods(mut self, list: &'a str) -> Self {
        self.methods = list;
        self
    }
    /// Sets [`headers`](Self::headers).
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// assert_eq!(CorsConfig::new().headers("Authorization, Content-Type").headers, "Authorization, Content-Type");
    /// ```
    pub const fn headers(mut self, list: &'a str) -> Self {
        self.headers = list;
        self
    }
    /// Sets [`expose_headers`](Self::expose_headers).
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// assert_eq!(CorsConfig::new().expose_headers("X-Request-Id").expose_headers, "X-Request-Id");
    /// ```
    pub const fn expose_headers(mut self, list: &'a str) -> Self {
        self.expose_headers = list;
        self
    }
    /// Checks the list strings for control characters (CR, LF, …) that would split a
    /// response header; call it where the configuration is built. [`OriginPolicy::cors`]
    /// never writes a list that fails this check.
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// use wsguard_core::Diagnostic;
    /// assert!(CorsConfig::new().check().is_ok());
    /// let bad = CorsConfig::new().methods("GET\r\nSet-Cookie: pwn=1");
    /// assert_eq!(bad.check().unwrap_err().code(), "config_control_char");
    /// ```
    pub fn check(&self) -> Result<(), ControlChar> {
        check_config_text(self.methods)?;
        check_config_text(self.headers)?;
        check_config_text(self.expose_headers)
    }
    /// Sets [`max_age`](Self::max_age).
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// assert_eq!(CorsConfig::new().max_age(600).max_age, Some(600));
    /// ```
    pub const fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(seconds);
        self
    }
}

/// The parts of an HTTP request CORS looks at.
///
/// ```
/// use wsguard_core::origin::CorsRequest;
/// let req = CorsRequest::preflight(b"https://app.example.com", b"PUT", Some(b"content-type"));
/// assert!(req.is_preflight());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CorsRequest<'r> {
    /// The request method (`GET`, `OPTIONS`, …).
    pub method: &'r [u8],
    /// The Origin header (`None`: absent).
    pub origin: Option<&'r [u8]>,
    /// `Access-Control-Request-Method`.
    pub request_method: Option<&'r [u8]>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Option<&'r [u8]>,
}

impl<'r> CorsRequest<'r> {
    /// A simple (actual) request.
    ///
    /// ```
    /// let r = wsguard_core::origin::CorsRequest::simple(b"GET", Some(b"https://a.com"));
    /// assert!(!r.is_preflight());
    /// ```
    pub const fn simple(method: &'r [u8], origin: Option<&'r [u8]>) -> Self {
        CorsRequest {
            method,
            origin,
            request_method: None,
            request_headers: None,
        }
    }
    /// A preflight: `OPTIONS` with `Access-Control-Request-Method`.
    ///
    /// ```
    /// use wsguard_core::origin::{CorsConfig, CorsRequest, OriginPolicy, Pattern};
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let cfg = CorsConfig::new().methods("GET, POST").headers("Content-Type").max_age(600);
    /// let req = CorsRequest::preflight(b"https://app.example.com", b"POST", Some(b"content-type"));
    /// let resp = OriginPolicy::new(&allowed).cors(&cfg, &req);
    /// assert_eq!(resp.status(), Some(204));
    /// assert!(resp.headers().any(|h| h == ("Access-Control-Max-Age", "600")));
    /// ```
    pub const fn preflight(
        origin: &'r [u8],
        request_method: &'r [u8],
        request_headers: Option<&'r [u8]>,
    ) -> Self {
        CorsRequest {
            method: b"OPTIONS",
            origin: Some(origin),
            request_method: Some(request_method),
            request_headers,
        }
    }
    /// `OPTIONS` carrying `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == b"OPTIONS" && self.request_method.is_some()
    }
}

/// Why a CORS request gets no `Access-Control-Allow-*` headers.
///
/// ```
/// use wsguard_core::origin::{CorsDenial, OriginDenial};
/// use wsguard_core::Diagnostic;
/// assert_eq!(CorsDenial::Method.code(), "cors_method");
/// assert_eq!(CorsDenial::Origin(OriginDenial::Host).code(), "origin_host");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CorsDenial {
    /// The origin is refused by the policy (the origin's own code).
    Origin(OriginDenial),
    /// The preflight asks for a method not in the allowed methods (`cors_method`).
    Method,
    /// The preflight asks for a header not in the allowed headers (`cors_headers`).
    Headers,
    /// `Origin: null` while credentials are on (`cors_null_credentials`).
    NullCredentials,
}

crate::diag::diagnostics! {
    CorsDenial in "wsguard_core::origin" display {
        /// 403 Forbidden.
        pub fn http_status(&self) -> u16;
    }
    Origin(d) => {
        each: OriginDenial::ALL,
        code: d.code(),
        reason: d.reason(),
        remedy: d.remedy(),
        http_status: 403,
    },
    Method => {
        code: "cors_method",
        reason: "the preflight's Access-Control-Request-Method names a method that is not in the allowed CORS methods",
        remedy: "add the method (case-sensitive, e.g. `PUT`) to the CORS methods, or stop sending it from the page",
        http_status: 403,
    },
    Headers => {
        code: "cors_headers",
        reason: "the preflight's Access-Control-Request-Headers names a header that is not in the allowed CORS headers",
        remedy: "add each requested header (e.g. `authorization, content-type`) to the CORS headers, or stop sending it from the page",
        http_status: 403,
    },
    NullCredentials => {
        code: "cors_null_credentials",
        reason: "the Origin is `null` and CORS credentials are on; `Access-Control-Allow-Origin: null` with credentials would give every sandboxed or file:// page the user's cookies",
        remedy: "serve the page from a real origin and allow that origin; or turn CORS credentials off for `null` pages",
        http_status: 403,
    },
}

/// The CORS headers to add to one response. Holds no allocation; values borrow the
/// request, the config or `'static` text.
///
/// ```
/// use wsguard_core::origin::{OriginPolicy, Pattern, CorsConfig, CorsRequest};
/// let patterns = [Pattern::parse("https://app.example.com").unwrap()];
/// let policy = OriginPolicy::new(&patterns);
/// let cfg = CorsConfig::new().credentials(true);
/// let resp = policy.cors(&cfg, &CorsRequest::simple(b"GET", Some(b"https://app.example.com")));
/// let mut it = resp.headers();
/// assert_eq!(it.next(), Some(("Access-Control-Allow-Origin", "https://app.example.com")));
/// assert_eq!(it.next(), Some(("Access-Control-Allow-Credentials", "true")));
/// assert_eq!(it.next(), Some(("Vary", "Origin")));
/// assert_eq!(it.next(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CorsResponse<'r> {
    preflight: bool,
    outcome: Result<Origin<'r>, CorsDenial>,
    credentials: bool,
    methods: &'r str,
    headers: &'r str,
    expose_headers: &'r str,
    max_age: [u8; 10],
    max_age_len: u8,
}

const VARY_SIMPLE: &str = "Origin";
const VARY_PREFLIGHT: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

fn list_items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',')
        .map(|s| s.trim_matches([' ', '\t']))
        .filter(|s| !s.is_empty())
}

/// The list as configured, or empty when it holds a control character.
fn safe_list(list: &str) -> &str {
    if check_config_text(list).is_ok() {
        list
    } else {
        ""
    }
}

fn method_allowed(cfg: &CorsConfig<'_>, method: &[u8]) -> bool {
    if matches!(method, b"GET" | b"HEAD" | b"POST") {
        return true;
    }
    list_items(cfg.methods).any(|m| m.as_bytes() == method || (m == "*" && !cfg.credentials))
}

/// Request headers always allowed, as Starlette's `CORSMiddleware` does (a JSON `POST`
/// asks for `content-type`, which the Fetch safelist excludes for `application/json`).
const SAFELISTED: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

/// How a preflight's requested headers fare: `Err(header)` names the first refused one;
/// `Ok(true)` when one is allowed only by [`SAFELISTED`] (the answer must then list the
/// requested headers, not the configured ones).
fn headers_verdict<'q>(cfg: &CorsConfig<'_>, requested: &'q [u8]) -> Result<bool, &'q str> {
    let Ok(requested) = core::str::from_utf8(requested) else {
        return Err("");
    };
    let wildcard = !cfg.credentials && list_items(cfg.headers).any(|h| h == "*");
    let mut via_safelist = false;
    for r in list_items(requested) {
        if list_items(cfg.headers).any(|h| h.eq_ignore_ascii_case(r))
            || (wildcard && !r.eq_ignore_ascii_case("authorization"))
        {
            continue;
        }
        if SAFELISTED.iter().any(|s| s.eq_ignore_ascii_case(r)) {
            via_safelist = true;
            continue;
        }
        return Err(r);
    }
    Ok(via_safelist)
}

impl<'a> CorsConfig<'a> {
    /// The first header of a preflight's `Access-Control-Request-Headers` this config
    /// refuses (for the log line of a refused preflight), `None` when all are allowed.
    /// `accept`, `accept-language`, `content-language` and `content-type` are always
    /// allowed, as by Starlette's `CORSMiddleware`.
    ///
    /// ```
    /// use wsguard_core::origin::CorsConfig;
    /// let cfg = CorsConfig::new();
    /// assert_eq!(cfg.refused_header(b"content-type, x-api-key"), Some("x-api-key"));
    /// assert_eq!(cfg.refused_header(b"Content-Type"), None);
    /// ```
    pub fn refused_header<'q>(&self, requested: &'q [u8]) -> Option<&'q str> {
        headers_verdict(self, requested).err()
    }
}

impl<'a> OriginPolicy<'a> {
    /// Computes the CORS headers for a simple or preflight request from this policy.
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, Pattern, CorsConfig, CorsRequest};
    /// use wsguard_core::Diagnostic;
    /// let patterns = [Pattern::parse("https://app.example.com").unwrap()];
    /// let policy = OriginPolicy::new(&patterns);
    /// let cfg = CorsConfig::new().methods("GET, PUT").headers("content-type").max_age(600);
    /// let ok = policy.cors(&cfg, &CorsRequest::preflight(b"https://app.example.com", b"PUT", Some(b"content-type")));
    /// assert!(ok.is_allowed());
    /// assert_eq!(ok.status(), Some(204));
    /// let no = policy.cors(&cfg, &CorsRequest::preflight(b"https://app.example.com", b"DELETE", None));
    /// assert_eq!(no.denial().unwrap().code(), "cors_method");
    /// ```
    pub fn cors<'r>(&self, config: &CorsConfig<'r>, request: &CorsRequest<'r>) -> CorsResponse<'r> {
        self.cors_values(config, request, request.origin.as_slice())
    }

    /// [`cors`](Self::cors) for a request whose Origin header appeared `values.len()`
    /// times (`request.origin` is ignored): none is not a CORS request, one is checked,
    /// several are refused as `origin_multiple` — exactly as [`OriginPolicy::check_values`]
    /// answers the WebSocket path.
    ///
    /// ```
    /// use wsguard_core::origin::{CorsConfig, CorsRequest, OriginPolicy, Pattern};
    /// use wsguard_core::Diagnostic;
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let req = CorsRequest::simple(b"GET", None);
    /// let two: [&[u8]; 2] = [b"https://app.example.com", b"https://app.example.com"];
    /// let resp = OriginPolicy::new(&allowed).cors_values(&CorsConfig::new(), &req, &two);
    /// assert_eq!(resp.denial().unwrap().code(), "origin_multiple");
    /// ```
    pub fn cors_values<'r>(
        &self,
        config: &CorsConfig<'r>,
        request: &CorsRequest<'r>,
        values: &[&'r [u8]],
    ) -> CorsResponse<'r> {
        let preflight = request.is_preflight();
        let mut resp = CorsResponse {
            preflight,
            outcome: Ok(Origin::MISSING),
            credentials: false,
            methods: "",
            headers: "",
            expose_headers: "",
            max_age: [0; 10],
            max_age_len: 0,
        };
        let value = match values {
            // Not a CORS request: nothing to allow, nothing to refuse.
            [] => return resp,
            [one] => *one,
            _ => {
                resp.outcome = Err(CorsDenial::Origin(OriginDenial::Multiple));
                return resp;
            }
        };
        let origin = match Origin::parse(value).and_then(|o| self.check_origin(&o).map(|()| o)) {
            Ok(o) if o.is_null() && config.credentials => {
                resp.outcome = Err(CorsDenial::NullCredentials);
                return resp;
            }
            Ok(o) => o,
            Err(d) => {
                resp.outcome = Err(CorsDenial::Origin(d));
                return resp;
            }
        };
        if preflight {
            if !method_allowed(config, request.request_method.unwrap_or(b"")) {
                resp.outcome = Err(CorsDenial::Method);
                return resp;
            }
            let requested = request.request_headers.unwrap_or(b"");
            let Ok(via_safelist) = headers_verdict(config, requested) else {
                resp.outcome = Err(CorsDenial::Headers);
                return resp;
            };
            resp.methods = safe_list(config.methods);
            resp.headers = match core::str::from_utf8(requested) {
                // Every requested header is allowed: list exactly those (tokens checked by
                // the safelist verdict, so no control character can be echoed).
                Ok(r) if via_safelist && check_config_text(r).is_ok() => r,
                _ => safe_list(config.headers),
            };
            if let Some(age) = config.max_age {
                let mut tmp = [0u8; 20];
                let digits = crate::write::decimal(age.into(), &mut tmp);
                if let Some(dst) = resp.max_age.get_mut(..digits.len()) {
                    dst.copy_from_slice(digits); // a u32 has at most 10 digits
                    resp.max_age_len = digits.len() as u8;
                }
            }
        } else {
            resp.expose_headers = safe_list(config.expose_headers);
        }
        resp.credentials = config.credentials;
        resp.outcome = Ok(origin);
        resp
    }
}

impl<'r> CorsResponse<'r> {
    /// `true` when the request was a preflight.
    pub fn is_preflight(&self) -> bool {
        self.preflight
    }
    /// `true` unless the origin, method or headers were refused.
    pub fn is_allowed(&self) -> bool {
        self.outcome.is_ok()
    }
    /// `true` when the request carried an Origin (a CORS request at all).
    pub fn is_cors(&self) -> bool {
        !matches!(self.outcome, Ok(o) if o.is_missing())
    }
    /// Why no `Access-Control-Allow-*` headers are sent.
    ///
    /// ```
    /// use wsguard_core::origin::{CorsConfig, CorsDenial, CorsRequest, OriginPolicy, Pattern};
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let req = CorsRequest::simple(b"GET", Some(b"https://evil.example"));
    /// let resp = OriginPolicy::new(&allowed).cors(&CorsConfig::new(), &req);
    /// assert!(!resp.is_allowed());
    /// assert!(matches!(resp.denial(), Some(CorsDenial::Origin(_))));
    /// ```
    pub fn denial(&self) -> Option<CorsDenial> {
        self.outcome.err()
    }
    /// The allowed origin (`Origin::MISSING` for non-CORS requests).
    pub fn origin(&self) -> Option<Origin<'r>> {
        self.outcome.ok()
    }
    /// Status for a preflight: 204 when allowed, 403 when refused; `None` for simple
    /// requests (the application answers those itself).
    pub fn status(&self) -> Option<u16> {
        match (&self.outcome, self.preflight) {
            (Err(d), _) => Some(d.http_status()),
            (Ok(o), true) if !o.is_missing() => Some(204),
            _ => None,
        }
    }

    fn header(&self, i: usize) -> Option<(&'static str, &str)> {
        let origin = match self.outcome {
            Ok(o) if !o.is_missing() => Some(o),
            _ => None,
        };
        let nonempty = |s: &'r str| if s.is_empty() { None } else { Some(s) };
        match i {
            0 => origin.map(|o| ("Access-Control-Allow-Origin", o.as_str())),
            1 => origin
                .filter(|_| self.credentials)
                .map(|_| ("Access-Control-Allow-Credentials", "true")),
            2 => origin
                .and_then(|_| nonempty(self.methods))
                .map(|v| ("Access-Control-Allow-Methods", v)),
            3 => origin
                .and_then(|_| nonempty(self.headers))
                .map(|v| ("Access-Control-Allow-Headers", v)),
            4 => {
                let digits = self
                    .max_age
                    .get(..usize::from(self.max_age_len))
                    .unwrap_or(&[]);
                let v = core::str::from_utf8(digits).unwrap_or("");
                origin
                    .filter(|_| !v.is_empty())
                    .map(|_| ("Access-Control-Max-Age", v))
            }
            5 => origin
                .and_then(|_| nonempty(self.expose_headers))
                .map(|v| ("Access-Control-Expose-Headers", v)),
            6 => Some((
                "Vary",
                if self.preflight {
                    VARY_PREFLIGHT
                } else {
                    VARY_SIMPLE
                },
            )),
            _ => None,
        }
    }

    /// The header (name, value) pairs, in a fixed order: Allow-Origin, Allow-Credentials,
    /// Allow-Methods, Allow-Headers, Max-Age, Expose-Headers, Vary.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        (0..7).filter_map(move |i| self.header(i))
    }

    /// Writes the headers as `Name: value\r\n` lines.
    ///
    /// ```
    /// use wsguard_core::origin::{OriginPolicy, CorsConfig, CorsRequest};
    /// use wsguard_core::Cursor;
    /// let policy = OriginPolicy::new(&[]);
    /// let resp = policy.cors(&CorsConfig::new(), &CorsRequest::simple(b"GET", Some(b"https://evil.example")));
    /// let mut buf = [0u8; 64];
    /// let mut cur = Cursor::new(&mut buf);
    /// resp.write_headers(&mut cur).unwrap();
    /// assert_eq!(cur.written(), b"Vary: Origin\r\n");
    /// ```
    pub fn write_headers(&self, cursor: &mut Cursor<'_>) -> Result<(), BufferTooSmall> {
        let mut result = Ok(());
        for (name, value) in self.headers() {
            for part in [name, ": ", value, "\r\n"] {
                if let Err(e) = cursor.put_str(part) {
                    result = Err(e);
                }
            }
        }
        result.and(cursor.finish().map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::Pattern;

    #[test]
    fn missing_origin_is_not_cors() {
        let policy = OriginPolicy::new(&[Pattern::ANY]);
        let r = policy.cors(&CorsConfig::new(), &CorsRequest::simple(b"GET", None));
        assert!(r.is_allowed() && !r.is_cors());
        assert_eq!(r.status(), None);
        assert_eq!(
            r.headers().collect::<std::vec::Vec<_>>(),
            [("Vary", "Origin")]
        );
    }

    #[test]
    fn refused_preflight_has_only_vary() {
        let policy = OriginPolicy::new(&[]);
        let r = policy.cors(
            &CorsConfig::new(),
            &CorsRequest::preflight(b"https://a.com", b"GET", None),
        );
        assert_eq!(r.denial(), Some(CorsDenial::Origin(OriginDenial::Host)));
        assert_eq!(r.status(), Some(403));
        assert_eq!(r.headers().count(), 1);
    }

    #[test]
    fn null_with_credentials_is_never_echoed() {
        let policy = OriginPolicy::new(&[]).allow_null(true);
        let with = CorsConfig::new().credentials(true);
        let r = policy.cors(&with, &CorsRequest::simple(b"GET", Some(b"null")));
        assert_eq!(r.denial(), Some(CorsDenial::NullCredentials));
        assert_eq!(
            r.headers().collect::<std::vec::Vec<_>>(),
            [("Vary", "Origin")]
        );
        let without = policy.cors(
            &CorsConfig::new(),
            &CorsRequest::simple(b"GET", Some(b"null")),
        );
        assert!(without
            .headers()
            .any(|h| h == ("Access-Control-Allow-Origin", "null")));
    }

    #[test]
    fn lists_with_control_characters_are_never_written() {
        let policy = OriginPolicy::new(&[Pattern::ANY]);
        let cfg = CorsConfig::new()
            .methods("PUT\r\nSet-Cookie: pwn=1")
            .expose_headers("x\n");
        assert!(cfg.check().is_err());
        let r = policy.cors(
            &cfg,
            &CorsRequest::preflight(b"https://a.com", b"GET", None),
        );
        assert!(r.is_allowed());
        assert!(r.headers().all(|(_, v)| !v.contains(['\r', '\n'])));
        let s = policy.cors(&cfg, &CorsRequest::simple(b"GET", Some(b"https://a.com")));
        assert!(s
            .headers()
            .all(|(n, _)| n != "Access-Control-Expose-Headers"));
    }
}
