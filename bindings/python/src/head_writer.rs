//! The request head of `validate_handshake`, written from a Python header list: the
//! request line and every `(name, value)` (pairs, 2-lists or a mapping of `str`/`bytes`)
//! byte for byte into one buffer, for the core's `validate_request` to parse. Nothing is
//! added but the `Sec-WebSocket-Protocol` an ASGI scope's `subprotocols` stands for; a
//! CR, LF or NUL that cannot be written into a head is the core's `malformed_request`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use wsguard_core::handshake::Rejection;

use crate::convert::{bytes_of, type_name};
use crate::errors;
use crate::handshake::rejected;

/// Writes the request head straight into one buffer while reading the Python header
/// list: one allocation, no per-header copies. Remembers whether a
/// `Sec-WebSocket-Protocol` header was present (for `offered_subprotocols`) and whether
/// anything could not be carried.
pub struct RequestWriter {
    pub buf: Vec<u8>,
    pub protocol_seen: bool,
    unrepresentable: bool,
}

/// The header `offered_subprotocols` (an ASGI scope's `subprotocols`) stands for when the
/// server removed it.
pub const PROTOCOL_HEADER: &[u8] = b"sec-websocket-protocol";

fn unrepresentable(b: &[u8]) -> bool {
    b.iter().any(|&c| c == b'\r' || c == b'\n' || c == 0)
}

impl RequestWriter {
    pub fn new(method: &[u8], path: &[u8]) -> Self {
        Self::from_parts(Vec::with_capacity(1024), method, &[path])
    }

    /// Starts the head in `buf` (cleared): `method`, the target written from `target`
    /// pieces, `HTTP/1.1`.
    pub fn from_parts(mut buf: Vec<u8>, method: &[u8], target: &[&[u8]]) -> Self {
        buf.clear();
        buf.extend_from_slice(method);
        buf.push(b' ');
        let mut bad = unrepresentable(method);
        for part in target {
            buf.extend_from_slice(part);
            bad |= unrepresentable(part);
        }
        buf.extend_from_slice(b" HTTP/1.1\r\n");
        RequestWriter {
            buf,
            protocol_seen: false,
            unrepresentable: bad,
        }
    }

    pub fn push(&mut self, name: &[u8], value: &[u8]) {
        self.unrepresentable |= unrepresentable(name) || unrepresentable(value);
        self.protocol_seen |= name.eq_ignore_ascii_case(PROTOCOL_HEADER);
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(b": ");
        self.buf.extend_from_slice(value);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn finish(mut self, py: Python<'_>) -> PyResult<Vec<u8>> {
        if self.unrepresentable {
            return Err(rejected(py, &Rejection::MalformedRequest));
        }
        self.buf.extend_from_slice(b"\r\n");
        Ok(self.buf)
    }
}

/// Reads `[(name, value), ...]` or a mapping `{name: value | [values] | None}` into `out`.
pub fn write_headers(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    out: &mut RequestWriter,
) -> PyResult<()> {
    if headers.is_instance_of::<PyList>() || headers.is_instance_of::<PyTuple>() {
        return push_pairs(py, headers, out);
    }
    if let Ok(d) = headers.cast::<PyDict>() {
        for (k, v) in d.iter() {
            push_mapping_item(py, &k, &v, out)?;
        }
        return Ok(());
    }
    if headers.hasattr("items")? {
        for item in headers.call_method0("items")?.try_iter()? {
            let item = item?;
            push_mapping_item(py, &item.get_item(0)?, &item.get_item(1)?, out)?;
        }
        return Ok(());
    }
    push_pairs(py, headers, out)
}

pub fn headers_shape(py: Python<'_>, what: &str) -> PyErr {
    errors::invalid_input(
        py,
        "headers_shape",
        &format!("headers must be a list of (name, value) pairs or a mapping; {what}"),
        "pass scope[\"headers\"] from ASGI, or a dict {\"Origin\": \"https://...\"}",
    )
}

/// Reads an iterable of `(name, value)` pairs (tuples or 2-lists of str/bytes) into `out`.
pub fn push_pairs(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    out: &mut RequestWriter,
) -> PyResult<()> {
    let bad = |what: &str| headers_shape(py, what);
    let iter = headers
        .try_iter()
        .map_err(|_| bad(&format!("got {}", type_name(headers))))?;
    for item in iter {
        let item = item?;
        let (name, value) = if let Ok(t) = item.cast::<PyTuple>() {
            if t.len() != 2 {
                return Err(bad("an item does not have exactly two elements"));
            }
            (t.get_item(0)?, t.get_item(1)?)
        } else if let Ok(l) = item.cast::<PyList>() {
            if l.len() != 2 {
                return Err(bad("an item does not have exactly two elements"));
            }
            (l.get_item(0)?, l.get_item(1)?)
        } else {
            return Err(bad(&format!("an item is {}", type_name(&item))));
        };
        let name = bytes_of(py, &name, "header name")?;
        let value = bytes_of(py, &value, "header value")?;
        out.push(&name, &value);
    }
    Ok(())
}

fn push_mapping_item(
    py: Python<'_>,
    k: &Bound<'_, PyAny>,
    v: &Bound<'_, PyAny>,
    out: &mut RequestWriter,
) -> PyResult<()> {
    let name = bytes_of(py, k, "header name")?;
    if v.is_none() {
        return Ok(()); // absent header
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        for item in v.try_iter()? {
            let item = item?;
            out.push(&name, &bytes_of(py, &item, "header value")?);
        }
        return Ok(());
    }
    out.push(&name, &bytes_of(py, v, "header value")?);
    Ok(())
}
