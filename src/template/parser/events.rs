//! pulldown-cmark's events for the walk, mostly parsed on a second thread when the text is large
//! enough to be worth it.
//!
//! The walk and pulldown-cmark's parse take about as long as each other, and the walk only ever
//! reads the events in order. So for a large file the text is cut into pieces ([`super::cuts`]:
//! before headings that close every open block): the calling thread parses and walks the first
//! piece (a fifth of the text and 8 KiB) while a scoped thread parses the rest, piece after piece, and
//! hands its events over in batches of packed events ([`compact`]) through a bounded queue
//! ([`pipe`]; the emptied batches come back to be refilled); then the calling thread walks those.
//! The load takes about as long as the slower of the two sides, not their sum. pulldown-cmark's
//! first pass reads all of its input before the first event, which is why the pieces: with the
//! whole text on the other thread, the walk would first wait for that pass.
//!
//! The events, their ranges and their order are exactly those of one serial parse of the whole
//! text (tests hold every file of the corpus, cut everywhere it can be, to that). A small file, a
//! machine with one core, or a thread that cannot be started parses serially on the calling
//! thread.

mod compact;
mod pipe;

use super::cuts::Cuts;
use compact::Batch;
use pipe::{Closed, Done, Pipe};
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::ops::Range;
use std::sync::OnceLock;

/// How the events are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On a second thread when the text is at least [`PARALLEL_FROM`] bytes and the machine has
    /// more than one core; serially otherwise.
    Auto,
    /// On the calling thread.
    Serial,
    /// On a second thread whatever the size (tests hold it to [`Mode::Serial`]); serially only
    /// when the thread cannot be started.
    Parallel,
}

/// Texts shorter than this are parsed serially: repeated loads gain from about 16 KiB, but below
/// this the gain is a few tens of microseconds and a fresh process pays more than that to start
/// the thread (docs/benchmarks.md, round nine).
pub const PARALLEL_FROM: usize = 32 * 1024;

/// Events per batch: large enough that a hand-over is rare, small enough that a batch (20 bytes
/// an event, [`compact`]) stays in the cache it was written to.
const BATCH: usize = 1024;

/// Whether this machine can run the parse beside the walk (asked once per process).
fn has_second_core() -> bool {
    static CORES: OnceLock<bool> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

/// Calls `f` with every event of `src` and its source range, in document order.
pub fn for_each<'a>(
    src: &'a str,
    options: Options,
    mode: Mode,
    f: impl FnMut(Event<'a>, Range<usize>),
) {
    for_each_in(src, options, mode, Pieces::for_len(src.len()), f);
}

/// [`for_each`], a parallel parse cutting the text into `pieces`.
pub fn for_each_in<'a>(
    src: &'a str,
    options: Options,
    mode: Mode,
    pieces: Pieces,
    mut f: impl FnMut(Event<'a>, Range<usize>),
) {
    if !in_parallel(src, options, mode, pieces, &mut f) {
        for (event, range) in Parser::new_ext(src, options).into_offset_iter() {
            f(event, range);
        }
    }
}

/// [`for_each_in`] when `mode` and the machine call for a parallel parse and the thread starts;
/// false (and nothing handed to `f`) otherwise, for the caller's own serial loop (the walk keeps
/// its loop over pulldown-cmark's iterator, which the compiler fuses with it; kept out of line so
/// that this one does not change how the walk's loop is compiled).
#[inline(never)]
pub fn in_parallel<'a>(
    src: &'a str,
    options: Options,
    mode: Mode,
    pieces: Pieces,
    f: &mut impl FnMut(Event<'a>, Range<usize>),
) -> bool {
    let parallel = match mode {
        Mode::Serial => false,
        Mode::Parallel => true,
        Mode::Auto => src.len() >= PARALLEL_FROM && has_second_core(),
    };
    parallel && u32::try_from(src.len()).is_ok() && parallel_for_each(src, options, pieces, f)
}

/// How a parallel parse cuts the text ([`super::cuts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pieces {
    /// Bytes the calling thread parses itself before it walks what the second thread parsed, at
    /// least: while it parses and walks them, the second thread starts and gets ahead.
    pub first: usize,
    /// Bytes between the second thread's cuts, at least.
    pub rest: usize,
}

