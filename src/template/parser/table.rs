//! GFM tables: status tables become items (one per row, with fields, and fillable blank cells);
//! other tables stay read-only body information, kept as rows of cells so they can be shown aligned.

use super::{CellBuf, NewItem, TableBuf, Walker};
use crate::model::{Align, Block, Cell, Field, ItemKind, Origin, SpanStyle, StyleRun};
use crate::template::inline::overlay;
use crate::template::recognize::{self, CellStatus};
use crate::text::sanitize::clean_line;

/// The model's alignment for pulldown-cmark's.
pub(super) fn align(a: pulldown_cmark::Alignment) -> Align {
    match a {
        pulldown_cmark::Alignment::None => Align::None,
        pulldown_cmark::Alignment::Left => Align::Left,
        pulldown_cmark::Alignment::Center => Align::Center,
        pulldown_cmark::Alignment::Right => Align::Right,
    }
}

/// Cells after the header's width, which GFM drops: read from the rest of the row's source line
/// (`rest` starts where the last cell the parser kept ended) and added to `row`.
pub(super) fn extra_cells(rest: &str, row: &mut Vec<CellBuf>) {
    let rest = rest.trim();
    let Some(rest) = rest.strip_prefix('|') else {
        return;
    };
    if rest.trim().is_empty() {
        return;
    }
    let mut cells = split_cells(rest);
    if rest.trim_end().ends_with('|') && !rest.trim_end().ends_with("\\|") {
        cells.pop();
    }
    for raw in cells {
        row.push(CellBuf {
            text: clean_line(&plain_cell(raw.trim())),
            styles: Vec::new(),
        });
    }
}

