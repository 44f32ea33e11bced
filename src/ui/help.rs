//! The help overlay (generated from the keymap, the editing keys and a legend of every mark in the
//! list) and the message log.

use super::key_name;
use super::theme::{Glyphs, Theme};
use crate::app::editor;
use crate::app::layout;
use crate::app::width::{fit, width};
use crate::app::{App, KeyMode};
use crate::input::Keymap;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// One row of the help overlay.
enum HelpRow {
    Heading(String),
    Entry(String, String),
    Blank,
    Note(&'static str),
}

fn help_rows(keymap: &Keymap, glyphs: &Glyphs) -> Vec<HelpRow> {
    let mut rows = Vec::new();
    for mode in KeyMode::ALL {
        let bs: Vec<_> = keymap.bindings.iter().filter(|b| b.mode == mode).collect();
        if bs.is_empty() {
            continue;
        }
        if !rows.is_empty() {
            rows.push(HelpRow::Blank);
        }
        rows.push(HelpRow::Heading(mode.as_str().to_owned()));
        for b in bs {
            let keys: Vec<String> = b.keys.iter().map(|k| key_name(*k, glyphs)).collect();
            rows.push(HelpRow::Entry(keys.join(" "), b.desc.clone()));
        }
    }
    rows.push(HelpRow::Blank);
    rows.push(HelpRow::Heading("editing (every text field)".to_owned()));
    for (k, d) in editor::KEYS {
        rows.push(HelpRow::Entry((*k).to_owned(), (*d).to_owned()));
    }
    rows.push(HelpRow::Blank);
    rows.push(HelpRow::Heading("marks in the list".to_owned()));
    for (g, d) in glyphs.legend() {
        rows.push(HelpRow::Entry(g, d.to_owned()));
    }
    rows.push(HelpRow::Blank);
    rows.push(HelpRow::Note(
        "Rebind keys in ~/.config/runsheet/keymap.toml. Every change is saved when shown.",
    ));
    rows
}

/// Rows of the help overlay for `keymap` (the same at every width: long descriptions are cut).
pub fn help_len(keymap: &Keymap) -> u16 {
    u16::try_from(help_rows(keymap, &Glyphs::new(false)).len()).unwrap_or(u16::MAX)
}

pub(super) fn help(
    app: &App,
    keymap: &Keymap,
    frame: &mut Frame,
    area: Rect,
    tg: (&Theme, &Glyphs),
    scroll: u16,
) {
    let (theme, glyphs) = tg;
    let r = super::rect(layout::overlay(area.width, area.height));
    let inner_w = usize::from(r.width.saturating_sub(2));
    let rows = help_rows(keymap, glyphs);
    let key_w = rows
        .iter()
        .filter_map(|r| match r {
            HelpRow::Entry(k, _) => Some(width(k)),
            _ => None,
        })
        .max()
        .unwrap_or(8)
        .min(inner_w / 2)
        + 2;
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|row| match row {
            HelpRow::Heading(h) => Line::styled(h, theme.title()),
            HelpRow::Blank => Line::default(),
            HelpRow::Note(n) => Line::styled(fit(n, inner_w, glyphs.ellipsis()), theme.muted()),
            HelpRow::Entry(k, d) => {
                let keys = fit(&k, key_w - 2, glyphs.ellipsis());
                let pad = " ".repeat(key_w - width(&keys));
                let desc = fit(&d, inner_w.saturating_sub(key_w + 2), glyphs.ellipsis());
                Line::from(vec![
                    Span::styled(format!("  {keys}{pad}"), theme.key()),
                    Span::raw(desc),
                ])
            }
        })
        .collect();
    let max = app.help_max();
    let title = if scroll >= max {
        " keys (Esc closes) · end ".to_owned()
    } else {
        " keys (Esc closes) · j/k scroll ".to_owned()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        r,
    );
}

pub(super) fn messages(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    tg: (&Theme, &Glyphs),
    scroll: u16,
) {
    let (theme, glyphs) = tg;
    let r = super::rect(layout::overlay(area.width, area.height));
    let inner_w = usize::from(r.width.saturating_sub(2));
    let mut lines: Vec<Line> = app
        .messages
        .log()
        .map(|m| {
            let text = fit(
                &format!("{} {}", m.at.format("%H:%M:%S"), m.text),
                inner_w,
                glyphs.ellipsis(),
            );
            Line::styled(text, if m.error { theme.error() } else { Style::new() })
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("(no messages yet)", theme.muted()));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(
            " messages, newest last (Esc closes) ",
            theme.title(),
        ));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(app.messages_max()), 0)),
        r,
    );
}
