//! Application close codes (3000–4999) registered without allocation.

use super::{
    builtin, classify, is_wire_valid, Category, CloseInfo, LikelyCause, Registration, Retry, Sender,
};

/// One application- or library-defined close code with the same fields as a built-in one.
/// Build it in a `const` with [`AppCode::new`] and the `with_*` methods; the range is
/// checked by [`CloseRegistry::new`] (or [`AppCode::check`]).
///
/// ```
/// use wsguard_core::close::{AppCode, Category, Retry, Sender};
/// const SESSION_EXPIRED: AppCode = AppCode::new(
///     4001, "session_expired",
///     "your session expired", "log in again, then reconnect", Retry::AfterReauth,
/// ).with_category(Category::PolicyAuth).with_sender(Sender::Server);
/// assert!(SESSION_EXPIRED.check().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AppCode {
    code: u16,
    name: &'static str,
    category: Category,
    sender: Sender,
    description: &'static str,
    causes: &'static [LikelyCause],
    remedy: &'static str,
    retry: Retry,
    convention: bool,
}

impl AppCode {
    /// A code with its name, user sentence, remedy and retry advice. The category defaults
    /// to [`Category::Private`] (4000–4999) or [`Category::Library`] (3000–3999), the
    /// sender to [`Sender::Server`], the causes to none.
    ///
    /// ```
    /// use wsguard_core::close::{AppCode, Retry};
    /// const ROOM_FULL: AppCode = AppCode::new(4100, "room_full", "the room is full", "try another room", Retry::Never);
    /// assert_eq!(ROOM_FULL.code(), 4100);
    /// ```
    pub const fn new(
        code: u16,
        name: &'static str,
        description: &'static str,
        remedy: &'static str,
        retry: Retry,
    ) -> Self {
        let category = if code >= 3000 && code <= 3999 {
            Category::Library
        } else {
            Category::Private
        };
        AppCode {
            code,
            name,
            category,
            sender: Sender::Server,
            description,
            causes: &[],
            remedy,
            retry,
            convention: false,
        }
    }
    /// Marks one of the built-in conventions.
    const fn conventional(mut self) -> Self {
        self.convention = true;
        self
    }
    /// Sets the category (e.g. [`Category::PolicyAuth`] for 4401/4403).
    pub const fn with_category(mut self, category: Category) -> Self {
        self.category = category;
        self
    }
    /// Sets who usually sends it.
    pub const fn with_sender(mut self, sender: Sender) -> Self {
        self.sender = sender;
        self
    }
    /// Sets the likely causes with their fixes.
    pub const fn with_causes(mut self, causes: &'static [LikelyCause]) -> Self {
        self.causes = causes;
        self
    }
    /// The code.
    pub const fn code(&self) -> u16 {
        self.code
    }
    /// Checks the code is in 3000–3999 or 4000–4999 and the name is not empty.
    ///
    /// ```
    /// use wsguard_core::close::{AppCode, RegisterError, Retry};
    /// let bad = AppCode::new(1008, "mine", "d", "r", Retry::Never);
    /// assert_eq!(bad.check(), Err(RegisterError::OutOfRange { code: 1008 }));
    /// ```
    pub const fn check(&self) -> Result<(), RegisterError> {
        if !(self.code >= 3000 && self.code <= 4999) {
            return Err(RegisterError::OutOfRange { code: self.code });
        }
        if self.name.is_empty() {
            return Err(RegisterError::EmptyName { code: self.code });
        }
        Ok(())
    }
    const fn info(&self) -> CloseInfo {
        let registration = if self.convention {
            Registration::Convention
        } else {
            Registration::Application
        };
        self.info_as(registration, true)
    }
    pub(super) const fn info_as(&self, registration: Registration, by_app: bool) -> CloseInfo {
        let mut info = builtin(self.code);
        info.name = Some(self.name);
        info.category = self.category;
        info.sender = self.sender;
        info.description = self.description;
        info.causes = self.causes;
        info.remedy = self.remedy;
        info.retry = self.retry;
        info.registration = registration;
        info.registered_by_app = by_app;
        info
    }
}

/// Why a set of application codes cannot be registered.
///
/// ```
/// use wsguard_core::{Diagnostic, close::{AppCode, CloseRegistry, RegisterError, Retry}};
/// const BAD: [AppCode; 1] = [AppCode::new(5000, "x", "d", "r", Retry::Never)];
/// let err = CloseRegistry::new(&BAD).unwrap_err();
/// assert_eq!(err, RegisterError::OutOfRange { code: 5000 });
/// assert_eq!(err.code(), "close_register_out_of_range");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RegisterError {
    /// The code is not in 3000–3999 (libraries) or 4000–4999 (applications).
    OutOfRange {
        /// The offending code.
        code: u16,
    },
    /// The same code appears twice.
    Duplicate {
        /// The offending code.
        code: u16,
    },
    /// The name is empty.
    EmptyName {
        /// The offending code.
        code: u16,
    },
}

