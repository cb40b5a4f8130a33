//! Frames for proxies and tests: `FrameDecoder`, `Frame`, `encode_frame`, `encode_close`,
//! `Utf8Validator`.
//!
//! `FrameDecoder` owns a byte buffer (the core decoder owns none): `feed()` appends,
//! `next_frame()` runs the core decoder over the buffer and drops what it consumed.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsguard_core::frame::{
    encoder, Decoded, Decoder, DecoderConfig, Event, MessageKind, Opcode, ProtocolError, Role,
    Utf8Validator as CoreUtf8,
};

use crate::convert::{bytes_of, str_of};
use crate::errors;

/// One complete frame (or control message) decoded by ``FrameDecoder``.
#[pyclass(module = "wsguard._wsguard", name = "Frame", frozen)]
pub struct Frame {
    /// ``"data"``, ``"ping"``, ``"pong"``, ``"close"`` or ``"control"`` (reserved control opcode).
    #[pyo3(get, name = "type")]
    kind_of_event: &'static str,
    /// For data frames: ``"text"``, ``"binary"`` or ``"reservedN"``; else ``None``.
    #[pyo3(get)]
    kind: Option<String>,
    /// For data frames: ``True`` when this frame ends its message.
    #[pyo3(get)]
    fin: bool,
    /// The 4-bit opcode (continuation frames report 0).
    #[pyo3(get)]
    opcode: u8,
    /// For close frames: the code (``None`` for an empty payload).
    #[pyo3(get)]
    close_code: Option<u16>,
    /// For close frames: the reason text.
    #[pyo3(get)]
    reason: Option<String>,
    payload: Vec<u8>,
}

#[pymethods]
impl Frame {
    /// The unmasked payload.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.payload)
    }
    fn __repr__(&self) -> String {
        format!(
            "Frame(type='{}', kind={}, fin={}, len={})",
            self.kind_of_event,
            crate::convert::py_opt(&self.kind),
            if self.fin { "True" } else { "False" },
            self.payload.len()
        )
    }
}

/// `"text"`, `"binary"` or `"reservedN"`.
pub fn kind_name(k: MessageKind) -> String {
    match k {
        MessageKind::Text => "text".to_owned(),
        MessageKind::Binary => "binary".to_owned(),
        MessageKind::Reserved(n) => format!("reserved{n}"),
    }
}

fn frame_from(event: &Event<'_>) -> Option<Frame> {
    let base = |t: &'static str, opcode: u8, payload: &[u8]| Frame {
        kind_of_event: t,
        kind: None,
        fin: true,
        opcode,
        close_code: None,
        reason: None,
        payload: payload.to_vec(),
    };
    Some(match event {
        Event::Header(_) => return None,
        Event::Data {
            kind,
            payload,
            fin_of_message,
            ..
        } => Frame {
            kind: Some(kind_name(*kind)),
            fin: *fin_of_message,
            opcode: match kind {
                MessageKind::Text => 1,
                MessageKind::Binary => 2,
                MessageKind::Reserved(n) => *n,
            },
            ..base("data", 0, payload)
        },
        Event::Ping(p) => base("ping", 9, p),
        Event::Pong(p) => base("pong", 10, p),
        Event::Close(c) => {
            let mut f = base("close", 8, &[]);
            let mut raw = Vec::new();
            if let Some(code) = c.code {
                raw.extend_from_slice(&code.to_be_bytes());
            }
            raw.extend_from_slice(c.reason.as_bytes());
            f.payload = raw;
            f.close_code = c.code;
            f.reason = Some(c.reason.to_owned());
            f
        }
        Event::Control { opcode, payload } => base("control", *opcode, payload),
    })
}

fn protocol_err(py: Python<'_>, e: &ProtocolError) -> PyErr {
    errors::protocol_error(py, e, e.close_code())
}

/// `"server"` / `"client"` → the core's role.
pub fn role_arg(py: Python<'_>, role: &Bound<'_, PyAny>) -> PyResult<Role> {
    match str_of(py, role, "role")?.as_ref() {
        "server" => Ok(Role::Server),
        "client" => Ok(Role::Client),
        other => Err(errors::invalid_input(
            py,
            "role_unknown",
            &format!("unknown role {other:?}"),
            "use role=\"server\" (receives masked client frames) or role=\"client\"",
        )),
    }
}

