//! The header: title, run, operator; clocks, window and next slot; the progress gauge.

use super::theme::{Glyphs, Theme};
use crate::app::App;
use crate::app::schedule::{self, Slot, short_duration};
use crate::app::width::{fit, width};
use crate::when::Zone;
use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The shortest the run id gets while something else could give way: its date, an ellipsis and the
/// random suffix (`2026-11-23-…-7f3a`).
const MIN_ID: usize = 16;

/// The run id cut to `w` columns keeping what tells runs apart: the date in front and the random
/// suffix at the end (`2026-11-23-pay…-7f3a`).
pub fn short_id(id: &str, w: usize, ellipsis: &str) -> String {
    if width(id) <= w {
        return id.to_owned();
    }
    let (head, tail) = match id.rsplit_once('-') {
        Some((h, t)) => (h, format!("-{t}")),
        None => (id, String::new()),
    };
    let room = w.saturating_sub(width(&tail) + width(ellipsis));
    if room == 0 {
        let keep = w.saturating_sub(width(ellipsis));
        let end: String = id
            .chars()
            .rev()
            .take(keep)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return format!("{ellipsis}{end}");
    }
    format!("{}{ellipsis}{tail}", crate::app::width::take(head, room))
}

/// Draws the three header lines. The first never cuts the run's state or the end of its id: the
/// title and the operator give way first.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let dot = format!(" {} ", glyphs.dot());
    let w = usize::from(area.width);
    let title = match &app.run.name {
        Some(name) => app.subst(name),
        None => app.subst(&app.template.title),
    };
    let on_hold = app.run.is_active() && app.run.active_hold().is_some();
    let state = if on_hold {
        "HOLD".to_owned()
    } else {
        app.run.lifecycle.as_str().to_uppercase()
    };
    let state_style = if app.run.is_active() && !on_hold {
        theme.gauge()
    } else {
        theme.warning()
    };
    let left_text = format!("{title}{dot}operator {}", app.actor.name);
    // Right: STATE · run ID. The id gives way first (down to its date and random suffix), then
    // the title; the state and the end of the id are always shown.
    let fixed = width(&state) + width(&dot) + "run ".len() + 1;
    let full_id = width(&app.run.id);
    let mut id_room = w
        .saturating_sub(fixed + width(&left_text))
        .max(MIN_ID.min(full_id));
    if full_id.saturating_sub(id_room) <= 4 {
        // Cutting a few characters off the id helps nobody: the title gives way instead.
        id_room = full_id;
    }
    let id = short_id(
        &app.run.id,
        id_room.min(w.saturating_sub(fixed)),
        glyphs.ellipsis(),
    );
    let right = vec![
        Span::styled(state, state_style),
        Span::styled(dot.clone(), theme.muted()),
        Span::raw(format!("run {id}")),
    ];
    let right_w: usize = right.iter().map(|s| width(&s.content)).sum();
    let room = w.saturating_sub(right_w + 1);
    let left = if width(&left_text) <= room {
        vec![
            Span::styled(title.into_owned(), theme.title()),
            Span::styled(dot.clone(), theme.muted()),
            Span::raw(format!("operator {}", app.actor.name)),
        ]
    } else {
        let who = format!("{dot}operator {}", app.actor.name);
        let title_room = room.saturating_sub(width(&who));
        if title_room >= 8 {
            vec![
                Span::styled(fit(&title, title_room, glyphs.ellipsis()), theme.title()),
                Span::styled(dot.clone(), theme.muted()),
                Span::raw(format!("operator {}", app.actor.name)),
            ]
        } else {
            vec![Span::styled(
                fit(&left_text, room, glyphs.ellipsis()),
                theme.title(),
            )]
        }
    };
    let row1 = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(Line::from(left)), row1);
    frame.render_widget(
        Paragraph::new(Line::from(right)).alignment(Alignment::Right),
        row1,
    );

    let now = app.now;
    let plan = app.plan();
    let mut l2 = vec![Span::styled(
        clocks(&plan.window.zone, app.settings.local_zone, now),
        theme.title(),
    )];
    if let Some(b) = app.blocker() {
        l2.push(Span::styled(dot.clone(), theme.muted()));
        // Room is left for the window's countdown after it.
        let room = (w * 3 / 5).max(24);
        let text = app.blocker_brief(b, (w / 6).max(8), glyphs.ellipsis());
        l2.push(Span::styled(
            fit(&text, room, glyphs.ellipsis()),
            theme.warning(),
        ));
    }
    l2.push(Span::styled(dot.clone(), theme.muted()));
    l2.push(Span::raw(schedule::window_label(plan, now)));
    l2.push(Span::styled(dot.clone(), theme.muted()));
    l2.push(Span::raw(format!(
        "run {}",
        short_duration(now - app.run.started_at)
    )));
    match app.slot() {
        Some(&Slot::Next { section, at }) => {
            l2.push(Span::styled(dot.clone(), theme.muted()));
            // Rounded up, as the window's countdown is.
            let until = (at - now).max(chrono::Duration::zero()) + chrono::Duration::seconds(59);
            l2.push(Span::raw(format!(
                "next: {} in {}",
                slot_name(app, section, at),
                short_duration(until - chrono::Duration::seconds(until.num_seconds() % 60))
            )));
        }
        Some(&Slot::Overdue { section, at, guess }) => {
            l2.push(Span::styled(dot.clone(), theme.muted()));
            l2.push(Span::styled(
                format!(
                    "overdue{}: {} started {} ago",
                    if guess { " (window guessed)" } else { "" },
                    slot_name(app, section, at),
                    short_duration(now - at)
                ),
                theme.warning(),
            ));
        }
        None => {}
    }

    let c = app.states.all;
    let label = format!(" {}/{}  {}", c.closed(), c.total, c.describe(&dot));
    let orphans = app.run.orphans.len();
    let label = if orphans > 0 {
        format!("{label}{dot}{orphans} orphaned (see summary, F)")
    } else {
        label
    };
    let mut extra: Vec<Span> = Vec::new();
    if let Some((n, _)) = &app.not_shared {
        extra.push(Span::styled(dot.clone(), theme.muted()));
        extra.push(Span::styled(
            format!(
                "{n} change{} not shared yet",
                if *n == 1 { "" } else { "s" }
            ),
            theme.warning(),
        ));
    }
    for (u, live) in app.unfinished_commands() {
        let title = app.target_title(&u.target);
        extra.push(Span::styled(dot.clone(), theme.muted()));
        let text = if live == Some(false) {
            format!("stopped with its runsheet: {title} ({})", u.by)
        } else {
            format!(
                "running: {title} ({}, {})",
                u.by,
                crate::app::command::clock(now - u.at)
            )
        };
        extra.push(Span::styled(
            fit(&text, (w / 2).max(20), glyphs.ellipsis()),
            theme.warning(),
        ));
    }
    if !app.viewers.is_empty() {
        let who: Vec<String> = app.viewers.iter().map(|v| v.describe()).collect();
        extra.push(Span::styled(dot.clone(), theme.muted()));
        extra.push(Span::raw(format!("also open: {}", who.join(", "))));
    }
    let extra_w: usize = extra.iter().map(|s| width(&s.content)).sum();
    let bar_w = usize::from(area.width)
        .saturating_sub(width(&label) + extra_w + 2)
        .min(40);
    let filled = (bar_w * c.closed()).checked_div(c.total).unwrap_or(0);
    let (full, empty) = if glyphs.dot() == "|" {
        ("#", ".")
    } else {
        ("█", "░")
    };
    let mut l3 = vec![
        Span::styled(full.repeat(filled), theme.gauge()),
        Span::styled(empty.repeat(bar_w - filled), theme.muted()),
        Span::raw(label),
    ];
    l3.extend(extra);
    let l3 = Line::from(l3);
    let rest = Rect {
        y: area.y.saturating_add(1),
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Paragraph::new(vec![Line::from(l2), l3]), rest);
}