crate::diag::diagnostics! {
    RegisterError in "wsguard_core::close" display {
    }
    OutOfRange { .. } => {
        example: Self::OutOfRange { code: 1000 },
        code: "close_register_out_of_range",
        reason: "only codes 4000–4999 (applications) and 3000–3999 (libraries) can be registered; 1000–2999 belong to the WebSocket standard and 0–999 and 5000+ are invalid",
        remedy: "pick a code in 4000–4999, e.g. 4000 + the HTTP status it mirrors (4401 unauthorized, 4403 forbidden)",
    },
    Duplicate { .. } => {
        example: Self::Duplicate { code: 4000 },
        code: "close_register_duplicate",
        reason: "the same close code is registered twice",
        remedy: "keep one entry per code",
    },
    EmptyName { .. } => {
        example: Self::EmptyName { code: 4000 },
        code: "close_register_empty_name",
        reason: "a registered close code has an empty name",
        remedy: "give it a snake_case name such as `session_expired`",
    },
}

/// An application's close codes over a borrowed slice. Lookups fall back to [`classify`].
///
/// ```
/// use wsguard_core::close::{AppCode, Category, CloseRegistry, Retry};
/// const CODES: [AppCode; 1] = [AppCode::new(4001, "session_expired", "your session expired",
///     "log in again", Retry::AfterReauth).with_category(Category::PolicyAuth)];
/// const REGISTRY: CloseRegistry<'static> = match CloseRegistry::new(&CODES) {
///     Ok(r) => r,
///     Err(_) => panic!("invalid close code registry"), // fails the build, not the program
/// };
/// assert_eq!(REGISTRY.classify(4001).name(), Some("session_expired"));
/// assert_eq!(REGISTRY.classify(4001).retry(), Retry::AfterReauth);
/// assert_eq!(REGISTRY.classify(1000).name(), Some("normal_closure"));
/// assert_eq!(REGISTRY.classify(4002).name(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseRegistry<'a> {
    entries: &'a [AppCode],
}

impl<'a> CloseRegistry<'a> {
    /// A registry with no application codes: [`CloseRegistry::classify`] equals [`classify`].
    pub const EMPTY: CloseRegistry<'static> = CloseRegistry { entries: &[] };

    /// Checks every entry (range 3000–4999, non-empty name, no duplicates) and builds the
    /// registry. `const`, so a bad table can fail the build (see the type's example).
    ///
    /// ```
    /// use wsguard_core::close::{AppCode, CloseRegistry, RegisterError, Retry};
    /// let dup = [AppCode::new(4001, "a", "d", "r", Retry::Never), AppCode::new(4001, "b", "d", "r", Retry::Never)];
    /// assert_eq!(CloseRegistry::new(&dup), Err(RegisterError::Duplicate { code: 4001 }));
    /// ```
    pub const fn new(entries: &'a [AppCode]) -> Result<Self, RegisterError> {
        let mut i = 0;
        while i < entries.len() {
            if let Err(e) = entries[i].check() {
                return Err(e);
            }
            let mut j = 0;
            while j < i {
                if entries[j].code == entries[i].code {
                    return Err(RegisterError::Duplicate {
                        code: entries[i].code,
                    });
                }
                j += 1;
            }
            i += 1;
        }
        Ok(CloseRegistry { entries })
    }

    /// The registered entries.
    pub const fn entries(&self) -> &'a [AppCode] {
        self.entries
    }

    /// The registered entry for `code`, if any.
    ///
    /// ```
    /// use wsguard_core::close::CONVENTIONS;
    /// assert!(CONVENTIONS.get(4401).is_some());
    /// assert!(CONVENTIONS.get(4402).is_none());
    /// ```
    pub const fn get(&self, code: u16) -> Option<&'a AppCode> {
        let mut i = 0;
        while i < self.entries.len() {
            if self.entries[i].code == code {
                return Some(&self.entries[i]);
            }
            i += 1;
        }
        None
    }

    /// Classifies `code`: the registered entry when there is one, else [`classify`].
    ///
    /// ```
    /// use wsguard_core::close::{CONVENTIONS, Retry};
    /// assert_eq!(CONVENTIONS.classify(4401).retry(), Retry::AfterReauth);
    /// assert_eq!(CONVENTIONS.classify(1011).retry(), Retry::WithBackoff);
    /// ```
    pub const fn classify(&self, code: u16) -> CloseInfo {
        match self.get(code) {
            Some(app) => app.info(),
            None => classify(code),
        }
    }
}

