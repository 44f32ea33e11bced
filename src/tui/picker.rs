//! A small full-screen chooser used before a run is open: resume which run, or start a new one.

use super::terminal;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use std::time::Duration;

/// Shows `options` under `title`; returns the chosen index, or `None` when cancelled (Esc, q,
/// Ctrl-C) or the terminal went away.
pub fn choose(title: &str, options: &[String]) -> std::io::Result<Option<usize>> {
    let mut term = terminal::init()?;
    let mut cursor = 0usize;
    let mut empty_reads = 0u32;
    let result = loop {
        let drawn = term.draw(|f| {
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
        });
        if drawn.is_err() {
            break None;
        }
        // Never block inside crossterm (it spins on a hung-up tty): drain its buffer, then wait on
        // the file descriptor ourselves.
        if !matches!(event::poll(Duration::ZERO), Ok(true)) {
            match terminal::wait_input(Some(Duration::from_secs(1)), None) {
                terminal::InputWait::HungUp => break None,
                terminal::InputWait::Timeout | terminal::InputWait::Woken => continue,
                terminal::InputWait::Ready => {}
            }
            if !matches!(event::poll(Duration::ZERO), Ok(true)) {
                // Readable but no event: end-of-file (or half an escape sequence). Many in a
                // row is a terminal that is gone.
                empty_reads += 1;
                if empty_reads > 40 {
                    break None;
                }
                continue;
            }
            empty_reads = 0;
        }
        let Ok(ev) = event::read() else { break None };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => cursor = cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                cursor = (cursor + 1).min(options.len().saturating_sub(1))
            }
            KeyCode::Enter => break Some(cursor),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break None,
            KeyCode::Esc | KeyCode::Char('q') => break None,
            _ => {}
        }
    };
    terminal::leave();
    // Terminal's Drop may print (and panic) on a dead tty; everything it would do is done above.
    std::mem::forget(term);
    Ok(result)
}
