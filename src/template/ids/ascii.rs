//! The slug and the hash of an ASCII item text in one pass, eight bytes at a time: each word is
//! loaded once, classified (letters and digits, spaces, controls) and lower-cased with word
//! operations, hashed, and written to the slug. The same results as `slug_bytes` and
//! `hash_normalized` (the tests compare them), for the texts that are plain: no control character
//! or tab, no leading, double or final space. For any other text it answers `None` and the general
//! path runs.

use super::hash::StableHash;

use crate::text::bytes::{HIGHS, ONES, eq_mask, word};

/// The slug's cut: it ends at the first letter or digit that makes it 40 bytes or longer.
const SLUG_CUT: usize = 40;

/// What one word of ASCII text is: its lower-cased bytes, which are letters or digits and which are
/// spaces (0x80 in those bytes), and whether any byte is a control character.
struct Word {
    lower: u64,
    alnum: u64,
    space: u64,
    control: bool,
}

/// 0x80 in each byte of ASCII `w` that is at least `lo` and below `end` (`end` ≤ 0x80).
#[inline]
fn in_range(w: u64, lo: u8, end: u8) -> u64 {
    // Each byte plus (0x80 - lo) reaches 0x80 exactly when it is ≥ lo; no byte carries into the
    // next (an ASCII byte plus at most 0x80 stays below 0x100).
    let ge = w.wrapping_add(ONES * u64::from(0x80 - lo));
    let lt = w.wrapping_add(ONES * u64::from(0x80 - end));
    ge & !lt & HIGHS
}

#[inline]
fn classify(w: u64) -> Word {
    let upper = in_range(w, b'A', b'Z' + 1);
    let lower = w | (upper >> 2);
    let alnum = in_range(lower, b'a', b'z' + 1) | in_range(w, b'0', b'9' + 1);
    let space = eq_mask(w, b' ');
    // Some byte below 0x20 (exact as a yes/no for ASCII words).
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0;
    Word {
        lower,
        alnum,
        space,
        control,
    }
}

/// The slug being written: bytes, and whether the last byte read was a letter or digit (then a
/// separator that follows becomes one `-`).
struct Slug<'a> {
    buf: &'a mut [u8; 64],
    len: usize,
    after_alnum: bool,
}

impl Slug<'_> {
    /// Writes the slug bytes of the first `n` bytes of `w` (n ≤ 8).
    #[inline(always)]
    fn word(&mut self, w: &Word, n: usize) {
        if self.len > SLUG_CUT {
            return;
        }
        let used = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        let alnum = w.alnum & used;
        // A byte is kept when it is a letter or digit, or the separator right after one (as `-`).
        let prev = u64::from(self.after_alnum) << 7;
        let keep = (alnum | (alnum << 8) | prev) & used & HIGHS;
        let bytes_of = (alnum >> 7) * 0xFF;
        let out = (w.lower & bytes_of) | ((ONES * u64::from(b'-')) & !bytes_of);
        if keep == HIGHS {
            self.buf[self.len..self.len + 8].copy_from_slice(&out.to_le_bytes());
            self.len += 8;
        } else {
            let out = out.to_le_bytes();
            for (k, &b) in out.iter().enumerate().take(n) {
                self.buf[self.len & 63] = b;
                self.len += usize::from((keep >> (8 * k + 7)) & 1 == 1);
            }
        }
        self.after_alnum = (alnum >> (8 * n - 1)) & 1 == 1;
    }

    /// The slug's length after the cut, with a separator at the end dropped.
    fn finish(&mut self) -> usize {
        let mut n = self.len.min(self.buf.len() - 8);
        if n > 0 && self.buf[n - 1] == b'-' {
            n -= 1;
        }
        // Cut where the byte-at-a-time writer stops: after the letter or digit that reaches 40.
        if n > SLUG_CUT {
            n = if self.buf[SLUG_CUT - 1] == b'-' {
                SLUG_CUT + 1
            } else {
                SLUG_CUT
            };
        }
        if n == 0 {
            self.buf[..4].copy_from_slice(b"item");
            n = 4;
        }
        n
    }
}

/// The slug of ASCII `text` into `slug` (its length is returned; bytes after it may be written) and `text`'s normalised form
/// written into `h`, when `text` is plain (see the module); `None` leaves `h` as it was.
pub(super) fn slug_and_hash_plain(
    text: &[u8],
    slug: &mut [u8; 64],
    h: &mut StableHash,
) -> Option<usize> {
    // The normalised text stops before trailing punctuation; the slug ignores punctuation anyway.
    let mut end = text.len();
    while end > 0 && matches!(text[end - 1], b'.' | b':' | b';' | b',' | b'!') {
        end -= 1;
    }
    let body = &text[..end];
    let (mut a, mut b) = (h.a, h.b);
    let mut s = Slug {
        buf: slug,
        len: 0,
        after_alnum: false,
    };
    let mut prev_space = true;
    let mut chunks = body.chunks_exact(8);
    for chunk in &mut chunks {
        let w = classify(word(chunk));
        if w.control || w.space & (w.space << 8) != 0 || (prev_space && w.space & 0x80 != 0) {
            return None;
        }
        prev_space = w.space >> 63 != 0;
        for k in 0..8 {
            (a, b) = StableHash::lanes(a, b, (w.lower >> (8 * k)) as u8);
        }
        s.word(&w, 8);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last bytes, padded with `#` (not a space, control, letter or digit; never hashed).
        let mut raw = [b'#'; 8];
        raw[..rest.len()].copy_from_slice(rest);
        let w = classify(u64::from_le_bytes(raw));
        if w.control || w.space & (w.space << 8) != 0 || (prev_space && w.space & 0x80 != 0) {
            return None;
        }
        prev_space = (w.space >> (8 * rest.len() - 1)) & 1 != 0;
        for k in 0..rest.len() {
            (a, b) = StableHash::lanes(a, b, (w.lower >> (8 * k)) as u8);
        }
        s.word(&w, rest.len());
    }
    // A space at the very end (not one before trailing punctuation) is not in the normalised text.
    if prev_space && end == text.len() && !body.is_empty() {
        return None;
    }
    h.a = a;
    h.b = b;
    Some(s.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_bytes() {
        for b in 0u8..=127 {
            let w = u64::from_le_bytes([b, b'A', b'z', b'0', b, b'9', b'[', b'@']);
            let c = classify(w);
            let alnum = c.alnum.to_le_bytes();
            let lower = c.lower.to_le_bytes();
            let space = c.space.to_le_bytes();
            assert_eq!(alnum[0] == 0x80, b.is_ascii_alphanumeric(), "{b:#x}");
            assert_eq!(alnum[4] == 0x80, b.is_ascii_alphanumeric(), "{b:#x}");
            assert_eq!(&alnum[1..4], &[0x80, 0x80, 0x80]);
            assert_eq!(&alnum[5..], &[0x80, 0, 0]);
            assert_eq!(lower[0], b.to_ascii_lowercase());
            assert_eq!(&lower[1..4], b"az0");
            assert_eq!(space[0] == 0x80, b == b' ');
            assert_eq!(c.control, b < 0x20, "{b:#x}");
        }
    }
}
