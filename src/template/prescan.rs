//! One pass over the whole text before parsing, instead of one per question: where lines start,
//! where `{{` opens, which characters must be cleaned or warned about, and whether there is any
//! non-ASCII byte at all (mojibake repair only looks from the first one).

use crate::text::bytes::with_class;
use crate::text::sanitize::is_unsafe_char;

/// What the pre-scan found.
#[derive(Debug, Clone, Default)]
pub struct Prescan {
    /// Byte offset of the start of every line (the first is 0).
    pub line_starts: Vec<usize>,
    /// Byte offsets of every `{{` (non-overlapping, left to right).
    pub braces: Vec<usize>,
    /// Byte offsets of control, bidi and zero-width characters (tab and newline excepted).
    pub unsafe_at: Vec<usize>,
    /// Byte offset of the first non-ASCII byte.
    pub first_non_ascii: Option<usize>,
    /// Whether inline text may need cleaning: an unsafe character, a tab, or an `&` (an entity such
    /// as `&#27;` decodes to a control character).
    pub needs_cleaning: bool,
    /// Lines that may hold an item: see [`may_hold_item`]. What the loader reserves room for.
    pub item_lines: usize,
}

/// Whether a line (`rest` starts at its first byte) may hold an item, by its first byte after
/// indentation and quote markers: a list marker (`-`, `*`, `+`, a digit), a table row (`|`), a
/// bracket (`[ ] text`) or a non-ASCII character (a pasted `☐`). An estimate for reserving room,
/// not a rule: sign-off and gate lines can start with anything, and a line counted here need not be
/// an item.
fn may_hold_item(rest: &[u8]) -> bool {
    let mut k = 0;
    while k < rest.len() && k < 64 {
        match LINE_START[usize::from(rest[k])] {
            LINE_SKIP => k += 1,
            class => return class == LINE_ITEM,
        }
    }
    false
}

/// [`LINE_START`]'s classes: a byte that may start an item, indentation or a quote marker, and
/// any other.
const LINE_ITEM: u8 = 1;
const LINE_SKIP: u8 = 2;
const LINE_OTHER: u8 = 0;

/// Each byte's class at the start of a line (see [`may_hold_item`]).
static LINE_START: [u8; 256] = {
    let t = with_class([LINE_OTHER; 256], b"-*+0123456789|[", LINE_ITEM);
    let mut t = with_class(t, b" \t>", LINE_SKIP);
    // Any non-ASCII byte: a pasted glyph may start an item.
    let mut b = 0x80;
    while b < 256 {
        t[b] = LINE_ITEM;
        b += 1;
    }
    t
};

/// Calls `f` with the offset of every `needle` in `bytes`, in order.
///
/// Lines are a few dozen bytes long, so the search restarts every few dozen bytes: with AVX2 (most
/// machines) the searcher is built once for the whole text rather than once a match, as
/// `memchr_iter` does behind its run-time dispatch, which costs about a third less here.
fn each_position(needle: u8, bytes: &[u8], mut f: impl FnMut(usize)) {
    #[cfg(target_arch = "x86_64")]
    if let Some(one) = memchr::arch::x86_64::avx2::memchr::One::new(needle) {
        one.iter(bytes).for_each(f);
        return;
    }
    memchr::memchr_iter(needle, bytes).for_each(&mut f);
}

