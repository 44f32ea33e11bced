//! Turning a finished paragraph into items and body text, line by line: sign-off lines, pasted
//! checkbox lines (and the text lines that continue them), bold go/no-go lines, and metadata lines
//! whose bracket placeholders become variables named by their label, marked in the text; in the
//! paragraphs before the first item, `Key: value` lines are also the document's metadata.

use super::Walker;
use super::items::{NewItem, Signer, blanks_cut};
use crate::model::{Block, ItemKind, MetaField, Origin, Variable, VariableKind};
use crate::template::inline::Inline;
use crate::template::recognize;
use crate::text::sanitize::clean_line;
use std::ops::Range;

/// A bracket placeholder to mark in a block's text: its byte range and the variable it stands for.
type Mark = (Range<usize>, String);

/// What one source line of a paragraph is.
enum LineKind {
    /// Text of the paragraph (with its placeholders, if it is a metadata line).
    Body { metadata: bool },
    /// A sign-off line: its text and role.
    Signoff(Signer),
    /// A sign-off-shaped line whose label is the decision itself (`Go/No-Go: ____`): a gate named
    /// by its label, not a sign-off by a "Go/No-Go" role.
    Gate(String),
    /// A pasted checkbox glyph or a `[ ]` without a list marker: checked, and where the text starts.
    Checkbox(bool, usize),
    /// The first line of a bold go/no-go paragraph (with the role, when the line is also a
    /// sign-off line: the sign-off comes first).
    BoldGate(Option<Signer>),
}

impl<'a> Walker<'a> {
    /// Records the variables of a metadata line's placeholders (named by the label; `Label Inner`
    /// when the line has several) and returns where they are in `inline`'s text, within `within`.
    pub(super) fn placeholders_in(
        &mut self,
        inline: &Inline,
        within: Range<usize>,
        label: &str,
        found: &[&str],
        line: usize,
    ) -> Vec<Mark> {
        let text = inline.plain().get(within.clone()).unwrap_or("");
        let mut marks = Vec::new();
        let mut from = text.find(label.trim_end_matches(':')).map_or(0, |i| i + 1);
        for inner in found {
            let name = placeholder_name(label, inner, found.len());
            let name = self.placeholder(&name, label, inner, line);
            let needle = format!("[{inner}]");
            let Some(at) = text.get(from..).and_then(|t| t.find(&needle)) else {
                continue;
            };
            let start = within.start + from + at;
            marks.push((start..start + needle.len(), name));
            from += at + needle.len();
        }
        marks
    }

    /// The sign-off of a paragraph line (`Tech Lead: ____`, `Approved by: [Name]`), as the
    /// loader rules read it ([`Signer::of_line`]).
    fn line_signoff(&self, line_text: &str) -> Option<Signer> {
        let label = recognize::signoff_role_line(line_text);
        Signer::of_line(label, line_text, self.opts.rules2())
    }

