//! Events as the parse hands them to the walk: 20 bytes each instead of pulldown-cmark's 96.
//!
//! Every byte the parse thread writes into a batch is read by the walk on the other core, and a
//! line of cache moved between cores costs far more than the few instructions that pack and
//! unpack an event (with the full events, storing them into the batches was a quarter of the
//! parse thread's time). Most events are ends of tags, text and code that are pieces of the
//! source, breaks, task markers and starts of tags without data: those become a [`Slot`] with
//! offsets into the source. Any other (a link, a heading, a numbered list, a table, text
//! pulldown-cmark rewrote, as an entity) goes whole into the batch's side list, in order.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};
use std::ops::Range;

/// A batch of events, in order.
#[derive(Default)]
pub struct Batch<'a> {
    slots: Vec<(Slot, [u32; 2])>,
    /// The events that are [`Slot::Full`], in order.
    full: Vec<(Event<'a>, Range<usize>)>,
}

/// A piece of the source: offset and length.
type Piece = [u32; 2];

/// An event without the source it points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    End(TagEnd),
    Text(Piece),
    Code(Piece),
    Html(Piece),
    InlineHtml(Piece),
    SoftBreak,
    HardBreak,
    Rule,
    TaskListMarker(bool),
    Start(Simple),
    /// The next of the batch's full events.
    Full,
}

/// Tags without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simple {
    Paragraph,
    Item,
    Emphasis,
    Strong,
    Strikethrough,
    TableHead,
    TableRow,
    TableCell,
    HtmlBlock,
    BlockQuote,
    Bullets,
}

impl Simple {
    fn of(tag: &Tag<'_>) -> Option<Simple> {
        Some(match tag {
            Tag::Paragraph => Simple::Paragraph,
            Tag::Item => Simple::Item,
            Tag::Emphasis => Simple::Emphasis,
            Tag::Strong => Simple::Strong,
            Tag::Strikethrough => Simple::Strikethrough,
            Tag::TableHead => Simple::TableHead,
            Tag::TableRow => Simple::TableRow,
            Tag::TableCell => Simple::TableCell,
            Tag::HtmlBlock => Simple::HtmlBlock,
            Tag::BlockQuote(None) => Simple::BlockQuote,
            Tag::List(None) => Simple::Bullets,
            _ => return None,
        })
    }

    fn tag<'a>(self) -> Tag<'a> {
        match self {
            Simple::Paragraph => Tag::Paragraph,
            Simple::Item => Tag::Item,
            Simple::Emphasis => Tag::Emphasis,
            Simple::Strong => Tag::Strong,
            Simple::Strikethrough => Tag::Strikethrough,
            Simple::TableHead => Tag::TableHead,
            Simple::TableRow => Tag::TableRow,
            Simple::TableCell => Tag::TableCell,
            Simple::HtmlBlock => Tag::HtmlBlock,
            Simple::BlockQuote => Tag::BlockQuote(None::<BlockQuoteKind>),
            Simple::Bullets => Tag::List(None),
        }
    }
}

