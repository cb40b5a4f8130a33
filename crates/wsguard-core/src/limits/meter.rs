//! [`MessageMeter`]: how many bytes of an unfinished message an inbound WebSocket stream
//! holds, for a server whose WebSocket library buffers messages itself (tungstenite).
//!
//! It watches the bytes as they are read (it never changes them: the library still
//! unmasks and validates), reading frame headers with [`FrameHeader::parse`] and counting
//! the payload of data frames until the frame that ends the message (`FIN`) is complete.
//! The count is what the caller reserves from [`PeerLimits::message_budget`](super::PeerLimits::message_budget).
//! Fed with the bytes a server writes, it tells where a frame of the server's own may go
//! ([`MessageMeter::at_frame_boundary`]).

use crate::frame::header::HeaderStatus;
use crate::frame::FrameHeader;

/// Meter of one connection's inbound stream (client-to-server frames).
///
/// ```
/// use wsguard_core::limits::MessageMeter;
/// let mut m = MessageMeter::new();
/// // a text frame without FIN, masked, 3 payload bytes announced, 2 received
/// assert_eq!(m.feed(&[0x01, 0x83, 1, 2, 3, 4, b'a', b'b']), 2);
/// assert_eq!(m.feed(&[b'c']), 3);
/// // the continuation that ends the message: the message is delivered, nothing held
/// assert_eq!(m.feed(&[0x80, 0x81, 1, 2, 3, 4, b'd']), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MessageMeter {
    header: [u8; 14],
    header_have: u8,
    /// Payload bytes of the current frame still to come.
    remaining: u64,
    /// The current frame carries message data (not a control frame).
    data: bool,
    /// The current frame ends its message.
    fin: bool,
    /// Payload bytes of the unfinished message received so far.
    held: u64,
    /// A header could not be read: metering stopped (the library refuses the stream).
    lost: bool,
}

impl Default for MessageMeter {
    fn default() -> Self {
        MessageMeter::new()
    }
}

impl MessageMeter {
    /// At the start of a stream (right after the handshake).
    ///
    /// ```
    /// assert_eq!(wsguard_core::limits::MessageMeter::new().held(), 0);
    /// ```
    pub const fn new() -> MessageMeter {
        MessageMeter {
            header: [0; 14],
            header_have: 0,
            remaining: 0,
            data: false,
            fin: false,
            held: 0,
            lost: false,
        }
    }

    /// Bytes of the unfinished message received so far.
    ///
    /// ```
    /// let mut m = wsguard_core::limits::MessageMeter::new();
    /// m.feed(&[0x02, 0x80 | 126, 0x01, 0x00, 0, 0, 0, 0]);
    /// assert_eq!(m.held(), 0); // 256 bytes announced, none received yet
    /// ```
    pub const fn held(&self) -> u64 {
        self.held
    }

    /// `true` once a frame header could not be read (the stream is not WebSocket, or
    /// breaks RFC 6455): the meter stops counting and the WebSocket library refuses it.
    ///
    /// ```
    /// let mut m = wsguard_core::limits::MessageMeter::new();
    /// m.feed(&[0x8F, 0x80, 0, 0, 0, 0]); // opcode 0xF is reserved
    /// assert!(m.lost());
    /// ```
    pub const fn lost(&self) -> bool {
        self.lost
    }

    /// `true` between frames (every frame seen so far is whole): a writer metering its own
    /// output knows it may put a frame of its own (a Close) on the wire there.
    ///
    /// ```
    /// let mut m = wsguard_core::limits::MessageMeter::new();
    /// assert!(m.at_frame_boundary());
    /// m.feed(&[0x82, 0x03, 1, 2]); // an unmasked server frame, 1 of 3 payload bytes missing
    /// assert!(!m.at_frame_boundary());
    /// m.feed(&[3]);
    /// assert!(m.at_frame_boundary());
    /// ```
    pub const fn at_frame_boundary(&self) -> bool {
        self.header_have == 0 && self.remaining == 0 && !self.lost
    }