/// A streaming RFC 6455 frame decoder for one connection (the core's ``Decoder`` plus a
/// buffer). ``role="server"`` expects masked frames, ``"client"`` unmasked ones.
///
/// Feed bytes as they arrive with ``feed()``, then call ``next_frame()`` until it returns
/// ``None`` (``needed`` then says how many more bytes the next frame lacks). A protocol
/// violation raises ``ProtocolError`` whose ``close_code`` (1002, 1003, 1007, 1009) is the
/// code to close with; the decoder stays failed afterwards.
#[pyclass(module = "wsguard._wsguard", name = "FrameDecoder")]
pub struct FrameDecoder {
    decoder: Decoder,
    buf: Vec<u8>,
    needed: usize,
}

#[pymethods]
impl FrameDecoder {
    #[new]
    #[pyo3(signature = (role = None, *, max_frame = None, max_message = None, strict_length = true, allowed_rsv = 0, allowed_opcodes = 0, accept_text = true, accept_binary = true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        role: Option<&Bound<'_, PyAny>>,
        max_frame: Option<u64>,
        max_message: Option<u64>,
        strict_length: bool,
        allowed_rsv: u8,
        allowed_opcodes: u16,
        accept_text: bool,
        accept_binary: bool,
    ) -> PyResult<Self> {
        let role = match role {
            Some(r) if !r.is_none() => role_arg(py, r)?,
            _ => Role::Server,
        };
        let mut cfg = DecoderConfig::new(role)
            .with_allowed_rsv(allowed_rsv)
            .with_allowed_opcodes(allowed_opcodes)
            .with_accepted(accept_text, accept_binary);
        if let Some(n) = max_frame {
            cfg = cfg.with_max_frame(n);
        }
        if let Some(n) = max_message {
            cfg = cfg.with_max_message(n);
        }
        if !strict_length {
            cfg = cfg.lenient_length();
        }
        Ok(FrameDecoder {
            decoder: Decoder::new(cfg),
            buf: Vec::new(),
            needed: 0,
        })
    }

    /// Appends received bytes to the internal buffer.
    fn feed(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = bytes_of(py, data, "data")?;
        self.buf.extend_from_slice(&bytes);
        Ok(())
    }

    /// The next complete frame, or ``None`` when more bytes are needed.
    fn next_frame(&mut self, py: Python<'_>) -> PyResult<Option<Frame>> {
        // Bounded: each iteration either returns or consumes at least one byte.
        for _ in 0..=self.buf.len() {
            let (consumed, frame) = match self.decoder.decode(&mut self.buf) {
                Ok(Decoded::Incomplete { needed }) => {
                    self.needed = needed;
                    return Ok(None);
                }
                Ok(Decoded::Event { consumed, event }) => (consumed, frame_from(&event)),
                Err(e) => return Err(protocol_err(py, &e)),
            };
            self.buf.drain(..consumed.min(self.buf.len()));
            self.needed = 0;
            if frame.is_some() {
                return Ok(frame);
            }
        }
        Ok(None)
    }

    /// ``feed(data)`` then every complete frame, in order.
    fn receive(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<Frame>> {
        self.feed(py, data)?;
        let mut out = Vec::new();
        while let Some(f) = self.next_frame(py)? {
            out.push(f);
        }
        Ok(out)
    }

    /// Bytes the next frame still lacks after the last ``next_frame()`` returned ``None``.
    #[getter]
    fn needed(&self) -> usize {
        self.needed
    }

    /// Bytes buffered and not yet decoded.
    #[getter]
    fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// ``True`` while a fragmented message is in progress.
    #[getter]
    fn in_message(&self) -> bool {
        self.decoder.in_message()
    }
}

fn opcode_arg(py: Python<'_>, opcode: &Bound<'_, PyAny>) -> PyResult<Opcode> {
    if let Ok(n) = opcode.extract::<u8>() {
        if n <= 0x0F {
            return Ok(Opcode::from_u8(n));
        }
    } else if let Ok(name) = str_of(py, opcode, "opcode") {
        match name.as_ref() {
            "continuation" => return Ok(Opcode::Continuation),
            "text" => return Ok(Opcode::Text),
            "binary" => return Ok(Opcode::Binary),
            "close" => return Ok(Opcode::Close),
            "ping" => return Ok(Opcode::Ping),
            "pong" => return Ok(Opcode::Pong),
            _ => {}
        }
    }
    Err(errors::invalid_input(
        py,
        "opcode_unknown",
        "opcode must be 0–15 or one of \"continuation\", \"text\", \"binary\", \"close\", \"ping\", \"pong\"",
        "pass e.g. \"text\" or 1",
    ))
}

