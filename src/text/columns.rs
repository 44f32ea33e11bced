//! Rows of cells laid out as aligned columns, measured in terminal cells (a CJK character or an
//! emoji is two wide), so a table reads as a table in the detail pane and in plain-text reports.

use unicode_width::UnicodeWidthStr;

/// How a column's cells are padded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Justify {
    /// Text at the left (the default).
    #[default]
    Left,
    /// Centred.
    Center,
    /// Text at the right (numbers).
    Right,
}

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Lays out `header` and `rows` as lines of columns separated by two spaces, the header underlined
/// with `rule` (one per cell of width). Rows may be longer or shorter than the header: every cell
/// is kept, missing ones are blank. Trailing spaces are trimmed.
pub fn layout(
    header: &[String],
    rows: &[Vec<String>],
    justify: &[Justify],
    rule: char,
) -> Vec<String> {
    let ncols = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(header.len()))
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; ncols];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(width(cell));
        }
    }
    let line = |row: &[String]| {
        let mut out = String::new();
        for (c, &w) in widths.iter().enumerate() {
            let cell = row.get(c).map_or("", String::as_str);
            let pad = w.saturating_sub(width(cell));
            let (left, right) = match justify.get(c).copied().unwrap_or_default() {
                Justify::Left => (0, pad),
                Justify::Right => (pad, 0),
                Justify::Center => (pad / 2, pad - pad / 2),
            };
            if c > 0 {
                out.push_str("  ");
            }
            out.extend(std::iter::repeat_n(' ', left));
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', right));
        }
        out.truncate(out.trim_end().len());
        out
    };
    let mut out = Vec::with_capacity(rows.len() + 2);
    if !header.is_empty() {
        out.push(line(header));
        let rules: Vec<String> = widths
            .iter()
            .map(|&w| std::iter::repeat_n(rule, w.max(1)).collect())
            .collect();
        out.push(line(&rules));
    }
    out.extend(rows.iter().map(|r| line(r)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn columns_line_up_by_display_width() {
        let lines = layout(
            &s(&["Host", "Role", "Port"]),
            &[s(&["alpha", "primary", "5432"]), s(&["β", "副本", "5"])],
            &[Justify::Left, Justify::Left, Justify::Right],
            '-',
        );
        assert_eq!(
            lines,
            [
                "Host   Role     Port",
                "-----  -------  ----",
                "alpha  primary  5432",
                "β      副本        5",
            ]
        );
    }

    #[test]
    fn longer_rows_keep_their_extra_cells() {
        let lines = layout(&s(&["a", "b"]), &[s(&["1", "2", "extra"])], &[], '-');
        assert_eq!(lines[2], "1  2  extra");
        assert_eq!(lines[1], "-  -  -----");
    }
}
