//! Commands on screen: the output pane docked below the checklist (the last lines, following the
//! end), its full-screen view, the confirmation before a command runs, the secret form, and the
//! offer after it ended. Output text is already clean (control sequences removed by
//! `exec::clean`): nothing a command prints reaches the terminal raw.

use super::popup::{centered, editor_popup, frame_popup};
use super::theme::{Glyphs, Theme};
use crate::app::command::Pane;
use crate::app::width::fit;
use crate::app::{App, Mode};
use crate::exec::buffer::LineRef;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The pane's status style: running, succeeded, or anything else.
fn status_style(p: &Pane, theme: &Theme) -> Style {
    match &p.ended {
        None => theme.warning(),
        Some(f) if f.succeeded() => theme.gauge(),
        Some(_) => theme.error(),
    }
}

fn line_of(l: LineRef<'_>, w: usize, theme: &Theme, glyphs: &Glyphs) -> Line<'static> {
    match l {
        LineRef::Text(t) => Line::raw(fit(t, w, glyphs.ellipsis())),
        LineRef::Omitted { lines, bytes } => Line::styled(
            format!(
                "… {lines} lines ({bytes} bytes) not kept on screen: the output file has them …"
            ),
            theme.muted(),
        ),
    }
}

/// The title of the pane or view: what runs and how it stands.
fn title(app: &App, p: &Pane, w: usize, glyphs: &Glyphs, tail: &str) -> String {
    let mark = match &p.ended {
        None => glyphs.running(),
        Some(f) if f.succeeded() => glyphs.verified(),
        Some(_) => glyphs.failed(),
    };
    let mut t = format!(" {mark} {} · {}", p.status(app.now), p.title);
    if p.ended.is_some() {
        for x in &p.expected {
            t.push_str(&format!(" · expected: {x}"));
        }
    }
    t.push_str(tail);
    t.push(' ');
    fit(&t, w, glyphs.ellipsis())
}

/// Draws the docked pane in `area` (its top border carries the title).
pub fn docked(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let Some(p) = app.pane.as_ref() else {
        return;
    };
    if area.height < 2 || area.width < 4 {
        return;
    }
    let w = usize::from(area.width);
    let tail = if p.running() {
        " · Ctrl-C interrupts · o whole output"
    } else {
        " · o whole output · O hides"
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(
            title(app, p, w.saturating_sub(2), glyphs, tail),
            status_style(p, theme),
        ));
    let rows = usize::from(area.height - 1);
    let total = p.buffer.len();
    let lines: Vec<Line> = if total == 0 {
        vec![Line::styled(
            if p.running() {
                "(no output yet)"
            } else {
                "(no output)"
            },
            theme.muted(),
        )]
    } else {
        p.buffer
            .window(total.saturating_sub(rows), rows)
            .map(|l| line_of(l, w, theme, glyphs))
            .collect()
    };
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Draws the full-screen output view over everything but the footer.
pub fn full(app: &App, frame: &mut Frame, scroll: Option<usize>, theme: &Theme, glyphs: &Glyphs) {
    let Some(p) = app.pane.as_ref() else {
        return;
    };
    let (sw, sh) = (frame.area().width, frame.area().height);
    let outer = crate::app::layout::zoom(sw, sh);
    let inner = crate::app::layout::inner(outer);
    if inner.w == 0 || inner.h == 0 {
        return;
    }
    let (rows, total) = app.output_view_size();
    let rows = rows.min(usize::from(inner.h));
    let top = scroll
        .unwrap_or(total.saturating_sub(rows))
        .min(total.saturating_sub(rows));
    let w = usize::from(inner.w);
    let lines: Vec<Line> = p
        .buffer
        .window(top, rows)
        .map(|l| line_of(l, w, theme, glyphs))
        .collect();
    let shown = (top + rows).min(total);
    let follow = if scroll.is_none() { " (following)" } else { "" };
    let where_ = format!(
        " · lines {}–{shown} of {total}{follow} · {} bytes printed · j/k PgUp/PgDn scroll · G follows · Esc closes",
        top.min(total) + usize::from(total > 0),
        p.buffer.total_bytes()
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(
            title(
                app,
                p,
                usize::from(outer.w).saturating_sub(2),
                glyphs,
                &where_,
            ),
            status_style(p, theme),
        ));
    let area = super::rect(outer);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The popups of commands; `true` when the mode was one of them.
pub fn popup(app: &App, frame: &mut Frame, area: Rect, tg: (&Theme, &Glyphs)) -> bool {
    let (theme, glyphs) = tg;
    match &app.mode {
        Mode::RunConfirm {
            preview,
            code,
            blocked,
            error,
        } => {
            let w = area.width.saturating_sub(4).min(100);
            let inner_w = usize::from(w.saturating_sub(2));
            let mut head: Vec<Line<'static>> = Vec::new();
            if let Some(b) = blocked {
                head.push(Line::styled(
                    fit(
                        &format!("There is a {b}: it is recorded as run after it."),
                        inner_w,
                        glyphs.ellipsis(),
                    ),
                    theme.warning(),
                ));
            }
            for l in preview.preview.lines() {
                let style = if l.starts_with("  DESTRUCTIVE") {
                    theme.error()
                } else if l.starts_with('“') {
                    theme.title()
                } else {
                    Style::new()
                };
                head.push(Line::styled(fit(l, inner_w, glyphs.ellipsis()), style));
            }
            if let Some(e) = error {
                head.push(Line::styled(e.clone(), theme.error()));
            }
            match &preview.needs_code {
                Some(c) => {
                    head.push(Line::styled(
                        format!("Type the item's code {c} and Enter to run it · Esc: do not run"),
                        theme.warning(),
                    ));
                    editor_popup(
                        frame,
                        area,
                        " run this command? (destructive) ".into(),
                        head,
                        code,
                        Vec::new(),
                        8,
                        tg,
                    );
                }
                None => {
                    head.push(Line::default());
                    head.push(Line::from(vec![
                        Span::styled("Enter", theme.key()),
                        Span::raw(" / "),
                        Span::styled("y", theme.key()),
                        Span::raw(" run it now   "),
                        Span::styled("Esc", theme.key()),
                        Span::raw(" / "),
                        Span::styled("n", theme.key()),
                        Span::raw(" do not run"),
                    ]));
                    let h = u16::try_from(head.len() + 2).unwrap_or(u16::MAX);
                    frame_popup(
                        frame,
                        centered(area, w, h),
                        " run this command? ".into(),
                        head,
                        tg,
                    );
                }
            }
            true
        }
        Mode::Secret {
            names,
            current,
            editor,
            ..
        } => {
            let name = names.get(*current).cloned().unwrap_or_default();
            let head = vec![
                Line::styled(
                    "The command needs a secret value. It is passed to the command only: never written to the journal, the outputs or the reports.",
                    theme.muted(),
                ),
                Line::default(),
                Line::styled(format!("{name} (not shown as you type) ="), theme.title()),
            ];
            // The value is never drawn: one mark per character typed.
            let masked =
                crate::app::editor::Editor::single(&"•".repeat(editor.text().chars().count()));
            editor_popup(
                frame,
                area,
                " secret value ".into(),
                head,
                &masked,
                vec![Line::styled(
                    "Enter sets it · Esc: do not run",
                    theme.muted(),
                )],
                8,
                tg,
            );
            true
        }
        Mode::CommandDone { item, ok } => {
            let w = area.width.saturating_sub(4).min(90);
            let inner_w = usize::from(w.saturating_sub(2));
            let mut lines = Vec::new();
            if let Some(p) = app.pane.as_ref() {
                lines.push(Line::styled(
                    fit(
                        &format!("“{}”: {}", app.item_text_of(item), p.status(app.now)),
                        inner_w,
                        glyphs.ellipsis(),
                    ),
                    status_style(p, theme),
                ));
                for x in &p.expected {
                    lines.push(Line::styled(
                        fit(&format!("expected: {x}"), inner_w, glyphs.ellipsis()),
                        theme.muted(),
                    ));
                }
                lines.push(Line::default());
                for l in p.buffer.last_lines(6) {
                    lines.push(Line::raw(fit(l, inner_w, glyphs.ellipsis())));
                }
                lines.push(Line::default());
            }
            let what = if *ok {
                " tick it (verified by command)   "
            } else {
                " mark it failed, the output's last lines as the note   "
            };
            lines.push(Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(what),
            ]));
            lines.push(Line::from(vec![
                Span::styled("n", theme.key()),
                Span::raw(" add a note first   "),
                Span::styled("o", theme.key()),
                Span::raw(" whole output   "),
                Span::styled("Esc", theme.key()),
                Span::raw(" leave it"),
            ]));
            let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
            let title = if *ok {
                " command succeeded "
            } else {
                " command failed "
            };
            frame_popup(frame, centered(area, w, h), title.into(), lines, tg);
            true
        }
        Mode::CommandNote { item, ok, editor } => {
            let what = if *ok {
                "the tick's note"
            } else {
                "the failure's note (the output's last lines follow it)"
            };
            let head = vec![
                Line::styled(
                    fit(
                        &format!("{} — {what}", app.item_text_of(item)),
                        usize::from(area.width.saturating_sub(6)),
                        glyphs.ellipsis(),
                    ),
                    theme.muted(),
                ),
                Line::default(),
            ];
            editor_popup(
                frame,
                area,
                " note ".into(),
                head,
                editor,
                Vec::new(),
                8,
                tg,
            );
            true
        }
        Mode::Output { scroll } => {
            full(app, frame, *scroll, theme, glyphs);
            true
        }
        _ => false,
    }
}
