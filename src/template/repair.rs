//! Mojibake repair: text that was UTF-8, decoded as Windows-1252 or Mac Roman, and encoded again.
//!
//! Each candidate sequence is mapped back to the bytes the wrong decoder saw; when those bytes form
//! one valid UTF-8 character that is plausible (a symbol, punctuation, emoji or Latin letter), the
//! sequence is replaced. Characters of other scripts (CJK, Hangul …) are only accepted when they come
//! in a run of at least two repaired sequences, so valid text such as `é——` is never turned into `闗`.

mod charsets;

use charsets::{CP1252, Charset, MAC, lead_chars, utf8_len};

/// The result of a repair pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired<'a> {
    /// The repaired text (the input when nothing was repaired).
    pub text: std::borrow::Cow<'a, str>,
    /// How many sequences were repaired.
    pub count: usize,
    /// Byte offset (in the input) of the first repair.
    pub first_offset: Option<usize>,
}

/// A repairable sequence found at `start..end` (byte offsets).
struct Candidate {
    start: usize,
    end: usize,
    replacement: char,
    strong: bool,
}

fn is_strong(c: char) -> bool {
    matches!(u32::from(c),
        0x00A0..=0x024F      // Latin-1 supplement, Latin extended
        | 0x2000..=0x2BFF    // punctuation, arrows, math, technical, box drawing, dingbats, symbols
        | 0x2E00..=0x2E7F
        | 0xFE0F             // emoji presentation selector
        | 0x1F000..=0x1FAFF) // emoji
}

/// Tries to read one mis-decoded UTF-8 character starting at `text[start..]`.
fn candidate_at(text: &str, start: usize, table: &Charset, mac: bool) -> Option<Candidate> {
    let mut chars = text[start..].char_indices();
    let (_, first) = chars.next()?;
    let lead = table.byte(first)?;
    let mut bytes = [0u8; 4];
    let (len, mut filled) = match utf8_len(lead) {
        Some(len) => {
            bytes[0] = lead;
            (len, 1)
        }
        // Mac Roman cannot show 0xF0 other than as U+F8FF, which is often dropped: `üîß` is 🔧
        // without its lead byte. Only emoji (F0 9F ..) are rebuilt this way.
        None if mac && lead == 0x9F => {
            bytes[0] = 0xF0;
            bytes[1] = 0x9F;
            (4, 2)
        }
        None => return None,
    };
    let mut end = start + first.len_utf8();
    while filled < len {
        let (off, c) = chars.next()?;
        let b = table.byte(c)?;
        if !(0x80..=0xBF).contains(&b) {
            return None;
        }
        bytes[filled] = b;
        filled += 1;
        end = start + off + c.len_utf8();
    }
    let decoded = std::str::from_utf8(&bytes[..len]).ok()?;
    let replacement = decoded.chars().next()?;
    if replacement.is_control() {
        return None;
    }
    let dropped_lead = bytes[0] == 0xF0 && filled == len && lead == 0x9F;
    if dropped_lead && !(0x1F300..=0x1FAFF).contains(&u32::from(replacement)) {
        return None;
    }
    Some(Candidate {
        start,
        end,
        replacement,
        strong: is_strong(replacement) || len == 2,
    })
}

impl<'a> Repaired<'a> {
    /// `text`, nothing repaired.
    pub fn unchanged(text: &'a str) -> Repaired<'a> {
        Repaired {
            text: std::borrow::Cow::Borrowed(text),
            count: 0,
            first_offset: None,
        }
    }
}

/// Repairs double-encoded UTF-8 in `text`.
pub fn repair(text: &str) -> Repaired<'_> {
    match text.bytes().position(|b| b >= 0x80) {
        Some(from) => repair_from(text, from),
        None => Repaired::unchanged(text),
    }
}

