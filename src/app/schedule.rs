//! Timed sections against the clock: the window start, the next slot, and what is overdue.

use super::rows::Counts;
use crate::model::{PlannedTime, Template};
use chrono::{DateTime, Duration, FixedOffset, NaiveTime};

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

/// The window start: the first wall-clock section time (on `now`'s day), if any.
pub fn window_start(
    template: &Template,
    now: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    template.sections.iter().find_map(|s| match s.planned_time {
        Some(PlannedTime::Clock { hour, minute }) => at_clock(now, hour, minute),
        _ => None,
    })
}

fn at_clock(now: DateTime<FixedOffset>, hour: u8, minute: u8) -> Option<DateTime<FixedOffset>> {
    let t = NaiveTime::from_hms_opt(u32::from(hour), u32::from(minute), 0)?;
    now.date_naive()
        .and_time(t)
        .and_local_timezone(*now.offset())
        .single()
}

/// Planned start of a section, if it is timed.
pub fn planned(
    template: &Template,
    section: usize,
    now: DateTime<FixedOffset>,
    start: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    match template.sections.get(section)?.planned_time? {
        PlannedTime::Clock { hour, minute } => at_clock(now, hour, minute),
        PlannedTime::Offset { minutes } => Some(start? + Duration::minutes(i64::from(minutes))),
    }
}

/// The slot to show in the header.
pub fn current_slot(
    template: &Template,
    counts: &[Counts],
    now: DateTime<FixedOffset>,
) -> Option<Slot> {
    let start = window_start(template, now);
    let timed: Vec<(usize, DateTime<FixedOffset>)> = (0..template.sections.len())
        .filter_map(|s| Some((s, planned(template, s, now, start)?)))
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
