//! Differential probing: when one non-101 answer cannot name its cause, which follow-up
//! requests separate the causes, and what each answer means.
//!
//! A bare 403 is an Origin refusal *or* an application that closed before `accept()`
//! (an auth check) *or* no WebSocket route (Starlette answers 403 for all three); a 401
//! may be a token *or* Node `ws`'s `verifyClient` refusing the Origin; a 404 through a
//! proxy is a wrong path *or* an upgrade the proxy forwarded as a plain GET; a 400
//! without `Upgrade` is a dropped upgrade, a refused one, or (Node `ws`) a path it does
//! not serve; a bare 500 is an application error *or* Django Channels finding no route
//! (and, through a proxy, daphne's answer to the plain GET a proxy forwarded). A
//! [`Plan`] is built from the first [`Diagnosis`] and says which [`FollowUp`] to send
//! next (at most two), the caller reports each [`Reply`] ([`Reply::from_answer`]), and
//! [`Plan::verdict`] names the cause it established with the evidence — or, honestly,
//! the causes that remain and how to tell them apart. Before any follow-up the verdict
//! is what a one-shot client may say ([`Diagnosis::verdict`]). Sans-IO like the rest of
//! the core: the caller opens the connections.
//!
//! ```
//! use wsguard_core::handshake::{Cause, ClientRequest, Diagnosis, FollowUp, Plan, Reply, Sent, Verdict};
//! let first = Diagnosis::for_status(403);
//! let mut plan = Plan::for_answer(&first, Sent { origin: true, origin_is_own: false }).unwrap();
//! assert_eq!(plan.next(), Some(FollowUp::OwnOrigin));
//! plan.record(FollowUp::OwnOrigin, Reply::Upgraded);
//! assert!(matches!(plan.verdict(), Verdict::Established { cause: Cause::OriginRefused, .. }));
//! ```

use super::client::{validate_response, write_request, ClientFailure, ClientRequest, RequestError};
use super::diagnosis::{Diagnosis, DiagnosisKind};
use crate::{Cursor, Diagnostic, Status};
use core::fmt;

/// A follow-up request that separates causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FollowUp {
    /// The same upgrade with the URL's own origin (`http(s)://host[:port]`) as Origin.
    OwnOrigin,
    /// The same upgrade without an Origin header.
    NoOrigin,
    /// A plain `GET` of the same path, without upgrade headers.
    PlainGet,
    /// The same upgrade with `Connection: keep-alive, Upgrade` (what Firefox sends).
    KeepAliveUpgrade,
}

impl FollowUp {
    /// Stable code (`own_origin`, `no_origin`, `plain_get`, `keep_alive_upgrade`).
    pub const fn code(self) -> &'static str {
        match self {
            FollowUp::OwnOrigin => "own_origin",
            FollowUp::NoOrigin => "no_origin",
            FollowUp::PlainGet => "plain_get",
            FollowUp::KeepAliveUpgrade => "keep_alive_upgrade",
        }
    }
    /// What was sent, for a sentence (`the same upgrade without Origin`).
    pub const fn description(self) -> &'static str {
        match self {
            FollowUp::OwnOrigin => "the same upgrade with the URL's own origin as Origin",
            FollowUp::NoOrigin => "the same upgrade without an Origin header",
            FollowUp::PlainGet => "a plain GET of the same path",
            FollowUp::KeepAliveUpgrade => "the same upgrade with `Connection: keep-alive, Upgrade`",
        }
    }
}

/// What a follow-up got back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Reply {
    /// 101: the upgrade was accepted.
    Upgraded,
    /// A non-101 status; `same` when status, wsguard code and reason equal the first answer's.
    Status {
        /// The status received.
        status: u16,
        /// Same answer as the first one.
        same: bool,
    },
    /// No usable answer (connection failed, not HTTP): this follow-up tells nothing.
    NoAnswer,
}

