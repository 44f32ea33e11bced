//! Laying the detail document out in screen rows: prose wrapped at spaces, code wrapped or
//! scrolled sideways with its line numbers, preformatted lines (aligned tables) cut at the edge.

use super::{CodeLayout, Doc, DocLine, GUTTER, Piece, Tone};
use crate::app::width::{self, chunks, indentation};

impl Doc {
    /// Screen rows of the document at `width` columns.
    pub fn rows(&self, width: usize, code: CodeLayout) -> Vec<Vec<Piece>> {
        let width = width.max(GUTTER + 4);
        let mut out = Vec::new();
        for line in &self.lines {
            match line {
                DocLine::Blank => out.push(Vec::new()),
                DocLine::Text(pieces) => wrap_pieces(pieces, width, &mut out),
                DocLine::Code { number, text } => {
                    code_rows(*number, text, width, code, &mut out);
                }
                DocLine::Pre(pieces) => out.push(cut_row(pieces, width)),
            }
        }
        out
    }

    /// Columns the widest code line wants (gutter included), 0 without code.
    pub fn code_width(&self) -> usize {
        self.lines
            .iter()
            .filter_map(|l| match l {
                DocLine::Code { text, .. } => Some(width::width(text) + GUTTER),
                DocLine::Pre(pieces) => Some(pieces.iter().map(|p| width::width(&p.text)).sum()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

fn code_rows(number: usize, text: &str, width: usize, code: CodeLayout, out: &mut Vec<Vec<Piece>>) {
    let room = width - GUTTER;
    let gutter = Piece::new(format!("{number:>3} │ "), Tone::Gutter);
    match code {
        CodeLayout::Scroll { skip } => {
            let shown = width::window(text, skip, room);
            let mut row = vec![gutter];
            if skip > 0 && !text.is_empty() && width::width(text) > skip {
                row[0] = Piece::new(format!("{number:>3} «"), Tone::Gutter);
                row.push(Piece::new(" ", Tone::Code));
            }
            let more = width::width(text) > skip + room;
            if more {
                let cut = width::take(&shown, room.saturating_sub(1));
                row.push(Piece::new(cut, Tone::Code));
                row.push(Piece::new("»", Tone::Gutter));
            } else {
                row.push(Piece::new(shown, Tone::Code));
            }
            out.push(row);
        }
        CodeLayout::Wrap => {
            let indent = indentation(text);
            let ind_w = width::width(indent);
            // Keep the indentation on continuation rows while there is room for it.
            let cont_indent = if ind_w + 8 <= room { indent } else { "" };
            let first = chunks(text, room);
            let mut rest_text = String::new();
            let mut first_row = first.first().cloned().unwrap_or_default();
            if first.len() > 1 {
                rest_text = text[first_row.len()..].to_owned();
            }
            out.push(vec![
                gutter,
                Piece::new(std::mem::take(&mut first_row), Tone::Code),
            ]);
            if !rest_text.is_empty() {
                let cont_room = room - width::width(cont_indent);
                for part in chunks(&rest_text, cont_room) {
                    out.push(vec![
                        Piece::new("  ↪ │ ", Tone::Gutter),
                        Piece::new(format!("{cont_indent}{part}"), Tone::Code),
                    ]);
                }
            }
        }
    }
}

/// Word-wraps toned pieces to `width`, continuation rows indented like the first row.
fn wrap_pieces(pieces: &[Piece], width: usize, out: &mut Vec<Vec<Piece>>) {
    let first_text: String = pieces.iter().map(|p| p.text.as_str()).collect();
    let lead = indentation(&first_text);
    let bullet = if first_text[lead.len()..].starts_with("- ") {
        2
    } else {
        0
    };
    let indent = (width::width(lead) + bullet).min(width / 2);
    let mut row: Vec<Piece> = Vec::new();
    let mut used = 0;
    let push_word = |row: &mut Vec<Piece>, word: &str, tone: Tone| match row.last_mut() {
        Some(last) if last.tone == tone => last.text.push_str(word),
        _ => row.push(Piece::new(word, tone)),
    };
    for p in pieces {
        for word in p.text.split_inclusive(' ') {
            let ww = width::width(word.trim_end_matches(' '));
            if used > indent && used + ww > width {
                trim_row_end(&mut row);
                out.push(std::mem::take(&mut row));
                row.push(Piece::new(" ".repeat(indent), Tone::Plain));
                used = indent;
            }
            if ww > width - used {
                // A word longer than the row: cut it at the edge.
                let mut left = word.to_owned();
                while width::width(left.trim_end_matches(' ')) > width - used {
                    let head = width::take(&left, width - used);
                    if head.is_empty() {
                        break;
                    }
                    push_word(&mut row, &head, p.tone);
                    out.push(std::mem::take(&mut row));
                    row.push(Piece::new(" ".repeat(indent), Tone::Plain));
                    used = indent;
                    left = left[head.len()..].to_owned();
                }
                used += width::width(&left);
                push_word(&mut row, &left, p.tone);
                continue;
            }
            used += width::width(word);
            push_word(&mut row, word, p.tone);
        }
    }
    trim_row_end(&mut row);
    out.push(row);
}

fn trim_row_end(row: &mut [Piece]) {
    if let Some(last) = row.last_mut() {
        let t = last.text.trim_end_matches(' ').len();
        last.text.truncate(t);
    }
}

/// A preformatted line cut at the edge (never wrapped: its columns stay lined up).
fn cut_row(pieces: &[Piece], width: usize) -> Vec<Piece> {
    let mut row = Vec::new();
    let mut left = width;
    for p in pieces {
        if left == 0 {
            break;
        }
        let w = width::width(&p.text);
        if w <= left {
            row.push(p.clone());
            left -= w;
        } else {
            row.push(Piece::new(width::take(&p.text, left), p.tone));
            left = 0;
        }
    }
    trim_row_end(&mut row);
    row
}
