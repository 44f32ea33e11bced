//! The output pane's model: the lines of a command's (clean) output with memory bounded whatever
//! the command prints. The first lines and the last lines are kept; what falls between is counted
//! and shown as one "… N lines omitted …" line. Reading any window of it is O(window height).

use std::collections::VecDeque;

/// How much an [`OutputBuffer`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Lines kept from the start.
    pub head_lines: usize,
    /// Lines kept from the end.
    pub tail_lines: usize,
    /// Bytes kept from the end (the tail also stops at this).
    pub tail_bytes: usize,
    /// Longer lines are split into pieces of at most this many bytes.
    pub line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            head_lines: 200,
            tail_lines: 20_000,
            tail_bytes: 4 << 20,
            line_bytes: 4096,
        }
    }
}

/// One line of the pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRef<'a> {
    /// Output text (no newline).
    Text(&'a str),
    /// The lines dropped between the head and the tail.
    Omitted {
        /// How many lines.
        lines: u64,
        /// How many bytes.
        bytes: u64,
    },
}

/// A bounded, scrollable record of output lines.
#[derive(Debug, Clone)]
pub struct OutputBuffer {
    limits: Limits,
    head: Vec<String>,
    tail: VecDeque<String>,
    tail_bytes: usize,
    partial: String,
    omitted_lines: u64,
    omitted_bytes: u64,
    total_bytes: u64,
    total_lines: u64,
}

impl Default for OutputBuffer {
    fn default() -> OutputBuffer {
        OutputBuffer::new(Limits::default())
    }
}

impl OutputBuffer {
    /// An empty buffer keeping at most `limits`.
    pub fn new(limits: Limits) -> OutputBuffer {
        let limits = Limits {
            head_lines: limits.head_lines,
            tail_lines: limits.tail_lines.max(1),
            tail_bytes: limits.tail_bytes.max(1),
            line_bytes: limits.line_bytes.max(4),
        };
        OutputBuffer {
            limits,
            head: Vec::new(),
            tail: VecDeque::new(),
            tail_bytes: 0,
            partial: String::new(),
            omitted_lines: 0,
            omitted_bytes: 0,
            total_bytes: 0,
            total_lines: 0,
        }
    }

    /// Appends clean output text (lines end with `\n`; a last line without one stays open).
    pub fn push_str(&mut self, text: &str) {
        self.total_bytes += text.len() as u64;
        let mut rest = text;
        while let Some(nl) = rest.find('\n') {
            self.extend_partial(&rest[..nl]);
            let line = std::mem::take(&mut self.partial);
            self.commit(line);
            rest = &rest[nl + 1..];
        }
        self.extend_partial(rest);
    }

    /// Adds to the open line, splitting it when it reaches the line limit.
    fn extend_partial(&mut self, mut s: &str) {
        loop {
            let room = self.limits.line_bytes.saturating_sub(self.partial.len());
            if s.len() <= room {
                self.partial.push_str(s);
                return;
            }
            let mut cut = room;
            while cut > 0 && !s.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut == 0 && self.partial.is_empty() {
                // One character wider than a line: take it whole.
                cut = s.chars().next().map_or(s.len(), char::len_utf8);
            }
            self.partial.push_str(&s[..cut]);
            s = &s[cut..];
            let line = std::mem::take(&mut self.partial);
            self.commit(line);
        }
    }

    fn commit(&mut self, mut line: String) {
        self.total_lines += 1;
        line.shrink_to_fit();
        if self.head.len() < self.limits.head_lines
            && self.omitted_lines == 0
            && self.tail.is_empty()
        {
            self.head.push(line);
            return;
        }
        self.tail_bytes += line.len();
        self.tail.push_back(line);
        while self.tail.len() > self.limits.tail_lines
            || (self.tail_bytes > self.limits.tail_bytes && self.tail.len() > 1)
        {
            if let Some(old) = self.tail.pop_front() {
                self.tail_bytes -= old.len();
                self.omitted_lines += 1;
                self.omitted_bytes += old.len() as u64 + 1;
            }
        }
    }

    fn has_gap(&self) -> bool {
        self.omitted_lines > 0
    }

