//! The walk over pulldown-cmark events that builds sections, items and bodies.
//!
//! One pass, iterative: list items, block quotes and tables are tracked on explicit stacks, so any
//! nesting depth is safe. Inline content is collected into one reused buffer ([`Inline`]) and handed
//! over when the enclosing block ends; what a piece of text becomes (item text, sign-off, gate, body
//! paragraph, variable) is decided there ([`items`]), from the text and the raw source line.

use super::inline::{Inline, Style};
use super::lines::LineIndex;
use super::recognize;
use super::{frontmatter, variant_marker_at};
use crate::model::{
    Block, CodeBlock, Item, MetaField, Origin, Section, SharedSlice, SharedStr, Variable, Warning,
};
use crate::text::sanitize::clean_multiline;
use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use std::ops::Range;

mod cuts;
pub mod events;
mod items;
mod paragraphs;
mod table;

/// Parser options for `src`: [`options`], without front matter unless the file opens with a fence
/// (a `---` after the title is a thematic break, not front matter).
pub fn options_for(src: &str) -> Options {
    if frontmatter::starts_with_fence(src) {
        options()
    } else {
        options()
            - Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            - Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
    }
}

use items::NewItem;
use table::TableBuf;

/// Parser options: GFM task lists, tables, strikethrough, YAML and TOML front matter.
pub fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// What the walk produced; `template.rs` turns it into a `Template`.
#[derive(Debug, Default)]
pub struct Output {
    /// Sections in document order.
    pub sections: Vec<Section>,
    /// Items in document order (ids not yet assigned).
    pub items: Vec<Item>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Placeholders found in metadata lines and tables.
    pub placeholders: Vec<Variable>,
    /// Front matter fields.
    pub metadata: Vec<MetaField>,
    /// `Key: value` lines before the first item.
    pub meta_lines: Vec<MetaField>,
    /// Title of the first level-1 heading.
    pub h1_title: Option<String>,
    /// Index of the implicit section (items before any heading), if one was made.
    pub implicit: Option<usize>,
    /// Read-only tables of two or more rows and columns (candidates when a file has no other items).
    pub item_like_tables: usize,
    /// Items with a checkbox: task list items, `[-]`-style markers, pasted checkbox glyphs.
    pub checkboxes: usize,
    /// Numbered list items without a checkbox (candidates for `--steps`), and the first one's line.
    pub steps: (usize, usize),
    /// Plain bullets that could be items (candidates when a file has no tasks and no steps), and the
    /// first one's line.
    pub bullets: (usize, usize),
    /// Rows of status tables loaded as items.
    pub table_rows: usize,
}

/// What becomes an item besides checkboxes, status-table rows, sign-offs and gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// Numbered list items (`1. Drain the node`) are items.
    pub steps: bool,
    /// Plain bullets are items too.
    pub bullets: bool,
    /// Rows of every table of two or more rows and columns are open items (for checklists written
    /// as plain tables).
    pub tables_as_items: bool,
    /// The loader rules to read with (see [`crate::template::LOADER_RULES`]).
    pub rules: u32,
    /// Where pulldown-cmark parses (a second thread for a large text: [`events`]).
    pub parse: events::Mode,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            steps: false,
            bullets: false,
            tables_as_items: false,
            rules: crate::template::LOADER_RULES,
            parse: events::Mode::Auto,
        }
    }
}

impl WalkOptions {
    /// Reading with the rules of loader version 1: no pasted checkbox glyphs, a status-table
    /// row's text from its first text column only.
    pub fn legacy(&self) -> bool {
        self.rules < 2
    }

    /// Reading with the rules of version 2 or before: a `Go/No-Go: ____` line is a sign-off and a
    /// gate, a gate's text keeps its blanks, numbered headings, approvals tables and row-number
    /// columns are read as text, a sign-off's role is its whole label.
    pub fn rules2(&self) -> bool {
        self.rules < 3
    }
}

