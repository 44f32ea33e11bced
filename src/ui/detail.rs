//! The detail pane and the zoom view: the selected row's [`crate::app::detail::Doc`] (styled text,
//! body, numbered code blocks with their copy keys, fields, role, notes, history) as rows that fit
//! the pane exactly. In the pane, long code wraps at the edge with its indentation kept and a `↪`
//! mark; in the zoom view it scrolls sideways.

use super::theme::{Glyphs, Theme};
use crate::app::detail::{CodeLayout, Piece};
use crate::app::layout;
use crate::app::{App, Mode};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block as UiBlock, Borders, Clear, Paragraph};

fn line_of(row: Vec<Piece>, theme: &Theme) -> Line<'static> {
    Line::from(
        row.into_iter()
            .map(|p| Span::styled(p.text, theme.tone(p.tone)))
            .collect::<Vec<_>>(),
    )
}

/// Draws the pane; returns how many rows were built.
pub fn render(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    glyphs: &Glyphs,
    wide: bool,
) -> usize {
    if area.height == 0 || area.width == 0 {
        return 0;
    }
    let borders = if wide { Borders::LEFT } else { Borders::TOP };
    let block = UiBlock::default()
        .borders(borders)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(" detail · z zooms ", theme.muted()));
    let (w, h) = app.detail_inner();
    let rows = app.detail_doc().rows(w, CodeLayout::Wrap);
    let n = rows.len();
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(usize::from(app.detail_scroll))
        .take(h)
        .map(|r| line_of(r, theme))
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
    n
}

/// Draws the zoom view over everything but the footer.
pub fn zoom(app: &App, frame: &mut Frame, theme: &Theme, glyphs: &Glyphs) {
    let Mode::Zoom { scroll, hscroll } = app.mode else {
        return;
    };
    let (sw, sh) = (frame.area().width, frame.area().height);
    let area = super::rect(layout::zoom(sw, sh));
    let inner = layout::inner(layout::zoom(sw, sh));
    if inner.w == 0 || inner.h == 0 {
        return;
    }
    let rows = app.detail_doc().rows(
        usize::from(inner.w),
        CodeLayout::Scroll {
            skip: usize::from(hscroll),
        },
    );
    let total = rows.len();
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(usize::from(scroll))
        .take(usize::from(inner.h))
        .map(|r| line_of(r, theme))
        .collect();
    let shown = (usize::from(scroll) + usize::from(inner.h)).min(total);
    let title = format!(
        " {}–{} of {} · ←/→ scroll code · y copies · Esc closes ",
        usize::from(scroll).min(total) + usize::from(total > 0),
        shown,
        total
    );
    let block = UiBlock::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
