//! Client side of the opening handshake: `ClientHandshake` writes the upgrade request and
//! validates the server's answer; a non-101 answer becomes `wsguard.UpgradeFailed` with the
//! core's diagnosis (why it failed and what to change).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use wsguard_core::handshake::{
    validate_response, write_follow_up, write_request, ClientFailure, ClientRequest, Diagnosis,
    FollowUp, Plan, Reply, RequestError, Sent, SubprotocolToken, TokenPlacement, Verdict,
};
use wsguard_core::{write_growing, Diagnostic, Status};

use crate::convert::{bytes_of, str_list};
use crate::errors;

/// A successful upgrade seen from the client.
#[pyclass(module = "wsguard._wsguard", name = "Established", frozen)]
pub struct Established {
    /// The subprotocol the server chose, or ``None``.
    #[pyo3(get)]
    subprotocol: Option<String>,
    /// The ``Server`` header, or ``None``.
    #[pyo3(get)]
    server: Option<String>,
    /// Bytes of the response head; later bytes are WebSocket frames.
    #[pyo3(get)]
    consumed: usize,
    /// Extension names the server answered with.
    #[pyo3(get)]
    extensions: Vec<String>,
}

enum Placement {
    None,
    Authorization,
    Query(String),
    Prefix(String),
    Pair(String),
}

/// The client half of the opening handshake for one connection attempt.
///
/// Args:
///     host: the ``Host`` header (``host[:port]``).
///     path: path and query (``"/chat?room=1"``).
///     nonce: 16 random bytes for ``Sec-WebSocket-Key`` (default: ``os.urandom(16)``).
///     origin: the ``Origin`` to send (browsers always send one), or ``None``.
///     subprotocols: subprotocols to offer.
///     extensions: raw ``Sec-WebSocket-Extensions`` value to offer.
///     token: a bearer token to send, placed by ``token_placement``: ``"authorization"``,
///         ``"query"`` (parameter ``token_name``), ``"subprotocol_prefix"`` (entry
///         ``<token_name><token>``) or ``"subprotocol_pair"`` (``<token_name>, <token>``).
#[pyclass(module = "wsguard._wsguard", name = "ClientHandshake", frozen)]
pub struct ClientHandshake {
    host: String,
    path: String,
    nonce: [u8; 16],
    origin: Option<String>,
    subprotocols: Vec<String>,
    extensions: Option<String>,
    token: Option<String>,
    placement: Placement,
}

impl ClientHandshake {
    fn with_request<R>(&self, f: impl FnOnce(&ClientRequest<'_>) -> R) -> R {
        let protos: Vec<&str> = self.subprotocols.iter().map(String::as_str).collect();
        let mut req = ClientRequest::new(&self.host, &self.path, self.nonce).subprotocols(&protos);
        if let Some(o) = &self.origin {
            req = req.origin(o);
        }
        if let Some(e) = &self.extensions {
            req = req.extensions(e);
        }
        if let Some(t) = &self.token {
            let placement = match &self.placement {
                Placement::None | Placement::Authorization => TokenPlacement::Authorization,
                Placement::Query(n) => TokenPlacement::Query(n),
                Placement::Prefix(p) => TokenPlacement::Subprotocol(SubprotocolToken::Prefix(p)),
                Placement::Pair(m) => TokenPlacement::Subprotocol(SubprotocolToken::Pair(m)),
            };
            req = req.token(t, placement);
        }
        f(&req)
    }
}

/// The request bytes a writer left in `buf`, or ``InvalidInput`` with its code.
fn request_bytes<'py>(
    py: Python<'py>,
    buf: &[u8],
    written: Result<usize, RequestError>,
) -> PyResult<Bound<'py, PyBytes>> {
    match written {
        Ok(n) => Ok(PyBytes::new(py, buf.get(..n).unwrap_or(&[]))),
        Err(RequestError::BufferTooSmall(_)) => Err(errors::invalid_input(
            py,
            "buffer_too_small",
            "the request does not fit",
            "",
        )),
        Err(e) => Err(errors::invalid_from(py, &e)),
    }
}

