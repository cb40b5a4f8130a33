//! Client side of the opening handshake: `ClientHandshake` writes the upgrade request and
//! validates the server's answer; a non-101 answer becomes `wsguard.UpgradeFailed` with the
//! core's diagnosis (why it failed and what to change).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use wsguard_core::handshake::{
    validate_response, write_request, ClientFailure, ClientRequest, SubprotocolToken,
    TokenPlacement,
};
use wsguard_core::Status;

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
        let mut size =
            512 + self.path.len() + self.host.len() + self.token.as_ref().map_or(0, String::len);
        for _ in 0..3 {
            let mut buf = vec![0u8; size];
            match self.with_request(|r| write_request(r, &mut buf)) {
                Ok(n) => return Ok(PyBytes::new(py, buf.get(..n).unwrap_or(&[]))),
                Err(wsguard_core::handshake::RequestError::BufferTooSmall(b)) => {
                    size = b.needed.max(size * 2)
                }
                Err(e) => return Err(errors::invalid_from(py, &e)),
            }
        }
        Err(errors::invalid_input(
            py,
            "buffer_too_small",
            "the request does not fit",
            "",
        ))
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
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ClientHandshake>()?;
    m.add_class::<Established>()?;
    Ok(())
}
