//! When timed sections are planned: one rule for the operator's screen and every report.
//!
//! Clock headings are times in the window's zone (or the zone they name) on the window's date
//! (or the date or day they name); a clock time earlier than the previous one rolls over to the
//! next day (`23:30` → `00:15`), and a first clock time more than 12 hours before the window
//! start is the next day's. `T-30` and `T+15` count from the window start. A slot ends where the
//! heading says (`08:00 - 09:00`, `(30 min)`), else at the next later planned start, else after
//! [`DEFAULT_SLOT_MINUTES`].
//!
//! Nothing is overdue before the window starts; lateness is never negative.

use super::Run;
use super::window::{self, Window};
use crate::model::{PlannedAt, Template};
use crate::when::{ClockTime, Zone};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

/// Length of a slot with nothing to end it: no end written and no later planned time after it.
pub const DEFAULT_SLOT_MINUTES: i64 = 30;

/// A timed section's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// Planned start.
    pub start: DateTime<FixedOffset>,
    /// Planned end, when the heading gives one.
    pub end: Option<DateTime<FixedOffset>>,
    /// Where the slot ends: the written end, else the next later planned start, else
    /// [`DEFAULT_SLOT_MINUTES`] after the start.
    pub slot_end: DateTime<FixedOffset>,
}

/// Every timed section's plan against one window, computed once (linear in sections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The window.
    pub window: Window,
    /// Per section (index into `template.sections`).
    pub sections: Vec<Option<Planned>>,
}

/// A planned start and the end the heading wrote, if any.
type StartEnd = (DateTime<FixedOffset>, Option<DateTime<FixedOffset>>);

fn localize(zone: Zone, date: NaiveDate, t: ClockTime) -> Option<DateTime<FixedOffset>> {
    zone.localize(date.and_time(t.naive()))
}

fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(n)).unwrap_or(d)
}

impl Schedule {
    /// The schedule of `run`: its window ([`window::resolve`]) and every timed section's plan.
    pub fn new(run: &Run, template: &Template) -> Schedule {
        Schedule::with_window(template, window::resolve(run, template))
    }

    /// Plans `template`'s timed sections against `window`.
    pub fn with_window(template: &Template, window: Window) -> Schedule {
        let wz = window.zone;
        let wdate = wz.at(&window.start).date_naive();
        let mut base = wdate;
        let mut prev: Option<DateTime<FixedOffset>> = None;
        let mut starts: Vec<Option<StartEnd>> = Vec::with_capacity(template.sections.len());
        for s in &template.sections {
            let Some(p) = s.planned_time else {
                starts.push(None);
                continue;
            };
            let zone = p.zone.unwrap_or(wz);
            let start = match p.at {
                PlannedAt::Offset { minutes } => {
                    Some(window.start + Duration::minutes(i64::from(minutes)))
                }
                PlannedAt::Clock { hour, minute } => {
                    ClockTime::new(u32::from(hour), u32::from(minute)).and_then(|t| {
                        if let Some(d) = p.date {
                            base = d;
                        } else if let Some(n) = p.day {
                            base = plus_days(wdate, i64::from(n) - 1);
                        }
                        let mut at = localize(zone, base, t)?;
                        if p.date.is_none() && p.day.is_none() {
                            let limit = prev.unwrap_or(window.start - Duration::hours(12));
                            // At most two roll-overs: a clock time is never more than a day on.
                            for _ in 0..2 {
                                if at >= limit {
                                    break;
                                }
                                base = plus_days(base, 1);
                                at = localize(zone, base, t)?;
                            }
                        }
                        prev = Some(at);
                        Some(at)
                    })
                }
            };
            let start = start.map(|st| {
                let st = wz.at(&st);
                let end = p
                    .end
                    .and_then(|e| window::end_at(zone, st, e))
                    .map(|e| wz.at(&e));
                (st, end)
            });
            starts.push(start);
        }
        // The next later planned start to the right of each section: a monotonic stack, so the
        // whole schedule stays linear in sections.
        let mut next_later: Vec<Option<DateTime<FixedOffset>>> = vec![None; starts.len()];
        let mut stack: Vec<DateTime<FixedOffset>> = Vec::new();
        for (i, s) in starts.iter().enumerate().rev() {
            let Some((start, _)) = s else { continue };
            while stack.last().is_some_and(|t| t <= start) {
                stack.pop();
            }
            next_later[i] = stack.last().copied();
            stack.push(*start);
        }
        let sections = starts
            .iter()
            .zip(next_later)
            .map(|(s, next)| {
                s.map(|(start, end)| Planned {
                    start,
                    end,
                    slot_end: end
                        .or(next)
                        .unwrap_or(start + Duration::minutes(DEFAULT_SLOT_MINUTES)),
                })
            })
            .collect();
        Schedule { window, sections }
    }