impl Reply {
    /// The reply to `step` from its `answer` (the bytes read so far): `None` while the
    /// head (or the body its `Content-Length` announces) is incomplete — read more and
    /// call again; when the stream ends first, [`Reply::at_end`] says what it got.
    /// `first` is the first answer's diagnosis, `req` the first request and
    /// `own_origin` the URL's own origin (as given to [`write_follow_up`]).
    ///
    /// ```
    /// use wsguard_core::handshake::{ClientRequest, Diagnosis, FollowUp, Reply};
    /// let req = ClientRequest::new("a.test", "/ws", [7; 16]).origin("https://page.test");
    /// let first = Diagnosis::for_status(403);
    /// let answer = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    /// assert_eq!(Reply::from_answer(&req, FollowUp::NoOrigin, "http://a.test", &first, answer),
    ///            Some(Reply::Status { status: 403, same: true }));
    /// assert_eq!(Reply::from_answer(&req, FollowUp::NoOrigin, "http://a.test", &first, b"HTTP/1.1 4"), None);
    /// ```
    pub fn from_answer(
        req: &ClientRequest<'_>,
        step: FollowUp,
        own_origin: &str,
        first: &Diagnosis<'_>,
        answer: &[u8],
    ) -> Option<Reply> {
        let check = follow_up_request(req, step, own_origin);
        match validate_response(&check, answer) {
            Ok(Status::Complete(_)) => Some(Reply::Upgraded),
            Ok(Status::Partial) => None,
            Err(ClientFailure::Rejected(d)) if d.body_end.is_some() => None,
            Err(ClientFailure::Rejected(d)) => Some(Reply::compare(first, &d)),
            Err(ClientFailure::Invalid(_)) => Some(Reply::NoAnswer),
        }
    }

    /// The reply to `step` when its stream ended with `answer` and
    /// [`from_answer`](Self::from_answer) still said `None`: a refusal whose announced
    /// body was cut short still counts (its status is known); anything else told nothing.
    ///
    /// ```
    /// use wsguard_core::handshake::{ClientRequest, Diagnosis, FollowUp, Reply};
    /// let req = ClientRequest::new("a.test", "/ws", [7; 16]);
    /// let first = Diagnosis::for_status(404);
    /// let cut = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot";
    /// assert_eq!(Reply::at_end(&req, FollowUp::PlainGet, "", &first, cut), Reply::Status { status: 404, same: true });
    /// assert_eq!(Reply::at_end(&req, FollowUp::PlainGet, "", &first, b""), Reply::NoAnswer);
    /// ```
    pub fn at_end(
        req: &ClientRequest<'_>,
        step: FollowUp,
        own_origin: &str,
        first: &Diagnosis<'_>,
        answer: &[u8],
    ) -> Reply {
        let check = follow_up_request(req, step, own_origin);
        match validate_response(&check, answer) {
            Ok(Status::Complete(_)) => Reply::Upgraded,
            Err(ClientFailure::Rejected(d)) => Reply::compare(first, &d),
            _ => Reply::NoAnswer,
        }
    }

    /// Compares a follow-up's diagnosis with the first answer's.
    ///
    /// ```
    /// use wsguard_core::handshake::{Diagnosis, Reply};
    /// let (a, b) = (Diagnosis::for_status(404), Diagnosis::for_status(200));
    /// assert_eq!(Reply::compare(&a, &a), Reply::Status { status: 404, same: true });
    /// assert_eq!(Reply::compare(&a, &b), Reply::Status { status: 200, same: false });
    /// ```
    pub fn compare(first: &Diagnosis<'_>, other: &Diagnosis<'_>) -> Reply {
        Reply::Status {
            status: other.status,
            same: first.status == other.status
                && first.server_code == other.server_code
                && first.server_reason == other.server_reason,
        }
    }
}

/// What the first request sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sent {
    /// An Origin header was sent.
    pub origin: bool,
    /// It was the URL's own origin (so [`FollowUp::OwnOrigin`] would repeat it).
    pub origin_is_own: bool,
}

/// A cause a plan can establish or leave open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Cause {
    /// The server refuses the Origin that was sent.
    OriginRefused,
    /// The server refuses requests without an Origin header.
    OriginRequired,
    /// The token is missing or refused.
    TokenRefused,
    /// The application refused before accepting (an ASGI app that closes before
    /// `accept()`, e.g. an auth check).
    AppRefused,
    /// Nothing is served as a WebSocket at this path (Starlette's no-route answer is
    /// the same 403 as [`AppRefused`](Cause::AppRefused)).
    WrongPath,
    /// The upgrade headers never reached the server (a proxy forwarded a plain request).
    UpgradeNotForwarded,
    /// The server saw the upgrade and refused something in it.
    UpgradeRefused,
    /// The server only accepts `Connection` written as browsers do (`keep-alive, Upgrade`).
    ConnectionForm,
    /// The server (the application) failed while handling the request (500).
    AppError,
}

