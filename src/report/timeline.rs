//! The picture of a run's schedule: per section, the planned slot next to the actual first-to-last
//! change, with overdue and failed sections marked. Computed once, from a [`ReportJson`] or
//! straight from a [`RunView`], and drawn by the Markdown report (a Mermaid `gantt` block), the
//! HTML report (inline SVG) and the TUI's timeline view (`ui/timeline.rs`).
//!
//! Planned slots come from [`crate::run::schedule`] (one rule everywhere). A section is overdue
//! when its slot ended before it was finished — still open after the slot (at the run's end, or now
//! for an active run), or last changed after it — and never before the window starts. A section
//! holding a failed item or a NO-GO is failed, whatever else it is.

use super::json::ReportJson;
use super::parse_time;
use crate::run::schedule::{Schedule, is_overdue};
use crate::run::view::RunView;
use chrono::{DateTime, Duration, FixedOffset, Utc};

pub use crate::run::schedule::DEFAULT_SLOT_MINUTES;

/// A span of time, start ≤ end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
}

impl Span {
    /// Minutes from start to end.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// One section's row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// Index into the report's `sections`.
    pub section: usize,
    /// Section title.
    pub title: String,
    /// Heading level.
    pub level: u8,
    /// Planned time as written (`21:00`, `T-60m`).
    pub planned_label: Option<String>,
    /// Planned slot.
    pub planned: Option<Span>,
    /// First to last change.
    pub actual: Option<Span>,
    /// Items closed.
    pub done: usize,
    /// Items.
    pub total: usize,
    /// Finished after its slot, or still open after it (the window having started).
    pub overdue: bool,
    /// Holds a failed item or a NO-GO: never drawn as complete.
    pub failed: bool,
}

impl Lane {
    /// Every item closed (and there is at least one), none failed and no NO-GO.
    pub fn complete(&self) -> bool {
        self.total > 0 && self.done >= self.total && !self.failed
    }
}

/// The whole timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Sections that have items or a planned time, in template order.
    pub lanes: Vec<Lane>,
    /// Axis start (earliest of window start, planned and actual starts).
    pub axis_start: DateTime<FixedOffset>,
    /// Axis end (latest of the run's end or now, window end, planned and actual ends); after
    /// `axis_start`.
    pub axis_end: DateTime<FixedOffset>,
    /// Window start.
    pub window_start: DateTime<FixedOffset>,
    /// Window end, when known.
    pub window_end: Option<DateTime<FixedOffset>>,
    /// When the run ended (completed or aborted).
    pub ended: Option<DateTime<FixedOffset>>,
    /// Now, while the run is active.
    pub now: Option<DateTime<FixedOffset>>,
    /// The time overdue marks were judged at: the run's end, or now.
    pub reference: DateTime<FixedOffset>,
    /// The window start is a guess (overdue marks say so).
    pub guess: bool,
    /// The window's zone (`Europe/Berlin`, `UTC+01:00`).
    pub zone: String,
}

/// One section's times: what a [`Timeline`] is computed from, whichever way the run was read.
struct SectionTimes {
    title: String,
    level: u8,
    planned_label: Option<String>,
    planned: Option<Span>,
    first: Option<DateTime<FixedOffset>>,
    last: Option<DateTime<FixedOffset>>,
    closed: usize,
    total: usize,
    failed: bool,
}

struct Frame {
    window_start: DateTime<FixedOffset>,
    window_end: Option<DateTime<FixedOffset>>,
    ended: Option<DateTime<FixedOffset>>,
    active: bool,
    guess: bool,
    zone: String,
}