impl Pieces {
    /// For a text of `len` bytes: a fifth and 8 KiB here (while this thread parses and walks
    /// them, the other starts and gets ahead; the 8 KiB pays for its start, which weighs more on
    /// a small text), the rest in 32 KiB pieces.
    pub fn for_len(len: usize) -> Self {
        Pieces {
            first: len / 5 + 8 * 1024,
            rest: 32 * 1024,
        }
    }
}

/// The parse of the first piece here and of the rest on a scoped thread, walked in order (the
/// whole text there when it allows no cut). False (and nothing walked) when the thread could not
/// be started.
fn parallel_for_each<'a>(
    src: &'a str,
    options: Options,
    pieces: Pieces,
    f: &mut impl FnMut(Event<'a>, Range<usize>),
) -> bool {
    let cuts = Cuts::new(src, options);
    let first = cuts.next(pieces.first).unwrap_or(0);
    let pipe = Pipe::default();
    std::thread::scope(|scope| {
        let parse = || {
            // Whatever way the parse ends (a panic included), the walk is told.
            let _done = Done(&pipe);
            parse_rest(src, options, &cuts, first, pieces.rest, &pipe);
        };
        // As much stack as a main thread gets (reserved, not touched): pulldown-cmark runs here
        // as it would on the caller's thread.
        if std::thread::Builder::new()
            .name("runsheet-parse".to_owned())
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(scope, parse)
            .is_err()
        {
            return false;
        }
        // Whatever way the walk ends (a panic included), the parse is told.
        let closed = Closed(&pipe);
        let mut emit = |event, range| {
            f(event, range);
            true
        };
        if let Piece::CutShort(from) = parse_piece(src, 0..first, options, &mut emit) {
            // The first cut was inside a block: what the other thread parses is not the text's
            // events. It is stopped, and the rest parsed here from that block on.
            drop(closed);
            parse_piece(src, from..src.len(), options, &mut emit);
            return true;
        }
        let mut spent = None;
        while let Some(mut batch) = pipe.receive(spent.take()) {
            batch.drain(src, &mut *f);
            spent = Some(batch);
        }
        true
    })
}

/// How the parse of a piece ended.
enum Piece {
    /// Every event handed over.
    Whole,
    /// The events before a top-level block the piece's end cut short (fenced code, HTML, front
    /// matter) handed over: the parse must go on from this offset, the start of that block's line.
    CutShort(usize),
    /// The receiver wanted no more.
    Stopped,
}

/// Hands `emit` the events of `src[piece]` with ranges into `src`, in order, unless the piece's
/// end cuts a block short ([`Piece::CutShort`]; a piece that ends the text cuts nothing). A piece
/// that ends at a cut is parsed with the heading line after it, so that its blocks close as in
/// the whole text; the heading's events are the next piece's.
fn parse_piece<'a>(
    src: &'a str,
    piece: Range<usize>,
    options: Options,
    mut emit: impl FnMut(Event<'a>, Range<usize>) -> bool,
) -> Piece {
    let (start, end) = (piece.start, piece.end);
    if start == end {
        return Piece::Whole;
    }
    let last = end == src.len();
    let with_next_line = match memchr::memchr(b'\n', &src.as_bytes()[end..]) {
        Some(n) if !last => end + n + 1,
        _ => src.len(),
    };
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(&src[start..with_next_line], options).into_offset_iter() {
        let range = range.start + start..range.end + start;
        if depth == 0 && !last && range.start >= end {
            // The heading after the cut.
            break;
        }
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_))
                if depth == 0 && !last && range.end >= end =>
            {
                let line =
                    memchr::memrchr(b'\n', &src.as_bytes()[..range.start]).map_or(0, |i| i + 1);
                return Piece::CutShort(line);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !emit(event, range) {
            return Piece::Stopped;
        }
    }
    Piece::Whole
}

