//! Turning finished blocks into items: list items (tasks, sign-offs, gates, plain bullets),
//! paragraph lines (sign-off lines, bold gates, metadata placeholders), and the item itself
//! (parent, depth, group label, GFM flag).

use super::Walker;
use crate::model::{
    Block, Field, Item, ItemId, ItemKind, MAX_ITEM_DEPTH, Origin, Span, Variable, VariableKind,
};
use crate::template::inline::Inline;
use crate::template::{recognize, strip_variant_marker};

impl<'a> Walker<'a> {
    /// The first line of the list item at `start`, after its marker and checkbox.
    pub(super) fn raw_item_line(&self, start: usize) -> &'a str {
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

    pub(super) fn list_item_text(&mut self, mut inline: Inline) {
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

    pub(super) fn paragraph(&mut self, inline: Inline) {
        let raw = self.src.get(inline.range.clone()).unwrap_or("").to_owned();
        let mut consumed = false;
        let mut first = true;
        for (i, raw_line) in raw.split('\n').enumerate() {
            let line_text = raw_line.trim_start().trim_start_matches('>').trim();
            if line_text.is_empty() {
                continue;
            }
            let line = self.line(inline.range.start) + i;
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

    pub(super) fn placeholder(&mut self, name: &str, label: &str, line: usize) {
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

/// What an item is made from, before it gets its place in the tree.
pub(super) struct NewItem {
    pub(super) text: String,
    pub(super) spans: Vec<Span>,
    pub(super) line: usize,
    pub(super) kind: ItemKind,
    pub(super) origin: Origin,
    pub(super) marker: Option<char>,
    pub(super) role: Option<String>,
    pub(super) fields: Vec<Field>,
}

impl NewItem {
    /// A sign-off item whose text is its role.
    pub(super) fn signoff(role: String, line: usize, origin: Origin) -> Self {
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
    pub(super) fn gate(text: String, spans: Vec<Span>, line: usize, origin: Origin) -> Self {
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
