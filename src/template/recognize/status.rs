//! Status glyphs and status columns: what a table cell, a column header or a pasted checkbox
//! glyph says about whether something is done.

/// Status read from a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellStatus {
    /// A "done" glyph or word.
    Checked,
    /// A "not done" glyph.
    Unchecked,
}

const CHECKED_GLYPHS: &[&str] = &[
    "✅",
    "☑",
    "✔",
    "✓",
    "☒",
    "🟢",
    "✅️",
    "[x]",
    "[X]",
    ":white_check_mark:",
    ":heavy_check_mark:",
    ":ballot_box_with_check:",
    ":green_circle:",
    ":check:",
    ":+1:",
    "👍",
];
const UNCHECKED_GLYPHS: &[&str] = &[
    "⬜",
    "☐",
    "❌",
    "⚪",
    "🔴",
    "🟡",
    "🟠",
    "⭕",
    "✗",
    "✘",
    "❎",
    "⏳",
    "🔲",
    "◻",
    "□",
    "⬛",
    "[ ]",
    "[]",
    ":x:",
    ":red_circle:",
    ":yellow_circle:",
    ":orange_circle:",
    ":white_circle:",
    ":white_large_square:",
    ":black_large_square:",
    ":o:",
    ":hourglass:",
    ":construction:",
    ":black_square_button:",
    ":heavy_multiplication_x:",
    ":negative_squared_cross_mark:",
    ":warning:",
    "⚠",
];

fn strip_selectors(s: &str) -> std::borrow::Cow<'_, str> {
    // U+FE0E / U+FE0F are EF B8 8E / EF B8 8F in UTF-8.
    if crate::text::bytes::find_byte(s.as_bytes(), 0xEF).is_none() {
        return std::borrow::Cow::Borrowed(s.trim());
    }
    std::borrow::Cow::Owned(
        s.chars()
            .filter(|&c| c != '\u{FE0F}' && c != '\u{FE0E}')
            .collect::<String>()
            .trim()
            .to_owned(),
    )
}

/// The status glyph a cell consists of, if it is only a status glyph.
pub fn glyph_status(cell: &str) -> Option<CellStatus> {
    // Every glyph and shortcode starts with a non-ASCII byte, `[` or `:`.
    let first = *cell.trim_start().as_bytes().first()?;
    if first.is_ascii() && first != b'[' && first != b':' {
        return None;
    }
    let s = strip_selectors(cell);
    if CHECKED_GLYPHS.contains(&&*s) {
        Some(CellStatus::Checked)
    } else if UNCHECKED_GLYPHS.contains(&&*s) {
        Some(CellStatus::Unchecked)
    } else {
        None
    }
}

/// A leading status glyph of a cell (`☐ Laptop`), and the rest.
pub fn leading_glyph(cell: &str) -> Option<(CellStatus, &str)> {
    let trimmed = cell.trim_start();
    let first = *trimmed.as_bytes().first()?;
    if first.is_ascii() && first != b'[' && first != b':' {
        return None;
    }
    for (set, status) in [
        (CHECKED_GLYPHS, CellStatus::Checked),
        (UNCHECKED_GLYPHS, CellStatus::Unchecked),
    ] {
        for g in set {
            if let Some(rest) = trimmed.strip_prefix(g) {
                let rest = rest.trim_start_matches(['\u{FE0F}', '\u{FE0E}']);
                if rest.starts_with(char::is_whitespace) && !rest.trim().is_empty() {
                    return Some((status, rest.trim_start()));
                }
            }
        }
    }
    None
}

/// Status of a cell in a column headed like "Status": a glyph, or a word such as Done / Yes.
pub fn word_status(cell: &str) -> CellStatus {
    if let Some(s) = glyph_status(cell) {
        return s;
    }
    let checked = with_lower(&strip_selectors(cell), |lower| {
        matches!(
            lower.trim_matches(|c: char| !c.is_alphanumeric()),
            "done"
                | "yes"
                | "y"
                | "complete"
                | "completed"
                | "ok"
                | "pass"
                | "passed"
                | "signed"
                | "verified"
                | "x"
        )
    });
    if checked || leading_glyph(cell).is_some_and(|(s, _)| s == CellStatus::Checked) {
        CellStatus::Checked
    } else {
        CellStatus::Unchecked
    }
}

/// Whether a table header names a status column (Status, Done, State, ✓ …).
pub fn is_status_header(header: &str) -> bool {
    with_header_lower(header, is_status_header_lower)
}

/// Whether a table header names a column of row numbers (`#`, `No.`, `Step`, `Seq`, or
/// nothing).
pub fn is_numbering_header(header: &str) -> bool {
    with_header_lower(header, |h| {
        matches!(
            h,
            "" | "#"
                | "no"
                | "no."
                | "nr"
                | "nr."
                | "n°"
                | "num"
                | "number"
                | "step"
                | "seq"
                | "order"
        )
    })
}

/// `f` of a table header as the recognisers compare it: variation selectors dropped, lower-cased,
/// bold and italic marks and white space trimmed (on the stack for a short ASCII header).
pub fn with_header_lower<R>(header: &str, f: impl FnOnce(&str) -> R) -> R {
    with_lower(&strip_selectors(header), |h| {
        f(h.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace()))
    })
}