/// The clock: `08:50:00 (07:50 UTC)` when the window's zone is the operator's, else the
/// window's zone and the operator's local time beside each other: `21:10:00 CET (20:10 UTC here)`.
pub fn clocks(zone: &Zone, local: Option<Zone>, now: DateTime<FixedOffset>) -> String {
    let at_zone = zone.at(&now);
    if at_zone.offset() == now.offset() {
        return format!(
            "{} ({} UTC)",
            now.format("%H:%M:%S"),
            now.with_timezone(&Utc).format("%H:%M")
        );
    }
    let here = local
        .filter(|l| l.at(&now).offset() == now.offset())
        .map_or_else(|| Zone::Fixed(*now.offset()).name(), |l| l.label_at(&now));
    format!(
        "{} {} ({} {here} here)",
        at_zone.format("%H:%M:%S"),
        zone.label_at(&now),
        now.format("%H:%M")
    )
}

/// `09:00 Traffic Routing`, without repeating a time the title already shows.
fn slot_name(app: &App, section: usize, at: chrono::DateTime<chrono::FixedOffset>) -> String {
    let title = section_title(app, section);
    let time = at.format("%H:%M").to_string();
    if title.contains(&time) {
        title
    } else {
        format!("{time} {title}")
    }
}

fn section_title(app: &App, section: usize) -> String {
    app.template
        .sections
        .get(section)
        .map(|s| app.subst(&s.title).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{clocks, short_id};
    use crate::when::Zone;

    #[test]
    fn a_short_id_keeps_the_date_and_the_suffix() {
        let id = "2026-11-23-payments-release-2-4-1-7f3a";
        assert_eq!(short_id(id, 60, "…"), id);
        assert_eq!(short_id(id, 20, "…"), "2026-11-23-pay…-7f3a");
        assert_eq!(short_id(id, 5, "…"), "…7f3a");
    }

    #[test]
    fn the_clock_names_the_window_zone_and_local_time_when_they_differ() {
        let utc = chrono::DateTime::parse_from_rfc3339("2026-12-02T20:10:00+00:00").unwrap();
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(
            clocks(&berlin, Some(Zone::UTC), utc),
            "21:10:00 CET (20:10 UTC here)"
        );
        assert_eq!(clocks(&berlin, None, utc), "21:10:00 CET (20:10 UTC here)");
        let cet = utc.with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
        assert_eq!(clocks(&berlin, Some(berlin), cet), "21:10:00 (20:10 UTC)");
    }
}
