//! `Connection`: the core's sans-IO WebSocket connection for asyncio protocols, trio
//! streams or any other loop (bytes in, events out, bytes to send, caller time).
//!
//! This file only owns buffers and translates types. Auto-pong, the close handshake,
//! reassembly, UTF-8 checks, limits and the heartbeat are `wsguard_core::connection`.
//! Memory is bounded: received bytes are kept only until a frame completes, and a
//! message grows at most to `max_message` (the core closes with 1009 beyond it).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use wsguard_core::connection::{
    Config, Connection as CoreConnection, Ending as CoreEnding, Error as ConnError, Event,
    MAX_CONTROL_FRAME,
};
use wsguard_core::frame::{MessageKind, Role};
use wsguard_core::heartbeat::HeartbeatConfig;
use wsguard_core::Diagnostic;

use crate::close::CloseInfo;
use crate::convert::{bytes_of, str_of};
use crate::errors;
use crate::frame::{kind_name, role_arg};

/// Bytes of the message buffer handed to the core: messages up to this size arrive
/// whole (zero-copy when in one frame); larger ones are joined here from pieces.
const MESSAGE_BUFFER: usize = 64 * 1024;

/// A complete message from the peer (``kind`` ``"text"``: ``data`` is a ``str``;
/// ``"binary"`` or ``"reservedN"``: ``bytes``).
#[pyclass(module = "wsguard._wsguard", name = "Message", frozen)]
pub struct Message {
    /// ``"text"``, ``"binary"`` or ``"reservedN"`` (a reserved opcode the configuration allows).
    #[pyo3(get)]
    kind: String,
    /// The payload: ``str`` for text (validated UTF-8), else ``bytes``.
    #[pyo3(get)]
    data: Py<PyAny>,
}

#[pymethods]
impl Message {
    fn __repr__(&self, py: Python<'_>) -> String {
        let len = self.data.bind(py).len().unwrap_or(0);
        format!("Message(kind='{}', len={len})", self.kind)
    }
}

/// A ping from the peer; its pong is already queued (see ``Connection.data_to_send``).
#[pyclass(module = "wsguard._wsguard", name = "Ping", frozen)]
pub struct Ping {
    /// The ping's payload (at most 125 bytes).
    #[pyo3(get)]
    payload: Py<PyBytes>,
}

#[pymethods]
impl Ping {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!("Ping(len={})", self.payload.bind(py).as_bytes().len())
    }
}

/// A pong from the peer; ``rtt_ms`` when it answers the heartbeat's ping.
#[pyclass(module = "wsguard._wsguard", name = "Pong", frozen)]
pub struct Pong {
    /// The pong's payload.
    #[pyo3(get)]
    payload: Py<PyBytes>,
    /// Round-trip time of the heartbeat's ping in ms, or ``None``.
    #[pyo3(get)]
    rtt_ms: Option<u64>,
}

#[pymethods]
impl Pong {
    fn __repr__(&self) -> String {
        format!("Pong(rtt_ms={})", crate::convert::py_opt(&self.rtt_ms))
    }
}

/// The peer's Close frame; the reply is queued. ``code`` is ``None`` for an empty payload.
#[pyclass(module = "wsguard._wsguard", name = "CloseReceived", frozen)]
pub struct CloseReceived {
    /// The close code, or ``None`` when the Close carried no payload (reported as 1005).
    #[pyo3(get)]
    code: Option<u16>,
    /// The close reason (UTF-8 checked by the core).
    #[pyo3(get)]
    reason: String,
}

#[pymethods]
impl CloseReceived {
    fn __repr__(&self) -> String {
        format!(
            "CloseReceived(code={}, reason={:?})",
            crate::convert::py_opt(&self.code),
            self.reason
        )
    }
}

/// A frame with a reserved control opcode that the configuration allows.
#[pyclass(module = "wsguard._wsguard", name = "ControlFrame", frozen)]
pub struct ControlFrame {
    /// The 4-bit opcode (11–15).
    #[pyo3(get)]
    opcode: u8,
    /// The payload.
    #[pyo3(get)]
    payload: Py<PyBytes>,
}