impl Timeline {
    /// Builds the timeline of `r`; `now` places the now-line of an active run and judges what is
    /// overdue. Every time is shown in the window start's offset.
    pub fn from_report(r: &ReportJson, now: DateTime<Utc>) -> Timeline {
        let window_start = parse_time(Some(&r.window.start)).unwrap_or_else(|| now.fixed_offset());
        let sections = r.sections.iter().map(|s| SectionTimes {
            title: s.title.clone(),
            level: s.level,
            planned_label: s.planned_time.clone(),
            planned: parse_time(s.planned_at.as_deref()).map(|start| Span {
                start,
                end: parse_time(s.slot_end.as_deref()).unwrap_or(start),
            }),
            first: parse_time(s.first_change.as_deref()),
            last: parse_time(s.last_change.as_deref()),
            closed: s.closed,
            total: s.total,
            failed: s.failed,
        });
        let frame = Frame {
            window_start,
            window_end: parse_time(r.window.end.as_deref()),
            ended: parse_time(r.run.ended_at.as_deref()),
            active: r.run.status == "active",
            guess: r.window.guess,
            zone: r.window.zone.clone(),
        };
        Timeline::build(frame, sections.collect(), now)
    }

    /// Builds the same timeline straight from a reconciled view (the TUI), without a report:
    /// section times, planned slots and overdue marks exactly as [`Timeline::from_report`] has them.
    pub fn from_view(view: &RunView<'_>, now: DateTime<Utc>) -> Timeline {
        let run = view.run;
        let schedule = Schedule::new(run, view.template);
        let sections = view.sections.iter().map(|s| {
            let sec = view.template.sections.get(s.index);
            SectionTimes {
                title: s.title.to_string(),
                level: sec.map_or(1, |x| x.level),
                planned_label: sec.and_then(|x| x.planned_time).map(|p| p.to_string()),
                planned: schedule.planned(s.index).map(|p| Span {
                    start: p.start,
                    end: p.slot_end,
                }),
                first: s.first,
                last: s.last,
                closed: s.progress.closed(),
                total: s.progress.total,
                failed: s.progress.failures() > 0,
            }
        });
        let w = &schedule.window;
        let frame = Frame {
            window_start: w.start,
            window_end: w.end,
            ended: run.lifecycle.ended_at(),
            active: run.is_active(),
            guess: w.is_guess(),
            zone: w.zone.name(),
        };
        Timeline::build(frame, sections.collect(), now)
    }

    fn build(f: Frame, sections: Vec<SectionTimes>, now: DateTime<Utc>) -> Timeline {
        let tz = *f.window_start.offset();
        let local = |t: DateTime<FixedOffset>| t.with_timezone(&tz);
        let window_start = f.window_start;
        let ended = f.ended.map(local);
        let now_local = now.with_timezone(&tz);
        let reference = ended.unwrap_or(now_local);
        let mut lanes = Vec::new();
        for (i, s) in sections.into_iter().enumerate() {
            let planned = s.planned.map(|p| Span {
                start: local(p.start),
                end: local(p.end.max(p.start)),
            });
            let actual = match (s.first, s.last) {
                (Some(a), Some(b)) => Some(Span {
                    start: local(a.min(b)),
                    end: local(a.max(b)),
                }),
                (Some(a), None) | (None, Some(a)) => Some(Span {
                    start: local(a),
                    end: local(a),
                }),
                (None, None) => None,
            };
            if s.total == 0 && planned.is_none() && actual.is_none() {
                continue;
            }
            let overdue = planned.is_some_and(|p| {
                is_overdue(
                    window_start,
                    p.end,
                    s.closed < s.total,
                    actual.map(|a| a.end),
                    reference,
                )
            });
            lanes.push(Lane {
                section: i,
                title: s.title,
                level: s.level,
                planned_label: s.planned_label,
                planned,
                actual,
                done: s.closed,
                total: s.total,
                overdue,
                failed: s.failed,
            });
        }
        let now = f.active.then_some(now_local);
        let mut lo = window_start;
        let mut hi = ended.or(now).unwrap_or(window_start);
        if let Some(e) = f.window_end {
            hi = hi.max(local(e));
        }
        for l in &lanes {
            for s in l.planned.iter().chain(l.actual.iter()) {
                lo = lo.min(s.start);
                hi = hi.max(s.end);
            }
        }
        if hi <= lo {
            hi = lo + Duration::minutes(1);
        }
        Timeline {
            lanes,
            axis_start: lo,
            axis_end: hi,
            window_start,
            window_end: f.window_end.map(local),
            ended,
            now,
            reference,
            guess: f.guess,
            zone: f.zone,
        }
    }