fn failure(py: Python<'_>, f: &ClientFailure<'_>) -> PyErr {
    let details = PyDict::new(py);
    if let ClientFailure::Rejected(d) = f {
        let _ = details.set_item("upgrade_in_answer", d.upgrade_in_answer);
        for (k, v) in [
            ("location", d.location),
            ("server", d.server),
            ("server_reason", d.server_reason),
            ("server_code", d.server_code),
            ("wanted_version", d.wanted_version),
            ("via_proxy", d.via_proxy),
            ("proxy_hint", d.proxy_hint()),
        ] {
            if let Some(v) = v {
                let _ = details.set_item(k, v);
            }
        }
        if let Some(r) = d.retry_after {
            let _ = details.set_item("retry_after", r);
        }
        if let Some(n) = d.body_end {
            let _ = details.set_item("body_end", n);
        }
        // One answer that cannot name the cause: the causes that remain (the core's verdict).
        if let Some(v @ Verdict::Undecided { causes, hint }) = d.verdict() {
            let codes: Vec<&str> = causes.as_slice().iter().map(|c| c.code()).collect();
            let _ = details.set_item("causes", codes);
            let _ = details.set_item("hint", hint);
            let _ = details.set_item("verdict", v.to_string());
        }
    }
    errors::upgrade_failed(py, f, f.status(), details)
}

#[pymethods]
impl ClientHandshake {
    #[new]
    #[pyo3(signature = (host, path = None, *, nonce = None, origin = None, subprotocols = None, extensions = None, token = None, token_placement = "authorization", token_name = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        path: Option<String>,
        nonce: Option<&Bound<'_, PyAny>>,
        origin: Option<String>,
        subprotocols: Option<&Bound<'_, PyAny>>,
        extensions: Option<String>,
        token: Option<String>,
        token_placement: &str,
        token_name: Option<String>,
    ) -> PyResult<Self> {
        let nonce_bytes = match nonce {
            Some(n) if !n.is_none() => bytes_of(py, n, "nonce")?.into_owned(),
            _ => py
                .import("os")?
                .call_method1("urandom", (16,))?
                .extract::<Vec<u8>>()?,
        };
        let nonce = <[u8; 16]>::try_from(nonce_bytes.as_slice()).map_err(|_| {
            errors::invalid_input(
                py,
                "nonce_length",
                "the nonce is exactly 16 bytes",
                "pass os.urandom(16), or leave it out",
            )
        })?;
        let name = || {
            token_name.clone().ok_or_else(|| {
                errors::invalid_input(
                    py,
                    "token_name_missing",
                    &format!("token_placement={token_placement:?} needs token_name"),
                    "pass the query parameter, prefix or marker, e.g. token_name=\"token\"",
                )
            })
        };
        let placement = match (token.is_some(), token_placement) {
            (false, _) => Placement::None,
            (true, "authorization") => Placement::Authorization,
            (true, "query") => Placement::Query(name()?),
            (true, "subprotocol_prefix") => Placement::Prefix(name()?),
            (true, "subprotocol_pair") => Placement::Pair(name()?),
            (true, other) => return Err(errors::invalid_input(
                py,
                "token_placement_unknown",
                &format!("unknown token_placement {other:?}"),
                "use \"authorization\", \"query\", \"subprotocol_prefix\" or \"subprotocol_pair\"",
            )),
        };
        Ok(ClientHandshake {
            host,
            path: path.unwrap_or_else(|| "/".to_owned()),
            nonce,
            origin,
            subprotocols: str_list(py, subprotocols, "subprotocols")?,
            extensions,
            token,
            placement,
        })
    }

    /// The upgrade request to send, as bytes. Raises ``InvalidInput`` (``request_*``
    /// codes) when a field cannot be sent (a bad host, path, origin, subprotocol or token).
    #[getter]
    fn request<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let size =
            512 + self.path.len() + self.host.len() + self.token.as_ref().map_or(0, String::len);
        let mut buf = vec![0u8; size];
        let written = write_growing(
            &mut buf,
            1 << 20,
            |b, n| b.resize(n, 0),
            |out| self.with_request(|r| write_request(r, out)),
        );
        request_bytes(py, &buf, written)
    }

    /// The ``Sec-WebSocket-Key`` this attempt sends.
    #[getter]
    fn key(&self) -> String {
        self.with_request(|r| r.key.as_str().to_owned())
    }

    /// Validates the bytes received so far. Returns ``None`` when the head is incomplete,
    /// an ``Established`` on a valid 101, and raises ``UpgradeFailed`` otherwise.
    fn validate_response(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Established>> {
        let bytes = bytes_of(py, data, "data")?;
        self.with_request(|r| match validate_response(r, &bytes) {
            Ok(Status::Partial) => Ok(None),
            Ok(Status::Complete(e)) => Ok(Some(Established {
                subprotocol: e.subprotocol.map(str::to_owned),
                server: e.server.map(str::to_owned),
                consumed: e.consumed,
                extensions: e.extensions().map(|x| x.name.to_owned()).collect(),
            })),
            Err(f) => Err(failure(py, &f)),
        })
    }

    /// The differential plan for the refused answer ``first`` (the bytes that made
    /// ``validate_response`` raise ``UpgradeFailed``), or ``None`` when that answer names
    /// its cause. ``own_origin`` is the URL's own origin (``http(s)://host[:port]``), sent
    /// by the ``own_origin`` follow-up; ``origin_is_own``: the Origin this attempt sent is
    /// that one already. Raises ``InvalidInput`` when ``first`` is not a complete refusal.
    #[pyo3(signature = (first, *, own_origin, origin_is_own = false))]
    fn plan(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        first: &Bound<'_, PyAny>,
        own_origin: String,
        origin_is_own: bool,
    ) -> PyResult<Option<FollowUpPlan>> {
        let first = bytes_of(py, first, "first")?.into_owned();
        let hs = slf.get();
        let plan = hs.with_request(|r| {
            first_refusal(r, &first).map(|d| {
                let sent = Sent {
                    origin: r.origin.is_some(),
                    origin_is_own,
                };
                Plan::for_answer(&d, sent)
            })
        });
        let plan = plan.map_err(|why| {
            errors::invalid_input(
                py,
                "plan_first_answer",
                why,
                "pass every byte of the refused answer (its body included)",
            )
        })?;
        Ok(plan.map(|plan| FollowUpPlan {
            handshake: slf.clone().unbind(),
            first,
            own_origin,
            plan,
        }))
    }
}

