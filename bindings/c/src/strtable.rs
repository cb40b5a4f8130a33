//! A fixed-capacity table of strings copied into inline storage (no heap): the CORS
//! settings of a policy, which can live in caller memory on a device without malloc.

use crate::result::wsguard_result;

pub(crate) struct StrTable<const N: usize, const BYTES: usize> {
    bytes: [u8; BYTES],
    used: usize,
    spans: [(u16, u16); N],
    count: usize,
}

impl<const N: usize, const BYTES: usize> StrTable<N, BYTES> {
    pub(crate) const fn new() -> Self {
        assert!(BYTES <= u16::MAX as usize);
        StrTable {
            bytes: [0; BYTES],
            used: 0,
            spans: [(0, 0); N],
            count: 0,
        }
    }

    /// Copies `s` in; `CapacityExceeded` when the table or its bytes are full.
    pub(crate) fn push(&mut self, s: &str) -> Result<(), wsguard_result> {
        let end = self
            .used
            .checked_add(s.len())
            .ok_or(wsguard_result::CapacityExceeded)?;
        let span = self
            .spans
            .get_mut(self.count)
            .ok_or(wsguard_result::CapacityExceeded)?;
        let dst = self
            .bytes
            .get_mut(self.used..end)
            .ok_or(wsguard_result::CapacityExceeded)?;
        dst.copy_from_slice(s.as_bytes());
        *span = (self.used as u16, s.len() as u16);
        self.used = end;
        self.count += 1;
        Ok(())
    }

    /// String `i` ("" when out of range; strings were UTF-8 when pushed).
    pub(crate) fn get(&self, i: usize) -> &str {
        let Some(&(off, len)) = self.spans.get(i).filter(|_| i < self.count) else {
            return "";
        };
        let (off, len) = (usize::from(off), usize::from(len));
        self.bytes
            .get(off..off + len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_and_capacity() {
        let mut t = StrTable::<2, 8>::new();
        t.push("abc").unwrap();
        assert_eq!(t.push("123456"), Err(wsguard_result::CapacityExceeded));
        t.push("de").unwrap();
        assert_eq!(t.push(""), Err(wsguard_result::CapacityExceeded));
        assert_eq!((t.get(0), t.get(1), t.get(2)), ("abc", "de", ""));
    }
}
