//! Timed sections against the clock: the window start, the next slot, and what is overdue.

use super::rows::Counts;
use crate::model::Template;
use chrono::{DateTime, Duration, FixedOffset};

/// Where the run stands against the timed sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The next timed section that has not started.
    Next {
        /// Section index.
        section: usize,
        /// Planned start.
        at: DateTime<FixedOffset>,
    },
    /// An unfinished timed section whose successor's time has already come.
    Overdue {
        /// Section index.
        section: usize,
        /// Planned start.
        at: DateTime<FixedOffset>,
    },
}

/// The window start from the clock-timed sections (see [`crate::run::schedule`]), if any.
pub fn window_start(
    template: &Template,
    run_start: &DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    crate::run::schedule::clock_window_start(template, run_start)
}

/// Planned start of a section, if it is timed.
pub fn planned(
    template: &Template,
    section: usize,
    run_start: &DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    crate::run::schedule::planned_at(
        template.sections.get(section)?.planned_time?,
        template,
        run_start,
    )
}

/// The slot to show in the header.
pub fn current_slot(
    template: &Template,
    counts: &[Counts],
    run_start: &DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> Option<Slot> {
    let timed: Vec<(usize, DateTime<FixedOffset>)> = (0..template.sections.len())
        .filter_map(|s| Some((s, planned(template, s, run_start)?)))
        .collect();
    let unfinished = |s: usize| counts.get(s).is_some_and(|c| c.open > 0);
    for (k, &(s, at)) in timed.iter().enumerate() {
        if !unfinished(s) {
            continue;
        }
        let successor_due = timed.get(k + 1).is_some_and(|&(_, next)| next <= now);
        if at <= now && successor_due {
            return Some(Slot::Overdue { section: s, at });
        }
    }
    timed
        .iter()
        .find(|&&(s, at)| at > now && unfinished(s))
        .map(|&(section, at)| Slot::Next { section, at })
}

/// `1h05m`, `12m`, `45s`.
pub fn short_duration(d: Duration) -> String {
    let secs = d.num_seconds().unsigned_abs();
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{secs}s")
    }
}
