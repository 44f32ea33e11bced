//! Pure rendering of [`App`]: header, checklist, detail pane, footer and popups. Draws only the rows
//! on screen (O(visible), not O(items)), asks the semantic [`theme::Theme`] for every style, and never
//! panics at any size (below the minimum it shows a message; at 0×0 nothing).

pub mod detail;
pub mod header;
pub mod list;
pub mod popup;
pub mod theme;
pub mod timeline;

use crate::app::layout::{Area, MIN_HEIGHT, MIN_WIDTH, layout};
use crate::app::{App, KeyMode};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use theme::{Glyphs, Theme};

/// Converts a layout area to a ratatui rectangle.
pub fn rect(a: Area) -> Rect {
    Rect::new(a.x, a.y, a.w, a.h)
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let theme = Theme::new(app.style.color);
    let glyphs = Glyphs::new(app.style.ascii);
    let l = layout(area.width, area.height);
    if l.too_small {
        let msg = format!(
            "terminal too small: {}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        let p = Paragraph::new(msg)
            .style(theme.warning())
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    }
    header::render(app, frame, rect(l.header), &theme, &glyphs);
    list::render(app, frame, rect(l.list), &theme, &glyphs);
    detail::render(app, frame, rect(l.detail), &theme, &glyphs, l.wide);
    footer(app, frame, rect(l.footer), &theme, &glyphs);
    popup::render(app, frame, area, &theme, &glyphs);
}

fn footer(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let msg_area = Rect { height: 1, ..area };
    let keys_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    if let Some(ns) = &app.not_saved {
        let text = format!(" NOT SAVED: {ns} — retrying every second ");
        frame.render_widget(Paragraph::new(text).style(theme.banner()), msg_area);
    } else if let Some(m) = &app.message {
        let style = if m.error {
            theme.error()
        } else {
            theme.muted()
        };
        frame.render_widget(Paragraph::new(m.text.as_str()).style(style), msg_area);
    }
    frame.render_widget(Paragraph::new(key_hints(app, theme, glyphs)), keys_area);
}

/// The footer's key hints for the current mode, from the keymap.
pub fn key_hints<'a>(app: &'a App, theme: &Theme, glyphs: &Glyphs) -> Line<'a> {
    let mode = app.key_mode();
    let mut spans = Vec::new();
    // Help and quit first, so the narrowest footer still shows the way out and the way in.
    let (first, rest): (Vec<_>, Vec<_>) = app.keymap.footer(mode).partition(|b| {
        matches!(
            b.action,
            crate::app::Action::Help | crate::app::Action::Quit
        )
    });
    for b in first.into_iter().chain(rest) {
        let Some(k) = b.keys.first() else { continue };
        if !spans.is_empty() {
            spans.push(Span::styled(format!(" {} ", glyphs.dot()), theme.muted()));
        }
        spans.push(Span::styled(key_name(*k, glyphs), theme.key()));
        spans.push(Span::raw(" "));
        spans.push(Span::raw(b.desc.as_str()));
    }
    if mode == KeyMode::Normal && spans.is_empty() {
        spans.push(Span::raw("? help"));
    }
    Line::from(spans)
}

/// A key's name, in ASCII when asked.
pub fn key_name(k: crate::app::key::KeyPress, glyphs: &Glyphs) -> String {
    let s = k.to_string();
    if glyphs.dot() == "|" {
        s.replace('↑', "Up")
            .replace('↓', "Down")
            .replace('←', "Left")
            .replace('→', "Right")
    } else {
        s
    }
}
