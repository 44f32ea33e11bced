//! GFM tables: status tables become items (one per row, with fields, and fillable blank cells);
//! other tables stay read-only body information, kept as rows of cells so they can be shown aligned.

use super::{NewItem, Walker};
use crate::model::{Align, Block, Cell, Field, ItemKind, Origin, SpanStyle, StyleRun};
use crate::template::inline::{offset, overlay};
use crate::template::recognize::{self, CellStatus};
use crate::text::sanitize::clean_line;
use std::ops::Range;

/// The model's alignment for pulldown-cmark's.
pub(super) fn align(a: pulldown_cmark::Alignment) -> Align {
    match a {
        pulldown_cmark::Alignment::None => Align::None,
        pulldown_cmark::Alignment::Left => Align::Left,
        pulldown_cmark::Alignment::Center => Align::Center,
        pulldown_cmark::Alignment::Right => Align::Right,
    }
}

/// A finished table cell: where its text is in the table's buffer, and its style runs.
#[derive(Debug, Default, Clone)]
pub(super) struct CellBuf {
    text: Range<u32>,
    styles: Vec<StyleRun>,
}

/// A table being read: every cell's text in one buffer, the cells of the header and of every row
/// one after another. Kept by the walker from one table to the next, so that its buffers are
/// allocated once for a file, not once a cell.
#[derive(Debug, Default)]
pub(super) struct TableBuf {
    line: usize,
    align: Vec<Align>,
    text: String,
    cells: Vec<CellBuf>,
    /// The header's cells (a range of `cells`).
    header: Range<usize>,
    /// Each body row's line and cells.
    rows: Vec<(usize, Range<usize>)>,
    /// Where the row being read starts in `cells`.
    row_start: usize,
    /// Where the last cell of the row being read ended (extra cells follow it in the source).
    cell_end: usize,
}

impl TableBuf {
    /// Starts a table at `line` (the buffers of the last one are cleared, their memory kept).
    pub(super) fn begin(&mut self, line: usize, align: impl Iterator<Item = Align>) {
        self.line = line;
        self.align.clear();
        self.align.extend(align);
        self.text.clear();
        self.cells.clear();
        self.header = 0..0;
        self.rows.clear();
        self.row_start = 0;
        self.cell_end = 0;
    }

    /// Starts the header or a body row whose source starts at `start`.
    pub(super) fn begin_row(&mut self, start: usize) {
        self.row_start = self.cells.len();
        self.cell_end = start;
    }

    /// Adds a cell, whose source ends at `end`, to the row being read.
    pub(super) fn push_cell(&mut self, text: &str, styles: Vec<StyleRun>, end: usize) {
        self.add_cell(text, styles);
        self.cell_end = end;
    }

    fn add_cell(&mut self, text: &str, styles: Vec<StyleRun>) {
        let start = offset(self.text.len());
        self.text.push_str(text);
        self.cells.push(CellBuf {
            text: start..offset(self.text.len()),
            styles,
        });
    }

    /// The row being read was the header.
    pub(super) fn end_head(&mut self) {
        self.header = self.row_start..self.cells.len();
    }

    /// The body row being read, whose source in `src` ends at `end`, ends at `line`. Cells past
    /// the header's width, which GFM drops, are read from the source after the last cell the
    /// parser kept.
    pub(super) fn end_row(&mut self, line: usize, src: &str, end: usize) {
        let rest = src.get(self.cell_end.min(end)..end).unwrap_or("");
        self.extra_cells(rest);
        self.rows.push((line, self.row_start..self.cells.len()));
    }

    /// A cell's text.
    fn text(&self, cell: &CellBuf) -> &str {
        self.text
            .get(cell.text.start as usize..cell.text.end as usize)
            .unwrap_or("")
    }

    /// The header's cells.
    fn header(&self) -> &[CellBuf] {
        self.cells.get(self.header.clone()).unwrap_or(&[])
    }

    /// The text of header cell `c` (empty past the header's width).
    fn header_text(&self, c: usize) -> &str {
        self.header().get(c).map_or("", |h| self.text(h))
    }

    /// The name of column `c` for a field: its header, or `column N` where it has none.
    fn column_name(&self, c: usize) -> String {
        let header = self.header_text(c).trim();
        if header.is_empty() {
            format!("column {}", c + 1)
        } else {
            header.to_owned()
        }
    }

