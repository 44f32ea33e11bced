//! A small text editor for notes, reasons, names and the search prompt: one line or several,
//! working on grapheme clusters (an emoji or an accented letter is one step of the cursor and is
//! never split), with word motions and deletions and an undo of typing. Pure: keys in, text out.

use super::key::{KeyCode, KeyPress};
use unicode_segmentation::UnicodeSegmentation;

/// Most undo steps kept.
const UNDO_DEPTH: usize = 200;

/// The editing keys every text field understands (shown in the help).
pub const KEYS: &[(&str, &str)] = &[
    (
        "←/→ ↑/↓ Home End",
        "move (Ctrl-a / Ctrl-e: start / end of line)",
    ),
    ("Ctrl-←/→ Alt-←/→", "move by word (also Alt-b / Alt-f)"),
    ("Backspace Del", "delete a character"),
    ("Ctrl-w Alt-Backspace", "delete the word before the cursor"),
    ("Alt-d Ctrl-Del", "delete the word after the cursor"),
    ("Ctrl-u / Ctrl-k", "delete to the start / end of the line"),
    ("Ctrl-_ (Ctrl-/)", "undo typing"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditKind {
    Insert,
    Delete,
    Other,
}

/// Text being typed, with a cursor (line, byte offset at a grapheme boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    row: usize,
    col: usize,
    multiline: bool,
    undo: Vec<(Vec<String>, usize, usize)>,
    last: Option<EditKind>,
}

fn is_word(g: &str) -> bool {
    g.chars().any(char::is_alphanumeric) || g == "_"
}

impl Editor {
    /// A one-line editor holding `text`, cursor at the end.
    pub fn single(text: &str) -> Editor {
        let line: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let col = line.len();
        Editor {
            lines: vec![line],
            row: 0,
            col,
            multiline: false,
            ..Editor::default()
        }
    }

    /// A multi-line editor holding `text`, cursor at the end.
    pub fn multi(text: &str) -> Editor {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let row = lines.len().saturating_sub(1);
        let col = lines.get(row).map_or(0, String::len);
        Editor {
            lines,
            row,
            col,
            multiline: true,
            ..Editor::default()
        }
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The lines.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Cursor: line, and grapheme clusters before it on that line.
    pub fn cursor(&self) -> (usize, usize) {
        let line = self.line();
        (self.row, line[..self.col].graphemes(true).count())
    }

    /// Cursor: line, and byte offset in that line.
    pub fn cursor_byte(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    /// Whether nothing but whitespace has been typed.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    fn line(&self) -> &str {
        self.lines.get(self.row).map_or("", String::as_str)
    }

    fn line_mut(&mut self) -> Option<&mut String> {
        self.lines.get_mut(self.row)
    }

    /// Remembers the text before an edit; consecutive edits of one kind are one undo step, and a
    /// typed space ends the step (undo takes back a word at a time).
    fn checkpoint(&mut self, kind: EditKind, boundary: bool) {
        if self.last != Some(kind) || boundary || kind == EditKind::Other {
            self.undo.push((self.lines.clone(), self.row, self.col));
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
        }
        self.last = Some(kind);
    }

    /// Takes back the last step of typing; returns whether there was one.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some((lines, row, col)) => {
                self.lines = lines;
                self.row = row;
                self.col = col;
                self.last = None;
                true
            }
            None => false,
        }
    }

    /// Inserts text at the cursor (pasted text may hold newlines in a multi-line editor: `\r\n`,
    /// `\r` and `\n` each end a line; control characters other than tab are dropped).
    pub fn insert_str(&mut self, s: &str) {
        self.checkpoint(EditKind::Other, true);
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        let mut buf = String::new();
        for c in s.chars() {
            if c == '\n' {
                self.put(&std::mem::take(&mut buf));
                if self.multiline {
                    self.newline();
                } else {
                    buf.push(' ');
                }
            } else if !c.is_control() || c == '\t' {
                buf.push(c);
            }
        }
        self.put(&buf);
        self.last = Some(EditKind::Other);
    }

    fn put(&mut self, s: &str) {
        let col = self.col;
        if let Some(line) = self.line_mut() {
            line.insert_str(col, s);
            self.col += s.len();
        }
    }

    fn newline(&mut self) {
        let col = self.col;
        let Some(line) = self.line_mut() else {
            return;
        };
        let rest = line.split_off(col);
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.col = 0;
    }

    /// Byte offset of the grapheme boundary before / after the cursor.
    fn prev_boundary(&self) -> Option<usize> {
        self.line()[..self.col]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.line()[self.col..]
            .graphemes(true)
            .next()
            .map(|g| self.col + g.len())
    }

    /// Start of the word before the cursor (skipping non-word clusters first).
    fn word_left(&self) -> usize {
        let line = self.line();
        let mut at = self.col;
        let gs: Vec<(usize, &str)> = line[..self.col].grapheme_indices(true).collect();
        let mut k = gs.len();
        while k > 0 && !is_word(gs[k - 1].1) {
            k -= 1;
            at = gs[k].0;
        }
        while k > 0 && is_word(gs[k - 1].1) {
            k -= 1;
            at = gs[k].0;
        }
        at
    }

    /// End of the word after the cursor.
    fn word_right(&self) -> usize {
        let line = self.line();
        let mut at = self.col;
        let mut it = line[self.col..].graphemes(true).peekable();
        while let Some(g) = it.next_if(|g| !is_word(g)) {
            at += g.len();
        }
        while let Some(g) = it.next_if(|g| is_word(g)) {
            at += g.len();
        }
        at
    }

    /// Byte offset in line `row` of the `n`th grapheme (or the end).
    fn offset_of(&self, row: usize, n: usize) -> usize {
        let line = self.lines.get(row).map_or("", String::as_str);
        line.grapheme_indices(true)
            .nth(n)
            .map_or(line.len(), |(i, _)| i)
    }

    /// Applies an editing key; returns whether it was one.
    pub fn key(&mut self, k: KeyPress) -> bool {
        let word = k.ctrl || k.alt;
        match (k.code, k.ctrl, k.alt) {
            (KeyCode::Char('_' | '/'), true, _) | (KeyCode::Char('u'), false, true) => {
                self.undo();
            }
            (KeyCode::Char('a'), true, false) | (KeyCode::Home, _, _) => self.col = 0,
            (KeyCode::Char('e'), true, false) | (KeyCode::End, _, _) => {
                self.col = self.line().len();
            }
            (KeyCode::Char('u'), true, false) => {
                self.checkpoint(EditKind::Other, true);
                let col = self.col;
                if let Some(line) = self.line_mut() {
                    line.replace_range(..col, "");
                }
                self.col = 0;
            }
            (KeyCode::Char('k'), true, false) => {
                self.checkpoint(EditKind::Other, true);
                let col = self.col;
                if let Some(line) = self.line_mut() {
                    line.truncate(col);
                }
            }
            (KeyCode::Char('w'), true, false) | (KeyCode::Backspace, _, true) => {
                self.delete_word_back();
            }
            (KeyCode::Char('d'), false, true) | (KeyCode::Delete, true, _) => {
                self.checkpoint(EditKind::Other, true);
                let (from, to) = (self.col, self.word_right());
                if let Some(line) = self.line_mut() {
                    line.replace_range(from..to, "");
                }
            }
            (KeyCode::Char('b'), false, true) => self.col = self.word_left(),
            (KeyCode::Char('f'), false, true) => self.col = self.word_right(),
            (KeyCode::Char(c), false, false) => {
                self.checkpoint(EditKind::Insert, c.is_whitespace());
                let mut b = [0u8; 4];
                self.put(c.encode_utf8(&mut b));
            }
            (KeyCode::Tab, false, false) => {
                self.checkpoint(EditKind::Insert, true);
                self.put("\t");
            }
            (KeyCode::Enter, false, false) if self.multiline => {
                self.checkpoint(EditKind::Insert, true);
                self.newline();
            }
            (KeyCode::Backspace, _, false) => self.backspace(),
            (KeyCode::Delete, false, _) => self.delete(),
            (KeyCode::Left, _, _) if word => self.col = self.word_left(),
            (KeyCode::Right, _, _) if word => self.col = self.word_right(),
            (KeyCode::Left, _, _) => match self.prev_boundary() {
                Some(b) => self.col = b,
                None if self.row > 0 => {
                    self.row -= 1;
                    self.col = self.line().len();
                }
                None => {}
            },
            (KeyCode::Right, _, _) => match self.next_boundary() {
                Some(b) => self.col = b,
                None if self.row + 1 < self.lines.len() => {
                    self.row += 1;
                    self.col = 0;
                }
                None => {}
            },
            (KeyCode::Up, _, _) if self.row > 0 => {
                let n = self.cursor().1;
                self.row -= 1;
                self.col = self.offset_of(self.row, n);
            }
            (KeyCode::Down, _, _) if self.row + 1 < self.lines.len() => {
                let n = self.cursor().1;
                self.row += 1;
                self.col = self.offset_of(self.row, n);
            }
            _ => return false,
        }
        if !matches!(
            k.code,
            KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete | KeyCode::Enter | KeyCode::Tab
        ) || k.ctrl
            || k.alt
        {
            // A motion ends the current undo step.
            self.last = None;
        }
        true
    }

    fn delete_word_back(&mut self) {
        self.checkpoint(EditKind::Other, true);
        let (from, to) = (self.word_left(), self.col);
        if from == to && self.col == 0 {
            self.join_with_previous();
            return;
        }
        if let Some(line) = self.line_mut() {
            line.replace_range(from..to, "");
        }
        self.col = from;
    }

    fn join_with_previous(&mut self) {
        if self.row == 0 {
            return;
        }
        let line = self.lines.remove(self.row);
        self.row -= 1;
        self.col = self.line().len();
        if let Some(prev) = self.line_mut() {
            prev.push_str(&line);
        }
    }

    fn backspace(&mut self) {
        self.checkpoint(EditKind::Delete, false);
        match self.prev_boundary() {
            Some(b) => {
                let col = self.col;
                if let Some(line) = self.line_mut() {
                    line.replace_range(b..col, "");
                }
                self.col = b;
            }
            None => self.join_with_previous(),
        }
    }

    fn delete(&mut self) {
        self.checkpoint(EditKind::Delete, false);
        match self.next_boundary() {
            Some(b) => {
                let col = self.col;
                if let Some(line) = self.line_mut() {
                    line.replace_range(col..b, "");
                }
            }
            None if self.row + 1 < self.lines.len() => {
                let next = self.lines.remove(self.row + 1);
                if let Some(line) = self.line_mut() {
                    line.push_str(&next);
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KeyPress {
        KeyPress::parse(s).unwrap_or(KeyPress::ch('?'))
    }

    fn typed(e: &mut Editor, s: &str) {
        for c in s.chars() {
            e.key(KeyPress::ch(c));
        }
    }

    #[test]
    fn edits_lines() {
        let mut e = Editor::multi("");
        e.insert_str("héllo\nworld");
        assert_eq!(e.text(), "héllo\nworld");
        e.key(k("Backspace"));
        e.key(k("Home"));
        e.key(k("Backspace"));
        assert_eq!(e.text(), "hélloworl");
        e.key(k("Ctrl-w"));
        assert_eq!(e.text(), "worl");
        let mut s = Editor::single("ab");
        s.key(k("Enter"));
        s.insert_str("c\nd");
        assert_eq!(
            s.text(),
            "abc d",
            "a one-line field keeps pasted lines on one line"
        );
    }

    #[test]
    fn an_emoji_or_an_accent_is_one_step_and_never_split() {
        let mut e = Editor::single("");
        typed(&mut e, "e\u{301}⚠\u{fe0f}👍🏽x");
        assert_eq!(e.cursor(), (0, 4));
        e.key(k("Left"));
        e.key(k("Left"));
        assert_eq!(e.cursor(), (0, 2));
        e.key(k("Backspace"));
        assert_eq!(
            e.text(),
            "e\u{301}👍🏽x",
            "the warning sign and its selector go together"
        );
        e.key(k("Delete"));
        assert_eq!(e.text(), "e\u{301}x");
        e.key(k("Left"));
        e.key(k("Backspace"));
        assert_eq!(e.text(), "e\u{301}x", "at the start: nothing to delete");
        e.key(k("Right"));
        e.key(k("Backspace"));
        assert_eq!(e.text(), "x");
    }

    #[test]
    fn word_motions_and_deletions() {
        let mut e = Editor::single("kubectl rollout undo deploy/payments");
        e.key(k("Ctrl-Left"));
        assert_eq!(e.cursor(), (0, 28));
        e.key(k("Alt-Left"));
        e.key(k("Alt-Left"));
        assert_eq!(e.cursor(), (0, 16));
        e.key(k("Alt-d"));
        assert_eq!(e.text(), "kubectl rollout  deploy/payments");
        e.key(k("Ctrl-Right"));
        assert_eq!(e.cursor(), (0, 23));
        e.key(k("Alt-Backspace"));
        assert_eq!(e.text(), "kubectl rollout  /payments");
        e.key(k("Home"));
        e.key(k("Alt-f"));
        assert_eq!(e.cursor(), (0, 7));
        e.key(k("Ctrl-Delete"));
        assert_eq!(e.text(), "kubectl  /payments");
        e.key(k("End"));
        e.key(k("Ctrl-w"));
        assert_eq!(e.text(), "kubectl  /");
    }

    #[test]
    fn undo_takes_back_typing_a_word_at_a_time() {
        let mut e = Editor::multi("");
        typed(&mut e, "canary looks fine");
        e.key(k("Ctrl-_"));
        assert_eq!(e.text(), "canary looks");
        e.key(k("Ctrl-_"));
        assert_eq!(e.text(), "canary");
        e.key(k("Ctrl-w"));
        assert_eq!(e.text(), "");
        e.key(k("Ctrl-_"));
        assert_eq!(e.text(), "canary");
        e.insert_str("\npasted");
        e.key(k("Alt-u"));
        assert_eq!(e.text(), "canary");
        e.key(k("Ctrl-_"));
        e.key(k("Ctrl-_"));
        assert_eq!(e.text(), "");
        assert!(!e.undo(), "nothing left to undo");
    }

    #[test]
    fn up_and_down_keep_the_column_in_clusters() {
        let mut e = Editor::multi("⚠\u{fe0f}⚠\u{fe0f}⚠\u{fe0f}\nabcdef");
        e.key(k("Up"));
        assert_eq!(e.cursor(), (0, 3));
        e.key(k("Left"));
        e.key(k("Down"));
        assert_eq!(e.cursor(), (1, 2));
    }

    #[test]
    fn pasted_carriage_returns_end_lines() {
        let mut e = Editor::multi("");
        e.insert_str("one\r\ntwo\rthree\n");
        assert_eq!(e.text(), "one\ntwo\nthree\n");
    }
}
