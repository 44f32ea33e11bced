//! Inline content of one block, collected into one text buffer with style runs over it (code
//! spans, bold, links with their URL, hard line breaks).
//!
//! The walker keeps one [`Inline`] and reuses its buffers from block to block, so collecting text
//! allocates nothing once they have grown; what a block becomes is copied out of it at the end.

use crate::model::{Span, SpanStyle, StyleRun};
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

/// The style a piece of text is pushed in, borrowed from the style stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cur<'a> {
    Plain,
    Code,
    Strong,
    Emphasis,
    Strike,
    Link(&'a str),
    Break,
}

impl Cur<'_> {
    fn matches(self, s: &SpanStyle) -> bool {
        match (self, s) {
            (Cur::Plain, SpanStyle::Plain)
            | (Cur::Code, SpanStyle::Code)
            | (Cur::Strong, SpanStyle::Strong)
            | (Cur::Emphasis, SpanStyle::Emphasis)
            | (Cur::Strike, SpanStyle::Strike) => true,
            (Cur::Link(a), SpanStyle::Link { url }) => a == url,
            _ => false,
        }
    }

    fn owned(self) -> SpanStyle {
        match self {
            Cur::Plain => SpanStyle::Plain,
            Cur::Code => SpanStyle::Code,
            Cur::Strong => SpanStyle::Strong,
            Cur::Emphasis => SpanStyle::Emphasis,
            Cur::Strike => SpanStyle::Strike,
            Cur::Link(url) => SpanStyle::Link {
                url: url.to_owned(),
            },
            Cur::Break => SpanStyle::Break,
        }
    }
}

/// Inline content of one block: built from events, then read when the block ends.
#[derive(Debug, Default)]
pub struct Inline {
    /// Source range of the block.
    pub range: Range<usize>,
    styles: Vec<Style>,
    image_depth: usize,
    text: String,
    /// Runs covering `text` from start to end (plain ones included) while building.
    runs: Vec<StyleRun>,
    /// Offsets in `text` where a source line ended inside the block (soft or hard breaks).
    breaks: Vec<u32>,
    active: bool,
    /// Whether pieces may need sanitising (the walker knows when the file has nothing to clean).
    clean: bool,
}

/// The style text is pushed in now: the innermost link, else the innermost style.
fn current(styles: &[Style]) -> Cur<'_> {
    if let Some(url) = styles.iter().rev().find_map(|s| match s {
        Style::Link(u) => Some(u.as_str()),
        _ => None,
    }) {
        return Cur::Link(url);
    }
    match styles.last() {
        Some(Style::Strong) => Cur::Strong,
        Some(Style::Emphasis) => Cur::Emphasis,
        Some(Style::Strike) => Cur::Strike,
        _ => Cur::Plain,
    }
}

/// Extends the last run to `end` when it has `style` and ends at `before`, else adds one.
fn extend_run(runs: &mut Vec<StyleRun>, before: usize, end: usize, style: Cur<'_>) {
    let (before, end) = (offset(before), offset(end));
    if style != Cur::Break
        && let Some(last) = runs.last_mut()
        && last.end == before
        && style.matches(&last.style)
    {
        last.end = end;
        return;
    }
    runs.push(StyleRun {
        start: before,
        end,
        style: style.owned(),
    });
}

/// Whether `bytes` has two spaces in a row: eight bytes at a time (a word's space bytes as a mask,
/// a pair of neighbours in it, and the pair across two words).
fn has_double_space(bytes: &[u8]) -> bool {
    use crate::text::bytes::{eq_mask, word};
    let mut words = bytes.chunks_exact(8);
    let mut prev_last = false;
    for chunk in &mut words {
        let sp = eq_mask(word(chunk), b' ');
        if sp & (sp << 8) != 0 || (prev_last && sp & 0x80 != 0) {
            return true;
        }
        prev_last = sp >> 63 != 0;
    }
    for &b in words.remainder() {
        let space = b == b' ';
        if space && prev_last {
            return true;
        }
        prev_last = space;
    }
    false
}

