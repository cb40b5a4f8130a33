//! Server configuration: which origins and hosts, which subprotocols, where the bearer
//! token may travel, and the size limits. Built once, usually in a `static`.

use super::Limits;
use crate::origin::{HostPolicy, OriginPolicy};

/// How a bearer token travels inside `Sec-WebSocket-Protocol` (browsers cannot set
/// `Authorization` on a WebSocket, so many stacks put it there).
///
/// ```
/// use wsguard_core::handshake::SubprotocolToken;
/// // Kubernetes: `Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io.<token>, v4.channel.k8s.io`
/// let k8s = SubprotocolToken::Prefix("base64url.bearer.authorization.k8s.io.");
/// // Pair form: `Sec-WebSocket-Protocol: bearer, <token>`
/// let pair = SubprotocolToken::Pair("bearer");
/// assert_ne!(k8s, pair);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SubprotocolToken<'a> {
    /// One entry `<prefix><token>`, e.g. `access_token.<token>`. The prefix is matched
    /// case-sensitively; the entry is never chosen as the subprotocol.
    Prefix(&'a str),
    /// A marker entry followed by the token as the next entry: `bearer, <token>`.
    /// The token entry is never chosen; the marker itself may be (list it in
    /// [`ServerConfig::subprotocols`] when your clients need it echoed — Chrome fails a
    /// connection that offered subprotocols and got none back).
    Pair(&'a str),
}

impl<'a> SubprotocolToken<'a> {
    /// The one meaning of the two token-in-subprotocol options every tier exposes (the
    /// std configuration's `token.subprotocol_prefix` / `token.subprotocol_pair`, the C
    /// options `token_subprotocol_prefix` / `token_subprotocol_pair`, Python's
    /// `token_subprotocol_prefix` / `token_subprotocol_marker`):
    ///
    /// | prefix | pair marker | form |
    /// |---|---|---|
    /// | unset | unset | `None`: the subprotocol header carries no token |
    /// | set | unset | [`SubprotocolToken::Prefix`] |
    /// | unset | set | [`SubprotocolToken::Pair`] |
    /// | set | set | [`TokenOptionError::Conflict`] (`token_subprotocol_conflict`) |
    /// | `""` | — | [`TokenOptionError::EmptyPrefix`] (`token_subprotocol_empty_prefix`) |
    /// | — | `""` | [`TokenOptionError::EmptyMarker`] (`token_subprotocol_empty_marker`) |
    ///
    /// A conflict is reported before an empty value. Defaults (such as the std adapter's
    /// "pair `bearer` when neither is set") are the tier's, applied to `Ok(None)`.
    ///
    /// ```
    /// use wsguard_core::Diagnostic;
    /// use wsguard_core::handshake::{SubprotocolToken, TokenOptionError};
    /// assert_eq!(SubprotocolToken::from_options(None, Some("bearer")), Ok(Some(SubprotocolToken::Pair("bearer"))));
    /// assert_eq!(SubprotocolToken::from_options(None, None), Ok(None));
    /// let e = SubprotocolToken::from_options(Some("access_token."), Some("bearer")).unwrap_err();
    /// assert_eq!((e, e.code()), (TokenOptionError::Conflict, "token_subprotocol_conflict"));
    /// ```
    pub const fn from_options(
        prefix: Option<&'a str>,
        pair: Option<&'a str>,
    ) -> Result<Option<SubprotocolToken<'a>>, TokenOptionError> {
        match (prefix, pair) {
            (Some(_), Some(_)) => Err(TokenOptionError::Conflict),
            (Some(p), None) if p.is_empty() => Err(TokenOptionError::EmptyPrefix),
            (Some(p), None) => Ok(Some(SubprotocolToken::Prefix(p))),
            (None, Some(m)) if m.is_empty() => Err(TokenOptionError::EmptyMarker),
            (None, Some(m)) => Ok(Some(SubprotocolToken::Pair(m))),
            (None, None) => Ok(None),
        }
    }
}

