//! The walk over pulldown-cmark events that builds sections, items and bodies.
//!
//! One pass, iterative: list items, block quotes and tables are tracked on explicit stacks, so any
//! nesting depth is safe. Inline content is collected into spans and handed over when the enclosing
//! block ends; what a piece of text becomes (item text, sign-off, gate, body paragraph, variable)
//! is decided there, from the spans and the raw source line.

use super::inline::{Inline, InlineBuilder};
use super::lines::LineIndex;
use super::recognize;
use super::{frontmatter, strip_variant_marker, variant_marker_at};
use crate::model::{
    Block, CodeBlock, Field, Item, ItemId, ItemKind, MAX_ITEM_DEPTH, MetaField, Origin, Section,
    Span, Variable, VariableKind, Warning,
};
use crate::text::sanitize::clean_multiline;
use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use std::ops::Range;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Item(usize),
    Section(usize),
}

#[derive(Debug)]
struct ListFrame {
    start: usize,
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
    lang: Option<String>,
    fence: Option<String>,
    text: String,
    range: Range<usize>,
}

#[derive(Debug, Default)]
struct TableBuf {
    line: usize,
    header: Vec<Inline>,
    rows: Vec<(usize, Vec<Inline>)>,
    row: Vec<Inline>,
}

struct Walker<'a> {
    src: &'a str,
    lines: &'a LineIndex,
    out: Output,
    current: Option<usize>,
    heading_stack: Vec<(u8, usize)>,
    heading: Option<(u8, usize)>,
    frames: Vec<ListFrame>,
    inline: Option<InlineBuilder>,
    quote_depth: usize,
    code: Option<CodeBuf>,
    table: Option<TableBuf>,
    meta: Option<(bool, String)>,
    following: Option<usize>,
    depth_warned: bool,
    tables_as_items: bool,
}

/// Walks `src` (repaired, `\n` line endings). With `tables_as_items`, rows of every table of two or
/// more rows and columns become open items (used for checklists written as plain tables, without any
/// checkbox or status column anywhere in the file).
pub fn walk(src: &str, lines: &LineIndex, tables_as_items: bool) -> Output {
    let mut w = Walker {
        src,
        lines,
        out: Output::default(),
        current: None,
        heading_stack: Vec::new(),
        heading: None,
        frames: Vec::new(),
        inline: None,
        quote_depth: 0,
        code: None,
        table: None,
        meta: None,
        following: None,
        depth_warned: false,
        tables_as_items,
    };
    for (event, range) in Parser::new_ext(src, options_for(src)).into_offset_iter() {
        w.event(event, range);
    }
    w.flush();
    w.out
}

