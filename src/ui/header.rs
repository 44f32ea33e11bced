//! The header: title, run, operator; clocks, window and next slot; the progress gauge.

use super::theme::{Glyphs, Theme};
use crate::app::App;
use crate::app::schedule::{self, Slot, short_duration};
use chrono::Utc;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the three header lines.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, glyphs: &Glyphs) {
    let dot = format!(" {} ", glyphs.dot());
    let title = match &app.run.name {
        Some(name) => app.subst(name),
        None => app.subst(&app.template.title),
    };
    let mut l1 = vec![Span::styled(title.into_owned(), theme.title())];
    l1.push(Span::styled(dot.clone(), theme.muted()));
    l1.push(Span::raw(format!("operator {}", app.actor.name)));
    l1.push(Span::styled(dot.clone(), theme.muted()));
    l1.push(Span::raw(format!("run {}", app.run.id)));
    if !app.run.is_active() {
        l1.push(Span::styled(dot.clone(), theme.muted()));
        l1.push(Span::styled(
            app.run.lifecycle.as_str().to_uppercase(),
            theme.warning(),
        ));
    }

    let now = app.now;
    let mut l2 = vec![Span::styled(
        format!(
            "{} ({} UTC)",
            now.format("%H:%M:%S"),
            now.with_timezone(&Utc).format("%H:%M")
        ),
        theme.title(),
    )];
    // Computed per frame (linear in sections); the screen rework can cache it with the run.
    let plan = crate::run::schedule::Schedule::new(&app.run, &app.template);
    l2.push(Span::styled(dot.clone(), theme.muted()));
    l2.push(Span::raw(schedule::window_label(&plan, now)));
    l2.push(Span::styled(dot.clone(), theme.muted()));
    l2.push(Span::raw(format!(
        "run {}",
        short_duration(now - app.run.started_at)
    )));
    match schedule::current_slot(&plan, &app.states.sections, now) {
        Some(Slot::Next { section, at }) => {
            l2.push(Span::styled(dot.clone(), theme.muted()));
            // Rounded up, as the window's countdown is.
            let until = at - now + chrono::Duration::seconds(59);
            l2.push(Span::raw(format!(
                "next: {} in {}",
                slot_name(app, section, at),
                short_duration(until - chrono::Duration::seconds(until.num_seconds() % 60))
            )));
        }
        Some(Slot::Overdue { section, at, guess }) => {
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
    let label = format!(
        " {}/{}  done {}{dot}skipped {}{dot}n/a {}{dot}failed {}{dot}no-go {}{dot}open {}",
        c.closed(),
        c.total,
        c.done,
        c.skipped,
        c.na,
        c.failed,
        c.no_go,
        c.open
    );
    let orphans = app.run.orphans.len();
    let label = if orphans > 0 {
        format!("{label}{dot}{orphans} orphaned (see summary, F)")
    } else {
        label
    };
    let bar_w = usize::from(area.width)
        .saturating_sub(label.chars().count() + 2)
        .min(40);
    let filled = (bar_w * c.closed()).checked_div(c.total).unwrap_or(0);
    let (full, empty) = if glyphs.dot() == "|" {
        ("#", ".")
    } else {
        ("█", "░")
    };
    let l3 = Line::from(vec![
        Span::styled(full.repeat(filled), theme.gauge()),
        Span::styled(empty.repeat(bar_w - filled), theme.muted()),
        Span::raw(label),
    ]);
    frame.render_widget(
        Paragraph::new(vec![Line::from(l1), Line::from(l2), l3]),
        area,
    );
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