#[pymethods]
impl ControlFrame {
    fn __repr__(&self) -> String {
        format!("ControlFrame(opcode={})", self.opcode)
    }
}

/// Why the connection ended (``Connection.ending``): a closing handshake, a protocol
/// violation by the peer, a dead peer, an unanswered Close, or a lost transport.
#[pyclass(module = "wsguard._wsguard", name = "Ending", frozen)]
pub struct Ending {
    /// ``"closed"``, ``"failed"``, ``"peer_dead"``, ``"close_timeout"`` or ``"lost"``.
    #[pyo3(get)]
    kind: &'static str,
    /// The close code: the one received, the one we failed with, or 1006.
    #[pyo3(get)]
    code: u16,
    /// The close reason text (the peer's, or ours for a failure); ``""`` otherwise.
    #[pyo3(get)]
    reason: String,
    /// For ``"closed"``: ``True`` when the peer sent the first Close.
    #[pyo3(get)]
    by_peer: Option<bool>,
    /// For ``"failed"``/``"peer_dead"``: the stable diagnostic code (``"frame_unmasked"``,
    /// ``"heartbeat_peer_silent"`` …).
    #[pyo3(get)]
    error: Option<&'static str>,
    /// For ``"failed"``/``"peer_dead"``: what went wrong, in one sentence.
    #[pyo3(get)]
    error_reason: Option<&'static str>,
    /// The code classified by the core (meaning, category, retry advice).
    #[pyo3(get)]
    info: CloseInfo,
}

#[pymethods]
impl Ending {
    fn __repr__(&self) -> String {
        format!("Ending(kind='{}', code={})", self.kind, self.code)
    }
}

impl Ending {
    fn new(e: CoreEnding, reason: &str) -> Self {
        let (kind, by_peer, diag): (_, _, Option<&dyn Diagnostic>) = match &e {
            CoreEnding::Closed { by_peer, .. } => ("closed", Some(*by_peer), None),
            CoreEnding::Failed(p) => ("failed", None, Some(p)),
            CoreEnding::PeerDead(d) => ("peer_dead", None, Some(d)),
            CoreEnding::CloseTimeout => ("close_timeout", None, None),
            CoreEnding::Lost => ("lost", None, None),
        };
        Ending {
            kind,
            code: e.code(),
            reason: reason.to_owned(),
            by_peer,
            error: diag.map(|d| d.code()),
            error_reason: diag.map(|d| d.reason()),
            info: e.info().into(),
        }
    }
}

/// One open WebSocket (after the handshake), sans-IO: the core's connection engine.
///
/// Feed received bytes with ``receive_data()`` and handle the returned events; write
/// ``data_to_send()`` to the transport after every call; call ``handle_timeout()`` at
/// ``next_timeout()`` (monotonic ms, e.g. ``int(time.monotonic() * 1000)``).
/// Pings are answered and the close handshake is completed for you; a protocol
/// violation by the peer queues the right Close (1002/1007/1009 …) and ends the
/// connection (see ``ending``). ``close()`` starts the closing handshake.
///
/// >>> server = Connection("server")
/// >>> events = server.receive_data(b"\x81\x82\x00\x00\x00\x00hi")
/// >>> events[0].data
/// 'hi'
/// >>> server.send_text("hello")
/// >>> server.data_to_send()
/// b'\x81\x05hello'
#[pyclass(module = "wsguard._wsguard", name = "Connection")]
pub struct Connection {
    conn: CoreConnection,
    /// Received bytes not yet consumed by the core (at most one incomplete frame's worth).
    input: Vec<u8>,
    /// The core's message buffer.
    message: Vec<u8>,
    /// A message larger than `message`, joined from its pieces.
    joined: Vec<u8>,
    /// Bytes to send, in order.
    out: Vec<u8>,
    now: u64,
}

