//! A small text editor for notes, reasons, names and the search prompt: the usual editing keys,
//! one line or several.

use super::key::{KeyCode, KeyPress};

/// Text being typed, with a cursor (line, column in chars).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    row: usize,
    col: usize,
    multiline: bool,
}

fn byte_at(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

impl Editor {
    /// A one-line editor holding `text`, cursor at the end.
    pub fn single(text: &str) -> Editor {
        let line: String = text.chars().filter(|c| *c != '\n').collect();
        let col = line.chars().count();
        Editor {
            lines: vec![line],
            row: 0,
            col,
            multiline: false,
        }
    }

    /// A multi-line editor holding `text`, cursor at the end.
    pub fn multi(text: &str) -> Editor {
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = lines[row].chars().count();
        Editor {
            lines,
            row,
            col,
            multiline: true,
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

    /// Cursor (line, column in chars).
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    /// Whether nothing but whitespace has been typed.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| l.chars().count())
    }

    /// Inserts text at the cursor (pasted text may hold newlines in a multi-line editor).
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' || c == '\r' {
                if self.multiline && c == '\n' {
                    self.newline();
                }
            } else if !c.is_control() || c == '\t' {
                self.insert(c);
            }
        }
    }

    fn insert(&mut self, c: char) {
        let Some(line) = self.lines.get_mut(self.row) else {
            return;
        };
        let at = byte_at(line, self.col);
        line.insert(at, c);
        self.col += 1;
    }

    fn newline(&mut self) {
        let Some(line) = self.lines.get_mut(self.row) else {
            return;
        };
        let at = byte_at(line, self.col);
        let rest = line.split_off(at);
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.col = 0;
    }

    /// Applies an editing key; returns whether it was one.
    pub fn key(&mut self, k: KeyPress) -> bool {
        match (k.code, k.ctrl) {
            (KeyCode::Char('a'), true) | (KeyCode::Home, _) => self.col = 0,
            (KeyCode::Char('e'), true) | (KeyCode::End, _) => self.col = self.line_len(),
            (KeyCode::Char('u'), true) => {
                if let Some(line) = self.lines.get_mut(self.row) {
                    let at = byte_at(line, self.col);
                    line.replace_range(..at, "");
                    self.col = 0;
                }
            }
            (KeyCode::Char('k'), true) => {
                if let Some(line) = self.lines.get_mut(self.row) {
                    let at = byte_at(line, self.col);
                    line.truncate(at);
                }
            }
            (KeyCode::Char('w'), true) => {
                while self.col > 0 && self.char_before().is_some_and(char::is_whitespace) {
                    self.backspace();
                }
                while self.col > 0 && self.char_before().is_some_and(|c| !c.is_whitespace()) {
                    self.backspace();
                }
            }
            (KeyCode::Char(c), false) => self.insert(c),
            (KeyCode::Enter, _) if self.multiline => self.newline(),
            (KeyCode::Backspace, _) => self.backspace(),
            (KeyCode::Delete, _) => self.delete(),
            (KeyCode::Left, _) => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len();
                }
            }
            (KeyCode::Right, _) => {
                if self.col < self.line_len() {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            (KeyCode::Up, _) if self.row > 0 => {
                self.row -= 1;
                self.col = self.col.min(self.line_len());
            }
            (KeyCode::Down, _) if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = self.col.min(self.line_len());
            }
            _ => return false,
        }
        true
    }

    fn char_before(&self) -> Option<char> {
        let line = self.lines.get(self.row)?;
        line.chars().nth(self.col.checked_sub(1)?)
    }

    fn backspace(&mut self) {
        if self.col > 0 {
            if let Some(line) = self.lines.get_mut(self.row) {
                let at = byte_at(line, self.col - 1);
                line.remove(at);
                self.col -= 1;
            }
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.line_len();
            if let Some(prev) = self.lines.get_mut(self.row) {
                prev.push_str(&line);
            }
        }
    }

    fn delete(&mut self) {
        if self.col < self.line_len() {
            if let Some(line) = self.lines.get_mut(self.row) {
                let at = byte_at(line, self.col);
                line.remove(at);
            }
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            if let Some(line) = self.lines.get_mut(self.row) {
                line.push_str(&next);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_lines() {
        let mut e = Editor::multi("");
        e.insert_str("héllo\nworld");
        assert_eq!(e.text(), "héllo\nworld");
        e.key(KeyPress::plain(KeyCode::Backspace));
        e.key(KeyPress::plain(KeyCode::Home));
        e.key(KeyPress::plain(KeyCode::Backspace));
        assert_eq!(e.text(), "hélloworl");
        e.key(KeyPress::ctrl('w'));
        assert_eq!(e.text(), "worl");
        let mut s = Editor::single("ab");
        s.key(KeyPress::plain(KeyCode::Enter));
        s.insert_str("c\nd");
        assert_eq!(s.text(), "abcd");
    }
}
