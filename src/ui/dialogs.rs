//! The popups of gates with consequences and run-level changes: the gate dialog (its scope listed,
//! nothing chosen at first), the yes/no question before a change, the choice after a NO-GO, the
//! reason for a HOLD / resume / abort / window move / finish with exceptions, the window's start,
//! and the run information.

use super::popup::{centered, editor_popup, frame_popup};
use super::theme::{Glyphs, Theme};
use crate::app::editor::Editor;
use crate::app::width::fit;
use crate::app::{App, Question, RunReasonKind};
use crate::config::GoReason;
use crate::model::ItemId;
use crate::run::event::Decision;
use crate::run::gates;
use crate::run::state::ItemState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Most scope rows listed before `… and N more`.
const SCOPE_ROWS: usize = 8;

/// The gate dialog.
#[allow(clippy::too_many_arguments)]
pub fn gate(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    item: &ItemId,
    decision: Option<Decision>,
    reason: &Editor,
    scope: &[usize],
    tg: (&Theme, &Glyphs),
) {
    let (theme, glyphs) = tg;
    let inner_w = usize::from(area.width.saturating_sub(4).min(90).saturating_sub(2));
    let mut head = vec![Line::raw(fit(
        &app.item_text_of(item),
        inner_w,
        glyphs.ellipsis(),
    ))];
    if let Some(b) = app.blocker() {
        head.push(Line::styled(
            fit(&app.blocker_text_of(b, false), inner_w, glyphs.ellipsis()),
            theme.warning(),
        ));
    }
    head.push(Line::default());
    if scope.is_empty() {
        head.push(Line::styled(
            "nothing open or failed in this gate's scope",
            theme.muted(),
        ));
    } else {
        head.push(Line::styled(
            format!("{} still open or failed in this gate's scope:", scope.len()),
            theme.warning(),
        ));
        for &i in scope.iter().take(SCOPE_ROWS) {
            let st = app.states.get(i);
            let mark = glyphs.item(st, app.kind(i));
            let text = fit(
                &format!("{mark} {}", app.item_text(i)),
                inner_w.saturating_sub(2),
                glyphs.ellipsis(),
            );
            head.push(Line::styled(format!("  {text}"), theme.item(st, false)));
        }
        if scope.len() > SCOPE_ROWS {
            head.push(Line::styled(
                format!("  … and {} more", scope.len() - SCOPE_ROWS),
                theme.muted(),
            ));
        }
    }
    head.push(Line::default());
    let pick = |d: Decision, label: &'static str| {
        let st = if d == Decision::Go {
            ItemState::Go
        } else {
            ItemState::NoGo
        };
        Span::styled(format!(" {label} "), theme.item(st, decision == Some(d)))
    };
    let hint = match decision {
        None => "   choose: g GO · n NO-GO",
        Some(_) => "   (Tab switches)",
    };
    head.push(Line::from(vec![
        pick(Decision::Go, "GO"),
        Span::raw("   "),
        pick(Decision::NoGo, "NO-GO"),
        Span::styled(hint, theme.muted()),
    ]));
    let Some(d) = decision else {
        head.push(Line::default());
        head.push(Line::styled(
            "nothing is chosen yet: decide with g or n, Esc cancels",
            theme.muted(),
        ));
        let h = u16::try_from(head.len() + 2).unwrap_or(u16::MAX);
        let w = area.width.saturating_sub(4).min(90);
        frame_popup(
            frame,
            centered(area, w, h),
            " gate decision ".into(),
            head,
            tg,
        );
        return;
    };
    head.push(Line::default());
    let label = match (d, app.settings.go_reason) {
        (Decision::NoGo, _) => "reason (required):",
        (Decision::Go, GoReason::Required) => "reason (required here):",
        (Decision::Go, GoReason::Optional) => "reason (optional):",
    };
    head.push(Line::styled(label, theme.muted()));
    let min_h = u16::try_from(head.len() + 3).unwrap_or(u16::MAX);
    editor_popup(
        frame,
        area,
        " gate decision ".into(),
        head,
        reason,
        Vec::new(),
        min_h,
        tg,
    );
}

/// A yes/no question before a change.
pub fn confirm(frame: &mut Frame, area: Rect, q: &Question, tg: (&Theme, &Glyphs)) {
    let (theme, glyphs) = tg;
    let w = area.width.saturating_sub(4).min(90);
    let inner_w = usize::from(w.saturating_sub(2));
    let mut lines = Vec::new();
    for (k, l) in q.lines.iter().enumerate() {
        let style = if k == 0 { theme.title() } else { theme.muted() };
        lines.push(Line::styled(l.clone(), style));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("y", theme.key()),
        Span::raw(" yes, record it   "),
        Span::styled("n", theme.key()),
        Span::raw(" / "),
        Span::styled("Esc", theme.key()),
        Span::raw(" no"),
    ]));
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w.max(1)).max(1))
        .sum();
    let h = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let _ = glyphs;
    frame_popup(frame, centered(area, w, h), q.title.clone(), lines, tg);
}

