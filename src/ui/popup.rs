//! Popups over the screen: help (from the keymap, with a legend of every mark), note editor,
//! reasons, sign-off, gate decision, search prompt, variables form, the message log, the choice of
//! a code block, the run summary (with the compact timeline), the timeline and the zoom view.

use super::theme::{Glyphs, Theme};
use crate::app::editor::Editor;
use crate::app::width::{chunks, fit, grapheme_width, width};
use crate::app::{App, Mode, ReasonKind};
use crate::input::Keymap;
use crate::report::timeline::Timeline;
use crate::run::state::ItemState;
use crate::run::view::RunView;
use chrono::Utc;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation;

/// A `w`×`h` rectangle centred in `area`, clamped to it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn frame_popup(
    frame: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line<'_>>,
    (theme, glyphs): (&Theme, &Glyphs),
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// Rows of an editor wrapped at `w` columns (clusters kept whole), the cursor shown as a reversed
/// cell, and the row the cursor is on.
pub fn editor_rows(e: &Editor, w: usize, theme: &Theme) -> (Vec<Line<'static>>, usize) {
    let w = w.max(2);
    let (row, col) = e.cursor();
    let mut out = Vec::new();
    let mut cursor_row = 0;
    for (r, l) in e.lines().iter().enumerate() {
        let parts = chunks(l, w);
        let mut seen = 0; // clusters before this part
        let last = parts.len() - 1;
        for (k, part) in parts.into_iter().enumerate() {
            let n = part.graphemes(true).count();
            let here =
                r == row && col >= seen && (col < seen + n || (k == last && col == seen + n));
            if !here {
                out.push(Line::raw(part));
                seen += n;
                continue;
            }
            cursor_row = out.len();
            let gs: Vec<&str> = part.graphemes(true).collect();
            let at = col - seen;
            let before: String = gs[..at].concat();
            let cell = gs
                .get(at)
                .map_or(" ", |g| if grapheme_width(g) == 0 { " " } else { g });
            let after: String = gs.get(at + 1..).map(|g| g.concat()).unwrap_or_default();
            if at == n && width(&part) >= w {
                // The cursor sits after a full row: show it at the start of the next one.
                out.push(Line::raw(part));
                cursor_row = out.len();
                out.push(Line::from(Span::styled(" ", theme.selected(Style::new()))));
            } else {
                out.push(Line::from(vec![
                    Span::raw(before),
                    Span::styled(cell.to_owned(), theme.selected(Style::new())),
                    Span::raw(after),
                ]));
            }
            seen += n;
        }
    }
    (out, cursor_row)
}

/// The editor's rows that fit in `h`, scrolled so the cursor is visible.
fn editor_window(e: &Editor, w: usize, h: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (rows, at) = editor_rows(e, w, theme);
    let h = h.max(1);
    let start = (at + 1).saturating_sub(h);
    rows.into_iter().skip(start).take(h).collect()
}

/// A text popup: a muted line about the item, a blank, then the editor scrolled to its cursor.
#[allow(clippy::too_many_arguments)]
pub(super) fn editor_popup(
    frame: &mut Frame,
    area: Rect,
    title: String,
    head: Vec<Line<'static>>,
    e: &Editor,
    tail: Vec<Line<'static>>,
    min_h: u16,
    (theme, glyphs): (&Theme, &Glyphs),
) {
    let w = area.width.saturating_sub(4).min(90);
    let inner_w = usize::from(w.saturating_sub(2));
    let (rows, _) = editor_rows(e, inner_w, theme);
    let want = head.len() + rows.len() + tail.len() + 2;
    let h = u16::try_from(want)
        .unwrap_or(u16::MAX)
        .clamp(min_h.min(area.height), area.height);
    let room = usize::from(h.saturating_sub(2)).saturating_sub(head.len() + tail.len());
    let mut lines = head;
    lines.extend(editor_window(e, inner_w, room, theme));
    lines.extend(tail);
    frame_popup(frame, centered(area, w, h), title, lines, (theme, glyphs));
}