/// Scans `text`. Each question is one pass with `memchr` (vectorised), or a fold without
/// branches over 64-byte blocks for the rare control characters, rather than a byte-at-a-time loop
/// with a branch per byte class.
pub fn scan(text: &str) -> Prescan {
    let bytes = text.as_bytes();
    let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
    line_starts.push(0);
    each_position(b'\n', bytes, |i| line_starts.push(i + 1));
    let item_lines = line_starts
        .iter()
        .filter(|&&start| may_hold_item(bytes.get(start..).unwrap_or_default()))
        .count();
    let mut braces = Vec::new();
    let mut next = 0;
    each_position(b'{', bytes, |i| {
        if i >= next && bytes.get(i + 1) == Some(&b'{') {
            braces.push(i);
            next = i + 2;
        }
    });
    let mut unsafe_at = Vec::new();
    // C0 controls other than tab and newline, and DEL: rare, so find blocks that have one first.
    let is_ctrl = |b: u8| ((b < 0x20) & (b != b'\n') & (b != b'\t')) | (b == 0x7F);
    for (k, block) in bytes.chunks(64).enumerate() {
        if block.iter().fold(0u8, |acc, &b| acc | u8::from(is_ctrl(b))) != 0 {
            unsafe_at.extend(
                block
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| is_ctrl(b))
                    .map(|(j, _)| k * 64 + j),
            );
        }
    }
    let mut needs_cleaning = memchr::memchr2(b'\t', b'&', bytes).is_some();
    let first_non_ascii = if text.is_ascii() {
        None
    } else {
        bytes.iter().position(|&b| b >= 0x80)
    };
    if let Some(from) = first_non_ascii {
        // UTF-8 lead bytes of U+0080–U+00AD, U+061C, U+180E, U+200B–U+206F and U+FEFF: the only
        // non-ASCII characters that can be control, bidi or zero-width.
        let rest = &bytes[from..];
        let leads = memchr::memchr3_iter(0xC2, 0xE2, 0xEF, rest)
            .chain(memchr::memchr2_iter(0xD8, 0xE1, rest));
        for i in leads {
            let at = from + i;
            if let Some(c) = text.get(at..).and_then(|s| s.chars().next())
                && is_unsafe_char(c)
            {
                unsafe_at.push(at);
            }
        }
    }
    if !unsafe_at.is_empty() {
        unsafe_at.sort_unstable();
        needs_cleaning = true;
    }
    Prescan {
        line_starts,
        braces,
        unsafe_at,
        first_non_ascii,
        needs_cleaning,
        item_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_agree_with_a_byte_by_byte_scan() {
        // Braces and newlines across 64-byte block edges.
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&"x".repeat(i % 67));
            text.push_str(if i % 3 == 0 { "{{" } else { "{" });
            text.push('\n');
        }
        let p = scan(&text);
        let want: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        assert_eq!(p.line_starts, want);
        let want: Vec<usize> = text.match_indices("{{").map(|(i, _)| i).collect();
        assert_eq!(p.braces, want);
    }

    #[test]
    fn finds_lines_braces_and_unsafe_characters() {
        let p = scan("a\n{{ X }} {{{ Y }}\n\u{1b}b\u{200B} ✅\n");
        assert_eq!(p.line_starts, [0, 2, 19, 29]);
        assert_eq!(p.braces, [2, 10]);
        assert_eq!(p.unsafe_at, [19, 21]);
        assert_eq!(p.first_non_ascii, Some(21));
        assert!(p.needs_cleaning);
        let p = scan("plain text\nno tabs\n");
        assert!(!p.needs_cleaning);
        assert_eq!(p.first_non_ascii, None);
        assert!(
            scan("R&D").needs_cleaning,
            "an entity could decode to a control"
        );
        assert!(scan("a\tb").needs_cleaning);
    }

    #[test]
    fn counts_the_lines_that_may_hold_an_item() {
        let text =
            "# Title\n\n- [ ] a\n  * b\n> 1. c\n| x | y |\n[ ] d\n\t+ e\n☐ f\nplain\n\n    \n-";
        assert_eq!(scan(text).item_lines, 8);
        assert_eq!(scan("").item_lines, 0);
        assert_eq!(scan("just prose\nand more\n").item_lines, 0);
        // Indentation of every width, and lines of spaces only.
        for n in 0..20 {
            let pad = " ".repeat(n);
            assert_eq!(
                scan(&format!("{pad}- a\n{pad}b\n{pad}\n")).item_lines,
                1,
                "{n}"
            );
        }
    }
}
