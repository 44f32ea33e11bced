//! The checklist pane: section headings with progress and fold markers, items with a state glyph and
//! who/when. Only the rows on screen are built.

use super::theme::{Glyphs, Theme};
use crate::app::App;
use crate::app::rows::Row;
use crate::model::ItemKind;
use crate::run::state::ItemState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Draws the visible slice of rows.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let h = usize::from(area.height);
    let start = app.scroll.min(app.visible.len());
    let end = (start + h).min(app.visible.len());
    let width = usize::from(area.width);
    for (offset, row) in app.visible[start..end].iter().enumerate() {
        let selected = start + offset == app.cursor;
        let y = area.y + offset as u16;
        let row_area = Rect::new(area.x, y, area.width, 1);
        match *row {
            Row::Section(s) => {
                frame.render_widget(section_line(app, s, selected, theme, glyphs), row_area);
            }
            Row::Item(i) => {
                let (line, who, style) = item_line(app, i, selected, width, theme, glyphs);
                if selected {
                    frame.buffer_mut().set_style(row_area, style);
                }
                frame.render_widget(line, row_area);
                let w = who.width() as u16;
                if w > 0 && w < area.width {
                    let r = Rect::new(area.x + area.width - w, y, w, 1);
                    frame.render_widget(who, r);
                }
            }
        }
    }
}

fn section_line<'a>(
    app: &'a App,
    s: usize,
    selected: bool,
    theme: &Theme,
    glyphs: &Glyphs,
) -> Line<'a> {
    let Some(sec) = app.template.sections.get(s) else {
        return Line::default();
    };
    let c = app.states.sections.get(s).copied().unwrap_or_default();
    let complete = c.total > 0 && c.open == 0;
    let style = theme.section(complete, selected);
    let folded = app.folded.get(s).copied().unwrap_or(false);
    let mut spans = vec![
        Span::raw("  ".repeat(sec.depth)),
        Span::styled(format!("{} ", glyphs.fold(folded)), style),
        Span::styled(app.subst(&sec.title).into_owned(), style),
    ];
    if c.total > 0 {
        spans.push(Span::styled(
            format!("  {}/{}", c.closed(), c.total),
            theme.muted(),
        ));
    }
    Line::from(spans)
}

/// An item's line, its right-aligned who/when, and the row style.
fn item_line<'a>(
    app: &'a App,
    i: usize,
    selected: bool,
    width: usize,
    theme: &Theme,
    glyphs: &Glyphs,
) -> (Line<'a>, Span<'a>, Style) {
    let Some(item) = app.template.items.get(i) else {
        return (Line::default(), Span::raw(""), Style::new());
    };
    let state = app.states.get(i);
    let style = theme.item(state, selected);
    let indent = app.indent(i);
    let mut text = app.item_text(i).into_owned();
    match (item.kind, &item.role) {
        (ItemKind::Signoff, Some(role)) if !text.contains(role.as_str()) => {
            text.push_str(&format!(" ({role})"));
        }
        (ItemKind::Gate, _) if state == ItemState::Open => text.push_str("  [gate]"),
        _ => {}
    }
    let who = if state == ItemState::Open {
        String::new()
    } else {
        app.run
            .items
            .get(&item.id)
            .and_then(|r| r.current())
            .map(|e| {
                let name = e.signer.as_deref().unwrap_or(&e.by.name);
                format!(" {} {}", short_name(name), e.at.format("%H:%M"))
            })
            .unwrap_or_default()
    };
    let highlight = app
        .found
        .as_ref()
        .filter(|f| f.matches.binary_search(&i).is_ok())
        .and_then(|f| crate::app::match_positions(&f.query, &text));
    // Keep who/when visible at the right edge: cut the text to fit.
    let fixed = indent + 4 + who.chars().count();
    let room = width.saturating_sub(fixed);
    if text.chars().count() > room {
        let cut: String = text.chars().take(room.saturating_sub(1)).collect();
        text = format!("{cut}{}", if glyphs.dot() == "|" { "~" } else { "…" });
    }
    let mut spans = vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(glyphs.state(state), style),
        Span::styled(" ", style),
    ];
    match highlight {
        Some(pos) if !pos.is_empty() => spans.extend(highlighted(&text, &pos, style, theme)),
        _ => spans.push(Span::styled(text, style)),
    }
    let line = Line::from(spans);
    let who = Span::styled(who, if selected { style } else { theme.muted() });
    (line, who, style)
}

/// `text` split into runs, the chars at `pos` (sorted) in the match style.
fn highlighted(text: &str, pos: &[usize], style: Style, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_hit = false;
    let mut next = pos.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        let hit = next.peek().is_some_and(|&&p| p == i);
        if hit {
            next.next();
        }
        if hit != cur_hit && !cur.is_empty() {
            let st = if cur_hit {
                style.patch(theme.matched())
            } else {
                style
            };
            out.push(Span::styled(std::mem::take(&mut cur), st));
        }
        cur_hit = hit;
        cur.push(c);
    }
    if !cur.is_empty() {
        let st = if cur_hit {
            style.patch(theme.matched())
        } else {
            style
        };
        out.push(Span::styled(cur, st));
    }
    out
}

fn short_name(name: &str) -> String {
    let n: String = name.chars().take(12).collect();
    n
}