/// Why the token-in-subprotocol options cannot be used
/// ([`SubprotocolToken::from_options`]). A configuration error: a tier reports it when
/// it is configured, before any connection.
///
/// ```
/// use wsguard_core::Diagnostic;
/// use wsguard_core::handshake::TokenOptionError;
/// assert_eq!(TokenOptionError::EmptyMarker.code(), "token_subprotocol_empty_marker");
/// assert_eq!(TokenOptionError::ALL.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TokenOptionError {
    /// Both the prefix and the pair marker are set: one `Sec-WebSocket-Protocol` header
    /// can carry the token in one form only.
    Conflict,
    /// The prefix is the empty string (every entry would be taken as a token).
    EmptyPrefix,
    /// The pair marker is the empty string (no entry can be empty, so it never matches).
    EmptyMarker,
}

impl TokenOptionError {
    /// Every variant (for tests and generated lists).
    pub const ALL: [TokenOptionError; 3] = [
        TokenOptionError::Conflict,
        TokenOptionError::EmptyPrefix,
        TokenOptionError::EmptyMarker,
    ];
}

impl crate::Diagnostic for TokenOptionError {
    fn code(&self) -> &'static str {
        match self {
            TokenOptionError::Conflict => "token_subprotocol_conflict",
            TokenOptionError::EmptyPrefix => "token_subprotocol_empty_prefix",
            TokenOptionError::EmptyMarker => "token_subprotocol_empty_marker",
        }
    }
    fn reason(&self) -> &'static str {
        match self {
            TokenOptionError::Conflict => "both the subprotocol token prefix and the subprotocol token pair marker are set, but the token travels in one form only",
            TokenOptionError::EmptyPrefix => "the subprotocol token prefix is empty, so every Sec-WebSocket-Protocol entry would be taken as a token",
            TokenOptionError::EmptyMarker => "the subprotocol token pair marker is empty, so it never matches an entry",
        }
    }
    fn remedy(&self) -> &'static str {
        match self {
            TokenOptionError::Conflict => "set only the form your clients send: the prefix for `<prefix><token>` (e.g. `access_token.`) or the pair marker for `<marker>, <token>` (e.g. `bearer`)",
            TokenOptionError::EmptyPrefix => "write the prefix your clients put before the token (e.g. `access_token.`), or leave the option unset",
            TokenOptionError::EmptyMarker => "write the marker entry your clients send before the token (e.g. `bearer`), or leave the option unset",
        }
    }
}

impl core::fmt::Display for TokenOptionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(crate::Diagnostic::reason(self))
    }
}

/// Where the server looks for a bearer token. Extraction only: the token is returned
/// as received (no JWT verification, no percent-decoding — a query token must already be
/// URL-safe, as base64url JWTs are).
///
/// ```
/// use wsguard_core::handshake::{SubprotocolToken, TokenConfig};
/// const TOKENS: TokenConfig = TokenConfig::DISABLED
///     .authorization(true)
///     .subprotocol(SubprotocolToken::Prefix("access_token."))
///     .query("token")
///     .required(true);
/// assert!(TOKENS.required);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TokenConfig<'a> {
    /// Read `Authorization: Bearer <token>` (when on, an `Authorization` header with
    /// another scheme is `token_malformed`).
    pub authorization: bool,
    /// Read the token from `Sec-WebSocket-Protocol` in this form.
    pub subprotocol: Option<SubprotocolToken<'a>>,
    /// Read the token from this query parameter (`token` for `?token=…`).
    pub query: Option<&'a str>,
    /// Reject with 401 `token_missing` when no token was found.
    pub required: bool,
}

impl<'a> TokenConfig<'a> {
    /// Looks nowhere; no token is ever required.
    pub const DISABLED: TokenConfig<'static> = TokenConfig {
        authorization: false,
        subprotocol: None,
        query: None,
        required: false,
    };

    /// Turns the `Authorization: Bearer` source on or off.
    ///
    /// ```
    /// # use wsguard_core::handshake::TokenConfig;
    /// assert!(TokenConfig::DISABLED.authorization(true).authorization);
    /// ```
    pub const fn authorization(mut self, on: bool) -> Self {
        self.authorization = on;
        self
    }

    /// Reads the token from `Sec-WebSocket-Protocol` in `form`.
    ///
    /// ```
    /// # use wsguard_core::handshake::{TokenConfig, SubprotocolToken};
    /// let t = TokenConfig::DISABLED.subprotocol(SubprotocolToken::Pair("bearer"));
    /// assert_eq!(t.subprotocol, Some(SubprotocolToken::Pair("bearer")));
    /// ```
    pub const fn subprotocol(mut self, form: SubprotocolToken<'a>) -> Self {
        self.subprotocol = Some(form);
        self
    }

    /// Reads the token from the query parameter `name`.
    ///
    /// ```
    /// # use wsguard_core::handshake::TokenConfig;
    /// assert_eq!(TokenConfig::DISABLED.query("token").query, Some("token"));
    /// ```
    pub const fn query(mut self, name: &'a str) -> Self {
        self.query = Some(name);
        self
    }

    /// Requires a token (401 `token_missing` without one).
    ///
    /// ```
    /// # use wsguard_core::handshake::TokenConfig;
    /// assert!(TokenConfig::DISABLED.required(true).required);
    /// ```
    pub const fn required(mut self, on: bool) -> Self {
        self.required = on;
        self
    }
}

