//! Application frames: whole messages, fragments, pings, and frames larger than the
//! output buffer ([`Masker`]).

use super::{Connection, Error, CONTROL_MAX};
use crate::frame::encoder::write_header;
use crate::frame::{unmask, CloseState, FrameHeader, MessageKind, Opcode};

/// Masks the payload of a frame started with [`Connection::begin_frame`], chunk by chunk
/// (a no-op for servers).
///
/// ```
/// use wsguard_core::connection::{Config, Connection};
/// use wsguard_core::frame::{MessageKind, Role};
/// let mut c = Connection::new(Config::new(Role::Server), 0);
/// let mut out = [0u8; 14];
/// let (n, mut masker) = c.begin_frame(MessageKind::Binary, 70_000, true, &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
/// let mut chunk = [7u8; 4];
/// masker.apply(&mut chunk); // unchanged for a server
/// assert_eq!(chunk, [7; 4]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Masker {
    key: Option<[u8; 4]>,
    offset: usize,
}

impl Masker {
    /// Masks the next `chunk` of the payload in place.
    pub fn apply(&mut self, chunk: &mut [u8]) {
        if let Some(k) = self.key {
            unmask(chunk, k, self.offset & 3);
        }
        self.offset = self.offset.wrapping_add(chunk.len());
    }
}

fn opcode_of(kind: MessageKind) -> Opcode {
    match kind {
        MessageKind::Text => Opcode::Text,
        MessageKind::Binary => Opcode::Binary,
        MessageKind::Reserved(n) => Opcode::from_u8(n),
    }
}

impl Connection {
    fn check_send(&self) -> Result<(), Error> {
        if self.ending.is_some()
            || self.close_out.is_some()
            || self.close_state() != CloseState::Open
        {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Writes the header of a data frame of `len` payload bytes into `out` and returns
    /// its length with the [`Masker`] for the payload you then write after it (in as
    /// many chunks as you like). `last`: the frame ends its message. The first frame of a
    /// message carries `kind`; after a frame with `last: false`, the next ones continue
    /// the same message.
    pub fn begin_frame(
        &mut self,
        kind: MessageKind,
        len: u64,
        last: bool,
        out: &mut [u8],
    ) -> Result<(usize, Masker), Error> {
        self.check_send()?;
        let opcode = match self.sending_message {
            Some(open) if open == kind => Opcode::Continuation,
            Some(_) => return Err(Error::MessageInProgress),
            None => opcode_of(kind),
        };
        let key = self.peek_key();
        let n = write_header(out, &FrameHeader::new(last, opcode, len, key))?;
        self.next_key();
        self.sending_message = if last { None } else { Some(kind) };
        Ok((n, Masker { key, offset: 0 }))
    }

    /// Writes a whole message as one frame into `out` and returns the frame's length.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::{MessageKind, Role};
    /// let mut c = Connection::new(Config::new(Role::Server), 0);
    /// let mut out = [0u8; 16];
    /// let n = c.send(MessageKind::Text, b"hi", &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x81\x02hi");
    /// ```
    pub fn send(&mut self, kind: MessageKind, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if self.sending_message.is_some() {
            return Err(Error::MessageInProgress);
        }
        self.send_fragment(kind, data, true, out)
    }

    /// Writes one fragment of a `kind` message (`last: true` ends it) into `out`.
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::{MessageKind, Role};
    /// let mut c = Connection::new(Config::new(Role::Server), 0);
    /// let mut out = [0u8; 16];
    /// let n = c.send_fragment(MessageKind::Binary, b"a", false, &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x02\x01a");
    /// let n = c.send_fragment(MessageKind::Binary, b"b", true, &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x80\x01b");
    /// ```
    pub fn send_fragment(
        &mut self,
        kind: MessageKind,
        data: &[u8],
        last: bool,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        self.check_send()?;
        let needed =
            crate::frame::encoder::header_len(data.len() as u64, self.role().masks_output())
                .saturating_add(data.len());
        if out.len() < needed {
            return Err(Error::BufferTooSmall(crate::BufferTooSmall { needed }));
        }
        let (n, mut masker) = self.begin_frame(kind, data.len() as u64, last, out)?;
        let dst = out.get_mut(n..needed).unwrap_or_default();
        dst.copy_from_slice(data);
        masker.apply(dst);
        Ok(needed)
    }

    /// Writes a ping (payload ≤ 125 bytes) into `out`. The heartbeat's own pings come
    /// from [`poll_transmit`](Self::poll_transmit).
    ///
    /// ```
    /// use wsguard_core::connection::{Config, Connection};
    /// use wsguard_core::frame::Role;
    /// let mut c = Connection::new(Config::new(Role::Server), 0);
    /// let mut out = [0u8; 8];
    /// assert_eq!(c.send_ping(b"hb", &mut out), Ok(4));
    /// assert_eq!(&out[..4], b"\x89\x02hb");
    /// ```
    pub fn send_ping(&mut self, payload: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        self.check_send()?;
        if payload.len() > CONTROL_MAX {
            return Err(Error::ControlTooLong);
        }
        let key = self.peek_key();
        let n = crate::frame::encoder::write_ping(out, payload, key).map_err(|_| {
            Error::BufferTooSmall(crate::BufferTooSmall {
                needed: crate::frame::encoder::header_len(payload.len() as u64, key.is_some())
                    + payload.len(),
            })
        })?;
        self.next_key();
        Ok(n)
    }
}
