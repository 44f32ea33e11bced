//! Turning a finished list item into an item (task, numbered step, sign-off, gate, pasted glyph)
//! or body text (a plain bullet), and giving every item its place in the tree (parent, depth,
//! group label, GFM flag). Paragraphs are in [`super::paragraphs`].

use super::Walker;
use crate::model::{
    Block, Field, Item, ItemId, ItemKind, MAX_ITEM_DEPTH, Origin, SharedSlice, SharedStr, StyleRun,
};
use crate::template::inline::{Inline, offset};
use crate::template::recognize;
use crate::text::sanitize::clean_line;
use std::ops::Range;

impl<'a> Walker<'a> {
    /// The first line of the list item at `start` (on 1-based `line`), after its marker and
    /// checkbox.
    pub(super) fn raw_item_line(&self, start: usize, line: usize) -> &'a str {
        let src: &'a str = self.src;
        let end = self.lines.line_end(line, src.len());
        let line = src.get(start..end.max(start)).unwrap_or("");
        // Bytes, not chars: every byte skipped here is ASCII, so each cut is a char boundary.
        let b = line.as_bytes();
        let ws = |c: u8| c.is_ascii_whitespace() || c == 0x0B;
        let mut i = b.iter().position(|&c| !ws(c)).unwrap_or(b.len());
        if matches!(b.get(i), Some(b'-' | b'*' | b'+')) {
            i += 1;
        } else {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            while matches!(b.get(i), Some(b'.' | b')')) {
                i += 1;
            }
        }
        while b.get(i).is_some_and(|&c| ws(c)) {
            i += 1;
        }
        let Some(line) = line.get(i..) else {
            return "";
        };
        // `line` may still start with Unicode white space: the general trim.
        let line = if b.get(i).is_some_and(|c| !c.is_ascii()) {
            line.trim_start()
        } else {
            line
        };
        let bytes = line.as_bytes();
        if bytes.len() >= 3
            && bytes[0] == b'['
            && line.is_char_boundary(3)
            && let Some(close) = bytes[1..bytes.len().min(6)].iter().position(|&b| b == b']')
        {
            return line[close + 2..].trim_start();
        }
        line
    }

    pub(super) fn list_item_text(&mut self, inline: &Inline) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let (mut marker, variant, ordered, line) =
            (frame.marker, frame.variant, frame.ordered, frame.line);
        let start = frame.start;
        let full = inline.plain();
        // Where the item's own text starts: after a `[-]`-style marker, or a pasted glyph.
        let mut skip = 0;
        let mut pasted = false;
        if variant {
            skip = variant_marker_len(full);
        } else if marker.is_none()
            && !self.opts.legacy()
            && let Some((checked, len)) = recognize::checkbox_glyph(full)
        {
            marker = Some(if checked { 'x' } else { ' ' });
            skip = len;
            pasted = true;
        }
        let range = skip..full.len();
        let plain = &full[range.clone()];
        // The raw line matters only to what has a label (`Tech Lead: ____`): one with a colon.
        let src: &'a str = self.src;
        let line_end = self.lines.line_end(line, src.len()).max(start);
        let labelled =
            crate::text::bytes::find_byte(&src.as_bytes()[start.min(line_end)..line_end], b':')
                .is_some();
        let raw = if labelled {
            self.raw_item_line(start, line)
        } else {
            ""
        };
        if marker.is_some() && plain.is_empty() {
            self.warn(line, "task item has no text".to_owned());
        }
        let gate = recognize::mentions_go_no_go(plain);
        let under_task = self.frames.iter().rev().skip(1).any(|f| f.task.is_some());
        let allow_placeholder = marker.is_some() || !under_task;
        let signoff = if gate || !labelled {
            None
        } else {
            self.signer(raw, allow_placeholder)
        };
        if marker.is_some() {
            self.out.checkboxes += 1;
            let new = if gate {
                let role = recognize::split_label(raw)
                    .filter(|(label, rest)| {
                        !recognize::mentions_go_no_go(label) && recognize::mentions_go_no_go(rest)
                    })
                    .map(|(label, _)| clean_line(label));
                // `- [ ] Go/No-Go: ____`: the blanks are where the decision goes.
                let named = if self.opts.rules2() {
                    plain.len()
                } else {
                    blanks_cut(plain)
                };
                let range = range.start..range.start + named;
                NewItem {
                    role,
                    ..self.task(&plain[..named], inline, range, line)
                }
                .with_kind(ItemKind::Gate)
            } else if let Some(role) = signoff {
                self.signoff(role, line, Origin::List)
            } else {
                self.task(plain, inline, range, line)
            };
            self.list_item(NewItem {
                marker,
                pasted,
                ..new
            });
            return;
        }
        if let Some(role) = signoff {
            let new = self.signoff(role, line, Origin::List);
            self.list_item(new);
            return;
        }
        if inline.starts_bold_with(recognize::mentions_go_no_go) {
            let new = self.task(plain, inline, 0..plain.len(), line);
            self.list_item(new.with_kind(ItemKind::Gate));
            return;
        }
        // Attribute bullets under a task (`- Owner: [QA Lead]`) are not variables.
        let metadata = if under_task {
            None
        } else {
            recognize::metadata_placeholders(raw)
        };
        // Not candidates: table-of-contents entries (a link to a heading), and, among plain
        // bullets, lists of links (references, not things to do).
        let candidate = !plain.is_empty()
            && metadata.is_none()
            && !is_anchor_link(inline)
            && (ordered || inline.sole_link().is_none());
        if candidate {
            let count = if ordered {
                &mut self.out.steps
            } else {
                &mut self.out.bullets
            };
            if count.0 == 0 {
                count.1 = line;
            }
            count.0 += 1;
            if (ordered && self.opts.steps) || self.opts.bullets {
                let new = self.task(plain, inline, 0..plain.len(), line);
                self.list_item(new);
                return;
            }
        }
        // A plain bullet: body text of whatever it belongs to.
        let marks = match metadata {
            Some((label, found)) => {
                self.placeholders_in(inline, 0..full.len(), &label, &found, line)
            }
            None => Vec::new(),
        };
        let depth = self
            .frames
            .iter()
            .rev()
            .skip(1)
            .take_while(|f| f.task.is_none())
            .count();
        let target = self.target();
        let spans = inline.spans_marked(0..full.len(), &marks, &mut self.texts);
        let index = self.push_block(target, Block::Bullet { spans, depth, line });
        if let Some(f) = self.frames.last_mut() {
            f.plain_text = Some(full.to_owned());
            f.plain_block = Some((target, index));
        }
    }

    /// Adds the item a list item stands for and makes it the parent of what is nested in it.
    fn list_item(&mut self, new: NewItem) {
        let idx = self.add_item(new);
        if let Some(f) = self.frames.last_mut() {
            f.task = Some(idx);
        }
    }

    pub(super) fn add_item(&mut self, new: NewItem) -> usize {
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
            && !new.pasted
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
                let body = self.body_mut(target);
                if index < body.len() {
                    body.remove(index);
                }
            }
        }
        group.reverse();
        let idx = self.out.items.len();
        self.pieces.push((new.text, new.styles));
        self.out.items.push(Item {
            // Id, text and styles are filled in when the walk ends (`Walker::seal`): pieces of
            // the buffers shared by every item.
            id: ItemId::default(),
            text: SharedStr::default(),
            styles: SharedSlice::default(),
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
            fillable: Vec::new(),
        });
        self.following = Some(idx);
        idx
    }
}
/// Length of a leading `[c]` status marker and the spaces after it.
fn variant_marker_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    let ok = matches!(chars.next(), Some((_, '['))) && chars.next().is_some();
    match (ok, chars.next()) {
        (true, Some((i, ']'))) => {
            let rest = &text[i + 1..];
            text.len() - rest.trim_start().len()
        }
        _ => 0,
    }
}