    /// The plan of one section, if it is timed.
    pub fn planned(&self, section: usize) -> Option<&Planned> {
        self.sections.get(section).and_then(Option::as_ref)
    }

    /// Whether a section is overdue as of `reference` (now for an active run, its end otherwise):
    /// its slot ended while items were still open, or it was last changed after its slot. Never
    /// before the window has started. (Against a guessed window, callers say it is a guess.)
    pub fn overdue(
        &self,
        section: usize,
        open: bool,
        last_change: Option<DateTime<FixedOffset>>,
        reference: DateTime<FixedOffset>,
    ) -> bool {
        self.planned(section).is_some_and(|p| {
            is_overdue(self.window.start, p.slot_end, open, last_change, reference)
        })
    }

    /// Minutes a section's first change came after its planned start: `None` when it was on time
    /// or early (lateness is never negative), not timed, or not started.
    pub fn late_minutes(
        &self,
        section: usize,
        first_change: Option<DateTime<FixedOffset>>,
    ) -> Option<i64> {
        let p = self.planned(section)?;
        let m = (first_change? - p.start).num_minutes();
        (m > 0).then_some(m)
    }

    /// Minutes a section's first change came before its planned start, when it was early.
    pub fn early_minutes(
        &self,
        section: usize,
        first_change: Option<DateTime<FixedOffset>>,
    ) -> Option<i64> {
        let p = self.planned(section)?;
        let m = (p.start - first_change?).num_minutes();
        (m > 0).then_some(m)
    }
}

