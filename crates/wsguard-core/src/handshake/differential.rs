//! Differential probing: when one non-101 answer cannot name its cause, which follow-up
//! requests separate the causes, and what each answer means.
//!
//! A bare 403 is an Origin refusal *or* an application that closed before `accept()`
//! (an auth check, or no WebSocket route: Starlette answers 403 for both); a 401 may be
//! a token *or* Node `ws`'s `verifyClient` refusing the Origin; a 404 through a proxy is
//! a wrong path *or* an upgrade the proxy forwarded as a plain GET; a 400 without
//! `Upgrade` is a dropped upgrade *or* a refused one. A [`Plan`] is built from the first
//! [`Diagnosis`] and says which [`FollowUp`] to send next (at most two), the caller
//! reports each [`Reply`], and [`Plan::verdict`] names the cause it established with the
//! evidence — or, honestly, the two causes that remain and how to tell them apart.
//! Sans-IO like the rest of the core: the caller opens the connections.
//!
//! ```
//! use wsguard_core::handshake::{Cause, ClientRequest, Diagnosis, FollowUp, Plan, Reply, Sent, Verdict};
//! let first = Diagnosis::for_status(403);
//! let mut plan = Plan::for_answer(&first, Sent { origin: true, origin_is_own: false }).unwrap();
//! assert_eq!(plan.next(), Some(FollowUp::OwnOrigin));
//! plan.record(FollowUp::OwnOrigin, Reply::Upgraded);
//! assert!(matches!(plan.verdict(), Verdict::Established { cause: Cause::OriginRefused, .. }));
//! ```

use super::client::{write_request, ClientRequest, RequestError};
use super::diagnosis::{Diagnosis, DiagnosisKind};
use crate::{Cursor, Diagnostic};
use core::fmt;

/// A follow-up request that separates two causes.
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
    /// `accept()`: an auth check, or no WebSocket route at this path).
    AppRefused,
    /// Nothing is served as a WebSocket at this path.
    WrongPath,
    /// The upgrade headers never reached the server (a proxy forwarded a plain request).
    UpgradeNotForwarded,
    /// The server saw the upgrade and refused something in it.
    UpgradeRefused,
    /// The server only accepts `Connection` written as browsers do (`keep-alive, Upgrade`).
    ConnectionForm,
}

