//! Styled text: spans, style runs over a text held elsewhere (an item's text, a table cell's), and
//! the cells and column alignment of a table block. Re-exported from [`crate::model`].

use super::shared::SharedStr;
use serde::{Deserialize, Serialize};

/// Inline styling kept for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "lowercase")]
pub enum SpanStyle {
    /// Plain text.
    Plain,
    /// `code span`.
    Code,
    /// **bold**.
    Strong,
    /// *emphasis*.
    Emphasis,
    /// ~~struck through~~.
    Strike,
    /// A link; the span text is the label.
    Link {
        /// The link target.
        url: String,
    },
    /// A hard line break (two trailing spaces or a trailing backslash in the Markdown): the text
    /// goes on on a new line. The span's text is one space, so text read without styles stays
    /// readable.
    Break,
    /// A bracket placeholder after a label (`**Deployment Lead:** [Name]`): shown as written until
    /// the run sets the variable it stands for, then as the value.
    Placeholder {
        /// The variable's name (the label: `Deployment Lead`).
        var: String,
    },
}

/// A run of inline text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Sanitised text.
    pub text: SharedStr,
    /// How to show it.
    #[serde(flatten)]
    pub style: SpanStyle,
}

/// A styled stretch of a text held elsewhere (an item's text, a table cell's): bytes
/// `start..end` of it, shown in `style`. Text not covered by any run is plain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StyleRun {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// How to show it.
    #[serde(flatten)]
    pub style: SpanStyle,
}

/// A piece of styled text borrowed from its owner: what a renderer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanRef<'a> {
    /// The text.
    pub text: &'a str,
    /// How to show it.
    pub style: &'a SpanStyle,
}

impl SpanRef<'_> {
    /// An owned [`Span`].
    pub fn to_span(&self) -> Span {
        Span {
            text: self.text.into(),
            style: self.style.clone(),
        }
    }
}

static PLAIN: SpanStyle = SpanStyle::Plain;

/// The spans of `text` styled by `runs` (sorted ranges into it; gaps are plain), in order.
pub fn spans_of<'a>(text: &'a str, runs: &'a [StyleRun]) -> impl Iterator<Item = SpanRef<'a>> {
    let len = text.len();
    let mut pos = 0usize;
    let mut next = 0usize;
    std::iter::from_fn(move || {
        while pos < len {
            let start = pos;
            let (end, style) = match runs.get(next) {
                Some(r) if r.start as usize <= pos => {
                    next += 1;
                    ((r.end as usize).min(len), &r.style)
                }
                Some(r) => ((r.start as usize).min(len), &PLAIN),
                None => (len, &PLAIN),
            };
            if end <= start {
                continue;
            }
            pos = end;
            if let Some(text) = text.get(start..end) {
                return Some(SpanRef { text, style });
            }
        }
        None
    })
}

/// One table cell: its text and the styled runs over it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Sanitised text (inline Markdown removed).
    pub text: String,
    /// Styled runs over `text` (code, bold, links, placeholders); empty when all plain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub styles: Vec<StyleRun>,
}

impl Cell {
    /// A plain cell.
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            styles: Vec::new(),
        }
    }

    /// The cell's spans in order.
    pub fn spans(&self) -> impl Iterator<Item = SpanRef<'_>> {
        spans_of(&self.text, &self.styles)
    }
}

impl PartialEq<&str> for Cell {
    /// Compares the cell's text.
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// No colon in the delimiter row.
    #[default]
    None,
    /// `:--`
    Left,
    /// `:-:`
    Center,
    /// `--:`
    Right,
}

impl Span {
    /// An unstyled span.
    pub fn plain(text: impl Into<SharedStr>) -> Self {
        Span {
            text: text.into(),
            style: SpanStyle::Plain,
        }
    }
}