    pub(super) fn paragraph(&mut self, inline: &Inline) {
        let src: &'a str = self.src;
        let raw = src.get(inline.range.clone()).unwrap_or("");
        let first_line = self.line(inline.range.start);
        let plain = inline.plain();
        let lines = inline.lines();
        let raw_lines: Vec<&str> = raw.trim_end_matches(['\n', ' ']).split('\n').collect();
        // Each source line of the paragraph is one text line when no inline construct spans lines.
        let aligned = raw_lines.len() == lines.len();
        let mut kinds = Vec::with_capacity(raw_lines.len());
        let mut marks: Vec<Mark> = Vec::new();
        // `**Key:** value` lines between the title and the first item: the document's metadata.
        let meta_paragraph = self.out.items.is_empty()
            && self.frames.is_empty()
            && crate::template::metadata::is_metadata_paragraph(raw);
        for (i, raw_line) in raw_lines.iter().enumerate() {
            let line_text = raw_line.trim_start().trim_start_matches('>').trim();
            let line = first_line + i;
            let signoff = self.line_signoff(line_text);
            if meta_paragraph
                && signoff.is_none()
                && let Some((name, value)) = crate::template::metadata::line(line_text)
            {
                self.out.meta_lines.push(MetaField { name, value, line });
            }
            if let Some(signer) = signoff {
                kinds.push(
                    if !self.opts.rules2() && recognize::mentions_go_no_go(signer.text()) {
                        LineKind::Gate(signer.text().to_owned())
                    } else {
                        LineKind::Signoff(signer)
                    },
                );
                continue;
            }
            if aligned
                && !self.opts.legacy()
                && let Some(r) = lines.get(i)
                && let Some((checked, len)) = recognize::checkbox_glyph(&plain[r.clone()])
            {
                kinds.push(LineKind::Checkbox(checked, len));
                continue;
            }
            let metadata = recognize::metadata_placeholders(line_text);
            if let Some((label, found)) = &metadata {
                let within = match lines.get(i) {
                    Some(r) if aligned => r.clone(),
                    _ => 0..plain.len(),
                };
                let found = self.placeholders_in(inline, within, label, found, line);
                marks.extend(found);
            }
            kinds.push(LineKind::Body {
                metadata: metadata.is_some(),
            });
        }
        // A bold line (`**Go/No-Go checkpoint**`) or a bold lead-in (`**Go/No-Go:** when …`), as
        // for list items: the gate is that line and the text lines right after it.
        let bold_gate = (inline.is_all_bold() && recognize::mentions_go_no_go(plain))
            || inline.starts_bold_with(recognize::mentions_go_no_go);
        let skip = if bold_gate {
            raw_lines.iter().take_while(|l| l.trim().is_empty()).count()
        } else {
            0
        };
        if bold_gate
            && aligned
            && !self.opts.rules2()
            && let Some(kind) = kinds.get_mut(skip)
        {
            let signoff = match std::mem::replace(kind, LineKind::Body { metadata: false }) {
                LineKind::Signoff(signer) => Some(signer),
                _ => None,
            };
            *kind = LineKind::BoldGate(signoff);
        } else if bold_gate || !aligned {
            // An inline construct spans lines, so lines cannot be told apart (or rules 2 read
            // it so): the sign-off lines are items, in line order, and the whole paragraph is the
            // gate (when it is one).
            let mut consumed = false;
            for (i, kind) in kinds.iter().enumerate() {
                match kind {
                    LineKind::Signoff(role) => {
                        let new = self.signoff(role.clone(), first_line + i, Origin::Line);
                        self.add_item(new);
                        consumed = true;
                    }
                    LineKind::Gate(label) if !(bold_gate && i == skip) => {
                        let new = self.gate(label, Vec::new(), first_line + i, Origin::Line);
                        self.add_item(new);
                        consumed = true;
                    }
                    _ => {}
                }
                if bold_gate && i == skip {
                    let new = self.task(plain, inline, 0..plain.len(), first_line + skip);
                    self.add_item(NewItem {
                        origin: Origin::Line,
                        ..new.with_kind(ItemKind::Gate)
                    });
                }
            }
            if !bold_gate && !consumed {
                let line = first_line;
                let spans = inline.spans_marked(0..plain.len(), &marks, &mut self.texts);
                self.add_body(Block::Paragraph { spans, line });
            }
            return;
        }
        // Line by line: sign-off lines and checkbox lines are items; the lines between are body
        // text, and text lines right after a checkbox line continue its text.
        let mut body: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < kinds.len() {
            match &kinds[i] {
                LineKind::Body { .. } => {
                    body = Some(body.map_or((i, i), |(a, _)| (a, i)));
                    i += 1;
                }
                LineKind::Signoff(role) => {
                    self.body_lines(inline, &lines, body.take(), &marks, first_line);
                    let new = self.signoff(role.clone(), first_line + i, Origin::Line);
                    self.add_item(new);
                    i += 1;
                }
                LineKind::BoldGate(signoff) => {
                    self.body_lines(inline, &lines, body.take(), &marks, first_line);
                    if let Some(signer) = signoff {
                        let new = self.signoff(signer.clone(), first_line + i, Origin::Line);
                        self.add_item(new);
                    }
                    // The text lines right after it are part of its text; blanks at its end
                    // (`**Go/No-Go:** ____`) are where the decision is written, not its name.
                    let mut last = i;
                    while let Some(LineKind::Body { metadata: false }) = kinds.get(last + 1) {
                        last += 1;
                    }
                    let from = lines[i].start;
                    let to = lines[last].end.max(from);
                    let range = from..from + blanks_cut(&plain[from..to]);
                    let new = self.task(&plain[range.clone()], inline, range, first_line + i);
                    self.add_item(NewItem {
                        origin: Origin::Line,
                        ..new.with_kind(ItemKind::Gate)
                    });
                    i = last + 1;
                }
                LineKind::Gate(label) => {
                    self.body_lines(inline, &lines, body.take(), &marks, first_line);
                    let new = self.gate(label, Vec::new(), first_line + i, Origin::Line);
                    self.add_item(new);
                    i += 1;
                }
                &LineKind::Checkbox(checked, skip) => {
                    self.body_lines(inline, &lines, body.take(), &marks, first_line);
                    let mut last = i;
                    while let Some(LineKind::Body { metadata: false }) = kinds.get(last + 1) {
                        last += 1;
                    }
                    let range = lines[i].start + skip..lines[last].end.max(lines[i].start + skip);
                    let text = plain[range.clone()].trim_end();
                    let mut new = self.task(text, inline, range, first_line + i);
                    new.origin = Origin::Line;
                    new.marker = Some(if checked { 'x' } else { ' ' });
                    new.pasted = true;
                    self.out.checkboxes += 1;
                    self.add_item(new);
                    i = last + 1;
                }
            }
        }
        self.body_lines(inline, &lines, body, &marks, first_line);
    }

    /// Adds lines `a..=b` of a paragraph as one body paragraph.
    fn body_lines(
        &mut self,
        inline: &Inline,
        lines: &[Range<usize>],
        span: Option<(usize, usize)>,
        marks: &[Mark],
        first_line: usize,
    ) {
        let Some((a, b)) = span else { return };
        let (Some(from), Some(to)) = (lines.get(a), lines.get(b)) else {
            return;
        };
        let range = from.start..to.end.max(from.start);
        if range.is_empty() {
            return;
        }
        let spans = inline.spans_marked(range, marks, &mut self.texts);
        self.add_body(Block::Paragraph {
            spans,
            line: first_line + a,
        });
    }

    /// Records a placeholder variable (once per name) and returns its name.
    pub(super) fn placeholder(
        &mut self,
        name: &str,
        label: &str,
        inner: &str,
        line: usize,
    ) -> String {
        let name = clean_line(name);
        if !self.out.placeholders.iter().any(|v| v.name == name) {
            self.out.placeholders.push(Variable {
                name: name.clone(),
                line,
                kind: VariableKind::Placeholder,
                label: Some(clean_line(label)),
                placeholder: Some(clean_line(inner)),
            });
        }
        name
    }
}

/// `Label` for a line's only placeholder, `Label Inner` when it has several.
fn placeholder_name(label: &str, inner: &str, count: usize) -> String {
    if count <= 1 {
        label.to_owned()
    } else {
        format!("{label} {inner}")
    }
}
