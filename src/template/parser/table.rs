//! GFM tables: status tables become items, other tables stay read-only body information.

use super::{NewItem, TableBuf, Walker};
use crate::model::{Block, Field, ItemKind, Origin, Span};
use crate::template::recognize::{self, CellStatus};

impl Walker<'_> {
    pub(super) fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let ncols = table.header.len();
        let is_status: Vec<bool> = (0..ncols)
            .map(|c| {
                recognize::is_status_header(&table.header[c].plain) || {
                    let cells = || {
                        table
                            .rows
                            .iter()
                            .filter_map(|(_, r)| r.get(c))
                            .map(|i| i.plain.trim())
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
                    .is_some_and(|i| recognize::leading_glyph(&i.plain).is_some())
            })
        });
        let item_like = table.rows.len() >= 2 && ncols >= 2;
        if item_like && status_col.is_none() && !leading {
            self.out.item_like_tables += 1;
        }
        let as_items = status_col.is_some() || leading || (item_like && self.tables_as_items);
        let Some(tc) = text_col.filter(|_| as_items) else {
            self.info_table(table);
            return;
        };
        for (line, row) in &table.rows {
            let cell = row.get(tc).map(|i| i.plain.trim()).unwrap_or("");
            let (lead_status, text) = match recognize::leading_glyph(cell) {
                Some((s, rest)) => (Some(s), rest.to_owned()),
                None => (None, cell.to_owned()),
            };
            if text.is_empty() {
                continue;
            }
            let status = match status_col {
                Some(sc) => {
                    let cell = row.get(sc).map(|i| i.plain.as_str()).unwrap_or("");
                    if recognize::is_status_header(&table.header[sc].plain) {
                        Some(recognize::word_status(cell))
                    } else {
                        recognize::glyph_status(cell)
                    }
                }
                None => lead_status,
            };
            let fields = (0..ncols)
                .filter(|&c| c != tc && Some(c) != status_col)
                .filter_map(|c| {
                    let value = row.get(c)?.plain.trim();
                    (!value.is_empty()).then(|| Field {
                        name: table.header[c].plain.trim().to_owned(),
                        value: value.to_owned(),
                    })
                })
                .collect();
            let kind = if recognize::mentions_go_no_go(&text) {
                ItemKind::Gate
            } else {
                ItemKind::Task
            };
            let spans = vec![Span::plain(text.clone())];
            let idx = self.add_item(NewItem {
                text,
                spans,
                line: *line,
                kind,
                origin: Origin::Table,
                marker: None,
                role: None,
                fields,
            });
            self.out.items[idx].checked = status == Some(CellStatus::Checked);
        }
    }

    fn info_table(&mut self, table: TableBuf) {
        for (line, row) in &table.rows {
            let label = row
                .first()
                .map(|i| i.plain.trim().trim_end_matches(':').to_owned())
                .unwrap_or_default();
            if !recognize::is_label(&label) {
                continue;
            }
            for cell in row.iter().skip(1) {
                for name in recognize::bracket_placeholders(&cell.plain) {
                    self.placeholder(name, &label, *line);
                }
            }
        }
        let block = Block::Table {
            header: table.header.into_iter().map(|i| i.plain).collect(),
            rows: table
                .rows
                .into_iter()
                .map(|(_, r)| r.into_iter().map(|i| i.plain).collect())
                .collect(),
            line: table.line,
        };
        self.add_body(block);
    }
}
