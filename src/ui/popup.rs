//! Popups over the screen: help (from the keymap), note editor, reasons, sign-off, gate decision,
//! search prompt, variables form, the run summary (with the compact timeline) and the timeline view.

use super::key_name;
use super::theme::{Glyphs, Theme};
use crate::app::editor::Editor;
use crate::app::{App, KeyMode, Mode, ReasonKind};
use crate::report::timeline::Timeline;
use crate::run::event::Decision;
use crate::run::state::ItemState;
use crate::run::view::RunView;
use chrono::Utc;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

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

fn frame_popup(
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

/// Lines of an editor with the cursor shown as a reversed cell.
pub fn editor_lines(e: &Editor, theme: &Theme) -> Vec<Line<'static>> {
    let (row, col) = e.cursor();
    e.lines()
        .iter()
        .enumerate()
        .map(|(r, l)| {
            if r != row {
                return Line::raw(l.clone());
            }
            let before: String = l.chars().take(col).collect();
            let at: String = l.chars().nth(col).map_or(" ".to_owned(), String::from);
            let after: String = l.chars().skip(col + 1).collect();
            Line::from(vec![
                Span::raw(before),
                Span::styled(at, theme.selected(Style::new())),
                Span::raw(after),
            ])
        })
        .collect()
}

/// Draws the popup of the current mode, if any.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let wide = area.width.saturating_sub(4).min(90);
    let text_of = |i: usize| app.item_text(i).into_owned();
    match &app.mode {
        Mode::Normal => {}
        Mode::Help { scroll } => help(app, frame, area, theme, glyphs, *scroll),
        Mode::Note { item, editor } => {
            let mut lines = vec![Line::styled(text_of(*item), theme.muted()), Line::default()];
            lines.extend(editor_lines(editor, theme));
            let h = (lines.len() as u16 + 4).clamp(8, area.height);
            frame_popup(
                frame,
                centered(area, wide, h),
                " note ".into(),
                lines,
                (theme, glyphs),
            );
        }
        Mode::Reason { item, kind, editor } => {
            let title = match kind {
                ReasonKind::Skip => " skip: why? ",
                ReasonKind::Na => " not applicable: why? ",
                ReasonKind::Fail => " failed: what happened? ",
            };
            let mut lines = vec![Line::styled(text_of(*item), theme.muted()), Line::default()];
            lines.extend(editor_lines(editor, theme));
            frame_popup(
                frame,
                centered(area, wide, 8),
                title.into(),
                lines,
                (theme, glyphs),
            );
        }
        Mode::Sign { item, name } => {
            let role = app
                .template
                .items
                .get(*item)
                .and_then(|i| i.role.clone())
                .unwrap_or_else(|| "(no role given)".to_owned());
            let mut lines = vec![
                Line::raw(text_of(*item)),
                Line::styled(format!("role: {role}"), theme.title()),
                Line::default(),
                Line::styled("signed by:", theme.muted()),
            ];
            lines.extend(editor_lines(name, theme));
            lines.push(Line::default());
            lines.push(Line::styled(
                format!("recorded as {}; Enter signs", app.actor.describe()),
                theme.muted(),
            ));
            frame_popup(
                frame,
                centered(area, wide, 10),
                " sign off ".into(),
                lines,
                (theme, glyphs),
            );
        }
        Mode::Gate {
            item,
            decision,
            reason,
        } => {
            let pick = |d: Decision, label: &'static str| {
                let st = if d == Decision::Go {
                    ItemState::Go
                } else {
                    ItemState::NoGo
                };
                let style = theme.item(st, *decision == d);
                Span::styled(format!(" {label} "), style)
            };
            let mut lines = vec![
                Line::raw(text_of(*item)),
                Line::default(),
                Line::from(vec![
                    pick(Decision::Go, "GO"),
                    Span::raw("   "),
                    pick(Decision::NoGo, "NO-GO"),
                    Span::styled("   (Tab switches)", theme.muted()),
                ]),
                Line::default(),
                Line::styled(
                    if *decision == Decision::NoGo {
                        "reason (required):"
                    } else {
                        "reason (optional):"
                    },
                    theme.muted(),
                ),
            ];
            lines.extend(editor_lines(reason, theme));
            frame_popup(
                frame,
                centered(area, wide, 11),
                " gate decision ".into(),
                lines,
                (theme, glyphs),
            );
        }
        Mode::Search { query, .. } => {
            let n = app.found.as_ref().map_or(0, |f| f.matches.len());
            let bar = Rect::new(area.x, area.bottom().saturating_sub(2), area.width, 1);
            let mut spans = vec![Span::styled("/", theme.key())];
            spans.extend(editor_lines(query, theme).remove(0).spans);
            spans.push(Span::styled(format!("  {n} match(es)"), theme.muted()));
            frame.render_widget(Clear, bar);
            frame.render_widget(Paragraph::new(Line::from(spans)), bar);
        }
        Mode::Vars {
            names,
            current,
            editor,
        } => {
            let mut lines = vec![
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
                lines.push(Line::raw(format!("{mark}{n}")));
            }
            lines.push(Line::default());
            if let Some(n) = names.get(*current) {
                lines.push(Line::styled(format!("{n} ="), theme.title()));
            }
            lines.extend(editor_lines(editor, theme));
            let h = (lines.len() as u16 + 2).min(area.height);
            frame_popup(
                frame,
                centered(area, wide, h),
                " variables ".into(),
                lines,
                (theme, glyphs),
            );
        }
        Mode::Summary => summary(app, frame, area, theme, glyphs),
        Mode::Timeline { scroll } => {
            super::timeline::render(app, frame, area, theme, glyphs, *scroll);
        }
    }
}

fn help(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs, scroll: u16) {
    let mut lines = Vec::new();
    for mode in KeyMode::ALL {
        let bs: Vec<_> = app
            .keymap
            .bindings
            .iter()
            .filter(|b| b.mode == mode)
            .collect();
        if bs.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(mode.as_str().to_owned(), theme.title()));
        for b in bs {
            let keys: Vec<String> = b.keys.iter().map(|k| key_name(*k, glyphs)).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" ")), theme.key()),
                Span::raw(b.desc.clone()),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "Rebind keys in ~/.config/runsheet/keymap.toml. Every change is saved when shown.",
        theme.muted(),
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_set(glyphs.border())
        .border_style(theme.border())
        .title(Span::styled(" keys (Esc closes) ", theme.title()));
    let r = centered(
        area,
        area.width.saturating_sub(4).min(80),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), r);
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
                    c.closed_summary()
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
        if app.run.is_active() {
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