impl Diagnostic for Cause {
    fn code(&self) -> &'static str {
        match self {
            Cause::OriginRefused => "origin_refused",
            Cause::OriginRequired => "origin_required",
            Cause::TokenRefused => "token_refused",
            Cause::AppRefused => "app_refused_before_accept",
            Cause::WrongPath => "wrong_path",
            Cause::UpgradeNotForwarded => "upgrade_not_forwarded",
            Cause::UpgradeRefused => "upgrade_refused",
            Cause::ConnectionForm => "connection_header_form",
        }
    }
    fn reason(&self) -> &'static str {
        match self {
            Cause::OriginRefused => "the server refuses the Origin that was sent",
            Cause::OriginRequired => "the client sent no Origin header and the server refuses requests without one",
            Cause::TokenRefused => "the token is missing, expired or refused",
            Cause::AppRefused => "the application refused the connection before accepting it (ASGI: `websocket.close` before `accept()` is HTTP 403 — an auth check, or no WebSocket route at this path)",
            Cause::WrongPath => "nothing is served as a WebSocket at this path",
            Cause::UpgradeNotForwarded => "the upgrade headers never reached the server: a proxy forwarded the request as a plain GET (nginx's default HTTP/1.0, or HTTP/1.1 without `Upgrade`/`Connection`)",
            Cause::UpgradeRefused => "the server saw the upgrade and refused something in the request",
            Cause::ConnectionForm => "the server only recognises the upgrade when `Connection` is the list browsers send",
        }
    }
    fn remedy(&self) -> &'static str {
        match self {
            Cause::OriginRefused => "add the page's origin (`location.origin`) to the server's allowed origins (Django: `ALLOWED_HOSTS` for Channels' `AllowedHostsOriginValidator`, `CORS_ALLOWED_ORIGINS` if you share it with django-cors-headers)",
            Cause::OriginRequired => "send an Origin header (the page's origin), or allow requests without one on the server (`allow_missing`) if non-browser clients are expected",
            Cause::TokenRefused => "send a valid token the way the server expects it (Authorization: Bearer, subprotocol entry or query parameter)",
            Cause::AppRefused => "look at the application's log and its route list: check the path, and the auth check that closes before `accept()`",
            Cause::WrongPath => "check the WebSocket URL's path (a trailing slash matters) and the server's or proxy's route for it",
            Cause::UpgradeNotForwarded => "forward the upgrade with HTTP/1.1; in nginx: `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";`",
            Cause::UpgradeRefused => "read the server's reason (body of its answer, its log) and fix the header it names",
            Cause::ConnectionForm => "browsers will connect; fix the server (or proxy) to read `Connection` as a token list",
        }
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
    /// Two causes remain; `hint` says how to tell them apart.
    Undecided {
        /// The causes still possible, most likely first.
        causes: [Cause; 2],
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
            Verdict::Undecided {
                causes: [a, b],
                hint,
            } => write!(
                f,
                "two causes remain: {} ({}), or {} ({}); to tell them apart: {hint}",
                a.reason(),
                a.code(),
                b.reason(),
                b.code()
            ),
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
    /// 400 without Upgrade and without a reason that names the problem.
    BadRequestNoUpgrade,
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

const HINT_403: &str = "the server refuses every Origin tried the same way; its log tells: an origin check (Channels' OriginValidator / AllowedHostsOriginValidator — compare `ALLOWED_HOSTS` with the page's host; wsguard names `origin_*`) or the application closing before `accept()` (Starlette/FastAPI also answer 403 when no WebSocket route matches the path)";
const HINT_401: &str = "retry with a valid token: if the answer stays 401, an Origin check refuses (Node `ws` answers 401 for every `verifyClient` refusal)";
const HINT_404: &str = "probe the backend directly (`wsguard probe ws://BACKEND:PORT/PATH`): a 101 there means the proxy drops the upgrade headers; a 404 there means the path is wrong";
const HINT_400: &str = "probe the backend directly, bypassing proxies: a 101 there means a proxy drops the upgrade headers";

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
            401 | 403 => Ambiguity::Refused(first.status),
            404 if first.via_proxy.is_some() => Ambiguity::NotFoundViaProxy,
            400 if first.wanted_version.is_none()
                && (first.kind == DiagnosisKind::ProxyDroppedUpgrade
                    || first.server_reason.is_none()) =>
            {
                Ambiguity::BadRequestNoUpgrade
            }
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
            Ambiguity::BadRequestNoUpgrade => {
                [Some(FollowUp::PlainGet), Some(FollowUp::KeepAliveUpgrade)]
            }
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

    /// The cause established so far, or the two that remain.
    pub fn verdict(&self) -> Verdict {
        let est = |cause, step: FollowUp, reply| Verdict::Established { cause, step, reply };
        match self.ambiguity {
            Ambiguity::Refused(status) => {
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
                        let cause = if self.sent.origin {
                            Cause::OriginRefused
                        } else {
                            Cause::OriginRequired
                        };
                        return est(cause, step, reply);
                    }
                }
                let origin = if self.sent.origin {
                    Cause::OriginRefused
                } else {
                    Cause::OriginRequired
                };
                if status == 401 {
                    Verdict::Undecided {
                        causes: [Cause::TokenRefused, origin],
                        hint: HINT_401,
                    }
                } else {
                    Verdict::Undecided {
                        causes: [Cause::AppRefused, origin],
                        hint: HINT_403,
                    }
                }
            }
            Ambiguity::NotFoundViaProxy => match self.reply(FollowUp::PlainGet) {
                Some(
                    r @ Reply::Status {
                        status: 200..=299, ..
                    },
                ) => est(Cause::WrongPath, FollowUp::PlainGet, r),
                _ => Verdict::Undecided {
                    causes: [Cause::UpgradeNotForwarded, Cause::WrongPath],
                    hint: HINT_404,
                },
            },
            Ambiguity::BadRequestNoUpgrade => {
                let get = self.reply(FollowUp::PlainGet);
                let keep = self.reply(FollowUp::KeepAliveUpgrade);
                match (get, keep) {
                    (_, Some(r @ Reply::Upgraded)) => {
                        est(Cause::ConnectionForm, FollowUp::KeepAliveUpgrade, r)
                    }
                    (Some(r @ Reply::Status { same: false, .. }), _) => {
                        est(Cause::UpgradeRefused, FollowUp::PlainGet, r)
                    }
                    (
                        Some(Reply::Status { same: true, .. }),
                        Some(r @ Reply::Status { same: true, .. }),
                    ) => est(Cause::UpgradeNotForwarded, FollowUp::KeepAliveUpgrade, r),
                    _ => Verdict::Undecided {
                        causes: [Cause::UpgradeNotForwarded, Cause::UpgradeRefused],
                        hint: HINT_400,
                    },
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
        // An app that closes 4401 before accept: the Origin changes nothing.
        let (v, n) = run(&d, with, |_| SAME403);
        assert_eq!(n, 2);
        assert!(matches!(
            v,
            Verdict::Undecided {
                causes: [Cause::AppRefused, Cause::OriginRefused],
                ..
            }
        ));
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
        assert!(matches!(
            v,
            Verdict::Undecided {
                causes: [Cause::TokenRefused, Cause::OriginRefused],
                ..
            }
        ));
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
        let (v, n) = run(&d, Sent::default(), |_| Reply::Status {
            status: 426,
            same: false,
        });
        assert_eq!(n, 1);
        assert!(matches!(
            v,
            Verdict::Established {
                cause: Cause::UpgradeRefused,
                ..
            }
        ));
        let (v, _) = run(&d, Sent::default(), |_| Reply::NoAnswer);
        assert!(matches!(v, Verdict::Undecided { .. }));
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
        assert!(matches!(
            v,
            Verdict::Undecided {
                causes: [Cause::UpgradeNotForwarded, Cause::WrongPath],
                ..
            }
        ));
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