/// The sections whose heading is a numbered step (`## Step 2: Promote`, `### 3. Verify`,
/// [`recognize::is_step_heading`]) and has no sections under it: a numbered heading with
/// sub-sections (`## 3. Procedure` over `### 3.1 Back up`) groups steps, it is not one. Go/no-go
/// headings are gates already. By section index, in the order every walk of a text makes them.
pub fn step_sections(sections: &[Section]) -> Vec<bool> {
    let mut steps: Vec<bool> = sections
        .iter()
        .map(|s| {
            s.level > 0
                && recognize::is_step_heading(&s.title)
                && !recognize::mentions_go_no_go(&s.title)
        })
        .collect();
    for s in sections {
        if let Some(p) = s.parent
            && let Some(parent) = steps.get_mut(p)
        {
            *parent = false;
        }
    }
    steps
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Item(usize),
    Section(usize),
}

#[derive(Debug)]
struct ListFrame {
    start: usize,
    line: usize,
    ordered: bool,
    marker: Option<char>,
    variant: bool,
    same_line_nested: bool,
    first_pending: bool,
    task: Option<usize>,
    plain_text: Option<String>,
    plain_block: Option<(Target, usize)>,
}

#[derive(Debug)]
struct CodeBuf {
    /// The info string's first word, a piece of [`Walker::texts`] (resolved when the walk ends).
    lang: Option<SharedStr>,
    /// The opening fence's character and length (none for an indented block).
    fence: Option<(char, usize)>,
    /// Where the block's text starts in [`Walker::texts`] (it runs to the buffer's end while the
    /// block is read).
    start: usize,
    range: Range<usize>,
}

struct Walker<'a> {
    src: &'a str,
    lines: &'a LineIndex,
    out: Output,
    current: Option<usize>,
    heading_stack: Vec<(u8, usize)>,
    heading: Option<(u8, usize)>,
    frames: Vec<ListFrame>,
    /// Whether each open list is numbered.
    lists: Vec<bool>,
    /// The block's inline content being collected. Boxed, with a spare: a finished block is
    /// handed to the recognisers by swapping two pointers (see [`Walker::take_inline`]).
    inline: Box<Inline>,
    spare: Option<Box<Inline>>,
    quote_depth: usize,
    code: Option<CodeBuf>,
    table: Option<TableBuf>,
    /// The last table's buffers, cleared, for the next table.
    spare_table: Option<TableBuf>,
    meta: Option<(bool, String)>,
    following: Option<usize>,
    depth_warned: bool,
    opts: WalkOptions,
    /// Whether inline text may need sanitising (the pre-scan found something to clean).
    clean: bool,
    /// Every item's text, one after another: the buffer their texts are pieces of.
    texts: String,
    /// Every item's style runs, one after another.
    runs: Vec<crate::model::StyleRun>,
    /// Each item's ranges of `texts` and `runs`.
    pieces: Vec<(Range<u32>, Range<u32>)>,
    /// The bodies holding blocks with pending views of `texts` (in order, each once in a row; a
    /// body listed twice is resolved twice, which changes nothing).
    pending: Vec<Target>,
    /// Sections whose numbered heading is an item ([`step_sections`]; empty: none).
    step_sections: &'a [bool],
}