impl Default for TokenConfig<'_> {
    fn default() -> Self {
        TokenConfig::DISABLED
    }
}

/// Everything the server-side handshake checks against.
///
/// ```
/// use wsguard_core::handshake::{Limits, ServerConfig, TokenConfig};
/// use wsguard_core::origin::{HostPolicy, OriginPolicy};
/// const ORIGINS: OriginPolicy<'static> = OriginPolicy::new(&[]);
/// const CONFIG: ServerConfig<'static> = ServerConfig::new(ORIGINS)
///     .hosts(HostPolicy::new(&["chat.example.com"]))
///     .subprotocols(&["graphql-transport-ws", "graphql-ws"])
///     .require_subprotocol(true)
///     .token(TokenConfig::DISABLED.authorization(true).required(true))
///     .limits(Limits::DEFAULT);
/// assert_eq!(CONFIG.subprotocols.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig<'a> {
    /// The Origin policy (browsers' cross-site WebSocket hijacking defence).
    pub origin: OriginPolicy<'a>,
    /// The Host allowlist (DNS-rebinding defence); an empty policy allows any Host.
    pub hosts: HostPolicy<'a>,
    /// Subprotocols the server speaks, most preferred first. The first one the client
    /// also offered is chosen — the server's order wins, not the client's.
    pub subprotocols: &'a [&'a str],
    /// Reject with 400 `subprotocol_no_match` when no subprotocol is chosen.
    pub require_subprotocol: bool,
    /// Where the bearer token may travel.
    pub token: TokenConfig<'a>,
    /// Size limits on the request head.
    pub limits: Limits,
    /// The development auth bypass ([`DevAuthBypass`](super::DevAuthBypass)): a request
    /// without a token is accepted (and marked
    /// [`Accepted::dev_auth_bypassed`](super::Accepted::dev_auth_bypassed)) instead of
    /// refused with `token_missing` — only when the Origin policy has the development
    /// preset. Set it only after [`DevAuthBypass::check`](super::DevAuthBypass::check)
    /// passed for the server's preset and listen address.
    pub dev_auth_bypass: bool,
    /// The HTTP server already performed the upgrade and hands over the request it
    /// upgraded (an ASGI `websocket` scope, Django Channels): an absent `Upgrade`,
    /// `Connection`, `Sec-WebSocket-Version` or `Sec-WebSocket-Key` — headers such a
    /// server may consume — is not refused; one that is present is checked as always. An
    /// absent key is accepted as the empty key. See [`upgraded`](Self::upgraded).
    pub upgraded: bool,
}

impl<'a> ServerConfig<'a> {
    /// A configuration with `origin`, any Host, no subprotocols, no token, default limits.
    ///
    /// ```
    /// use wsguard_core::handshake::ServerConfig;
    /// use wsguard_core::origin::{OriginPolicy, Pattern};
    /// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
    /// let cfg = ServerConfig::new(OriginPolicy::new(&allowed)).subprotocols(&["chat"]);
    /// assert_eq!(cfg.subprotocols, &["chat"]);
    /// ```
    pub const fn new(origin: OriginPolicy<'a>) -> Self {
        ServerConfig {
            origin,
            hosts: HostPolicy::new(&[]),
            subprotocols: &[],
            require_subprotocol: false,
            token: TokenConfig::DISABLED,
            limits: Limits::DEFAULT,
            dev_auth_bypass: false,
            upgraded: false,
        }
    }

    /// Sets the Host allowlist.
    ///
    /// ```
    /// # use wsguard_core::{handshake::ServerConfig, origin::{OriginPolicy, HostPolicy}};
    /// let c = ServerConfig::new(OriginPolicy::new(&[])).hosts(HostPolicy::new(&["a.example"]));
    /// # let _ = c;
    /// ```
    pub const fn hosts(mut self, hosts: HostPolicy<'a>) -> Self {
        self.hosts = hosts;
        self
    }