fn mask_arg(py: Python<'_>, mask: Option<&Bound<'_, PyAny>>) -> PyResult<Option<[u8; 4]>> {
    let Some(m) = mask else { return Ok(None) };
    if m.is_none() {
        return Ok(None);
    }
    let b = bytes_of(py, m, "mask")?;
    <[u8; 4]>::try_from(b.as_ref()).map(Some).map_err(|_| {
        errors::invalid_input(
            py,
            "mask_length",
            "a masking key is exactly 4 bytes",
            "pass os.urandom(4) (clients mask; servers pass None)",
        )
    })
}

/// Encodes one frame: header plus payload, masked with ``mask`` (4 bytes, client role).
/// No protocol rule is checked (use ``encode_close`` for close frames); use it to build
/// test traffic, including invalid frames.
#[pyfunction]
#[pyo3(signature = (opcode, payload = None, *, fin = true, mask = None))]
pub fn encode_frame<'py>(
    py: Python<'py>,
    opcode: &Bound<'_, PyAny>,
    payload: Option<&Bound<'_, PyAny>>,
    fin: bool,
    mask: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let op = opcode_arg(py, opcode)?;
    let data = match payload {
        Some(p) if !p.is_none() => bytes_of(py, p, "payload")?.into_owned(),
        _ => Vec::new(),
    };
    let key = mask_arg(py, mask)?;
    let mut out = vec![
        0u8;
        data.len()
            .saturating_add(wsguard_core::frame::header::MAX_HEADER_LEN)
    ];
    match encoder::write_frame(&mut out, fin, op, &data, key) {
        Ok(n) => Ok(PyBytes::new(py, out.get(..n).unwrap_or(&[]))),
        Err(e) => Err(errors::invalid_input(
            py,
            "buffer_too_small",
            &format!("frame needs {} bytes", e.needed),
            "",
        )),
    }
}

/// Encodes a Close frame after checking the close rules (wire-valid code, reason of at
/// most 123 bytes, no reason without a code). Raises ``InvalidInput`` otherwise.
#[pyfunction]
#[pyo3(signature = (code = None, reason = "", *, mask = None))]
pub fn encode_close<'py>(
    py: Python<'py>,
    code: Option<&Bound<'_, PyAny>>,
    reason: &str,
    mask: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let code = match code {
        Some(c) if !c.is_none() => Some(crate::close::code_arg(py, c)?),
        _ => None,
    };
    let key = mask_arg(py, mask)?;
    let mut out = vec![0u8; 2 + 125 + 14];
    match encoder::write_close(&mut out, code, reason, key) {
        Ok(n) => Ok(PyBytes::new(py, out.get(..n).unwrap_or(&[]))),
        Err(e) => Err(errors::invalid_from(py, &e)),
    }
}

/// Incremental UTF-8 validation of a text message split anywhere (the core's
/// ``Utf8Validator``). ``feed()`` raises ``ProtocolError`` (``frame_invalid_utf8``, close
/// code 1007) as soon as the input cannot be UTF-8; ``finish()`` also when the message
/// ends inside a code point. ``valid_up_to`` of the error is on the exception.
#[pyclass(module = "wsguard._wsguard", name = "Utf8Validator")]
pub struct Utf8Validator {
    inner: CoreUtf8,
}

fn utf8_err(py: Python<'_>, e: &wsguard_core::frame::Utf8Error) -> PyErr {
    let err = errors::protocol_error(py, e, 1007);
    let _ = err.value(py).setattr("valid_up_to", e.valid_up_to);
    err
}

#[pymethods]
impl Utf8Validator {
    #[new]
    fn new() -> Self {
        Utf8Validator {
            inner: CoreUtf8::new(),
        }
    }
    /// Validates the next chunk of the message.
    fn feed(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = bytes_of(py, data, "data")?;
        self.inner.feed(&bytes).map_err(|e| utf8_err(py, &e))
    }
    /// Checks the message did not end inside a code point.
    fn finish(&self, py: Python<'_>) -> PyResult<()> {
        self.inner.finish().map_err(|e| utf8_err(py, &e))
    }
    /// Starts a new message.
    fn reset(&mut self) {
        self.inner.reset();
    }
    /// ``True`` when the input so far ends on a code-point boundary.
    #[getter]
    fn is_boundary(&self) -> bool {
        self.inner.is_boundary()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Frame>()?;
    m.add_class::<FrameDecoder>()?;
    m.add_class::<Utf8Validator>()?;
    m.add_function(wrap_pyfunction!(encode_frame, m)?)?;
    m.add_function(wrap_pyfunction!(encode_close, m)?)?;
    Ok(())
}