/// The first answer's diagnosis, or why it cannot start a plan.
fn first_refusal<'b>(
    r: &ClientRequest<'_>,
    first: &'b [u8],
) -> Result<Diagnosis<'b>, &'static str> {
    match validate_response(r, first) {
        Err(ClientFailure::Rejected(d)) if d.body_end.is_none() => Ok(d),
        Err(ClientFailure::Rejected(_)) | Ok(Status::Partial) => {
            Err("the refused answer is incomplete (head or announced body)")
        }
        _ => Err("the answer is not a refusal (a 101, or not HTTP)"),
    }
}

fn step_of(py: Python<'_>, code: &str) -> PyResult<FollowUp> {
    [
        FollowUp::OwnOrigin,
        FollowUp::NoOrigin,
        FollowUp::PlainGet,
        FollowUp::KeepAliveUpgrade,
    ]
    .into_iter()
    .find(|s| s.code() == code)
    .ok_or_else(|| {
        errors::invalid_input(
            py,
            "follow_up_unknown",
            &format!("unknown follow-up step {code:?}"),
            "pass the step named by `next_step`",
        )
    })
}

/// Differential probing: which follow-up request separates the causes of an ambiguous
/// refusal, and what the answers establish (the core's plan). Send ``request(step)`` for
/// ``next_step`` on a new connection, feed the answer to ``record``, repeat until
/// ``next_step`` is ``None``; then ``established`` or ``causes`` + ``hint`` say it.
#[pyclass(module = "wsguard._wsguard", name = "FollowUpPlan")]
pub struct FollowUpPlan {
    handshake: Py<ClientHandshake>,
    first: Vec<u8>,
    own_origin: String,
    plan: Plan,
}