crate::diag::diagnostics! {
    Cause in "wsguard_core::handshake" display {
    }
    OriginRefused => {
        code: "origin_refused",
        reason: "the server refuses the Origin that was sent",
        remedy: "add the page's origin (`location.origin`) to the server's allowed origins (Django: `ALLOWED_HOSTS` for Channels' `AllowedHostsOriginValidator`, `CORS_ALLOWED_ORIGINS` if you share it with django-cors-headers)",
    },
    OriginRequired => {
        code: "origin_required",
        reason: "the client sent no Origin header and the server refuses requests without one",
        remedy: "send an Origin header (the page's origin), or allow requests without one on the server (`allow_missing`) if non-browser clients are expected",
    },
    TokenRefused => {
        code: "token_refused",
        reason: "the token is missing, expired or refused",
        remedy: "send a valid token the way the server expects it (Authorization: Bearer, subprotocol entry or query parameter)",
    },
    AppRefused => {
        code: "app_refused_before_accept",
        reason: "the application refused the connection before accepting it (ASGI: `websocket.close` before `accept()` is HTTP 403 — an auth check closing with 4401, say)",
        remedy: "look at the application's log and its route list: check the path, and the auth check that closes before `accept()`",
    },
    WrongPath => {
        code: "wrong_path",
        reason: "nothing is served as a WebSocket at this path (most servers answer 404; Starlette/FastAPI 403, Django Channels 500, Node `ws` 400)",
        remedy: "check the WebSocket URL's path (a trailing slash matters) and the server's or proxy's route for it",
    },
    UpgradeNotForwarded => {
        code: "upgrade_not_forwarded",
        reason: "the upgrade headers never reached the server: a proxy forwarded the request as a plain GET (nginx's default HTTP/1.0, or HTTP/1.1 without `Upgrade`/`Connection`)",
        remedy: "forward the upgrade with HTTP/1.1; in nginx: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";`",
    },
    UpgradeRefused => {
        code: "upgrade_refused",
        reason: "the server saw the upgrade and refused something in the request",
        remedy: "read the server's reason (body of its answer, its log) and fix the header it names",
    },
    ConnectionForm => {
        code: "connection_header_form",
        reason: "the server only recognises the upgrade when `Connection` is the list browsers send",
        remedy: "browsers will connect; fix the server (or proxy) to read `Connection` as a token list",
    },
    AppError => {
        code: "app_error",
        reason: "the application raised an error while handling the request (HTTP 500)",
        remedy: "read the traceback in the server's log (Django Channels: `ValueError: No route found for path …` means the path is wrong)",
    },
}

/// The causes that remain (two or three, most likely first).
///
/// ```
/// use wsguard_core::handshake::{Cause, Diagnosis, Verdict};
/// let Some(Verdict::Undecided { causes, .. }) = Diagnosis::for_status(403).verdict() else { panic!() };
/// assert_eq!(causes.as_slice(), &[Cause::OriginRefused, Cause::AppRefused, Cause::WrongPath]);
/// assert!(causes.contains(Cause::WrongPath));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Causes {
    list: [Cause; 3],
    len: u8,
}

impl Causes {
    const fn two(a: Cause, b: Cause) -> Causes {
        Causes {
            list: [a, b, b],
            len: 2,
        }
    }
    const fn three(a: Cause, b: Cause, c: Cause) -> Causes {
        Causes {
            list: [a, b, c],
            len: 3,
        }
    }
    /// The causes, most likely first.
    pub fn as_slice(&self) -> &[Cause] {
        self.list.get(..usize::from(self.len)).unwrap_or(&self.list)
    }
    /// `cause` is among them.
    pub fn contains(&self, cause: Cause) -> bool {
        self.as_slice().contains(&cause)
    }
}

/// The conclusion of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict {
    /// One cause is established by `step` getting `reply`.
    Established {
        /// The cause.
        cause: Cause,
        /// The follow-up that decided.
        step: FollowUp,
        /// What it got.
        reply: Reply,
    },
    /// Two or three causes remain; `hint` says how to tell them apart.
    Undecided {
        /// The causes still possible, most likely first.
        causes: Causes,
        /// How to tell them apart.
        hint: &'static str,
    },
}

impl fmt::Display for Verdict {
    /// `established: … (evidence: …)` or `two causes remain: … or …; to tell: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Verdict::Established { cause, step, reply } => {
                write!(f, "{} (evidence: {} ", cause.reason(), step.description())?;
                match reply {
                    Reply::Upgraded => f.write_str("was accepted with 101)"),
                    Reply::Status { status, same: true } => {
                        write!(f, "got the same answer, HTTP {status})")
                    }
                    Reply::Status {
                        status,
                        same: false,
                    } => {
                        write!(f, "got another answer, HTTP {status})")
                    }
                    Reply::NoAnswer => f.write_str("got no answer)"),
                }
            }
            Verdict::Undecided { causes, hint } => {
                let list = causes.as_slice();
                let n = if list.len() == 3 { "three" } else { "two" };
                write!(f, "{n} causes remain: ")?;
                for (i, c) in list.iter().enumerate() {
                    let sep = match i {
                        0 => "",
                        _ if i + 1 == list.len() => ", or ",
                        _ => ", ",
                    };
                    write!(f, "{sep}{} ({})", c.reason(), c.code())?;
                }
                write!(f, "; to tell them apart: {hint}")
            }
        }
    }
}