    /// No section has a planned slot or any change: nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.lanes
            .iter()
            .all(|l| l.planned.is_none() && l.actual.is_none())
    }

    /// Where `t` falls on the axis, 0.0 at its start and 1.0 at its end.
    pub fn fraction(&self, t: DateTime<FixedOffset>) -> f64 {
        let span = (self.axis_end - self.axis_start).num_milliseconds().max(1) as f64;
        ((t - self.axis_start).num_milliseconds() as f64 / span).clamp(0.0, 1.0)
    }

    /// The offset every time of the timeline is shown in (`+01:00`).
    pub fn offset_label(&self) -> String {
        self.window_start.format("%:z").to_string()
    }

    /// Axis ticks: round times a readable step apart, at most `max` (about ten by default).
    pub fn ticks(&self) -> Vec<DateTime<FixedOffset>> {
        self.ticks_at_most(10)
    }

    /// Axis ticks: round times a readable step apart, at most `max` of them.
    pub fn ticks_at_most(&self, max: i64) -> Vec<DateTime<FixedOffset>> {
        const STEPS: [i64; 14] = [
            1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080,
        ];
        let max = max.max(1);
        let span = (self.axis_end - self.axis_start).num_minutes().max(1);
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= max)
            .unwrap_or(span / max + 1);
        let tz = *self.axis_start.offset();
        let offset = i64::from(tz.local_minus_utc());
        let local_min = (self.axis_start.timestamp() + offset).div_euclid(60);
        let mut m = (local_min + step - 1).div_euclid(step) * step;
        let mut out = Vec::new();
        while out.len() < 40 {
            let Some(t) = DateTime::from_timestamp(m * 60 - offset, 0) else {
                break;
            };
            let t = t.with_timezone(&tz);
            if t > self.axis_end {
                break;
            }
            if t >= self.axis_start {
                out.push(t);
            }
            m += step;
        }
        out
    }

    /// Whether the axis crosses a day boundary (then labels carry the date).
    pub fn spans_days(&self) -> bool {
        self.axis_start.date_naive() != self.axis_end.date_naive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn axis(a: &str, b: &str) -> Timeline {
        Timeline {
            lanes: Vec::new(),
            axis_start: at(a),
            axis_end: at(b),
            window_start: at(a),
            window_end: None,
            ended: None,
            now: None,
            reference: at(b),
            guess: false,
            zone: "UTC+01:00".into(),
        }
    }

    #[test]
    fn ticks_are_round_and_inside_the_axis() {
        let t = axis("2026-11-23T20:47:13+01:00", "2026-11-23T22:05:00+01:00");
        let ticks = t.ticks();
        assert!(!ticks.is_empty() && ticks.len() <= 11, "{ticks:?}");
        for k in &ticks {
            assert_eq!(k.format("%S").to_string(), "00");
            assert!(*k >= t.axis_start && *k <= t.axis_end);
            assert_eq!(k.offset().local_minus_utc(), 3600);
        }
        assert_eq!(ticks[0].format("%H:%M").to_string(), "20:50");
        assert!(t.ticks_at_most(3).len() <= 4);
    }

    #[test]
    fn fraction_is_clamped() {
        let t = axis("2026-11-23T20:00:00Z", "2026-11-23T21:00:00Z");
        assert_eq!(t.fraction(at("2026-11-23T20:30:00Z")), 0.5);
        assert_eq!(t.fraction(at("2026-11-23T19:00:00Z")), 0.0);
        assert_eq!(t.fraction(at("2026-11-23T23:00:00Z")), 1.0);
    }
}