impl Default for CloseRegistry<'_> {
    fn default() -> Self {
        CloseRegistry::EMPTY
    }
}

// Assert at compile time that the built-in table is valid and wire-valid.
const _: () = {
    let mut i = 0;
    while i < CONVENTION_CODES.len() {
        assert!(is_wire_valid(CONVENTION_CODES[i].code));
        i += 1;
    }
};

/// The entry of [`CONVENTION_CODES`] for `code`, if any.
pub(super) const fn convention(code: u16) -> Option<&'static AppCode> {
    CONVENTIONS.get(code)
}

const CONVENTION_CODES: [AppCode; 7] = [
    AppCode::new(4000, "app_error",
        "the application closed the connection with a generic application error (convention)",
        "check the close reason text and the server log", Retry::WithBackoff)
        .conventional(),
    AppCode::new(4400, "bad_request",
        "the server rejected a message or parameter as malformed (convention: 4000 + HTTP 400)",
        "fix the message the client sends; reconnecting and resending fails the same way", Retry::Never)
        .with_category(Category::UnsupportedData)
        .conventional(),
    AppCode::new(4401, "unauthorized",
        "the server closed the connection because the client is not authenticated or its token expired (convention: 4000 + HTTP 401)",
        "refresh or obtain a token (log in again), then reconnect", Retry::AfterReauth)
        .with_category(Category::PolicyAuth)
        .with_causes(&[
            LikelyCause::new("the token expired during the session", "refresh the token before it expires, then reconnect"),
            LikelyCause::new("no token was sent (query ?token=, Authorization or Sec-WebSocket-Protocol)", "send the token where the server reads it"),
            LikelyCause::new("an ASGI app (FastAPI/Starlette, Channels) closed with 4401 before `accept()`: the client never sees 4401 — the server answers the upgrade with HTTP 403 and the browser reports 1006", "accept() first and then close with 4401 so the client sees the code, or refuse with the `websocket.http.response` extension (uvicorn, hypercorn) to send HTTP 401"),
        ])
        .conventional(),
    AppCode::new(4403, "forbidden",
        "the server closed the connection because the user may not access this resource (convention: 4000 + HTTP 403)",
        "use an account with access to this channel or room; reconnecting with the same credentials fails again", Retry::AfterReauth)
        .with_category(Category::PolicyAuth)
        .conventional(),
    AppCode::new(4404, "not_found",
        "the requested channel, room or resource does not exist (convention: 4000 + HTTP 404)",
        "check the room or channel name in the URL or subscription message", Retry::Never)
        .with_category(Category::UnsupportedData)
        .conventional(),
    AppCode::new(4408, "timeout",
        "the server closed the connection because the client was silent too long or did not authenticate in time (convention: 4000 + HTTP 408)",
        "send the authentication message right after connecting and heartbeats more often than the server's timeout; then reconnect", Retry::WithBackoff)
        .with_category(Category::TransportFailure)
        .conventional(),
    AppCode::new(4429, "too_many_requests",
        "the server closed the connection because the client sent too many messages or connected too often (convention: 4000 + HTTP 429)",
        "slow down: reconnect only after a longer delay and reduce the message rate", Retry::AfterDelay)
        .with_category(Category::RestartOverload)
        .conventional(),
];

/// The widespread conventions — NOT a standard, marked [`Registration::Convention`]: the
/// "4000 + HTTP status" habit: 4000 app_error, 4400 bad_request, 4401 unauthorized,
/// 4403 forbidden, 4404 not_found, 4408 timeout, 4429 too_many_requests. [`classify`]
/// already shows them (marked); as a registry they report
/// [`CloseInfo::is_app_defined`]. An application that means something else by one of
/// these codes registers its own [`AppCode`] (its entry wins).
///
/// ```
/// use wsguard_core::close::{CONVENTIONS, Category};
/// assert_eq!(CONVENTIONS.classify(4403).name(), Some("forbidden"));
/// assert_eq!(CONVENTIONS.classify(4403).category(), Category::PolicyAuth);
/// assert!(CONVENTIONS.classify(4403).is_app_defined());
/// ```
pub const CONVENTIONS: CloseRegistry<'static> = match CloseRegistry::new(&CONVENTION_CODES) {
    Ok(r) => r,
    Err(_) => panic!("invalid built-in close-code conventions"),
};
