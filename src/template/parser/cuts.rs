//! Where a text may be cut into pieces that pulldown-cmark parses one after another with exactly
//! the events of one parse of the whole ([`super::events`]).
//!
//! A cut is made only before an ATX heading at the start of a line that follows a blank line
//! (`\n\n# …`), and a piece is parsed with that heading's line (its events dropped: they are
//! the next piece's), so that every block of the piece closes as it does in the whole text (at
//! the very end of a text a block's range may take in the blank lines after it; before a heading,
//! a list's does and an empty list item's does not). Such a line closes every open block — paragraph, list, block quote, table,
//! indented code, HTML blocks of kinds 6 and 7 — except a top-level fenced code block, an HTML
//! block of kinds 1 to 5 and a metadata block, which only the parse can tell: a piece that ends
//! inside one has it reach the piece's very end (a closed one ends before the blank line), so the
//! parse of a piece stops at such a block and goes on from its start to a later cut instead
//! ([`super::events`]). What only a look at the whole text decides rules cuts out here:
//!
//! - link reference definitions (`[id]: url`) are the document's, used by links anywhere: no
//!   cut in a text with a `]:`;
//! - a metadata block (front matter) is looked for to the end of the text from any `---`/`+++`
//!   line once the options allow front matter: the cuts start after the front matter's closing
//!   line and stop before the next line that could open one (a line ending in exactly three `-`
//!   or `+` that is followed by a non-blank line).

use memchr::memmem;
use pulldown_cmark::Options;

/// The cuts a text allows.
#[derive(Debug, Clone)]
pub struct Cuts<'a> {
    src: &'a [u8],
    /// No cut before this offset (the end of the front matter).
    from: usize,
    /// No cut at or after this offset.
    until: usize,
}

impl<'a> Cuts<'a> {
    /// The cuts of `src` parsed with `options`.
    pub fn new(src: &'a str, options: Options) -> Self {
        let bytes = src.as_bytes();
        let none = Cuts {
            src: bytes,
            from: 0,
            until: 0,
        };
        if memmem::find(bytes, b"]:").is_some() {
            return none;
        }
        let mut cuts = Cuts {
            src: bytes,
            from: 0,
            until: bytes.len(),
        };
        let metadata = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
        if options.intersects(metadata) {
            if could_open_metadata(bytes, 0) {
                // (A line like `> ---` opening the text: no cut, rather than a rule for it.)
                let fenced = bytes.starts_with(b"---") || bytes.starts_with(b"+++");
                match front_matter_end(bytes).filter(|_| fenced) {
                    Some(end) => cuts.from = end,
                    None => return none,
                }
            }
            if let Some(at) = first_metadata_opener(bytes, cuts.from) {
                cuts.until = at;
            }
        }
        cuts
    }

    /// The first cut at or after `at`, if any.
    pub fn next(&self, at: usize) -> Option<usize> {
        let mut at = at.max(self.from).max(2);
        while at < self.until {
            let found = at - 2 + memmem::find(&self.src[at - 2..self.until], b"\n\n#")?;
            let cut = found + 2;
            if is_atx_heading(&self.src[cut..]) {
                return Some(cut);
            }
            at = cut + 1;
        }
        None
    }
}

/// Whether `line` (the rest of the text from a line start) opens an ATX heading: one to six `#`
/// and then a space, a tab or the line's end.
fn is_atx_heading(line: &[u8]) -> bool {
    let hashes = line.iter().take(7).take_while(|&&b| b == b'#').count();
    (1..=6).contains(&hashes) && matches!(line.get(hashes), None | Some(b' ' | b'\t' | b'\n'))
}

