//! A small full-screen chooser used before a run is open: resume which run, or start a new one. It
//! reads the terminal through the same input thread as the operator's screen (so the same hang-up
//! rules apply), and redraws on SIGWINCH.

use super::input::{Incoming, InputThread};
use super::keys::Input;
use super::terminal;
use crate::app::key::{KeyCode, KeyPress};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use signal_hook::consts::signal::SIGWINCH;
use std::sync::mpsc;

enum Msg {
    In(Incoming),
    Resized,
}

/// What a key does in the chooser.
fn step(k: KeyPress, cursor: usize, n: usize) -> Result<usize, Option<usize>> {
    match (k.code, k.ctrl) {
        (KeyCode::Char('c'), true) => Err(None),
        (KeyCode::Up | KeyCode::Char('k'), false) => Ok(cursor.saturating_sub(1)),
        (KeyCode::Down | KeyCode::Char('j'), false) => Ok((cursor + 1).min(n.saturating_sub(1))),
        (KeyCode::Home | KeyCode::Char('g'), false) => Ok(0),
        (KeyCode::End | KeyCode::Char('G'), false) => Ok(n.saturating_sub(1)),
        (KeyCode::Enter, _) => Err(Some(cursor)),
        (KeyCode::Esc | KeyCode::Char('q'), _) => Err(None),
        _ => Ok(cursor),
    }
}

/// Shows `options` under `title`; returns the chosen index, or `None` when cancelled (Esc, q,
/// Ctrl-C) or the terminal went away.
pub fn choose(title: &str, options: &[String]) -> std::io::Result<Option<usize>> {
    let (tx, rx) = mpsc::channel();
    let winch = signal_hook::iterator::Signals::new([SIGWINCH])?;
    let winch_handle = winch.handle();
    let wtx = tx.clone();
    std::thread::Builder::new()
        .name("picker-signals".into())
        .spawn(move || {
            let mut winch = winch;
            for _ in winch.forever() {
                if wtx.send(Msg::Resized).is_err() {
                    return;
                }
            }
        })?;
    let mut term = terminal::init()?;
    let input = InputThread::spawn(move |i| tx.send(Msg::In(i)).is_ok())?;
    let mut cursor = 0usize;
    let result = loop {
        let drawn = term.draw(|f| draw(f, title, options, cursor));
        if drawn.is_err() {
            break None;
        }
        match rx.recv() {
            Ok(Msg::Resized) => {}
            Ok(Msg::In(Incoming::Input(Input::Key(k)))) => match step(k, cursor, options.len()) {
                Ok(c) => cursor = c,
                Err(done) => break done,
            },
            Ok(Msg::In(Incoming::Input(_))) => {}
            Ok(Msg::In(Incoming::Gone)) | Err(_) => break None,
        }
    };
    input.stop();
    winch_handle.close();
    terminal::leave();
    // Terminal's Drop may print (and panic) on a dead tty; everything it would do is done above.
    std::mem::forget(term);
    Ok(result)
}

fn draw(f: &mut ratatui::Frame, title: &str, options: &[String], cursor: usize) {
    let area = f.area();
    if area.width < 4 || area.height < 3 {
        return;
    }
    let mut lines = vec![
        Line::raw(""),
        Line::raw("Enter chooses · ↑/↓ move · Esc cancels"),
        Line::raw(""),
    ];
    for (k, o) in options.iter().enumerate() {
        let style = if k == cursor {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::styled(format!(" {o} "), style));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    let r = Rect::new(area.x, area.y, area.width, area.height);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_choose_and_cancel() {
        let k = |s: &str| KeyPress::parse(s).unwrap_or(KeyPress::ch('?'));
        assert_eq!(step(k("j"), 0, 3), Ok(1));
        assert_eq!(step(k("Down"), 2, 3), Ok(2), "stops at the last");
        assert_eq!(step(k("k"), 0, 3), Ok(0), "stops at the first");
        assert_eq!(step(k("G"), 0, 3), Ok(2));
        assert_eq!(step(k("Enter"), 1, 3), Err(Some(1)));
        assert_eq!(step(k("Esc"), 1, 3), Err(None));
        assert_eq!(step(k("Ctrl-c"), 1, 3), Err(None));
        assert_eq!(step(k("x"), 1, 3), Ok(1));
    }
}