fn kind_arg(py: Python<'_>, kind: &str) -> PyResult<MessageKind> {
    match kind {
        "text" => Ok(MessageKind::Text),
        "binary" => Ok(MessageKind::Binary),
        other => Err(errors::invalid_input(
            py,
            "message_kind_unknown",
            &format!("unknown message kind {other:?}"),
            "use send_text(str) or send_binary(bytes)",
        )),
    }
}

fn conn_err(py: Python<'_>, e: &ConnError) -> PyErr {
    match e {
        ConnError::Protocol(p) => errors::protocol_error(py, p, p.close_code()),
        _ => errors::invalid_from(py, e),
    }
}

fn message_object(py: Python<'_>, kind: MessageKind, data: &[u8]) -> PyResult<Py<PyAny>> {
    Ok(match kind {
        // The core validated the UTF-8 of every text message it delivers.
        MessageKind::Text => PyString::new(py, &String::from_utf8_lossy(data))
            .into_any()
            .unbind(),
        _ => PyBytes::new(py, data).into_any().unbind(),
    })
}

impl Connection {
    /// Moves every control frame the core owes (pongs, Close replies, heartbeat pings)
    /// to the output.
    fn drain_control(&mut self) {
        let mut frame = [0u8; MAX_CONTROL_FRAME];
        while let Ok(Some(n)) = self.conn.poll_transmit(&mut frame) {
            self.out.extend_from_slice(frame.get(..n).unwrap_or(&[]));
        }
    }

    fn tick(&mut self, now: Option<u64>) -> u64 {
        if let Some(n) = now {
            self.now = self.now.max(n);
        }
        self.now
    }

    /// Writes one data frame through the core into the output.
    fn send_frame(&mut self, py: Python<'_>, kind: MessageKind, data: &[u8]) -> PyResult<()> {
        self.drain_control();
        let start = self.out.len();
        let needed = wsguard_core::frame::encoder::header_len(
            data.len() as u64,
            self.conn.role().masks_output(),
        )
        .saturating_add(data.len());
        self.out.resize(start.saturating_add(needed), 0);
        let dst = self.out.get_mut(start..).unwrap_or_default();
        match self.conn.send(kind, data, dst) {
            Ok(n) => {
                self.out.truncate(start + n);
                Ok(())
            }
            Err(e) => {
                self.out.truncate(start);
                Err(conn_err(py, &e))
            }
        }
    }
}

/// The Python object for one core event (`None`: a piece of a message still being joined).
fn event_object(
    py: Python<'_>,
    joined: &mut Vec<u8>,
    ev: Event<'_>,
) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(match ev {
        Event::Message { kind, data } => Py::new(
            py,
            Message {
                kind: kind_name(kind),
                data: message_object(py, kind, data)?,
            },
        )?
        .into_any(),
        Event::Piece {
            kind, data, last, ..
        } => {
            joined.extend_from_slice(data);
            if !last {
                return Ok(None);
            }
            let whole = std::mem::take(joined);
            Py::new(
                py,
                Message {
                    kind: kind_name(kind),
                    data: message_object(py, kind, &whole)?,
                },
            )?
            .into_any()
        }
        Event::Ping(p) => Py::new(
            py,
            Ping {
                payload: PyBytes::new(py, p).unbind(),
            },
        )?
        .into_any(),
        Event::Pong { payload, rtt_ms } => Py::new(
            py,
            Pong {
                payload: PyBytes::new(py, payload).unbind(),
                rtt_ms,
            },
        )?
        .into_any(),
        Event::Close(c) => Py::new(
            py,
            CloseReceived {
                code: c.code,
                reason: c.reason.to_owned(),
            },
        )?
        .into_any(),
        Event::Control { opcode, payload } => Py::new(
            py,
            ControlFrame {
                opcode,
                payload: PyBytes::new(py, payload).unbind(),
            },
        )?
        .into_any(),
    }))
}