/// The length of `text` without the blanks at its end and the colon before them (`Go/No-Go: ____`
/// → `Go/No-Go`); all of it when it does not end in blanks.
pub(super) fn blanks_cut(text: &str) -> usize {
    let kept =
        text.trim_end_matches(|c: char| c == '_' || c == '*' || c == '\\' || c.is_whitespace());
    if kept.len() == text.len() {
        return text.len();
    }
    kept.trim_end_matches(':').trim_end().len()
}

/// A list item that is only a link to a heading of the same file (a table of contents entry).
fn is_anchor_link(inline: &Inline) -> bool {
    inline.sole_link().is_some_and(|url| url.starts_with('#'))
}

/// A sign-off's text and the role that signs it: the same for `Tech Lead: ____`; with loader rules
/// 3, `QA sign-off: ____` reads "QA sign-off" signed by "QA", `Approved by: ____ (Change
/// Manager)` reads "Approved by (Change Manager)" signed by "Change Manager".
#[derive(Debug, Clone)]
pub(super) struct Signer {
    /// The text, when it is not the role.
    text: Option<String>,
    pub(super) role: String,
}

impl From<String> for Signer {
    fn from(role: String) -> Self {
        Signer { text: None, role }
    }
}

impl Signer {
    /// The sign-off of a line, from the label [`recognize::signoff_role_line`] (or its list
    /// form) found in it, or none (`label` is `None`): as loader rules 2 read it (`rules2`: the
    /// label is text and role), or rules 3 (the role a label names, or the one in parentheses
    /// after the blanks of `raw`).
    // Always inlined: a call per labelled line (most of a runbook's) costs more than the test.
    #[inline(always)]
    pub(super) fn of_line(label: Option<String>, raw: &str, rules2: bool) -> Option<Signer> {
        // Most labelled lines are no sign-off at all: answered here, without a call.
        if label.is_none() && (rules2 || !recognize::signoffs::ends_with_parenthesis(raw)) {
            return None;
        }
        Self::of_sign_off_line(label, raw, rules2)
    }