/// A text or buffer offset as the loader stores it (templates are at most 64 MiB).
pub(super) fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Inline {
    /// Starts collecting a block at source offset `start`, keeping the buffers' capacity. With
    /// `clean`, every piece is checked for control, bidi and zero-width characters.
    pub fn begin(&mut self, start: usize, clean: bool) {
        self.range = start..start;
        self.styles.clear();
        self.image_depth = 0;
        self.text.clear();
        self.runs.clear();
        self.breaks.clear();
        self.active = true;
        self.clean = clean;
    }

    /// Whether a block is being collected.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Ends collecting (the content stays readable until the next [`Inline::begin`]).
    pub fn deactivate(&mut self) {
        self.active = false;
    }

    fn push(&mut self, piece: &str, code: bool, end: usize) {
        self.range.end = self.range.end.max(end);
        if self.image_depth > 0 || piece.is_empty() {
            return;
        }
        let cleaned;
        let mut t = piece;
        // Code spans have their line ends turned into spaces by the parser, like text: only a
        // file with something to clean needs the check.
        if self.clean && !is_clean_line(t) {
            cleaned = clean_line(t);
            t = &cleaned;
        }
        // Leading white space is dropped (an ASCII letter or mark first has none: no search).
        if self.text.is_empty()
            && !t
                .as_bytes()
                .first()
                .is_some_and(|&b| b > b' ' && b.is_ascii())
        {
            t = t.trim_start();
            if t.is_empty() {
                return;
            }
        }
        let before = self.text.len();
        let collapse = !code
            && (has_double_space(t.as_bytes()) || t.starts_with(' ') && self.text.ends_with(' '));
        if !collapse {
            self.text.push_str(t);
        } else {
            // Runs of spaces (left where an inline HTML comment or a line break was) become one.
            for c in t.chars() {
                if c == ' ' && self.text.ends_with(' ') {
                    continue;
                }
                self.text.push(c);
            }
        }
        if self.text.len() == before {
            return;
        }
        let style = if code {
            Cur::Code
        } else {
            current(&self.styles)
        };
        extend_run(&mut self.runs, before, self.text.len(), style);
    }

    /// Adds text in the current style.
    pub fn text(&mut self, text: &str, end: usize) {
        self.push(text, false, end);
    }

    /// Adds a code span.
    pub fn code(&mut self, text: &str, end: usize) {
        self.push(text, true, end);
    }

    /// A source line ended (a soft break): read as a space, remembered as a line end.
    pub fn soft_break(&mut self, end: usize) {
        if !self.text.is_empty() {
            self.breaks.push(offset(self.text.len()));
        }
        self.push(" ", false, end);
    }

    /// A hard line break (two trailing spaces, a trailing backslash): a line end that is shown.
    pub fn hard_break(&mut self, end: usize) {
        self.range.end = self.range.end.max(end);
        if self.text.is_empty() || self.image_depth > 0 {
            return;
        }
        let before = self.text.len();
        self.breaks.push(offset(before));
        self.text.push(' ');
        extend_run(&mut self.runs, before, self.text.len(), Cur::Break);
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

    /// Trims trailing whitespace; the content is then read with the methods below.
    pub fn finish(&mut self) {
        let keep = self.text.trim_end().len();
        self.text.truncate(keep);
        let keep = offset(keep);
        while self.runs.last().is_some_and(|r| r.start >= keep) {
            self.runs.pop();
        }
        if let Some(last) = self.runs.last_mut() {
            last.end = last.end.min(keep);
        }
        while self.breaks.last().is_some_and(|&b| b >= keep) {
            self.breaks.pop();
        }
    }

    /// The plain text.
    pub fn plain(&self) -> &str {
        &self.text
    }

    /// Whether nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The styled runs of `range` of the text, shifted to start at 0; plain runs left out (so
    /// all-plain text needs no allocation).
    pub fn styles_of(&self, range: Range<usize>) -> Vec<StyleRun> {
        let (from, to) = (offset(range.start), offset(range.end));
        let keep = |r: &StyleRun| r.style != SpanStyle::Plain && r.end > from && r.start < to;
        // Counted first: one allocation of the right size (most texts need none).
        let n = self.runs.iter().filter(|r| keep(r)).count();
        if n == 0 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(n);
        for r in &self.runs {
            if !keep(r) {
                continue;
            }
            out.push(StyleRun {
                start: r.start.max(from) - from,
                end: r.end.min(to) - from,
                style: r.style.clone(),
            });
        }
        out
    }

    /// [`Inline::styles_of`] appended to `out` (a buffer shared by many texts) instead of a
    /// vector of their own.
    pub fn styles_into(&self, range: Range<usize>, out: &mut Vec<StyleRun>) {
        let (from, to) = (offset(range.start), offset(range.end));
        for r in &self.runs {
            if r.style == SpanStyle::Plain || r.end <= from || r.start >= to {
                continue;
            }
            out.push(StyleRun {
                start: r.start.max(from) - from,
                end: r.end.min(to) - from,
                style: r.style.clone(),
            });
        }
    }

    /// The styled runs of the whole text (see [`Inline::styles_of`]).
    pub fn styles(&self) -> Vec<StyleRun> {
        self.styles_of(0..self.text.len())
    }

    /// The spans of `range` of the text, as owned spans (plain ones included).
    pub fn spans_of(&self, range: Range<usize>) -> Vec<Span> {
        let Some(text) = self.text.get(range.clone()) else {
            return Vec::new();
        };
        let runs = self.styles_of(range);
        crate::model::spans_of(text, &runs)
            .map(|s| s.to_span())
            .collect()
    }

    /// The whole text as owned spans.
    pub fn spans(&self) -> Vec<Span> {
        self.spans_of(0..self.text.len())
    }

    /// The spans of `range` of the text, with the `marks` inside it (ranges of the text, and the
    /// variable each stands for) shown as placeholders. Their texts are written to `texts` (the
    /// walk's shared buffer) and are pending views of it, resolved when the walk ends.
    pub fn spans_marked(
        &self,
        range: Range<usize>,
        marks: &[(Range<usize>, String)],
        texts: &mut String,
    ) -> Vec<Span> {
        let Some(text) = self.text.get(range.clone()) else {
            return Vec::new();
        };
        let mut runs = self.styles_of(range.clone());
        for (m, var) in marks {
            if m.start >= range.start && m.end <= range.end && m.start < m.end {
                let at = offset(m.start - range.start)..offset(m.end - range.start);
                overlay(&mut runs, at, SpanStyle::Placeholder { var: var.clone() });
            }
        }
        crate::model::spans_of(text, &runs)
            .map(|s| {
                let start = texts.len();
                texts.push_str(s.text);
                Span {
                    text: crate::model::SharedStr::pending(start..texts.len()),
                    style: s.style.clone(),
                }
            })
            .collect()
    }

    /// The URL when the whole text is one link.
    pub fn sole_link(&self) -> Option<&str> {
        match self.runs.as_slice() {
            [r] if r.start == 0 && r.end as usize == self.text.len() => match &r.style {
                SpanStyle::Link { url } => Some(url),
                _ => None,
            },
            _ => None,
        }
    }

    /// The text's source lines (split at soft and hard breaks), as trimmed ranges of the text.
    pub fn lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        let mut start = 0usize;
        let ends = self
            .breaks
            .iter()
            .map(|&b| b as usize)
            .chain(std::iter::once(self.text.len()));
        for end in ends {
            let end = end.max(start).min(self.text.len());
            let seg = self.text.get(start..end).unwrap_or("");
            let lead = seg.len() - seg.trim_start().len();
            let trail = seg.len() - seg.trim_end().len();
            out.push(start + lead..(end - trail).max(start + lead));
            start = end;
        }
        out
    }

    /// Whether the first run is bold and its text satisfies `pred`.
    pub fn starts_bold_with(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.runs.first().is_some_and(|r| {
            r.style == SpanStyle::Strong
                && self
                    .text
                    .get(r.start as usize..r.end as usize)
                    .is_some_and(pred)
        })
    }

    /// Whether every run is bold (a "bold line").
    pub fn is_all_bold(&self) -> bool {
        !self.runs.is_empty()
            && self.runs.iter().all(|r| {
                r.style == SpanStyle::Strong
                    || self
                        .text
                        .get(r.start as usize..r.end as usize)
                        .is_none_or(|t| t.trim().is_empty())
            })
    }
}

