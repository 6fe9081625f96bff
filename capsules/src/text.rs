//! Log messages formatted on the stack.

use core::fmt;

/// A fixed buffer that `core::fmt` writes into; what does not fit is cut
/// off (at a character boundary).
pub struct Text<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// What was written.
    pub fn as_str(&self) -> &str {
        // Only whole `str`s (or their prefixes at char boundaries) are
        // copied in.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Write for Text<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn formats_and_truncates() {
        let mut t = Text::<12>::new();
        write!(t, "value {}e{}", 2150, -2).unwrap();
        assert_eq!(t.as_str(), "value 2150e-");
        let mut t = Text::<3>::new();
        write!(t, "aé").unwrap();
        assert_eq!(t.as_str(), "aé");
        let mut t = Text::<2>::new();
        write!(t, "aé").unwrap();
        assert_eq!(t.as_str(), "a");
    }
}