/// Draws the popup of the current mode, if any.
pub fn render(
    app: &App,
    keymap: &Keymap,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    glyphs: &Glyphs,
) {
    let wide = area.width.saturating_sub(4).min(90);
    let inner_w = usize::from(wide.saturating_sub(2));
    let head = |id: &crate::model::ItemId| {
        vec![
            Line::styled(
                fit(&app.item_text_of(id), inner_w, glyphs.ellipsis()),
                theme.muted(),
            ),
            Line::default(),
        ]
    };
    let tg = (theme, glyphs);
    if super::command::popup(app, frame, area, tg) {
        return;
    }
    match &app.mode {
        Mode::Normal
        | Mode::RunConfirm { .. }
        | Mode::Secret { .. }
        | Mode::CommandDone { .. }
        | Mode::CommandNote { .. }
        | Mode::Output { .. } => {}
        Mode::Help { scroll } => super::help::help(app, keymap, frame, area, tg, *scroll),
        Mode::Messages { scroll } => super::help::messages(app, frame, area, tg, *scroll),
        Mode::Zoom { .. } => super::detail::zoom(app, frame, theme, glyphs),
        Mode::Copy { from_zoom } => {
            if *from_zoom {
                super::detail::zoom(app, frame, theme, glyphs);
            }
            copy_choice(app, frame, area, tg);
        }
        Mode::Note { item, editor } => {
            editor_popup(
                frame,
                area,
                " note ".into(),
                head(item),
                editor,
                Vec::new(),
                8,
                tg,
            );
        }
        Mode::Reason { item, kind, editor } => {
            let title = match kind {
                ReasonKind::Skip => " skip: why? ",
                ReasonKind::Na => " not applicable: why? ",
                ReasonKind::Fail => " failed: what happened? ",
            };
            editor_popup(
                frame,
                area,
                title.into(),
                head(item),
                editor,
                Vec::new(),
                8,
                tg,
            );
        }
        Mode::Field {
            item,
            column,
            editor,
        } => {
            let columns = app.fillable_values(item);
            let name = columns
                .get(*column)
                .map_or_else(String::new, |(c, _)| c.clone());
            let mut tail = Vec::new();
            if columns.len() > 1 {
                let list: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (c, v))| {
                        let mark = if i == *column { "▸" } else { " " };
                        let value = v.as_deref().unwrap_or("(blank)");
                        format!("{mark} {c}: {value}")
                    })
                    .collect();
                tail.push(Line::default());
                for l in list {
                    tail.push(Line::styled(l, theme.muted()));
                }
            }
            editor_popup(
                frame,
                area,
                format!(" fill in {name} "),
                head(item),
                editor,
                tail,
                8,
                tg,
            );
        }
        Mode::Sign { item, name } => {
            let role = app
                .item_index(item)
                .and_then(|i| app.template.items.get(i))
                .and_then(|i| i.role.clone())
                .unwrap_or_else(|| "(no role given)".to_owned());
            let head = vec![
                Line::raw(fit(&app.item_text_of(item), inner_w, glyphs.ellipsis())),
                Line::styled(format!("role: {role}"), theme.title()),
                Line::default(),
                Line::styled("signed by:", theme.muted()),
            ];
            let tail = vec![
                Line::default(),
                Line::styled(
                    fit(
                        &format!("recorded as {}; Enter signs", app.actor.describe()),
                        inner_w,
                        glyphs.ellipsis(),
                    ),
                    theme.muted(),
                ),
            ];
            editor_popup(frame, area, " sign off ".into(), head, name, tail, 10, tg);
        }
        Mode::Gate {
            item,
            decision,
            reason,
            scope,
        } => super::dialogs::gate(app, frame, area, item, *decision, reason, scope, tg),
        Mode::Confirm(q) => super::dialogs::confirm(frame, area, q, tg),
        Mode::AfterNoGo { gate } => super::dialogs::after_no_go(app, frame, area, gate, tg),
        Mode::RunReason { kind, editor } => {
            super::dialogs::run_reason(app, frame, area, kind, editor, tg);
        }
        Mode::Window {
            initial,
            start,
            error,
            ..
        } => super::dialogs::window(app, frame, area, *initial, start, error.as_deref(), tg),
        Mode::Info { scroll } => super::dialogs::info(app, frame, area, *scroll, tg),
        Mode::Search { query, fuzzy, .. } => {
            let n = app.found.as_ref().map_or(0, |f| f.matches.len());
            let bar = Rect::new(area.x, area.bottom().saturating_sub(2), area.width, 1);
            let mut spans = vec![Span::styled("/", theme.key())];
            let kind = if *fuzzy { "fuzzy" } else { "substring" };
            let tail = format!("  {n} match(es) · {kind} (Tab switches)");
            let room = usize::from(area.width).saturating_sub(1 + width(&tail));
            spans.extend(editor_window(query, room, 1, theme).remove(0).spans);
            spans.push(Span::styled(tail, theme.muted()));
            frame.render_widget(Clear, bar);
            frame.render_widget(Paragraph::new(Line::from(spans)), bar);
        }
        Mode::Vars {
            names,
            current,
            editor,
        } => {
            let mut head = vec![
                Line::styled(
                    "This template has variables without a value. They are recorded in the run.",
                    theme.muted(),
                ),
                Line::default(),
            ];
            for (k, n) in names.iter().enumerate() {
                let mark = if k < *current {
                    "set "
                } else if k == *current {
                    "->  "
                } else {
                    "    "
                };
                head.push(Line::raw(format!("{mark}{n}")));
            }
            head.push(Line::default());
            if let Some(n) = names.get(*current) {
                head.push(Line::styled(format!("{n} ="), theme.title()));
            }
            editor_popup(
                frame,
                area,
                " variables ".into(),
                head,
                editor,
                Vec::new(),
                6,
                tg,
            );
        }
        Mode::Summary => summary(app, frame, area, theme, glyphs),
        Mode::Timeline { scroll } => {
            super::timeline::render(app, frame, area, theme, glyphs, *scroll);
        }
    }
}

