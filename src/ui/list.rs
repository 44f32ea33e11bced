//! The checklist pane: section headings with progress (of everything inside, so a folded heading
//! still says how far its part is) and fold markers; items with a glyph for their state and kind, a
//! mark when they have notes, and who/when at the right edge. Only the rows on screen are built.

use super::theme::{Glyphs, Theme};
use crate::app::App;
use crate::app::rows::Row;
use crate::app::width::{fit, width};
use crate::run::state::ItemState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

/// Draws the visible slice of rows; returns how many were built.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) -> usize {
    let h = usize::from(area.height);
    let start = app.scroll.min(app.visible.len());
    let end = (start + h).min(app.visible.len());
    let width = usize::from(area.width);
    for (offset, row) in app.visible[start..end].iter().enumerate() {
        let selected = start + offset == app.cursor;
        let y = area.y + u16::try_from(offset).unwrap_or(u16::MAX);
        let row_area = Rect::new(area.x, y, area.width, 1);
        match *row {
            Row::Section(s) => {
                let (line, style) = section_line(app, s, selected, width, theme, glyphs);
                if selected {
                    frame.buffer_mut().set_style(row_area, style);
                }
                frame.render_widget(line, row_area);
            }
            Row::Item(i) => {
                let (line, who, style) = item_line(app, i, selected, width, theme, glyphs);
                if selected {
                    frame.buffer_mut().set_style(row_area, style);
                }
                frame.render_widget(line, row_area);
                let w = u16::try_from(width_of(&who)).unwrap_or(u16::MAX);
                if w > 0 && w < area.width {
                    let r = Rect::new(area.x + area.width - w, y, w, 1);
                    frame.render_widget(who, r);
                }
            }
        }
    }
    end - start
}

fn width_of(s: &Span<'_>) -> usize {
    width(&s.content)
}

fn section_line<'a>(
    app: &'a App,
    s: usize,
    selected: bool,
    w: usize,
    theme: &Theme,
    glyphs: &Glyphs,
) -> (Line<'a>, Style) {
    let Some(sec) = app.template.sections.get(s) else {
        return (Line::default(), Style::new());
    };
    let c = app.states.subtree.get(s).copied().unwrap_or_default();
    let complete = c.total > 0 && c.open == 0;
    let style = theme.section(complete, selected);
    let folded = app.folded.get(s).copied().unwrap_or(false);
    let indent = "  ".repeat(sec.depth);
    let counts = if c.total > 0 {
        format!("  {}/{}", c.closed(), c.total)
    } else {
        String::new()
    };
    let room = w.saturating_sub(width(&indent) + 2 + width(&counts));
    let title = fit(&app.subst(&sec.title), room, glyphs.ellipsis());
    let mut spans = vec![
        Span::raw(indent),
        Span::styled(format!("{} ", glyphs.fold(folded)), style),
    ];
    spans.extend(highlighted(
        &title,
        app.highlight(Row::Section(s), &title),
        style,
        theme,
    ));
    if !counts.is_empty() {
        spans.push(Span::styled(counts, theme.muted()));
    }
    (Line::from(spans), style)
}

/// Who closed the item and when, shown at the right edge: the whole name when it fits beside the
/// text (or in a third of the row), else cut with an ellipsis (the detail pane has it in full).
fn who_when(app: &App, i: usize, width: usize, free: usize, glyphs: &Glyphs) -> String {
    let Some(item) = app.template.items.get(i) else {
        return String::new();
    };
    if app.states.get(i) == ItemState::Open {
        return String::new();
    }
    let Some(e) = app.run.items.get(&item.id).and_then(|r| r.current()) else {
        return String::new();
    };
    let name = e.signer.as_deref().unwrap_or(&e.by.name);
    let time = e.at.format("%H:%M").to_string();
    let room = free.max(width / 3).saturating_sub(time.len() + 2).max(4);
    format!(" {} {time}", fit(name, room, glyphs.ellipsis()))
}

/// An item's line, its right-aligned who/when, and the row style.
fn item_line<'a>(
    app: &'a App,
    i: usize,
    selected: bool,
    width_: usize,
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
    if let (crate::model::ItemKind::Signoff, Some(role)) = (item.kind, &item.role)
        && !text.contains(role.as_str())
    {
        text.push_str(&format!(" ({role})"));
    }
    let mut notes = if app.has_notes(i) {
        format!(" {}", glyphs.notes())
    } else {
        String::new()
    };
    if app.item_running(&item.id) {
        notes.push_str(&format!(" {}", glyphs.running()));
    } else if state == ItemState::Done
        && app
            .run
            .items
            .get(&item.id)
            .is_some_and(|r| r.verified_by_command())
    {
        notes.push_str(&format!(" {}", glyphs.verified()));
    }
    let free = width_.saturating_sub(indent + 4 + width(&text) + width(&notes) + 1);
    let who = who_when(app, i, width_, free, glyphs);
    // Keep who/when and the notes mark visible: cut the text to fit.
    let fixed = indent + 4 + width(&who) + width(&notes);
    let room = width_.saturating_sub(fixed);
    let pos = app.highlight(Row::Item(i), &text);
    let hidden_match = pos.is_none()
        && app
            .found
            .as_ref()
            .is_some_and(|f| f.matches.contains(&Row::Item(i)));
    let text = if width(&text) > room {
        fit(&text, room, glyphs.ellipsis())
    } else {
        text
    };
    let mut spans = vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(glyphs.item(state, item.kind), style),
        Span::styled(" ", style),
    ];
    spans.extend(highlighted(&text, pos, style, theme));
    if !notes.is_empty() {
        spans.push(Span::styled(notes, theme.key()));
    }
    if hidden_match {
        let tag = " (match in details)";
        let used = indent + 4 + width(&text) + width(&who);
        if used + width(tag) <= width_ {
            spans.push(Span::styled(tag, theme.matched()));
        }
    }
    let line = Line::from(spans);
    let who = Span::styled(who, if selected { style } else { theme.muted() });
    (line, who, style)
}

/// `text` split into runs, the grapheme clusters at `pos` (sorted) in the match style.
fn highlighted(
    text: &str,
    pos: Option<Vec<usize>>,
    style: Style,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let Some(pos) = pos.filter(|p| !p.is_empty()) else {
        return vec![Span::styled(text.to_owned(), style)];
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_hit = false;
    let mut next = pos.iter().peekable();
    let flush = |cur: &mut String, hit: bool, out: &mut Vec<Span<'static>>| {
        if !cur.is_empty() {
            let st = if hit {
                style.patch(theme.matched())
            } else {
                style
            };
            out.push(Span::styled(std::mem::take(cur), st));
        }
    };
    for (i, g) in text.graphemes(true).enumerate() {
        while next.peek().is_some_and(|&&p| p < i) {
            next.next();
        }
        let hit = next.peek().is_some_and(|&&p| p == i);
        if hit != cur_hit {
            flush(&mut cur, cur_hit, &mut out);
        }
        cur_hit = hit;
        cur.push_str(g);
    }
    flush(&mut cur, cur_hit, &mut out);
    out
}