/// Puts a run of `style` over `range` of styled runs (sorted, non-overlapping), cutting the runs
/// it covers.
pub fn overlay(runs: &mut Vec<StyleRun>, range: Range<u32>, style: SpanStyle) {
    let mut out = Vec::with_capacity(runs.len() + 2);
    for r in runs.drain(..) {
        if r.end <= range.start || r.start >= range.end {
            out.push(r);
            continue;
        }
        if r.start < range.start {
            out.push(StyleRun {
                start: r.start,
                end: range.start,
                style: r.style.clone(),
            });
        }
        if r.end > range.end {
            out.push(StyleRun {
                start: range.end,
                end: r.end,
                style: r.style,
            });
        }
    }
    out.push(StyleRun {
        start: range.start,
        end: range.end,
        style,
    });
    out.sort_by_key(|r| r.start);
    *runs = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(f: impl FnOnce(&mut Inline)) -> Inline {
        let mut i = Inline::default();
        i.begin(0, true);
        f(&mut i);
        i.finish();
        i
    }

    #[test]
    fn double_spaces_are_found_in_and_across_words() {
        for len in 0..40 {
            for a in 0..len {
                for b in a + 1..len {
                    let mut t = vec![b'x'; len];
                    t[a] = b' ';
                    t[b] = b' ';
                    assert_eq!(
                        has_double_space(&t),
                        t.windows(2).any(|w| w == b"  "),
                        "{:?}",
                        String::from_utf8_lossy(&t)
                    );
                }
            }
        }
        assert!(!has_double_space(" a b c d e f g h i j ".as_bytes()));
        assert!(has_double_space("abcdefg  hijk".as_bytes()));
    }

    #[test]
    fn runs_merge_and_spaces_collapse() {
        let i = build(|i| {
            i.text("  Run ", 1);
            i.code("make  it", 2);
            i.text("  now ", 3);
            i.push_style(Style::Strong);
            i.text("fast", 4);
            i.pop_style();
            i.text("  ", 5);
        });
        assert_eq!(i.plain(), "Run make  it now fast");
        let spans: Vec<(String, SpanStyle)> = i
            .spans()
            .into_iter()
            .map(|s| (s.text.to_string(), s.style))
            .collect();
        assert_eq!(
            spans,
            [
                ("Run ".to_owned(), SpanStyle::Plain),
                ("make  it".to_owned(), SpanStyle::Code),
                (" now ".to_owned(), SpanStyle::Plain),
                ("fast".to_owned(), SpanStyle::Strong),
            ]
        );
        assert_eq!(i.styles().len(), 2, "plain runs are not stored");
    }

    #[test]
    fn hard_breaks_are_kept_and_lines_split() {
        let i = build(|i| {
            i.text("one", 1);
            i.hard_break(2);
            i.text("two", 3);
            i.soft_break(4);
            i.text("three", 5);
        });
        assert_eq!(i.plain(), "one two three");
        let lines: Vec<&str> = i.lines().into_iter().map(|r| &i.plain()[r]).collect();
        assert_eq!(lines, ["one", "two", "three"]);
        assert!(i.styles().iter().any(|r| r.style == SpanStyle::Break));
    }

    #[test]
    fn control_characters_are_cleaned() {
        let i = build(|i| i.text("a\u{1b}[31mb\tc", 1));
        assert_eq!(i.plain(), "a␛[31mb c");
    }
}