/// Walks `src` (repaired, `\n` line endings). `clean` says whether inline text may hold
/// characters to sanitise (control, bidi, zero-width characters, tabs, or `&` entities that could
/// decode to one); when the pre-scan found none, the per-piece check is skipped. `item_lines` is
/// the pre-scan's count of lines that may hold an item ([`super::prescan::Prescan::item_lines`]),
/// the room reserved for items. `step_sections` says which numbered headings are items (empty:
/// none).
pub fn walk(
    src: &str,
    lines: &LineIndex,
    opts: WalkOptions,
    clean: bool,
    item_lines: usize,
    step_sections: &[bool],
) -> Output {
    let mut w = Walker {
        src,
        lines,
        out: Output::default(),
        current: None,
        heading_stack: Vec::new(),
        heading: None,
        frames: Vec::new(),
        lists: Vec::new(),
        inline: Box::default(),
        spare: Some(Box::default()),
        quote_depth: 0,
        code: None,
        table: None,
        spare_table: None,
        meta: None,
        following: None,
        depth_warned: false,
        opts,
        clean,
        // Item texts, code and body text come from the source, so it rarely needs more than the
        // source's length: growing it would copy everything written so far.
        texts: String::with_capacity(src.len() + src.len() / 8),
        runs: Vec::new(),
        pieces: Vec::new(),
        pending: Vec::new(),
        step_sections,
    };
    // Room for about as many items as lines that may hold one, and a little more (items from
    // sign-off and gate lines): growing the vector of large items would copy it. Not room for
    // every line: the slack would still be memory the process takes, and glibc then hands the
    // top of its heap back to the system after each load, so that a program loading templates
    // over and over (the benchmark's loop) pays for fresh pages every time (a 10k-item load took
    // half as long again with a line's room per item).
    let room = (item_lines + item_lines / 8 + 16).min(lines.len() + 1);
    w.out.items.reserve(room);
    w.pieces.reserve(room);
    w.runs.reserve(room);
    let options = options_for(src);
    let pieces = events::Pieces::for_len(src.len());
    let mut each = |event, range| w.event(event, range);
    if !events::in_parallel(src, options, opts.parse, pieces, &mut each) {
        for (event, range) in Parser::new_ext(src, options).into_offset_iter() {
            w.event(event, range);
        }
    }
    w.flush();
    w.seal()
}

/// The code blocks and paragraph and bullet spans of `body` made views of the sealed text
/// buffer.
fn resolve_blocks(body: &mut [Block], texts: &std::sync::Arc<String>) {
    for block in body {
        match block {
            Block::Code(c) => {
                c.text.resolve(texts);
                if let Some(lang) = &mut c.lang {
                    lang.resolve(texts);
                }
            }
            Block::Paragraph { spans, .. } | Block::Bullet { spans, .. } => {
                for span in spans {
                    span.text.resolve(texts);
                }
            }
            Block::Table { .. } => {}
        }
    }
}

