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
