//! What the detail pane and the zoom view show for the selected row, as plain data: lines of
//! toned pieces and numbered code lines, and the code blocks on screen (the ones `y` copies, with
//! the numbers shown beside them). The renderer styles it; `update` measures it (scroll limits,
//! the detail pane's width) with the same rows.

use super::App;
use super::rows::Row;
use super::width::{self, chunks, indentation};
use crate::model::{Block, ItemKind, Span as MSpan, SpanStyle};
use crate::run::state::ItemState;

/// Most recent history entries shown (the report has every one).
pub const HISTORY_SHOWN: usize = 30;
/// Columns of the line-number gutter before code (`123 │ `).
pub const GUTTER: usize = 6;

/// What a piece of text means (the theme turns it into a style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Body text.
    Plain,
    /// Secondary (paths, times, hints).
    Muted,
    /// A heading or the item's title.
    Title,
    /// **bold**.
    Strong,
    /// *emphasis*.
    Emphasis,
    /// ~~struck~~.
    Strike,
    /// A link label.
    Link,
    /// Code.
    Code,
    /// Line numbers and continuation marks beside code.
    Gutter,
    /// A key to press.
    Key,
    /// Needs attention.
    Warning,
    /// An item state.
    State(ItemState),
    /// An undone change.
    Undone,
}

/// A run of text with one tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Text.
    pub text: String,
    /// Meaning.
    pub tone: Tone,
}

impl Piece {
    /// A piece.
    pub fn new(text: impl Into<String>, tone: Tone) -> Piece {
        Piece {
            text: text.into(),
            tone,
        }
    }
}

/// One logical line of the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocLine {
    /// Prose: wrapped at spaces, continuation lines indented like the line's own indentation.
    Text(Vec<Piece>),
    /// A line of a code block: never wrapped at spaces; numbered.
    Code {
        /// 1-based line number in its block.
        number: usize,
        /// The line.
        text: String,
    },
    /// An empty line.
    Blank,
}

/// A code block on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeOnScreen {
    /// Language, if the fence named one.
    pub lang: Option<String>,
    /// The text with the run's variables substituted (what is copied).
    pub text: String,
}

/// The selected row's detail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    /// Lines in order.
    pub lines: Vec<DocLine>,
    /// Code blocks, in the order (and with the numbers, from 1) shown.
    pub blocks: Vec<CodeOnScreen>,
}

/// How code lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeLayout {
    /// Wrapped at the pane's edge, continuation rows marked and indented like the line.
    Wrap,
    /// One row per line, shown from column `skip` (the zoom view scrolls sideways).
    Scroll {
        /// Columns of code scrolled off to the left.
        skip: usize,
    },
}

impl Doc {
    /// Screen rows of the document at `width` columns.
    pub fn rows(&self, width: usize, code: CodeLayout) -> Vec<Vec<Piece>> {
        let width = width.max(GUTTER + 4);
        let mut out = Vec::new();
        for line in &self.lines {
            match line {
                DocLine::Blank => out.push(Vec::new()),
                DocLine::Text(pieces) => wrap_pieces(pieces, width, &mut out),
                DocLine::Code { number, text } => {
                    code_rows(*number, text, width, code, &mut out);
                }
            }
        }
        out
    }