impl<'a> Walker<'a> {
    /// The output, each item's text and runs made pieces of one shared buffer each.
    fn seal(mut self) -> Output {
        // Shared as they are (an `Arc<str>` would copy every byte once more).
        let texts = std::sync::Arc::new(std::mem::take(&mut self.texts));
        let runs = std::sync::Arc::new(std::mem::take(&mut self.runs));
        for (item, (text, styles)) in self.out.items.iter_mut().zip(&self.pieces) {
            item.text = SharedStr::piece(&texts, text.start as usize..text.end as usize);
            item.styles = SharedSlice::slice(&runs, styles.start as usize..styles.end as usize);
        }
        for target in std::mem::take(&mut self.pending) {
            resolve_blocks(self.body_mut(target), &texts);
        }
        self.out
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    fn warn(&mut self, line: usize, message: String) {
        self.out.warnings.push(Warning { line, message });
    }

    #[inline(always)]
    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) => {
                if self.code.is_some() {
                    self.texts.push_str(&t);
                } else if let Some((_, meta)) = &mut self.meta {
                    meta.push_str(&t);
                } else {
                    self.inline_mut(range.start).text(&t, range.end);
                }
            }
            Event::Code(t) => self.inline_mut(range.start).code(&t, range.end),
            Event::SoftBreak => self.inline_mut(range.start).soft_break(range.end),
            Event::HardBreak => self.inline_mut(range.start).hard_break(range.end),
            Event::TaskListMarker(checked) => {
                let raw = self.src.get(range.clone()).unwrap_or("");
                let marker = if !checked {
                    ' '
                } else if raw.contains('X') {
                    'X'
                } else {
                    'x'
                };
                if let Some(f) = self.frames.last_mut() {
                    f.marker = Some(marker);
                }
            }
            Event::Rule => {
                self.flush();
                self.following = None;
            }
            Event::InlineHtml(_) | Event::Html(_) => {}
            Event::FootnoteReference(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                let raw =
                    crate::text::sanitize::clean_line(self.src.get(range.clone()).unwrap_or(""));
                self.inline_mut(range.start).text(&raw, range.end);
            }
        }
    }

    fn inline_mut(&mut self, start: usize) -> &mut Inline {
        if !self.inline.is_active() {
            self.inline.begin(start, self.clean);
        }
        &mut self.inline
    }

    fn begin_inline(&mut self, start: usize) {
        self.inline.begin(start, self.clean);
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                self.flush();
                self.begin_inline(range.start);
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some((level as u8, range.start));
                self.begin_inline(range.start);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.first_leaf_empty();
                let (lang, fence) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let lang = info
                            .split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}')
                            .find(|s| !s.is_empty())
                            .map(|word| self.push_text(word));
                        let first = self.src.get(range.clone()).unwrap_or("").trim_start();
                        let c = if first.starts_with('~') { '~' } else { '`' };
                        let n = first.bytes().take_while(|&b| b == c as u8).count();
                        (lang, Some((c, n)))
                    }
                    CodeBlockKind::Indented => (None, None),
                };
                self.code = Some(CodeBuf {
                    lang,
                    fence,
                    start: self.texts.len(),
                    range,
                });
            }
            Tag::HtmlBlock => self.flush(),
            Tag::List(first) => {
                self.flush();
                self.first_leaf_empty();
                self.lists.push(first.is_some());
            }
            Tag::Item => {
                self.flush();
                let variant = variant_marker_at(self.src, range.start);
                if let Some(c) = variant {
                    let line = self.line(range.start);
                    self.warn(
                        line,
                        format!(
                            "status marker `[{c}]` is not a GitHub checkbox; loaded as an open item \
                             (use `[ ]` or `[x]`)"
                        ),
                    );
                }
                let line = self.line(range.start);
                let same_line_nested = self.frames.last().is_some_and(|p| p.line == line);
                self.frames.push(ListFrame {
                    start: range.start,
                    line,
                    ordered: self.lists.last().copied().unwrap_or(false),
                    marker: variant,
                    variant: variant.is_some(),
                    same_line_nested,
                    first_pending: true,
                    task: None,
                    plain_text: None,
                    plain_block: None,
                });
            }
            Tag::Table(align) => {
                self.flush();
                self.first_leaf_empty();
                let mut table = self.spare_table.take().unwrap_or_default();
                table.begin(
                    self.line(range.start),
                    align.iter().map(|a| table::align(*a)),
                );
                self.table = Some(table);
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.begin_row(range.start);
                }
            }
            Tag::TableCell => self.begin_inline(range.start),
            Tag::Emphasis => self.inline_mut(range.start).push_style(Style::Emphasis),
            Tag::Strong => self.inline_mut(range.start).push_style(Style::Strong),
            Tag::Strikethrough => self.inline_mut(range.start).push_style(Style::Strike),
            Tag::Link { dest_url, .. } => {
                let url = crate::text::sanitize::clean_line(&dest_url);
                self.inline_mut(range.start).push_style(Style::Link(url));
            }
            Tag::Image { .. } => self.inline_mut(range.start).begin_image(),
            Tag::MetadataBlock(kind) => {
                self.meta = Some((kind == MetadataBlockKind::PlusesStyle, String::new()));
            }
            _ => self.flush(),
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Paragraph => {
                if self.inline.is_active() {
                    self.inline.set_range(range);
                }
                self.flush();
            }
            TagEnd::Heading(_) => self.end_heading(range),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.flush();
                self.first_leaf_empty();
                self.frames.pop();
            }
            TagEnd::TableCell => {
                let active = self.inline.is_active();
                if active {
                    self.inline.deactivate();
                    self.inline.finish();
                }
                if let Some(t) = &mut self.table {
                    let (text, styles) = if active {
                        (self.inline.plain(), self.inline.styles())
                    } else {
                        ("", Vec::new())
                    };
                    t.push_cell(text, styles, range.end);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.end_head();
                }
            }
            TagEnd::TableRow => {
                let line = self.line(range.start);
                if let Some(t) = &mut self.table {
                    t.end_row(line, self.src, range.end);
                }
            }
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                if self.inline.is_active() {
                    self.inline.pop_style();
                }
            }
            TagEnd::Image => {
                if self.inline.is_active() {
                    self.inline.end_image();
                }
            }
            TagEnd::MetadataBlock(_) => {
                if let Some((toml, text)) = self.meta.take() {
                    self.out.metadata = frontmatter::parse(&text, toml, 2);
                }
            }
            _ => self.flush(),
        }
    }

    fn section(&mut self) -> usize {
        if let Some(s) = self.current {
            return s;
        }
        let idx = self.out.sections.len();
        self.out.sections.push(Section {
            title: String::new(),
            level: 0,
            line: 1,
            planned_time: None,
            parent: None,
            depth: 0,
            body: Vec::new(),
        });
        self.out.implicit = Some(idx);
        self.current = Some(idx);
        idx
    }

    fn end_heading(&mut self, range: Range<usize>) {
        let Some((level, start)) = self.heading.take() else {
            return;
        };
        if !self.inline.is_active() {
            return;
        }
        self.inline.deactivate();
        self.inline.finish();
        self.inline.set_range(range);
        let inline = self.take_inline();
        self.heading_section(level, start, &inline);
        self.put_inline(inline);
    }

    fn heading_section(&mut self, level: u8, start: usize, inline: &Inline) {
        if !self.frames.is_empty() {
            // A heading inside a list item reads as a paragraph of that item.
            self.leaf(inline);
            return;
        }
        let title = inline.plain().trim().trim_end_matches('#').trim();
        let gate = recognize::mentions_go_no_go(title);
        // The title is a prefix of the heading's text (trailing `#`s cut).
        let gate_styles = if gate {
            inline.styles_of(0..title.len())
        } else {
            Vec::new()
        };
        let title = title.to_owned();
        while self.heading_stack.last().is_some_and(|&(l, _)| l >= level) {
            self.heading_stack.pop();
        }
        let parent = self.heading_stack.last().map(|&(_, i)| i);
        let idx = self.out.sections.len();
        let line = self.line(start);
        let planned_time = recognize::planned_time(&title);
        if level == 1 && self.out.h1_title.is_none() {
            self.out.h1_title = Some(title.clone());
        }
        let gate_title = gate.then(|| title.clone());
        self.out.sections.push(Section {
            title,
            level,
            line,
            planned_time,
            parent,
            depth: self.heading_stack.len(),
            body: Vec::new(),
        });
        self.heading_stack.push((level, idx));
        self.current = Some(idx);
        self.following = None;
        if let Some(title) = gate_title {
            let new = self.gate(&title, gate_styles, line, Origin::Line);
            self.add_item(new);
        } else if self.step_sections.get(idx).copied().unwrap_or(false) {
            // `## Step 2: Promote the replica`: the step is the section's first item, and what
            // follows the heading (its commands, its notes) is that item's body.
            let title = self.out.sections[idx].title.clone();
            let styles = inline.styles_of(0..title.len());
            let new = self.task_of(&title, styles, line);
            self.add_item(NewItem {
                origin: Origin::Line,
                ..new
            });
        }
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let line = self.line(code.range.start);
        // Only a block that runs to the end of the file can be unclosed.
        if let Some((c, n)) = code.fence
            && code.range.end >= self.src.trim_end().len()
        {
            let raw = self.src.get(code.range.clone()).unwrap_or("");
            let closed = raw.lines().count() > 1
                && raw.trim_end().lines().last().is_some_and(|l| {
                    l.trim_start().bytes().take_while(|&b| b == c as u8).count() >= n
                });
            if !closed {
                let fence = c.to_string().repeat(n);
                self.warn(
                    line,
                    format!("code block opened with {fence} is never closed: the rest of the file is read as code"),
                );
            }
        }
        let flags = super::code_flags::code_flags(self.src, &code.range, code.fence.is_some());
        if self.clean {
            let start = code.start.min(self.texts.len());
            let cleaned = clean_multiline(self.texts.get(start..).unwrap_or(""));
            self.texts.truncate(start);
            self.texts.push_str(&cleaned);
        }
        let text = SharedStr::pending(code.start..self.texts.len());
        self.add_body(Block::Code(CodeBlock {
            lang: code.lang,
            text,
            line,
            flags,
        }));
    }

    /// `text` added to [`Walker::texts`]: a view of it, resolved when the walk ends.
    fn push_text(&mut self, text: &str) -> SharedStr {
        let start = self.texts.len();
        self.texts
            .push_str(&crate::text::sanitize::clean_line_cow(text));
        SharedStr::pending(start..self.texts.len())
    }

    /// Hands over collected inline content.
    fn flush(&mut self) {
        if !self.inline.is_active() {
            return;
        }
        self.inline.deactivate();
        self.inline.finish();
        if self.inline.is_empty() {
            return;
        }
        let inline = self.take_inline();
        self.leaf(&inline);
        self.put_inline(inline);
    }

    /// The finished inline content, out of the walker so that the recognisers can borrow both;
    /// the spare (inactive, its buffers kept) takes its place. Pointer moves only.
    fn take_inline(&mut self) -> Box<Inline> {
        let spare = self.spare.take().unwrap_or_default();
        std::mem::replace(&mut self.inline, spare)
    }

    /// [`Walker::take_inline`]'s content back, the spare kept for the next block.
    fn put_inline(&mut self, inline: Box<Inline>) {
        self.spare = Some(std::mem::replace(&mut self.inline, inline));
    }

    /// A list item whose first block is not text (a nested list, code, a table) has empty text.
    fn first_leaf_empty(&mut self) {
        let Some(f) = self.frames.last_mut() else {
            return;
        };
        if !f.first_pending {
            return;
        }
        f.first_pending = false;
        if f.marker.is_some() {
            self.list_item_text(&Inline::default());
        }
    }

    fn leaf(&mut self, inline: &Inline) {
        if let Some(f) = self.frames.last_mut()
            && f.first_pending
        {
            f.first_pending = false;
            self.list_item_text(inline);
            return;
        }
        self.paragraph(inline);
    }

    fn target(&mut self) -> Target {
        if let Some(t) = self.frames.iter().rev().find_map(|f| f.task) {
            return Target::Item(t);
        }
        match self.following {
            Some(i) => Target::Item(i),
            None => Target::Section(self.section()),
        }
    }

    /// The body a block at `target` goes into: an item's or a section's.
    fn body_mut(&mut self, target: Target) -> &mut Vec<Block> {
        match target {
            Target::Item(i) => &mut self.out.items[i].body,
            Target::Section(s) => &mut self.out.sections[s].body,
        }
    }

    fn push_block(&mut self, target: Target, block: Block) -> usize {
        // Code, paragraphs and bullets hold pending views of `texts`: their body is resolved when
        // the walk ends.
        if !matches!(block, Block::Table { .. }) && self.pending.last() != Some(&target) {
            self.pending.push(target);
        }
        let body = self.body_mut(target);
        // Most bodies hold one block (an item's command, a section's intro): room for one first,
        // not the four `Vec` starts with (a block is ≈ 90 bytes, a body a few thousand times).
        if body.capacity() == 0 {
            body.reserve_exact(1);
        }
        body.push(block);
        body.len() - 1
    }

    fn add_body(&mut self, block: Block) {
        let target = self.target();
        self.push_block(target, block);
    }
}
