//! A bounds-checked writer over a caller buffer, used by every response/frame writer.

/// The caller's buffer cannot hold the output. `needed` is the total size required
/// when it is known (0 when it is not).
///
/// ```
/// use wsguard_core::{Cursor, BufferTooSmall};
/// let mut buf = [0u8; 2];
/// let mut c = Cursor::new(&mut buf);
/// assert_eq!(c.put(b"abc"), Err(BufferTooSmall { needed: 3 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// Bytes the complete output needs, or 0 when unknown.
    pub needed: usize,
}

impl crate::Diagnostic for BufferTooSmall {
    fn code(&self) -> &'static str {
        "buffer_too_small"
    }
    fn reason(&self) -> &'static str {
        "the output buffer is too small for the data to be written"
    }
    fn remedy(&self) -> &'static str {
        "pass a larger buffer (see `needed` for the size required)"
    }
}

impl core::fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "output buffer too small (need {} bytes)", self.needed)
    }
}

/// Appends bytes to a caller buffer, failing (without writing past the end) when full.
///
/// After an error the cursor keeps counting, so [`Cursor::needed`] tells how large the
/// buffer would have had to be.
///
/// ```
/// use wsguard_core::Cursor;
/// let mut buf = [0u8; 16];
/// let mut c = Cursor::new(&mut buf);
/// c.put(b"HTTP/1.1 ").unwrap();
/// c.put_u16(101).unwrap();
/// assert_eq!(c.written(), b"HTTP/1.1 101");
/// ```
#[derive(Debug)]
pub struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Cursor {
            buf,
            len: 0,
            overflow: 0,
        }
    }

    /// Appends `bytes`, or fails without writing anything when they do not fit.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        if self.overflow == 0 {
            if let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
                return Ok(());
            }
        }
        self.overflow = self.overflow.saturating_add(bytes.len());
        Err(BufferTooSmall {
            needed: self.needed(),
        })
    }

    /// Appends a string.
    pub fn put_str(&mut self, s: &str) -> Result<(), BufferTooSmall> {
        self.put(s.as_bytes())
    }

    /// Appends the decimal form of `n`.
    pub fn put_u16(&mut self, n: u16) -> Result<(), BufferTooSmall> {
        self.put_u64(n as u64)
    }

    /// Appends the decimal form of `n`.
    pub fn put_u64(&mut self, n: u64) -> Result<(), BufferTooSmall> {
        let mut tmp = [0u8; 20];
        self.put(decimal(n, &mut tmp))
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total size the output needs, counting what did not fit.
    pub fn needed(&self) -> usize {
        self.len.saturating_add(self.overflow)
    }

    /// `Ok(len)` when everything fit, else the size that would have been needed.
    pub fn finish(&self) -> Result<usize, BufferTooSmall> {
        if self.overflow == 0 {
            Ok(self.len)
        } else {
            Err(BufferTooSmall {
                needed: self.needed(),
            })
        }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Formats into the caller buffer: `write!(cursor, "{value}")`. Writing never fails
/// mid-way: what does not fit is counted, so check [`Cursor::finish`] afterwards for the
/// size the whole text needs.
///
/// ```
/// use core::fmt::Write;
/// use wsguard_core::Cursor;
/// let mut buf = [0u8; 4];
/// let mut c = Cursor::new(&mut buf);
/// let _ = write!(c, "{}", 12345);
/// assert_eq!(c.finish().unwrap_err().needed, 5);
/// ```
impl core::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let _ = self.put_str(s);
        Ok(())
    }
}

/// The decimal digits of `n`, written at the end of `tmp` (20 bytes hold any `u64`).
pub(crate) fn decimal(mut n: u64, tmp: &mut [u8; 20]) -> &[u8] {
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &tmp[i..]
}

/// An error that can say the output buffer was too small, and how large it must be: what
/// [`write_growing`] grows a buffer by.
///
/// ```
/// use wsguard_core::{BufferTooSmall, TooSmall};
/// use wsguard_core::url::UrlError;
/// assert_eq!(BufferTooSmall { needed: 9 }.needed(), Some(9));
/// assert_eq!(UrlError::MixedContent.needed(), None);
/// ```
pub trait TooSmall {
    /// `Some(bytes)` when the buffer was too small (0 when the size is not known), `None`
    /// for any other error.
    fn needed(&self) -> Option<usize>;
}

impl TooSmall for BufferTooSmall {
    fn needed(&self) -> Option<usize> {
        Some(self.needed)
    }
}

impl TooSmall for crate::url::UrlError {
    fn needed(&self) -> Option<usize> {
        match self {
            crate::url::UrlError::BufferTooSmall { needed } => Some(*needed),
            _ => None,
        }
    }
}

