//! Text cleaning at the boundary: nothing read from outside may drive the terminal later.
//!
//! Control characters (C0, DEL, C1 — which covers ESC and so every CSI/OSC/DCS sequence), bidi
//! embeddings/overrides/isolates/marks and zero-width characters become visible marks. Zero-width
//! joiners inside emoji sequences (👩‍💻) and non-joiners inside Arabic-script words are kept: they are
//! part of the text, not tricks.

use std::borrow::Cow;

/// Visible mark for a C0 control or DEL: the Unicode "control pictures" (`␛` for ESC).
fn control_picture(c: char) -> char {
    let v = u32::from(c);
    let pic = if v == 0x7F { 0x2421 } else { 0x2400 + v };
    char::from_u32(pic).unwrap_or('\u{FFFD}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}')
}

fn is_emoji_like(c: char) -> bool {
    matches!(u32::from(c), 0x2190..=0x2BFF | 0x1F000..=0x1FAFF | 0xFE0F | 0x20E3 | 0xE0020..=0xE007F)
}

fn is_arabic_script(c: char) -> bool {
    matches!(u32::from(c), 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFC)
}

fn needs_cleaning(c: char, allow_newlines: bool) -> bool {
    if (' '..='~').contains(&c) {
        return false;
    }
    (c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
        || is_bidi_control(c)
        || is_zero_width(c)
}

fn clean(s: &str, allow_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_cleaning(c, allow_newlines)) {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (i, &c) in chars.iter().enumerate() {
        if !needs_cleaning(c, allow_newlines) {
            out.push(c);
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        match c {
            '\t' => out.push(' '),
            '\n' => out.push(' '),
            '\u{200D}' if prev.is_some_and(is_emoji_like) && next.is_some_and(is_emoji_like) => {
                out.push(c)
            }
            '\u{200C}'
                if prev.is_some_and(is_arabic_script) && next.is_some_and(is_arabic_script) =>
            {
                out.push(c)
            }
            c if u32::from(c) < 0x20 || c == '\u{7F}' => out.push(control_picture(c)),
            c => {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
        }
    }
    Cow::Owned(out)
}

/// Cleans single-line text (titles, item text, names): newlines and tabs become spaces, every other
/// control, bidi or zero-width character a visible mark.
pub fn clean_line(s: &str) -> String {
    clean(s, false).into_owned()
}

/// [`clean_line`], borrowing `s` when it is clean already (no allocation).
pub fn clean_line_cow(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Cleans multi-line text (code blocks, notes): keeps `\n` and `\t`, marks everything else.
pub fn clean_multiline(s: &str) -> String {
    clean(s, true).into_owned()
}

/// Whether `c` is a control, bidi or zero-width character (tab and newline included).
pub fn is_unsafe_char(c: char) -> bool {
    needs_cleaning(c, false)
}

/// Whether `s` is already clean single-line text.
pub fn is_clean_line(s: &str) -> bool {
    !s.chars().any(|c| needs_cleaning(c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let s = clean_line("a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}d");
        assert_eq!(s, "a␛]0;pwned␇b␛[2Jc<U+009B>d");
        assert!(is_clean_line(&s));
    }

    #[test]
    fn bidi_and_zero_width_become_visible() {
        assert_eq!(clean_line("a\u{202E}b\u{200B}c"), "a<U+202E>b<U+200B>c");
    }

    #[test]
    fn emoji_joiners_and_arabic_non_joiners_are_kept() {
        let s = "👩\u{200D}💻 می\u{200C}خواهم";
        assert_eq!(clean_line(s), s);
    }

    #[test]
    fn multiline_keeps_newlines_and_tabs() {
        assert_eq!(clean_multiline("a\n\tb\u{1b}"), "a\n\tb␛");
        assert_eq!(clean_line("a\n\tb"), "a  b");
    }
}