/// Which ambiguity the first answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Ambiguity {
    /// 401/403 with no wsguard reason.
    Refused(u16),
    /// 404 through a proxy, no Upgrade, no wsguard reason.
    NotFoundViaProxy,
    /// 400 without Upgrade and without a reason that names the problem; `dropped`:
    /// the diagnosis says the upgrade headers never arrived.
    BadRequest { dropped: bool },
    /// 500 with no reason; `via_proxy`: it came through a proxy.
    ServerError { via_proxy: bool },
}

/// The follow-ups of one ambiguous answer (at most two) and what they showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Plan {
    ambiguity: Ambiguity,
    sent: Sent,
    /// The first answer's reason mentions the Origin: a changed reason is then evidence.
    names_origin: bool,
    steps: [Option<(FollowUp, Reply)>; 2],
}

const HINT_403_FIRST: &str = "send the same upgrade with the URL's own origin and without Origin (`wsguard probe` does): a 101 to either means the Origin is refused; the same 403 to both means the application closes before `accept()` or no WebSocket route matches the path (Starlette/FastAPI answer 403 for both) — the server's log tells";
const HINT_403: &str = "the server refuses every Origin tried the same way; its log tells: an origin check (Channels' OriginValidator / AllowedHostsOriginValidator — compare `ALLOWED_HOSTS` with the page's host; wsguard names `origin_*`), the application closing before `accept()`, or no WebSocket route at this path (Starlette/FastAPI answer 403 when none matches: compare the path with the app's routes)";
const HINT_401: &str = "retry with a valid token: if the answer stays 401, an Origin check refuses (Node `ws` answers 401 for every `verifyClient` refusal); a 101 with another Origin (`wsguard probe` tries the URL's own origin and none) also shows it";
const HINT_404: &str = "probe the backend directly (`wsguard probe ws://BACKEND:PORT/PATH`): a 101 there means the proxy drops the upgrade headers; a 404 there means the path is wrong";
const HINT_400: &str = "probe the backend directly, bypassing proxies: a 101 there means a proxy drops the upgrade headers";
const HINT_400_SEEN: &str = "the server saw the upgrade and refused it: check the path against the server's WebSocket routes (Node `ws` answers 400 to an upgrade on a path it does not serve), then the server's log for the header it refused";
const HINT_500: &str = "read the server's log: Django Channels logs `ValueError: No route found for path …` when the path is wrong (daphne answers 500), anything else is an application error";
const HINT_500_PROXY: &str = "read the backend's log: `No route found for path` means the path is wrong, `No application configured for scope type 'http'` means the proxy forwarded a plain GET (daphne answers 500 to it: add the upgrade headers to the proxy), anything else is an application error; probing the backend directly tells the proxy apart";

impl Plan {
    /// A plan when `first` is ambiguous (see the module docs); `None` when the answer
    /// names its cause (a wsguard code, a specific reason, a status that says it all).
    ///
    /// ```
    /// use wsguard_core::handshake::{Diagnosis, Plan, Sent};
    /// assert!(Plan::for_answer(&Diagnosis::for_status(403), Sent::default()).is_some());
    /// assert!(Plan::for_answer(&Diagnosis::for_status(502), Sent::default()).is_none());
    /// ```
    pub fn for_answer(first: &Diagnosis<'_>, sent: Sent) -> Option<Plan> {
        if first.server_code.is_some() || first.upgrade_in_answer {
            return None;
        }
        let ambiguity = match first.status {
            401 if !first.auth_challenge => Ambiguity::Refused(401),
            403 if first.kind == DiagnosisKind::Forbidden => Ambiguity::Refused(403),
            404 if first.via_proxy.is_some() => Ambiguity::NotFoundViaProxy,
            400 if first.wanted_version.is_none() && first.server_reason.is_none() => {
                Ambiguity::BadRequest {
                    dropped: first.kind == DiagnosisKind::ProxyDroppedUpgrade,
                }
            }
            500 => Ambiguity::ServerError {
                via_proxy: first.via_proxy.is_some(),
            },
            _ => return None,
        };
        let names_origin = first
            .server_reason
            .is_some_and(|r| super::proxy::find_ci(r.as_bytes(), b"origin").is_some());
        Some(Plan {
            ambiguity,
            sent,
            names_origin,
            steps: [None, None],
        })
    }