    /// Sets the subprotocols, most preferred first.
    ///
    /// ```
    /// # use wsguard_core::{handshake::ServerConfig, origin::OriginPolicy};
    /// let c = ServerConfig::new(OriginPolicy::new(&[])).subprotocols(&["v2.chat", "v1.chat"]);
    /// assert_eq!(c.subprotocols[0], "v2.chat");
    /// ```
    pub const fn subprotocols(mut self, list: &'a [&'a str]) -> Self {
        self.subprotocols = list;
        self
    }

    /// Requires a common subprotocol.
    ///
    /// ```
    /// # use wsguard_core::{handshake::ServerConfig, origin::OriginPolicy};
    /// assert!(ServerConfig::new(OriginPolicy::new(&[])).require_subprotocol(true).require_subprotocol);
    /// ```
    pub const fn require_subprotocol(mut self, on: bool) -> Self {
        self.require_subprotocol = on;
        self
    }

    /// Sets where the bearer token may travel.
    ///
    /// ```
    /// # use wsguard_core::{handshake::{ServerConfig, TokenConfig}, origin::OriginPolicy};
    /// let c = ServerConfig::new(OriginPolicy::new(&[])).token(TokenConfig::DISABLED.query("token"));
    /// assert_eq!(c.token.query, Some("token"));
    /// ```
    pub const fn token(mut self, token: TokenConfig<'a>) -> Self {
        self.token = token;
        self
    }

    /// Sets the size limits.
    ///
    /// ```
    /// # use wsguard_core::{handshake::{ServerConfig, Limits}, origin::OriginPolicy};
    /// let c = ServerConfig::new(OriginPolicy::new(&[])).limits(Limits::DEFAULT.max_headers(16));
    /// assert_eq!(c.limits.max_headers, 16);
    /// ```
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Turns the development auth bypass on or off for the handshakes checked with this
    /// configuration (see [`ServerConfig::dev_auth_bypass`](Self#structfield.dev_auth_bypass)).
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_request, ServerConfig, TokenConfig};
    /// use wsguard_core::origin::{OriginPolicy, Preset};
    /// use wsguard_core::Status;
    /// let dev = OriginPolicy::new(&[]).preset(Preset::Development);
    /// let cfg = ServerConfig::new(dev)
    ///     .token(TokenConfig::DISABLED.authorization(true).required(true))
    ///     .dev_auth_bypass(true);
    /// let req = b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///             Origin: http://localhost:5173\r\n\r\n";
    /// let Ok(Status::Complete(a)) = validate_request(&cfg, req) else { panic!() };
    /// assert!(a.dev_auth_bypassed && a.token.is_none());
    /// ```
    pub const fn dev_auth_bypass(mut self, on: bool) -> Self {
        self.dev_auth_bypass = on;
        self
    }

    /// Validates requests the server already upgraded (see the
    /// [`upgraded`](Self::upgraded) field): the upgrade headers it consumed may be absent.
    ///
    /// ```
    /// use wsguard_core::handshake::{validate_fields, FieldRequest, Rejection, ServerConfig};
    /// use wsguard_core::origin::OriginPolicy;
    /// // What an ASGI server may hand over: the upgrade headers are gone.
    /// let fields: [(&[u8], &[u8]); 1] = [(b"host", b"a.example")];
    /// let cfg = ServerConfig::new(OriginPolicy::new(&[]).allow_missing(true));
    /// let req = FieldRequest::get(b"/ws", &fields);
    /// assert_eq!(validate_fields(&cfg, &req), Err(Rejection::UpgradeMissing));
    /// let a = validate_fields(&cfg.upgraded(true), &req).unwrap();
    /// assert_eq!((a.path, a.key), ("/ws", ""));
    /// // A header that is present is still checked.
    /// let bad: [(&[u8], &[u8]); 2] = [(b"host", b"a.example"), (b"sec-websocket-version", b"8")];
    /// let req = FieldRequest::get(b"/ws", &bad);
    /// assert_eq!(validate_fields(&cfg.upgraded(true), &req), Err(Rejection::VersionUnsupported));
    /// ```
    pub const fn upgraded(mut self, on: bool) -> Self {
        self.upgraded = on;
        self
    }
}