    /// Number of lines the pane can show (the omitted-lines marker counts as one).
    pub fn len(&self) -> usize {
        self.head.len()
            + usize::from(self.has_gap())
            + self.tail.len()
            + usize::from(!self.partial.is_empty())
    }

    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The line at `index` (0 = first shown).
    pub fn get(&self, index: usize) -> Option<LineRef<'_>> {
        let mut i = index;
        if i < self.head.len() {
            return Some(LineRef::Text(&self.head[i]));
        }
        i -= self.head.len();
        if self.has_gap() {
            if i == 0 {
                return Some(LineRef::Omitted {
                    lines: self.omitted_lines,
                    bytes: self.omitted_bytes,
                });
            }
            i -= 1;
        }
        if i < self.tail.len() {
            return self.tail.get(i).map(|s| LineRef::Text(s));
        }
        i -= self.tail.len();
        (i == 0 && !self.partial.is_empty()).then_some(LineRef::Text(&self.partial))
    }

    /// `height` lines from `top` (fewer at the end): what a frame draws.
    pub fn window(&self, top: usize, height: usize) -> impl Iterator<Item = LineRef<'_>> {
        (top..top.saturating_add(height)).map_while(move |i| self.get(i))
    }

    /// The last `n` text lines (for a failure note or a report's tail).
    pub fn last_lines(&self, n: usize) -> Vec<&str> {
        let len = self.len();
        let mut out: Vec<&str> = (len.saturating_sub(n)..len)
            .filter_map(|i| match self.get(i) {
                Some(LineRef::Text(t)) => Some(t),
                _ => None,
            })
            .collect();
        out.truncate(n);
        out
    }

    /// Bytes pushed in all.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Lines pushed in all (a split long line counts as its pieces).
    pub fn total_lines(&self) -> u64 {
        self.total_lines + u64::from(!self.partial.is_empty())
    }

    /// Lines dropped between head and tail.
    pub fn omitted_lines(&self) -> u64 {
        self.omitted_lines
    }

    /// Bytes of text held (what memory the buffer's lines take, give or take allocator overhead).
    pub fn retained_bytes(&self) -> usize {
        self.head.iter().map(String::capacity).sum::<usize>()
            + self.tail.iter().map(String::capacity).sum::<usize>()
            + self.partial.capacity()
    }

    /// The most [`OutputBuffer::retained_bytes`] can reach with these limits.
    pub fn retained_bound(&self) -> usize {
        let l = self.limits;
        l.head_lines * (l.line_bytes + 4) + l.tail_bytes + 2 * (l.line_bytes + 4)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            head_lines: 3,
            tail_lines: 4,
            tail_bytes: 1 << 20,
            line_bytes: 16,
        }
    }

    fn texts(b: &OutputBuffer) -> Vec<String> {
        b.window(0, usize::MAX)
            .map(|l| match l {
                LineRef::Text(t) => t.to_owned(),
                LineRef::Omitted { lines, .. } => format!("<{lines} omitted>"),
            })
            .collect()
    }

    #[test]
    fn keeps_head_and_tail_with_a_marker_between() {
        let mut b = OutputBuffer::new(small());
        for i in 0..20 {
            b.push_str(&format!("line {i}\n"));
        }
        assert_eq!(
            texts(&b),
            vec![
                "line 0",
                "line 1",
                "line 2",
                "<13 omitted>",
                "line 16",
                "line 17",
                "line 18",
                "line 19"
            ]
        );
        assert_eq!(b.total_lines(), 20);
        assert_eq!(b.last_lines(2), vec!["line 18", "line 19"]);
    }

    #[test]
    fn open_line_is_shown_and_continued() {
        let mut b = OutputBuffer::new(small());
        b.push_str("prompt> ");
        assert_eq!(texts(&b), vec!["prompt> "]);
        b.push_str("yes\nnext");
        assert_eq!(texts(&b), vec!["prompt> yes", "next"]);
    }

    #[test]
    fn long_lines_are_split_at_character_boundaries() {
        let mut b = OutputBuffer::new(small());
        b.push_str(&"é".repeat(20));
        b.push_str("\n");
        let t = texts(&b);
        assert_eq!(t.concat(), "é".repeat(20));
        assert!(t.iter().all(|l| l.len() <= 16), "{t:?}");
    }

    #[test]
    fn a_hundred_megabytes_keep_memory_bounded() {
        let mut b = OutputBuffer::default();
        let chunk =
            "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456\n"
                .repeat(800);
        let mut pushed = 0u64;
        while pushed < 100 << 20 {
            b.push_str(&chunk);
            pushed += chunk.len() as u64;
        }
        b.push_str("the very last line\n");
        assert!(
            b.retained_bytes() <= b.retained_bound(),
            "{} > {}",
            b.retained_bytes(),
            b.retained_bound()
        );
        assert!(b.retained_bound() < 16 << 20);
        assert_eq!(b.last_lines(1), vec!["the very last line"]);
        assert!(matches!(b.get(0), Some(LineRef::Text(t)) if t.starts_with("0123")));
        assert!(b.omitted_lines() > 1_000_000);
        assert_eq!(b.window(b.len() - 5, 50).count(), 5);
    }
}
