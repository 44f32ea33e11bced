//! Timed sections against the clock, for the header: the window countdown (`T-50m`), the next slot,
//! and what is overdue — never before the window starts, and said to be against a guess when the
//! window is one. The plan itself is [`crate::run::schedule::Schedule`]; the app keeps it (rebuilt
//! when the window or the template changes) and the slot (recomputed on events and on the clock's
//! tick), so a keypress and a frame cost the same whatever the number of sections.

use super::App;
use super::rows::Counts;
use crate::run::schedule::Schedule;
use chrono::{DateTime, Duration, FixedOffset};

impl App {
    /// The window and every timed section's plan.
    pub fn plan(&self) -> &Schedule {
        &self.plan
    }

    /// The header's next or overdue slot, as of the last event or clock tick.
    pub fn slot(&self) -> Option<&Slot> {
        self.slot.as_ref()
    }

    /// Rebuilds the plan (the window or the template changed), then the slot.
    pub(super) fn replan(&mut self) {
        self.plan = Schedule::new(&self.run, &self.template);
        self.reslot();
    }

    /// Recomputes the slot (counts or the clock changed).
    pub(super) fn reslot(&mut self) {
        self.slot = current_slot(&self.plan, &self.states.sections, self.now);
    }
}

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
    /// An unfinished timed section whose slot has ended (the window has started).
    Overdue {
        /// Section index.
        section: usize,
        /// Planned start.
        at: DateTime<FixedOffset>,
        /// Judged against a guessed window.
        guess: bool,
    },
}

/// The slot to show in the header.
pub fn current_slot(
    schedule: &Schedule,
    counts: &[Counts],
    now: DateTime<FixedOffset>,
) -> Option<Slot> {
    let unfinished = |s: usize| counts.get(s).is_some_and(|c| c.open > 0);
    let timed = || {
        schedule
            .sections
            .iter()
            .enumerate()
            .filter_map(|(s, p)| Some((s, p.as_ref()?)))
    };
    if let Some((section, p)) =
        timed().find(|&(s, _)| unfinished(s) && schedule.overdue(s, true, None, now))
    {
        return Some(Slot::Overdue {
            section,
            at: p.start,
            guess: schedule.window.is_guess(),
        });
    }
    timed()
        .filter(|&(s, p)| p.start > now && unfinished(s))
        .min_by_key(|&(_, p)| p.start)
        .map(|(section, p)| Slot::Next {
            section,
            at: p.start,
        })
}

/// `T-50m to 22:00`, `T+1h05 since 22:00`, the zone named when it is not the clock's
/// (`T-50m to 22:00 Europe/Berlin`), and `(guess)` when the window is a guess.
pub fn window_label(schedule: &Schedule, now: DateTime<FixedOffset>) -> String {
    let w = &schedule.window;
    let t = w.t_label(&now);
    let when = if w.start.offset() == now.offset() {
        w.start.format("%H:%M").to_string()
    } else {
        format!("{} {}", w.start.format("%H:%M"), w.zone.name())
    };
    let guess = if w.is_guess() { " (guess)" } else { "" };
    if w.started(&now) {
        format!("{t} since {when}{guess}")
    } else {
        format!("{t} to {when}{guess}")
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::run::window::{Window, WindowSource};
    use crate::when::Zone;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn before_the_window_a_countdown_and_nothing_overdue() {
        let t = crate::template::parse_str(
            "w.md",
            "# W\n\n## T-120 Prep\n- [ ] a\n## T-30 Check\n- [ ] b\n## T+0 Go\n- [ ] c\n",
        )
        .unwrap();
        let window = Window {
            start: at("2026-12-02T22:00:00+01:00"),
            zone: Zone::parse("+01:00").unwrap(),
            end: None,
            source: WindowSource::RunStart,
            guess: None,
        };
        let s = Schedule::with_window(&t, window);
        let open = vec![
            Counts {
                total: 1,
                open: 1,
                ..Counts::default()
            };
            t.sections.len()
        ];
        let now = at("2026-12-02T21:10:00+01:00");
        assert_eq!(window_label(&s, now), "T-50m to 22:00");
        let utc = at("2026-12-02T20:10:00Z");
        assert_eq!(window_label(&s, utc), "T-50m to 22:00 UTC+01:00");
        assert_eq!(
            current_slot(&s, &open, now),
            Some(Slot::Next {
                section: 2,
                at: at("2026-12-02T21:30:00+01:00")
            })
        );
        let later = at("2026-12-02T22:40:00+01:00");
        assert!(matches!(
            current_slot(&s, &open, later),
            Some(Slot::Overdue {
                section: 1,
                guess: false,
                ..
            })
        ));
        assert_eq!(window_label(&s, later), "T+40m since 22:00");
    }
}