/// The second thread's part: the events of `src` from `start` (a cut) on, parsed piece by piece,
/// filled into batches for the walk.
fn parse_rest<'a>(
    src: &'a str,
    options: Options,
    cuts: &Cuts<'_>,
    mut start: usize,
    rest: usize,
    pipe: &Pipe<'a>,
) {
    let mut out = Sender {
        src,
        pipe,
        batch: Batch::with_capacity(BATCH),
    };
    let mut want = rest;
    let mut past = start;
    while start < src.len() {
        let end = cuts
            .next(past.max(start.saturating_add(want)))
            .unwrap_or(src.len());
        match parse_piece(src, start..end, options, |event, range| {
            out.push(event, range)
        }) {
            Piece::Stopped => return,
            Piece::Whole => {
                want = rest;
                past = end;
                start = end;
            }
            // Parse again from that block's line, to a later cut: twice as far each time, so a
            // long block holding many would-be cuts is parsed a few times at most.
            Piece::CutShort(from) => {
                want = (end - from).saturating_mul(2).max(rest);
                past = end + 1;
                start = from;
            }
        }
    }
    out.finish();
}

/// The batch being filled by the parse.
struct Sender<'p, 'a> {
    src: &'a str,
    pipe: &'p Pipe<'a>,
    batch: Batch<'a>,
}