    fn candidates(&self) -> [Option<FollowUp>; 2] {
        match self.ambiguity {
            Ambiguity::Refused(_) => {
                let own = (!self.sent.origin_is_own).then_some(FollowUp::OwnOrigin);
                let none = self.sent.origin.then_some(FollowUp::NoOrigin);
                match own {
                    Some(o) => [Some(o), none],
                    None => [none, None],
                }
            }
            Ambiguity::NotFoundViaProxy => [Some(FollowUp::PlainGet), None],
            Ambiguity::BadRequest { .. } => {
                [Some(FollowUp::PlainGet), Some(FollowUp::KeepAliveUpgrade)]
            }
            // Through a proxy, a plain GET that gets another answer shows the upgrade
            // reached the backend. Directly, no request tells an application error from
            // Channels' no-route 500 without knowing a path that exists.
            Ambiguity::ServerError { via_proxy: true } => [Some(FollowUp::PlainGet), None],
            Ambiguity::ServerError { via_proxy: false } => [None, None],
        }
    }

    fn reply(&self, step: FollowUp) -> Option<Reply> {
        self.steps
            .iter()
            .flatten()
            .find(|(s, _)| *s == step)
            .map(|(_, r)| *r)
    }

    /// The next follow-up to send, or `None` when the plan is done (see
    /// [`verdict`](Self::verdict)).
    pub fn next(&self) -> Option<FollowUp> {
        if let Verdict::Established { .. } = self.verdict() {
            return None;
        }
        let [a, b] = self.candidates();
        [a, b]
            .into_iter()
            .flatten()
            .find(|s| self.reply(*s).is_none())
    }

    /// Records what `step` got back. A step recorded twice keeps the first answer.
    pub fn record(&mut self, step: FollowUp, reply: Reply) {
        if self.reply(step).is_some() {
            return;
        }
        if let Some(slot) = self.steps.iter_mut().find(|s| s.is_none()) {
            *slot = Some((step, reply));
        }
    }

    /// The cause established so far, or the causes that remain (before any follow-up:
    /// what the first answer alone allows, [`Diagnosis::verdict`]).
    pub fn verdict(&self) -> Verdict {
        let est = |cause, step: FollowUp, reply| Verdict::Established { cause, step, reply };
        let undecided = |causes, hint| Verdict::Undecided { causes, hint };
        match self.ambiguity {
            Ambiguity::Refused(status) => {
                let origin = if self.sent.origin {
                    Cause::OriginRefused
                } else {
                    Cause::OriginRequired
                };
                let mut tried = false;
                for (step, reply) in self.steps.iter().flatten().copied() {
                    // Only the Origin differed from the first request. A new status is
                    // evidence; a new reason with the same status only when the reason
                    // speaks of the Origin (a timestamp in a body proves nothing).
                    let changed = match reply {
                        Reply::Upgraded => true,
                        Reply::Status { status: s, same } => {
                            !same && (s != status || self.names_origin)
                        }
                        Reply::NoAnswer => false,
                    };
                    if changed {
                        return est(origin, step, reply);
                    }
                    tried |= reply != Reply::NoAnswer;
                }
                match (status, tried) {
                    (401, _) => undecided(Causes::two(Cause::TokenRefused, origin), HINT_401),
                    (_, false) => undecided(
                        Causes::three(origin, Cause::AppRefused, Cause::WrongPath),
                        HINT_403_FIRST,
                    ),
                    (_, true) => undecided(
                        Causes::three(Cause::AppRefused, Cause::WrongPath, origin),
                        HINT_403,
                    ),
                }
            }
            Ambiguity::NotFoundViaProxy => match self.reply(FollowUp::PlainGet) {
                Some(
                    r @ Reply::Status {
                        status: 200..=299, ..
                    },
                ) => est(Cause::WrongPath, FollowUp::PlainGet, r),
                _ => undecided(
                    Causes::two(Cause::UpgradeNotForwarded, Cause::WrongPath),
                    HINT_404,
                ),
            },
            Ambiguity::BadRequest { dropped } => {
                let get = self.reply(FollowUp::PlainGet);
                let keep = self.reply(FollowUp::KeepAliveUpgrade);
                let seen = undecided(
                    Causes::two(Cause::UpgradeRefused, Cause::WrongPath),
                    HINT_400_SEEN,
                );
                match (get, keep) {
                    (_, Some(r @ Reply::Upgraded)) => {
                        est(Cause::ConnectionForm, FollowUp::KeepAliveUpgrade, r)
                    }
                    // A plain GET gets another answer: the upgrade did reach the server,
                    // which refused the path or a header.
                    (Some(Reply::Status { same: false, .. } | Reply::Upgraded), _) => seen,
                    (
                        Some(Reply::Status { same: true, .. }),
                        Some(r @ Reply::Status { same: true, .. }),
                    ) => est(Cause::UpgradeNotForwarded, FollowUp::KeepAliveUpgrade, r),
                    _ if dropped => undecided(
                        Causes::two(Cause::UpgradeNotForwarded, Cause::UpgradeRefused),
                        HINT_400,
                    ),
                    _ => seen,
                }
            }
            Ambiguity::ServerError { via_proxy } => {
                let reached = matches!(
                    self.reply(FollowUp::PlainGet),
                    Some(Reply::Status { same: false, .. } | Reply::Upgraded)
                );
                if via_proxy && !reached {
                    undecided(
                        Causes::three(
                            Cause::UpgradeNotForwarded,
                            Cause::AppError,
                            Cause::WrongPath,
                        ),
                        HINT_500_PROXY,
                    )
                } else {
                    undecided(Causes::two(Cause::AppError, Cause::WrongPath), HINT_500)
                }
            }
        }
    }
}

