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

fn strip_selectors(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '\u{FE0F}' && c != '\u{FE0E}')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The status glyph a cell consists of, if it is only a status glyph.
pub fn glyph_status(cell: &str) -> Option<CellStatus> {
    let s = strip_selectors(cell);
    if CHECKED_GLYPHS.contains(&s.as_str()) {
        Some(CellStatus::Checked)
    } else if UNCHECKED_GLYPHS.contains(&s.as_str()) {
        Some(CellStatus::Unchecked)
    } else {
        None
    }
}

/// A leading status glyph of a cell (`☐ Laptop`), and the rest.
pub fn leading_glyph(cell: &str) -> Option<(CellStatus, &str)> {
    let trimmed = cell.trim_start();
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
    let lower = strip_selectors(cell).to_lowercase();
    let word = lower.trim_matches(|c: char| !c.is_alphanumeric());
    match word {
        "done" | "yes" | "y" | "complete" | "completed" | "ok" | "pass" | "passed" | "signed"
        | "verified" | "x" => CellStatus::Checked,
        _ if leading_glyph(cell).is_some_and(|(s, _)| s == CellStatus::Checked) => {
            CellStatus::Checked
        }
        _ => CellStatus::Unchecked,
    }
}

/// Whether a table header names a status column (Status, Done, State, ✓ …).
pub fn is_status_header(header: &str) -> bool {
    let h = strip_selectors(header).to_lowercase();
    let h = h.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
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
}