/// Splits a row's source at unescaped `|`.
fn split_cells(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'|' => {
                out.push(&s[start..i]);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.push(&s[start.min(s.len())..]);
    out
}

/// The text of a cell's Markdown source without its inline markup.
fn plain_cell(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let parser = pulldown_cmark::Parser::new_ext(raw, super::options());
    for event in parser {
        match event {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => out.push_str(&t),
            pulldown_cmark::Event::SoftBreak | pulldown_cmark::Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Headers of a column that describes the row (its text goes into the item's text after a short
/// label in the first column).
const DESCRIPTIVE: &[&str] = &[
    "description",
    "descr",
    "desc",
    "details",
    "detail",
    "what",
    "criteria",
    "criterion",
    "requirement",
    "requirements",
    "check",
    "checks",
    "action",
    "actions",
    "task",
    "step",
    "steps",
    "summary",
    "purpose",
    "expected",
    "expectation",
    "verification",
    "test",
    "explanation",
];

/// Whether the header names a description column (`Short Description`, `Details`).
fn is_descriptive_header(header: &str) -> bool {
    header
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| DESCRIPTIVE.contains(&w))
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Whether column `tc` holds short labels (`Unit Tests`) and column `next` the text describing
/// them, so a row's item text is both: `Unit Tests — All tests passing`.
fn label_then_description(table: &TableBuf, tc: usize, next: usize) -> bool {
    let cells = |c: usize| {
        table
            .rows
            .iter()
            .filter_map(move |(_, r)| r.get(c))
            .map(|cell| cell.text.trim())
            .filter(|t| !t.is_empty())
    };
    let short = cells(tc).all(|t| words(t) <= 4 && t.chars().count() <= 40);
    if !short || cells(tc).next().is_none() {
        return false;
    }
    let header = table.header.get(next).map_or("", |h| h.text.as_str());
    if is_descriptive_header(header) {
        return true;
    }
    // Without a telling header: the next column reads as sentences where the first is labels.
    let (n, total) = cells(next).fold((0usize, 0usize), |(n, w), t| (n + 1, w + words(t)));
    let (m, label_words) = cells(tc).fold((0usize, 0usize), |(n, w), t| (n + 1, w + words(t)));
    n > 0 && m > 0 && total >= 4 * n && total * m >= 2 * label_words * n
}

/// A status-table cell the operator fills in: empty, only blanks (`____`), or a lone placeholder.
fn fillable(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.chars().all(|c| c == '_' || c == ' ')
        || (t.starts_with('[')
            && t.ends_with(']')
            && !t.contains("](")
            && recognize::glyph_status(t).is_none())
}

impl Walker<'_> {
    pub(super) fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let ncols = table.header.len();
        let is_status: Vec<bool> = (0..ncols)
            .map(|c| {
                recognize::is_status_header(&table.header[c].text) || {
                    let cells = || {
                        table
                            .rows
                            .iter()
                            .filter_map(|(_, r)| r.get(c))
                            .map(|i| i.text.trim())
                    };
                    cells().any(|s| !s.is_empty())
                        && cells().all(|s| s.is_empty() || recognize::glyph_status(s).is_some())
                }
            })
            .collect();
        let text_col = (0..ncols).find(|&c| !is_status[c]);
        let status_col = (0..ncols).find(|&c| is_status[c]);
        let leading = text_col.is_some_and(|tc| {
            table.rows.iter().any(|(_, r)| {
                r.get(tc)
                    .is_some_and(|i| recognize::leading_glyph(&i.text).is_some())
            })
        });
        let item_like = table.rows.len() >= 2 && ncols >= 2;
        if item_like && status_col.is_none() && !leading {
            self.out.item_like_tables += 1;
        }
        let as_items = status_col.is_some() || leading || (item_like && self.opts.tables_as_items);
        let Some(tc) = text_col.filter(|_| as_items) else {
            self.info_table(table);
            return;
        };
        let described = (tc + 1..ncols)
            .filter(|_| !self.opts.legacy)
            .find(|&c| !is_status[c])
            .filter(|&next| label_then_description(&table, tc, next));
        for (line, row) in &table.rows {
            let Some(cell) = row.get(tc) else { continue };
            let trimmed = cell.text.trim_start();
            let (lead_status, skip) = match recognize::leading_glyph(trimmed) {
                Some((s, rest)) => (Some(s), cell.text.len() - rest.len()),
                None => (None, cell.text.len() - trimmed.len()),
            };
            let mut text = cell.text[skip..].trim_end().to_owned();
            if text.is_empty() {
                continue;
            }
            let mut styles = shifted(&cell.styles, skip, text.len());
            if let Some(d) = described.and_then(|c| row.get(c))
                && !d.text.trim().is_empty()
            {
                let sep = " — ";
                let base = text.len() + sep.len();
                text.push_str(sep);
                text.push_str(&d.text);
                styles.extend(
                    shifted(&d.styles, 0, d.text.len())
                        .into_iter()
                        .map(|mut r| {
                            r.start += base as u32;
                            r.end += base as u32;
                            r
                        }),
                );
            }
            let status = match status_col {
                Some(sc) => {
                    let cell = row.get(sc).map(|i| i.text.as_str()).unwrap_or("");
                    if recognize::is_status_header(&table.header[sc].text) {
                        Some(recognize::word_status(cell))
                    } else {
                        recognize::glyph_status(cell)
                    }
                }
                None => lead_status,
            };
            let mut fields = Vec::new();
            let mut blanks = Vec::new();
            #[allow(clippy::needless_range_loop)] // rows may be longer or shorter than the header
            for c in 0..row.len().max(ncols) {
                if c == tc || Some(c) == status_col || Some(c) == described {
                    continue;
                }
                let value = row.get(c).map_or("", |i| i.text.trim());
                let blank = c < ncols && !is_status[c] && fillable(value);
                if value.is_empty() && !blank {
                    continue;
                }
                let name = table
                    .header
                    .get(c)
                    .map(|h| h.text.trim().to_owned())
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| format!("column {}", c + 1));
                if blank {
                    blanks.push(name.clone());
                }
                let value = if value.chars().all(|ch| ch == '_' || ch == ' ') {
                    String::new()
                } else {
                    value.to_owned()
                };
                fields.push(Field { name, value });
            }
            let kind = if recognize::mentions_go_no_go(&text) {
                ItemKind::Gate
            } else {
                ItemKind::Task
            };
            self.out.table_rows += 1;
            let new = self.task_of(&text, styles, *line).with_kind(kind);
            let idx = self.add_item(NewItem {
                origin: Origin::Table,
                fields,
                ..new
            });
            let item = &mut self.out.items[idx];
            item.checked = status == Some(CellStatus::Checked);
            item.fillable = blanks;
        }
    }

    fn info_table(&mut self, table: TableBuf) {
        let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(table.rows.len());
        for (line, row) in table.rows {
            let label = row
                .first()
                .map(|i| i.text.trim().trim_end_matches(':').to_owned())
                .unwrap_or_default();
            let labelled = recognize::is_label(&label);
            let mut cells: Vec<Cell> = Vec::with_capacity(row.len());
            for (c, cell) in row.into_iter().enumerate() {
                let mut cell = Cell {
                    text: cell.text,
                    styles: cell.styles,
                };
                if c > 0 && labelled {
                    self.mark_cell_placeholders(&mut cell, &label, line);
                }
                cells.push(cell);
            }
            rows.push(cells);
        }
        let block = Block::Table {
            header: table
                .header
                .into_iter()
                .map(|h| Cell {
                    text: h.text,
                    styles: h.styles,
                })
                .collect(),
            rows,
            align: table.align,
            line: table.line,
        };
        self.add_body(block);
    }

    /// `| **Go-Live Date** | [MM/DD/YYYY] |`: the placeholders of a labelled row are variables
    /// named by the label, marked in the cell.
    fn mark_cell_placeholders(&mut self, cell: &mut Cell, label: &str, line: usize) {
        if !recognize::signoffs::only_placeholders(&cell.text) {
            return;
        }
        let found: Vec<String> = recognize::bracket_placeholders(&cell.text)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut from = 0;
        for inner in &found {
            let name = if found.len() == 1 {
                label.to_owned()
            } else {
                format!("{label} {inner}")
            };
            let name = self.placeholder(&name, label, inner, line);
            let needle = format!("[{inner}]");
            let Some(at) = cell.text.get(from..).and_then(|t| t.find(&needle)) else {
                continue;
            };
            let start = from + at;
            let range = start as u32..(start + needle.len()) as u32;
            overlay(
                &mut cell.styles,
                range,
                SpanStyle::Placeholder { var: name },
            );
            from = start + needle.len();
        }
    }
}

/// The runs of `styles` within `skip..skip + len` of their text, shifted to start at 0.
fn shifted(styles: &[StyleRun], skip: usize, len: usize) -> Vec<StyleRun> {
    let (from, to) = (skip as u32, (skip + len) as u32);
    styles
        .iter()
        .filter(|r| r.end > from && r.start < to)
        .map(|r| StyleRun {
            start: r.start.max(from) - from,
            end: r.end.min(to) - from,
            style: r.style.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_cells_are_read_from_the_source() {
        let mut row = Vec::new();
        extra_cells("| `x` | **y** \\| z |", &mut row);
        let texts: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["x", "y | z"]);
        let mut row = Vec::new();
        extra_cells(" |  ", &mut row);
        assert!(row.is_empty());
    }

    #[test]
    fn fillable_cells() {
        assert!(fillable(""));
        assert!(fillable("  ____ "));
        assert!(fillable("[date]"));
        assert!(!fillable("[x]"), "a checked box is a status");
        assert!(!fillable("[docs](http://x)"));
        assert!(!fillable("DBA"));
    }

    #[test]
    fn description_headers() {
        assert!(is_descriptive_header("Short Description"));
        assert!(is_descriptive_header("Details"));
        assert!(!is_descriptive_header("Owner"));
        assert!(!is_descriptive_header("Where"));
    }
}