/// `f` of `s` lower-cased: on the stack for short ASCII text (table headers), else allocated.
fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    if s.is_ascii()
        && let Some(dst) = buf.get_mut(..s.len())
    {
        dst.copy_from_slice(s.as_bytes());
        dst.make_ascii_lowercase();
        if let Ok(lower) = std::str::from_utf8(dst) {
            return f(lower);
        }
    }
    f(&s.to_lowercase())
}

fn is_status_header_lower(h: &str) -> bool {
    matches!(
        h,
        "done"
            | "state"
            | "✓"
            | "✔"
            | "✅"
            | "☑"
            | "☐"
            | "checked"
            | "complete"
            | "completed"
            | "[ ]"
            | "[x]"
            | "tick"
            | "ok?"
            | "done?"
            | "checked?"
    ) || h
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "status")
}

/// Checkbox glyphs pasted from Word, Google Docs, Notion and the like: (glyph, checked).
const CHECKBOX_GLYPHS: &[(char, bool)] = &[
    ('☐', false),
    ('⬜', false),
    ('🔲', false),
    ('🔳', false),
    ('□', false),
    ('▢', false),
    ('◻', false),
    ('◽', false),
    ('❏', false),
    ('❐', false),
    ('❑', false),
    ('❒', false),
    ('☑', true),
    ('☒', true),
    ('✅', true),
    ('✔', true),
    ('✓', true),
    ('🗹', true),
];

/// A checkbox at the start of a line of text that is not a GitHub task: a pasted glyph
/// (`☐ Backup`, `✅ Done`, `☒ Done`) or brackets without a list marker (`[ ] Backup`, `[x] Done`).
/// Gives whether it is checked and where the text after it starts; `None` when no text follows.
pub fn checkbox_glyph(line: &str) -> Option<(bool, usize)> {
    let first = *line.as_bytes().first()?;
    let (checked, after) = match first {
        b'[' => {
            let b = line.as_bytes();
            let checked = match b.get(1)? {
                b' ' => false,
                b'x' | b'X' => true,
                _ => return None,
            };
            if b.get(2) != Some(&b']') || !b.get(3).is_some_and(u8::is_ascii_whitespace) {
                return None;
            }
            (checked, 3)
        }
        0xE2 | 0xF0 => {
            let c = line.chars().next()?;
            let (_, checked) = CHECKBOX_GLYPHS.iter().find(|(g, _)| *g == c)?;
            let mut after = c.len_utf8();
            let rest = &line[after..];
            let trimmed = rest.trim_start_matches(['\u{FE0F}', '\u{FE0E}']);
            after += rest.len() - trimmed.len();
            (*checked, after)
        }
        _ => return None,
    };
    let rest = &line[after..];
    let text = rest.trim_start();
    if text.is_empty() {
        return None;
    }
    Some((checked, line.len() - text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_cells_and_headers() {
        assert_eq!(glyph_status(" ✅ "), Some(CellStatus::Checked));
        assert_eq!(
            glyph_status(":white_check_mark:"),
            Some(CellStatus::Checked)
        );
        assert_eq!(glyph_status("☐"), Some(CellStatus::Unchecked));
        assert_eq!(glyph_status("⚠️"), Some(CellStatus::Unchecked));
        assert_eq!(glyph_status("done soon"), None);
        assert_eq!(word_status("Done"), CellStatus::Checked);
        assert_eq!(word_status("Pending"), CellStatus::Unchecked);
        assert!(is_status_header("Status"));
        assert!(is_status_header("**Current Status**"));
        assert!(is_status_header("✓"));
        assert!(!is_status_header("Owner"));
        assert!(!is_status_header("Check"));
        assert_eq!(
            leading_glyph("☐ Laptop"),
            Some((CellStatus::Unchecked, "Laptop"))
        );
    }

    #[test]
    fn pasted_checkbox_glyphs() {
        fn at(s: &str) -> Option<(bool, &str)> {
            checkbox_glyph(s).map(|(c, n)| (c, &s[n..]))
        }
        assert_eq!(at("☐ Backup the DB"), Some((false, "Backup the DB")));
        assert_eq!(at("☑ Notify"), Some((true, "Notify")));
        assert_eq!(at("☒ Drained"), Some((true, "Drained")));
        assert_eq!(at("✅ Done"), Some((true, "Done")));
        assert_eq!(at("✔\u{FE0F} Done"), Some((true, "Done")));
        assert_eq!(at("⬜ Open"), Some((false, "Open")));
        assert_eq!(at("🔲 Open"), Some((false, "Open")));
        assert_eq!(at("☐Tight"), Some((false, "Tight")));
        assert_eq!(at("[ ] Bracketed"), Some((false, "Bracketed")));
        assert_eq!(at("[x] Done"), Some((true, "Done")));
        assert_eq!(at("[X] Done"), Some((true, "Done")));
        assert_eq!(at("☐"), None, "no text");
        assert_eq!(at("[ ]"), None, "no text");
        assert_eq!(at("[x]Done"), None, "brackets need a space");
        assert_eq!(at("[link](x)"), None);
        assert_eq!(at("→ next"), None);
        assert_eq!(at("Backup ☐"), None, "only at the start");
    }
}
