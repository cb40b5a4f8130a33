//! Where received bytes and the message being assembled live: two caller buffers, or
//! one buffer whose front holds the message (payload is moved down into it).

/// The caller's buffers for one `handle_input` call.
pub(super) enum Bufs<'x> {
    /// Input and message buffer apart.
    Split {
        input: &'x mut [u8],
        message: &'x mut [u8],
    },
    /// `buf[..start]`: the message assembled so far; `buf[start..end]`: the input.
    Shared {
        buf: &'x mut [u8],
        start: usize,
        end: usize,
    },
}

impl<'x> Bufs<'x> {
    /// The received bytes.
    pub(super) fn input(&mut self) -> &mut [u8] {
        match self {
            Bufs::Split { input, .. } => input,
            Bufs::Shared { buf, start, end } => buf.get_mut(*start..*end).unwrap_or_default(),
        }
    }

    /// Largest message assembled whole.
    pub(super) fn cap(&self) -> usize {
        match self {
            Bufs::Split { message, .. } => message.len(),
            Bufs::Shared { buf, .. } => buf.len(),
        }
    }

    /// Copies `len` input bytes at `at` to the message at `dst` (the caller checked
    /// `dst + len <= cap`; in a shared buffer `dst <= start`, so the move goes down).
    pub(super) fn assemble(&mut self, at: usize, len: usize, dst: usize) {
        match self {
            Bufs::Split { input, message } => {
                if let (Some(d), Some(s)) =
                    (message.get_mut(dst..dst + len), input.get(at..at + len))
                {
                    d.copy_from_slice(s);
                }
            }
            Bufs::Shared { buf, start, .. } => {
                let from = start.saturating_add(at);
                if from.saturating_add(len) <= buf.len() && dst.saturating_add(len) <= buf.len() {
                    buf.copy_within(from..from + len, dst);
                }
            }
        }
    }

    /// The input and the message area, for building the event.
    pub(super) fn into_slices(self) -> (&'x [u8], &'x [u8]) {
        match self {
            Bufs::Split { input, message } => (input, message),
            Bufs::Shared { buf, start, end } => {
                let buf: &'x [u8] = buf;
                (buf.get(start..end).unwrap_or(&[]), buf)
            }
        }
    }
}
