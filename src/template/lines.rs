//! Byte offset to 1-based line number.

use std::cell::Cell;

/// Start offsets of every line of a text, with a hint that makes the walker's mostly-forward
/// lookups a step or two instead of a binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    hint: Cell<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self::from_starts(starts)
    }

    /// From the line starts the pre-scan found (`starts[0]` is 0, ascending).
    pub fn from_starts(starts: Vec<usize>) -> Self {
        Self {
            starts,
            hint: Cell::new(0),
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no lines (never: an empty text has one).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Byte offset where 1-based `line` ends (its newline, or `len` for the last line).
    pub fn line_end(&self, line: usize, len: usize) -> usize {
        self.starts.get(line).map_or(len, |&next| next - 1).min(len)
    }

    /// 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        let starts = &self.starts;
        let h = self.hint.get();
        if let Some(&s) = starts.get(h)
            && s <= offset
        {
            // Forward from the last answer, a few lines at most.
            let mut i = h;
            for _ in 0..8 {
                match starts.get(i + 1) {
                    Some(&next) if next <= offset => i += 1,
                    _ => {
                        self.hint.set(i);
                        return i + 1;
                    }
                }
            }
        }
        let line = starts.partition_point(|&s| s <= offset).max(1);
        self.hint.set(line - 1);
        line
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
        assert_eq!(idx.line(100), 4);
        // Backwards after forwards, and far jumps, give the same answers.
        assert_eq!(idx.line(1), 1);
        assert_eq!(idx.line(6), 4);
        assert_eq!(idx.line(3), 2);
    }
}
