//! Byte tests eight bytes at a time (one `u64` word), for the short texts the loader looks at many
//! times: an item line, a cell, a name. A vectorised search costs more to start than it saves on
//! a few dozen bytes; these cost a handful of instructions a word.

/// `0x01` in every byte.
pub const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `chunk` (exactly eight) as a little-endian word.
pub fn word(chunk: &[u8]) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&chunk[..8]);
    u64::from_le_bytes(raw)
}

/// `0x80` in each byte of `w` equal to `b`, `0` elsewhere (exact for any bytes: no borrow crosses
/// from one byte into the next).
pub fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    !((x & !HIGHS).wrapping_add(!HIGHS) | x | !HIGHS)
}

/// `table` with `value` at every byte of `set`: byte-class tables built at compile time, looked up
/// with one load a byte.
pub const fn with_class(mut table: [u8; 256], set: &[u8], value: u8) -> [u8; 256] {
    let mut i = 0;
    while i < set.len() {
        table[set[i] as usize] = value;
        i += 1;
    }
    table
}

/// The first `needle` in `bytes`: a word at a time up to 64 bytes, `memchr` beyond.
pub fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    if bytes.len() > 64 {
        return memchr::memchr(needle, bytes);
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let hits = eq_mask(word(chunk), needle);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_mask_marks_exactly_the_equal_bytes() {
        for b in 0u8..=255 {
            for needle in [0u8, b' ', b'g', 0x7f, 0x80, 0xff] {
                let w = u64::from_le_bytes([b, needle, b, 0, 0xff, b, needle, 0x80]);
                let m = eq_mask(w, needle).to_le_bytes();
                let want = w.to_le_bytes().map(|x| if x == needle { 0x80 } else { 0 });
                assert_eq!(m, want, "{b:#x} {needle:#x}");
            }
        }
    }

    #[test]
    fn with_class_marks_exactly_the_set() {
        let t = with_class(with_class([0; 256], b"ab", 1), b"b:", 2);
        for b in 0u8..=255 {
            let want = match b {
                b'a' => 1,
                b'b' | b':' => 2,
                _ => 0,
            };
            assert_eq!(t[usize::from(b)], want, "{b:#x}");
        }
    }

    #[test]
    fn find_byte_is_memchr() {
        for len in 0..80 {
            for at in 0..=len {
                let mut v: Vec<u8> = (0..len).map(|i| b"ab:c\x80\xff :"[i % 8]).collect();
                if at < len {
                    v[at] = b'#';
                }
                for needle in [b'#', b':', 0x80, 0xff, 0] {
                    assert_eq!(
                        find_byte(&v, needle),
                        memchr::memchr(needle, &v),
                        "{len} {at} {needle:#x}"
                    );
                }
            }
        }
    }
}
