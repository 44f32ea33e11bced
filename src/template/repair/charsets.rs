//! The two single-byte character sets mojibake comes from, Windows-1252 and Mac Roman: each high
//! byte's character, and the look-ups the repair needs (a character back to its byte, the
//! characters that stand for a UTF-8 lead byte), built at compile time: the first load of a file
//! with non-ASCII text does not pay for building them. A test holds them to encoding_rs.

/// Each high byte's character in Windows-1252, as the WHATWG encoding standard reads it (the five
/// unassigned bytes are the C1 controls of the same number), from 0x80.
pub(super) const WINDOWS_1252: [char; 128] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
    '\u{00A0}', '\u{00A1}', '\u{00A2}', '\u{00A3}', '\u{00A4}', '\u{00A5}', '\u{00A6}', '\u{00A7}',
    '\u{00A8}', '\u{00A9}', '\u{00AA}', '\u{00AB}', '\u{00AC}', '\u{00AD}', '\u{00AE}', '\u{00AF}',
    '\u{00B0}', '\u{00B1}', '\u{00B2}', '\u{00B3}', '\u{00B4}', '\u{00B5}', '\u{00B6}', '\u{00B7}',
    '\u{00B8}', '\u{00B9}', '\u{00BA}', '\u{00BB}', '\u{00BC}', '\u{00BD}', '\u{00BE}', '\u{00BF}',
    '\u{00C0}', '\u{00C1}', '\u{00C2}', '\u{00C3}', '\u{00C4}', '\u{00C5}', '\u{00C6}', '\u{00C7}',
    '\u{00C8}', '\u{00C9}', '\u{00CA}', '\u{00CB}', '\u{00CC}', '\u{00CD}', '\u{00CE}', '\u{00CF}',
    '\u{00D0}', '\u{00D1}', '\u{00D2}', '\u{00D3}', '\u{00D4}', '\u{00D5}', '\u{00D6}', '\u{00D7}',
    '\u{00D8}', '\u{00D9}', '\u{00DA}', '\u{00DB}', '\u{00DC}', '\u{00DD}', '\u{00DE}', '\u{00DF}',
    '\u{00E0}', '\u{00E1}', '\u{00E2}', '\u{00E3}', '\u{00E4}', '\u{00E5}', '\u{00E6}', '\u{00E7}',
    '\u{00E8}', '\u{00E9}', '\u{00EA}', '\u{00EB}', '\u{00EC}', '\u{00ED}', '\u{00EE}', '\u{00EF}',
    '\u{00F0}', '\u{00F1}', '\u{00F2}', '\u{00F3}', '\u{00F4}', '\u{00F5}', '\u{00F6}', '\u{00F7}',
    '\u{00F8}', '\u{00F9}', '\u{00FA}', '\u{00FB}', '\u{00FC}', '\u{00FD}', '\u{00FE}', '\u{00FF}',
];
/// Each high byte's character in Mac Roman (`macintosh`), from 0x80.
pub(super) const MAC_ROMAN: [char; 128] = [
    '\u{00C4}', '\u{00C5}', '\u{00C7}', '\u{00C9}', '\u{00D1}', '\u{00D6}', '\u{00DC}', '\u{00E1}',
    '\u{00E0}', '\u{00E2}', '\u{00E4}', '\u{00E3}', '\u{00E5}', '\u{00E7}', '\u{00E9}', '\u{00E8}',
    '\u{00EA}', '\u{00EB}', '\u{00ED}', '\u{00EC}', '\u{00EE}', '\u{00EF}', '\u{00F1}', '\u{00F3}',
    '\u{00F2}', '\u{00F4}', '\u{00F6}', '\u{00F5}', '\u{00FA}', '\u{00F9}', '\u{00FB}', '\u{00FC}',
    '\u{2020}', '\u{00B0}', '\u{00A2}', '\u{00A3}', '\u{00A7}', '\u{2022}', '\u{00B6}', '\u{00DF}',
    '\u{00AE}', '\u{00A9}', '\u{2122}', '\u{00B4}', '\u{00A8}', '\u{2260}', '\u{00C6}', '\u{00D8}',
    '\u{221E}', '\u{00B1}', '\u{2264}', '\u{2265}', '\u{00A5}', '\u{00B5}', '\u{2202}', '\u{2211}',
    '\u{220F}', '\u{03C0}', '\u{222B}', '\u{00AA}', '\u{00BA}', '\u{03A9}', '\u{00E6}', '\u{00F8}',
    '\u{00BF}', '\u{00A1}', '\u{00AC}', '\u{221A}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00AB}',
    '\u{00BB}', '\u{2026}', '\u{00A0}', '\u{00C0}', '\u{00C3}', '\u{00D5}', '\u{0152}', '\u{0153}',
    '\u{2013}', '\u{2014}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{00F7}', '\u{25CA}',
    '\u{00FF}', '\u{0178}', '\u{2044}', '\u{20AC}', '\u{2039}', '\u{203A}', '\u{FB01}', '\u{FB02}',
    '\u{2021}', '\u{00B7}', '\u{201A}', '\u{201E}', '\u{2030}', '\u{00C2}', '\u{00CA}', '\u{00C1}',
    '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{00CC}', '\u{00D3}', '\u{00D4}',
    '\u{F8FF}', '\u{00D2}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{0131}', '\u{02C6}', '\u{02DC}',
    '\u{00AF}', '\u{02D8}', '\u{02D9}', '\u{02DA}', '\u{00B8}', '\u{02DD}', '\u{02DB}', '\u{02C7}',
];