fn copy_choice(app: &App, frame: &mut Frame, area: Rect, tg: (&Theme, &Glyphs)) {
    let (theme, glyphs) = tg;
    let blocks = app.blocks_on_screen();
    let w = area.width.saturating_sub(4).min(90);
    let inner_w = usize::from(w.saturating_sub(2));
    let mut lines = Vec::new();
    for (k, b) in blocks.iter().enumerate().take(9) {
        let first = b.text.lines().next().unwrap_or("");
        let n = b.text.lines().count();
        let text = format!(
            "{} {} · {n} line(s) · {first}",
            k + 1,
            b.lang.as_deref().unwrap_or("code")
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", k + 1), theme.key()),
            Span::raw(fit(
                &text[2..],
                inner_w.saturating_sub(2),
                glyphs.ellipsis(),
            )),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "a digit copies that block · Enter copies all · Esc cancels",
        theme.muted(),
    ));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    frame_popup(
        frame,
        centered(area, w, h),
        " copy which block? ".into(),
        lines,
        tg,
    );
}

fn summary(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let view = RunView::new(&app.run, &app.template);
    let c = app.states.all;
    let end = app.run.lifecycle.ended_at().unwrap_or(app.now);
    let mut lines = vec![
        Line::styled(
            format!(
                "{} · {}",
                app.subst(&app.template.title),
                if app.run.is_active() {
                    format!("{} · {}", view.outcome(), c.closed_summary())
                } else {
                    view.outcome()
                }
            ),
            theme.title(),
        ),
        Line::raw(format!(
            "{} items: done {}, skipped {}, n/a {}, failed {}, no-go {}, open {}",
            c.total, c.done, c.skipped, c.na, c.failed, c.no_go, c.open
        )),
        Line::raw(format!(
            "started {} by {} · duration {}",
            app.run.started_at.format("%Y-%m-%d %H:%M"),
            app.run.started_by.name,
            crate::app::schedule::short_duration(end - app.run.started_at)
        )),
        Line::default(),
    ];
    let popup_w = area.width.saturating_sub(4).min(100);
    let tl = Timeline::from_view(&view, app.now.with_timezone(&Utc));
    lines.extend(super::timeline::compact_lines(
        &tl,
        popup_w.saturating_sub(2),
        theme,
        glyphs,
    ));
    let signed: Vec<_> = view
        .items()
        .iter()
        .filter(|r| r.state == ItemState::Signed)
        .collect();
    if !signed.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Sign-offs", theme.title()));
        for r in signed {
            if let Some(e) = r.entry {
                lines.push(Line::raw(format!(
                    "  {} — {}{} {}",
                    r.text,
                    e.signer.as_deref().unwrap_or(&e.by.name),
                    e.role
                        .as_deref()
                        .map(|x| format!(" ({x})"))
                        .unwrap_or_default(),
                    e.at.format("%H:%M")
                )));
            }
        }
    }
    let orphans = view.orphans();
    if !orphans.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(
            "Orphaned by a re-base (kept, not in the template any more)",
            theme.warning(),
        ));
        for r in orphans {
            lines.push(Line::raw(format!(
                "  {} — {} ({})",
                r.text, r.state, r.section_title
            )));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        format!("head {}", app.run.head.get(..16).unwrap_or(&app.run.head)),
        theme.muted(),
    ));
    lines.push(Line::raw(format!(
        "export: runsheet report {} --format md -o record.md",
        app.run.id
    )));
    lines.push(Line::styled(
        if app.run.is_active() && c.open == 0 && c.failures() > 0 {
            "Enter finishes with exceptions (a reason, then a confirmation) · Esc goes back"
        } else if app.run.is_active() {
            "Enter finishes the run · Esc goes back"
        } else {
            "Esc closes"
        },
        theme.key(),
    ));
    let h = (lines.len() as u16 + 2).min(area.height);
    frame_popup(
        frame,
        centered(area, popup_w, h),
        " run summary ".into(),
        lines,
        (theme, glyphs),
    );
}
