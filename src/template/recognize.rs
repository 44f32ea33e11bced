//! Recognisers for what GFM does not know, as pure functions over text: go/no-go gates
//! ([`gates`]), status glyphs and status columns ([`status`]), sign-off lines and metadata
//! placeholders ([`signoffs`]), and timed headings ([`times`]).

pub mod gates;
pub mod signoffs;
pub mod status;
pub mod times;

pub use gates::mentions_go_no_go;
pub use signoffs::{
    Fill, blank_rest, bracket_placeholders, is_label, is_role_like, metadata_placeholders,
    signoff_role, signoff_role_line, split_label,
};
pub use status::{
    CellStatus, checkbox_glyph, glyph_status, is_status_header, leading_glyph, word_status,
};
pub use times::planned_time;

/// The first `needle` in `bytes`: eight bytes at a time for the short texts of item lines (a
/// vectorised search costs more to start than it saves there), `memchr` beyond 64 bytes.
pub(crate) fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    if bytes.len() > 64 {
        return memchr::memchr(needle, bytes);
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(chunk);
        let x = u64::from_le_bytes(raw) ^ (ONES * u64::from(needle));
        // 0x80 in each byte equal to `needle`, exactly (no borrow across bytes).
        let hits = !((x & !HIGHS).wrapping_add(!HIGHS) | x | !HIGHS);
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
                        super::find_byte(&v, needle),
                        memchr::memchr(needle, &v),
                        "{len} {at} {needle:#x}"
                    );
                }
            }
        }
    }
}