    /// Columns the widest code line wants (gutter included), 0 without code.
    pub fn code_width(&self) -> usize {
        self.lines
            .iter()
            .filter_map(|l| match l {
                DocLine::Code { text, .. } => Some(width::width(text) + GUTTER),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

fn code_rows(number: usize, text: &str, width: usize, code: CodeLayout, out: &mut Vec<Vec<Piece>>) {
    let room = width - GUTTER;
    let gutter = Piece::new(format!("{number:>3} │ "), Tone::Gutter);
    match code {
        CodeLayout::Scroll { skip } => {
            let shown = width::window(text, skip, room);
            let mut row = vec![gutter];
            if skip > 0 && !text.is_empty() && width::width(text) > skip {
                row[0] = Piece::new(format!("{number:>3} «"), Tone::Gutter);
                row.push(Piece::new(" ", Tone::Code));
            }
            let more = width::width(text) > skip + room;
            if more {
                let cut = width::take(&shown, room.saturating_sub(1));
                row.push(Piece::new(cut, Tone::Code));
                row.push(Piece::new("»", Tone::Gutter));
            } else {
                row.push(Piece::new(shown, Tone::Code));
            }
            out.push(row);
        }
        CodeLayout::Wrap => {
            let indent = indentation(text);
            let ind_w = width::width(indent);
            // Keep the indentation on continuation rows while there is room for it.
            let cont_indent = if ind_w + 8 <= room { indent } else { "" };
            let first = chunks(text, room);
            let mut rest_text = String::new();
            let mut first_row = first.first().cloned().unwrap_or_default();
            if first.len() > 1 {
                rest_text = text[first_row.len()..].to_owned();
            }
            out.push(vec![
                gutter,
                Piece::new(std::mem::take(&mut first_row), Tone::Code),
            ]);
            if !rest_text.is_empty() {
                let cont_room = room - width::width(cont_indent);
                for part in chunks(&rest_text, cont_room) {
                    out.push(vec![
                        Piece::new("  ↪ │ ", Tone::Gutter),
                        Piece::new(format!("{cont_indent}{part}"), Tone::Code),
                    ]);
                }
            }
        }
    }
}

/// Word-wraps toned pieces to `width`, continuation rows indented like the first row.
fn wrap_pieces(pieces: &[Piece], width: usize, out: &mut Vec<Vec<Piece>>) {
    let first_text: String = pieces.iter().map(|p| p.text.as_str()).collect();
    let lead = indentation(&first_text);
    let bullet = if first_text[lead.len()..].starts_with("- ") {
        2
    } else {
        0
    };
    let indent = (width::width(lead) + bullet).min(width / 2);
    let mut row: Vec<Piece> = Vec::new();
    let mut used = 0;
    let push_word = |row: &mut Vec<Piece>, word: &str, tone: Tone| match row.last_mut() {
        Some(last) if last.tone == tone => last.text.push_str(word),
        _ => row.push(Piece::new(word, tone)),
    };
    for p in pieces {
        for word in p.text.split_inclusive(' ') {
            let ww = width::width(word.trim_end_matches(' '));
            if used > indent && used + ww > width {
                trim_row_end(&mut row);
                out.push(std::mem::take(&mut row));
                row.push(Piece::new(" ".repeat(indent), Tone::Plain));
                used = indent;
            }
            if ww > width - used {
                // A word longer than the row: cut it at the edge.
                let mut left = word.to_owned();
                while width::width(left.trim_end_matches(' ')) > width - used {
                    let head = width::take(&left, width - used);
                    if head.is_empty() {
                        break;
                    }
                    push_word(&mut row, &head, p.tone);
                    out.push(std::mem::take(&mut row));
                    row.push(Piece::new(" ".repeat(indent), Tone::Plain));
                    used = indent;
                    left = left[head.len()..].to_owned();
                }
                used += width::width(&left);
                push_word(&mut row, &left, p.tone);
                continue;
            }
            used += width::width(word);
            push_word(&mut row, word, p.tone);
        }
    }
    trim_row_end(&mut row);
    out.push(row);
}

fn trim_row_end(row: &mut [Piece]) {
    if let Some(last) = row.last_mut() {
        let t = last.text.trim_end_matches(' ').len();
        last.text.truncate(t);
    }
}

impl App {
    /// The detail of the row under the cursor.
    pub fn detail_doc(&self) -> Doc {
        let mut d = Doc::default();
        match self.visible.get(self.cursor) {
            Some(Row::Item(i)) => self.item_doc(*i, &mut d),
            Some(Row::Section(s)) => self.section_doc(*s, &mut d, true),
            None => d
                .lines
                .push(text(vec![Piece::new("(empty checklist)", Tone::Muted)])),
        }
        d
    }

    /// The code blocks the detail of the row under the cursor shows (numbered from 1).
    pub fn blocks_on_screen(&self) -> Vec<CodeOnScreen> {
        self.detail_doc().blocks
    }

    fn spans_of(&self, spans: &[MSpan], base: Tone) -> Vec<Piece> {
        spans
            .iter()
            .map(|s| {
                let tone = match &s.style {
                    SpanStyle::Plain => base,
                    SpanStyle::Code => Tone::Code,
                    SpanStyle::Strong => Tone::Strong,
                    SpanStyle::Emphasis => Tone::Emphasis,
                    SpanStyle::Strike => Tone::Strike,
                    SpanStyle::Link { .. } => Tone::Link,
                };
                Piece::new(self.subst(&s.text).into_owned(), tone)
            })
            .collect()
    }

    fn body_doc(&self, body: &[Block], d: &mut Doc, only_code: bool) {
        for b in body {
            match b {
                Block::Paragraph { spans, .. } if !only_code => {
                    d.lines
                        .push(DocLine::Text(self.spans_of(spans, Tone::Plain)));
                }
                Block::Bullet { spans, depth, .. } if !only_code => {
                    let mut v = vec![Piece::new(
                        format!("{}- ", "  ".repeat(*depth)),
                        Tone::Plain,
                    )];
                    v.extend(self.spans_of(spans, Tone::Plain));
                    d.lines.push(DocLine::Text(v));
                }
                Block::Code(c) => {
                    let n = d.blocks.len() + 1;
                    let lang = c.lang.clone();
                    let code = self.subst(&c.text).trim_end().to_owned();
                    d.lines.push(text(vec![
                        Piece::new(
                            format!("── [{n}] {} ", lang.as_deref().unwrap_or("code")),
                            Tone::Muted,
                        ),
                        Piece::new(copy_hint(n), Tone::Key),
                    ]));
                    for (k, l) in code.lines().enumerate() {
                        d.lines.push(DocLine::Code {
                            number: k + 1,
                            text: l.to_owned(),
                        });
                    }
                    d.blocks.push(CodeOnScreen { lang, text: code });
                }
                Block::Table { header, rows, .. } if !only_code => {
                    d.lines
                        .push(text(vec![Piece::new(header.join(" | "), Tone::Title)]));
                    for r in rows {
                        d.lines.push(text(vec![Piece::new(
                            self.subst(&r.join(" | ")).into_owned(),
                            Tone::Plain,
                        )]));
                    }
                }
                _ => {}
            }
        }
    }

    fn item_doc(&self, i: usize, d: &mut Doc) {
        let Some(item) = self.template.items.get(i) else {
            return;
        };
        let path = self.template.section_path(item.section).join(" › ");
        d.lines.push(text(vec![Piece::new(
            self.subst(&path).into_owned(),
            Tone::Muted,
        )]));
        d.lines
            .push(DocLine::Text(self.spans_of(&item.spans, Tone::Title)));
        let state = self.states.get(i);
        let mut kind = format!("{} · {}", item.kind.as_str(), state.as_str());
        let current = self.run.items.get(&item.id).and_then(|r| r.current());
        if let Some(e) = current.filter(|_| state != ItemState::Open) {
            let name = e.signer.as_deref().unwrap_or(&e.by.name);
            kind.push_str(&format!(" by {name} at {}", e.at.format("%H:%M:%S")));
        }
        if let Some(role) = &item.role {
            kind.push_str(&format!(" · role: {role}"));
        }
        if let Some(g) = &item.group {
            kind.push_str(&format!(" · under {g}"));
        }
        d.lines
            .push(text(vec![Piece::new(kind, Tone::State(state))]));
        for f in &item.fields {
            d.lines.push(text(vec![
                Piece::new(format!("{}: ", f.name), Tone::Muted),
                Piece::new(self.subst(&f.value).into_owned(), Tone::Plain),
            ]));
        }
        if !item.body.is_empty() {
            d.lines.push(DocLine::Blank);
            self.body_doc(&item.body, d, false);
        }
        let hint = match item.kind {
            ItemKind::Signoff => "s signs it",
            ItemKind::Gate => "d decides it",
            ItemKind::Task => "",
        };
        if !hint.is_empty() && !state.is_closed() {
            d.lines.push(text(vec![Piece::new(hint, Tone::Muted)]));
        }
        self.history_doc(i, d);
        // Code of the section the item is in (rollback scripts live there): on screen, so copyable.
        if let Some(sec) = self.template.sections.get(item.section)
            && sec.body.iter().any(|b| matches!(b, Block::Code(_)))
        {
            d.lines.push(DocLine::Blank);
            d.lines.push(text(vec![Piece::new(
                format!("From the section “{}”:", self.subst(&sec.title)),
                Tone::Muted,
            )]));
            self.body_doc(&sec.body, d, true);
        }
    }

    fn history_doc(&self, i: usize, d: &mut Doc) {
        let Some(rec) = self
            .template
            .items
            .get(i)
            .and_then(|it| self.run.items.get(&it.id))
        else {
            return;
        };
        let notes: Vec<_> = rec.live_notes().collect();
        if !notes.is_empty() {
            d.lines.push(DocLine::Blank);
            d.lines.push(text(vec![Piece::new("Notes", Tone::Title)]));
            for n in notes {
                d.lines.push(text(vec![Piece::new(
                    format!("{} {}", n.at.format("%H:%M:%S"), n.by.name),
                    Tone::Muted,
                )]));
                for l in n.text.lines() {
                    d.lines
                        .push(text(vec![Piece::new(format!("  {l}"), Tone::Plain)]));
                }
            }
        }
        if rec.history.is_empty() {
            return;
        }
        d.lines.push(DocLine::Blank);
        d.lines.push(text(vec![Piece::new("History", Tone::Title)]));
        let skip = rec.history.len().saturating_sub(HISTORY_SHOWN);
        if skip > 0 {
            d.lines.push(text(vec![Piece::new(
                format!("({skip} earlier changes: `runsheet report` has them all)"),
                Tone::Muted,
            )]));
        }
        for e in &rec.history[skip..] {
            let mut t = format!(
                "{} {} {}",
                e.at.format("%H:%M:%S"),
                e.state.as_str(),
                e.by.describe()
            );
            if let Some(s) = &e.signer {
                t.push_str(&format!(" signed as {s}"));
            }
            if let Some(r) = &e.reason {
                t.push_str(&format!(": {r}"));
            }
            if e.after_no_go.is_some() {
                t.push_str(" (after NO-GO)");
            }
            let tone = if e.undone { Tone::Undone } else { Tone::Plain };
            d.lines.push(text(vec![Piece::new(t, tone)]));
            if let Some(u) = &e.undone_by {
                d.lines.push(text(vec![Piece::new(
                    format!(
                        "  undone by {} at {}",
                        u.by.describe(),
                        u.at.format("%H:%M:%S")
                    ),
                    Tone::Muted,
                )]));
            }
        }
    }

    fn section_doc(&self, s: usize, d: &mut Doc, hint: bool) {
        let Some(sec) = self.template.sections.get(s) else {
            return;
        };
        d.lines.push(text(vec![Piece::new(
            self.subst(&sec.title).into_owned(),
            Tone::Title,
        )]));
        if let Some(t) = sec.planned_time {
            d.lines
                .push(text(vec![Piece::new(format!("planned {t}"), Tone::Muted)]));
        }
        let c = self.states.subtree.get(s).copied().unwrap_or_default();
        if c.total > 0 {
            d.lines.push(text(vec![Piece::new(
                format!("{}/{} closed: {}", c.closed(), c.total, c.describe(", ")),
                Tone::Plain,
            )]));
        }
        if !sec.body.is_empty() {
            d.lines.push(DocLine::Blank);
            self.body_doc(&sec.body, d, false);
        }
        if hint {
            d.lines
                .push(text(vec![Piece::new("Enter folds / unfolds", Tone::Muted)]));
        }
    }
}

fn text(pieces: Vec<Piece>) -> DocLine {
    DocLine::Text(pieces)
}

fn copy_hint(n: usize) -> String {
    if n == 1 {
        "(y copies)".to_owned()
    } else {
        format!("(y {n} copies)")
    }
}

#[cfg(test)]
mod tests;