/// Writes the request of `step`: the upgrade of `req` with `own_origin` or without
/// Origin, with `Connection: keep-alive, Upgrade`, or a plain GET of `req.path` (Host and
/// Origin kept, `Connection: close`). Validate the answer with the request of the same
/// step ([`follow_up_request`]); a plain GET's answer with `req`.
///
/// ```
/// use wsguard_core::handshake::{write_follow_up, ClientRequest, FollowUp};
/// let req = ClientRequest::new("a.test:8000", "/ws", [7; 16]).origin("https://page.test");
/// let mut out = [0u8; 512];
/// let n = write_follow_up(&req, FollowUp::PlainGet, "http://a.test:8000", &mut out).unwrap();
/// assert_eq!(&out[..n], b"GET /ws HTTP/1.1\r\nHost: a.test:8000\r\nOrigin: https://page.test\r\nConnection: close\r\n\r\n");
/// let n = write_follow_up(&req, FollowUp::KeepAliveUpgrade, "", &mut out).unwrap();
/// assert!(core::str::from_utf8(&out[..n]).unwrap().contains("\r\nConnection: keep-alive, Upgrade\r\n"));
/// ```
pub fn write_follow_up(
    req: &ClientRequest<'_>,
    step: FollowUp,
    own_origin: &str,
    out: &mut [u8],
) -> Result<usize, RequestError> {
    match step {
        FollowUp::OwnOrigin | FollowUp::NoOrigin => {
            write_request(&follow_up_request(req, step, own_origin), out)
        }
        FollowUp::KeepAliveUpgrade => {
            let n = write_request(req, out)?;
            const FROM: &[u8] = b"\r\nConnection: ";
            const ADD: &[u8] = b"keep-alive, ";
            let at = out
                .get(..n)
                .and_then(|w| w.windows(FROM.len()).position(|x| x == FROM))
                .map(|i| i + FROM.len())
                .ok_or(RequestError::BufferTooSmall(crate::BufferTooSmall {
                    needed: n + ADD.len(),
                }))?;
            let total = n + ADD.len();
            if total > out.len() {
                return Err(RequestError::BufferTooSmall(crate::BufferTooSmall {
                    needed: total,
                }));
            }
            out.copy_within(at..n, at + ADD.len());
            if let Some(slot) = out.get_mut(at..at + ADD.len()) {
                slot.copy_from_slice(ADD);
            }
            Ok(total)
        }
        FollowUp::PlainGet => {
            let mut c = Cursor::new(out);
            let _ = c.put_str("GET ");
            let _ = c.put_str(req.path);
            let _ = c.put_str(" HTTP/1.1\r\nHost: ");
            let _ = c.put_str(req.host);
            if let Some(o) = req.origin {
                let _ = c.put_str("\r\nOrigin: ");
                let _ = c.put_str(o);
            }
            let _ = c.put_str("\r\nConnection: close\r\n\r\n");
            c.finish().map_err(RequestError::BufferTooSmall)
        }
    }
}