/// The one overdue rule: a slot that ended (as of `reference`) with items still open, or a section
/// changed after its slot ended — and never while the window has not started.
pub fn is_overdue(
    window_start: DateTime<FixedOffset>,
    slot_end: DateTime<FixedOffset>,
    open: bool,
    last_change: Option<DateTime<FixedOffset>>,
    reference: DateTime<FixedOffset>,
) -> bool {
    if reference < window_start {
        return false;
    }
    (open && reference > slot_end) || last_change.is_some_and(|l| l > slot_end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::run::window::{WindowSource, from_template};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("rfc3339")
    }

    fn tpl(src: &str) -> Template {
        crate::template::parse_str("w.md", src).expect("loads")
    }

    fn given(start: &str, zone: &str) -> Window {
        let zone = Zone::parse(zone).unwrap();
        Window {
            start: zone.at(&at(start)),
            zone,
            end: None,
            source: WindowSource::RunStart,
            guess: None,
        }
    }

    fn starts(s: &Schedule) -> Vec<String> {
        s.sections
            .iter()
            .flatten()
            .map(|p| p.start.format("%m-%d %H:%M %:z").to_string())
            .collect()
    }

    #[test]
    fn offsets_count_from_the_window_start() {
        let t = tpl("## T-30 min: Prep\n- [ ] a\n## 08:00 Deploy\n- [ ] b\n");
        let w = from_template(&t, at("2026-11-23T07:10:00+01:00"));
        let s = Schedule::with_window(&t, w);
        assert_eq!(s.window.start, at("2026-11-23T08:00:00+01:00"));
        assert_eq!(s.planned(0).unwrap().start, at("2026-11-23T07:30:00+01:00"));
        assert_eq!(
            s.planned(0).unwrap().slot_end,
            at("2026-11-23T08:00:00+01:00")
        );
    }

    #[test]
    fn clock_times_roll_over_past_midnight() {
        let t = tpl(
            "# W\n\n## 22:00 Start\n- [ ] a\n## 23:30 Migrate\n- [ ] b\n## 00:15 Verify\n- [ ] c\n## 01:00 Done\n- [ ] d\n",
        );
        let s = Schedule::with_window(&t, given("2026-12-02T22:00:00+01:00", "Europe/Berlin"));
        assert_eq!(
            starts(&s),
            [
                "12-02 22:00 +01:00",
                "12-02 23:30 +01:00",
                "12-03 00:15 +01:00",
                "12-03 01:00 +01:00"
            ]
        );
        // 23:30's slot ends at 00:15 the next day, not 30 minutes after.
        assert_eq!(
            s.planned(2).unwrap().slot_end,
            at("2026-12-03T00:15:00+01:00")
        );
    }

    #[test]
    fn zones_days_dates_and_ends() {
        let t = tpl(
            "# W\n\n## 08:00 AM UTC+7 Start\n- [ ] a\n## 08:00 UTC Check\n- [ ] b\n## Day 2 09:00 Review\n- [ ] c\n## 2024-12-20 10:00 Retro\n- [ ] d\n## 08:00 - 09:30 Range\n- [ ] e\n## T+15 Soak (45 min)\n- [ ] f\n",
        );
        let s = Schedule::with_window(&t, given("2024-12-10T08:00:00+07:00", "UTC+7"));
        let p = |i: usize| s.planned(i).unwrap();
        assert_eq!(p(1).start, at("2024-12-10T08:00:00+07:00"));
        assert_eq!(p(2).start, at("2024-12-10T15:00:00+07:00"), "08:00 UTC");
        assert_eq!(p(3).start, at("2024-12-11T09:00:00+07:00"), "Day 2");
        assert_eq!(p(4).start, at("2024-12-20T10:00:00+07:00"), "dated");
        // After the dated heading, plain clock times continue from that date.
        assert_eq!(p(5).start, at("2024-12-21T08:00:00+07:00"));
        assert_eq!(p(5).end, Some(at("2024-12-21T09:30:00+07:00")));
        assert_eq!(p(5).slot_end, at("2024-12-21T09:30:00+07:00"));
        assert_eq!(p(6).start, at("2024-12-10T08:15:00+07:00"));
        assert_eq!(p(6).slot_end, at("2024-12-10T09:00:00+07:00"));
    }

    #[test]
    fn nothing_is_overdue_before_the_window_and_lateness_is_never_negative() {
        let t = tpl("# W\n\n## T-120 Prep\n- [ ] a\n## T-60 Check\n- [ ] b\n## T+0 Go\n- [ ] c\n");
        let s = Schedule::with_window(&t, given("2026-12-02T22:00:00+01:00", "+01:00"));
        let before = at("2026-12-02T21:10:00+01:00");
        // T-120's slot (20:00–21:00) has passed, but the window has not started.
        assert!(!s.overdue(1, true, None, before));
        let after = at("2026-12-02T22:40:00+01:00");
        assert!(s.overdue(1, true, None, after));
        assert!(!s.overdue(3, true, None, at("2026-12-02T22:10:00+01:00")));
        assert_eq!(
            s.late_minutes(3, Some(at("2026-12-02T21:50:00+01:00"))),
            None
        );
        assert_eq!(
            s.early_minutes(3, Some(at("2026-12-02T21:50:00+01:00"))),
            Some(10)
        );
        assert_eq!(
            s.late_minutes(3, Some(at("2026-12-02T22:07:00+01:00"))),
            Some(7)
        );
    }
}
