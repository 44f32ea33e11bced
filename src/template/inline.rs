//! Inline content collected into styled spans (code spans, bold, links with their URL).

use crate::model::{Span, SpanStyle};
use crate::text::sanitize::{clean_line, is_clean_line};
use std::ops::Range;

/// An inline style being applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// *emphasis*
    Emphasis,
    /// **strong**
    Strong,
    /// ~~strike~~
    Strike,
    /// A link to this URL.
    Link(String),
}

/// Collects inline events of one block.
#[derive(Debug)]
pub struct InlineBuilder {
    range: Range<usize>,
    styles: Vec<Style>,
    image_depth: usize,
    spans: Vec<Span>,
}

/// The finished inline content of one block.
#[derive(Debug, Clone, Default)]
pub struct Inline {
    /// Styled spans (sanitised).
    pub spans: Vec<Span>,
    /// The plain text.
    pub plain: String,
    /// Source range of the block.
    pub range: Range<usize>,
}

impl InlineBuilder {
    /// Starts collecting at source offset `start`.
    pub fn new(start: usize) -> Self {
        Self {
            range: start..start,
            styles: Vec::new(),
            image_depth: 0,
            spans: Vec::new(),
        }
    }

    fn style(&self) -> SpanStyle {
        if let Some(url) = self.styles.iter().rev().find_map(|s| match s {
            Style::Link(u) => Some(u),
            _ => None,
        }) {
            return SpanStyle::Link { url: url.clone() };
        }
        match self.styles.last() {
            Some(Style::Strong) => SpanStyle::Strong,
            Some(Style::Emphasis) => SpanStyle::Emphasis,
            Some(Style::Strike) => SpanStyle::Strike,
            _ => SpanStyle::Plain,
        }
    }

    fn push(&mut self, text: &str, style: SpanStyle, end: usize) {
        self.range.end = self.range.end.max(end);
        if self.image_depth > 0 || text.is_empty() {
            return;
        }
        if let Some(last) = self.spans.last_mut()
            && last.style == style
        {
            last.text.push_str(text);
            return;
        }
        self.spans.push(Span {
            text: text.to_owned(),
            style,
        });
    }

    /// Adds text in the current style.
    pub fn text(&mut self, text: &str, end: usize) {
        let style = self.style();
        self.push(text, style, end);
    }

    /// Adds a code span.
    pub fn code(&mut self, text: &str, end: usize) {
        self.push(text, SpanStyle::Code, end);
    }

    /// Opens a style.
    pub fn push_style(&mut self, style: Style) {
        self.styles.push(style);
    }

    /// Closes the innermost style.
    pub fn pop_style(&mut self) {
        self.styles.pop();
    }

    /// Image alt text is not part of the item text.
    pub fn begin_image(&mut self) {
        self.image_depth += 1;
    }

    /// Ends an image.
    pub fn end_image(&mut self) {
        self.image_depth = self.image_depth.saturating_sub(1);
    }

    /// Sets the block's full source range.
    pub fn set_range(&mut self, range: Range<usize>) {
        self.range = range;
    }

    /// Sanitises, trims and joins the spans. Runs of spaces outside code spans (left where an
    /// inline HTML comment or a line break was) become one space.
    pub fn finish(self) -> Inline {
        let mut spans: Vec<Span> = Vec::with_capacity(self.spans.len());
        let mut plain = String::new();
        for mut s in self.spans {
            if !is_clean_line(&s.text) {
                s.text = clean_line(&s.text);
            }
            if s.style != SpanStyle::Code {
                if s.text.contains("  ") {
                    s.text = collapse_spaces(&s.text);
                }
                if plain.ends_with(' ') && s.text.starts_with(' ') {
                    s.text.remove(0);
                }
            }
            if plain.is_empty() {
                let trimmed = s.text.len() - s.text.trim_start().len();
                s.text.drain(..trimmed);
            }
            if s.text.is_empty() {
                continue;
            }
            plain.push_str(&s.text);
            spans.push(s);
        }
        while let Some(last) = spans.last_mut() {
            let keep = last.text.trim_end().len();
            last.text.truncate(keep);
            plain.truncate(plain.trim_end().len());
            if !last.text.is_empty() {
                break;
            }
            spans.pop();
        }
        Inline {
            spans,
            plain,
            range: self.range,
        }
    }
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

impl Inline {
    /// Whether the first span is bold and its text satisfies `pred`.
    pub fn starts_bold_with(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.spans
            .first()
            .is_some_and(|s| s.style == SpanStyle::Strong && pred(&s.text))
    }

    /// Whether every span is bold (a "bold line").
    pub fn is_all_bold(&self) -> bool {
        !self.spans.is_empty()
            && self
                .spans
                .iter()
                .all(|s| s.style == SpanStyle::Strong || s.text.trim().is_empty())
    }
}
