//! Pure rendering of [`App`]: header, checklist, detail pane, footer and popups. Draws only the rows
//! on screen (O(visible), not O(items)), asks the semantic [`theme::Theme`] for every style,
//! measures text as the terminal draws it ([`crate::app::width`]), and never panics at any size
//! (below the minimum it shows a message; at 0×0 nothing). The keymap comes in as an argument: the
//! help overlay and the footer hints are generated from it.

pub mod command;
pub mod detail;
pub mod dialogs;
pub mod header;
pub mod help;
pub mod list;
pub mod popup;
pub mod theme;
pub mod timeline;

use crate::app::layout::{Area, MIN_HEIGHT, MIN_WIDTH};
use crate::app::width::{fit, width};
use crate::app::{Action, App, KeyMode};
use crate::input::{Binding, Keymap};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use theme::{Glyphs, Theme};

/// Converts a layout area to a ratatui rectangle.
pub fn rect(a: Area) -> Rect {
    Rect::new(a.x, a.y, a.w, a.h)
}

/// How much a frame built: rows of the checklist and of the detail (what a frame costs does not
/// depend on the size of the run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Checklist rows built.
    pub list_rows: usize,
    /// Detail rows built.
    pub detail_rows: usize,
}

/// Draws the whole screen.
pub fn render(app: &App, keymap: &Keymap, frame: &mut Frame) -> Work {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return Work::default();
    }
    let theme = Theme::new(app.style.color);
    let glyphs = Glyphs::new(app.style.ascii);
    let l = app.layout();
    if l.too_small {
        let msg = format!(
            "terminal too small: {}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        );
        let p = Paragraph::new(msg)
            .style(theme.warning())
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return Work::default();
    }
    header::render(app, frame, rect(l.header), &theme, &glyphs);
    let list_rows = list::render(app, frame, rect(l.list), &theme, &glyphs);
    let detail_rows = detail::render(app, frame, rect(l.detail), &theme, &glyphs, l.wide);
    if l.output.h > 0 {
        command::docked(app, frame, rect(l.output), &theme, &glyphs);
    }
    footer(app, keymap, frame, rect(l.footer), &theme, &glyphs);
    popup::render(app, keymap, frame, area, &theme, &glyphs);
    Work {
        list_rows,
        detail_rows,
    }
}

fn footer(app: &App, keymap: &Keymap, frame: &mut Frame, area: Rect, theme: &Theme, g: &Glyphs) {
    let msg_area = Rect { height: 1, ..area };
    let keys_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let w = usize::from(area.width);
    if let Some(ns) = &app.not_saved {
        let text = format!(" NOT SAVED: {ns} — retrying every second ");
        frame.render_widget(
            Paragraph::new(fit(&text, w, g.ellipsis())).style(theme.banner()),
            msg_area,
        );
    } else if let Some(m) = app.message() {
        let style = if m.error {
            theme.error()
        } else {
            theme.muted()
        };
        let waiting = app.messages.waiting();
        let more = if waiting > 0 {
            format!(" (+{waiting} more · m shows all)")
        } else {
            String::new()
        };
        let text = fit(&m.text, w.saturating_sub(width(&more)), g.ellipsis());
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(text, style),
                Span::styled(more, theme.key()),
            ])),
            msg_area,
        );
    }
    frame.render_widget(Paragraph::new(key_hints(app, keymap, theme, g)), keys_area);
}

/// Actions that change an item or the run: not offered once the run is closed.
fn changes_the_run(a: &Action) -> bool {
    matches!(
        a,
        Action::Tick
            | Action::Sign
            | Action::Skip
            | Action::Na
            | Action::Fail
            | Action::Gate
            | Action::Undo
    )
}

/// The footer's bindings for the app's state, in order: for an active search its own keys first
/// (so the footer always says what `n` does now), then the normal ones it does not override; help
/// and quit before the rest; nothing that a closed run would refuse.
pub fn footer_bindings<'k>(app: &App, keymap: &'k Keymap) -> Vec<&'k Binding> {
    let mode = app.key_mode();
    let closed = !app.run.is_active();
    let usable = |b: &&Binding| !(closed && changes_the_run(&b.action));
    let mut out: Vec<&Binding> = keymap.footer(mode).filter(usable).collect();
    if mode == KeyMode::Found {
        let own: Vec<_> = out.iter().flat_map(|b| b.keys.iter().copied()).collect();
        out.extend(
            keymap
                .footer(KeyMode::Normal)
                .filter(usable)
                .filter(|b| b.keys.iter().any(|k| !own.contains(k))),
        );
        return out;
    }
    let (first, rest): (Vec<_>, Vec<_>) = out
        .into_iter()
        .partition(|b| matches!(b.action, Action::Help | Action::Quit));
    first.into_iter().chain(rest).collect()
}

/// The footer's key hints for the current mode, from the keymap.
pub fn key_hints<'a>(app: &App, keymap: &'a Keymap, theme: &Theme, glyphs: &Glyphs) -> Line<'a> {
    let mode = app.key_mode();
    let mut spans = Vec::new();
    if mode == KeyMode::Found
        && let (Some(f), Some(st)) = (&app.found, app.match_status())
    {
        let how = if f.fuzzy { "fuzzy" } else { "search" };
        spans.push(Span::styled(
            format!("{how} “{}” {st}", f.query),
            theme.warning(),
        ));
    }
    if mode == KeyMode::Normal && !app.run.is_active() {
        spans.push(Span::styled(
            format!(
                "run {}: notes only",
                app.run.lifecycle.as_str().to_uppercase()
            ),
            theme.warning(),
        ));
    }
    if mode == KeyMode::Normal
        && app.run.is_active()
        && let Some(b) = app.blocker()
    {
        // What holds the run, and the key that lifts it.
        let what = match b {
            crate::run::gates::Blocker::Hold { .. } => "HOLD",
            crate::run::gates::Blocker::NoGo { .. } => "NO-GO unresolved",
        };
        spans.push(Span::styled(what, theme.warning()));
        if let Some(k) = keymap
            .bindings
            .iter()
            .find(|b| b.mode == KeyMode::Normal && b.action == Action::Resume)
            .and_then(|b| b.keys.first())
        {
            spans.push(Span::raw(": "));
            spans.push(Span::styled(key_name(*k, glyphs), theme.key()));
            spans.push(Span::raw(" resume"));
        }
    }
    for b in footer_bindings(app, keymap) {
        let own: Vec<_> = if mode == KeyMode::Found && b.mode == KeyMode::Normal {
            let found_keys: Vec<_> = keymap
                .footer(KeyMode::Found)
                .flat_map(|f| f.keys.iter().copied())
                .collect();
            b.keys
                .iter()
                .filter(|k| !found_keys.contains(k))
                .copied()
                .collect()
        } else {
            b.keys.clone()
        };
        let Some(k) = own.first() else { continue };
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