/// The request description of `step` (what to validate its answer with).
pub fn follow_up_request<'a>(
    req: &ClientRequest<'a>,
    step: FollowUp,
    own_origin: &'a str,
) -> ClientRequest<'a> {
    let mut r = *req;
    match step {
        FollowUp::OwnOrigin => r.origin = Some(own_origin),
        FollowUp::NoOrigin => r.origin = None,
        FollowUp::PlainGet | FollowUp::KeepAliveUpgrade => {}
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        first: &Diagnosis<'_>,
        sent: Sent,
        mut answer: impl FnMut(FollowUp) -> Reply,
    ) -> (Verdict, usize) {
        let mut plan = Plan::for_answer(first, sent).unwrap();
        let mut n = 0;
        while let Some(step) = plan.next() {
            plan.record(step, answer(step));
            n += 1;
            assert!(n <= 2, "bounded");
        }
        (plan.verdict(), n)
    }

    const SAME403: Reply = Reply::Status {
        status: 403,
        same: true,
    };

    #[test]
    fn refused_403() {
        let d = Diagnosis::for_status(403);
        let with = Sent {
            origin: true,
            origin_is_own: false,
        };
        // Channels OriginValidator: own origin accepted.
        let (v, n) = run(&d, with, |s| {
            if s == FollowUp::OwnOrigin {
                Reply::Upgraded
            } else {
                SAME403
            }
        });
        assert_eq!(
            (v, n),
            (
                Verdict::Established {
                    cause: Cause::OriginRefused,
                    step: FollowUp::OwnOrigin,
                    reply: Reply::Upgraded
                },
                1
            )
        );
        // An app that closes 4401 before accept (or Starlette's no-route 403): the
        // Origin changes nothing.
        let (v, n) = run(&d, with, |_| SAME403);
        assert_eq!(n, 2);
        let Verdict::Undecided { causes, hint } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::AppRefused, Cause::WrongPath, Cause::OriginRefused]
        );
        assert_eq!(hint, HINT_403);
        // One answer only (a one-shot client): the same three, the Origin first.
        let Some(Verdict::Undecided { causes, hint }) = d.verdict() else {
            panic!()
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::OriginRefused, Cause::AppRefused, Cause::WrongPath]
        );
        assert_eq!(hint, HINT_403_FIRST);
        // A device without Origin, refused by a default server.
        let none = Sent::default();
        let (v, n) = run(&d, none, |_| Reply::Upgraded);
        assert_eq!(n, 1);
        assert!(matches!(
            v,
            Verdict::Established {
                cause: Cause::OriginRequired,
                ..
            }
        ));
    }

    #[test]
    fn node_ws_401_with_verify_client() {
        let d = Diagnosis::for_status(401);
        let with = Sent {
            origin: true,
            origin_is_own: true,
        };
        let (v, n) = run(&d, with, |_| Reply::Status {
            status: 401,
            same: true,
        });
        assert_eq!(n, 1);
        let Verdict::Undecided { causes, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::TokenRefused, Cause::OriginRefused]
        );
        let (v, _) = run(&d, with, |_| Reply::Upgraded);
        assert!(matches!(
            v,
            Verdict::Established {
                cause: Cause::OriginRefused,
                step: FollowUp::NoOrigin,
                ..
            }
        ));
    }

    #[test]
    fn bad_request_without_upgrade() {
        let d = Diagnosis::for_status(400);
        let (v, n) = run(&d, Sent::default(), |_| Reply::Status {
            status: 400,
            same: true,
        });
        assert_eq!(n, 2);
        assert!(matches!(
            v,
            Verdict::Established {
                cause: Cause::UpgradeNotForwarded,
                ..
            }
        ));
        // Node `ws` on a path it does not serve: 400 to the upgrade, 426 to a plain GET.
        // The upgrade reached it; the path or a header was refused.
        let (v, n) = run(&d, Sent::default(), |s| match s {
            FollowUp::PlainGet => Reply::Status {
                status: 426,
                same: false,
            },
            _ => Reply::Status {
                status: 400,
                same: true,
            },
        });
        assert_eq!(n, 2);
        let Verdict::Undecided { causes, hint } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::UpgradeRefused, Cause::WrongPath]
        );
        assert_eq!(hint, HINT_400_SEEN);
        let (v, _) = run(&d, Sent::default(), |_| Reply::NoAnswer);
        let Verdict::Undecided { causes, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::UpgradeNotForwarded, Cause::UpgradeRefused]
        );
    }

    #[test]
    fn not_found_through_a_proxy() {
        use super::super::{validate_response, ClientFailure};
        let req = ClientRequest::new("a.test", "/ws", [7; 16]);
        // Starlette's 404 for a GET on a WebSocket route, passed on by nginx (HTTP/1.0).
        let resp =
            b"HTTP/1.1 404 Not Found\r\nServer: nginx/1.27.0\r\nContent-Length: 9\r\n\r\nNot Found";
        let Err(ClientFailure::Rejected(d)) = validate_response(&req, resp) else {
            panic!()
        };
        // The plain GET gets the same answer: dropped upgrade or wrong path, not decided.
        let (v, n) = run(&d, Sent::default(), |_| Reply::Status {
            status: 404,
            same: true,
        });
        assert_eq!(n, 1);
        let Verdict::Undecided { causes, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[Cause::UpgradeNotForwarded, Cause::WrongPath]
        );
        // The path serves a page (GET 200): the upgrade did reach it — wrong path.
        let (v, _) = run(&d, Sent::default(), |_| Reply::Status {
            status: 200,
            same: false,
        });
        assert!(matches!(
            v,
            Verdict::Established {
                cause: Cause::WrongPath,
                ..
            }
        ));
        // A wsguard answer names its cause: no plan.
        let named = b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Length: 19\r\n\r\nnot_found: no route";
        let Err(ClientFailure::Rejected(d)) = validate_response(&req, named) else {
            panic!()
        };
        assert!(Plan::for_answer(&d, Sent::default()).is_none());
    }

    #[test]
    fn server_error() {
        use super::super::{validate_response, ClientFailure};
        let req = ClientRequest::new("a.test", "/nope", [7; 16]).origin("https://page.test");
        // daphne's own 500 for a path no route matches: nothing to send that separates it
        // from an application error.
        let direct =
            b"HTTP/1.1 500 Internal Server Error\r\nServer: daphne\r\nContent-Length: 0\r\n\r\n";
        let Err(ClientFailure::Rejected(d)) = validate_response(&req, direct) else {
            panic!()
        };
        let plan = Plan::for_answer(&d, Sent::default()).unwrap();
        assert_eq!(plan.next(), None);
        let Verdict::Undecided { causes, hint } = plan.verdict() else {
            panic!()
        };
        assert_eq!(causes.as_slice(), &[Cause::AppError, Cause::WrongPath]);
        assert_eq!(hint, HINT_500);
        // Through nginx: also the plain GET daphne saw when nginx dropped the upgrade.
        let proxied = b"HTTP/1.1 500 Internal Server Error\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n";
        let Err(ClientFailure::Rejected(d)) = validate_response(&req, proxied) else {
            panic!()
        };
        let (v, n) = run(&d, Sent::default(), |_| Reply::Status {
            status: 500,
            same: true,
        });
        assert_eq!(n, 1);
        let Verdict::Undecided { causes, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            causes.as_slice(),
            &[
                Cause::UpgradeNotForwarded,
                Cause::AppError,
                Cause::WrongPath
            ]
        );
        // The plain GET gets another answer: the upgrade reached the backend.
        let (v, _) = run(&d, Sent::default(), |_| Reply::Status {
            status: 404,
            same: false,
        });
        let Verdict::Undecided { causes, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(causes.as_slice(), &[Cause::AppError, Cause::WrongPath]);
        // A wsguard code names it.
        let named = b"HTTP/1.1 500 Internal Server Error\r\nX-Wsguard-Code: request_body\r\nContent-Length: 0\r\n\r\n";
        let Err(ClientFailure::Rejected(d)) = validate_response(&req, named) else {
            panic!()
        };
        assert_eq!(d.verdict(), None);
    }

    #[test]
    fn reply_from_answer_waits_for_the_body() {
        let req = ClientRequest::new("a.test", "/ws", [7; 16]).origin("https://page.test");
        let first = Diagnosis::for_status(403);
        let head = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nab";
        assert_eq!(
            Reply::from_answer(&req, FollowUp::OwnOrigin, "http://a.test", &first, head),
            None
        );
        let full = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nabcde";
        assert_eq!(
            Reply::from_answer(&req, FollowUp::OwnOrigin, "http://a.test", &first, full),
            Some(Reply::Status {
                status: 403,
                same: false
            })
        );
        assert_eq!(
            Reply::from_answer(
                &req,
                FollowUp::OwnOrigin,
                "http://a.test",
                &first,
                b"SSH-2.0\r\n\r\n"
            ),
            Some(Reply::NoAnswer)
        );
    }

    #[test]
    fn display() {
        let v = Verdict::Established {
            cause: Cause::OriginRefused,
            step: FollowUp::NoOrigin,
            reply: Reply::Upgraded,
        };
        let mut buf = [0u8; 256];
        let mut c = Cursor::new(&mut buf);
        let _ = core::fmt::write(&mut c, format_args!("{v}"));
        assert_eq!(
            c.written(),
            b"the server refuses the Origin that was sent (evidence: the same upgrade without an Origin header was accepted with 101)"
        );
    }
}
