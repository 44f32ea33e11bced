//! Text measured the way the terminal draws it: grapheme clusters, each as wide as
//! `unicode-width` says (the same rule ratatui's buffer uses), so an emoji with a variation
//! selector (`⚠️`, `🏗️`) is two columns, an accented letter made of two code points is one, and a
//! cut never splits a cluster. Every place that lays text out measures with these.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns of one grapheme cluster (control characters: none, as ratatui skips them).
pub fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        g.width()
    }
}

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// `s` cut to at most `w` columns, ending in `ellipsis` when something was cut.
pub fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    let room = w.saturating_sub(width(ellipsis));
    let mut out = take(s, room);
    if w >= width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

/// The longest prefix of `s` that fits in `w` columns.
pub fn take(s: &str, w: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for g in s.graphemes(true) {
        let gw = grapheme_width(g);
        if used + gw > w {
            break;
        }
        used += gw;
        out.push_str(g);
    }
    out
}

/// The part of `s` from column `skip` on, at most `w` columns (a wide cluster cut by either edge
/// is left out, so what is shown is always whole).
pub fn window(s: &str, skip: usize, w: usize) -> String {
    let mut col = 0;
    let mut used = 0;
    let mut out = String::new();
    for g in s.graphemes(true) {
        let gw = grapheme_width(g);
        let start = col;
        col += gw;
        if start < skip {
            continue;
        }
        if used + gw > w {
            break;
        }
        used += gw;
        out.push_str(g);
    }
    out
}

/// `s` split into pieces of at most `w` columns (hard wrap, clusters kept whole). Never empty.
pub fn chunks(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut out = vec![String::new()];
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = grapheme_width(g);
        if used + gw > w && used > 0 {
            out.push(String::new());
            used = 0;
        }
        used += gw;
        if let Some(last) = out.last_mut() {
            last.push_str(g);
        }
    }
    out
}

/// Leading whitespace of `s`.
pub fn indentation(s: &str) -> &str {
    &s[..s.len() - s.trim_start().len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_with_a_variation_selector_is_two_columns() {
        assert_eq!(width("⚠️"), 2);
        assert_eq!(width("🏗️ build"), 8);
        assert_eq!(width("⚠"), 1);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("日本"), 4);
        assert_eq!(width("a\u{1b}b"), 2, "control characters take no column");
    }

    #[test]
    fn cuts_never_split_a_cluster() {
        assert_eq!(fit("⚠️ disk full", 6, "…"), "⚠️ di…");
        assert_eq!(width(&fit("⚠️⚠️⚠️", 5, "…")), 5);
        assert_eq!(fit("⚠️⚠️⚠️", 4, "…"), "⚠️…");
        assert_eq!(fit("short", 10, "…"), "short");
        assert_eq!(take("e\u{301}tat", 2), "e\u{301}t");
        assert_eq!(window("ab⚠️cd", 2, 3), "⚠️c");
        assert_eq!(
            window("ab⚠️cd", 3, 3),
            "cd",
            "a wide cluster cut by the edge is left out"
        );
        assert_eq!(chunks("abcdef", 4), vec!["abcd", "ef"]);
        assert_eq!(chunks("ab⚠️", 3), vec!["ab", "⚠️"]);
        assert_eq!(chunks("", 3), vec![""]);
        assert_eq!(indentation("    x  "), "    ");
    }
}