    /// Watches `bytes`, the next bytes read from the stream, and returns [`Self::held`]
    /// after them.
    ///
    /// ```
    /// let mut m = wsguard_core::limits::MessageMeter::new();
    /// // a whole one-frame message in one read: delivered, nothing held
    /// assert_eq!(m.feed(&[0x82, 0x82, 9, 9, 9, 9, 1, 2]), 0);
    /// ```
    pub fn feed(&mut self, mut bytes: &[u8]) -> u64 {
        while !bytes.is_empty() && !self.lost {
            if self.remaining > 0 {
                let take = bytes
                    .len()
                    .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                self.remaining -= take as u64;
                if self.data {
                    self.held = self.held.saturating_add(take as u64);
                }
                bytes = bytes.get(take..).unwrap_or(&[]);
                self.frame_end();
                continue;
            }
            let have = usize::from(self.header_have);
            let Some(&b) = bytes.first() else { break };
            if let Some(slot) = self.header.get_mut(have) {
                *slot = b;
            }
            self.header_have += 1;
            bytes = bytes.get(1..).unwrap_or(&[]);
            let head = self.header.get(..have + 1).unwrap_or(&[]);
            match FrameHeader::parse(head, false) {
                Ok(HeaderStatus::Incomplete { .. }) => {}
                Ok(HeaderStatus::Complete(h)) if h.opcode.is_reserved() => self.lost = true,
                Ok(HeaderStatus::Complete(h)) => {
                    self.header_have = 0;
                    self.remaining = h.payload_len;
                    self.data = !h.opcode.is_control();
                    self.fin = h.fin;
                    self.frame_end();
                }
                Err(_) => self.lost = true,
            }
        }
        self.held
    }

    /// A data frame whose whole payload is in and which ends its message: the library
    /// delivers the message, so nothing is held any more.
    fn frame_end(&mut self) {
        if self.remaining == 0 && self.data && self.fin {
            self.held = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(fin: bool, opcode: u8, payload: &[u8]) -> std::vec::Vec<u8> {
        let mut out = std::vec![(if fin { 0x80 } else { 0 }) | opcode];
        let n = payload.len();
        if n < 126 {
            out.push(0x80 | n as u8);
        } else if n < 65536 {
            out.push(0x80 | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            out.push(0x80 | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
        out.extend_from_slice(&[1, 2, 3, 4]);
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn counts_across_fragments_and_controls_byte_by_byte() {
        let mut stream = frame(false, 2, &[7; 300]);
        stream.extend(frame(true, 9, b"ping"));
        stream.extend(frame(false, 0, &[7; 70_000]));
        let before_last = stream.len();
        stream.extend(frame(true, 0, &[7; 5]));
        // whole stream at once, then one byte at a time: the same counts
        let mut m = MessageMeter::new();
        assert_eq!(m.feed(&stream[..before_last]), 70_300);
        assert_eq!(m.feed(&stream[before_last..]), 0);
        let mut m = MessageMeter::new();
        let mut peak = 0;
        for (i, b) in stream.iter().enumerate() {
            let held = m.feed(core::slice::from_ref(b));
            peak = peak.max(held);
            if i + 1 == before_last {
                assert_eq!(held, 70_300);
            }
        }
        assert_eq!((peak, m.held(), m.lost()), (70_305 - 1, 0, false));
    }

    #[test]
    fn empty_final_frame_and_reserved_opcode() {
        let mut m = MessageMeter::new();
        assert_eq!(m.feed(&frame(false, 1, b"abc")), 3);
        assert_eq!(m.feed(&frame(true, 0, b"")), 0);
        let mut m = MessageMeter::new();
        assert_eq!(m.feed(&frame(false, 1, b"abc")), 3);
        assert_eq!(m.feed(&[0x83, 0x80, 0, 0, 0, 0, 1, 2, 3]), 3);
        assert!(m.lost());
    }
}