/// Where `s` lies in `src`, when it is a piece of it.
#[inline]
fn piece_of(src: &str, s: &str) -> Option<Piece> {
    // Addresses compared, not dereferenced: a piece of `src` starts within it.
    let offset = (s.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    let end = offset.checked_add(s.len())?;
    (end <= src.len() && src.is_char_boundary(offset) && src.is_char_boundary(end))
        .then(|| Some([u32::try_from(offset).ok()?, u32::try_from(s.len()).ok()?]))
        .flatten()
}

/// The text of a piece made by [`piece_of`] from the same source.
#[inline]
fn text_of(src: &str, [offset, len]: Piece) -> &str {
    let (offset, len) = (offset as usize, len as usize);
    // `piece_of` checked the bounds and the character boundaries.
    src.get(offset..offset + len).unwrap_or_default()
}

impl<'a> Batch<'a> {
    pub fn with_capacity(events: usize) -> Self {
        Batch {
            slots: Vec::with_capacity(events),
            full: Vec::new(),
        }
    }

    /// Events in the batch.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds an event of `src` (whose ranges fit in 32 bits: the caller checks the length).
    #[inline]
    pub fn push(&mut self, src: &'a str, event: Event<'a>, range: Range<usize>) {
        let at = [range.start as u32, range.end as u32];
        let borrowed = |s: &CowStr<'a>| match s {
            CowStr::Borrowed(s) => piece_of(src, s),
            _ => None,
        };
        let slot = match &event {
            Event::End(tag) => Some(Slot::End(*tag)),
            Event::Text(s) => borrowed(s).map(Slot::Text),
            Event::Code(s) => borrowed(s).map(Slot::Code),
            Event::Html(s) => borrowed(s).map(Slot::Html),
            Event::InlineHtml(s) => borrowed(s).map(Slot::InlineHtml),
            Event::SoftBreak => Some(Slot::SoftBreak),
            Event::HardBreak => Some(Slot::HardBreak),
            Event::Rule => Some(Slot::Rule),
            Event::TaskListMarker(checked) => Some(Slot::TaskListMarker(*checked)),
            Event::Start(tag) => Simple::of(tag).map(Slot::Start),
            _ => None,
        };
        match slot {
            Some(slot) => self.slots.push((slot, at)),
            None => {
                self.slots.push((Slot::Full, at));
                self.full.push((event, range));
            }
        }
    }

    /// Hands every event to `f` in order, leaving the batch empty (its room kept).
    #[inline]
    pub fn drain(&mut self, src: &'a str, mut f: impl FnMut(Event<'a>, Range<usize>)) {
        let mut full = self.full.drain(..);
        for &(slot, [start, end]) in &self.slots {
            let range = start as usize..end as usize;
            let event = match slot {
                Slot::End(tag) => Event::End(tag),
                Slot::Text(p) => Event::Text(CowStr::Borrowed(text_of(src, p))),
                Slot::Code(p) => Event::Code(CowStr::Borrowed(text_of(src, p))),
                Slot::Html(p) => Event::Html(CowStr::Borrowed(text_of(src, p))),
                Slot::InlineHtml(p) => Event::InlineHtml(CowStr::Borrowed(text_of(src, p))),
                Slot::SoftBreak => Event::SoftBreak,
                Slot::HardBreak => Event::HardBreak,
                Slot::Rule => Event::Rule,
                Slot::TaskListMarker(checked) => Event::TaskListMarker(checked),
                Slot::Start(simple) => Event::Start(simple.tag()),
                Slot::Full => match full.next() {
                    Some((event, range)) => {
                        f(event, range);
                        continue;
                    }
                    // Every `Full` slot was pushed with its event.
                    None => continue,
                },
            };
            f(event, range);
        }
        drop(full);
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    #[test]
    fn every_event_comes_back_as_it_went_in() {
        let src = "# Head *em* {#id}\n\n- [ ] a `code` **b** ~~c~~ <span>x</span> &amp; \\*\n  \
                   next\\\nline\n\n1. one\n\n> q\n\n> [!NOTE]\n> n\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n\
                   ```bash\necho\n```\n\n<div>\nhtml\n</div>\n\n---\n\n[l](https://x \"t\") ![i](p)\n";
        let events: Vec<_> = Parser::new_ext(src, crate::template::parser::options())
            .into_offset_iter()
            .collect();
        let mut batch = Batch::with_capacity(4);
        for (e, r) in events.clone() {
            batch.push(src, e, r);
        }
        assert!(
            batch.full.len() < events.len() / 3,
            "most events are packed"
        );
        let mut back = Vec::new();
        batch.drain(src, |e, r| back.push((e, r)));
        assert_eq!(back, events);
        assert!(batch.is_empty());
    }

    #[test]
    fn a_packed_event_is_20_bytes() {
        assert_eq!(std::mem::size_of::<(Slot, [u32; 2])>(), 20);
        assert!(std::mem::size_of::<(Event<'static>, Range<usize>)>() >= 96);
    }

    #[test]
    fn text_that_is_not_a_piece_of_the_source_goes_whole() {
        let other = String::from("elsewhere");
        let src = "source";
        let mut batch = Batch::with_capacity(2);
        batch.push(src, Event::Text(CowStr::Borrowed(&other)), 0..6);
        batch.push(src, Event::Text(CowStr::Boxed("boxed".into())), 0..6);
        assert_eq!(batch.full.len(), 2);
        let mut back = Vec::new();
        batch.drain(src, |e, _| back.push(e));
        assert_eq!(
            back,
            vec![
                Event::Text(CowStr::Borrowed("elsewhere")),
                Event::Text("boxed".into())
            ]
        );
    }
}