#[pymethods]
impl Connection {
    /// ``role``: ``"server"`` (expects masked frames) or ``"client"`` (masks its own).
    /// ``max_message``/``max_frame``: limits in bytes (1009 beyond). ``heartbeat``:
    /// ``(interval_ms, dead_timeout_ms, max_missed)`` to ping the peer and detect a dead
    /// one, or ``None``. ``mask_seed``: seed of the client's masking keys (default: 8
    /// bytes of ``os.urandom``). ``now``: the current monotonic time in ms.
    #[new]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    #[pyo3(signature = (role, *, max_message = 16_777_216, max_frame = 16_777_216, heartbeat = None, close_timeout_ms = 5_000, mask_seed = None, now = 0))]
    fn new(
        py: Python<'_>,
        role: &Bound<'_, PyAny>,
        max_message: u64,
        max_frame: u64,
        heartbeat: Option<(u64, u64, u32)>,
        close_timeout_ms: u64,
        mask_seed: Option<u64>,
        now: u64,
    ) -> PyResult<Self> {
        let role = role_arg(py, role)?;
        let mut config = Config::new(role)
            .with_max_message(max_message)
            .with_close_timeout(close_timeout_ms);
        config.decoder = config.decoder.with_max_frame(max_frame);
        if let Some((interval, dead, missed)) = heartbeat {
            let hb = HeartbeatConfig::new(interval, dead, missed)
                .map_err(|e| errors::invalid_from(py, &e))?;
            config = config.with_heartbeat(hb);
        }
        let seed = match (mask_seed, role) {
            (Some(s), _) => s,
            (None, Role::Client) => {
                let raw = py.import("os")?.call_method1("urandom", (8,))?;
                let raw = raw.cast::<PyBytes>()?.as_bytes();
                let mut b = [0u8; 8];
                b.copy_from_slice(raw.get(..8).unwrap_or(&[0; 8]));
                u64::from_le_bytes(b)
            }
            (None, Role::Server) => 0,
        };
        let config = config.with_mask_seed(seed);
        let buffer = usize::try_from(max_message)
            .unwrap_or(usize::MAX)
            .min(MESSAGE_BUFFER);
        Ok(Connection {
            conn: CoreConnection::new(config, now),
            input: Vec::new(),
            message: vec![0; buffer],
            joined: Vec::new(),
            out: Vec::new(),
            now,
        })
    }

    /// Feeds bytes received from the peer and returns what they completed, in order:
    /// ``Message``, ``Ping`` (pong queued), ``Pong``, ``CloseReceived`` (reply queued),
    /// ``ControlFrame``. Once the connection has ended, ``ending`` says why and further
    /// bytes are ignored. Then send ``data_to_send()``.
    #[pyo3(signature = (data, now = None))]
    fn receive_data(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now: Option<u64>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let now = self.tick(now);
        let data = bytes_of(py, data, "data")?;
        let mut events = Vec::new();
        if self.conn.ending().is_some() {
            return Ok(events);
        }
        self.input.extend_from_slice(&data);
        let Connection {
            conn,
            input,
            message,
            joined,
            ..
        } = self;
        let mut pos = 0;
        loop {
            let rest = input.get_mut(pos..).unwrap_or_default();
            match conn.handle_input(now, rest, message) {
                Ok(got) => {
                    pos += got.consumed;
                    let Some(ev) = got.event else { break };
                    if let Some(obj) = event_object(py, joined, ev)? {
                        events.push(obj);
                    }
                }
                // A violation: the core queued the Close and set `ending`; the events
                // before it are still returned. After the end, further bytes are ignored.
                Err(ConnError::Protocol(_) | ConnError::Closed) => break,
                Err(e) => return Err(conn_err(py, &e)),
            }
        }
        input.drain(..pos.min(input.len()));
        if conn.ending().is_some() {
            input.clear();
            joined.clear();
        }
        self.drain_control();
        Ok(events)
    }