impl<'a> Sender<'_, 'a> {
    /// Adds an event; false when the walk has ended (nothing more is wanted).
    #[inline]
    fn push(&mut self, event: Event<'a>, range: Range<usize>) -> bool {
        self.batch.push(self.src, event, range);
        if self.batch.len() < BATCH {
            return true;
        }
        match self.pipe.send(std::mem::take(&mut self.batch), BATCH) {
            Some(next) => {
                self.batch = next;
                true
            }
            None => false,
        }
    }

    /// Hands over the last, partly filled batch.
    fn finish(self) {
        if !self.batch.is_empty() {
            self.pipe.send(self.batch, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(src: &str, mode: Mode, pieces: Pieces) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        for_each_in(src, super::super::options_for(src), mode, pieces, |e, r| {
            out.push((format!("{e:?}"), r))
        });
        out
    }

    /// Cut at every cut the text allows.
    const TINY: Pieces = Pieces { first: 1, rest: 1 };

    fn assert_same(src: &str) {
        let serial = events(src, Mode::Serial, Pieces::for_len(src.len()));
        for pieces in [
            TINY,
            Pieces { first: 1, rest: 40 },
            Pieces { first: 60, rest: 1 },
            Pieces::for_len(src.len()),
        ] {
            assert_eq!(
                events(src, Mode::Parallel, pieces),
                serial,
                "{pieces:?} over {src:?}"
            );
        }
    }

    #[test]
    fn a_parallel_parse_hands_over_the_serial_events_in_order() {
        // Several batches and a partial last one, with nesting, tables and code that span them.
        let mut src = String::from("---\ntitle: t\n---\n# Title\n\n");
        for i in 0..900 {
            src.push_str(&format!(
                "## Part {i}\n\n- [ ] step {i} with `code` and **bold**\n  - [x] nested {i}\n\n\
                 | a | b |\n|---|---|\n| {i} | ✅ |\n\n```bash\necho {i}\n```\n\n"
            ));
        }
        let serial = events(&src, Mode::Serial, Pieces::for_len(src.len()));
        assert!(serial.len() > 3 * BATCH, "{} events", serial.len());
        let cuts = Cuts::new(&src, super::super::options_for(&src));
        assert!(cuts.next(1).is_some(), "the text is cut");
        assert_same(&src);
        assert_eq!(events(&src, Mode::Auto, Pieces::for_len(src.len())), serial);
    }

    #[test]
    fn a_text_of_fewer_events_than_a_batch_and_an_empty_text_are_handed_over_whole() {
        for src in [
            "",
            "- [ ] one\n",
            "text\n\n- [x] two\n  more\n",
            "# a\n\n# b",
        ] {
            assert_same(src);
        }
    }

    #[test]
    fn blocks_a_heading_line_does_not_close_are_parsed_whole() {
        for src in [
            // A fence holding would-be cuts, indented or not, closed or never.
            "# A\n\n```bash\necho\n\n# comment\n\n# another\n```\n\n# B\n\ntext\n",
            "# A\n\n  ~~~~\n  code\n\n# inside\n\n  ~~~\n\n# still inside\n\n~~~~\n\n# B\n",
            "# A\n\n```\nnever closed\n\n# x\n\n# y\n",
            // A first cut that holds, then a fence holding cuts for the other thread.
            "# A\n\ntext\n\n# B\n\n```\nx\n\n# in\n\n# in2\n```\n\n# C\n\nend\n",
            // HTML blocks of kinds 1 to 5 and 6.
            "# A\n\n<!-- a comment\n\n# hidden\n\n-->\n\n# B\n",
            "# A\n\n<pre>\n\n# kept\n\n</pre>\n\n# B\n<div>\n\n# C\n",
            "# A\n\n<script>\nlet a;\n\n# x\n\n</script>\n\n# B\n",
            // Front matter holding heading-like lines, a later `---` block, a thematic break.
            "---\ntitle: t\n\n# not a heading\n---\n\n# A\n\n---\n\n# B\n\n---\nk: v\n\n# C\n\n---\n",
            "+++\ntitle = 't'\n\n# x\n+++\n\n# A\n\n# B\n",
            // Blocks whose range at the end of a text is not the one before a heading: a loose
            // list, an empty list item (after one blank line, after several, some of spaces).
            "# A\n\n- a\n\n  - b\n\n# B\n\n- \n\n# C\n\n- [ ] x\n- \n\n  \n\t\n\n# D\n\n1.\n\n# E\n",
            // Lists, quotes and tables closed by a heading; loose and tight lists.
            "# A\n\n- a\n\n  - b\n\n# B\n\n> q\n>\n> - [ ] r\n\n# C\n\n| a |\n|---|\n| 1 |\n\n# D\n",
            "# A\n\n1. one\n\n   ```\n   code\n\n# x\n   ```\n\n# B\n\n    indented\n\n# C\n",
            // Reference definitions: no cut at all.
            "# A\n\n[link][r]\n\n# B\n\n[r]: /u\n",
            // Setext headings and emphasis across what would be pieces.
            "# A\n\nT\n===\n\n# B\n\n*a\n\n# C\n\nb*\n",
        ] {
            assert_same(src);
        }
    }

    #[test]
    fn a_piece_that_ends_inside_a_fence_or_html_stops_before_it() {
        let opts = super::super::options();
        for (src, block) in [
            ("# A\n\n  ```\n  x\n\n# in\n\n  ```\n", "  ```"),
            ("text\n\n<!--\n\n# in\n\n-->\n", "<!--"),
            // (Front matter the piece cuts short is not front matter to it: [`Cuts`] keeps
            // every cut after it.)
            ("# A\n\n<pre>\n\n# in\n</pre>\n", "<pre>"),
        ] {
            let cut = src.find("# in").expect("cut");
            let mut seen = Vec::new();
            let piece = parse_piece(src, 0..cut, opts, |e, _| {
                seen.push(e);
                true
            });
            assert!(
                matches!(piece, Piece::CutShort(at) if at == src.find(block).expect("block")),
                "{src:?}"
            );
            assert!(!seen.iter().any(|e| matches!(
                e,
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_))
            )));
        }
        // A fence closed before the cut, or one that ends the text, is whole.
        let src = "```\nx\n```\n\n# B\n";
        let cut = src.find("# B").expect("cut");
        assert!(matches!(
            parse_piece(src, 0..cut, opts, |_, _| true),
            Piece::Whole
        ));
        assert!(matches!(
            parse_piece(src, 0..3, opts, |_, _| true),
            Piece::CutShort(0)
        ));
        assert!(matches!(
            parse_piece(src, 0..src.len(), opts, |_, _| true),
            Piece::Whole
        ));
    }

    #[test]
    fn a_walk_that_panics_stops_the_parse_and_passes_the_panic_on() {
        let src = "- [ ] item\n".repeat(5 * BATCH);
        let result = std::panic::catch_unwind(|| {
            let mut seen = 0usize;
            for_each(
                &src,
                crate::template::parser::options(),
                Mode::Parallel,
                |_, _| {
                    seen += 1;
                    assert!(seen < BATCH + 10, "stop here");
                },
            );
        });
        assert!(result.is_err(), "the walk's panic reaches the caller");
    }
}