impl<'a> Walker<'a> {
    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    fn warn(&mut self, line: usize, message: String) {
        self.out.warnings.push(Warning { line, message });
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) => {
                if let Some(code) = &mut self.code {
                    code.text.push_str(&t);
                } else if let Some((_, meta)) = &mut self.meta {
                    meta.push_str(&t);
                } else {
                    self.inline_mut(range.start).text(&t, range.end);
                }
            }
            Event::Code(t) => self.inline_mut(range.start).code(&t, range.end),
            Event::SoftBreak | Event::HardBreak => {
                self.inline_mut(range.start).text(" ", range.end)
            }
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
                let raw = self.src.get(range.clone()).unwrap_or("").to_owned();
                self.inline_mut(range.start).text(&raw, range.end);
            }
        }
    }

    fn inline_mut(&mut self, start: usize) -> &mut InlineBuilder {
        self.inline.get_or_insert_with(|| InlineBuilder::new(start))
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                self.flush();
                self.inline = Some(InlineBuilder::new(range.start));
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some((level as u8, range.start));
                self.inline = Some(InlineBuilder::new(range.start));
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
                            .map(crate::text::sanitize::clean_line);
                        let first = self.src.get(range.clone()).unwrap_or("").trim_start();
                        let fence: String = first
                            .chars()
                            .take_while(|&c| c == '`' || c == '~')
                            .collect();
                        (lang, Some(fence))
                    }
                    CodeBlockKind::Indented => (None, None),
                };
                self.code = Some(CodeBuf {
                    lang,
                    fence,
                    text: String::new(),
                    range,
                });
            }
            Tag::HtmlBlock => self.flush(),
            Tag::List(_) => {
                self.flush();
                self.first_leaf_empty();
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
                let same_line_nested = self
                    .frames
                    .last()
                    .is_some_and(|p| self.lines.line(p.start) == self.lines.line(range.start));
                self.frames.push(ListFrame {
                    start: range.start,
                    marker: variant,
                    variant: variant.is_some(),
                    same_line_nested,
                    first_pending: true,
                    task: None,
                    plain_text: None,
                    plain_block: None,
                });
            }
            Tag::Table(_) => {
                self.flush();
                self.first_leaf_empty();
                self.table = Some(TableBuf {
                    line: self.line(range.start),
                    ..TableBuf::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.row.clear();
                }
            }
            Tag::TableCell => self.inline = Some(InlineBuilder::new(range.start)),
            Tag::Emphasis => self
                .inline_mut(range.start)
                .push_style(super::inline::Style::Emphasis),
            Tag::Strong => self
                .inline_mut(range.start)
                .push_style(super::inline::Style::Strong),
            Tag::Strikethrough => self
                .inline_mut(range.start)
                .push_style(super::inline::Style::Strike),
            Tag::Link { dest_url, .. } => {
                let url = crate::text::sanitize::clean_line(&dest_url);
                self.inline_mut(range.start)
                    .push_style(super::inline::Style::Link(url));
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
                if let Some(b) = &mut self.inline {
                    b.set_range(range);
                }
                self.flush();
            }
            TagEnd::Heading(_) => self.end_heading(range),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::List(_) => self.flush(),
            TagEnd::Item => {
                self.flush();
                self.first_leaf_empty();
                self.frames.pop();
            }
            TagEnd::TableCell => {
                let cell = self
                    .inline
                    .take()
                    .map(InlineBuilder::finish)
                    .unwrap_or_default();
                if let Some(t) = &mut self.table {
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header = std::mem::take(&mut t.row);
                }
            }
            TagEnd::TableRow => {
                let line = self.line(range.start);
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push((line, row));
                }
            }
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                if let Some(b) = &mut self.inline {
                    b.pop_style();
                }
            }
            TagEnd::Image => {
                if let Some(b) = &mut self.inline {
                    b.end_image();
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
        let Some(builder) = self.inline.take() else {
            return;
        };
        let mut inline = builder.finish();
        inline.range = range;
        if !self.frames.is_empty() {
            // A heading inside a list item reads as a paragraph of that item.
            self.leaf(inline);
            return;
        }
        let title = inline.plain.trim().trim_end_matches('#').trim().to_owned();
        while self.heading_stack.last().is_some_and(|&(l, _)| l >= level) {
            self.heading_stack.pop();
        }
        let parent = self.heading_stack.last().map(|&(_, i)| i);
        let idx = self.out.sections.len();
        let line = self.line(start);
        self.out.sections.push(Section {
            title: title.clone(),
            level,
            line,
            planned_time: recognize::planned_time(&title),
            parent,
            depth: self.heading_stack.len(),
            body: Vec::new(),
        });
        self.heading_stack.push((level, idx));
        self.current = Some(idx);
        self.following = None;
        if level == 1 && self.out.h1_title.is_none() {
            self.out.h1_title = Some(title.clone());
        }
        if recognize::mentions_go_no_go(&title) {
            self.add_item(NewItem::gate(
                title.clone(),
                inline.spans,
                line,
                Origin::Line,
            ));
        }
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let line = self.line(code.range.start);
        if let Some(fence) = &code.fence {
            let raw = self.src.get(code.range.clone()).unwrap_or("");
            let closed = raw.lines().count() > 1
                && raw
                    .trim_end()
                    .lines()
                    .last()
                    .is_some_and(|l| l.trim_start().starts_with(fence.as_str()));
            if !closed && code.range.end >= self.src.trim_end().len() {
                self.warn(
                    line,
                    format!("code block opened with {fence} is never closed: the rest of the file is read as code"),
                );
            }
        }
        let flags = super::code_flags::code_flags(self.src, &code.range, code.fence.is_some());
        self.add_body(Block::Code(CodeBlock {
            lang: code.lang,
            text: clean_multiline(&code.text),
            line,
            flags,
        }));
    }

    /// Hands over collected inline content.
    fn flush(&mut self) {
        if let Some(b) = self.inline.take() {
            let inline = b.finish();
            if inline.plain.trim().is_empty() && inline.spans.is_empty() {
                return;
            }
            self.leaf(inline);
        }
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
            let inline = Inline::default();
            self.list_item_text(inline);
        }
    }

    fn leaf(&mut self, inline: Inline) {
        if let Some(f) = self.frames.last_mut()
            && f.first_pending
        {
            f.first_pending = false;
            self.list_item_text(inline);
            return;
        }
        self.paragraph(inline);
    }

    /// The first line of the list item at `start`, after its marker and checkbox.
    fn raw_item_line(&self, start: usize) -> &'a str {
        let src: &'a str = self.src;
        let rest = src.get(start..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        let line = line.trim_start();
        let line = line.strip_prefix(['-', '*', '+']).unwrap_or_else(|| {
            line.trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches(['.', ')'])
        });
        let line = line.trim_start();
        let bytes = line.as_bytes();
        if bytes.len() >= 3
            && bytes[0] == b'['
            && line.is_char_boundary(3)
            && let Some(close) = line[1..].find(']').filter(|&c| c <= 4)
        {
            return line[close + 2..].trim_start();
        }
        line
    }

    fn list_item_text(&mut self, mut inline: Inline) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let (start, marker, variant) = (frame.start, frame.marker, frame.variant);
        if variant {
            strip_variant_marker(&mut inline);
        }
        let raw = self.raw_item_line(start);
        let line = self.line(start);
        if marker.is_some() && inline.plain.is_empty() {
            self.warn(line, "task item has no text".to_owned());
        }
        let plain = std::mem::take(&mut inline.plain);
        let gate = recognize::mentions_go_no_go(&plain);
        let under_task = self.frames.iter().rev().skip(1).any(|f| f.task.is_some());
        let allow_placeholder = marker.is_some() || !under_task;
        let signoff = if gate {
            None
        } else {
            recognize::signoff_role(raw, allow_placeholder)
                .map(|r| crate::text::sanitize::clean_line(&r))
        };
        if marker.is_some() {
            let (kind, text, role, spans) = if gate {
                let role = recognize::split_label(raw)
                    .filter(|(label, rest)| {
                        !recognize::mentions_go_no_go(label) && recognize::mentions_go_no_go(rest)
                    })
                    .map(|(label, _)| crate::text::sanitize::clean_line(label));
                (ItemKind::Gate, plain, role, inline.spans)
            } else if let Some(role) = signoff {
                (
                    ItemKind::Signoff,
                    role.clone(),
                    Some(role.clone()),
                    vec![Span::plain(role)],
                )
            } else {
                (ItemKind::Task, plain, None, inline.spans)
            };
            let idx = self.add_item(NewItem {
                text,
                spans,
                line,
                kind,
                origin: Origin::List,
                marker,
                role,
                fields: Vec::new(),
            });
            if let Some(f) = self.frames.last_mut() {
                f.task = Some(idx);
            }
            return;
        }
        if let Some(role) = signoff {
            let idx = self.add_item(NewItem::signoff(role, line, Origin::List));
            if let Some(f) = self.frames.last_mut() {
                f.task = Some(idx);
            }
            return;
        }
        if inline.starts_bold_with(recognize::mentions_go_no_go) {
            let idx = self.add_item(NewItem::gate(plain, inline.spans, line, Origin::List));
            if let Some(f) = self.frames.last_mut() {
                f.task = Some(idx);
            }
            return;
        }
        // A plain bullet: body text of whatever it belongs to.
        let depth = self
            .frames
            .iter()
            .rev()
            .skip(1)
            .take_while(|f| f.task.is_none())
            .count();
        let target = self.target();
        let index = self.push_block(
            target,
            Block::Bullet {
                spans: inline.spans,
                depth,
                line,
            },
        );
        if let Some(f) = self.frames.last_mut() {
            f.plain_text = Some(plain);
            f.plain_block = Some((target, index));
        }
    }

    fn paragraph(&mut self, inline: Inline) {
        let raw = self.src.get(inline.range.clone()).unwrap_or("").to_owned();
        let mut consumed = false;
        let mut first = true;
        // `**Key:** value` lines between the title and the first item: the document's metadata.
        let metadata = self.out.items.is_empty()
            && self.frames.is_empty()
            && super::metadata::is_metadata_paragraph(&raw);
        for (i, raw_line) in raw.split('\n').enumerate() {
            let line_text = raw_line.trim_start().trim_start_matches('>').trim();
            if line_text.is_empty() {
                continue;
            }
            let line = self.line(inline.range.start) + i;
            if metadata
                && recognize::signoff_role_line(line_text).is_none()
                && let Some((name, value)) = super::metadata::line(line_text)
            {
                self.out.meta_lines.push(MetaField { name, value, line });
            }
            if let Some(role) = recognize::signoff_role_line(line_text)
                .map(|r| crate::text::sanitize::clean_line(&r))
            {
                self.add_item(NewItem::signoff(role, line, Origin::Line));
                consumed = true;
            } else if let Some((label, found)) = recognize::metadata_placeholders(line_text) {
                for name in found {
                    self.placeholder(name, &label, line);
                }
            }
            // A bold line (`**Go/No-Go checkpoint**`) or a bold lead-in (`**Go/No-Go:** when …`),
            // as for list items.
            let bold_gate = (inline.is_all_bold() && recognize::mentions_go_no_go(&inline.plain))
                || inline.starts_bold_with(recognize::mentions_go_no_go);
            if first && bold_gate {
                self.add_item(NewItem::gate(
                    inline.plain.trim().to_owned(),
                    inline.spans.clone(),
                    line,
                    Origin::Line,
                ));
                consumed = true;
            }
            first = false;
        }
        if !consumed {
            let line = self.line(inline.range.start);
            self.add_body(Block::Paragraph {
                spans: inline.spans,
                line,
            });
        }
    }

    fn placeholder(&mut self, name: &str, label: &str, line: usize) {
        let name = crate::text::sanitize::clean_line(name);
        let label = crate::text::sanitize::clean_line(label);
        if self
            .out
            .placeholders
            .iter()
            .any(|v| v.name == name && v.label.as_deref() == Some(label.as_str()))
        {
            return;
        }
        self.out.placeholders.push(Variable {
            name,
            line,
            kind: VariableKind::Placeholder,
            label: Some(label),
        });
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

    fn push_block(&mut self, target: Target, block: Block) -> usize {
        let body = match target {
            Target::Item(i) => &mut self.out.items[i].body,
            Target::Section(s) => &mut self.out.sections[s].body,
        };
        body.push(block);
        body.len() - 1
    }

    fn add_body(&mut self, block: Block) {
        let target = self.target();
        self.push_block(target, block);
    }

    fn add_item(&mut self, new: NewItem) -> usize {
        let section = self.section();
        let task_frame = self.frames.iter().rposition(|f| f.task.is_some());
        let mut parent = task_frame.and_then(|i| self.frames[i].task);
        while let Some(p) = parent
            && self.out.items[p].depth + 1 > MAX_ITEM_DEPTH
        {
            parent = self.out.items[p].parent;
            if !self.depth_warned {
                self.depth_warned = true;
                let line = new.line;
                self.warn(
                    line,
                    format!(
                        "items nested deeper than {MAX_ITEM_DEPTH} levels are shown at that depth"
                    ),
                );
            }
        }
        let depth = parent.map_or(0, |p| self.out.items[p].depth + 1);
        let frame = self.frames.last();
        let in_list = new.origin == Origin::List && frame.is_some();
        let same_line = in_list && frame.is_some_and(|f| f.same_line_nested);
        let gfm_task = in_list
            && !same_line
            && self.quote_depth == 0
            && matches!(new.marker, Some(' ' | 'x' | 'X'))
            && !frame.is_some_and(|f| f.variant);
        if same_line && new.marker.is_some() {
            self.warn(
                new.line,
                "a task list nested on its parent's line (`- - [ ]`) shows as text `[ ]` on GitHub; loaded as a task".to_owned(),
            );
        }
        // Plain bullets this item is nested under become its group label, not body text.
        let first_plain = task_frame.map_or(0, |i| i + 1);
        let upto = self.frames.len().saturating_sub(1);
        let mut group: Vec<String> = Vec::new();
        for i in (first_plain..upto).rev() {
            let frame = &mut self.frames[i];
            if let Some(text) = &frame.plain_text {
                group.push(text.clone());
            }
            if let Some((target, index)) = frame.plain_block.take() {
                let body = match target {
                    Target::Item(t) => &mut self.out.items[t].body,
                    Target::Section(s) => &mut self.out.sections[s].body,
                };
                if index < body.len() {
                    body.remove(index);
                }
            }
        }
        group.reverse();
        let idx = self.out.items.len();
        self.out.items.push(Item {
            id: ItemId(String::new()),
            text: new.text,
            spans: new.spans,
            line: new.line,
            kind: new.kind,
            origin: new.origin,
            checked: matches!(new.marker, Some('x' | 'X')),
            marker: new.marker,
            role: new.role,
            section,
            parent,
            depth,
            group: (!group.is_empty()).then(|| group.join(" › ")),
            quoted: self.quote_depth > 0,
            gfm_task,
            body: Vec::new(),
            fields: new.fields,
        });
        self.following = Some(idx);
        idx
    }
}

struct NewItem {
    text: String,
    spans: Vec<Span>,
    line: usize,
    kind: ItemKind,
    origin: Origin,
    marker: Option<char>,
    role: Option<String>,
    fields: Vec<Field>,
}

impl NewItem {
    /// A sign-off item whose text is its role.
    fn signoff(role: String, line: usize, origin: Origin) -> Self {
        Self {
            text: role.clone(),
            spans: vec![Span::plain(role.clone())],
            line,
            kind: ItemKind::Signoff,
            origin,
            marker: None,
            role: Some(role),
            fields: Vec::new(),
        }
    }

    /// A go/no-go gate without a checkbox (a heading, bold line or bold bullet).
    fn gate(text: String, spans: Vec<Span>, line: usize, origin: Origin) -> Self {
        Self {
            text,
            spans,
            line,
            kind: ItemKind::Gate,
            origin,
            marker: None,
            role: None,
            fields: Vec::new(),
        }
    }
}