/// The line of `src` starting at `start`, without its newline, and where the next line starts.
fn line_at(src: &[u8], start: usize) -> (&[u8], usize) {
    match memchr::memchr(b'\n', &src[start..]) {
        Some(n) => (&src[start..start + n], start + n + 1),
        None => (&src[start..], src.len()),
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

/// Whether the line at `start` ends in exactly three `-` or `+` (trailing blanks aside) and the
/// next line is not blank: pulldown-cmark may read a metadata block from there (at its start, or
/// after a container's marker), closed by a line anywhere after it.
fn could_open_metadata(src: &[u8], start: usize) -> bool {
    let (line, next) = line_at(src, start);
    let line = line.trim_ascii_end();
    let Some(&c) = line.last() else { return false };
    if !matches!(c, b'-' | b'+') {
        return false;
    }
    let run = line.iter().rev().take_while(|&&b| b == c).count();
    if run != 3 {
        return false;
    }
    next < src.len() && !is_blank(line_at(src, next).0)
}

/// Where the front matter that opens `src` ends (after its closing line), if it is closed:
/// pulldown-cmark's rule, the first later line of exactly `---` or `...` (`+++` for TOML) and
/// spaces.
fn front_matter_end(src: &[u8]) -> Option<usize> {
    let fence = src[0];
    let (_, mut at) = line_at(src, 0);
    let mut first = true;
    while at < src.len() {
        let (line, next) = line_at(src, at);
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        let closes = |c: u8| {
            body.len() >= 3
                && body[..3].iter().all(|&b| b == c)
                && body[3..].iter().all(|&b| b == b' ')
        };
        let closed = closes(fence) || (fence == b'-' && closes(b'.'));
        if first && (closed || is_blank(line)) {
            // Not front matter to pulldown-cmark: its first line may be neither.
            return None;
        }
        if closed {
            return Some(next);
        }
        first = false;
        at = next;
    }
    None
}

/// The first line at or after `from` that could open a metadata block.
fn first_metadata_opener(src: &[u8], from: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for pattern in [&b"---"[..], &b"+++"[..]] {
        let finder = memmem::Finder::new(pattern);
        let mut at = from;
        while let Some(n) = finder.find(&src[at..]) {
            let hit = at + n;
            if best.is_some_and(|b| hit >= b) {
                break;
            }
            let start = memchr::memrchr(b'\n', &src[..hit]).map_or(0, |i| i + 1);
            if start >= from && could_open_metadata(src, start) {
                best = Some(start);
                break;
            }
            at = hit + 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parser::options;

    fn cuts(src: &str) -> Vec<usize> {
        let c = Cuts::new(src, options());
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(cut) = c.next(at) {
            out.push(cut);
            at = cut + 1;
        }
        out
    }

    #[test]
    fn cuts_are_before_headings_after_a_blank_line() {
        let src = "# A\n\ntext\n\n## B\n- x\n### C\n\n#not\n\n####### seven\n\n#\n";
        let at = |s: &str| src.find(s).expect("in text");
        assert_eq!(cuts(src), vec![at("## B"), at("#\n")]);
    }

    #[test]
    fn a_reference_definition_anywhere_means_no_cut() {
        assert!(cuts("# A\n\n[x][id]\n\n# B\n\n[id]: /url\n").is_empty());
    }

    #[test]
    fn cuts_start_after_the_front_matter_and_stop_before_a_possible_metadata_block() {
        let src = "---\ntitle: t\n\n# not a cut: inside\n---\n\n# A\n\n# B\n\n---\nkey: v\n\n# C\n";
        let at = |s: &str| src.find(s).expect("in text");
        assert_eq!(cuts(src), vec![at("# A"), at("# B")]);
        // A thematic break followed by a blank line opens nothing.
        let src = "---\nt: 1\n...\n\n# A\n\n---\n\n# B\n";
        assert_eq!(cuts(src).len(), 2);
        // Front matter never closed: no cut.
        assert!(cuts("---\ntitle: t\n\n# A\n\n# B\n").is_empty());
        // Without front matter options, `---` lines do not matter.
        let src = "# A\n\n---\nkey\n\n# B\n";
        let none = options()
            - Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            - Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
        assert_eq!(Cuts::new(src, none).next(0), src.find("# B"));
    }
}
