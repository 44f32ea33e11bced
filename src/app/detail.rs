//! What the detail pane and the zoom view show for the selected row, as plain data: lines of
//! toned pieces and numbered code lines, and the code blocks on screen (the ones `y` copies, with
//! the numbers shown beside them). The renderer styles it; `update` measures it (scroll limits,
//! the detail pane's width) with the same rows.

use super::App;
use super::rows::Row;
use crate::model::{Align, Block, Cell, ItemKind, Span as MSpan, SpanRef, SpanStyle};
use crate::run::state::ItemState;
use crate::text::columns::{self, Justify};

mod wrap;

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
    /// A bracket placeholder (`[Name]`) not set yet, or the value the run set for it.
    Placeholder,
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
    /// Preformatted text (a table's aligned row): never wrapped, cut at the pane's edge.
    Pre(Vec<Piece>),
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

    /// Styled text as lines of toned pieces: a hard line break starts a new line; placeholders
    /// show the value the run set for them.
    fn lines_of<'s>(
        &self,
        spans: impl Iterator<Item = SpanRef<'s>>,
        base: Tone,
    ) -> Vec<Vec<Piece>> {
        let mut lines = vec![Vec::new()];
        for s in spans {
            let tone = match s.style {
                SpanStyle::Plain => base,
                SpanStyle::Code => Tone::Code,
                SpanStyle::Strong => Tone::Strong,
                SpanStyle::Emphasis => Tone::Emphasis,
                SpanStyle::Strike => Tone::Strike,
                SpanStyle::Link { .. } => Tone::Link,
                SpanStyle::Placeholder { .. } => Tone::Placeholder,
                SpanStyle::Break => {
                    lines.push(Vec::new());
                    continue;
                }
            };
            if let Some(line) = lines.last_mut() {
                line.push(Piece::new(
                    self.subst_span(s.text, s.style).into_owned(),
                    tone,
                ));
            }
        }
        lines
    }

    /// Styled text as detail lines, each source line after a hard break on its own, prefixed
    /// with `lead` (the first line) or `cont` (the ones after).
    fn text_lines<'s>(
        &self,
        spans: impl Iterator<Item = SpanRef<'s>>,
        base: Tone,
        lead: &str,
        cont: &str,
        d: &mut Doc,
    ) {
        for (n, mut line) in self.lines_of(spans, base).into_iter().enumerate() {
            let prefix = if n == 0 { lead } else { cont };
            if !prefix.is_empty() {
                line.insert(0, Piece::new(prefix, Tone::Plain));
            }
            d.lines.push(DocLine::Text(line));
        }
    }

    /// A read-only table as aligned rows: columns padded to their widest cell, aligned as the
    /// delimiter row says, every cell kept (rows wider than the header too).
    fn table_doc(&self, header: &[Cell], rows: &[Vec<Cell>], align: &[Align], d: &mut Doc) {
        let text = |cells: &[Cell]| -> Vec<String> {
            cells
                .iter()
                .map(|c| self.subst_cell(c).into_owned())
                .collect()
        };
        let rows: Vec<Vec<String>> = rows.iter().map(|r| text(r)).collect();
        let justify: Vec<Justify> = align.iter().map(|a| justify(*a)).collect();
        let rule = if self.style.ascii { '-' } else { '─' };
        for (n, l) in columns::layout(&text(header), &rows, &justify, rule)
            .into_iter()
            .enumerate()
        {
            let tone = match n {
                0 => Tone::Title,
                1 => Tone::Muted,
                _ => Tone::Plain,
            };
            d.lines.push(DocLine::Pre(vec![Piece::new(l, tone)]));
        }
    }

    fn body_doc(&self, body: &[Block], d: &mut Doc, only_code: bool) {
        for b in body {
            match b {
                Block::Paragraph { spans, .. } if !only_code => {
                    self.text_lines(refs(spans), Tone::Plain, "", "", d);
                }
                Block::Bullet { spans, depth, .. } if !only_code => {
                    let indent = "  ".repeat(*depth);
                    let (lead, cont) = (format!("{indent}- "), format!("{indent}  "));
                    self.text_lines(refs(spans), Tone::Plain, &lead, &cont, d);
                }
                Block::Code(c) => {
                    let n = d.blocks.len() + 1;
                    let lang = c.lang.as_deref().map(str::to_owned);
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
                Block::Table {
                    header,
                    rows,
                    align,
                    ..
                } if !only_code => self.table_doc(header, rows, align, d),
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
        self.text_lines(item.spans(), Tone::Title, "", "", d);
        let state = self.states.get(i);
        let mut kind = format!("{} · {}", item.kind.as_str(), state.as_str());
        let current = self.run.items.get(&item.id).and_then(|r| r.current());
        if let Some(e) = current.filter(|_| state != ItemState::Open) {
            let name = e.signer.as_deref().unwrap_or(&e.by.name);
            kind.push_str(&format!(" by {name} at {}", e.at.format("%H:%M:%S")));
        }
        if self
            .run
            .items
            .get(&item.id)
            .is_some_and(crate::run::state::ItemRecord::verified_by_command)
        {
            kind.push_str(" · verified by command");
        }
        if let Some(role) = &item.role {
            kind.push_str(&format!(" · role: {role}"));
        }
        if let Some(g) = &item.group {
            kind.push_str(&format!(" · under {g}"));
        }
        d.lines
            .push(text(vec![Piece::new(kind, Tone::State(state))]));
        let record = self.run.items.get(&item.id);
        for f in &item.fields {
            let fillable = item.fillable.iter().any(|c| c == &f.name);
            let filled = record.filter(|_| fillable).and_then(|r| r.field(&f.name));
            let value = match filled {
                Some(e) => Piece::new(
                    format!("{} ({} {})", e.value, e.by.name, e.at.format("%H:%M")),
                    Tone::Plain,
                ),
                None if fillable && f.value.is_empty() => Piece::new(
                    "(blank: f fills it in, or runsheet field RUN ITEM COLUMN VALUE)",
                    Tone::Muted,
                ),
                None => Piece::new(self.subst(&f.value).into_owned(), Tone::Plain),
            };
            d.lines.push(text(vec![
                Piece::new(format!("{}: ", f.name), Tone::Muted),
                value,
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
        if crate::exec::runnable(&item.body) && self.run.is_active() {
            d.lines.push(text(vec![Piece::new(
                "r runs its command (shows exactly what runs first)",
                Tone::Muted,
            )]));
        }
        let target = crate::exec::Target::Item(item.id.clone());
        self.commands_doc(&target, d);
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

    /// Every command run for the target, newest last: who, how it ended, its output file.
    fn commands_doc(&self, target: &crate::exec::Target, d: &mut Doc) {
        let list = crate::exec::record::commands(&self.run, target);
        if list.is_empty() {
            return;
        }
        d.lines.push(DocLine::Blank);
        d.lines
            .push(text(vec![Piece::new("Commands run", Tone::Title)]));
        for c in list {
            let (result, tone) = match &c.finished {
                Some(f) => {
                    let how = match f.end {
                        crate::run::event::CommandEnd::Exited => {
                            format!("exit {}", f.exit_code.unwrap_or(-1))
                        }
                        crate::run::event::CommandEnd::Killed => {
                            format!("killed by signal {}", f.signal.unwrap_or(0))
                        }
                        other => other.as_str().replace('_', " "),
                    };
                    let tone = if c.succeeded() {
                        Tone::State(ItemState::Done)
                    } else {
                        Tone::Warning
                    };
                    (
                        format!(
                            "{how} after {} · {} bytes of output · SHA-256 {}",
                            crate::exec::settings::show_duration(std::time::Duration::from_millis(
                                f.duration_ms
                            )),
                            f.output_bytes,
                            f.output_sha256.get(..12).unwrap_or("—")
                        ),
                        tone,
                    )
                }
                None => match self.command_live(c.seq) {
                    Some(l) if !l.running => (
                        format!(
                            "was running when runsheet stopped: no result recorded; {} bytes of output saved",
                            l.saved_bytes
                        ),
                        Tone::Warning,
                    ),
                    _ => (
                        format!("running for {}", super::command::clock(self.now - c.at)),
                        Tone::Warning,
                    ),
                },
            };
            d.lines.push(text(vec![Piece::new(
                format!(
                    "{} {} ran it (seq {}, {} in {})",
                    c.at.format("%H:%M:%S"),
                    c.by.describe(),
                    c.seq,
                    c.shell,
                    c.cwd
                ),
                Tone::Muted,
            )]));
            d.lines
                .push(text(vec![Piece::new(format!("  {result}"), tone)]));
            d.lines.push(text(vec![Piece::new(
                format!("  output: {}", c.output),
                Tone::Muted,
            )]));
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
        if s == 0 && !self.template.metadata.is_empty() {
            // The title's detail: the template's metadata (front matter, `Key: value` lines).
            d.lines.push(DocLine::Blank);
            for m in &self.template.metadata {
                d.lines.push(text(vec![
                    Piece::new(format!("{}: ", m.name), Tone::Muted),
                    Piece::new(self.subst(&m.value).into_owned(), Tone::Plain),
                ]));
            }
        }
        if !sec.body.is_empty() {
            d.lines.push(DocLine::Blank);
            self.body_doc(&sec.body, d, false);
        }
        if crate::exec::runnable(&sec.body) {
            if self.run.is_active() {
                d.lines.push(text(vec![Piece::new(
                    "r runs the section's command (shows exactly what runs first)",
                    Tone::Muted,
                )]));
            }
            let target = crate::exec::Target::Section(crate::exec::section_key(&self.template, s));
            self.commands_doc(&target, d);
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

fn refs(spans: &[MSpan]) -> impl Iterator<Item = SpanRef<'_>> {
    spans.iter().map(|s| SpanRef {
        text: &s.text,
        style: &s.style,
    })
}

fn justify(a: Align) -> Justify {
    match a {
        Align::Right => Justify::Right,
        Align::Center => Justify::Center,
        Align::Left | Align::None => Justify::Left,
    }
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