/// The choice after our NO-GO.
pub fn after_no_go(app: &App, frame: &mut Frame, area: Rect, gate: &ItemId, tg: (&Theme, &Glyphs)) {
    let (theme, glyphs) = tg;
    let w = area.width.saturating_sub(4).min(80);
    let inner_w = usize::from(w.saturating_sub(2));
    let mut lines = vec![
        Line::styled(
            fit(
                &format!("NO-GO on “{}” recorded. What now?", app.item_text_of(gate)),
                inner_w,
                glyphs.ellipsis(),
            ),
            theme.warning(),
        ),
        Line::default(),
        Line::from(vec![
            Span::styled("h", theme.key()),
            Span::raw("  hold the run: every screen shows HOLD until someone resumes"),
        ]),
    ];
    match gates::rollback_section(&app.template) {
        Some(s) => {
            let title = app
                .template
                .sections
                .get(s)
                .map(|s| app.subst(&s.title).into_owned())
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled("r", theme.key()),
                Span::raw(fit(
                    &format!("  go to the rollback section “{title}”"),
                    inner_w.saturating_sub(1),
                    glyphs.ellipsis(),
                )),
            ]));
        }
        None => lines.push(Line::styled(
            "   (this template has no rollback section)",
            theme.muted(),
        )),
    }
    lines.push(Line::from(vec![
        Span::styled("a", theme.key()),
        Span::raw("  abort the run (reason, then confirm)"),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Esc", theme.key()),
        Span::raw(" decide later: ticks after the NO-GO ask first"),
    ]));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    frame_popup(
        frame,
        centered(area, w, h),
        " after NO-GO ".into(),
        lines,
        tg,
    );
}

/// The reason for a change to the run itself.
pub fn run_reason(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    kind: &RunReasonKind,
    editor: &Editor,
    tg: (&Theme, &Glyphs),
) {
    let (theme, glyphs) = tg;
    let inner_w = usize::from(area.width.saturating_sub(4).min(90).saturating_sub(2));
    let (title, first) = match kind {
        RunReasonKind::Hold { gate } => (
            " HOLD: why? ",
            match gate {
                Some(g) => format!("hold the run after the NO-GO on “{}”", app.item_text_of(g)),
                None => "hold the run: every operator's screen shows HOLD".to_owned(),
            },
        ),
        RunReasonKind::Resume => (
            " resume: why? ",
            app.blocker().map_or_else(
                || "resume the run".to_owned(),
                |b| format!("lift: {}", app.blocker_text_of(b, false)),
            ),
        ),
        RunReasonKind::Abort => (
            " abort: why? ",
            "abort the run: it ends for every operator (a confirmation follows)".to_owned(),
        ),
        RunReasonKind::FinishAccepting { exceptions } => (
            " finish with exceptions: why? ",
            format!("finish accepting {exceptions} (a confirmation follows)"),
        ),
        RunReasonKind::Window { shown, .. } => {
            (" move the window: why? ", format!("window {shown}"))
        }
    };
    let head = vec![
        Line::styled(fit(&first, inner_w, glyphs.ellipsis()), theme.title()),
        Line::default(),
        Line::styled("reason (required, recorded):", theme.muted()),
    ];
    editor_popup(frame, area, title.into(), head, editor, Vec::new(), 7, tg);
}

/// The window's start.
#[allow(clippy::too_many_arguments)]
pub fn window(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    initial: bool,
    start: &Editor,
    error: Option<&str>,
    tg: (&Theme, &Glyphs),
) {
    let (theme, glyphs) = tg;
    let inner_w = usize::from(area.width.saturating_sub(4).min(90).saturating_sub(2));
    let w = app.plan().window.clone();
    let now_text = format!(
        "now: {}{}",
        w.describe(),
        if w.is_guess() { " (guess)" } else { "" }
    );
    let mut head = vec![
        Line::styled(
            if initial {
                "When does the window start? The checklist's times are read against it."
            } else {
                "Move the window: its new start (a reason follows)."
            },
            theme.title(),
        ),
        Line::styled(fit(&now_text, inner_w, glyphs.ellipsis()), theme.muted()),
    ];
    if let Some(g) = &w.guess {
        head.push(Line::styled(
            fit(&format!("guessed: {g}"), inner_w, glyphs.ellipsis()),
            theme.warning(),
        ));
    }
    head.push(Line::styled(
        "e.g. 22:00 · 2026-12-02 22:00 · 22:00 Europe/Berlin · 2026-12-02T22:00+01:00",
        theme.muted(),
    ));
    head.push(Line::default());
    let mut tail = vec![Line::default()];
    match error {
        Some(e) => tail.push(Line::styled(
            fit(e, inner_w, glyphs.ellipsis()),
            theme.error(),
        )),
        None if initial => tail.push(Line::styled(
            "Enter records it as given · Esc keeps the guess",
            theme.muted(),
        )),
        None => tail.push(Line::styled("Enter · Esc cancels", theme.muted())),
    }
    let title = if initial {
        " the window "
    } else {
        " move the window "
    };
    editor_popup(frame, area, title.into(), head, start, tail, 10, tg);
}

/// The run information.
pub fn info(app: &App, frame: &mut Frame, area: Rect, scroll: u16, tg: (&Theme, &Glyphs)) {
    let (theme, _) = tg;
    let w = area.width.saturating_sub(4).min(100);
    let rows = app.run_info();
    let label_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(usize::from(scroll))
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<label_w$}  "), theme.muted()),
                Span::raw(v),
            ])
        })
        .collect();
    let h = area.height.saturating_sub(2);
    frame_popup(frame, centered(area, w, h), " run info ".into(), lines, tg);
}