    /// [`Signer::of_line`] of a line with a label, or one ending in `)`.
    fn of_sign_off_line(label: Option<String>, raw: &str, rules2: bool) -> Option<Signer> {
        if rules2 {
            return label.map(|l| Signer::from(clean_line(&l)));
        }
        let Some(label) = label else {
            return recognize::signoffs::signoff_role_in_parentheses(raw).map(|(text, role)| {
                Signer {
                    text: Some(clean_line(&text)),
                    role: clean_line(&role),
                }
            });
        };
        let role = recognize::signoffs::role_of_label(&label);
        if role.len() == label.len() {
            return Some(Signer::from(clean_line(&label)));
        }
        Some(Signer {
            role: clean_line(role),
            text: Some(clean_line(&label)),
        })
    }

    /// What the item reads.
    pub(super) fn text(&self) -> &str {
        self.text.as_deref().unwrap_or(&self.role)
    }
}

impl Walker<'_> {
    /// The sign-off of a list item's first line `raw`, as the loader rules read it
    /// ([`Signer::of_line`]); `placeholders` lets `[Name]` stand for the blanks.
    pub(super) fn signer(&self, raw: &str, placeholders: bool) -> Option<Signer> {
        let label = recognize::signoffs::signoff_role_with(raw, placeholders, self.opts.legacy());
        Signer::of_line(label, raw, self.opts.rules2())
    }
}

/// What an item is made from, before it gets its place in the tree.
pub(super) struct NewItem {
    /// Its text: a range of the walk's shared text buffer ([`Walker::put_text`]).
    pub(super) text: Range<u32>,
    /// Its style runs: a range of the walk's shared run buffer.
    pub(super) styles: Range<u32>,
    pub(super) line: usize,
    pub(super) kind: ItemKind,
    pub(super) origin: Origin,
    pub(super) marker: Option<char>,
    /// A checkbox glyph pasted as text (`☐ Backup`): never a GitHub task.
    pub(super) pasted: bool,
    pub(super) role: Option<String>,
    pub(super) fields: Vec<Field>,
}

impl NewItem {
    /// The same item as another kind.
    pub(super) fn with_kind(self, kind: ItemKind) -> Self {
        Self { kind, ..self }
    }
}

impl Walker<'_> {
    /// `text` added to the buffer every item's text is a piece of: its range there.
    pub(super) fn put_text(&mut self, text: &str) -> Range<u32> {
        let start = offset(self.texts.len());
        self.texts.push_str(text);
        start..offset(self.texts.len())
    }

    /// Runs added to the buffer every item's runs are a piece of: their range there.
    pub(super) fn put_runs(&mut self, runs: impl IntoIterator<Item = StyleRun>) -> Range<u32> {
        let start = offset(self.runs.len());
        self.runs.extend(runs);
        start..offset(self.runs.len())
    }

    /// A task from a list item, without a checkbox: `text` is `range` of `inline`'s text.
    pub(super) fn task(
        &mut self,
        text: &str,
        inline: &Inline,
        range: Range<usize>,
        line: usize,
    ) -> NewItem {
        let text = self.put_text(text);
        let start = offset(self.runs.len());
        inline.styles_into(range, &mut self.runs);
        let styles = start..offset(self.runs.len());
        NewItem::plain(text, styles, line)
    }

    /// A task of `text` styled by `styles`.
    pub(super) fn task_of(&mut self, text: &str, styles: Vec<StyleRun>, line: usize) -> NewItem {
        let text = self.put_text(text);
        let styles = self.put_runs(styles);
        NewItem::plain(text, styles, line)
    }

    /// A sign-off item: its text, and the role that signs it.
    pub(super) fn signoff(
        &mut self,
        name: impl Into<Signer>,
        line: usize,
        origin: Origin,
    ) -> NewItem {
        let signer = name.into();
        NewItem {
            kind: ItemKind::Signoff,
            origin,
            ..NewItem::plain(self.put_text(signer.text()), 0..0, line)
        }
        .with_role(signer.role)
    }

    /// A go/no-go gate without a checkbox (a heading, bold line or bold bullet).
    pub(super) fn gate(
        &mut self,
        text: &str,
        styles: Vec<StyleRun>,
        line: usize,
        origin: Origin,
    ) -> NewItem {
        NewItem {
            origin,
            ..self.task_of(text, styles, line).with_kind(ItemKind::Gate)
        }
    }
}

impl NewItem {
    fn plain(text: Range<u32>, styles: Range<u32>, line: usize) -> Self {
        Self {
            text,
            styles,
            line,
            kind: ItemKind::Task,
            origin: Origin::List,
            marker: None,
            pasted: false,
            role: None,
            fields: Vec::new(),
        }
    }

    fn with_role(self, role: String) -> Self {
        Self {
            role: Some(role),
            ..self
        }
    }
}