/// [`repair`] when everything before byte `from` is known to be ASCII.
pub fn repair_from(text: &str, from: usize) -> Repaired<'_> {
    let unchanged = || Repaired::unchanged(text);
    let (w, m) = (&CP1252, &MAC);
    let leads = lead_chars();
    let bytes = text.as_bytes();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut pos = from.min(text.len());
    while pos < text.len() {
        if bytes[pos] < 0x80 {
            // Skip ASCII 32 bytes at a time (four words, one test of their high bits).
            while let Some(chunk) = bytes.get(pos..pos + 32) {
                use crate::text::bytes::{HIGHS, word};
                let any = word(&chunk[..8]) | word(&chunk[8..16]) | word(&chunk[16..24]);
                if (any | word(&chunk[24..])) & HIGHS != 0 {
                    break;
                }
                pos += 32;
            }
            while pos < bytes.len() && bytes[pos] < 0x80 {
                pos += 1;
            }
            continue;
        }
        let Some(c) = text.get(pos..).and_then(|t| t.chars().next()) else {
            break;
        };
        if leads.binary_search(&c).is_err() {
            pos += c.len_utf8();
            continue;
        }
        let found = candidate_at(text, pos, w, false).or_else(|| candidate_at(text, pos, m, true));
        match found {
            Some(cand) => {
                pos = cand.end;
                candidates.push(cand);
            }
            None => pos += c.len_utf8(),
        }
    }
    // Weak candidates (other scripts) need a neighbouring candidate in the same run of characters.
    let keep: Vec<bool> = (0..candidates.len())
        .map(|i| {
            let c = &candidates[i];
            c.strong
                || (i > 0 && candidates[i - 1].end == c.start)
                || candidates.get(i + 1).is_some_and(|n| n.start == c.end)
        })
        .collect();
    if !keep.iter().any(|&k| k) {
        return unchanged();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut count = 0;
    let mut first_offset = None;
    for (cand, _) in candidates.iter().zip(&keep).filter(|(_, k)| **k) {
        out.push_str(&text[last..cand.start]);
        out.push(cand.replacement);
        last = cand.end;
        count += 1;
        first_offset.get_or_insert(cand.start);
    }
    out.push_str(&text[last..]);
    Repaired {
        text: std::borrow::Cow::Owned(out),
        count,
        first_offset,
    }
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        let r = repair("Code âœ… and â‰¥ 80% and ðŸ”´ stop");
        assert_eq!(r.text, "Code ✅ and ≥ 80% and 🔴 stop");
        assert_eq!(r.count, 3);
        assert_eq!(r.first_offset, Some(5));
    }

    #[test]
    fn mac_roman_mojibake_is_repaired() {
        assert_eq!(repair("done ‚úÖ").text, "done ✅");
        assert_eq!(repair("fix üîß now").text, "fix 🔧 now");
    }

    #[test]
    fn valid_text_is_left_alone() {
        for s in [
            "café — naïve “quotes” ✅ 🔴 中文 العربية",
            "é——",
            "Größe über Maß",
            "Ñandú señor",
        ] {
            let r = repair(s);
            assert_eq!(r.text, s, "{s}");
            assert_eq!(r.count, 0, "{s}");
        }
    }

    #[test]
    fn latin_accents_double_encoded_are_repaired() {
        assert_eq!(repair("cafÃ© rÃ©sumÃ©").text, "café résumé");
    }

    #[test]
    fn mojibake_is_found_at_any_distance_into_long_ascii() {
        // The ASCII skip reads 32 bytes at a time: every offset around and across a block.
        for n in 0..100 {
            let text = format!("{}Code âœ… done {}", "x".repeat(n), "y".repeat(n % 37));
            let r = repair(&text);
            assert_eq!(r.count, 1, "{n}");
            assert_eq!(r.first_offset, Some(n + 5), "{n}");
            assert_eq!(r.text, text.replace("âœ…", "✅"), "{n}");
        }
    }

    #[test]
    fn repair_round_trips_only() {
        // A lone lead byte character with no continuation stays.
        assert_eq!(repair("â alone").text, "â alone");
    }
}