impl TooSmall for crate::handshake::RequestError {
    fn needed(&self) -> Option<usize> {
        match self {
            crate::handshake::RequestError::BufferTooSmall(b) => Some(b.needed),
            _ => None,
        }
    }
}

impl TooSmall for crate::frame::encoder::EncodeError {
    fn needed(&self) -> Option<usize> {
        match self {
            crate::frame::encoder::EncodeError::BufferTooSmall { needed } => Some(*needed),
            _ => None,
        }
    }
}

impl TooSmall for crate::close::CloseError {
    fn needed(&self) -> Option<usize> {
        match self {
            crate::close::CloseError::BufferTooSmall { needed } => Some(*needed),
            _ => None,
        }
    }
}

/// Runs a writer over a buffer the caller can grow (a `Vec<u8>` …), grows it to what the
/// writer asks for and writes again: the one retry loop around the core's writers for
/// callers that allocate (the std adapter, the Python and JS bindings).
///
/// `write` gets the whole buffer. When it fails with an error whose [`TooSmall::needed`]
/// is `Some(n)`, `resize(buf, n)` grows the buffer (to twice its size, at least 64 bytes,
/// when `n` is 0: unknown) and `write` runs again, never past `max` bytes; the error is
/// returned when the buffer cannot grow further.
///
/// ```
/// use wsguard_core::{write_growing, Cursor};
/// let mut buf = vec![0u8; 4];
/// let n = write_growing(&mut buf, 1 << 16, |b, n| b.resize(n, 0), |out| {
///     let mut c = Cursor::new(out);
///     c.put(b"hello, world")?;
///     c.finish()
/// });
/// assert_eq!(&buf[..n.unwrap()], b"hello, world");
/// let mut small = vec![0u8; 4];
/// let err = write_growing(&mut small, 8, |b, n| b.resize(n, 0), |out| Cursor::new(out).put(&[0; 9]));
/// assert_eq!((err.unwrap_err().needed, small.len()), (9, 4)); // not grown past `max`
/// ```
pub fn write_growing<B: AsMut<[u8]>, T, E: TooSmall>(
    buf: &mut B,
    max: usize,
    mut resize: impl FnMut(&mut B, usize),
    mut write: impl FnMut(&mut [u8]) -> Result<T, E>,
) -> Result<T, E> {
    loop {
        let len = buf.as_mut().len();
        let err = match write(buf.as_mut()) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        let want = match err.needed() {
            Some(0) => len.saturating_mul(2).max(64),
            Some(n) => n,
            None => return Err(err),
        };
        if want <= len || want > max {
            return Err(err);
        }
        resize(buf, want);
        if buf.as_mut().len() <= len {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A growable buffer over a fixed array, recording the sizes it was given.
    struct Grow {
        bytes: [u8; 512],
        len: usize,
        sizes: [usize; 8],
        resizes: usize,
    }
    impl AsMut<[u8]> for Grow {
        fn as_mut(&mut self) -> &mut [u8] {
            &mut self.bytes[..self.len]
        }
    }
    fn resize(g: &mut Grow, n: usize) {
        g.sizes[g.resizes] = n;
        g.resizes += 1;
        g.len = n.min(g.bytes.len());
    }

    /// An unknown size doubles the buffer (from 64 bytes); a resize that cannot reach the
    /// size asked for ends the loop with the error instead of spinning; `max` is kept.
    #[test]
    fn write_growing_doubles_unknown_sizes_and_stops_when_it_cannot_grow() {
        let mut g = Grow {
            bytes: [0; 512],
            len: 4,
            sizes: [0; 8],
            resizes: 0,
        };
        let need_200 = |out: &mut [u8]| {
            if out.len() >= 200 {
                Ok(out.len())
            } else {
                Err(BufferTooSmall { needed: 0 })
            }
        };
        assert_eq!(write_growing(&mut g, 1 << 10, resize, need_200), Ok(256));
        assert_eq!(&g.sizes[..g.resizes], &[64, 128, 256]);

        let mut g = Grow {
            bytes: [0; 512],
            len: 4,
            sizes: [0; 8],
            resizes: 0,
        };
        let need_600 = |out: &mut [u8]| Cursor::new(out).put(&[1; 600]);
        let err = write_growing(&mut g, 1 << 10, resize, need_600).unwrap_err();
        assert_eq!((err.needed, g.len, g.resizes), (600, 512, 2));

        let mut g = Grow {
            bytes: [0; 512],
            len: 4,
            sizes: [0; 8],
            resizes: 0,
        };
        let err = write_growing(&mut g, 100, resize, need_600).unwrap_err();
        assert_eq!((err.needed, g.resizes), (600, 0));
    }
}