/// A character set's high bytes by character.
pub(super) struct Charset {
    by_char: [(char, u8); 128],
}

impl Charset {
    /// The byte `c` was decoded from, if `c` is one of the set's high-byte characters.
    pub(super) fn byte(&self, c: char) -> Option<u8> {
        self.by_char
            .binary_search_by_key(&c, |&(ch, _)| ch)
            .ok()
            .map(|i| self.by_char[i].1)
    }
}

/// The first `n` of `pairs` sorted by character (an insertion sort: this runs at compile time).
const fn sorted_by_char<const N: usize>(mut pairs: [(char, u8); N], n: usize) -> [(char, u8); N] {
    let mut i = 1;
    while i < n {
        let mut j = i;
        while j > 0 && (pairs[j - 1].0 as u32) > (pairs[j].0 as u32) {
            let t = pairs[j - 1];
            pairs[j - 1] = pairs[j];
            pairs[j] = t;
            j -= 1;
        }
        i += 1;
    }
    pairs
}

/// The pairs (character, byte) of `table` (from 0x80), sorted by character.
const fn by_char(table: &[char; 128]) -> [(char, u8); 128] {
    let mut out = [('\0', 0u8); 128];
    let mut i = 0;
    while i < 128 {
        out[i] = (table[i], 0x80 + i as u8);
        i += 1;
    }
    sorted_by_char(out, 128)
}

/// Windows-1252 by character.
pub(super) static CP1252: Charset = Charset {
    by_char: by_char(&WINDOWS_1252),
};

/// Mac Roman by character.
pub(super) static MAC: Charset = Charset {
    by_char: by_char(&MAC_ROMAN),
};

/// The length of the UTF-8 sequence a lead byte starts, if it is one.
pub(super) const fn utf8_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Whether a byte read as a character can start a mis-decoded UTF-8 sequence: a UTF-8 lead byte,
/// or 0x9F (Mac Roman's emoji without their dropped 0xF0 lead).
pub(super) const fn starts_sequence(b: u8) -> bool {
    utf8_len(b).is_some() || b == 0x9F
}

/// The characters of either set that stand for a byte that [`starts_sequence`], sorted, without
/// repeats: the first `.1` of `.0`.
const fn leads() -> ([char; 256], usize) {
    let mut all = [(char::MAX, 0u8); 256];
    let mut n = 0;
    let mut i = 0;
    while i < 128 {
        let b = 0x80 + i as u8;
        if starts_sequence(b) {
            all[n] = (WINDOWS_1252[i], b);
            all[n + 1] = (MAC_ROMAN[i], b);
            n += 2;
        }
        i += 1;
    }
    let all = sorted_by_char(all, n);
    // Repeats dropped (the sets share many characters).
    let mut out = [char::MAX; 256];
    let mut m = 0;
    let mut i = 0;
    while i < n {
        if m == 0 || out[m - 1] as u32 != all[i].0 as u32 {
            out[m] = all[i].0;
            m += 1;
        }
        i += 1;
    }
    (out, m)
}

static LEADS: ([char; 256], usize) = leads();

/// Characters that stand for a UTF-8 lead byte in either set: the only ones a mis-decoded sequence
/// can start with (sorted, for a binary search).
pub(super) fn lead_chars() -> &'static [char] {
    &LEADS.0[..LEADS.1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252 as WHATWG_1252};

    fn decoded(encoding: &'static Encoding, b: u8) -> Option<char> {
        let buf = [b];
        let (s, had_errors) = encoding.decode_without_bom_handling(&buf);
        let mut chars = s.chars();
        match (chars.next(), chars.next(), had_errors) {
            (Some(c), None, false) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn the_tables_are_what_encoding_rs_decodes() {
        for (table, set, encoding) in [
            (&WINDOWS_1252, &CP1252, WHATWG_1252),
            (&MAC_ROMAN, &MAC, MACINTOSH),
        ] {
            for b in 0x80u8..=0xFF {
                let c = decoded(encoding, b);
                assert_eq!(c, Some(table[usize::from(b - 0x80)]), "{b:#x}");
                assert_eq!(c.and_then(|c| set.byte(c)), Some(b), "{b:#x}");
            }
            assert_eq!(set.byte('a'), None);
            assert_eq!(set.byte('\u{2610}'), None);
        }
    }

    #[test]
    fn lead_characters_are_every_lead_of_either_set_once_and_sorted() {
        let mut want: Vec<char> = (0x80u8..=0xFF)
            .filter(|&b| starts_sequence(b))
            .flat_map(|b| [decoded(WHATWG_1252, b), decoded(MACINTOSH, b)])
            .flatten()
            .collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(lead_chars(), want.as_slice());
    }
}