    /// Each body row's line and cells.
    fn rows(&self) -> impl Iterator<Item = (usize, &[CellBuf])> + '_ {
        self.rows
            .iter()
            .map(|(line, r)| (*line, self.cells.get(r.clone()).unwrap_or(&[])))
    }

    /// The text of cell `c` of `row`, if the row has one.
    fn cell_text<'t>(&'t self, row: &[CellBuf], c: usize) -> Option<&'t str> {
        row.get(c).map(|cell| self.text(cell))
    }

    /// An owned model cell.
    fn model_cell(&self, cell: &CellBuf) -> Cell {
        Cell {
            text: self.text(cell).to_owned(),
            styles: cell.styles.clone(),
        }
    }

    /// Cells after the header's width, which GFM drops: read from the rest of the row's source
    /// line (`rest` starts where the last cell the parser kept ended) and added to the row.
    fn extra_cells(&mut self, rest: &str) {
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
            let text = clean_line(&plain_cell(raw.trim()));
            self.add_cell(&text, Vec::new());
        }
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
            .rows()
            .filter_map(move |(_, r)| table.cell_text(r, c))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let short = cells(tc).all(|t| words(t) <= 4 && t.chars().count() <= 40);
    if !short || cells(tc).next().is_none() {
        return false;
    }
    if is_descriptive_header(table.header_text(next)) {
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
        self.read_table(&table);
        self.spare_table = Some(table);
    }

    /// A finished table: its rows as items when it is a status table, else a read-only block.
    fn read_table(&mut self, table: &TableBuf) {
        let ncols = table.header().len();
        // Asked once a column, not once a row.
        let status_header: Vec<bool> = (0..ncols)
            .map(|c| recognize::is_status_header(table.header_text(c)))
            .collect();
        let is_status: Vec<bool> = (0..ncols)
            .map(|c| {
                status_header[c] || {
                    let cells = || {
                        table
                            .rows()
                            .filter_map(|(_, r)| table.cell_text(r, c))
                            .map(str::trim)
                    };
                    cells().any(|s| !s.is_empty())
                        && cells().all(|s| s.is_empty() || recognize::glyph_status(s).is_some())
                }
            })
            .collect();
        let first_text = (0..ncols).find(|&c| !is_status[c]);
        // Rules 3: a leading column of row numbers (`| # | Check | Status |`) is not the rows'
        // text (nor a field): the next text column is.
        let numbers = first_text.filter(|&c| !self.opts.rules2() && numbering_column(table, c));
        let text_col = match numbers {
            Some(n) => (n + 1..ncols).find(|&c| !is_status[c]).or(first_text),
            None => first_text,
        };
        let numbers = numbers.filter(|&n| Some(n) != text_col);
        let status_col = (0..ncols).find(|&c| is_status[c]);
        let leading = text_col.is_some_and(|tc| {
            table.rows().any(|(_, r)| {
                table
                    .cell_text(r, tc)
                    .is_some_and(|t| recognize::leading_glyph(t).is_some())
            })
        });
        if status_col.is_none() && !leading && !self.opts.rules2() && self.signoff_table(table) {
            return;
        }
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
            .filter(|_| !self.opts.legacy())
            .find(|&c| !is_status[c])
            .filter(|&next| label_then_description(table, tc, next));
        // One buffer for every row's text (each is copied into the items' shared buffer).
        let mut text = String::new();
        for (line, row) in table.rows() {
            let Some(cell) = row.get(tc) else { continue };
            let cell_text = table.text(cell);
            let trimmed = cell_text.trim_start();
            let (lead_status, skip) = match recognize::leading_glyph(trimmed) {
                Some((s, rest)) => (Some(s), cell_text.len() - rest.len()),
                None => (None, cell_text.len() - trimmed.len()),
            };
            text.clear();
            text.push_str(cell_text[skip..].trim_end());
            if text.is_empty() {
                continue;
            }
            let mut styles = shifted(&cell.styles, skip, text.len());
            if let Some((d, d_text)) = described
                .and_then(|c| row.get(c))
                .map(|d| (d, table.text(d)))
                .filter(|(_, t)| !t.trim().is_empty())
            {
                let sep = " — ";
                let base = text.len() + sep.len();
                text.push_str(sep);
                text.push_str(d_text);
                styles.extend(
                    shifted(&d.styles, 0, d_text.len())
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
                    let cell = table.cell_text(row, sc).unwrap_or("");
                    if status_header[sc] {
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
                if c == tc || Some(c) == status_col || Some(c) == described || Some(c) == numbers {
                    continue;
                }
                let value = table.cell_text(row, c).map_or("", str::trim);
                let blank = c < ncols && !is_status[c] && fillable(value);
                if value.is_empty() && !blank {
                    continue;
                }
                let name = table.column_name(c);
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
            let new = self.task_of(&text, styles, line).with_kind(kind);
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

    /// `| Role | Name | Signature | Date |`: a table with a column to sign in and a column of
    /// roles is a sign-off table, each row with a role a sign-off by that role (its other filled
    /// cells its fields; signing records who and when, so the blank cells are not fields to fill).
    /// Whether `table` was one.
    fn signoff_table(&mut self, table: &TableBuf) -> bool {
        let ncols = table.header().len();
        let signs = (1..ncols).any(|c| recognize::is_signature_header(table.header_text(c)));
        if !signs || table.rows.is_empty() {
            return false;
        }
        let role_of = |row: &[CellBuf]| {
            table
                .cell_text(row, 0)
                .map(|t| t.trim().trim_matches(|c| c == '*' || c == '_').trim())
                .unwrap_or("")
        };
        let roles = recognize::is_role_header(table.header_text(0))
            || table
                .rows()
                .map(|(_, r)| role_of(r))
                .filter(|r| !r.is_empty())
                .all(recognize::is_role_like);
        if !roles {
            return false;
        }
        for (line, row) in table.rows() {
            let role = clean_line(role_of(row));
            if role.is_empty() {
                continue;
            }
            let mut fields = Vec::new();
            for c in 1..row.len().max(ncols) {
                let value = table.cell_text(row, c).map_or("", str::trim);
                if value.is_empty() || value.chars().all(|ch| ch == '_' || ch == ' ') {
                    continue;
                }
                let name = table.column_name(c);
                fields.push(Field {
                    name,
                    value: value.to_owned(),
                });
            }
            let new = self.signoff(role, line, Origin::Table);
            self.add_item(NewItem { fields, ..new });
        }
        true
    }

    fn info_table(&mut self, table: &TableBuf) {
        let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(table.rows.len());
        for (line, row) in table.rows() {
            let label = row
                .first()
                .map(|i| table.text(i).trim().trim_end_matches(':').to_owned())
                .unwrap_or_default();
            let labelled = recognize::is_label(&label);
            let mut cells: Vec<Cell> = Vec::with_capacity(row.len());
            for (c, cell) in row.iter().enumerate() {
                let mut cell = table.model_cell(cell);
                if c > 0 && labelled {
                    self.mark_cell_placeholders(&mut cell, &label, line);
                }
                cells.push(cell);
            }
            rows.push(cells);
        }
        let block = Block::Table {
            header: table.header().iter().map(|h| table.model_cell(h)).collect(),
            rows,
            align: table.align.clone(),
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

/// Whether column `c` of `table` numbers its rows: headed like a row number (`#`, `No.`, `Step`,
/// `Seq`, or nothing) and every filled cell a number (`1`, `2.`, `3)`, `2.1`), at least one filled.
/// A column of other numbers (`| Port | Service |`) is data, not numbering.
fn numbering_column(table: &TableBuf, c: usize) -> bool {
    if !recognize::is_numbering_header(table.header_text(c)) {
        return false;
    }
    let mut any = false;
    for (_, row) in table.rows() {
        let cell = table.cell_text(row, c).map_or("", str::trim);
        if cell.is_empty() {
            continue;
        }
        let number = cell.trim_end_matches(['.', ')']);
        if number.is_empty()
            || number.len() > 8
            || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || !number.as_bytes()[0].is_ascii_digit()
        {
            return false;
        }
        any = true;
    }
    any
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
        let mut table = TableBuf::default();
        let src = "| a | `x` | **y** \\| z |";
        table.begin_row(0);
        table.push_cell("a", Vec::new(), 4);
        table.end_row(1, src, src.len());
        let (_, row) = table.rows().next().unwrap_or((0, &[]));
        let texts: Vec<&str> = row.iter().map(|c| table.text(c)).collect();
        assert_eq!(texts, ["a", "x", "y | z"]);
        table.begin(2, std::iter::empty());
        table.begin_row(0);
        table.end_row(2, " |  ", 4);
        assert_eq!(table.rows().next().map(|(_, r)| r.len()), Some(0));
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