    /// Everything to write to the transport now (frames you sent, pongs, Close replies,
    /// heartbeat pings), in order; ``b""`` when nothing is owed.
    fn data_to_send<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.drain_control();
        let out = PyBytes::new(py, &self.out);
        self.out.clear();
        out
    }

    /// Queues a text message (one frame).
    fn send_text(&mut self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = str_of(py, text, "text")?;
        self.send_frame(py, MessageKind::Text, text.as_bytes())
    }

    /// Queues a binary message (one frame).
    fn send_binary(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let data = bytes_of(py, data, "data")?;
        self.send_frame(py, MessageKind::Binary, &data)
    }

    /// Queues a message of ``kind`` ``"text"`` or ``"binary"`` (one frame).
    fn send(&mut self, py: Python<'_>, kind: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let kind = kind_arg(py, kind)?;
        let data = bytes_of(py, data, "data")?;
        self.send_frame(py, kind, &data)
    }

    /// Queues a ping (payload at most 125 bytes).
    #[pyo3(signature = (payload = None))]
    fn ping(&mut self, py: Python<'_>, payload: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let payload = match payload {
            Some(p) => bytes_of(py, p, "payload")?.into_owned(),
            None => Vec::new(),
        };
        self.drain_control();
        let mut frame = [0u8; MAX_CONTROL_FRAME];
        let n = self
            .conn
            .send_ping(&payload, &mut frame)
            .map_err(|e| conn_err(py, &e))?;
        self.out.extend_from_slice(frame.get(..n).unwrap_or(&[]));
        Ok(())
    }

    /// Starts the closing handshake with ``code`` (default 1000; wire-valid: 1000–1003, 1007–1014,
    /// 3000–4999) and ``reason`` (cut to 123 bytes at a character boundary). Keep
    /// reading until ``ending`` is set or ``next_timeout()`` passes.
    #[pyo3(signature = (code = None, reason = "", now = None))]
    fn close(
        &mut self,
        py: Python<'_>,
        code: Option<u16>,
        reason: &str,
        now: Option<u64>,
    ) -> PyResult<()> {
        let now = self.tick(now);
        let code = code.unwrap_or(wsguard_core::close::NORMAL_CLOSURE);
        self.conn
            .close(now, code, reason)
            .map_err(|e| conn_err(py, &e))?;
        self.drain_control();
        Ok(())
    }

    /// The transport reached end of file: ends the connection with 1006 (``"lost"``)
    /// unless it had ended already.
    #[pyo3(signature = (now = None))]
    fn receive_eof(&mut self, now: Option<u64>) {
        let now = self.tick(now);
        self.conn.handle_eof(now);
    }

    /// The next deadline (monotonic ms) to call ``handle_timeout()`` at, or ``None``.
    fn next_timeout(&self) -> Option<u64> {
        self.conn.poll_timeout()
    }

    /// Runs the heartbeat and the close-handshake timer at ``now`` (ms).
    fn handle_timeout(&mut self, now: u64) {
        let now = self.tick(Some(now));
        self.conn.handle_timeout(now);
        self.drain_control();
    }

    /// Why the connection ended, or ``None`` while it is open.
    #[getter]
    fn ending(&self) -> Option<Ending> {
        self.conn
            .ending()
            .map(|e| Ending::new(e, self.conn.close_reason()))
    }

    /// ``True`` once the connection has ended and owes nothing more: close the transport
    /// after writing ``data_to_send()``.
    #[getter]
    fn is_finished(&self) -> bool {
        self.conn.is_finished() && self.out.is_empty()
    }

    /// ``"server"`` or ``"client"``.
    #[getter]
    fn role(&self) -> &'static str {
        match self.conn.role() {
            Role::Server => "server",
            Role::Client => "client",
        }
    }

    /// The heartbeat's last measured round-trip time in ms, or ``None``.
    #[getter]
    fn rtt_ms(&self) -> Option<u64> {
        self.conn.heartbeat().and_then(|h| h.last_rtt_ms())
    }

    fn __repr__(&self) -> String {
        match self.conn.ending() {
            None => format!("Connection(role='{}', open)", self.role()),
            Some(e) => format!("Connection(role='{}', ended {})", self.role(), e.code()),
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Connection>()?;
    m.add_class::<Message>()?;
    m.add_class::<Ping>()?;
    m.add_class::<Pong>()?;
    m.add_class::<CloseReceived>()?;
    m.add_class::<ControlFrame>()?;
    m.add_class::<Ending>()?;
    Ok(())
}