#[pymethods]
impl FollowUpPlan {
    /// The follow-up to send next (``"own_origin"``, ``"no_origin"``, ``"plain_get"``,
    /// ``"keep_alive_upgrade"``), or ``None`` when the plan is done.
    #[getter]
    fn next_step(&self) -> Option<&'static str> {
        self.plan.next().map(FollowUp::code)
    }

    /// The request bytes of follow-up ``step``.
    fn request<'py>(&self, py: Python<'py>, step: &str) -> PyResult<Bound<'py, PyBytes>> {
        let step = step_of(py, step)?;
        let hs = self.handshake.get();
        let size = 1024
            + hs.path.len()
            + hs.host.len()
            + self.own_origin.len()
            + hs.token.as_ref().map_or(0, String::len);
        let mut buf = vec![0u8; size];
        let written = write_growing(
            &mut buf,
            1 << 20,
            |b, n| b.resize(n, 0),
            |out| hs.with_request(|r| write_follow_up(r, step, &self.own_origin, out)),
        );
        request_bytes(py, &buf, written)
    }

    /// Records the answer to ``step`` (the bytes read so far). Returns ``False`` while
    /// the answer is incomplete (read more and call again), ``True`` once recorded;
    /// ``at_end=True`` (the connection closed, or it failed: pass ``b""``) always records.
    #[pyo3(signature = (step, answer, *, at_end = false))]
    fn record(
        &mut self,
        py: Python<'_>,
        step: &str,
        answer: &Bound<'_, PyAny>,
        at_end: bool,
    ) -> PyResult<bool> {
        let step = step_of(py, step)?;
        let answer = bytes_of(py, answer, "answer")?;
        let hs = self.handshake.get();
        let own = self.own_origin.as_str();
        let reply = hs.with_request(|r| {
            let first = first_refusal(r, &self.first).ok()?;
            match Reply::from_answer(r, step, own, &first, &answer) {
                Some(reply) => Some(reply),
                None if at_end => Some(Reply::at_end(r, step, own, &first, &answer)),
                None => None,
            }
        });
        match reply {
            Some(reply) => {
                self.plan.record(step, reply);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The cause established by a follow-up (a cause code such as ``"origin_refused"``),
    /// or ``None`` while two or three remain.
    #[getter]
    fn established(&self) -> Option<&'static str> {
        match self.plan.verdict() {
            Verdict::Established { cause, .. } => Some(cause.code()),
            Verdict::Undecided { .. } => None,
        }
    }

    /// The follow-up that established the cause, or ``None``.
    #[getter]
    fn evidence(&self) -> Option<&'static str> {
        match self.plan.verdict() {
            Verdict::Established { step, .. } => Some(step.code()),
            Verdict::Undecided { .. } => None,
        }
    }

    /// The causes still possible, most likely first (one when established).
    #[getter]
    fn causes(&self) -> Vec<&'static str> {
        match self.plan.verdict() {
            Verdict::Established { cause, .. } => vec![cause.code()],
            Verdict::Undecided { causes, .. } => {
                causes.as_slice().iter().map(|c| c.code()).collect()
            }
        }
    }

    /// How to tell the remaining causes apart, or ``None`` when established.
    #[getter]
    fn hint(&self) -> Option<&'static str> {
        match self.plan.verdict() {
            Verdict::Undecided { hint, .. } => Some(hint),
            Verdict::Established { .. } => None,
        }
    }

    /// The verdict as a sentence (the cause and its evidence, or the causes that remain).
    #[getter]
    fn explanation(&self) -> String {
        self.plan.verdict().to_string()
    }

    /// The fix: the remedy of the established cause, or of each remaining one.
    #[getter]
    fn remedy(&self) -> String {
        match self.plan.verdict() {
            Verdict::Established { cause, .. } => cause.remedy().to_owned(),
            Verdict::Undecided { causes, .. } => causes
                .as_slice()
                .iter()
                .map(|c| c.remedy())
                .collect::<Vec<_>>()
                .join(" — or: "),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "FollowUpPlan(next_step={:?}, causes={:?})",
            self.next_step(),
            self.causes()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ClientHandshake>()?;
    m.add_class::<Established>()?;
    m.add_class::<FollowUpPlan>()?;
    Ok(())
}
